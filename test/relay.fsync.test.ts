/**
 * The order behind the relay's durability promise, with a real store and real region docs: a
 * committed update fans out at once, but its writer hears "on disk" (message 100) only after the
 * fsync that covers the commit; a commit made while an fsync runs waits for the next one; a failed
 * fsync acknowledges nothing and drops the docs so writers reconnect and send again.
 *
 * The fsync itself is the one seam replaced here (a promise the test resolves), because a real
 * disk gives no way to hold an fsync open; test/relay.durability.test.ts covers the real one.
 */
import * as Y from 'yjs'
import { afterEach, describe, expect, it } from 'vitest'
import { insertRecord } from '../crdt/regionDoc.ts'
import { createCompactor } from '../relay/compactor.ts'
import type { BackgroundSync } from '../relay/commitLog.ts'
import { Docs } from '../relay/docs.ts'
import type { Peer } from '../relay/liveDoc.ts'
import { openStore, type Store } from '../relay/store.ts'
import { DEFAULT_REGIONS } from '../schema/regions.ts'
import { tempDir } from './helpers/relayProcess.ts'

interface TestPeer extends Peer {
  writesAccepted: number
  readonly delivered: Uint8Array[]
  readonly acks: number[]
  readonly evicted: number[]
}

function peer(username: string): TestPeer {
  const p: TestPeer = {
    username,
    device: null,
    writesAccepted: 0,
    delivered: [],
    acks: [],
    evicted: [],
    deliver: (message) => void p.delivered.push(message),
    durable: (_stateVector, writes) => void p.acks.push(writes),
    evict: (code) => void p.evicted.push(code),
  }
  return p
}

/** A background fsync the test finishes by hand. */
function heldSync(): BackgroundSync & { started: number; finish(): Promise<void>; fail(): Promise<void>; failures: unknown[] } {
  let settle: { resolve: () => void; reject: (e: Error) => void } | undefined
  const held = {
    started: 0,
    failures: [] as unknown[],
    sync: () =>
      new Promise<void>((resolve, reject) => {
        held.started++
        settle = { resolve, reject }
      }),
    failed: (error: unknown) => void held.failures.push(error),
    async finish() {
      settle?.resolve()
      await new Promise((r) => setImmediate(r))
    },
    async fail() {
      settle?.reject(new Error('EIO'))
      await new Promise((r) => setImmediate(r))
    },
  }
  return held
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r))

/** One schema-valid record written by `from` (an ankara editor) as one update. */
function write(docs: Docs, from: TestPeer, name: string): void {
  const local = new Y.Doc({ gc: false })
  insertRecord(local, 'employees', 'ankara', { full_name: name }, { user: from.username })
  docs.open('ankara').applyUpdate(Y.encodeStateAsUpdate(local), from)
  from.writesAccepted++
}

let cleanup: Array<() => void | Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn()
  cleanup = []
})

function setUp(): { docs: Docs; store: Store; writer: TestPeer; reader: TestPeer } {
  const data = tempDir()
  const store = openStore(data.dir, { synchronous: 'normal' })
  const compactor = createCompactor()
  const docs = new Docs(store, { regions: DEFAULT_REGIONS, idleUnloadMs: 60_000, compactAfterUpdates: 1000, compactor })
  const writer = peer('ayse')
  const reader = peer('admin')
  docs.open('ankara').attach(writer)
  docs.open('ankara').attach(reader)
  cleanup.push(async () => {
    await docs.close(1001)
    await compactor.close()
    store.close()
    data.remove()
  })
  return { docs, store, writer, reader }
}

describe('acknowledgements follow the fsync', () => {
  it('fans out on commit, acknowledges after the fsync covering it, and holds later commits for the next fsync', async () => {
    const { docs, store, writer, reader } = setUp()
    const sync = heldSync()
    docs.log.startBackground(sync)

    write(docs, writer, 'a')
    await turn()
    expect(store.loadRegion('ankara').updates).toHaveLength(1)
    expect(reader.delivered).toHaveLength(1)
    expect(writer.acks).toEqual([])
    expect(sync.started).toBe(1)

    // Committed while the first fsync runs: not covered by it.
    write(docs, writer, 'b')
    await turn()
    expect(reader.delivered).toHaveLength(2)
    await sync.finish()
    expect(writer.acks).toEqual([1])
    expect(sync.started).toBe(2)
    await sync.finish()
    expect(writer.acks).toEqual([1, 2])
  })

  it('acknowledges nothing when the fsync fails and drops the doc so writers send again', async () => {
    const { docs, writer, reader } = setUp()
    const sync = heldSync()
    docs.log.startBackground(sync)
    write(docs, writer, 'a')
    await turn()
    await sync.fail()
    expect(writer.acks).toEqual([])
    expect(sync.failures).toHaveLength(1)
    expect(writer.evicted).toEqual([4503])
    expect(reader.evicted).toEqual([4503])
    expect(docs.get('ankara')).toBeUndefined()
  })

  it('on stop, fsyncs in place before acknowledging what waited', async () => {
    const { docs, writer } = setUp()
    const sync = heldSync()
    docs.log.startBackground(sync)
    write(docs, writer, 'a')
    await turn()
    const order: string[] = []
    docs.log.stopBackground(() => order.push(`fsync with ${writer.acks.length} acks sent`))
    expect(order).toEqual(['fsync with 0 acks sent'])
    expect(writer.acks).toEqual([1])
    // The abandoned background fsync finishing later changes nothing.
    await sync.finish()
    expect(writer.acks).toEqual([1])
    // Without background sync each commit is acknowledged as it returns.
    write(docs, writer, 'b')
    await turn()
    expect(writer.acks).toEqual([1, 2])
  })
})
