/**
 * What a key has held, as the record readers read it: every map ever set under a record id (its
 * versions), the element a field shows, the scalar an item's element holds (or MALFORMED), and
 * the stamps that name an edit's author. The rules are in records.ts; this module is shared by
 * records.ts, conflicts.ts and malformed.ts so the three read one history the same way.
 */
import type * as Y from 'yjs'
import type { CellValue } from '../schema/tables.ts'
import { createdMap, currentItem, isCollected, itemHistory, itemValues, previousItem, type YType } from './yjsInternals.ts'

/** What a malformed item reads as: no value at all, which is not null. */
export const MALFORMED = Symbol('malformed')
export type Cell = CellValue | typeof MALFORMED

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
export function cellOf(item: Y.Item): Cell {
  return cellAt(item, item.length - 1)
}

/** One version of a key: element `index` of `item`. */
export interface Element {
  readonly item: Y.Item
  readonly index: number
}

/** The record map an item holds, if it holds one. */
export function mapOf(item: Y.Item): YType | undefined {
  return createdMap(item)
}

/** One map ever set under a record id; `live` unless it lost or was replaced (then it is deleted). */
export interface RecordVersion {
  readonly map: YType
  readonly live: boolean
}

/**
 * The record maps ever set under `id`, the live one first; none for a deleted key. More than one
 * when replicas created the same natural-key record concurrently, or a bad item replaced a map.
 */
export function recordVersions(table: YType, id: string): RecordVersion[] {
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
export function shownElement(version: RecordVersion, key: string): Element | undefined {
  const top = currentItem(version.map, key)
  if (top === undefined || (version.live && top.deleted)) return undefined
  for (let item: Y.Item | null = top; item !== null; item = previousItem(item)) {
    // Only these hold values; any other item is malformed in every element.
    if (itemValues(item) === undefined && !isCollected(item)) continue
    for (let index = item.length - 1; index >= 0; index--) if (cellAt(item, index) !== MALFORMED) return { item, index }
  }
  return undefined
}

/** What element `element` holds: a scalar, or MALFORMED for what the readers skip. */
export function cellOfElement(element: Element): Cell {
  return cellAt(element.item, element.index)
}

export function valueOf(element: Element): CellValue {
  return cellAt(element.item, element.index) as CellValue
}

/** Author and time of an edit: the stamps its client wrote right after it, in the same transaction. */
export function stampOf(map: YType, edit: Element): { by: string | null; at: string | null } {
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

/** The element readRecord shows for field `key`, with its map: the newest map holding the key decides. */
export function shownField(versions: readonly RecordVersion[], key: string): { map: YType; shown: Element } | undefined {
  for (const version of versions) {
    const shown = shownElement(version, key)
    if (shown !== undefined) return { map: version.map, shown }
  }
  return undefined
}
