/**
 * A record's history, read from the document itself: region documents keep every value ever
 * written (GC is off), so each field's item chain (crdt/yjsInternals.ts) is its history. Who wrote
 * each value and when comes from outside: the relay's log of which account stored which Yjs clocks
 * (relay/historyTable.ts), given here as an attribution lookup; the stamps a PC wrote beside the
 * value (updated_by, updated_at) are only what that PC claimed, shown second.
 *
 * Per value (one element of a key's chain, see versions.ts): the value it replaced is the element
 * it was written on top of — Yjs's origin, the value its writer saw shown — or nothing when the
 * writer saw no value. Whether it lost a concurrent race follows from the same origins, exactly:
 * an element that is not the one the record shows and that no element was written on top of was
 * never overwritten by anyone who saw it; only Yjs's tie-break between concurrent sets (by client
 * id, the same on every replica) hid it, and the item right of it in the chain, which its writer
 * had not seen, is what it lost to. An element somebody wrote on top of was replaced knowingly and
 * did not lose. (State vectors cannot say more: a PC's knowledge when it wrote is not stored, and
 * the origin is the part of it that concerns the key.)
 *
 * Concurrent creations of one natural key leave several maps under the id: each one's creation and
 * fields are listed; a field another map shows lost, as conflicts.ts counts it.
 */
import type * as Y from 'yjs'
import { TABLES, type CellValue, type TableName } from '../schema/tables.ts'
import { tableMap } from './records.ts'
import { cellOfElement, MALFORMED, mapOf, shownField, stampOf, type Element, type RecordVersion } from './versions.ts'
import { currentItem, itemHistory, nextItem, writtenOn, type YType } from './yjsInternals.ts'

/** What the relay's log says of a clock: the account that stored it, its session's PC, when. */
export interface Attribution {
  readonly account: string
  readonly device: { readonly id: string; readonly name: string | null } | null
  /** ms since the epoch; null when the log does not reach back to it (an account from client ids). */
  readonly at: number | null
}

export type AttributionLookup = (client: number, clock: number) => Attribution | undefined

export interface HistoryEntry {
  /** `create`: a record map set under the id; `set`: a field's value. */
  readonly kind: 'create' | 'set'
  /** The field set (null for a creation). `deleted_at` and `moved_to` are a deletion, a restore, a move. */
  readonly field: string | null
  readonly old: CellValue
  readonly new: CellValue
  /** `client:clock` of the value: the same on every replica. */
  readonly change: string
  readonly client: number
  readonly clock: number
  /** Attributed by the relay's log; undefined when it never saw the clock (not synced yet). */
  readonly attribution: Attribution | undefined
  /** What the writing PC stamped beside the value: its claim, not the relay's. */
  readonly claimedBy: string | null
  readonly claimedAt: string | null
  /** The value the record shows now. */
  readonly shown: boolean
  /** It lost a concurrent edit: nobody wrote on top of it and another value shows. */
  readonly lost: boolean
  /** The value it lost to (`client:clock`), when it lost. */
  readonly lostTo: string | null
}

/** Fields a history lists: the table's own, deletion and moves (stamps and bookkeeping are not changes). */
function listedKeys(table: TableName): string[] {
  return [...Object.keys(TABLES[table].fields), 'deleted_at', 'moved_to']
}

const idOf = (client: number, clock: number): string => `${client}:${clock}`

/** Every map ever set under `id`, newest first; unlike recordVersions also those of a deleted key. */
function allVersions(table: YType, id: string): Array<RecordVersion & { readonly item: Y.Item }> {
  const out: Array<RecordVersion & { readonly item: Y.Item }> = []
  for (const item of itemHistory(currentItem(table, id))) {
    const map = mapOf(item)
    if (map !== undefined) out.push({ map, live: !item.deleted, item })
  }
  return out
}

/** Every element of a key's chain in one map, oldest first, with the element each was written on. */
function chain(map: YType, key: string): Array<{ element: Element; on: string | null; next: Y.Item | null }> {
  const items = itemHistory(currentItem(map, key)).reverse()
  const out: Array<{ element: Element; on: string | null; next: Y.Item | null }> = []
  for (const item of items) {
    const origin = writtenOn(item)
    for (let index = 0; index < item.length; index++) {
      // A merged item's elements were each set on the one before it (that is why Yjs merged them).
      const on = index > 0 ? idOf(item.id.client, item.id.clock + index - 1) : origin === null ? null : idOf(origin.client, origin.clock)
      out.push({ element: { item, index }, on, next: index === item.length - 1 ? nextItem(item) : null })
    }
  }
  return out
}

/**
 * Every change of record `id` of `table` in `doc`, in the order the relay stored them (the PC's
 * stamps order what it has not): creations and field values with old → new, attribution,
 * claimed stamps, and whether each lost a concurrent edit. Malformed values (what the readers
 * skip, records.ts) are left out; a value written on one reads as written on what it replaced.
 */
