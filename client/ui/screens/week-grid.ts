/**
 * Haftalık: a week of the region's timesheets as a grid, employees × Monday–Sunday, entered from
 * the keyboard. A cell takes "8-17", "08:30-17:30", "8-17/45" or a shift template's name
 * (schema/shiftEntry.ts); Enter, Tab or leaving the cell saves it (an insert, or an update of that
 * day's one timesheet), an emptied cell is deleted after a question, arrows move between cells.
 * A day with two timesheets is shown read-only (they are edited in the one-row form). Refusals
 * stay beside their cell and nothing is written; plausibility warnings ask first, as the form
 * does. "Geçen haftayı kopyala" and a template applied to a selection are planned whole
 * (client/ui/week-plan.ts), asked about with their counts, checked, then written. Days of a
 * month the head office closed are read-only; leave is entered for selected days (week-grid-leave.ts).
 */
import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit'
import { BilingualError } from '../../../schema/bilingual.ts'
import type { Warning } from '../../../schema/plausibility.ts'
import { holidayOn, shiftText, type ShiftTemplate } from '../../../schema/shiftEntry.ts'
import { parseDate } from '../../../schema/turkishInput.ts'
import { addDays, bilingual, formatDate, formatWeekday, t, todayIso } from '../i18n.ts'
import { liveQuery, num, optionalText, text } from '../live-query.ts'
import { ShownMonths } from '../shown-months.ts'
import { editRecord } from '../workspace.ts'
import { Screen } from '../screen.ts'
import { shared } from '../styles.ts'
import { arrowTarget, cellEdit, cellKey, cellsOf, employedOn, mondayOf, rectangle, weekDates, type CellKey, type Position, type WeekEmployee, type WeekTimesheet } from '../week-plan.ts'
import { renderCellQuestion, renderClosedMonths, renderWeekNavigation, renderWeekTable, weekGridStyles, weekTotals, type WeekCell } from './week-grid-view.ts'
import { WeekBulk } from './week-grid-bulk.ts'
import { WeekLeave } from './week-grid-leave.ts'
import { MonthClosedError } from '../../engine.ts'
import { ClosedMonths } from '../closed-months.ts'
import { HolidaysShown } from '../holidays-controller.ts'
import type { PublicHoliday } from '../../../schema/holidays.ts'
import type { Period } from '../../../schema/periods.ts'

type CellQuestion =
  | { readonly kind: 'delete'; readonly key: CellKey; readonly id: string; readonly label: string }
  | { readonly kind: 'warnings'; readonly key: CellKey; readonly warnings: readonly Warning[] }

const collator = new Intl.Collator('tr')

export class WeekGridScreen extends Screen {
  static override properties: PropertyDeclarations = {
    monday: { state: true },
    question: { state: true },
    errors: { state: true },
    selection: { state: true },
    goToError: { state: true },
  }

  static override styles = [shared, weekGridStyles]

  monday = mondayOf(todayIso())
  question: CellQuestion | null = null
  /** Refusals by cell, kept as the errors so they show in the language of the moment. */
  errors: ReadonlyMap<CellKey, unknown> = new Map()
  selection: ReadonlySet<CellKey> = new Set()
  goToError = ''
  /** What was typed into cells and not saved yet; the DOM shows it already, so no render per key. */
  private readonly drafts = new Map<CellKey, string>()
  private anchor: Position | null = null
  /** Copy last week, and a template applied to the selection. */
  private readonly bulk = new WeekBulk(this)
  private readonly leave = new WeekLeave(this)
  private readonly closedMonths = new ClosedMonths(this, () => this.workspace)
  private readonly holidaysShown = new HolidaysShown(this)

  private readonly shownWeeks = new ShownMonths(this, () =>
    // Last week too: "Geçen haftayı kopyala" reads it.
    this.workspace && { offline: this.workspace.offline, regions: [this.region], from: addDays(this.monday, -7), to: addDays(this.monday, 6) },
  )

  private readonly employeeRows = this.regionQuery('SELECT id, full_name, start_date, end_date FROM employees WHERE region = ?', ['employees'])

  private readonly templateRows = this.regionQuery('SELECT id, name, start_time, end_time, break_minutes FROM shift_templates WHERE region = ? ORDER BY name', ['shift_templates'])

