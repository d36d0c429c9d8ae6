/**
 * Undo and redo in the sync engine against a real relay, with two accounts and a second PC of the
 * first: an undo takes back only this session's own edits, never a field another account (or the
 * same account on another PC) changed since, nor a value of its own that lost a concurrent edit;
 * undoing a new record deletes it unless someone else changed it; edits close together are one
 * step; undo and redo reach every PC as ordinary edits; an undo into a closed month is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MonthClosedError } from '../client/engine.ts'
import { startRelay, type Relay } from '../relay/server.ts'
import { currentPeriod, documentName } from '../schema/periods.ts'
import { removeDir, startPeer, type TestPeer } from './helpers/peerEngine.ts'
import { ADMIN_PASSWORD, seedUsers, tempDir, tokenFor, until } from './helpers/relayProcess.ts'

const MONTH = currentPeriod()
/** One region each: three PCs of one account stay under the relay's 32 connections per account. */
const EACH_EDIT_A_STEP = { engine: { regions: ['ankara'], undo: { captureMs: 0 } } } as const

describe('undo in the engine', () => {
  const data = tempDir('rainstaff-undo-')
  let relay: Relay
  let ayse: TestPeer
  let ayseLaptop: TestPeer
  let mehmet: TestPeer
  let employee = ''

  const seen = (peer: TestPeer, id: string) => peer.engine.record('employees', id, 'ankara')
  const everywhere = async (id: string, check: (r: Record<string, unknown> | undefined) => boolean, what: string) => {
    for (const peer of [ayse, ayseLaptop, mehmet]) await until(() => check(seen(peer, id)), `${peer.name}: ${what}`)
  }

  beforeAll(async () => {
    await seedUsers(data.dir, [
      { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
      { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
      { username: 'mehmet', role: 'editor', region: 'ankara', password: 'mehmet-password' },
    ])
    relay = await startRelay({ dataDir: data.dir, port: 0, host: '127.0.0.1', log: () => {} })
    ayse = await startPeer(relay.url, 'ayse', 'ayse-password', EACH_EDIT_A_STEP)
    ayseLaptop = await startPeer(relay.url, 'ayse', 'ayse-password', EACH_EDIT_A_STEP)
    mehmet = await startPeer(relay.url, 'mehmet', 'mehmet-password', EACH_EDIT_A_STEP)
    employee = mehmet.engine.insert('employees', { full_name: 'Ayşe Yılmaz', title: 'Usta', department: 'DEPO' })
    await mehmet.engine.whenSynced()
    await everywhere(employee, (r) => r !== undefined, 'has the employee')
  })

  afterAll(async () => {
    for (const peer of [ayse, ayseLaptop, mehmet]) await peer?.close()
    await relay?.close()
    for (const peer of [ayse, ayseLaptop, mehmet]) if (peer) removeDir(peer.dir)
    data.remove()
  })

  it('takes back only its own edit: a field another account changed since keeps their value', async () => {
    expect(ayse.engine.canUndo).toBe(false)
    ayse.engine.update('employees', employee, { title: 'Kalfa', department: 'ÜRETİM' })
    await ayse.engine.whenSynced()
    await everywhere(employee, (r) => r?.department === 'ÜRETİM', 'sees ayşe’s edit')
    mehmet.engine.update('employees', employee, { department: 'İDARİ' })
    await mehmet.engine.whenSynced()
    await everywhere(employee, (r) => r?.department === 'İDARİ', 'sees mehmet’s edit')
    // Remote edits never enter this session's steps.
    expect(mehmet.engine.canUndo).toBe(true)
    expect(ayseLaptop.engine.canUndo).toBe(false)

    expect(ayse.engine.undo()).toEqual({ changed: 1, skipped: [] })
    await ayse.engine.whenSynced()
    await everywhere(employee, (r) => r?.title === 'Usta' && r?.department === 'İDARİ', 'title back, mehmet’s department kept')
    expect(seen(ayse, employee)?.updated_by).toBe('ayse')
    expect(ayse.engine.canUndo).toBe(false)
    expect(ayse.engine.canRedo).toBe(true)

    expect(ayse.engine.redo()).toEqual({ changed: 1, skipped: [] })
    await ayse.engine.whenSynced()
    await everywhere(employee, (r) => r?.title === 'Kalfa' && r?.department === 'İDARİ', 'redone, still mehmet’s department')
  })

  it('never takes back the same account’s edit made on another PC', async () => {
    ayse.engine.update('employees', employee, { title: 'Usta başı' })
    await ayse.engine.whenSynced()
    await everywhere(employee, (r) => r?.title === 'Usta başı', 'sees the desk’s title')
    ayseLaptop.engine.update('employees', employee, { title: 'Şef' })
    await ayseLaptop.engine.whenSynced()
    await everywhere(employee, (r) => r?.title === 'Şef', 'sees the laptop’s title')
    const outcome = ayse.engine.undo()
    expect(outcome).toEqual({ changed: 0, skipped: [{ table: 'employees', id: employee }] })
    await ayse.engine.whenSynced()
    expect(seen(mehmet, employee)?.title).toBe('Şef')
  })

  it('does not bring its value back over the one that won a concurrent edit', async () => {
    ayse.engine.disconnect()
    mehmet.engine.disconnect()
    ayse.engine.update('employees', employee, { department: 'DEPO' })
    mehmet.engine.update('employees', employee, { department: 'TEKNİK' })
    ayse.engine.connect()
    mehmet.engine.connect()
    await ayse.engine.whenSynced()
    await mehmet.engine.whenSynced()
    await until(() => seen(ayse, employee)?.department === seen(mehmet, employee)?.department, 'one department wins')
    const winner = seen(ayse, employee)?.department
    const outcome = ayse.engine.undo()
    await ayse.engine.whenSynced()
    await everywhere(employee, (r) => r?.department !== undefined, 'synced')
    if (winner === 'TEKNİK') {
      // Ayşe's value lost: the undo leaves mehmet's winning value alone.
      expect(outcome?.skipped).toEqual([{ table: 'employees', id: employee }])
      await everywhere(employee, (r) => r?.department === 'TEKNİK', 'keeps mehmet’s department')
    } else {
      // Ayşe's value won: undoing it goes back to what she had seen, over nobody's later edit.
      expect(outcome?.changed).toBe(1)
      await everywhere(employee, (r) => r?.department === 'İDARİ', 'back to what ayşe had seen')
    }
  })

  it('undoes a new record by deleting it, unless someone else changed it since', async () => {
    const fresh = ayse.engine.insert('employees', { full_name: 'Yeni Kişi' })
    await ayse.engine.whenSynced()
    expect(ayse.engine.undo()).toEqual({ changed: 1, skipped: [] })
    await ayse.engine.whenSynced()
    await everywhere(fresh, (r) => r !== undefined && r.deleted_at !== null, 'the new record is deleted')
    expect(ayse.engine.redo()?.changed).toBe(1)
    await ayse.engine.whenSynced()
    await everywhere(fresh, (r) => r?.deleted_at === null, 'the new record is back')

    const other = ayse.engine.insert('employees', { full_name: 'Başka Kişi' })
    await ayse.engine.whenSynced()
    await until(() => seen(mehmet, other) !== undefined, 'mehmet has it')
    mehmet.engine.update('employees', other, { title: 'Memur' })
    await mehmet.engine.whenSynced()
    await until(() => seen(ayse, other)?.title === 'Memur', 'ayşe sees mehmet’s title')
    expect(ayse.engine.undo()).toEqual({ changed: 0, skipped: [{ table: 'employees', id: other }] })
    expect(seen(ayse, other)?.deleted_at).toBeNull()
  })

  it('groups edits made close together into one step', async () => {
    const grouping = await startPeer(relay.url, 'ayse', 'ayse-password', { engine: { regions: ['ankara'], undo: { captureMs: 60_000 } } })
    try {
      const a = grouping.engine.insert('employees', { full_name: 'Grup Bir' })
      const b = grouping.engine.insert('employees', { full_name: 'Grup İki' })
      grouping.engine.update('employees', a, { title: 'Usta' })
      expect(grouping.engine.undo()).toEqual({ changed: 2, skipped: [] })
      expect(grouping.engine.canUndo).toBe(false)
      expect(grouping.engine.record('employees', a, 'ankara')?.deleted_at).not.toBeNull()
      expect(grouping.engine.record('employees', b, 'ankara')?.deleted_at).not.toBeNull()
      expect(grouping.engine.redo()?.changed).toBe(2)
      expect(grouping.engine.record('employees', a, 'ankara')).toMatchObject({ deleted_at: null, title: 'Usta' })
      await grouping.engine.whenSynced()
    } finally {
      await grouping.close()
      removeDir(grouping.dir)
    }
  })

  it('refuses an undo into a month the head office closed, keeping the step', async () => {
    const sheet = ayse.engine.insert('timesheets', { employee_id: employee, work_date: `${MONTH}-05`, start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0 })
    await ayse.engine.whenSynced()
    const admin = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
    const name = documentName('ankara', MONTH)
    const versions = (await (await fetch(`${relay.url}/api/documents`, { headers: { authorization: `Bearer ${admin}` } })).json()) as { versions: Record<string, string> }
    const closed = await fetch(`${relay.url}/api/periods/${name}/close`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'x-rainstaff-version': versions.versions[name] ?? '0', 'content-type': 'application/octet-stream' },
      body: new TextEncoder().encode('sheet'),
    })
    expect(closed.status).toBe(200)
    await until(() => ayse.engine.state.documents[name]?.closed === true, 'ayşe hears the month closed')
    expect(() => ayse.engine.undo()).toThrow(MonthClosedError)
    expect(ayse.engine.canUndo).toBe(true)
    expect(ayse.engine.record('timesheets', sheet, 'ankara')?.deleted_at).toBeNull()
    expect(ayse.engine.state.pendingChanges).toBe(0)
  })
})
