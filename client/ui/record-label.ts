/**
 * What a clerk calls a record, from its values: its name or plate (or serial, or setting key), else
 * its employee and its day (a timesheet, a leave, a dated fleet record), else what the caller
 * gives. One wording for every list that names records it does not show whole: a record's
 * history, the audit, late edits, a restore's preview.
 */
import type { Mirror } from '../../crdt/mirror.ts'
import { PERIOD_TABLES } from '../../schema/periods.ts'
import { isTableName, type CellValue } from '../../schema/tables.ts'

const NAME_FIELDS = ['full_name', 'plate', 'name', 'seri_no', 'key'] as const

export function recordLabelOf(table: string, valueOf: (field: string) => CellValue | undefined, mirror: Mirror | undefined, region: string, fallback: string): string {
  for (const field of NAME_FIELDS) {
    const value = valueOf(field)
    if (typeof value === 'string' && value !== '') return value
  }
  const employee = valueOf('employee_id')
  const name = typeof employee === 'string' ? mirror?.query('SELECT full_name FROM employees WHERE region = ? AND id = ?', [region, employee])[0]?.full_name : undefined
  const rule = isTableName(table) ? PERIOD_TABLES[table] : undefined
  const day = rule !== undefined && 'byDate' in rule ? valueOf(rule.byDate) : undefined
  const parts = [typeof name === 'string' ? name : undefined, typeof day === 'string' ? day.split('-').reverse().join('.') : undefined].filter((p) => p !== undefined)
  return parts.length > 0 ? parts.join(' ') : fallback
}
