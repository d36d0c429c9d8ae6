import { describe, expect, it } from 'vitest'
import { checkNewShift, ShiftError } from '../schema/hours.ts'
import { duplicateEmployeeWarnings, identityNoProblem, looksReversed, nameKey, shiftWarnings } from '../schema/plausibility.ts'
import { validateFields, ValidationError } from '../schema/validate.ts'

const TODAY = '2026-12-01'
const codes = (row: { work_date: string; start_time: string; end_time: string }): string[] => shiftWarnings(row, TODAY).map((w) => w.code)

describe('shift plausibility', () => {
  it('a normal day shift and a real night shift warn of nothing', () => {
    expect(codes({ work_date: '2026-11-30', start_time: '08:00', end_time: '17:00' })).toEqual([])
    expect(codes({ work_date: '2026-11-30', start_time: '22:00', end_time: '06:00' })).toEqual([])
    expect(codes({ work_date: '2026-11-30', start_time: '20:00', end_time: '08:00' })).toEqual([])
  })
  it('17:00→08:00 looks reversed, and says what was probably meant, in both languages', () => {
    const [w] = shiftWarnings({ work_date: '2026-11-30', start_time: '17:00', end_time: '08:00' }, TODAY)
    expect(w.code).toBe('reversed_shift')
    expect(w.field).toBe('end_time')
    expect(w.text.tr).toContain('08:00→17:00 mi demek istediniz?')
    expect(w.text.en).toContain('Did you mean 08:00→17:00?')
    expect(looksReversed(17 * 60, 8 * 60)).toBe(true)
    expect(looksReversed(22 * 60, 6 * 60)).toBe(false)
  })
  it('over 12 hours asks; exactly 12 does not', () => {
    expect(codes({ work_date: '2026-11-30', start_time: '06:00', end_time: '19:30' })).toEqual(['long_shift'])
    expect(codes({ work_date: '2026-11-30', start_time: '07:00', end_time: '19:00' })).toEqual([])
    expect(shiftWarnings({ work_date: '2026-11-30', start_time: '06:00', end_time: '19:30' }, TODAY)[0].text.tr).toBe('Vardiya 12 saatten uzun: 13,5 saat')
  })
  it('dates more than a year back or 60 days ahead ask', () => {
    expect(codes({ work_date: '01.01.1900', start_time: '08:00', end_time: '17:00' })).toEqual(['date_past'])
    expect(codes({ work_date: '2025-12-01', start_time: '08:00', end_time: '17:00' })).toEqual([])
    expect(codes({ work_date: '2025-11-30', start_time: '08:00', end_time: '17:00' })).toEqual(['date_past'])
    expect(codes({ work_date: '2027-01-30', start_time: '08:00', end_time: '17:00' })).toEqual([])
    expect(codes({ work_date: '2027-01-31', start_time: '08:00', end_time: '17:00' })).toEqual(['date_future'])
    expect(shiftWarnings({ work_date: '1900-01-01', start_time: '08:00', end_time: '17:00' }, TODAY)[0].text.tr).toBe('Tarih bir yıldan eski: 01.01.1900 (bugün 01.12.2026)')
  })
})

describe('break as long as the shift', () => {
  const row = { work_date: '2026-11-30', start_time: '08:00', end_time: '17:00', is_special: 0 }
  it('is refused for new entries, with the break field', () => {
    for (const b of [540, 600]) {
      try {
        checkNewShift({ ...row, break_minutes: b })
        expect.unreachable()
      } catch (error) {
        expect(error).toBeInstanceOf(ShiftError)
        expect((error as ShiftError).code).toBe('break_too_long')
        expect((error as ShiftError).field).toBe('break_minutes')
        expect((error as ShiftError).text.tr).toBe(`Mola vardiya kadar ya da daha uzun: ${b} dakika (çalışılan süre 0 olur)`)
      }
    }
    expect(() => checkNewShift({ ...row, break_minutes: 539 })).not.toThrow()
    // Overnight: 22:00→06:00 is 480 minutes.
    expect(() => checkNewShift({ ...row, start_time: '22:00', end_time: '06:00', break_minutes: 480 })).toThrow(ShiftError)
    expect(() => checkNewShift({ ...row, start_time: '22:00', end_time: '06:00', break_minutes: 30 })).not.toThrow()
  })
})

describe('T.C. kimlik no', () => {
  it('the checksum', () => {
    expect(identityNoProblem('10000000146')).toBeUndefined()
    expect(identityNoProblem('12345678950')).toBeUndefined()
    expect(identityNoProblem('10000000147')?.tr).toMatch(/kontrol haneleri/)
    expect(identityNoProblem('10000000156')?.tr).toMatch(/kontrol haneleri/)
    expect(identityNoProblem('12ab')?.tr).toBe('11 haneli bir sayı olmalı ("12ab")')
    expect(identityNoProblem('01234567890')?.en).toMatch(/cannot start with 0/)
  })
  it('entry validation refuses an invalid one next to its field and keeps a valid or blank one', () => {
    expect(validateFields('employees', { full_name: 'Ayşe', identity_no: ' 10000000146 ' }, 'insert').identity_no).toBe('10000000146')
    expect(validateFields('employees', { full_name: 'Ayşe', identity_no: '' }, 'insert').identity_no).toBeNull()
    try {
      validateFields('employees', { full_name: 'Ayşe', identity_no: '12ab' }, 'insert')
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError)
      expect((error as ValidationError).field).toBe('identity_no')
      expect((error as ValidationError).text.tr).toBe('T.C. kimlik no: 11 haneli bir sayı olmalı ("12ab")')
    }
  })
})

describe('duplicate employees', () => {
  const others = [
    { id: 'a', full_name: 'Ayşe Yılmaz', identity_no: '10000000146' },
    { id: 'b', full_name: 'İbrahim Çelik', identity_no: null },
  ]
  it('a name compared the Turkish way, an identity no exactly; the record itself is not its own duplicate', () => {
    expect(nameKey('  AYŞE   yılmaz ')).toBe(nameKey('Ayşe Yılmaz'))
    expect(duplicateEmployeeWarnings({ full_name: 'AYŞE YILMAZ' }, others).map((w) => w.code)).toEqual(['duplicate_name'])
    expect(duplicateEmployeeWarnings({ full_name: 'ibrahim celik' }, others).map((w) => w.code)).toEqual(['duplicate_name'])
    expect(duplicateEmployeeWarnings({ full_name: 'Can Öz', identity_no: '10000000146' }, others).map((w) => w.field)).toEqual(['identity_no'])
    expect(duplicateEmployeeWarnings({ id: 'a', full_name: 'Ayşe Yılmaz', identity_no: '10000000146' }, others)).toEqual([])
    expect(duplicateEmployeeWarnings({ full_name: 'Ayşe Yıldız' }, others)).toEqual([])
  })
})
