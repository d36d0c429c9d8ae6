/**
 * Offline first against a real relay process: peers edit while the relay is down, restart while
 * still offline (signing in from the device verifier), and converge when the relay returns.
 */
import { afterAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { seedUsers, spawnRelay, tempDir, until, type RelayProcess } from './helpers/relayProcess.ts'
import { removeDir, startPeer, type TestPeer } from './helpers/peerEngine.ts'

const USERS = [
  { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
  { username: 'ali', role: 'editor', region: 'ankara', password: 'ali-password' },
  { username: 'mehmet', role: 'editor', region: 'istanbul', password: 'mehmet-password' },
] as const

const peers: TestPeer[] = []
const relays: RelayProcess[] = []
const data = tempDir()

afterAll(async () => {
  for (const p of peers) await p.close().catch(() => {})
  for (const r of relays) await r.stop('SIGKILL')
  for (const p of peers) removeDir(p.dir)
  data.remove()
})

async function relayOn(port = 0): Promise<RelayProcess> {
  const relay = await spawnRelay(data.dir, ['--port', String(port)])
  relays.push(relay)
  return relay
}

async function peer(relay: RelayProcess, username: string): Promise<TestPeer> {
  const user = USERS.find((u) => u.username === username)!
  const p = await startPeer(relay.url, username, user.password)
  peers.push(p)
  return p
}

describe('offline edits, restarts and the relay coming back', () => {
  it('three peers in two regions converge after editing and restarting offline', async () => {
    await seedUsers(data.dir, USERS)
    const relay = await relayOn()
    const ayse = await peer(relay, 'ayse')
    const ali = await peer(relay, 'ali')
    const mehmet = await peer(relay, 'mehmet')
    await Promise.all([ayse, ali, mehmet].map((p) => p.engine.whenSynced()))
    const shared = ayse.engine.insert('employees', { full_name: 'Ortak Çalışan' })
    await ayse.engine.whenSynced()
    await until(() => ali.engine.doc('ankara').getMap('employees').has(shared), 'ali sees the shared employee')

    expect(await relay.stop()).toBe(0)

    // Offline: every peer keeps editing its own region.
    const ayseIds = [ayse.engine.insert('employees', { full_name: 'Ayşe Yılmaz' })]
    ayseIds.push(
      ayse.engine.insert('timesheets', {
        employee_id: ayseIds[0],
        work_date: '2026-03-02',
        start_time: '08:30',
        end_time: '17:30',
        break_minutes: 60,
        is_special: 0,
      }),
    )
    const aliId = ali.engine.insert('employees', { full_name: 'Ali Demir' })
    ali.engine.update('employees', shared, { title: 'Şef' })
    const mehmetId = mehmet.engine.insert('vehicles', { plate: '34 abc 123', km: 1200 })
    expect([ayse.engine.pendingChanges, ali.engine.pendingChanges, mehmet.engine.pendingChanges]).toEqual([2, 2, 1])
    // Another region is read-only for an editor, online or not.
    expect(() => mehmet.engine.insert('employees', { full_name: 'X' }, 'ankara')).toThrow(/yazma izniniz yok \/ You may not write/)

    // Restart every peer while the relay is still down: offline sign-in, state from disk.
    const before = new Map(peers.map((p) => [p.name, Y.encodeStateVector(p.engine.doc(p.engine.user.region!))]))
    for (const p of [ayse, ali, mehmet]) await p.restart()
    for (const p of [ayse, ali, mehmet]) {
      expect(p.online).toBe(false)
      // Loaded from the Yjs log, not rebuilt: the same structs, nothing added.
      expect(Y.encodeStateVector(p.engine.doc(p.engine.user.region!))).toEqual(before.get(p.name))
    }
    expect([ayse.engine.pendingChanges, ali.engine.pendingChanges, mehmet.engine.pendingChanges]).toEqual([2, 2, 1])
    // Still editing after the restart, stamped with the offline-unlocked user.
    ali.engine.update('employees', aliId, { department: 'Muhasebe' })
    expect(ali.engine.pendingChanges).toBe(3)

    await relayOn(relay.port)
    await Promise.all([ayse, ali, mehmet].map((p) => p.engine.whenSynced()))
    for (const p of [ayse, ali, mehmet]) expect(p.engine.state.pendingChanges).toBe(0)
    for (const p of [ayse, ali, mehmet]) expect(p.engine.state.lastSyncedAt).not.toBeNull()

    // Everyone holds the same docs, and every region is readable by every peer.
    for (const region of ['ankara', 'istanbul']) {
      const reference = Y.encodeStateVector(ayse.engine.doc(region))
      await until(
        () => [ali, mehmet].every((p) => Buffer.from(Y.encodeStateVector(p.engine.doc(region))).equals(Buffer.from(reference))),
        `${region} converges`,
      )
    }
    // A month outside the working ones opens on demand, from the relay.
    for (const p of [ali, mehmet]) await p.engine.openPeriod('ankara', '2026-03')
    await Promise.all([ali, mehmet].map((p) => p.engine.whenSynced()))
    const mirrors = await Promise.all([ayse, ali, mehmet].map((p) => p.mirror()))
    try {
      for (const mirror of mirrors) {
        expect(mirror.query('SELECT full_name, title, department, updated_by FROM employees ORDER BY full_name')).toEqual([
          { full_name: 'Ali Demir', title: null, department: 'Muhasebe', updated_by: 'ali' },
          { full_name: 'Ayşe Yılmaz', title: null, department: null, updated_by: 'ayse' },
          { full_name: 'Ortak Çalışan', title: 'Şef', department: null, updated_by: 'ali' },
        ])
        expect(mirror.query('SELECT id, region, plate, updated_by FROM vehicles')).toEqual([
          { id: mehmetId, region: 'istanbul', plate: '34ABC123', updated_by: 'mehmet' },
        ])
        expect(mirror.query('SELECT count(*) AS n FROM timesheets')).toEqual([{ n: 1 }])
        expect(mirror.query('SELECT count(*) AS n FROM conflicts')).toEqual([{ n: 0 }])
      }
    } finally {
      for (const m of mirrors) m.close()
    }
  })
})
