/**
 * The relay decodes each client update once, by applying it, and checks what that integrated
 * (relay/liveDoc.ts applyUpdate). Yjs reads all structs of an update before integrating any but
 * its delete set only after them, so bytes that go bad in the delete set fail after the structs
 * are in: the doc must come out as if the update had never arrived, for the sender's connection
 * alone to be closed. Real store and documents, no processes.
 */
import * as Y from 'yjs'
import { afterEach, describe, expect, it } from 'vitest'
import { insertRecord } from '../crdt/regionDoc.ts'
import { createCompactor } from '../relay/compactor.ts'
import { Docs } from '../relay/docs.ts'
import { guardExtension } from '../relay/guard.ts'
import { MalformedUpdateError, UpdateRefusedError, type Peer } from '../relay/liveDoc.ts'
import { openStore } from '../relay/store.ts'
import { DEFAULT_REGIONS } from '../schema/regions.ts'
import { tempDir } from './helpers/relayProcess.ts'

const turn = (): Promise<void> => new Promise((r) => setImmediate(r))

function peer(username: string): Peer & { writesAccepted: number; delivered: Uint8Array[]; evicted: number[] } {
  const p = {
    username,
    device: null,
    writesAccepted: 0,
    delivered: [] as Uint8Array[],
    evicted: [] as number[],
    deliver: (message: Uint8Array) => void p.delivered.push(message),
    durable: () => {},
    evict: (code: number) => void p.evicted.push(code),
  }
  return p
}

/** A schema-valid new employee from `user`, as one update. */
function employee(user: string, name: string): Uint8Array {
  const local = new Y.Doc({ gc: false })
  insertRecord(local, 'employees', 'ankara', { full_name: name }, { user })
  return Y.encodeStateAsUpdate(local)
}

let cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn()
  cleanup = []
})

function setUp(): { docs: Docs; store: ReturnType<typeof openStore> } {
  const data = tempDir()
  const store = openStore(data.dir, { synchronous: 'normal' })
  const compactor = createCompactor()
  const docs: Docs = new Docs(store, {
    regions: DEFAULT_REGIONS,
    idleUnloadMs: 60_000,
    compactAfterUpdates: 1000,
    compactor,
    extensions: [guardExtension(store, (region) => docs.open(region).doc)],
  })
  cleanup.push(async () => {
    await docs.close(1001)
    await compactor.close()
    store.close()
    data.remove()
  })
  return { docs, store }
}

describe('one decode per update', () => {
  it('an update whose delete set is unreadable leaves nothing behind: not in memory, not stored, not sent', async () => {
    const { docs, store } = setUp()
    const ayse = peer('ayse')
    const reader = peer('admin')
    const doc = docs.open('ankara')
    doc.attach(ayse)
    doc.attach(reader)
    doc.applyUpdate(employee('ayse', 'önce'), ayse)
    await turn()
    const before = Y.encodeStateVector(doc.doc)
    const roots = [...doc.doc.share.keys()]

    const good = employee('ayse', 'sonra')
    // An encoded update ends with its delete set; this one's is empty (0 clients). Claiming two
    // clients and ending there makes Yjs fail reading it, after the structs are integrated.
    expect(good.at(-1)).toBe(0)
    const bad = Uint8Array.from([...good.subarray(0, -1), 2])
    expect(() => doc.applyUpdate(bad, ayse)).toThrow(MalformedUpdateError)
    expect(Y.encodeStateVector(doc.doc)).toEqual(before)
    expect([...doc.doc.share.keys()]).toEqual(roots)
    await turn()
    expect(store.loadRegion('ankara').updates).toHaveLength(1)
    expect(reader.delivered).toHaveLength(1)
    expect(ayse.evicted).toEqual([])

    // The same structs, readable this time, are accepted as new.
    doc.applyUpdate(good, ayse)
    await turn()
    expect(store.loadRegion('ankara').updates).toHaveLength(2)
    expect(reader.delivered).toHaveLength(2)
  })

  it('bytes that fail before any struct is integrated change nothing and cost no rebuild', () => {
    const { docs } = setUp()
    const ayse = peer('ayse')
    const doc = docs.open('ankara')
    doc.attach(ayse)
    // With the table already there, reading names no new root type.
    doc.applyUpdate(employee('ayse', 'önce'), ayse)
    const current = doc.doc
    const good = employee('ayse', 'kırpık')
    expect(() => doc.applyUpdate(good.subarray(0, good.length - 10), ayse)).toThrow(MalformedUpdateError)
    // The doc object itself is kept: nothing had to be discarded.
    expect(doc.doc).toBe(current)
  })

  it('a root type named while reading bytes that then fail is discarded with them', () => {
    const { docs } = setUp()
    const ayse = peer('ayse')
    const doc = docs.open('ankara')
    doc.attach(ayse)
    const good = employee('ayse', 'kırpık')
    expect(() => doc.applyUpdate(good.subarray(0, good.length - 10), ayse)).toThrow(MalformedUpdateError)
    expect([...doc.doc.share.keys()]).toEqual([])
  })

  it('a refusal found in what the update integrated is discarded the same way', async () => {
    const { docs, store } = setUp()
    const fatma = peer('fatma')
    const doc = docs.open('ankara')
    doc.attach(fatma)
    const before = Y.encodeStateVector(doc.doc)
    // Stamped by someone else: the guard refuses it only once it sees the integrated fields.
    expect(() => doc.applyUpdate(employee('ayse', 'sahte'), fatma)).toThrow(UpdateRefusedError)
    expect(Y.encodeStateVector(doc.doc)).toEqual(before)
    await turn()
    expect(store.loadRegion('ankara').updates).toHaveLength(0)
  })
})
