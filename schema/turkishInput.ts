/**
 * What a Turkish clerk types, read strictly: numbers in tr-TR (1.500,5), times as 8, 830, 8.30,
 * 1730 or 8:30, dates as GG.AA.YYYY (also G.A.YYYY and ISO), with a calendar check. Anything that
 * could mean two things is refused with a reason in both languages, never guessed. Also the
 * search folding (ayse finds Ayşe, IBRAHIM finds İbrahim) and the plate as it is shown.
 * Pure functions: the CLI, the relay and the app share them.
 */
import type { Bilingual } from './bilingual.ts'
import { normalizePlate } from './identity.ts'

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: Bilingual }

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value })
const refuse = (tr: string, en: string): Parsed<never> => ({ ok: false, reason: { tr, en } })

/** A "." between digits is a thousands separator only before exactly three digits (152.000). */
const INTEGER_PART = /^(\d+|\d{1,3}(?:\.\d{3})+)$/

/**
 * tr-TR number text → number; blank → null. "152.000" → 152000, "8,5" → 8.5 (reals only),
 * "1.5" refused as ambiguous (1,5 or 15?), "abc" refused as not a number.
 */
export function parseNumber(text: string, kind: 'integer' | 'real'): Parsed<number | null> {
  const t = text.trim().replace(/\s+/g, '')
  if (t === '') return ok(null)
  const shown = JSON.stringify(text.trim())
  const m = /^([-+]?)([\d.]+)(?:,(\d+))?$/.exec(t)
  if (m === null) {
    if (/^[-+]?[\d.,]+$/.test(t)) return refuse(`${shown} okunamadı: ondalık için bir virgül yazın (8,5)`, `${shown} cannot be read: write one comma for decimals (8,5)`)
    return refuse(`${shown} sayı değil`, `${shown} is not a number`)
  }
  const [, sign, whole, fraction] = m
  if (!INTEGER_PART.test(whole)) {
    return refuse(
      `${shown} belirsiz: nokta yalnızca binlikleri ayırır ve ardından üç rakam gelir (15.000); ondalık için virgül yazın (1,5)`,
      `${shown} is ambiguous: a dot only separates thousands and is followed by three digits (15.000); write decimals with a comma (1,5)`,
    )
  }
  if (fraction !== undefined && kind === 'integer') return refuse(`${shown} tam sayı olmalı (küsurat olmaz)`, `${shown} must be a whole number (no decimals)`)
  const value = Number(`${sign}${whole.replaceAll('.', '')}${fraction === undefined ? '' : `.${fraction}`}`)
  if (!Number.isFinite(value) || (kind === 'integer' && !Number.isSafeInteger(value))) return refuse(`${shown} çok büyük`, `${shown} is too large`)
  return ok(value === 0 ? 0 : value)
}

/**
 * A time of day → "SS:DD": "8" → 08:00, "830" → 08:30, "8.30" / "8:30" → 08:30, "1730" → 17:30.
 * Refused: hours past 23, minutes past 59 (25:00, 1790), anything else. Blank → null.
 */
export function parseTime(text: string): Parsed<string | null> {
  const t = text.trim()
  if (t === '') return ok(null)
  const shown = JSON.stringify(t)
  const m = /^(\d{1,2})(?:[:.](\d{2}))?$/.exec(t) ?? /^(\d{1,2})(\d{2})$/.exec(t)
  if (m === null) return refuse(`${shown} saat değil: SS:DD yazın (ör. 08:30, 830 veya 8.30)`, `${shown} is not a time: write HH:MM (e.g. 08:30, 830 or 8.30)`)
  const hour = Number(m[1])
  const minute = m[2] === undefined ? 0 : Number(m[2])
  if (hour > 23) return refuse(`${shown} geçerli bir saat değil: saat 00 ile 23 arasında olmalı (SS:DD)`, `${shown} is not a valid time: the hour must be 00 to 23 (HH:MM)`)
  if (minute > 59) return refuse(`${shown} geçerli bir saat değil: dakika 00 ile 59 arasında olmalı (SS:DD)`, `${shown} is not a valid time: the minutes must be 00 to 59 (HH:MM)`)
  return ok(`${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`)
}

