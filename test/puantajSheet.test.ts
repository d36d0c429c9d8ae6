import { describe, expect, it } from 'vitest'
import { officialHolidays } from '../schema/holidays.ts'
import { DEFAULT_HOUR_SETTINGS } from '../schema/hours.ts'
import { workCalendar } from '../schema/leave.ts'
import { buildSheet, type SheetInput } from '../schema/puantajSheet.ts'
import { DEFAULT_LAW_SETTINGS } from '../schema/workLaw.ts'

const shift = { start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0 }
const base: Omit<SheetInput, 'timesheets' | 'leaves' | 'employees'> = {
  month: '2026-10',
  calendar: workCalendar(officialHolidays(2026)),
  rules: 'law',
  hourSettings: DEFAULT_HOUR_SETTINGS,
  lawSettings: DEFAULT_LAW_SETTINGS,
}

describe('the monthly puantaj sheet', () => {
  it('codes every day: worked, rest, holiday, leave; annual leave leaves rest days and holidays out', () => {
    const sheet = buildSheet({
      ...base,
      employees: [{ id: 'b', full_name: 'Zeynep Şahin' }, { id: 'a', full_name: 'Çağla Demir', start_date: '2026-10-05' }],
      timesheets: [
        { employee_id: 'a', work_date: '2026-10-05', ...shift },
        { employee_id: 'a', work_date: '2026-10-29', ...shift },
      ],
      leaves: [
        { employee_id: 'b', leave_type: 'Y', first_day: '2026-10-26', last_day: '2026-11-03', half_day: false },
        { employee_id: 'b', leave_type: 'R', first_day: '2026-10-10', last_day: '2026-10-12', half_day: false },
        { employee_id: 'a', leave_type: 'İ', first_day: '2026-10-06', last_day: '2026-10-06', half_day: true },
      ],
    })
    expect(sheet.dates).toHaveLength(31)
    expect(sheet.lines.map((l) => l.employee.full_name)).toEqual(['Çağla Demir', 'Zeynep Şahin'])
    const [cagla, zeynep] = sheet.lines
    expect(cagla!.days.slice(0, 7)).toEqual(['–', '–', '–', '–', 'M', 'İ', ''])
    expect(cagla!.days[28]).toBe('M') // worked on 29 October, a holiday
    expect(cagla!.totals).toMatchObject({ daysWorked: 2, worked: 16, holidayWork: 8 })
    expect(cagla!.warnings.map((w) => w.code)).toEqual(['holiday_work'])
    // 10–12 October sick report runs through Sunday 11th; annual leave from Mon 26th: 28th is half a
    // holiday (a leave day still), 29th a holiday (B), Sunday 1 November is next month.
    expect(zeynep!.days.slice(9, 12)).toEqual(['R', 'R', 'R'])
    expect(zeynep!.days.slice(25, 31)).toEqual(['Y', 'Y', 'Y', 'B', 'Y', 'Y'])
    expect(zeynep!.days[3]).toBe('O')
    expect(zeynep!.totals.leave).toEqual({ Y: 4.5, Z: 0, R: 3, A: 0, İ: 0 })
    expect(cagla!.totals.leave.İ).toBe(0.5)
    expect(sheet.holidays[28]?.name.tr).toBe('Cumhuriyet Bayramı')
  })

  it('gives the legacy rule’s figures when the region keeps it', () => {
    const sheet = buildSheet({
      ...base,
      rules: 'legacy',
      employees: [{ id: 'a', full_name: 'A' }],
      timesheets: [{ employee_id: 'a', work_date: '2026-10-05', start_time: '08:30', end_time: '19:30', break_minutes: 60, is_special: 0 }],
      leaves: [],
    })
    expect(sheet.lines[0]!.totals).toMatchObject({ worked: 10, overtime: 2, extraTime: 0, daysWorked: 1 })
  })
})
