/**
 * A closed month as the sync engine lives it, against a real relay: once it hears the month is
 * closed, a write into it is refused before anything is written; an edit made offline before it
 * heard reaches the relay as a late edit — its pending count reaches 0 and it shows as waiting for
 * the head office; rejected, the device's month goes back to the relay's values and says so,
 * its other edits untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MonthClosedError } from '../client/engine.ts'
import { startRelay, type Relay } from '../relay/server.ts'
import { currentPeriod, documentName } from '../schema/periods.ts'
import { removeDir, startPeer, type TestPeer } from './helpers/peerEngine.ts'
import { ADMIN_PASSWORD, seedUsers, tempDir, tokenFor, until } from './helpers/relayProcess.ts'

const MONTH = currentPeriod()
const NAME = documentName('ankara', MONTH)

describe('a closed month in the engine', () => {
  const data = tempDir('rainstaff-engine-closing-')
  let relay: Relay
  let office: TestPeer
  let laptop: TestPeer
  let admin = ''
  let sheetId = ''

  const api = async (path: string, init: RequestInit = {}): Promise<Record<string, unknown>> => {
    const res = await fetch(`${relay.url}${path}`, { ...init, headers: { authorization: `Bearer ${admin}`, ...(init.headers as Record<string, string> | undefined) } })
    expect(res.status).toBe(200)
    return (await res.json()) as Record<string, unknown>
  }

  beforeAll(async () => {
    await seedUsers(data.dir, [
      { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
      { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
    ])
    relay = await startRelay({ dataDir: data.dir, port: 0, host: '127.0.0.1', log: () => {} })
    admin = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
    office = await startPeer(relay.url, 'ayse', 'ayse-password')
    const employee = office.engine.insert('employees', { full_name: 'Ayşe Yılmaz' })
    sheetId = office.engine.insert('timesheets', { employee_id: employee, work_date: `${MONTH}-02`, start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0, notes: 'ilk' })
    await office.engine.whenSynced()
    // The laptop has the month, then goes offline and edits it before the close.
    laptop = await startPeer(relay.url, 'ayse', 'ayse-password')
    await laptop.engine.whenSynced()
    laptop.engine.disconnect()
    laptop.engine.update('timesheets', sheetId, { notes: 'dizüstünde' })
    const versions = (await api('/api/documents')).versions as Record<string, string>
    await api(`/api/periods/${NAME}/close`, { method: 'POST', body: new TextEncoder().encode('sheet'), headers: { 'x-rainstaff-version': versions[NAME]!, 'content-type': 'application/octet-stream' } })
  })

  afterAll(async () => {
    await office.close()
    await laptop.close()
    await relay.close()
    removeDir(office.dir)
    removeDir(laptop.dir)
    data.remove()
  })

  it('refuses a write into the month once it hears it closed, writing nothing', async () => {
    await until(() => office.engine.state.documents[NAME]?.closed === true, 'the office hears the month closed')
    expect(() => office.engine.update('timesheets', sheetId, { notes: 'yeni' })).toThrow(MonthClosedError)
    expect(() => office.engine.update('timesheets', sheetId, { notes: 'yeni' })).toThrow(/merkez tarafından kapatıldı/)
    expect(office.engine.state.pendingChanges).toBe(0)
    expect(office.engine.record('timesheets', sheetId, 'ankara')?.notes).toBe('ilk')
  })

  it('sends an edit made offline before the close as a late edit: nothing pending, waiting for head office', async () => {
    expect(laptop.engine.state.pendingChanges).toBe(1)
    laptop.engine.connect()
    await until(() => laptop.engine.state.pendingChanges === 0 && laptop.engine.state.documents[NAME]?.waitingForHeadOffice === 1, 'the late edit is durable and waiting')
    expect(office.engine.record('timesheets', sheetId, 'ankara')?.notes).toBe('ilk')
  })

  it('rejected, the laptop’s month goes back to the relay’s values and it is told', async () => {
    const errors: string[] = []
    laptop.engine.on('error', (e) => errors.push(e.code))
    const [edit] = (await api('/api/late-edits?state=waiting')).lateEdits as Array<{ id: number }>
    await api(`/api/late-edits/${edit!.id}/reject`, { method: 'POST', body: JSON.stringify({ reason: 'kapalı ay' }), headers: { 'content-type': 'application/json' } })
    await until(() => laptop.engine.record('timesheets', sheetId, 'ankara')?.notes === 'ilk', 'the laptop drops the rejected edit')
    expect(errors).toContain('late_edit_rejected')
    await until(() => laptop.engine.state.documents[NAME]?.waitingForHeadOffice === 0, 'nothing waits')
    expect(laptop.engine.state.pendingChanges).toBe(0)
    expect(laptop.engine.record('employees', String(office.engine.record('timesheets', sheetId, 'ankara')?.employee_id), 'ankara')?.full_name).toBe('Ayşe Yılmaz')
  })
})
