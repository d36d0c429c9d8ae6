/**
 * Servis ziyaretleri: a month of the region's service visits — start and end, reason, cost, the
 * fault they were for, notes — with the totals per vehicle and for the month (the service cost
 * report of client/fleetReports.ts, so the screen adds up exactly as the CLI's report does). The
 * cost is typed the Turkish way (1.234,50, a ₺ in front allowed) and shown as ₺1.234,50. A visit
 * lives in the month of its first day: a closed month's visits are read-only, and a visit whose
 * month only the mirror holds opens that month before it is changed.
 */
import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import { BilingualError } from '../../../schema/bilingual.ts'
import { fieldLabelText } from '../../../schema/labels.ts'
import { parseNumber, parseDate } from '../../../schema/turkishInput.ts'
import { periodOfDate, shiftPeriod } from '../../../schema/periods.ts'
import type { RecordInput } from '../../../schema/tables.ts'
import { serviceCostReport, type ServiceCostReport } from '../../fleetReports.ts'
import { monthRange } from '../../report.ts'
import { MonthClosedError } from '../../engine.ts'
import { ClosedMonths } from '../closed-months.ts'
import { EntryConfirmController } from '../entry-confirm-controller.ts'
import { bilingual, formatDate, formatMonth, formatNumber, formatPlate, t, todayIso, type MessageKey } from '../i18n.ts'
import { optionalNum, text } from '../live-query.ts'
import { MirrorReading } from '../mirror-reading.ts'
import { Screen, textOrNull } from '../screen.ts'
import { ShownMonths } from '../shown-months.ts'
import { shared } from '../styles.ts'
import { editRecord } from '../workspace.ts'
import { byPlate, datePlaceholder, enterSaves, formatMoney, formError, recordSelect, textField, typedMoney, type FieldView } from './fleet-form.ts'
import { faultStatusLabel, typedDate } from './inspection-entry.ts'

interface VisitDraft {
  readonly vehicle_id: string
  readonly fault_id: string
  readonly start_date: string
  readonly end_date: string
  readonly reason: string
  readonly cost: string
  readonly notes: string
}

type Notice = { readonly key: MessageKey; readonly vars: Readonly<Record<string, string>> }

const FIELDS = ['vehicle_id', 'fault_id', 'start_date', 'end_date', 'reason', 'cost', 'notes'] as const
const emptyDraft = (start = typedDate(todayIso())): VisitDraft => ({ vehicle_id: '', fault_id: '', start_date: start, end_date: '', reason: '', cost: '', notes: '' })

/** A stored cost as the form edits it: 1.234,50, which the schema reads back. */
function typedCost(cost: number | null): string {
  if (cost === null) return ''
  const [whole, cents] = cost.toFixed(2).split('.')
  return `${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, '.')},${cents}`
}

export class ServiceVisitsScreen extends Screen {
  static override properties: PropertyDeclarations = {
    month: { state: true },
    draft: { state: true },
    editing: { state: true },
    error: { state: true },
    notice: { state: true },
  }

  static override styles = [shared]

  month = todayIso().slice(0, 7)
  draft: VisitDraft = emptyDraft()
  /** The visit being edited; its draft as opened is `base`, and only what differs is written. */
  editing: string | null = null
  private base: VisitDraft = emptyDraft()
  error: unknown = undefined
  notice: Notice | null = null

