/**
 * Relay benchmark, against a bare reference relay measured in the same run:
 * - propagation latency p50/p99 from 4 editors (one per region) to 50 subscribers;
 * - sustained update throughput (durable, i.e. acknowledged by message type 100, for Rainstaff);
 * - relay memory per connection and per 10,000-record doc.
 *
 * Both relays run as child processes so this process only measures. The reference is a minimal
 * y-protocols server with no auth, no permission checks and no persistence (this file run with
 * `--bare-relay`): the ratio is the price of authentication, checks and commit-before-fan-out.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { WebSocket, WebSocketServer } from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import { clientProtocols, MESSAGE_DURABLE, MESSAGE_WRITE_REFUSED } from '../crdt/protocol.ts'
import { createRegionDoc, insertRecord } from '../crdt/regionDoc.ts'
import { openStore } from '../relay/store.ts'
import { addUser } from '../relay/users.ts'
import type { BenchSection } from './index.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const REGIONS = ['ankara', 'istanbul', 'bursa', 'izmir']
const SUBSCRIBERS = 50
const PASSWORD = 'bench-password'
const METRICS_TOKEN = 'bench-metrics-token-0123456789'

async function metricsText(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text()
}

interface Target {
  readonly name: string
  readonly child: ChildProcess
  readonly port: number
  readonly serverUrl: string
  /** Subprotocols for a user, or [] for the bare relay. */
  protocols(user: string): string[]
  stop(): Promise<void>
}

function listen(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = ''
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString()
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)
      if (m?.[1]) resolve(Number(m[1]))
    })
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
    child.on('exit', (code) => reject(new Error(`relay exited ${code}: ${output}`)))
  })
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    })
}

async function startRainstaff(name: string, dataDir: string, extraArgs: string[] = []): Promise<Target> {
  const store = openStore(dataDir)
  try {
    await addUser(store, { username: 'admin', role: 'admin', password: PASSWORD })
    for (const region of REGIONS) await addUser(store, { username: `ed-${region}`, role: 'editor', region, password: PASSWORD })
  } finally {
    store.close()
  }
  // The per-connection budget and the per-account connection cap are policies against
  // misbehaving clients, not capacities: they are lifted so they do not cap the measurement
  // (hundreds of connections share the admin's account here).
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin/rainstaff'), 'relay', '--port', '0', '--host', '127.0.0.1', '--data', dataDir, '--rate', '1000000', '--idle-unload-ms', '1000', '--max-connections-per-account', '100000', ...extraArgs],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RAINSTAFF_METRICS_TOKEN: METRICS_TOKEN } },
  )
  const port = await listen(child)
  const tokens = new Map<string, string>()
  for (const user of ['admin', ...REGIONS.map((r) => `ed-${r}`)]) {
    const res = await fetch(`http://127.0.0.1:${port}/api/login`, {
      method: 'POST',
      body: JSON.stringify({ username: user, password: PASSWORD }),
    })
    tokens.set(user, ((await res.json()) as { token: string }).token)
  }
  return {
    name,
    child,
    port,
    serverUrl: `ws://127.0.0.1:${port}/sync`,
    protocols: (user) => clientProtocols(tokens.get(user) ?? ''),
    stop: stopper(child),
  }
}

async function startBare(): Promise<Target> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--bare-relay'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const port = await listen(child)
  return { name: 'bare', child, port, serverUrl: `ws://127.0.0.1:${port}`, protocols: () => [], stop: stopper(child) }
}

/** The reference: y-protocols sync over ws, one doc per room, updates broadcast as they apply. */
function serveBareRelay(): void {
  const rooms = new Map<string, { doc: Y.Doc; conns: Set<WebSocket> }>()
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false })
  const server = createServer((_req, res) => res.end('bare'))
  server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)))
  wss.on('connection', (ws: WebSocket, req: { url?: string }) => {
    const name = (req.url ?? '/').slice(1)
    let room = rooms.get(name)
    if (!room) {
      const doc = new Y.Doc({ gc: false })
      const conns = new Set<WebSocket>()
      doc.on('update', (update: Uint8Array) => {
        const e = encoding.createEncoder()
        encoding.writeVarUint(e, 0)
        syncProtocol.writeUpdate(e, update)
        const message = encoding.toUint8Array(e)
        for (const c of conns) c.send(message)
      })
      room = { doc, conns }
      rooms.set(name, room)
    }
    const { doc, conns } = room
    conns.add(ws)
    ws.on('close', () => conns.delete(ws))
    ws.on('message', (data: Buffer) => {
      const decoder = decoding.createDecoder(new Uint8Array(data))
      if (decoding.readVarUint(decoder) !== 0) return
      const e = encoding.createEncoder()
      encoding.writeVarUint(e, 0)
      syncProtocol.readSyncMessage(decoder, e, doc, ws)
      if (encoding.length(e) > 1) ws.send(encoding.toUint8Array(e))
    })
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, 0)
    syncProtocol.writeSyncStep1(e, doc)
    ws.send(encoding.toUint8Array(e))
  })
  server.listen(0, '127.0.0.1', () => {
    const address = server.address()
    process.stdout.write(`listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`)
  })
  process.on('SIGTERM', () => process.exit(0))
}

