/**
 * HTTP hardening against real relay processes: security headers on every response, CORS only for
 * configured origins, no source maps unless asked for (neither built nor served), `/metrics`
 * behind a bearer token while `/health` stays open, and the settings' parsing.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, hardeningOptions, resolveOptions } from '../relay/options.ts'
import { METRICS_TOKEN, ROOT, runCli, seedUsers, spawnRelay, tempDir, ADMIN_PASSWORD, type RelayProcess } from './helpers/relayProcess.ts'

const OFFICE = 'https://office.example'
const EVIL = 'https://evil.example'

/** The directives of a Content-Security-Policy header, each with its sources. */
function directives(csp: string | null): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const part of (csp ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/)
    if (name) out.set(name, sources)
  }
  return out
}

function writeWeb(dir: string): void {
  mkdirSync(path.join(dir, 'chunks'), { recursive: true })
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Rainstaff web</title><script type="module" src="app.js"></script>')
  writeFileSync(path.join(dir, 'app.js'), 'console.log("rainstaff")\n//# sourceMappingURL=app.js.map\n')
  writeFileSync(path.join(dir, 'app.js.map'), '{"version":3,"sources":["../client/ui/main.ts"],"mappings":""}')
  writeFileSync(path.join(dir, 'chunks', 'c.js'), 'export const c = 1\n')
  writeFileSync(path.join(dir, 'chunks', 'c.js.map'), '{"version":3,"sources":["secret-source.ts"],"mappings":""}')
}