  private readonly vehicles = this.regionQuery('SELECT id, plate FROM vehicles WHERE region = ?', ['vehicles'])
  private readonly faults = this.regionQuery('SELECT id, vehicle_id, title, status, opened_date FROM vehicle_faults WHERE region = ? ORDER BY opened_date DESC, id', ['vehicle_faults'])
  private readonly report = new MirrorReading<ServiceCostReport | undefined>(
    this,
    () => {
      const ws = this.workspace
      if (ws === undefined || this.region === '') return undefined
      const [region, month] = [this.region, this.month]
      return {
        key: `${region}\u0000${month}`,
        tables: ['vehicle_service_visits', 'vehicles', 'vehicle_faults', 'settings'],
        read: (mirror) => serviceCostReport(mirror, { month, regions: [region], regionNames: ws.session.regions }),
      }
    },
    undefined,
  )
  private readonly shownMonths = new ShownMonths(this, () => {
    const { start, end } = monthRange(this.month)
    return this.workspace && { offline: this.workspace.offline, regions: [this.region], from: start, to: end }
  })
  private readonly closed = new ClosedMonths(this, () => this.workspace)
  private readonly confirm = new EntryConfirmController(this, {
    testId: 'service',
    saveAnyway: () => void this.save(),
    restore: (id) => void this.restore(id),
    inputName: (field) => field ?? 'start_date',
  })

  override render(): TemplateResult {
    const lang = this.language
    const closed = this.closed.closed(this.region, this.month)
    const report = this.report.value
    return html`${!this.writable
        ? html`<p class="read-only" role="note" data-testid="read-only-notice">${t(lang, 'entry.readOnly', { region: this.regionName() })}</p>`
        : this.renderForm()}
      <section>
        <h2>${t(lang, 'tab.service')} — ${this.regionName()}</h2>
        <div class="row" style="margin-bottom:0.6rem">
          <button type="button" data-testid="service-month-prev" @click=${() => (this.month = shiftPeriod(this.month, -1))}>◀</button>
          <strong data-testid="service-month" data-month=${this.month}>${formatMonth(lang, this.month)}</strong>
          <button type="button" data-testid="service-month-next" @click=${() => (this.month = shiftPeriod(this.month, 1))}>▶</button>
          ${this.shownMonths.missing.length > 0 ? html`<span class="muted">${t(lang, 'reports.fetching')}</span>` : nothing}
        </div>
        ${closed ? html`<p class="read-only" role="note" data-testid="month-closed">${t(lang, 'month.closedNotice', { month: formatMonth(lang, this.month) })}</p>` : nothing}
        ${report === undefined || report.rows.length === 0 ? html`<p class="muted">${t(lang, 'service.noVisits')}</p>` : this.renderVisits(report, this.writable && !closed)}
      </section>
      ${this.confirm.renderUndo(lang)}`
  }

  private renderForm(): TemplateResult {
    const lang = this.language
    const view: FieldView = { lang, error: this.error, prefix: 'service' }
    const d = this.draft
    const faults = this.faults.rows.filter((f) => text(f.vehicle_id) === d.vehicle_id)
    const set = (patch: Partial<VisitDraft>): void => {
      this.draft = { ...this.draft, ...patch }
      this.error = undefined
      this.notice = null
    }
    return html`<section>
      <h2>${this.editing === null ? t(lang, 'service.new') : html`${t(lang, 'tab.service')} — <span class="muted">${t(lang, 'action.edit')}</span>`}</h2>
      <form data-testid="service-form" @submit=${this.onSubmit} @keydown=${enterSaves(() => void this.save())}>
        ${recordSelect(view, 'vehicle_id', d.vehicle_id, byPlate(this.vehicles.rows).map((v) => ({ id: text(v.id), label: formatPlate(text(v.plate)) })), t(lang, 'inspection.chooseVehicle'), (id) => set({ vehicle_id: id, fault_id: '' }))}
        ${textField(view, 'start_date', d.start_date, (v) => set({ start_date: v }), { placeholder: datePlaceholder(lang), width: '7.5em', required: true })}
        ${textField(view, 'end_date', d.end_date, (v) => set({ end_date: v }), { placeholder: datePlaceholder(lang), width: '7.5em' })}
        ${textField(view, 'reason', d.reason, (v) => set({ reason: v }), { width: '14em' })}
        ${textField(view, 'cost', d.cost, (v) => set({ cost: v }), { mode: 'decimal', placeholder: '1.234,50', width: '8em' })}
        ${recordSelect(
          view,
          'fault_id',
          d.fault_id,
          faults.map((f) => ({ id: text(f.id), label: `${text(f.title)} (${faultStatusLabel(lang, text(f.status) || 'Acik')}, ${formatDate(lang, text(f.opened_date))})` })),
          t(lang, 'service.noFault'),
          (id) => set({ fault_id: id }),
        )}
        ${textField(view, 'notes', d.notes, (v) => set({ notes: v }), { width: '14em' })}
        <button class="primary" type="submit" data-testid="service-save">${t(lang, this.editing === null ? 'action.save' : 'action.update')}</button>
        ${this.editing !== null ? html`<button type="button" @click=${this.cancel}>${t(lang, 'action.cancel')}</button>` : nothing}
      </form>
      <p class="muted">${t(lang, 'service.costHint')}</p>
      ${formError(view, FIELDS)}
      ${this.notice ? html`<p class="ok" role="status" data-testid="service-notice">${t(lang, this.notice.key, this.notice.vars)}</p>` : nothing}
    </section>`
  }