interface Client {
  readonly doc: Y.Doc
  readonly provider: WebsocketProvider
  /** Highest durable clock of this client's own id (Rainstaff only). */
  durableClock(): number
}

function connect(target: Target, region: string, user: string): Client {
  const doc = new Y.Doc({ gc: false })
  let durable = 0
  const provider = new WebsocketProvider(target.serverUrl, region, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    protocols: target.protocols(user),
    disableBc: true,
  })
  provider.messageHandlers[MESSAGE_DURABLE] = (_e, decoder) => {
    durable = Y.decodeStateVector(decoding.readVarUint8Array(decoder)).get(doc.clientID) ?? durable
  }
  provider.messageHandlers[MESSAGE_WRITE_REFUSED] = (_e, decoder) => void decoding.readVarString(decoder)
  return { doc, provider, durableClock: () => durable }
}

/** Destroying the doc also stops the provider's awareness timer, which would keep the process alive. */
function close(c: Client): void {
  c.provider.destroy()
  c.doc.destroy()
}

const synced = (c: Client): Promise<void> =>
  c.provider.synced ? Promise.resolve() : new Promise((resolve) => c.provider.once('sync', (s: boolean) => s && resolve()))

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function until(check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('benchmark timed out')
    await new Promise((r) => setTimeout(r, 2))
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN
}

function rssBytes(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024
}

/** 4 editors write at a steady pace; every subscriber of the region times each arrival. */
async function propagation(target: Target): Promise<number[]> {
  const editors = REGIONS.map((r) => connect(target, r, `ed-${r}`))
  const subscribers = Array.from({ length: SUBSCRIBERS }, (_, i) => connect(target, REGIONS[i % REGIONS.length] ?? 'ankara', 'admin'))
  await Promise.all([...editors, ...subscribers].map(synced))
  const sent = new Map<string, number>()
  const latencies: number[] = []
  const WARMUP = 20
  const WRITES = 170
  subscribers.forEach((s, i) => {
    const region = REGIONS[i % REGIONS.length]
    // Each write creates a record (as the app does): its id is the key that arrives.
    s.doc.getMap('employees').observe((event) => {
      const now = performance.now()
      for (const key of event.keysChanged) {
        const t = sent.get(`${region}:${key}`)
        if (t !== undefined && (writeIndex.get(key) ?? 0) >= WARMUP) latencies.push(now - t)
      }
    })
  })
  const writeIndex = new Map<string, number>()
  for (let i = 0; i < WRITES; i++) {
    for (const [r, editor] of editors.entries()) {
      const region = REGIONS[r] ?? 'ankara'
      const started = performance.now()
      const id = insertRecord(editor.doc, 'employees', region, { full_name: `ÇALIŞAN ${i}`, title: 'Operatör' }, { user: `ed-${region}` })
      sent.set(`${region}:${id}`, started)
      writeIndex.set(id, i)
      await sleep(5)
    }
  }
  const expected = (WRITES - WARMUP) * SUBSCRIBERS
  await until(() => latencies.length >= expected)
  for (const c of [...editors, ...subscribers]) close(c)
  return latencies
}

function summary(latencies: number[]): { p50: number; p99: number; samples: number } {
  const sorted = [...latencies].sort((a, b) => a - b)
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), samples: sorted.length }
}

/**
 * The same edit updateRecord makes (the value, then its stamps, in one transaction), without its
 * validation and read-back: the writers measure the relay, not the editing client.
 */
function editTitle(w: Client, id: string, title: string, user: string): void {
  const record = w.doc.getMap<Y.Map<unknown>>('employees').get(id)
  if (record === undefined) throw new Error(`bench: no record ${id}`)
  w.doc.transact(() => {
    record.set('title', title)
    record.set('updated_at', new Date().toISOString())
    record.set('updated_by', user)
  })
}

