/**
 * Aylık puantaj: the region's monthly sheet (client/sheet.ts) on screen, employees × days with
 * their codes and the month's totals under the region's rule set, or the other one for viewing;
 * each employee's annual leave (earned, used, left); printed on one A4 landscape page or
 * downloaded as xlsx (client/sheetXlsx.ts). A click on a day opens the leave form for it, and
 * Shift+click stretches it over a range of the row; a day inside a leave opens that leave.
 */
import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit'
import { annualLeaveBalance, isLeaveType, workCalendar, type LeaveBalance } from '../../../schema/leave.ts'
import { isPeriod, documentName, parseDocumentName, shiftPeriod } from '../../../schema/periods.ts'
import type { SheetLine } from '../../../schema/puantajSheet.ts'
import { lawSettingsFrom, RULE_SETS, type RuleSetName } from '../../../schema/workLaw.ts'
import { monthRange } from '../../report.ts'
import { buildRegionSheet, restDaysFrom, type RegionSheet } from '../../sheet.ts'
import { saveFile } from '../download.ts'
import { formatMonth, t, todayIso, type MessageKey } from '../i18n.ts'
import { liveQuery, num, optionalText, text } from '../live-query.ts'
import { ShownMonths } from '../shown-months.ts'
import { ClosedMonths } from '../closed-months.ts'
import { HolidaysShown } from '../holidays-controller.ts'
import { errorIn, Screen } from '../screen.ts'
import { shared } from '../styles.ts'
import type { LeaveDone, LeaveRow } from './leave-form.ts'
import './leave-form.ts'
import '../restore-panel.ts'
import { renderSheetNotes, renderSheetTable, sheetStyles, type SheetCellRef } from './sheet-view.ts'

const SHEET_TABLES = ['timesheets', 'employees', 'settings', 'leaves']

export class SheetScreen extends Screen {
  static override properties: PropertyDeclarations = {
    month: { state: true },
    rules: { state: true },
    chosen: { state: true },
    editing: { state: true },
    notice: { state: true },
    error: { state: true },
    restoring: { state: true },
  }

  static override styles = [shared, sheetStyles]

  month = todayIso().slice(0, 7)
  /** The rule set viewed; '' is the region's own. */
  rules: RuleSetName | '' = ''
  /** The days chosen for a leave (one employee). */
  chosen: { employeeId: string; first: string; last: string } | null = null
  /** The leave those days belong to, when they are one already. */
  editing: LeaveRow | null = null
  notice: MessageKey | null = null
  error: unknown = undefined
  /** The "put the month back as it was" panel is open. */
  restoring = false
  private anchor = ''

  /** Re-renders (so rebuilds the sheet) whenever a table the sheet reads changes. */
  private readonly changes = liveQuery(this, { sql: 'SELECT 1', tables: SHEET_TABLES })

  private readonly settingRows = this.regionQuery('SELECT key, value FROM settings WHERE region = ?', ['settings'])

  private readonly employeeRows = this.regionQuery('SELECT id, start_date, end_date, birth_date FROM employees WHERE region = ?', ['employees'])

  private readonly leaveRows = this.regionQuery(
    'SELECT id, employee_id, leave_type, first_day, last_day, half_day, note FROM leaves WHERE region = ? ORDER BY first_day',
    ['leaves'],
    (r) => ({
      id: text(r.id),
      employee_id: text(r.employee_id),
      leave_type: text(r.leave_type),
      first_day: text(r.first_day),
      last_day: text(r.last_day),
      half_day: num(r.half_day) === 1,
      note: optionalText(r.note),
    }),
  )

  /**
   * The months the sheet reads: the law's weeks and yearly overtime cap need the year so far (from
   * the last days of December, for its first week); the legacy rule the month, and the month
   * before for a leave that began then.
   */
  private readonly shownMonths = new ShownMonths(this, () => {
    if (this.workspace === undefined || !isPeriod(this.month)) return undefined
    const year = Number(this.month.slice(0, 4))
    const from = this.viewedRules() === 'law' ? `${year - 1}-12-25` : `${shiftPeriod(this.month, -1)}-01`
    return { offline: this.workspace.offline, regions: [this.region], from, to: monthRange(this.month).end }
  })

  private readonly holidays = new HolidaysShown(this)
  private readonly closedMonths = new ClosedMonths(this, () => this.workspace)

  /** The month shown is closed by the head office: its days and leave are read-only here. */
  private monthClosed(): boolean {
    return isPeriod(this.month) && this.closedMonths.closed(this.region, this.month)
  }

  /** Leave can be entered: the region is this user's and the month is not closed. */
  private editable(): boolean {
    return this.writable && !this.monthClosed()
  }

  private settings(): Record<string, string | null> {
    return Object.fromEntries(this.settingRows.rows.map((r) => [text(r.key), optionalText(r.value)]))
  }

