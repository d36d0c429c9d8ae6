/**
 * The update guard (crdt/updateGuard.ts) against random histories, the way the relay runs it:
 * decode and precheck, apply in one transaction, check the transaction, with the context
 * relay/guard.ts builds (the month from the document's name, employees looked up in the
 * region's master document).
 *
 * A region is a master document and month documents (schema/periods.ts); offices write through
 * crdt/periodDocs.ts, opening a month when a write needs it, as the sync engine does.
 *
 * - No false refusals: three offices (two accounts) make random engine edits offline — inserts
 *   with shared natural keys, partial updates, timesheets in two months, moves between them, soft
 *   deletes, restores, conflict resolutions, a legacy-style import — and send each of their
 *   documents whenever they meet the relay, as sync step 2 does; on hearing from the relay they
 *   hand on edits made beside a move (forwardMovedEdits). Every update is accepted, everyone
 *   converges on the relay's documents, and every timesheet lives in exactly one month: its own.
 * - Every hostile update is refused: random schema-invalid changes on top of an honest history,
 *   each refused, with the relay's documents exactly as before.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as Y from 'yjs'
import { createImported, importAuthor } from '../crdt/legacy/write.ts'
import { recordConflicts, type Conflict } from '../crdt/conflicts.ts'
import { deleteIn, forwardMovedEdits, insertInto, locateRecord, resolveIn, restoreIn, updateIn, type RegionDocuments } from '../crdt/periodDocs.ts'
import { recordIds, readRecord, RESOLVED_MAP } from '../crdt/records.ts'
import { createRegionDoc, RecordError, type Author } from '../crdt/regionDoc.ts'
import { checkTransaction, documentHas, precheckUpdate, type GuardContext, type Refusal } from '../crdt/updateGuard.ts'
import { documentName, parseDocumentName, periodOfDate, type Period } from '../schema/periods.ts'
import { ValidationError } from '../schema/validate.ts'

const REGION = 'ankara'
/** The two months the offices work in: moves cross between them, and across a year's end. */
const MONTHS = ['2026-11', '2026-12'] as const satisfies readonly Period[]

/** The relay's side: its documents by name and who owns which client id (one binding for all of them). */
interface Relay {
  docs: Map<string, Y.Doc>
  owners: Map<number, string>
}

const newRelay = (): Relay => ({ docs: new Map(), owners: new Map() })

/**
 * What the relay does with an update to document `name`, minus storage: null when accepted, else
 * the refusal (and nothing kept). The context is built as relay/guard.ts builds it.
 */
function offer(relay: Relay, name: string, update: Uint8Array, account: string): Refusal | null {
  const parsed = parseDocumentName(name)
  if (parsed === undefined || parsed.region !== REGION) throw new Error(`offer: not a document of ${REGION}: ${name}`)
  const period = parsed.period
  const ctx: GuardContext = {
    region: REGION,
    account,
    period,
    masterHas: period === null ? undefined : (table, id) => documentHas(relay.docs.get(REGION) ?? createRegionDoc(), table, id),
  }
  const current = relay.docs.get(name)
  const pre = precheckUpdate(update, ctx, (c) => relay.owners.get(c), (c) => (current === undefined ? 0 : Y.getState(current.store, c)))
  if (pre.refusal !== null) return pre.refusal
  // Work on a copy so a refusal leaves the relay's doc untouched (the relay rebuilds instead).
  const copy = createRegionDoc()
  if (current !== undefined) Y.applyUpdate(copy, Y.encodeStateAsUpdate(current))
  let transaction: Y.Transaction | null = null
  copy.transact((tr) => {
    transaction = tr
    Y.applyUpdate(copy, update)
  })
  const refusal = checkTransaction(copy, transaction as unknown as Y.Transaction, ctx)
  if (refusal !== null) return refusal
  relay.docs.set(name, copy)
  for (const c of pre.writers) if (!relay.owners.has(c)) relay.owners.set(c, account)
  return null
}

/** Everything the relay holds, byte for byte: what a refused update must leave as it was. */
function relaySnapshot(relay: Relay): Map<string, Uint8Array> {
  return new Map([...relay.docs].map(([name, doc]) => [name, Y.encodeStateAsUpdate(doc)]))
}

