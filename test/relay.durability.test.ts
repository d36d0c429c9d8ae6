/**
 * Durability against a real relay process: what the relay acknowledged (message type 100)
 * survives `kill -9` and SIGTERM, idle docs unload and reload intact (deleted content included,
 * through compaction), and a damaged store stops start-up instead of serving empty docs.
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { deleteRecord, insertRecord, updateRecord } from '../crdt/regionDoc.ts'
import { readRecord } from '../crdt/records.ts'
import { openStore, STORE_FILE } from '../relay/store.ts'
import {
  ADMIN_PASSWORD,
  connectClient,
  metricsText,
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
] as const

const temps: Array<{ remove(): void }> = []
const relays: RelayProcess[] = []
const clients: TestClient[] = []

afterAll(async () => {
  for (const c of clients) c.destroy()
  for (const r of relays) await r.stop('SIGKILL')
  for (const t of temps) t.remove()
})

async function fresh(extraArgs: string[] = []): Promise<{ dir: string; relay: RelayProcess }> {
  const data = tempDir()
  temps.push(data)
  await seedUsers(data.dir, USERS)
  const relay = await spawnRelay(data.dir, extraArgs)
  relays.push(relay)
  return { dir: data.dir, relay }
}

async function restart(dir: string, extraArgs: string[] = []): Promise<RelayProcess> {
  const relay = await spawnRelay(dir, extraArgs)
  relays.push(relay)
  return relay
}

function client(relay: RelayProcess, token: string, doc?: Y.Doc): TestClient {
  const c = connectClient(relay, 'ankara', token, doc)
  clients.push(c)
  return c
}

/**
 * Writes `total` transactions, each inserting one employee named `k<i>` as ayse (one update each),
 * and calls `stop` once `threshold` of them are acknowledged, while writing goes on. Returns the
 * records' ids, in write order, and how many of them the relay acknowledged before the
 * connection dropped: write i is acknowledged once the durable clock covers the clock it ended at.
 */
