/**
 * The store's `users` table, row by row: what relay/users.ts reads and writes, with none of its
 * rules (names, passwords, regions). Part of the store: relay/store.ts creates it on its
 * connection, and nothing else in the relay writes SQL for users.
 */
import type Database from 'better-sqlite3'

export type Role = 'editor' | 'admin'

export interface UserRow {
  /** Null only for a row an older `users add` wrote into a migrated store (see assignAccountId). */
  readonly accountId: string | null
  readonly generation: number
  readonly username: string
  readonly passwordHash: string
  readonly role: Role
  readonly region: string | null
  readonly disabled: boolean
  readonly createdAt: number
  readonly updatedAt: number
}

export interface NewUserRow {
  readonly accountId: string
  readonly username: string
  readonly passwordHash: string
  readonly role: Role
  readonly region: string | null
  readonly at: number
}

/** What a change to an account sets; every one bumps the generation (relay/users.ts). */
export type UserChange =
  | { readonly passwordHash: string }
  | { readonly disabled: boolean }
  | { readonly role: Role; readonly region: string | null }

export interface StoredAccountState {
  readonly accountId: string
  readonly generation: number
  readonly disabled: boolean
}

export interface UserTable {
  /** The row of `username` (case-insensitive), if any. */
  byName(username: string): UserRow | undefined
  byAccount(accountId: string): UserRow | undefined
  /** Every row, by username. */
  list(): UserRow[]
  count(): number
  /** Generation and disabled flag of every account with an id: one small query. */
  states(): StoredAccountState[]
  /** Gives a row without an account id the id `accountId`; a row that has one keeps it. */
  assignAccountId(username: string, accountId: string): void
  insert(row: NewUserRow): void
  /**
   * Applies `change` and bumps the generation in one statement, so a concurrent change cannot be
   * lost between a read and a write.
   */
  change(username: string, change: UserChange, at: number): void
  /**
   * Replaces the password hash only while it is still `expected` (a login upgrading a legacy hash
   * must not overwrite a concurrent `users passwd`). Not a change to the account: the generation
   * stays, and so do its sessions.
   */
  rehash(username: string, expected: string, hash: string, at: number): void
  delete(username: string): void
}

interface SqlRow {
  account_id: string | null
  generation: number
  username: string
  password_hash: string
  role: string
  region: string | null
  disabled: number
  created_at: number
  updated_at: number
}

function fromSql(row: SqlRow): UserRow {
  return {
    accountId: row.account_id,
    generation: row.generation,
    username: row.username,
    passwordHash: row.password_hash,
    // The table's CHECK allows only these two.
    role: row.role === 'admin' ? 'admin' : 'editor',
    region: row.region,
    disabled: row.disabled !== 0,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export function userTable(db: Database.Database): UserTable {
  const byName = db.prepare<[string], SqlRow>('SELECT * FROM users WHERE username = ?')
  const byAccount = db.prepare<[string], SqlRow>('SELECT * FROM users WHERE account_id = ?')
  const list = db.prepare<[], SqlRow>('SELECT * FROM users ORDER BY username')
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM users')
  const states = db.prepare<[], { account_id: string; generation: number; disabled: number }>(
    'SELECT account_id, generation, disabled FROM users WHERE account_id IS NOT NULL',
  )
  const assign = db.prepare('UPDATE users SET account_id = ? WHERE username = ? AND account_id IS NULL')
  const insert = db.prepare(
    'INSERT INTO users (account_id, generation, username, password_hash, role, region, disabled, created_at, updated_at) ' +
      'VALUES (?, 1, ?, ?, ?, ?, 0, ?, ?)',
  )
  const bump = 'generation = generation + 1, updated_at = ? WHERE username = ?'
  const setHash = db.prepare(`UPDATE users SET password_hash = ?, ${bump}`)
  const setDisabled = db.prepare(`UPDATE users SET disabled = ?, ${bump}`)
  const setRole = db.prepare(`UPDATE users SET role = ?, region = ?, ${bump}`)
  const rehash = db.prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE username = ? AND password_hash = ?')
  const remove = db.prepare('DELETE FROM users WHERE username = ?')

  return {
    byName(username) {
      const row = byName.get(username)
      return row === undefined ? undefined : fromSql(row)
    },
    byAccount(accountId) {
      const row = byAccount.get(accountId)
      return row === undefined ? undefined : fromSql(row)
    },
    list: () => list.all().map(fromSql),
    count: () => count.get()?.n ?? 0,
    states: () => states.all().map((r) => ({ accountId: r.account_id, generation: r.generation, disabled: r.disabled !== 0 })),
    assignAccountId: (username, accountId) => void assign.run(accountId, username),
    insert: (row) => void insert.run(row.accountId, row.username, row.passwordHash, row.role, row.region, row.at, row.at),
    change(username, change, at) {
      if ('passwordHash' in change) setHash.run(change.passwordHash, at, username)
      else if ('disabled' in change) setDisabled.run(change.disabled ? 1 : 0, at, username)
      else setRole.run(change.role, change.region, at, username)
    },
    rehash: (username, expected, hash, at) => void rehash.run(hash, at, username, expected),
    delete: (username) => void remove.run(username),
  }
}
