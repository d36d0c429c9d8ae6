/**
 * The SQLite file `/api/export/…sqlite` hands out, written on disk one rendering at a time
 * (relay/renderJobs.ts), so an export of every region and year holds one month in memory, not
 * the organization. Its tables and rows are the crdt mirror's (schema/ddl.ts mirrorDdl): what
 * a mirror attached to the same documents in the same order would hold, value for value.
 */
import Database from 'better-sqlite3'
import { columnsOf, mirrorDdl } from '../schema/ddl.ts'
import { TABLE_NAMES, type CellValue, type TableName } from '../schema/tables.ts'
import type { Rendering } from '../crdt/rendering.ts'

export interface ExportFile {
  /**
   * Adds a document's records; a record another document added before is replaced, as in the
   * mirror. A region's documents come one after another (a region seen again after another is
   * an error): only records of one region can meet, so only that region's ids are remembered.
   */
  add(rendering: Rendering): void
  close(): void
}

/**
 * A cell bound as sql.js binds it, so column affinity turns it into the same value: a 32-bit
 * integer as an integer, any other number as a double (better-sqlite3 binds every number as a
 * double, and a TEXT column would then hold `12345.0` where the mirror holds `12345`).
 */
function bound(value: CellValue): string | number | bigint | null {
  return typeof value === 'number' && value === (value | 0) ? BigInt(value) : value
}

/** Creates `file` (which must not exist) with the mirror's tables. */
export function createExportFile(file: string): ExportFile {
  const db = new Database(file)
  try {
    // A scratch file: if the relay dies while writing it, it is thrown away, so no journal.
    db.pragma('journal_mode = OFF')
    db.pragma('synchronous = OFF')
    db.exec(mirrorDdl())
  } catch (error) {
    db.close()
    throw error
  }
  const upserts = new Map<TableName, Database.Statement>()
  const deletes = new Map<TableName, Database.Statement>()
  for (const table of TABLE_NAMES) {
    const columns = columnsOf(table)
    upserts.set(table, db.prepare(`INSERT OR REPLACE INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`))
    deletes.set(table, db.prepare(`DELETE FROM ${table} WHERE region = ? AND id = ?`))
  }
  const unmarkDeleted = db.prepare('DELETE FROM deleted_records WHERE region = ? AND table_name = ? AND record_id = ?')
  const clearConflicts = db.prepare('DELETE FROM conflicts WHERE region = ? AND table_name = ? AND record_id = ?')
  const markDeleted = db.prepare(
    'INSERT OR REPLACE INTO deleted_records (region, table_name, record_id, deleted_at, deleted_by) VALUES (?, ?, ?, ?, ?)',
  )
  const addConflict = db.prepare(
    `INSERT OR REPLACE INTO conflicts (conflict_id, region, table_name, record_id, field, value, value_by, value_at, lost_value, lost_by, lost_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const doneRegions = new Set<string>()
  let region = ''
  /** The ids written so far in the current region, per table. */
  let written = new Map<TableName, Set<string>>()
  const add = db.transaction((rendering: Rendering) => {
    if (rendering.region !== region) {
      if (doneRegions.has(rendering.region)) throw new Error(`export: ${rendering.region} seen again after another region`)
      doneRegions.add(region)
      region = rendering.region
      written = new Map()
    }
    for (const record of rendering.records) {
      const { table, id } = record
      let ids = written.get(table)
      if (ids === undefined) written.set(table, (ids = new Set()))
      if (ids.has(id)) {
        // The mirror's writeRecord: whatever an earlier document wrote for the record goes first.
        deletes.get(table)!.run(region, id)
        unmarkDeleted.run(region, table, id)
        clearConflicts.run(region, table, id)
      } else ids.add(id)
      if (record.row !== null) upserts.get(table)!.run(record.row.map(bound))
      else markDeleted.run(region, table, id, bound(record.deleted?.at ?? null), bound(record.deleted?.by ?? null))
      for (const c of record.conflicts) {
        addConflict.run(
          ...[c.conflict_id, region, table, id, c.field, c.value, c.value_by, c.value_at, c.lost_value, c.lost_by, c.lost_at].map(bound),
        )
      }
    }
  })
  return {
    add: (rendering) => add(rendering),
    close: () => void (db.open && db.close()),
  }
}
