/**
 * A Lit controller holding a value read from the mirror by more than one query (the fleet's
 * alerts, a vehicle's km history, a month's service costs): read again before an update when its
 * key changes (the region, the vehicle, the month), and when one of the tables it names has
 * changed — not at every render, since a reading costs several queries (the alerts of five
 * years of a region's fleet, some 60 ms), and once for a burst of changes (an inspection and its
 * nine results are ten writes): a change only marks the value stale for the host's next update.
 */
import type { ReactiveController } from 'lit'
import type { Mirror } from '../../crdt/mirror.ts'
import type { WorkspaceHost } from './live-query.ts'

export interface Reading<T> {
  /** What the value depends on besides the tables: a new key reads again. */
  readonly key: string
  /** The mirror tables it reads: a change of one of them reads again. */
  readonly tables: readonly string[]
  read(mirror: Mirror): T
}

export class MirrorReading<T> implements ReactiveController {
  value: T
  private key = ''
  private mirror: Mirror | undefined
  private stop: (() => void) | undefined
  /** A table it reads changed since the value was read. */
  private stale = false

  constructor(
    private readonly host: WorkspaceHost,
    private readonly spec: () => Reading<T> | undefined,
    private readonly empty: T,
  ) {
    this.value = empty
    host.addController(this)
  }

  hostUpdate(): void {
    const mirror = this.host.workspace?.mirror
    const spec = mirror && this.spec()
    const key = spec === undefined ? '' : `${spec.key}\u0000${spec.tables.join(',')}`
    if (key === this.key && mirror === this.mirror) {
      if (this.stale && mirror !== undefined && spec !== undefined) this.value = spec.read(mirror)
      this.stale = false
      return
    }
    this.unsubscribe()
    this.stale = false
    this.key = key
    this.mirror = mirror
    if (mirror === undefined || spec === undefined) {
      this.value = this.empty
      return
    }
    let first = true
    // The query only wakes the reading: the first answer is read now, for this update; later ones at the next.
    this.stop = mirror.liveQuery('SELECT 1', [], spec.tables, () => {
      if (first) {
        this.value = spec.read(mirror)
        return
      }
      this.stale = true
      this.host.requestUpdate()
    })
    first = false
  }

  hostConnected(): void {
    if (this.stop === undefined) this.host.requestUpdate()
  }

  hostDisconnected(): void {
    this.unsubscribe()
    this.key = ''
    this.mirror = undefined
  }

  private unsubscribe(): void {
    this.stop?.()
    this.stop = undefined
  }
}
