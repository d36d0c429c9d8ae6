/**
 * What a stored field value may be, whoever wrote it: the rules the relay checks every incoming
 * update against (crdt/updateGuard.ts), derived from the same table definitions as entry
 * validation (schema/validate.ts). Entry validation also normalizes and checks whole shifts;
 * this only asks "can a reader take this value as this field's type", because a value that two
 * honest offices produce together (say two concurrent edits of one shift) must never be refused.
 *
 * Legacy-imported records keep what the legacy program stored (text in a date column, a negative
 * break, a status outside the list: see crdt/legacy/convert.ts), so for them the type is relaxed
 * to "a scalar of bounded size"; readers already cope with those values.
 */
import { parseWorkDate } from './hours.ts'
import { maxLength, type FieldDef } from './tables.ts'

export type StoredValueProblem = 'required' | 'type' | 'length' | 'date' | 'time' | 'flag' | 'oneOf' | 'min' | 'integer'

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/

/** Why `value` cannot be stored in a field `def`, or null when it can. */
export function storedValueProblem(def: FieldDef, value: unknown, legacy: boolean): StoredValueProblem | null {
  if (value === null) return def.required ? 'required' : null
  if (typeof value === 'string') {
    if (value.length > maxLength(def)) return 'length'
  } else if (typeof value !== 'number' || !Number.isFinite(value)) {
    return 'type'
  }
  if (legacy) return null
  switch (def.type) {
    case 'text':
      if (typeof value !== 'string') return 'type'
      return def.oneOf !== undefined && !def.oneOf.includes(value) ? 'oneOf' : null
    case 'date':
      return typeof value === 'string' && ISO_DATE.test(value) && parseWorkDate(value) === value ? null : 'date'
    case 'time':
      return typeof value === 'string' && TIME.test(value) ? null : 'time'
    case 'flag':
      return value === 0 || value === 1 ? null : 'flag'
    case 'integer':
    case 'real':
      if (typeof value !== 'number') return 'type'
      if (def.type === 'integer' && !Number.isInteger(value)) return 'integer'
      return def.min !== undefined && value < def.min ? 'min' : null
  }
}

/** An edit stamp (`created_at`, `updated_at`, `deleted_at`) as Date.toISOString writes it. */
export function isStamp(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 32 && /^\d{4,6}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(value)
}
