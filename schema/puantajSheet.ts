/**
 * The monthly puantaj sheet as data: employees × days of a month with one day code each (M
 * worked, O weekly rest, B public holiday, Y Z R A İ leave; blank when nothing is known, "–"
 * outside the employee's employment), and per employee the month's totals. Pure: the rows come
 * from the caller (client/sheet.ts reads them from the mirror).
 *
 * Which code a day gets: a timesheet makes it M (work on a holiday or a rest day too, counted as
 * such); otherwise a leave covering it gives its code — except annual leave, whose rest days and
 * holidays show O and B, as Art. 56 does not count them as leave days; otherwise a holiday is B
 * and a rest day O. Report-type absences (R, A) and unpaid leave run through rest days and
 * holidays, as the social-security days they are.
 */
import type { PublicHoliday } from './holidays.ts'
import { monthlyHours, type HourSettings } from './hours.ts'
import { countedLeaveDays, datesBetween, LEAVE_TYPES, weekdayOfDate, type DayCode, type LeaveType, type WorkCalendar } from './leave.ts'
import { lawMonthlyHours, type LawSettings, type LawWarning, type RuleSetName } from './workLaw.ts'

export interface SheetEmployee {
  readonly id: string
  readonly full_name: string
  readonly start_date?: string | null
  readonly end_date?: string | null
}

export interface SheetTimesheet {
  readonly employee_id: string
  readonly work_date: string
  readonly start_time: string
  readonly end_time: string
  readonly break_minutes: number
  readonly is_special: number | boolean
}

export interface SheetLeave {
  readonly employee_id: string
  readonly leave_type: LeaveType
  readonly first_day: string
  readonly last_day: string
  readonly half_day: boolean
}

/** A day's code, or '' (nothing known: no timesheet, no leave) or '–' (not employed that day). */
export type SheetCell = DayCode | '' | '–'

export interface SheetTotals {
  readonly worked: number
  readonly overtime: number
  /** Law rules only: fazla sürelerle çalışma (+25%); 0 under the legacy rule. */
  readonly extraTime: number
  readonly night: number
  /** Hours worked on public holidays (law), or on special days (legacy: "Özel gün"). */
  readonly holidayWork: number
  readonly daysWorked: number
  readonly restDays: number
  readonly holidays: number
  /** Leave days by type, as counted (annual leave per Art. 56, half days as 0.5). */
  readonly leave: Readonly<Record<LeaveType, number>>
}

export interface SheetLine {
  readonly employee: SheetEmployee
  /** One cell per day of the month. */
  readonly days: readonly SheetCell[]
  readonly totals: SheetTotals
  readonly warnings: readonly LawWarning[]
}

export interface PuantajSheet {
  readonly month: string
  readonly rules: RuleSetName
  /** The month's dates, YYYY-MM-DD. */
  readonly dates: readonly string[]
  /** The holiday on each date, if any (for the header). */
  readonly holidays: ReadonlyArray<PublicHoliday | null>
  readonly lines: readonly SheetLine[]
}

export interface SheetInput {
  readonly month: string
  readonly employees: readonly SheetEmployee[]
  /** The month's timesheets; for the law rules also the days before it back to the year's first Monday. */
  readonly timesheets: readonly SheetTimesheet[]
  readonly leaves: readonly SheetLeave[]
  readonly calendar: WorkCalendar
  readonly rules: RuleSetName
  readonly hourSettings: HourSettings
  readonly lawSettings: LawSettings
}

const collator = new Intl.Collator('tr')

export function buildSheet(input: SheetInput): PuantajSheet {
  const { month, calendar } = input
  const last = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate()
  const dates = datesBetween(`${month}-01`, `${month}-${String(last).padStart(2, '0')}`)
  const first = dates[0]!
  const final = dates[dates.length - 1]!
  const worked = new Map<string, Set<string>>()
  for (const row of input.timesheets) {
    if (row.work_date < first || row.work_date > final) continue
    const set = worked.get(row.employee_id) ?? new Set()
    set.add(row.work_date)
    worked.set(row.employee_id, set)
  }
  const leavesOf = new Map<string, SheetLeave[]>()
  for (const leave of input.leaves) {
    if (leave.last_day < first || leave.first_day > final) continue
    leavesOf.set(leave.employee_id, [...(leavesOf.get(leave.employee_id) ?? []), leave])
  }
  const law = input.rules === 'law' ? lawMonthlyHours(input.timesheets, month, input.lawSettings, calendar.holidays) : undefined
  const legacy = input.rules === 'legacy' ? monthlyHours(input.timesheets, input.hourSettings, month) : undefined
  const employees = [...input.employees].sort((a, b) => collator.compare(a.full_name, b.full_name))
  const lines: SheetLine[] = []
  for (const employee of employees) {
    const days = dates.map((date) => cellOf(date, employee, worked.get(employee.id), leavesOf.get(employee.id) ?? [], calendar))
    const leave = Object.fromEntries(LEAVE_TYPES.map((t) => [t, 0])) as Record<LeaveType, number>
    for (const l of leavesOf.get(employee.id) ?? []) {
      const from = l.first_day < first ? first : l.first_day
      const to = l.last_day > final ? final : l.last_day
      leave[l.leave_type] += l.leave_type === 'Y' ? countedLeaveDays(from, to, l.half_day, calendar) : l.half_day ? 0.5 : datesBetween(from, to).length
    }
    const lawTotals = law?.get(employee.id)
    const legacyTotals = legacy?.get(employee.id)
    lines.push({
      employee,
      days,
      totals: {
        worked: lawTotals?.worked ?? legacyTotals?.worked ?? 0,
        overtime: lawTotals?.overtime ?? legacyTotals?.overtime ?? 0,
        extraTime: lawTotals?.extraTime ?? 0,
        night: lawTotals?.night ?? legacyTotals?.night ?? 0,
        holidayWork: lawTotals?.holidayWork ?? (legacyTotals === undefined ? 0 : legacyTotals.special_normal + legacyTotals.special_overtime),
        daysWorked: days.filter((d) => d === 'M').length,
        restDays: days.filter((d) => d === 'O').length,
        holidays: days.filter((d) => d === 'B').length,
        leave,
      },
      warnings: lawTotals?.warnings ?? [],
    })
  }
  return { month, rules: input.rules, dates, holidays: dates.map((d) => calendar.holidays.get(d) ?? null), lines }
}

function cellOf(date: string, employee: SheetEmployee, worked: ReadonlySet<string> | undefined, leaves: readonly SheetLeave[], calendar: WorkCalendar): SheetCell {
  if (worked?.has(date)) return 'M'
  if ((employee.start_date != null && date < employee.start_date) || (employee.end_date != null && date > employee.end_date)) return '–'
  const holiday = calendar.holidays.get(date)
  const rest = calendar.restDays.has(weekdayOfDate(date))
  const leave = leaves.find((l) => l.first_day <= date && date <= l.last_day)
  if (leave !== undefined && !(leave.leave_type === 'Y' && (rest || (holiday !== undefined && !holiday.halfDay)))) return leave.leave_type
  if (holiday !== undefined && !holiday.halfDay) return 'B'
  if (rest) return 'O'
  return ''
}
