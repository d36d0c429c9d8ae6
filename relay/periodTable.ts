/**
 * The store's tables for closed months, row by row: which month documents the head office has
 * closed (with the sheet it checked, byte for byte, and its SHA-256), every close and reopen with
 * who and why, and the late edits — updates that reached a closed month, kept but not applied
 * until the head office decides. Part of the store (relay/store.ts creates it on its connection);
 * the rules live in relay/closing.ts.
 */
import type Database from 'better-sqlite3'
import type { DeviceClaim } from './tokens.ts'

export interface ClosedPeriodRow {
  readonly document: string
  readonly closedAt: number
  readonly closedBy: string
  /** The document's version (store sequence) the sheet was made from. */
  readonly version: number
  readonly sheetSha256: string
}

export type PeriodAction = 'close' | 'reopen'

export interface PeriodEventRow {
  readonly document: string
  readonly action: PeriodAction
  readonly at: number
  readonly account: string
  readonly reason: string | null
}

export type LateEditState = 'waiting' | 'accepted' | 'rejected'

export interface LateEditRow {
  readonly id: number
  readonly document: string
  readonly account: string
  /** The PC its writer's session named, if any: the writer's once it is accepted. */
  readonly device: DeviceClaim | null
  readonly at: number
  readonly update: Uint8Array
  /** The Yjs client ids and clocks it wrote, as JSON [[client, from, to], …]. */
  readonly ranges: ReadonlyArray<readonly [number, number, number]>
  readonly state: LateEditState
  readonly decidedBy: string | null
  readonly decidedAt: number | null
  readonly reason: string | null
}

export interface PeriodTable {
  closed(document: string): ClosedPeriodRow | undefined
  /** Every closed month document. */
  closedDocuments(): string[]
  /** Closes the month and logs it, in one transaction. */
  close(row: ClosedPeriodRow & { readonly sheet: Uint8Array }, event: PeriodEventRow): void
  /** Reopens the month and logs it, in one transaction. */
  reopen(document: string, event: PeriodEventRow): void
  sheet(document: string): { readonly bytes: Uint8Array; readonly sha256: string } | undefined
  events(document: string): PeriodEventRow[]
  /** Keeps an update for the head office; returns its id. */
  addLateEdit(row: Omit<LateEditRow, 'id' | 'state' | 'decidedBy' | 'decidedAt' | 'reason'>): number
  lateEdit(id: number): LateEditRow | undefined
  lateEdits(filter: { readonly document?: string; readonly state?: LateEditState; readonly account?: string }): LateEditRow[]
  decide(id: number, state: 'accepted' | 'rejected', by: string, at: number, reason: string | null): void
}

