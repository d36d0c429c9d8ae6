import { describe, expect, it } from 'vitest'
import { foldForSearch, formatPlate, parseDate, parseNumber, parseTime, searchMatches, yearLocative, type Parsed } from '../schema/turkishInput.ts'

function value<T>(p: Parsed<T>): T {
  if (!p.ok) throw new Error(`refused: ${p.reason.tr} / ${p.reason.en}`)
  return p.value
}
function reason<T>(p: Parsed<T>): { tr: string; en: string } {
  if (p.ok) throw new Error(`accepted: ${String(p.value)}`)
  return p.reason
}

describe('tr-TR numbers', () => {
  it('reads thousands dots, decimal commas and plain digits', () => {
    expect(value(parseNumber('152.000', 'integer'))).toBe(152000)
    expect(value(parseNumber('1.234.567', 'integer'))).toBe(1234567)
    expect(value(parseNumber('35000', 'integer'))).toBe(35000)
    expect(value(parseNumber(' 60 ', 'integer'))).toBe(60)
    expect(value(parseNumber('8,5', 'real'))).toBe(8.5)
    expect(value(parseNumber('1.500,25', 'real'))).toBe(1500.25)
    expect(value(parseNumber('-3000', 'integer'))).toBe(-3000)
    expect(value(parseNumber('', 'integer'))).toBeNull()
    expect(value(parseNumber('  ', 'real'))).toBeNull()
  })

  it('refuses what could mean two things, and what is no number, with a reason', () => {
    const ambiguous = reason(parseNumber('1.5', 'integer'))
    expect(ambiguous.tr).toContain('"1.5" belirsiz')
    expect(ambiguous.en).toContain('"1.5" is ambiguous')
    expect(reason(parseNumber('1.5', 'real')).tr).toContain('virgül')
    expect(reason(parseNumber('1.5000', 'integer')).tr).toContain('belirsiz')
    expect(reason(parseNumber('15.00', 'integer')).tr).toContain('belirsiz')
    expect(reason(parseNumber('8,5', 'integer')).tr).toContain('tam sayı')
    expect(reason(parseNumber('abc', 'integer'))).toEqual({ tr: '"abc" sayı değil', en: '"abc" is not a number' })
    expect(reason(parseNumber('1,5,5', 'real')).tr).toContain('okunamadı')
    for (const r of [reason(parseNumber('x', 'integer')), ambiguous]) expect(`${r.tr} ${r.en}`).not.toContain('NaN')
  })
})

describe('times', () => {
  it.each([
    ['8', '08:00'],
    ['830', '08:30'],
    ['8.30', '08:30'],
    ['1730', '17:30'],
    ['8:30', '08:30'],
    ['08:30', '08:30'],
    ['0', '00:00'],
    ['23:59', '23:59'],
    ['0830', '08:30'],
  ])('%s → %s', (typed, shown) => expect(value(parseTime(typed))).toBe(shown))

  it('refuses hours past 23 and minutes past 59, in SS:DD (tr) and HH:MM (en)', () => {
    for (const bad of ['25:00', '24:00', '2500', '1790', '8:75', '12345', 'abc', '8:3']) {
      const r = reason(parseTime(bad))
      expect(r.tr, bad).toContain('SS:DD')
      expect(r.tr, bad).not.toContain('HH:MM')
      expect(r.en, bad).toContain('HH:MM')
    }
    expect(reason(parseTime('25:00')).tr).toContain('saat 00 ile 23')
    expect(reason(parseTime('1790')).tr).toContain('dakika 00 ile 59')
    expect(value(parseTime(''))).toBeNull()
  })
})

describe('dates', () => {
  it('reads GG.AA.YYYY, G.A.YYYY and ISO', () => {
    expect(value(parseDate('05.03.2026'))).toBe('2026-03-05')
    expect(value(parseDate('5.3.2026'))).toBe('2026-03-05')
    expect(value(parseDate('2026-03-05'))).toBe('2026-03-05')
    expect(value(parseDate('29.02.2028'))).toBe('2028-02-29')
    expect(value(parseDate(''))).toBeNull()
  })

  it('says what is wrong with the calendar, not the format', () => {
    expect(reason(parseDate('30.02.2026'))).toEqual({ tr: "Şubat 2026'da 30 gün yok (son gün 28)", en: 'February 2026 has no day 30 (its last day is the 28th)' })
    expect(reason(parseDate('29.02.2025')).tr).toBe("Şubat 2025'te 29 gün yok (son gün 28)")
    expect(reason(parseDate('31.04.2027')).tr).toBe("Nisan 2027'de 31 gün yok (son gün 30)")
    expect(reason(parseDate('2026-02-30')).en).toContain('February 2026 has no day 30')
    expect(reason(parseDate('12.13.2026')).tr).toContain('13. ay yok')
    expect(reason(parseDate('00.01.2026')).tr).toContain('gün 0 olamaz')
    expect(reason(parseDate('yarın')).tr).toContain('GG.AA.YYYY')
    expect(reason(parseDate('yarın')).en).toContain('DD.MM.YYYY')
  })

  it('puts the year in the locative the way it is read aloud', () => {
    expect([2020, 2021, 2023, 2026, 2027, 2029, 2030, 2040, 2050, 2060, 2100, 2000].map(yearLocative)).toEqual(['de', 'de', 'te', 'da', 'de', 'da', 'da', 'ta', 'de', 'ta', 'de', 'de'])
  })
})

