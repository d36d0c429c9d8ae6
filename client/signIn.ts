/**
 * Signing in: online against the relay's `POST /api/login`, or offline on a device where the
 * same user signed in before, by checking the password against a verifier kept on the device.
 *
 * The verifier is PBKDF2-SHA256 from WebCrypto (`crypto.subtle`), salted and slow, because the
 * same code runs in browsers, Electron and Node and WebCrypto has no scrypt. The password itself
 * is never stored. A Session renews its token with the token itself (`POST /api/renew`, while it
 * is valid and the account unchanged); only when the relay refuses that does it log in again, with
 * the password it keeps in memory when it has one (the app) or not at all (the CLI).
 */
import { relayAddress, type RelayAddress } from './relayAddress.ts'
import type { DeviceAccount, DeviceIdentity, LocalStore, RegionAccess, Role, SessionUser } from './localStore.ts'
import { BilingualError } from '../schema/bilingual.ts'

export type SignInErrorCode =
  | 'wrong_password'
  | 'disabled'
  | 'rate_limited'
  | 'unreachable'
  | 'relay_error'
  | 'no_account'
  | 'no_password'

const MESSAGES: Record<SignInErrorCode, [string, string]> = {
  wrong_password: ['Kullanıcı adı veya parola yanlış', 'Wrong username or password'],
  disabled: ['Kullanıcı devre dışı', 'User disabled'],
  rate_limited: ['Çok fazla başarısız giriş; biraz sonra deneyin', 'Too many failed logins; try again later'],
  unreachable: ['Sunucuya ulaşılamıyor', 'Cannot reach the relay'],
  relay_error: ['Sunucu beklenmeyen bir yanıt verdi', 'The relay gave an unexpected answer'],
  no_account: [
    'Bu cihazda bu kullanıcıyla daha önce giriş yapılmamış; çevrimdışı giriş için önce bir kez çevrimiçi giriş yapın',
    'This user never signed in on this device; sign in online once before signing in offline',
  ],
  no_password: [
    'Oturumun süresi doldu; yeniden giriş yapın (rainstaff login)',
    'The session expired; sign in again (rainstaff login)',
  ],
}

export class SignInError extends BilingualError {
  readonly code: SignInErrorCode
  constructor(code: SignInErrorCode, detail?: string) {
    const [tr, en] = MESSAGES[code]
    super(detail === undefined ? { tr, en } : { tr: `${tr} (${detail})`, en: `${en} (${detail})` })
    this.name = 'SignInError'
    this.code = code
  }
}

export interface LoginResult {
  readonly token: string
  readonly expiresAt: number
  readonly user: SessionUser
  readonly regions: readonly RegionAccess[]
}

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<{
  status: number
  json(): Promise<unknown>
}>

function isRole(value: unknown): value is Role {
  return value === 'editor' || value === 'admin'
}

/** Parses a `/api/login` or `/api/renew` answer (the same shape). */
function parseLogin(body: unknown): LoginResult | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const b = body as Record<string, unknown>
  const user = b.user as Record<string, unknown> | undefined
  if (typeof b.token !== 'string' || typeof b.expiresAt !== 'number' || typeof user !== 'object' || user === null) return undefined
  if (typeof user.username !== 'string' || !isRole(user.role) || !(user.region === null || typeof user.region === 'string')) return undefined
  const regions: RegionAccess[] = []
  for (const r of Array.isArray(b.regions) ? (b.regions as unknown[]) : []) {
    const region = r as Record<string, unknown>
    if (typeof region?.slug !== 'string') return undefined
    regions.push({ slug: region.slug, name: typeof region.name === 'string' ? region.name : region.slug, writable: region.writable === true })
  }
  return { token: b.token, expiresAt: b.expiresAt, user: { username: user.username, role: user.role, region: user.region }, regions }
}

