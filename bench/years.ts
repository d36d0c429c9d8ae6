/**
 * Five years of four offices on one relay: 4 regions × 60 month documents (50 employees, their
 * timesheets every working day) plus each master, served to an admin, an editor per region and
 * 100 idle clients. Measures the relay process's RSS (the budget is 450 MiB) while it renders the
 * stored documents for the first time, while it serves the clients, the status, the five-year
 * `all` export and every document's rendering; and, for scale, what holding every document as a
 * Y.Doc would take (one month's heap, measured here, times the documents).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as decoding from 'lib0/decoding'
import { WebSocket } from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { clientProtocols, MESSAGE_DURABLE } from '../crdt/protocol.ts'
import { readRecord } from '../crdt/records.ts'
import { createRegionDoc, insertRecord, updateRecord } from '../crdt/regionDoc.ts'
import { openStore } from '../relay/store.ts'
import { addUser } from '../relay/users.ts'
import { currentPeriod, documentName, shiftPeriod } from '../schema/periods.ts'
import type { BenchSection } from './index.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const REGIONS = ['ankara', 'istanbul', 'bursa', 'izmir']
const MONTHS = 60
const EMPLOYEES = 50
const WORKDAYS = 21
const IDLE_CLIENTS = 100
const BUDGET_MIB = 450
const PASSWORD = 'bench-password'
const METRICS_TOKEN = 'bench-metrics-token-0123456789'
const MiB = (n: number): string => (n / 1024 / 1024).toFixed(1)

/** One month's timesheets of a region: every employee, every working day. */
function monthDoc(region: string, period: string, employees: readonly string[], master: Y.Doc): Y.Doc {
  const doc = createRegionDoc()
  const lookup = (table: Parameters<typeof readRecord>[1], id: string): ReturnType<typeof readRecord> => readRecord(master, table, id)
  doc.transact(() => {
    for (let day = 1; day <= WORKDAYS; day++) {
      const work_date = `${period}-${String(day).padStart(2, '0')}`
      for (const employee_id of employees) {
        insertRecord(doc, 'timesheets', region, { employee_id, work_date, start_time: '08:00', end_time: '17:30', break_minutes: 60, is_special: 0, notes: 'mesai' }, { user: `ed-${region}` }, lookup)
      }
    }
  })
  return doc
}

/** The data directory: users, and every region's master and months stored as snapshots. */
async function generate(dataDir: string, months: readonly string[]): Promise<{ documents: number; records: number; monthHeap: number }> {
  const store = openStore(dataDir)
  let documents = 0
  let records = 0
  let monthHeap = 0
  try {
    await addUser(store, { username: 'admin', role: 'admin', password: PASSWORD })
    for (const region of REGIONS) await addUser(store, { username: `ed-${region}`, role: 'editor', region, password: PASSWORD })
    const write = (name: string, doc: Y.Doc): void => {
      const [seq] = store.appendUpdates([{ region: name, data: Y.encodeStateAsUpdate(doc), username: 'bench', at: Date.now() }])
      store.writeSnapshot(name, Y.encodeStateAsUpdate(doc), seq ?? 0)
      documents++
    }
    for (const region of REGIONS) {
      const master = createRegionDoc()
      const employees = Array.from({ length: EMPLOYEES }, (_, i) =>
        insertRecord(master, 'employees', region, { full_name: `Çalışan ${region} ${i}`, title: 'Usta' }, { user: `ed-${region}` }),
      )
      for (let i = 0; i < 10; i++) insertRecord(master, 'vehicles', region, { plate: `${region.slice(0, 2).toUpperCase()} ${100 + i}`, km: 1000 * i }, { user: `ed-${region}` })
      write(region, master)
      records += EMPLOYEES + 10
      for (const period of months) {
        global.gc?.()
        const heapBefore = process.memoryUsage().heapUsed
        const doc = monthDoc(region, period, employees, master)
        // Applied to a fresh doc, as the relay would hold it after loading.
        const loaded = createRegionDoc()
        Y.applyUpdate(loaded, Y.encodeStateAsUpdate(doc))
        doc.destroy()
        global.gc?.()
        monthHeap = Math.max(monthHeap, process.memoryUsage().heapUsed - heapBefore)
        write(documentName(region, period), loaded)
        loaded.destroy()
        records += EMPLOYEES * WORKDAYS
      }
      master.destroy()
    }
  } finally {
    store.close()
  }
  return { documents, records, monthHeap }
}

