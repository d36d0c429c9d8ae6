/**
 * The one-row entry form of Puantaj as data: the typed entry, what the engine is given for it,
 * and its hours as typed. No rendering here (client/ui/screens/puantaj.ts draws the form).
 */
import { checkNewShift, parseWorkDate, rowHours, ShiftError, type HourSettings, type RowHours } from '../../../schema/hours.ts'
import type { PublicHoliday } from '../../../schema/holidays.ts'
import { specialByDefault } from '../../../schema/shiftEntry.ts'
import type { RecordInput } from '../../../schema/tables.ts'
import { parseDate, parseNumber, parseTime } from '../../../schema/turkishInput.ts'
import { shiftWarnings, type Warning } from '../../../schema/plausibility.ts'
import { validateFields, validateRecord } from '../../../schema/validate.ts'
import { todayIso, type Lang } from '../i18n.ts'
import { errorIn, textOrNull } from '../screen.ts'

export interface Entry {
  employee_id: string
  template: string
  date: string
  start_time: string
  end_time: string
  break_minutes: string
  is_special: boolean
  notes: string
}

/** The entry input a refused record field belongs to (the schema's work_date is the form's date). */
export function entryField(field: string | undefined): keyof Entry | undefined {
  if (field === 'work_date') return 'date'
  return field === 'start_time' || field === 'end_time' || field === 'break_minutes' || field === 'notes' ? field : undefined
}

/** ISO → GG.AA.YYYY, what people type here; the validator reads both. */
export function typedDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  return m ? `${m[3]}.${m[2]}.${m[1]}` : iso
}

/** A typed time as it is stored (8 → 08:00); text that is not a time stays as typed. */
export function shownTime(typed: string): string {
  const parsed = parseTime(typed)
  return parsed.ok && parsed.value !== null ? parsed.value : typed
}

/**
 * The special-day tick a typed date starts with: on for a whole-day public holiday. The clerk can
 * untick it; the next date typed starts over from its own default.
 */
export function specialOnDate(typed: string, holidaysOn?: (iso: string) => readonly PublicHoliday[]): boolean {
  const iso = parseWorkDate(typed)
  return iso !== null && specialByDefault(iso, holidaysOn?.(iso))
}

/** The form as the engine takes it; the engine validates every field and the shift as a whole. */
export function timesheetInput(e: Entry): RecordInput<'timesheets'> {
  return {
    employee_id: e.employee_id,
    work_date: e.date,
    start_time: e.start_time,
    end_time: e.end_time,
    // Read as tr-TR by the schema, which refuses "abc" with the field's label instead of NaN.
    break_minutes: textOrNull(e.break_minutes) as unknown as number,
    is_special: e.is_special ? 1 : 0,
    notes: e.notes.trim() === '' ? null : e.notes,
  }
}

/** The fields of `input` that differ from `base`: what the user changed since the edit began. */
export function changedFields<T extends Record<string, unknown>>(input: T, base: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([field, value]) => value !== base[field])) as Partial<T>
}

export function emptyEntry(): Entry {
  const date = typedDate(todayIso())
  return { employee_id: '', template: '', date, start_time: '', end_time: '', break_minutes: '0', is_special: specialOnDate(date), notes: '' }
}

/** The entry's hours, or the reason they cannot be computed yet (in `lang`), or nothing when incomplete. */
export function entryPreview(e: Entry, settings: HourSettings, lang: Lang): RowHours | string | undefined {
  if (e.date.trim() === '' || e.start_time.trim() === '' || e.end_time.trim() === '') return undefined
  const date = parseDate(e.date)
  if (!date.ok) return date.reason[lang]
  const breakMinutes = parseNumber(e.break_minutes, 'integer')
  if (!breakMinutes.ok) return breakMinutes.reason[lang]
  const shift = {
    work_date: date.value ?? e.date,
    start_time: shownTime(e.start_time),
    end_time: shownTime(e.end_time),
    break_minutes: breakMinutes.value ?? 0,
    is_special: e.is_special ? 1 : 0,
  }
  try {
    checkNewShift(shift)
    return rowHours(shift, settings)
  } catch (error) {
    if (error instanceof ShiftError) return errorIn(lang, error)
    throw error
  }
}

/**
 * What saving the entry should ask about first (schema/plausibility.ts). An entry the engine
 * would refuse asks nothing: the refusal is what the clerk sees.
 */
export function entryWarnings(input: RecordInput<'timesheets'>): Warning[] {
  let normalized: ReturnType<typeof validateFields>
  try {
    normalized = validateFields('timesheets', input, 'insert')
    validateRecord('timesheets', normalized)
  } catch {
    return []
  }
  return shiftWarnings({ work_date: String(normalized.work_date), start_time: String(normalized.start_time), end_time: String(normalized.end_time) }, todayIso())
}
