/**
 * <rs-month-closing>: the admin view's "Ay kapanışı / Closing a month". For a region and month it
 * shows the month's state (open, or closed by whom, when, with the sheet's SHA-256 and the log of
 * closes and reopenings). "Cetveli hazırla" makes the sheet from the relay's own copy at its
 * current version (client/closingSheet.ts) and shows it; only then can the month be closed, with
 * that sheet, after a confirmation. A closed month's stored sheet downloads byte for byte, and
 * it reopens with a reason. Every check is the relay's; its refusals show in the user's language.
 */
import { css, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit'
import { isPeriod, shiftPeriod, type Period } from '../../schema/periods.ts'
import { closingSheet as sheetFromRelay } from '../closingSheet.ts'
import { closeMonth, closingSheet as storedSheet, monthState, reopenMonth, type MonthState } from '../periodControl.ts'
import { regionSettings } from '../report.ts'
import { restDaysFrom, type RegionSheet } from '../sheet.ts'
import { saveFile } from './download.ts'
import { formatDateTime, formatMonth, t, todayIso, type Lang, type MessageKey } from './i18n.ts'
import { errorIn, WorkspaceElement } from './screen.ts'
import { renderSheetNotes, renderSheetTable, sheetStyles } from './screens/sheet-view.ts'
import { shared } from './styles.ts'
import { locateFile } from './workspace.ts'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

interface Prepared {
  readonly region: string
  readonly month: Period
  readonly sheet: RegionSheet
  readonly version: number
  readonly bytes: Uint8Array
}

type Notice = { readonly key: MessageKey; readonly vars?: Readonly<Record<string, string | number>> }

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

export class RsMonthClosing extends WorkspaceElement {
  static override properties: PropertyDeclarations = {
    region: { state: true },
    month: { state: true },
    monthState: { state: true },
    prepared: { state: true },
    confirming: { state: true },
    busy: { state: true },
    error: { state: true },
    notice: { state: true },
  }

  static override styles = [
    shared,
    sheetStyles,
    css`
      .tools {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
        margin-bottom: 0.6rem;
      }
      .sha {
        font-family: monospace;
        font-size: 0.8rem;
        overflow-wrap: anywhere;
      }
      .confirm {
        border: 1px solid var(--accent);
        padding: 0.5rem;
        border-radius: 4px;
      }
    `,
  ]

  region = ''
  /** Last month by default: the one a head office closes at the start of a month. */
  month: string = shiftPeriod(todayIso().slice(0, 7) as Period, -1)
  monthState: MonthState | undefined = undefined
  prepared: Prepared | undefined = undefined
  confirming = false
  busy = false
  error: unknown = undefined
  notice: Notice | undefined = undefined
  private loads = 0

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.region === '' && this.workspace !== undefined) this.region = this.workspace.session.regions[0]?.slug ?? ''
    if (changed.has('region') || changed.has('month') || changed.has('workspace')) {
      this.prepared = undefined
      this.confirming = false
      void this.refresh()
    }
  }

  private regionName(slug = this.region): string {
    return this.workspace?.session.regions.find((r) => r.slug === slug)?.name ?? slug
  }

  /** Reads the month's state from the relay again; an answer to an earlier choice is dropped. */
  async refresh(): Promise<void> {
    const ws = this.workspace
    const ticket = ++this.loads
    if (ws === undefined || this.region === '' || !isPeriod(this.month)) {
      this.monthState = undefined
      return
    }
    try {
      const state = await monthState(ws.session, this.region, this.month)
      if (ticket === this.loads) this.monthState = state
    } catch (error) {
      if (ticket === this.loads) this.error = error
    }
  }

  private async run(work: () => Promise<Notice | undefined>): Promise<void> {
    this.busy = true
    this.error = undefined
    this.notice = undefined
    try {
      this.notice = await work()
    } catch (error) {
      this.error = error
    } finally {
      this.busy = false
    }
  }

  private prepare = (): Promise<void> =>
    this.run(async () => {
      const ws = this.workspace
      if (ws === undefined || !isPeriod(this.month)) return undefined
      const region = this.region
      const month = this.month
      const { sheet, version } = await sheetFromRelay(ws.session, region, month, { mirror: { locateFile } })
      // exceljs is large: loaded only when a sheet is made.
      const { sheetXlsx } = await import('../sheetXlsx.ts')
      const bytes = await sheetXlsx(sheet, this.regionName(region))
      this.prepared = { region, month, sheet, version, bytes }
      return { key: 'closing.prepared', vars: { month: formatMonth(this.language, month), version } }
    })

  private close = (): Promise<void> =>
    this.run(async () => {
      const ws = this.workspace
      const prepared = this.prepared
      if (ws === undefined || prepared === undefined) return undefined
      this.confirming = false
      try {
        this.monthState = await closeMonth(ws.session, prepared.region, prepared.month, prepared.version, prepared.bytes)
      } finally {
        // Closed, or refused because the month changed since: either way this sheet is spent.
        this.prepared = undefined
      }
      return { key: 'closing.closed', vars: { month: formatMonth(this.language, prepared.month), sha: await sha256(prepared.bytes) } }
    })

  private reopen = (): Promise<void> =>
    this.run(async () => {
      const ws = this.workspace
      const input = this.renderRoot.querySelector<HTMLInputElement>('[data-testid="reopen-reason"]')
      const reason = input?.value.trim() ?? ''
      if (ws === undefined || !isPeriod(this.month)) return undefined
      if (reason === '') {
        input?.focus()
        return { key: 'closing.reasonRequired' }
      }
      this.monthState = await reopenMonth(ws.session, this.region, this.month, reason)
      if (input !== null && input !== undefined) input.value = ''
      return { key: 'closing.reopened', vars: { month: formatMonth(this.language, this.month) } }
    })

  private downloadStored = (): Promise<void> =>
    this.run(async () => {
      const ws = this.workspace
      if (ws === undefined || !isPeriod(this.month)) return undefined
      const { bytes } = await storedSheet(ws.session, this.region, this.month)
      await saveFile(`kapanis_puantaj_${this.region}_${this.month}.xlsx`, bytes, XLSX)
      return undefined
    })

  private downloadPrepared = (): Promise<void> =>
    this.run(async () => {
      const prepared = this.prepared
      if (prepared !== undefined) await saveFile(`aylik_puantaj_${prepared.region}_${prepared.month}.xlsx`, prepared.bytes, XLSX)
      return undefined
    })

  override render(): TemplateResult {
    const lang = this.language
    const ws = this.workspace
    if (ws === undefined) return html``
    const state = this.monthState
    return html`<section data-testid="month-closing">
      <h2>${t(lang, 'closing.title')}</h2>
      <div class="tools">
        <label
          >${t(lang, 'closing.region')}
          <select data-testid="closing-region" .value=${this.region} @change=${(e: Event) => (this.region = (e.target as HTMLSelectElement).value)}>
            ${ws.session.regions.map((r) => html`<option value=${r.slug} ?selected=${r.slug === this.region}>${r.name}</option>`)}
          </select>
        </label>
        <label
          >${t(lang, 'closing.month')}
          <input type="month" data-testid="closing-month" .value=${this.month} @change=${(e: Event) => (this.month = (e.target as HTMLInputElement).value)} />
        </label>
        <span data-testid="closing-state" data-closed=${state?.closed === true ? 'yes' : 'no'}>
          ${state === undefined
            ? nothing
            : state.closed
              ? t(lang, 'closing.isClosed', { at: formatDateTime(lang, state.closedAt), by: state.closedBy ?? '' })
              : t(lang, 'closing.isOpen')}
        </span>
      </div>
      ${state !== undefined && state.waitingLateEdits > 0 ? html`<p class="muted" data-testid="closing-waiting">${t(lang, 'closing.waiting', { n: state.waitingLateEdits })}</p>` : nothing}
      ${this.error !== undefined ? html`<p class="error" role="alert" data-testid="closing-error">${errorIn(lang, this.error)}</p>` : nothing}
      ${this.notice !== undefined ? html`<p class="ok" role="status" data-testid="closing-notice">${t(lang, this.notice.key, this.notice.vars)}</p>` : nothing}
      ${state?.closed === true ? this.renderClosed(lang, state) : this.renderOpen(lang)} ${this.renderLog(lang, state)}
    </section>`
  }

  private renderOpen(lang: Lang): TemplateResult {
    const prepared = this.prepared
    const ws = this.workspace
    return html`<div class="tools">
        <button data-testid="closing-prepare" ?disabled=${this.busy} @click=${this.prepare}>${t(lang, 'closing.prepare')}</button>
        ${prepared !== undefined
          ? html`<button data-testid="closing-download" ?disabled=${this.busy} @click=${this.downloadPrepared}>${t(lang, 'closing.download')}</button>
              <button class="primary" data-testid="closing-close" ?disabled=${this.busy || this.confirming} @click=${() => (this.confirming = true)}>${t(lang, 'closing.close')}</button>`
          : nothing}
      </div>
      ${this.busy && prepared === undefined ? html`<p class="muted" role="status">${t(lang, 'closing.preparing')}</p>` : nothing}
      ${this.confirming && prepared !== undefined
        ? html`<div class="confirm" role="alertdialog" data-testid="closing-confirm">
            <p>${t(lang, 'closing.confirm', { region: this.regionName(prepared.region), month: formatMonth(lang, prepared.month) })}</p>
            <button class="primary" data-testid="closing-confirm-yes" ?disabled=${this.busy} @click=${this.close}>${t(lang, 'closing.close')}</button>
            <button data-testid="closing-confirm-no" @click=${() => (this.confirming = false)}>${t(lang, 'action.cancel')}</button>
          </div>`
        : nothing}
      ${prepared !== undefined && ws !== undefined
        ? html`${renderSheetTable({
            lang,
            sheet: prepared.sheet,
            restDays: new Set(restDaysFrom(regionSettings(ws.mirror, prepared.region).weekly_rest_days)),
            writable: false,
            chosen: null,
            // The balance needs every earlier year's leave: the office's own sheet shows it.
            balance: () => undefined,
            onCell: () => undefined,
          })}
          ${renderSheetNotes(lang, prepared.sheet)}`
        : nothing}`
  }

  private renderClosed(lang: Lang, state: MonthState): TemplateResult {
    return html`<p>${t(lang, 'closing.sha')}: <span class="sha" data-testid="closing-sha">${state.sheetSha256 ?? ''}</span></p>
      <div class="tools">
        <button data-testid="closing-stored" ?disabled=${this.busy} @click=${this.downloadStored}>${t(lang, 'closing.stored')}</button>
        <label
          >${t(lang, 'closing.reason')}
          <input data-testid="reopen-reason" maxlength="500" @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && void this.reopen()} />
        </label>
        <button data-testid="closing-reopen" ?disabled=${this.busy} @click=${this.reopen}>${t(lang, 'closing.reopen')}</button>
      </div>`
  }

  private renderLog(lang: Lang, state: MonthState | undefined): TemplateResult {
    if (state === undefined || state.events.length === 0) return html``
    return html`<details data-testid="closing-log">
      <summary>${t(lang, 'closing.log')} (${state.events.length})</summary>
      <ul>
        ${state.events.map(
          (e) => html`<li data-testid="closing-event">
            ${formatDateTime(lang, e.at)} — ${e.account} ${t(lang, e.action === 'close' ? 'closing.event.close' : 'closing.event.reopen')}${e.reason !== null ? `: ${e.reason}` : ''}
          </li>`,
        )}
      </ul>
    </details>`
  }
}

customElements.define('rs-month-closing', RsMonthClosing)
