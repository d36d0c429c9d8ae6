/**
 * Turkey's official public holidays (2429 sayılı Ulusal Bayram ve Genel Tatiller Hakkında Kanun):
 * the fixed national days, and the two religious feasts, which follow the Hijri calendar and so
 * come about eleven days earlier each year. Pure: the feasts are computed with the Umm al-Qura
 * calendar that Intl carries (Node and every browser engine), which gives the dates the Diyanet
 * announced for every year 2020–2026. Years past the last announced one are computed and marked
 * `confirmed: false` until the head office confirms them (a relay control action, not an edit).
 *
 * A half day ("arife", and 28 October) is a holiday from 13:00.
 */
import type { Bilingual } from './bilingual.ts'

export interface PublicHoliday {
  /** YYYY-MM-DD */
  readonly date: string
  readonly name: Bilingual
  /** Off from 13:00 only (arife, 28 October). */
  readonly halfDay: boolean
  /** False for a computed religious feast day nobody has confirmed yet. */
  readonly confirmed: boolean
}

/** Hour a half holiday starts, minutes after midnight. */
export const HALF_DAY_FROM_MINUTES = 13 * 60

/** The latest year whose feast dates were announced and checked against the computed ones. */
export const LAST_ANNOUNCED_YEAR = 2026

interface FixedDay {
  readonly month: number
  readonly day: number
  readonly name: Bilingual
  readonly halfDay?: boolean
  /** First year the day was a holiday. */
  readonly since?: number
}

const FIXED: readonly FixedDay[] = [
  { month: 1, day: 1, name: { tr: 'Yılbaşı', en: "New Year's Day" } },
  { month: 4, day: 23, name: { tr: 'Ulusal Egemenlik ve Çocuk Bayramı', en: 'National Sovereignty and Children’s Day' } },
  { month: 5, day: 1, name: { tr: 'Emek ve Dayanışma Günü', en: 'Labour and Solidarity Day' } },
  { month: 5, day: 19, name: { tr: 'Atatürk’ü Anma, Gençlik ve Spor Bayramı', en: 'Commemoration of Atatürk, Youth and Sports Day' } },
  { month: 7, day: 15, name: { tr: 'Demokrasi ve Millî Birlik Günü', en: 'Democracy and National Unity Day' }, since: 2017 },
  { month: 8, day: 30, name: { tr: 'Zafer Bayramı', en: 'Victory Day' } },
  { month: 10, day: 28, name: { tr: 'Cumhuriyet Bayramı arifesi', en: 'Eve of Republic Day' }, halfDay: true },
  { month: 10, day: 29, name: { tr: 'Cumhuriyet Bayramı', en: 'Republic Day' } },
]

interface Feast {
  /** Hijri month and day of the feast's first day. */
  readonly hijriMonth: number
  readonly hijriDay: number
  readonly days: number
  readonly name: Bilingual
  readonly eve: Bilingual
}

const FEASTS: readonly Feast[] = [
  {
    hijriMonth: 10, hijriDay: 1, days: 3,
    name: { tr: 'Ramazan Bayramı', en: 'Eid al-Fitr' },
    eve: { tr: 'Ramazan Bayramı arifesi', en: 'Eve of Eid al-Fitr' },
  },
  {
    hijriMonth: 12, hijriDay: 10, days: 4,
    name: { tr: 'Kurban Bayramı', en: 'Eid al-Adha' },
    eve: { tr: 'Kurban Bayramı arifesi', en: 'Eve of Eid al-Adha' },
  },
]

const DAY_MS = 86_400_000

const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10)

let hijri: Intl.DateTimeFormat | undefined

/** Hijri (Umm al-Qura) month and day of a UTC day. */
function hijriOf(ms: number): { month: number; day: number } {
  hijri ??= new Intl.DateTimeFormat('en-u-ca-islamic-umalqura', { timeZone: 'UTC', month: 'numeric', day: 'numeric' })
  let month = 0
  let day = 0
  for (const part of hijri.formatToParts(new Date(ms))) {
    if (part.type === 'month') month = Number(part.value)
    else if (part.type === 'day') day = Number(part.value)
  }
  return { month, day }
}

