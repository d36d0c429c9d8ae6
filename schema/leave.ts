/**
 * Leave and absence as the monthly puantaj sheet codes them, and annual paid leave under İş
 * Kanunu 4857: the entitlement of Art. 53 by years of service and age, and the counting of Art.
 * 56 (public holidays and weekly rest inside a leave are not leave days). Pure: dates are ISO
 * strings, every calendar step is UTC, the holidays and rest days are given by the caller.
 */
import type { Bilingual } from './bilingual.ts'
import type { PublicHoliday } from './holidays.ts'
import { LEAVE_TYPES } from './tables.ts'

/** Day codes of the monthly sheet: M worked, O weekly rest, B public holiday, and the leave types. */
export const DAY_CODES = ['M', 'O', 'Y', 'B', 'Z', 'R', 'A', 'İ'] as const
export type DayCode = (typeof DAY_CODES)[number]

export { LEAVE_TYPES }
/** Codes a leave record can carry. */
export type LeaveType = (typeof LEAVE_TYPES)[number]

export const DAY_CODE_LABELS: Readonly<Record<DayCode, Bilingual>> = {
  M: { tr: 'Çalıştı', en: 'Worked' },
  O: { tr: 'Hafta tatili', en: 'Weekly rest' },
  Y: { tr: 'Yıllık izin', en: 'Annual leave' },
  B: { tr: 'Resmî tatil', en: 'Public holiday' },
  Z: { tr: 'Ücretsiz izin', en: 'Unpaid leave' },
  R: { tr: 'İstirahat raporu', en: 'Sick report' },
  A: { tr: 'İş kazası raporu', en: 'Work-accident report' },
  İ: { tr: 'Mazeret izni', en: 'Excused leave' },
}

export function isLeaveType(value: unknown): value is LeaveType {
  return typeof value === 'string' && (LEAVE_TYPES as readonly string[]).includes(value)
}

const DAY_MS = 86_400_000
const msOf = (iso: string): number => Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)))
const isoOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10)

/** Every date from `first` to `last`, both included; none when last is before first. */
export function datesBetween(first: string, last: string): string[] {
  const out: string[] = []
  for (let ms = msOf(first); ms <= msOf(last); ms += DAY_MS) out.push(isoOf(ms))
  return out
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOfDate(iso: string): number {
  return new Date(msOf(iso)).getUTCDay()
}

/** What a calendar day is for counting: a rest day, a holiday (whole or from 13:00), or a working day. */
export interface WorkCalendar {
  /** Weekdays of weekly rest (0 = Sunday); Sunday alone by default. */
  readonly restDays: ReadonlySet<number>
  readonly holidays: ReadonlyMap<string, PublicHoliday>
}

export function workCalendar(holidays: Iterable<PublicHoliday>, restDays: Iterable<number> = [0]): WorkCalendar {
  return { restDays: new Set(restDays), holidays: new Map([...holidays].map((h) => [h.date, h])) }
}

/**
 * How many leave days a leave from `first` to `last` counts (Art. 56): rest days and public
 * holidays are not leave days; a half holiday (from 13:00) counts half a day. A half-day leave is
 * half a day on a working day.
 */
export function countedLeaveDays(first: string, last: string, halfDay: boolean, calendar: WorkCalendar): number {
  let days = 0
  for (const date of datesBetween(first, last)) {
    if (calendar.restDays.has(weekdayOfDate(date))) continue
    const holiday = calendar.holidays.get(date)
    days += holiday === undefined ? 1 : holiday.halfDay ? 0.5 : 0
  }
  return halfDay ? Math.min(days, 0.5) : days
}

/** Whole years from `from` to `to` (anniversaries passed); 29 February counts from 28 February. */
export function fullYearsBetween(from: string, to: string): number {
  const [fy, fm, fd] = [Number(from.slice(0, 4)), Number(from.slice(5, 7)), Number(from.slice(8, 10))]
  const [ty, tm, td] = [Number(to.slice(0, 4)), Number(to.slice(5, 7)), Number(to.slice(8, 10))]
  const anniversaryDay = fm === 2 && fd === 29 && !isLeap(ty) ? 28 : fd
  let years = ty - fy
  if (tm < fm || (tm === fm && td < anniversaryDay)) years--
  return Math.max(0, years)
}

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0

/**
 * Days of annual paid leave earned by completing service year `serviceYear` (Art. 53): 14 for
 * the first to the fifth year, 20 beyond five and under fifteen, 26 from fifteen; at least 20 for
 * an employee 18 or younger, or 50 or older, that year. Under a year of service: none.
 */
export function annualEntitlement(serviceYear: number, age: number | null): number {
  if (serviceYear < 1) return 0
  const byService = serviceYear <= 5 ? 14 : serviceYear < 15 ? 20 : 26
  return age !== null && (age <= 18 || age >= 50) ? Math.max(20, byService) : byService
}

export interface LeaveBalanceInput {
  /** İşe giriş, YYYY-MM-DD. */
  readonly startDate: string
  /** İşten çıkış, when the employee has left: service ends there. */
  readonly endDate?: string | null
  readonly birthDate?: string | null
  /** Annual leaves taken (type Y), any order. */
  readonly annualLeaves: ReadonlyArray<{ readonly first_day: string; readonly last_day: string; readonly half_day: boolean }>
}

export interface LeaveBalance {
  /** Completed years of service on the date asked. */
  readonly serviceYears: number
  /** Days earned over every completed service year. */
  readonly entitled: number
  readonly used: number
  /** Entitled minus used; negative for leave given in advance. */
  readonly left: number
  /** The date the next service year completes (and earns leave again), or null once service ended. */
  readonly nextAccrual: string | null
}

/** An employee's annual leave on date `on`: earned, used (counted per Art. 56) and left. */
export function annualLeaveBalance(input: LeaveBalanceInput, on: string, calendar: WorkCalendar): LeaveBalance {
  const end = input.endDate != null && input.endDate < on ? input.endDate : on
  const serviceYears = end < input.startDate ? 0 : fullYearsBetween(input.startDate, end)
  let entitled = 0
  for (let year = 1; year <= serviceYears; year++) {
    const anniversary = addYears(input.startDate, year)
    const age = input.birthDate ? fullYearsBetween(input.birthDate, anniversary) : null
    entitled += annualEntitlement(year, age)
  }
  let used = 0
  for (const leave of input.annualLeaves) used += countedLeaveDays(leave.first_day, leave.last_day, leave.half_day, calendar)
  const left = entitled - used
  const next = addYears(input.startDate, serviceYears + 1)
  return { serviceYears, entitled, used, left, nextAccrual: input.endDate != null && input.endDate < next ? null : next }
}

/** The same calendar day `years` later (29 February → 28 February in a common year). */
function addYears(iso: string, years: number): string {
  const y = Number(iso.slice(0, 4)) + years
  const md = iso.slice(5)
  return md === '02-29' && !isLeap(y) ? `${y}-02-28` : `${y}-${md}`
}