/** `POST /api/login`, naming this PC when `device` is given. Throws SignInError; never includes the password in a message. */
export async function loginToRelay(
  relay: RelayAddress,
  username: string,
  password: string,
  fetchImpl: FetchLike = globalThis.fetch as unknown as FetchLike,
  timeoutMs = 15_000,
  device?: DeviceIdentity,
): Promise<LoginResult> {
  let response: Awaited<ReturnType<FetchLike>>
  try {
    response = await fetchImpl(relay.login, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password, ...(device !== undefined ? { device } : {}) }),
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch {
    throw new SignInError('unreachable', relay.http)
  }
  if (response.status === 401) throw new SignInError('wrong_password')
  if (response.status === 403) throw new SignInError('disabled')
  if (response.status === 429) throw new SignInError('rate_limited')
  if (response.status >= 500) throw new SignInError('unreachable', `HTTP ${response.status}`)
  return loginAnswer(response)
}

/** A 200 answer's session (login and renewal answer alike); anything else is a relay error. */
async function loginAnswer(response: Awaited<ReturnType<FetchLike>>): Promise<LoginResult> {
  let body: unknown
  try {
    body = await response.json()
  } catch {
    body = undefined
  }
  const result = response.status === 200 ? parseLogin(body) : undefined
  if (result === undefined) throw new SignInError('relay_error', `HTTP ${response.status}`)
  return result
}

/**
 * `POST /api/renew`: a fresh token for `token`. Resolves undefined when the relay refuses the
 * token (expired, the account changed, the session too old: log in again); throws SignInError
 * for a disabled or deleted user and when the relay cannot be reached.
 */
export async function renewToken(
  relay: RelayAddress,
  token: string,
  fetchImpl: FetchLike = globalThis.fetch as unknown as FetchLike,
  timeoutMs = 15_000,
): Promise<LoginResult | undefined> {
  let response: Awaited<ReturnType<FetchLike>>
  try {
    response = await fetchImpl(relay.renew, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: '',
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch {
    throw new SignInError('unreachable', relay.http)
  }
  if (response.status === 401) return undefined
  if (response.status === 403) throw new SignInError('disabled')
  if (response.status >= 500) throw new SignInError('unreachable', `HTTP ${response.status}`)
  return loginAnswer(response)
}

const ITERATIONS = 600_000
const encoder = new TextEncoder()

function toBase64(bytes: Uint8Array): string {
  let text = ''
  for (const b of bytes) text += String.fromCharCode(b)
  return btoa(text)
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
}

async function pbkdf2(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(password.normalize('NFC')), 'PBKDF2', false, ['deriveBits'])
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256)
  return new Uint8Array(bits)
}

/** `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`: the offline-unlock verifier of a password. */
export async function createVerifier(password: string, iterations = ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16))
  return ['pbkdf2-sha256', iterations, toBase64(salt), toBase64(await pbkdf2(password, salt, iterations))].join('$')
}

export async function checkVerifier(verifier: string, password: string): Promise<boolean> {
  const [kind, iterations, salt, hash] = verifier.split('$')
  if (kind !== 'pbkdf2-sha256' || salt === undefined || hash === undefined) return false
  const n = Number(iterations)
  if (!Number.isInteger(n) || n < 1) return false
  const actual = await pbkdf2(password, fromBase64(salt), n)
  const expected = fromBase64(hash)
  // Constant-time compare: the loop touches every byte whatever matches.
  let diff = actual.length ^ expected.length
  for (let i = 0; i < Math.min(actual.length, expected.length); i++) diff |= actual[i] ^ expected[i]
  return diff === 0
}

/**
 * A signed-in user as the engine sees it. `token()` may be null (unlocked offline, or the CLI
 * after its token expired); `renew()` gets a fresh one or throws SignInError.
 */
export interface Session {
  readonly relay: RelayAddress
  readonly user: SessionUser
  readonly regions: readonly RegionAccess[]
  token(): string | null
  /** When `token()` expires (the relay's clock, ms since the epoch), or null without a token. */
  expiresAt(): number | null
  renew(): Promise<string>
  /**
   * Takes a token the relay issued outside `renew()` (a password change answers one for the
   * account's new generation) and, when given, the password to log in with later.
   */
  adopt?(result: LoginResult, password?: string): void
}