function rssOf(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024
}

/** Starts the peak (VmHWM) over from the present RSS, so each phase has its own. */
function resetPeak(pid: number | undefined): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5')
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('benchmark timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

function startRelay(dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin/rainstaff'), 'relay', '--port', '0', '--host', '127.0.0.1', '--data', dataDir, '--max-connections-per-account', '100000'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RAINSTAFF_METRICS_TOKEN: METRICS_TOKEN } },
  )
  return new Promise((resolve, reject) => {
    let output = ''
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString()
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)
      if (m?.[1]) resolve({ child, port: Number(m[1]) })
    })
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
    child.on('exit', (code) => reject(new Error(`relay exited ${code}: ${output}`)))
  })
}

interface Client {
  readonly doc: Y.Doc
  readonly provider: WebsocketProvider
  durable(): number
}

function connect(port: number, name: string, token: string): Client {
  const doc = new Y.Doc({ gc: false })
  let durable = 0
  const provider = new WebsocketProvider(`ws://127.0.0.1:${port}/sync`, name, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    protocols: clientProtocols(token),
    disableBc: true,
  })
  provider.messageHandlers[MESSAGE_DURABLE] = (_encoder, decoder) => {
    durable = Y.decodeStateVector(decoding.readVarUint8Array(decoder)).get(doc.clientID) ?? durable
  }
  return { doc, provider, durable: () => durable }
}