  private regionRules(): RuleSetName {
    return lawSettingsFrom(this.settings()).rules
  }

  private viewedRules(): RuleSetName {
    return this.rules || this.regionRules()
  }

  private sheet(): RegionSheet | undefined {
    if (this.workspace === undefined || !isPeriod(this.month)) return undefined
    return buildRegionSheet(this.workspace.mirror, { region: this.region, month: this.month, rules: this.viewedRules(), holidays: this.holidays.around(this.month) })
  }

  private leaves(): LeaveRow[] {
    return this.leaveRows.rows.flatMap((r) => (isLeaveType(r.leave_type) ? [{ ...r, leave_type: r.leave_type }] : []))
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Another region: its own rule set, and no days chosen among the last one's employees.
    if (!changed.has('region')) return
    this.rules = ''
    this.chosen = null
    this.editing = null
    this.notice = null
  }

  override render(): TemplateResult {
    const lang = this.language
    const sheet = this.sheet()
    const restDays = new Set(restDaysFrom(this.settings().weekly_rest_days))
    const balances = sheet === undefined ? new Map<string, LeaveBalance>() : this.balances(sheet, restDays)
    const chosenName = sheet?.lines.find((l) => l.employee.id === this.chosen?.employeeId)?.employee.full_name ?? ''
    return html`<section>
      <h2 class="no-print">${t(lang, 'sheet.title')} — ${this.regionName()}</h2>
      ${this.writable ? nothing : html`<p class="read-only" role="note" data-testid="read-only-notice">${t(lang, 'entry.readOnly', { region: this.regionName() })}</p>`}
      ${this.writable && this.monthClosed()
        ? html`<p class="read-only no-print" role="note" data-testid="month-closed-notice">${t(lang, 'month.closedNotice', { month: formatMonth(lang, this.month) })}</p>`
        : nothing}
      ${this.renderTools(sheet)}
      ${this.error !== undefined ? html`<p class="error no-print" role="alert" data-testid="sheet-error">${errorIn(lang, this.error)}</p>` : nothing}
      ${this.notice !== null ? html`<p class="ok no-print" role="status" data-testid="sheet-notice">${t(lang, this.notice)}</p>` : nothing}
      ${sheet === undefined
        ? nothing
        : html`<div class="print-only" data-testid="sheet-print-title">
              ${sheet.companyName ? html`<strong>${sheet.companyName}</strong><br />` : nothing}
              <strong>${t(lang, 'sheet.title')} — ${this.regionName()} — ${formatMonth(lang, sheet.month)}</strong><br />
              ${t(lang, 'sheet.rules')}: ${t(lang, `sheet.rules.${sheet.rules}`)}
            </div>
            ${renderSheetTable({
              lang,
              sheet,
              restDays,
              writable: this.editable(),
              chosen: this.chosen,
              balance: (line: SheetLine) => balances.get(line.employee.id),
              onCell: (cell, event) => this.choose(cell, event),
            })}
            ${this.chosen !== null && this.editable()
              ? html`<rs-leave-form
                  class="no-print"
                  employeeId=${this.chosen.employeeId}
                  employeeName=${chosenName}
                  first=${this.chosen.first}
                  last=${this.chosen.last}
                  .leave=${this.editing}
                  @leave-done=${(e: CustomEvent<LeaveDone>) => this.leaveDone(e.detail)}
                ></rs-leave-form>`
              : nothing}
            ${renderSheetNotes(lang, sheet)} ${this.renderWindowNote(sheet)}`}
    </section>`
  }

  private renderTools(sheet: RegionSheet | undefined): TemplateResult {
    const lang = this.language
    const own = this.regionRules()
    const viewed = this.viewedRules()
    return html`<div class="row no-print" style="margin-bottom:0.6rem">
        <button type="button" data-testid="sheet-prev" title="◀" @click=${() => this.showMonth(shiftPeriod(this.month, -1))}>◀</button>
        <label>${t(lang, 'reports.month')}<input type="month" data-testid="sheet-month" .value=${this.month} @change=${(e: Event) => this.showMonth((e.target as HTMLInputElement).value)} /></label>
        <button type="button" data-testid="sheet-next" title="▶" @click=${() => this.showMonth(shiftPeriod(this.month, 1))}>▶</button>
        <label
          >${t(lang, 'sheet.rules')}
          <select data-testid="sheet-rules" @change=${(e: Event) => this.viewRules((e.target as HTMLSelectElement).value)}>
            ${RULE_SETS.map((r) => html`<option value=${r} ?selected=${r === viewed}>${t(lang, `sheet.rules.${r}`)}${r === own ? ` (${t(lang, 'sheet.rules.region')})` : ''}</option>`)}
          </select>
        </label>
        <button type="button" data-testid="sheet-print" ?disabled=${sheet === undefined} @click=${() => print()}>${t(lang, 'sheet.print')}</button>
        ${this.editable() ? html`<button type="button" data-testid="sheet-restore" aria-expanded=${this.restoring ? 'true' : 'false'} @click=${() => (this.restoring = !this.restoring)}>${t(lang, 'restore.monthTitle')}</button>` : nothing}
        <button type="button" class="primary" data-testid="sheet-xlsx" ?disabled=${sheet === undefined} @click=${() => sheet && this.download(sheet)}>${t(lang, 'reports.xlsx')}</button>
      </div>
      ${this.restoring && this.editable() ? html`<rs-restore class="no-print" month=${this.month}></rs-restore>` : nothing}
      ${viewed !== own ? html`<p class="muted no-print" data-testid="sheet-rules-note">${t(lang, 'sheet.rules.viewing')}</p>` : nothing}
      ${this.editable() ? html`<p class="muted no-print">${t(lang, 'sheet.leaveHint')}</p>` : nothing}`
  }