  private renderVisits(report: ServiceCostReport, editable: boolean): TemplateResult {
    const lang = this.language
    const money = (n: number | null): string => (n === null ? '' : formatMoney(lang, n))
    return html`<div class="scroll">
        <table data-testid="service-list">
          <thead>
            <tr>
              ${['vehicle_id', 'start_date', 'end_date', 'reason', 'fault_id'].map((f) => html`<th>${this.label(f)}</th>`)}
              <th class="num">${this.label('cost')}</th>
              <th>${this.label('notes')}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            ${report.rows.map(
              (r) => html`<tr data-testid="service-row" data-visit=${r.visit_id}>
                <td>${r.plate}</td>
                <td>${formatDate(lang, r.start_date)}</td>
                <td>${r.end_date === null ? '' : formatDate(lang, r.end_date)}</td>
                <td class="wrap">${r.reason ?? ''}</td>
                <td>${r.fault ?? ''}</td>
                <td class="num" data-testid="visit-cost">${money(r.cost)}</td>
                <td class="wrap">${r.notes ?? ''}</td>
                <td>
                  ${editable
                    ? html`<button class="link" data-testid="service-edit" @click=${() => this.edit(r.visit_id)}>${t(lang, 'action.edit')}</button>
                        <button class="link danger" data-testid="service-delete" @click=${() => void this.deleteVisit(r.visit_id, `${r.plate} ${formatDate(lang, r.start_date)}`)}>${t(lang, 'action.delete')}</button>`
                    : nothing}
                </td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <h3>${t(lang, 'service.totals')}</h3>
      <table data-testid="service-totals">
        <thead>
          <tr>
            <th>${this.label('vehicle_id')}</th>
            <th class="num">${t(lang, 'service.visits')}</th>
            <th class="num">${this.label('cost')}</th>
          </tr>
        </thead>
        <tbody>
          ${report.totals.map(
            (v) => html`<tr data-testid="service-total" data-vehicle=${v.vehicle_id}>
              <td>${v.plate}</td>
              <td class="num">${formatNumber(lang, v.visits)}</td>
              <td class="num" data-testid="service-total-cost">${money(v.cost)}</td>
            </tr>`,
          )}
        </tbody>
        <tfoot>
          <tr data-testid="service-month-total">
            <td>${t(lang, 'service.monthTotal')}</td>
            <td class="num">${formatNumber(lang, report.total.visits)}</td>
            <td class="num" data-testid="service-month-cost">${money(report.total.cost)}</td>
          </tr>
        </tfoot>
      </table>`
  }

  private label(field: string): string {
    return fieldLabelText(field)[this.language]
  }

  private onSubmit = (event: Event): void => {
    event.preventDefault()
    void this.save()
  }

  private cancel = (): void => {
    this.editing = null
    this.draft = emptyDraft(this.draft.start_date)
    this.error = undefined
  }

  /** The draft's dates read and in order, or the refusal naming the field (nothing written then). */
  private checkDates(d: VisitDraft): { start: string } {
    const start = parseDate(d.start_date)
    const end = parseDate(d.end_date)
    if (start.ok && start.value !== null && end.ok && end.value !== null && end.value < start.value) {
      throw new BilingualError(bilingual('service.endBeforeStart', { start: typedDate(start.value) }), { field: 'end_date' })
    }
    // Anything else wrong with a date is the schema's to say, at its field.
    return { start: start.ok && start.value !== null ? start.value : '' }
  }

  private async save(): Promise<void> {
    const ws = this.workspace
    if (ws === undefined) return
    const d = this.draft
    const region = this.region
    const changed = this.editing === null ? FIELDS : FIELDS.filter((f) => d[f] !== this.base[f])
    const input: Record<string, string | null> = {}
    for (const f of changed) input[f] = f === 'cost' ? textOrNull(typedMoney(d.cost)) : textOrNull(d[f])
    try {
      const { start } = this.checkDates(d)
      const month = periodOfDate(start)
      if (month !== undefined && this.closed.closed(region, month)) throw new MonthClosedError(month)
      // The schema reads the dates and the cost as typed (tr-TR) and refuses what it cannot read.
      if (this.editing === null) ws.engine.insert('vehicle_service_visits', input as unknown as RecordInput<'vehicle_service_visits'>, region)
      else {
        const id = this.editing
        await editRecord(ws, 'vehicle_service_visits', id, region, () => ws.engine.update('vehicle_service_visits', id, input as Partial<RecordInput<'vehicle_service_visits'>>, region))
      }
      const vehicle = this.vehicles.rows.find((v) => text(v.id) === d.vehicle_id)
      const cost = parseNumber(typedMoney(d.cost), 'real')
      this.notice = { key: 'service.saved', vars: { plate: vehicle === undefined ? '' : formatPlate(text(vehicle.plate)), cost: cost.ok && cost.value !== null ? formatMoney(this.language, cost.value) : '—' } }
      if (month !== undefined) this.month = month
    } catch (error) {
      this.error = error
      return
    }
    this.editing = null
    this.draft = emptyDraft(d.start_date)
    this.error = undefined
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('[data-testid="service-vehicle_id"]')?.focus())
  }

  private edit(id: string): void {
    const row = this.workspace?.mirror.query('SELECT * FROM vehicle_service_visits WHERE region = ? AND id = ?', [this.region, id])[0]
    if (row === undefined) return
    const draft: VisitDraft = {
      vehicle_id: text(row.vehicle_id),
      fault_id: text(row.fault_id),
      start_date: typedDate(text(row.start_date)),
      end_date: typedDate(text(row.end_date)),
      reason: text(row.reason),
      cost: typedCost(optionalNum(row.cost)),
      notes: text(row.notes),
    }
    this.draft = draft
    this.base = draft
    this.editing = id
    this.error = undefined
    this.notice = null
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('[data-testid="service-vehicle_id"]')?.focus())
  }

  private async deleteVisit(id: string, label: string): Promise<void> {
    const ws = this.workspace
    if (ws === undefined) return
    try {
      await editRecord(ws, 'vehicle_service_visits', id, this.region, () => ws.engine.delete('vehicle_service_visits', id, this.region))
    } catch (error) {
      this.error = error
      return
    }
    if (this.editing === id) this.cancel()
    this.confirm.deleted(id, label)
  }

  private async restore(id: string): Promise<void> {
    const ws = this.workspace
    if (ws === undefined) return
    try {
      await editRecord(ws, 'vehicle_service_visits', id, this.region, () => ws.engine.restore('vehicle_service_visits', id, this.region))
    } catch (error) {
      this.error = error
    }
  }
}

customElements.define('rs-service-visits', ServiceVisitsScreen)
