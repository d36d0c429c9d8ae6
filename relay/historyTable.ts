/**
 * What the relay keeps of every stored update for history, beside the update log and forever:
 * compaction folds updates into snapshots and drops their rows, these stay. Per update its
 * document, account, PC and time (`history_updates`, keyed by the update's sequence number), the
 * Yjs clock ranges it added (`history_clocks`: which account wrote which item, and which items
 * the document held at a given time) and the records it wrote (`history_records`: the audit's
 * rows, and the documents a record moved between). They are written in the transaction that
 * appends the update (relay/store.ts), so a killed relay keeps both or neither.
 *
 * Updates stored before these tables existed have no rows; `history_since` (meta) says from when
 * the relay kept them, and whatever a document held before then counts as written before it.
 */
import type Database from 'better-sqlite3'
import type { DeviceClaim } from './tokens.ts'

/** Clocks [from, to) of one Yjs client. */
export interface ClockRange {
  readonly client: number
  readonly from: number
  readonly to: number
}

/** What history keeps of one update: who, from which PC, when, which clocks, which records. */
export interface UpdateHistory {
  readonly document: string
  readonly account: string
  readonly device: DeviceClaim | null
  readonly at: number
  readonly ranges: readonly ClockRange[]
  readonly records: ReadonlyArray<readonly [table: string, id: string]>
}

/** A clock range with the stored update it came in. */
export interface AttributedRange extends ClockRange {
  readonly seq: number
  readonly account: string
  readonly device: DeviceClaim | null
  readonly at: number
}

export interface AuditFilter {
  /** A region: its master document and every month of it. */
  readonly region?: string
  readonly account?: string
  readonly table?: string
  /** ms since the epoch, inclusive. */
  readonly from?: number
  /** ms since the epoch, exclusive. */
  readonly to?: number
  /** Rows after this sequence number (paging). */
  readonly after?: number
  readonly limit: number
}

/** One record written by one stored update. */
export interface AuditRow {
  readonly seq: number
  readonly document: string
  readonly account: string
  readonly device: DeviceClaim | null
  readonly at: number
  readonly table: string
  readonly id: string
}

/** Changes of one day (Türkiye time), region, account and table. */
export interface AuditDay {
  readonly day: string
  readonly region: string
  readonly account: string
  readonly table: string
  readonly changes: number
}

export interface HistoryTable {
  /** Writes what history keeps of the update stored as `seq`; called inside the append's transaction. */
  record(seq: number, update: UpdateHistory): void
  /** When the relay started keeping history (ms since the epoch). */
  since(): number
  /** Every stored range of `clients` in `document`, by client and clock. */
  ranges(document: string, clients: Iterable<number>): AttributedRange[]
  /**
   * What `document` held at `at`, client by client: the clocks every update stored by then added
   * (`upto`), and where each client's logged clocks begin (`logFrom`: clocks before it were
   * written before history was kept). Clients absent wrote nothing that history logged.
   */
  clocksAt(document: string, at: number): Map<number, { readonly upto: number; readonly logFrom: number }>
  /** The documents record `id` of `table` was ever written in, in the order they first were. */
  documentsOf(table: string, id: string): string[]
  /** Records written in `document` that were also written in other documents (they moved), with those. */
  elsewhere(document: string): Array<{ table: string; id: string; documents: string[] }>
  audit(filter: AuditFilter): AuditRow[]
  auditDays(filter: Omit<AuditFilter, 'after' | 'limit'>): AuditDay[]
}

const SINCE_KEY = 'history_since'

