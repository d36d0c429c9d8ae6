/**
 * The routes that read documents without holding them (relay/renderings.ts): the stored
 * documents and their versions, each document's rendering (PROTOCOL.md, "Renderings"), the
 * admin status and the SQLite exports.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createReadStream } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { documentRegion, regionDocuments } from './documentName.ts'
import { HttpError, requireAdmin, requireSession, sendJson, type HttpContext } from './httpBase.ts'

const RENDERINGS = '/api/renderings/'

/** `GET /api/documents`: every signed-in user reads every region, so a client can fetch them all. */
function documents(req: IncomingMessage, res: ServerResponse, ctx: HttpContext): void {
  requireSession(req, ctx)
  const stored = ctx.store.storedRegions()
  const byRegion = ctx.regions.map((r) => [r.slug, regionDocuments(stored, r.slug)] as const)
  const versions = ctx.store.documentVersions()
  const listed = byRegion.flatMap(([, names]) => names)
  sendJson(res, 200, {
    documents: Object.fromEntries(byRegion),
    versions: Object.fromEntries(listed.map((name) => [name, String(versions.get(name) ?? 0)])),
  })
}

/** Whether an `If-None-Match` header names `etag` (a list, weak or not, or `*`). */
function matches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  return header.split(',').some((tag) => {
    const t = tag.trim()
    return t === '*' || t === etag || t === `W/${etag}`
  })
}

/** Whether the client takes gzip: named in Accept-Encoding without `q=0`. */
function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers['accept-encoding']
  if (typeof header !== 'string') return false
  return header.split(',').some((part) => {
    const [coding = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase())
    const q = params.find((p) => p.startsWith('q='))
    return (coding === 'gzip' || coding === '*') && (q === undefined || Number(q.slice(2)) > 0)
  })
}

/**
 * `GET /api/renderings/<region>` and `/api/renderings/<region>/<YYYY-MM>`: the document's current
 * rendering (crdt/rendering.ts bytes), with its version as ETag; 304 when the client has it.
 */
async function rendering(req: IncomingMessage, res: ServerResponse, ctx: HttpContext, pathname: string): Promise<void> {
  requireSession(req, ctx)
  const name = pathname.slice(RENDERINGS.length)
  if (documentRegion(name, ctx.regions) === undefined) {
    throw new HttpError(404, `Böyle bir belge yok: ${name.slice(0, 64)}`, `No such document: ${name.slice(0, 64)}`, {}, 'no_such_document')
  }
  const served = await ctx.rendering(name)
  const version = String(served.version)
  const etag = `"${version}"`
  const headers = {
    etag,
    'x-rainstaff-version': version,
    // Any cache must ask again: the version moves with every edit.
    'cache-control': 'private, no-cache',
    vary: 'Accept-Encoding',
  }
  if (matches(req.headers['if-none-match'], etag)) {
    res.writeHead(304, headers)
    res.end()
    return
  }
  const gzip = acceptsGzip(req)
  const body = gzip ? served.data : gunzipSync(served.data)
  res.writeHead(200, {
    ...headers,
    'content-type': 'application/json',
    'content-length': body.byteLength,
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  })
  res.end(body)
}

/** `GET /api/export/<region|all>.sqlite`: the file is written on disk and streamed, then removed. */
async function exportSqlite(req: IncomingMessage, res: ServerResponse, ctx: HttpContext, name: string): Promise<void> {
  requireAdmin(req, ctx)
  const regions = name === 'all' ? ctx.regions.map((r) => r.slug) : ctx.regions.some((r) => r.slug === name) ? [name] : []
  if (regions.length === 0) throw new HttpError(404, 'Bilinmeyen bölge', 'Unknown region')
  const exported = await ctx.exportSqlite(regions)
  const stream = createReadStream(exported.file)
  res.on('close', () => {
    stream.destroy()
    exported.remove()
  })
  res.writeHead(200, {
    'content-type': 'application/vnd.sqlite3',
    'content-length': exported.bytes,
    'content-disposition': `attachment; filename="rainstaff-${name}.sqlite"`,
    'cache-control': 'no-store',
  })
  stream.on('error', () => res.destroy())
  stream.pipe(res)
}

/** Answers the request when it is one of these routes; false otherwise. */
export async function renderingRoutes(req: IncomingMessage, res: ServerResponse, ctx: HttpContext, pathname: string, method: string): Promise<boolean> {
  if (method !== 'GET') return false
  if (pathname === '/api/documents') {
    documents(req, res, ctx)
    return true
  }
  if (pathname.startsWith(RENDERINGS)) {
    await rendering(req, res, ctx, pathname)
    return true
  }
  if (pathname === '/api/status') {
    requireAdmin(req, ctx)
    sendJson(res, 200, await ctx.status())
    return true
  }
  const exportMatch = /^\/api\/export\/([^/]+)\.sqlite$/.exec(pathname)
  if (exportMatch) {
    await exportSqlite(req, res, ctx, exportMatch[1] ?? '')
    return true
  }
  return false
}
