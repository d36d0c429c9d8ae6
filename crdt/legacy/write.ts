/**
 * Writing imported records. Unlike insertRecord (crdt/regionDoc.ts) the id is given (derived
 * from the legacy row's content, see identity.ts) and an existing record is never touched: an
 * import only adds what is missing, so importing again cannot undo an edit or a deletion made in
 * Rainstaff since. Fields were checked by the converter with the legacy rules, which accept rows
 * (a negative break, start == end) that validateFields refuses for new entries; those rows carry
 * their warning in the import report.
 */
import * as Y from 'yjs'
import type { CellValue, TableName } from '../../schema/tables.ts'
import { readRecord, tableMap, type RecordMap } from '../records.ts'

/** Prefix of `updated_by` on imported records: `legacy-import:<username>`. */
export const IMPORT_AUTHOR_PREFIX = 'legacy-import:'

export function importAuthor(username: string): string {
  return IMPORT_AUTHOR_PREFIX + username
}

/**
 * Creates record `id` of `table` unless the doc already has one under that id (live or deleted).
 * Call inside `doc.transact` to write many records as one update. Returns whether it created.
 */
export function createImported(
  doc: Y.Doc,
  table: TableName,
  id: string,
  region: string,
  fields: Readonly<Record<string, CellValue>>,
  author: string,
  at: string,
): boolean {
  const records = tableMap(doc, table)
  if (records.has(id)) return false
  const map: RecordMap = new Y.Map()
  // Blank fields stay unset, as insertRecord does, so a concurrent creation's values show through.
  for (const field in fields) {
    const value = fields[field]
    if (value !== null) map.set(field, value)
  }
  map.set('region', region)
  map.set('created_at', at)
  // Stamps last: crdt/records.ts attributes a value to the stamps that follow it in a transaction.
  map.set('updated_at', at)
  map.set('updated_by', author)
  records.set(id, map)
  return true
}

/**
 * True when a record was created by an import and nobody has changed it since: only such a record
 * may be deleted on behalf of a legacy `deleted_records` entry that arrives later.
 */
export function untouchedSinceImport(doc: Y.Doc, table: TableName, id: string): boolean {
  const record = readRecord(doc, table, id)
  if (record === undefined || record.deleted_at !== null) return false
  return (
    typeof record.updated_by === 'string' &&
    record.updated_by.startsWith(IMPORT_AUTHOR_PREFIX) &&
    record.updated_at === record.created_at
  )
}