  private readonly timesheetRows = liveQuery(
    this,
    () => ({
      sql: `SELECT id, employee_id, work_date, start_time, end_time, break_minutes, is_special, notes FROM timesheets
             WHERE region = ? AND work_date BETWEEN ? AND ?`,
      params: [this.region, addDays(this.monday, -7), addDays(this.monday, 6)],
      tables: ['timesheets'],
    }),
    (r): WeekTimesheet => ({
      id: text(r.id),
      employee_id: text(r.employee_id),
      work_date: text(r.work_date),
      start_time: text(r.start_time),
      end_time: text(r.end_time),
      break_minutes: num(r.break_minutes),
      is_special: num(r.is_special),
      notes: optionalText(r.notes),
    }),
  )

  get dates(): string[] {
    return weekDates(this.monday)
  }

  /** The holidays of the week's years, as the relay lists them. */
  get holidays(): readonly PublicHoliday[] {
    return this.holidaysShown.forDates(this.dates)
  }

  /** The closed month a day of this region falls in, if any: such days are read-only. */
  closedOn(date: string): Period | undefined {
    return this.closedMonths.closedOn(this.region, date)
  }

  get templates(): Array<ShiftTemplate & { id: string }> {
    return this.templateRows.rows.map((r) => ({ id: text(r.id), name: text(r.name), start_time: text(r.start_time), end_time: text(r.end_time), break_minutes: num(r.break_minutes) }))
  }

  /** Last week's and this week's timesheets. */
  get timesheets(): readonly WeekTimesheet[] {
    return this.timesheetRows.rows
  }

  /** Everyone employed on a day of the week, and anyone with a timesheet in it whatever the dates say. */
  get employees(): WeekEmployee[] {
    const dates = this.dates
    const active = new Set(this.timesheets.filter((r) => r.work_date >= dates[0]).map((r) => r.employee_id))
    return this.employeeRows.rows
      .map((r) => ({ id: text(r.id), full_name: text(r.full_name), start_date: optionalText(r.start_date), end_date: optionalText(r.end_date) }))
      .filter((e) => active.has(e.id) || dates.some((d) => employedOn(e, d)))
      .sort((a, b) => collator.compare(a.full_name, b.full_name))
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Another region's cells: nothing typed, refused or selected here carries over.
    if (changed.has('region')) this.showWeek(this.monday)
  }

  override render(): TemplateResult {
    const lang = this.language
    const dates = this.dates
    const employees = this.employees
    const cells = cellsOf(this.timesheets)
    const { worked, employeeTotals, dayTotals, officeTotal } = weekTotals(employees, dates, cells)
    const closedDays = dates.map((d) => this.closedOn(d))
    const holidays = this.holidays
    const cell = (row: number, col: number): WeekCell => {
      const key = cellKey(employees[row].id, dates[col])
      const stored = cells.get(key) ?? []
      return {
        key,
        row,
        col,
        text: this.drafts.get(key) ?? stored.map(shiftText).join(', '),
        count: stored.length,
        hours: worked(key),
        selected: this.selection.has(key),
        error: this.errors.get(key),
        leave: this.leave.codeOn(employees[row].id, dates[col]),
        closed: closedDays[col] !== undefined,
      }
    }
    return html`<section>
      <h2>${t(lang, 'week.title')} — ${this.regionName()}</h2>
      ${this.writable ? nothing : html`<p class="read-only" role="note" data-testid="read-only-notice">${t(lang, 'entry.readOnly', { region: this.regionName() })}</p>`}
      ${renderWeekNavigation(lang, dates, this.goToError, {
        show: (monday) => this.showWeek(monday),
        goTo: this.goTo,
      })}
      ${this.writable ? renderClosedMonths(lang, closedDays) : nothing} ${this.bulk.render()} ${this.leave.render()}
      ${renderWeekTable({
        lang,
        writable: this.writable,
        dates,
        holidays: dates.map((d) => holidayOn(d, holidays)),
        employees,
        cell,
        question: (row) => {
          const q = this.question
          if (q === null || !q.key.startsWith(`${employees[row].id}|`)) return undefined
          return { col: dates.indexOf(q.key.split('|')[1]), body: this.renderQuestion(q) }
        },
        employeeTotals,
        dayTotals,
        officeTotal,
        onInput: (c, value) => this.typed(c, value),
        onKey: (c, event) => this.onKey(c, event, employees.length),
        onFocus: (c) => this.focused(c),
        onBlur: (c) => void this.commit(c.key, 'blur'),
        onClick: (c, event) => this.clicked(c, event),
        selectRow: (row) => this.select(rectangle(employees, dates, { row, col: 0 }, { row, col: 6 })),
        selectColumn: (col) => this.select(rectangle(employees, dates, { row: 0, col }, { row: employees.length - 1, col })),
      })}
      <p class="muted">${t(lang, 'week.hint')}</p>
    </section>`
  }

