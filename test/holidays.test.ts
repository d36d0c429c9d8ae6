import { describe, expect, it } from 'vitest'
import { holidaysOf, officialHolidays } from '../schema/holidays.ts'

const brief = (year: number): string[] => officialHolidays(year).map((h) => `${h.date}${h.halfDay ? ' 13:00' : ''}`)

describe('official holidays', () => {
  it('2026 as announced, every day confirmed', () => {
    expect(brief(2026)).toEqual([
      '2026-01-01',
      '2026-03-19 13:00', '2026-03-20', '2026-03-21', '2026-03-22',
      '2026-04-23', '2026-05-01', '2026-05-19',
      '2026-05-26 13:00', '2026-05-27', '2026-05-28', '2026-05-29', '2026-05-30',
      '2026-07-15', '2026-08-30', '2026-10-28 13:00', '2026-10-29',
    ])
    expect(officialHolidays(2026).every((h) => h.confirmed)).toBe(true)
    expect(officialHolidays(2026).find((h) => h.date === '2026-05-27')?.name).toEqual({ tr: 'Kurban Bayramı', en: 'Eid al-Adha' })
  })

  it('the feasts of earlier years fall on the dates the Diyanet announced', () => {
    const firstDays = (year: number): string[] =>
      officialHolidays(year)
        .filter((h, i, all) => {
          const feast = h.name.tr.split(', ').find((n) => n === 'Ramazan Bayramı' || n === 'Kurban Bayramı')
          return feast !== undefined && !(all[i - 1]?.name.tr.split(', ') ?? []).includes(feast)
        })
        .map((h) => h.date)
    expect(firstDays(2020)).toEqual(['2020-05-24', '2020-07-31'])
    expect(firstDays(2021)).toEqual(['2021-05-13', '2021-07-20'])
    expect(firstDays(2022)).toEqual(['2022-05-02', '2022-07-09'])
    expect(firstDays(2023)).toEqual(['2023-04-21', '2023-06-28'])
    expect(firstDays(2024)).toEqual(['2024-04-10', '2024-06-16'])
    expect(firstDays(2025)).toEqual(['2025-03-30', '2025-06-06'])
  })

  it('later years are computed and wait for confirmation; the fixed days are certain', () => {
    const y2027 = officialHolidays(2027)
    expect(y2027.filter((h) => !h.confirmed).map((h) => h.date)).toEqual([
      '2027-03-08', '2027-03-09', '2027-03-10', '2027-03-11',
      '2027-05-15', '2027-05-16', '2027-05-17', '2027-05-18', '2027-05-19',
    ])
    // 19 May 2027 is both Atatürk's day and the fourth day of Kurban Bayramı: one day, both names.
    expect(y2027.find((h) => h.date === '2027-05-19')?.name.tr).toBe('Atatürk’ü Anma, Gençlik ve Spor Bayramı, Kurban Bayramı')
    expect(y2027.find((h) => h.date === '2027-10-29')?.confirmed).toBe(true)
    // No 15 July before 2017.
    expect(brief(2016)).not.toContain('2016-07-15')
    expect(() => officialHolidays(2026.5)).toThrow(RangeError)
  })

  it('a feast that runs over New Year is split between the years', () => {
    // Ramazan Bayramı begins on 1 Shawwal; around 2033 it comes twice in one Gregorian year.
    const all = [2032, 2033, 2034].flatMap((y) => officialHolidays(y).filter((h) => h.name.tr.startsWith('Ramazan')))
    const dates = all.map((h) => h.date)
    expect(new Set(dates).size).toBe(dates.length)
    expect(officialHolidays(2033).filter((h) => h.name.tr === 'Ramazan Bayramı').length).toBe(6)
  })
})

describe('the head office’s decisions on holidays', () => {
  it('confirm a computed day, move a feast by a day, add a decreed day off', () => {
    const decided = holidaysOf(2027, [
      { date: '2027-03-09', name: null, halfDay: false, removed: false },
      { date: '2027-05-15', name: null, halfDay: false, removed: true },
      { date: '2027-05-14', name: { tr: 'Kurban Bayramı arifesi', en: 'Eve of Eid al-Adha' }, halfDay: true, removed: false },
      { date: '2027-10-28', name: null, halfDay: false, removed: false },
      { date: '2026-01-02', name: null, halfDay: false, removed: false },
    ])
    const day = (date: string) => decided.find((h) => h.date === date)
    expect(day('2027-03-09')).toMatchObject({ confirmed: true, name: { tr: 'Ramazan Bayramı' } })
    expect(day('2027-03-10')?.confirmed).toBe(false)
    expect(day('2027-05-15')).toBeUndefined()
    expect(day('2027-05-14')).toMatchObject({ halfDay: true, confirmed: true })
    // 28 October made a whole day off.
    expect(day('2027-10-28')).toMatchObject({ halfDay: false, name: { tr: 'Cumhuriyet Bayramı arifesi' } })
    expect(decided.some((h) => h.date.startsWith('2026'))).toBe(false)
  })
})
