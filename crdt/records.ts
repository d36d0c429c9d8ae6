/**
 * Reading records out of a region document, including what Yjs hides.
 *
 * Layout: one root Y.Map per table, one nested Y.Map per record keyed by record id. Region docs
 * are created with `gc: false`, so values that lost a concurrent edit keep their content; they
 * are read back to list conflicts instead of hiding them.
 *
 * Two kinds of concurrency meet here:
 * - Two replicas set the same field of one record map. Yjs keeps the rightmost item of the key's
 *   history as the winner (ordered by client id, the same on every replica). Any other item of the
 *   history that no later item builds on (a "head") was written without knowledge of the winner.
 * - Two replicas create the same natural-key record (one plate, two offices). Both nested maps
 *   exist; Yjs keeps one under the id. The record shown is the union of every map ever set under
 *   the id: the winning map's fields first, then fields only the losing maps have, so no office's
 *   entry vanishes.
 *
 * What is stored is read, never trusted. Until the relay guarded its documents an editor could
 * store any shape, and an item stays in its key's history for good (a new edit cannot remove it;
 * GC is off), so these readers skip what they cannot read instead of throwing: one bad item must
 * not take every reader of a region down. One rule at every level: a malformed item reads as if
 * it had never been written.
 * - A record (table key) whose newest item is no Y.Map — a string, a number, JSON, a Y.Text or
 *   Y.Array, binary data — is the union of the key's earlier maps, as if the bad item had never
 *   been set; with no earlier map there is no record. The record is left out whole rather than
 *   shown empty: it has no stamps, no region, no required field.
 * - A field whose newest item is no scalar — a JSON object or array, a nested Y type, binary data,
 *   a subdocument — shows its earlier value, else nothing (null). A non-scalar that lost a
 *   concurrent edit is no conflict: nobody could choose it.
 * - Scalars are read whatever the schema says (a number in a text field, text in an integer
 *   field): SQLite holds them, and validating is the writers' job. Booleans read as 1 and 0, which
 *   is how SQLite stores them. Strings are kept at any length: the relay's message limit bounds
 *   them, and a long note is not malformed.
 * - List items in a table root (a writer used the table's name as a Y.Array) and roots that are
 *   neither a table nor a support map are invisible here.
 * - Deletions, which Rainstaff never makes (it deletes softly), read as Yjs reads them: a deleted
 *   record key, or a record map with nothing live in it, is no record; a deleted field of a live
 *   map is absent. Inside a map that is itself deleted — it lost a concurrent creation, or a bad
 *   item replaced it — every field was deleted along with it and is read anyway: that is the
 *   union above.
 * malformedItems (malformed.ts) lists what the rules skip, as long as it is what a key shows (the
 * newest item); crdt/repair.ts overwrites those with ordinary edits, after which the list is empty
 * and every reader reads what it read before. recordConflicts (conflicts.ts) lists the losers;
 * versions.ts is the history all three read.
 */
import type * as Y from 'yjs'
import { DELETIONS_MAP, PROVENANCE_MAP } from './legacy/ledger.ts'
import { DELETE_FIELDS, type CellValue, type TableName } from '../schema/tables.ts'
import { recordVersions, shownElement, shownField, stampOf, valueOf, type RecordVersion } from './versions.ts'
import { createdMap, currentItem, itemValues, keyedItems, previousItem } from './yjsInternals.ts'

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

export function tableMap(doc: Y.Doc, table: TableName): TableMap {
  return doc.getMap(table)
}

/**
 * Reads record `id` of `table`, merging concurrently created maps. Returns undefined when there
 * is no such record: never created, hard-deleted, or nothing readable under the id.
 * `deleted_at` is non-null for soft-deleted records.
 */
export function readRecord(doc: Y.Doc, table: TableName, id: string): RecordFields | undefined {
  const versions = recordVersions(tableMap(doc, table), id)
  const record: RecordFields = {}
  let fields = 0
  // Losing maps first so the live map's values overwrite theirs.
  for (let i = versions.length - 1; i >= 0; i--) {
    const version = versions[i] as RecordVersion
    for (const key of keyedItems(version.map).keys()) {
      const shown = shownElement(version, key)
      if (shown === undefined) continue
      record[key] = valueOf(shown)
      fields++
    }
  }
  if (fields === 0) return undefined
  record.id = id
  for (const key of DELETE_FIELDS) record[key] ??= null
  return record
}

/**
 * Fields `keys` of record `id` (absent ones null), exactly as readRecord reads them, without
 * building an object: a cold open reads every record of a region this way. The direct path takes
 * the common record (one live map, plain values); anything else goes through readRecord.
 */
export function readFields(doc: Y.Doc, table: TableName, id: string, keys: readonly string[]): CellValue[] | undefined {
  const item = currentItem(tableMap(doc, table), id)
  if (item === undefined) return undefined
  const map = previousItem(item) === null && !item.deleted ? createdMap(item) : undefined
  if (map === undefined) return fieldsOf(doc, table, id, keys)
  const fields = keyedItems(map)
  const values = new Array<CellValue>(keys.length)
  let live = false
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    const field = fields.get(key)
    if (key === 'id') values[i] = id
    else if (field === undefined) values[i] = null
    else {
      const cell = itemValues(field)
      if (cell === undefined || field.deleted) return fieldsOf(doc, table, id, keys)
      const value: unknown = cell[cell.length - 1]
      if (typeof value !== 'string' && typeof value !== 'number' && value !== null) return fieldsOf(doc, table, id, keys)
      values[i] = value
      live = true
    }
  }
  // With no live field read, the record may be a map with nothing live in it: readRecord decides.
  return live ? values : fieldsOf(doc, table, id, keys)
}

/** readFields through readRecord: records with history, bad items or deletions. */
function fieldsOf(doc: Y.Doc, table: TableName, id: string, keys: readonly string[]): CellValue[] | undefined {
  const record = readRecord(doc, table, id)
  return record === undefined ? undefined : keys.map((key) => record[key] ?? null)
}

/** Ids ever set in `table`, deleted records and keys holding nothing readable included. */
export function recordIds(doc: Y.Doc, table: TableName): IterableIterator<string> {
  return keyedItems(tableMap(doc, table)).keys()
}

/**
 * Who wrote the value readRecord shows for field `key`, and when — what a conflict names as its
 * winner's author; nulls when the field shows nothing or was written without stamps.
 */
export function shownStamp(doc: Y.Doc, table: TableName, id: string, key: string): { by: string | null; at: string | null } {
  const shown = shownField(recordVersions(tableMap(doc, table), id), key)
  return shown === undefined ? { by: null, at: null } : stampOf(shown.map, shown.shown)
}

/** Roots beside the tables that Rainstaff writes; their entries are read where they are used. */
export const SUPPORT_ROOTS: ReadonlySet<string> = new Set([RESOLVED_MAP, DELETIONS_MAP, PROVENANCE_MAP])