  private renderQuestion(question: CellQuestion): TemplateResult {
    const answer = question.kind === 'delete' ? { yes: () => this.deleteCell(question), no: () => this.dismiss(true) } : { yes: () => this.saveAnyway(question.key), no: () => this.dismiss(false) }
    return renderCellQuestion(this.language, question.kind === 'delete' ? { label: question.label } : { warnings: question.warnings }, { ...answer, onKey: this.questionKey })
  }

  private setError(key: CellKey, error: unknown): void {
    const errors = new Map(this.errors)
    if (error === undefined) errors.delete(key)
    else errors.set(key, error)
    this.errors = errors
  }

  private typed(cell: WeekCell, value: string): void {
    this.drafts.set(cell.key, value)
    if (this.errors.has(cell.key)) this.setError(cell.key, undefined)
    if (this.question?.key === cell.key) this.question = null
  }

  /**
   * Saves what was typed in a cell. True when nothing is left to do there (saved, unchanged, or
   * empty as before); false while a refusal or a question stands.
   */
  private commit(key: CellKey, via: 'enter' | 'blur', confirmed = false): boolean {
    const draft = this.drafts.get(key)
    if (draft === undefined) return true
    if (this.question?.key === key) return false
    const engine = this.workspace?.engine
    if (engine === undefined) return false
    const [employeeId, date] = key.split('|')
    const stored = cellsOf(this.timesheets).get(key) ?? []
    const edit = cellEdit(draft, stored, { employeeId, date, today: todayIso(), holidays: this.holidays }, this.templates, confirmed)
    if (edit.kind !== 'none' && !this.writable) {
      this.setError(key, new BilingualError(bilingual('week.readOnlyCell', { region: this.regionName() })))
      return false
    }
    const closed = this.closedOn(date)
    if (edit.kind !== 'none' && closed !== undefined) {
      this.setError(key, new MonthClosedError(closed))
      return false
    }
    try {
      switch (edit.kind) {
        case 'refuse':
          this.setError(key, new BilingualError(edit.reason))
          return false
        case 'delete': {
          const name = this.employees.find((e) => e.id === employeeId)?.full_name ?? ''
          const label = `${name}, ${formatWeekday(this.language, date)} ${formatDate(this.language, date)} ${shiftText(edit.row)}`
          this.ask({ kind: 'delete', key, id: edit.row.id, label }, via)
          return false
        }
        case 'ask':
          this.ask({ kind: 'warnings', key, warnings: edit.warnings }, via)
          return false
        case 'insert':
          engine.insert('timesheets', edit.record, this.region)
          break
        case 'update': {
          const ws = this.workspace
          if (ws === undefined) return false
          // A row shown from held rows is changed in its month, which opens first.
          void editRecord(ws, 'timesheets', edit.id, this.region, () => engine.update('timesheets', edit.id, edit.patch, this.region)).catch((error: unknown) =>
            this.setError(key, error),
          )
          break
        }
      }
    } catch (error) {
      this.setError(key, error)
      return false
    }
    this.drafts.delete(key)
    this.setError(key, undefined)
    return true
  }

