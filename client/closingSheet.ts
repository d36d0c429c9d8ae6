/**
 * The sheet the head office checks and closes a month with, made from the relay's own copy of
 * the month right now: the region's master data and the month (under the law rules also the
 * year's months before it, for the weekly hours and the yearly cap) fetched as renderings into a
 * mirror of their own, with the month's version — so the close names exactly what was checked
 * (the relay refuses it if the month changed since). Used by `rainstaff close-month` and the
 * admin view.
 */
import { openMirror, type MirrorOptions } from '../crdt/mirror.ts'
import { decodeRendering } from '../crdt/rendering.ts'
import { documentName, shiftPeriod, type Period } from '../schema/periods.ts'
import { lawSettingsFrom, type RuleSetName } from '../schema/workLaw.ts'
import { RelayApiError, relayRequest } from './relayApi.ts'
import { regionSettings } from './report.ts'
import { buildRegionSheet, type RegionSheet } from './sheet.ts'
import type { Session } from './signIn.ts'

export interface ClosingSheet {
  readonly sheet: RegionSheet
  /** The month document's version the sheet was made from. */
  readonly version: number
}

async function rendering(session: Session, name: string): Promise<{ version: number; bytes: Uint8Array } | undefined> {
  try {
    const response = await relayRequest(session, `/api/renderings/${name}`)
    return { version: Number(response.headers.get('x-rainstaff-version') ?? 0), bytes: new Uint8Array(await response.arrayBuffer()) }
  } catch (error) {
    // A month nobody wrote has no document on the relay: an empty month.
    if (error instanceof RelayApiError && error.status === 404) return undefined
    throw error
  }
}

export async function closingSheet(
  session: Session,
  region: string,
  month: Period,
  options: { readonly rules?: RuleSetName; readonly mirror?: MirrorOptions } = {},
): Promise<ClosingSheet> {
  const mirror = await openMirror(options.mirror)
  try {
    const show = async (name: string): Promise<number> => {
      const got = await rendering(session, name)
      if (got !== undefined) mirror.show(decodeRendering(got.bytes, name), String(got.version))
      return got?.version ?? 0
    }
    await show(documentName(region, null))
    const version = await show(documentName(region, month))
    const rules = options.rules ?? lawSettingsFrom(regionSettings(mirror, region)).rules
    if (rules === 'law') {
      // The year's months before, and December before them: the year's first week can begin there.
      const first = `${Number(month.slice(0, 4)) - 1}-12`
      for (let earlier = shiftPeriod(month, -1); earlier >= first; earlier = shiftPeriod(earlier, -1)) await show(documentName(region, earlier))
    }
    return { sheet: buildRegionSheet(mirror, { region, month, rules }), version }
  } finally {
    mirror.close()
  }
}
