/**
 * Validation derived from the table definitions. A rejected record throws a ValidationError that
 * names the table, field, value and rule in Turkish and English; callers write nothing then.
 * Accepted input comes back normalized (trimmed text, ISO dates, blank optional fields as null)
 * so every replica stores the same spelling of the same value.
 */
import { maxLength, TABLES, type CellValue, type FieldDef, type TableName } from './tables.ts'
import { normalizePlate, normalizeSerial } from './identity.ts'
import { checkNewShift, ShiftError } from './hours.ts'
import { BilingualError, type Bilingual } from './bilingual.ts'
import { fieldLabelText } from './labels.ts'
import { parseDate, parseNumber, parseTime } from './turkishInput.ts'
import { identityNoProblem } from './plausibility.ts'

export type Rule = 'required' | 'type' | 'date' | 'time' | 'oneOf' | 'min' | 'unknown' | 'shift' | 'reference' | 'length' | 'identity'

const RULE_TEXT: Record<Rule, Bilingual> = {
  required: { tr: 'zorunlu alan boş olamaz', en: 'required field cannot be empty' },
  type: { tr: 'değer türü yanlış', en: 'wrong value type' },
  date: { tr: 'tarih YYYY-AA-GG veya GG.AA.YYYY olmalı', en: 'date must be YYYY-MM-DD or DD.MM.YYYY' },
  time: { tr: 'saat SS:DD (00:00–23:59) olmalı', en: 'time must be HH:MM (00:00–23:59)' },
  oneOf: { tr: 'izin verilen değerlerden biri olmalı', en: 'must be one of the allowed values' },
  min: { tr: 'değer çok küçük', en: 'value too small' },
  unknown: { tr: 'bu tabloda böyle bir alan yok', en: 'no such field in this table' },
  shift: { tr: 'vardiya geçersiz', en: 'invalid shift' },
  reference: { tr: 'başvurulan kayıt yok', en: 'referenced record does not exist' },
  length: { tr: 'metin çok uzun', en: 'text too long' },
  identity: {
    tr: 'kaydın kimliğidir, değiştirilemez; başka bir değer için kaydı silip yenisini ekleyin',
    en: "is the record's identity and cannot change; for another value delete the record and add a new one",
  },
}

/** The sentence a clerk reads: the field's label, then what is wrong ("Ad soyad boş olamaz"). */
function clerkText(table: TableName, field: string, rule: Rule, text: Bilingual, reason?: Bilingual): Bilingual {
  const label = fieldLabelText(field, table)
  if (reason !== undefined) return { tr: `${label.tr}: ${reason.tr}`, en: `${label.en}: ${reason.en}` }
  switch (rule) {
    case 'required':
      return { tr: `${label.tr} boş olamaz`, en: `${label.en} cannot be empty` }
    case 'type':
    case 'min':
    case 'length':
    case 'oneOf':
      return { tr: `${label.tr} ${text.tr}`, en: `${label.en} ${text.en}` }
    case 'shift':
      return text
    default:
      return { tr: `${label.tr}: ${text.tr}`, en: `${label.en}: ${text.en}` }
  }
}

export class ValidationError extends BilingualError {
  readonly table: TableName
  override readonly field: string
  readonly value: unknown
  readonly rule: Rule

  /**
   * `detail` replaces the rule's own words in both the log line and the clerk's text; `reason`
   * (what exactly is wrong with what was typed) goes into the clerk's text only.
   */
  constructor(table: TableName, field: string, value: unknown, rule: Rule, detail?: Bilingual, reason?: Bilingual) {
    const text = detail ?? RULE_TEXT[rule]
    const shown = JSON.stringify(value) ?? String(value)
    super(clerkText(table, field, rule, text, reason), {
      field,
      message:
        `${TABLES[table].label.tr}.${field} = ${shown}: ${text.tr} / ` +
        `${TABLES[table].label.en}.${field} = ${shown}: ${text.en}`,
    })
    this.name = 'ValidationError'
    this.table = table
    this.field = field
    this.value = value
    this.rule = rule
  }
}


function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
}

