/**
 * The legacy import core against the real fixture files: every hour figure and monthly total in
 * expected.json through the mirror, row counts, every dirty row against its `why`, idempotence,
 * the v0 + v1 union, legacy deletions across files, dry runs and refusals.
 */
import { createHash } from 'node:crypto'
import { copyFileSync, readFileSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { importLegacy, inMemory, LegacyFileError, problemRows, type ImportOptions, type ImportReport, type RowReport } from '../crdt/legacy/index.ts'
import { contentId } from '../crdt/legacy/identity.ts'
import { openMirror, type Mirror } from '../crdt/mirror.ts'
import { deleteIn, locateRecord, updateIn } from '../crdt/periodDocs.ts'
import { createRegionDoc } from '../crdt/regionDoc.ts'
import { hourSettingsFrom, monthlyHours, rowHours, type RowHours, type ShiftInput } from '../schema/hours.ts'
import { DEFAULT_REGIONS, legacyRegionSlug } from '../schema/regions.ts'
import { tempDir } from './helpers/relayProcess.ts'

const FIXTURES = path.resolve(import.meta.dirname, 'fixtures/legacy')

interface Expected {
  settings: Record<string, string>
  table_counts: Record<string, number>
  timesheet_hours: Record<string, RowHours>
  monthly_totals: Record<string, RowHours>
  users?: Record<string, { password: string; role: string; region: string }>
}
const expected = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, Expected> & {
  'legacy-dirty.db': { rows: Array<{ legacy_id: number; why: string }> }
}

const bytes = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(FIXTURES, name)))
/** Every region's documents in memory; the import opens the months it needs among them. */
type Target = ReturnType<typeof inMemory>
const regionDocs = (load?: (name: string) => Y.Doc): Target => inMemory(DEFAULT_REGIONS.map((r) => r.slug), load)
const allDocs = (target: Target): Array<readonly [string, Y.Doc]> => [...target.documents.values()].flatMap((docs) => docs.all())
const stateVectors = (target: Target): string[] => allDocs(target).map(([name, d]) => `${name} ${Buffer.from(Y.encodeStateVector(d)).toString('hex')}`)
const untouched = (target: Target): boolean => allDocs(target).every(([, d]) => Y.encodeStateVector(d).length === 1)

const mirrors: Mirror[] = []
afterEach(() => {
  for (const m of mirrors.splice(0)) m.close()
})

async function mirrorOf(target: Target): Promise<Mirror> {
  const mirror = await openMirror()
  for (const [name, doc] of allDocs(target)) mirror.attach(name, doc)
  mirrors.push(mirror)
  return mirror
}

type RunOptions = Partial<Pick<ImportOptions, 'fileRegion' | 'dryRun' | 'chunkSize' | 'onProgress'>>

async function run(file: string, target: Target, options: RunOptions = {}): Promise<ImportReport> {
  return importLegacy(bytes(file), { ...target, user: 'tester', ...options })
}

function rowOf(report: ImportReport, table: string, legacyId: number | string): RowReport {
  const row = report.rows.find((r) => r.table === table && r.legacyId === legacyId)
  if (!row) throw new Error(`no report row for ${table} #${legacyId}`)
  return row
}

function settingsOf(mirror: Mirror, region: string): ReturnType<typeof hourSettingsFrom> {
  const rows = mirror.query('SELECT key, value FROM settings WHERE region = ?', [region])
  return hourSettingsFrom(Object.fromEntries(rows.map((r) => [String(r.key), r.value === null ? null : String(r.value)])))
}

type ShiftRow = ShiftInput & { employee_id: string }
const SHIFT_COLUMNS = 'employee_id, work_date, start_time, end_time, break_minutes, is_special'

function hoursOfRecord(mirror: Mirror, region: string, id: string): RowHours {
  const [row] = mirror.query(`SELECT ${SHIFT_COLUMNS} FROM timesheets WHERE region = ? AND id = ?`, [region, id]) as unknown as ShiftRow[]
  expect(row, `timesheet ${id} in the mirror`).toBeDefined()
  return rowHours(row, settingsOf(mirror, region))
}

