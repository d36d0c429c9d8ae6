/**
 * The relay's HTTP side: health and readiness, login, admin status and exports, metrics and the
 * built web client. Every response is JSON except /metrics, the exports and static files; errors
 * carry a bilingual `error` text. Every response carries the security headers below.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createHash, timingSafeEqual } from 'node:crypto'
import { createReadStream, existsSync, statSync } from 'node:fs'
import path from 'node:path'
import type { Region } from '../schema/regions.ts'
import type { LoginLimiter, LoginScope } from './limits.ts'
import type { Metrics } from './metrics.ts'
import type { Store } from './store.ts'
import { regionDocuments } from './documentName.ts'
import { parseDocumentName } from '../schema/periods.ts'
import { signToken, tokenAccount, verifyToken, type TokenClaims } from './tokens.ts'
import {
  addUser,
  authenticate,
  deleteUser,
  getUser,
  listUsers,
  setDisabled,
  setPassword,
  setRole,
  UserError,
  type LoginResult,
  type Role,
  type User,
} from './users.ts'

export interface HttpContext {
  readonly store: Store
  readonly secret: Buffer
  readonly regions: readonly Region[]
  readonly tokenTtlMs: number
  /** Renewals stop this long after the password login (RelayOptions.sessionMaxMs). */
  readonly sessionMaxMs: number
  readonly webRoot: string
  readonly trustProxy: boolean
  readonly metrics: Metrics
  readonly loginLimiter: LoginLimiter
  /** Origins whose pages may read `/api/*` answers (exact match); none means same origin only. */
  readonly corsOrigins: readonly string[]
  /** `/metrics` answers only this bearer token; without one it is a 404. */
  readonly metricsToken?: string
  /** `.map` files are refused unless this is set. */
  readonly serveSourceMaps: boolean
  readonly version: string
  readonly startedAt: number
  ready(): boolean
  status(): Promise<unknown>
  metricsText(): string
  /** SQLite file bytes of the merged data of `regions`. */
  exportSqlite(regions: readonly string[]): Promise<Uint8Array>
  /** TEMP: each stored document's version, and one document's rendering (relay/tempRenderings.ts). */
  versions(names: readonly string[]): Record<string, string>
  rendering(name: string): { version: string; bytes: Uint8Array }
  log(line: string): void
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly tr: string,
    readonly en: string,
    readonly headers: Record<string, string> = {},
    /** A stable name for the failure, so a client shows its own words in one language. */
    readonly code = 'error',
  ) {
    super(`${tr} / ${en}`)
  }
}

/** The JSON of a refusal: the bilingual `error` older clients read, and each language apart. */
function errorBody(code: string, tr: string, en: string): Record<string, string> {
  return { error: `${tr} / ${en}`, code, tr, en }
}

const MAX_BODY = 16 * 1024
/** No stored username is this long (users.ts allows 64); longer ones would only bloat the limiter. */
const MAX_USERNAME = 256

/**
 * The web client is bundled scripts and stylesheets from the relay itself, so nothing inline or
 * foreign needs to run. Exceptions, each for something the app does:
 * - `'wasm-unsafe-eval'`: sql.js compiles its WebAssembly (exports, the legacy import); it allows
 *   compiling wasm, not `eval` of JavaScript.
 * - `style-src-attr 'unsafe-inline'`: Lit templates carry a few `style="…"` attributes (layout
 *   tweaks, the timesheet's column widths). Attributes cannot hold selectors or `@import`, so
 *   unlike inline `<style>` elements (still refused) they cannot read the page; component styles
 *   arrive as constructed stylesheets, which CSP does not restrict.
 * - `connect-src ws: wss:`: the relay's own WebSocket, spelled out for browsers whose `'self'`
 *   does not cover ws:/wss:.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['content-security-policy', CONTENT_SECURITY_POLICY],
  ['x-content-type-options', 'nosniff'],
  // frame-ancestors says the same to current browsers; this is for the ones before CSP 2.
  ['x-frame-options', 'DENY'],
  // Page addresses stay in the relay: nothing the app links to learns which screen was open.
  ['referrer-policy', 'no-referrer'],
]

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  })
  res.end(text)
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buf = chunk as Buffer
    size += buf.length
    if (size > MAX_BODY) throw new HttpError(413, 'İstek çok büyük', 'Request body too large', {}, 'too_large')
    chunks.push(buf)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new HttpError(400, 'Geçersiz JSON', 'Invalid JSON body', {}, 'bad_json')
  }
}

function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = req.headers['x-forwarded-for']
  if (trustProxy && typeof forwarded === 'string' && forwarded.trim() !== '') {
    // The proxy appends the address it saw; anything to its left was written by the client.
    return forwarded.split(',').at(-1)?.trim() ?? 'unknown'
  }
  return req.socket.remoteAddress ?? 'unknown'
}

/**
 * The account behind `Authorization: Bearer <token>` as it is in the store now, with the token's
 * claims; refused when the account is gone, disabled or changed since the token was issued.
 */
