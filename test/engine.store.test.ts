/**
 * The Node file store on real files: edits survive a restart with their pending marks, a log
 * whose tail was cut mid-write loads its good prefix with a warning, compaction is atomic and
 * drops acknowledged marks, and one process at a time owns a state directory. Also the small
 * pure parts the engine leans on: pendingChanges, backoff, relay addresses, the SQL guard.
 */
import { appendFileSync, existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { backoffDelay } from '../client/backoff.ts'
import { openFileStore } from '../client/fileStore.ts'
import { PendingChanges } from '../client/pendingChanges.ts'
import { checkReadOnly } from '../client/readOnlySql.ts'
import { relayAddress } from '../client/relayAddress.ts'
import { checkVerifier, createVerifier } from '../client/signIn.ts'
import { createRegionDoc } from '../crdt/regionDoc.ts'
import { tempDir } from './helpers/relayProcess.ts'

const temps: Array<{ remove(): void }> = []
afterAll(() => temps.forEach((t) => t.remove()))

function dir(): string {
  const t = tempDir('rainstaff-store-')
  temps.push(t)
  return t.dir
}

/** Writes `count` local transactions to region ankara of the store in `state`. */
async function writeEdits(state: string, count: number): Promise<{ doc: Y.Doc; updates: Uint8Array[] }> {
  const store = openFileStore(state)
  const region = await store.openDocument('ankara')
  const doc = createRegionDoc()
  const updates: Uint8Array[] = []
  doc.on('update', (update: Uint8Array, _origin: unknown, _doc: Y.Doc, tr: Y.Transaction) => {
    updates.push(update)
    region.append(update, { client: doc.clientID, clock: tr.afterState.get(doc.clientID) ?? 0 })
  })
  for (let i = 0; i < count; i++) doc.getMap('employees').set(`e${i}`, i)
  await region.flush()
  await store.close()
  return { doc, updates }
}

describe('file store', () => {
  it('keeps updates and pending marks across a restart, and compacts atomically', async () => {
    const state = dir()
    const { doc } = await writeEdits(state, 5)
    const store = openFileStore(state)
    const loaded = await (await store.openDocument('ankara')).load()
    expect(loaded.updates).toHaveLength(1)
    expect(loaded.marks.map((m) => m.clock)).toEqual([1, 2, 3, 4, 5])
    const copy = createRegionDoc()
    Y.applyUpdate(copy, loaded.updates[0])
    expect(copy.getMap('employees').toJSON()).toEqual(doc.getMap('employees').toJSON())
    expect(existsSync(path.join(state, 'docs', 'ankara', 'master.ylog.tmp'))).toBe(false)
    await store.close()
  })

  it('drops marks the relay acknowledged when compacting', async () => {
    const state = dir()
    const { doc } = await writeEdits(state, 4)
    let store = openFileStore(state)
    const region = await store.openDocument('ankara')
    region.setMeta({ durable: [[doc.clientID, 2]], lastSyncedAt: null })
    await region.flush()
    await store.close()
    store = openFileStore(state)
    expect((await (await store.openDocument('ankara')).load()).marks.map((m) => m.clock)).toEqual([3, 4])
    await store.close()
  })

  it('loads the good prefix of a log cut mid-write, with a warning, and keeps appending after it', async () => {
    const state = dir()
    const { doc } = await writeEdits(state, 3)
    const file = path.join(state, 'docs', 'ankara', 'master.ylog')
    // Crash during a fourth append: half a record at the end.
    const extra = createRegionDoc()
    Y.applyUpdate(extra, Y.encodeStateAsUpdate(doc))
    extra.getMap('employees').set('lost', 1)
    const record = readFileSync(file)
    appendFileSync(file, record.subarray(0, 12))
    const warnings: string[] = []
    let store = openFileStore(state, { onWarning: (w) => warnings.push(w) })
    let region = await store.openDocument('ankara')
    const loaded = await region.load()
    expect(warnings).toEqual([expect.stringMatching(/12 bayt bozuk.* \/ Warning: 12 damaged bytes at the end of the local log of ankara/)])
    const copy = createRegionDoc()
    for (const u of loaded.updates) Y.applyUpdate(copy, u)
    expect(copy.getMap('employees').toJSON()).toEqual({ e0: 0, e1: 1, e2: 2 })
    copy.getMap('employees').set('after', 1)
    region.append(Y.encodeStateAsUpdate(copy), null)
    await store.close()

    // A flipped bit in the last record is caught by its checksum the same way.
    const bytes = readFileSync(file)
    bytes[bytes.length - 1] ^= 0xff
    writeFileSync(file, bytes)
    store = openFileStore(state, { onWarning: (w) => warnings.push(w) })
    region = await store.openDocument('ankara')
    const again = createRegionDoc()
    for (const u of (await region.load()).updates) Y.applyUpdate(again, u)
    expect(warnings).toHaveLength(2)
    expect(again.getMap('employees').get('e2')).toBe(2)
    await store.close()
  })

  it('refuses a state directory another live process holds, and takes over a stale lock', async () => {
    const state = dir()
    const first = openFileStore(state)
    expect(() => openFileStore(state)).toThrow(/in use by another process \(pid \d+\)/)
    await first.close()
    writeFileSync(path.join(state, 'lock'), '999999999')
    const second = openFileStore(state)
    await second.close()
    // A live process that is not us: the parent of this worker.
    writeFileSync(path.join(state, 'lock'), String(process.ppid))
    expect(() => openFileStore(state)).toThrow(/kullanılıyor .* \/ The state directory is in use by another process/)
  })

  it('writes the device account with mode 0600', async () => {
    const state = dir()
    const store = openFileStore(state)
    await store.writeAccount({ relay: 'http://x', user: { username: 'a', role: 'editor', region: 'ankara' }, regions: [], verifier: 'v', token: 't' })
    expect(statSync(path.join(state, 'session.json')).mode & 0o777).toBe(0o600)
    expect((await store.readAccount())?.user.username).toBe('a')
    await store.close()
    truncateSync(path.join(state, 'session.json'), 5)
    const warnings: string[] = []
    const again = openFileStore(state, { onWarning: (w) => warnings.push(w) })
    expect(await again.readAccount()).toBeUndefined()
    expect(warnings).toEqual([expect.stringMatching(/okunamadı.* \/ Warning: session.json is unreadable; sign in again/)])
    await again.close()
  })
})

describe('engine parts', () => {
  it('pendingChanges counts transactions and drops those a durable state vector covers', () => {
    const pending = new PendingChanges([
      { client: 1, clock: 3 },
      { client: 1, clock: 5 },
      { client: 2, clock: 1 },
    ])
    expect(pending.count).toBe(3)
    expect(pending.acknowledge(new Map([[1, 4]]))).toBe(1)
    expect(pending.marks()).toEqual([
      { client: 1, clock: 5 },
      { client: 2, clock: 1 },
    ])
    expect(pending.acknowledge(new Map([[1, 9], [2, 1]]))).toBe(2)
    expect(pending.count).toBe(0)
  })

  it('backoff grows exponentially, stays jittered within [ceiling/2, ceiling] and is capped', () => {
    const options = { baseMs: 500, capMs: 30_000 }
    expect(backoffDelay(0, options, () => 0)).toBe(250)
    expect(backoffDelay(0, options, () => 1)).toBe(500)
    expect(backoffDelay(3, options, () => 0.5)).toBe(3000)
    expect(backoffDelay(50, options, () => 1)).toBe(30_000)
    expect(backoffDelay(50, options, () => 0)).toBe(15_000)
  })

  it('derives the WebSocket and login addresses from the address a user types', () => {
    expect(relayAddress('https://rainstaff.onrender.com')).toEqual({
      http: 'https://rainstaff.onrender.com',
      sync: 'wss://rainstaff.onrender.com/sync',
      login: 'https://rainstaff.onrender.com/api/login',
      renew: 'https://rainstaff.onrender.com/api/renew',
    })
    expect(relayAddress('http://127.0.0.1:3000/base/').sync).toBe('ws://127.0.0.1:3000/base/sync')
    for (const bad of ['rainstaff.onrender.com', 'ftp://x', 'https://user:pw@x', 'https://x/?token=1']) {
      expect(() => relayAddress(bad)).toThrow(/Geçersiz sunucu adresi.* \/ Invalid relay address/)
    }
  })

  it('lets only single read-only queries through the SQL guard', () => {
    for (const ok of ['SELECT 1', 'with x as (select 1) select * from x;', "SELECT replace(plate, ' ', '') FROM vehicles WHERE notes = 'delete me'"]) {
      expect(() => checkReadOnly(ok)).not.toThrow()
    }
    for (const bad of ['', 'DELETE FROM employees', 'SELECT 1; SELECT 2', 'PRAGMA writable_schema=1', 'select 1 /* x */ ; drop table t']) {
      expect(() => checkReadOnly(bad)).toThrow(/ \/ /)
    }
  })

  it('checks a password against its device verifier without storing the password', async () => {
    const verifier = await createVerifier('ayse-password', 1000)
    expect(verifier).not.toContain('ayse-password')
    expect(await checkVerifier(verifier, 'ayse-password')).toBe(true)
    expect(await checkVerifier(verifier, 'ayse-passwore')).toBe(false)
    expect(await checkVerifier('garbage', 'ayse-password')).toBe(false)
  })
})

describe('DocumentStore.replace (recovery after a refusal)', () => {
  it('replaces the whole log atomically; appends after it land after it, queued ones before it are dropped', async () => {
    const state = dir()
    await writeEdits(state, 3)
    const store = openFileStore(state)
    const region = await store.openDocument('ankara')
    region.append(Y.encodeStateAsUpdate(createRegionDoc()), { client: 1, clock: 1 }) // dropped by replace
    const fresh = createRegionDoc()
    fresh.getMap('employees').set('kept', 'yes')
    region.replace([Y.encodeStateAsUpdate(fresh)], [{ client: fresh.clientID, clock: 1 }], { durable: [[7, 3]], lastSyncedAt: null })
    const later = createRegionDoc()
    Y.applyUpdate(later, Y.encodeStateAsUpdate(fresh))
    const before = Y.encodeStateVector(later)
    later.getMap('employees').set('after', 'yes')
    region.append(Y.encodeStateAsUpdate(later, before), { client: later.clientID, clock: 1 })
    await region.flush()
    expect(existsSync(path.join(state, 'docs', 'ankara', 'master.ylog.tmp'))).toBe(false)
    await store.close()

    const reopened = openFileStore(state)
    const stored = await (await reopened.openDocument('ankara')).load()
    const doc = createRegionDoc()
    for (const u of stored.updates) Y.applyUpdate(doc, u)
    expect([...doc.getMap('employees').keys()].sort()).toEqual(['after', 'kept'])
    expect(stored.marks).toEqual(expect.arrayContaining([{ client: fresh.clientID, clock: 1 }, { client: later.clientID, clock: 1 }]))
    expect(stored.marks).toHaveLength(2)
    expect(stored.meta.durable).toEqual([])
    await reopened.close()
  })
})
