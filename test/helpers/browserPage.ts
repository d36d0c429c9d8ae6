/**
 * A page for browser tests of code below the UI: the entry is bundled by esbuild for the browser
 * (which fails on any Node built-in) and served from a loopback server of its own, because
 * IndexedDB and fetch need a real origin.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { build, type StdinOptions } from 'esbuild'

export interface ServedPage {
  readonly url: string
  close(): Promise<void>
}

/**
 * Serves `entry` (a file path, or source text) as the page at `/`, and each of `files` (URL name
 * → path on disk) beside it.
 */
export async function servePage(entry: string | StdinOptions, files: Readonly<Record<string, string>> = {}): Promise<ServedPage> {
  const bundle = await build({
    ...(typeof entry === 'string' ? { entryPoints: [entry] } : { stdin: entry }),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    write: false,
    logLevel: 'silent',
  })
  const script = bundle.outputFiles[0]?.text ?? ''
  const server = createServer((req, res) => {
    const file = files[(req.url ?? '/').slice(1)]
    if (file !== undefined) {
      res.writeHead(200, { 'content-type': file.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream' })
      res.end(readFileSync(file))
      return
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end(`<!doctype html><meta charset="utf-8"><script>${script.replace(/<\/script/g, '<\\/script')}</script>`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
