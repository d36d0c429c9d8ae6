/**
 * The legacy import writes period documents: master data into each region's master document,
 * every dated row into the month of its date (a result with its inspection), what is already
 * there found where it lives (moved records too), and legacy deletions and their cascades reach
 * the months they are in, opened only when asked for, as the relay's migration loads them.
 */
import { copyFileSync, readFileSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { homeOf } from '../crdt/legacy/homes.ts'
import { importLegacy, inMemory, monthsNeeded, readLegacyFile, type ImportReport, type RowReport } from '../crdt/legacy/index.ts'
import { PeriodNotOpenError, updateIn } from '../crdt/periodDocs.ts'
import { readRecord, recordIds } from '../crdt/records.ts'
import { createRegionDoc } from '../crdt/regionDoc.ts'
import { checkTransaction, type Refusal } from '../crdt/updateGuard.ts'
import { parseDocumentName, periodOfDate } from '../schema/periods.ts'
import { DEFAULT_REGIONS } from '../schema/regions.ts'
import { TABLE_NAMES } from '../schema/tables.ts'
import { tempDir } from './helpers/relayProcess.ts'

const FIXTURES = path.resolve(import.meta.dirname, 'fixtures/legacy')
const SLUGS = DEFAULT_REGIONS.map((r) => r.slug)
type Target = ReturnType<typeof inMemory>

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(FIXTURES, name)))

/** The Istanbul fixture with `sql` run on a copy of it. */
function istanbulWith(sql: string): Uint8Array {
  const dir = tempDir('rainstaff-periods-')
  try {
    const file = path.join(dir.dir, 'copy.db')
    copyFileSync(path.join(FIXTURES, 'legacy-v1-istanbul.db'), file)
    const db = new Database(file)
    db.exec(sql)
    db.close()
    return new Uint8Array(readFileSync(file))
  } finally {
    dir.remove()
  }
}

/** Rows in December, February and March besides the fixture's January, and a February inspection with results. */
const spread = (): Uint8Array =>
  istanbulWith(`
    INSERT INTO timesheets (id, employee_id, work_date, start_time, end_time, break_minutes, notes, is_special, region) VALUES
      (5001, 6, '2025-12-31', '05:00', '06:00', 0, '', 0, 'Istanbul'),
      (5002, 7, '01.02.2026', '08:30', '17:30', 60, '', 0, 'Istanbul'),
      (5003, 1, '2026-03-02', '08:30', '17:30', 60, '', 0, 'Ankara');
    INSERT INTO vehicle_inspections (id, vehicle_id, driver_id, inspection_date, week_start, km, service_visit, region)
      VALUES (4, 1, 1, '2026-02-03', '2026-02-02', 152000, 0, 'Istanbul');
    INSERT INTO vehicle_inspection_results (id, inspection_id, item_key, status) VALUES (100, 4, 'body_dent', 'Olumlu'), (101, 4, 'paint_damage', 'Olumlu');
  `)

const allDocs = (target: Target): Array<readonly [string, Y.Doc]> => [...target.documents.values()].flatMap((docs) => docs.all())
const stateVectors = (target: Target): string[] => allDocs(target).map(([name, d]) => `${name} ${Buffer.from(Y.encodeStateVector(d)).toString('hex')}`)
const monthsOf = (target: Target, region: string): string[] => [...target.documents.get(region)!.months()].map(([p]) => p).sort()

function row(report: ImportReport, table: string, legacyId: number): RowReport {
  const found = report.rows.find((r) => r.table === table && r.legacyId === legacyId)
  if (found === undefined) throw new Error(`no row ${table} #${legacyId}`)
  return found
}

/** The relay guard's verdict on a document's whole state, offered to an empty document of its name. */
function guardVerdict(target: Target, name: string, doc: Y.Doc): Refusal | null {
  const { region, period } = parseDocumentName(name)!
  const master = target.documents.get(region)!.master
  const copy = createRegionDoc()
  let transaction: Y.Transaction | null = null
  copy.transact((tr) => {
    transaction = tr
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
  })
  return checkTransaction(copy, transaction!, { region, account: 'tester', period, masterHas: (table, id) => readRecord(master, table, id) !== undefined })
}

