/**
 * Point-in-time restore against a real relay, through the CLI: after a buggy PC soft-deleted half
 * the region's employees and of a month's timesheets, changed fields, added junk and moved an
 * entry to another month, `restore --at` puts one record, then a table, then the month back as
 * they were — every record compared with the state before the bug — as one change per document
 * that every PC receives; the dry run lists and writes nothing; a later restore to a time before
 * a restore takes it back; a month the head office closed is refused with nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRelay, type Relay } from '../relay/server.ts'
import { currentPeriod, documentName, shiftPeriod } from '../schema/periods.ts'
import { TABLES, type CellValue, type TableName } from '../schema/tables.ts'
import { removeDir, startPeer, type TestPeer } from './helpers/peerEngine.ts'
import { ADMIN_PASSWORD, runCli, seedUsers, tempDir, tokenFor, until } from './helpers/relayProcess.ts'

const MONTH = currentPeriod()
const NEXT = shiftPeriod(MONTH, 1)
const DOC = documentName('ankara', MONTH)
const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 30))

type Snapshot = Map<string, Record<string, CellValue>>

describe('restore after a buggy client', () => {
  const data = tempDir('rainstaff-restore-')
  const cliState = tempDir('rainstaff-restore-cli-')
  const env = { RAINSTAFF_STATE: cliState.dir, LANG: 'tr_TR.UTF-8', RAINSTAFF_DEVICE_NAME: 'MERKEZ-PC' }
  let relay: Relay
  let office: TestPeer
  let buggy: TestPeer
  let adminToken = ''
  const employees: string[] = []
  const sheets: string[] = []
  let before: Snapshot
  let buggyState: Snapshot
  let beforeBug = ''
  let afterBug = ''

  /** Every record of `table` as the office PC holds it: its fields and whether it is deleted. */
  const snapshot = (table: TableName, ids: readonly string[]): Snapshot => {
    const out: Snapshot = new Map()
    for (const id of ids) {
      const record = office.engine.record(table, id, 'ankara')
      if (record === undefined) continue
      const fields: Record<string, CellValue> = { deleted: record.deleted_at === null ? 0 : 1 }
      for (const field of Object.keys(TABLES[table].fields)) fields[field] = record[field] ?? null
      out.set(`${table}/${id}`, fields)
    }
    return out
  }
  const all = (): Snapshot => new Map([...snapshot('employees', employees), ...snapshot('timesheets', sheets)])
  const restore = (args: string[]) => runCli(['restore', '--region', 'ankara', ...args], '', env)
  const version = async (name: string): Promise<string> => {
    const res = await fetch(`${relay.url}/api/documents`, { headers: { authorization: `Bearer ${adminToken}` } })
    return ((await res.json()) as { versions: Record<string, string> }).versions[name] ?? '0'
  }
  /**
   * Updates the restoring PC stored per document since `after`, as the audit lists them (the other
   * PCs may add a mark of their own when they see a move half-way, crdt/periodDocs.ts settleHome).
   */
  const updatesSince = async (after: number): Promise<Map<string, Set<number>>> => {
    const res = await fetch(`${relay.url}/api/audit?after=${after}&limit=10000`, { headers: { authorization: `Bearer ${adminToken}` } })
    const rows = ((await res.json()) as { rows: Array<{ seq: number; document: string; device: { name: string | null } | null }> }).rows
    const out = new Map<string, Set<number>>()
    for (const row of rows) if (row.device?.name === 'MERKEZ-PC') out.set(row.document, (out.get(row.document) ?? new Set()).add(row.seq))
    return out
  }
  const lastSeq = async (): Promise<number> => {
    const res = await fetch(`${relay.url}/api/audit?limit=10000`, { headers: { authorization: `Bearer ${adminToken}` } })
    return Math.max(0, ...((await res.json()) as { rows: Array<{ seq: number }> }).rows.map((r) => r.seq))
  }
  /** Waits for the office PC to hold `expected`; a timeout names the records that differ. */
  const officeSees = async (expected: Snapshot, what: string): Promise<void> => {
    try {
      await until(() => JSON.stringify([...all()]) === JSON.stringify([...expected]), what, 30_000)
    } catch (error) {
      const now = all()
      const differ = [...expected].filter(([key, value]) => JSON.stringify(now.get(key)) !== JSON.stringify(value)).map(([key, value]) => `${key}: ${JSON.stringify(now.get(key))} ≠ ${JSON.stringify(value)}`)
      throw new Error(`${(error as Error).message}\n${differ.join('\n')}`)
    }
  }

  beforeAll(async () => {
    await seedUsers(data.dir, [
      { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
      { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
    ])
    relay = await startRelay({ dataDir: data.dir, port: 0, host: '127.0.0.1', log: () => {} })
    adminToken = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
    office = await startPeer(relay.url, 'ayse', 'ayse-password', { deviceName: 'ANKARA-MASA' })
    for (let i = 0; i < 8; i++) employees.push(office.engine.insert('employees', { full_name: `Çalışan ${i}`, title: 'Usta', department: 'DEPO' }))
    for (const [i, employee] of employees.entries()) {
      for (const day of ['02', '03', '04']) {
        sheets.push(office.engine.insert('timesheets', { employee_id: employee, work_date: `${MONTH}-${day}`, start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0, notes: `not ${i}` }))
      }
    }
    await office.engine.whenSynced()
    expect((await runCli(['login', '--relay', relay.url, '--user', 'ayse'], 'ayse-password\n', env)).code).toBe(0)
    before = all()
    await pause()
    beforeBug = new Date().toISOString()
    await pause()

    // The buggy PC: deletes half of everything, rewrites fields, adds junk, moves an entry away.
    buggy = await startPeer(relay.url, 'ayse', 'ayse-password', { deviceName: 'BOZUK-PC' })
    await buggy.engine.whenSynced()
    for (const id of employees.slice(0, 4)) buggy.engine.delete('employees', id)
    buggy.engine.update('employees', employees[5] as string, { title: 'Çırak' })
    for (const id of sheets.filter((_, i) => i % 2 === 0)) buggy.engine.delete('timesheets', id)
    for (const id of sheets.filter((_, i) => i % 6 === 1)) buggy.engine.update('timesheets', id, { notes: 'bozuldu', end_time: '18:00' })
    for (let i = 0; i < 3; i++) sheets.push(buggy.engine.insert('timesheets', { employee_id: employees[7] as string, work_date: `${MONTH}-1${i}`, start_time: '09:00', end_time: '10:00', break_minutes: 0, is_special: 0 }))
    buggy.engine.update('timesheets', sheets[1] as string, { work_date: `${NEXT}-01` })
    await buggy.engine.whenSynced()
    await office.engine.openPeriod('ankara', NEXT)
    await until(() => office.engine.record('timesheets', sheets[1] as string, 'ankara')?.work_date === `${NEXT}-01`, 'the office sees the bug')
    await until(() => sheets.every((id) => office.engine.record('timesheets', id, 'ankara') !== undefined), 'the office has the junk')
    buggyState = all()
    await pause()
    afterBug = new Date().toISOString()
    await pause()
  })

  afterAll(async () => {
    await office?.close()
    await buggy?.close()
    await relay?.close()
    if (office) removeDir(office.dir)
    if (buggy) removeDir(buggy.dir)
    cliState.remove()
    data.remove()
  })

  it('a dry run lists what would change and writes nothing', async () => {
    const [master, month] = [await version('ankara'), await version(DOC)]
    const dry = await restore(['--month', MONTH, '--at', beforeBug, '--dry-run', '--json'])
    expect(dry.code).toBe(0)
    const lines = dry.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; action: string; fields: Array<{ field: string; now: unknown; then: unknown }> })
    const byAction = (action: string) => lines.filter((l) => l.action === action).map((l) => l.id).sort()
    expect(byAction('restore')).toEqual(sheets.slice(0, 24).filter((_, i) => i % 2 === 0).sort())
    expect(byAction('delete')).toEqual(sheets.slice(24).sort())
    expect(lines.find((l) => l.id === sheets[1])?.fields).toContainEqual({ field: 'work_date', now: `${NEXT}-01`, then: `${MONTH}-03` })
    expect(dry.stderr).toMatch(/yeniden silinecek/)
    expect([await version('ankara'), await version(DOC)]).toEqual([master, month])
  })

  it('restores one record, then a table, each compared with the state before the bug', async () => {
    const one = employees[0] as string
    const single = await restore(['--table', 'employees', '--id', one, '--at', beforeBug])
    expect(single.code, single.stderr).toBe(0)
    await until(() => office.engine.record('employees', one, 'ankara')?.deleted_at === null, 'the office gets the employee back')
    expect(snapshot('employees', [one]).get(`employees/${one}`)).toEqual(before.get(`employees/${one}`))
    expect(office.engine.record('employees', employees[1] as string, 'ankara')?.deleted_at).not.toBeNull()

    const seq = await lastSeq()
    const table = await restore(['--table', 'employees', '--at', beforeBug])
    expect(table.code, table.stderr).toBe(0)
    const expected = new Map([...before].filter(([key]) => key.startsWith('employees/')))
    await until(() => JSON.stringify([...snapshot('employees', employees)]) === JSON.stringify([...expected]), 'every employee as before')
    // One change of the master document, whatever the number of records.
    expect([...(await updatesSince(seq))].map(([doc, seqs]) => [doc, seqs.size])).toEqual([['ankara', 1]])
  })

  it('restores the month: every timesheet as before, the junk deleted, the moved one back', async () => {
    const seq = await lastSeq()
    const month = await restore(['--month', MONTH, '--at', beforeBug])
    expect(month.code, month.stderr).toBe(0)
    const expected = new Map([...before, ...[...snapshot('timesheets', sheets.slice(24))].map(([key, fields]) => [key, { ...fields, deleted: 1 }] as const)])
    await officeSees(expected, 'the month as before the bug')
    expect(office.engine.record('timesheets', sheets[1] as string, 'ankara')?.work_date).toBe(`${MONTH}-03`)
    // The month in one change, and the moved entry's copy in the next month marked in one more.
    const changed = await updatesSince(seq)
    expect([...changed].map(([doc, seqs]) => [doc, seqs.size]).sort()).toEqual([
      [DOC, 1],
      [documentName('ankara', NEXT), 1],
    ])
  })

  it('a restore to a time before a restore takes it back', async () => {
    // Both months, as they were after the bug: the entry that moved goes back to the next month.
    expect((await restore(['--month', MONTH, '--at', afterBug])).code).toBe(0)
    expect((await restore(['--month', NEXT, '--at', afterBug])).code).toBe(0)
    const sheetsOnly = (snap: Snapshot) => JSON.stringify([...snap].filter(([key]) => key.startsWith('timesheets/')))
    await until(() => sheetsOnly(all()) === sheetsOnly(buggyState), 'every timesheet as after the bug')
    expect(office.engine.record('timesheets', sheets[1] as string, 'ankara')?.work_date).toBe(`${NEXT}-01`)
  })

  it('refuses a restore into a month the head office closed, writing nothing', async () => {
    const versions = async () => [await version('ankara'), await version(DOC), await version(documentName('ankara', NEXT))]
    const close = await fetch(`${relay.url}/api/periods/${DOC}/close`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'x-rainstaff-version': await version(DOC), 'content-type': 'application/octet-stream' },
      body: new TextEncoder().encode('sheet'),
    })
    expect(close.status).toBe(200)
    const then = await versions()
    const dry = await restore(['--month', MONTH, '--at', beforeBug, '--dry-run'])
    expect(dry.code).toBe(0)
    expect(dry.stderr).toMatch(/merkez tarafından kapatıldı/)
    const refused = await restore(['--month', MONTH, '--at', beforeBug])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/merkez tarafından kapatıldı/)
    const english = await runCli(['restore', '--region', 'ankara', '--month', MONTH, '--at', beforeBug], '', { ...env, LANG: 'en_US.UTF-8' })
    expect(english.code).toBe(1)
    expect(english.stderr).toMatch(/closed by the head office/)
    expect(await versions()).toEqual(then)
    expect(sheetsAsAfterBug()).toBe(true)
  })

  it('refuses bad input before anything is read', async () => {
    expect((await restore(['--month', MONTH, '--at', '2026-11-06'])).code).toBe(2)
    expect((await restore(['--month', MONTH, '--at', '2999-01-01T00:00'])).code).toBe(2)
    expect((await restore(['--table', 'timesheets', '--at', beforeBug])).code).toBe(2)
    expect((await restore(['--month', MONTH, '--table', 'employees', '--at', beforeBug])).code).toBe(1)
    const early = await restore(['--month', MONTH, '--at', '2001-01-01T00:00'])
    expect(early.code).toBe(1)
    expect(early.stderr).toMatch(/daha öncesine dönülemez/)
  })

  const sheetsAsAfterBug = (): boolean => {
    const sheetsOnly = (snap: Snapshot) => JSON.stringify([...snap].filter(([key]) => key.startsWith('timesheets/')))
    return sheetsOnly(all()) === sheetsOnly(buggyState)
  }
})
