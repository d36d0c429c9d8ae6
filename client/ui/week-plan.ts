/**
 * The week grid as data: a week's dates, its cells (one employee on one day, holding that day's
 * timesheets), a rectangle of selected cells, and what "copy last week" and "apply a template to
 * the selection" would write. Pure, so the grid's writes are planned, counted and checked before
 * any of them is made.
 */
import type { Bilingual } from '../../schema/bilingual.ts'
import { shiftWarnings, type Warning } from '../../schema/plausibility.ts'
import type { PublicHoliday } from '../../schema/holidays.ts'
import { parseShiftText, shiftText, specialByDefault, type ShiftTemplate } from '../../schema/shiftEntry.ts'
import type { RecordInput } from '../../schema/tables.ts'
import { addDays } from './calendar.ts'

export interface WeekTimesheet {
  readonly id: string
  readonly employee_id: string
  readonly work_date: string
  readonly start_time: string
  readonly end_time: string
  readonly break_minutes: number
  readonly is_special: number
  readonly notes: string | null
}

export interface WeekEmployee {
  readonly id: string
  readonly full_name: string
  readonly start_date: string | null
  readonly end_date: string | null
}

export interface Shift {
  readonly start_time: string
  readonly end_time: string
  readonly break_minutes: number
}

/** The Monday of the ISO week holding `iso`. */
export function mondayOf(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number)
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay()
  return addDays(iso, -((weekday + 6) % 7))
}

/** Monday to Sunday. */
export function weekDates(monday: string): string[] {
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i))
}

export type CellKey = string

export function cellKey(employeeId: string, date: string): CellKey {
  return `${employeeId}|${date}`
}

/** The timesheets of each cell, in start order. */
export function cellsOf(rows: Iterable<WeekTimesheet>): Map<CellKey, WeekTimesheet[]> {
  const cells = new Map<CellKey, WeekTimesheet[]>()
  for (const row of rows) {
    const key = cellKey(row.employee_id, row.work_date)
    cells.set(key, [...(cells.get(key) ?? []), row])
  }
  for (const list of cells.values()) list.sort((a, b) => (a.start_time < b.start_time ? -1 : a.start_time > b.start_time ? 1 : 0))
  return cells
}

export function employedOn(employee: WeekEmployee, date: string): boolean {
  return (employee.start_date === null || employee.start_date <= date) && (employee.end_date === null || employee.end_date >= date)
}

export interface Position {
  readonly row: number
  readonly col: number
}

/** Every cell of the rectangle between two corners, as keys. */
export function rectangle(employees: readonly WeekEmployee[], dates: readonly string[], a: Position, b: Position): Set<CellKey> {
  const keys = new Set<CellKey>()
  for (let row = Math.min(a.row, b.row); row <= Math.max(a.row, b.row); row++) {
    for (let col = Math.min(a.col, b.col); col <= Math.max(a.col, b.col); col++) {
      const employee = employees[row]
      const date = dates[col]
      if (employee !== undefined && date !== undefined) keys.add(cellKey(employee.id, date))
    }
  }
  return keys
}

export interface NewTimesheet extends Shift {
  readonly employee_id: string
  readonly work_date: string
}

export interface CopyPlan {
  readonly inserts: readonly NewTimesheet[]
  /** Cells of this week that already hold a timesheet and so are left as they are. */
  readonly filled: number
  /** Days with something to copy that fall outside the employee's hire and leaving dates. */
  readonly outside: number
}

/**
 * "Geçen haftayı kopyala": every timesheet of the week before `monday` goes seven days on, into
 * the cells of this week that are empty, for the employees shown and the days they are employed.
 * Notes stay behind (they are about that day), and the special-day tick is the new date's own.
 */
export function copyLastWeek(rows: Iterable<WeekTimesheet>, monday: string, employees: readonly WeekEmployee[]): CopyPlan {
  const cells = cellsOf(rows)
  const inserts: NewTimesheet[] = []
  let filled = 0
  let outside = 0
  for (const employee of employees) {
    for (const date of weekDates(monday)) {
      const source = cells.get(cellKey(employee.id, addDays(date, -7))) ?? []
      if (source.length === 0) continue
      if ((cells.get(cellKey(employee.id, date)) ?? []).length > 0) {
        filled++
        continue
      }
      if (!employedOn(employee, date)) {
        outside++
        continue
      }
      for (const row of source) {
        inserts.push({ employee_id: employee.id, work_date: date, start_time: row.start_time, end_time: row.end_time, break_minutes: row.break_minutes })
      }
    }
  }
  return { inserts, filled, outside }
}

export interface BulkPlan {
  readonly inserts: readonly NewTimesheet[]
  /** Cells with one timesheet that the template replaces (only the fields that differ). */
  readonly updates: ReadonlyArray<{ readonly id: string; readonly patch: Partial<Shift> }>
  /** Cells already as the template has it. */
  readonly same: number
  /** Cells with two timesheets or more: edited one by one in the form, so left alone here. */
  readonly skipped: number
}

