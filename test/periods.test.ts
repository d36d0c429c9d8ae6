import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createRegionDoc } from '../crdt/regionDoc.ts'
import { openMirror } from '../crdt/mirror.ts'
import { readRecord } from '../crdt/records.ts'
import { applyChanges, deleteIn, forwardMovedEdits, insertInto, locateRecord, PeriodNotOpenError, updateIn, type RegionDocuments } from '../crdt/periodDocs.ts'
import { documentName, parseDocumentName, shiftPeriod, workingPeriods, type Period } from '../schema/periods.ts'
import { ValidationError } from '../schema/validate.ts'

const sync = (a: Y.Doc, b: Y.Doc): void => {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)))
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)))
}

/** One replica's open documents of Ankara. */
function replica(periods: Period[]): RegionDocuments & { docs: Map<Period, Y.Doc>; open(period: Period): Y.Doc } {
  const docs = new Map<Period, Y.Doc>(periods.map((p) => [p, createRegionDoc()]))
  const master = createRegionDoc()
  return {
    region: 'ankara',
    master,
    docs,
    month: (period) => docs.get(period),
    months: () => docs.entries(),
    open(period) {
      const doc = docs.get(period) ?? createRegionDoc()
      docs.set(period, doc)
      return doc
    },
  }
}

function syncReplicas(a: ReturnType<typeof replica>, b: ReturnType<typeof replica>): void {
  sync(a.master, b.master)
  for (const [period, doc] of a.docs) {
    const other = b.docs.get(period)
    if (other !== undefined) sync(doc, other)
  }
}

/** The months in which a replica reads record `id` of timesheets as living (not a moved copy). */
function homes(r: ReturnType<typeof replica>, id: string): Period[] {
  return [...r.docs].filter(([, doc]) => {
    const record = readRecord(doc, 'timesheets', id)
    return record !== undefined && (record.moved_to ?? null) === null
  }).map(([period]) => period).sort()
}

const clerk = { user: 'ankara1' }
const other = { user: 'ankara2' }
const shift = { start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0 } as const

describe('document names and periods', () => {
  it('names a master document by its region and a month by region/YYYY-MM', () => {
    expect(documentName('ankara')).toBe('ankara')
    expect(documentName('ankara', '2026-11')).toBe('ankara/2026-11')
    expect(parseDocumentName('ankara/2026-11')).toEqual({ region: 'ankara', period: '2026-11' })
    expect(parseDocumentName('izmir')).toEqual({ region: 'izmir', period: null })
    for (const bad of ['ankara/2026-13', 'ankara/26-11', 'Ankara', 'ankara/2026-11/x', '../ankara', 'ankara/']) {
      expect(parseDocumentName(bad)).toBeUndefined()
    }
  })

  it('counts months across years and opens this month and the one before', () => {
    expect(shiftPeriod('2026-01', -1)).toBe('2025-12')
    expect(shiftPeriod('2026-12', 1)).toBe('2027-01')
    expect(shiftPeriod('2026-05', -29)).toBe('2023-12')
    expect(workingPeriods(new Date(2026, 0, 15))).toEqual(['2025-12', '2026-01'])
  })
})

