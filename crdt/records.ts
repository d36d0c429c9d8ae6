/**
 * Reading records out of a region document, including what Yjs hides.
 *
 * Layout: one root Y.Map per table, one nested Y.Map per record keyed by record id. Region docs
 * are created with `gc: false`, so values that lost a concurrent edit keep their content; this
 * module reads them back to list conflicts instead of hiding them.
 *
 * Two kinds of concurrency meet here:
 * - Two replicas set the same field of one record map. Yjs keeps the rightmost item of the key's
 *   history as the winner (ordered by client id, the same on every replica). Any other item of the
 *   history that no later item builds on (a "head") was written without knowledge of the winner.
 * - Two replicas create the same natural-key record (one plate, two offices). Both nested maps
 *   exist; Yjs keeps one under the id. The record shown is the union of every map ever set under
 *   the id: the winning map's fields first, then fields only the losing maps have, so no office's
 *   entry vanishes.
 */
import * as Y from 'yjs'
import { DELETE_FIELDS, META_FIELDS, type CellValue, type TableName } from '../schema/tables.ts'

export type RecordMap = Y.Map<CellValue>
export type TableMap = Y.Map<RecordMap>

/** The root map of resolved conflicts: conflict id → who resolved it, when, and where it was. */
export const RESOLVED_MAP = 'resolved_conflicts'

export interface ResolvedConflict {
  table: TableName
  record_id: string
  by: string
  at: string
}

/** A record as the mirror and the UI see it: fields plus soft-delete stamps. */
export type RecordFields = Record<string, CellValue>

export interface Conflict {
  /** `client:clock` of the losing item: stable on every replica, the handle used to resolve it. */
  conflict_id: string
  table: TableName
  record_id: string
  field: string
  value: CellValue
  value_by: string | null
  value_at: string | null
  lost_value: CellValue
  lost_by: string | null
  lost_at: string | null
}

/**
 * Stamps change on every edit, so concurrent stamps are expected, not conflicts worth a user's
 * time; a delete racing a restore shows in the record's own history instead.
 */
const UNLISTED = new Set<string>([...META_FIELDS, ...DELETE_FIELDS])

export function tableMap(doc: Y.Doc, table: TableName): TableMap {
  return doc.getMap(table)
}

function lastValue(item: Y.Item): CellValue {
  // ContentAny holds field values; reading its array directly avoids a copy per field.
  const content = item.content instanceof Y.ContentAny ? item.content.arr : item.content.getContent()
  return (content[content.length - 1] ?? null) as CellValue
}

/** Every item ever set under `key` of `map`, newest (rightmost, the winner) first. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Yjs types are invariant in their event type
function history(map: Y.AbstractType<any>, key: string): Y.Item[] {
  const items: Y.Item[] = []
  for (let item = map._map.get(key) ?? null; item !== null; item = item.left) items.push(item)
  return items
}

function contains(item: Y.Item, id: Y.ID | null): boolean {
  return id !== null && id.client === item.id.client && id.clock >= item.id.clock && id.clock < item.id.clock + item.length
}

/** Items of a key's history that no other item of it was written on top of. */
function heads(items: readonly Y.Item[]): Y.Item[] {
  if (items.length === 1) return items.slice()
  return items.filter((item) => !items.some((other) => contains(item, other.origin)))
}

/**
 * The record maps ever set under `id`, the live one first. More than one only when replicas
 * created the same natural-key record concurrently.
 */
function recordMaps(table: TableMap, id: string): RecordMap[] {
  return history(table, id).map((item) => (item.content as Y.ContentType).type as RecordMap)
}

/** Author and time of an edit: the stamps written right after it, in the same transaction. */
function stampOf(map: RecordMap, item: Y.Item): { by: string | null; at: string | null } {
  const find = (key: string): string | null => {
    let best: Y.Item | null = null
    for (const stamp of history(map, key)) {
      if (stamp.id.client !== item.id.client || stamp.id.clock <= item.id.clock) continue
      if (best === null || stamp.id.clock < best.id.clock) best = stamp
    }
    const value = best === null ? null : lastValue(best)
    return typeof value === 'string' ? value : null
  }
  return { by: find('updated_by'), at: find('updated_at') }
}

