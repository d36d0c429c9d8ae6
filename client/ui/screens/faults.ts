/**
 * Arızalar: the region's vehicle faults. A fault is opened here (or from an Olumsuz item of a
 * weekly inspection), followed up (Takip) and closed with a date no earlier than its opening;
 * a closed one can be reopened. Each fault shows the inspections and service visits linked to
 * it. Faults are master data (schema/periods.ts): only other regions are read-only.
 */
import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import type { Row } from '../../../crdt/mirror.ts'
import { BilingualError } from '../../../schema/bilingual.ts'
import { fieldLabelText } from '../../../schema/labels.ts'
import { parseDate } from '../../../schema/turkishInput.ts'
import { bilingual, formatDate, formatNumber, formatPlate, t, todayIso, type MessageKey } from '../i18n.ts'
import { num, text } from '../live-query.ts'
import { errorIn, Screen, textOrNull } from '../screen.ts'
import { shared } from '../styles.ts'
import { byPlate, datePlaceholder, enterSaves, formatMoney, formError, recordSelect, textField, type FieldView } from './fleet-form.ts'
import { faultStatusLabel, typedDate } from './inspection-entry.ts'

interface FaultDraft {
  readonly vehicle_id: string
  readonly title: string
  readonly description: string
  readonly opened_date: string
}

type Notice = { readonly key: MessageKey; readonly vars: Readonly<Record<string, string>> }

const emptyDraft = (): FaultDraft => ({ vehicle_id: '', title: '', description: '', opened_date: typedDate(todayIso()) })
const isOpen = (row: Row): boolean => text(row.status) !== 'Kapandi' && (row.closed_date === null || row.closed_date === undefined)

export class FaultsScreen extends Screen {
  static override properties: PropertyDeclarations = {
    draft: { state: true },
    error: { state: true },
    notice: { state: true },
    listError: { state: true },
    showClosed: { state: true },
    closing: { state: true },
    opened: { state: true },
  }

  static override styles = [shared]

  draft: FaultDraft = emptyDraft()
  error: unknown = undefined
  notice: Notice | null = null
  /** A refused follow-up, closing or reopening, shown over the list. */
  listError: unknown = undefined
  showClosed = false
  /** The fault whose closing date is being typed, and the date as typed. */
  closing: { readonly id: string; readonly date: string; readonly error?: BilingualError } | null = null
  /** The fault whose linked records are open. */
  opened = ''

  private readonly vehicles = this.regionQuery('SELECT id, plate FROM vehicles WHERE region = ?', ['vehicles'])
  private readonly faults = this.regionQuery(
    `SELECT f.id, f.vehicle_id, v.plate, f.title, f.description, f.opened_date, f.closed_date, f.status
       FROM vehicle_faults f LEFT JOIN vehicles v ON v.region = f.region AND v.id = f.vehicle_id
      WHERE f.region = ? ORDER BY f.opened_date DESC, f.id`,
    ['vehicle_faults', 'vehicles'],
  )
  private readonly inspections = this.regionQuery(
    'SELECT id, fault_id, inspection_date, km FROM vehicle_inspections WHERE region = ? AND fault_id IS NOT NULL ORDER BY inspection_date',
    ['vehicle_inspections'],
  )
  private readonly visits = this.regionQuery(
    'SELECT id, fault_id, start_date, end_date, reason, cost FROM vehicle_service_visits WHERE region = ? AND fault_id IS NOT NULL ORDER BY start_date',
    ['vehicle_service_visits'],
  )

  override render(): TemplateResult {
    const lang = this.language
    const rows = this.faults.rows.filter((r) => this.showClosed || isOpen(r))
    const label = (field: string): string => fieldLabelText(field)[lang]
    return html`${this.writable ? this.renderForm() : html`<p class="read-only" role="note" data-testid="read-only-notice">${t(lang, 'entry.readOnly', { region: this.regionName() })}</p>`}
      <section>
        <h2>${t(lang, 'tab.faults')} — ${this.regionName()}</h2>
        <div class="row" style="margin-bottom:0.5rem">
          <label class="check"><input type="checkbox" data-testid="faults-show-closed" .checked=${this.showClosed} @change=${(e: Event) => (this.showClosed = (e.target as HTMLInputElement).checked)} />${t(lang, 'faults.showClosed')}</label>
        </div>
        ${this.notice ? html`<p class="ok" role="status" data-testid="faults-notice">${t(lang, this.notice.key, this.notice.vars)}</p>` : nothing}
        ${this.listError !== undefined ? html`<p class="error" role="alert" data-testid="faults-error">${errorIn(lang, this.listError)}</p>` : nothing}
        <div class="scroll">
          <table data-testid="fault-list">
            <thead>
              <tr>
                <th>${label('vehicle_id')}</th>
                <th>${fieldLabelText('title', 'vehicle_faults')[lang]}</th>
                <th>${label('opened_date')} – ${label('closed_date')}</th>
                <th>${label('status')}</th>
                <th></th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${rows.length === 0 ? html`<tr><td colspan="6" class="muted">${t(lang, 'faults.none')}</td></tr>` : nothing}
              ${rows.map((row) => this.renderRow(row))}
            </tbody>
          </table>
        </div>
      </section>`
  }

