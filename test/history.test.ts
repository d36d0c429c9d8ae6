/**
 * A record's history against a real relay: a record edited on three PCs (two of one account, one
 * of another), with a concurrent edit of one field made offline on two of them, reads back with
 * every change's old → new value, the account and PC the relay stored it for, and which value
 * lost the race; a timesheet moved to another month is followed there; bad requests are refused.
 * The CLI's `history` prints the same in JSON lines and in the terminal's language.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HistoryChange } from '../crdt/historyWire.ts'
import { startRelay, type Relay } from '../relay/server.ts'
import { currentPeriod, documentName, shiftPeriod } from '../schema/periods.ts'
import { removeDir, startPeer, type TestPeer } from './helpers/peerEngine.ts'
import { ADMIN_PASSWORD, runCli, seedUsers, tempDir, tokenFor, until } from './helpers/relayProcess.ts'

const MONTH = currentPeriod()
const NEXT = shiftPeriod(MONTH, 1)

describe('record history on three PCs', () => {
  const data = tempDir('rainstaff-history-')
  let relay: Relay
  let desk: TestPeer
  let laptop: TestPeer
  let mehmetPc: TestPeer
  let token = ''
  let employee = ''
  let sheet = ''

  const history = async (document: string, table: string, id: string, bearer = token): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${relay.url}/api/history/${document}?table=${table}&id=${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${bearer}` } })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }

  beforeAll(async () => {
    await seedUsers(data.dir, [
      { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
      { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
      { username: 'mehmet', role: 'editor', region: 'ankara', password: 'mehmet-password' },
    ])
    relay = await startRelay({ dataDir: data.dir, port: 0, host: '127.0.0.1', log: () => {} })
    token = await tokenFor(relay, 'ayse', 'ayse-password')
    desk = await startPeer(relay.url, 'ayse', 'ayse-password', { deviceName: 'ANKARA-MASA' })
    laptop = await startPeer(relay.url, 'ayse', 'ayse-password', { deviceName: 'ANKARA-DIZUSTU' })
    mehmetPc = await startPeer(relay.url, 'mehmet', 'mehmet-password', { deviceName: 'ANKARA-DEPO' })

    employee = desk.engine.insert('employees', { full_name: 'Ayşe Yılmaz', title: 'Usta' })
    await desk.engine.whenSynced()
    await until(() => laptop.engine.record('employees', employee, 'ankara') !== undefined, 'the laptop has the employee')
    laptop.engine.update('employees', employee, { title: 'Kalfa' })
    await laptop.engine.whenSynced()
    await until(() => mehmetPc.engine.record('employees', employee, 'ankara')?.title === 'Kalfa', 'mehmet sees Kalfa')

    // The same field, changed on two PCs that cannot see each other.
    laptop.engine.disconnect()
    mehmetPc.engine.disconnect()
    laptop.engine.update('employees', employee, { department: 'DEPO' })
    mehmetPc.engine.update('employees', employee, { department: 'ÜRETİM' })
    laptop.engine.connect()
    mehmetPc.engine.connect()
    await laptop.engine.whenSynced()
    await mehmetPc.engine.whenSynced()
    await until(
      () => desk.engine.record('employees', employee, 'ankara')?.department === mehmetPc.engine.record('employees', employee, 'ankara')?.department &&
        laptop.engine.record('employees', employee, 'ankara')?.department === mehmetPc.engine.record('employees', employee, 'ankara')?.department,
      'every PC shows one department',
    )

    // A timesheet entered this month and then dated into the next one: it moves document.
    sheet = desk.engine.insert('timesheets', { employee_id: employee, work_date: `${MONTH}-03`, start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0 })
    await desk.engine.whenSynced()
    desk.engine.update('timesheets', sheet, { work_date: `${NEXT}-02`, notes: 'tarih düzeltildi' })
    await desk.engine.whenSynced()
  })

  afterAll(async () => {
    for (const peer of [desk, laptop, mehmetPc]) await peer?.close()
    await relay?.close()
    for (const peer of [desk, laptop, mehmetPc]) if (peer) removeDir(peer.dir)
    data.remove()
  })

  it('lists every change with old → new, the account and PC the relay stored it for, and the lost concurrent value', async () => {
    const { status, body } = await history('ankara', 'employees', employee)
    expect(status).toBe(200)
    const changes = body.changes as HistoryChange[]
    const created = changes.find((c) => c.kind === 'create')
    expect(created).toMatchObject({ account: 'ayse', device: { name: 'ANKARA-MASA' }, lost: false })
    expect(created?.at).not.toBeNull()
    const set = (field: string): HistoryChange[] => changes.filter((c) => c.field === field)
    expect(set('full_name')).toEqual([expect.objectContaining({ old: null, new: 'Ayşe Yılmaz', account: 'ayse', shown: true, lost: false })])
    expect(set('title').map((c) => [c.old, c.new, c.device?.name, c.shown])).toEqual([
      [null, 'Usta', 'ANKARA-MASA', false],
      ['Usta', 'Kalfa', 'ANKARA-DIZUSTU', true],
    ])
    // Both PCs wrote the department on the value they saw (none), one lost to the other.
    const departments = set('department')
    expect(departments).toHaveLength(2)
    const shown = desk.engine.record('employees', employee, 'ankara')?.department
    const winner = departments.find((c) => c.shown)
    const loser = departments.find((c) => !c.shown)
    expect(winner?.new).toBe(shown)
    expect(loser).toMatchObject({ lost: true, lostTo: winner?.change, old: null })
    expect(new Set(departments.map((c) => `${c.account}@${c.device?.name}=${c.new}`))).toEqual(new Set(['ayse@ANKARA-DIZUSTU=DEPO', 'mehmet@ANKARA-DEPO=ÜRETİM']))
    // The stamps the PCs wrote ride along as their claim.
    expect(winner?.claimedBy).toBe(winner?.account)
    // Stored order: nothing attributed after something unattributed, times never going back.
    const times = changes.map((c) => c.at)
    expect(times.every((t) => t !== null)).toBe(true)
    expect([...times].sort()).toEqual(times)
  })

  it('follows a timesheet into the month it moved to', async () => {
    for (const asked of [documentName('ankara', MONTH), documentName('ankara', NEXT), 'ankara']) {
      const { status, body } = await history(asked, 'timesheets', sheet)
      expect(status).toBe(200)
      expect(body.documents).toEqual([documentName('ankara', MONTH), documentName('ankara', NEXT)])
      const changes = body.changes as HistoryChange[]
      expect(changes.filter((c) => c.field === 'moved_to')).toEqual([expect.objectContaining({ document: documentName('ankara', MONTH), old: null, new: NEXT, account: 'ayse' })])
      expect(changes.filter((c) => c.field === 'work_date').map((c) => [c.document, c.new])).toEqual([
        [documentName('ankara', MONTH), `${MONTH}-03`],
        [documentName('ankara', NEXT), `${NEXT}-02`],
      ])
      expect(changes.find((c) => c.field === 'notes' && c.shown)?.new).toBe('tarih düzeltildi')
    }
  })

  it('refuses bad requests with a clear, bilingual error', async () => {
    expect((await history('ankara', 'employees', 'no-such-id')).status).toBe(404)
    const badTable = await history('ankara', 'bogus', employee)
    expect(badTable).toMatchObject({ status: 400, body: { code: 'bad_table' } })
    expect(typeof badTable.body.tr).toBe('string')
    expect((await history('narnia', 'employees', employee)).status).toBe(404)
    expect((await history('ankara', 'employees', employee, 'not-a-token')).status).toBe(401)
  })

  it('audits changes per region and account over time, filtered, as JSON and CSV', async () => {
    const admin = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
    const audit = async (query: string, bearer = admin, accept?: string) => {
      const res = await fetch(`${relay.url}/api/audit?${query}`, { headers: { authorization: `Bearer ${bearer}`, ...(accept ? { accept } : {}) } })
      // The BOM kept: Excel needs it to read the CSV as UTF-8.
      return { status: res.status, type: res.headers.get('content-type') ?? '', text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer()) }
    }
    type Row = { seq: number; at: string; region: string; document: string; account: string; device: { name: string | null } | null; table: string; id: string }
    const rows = (text: string) => (JSON.parse(text) as { rows: Row[] }).rows
    const everything = rows((await audit('region=ankara')).text)
    expect(everything.filter((r) => r.id === employee).map((r) => `${r.account}@${r.device?.name}`)).toEqual(
      expect.arrayContaining(['ayse@ANKARA-MASA', 'ayse@ANKARA-DIZUSTU', 'mehmet@ANKARA-DEPO']),
    )
    const mehmets = rows((await audit('region=ankara&account=mehmet')).text)
    expect(mehmets.length).toBeGreaterThan(0)
    expect(mehmets.every((r) => r.account === 'mehmet')).toBe(true)
    const sheets = rows((await audit('table=timesheets')).text)
    expect(new Set(sheets.map((r) => r.document))).toEqual(new Set([documentName('ankara', MONTH), documentName('ankara', NEXT)]))
    expect(rows((await audit('from=2001-01-01&to=2001-12-31')).text)).toEqual([])
    const today = everything[0]?.at.slice(0, 10) ?? ''
    expect(rows((await audit(`from=${today}&to=${today}&region=ankara`)).text).length).toBeGreaterThan(0)
    // Paging: `next` is where the following page starts.
    const page = JSON.parse((await audit('region=ankara&limit=2')).text) as { rows: Row[]; next: number | null }
    expect(page.rows).toHaveLength(2)
    expect(rows((await audit(`region=ankara&after=${page.next}`)).text)[0]?.seq).toBeGreaterThan(page.rows[1]?.seq ?? 0)

    const csv = await audit('region=ankara', admin, 'text/csv')
    expect(csv.status).toBe(200)
    expect(csv.type).toMatch(/text\/csv/)
    expect(csv.text.startsWith('\ufeff')).toBe(true)
    const lines = csv.text.slice(1).trim().split('\r\n')
    expect(lines[0]).toBe('at,region,document,account,device,device_name,table,record_id,seq')
    expect(lines).toHaveLength(everything.length + 1)
    const days = JSON.parse((await audit('summary=day&region=ankara')).text) as { days: Array<{ region: string; account: string; table: string; changes: number }> }
    expect(days.days.reduce((n, d) => n + d.changes, 0)).toBe(everything.length)
    expect((await audit('summary=day&format=csv')).text).toMatch(/^\ufeffday,region,account,table,changes\r\n/)

    // An office audits its own region only.
    expect(rows((await audit('', token)).text).every((r) => r.region === 'ankara')).toBe(true)
    expect(await audit('region=istanbul', token)).toMatchObject({ status: 403 })
    for (const bad of ['from=last-friday', 'table=bogus', 'limit=abc', 'region=narnia']) expect((await audit(bad)).status).toBe(400)
    expect((await audit('', 'not-a-token')).status).toBe(401)
  })

  it('the CLI prints the history as JSON lines and as lines in the terminal’s language', async () => {
    const state = tempDir('rainstaff-history-cli-')
    try {
      const env = { RAINSTAFF_STATE: state.dir, LANG: 'tr_TR.UTF-8', RAINSTAFF_DEVICE_NAME: 'CLI-PC' }
      expect((await runCli(['login', '--relay', relay.url, '--user', 'mehmet'], 'mehmet-password\n', env)).code).toBe(0)
      const json = await runCli(['history', 'employees', employee, '--json'], '', env)
      expect(json.code).toBe(0)
      const lines = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as HistoryChange)
      expect(lines.filter((c) => c.field === 'department' && c.lost)).toHaveLength(1)
      const human = await runCli(['history', 'employees', employee], '', env)
      expect(human.code).toBe(0)
      expect(human.stdout).toContain('Kalfa')
      expect(human.stdout).toMatch(/kaybetti/)
      const english = await runCli(['history', 'employees', employee], '', { ...env, LANG: 'en_US.UTF-8' })
      expect(english.stdout).toMatch(/lost to a concurrent edit/)
      const missing = await runCli(['history', 'employees', 'no-such-id'], '', env)
      expect(missing.code).toBe(1)
      expect(missing.stderr).toMatch(/bulunamadı/)
    } finally {
      state.remove()
    }
  })
})
