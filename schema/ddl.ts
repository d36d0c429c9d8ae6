/**
 * SQLite DDL derived from the table definitions: one table per schema table holding live records
 * with the legacy column names, plus `deleted_records` and `conflicts`. Several regions share one
 * database (the admin view), so the key is (region, id): natural-key ids repeat across regions.
 */
import { META_FIELDS, TABLE_NAMES, TABLES, type FieldType, type TableName } from './tables.ts'

const SQL_TYPE: Record<FieldType, string> = {
  text: 'TEXT',
  date: 'TEXT',
  time: 'TEXT',
  integer: 'INTEGER',
  real: 'REAL',
  flag: 'INTEGER',
}

/** Column order of a mirror table: metadata first, then the table's fields in definition order. */
export function columnsOf(table: TableName): string[] {
  return [...META_FIELDS, ...Object.keys(TABLES[table].fields)]
}

function tableDdl(table: TableName): string {
  const fields = Object.entries(TABLES[table].fields).map(([name, def]) => `  ${name} ${SQL_TYPE[def.type]}`)
  return [
    `CREATE TABLE ${table} (`,
    '  id TEXT NOT NULL,',
    '  region TEXT NOT NULL,',
    '  created_at TEXT,',
    '  updated_at TEXT,',
    '  updated_by TEXT,',
    ...fields.map((line) => line + ','),
    '  PRIMARY KEY (region, id)',
    ');',
  ].join('\n')
}

// Few indexes on purpose: each one slows every mirrored edit and the cold build. A region month
// (reports, the puantaj grid filtered by employee) is a small range of timesheets_by_date.
const INDEXES = [
  'CREATE INDEX timesheets_by_date ON timesheets (region, work_date);',
  'CREATE INDEX inspections_by_vehicle ON vehicle_inspections (vehicle_id, inspection_date);',
]

const SUPPORT_TABLES = [
  `CREATE TABLE deleted_records (
  region TEXT NOT NULL,
  table_name TEXT NOT NULL,
  record_id TEXT NOT NULL,
  deleted_at TEXT,
  deleted_by TEXT,
  PRIMARY KEY (region, table_name, record_id)
);`,
  // One row per value that lost a concurrent edit and is not yet resolved. The value columns
  // have no declared type so numbers stay numbers.
  `CREATE TABLE conflicts (
  conflict_id TEXT NOT NULL,
  region TEXT NOT NULL,
  table_name TEXT NOT NULL,
  record_id TEXT NOT NULL,
  field TEXT NOT NULL,
  value,
  value_by TEXT,
  value_at TEXT,
  lost_value,
  lost_by TEXT,
  lost_at TEXT,
  PRIMARY KEY (region, conflict_id)
);`,
  'CREATE INDEX conflicts_by_record ON conflicts (region, table_name, record_id);',
]

/** The whole mirror schema, in one string for `db.exec`. */
export function mirrorDdl(): string {
  return [...TABLE_NAMES.map(tableDdl), ...INDEXES, ...SUPPORT_TABLES].join('\n')
}
