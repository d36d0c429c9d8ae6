/**
 * Haftalık denetim: a week (its Monday) of the region's vehicles, each inspected or not yet, and
 * the form of one vehicle's weekly inspection — driver, date, km, the nine checklist items
 * (Olumlu / Olumsuz / Bilinmiyor, each with a note), notes — typed from the keyboard
 * (inspection-entry.ts). Choosing a vehicle already inspected that week opens that inspection
 * rather than adding a second one. An Olumsuz item opens a fault in one step, titled after the
 * item, its note as the description, linked to the inspection (saved first when new).
 * Inspections live in the month of their Monday (schema/periods.ts): a closed month's weeks and
 * other regions show read-only. The region's fleet alerts are listed under the week.
 */
import { css, html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import type { Row } from '../../../crdt/mirror.ts'
import { BilingualError, type Bilingual } from '../../../schema/bilingual.ts'
import { INSPECTION_ITEM_LABELS, type InspectionItem } from '../../../schema/fleetTexts.ts'
import { fieldLabelText } from '../../../schema/labels.ts'
import { INSPECTION_ITEMS, type RecordInput } from '../../../schema/tables.ts'
import { parseDate } from '../../../schema/turkishInput.ts'
import { MonthClosedError } from '../../engine.ts'
import { ClosedMonths } from '../closed-months.ts'
import { addDays, bilingual, formatMonth, formatPlate, t, todayIso, type MessageKey } from '../i18n.ts'
import { liveQuery, text } from '../live-query.ts'
import { Screen } from '../screen.ts'
import { ShownMonths } from '../shown-months.ts'
import { shared } from '../styles.ts'
import { mondayOf } from '../week-plan.ts'
import { editRecord, type Workspace } from '../workspace.ts'
import { byName, byPlate, datePlaceholder, enterSaves, formError, recordSelect, textField, type FieldView } from './fleet-form.ts'
import { checkDraft, draftOf, emptyDraft, renderChecklist, typedDate, type Answer, type InspectionDraft, type Saved } from './inspection-entry.ts'
import { renderWeek, weekStyles } from './inspection-week.ts'
import '../fleet-alerts-panel.ts'

type Notice = { readonly key: MessageKey; readonly vars: Readonly<Record<string, string>> }

const FORM_FIELDS = ['vehicle_id', 'driver_id', 'inspection_date', 'km', 'notes', ...INSPECTION_ITEMS.map((i) => `note-${i}`)]

export class InspectionsScreen extends Screen {
  static override properties: PropertyDeclarations = {
    monday: { state: true },
    draft: { state: true },
    saved: { state: true },
    error: { state: true },
    notice: { state: true },
    weekDateError: { state: true },
  }

  static override styles = [
    shared,
    weekStyles,
    css`
      .answers {
        display: inline-flex;
        border-radius: 4px;
      }
      .answers:focus {
        outline: 2px solid var(--accent);
        outline-offset: 2px;
      }
      .answer {
        padding: 0.15rem 0.5rem;
        border-radius: 0;
      }
      .answer[aria-checked='true'].Olumlu {
        background: #e3f3e6;
        border-color: #7fb98a;
        font-weight: 600;
      }
      .answer[aria-checked='true'].Olumsuz {
        background: #fde2e1;
        border-color: #e08b84;
        font-weight: 600;
      }
      .answer[aria-checked='true'].Bilinmiyor {
        background: var(--panel-head);
        border-color: var(--line-strong);
        font-weight: 600;
      }
      .checklist th[scope='row'] {
        color: var(--ink);
        background: none;
        font-weight: 500;
      }
    `,
  ]

  monday = mondayOf(todayIso())
  draft: InspectionDraft = emptyDraft('', todayIso())
  /** The inspection the form edits, or null for a new one. */
  saved: Saved | null = null
  /** The draft as the saved inspection had it: only what differs from it is written. */
  private base: InspectionDraft | null = null
  error: unknown = undefined
  notice: Notice | null = null
  /** Why the date typed to go to a week was not read. */
  weekDateError: Bilingual | null = null

  private readonly vehicles = this.regionQuery('SELECT id, plate FROM vehicles WHERE region = ?', ['vehicles'])
  private readonly drivers = this.regionQuery('SELECT id, full_name FROM drivers WHERE region = ?', ['drivers'])
  private readonly faults = this.regionQuery('SELECT id, title, status FROM vehicle_faults WHERE region = ?', ['vehicle_faults'])
  private readonly week = liveQuery(this, () => ({
    sql: `SELECT i.id, i.vehicle_id, i.driver_id, i.inspection_date, i.km, i.notes, i.fault_id, i.service_visit, d.full_name AS driver
            FROM vehicle_inspections i LEFT JOIN drivers d ON d.region = i.region AND d.id = i.driver_id
           WHERE i.region = ? AND i.week_start = ? ORDER BY i.inspection_date, i.id`,
    params: [this.region, this.monday],
    tables: ['vehicle_inspections', 'drivers'],
  }))
  private readonly results = liveQuery(this, () => ({
    sql: `SELECT id, inspection_id, item_key, status, note FROM vehicle_inspection_results
           WHERE region = ? AND inspection_id IN (SELECT value FROM json_each(?))`,
    params: [this.region, JSON.stringify(this.week.rows.map((r) => text(r.id)))],
    tables: ['vehicle_inspection_results'],
  }))
  private readonly shownMonths = new ShownMonths(this, () => this.workspace && { offline: this.workspace.offline, regions: [this.region], from: this.monday, to: addDays(this.monday, 6) })
  private readonly closed = new ClosedMonths(this, () => this.workspace)

  /** Each vehicle's inspection of the shown week (the latest when there are two). */
  private inspectionOf(vehicleId: string): Row | undefined {
    return this.week.rows.filter((r) => text(r.vehicle_id) === vehicleId).at(-1)
  }

  private resultsOf(inspectionId: string): Row[] {
    return this.results.rows.filter((r) => text(r.inspection_id) === inspectionId)
  }

  private plateOf(vehicleId: string): string {
    const row = this.vehicles.rows.find((v) => text(v.id) === vehicleId)
    return row === undefined ? vehicleId : formatPlate(text(row.plate))
  }

  /** The shown week's month, when the head office has closed it. */
  private closedMonth(): string | undefined {
    return this.closed.closedOn(this.region, this.monday)
  }

  override render(): TemplateResult {
    const lang = this.language
    const closed = this.closedMonth()
    const vehicles = byPlate(this.vehicles.rows)
    return html`<div @keydown=${this.onWeekKey}>
      <section data-testid="inspection-week">
        <h2>${t(lang, 'inspection.title')} — ${this.regionName()}</h2>
        ${renderWeek({
          lang,
          monday: this.monday,
          vehicles,
          inspectionOf: (id) => this.inspectionOf(id),
          failed: (id) => this.resultsOf(id).filter((r) => r.status === 'Olumsuz').length,
          fault: (id) => this.faults.rows.find((f) => text(f.id) === id),
          writable: this.writable && closed === undefined,
          missing: this.shownMonths.missing.length > 0,
          dateError: this.weekDateError,
          showWeek: (monday) => this.showWeek(monday),
          refuseDate: (reason) => (this.weekDateError = reason),
          choose: (id) => this.chooseVehicle(id, true),
        })}
      </section>
      ${!this.writable
        ? html`<p class="read-only" role="note" data-testid="read-only-notice">${t(lang, 'entry.readOnly', { region: this.regionName() })}</p>`
        : closed !== undefined
          ? html`<p class="read-only" role="note" data-testid="month-closed">${t(lang, 'month.closedNotice', { month: formatMonth(lang, closed) })}</p>`
          : vehicles.length === 0
            ? html`<p class="muted">${t(lang, 'inspection.noVehicles')}</p>`
            : this.renderForm(vehicles)}
      </div>
      <rs-fleet-alerts></rs-fleet-alerts>`
  }

  private renderForm(vehicles: readonly Row[]): TemplateResult {
    const lang = this.language
    const d = this.draft
    const view: FieldView = { lang, error: this.error, prefix: 'inspection' }
    const fault = this.saved?.fault_id ? this.faults.rows.find((f) => text(f.id) === this.saved?.fault_id) : undefined
    return html`<section data-testid="inspection-entry">
      <h2>${this.saved === null ? t(lang, 'tab.inspections') : html`${t(lang, 'tab.inspections')} — <span class="muted">${t(lang, 'action.edit')}</span>`}</h2>
      <form data-testid="inspection-form" @submit=${this.onSubmit} @keydown=${enterSaves(() => void this.save())}>
        <div class="row">
          ${recordSelect(view, 'vehicle_id', d.vehicle_id, vehicles.map((v) => ({ id: text(v.id), label: formatPlate(text(v.plate)) })), t(lang, 'inspection.chooseVehicle'), (id) => this.chooseVehicle(id, false))}
          ${recordSelect(view, 'driver_id', d.driver_id, byName(this.drivers.rows).map((r) => ({ id: text(r.id), label: text(r.full_name) })), t(lang, 'inspection.noDriver'), (id) => this.set({ driver_id: id }))}
          ${textField(view, 'inspection_date', d.inspection_date, (v) => this.set({ inspection_date: v }), { table: 'vehicle_inspections', placeholder: datePlaceholder(lang), width: '7.5em', required: true })}
          ${textField(view, 'km', d.km, (v) => this.set({ km: v }), { mode: 'numeric', width: '7em' })}
        </div>
        ${renderChecklist({
          lang,
          draft: d,
          error: this.error,
          fault: fault === undefined ? null : { title: text(fault.title), status: text(fault.status) },
          answer: (item, status, viaKey) => this.answer(item, status, viaKey),
          note: (item, value) => this.set({ items: { ...d.items, [item]: { ...d.items[item], note: value } } }),
          openFault: (item) => void this.openFault(item),
        })}
        <div class="row" style="margin-top:0.6rem">
          ${textField(view, 'notes', d.notes, (v) => this.set({ notes: v }), { width: '24em' })}
          <label class="check"
            ><input type="checkbox" name="service_visit" data-testid="inspection-service_visit" .checked=${d.service_visit} @change=${(e: Event) => this.set({ service_visit: (e.target as HTMLInputElement).checked })} />${
              fieldLabelText('service_visit')[lang]
            }</label
          >
          <button class="primary" type="submit" data-testid="inspection-save">${t(lang, this.saved === null ? 'action.save' : 'action.update')}</button>
          ${this.saved !== null || d.vehicle_id !== '' ? html`<button type="button" data-testid="inspection-cancel" @click=${this.cancel}>${t(lang, 'action.cancel')}</button>` : nothing}
        </div>
      </form>
      ${formError(view, FORM_FIELDS)}
      ${this.notice ? html`<p class="ok" role="status" data-testid="inspection-notice">${t(lang, this.notice.key, this.notice.vars)}</p>` : nothing}
      <p class="muted">${t(lang, 'inspection.hint')}</p>
    </section>`
  }

  private set(patch: Partial<InspectionDraft>): void {
    this.draft = { ...this.draft, ...patch }
    this.error = undefined
    this.notice = null
  }

  private answer(item: InspectionItem, status: Answer, viaKey: boolean): void {
    this.set({ items: { ...this.draft.items, [item]: { ...this.draft.items[item], status } } })
    if (!viaKey) return
    // An Olumsuz wants its note; anything else goes on to the next item (after the last, the notes).
    const next = INSPECTION_ITEMS[INSPECTION_ITEMS.indexOf(item) + 1]
    const selector = status === 'Olumsuz' ? `[data-testid="note-${item}"]` : next === undefined ? '[data-testid="inspection-notes"]' : `[data-testid="answer-${next}"]`
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(selector)?.focus())
  }

  /** The default day for a new inspection of the shown week: today when it is in it, else its Monday. */
  private defaultDate(): string {
    const today = todayIso()
    return mondayOf(today) === this.monday ? today : this.monday
  }

  /** A vehicle chosen (in the form or from the week): its inspection of the week opens, else a new one starts. */
  private chooseVehicle(vehicleId: string, focus: boolean): void {
    const existing = vehicleId === '' ? undefined : this.inspectionOf(vehicleId)
    this.error = undefined
    if (existing === undefined) {
      // A day typed for the shown week stays; one of another week (or none) gives way to the week's default.
      const typed = parseDate(this.draft.inspection_date)
      const kept = this.saved === null && typed.ok && typed.value !== null && mondayOf(typed.value) === this.monday
      this.draft = { ...emptyDraft(vehicleId, this.defaultDate()), ...(kept ? { inspection_date: this.draft.inspection_date } : {}) }
      this.saved = null
      this.base = null
      this.notice = null
    } else {
      const { draft, saved } = draftOf(existing, this.resultsOf(text(existing.id)))
      this.draft = draft
      this.saved = saved
      this.base = draft
      this.notice = { key: 'inspection.editing', vars: { plate: this.plateOf(vehicleId), date: typedDate(text(existing.inspection_date)) } }
    }
    if (focus) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('[data-testid="inspection-driver_id"]')?.focus())
  }

  /** "Vazgeç": a blank form for the shown week; nothing typed is written. */
  private cancel = (): void => {
    this.draft = emptyDraft('', this.defaultDate())
    this.saved = null
    this.base = null
    this.error = undefined
    this.notice = null
  }

  private showWeek(monday: string): void {
    this.monday = monday
    this.weekDateError = null
    // A new form follows the week; an inspection being edited stays in the form.
    if (this.saved === null) this.draft = { ...this.draft, inspection_date: emptyDraft('', this.defaultDate()).inspection_date }
  }

  private onWeekKey = (event: KeyboardEvent): void => {
    if (event.key !== 'PageUp' && event.key !== 'PageDown') return
    event.preventDefault()
    this.showWeek(addDays(this.monday, event.key === 'PageUp' ? -7 : 7))
  }

  private onSubmit = (event: Event): void => {
    event.preventDefault()
    void this.save()
  }

  /**
   * Writes the draft: a new inspection and its nine results, or what changed of the one being
   * edited (its month opened first when only its rows were here). Checked whole first, so a
   * refusal writes nothing. `keep` leaves the saved inspection in the form (a fault comes next).
   */
  private async save(keep = false): Promise<Saved | undefined> {
    const ws = this.workspace
    if (ws === undefined || !this.writable) return undefined
    const draft = this.draft
    let checked
    try {
      checked = checkDraft(draft)
      const closed = this.closed.closedOn(this.region, checked.fields.week_start)
      if (closed !== undefined) throw new MonthClosedError(closed)
      if (this.saved === null) this.refuseSecond(ws, checked.fields)
    } catch (error) {
      this.error = error
      return undefined
    }
    const region = this.region
    // Numbers go as typed (152.300): the schema reads them as tr-TR and refuses what is ambiguous.
    const fields = checked.fields as unknown as RecordInput<'vehicle_inspections'>
    let saved: Saved
    try {
      if (this.saved === null) {
        const id = ws.engine.insert('vehicle_inspections', fields, region)
        const results: Partial<Record<InspectionItem, string>> = {}
        for (const r of checked.results) results[r.item] = ws.engine.insert('vehicle_inspection_results', { inspection_id: id, item_key: r.item, status: r.status, note: r.note }, region)
        saved = { id, results, fault_id: null }
      } else {
        saved = await this.writeChanges(this.saved, checked)
      }
    } catch (error) {
      this.error = error
      return undefined
    }
    const plate = this.plateOf(draft.vehicle_id)
    this.monday = checked.fields.week_start
    this.notice = { key: 'inspection.saved', vars: { plate } }
    if (keep) {
      this.saved = saved
      this.base = draft
      return saved
    }
    // On to the next vehicle not inspected this week, its form ready from the driver on.
    const next = byPlate(this.vehicles.rows).find((v) => text(v.id) !== draft.vehicle_id && this.inspectionOf(text(v.id)) === undefined)
    this.saved = null
    this.base = null
    this.draft = { ...emptyDraft(next === undefined ? '' : text(next.id), checked.fields.inspection_date) }
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`[data-testid="inspection-${next === undefined ? 'vehicle_id' : 'driver_id'}"]`)?.focus())
    return saved
  }

  /** A vehicle has one inspection a week: a second one for its week is refused, nothing written. */
  private refuseSecond(ws: Workspace, fields: { vehicle_id: string; week_start: string }): void {
    const [first] = ws.mirror.query('SELECT inspection_date FROM vehicle_inspections WHERE region = ? AND vehicle_id = ? AND week_start = ? ORDER BY inspection_date', [
      this.region,
      fields.vehicle_id,
      fields.week_start,
    ])
    if (first === undefined) return
    const vars = { plate: this.plateOf(fields.vehicle_id), week: typedDate(fields.week_start), date: typedDate(text(first.inspection_date)) }
    throw new BilingualError(bilingual('inspection.exists', vars), { field: 'vehicle_id' })
  }

  private async writeChanges(saved: Saved, checked: ReturnType<typeof checkDraft>): Promise<Saved> {
    const ws = this.workspace!
    const region = this.region
    const base = this.base === null ? undefined : safeCheck(this.base)
    const patch = Object.fromEntries(Object.entries(checked.fields).filter(([k, v]) => base === undefined || base.fields[k as keyof typeof base.fields] !== v))
    const results = { ...saved.results }
    await editRecord(ws, 'vehicle_inspections', saved.id, region, () => {
      if (Object.keys(patch).length > 0) ws.engine.update('vehicle_inspections', saved.id, patch as Partial<RecordInput<'vehicle_inspections'>>, region)
      for (const r of checked.results) {
        const id = results[r.item]
        const before = base?.results.find((b) => b.item === r.item)
        if (id === undefined) results[r.item] = ws.engine.insert('vehicle_inspection_results', { inspection_id: saved.id, item_key: r.item, status: r.status, note: r.note }, region)
        else if (before === undefined || before.status !== r.status || before.note !== r.note) ws.engine.update('vehicle_inspection_results', id, { status: r.status, note: r.note }, region)
      }
    })
    return { ...saved, results }
  }

  /** "Arıza aç" on an Olumsuz item: the inspection saved, a fault opened from the item, the two linked. */
  private async openFault(item: InspectionItem): Promise<void> {
    const ws = this.workspace
    if (ws === undefined) return
    const saved = await this.save(true)
    if (saved === undefined) return
    const draft = this.draft
    const region = this.region
    const title = INSPECTION_ITEM_LABELS[item].tr
    const openedOn = checkDraft(draft).fields.inspection_date
    try {
      const note = draft.items[item].note.trim()
      const faultId = ws.engine.insert('vehicle_faults', { vehicle_id: draft.vehicle_id, title, description: note === '' ? null : note, opened_date: openedOn, status: 'Acik' }, region)
      await editRecord(ws, 'vehicle_inspections', saved.id, region, () => ws.engine.update('vehicle_inspections', saved.id, { fault_id: faultId, fault_status: 'Acik' }, region))
      this.saved = { ...saved, fault_id: faultId }
      this.notice = { key: 'inspection.faultOpened', vars: { title, plate: this.plateOf(draft.vehicle_id) } }
    } catch (error) {
      this.error = error
    }
  }
}

function safeCheck(draft: InspectionDraft): ReturnType<typeof checkDraft> | undefined {
  try {
    return checkDraft(draft)
  } catch {
    return undefined
  }
}

customElements.define('rs-inspections', InspectionsScreen)
