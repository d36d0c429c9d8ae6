/**
 * Short-lived login tokens: `<payload base64url>.<HMAC-SHA256 base64url>`. Both halves use only
 * base64url characters and a dot, so a token is a valid WebSocket subprotocol name and can ride in
 * `Sec-WebSocket-Protocol` instead of the URL. The signing secret is created once and kept in the
 * store's meta table; it never leaves the relay.
 *
 * A token names an account by id and generation (relay/users.ts), not just by name: a password,
 * role or region change, disabling or deleting the account voids every token issued before it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Store } from './store.ts'
import { getAccount, type Role, type User } from './users.ts'

const SECRET_KEY = 'token_secret'

/** The payload format; tokens of any other version (or none: the first format) are malformed. */
export const TOKEN_VERSION = 2

export interface TokenClaims {
  readonly v: typeof TOKEN_VERSION
  /** The account id (`users.account_id`). */
  readonly sub: string
  /** The account's generation when the token was issued. */
  readonly gen: number
  /** For logs and clients; rights come from the account row, never from here. */
  readonly username: string
  readonly role: Role
  readonly region: string | null
  /** When the password login behind this token was, ms since the epoch; renewals keep it. */
  readonly auth: number
  /** Expiry, milliseconds since the epoch. */
  readonly exp: number
  /** The PC the login named, kept through renewals; absent for a client that named none. */
  readonly dev?: DeviceClaim
}

/**
 * The PC a session runs on, as the client said at its password login: a random id the device
 * keeps and the name it shows (a host name). The relay cannot prove it (a PC holds no key of its
 * own), so it is the session's claim, never an account's: it is signed into the token, so no
 * connection of the session can name another PC, and the account beside it is the authority.
 */
export interface DeviceClaim {
  readonly id: string
  readonly name: string | null
}

const DEVICE_ID = /^[A-Za-z0-9_-]{8,64}$/
const MAX_DEVICE_NAME = 64

/**
 * The `device` a login body carries: undefined for none (older clients), null when it is not a
 * device claim (the login is refused: bad input changes nothing).
 */
export function deviceClaim(value: unknown): DeviceClaim | undefined | null {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null) return null
  const { id, name } = value as Record<string, unknown>
  if (typeof id !== 'string' || !DEVICE_ID.test(id)) return null
  if (name === undefined || name === null || name === '') return { id, name: null }
  // Shown in history lines and CSV cells: printable text only, bounded.
  if (typeof name !== 'string' || name.length > MAX_DEVICE_NAME || /[\p{Cc}\p{Cf}]/u.test(name)) return null
  return { id, name }
}

export type TokenSubject = Pick<User, 'accountId' | 'generation' | 'username' | 'role' | 'region'>

export type TokenCheck =
  | { readonly ok: true; readonly claims: TokenClaims }
  | { readonly ok: false; readonly reason: 'malformed' | 'signature' | 'expired' }

/** Returns the store's signing secret, creating it on first use. */
export function tokenSecret(store: Store): Buffer {
  const existing = store.getMeta(SECRET_KEY)
  if (existing !== undefined) return Buffer.from(existing, 'base64')
  const secret = randomBytes(32)
  store.setMeta(SECRET_KEY, secret.toString('base64'))
  return secret
}

function mac(secret: Buffer, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url')
}

/** Signs a token for `subject`'s current generation; `auth` is the time of the password login. */
export function signToken(
  secret: Buffer,
  subject: TokenSubject,
  ttlMs: number,
  now = Date.now(),
  auth = now,
  device?: DeviceClaim,
): { token: string; expiresAt: number } {
  const claims: TokenClaims = {
    v: TOKEN_VERSION,
    sub: subject.accountId,
    gen: subject.generation,
    username: subject.username,
    role: subject.role,
    region: subject.region,
    auth,
    exp: now + ttlMs,
    ...(device !== undefined ? { dev: device } : {}),
  }
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url')
  return { token: `${payload}.${mac(secret, payload)}`, expiresAt: claims.exp }
}

function isClaims(value: unknown): value is TokenClaims {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return (
    v.v === TOKEN_VERSION &&
    typeof v.sub === 'string' &&
    v.sub !== '' &&
    Number.isSafeInteger(v.gen) &&
    typeof v.username === 'string' &&
    (v.role === 'editor' || v.role === 'admin') &&
    (v.region === null || typeof v.region === 'string') &&
    typeof v.auth === 'number' &&
    typeof v.exp === 'number' &&
    (v.dev === undefined || (deviceClaim(v.dev) ?? null) !== null)
  )
}

export function verifyToken(secret: Buffer, token: string, now = Date.now()): TokenCheck {
  const dot = token.indexOf('.')
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'malformed' }
  const payload = token.slice(0, dot)
  const given = Buffer.from(token.slice(dot + 1), 'base64url')
  const expected = Buffer.from(mac(secret, payload), 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature' }
  let claims: unknown
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
  } catch {
    return { ok: false, reason: 'malformed' }
  }
  if (!isClaims(claims)) return { ok: false, reason: 'malformed' }
  if (claims.exp <= now) return { ok: false, reason: 'expired' }
  return { ok: true, claims }
}

/**
 * gone: the account was deleted (a user of the same name now is another account); disabled;
 * revoked: the account changed since the token was issued (password, role or region).
 */
export type AccountCheck =
  | { readonly ok: true; readonly user: User }
  | { readonly ok: false; readonly reason: 'gone' | 'disabled' | 'revoked' }

/** The account a verified token speaks for, as it is in the store now. */
export function tokenAccount(store: Store, claims: TokenClaims): AccountCheck {
  const user = getAccount(store, claims.sub)
  if (user === undefined) return { ok: false, reason: 'gone' }
  if (user.disabled) return { ok: false, reason: 'disabled' }
  if (user.generation !== claims.gen) return { ok: false, reason: 'revoked' }
  return { ok: true, user }
}
