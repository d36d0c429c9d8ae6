/**
 * Legacy cell → Rainstaff field value, by the legacy program's rules rather than the stricter
 * ones for new entries: a value the hours can still be computed from is kept (with a warning
 * when Rainstaff would refuse it as typed), one they cannot is a reason to skip the row. Nothing
 * is changed quietly: every repair or oddity becomes a Reason in the report.
 */
import { parseWorkDate } from '../../schema/hours.ts'
import { normalizePlate } from '../../schema/identity.ts'
import { maxLength, type CellValue, type FieldDef, type TableName } from '../../schema/tables.ts'
import type { LegacyValue } from './reader.ts'
import { reasons, type Reason } from './reasons.ts'

export type Converted = { readonly ok: true; readonly value: CellValue } | { readonly ok: false; readonly reason: Reason }

const ok = (value: CellValue): Converted => ({ ok: true, value })
const fail = (reason: Reason): Converted => ({ ok: false, reason })

function isBlank(value: LegacyValue): boolean {
  return value === null || (typeof value === 'string' && value.trim() === '')
}

const TIME = /^(\d{1,2}):(\d{2})$/

/** `H:MM` or `HH:MM` (00:00–23:59) → minutes after midnight, else null. */
export function timeMinutes(value: CellValue): number | null {
  const m = typeof value === 'string' ? TIME.exec(value.trim()) : null
  if (!m) return null
  const h = Number(m[1])
  const min = Number(m[2])
  return h > 23 || min > 59 ? null : h * 60 + min
}

function numberFrom(value: LegacyValue): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value !== 'string') return null
  // Turkish PCs may have typed a decimal comma.
  const t = value.trim().replace(',', '.')
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : null
}

/**
 * Converts one cell for field `field` of `table`. `warnings` collects what was kept but looks
 * wrong; a failed result means the row cannot be imported.
 */
export function convertCell(table: TableName, field: string, def: FieldDef, raw: LegacyValue, warnings: Reason[]): Converted {
  if (raw instanceof Uint8Array) {
    const what = `<${raw.byteLength} bytes>`
    if (def.required) return fail(reasons.invalidValue(field, what))
    warnings.push(reasons.oddValue(field, what, 'ikili veri, alınmadı', 'binary data, not imported'))
    return ok(null)
  }
  // Longer than any reader or the relay takes: the row is listed, not cut short quietly.
  if (typeof raw === 'string' && raw.trim().length > maxLength(def)) {
    return fail(reasons.invalidValue(field, `<${raw.trim().length} karakter / characters; en fazla / at most ${maxLength(def)}>`))
  }
  if (isBlank(raw)) {
    // A missing flag is "no", the legacy column default.
    if (def.type === 'flag') return ok(0)
    if (field === 'break_minutes') {
      warnings.push(reasons.oddValue(field, raw, 'boş mola 0 sayıldı (eski varsayılan)', 'blank break counted as 0 (the legacy default)'))
      return ok(0)
    }
    if (!def.required) return ok(null)
    if (def.type === 'date') return fail(reasons.invalidDate(field, raw))
    if (def.type === 'time') return fail(reasons.invalidTime(field, raw))
    return fail(reasons.missingRequired(field))
  }
  switch (def.type) {
    case 'text': {
      const text = String(raw).trim()
      if (def.oneOf && !def.oneOf.includes(text)) {
        warnings.push(
          reasons.oddValue(field, text, `beklenen: ${def.oneOf.join(', ')}; olduğu gibi alındı`, `expected one of ${def.oneOf.join(', ')}; kept as is`),
        )
      }
      return ok(table === 'vehicles' && field === 'plate' ? normalizePlate(text) : text)
    }
    case 'date': {
      const iso = parseWorkDate(String(raw))
      if (iso !== null) return ok(iso)
      if (def.required) return fail(reasons.invalidDate(field, raw))
      warnings.push(reasons.oddValue(field, raw, 'tarih değil; metin olarak korundu', 'not a date; kept as text'))
      return ok(String(raw).trim())
    }
    case 'time': {
      const minutes = timeMinutes(String(raw))
      if (minutes === null) return fail(reasons.invalidTime(field, raw))
      return ok(`${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`)
    }
    case 'flag': {
      const n = numberFrom(raw)
      if (n === 0 || n === 1) return ok(n)
      // rowHours counts only 1 as special; keep that meaning and say so.
      warnings.push(reasons.oddValue(field, raw, '0/1 değil; 0 (hayır) sayıldı', 'not 0/1; taken as 0 (no)'))
      return ok(0)
    }
    case 'integer':
    case 'real': {
      const n = numberFrom(raw)
      if (n === null) {
        if (def.required) return fail(reasons.invalidNumber(field, raw))
        warnings.push(reasons.oddValue(field, raw, 'sayı değil; metin olarak korundu', 'not a number; kept as text'))
        return ok(String(raw).trim())
      }
      if (def.type === 'integer' && !Number.isInteger(n)) {
        warnings.push(reasons.oddValue(field, raw, 'tam sayı değil; olduğu gibi alındı', 'not a whole number; kept as is'))
      }
      // A negative break has its own, more useful warning (checkShift).
      if (def.min !== undefined && n < def.min && field !== 'break_minutes') {
        warnings.push(reasons.oddValue(field, raw, `en az ${def.min} olmalı; olduğu gibi alındı`, `should be at least ${def.min}; kept as is`))
      }
      return ok(n)
    }
  }
}

/**
 * Shift rows (timesheets, shift templates) the legacy rules compute but Rainstaff would refuse
 * as new entries: each is kept as it is, so the hours come out as the old reports showed them.
 */
export function shiftWarnings(fields: Readonly<Record<string, CellValue>>): Reason[] {
  const start = timeMinutes(fields.start_time)
  const end = timeMinutes(fields.end_time)
  const brk = typeof fields.break_minutes === 'number' ? fields.break_minutes : 0
  const out: Reason[] = []
  if (start === null || end === null) return out
  if (start === end) out.push(reasons.sameStartEnd(String(fields.start_time)))
  if (brk < 0) out.push(reasons.negativeBreak(brk))
  const gross = end >= start ? end - start : end + 24 * 60 - start
  if (start !== end && brk > gross) out.push(reasons.breakExceedsShift(brk, gross))
  return out
}