/** A shift template applied to the selected cells: empty ones get a timesheet, single ones take its times. */
export function applyToCells(selection: Iterable<CellKey>, cells: ReadonlyMap<CellKey, readonly WeekTimesheet[]>, shift: Shift): BulkPlan {
  const inserts: NewTimesheet[] = []
  const updates: Array<{ id: string; patch: Partial<Shift> }> = []
  let same = 0
  let skipped = 0
  for (const key of selection) {
    const there = cells.get(key) ?? []
    if (there.length > 1) {
      skipped++
      continue
    }
    if (there.length === 0) {
      const [employee_id, work_date] = key.split('|')
      inserts.push({ employee_id, work_date, ...shift })
      continue
    }
    const patch = shiftPatch(there[0], shift)
    if (patch === undefined) same++
    else updates.push({ id: there[0].id, patch })
  }
  return { inserts, updates, same, skipped }
}

/** The fields of `next` that differ from `row`; undefined when none do. */
export function shiftPatch(row: Shift, next: Shift): Partial<Shift> | undefined {
  const patch: Partial<Record<keyof Shift, string | number>> = {}
  for (const field of ['start_time', 'end_time', 'break_minutes'] as const) if (row[field] !== next[field]) patch[field] = next[field]
  return Object.keys(patch).length === 0 ? undefined : (patch as Partial<Shift>)
}

/** What a cell's typed text asks for, before anything is written. */
export type CellEdit =
  | { readonly kind: 'none' }
  | { readonly kind: 'refuse'; readonly reason: Bilingual }
  | { readonly kind: 'delete'; readonly row: WeekTimesheet }
  | { readonly kind: 'ask'; readonly warnings: readonly Warning[] }
  | { readonly kind: 'insert'; readonly record: RecordInput<'timesheets'> }
  | { readonly kind: 'update'; readonly id: string; readonly patch: Partial<Shift> }

/**
 * The cell of `employeeId` on `date` holding `stored`, after `typed` was entered: nothing to do
 * (unchanged, or a day with two timesheets, which the grid does not edit), a refusal, a delete to
 * confirm, warnings to confirm (unless `confirmed`), or the insert or update to make. A new
 * timesheet on a whole-day holiday is a special day.
 */
export function cellEdit(
  typed: string,
  stored: readonly WeekTimesheet[],
  at: { readonly employeeId: string; readonly date: string; readonly today: string; readonly holidays?: readonly PublicHoliday[] },
  templates: readonly ShiftTemplate[],
  confirmed = false,
): CellEdit {
  if (stored.length > 1 || typed.trim() === stored.map(shiftText).join(', ')) return { kind: 'none' }
  const parsed = parseShiftText(typed, templates)
  if (!parsed.ok) return { kind: 'refuse', reason: parsed.reason }
  if (parsed.value === null) return stored.length === 0 ? { kind: 'none' } : { kind: 'delete', row: stored[0] }
  const shift = { start_time: parsed.value.start_time, end_time: parsed.value.end_time, break_minutes: parsed.value.break_minutes }
  const patch = stored.length === 1 ? shiftPatch(stored[0], shift) : undefined
  if (stored.length === 1 && patch === undefined) return { kind: 'none' }
  const warnings = confirmed ? [] : shiftWarnings({ work_date: at.date, ...shift }, at.today)
  if (warnings.length > 0) return { kind: 'ask', warnings }
  if (stored.length === 1) return { kind: 'update', id: stored[0].id, patch: patch ?? {} }
  return { kind: 'insert', record: { employee_id: at.employeeId, work_date: at.date, ...shift, is_special: specialByDefault(at.date, at.holidays) ? 1 : 0, notes: null } }
}

/**
 * Where an arrow key moves from `at` in a grid of `rows` rows and seven days: the neighbouring
 * cell (kept inside the grid), 'caret' when the key moves the caret inside the cell's text
 * instead (Left/Right with the caret not at that end and nothing selected; never with Shift), or
 * undefined for any other key.
 */
export function arrowTarget(
  key: string,
  at: Position,
  rows: number,
  caret: { readonly start: number | null; readonly end: number | null; readonly length: number },
  shift: boolean,
): Position | 'caret' | undefined {
  const step: Record<string, readonly [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }
  const move = step[key]
  if (move === undefined) return undefined
  const inText = key === 'ArrowLeft' ? caret.start !== 0 : key === 'ArrowRight' ? caret.end !== caret.length : false
  if (!shift && caret.start === caret.end && inText) return 'caret'
  return { row: Math.max(0, Math.min(rows - 1, at.row + move[0])), col: Math.max(0, Math.min(6, at.col + move[1])) }
}
