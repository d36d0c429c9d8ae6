/**
 * The relay's HTTP side: health and readiness, login, admin status and exports, metrics and the
 * built web client. Every response is JSON except /metrics, the exports and static files; errors
 * carry a bilingual `error` text.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createReadStream, existsSync, statSync } from 'node:fs'
import path from 'node:path'
import type { Region } from '../schema/regions.ts'
import type { LoginLimiter } from './limits.ts'
import type { Metrics } from './metrics.ts'
import type { Store } from './store.ts'
import { signToken, tokenAccount, verifyToken, type TokenClaims } from './tokens.ts'
import { authenticate, type User } from './users.ts'

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
  readonly version: string
  readonly startedAt: number
  ready(): boolean
  status(): Promise<unknown>
  metricsText(): string
  /** SQLite file bytes of the merged data of `regions`. */
  exportSqlite(regions: readonly string[]): Promise<Uint8Array>
  log(line: string): void
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    tr: string,
    en: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${tr} / ${en}`)
  }
}

const MAX_BODY = 16 * 1024

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
    if (size > MAX_BODY) throw new HttpError(413, 'İstek çok büyük', 'Request body too large')
    chunks.push(buf)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new HttpError(400, 'Geçersiz JSON', 'Invalid JSON body')
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
  if (!match?.[1]) throw new HttpError(401, 'Oturum gerekli', 'Authentication required', { 'www-authenticate': 'Bearer' })
  const check = verifyToken(ctx.secret, match[1])
  if (!check.ok) {
    throw new HttpError(401, 'Oturum geçersiz veya süresi doldu', 'Invalid or expired token', { 'www-authenticate': 'Bearer' })
  }
  const account = tokenAccount(ctx.store, check.claims)
  if (!account.ok && account.reason === 'revoked') {
    throw new HttpError(401, 'Hesap değişti; yeniden giriş yapın', 'The account changed; log in again', { 'www-authenticate': 'Bearer' })
  }
  if (!account.ok) throw new HttpError(403, 'Kullanıcı devre dışı veya silindi', 'User disabled or deleted')
  return { user: account.user, claims: check.claims }
}

/** The admin behind `Authorization: Bearer <token>`, re-read from the store. */
function requireAdmin(req: IncomingMessage, ctx: HttpContext): User {
  const { user } = requireSession(req, ctx)
  if (user.role !== 'admin') throw new HttpError(403, 'Yalnızca yönetici', 'Admin only')
  return user
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

async function login(req: IncomingMessage, res: ServerResponse, ctx: HttpContext): Promise<void> {
  const body = await readJson(req)
  const username = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).username : undefined
  const password = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).password : undefined
  if (typeof username !== 'string' || typeof password !== 'string' || username === '' || password.length > 1024) {
    throw new HttpError(400, 'Kullanıcı adı ve parola gerekli', 'username and password are required')
  }
  const address = clientAddress(req, ctx.trustProxy)
  const now = Date.now()
  const wait = ctx.loginLimiter.retryAfter(address, username, now)
  if (wait > 0) {
    ctx.metrics.loginsLimited++
    const seconds = String(Math.ceil(wait / 1000))
    throw new HttpError(429, 'Çok fazla başarısız giriş; sonra deneyin', 'Too many failed logins; try later', {
      'retry-after': seconds,
    })
  }
  const result = await authenticate(ctx.store, username, password)
  if (!result.ok) {
    ctx.metrics.loginsFailed++
    ctx.loginLimiter.fail(address, username, Date.now())
    if (result.reason === 'disabled') throw new HttpError(403, 'Kullanıcı devre dışı', 'User disabled')
    throw new HttpError(401, 'Kullanıcı adı veya parola yanlış', 'Wrong username or password')
  }
  ctx.metrics.loginsOk++
  ctx.loginLimiter.succeed(address, username)
  const { user } = result
  const { token, expiresAt } = signToken(ctx.secret, user, ctx.tokenTtlMs)
  sendJson(res, 200, {
    token,
    expiresAt,
    user: { username: user.username, role: user.role, region: user.region },
    regions: ctx.regions.map((r) => ({ slug: r.slug, name: r.name, writable: user.role === 'editor' && user.region === r.slug })),
  })
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
  if (pathname.startsWith('/api/') && method === 'OPTIONS') {
    // Desktop builds call the API from another origin; bearer tokens (not cookies) make this safe.
    res.writeHead(204, {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-max-age': '600',
    })
    res.end()
    return
  }
  if (pathname.startsWith('/api/')) res.setHeader('access-control-allow-origin', '*')

  if (method === 'GET' && pathname === '/health') {
    return sendJson(res, 200, { status: 'ok', version: ctx.version, uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000) })
  }
  if (method === 'GET' && pathname === '/ready') {
    return ctx.ready() ? sendJson(res, 200, { ready: true }) : sendJson(res, 503, { ready: false })
  }
  if (method === 'GET' && pathname === '/metrics') {
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
  if (method === 'GET' && pathname === '/api/regions') {
    return sendJson(res, 200, { regions: ctx.regions.map((r) => ({ slug: r.slug, name: r.name })) })
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
    route(req, res, ctx).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy()
        return
      }
      if (error instanceof HttpError) {
        sendJson(res, error.status, { error: error.message }, error.headers)
        return
      }
      // Only the path is logged: query strings and headers may hold secrets.
      ctx.log(`relay: istek hatası / request failed ${req.method} ${(req.url ?? '').split('?')[0]}: ${error instanceof Error ? error.message : error}`)
      sendJson(res, 500, { error: 'Sunucu hatası / Internal error' })
    })
  }
}