  /** Says how far back used leave is surely counted, when someone was hired before the months open here. */
  private renderWindowNote(sheet: RegionSheet): TemplateResult | typeof nothing {
    const ws = this.workspace
    const open = new Set(ws?.engine.documents(this.region).flatMap((name) => parseDocumentName(name)?.period ?? []) ?? [])
    // Open in the engine, or held as rows in the mirror: either way its leave is counted.
    const here = (month: string): boolean => open.has(month) || ws?.offline.holds(documentName(this.region, month)) === true
    // The unbroken run of such months up to the sheet's: leave before it may not be on this PC.
    let earliest: string | undefined = here(this.month) ? this.month : undefined
    while (earliest !== undefined && here(shiftPeriod(earliest, -1))) earliest = shiftPeriod(earliest, -1)
    const hired = this.employeeRows.rows.map((r) => optionalText(r.start_date)).filter((d): d is string => d !== null)
    if (earliest === undefined || sheet.lines.length === 0 || !hired.some((d) => d < `${earliest}-01`)) return nothing
    return html`<p class="muted no-print" data-testid="sheet-balance-window">${t(this.language, 'sheet.balance.window', { from: formatMonth(this.language, earliest) })}</p>`
  }

  /** Annual leave on the month's last day per employee with a hire date, from the annual leave open here. */
  private balances(sheet: RegionSheet, restDays: ReadonlySet<number>): Map<string, LeaveBalance> {
    const on = sheet.dates[sheet.dates.length - 1]
    const annual = this.leaves().filter((l) => l.leave_type === 'Y' && l.first_day <= on)
    const years = new Set([Number(on.slice(0, 4)), ...annual.map((l) => Number(l.first_day.slice(0, 4))), ...annual.map((l) => Number(l.last_day.slice(0, 4)))])
    const calendar = workCalendar(this.holidays.forDates([...years].map(String)), restDays)
    const out = new Map<string, LeaveBalance>()
    for (const r of this.employeeRows.rows) {
      const startDate = optionalText(r.start_date)
      if (startDate === null) continue
      const id = text(r.id)
      const own = annual.filter((l) => l.employee_id === id)
      out.set(id, annualLeaveBalance({ startDate, endDate: optionalText(r.end_date), birthDate: optionalText(r.birth_date), annualLeaves: own }, on, calendar))
    }
    return out
  }

  private choose(cell: SheetCellRef, event: MouseEvent): void {
    if (!this.editable()) return
    this.notice = null
    if (event.shiftKey && this.chosen?.employeeId === cell.employeeId && this.anchor !== '') {
      const [first, last] = [this.anchor, cell.date].sort()
      this.chosen = { employeeId: cell.employeeId, first, last }
      return
    }
    const leave = this.leaves().find((l) => l.employee_id === cell.employeeId && l.first_day <= cell.date && cell.date <= l.last_day) ?? null
    this.anchor = cell.date
    this.editing = leave
    this.chosen = { employeeId: cell.employeeId, first: leave?.first_day ?? cell.date, last: leave?.last_day ?? cell.date }
  }

  private leaveDone(message: LeaveDone): void {
    this.chosen = null
    this.editing = null
    this.notice = message
  }

  private showMonth(month: string): void {
    if (!isPeriod(month)) return
    this.month = month
    this.chosen = null
    this.editing = null
    this.notice = null
  }

  private viewRules(value: string): void {
    const rules = RULE_SETS.find((r) => r === value)
    if (rules !== undefined) this.rules = rules === this.regionRules() ? '' : rules
  }

  private async download(sheet: RegionSheet): Promise<void> {
    this.error = undefined
    try {
      const { sheetXlsx } = await import('../../sheetXlsx.ts')
      await saveFile(`aylik_puantaj_${sheet.region}_${sheet.month}.xlsx`, await sheetXlsx(sheet, this.regionName()), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    } catch (error) {
      this.error = error
    }
  }
}

customElements.define('rs-sheet', SheetScreen)
