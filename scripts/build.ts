/**
 * `npm run build`: bundles the web client (the office app and the admin view) into dist/web/,
 * which the relay serves at `/`. esbuild, because it is already how tsx runs our TypeScript and
 * it bundles Lit and Yjs for the browser in well under a second.
 */
import { build } from 'esbuild'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

// `--out DIR`: the UI tests build into a directory of their own, so two test files (or a test and
// someone's `npm run build`) never delete each other's files mid-run.
const outFlag = process.argv.indexOf('--out')
const out = outFlag >= 0 && process.argv[outFlag + 1] !== undefined ? process.argv[outFlag + 1] : 'dist/web'
// `--sourcemap`: .map files for debugging a build. Off by default: they hand out the unminified
// source, and the relay refuses to serve them unless started with --source-maps.
const sourcemap = process.argv.includes('--sourcemap')
// Chunk names change with their content: old ones would pile up and be precached forever.
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

await build({
  entryPoints: { app: 'client/ui/main.ts', admin: 'client/ui/admin.ts' },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outdir: out,
  // exceljs (~1 MB) loads only when someone downloads an xlsx, not on every start.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap,
  minify: process.env.NODE_ENV === 'production',
  // sql.js probes for Node modules it never uses in a browser.
  external: ['fs', 'path', 'crypto'],
  logLevel: 'warning',
})

for (const file of readdirSync('client/ui')) {
  if (file.endsWith('.html') || file.endsWith('.css') || file.endsWith('.svg')) copyFileSync(join('client/ui', file), join(out, file))
}
const sqlJsDir = dirname(createRequire(import.meta.url).resolve('sql.js'))
copyFileSync(join(sqlJsDir, 'sql-wasm.wasm'), join(out, 'sql-wasm.wasm'))
// The browser build of sql.js (what esbuild bundles for platform "browser") asks for its own wasm.
copyFileSync(join(sqlJsDir, 'sql-wasm-browser.wasm'), join(out, 'sql-wasm-browser.wasm'))

// The service worker precaches every file just written (not source maps), and its cache name
// changes with their content so a new build replaces the old copy.
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  )
}
const precache = filesUnder(out).filter((file) => !file.endsWith('.map')).sort()
const hash = createHash('sha256')
for (const file of precache) hash.update(file).update(readFileSync(join(out, file)))
await build({
  entryPoints: { sw: 'client/ui/sw.ts' },
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  outdir: out,
  define: { PRECACHE: JSON.stringify(['./', ...precache]), BUILD_ID: JSON.stringify(hash.digest('hex').slice(0, 16)) },
  logLevel: 'warning',
})
process.stdout.write(`web client built into ${out}/\n`)

// `--desktop`: Electron's main and preload, compiled as CommonJS (the package itself is ESM).
if (process.argv.includes('--desktop')) {
  execFileSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'client/electron/tsconfig.json'], { stdio: 'inherit' })
  writeFileSync('dist/electron/package.json', JSON.stringify({ type: 'commonjs' }))
  process.stdout.write('desktop main process built into dist/electron/\n')
}