async function burst(writer: TestClient, total: number, threshold: number, stop: () => void): Promise<{ ids: string[]; acked: number }> {
  const me = writer.doc.clientID
  const ids: string[] = []
  const ends: number[] = []
  const acked = (): number => {
    const clock = writer.durable.get(me) ?? 0
    let lo = 0
    let hi = ends.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (ends[mid]! <= clock) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  let stopped = false
  for (let i = 0; i < total; i++) {
    ids.push(insertRecord(writer.doc, 'employees', 'ankara', { full_name: 'k' + i }, { user: 'ayse' }))
    ends.push(Y.getState(writer.doc.store, me))
    if (i % 20 === 19) await new Promise((r) => setImmediate(r))
    if (!stopped && acked() >= threshold) {
      stopped = true
      stop()
    }
    if (stopped && !writer.provider.wsconnected) break
  }
  // A slow machine may send everything before `threshold` acknowledgements arrive.
  if (!stopped) {
    await until(() => acked() >= threshold, `${threshold} writes acknowledged`)
    stop()
  }
  await until(() => !writer.provider.wsconnected, 'writer sees the relay go away')
  writer.provider.disconnect()
  expect(writer.refused).toEqual([])
  return { ids, acked: acked() }
}

/** The names of the burst's first `count` records as a fresh reader gets them from `relay`. */
async function readBack(relay: RelayProcess, token: string, ids: readonly string[], count: number): Promise<Array<string | undefined>> {
  const reader = client(relay, token)
  await reader.synced()
  return ids.slice(0, count).map((id) => readRecord(reader.doc, 'employees', id)?.full_name as string | undefined)
}

describe('relay durability', () => {
  it('kill -9 during a burst of writes loses no acknowledged update', async () => {
    // A low compaction threshold makes the kill also land during compactions.
    const { dir, relay } = await fresh(['--rate', '100000', '--compact-after', '200'])
    const token = await tokenFor(relay, 'ayse', 'ayse-password')
    const writer = client(relay, token)
    await writer.synced()
    const total = 20_000
    const { ids, acked } = await burst(writer, total, 500, () => relay.child.kill('SIGKILL'))
    expect(acked).toBeGreaterThanOrEqual(500)
    expect(acked).toBeLessThan(total)

    const again = await restart(dir)
    const names = await readBack(again, await tokenFor(again, 'ayse', 'ayse-password'), ids, acked)
    const missing: number[] = []
    for (let i = 0; i < acked; i++) if (names[i] !== 'k' + i) missing.push(i)
    expect(missing).toEqual([])
  })

  it('SIGTERM stops accepting, commits what is pending and exits cleanly', async () => {
    const { dir, relay } = await fresh(['--rate', '100000'])
    const token = await tokenFor(relay, 'ayse', 'ayse-password')
    const writer = client(relay, token)
    await writer.synced()
    let exit: Promise<number | null> | undefined
    const { ids, acked } = await burst(writer, 20_000, 300, () => (exit = relay.stop('SIGTERM')))
    expect(await exit).toBe(0)
    expect(relay.output()).toContain('relay: stopped')
    expect(writer.closes.map((c) => c.code)).toContain(1001)
    expect(acked).toBeGreaterThanOrEqual(300)

    const again = await restart(dir)
    const names = await readBack(again, await tokenFor(again, 'ayse', 'ayse-password'), ids, acked)
    for (let i = 0; i < acked; i++) expect(names[i]).toBe('k' + i)
  })

  it('unloads an idle doc and reloads it intact, deleted values and compaction included', async () => {
    const { relay } = await fresh(['--idle-unload-ms', '100', '--compact-after', '25'])
    const token = await tokenFor(relay, 'ayse', 'ayse-password')
    const writer = client(relay, token)
    await writer.synced()
    const ayse = { user: 'ayse' }
    const ids: string[] = []
    for (let i = 0; i < 60; i++) ids.push(insertRecord(writer.doc, 'employees', 'ankara', { full_name: 'ilk-' + i }, ayse))
    // Overwrites leave deleted items behind: the conflict history that GC must never drop.
    for (let i = 0; i < 60; i += 3) updateRecord(writer.doc, 'employees', ids[i]!, { full_name: 'son-' + i }, ayse)
    updateRecord(writer.doc, 'employees', ids[1]!, { title: 'silinecek' }, ayse)
    updateRecord(writer.doc, 'employees', ids[1]!, { title: 'Usta' }, ayse)
    // A soft delete overwrites the record's stamps; the old ones stay behind as deleted items.
    deleteRecord(writer.doc, 'employees', ids[2]!, ayse)
    const records = writer.doc.getMap('employees')
    const expectedClock = Y.getState(writer.doc.store, writer.doc.clientID)
    await until(() => writer.durable.get(writer.doc.clientID) === expectedClock, 'all edits durable')
    expect(writer.refused).toEqual([])
    writer.destroy()

    const metric = async (name: string): Promise<number> => {
      const text = await metricsText(relay)
      const line = text.split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{region="ankara"}'))
      return Number(line?.split(' ').at(-1))
    }
    let loaded = await metric('rainstaff_doc_loaded')
    for (let i = 0; i < 500 && loaded !== 0; i++) {
      await new Promise((r) => setTimeout(r, 20))
      loaded = await metric('rainstaff_doc_loaded')
    }
    const compactions = await metric('rainstaff_compactions_total')
    expect(loaded).toBe(0)
    expect(compactions).toBeGreaterThan(0)

    const reader = client(relay, token)
    await reader.synced()
    await until(() => reader.doc.getMap('employees').size === 60, 'reloaded records')
    expect(reader.doc.getMap('employees').toJSON()).toEqual(records.toJSON())
    for (let i = 0; i < 60; i += 3) expect(readRecord(reader.doc, 'employees', ids[i]!)?.full_name).toBe('son-' + i)
    expect(readRecord(reader.doc, 'employees', ids[1]!)?.title).toBe('Usta')
    expect(readRecord(reader.doc, 'employees', ids[2]!)?.deleted_at).toEqual(expect.any(String))
    expect(Y.encodeStateVector(reader.doc)).toEqual(Y.encodeStateVector(writer.doc))
    const deletedStrings: unknown[] = []
    for (const structs of reader.doc.store.clients.values()) {
      for (const s of structs) {
        if (s instanceof Y.Item && s.deleted) deletedStrings.push(...s.content.getContent())
      }
    }
    expect(deletedStrings).toContain('silinecek')
    for (let i = 0; i < 60; i += 3) expect(deletedStrings).toContain('ilk-' + i)
    expect(await metric('rainstaff_doc_loaded')).toBe(1)
  })

  it('refuses to start on a file that is not a database', async () => {
    const data = tempDir()
    temps.push(data)
    writeFileSync(path.join(data.dir, STORE_FILE), Buffer.alloc(8192, 0x5a))
    const error = await spawnRelay(data.dir).then(
      () => undefined,
      (e: unknown) => e as Error,
    )
    expect(error?.message).toMatch(/relay exited \(1\)/)
    expect(error?.message).toMatch(/The store is unreadable/)
  })

  it('refuses to start, calling nothing damaged, while another process holds the store', async () => {
    const { dir, relay } = await fresh()
    expect(await relay.stop()).toBe(0)
    const holder = new Database(path.join(dir, STORE_FILE))
    try {
      holder.pragma('locking_mode = EXCLUSIVE')
      holder.exec('BEGIN EXCLUSIVE')
      const error = await spawnRelay(dir).then(
        () => undefined,
        (e: unknown) => e as Error,
      )
      expect(error?.message).toMatch(/relay exited \(1\)/)
      expect(error?.message).toMatch(/The store is in use by another process/)
      expect(error?.message).not.toMatch(/unreadable|Damaged/)
      holder.exec('COMMIT')
    } finally {
      holder.close()
    }
    const again = await spawnRelay(dir)
    expect(await again.stop()).toBe(0)
  })

  it('refuses to start when a stored update or snapshot is damaged, naming it', async () => {
    const { dir, relay } = await fresh()
    const token = await tokenFor(relay, 'ayse', 'ayse-password')
    const writer = client(relay, token)
    await writer.synced()
    for (let i = 0; i < 30; i++) insertRecord(writer.doc, 'employees', 'ankara', { full_name: 'kayıt ' + i }, { user: 'ayse' })
    const clock = Y.getState(writer.doc.store, writer.doc.clientID)
    await until(() => writer.durable.get(writer.doc.clientID) === clock, 'edits durable')
    writer.destroy()
    expect(await relay.stop()).toBe(0)

    const refusal = (args: string[] = []): Promise<string> =>
      spawnRelay(dir, args).then(
        async (r) => {
          relays.push(r)
          throw new Error('the relay started on a damaged store')
        },
        (e: unknown) => (e as Error).message,
      )
    const withStore = <T>(fn: (store: ReturnType<typeof openStore>) => T): T => {
      const store = openStore(dir)
      try {
        return fn(store)
      } finally {
        store.close()
      }
    }

    const last = withStore((s) => s.db.prepare<[], { seq: number }>("SELECT max(seq) AS seq FROM updates WHERE region = 'ankara'").get()?.seq)
    withStore((s) => s.db.prepare('UPDATE updates SET data = substr(data, 1, length(data) - 4) WHERE seq = ?').run(last))
    expect(await refusal()).toMatch(new RegExp(`relay exited \\(1\\)[^]*Damaged store: update ${last} of ankara is unreadable`))

    // Drop the damaged row, let a start compact the rest into a snapshot, then damage the snapshot.
    withStore((s) => s.db.prepare('DELETE FROM updates WHERE seq = ?').run(last))
    const compacting = await restart(dir, ['--compact-after', '1'])
    for (let i = 0; i < 500; i++) {
      const text = await metricsText(compacting)
      if (/^rainstaff_compactions_total [1-9]/m.test(text)) break
      await new Promise((r) => setTimeout(r, 20))
    }
    expect(await compacting.stop()).toBe(0)
    expect(withStore((s) => s.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM snapshots WHERE region = 'ankara'").get()?.n)).toBe(1)
    withStore((s) => s.db.prepare("UPDATE snapshots SET data = substr(data, 1, length(data) / 2) WHERE region = 'ankara'").run())
    expect(await refusal()).toMatch(/Damaged store: snapshot of ankara is unreadable/)
  })
})