  private renderForm(): TemplateResult {
    const lang = this.language
    const view: FieldView = { lang, error: this.error, prefix: 'fault' }
    const d = this.draft
    const set = (patch: Partial<FaultDraft>): void => {
      this.draft = { ...this.draft, ...patch }
      this.error = undefined
    }
    return html`<section>
      <h2>${t(lang, 'faults.new')}</h2>
      <form data-testid="fault-form" @submit=${this.onSubmit} @keydown=${enterSaves(() => this.open())}>
        ${recordSelect(view, 'vehicle_id', d.vehicle_id, byPlate(this.vehicles.rows).map((v) => ({ id: text(v.id), label: formatPlate(text(v.plate)) })), t(lang, 'inspection.chooseVehicle'), (id) => set({ vehicle_id: id }))}
        ${textField(view, 'title', d.title, (v) => set({ title: v }), { table: 'vehicle_faults', required: true, width: '16em' })}
        ${textField(view, 'description', d.description, (v) => set({ description: v }), { width: '22em' })}
        ${textField(view, 'opened_date', d.opened_date, (v) => set({ opened_date: v }), { placeholder: datePlaceholder(lang), width: '7.5em' })}
        <button class="primary" type="submit" data-testid="fault-save">${t(lang, 'faults.open')}</button>
      </form>
      ${formError(view, ['vehicle_id', 'title', 'description', 'opened_date'])}
    </section>`
  }

  private renderRow(row: Row): TemplateResult {
    const lang = this.language
    const id = text(row.id)
    const status = text(row.status) || 'Acik'
    const links = this.inspections.rows.filter((i) => text(i.fault_id) === id).length + this.visits.rows.filter((v) => text(v.fault_id) === id).length
    const closing = this.closing?.id === id ? this.closing : null
    return html`<tr data-testid="fault-row" data-fault=${id} data-status=${status}>
        <td>${formatPlate(text(row.plate) || text(row.vehicle_id))}</td>
        <td class="wrap"><strong>${text(row.title)}</strong>${row.description ? html`<br /><span class="muted">${text(row.description)}</span>` : nothing}</td>
        <td>${formatDate(lang, text(row.opened_date))}${row.closed_date ? html` – <span data-testid="fault-closed-date">${formatDate(lang, text(row.closed_date))}</span>` : nothing}</td>
        <td data-testid="fault-status">${faultStatusLabel(lang, status)}</td>
        <td>
          <button class="link" data-testid="fault-links" aria-expanded=${this.opened === id ? 'true' : 'false'} @click=${() => (this.opened = this.opened === id ? '' : id)}>${t(lang, 'faults.details')} (${links})</button>
        </td>
        <td class="wrap">${this.writable ? this.renderActions(row, status, closing) : nothing}</td>
      </tr>
      ${this.opened === id ? html`<tr data-testid="fault-details"><td colspan="6" class="wrap">${this.renderLinks(id)}</td></tr>` : nothing}`
  }

  private renderActions(row: Row, status: string, closing: FaultsScreen['closing']): TemplateResult {
    const lang = this.language
    const id = text(row.id)
    if (status === 'Kapandi' || row.closed_date) return html`<button class="link" data-testid="fault-reopen" @click=${() => this.write(row, { status: 'Acik', closed_date: null }, 'faults.reopened')}>${t(lang, 'faults.reopen')}</button>`
    if (closing !== null) {
      const confirm = (): void => this.close(row)
      return html`<span class="row" style="display:inline-flex" @keydown=${(e: KeyboardEvent) => (e.key === 'Escape' ? (this.closing = null) : undefined)}>
        <label
          >${fieldLabelText('closed_date')[lang]}<input
            data-testid="fault-close-date"
            placeholder=${datePlaceholder(lang)}
            style="width:7.5em"
            aria-invalid=${closing.error ? 'true' : 'false'}
            aria-describedby=${closing.error ? `close-error-${id}` : nothing}
            .value=${closing.date}
            @input=${(e: Event) => (this.closing = { id, date: (e.target as HTMLInputElement).value })}
            @keydown=${enterSaves(confirm)}
        /></label>
        <button class="primary" data-testid="fault-close-confirm" @click=${confirm}>${t(lang, 'faults.closeConfirm')}</button>
        <button data-testid="fault-close-cancel" @click=${() => (this.closing = null)}>${t(lang, 'action.cancel')}</button>
        ${closing.error ? html`<span class="field-error" role="alert" id=${`close-error-${id}`} data-testid="fault-close-error">${errorIn(lang, closing.error)}</span>` : nothing}
      </span>`
    }
    return html`${status !== 'Takip' ? html`<button class="link" data-testid="fault-follow" @click=${() => this.write(row, { status: 'Takip' }, 'faults.followed')}>${t(lang, 'faults.follow')}</button>` : nothing}
      <button class="link" data-testid="fault-close" @click=${() => this.startClosing(id)}>${t(lang, 'faults.close')}</button>`
  }