/** Every timesheet figure of `file` in expected.json, through the mirror. */
function checkRowHours(file: string, report: ImportReport, mirror: Mirror, except: ReadonlySet<string> = new Set()): void {
  for (const [legacyId, figures] of Object.entries(expected[file].timesheet_hours)) {
    if (except.has(legacyId)) continue
    const row = rowOf(report, 'timesheets', Number(legacyId))
    expect(row.recordId).not.toBeNull()
    expect(hoursOfRecord(mirror, row.region, row.recordId!), `${file} timesheet #${legacyId}`).toEqual(figures)
  }
}

/** Monthly totals keyed `Region|Employee name|YYYY-MM`, through the mirror. */
function checkMonthlyTotals(totalsByKey: Readonly<Record<string, RowHours>>, mirror: Mirror): void {
  for (const [key, totals] of Object.entries(totalsByKey)) {
    const [regionName, name, month] = key.split('|')
    const region = legacyRegionSlug(regionName)
    const employees = mirror.query('SELECT id FROM employees WHERE region = ? AND full_name = ?', [region, name])
    expect(employees, key).toHaveLength(1)
    const rows = mirror.query(`SELECT ${SHIFT_COLUMNS} FROM timesheets WHERE region = ?`, [region]) as unknown as ShiftRow[]
    expect(monthlyHours(rows, settingsOf(mirror, region), month).get(String(employees[0].id)), key).toEqual(totals)
  }
}

function checkHours(file: string, report: ImportReport, mirror: Mirror): void {
  checkRowHours(file, report, mirror)
  checkMonthlyTotals(expected[file].monthly_totals, mirror)
}

function addHours(a: RowHours, b: RowHours, sign = 1): RowHours {
  const out = { ...a }
  for (const key of Object.keys(out) as (keyof RowHours)[]) out[key] = Math.round((a[key] + sign * b[key]) * 100) / 100
  return out
}

function mirrorCount(mirror: Mirror, table: string): number {
  return Number(mirror.query(`SELECT count(*) AS n FROM ${table}`)[0].n)
}

/** Rows of each legacy table: the report accounts for every one, and the mirror holds the imported ones. */
function checkCounts(file: string, report: ImportReport, mirror: Mirror, skipped: ReadonlyArray<[string, number | string]>): void {
  for (const [table, count] of Object.entries(expected[file].table_counts)) {
    if (table === 'users') {
      expect(report.users).toHaveLength(count)
      continue
    }
    if (table === 'deleted_records') {
      expect(report.deletions).toHaveLength(count)
      continue
    }
    const rows = report.rows.filter((r) => r.table === table)
    expect(rows, table).toHaveLength(count)
    const expectedSkips = skipped.filter(([t]) => t === table).map(([, id]) => id)
    expect(rows.filter((r) => r.outcome === 'skipped').map((r) => r.legacyId).sort(), table).toEqual(expectedSkips.sort())
    if (table !== 'reports') expect(mirrorCount(mirror, table), table).toBe(rows.filter((r) => r.outcome === 'created').length)
  }
}

const SYNC_SETTINGS: ReadonlyArray<[string, string]> = [
  ['settings', 'sync_enabled'],
  ['settings', 'sync_url'],
  ['settings', 'sync_token'],
]

describe('record ids', () => {
  it('are the first 96 bits of SHA-256 over table and parts, as node:crypto computes it, at every block boundary', () => {
    for (let n = 0; n < 200; n++) {
      const text = 'ÇĞİÖŞÜ-'.repeat(n).slice(0, n)
      const digest = createHash('sha256').update(`employees\u001f${text}\u001fx`, 'utf8').digest('hex')
      expect(contentId('employees', [text, 'x']), `length ${n}`).toBe(digest.slice(0, 24))
    }
  })
})