/** A T.C. kimlik no that passes the checksum, from nine leading digits (the first not 0). */
function identityNo(nine: number): string {
  const d = String(nine).split('').map(Number)
  const odd = (d[0] ?? 0) + (d[2] ?? 0) + (d[4] ?? 0) + (d[6] ?? 0) + (d[8] ?? 0)
  const even = (d[1] ?? 0) + (d[3] ?? 0) + (d[5] ?? 0) + (d[7] ?? 0)
  const tenth = (((odd * 7 - even) % 10) + 10) % 10
  const eleventh = (d.reduce((a, b) => a + b, 0) + tenth) % 10
  return `${nine}${tenth}${eleventh}`
}

/** Every change this writer made is on the relay's disk. */
const allDurable = (w: Client): boolean => w.durableClock() >= Y.getState(w.doc.store, w.doc.clientID)

/** 8 writers (2 per region) send as fast as they can; one subscriber per region counts arrivals. */
async function throughput(target: Target): Promise<{ relayed: number; durable: number }> {
  const PER_WRITER = 2500
  const writers = [...REGIONS, ...REGIONS].map((r) => connect(target, r, `ed-${r}`))
  const watchers = REGIONS.map((r) => connect(target, r, 'admin'))
  await Promise.all([...writers, ...watchers].map(synced))
  const received = watchers.map(() => 0)
  // One field edit of one record per update, as a clerk's keystroke-to-save makes: the value and
  // its two stamps. The watcher counts the arriving values.
  const ids = writers.map((w, n) => insertRecord(w.doc, 'employees', REGIONS[n % REGIONS.length] ?? 'ankara', { full_name: `YAZAR ${n}` }, { user: `ed-${REGIONS[n % REGIONS.length]}` }))
  await until(() => watchers.every((w, r) => ids.every((id, n) => n % REGIONS.length !== r || w.doc.getMap('employees').has(id))))
  watchers.forEach((w, i) =>
    w.doc.getMap('employees').observeDeep((events) => {
      for (const event of events) if (event.target !== event.currentTarget && (event as Y.YMapEvent<unknown>).keysChanged.has('title')) received[i] = (received[i] ?? 0) + 1
    }),
  )
  const start = performance.now()
  for (let i = 0; i < PER_WRITER; i++) {
    for (const [n, w] of writers.entries()) editTitle(w, ids[n] ?? '', `t${i}`, `ed-${REGIONS[n % REGIONS.length]}`)
    if (i % 25 === 24) await new Promise((r) => setImmediate(r))
  }
  const total = writers.length * PER_WRITER
  let durableAt = NaN
  await until(() => {
    if (Number.isNaN(durableAt) && writers.every(allDurable)) durableAt = performance.now()
    return received.every((n) => n >= (total / REGIONS.length))
  })
  const relayedAt = performance.now()
  if (target.name !== 'bare') await until(() => writers.every(allDurable))
  if (Number.isNaN(durableAt)) durableAt = performance.now()
  for (const c of [...writers, ...watchers]) close(c)
  return { relayed: total / ((relayedAt - start) / 1000), durable: total / ((durableAt - start) / 1000) }
}

/** Relay RSS growth per open, synced connection. */
async function memoryPerConnection(target: Target): Promise<number> {
  const N = 400
  await sleep(300)
  const before = rssBytes(target.child.pid)
  const clients = Array.from({ length: N }, () => connect(target, 'izmir', 'admin'))
  await Promise.all(clients.map(synced))
  await sleep(300)
  const after = rssBytes(target.child.pid)
  for (const c of clients) close(c)
  return (after - before) / N
}

/** Isolated heap cost of a loaded doc (run in a child with --expose-gc). */
function measureDocHeap(file: string): void {
  const gc = (globalThis as { gc?: () => void }).gc
  const bytes = new Uint8Array(readFileSync(file))
  gc?.()
  const before = process.memoryUsage().heapUsed
  const doc = new Y.Doc({ gc: false })
  Y.applyUpdate(doc, bytes)
  gc?.()
  const after = process.memoryUsage().heapUsed
  process.stdout.write(JSON.stringify({ heap: after - before, items: doc.store.clients.size }) + '\n')
}

function docHeapInChild(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--measure-doc', file], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.on('exit', (code) => (code === 0 ? resolve((JSON.parse(out) as { heap: number }).heap) : reject(new Error(`measure-doc exited ${code}`))))
  })
}