function requireSession(req: IncomingMessage, ctx: HttpContext): { user: User; claims: TokenClaims } {
  const header = req.headers.authorization ?? ''
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  if (!match?.[1]) throw new HttpError(401, 'Oturum gerekli', 'Authentication required', { 'www-authenticate': 'Bearer' }, 'auth_required')
  const check = verifyToken(ctx.secret, match[1])
  if (!check.ok) {
    throw new HttpError(401, 'Oturum geçersiz veya süresi doldu', 'Invalid or expired token', { 'www-authenticate': 'Bearer' }, 'token_invalid')
  }
  const account = tokenAccount(ctx.store, check.claims)
  if (!account.ok && account.reason === 'revoked') {
    throw new HttpError(401, 'Hesap değişti; yeniden giriş yapın', 'The account changed; log in again', { 'www-authenticate': 'Bearer' }, 'account_changed')
  }
  if (!account.ok) throw new HttpError(403, 'Kullanıcı devre dışı veya silindi', 'User disabled or deleted', {}, 'account_disabled')
  return { user: account.user, claims: check.claims }
}

/** The admin behind `Authorization: Bearer <token>`, re-read from the store. */
function requireAdmin(req: IncomingMessage, ctx: HttpContext): User {
  const { user } = requireSession(req, ctx)
  if (user.role !== 'admin') throw new HttpError(403, 'Yalnızca yönetici', 'Admin only', {}, 'admin_only')
  return user
}

/** An address or name as it may appear in a log line: no control characters, bounded length. */
function printable(text: string): string {
  return text.replace(/[^\p{L}\p{N}._@:[\]-]/gu, '?').slice(0, 64)
}

const UNKNOWN_NAME = '(bilinmeyen ad / unknown name)'

/**
 * The name to log: a stored user's own, never what was typed for an unknown one (people type
 * their password into the name field).
 */
function loggedName(ctx: HttpContext, username: string): string {
  const user = getUser(ctx.store, username.trim())
  return user ? user.username : UNKNOWN_NAME
}

function lockoutLine(ctx: HttpContext, scope: LoginScope, username: string, address: string, seconds: number): string {
  const where = printable(address)
  const who =
    scope === 'address'
      ? `every name from ${where}`
      : scope === 'user'
        ? `${loggedName(ctx, username)} from every address`
        : `${loggedName(ctx, username)} from ${where}`
  const minutes = Math.round(ctx.loginLimiter.windowMs / 60_000)
  return `relay: giriş kilitlendi / sign-in locked: ${who} (too many failures in ${minutes} min; Retry-After ${seconds} s)`
}

const FAILURE_REASON: Record<Extract<LoginResult, { ok: false }>['reason'], string> = {
  unknown: 'bilinmeyen ad / unknown name',
  'wrong-password': 'yanlış parola / wrong password',
  disabled: 'hesap devre dışı / account disabled',
}

/**
 * `POST /api/renew`: a still-valid token for a fresh one, so a client renews shortly before
 * expiry without keeping the password. The fresh token keeps the time of the password login, and
 * renewals stop `sessionMaxMs` after it: then the user logs in again.
 */
