/**
 * Short-lived login tokens: `<payload base64url>.<HMAC-SHA256 base64url>`. Both halves use only
 * base64url characters and a dot, so a token is a valid WebSocket subprotocol name and can ride in
 * `Sec-WebSocket-Protocol` instead of the URL. The signing secret is created once and kept in the
 * store's meta table; it never leaves the relay.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Store } from './store.ts'
import type { Role } from './users.ts'

const SECRET_KEY = 'token_secret'

export interface TokenClaims {
  readonly username: string
  readonly role: Role
  readonly region: string | null
  /** Expiry, milliseconds since the epoch. */
  readonly exp: number
}

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

export function signToken(
  secret: Buffer,
  subject: { username: string; role: Role; region: string | null },
  ttlMs: number,
  now = Date.now(),
): { token: string; expiresAt: number } {
  const claims: TokenClaims = { username: subject.username, role: subject.role, region: subject.region, exp: now + ttlMs }
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url')
  return { token: `${payload}.${mac(secret, payload)}`, expiresAt: claims.exp }
}

function isClaims(value: unknown): value is TokenClaims {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return (
    typeof v.username === 'string' &&
    (v.role === 'editor' || v.role === 'admin') &&
    (v.region === null || typeof v.region === 'string') &&
    typeof v.exp === 'number'
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
