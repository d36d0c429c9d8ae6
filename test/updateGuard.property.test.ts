/**
 * The update guard (crdt/updateGuard.ts) against random histories, the way the relay runs it:
 * decode and precheck, apply in one transaction, check the transaction.
 *
 * - No false refusals: three offices (two accounts) make random engine edits offline — inserts
 *   with shared natural keys, partial updates, soft deletes, restores, conflict resolutions, a
 *   legacy-style import — and send their changes whenever they meet the relay, as sync step 2
 *   does. Every update is accepted, and everyone converges on the relay's state.
 * - Every hostile update is refused: random schema-invalid changes on top of an honest history,
 *   each refused, with the relay's state exactly as before.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as Y from 'yjs'
import { createImported, importAuthor } from '../crdt/legacy/write.ts'
import { recordConflicts } from '../crdt/conflicts.ts'
import { recordIds, readRecord } from '../crdt/records.ts'
import { createRegionDoc, deleteRecord, insertRecord, RecordError, resolveConflict, restoreRecord, updateRecord } from '../crdt/regionDoc.ts'
import { checkTransaction, precheckUpdate, type GuardContext, type Refusal } from '../crdt/updateGuard.ts'
import { ValidationError } from '../schema/validate.ts'

const REGION = 'ankara'

/** The relay's side: its doc and who owns which client id. */
interface Relay {
  doc: Y.Doc
  owners: Map<number, string>
}

/** What RegionDoc.applyUpdate does, minus storage: null when accepted, else the refusal (and nothing kept). */
function offer(relay: Relay, update: Uint8Array, account: string): Refusal | null {
  const ctx: GuardContext = { region: REGION, account }
  const pre = precheckUpdate(update, ctx, (c) => relay.owners.get(c), (c) => Y.getState(relay.doc.store, c))
  if (pre.refusal !== null) return pre.refusal
  // Work on a copy so a refusal leaves the relay's doc untouched (the relay rebuilds instead).
  const copy = createRegionDoc()
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(relay.doc))
  let transaction: Y.Transaction | null = null
  copy.transact((tr) => {
    transaction = tr
    Y.applyUpdate(copy, update)
  })
  const refusal = checkTransaction(copy, transaction as unknown as Y.Transaction, ctx)
  if (refusal !== null) return refusal
  relay.doc = copy
  for (const c of pre.writers) if (!relay.owners.has(c)) relay.owners.set(c, account)
  return null
}

interface Office {
  doc: Y.Doc
  account: string
}

type Op =
  | { kind: 'employee'; at: number; name: number }
  | { kind: 'vehicle'; at: number; plate: number; km: number | null; brand: string | null }
  | { kind: 'timesheet'; at: number; pick: number; day: number; start: number }
  | { kind: 'update'; at: number; pick: number; value: number }
  | { kind: 'delete' | 'restore'; at: number; pick: number }
  | { kind: 'resolve'; at: number; pick: number; keepLost: boolean }
  | { kind: 'import'; at: number; n: number }
  | { kind: 'send' | 'receive'; at: number }

type Edit = Exclude<Op, { kind: 'send' | 'receive' }>
const isEdit = (o: Op): o is Edit => o.kind !== 'send' && o.kind !== 'receive'

const PLATES = ['06 ABC 123', '06abc123', '34 XY 9']
const NAMES = ['AYŞE', 'MEHMET', 'İBRAHİM']
const TIMES = ['08:00', '08:30', '22:00']

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('employee' as const), at: fc.nat(2), name: fc.nat(2) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('vehicle' as const), at: fc.nat(2), plate: fc.nat(2), km: fc.option(fc.nat(300_000)), brand: fc.constantFrom('Fiat', 'Ford', null) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('timesheet' as const), at: fc.nat(2), pick: fc.nat(), day: fc.integer({ min: 1, max: 28 }), start: fc.nat(2) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('update' as const), at: fc.nat(2), pick: fc.nat(), value: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('delete' as const, 'restore' as const), at: fc.nat(2), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resolve' as const), at: fc.nat(2), pick: fc.nat(), keepLost: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('import' as const), at: fc.nat(2), n: fc.nat(3) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constantFrom('send' as const, 'receive' as const), at: fc.nat(2) }) },
)

function pickId(doc: Y.Doc, table: 'employees' | 'vehicles' | 'timesheets', n: number): string | undefined {
  const ids = [...recordIds(doc, table)].sort()
  return ids[n % Math.max(1, ids.length)]
}