export const MONTH_NAMES: Readonly<Record<'tr' | 'en', readonly string[]>> = {
  tr: ['Ocak', 'Şubat', 'Mart', 'Nisan', 'Mayıs', 'Haziran', 'Temmuz', 'Ağustos', 'Eylül', 'Ekim', 'Kasım', 'Aralık'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
}

/** The locative suffix a year takes when read aloud: 2026'da, 2025'te, 2027'de, 2040'ta. */
export function yearLocative(year: number): string {
  const units = ['', 'de', 'de', 'te', 'te', 'te', 'da', 'de', 'de', 'da'] // bir iki üç dört beş altı yedi sekiz dokuz
  const tens = ['', 'da', 'de', 'da', 'ta', 'de', 'ta', 'te', 'de', 'da'] // on yirmi otuz kırk elli altmış yetmiş seksen doksan
  const y = Math.abs(year)
  if (y % 10 !== 0) return units[y % 10]
  if (y % 100 !== 0) return tens[(y / 10) % 10]
  if (y % 1000 !== 0) return 'de' // yüz
  return y % 1_000_000 === 0 ? 'da' : 'de' // bin (milyon)
}

export function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; UTC so the host zone cannot shift it.
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/**
 * GG.AA.YYYY, G.A.YYYY or YYYY-AA-GG → ISO YYYY-MM-DD, checked against the calendar: 30.02.2026 is
 * refused with "Şubat 2026'da 30 gün yok", not a format error. Blank → null.
 */
export function parseDate(text: string): Parsed<string | null> {
  const t = text.trim()
  if (t === '') return ok(null)
  const shown = JSON.stringify(t)
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t)
  let y: number, mo: number, d: number
  if (m) {
    y = Number(m[1]); mo = Number(m[2]); d = Number(m[3])
  } else if ((m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(t))) {
    d = Number(m[1]); mo = Number(m[2]); y = Number(m[3])
  } else {
    return refuse(`${shown} tarih değil: GG.AA.YYYY yazın (ör. 05.03.2026)`, `${shown} is not a date: write DD.MM.YYYY (e.g. 05.03.2026)`)
  }
  if (mo < 1 || mo > 12) return refuse(`${shown}: ${mo}. ay yok (ay 1 ile 12 arasında olmalı)`, `${shown}: there is no month ${mo} (the month must be 1 to 12)`)
  if (y < 1900 || y > 2199) return refuse(`${shown}: ${y} yılı olamaz`, `${shown}: the year ${y} is not plausible`)
  const last = daysInMonth(y, mo)
  const tr = MONTH_NAMES.tr[mo - 1]
  const en = MONTH_NAMES.en[mo - 1]
  if (d < 1) return refuse(`${shown}: gün 0 olamaz`, `${shown}: the day cannot be 0`)
  if (d > last) {
    return refuse(`${tr} ${y}'${yearLocative(y)} ${d} gün yok (son gün ${last})`, `${en} ${y} has no day ${d} (its last day is the ${last}th)`)
  }
  return ok(`${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`)
}

const FOLD: Readonly<Record<string, string>> = { ı: 'i', ç: 'c', ğ: 'g', ö: 'o', ş: 's', ü: 'u' }

/**
 * Text as search compares it: Turkish lower case (I → ı, İ → i), then without accents, ı as i:
 * "Ayşe", "AYŞE" and "ayse" fold alike; so do "İbrahim", "IBRAHIM" and "ibrahim".
 */
export function foldForSearch(text: string): string {
  return text
    .toLocaleLowerCase('tr-TR')
    .replace(/[ıçğöşü]/g, (c) => FOLD[c])
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
}

/** Whether `haystack` contains `needle` the way a clerk means it (folded, see foldForSearch). */
export function searchMatches(haystack: string, needle: string): boolean {
  return foldForSearch(haystack).includes(foldForSearch(needle.trim()))
}

/** A plate as people read it: "06ABC123" → "06 ABC 123" (digits, letters, digits); odd ones as stored. */
export function formatPlate(plate: string): string {
  const p = normalizePlate(plate)
  const m = /^(\d{2})([A-ZÇĞİÖŞÜ]{1,3})(\d{1,4})$/.exec(p)
  return m ? `${m[1]} ${m[2]} ${m[3]}` : p
}
