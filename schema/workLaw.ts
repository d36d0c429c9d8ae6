/**
 * The working-time rule set of İş Kanunu 4857, beside the legacy daily rule of schema/hours.ts
 * (which stays the default and keeps its figures). Per employee and month, from timesheet rows:
 *
 * - Weekly hours (Art. 63): up to 45 hours a week, Monday to Sunday. A week's overtime belongs to
 *   the month its Sunday falls in, so a month's report reads the last days of the month before;
 *   what is counted per shift (worked, night, holiday work) belongs to the shift's own date.
 * - Fazla çalışma (Art. 41, +50%): hours over 45 in the week. With a shorter contract week, the
 *   hours between it and 45 are fazla sürelerle çalışma (+25%).
 * - Optional rounding (Fazla Çalışma Yönetmeliği Art. 5): a week's remainder under half an hour
 *   counts as half an hour, over it as a full hour.
 * - Work on a public holiday (Art. 47) is counted apart, and not in the weekly hours, since it is
 *   paid apart; on a half holiday only the hours from 13:00 count as holiday work.
 * - Night work is 20:00–06:00 (Art. 69).
 *
 * Warnings, not refusals: the 270-hour yearly overtime cap, night work over 7.5 hours in a shift,
 * a week without 24 hours of uninterrupted rest (Art. 46), work on a public holiday.
 * Pure and in whole minutes; hours are rounded to 2 decimals only at the end.
 */
import type { Bilingual } from './bilingual.ts'
import { HALF_DAY_FROM_MINUTES, type PublicHoliday } from './holidays.ts'
import { parseWorkDate, round2, type ShiftInput } from './hours.ts'

export type RuleSetName = 'legacy' | 'law'
export const RULE_SETS: readonly RuleSetName[] = ['legacy', 'law']

export interface LawSettings {
  /** Hours of the contract week; 45 unless the contract is shorter. */
  readonly contractWeeklyHours: number
  /** Round each week's overtime remainder up to half or a full hour. */
  readonly roundOvertime: boolean
}

export const DEFAULT_LAW_SETTINGS: LawSettings = Object.freeze({ contractWeeklyHours: 45, roundOvertime: false })

/** Settings key/values of a region → the rule set it chose and its law settings; bad values → defaults. */
export function lawSettingsFrom(settings: Readonly<Record<string, string | null | undefined>>): { rules: RuleSetName; law: LawSettings } {
  const weekly = Number(String(settings.contract_weekly_hours ?? '').replace(',', '.'))
  return {
    rules: settings.work_rules === 'law' ? 'law' : 'legacy',
    law: {
      contractWeeklyHours: Number.isFinite(weekly) && weekly > 0 && weekly <= 45 ? weekly : 45,
      roundOvertime: settings.overtime_rounding === '1',
    },
  }
}

export type LawWarningCode = 'overtime_cap' | 'long_night' | 'no_weekly_rest' | 'holiday_work'

export interface LawWarning {
  readonly code: LawWarningCode
  /** The shift's date, or the week's Monday. */
  readonly date: string
  readonly text: Bilingual
}

export interface LawWeek {
  /** Monday, YYYY-MM-DD. */
  readonly weekStart: string
  readonly worked: number
  readonly overtime: number
  readonly extraTime: number
}

export interface LawTotals {
  /** Every hour worked, holiday work included. */
  readonly worked: number
  /** Worked outside holidays and not overtime or extra time. */
  readonly normal: number
  /** Fazla çalışma (+50%), over 45 hours a week. */
  readonly overtime: number
  /** Fazla sürelerle çalışma (+25%), between the contract week and 45 hours. */
  readonly extraTime: number
  readonly night: number
  readonly holidayWork: number
  /** Overtime of the calendar year up to this month's end, from the rows given. */
  readonly overtimeYear: number
  readonly weeks: readonly LawWeek[]
  readonly warnings: readonly LawWarning[]
}

export interface LawShift extends ShiftInput {
  readonly employee_id: string
}

const DAY = 24 * 60
const WEEK = 7 * DAY
const YEAR_CAP_MINUTES = 270 * 60
const NIGHT_LIMIT_MINUTES = 7.5 * 60

interface Shift {
  readonly date: string
  /** Minutes since 1970-01-01 of start and end (end after start). */
  readonly start: number
  readonly end: number
  readonly worked: number
}

const dayNumber = (iso: string): number => Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / 86_400_000
const isoOfDay = (day: number): string => new Date(day * 86_400_000).toISOString().slice(0, 10)
const mondayOf = (day: number): number => day - ((new Date(day * 86_400_000).getUTCDay() + 6) % 7)