/** The Gregorian days of `year` on which a feast begins (a year can hold a feast twice, e.g. 2033). */
function feastStarts(year: number, feast: Feast): number[] {
  const starts: number[] = []
  for (let ms = Date.UTC(year, 0, 1); ms < Date.UTC(year + 1, 0, 1); ms += DAY_MS) {
    const { month, day } = hijriOf(ms)
    if (month === feast.hijriMonth && day === feast.hijriDay) starts.push(ms)
  }
  return starts
}

/**
 * The official holidays of `year`, by date; a feast day falling on a fixed holiday keeps both
 * names. Days of a feast that begins in late December and runs into January belong to their own
 * year's list.
 */
export function officialHolidays(year: number): readonly PublicHoliday[] {
  if (!Number.isInteger(year) || year < 1900 || year > 2200) throw new RangeError(`officialHolidays: year ${year}`)
  let holidays = computed.get(year)
  if (holidays === undefined) computed.set(year, (holidays = Object.freeze(computeYear(year))))
  return holidays
}

const computed = new Map<number, readonly PublicHoliday[]>()

function computeYear(year: number): PublicHoliday[] {
  const confirmed = year <= LAST_ANNOUNCED_YEAR
  const byDate = new Map<string, PublicHoliday>()
  const add = (holiday: PublicHoliday): void => {
    const there = byDate.get(holiday.date)
    if (there === undefined) byDate.set(holiday.date, holiday)
    else {
      byDate.set(holiday.date, {
        date: holiday.date,
        name: { tr: `${there.name.tr}, ${holiday.name.tr}`, en: `${there.name.en}, ${holiday.name.en}` },
        halfDay: there.halfDay && holiday.halfDay,
        confirmed: there.confirmed && holiday.confirmed,
      })
    }
  }
  for (const fixed of FIXED) {
    if (fixed.since !== undefined && year < fixed.since) continue
    add({ date: isoDate(Date.UTC(year, fixed.month - 1, fixed.day)), name: fixed.name, halfDay: fixed.halfDay === true, confirmed: true })
  }
  // Feasts starting in the neighbouring years can reach into this one (an eve on 31 December).
  for (const feast of FEASTS) {
    for (const start of [...feastStarts(year - 1, feast), ...feastStarts(year, feast), ...feastStarts(year + 1, feast)]) {
      const days = [{ ms: start - DAY_MS, halfDay: true, name: feast.eve }]
      for (let i = 0; i < feast.days; i++) days.push({ ms: start + i * DAY_MS, halfDay: false, name: feast.name })
      for (const day of days) {
        if (new Date(day.ms).getUTCFullYear() !== year) continue
        add({ date: isoDate(day.ms), name: day.name, halfDay: day.halfDay, confirmed })
      }
    }
  }
  return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : 1))
}

/**
 * The head office's word on a day (a relay control action): a computed feast day confirmed, a
 * day added (a feast the Diyanet announced a day off the computation, an extra day off decreed),
 * or a computed day removed.
 */
export interface HolidayDecision {
  readonly date: string
  /** Null to keep the computed day's name. */
  readonly name: Bilingual | null
  readonly halfDay: boolean
  /** True: not a holiday after all (the computed one is dropped). */
  readonly removed: boolean
}

/** `year`'s official holidays with the head office's decisions applied; a decided day is confirmed. */
export function holidaysOf(year: number, decisions: Iterable<HolidayDecision>): PublicHoliday[] {
  const byDate = new Map(officialHolidays(year).map((h) => [h.date, h]))
  for (const decision of decisions) {
    if (Number(decision.date.slice(0, 4)) !== year) continue
    if (decision.removed) {
      byDate.delete(decision.date)
      continue
    }
    const computed = byDate.get(decision.date)
    const name = decision.name ?? computed?.name ?? { tr: 'Resmî tatil', en: 'Public holiday' }
    byDate.set(decision.date, { date: decision.date, name, halfDay: decision.halfDay, confirmed: true })
  }
  return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : 1))
}