function renew(req: IncomingMessage, res: ServerResponse, ctx: HttpContext): void {
  const { user, claims } = requireSession(req, ctx)
  const now = Date.now()
  if (now - claims.auth >= ctx.sessionMaxMs) {
    throw new HttpError(401, 'Oturum çok eski; yeniden giriş yapın', 'The session is too old; log in again', { 'www-authenticate': 'Bearer' })
  }
  const { token, expiresAt } = signToken(ctx.secret, user, ctx.tokenTtlMs, now, claims.auth)
  sendJson(res, 200, {
    token,
    expiresAt,
    user: { username: user.username, role: user.role, region: user.region },
    regions: ctx.regions.map((r) => ({ slug: r.slug, name: r.name, writable: user.role === 'editor' && user.region === r.slug })),
  })
}

/**
 * A password checked against the failed-login limiter, as a login does: the attempt is reserved
 * before the hash runs (parallel guesses are counted as they start, not as they end), a failure
 * is logged without what was typed and answered 401 whatever its reason, a lockout 429.
 * `what` names the attempt in the log (a sign-in, or the current password of a change).
 */
async function checkPassword(
  ctx: HttpContext,
  address: string,
  username: string,
  password: string,
  what: 'sign-in' | 'password-change',
): Promise<User> {
  // Reserved before the hash runs: parallel guesses are counted as they start, not as they end.
  const admission = await ctx.loginLimiter.reserve(address, username)
  if (!admission.ok) {
    ctx.metrics.loginsLimited++
    const seconds = Math.ceil(admission.retryAfterMs / 1000)
    if (admission.newLockout) ctx.log(lockoutLine(ctx, admission.scope, username, address, seconds))
    throw new HttpError(
      429,
      'Çok fazla başarısız giriş; sonra deneyin',
      'Too many failed logins; try later',
      { 'retry-after': String(seconds) },
      'rate_limited',
    )
  }
  const { reservation } = admission
  let result: LoginResult
  try {
    result = await authenticate(ctx.store, username, password)
  } catch (error) {
    reservation.release()
    throw error
  }
  if (!result.ok) {
    reservation.fail()
    ctx.metrics.loginsFailed++
    const who = result.reason === 'unknown' ? UNKNOWN_NAME : loggedName(ctx, username)
    ctx.log(`relay: ${what === 'sign-in' ? 'giriş başarısız / sign-in failed' : 'parola değişikliği reddedildi, mevcut parola yanlış / password change refused, wrong current password'}: ${who} from ${printable(address)} (${FAILURE_REASON[result.reason]})`)
    // One answer for every failure: which of them it was would tell a guesser which names exist,
    // and a disabled account's 403 would confirm its password.
    if (what === 'password-change') throw new HttpError(401, 'Mevcut parola yanlış', 'The current password is wrong', {}, 'wrong_password')
    throw new HttpError(401, 'Kullanıcı adı veya parola yanlış', 'Wrong username or password', {}, 'wrong_password')
  }
  reservation.succeed()
  return result.user
}

async function login(req: IncomingMessage, res: ServerResponse, ctx: HttpContext): Promise<void> {
  const body = await readJson(req)
  const username = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).username : undefined
  const password = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).password : undefined
  if (
    typeof username !== 'string' ||
    typeof password !== 'string' ||
    username === '' ||
    username.length > MAX_USERNAME ||
    password.length > 1024
  ) {
    throw new HttpError(400, 'Kullanıcı adı ve parola gerekli', 'username and password are required')
  }
  const address = clientAddress(req, ctx.trustProxy)
  const user = await checkPassword(ctx, address, username, password, 'sign-in')
  ctx.metrics.loginsOk++
  ctx.log(`relay: giriş / signed in: ${user.username} (${user.role}) from ${printable(address)}`)
  const { token, expiresAt } = signToken(ctx.secret, user, ctx.tokenTtlMs)
  sendJson(res, 200, {
    token,
    expiresAt,
    user: { username: user.username, role: user.role, region: user.region },
    regions: ctx.regions.map((r) => ({ slug: r.slug, name: r.name, writable: user.role === 'editor' && user.region === r.slug })),
  })
}

/** A field of a JSON object body, or undefined. */
function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)[name] : undefined
}

/** A string field a request must carry; passwords are bounded like a login's. */
function stringField(body: unknown, name: string, max = 1024): string {
  const value = field(body, name)
  if (typeof value !== 'string' || value.length > max) {
    throw new HttpError(400, `"${name}" alanı gerekli`, `The field "${name}" is required`, {}, `missing_${name}`)
  }
  return value
}

