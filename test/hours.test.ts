import { describe, it, expect } from 'vitest'
import Database from 'better-sqlite3'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import {
  DEFAULT_HOUR_SETTINGS,
  ShiftError,
  checkNewShift,
  hourSettingsFrom,
  monthlyHours,
  parseWorkDate,
  rowHours,
  type RowHours,
  type ShiftErrorCode,
  type ShiftInput,
} from '../schema/hours.ts'

const FIXTURES = fileURLToPath(new URL('./fixtures/legacy/', import.meta.url))

interface ExpectedFile {
  settings?: Record<string, string>
  timesheet_hours?: Record<string, RowHours>
  monthly_totals?: Record<string, RowHours>
}
const EXPECTED = JSON.parse(readFileSync(`${FIXTURES}expected.json`, 'utf8')) as Record<string, ExpectedFile>

const FIELDS: (keyof RowHours)[] = [
  'worked',
  'scheduled',
  'overtime',
  'night',
  'overnight',
  'special_normal',
  'special_overtime',
  'special_night',
]

function shift(work_date: string, start_time: string, end_time: string, break_minutes: number, is_special: boolean | number = false): ShiftInput {
  return { work_date, start_time, end_time, break_minutes, is_special }
}

function hours(partial: Partial<RowHours>): RowHours {
  return {
    worked: 0,
    scheduled: 0,
    overtime: 0,
    night: 0,
    overnight: 0,
    special_normal: 0,
    special_overtime: 0,
    special_night: 0,
    ...partial,
  }
}

describe('rowHours: the examples of the legacy doc (weekday 9 h, Saturday 09:00–14:00)', () => {
  const s = DEFAULT_HOUR_SETTINGS

  it('Thu 2026-01-01 08:30–17:30, 60, special', () => {
    expect(rowHours(shift('2026-01-01', '08:30', '17:30', 60, true), s)).toEqual(
      hours({ worked: 8, special_normal: 8 }),
    )
  })
  it('Fri 2026-01-02 08:30–02:00, 60', () => {
    expect(rowHours(shift('2026-01-02', '08:30', '02:00', 60), s)).toEqual(
      hours({ worked: 16.5, scheduled: 9, overtime: 8.5, night: 4, overnight: 2 }),
    )
  })
  it('Sat 2026-01-03 09:00–15:30, 0', () => {
    expect(rowHours(shift('2026-01-03', '09:00', '15:30', 0), s)).toEqual(
      hours({ worked: 6.5, scheduled: 5, overtime: 1.5 }),
    )
  })
  it('Sun 2026-01-04 08:30–17:30, 60', () => {
    expect(rowHours(shift('2026-01-04', '08:30', '17:30', 60), s)).toEqual(hours({ worked: 8, overtime: 8 }))
  })
  it('Sun 2026-01-04 06:00–22:00, 60 (window edges are not night)', () => {
    expect(rowHours(shift('2026-01-04', '06:00', '22:00', 60), s)).toEqual(hours({ worked: 15, overtime: 15 }))
  })
  it('Mon 2026-01-05 08:30–23:00, 60', () => {
    expect(rowHours(shift('2026-01-05', '08:30', '23:00', 60), s)).toEqual(
      hours({ worked: 13.5, scheduled: 9, overtime: 5.5, night: 1 }),
    )
  })
  it('Thu 2026-01-08 08:30–14:50, 60 (5.33, no overtime)', () => {
    expect(rowHours(shift('2026-01-08', '08:30', '14:50', 60), s)).toEqual(hours({ worked: 5.33, scheduled: 9 }))
  })
  it('Wed 2026-01-07 08:30–01:00, 60', () => {
    expect(rowHours(shift('2026-01-07', '08:30', '01:00', 60), s)).toEqual(
      hours({ worked: 15.5, scheduled: 9, overtime: 7.5, night: 3, overnight: 1 }),
    )
  })
  it('Mon (special) 20:00–04:00, 30', () => {
    expect(rowHours(shift('2026-01-12', '20:00', '04:00', 30, 1), s)).toEqual(
      hours({ worked: 7.5, night: 6, overnight: 4, special_normal: 7.5, special_night: 6 }),
    )
  })
})

