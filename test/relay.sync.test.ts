/**
 * Sync and permissions through a real relay process with real y-websocket clients: regions
 * converge, everyone reads, only a region's editors write it, and refused writes reach nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  ADMIN_PASSWORD,
  connectClient,
  seedUsers,
  spawnRelay,
  tempDir,
  tokenFor,
  until,
  type RelayProcess,
  type TestClient,
} from './helpers/relayProcess.ts'

describe('relay sync and permissions', () => {
  const data = tempDir()
  let relay: RelayProcess
  const tokens: Record<string, string> = {}
  const clients: TestClient[] = []

  const client = (region: string, user: string): TestClient => {
    const c = connectClient(relay, region, tokens[user] ?? null)
    clients.push(c)
    return c
  }

  beforeAll(async () => {
    await seedUsers(data.dir, [
      { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
      { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
      { username: 'mehmet', role: 'editor', region: 'istanbul', password: 'mehmet-password' },
    ])
    relay = await spawnRelay(data.dir)
    tokens.ayse = await tokenFor(relay, 'ayse', 'ayse-password')
    tokens.mehmet = await tokenFor(relay, 'mehmet', 'mehmet-password')
    tokens.admin = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
  })

  afterAll(async () => {
    for (const c of clients) c.destroy()
    await relay?.stop()
    data.remove()
  })

  it('two regions converge and each editor reads the other region', async () => {
    const ankaraA = client('ankara', 'ayse')
    const ankaraB = client('ankara', 'ayse')
    const istanbul = client('istanbul', 'mehmet')
    await Promise.all([ankaraA.synced(), ankaraB.synced(), istanbul.synced()])

    ankaraA.doc.getMap('employees').set('e1', 'Ayşe Yılmaz')
    istanbul.doc.getMap('employees').set('e2', 'Mehmet Kaya')
    await until(() => ankaraB.doc.getMap('employees').get('e1') === 'Ayşe Yılmaz', 'ankara edit reaches the second ankara client')

    // Cross-region reads: each editor opens the other region read-only and sees its records.
    const readIstanbul = client('istanbul', 'ayse')
    const readAnkara = client('ankara', 'mehmet')
    await Promise.all([readIstanbul.synced(), readAnkara.synced()])
    await until(() => readIstanbul.doc.getMap('employees').get('e2') === 'Mehmet Kaya', 'ayse reads istanbul')
    await until(() => readAnkara.doc.getMap('employees').get('e1') === 'Ayşe Yılmaz', 'mehmet reads ankara')
    expect(readAnkara.refused).toEqual([])
    expect(readIstanbul.refused).toEqual([])

    // The writer learns its edit is on disk from the durable state vector.
    await until(() => (ankaraA.durable.get(ankaraA.doc.clientID) ?? 0) >= 1, 'durable ack for the ankara edit')
    await until(() => (istanbul.durable.get(istanbul.doc.clientID) ?? 0) >= 1, 'durable ack for the istanbul edit')
  })

  it("drops the admin's writes: refused to the admin, stored nowhere, sent to nobody", async () => {
    const admin = client('izmir', 'admin')
    await admin.synced()
    const watcher = client('izmir', 'admin')
    await watcher.synced()

    admin.doc.getMap('employees').set('intruder', 'yazılmamalı')
    await until(() => admin.refused.length >= 1, 'write refused message')
    expect(admin.refused[0]).toMatch(/yazma izniniz yok.* \/ You may not write/)
    // The connection stays open and still reads.
    expect(admin.provider.wsconnected).toBe(true)

    // The refusal shows the relay handled the write; a client joining afterwards proves it did
    // not reach the relay's doc, and the watcher proves it was not fanned out.
    const fresh = client('izmir', 'admin')
    await fresh.synced()
    expect(fresh.doc.getMap('employees').has('intruder')).toBe(false)
    expect(watcher.doc.getMap('employees').has('intruder')).toBe(false)
  })

  it("refuses an editor's write to another region but keeps its reads flowing", async () => {
    const owner = client('istanbul', 'mehmet')
    const visitor = client('istanbul', 'ayse')
    await Promise.all([owner.synced(), visitor.synced()])
    visitor.doc.getMap('employees').set('visitor', 'olmamalı')
    await until(() => visitor.refused.length >= 1, 'visitor write refused')
    owner.doc.getMap('employees').set('e3', 'Zeynep Demir')
    await until(() => visitor.doc.getMap('employees').get('e3') === 'Zeynep Demir', 'visitor still receives updates')
    const fresh = client('istanbul', 'mehmet')
    await fresh.synced()
    expect(fresh.doc.getMap('employees').has('visitor')).toBe(false)
    expect(owner.doc.getMap('employees').has('visitor')).toBe(false)
  })

  it('a read-only client whose doc holds deletions is not refused (its sync step 2 is not a write)', async () => {
    const writer = client('ankara', 'ayse')
    await writer.synced()
    const list = writer.doc.getArray<string>('log')
    list.push(['a', 'b', 'c'])
    list.delete(1, 1)
    await until(() => (writer.durable.get(writer.doc.clientID) ?? 0) >= 3, 'ankara edits durable')
    const reader = client('ankara', 'mehmet')
    await reader.synced()
    await until(() => reader.doc.getArray('log').length === 2, 'reader receives the deletion')
    // Reconnect: the reader's step 2 now carries the delete set it received.
    reader.provider.disconnect()
    reader.provider.connect()
    await reader.synced()
    const again = client('ankara', 'ayse')
    await again.synced()
    expect(reader.refused).toEqual([])
    expect(Y.encodeStateVector(again.doc)).toEqual(Y.encodeStateVector(writer.doc))
  })

  it('relays awareness between clients of one region', async () => {
    const a = client('bursa', 'ayse')
    const b = client('bursa', 'mehmet')
    await Promise.all([a.synced(), b.synced()])
    a.provider.awareness.setLocalStateField('user', { name: 'Ayşe' })
    await until(
      () => [...b.provider.awareness.getStates().values()].some((s) => (s.user as { name?: string } | undefined)?.name === 'Ayşe'),
      'awareness of a reaches b',
    )
  })
})