export function createHistoryTables(db: Database.Database): void {
  db.exec(`
    -- A PC's id and name once, not with each of its updates.
    CREATE TABLE IF NOT EXISTS history_devices (
      n INTEGER PRIMARY KEY,
      device_id TEXT NOT NULL,
      device_name TEXT,
      UNIQUE (device_id, device_name)
    );
    CREATE TABLE IF NOT EXISTS history_updates (
      seq INTEGER PRIMARY KEY,
      document TEXT NOT NULL,
      account TEXT NOT NULL,
      device INTEGER,
      at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS history_updates_by_document ON history_updates (document, seq);
    CREATE INDEX IF NOT EXISTS history_updates_by_time ON history_updates (at);
    CREATE TABLE IF NOT EXISTS history_clocks (
      client INTEGER NOT NULL,
      from_clock INTEGER NOT NULL,
      seq INTEGER NOT NULL,
      to_clock INTEGER NOT NULL,
      PRIMARY KEY (client, from_clock, seq)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS history_clocks_by_seq ON history_clocks (seq);
    CREATE TABLE IF NOT EXISTS history_records (
      table_name TEXT NOT NULL,
      record_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      PRIMARY KEY (table_name, record_id, seq)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS history_records_by_seq ON history_records (seq);
  `)
  db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(SINCE_KEY, String(Date.now()))
}

interface RangeRow {
  client: number
  from_clock: number
  to_clock: number
  seq: number
  account: string
  device_id: string | null
  device_name: string | null
  at: number
}

const deviceOf = (id: string | null, name: string | null): DeviceClaim | null => (id === null ? null : { id, name })

/** Today's Türkiye time (UTC+3 all year since 2016) as SQLite reads a ms timestamp. */
const DAY_SQL = "date(u.at / 1000, 'unixepoch', '+3 hours')"
const REGION_SQL = "CASE WHEN instr(u.document, '/') > 0 THEN substr(u.document, 1, instr(u.document, '/') - 1) ELSE u.document END"

function where(filter: Omit<AuditFilter, 'limit'>): { sql: string; params: Array<string | number> } {
  const parts: string[] = []
  const params: Array<string | number> = []
  // The master document, or a name in [region/, region0): its months ('0' follows '/'), by the document index.
  if (filter.region !== undefined) (parts.push('(u.document = ? OR (u.document >= ? AND u.document < ?))'), params.push(filter.region, `${filter.region}/`, `${filter.region}0`))
  if (filter.account !== undefined) (parts.push('u.account = ?'), params.push(filter.account))
  if (filter.table !== undefined) (parts.push('r.table_name = ?'), params.push(filter.table))
  if (filter.from !== undefined) (parts.push('u.at >= ?'), params.push(filter.from))
  if (filter.to !== undefined) (parts.push('u.at < ?'), params.push(filter.to))
  if (filter.after !== undefined) (parts.push('u.seq > ?'), params.push(filter.after))
  return { sql: parts.length === 0 ? '' : `WHERE ${parts.join(' AND ')}`, params }
}

