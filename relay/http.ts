/**
 * The relay's HTTP side: health and readiness, login, renewal and password changes, metrics and
 * the dispatch to the other route groups (accounts: userRoutes.ts; documents, renderings, status
 * and exports: renderingRoutes.ts; the web client: staticFiles.ts). Every response is JSON except
 * /metrics, renderings, exports and static files; errors carry a bilingual `error` text. Every
 * response carries the security headers below.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createHash, timingSafeEqual } from 'node:crypto'
import type { LoginScope } from './limits.ts'
import { clientAddress, errorBody, HttpError, MAX_USERNAME, printable, readJson, requireSession, sendJson, stringField, type HttpContext } from './httpBase.ts'
import { renderingRoutes } from './renderingRoutes.ts'
import { periodRoutes } from './periodRoutes.ts'
import { holidayRoutes } from './holidayRoutes.ts'
import { historyRoutes } from './historyRoutes.ts'
import { serveStatic } from './staticFiles.ts'
import { deviceClaim, signToken } from './tokens.ts'
import { userRoutes } from './userRoutes.ts'
import { authenticate, getUser, setPassword, UserError, type LoginResult, type User } from './users.ts'

export type { HttpContext } from './httpBase.ts'

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
  const { token, expiresAt } = signToken(ctx.secret, user, ctx.tokenTtlMs, now, claims.auth, claims.dev)
  sendJson(res, 200, sessionBody(ctx, user, token, expiresAt))
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
  const device = deviceClaim((body as Record<string, unknown>).device)
  if (device === null) {
    throw new HttpError(400, 'Cihaz bilgisi geçersiz: {id: 8–64 harf/rakam, name: en çok 64 karakter}', 'Invalid device: {id: 8–64 letters or digits, name: at most 64 characters}', {}, 'bad_device')
  }
  const address = clientAddress(req, ctx.trustProxy)
  const user = await checkPassword(ctx, address, username, password, 'sign-in')
  ctx.metrics.loginsOk++
  ctx.log(`relay: giriş / signed in: ${user.username} (${user.role}) from ${printable(address)}`)
  const { token, expiresAt } = signToken(ctx.secret, user, ctx.tokenTtlMs, Date.now(), Date.now(), device)
  sendJson(res, 200, sessionBody(ctx, user, token, expiresAt))
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
  const { user, claims } = requireSession(req, ctx)
  const body = await readJson(req)
  const current = stringField(body, 'current')
  const next = stringField(body, 'new')
  const address = clientAddress(req, ctx.trustProxy)
  await checkPassword(ctx, address, user.username, current, 'password-change')
  await setPassword(ctx.store, user.username, next)
  const changed = getUser(ctx.store, user.username)
  if (changed === undefined) throw new HttpError(404, 'Kullanıcı yok', 'No such user', {}, 'no_such_user')
  ctx.log(`relay: hesap / account: ${user.username} kendi parolasını değiştirdi / changed their own password (from ${printable(address)})`)
  const { token, expiresAt } = signToken(ctx.secret, changed, ctx.tokenTtlMs, Date.now(), Date.now(), claims.dev)
  sendJson(res, 200, sessionBody(ctx, changed, token, expiresAt))
}

/** Compares digests so neither the token's length nor its first wrong byte shows in the timing. */
function bearerIs(req: IncomingMessage, expected: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')
  if (!match?.[1]) return false
  const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest()
  return timingSafeEqual(digest(match[1]), digest(expected))
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
      // A page on another origin reads only safelisted headers unless told: a rendering's version.
      res.setHeader('access-control-expose-headers', 'etag, x-rainstaff-version')
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
  if (pathname === '/api/users' || pathname.startsWith('/api/users/')) return userRoutes(req, res, ctx, pathname, method)
  if (method === 'GET' && pathname === '/api/regions') {
    return sendJson(res, 200, { regions: ctx.regions.map((r) => ({ slug: r.slug, name: r.name })) })
  }
  if (await renderingRoutes(req, res, ctx, pathname, method)) return
  if (await periodRoutes(req, res, ctx, pathname, method)) return
  if (await holidayRoutes(req, res, ctx, pathname, method)) return
  if (await historyRoutes(req, res, ctx, pathname, method)) return
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
