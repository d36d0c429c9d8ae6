/**
 * The relay's embedded store: one SQLite file `<data>/rainstaff.sqlite3` holding the update log,
 * compacted snapshots, users, each document's rendering and metadata. It knows bytes and rows,
 * not Yjs: storage.ts turns them into documents. Its `region` columns hold document names
 * (`ankara`, `ankara/2026-11`). This module, storeSchema.ts, its table modules (userTable.ts,
 * renderingTable.ts, periodTable.ts, holidayTable.ts) and exportFile.ts (the exported SQLite file)
 * are the only ones that speak SQL; storeFiles.ts keeps
 * the files themselves.
 *
 * Durability rests on WAL mode and on its callers: they fan out an update only after
 * `appendUpdates` returned (the commit survives a killed process) and acknowledge it only once it
 * is fsynced, by SQLite itself (`synchronous=FULL`) or through syncLog (the relay's worker thread).
 */
import Database from 'better-sqlite3'
import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { renderingTable, type RenderingTable } from './renderingTable.ts'
import { closeToOthers, createStoreFile, ensureDataDir, fdatasyncFile, storeFiles, walFile } from './storeFiles.ts'
import { migrate, SCHEMA_VERSION } from './storeSchema.ts'
import { userTable, type UserTable } from './userTable.ts'
import { periodTable, type PeriodTable } from './periodTable.ts'
import { holidayTable, type HolidayTable } from './holidayTable.ts'
import { historyTable, type ClockRange, type HistoryTable } from './historyTable.ts'
import type { DeviceClaim } from './tokens.ts'

export const STORE_FILE = 'rainstaff.sqlite3'
export { fdatasyncFile, storeFiles, walFile } from './storeFiles.ts'

/** Start-up refuses a store it cannot trust; the message says where and what to do. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StoreError'
  }
}

export interface NewUpdate {
  readonly region: string
  readonly data: Uint8Array
  readonly username: string
  readonly at: number
  readonly device?: DeviceClaim | null
  /**
   * The Yjs clocks it adds (liveDoc.ts changesOf); without them history takes what it added for
   * written before history was kept (a store made by an older relay or tool).
   */
  readonly ranges?: readonly ClockRange[]
  /** The records it writes, when the writer knows them (the audit lists them). */
  readonly records?: ReadonlyArray<readonly [table: string, id: string]>
}

export interface StoredUpdate {
  readonly seq: number
  readonly data: Uint8Array
}

/** What a region doc is made of: the snapshot (if any) and the updates logged after it. */
export interface RegionHistory {
  readonly snapshot: Uint8Array | null
  readonly snapshotSeq: number
  readonly updates: readonly StoredUpdate[]
}

export interface RegionStorage {
  /** Updates logged since the snapshot. */
  readonly updates: number
  /** Bytes of the snapshot plus the logged updates. */
  readonly bytes: number
  /** Milliseconds since the epoch of the newest stored change, or null for an empty region. */
  readonly lastUpdateAt: number | null
}

/** What a document is read from: its history as stored (relay/storage.ts turns it into a doc). */
export interface HistorySource {
  loadRegion(region: string): RegionHistory
}

/**
 * A document's version: the sequence number of the newest update stored for it, or of the
 * newest one its snapshot covers; it changes whenever the document does and never goes back.
 * Null when nothing is stored for the document.
 */
export function historyVersion(history: RegionHistory): number | null {
  if (history.snapshot === null && history.updates.length === 0) return null
  return Math.max(history.snapshotSeq, history.updates.at(-1)?.seq ?? 0)
}

