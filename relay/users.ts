/**
 * Relay users: who may log in, with which role and region. Rows live in the store's `users`
 * table; every function takes the store so the CLI, the relay and a legacy importer share them.
 *
 * Every change to an account (password, role, region, disabled, deletion) bumps its generation.
 * Tokens name the account id and the generation they were issued for, and the relay compares
 * both at admission and, about once a second, for every open connection: the change ends the
 * account's sessions wherever it was made (this process, or `rainstaff users` in another one).
 */
import { DEFAULT_REGIONS, isRegionSlug, legacyRegionSlug, type Region } from '../schema/regions.ts'
import { randomBytes } from 'node:crypto'
import { decoyHash, hashPassword, legacyStoredHash, randomPassword, verifyPassword } from './passwords.ts'
import type { Store } from './store.ts'
import type { Role, UserChange, UserRow } from './userTable.ts'
import { BilingualError } from '../schema/bilingual.ts'

export type { Role } from './userTable.ts'

export interface User {
  /** Stable for the account's life; a name deleted and added again gets a new id. */
  readonly accountId: string
  /** Bumped by every change to the account; tokens of an older generation are void. */
  readonly generation: number
  readonly username: string
  readonly role: Role
  /** The region an editor writes; null for the admin, who reads every region and writes none. */
  readonly region: string | null
  readonly disabled: boolean
  readonly createdAt: number
  readonly updatedAt: number
}

interface NewUserBase {
  readonly username: string
  readonly role: Role
  readonly region?: string | null
}

/** A new user with a plain password, or with a hash from a legacy `users` table (upgraded on first login). */
export type NewUser = NewUserBase & ({ readonly password: string } | { readonly legacyHash: string })

/** Bad input for a user operation; the message is bilingual and nothing was changed. */
export type UserErrorCode =
  | 'bad_username'
  | 'bad_role'
  | 'password_too_short'
  | 'region_required'
  | 'unknown_region'
  | 'user_exists'
  | 'no_such_user'

export class UserError extends BilingualError {
  constructor(
    readonly tr: string,
    readonly en: string,
    /** What went wrong, for a UI that shows one language (the HTTP answer's `code`). */
    readonly code: UserErrorCode = 'bad_username',
  ) {
    super({ tr, en })
    this.name = 'UserError'
  }
}

export const MIN_PASSWORD_LENGTH = 8
const USERNAME = /^[\p{L}\p{N}._@-]{1,64}$/u

function toUser(row: UserRow): User {
  return {
    accountId: row.accountId ?? '',
    generation: row.generation,
    username: row.username,
    role: row.role,
    region: row.region,
    disabled: row.disabled,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new UserError(
      `Parola en az ${MIN_PASSWORD_LENGTH} karakter olmalı`,
      `The password must have at least ${MIN_PASSWORD_LENGTH} characters`,
      'password_too_short',
    )
  }
}

function checkRegion(role: Role, region: string | null | undefined, regions: readonly Region[]): string | null {
  if (role === 'admin') return null
  if (region == null || region === '') {
    throw new UserError('Editör için bölge gerekli (--region)', 'An editor needs a region (--region)', 'region_required')
  }
  if (!isRegionSlug(region) || !regions.some((r) => r.slug === region)) {
    const known = regions.map((r) => r.slug).join(', ')
    throw new UserError(`Bilinmeyen bölge: ${region} (${known})`, `Unknown region: ${region} (${known})`, 'unknown_region')
  }
  return region
}

function row(store: Store, username: string): UserRow | undefined {
  const found = store.users.byName(username)
  if (found === undefined || found.accountId !== null) return found
  // Written by an older `users add` into a store this relay migrated: give it its id now.
  store.users.assignAccountId(found.username, newAccountId())
  return store.users.byName(username)
}

/** A new account id: random, so it says nothing about the name or the order of creation. */
function newAccountId(): string {
  return randomBytes(16).toString('hex')
}

/** Applies `to` to the user's row and bumps its generation (UserTable.change). */
function change(store: Store, username: string, to: UserChange): void {
  const found = requireRow(store, username)
  store.users.change(found.username, to, Date.now())
}

function requireRow(store: Store, username: string): UserRow {
  const found = row(store, username)
  if (!found) throw new UserError(`Kullanıcı yok: ${username}`, `No such user: ${username}`, 'no_such_user')
  return found
}

/** Maps a legacy role (`user`, `admin`) to a relay role. */
export function legacyRole(role: string): Role {
  return role.trim().toLowerCase() === 'admin' ? 'admin' : 'editor'
}

/** Maps a legacy user's region (`Ankara`, `ALL` for the admin …) to a slug, or null for `ALL`. */
export function legacyUserRegion(region: string | null | undefined): string | null {
  if (region != null && region.trim().toUpperCase() === 'ALL') return null
  return legacyRegionSlug(region)
}

/**
 * Adds a user. `regions` is the set an editor's region must belong to (the relay's configured
 * regions; the defaults when omitted). Throws UserError for a taken name or bad input.
 */
