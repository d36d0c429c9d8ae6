/**
 * A token that expires while the relay is down: on reconnect the relay refuses it (4401), the
 * engine logs in again with the password it holds in memory, and the offline edits arrive once.
 */
import { currentPeriod } from '../schema/periods.ts'
import { afterAll, describe, expect, it } from 'vitest'
import { seedUsers, spawnRelay, tempDir, until, type RelayProcess } from './helpers/relayProcess.ts'
import { removeDir, startPeer, type TestPeer } from './helpers/peerEngine.ts'

/** This month: open on every PC from sign-in, whatever day the tests run. */
const thisMonth = currentPeriod()
const data = tempDir()
const peers: TestPeer[] = []
const relays: RelayProcess[] = []

afterAll(async () => {
  for (const p of peers) await p.close().catch(() => {})
  for (const r of relays) await r.stop('SIGKILL')
  for (const p of peers) removeDir(p.dir)
  data.remove()
})

function expiry(token: string | null): number {
  const payload = JSON.parse(Buffer.from((token ?? '').split('.')[0] ?? '', 'base64url').toString('utf8')) as { exp: number }
  return payload.exp
}

describe('token expiry during an outage', () => {
  it('renews the token on reconnect without losing or duplicating edits', async () => {
    await seedUsers(data.dir, [
      { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
      { username: 'ali', role: 'editor', region: 'ankara', password: 'ali-password' },
    ])
    const ttl = ['--token-ttl-seconds', '2']
    const relay = await spawnRelay(data.dir, ttl)
    relays.push(relay)
    const ayse = await startPeer(relay.url, 'ayse', 'ayse-password', { engine: { regions: ['ankara'] } })
    peers.push(ayse)
    await ayse.engine.whenSynced()
    const employee = ayse.engine.insert('employees', { full_name: 'Ayşe Yılmaz' })
    await ayse.engine.whenSynced()

    await relay.stop()
    const firstToken = ayse.session.token()
    const ids: string[] = []
    for (let day = 1; day <= 5; day++) {
      ids.push(
        ayse.engine.insert('timesheets', {
          employee_id: employee,
          work_date: `${thisMonth}-0${day + 1}`,
          start_time: '08:30',
          end_time: '17:30',
          break_minutes: 60,
          is_special: 0,
        }),
      )
    }
    ayse.engine.update('employees', employee, { title: 'Usta' })
    expect(ayse.engine.pendingChanges).toBe(6)
    // Waiting for the clock, not measuring anything: the token must be dead before the relay returns.
    await until(() => Date.now() > expiry(firstToken) + 200, 'the token expires', 10_000)

    // Back with the default lifetime: the old token stays expired, the renewed one outlives this test.
    relays.push(await spawnRelay(data.dir, ['--port', String(relay.port)]))
    await ayse.engine.whenSynced()
    expect(ayse.engine.pendingChanges).toBe(0)
    expect(ayse.session.token()).not.toBe(firstToken)
    expect(expiry(ayse.session.token())).toBeGreaterThan(expiry(firstToken))
    expect(relays[1].output()).toMatch(/\(4401\)/)
    expect(relays[1].output()).not.toContain(firstToken ?? '<none>')

    // A second device sees each offline edit exactly once.
    const ali = await startPeer(relay.url, 'ali', 'ali-password', { engine: { regions: ['ankara'] } })
    peers.push(ali)
    await ali.engine.whenSynced()
    await until(() => ali.engine.doc(`ankara/${thisMonth}`).getMap('timesheets').size === 5, 'ali receives the timesheets')
    const mirror = await ali.mirror()
    try {
      expect(mirror.query('SELECT id FROM timesheets ORDER BY work_date').map((r) => r.id)).toEqual(ids)
      expect(mirror.query('SELECT full_name, title, updated_by FROM employees')).toEqual([
        { full_name: 'Ayşe Yılmaz', title: 'Usta', updated_by: 'ayse' },
      ])
    } finally {
      mirror.close()
    }
  })
})