function minutesOf(time: unknown): number | null {
  const m = typeof time === 'string' ? /^(\d{1,2}):(\d{2})$/.exec(time.trim()) : null
  if (m === null || Number(m[1]) > 23 || Number(m[2]) > 59) return null
  return Number(m[1]) * 60 + Number(m[2])
}

/** A row on the absolute timeline; null when it cannot be read (validation is the caller's job). */
function shiftOf(row: ShiftInput): Shift | null {
  const date = parseWorkDate(row.work_date)
  const from = minutesOf(row.start_time)
  const to = minutesOf(row.end_time)
  if (date === null || from === null || to === null || from === to) return null
  const start = dayNumber(date) * DAY + from
  const end = start + (to > from ? to - from : to + DAY - from)
  const brk = Number.isFinite(row.break_minutes) ? Math.max(0, row.break_minutes) : 0
  return { date, start, end, worked: Math.max(0, end - start - brk) }
}

const overlap = (a: number, b: number, c: number, d: number): number => Math.max(0, Math.min(b, d) - Math.max(a, c))

/** Gross minutes of [start, end) at night, 20:00–06:00. */
function nightGross(start: number, end: number): number {
  let total = 0
  for (let day = Math.floor(start / DAY) - 1; day * DAY < end; day++) total += overlap(start, end, day * DAY + 20 * 60, day * DAY + 30 * 60)
  return total
}

/** Gross minutes of [start, end) on public holidays; a half holiday from 13:00. */
function holidayGross(start: number, end: number, holidays: ReadonlyMap<string, PublicHoliday>): number {
  let total = 0
  for (let day = Math.floor(start / DAY); day * DAY < end; day++) {
    const holiday = holidays.get(isoOfDay(day))
    if (holiday === undefined) continue
    total += overlap(start, end, day * DAY + (holiday.halfDay ? HALF_DAY_FROM_MINUTES : 0), (day + 1) * DAY)
  }
  return total
}

/** Worked minutes in a part of a shift: the break is spread over the shift evenly. */
const share = (shift: Shift, gross: number): number => (shift.end === shift.start ? 0 : Math.round((gross * shift.worked) / (shift.end - shift.start)))

/** Under half an hour → half an hour, over → a full hour. */
function roundUp(minutes: number): number {
  const rest = minutes % 60
  return rest === 0 ? minutes : minutes - rest + (rest <= 30 ? 30 : 60)
}

const hours = (minutes: number): number => round2(minutes / 60)
const clock = (minutes: number): string => `${Math.floor(minutes / 60)} sa ${minutes % 60} dk`
const clockEn = (minutes: number): string => `${Math.floor(minutes / 60)} h ${minutes % 60} min`

/**
 * The law's figures for `month` (YYYY-MM) per employee. `rows` should hold the employee's rows
 * from the first Monday before the month (for its first week) and, for the yearly cap, from the
 * start of the year; rows outside are ignored, unreadable rows skipped.
 */
export function lawMonthlyHours(
  rows: Iterable<LawShift>,
  month: string,
  settings: LawSettings,
  holidays: ReadonlyMap<string, PublicHoliday>,
): Map<string, LawTotals> {
  const first = dayNumber(`${month}-01`)
  const last = dayNumber(`${month}-01`) + new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate() - 1
  const yearStart = mondayOf(dayNumber(`${month.slice(0, 4)}-01-01`))
  const byEmployee = new Map<string, Shift[]>()
  for (const row of rows) {
    const shift = shiftOf(row)
    if (shift === null) continue
    const day = dayNumber(shift.date)
    if (day < yearStart || day > last) continue
    const list = byEmployee.get(row.employee_id) ?? []
    list.push(shift)
    byEmployee.set(row.employee_id, list)
  }
  const out = new Map<string, LawTotals>()
  for (const [employee, shifts] of byEmployee) out.set(employee, employeeMonth(shifts, first, last, settings, holidays))
  return out
}

