/**
 * The fleet's words in both languages: checklist items, fault states, the sentences of the alerts,
 * and the Turkish ways of writing a date (10.02.2026), a count (152.300) and a sum of money
 * (₺2.450,50). Dates keep the Turkish form in the English sentences too: the offices read and
 * type them so. Written out rather than through Intl, so a Node without full ICU and every
 * browser give the same text. Pure: the CLI, the reports and the app share them.
 */
import type { Bilingual } from './bilingual.ts'
import type { FAULT_STATUSES, INSPECTION_ITEMS } from './tables.ts'

export type InspectionItem = (typeof INSPECTION_ITEMS)[number]
export type FaultStatus = (typeof FAULT_STATUSES)[number]

/** The weekly checklist's items, in the order of the legacy form. */
export const INSPECTION_ITEM_LABELS: Readonly<Record<InspectionItem, Bilingual>> = {
  body_dent: { tr: 'Kaporta göçüğü', en: 'Body dents' },
  paint_damage: { tr: 'Boya hasarı', en: 'Paint damage' },
  interior_clean: { tr: 'İç temizlik', en: 'Interior cleanliness' },
  smoke_smell: { tr: 'Sigara kokusu', en: 'Smoke smell' },
  tire_condition: { tr: 'Lastik durumu', en: 'Tyre condition' },
  lights: { tr: 'Farlar ve lambalar', en: 'Lights' },
  glass: { tr: 'Camlar', en: 'Glass' },
  warning_lamps: { tr: 'Gösterge uyarı lambaları', en: 'Warning lamps' },
  water_level: { tr: 'Su seviyesi', en: 'Water level' },
}

export const FAULT_STATUS_LABELS: Readonly<Record<FaultStatus, Bilingual>> = {
  Acik: { tr: 'Açık', en: 'Open' },
  Kapandi: { tr: 'Kapandı', en: 'Closed' },
  Takip: { tr: 'Takipte', en: 'Under follow-up' },
}

/** An item key as a clerk reads it; an unknown key (a legacy file's own) as it is. */
export function itemLabel(key: string): Bilingual {
  return Object.hasOwn(INSPECTION_ITEM_LABELS, key) ? INSPECTION_ITEM_LABELS[key as InspectionItem] : { tr: key, en: key }
}

/** `2026-02-10` → `10.02.2026`; anything else as it is. */
export function turkishDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  return m ? `${m[3]}.${m[2]}.${m[1]}` : iso
}

function grouped(digits: string, separator: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, separator)
}

/** A whole number with the language's thousands separator: 152.300 (tr), 152,300 (en). */
export function formatCount(lang: 'tr' | 'en', n: number): string {
  const sign = n < 0 ? '-' : ''
  return sign + grouped(String(Math.round(Math.abs(n))), lang === 'tr' ? '.' : ',')
}

/** Turkish lira as tr-TR writes it: ₺2.450,50 (two decimals, `.` thousands, `,` decimals). */
export function formatLira(amount: number): string {
  const cents = Math.round(Math.abs(amount) * 100)
  const whole = grouped(String(Math.floor(cents / 100)), '.')
  return `${amount < 0 && cents > 0 ? '-' : ''}₺${whole},${String(cents % 100).padStart(2, '0')}`
}

/** "in 5 days", "today", "12 days overdue": the tail of a date alert. */
function daysPhrase(days: number, overdue: Bilingual): Bilingual {
  if (days === 0) return { tr: 'bugün', en: 'today' }
  if (days > 0) return { tr: `${formatCount('tr', days)} gün kaldı`, en: `in ${formatCount('en', days)} day${days === 1 ? '' : 's'}` }
  const n = -days
  return { tr: `${formatCount('tr', n)} ${overdue.tr}`, en: `${formatCount('en', n)} day${n === 1 ? '' : 's'} ${overdue.en}` }
}

export type DateAlertKind = 'inspection_date' | 'insurance_date' | 'maintenance_date' | 'license_expiry' | 'oil_date'