export async function addUser(store: Store, input: NewUser, regions: readonly Region[] = DEFAULT_REGIONS): Promise<User> {
  const username = input.username.trim()
  if (!USERNAME.test(username)) {
    throw new UserError(
      'Kullanıcı adı 1–64 harf, rakam veya . _ @ - olmalı',
      'A username is 1–64 letters, digits or . _ @ -',
    )
  }
  if (input.role !== 'editor' && input.role !== 'admin') {
    throw new UserError('Rol editor veya admin olmalı', 'The role must be editor or admin', 'bad_role')
  }
  const region = checkRegion(input.role, input.region, regions)
  let hash: string
  if ('password' in input) {
    checkPassword(input.password)
    hash = await hashPassword(input.password)
  } else {
    hash = legacyStoredHash(input.legacyHash)
  }
  if (row(store, username)) throw new UserError(`Kullanıcı zaten var: ${username}`, `User already exists: ${username}`, 'user_exists')
  store.users.insert({ accountId: newAccountId(), username, passwordHash: hash, role: input.role, region, at: Date.now() })
  return toUser(requireRow(store, username))
}

export function getUser(store: Store, username: string): User | undefined {
  const found = row(store, username)
  return found ? toUser(found) : undefined
}

/** The account a token names, by its id (never by name: the name may belong to a new account). */
export function getAccount(store: Store, accountId: string): User | undefined {
  const found = store.users.byAccount(accountId)
  return found ? toUser(found) : undefined
}

export interface AccountState {
  readonly generation: number
  readonly disabled: boolean
}

/**
 * Generation and disabled flag of every account, by id: what the relay compares its open
 * sessions with. One small query over a table of people, cheap enough to run every second.
 */
export function accountStates(store: Store): Map<string, AccountState> {
  const states = new Map<string, AccountState>()
  for (const s of store.users.states()) states.set(s.accountId, { generation: s.generation, disabled: s.disabled })
  return states
}

export function listUsers(store: Store): User[] {
  return store.users.list().map(toUser)
}

export function countUsers(store: Store): number {
  return store.users.count()
}

export async function setPassword(store: Store, username: string, password: string): Promise<void> {
  requireRow(store, username)
  checkPassword(password)
  const hash = await hashPassword(password)
  change(store, username, { passwordHash: hash })
}

export function setDisabled(store: Store, username: string, disabled: boolean): void {
  change(store, username, { disabled })
}

/**
 * Changes an account's role and/or region (an admin has none; an editor needs one of `regions`).
 * Open sessions end and the user logs in again to get the new rights.
 */
export function setRole(
  store: Store,
  username: string,
  to: { readonly role?: Role; readonly region?: string | null },
  regions: readonly Region[] = DEFAULT_REGIONS,
): User {
  const current = toUser(requireRow(store, username))
  const role = to.role ?? current.role
  if (role !== 'editor' && role !== 'admin') {
    throw new UserError('Rol editor veya admin olmalı', 'The role must be editor or admin', 'bad_role')
  }
  const region = checkRegion(role, to.region !== undefined ? to.region : current.region, regions)
  // Nothing to change, nothing to end: the account's sessions stay.
  if (role === current.role && region === current.region) return current
  change(store, username, { role, region })
  return toUser(requireRow(store, username))
}

/**
 * Removes the account. Its stored updates keep the name they were written under; a user added
 * later under the same name is a new account, and the old account's tokens do not admit it.
 */
export function deleteUser(store: Store, username: string): void {
  const found = requireRow(store, username)
  store.users.delete(found.username)
}

export type LoginResult =
  | { readonly ok: true; readonly user: User }
  | {
      readonly ok: false
      /** For the relay's log only: every failure gets the same answer, so a guesser learns none of this. */
      readonly reason: 'unknown' | 'wrong-password' | 'disabled'
    }

/**
 * Checks a password; a legacy hash that matches is replaced by a scrypt hash on the spot. Every
 * failure costs one scrypt derivation (an unknown name is checked against a decoy hash, a
 * disabled account's password is checked before its flag), so timing does not tell them apart.
 */
export async function authenticate(store: Store, username: string, password: string): Promise<LoginResult> {
  const found = row(store, username.trim())
  if (!found) {
    await verifyPassword(decoyHash(), password)
    return { ok: false, reason: 'unknown' }
  }
  const check = await verifyPassword(found.passwordHash, password)
  if (!check.ok) return { ok: false, reason: 'wrong-password' }
  if (found.disabled) return { ok: false, reason: 'disabled' }
  if (check.needsRehash) store.users.rehash(found.username, found.passwordHash, await hashPassword(password), Date.now())
  return { ok: true, user: toUser(found) }
}

/**
 * First start: with no users at all, creates `admin` with `password` (RAINSTAFF_ADMIN_PASSWORD)
 * or a random one. Returns the generated password so the caller can print it once; undefined when
 * nothing was created or the password came from the caller.
 */
export async function ensureFirstAdmin(store: Store, password?: string): Promise<{ created: boolean; generated?: string }> {
  if (countUsers(store) > 0) return { created: false }
  const generated = password === undefined || password === '' ? randomPassword() : undefined
  await addUser(store, { username: 'admin', role: 'admin', password: generated ?? password ?? '' })
  return generated === undefined ? { created: true } : { created: true, generated }
}
