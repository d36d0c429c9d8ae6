/**
 * The SQLite mirror: region documents projected into sql.js tables for queries and reports.
 *
 * The mirror follows each attached doc after every transaction, finding the records that the
 * transaction touched from the structs it added or deleted — so the work is proportional to the
 * change, never to the doc. Struct-level tracking (rather than Yjs events) also sees edits that
 * land inside a record map that lost a concurrent creation, which Yjs events do not report.
 *
 * What reaches SQLite is what crdt/records.ts reads, and it reads only scalars: a malformed item
 * (a string where a record map belongs, a JSON object in a field, …) is skipped by its rules, so
 * no stored shape makes a bind fail. A record that stops being readable (a hard delete, or a bad
 * item with no earlier map under its id) leaves the mirror like a deleted one.
 */
import * as Y from 'yjs'
import initSqlJs, { type Database, type SqlValue, type Statement } from 'sql.js'
import { columnsOf, mirrorDdl } from '../schema/ddl.ts'
import { DELETE_FIELDS, isTableName, TABLE_NAMES, type TableName } from '../schema/tables.ts'
import { parseDocumentName } from '../schema/periods.ts'
import { recordConflicts } from './conflicts.ts'
import { readFields, recordIds, RESOLVED_MAP, type ResolvedConflict } from './records.ts'
import { forEachItemBetween, itemValues, placeOf } from './yjsInternals.ts'

export interface MirrorOptions {
  /** Where sql.js finds `sql-wasm.wasm` (browsers); Node finds it by itself. */
  locateFile?: (file: string) => string
}

export type Row = Record<string, SqlValue>
type ChangeListener = (tables: ReadonlySet<string>) => void

interface Attached {
  readonly doc: Y.Doc
  readonly region: string
  stop: () => void
}

/** Tables whose change a listener may care about: the schema tables plus the two support tables. */
const CONFLICTS = 'conflicts'
const DELETED = 'deleted_records'

let sqlModule: ReturnType<typeof initSqlJs> | undefined

export async function openMirror(options: MirrorOptions = {}): Promise<Mirror> {
  sqlModule ??= initSqlJs(options.locateFile ? { locateFile: options.locateFile } : undefined)
  return new Mirror(new (await sqlModule).Database())
}

export class Mirror {
  readonly db: Database
  private readonly attached = new Map<string, Attached>()
  /** Which document holds each mirrored record (table, region, id): the one whose row it is. */
  private readonly owners = new Map<string, string>()
  private readonly listeners = new Set<ChangeListener>()
  private readonly upserts = new Map<TableName, Statement>()
  private readonly columns = new Map<TableName, string[]>()
  /** A table's columns, the two soft-delete fields and `moved_to`: what syncRecord reads of a record. */
  private readonly readKeys = new Map<TableName, string[]>()
  private readonly deleteRows = new Map<TableName, Statement>()
  private readonly statements: Record<'markDeleted' | 'unmarkDeleted' | 'clearConflicts' | 'addConflict', Statement>

