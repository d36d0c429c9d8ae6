/**
 * The legacy `users` table. Users are not region records: the relay imports them (see
 * relay/legacyImport.ts) with their legacy SHA-256 hashes, which are replaced at first login.
 * Only `legacyUsers` carries the hash, for that purpose; reports use the summaries.
 */
import type { LegacyId } from './plan.ts'
import { column, type LegacyFile, type LegacyValue } from './reader.ts'

/** A legacy user as a report may show it: never the password hash. */
export interface LegacyUserSummary {
  readonly legacyId: LegacyId
  readonly username: string
  /** `user` or `admin` as in the file. */
  readonly role: string
  /** `Ankara` … or `ALL` as in the file. */
  readonly region: string | null
}

export interface LegacyUser extends LegacyUserSummary {
  /** Hex SHA-256, either `sha256("rainstaff::" + password)` or `sha256(password)`. */
  readonly passwordHash: string | null
}

const text = (value: LegacyValue | undefined): string | null =>
  value == null || value instanceof Uint8Array ? null : String(value)

export function legacyUsers(file: LegacyFile): LegacyUser[] {
  const table = file.tables.get('users')
  if (table === undefined) return []
  const [id, username, hash, role, region] = ['id', 'username', 'password_hash', 'role', 'region'].map((c) => column(table, c))
  return table.rows.map((cells) => ({
    legacyId: typeof cells[id] === 'number' ? (cells[id] as number) : (text(cells[id]) ?? ''),
    username: (text(cells[username]) ?? '').trim(),
    role: text(cells[role]) ?? '',
    region: text(cells[region]),
    passwordHash: text(cells[hash]),
  }))
}

export function legacyUserSummaries(file: LegacyFile): LegacyUserSummary[] {
  return legacyUsers(file).map(({ legacyId, username, role, region }) => ({ legacyId, username, role, region }))
}