function roleField(body: unknown): Role | undefined {
  const role = field(body, 'role')
  if (role === undefined) return undefined
  if (role !== 'editor' && role !== 'admin') {
    throw new HttpError(400, 'Rol editor veya admin olmalı', 'The role must be editor or admin', {}, 'bad_role')
  }
  return role
}

function regionField(body: unknown): string | null | undefined {
  const region = field(body, 'region')
  if (region === undefined || region === null) return region
  if (typeof region !== 'string' || region.length > 64) {
    throw new HttpError(400, 'Geçersiz bölge', 'Invalid region', {}, 'unknown_region')
  }
  return region === '' ? null : region
}

/** What the account list shows: never a hash, an account id or a generation. */
function publicUser(user: User): Record<string, unknown> {
  return {
    username: user.username,
    role: user.role,
    region: user.region,
    disabled: user.disabled,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  }
}

function describeUser(user: User): string {
  return `${user.username} (${user.role}${user.region ? ', ' + user.region : ''}${user.disabled ? ', disabled' : ''})`
}

/** The answer of a login, a renewal and a password change: a token and what it admits. */
function sessionBody(ctx: HttpContext, user: User, token: string, expiresAt: number): Record<string, unknown> {
  return {
    token,
    expiresAt,
    user: { username: user.username, role: user.role, region: user.region },
    regions: ctx.regions.map((r) => ({ slug: r.slug, name: r.name, writable: user.role === 'editor' && user.region === r.slug })),
  }
}

/**
 * `POST /api/password` {current, new}: a signed-in user changes their own password. The current
 * one is checked like a login (a wrong one is a 401 that counts against the login limiter). The
 * change voids the account's tokens and ends its open connections like any account change; the
 * answer carries a fresh token for the new generation, so the caller's session goes on with it.
 */
async function changeOwnPassword(req: IncomingMessage, res: ServerResponse, ctx: HttpContext): Promise<void> {
  const { user } = requireSession(req, ctx)
  const body = await readJson(req)
  const current = stringField(body, 'current')
  const next = stringField(body, 'new')
  const address = clientAddress(req, ctx.trustProxy)
  await checkPassword(ctx, address, user.username, current, 'password-change')
  await setPassword(ctx.store, user.username, next)
  const changed = getUser(ctx.store, user.username)
  if (changed === undefined) throw new HttpError(404, 'Kullanıcı yok', 'No such user', {}, 'no_such_user')
  ctx.log(`relay: hesap / account: ${user.username} kendi parolasını değiştirdi / changed their own password (from ${printable(address)})`)
  const { token, expiresAt } = signToken(ctx.secret, changed, ctx.tokenTtlMs)
  sendJson(res, 200, sessionBody(ctx, changed, token, expiresAt))
}

const USER_ACTIONS = ['role', 'disable', 'enable', 'password', 'delete'] as const
type UserAction = (typeof USER_ACTIONS)[number]

/**
 * The admin's account endpoints: `GET /api/users`, `POST /api/users` (add) and
 * `POST /api/users/NAME/{role,disable,enable,password,delete}`. Everything is checked by
 * relay/users.ts as for `rainstaff users`; every change is logged with the admin who made it.
 * An admin cannot disable, delete or demote their own account here, nor reset their own
 * password (that is POST /api/password, which asks for the current one): no lock-out by a click.
 */