describe('importing each legacy fixture', () => {
  it('v0 (Ankara, before regions): needs a region, then every figure matches', async () => {
    const docs = regionDocs()
    await expect(run('legacy-v0-ankara.db', docs)).rejects.toThrow(LegacyFileError)
    await expect(run('legacy-v0-ankara.db', docs)).rejects.toThrow(/--region.* \/ .*--region/)
    expect(untouched(docs)).toBe(true)

    const report = await run('legacy-v0-ankara.db', docs, { fileRegion: 'ankara' })
    expect(report.version).toBe('v0')
    expect(report.pc).toEqual({ region: 'ankara', source: 'option' })
    const mirror = await mirrorOf(docs)
    checkCounts('legacy-v0-ankara.db', report, mirror, [['reports', 1]])
    expect(report.rows.every((r) => r.region === 'ankara')).toBe(true)
    checkHours('legacy-v0-ankara.db', report, mirror)
    // The DD.MM.YYYY row is stored as an ISO date.
    const row24 = rowOf(report, 'timesheets', 24)
    expect(mirror.query('SELECT work_date FROM timesheets WHERE id = ?', [row24.recordId])[0].work_date).toBe('2026-01-07')
    expect(Object.fromEntries(mirror.query("SELECT key, value FROM settings WHERE region = 'ankara'").map((r) => [r.key, r.value]))).toEqual(
      expected['legacy-v0-ankara.db'].settings,
    )
    expect(mirror.query("SELECT name FROM shift_templates WHERE region = 'ankara' ORDER BY name").map((r) => r.name)).toEqual([
      'Cumartesi 09-14',
      'hafta ici',
    ])
  })

  it('v1 (Istanbul PC after the old sync): Istanbul and Ankara rows, fleet, stock, every figure matches', async () => {
    const docs = regionDocs()
    const report = await run('legacy-v1-istanbul.db', docs)
    expect(report.version).toBe('v1')
    expect(report.pc).toEqual({ region: 'istanbul', source: 'admin_entry_region' })
    const mirror = await mirrorOf(docs)
    checkCounts('legacy-v1-istanbul.db', report, mirror, [...SYNC_SETTINGS, ['reports', 1]])
    checkHours('legacy-v1-istanbul.db', report, mirror)
    expect(report.counts.ankara.timesheets.created).toBe(10)
    expect(report.counts.istanbul.timesheets.created).toBe(179)
    // The same name in two regions is two people.
    expect(mirror.query("SELECT region, identity_no FROM employees WHERE full_name = 'ZEYNEP ÖZTÜRK' ORDER BY region")).toEqual([
      { region: 'ankara', identity_no: '03' },
      { region: 'istanbul', identity_no: '33' },
    ])
    // Settings go to the PC's region, without the old sync keys (the token never travels).
    const settings = Object.fromEntries(mirror.query("SELECT key, value FROM settings WHERE region = 'istanbul'").map((r) => [r.key, r.value]))
    const { sync_enabled: _e, sync_url: _u, sync_token: _t, ...kept } = expected['legacy-v1-istanbul.db'].settings
    expect(settings).toEqual(kept)
    expect(mirrorCount(mirror, 'settings')).toBe(7)

    // References are remapped to record ids in the same region doc.
    const inspections = mirror.query(
      `SELECT i.inspection_date, v.plate, d.full_name AS driver, f.title AS fault, i.fault_status, i.service_visit
       FROM vehicle_inspections i JOIN vehicles v ON v.id = i.vehicle_id AND v.region = i.region
       LEFT JOIN drivers d ON d.id = i.driver_id AND d.region = i.region
       LEFT JOIN vehicle_faults f ON f.id = i.fault_id AND f.region = i.region ORDER BY i.inspection_date`,
    )
    expect(inspections).toEqual([
      { inspection_date: '2026-01-05', plate: '34ABC123', driver: 'KEMAL ERDEM', fault: 'Fren balatası', fault_status: 'Acik', service_visit: 0 },
      { inspection_date: '2026-01-12', plate: '34ABC123', driver: 'KEMAL ERDEM', fault: 'Fren balatası', fault_status: 'Acik', service_visit: 1 },
      { inspection_date: '2026-01-19', plate: '34XY4567', driver: 'SİBEL ACAR', fault: null, fault_status: null, service_visit: 0 },
    ])
    expect(
      mirror.query(
        `SELECT count(*) AS n FROM vehicle_inspection_results r JOIN vehicle_inspections i ON i.id = r.inspection_id AND i.region = r.region`,
      )[0].n,
    ).toBe(27)
    expect(
      mirror.query(
        `SELECT v.plate, f.title, s.cost FROM vehicle_service_visits s JOIN vehicles v ON v.id = s.vehicle_id AND v.region = s.region
         JOIN vehicle_faults f ON f.id = s.fault_id AND f.region = s.region`,
      ),
    ).toEqual([{ plate: '34ABC123', title: 'Fren balatası', cost: 2450.5 }])
    expect(mirror.query("SELECT region FROM vehicles WHERE plate = '06RW001'")).toEqual([{ region: 'ankara' }])
    expect(mirrorCount(mirror, 'stock_inventory')).toBe(8)

    // Imported records carry the import's stamps, not a legacy id.
    const stamps = mirror.query("SELECT DISTINCT updated_by FROM timesheets WHERE created_at = updated_at")
    expect(stamps).toEqual([{ updated_by: 'legacy-import:tester' }])
    expect(report.users.map((u) => u.username).sort()).toEqual(Object.keys(expected['legacy-v1-istanbul.db'].users!).sort())
    expect(JSON.stringify(report)).not.toMatch(/[0-9a-f]{64}/)
  })

  it('v2 (Izmir fresh install): its own weekday hours and Saturday end drive every figure', async () => {
    const docs = regionDocs()
    const report = await run('legacy-v2-izmir.db', docs)
    expect(report.version).toBe('v2')
    expect(report.pc.region).toBe('izmir')
    const mirror = await mirrorOf(docs)
    checkCounts('legacy-v2-izmir.db', report, mirror, [])
    expect(settingsOf(mirror, 'izmir')).toEqual({ weekdayHours: 8, saturdayStart: '09:00', saturdayEnd: '13:00' })
    checkHours('legacy-v2-izmir.db', report, mirror)
    expect(problemRows(report)).toEqual([])
  })
})