/** One office PC: its account, the master document and the months it has opened. */
interface Office extends RegionDocuments {
  readonly account: string
  readonly author: Author
  /** Opens a month as the engine does: an empty doc at once, the relay's copy merging in on the next receive. */
  openMonth(period: Period): Y.Doc
}

function newOffice(account: string): Office {
  const opened = new Map<Period, Y.Doc>()
  return {
    region: REGION,
    master: createRegionDoc(),
    account,
    author: { user: account },
    month: (period) => opened.get(period),
    months: () => opened.entries(),
    openMonth(period) {
      let doc = opened.get(period)
      if (doc === undefined) opened.set(period, (doc = createRegionDoc()))
      return doc
    },
  }
}

/** The office's documents by name, master first: the order the engine opens and sends them. */
function documentsOf(office: Office): Array<[string, Y.Doc]> {
  const months = [...office.months()].sort(([a], [b]) => a.localeCompare(b))
  return [[REGION, office.master], ...months.map(([period, doc]): [string, Y.Doc] => [documentName(REGION, period), doc])]
}

/**
 * Sync step 2 for each document: what the relay's doc of that name lacks. The master goes first,
 * so a month's timesheet never reaches the relay before the employee it names.
 */
function send(relay: Relay, office: Office): void {
  for (const [name, doc] of documentsOf(office)) {
    const theirs = relay.docs.get(name)
    const update = theirs === undefined ? Y.encodeStateAsUpdate(doc) : Y.encodeStateAsUpdate(doc, Y.encodeStateVector(theirs))
    const refusal = offer(relay, name, update, office.account)
    expect(refusal, `${office.account} → ${name}: ${JSON.stringify(refusal)}`).toBeNull()
  }
}

/** Every open document catches up with the relay's; then, as the engine does, edits beside a move are handed on. */
function receive(relay: Relay, office: Office): void {
  for (const [name, doc] of documentsOf(office)) {
    const theirs = relay.docs.get(name)
    if (theirs !== undefined) Y.applyUpdate(doc, Y.encodeStateAsUpdate(theirs, Y.encodeStateVector(doc)))
  }
  for (const [period] of [...office.months()]) forwardMovedEdits(office, period, office.author)
}

type Op =
  | { kind: 'employee'; at: number; name: number }
  | { kind: 'vehicle'; at: number; plate: number; km: number | null; brand: string | null }
  | { kind: 'timesheet'; at: number; pick: number; month: number; day: number; start: number }
  | { kind: 'update'; at: number; target: 'employee' | 'vehicle' | 'timesheet'; pick: number; value: number }
  | { kind: 'move'; at: number; pick: number; day: number }
  | { kind: 'delete' | 'restore'; at: number; table: 'vehicles' | 'timesheets'; pick: number }
  | { kind: 'resolve'; at: number; pick: number; inMonth: boolean; keepLost: boolean }
  | { kind: 'import'; at: number; n: number; month: number }
  | { kind: 'open'; at: number; month: number }
  | { kind: 'send' | 'receive'; at: number }

type Edit = Exclude<Op, { kind: 'send' | 'receive' }>
const isEdit = (o: Op): o is Edit => o.kind !== 'send' && o.kind !== 'receive'

const PLATES = ['06 ABC 123', '06abc123', '34 XY 9']
const NAMES = ['AYŞE', 'MEHMET', 'İBRAHİM']
const TIMES = ['08:00', '08:30', '22:00']
const ENDS = ['17:00', '18:30', '06:00']

const month = fc.nat(MONTHS.length - 1)
const day = fc.integer({ min: 1, max: 28 })
/** Small picks: offices keep choosing the same few records, so their edits meet. */
const pick = fc.nat(3)

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('employee' as const), at: fc.nat(2), name: fc.nat(2) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('vehicle' as const), at: fc.nat(2), plate: fc.nat(2), km: fc.option(fc.nat(300_000)), brand: fc.constantFrom('Fiat', 'Ford', null) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('timesheet' as const), at: fc.nat(2), pick, month, day, start: fc.nat(2) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('update' as const), at: fc.nat(2), target: fc.constantFrom('employee' as const, 'vehicle' as const, 'timesheet' as const), pick, value: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('move' as const), at: fc.nat(2), pick, day }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('delete' as const, 'restore' as const), at: fc.nat(2), table: fc.constantFrom('vehicles' as const, 'timesheets' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resolve' as const), at: fc.nat(2), pick, inMonth: fc.boolean(), keepLost: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('import' as const), at: fc.nat(2), n: fc.nat(3), month }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('open' as const), at: fc.nat(2), month }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constantFrom('send' as const, 'receive' as const), at: fc.nat(2) }) },
)

