/**
 * The SQLite mirror: documents projected into sql.js tables for queries and reports.
 *
 * The mirror follows each attached doc after every transaction, re-reading only the records the
 * transaction touched (crdt/touched.ts) — so the work is proportional to the change, never to the
 * doc. It also holds rows of documents it does not follow: a rendering (crdt/rendering.ts) of a
 * month this device never opened, or the rows a released document left. Each such document is
 * listed with the snapshot its rows reflect, and the whole mirror saves to one SQLite file
 * (`saveFile`, `openMirror({ file })`), so a cold start reads the file and, as each doc opens,
 * re-reads only the records changed since its snapshot.
 *
 * What reaches SQLite is what crdt/records.ts reads, and it reads only scalars: a malformed item
 * (a string where a record map belongs, a JSON object in a field, …) is skipped by its rules, so
 * no stored shape makes a bind fail. A record that stops being readable (a hard delete, or a bad
 * item with no earlier map under its id) leaves the mirror like a deleted one.
 */
import * as Y from 'yjs'
import initSqlJs, { type Database, type SqlValue, type Statement } from 'sql.js'
import { columnsOf, mirrorDdl } from '../schema/ddl.ts'
import { TABLE_NAMES, type TableName } from '../schema/tables.ts'
import { parseDocumentName } from '../schema/periods.ts'
import { recordIds } from './records.ts'
import { recordState, type Rendering, type RecordState } from './rendering.ts'
import { holdsSnapshot, touchedRecords, touchedSince } from './touched.ts'

export interface MirrorOptions {
  /** Where sql.js finds `sql-wasm.wasm` (browsers); Node finds it by itself. */
  locateFile?: (file: string) => string
  /**
   * A file saved by `saveFile` to start from. One that is not such a file, or was saved by a
   * build with another schema, is set aside: the mirror starts empty and `restored` says so.
   */
  file?: Uint8Array
}

export type Row = Record<string, SqlValue>
type ChangeListener = (tables: ReadonlySet<string>) => void

interface Attached {
  readonly doc: Y.Doc
  readonly region: string
  stop: () => void
}

/** A document whose rows the mirror holds without following its doc. */
export interface HeldDocument {
  readonly document: string
  readonly snapshot: Y.Snapshot
  /** Where the rows came from: the relay's version of its rendering, or null for this device's doc. */
  readonly version: string | null
}

/** Tables whose change a listener may care about: the schema tables plus the two support tables. */
const CONFLICTS = 'conflicts'
const DELETED = 'deleted_records'
const ALL_TABLES: ReadonlySet<string> = new Set([...TABLE_NAMES, CONFLICTS, DELETED])

/**
 * The mirror's own bookkeeping, saved with its rows: which document holds each record, and the
 * documents held without their doc. `mirror_info` names the schema the file was made with. The
 * owners are one b-tree with no index by document: a cold build writes a row per record, and only
 * a detach reads them by document.
 */
const BOOKKEEPING = `
CREATE TABLE mirror_owners (
  table_name TEXT NOT NULL,
  region TEXT NOT NULL,
  record_id TEXT NOT NULL,
  document TEXT NOT NULL,
  PRIMARY KEY (table_name, region, record_id)
) WITHOUT ROWID;
CREATE TABLE mirror_documents (document TEXT PRIMARY KEY, snapshot BLOB NOT NULL, version TEXT);
CREATE TABLE mirror_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);`

/** Changes with the schema: a file saved under another schema is not read. */
function schemaFingerprint(): string {
  const ddl = mirrorDdl() + BOOKKEEPING
  let hash = 2166136261
  for (let i = 0; i < ddl.length; i++) hash = Math.imul(hash ^ ddl.charCodeAt(i), 16777619) >>> 0
  return hash.toString(16)
}

let sqlModule: ReturnType<typeof initSqlJs> | undefined

export async function openMirror(options: MirrorOptions = {}): Promise<Mirror> {
  sqlModule ??= initSqlJs(options.locateFile ? { locateFile: options.locateFile } : undefined)
  const SQL = await sqlModule
  if (options.file !== undefined) {
    let db: Database | undefined
    try {
      db = new SQL.Database(options.file)
      const saved = db.exec(`SELECT value FROM mirror_info WHERE key = 'schema'`)[0]?.values[0]?.[0]
      if (saved === schemaFingerprint()) return new Mirror(db, true)
    } catch {
      // Not a mirror file, or a damaged one: it is only a cache of the documents, so start over.
    }
    db?.close()
  }
  return new Mirror(new SQL.Database(), false)
}

