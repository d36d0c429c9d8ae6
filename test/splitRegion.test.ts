import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { recordConflicts, type Conflict } from '../crdt/conflicts.ts'
import { createRegionDoc, deleteRecord, insertRecord, resolveConflict, updateRecord } from '../crdt/regionDoc.ts'
import { readRecord, recordIds } from '../crdt/records.ts'
import { holdsDatedRecords, splitRegionDoc } from '../crdt/splitRegion.ts'
import { createImported } from '../crdt/legacy/write.ts'
import { findAtHome } from '../crdt/legacy/homes.ts'
import { locateRecord, type RegionDocuments } from '../crdt/periodDocs.ts'
import { TABLE_NAMES } from '../schema/tables.ts'
import { PERIOD_TABLES } from '../schema/periods.ts'

const clerk = { user: 'ankara1', now: () => new Date('2026-11-20T09:00:00Z') }
const shift = { start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0 } as const

describe('splitting a round-1 region document', () => {
  it('puts every record, as it reads, into the master or the month it belongs to', () => {
    const source = createRegionDoc()
    const ayse = insertRecord(source, 'employees', 'ankara', { full_name: 'Ayşe Yılmaz' }, clerk)
    updateRecord(source, 'employees', ayse, { title: 'Şef' }, { user: 'ankara2' })
    const sheets = ['2026-10-31', '2026-11-01', '2026-11-30', '2025-01-15'].map((work_date) =>
      insertRecord(source, 'timesheets', 'ankara', { employee_id: ayse, work_date, ...shift }, clerk),
    )
    deleteRecord(source, 'timesheets', sheets[1], clerk)
    const vehicle = insertRecord(source, 'vehicles', 'ankara', { plate: '06 ABC 123', km: 152000 }, clerk)
    const inspection = insertRecord(source, 'vehicle_inspections', 'ankara', { vehicle_id: vehicle, inspection_date: '2026-11-02', week_start: '2026-11-02' }, clerk)
    const result = insertRecord(source, 'vehicle_inspection_results', 'ankara', { inspection_id: inspection, item_key: 'lights', status: 'Olumsuz' }, clerk)
    // A legacy row whose date the old program stored as text.
    source.transact(() => createImported(source, 'timesheets', 'legacyRow00000001', 'ankara', { employee_id: ayse, work_date: '31/11/2019', start_time: '08:00', end_time: '17:00', break_minutes: 0, is_special: 0 }, 'legacy-import:ankara1', '2026-01-01T00:00:00.000Z'))
    expect(holdsDatedRecords(source)).toBe(true)

    const split = splitRegionDoc(source, '2026-12')
    expect([...split.months.keys()].sort()).toEqual(['2025-01', '2026-10', '2026-11', '2026-12'])
    expect(split.undated).toBe(1)
    expect(holdsDatedRecords(split.master)).toBe(false)
    // Every record reads the same where it went, and nowhere else.
    let seen = 0
    for (const table of TABLE_NAMES) {
      for (const id of recordIds(source, table)) {
        const before = readRecord(source, table, id)
        const homes = [split.master, ...split.months.values()].filter((doc) => readRecord(doc, table, id) !== undefined)
        expect(homes, `${table} ${id}`).toHaveLength(1)
        expect(readRecord(homes[0], table, id)).toEqual(before)
        if (PERIOD_TABLES[table] === undefined) expect(homes[0]).toBe(split.master)
        seen++
      }
    }
    expect(seen).toBe(split.records)
    expect(readRecord(split.months.get('2026-11')!, 'timesheets', sheets[1])?.deleted_at).not.toBeNull()
    expect(readRecord(split.months.get('2026-11')!, 'vehicle_inspection_results', result)?.status).toBe('Olumsuz')
    expect(readRecord(split.months.get('2026-12')!, 'timesheets', 'legacyRow00000001')?.work_date).toBe('31/11/2019')
    expect(readRecord(split.master, 'employees', ayse)).toMatchObject({ title: 'Şef', updated_by: 'ankara2' })
  })
})

/** A conflict as the Çakışmalar screen shows it; its id names the losing item, which a split writes anew. */
const shown = (conflicts: readonly Conflict[]): string[] => conflicts.map(({ conflict_id: _id, ...rest }) => JSON.stringify(rest)).sort()