function employeeMonth(all: Shift[], first: number, last: number, settings: LawSettings, holidays: ReadonlyMap<string, PublicHoliday>): LawTotals {
  all.sort((a, b) => a.start - b.start)
  const contract = Math.round(settings.contractWeeklyHours * 60)
  const weeks = new Map<number, Shift[]>()
  for (const shift of all) {
    const monday = mondayOf(dayNumber(shift.date))
    const list = weeks.get(monday) ?? []
    list.push(shift)
    weeks.set(monday, list)
  }
  const yearOf = (day: number): string => isoOfDay(day).slice(0, 4)
  const thisYear = yearOf(last)
  let overtimeYear = 0
  let capWarned = false
  const totals = { worked: 0, normal: 0, overtime: 0, extraTime: 0, night: 0, holidayWork: 0 }
  const monthWeeks: LawWeek[] = []
  const warnings: LawWarning[] = []
  for (const [monday, shifts] of [...weeks].sort((a, b) => a[0] - b[0])) {
    const sunday = monday + 6
    let worked = 0
    let holidayWork = 0
    for (const shift of shifts) {
      worked += shift.worked
      holidayWork += share(shift, holidayGross(shift.start, shift.end, holidays))
    }
    const weekly = worked - holidayWork
    let overtime = Math.max(0, weekly - 45 * 60)
    let extraTime = Math.max(0, Math.min(weekly, 45 * 60) - contract)
    if (settings.roundOvertime) {
      overtime = roundUp(overtime)
      extraTime = roundUp(extraTime)
    }
    if (yearOf(sunday) === thisYear) overtimeYear += overtime
    for (const shift of shifts) {
      const day = dayNumber(shift.date)
      if (day >= first && day <= last) dayFigures(shift, holidays, totals, warnings)
    }
    if (sunday < first || sunday > last) continue
    totals.overtime += overtime
    totals.extraTime += extraTime
    monthWeeks.push({ weekStart: isoOfDay(monday), worked: hours(worked), overtime: hours(overtime), extraTime: hours(extraTime) })
    if (!capWarned && overtimeYear > YEAR_CAP_MINUTES) {
      capWarned = true
      warnings.push({
        code: 'overtime_cap',
        date: isoOfDay(monday),
        text: {
          tr: `Yıllık fazla çalışma 270 saati aşıyor (${hours(overtimeYear)} sa)`,
          en: `Yearly overtime is over 270 hours (${hours(overtimeYear)} h)`,
        },
      })
    }
    if (longestRest(all, monday) < DAY) {
      warnings.push({
        code: 'no_weekly_rest',
        date: isoOfDay(monday),
        text: { tr: `${isoOfDay(monday)} haftasında 24 saat kesintisiz dinlenme yok`, en: `No 24 hours of uninterrupted rest in the week of ${isoOfDay(monday)}` },
      })
    }
  }
  totals.normal = Math.max(0, totals.worked - totals.holidayWork - totals.overtime - totals.extraTime)
  warnings.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
  return {
    worked: hours(totals.worked),
    normal: hours(totals.normal),
    overtime: hours(totals.overtime),
    extraTime: hours(totals.extraTime),
    night: hours(totals.night),
    holidayWork: hours(totals.holidayWork),
    overtimeYear: hours(overtimeYear),
    weeks: monthWeeks,
    warnings,
  }
}

/** What one shift adds to its month: worked, night and holiday minutes, and its warnings. */
function dayFigures(
  shift: Shift,
  holidays: ReadonlyMap<string, PublicHoliday>,
  totals: { worked: number; night: number; holidayWork: number },
  warnings: LawWarning[],
): void {
  totals.worked += shift.worked
  const night = share(shift, nightGross(shift.start, shift.end))
  totals.night += night
  if (night > NIGHT_LIMIT_MINUTES) {
    warnings.push({
      code: 'long_night',
      date: shift.date,
      text: { tr: `Gece çalışması 7,5 saati aşıyor: ${clock(night)}`, en: `Night work over 7.5 hours: ${clockEn(night)}` },
    })
  }
  const onHoliday = holidayGross(shift.start, shift.end, holidays)
  if (onHoliday === 0) return
  totals.holidayWork += share(shift, onHoliday)
  const names: PublicHoliday[] = []
  for (const date of [shift.date, isoOfDay(dayNumber(shift.date) + 1)]) {
    const holiday = holidays.get(date)
    if (holiday !== undefined && overlap(shift.start, shift.end, dayNumber(date) * DAY, (dayNumber(date) + 1) * DAY) > 0) names.push(holiday)
  }
  warnings.push({
    code: 'holiday_work',
    date: shift.date,
    text: {
      tr: `Resmî tatilde çalışma: ${names.map((h) => h.name.tr).join(', ')}`,
      en: `Work on a public holiday: ${names.map((h) => h.name.en).join(', ')}`,
    },
  })
}

/** The longest stretch without work inside the week starting `monday`, shifts of the days around included. */
function longestRest(shifts: readonly Shift[], monday: number): number {
  const from = monday * DAY
  const to = from + WEEK
  let longest = 0
  let freeSince = from
  for (const shift of shifts) {
    if (shift.end <= from || shift.start >= to) continue
    longest = Math.max(longest, shift.start - freeSince)
    freeSince = Math.max(freeSince, shift.end)
  }
  return Math.max(longest, to - freeSince)
}