/** Uploads a 10,000-record region doc through the relay and reports its sizes. */
async function bigDoc(target: Target, dir: string): Promise<{ encoded: number; heap: number; rss: number; uploadMs: number; reloadMs: number }> {
  const doc = createRegionDoc()
  const author = { user: 'ed-bursa' }
  doc.transact(() => {
    for (let i = 0; i < 10_000; i++) {
      insertRecord(doc, 'employees', 'bursa', { full_name: `ÇALIŞAN ${i}`, department: `Bölüm ${i % 20}`, title: 'Operatör', identity_no: identityNo(100_000_000 + i) }, author)
    }
  })
  const encoded = Y.encodeStateAsUpdate(doc)
  const file = path.join(dir, 'doc10k.bin')
  writeFileSync(file, encoded)
  const heap = await docHeapInChild(file)

  await sleep(300)
  const before = rssBytes(target.child.pid)
  const start = performance.now()
  const uploader = connect(target, 'bursa', 'ed-bursa')
  Y.applyUpdate(uploader.doc, encoded)
  const clock = Y.getState(uploader.doc.store, uploader.doc.clientID)
  await synced(uploader)
  await until(() => uploader.durableClock() >= clock)
  const uploadMs = performance.now() - start
  await sleep(300)
  const rss = rssBytes(target.child.pid) - before
  close(uploader)
  // With no connection left the doc unloads; the next reader's first sync includes the reload.
  const loaded = async (): Promise<boolean> => /^rainstaff_doc_loaded\{region="bursa"\} 1$/m.test(await metricsText(target.port))
  for (let i = 0; i < 500 && (await loaded()); i++) await sleep(20)
  const reloadStart = performance.now()
  const reader = connect(target, 'bursa', 'admin')
  await synced(reader)
  const reloadMs = performance.now() - reloadStart
  close(reader)
  return { encoded: encoded.byteLength, heap, rss, uploadMs, reloadMs }
}

/** Upper bounds (ms) of the histogram buckets holding the p50 and p99 commit times so far. */
async function commitTimes(target: Target): Promise<{ p50: number; p99: number; count: number }> {
  const text = await metricsText(target.port)
  const buckets = [...text.matchAll(/^rainstaff_commit_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)].map((m) => ({
    le: m[1] === '+Inf' ? Infinity : Number(m[1]) * 1000,
    n: Number(m[2]),
  }))
  const count = buckets.at(-1)?.n ?? 0
  const at = (p: number): number => buckets.find((b) => b.n >= (p / 100) * count)?.le ?? NaN
  return { p50: at(50), p99: at(99), count }
}

/** The run with the median durable rate (its relayed rate with it). */
function medianRun(runs: Array<{ relayed: number; durable: number }>): { relayed: number; durable: number } {
  const sorted = [...runs].sort((a, b) => a.durable - b.durable)
  return sorted[Math.floor(sorted.length / 2)] ?? { relayed: NaN, durable: NaN }
}

const ms = (n: number): string => n.toFixed(2)
const ratio = (a: number, b: number): string => (a / b).toFixed(2) + '×'
const MiB = (n: number): string => (n / 1024 / 1024).toFixed(1)

