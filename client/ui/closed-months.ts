/**
 * A Lit controller that knows which months the head office has closed, so a screen shows them
 * read-only before anyone types: a month open on this PC says so itself (message 102, the
 * engine's `DocumentState.closed`, live); any other month is in the relay's list of closed months
 * (`GET /api/periods`), read when the screen connects and again after each sync, at most every
 * half minute. Offline, the last list read stands. The relay refuses a write into a closed month
 * whatever this says: this only spares the clerk typing what would wait for the head office.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { EngineState, SyncEngine } from '../engine.ts'
import { closedMonths } from '../periodControl.ts'
import type { Session } from '../signIn.ts'
import { documentName, periodOfDate, type Period } from '../../schema/periods.ts'

const REFRESH_MS = 30_000

export interface ClosedMonthsSource {
  readonly engine: SyncEngine
  readonly session: Session
}

export class ClosedMonths implements ReactiveController {
  private listed: ReadonlySet<string> = new Set()
  private source: ClosedMonthsSource | undefined
  private lastRead = 0
  private stop: (() => void) | undefined
  /** The open documents' states as of this update (the months' own word, message 102). */
  private documents: EngineState['documents'] = {}

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly from: () => ClosedMonthsSource | undefined,
  ) {
    host.addController(this)
  }

  /** Whether `region`'s month is closed, as far as this PC knows. */
  closed(region: string, month: Period): boolean {
    const name = documentName(region, month)
    const live = this.documents[name]
    return live !== undefined && live.connection === 'synced' ? live.closed : live?.closed === true || this.listed.has(name)
  }

  /** The closed month a date falls in, if any. */
  closedOn(region: string, date: string): Period | undefined {
    const month = periodOfDate(date)
    return month !== undefined && this.closed(region, month) ? month : undefined
  }

  hostUpdate(): void {
    const source = this.from()
    // Read once per update, not per day asked about: the engine builds its state on each read.
    this.documents = source?.engine.state.documents ?? {}
    if (source?.engine === this.source?.engine) return
    this.unsubscribe()
    this.source = source
    this.listed = new Set()
    this.lastRead = 0
    if (source === undefined) return
    const onState = (state: EngineState): void => {
      if (state.connection === 'synced') void this.read()
      // The engine's own closed flags are read at render time.
      this.host.requestUpdate()
    }
    source.engine.on('state', onState)
    this.stop = () => source.engine.off('state', onState)
    void this.read()
  }

  hostDisconnected(): void {
    this.unsubscribe()
    this.source = undefined
  }

  private async read(): Promise<void> {
    const source = this.source
    if (source === undefined || Date.now() - this.lastRead < REFRESH_MS || navigator.onLine === false) return
    this.lastRead = Date.now()
    try {
      const listed = new Set(await closedMonths(source.session))
      if (source !== this.source) return
      const changed = listed.size !== this.listed.size || [...listed].some((n) => !this.listed.has(n))
      this.listed = listed
      if (changed) this.host.requestUpdate()
    } catch {
      // Offline or refused: the last list (and the open months' own word) stands; read again later.
      this.lastRead = 0
    }
  }

  private unsubscribe(): void {
    this.stop?.()
    this.stop = undefined
  }
}