const DATE_WORDS: Readonly<Record<DateAlertKind, { due: Bilingual; past: Bilingual; overdue: Bilingual }>> = {
  inspection_date: {
    due: { tr: 'muayene tarihi', en: 'inspection (muayene) due' },
    past: { tr: 'muayene tarihi', en: 'inspection (muayene) was due' },
    overdue: { tr: 'gün gecikti', en: 'overdue' },
  },
  insurance_date: {
    due: { tr: 'sigorta bitişi', en: 'insurance expires' },
    past: { tr: 'sigorta bitti', en: 'insurance expired' },
    overdue: { tr: 'gün önce', en: 'ago' },
  },
  maintenance_date: {
    due: { tr: 'bakım tarihi', en: 'maintenance due' },
    past: { tr: 'bakım tarihi', en: 'maintenance was due' },
    overdue: { tr: 'gün gecikti', en: 'overdue' },
  },
  license_expiry: {
    due: { tr: 'ehliyet bitişi', en: 'driving licence expires' },
    past: { tr: 'ehliyet bitti', en: 'driving licence expired' },
    overdue: { tr: 'gün önce', en: 'ago' },
  },
  oil_date: {
    due: { tr: 'yağ değişimi (süre) zamanı', en: 'oil change due by date' },
    past: { tr: 'yağ değişimi (süre) zamanı', en: 'oil change was due by date' },
    overdue: { tr: 'gün gecikti', en: 'overdue' },
  },
}

/** "34 ABC 123: muayene tarihi 10.02.2026, 12 gün gecikti" / "34 ABC 123: inspection (muayene) was due 10.02.2026, 12 days overdue". */
export function dateAlertText(kind: DateAlertKind, subject: string, due: string, days: number): Bilingual {
  const words = DATE_WORDS[kind]
  const lead = days < 0 ? words.past : words.due
  const tail = daysPhrase(days, words.overdue)
  return { tr: `${subject}: ${lead.tr} ${turkishDate(due)}, ${tail.tr}`, en: `${subject}: ${lead.en} ${turkishDate(due)}, ${tail.en}` }
}

/** The oil change by kilometre: left (or past by) so many km since the change at `changedAt` km. */
export function oilKmText(subject: string, kmLeft: number, changedAt: number): Bilingual {
  const since = { tr: `son değişim ${formatCount('tr', changedAt)} km`, en: `last changed at ${formatCount('en', changedAt)} km` }
  if (kmLeft > 0) {
    return { tr: `${subject}: yağ değişimine ${formatCount('tr', kmLeft)} km kaldı (${since.tr})`, en: `${subject}: oil change due in ${formatCount('en', kmLeft)} km (${since.en})` }
  }
  if (kmLeft === 0) return { tr: `${subject}: yağ değişimi şimdi (${since.tr})`, en: `${subject}: oil change due now (${since.en})` }
  return { tr: `${subject}: yağ değişimi ${formatCount('tr', -kmLeft)} km geçti (${since.tr})`, en: `${subject}: oil change overdue by ${formatCount('en', -kmLeft)} km (${since.en})` }
}

export function repeatedFailureText(subject: string, item: string, dates: readonly [string, string]): Bilingual {
  const label = itemLabel(item)
  const when = `${turkishDate(dates[0])}, ${turkishDate(dates[1])}`
  return { tr: `${subject}: ${label.tr} son iki denetimde olumsuz (${when})`, en: `${subject}: ${label.en} failed the last two inspections (${when})` }
}

export function openFaultText(subject: string, title: string, status: string | null, openedOn: string | null): Bilingual {
  const since = openedOn === null ? { tr: '', en: '' } : { tr: `, ${turkishDate(openedOn)} tarihinden beri`, en: `, since ${turkishDate(openedOn)}` }
  if (status === 'Takip') return { tr: `${subject}: arıza takipte: ${title}${since.tr}`, en: `${subject}: fault under follow-up: ${title}${since.en}` }
  return { tr: `${subject}: açık arıza: ${title}${since.tr}`, en: `${subject}: open fault: ${title}${since.en}` }
}

/** A km reading lower than the one before it: one of the two was typed wrong. */
export function kmDecreaseText(subject: string, km: number, on: string | null, previousKm: number, previousOn: string | null): Bilingual {
  const at = (lang: 'tr' | 'en', n: number, date: string | null): string => `${formatCount(lang, n)} km${date === null ? '' : ` (${turkishDate(date)})`}`
  return {
    tr: `${subject}: km geriye gitti: ${at('tr', previousKm, previousOn)} → ${at('tr', km, on)}; okumalardan biri yanlış girilmiş olabilir`,
    en: `${subject}: the km went down: ${at('en', previousKm, previousOn)} → ${at('en', km, on)}; one of the readings may be mistyped`,
  }
}