async function users(req: IncomingMessage, res: ServerResponse, ctx: HttpContext, pathname: string, method: string): Promise<void> {
  const admin = requireAdmin(req, ctx)
  if (pathname === '/api/users') {
    if (method === 'GET') return sendJson(res, 200, { users: listUsers(ctx.store).map(publicUser), regions: ctx.regions.map((r) => ({ slug: r.slug, name: r.name })) })
    if (method !== 'POST') throw new HttpError(405, 'Yalnızca GET veya POST', 'GET or POST only', { allow: 'GET, POST' }, 'method')
    const body = await readJson(req)
    const role = roleField(body)
    if (role === undefined) throw new HttpError(400, 'Rol editor veya admin olmalı', 'The role must be editor or admin', {}, 'bad_role')
    const added = await addUser(
      ctx.store,
      { username: stringField(body, 'username', MAX_USERNAME), role, region: regionField(body) ?? null, password: stringField(body, 'password') },
      ctx.regions,
    )
    ctx.log(`relay: hesap / account: ${admin.username} ekledi / added ${describeUser(added)}`)
    return sendJson(res, 201, { user: publicUser(added) })
  }
  const match = /^\/api\/users\/([^/]+)\/([a-z]+)$/.exec(pathname)
  const action = match?.[2] as UserAction | undefined
  if (!match || action === undefined || !USER_ACTIONS.includes(action)) throw new HttpError(404, 'Bulunamadı', 'Not found', {}, 'not_found')
  if (method !== 'POST') throw new HttpError(405, 'Yalnızca POST', 'POST only', { allow: 'POST' }, 'method')
  let username: string
  try {
    username = decodeURIComponent(match[1] ?? '')
  } catch {
    throw new HttpError(400, 'Geçersiz yol', 'Invalid path', {}, 'bad_path')
  }
  const target = getUser(ctx.store, username)
  if (target === undefined) throw new HttpError(404, `Kullanıcı yok: ${printable(username)}`, `No such user: ${printable(username)}`, {}, 'no_such_user')
  if (target.accountId === admin.accountId) {
    throw new HttpError(
      409,
      'Kendi hesabınızı buradan değiştiremezsiniz; parolanız için "Parolamı değiştir"',
      'You cannot change your own account here; for your password use "Change my password"',
      {},
      'self',
    )
  }
  const body = await readJson(req).catch((error: unknown) => {
    // The actions without fields may come with an empty body.
    if (error instanceof HttpError && error.code === 'bad_json' && action !== 'role' && action !== 'password') return {}
    throw error
  })
  let line: string
  let after: User | undefined
  switch (action) {
    case 'role': {
      const role = roleField(body)
      const region = regionField(body)
      if (role === undefined && region === undefined) {
        throw new HttpError(400, 'Rol veya bölge gerekli', 'A role or a region is required', {}, 'bad_role')
      }
      after = setRole(ctx.store, target.username, { ...(role !== undefined ? { role } : {}), ...(region !== undefined ? { region } : {}) }, ctx.regions)
      line = `değiştirdi / changed ${describeUser(target)} → ${describeUser(after)}`
      break
    }
    case 'disable':
    case 'enable':
      setDisabled(ctx.store, target.username, action === 'disable')
      line = `${action === 'disable' ? 'devre dışı bıraktı / disabled' : 'etkinleştirdi / enabled'} ${target.username}`
      break
    case 'password':
      await setPassword(ctx.store, target.username, stringField(body, 'password'))
      line = `parolasını sıfırladı / reset the password of ${target.username}`
      break
    case 'delete':
      deleteUser(ctx.store, target.username)
      line = `sildi / deleted ${describeUser(target)}`
      break
  }
  ctx.log(`relay: hesap / account: ${admin.username} ${line}`)
  after = action === 'delete' ? undefined : getUser(ctx.store, target.username)
  sendJson(res, 200, after === undefined ? { deleted: target.username } : { user: publicUser(after) })
}

/** Compares digests so neither the token's length nor its first wrong byte shows in the timing. */
function bearerIs(req: IncomingMessage, expected: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')
  if (!match?.[1]) return false
  const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest()
  return timingSafeEqual(digest(match[1]), digest(expected))
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
}

const NOT_BUILT = `<!doctype html>
<html lang="tr"><meta charset="utf-8"><title>Rainstaff</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>Rainstaff</h1>
<p>Sunucu çalışıyor, ancak web istemcisi derlenmemiş. Derlemek için: <code>npm run build</code></p>
<p>The relay is running, but the web client is not built. To build it: <code>npm run build</code></p>
</body></html>
`

