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
 * malformedItems lists what the rules skip, as long as it is what a key shows (the newest item);
 * crdt/repair.ts overwrites those with ordinary edits, after which the list is empty and every
 * reader reads what it read before.
 */
import type * as Y from 'yjs'
import { DELETIONS_MAP, PROVENANCE_MAP } from './legacy/ledger.ts'
import { DELETE_FIELDS, isTableName, META_FIELDS, MOVE_FIELDS, type CellValue, type TableName } from '../schema/tables.ts'
import {
  contentKind,
  type ContentKind,
  createdMap,
  currentItem,
  historyHeads,
  isCollected,
  itemHistory,
  itemValues,
  keyedItems,
  listLength,
  liveListItems,
  previousItem,
  type YType,
} from './yjsInternals.ts'

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
const UNLISTED = new Set<string>([...META_FIELDS, ...DELETE_FIELDS, ...MOVE_FIELDS])

export function tableMap(doc: Y.Doc, table: TableName): TableMap {
  return doc.getMap(table)
}

/** What a malformed item reads as: no value at all, which is not null. */
const MALFORMED = Symbol('malformed')
type Cell = CellValue | typeof MALFORMED

/**
 * The scalar element `index` of an item holds, or MALFORMED. One item may hold several values of
 * a key: Yjs merges consecutive deleted items of one client (say a value and the bad one set
 * right after it, once their map is deleted), so each element is one version of the key.
 */
function cellAt(item: Y.Item, index: number): Cell {
  const values = itemValues(item)
  // A writer with GC on dropped the content of a value it deleted: a value once, unknown now.
  if (values === undefined) return isCollected(item) ? null : MALFORMED
  const value: unknown = values[index]
  switch (typeof value) {
    case 'string':
    case 'number':
      return value
    case 'boolean':
      return value ? 1 : 0
    case 'undefined':
      return null
    case 'object':
      return value === null ? null : MALFORMED
    default:
      return MALFORMED
  }
}

/** The value an item shows: its last element, as Y.Map#get reads it. */
function cellOf(item: Y.Item): Cell {
  return cellAt(item, item.length - 1)
}

/** One version of a key: element `index` of `item`. */
interface Element {
  readonly item: Y.Item
  readonly index: number
}

/** The record map an item holds, if it holds one. */
function mapOf(item: Y.Item): RecordMap | undefined {
  return createdMap(item) as RecordMap | undefined
}

/** One map ever set under a record id; `live` unless it lost or was replaced (then it is deleted). */
interface RecordVersion {
  readonly map: RecordMap
  readonly live: boolean
}

/**
 * The record maps ever set under `id`, the live one first; none for a deleted key. More than one
 * when replicas created the same natural-key record concurrently, or a bad item replaced a map.
 */
function recordVersions(table: TableMap, id: string): RecordVersion[] {
  const top = currentItem(table, id)
  if (top === undefined || top.deleted) return []
  const versions: RecordVersion[] = []
  for (let item: Y.Item | null = top; item !== null; item = previousItem(item)) {
    const map = mapOf(item)
    if (map !== undefined) versions.push({ map, live: !item.deleted })
  }
  return versions
}

/** The element field `key` of `version` shows: its newest readable one; undefined when absent there. */
function shownElement(version: RecordVersion, key: string): Element | undefined {
  const top = currentItem(version.map, key)
  if (top === undefined || (version.live && top.deleted)) return undefined
  for (let item: Y.Item | null = top; item !== null; item = previousItem(item)) {
    // Only these hold values; any other item is malformed in every element.
    if (itemValues(item) === undefined && !isCollected(item)) continue
    for (let index = item.length - 1; index >= 0; index--) if (cellAt(item, index) !== MALFORMED) return { item, index }
  }
  return undefined
}

function valueOf(element: Element): CellValue {
  return cellAt(element.item, element.index) as CellValue
}

