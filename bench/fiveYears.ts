/**
 * Five years of history against one month (issue 12): four regions with 60 employees each, one
 * data set holding 60 months of timesheets (about 75,000 per region) ending this month, the other
 * only this month. The same run measures both on the same machine:
 * - the relay's memory (a child process: VmRSS, VmHWM) with the admin, an editor per region making
 *   edits and 100 idle office PCs connected, then after `GET /api/status` and an export;
 * - a CLI peer's cold start to its first `sql` answer, on a device synced earlier;
 * - opening a month three years back, from the relay and again from the device's cache;
 * - a 12-month puantaj report for one region, from the relay and again from the cache.
 * RAINSTAFF_BENCH_YEARS_SCALE=0.1 makes the history 6 months instead of 60, for development.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { followDocuments } from '../client/followDocuments.ts'
import { buildReport } from '../client/report.ts'
import { reportCsv } from '../client/reportCsv.ts'
import { openMirror } from '../crdt/mirror.ts'
import { currentPeriod, documentName, shiftPeriod, type Period } from '../schema/periods.ts'
import type { BenchSection } from './index.ts'
import { countKey, EMPLOYEES, editorOf, generateYears, IDLE_PER_ACCOUNT, idleOf, REGIONS, type GeneratedData } from './yearsData.ts'
import { coldQuery, documentSynced, idleClient, liveTimesheets, offlinePeer, signedInPeer, spawnRelay, tokenFor, type IdleClient, type Memory, type Peer, type RelayChild } from './yearsPeers.ts'
import { table, type CaseFigures } from './yearsTable.ts'

const SCALE = Number(process.env.RAINSTAFF_BENCH_YEARS_SCALE ?? '1')
const HISTORY = Math.max(4, Math.round(60 * (Number.isFinite(SCALE) && SCALE > 0 ? SCALE : 1)))
/** How far back the old month is: three years, or as far as a small history goes. */
const BACK = Math.min(36, HISTORY - 1)
const IDLE = IDLE_PER_ACCOUNT * REGIONS.length
/** Timesheets each editor enters while everyone is connected, and how many of them they correct. */
const EDITS = 20
const CORRECTIONS = 5
const REPEATS = 3
const COLD_QUERY = 'SELECT count(*) AS n FROM timesheets'
const REPORT_REGION = 'ankara'
const NOW = currentPeriod()
const REPORT_MONTHS = Array.from({ length: 12 }, (_, i) => shiftPeriod(NOW, i - 11))
/**
 * The peer that opens an old month keeps a clock three months on, so the month it opens is none
 * of its working months in either data set (the one-month set has no other month to open).
 */
