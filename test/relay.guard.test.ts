/**
 * The relay's update guard from outside, as the tester found the holes: a stock y-websocket
 * client of a valid Ankara editor writes each hostile shape. Every one is refused with message
 * 101 (reason code, both languages, the refused clock range), the connection stays open, nobody
 * receives it, nothing is stored (a later client and the admin exports don't see it), and honest
 * writers carry on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { readRecord } from '../crdt/records.ts'
import { insertRecord, updateRecord } from '../crdt/regionDoc.ts'
import { TABLE_NAMES } from '../schema/tables.ts'
import {
  ADMIN_PASSWORD,
  connectClient,
  seedUsers,
  spawnRelay,
  tempDir,
  tokenFor,
  until,
  type RelayProcess,
  type TestClient,
} from './helpers/relayProcess.ts'

const data = tempDir()
let relay: RelayProcess
const tokens: Record<string, string> = {}
const clients: TestClient[] = []
let employee = ''
let observer: TestClient
let monthObserver: TestClient

function client(user: string, region = 'ankara'): TestClient {
  const c = connectClient(relay, region, tokens[user] ?? null)
  clients.push(c)
  return c
}

type Hostile = (doc: Y.Doc) => void

function signed(map: Y.Map<unknown>, field: string, value: unknown, by = 'ayse'): void {
  map.doc?.transact(() => {
    map.set(field, value)
    map.set('updated_at', '2020-01-01T00:00:00.000Z')
    map.set('updated_by', by)
  })
}

const record = (doc: Y.Doc): Y.Map<unknown> => doc.getMap('employees').get(employee) as Y.Map<unknown>

/** A stock item an honest client entered: its id derives from its serial. */
const STOCK = 'seri_no:ST87080'

/** A month document: timesheets live there, naming employees of the master document. */
const MONTH = 'ankara/2026-11'

const timesheet = (fields: Record<string, unknown>): Y.Map<unknown> => {
  const map = new Y.Map<unknown>()
  const base = { employee_id: employee, work_date: '2026-11-02', start_time: '08:00', end_time: '17:00', break_minutes: 30, is_special: 0, region: 'ankara', created_at: '2026-11-02T08:00:00.000Z', updated_at: '2026-11-02T08:00:00.000Z', updated_by: 'ayse' }
  for (const [k, v] of Object.entries({ ...base, ...fields })) map.set(k, v)
  return map
}

/** Label, refusal code, the write, and the document it is written to (the master when absent). */
const CASES: Array<[string, string, Hostile, string?]> = [
  ['a record that is a string (47 bytes)', 'not_a_record', (doc) => doc.getMap('employees').set('abcdefgh12345678', 'oops' as never)],
  ['a field holding an object', 'bad_value', (doc) => signed(record(doc), 'title', { a: 1 })],
  ['a field holding a nested Y.Map', 'bad_value', (doc) => signed(record(doc), 'title', new Y.Map())],
  ['a table the schema does not have', 'unknown_root', (doc) => doc.getMap('salaries').set('x', 1)],
  ['full_name: 12345', 'bad_value', (doc) => signed(record(doc), 'full_name', 12345)],
  ['a 5 MB string', 'bad_value', (doc) => signed(record(doc), 'title', 'x'.repeat(5 * 1024 * 1024))],
  ['updated_by "admin" with a 2020 updated_at', 'forged_author', (doc) => signed(record(doc), 'title', 'Müdür', 'admin')],
  ['a timesheet with break -500, 25:99 and is_special "yes"', 'bad_value', (doc) => {
    doc.getMap('timesheets').set('abcdefgh12345678', timesheet({ start_time: '25:99', break_minutes: -500, is_special: 'yes' }))
  }, MONTH],
  // The employee may yet arrive in the master document's own connection: sent again later, never kept now.
  ['an employee_id the master document lacks', 'missing_dependencies', (doc) => {
    doc.getMap('timesheets').set('abcdefgh87654321', timesheet({ employee_id: 'nobody0000000000' }))
  }, MONTH],
  ['a dangling inspection_id inside a month', 'dangling_reference', (doc) => {
    const map = new Y.Map<unknown>()
    for (const [k, v] of Object.entries({ inspection_id: 'nothing000000000', item_key: 'lights', status: 'Olumlu', region: 'ankara', created_at: '2026-11-02T08:00:00.000Z', updated_at: '2026-11-02T08:00:00.000Z', updated_by: 'ayse' })) map.set(k, v)
    doc.getMap('vehicle_inspection_results').set('abcdefgh11111111', map)
  }, MONTH],
  // The id stays the old serial's: a later entry of the new one would make a second record.
  ['a stock serial changed under its id', 'bad_record_id', (doc) => signed(doc.getMap('stock_inventory').get(STOCK) as Y.Map<unknown>, 'seri_no', 'ST99999')],
  ['a timesheet in the master document', 'wrong_document', (doc) => doc.getMap('timesheets').set('abcdefgh22222222', timesheet({}))],
  ['an employee in a month document', 'wrong_document', (doc) => {
    const map = new Y.Map<unknown>()
    for (const [k, v] of Object.entries({ full_name: 'Ay Başı', region: 'ankara', created_at: '2026-11-02T08:00:00.000Z', updated_at: '2026-11-02T08:00:00.000Z', updated_by: 'ayse' })) map.set(k, v)
    doc.getMap('employees').set('abcdefgh33333333', map)
  }, MONTH],
  ['a December timesheet in November', 'wrong_document', (doc) => doc.getMap('timesheets').set('abcdefgh44444444', timesheet({ work_date: '2026-12-01' })), MONTH],
  ['an update that deletes every key of every table', 'hard_delete', (doc) => {
    doc.transact(() => {
      for (const table of TABLE_NAMES) for (const key of [...doc.getMap(table).keys()]) doc.getMap(table).delete(key)
    })
  }],
]