describe('relay HTTP hardening', () => {
  const plain = tempDir()
  const open = tempDir()
  let byDefault: RelayProcess
  let configured: RelayProcess

  beforeAll(async () => {
    for (const d of [plain, open]) {
      writeWeb(path.join(d.dir, 'web'))
      await seedUsers(d.dir, [{ username: 'admin', role: 'admin', password: ADMIN_PASSWORD }])
    }
    // No metrics token, no CORS origins, no source maps: the defaults.
    byDefault = await spawnRelay(plain.dir, ['--web', path.join(plain.dir, 'web')], { RAINSTAFF_METRICS_TOKEN: '' })
    configured = await spawnRelay(open.dir, ['--web', path.join(open.dir, 'web'), '--cors-origin', OFFICE, '--cors-origin', 'null', '--source-maps'])
  })

  afterAll(async () => {
    await byDefault?.stop()
    await configured?.stop()
    plain.remove()
    open.remove()
  })

  it('sends the security headers on every response: pages, scripts, the API, errors, health', async () => {
    const requests: Array<[string, RequestInit?]> = [
      ['/'],
      ['/index.html'],
      ['/app.js'],
      ['/chunks/c.js'],
      ['/nope.js'],
      ['/app.js.map'],
      ['/api/regions'],
      ['/api/status'],
      ['/api/login', { method: 'POST', body: '{"username":' }],
      ['/api/login', { method: 'POST', body: JSON.stringify({ username: 'admin', password: 'wrong-password' }) }],
      ['/api/nothing'],
      ['/api/regions', { method: 'OPTIONS', headers: { origin: EVIL, 'access-control-request-method': 'GET' } }],
      ['/health'],
      ['/ready'],
      ['/metrics'],
    ]
    for (const [pathname, init] of requests) {
      const res = await fetch(`${byDefault.url}${pathname}`, init)
      await res.arrayBuffer()
      const what = `${init?.method ?? 'GET'} ${pathname} (${res.status})`
      expect(res.headers.get('x-content-type-options'), what).toBe('nosniff')
      expect(res.headers.get('x-frame-options'), what).toBe('DENY')
      expect(res.headers.get('referrer-policy'), what).toBe('no-referrer')
      const csp = directives(res.headers.get('content-security-policy'))
      expect(csp.get('default-src'), what).toEqual(["'self'"])
      // Scripts only from the relay: no inline script, no eval (compiling wasm is not eval).
      expect(csp.get('script-src'), what).toEqual(["'self'", "'wasm-unsafe-eval'"])
      expect(csp.get('style-src'), what).toEqual(["'self'"])
      expect(csp.get('style-src-attr'), what).toEqual(["'unsafe-inline'"])
      expect(csp.get('connect-src'), what).toEqual(["'self'", 'ws:', 'wss:'])
      expect(csp.get('frame-ancestors'), what).toEqual(["'none'"])
      expect(csp.get('object-src'), what).toEqual(["'none'"])
    }
  })

  it('lets no other origin read /api/* answers by default', async () => {
    for (const origin of [undefined, EVIL, OFFICE, 'null']) {
      const res = await fetch(`${byDefault.url}/api/regions`, { headers: origin ? { origin } : {} })
      expect(res.status).toBe(200)
      expect(res.headers.get('access-control-allow-origin'), String(origin)).toBeNull()
    }
    const preflight = await fetch(`${byDefault.url}/api/login`, {
      method: 'OPTIONS',
      headers: { origin: OFFICE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    })
    expect(preflight.status).toBe(403)
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
    expect(preflight.headers.get('access-control-allow-methods')).toBeNull()
  })

  it('answers configured origins, and only those, with CORS headers', async () => {
    for (const origin of [OFFICE, 'null']) {
      const res = await fetch(`${configured.url}/api/regions`, { headers: { origin } })
      expect(res.headers.get('access-control-allow-origin')).toBe(origin)
      expect(res.headers.get('vary')).toMatch(/origin/i)
      // A rendering's version (relay/PROTOCOL.md §9) is readable from that origin.
      expect(res.headers.get('access-control-expose-headers')).toMatch(/x-rainstaff-version/)
      // Error answers too, so a client on that origin can show why.
      const refused = await fetch(`${configured.url}/api/status`, { headers: { origin } })
      expect(refused.status).toBe(401)
      expect(refused.headers.get('access-control-allow-origin')).toBe(origin)
    }
    const other = await fetch(`${configured.url}/api/regions`, { headers: { origin: EVIL } })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
    expect(other.headers.get('vary')).toMatch(/origin/i)
    // Not the API: no CORS headers even for a configured origin.
    expect((await fetch(`${configured.url}/health`, { headers: { origin: OFFICE } })).headers.get('access-control-allow-origin')).toBeNull()

    const preflight = (origin: string): Promise<Response> =>
      fetch(`${configured.url}/api/login`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      })
    const allowed = await preflight(OFFICE)
    expect(allowed.status).toBe(204)
    expect(allowed.headers.get('access-control-allow-origin')).toBe(OFFICE)
    expect(allowed.headers.get('access-control-allow-methods')).toMatch(/POST/)
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/content-type/)
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/)
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/if-none-match/)
    const refused = await preflight(EVIL)
    expect(refused.status).toBe(403)
    expect(refused.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('serves no source maps unless started with --source-maps', async () => {
    for (const file of ['/app.js.map', '/chunks/c.js.map', '/chunks/c.js.MAP', '/chunks/%63.js.map']) {
      const res = await fetch(`${byDefault.url}${file}`)
      expect(res.status, file).toBe(404)
      expect(await res.text()).not.toContain('sources')
    }
    expect((await fetch(`${byDefault.url}/app.js`)).status).toBe(200)
    const served = await fetch(`${configured.url}/chunks/c.js.map`)
    expect(served.status).toBe(200)
    expect(await served.text()).toContain('secret-source.ts')
  })

  it('has no /metrics without a token, and asks for the token when one is set; /health stays open', async () => {
    expect((await fetch(`${byDefault.url}/metrics`)).status).toBe(404)
    expect((await fetch(`${byDefault.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(404)

    const none = await fetch(`${configured.url}/metrics`)
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(await none.text()).not.toMatch(/rainstaff_/)
    for (const auth of [`Bearer ${METRICS_TOKEN}x`, `Bearer ${METRICS_TOKEN.slice(0, -1)}`, `Basic ${METRICS_TOKEN}`, METRICS_TOKEN]) {
      expect((await fetch(`${configured.url}/metrics`, { headers: { authorization: auth } })).status, auth).toBe(401)
    }
    const ok = await fetch(`${configured.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    expect(ok.status).toBe(200)
    expect(await ok.text()).toMatch(/^rainstaff_uptime_seconds \d+$/m)

    for (const relay of [byDefault, configured]) {
      const health = await fetch(`${relay.url}/health`)
      expect(health.status).toBe(200)
      expect(await health.json()).toMatchObject({ status: 'ok' })
    }
    // The token never reaches the relay's output.
    expect(configured.output()).not.toContain(METRICS_TOKEN)
  })
})

describe('the web build', () => {
  const out = tempDir('rainstaff-web-')
  afterAll(() => out.remove())

  const build = async (extra: string[]): Promise<string[]> => {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--out', out.dir, ...extra], { cwd: ROOT })
    return readdirSync(out.dir, { recursive: true, encoding: 'utf8' })
  }

  it('writes source maps only when built with --sourcemap', async () => {
    const files = await build([])
    expect(files).toContain('app.js')
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([])
    for (const f of files.filter((name) => name.endsWith('.js'))) {
      expect(readFileSync(path.join(out.dir, f), 'utf8'), f).not.toContain('sourceMappingURL')
    }
    const withMaps = await build(['--sourcemap'])
    expect(withMaps).toContain('app.js.map')
  })
})

describe('hardening settings', () => {
  it('reads flags first and the environment otherwise', () => {
    expect(hardeningOptions({}, {})).toEqual({ corsOrigins: [], serveSourceMaps: false })
    expect(
      hardeningOptions({}, { RAINSTAFF_CORS_ORIGINS: `${OFFICE}, null ,`, RAINSTAFF_METRICS_TOKEN: METRICS_TOKEN, RAINSTAFF_SOURCE_MAPS: '1' }),
    ).toEqual({ corsOrigins: [OFFICE, 'null'], metricsToken: METRICS_TOKEN, serveSourceMaps: true })
    expect(
      hardeningOptions(
        { 'cors-origin': ['http://localhost:5173'], 'metrics-token': 'flag-token-0123456789', 'source-maps': true },
        { RAINSTAFF_CORS_ORIGINS: OFFICE, RAINSTAFF_METRICS_TOKEN: METRICS_TOKEN },
      ),
    ).toEqual({ corsOrigins: ['http://localhost:5173'], metricsToken: 'flag-token-0123456789', serveSourceMaps: true })
    expect(resolveOptions({ dataDir: '/x' })).toMatchObject({ corsOrigins: [], serveSourceMaps: false })
    expect(resolveOptions({ dataDir: '/x' }).metricsToken).toBeUndefined()
  })

  it('refuses origins a browser never sends and short metrics tokens', () => {
    for (const origin of ['*', `${OFFICE}/`, `${OFFICE}/path`, 'office.example', 'ftp://office.example', '']) {
      expect(() => resolveOptions({ dataDir: '/x', corsOrigins: [origin] }), origin).toThrow(ConfigError)
    }
    expect(() => resolveOptions({ dataDir: '/x', metricsToken: 'short' })).toThrow(ConfigError)
    expect(() => resolveOptions({ dataDir: '/x', metricsToken: 'has a space in it, long enough' })).toThrow(ConfigError)
  })

  it('stops the relay command with a bilingual message for a bad setting', async () => {
    const data = tempDir()
    try {
      const args = ['relay', '--port', '0', '--host', '127.0.0.1', '--data', data.dir]
      const origin = await runCli([...args, '--cors-origin', `${OFFICE}/`])
      expect(origin.code).toBe(1)
      expect(origin.stderr).toMatch(/Geçersiz köken \/ Invalid origin: "https:\/\/office\.example\/"/)
      const token = await runCli([...args, '--metrics-token', 'short'])
      expect(token.code).toBe(1)
      expect(token.stderr).toMatch(/Ölçüm anahtarı .* \/ The metrics token needs at least 16 characters/)
    } finally {
      data.remove()
    }
  })
})
