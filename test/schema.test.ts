import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { validateFields, ValidationError } from '../schema/validate.ts'
import { naturalId, normalizePlate } from '../schema/identity.ts'
import { mirrorDdl } from '../schema/ddl.ts'
import { TABLE_NAMES, TABLES } from '../schema/tables.ts'
import { createRegionDoc, insertRecord, updateRecord } from '../crdt/regionDoc.ts'

const author = { user: 'ankara1' }

describe('validation', () => {
  const shift = { employee_id: 'e1', work_date: '2026-01-05', start_time: '08:30', end_time: '17:30', break_minutes: 60, is_special: 0 }
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['required', { ...shift, employee_id: '  ' }, 'employee_id', /zorunlu.*\/.*required/],
    ['date', { ...shift, work_date: '2026-02-30' }, 'work_date', /tarih.*\/.*date/],
    ['time', { ...shift, start_time: '99:25' }, 'start_time', /saat.*\/.*time/],
    ['min', { ...shift, break_minutes: -15 }, 'break_minutes', /en az 0.*\/.*at least 0/],
    ['type', { ...shift, break_minutes: 1.5 }, 'break_minutes', /tam sayı.*\/.*integer/],
    ['type', { ...shift, is_special: 2 }, 'is_special', /0 veya 1.*\/.*0 or 1/],
    ['unknown', { ...shift, colour: 'red' }, 'colour', /böyle bir alan yok.*\/.*no such field/],
  ]
  for (const [rule, input, field, message] of cases) {
    it(`rejects ${field} by rule ${rule}, naming table, field and value in both languages`, () => {
      try {
        validateFields('timesheets', input, 'insert')
        expect.unreachable()
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError)
        const e = error as ValidationError
        expect([e.table, e.field, e.rule]).toEqual(['timesheets', field, rule])
        expect(e.message).toMatch(message)
        expect(e.message).toContain('Puantaj.' + field)
        expect(e.message).toContain('Timesheets.' + field)
      }
    })
  }

  it('rejects an unknown status word and accepts DD.MM.YYYY as ISO', () => {
    expect(() => validateFields('vehicle_faults', { vehicle_id: 'v', title: 't', status: 'Open' }, 'insert')).toThrow(/Acik, Kapandi, Takip/)
    expect(validateFields('timesheets', { ...shift, work_date: '07.01.2026' }, 'insert').work_date).toBe('2026-01-07')
  })

  it('a refused insert or update writes nothing to the doc', () => {
    const doc = createRegionDoc()
    const before = Y.encodeStateVector(doc)
    expect(() => insertRecord(doc, 'timesheets', 'ankara', { ...shift, employee_id: 'ghost' }, author)).toThrow(/reference|böyle bir kayıt yok/)
    const emp = insertRecord(doc, 'employees', 'ankara', { full_name: 'A' }, author)
    const afterEmployee = Y.encodeStateVector(doc)
    expect(afterEmployee).not.toEqual(before)
    expect(() => insertRecord(doc, 'timesheets', 'ankara', { ...shift, employee_id: emp, end_time: '08:30' }, author)).toThrow(ValidationError)
    const ts = insertRecord(doc, 'timesheets', 'ankara', { ...shift, employee_id: emp }, author)
    const afterTs = Y.encodeStateVector(doc)
    expect(() => updateRecord(doc, 'timesheets', ts, { start_time: '17:30' }, author)).toThrow(/vardiya|shift/)
    expect(Y.encodeStateVector(doc)).toEqual(afterTs)
  })
})

describe('identity', () => {
  it('derives ids from natural keys, normalized', () => {
    expect(normalizePlate('34 abc 123')).toBe('34ABC123')
    expect(naturalId('vehicles', { plate: '34 abc 123' })).toBe(naturalId('vehicles', { plate: '34ABC123' }))
    expect(naturalId('stock_inventory', { seri_no: ' st87088 ' })).toBe(naturalId('stock_inventory', { seri_no: 'ST87088' }))
    expect(naturalId('settings', { key: 'weekday_hours' })).toBe('key:weekday_hours')
    expect(naturalId('employees', { full_name: 'A' })).toBeUndefined()
  })
})

describe('DDL', () => {
  it('has one table per schema table with the legacy column names, plus deleted_records and conflicts', () => {
    const ddl = mirrorDdl()
    for (const table of TABLE_NAMES) {
      expect(ddl).toContain(`CREATE TABLE ${table} (`)
      for (const field of Object.keys(TABLES[table].fields)) expect(ddl).toMatch(new RegExp(`\\n  ${field} `))
    }
    expect(ddl).toContain('CREATE TABLE deleted_records')
    expect(ddl).toContain('CREATE TABLE conflicts')
  })
})