function normalizeField(table: TableName, field: string, def: FieldDef, value: unknown): CellValue {
  if (isBlank(value)) {
    if (def.required) throw new ValidationError(table, field, value, 'required')
    return null
  }
  switch (def.type) {
    case 'text': {
      if (typeof value !== 'string') throw new ValidationError(table, field, value, 'type')
      const trimmed = value.trim()
      const limit = maxLength(def)
      if (trimmed.length > limit) {
        throw new ValidationError(table, field, `${trimmed.slice(0, 40)}…`, 'length', {
          tr: `en fazla ${limit} karakter olabilir (${trimmed.length} karakter)`,
          en: `at most ${limit} characters (${trimmed.length} given)`,
        })
      }
      if (def.oneOf && !def.oneOf.includes(trimmed)) {
        const allowed = def.oneOf.join(', ')
        throw new ValidationError(table, field, value, 'oneOf', {
          tr: `şunlardan biri olmalı: ${allowed}`,
          en: `must be one of: ${allowed}`,
        })
      }
      if (table === 'employees' && field === 'identity_no') {
        // Entry only: the relay and legacy imports keep what old files hold.
        const problem = identityNoProblem(trimmed)
        if (problem !== undefined) throw new ValidationError(table, field, value, 'type', { tr: `geçersiz T.C. kimlik no: ${problem.tr}`, en: `invalid identity no: ${problem.en}` }, problem)
      }
      if (table === 'vehicles' && field === 'plate') return normalizePlate(trimmed)
      return table === 'stock_inventory' && field === 'seri_no' ? normalizeSerial(trimmed) : trimmed
    }
    case 'date': {
      if (typeof value !== 'string') throw new ValidationError(table, field, value, 'date')
      const parsed = parseDate(value)
      if (!parsed.ok) throw new ValidationError(table, field, value, 'date', undefined, parsed.reason)
      return parsed.value
    }
    case 'time': {
      // 8, 830, 8.30, 1730 and 8:30 are all read; stored is always SS:DD.
      if (typeof value !== 'string') throw new ValidationError(table, field, value, 'time')
      const parsed = parseTime(value)
      if (!parsed.ok) throw new ValidationError(table, field, value, 'time', undefined, parsed.reason)
      return parsed.value
    }
    case 'flag': {
      if (value === true || value === 1) return 1
      if (value === false || value === 0) return 0
      throw new ValidationError(table, field, value, 'type', { tr: '0 veya 1 olmalı', en: 'must be 0 or 1' })
    }
    case 'integer':
    case 'real': {
      if (typeof value === 'string') {
        // Typed text (the CLI's JSON, a form) is read as tr-TR: 152.000 is 152000, 1.5 is refused.
        const parsed = parseNumber(value, def.type)
        if (!parsed.ok) {
          const kind = def.type === 'integer' ? { tr: 'tam sayı olmalı', en: 'must be an integer' } : { tr: 'sayı olmalı', en: 'must be a number' }
          throw new ValidationError(table, field, value, 'type', kind, parsed.reason)
        }
        return normalizeField(table, field, def, parsed.value)
      }
      const ok = typeof value === 'number' && Number.isFinite(value) && (def.type === 'real' || Number.isInteger(value))
      if (!ok) {
        const kind = def.type === 'integer' ? { tr: 'tam sayı olmalı', en: 'must be an integer' } : { tr: 'sayı olmalı', en: 'must be a number' }
        throw new ValidationError(table, field, value, 'type', kind)
      }
      if (def.min !== undefined && value < def.min) {
        throw new ValidationError(table, field, value, 'min', {
          tr: `en az ${def.min} olmalı`,
          en: `must be at least ${def.min}`,
        })
      }
      return value
    }
  }
}

/**
 * Checks and normalizes the table's own fields of a new record (`insert`) or of a patch
 * (`update`, where only the given fields are checked). Metadata fields are not accepted here:
 * the CRDT layer stamps them.
 */
export function validateFields(
  table: TableName,
  input: Readonly<Record<string, unknown>>,
  mode: 'insert' | 'update',
): Record<string, CellValue> {
  const fields = TABLES[table].fields
  for (const field of Object.keys(input)) {
    if (!Object.hasOwn(fields, field)) throw new ValidationError(table, field, input[field], 'unknown')
  }
  const out: Record<string, CellValue> = {}
  for (const [field, def] of Object.entries(fields)) {
    // An update touches only what it names: a field left out (or undefined) keeps its value.
    if (mode === 'update' && input[field] === undefined) continue
    const value = input[field]
    // A missing flag means "no" (the legacy column default), not a missing answer.
    out[field] = def.type === 'flag' && value === undefined ? 0 : normalizeField(table, field, def, value)
  }
  return out
}

/**
 * Rules that span fields. Run on the whole record after a patch is applied, so an update
 * cannot produce a shift that an insert would have refused.
 */
export function validateRecord(table: TableName, record: Readonly<Record<string, CellValue>>): void {
  if (table === 'leaves' || table === 'employees') return checkSpan(table, record)
  if (table !== 'timesheets' && table !== 'shift_templates') return
  try {
    checkNewShift({
      work_date: table === 'timesheets' ? String(record.work_date) : '2000-01-03',
      start_time: String(record.start_time),
      end_time: String(record.end_time),
      break_minutes: Number(record.break_minutes),
      is_special: Number(record.is_special ?? 0),
    })
  } catch (error) {
    if (!(error instanceof ShiftError)) throw error
    throw new ValidationError(table, error.field, error.value, 'shift', error.text)
  }
}

/** A leave's last day, an employee's leaving date: not before the first; a half day is one day. */
function checkSpan(table: 'leaves' | 'employees', record: Readonly<Record<string, CellValue>>): void {
  const [from, to] = table === 'leaves' ? ['first_day', 'last_day'] : ['start_date', 'end_date']
  const first = record[from]
  const last = record[to]
  if (typeof first === 'string' && typeof last === 'string' && last < first) {
    const reason = table === 'leaves'
      ? { tr: 'ilk günden önce olamaz', en: 'cannot be before the first day' }
      : { tr: 'işe giriş tarihinden önce olamaz', en: 'cannot be before the hire date' }
    throw new ValidationError(table, to, last, 'date', undefined, reason)
  }
  if (table === 'leaves' && Number(record.half_day) === 1 && first !== last) {
    throw new ValidationError(table, 'half_day', 1, 'type', undefined, { tr: 'yalnız tek günlük izinde seçilebilir', en: 'only for a one-day leave' })
  }
}
