import { describe, expect, it } from 'vitest'
import { officialHolidays } from '../schema/holidays.ts'
import { DEFAULT_LAW_SETTINGS, lawMonthlyHours, lawSettingsFrom, type LawShift } from '../schema/workLaw.ts'

const holidays = new Map(officialHolidays(2026).map((h) => [h.date, h]))
const none = new Map()

function shifts(dates: string[], start: string, end: string, breakMinutes = 60, employee = 'e1'): LawShift[] {
  return dates.map((work_date) => ({ employee_id: employee, work_date, start_time: start, end_time: end, break_minutes: breakMinutes, is_special: 0 }))
}
const days = (from: number, to: number, month = '2026-11'): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${month}-${String(from + i).padStart(2, '0')}`)

describe('İş Kanunu rule set', () => {
  it('counts hours over 45 in a week as overtime, and the week belongs to the month of its Sunday', () => {
    // Mon 2 – Sat 7 November 2026, 9 hours a day: 54 hours.
    const rows = shifts(days(2, 7), '08:00', '18:00')
    const nov = lawMonthlyHours(rows, '2026-11', DEFAULT_LAW_SETTINGS, none).get('e1')!
    expect(nov).toMatchObject({ worked: 54, normal: 45, overtime: 9, extraTime: 0, holidayWork: 0 })
    expect(nov.weeks).toEqual([{ weekStart: '2026-11-02', worked: 54, overtime: 9, extraTime: 0 }])
    // Mon 30 November – Sat 5 December is a December week: its overtime is December's, each day's hours its own month's.
    const straddling = [...shifts(['2026-11-30'], '08:00', '18:00'), ...shifts(days(1, 5, '2026-12'), '08:00', '18:00')]
    expect(lawMonthlyHours(straddling, '2026-11', DEFAULT_LAW_SETTINGS, none).get('e1')).toMatchObject({ worked: 9, normal: 9, overtime: 0, weeks: [] })
    expect(lawMonthlyHours(straddling, '2026-12', DEFAULT_LAW_SETTINGS, none).get('e1')).toMatchObject({ worked: 45, normal: 36, overtime: 9 })
  })

  it('with a shorter contract week, hours up to 45 are fazla sürelerle çalışma; rounding to half and full hours', () => {
    const rows = shifts(days(2, 6), '08:00', '17:36') // 8 h 36 min net a day: 43 h
    const forty = lawMonthlyHours(rows, '2026-11', { contractWeeklyHours: 40, roundOvertime: false }, none).get('e1')!
    expect(forty).toMatchObject({ worked: 43, normal: 40, extraTime: 3, overtime: 0 })
    const over = (minutes: number, round: boolean): number =>
      lawMonthlyHours([...shifts(days(2, 6), '08:00', '18:00'), ...shifts(['2026-11-07'], '08:00', `${String(8 + Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`, 0)],
        '2026-11', { contractWeeklyHours: 45, roundOvertime: round }, none).get('e1')!.overtime
    // Five days of 9 hours are 45; Saturday adds the overtime.
    expect(over(20, false)).toBe(0.33)
    expect(over(20, true)).toBe(0.5)
    expect(over(30, true)).toBe(0.5)
    expect(over(100, true)).toBe(2)
  })

  it('counts holiday work apart, from 13:00 on a half holiday, and warns about it', () => {
    // Wed 28 October (half) and Thu 29 October 2026, 08:00–17:00 with an hour's break.
    const rows = shifts(['2026-10-26', '2026-10-27', '2026-10-28', '2026-10-29', '2026-10-30'], '08:00', '17:00')
    const oct = lawMonthlyHours(rows, '2026-10', DEFAULT_LAW_SETTINGS, holidays).get('e1')!
    const halfDay = Math.round((240 * 480) / 540)
    expect(oct.holidayWork).toBeCloseTo((halfDay + 480) / 60, 2)
    expect(oct.worked).toBe(40)
    expect(oct.normal).toBeCloseTo(40 - (halfDay + 480) / 60, 2)
    expect(oct.warnings.filter((w) => w.code === 'holiday_work').map((w) => [w.date, w.text.tr])).toEqual([
      ['2026-10-28', 'Resmî tatilde çalışma: Cumhuriyet Bayramı arifesi'],
      ['2026-10-29', 'Resmî tatilde çalışma: Cumhuriyet Bayramı'],
    ])
  })

  it('counts night work 20:00–06:00 and warns over 7.5 hours in a shift', () => {
    const oct = lawMonthlyHours(shifts(['2026-11-03'], '20:00', '06:00', 30), '2026-11', DEFAULT_LAW_SETTINGS, none).get('e1')!
    expect(oct.night).toBe(9.5)
    expect(oct.warnings.map((w) => w.code)).toEqual(['long_night'])
    const short = lawMonthlyHours(shifts(['2026-11-03'], '22:00', '06:00', 30), '2026-11', DEFAULT_LAW_SETTINGS, none).get('e1')!
    expect(short).toMatchObject({ night: 7.5, warnings: [] })
  })

  it('warns about a week without 24 hours of rest, not about one with a free Sunday', () => {
    const everyDay = lawMonthlyHours(shifts(days(2, 8), '08:00', '20:00'), '2026-11', DEFAULT_LAW_SETTINGS, none).get('e1')!
    expect(everyDay.warnings.filter((w) => w.code === 'no_weekly_rest').map((w) => w.date)).toEqual(['2026-11-02'])
    const sundayOff = lawMonthlyHours(shifts(days(2, 7), '08:00', '20:00'), '2026-11', DEFAULT_LAW_SETTINGS, none).get('e1')!
    expect(sundayOff.warnings.filter((w) => w.code === 'no_weekly_rest')).toEqual([])
  })

  it('warns once when the year’s overtime passes 270 hours', () => {
    // 55 hours a week from the first full week of January: 10 hours of overtime a week.
    const rows: LawShift[] = []
    for (let week = 0; week < 30; week++) {
      const monday = Date.UTC(2026, 0, 5) + week * 7 * 86_400_000
      for (let d = 0; d < 5; d++) rows.push(...shifts([new Date(monday + d * 86_400_000).toISOString().slice(0, 10)], '07:00', '19:00', 60))
    }
    const byMonth = ['2026-06', '2026-07'].map((m) => lawMonthlyHours(rows, m, DEFAULT_LAW_SETTINGS, none).get('e1')!)
    expect(byMonth[0]!.warnings.filter((w) => w.code === 'overtime_cap')).toEqual([])
    expect(byMonth[1]!.warnings.filter((w) => w.code === 'overtime_cap')).toHaveLength(1)
    expect(byMonth[1]!.overtimeYear).toBeGreaterThan(270)
  })

  it('reads the region settings, falling back on bad values', () => {
    expect(lawSettingsFrom({ work_rules: 'law', contract_weekly_hours: '40', overtime_rounding: '1' })).toEqual({ rules: 'law', law: { contractWeeklyHours: 40, roundOvertime: true } })
    expect(lawSettingsFrom({ work_rules: 'x', contract_weekly_hours: '50' })).toEqual({ rules: 'legacy', law: DEFAULT_LAW_SETTINGS })
    expect(lawSettingsFrom({ contract_weekly_hours: '37,5' }).law.contractWeeklyHours).toBe(37.5)
  })
})
