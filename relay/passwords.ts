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

let derivations = 0

/**
 * scrypt key derivations run by this process. Login answers must cost the same for every kind of
 * failure; counting the derivations lets a test prove each path does exactly one.
 */
export function keyDerivations(): number {
  return derivations
}

export interface Verification {
  readonly ok: boolean
  /** The stored hash is legacy (or weaker than today's parameters) and should be replaced. */
  readonly needsRehash: boolean
}

function scryptAsync(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  derivations++
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

/**
 * A stored hash no password matches (random salt and key), with today's parameters: verifying
 * against it costs what verifying a real user's hash costs.
 */
export function decoyHash(): string {
  return ['scrypt', N, R, P, randomBytes(16).toString('base64'), randomBytes(KEY_BYTES).toString('base64')].join('$')
}

const decoy = decoyHash()

/** One derivation with today's parameters whose result is thrown away. */
async function decoyWork(password: string): Promise<void> {
  await verifyPassword(decoy, password)
}

/**
 * Checks `password` against a stored hash. Every call derives exactly one scrypt key, whatever
 * the stored form (legacy and malformed ones with today's parameters, scrypt ones with their own,
 * which are today's for every hash this relay writes), so an answer's timing does not tell a
 * legacy or malformed account from any other.
 */
export async function verifyPassword(stored: string, password: string): Promise<Verification> {
  if (stored.startsWith(LEGACY_PREFIX)) {
    const hex = stored.slice(LEGACY_PREFIX.length)
    // Both legacy forms are checked every time so the timing does not reveal which one matched.
    const salted = sameText(sha256Hex('rainstaff::' + password), hex)
    const plain = sameText(sha256Hex(password), hex)
    // Two SHA-256s take microseconds against scrypt's ~100 ms; without this a legacy account
    // would be told apart (and its fast hash guessed faster) by the answer's timing.
    await decoyWork(password)
    return { ok: salted || plain, needsRehash: true }
  }
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') {
    await decoyWork(password)
    return { ok: false, needsRehash: false }
  }
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
