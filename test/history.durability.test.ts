/**
 * History survives `kill -9`: a relay process killed in the middle of a burst of edits to one
 * record, restarted on the same data directory, answers that record's history with every change
 * its document holds — the acknowledged ones and the ones the writer sent again after the
 * restart — each with the account and time the relay stored it with, through compactions that
 * folded most of the update log into a snapshot. The attribution is written in the same
 * transaction as the update, so no kill can keep one without the other.
 */
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { HistoryChange } from '../crdt/historyWire.ts'
import { insertRecord, updateRecord } from '../crdt/regionDoc.ts'
import { STORE_FILE } from '../relay/store.ts'
import { ADMIN_PASSWORD, connectClient, seedUsers, spawnRelay, tempDir, tokenFor, until, type RelayProcess, type TestClient } from './helpers/relayProcess.ts'

const temps: Array<{ remove(): void }> = []
const relays: RelayProcess[] = []
const clients: TestClient[] = []

afterAll(async () => {
  for (const c of clients) c.destroy()
  for (const r of relays) await r.stop('SIGKILL')
  for (const t of temps) t.remove()
})

describe('history after kill -9', () => {
  it('is complete: every change of the record with its account and time, through compaction', async () => {
    const data = tempDir()
    temps.push(data)
    await seedUsers(data.dir, [
      { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
      { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
    ])
    const relay = await spawnRelay(data.dir, ['--rate', '100000', '--compact-after', '50'])
    relays.push(relay)
    const writerDoc = new Y.Doc({ gc: false })
    const writer = connectClient(relay, 'ankara', await tokenFor(relay, 'ayse', 'ayse-password'), writerDoc)
    clients.push(writer)
    await writer.synced()
    const ayse = { user: 'ayse' }
    const id = insertRecord(writerDoc, 'employees', 'ankara', { full_name: 'Ayşe Yılmaz' }, ayse)
    const me = writerDoc.clientID
    let written = 0
    for (let i = 0; i < 5000; i++) {
      updateRecord(writerDoc, 'employees', id, { title: `t${i}` }, ayse)
      written++
      if (i % 10 === 9) await new Promise((r) => setImmediate(r))
      // Killed once a good part is on disk, while the writer goes on writing.
      if ((writer.durable.get(me) ?? 0) > 600) break
    }
    relay.child.kill('SIGKILL')
    await until(() => !writer.provider.wsconnected, 'the writer sees the relay go away')
    writer.provider.disconnect()

    const again = await spawnRelay(data.dir, ['--rate', '100000', '--compact-after', '50'])
    relays.push(again)
    const token = await tokenFor(again, 'ayse', 'ayse-password')
    // The writer's copy reconnects: what the relay had not stored goes again.
    const resend = connectClient(again, 'ankara', token, writerDoc)
    clients.push(resend)
    await resend.synced()
    await until(() => (resend.durable.get(me) ?? 0) >= Y.getState(writerDoc.store, me), 'every edit of the writer is on the relay')

    const res = await fetch(`${again.url}/api/history/ankara?table=employees&id=${id}`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(200)
    const changes = ((await res.json()) as { changes: HistoryChange[] }).changes
    const titles = changes.filter((c) => c.field === 'title')
    expect(titles).toHaveLength(written)
    expect(titles.map((c) => c.new)).toEqual(Array.from({ length: written }, (_, i) => `t${i}`))
    expect(titles.every((c, i) => c.old === (i === 0 ? null : `t${i - 1}`))).toBe(true)
    expect(changes.every((c) => c.account === 'ayse' && c.at !== null)).toBe(true)
    expect(titles.at(-1)?.shown).toBe(true)

    // Compaction folded the log (the restarted relay compacts what it found logged, in the
    // background): most of these changes live only in the snapshot now, and read the same.
    const store = new Database(path.join(data.dir, STORE_FILE), { readonly: true, fileMustExist: true })
    try {
      const count = (sql: string): number => (store.prepare(sql).get() as { n: number }).n
      await until(() => count("SELECT count(*) AS n FROM snapshots WHERE region = 'ankara'") === 1, 'a compaction of the document')
      expect(count("SELECT count(*) AS n FROM updates WHERE region = 'ankara'")).toBeLessThan(written)
    } finally {
      store.close()
    }
    const after = await fetch(`${again.url}/api/history/ankara?table=employees&id=${id}`, { headers: { authorization: `Bearer ${token}` } })
    expect(((await after.json()) as { changes: HistoryChange[] }).changes).toEqual(changes)
  })
})
