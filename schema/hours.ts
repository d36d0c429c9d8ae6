/**
 * Hour rules ("puantaj") of the legacy Rainstaff program, per timesheet row and per month.
 * See docs/legacy-format.md, "Hour rules". Pure functions: no I/O, no clock, no time zone.
 *
 * All arithmetic is done in whole minutes and converted to hours only when rounding, so the
 * figures are exact before the single per-row rounding the legacy reports did.
 */
import { BilingualError, type Bilingual } from './bilingual.ts'

export interface HourSettings {
  /** Scheduled hours Monday to Friday. */
  weekdayHours: number
  /** `HH:MM`; Saturday's scheduled hours are saturdayEnd − saturdayStart. */
  saturdayStart: string
  saturdayEnd: string
}

export const DEFAULT_HOUR_SETTINGS: Readonly<HourSettings> = Object.freeze({
  weekdayHours: 9,
  saturdayStart: '09:00',
  saturdayEnd: '14:00',
})

export interface ShiftInput {
  work_date: string
  start_time: string
  end_time: string
  break_minutes: number
  /** 0/1 in the legacy files ("Özel Gün"). */
  is_special: boolean | number
}

export interface RowHours {
  worked: number
  scheduled: number
  overtime: number
  night: number
  overnight: number
  special_normal: number
  special_overtime: number
  special_night: number
}

export type ShiftErrorCode = 'invalid_time' | 'invalid_date' | 'same_start_end' | 'negative_break' | 'break_too_long'
export type ShiftField = 'work_date' | 'start_time' | 'end_time' | 'break_minutes'

/** A row the rules cannot compute (or, for new entries, must not accept). Message is "Türkçe / English"; `text` keeps both. */
export class ShiftError extends BilingualError {
  readonly code: ShiftErrorCode
  override readonly field: ShiftField
  readonly value: unknown

  constructor(code: ShiftErrorCode, field: ShiftField, value: unknown) {
    super(shiftErrorText(code, value), { field })
    this.name = 'ShiftError'
    this.code = code
    this.field = field
    this.value = value
  }
}

function shiftErrorText(code: ShiftErrorCode, value: unknown): Bilingual {
  const shown = value === '' || value == null ? '""' : typeof value === 'number' && Number.isNaN(value) ? '(sayı değil / not a number)' : String(value)
  switch (code) {
    case 'invalid_time':
      return { tr: `Geçersiz saat: ${shown} (SS:DD olmalı)`, en: `Invalid time: ${shown} (must be HH:MM)` }
    case 'invalid_date':
      return { tr: `Geçersiz tarih: ${shown} (GG.AA.YYYY veya YYYY-AA-GG olmalı)`, en: `Invalid date: ${shown} (must be DD.MM.YYYY or YYYY-MM-DD)` }
    case 'same_start_end':
      return { tr: `Giriş ve çıkış saati aynı: ${shown} (süre 0 olur)`, en: `Start and end time are the same: ${shown} (the shift would last 0 hours)` }
    case 'break_too_long':
      return { tr: `Mola vardiya kadar ya da daha uzun: ${shown} dakika (çalışılan süre 0 olur)`, en: `The break is as long as the shift or longer: ${shown} minutes (nothing would be worked)` }
    case 'negative_break':
      return typeof value === 'number' && !Number.isNaN(value)
        ? { tr: `Geçersiz mola: ${shown} (0 veya daha büyük tam dakika olmalı)`, en: `Invalid break: ${shown} (must be a whole number of minutes, 0 or more)` }
        : { tr: `Mola dakika olarak bir sayı olmalı (ör. 30)`, en: `The break must be a number of minutes (e.g. 30)` }
  }
}

const MINUTES_PER_DAY = 24 * 60

/** `HH:MM` (hour may have one digit, as the legacy strptime accepted) → minutes after midnight. */
function parseTime(s: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(s.trim())
  if (!m) return null
  const h = Number(m[1])
  const min = Number(m[2])
  if (h > 23 || min > 59) return null
  return h * 60 + min
}

/**
 * Normalizes `YYYY-MM-DD` or `DD.MM.YYYY` to ISO `YYYY-MM-DD`; null when it is not a real
 * calendar date (so `2026-02-30` is rejected rather than rolled over into March).
 */