export async function run(): Promise<BenchSection> {
  process.setMaxListeners(1000)
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rainstaff-bench-years-'))
  const now = currentPeriod()
  const months = Array.from({ length: MONTHS }, (_, i) => shiftPeriod(now, i - MONTHS + 1))
  const clients: Client[] = []
  let relay: { child: ChildProcess; port: number } | undefined
  try {
    const generated = await generate(dir, months)
    const storeBytes = statSync(path.join(dir, 'rainstaff.sqlite3')).size
    relay = await startRelay(dir)
    const { port, child } = relay
    const pid = child.pid
    const http = `http://127.0.0.1:${port}`
    const metric = async (name: string): Promise<number> => {
      const text = await (await fetch(`${http}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text()
      return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN)
    }
    const token = async (user: string): Promise<string> =>
      ((await (await fetch(`${http}/api/login`, { method: 'POST', body: JSON.stringify({ username: user, password: PASSWORD }) })).json()) as { token: string }).token

    // A data directory from before renderings: the start renders every document once.
    const catchUpStarted = performance.now()
    await until(async () => (await metric('rainstaff_renderings_behind')) === 0)
    const catchUpMs = performance.now() - catchUpStarted
    const catchUpPeak = rssOf(pid, 'VmHWM')
    resetPeak(pid)

    const admin = await token('admin')
    const working = [shiftPeriod(now, -1), now]
    const editors: Array<{ region: string; month: Client }> = []
    for (const region of REGIONS) {
      clients.push(connect(port, region, admin), ...working.map((p) => connect(port, documentName(region, p), admin)))
      const editor = await token(`ed-${region}`)
      const opened = [region, ...working.map((p) => documentName(region, p))].map((name) => connect(port, name, editor))
      clients.push(...opened)
      editors.push({ region, month: opened[2]! })
    }
    for (let i = 0; i < IDLE_CLIENTS; i++) clients.push(connect(port, REGIONS[i % REGIONS.length] ?? 'ankara', admin))
    await until(() => clients.every((c) => c.provider.synced))
    // Each editor corrects 50 timesheets of this month.
    for (const { region, month } of editors) {
      const ids = [...month.doc.getMap('timesheets').keys()].slice(0, 50)
      for (const id of ids) updateRecord(month.doc, 'timesheets', id, { end_time: '18:00' }, { user: `ed-${region}` })
    }
    await until(() => editors.every(({ month }) => month.durable() >= Y.getState(month.doc.store, month.doc.clientID)))
    const servingRss = rssOf(pid, 'VmRSS')

    const adminAuth = { authorization: `Bearer ${admin}` }
    let started = performance.now()
    const status = (await (await fetch(`${http}/api/status`, { headers: adminAuth })).json()) as { regions: Array<{ counts: Record<string, number> }> }
    const statusMs = performance.now() - started
    const statusRecords = status.regions.reduce((n, r) => n + Object.values(r.counts).reduce((a, b) => a + b, 0), 0)
    started = performance.now()
    const exported = new Uint8Array(await (await fetch(`${http}/api/export/all.sqlite`, { headers: adminAuth })).arrayBuffer())
    const exportMs = performance.now() - started
    const documents = ((await (await fetch(`${http}/api/documents`, { headers: adminAuth })).json()) as { documents: Record<string, string[]> }).documents
    const names = Object.values(documents).flat()
    started = performance.now()
    let renderingBytes = 0
    for (const name of names) renderingBytes += (await (await fetch(`${http}/api/renderings/${name}`, { headers: adminAuth })).arrayBuffer()).byteLength
    const renderingsMs = performance.now() - started
    const servingPeak = rssOf(pid, 'VmHWM')
    const renders = await metric('rainstaff_renderings_total')

    const within = (bytes: number): string => `${MiB(bytes)} MiB ${bytes <= BUDGET_MIB * 1024 * 1024 ? '≤' : '>'} ${BUDGET_MIB}`
    return {
      title: 'Five years on one relay',
      lines: [
        `${REGIONS.length} regions × ${MONTHS} months (${EMPLOYEES} employees, timesheets on ${WORKDAYS} days a month) and each master: ` +
          `${generated.documents} documents, ${generated.records.toLocaleString('en')} records, store ${MiB(storeBytes)} MiB. Served to an admin and an editor per region ` +
          `(each with the master and two working months open), ${IDLE_CLIENTS} idle clients on the masters; each editor corrects 50 timesheets.`,
        '',
        '| measure | value | target |',
        '|---|---|---|',
        `| relay peak RSS, first start rendering every document (${(catchUpMs / 1000).toFixed(1)} s) | ${within(catchUpPeak)} | ≤ ${BUDGET_MIB} MiB |`,
        `| relay RSS serving ${clients.length} connections after the edits | ${within(servingRss)} | ≤ ${BUDGET_MIB} MiB |`,
        `| relay peak RSS over status, the all export and every rendering | ${within(servingPeak)} | ≤ ${BUDGET_MIB} MiB |`,
        `| /api/status over ${names.length} documents (${statusRecords.toLocaleString('en')} records) | ${statusMs.toFixed(0)} ms | |`,
        `| /api/export/all.sqlite | ${MiB(exported.byteLength)} MiB in ${(exportMs / 1000).toFixed(1)} s | |`,
        `| every document's rendering, one after another (JSON, sent gzip) | ${MiB(renderingBytes)} MiB in ${(renderingsMs / 1000).toFixed(1)} s | |`,
        `| for scale: one month as a loaded Y.Doc × ${generated.documents} documents | ${MiB(generated.monthHeap)} MiB × ${generated.documents} ≈ ${MiB(generated.monthHeap * generated.documents)} MiB | |`,
        '',
        `Renders made by the relay in this run: ${renders}. The reports read stored renderings (relay/renderings.ts); the export is written to a temporary file one document at a time on the render worker and streamed.`,
      ],
    }
  } finally {
    for (const c of clients) {
      c.provider.destroy()
      c.doc.destroy()
    }
    if (relay !== undefined) {
      const { child } = relay
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      })
    }
    rmSync(dir, { recursive: true, force: true })
  }
}
