/**
 * The relay's HTTP endpoints against a real process: health, readiness, admin status and SQLite
 * exports of real region docs, Prometheus metrics, and the static web client without traversal
 * (relay.headers.test.ts has the security headers, CORS, source maps and the metrics token).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { insertRecord } from '../crdt/regionDoc.ts'
import {
  ADMIN_PASSWORD,
  connectClient,
  METRICS_TOKEN,
  seedUsers,
  spawnRelay,
  tempDir,
  tokenFor,
  until,
  type RelayProcess,
  type TestClient,
} from './helpers/relayProcess.ts'

/** GET with a raw path, bypassing fetch's URL normalisation (which would resolve `..`). */
function rawGet(port: number, rawPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: rawPath, method: 'GET' }, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => (body += d.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('relay HTTP', () => {
  const data = tempDir()
  const web = path.join(data.dir, 'web')
  let relay: RelayProcess
  let admin: string
  let ayse: string
  const clients: TestClient[] = []

  beforeAll(async () => {
    mkdirSync(path.join(web, 'assets'), { recursive: true })
    writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>Rainstaff web</title>')
    writeFileSync(path.join(web, 'assets', 'app.js'), 'console.log("rainstaff")')
    writeFileSync(path.join(data.dir, 'secret.txt'), 'do-not-serve')
    await seedUsers(data.dir, [
      { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
      { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
      { username: 'mehmet', role: 'editor', region: 'istanbul', password: 'mehmet-password' },
    ])
    relay = await spawnRelay(data.dir, ['--web', web])
    admin = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
    ayse = await tokenFor(relay, 'ayse', 'ayse-password')
    const mehmet = await tokenFor(relay, 'mehmet', 'mehmet-password')

    const ankara = connectClient(relay, 'ankara', ayse)
    const istanbul = connectClient(relay, 'istanbul', mehmet)
    clients.push(ankara, istanbul)
    await Promise.all([ankara.synced(), istanbul.synced()])
    insertRecord(ankara.doc, 'employees', 'ankara', { full_name: 'Ayşe Yılmaz' }, { user: 'ayse' })
    insertRecord(ankara.doc, 'employees', 'ankara', { full_name: 'Can Öztürk' }, { user: 'ayse' })
    insertRecord(istanbul.doc, 'employees', 'istanbul', { full_name: 'Mehmet Kaya' }, { user: 'mehmet' })
    for (const c of [ankara, istanbul]) {
      const clock = Y.getState(c.doc.store, c.doc.clientID)
      await until(() => c.durable.get(c.doc.clientID) === clock, 'records durable')
    }
  })

  afterAll(async () => {
    for (const c of clients) c.destroy()
    await relay?.stop()
    data.remove()
  })

  it('answers /health and /ready', async () => {
    const health = await fetch(`${relay.url}/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ status: 'ok' })
    const ready = await fetch(`${relay.url}/ready`)
    expect(ready.status).toBe(200)
  })

  it('gives the admin, and only the admin, per-region status', async () => {
    expect((await fetch(`${relay.url}/api/status`)).status).toBe(401)
    const asEditor = await fetch(`${relay.url}/api/status`, { headers: { authorization: `Bearer ${ayse}` } })
    expect(asEditor.status).toBe(403)
    const res = await fetch(`${relay.url}/api/status`, { headers: { authorization: `Bearer ${admin}` } })
    expect(res.status).toBe(200)
    const status = (await res.json()) as {
      regions: Array<{ region: string; counts: Record<string, number>; docBytes: number; connections: number; lastUpdateAt: string | null; storedBytes: number }>
      storeBytes: number
    }
    const ankara = status.regions.find((r) => r.region === 'ankara')
    const bursa = status.regions.find((r) => r.region === 'bursa')
    expect(ankara?.counts.employees).toBe(2)
    expect(ankara?.counts.timesheets).toBe(0)
    expect(ankara?.connections).toBe(1)
    expect(ankara?.docBytes).toBeGreaterThan(0)
    expect(ankara?.storedBytes).toBeGreaterThan(0)
    expect(Date.parse(ankara?.lastUpdateAt ?? '')).toBeGreaterThan(0)
    expect(status.regions.find((r) => r.region === 'istanbul')?.counts.employees).toBe(1)
    expect(bursa).toMatchObject({ connections: 0, lastUpdateAt: null, storedBytes: 0 })
    expect(status.storeBytes).toBeGreaterThan(0)
  })

  it('exports one region or all of them as a SQLite file of the merged data', async () => {
    const fetchExport = async (name: string, token: string): Promise<Response> =>
      fetch(`${relay.url}/api/export/${name}.sqlite`, { headers: { authorization: `Bearer ${token}` } })
    expect((await fetchExport('ankara', ayse)).status).toBe(403)
    expect((await fetchExport('antalya', admin)).status).toBe(404)

    const names = async (name: string): Promise<string[]> => {
      const res = await fetchExport(name, admin)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/vnd.sqlite3')
      const file = path.join(data.dir, `${name}.sqlite`)
      writeFileSync(file, Buffer.from(await res.arrayBuffer()))
      const db = new Database(file, { readonly: true })
      try {
        return db
          .prepare<[], { full_name: string; region: string }>('SELECT full_name, region FROM employees ORDER BY full_name')
          .all()
          .map((r) => `${r.region}:${r.full_name}`)
      } finally {
        db.close()
      }
    }
    expect(await names('ankara')).toEqual(['ankara:Ayşe Yılmaz', 'ankara:Can Öztürk'])
    expect(await names('all')).toEqual(['ankara:Ayşe Yılmaz', 'ankara:Can Öztürk', 'istanbul:Mehmet Kaya'])
  })

  it('serves Prometheus metrics to the metrics token', async () => {
    const res = await fetch(`${relay.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
    const text = await res.text()
    expect(text).toMatch(/^# TYPE rainstaff_updates_stored_total counter$/m)
    expect(Number(/^rainstaff_updates_stored_total (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(3)
    expect(text).toMatch(/^rainstaff_connections\{region="ankara"\} 1$/m)
    expect(text).toMatch(/^rainstaff_doc_loaded\{region="izmir"\} [01]$/m)
  })

  it('serves the web client and nothing outside it', async () => {
    const index = await fetch(`${relay.url}/`)
    expect(index.status).toBe(200)
    expect(index.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await index.text()).toContain('Rainstaff web')
    const js = await fetch(`${relay.url}/assets/app.js`)
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/)
    for (const attempt of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..\\secret.txt', '/%00index.html']) {
      const res = await rawGet(relay.port, attempt)
      expect(res.body).not.toContain('do-not-serve')
      expect([400, 404]).toContain(res.status)
    }
    expect((await fetch(`${relay.url}/nope.js`)).status).toBe(404)

    rmSync(web, { recursive: true })
    const notBuilt = await fetch(`${relay.url}/`)
    expect(notBuilt.status).toBe(200)
    expect(await notBuilt.text()).toMatch(/web istemcisi derlenmemiş[^]*web client is not built[^]*npm run build/)
  })
})