export function historyTable(db: Database.Database): HistoryTable {
  const insertUpdate = db.prepare('INSERT INTO history_updates (seq, document, account, device, at) VALUES (?, ?, ?, ?, ?)')
  const insertDevice = db.prepare('INSERT OR IGNORE INTO history_devices (device_id, device_name) VALUES (?, ?)')
  const selectDevice = db.prepare<[string, string | null], { n: number }>('SELECT n FROM history_devices WHERE device_id = ? AND device_name IS ?')
  /** Device → its row number, read through: a session writes many updates from one PC. */
  const devices = new Map<string, number>()
  const deviceNumber = (device: DeviceClaim | null): number | null => {
    if (device === null) return null
    const key = `${device.id}\u0000${device.name ?? ''}`
    let n = devices.get(key)
    if (n === undefined) {
      insertDevice.run(device.id, device.name)
      n = (selectDevice.get(device.id, device.name) as { n: number }).n
      devices.set(key, n)
    }
    return n
  }
  const insertClocks = db.prepare('INSERT OR IGNORE INTO history_clocks (client, from_clock, seq, to_clock) VALUES (?, ?, ?, ?)')
  const insertRecord = db.prepare('INSERT OR IGNORE INTO history_records (table_name, record_id, seq) VALUES (?, ?, ?)')
  const selectSince = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?')
  const selectRanges = db.prepare<[number, string], RangeRow>(
    `SELECT c.client, c.from_clock, c.to_clock, c.seq, u.account, d.device_id, d.device_name, u.at
       FROM history_clocks c JOIN history_updates u ON u.seq = c.seq LEFT JOIN history_devices d ON d.n = u.device
      WHERE c.client = ? AND u.document = ? ORDER BY c.from_clock`,
  )
  const lastSeqAt = db.prepare<[string, number], { seq: number | null }>('SELECT max(seq) AS seq FROM history_updates WHERE document = ? AND at <= ?')
  const clocksOf = db.prepare<[number, string], { client: number; upto: number | null; log_from: number }>(
    `SELECT c.client, max(CASE WHEN c.seq <= ? THEN c.to_clock END) AS upto, min(c.from_clock) AS log_from
       FROM history_clocks c JOIN history_updates u ON u.seq = c.seq
      WHERE u.document = ? GROUP BY c.client`,
  )
  const documents = db.prepare<[string, string], { document: string }>(
    `SELECT u.document FROM history_records r JOIN history_updates u ON u.seq = r.seq
      WHERE r.table_name = ? AND r.record_id = ? GROUP BY u.document ORDER BY min(r.seq)`,
  )
  const elsewhere = db.prepare<[string, string], { table_name: string; record_id: string; documents: string }>(
    `SELECT r.table_name, r.record_id, group_concat(DISTINCT o.document) AS documents
       FROM (SELECT DISTINCT r.table_name, r.record_id FROM history_records r JOIN history_updates u ON u.seq = r.seq WHERE u.document = ?) AS r
       JOIN history_records r2 ON r2.table_name = r.table_name AND r2.record_id = r.record_id
       JOIN history_updates o ON o.seq = r2.seq AND o.document <> ?
      GROUP BY r.table_name, r.record_id`,
  )
  return {
    record(seq, update) {
      insertUpdate.run(seq, update.document, update.account, deviceNumber(update.device), update.at)
      for (const range of update.ranges) insertClocks.run(range.client, range.from, seq, range.to)
      for (const [table, id] of update.records) insertRecord.run(table, id, seq)
    },
    since: () => Number(selectSince.get(SINCE_KEY)?.value ?? Date.now()),
    ranges(document, clients) {
      const out: AttributedRange[] = []
      for (const client of new Set(clients)) {
        for (const row of selectRanges.all(client, document)) {
          out.push({ client: row.client, from: row.from_clock, to: row.to_clock, seq: row.seq, account: row.account, device: deviceOf(row.device_id, row.device_name), at: row.at })
        }
      }
      return out
    },
    clocksAt(document, at) {
      // A prefix of the log by sequence, not by time: a clock set back can reorder times, never
      // what was stored before what, and every update's dependencies were stored before it.
      const upto = lastSeqAt.get(document, at)?.seq ?? 0
      const out = new Map<number, { upto: number; logFrom: number }>()
      for (const row of clocksOf.all(upto, document)) out.set(row.client, { upto: row.upto ?? 0, logFrom: row.log_from })
      return out
    },
    documentsOf: (table, id) => documents.all(table, id).map((row) => row.document),
    elsewhere: (document) =>
      elsewhere.all(document, document).map((row) => ({ table: row.table_name, id: row.record_id, documents: row.documents.split(',').sort() })),
    audit(filter) {
      const { sql, params } = where(filter)
      const rows = db
        .prepare<Array<string | number>, { seq: number; document: string; account: string; device_id: string | null; device_name: string | null; at: number; table_name: string; record_id: string }>(
          `SELECT u.seq, u.document, u.account, d.device_id, d.device_name, u.at, r.table_name, r.record_id
             FROM history_updates u JOIN history_records r ON r.seq = u.seq LEFT JOIN history_devices d ON d.n = u.device ${sql}
            ORDER BY u.seq, r.table_name, r.record_id LIMIT ?`,
        )
        .all(...params, filter.limit)
      return rows.map((row) => ({ seq: row.seq, document: row.document, account: row.account, device: deviceOf(row.device_id, row.device_name), at: row.at, table: row.table_name, id: row.record_id }))
    },
    auditDays(filter) {
      const { sql, params } = where(filter)
      return db
        .prepare<Array<string | number>, AuditDay>(
          `SELECT ${DAY_SQL} AS day, ${REGION_SQL} AS region, u.account AS account, r.table_name AS "table", count(*) AS changes
             FROM history_updates u JOIN history_records r ON r.seq = u.seq ${sql}
            GROUP BY day, region, account, "table" ORDER BY day, region, account, "table"`,
        )
        .all(...params)
    },
  }
}