/** Serves `dist/web`; a path that resolves outside the root is a 404, never a file. */
function serveStatic(req: IncomingMessage, res: ServerResponse, ctx: HttpContext, pathname: string): void {
  const root = path.resolve(ctx.webRoot)
  if (!existsSync(root)) {
    if (pathname !== '/' && pathname !== '/index.html') throw new HttpError(404, 'Bulunamadı', 'Not found')
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
    res.end(NOT_BUILT)
    return
  }
  let relative: string
  try {
    relative = decodeURIComponent(pathname)
  } catch {
    throw new HttpError(400, 'Geçersiz yol', 'Invalid path')
  }
  if (relative.includes('\0')) throw new HttpError(400, 'Geçersiz yol', 'Invalid path')
  if (relative.endsWith('/')) relative += 'index.html'
  const file = path.resolve(root, '.' + path.posix.normalize('/' + relative))
  if (file !== root && !file.startsWith(root + path.sep)) throw new HttpError(404, 'Bulunamadı', 'Not found')
  if (!existsSync(file) || !statSync(file).isFile()) throw new HttpError(404, 'Bulunamadı', 'Not found')
  // Source maps hand out the unminified source; a build made for debugging may opt in.
  if (!ctx.serveSourceMaps && path.extname(file).toLowerCase() === '.map') throw new HttpError(404, 'Bulunamadı', 'Not found')
  const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream'
  res.writeHead(200, { 'content-type': type, 'content-length': statSync(file).size })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  createReadStream(file).pipe(res)
}