export async function run(): Promise<BenchSection> {
  // Every y-websocket provider adds a process 'exit' listener; this suite holds a few hundred.
  process.setMaxListeners(1000)
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rainstaff-bench-relay-'))
  const full = await startRainstaff('rainstaff', path.join(dir, 'full'))
  const normal = await startRainstaff('rainstaff-normal', path.join(dir, 'normal'), ['--synchronous', 'normal'])
  const unchecked = await startRainstaff('rainstaff-unchecked', path.join(dir, 'unchecked'), ['--no-validation'])
  const bare = await startBare()
  try {
    // Memory first, on fresh processes, before the other runs leave garbage behind.
    const memBare = await memoryPerConnection(bare)
    const memRs = await memoryPerConnection(full)
    // Interleaved rounds so machine and disk noise hit every relay alike.
    const pooled = new Map<string, number[]>([[bare.name, []], [full.name, []], [normal.name, []], [unchecked.name, []]])
    for (let round = 0; round < 2; round++) {
      for (const target of [bare, full, normal, unchecked]) pooled.get(target.name)?.push(...(await propagation(target)))
    }
    const latBare = summary(pooled.get(bare.name) ?? [])
    const latRs = summary(pooled.get(full.name) ?? [])
    const latNormal = summary(pooled.get(normal.name) ?? [])
    const latUnchecked = summary(pooled.get(unchecked.name) ?? [])
    const commits = await commitTimes(full)
    const tpBare = await throughput(bare)
    const tpNormal = await throughput(normal)
    // The validation ratio compares two relays' throughput: measured in alternating rounds, the
    // median of each, so a burst of machine noise lands on both rather than on one.
    const checkedRuns: Array<{ relayed: number; durable: number }> = []
    const uncheckedRuns: Array<{ relayed: number; durable: number }> = []
    for (let round = 0; round < 3; round++) {
      checkedRuns.push(await throughput(full))
      uncheckedRuns.push(await throughput(unchecked))
    }
    const tpRs = medianRun(checkedRuns)
    const tpUnchecked = medianRun(uncheckedRuns)
    const doc = await bigDoc(full, dir)
    const cores = os.cpus().length
    return {
      title: 'Relay',
      lines: [
        `Rainstaff relay against a bare y-protocols relay (no auth, no checks, no storage), all child processes on 127.0.0.1; ${cores} cores. ` +
          `Latency: 4 editors (one per region) each write every ~20 ms to ${SUBSCRIBERS} subscribers spread over the 4 regions, two interleaved rounds. ` +
          'Throughput: 8 writers (2 per region) send 2,500 one-field updates each as fast as they can. ' +
          '"rainstaff" is the default (committed before fan-out, acknowledged after fsync); "normal" is `--synchronous normal` (acknowledged without fsync: survives a killed process, not a crashed machine); ' +
          '"unchecked" is the default relay started with `--no-validation`, the baseline for what checking every update against the schema costs. Every write is a schema-valid record edit (a value and its two stamps).',
        '',
        '| measure | rainstaff | bare relay | ratio | target | rainstaff --synchronous normal | ratio |',
        '|---|---|---|---|---|---|---|',
        `| propagation p50 (ms) | ${ms(latRs.p50)} | ${ms(latBare.p50)} | ${ratio(latRs.p50, latBare.p50)} | | ${ms(latNormal.p50)} | ${ratio(latNormal.p50, latBare.p50)} |`,
        `| propagation p99 (ms) | ${ms(latRs.p99)} | ${ms(latBare.p99)} | ${ratio(latRs.p99, latBare.p99)} | ≤ 1.5× | ${ms(latNormal.p99)} | ${ratio(latNormal.p99, latBare.p99)} |`,
        `| group commit time in the store p50 / p99 (ms, histogram bound) | ≤ ${commits.p50} / ≤ ${commits.p99} | — | | | | |`,
        `| updates/s relayed to subscribers | ${tpRs.relayed.toFixed(0)} | ${tpBare.relayed.toFixed(0)} | ${ratio(tpRs.relayed, tpBare.relayed)} | | ${tpNormal.relayed.toFixed(0)} | ${ratio(tpNormal.relayed, tpBare.relayed)} |`,
        `| durable updates/s (acknowledged by type 100) | ${tpRs.durable.toFixed(0)} | — | | ≥ 2,000 | ${tpNormal.durable.toFixed(0)} | |`,
        `| schema validation: propagation p99, checked / unchecked (ms) | ${ms(latRs.p99)} / ${ms(latUnchecked.p99)} | | ${ratio(latRs.p99, latUnchecked.p99)} | ≤ 1.25× | | |`,
        `| schema validation: durable updates/s, unchecked / checked | ${tpUnchecked.durable.toFixed(0)} / ${tpRs.durable.toFixed(0)} | | ${ratio(tpUnchecked.durable, tpRs.durable)} | ≤ 1.25× | | |`,
        `| relay memory per connection (KiB RSS, 400 connections) | ${(memRs / 1024).toFixed(1)} | ${(memBare / 1024).toFixed(1)} | ${ratio(memRs, memBare)} | | | |`,
        `| 10,000-record doc: encoded / heap in a Y.Doc (MiB) | ${MiB(doc.encoded)} / ${MiB(doc.heap)} | | | | | |`,
        `| 10,000-record doc: relay RSS growth on upload (MiB) | ${MiB(doc.rss)} | | | | | |`,
        `| 10,000-record doc: upload until durable / reload from disk to first sync (ms) | ${doc.uploadMs.toFixed(0)} / ${doc.reloadMs.toFixed(0)} | | | | | |`,
        '',
        `Latency samples: ${latRs.samples} per relay; ${commits.count} group commits in the default relay's latency rounds. ` +
          'Rainstaff fans an update out only after its commit (a write to the WAL, fsynced in the background before the writer is acknowledged); the bare relay stores nothing.',
      ],
    }
  } finally {
    await full.stop()
    await normal.stop()
    await unchecked.stop()
    await bare.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--bare-relay')) serveBareRelay()
  else if (process.argv.includes('--measure-doc')) measureDocHeap(process.argv[process.argv.indexOf('--measure-doc') + 1] ?? '')
}