export interface SessionOptions {
  readonly fetch?: FetchLike
  /** Called with every new token (the CLI keeps it in its state directory). */
  readonly onToken?: (token: string, expiresAt: number) => void | Promise<void>
}

/**
 * A session from a device account. It renews with its token while the relay accepts that, and
 * otherwise logs in again when `password` is given (throwing `no_password` when it is not).
 */
export function sessionFromAccount(account: DeviceAccount, initialPassword: string | null, options: SessionOptions = {}): Session {
  let password = initialPassword
  const relay = relayAddress(account.relay)
  let token = account.token ?? null
  let expiresAt = token === null ? null : (account.expiresAt ?? null)
  let user = account.user
  let regions = account.regions
  let renewing: Promise<string> | null = null
  return {
    relay,
    get user() {
      return user
    },
    get regions() {
      return regions
    },
    token: () => token,
    expiresAt: () => expiresAt,
    adopt(result: LoginResult, newPassword?: string) {
      token = result.token
      expiresAt = result.expiresAt
      user = result.user
      regions = result.regions
      if (newPassword !== undefined) password = newPassword
      void options.onToken?.(result.token, result.expiresAt)
    },
    renew() {
      // One renewal for every region that found its token expired at the same moment.
      renewing ??= (async () => {
        const before = token
        try {
          // Tried even when the local clock says expired: the relay's clock is the one that counts.
          let result = token === null ? undefined : await renewToken(relay, token, options.fetch)
          if (result === undefined) {
            if (password === null) throw new SignInError('no_password')
            result = await loginToRelay(relay, account.user.username, password, options.fetch, undefined, account.device)
          }
          token = result.token
          expiresAt = result.expiresAt
          user = result.user
          regions = result.regions
          await options.onToken?.(result.token, result.expiresAt)
          return result.token
        } catch (error) {
          // A token adopted meanwhile (the password changed while this renewal ran with the old
          // token and password): the session goes on with it.
          if (token !== null && token !== before) return token
          throw error
        } finally {
          renewing = null
        }
      })()
      return renewing
    },
  }
}

export interface SignInOptions extends SessionOptions {
  readonly relay: string
  readonly username: string
  readonly password: string
  /** Where the device account is read and kept (a follower tab passes one that keeps nothing). */
  readonly store: Pick<LocalStore, 'readAccount' | 'writeAccount'>
  /** Keep the token in the device account (the CLI does; the app keeps it in memory). */
  readonly rememberToken?: boolean
  /** The name this PC shows in history (the CLI gives its host name); the device's earlier one otherwise. */
  readonly deviceName?: string
}

const DEVICE_ID = /^[A-Za-z0-9_-]{8,64}$/

