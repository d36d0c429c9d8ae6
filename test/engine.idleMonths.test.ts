/**
 * Months opened on demand close again (client/idleMonths.ts) against a real relay: an idle one
 * with nothing pending closes and frees its connection while its rows stay in the mirror; one with
 * pending edits never closes until they are on the relay.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { Mirror } from '../crdt/mirror.ts'
import { workingPeriods } from '../schema/periods.ts'
import { removeDir, startPeer, type TestPeer } from './helpers/peerEngine.ts'
import { seedUsers, spawnRelay, tempDir, tokenFor, until, type RelayProcess } from './helpers/relayProcess.ts'

const data = tempDir()
let relay: RelayProcess
const peers: TestPeer[] = []
const mirrors: Mirror[] = []

afterAll(async () => {
  for (const p of peers) await p.close().catch(() => {})
  for (const m of mirrors) m.close()
  await relay?.stop('SIGKILL')
  for (const p of peers) removeDir(p.dir)
  data.remove()
})

const shift = { start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0 } as const

/** The relay's count of open connections to a region's documents (`/api/status`). */
async function connections(region: string): Promise<number> {
  const token = await tokenFor(relay, 'admin', 'admin-password')
  const status = (await (await fetch(`${relay.url}/api/status`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
    regions: Array<{ region: string; connections: number }>
  }
  return status.regions.find((r) => r.region === region)?.connections ?? -1
}

describe('months opened on demand', () => {
  it('close when idle with nothing pending, freeing their connection; a month with pending edits stays open', async () => {
    await seedUsers(data.dir, [
      { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
      { username: 'admin', role: 'admin', region: null, password: 'admin-password' },
    ])
    relay = await spawnRelay(data.dir)
    const ayse = await startPeer(relay.url, 'ayse', 'ayse-password', { engine: { regions: ['ankara'], idleMonths: { idleMs: 400 } } })
    peers.push(ayse)
    const closed: string[] = []
    ayse.engine.on('closed', (name) => closed.push(name))
    const mirror = await ayse.mirror()
    mirrors.push(mirror)
    const employee = ayse.engine.insert('employees', { full_name: 'Ayşe Yılmaz' })
    const january = ayse.engine.insert('timesheets', { employee_id: employee, work_date: '2024-01-08', ...shift })
    ayse.engine.insert('timesheets', { employee_id: employee, work_date: '2024-02-08', ...shift })
    // This month and last month hold a row too, so the relay stores (and counts connections to) them.
    for (const month of workingPeriods()) ayse.engine.insert('timesheets', { employee_id: employee, work_date: `${month}-05`, ...shift })
    await ayse.engine.whenSynced()
    const working = ayse.engine.documents().filter((name) => !name.includes('/2024-'))

    // Offline, an edit in January: pending, so January must stay open however long it is idle.
    ayse.engine.disconnect()
    ayse.engine.update('timesheets', january, { notes: 'çevrimdışı' })
    await until(() => closed.includes('ankara/2024-02'), 'February closes once idle', 10_000)
    // A month opened after the edit and closed once idle proves January has been idle as long.
    await ayse.engine.openPeriod('ankara', '2024-03')
    await until(() => closed.includes('ankara/2024-03'), 'March closes once idle', 10_000)
    expect(ayse.engine.documents()).toContain('ankara/2024-01')
    expect(ayse.engine.state.documents['ankara/2024-01']?.pendingChanges).toBe(1)
    expect(closed).not.toContain('ankara/2024-01')

    // Once the edit is on the relay, January closes too; the rows stay in the mirror.
    ayse.engine.connect()
    await ayse.engine.whenSynced()
    await until(() => closed.includes('ankara/2024-01'), 'January closes once synced and idle', 10_000)
    expect(ayse.engine.documents()).toEqual(working)
    expect(mirror.query(`SELECT work_date, notes FROM timesheets WHERE work_date < '2025' ORDER BY work_date`)).toEqual([
      { work_date: '2024-01-08', notes: 'çevrimdışı' },
      { work_date: '2024-02-08', notes: null },
    ])
    // Only master data, this month and last month keep a connection (the relay counts those of stored documents).
    await expect.poll(() => connections('ankara'), { timeout: 10_000 }).toBe(working.length)
    // Closed is not gone: the month opens again from the device, and its record is there.
    await ayse.engine.openPeriod('ankara', '2024-01')
    expect(ayse.engine.record('timesheets', january, 'ankara')?.notes).toBe('çevrimdışı')
  })

  it('a month a bulk import reads stays open while the import goes on', async () => {
    const ayse = peers[0]!
    const { documents, openMonth } = ayse.engine.documentsForImport('ankara')
    await openMonth('2022-01')
    await ayse.engine.openPeriod('ankara', '2022-02')
    const closed: string[] = []
    ayse.engine.on('closed', (name) => closed.push(name))
    // The import keeps reading January (planning, then writing); February is left alone.
    const reading = setInterval(() => documents.month('2022-01'), 40)
    try {
      await until(() => closed.includes('ankara/2022-02'), 'February closes once idle', 10_000)
      expect(ayse.engine.documents()).toContain('ankara/2022-01')
    } finally {
      clearInterval(reading)
    }
    await until(() => closed.includes('ankara/2022-01'), 'January closes once the import stops reading it', 10_000)
  })
})
