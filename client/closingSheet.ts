/**
 * The sheet the head office checks and closes a month with, made from the relay's own copy of
 * the month right now: the region's master data and the month (under the law rules also the
 * year's months before it, for the weekly hours and the yearly cap) fetched as renderings into a
 * mirror of their own, with the month's version — so the close names exactly what was checked
 * (the relay refuses it if the month changed since), counted with the relay's holiday list. Used by `rainstaff close-month` and the
 * admin view.
 */
import { openMirror, type MirrorOptions } from '../crdt/mirror.ts'
import { documentName, shiftPeriod, type Period } from '../schema/periods.ts'
import { lawSettingsFrom, type RuleSetName } from '../schema/workLaw.ts'
import { fetchRendering } from './fetchRendering.ts'
import { fetchHolidays } from './holidayCalendar.ts'
import { regionSettings } from './report.ts'
import { buildRegionSheet, type RegionSheet } from './sheet.ts'
import type { Session } from './signIn.ts'

export interface ClosingSheet {
  readonly sheet: RegionSheet
  /** The month document's version the sheet was made from. */
  readonly version: number
}

/** A request unanswered this long fails: a stalled network must not hold a close forever. */
const REQUEST_TIMEOUT_MS = 30_000

export async function closingSheet(
  session: Session,
  region: string,
  month: Period,
  options: { readonly rules?: RuleSetName; readonly mirror?: MirrorOptions } = {},
): Promise<ClosingSheet> {
  const mirror = await openMirror(options.mirror)
  try {
    const show = async (name: string): Promise<number> => {
      // The relay answers a month nobody wrote with version 0 and no records.
      const got = await fetchRendering(session, name, null, AbortSignal.timeout(REQUEST_TIMEOUT_MS))
      if (got.status !== 'fetched') return 0
      mirror.show(got.rendering, got.version)
      return Number(got.version)
    }
    await show(documentName(region, null))
    const version = await show(documentName(region, month))
    const rules = options.rules ?? lawSettingsFrom(regionSettings(mirror, region)).rules
    if (rules === 'law') {
      // The year's months before, and December before them: the year's first week can begin there.
      const first = `${Number(month.slice(0, 4)) - 1}-12`
      for (let earlier = shiftPeriod(month, -1); earlier >= first; earlier = shiftPeriod(earlier, -1)) await show(documentName(region, earlier))
    }
    // The relay's own list, with the head office's confirmations: the days the close counts with.
    const year = Number(month.slice(0, 4))
    const holidays = [...(await fetchHolidays(session, year - 1)), ...(await fetchHolidays(session, year))]
    return { sheet: buildRegionSheet(mirror, { region, month, rules, holidays }), version }
  } finally {
    mirror.close()
  }
}
