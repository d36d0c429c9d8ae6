/**
 * `npm run build`: bundles the web client (the office app and the admin view) into dist/web/,
 * which the relay serves at `/`. esbuild, because it is already how tsx runs our TypeScript and
 * it bundles Lit and Yjs for the browser in well under a second.
 */
import { build } from 'esbuild'
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const out = 'dist/web'
mkdirSync(out, { recursive: true })

await build({
  entryPoints: { app: 'client/ui/main.ts', admin: 'client/ui/admin.ts' },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outdir: out,
  sourcemap: true,
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
process.stdout.write(`web client built into ${out}/\n`)

// `--desktop`: Electron's main and preload, compiled as CommonJS (the package itself is ESM).
if (process.argv.includes('--desktop')) {
  execFileSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'client/electron/tsconfig.json'], { stdio: 'inherit' })
  writeFileSync('dist/electron/package.json', JSON.stringify({ type: 'commonjs' }))
  process.stdout.write('desktop main process built into dist/electron/\n')
}
