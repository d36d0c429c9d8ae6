/**
 * Ids of imported records. A legacy integer id is never an identity: it is per PC, and the old
 * sync let two different records with one id overwrite each other. An imported record's id is
 * derived from what makes it that record, so the same record read from two files (the old sync
 * copied every region to every PC) gets one id, and two records that share an integer id keep two:
 *
 * | table | identity |
 * |---|---|
 * | employees | region + full name (trimmed, spaces collapsed, Turkish upper case) + identity_no |
 * | timesheets | employee id + ISO work date + start + end (one person cannot work one shift twice) |
 * | drivers | region + full name |
 * | vehicle_inspections | vehicle id + inspection_date + week_start |
 * | vehicle_inspection_results | inspection id + item_key |
 * | vehicle_faults | vehicle id + title + opened_date |
 * | vehicle_service_visits | vehicle id + start_date + reason |
 * | vehicles, stock, settings, shift templates | their natural id (schema/identity.ts), shared with records typed in Rainstaff |
 *
 * A derived id is the first 96 bits of SHA-256 over the table name and the parts, in hex: 24
 * characters, long enough that 10^6 records collide with odds below 10^-16, and distinct in length
 * from the 16-character random ids of records created in Rainstaff.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { naturalId } from '../../schema/identity.ts'
import type { CellValue, TableName } from '../../schema/tables.ts'

// Unit separator: cannot occur in a typed name or date, so ("A B", "C") and ("A", "B C") differ.
const SEP = '\u001f'

/** `ayşe  yılmaz ` and `AYŞE YILMAZ` are one person. */
export function normalizeName(value: CellValue | undefined): string {
  return typeof value === 'string' ? value.trim().replace(/\s+/g, ' ').toLocaleUpperCase('tr-TR') : value == null ? '' : String(value)
}

function part(value: CellValue | undefined): string {
  return value == null ? '' : String(value).trim()
}

/**
 * SHA-256 of `text`, first 12 bytes in hex. Node's own hash where the platform has one (three
 * times faster on a 50,000-row import), @noble/hashes in browsers: one algorithm, the same ids.
 */
const digest: (text: string) => string = (() => {
  const native = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:crypto') as
    | { createHash(algorithm: 'sha256'): { update(text: string, encoding: 'utf8'): { digest(): Uint8Array } } }
    | undefined
  if (native !== undefined) return (text) => bytesToHex(native.createHash('sha256').update(text, 'utf8').digest().subarray(0, 12))
  return (text) => bytesToHex(sha256(utf8ToBytes(text)).subarray(0, 12))
})()

export function contentId(table: TableName, parts: readonly string[]): string {
  return digest(table + SEP + parts.join(SEP))
}

/**
 * The id of an imported record of `table` in `region` with normalized `fields` (references
 * already remapped to record ids). Undefined only when a natural key is blank, which the
 * converter has already refused as a missing required field.
 */
export function importedId(table: TableName, region: string, fields: Readonly<Record<string, CellValue>>): string | undefined {
  switch (table) {
    case 'employees':
      return contentId(table, [region, normalizeName(fields.full_name), part(fields.identity_no)])
    case 'timesheets':
      return contentId(table, [part(fields.employee_id), part(fields.work_date), part(fields.start_time), part(fields.end_time)])
    case 'drivers':
      return contentId(table, [region, normalizeName(fields.full_name)])
    case 'vehicle_inspections':
      return contentId(table, [part(fields.vehicle_id), part(fields.inspection_date), part(fields.week_start)])
    case 'vehicle_inspection_results':
      return contentId(table, [part(fields.inspection_id), part(fields.item_key)])
    case 'vehicle_faults':
      return contentId(table, [part(fields.vehicle_id), normalizeName(fields.title), part(fields.opened_date)])
    case 'vehicle_service_visits':
      return contentId(table, [part(fields.vehicle_id), part(fields.start_date), normalizeName(fields.reason)])
    case 'vehicles':
    case 'stock_inventory':
    case 'settings':
    case 'shift_templates':
      return naturalId(table, fields)
  }
}
