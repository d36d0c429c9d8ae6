/**
 * What a point-in-time restore of one document writes (client/restore.ts): the records of the
 * document as they were at a time, compared with how they are now, as ordinary edits — a record
 * deleted since is restored, fields changed since take their old values again, a record created
 * since (or alive now but deleted then) is deleted again. Pure: `then` is the document as it held
 * at that time (Y.createDocFromSnapshot of the state vector the relay's log gives,
 * crdt/yjsInternals.ts docUpTo), `now` the document now.
 *
 * A dated record can have moved month since (crdt/moves.ts): one that lived here then and lives in
 * another month now is written there (its date taken back moves it home); one that lives here now
 * but lived in another month then is left as it is and listed, since this document's past does
 * not say what it was then (restore that month for it).
 */
import type * as Y from 'yjs'
import { TABLES, type CellValue, type TableName } from '../schema/tables.ts'
import { readRecord, recordIds, type RecordFields } from './records.ts'

export type RestoreAction = 'restore' | 'revert' | 'delete' | 'moved_in'

export interface FieldRevert {
  readonly field: string
  readonly now: CellValue
  readonly then: CellValue
}

export interface RecordRestore {
  readonly table: TableName
  readonly id: string
  /**
   * restore: deleted now, alive then (with `fields` reverted too); revert: alive both times,
   * fields differ; delete: alive now, created since or deleted then; moved_in: lives here now but
   * lived in another month then, left as it is.
   */
  readonly action: RestoreAction
  readonly fields: readonly FieldRevert[]
  /** What to write (crdt/periodDocs.ts applyChanges): field values, and `deleted_at` to delete (non-null) or restore (null). */
  readonly changes: Readonly<Record<string, CellValue>>
}

export interface RestoreScope {
  readonly tables: readonly TableName[]
  /** One record only. */
  readonly id?: string
  /** Where a record that moved away from this document lives now, when it is open here. */
  readonly current: (table: TableName, id: string) => RecordFields | undefined
  /** Whether record `id` was ever written in another document (it moved here, or away). */
  readonly writtenElsewhere: (table: TableName, id: string) => boolean
}

const lives = (record: RecordFields | undefined): record is RecordFields => record !== undefined && (record.moved_to ?? null) === null
const deleted = (record: RecordFields): boolean => (record.deleted_at ?? null) !== null

/** The restore of `now` to `then` in `scope`, record by record, in table order then id order. */
export function restorePlan(now: Y.Doc, then: Y.Doc, scope: RestoreScope): RecordRestore[] {
  const plan: RecordRestore[] = []
  for (const table of scope.tables) {
    const ids = scope.id !== undefined ? [scope.id] : [...new Set(recordIds(now, table))].sort()
    for (const id of ids) {
      const item = recordRestore(table, id, readRecord(then, table, id), readRecord(now, table, id), scope)
      if (item !== undefined) plan.push(item)
    }
  }
  return plan
}

function recordRestore(table: TableName, id: string, then: RecordFields | undefined, copy: RecordFields | undefined, scope: RestoreScope): RecordRestore | undefined {
  if (!lives(then)) {
    if (!lives(copy)) return undefined
    if (scope.writtenElsewhere(table, id)) return { table, id, action: 'moved_in', fields: [], changes: {} }
    return deleted(copy) ? undefined : { table, id, action: 'delete', fields: [], changes: { deleted_at: 'deleted' } }
  }
  // Alive here then: compare with where it is now (here, or the month it moved to).
  const current = lives(copy) ? copy : copy === undefined ? undefined : scope.current(table, id)
  if (current === undefined) return undefined
  const fields: FieldRevert[] = []
  const changes: Record<string, CellValue> = {}
  for (const field of Object.keys(TABLES[table].fields)) {
    const [was, is] = [then[field] ?? null, current[field] ?? null]
    if (was === is) continue
    fields.push({ field, now: is, then: was })
    changes[field] = was
  }
  const [wasDeleted, isDeleted] = [deleted(then), deleted(current)]
  if (wasDeleted !== isDeleted) changes.deleted_at = wasDeleted ? 'deleted' : null
  if (!isDeleted && wasDeleted) return { table, id, action: 'delete', fields, changes }
  if (isDeleted && !wasDeleted) return { table, id, action: 'restore', fields, changes }
  // Deleted both times: its old values come back only with the record.
  if (isDeleted || fields.length === 0) return undefined
  return { table, id, action: 'revert', fields, changes }
}
