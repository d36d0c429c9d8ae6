/**
 * Several records' changes written together as this user's ordinary edits (a restore, an undo):
 * all or nothing, and one transaction per document. Yjs cannot take back what it integrated, so
 * the changes are first written into copies of the documents, where whatever a writer refuses
 * (a value the schema refuses, a record not found, a month not open) throws before anything real
 * is touched; then they are written for real inside one transaction of each open document, so
 * each document sends them to the relay as one update — one change in its history.
 */
import * as Y from 'yjs'
import { applyChanges, locateRecord, type RegionDocuments } from '../crdt/periodDocs.ts'
import { createRegionDoc, RecordError, type Author, LOCAL_EDIT } from '../crdt/regionDoc.ts'
import type { Period } from '../schema/periods.ts'
import type { CellValue, TableName } from '../schema/tables.ts'

/** One record's changes: field values, and `deleted_at` non-null to delete it or null to restore it. */
export interface RecordChange {
  readonly table: TableName
  readonly id: string
  readonly changes: Readonly<Record<string, CellValue>>
}

function copyOf(doc: Y.Doc): Y.Doc {
  const copy = createRegionDoc()
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
  // The copy writes as the doc would, so what fits the copy fits the doc.
  copy.clientID = doc.clientID
  return copy
}

function applyAll(docs: RegionDocuments, list: readonly RecordChange[], author: Author): number {
  let written = 0
  for (const change of list) {
    const found = locateRecord(docs, change.table, change.id)
    if (found === undefined) throw new RecordError(change.table, change.id, 'not_found')
    if (applyChanges(docs, change.table, found, change.changes, author)) written++
  }
  return written
}

/** Writes `list` into `docs` (see the module comment); returns how many records changed. */
export function writeTogether(docs: RegionDocuments, list: readonly RecordChange[], author: Author): number {
  const months = [...docs.months()]
  const copies = new Map<Period, Y.Doc>(months.map(([period, doc]) => [period, copyOf(doc)]))
  const master = copyOf(docs.master)
  try {
    applyAll({ region: docs.region, master, month: (period) => copies.get(period), months: () => copies.entries() }, list, author)
  } finally {
    master.destroy()
    for (const copy of copies.values()) copy.destroy()
  }
  const all = [docs.master, ...months.map(([, doc]) => doc)]
  // Nested, each document's edits join its one open transaction: one update per document.
  const inTransactions = (i: number): number => (i === all.length ? applyAll(docs, list, author) : (all[i] as Y.Doc).transact(() => inTransactions(i + 1), LOCAL_EDIT))
  return inTransactions(0)
}
