/**
 * Where an imported record lives among its region's documents (schema/periods.ts): master tables
 * in the master document, a dated row in the month of its date, an inspection result with its
 * inspection. A record edited into another month since an earlier import is followed there.
 */
import { isPeriod, periodByDate, PERIOD_TABLES, type Period } from '../../schema/periods.ts'
import type { CellValue, TableName } from '../../schema/tables.ts'
import { PeriodNotOpenError, type RegionDocuments } from '../periodDocs.ts'
import { readRecord, type RecordFields } from '../records.ts'

/**
 * The month document (null: the master) and, when the record went there by the fallback rule
 * below, the field that gave no month.
 */
export type Home = { readonly period: null; readonly undated: null } | { readonly period: Period; readonly undated: string | null }

/**
 * The document a new record of `table` with converted `fields` goes to. `parentPeriod` is the
 * month of the record it belongs to (an inspection result's inspection).
 *
 * A dated row whose date names no month (legacy text kept in the date column) goes to the month
 * of the import, `importMonth`: the relay's guard takes such a record in any month, the engine
 * opens this month at every sign-in so it is seen at once, and the report says where it went.
 * Its parent gives no month to use instead: timesheets, inspections and visits hang off master
 * records (employees, vehicles).
 */
export function homeOf(table: TableName, fields: Readonly<Record<string, CellValue>>, parentPeriod: Period | null, importMonth: Period): Home {
  const rule = PERIOD_TABLES[table]
  if (rule === undefined) return { period: null, undated: null }
  if ('withParent' in rule) return parentPeriod === null ? { period: importMonth, undated: rule.withParent } : { period: parentPeriod, undated: null }
  const period = periodByDate(table, fields)
  return period === undefined ? { period: importMonth, undated: rule.byDate } : { period, undated: null }
}

const MAX_HOPS = 12

export interface Found {
  readonly record: RecordFields
  readonly period: Period | null
}

/**
 * Record `id` of `table` if its home document `period` has it, read where it lives now: a copy
 * marked moved (crdt/moves.ts) is followed to its month. Throws PeriodNotOpenError for a month
 * that is not open, so a plan never mistakes an unopened month for an absent record.
 */
export function findAtHome(docs: RegionDocuments, table: TableName, id: string, period: Period | null): Found | undefined {
  if (period === null) {
    const record = readRecord(docs.master, table, id)
    return record === undefined ? undefined : { record, period: null }
  }
  let found: Found | undefined
  let at: Period = period
  // Concurrent moves can, in principle, point two copies at each other: a few hops are plenty.
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const doc = docs.month(at)
    if (doc === undefined) throw new PeriodNotOpenError(docs.region, at)
    const record = readRecord(doc, table, id)
    // The month it moved to has not heard of it yet (not synced): the old copy is all there is.
    if (record === undefined) return found
    found = { record, period: at }
    const next = record.moved_to
    if (typeof next !== 'string' || !isPeriod(next)) return found
    at = next
  }
  return found
}
