/**
 * An edit written as an office that had not seen the fields' current values would have made it:
 * each new value has no origin among the key's items, so it is concurrent with all of them. Yjs
 * then picks the winner by client id, on every replica alike, and the other value is a conflict
 * (crdt/conflicts.ts) for someone to resolve. client/migrateCopy.ts writes a round-1 copy's
 * unsent edit this way where another office changed the field meanwhile: round 1 would have
 * merged the two as concurrent, and an ordinary update would silently overwrite the other value.
 */
import * as Y from 'yjs'
import type { CellValue, TableName } from '../schema/tables.ts'
import { tableMap, type RecordMap } from './records.ts'
import { createRegionDoc, LOCAL_EDIT, RecordError, stamp, timestamp, type Author } from './regionDoc.ts'
import { applyOwnUpdate, setAsUnseen } from './yjsInternals.ts'

/** Sets `changes` on record `id` of `table` in `doc`, concurrently with every value its keys held; the caller validates them. */
export function setConcurrently(doc: Y.Doc, table: TableName, id: string, changes: Readonly<Record<string, CellValue>>, author: Author): void {
  if (!(tableMap(doc, table).get(id) instanceof Y.Map)) throw new RecordError(table, id, 'damaged')
  // The update is written on a copy (setAsUnseen spoils the copy's reading of the keys) by
  // `doc`'s own client from its clock on, so it is this device's own edit once applied.
  const copy = createRegionDoc()
  try {
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
    copy.clientID = doc.clientID
    const record = tableMap(copy, table).get(id) as RecordMap
    const before = Y.encodeStateVector(copy)
    copy.transact(() => {
      for (const [key, value] of Object.entries(changes)) setAsUnseen(record as Y.Map<unknown>, key, value)
      stamp(record, author, timestamp(author))
    })
    applyOwnUpdate(doc, Y.encodeStateAsUpdate(copy, before), LOCAL_EDIT)
  } finally {
    copy.destroy()
  }
}
