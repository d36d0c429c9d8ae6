/**
 * What every HTTP route of the relay shares: its context, errors with a stable code and both
 * languages, JSON in and out, the client's address and the session behind a bearer token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type * as Y from 'yjs'
import type { Region } from '../schema/regions.ts'
import type { LoginLimiter } from './limits.ts'
import type { Closing } from './closing.ts'
import type { Metrics } from './metrics.ts'
import type { ServedRendering } from './renderings.ts'
import type { ExportedFile } from './reports.ts'
import type { Store } from './store.ts'
import { tokenAccount, verifyToken, type TokenClaims } from './tokens.ts'
import type { User } from './users.ts'

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
  /** A SQLite file of the merged data of `regions`, on disk until the answer is sent. */
  exportSqlite(regions: readonly string[]): Promise<ExportedFile>
  /** The current rendering of a document of a configured region (relay/renderings.ts). */
  rendering(name: string): Promise<ServedRendering>
  /** The head office's control of months (relay/closing.ts). */
  readonly closing: Closing
  /**
   * A document to read history from, as the relay holds it: loaded if it is not (and unloaded when
   * idle, like any), so looking through one month's records reads it from the store once.
   */
  historyDocument(name: string): Y.Doc
  log(line: string): void
}

export class HttpError extends Error {
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
export function errorBody(code: string, tr: string, en: string): Record<string, string> {
  return { error: `${tr} / ${en}`, code, tr, en }
}

const MAX_BODY = 16 * 1024
/** No stored username is this long (users.ts allows 64); longer ones would only bloat the limiter. */
export const MAX_USERNAME = 256

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  })
  res.end(text)
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
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

export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
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
export function requireSession(req: IncomingMessage, ctx: HttpContext): { user: User; claims: TokenClaims } {
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
export function requireAdmin(req: IncomingMessage, ctx: HttpContext): User {
  const { user } = requireSession(req, ctx)
  if (user.role !== 'admin') throw new HttpError(403, 'Yalnızca yönetici', 'Admin only', {}, 'admin_only')
  return user
}

/** An address or name as it may appear in a log line: no control characters, bounded length. */
export function printable(text: string): string {
  return text.replace(/[^\p{L}\p{N}._@:[\]-]/gu, '?').slice(0, 64)
}

/** A field of a JSON object body, or undefined. */
export function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)[name] : undefined
}

/** A string field a request must carry; passwords are bounded like a login's. */
export function stringField(body: unknown, name: string, max = 1024): string {
  const value = field(body, name)
  if (typeof value !== 'string' || value.length > max) {
    throw new HttpError(400, `"${name}" alanı gerekli`, `The field "${name}" is required`, {}, `missing_${name}`)
  }
  return value
}
