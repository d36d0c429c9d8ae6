/**
 * <rs-holidays>: the admin view's "Resmî tatiller / Public holidays": a year's official days as
 * the relay lists them (announced, or computed and "kesinleşmedi" until confirmed), with the
 * head office's decisions: confirm a computed day, remove one, add a day (a whole or a half day).
 * A decision is a control action on the relay (`PUT /api/holidays/<date>`), logged with the
 * account; the offices' sheets count the relay's list (client/holidayCalendar.ts).
 */
import { css, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit'
import type { PublicHoliday } from '../../schema/holidays.ts'
import { fetchHolidays } from '../holidayCalendar.ts'
import { relayJson } from '../relayApi.ts'
import { formatDate, t, todayIso } from './i18n.ts'
import { errorIn, WorkspaceElement } from './screen.ts'
import { shared } from './styles.ts'

interface Decision {
  readonly nameTr?: string
  readonly halfDay: boolean
  readonly removed: boolean
}

export class RsHolidays extends WorkspaceElement {
  static override properties: PropertyDeclarations = {
    year: { state: true },
    holidays: { state: true },
    busy: { state: true },
    error: { state: true },
    saved: { state: true },
  }

  static override styles = [
    shared,
    css`
      .tools {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
        margin: 0.5rem 0;
      }
      .unconfirmed {
        color: var(--warn, #a15c00);
      }
    `,
  ]

  year = Number(todayIso().slice(0, 4))
  holidays: readonly PublicHoliday[] = []
  busy = false
  error: unknown = undefined
  saved = false

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('workspace') || changed.has('year')) void this.load()
  }

  private async load(): Promise<void> {
    const ws = this.workspace
    if (ws === undefined) return
    const year = this.year
    try {
      const list = await fetchHolidays(ws.session, year)
      if (year === this.year) this.holidays = list
    } catch (error) {
      this.error = error
    }
  }

  private async decide(date: string, decision: Decision): Promise<void> {
    const ws = this.workspace
    if (ws === undefined) return
    this.busy = true
    this.error = undefined
    this.saved = false
    try {
      await relayJson(ws.session, `/api/holidays/${date}`, { method: 'PUT', body: decision })
      this.saved = true
      await this.load()
    } catch (error) {
      this.error = error
    } finally {
      this.busy = false
    }
  }

  private add(): Promise<void> {
    const field = (id: string): HTMLInputElement | null => this.renderRoot.querySelector<HTMLInputElement>(`[data-testid="${id}"]`)
    const date = field('holiday-date')?.value ?? ''
    const name = field('holiday-name')?.value.trim() ?? ''
    const halfDay = field('holiday-half')?.checked === true
    return this.decide(date, { ...(name === '' ? {} : { nameTr: name }), halfDay, removed: false })
  }

  override render(): TemplateResult {
    const lang = this.language
    return html`<section data-testid="holidays">
      <h2>${t(lang, 'holidays.title')}</h2>
      <div class="tools">
        <label
          >${t(lang, 'holidays.year')}
          <input type="number" min="1950" max="2100" data-testid="holiday-year" .value=${String(this.year)} @change=${(e: Event) => (this.year = Number((e.target as HTMLInputElement).value) || this.year)} />
        </label>
      </div>
      ${this.error !== undefined ? html`<p class="error" role="alert" data-testid="holiday-error">${errorIn(lang, this.error)}</p>` : nothing}
      ${this.saved ? html`<p class="ok" role="status" data-testid="holiday-saved">${t(lang, 'holidays.saved')}</p>` : nothing}
      <table data-testid="holiday-list">
        <thead>
          <tr>
            <th>${t(lang, 'holidays.date')}</th>
            <th>${t(lang, 'holidays.name')}</th>
            <th>${t(lang, 'holidays.state')}</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${this.holidays.map(
            (h) => html`<tr data-testid="holiday" data-date=${h.date} data-confirmed=${h.confirmed ? 'yes' : 'no'}>
              <td>${formatDate(lang, h.date)}</td>
              <td>${h.name[lang]}${h.halfDay ? ` (${t(lang, 'holidays.halfDay')})` : ''}</td>
              <td class=${h.confirmed ? '' : 'unconfirmed'}>${t(lang, h.confirmed ? 'holidays.confirmed' : 'holidays.unconfirmed')}</td>
              <td>
                ${h.confirmed
                  ? nothing
                  : html`<button data-testid="holiday-confirm" ?disabled=${this.busy} @click=${() => this.decide(h.date, { halfDay: h.halfDay, removed: false })}>${t(lang, 'holidays.confirm')}</button>`}
                <button data-testid="holiday-remove" ?disabled=${this.busy} @click=${() => this.decide(h.date, { halfDay: false, removed: true })}>${t(lang, 'holidays.remove')}</button>
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
      <div class="tools">
        <label>${t(lang, 'holidays.date')} <input type="date" data-testid="holiday-date" /></label>
        <label>${t(lang, 'holidays.name')} <input data-testid="holiday-name" maxlength="100" /></label>
        <label><input type="checkbox" data-testid="holiday-half" /> ${t(lang, 'holidays.halfDay')}</label>
        <button data-testid="holiday-add" ?disabled=${this.busy} @click=${() => this.add()}>${t(lang, 'holidays.add')}</button>
      </div>
    </section>`
  }
}

customElements.define('rs-holidays', RsHolidays)