/**
 * Reads record `id` of `table`, merging concurrently created maps. Returns undefined when no such
 * record was ever created. `deleted_at` is non-null for soft-deleted records.
 */
export function readRecord(doc: Y.Doc, table: TableName, id: string): RecordFields | undefined {
  const item = tableMap(doc, table)._map.get(id)
  if (item === undefined) return undefined
  const maps = item.left === null ? [(item.content as Y.ContentType).type as RecordMap] : recordMaps(tableMap(doc, table), id)
  const record: RecordFields = {}
  // Losing maps first so the live map's values overwrite theirs.
  for (let i = maps.length - 1; i >= 0; i--) {
    for (const [key, field] of maps[i]._map) record[key] = lastValue(field)
  }
  record.id = id
  for (const key of DELETE_FIELDS) record[key] ??= null
  return record
}

/**
 * Fields `keys` of record `id` (absent ones null), exactly as readRecord reads them, without
 * building an object: a cold open reads every record of a region this way.
 */
export function readFields(doc: Y.Doc, table: TableName, id: string, keys: readonly string[]): CellValue[] | undefined {
  const item = tableMap(doc, table)._map.get(id)
  if (item === undefined) return undefined
  if (item.left !== null) {
    const record = readRecord(doc, table, id) as RecordFields
    return keys.map((key) => record[key] ?? null)
  }
  const fields = ((item.content as Y.ContentType).type as RecordMap)._map
  const values = new Array<CellValue>(keys.length)
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    const field = fields.get(key)
    values[i] = key === 'id' ? id : field === undefined ? null : lastValue(field)
  }
  return values
}

/** Ids of every record ever created in `table`, deleted ones included. */
export function recordIds(doc: Y.Doc, table: TableName): IterableIterator<string> {
  return tableMap(doc, table)._map.keys()
}

function resolvedIds(doc: Y.Doc): Y.Map<ResolvedConflict> {
  return doc.getMap(RESOLVED_MAP)
}

/** Whether any listed field of `map` was ever set twice: without that no conflict can exist. */
function hasHistory(map: RecordMap): boolean {
  for (const [key, item] of map._map) if (item.left !== null && !UNLISTED.has(key)) return true
  return false
}

/** The unresolved conflicts of one record: values that lost a concurrent edit and differ from the winner. */
export function recordConflicts(doc: Y.Doc, table: TableName, id: string): Conflict[] {
  const top = tableMap(doc, table)._map.get(id)
  if (top === undefined || (top.left === null && !hasHistory((top.content as Y.ContentType).type as RecordMap))) return []
  const maps = recordMaps(tableMap(doc, table), id)
  const resolved = resolvedIds(doc)
  const keys = new Set<string>()
  for (const map of maps) {
    for (const [key, item] of map._map) {
      // A key set once in the only map cannot conflict: the common case, kept cheap.
      if (!UNLISTED.has(key) && (item.left !== null || maps.length > 1)) keys.add(key)
    }
  }
  const conflicts: Conflict[] = []
  for (const key of keys) {
    const candidates = maps.flatMap((map) => heads(history(map, key)).map((item) => ({ map, item })))
    const [winner, ...losers] = candidates
    if (winner === undefined) continue
    const value = lastValue(winner.item)
    const winnerStamp = stampOf(winner.map, winner.item)
    for (const loser of losers) {
      const lost = lastValue(loser.item)
      const conflictId = `${loser.item.id.client}:${loser.item.id.clock + loser.item.length - 1}`
      if (lost === value || resolved.has(conflictId)) continue
      const stamp = stampOf(loser.map, loser.item)
      conflicts.push({
        conflict_id: conflictId,
        table,
        record_id: id,
        field: key,
        value,
        value_by: winnerStamp.by,
        value_at: winnerStamp.at,
        lost_value: lost,
        lost_by: stamp.by,
        lost_at: stamp.at,
      })
    }
  }
  return conflicts
}