function edit(office: Office, o: Edit): void {
  const { doc } = office
  const author = { user: office.account }
  try {
    switch (o.kind) {
      case 'employee':
        insertRecord(doc, 'employees', REGION, { full_name: NAMES[o.name] as string, title: 'Usta' }, author)
        break
      case 'vehicle':
        insertRecord(doc, 'vehicles', REGION, { plate: PLATES[o.plate] as string, km: o.km, brand: o.brand }, author)
        break
      case 'timesheet': {
        const employee = pickId(doc, 'employees', o.pick)
        if (employee === undefined) return
        const day = `2026-11-${String(o.day).padStart(2, '0')}`
        insertRecord(doc, 'timesheets', REGION, { employee_id: employee, work_date: day, start_time: TIMES[o.start] as string, end_time: '17:00', break_minutes: 30, is_special: 0 }, author)
        break
      }
      case 'update': {
        const vehicle = pickId(doc, 'vehicles', o.pick)
        if (vehicle !== undefined && o.value % 2 === 0) updateRecord(doc, 'vehicles', vehicle, { km: o.value, notes: o.value % 4 === 0 ? null : 'servis' }, author)
        const employee = pickId(doc, 'employees', o.pick)
        if (employee !== undefined && o.value % 2 === 1) updateRecord(doc, 'employees', employee, { title: `Usta ${o.value % 3}` }, author)
        break
      }
      case 'delete':
      case 'restore': {
        const id = pickId(doc, 'vehicles', o.pick)
        if (id === undefined) return
        if (o.kind === 'delete') deleteRecord(doc, 'vehicles', id, author)
        else restoreRecord(doc, 'vehicles', id, author)
        break
      }
      case 'resolve': {
        const ids = [...recordIds(doc, 'vehicles'), ...recordIds(doc, 'employees')]
        const table = (id: string): 'vehicles' | 'employees' => (id.startsWith('plate:') ? 'vehicles' : 'employees')
        const conflicts = ids.flatMap((id) => recordConflicts(doc, table(id), id))
        const c = conflicts[o.pick % Math.max(1, conflicts.length)]
        if (c !== undefined) resolveConflict(doc, c, o.keepLost ? c.lost_value : c.value, author)
        break
      }
      case 'import': {
        const at = new Date(Date.UTC(2020, 0, 1 + o.n)).toISOString()
        doc.transact(() => {
          // What a legacy file keeps that entry would refuse: a negative break, text in a date column.
          createImported(doc, 'employees', `legacy${o.n}0000000000`.slice(0, 24), REGION, { full_name: `ESKİ ${o.n}`, identity_no: null }, importAuthor(office.account), at)
          createImported(doc, 'vehicles', `plate:${o.n}LEG${o.n}`, REGION, { plate: `${o.n}LEG${o.n}`, inspection_date: 'bilinmiyor', km: -5 }, importAuthor(office.account), at)
        })
        break
      }
    }
  } catch (error) {
    if (!(error instanceof RecordError || error instanceof ValidationError)) throw error
  }
}

function dump(doc: Y.Doc): string {
  const out: unknown[] = []
  for (const table of ['employees', 'vehicles', 'timesheets'] as const) {
    // Fields sorted: a map's key order follows the order its items arrived in, which differs by replica.
    for (const id of [...recordIds(doc, table)].sort()) out.push([table, id, Object.entries(readRecord(doc, table, id) ?? {}).sort(([a], [b]) => a.localeCompare(b))])
  }
  return JSON.stringify(out)
}