export function createPeriodTables(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS closed_periods (
      document TEXT PRIMARY KEY,
      closed_at INTEGER NOT NULL,
      closed_by TEXT NOT NULL,
      version INTEGER NOT NULL,
      sheet BLOB NOT NULL,
      sheet_sha256 TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS period_events (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      document TEXT NOT NULL,
      action TEXT NOT NULL,
      at INTEGER NOT NULL,
      account TEXT NOT NULL,
      reason TEXT
    );
    CREATE TABLE IF NOT EXISTS late_edits (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      document TEXT NOT NULL,
      account TEXT NOT NULL,
      at INTEGER NOT NULL,
      data BLOB NOT NULL,
      ranges TEXT NOT NULL,
      state TEXT NOT NULL DEFAULT 'waiting',
      decided_by TEXT,
      decided_at INTEGER,
      reason TEXT
    );
    CREATE INDEX IF NOT EXISTS late_edits_by_document ON late_edits (document, state);
  `)
  // Added in place (an older relay still opens the store): the PC a late edit came from.
  const columns = new Set((db.pragma('table_info(late_edits)') as Array<{ name: string }>).map((c) => c.name))
  if (!columns.has('device_id')) db.exec('ALTER TABLE late_edits ADD COLUMN device_id TEXT')
  if (!columns.has('device_name')) db.exec('ALTER TABLE late_edits ADD COLUMN device_name TEXT')
}

interface LateEditSqlRow {
  id: number
  document: string
  account: string
  device_id: string | null
  device_name: string | null
  at: number
  data: Buffer
  ranges: string
  state: LateEditState
  decided_by: string | null
  decided_at: number | null
  reason: string | null
}

function lateEditOf(row: LateEditSqlRow): LateEditRow {
  return {
    id: row.id,
    document: row.document,
    account: row.account,
    device: row.device_id === null ? null : { id: row.device_id, name: row.device_name },
    at: row.at,
    update: new Uint8Array(row.data),
    ranges: JSON.parse(row.ranges) as Array<[number, number, number]>,
    state: row.state,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    reason: row.reason,
  }
}

export function periodTable(db: Database.Database): PeriodTable {
  const closedRow = db.prepare<[string], { document: string; closed_at: number; closed_by: string; version: number; sheet_sha256: string }>(
    'SELECT document, closed_at, closed_by, version, sheet_sha256 FROM closed_periods WHERE document = ?',
  )
  const insertLate = db.prepare('INSERT INTO late_edits (document, account, device_id, device_name, at, data, ranges) VALUES (?, ?, ?, ?, ?, ?, ?)')
  const addEvent = (event: PeriodEventRow): void => {
    db.prepare('INSERT INTO period_events (document, action, at, account, reason) VALUES (?, ?, ?, ?, ?)').run(event.document, event.action, event.at, event.account, event.reason)
  }
  return {
    closed(document) {
      const row = closedRow.get(document)
      return row && { document: row.document, closedAt: row.closed_at, closedBy: row.closed_by, version: row.version, sheetSha256: row.sheet_sha256 }
    },
    closedDocuments: () => db.prepare<[], { document: string }>('SELECT document FROM closed_periods ORDER BY document').all().map((r) => r.document),
    close: db.transaction((row: ClosedPeriodRow & { readonly sheet: Uint8Array }, event: PeriodEventRow) => {
      db.prepare('INSERT OR REPLACE INTO closed_periods (document, closed_at, closed_by, version, sheet, sheet_sha256) VALUES (?, ?, ?, ?, ?, ?)').run(
        row.document, row.closedAt, row.closedBy, row.version, Buffer.from(row.sheet), row.sheetSha256,
      )
      addEvent(event)
    }),
    reopen: db.transaction((document: string, event: PeriodEventRow) => {
      db.prepare('DELETE FROM closed_periods WHERE document = ?').run(document)
      addEvent(event)
    }),
    sheet(document) {
      const row = db.prepare<[string], { sheet: Buffer; sheet_sha256: string }>('SELECT sheet, sheet_sha256 FROM closed_periods WHERE document = ?').get(document)
      return row && { bytes: new Uint8Array(row.sheet), sha256: row.sheet_sha256 }
    },
    events(document) {
      return db
        .prepare<[string], { document: string; action: PeriodAction; at: number; account: string; reason: string | null }>(
          'SELECT document, action, at, account, reason FROM period_events WHERE document = ? ORDER BY seq',
        )
        .all(document)
    },
    addLateEdit(row) {
      return Number(insertLate.run(row.document, row.account, row.device?.id ?? null, row.device?.name ?? null, row.at, Buffer.from(row.update), JSON.stringify(row.ranges)).lastInsertRowid)
    },
    lateEdit(id) {
      const row = db.prepare<[number], LateEditSqlRow>('SELECT * FROM late_edits WHERE id = ?').get(id)
      return row && lateEditOf(row)
    },
    lateEdits(filter) {
      const where: string[] = []
      const params: Array<string> = []
      if (filter.document !== undefined) (where.push('document = ?'), params.push(filter.document))
      if (filter.state !== undefined) (where.push('state = ?'), params.push(filter.state))
      if (filter.account !== undefined) (where.push('account = ?'), params.push(filter.account))
      const sql = `SELECT * FROM late_edits ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`
      return db.prepare<string[], LateEditSqlRow>(sql).all(...params).map(lateEditOf)
    },
    decide(id, state, by, at, reason) {
      db.prepare(`UPDATE late_edits SET state = ?, decided_by = ?, decided_at = ?, reason = ? WHERE id = ? AND state = 'waiting'`).run(state, by, at, reason, id)
    },
  }
}