  private renderLinks(id: string): TemplateResult {
    const lang = this.language
    const inspections = this.inspections.rows.filter((i) => text(i.fault_id) === id)
    const visits = this.visits.rows.filter((v) => text(v.fault_id) === id)
    if (inspections.length === 0 && visits.length === 0) return html`<span class="muted">${t(lang, 'faults.noLinks')}</span>`
    return html`${inspections.length === 0
        ? nothing
        : html`<strong>${t(lang, 'faults.inspections')}:</strong>
            <ul>
              ${inspections.map((i) => html`<li data-testid="fault-inspection">${formatDate(lang, text(i.inspection_date))}${i.km === null ? '' : ` — ${formatNumber(lang, num(i.km))} km`}</li>`)}
            </ul>`}
      ${visits.length === 0
        ? nothing
        : html`<strong>${t(lang, 'faults.visits')}:</strong>
            <ul>
              ${visits.map(
                (v) => html`<li data-testid="fault-visit">
                  ${formatDate(lang, text(v.start_date))}${v.end_date ? ` – ${formatDate(lang, text(v.end_date))}` : ''}${v.reason ? ` — ${text(v.reason)}` : ''}${typeof v.cost === 'number' ? ` — ${formatMoney(lang, v.cost)}` : ''}
                </li>`,
              )}
            </ul>`}`
  }

  private onSubmit = (event: Event): void => {
    event.preventDefault()
    this.open()
  }

  private open(): void {
    const engine = this.workspace?.engine
    if (engine === undefined) return
    const d = this.draft
    try {
      engine.insert('vehicle_faults', { vehicle_id: d.vehicle_id, title: d.title, description: textOrNull(d.description), opened_date: textOrNull(d.opened_date), status: 'Acik' }, this.region)
    } catch (error) {
      this.error = error
      return
    }
    const plate = this.vehicles.rows.find((v) => text(v.id) === d.vehicle_id)
    this.notice = { key: 'faults.opened', vars: { title: d.title.trim(), plate: plate === undefined ? '' : formatPlate(text(plate.plate)) } }
    this.draft = { ...emptyDraft(), opened_date: d.opened_date }
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('[data-testid="fault-vehicle_id"]')?.focus())
  }

  private startClosing(id: string): void {
    this.closing = { id, date: typedDate(todayIso()) }
    void this.updateComplete.then(() => {
      const input = this.renderRoot.querySelector<HTMLInputElement>('[data-testid="fault-close-date"]')
      input?.focus()
      input?.select()
    })
  }

  /** Closes the fault on the typed day: a day, and not before the fault was opened; else nothing is written. */
  private close(row: Row): void {
    const closing = this.closing
    if (closing === null) return
    const parsed = parseDate(closing.date)
    const opened = text(row.opened_date)
    let problem: BilingualError | undefined
    if (!parsed.ok) problem = new BilingualError(parsed.reason)
    else if (parsed.value === null) problem = new BilingualError(bilingual('faults.closeDateRequired'))
    else if (opened !== '' && parsed.value < opened) problem = new BilingualError(bilingual('faults.closedBeforeOpened', { opened: typedDate(opened) }))
    if (problem !== undefined || !parsed.ok || parsed.value === null) {
      this.closing = { ...closing, error: problem }
      return
    }
    this.closing = null
    this.write(row, { status: 'Kapandi', closed_date: parsed.value }, 'faults.closed', typedDate(parsed.value))
  }

  private write(row: Row, patch: { status: 'Acik' | 'Takip' | 'Kapandi'; closed_date?: string | null }, notice: MessageKey, date = ''): void {
    try {
      this.workspace?.engine.update('vehicle_faults', text(row.id), patch, this.region)
    } catch (error) {
      this.listError = error
      this.notice = null
      return
    }
    this.listError = undefined
    this.notice = { key: notice, vars: { title: text(row.title), date } }
  }
}

customElements.define('rs-faults', FaultsScreen)