function pickId(doc: Y.Doc, table: 'employees' | 'vehicles', n: number): string | undefined {
  const ids = [...recordIds(doc, table)].sort()
  return ids[n % Math.max(1, ids.length)]
}

/** The timesheets an office can see where they live now (a moved copy is not one), by id. */
function liveTimesheets(office: Office): Array<{ id: string; period: Period; doc: Y.Doc }> {
  const out = new Map<string, { id: string; period: Period; doc: Y.Doc }>()
  for (const [period, doc] of office.months()) {
    for (const id of recordIds(doc, 'timesheets')) {
      const record = readRecord(doc, 'timesheets', id)
      if (record !== undefined && (record.moved_to ?? null) === null) out.set(id, { id, period, doc })
    }
  }
  return [...out.values()].sort((a, b) => a.id.localeCompare(b.id))
}

function pickTimesheet(office: Office, n: number): { id: string; period: Period; doc: Y.Doc } | undefined {
  const live = liveTimesheets(office)
  return live[n % Math.max(1, live.length)]
}

const dateIn = (period: Period, d: number): string => `${period}-${String(d).padStart(2, '0')}`

/** The conflicts the Çakışmalar screen lists: of master records, or of timesheets in the month each lives in. */
function conflictsOf(office: Office, inMonth: boolean): Conflict[] {
  if (inMonth) return liveTimesheets(office).flatMap((sheet) => recordConflicts(sheet.doc, 'timesheets', sheet.id))
  return (['employees', 'vehicles'] as const).flatMap((table) => [...recordIds(office.master, table)].sort().flatMap((id) => recordConflicts(office.master, table, id)))
}

/** One honest engine edit (an entry the engine refuses writes nothing and is skipped). */
function edit(office: Office, o: Edit): void {
  const author = office.author
  try {
    switch (o.kind) {
      case 'employee':
        insertInto(office, 'employees', { full_name: NAMES[o.name] as string, title: 'Usta' }, author)
        break
      case 'vehicle':
        insertInto(office, 'vehicles', { plate: PLATES[o.plate] as string, km: o.km, brand: o.brand }, author)
        break
      case 'timesheet': {
        const employee = pickId(office.master, 'employees', o.pick)
        if (employee === undefined) return
        const work_date = dateIn(MONTHS[o.month] as Period, o.day)
        insertInto(office, 'timesheets', { employee_id: employee, work_date, start_time: TIMES[o.start] as string, end_time: '17:00', break_minutes: 30, is_special: 0 }, author)
        break
      }
      case 'update': {
        if (o.target === 'vehicle') {
          const vehicle = pickId(office.master, 'vehicles', o.pick)
          if (vehicle !== undefined) updateIn(office, 'vehicles', vehicle, { km: o.value, notes: o.value % 4 === 0 ? null : 'servis' }, author)
        } else if (o.target === 'employee') {
          const employee = pickId(office.master, 'employees', o.pick)
          if (employee !== undefined) updateIn(office, 'employees', employee, { title: `Usta ${o.value % 3}` }, author)
        } else {
          // Within its month: another day, end time or note, edits a move elsewhere may race.
          const sheet = pickTimesheet(office, o.pick)
          if (sheet === undefined) return
          const patch = o.value % 3 === 0 ? { work_date: dateIn(sheet.period, 1 + (o.value % 28)) } : { end_time: ENDS[o.value % 3] as string, notes: o.value % 2 === 0 ? null : 'fazla mesai' }
          updateIn(office, 'timesheets', sheet.id, patch, author)
        }
        break
      }
      case 'move': {
        const sheet = pickTimesheet(office, o.pick)
        if (sheet === undefined) return
        const other = MONTHS.find((m) => m !== sheet.period) as Period
        updateIn(office, 'timesheets', sheet.id, { work_date: dateIn(other, o.day) }, author)
        break
      }
      case 'delete':
      case 'restore': {
        const id = o.table === 'vehicles' ? pickId(office.master, 'vehicles', o.pick) : pickTimesheet(office, o.pick)?.id
        if (id === undefined) return
        if (o.kind === 'delete') deleteIn(office, o.table, id, author)
        else restoreIn(office, o.table, id, author)
        break
      }
      case 'resolve': {
        const conflicts = conflictsOf(office, o.inMonth)
        const c = conflicts[o.pick % Math.max(1, conflicts.length)]
        if (c !== undefined) resolveIn(office, c, o.keepLost ? c.lost_value : c.value, author)
        break
      }
      case 'import': {
        const at = new Date(Date.UTC(2020, 0, 1 + o.n)).toISOString()
        const by = importAuthor(office.account)
        const employee = `legacy${o.n}0000000000`
        const work_date = dateIn(MONTHS[o.month] as Period, 1 + o.n)
        // A dated row goes into the month of its date, opened for it as the import dialog does.
        const monthDoc = office.openMonth(periodOfDate(work_date) as Period)
        office.master.transact(() => {
          // What a legacy file keeps that entry would refuse: a negative break, text in a date column.
          createImported(office.master, 'employees', employee, REGION, { full_name: `ESKİ ${o.n}`, identity_no: null }, by, at)
          createImported(office.master, 'vehicles', `plate:${o.n}LEG${o.n}`, REGION, { plate: `${o.n}LEG${o.n}`, inspection_date: 'bilinmiyor', km: -5 }, by, at)
        })
        // Even rows keep a legacy-only break (entry refuses every edit of them); odd ones are ordinary shifts that can move.
        monthDoc.transact(() => {
          createImported(monthDoc, 'timesheets', `legacyts${o.n}${o.month}000000`, REGION, { employee_id: employee, work_date, start_time: '08:00', end_time: '17:00', break_minutes: o.n % 2 === 0 ? -5 : 60, is_special: 0, notes: null }, by, at)
        })
        break
      }
      case 'open':
        office.openMonth(MONTHS[o.month] as Period)
        break
    }
  } catch (error) {
    if (!(error instanceof RecordError || error instanceof ValidationError)) throw error
  }
}

