/**
 * A Lit controller that keeps the months a screen shows open in the engine: a month document
 * opens on demand (from the device, then synced) when a screen's date range reaches it, and the
 * mirror follows it (client/followDocuments.ts), so the screen's live queries see its rows.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { SyncEngine } from '../engine.ts'
import { isPeriod, periodOfDate, shiftPeriod, type Period } from '../../schema/periods.ts'

export interface ShownRange {
  readonly engine: SyncEngine
  readonly regions: readonly string[]
  /** ISO dates, inclusive. */
  readonly from: string
  readonly to: string
}

/** A range longer than this opens its last months only: a typo of a year must not open a decade. */
const MAX_MONTHS = 36

export function monthsBetween(from: string, to: string): Period[] {
  const first = periodOfDate(from)
  const last = periodOfDate(to)
  if (first === undefined || last === undefined || first > last) return []
  const months: Period[] = []
  for (let month = last; month >= first && months.length < MAX_MONTHS && isPeriod(month); month = shiftPeriod(month, -1)) months.unshift(month)
  return months
}

export class OpenPeriods implements ReactiveController {
  private key = ''

  constructor(
    host: ReactiveControllerHost,
    private readonly range: () => ShownRange | undefined,
  ) {
    host.addController(this)
  }

  hostUpdate(): void {
    const range = this.range()
    if (range === undefined) return
    const regions = range.regions.filter((region) => range.engine.regions.includes(region))
    const key = `${regions.join(',')}\u0000${range.from}\u0000${range.to}`
    if (key === this.key) return
    this.key = key
    for (const region of regions) {
      for (const month of monthsBetween(range.from, range.to)) {
        // Opening reads the device's copy; a failure (the store closed as the user signed out) leaves the screen as it is.
        range.engine.openPeriod(region, month).catch(() => undefined)
      }
    }
  }
}
