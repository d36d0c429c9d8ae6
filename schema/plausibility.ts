/**
 * Plausibility of what a clerk types: values that are valid but probably typos. A warning is not
 * a refusal: the form shows it with "Yine de kaydet / Save anyway" and the CLI prints it to
 * stderr. Refusals (a break as long as the shift, an invalid T.C. kimlik no) are in
 * schema/hours.ts checkNewShift and schema/validate.ts. Pure functions: "today" is a parameter.
 *
 * The working range of dates: from one year before today (same day and month, a year earlier)
 * to 60 days after today; outside it a date asks for confirmation (01.01.1900, 2062 for 2026).
 */
import type { Bilingual } from './bilingual.ts'
import { parseWorkDate } from './hours.ts'
import { foldForSearch } from './turkishInput.ts'

export interface Warning {
  /** The record field the warning is about (work_date, end_time, full_name, identity_no…). */
  readonly field: string
  readonly code: 'long_shift' | 'reversed_shift' | 'date_past' | 'date_future' | 'duplicate_name' | 'duplicate_identity'
  readonly text: Bilingual
}

/** Longest shift entered without asking, in minutes (12 hours). */
export const LONG_SHIFT_MINUTES = 12 * 60
/** How far back and ahead a work date may be without asking. */
export const PAST_YEARS = 1
export const FUTURE_DAYS = 60

function minutes(time: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(time.trim())
  if (!m) return null
  const h = Number(m[1])
  const min = Number(m[2])
  return h > 23 || min > 59 ? null : h * 60 + min
}