const AHEAD = (): Date => {
  const d = new Date()
  return new Date(d.getFullYear(), d.getMonth() + 3, 15)
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN
const log = (line: string): void => void process.stdout.write(`  ${line}\n`)

async function until(check: () => boolean, what: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`)
    await sleep(5)
  }
}

function expect(actual: number, expected: number, what: string): void {
  if (actual !== expected) throw new Error(`bench: ${what}: ${actual}, expected ${expected}`)
}

interface Case {
  readonly label: string
  readonly dir: string
  readonly data: GeneratedData
  /** The month the old-month peer opens. */
  readonly oldMonth: Period
  /** Timesheets each editor added while connected, by region. */
  readonly added: Map<string, number>
  readonly figures: CaseFigures
}

const live = (c: Case, region: string, period: Period): number => (c.data.timesheets.get(countKey(region, period)) ?? 0) + (period === NOW ? (c.added.get(region) ?? 0) : 0)

/** Opens the old month; resolves when it is synced (online) or read from the device (offline). */
async function openOldMonth(peer: Peer, c: Case, online: boolean): Promise<number> {
  const name = documentName(REPORT_REGION, c.oldMonth)
  const started = performance.now()
  await peer.engine.openPeriod(REPORT_REGION, c.oldMonth)
  if (online) await documentSynced(peer.engine, name)
  const ms = performance.now() - started
  expect(liveTimesheets(peer.engine.doc(name)), live(c, REPORT_REGION, c.oldMonth), `${c.label}: ${name} timesheets`)
  return ms
}

/** The puantaj reports of the last 12 months of one region, as `rainstaff report` builds each (CSV). */
async function yearReport(peer: Peer, c: Case, online: boolean): Promise<number> {
  const started = performance.now()
  for (const month of REPORT_MONTHS) await peer.engine.openPeriod(REPORT_REGION, month)
  if (online) await peer.engine.whenSynced(300_000)
  const mirror = await openMirror()
  let rows = 0
  try {
    const stop = followDocuments(peer.engine, (name, doc) => mirror.attach(name, doc))
    for (const month of REPORT_MONTHS) {
      const report = buildReport(mirror, { month, regions: [REPORT_REGION] })
      reportCsv(report)
      rows += report.rows.length + report.skipped.length
    }
    stop()
  } finally {
    mirror.close()
  }
  const ms = performance.now() - started
  expect(rows, REPORT_MONTHS.reduce((n, m) => n + live(c, REPORT_REGION, m), 0), `${c.label}: report rows`)
  return ms
}

/** Each editor enters timesheets for this month and corrects some, until all is on the relay. */
async function edit(editors: ReadonlyMap<string, Peer>, c: Case): Promise<string[]> {
  const last: string[] = []
  for (const [region, peer] of editors) {
    const employees = c.data.employees.get(region) ?? []
    const ids: string[] = []
    for (let i = 0; i < EDITS; i++) {
      const day = `${NOW}-${String((i % 28) + 1).padStart(2, '0')}`
      ids.push(peer.engine.insert('timesheets', { employee_id: employees[i % EMPLOYEES] ?? '', work_date: day, start_time: '07:00', end_time: '15:00', break_minutes: 30, is_special: 0 }))
    }
    for (const id of ids.slice(0, CORRECTIONS)) peer.engine.update('timesheets', id, { end_time: '16:00' })
    c.added.set(region, EDITS)
    last.push(ids.at(-1) ?? '')
  }
  await Promise.all([...editors.values()].map((p) => p.engine.whenSynced(300_000)))
  return last
}

async function adminGet(url: string, token: string, what: string): Promise<{ ms: number; body: Uint8Array }> {
  const started = performance.now()
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
  const body = new Uint8Array(await res.arrayBuffer())
  if (res.status !== 200) throw new Error(`bench: ${what} answered ${res.status}`)
  return { ms: performance.now() - started, body }
}

/** Open connections the relay counts in its status answer, over every region. */
function statusConnections(body: Uint8Array): number {
  const status = JSON.parse(new TextDecoder().decode(body)) as { regions?: Array<{ connections?: unknown }> }
  return (status.regions ?? []).reduce((n, r) => n + Number(r.connections), 0)
}

/**
 * The admin's two calls that read every document today. A relay that fails them (runs out of
 * memory, say) is a result, not the end of the run: it is reported and the rounds go on.
 */
async function adminCalls(relay: RelayChild, c: Case, figures: CaseFigures): Promise<void> {
  try {
    const token = await tokenFor(relay.url, 'admin')
    const status = await adminGet(`${relay.url}/api/status`, token, '/api/status')
    figures.status = { ms: status.ms, bytes: status.body.byteLength }
    figures.connections = statusConnections(status.body)
    figures.afterStatus = relay.memory()
    const exported = await adminGet(`${relay.url}/api/export/all.sqlite`, token, 'the export')
    figures.exportAll = { ms: exported.ms, bytes: exported.body.byteLength }
    figures.afterExport = relay.memory()
    log(`${c.label}: status ${status.ms.toFixed(0)} ms, export ${exported.ms.toFixed(0)} ms, relay RSS ${(figures.afterExport.rss / 2 ** 20).toFixed(0)} MiB`)
  } catch (error) {
    figures.problems.push(`the admin's status or export call failed: ${error instanceof Error ? error.message : String(error)}`)
    log(`${c.label}: ${figures.problems.at(-1) ?? ''}`)
  }
}

/**
 * The relay's memory and the admin endpoints, with everyone connected. The admin's device from
 * here is the one the cold start opens later.
 */
async function connected(c: Case): Promise<void> {
  const { figures } = c
  const relay = await spawnRelay(path.join(c.dir, 'relay'))
  const peers: Peer[] = []
  const idle: IdleClient[] = []
  try {
    figures.started = relay.memory()
    const admin = await signedInPeer(relay.url, path.join(c.dir, 'admin'), 'admin')
    peers.push(admin)
    const editors = new Map<string, Peer>()
    for (const region of REGIONS) {
      const peer = await signedInPeer(relay.url, path.join(c.dir, editorOf(region)), editorOf(region))
      editors.set(region, peer)
      peers.push(peer)
    }
    await Promise.all(peers.map((p) => p.engine.whenSynced(300_000)))
    const lastIds = await edit(editors, c)
    for (const region of REGIONS) {
      const token = await tokenFor(relay.url, idleOf(region))
      for (let i = 0; i < IDLE_PER_ACCOUNT; i++) idle.push(idleClient(relay.wsUrl, region, token))
    }
    await Promise.all(idle.map((client) => client.synced))
    await until(() => REGIONS.every((region, i) => admin.engine.record('timesheets', lastIds[i] ?? '', region) !== undefined), 'the admin to see the edits')
    // Nothing moves for a while: what is left resident is what the relay holds for its clients.
    await sleep(3000)
    figures.connected = relay.memory()
    log(`${c.label}: ${peers.length} peers and ${idle.length} idle PCs connected, relay RSS ${(figures.connected.rss / 2 ** 20).toFixed(0)} MiB`)
    await adminCalls(relay, c, figures)
  } finally {
    try {
      for (const client of idle) client.close()
      for (const peer of peers) await peer.close()
    } finally {
      await relay.stop()
    }
  }
}