describe('conflicts nobody resolved yet', () => {
  it('are listed after the split as before, with the same values and authors; a resolved one stays resolved', () => {
    const at = (time: string): { now: () => Date } => ({ now: () => new Date(time) })
    const source = createRegionDoc()
    const ayse = insertRecord(source, 'employees', 'ankara', { full_name: 'Ayşe Yılmaz', title: 'Usta' }, { user: 'ankara1', ...at('2026-11-01T08:00:00Z') })
    const sheet = insertRecord(source, 'timesheets', 'ankara', { employee_id: ayse, work_date: '2026-11-03', ...shift }, { user: 'ankara1', ...at('2026-11-03T18:00:00Z') })
    // Three offices offline at once: title twice against the first, the sheet's end time once,
    // the department once (resolved later).
    const offices = ['ankara1', 'ankara2', 'ankara3'].map(() => {
      const doc = createRegionDoc()
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(source))
      return doc
    })
    updateRecord(offices[0], 'employees', ayse, { title: 'Şef', department: 'Depo' }, { user: 'ankara1', ...at('2026-11-04T09:00:00Z') })
    updateRecord(offices[1], 'employees', ayse, { title: 'Şoför', department: 'İdari' }, { user: 'ankara2', ...at('2026-11-04T09:05:00Z') })
    updateRecord(offices[2], 'employees', ayse, { title: 'Çırak' }, { user: 'ankara3', ...at('2026-11-04T09:10:00Z') })
    updateRecord(offices[0], 'timesheets', sheet, { end_time: '18:00' }, { user: 'ankara1', ...at('2026-11-04T09:00:00Z') })
    updateRecord(offices[1], 'timesheets', sheet, { end_time: '19:30', notes: 'sayım' }, { user: 'ankara2', ...at('2026-11-04T09:05:00Z') })
    for (const office of offices) Y.applyUpdate(source, Y.encodeStateAsUpdate(office))
    // Two offices entered the same plate offline: one record, its versions' values in conflict.
    const [left, right] = [createRegionDoc(), createRegionDoc()]
    insertRecord(left, 'vehicles', 'ankara', { plate: '06 ABC 123', km: 1000, brand: 'Ford' }, { user: 'ankara1' })
    insertRecord(right, 'vehicles', 'ankara', { plate: '06 ABC 123', km: 1200, notes: 'yeni' }, { user: 'ankara2' })
    Y.applyUpdate(source, Y.encodeStateAsUpdate(left))
    Y.applyUpdate(source, Y.encodeStateAsUpdate(right))
    const department = recordConflicts(source, 'employees', ayse).find((c) => c.field === 'department')!
    resolveConflict(source, department, department.value, { user: 'ankara1', ...at('2026-11-05T10:00:00Z') })

    const before = (table: 'employees' | 'timesheets' | 'vehicles', id: string): Conflict[] => recordConflicts(source, table, id)
    expect(before('employees', ayse).map((c) => c.field)).toEqual(['title', 'title'])
    expect(before('timesheets', sheet)).toHaveLength(1)
    expect(before('vehicles', 'plate:06ABC123')).toHaveLength(1)

    const split = splitRegionDoc(source, '2026-12')
    const november = split.months.get('2026-11')!
    for (const [doc, table, id] of [[split.master, 'employees', ayse], [november, 'timesheets', sheet], [split.master, 'vehicles', 'plate:06ABC123']] as const) {
      expect(readRecord(doc, table, id), `${table} ${id}`).toEqual(readRecord(source, table, id))
      expect(shown(recordConflicts(doc, table, id)), `${table} ${id}`).toEqual(shown(before(table, id)))
    }
    // Resolving the carried conflict works as on any conflict, and lists it no more.
    const [first] = recordConflicts(november, 'timesheets', sheet)
    resolveConflict(november, first, first.lost_value, { user: 'ankara1' })
    expect(recordConflicts(november, 'timesheets', sheet)).toEqual([])
    expect(readRecord(november, 'timesheets', sheet)?.end_time).toBe(first.lost_value)
  })
})

describe('a record whose date round 1 changed into another month', () => {
  it('lives in its month now and leaves a copy marked moved where its old dates put it, its results with it', () => {
    const source = createRegionDoc()
    const ayse = insertRecord(source, 'employees', 'ankara', { full_name: 'Ayşe Yılmaz' }, clerk)
    const sheet = insertRecord(source, 'timesheets', 'ankara', { employee_id: ayse, work_date: '2026-09-30', ...shift }, clerk)
    updateRecord(source, 'timesheets', sheet, { work_date: '2026-10-30' }, clerk)
    updateRecord(source, 'timesheets', sheet, { work_date: '2026-10-31' }, clerk)
    updateRecord(source, 'timesheets', sheet, { work_date: '2026-11-02' }, { user: 'ankara2' })
    const vehicle = insertRecord(source, 'vehicles', 'ankara', { plate: '06 ABC 123' }, clerk)
    const inspection = insertRecord(source, 'vehicle_inspections', 'ankara', { vehicle_id: vehicle, inspection_date: '2026-10-28', week_start: '2026-10-26' }, clerk)
    const result = insertRecord(source, 'vehicle_inspection_results', 'ankara', { inspection_id: inspection, item_key: 'lights', status: 'Olumlu' }, clerk)
    updateRecord(source, 'vehicle_inspections', inspection, { inspection_date: '2026-11-03', week_start: '2026-11-02' }, clerk)

    const split = splitRegionDoc(source, '2026-12')
    expect([...split.months.keys()].sort()).toEqual(['2026-09', '2026-10', '2026-11'])
    const docs: RegionDocuments = { region: 'ankara', master: split.master, month: (p) => split.months.get(p), months: () => split.months.entries() }
    for (const [table, id] of [['timesheets', sheet], ['vehicle_inspections', inspection], ['vehicle_inspection_results', result]] as const) {
      expect(locateRecord(docs, table, id), `${table}`).toMatchObject({ period: '2026-11', record: readRecord(source, table, id) })
    }
    const october = split.months.get('2026-10')!
    expect(readRecord(october, 'timesheets', sheet)).toMatchObject({ work_date: '2026-10-31', moved_to: '2026-11', updated_by: 'ankara2' })
    expect(readRecord(split.months.get('2026-09')!, 'timesheets', sheet)).toMatchObject({ work_date: '2026-09-30', moved_to: '2026-11' })
    expect(readRecord(october, 'vehicle_inspections', inspection)?.moved_to).toBe('2026-11')
    expect(readRecord(october, 'vehicle_inspection_results', result)?.moved_to).toBe('2026-11')
    // Looked for by an old date, as a legacy import does, it is found where it lives.
    expect(findAtHome(docs, 'timesheets', sheet, '2026-09')).toMatchObject({ period: '2026-11', record: { work_date: '2026-11-02' } })
    expect(findAtHome(docs, 'vehicle_inspection_results', result, '2026-10')?.period).toBe('2026-11')
    expect(holdsDatedRecords(split.master)).toBe(false)
  })
})