  constructor(db: Database) {
    this.db = db
    db.exec(mirrorDdl())
    for (const table of TABLE_NAMES) {
      const columns = columnsOf(table)
      this.columns.set(table, columns)
      this.readKeys.set(table, [...columns, ...DELETE_FIELDS, 'moved_to'])
      this.upserts.set(
        table,
        db.prepare(`INSERT OR REPLACE INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`),
      )
    }
    this.statements = {
      markDeleted: db.prepare(
        `INSERT OR REPLACE INTO ${DELETED} (region, table_name, record_id, deleted_at, deleted_by) VALUES (?, ?, ?, ?, ?)`,
      ),
      unmarkDeleted: db.prepare(`DELETE FROM ${DELETED} WHERE region = ? AND table_name = ? AND record_id = ?`),
      clearConflicts: db.prepare(`DELETE FROM ${CONFLICTS} WHERE region = ? AND table_name = ? AND record_id = ?`),
      addConflict: db.prepare(
        `INSERT OR REPLACE INTO ${CONFLICTS} (conflict_id, region, table_name, record_id, field, value, value_by, value_at, lost_value, lost_by, lost_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
    }
  }

  private deleteRow(table: TableName): Statement {
    let statement = this.deleteRows.get(table)
    if (statement === undefined) {
      statement = this.db.prepare(`DELETE FROM ${table} WHERE region = ? AND id = ?`)
      this.deleteRows.set(table, statement)
    }
    return statement
  }

  /**
   * Mirrors document `name` (a region's master or one of its months, schema/periods.ts), replacing
   * what was mirrored for it, and follows its changes.
   */
  attach(name: string, doc: Y.Doc): void {
    this.detach(name)
    const parsed = parseDocumentName(name)
    if (parsed === undefined) throw new Error(`mirror: not a document name: ${name}`)
    const target: Attached = { doc, region: parsed.region, stop: () => undefined }
    this.inTransaction(() => {
      for (const table of TABLE_NAMES) {
        for (const id of recordIds(doc, table)) this.syncRecord(name, target, table, id)
      }
    })
    const onTransaction = (transaction: Y.Transaction): void => {
      const touched = touchedRecords(doc, transaction)
      if (touched.size === 0) return
      this.inTransaction(() => {
        for (const [table, ids] of touched) for (const id of ids) this.syncRecord(name, target, table, id)
      })
      this.notify(new Set([...touched.keys(), CONFLICTS, DELETED]))
    }
    doc.on('afterTransaction', onTransaction)
    target.stop = () => doc.off('afterTransaction', onTransaction)
    this.attached.set(name, target)
    this.notify(new Set([...TABLE_NAMES, CONFLICTS, DELETED]))
  }

  /** Stops following document `name` and removes the rows it holds. */
  detach(name: string): void {
    const attached = this.attached.get(name)
    if (attached === undefined) return
    attached.stop()
    this.attached.delete(name)
    this.inTransaction(() => {
      for (const [key, owner] of this.owners) {
        if (owner !== name) continue
        const [table, region, id] = key.split('\u0000') as [TableName, string, string]
        this.removeRecord(table, region, id)
        this.owners.delete(key)
      }
    })
    this.notify(new Set([...TABLE_NAMES, CONFLICTS, DELETED]))
  }

  /** The documents mirrored, by name. */
  documents(): string[] {
    return [...this.attached.keys()]
  }

  /** The regions with at least one document mirrored. */
  regions(): string[] {
    return [...new Set([...this.attached.values()].map((a) => a.region))]
  }

  /** Runs a read query and returns rows as objects. */
  query(sql: string, params: SqlValue[] = []): Row[] {
    const statement = this.db.prepare(sql)
    try {
      statement.bind(params)
      const rows: Row[] = []
      // Column names once per query, not once per row as getAsObject does: reports read thousands.
      let names: string[] | undefined
      while (statement.step()) {
        names ??= statement.getColumnNames()
        const values = statement.get()
        const row: Row = {}
        for (let i = 0; i < names.length; i++) row[names[i]] = values[i]
        rows.push(row)
      }
      return rows
    } finally {
      statement.free()
    }
  }

  /** Calls `listener` after each change with the names of the mirror tables that changed. */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Runs `sql` now and again whenever one of `tables` changes — and only then, so a screen
   * showing employees does not re-query on every timesheet keystroke.
   */
  liveQuery(sql: string, params: SqlValue[], tables: readonly string[], callback: (rows: Row[]) => void): () => void {
    callback(this.query(sql, params))
    return this.onChange((changed) => {
      if (tables.some((table) => changed.has(table))) callback(this.query(sql, params))
    })
  }

  /** Live record count per table of one region. */
  counts(region: string): Record<TableName, number> {
    const counts = {} as Record<TableName, number>
    for (const table of TABLE_NAMES) {
      counts[table] = Number(this.query(`SELECT count(*) AS n FROM ${table} WHERE region = ?`, [region])[0]?.n ?? 0)
    }
    return counts
  }

  /** The whole mirror as a SQLite file. */
  exportFile(): Uint8Array {
    return this.db.export()
  }

  close(): void {
    for (const region of [...this.attached.keys()]) this.attached.get(region)?.stop()
    this.attached.clear()
    this.listeners.clear()
    this.db.close()
  }

  private notify(tables: ReadonlySet<string>): void {
    for (const listener of this.listeners) listener(tables)
  }

  private inTransaction(work: () => void): void {
    this.db.exec('BEGIN')
    try {
      work()
      this.db.exec('COMMIT')
    } catch (error) {
      this.db.exec('ROLLBACK')
      throw error
    }
  }

  private removeRecord(table: TableName, region: string, id: string): void {
    this.deleteRow(table).run([region, id])
    this.statements.unmarkDeleted.run([region, table, id])
    this.statements.clearConflicts.run([region, table, id])
  }

  /**
   * Writes one record's current state as document `name` holds it: its row or its deletion, and
   * its conflicts. A record lives in one document at a time; the copy a moved record left in its
   * old month (crdt/moves.ts) is not it, so that copy removes the row only while it still owns it.
   */
  private syncRecord(name: string, attached: Attached, table: TableName, id: string): void {
    const { doc, region } = attached
    const key = `${table}\u0000${region}\u0000${id}`
    const owner = this.owners.get(key)
    const columns = this.columns.get(table)!
    const values = readFields(doc, table, id, this.readKeys.get(table)!)
    const moved = values !== undefined && values[columns.length + DELETE_FIELDS.length] != null
    if (values === undefined || moved) {
      if (owner === name) {
        this.removeRecord(table, region, id)
        this.owners.delete(key)
      }
      return
    }
    if (owner !== undefined) this.removeRecord(table, region, id)
    this.owners.set(key, name)
    const [deletedAt, deletedBy] = values.splice(columns.length)
    if (deletedAt == null) {
      values[columns.indexOf('region')] = region
      this.upserts.get(table)!.run(values)
    } else {
      this.statements.markDeleted.run([region, table, id, deletedAt, deletedBy ?? null])
    }
    for (const c of recordConflicts(doc, table, id)) {
      this.statements.addConflict.run([
        c.conflict_id, region, table, id, c.field, c.value, c.value_by, c.value_at, c.lost_value, c.lost_by, c.lost_at,
      ])
    }
  }
}

/** Which records a transaction touched, from the structs it inserted and deleted. */
function touchedRecords(doc: Y.Doc, transaction: Y.Transaction): Map<TableName, Set<string>> {
  const touched = new Map<TableName, Set<string>>()
  // Both come straight from stored items (a resolution is any JSON an editor wrote), so checked.
  const add = (table: unknown, id: unknown): void => {
    if (typeof table !== 'string' || typeof id !== 'string' || !isTableName(table)) return
    let ids = touched.get(table)
    if (ids === undefined) touched.set(table, (ids = new Set()))
    ids.add(id)
  }
  const visit = (item: Y.Item): void => {
    const place = placeOf(item)
    if (place.kind === 'field') add(place.root, place.record)
    else if (place.kind === 'root' && place.root !== RESOLVED_MAP) add(place.root, place.key)
    else if (place.kind === 'root') {
      const resolution: unknown = itemValues(item)?.[0]
      if (typeof resolution === 'object' && resolution !== null) {
        add((resolution as Partial<ResolvedConflict>).table, (resolution as Partial<ResolvedConflict>).record_id)
      }
    }
  }
  for (const [client, after] of transaction.afterState) forEachItemBetween(doc, client, transaction.beforeState.get(client) ?? 0, after, visit)
  for (const [client, ranges] of transaction.deleteSet.clients) {
    for (const range of ranges) forEachItemBetween(doc, client, range.clock, range.clock + range.len, visit)
  }
  return touched
}
