/**
 * Password hashing: scrypt from node:crypto for every new hash, and verification of the legacy
 * program's unsalted SHA-256 hashes so imported users can log in once and be upgraded.
 *
 * Stored forms: `scrypt$N$r$p$<salt base64>$<key base64>` and `legacy-sha256$<hex>`.
 */
import { createHash, randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto'

// N = 2^15 costs ~32 MiB and ~100 ms: slow for guessing, still fine on a small Render instance.
const N = 1 << 15
const R = 8
const P = 1
const KEY_BYTES = 32
const MAX_MEM = 64 * 1024 * 1024
const LEGACY_PREFIX = 'legacy-sha256$'

export interface Verification {
  readonly ok: boolean
  /** The stored hash is legacy (or weaker than today's parameters) and should be replaced. */
  readonly needsRehash: boolean
}

function scryptAsync(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { N: n, r, p, maxmem: MAX_MEM }, (err, key) =>
      err ? reject(err) : resolve(key),
    )
  })
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scryptAsync(password, salt, N, R, P)
  return ['scrypt', N, R, P, salt.toString('base64'), key.toString('base64')].join('$')
}

/** Wraps a hex SHA-256 hash from a legacy `users` table for storage until its first login. */
export function legacyStoredHash(hexSha256: string): string {
  const hex = hexSha256.trim().toLowerCase()
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new Error('Eski parola özeti 64 haneli onaltılık olmalı / A legacy hash must be 64 hex digits')
  }
  return LEGACY_PREFIX + hex
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

export async function verifyPassword(stored: string, password: string): Promise<Verification> {
  if (stored.startsWith(LEGACY_PREFIX)) {
    const hex = stored.slice(LEGACY_PREFIX.length)
    // Both legacy forms are checked every time so the timing does not reveal which one matched.
    const salted = sameText(sha256Hex('rainstaff::' + password), hex)
    const plain = sameText(sha256Hex(password), hex)
    return { ok: salted || plain, needsRehash: true }
  }
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return { ok: false, needsRehash: false }
  const [, n, r, p, salt, key] = parts
  const expected = Buffer.from(key ?? '', 'base64')
  const actual = await scryptAsync(password, Buffer.from(salt ?? '', 'base64'), Number(n), Number(r), Number(p))
  const ok = expected.length === actual.length && timingSafeEqual(expected, actual)
  return { ok, needsRehash: ok && (Number(n) < N || Number(r) < R) }
}

/** A readable random password (no look-alike characters) for the first admin. */
export function randomPassword(length = 16): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'
  let out = ''
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)]
  return out
}