export function recordHistory(doc: Y.Doc, table: TableName, id: string, attribute: AttributionLookup): HistoryEntry[] {
  const records = tableMap(doc, table)
  const versions = allVersions(records, id)
  if (versions.length === 0) return []
  const entries: HistoryEntry[] = []
  // What readRecord reads: every version while the key holds a live item, nothing once it does not.
  const top = currentItem(records, id)
  const readable = top !== undefined && !top.deleted ? versions : []
  const shownMap = readable.find((v) => v.live)?.map
  for (const version of versions) {
    const creation = version.item
    const lostCreation = version.map !== shownMap
    entries.push({
      kind: 'create',
      field: null,
      old: null,
      new: null,
      change: idOf(creation.id.client, creation.id.clock),
      client: creation.id.client,
      clock: creation.id.clock,
      attribution: attribute(creation.id.client, creation.id.clock),
      // A creation's stamps are the first ones its map holds.
      claimedBy: firstStamp(version.map, 'updated_by'),
      claimedAt: firstStamp(version.map, 'updated_at'),
      shown: !lostCreation,
      lost: lostCreation,
      lostTo: lostCreation && shownMap !== undefined ? changeOfMap(versions, shownMap) : null,
    })
  }
  for (const key of listedKeys(table)) {
    const shown = shownField(readable, key)
    const shownId = shown === undefined ? null : idOf(shown.shown.item.id.client, shown.shown.item.id.clock + shown.shown.index)
    for (const version of versions) {
      const elements = chain(version.map, key)
      if (elements.length === 0) continue
      const values = new Map<string, CellValue>()
      const builtOn = new Set<string>()
      for (const { element, on } of elements) {
        const cell = cellOfElement(element)
        const change = idOf(element.item.id.client, element.item.id.clock + element.index)
        // A malformed value stands for what it was written on, so the next one reads as replacing that.
        values.set(change, cell === MALFORMED ? (on === null ? null : (values.get(on) ?? null)) : cell)
        if (on !== null) builtOn.add(on)
      }
      for (const { element, on, next } of elements) {
        const cell = cellOfElement(element)
        if (cell === MALFORMED) continue
        const client = element.item.id.client
        const clock = element.item.id.clock + element.index
        const change = idOf(client, clock)
        const isShown = change === shownId
        const lost = !isShown && !builtOn.has(change) && shownId !== null
        const claimed = stampOf(version.map, element)
        entries.push({
          kind: 'set',
          field: key,
          old: on === null ? null : (values.get(on) ?? null),
          new: cell,
          change,
          client,
          clock,
          attribution: attribute(client, clock),
          claimedBy: claimed.by,
          claimedAt: claimed.at,
          shown: isShown,
          lost,
          lostTo: lost ? (next !== null ? idOf(next.id.client, next.id.clock) : shownId) : null,
        })
      }
    }
  }
  return entries.sort(byStorage)
}

/** The oldest stamp a map holds under `key` (a creation's own), if readable. */
function firstStamp(map: YType, key: string): string | null {
  const first = itemHistory(currentItem(map, key)).at(-1)
  if (first === undefined) return null
  const value = cellOfElement({ item: first, index: 0 })
  return typeof value === 'string' ? value : null
}

function changeOfMap(versions: ReadonlyArray<RecordVersion & { readonly item: Y.Item }>, map: YType): string | null {
  const version = versions.find((v) => v.map === map)
  return version === undefined ? null : idOf(version.item.id.client, version.item.id.clock)
}

/**
 * Where a change goes in a history: what was written before the relay kept history (an account
 * but no time) first, then what it stored, by its time, then what it has not stored yet; the
 * first and last by the PC's stamp. Within one time, each client's clock order, which is the order
 * its PC made them in.
 */
export function storageOrder(entry: HistoryEntry): readonly [rank: number, time: number] {
  const claimed = entry.claimedAt === null ? Number.MAX_SAFE_INTEGER : Date.parse(entry.claimedAt) || Number.MAX_SAFE_INTEGER
  if (entry.attribution === undefined) return [2, claimed]
  return entry.attribution.at === null ? [0, claimed] : [1, entry.attribution.at]
}

function byStorage(a: HistoryEntry, b: HistoryEntry): number {
  const [x, y] = [storageOrder(a), storageOrder(b)]
  return x[0] - y[0] || x[1] - y[1] || a.client - b.client || a.clock - b.clock || (a.kind === 'create' ? -1 : b.kind === 'create' ? 1 : 0)
}

/** One stored clock range and what the relay knows of it. */
export interface AttributedClocks extends Attribution {
  readonly client: number
  readonly from: number
  readonly to: number
}

/** A lookup over stored ranges; clocks outside every range go to `fallback` (the client's owner). */
export function attributionFrom(ranges: readonly AttributedClocks[], fallback: (client: number) => Attribution | undefined = () => undefined): AttributionLookup {
  const byClient = new Map<number, AttributedClocks[]>()
  for (const range of ranges) {
    let list = byClient.get(range.client)
    if (list === undefined) byClient.set(range.client, (list = []))
    list.push(range)
  }
  for (const list of byClient.values()) list.sort((a, b) => a.from - b.from)
  return (client, clock) => {
    const list = byClient.get(client)
    if (list !== undefined) {
      let [low, high] = [0, list.length - 1]
      while (low <= high) {
        const middle = (low + high) >> 1
        const range = list[middle] as AttributedClocks
        if (clock < range.from) high = middle - 1
        else if (clock >= range.to) low = middle + 1
        else return { account: range.account, device: range.device, at: range.at }
      }
    }
    return fallback(client)
  }
}

/**
 * Which value each listed field of record `id` shows now, as `client:clock` (an undo checks that
 * a field still shows the value its edit wrote, client/undo.ts). Fields showing nothing are absent.
 */
export function shownChanges(doc: Y.Doc, table: TableName, id: string): Map<string, string> {
  const records = tableMap(doc, table)
  const top = currentItem(records, id)
  const out = new Map<string, string>()
  if (top === undefined || top.deleted) return out
  const versions = allVersions(records, id)
  for (const key of listedKeys(table)) {
    const shown = shownField(versions, key)
    if (shown !== undefined) out.set(key, idOf(shown.shown.item.id.client, shown.shown.item.id.clock + shown.shown.index))
  }
  return out
}
