/**
 * The built web client (`dist/web`, RelayOptions.webRoot) as static files, with a page that says
 * how to build it when it is missing. Nothing outside the root is ever served.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createReadStream, existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { HttpError, type HttpContext } from './httpBase.ts'

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
export function serveStatic(req: IncomingMessage, res: ServerResponse, ctx: HttpContext, pathname: string): void {
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
