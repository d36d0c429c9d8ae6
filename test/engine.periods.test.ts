/**
 * Month documents against a real relay: what a sign-in opens, a month opened on demand and kept
 * offline, a timesheet moved across a month boundary while another PC edits it offline.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { seedUsers, spawnRelay, tempDir, type RelayProcess } from './helpers/relayProcess.ts'
import { removeDir, startPeer, type TestPeer } from './helpers/peerEngine.ts'
import { currentPeriod, shiftPeriod } from '../schema/periods.ts'

const USERS = [
  { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
  { username: 'ali', role: 'editor', region: 'ankara', password: 'ali-password' },
  { username: 'admin', role: 'admin', region: null, password: 'admin-password' },
] as const

const peers: TestPeer[] = []
const data = tempDir()
let relay: RelayProcess

afterAll(async () => {
  for (const p of peers) await p.close().catch(() => {})
  await relay?.stop('SIGKILL')
  for (const p of peers) removeDir(p.dir)
  data.remove()
})

async function peer(username: string): Promise<TestPeer> {
  const user = USERS.find((u) => u.username === username)!
  const p = await startPeer(relay.url, username, user.password)
  peers.push(p)
  return p
}

const shift = { start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0 } as const
const thisMonth = currentPeriod()
const lastMonth = shiftPeriod(thisMonth, -1)
const lastDayOfLastMonth = (): string => {
  const [y, m] = thisMonth.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, 0)).toISOString().slice(0, 10)
}

describe('month documents through the relay', () => {
  it('a sign-in opens master data, this month and the last; an old month opens on demand and stays offline', async () => {
    await seedUsers(data.dir, USERS)
    relay = await spawnRelay(data.dir)
    const ayse = await peer('ayse')
    await ayse.engine.whenSynced()
    expect(ayse.engine.documents('ankara')).toEqual(['ankara', `ankara/${lastMonth}`, `ankara/${thisMonth}`])

    const employee = ayse.engine.insert('employees', { full_name: 'Ayşe Yılmaz' })
    const old = ayse.engine.insert('timesheets', { employee_id: employee, work_date: '2024-03-04', ...shift })
    expect(ayse.engine.documents('ankara')).toContain('ankara/2024-03')
    await ayse.engine.whenSynced()

    // Another PC: the old month is not opened at sign-in, and opens from the relay when asked.
    const ali = await peer('ali')
    await ali.engine.whenSynced()
    expect(ali.engine.documents('ankara')).not.toContain('ankara/2024-03')
    await ali.engine.openPeriod('ankara', '2024-03')
    await ali.engine.whenSynced()
    expect(ali.engine.record('timesheets', old, 'ankara')).toMatchObject({ work_date: '2024-03-04', employee_id: employee })

    // Offline, the cached month is there again; an edit made in it offline is reopened at every start until synced.
    await relay.stop()
    await ali.restart()
    expect(ali.online).toBe(false)
    await ali.engine.openPeriod('ankara', '2024-03')
    expect(ali.engine.record('timesheets', old, 'ankara')?.work_date).toBe('2024-03-04')
    ali.engine.update('timesheets', old, { notes: 'çevrimdışı' })
    await ali.engine.flush()
    await ali.restart()
    expect(ali.engine.documents('ankara')).toContain('ankara/2024-03')
    expect(ali.engine.state.documents['ankara/2024-03']?.pendingChanges).toBe(1)
    relay = await spawnRelay(data.dir, ['--port', String(new URL(relay.url).port)])
    await ali.restart()
    await ali.engine.whenSynced()
    await ayse.engine.whenSynced()
    expect(ayse.engine.record('timesheets', old, 'ankara')?.notes).toBe('çevrimdışı')
  })

  it('a row moved from the last day of last month to the first of this one keeps its id and an offline edit beside it', async () => {
    const [ayse, ali] = [peers[0], peers[1]]
    const employee = ayse.engine.insert('employees', { full_name: 'Mehmet Kaya' })
    const id = ayse.engine.insert('timesheets', { employee_id: employee, work_date: lastDayOfLastMonth(), ...shift })
    await ayse.engine.whenSynced()
    await ali.engine.whenSynced()
    expect(ali.engine.record('timesheets', id, 'ankara')).toBeDefined()

    // Ali goes offline and corrects the end time; Ayşe moves the row to this month meanwhile.
    ali.engine.disconnect()
    ali.engine.update('timesheets', id, { end_time: '18:00' })
    ayse.engine.update('timesheets', id, { work_date: `${thisMonth}-01` })
    await ayse.engine.whenSynced()
    ali.engine.connect()
    await ali.engine.whenSynced()
    await ayse.engine.whenSynced()
    for (const p of [ayse, ali]) {
      await expect.poll(() => p.engine.record('timesheets', id, 'ankara'), { timeout: 15_000 }).toMatchObject({ work_date: `${thisMonth}-01`, end_time: '18:00' })
      const mirror = await p.mirror()
      try {
        expect(mirror.query('SELECT count(*) AS n FROM timesheets WHERE id = ?', [id])).toEqual([{ n: 1 }])
      } finally {
        mirror.close()
      }
    }
  })
})
