import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { holidayOn, legalMinimumBreak, parseShiftText, shiftSpan, shiftText, specialByDefault, type ShiftTemplate } from '../schema/shiftEntry.ts'

const templates: ShiftTemplate[] = [
  { name: 'Sabah', start_time: '08:00', end_time: '16:00', break_minutes: 45 },
  { name: 'Gece 22-6', start_time: '22:00', end_time: '06:00', break_minutes: 30 },
  { name: 'İkindi', start_time: '13:00', end_time: '21:00', break_minutes: 40 },
]

const value = (text: string) => {
  const parsed = parseShiftText(text, templates)
  if (!parsed.ok) throw new Error(parsed.reason.en)
  return parsed.value
}
const reason = (text: string) => {
  const parsed = parseShiftText(text, templates)
  if (parsed.ok) throw new Error(`accepted: ${text}`)
  return parsed.reason
}

describe('the legal minimum break (İş Kanunu Art. 68)', () => {
  it('15 minutes up to 4 hours, 30 up to 7.5 hours, an hour beyond', () => {
    expect([60, 240, 241, 300, 450, 451, 540, 720].map(legalMinimumBreak)).toEqual([15, 15, 30, 30, 30, 60, 60, 60])
  })

  it('spans cross midnight', () => {
    expect(shiftSpan('22:00', '06:00')).toBe(480)
    expect(shiftSpan('08:00', '17:00')).toBe(540)
    expect(shiftSpan('08:00', '08:00')).toBe(0)
  })
})

describe('a typed cell', () => {
  it('"8-17" is 08:00–17:00 with the law’s hour of break; "08:30-12:00" gets 15 minutes, "8-14" 30', () => {
    expect(value('8-17')).toEqual({ start_time: '08:00', end_time: '17:00', break_minutes: 60, breakFrom: 'law', template: null })
    expect(value('08:30-12:00')).toMatchObject({ start_time: '08:30', end_time: '12:00', break_minutes: 15 })
    expect(value('8-14')).toMatchObject({ break_minutes: 30 })
    expect(value(' 8.30 – 17.30 ')).toMatchObject({ start_time: '08:30', end_time: '17:30', break_minutes: 60 })
    expect(value('830-1730')).toMatchObject({ start_time: '08:30', end_time: '17:30' })
    expect(value('22-6')).toMatchObject({ start_time: '22:00', end_time: '06:00', break_minutes: 60 })
  })

  it('"8-17/45" takes the typed break, also 0', () => {
    expect(value('8-17/45')).toEqual({ start_time: '08:00', end_time: '17:00', break_minutes: 45, breakFrom: 'typed', template: null })
    expect(value('8-17 / 0')).toMatchObject({ break_minutes: 0, breakFrom: 'typed' })
  })

  it('a template’s name, in any case and spelling, takes its times and break; "/N" overrides the break', () => {
    expect(value('sabah')).toEqual({ start_time: '08:00', end_time: '16:00', break_minutes: 45, breakFrom: 'template', template: 'Sabah' })
    expect(value('IKINDI')).toMatchObject({ template: 'İkindi', break_minutes: 40 })
    expect(value('Sabah/30')).toMatchObject({ template: 'Sabah', break_minutes: 30, breakFrom: 'typed' })
    // A name that looks like a range is still the template.
    expect(value('gece 22-6')).toMatchObject({ template: 'Gece 22-6', break_minutes: 30 })
  })

  it('blank empties the cell', () => {
    expect(parseShiftText('  ', templates)).toEqual({ ok: true, value: null })
  })

  it('refuses what it cannot read, in both languages, saying what to type', () => {
    expect(reason('öğle').tr).toBe('"öğle" okunamadı: "8-17", "08:30-17:30", "8-17/45" ya da bir vardiya şablonunun adını yazın (Sabah, Gece 22-6, İkindi)')
    expect(reason('öğle').en).toMatch(/^"öğle" cannot be read: type "8-17"/)
    expect(reason('8-25').tr).toMatch(/^"25" geçerli bir saat değil/)
    expect(reason('8-17/abc').tr).toBe('Mola "abc" okunamadı: "/" işaretinden sonra dakikayı tam sayı olarak yazın (ör. 8-17/45)')
    expect(reason('8-17/-5').en).toMatch(/^The break "-5" cannot be read/)
    expect(reason('8-8').tr).toMatch(/^Giriş ve çıkış saati aynı/)
    expect(reason('8-17/540').tr).toBe('Mola vardiya kadar ya da daha uzun: 540 dakika (çalışılan süre 0 olur)')
    expect(reason('8-8.10').tr).toBe('"8-8.10" 10 dakika: yasal asgari mola (15 dk) kadar ya da daha kısa; molayı "/" ile yazın (ör. 8-8.10/0)')
    expect(value('8-8.10/0')).toMatchObject({ break_minutes: 0 })
  })

  it('a stored shift’s text reads back as the same shift', () => {
    const time = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`)
    fc.assert(
      fc.property(time, time, fc.integer({ min: 0, max: 600 }), (start, end, breakMinutes) => {
        fc.pre(start !== end && breakMinutes < shiftSpan(start, end))
        const shift = { start_time: start, end_time: end, break_minutes: breakMinutes }
        expect(parseShiftText(shiftText(shift), [])).toMatchObject({ ok: true, value: shift })
      }),
    )
    expect(shiftText({ start_time: '08:00', end_time: '17:00', break_minutes: 60 })).toBe('08:00-17:00')
    expect(shiftText({ start_time: '08:00', end_time: '17:00', break_minutes: 45 })).toBe('08:00-17:00/45')
  })
})

describe('special days by default', () => {
  it('a whole-day holiday is special, its eve (from 13:00) and an ordinary day are not', () => {
    expect(specialByDefault('2026-10-29')).toBe(true)
    expect(specialByDefault('2026-10-28')).toBe(false)
    expect(specialByDefault('2026-10-27')).toBe(false)
    expect(specialByDefault('2026-05-27')).toBe(true)
    expect(holidayOn('2026-05-26')).toMatchObject({ halfDay: true })
    expect(specialByDefault('not a date')).toBe(false)
  })
})