describe('the dirty fixture: every row accounted for', () => {
  it('imports, flags or skips each timesheet as its `why` says, and every other row is reported', async () => {
    const docs = regionDocs()
    const report = await run('legacy-dirty.db', docs)
    const mirror = await mirrorOf(docs)
    expect(report.pc).toEqual({ region: 'ankara', source: 'majority' })

    for (const { legacy_id: id, why } of expected['legacy-dirty.db'].rows) {
      const row = rowOf(report, 'timesheets', id)
      const codes = row.reasons.map((r) => r.code)
      // Every reason a person reads is bilingual.
      for (const reason of row.reasons) expect(reason.message, `#${id}`).toMatch(/ \/ /)
      if (why.startsWith('valid; region NULL')) {
        expect(row).toMatchObject({ outcome: 'created', region: 'ankara', reasons: [] })
      } else if (why.startsWith('valid DD.MM.YYYY')) {
        expect(row).toMatchObject({ outcome: 'created', reasons: [] })
        expect(mirror.query('SELECT work_date FROM timesheets WHERE id = ?', [row.recordId])[0].work_date).toBe('2026-01-07')
      } else if (why === 'invalid start time') {
        expect(row.outcome).toBe('skipped')
        expect(codes).toEqual(['invalid_time'])
        expect(row.reasons[0].message).toContain('"99:25"')
      } else if (why.startsWith('negative break')) {
        // Employees #1 and #2 are one person (same name, identity no, region NULL/blank = Ankara),
        // and #3 and #5 are then the same shift: the row with the valid break is kept, and this
        // one is reported with both facts rather than doubling that day's hours.
        expect(codes).toContain('negative_break')
        expect(row.outcome).toBe('merged')
        expect(codes).toEqual(['negative_break', 'duplicate', 'differs'])
        expect(row.recordId).toBe(rowOf(report, 'timesheets', 5).recordId)
        expect(rowHours({ work_date: '2026-01-07', start_time: '08:30', end_time: '17:30', break_minutes: -15, is_special: 0 }, hourSettingsFrom({})).worked).toBe(9)
      } else if (why === 'empty date') {
        expect(row.outcome).toBe('skipped')
        expect(codes).toEqual(['invalid_date'])
      } else if (why.startsWith('break longer than the shift')) {
        expect(row.outcome).toBe('created')
        expect(codes).toEqual(['break_exceeds_shift'])
        expect(hoursOfRecord(mirror, 'ankara', row.recordId!).worked).toBe(0)
      } else if (why === 'start equals end') {
        expect(row.outcome).toBe('created')
        expect(codes).toEqual(['same_start_end'])
        expect(hoursOfRecord(mirror, 'ankara', row.recordId!)).toMatchObject({ worked: 0, overtime: 0, night: 0 })
      } else if (why.startsWith('orphan')) {
        expect(row.outcome).toBe('skipped')
        expect(codes).toEqual(['orphan'])
        expect(row.reasons[0].message).toContain('4242')
      } else {
        throw new Error(`expected.json has a dirty row this test does not know: #${id} ${why}`)
      }
    }

    // Every row of every table of the file is in the report: counted independently of sql.js.
    const file = tempDir('rainstaff-dirty-')
    copyFileSync(path.join(FIXTURES, 'legacy-dirty.db'), path.join(file.dir, 'dirty.db'))
    const db = new Database(path.join(file.dir, 'dirty.db'), { readonly: true })
    for (const table of ['employees', 'timesheets', 'vehicles', 'settings', 'stock_inventory']) {
      const n = (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
      expect(report.rows.filter((r) => r.table === table), table).toHaveLength(n)
    }
    db.close()
    file.remove()

    expect(rowOf(report, 'employees', 2)).toMatchObject({ outcome: 'merged', recordId: rowOf(report, 'employees', 1).recordId })
    expect(rowOf(report, 'employees', 3).reasons.map((r) => r.code)).toEqual(['odd_value'])
    expect(rowOf(report, 'stock_inventory', 1)).toMatchObject({ outcome: 'created' })
    expect(rowOf(report, 'stock_inventory', 1).reasons[0].message).toContain('"1 ST87088"')
    // Blank weekday_hours falls back to 9, like the legacy program.
    expect(settingsOf(mirror, 'ankara').weekdayHours).toBe(9)
    expect(mirrorCount(mirror, 'timesheets')).toBe(4)
    expect(mirrorCount(mirror, 'employees')).toBe(2)
  })
})

describe('idempotence and unions', () => {
  it('importing the same file again changes nothing', async () => {
    const docs = regionDocs()
    await run('legacy-v1-istanbul.db', docs)
    await run('legacy-dirty.db', docs)
    const before = stateVectors(docs)
    const again = await run('legacy-v1-istanbul.db', docs)
    const dirtyAgain = await run('legacy-dirty.db', docs)
    expect(stateVectors(docs)).toEqual(before)
    expect(again.rows.filter((r) => r.outcome === 'created')).toEqual([])
    expect(dirtyAgain.rows.filter((r) => r.outcome === 'created')).toEqual([])
    expect(again.rows.filter((r) => r.outcome === 'present')).toHaveLength(again.rows.filter((r) => r.outcome !== 'skipped').length)
  })

  it('v0-ankara plus v1-istanbul is their union: shared records once, id-sharing records both', async () => {
    const docs = regionDocs()
    const v0 = await run('legacy-v0-ankara.db', docs, { fileRegion: 'ankara' })
    const v1 = await run('legacy-v1-istanbul.db', docs)
    const mirror = await mirrorOf(docs)
    const count = (table: string, region: string): number =>
      Number(mirror.query(`SELECT count(*) AS n FROM ${table} WHERE region = ?`, [region])[0].n)

    // The five Ankara employees are in both files: one record each.
    expect(count('employees', 'ankara')).toBe(5)
    expect(v1.rows.filter((r) => r.table === 'employees' && r.region === 'ankara').every((r) => r.outcome === 'present')).toBe(true)
    // v1's Ankara timesheets #1–#10 reuse v0's integer ids but are other shifts: all kept, except
    // the two shifts both files hold (same person, day, start and end).
    expect(count('timesheets', 'ankara')).toBe(47 + 10 - 2)
    expect(rowOf(v1, 'timesheets', 7)).toMatchObject({ outcome: 'present', reasons: [], recordId: rowOf(v0, 'timesheets', 11).recordId })
    const zeynep = rowOf(v1, 'timesheets', 2)
    expect(zeynep).toMatchObject({ outcome: 'present', recordId: rowOf(v0, 'timesheets', 3).recordId })
    expect(zeynep.reasons.map((r) => r.code)).toEqual(['differs'])
    expect(zeynep.reasons[0].message).toContain('is_special 1 ≠ 0')
    for (let id = 1; id <= 10; id++) {
      if (id !== 2 && id !== 7) expect(rowOf(v1, 'timesheets', id).outcome).toBe('created')
      expect(rowOf(v1, 'timesheets', id).recordId).not.toBe(rowOf(v0, 'timesheets', id).recordId)
    }
    expect(count('employees', 'istanbul')).toBe(8)
    expect(count('timesheets', 'istanbul')).toBe(179)
    // Each file's figures still hold, except v1 #2 whose record kept v0's values (reported above).
    checkRowHours('legacy-v0-ankara.db', v0, mirror)
    checkRowHours('legacy-v1-istanbul.db', v1, mirror, new Set(['2']))
    // Monthly totals are the two files' totals with each shared shift counted once.
    const v0Totals = expected['legacy-v0-ankara.db'].monthly_totals
    const v1Totals = expected['legacy-v1-istanbul.db'].monthly_totals
    const v1Row = (id: string): RowHours => expected['legacy-v1-istanbul.db'].timesheet_hours[id]
    const union: Record<string, RowHours> = { ...v1Totals }
    for (const [key, totals] of Object.entries(v0Totals)) union[key] = union[key] ? addHours(union[key], totals) : totals
    union['Ankara|ZEYNEP ÖZTÜRK|2026-01'] = addHours(union['Ankara|ZEYNEP ÖZTÜRK|2026-01'], v1Row('2'), -1)
    union['Ankara|MEHMET ARSLAN|2026-01'] = addHours(union['Ankara|MEHMET ARSLAN|2026-01'], v1Row('7'), -1)
    checkMonthlyTotals(union, mirror)

    // The other order gives the same records.
    const reversed = regionDocs()
    await run('legacy-v1-istanbul.db', reversed)
    await run('legacy-v0-ankara.db', reversed, { fileRegion: 'ankara' })
    const other = await mirrorOf(reversed)
    for (const table of ['employees', 'timesheets', 'settings', 'shift_templates', 'vehicles', 'stock_inventory']) {
      const ids = (m: Mirror): unknown[] => m.query(`SELECT region, id FROM ${table} ORDER BY region, id`)
      expect(ids(other), table).toEqual(ids(mirror))
    }
  })
})

/** An older copy of the Istanbul PC's file: it still holds the rows v1's deleted_records names. */
function olderIstanbulCopy(): { bytes: Uint8Array; remove(): void } {
  const dir = tempDir('rainstaff-legacy-')
  const file = path.join(dir.dir, 'older.db')
  copyFileSync(path.join(FIXTURES, 'legacy-v1-istanbul.db'), file)
  const db = new Database(file)
  db.exec(`
    DELETE FROM deleted_records;
    INSERT INTO employees (id, full_name, identity_no, department, title, region) VALUES (9998, 'SİLİNEN KİŞİ', '98', 'TEKNİK', 'TEKNİSYEN', 'Istanbul');
    INSERT INTO timesheets (id, employee_id, work_date, start_time, end_time, break_minutes, notes, is_special, region)
      VALUES (9999, 6, '2026-01-20', '07:00', '12:00', 0, 'silinecek', 0, 'Istanbul'),
             (9997, 9998, '2026-01-21', '08:30', '17:30', 60, '', 0, 'Istanbul');
  `)
  db.close()
  const result = new Uint8Array(readFileSync(file))
  return { bytes: result, remove: dir.remove }
}

describe('legacy deleted_records', () => {
  it('a deletion recorded by one file keeps the row out when an older copy of that PC is imported later', async () => {
    const older = olderIstanbulCopy()
    const docs = regionDocs()
    const v1 = await run('legacy-v1-istanbul.db', docs)
    expect(v1.deletions.map((d) => [d.table, d.legacyId, d.outcome])).toEqual([
      ['timesheets', 9999, 'recorded'],
      ['employees', 9998, 'recorded'],
    ])
    const before = stateVectors(docs)
    const report = await importLegacy(older.bytes, { ...docs, user: 'tester' })
    older.remove()
    expect(rowOf(report, 'timesheets', 9999).reasons.map((r) => r.code)).toEqual(['deleted_in_legacy'])
    expect(rowOf(report, 'timesheets', 9999).reasons[0].message).toContain('2026-01-23T17:59:24 istanbul1')
    expect(rowOf(report, 'employees', 9998).reasons.map((r) => r.code)).toEqual(['deleted_in_legacy'])
    // Its timesheets go with it.
    expect(rowOf(report, 'timesheets', 9997).reasons.map((r) => r.code)).toEqual(['parent_skipped'])
    expect(report.rows.filter((r) => r.outcome === 'created')).toEqual([])
    expect(stateVectors(docs)).toEqual(before)
  })

  it('a deletion arriving after an older copy was imported deletes the untouched record and its dependants', async () => {
    const older = olderIstanbulCopy()
    const docs = regionDocs()
    const first = await importLegacy(older.bytes, { ...docs, user: 'tester' })
    older.remove()
    const mirror = await mirrorOf(docs)
    const deletedShift = rowOf(first, 'timesheets', 9999).recordId!
    const deletedPerson = rowOf(first, 'employees', 9998).recordId!
    const personShift = rowOf(first, 'timesheets', 9997).recordId!
    expect(mirror.query('SELECT count(*) AS n FROM timesheets WHERE id IN (?, ?)', [deletedShift, personShift])[0].n).toBe(2)

    const v1 = await run('legacy-v1-istanbul.db', docs)
    expect(v1.deletions).toEqual([
      expect.objectContaining({ table: 'timesheets', legacyId: 9999, outcome: 'applied', region: 'istanbul', recordId: deletedShift, cascaded: 0 }),
      expect.objectContaining({ table: 'employees', legacyId: 9998, outcome: 'applied', region: 'istanbul', recordId: deletedPerson, cascaded: 1 }),
    ])
    expect(mirror.query('SELECT count(*) AS n FROM timesheets WHERE id IN (?, ?)', [deletedShift, personShift])[0].n).toBe(0)
    expect(mirror.query("SELECT table_name, record_id FROM deleted_records WHERE region = 'istanbul' ORDER BY table_name, record_id")).toEqual(
      [
        { table_name: 'employees', record_id: deletedPerson },
        ...[deletedShift, personShift].sort().map((id) => ({ table_name: 'timesheets', record_id: id })),
      ],
    )
    // Soft deletes: the records stay in the doc, restorable, stamped by the import.
    expect(locateRecord(docs.documents.get('istanbul')!, 'timesheets', deletedShift)?.record.deleted_by).toBe('legacy-import:tester')
    const before = stateVectors(docs)
    await run('legacy-v1-istanbul.db', docs)
    expect(stateVectors(docs)).toEqual(before)
  })

  it('a record edited in Rainstaff since its import is not deleted by a late deletion, and says so', async () => {
    const older = olderIstanbulCopy()
    const docs = regionDocs()
    const first = await importLegacy(older.bytes, { ...docs, user: 'tester' })
    older.remove()
    const shift = rowOf(first, 'timesheets', 9999).recordId!
    updateIn(docs.documents.get('istanbul')!, 'timesheets', shift, { notes: 'kontrol edildi' }, { user: 'istanbul1' })
    const v1 = await run('legacy-v1-istanbul.db', docs)
    expect(v1.deletions[0]).toMatchObject({ table: 'timesheets', legacyId: 9999, outcome: 'kept_edited', recordId: shift })
    expect(locateRecord(docs.documents.get('istanbul')!, 'timesheets', shift)?.record.deleted_at).toBeNull()
  })

  it('deletions are per PC: the Istanbul PC deleting its #9999 does not touch a #9999 of the Ankara PC', async () => {
    const dir = tempDir('rainstaff-legacy-')
    const file = path.join(dir.dir, 'ankara.db')
    copyFileSync(path.join(FIXTURES, 'legacy-v0-ankara.db'), file)
    const db = new Database(file)
    db.exec("INSERT INTO timesheets (id, employee_id, work_date, start_time, end_time, break_minutes, notes, is_special) VALUES (9999, 1, '2026-01-13', '08:30', '17:30', 60, '', 0)")
    db.close()
    const docs = regionDocs()
    await run('legacy-v1-istanbul.db', docs)
    const report = await importLegacy(new Uint8Array(readFileSync(file)), { ...docs, user: 'tester', fileRegion: 'ankara' })
    dir.remove()
    expect(rowOf(report, 'timesheets', 9999)).toMatchObject({ outcome: 'created', reasons: [] })
  })

  it('a deletion made in Rainstaff stands: reimport neither restores the record nor adds rows under it', async () => {
    const docs = regionDocs()
    const first = await run('legacy-v0-ankara.db', docs, { fileRegion: 'ankara' })
    const ayse = rowOf(first, 'employees', 1).recordId!
    deleteIn(docs.documents.get('ankara')!, 'employees', ayse, { user: 'ankara1' })
    const before = stateVectors(docs)
    const again = await run('legacy-v0-ankara.db', docs, { fileRegion: 'ankara' })
    expect(stateVectors(docs)).toEqual(before)
    expect(rowOf(again, 'employees', 1).reasons.map((r) => r.code)).toEqual(['deleted_in_rainstaff'])
    // v1's Ankara shifts of the deleted employee that v0 did not have are not created either.
    const v1 = await run('legacy-v1-istanbul.db', docs)
    expect(rowOf(v1, 'timesheets', 1)).toMatchObject({ outcome: 'skipped' })
    expect(rowOf(v1, 'timesheets', 1).reasons.map((r) => r.code)).toEqual(['parent_deleted'])
  })
})

describe('dry runs, scope and refusals', () => {
  it('a dry run reports what the import does and writes nothing', async () => {
    const docs = regionDocs()
    const dry = await run('legacy-v1-istanbul.db', docs, { dryRun: true })
    expect(untouched(docs)).toBe(true)
    const real = await run('legacy-v1-istanbul.db', docs)
    expect(dry.dryRun).toBe(true)
    expect(dry.counts).toEqual(real.counts)
    expect(dry.rows.map((r) => [r.table, r.legacyId, r.outcome, r.recordId])).toEqual(real.rows.map((r) => [r.table, r.legacyId, r.outcome, r.recordId]))
  })

  it("an editor's import writes only their region; the rest is reported as another region's", async () => {
    const report = await run('legacy-v1-istanbul.db', inMemory(['istanbul']))
    const ankaraRows = report.rows.filter((r) => r.region === 'ankara')
    expect(ankaraRows).toHaveLength(5 + 10 + 1)
    for (const row of ankaraRows) {
      expect(row.outcome).toBe('skipped')
      expect(row.reasons.map((r) => r.code)).toEqual(['region_unavailable'])
    }
    expect(report.counts.istanbul.timesheets.created).toBe(179)
  })

  it('refuses what is not a legacy database with a bilingual error and touches nothing', async () => {
    const docs = regionDocs()
    await expect(importLegacy(new TextEncoder().encode('not a database at all, just text'), { ...docs, user: 'tester' })).rejects.toThrow(
      /SQLite .* \/ .*not a SQLite database/,
    )
    const dir = tempDir('rainstaff-legacy-')
    const file = path.join(dir.dir, 'other.db')
    const db = new Database(file)
    db.exec('CREATE TABLE something (id INTEGER)')
    db.close()
    await expect(importLegacy(new Uint8Array(readFileSync(file)), { ...docs, user: 'tester' })).rejects.toThrow(/not a legacy Rainstaff/)
    dir.remove()
    expect(untouched(docs)).toBe(true)
  })

  it('reports progress and creates in chunks', async () => {
    const phases: string[] = []
    let transactions = 0
    const docs = regionDocs((name) => {
      const doc = createRegionDoc()
      if (name.startsWith('istanbul')) doc.on('afterTransaction', () => transactions++)
      return doc
    })
    const report = await run('legacy-v1-istanbul.db', docs, { chunkSize: 50, onProgress: (p) => phases.push(`${p.phase}:${p.done}/${p.total}`) })
    const created = report.rows.filter((r) => r.outcome === 'created').length
    expect(phases.some((p) => p.startsWith('plan:'))).toBe(true)
    expect(phases.filter((p) => p.startsWith('write:')).at(-1)).toBe(`write:${created}/${created}`)
    expect(transactions).toBeGreaterThan(3)
  })
})
