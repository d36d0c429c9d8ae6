/**
 * Catch-up after an outage: a peer comes back with N local edits made offline while M edits by
 * someone else reached the relay. Measured from `connect()` until the peer is synced with nothing
 * pending and holds the remote edits, against the raw cost of applying the same N + M updates to a
 * fresh Y.Doc. Real parts: an in-process relay on 127.0.0.1, file stores, y-websocket over `ws`.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { openEngine, type SyncEngine } from '../client/engine.ts'
import { followDocuments } from '../client/followDocuments.ts'
import { currentPeriod } from '../schema/periods.ts'
import { openFileStore, type FileStore } from '../client/fileStore.ts'
import { signIn } from '../client/signIn.ts'
import { startRelay } from '../relay/server.ts'
import { openStore } from '../relay/store.ts'
import { addUser } from '../relay/users.ts'
import type { BenchSection } from './index.ts'

const SIZES = [100, 10_000] as const

interface Peer {
  engine: SyncEngine
  store: FileStore
  /** Every update this peer's edits produced, in order, by document. */
  updates: Map<string, Uint8Array[]>
  stopRecording(): void
}

/** The month the timesheets are dated in: open from sign-in, as a clerk's current work is. */
const MONTH = currentPeriod()

async function openPeer(relayUrl: string, dir: string, username: string): Promise<Peer> {
  const store = openFileStore(dir)
  const { session } = await signIn({ relay: relayUrl, username, password: `${username}-password`, store })
  const engine = await openEngine({ session, store, regions: ['ankara'], connect: false, WebSocketPolyfill: WebSocket })
  const updates = new Map<string, Uint8Array[]>()
  // Only the offline edits happen before connect(): every update seen until then is one of them.
  const recorders = new Map<Y.Doc, (update: Uint8Array) => void>()
  const stop = followDocuments(engine, (name, doc) => {
    const list: Uint8Array[] = []
    updates.set(name, list)
    const record = (update: Uint8Array): void => void list.push(update)
    doc.on('update', record)
    recorders.set(doc, record)
  })
  const stopRecording = (): void => {
    stop()
    for (const [doc, record] of recorders) doc.off('update', record)
  }
  return { engine, store, updates, stopRecording }
}

/** `count` edits: one employee, then timesheets for them, one transaction each. */
function work(engine: SyncEngine, count: number, tag: string): void {
  const employee = engine.insert('employees', { full_name: `Çalışan ${tag}` })
  for (let i = 1; i < count; i++) {
    const day = `${MONTH}-${String((i % 28) + 1).padStart(2, '0')}`
    engine.insert('timesheets', { employee_id: employee, work_date: day, start_time: '08:30', end_time: '17:30', break_minutes: 60, is_special: 0 })
  }
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 1))
}

async function measure(local: number, remote: number): Promise<{ catchup: number; raw: number }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'rainstaff-bench-catchup-'))
  const dataDir = path.join(root, 'relay')
  const store = openStore(dataDir)
  for (const username of ['ayse', 'ali']) await addUser(store, { username, role: 'editor', region: 'ankara', password: `${username}-password` })
  store.close()
  const relay = await startRelay({ dataDir, port: 0, host: '127.0.0.1', log: () => {}, messageRate: { perSecond: 1e6, burst: 1e6 } })
  const peers: Peer[] = []
  try {
    const ayse = await openPeer(relay.url, path.join(root, 'ayse'), 'ayse')
    const ali = await openPeer(relay.url, path.join(root, 'ali'), 'ali')
    peers.push(ayse, ali)
    // The outage: both work offline; Ali's edits reach the relay first.
    work(ayse.engine, local, 'ayse')
    work(ali.engine, remote, 'ali')
    await ayse.engine.flush()
    ayse.stopRecording()
    ali.stopRecording()
    ali.engine.connect()
    await ali.engine.whenSynced(120_000)

    const timesheets = ayse.engine.doc(`ankara/${MONTH}`).getMap('timesheets')
    const expected = local - 1 + (remote - 1)
    const start = performance.now()
    ayse.engine.connect()
    await ayse.engine.whenSynced(120_000)
    await until(() => timesheets.size === expected)
    const catchup = performance.now() - start

    const raw = median(
      [0, 1, 2].map(() => {
        const t = performance.now()
        // One doc per document, as the engine holds them.
        const docs = new Map<string, Y.Doc>()
        for (const peer of [ayse, ali]) {
          for (const [name, list] of peer.updates) {
            let doc = docs.get(name)
            if (doc === undefined) docs.set(name, (doc = new Y.Doc({ gc: false })))
            for (const update of list) Y.applyUpdate(doc, update)
          }
        }
        return performance.now() - t
      }),
    )
    return { catchup, raw }
  } finally {
    for (const p of peers) {
      await p.engine.close()
      await p.store.close()
    }
    await relay.close()
    rmSync(root, { recursive: true, force: true })
  }
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
}

export async function run(): Promise<BenchSection> {
  // Every y-websocket provider adds a process exit listener: two peers' documents exceed ten.
  process.setMaxListeners(100)
  const lines = [
    '| local N | remote M | catch-up | raw Y.applyUpdate of the same N + M updates | ratio |',
    '|---|---|---|---|---|',
  ]
  for (const local of SIZES) {
    for (const remote of SIZES) {
      const { catchup, raw } = await measure(local, remote)
      lines.push(`| ${local.toLocaleString('en')} | ${remote.toLocaleString('en')} | ${catchup.toFixed(0)} ms | ${raw.toFixed(1)} ms | **${(catchup / raw).toFixed(1)}×** |`)
    }
  }
  lines.push(
    '',
    'Catch-up runs from `connect()` to synced with pendingChanges 0 and the remote edits present: one sync exchange each way, the relay\'s fsynced commit and durable acknowledgement, and the peer\'s own fsynced log.',
  )
  return { title: 'Catch-up after an outage (client sync engine)', lines }
}
