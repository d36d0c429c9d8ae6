/**
 * The public holidays a device counts with: the relay's list for each year (the official days
 * with the head office's confirmations, moves and additions, `GET /api/holidays/<year>`), saved on
 * the device so a sheet made offline counts the same days; a year the relay was never asked about
 * is the computed calendar (schema/holidays.ts), its unannounced feasts marked unconfirmed.
 */
import { ObservableV2 } from 'lib0/observable'
import { officialHolidays, type PublicHoliday } from '../schema/holidays.ts'
import type { LocalStore, SavedHolidays } from './localStore.ts'
import { relayJson, RelayApiError } from './relayApi.ts'
import type { Session } from './signIn.ts'

const DATE = /^\d{4}-\d{2}-\d{2}$/

const isName = (value: unknown): value is { tr: string; en: string } =>
  typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>).tr === 'string' && typeof (value as Record<string, unknown>).en === 'string'

function isHoliday(value: unknown): value is PublicHoliday {
  if (typeof value !== 'object' || value === null) return false
  const h = value as Record<string, unknown>
  return typeof h.date === 'string' && DATE.test(h.date) && isName(h.name) && typeof h.halfDay === 'boolean' && typeof h.confirmed === 'boolean'
}

/** A year's list as the relay or the saved copy gives it, or undefined when it is not one. */
function holidayList(value: unknown, year: number): PublicHoliday[] | undefined {
  if (!Array.isArray(value) || !value.every(isHoliday)) return undefined
  return value.every((h) => h.date.startsWith(`${year}-`)) ? value.map((h) => ({ date: h.date, name: { tr: h.name.tr, en: h.name.en }, halfDay: h.halfDay, confirmed: h.confirmed })) : undefined
}

/** `year`'s list from the relay, checked; a refusal or an unreadable answer throws RelayApiError. */
export async function fetchHolidays(session: Session, year: number): Promise<PublicHoliday[]> {
  const answer = await relayJson<{ holidays?: unknown }>(session, `/api/holidays/${year}`)
  const list = holidayList(answer.holidays, year)
  if (list === undefined) throw new RelayApiError(200, 'bad_answer', { tr: `${year} tatil listesi okunamadı`, en: `The ${year} holiday list could not be read` })
  return list
}

/** A year asked about and not answered (offline) is asked again after this long. */
const RETRY_MS = 60_000

export class HolidayCalendar extends ObservableV2<{ change: () => void }> {
  /** Years asked of the relay this session: the time of the last ask, 0 once answered. */
  private readonly asked = new Map<number, number>()

  private constructor(
    private readonly store: LocalStore,
    private years: SavedHolidays,
  ) {
    super()
  }

  /** The calendar as last saved on the device; a missing or damaged copy is the computed one. */
  static async open(store: LocalStore): Promise<HolidayCalendar> {
    const saved = await store.readHolidays().catch(() => undefined)
    const years: Record<string, PublicHoliday[]> = {}
    if (typeof saved === 'object' && saved !== null) {
      for (const [key, value] of Object.entries(saved)) {
        const list = /^\d{4}$/.test(key) ? holidayList(value, Number(key)) : undefined
        if (list !== undefined) years[key] = list
      }
    }
    return new HolidayCalendar(store, years)
  }

  /** `year`'s holidays: the relay's as last heard, else computed. */
  of(year: number): readonly PublicHoliday[] {
    return this.years[String(year)] ?? (year >= 1900 && year <= 2200 ? officialHolidays(year) : [])
  }

  /** Whether `year` is the relay's list rather than the computed one. */
  fromRelay(year: number): boolean {
    return this.years[String(year)] !== undefined
  }

  /** The holidays of the years a month's figures look at: its own and the one before (the law's first week). */
  around(month: string): PublicHoliday[] {
    const year = Number(month.slice(0, 4))
    return [...this.of(year - 1), ...this.of(year)]
  }

  /**
   * Asks the relay for `years` and saves what it says; true when a list changed. Fails as
   * relayApi does (offline: `unreachable`), keeping what was saved.
   */
  async refresh(session: Session, years: readonly number[]): Promise<boolean> {
    const fetched: Record<string, PublicHoliday[]> = {}
    for (const year of new Set(years)) fetched[String(year)] = await fetchHolidays(session, year)
    const changed = Object.entries(fetched).some(([year, list]) => JSON.stringify(this.years[year]) !== JSON.stringify(list))
    if (!changed) return false
    this.years = { ...this.years, ...fetched }
    await this.store.writeHolidays(this.years)
    this.emit('change', [])
    return true
  }

  /**
   * Asks the relay, in the background, for those of `years` not yet asked this session (a screen
   * calls this with the years it shows); `change` is emitted when a list changed. Offline, the
   * saved or computed list stands and the year is asked again a minute later.
   */
  ensure(session: Session, years: readonly number[]): void {
    // Offline (as the platform says) there is no one to ask: the next screen drawn online asks.
    if (globalThis.navigator?.onLine === false) return
    const now = Date.now()
    const due = [...new Set(years)].filter((y) => y >= 1950 && y <= 2100 && !this.recentlyAsked(y, now))
    if (due.length === 0) return
    for (const year of due) this.asked.set(year, now)
    this.refresh(session, due).then(
      () => due.forEach((year) => this.asked.set(year, 0)),
      () => undefined,
    )
  }

  private recentlyAsked(year: number, now: number): boolean {
    const at = this.asked.get(year)
    return at !== undefined && (at === 0 || now - at < RETRY_MS)
  }
}
