/**
 * A Lit controller for the months a screen shows: their rows are in the mirror whether the engine
 * has the month open (live) or not (held rows: a rendering fetched from the relay, or what a
 * closed month left, client/offlineMirror.ts). A month the mirror does not hold is fetched when
 * the screen's range reaches it; reading opens no document (opening one is for editing).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { OfflineMirror } from '../offlineMirror.ts'
import { documentName, isPeriod, periodOfDate, shiftPeriod, type Period } from '../../schema/periods.ts'

export interface ShownRange {
  readonly offline: OfflineMirror
  readonly regions: readonly string[]
  /** ISO dates, inclusive. */
  readonly from: string
  readonly to: string
}

/** A range longer than this shows its last months only: a typo of a year must not fetch a decade. */
const MAX_MONTHS = 36

export function monthsBetween(from: string, to: string): Period[] {
  const first = periodOfDate(from)
  const last = periodOfDate(to)
  if (first === undefined || last === undefined || first > last) return []
  const months: Period[] = []
  for (let month = last; month >= first && months.length < MAX_MONTHS && isPeriod(month); month = shiftPeriod(month, -1)) months.unshift(month)
  return months
}

export class ShownMonths implements ReactiveController {
  private key = ''
  private names: string[] = []
  private offline: OfflineMirror | undefined
  /** Whether the months not held are being fetched now. */
  fetching = false

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly range: () => ShownRange | undefined,
  ) {
    host.addController(this)
  }

  /** The shown months the mirror holds no rows of (never fetched here): the screen says so. */
  get missing(): string[] {
    const offline = this.offline
    return offline === undefined ? [] : this.names.filter((name) => !offline.holds(name))
  }

  hostUpdate(): void {
    const range = this.range()
    if (range === undefined) return
    const key = `${range.regions.join(',')}\u0000${range.from}\u0000${range.to}`
    if (key === this.key && range.offline === this.offline) return
    this.key = key
    this.offline = range.offline
    this.names = range.regions.flatMap((region) => monthsBetween(range.from, range.to).map((month) => documentName(region, month)))
    const wanted = this.missing
    if (wanted.length === 0) return
    this.fetching = true
    // Offline or refused: the months stay missing and the screen says so (problems go to the status bar).
    void range.offline.fetchMissing(wanted).finally(() => {
      if (key !== this.key) return
      this.fetching = false
      this.host.requestUpdate()
    })
  }
}