describe('the update guard', () => {
  it('accepts every honest engine edit, offline for any length, and everyone converges', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 50 }), (ops) => {
        const relay: Relay = { doc: createRegionDoc(), owners: new Map() }
        const offices: Office[] = [
          { doc: createRegionDoc(), account: 'ayse' },
          { doc: createRegionDoc(), account: 'ayse' },
          { doc: createRegionDoc(), account: 'fatma' },
        ]
        const send = (office: Office): void => {
          const update = Y.encodeStateAsUpdate(office.doc, Y.encodeStateVector(relay.doc))
          const refusal = offer(relay, update, office.account)
          expect(refusal, JSON.stringify(refusal)).toBeNull()
        }
        const receive = (office: Office): void => Y.applyUpdate(office.doc, Y.encodeStateAsUpdate(relay.doc, Y.encodeStateVector(office.doc)))
        for (const o of ops) {
          const office = offices[o.at] as Office
          if (isEdit(o)) edit(office, o)
          else if (o.kind === 'send') send(office)
          else receive(office)
        }
        for (const office of offices) send(office)
        for (const office of offices) receive(office)
        const expected = dump(relay.doc)
        for (const office of offices) expect(dump(office.doc)).toBe(expected)
      }),
      { numRuns: 150 },
    )
  })

  type Hostile = (doc: Y.Doc, ids: { employee: string; vehicle: string }) => void
  const hostile: Array<[string, Hostile]> = [
    ['a record that is a string', (doc) => doc.getMap('employees').set('abcdefgh12345678', 'oops' as never)],
    ['a table the schema lacks', (doc) => doc.getMap('hackers').set('x', 1)],
    ['a field holding an object', (doc, { employee }) => setField(doc, 'employees', employee, 'full_name', { a: 1 })],
    ['a field holding a nested map', (doc, { employee }) => setField(doc, 'employees', employee, 'title', new Y.Map())],
    ['a field the table lacks', (doc, { employee }) => setField(doc, 'employees', employee, 'salary', 100)],
    ['a number in a text field', (doc, { employee }) => setField(doc, 'employees', employee, 'full_name', 12345)],
    ['a negative kilometre', (doc, { vehicle }) => setField(doc, 'vehicles', vehicle, 'km', -500)],
    ['an impossible date', (doc, { vehicle }) => setField(doc, 'vehicles', vehicle, 'inspection_date', '2026-02-30')],
    ['a boolean', (doc, { vehicle }) => setField(doc, 'vehicles', vehicle, 'km', true)],
    ['a 5 MB string', (doc, { vehicle }) => setField(doc, 'vehicles', vehicle, 'notes', 'x'.repeat(5 * 1024 * 1024))],
    ['a forged author', (doc, { employee }) => setField(doc, 'employees', employee, 'title', 'Müdür', 'admin')],
    ['a change without a stamp', (doc, { employee }) => (doc.getMap('employees').get(employee) as Y.Map<unknown>).set('title', 'x')],
    ['a hard-deleted record', (doc, { employee }) => doc.getMap('employees').delete(employee)],
    ['a hard-deleted field', (doc, { vehicle }) => (doc.getMap('vehicles').get(vehicle) as Y.Map<unknown>).delete('km')],
    ['every key of every table deleted', (doc) => {
      for (const table of ['employees', 'vehicles']) for (const key of [...doc.getMap(table).keys()]) doc.getMap(table).delete(key)
    }],
    ['a record replaced by a new map', (doc, { employee }) => doc.getMap('employees').set(employee, newRecord({ full_name: 'Yeni' }))],
    ['a new record without its required field', (doc) => doc.getMap('employees').set('abcdefgh12345678', newRecord({ title: 'x' }))],
    ['a new record in another region', (doc) => doc.getMap('employees').set('abcdefgh12345678', newRecord({ full_name: 'X' }, 'istanbul'))],
    ['a plate record under a forged id', (doc) => doc.getMap('vehicles').set('plate:06XYZ1', newRecord({ plate: '34ABC1' }))],
    ['a timesheet naming no employee', (doc) =>
      doc.getMap('timesheets').set('abcdefgh12345678', newRecord({ employee_id: 'nobodyXXXXXXXXXX', work_date: '2026-11-02', start_time: '08:00', end_time: '17:00', break_minutes: 0, is_special: 0 }))],
    ['a start time of 25:99', (doc, { employee }) =>
      doc.getMap('timesheets').set('abcdefgh12345678', newRecord({ employee_id: employee, work_date: '2026-11-02', start_time: '25:99', end_time: '17:00', break_minutes: 0, is_special: 0 }))],
    ['a flag of "yes"', (doc, { employee }) =>
      doc.getMap('timesheets').set('abcdefgh12345678', newRecord({ employee_id: employee, work_date: '2026-11-02', start_time: '08:00', end_time: '17:00', break_minutes: 0, is_special: 'yes' }))],
    ['an array where a table belongs', (doc) => doc.getArray('drivers').insert(0, ['x'])],
    ['text under a table', (doc) => doc.getMap('drivers').set('abcdefgh12345678', new Y.Text('x') as never)],
  ]

  /** An office with an honest history the relay accepted, then `write` on top: refused, relay unchanged. */
  function refusedOnTop(history: readonly Op[], write: Hostile): Refusal | null {
    const relay: Relay = { doc: createRegionDoc(), owners: new Map() }
    const office: Office = { doc: createRegionDoc(), account: 'ayse' }
    const employee = insertRecord(office.doc, 'employees', REGION, { full_name: 'Ayşe Yılmaz', title: 'Usta' }, { user: 'ayse' })
    const vehicle = insertRecord(office.doc, 'vehicles', REGION, { plate: '06 ABC 123', km: 1000, notes: 'n' }, { user: 'ayse' })
    for (const o of history) if (isEdit(o)) edit(office, o)
    expect(offer(relay, Y.encodeStateAsUpdate(office.doc), 'ayse')).toBeNull()
    const before = Y.encodeStateAsUpdate(relay.doc)
    write(office.doc, { employee, vehicle })
    const refusal = offer(relay, Y.encodeStateAsUpdate(office.doc, Y.encodeStateVector(relay.doc)), 'ayse')
    expect(Y.encodeStateAsUpdate(relay.doc)).toEqual(before)
    return refusal
  }

  it.each(hostile)('refuses %s and keeps nothing of it', (_, write) => {
    const refusal = refusedOnTop([], write)
    expect(refusal).not.toBeNull()
    expect(refusal?.message.tr.length).toBeGreaterThan(0)
    expect(refusal?.message.en.length).toBeGreaterThan(0)
  })

  it('refuses every hostile change on top of any honest history', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 20 }), fc.constantFrom(...hostile), (history, [, write]) => {
        expect(refusedOnTop(history, write)).not.toBeNull()
      }),
      { numRuns: 150 },
    )
  })

  it('lets a record be entered again where a store from before the guard holds a damaged entry', () => {
    const relay: Relay = { doc: createRegionDoc(), owners: new Map() }
    // Written before the guard existed, straight into the relay's doc.
    const old = createRegionDoc()
    old.getMap('vehicles').set('plate:06ABC123', 'bozuk' as never)
    Y.applyUpdate(relay.doc, Y.encodeStateAsUpdate(old))
    const office = createRegionDoc()
    Y.applyUpdate(office, Y.encodeStateAsUpdate(relay.doc))
    expect(() => updateRecord(office, 'vehicles', 'plate:06ABC123', { km: 5 }, { user: 'ayse' })).toThrow(RecordError)
    const id = insertRecord(office, 'vehicles', REGION, { plate: '06 ABC 123', km: 1000 }, { user: 'ayse' })
    expect(offer(relay, Y.encodeStateAsUpdate(office, Y.encodeStateVector(relay.doc)), 'ayse')).toBeNull()
    expect(readRecord(relay.doc, 'vehicles', id)).toMatchObject({ plate: '06ABC123', km: 1000 })
    // Replacing a record that is a real map stays refused.
    const again = createRegionDoc()
    Y.applyUpdate(again, Y.encodeStateAsUpdate(relay.doc))
    again.getMap('vehicles').set(id, new Y.Map())
    expect(offer(relay, Y.encodeStateAsUpdate(again, Y.encodeStateVector(relay.doc)), 'ayse')?.code).toBe('record_replaced')
  })

  it('refuses a client id another account wrote with, and an update missing what it builds on', () => {
    const relay: Relay = { doc: createRegionDoc(), owners: new Map() }
    const ayse = createRegionDoc()
    insertRecord(ayse, 'employees', REGION, { full_name: 'Ayşe Yılmaz' }, { user: 'ayse' })
    expect(offer(relay, Y.encodeStateAsUpdate(ayse), 'ayse')).toBeNull()
    const borrowed = createRegionDoc()
    Y.applyUpdate(borrowed, Y.encodeStateAsUpdate(relay.doc))
    // A hand-made client: stock Yjs would pick a new id on seeing its own in a remote update.
    borrowed.clientID = ayse.clientID
    insertRecord(borrowed, 'employees', REGION, { full_name: 'Fatma Kaya' }, { user: 'fatma' })
    expect(offer(relay, Y.encodeStateAsUpdate(borrowed, Y.encodeStateVector(relay.doc)), 'fatma')?.code).toBe('client_id_taken')

    const offline = createRegionDoc()
    Y.applyUpdate(offline, Y.encodeStateAsUpdate(relay.doc))
    insertRecord(offline, 'employees', REGION, { full_name: 'Bir' }, { user: 'ayse' })
    const second = Y.encodeStateVector(offline)
    insertRecord(offline, 'employees', REGION, { full_name: 'İki' }, { user: 'ayse' })
    const before = Y.encodeStateAsUpdate(relay.doc)
    expect(offer(relay, Y.encodeStateAsUpdate(offline, second), 'ayse')?.code).toBe('missing_dependencies')
    expect(Y.encodeStateAsUpdate(relay.doc)).toEqual(before)
  })
})

function newRecord(fields: Record<string, unknown>, region = REGION): Y.Map<unknown> {
  const map = new Y.Map<unknown>()
  for (const [k, v] of Object.entries(fields)) map.set(k, v)
  map.set('region', region)
  map.set('created_at', '2026-11-02T08:00:00.000Z')
  map.set('updated_at', '2026-11-02T08:00:00.000Z')
  map.set('updated_by', 'ayse')
  return map
}

function setField(doc: Y.Doc, table: string, id: string, field: string, value: unknown, by = 'ayse'): void {
  const map = doc.getMap(table).get(id) as Y.Map<unknown>
  doc.transact(() => {
    map.set(field, value)
    map.set('updated_at', '2020-01-01T00:00:00.000Z')
    map.set('updated_by', by)
  })
}