export class Mirror {
  readonly db: Database
  /** Whether the mirror started from a saved file (openMirror's `file`) rather than empty. */
  readonly restored: boolean
  private readonly attached = new Map<string, Attached>()
  private readonly listeners = new Set<ChangeListener>()
  private readonly upserts = new Map<TableName, Statement>()
  private readonly deleteRows = new Map<TableName, Statement>()
  private readonly statements: Record<
    | 'markDeleted' | 'unmarkDeleted' | 'clearConflicts' | 'addConflict'
    | 'ownerOf' | 'setOwner' | 'dropOwner' | 'ownedBy' | 'held' | 'hold' | 'unhold',
    Statement
  >

  constructor(db: Database, restored: boolean) {
    this.db = db
    this.restored = restored
    if (!restored) {
      db.exec(mirrorDdl() + BOOKKEEPING)
      db.run(`INSERT INTO mirror_info (key, value) VALUES ('schema', ?)`, [schemaFingerprint()])
    }
    for (const table of TABLE_NAMES) {
      const columns = columnsOf(table)
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
      ownerOf: db.prepare(`SELECT document FROM mirror_owners WHERE table_name = ? AND region = ? AND record_id = ?`),
      setOwner: db.prepare(`INSERT OR REPLACE INTO mirror_owners (table_name, region, record_id, document) VALUES (?, ?, ?, ?)`),
      dropOwner: db.prepare(`DELETE FROM mirror_owners WHERE table_name = ? AND region = ? AND record_id = ?`),
      ownedBy: db.prepare(`SELECT table_name, region, record_id FROM mirror_owners WHERE document = ?`),
      held: db.prepare(`SELECT snapshot, version FROM mirror_documents WHERE document = ?`),
      hold: db.prepare(`INSERT OR REPLACE INTO mirror_documents (document, snapshot, version) VALUES (?, ?, ?)`),
      unhold: db.prepare(`DELETE FROM mirror_documents WHERE document = ?`),
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
   * Mirrors document `name` (a region's master or one of its months, schema/periods.ts) and follows
   * its changes. Rows held for it whose snapshot `doc` holds are kept and only what changed since
   * is read again; otherwise every record is read.
   */
  attach(name: string, doc: Y.Doc): void {
    this.attached.get(name)?.stop()
    this.attached.delete(name)
    const region = regionOf(name)
    const target: Attached = { doc, region, stop: () => undefined }
    const held = this.heldDocument(name)
    this.inTransaction(() => {
      if (held !== undefined && holdsSnapshot(doc, held.snapshot)) {
        for (const [table, ids] of touchedSince(doc, held.snapshot)) for (const id of ids) this.syncRecord(name, target, table, id)
      } else {
        this.removeRows(name)
        // Into a mirror that holds no record at all (a cold start without a saved file), no record
        // can be owned by another document: the owner lookups are skipped, a third of the work.
        const fresh = this.db.exec('SELECT 1 FROM mirror_owners LIMIT 1').length === 0
        for (const table of TABLE_NAMES) for (const id of recordIds(doc, table)) this.syncRecord(name, target, table, id, fresh)
      }
      this.statements.unhold.run([name])
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
    this.notify(ALL_TABLES)
  }

  /** Stops following document `name` and removes the rows it holds. */
  detach(name: string): void {
    this.attached.get(name)?.stop()
    this.attached.delete(name)
    this.inTransaction(() => {
      this.removeRows(name)
      this.statements.unhold.run([name])
    })
    this.notify(ALL_TABLES)
  }

  /**
   * Stops following document `name` but keeps its rows, as of its doc now: a month closed on this
   * device stays queryable, and attaching it again reads only what changed meanwhile.
   */
  release(name: string): void {
    const attached = this.attached.get(name)
    if (attached === undefined) return
    attached.stop()
    this.attached.delete(name)
    this.statements.hold.run([name, Y.encodeSnapshot(Y.snapshot(attached.doc)), null])
  }

  /**
   * Shows a rendering of a document this mirror does not follow (a month fetched from the relay),
   * replacing the rows held for it; `version` is the relay's, to know later whether it changed.
   * A document being followed keeps its live rows: the rendering is ignored (false).
   */
  show(rendering: Rendering, version: string | null): boolean {
    const name = rendering.document
    if (this.attached.has(name)) return false
    this.inTransaction(() => {
      this.removeRows(name)
      for (const record of rendering.records) this.writeRecord(name, rendering.region, record.table, record.id, record)
      this.statements.hold.run([name, Y.encodeSnapshot(rendering.snapshot), version])
    })
    this.notify(ALL_TABLES)
    return true
  }

  /** The document whose rows hold record `id` of `table` in `region` (followed or held), if any. */
  documentOf(table: TableName, region: string, id: string): string | undefined {
    return this.ownerOf(table, region, id)
  }

  /** The documents followed, by name. */
  documents(): string[] {
    return [...this.attached.keys()]
  }

  /** The documents whose rows are held without their doc (shown or released). */
  heldDocuments(): HeldDocument[] {
    return this.query('SELECT document, snapshot, version FROM mirror_documents ORDER BY document').map((row) => ({
      document: String(row.document),
      snapshot: Y.decodeSnapshot(row.snapshot as Uint8Array),
      version: row.version === null ? null : String(row.version),
    }))
  }

  /** The regions with at least one document mirrored, followed or held. */
  regions(): string[] {
    const held = this.heldDocuments().map((d) => regionOf(d.document))
    return [...new Set([...[...this.attached.values()].map((a) => a.region), ...held])]
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

  /** The whole mirror as a SQLite file: what an export hands out. */
  exportFile(): Uint8Array {
    return this.db.export()
  }

  /**
   * The mirror as a file to start from next time (openMirror's `file`): the followed documents are
   * saved with the snapshot of their doc now, so their rows are trusted up to it.
   */
  saveFile(): Uint8Array {
    this.inTransaction(() => {
      for (const [name, { doc }] of this.attached) this.statements.hold.run([name, Y.encodeSnapshot(Y.snapshot(doc)), null])
    })
    try {
      return this.db.export()
    } finally {
      // Followed documents are live again: their rows change with the doc, not with a snapshot.
      this.inTransaction(() => {
        for (const name of this.attached.keys()) this.statements.unhold.run([name])
      })
    }
  }

  close(): void {
    for (const attached of this.attached.values()) attached.stop()
    this.attached.clear()
    this.listeners.clear()
    this.db.close()
  }

  private heldDocument(name: string): HeldDocument | undefined {
    const statement = this.statements.held
    try {
      statement.bind([name])
      if (!statement.step()) return undefined
      const [snapshot, version] = statement.get()
      return { document: name, snapshot: Y.decodeSnapshot(snapshot as Uint8Array), version: version === null ? null : String(version) }
    } finally {
      statement.reset()
    }
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

  private ownerOf(table: TableName, region: string, id: string): string | undefined {
    const statement = this.statements.ownerOf
    try {
      statement.bind([table, region, id])
      return statement.step() ? String(statement.get()[0]) : undefined
    } finally {
      statement.reset()
    }
  }

  /** Removes every record document `name` holds. */
  private removeRows(name: string): void {
    const owned: Array<[TableName, string, string]> = []
    const statement = this.statements.ownedBy
    try {
      statement.bind([name])
      while (statement.step()) owned.push(statement.get() as [TableName, string, string])
    } finally {
      statement.reset()
    }
    for (const [table, region, id] of owned) this.removeRecord(table, region, id)
  }

  private removeRecord(table: TableName, region: string, id: string): void {
    this.deleteRow(table).run([region, id])
    this.statements.unmarkDeleted.run([region, table, id])
    this.statements.clearConflicts.run([region, table, id])
    this.statements.dropOwner.run([table, region, id])
  }

  /**
   * Writes one record's current state as document `name` holds it: its row or its deletion, and
   * its conflicts. A record lives in one document at a time; the copy a moved record left in its
   * old month (crdt/moves.ts) is not it, so that copy removes the row only while it still owns it.
   */
  private syncRecord(name: string, attached: Attached, table: TableName, id: string, fresh = false): void {
    const state = recordState(attached.doc, attached.region, table, id)
    if (state !== undefined) this.writeRecord(name, attached.region, table, id, state, fresh)
    else if (!fresh && this.ownerOf(table, attached.region, id) === name) this.removeRecord(table, attached.region, id)
  }

  /** `fresh`: the mirror is known to hold nothing for the record. */
  private writeRecord(name: string, region: string, table: TableName, id: string, state: RecordState, fresh = false): void {
    if (!fresh && this.ownerOf(table, region, id) !== undefined) this.removeRecord(table, region, id)
    this.statements.setOwner.run([table, region, id, name])
    if (state.row !== null) this.upserts.get(table)!.run(state.row)
    else this.statements.markDeleted.run([region, table, id, state.deleted?.at ?? null, state.deleted?.by ?? null])
    for (const c of state.conflicts) {
      this.statements.addConflict.run([
        c.conflict_id, region, table, id, c.field, c.value, c.value_by, c.value_at, c.lost_value, c.lost_by, c.lost_at,
      ])
    }
  }
}

function regionOf(name: string): string {
  const parsed = parseDocumentName(name)
  if (parsed === undefined) throw new Error(`mirror: not a document name: ${name}`)
  return parsed.region
}
