/**
 * A round-1 region document (every record of a region in one doc) split into the region's master
 * document and its month documents (schema/periods.ts): what the relay does once with each region
 * of a round-1 data directory (relay/migrate.ts). Every record is written again as it reads now —
 * its fields, region, stamps and soft deletion — under its own id, into the document it belongs to;
 * the legacy import's ledger goes with the master data. The round-1 doc itself is kept by the
 * caller: its history (conflicts that lost, who wrote what when) stays there.
 */
import * as Y from 'yjs'
import { periodByDate, PERIOD_TABLES, type Period } from '../schema/periods.ts'
import { DELETE_FIELDS, META_FIELDS, TABLE_NAMES, TABLES, type CellValue, type TableName } from '../schema/tables.ts'
import { DELETIONS_MAP, PROVENANCE_MAP } from './legacy/ledger.ts'
import { readRecord, recordIds, tableMap, type RecordFields, type RecordMap } from './records.ts'
import { createRegionDoc } from './regionDoc.ts'

export interface SplitRegion {
  readonly master: Y.Doc
  readonly months: ReadonlyMap<Period, Y.Doc>
  /** Dated records whose date reads as no month (legacy text), kept in the month of `fallback`. */
  readonly undated: number
  readonly records: number
}

/** Fields a record carries over: its table's, then the metadata with the stamps last (crdt/records.ts reads authors by them). */
function copyOrder(table: TableName): string[] {
  const meta = META_FIELDS.filter((f) => f !== 'id' && f !== 'updated_at' && f !== 'updated_by')
  return [...Object.keys(TABLES[table].fields), ...meta, ...DELETE_FIELDS, 'updated_at', 'updated_by']
}

function writeRecord(doc: Y.Doc, table: TableName, id: string, record: RecordFields): void {
  const map: RecordMap = new Y.Map()
  for (const key of copyOrder(table)) {
    const value: CellValue | undefined = record[key]
    if (value !== null && value !== undefined) map.set(key, value)
  }
  tableMap(doc, table).set(id, map)
}

/**
 * Splits `source`. A dated record with no readable date goes to month `fallback` (the month of
 * the migration), where the relay's guard lets an unreadable date stay (crdt/updateGuard.ts).
 */
export function splitRegionDoc(source: Y.Doc, fallback: Period): SplitRegion {
  const master = createRegionDoc()
  const months = new Map<Period, Y.Doc>()
  const month = (period: Period): Y.Doc => {
    let doc = months.get(period)
    if (doc === undefined) months.set(period, (doc = createRegionDoc()))
    return doc
  }
  let undated = 0
  let records = 0
  const inspectionMonth = new Map<string, Period>()
  // Inspections before their results, which go where their inspection went.
  const order = [...TABLE_NAMES].sort((a, b) => rank(a) - rank(b))
  const byDoc = new Map<Y.Doc, Array<[TableName, string, RecordFields]>>()
  for (const table of order) {
    const rule = PERIOD_TABLES[table]
    for (const id of recordIds(source, table)) {
      const record = readRecord(source, table, id)
      if (record === undefined) continue
      records++
      let target: Y.Doc = master
      if (rule !== undefined) {
        let period: Period | undefined
        if ('byDate' in rule) period = periodByDate(table, record)
        else {
          const parent = record[rule.withParent]
          period = typeof parent === 'string' ? inspectionMonth.get(parent) : undefined
        }
        if (period === undefined) {
          undated++
          period = fallback
        }
        if (table === 'vehicle_inspections') inspectionMonth.set(id, period)
        target = month(period)
      }
      const list = byDoc.get(target)
      if (list === undefined) byDoc.set(target, [[table, id, record]])
      else list.push([table, id, record])
    }
  }
  // One transaction per document: a month of records is one update, not thousands.
  for (const [doc, list] of byDoc) doc.transact(() => list.forEach(([table, id, record]) => writeRecord(doc, table, id, record)))
  master.transact(() => {
    for (const name of [DELETIONS_MAP, PROVENANCE_MAP]) {
      const from = source.getMap<unknown>(name)
      const to = master.getMap<unknown>(name)
      for (const [key, value] of from) to.set(key, value)
    }
  })
  return { master, months, undated, records }
}

function rank(table: TableName): number {
  const rule = PERIOD_TABLES[table]
  return rule === undefined ? 0 : 'withParent' in rule ? 2 : 1
}

/** Whether a doc still holds dated records: a round-1 region document not yet split. */
export function holdsDatedRecords(doc: Y.Doc): boolean {
  for (const table of Object.keys(PERIOD_TABLES) as TableName[]) {
    for (const id of recordIds(doc, table)) if (readRecord(doc, table, id) !== undefined) return true
  }
  return false
}