/** Reads a legacy file by column name: v0 has no region, v2 has another column order. */
function readFixture(file: string) {
  const db = new Database(`${FIXTURES}${file}`, { readonly: true, fileMustExist: true })
  try {
    const settings = Object.fromEntries(
      (db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string | null }[]).map(
        (r) => [r.key, r.value],
      ),
    )
    const hasRegion = (db.prepare('PRAGMA table_info(timesheets)').all() as { name: string }[]).some(
      (c) => c.name === 'region',
    )
    const timesheets = db
      .prepare(
        `SELECT id, employee_id, work_date, start_time, end_time, break_minutes, is_special,
                ${hasRegion ? 'region' : 'NULL AS region'} FROM timesheets ORDER BY id`,
      )
      .all() as {
      id: number
      employee_id: number
      work_date: string
      start_time: string
      end_time: string
      break_minutes: number
      is_special: number
      region: string | null
    }[]
    const employees = new Map(
      (db.prepare('SELECT id, full_name FROM employees').all() as { id: number; full_name: string }[]).map((e) => [
        e.id,
        e.full_name,
      ]),
    )
    return { settings, timesheets, employees }
  } finally {
    db.close()
  }
}

const HOUR_FILES = Object.keys(EXPECTED).filter((f) => EXPECTED[f].timesheet_hours)

describe('rowHours and monthlyHours against every figure of the legacy fixtures', () => {
  it('covers the three files that have hour figures', () => {
    expect(HOUR_FILES.sort()).toEqual(['legacy-v0-ankara.db', 'legacy-v1-istanbul.db', 'legacy-v2-izmir.db'])
  })

  for (const file of HOUR_FILES) {
    describe(file, () => {
      const expected = EXPECTED[file]
      const { settings, timesheets, employees } = readFixture(file)
      const hourSettings = hourSettingsFrom(settings)

      it('every timesheet row, all eight figures', () => {
        const want = expected.timesheet_hours!
        let checked = 0
        for (const row of timesheets) {
          const exp = want[String(row.id)]
          expect(exp, `${file} row ${row.id} has expected figures`).toBeDefined()
          const got = rowHours(row, hourSettings)
          for (const f of FIELDS) expect(got[f], `${file} row ${row.id} ${f}`).toBeCloseTo(exp[f], 2)
          checked++
        }
        expect(checked).toBe(Object.keys(want).length)
      })

      it('every monthly total Region|Employee name|YYYY-MM', () => {
        const want = expected.monthly_totals!
        const keyed = timesheets.map((t) => ({
          ...t,
          employee_id: String(t.employee_id),
          region: t.region == null || t.region.trim() === '' ? 'Ankara' : t.region,
        }))
        const regions = [...new Set(keyed.map((t) => t.region))]
        const months = [...new Set(keyed.map((t) => parseWorkDate(t.work_date)!.slice(0, 7)))]
        const got = new Map<string, RowHours>()
        for (const region of regions) {
          const rows = keyed.filter((t) => t.region === region)
          for (const month of months) {
            for (const [employeeId, totals] of monthlyHours(rows, hourSettings, month)) {
              got.set(`${region}|${employees.get(Number(employeeId))}|${month}`, totals)
            }
          }
        }
        let checked = 0
        for (const [key, exp] of Object.entries(want)) {
          const totals = got.get(key)
          expect(totals, `${file} ${key} computed`).toBeDefined()
          for (const f of FIELDS) expect(totals![f], `${file} ${key} ${f}`).toBeCloseTo(exp[f], 2)
          checked++
        }
        expect(checked).toBe(Object.keys(want).length)
        expect(got.size).toBe(checked)
      })
    })
  }
})

describe('no dependence on the clock or calendar edges', () => {
  it('a month-end overnight shift computes (the legacy program crashed here)', () => {
    expect(rowHours(shift('2026-01-31', '22:00', '06:00', 0), DEFAULT_HOUR_SETTINGS)).toEqual(
      hours({ worked: 8, scheduled: 5, overtime: 3, night: 8, overnight: 6 }),
    )
    expect(rowHours(shift('2026-12-31', '22:00', '06:00', 30), DEFAULT_HOUR_SETTINGS).night).toBe(8)
    expect(rowHours(shift('2028-02-29', '20:00', '04:00', 30), DEFAULT_HOUR_SETTINGS).overnight).toBe(4)
  })

  it('a near-24 h shift counts night on both evenings (the 46–48 h window)', () => {
    // 23:00 → 22:30 next day: 23:00–06:00 (7 h) plus 22:00–22:30 of day two (0.5 h).
    expect(rowHours(shift('2026-01-05', '23:00', '22:30', 0), DEFAULT_HOUR_SETTINGS)).toEqual(
      hours({ worked: 23.5, scheduled: 9, overtime: 14.5, night: 7.5, overnight: 22.5 }),
    )
  })

  it('monthlyHours counts a row by its work date, not by where it ends', () => {
    const rows = [{ ...shift('2026-01-31', '22:00', '06:00', 30), employee_id: 'e1' }]
    expect(monthlyHours(rows, DEFAULT_HOUR_SETTINGS, '2026-01').get('e1')?.overnight).toBe(6)
    expect(monthlyHours(rows, DEFAULT_HOUR_SETTINGS, '2026-02').size).toBe(0)
  })
})

