/**
 * Dates, times and numbers the way each language writes them (tr-TR: 02.03.2026, 8,50, 152.000),
 * and plates as people read them (06 ABC 123).
 */
import { t, type Lang } from './messages.ts'

export { formatPlate } from '../../schema/turkishInput.ts'

export const LOCALES: Record<Lang, string> = { tr: 'tr-TR', en: 'en-GB' }

export function locale(lang: Lang): string {
  return LOCALES[lang]
}

/** `2026-03-02` → `02.03.2026` (tr) or `02/03/2026` (en); anything unreadable comes back as given. */
export function formatDate(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return t(lang, 'empty')
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  if (!m) return iso
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return new Intl.DateTimeFormat(LOCALES[lang], { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' }).format(date)
}

/** Short weekday name of an ISO date (Pzt, Sal… / Mon, Tue…). */
export function formatWeekday(lang: Lang, iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  if (!m) return ''
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return new Intl.DateTimeFormat(LOCALES[lang], { weekday: 'short', timeZone: 'UTC' }).format(date)
}

/** A stored ISO timestamp in the viewer's own zone: the time people remember typing it. */
export function formatDateTime(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return t(lang, 'empty')
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'short', timeStyle: 'medium' }).format(date)
}

export function formatHours(lang: Lang, hours: number): string {
  return new Intl.NumberFormat(LOCALES[lang], { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(hours)
}

export function formatNumber(lang: Lang, n: number): string {
  return new Intl.NumberFormat(LOCALES[lang]).format(n)
}

export function formatMonth(lang: Lang, month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month)
  if (!m) return month
  return new Intl.DateTimeFormat(LOCALES[lang], { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)))
}

