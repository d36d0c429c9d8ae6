/**
 * A file's legacy `deleted_records` (see ledger.ts): each is recorded in its PC's ledger, and one
 * naming a record that an earlier copy of the PC's file created, untouched since, deletes it with
 * its untouched dependants. Planned before anything is written, so the months it reaches are
 * known (and opened) first: the record's own month from the ledger, and for master data with
 * dated dependants (an employee's timesheets) every month the PC's imports wrote those into.
 */
import type * as Y from 'yjs'
import { documentName, isPeriodTable } from '../../schema/periods.ts'
import { isTableName, TABLE_NAMES, TABLES, type TableName } from '../../schema/tables.ts'
import { locateRecord, type RegionDocuments } from '../periodDocs.ts'
import { readRecord, recordIds, type RecordFields } from '../records.ts'
import { deleteRecord, type Author } from '../regionDoc.ts'
import { findAtHome } from './homes.ts'
import { importedAs, importedRows, type ImportedAs, type LegacyDeletion } from './ledger.ts'
import type { LegacyId } from './plan.ts'
import { column, type LegacyFile } from './reader.ts'
import { untouchedSinceImport } from './write.ts'

export interface FileDeletion {
  readonly table: string
  readonly legacyId: LegacyId
  readonly deletion: LegacyDeletion
}

export interface DeletionReport {
  readonly table: string
  readonly legacyId: LegacyId
  readonly deletedAt: string | null
  readonly deletedBy: string | null
  /**
   * - recorded: in the PC's ledger, so no later file of this PC brings the row back;
   * - applied: an earlier import had created the record from another copy of this PC's file and
   *   nobody had changed it since, so it is deleted now (with its untouched dependants);
   * - kept_edited: that record was changed in Rainstaff since, so it stays: check it by hand;
   * - not_recorded: the PC's region is not writable in this import.
   */
  readonly outcome: 'recorded' | 'applied' | 'kept_edited' | 'not_recorded'
  readonly region: string | null
  readonly recordId: string | null
  /** Dependants (timesheets of an employee …) deleted with it. */
  readonly cascaded: number
}

const text = (value: unknown): string | null => (value == null || value instanceof Uint8Array ? null : String(value))

export function fileDeletions(file: LegacyFile): FileDeletion[] {
  const table = file.tables.get('deleted_records')
  if (table === undefined) return []
  const [name, id, at, by] = ['table_name', 'record_id', 'deleted_at', 'deleted_by'].map((c) => column(table, c))
  return table.rows.map((cells) => ({
    table: text(cells[name]) ?? '',
    legacyId: typeof cells[id] === 'number' ? (cells[id] as number) : (text(cells[id]) ?? ''),
    deletion: { deleted_at: text(cells[at]), deleted_by: text(cells[by]) },
  }))
}

/** A deletion as planned: its report, and for one to apply, where its record is. */
export interface PlannedDeletion {
  readonly report: DeletionReport
  readonly apply?: { readonly docs: RegionDocuments; readonly doc: Y.Doc; readonly table: TableName; readonly id: string }
}

export interface DeletionPlan {
  readonly deletions: readonly PlannedDeletion[]
  /** Month documents the cascades of the deletions to apply reach. */
  readonly months: readonly string[]
}

/** Tables whose records a required reference ties to a record of `table`, directly or through others. */
function dependants(table: TableName, out = new Set<TableName>()): Set<TableName> {
  for (const child of TABLE_NAMES) {
    if (out.has(child)) continue
    if (Object.values(TABLES[child].fields).some((def) => def.references === table && def.required === true)) dependants(child, out.add(child))
  }
  return out
}

/** The copy of `target` that is live now: in the month the ledger names (followed if it moved), else wherever it is open. */
function locate(docs: RegionDocuments, table: TableName, target: ImportedAs): { doc: Y.Doc; record: RecordFields | undefined } | undefined {
  if (!isPeriodTable(table)) return { doc: docs.master, record: readRecord(docs.master, table, target.id) }
  if (target.period === null) return locateRecord(docs, table, target.id)
  const found = findAtHome(docs, table, target.id, target.period)
  return found === undefined || found.period === null ? undefined : { doc: docs.month(found.period)!, record: found.record }
}

/**
 * What becomes of each of the file's deletions for PC `pc`, read from `documents` (a month it
 * needs that is not open throws PeriodNotOpenError, or is recorded by a probe).
 */
export function planDeletions(deletions: readonly FileDeletion[], pc: string, documents: ReadonlyMap<string, RegionDocuments>): DeletionPlan {
  const pcDocs = documents.get(pc)
  const months = new Set<string>()
  let ledger: ReadonlyArray<ImportedAs & { readonly table: string }> | undefined
  const planned = deletions.map(({ table, legacyId, deletion }): PlannedDeletion => {
    const base = { table, legacyId, deletedAt: deletion.deleted_at, deletedBy: deletion.deleted_by, region: null, recordId: null, cascaded: 0 }
    if (pcDocs === undefined) return { report: { ...base, outcome: 'not_recorded' } }
    const target = importedAs(pcDocs.master, pc, table, legacyId)
    const docs = target === undefined ? undefined : documents.get(target.region)
    if (target === undefined || docs === undefined || !isTableName(table)) return { report: { ...base, outcome: 'recorded' } }
    const found = { ...base, region: target.region, recordId: target.id }
    const at = locate(docs, table, target)
    if (at?.record === undefined || at.record.deleted_at !== null) return { report: { ...found, outcome: 'recorded' } }
    if (!untouchedSinceImport(at.doc, table, target.id)) return { report: { ...found, outcome: 'kept_edited' } }
    const reach = new Set<string>([...dependants(table)].filter(isPeriodTable))
    if (reach.size > 0) {
      ledger ??= importedRows(pcDocs.master, pc)
      for (const row of ledger) {
        if (row.region === target.region && row.period !== null && reach.has(row.table)) months.add(documentName(row.region, row.period))
      }
    }
    return { report: { ...found, outcome: 'applied' }, apply: { docs, doc: at.doc, table, id: target.id } }
  })
  return { deletions: planned, months: [...months] }
}

/** Soft-deletes the records that hold `id` in a required reference and are untouched since import, wherever they are open. */
function cascade(docs: RegionDocuments, table: TableName, id: string, author: Author): number {
  let count = 0
  for (const child of TABLE_NAMES) {
    const where = isPeriodTable(child) ? [...docs.months()].map(([, doc]) => doc) : [docs.master]
    for (const [field, def] of Object.entries(TABLES[child].fields)) {
      if (def.references !== table || !def.required) continue
      for (const doc of where) {
        for (const childId of [...recordIds(doc, child)]) {
          const record = readRecord(doc, child, childId)
          if (record?.[field] !== id || (record.moved_to ?? null) !== null || !untouchedSinceImport(doc, child, childId)) continue
          deleteRecord(doc, child, childId, author)
          count += 1 + cascade(docs, child, childId, author)
        }
      }
    }
  }
  return count
}

/** Applies the planned deletions (none in a dry run, which reports what it would do). */
export function applyDeletions(plan: DeletionPlan, author: Author, dryRun: boolean): DeletionReport[] {
  return plan.deletions.map(({ report, apply }) => {
    if (apply === undefined || dryRun) return report
    deleteRecord(apply.doc, apply.table, apply.id, author)
    return { ...report, cascaded: cascade(apply.docs, apply.table, apply.id, author) }
  })
}