/** The store as the relay uses it: named operations, no SQL outside the modules named above. */
export interface Store extends HistorySource {
  readonly file: string
  /** The accounts (relay/users.ts holds the rules). */
  readonly users: UserTable
  /** Each document's records as last rendered (relay/renderings.ts keeps them current). */
  readonly renderings: RenderingTable
  /** Closed months and late edits (relay/closing.ts holds the rules). */
  readonly periods: PeriodTable
  /** The head office's decisions on public holidays. */
  readonly holidays: HolidayTable
  /** Who wrote what when, kept through compaction (relay/historyTable.ts). */
  readonly history: HistoryTable
  /**
   * Appends in one transaction; returns each row's sequence number. With `synchronous` set to
   * `normal` the commit is not fsynced yet: see syncLog.
   */
  appendUpdates(updates: readonly NewUpdate[]): number[]
  /** Replaces the snapshot with `data` (covering every update up to `uptoSeq`) and drops those updates. */
  writeSnapshot(region: string, data: Uint8Array, uptoSeq: number): void
  /**
   * Replaces everything stored for document `region` with `data`, a different state (a
   * migration's rewrite), under a fresh sequence number: the document's version moves on, so
   * whoever holds a rendering of what it was sees that it changed.
   */
  replaceDocument(region: string, data: Uint8Array): void
  regionStorage(region: string): RegionStorage
  /** regionStorage of every stored document, in one pass. */
  documentStorage(): Map<string, RegionStorage>
  /** The version of document `region` (see historyVersion). */
  documentVersion(region: string): number | null
  /** The version of every stored document. */
  documentVersions(): Map<string, number>
  /** Regions with anything stored, configured or not. */
  storedRegions(): string[]
  /** Size of the database file plus its write-ahead log. */
  fileBytes(): number
  /** Fsyncs the write-ahead log: every commit so far survives a machine crash. */
  syncLog(): void
  /** False once closed. */
  readonly isOpen: boolean
  /** `full`: each commit is fsynced before it returns; `normal`: left to syncLog and checkpoints. */
  setSynchronous(mode: 'full' | 'normal'): void
  /** Whether SQLite checkpoints the write-ahead log inside commits (off while the worker does it). */
  setAutoCheckpoint(on: boolean): void
  getMeta(key: string): string | undefined
  setMeta(key: string, value: string): void
  /** The account a Yjs client id was first written with, if any. */
  clientOwner(client: number): string | undefined
  /** Binds each unbound client id to `username`; ids already bound keep their account. */
  bindClients(clients: readonly number[], username: string, at: number): void
  /** Runs `read` in one read transaction: a compaction on another connection cannot split what it reads. */
  readConsistently<T>(read: () => T): T
  /** Writes a consistent copy of the store (write-ahead log included) to `file`. */
  backupTo(file: string): void
  /**
   * Runs `work` inside a savepoint and keeps what it wrote only when `keep` is true and it
   * succeeded. `work` may await (hashing a password): nothing else writes meanwhile in the
   * programs that use this (a dry run of a legacy import, on a store held exclusively).
   */
  tentatively<T>(keep: boolean, work: () => Promise<T>): Promise<T>
  close(): void
}

/**
 * What openStore returns: the Store and its raw SQLite connection. The connection is there for
 * tests that damage or inspect a store file on purpose; relay code takes a Store.
 */
export interface OpenStore extends Store {
  readonly db: Database.Database
}

/**
 * A second connection to the store file that only checkpoints its write-ahead log (the worker
 * thread's, relay/compactWorker.ts). PASSIVE never waits for the writer: commits on the main
 * thread go on meanwhile.
 */
export function walCheckpointer(storeFile: string): { checkpoint(): void } {
  const db = new Database(storeFile)
  db.pragma('busy_timeout = 1000')
  return { checkpoint: () => void db.pragma('wal_checkpoint(PASSIVE)') }
}

function lockExclusively(db: Database.Database, dataDir: string): void {
  try {
    db.pragma('busy_timeout = 0')
    db.pragma('locking_mode = EXCLUSIVE')
    // The first write transaction takes the lock; EXCLUSIVE mode keeps it until the connection closes.
    db.exec('BEGIN EXCLUSIVE')
    db.exec('COMMIT')
  } catch (error) {
    db.close()
    if (error instanceof Error && 'code' in error && error.code === 'SQLITE_BUSY') {
      throw new StoreError(
        `Veri klasörü kullanımda: ${dataDir} (sunucu çalışıyor olabilir). Sunucuyu durdurup yeniden deneyin. / ` +
          `The data directory is in use: ${dataDir} (is the relay running?). Stop the relay and try again.`,
        { cause: error },
      )
    }
    throw error
  }
}

