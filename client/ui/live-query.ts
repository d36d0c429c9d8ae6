/**
 * A Lit controller holding the rows of one mirror query, re-run only when one of the tables it
 * names changes (Mirror.liveQuery). The query is read from the host before each update, so a
 * changed filter re-subscribes and an unchanged one keeps its subscription.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit'
import type { SqlValue } from 'sql.js'
import type { Mirror, Row } from '../../crdt/mirror.ts'
import type { Workspace } from './workspace.ts'

export interface QuerySpec {
  readonly mirror: Mirror
  readonly sql: string
  readonly params?: readonly SqlValue[]
  /** The mirror tables the query reads: it re-runs when one of them changes. */
  readonly tables: readonly string[]
}

export class LiveQuery<T = Row> implements ReactiveController {
  rows: T[] = []
  private key = ''
  private mirror: Mirror | undefined
  private stop: (() => void) | undefined

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly spec: () => QuerySpec | undefined,
    private readonly map: (row: Row) => T = (row) => row as T,
  ) {
    host.addController(this)
  }

  hostUpdate(): void {
    const spec = this.spec()
    const key = spec === undefined ? '' : `${spec.sql}\u0000${JSON.stringify(spec.params ?? [])}\u0000${spec.tables.join(',')}`
    if (key === this.key && spec?.mirror === this.mirror) return
    this.unsubscribe()
    this.key = key
    this.mirror = spec?.mirror
    if (spec === undefined) {
      this.rows = []
      return
    }
    let first = true
    this.stop = spec.mirror.liveQuery(spec.sql, [...(spec.params ?? [])], spec.tables, (rows) => {
      this.rows = rows.map(this.map)
      // The first result lands before this render; later ones need one.
      if (!first) this.host.requestUpdate()
    })
    first = false
  }

  hostConnected(): void {
    // Re-subscribes after the element is moved back into the page (hostDisconnected dropped it).
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

/** A query a screen declares: the workspace's mirror is the host's. */
export type Query = Omit<QuerySpec, 'mirror'>

/** Every screen and shell: its queries run over its workspace's mirror, and return no rows without one. */
export interface WorkspaceHost extends ReactiveControllerHost {
  readonly workspace: Workspace | undefined
}

/**
 * The rows of `query` over the host's mirror, kept current. A fixed query is an object; one that
 * follows the host's state (its region, a filter) is a function, read before each update, and
 * returns undefined for no rows (a list not shown).
 */
export function liveQuery<T = Row>(host: WorkspaceHost, query: Query | (() => Query | undefined), map?: (row: Row) => T): LiveQuery<T> {
  const read = typeof query === 'function' ? query : () => query
  return new LiveQuery(
    host,
    () => {
      const mirror = host.workspace?.mirror
      const spec = mirror && read()
      return spec && { ...spec, mirror }
    },
    map,
  )
}

export function text(value: SqlValue | undefined): string {
  return value === null || value === undefined ? '' : value instanceof Uint8Array ? '' : String(value)
}

export function optionalText(value: SqlValue | undefined): string | null {
  return value === null || value === undefined || value instanceof Uint8Array ? null : String(value)
}

export function num(value: SqlValue | undefined): number {
  return typeof value === 'number' ? value : Number(value ?? 0)
}

export function optionalNum(value: SqlValue | undefined): number | null {
  return value === null || value === undefined || value === '' ? null : Number(value)
}