async function route(req: IncomingMessage, res: ServerResponse, ctx: HttpContext): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://relay')
  const { pathname } = url
  const method = req.method ?? 'GET'
  if (pathname.startsWith('/api/')) {
    // Bearer tokens, not cookies, carry the rights, so CORS guards no credentials here; it keeps
    // other sites' pages from reading answers (a login's outcome, the region list) through an
    // office browser, which may reach a relay the site itself cannot.
    const origin = req.headers.origin
    const allowed = typeof origin === 'string' && ctx.corsOrigins.includes(origin) ? origin : undefined
    if (ctx.corsOrigins.length > 0) res.setHeader('vary', 'Origin')
    if (method === 'OPTIONS') {
      if (origin !== undefined && allowed === undefined) {
        throw new HttpError(403, 'Bu kökene izin verilmiyor', 'Origin not allowed')
      }
      res.writeHead(204, {
        allow: 'GET, POST, OPTIONS',
        ...(allowed !== undefined
          ? {
              'access-control-allow-origin': allowed,
              'access-control-allow-methods': 'GET, POST, OPTIONS',
              // if-none-match: a client revalidates a rendering it holds (304 when unchanged).
              'access-control-allow-headers': 'authorization, content-type, if-none-match',
              'access-control-max-age': '600',
            }
          : {}),
      })
      res.end()
      return
    }
    if (allowed !== undefined) {
      res.setHeader('access-control-allow-origin', allowed)
      // A rendering's version travels in headers, which another origin's page (the desktop app) may only read when named here.
      res.setHeader('access-control-expose-headers', 'x-rainstaff-version, etag')
    }
  }

  if (method === 'GET' && pathname === '/health') {
    return sendJson(res, 200, { status: 'ok', version: ctx.version, uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000) })
  }
  if (method === 'GET' && pathname === '/ready') {
    return ctx.ready() ? sendJson(res, 200, { ready: true }) : sendJson(res, 503, { ready: false })
  }
  if (method === 'GET' && pathname === '/metrics') {
    if (ctx.metricsToken === undefined) throw new HttpError(404, 'Bulunamadı', 'Not found')
    if (!bearerIs(req, ctx.metricsToken)) {
      throw new HttpError(401, 'Ölçüm anahtarı gerekli', 'Metrics token required', { 'www-authenticate': 'Bearer realm="metrics"' })
    }
    const text = ctx.metricsText()
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' })
    res.end(text)
    return
  }
  if (pathname === '/api/login') {
    if (method !== 'POST') throw new HttpError(405, 'Yalnızca POST', 'POST only', { allow: 'POST' })
    return login(req, res, ctx)
  }
  if (pathname === '/api/renew') {
    if (method !== 'POST') throw new HttpError(405, 'Yalnızca POST', 'POST only', { allow: 'POST' })
    return renew(req, res, ctx)
  }
  if (pathname === '/api/password') {
    if (method !== 'POST') throw new HttpError(405, 'Yalnızca POST', 'POST only', { allow: 'POST' }, 'method')
    return changeOwnPassword(req, res, ctx)
  }
  if (pathname === '/api/users' || pathname.startsWith('/api/users/')) return users(req, res, ctx, pathname, method)
  if (method === 'GET' && pathname === '/api/regions') {
    return sendJson(res, 200, { regions: ctx.regions.map((r) => ({ slug: r.slug, name: r.name })) })
  }
  if (method === 'GET' && pathname === '/api/documents') {
    // Every signed-in user reads every region: the months each has, so a client can fetch them all.
    requireSession(req, ctx)
    const stored = ctx.store.storedRegions()
    const documents = Object.fromEntries(ctx.regions.map((r) => [r.slug, regionDocuments(stored, r.slug)]))
    return sendJson(res, 200, { documents, versions: ctx.versions(Object.values(documents).flat()) })
  }
  const renderingMatch = /^\/api\/renderings\/([a-z0-9-]+)(?:\/(\d{4}-\d{2}))?$/.exec(pathname)
  if (method === 'GET' && pathname.startsWith('/api/renderings/')) {
    requireSession(req, ctx)
    const name = renderingMatch === null ? undefined : renderingMatch[2] === undefined ? renderingMatch[1] : `${renderingMatch[1]}/${renderingMatch[2]}`
    const parsed = name === undefined ? undefined : parseDocumentName(name)
    if (name === undefined || parsed === undefined || !ctx.regions.some((r) => r.slug === parsed.region)) {
      throw new HttpError(404, 'Bilinmeyen belge', 'Unknown document', {}, 'not_found')
    }
    const { version, bytes } = ctx.rendering(name)
    const etag = `"${version}"`
    const headers = { 'x-rainstaff-version': version, etag, 'cache-control': 'no-cache' }
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers)
      res.end()
      return
    }
    res.writeHead(200, { ...headers, 'content-type': 'application/json', 'content-length': bytes.byteLength })
    res.end(bytes)
    return
  }
  if (method === 'GET' && pathname === '/api/status') {
    requireAdmin(req, ctx)
    return sendJson(res, 200, await ctx.status())
  }
  const exportMatch = /^\/api\/export\/([^/]+)\.sqlite$/.exec(pathname)
  if (method === 'GET' && exportMatch) {
    requireAdmin(req, ctx)
    const name = exportMatch[1] ?? ''
    const regions = name === 'all' ? ctx.regions.map((r) => r.slug) : ctx.regions.some((r) => r.slug === name) ? [name] : []
    if (regions.length === 0) throw new HttpError(404, 'Bilinmeyen bölge', 'Unknown region')
    const bytes = await ctx.exportSqlite(regions)
    res.writeHead(200, {
      'content-type': 'application/vnd.sqlite3',
      'content-length': bytes.byteLength,
      'content-disposition': `attachment; filename="rainstaff-${name}.sqlite"`,
      'cache-control': 'no-store',
    })
    res.end(bytes)
    return
  }
  if (pathname.startsWith('/api/') || pathname.startsWith('/sync/')) throw new HttpError(404, 'Bulunamadı', 'Not found')
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'Desteklenmeyen yöntem', 'Method not allowed')
  serveStatic(req, res, ctx, pathname)
}

export function createHttpHandler(ctx: HttpContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value)
    route(req, res, ctx).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy()
        return
      }
      if (error instanceof HttpError) {
        sendJson(res, error.status, errorBody(error.code, error.tr, error.en), error.headers)
        return
      }
      if (error instanceof UserError) {
        // Bad input for an account change (relay/users.ts checked it; nothing was changed).
        sendJson(res, error.code === 'no_such_user' ? 404 : error.code === 'user_exists' ? 409 : 400, errorBody(error.code, error.tr, error.en))
        return
      }
      // Only the path is logged: query strings and headers may hold secrets.
      ctx.log(`relay: istek hatası / request failed ${req.method} ${(req.url ?? '').split('?')[0]}: ${error instanceof Error ? error.message : error}`)
      sendJson(res, 500, errorBody('internal', 'Sunucu hatası', 'Internal error'))
    })
  }
}