/** Author and time of an edit: the stamps its client wrote right after it, in the same transaction. */
function stampOf(map: RecordMap, edit: Element): { by: string | null; at: string | null } {
  const client = edit.item.id.client
  const clock = edit.item.id.clock + edit.index
  const find = (key: string): string | null => {
    let best: Element | undefined
    let bestClock = Infinity
    for (const stamp of itemHistory(currentItem(map, key))) {
      if (stamp.id.client !== client || stamp.id.clock + stamp.length - 1 <= clock) continue
      // The first element of the stamp item written after the edit (stamp items merge too).
      const at = Math.max(stamp.id.clock, clock + 1)
      if (at < bestClock) [best, bestClock] = [{ item: stamp, index: at - stamp.id.clock }, at]
    }
    const value = best === undefined ? null : cellAt(best.item, best.index)
    return typeof value === 'string' ? value : null
  }
  return { by: find('updated_by'), at: find('updated_at') }
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

function resolvedIds(doc: Y.Doc): Y.Map<ResolvedConflict> {
  return doc.getMap(RESOLVED_MAP)
}

/** Whether any listed field of `map` was ever set twice: without that no conflict can exist. */
function hasHistory(map: RecordMap): boolean {
  for (const [key, item] of keyedItems(map)) if (previousItem(item) !== null && !UNLISTED.has(key)) return true
  return false
}

/** The element readRecord shows for field `key`, with its map: the newest map holding the key decides. */
function shownField(versions: readonly RecordVersion[], key: string): { map: RecordMap; shown: Element } | undefined {
  for (const version of versions) {
    const shown = shownElement(version, key)
    if (shown !== undefined) return { map: version.map, shown }
  }
  return undefined
}

/**
 * Who wrote the value readRecord shows for field `key`, and when — what a conflict names as its
 * winner's author; nulls when the field shows nothing or was written without stamps.
 */
export function shownStamp(doc: Y.Doc, table: TableName, id: string, key: string): { by: string | null; at: string | null } {
  const shown = shownField(recordVersions(tableMap(doc, table), id), key)
  return shown === undefined ? { by: null, at: null } : stampOf(shown.map, shown.shown)
}

/** The unresolved conflicts of one record: values that lost a concurrent edit and differ from the winner. */
export function recordConflicts(doc: Y.Doc, table: TableName, id: string): Conflict[] {
  const records = tableMap(doc, table)
  const top = currentItem(records, id)
  if (top === undefined || top.deleted) return []
  if (previousItem(top) === null) {
    const map = mapOf(top)
    if (map === undefined || !hasHistory(map)) return []
  }
  const versions = recordVersions(records, id)
  const resolved = resolvedIds(doc)
  const keys = new Set<string>()
  for (const { map } of versions) {
    for (const [key, item] of keyedItems(map)) {
      // A key set once in the only map cannot conflict: the common case, kept cheap.
      if (!UNLISTED.has(key) && (previousItem(item) !== null || versions.length > 1)) keys.add(key)
    }
  }
  const conflicts: Conflict[] = []
  for (const key of keys) {
    // The winner is what readRecord shows.
    const winner = shownField(versions, key)
    if (winner === undefined) continue
    const value = valueOf(winner.shown)
    const winnerStamp = stampOf(winner.map, winner.shown)
    for (const version of versions) {
      const top = currentItem(version.map, key)
      if (top === undefined || (version.live && top.deleted)) continue
      for (const loser of historyHeads(itemHistory(top))) {
        if (loser === winner.shown.item) continue
        // A loser collected by a writer with GC on has no value left to offer.
        const lost = isCollected(loser) ? MALFORMED : cellOf(loser)
        const conflictId = `${loser.id.client}:${loser.id.clock + loser.length - 1}`
        if (lost === MALFORMED || lost === value || resolved.has(conflictId)) continue
        const stamp = stampOf(version.map, { item: loser, index: loser.length - 1 })
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
  }
  return conflicts
}

/** Roots beside the tables that Rainstaff writes; their entries are read where they are used. */
export const SUPPORT_ROOTS: ReadonlySet<string> = new Set([RESOLVED_MAP, DELETIONS_MAP, PROVENANCE_MAP])

/** A bilingual text for people. */
export interface Message {
  readonly tr: string
  readonly en: string
}

/**
 * Something the readers skip, by what holds it:
 * - `root`: a root type that is neither a table nor a support map;
 * - `list`: list items in a table root (key null);
 * - `record`: the newest item under a record id is no map;
 * - `field`: the newest item of a field of a live record map is no scalar.
 */
export interface MalformedItem {
  readonly kind: 'root' | 'list' | 'record' | 'field'
  /** The table, or the name of the root. */
  readonly root: string
  readonly key: string | null
  readonly field: string | null
  readonly problem: Message
}

/** What an item holds, in words. */
/** What a nested type is called in messages. */
const TYPE_NAMES: Readonly<Record<'map' | 'array' | 'text' | 'xml' | 'type', string>> = { map: 'Y.Map', array: 'Y.Array', text: 'Y.Text', xml: 'Y.Xml', type: 'Yjs' }

function describe(item: Y.Item): Message {
  const kind = contentKind(item)
  switch (kind) {
    case 'values': {
      const values = itemValues(item) as readonly unknown[]
      const value = values[values.length - 1]
      if (typeof value === 'string') return { tr: 'bir metin', en: 'a string' }
      if (typeof value === 'number') return { tr: 'bir sayı', en: 'a number' }
      if (typeof value === 'boolean') return { tr: 'bir mantıksal değer', en: 'a boolean' }
      if (typeof value === 'bigint') return { tr: 'bir bigint', en: 'a bigint' }
      if (value === null || value === undefined) return { tr: 'boş bir değer', en: 'null' }
      return Array.isArray(value) ? { tr: 'bir JSON dizisi', en: 'a JSON array' } : { tr: 'bir JSON nesnesi', en: 'a JSON object' }
    }
    case 'map':
    case 'array':
    case 'text':
    case 'xml':
    case 'type':
      return { tr: `iç içe bir ${TYPE_NAMES[kind]} türü`, en: `a nested ${TYPE_NAMES[kind]} type` }
    case 'binary':
      return { tr: 'ikili veri', en: 'binary data' }
    case 'subdoc':
      return { tr: 'bir alt belge', en: 'a subdocument' }
    case 'characters':
      return { tr: 'metin karakterleri', en: 'text characters' }
    case 'collected':
      return { tr: 'silinmiş içerik', en: 'deleted content' }
    case 'formatting':
    case 'embed':
      return { tr: 'metin biçimi ya da gömülü içerik', en: 'text formatting or an embed' }
  }
}

/** Live entries of a root's map part. */
function liveMapItems(type: YType): Y.Item[] {
  const items: Y.Item[] = []
  for (const item of keyedItems(type).values()) if (!item.deleted) items.push(item)
  return items
}

function liveItems(type: YType): Y.Item[] {
  return [...liveListItems(type), ...liveMapItems(type)]
}

/**
 * What the repair deletes under root `name`: all its live content for a root that is no table,
 * the live list items for a table.
 */
export function skippedRootItems(doc: Y.Doc, name: string): Y.Item[] {
  const type = doc.share.get(name)
  if (type === undefined || SUPPORT_ROOTS.has(name)) return []
  return isTableName(name) ? liveListItems(type) : liveItems(type)
}

/** Content only a Y.Text holds in its list part. */
const TEXT_CONTENT: ReadonlySet<ContentKind> = new Set(['characters', 'formatting', 'embed'])

function rootProblem(type: YType): Message {
  const list = liveListItems(type)
  const first = list[0]
  const kind: Message =
    first === undefined
      ? { tr: 'Y.Map', en: 'a Y.Map' }
      : TEXT_CONTENT.has(contentKind(first))
        ? { tr: 'Y.Text', en: 'a Y.Text' }
        : { tr: 'Y.Array', en: 'a Y.Array' }
  return {
    tr: `Rainstaff tablosu olmayan bir kök tür (${kind.tr}); okuyucular yok sayar`,
    en: `a root type that is no Rainstaff table (${kind.en}); readers ignore it`,
  }
}

function compareItems(a: MalformedItem, b: MalformedItem): number {
  const order = (x: MalformedItem): string => `${x.root}\u0000${x.key ?? ''}\u0000${x.field ?? ''}`
  const [x, y] = [order(a), order(b)]
  return x < y ? -1 : x > y ? 1 : 0
}

/**
 * What the readers of `doc` skip, sorted by root, key and field: only what a key shows (its
 * newest item), since that is what an edit can replace; older bad items are inert history.
 */
export function malformedItems(doc: Y.Doc): MalformedItem[] {
  const found: MalformedItem[] = []
  for (const [name, type] of doc.share) {
    if (!isTableName(name)) {
      if (!SUPPORT_ROOTS.has(name) && liveItems(type).length > 0) {
        found.push({ kind: 'root', root: name, key: null, field: null, problem: rootProblem(type) })
      }
      continue
    }
    const list = listLength(liveListItems(type))
    if (list > 0) {
      found.push({
        kind: 'list',
        root: name,
        key: null,
        field: null,
        problem: {
          tr: `tabloda ${list} liste öğesi var (Y.Array olarak yazılmış); okuyucular yok sayar`,
          en: `${list} list items in a table root (written as a Y.Array); readers ignore them`,
        },
      })
    }
    for (const [id, top] of keyedItems(type)) {
      if (top.deleted) continue
      const map = mapOf(top)
      if (map === undefined) {
        const earlier = readRecord(doc, name, id) !== undefined
        const what = describe(top)
        found.push({
          kind: 'record',
          root: name,
          key: id,
          field: null,
          problem: {
            tr: `kayıt ${what.tr}, Y.Map değil; okuyucular ${earlier ? 'önceki kaydı gösterir' : 'kaydı göstermez'}`,
            en: `the record is ${what.en}, not a Y.Map; readers show ${earlier ? 'the record before it' : 'no record'}`,
          },
        })
        continue
      }
      for (const [key, field] of keyedItems(map)) {
        if (field.deleted || cellOf(field) !== MALFORMED) continue
        const what = describe(field)
        found.push({
          kind: 'field',
          root: name,
          key: id,
          field: key,
          problem: {
            tr: `değer ${what.tr}, tek bir değer değil; okuyucular önceki değeri ya da boş gösterir`,
            en: `the value is ${what.en}, not a scalar; readers show the value before it, or null`,
          },
        })
      }
    }
  }
  return found.sort(compareItems)
}
