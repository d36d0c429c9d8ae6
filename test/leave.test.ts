import { describe, expect, it } from 'vitest'
import { officialHolidays } from '../schema/holidays.ts'
import { validateFields, validateRecord, ValidationError } from '../schema/validate.ts'
import { periodByDate } from '../schema/periods.ts'
import { annualEntitlement, annualLeaveBalance, countedLeaveDays, fullYearsBetween, workCalendar } from '../schema/leave.ts'

const calendar = workCalendar([...officialHolidays(2025), ...officialHolidays(2026)])

describe('annual leave (İş Kanunu Art. 53, 56)', () => {
  it('earns 14, 20 or 26 days by service year, at least 20 at 18 or younger and 50 or older', () => {
    expect([0, 1, 5, 6, 14, 15, 30].map((y) => annualEntitlement(y, 35))).toEqual([0, 14, 14, 20, 20, 26, 26])
    expect(annualEntitlement(1, 18)).toBe(20)
    expect(annualEntitlement(2, 19)).toBe(14)
    expect(annualEntitlement(3, 50)).toBe(20)
    expect(annualEntitlement(16, 55)).toBe(26)
    expect(annualEntitlement(3, null)).toBe(14)
  })

  it('does not count weekly rest or public holidays inside a leave; a half holiday counts half', () => {
    // Mon 18 – Fri 29 May 2026, twelve days: a Sunday, 19 May, the eve on 26 May (half) and 27–29 May Kurban Bayramı.
    expect(countedLeaveDays('2026-05-18', '2026-05-29', false, calendar)).toBe(12 - 1 - 1 - 0.5 - 3)
    // A week with Saturday working: six days.
    expect(countedLeaveDays('2026-11-02', '2026-11-08', false, calendar)).toBe(6)
    // With Saturday and Sunday as rest days: five.
    expect(countedLeaveDays('2026-11-02', '2026-11-08', false, workCalendar([], [0, 6]))).toBe(5)
    expect(countedLeaveDays('2026-11-02', '2026-11-02', true, calendar)).toBe(0.5)
    expect(countedLeaveDays('2026-11-08', '2026-11-08', true, calendar)).toBe(0)
    expect(countedLeaveDays('2026-11-09', '2026-11-02', false, calendar)).toBe(0)
  })

  it('counts service by anniversaries, 29 February included', () => {
    expect(fullYearsBetween('2020-03-15', '2026-03-14')).toBe(5)
    expect(fullYearsBetween('2020-03-15', '2026-03-15')).toBe(6)
    expect(fullYearsBetween('2024-02-29', '2025-02-28')).toBe(1)
    expect(fullYearsBetween('2024-02-29', '2025-02-27')).toBe(0)
    expect(fullYearsBetween('2026-05-01', '2026-01-01')).toBe(0)
  })

  it('gives days earned, used and left, with the next accrual; service ends on the leaving date', () => {
    const leaves = [
      { first_day: '2026-05-18', last_day: '2026-05-29', half_day: false },
      { first_day: '2026-11-02', last_day: '2026-11-02', half_day: true },
    ]
    const balance = annualLeaveBalance({ startDate: '2019-06-01', birthDate: '1990-01-01', annualLeaves: leaves }, '2026-12-01', calendar)
    // Seven completed years: five of 14 and two of 20.
    expect(balance).toEqual({ serviceYears: 7, entitled: 5 * 14 + 2 * 20, used: 6.5 + 0.5, left: 110 - 7, nextAccrual: '2027-06-01' })
    // Turning 50 before the third anniversary: 20 days from service year 3 on.
    const older = annualLeaveBalance({ startDate: '2019-06-01', birthDate: '1972-01-01', annualLeaves: [] }, '2026-12-01', calendar)
    expect(older.entitled).toBe(2 * 14 + 5 * 20)
    const left = annualLeaveBalance({ startDate: '2019-06-01', endDate: '2021-07-01', annualLeaves: [] }, '2026-12-01', calendar)
    expect(left).toMatchObject({ serviceYears: 2, entitled: 28, nextAccrual: null })
  })
})

describe('leave records', () => {
  const clerkText = (work: () => void): string => {
    try {
      work()
    } catch (error) {
      return (error as ValidationError).text.tr
    }
    return ''
  }
  const leave = (fields: Record<string, unknown>): void => {
    const normalized = validateFields('leaves', { employee_id: 'e1', leave_type: 'Y', first_day: '02.11.2026', last_day: '06.11.2026', ...fields }, 'insert')
    validateRecord('leaves', normalized)
  }

  it('take a code of the sheet, a span that does not run backwards, a half day only alone', () => {
    expect(() => leave({})).not.toThrow()
    expect(() => leave({ leave_type: 'X' })).toThrow(/Y, Z, R, A, İ/)
    expect(() => leave({ last_day: '01.11.2026' })).toThrow(ValidationError)
    expect(clerkText(() => leave({ last_day: '01.11.2026' }))).toBe('Son gün: ilk günden önce olamaz')
    expect(clerkText(() => leave({ half_day: 1 }))).toBe('Yarım gün: yalnız tek günlük izinde seçilebilir')
    expect(() => leave({ half_day: 1, last_day: '02.11.2026' })).not.toThrow()
    expect(periodByDate('leaves', { first_day: '2026-11-30', last_day: '2026-12-04' })).toBe('2026-11')
  })

  it('an employee cannot leave before being hired', () => {
    const employee = validateFields('employees', { full_name: 'A', start_date: '01.06.2026', end_date: '31.05.2026' }, 'insert')
    expect(clerkText(() => validateRecord('employees', employee))).toBe('İşten çıkış tarihi: işe giriş tarihinden önce olamaz')
  })
})