describe('search folding', () => {
  it('finds Turkish names typed on any keyboard', () => {
    expect(searchMatches('Ayşe Yılmaz', 'ayse')).toBe(true)
    expect(searchMatches('Ayşe Yılmaz', 'AYŞE')).toBe(true)
    expect(searchMatches('Ayşe Yılmaz', 'yilmaz')).toBe(true)
    expect(searchMatches('İbrahim Çelik', 'IBRAHIM')).toBe(true)
    expect(searchMatches('İbrahim Çelik', 'ibrahim')).toBe(true)
    expect(searchMatches('IŞIK Gül', 'isik gul')).toBe(true)
    expect(searchMatches('Öztürk Ğ Ü', 'ozturk g u')).toBe(true)
    expect(searchMatches('Ayşe Yılmaz', 'mehmet')).toBe(false)
    expect(foldForSearch('ÇĞİÖŞÜıI')).toBe('cgiosuii')
  })
})

describe('plates', () => {
  it('shows digits, letters, digits', () => {
    expect(formatPlate('06ABC123')).toBe('06 ABC 123')
    expect(formatPlate('34 a 1234')).toBe('34 A 1234')
    expect(formatPlate('35-AB-12')).toBe('35 AB 12')
    expect(formatPlate('CD123')).toBe('CD123')
  })
})

describe('errors a clerk reads', () => {
  it('ValidationError carries the field and both languages as data, message unchanged', async () => {
    const { validateFields, ValidationError } = await import('../schema/validate.ts')
    const caught = (input: Record<string, unknown>, table: 'employees' | 'vehicles' | 'timesheets' = 'employees'): InstanceType<typeof ValidationError> => {
      try {
        validateFields(table, input, 'insert')
      } catch (error) {
        if (error instanceof ValidationError) return error
        throw error
      }
      throw new Error('accepted')
    }
    const empty = caught({ full_name: ' ' })
    expect(empty.field).toBe('full_name')
    expect(empty.text).toEqual({ tr: 'Ad soyad boş olamaz', en: 'Full name cannot be empty' })
    expect(empty.message).toContain(' / ')
    const km = caught({ plate: '06 ABC 123', km: '1.5' }, 'vehicles')
    expect(km.field).toBe('km')
    expect(km.text.tr).toMatch(/^Km: "1.5" belirsiz/)
    expect(km.text.en).not.toMatch(/belirsiz/)
    const date = caught({ employee_id: 'x', work_date: '30.02.2026', start_time: '8', end_time: '17', break_minutes: 0 }, 'timesheets')
    expect(date.text).toEqual({ tr: "Tarih: Şubat 2026'da 30 gün yok (son gün 28)", en: 'Date: February 2026 has no day 30 (its last day is the 28th)' })
  })

  it('the validator reads Turkish input: 152.000 km, 1730 as 17:30', async () => {
    const { validateFields } = await import('../schema/validate.ts')
    expect(validateFields('vehicles', { plate: '06 abc 123', km: '152.000' }, 'insert')).toMatchObject({ plate: '06ABC123', km: 152000 })
    expect(validateFields('timesheets', { employee_id: 'x', work_date: '5.3.2026', start_time: '830', end_time: '1730', break_minutes: 0 }, 'insert')).toMatchObject({
      work_date: '2026-03-05',
      start_time: '08:30',
      end_time: '17:30',
    })
  })
})

describe('the terminal follows the locale', () => {
  it('tr… is Turkish, other named locales English, C/POSIX/unset both', async () => {
    const { inLocale, localeLanguage } = await import('../schema/bilingual.ts')
    const { ReportError } = await import('../client/report.ts')
    expect(localeLanguage({ LANG: 'tr_TR.UTF-8' })).toBe('tr')
    expect(localeLanguage({ LC_ALL: 'en_US.UTF-8', LANG: 'tr_TR.UTF-8' })).toBe('en')
    expect(localeLanguage({ LANG: 'de_DE.UTF-8' })).toBe('en')
    expect(localeLanguage({ LANG: 'C.UTF-8' })).toBeUndefined()
    expect(localeLanguage({})).toBeUndefined()
    const error = new ReportError('Ay yanlış', 'Wrong month')
    expect(inLocale(error, { LANG: 'tr_TR.UTF-8' })).toBe('Ay yanlış')
    expect(inLocale(error, { LC_ALL: 'en_GB.UTF-8' })).toBe('Wrong month')
    expect(inLocale(error, { LANG: 'C' })).toBe('Ay yanlış / Wrong month')
  })
})