/** A document's records and resolutions, fields sorted: a map's key order follows the order its items arrived in. */
function dumpDoc(doc: Y.Doc): unknown[] {
  const out: unknown[] = []
  for (const table of ['employees', 'vehicles', 'timesheets'] as const) {
    for (const id of [...recordIds(doc, table)].sort()) out.push([table, id, Object.entries(readRecord(doc, table, id) ?? {}).sort(([a], [b]) => a.localeCompare(b))])
  }
  const resolved = doc.getMap(RESOLVED_MAP)
  for (const key of [...resolved.keys()].sort()) out.push([RESOLVED_MAP, key, resolved.get(key)])
  return out
}

function dump(docs: Iterable<[string, Y.Doc]>): string {
  return JSON.stringify([...docs].sort(([a], [b]) => a.localeCompare(b)).map(([name, doc]) => [name, dumpDoc(doc)]))
}

/** Every document's state vector, office by office and the relay's: unchanged once nothing is left to sync or hand on. */
function progress(relay: Relay, offices: readonly Office[]): string {
  const vectors = (docs: Iterable<[string, Y.Doc]>): string[] => [...docs].map(([name, doc]) => `${name}=${Buffer.from(Y.encodeStateVector(doc)).toString('base64')}`)
  return JSON.stringify([vectors(relay.docs), ...offices.map((o) => vectors(documentsOf(o)))])
}

/** What every history starts from, entered by office 0: records the offices' edits meet on and hostile changes aim at. */
interface Seed {
  employee: string
  vehicle: string
  /** Dated 30 November, a day from the other month. */
  timesheet: string
}

/** The honest world: the relay and three offices (two accounts), after `ops` and settled. */
interface World {
  relay: Relay
  offices: Office[]
  seed: Seed
}

const SHIFT = { start_time: '08:00', end_time: '17:00', break_minutes: 30, is_special: 0 } as const