beforeAll(async () => {
  await seedUsers(data.dir, [
    { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
    { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
    { username: 'fatma', role: 'editor', region: 'ankara', password: 'fatma-password' },
  ])
  relay = await spawnRelay(data.dir)
  tokens.ayse = await tokenFor(relay, 'ayse', 'ayse-password')
  tokens.fatma = await tokenFor(relay, 'fatma', 'fatma-password')
  tokens.admin = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
  const first = client('ayse')
  await first.synced()
  employee = insertRecord(first.doc, 'employees', 'ankara', { full_name: 'Ayşe Yılmaz', title: 'Usta' }, { user: 'ayse' })
  await until(() => first.durableWrites() > 0, 'the first employee is durable')
  observer = client('fatma')
  await observer.synced()
  insertRecord(first.doc, 'stock_inventory', 'ankara', { seri_no: 'ST87080', stok_adi: 'POS KARBON FİLTRE' }, { user: 'ayse' })
  await until(() => readRecord(observer.doc, 'employees', employee) !== undefined, 'observer has the employee')
  await until(() => readRecord(observer.doc, 'stock_inventory', STOCK) !== undefined, 'observer has the stock item')
  monthObserver = client('fatma', MONTH)
  await monthObserver.synced()
})

afterAll(async () => {
  for (const c of clients) c.destroy()
  await relay?.stop()
  data.remove()
})

describe('the relay guards the documents', () => {
  it.each(CASES)('refuses %s with 101 %s, keeps the connection, sends it to nobody', async (_, code, write, name = 'ankara') => {
    const hostile = client('ayse', name)
    await hostile.synced()
    write(hostile.doc)
    await until(() => hostile.refused.length > 0, `the refusal\n${relay.output().slice(-3000)}`)
    const refusal = hostile.refused[0]
    expect(refusal?.code).toBe(code)
    expect(refusal?.message.tr).not.toBe('')
    expect(refusal?.message.en).not.toBe('')
    // A deletion-only update writes no structs, so it has no clock range to name.
    if (code !== 'hard_delete') expect(refusal?.ranges.map((r) => r.client)).toContain(hostile.doc.clientID)
    // The connection is still open and still receives what others write.
    expect(hostile.closes).toEqual([])
    const honest = `Usta ${code}`
    const watcher = name === 'ankara' ? observer : monthObserver
    if (name === 'ankara') updateRecord(observer.doc, 'employees', employee, { title: honest }, { user: 'fatma' })
    else insertRecord(monthObserver.doc, 'timesheets', 'ankara', { employee_id: employee, work_date: '2026-11-03', start_time: '08:00', end_time: '17:00', break_minutes: 30, is_special: 0, notes: honest }, { user: 'fatma' }, (table, id) => readRecord(observer.doc, table, id))
    const watcherClock = Y.getState(watcher.doc.store, watcher.doc.clientID)
    await until(() => Y.getState(hostile.doc.store, watcher.doc.clientID) >= watcherClock, 'the hostile client still receives')
    expect(hostile.provider.wsconnected).toBe(true)
    // The observer got the honest edit it made, nothing of the hostile one.
    const fresh = client('fatma', name)
    await fresh.synced()
    expect(Y.encodeStateVector(fresh.doc)).toEqual(Y.encodeStateVector(watcher.doc))
    expect(Y.decodeStateVector(Y.encodeStateVector(fresh.doc)).has(hostile.doc.clientID)).toBe(false)
    if (name === 'ankara') expect(readRecord(fresh.doc, 'employees', employee)).toMatchObject({ full_name: 'Ayşe Yılmaz', title: honest, updated_by: 'fatma' })
    else expect([...fresh.doc.getMap('timesheets').keys()].map((id) => readRecord(fresh.doc, 'timesheets', id)?.notes)).toContain(honest)
    // Its doc holds a change nobody else will ever have: the engine recovers from that (a
    // fresh client id); this stock client is simply dropped.
    clients.splice(clients.indexOf(hostile), 1)
    hostile.destroy()
  })

  it('refuses writing under another account\'s client id, and the owner\'s later edits still arrive', async () => {
    const owner = client('ayse')
    await owner.synced()
    updateRecord(owner.doc, 'employees', employee, { department: 'Muhasebe' }, { user: 'ayse' })
    await until(() => owner.durable.get(owner.doc.clientID) !== undefined, 'owner is durable')
    const thief = client('fatma')
    await thief.synced()
    // A hand-made client reusing the owner's id (stock Yjs would pick a new one).
    const own = thief.doc.clientID
    thief.doc.clientID = owner.doc.clientID
    updateRecord(thief.doc, 'employees', employee, { department: 'Çalıntı' }, { user: 'fatma' })
    thief.doc.clientID = own
    await until(() => thief.refused.length > 0, 'the refusal')
    expect(thief.refused[0]?.code).toBe('client_id_taken')
    updateRecord(owner.doc, 'employees', employee, { department: 'İnsan Kaynakları' }, { user: 'ayse' })
    const fresh = client('fatma')
    await until(() => readRecord(fresh.doc, 'employees', employee)?.department === 'İnsan Kaynakları', 'the owner\'s later edit reaches everyone')
  })

  it('keeps /api/status and the admin export working and free of every refused change', async () => {
    const headers = { authorization: `Bearer ${tokens.admin}` }
    const status = await fetch(`${relay.url}/api/status`, { headers })
    expect(status.status).toBe(200)
    const exported = await fetch(`${relay.url}/api/export/ankara.sqlite`, { headers })
    expect(exported.status).toBe(200)
    expect(relay.output()).toMatch(/update refused: ankara ayse not_a_record/)
  })
})
