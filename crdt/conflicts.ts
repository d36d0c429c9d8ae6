/**
 * Conflicts: values that lost a concurrent edit of one field and differ from the winner, as the
 * Çakışmalar screen and the mirror's conflicts table list them. The winner is what readRecord
 * shows (records.ts); a loser is any other head of the key's history in any version of the
 * record, named by its own author's stamps, until someone resolves it (RESOLVED_MAP).
 */
import type * as Y from 'yjs'
import { DELETE_FIELDS, META_FIELDS, MOVE_FIELDS, type CellValue, type TableName } from '../schema/tables.ts'
import { RESOLVED_MAP, tableMap, type ResolvedConflict } from './records.ts'
import { cellOf, MALFORMED, mapOf, recordVersions, shownField, stampOf, valueOf } from './versions.ts'
import { currentItem, historyHeads, isCollected, itemHistory, keyedItems, previousItem, type YType } from './yjsInternals.ts'

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

function resolvedIds(doc: Y.Doc): Y.Map<ResolvedConflict> {
  return doc.getMap(RESOLVED_MAP)
}

/** Whether any listed field of `map` was ever set twice: without that no conflict can exist. */
function hasHistory(map: YType): boolean {
  for (const [key, item] of keyedItems(map)) if (previousItem(item) !== null && !UNLISTED.has(key)) return true
  return false
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
  // Keys iterate in the order their items arrived, which differs between replicas: sorted, every
  // replica lists a record's conflicts alike.
  return conflicts.sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : a.conflict_id < b.conflict_id ? -1 : a.conflict_id > b.conflict_id ? 1 : 0))
}