function honestWorld(ops: readonly Op[]): World {
  const relay = newRelay()
  const offices = [newOffice('ayse'), newOffice('ayse'), newOffice('fatma')]
  // The region as the offices find it at sign-in: master data and November; December opens when
  // someone needs it (office 0, which entered a December day, has it open).
  const first = offices[0] as Office
  const employee = insertInto(first, 'employees', { full_name: 'Ayşe Yılmaz', title: 'Usta' }, first.author).id
  const vehicle = insertInto(first, 'vehicles', { plate: '06 ABC 123', km: 1000, notes: 'n' }, first.author).id
  const timesheet = insertInto(first, 'timesheets', { employee_id: employee, work_date: '2026-11-30', ...SHIFT }, first.author).id
  insertInto(first, 'timesheets', { employee_id: employee, work_date: '2026-12-01', ...SHIFT }, first.author)
  send(relay, first)
  for (const office of offices.slice(1)) {
    office.openMonth('2026-11')
    receive(relay, office)
  }
  for (const o of ops) {
    const office = offices[o.at] as Office
    if (isEdit(o)) edit(office, o)
    else if (o.kind === 'send') send(relay, office)
    else receive(relay, office)
  }
  // Everyone opens both months and syncs until nothing is left to send or hand on.
  for (const office of offices) for (const m of MONTHS) office.openMonth(m)
  for (let round = 0; ; round++) {
    const before = progress(relay, offices)
    for (const office of offices) send(relay, office)
    for (const office of offices) receive(relay, office)
    if (progress(relay, offices) === before) break
    // Handing on settles in a couple of rounds; more means offices keep undoing each other.
    expect(round, 'sync rounds until quiet').toBeLessThan(6)
  }
  return { relay, offices, seed: { employee, vehicle, timesheet } }
}