/** This PC's identity: the one the device keeps, or a new random id (a damaged one is replaced). */
function deviceIdentity(previous: DeviceIdentity | undefined, name: string | undefined): DeviceIdentity {
  const kept = typeof previous?.id === 'string' && DEVICE_ID.test(previous.id) ? previous.id : undefined
  const id = kept ?? toBase64(crypto.getRandomValues(new Uint8Array(12))).replace(/\+/g, '-').replace(/\//g, '_')
  const given = (name ?? (typeof previous?.name === 'string' ? previous.name : '')).replace(/[\p{Cc}\p{Cf}]/gu, '').trim().slice(0, 64)
  return { id, name: given === '' ? null : given }
}

export interface SignedIn {
  readonly session: Session
  /** False when the relay could not be reached and the device's verifier unlocked it. */
  readonly online: boolean
}

/**
 * Signs in online and remembers the account on the device; when the relay cannot be reached,
 * unlocks offline if this user signed in on this device before with this password. A relay that
 * answers "wrong password" is final: a changed password must not keep working offline.
 */
export async function signIn(options: SignInOptions): Promise<SignedIn> {
  const relay = relayAddress(options.relay)
  const device = deviceIdentity((await options.store.readAccount())?.device, options.deviceName)
  let result: LoginResult
  try {
    result = await loginToRelay(relay, options.username, options.password, options.fetch, undefined, device)
  } catch (error) {
    if (!(error instanceof SignInError) || error.code !== 'unreachable') throw error
    const account = await options.store.readAccount()
    if (account === undefined || account.user.username !== options.username || relayAddress(account.relay).http !== relay.http) {
      throw new SignInError('no_account')
    }
    if (!(await checkVerifier(account.verifier, options.password))) throw new SignInError('wrong_password')
    return { session: sessionFromAccount(account, options.password, options), online: false }
  }
  const account: DeviceAccount = {
    relay: relay.http,
    user: result.user,
    regions: result.regions,
    verifier: await createVerifier(options.password),
    device,
    ...(options.rememberToken ? { token: result.token, expiresAt: result.expiresAt } : {}),
  }
  await options.store.writeAccount(account)
  const session = sessionFromAccount({ ...account, token: result.token, expiresAt: result.expiresAt }, options.password, options)
  return { session, online: true }
}

export type PasswordChangeErrorCode = 'wrong_password' | 'password_too_short' | 'rate_limited' | 'unreachable' | 'relay_error' | 'session'

/** A refused password change: `code` says which field it is about; `text` the relay's words. */
export class PasswordChangeError extends BilingualError {
  constructor(
    readonly code: PasswordChangeErrorCode,
    tr: string,
    en: string,
  ) {
    super({ tr, en })
    this.name = 'PasswordChangeError'
  }
}

/**
 * `POST /api/password` {current, new} with the session's token. The relay voids the account's
 * tokens and ends its connections; its answer carries a token for the new generation, which the
 * session adopts together with the new password, so renewals and re-logins go on with those and
 * the engine's connections come back by themselves. When `store` holds the device account, its
 * offline verifier is replaced too: the old password no longer unlocks this device offline.
 */
export async function changeOwnPassword(
  session: Session,
  current: string,
  next: string,
  store?: LocalStore,
  fetchImpl: FetchLike = globalThis.fetch as unknown as FetchLike,
  timeoutMs = 15_000,
): Promise<void> {
  const token = session.token() ?? (await session.renew().catch(() => null))
  if (token === null) throw new PasswordChangeError('session', 'Çevrimiçi oturum gerekli', 'An online session is required')
  let response: Awaited<ReturnType<FetchLike>>
  try {
    response = await fetchImpl(session.relay.http.replace(/\/$/, '') + '/api/password', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ current, new: next }),
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch {
    throw new PasswordChangeError('unreachable', ...MESSAGES.unreachable)
  }
  let body: unknown
  try {
    body = await response.json()
  } catch {
    body = undefined
  }
  if (response.status !== 200) {
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
    const words = (fallback: [string, string]): [string, string] =>
      typeof b.tr === 'string' && typeof b.en === 'string' ? [b.tr, b.en] : fallback
    if (response.status === 429) throw new PasswordChangeError('rate_limited', ...words(MESSAGES.rate_limited))
    if (response.status === 401 && b.code === 'wrong_password') {
      throw new PasswordChangeError('wrong_password', ...words(['Mevcut parola yanlış', 'The current password is wrong']))
    }
    if (response.status === 400 && b.code === 'password_too_short') {
      throw new PasswordChangeError('password_too_short', ...words(['Parola çok kısa', 'The password is too short']))
    }
    if (response.status === 401 || response.status === 403) throw new PasswordChangeError('session', ...words(MESSAGES.no_password))
    throw new PasswordChangeError('relay_error', ...words(MESSAGES.relay_error))
  }
  const result = parseLogin(body)
  if (result === undefined) throw new PasswordChangeError('relay_error', ...MESSAGES.relay_error)
  session.adopt?.(result, next)
  if (store !== undefined) {
    const account = await store.readAccount()
    if (account !== undefined && account.user.username === result.user.username) {
      await store.writeAccount({ ...account, verifier: await createVerifier(next) })
    }
  }
}
