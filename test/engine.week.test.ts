/**
 * A week of offline work: thousands of edits over five restarts of the app, all uploaded in one
 * reconnect (one admitted connection per region, no retries) once the relay returns.
 */
import { currentPeriod } from '../schema/periods.ts'
import { afterAll, describe, expect, it } from 'vitest'
import { metricsText, seedUsers, spawnRelay, tempDir, until, type RelayProcess } from './helpers/relayProcess.ts'
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

async function connectionsOpened(relay: RelayProcess): Promise<number> {
  const text = await metricsText(relay)
  return Number(/^rainstaff_connections_opened_total (\d+)$/m.exec(text)?.[1])
}

describe('a week of offline work', () => {
  it('uploads thousands of edits in one reconnect', async () => {
    await seedUsers(data.dir, [
      { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
      { username: 'ali', role: 'editor', region: 'ankara', password: 'ali-password' },
    ])
    const relay = await spawnRelay(data.dir)
    relays.push(relay)
    const ayse = await startPeer(relay.url, 'ayse', 'ayse-password', { engine: { regions: ['ankara'] } })
    peers.push(ayse)
    await ayse.engine.whenSynced()
    await relay.stop()

    const employees: string[] = []
    for (let i = 0; i < 40; i++) employees.push(ayse.engine.insert('employees', { full_name: `Çalışan ${i}` }))
    let edits = employees.length
    const perDay = 600
    for (let day = 0; day < 5; day++) {
      // Every morning the app starts again, still offline.
      await ayse.restart()
      expect(ayse.online).toBe(false)
      const date = `${thisMonth}-${String(day + 2).padStart(2, '0')}`
      const ids: string[] = []
      for (let i = 0; i < perDay / 2; i++) {
        ids.push(
          ayse.engine.insert('timesheets', {
            employee_id: employees[i % employees.length],
            work_date: date,
            start_time: '08:30',
            end_time: '17:30',
            break_minutes: 60,
            is_special: 0,
          }),
        )
      }
      // Corrections later in the day: every row's end time, one transaction each.
      for (const [i, id] of ids.entries()) ayse.engine.update('timesheets', id, { end_time: i % 2 === 0 ? '18:00' : '19:15' })
      edits += perDay
      await ayse.engine.flush()
    }
    expect(ayse.engine.pendingChanges).toBe(edits)
    await ayse.restart()
    expect(ayse.engine.pendingChanges).toBe(edits)

    const back = await spawnRelay(data.dir, ['--port', String(relay.port)])
    relays.push(back)
    await ayse.engine.whenSynced(120_000)
    expect(ayse.engine.pendingChanges).toBe(0)
    // One connection per open document (master data and the working months), none reopened.
    expect(await connectionsOpened(back)).toBe(ayse.engine.documents().length)

    const ali = await startPeer(back.url, 'ali', 'ali-password', { engine: { regions: ['ankara'] } })
    peers.push(ali)
    await ali.engine.whenSynced()
    await until(() => ali.engine.doc(`ankara/${thisMonth}`).getMap('timesheets').size === 5 * (perDay / 2), 'ali receives the week')
    const mirror = await ali.mirror()
    try {
      expect(mirror.query('SELECT end_time, count(*) AS n FROM timesheets GROUP BY end_time ORDER BY end_time')).toEqual([
        { end_time: '18:00', n: 750 },
        { end_time: '19:15', n: 750 },
      ])
      expect(mirror.query('SELECT count(*) AS n FROM employees')).toEqual([{ n: 40 }])
      expect(mirror.query('SELECT count(*) AS n FROM conflicts')).toEqual([{ n: 0 }])
    } finally {
      mirror.close()
    }
  })
})
