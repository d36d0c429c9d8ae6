/**
 * The store's schema and its migrations, run on every open (relay/store.ts): tables created if
 * missing, columns added in place. Additive changes keep the schema version, so an older relay
 * still opens the store; a store of a newer version is refused by openStore.
 */
import type Database from 'better-sqlite3'
import { RENDERINGS_DDL } from './renderingTable.ts'
import { createPeriodTables } from './periodTable.ts'
import { createHolidayTables } from './holidayTable.ts'
import { createHistoryTables } from './historyTable.ts'

export const SCHEMA_VERSION = 1

export function migrate(db: Database.Database): void {
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
  createHistoryTables(db)
  db.exec(RENDERINGS_DDL)
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