function toBytes(value: unknown, where: string): Uint8Array {
  if (value instanceof Uint8Array) return value
  throw new StoreError(`Kayıt bozuk: ${where} / Damaged store: ${where} is not binary data`)
}

function storageOf(
  updates: { n: number; bytes: number | null; last: number | null } | undefined,
  snapshot: { bytes: number; at: number } | undefined,
): RegionStorage {
  const last = Math.max(updates?.last ?? 0, snapshot?.at ?? 0)
  return { updates: updates?.n ?? 0, bytes: (updates?.bytes ?? 0) + (snapshot?.bytes ?? 0), lastUpdateAt: last > 0 ? last : null }
}

/** Reads a document's history: its snapshot, then the updates logged after it. */
function historyReader(db: Database.Database): (region: string) => RegionHistory {
  const selectSnapshot = db.prepare<[string], { data: unknown; upto_seq: number }>(
    'SELECT data, upto_seq FROM snapshots WHERE region = ?',
  )
  const selectUpdates = db.prepare<[string, number], { seq: number; data: unknown }>(
    'SELECT seq, data FROM updates WHERE region = ? AND seq > ? ORDER BY seq',
  )
  return (region) => {
    const snap = selectSnapshot.get(region)
    const snapshotSeq = snap?.upto_seq ?? 0
    const snapshot = snap ? toBytes(snap.data, `snapshot of ${region}`) : null
    const updates = selectUpdates
      .all(region, snapshotSeq)
      .map((row) => ({ seq: row.seq, data: toBytes(row.data, `update ${row.seq} of ${region}`) }))
    return { snapshot, snapshotSeq, updates }
  }
}

export interface StoreOptions {
  /**
   * `full` (default) fsyncs every commit before it returns. `normal` leaves the commit in the OS
   * cache until a checkpoint or syncLog: it survives a killed relay process, not a crashed machine.
   */
  readonly synchronous?: 'full' | 'normal'
  /**
   * Holds SQLite's exclusive lock until close, and fails at once (StoreError) while another
   * process has the store open: how a legacy import or a repair knows the relay is stopped (the
   * store has no lock file; a relay in WAL mode holds a shared lock).
   */
  readonly exclusive?: boolean
}

/**
 * Opens (creating if needed) the store in `dataDir`. Throws StoreError for a file that is not a
 * database, fails SQLite's quick_check, or was written by a newer relay.
 */