const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`

function addDaysIso(iso: string, days: number): string {
  const [y, mo, d] = iso.split('-').map(Number)
  return new Date(Date.UTC(y, mo - 1, d + days)).toISOString().slice(0, 10)
}

function yearsBefore(iso: string, years: number): string {
  const [y, mo, d] = iso.split('-').map(Number)
  // 29 February a year back is 28 February (day 0 of March rolls back, never forward).
  const last = new Date(Date.UTC(y - years, mo, 0)).getUTCDate()
  return `${String(y - years).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`
}

const trDate = (iso: string): string => iso.split('-').reverse().join('.')

/**
 * An overnight shift that looks like day times typed the wrong way round: end before start, and
 * swapped it would be an ordinary day shift (4–11 hours, starting 06:00 or later, ending by 19:00).
 * 17:00→08:00 is flagged; 22:00→06:00 and 20:00→08:00 (real night shifts) are not.
 */
export function looksReversed(start: number, end: number): boolean {
  if (end >= start) return false
  const swapped = start - end
  return swapped >= 4 * 60 && swapped <= 11 * 60 && end >= 6 * 60 && start <= 19 * 60
}

/** Warnings for a timesheet row (times as SS:DD, date ISO or GG.AA.YYYY); `today` is ISO. */
export function shiftWarnings(row: { readonly work_date: string; readonly start_time: string; readonly end_time: string }, today: string): Warning[] {
  const warnings: Warning[] = []
  const start = minutes(row.start_time)
  const end = minutes(row.end_time)
  if (start !== null && end !== null && start !== end) {
    const span = (end - start + 24 * 60) % (24 * 60)
    if (looksReversed(start, end)) {
      warnings.push({
        field: 'end_time',
        code: 'reversed_shift',
        text: {
          tr: `Çıkış girişten önce: ${hhmm(start)}→${hhmm(end)} ertesi güne taşan ${span / 60} saatlik bir gece vardiyası olur. ${hhmm(end)}→${hhmm(start)} mi demek istediniz?`,
          en: `End is before start: ${hhmm(start)}→${hhmm(end)} is a ${span / 60}-hour night shift into the next day. Did you mean ${hhmm(end)}→${hhmm(start)}?`,
        },
      })
    } else if (span > LONG_SHIFT_MINUTES) {
      const shown = (span / 60).toLocaleString('tr-TR', { maximumFractionDigits: 2 })
      const shownEn = (span / 60).toLocaleString('en', { maximumFractionDigits: 2 })
      warnings.push({
        field: 'end_time',
        code: 'long_shift',
        text: { tr: `Vardiya 12 saatten uzun: ${shown} saat`, en: `The shift is longer than 12 hours: ${shownEn} hours` },
      })
    }
  }
  const date = parseWorkDate(row.work_date)
  if (date !== null) {
    const earliest = yearsBefore(today, PAST_YEARS)
    const latest = addDaysIso(today, FUTURE_DAYS)
    if (date < earliest) {
      warnings.push({
        field: 'work_date',
        code: 'date_past',
        text: { tr: `Tarih bir yıldan eski: ${trDate(date)} (bugün ${trDate(today)})`, en: `The date is more than a year ago: ${trDate(date)} (today is ${trDate(today)})` },
      })
    } else if (date > latest) {
      warnings.push({
        field: 'work_date',
        code: 'date_future',
        text: { tr: `Tarih ${FUTURE_DAYS} günden daha ileride: ${trDate(date)} (bugün ${trDate(today)})`, en: `The date is more than ${FUTURE_DAYS} days ahead: ${trDate(date)} (today is ${trDate(today)})` },
      })
    }
  }
  return warnings
}

/** A name as duplicates are compared: Turkish-aware folding, spaces collapsed ("AYŞE  yılmaz" = "Ayşe Yılmaz"). */
export function nameKey(name: string): string {
  return foldForSearch(name).replace(/\s+/g, ' ').trim()
}

/** The reason a T.C. kimlik no is invalid (11 digits, first not 0, the two check digits), or undefined when valid. */
export function identityNoProblem(value: string): Bilingual | undefined {
  const s = value.trim()
  if (!/^\d{11}$/.test(s)) return { tr: `11 haneli bir sayı olmalı ("${s}")`, en: `must be an 11-digit number ("${s}")` }
  if (s[0] === '0') return { tr: `0 ile başlayamaz ("${s}")`, en: `cannot start with 0 ("${s}")` }
  const d = [...s].map(Number)
  const odd = d[0] + d[2] + d[4] + d[6] + d[8]
  const even = d[1] + d[3] + d[5] + d[7]
  const d10 = (((odd * 7 - even) % 10) + 10) % 10
  const d11 = d.slice(0, 10).reduce((a, b) => a + b, 0) % 10
  if (d[9] !== d10 || d[10] !== d11) return { tr: `kontrol haneleri tutmuyor ("${s}"): yanlış yazılmış olabilir`, en: `the check digits do not match ("${s}"): probably mistyped` }
  return undefined
}

export interface EmployeeLike {
  readonly id?: string
  readonly full_name?: unknown
  readonly identity_no?: unknown
}

/** Warnings for an employee that another (live) employee of the region already names or numbers. */
export function duplicateEmployeeWarnings(candidate: EmployeeLike, others: readonly EmployeeLike[]): Warning[] {
  const warnings: Warning[] = []
  const name = typeof candidate.full_name === 'string' ? nameKey(candidate.full_name) : ''
  const idNo = typeof candidate.identity_no === 'string' ? candidate.identity_no.trim() : ''
  const rest = others.filter((o) => candidate.id === undefined || o.id !== candidate.id)
  const sameName = name === '' ? undefined : rest.find((o) => typeof o.full_name === 'string' && nameKey(o.full_name) === name)
  if (sameName !== undefined) {
    const shown = String(sameName.full_name)
    warnings.push({
      field: 'full_name',
      code: 'duplicate_name',
      text: { tr: `Bu adla bir çalışan zaten var: ${shown}`, en: `An employee with this name already exists: ${shown}` },
    })
  }
  const sameNo = idNo === '' ? undefined : rest.find((o) => typeof o.identity_no === 'string' && o.identity_no.trim() === idNo)
  if (sameNo !== undefined) {
    warnings.push({
      field: 'identity_no',
      code: 'duplicate_identity',
      text: { tr: `Bu T.C. kimlik no başka bir çalışanda kayıtlı: ${String(sameNo.full_name)}`, en: `This identity no belongs to another employee: ${String(sameNo.full_name)}` },
    })
  }
  return warnings
}