  /** A question beside the cell; asked on Enter it takes the focus, so the answer is one key away. */
  private ask(question: CellQuestion, via: 'enter' | 'blur'): void {
    this.question = question
    if (via === 'enter') void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="cell-confirm"]')?.focus())
  }

  private deleteCell(question: Extract<CellQuestion, { kind: 'delete' }>): void {
    this.question = null
    const ws = this.workspace
    if (ws === undefined) return
    void editRecord(ws, 'timesheets', question.id, this.region, () => ws.engine.delete('timesheets', question.id, this.region)).catch((error: unknown) =>
      this.setError(question.key, error),
    )
    this.drafts.delete(question.key)
    this.focusCell(question.key)
  }

  private saveAnyway(key: CellKey): void {
    this.question = null
    if (this.commit(key, 'enter', true)) this.focusCell(key)
  }

  /** "Vazgeç" on a delete puts the shift back; "Düzelt" on warnings goes back to what was typed. */
  private dismiss(restore: boolean): void {
    const key = this.question?.key
    this.question = null
    if (key === undefined) return
    if (restore) this.drafts.delete(key)
    this.focusCell(key)
  }

  private questionKey = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape') return
    event.preventDefault()
    this.dismiss(this.question?.kind === 'delete')
  }

  private focused(cell: WeekCell): void {
    const input = this.inputAt(cell.row, cell.col)
    // Typing replaces the cell, as in a spreadsheet; arrows then leave at once.
    input?.select()
  }

  private clicked(cell: WeekCell, event: MouseEvent): void {
    if (event.shiftKey && this.anchor !== null) this.select(rectangle(this.employees, this.dates, this.anchor, cell))
    else {
      this.anchor = { row: cell.row, col: cell.col }
      if (this.selection.size > 0) this.selection = new Set()
    }
  }

  private select(keys: ReadonlySet<CellKey>): void {
    this.selection = keys
  }

  private onKey(cell: WeekCell, event: KeyboardEvent, rows: number): void {
    const input = event.target as HTMLInputElement
    const target = arrowTarget(event.key, cell, rows, { start: input.selectionStart, end: input.selectionEnd, length: input.value.length }, event.shiftKey)
    if (target === 'caret') return
    if (target !== undefined) {
      event.preventDefault()
      if (event.shiftKey) {
        this.anchor ??= { row: cell.row, col: cell.col }
        this.select(rectangle(this.employees, this.dates, this.anchor, target))
        this.inputAt(target.row, target.col)?.focus()
        return
      }
      if (!this.commit(cell.key, 'enter')) return
      this.anchor = target
      if (this.selection.size > 0) this.selection = new Set()
      this.inputAt(target.row, target.col)?.focus()
      return
    }
    switch (event.key) {
      case 'Enter':
        event.preventDefault()
        if (this.commit(cell.key, 'enter')) this.inputAt(Math.min(rows - 1, cell.row + 1), cell.col)?.focus()
        return
      case 'Escape':
        event.preventDefault()
        this.drafts.delete(cell.key)
        this.setError(cell.key, undefined)
        this.question = null
        this.selection = new Set()
        return
      case 'PageUp':
      case 'PageDown':
        event.preventDefault()
        if (this.commit(cell.key, 'enter')) this.showWeek(addDays(this.monday, event.key === 'PageUp' ? -7 : 7))
        return
    }
    // Alt+digit and Alt+Shift+digit leave the screen (app-shell): what was typed is saved first, or the refusal keeps the clerk here.
    if (event.altKey && (/^[1-9]$/.test(event.key) || /^Digit[1-9]$/.test(event.code)) && !this.commit(cell.key, 'enter')) {
      event.preventDefault()
      event.stopPropagation()
      return
    }
    const edits = event.key.length === 1 || event.key === 'Backspace' || event.key === 'Delete'
    if (edits && !event.ctrlKey && !event.metaKey && !event.altKey && !this.writable) {
      event.preventDefault()
      this.setError(cell.key, new BilingualError(bilingual('week.readOnlyCell', { region: this.regionName() })))
    }
  }

  private inputAt(row: number, col: number): HTMLInputElement | null {
    return this.renderRoot.querySelector<HTMLInputElement>(`input[data-row="${row}"][data-col="${col}"]`)
  }

  private focusCell(key: CellKey): void {
    void this.updateComplete.then(() => {
      const [employeeId, date] = key.split('|')
      const row = this.employees.findIndex((e) => e.id === employeeId)
      this.inputAt(row, this.dates.indexOf(date))?.focus()
    })
  }

  showWeek(monday: string): void {
    // Unsaved text belongs to the week it was typed in: a refused cell is not carried along unseen.
    this.drafts.clear()
    this.errors = new Map()
    this.question = null
    this.selection = new Set()
    this.anchor = null
    this.monday = monday
    this.goToError = ''
    this.leave.reset()
  }

  private goTo = (event: Event): void => {
    const input = event.target as HTMLInputElement
    const parsed = parseDate(input.value)
    if (!parsed.ok) {
      this.goToError = parsed.reason[this.language]
      return
    }
    if (parsed.value !== null) this.showWeek(mondayOf(parsed.value))
    input.value = ''
  }
}

customElements.define('rs-week-grid', WeekGridScreen)