export function parseWorkDate(s: string): string | null {
  if (typeof s !== 'string') return null // legacy rows can hold NULL despite the NOT NULL intent
  const t = s.trim()
  let y: number, mo: number, d: number
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t)
  if (m) {
    y = Number(m[1]); mo = Number(m[2]); d = Number(m[3])
  } else if ((m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(t))) {
    d = Number(m[1]); mo = Number(m[2]); y = Number(m[3])
  } else {
    return null
  }
  if (mo < 1 || mo > 12 || d < 1) return null
  // Day 0 of the next month is the last day of this one; UTC so the host zone cannot shift it.
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate()
  if (d > daysInMonth) return null
  return `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}

/** 0 = Sunday … 6 = Saturday, from an ISO date, independent of the machine's zone and clock. */
function weekdayOf(isoDate: string): number {
  const [y, mo, d] = isoDate.split('-').map(Number)
  return new Date(Date.UTC(y, mo - 1, d)).getUTCDay()
}

/**
 * Round half up to 2 decimals. Inputs are minutes/60, whose ×100 fractional part is 0, ⅓ or ⅔,
 * so ties never really occur; the epsilon only keeps binary noise (x.xx4999…) from flipping a digit.
 */
export function round2(x: number): number {
  return Math.floor(x * 100 + 0.5 + 1e-9) / 100
}

const hours = (minutes: number): number => round2(minutes / 60)

/** Parses a settings decimal, accepting the Turkish decimal comma ("7,5"). */
function parseDecimal(value: string | null | undefined): number | null {
  if (value == null) return null
  const t = value.trim().replace(',', '.')
  if (!/^\d+(\.\d+)?$/.test(t)) return null
  const n = Number(t)
  return n <= 24 ? n : null
}

function validTimeOr(value: string | null | undefined, fallback: string): string {
  if (value == null) return fallback
  return parseTime(value) === null ? fallback : value.trim()
}

/** Settings key/values of a legacy file (or ours) → hour settings; blank or invalid → defaults. */
export function hourSettingsFrom(
  settings: Readonly<Record<string, string | null | undefined>>,
): HourSettings {
  return {
    weekdayHours: parseDecimal(settings.weekday_hours) ?? DEFAULT_HOUR_SETTINGS.weekdayHours,
    saturdayStart: validTimeOr(settings.saturday_start, DEFAULT_HOUR_SETTINGS.saturdayStart),
    saturdayEnd: validTimeOr(settings.saturday_end, DEFAULT_HOUR_SETTINGS.saturdayEnd),
  }
}

function scheduledMinutes(weekday: number, settings: HourSettings): number {
  if (weekday === 0) return 0
  if (weekday === 6) {
    const start = parseTime(settings.saturdayStart) ?? parseTime(DEFAULT_HOUR_SETTINGS.saturdayStart)!
    const end = parseTime(settings.saturdayEnd) ?? parseTime(DEFAULT_HOUR_SETTINGS.saturdayEnd)!
    return Math.max(0, end - start)
  }
  return Math.round(settings.weekdayHours * 60)
}

/**
 * Night windows on a 0–48 h timeline (minutes): the shift starts on day one and, when it crosses
 * midnight, ends on day two, so 22:00–06:00 has to be counted on both days.
 */
const NIGHT_WINDOWS: readonly (readonly [number, number])[] = [
  [0, 6 * 60],
  [22 * 60, 30 * 60],
  [46 * 60, 48 * 60],
]

function nightMinutes(start: number, end: number): number {
  let total = 0
  for (const [a, b] of NIGHT_WINDOWS) total += Math.max(0, Math.min(end, b) - Math.max(start, a))
  return total
}

interface ParsedShift {
  date: string
  start: number
  end: number
}

/** How a row's date and times are read; monthlyHours swaps in memoized readers. */
interface ShiftReaders {
  date(s: string): string | null
  time(s: string): number | null
  weekday(isoDate: string): number
}

const DIRECT: ShiftReaders = { date: parseWorkDate, time: parseTime, weekday: weekdayOf }

function parseShift(row: ShiftInput, read: ShiftReaders = DIRECT): ParsedShift {
  const date = read.date(row.work_date)
  if (date === null) throw new ShiftError('invalid_date', 'work_date', row.work_date)
  const start = typeof row.start_time === 'string' ? read.time(row.start_time) : null
  if (start === null) throw new ShiftError('invalid_time', 'start_time', row.start_time)
  const end = typeof row.end_time === 'string' ? read.time(row.end_time) : null
  if (end === null) throw new ShiftError('invalid_time', 'end_time', row.end_time)
  return { date, start, end }
}

/**
 * The eight figures of one row, each rounded to 2 decimals. Lenient like the legacy program so
 * old files still import: a negative break counts as 0 and start == end gives zeros. Throws
 * ShiftError only when the date or a time cannot be read at all.
 */
export function rowHours(row: ShiftInput, settings: HourSettings): RowHours {
  return computeRow(row, settings, DIRECT)
}

function computeRow(row: ShiftInput, settings: HourSettings, read: ShiftReaders): RowHours {
  const { date, start, end } = parseShift(row, read)

  // A shift whose end is not after its start ends the next day; equal times are treated as an
  // empty shift (not 24 h), which is what the legacy program did.
  const crosses = end < start
  const gross = end === start ? 0 : crosses ? end + MINUTES_PER_DAY - start : end - start
  const rawBreak = Number.isFinite(row.break_minutes) ? row.break_minutes : 0
  const brk = Math.min(Math.max(0, rawBreak), gross)
  const worked = Math.max(0, gross - brk)
  const night = nightMinutes(start, start + gross)
  const overnight = crosses ? end : 0

  if (row.is_special === true || Number(row.is_special) === 1) {
    return {
      worked: hours(worked),
      scheduled: 0,
      overtime: 0,
      night: hours(night),
      overnight: hours(overnight),
      special_normal: hours(worked),
      special_overtime: 0,
      special_night: hours(night),
    }
  }

  const weekday = read.weekday(date)
  const scheduled = scheduledMinutes(weekday, settings)
  // Overtime is measured on gross time: the legacy program did not deduct the break first,
  // so a 08:30–19:30 weekday with a 60 min break is 10 h worked but 2 h overtime.
  const overtime = weekday === 0 ? worked : Math.max(0, gross - scheduled)

  return {
    worked: hours(worked),
    scheduled: hours(scheduled),
    overtime: hours(overtime),
    night: hours(night),
    overnight: hours(overnight),
    special_normal: 0,
    special_overtime: 0,
    special_night: 0,
  }
}

/** `fn` with its results remembered by argument: a month holds a few dozen distinct dates and times. */
function memoize<T>(fn: (s: string) => T): (s: string) => T {
  const seen = new Map<string, T>()
  return (s) => {
    let value = seen.get(s)
    if (value === undefined && !seen.has(s)) {
      value = fn(s)
      seen.set(s, value)
    }
    return value as T
  }
}

/**
 * Validation for rows entered in Rainstaff itself: stricter than rowHours, which has to accept
 * what the legacy files already contain.
 */
export function checkNewShift(row: ShiftInput): void {
  const { start, end } = parseShift(row)
  if (start === end) throw new ShiftError('same_start_end', 'end_time', row.end_time)
  const b = row.break_minutes
  if (!Number.isInteger(b) || b < 0) throw new ShiftError('negative_break', 'break_minutes', b)
  // Entry only: a break that eats the whole shift is a typo (600 for 60), never a real row.
  const span = (end - start + MINUTES_PER_DAY) % MINUTES_PER_DAY
  if (b >= span) throw new ShiftError('break_too_long', 'break_minutes', b)
}

const ZERO_HOURS: Readonly<RowHours> = Object.freeze({
  worked: 0,
  scheduled: 0,
  overtime: 0,
  night: 0,
  overnight: 0,
  special_normal: 0,
  special_overtime: 0,
  special_night: 0,
})

const FIELDS = Object.keys(ZERO_HOURS) as (keyof RowHours)[]

/**
 * Per-employee totals for one month (`YYYY-MM`, by the row's work date), as sums of the rounded
 * rows like the legacy report. Rows that cannot be computed are skipped: validating them is the
 * caller's job, and one bad row must not hide a whole month.
 */
export function monthlyHours<R extends ShiftInput & { employee_id: string }>(
  rows: Iterable<R>,
  settings: HourSettings,
  month: string,
): Map<string, RowHours> {
  const totals = new Map<string, RowHours>()
  const prefix = `${month}-`
  const read: ShiftReaders = { date: memoize(parseWorkDate), time: memoize(parseTime), weekday: memoize(weekdayOf) }
  for (const row of rows) {
    let h: RowHours
    try {
      const date = read.date(row.work_date)
      if (date === null || !date.startsWith(prefix)) continue
      h = computeRow(row, settings, read)
    } catch (e) {
      if (e instanceof ShiftError) continue
      throw e
    }
    const sum = totals.get(row.employee_id) ?? { ...ZERO_HOURS }
    for (const f of FIELDS) sum[f] += h[f]
    totals.set(row.employee_id, sum)
  }
  // Summing 2-decimal floats leaves noise like 64.16000000000001; the rows are already rounded,
  // so rounding the sum only removes that noise.
  for (const sum of totals.values()) for (const f of FIELDS) sum[f] = round2(sum[f])
  return totals
}
