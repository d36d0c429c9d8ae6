/**
 * Which records a change touched, found from the structs it added and the items it deleted — so
 * whoever follows a document (the mirror, a rendering) does work proportional to the change,
 * never to the document. Struct-level tracking, rather than Yjs events, also sees edits that land
 * inside a record map that lost a concurrent creation, which Yjs events do not report.
 *
 * A change is either one transaction or everything between a snapshot (Y.snapshot: a state vector
 * and a delete set) and the document's present state.
 */
import * as Y from 'yjs'
import { isTableName, type TableName } from '../schema/tables.ts'
import { RESOLVED_MAP, type ResolvedConflict } from './records.ts'
import { forEachItemBetween, itemValues, placeOf } from './yjsInternals.ts'

export type TouchedRecords = Map<TableName, Set<string>>

/** Collects the records items belong to: a field's record, a record's key, a resolution's record. */
function collector(): { touched: TouchedRecords; visit: (item: Y.Item) => void } {
  const touched: TouchedRecords = new Map()
  // Both come straight from stored items (a resolution is any JSON an editor wrote), so checked.
  const add = (table: unknown, id: unknown): void => {
    if (typeof table !== 'string' || typeof id !== 'string' || !isTableName(table)) return
    let ids = touched.get(table)
    if (ids === undefined) touched.set(table, (ids = new Set()))
    ids.add(id)
  }
  const visit = (item: Y.Item): void => {
    const place = placeOf(item)
    if (place.kind === 'field') add(place.root, place.record)
    else if (place.kind === 'root' && place.root !== RESOLVED_MAP) add(place.root, place.key)
    else if (place.kind === 'root') {
      const resolution: unknown = itemValues(item)?.[0]
      if (typeof resolution === 'object' && resolution !== null) {
        add((resolution as Partial<ResolvedConflict>).table, (resolution as Partial<ResolvedConflict>).record_id)
      }
    }
  }
  return { touched, visit }
}

/** The records one transaction touched. */
export function touchedRecords(doc: Y.Doc, transaction: Y.Transaction): TouchedRecords {
  const { touched, visit } = collector()
  for (const [client, after] of transaction.afterState) forEachItemBetween(doc, client, transaction.beforeState.get(client) ?? 0, after, visit)
  for (const [client, ranges] of transaction.deleteSet.clients) {
    for (const range of ranges) forEachItemBetween(doc, client, range.clock, range.clock + range.len, visit)
  }
  return touched
}

/** Whether `doc` holds every struct `snapshot` saw: only then can a change since it be found. */
export function holdsSnapshot(doc: Y.Doc, snapshot: Y.Snapshot): boolean {
  for (const [client, clock] of snapshot.sv) if (Y.getState(doc.store, client) < clock) return false
  return true
}

/**
 * The records changed between `snapshot` and `doc` now: structs added since, and items whose
 * deletion differs. Both directions of the deletions count, because a deletion carries no clock:
 * a doc can hold a snapshot's structs without yet holding one of its deletions.
 * Needs holdsSnapshot(doc, snapshot).
 */
export function touchedSince(doc: Y.Doc, snapshot: Y.Snapshot): TouchedRecords {
  const { touched, visit } = collector()
  const present = Y.snapshot(doc)
  for (const [client, clock] of present.sv) forEachItemBetween(doc, client, snapshot.sv.get(client) ?? 0, clock, visit)
  const now = present.ds.clients
  const then = snapshot.ds.clients
  for (const client of new Set([...now.keys(), ...then.keys()])) {
    for (const [from, to] of symmetricDifference(now.get(client) ?? [], then.get(client) ?? [])) {
      forEachItemBetween(doc, client, from, to, visit)
    }
  }
  return touched
}

interface ClockRange {
  readonly clock: number
  readonly len: number
}

/** Clock ranges [from, to) covered by exactly one of two delete-set range lists. */
export function symmetricDifference(a: readonly ClockRange[], b: readonly ClockRange[]): Array<[from: number, to: number]> {
  const edges: Array<{ clock: number; change: number; side: 0 | 1 }> = []
  for (const [list, side] of [[a, 0], [b, 1]] as const) {
    for (const range of list) edges.push({ clock: range.clock, change: 1, side }, { clock: range.clock + range.len, change: -1, side })
  }
  edges.sort((x, y) => x.clock - y.clock)
  const depth: [number, number] = [0, 0]
  const out: Array<[number, number]> = []
  let start: number | null = null
  let i = 0
  while (i < edges.length) {
    const clock = edges[i].clock
    for (; i < edges.length && edges[i].clock === clock; i++) depth[edges[i].side] += edges[i].change
    const inOne = depth[0] > 0 !== depth[1] > 0
    if (inOne && start === null) start = clock
    else if (!inOne && start !== null) {
      out.push([start, clock])
      start = null
    }
  }
  return out
}