describe('writing across a region’s documents', () => {
  it('puts a timesheet into its month and checks its employee in the master document', () => {
    const r = replica(['2026-11'])
    const employee = insertInto(r, 'employees', { full_name: 'Ayşe Yılmaz' }, clerk)
    expect(employee.period).toBeNull()
    const sheet = insertInto(r, 'timesheets', { employee_id: employee.id, work_date: '30.11.2026', ...shift }, clerk)
    expect(sheet.period).toBe('2026-11')
    expect(readRecord(r.docs.get('2026-11')!, 'timesheets', sheet.id)).toMatchObject({ work_date: '2026-11-30', employee_id: employee.id })
    expect(readRecord(r.master, 'timesheets', sheet.id)).toBeUndefined()
    expect(() => insertInto(r, 'timesheets', { employee_id: 'nobody000000', work_date: '2026-11-02', ...shift }, clerk)).toThrow(ValidationError)
    const closed = (): unknown => insertInto(r, 'timesheets', { employee_id: employee.id, work_date: '2026-12-01', ...shift }, clerk)
    expect(closed).toThrow(PeriodNotOpenError)
    expect(closed).toThrow(/Aralık 2026/)
  })

  it('moves a timesheet edited from 30 November to 1 December, keeping its id and one mirror row', async () => {
    const r = replica(['2026-11', '2026-12'])
    const mirror = await openMirror()
    mirror.attach('ankara', r.master)
    mirror.attach('ankara/2026-11', r.docs.get('2026-11')!)
    mirror.attach('ankara/2026-12', r.docs.get('2026-12')!)
    const employee = insertInto(r, 'employees', { full_name: 'Ayşe Yılmaz' }, clerk).id
    const { id } = insertInto(r, 'timesheets', { employee_id: employee, work_date: '2026-11-30', notes: 'gece', ...shift }, clerk)
    updateIn(r, 'timesheets', id, { work_date: '01.12.2026' }, clerk)
    expect(locateRecord(r, 'timesheets', id)).toMatchObject({ period: '2026-12', record: { work_date: '2026-12-01', notes: 'gece', start_time: '08:00' } })
    expect(readRecord(r.docs.get('2026-11')!, 'timesheets', id)?.moved_to).toBe('2026-12')
    expect(mirror.query('SELECT id, work_date, notes FROM timesheets')).toEqual([{ id, work_date: '2026-12-01', notes: 'gece' }])
    // Back again: the old map takes the values, nothing is duplicated.
    updateIn(r, 'timesheets', id, { work_date: '2026-11-29', notes: 'geri' }, clerk)
    expect(locateRecord(r, 'timesheets', id)).toMatchObject({ period: '2026-11', record: { work_date: '2026-11-29', notes: 'geri', moved_to: null } })
    expect(mirror.query('SELECT id, work_date, notes FROM timesheets')).toEqual([{ id, work_date: '2026-11-29', notes: 'geri' }])
    // Detaching the month it left removes nothing; detaching the month it lives in removes it.
    mirror.detach('ankara/2026-12')
    expect(mirror.query('SELECT count(*) AS n FROM timesheets')).toEqual([{ n: 1 }])
    mirror.detach('ankara/2026-11')
    expect(mirror.query('SELECT count(*) AS n FROM timesheets')).toEqual([{ n: 0 }])
  })

  it('refuses a move into a month that is not open, writing nothing', () => {
    const r = replica(['2026-11'])
    const employee = insertInto(r, 'employees', { full_name: 'Ayşe Yılmaz' }, clerk).id
    const { id } = insertInto(r, 'timesheets', { employee_id: employee, work_date: '2026-11-30', ...shift }, clerk)
    const before = Y.encodeStateVector(r.docs.get('2026-11')!)
    expect(() => updateIn(r, 'timesheets', id, { work_date: '2026-12-01' }, clerk)).toThrow(PeriodNotOpenError)
    expect(Y.encodeStateVector(r.docs.get('2026-11')!)).toEqual(before)
  })

  it('hands on an edit made beside the move in the old month, once', () => {
    const a = replica(['2026-11', '2026-12'])
    const b = replica(['2026-11'])
    const employee = insertInto(a, 'employees', { full_name: 'Ayşe Yılmaz' }, clerk).id
    const { id } = insertInto(a, 'timesheets', { employee_id: employee, work_date: '2026-11-30', ...shift }, clerk)
    syncReplicas(a, b)
    // A moves the row to December while B, offline, corrects its end time in November.
    updateIn(a, 'timesheets', id, { work_date: '2026-12-01' }, clerk)
    updateIn(b, 'timesheets', id, { end_time: '18:00', notes: 'fazla mesai' }, other)
    syncReplicas(a, b)
    expect(locateRecord(a, 'timesheets', id)?.record.end_time).toBe('17:00')
    expect(forwardMovedEdits(a, '2026-11', clerk)).toBe(1)
    expect(locateRecord(a, 'timesheets', id)).toMatchObject({ period: '2026-12', record: { end_time: '18:00', notes: 'fazla mesai', work_date: '2026-12-01' } })
    expect(forwardMovedEdits(a, '2026-11', clerk)).toBe(0)
    // A later edit in December is not undone by the old copy.
    updateIn(a, 'timesheets', id, { end_time: '17:30' }, clerk)
    syncReplicas(a, b)
    expect(forwardMovedEdits(a, '2026-11', clerk)).toBe(0)
    expect(locateRecord(a, 'timesheets', id)?.record.end_time).toBe('17:30')
  })

  it('hands on a delete made beside the move', () => {
    const a = replica(['2026-11', '2026-12'])
    const b = replica(['2026-11'])
    const employee = insertInto(a, 'employees', { full_name: 'Ayşe Yılmaz' }, clerk).id
    const { id } = insertInto(a, 'timesheets', { employee_id: employee, work_date: '2026-11-30', ...shift }, clerk)
    syncReplicas(a, b)
    updateIn(a, 'timesheets', id, { work_date: '2026-12-01' }, clerk)
    deleteIn(b, 'timesheets', id, other)
    syncReplicas(a, b)
    forwardMovedEdits(a, '2026-11', clerk)
    expect(locateRecord(a, 'timesheets', id)?.record.deleted_at).not.toBeNull()
  })

  it('settles a record moved into a month opened on the spot, beside the copy that once left it', () => {
    const a = replica(['2026-11', '2026-12'])
    const b = replica(['2026-11'])
    const employee = insertInto(a, 'employees', { full_name: 'Ayşe Yılmaz' }, clerk).id
    const { id } = insertInto(a, 'timesheets', { employee_id: employee, work_date: '2026-12-01', ...shift }, clerk)
    updateIn(a, 'timesheets', id, { work_date: '2026-11-30' }, clerk)
    syncReplicas(a, b)
    // B has not synced December: the month opens empty and the row moves back into it. Each
    // copy now reads as moved to the other until someone with both months settles it.
    b.open('2026-12')
    updateIn(b, 'timesheets', id, { work_date: '2026-12-02' }, other)
    syncReplicas(a, b)
    forwardMovedEdits(a, '2026-11', clerk)
    forwardMovedEdits(a, '2026-12', clerk)
    syncReplicas(a, b)
    for (const r of [a, b]) expect(homes(r, id)).toEqual(['2026-12'])
  })

  // A move's two edits are in two documents, which reach another office one after the other.
  it.each([['the new month first'], ['the old month first']])('settles a move back to an earlier month seen half-way (%s) where it went', (order) => {
    let minute = 0
    const clock = { user: 'ankara1', now: () => new Date(Date.UTC(2026, 11, 2, 8, minute++)) }
    const a = replica(['2026-11', '2026-12'])
    const c = replica(['2026-11', '2026-12'])
    const employee = insertInto(a, 'employees', { full_name: 'Ayşe Yılmaz' }, clock).id
    const { id } = insertInto(a, 'timesheets', { employee_id: employee, work_date: '2026-11-30', ...shift }, clock)
    updateIn(a, 'timesheets', id, { work_date: '2026-12-01' }, clock)
    syncReplicas(a, c)
    // Back to November: C hears one document of the move, settles what it sees, then the other.
    updateIn(a, 'timesheets', id, { work_date: '2026-11-29' }, clock)
    const halves: Period[] = order === 'the new month first' ? ['2026-11', '2026-12'] : ['2026-12', '2026-11']
    for (const period of halves) {
      sync(a.docs.get(period)!, c.docs.get(period)!)
      for (const p of ['2026-11', '2026-12']) forwardMovedEdits(c, p, other)
    }
    syncReplicas(a, c)
    for (const p of ['2026-11', '2026-12']) forwardMovedEdits(a, p, clock)
    syncReplicas(a, c)
    for (const r of [a, c]) expect(homes(r, id)).toEqual(['2026-11'])
    expect(locateRecord(c, 'timesheets', id)?.record.work_date).toBe('2026-11-29')
  })

  // Client ids set so that every order of the two offices' concurrent marks in each month is tried.
  it.each([
    [10, 20, 30, 40],
    [10, 20, 40, 30],
    [20, 10, 30, 40],
    [20, 10, 40, 30],
  ])('settles moves back and forth by two offices at once in one month (clients %i %i %i %i)', (a11, b11, a12, b12) => {
    const a = replica(['2026-11', '2026-12'])
    const b = replica(['2026-11'])
    b.open('2026-12')
    for (const [r, november, december] of [[a, a11, a12], [b, b11, b12]] as const) {
      r.docs.get('2026-11')!.clientID = november
      r.docs.get('2026-12')!.clientID = december
    }
    const employee = insertInto(a, 'employees', { full_name: 'Ayşe Yılmaz' }, clerk).id
    const { id } = insertInto(a, 'timesheets', { employee_id: employee, work_date: '2026-11-30', ...shift }, clerk)
    sync(a.master, b.master)
    sync(a.docs.get('2026-11')!, b.docs.get('2026-11')!)
    // Offline, each moves the row to December and back; A moves it once more.
    updateIn(a, 'timesheets', id, { work_date: '2026-12-01' }, clerk)
    updateIn(b, 'timesheets', id, { work_date: '2026-12-02' }, other)
    updateIn(a, 'timesheets', id, { work_date: '2026-11-03' }, clerk)
    updateIn(b, 'timesheets', id, { work_date: '2026-11-04' }, other)
    updateIn(a, 'timesheets', id, { work_date: '2026-12-05' }, clerk)
    syncReplicas(a, b)
    for (let round = 0; round < 3; round++) {
      for (const [r, author] of [[a, clerk], [b, other]] as const) for (const period of ['2026-11', '2026-12']) forwardMovedEdits(r, period, author)
      syncReplicas(a, b)
    }
    const home = homes(a, id)
    expect(home).toHaveLength(1)
    expect(homes(b, id)).toEqual(home)
    expect(locateRecord(a, 'timesheets', id)?.record.work_date).toMatch(new RegExp(`^${home[0]}-`))
  })

  it('moves an inspection with its results when its week moves to another month', () => {
    const r = replica(['2026-11', '2026-12'])
    const vehicle = insertInto(r, 'vehicles', { plate: '06 ABC 123' }, clerk).id
    const inspection = insertInto(r, 'vehicle_inspections', { vehicle_id: vehicle, inspection_date: '2026-11-30', week_start: '2026-11-30' }, clerk)
    const result = insertInto(r, 'vehicle_inspection_results', { inspection_id: inspection.id, item_key: 'lights', status: 'Olumlu' }, clerk)
    expect(result.period).toBe('2026-11')
    updateIn(r, 'vehicle_inspections', inspection.id, { week_start: '2026-12-07', inspection_date: '2026-12-07' }, clerk)
    expect(locateRecord(r, 'vehicle_inspection_results', result.id)).toMatchObject({ period: '2026-12', record: { item_key: 'lights', inspection_id: inspection.id } })
  })

  it('applies changes made elsewhere: a restore before the fields, a deletion after them', () => {
    const r = replica(['2026-11'])
    const employee = insertInto(r, 'employees', { full_name: 'Ayşe Yılmaz' }, clerk).id
    const { id } = insertInto(r, 'timesheets', { employee_id: employee, work_date: '2026-11-02', ...shift }, clerk)
    deleteIn(r, 'timesheets', id, clerk)
    const located = (): NonNullable<ReturnType<typeof locateRecord>> => locateRecord(r, 'timesheets', id)!
    expect(applyChanges(r, 'timesheets', located(), { deleted_at: null, notes: 'geri geldi' }, clerk)).toBe(true)
    expect(located().record).toMatchObject({ deleted_at: null, notes: 'geri geldi' })
    expect(applyChanges(r, 'timesheets', located(), { notes: 'son hali', deleted_at: '2026-11-03T10:00:00.000Z' }, clerk)).toBe(true)
    expect(located().record).toMatchObject({ notes: 'son hali' })
    expect(located().record.deleted_at).not.toBeNull()
    // Nothing that differs: nothing written.
    const before = Y.encodeStateVector(r.docs.get('2026-11')!)
    expect(applyChanges(r, 'timesheets', located(), { notes: 'son hali', deleted_at: 'x' }, clerk)).toBe(false)
    expect(Y.encodeStateVector(r.docs.get('2026-11')!)).toEqual(before)
  })
})
