import { describe, expect, it } from 'vitest'
import { createRegionDoc, deleteRecord, insertRecord, updateRecord } from '../crdt/regionDoc.ts'
import { readRecord, recordIds } from '../crdt/records.ts'
import { holdsDatedRecords, splitRegionDoc } from '../crdt/splitRegion.ts'
import { createImported } from '../crdt/legacy/write.ts'
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