export function openStore(dataDir: string, options: StoreOptions = {}): OpenStore {
  ensureDataDir(dataDir)
  const file = path.join(dataDir, STORE_FILE)
  createStoreFile(file)
  let db: Database.Database
  try {
    db = new Database(file)
    db.pragma('journal_mode = WAL')
    for (const f of storeFiles(file)) closeToOthers(f)
    // FULL fsyncs the WAL on every commit: the acknowledgement promise is "on disk", not "in cache".
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`)
    db.pragma('busy_timeout = 5000')
    // After a checkpoint the WAL is reused from its start; this caps the file left behind.
    db.pragma('journal_size_limit = 67108864')
    const check = db.pragma('quick_check', { simple: true })
    if (check !== 'ok') throw new Error(String(check))
    const version = db.pragma('user_version', { simple: true })
    if (typeof version === 'number' && version > SCHEMA_VERSION) {
      throw new Error(`schema version ${version} is newer than this relay understands (${SCHEMA_VERSION})`)
    }
    migrate(db)
  } catch (error) {
    if (error instanceof StoreError) throw error
    const code = (error as { code?: unknown }).code
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      // Another process holds the store (a legacy import, a second relay): nothing is damaged.
      throw new StoreError(
        `Veri deposu başka bir işlem tarafından kullanılıyor: ${file}. Sunucu başlatılmadı; içe aktarma ` +
          `veya başka bir sunucu bitince yeniden deneyin. / The store is in use by another process: ${file}. ` +
          'The relay did not start; try again once the import or the other relay has finished.',
        { cause: error },
      )
    }
    const detail = error instanceof Error ? error.message : String(error)
    throw new StoreError(
      `Veri deposu okunamıyor: ${file} (${detail}). Sunucu başlatılmadı; yedekten geri yükleyin. / ` +
        `The store is unreadable: ${file} (${detail}). The relay did not start; restore it from a backup.`,
      { cause: error },
    )
  }

  if (options.exclusive === true) lockExclusively(db, dataDir)

  const insert = db.prepare('INSERT INTO updates (region, data, username, at) VALUES (?, ?, ?, ?)')
  const history = historyTable(db)
  const appendMany = db.transaction((updates: readonly NewUpdate[]): number[] =>
    updates.map((u) => {
      const seq = Number(insert.run(u.region, u.data, u.username, u.at).lastInsertRowid)
      history.record(seq, { document: u.region, account: u.username, device: u.device ?? null, at: u.at, ranges: u.ranges ?? [], records: u.records ?? [] })
      return seq
    }),
  )
  const upsertSnapshot = db.prepare(
    `INSERT INTO snapshots (region, data, upto_seq, at) VALUES (?, ?, ?, ?)
     ON CONFLICT (region) DO UPDATE SET data = excluded.data, upto_seq = excluded.upto_seq, at = excluded.at`,
  )
  const deleteUpto = db.prepare('DELETE FROM updates WHERE region = ? AND seq <= ?')
  const newestMerged = db.prepare<[string, number, string], { at: number | null }>(
    `SELECT max(at) AS at FROM (SELECT at FROM updates WHERE region = ? AND seq <= ?
                               UNION ALL SELECT at FROM snapshots WHERE region = ?)`,
  )
  const replaceSnapshot = db.transaction((region: string, data: Uint8Array, uptoSeq: number) => {
    const at = newestMerged.get(region, uptoSeq, region)?.at ?? Date.now()
    upsertSnapshot.run(region, data, uptoSeq, at)
    deleteUpto.run(region, uptoSeq)
  })
  const replaceWhole = db.transaction((region: string, data: Uint8Array) => {
    const at = newestMerged.get(region, Number.MAX_SAFE_INTEGER, region)?.at ?? Date.now()
    // The row only takes the next sequence number (AUTOINCREMENT never hands one out twice); the
    // snapshot covers it and it goes with the updates it replaces.
    const seq = Number(insert.run(region, new Uint8Array(0), 'relay', at).lastInsertRowid)
    upsertSnapshot.run(region, data, seq, at)
    deleteUpto.run(region, seq)
  })
  const allUpdateStats = db.prepare<[], { region: string; n: number; bytes: number | null; last: number | null }>(
    'SELECT region, count(*) AS n, sum(length(data)) AS bytes, max(at) AS last FROM updates GROUP BY region',
  )
  const allSnapshotStats = db.prepare<[], { region: string; bytes: number; at: number }>(
    'SELECT region, length(data) AS bytes, at FROM snapshots',
  )
  const newestSeq = db.prepare<[string], { seq: number | null }>('SELECT max(seq) AS seq FROM updates WHERE region = ?')
  const snapshotSeq = db.prepare<[string], { upto_seq: number }>('SELECT upto_seq FROM snapshots WHERE region = ?')
  const allVersions = db.prepare<[], { region: string; version: number }>(
    `SELECT region, max(v) AS version FROM (SELECT region, max(seq) AS v FROM updates GROUP BY region
                                             UNION ALL SELECT region, upto_seq AS v FROM snapshots) GROUP BY region`,
  )
  const updateStats = db.prepare<[string], { n: number; bytes: number | null; last: number | null }>(
    'SELECT count(*) AS n, sum(length(data)) AS bytes, max(at) AS last FROM updates WHERE region = ?',
  )
  const snapshotStats = db.prepare<[string], { bytes: number; at: number }>(
    'SELECT length(data) AS bytes, at FROM snapshots WHERE region = ?',
  )
  const selectOwner = db.prepare<[number], { username: string }>('SELECT username FROM client_ids WHERE client = ?')
  const insertOwner = db.prepare('INSERT OR IGNORE INTO client_ids (client, username, first_at) VALUES (?, ?, ?)')
  const bindMany = db.transaction((clients: readonly number[], username: string, at: number) => {
    for (const client of clients) insertOwner.run(client, username, at)
  })
  const selectMeta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?')
  const upsertMeta = db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  )

  return {
    db,
    file,
    users: userTable(db),
    renderings: renderingTable(db),
    periods: periodTable(db),
    holidays: holidayTable(db),
    history,
    appendUpdates: (updates) => appendMany(updates),
    loadRegion: historyReader(db),
    writeSnapshot: (region, data, uptoSeq) => replaceSnapshot(region, data, uptoSeq),
    replaceDocument: (region, data) => replaceWhole(region, data),
    regionStorage: (region) => storageOf(updateStats.get(region), snapshotStats.get(region)),
    documentStorage() {
      const snapshots = new Map(allSnapshotStats.all().map((row) => [row.region, row]))
      const out = new Map<string, RegionStorage>()
      for (const row of allUpdateStats.all()) out.set(row.region, storageOf(row, snapshots.get(row.region)))
      for (const [region, row] of snapshots) if (!out.has(region)) out.set(region, storageOf(undefined, row))
      return out
    },
    documentVersion(region) {
      const newest = newestSeq.get(region)?.seq ?? null
      const covered = snapshotSeq.get(region)?.upto_seq ?? null
      return newest === null && covered === null ? null : Math.max(newest ?? 0, covered ?? 0)
    },
    documentVersions: () => new Map(allVersions.all().map((row) => [row.region, row.version])),
    storedRegions() {
      const rows = db
        .prepare<[], { region: string }>('SELECT region FROM updates UNION SELECT region FROM snapshots')
        .all()
      return rows.map((r) => r.region)
    },
    fileBytes() {
      let total = 0
      for (const f of [file, file + '-wal']) if (existsSync(f)) total += statSync(f).size
      return total
    },
    syncLog: () => fdatasyncFile(walFile(file)),
    get isOpen() {
      return db.open
    },
    setSynchronous: (mode) => void db.pragma(`synchronous = ${mode === 'full' ? 'FULL' : 'NORMAL'}`),
    setAutoCheckpoint: (on) => void db.pragma(`wal_autocheckpoint = ${on ? 1000 : 0}`),
    getMeta: (key) => selectMeta.get(key)?.value,
    setMeta: (key, value) => void upsertMeta.run(key, value),
    clientOwner: (client) => selectOwner.get(client)?.username,
    bindClients: (clients, username, at) => void bindMany(clients, username, at),
    readConsistently: (read) => db.transaction(read)(),
    backupTo: (target) => void db.prepare('VACUUM INTO ?').run(target),
    async tentatively(keep, work) {
      db.exec('SAVEPOINT tentatively')
      try {
        const result = await work()
        if (!keep) db.exec('ROLLBACK TO tentatively')
        return result
      } catch (error) {
        db.exec('ROLLBACK TO tentatively')
        throw error
      } finally {
        db.exec('RELEASE tentatively')
      }
    },
    close() {
      if (db.open) db.close()
    },
  }
}

/**
 * The store file as another thread reads it (the render worker, relay/renderWorker.ts): documents
 * and renderings, never a write. WAL mode lets it read while the relay's connection writes.
 */
export interface StoreReader extends HistorySource {
  readonly renderings: Pick<RenderingTable, 'get'>
  /** Runs `read` in one read transaction: a compaction committed meanwhile cannot split it. */
  readConsistently<T>(read: () => T): T
  close(): void
}

export function openStoreReader(storeFile: string): StoreReader {
  const db = new Database(storeFile, { fileMustExist: true })
  db.pragma('busy_timeout = 1000')
  db.pragma('query_only = ON')
  return {
    loadRegion: historyReader(db),
    renderings: renderingTable(db),
    readConsistently: (read) => db.transaction(read)(),
    close: () => void (db.open && db.close()),
  }
}
