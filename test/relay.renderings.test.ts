/**
 * Renderings on real relays (in-process, and a process killed with SIGKILL), with real
 * y-websocket clients: the status is right straight after edits and after a month has unloaded,
 * without loading it again (the loaded-documents gauge says so); a month is rendered when it
 * unloads and every few seconds under a steady stream of edits; a relay killed between a commit
 * and its render serves the right rendering and status after a restart; `/api/renderings/…`
 * answers with bytes decodeRendering reads, the version as ETag, 304, 401 and 404; malformed
 * items stored before the guard break neither a rendering nor the status.
 */
import { writeFileSync } from 'node:fs'
import { request } from 'node:http'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { malformedItems } from '../crdt/malformed.ts'
import { readRecord } from '../crdt/records.ts'
import { createRegionDoc, insertRecord } from '../crdt/regionDoc.ts'
import { decodeRendering, type Rendering } from '../crdt/rendering.ts'
import { startRelay, type Relay } from '../relay/server.ts'
import { openStore } from '../relay/store.ts'
import {
  ADMIN_PASSWORD,
  connectClient,
  METRICS_TOKEN,
  metricsText,
  putSetting,
  seedUsers,
  spawnRelay,
  tempDir,
  tokenFor,
  until,
  type RelayProcess,
  type TestClient,
} from './helpers/relayProcess.ts'