/** The admin's device after its session: master data, this month and last month of every region. */
function adminRows(c: Case): number {
  return REGIONS.reduce((n, region) => n + live(c, region, NOW) + live(c, region, shiftPeriod(NOW, -1)), 0)
}

/**
 * One round for a data set: a relay started afresh (nothing of it loaded but the master documents),
 * new devices opening the old month and the 12-month report from it; then, with the relay
 * stopped, the cold start on the admin's device and the same two again from the devices' caches.
 */
async function round(c: Case, tag: string, f: CaseFigures = c.figures): Promise<void> {
  const oldDir = path.join(c.dir, `old-month-${tag}`)
  const reportDir = path.join(c.dir, `report-${tag}`)
  const relay = await spawnRelay(path.join(c.dir, 'relay'))
  try {
    f.relayStart.push(relay.startMs)
    const oldPeer = await signedInPeer(relay.url, oldDir, editorOf(REPORT_REGION), { regions: [REPORT_REGION], now: AHEAD })
    try {
      await oldPeer.engine.whenSynced(300_000)
      f.openFresh.push(await openOldMonth(oldPeer, c, true))
    } finally {
      await oldPeer.close()
    }
    const reportPeer = await signedInPeer(relay.url, reportDir, editorOf(REPORT_REGION), { regions: [REPORT_REGION] })
    try {
      await reportPeer.engine.whenSynced(300_000)
      f.reportFresh.push(await yearReport(reportPeer, c, true))
    } finally {
      await reportPeer.close()
    }
  } finally {
    await relay.stop()
  }
  const cold = await coldQuery(path.join(c.dir, 'admin'), COLD_QUERY)
  expect(Number((cold.rows[0] as { n?: unknown } | undefined)?.n), adminRows(c), `${c.label}: cold query count`)
  f.coldProcess.push(cold.processMs)
  f.coldOpen.push(cold.openMs)
  const oldPeer = await offlinePeer(oldDir, { regions: [REPORT_REGION], now: AHEAD })
  try {
    f.openCached.push(await openOldMonth(oldPeer, c, false))
  } finally {
    await oldPeer.close()
  }
  const reportPeer = await offlinePeer(reportDir, { regions: [REPORT_REGION] })
  try {
    f.reportCached.push(await yearReport(reportPeer, c, false))
  } finally {
    await reportPeer.close()
  }
}

function emptyFigures(label: string, months: number, timesheets: number): CaseFigures {
  const none: Memory = { rss: NaN, peak: NaN }
  const call = { ms: NaN, bytes: NaN }
  return {
    label,
    months,
    timesheets,
    relayStart: [],
    started: none,
    connected: none,
    afterStatus: none,
    afterExport: none,
    status: call,
    exportAll: call,
    connections: NaN,
    problems: [],
    openFresh: [],
    openCached: [],
    reportFresh: [],
    reportCached: [],
    coldProcess: [],
    coldOpen: [],
  }
}

export async function run(): Promise<BenchSection> {
  // Every y-websocket provider adds a process exit listener: five peers' documents and 100 PCs.
  process.setMaxListeners(1000)
  const root = mkdtempSync(path.join(os.tmpdir(), 'rainstaff-bench-years-'))
  try {
    const cases: Case[] = []
    const history = HISTORY % 12 === 0 ? `${HISTORY / 12} years` : `${HISTORY} months`
    for (const [label, months] of [['1 month', 1], [history, HISTORY]] as const) {
      const dir = path.join(root, months === 1 ? 'month' : 'years')
      const started = performance.now()
      const data = await generateYears(path.join(dir, 'relay'), months, (line) => log(`${label}: ${line}`))
      const total = [...data.timesheets.values()].reduce((a, b) => a + b, 0)
      log(`${label}: ${total.toLocaleString('en-US')} timesheets, ${(data.bytes / 2 ** 20).toFixed(1)} MiB of documents, generated in ${((performance.now() - started) / 1000).toFixed(1)} s`)
      const oldMonth = months === 1 ? NOW : shiftPeriod(NOW, -BACK)
      cases.push({ label, dir, data, oldMonth, added: new Map(), figures: emptyFigures(label, months, total) })
    }
    for (const c of cases) await connected(c)
    // The first start of a device after a session merges the update logs the session appended;
    // once done for both admins, every measured cold start opens the same kind of files.
    for (const c of cases) await coldQuery(path.join(c.dir, 'admin'), COLD_QUERY)
    // A first round thrown away: the first relay start and the first engine, mirror and report in
    // this process pay for compiling (tsx's cache, the JIT), whichever set came first.
    const [first] = cases
    if (first !== undefined) await round(first, 'warm-up', emptyFigures(first.label, 0, 0))
    for (let index = 0; index < REPEATS; index++) {
      log(`round ${index + 1} of ${REPEATS}: relay start, old month and report from the relay, then from the devices`)
      for (const c of cases) await round(c, String(index))
    }
    const [month, years] = cases
    if (month === undefined || years === undefined) throw new Error('bench: two data sets expected')
    return table(month.figures, years.figures, { back: BACK, idle: IDLE, median })
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}
