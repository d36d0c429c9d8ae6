/**
 * A shift as a clerk types it into one cell of the week grid: "8-17", "08:30-17:30", "8.30-17",
 * "22-6" (overnight), "8-17/45" (an explicit break in minutes), or the name of one of the region's
 * shift templates ("Sabah", "sabah/30"). Without an explicit break the template's break applies,
 * else the legal minimum of İş Kanunu Art. 68. Pure: the templates come from the caller.
 *
 * Also which days are special by default: a timesheet on a whole-day public holiday is "Özel gün"
 * unless the clerk unticks it. A half holiday (arife, 28 October) is not: its morning is an
 * ordinary working morning, and the law's rule set counts the hours from 13:00 on its own.
 */
import type { Bilingual } from './bilingual.ts'
import { checkNewShift, ShiftError } from './hours.ts'
import { officialHolidays, type PublicHoliday } from './holidays.ts'
import { foldForSearch, parseNumber, parseTime, type Parsed } from './turkishInput.ts'

const DAY = 24 * 60

/**
 * The shortest break İş Kanunu Art. 68 allows for a shift of `span` minutes (start to end):
 * 15 minutes up to 4 hours, 30 minutes over 4 and up to 7.5 hours, an hour over 7.5 hours. The
 * span as entered is what the clerk sees and the article's "iş süresi" is read as, so the break
 * never changes the band it falls in.
 */
export function legalMinimumBreak(span: number): number {
  if (span <= 4 * 60) return 15
  if (span <= 7.5 * 60) return 30
  return 60
}

/** Minutes from start to end, across midnight when the end is earlier; 0 for equal times. */
export function shiftSpan(start: string, end: string): number {
  const from = minutesOf(start)
  const to = minutesOf(end)
  return from === null || to === null ? 0 : (to - from + DAY) % DAY
}

function minutesOf(time: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(time)
  return m === null ? null : Number(m[1]) * 60 + Number(m[2])
}

export interface ShiftTemplate {
  readonly name: string
  readonly start_time: string
  readonly end_time: string
  readonly break_minutes: number
}

export interface TypedShift {
  /** SS:DD */
  readonly start_time: string
  readonly end_time: string
  readonly break_minutes: number
  /** Where the break came from: typed after "/", the template's, or the law's minimum. */
  readonly breakFrom: 'typed' | 'template' | 'law'
  /** The template's name as stored, when the text named one. */
  readonly template: string | null
}

const refuse = (reason: Bilingual): Parsed<never> => ({ ok: false, reason })

function templateNamed(text: string, templates: readonly ShiftTemplate[]): ShiftTemplate | undefined {
  const wanted = foldForSearch(text.trim())
  return wanted === '' ? undefined : templates.find((t) => foldForSearch(t.name.trim()) === wanted)
}

/** "8-17" → both times as SS:DD; undefined when the text is not shaped as a range at all. */
function timeRange(text: string): Parsed<{ start: string; end: string }> | undefined {
  const m = /^([\d:.]+)\s*[-–—]\s*([\d:.]+)$/.exec(text.trim())
  if (m === null) return undefined
  const start = parseTime(m[1])
  if (!start.ok) return start
  const end = parseTime(m[2])
  if (!end.ok) return end
  return { ok: true, value: { start: start.value!, end: end.value! } }
}

/**
 * What a typed cell means; blank is null (the cell is to be emptied). Refused with a reason in
 * both languages when it is neither a time range nor a template's name, when a time or the break
 * cannot be read, or when the shift itself is invalid (same start and end, a break as long as it).
 */
