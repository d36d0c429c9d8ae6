/**
 * Repairing what the readers skip (crdt/records.ts malformedItems), with ordinary edits on top of
 * the history rather than a rebuilt document.
 *
 * Why edits: Yjs cannot take an item out of a history, and a fresh doc holding copies of the
 * valid records has new item ids, so every client still holding the old doc would merge the old
 * history back in the next time it synced — each office would have to throw its offline copy
 * away, losing whatever it had not sent yet. An edit converges instead: a new item set under a
 * bad key has the bad item as its origin, so it wins on every replica, stock Yjs readers (and
 * Rainstaff's writers, which call `Y.Map#get`) see a valid value, and clients need nothing but a
 * sync. The bad items stay in the history as losers, which the readers already skip.
 *
 * Each repair writes what the readers show already, so no reader's result changes:
 * - `record`: a new Y.Map under the id holding the record readRecord shows (the union of the
 *   earlier maps, soft-delete stamps included), or a delete of the key when it shows none;
 * - `field`: the value readRecord shows set again in the live map, or a delete of the field when
 *   it shows none;
 * - `list` and `root`: their live items deleted (the readers never see them).
 * A repair is nobody's edit of the data, so the record's `updated_at`/`updated_by` keep their
 * values. Yet readers name a value's author by the stamps written right after it, and a
 * rewritten value that wins a conflict must keep its author: such a value is followed by its own
 * author's stamps, and the record's current stamps are written again last, which is what the
 * record then shows.
 */
import * as Y from 'yjs'
import * as random from 'lib0/random'
import { isTableName, type CellValue, type TableName } from '../schema/tables.ts'
import { malformedItems, skippedRootItems, type MalformedItem } from './malformed.ts'
import { readRecord, shownStamp, tableMap, type RecordMap } from './records.ts'
import { deleteItem, knowsClient } from './yjsInternals.ts'

/** Transaction origin of repairs. */
export const REPAIR_ORIGIN = 'rainstaff:repair'

type Stamp = { by: string | null; at: string | null }

const STAMP_KEYS = new Set<string>(['updated_at', 'updated_by'])

/** The record's own stamps, as readRecord shows them (undefined: the record has none). */
function recordStamp(record: Readonly<Record<string, CellValue>> | undefined): { at: CellValue | undefined; by: CellValue | undefined } {
  return { at: record?.updated_at, by: record?.updated_by }
}

function setOrDelete(map: RecordMap, key: string, value: CellValue | undefined): void {
  if (value === undefined) map.delete(key)
  else map.set(key, value)
}

/**
 * Writes `values` into `map` so that each keeps the author readers name for it (`authors`), then
 * the record's own stamps `own`. Values whose author the final stamps name already come last.
 */
function writeAttributed(
  map: RecordMap,
  values: ReadonlyArray<readonly [string, CellValue | undefined]>,
  authors: ReadonlyMap<string, Stamp>,
  own: { at: CellValue | undefined; by: CellValue | undefined },
): void {
  const named = (key: string): boolean => {
    const author = authors.get(key)
    return author === undefined || (author.at === (own.at ?? null) && author.by === (own.by ?? null))
  }
  for (const [key, value] of values) {
    if (named(key)) continue
    setOrDelete(map, key, value)
    const author = authors.get(key) as Stamp
    map.set('updated_at', author.at)
    map.set('updated_by', author.by)
  }
  for (const [key, value] of values) if (named(key)) setOrDelete(map, key, value)
  setOrDelete(map, 'updated_at', own.at)
  setOrDelete(map, 'updated_by', own.by)
}

function authorsOf(doc: Y.Doc, table: TableName, id: string, keys: Iterable<string>): Map<string, Stamp> {
  const authors = new Map<string, Stamp>()
  for (const key of keys) authors.set(key, shownStamp(doc, table, id, key))
  return authors
}

/** Replaces the malformed winner under record `id` by a map of what readers show, or deletes the key. */
function repairRecord(doc: Y.Doc, table: TableName, id: string): void {
  const records = tableMap(doc, table)
  const record = readRecord(doc, table, id)
  if (record === undefined) {
    records.delete(id)
    return
  }
  // Null fields stay unset: the earlier maps below the new one show null for them already.
  const values = Object.entries(record).filter(([key, value]) => key !== 'id' && !STAMP_KEYS.has(key) && value !== null)
  const authors = authorsOf(doc, table, id, values.map(([key]) => key))
  const map: RecordMap = new Y.Map()
  // Set under the id first: only an integrated map's items have the ids stamps are matched by.
  records.set(id, map)
  writeAttributed(map, values, authors, recordStamp(record))
}

/** Sets the malformed fields of the live map of record `id` to what readers show. */
function repairFields(doc: Y.Doc, table: TableName, id: string, fields: readonly string[]): void {
  const map = tableMap(doc, table).get(id)
  if (!(map instanceof Y.Map)) return
  const record = readRecord(doc, table, id)
  const values = fields.filter((key) => !STAMP_KEYS.has(key)).map((key) => [key, record?.[key]] as const)
  writeAttributed(map, values, authorsOf(doc, table, id, fields), recordStamp(record))
}

/**
 * Repairs every malformed item of `doc` in one transaction and returns what it repaired. Listen
 * to the doc's `update` event for the edit to store or send; nothing is written when the list
 * is empty.
 */
export function repairMalformed(doc: Y.Doc, origin: unknown = REPAIR_ORIGIN): MalformedItem[] {
  const items = malformedItems(doc)
  if (items.length === 0) return items
  const fields = new Map<string, { table: TableName; id: string; fields: string[] }>()
  // A client id new to the doc: readers match a value to the stamps its own client wrote after
  // it, and the repair's stamps must not become those of an earlier stamp-less edit.
  const own = doc.clientID
  let client = random.uint32()
  while (client === 0 || knowsClient(doc, client)) client = random.uint32()
  doc.clientID = client
  try {
    doc.transact((transaction) => {
      for (const item of items) {
        if (item.kind === 'root' || item.kind === 'list') {
          for (const live of skippedRootItems(doc, item.root)) deleteItem(live, transaction)
        } else if (isTableName(item.root) && item.key !== null) {
          if (item.kind === 'record') repairRecord(doc, item.root, item.key)
          else if (item.field !== null) {
            const at = `${item.root}\u0000${item.key}`
            const entry = fields.get(at) ?? { table: item.root, id: item.key, fields: [] }
            entry.fields.push(item.field)
            fields.set(at, entry)
          }
        }
      }
      for (const { table, id, fields: keys } of fields.values()) repairFields(doc, table, id, keys)
    }, origin)
  } finally {
    doc.clientID = own
  }
  return items
}
