/**
 * The relay's embedded store: one SQLite file `<data>/rainstaff.sqlite3` holding the update log,
 * compacted snapshots, users and metadata. It knows bytes and rows, not Yjs: storage.ts turns
 * them into documents. Its `region` columns hold document names (today a region's slug). This
 * module and its table modules (userTable.ts, periodTable.ts, holidayTable.ts) are the only ones that speak SQL.
 *
 * Durability rests on WAL mode and on its callers: they fan out an update only after
 * `appendUpdates` returned (the commit survives a killed process) and acknowledge it only once it
 * is fsynced, by SQLite itself (`synchronous=FULL`) or through syncLog (the relay's worker thread).
 */
import Database from 'better-sqlite3'
import { chmodSync, closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, statSync } from 'node:fs'
import path from 'node:path'
import { userTable, type UserTable } from './userTable.ts'
import { createPeriodTables, periodTable, type PeriodTable } from './periodTable.ts'
import { createHolidayTables, holidayTable, type HolidayTable } from './holidayTable.ts'

export const STORE_FILE = 'rainstaff.sqlite3'
const SCHEMA_VERSION = 1

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

/** The store as the relay uses it: named operations, no SQL outside this module and its table modules. */
export interface Store {
  readonly file: string
  /** The accounts (relay/users.ts holds the rules). */
  readonly users: UserTable
  /** Closed months and late edits (relay/closing.ts holds the rules). */
  readonly periods: PeriodTable
  /** The head office's decisions on public holidays. */
  readonly holidays: HolidayTable
  /**
   * Appends in one transaction; returns each row's sequence number. With `synchronous` set to
   * `normal` the commit is not fsynced yet: see syncLog.
   */
  appendUpdates(updates: readonly NewUpdate[]): number[]
  loadRegion(region: string): RegionHistory
  /** Replaces the snapshot with `data` (covering every update up to `uptoSeq`) and drops those updates. */
  writeSnapshot(region: string, data: Uint8Array, uptoSeq: number): void
  regionStorage(region: string): RegionStorage
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

/** The write-ahead log beside a store file. */
export function walFile(storeFile: string): string {
  return `${storeFile}-wal`
}

/**
 * fdatasync flushes a file's pages whichever descriptor wrote them, so SQLite's writes through its
 * own descriptor reach the disk. A missing WAL holds nothing uncheckpointed (SQLite fsyncs its
 * checkpoints itself).
 */
export function fdatasyncFile(file: string): void {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  try {
    fdatasyncSync(fd)
  } finally {
    closeSync(fd)
  }
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

/** The store and its WAL and shared-memory files: what must stay readable by the relay alone. */
export function storeFiles(storeFile: string): string[] {
  return [storeFile, walFile(storeFile), `${storeFile}-shm`]
}

/**
 * The data directory, created 0700 if it is missing. An existing one is left as it is: it may be
 * a mount point or a directory shared with other things (`--data .`), and the files in it are
 * closed to others on their own.
 */
function ensureDataDir(dataDir: string): void {
  if (existsSync(dataDir)) return
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  // mkdir's mode passes through the umask; 0700 is what is meant whatever the umask.
  chmodSync(dataDir, 0o700)
}

/**
 * The store file is created 0600 before SQLite opens it: SQLite would create it 0644 (less the
 * umask), and it gives its -wal and -shm files the main file's mode, so they follow.
 */
function createStoreFile(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    return
  }
  chmodSync(file, 0o600)
}

/**
 * Takes the group's and others' bits off a store made under a looser umask (or by an older
 * relay); never adds bits. A file the relay does not own keeps its mode: the relay can evidently
 * open it, and refusing to start over a mode would break a working store.
 */
function closeToOthers(file: string): void {
  try {
    const mode = statSync(file).mode & 0o777
    if ((mode & 0o077) !== 0) chmodSync(file, mode & 0o700)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' && code !== 'EPERM') throw error
  }
}

function migrate(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS updates (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      region TEXT NOT NULL,
      data BLOB NOT NULL,
      username TEXT NOT NULL,
      at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS updates_region_seq ON updates (region, seq);
    CREATE TABLE IF NOT EXISTS snapshots (
      region TEXT PRIMARY KEY,
      data BLOB NOT NULL,
      upto_seq INTEGER NOT NULL,
      -- time of the newest change the snapshot holds, not of the compaction
      at INTEGER NOT NULL
    );
    -- A Yjs client id belongs to the first account that wrote with it: another account writing
    -- under it would make the owner's later edits look already known, and be skipped forever.
    CREATE TABLE IF NOT EXISTS client_ids (
      client INTEGER PRIMARY KEY,
      username TEXT NOT NULL,
      first_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS users (
      username TEXT PRIMARY KEY COLLATE NOCASE,
      password_hash TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('editor', 'admin')),
      region TEXT,
      disabled INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
  `)
  migrateUsers(db)
  createPeriodTables(db)
  createHolidayTables(db)
  db.pragma(`user_version = ${SCHEMA_VERSION}`)
}

/**
 * Accounts gained a stable id (a name deleted and added again is another account, so the old
 * account's tokens do not carry over) and a generation that every change to the account bumps
 * (tokens name the generation they were issued for). Added in place, idempotently: a store from
 * before keeps its schema version, and an older relay can still open it. Ids are filled here for
 * rows without one, which also covers rows an older `users add` wrote into a migrated store.
 */
function migrateUsers(db: Database.Database): void {
  // Under the write lock, so a relay and a `users` command opening an old store together do not
  // both add the column.
  db.transaction(() => {
    const info = db.pragma('table_info(users)') as Array<{ name: string }>
    const columns = new Set(info.map((c) => c.name))
    if (!columns.has('account_id')) db.exec('ALTER TABLE users ADD COLUMN account_id TEXT')
    if (!columns.has('generation')) db.exec('ALTER TABLE users ADD COLUMN generation INTEGER NOT NULL DEFAULT 1')
    db.exec(`
      UPDATE users SET account_id = lower(hex(randomblob(16))) WHERE account_id IS NULL;
      CREATE UNIQUE INDEX IF NOT EXISTS users_account_id ON users (account_id);
    `)
  }).immediate()
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
  const appendMany = db.transaction((updates: readonly NewUpdate[]): number[] =>
    updates.map((u) => Number(insert.run(u.region, u.data, u.username, u.at).lastInsertRowid)),
  )
  const selectSnapshot = db.prepare<[string], { data: unknown; upto_seq: number }>(
    'SELECT data, upto_seq FROM snapshots WHERE region = ?',
  )
  const selectUpdates = db.prepare<[string, number], { seq: number; data: unknown }>(
    'SELECT seq, data FROM updates WHERE region = ? AND seq > ? ORDER BY seq',
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
    periods: periodTable(db),
    holidays: holidayTable(db),
    appendUpdates: (updates) => appendMany(updates),
    loadRegion(region) {
      const snap = selectSnapshot.get(region)
      const snapshotSeq = snap?.upto_seq ?? 0
      const snapshot = snap ? toBytes(snap.data, `snapshot of ${region}`) : null
      const updates = selectUpdates
        .all(region, snapshotSeq)
        .map((row) => ({ seq: row.seq, data: toBytes(row.data, `update ${row.seq} of ${region}`) }))
      return { snapshot, snapshotSeq, updates }
    },
    writeSnapshot: (region, data, uptoSeq) => replaceSnapshot(region, data, uptoSeq),
    regionStorage(region) {
      const u = updateStats.get(region)
      const s = snapshotStats.get(region)
      const last = Math.max(u?.last ?? 0, s?.at ?? 0)
      return {
        updates: u?.n ?? 0,
        bytes: (u?.bytes ?? 0) + (s?.bytes ?? 0),
        lastUpdateAt: last > 0 ? last : null,
      }
    },
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
