/**
 * Why a legacy row was skipped, imported with a warning, or left to a record already there. Every
 * reason has a stable code (tests and the import dialog branch on it) and a "Türkçe / English"
 * message naming the value, so a user can find the row in the old program.
 */
import { periodLabel, type Period } from '../../schema/periods.ts'

export type ReasonCode =
  // The row cannot be imported.
  | 'invalid_time'
  | 'invalid_date'
  | 'invalid_number'
  | 'invalid_value'
  | 'missing_required'
  | 'orphan'
  | 'parent_skipped'
  | 'parent_deleted'
  | 'deleted_in_legacy'
  | 'region_unavailable'
  | 'not_migrated'
  // Imported, but a person should look at it.
  | 'negative_break'
  | 'break_exceeds_shift'
  | 'same_start_end'
  | 'region_mismatch'
  | 'reference_dropped'
  | 'odd_value'
  | 'duplicate'
  | 'differs'
  | 'deleted_in_rainstaff'
  | 'undated'

export interface Reason {
  readonly code: ReasonCode
  /** "Türkçe / English". */
  readonly message: string
}

const reason = (code: ReasonCode, tr: string, en: string): Reason => ({ code, message: `${tr} / ${en}` })

/** A value as the message shows it: quoted text, so a blank or padded value is visible. */
export function shown(value: unknown): string {
  if (value === null || value === undefined) return 'NULL'
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

export const reasons = {
  invalidTime: (field: string, value: unknown) =>
    reason('invalid_time', `geçersiz saat ${field} = ${shown(value)}; hesaplanamaz`, `invalid time ${field} = ${shown(value)}; cannot be computed`),
  invalidDate: (field: string, value: unknown) =>
    reason('invalid_date', `geçersiz veya boş tarih ${field} = ${shown(value)}`, `invalid or empty date ${field} = ${shown(value)}`),
  invalidNumber: (field: string, value: unknown) =>
    reason('invalid_number', `sayı değil: ${field} = ${shown(value)}`, `not a number: ${field} = ${shown(value)}`),
  invalidValue: (field: string, value: string) =>
    reason('invalid_value', `okunamayan değer: ${field} = ${value}`, `unreadable value: ${field} = ${value}`),
  missingRequired: (field: string) =>
    reason('missing_required', `zorunlu alan boş: ${field}`, `required field is empty: ${field}`),
  orphan: (field: string, legacyId: unknown, table: string) =>
    reason('orphan', `sahipsiz kayıt: ${field} = ${shown(legacyId)}, ${table} içinde yok`, `orphan: ${field} = ${shown(legacyId)} does not exist in ${table}`),
  parentSkipped: (table: string, legacyId: unknown, parentReason: Reason) =>
    reason(
      'parent_skipped',
      `bağlı olduğu ${table} #${shown(legacyId)} alınmadı (${parentReason.code})`,
      `its ${table} #${shown(legacyId)} was not imported (${parentReason.code})`,
    ),
  parentDeleted: (table: string, id: string) =>
    reason('parent_deleted', `bağlı olduğu ${table} kaydı (${id}) Rainstaff'ta silinmiş`, `its ${table} record (${id}) was deleted in Rainstaff`),
  deletedInLegacy: (pc: string, deletedAt: string | null, deletedBy: string | null) =>
    reason(
      'deleted_in_legacy',
      `eski programda silinmiş (${pc} bilgisayarı, deleted_records, ${deletedAt ?? '?'} ${deletedBy ?? ''})`.trimEnd(),
      `deleted in the legacy program (${pc} PC, deleted_records, ${deletedAt ?? '?'} ${deletedBy ?? ''})`.trimEnd(),
    ),
  regionUnavailable: (region: string, available: readonly string[]) =>
    reason(
      'region_unavailable',
      `${region} bölgesine bu içe aktarmada yazılamaz (yazılabilen: ${available.join(', ') || '-'})`,
      `region ${region} is not writable in this import (writable: ${available.join(', ') || '-'})`,
    ),
  notMigrated: (tr: string, en: string) => reason('not_migrated', tr, en),
  negativeBreak: (value: number) =>
    reason('negative_break', `negatif mola ${value} dk; eski kurala göre 0 sayılır`, `negative break ${value} min; counted as 0 by the legacy rule`),
  breakExceedsShift: (value: number, shiftMinutes: number) =>
    reason(
      'break_exceeds_shift',
      `mola (${value} dk) vardiyadan (${shiftMinutes} dk) uzun; çalışılan 0`,
      `break (${value} min) is longer than the shift (${shiftMinutes} min); worked 0`,
    ),
  sameStartEnd: (time: string) =>
    reason('same_start_end', `giriş ve çıkış aynı (${time}); süre 0`, `start equals end (${time}); the shift lasts 0 hours`),
  regionMismatch: (own: string, used: string, parent: string) =>
    reason(
      'region_mismatch',
      `satırın bölgesi ${own}, bağlı olduğu ${parent} ${used} bölgesinde; ${used} bölgesine alındı`,
      `the row says region ${own} but its ${parent} is in ${used}; filed under ${used}`,
    ),
  referenceDropped: (field: string, legacyId: unknown, why: string, whyEn: string) =>
    reason(
      'reference_dropped',
      `${field} = ${shown(legacyId)} bağlantısı boş bırakıldı: ${why}`,
      `reference ${field} = ${shown(legacyId)} left empty: ${whyEn}`,
    ),
  oddValue: (field: string, value: unknown, tr: string, en: string) =>
    reason('odd_value', `${field} = ${shown(value)}: ${tr}`, `${field} = ${shown(value)}: ${en}`),
  duplicate: (table: string, keptLegacyId: unknown) =>
    reason(
      'duplicate',
      `aynı dosyadaki ${table} #${shown(keptLegacyId)} ile aynı kayıt; tek kayıt olarak alındı`,
      `same record as ${table} #${shown(keptLegacyId)} of this file; imported once`,
    ),
  differs: (differences: readonly string[]) =>
    reason(
      'differs',
      `korunan kayıttan farklı (korunan ≠ bu satır): ${differences.join('; ')}`,
      `differs from the record kept (kept ≠ this row): ${differences.join('; ')}`,
    ),
  deletedInRainstaff: (id: string) =>
    reason(
      'deleted_in_rainstaff',
      `kayıt (${id}) Rainstaff'ta silinmiş; geri getirilmedi`,
      `the record (${id}) was deleted in Rainstaff; not restored`,
    ),
  undated: (field: string, value: unknown, period: Period) =>
    reason(
      'undated',
      `${field} = ${shown(value)} bir ay belirtmiyor; içe aktarma ayının belgesine (${periodLabel(period).tr}) kondu`,
      `${field} = ${shown(value)} names no month; filed in the import's month (${periodLabel(period).en})`,
    ),
} as const

/** Reasons that make a row skipped rather than imported with a warning. */
export const SKIP_CODES: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  'invalid_time',
  'invalid_date',
  'invalid_number',
  'invalid_value',
  'missing_required',
  'orphan',
  'parent_skipped',
  'parent_deleted',
  'deleted_in_legacy',
  'region_unavailable',
  'not_migrated',
])