describe('checkNewShift', () => {
  const ok = shift('2026-01-05', '08:30', '17:30', 60)

  function codeOf(row: ShiftInput): ShiftErrorCode | undefined {
    try {
      checkNewShift(row)
      return undefined
    } catch (e) {
      expect(e).toBeInstanceOf(ShiftError)
      return (e as ShiftError).code
    }
  }

  it('rejects start == end', () => expect(codeOf({ ...ok, end_time: '08:30' })).toBe('same_start_end'))
  it('rejects 99:25', () => expect(codeOf({ ...ok, start_time: '99:25' })).toBe('invalid_time'))
  it('rejects 25:00', () => expect(codeOf({ ...ok, end_time: '25:00' })).toBe('invalid_time'))
  it('rejects 12:60', () => expect(codeOf({ ...ok, start_time: '12:60' })).toBe('invalid_time'))
  it('rejects a negative break', () => expect(codeOf({ ...ok, break_minutes: -15 })).toBe('negative_break'))
  it('rejects an empty date', () => expect(codeOf({ ...ok, work_date: '' })).toBe('invalid_date'))
  it('rejects 2026-02-30', () => expect(codeOf({ ...ok, work_date: '2026-02-30' })).toBe('invalid_date'))
  it('accepts 07.01.2026', () => expect(codeOf({ ...ok, work_date: '07.01.2026' })).toBeUndefined())

  it('says what is wrong in Turkish and English, with the field', () => {
    try {
      checkNewShift({ ...ok, start_time: '99:25' })
      expect.unreachable()
    } catch (e) {
      const err = e as ShiftError
      expect(err.field).toBe('start_time')
      expect(err.value).toBe('99:25')
      expect(err.message).toBe('Geçersiz saat: 99:25 (SS:DD olmalı) / Invalid time: 99:25 (must be HH:MM)')
    }
  })
})

describe('legacy rows are computed leniently', () => {
  const s = DEFAULT_HOUR_SETTINGS
  it('a negative break counts as 0', () => {
    expect(rowHours(shift('2026-01-07', '08:30', '17:30', -15), s).worked).toBe(9)
  })
  it('start == end gives zeros', () => {
    expect(rowHours(shift('2026-01-09', '08:00', '08:00', 0), s)).toEqual(hours({ scheduled: 9 }))
  })
  it('a break longer than the shift gives 0 worked', () => {
    expect(rowHours(shift('2026-01-08', '09:00', '10:00', 120), s).worked).toBe(0)
  })
  it('an unreadable time still throws', () => {
    expect(() => rowHours(shift('2026-01-06', '99:25', '17:30', 60), s)).toThrow(ShiftError)
  })
})

describe('parseWorkDate', () => {
  it('normalizes both legacy forms and rejects impossible dates', () => {
    expect(parseWorkDate('2026-01-07')).toBe('2026-01-07')
    expect(parseWorkDate('07.01.2026')).toBe('2026-01-07')
    expect(parseWorkDate('2028-02-29')).toBe('2028-02-29')
    expect(parseWorkDate('2026-02-29')).toBeNull()
    expect(parseWorkDate('2026-13-01')).toBeNull()
    expect(parseWorkDate('')).toBeNull()
  })
})

describe('hourSettingsFrom', () => {
  it('blank weekday_hours gives 9', () => {
    expect(hourSettingsFrom({ weekday_hours: '' }).weekdayHours).toBe(9)
    expect(hourSettingsFrom({ weekday_hours: '  ' }).weekdayHours).toBe(9)
    expect(hourSettingsFrom({ weekday_hours: null }).weekdayHours).toBe(9)
    expect(hourSettingsFrom({}).weekdayHours).toBe(9)
  })
  it('reads a Turkish decimal comma and falls back on invalid values', () => {
    expect(hourSettingsFrom({ weekday_hours: '7,5' }).weekdayHours).toBe(7.5)
    expect(hourSettingsFrom({ weekday_hours: 'dokuz' }).weekdayHours).toBe(9)
    expect(hourSettingsFrom({ saturday_start: '99:00', saturday_end: '' })).toEqual(DEFAULT_HOUR_SETTINGS)
    expect(hourSettingsFrom({ weekday_hours: '8', saturday_start: '09:00', saturday_end: '13:00' })).toEqual({
      weekdayHours: 8,
      saturdayStart: '09:00',
      saturdayEnd: '13:00',
    })
  })
})