export function parseShiftText(text: string, templates: readonly ShiftTemplate[]): Parsed<TypedShift | null> {
  const typed = text.trim()
  if (typed === '') return { ok: true, value: null }
  const shown = JSON.stringify(typed)
  // A template's own name wins, even one holding "-" or "/" ("Gece 22-6").
  let body = typed
  let breakText: string | undefined
  if (templateNamed(typed, templates) === undefined) {
    const m = /^(.*?)\s*\/\s*([^/]*)$/.exec(typed)
    if (m !== null) {
      body = m[1]
      breakText = m[2]
    }
  }
  let start: string
  let end: string
  let breakMinutes: number
  let breakFrom: TypedShift['breakFrom']
  let template: string | null = null
  const range = timeRange(body)
  const named = range === undefined ? templateNamed(body, templates) : undefined
  if (range !== undefined) {
    if (!range.ok) return range
    ;({ start, end } = range.value)
    breakMinutes = legalMinimumBreak(shiftSpan(start, end))
    breakFrom = 'law'
  } else if (named !== undefined) {
    start = named.start_time
    end = named.end_time
    breakMinutes = named.break_minutes
    breakFrom = 'template'
    template = named.name
  } else {
    const names = templates.slice(0, 4).map((t) => t.name)
    const examples = names.length > 0 ? ` (${names.join(', ')})` : ''
    return refuse({
      tr: `${shown} okunamadı: "8-17", "08:30-17:30", "8-17/45" ya da bir vardiya şablonunun adını yazın${examples}`,
      en: `${shown} cannot be read: type "8-17", "08:30-17:30", "8-17/45" or the name of a shift template${examples}`,
    })
  }
  if (breakText !== undefined) {
    const parsed = parseNumber(breakText, 'integer')
    if (!parsed.ok || parsed.value === null || parsed.value < 0) {
      const shownBreak = JSON.stringify(breakText.trim())
      return refuse({
        tr: `Mola ${shownBreak} okunamadı: "/" işaretinden sonra dakikayı tam sayı olarak yazın (ör. 8-17/45)`,
        en: `The break ${shownBreak} cannot be read: after "/" write the minutes as a whole number (e.g. 8-17/45)`,
      })
    }
    breakMinutes = parsed.value
    breakFrom = 'typed'
  }
  const span = shiftSpan(start, end)
  if (breakFrom === 'law' && span > 0 && breakMinutes >= span) {
    return refuse({
      tr: `${shown} ${span} dakika: yasal asgari mola (${breakMinutes} dk) kadar ya da daha kısa; molayı "/" ile yazın (ör. ${body}/0)`,
      en: `${shown} lasts ${span} minutes: no longer than the legal minimum break (${breakMinutes} min); type the break after "/" (e.g. ${body}/0)`,
    })
  }
  try {
    checkNewShift({ work_date: '2000-01-03', start_time: start, end_time: end, break_minutes: breakMinutes, is_special: 0 })
  } catch (error) {
    if (error instanceof ShiftError) return refuse(error.text)
    throw error
  }
  return { ok: true, value: { start_time: start, end_time: end, break_minutes: breakMinutes, breakFrom, template } }
}

/**
 * A stored shift as its cell shows it, so that reading the text back gives the same shift:
 * "08:00-17:00", with "/45" only when the break is not the legal minimum for its span.
 */
export function shiftText(shift: { readonly start_time: string; readonly end_time: string; readonly break_minutes: number }): string {
  const range = `${shift.start_time}-${shift.end_time}`
  return shift.break_minutes === legalMinimumBreak(shiftSpan(shift.start_time, shift.end_time)) ? range : `${range}/${shift.break_minutes}`
}

/** The public holiday on an ISO date, if any (official list, the year's computed feasts included). */
export function holidayOn(date: string, holidays: readonly PublicHoliday[] = holidaysOfYear(date)): PublicHoliday | undefined {
  return holidays.find((h) => h.date === date)
}

function holidaysOfYear(date: string): readonly PublicHoliday[] {
  const year = Number(date.slice(0, 4))
  return Number.isInteger(year) && year >= 1900 && year <= 2200 ? officialHolidays(year) : []
}

/** Whether a timesheet on `date` is a special day unless the clerk says otherwise: a whole-day holiday. */
export function specialByDefault(date: string, holidays?: readonly PublicHoliday[]): boolean {
  const holiday = holidayOn(date, holidays)
  return holiday !== undefined && !holiday.halfDay
}