const USERS = [
  { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
  { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
  { username: 'mehmet', role: 'editor', region: 'istanbul', password: 'mehmet-password' },
] as const
const MONTH = 'ankara/2026-11'
const shift = (day: number): { work_date: string; start_time: string; end_time: string; break_minutes: number; is_special: number } => ({ work_date: `2026-11-${String(day).padStart(2, '0')}`, start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0 })

type Target = { url: string; port: number }
const wsOf = (relay: Target): { wsUrl: string } => ({ wsUrl: `ws://127.0.0.1:${relay.port}/sync` })

/** A gauge or counter of /metrics, with its region label when given. */
function metric(text: string, name: string, region?: string): number {
  const label = region === undefined ? '' : `\\{region="${region}"\\}`
  const match = new RegExp(`^${name}${label} (\\d+)$`, 'm').exec(text)
  if (match?.[1] === undefined) throw new Error(`no ${name} ${region ?? ''} in /metrics`)
  return Number(match[1])
}

/** Polls /metrics until `name` (of `region`) reads `value`; a guard against hangs, not a timing assertion. */
async function metricReaches(relay: Target, name: string, region: string | undefined, value: number): Promise<void> {
  const deadline = Date.now() + 15_000
  let last = metric(await metricsText(relay), name, region)
  while (last !== value) {
    if (Date.now() > deadline) throw new Error(`${name} ${region ?? ''} stayed ${last}, not ${value}`)
    await new Promise((r) => setTimeout(r, 25))
    last = metric(await metricsText(relay), name, region)
  }
}

async function durable(client: TestClient): Promise<void> {
  const clock = Y.getState(client.doc.store, client.doc.clientID)
  await until(() => (client.durable.get(client.doc.clientID) ?? 0) >= clock, 'edits durable')
}

interface RegionStatus {
  region: string
  counts: Record<string, number>
  malformed: number
  documents: number
  loadedDocuments: number
  connections: number
  docBytes: number
  lastUpdateAt: string | null
}

async function status(relay: Target, token: string): Promise<Record<string, RegionStatus>> {
  const res = await fetch(`${relay.url}/api/status`, { headers: { authorization: `Bearer ${token}` } })
  expect(res.status).toBe(200)
  const body = (await res.json()) as { regions: RegionStatus[] }
  return Object.fromEntries(body.regions.map((r) => [r.region, r]))
}

async function renderingOf(relay: Target, token: string, name: string): Promise<{ version: string; rendering: Rendering }> {
  const res = await fetch(`${relay.url}/api/renderings/${name}`, { headers: { authorization: `Bearer ${token}` } })
  expect(res.status).toBe(200)
  return { version: res.headers.get('x-rainstaff-version') ?? '', rendering: decodeRendering(new Uint8Array(await res.arrayBuffer()), name) }
}

async function exported(relay: Target, token: string, region: string, dir: string, sql: string): Promise<unknown[]> {
  const res = await fetch(`${relay.url}/api/export/${region}.sqlite`, { headers: { authorization: `Bearer ${token}` } })
  expect(res.status).toBe(200)
  const file = path.join(dir, `export-${Date.now()}-${Math.random()}.sqlite`)
  writeFileSync(file, Buffer.from(await res.arrayBuffer()))
  const db = new Database(file, { readonly: true })
  try {
    return db.prepare(sql).all()
  } finally {
    db.close()
  }
}

/** A GET with a raw path and headers, with no decoding: `..` stays in the path, gzip stays gzip. */
function rawGet(port: number, rawPath: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: rawPath, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => chunks.push(d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('renderings on a running relay', () => {
  const data = tempDir('rainstaff-renderings-')
  let relay: Relay
  let admin: string
  let master: TestClient
  let month: TestClient
  const metrics = (): Promise<string> => metricsText(relay)

  beforeAll(async () => {
    await seedUsers(data.dir, [...USERS])
    // Nothing is rendered by the timer here: only reads and unloads render.
    relay = await startRelay({ dataDir: data.dir, port: 0, host: '127.0.0.1', log: () => {}, metricsToken: METRICS_TOKEN, idleUnloadMs: 300, renderDelayMs: 600_000 })
    admin = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
    const ayse = await tokenFor(relay, 'ayse', 'ayse-password')
    master = connectClient(wsOf(relay), 'ankara', ayse)
    month = connectClient(wsOf(relay), MONTH, ayse)
    await Promise.all([master.synced(), month.synced()])
  })

  afterAll(async () => {
    for (const c of [master, month]) c?.destroy()
    await relay?.close()
    data.remove()
  })

  it('counts the records in the status straight after the edits, rendering what it must', async () => {
    const employee = insertRecord(master.doc, 'employees', 'ankara', { full_name: 'Ayşe Yılmaz' }, { user: 'ayse' })
    await durable(master)
    const lookup = (table: Parameters<typeof readRecord>[1], id: string): ReturnType<typeof readRecord> => readRecord(master.doc, table, id)
    for (const day of [2, 3, 4]) insertRecord(month.doc, 'timesheets', 'ankara', { employee_id: employee, ...shift(day) }, { user: 'ayse' }, lookup)
    await durable(month)
    expect(metric(await metrics(), 'rainstaff_renderings_behind')).toBe(2)

    const ankara = (await status(relay, admin)).ankara!
    expect(ankara).toMatchObject({ documents: 2, loadedDocuments: 2, connections: 2, malformed: 0 })
    expect(ankara.counts).toMatchObject({ employees: 1, timesheets: 3 })
    expect(metric(await metrics(), 'rainstaff_renderings_behind')).toBe(0)
    expect(metric(await metrics(), 'rainstaff_region_records', 'ankara')).toBe(4)
  })

  it('renders a month as it unloads, then reports and exports it without loading it again', async () => {
    const employee = readRecord(master.doc, 'employees', [...master.doc.getMap('employees').keys()][0]!)!
    const lookup = (table: Parameters<typeof readRecord>[1], id: string): ReturnType<typeof readRecord> => readRecord(master.doc, table, id)
    insertRecord(month.doc, 'timesheets', 'ankara', { employee_id: String(employee.id), ...shift(5) }, { user: 'ayse' }, lookup)
    await durable(month)
    expect(metric(await metrics(), 'rainstaff_renderings_behind')).toBe(1)
    month.destroy()
    await metricReaches(relay, 'rainstaff_documents_loaded', 'ankara', 1)
    // Rendered on the way out, not by a reader: nobody has asked since the edit.
    await metricReaches(relay, 'rainstaff_renderings_behind', undefined, 0)

    const ankara = (await status(relay, admin)).ankara!
    expect(ankara).toMatchObject({ documents: 2, loadedDocuments: 1, connections: 1 })
    expect(ankara.counts).toMatchObject({ employees: 1, timesheets: 4 })
    expect(await exported(relay, admin, 'ankara', data.dir, 'SELECT work_date FROM timesheets ORDER BY work_date')).toEqual(
      [2, 3, 4, 5].map((day) => ({ work_date: `2026-11-0${day}` })),
    )
    const { rendering } = await renderingOf(relay, admin, MONTH)
    expect(rendering.records.filter((r) => r.table === 'timesheets')).toHaveLength(4)
    expect(metric(await metrics(), 'rainstaff_documents_loaded', 'ankara')).toBe(1)
  })
})

describe('renderings under a steady stream of edits', () => {
  const data = tempDir('rainstaff-renderings-stream-')
  let relay: Relay
  let writer: TestClient

  beforeAll(async () => {
    await seedUsers(data.dir, [...USERS])
    relay = await startRelay({ dataDir: data.dir, port: 0, host: '127.0.0.1', log: () => {}, metricsToken: METRICS_TOKEN, renderDelayMs: 200, renderMaxDelayMs: 500 })
    writer = connectClient(wsOf(relay), 'ankara', await tokenFor(relay, 'ayse', 'ayse-password'))
    await writer.synced()
  })

  afterAll(async () => {
    writer?.destroy()
    await relay?.close()
    data.remove()
  })

  it('renders at most every renderMaxDelayMs while edits go on, and once more when they stop', async () => {
    const renders = async (): Promise<number> => metric(await metricsText(relay), 'rainstaff_renderings_total')
    const before = await renders()
    const started = Date.now()
    let during = before
    // Edits closer together than the render delay, for at least three max delays.
    for (let i = 0; i < 40 || Date.now() - started < 1500; i++) {
      putSetting(writer.doc, 'ankara', 'ayse', 'counter', String(i))
      await new Promise((r) => setTimeout(r, 40))
      during = await renders()
    }
    const elapsed = Date.now() - started
    expect(during - before).toBeGreaterThanOrEqual(1)
    expect(during - before).toBeLessThanOrEqual(Math.ceil(elapsed / 500) + 1)
    await durable(writer)
    await metricReaches(relay, 'rainstaff_renderings_behind', undefined, 0)
  })
})

describe('a relay killed between a commit and its render', () => {
  const data = tempDir('rainstaff-renderings-kill-')
  let relay: RelayProcess | undefined
  let admin: string
  let ayse: string
  let employee: string
  const clients: TestClient[] = []

  beforeAll(async () => {
    await seedUsers(data.dir, [...USERS])
    relay = await spawnRelay(data.dir, ['--render-delay-ms', '600000'])
    ayse = await tokenFor(relay, 'ayse', 'ayse-password')
    const master = connectClient(relay, 'ankara', ayse)
    const month = connectClient(relay, MONTH, ayse)
    clients.push(master, month)
    await Promise.all([master.synced(), month.synced()])
    employee = insertRecord(master.doc, 'employees', 'ankara', { full_name: 'Can Öztürk' }, { user: 'ayse' })
    await durable(master)
    insertRecord(month.doc, 'timesheets', 'ankara', { employee_id: employee, ...shift(9) }, { user: 'ayse' }, (t, id) => readRecord(master.doc, t, id))
    await durable(month)
    for (const c of clients.splice(0)) c.destroy()
    expect(await relay.stop('SIGKILL')).toBeNull()
  })

  afterAll(async () => {
    for (const c of clients) c.destroy()
    await relay?.stop()
    data.remove()
  })

  it('left renderings older than their documents, and serves them current after the restart', async () => {
    const store = openStore(data.dir)
    let version: number | null
    try {
      version = store.documentVersion(MONTH)
      expect(version).not.toBeNull()
      expect(store.renderings.summary(MONTH)?.version ?? -1).toBeLessThan(version!)
      expect(store.renderings.summary('ankara')?.version ?? -1).toBeLessThan(store.documentVersion('ankara')!)
    } finally {
      store.close()
    }

    relay = await spawnRelay(data.dir)
    admin = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
    // The start renders what it finds behind, with nobody asking.
    await metricReaches(relay, 'rainstaff_renderings_behind', undefined, 0)
    expect((await status(relay, admin)).ankara?.counts).toMatchObject({ employees: 1, timesheets: 1 })
    const served = await renderingOf(relay, admin, MONTH)
    expect(served.version).toBe(String(version))
    expect(served.rendering.records).toHaveLength(1)
    expect(served.rendering.records[0]).toMatchObject({ table: 'timesheets', deleted: null })
  })

  it('answers /api/renderings with the version as ETag, 304, gzip on request, 401 and 404', async () => {
    const running = relay!
    const documents = (await (await fetch(`${running.url}/api/documents`, { headers: { authorization: `Bearer ${ayse}` } })).json()) as {
      documents: Record<string, string[]>
      versions: Record<string, string>
    }
    expect(documents.documents.ankara).toEqual(['ankara', MONTH])
    expect(Object.keys(documents.versions).sort()).toEqual(['ankara', MONTH])
    // Every signed-in user reads every region.
    const mehmet = await tokenFor(running, 'mehmet', 'mehmet-password')
    const first = await renderingOf(running, mehmet, MONTH)
    expect(first.version).toBe(documents.versions[MONTH])
    expect(first.rendering.records[0]?.row).toContain(employee)

    const auth = { authorization: `Bearer ${mehmet}` }
    const plain = await rawGet(running.port, `/api/renderings/${MONTH}`, auth)
    expect(plain.status).toBe(200)
    expect(plain.headers['content-type']).toBe('application/json')
    expect(plain.headers.etag).toBe(`"${first.version}"`)
    expect(plain.headers['content-encoding']).toBeUndefined()
    const zipped = await rawGet(running.port, `/api/renderings/${MONTH}`, { ...auth, 'accept-encoding': 'gzip' })
    expect(zipped.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(zipped.body)).toEqual(plain.body)
    const unchanged = await rawGet(running.port, `/api/renderings/${MONTH}`, { ...auth, 'if-none-match': `"${first.version}"` })
    expect(unchanged.status).toBe(304)
    expect(unchanged.body).toHaveLength(0)

    // An edit moves the version on: the old ETag no longer matches.
    const master = connectClient(running, 'ankara', ayse)
    const month = connectClient(running, MONTH, ayse)
    clients.push(master, month)
    await Promise.all([master.synced(), month.synced()])
    insertRecord(month.doc, 'timesheets', 'ankara', { employee_id: employee, ...shift(10) }, { user: 'ayse' }, (t, id) => readRecord(master.doc, t, id))
    await durable(month)
    const changed = await rawGet(running.port, `/api/renderings/${MONTH}`, { ...auth, 'if-none-match': `"${first.version}"` })
    expect(changed.status).toBe(200)
    expect(Number(changed.headers['x-rainstaff-version'])).toBeGreaterThan(Number(first.version))
    expect(decodeRendering(changed.body, MONTH).records).toHaveLength(2)

    // A month nothing was written to is empty at version 0.
    const empty = await renderingOf(running, mehmet, 'izmir/2031-01')
    expect(empty).toMatchObject({ version: '0', rendering: { document: 'izmir/2031-01', records: [] } })

    expect((await rawGet(running.port, `/api/renderings/${MONTH}`, {})).status).toBe(401)
    for (const bad of ['../x', 'ankara/2026-13', 'nowhere/2026-01', 'ankara/2026-1', 'ankara@round1', 'ankara/', '%2e%2e/secret', 'ankara%2F2026-11']) {
      const res = await rawGet(running.port, `/api/renderings/${bad}`, auth)
      expect(res.status, bad).toBe(404)
      const body = JSON.parse(res.body.toString('utf8')) as { tr?: string; en?: string }
      expect(body.tr && body.en, bad).toBeTruthy()
    }
  })
})

describe('malformed items stored before the guard', () => {
  const data = tempDir('rainstaff-renderings-malformed-')
  let relay: Relay
  let expectedMalformed = 0

  beforeAll(async () => {
    await seedUsers(data.dir, [...USERS])
    const master = createRegionDoc()
    const e1 = insertRecord(master, 'employees', 'ankara', { full_name: 'Ayşe Yılmaz' }, { user: 'ayse' })
    insertRecord(master, 'employees', 'ankara', { full_name: 'Can Öztürk' }, { user: 'ayse' })
    const january = createRegionDoc()
    insertRecord(january, 'timesheets', 'ankara', { employee_id: e1, ...shift(3), work_date: '2026-01-03' }, { user: 'ayse' }, (t, id) => readRecord(master, t, id))
    // A stock Yjs editor's writes, which the guard refuses today but an old store may hold.
    const editor = new Y.Doc()
    Y.applyUpdate(editor, Y.encodeStateAsUpdate(master))
    editor.getMap('employees').set('x', 'oops')
    ;(editor.getMap('employees').get(e1) as Y.Map<unknown>).set('title', { evil: true })
    editor.getText('notlar').insert(0, 'merhaba')
    Y.applyUpdate(master, Y.encodeStateAsUpdate(editor))
    const monthEditor = new Y.Doc()
    Y.applyUpdate(monthEditor, Y.encodeStateAsUpdate(january))
    monthEditor.getMap('timesheets').set('bogus', 17)
    Y.applyUpdate(january, Y.encodeStateAsUpdate(monthEditor))
    expectedMalformed = malformedItems(master).length + malformedItems(january).length
    const store = openStore(data.dir)
    try {
      store.appendUpdates([
        { region: 'ankara', data: Y.encodeStateAsUpdate(master), username: 'ayse', at: Date.now() },
        { region: 'ankara/2026-01', data: Y.encodeStateAsUpdate(january), username: 'ayse', at: Date.now() },
      ])
    } finally {
      store.close()
    }
    relay = await startRelay({ dataDir: data.dir, port: 0, host: '127.0.0.1', log: () => {} })
  })

  afterAll(async () => {
    await relay?.close()
    data.remove()
  })

  it('are counted in the status and skipped by the rendering and the export', async () => {
    expect(expectedMalformed).toBe(4)
    const admin = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
    const ankara = (await status(relay, admin)).ankara!
    expect(ankara).toMatchObject({ malformed: 4, documents: 2, counts: { employees: 2, timesheets: 1 } })
    const { rendering } = await renderingOf(relay, admin, 'ankara')
    expect(rendering.records.map((r) => r.table)).toEqual(['employees', 'employees'])
    expect(await exported(relay, admin, 'all', data.dir, 'SELECT full_name, title FROM employees ORDER BY full_name')).toEqual([
      { full_name: 'Ayşe Yılmaz', title: null },
      { full_name: 'Can Öztürk', title: null },
    ])
  })
})
