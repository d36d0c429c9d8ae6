/**
 * Reads a legacy `puantaj.db` from its bytes with sql.js, so the same code serves the CLI and the
 * app's import dialog (which has a File, not a path). Columns are found by name: v1 added `region`
 * by ALTER (last column) while v2 has it inline and `is_special` before `notes`, so positions
 * differ between files that hold the same data.
 */
import initSqlJs, { type Database } from 'sql.js'
import { BilingualError } from '../../schema/bilingual.ts'

export type LegacyValue = string | number | Uint8Array | null

export type LegacyVersion = 'v0' | 'v1' | 'v2'

export interface LegacyTable {
  readonly name: string
  readonly columns: readonly string[]
  /** Cells in `columns` order; use `column()` to find a cell by name. */
  readonly rows: readonly (readonly LegacyValue[])[]
}

export interface LegacyFile {
  readonly version: LegacyVersion
  /** Every table of the file, by name (including ones Rainstaff does not migrate). */
  readonly tables: ReadonlyMap<string, LegacyTable>
}

/** The file cannot be read as a legacy Rainstaff database; nothing was imported. */
export class LegacyFileError extends BilingualError {
  constructor(tr: string, en: string, options?: { cause?: unknown }) {
    super({ tr, en }, { cause: options?.cause })
    this.name = 'LegacyFileError'
  }
}

export interface ReadOptions {
  /** Where sql.js finds `sql-wasm.wasm` (browsers); Node finds it by itself. */
  locateFile?: (file: string) => string
}

/** Index of column `name` in `table`, or -1 when the file's schema version lacks it. */
export function column(table: LegacyTable | undefined, name: string): number {
  return table === undefined ? -1 : table.columns.indexOf(name)
}

let sqlModule: ReturnType<typeof initSqlJs> | undefined

function readTable(db: Database, name: string): LegacyTable {
  // Identifiers come from sqlite_master, quoted so an odd table name cannot break the statement.
  const quoted = `"${name.replace(/"/g, '""')}"`
  const columns = db.exec(`PRAGMA table_info(${quoted})`)[0]?.values.map((row) => String(row[1])) ?? []
  const result = db.exec(`SELECT * FROM ${quoted}`)[0]
  return { name, columns, rows: result?.values ?? [] }
}

function detectVersion(tables: ReadonlyMap<string, LegacyTable>): LegacyVersion {
  const employees = tables.get('employees')
  if (column(employees, 'region') < 0) return 'v0'
  const timesheets = tables.get('timesheets')
  const special = column(timesheets, 'is_special')
  const notes = column(timesheets, 'notes')
  // v1 appended is_special and region by ALTER; v2 declares is_special before notes.
  return special >= 0 && notes >= 0 && special < notes ? 'v2' : 'v1'
}

/** Reads every table of a legacy file. Throws LegacyFileError for anything but a legacy database. */
export async function readLegacyFile(bytes: Uint8Array, options: ReadOptions = {}): Promise<LegacyFile> {
  sqlModule ??= initSqlJs(options.locateFile ? { locateFile: options.locateFile } : undefined)
  const SQL = await sqlModule
  let db: Database
  let names: string[]
  try {
    db = new SQL.Database(bytes)
    names = (db.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")[0]?.values ?? []).map(
      (row) => String(row[0]),
    )
  } catch (error) {
    throw new LegacyFileError(
      'Dosya bir SQLite veritabanı değil veya bozuk',
      'The file is not a SQLite database or is damaged',
      { cause: error },
    )
  }
  try {
    if (!names.includes('employees') || !names.includes('timesheets')) {
      throw new LegacyFileError(
        'Bu dosya eski Rainstaff puantaj.db değil (employees ve timesheets tabloları yok)',
        'This is not a legacy Rainstaff puantaj.db (no employees and timesheets tables)',
      )
    }
    const tables = new Map<string, LegacyTable>()
    for (const name of names) tables.set(name, readTable(db, name))
    return { version: detectVersion(tables), tables }
  } catch (error) {
    if (error instanceof LegacyFileError) throw error
    throw new LegacyFileError('Dosya okunamadı', 'The file could not be read', { cause: error })
  } finally {
    db.close()
  }
}
