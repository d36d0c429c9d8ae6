/**
 * The monthly puantaj sheet of one region (schema/puantajSheet.ts) read from the SQLite mirror:
 * the region's employees, the month's timesheets (from the year's first Monday under the law
 * rules, for the weekly hours and the yearly cap), the leaves touching the month, the region's
 * settings (which rule set, contract week, rest days) and the public holidays. The app's sheet
 * screen, its print view and `rainstaff report --format sheet` all build it here.
 */
import type { Mirror } from '../crdt/mirror.ts'
import { officialHolidays, type PublicHoliday } from '../schema/holidays.ts'
import { hourSettingsFrom } from '../schema/hours.ts'
import { isLeaveType, workCalendar } from '../schema/leave.ts'
import { buildSheet, type PuantajSheet, type SheetLeave } from '../schema/puantajSheet.ts'
import { lawSettingsFrom, type RuleSetName } from '../schema/workLaw.ts'
import { monthRange, regionSettings } from './report.ts'

export interface SheetOptions {
  readonly region: string
  readonly month: string
  /** The rule set; the region's setting (`work_rules`) when absent. */
  readonly rules?: RuleSetName
  /**
   * The holidays to count with, e.g. the relay's list with the head office's confirmations; the
   * official ones computed for the year (and the one before, for the first week) when absent.
   */
  readonly holidays?: readonly PublicHoliday[]
}

export interface RegionSheet extends PuantajSheet {
  readonly region: string
  readonly companyName: string
}

/** Weekdays of weekly rest from the `weekly_rest_days` setting ("0" Sunday, "0,6" Saturday too); Sunday when unreadable. */
export function restDaysFrom(value: string | null | undefined): number[] {
  const days = (value ?? '').split(',').map((d) => d.trim()).filter((d) => /^[0-6]$/.test(d)).map(Number)
  return days.length > 0 ? [...new Set(days)] : [0]
}

const text = (value: unknown): string => (value === null || value === undefined ? '' : String(value))
const optional = (value: unknown): string | null => (value === null || value === undefined || value === '' ? null : String(value))

export function buildRegionSheet(mirror: Mirror, options: SheetOptions): RegionSheet {
  const { start, end } = monthRange(options.month)
  const year = Number(options.month.slice(0, 4))
  const settings = regionSettings(mirror, options.region)
  const { rules: chosen, law } = lawSettingsFrom(settings)
  const rules = options.rules ?? chosen
  const holidays = options.holidays ?? [...officialHolidays(year - 1), ...officialHolidays(year)]
  const calendar = workCalendar(holidays, restDaysFrom(settings.weekly_rest_days))
  // The law's first week of the year can begin in late December.
  const from = rules === 'law' ? `${year - 1}-12-25` : start
  const timesheets = mirror
    .query(
      `SELECT employee_id, work_date, start_time, end_time, break_minutes, is_special FROM timesheets
        WHERE region = ? AND work_date BETWEEN ? AND ?`,
      [options.region, from, end],
    )
    .map((r) => ({
      employee_id: text(r.employee_id),
      work_date: text(r.work_date),
      start_time: text(r.start_time),
      end_time: text(r.end_time),
      break_minutes: Number(r.break_minutes),
      is_special: Number(r.is_special),
    }))
  const leaves: SheetLeave[] = []
  for (const r of mirror.query(
    `SELECT employee_id, leave_type, first_day, last_day, half_day FROM leaves WHERE region = ? AND first_day <= ? AND last_day >= ?`,
    [options.region, end, start],
  )) {
    if (!isLeaveType(r.leave_type)) continue
    leaves.push({ employee_id: text(r.employee_id), leave_type: r.leave_type, first_day: text(r.first_day), last_day: text(r.last_day), half_day: Number(r.half_day) === 1 })
  }
  const active = new Set([...timesheets.filter((t) => t.work_date >= start).map((t) => t.employee_id), ...leaves.map((l) => l.employee_id)])
  const employees = mirror
    .query('SELECT id, full_name, start_date, end_date FROM employees WHERE region = ?', [options.region])
    .map((r) => ({ id: text(r.id), full_name: text(r.full_name), start_date: optional(r.start_date), end_date: optional(r.end_date) }))
    // Everyone employed during the month, and anyone with a row in it whatever the dates say.
    .filter((e) => active.has(e.id) || ((e.start_date === null || e.start_date <= end) && (e.end_date === null || e.end_date >= start)))
  const sheet = buildSheet({
    month: options.month,
    employees,
    timesheets,
    leaves,
    calendar,
    rules,
    hourSettings: hourSettingsFrom(settings),
    lawSettings: law,
  })
  return { ...sheet, region: options.region, companyName: settings.company_name ?? '' }
}
