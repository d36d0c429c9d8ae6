/**
 * A Lit controller holding a value read from the mirror by more than one query (the fleet's
 * alerts, a vehicle's km history, a month's service costs): read again before an update when its
 * key changes (the region, the vehicle, the month), and whenever one of the tables it names
 * changes — not at every render, since a reading costs several queries.
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
    if (key === this.key && mirror === this.mirror) return
    this.unsubscribe()
    this.key = key
    this.mirror = mirror
    if (mirror === undefined || spec === undefined) {
      this.value = this.empty
      return
    }
    let first = true
    // The query only wakes the reading; the spec is asked again so it reads the host's state of now.
    this.stop = mirror.liveQuery('SELECT 1', [], spec.tables, () => {
      this.value = (this.spec() ?? spec).read(mirror)
      if (!first) this.host.requestUpdate()
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
