/**
 * Sync and permissions through a real relay process with real y-websocket clients: regions
 * converge, everyone reads, only a region's editors write it, and refused writes reach nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { insertRecord, updateRecord } from '../crdt/regionDoc.ts'
import { readRecord, recordIds } from '../crdt/records.ts'
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

    const e1 = insertRecord(ankaraA.doc, 'employees', 'ankara', { full_name: 'Ayşe Yılmaz' }, { user: 'ayse' })
    const e2 = insertRecord(istanbul.doc, 'employees', 'istanbul', { full_name: 'Mehmet Kaya' }, { user: 'mehmet' })
    await until(() => readRecord(ankaraB.doc, 'employees', e1)?.full_name === 'Ayşe Yılmaz', 'ankara edit reaches the second ankara client')

    // Cross-region reads: each editor opens the other region read-only and sees its records.
    const readIstanbul = client('istanbul', 'ayse')
    const readAnkara = client('ankara', 'mehmet')
    await Promise.all([readIstanbul.synced(), readAnkara.synced()])
    await until(() => readRecord(readIstanbul.doc, 'employees', e2)?.full_name === 'Mehmet Kaya', 'ayse reads istanbul')
    await until(() => readRecord(readAnkara.doc, 'employees', e1)?.full_name === 'Ayşe Yılmaz', 'mehmet reads ankara')
    expect(readAnkara.refused).toEqual([])
    expect(readIstanbul.refused).toEqual([])
    // The writers' own records were accepted, not refused by the schema guard.
    expect(ankaraA.refused).toEqual([])
    expect(istanbul.refused).toEqual([])

    // The writer learns its edit is on disk from the durable state vector.
    await until(() => (ankaraA.durable.get(ankaraA.doc.clientID) ?? 0) >= 1, 'durable ack for the ankara edit')
    await until(() => (istanbul.durable.get(istanbul.doc.clientID) ?? 0) >= 1, 'durable ack for the istanbul edit')
  })

  it("drops the admin's writes: refused to the admin, stored nowhere, sent to nobody", async () => {
    const admin = client('izmir', 'admin')
    await admin.synced()
    const watcher = client('izmir', 'admin')
    await watcher.synced()

    const intruder = insertRecord(admin.doc, 'employees', 'izmir', { full_name: 'yazılmamalı' }, { user: 'admin' })
    await until(() => admin.refused.length >= 1, 'write refused message')
    expect(admin.refused[0]?.code).toBe('read_only')
    expect(admin.refused[0]?.message.tr).toMatch(/yazma izniniz yok/)
    expect(admin.refused[0]?.message.en).toMatch(/You may not write/)
    // The connection stays open and still reads.
    expect(admin.provider.wsconnected).toBe(true)

    // The refusal shows the relay handled the write; a client joining afterwards proves it did
    // not reach the relay's doc, and the watcher proves it was not fanned out.
    const fresh = client('izmir', 'admin')
    await fresh.synced()
    expect(readRecord(fresh.doc, 'employees', intruder)).toBeUndefined()
    expect(readRecord(watcher.doc, 'employees', intruder)).toBeUndefined()
    expect([...recordIds(fresh.doc, 'employees')]).toEqual([])
  })

  it("refuses an editor's write to another region but keeps its reads flowing", async () => {
    const owner = client('istanbul', 'mehmet')
    const visitor = client('istanbul', 'ayse')
    await Promise.all([owner.synced(), visitor.synced()])
    const intruder = insertRecord(visitor.doc, 'employees', 'istanbul', { full_name: 'olmamalı' }, { user: 'ayse' })
    await until(() => visitor.refused.length >= 1, 'visitor write refused')
    expect(visitor.refused[0]?.code).toBe('read_only')
    expect(visitor.refused[0]?.message.tr).toMatch(/yazma izniniz yok/)
    const e3 = insertRecord(owner.doc, 'employees', 'istanbul', { full_name: 'Zeynep Demir' }, { user: 'mehmet' })
    await until(() => readRecord(visitor.doc, 'employees', e3)?.full_name === 'Zeynep Demir', 'visitor still receives updates')
    expect(owner.refused).toEqual([])
    const fresh = client('istanbul', 'mehmet')
    await fresh.synced()
    expect(readRecord(fresh.doc, 'employees', e3)?.full_name).toBe('Zeynep Demir')
    expect(readRecord(fresh.doc, 'employees', intruder)).toBeUndefined()
    expect(readRecord(owner.doc, 'employees', intruder)).toBeUndefined()
  })

  it('a read-only client whose doc holds deletions is not refused (its sync step 2 is not a write)', async () => {
    const writer = client('ankara', 'ayse')
    await writer.synced()
    // An overwrite is the deletion a region doc holds: the old value's item is deleted.
    const id = insertRecord(writer.doc, 'employees', 'ankara', { full_name: 'Ali Veli', title: 'Çırak' }, { user: 'ayse' })
    updateRecord(writer.doc, 'employees', id, { title: 'Usta' }, { user: 'ayse' })
    const clock = Y.getState(writer.doc.store, writer.doc.clientID)
    await until(() => (writer.durable.get(writer.doc.clientID) ?? 0) >= clock, 'ankara edits durable')
    expect(writer.refused).toEqual([])
    const reader = client('ankara', 'mehmet')
    await reader.synced()
    await until(() => readRecord(reader.doc, 'employees', id)?.title === 'Usta', 'reader receives the overwrite')
    // The reader's doc now holds deleted items (the overwritten title and stamps).
    expect(Y.snapshot(reader.doc).ds.clients.get(writer.doc.clientID)?.length ?? 0).toBeGreaterThan(0)
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
