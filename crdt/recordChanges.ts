/**
 * What an update would change, record by record, without changing the document: the update is
 * applied to a copy and every record it touched (crdt/touched.ts) is read before and after. For
 * the head office deciding a late edit of a closed month, which must see the change it accepts.
 * The stamps (`updated_at`, `updated_by`) are left out: they change with every edit.
 */
import * as Y from 'yjs'
import type { CellValue, TableName } from '../schema/tables.ts'
import { readRecord, type RecordFields } from './records.ts'
import { touchedRecords, type TouchedRecords } from './touched.ts'

export interface FieldChange {
  readonly field: string
  readonly before: CellValue | undefined
  readonly after: CellValue | undefined
}

export interface RecordChange {
  readonly table: TableName
  readonly record: string
  /** `created`: not there before; `deleted` / `restored`: its `deleted_at` went set / cleared. */
  readonly kind: 'created' | 'changed' | 'deleted' | 'restored'
  readonly fields: readonly FieldChange[]
  /** The record after the change (for its name or plate on screen). */
  readonly after: RecordFields | undefined
}

const STAMPS = new Set(['updated_at', 'updated_by', 'id'])

/** A copy of `doc`, as Yjs holds it (history included). */
export function copyDoc(doc: Y.Doc): Y.Doc {
  const copy = new Y.Doc({ gc: false })
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
  return copy
}

/**
 * The changes `update` makes to `doc` (left as it is). An update that cannot apply yet (its
 * dependencies missing) changes nothing that can be read: the list is empty.
 */
export function recordChanges(doc: Y.Doc, update: Uint8Array): RecordChange[] {
  const after = copyDoc(doc)
  try {
    const touched: TouchedRecords = new Map()
    after.on('afterTransaction', (transaction: Y.Transaction) => {
      for (const [table, ids] of touchedRecords(after, transaction)) {
        const all = touched.get(table) ?? new Set<string>()
        for (const id of ids) all.add(id)
        touched.set(table, all)
      }
    })
    Y.applyUpdate(after, update)
    const out: RecordChange[] = []
    for (const [table, ids] of touched) {
      for (const record of ids) {
        const was = readRecord(doc, table, record)
        const now = readRecord(after, table, record)
        const fields: FieldChange[] = []
        for (const field of new Set([...Object.keys(was ?? {}), ...Object.keys(now ?? {})])) {
          if (STAMPS.has(field) || was?.[field] === now?.[field]) continue
          fields.push({ field, before: was?.[field], after: now?.[field] })
        }
        if (fields.length === 0) continue
        const deletedBefore = (was?.deleted_at ?? null) !== null
        const deletedAfter = (now?.deleted_at ?? null) !== null
        const kind = was === undefined ? 'created' : !deletedBefore && deletedAfter ? 'deleted' : deletedBefore && !deletedAfter ? 'restored' : 'changed'
        out.push({ table, record, kind, fields, after: now })
      }
    }
    return out
  } finally {
    after.destroy()
  }
}