describe('where imported records go', () => {
  it('puts timesheets into the months of their dates, results with their inspection, master data in the master', async () => {
    const target = inMemory(SLUGS)
    const report = await importLegacy(spread(), { ...target, user: 'tester' })
    expect(monthsOf(target, 'istanbul')).toEqual(['2025-12', '2026-01', '2026-02'])
    expect(monthsOf(target, 'ankara')).toEqual(['2026-01', '2026-03'])
    expect(monthsOf(target, 'bursa')).toEqual([])

    for (const r of report.rows.filter((r) => r.outcome === 'created')) {
      const docs = target.documents.get(r.region)!
      const table = r.table as (typeof TABLE_NAMES)[number]
      const here = r.period === null ? docs.master : docs.month(r.period)!
      const record = readRecord(here, table, r.recordId!)
      expect(record, `${r.table} #${r.legacyId} in ${r.region}/${r.period ?? 'master'}`).toBeDefined()
      // In that document only.
      const elsewhere = docs.all().filter(([, d]) => d !== here && readRecord(d, table, r.recordId!) !== undefined)
      expect(elsewhere.map(([name]) => name)).toEqual([])
      if (r.table === 'timesheets') {
        expect(r.period).toBe(periodOfDate(record!.work_date))
        // Its employee resolves in the master document.
        expect(readRecord(docs.master, 'employees', String(record!.employee_id))?.deleted_at).toBeNull()
      }
      if (r.table === 'vehicle_inspection_results') {
        expect(readRecord(here, 'vehicle_inspections', String(record!.inspection_id))).toBeDefined()
      }
    }
    expect(row(report, 'timesheets', 5001)).toMatchObject({ outcome: 'created', region: 'istanbul', period: '2025-12' })
    expect(row(report, 'timesheets', 5002)).toMatchObject({ outcome: 'created', region: 'istanbul', period: '2026-02' })
    expect(row(report, 'timesheets', 5003)).toMatchObject({ outcome: 'created', region: 'ankara', period: '2026-03' })
    expect(row(report, 'vehicle_inspections', 4)).toMatchObject({ period: '2026-02' })
    expect(row(report, 'vehicle_inspection_results', 100)).toMatchObject({ period: '2026-02' })
    expect(row(report, 'employees', 6)).toMatchObject({ outcome: 'created', period: null })
    for (const docs of target.documents.values()) {
      expect(recordIds(docs.master, 'timesheets').next().done, docs.region).toBe(true)
    }

    // The relay's guard takes every document as the import wrote it.
    for (const [name, doc] of allDocs(target)) expect(guardVerdict(target, name, doc), name).toBeNull()
  })

  it('a re-import finds every record where it lives and creates nothing, also one moved to another month since', async () => {
    const target = inMemory(SLUGS)
    const first = await importLegacy(spread(), { ...target, user: 'tester' })
    const moved = row(first, 'timesheets', 5001).recordId!
    updateIn(target.documents.get('istanbul')!, 'timesheets', moved, { work_date: '2026-01-02' }, { user: 'istanbul1' })
    const before = stateVectors(target)

    const again = await importLegacy(spread(), { ...target, user: 'tester' })
    expect(again.rows.filter((r) => r.outcome === 'created')).toEqual([])
    expect(again.counts).toEqual(
      Object.fromEntries(
        Object.entries(first.counts).map(([region, tables]) => [
          region,
          Object.fromEntries(Object.entries(tables).map(([t, c]) => [t, { ...c, present: c.present + c.created, created: 0, warnings: c.warnings + (region === 'istanbul' && t === 'timesheets' ? 1 : 0) }])),
        ]),
      ),
    )
    expect(row(again, 'timesheets', 5001)).toMatchObject({ outcome: 'present', recordId: moved, period: '2026-01' })
    expect(row(again, 'timesheets', 5001).reasons[0].message).toContain('work_date "2026-01-02" ≠ "2025-12-31"')
    expect(stateVectors(target)).toEqual(before)
  })

  it('lists the months a file needs, and without them open stops before writing anything', async () => {
    const file = await readLegacyFile(spread())
    const target = inMemory(SLUGS)
    const needed = monthsNeeded(file, { documents: target.documents })
    expect(Object.fromEntries(needed)).toEqual({ ankara: ['2026-01', '2026-03'], istanbul: ['2025-12', '2026-01', '2026-02'] })

    const closed = importLegacy(spread(), { documents: target.documents, user: 'tester' })
    await expect(closed).rejects.toThrow(PeriodNotOpenError)
    expect(allDocs(target).every(([, d]) => Y.encodeStateVector(d).length === 1)).toBe(true)

    for (const [region, periods] of needed) for (const period of periods) target.openMonth(region, period)
    const report = await importLegacy(spread(), { documents: target.documents, user: 'tester' })
    expect(row(report, 'timesheets', 5003)).toMatchObject({ outcome: 'created', period: '2026-03' })
  })

  it('a dated row whose date names no month goes to the month of the import, and says so', () => {
    const importMonth = '2026-11'
    expect(homeOf('timesheets', { work_date: 'bilinmiyor' }, null, importMonth)).toEqual({ period: '2026-11', undated: 'work_date' })
    expect(homeOf('timesheets', { work_date: '2026-01-31' }, null, importMonth)).toEqual({ period: '2026-01', undated: null })
    expect(homeOf('vehicle_inspection_results', {}, '2026-02', importMonth)).toEqual({ period: '2026-02', undated: null })
    expect(homeOf('employees', { full_name: 'x' }, null, importMonth)).toEqual({ period: null, undated: null })
  })
})

