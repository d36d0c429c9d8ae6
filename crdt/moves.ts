/**
 * A dated record whose date moves to another month moves to that month's document (a timesheet
 * edited from 30 November to 1 December). Yjs cannot move an item between documents, and the
 * relay allows no hard delete, so a move is two ordinary edits under the record's one id: the
 * record is written in the new month, and its copy in the old month is marked `moved_to` with the
 * old document's state vector at the move (`moved_seen`). Readers skip a copy marked moved.
 *
 * An office that edited the old copy without having seen the move (offline, or at the same moment)
 * made an edit the move did not carry. Such an edit is recognizable by its item: one the move's
 * state vector does not cover. Whoever has both months open hands it on (forwardMovedEdits in
 * crdt/periodDocs.ts) and marks it seen, so nobody's edit stays behind in a month nobody reads.
 */
import * as Y from 'yjs'
import { fromBase64, toBase64 } from 'lib0/buffer'
import { DELETE_FIELDS, TABLES, type CellValue, type TableName } from '../schema/tables.ts'
import type { Period } from '../schema/periods.ts'
import { readRecord, tableMap, type RecordFields, type RecordMap } from './records.ts'
import { LOCAL_EDIT, setChanged, stamp, timestamp, type Author } from './regionDoc.ts'
import { currentItem } from './yjsInternals.ts'

/** What a record carries from month to month: its fields, region, creation and deletion. */
function carried(table: TableName, record: RecordFields): Record<string, CellValue> {
  const out: Record<string, CellValue> = {}
  for (const field of Object.keys(TABLES[table].fields)) out[field] = record[field] ?? null
  out.region = record.region ?? null
  out.created_at = record.created_at ?? null
  for (const field of DELETE_FIELDS) out[field] = record[field] ?? null
  return out
}

/**
 * Moves record `id` (as `record`, the values it is to have) from document `from` to `to`, the
 * document of month `toPeriod`. Both edits happen in one turn, so the local store keeps both.
 */
export function moveRecord(from: Y.Doc, to: Y.Doc, toPeriod: Period, table: TableName, id: string, record: RecordFields, author: Author): void {
  const source = tableMap(from, table).get(id)
  if (!(source instanceof Y.Map)) throw new Error(`moveRecord: ${table} ${id} is not a record map`)
  const at = timestamp(author)
  const values = carried(table, record)
  to.transact(() => {
    const records = tableMap(to, table)
    const existing = records.get(id)
    if (existing instanceof Y.Map) {
      // It lived here before (moved away and back): its old map takes the record's values again.
      setChanged(existing, readRecord(to, table, id), { ...values, moved_to: null, moved_seen: null })
      stamp(existing, author, at)
      return
    }
    const map: RecordMap = new Y.Map()
    for (const [field, value] of Object.entries(values)) if (value !== null) map.set(field, value)
    stamp(map, author, at)
    records.set(id, map)
  }, LOCAL_EDIT)
  markMoved(from, table, id, toPeriod, author, at)
}

/** Marks the copy of record `id` in `doc` moved to month `toPeriod`, as seen so far. */
export function markMoved(doc: Y.Doc, table: TableName, id: string, toPeriod: Period, author: Author, at = timestamp(author)): void {
  const map = tableMap(doc, table).get(id)
  if (!(map instanceof Y.Map)) return
  const seen = seenVector(doc, table, map as RecordMap)
  doc.transact(() => {
    map.set('moved_to', toPeriod)
    map.set('moved_seen', seen)
    stamp(map as RecordMap, author, at)
  }, LOCAL_EDIT)
}

/** Makes the copy of record `id` in `doc` the one that lives there again. */
export function bringBack(doc: Y.Doc, table: TableName, id: string, author: Author): void {
  const map = tableMap(doc, table).get(id)
  if (!(map instanceof Y.Map)) return
  doc.transact(() => {
    map.set('moved_to', null)
    map.set('moved_seen', null)
    stamp(map as RecordMap, author, timestamp(author))
  }, LOCAL_EDIT)
}

/**
 * The state vector of `doc` restricted to the clients whose values the record shows: enough to
 * tell any later value apart (a client not listed counts from 0), and small whatever number of
 * PCs have written the month.
 */
function seenVector(doc: Y.Doc, table: TableName, map: RecordMap): string {
  const clients = new Map<number, number>()
  for (const key of [...Object.keys(TABLES[table].fields), ...DELETE_FIELDS]) {
    const item = currentItem(map, key)
    if (item !== undefined) clients.set(item.id.client, Y.getState(doc.store, item.id.client))
  }
  return toBase64(Y.encodeStateVector(clients))
}

/** Whether the copy of record `id` in `doc` has ever carried a move mark: moved away, or back here. */
export function everMoved(doc: Y.Doc, table: TableName, id: string): boolean {
  const map = tableMap(doc, table).get(id)
  return map instanceof Y.Map && map.has('moved_to')
}

/** The month a record's copy in `doc` moved to, or null while it lives there. */
export function movedTo(doc: Y.Doc, table: TableName, id: string): Period | null {
  const map = tableMap(doc, table).get(id)
  const value = map instanceof Y.Map ? map.get('moved_to') : undefined
  return typeof value === 'string' ? value : null
}

function seenBy(map: RecordMap): Map<number, number> | undefined {
  const value = map.get('moved_seen')
  if (typeof value !== 'string') return undefined
  try {
    return Y.decodeStateVector(fromBase64(value))
  } catch {
    return undefined
  }
}

export interface UnseenEdits {
  readonly movedTo: Period
  /** Fields (and deletion fields) edited in the old month after or beside the move, as they read there. */
  readonly changes: Readonly<Record<string, CellValue>>
}

/** Edits of a moved record's old copy that its move had not seen; undefined when there are none. */
export function unseenEdits(from: Y.Doc, table: TableName, id: string): UnseenEdits | undefined {
  const map = tableMap(from, table).get(id)
  if (!(map instanceof Y.Map)) return undefined
  const target = map.get('moved_to')
  const seen = seenBy(map)
  // An unreadable mark (a damaged store) forwards nothing rather than everything.
  if (typeof target !== 'string' || seen === undefined) return undefined
  const record = readRecord(from, table, id)
  if (record === undefined) return undefined
  const changes: Record<string, CellValue> = {}
  for (const key of [...Object.keys(TABLES[table].fields), ...DELETE_FIELDS]) {
    const item = currentItem(map, key)?.id
    if (item !== undefined && item.clock >= (seen.get(item.client) ?? 0)) changes[key] = record[key] ?? null
  }
  return Object.keys(changes).length === 0 ? undefined : { movedTo: target, changes }
}

/** Marks every edit of the old copy so far as handed on. */
export function markSeen(from: Y.Doc, table: TableName, id: string, author: Author): void {
  const map = tableMap(from, table).get(id)
  if (!(map instanceof Y.Map)) return
  const seen = seenVector(from, table, map as RecordMap)
  from.transact(() => {
    map.set('moved_seen', seen)
    stamp(map as RecordMap, author, timestamp(author))
  }, LOCAL_EDIT)
}