describe('the update guard', () => {
  it('accepts every honest engine edit, offline for any length, and everyone converges', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60, size: 'max' }), (ops) => {
        const { relay, offices } = honestWorld(ops)
        const expected = dump(relay.docs)
        for (const office of offices) expect(dump(documentsOf(office))).toBe(expected)
        // Every timesheet lives in exactly one month document, the month of its work date.
        const ids = new Set<string>()
        for (const m of MONTHS) for (const id of recordIds(relay.docs.get(documentName(REGION, m)) ?? createRegionDoc(), 'timesheets')) ids.add(id)
        for (const id of ids) {
          const homes = MONTHS.filter((m) => {
            const record = readRecord(relay.docs.get(documentName(REGION, m)) ?? createRegionDoc(), 'timesheets', id)
            return record !== undefined && (record.moved_to ?? null) === null
          })
          expect(homes, `timesheet ${id}`).toHaveLength(1)
          const record = readRecord(relay.docs.get(documentName(REGION, homes[0] as Period)) as Y.Doc, 'timesheets', id)
          expect(periodOfDate(record?.work_date), `timesheet ${id}`).toBe(homes[0])
        }
      }),
      { numRuns: 150 },
    )
  })

  /** A hostile change to an office's documents; returns the name of the document it wrote into. */
  type Hostile = (office: Office, seed: Seed) => string
  const NEW_ID = 'abcdefgh12345678'
  const inMaster = (office: Office, write: (doc: Y.Doc) => void): string => (write(office.master), REGION)
  const inMonth = (office: Office, period: Period, write: (doc: Y.Doc) => void): string => (write(office.openMonth(period)), documentName(REGION, period))
  /** A write into the month the seeded timesheet lives in now (moves in the history may have taken it anywhere). */
  const atTimesheet = (office: Office, seed: Seed, write: (doc: Y.Doc, period: Period) => void): string => {
    const found = locateRecord(office, 'timesheets', seed.timesheet)
    if (found === undefined || found.period === null) throw new Error('the seeded timesheet lives in no month')
    write(found.doc, found.period)
    return documentName(REGION, found.period)
  }
  const sheet = (employee: string, fields: Record<string, unknown> = {}): Y.Map<unknown> =>
    newRecord({ employee_id: employee, work_date: '2026-11-02', start_time: '08:00', end_time: '17:00', break_minutes: 0, is_special: 0, ...fields })

  const hostile: Array<[string, Hostile]> = [
    ['a record that is a string', (o) => inMaster(o, (doc) => doc.getMap('employees').set(NEW_ID, 'oops' as never))],
    ['a table the schema lacks', (o) => inMaster(o, (doc) => doc.getMap('hackers').set('x', 1))],
    ['a table the schema lacks, in a month', (o) => inMonth(o, '2026-11', (doc) => doc.getMap('hackers').set('x', 1))],
    ['a field holding an object', (o, s) => inMaster(o, (doc) => setField(doc, 'employees', s.employee, 'full_name', { a: 1 }))],
    ['a field holding a nested map', (o, s) => inMaster(o, (doc) => setField(doc, 'employees', s.employee, 'title', new Y.Map()))],
    ['a field the table lacks', (o, s) => inMaster(o, (doc) => setField(doc, 'employees', s.employee, 'salary', 100))],
    ['a move mark on a master record', (o, s) => inMaster(o, (doc) => setField(doc, 'employees', s.employee, 'moved_to', '2026-12'))],
    ['a number in a text field', (o, s) => inMaster(o, (doc) => setField(doc, 'employees', s.employee, 'full_name', 12345))],
    ['a negative kilometre', (o, s) => inMaster(o, (doc) => setField(doc, 'vehicles', s.vehicle, 'km', -500))],
    ['an impossible date', (o, s) => inMaster(o, (doc) => setField(doc, 'vehicles', s.vehicle, 'inspection_date', '2026-02-30'))],
    ['a boolean', (o, s) => inMaster(o, (doc) => setField(doc, 'vehicles', s.vehicle, 'km', true))],
    ['a 5 MB string', (o, s) => inMaster(o, (doc) => setField(doc, 'vehicles', s.vehicle, 'notes', 'x'.repeat(5 * 1024 * 1024)))],
    ['a forged author', (o, s) => inMaster(o, (doc) => setField(doc, 'employees', s.employee, 'title', 'Müdür', 'admin'))],
    ['a forged author on a timesheet', (o, s) => atTimesheet(o, s, (doc) => setField(doc, 'timesheets', s.timesheet, 'notes', 'x', 'admin'))],
    ['a change without a stamp', (o, s) => inMaster(o, (doc) => (doc.getMap('employees').get(s.employee) as Y.Map<unknown>).set('title', 'x'))],
    ['a hard-deleted record', (o, s) => inMaster(o, (doc) => doc.getMap('employees').delete(s.employee))],
    ['a hard-deleted timesheet', (o, s) => atTimesheet(o, s, (doc) => doc.getMap('timesheets').delete(s.timesheet))],
    // The plate: every map ever set under a plate id holds it (another office may have entered the same plate).
    ['a hard-deleted field', (o, s) => inMaster(o, (doc) => (doc.getMap('vehicles').get(s.vehicle) as Y.Map<unknown>).delete('plate'))],
    ['every key of every table deleted', (o) =>
      inMaster(o, (doc) => {
        for (const table of ['employees', 'vehicles']) for (const key of [...doc.getMap(table).keys()]) doc.getMap(table).delete(key)
      })],
    ['every timesheet of a month deleted', (o, s) =>
      atTimesheet(o, s, (doc) => {
        for (const key of [...doc.getMap('timesheets').keys()]) doc.getMap('timesheets').delete(key)
      })],
    ['a record replaced by a new map', (o, s) => inMaster(o, (doc) => doc.getMap('employees').set(s.employee, newRecord({ full_name: 'Yeni' })))],
    ['a timesheet replaced by a new map', (o, s) => atTimesheet(o, s, (doc) => doc.getMap('timesheets').set(s.timesheet, sheet(s.employee)))],
    ['a new record without its required field', (o) => inMaster(o, (doc) => doc.getMap('employees').set(NEW_ID, newRecord({ title: 'x' })))],
    ['a new record in another region', (o) => inMaster(o, (doc) => doc.getMap('employees').set(NEW_ID, newRecord({ full_name: 'X' }, 'istanbul')))],
    ['a plate record under a forged id', (o) => inMaster(o, (doc) => doc.getMap('vehicles').set('plate:06XYZ1', newRecord({ plate: '34ABC1' })))],
    ['a timesheet naming no employee', (o) => inMonth(o, '2026-11', (doc) => doc.getMap('timesheets').set(NEW_ID, sheet('nobodyXXXXXXXXXX')))],
    // The id is a record of the month itself, never of the master's employees: the lookup must be the master's table.
    ['a timesheet naming an employee the master never had', (o, s) =>
      atTimesheet(o, s, (doc, period) => doc.getMap('timesheets').set(NEW_ID, sheet(s.timesheet, { work_date: dateIn(period, 2) })))],
    ['a start time of 25:99', (o, s) => inMonth(o, '2026-11', (doc) => doc.getMap('timesheets').set(NEW_ID, sheet(s.employee, { start_time: '25:99' })))],
    ['a flag of "yes"', (o, s) => inMonth(o, '2026-11', (doc) => doc.getMap('timesheets').set(NEW_ID, sheet(s.employee, { is_special: 'yes' })))],
    ['a timesheet in the master document', (o, s) => inMaster(o, (doc) => doc.getMap('timesheets').set(NEW_ID, sheet(s.employee)))],
    ['an employee in a month document', (o) => inMonth(o, '2026-12', (doc) => doc.getMap('employees').set(NEW_ID, newRecord({ full_name: 'Ay Çalışanı' })))],
    ['a vehicle in a month document', (o) => inMonth(o, '2026-11', (doc) => doc.getMap('vehicles').set('plate:06ZZZ9', newRecord({ plate: '06ZZZ9' })))],
    ['a new timesheet dated in another month', (o, s) => inMonth(o, '2026-11', (doc) => doc.getMap('timesheets').set(NEW_ID, sheet(s.employee, { work_date: '2026-12-01' })))],
    ['a timesheet redated into another month without moving', (o, s) =>
      atTimesheet(o, s, (doc, period) => setField(doc, 'timesheets', s.timesheet, 'work_date', period === '2026-11' ? '2026-12-01' : '2026-11-30'))],
    ['moved_to that is not a period', (o, s) => atTimesheet(o, s, (doc) => setField(doc, 'timesheets', s.timesheet, 'moved_to', 'aralık'))],
    ['moved_to of month 13', (o, s) => atTimesheet(o, s, (doc) => setField(doc, 'timesheets', s.timesheet, 'moved_to', '2026-13'))],
    ['moved_to naming its own month', (o, s) => atTimesheet(o, s, (doc, period) => setField(doc, 'timesheets', s.timesheet, 'moved_to', period))],
    ['moved_seen holding a number', (o, s) => atTimesheet(o, s, (doc) => setField(doc, 'timesheets', s.timesheet, 'moved_seen', 7))],
    ['an array where a table belongs', (o) => inMaster(o, (doc) => doc.getArray('drivers').insert(0, ['x']))],
    ['text under a table', (o) => inMaster(o, (doc) => doc.getMap('drivers').set(NEW_ID, new Y.Text('x') as never))],
  ]

  /** An honest history the relay accepted, then `write` on office 0's documents: the refusal, the relay unchanged. */
  function refusedOnTop(history: readonly Op[], write: Hostile): Refusal | null {
    const { relay, offices, seed } = honestWorld(history)
    const office = offices[0] as Office
    const before = relaySnapshot(relay)
    const name = write(office, seed)
    const doc = documentsOf(office).find(([n]) => n === name)?.[1] as Y.Doc
    const theirs = relay.docs.get(name)
    const refusal = offer(relay, name, Y.encodeStateAsUpdate(doc, theirs === undefined ? undefined : Y.encodeStateVector(theirs)), office.account)
    expect(relaySnapshot(relay)).toEqual(before)
    return refusal
  }

  it.each(hostile)('refuses %s and keeps nothing of it', (_, write) => {
    const refusal = refusedOnTop([], write)
    expect(refusal).not.toBeNull()
    expect(refusal?.message.tr.length).toBeGreaterThan(0)
    expect(refusal?.message.en.length).toBeGreaterThan(0)
  })

  it('refuses each new layout rule with its own code', () => {
    const code = (label: string): string | undefined => refusedOnTop([], hostile.find(([l]) => l === label)?.[1] as Hostile)?.code
    expect(code('a timesheet in the master document')).toBe('wrong_document')
    expect(code('an employee in a month document')).toBe('wrong_document')
    expect(code('a new timesheet dated in another month')).toBe('wrong_document')
    expect(code('a timesheet redated into another month without moving')).toBe('wrong_document')
    expect(code('moved_to naming its own month')).toBe('bad_value')
    // The employee may be on its way in the master document's own connection: sent again later.
    expect(code('a timesheet naming an employee the master never had')).toBe('missing_dependencies')
  })

  it('refuses every hostile change on top of any honest history', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 20, size: 'max' }), fc.constantFrom(...hostile), (history, [, write]) => {
        expect(refusedOnTop(history, write)).not.toBeNull()
      }),
      { numRuns: 150 },
    )
  })

  it('lets a record be entered again where a store from before the guard holds a damaged entry', () => {
    const relay = newRelay()
    // Written before the guard existed, straight into the relay's master doc.
    const old = createRegionDoc()
    old.getMap('vehicles').set('plate:06ABC123', 'bozuk' as never)
    relay.docs.set(REGION, old)
    const office = newOffice('ayse')
    receive(relay, office)
    expect(() => updateIn(office, 'vehicles', 'plate:06ABC123', { km: 5 }, office.author)).toThrow(RecordError)
    const id = insertInto(office, 'vehicles', { plate: '06 ABC 123', km: 1000 }, office.author).id
    expect(offer(relay, REGION, Y.encodeStateAsUpdate(office.master, Y.encodeStateVector(old)), 'ayse')).toBeNull()
    expect(readRecord(relay.docs.get(REGION) as Y.Doc, 'vehicles', id)).toMatchObject({ plate: '06ABC123', km: 1000 })
    // Replacing a record that is a real map stays refused.
    const again = createRegionDoc()
    Y.applyUpdate(again, Y.encodeStateAsUpdate(relay.docs.get(REGION) as Y.Doc))
    again.getMap('vehicles').set(id, new Y.Map())
    expect(offer(relay, REGION, Y.encodeStateAsUpdate(again, Y.encodeStateVector(relay.docs.get(REGION) as Y.Doc)), 'ayse')?.code).toBe('record_replaced')
  })

  it('refuses a client id another account wrote with, in any of the region’s documents', () => {
    const relay = newRelay()
    const ayse = newOffice('ayse')
    const employee = insertInto(ayse, 'employees', { full_name: 'Ayşe Yılmaz' }, ayse.author).id
    insertInto(ayse, 'timesheets', { employee_id: employee, work_date: '2026-11-02', ...SHIFT }, ayse.author)
    send(relay, ayse)
    const fatma = newOffice('fatma')
    fatma.openMonth('2026-11')
    receive(relay, fatma)
    // Hand-made clients: stock Yjs would pick a new id on seeing its own in a remote update.
    fatma.master.clientID = ayse.master.clientID
    insertInto(fatma, 'employees', { full_name: 'Fatma Kaya' }, fatma.author)
    expect(offer(relay, REGION, Y.encodeStateAsUpdate(fatma.master, Y.encodeStateVector(relay.docs.get(REGION) as Y.Doc)), 'fatma')?.code).toBe('client_id_taken')
    // One binding for the whole relay: the id ayse wrote the master with is hers in a month too.
    const november = fatma.month('2026-11') as Y.Doc
    november.clientID = ayse.master.clientID
    insertInto(fatma, 'timesheets', { employee_id: employee, work_date: '2026-11-03', ...SHIFT }, fatma.author)
    const name = documentName(REGION, '2026-11')
    expect(offer(relay, name, Y.encodeStateAsUpdate(november, Y.encodeStateVector(relay.docs.get(name) as Y.Doc)), 'fatma')?.code).toBe('client_id_taken')
  })

  it('refuses an update missing what it builds on, in the master and in a month, keeping nothing', () => {
    const relay = newRelay()
    const office = newOffice('ayse')
    const employee = insertInto(office, 'employees', { full_name: 'Bir' }, office.author).id
    insertInto(office, 'timesheets', { employee_id: employee, work_date: '2026-11-02', ...SHIFT }, office.author)
    send(relay, office)
    insertInto(office, 'employees', { full_name: 'İki' }, office.author)
    insertInto(office, 'timesheets', { employee_id: employee, work_date: '2026-11-03', ...SHIFT }, office.author)
    const second = new Map(documentsOf(office).map(([name, doc]) => [name, Y.encodeStateVector(doc)]))
    insertInto(office, 'employees', { full_name: 'Üç' }, office.author)
    insertInto(office, 'timesheets', { employee_id: employee, work_date: '2026-11-04', ...SHIFT }, office.author)
    const before = relaySnapshot(relay)
    for (const [name, doc] of documentsOf(office)) {
      expect(offer(relay, name, Y.encodeStateAsUpdate(doc, second.get(name)), 'ayse')?.code, name).toBe('missing_dependencies')
    }
    expect(relaySnapshot(relay)).toEqual(before)
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