/** An older copy of the Istanbul PC's file holding, in December and February, the rows v1's deleted_records names. */
const olderSpread = (): Uint8Array =>
  istanbulWith(`
    DELETE FROM deleted_records;
    INSERT INTO employees (id, full_name, identity_no, department, title, region) VALUES (9998, 'SİLİNEN KİŞİ', '98', 'TEKNİK', 'TEKNİSYEN', 'Istanbul');
    INSERT INTO timesheets (id, employee_id, work_date, start_time, end_time, break_minutes, notes, is_special, region) VALUES
      (9999, 6, '2026-02-20', '07:00', '12:00', 0, 'silinecek', 0, 'Istanbul'),
      (9997, 9998, '2025-12-21', '08:30', '17:30', 60, '', 0, 'Istanbul'),
      (9996, 9998, '2026-02-23', '08:30', '17:30', 60, '', 0, 'Istanbul');
  `)

describe('legacy deletions across month documents', () => {
  it('reach the record in its month and the cascade reaches every month, each opened only when asked for', async () => {
    const stored = inMemory(SLUGS)
    const first = await importLegacy(olderSpread(), { ...stored, user: 'tester' })
    const id = (legacyId: number): string => row(first, 'timesheets', legacyId).recordId!
    const person = row(first, 'employees', 9998).recordId!

    // A later run that loads documents only as the import asks for them, as the relay's migration does.
    const byName = new Map(allDocs(stored))
    const loaded: string[] = []
    const later = inMemory(SLUGS, (name) => {
      loaded.push(name)
      const copy = createRegionDoc()
      const doc = byName.get(name)
      if (doc !== undefined) Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
      return copy
    })
    const file = await readLegacyFile(fixture('legacy-v1-istanbul.db'))
    // v1's own rows are all January; its deletions reach February and, through the employee, December.
    expect(monthsNeeded(file, later).get('istanbul')).toEqual(['2025-12', '2026-01', '2026-02'])

    const v1 = await importLegacy(fixture('legacy-v1-istanbul.db'), { ...later, user: 'tester' })
    // Its rows were all in the older copy: found in the months loaded for them, none created again.
    expect(v1.rows.filter((r) => r.outcome === 'created')).toEqual([])
    expect(v1.deletions).toEqual([
      expect.objectContaining({ table: 'timesheets', legacyId: 9999, outcome: 'applied', region: 'istanbul', recordId: id(9999), cascaded: 0 }),
      expect.objectContaining({ table: 'employees', legacyId: 9998, outcome: 'applied', region: 'istanbul', recordId: person, cascaded: 2 }),
    ])
    expect(loaded.filter((name) => name.startsWith('istanbul')).sort()).toEqual(['istanbul', 'istanbul/2025-12', 'istanbul/2026-01', 'istanbul/2026-02'])
    const istanbul = later.documents.get('istanbul')!
    expect(readRecord(istanbul.month('2026-02')!, 'timesheets', id(9999))?.deleted_by).toBe('legacy-import:tester')
    expect(readRecord(istanbul.month('2026-02')!, 'timesheets', id(9996))?.deleted_at).not.toBeNull()
    expect(readRecord(istanbul.month('2025-12')!, 'timesheets', id(9997))?.deleted_at).not.toBeNull()
    expect(readRecord(istanbul.master, 'employees', person)?.deleted_at).not.toBeNull()

    // Done once: importing v1 again changes nothing.
    const before = stateVectors(later)
    const again = await importLegacy(fixture('legacy-v1-istanbul.db'), { ...later, user: 'tester' })
    expect(again.deletions.map((d) => d.outcome)).toEqual(['recorded', 'recorded'])
    expect(stateVectors(later)).toEqual(before)
  })
})
