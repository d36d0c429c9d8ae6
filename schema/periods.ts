/**
 * A region's documents. Master data (employees, shift templates, settings, vehicles, drivers,
 * faults, stock) lives in the region's master document, named by the region slug (`ankara`).
 * Dated records live in one document per calendar month (`ankara/2026-11`): a timesheet by its
 * work date, an inspection by its week's Monday, a service visit and a leave by their first day, and an
 * inspection's results with their inspection. So what a PC or the relay holds follows the months
 * people work on, not the years of history behind them.
 */
import { isRegionSlug } from './regions.ts'
import type { TableName } from './tables.ts'

/** A calendar month, `YYYY-MM`. */
export type Period = string

/** Where a dated table's records go: by one of their date fields, or with the record they belong to. */
export type PeriodRule = { readonly byDate: string } | { readonly withParent: string; readonly parent: TableName }

export const PERIOD_TABLES: Readonly<Partial<Record<TableName, PeriodRule>>> = {
  timesheets: { byDate: 'work_date' },
  vehicle_inspections: { byDate: 'week_start' },
  vehicle_inspection_results: { withParent: 'inspection_id', parent: 'vehicle_inspections' },
  vehicle_service_visits: { byDate: 'start_date' },
  // By its first day: a leave running into the next month is read from the month it began in.
  leaves: { byDate: 'first_day' },
}

export function isPeriodTable(table: TableName): boolean {
  return PERIOD_TABLES[table] !== undefined
}

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/

export function isPeriod(value: string): value is Period {
  return PERIOD.test(value)
}

/** The month of an ISO date (`2026-11-30` → `2026-11`), or undefined for anything else. */
export function periodOfDate(date: unknown): Period | undefined {
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined
  const period = date.slice(0, 7)
  return isPeriod(period) ? period : undefined
}

/** The month a dated record belongs to by its date field; undefined for master tables or no date. */
export function periodByDate(table: TableName, fields: Readonly<Record<string, unknown>>): Period | undefined {
  const rule = PERIOD_TABLES[table]
  return rule !== undefined && 'byDate' in rule ? periodOfDate(fields[rule.byDate]) : undefined
}

/** The month `offset` months from `period` (`2026-01`, -1 → `2025-12`). */
export function shiftPeriod(period: Period, offset: number): Period {
  const [year, month] = period.split('-').map(Number)
  const index = year * 12 + (month - 1) + offset
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`
}

/** This month on the local calendar of `now`: the office's month, not UTC's. */
export function currentPeriod(now: Date = new Date()): Period {
  return `${String(now.getFullYear()).padStart(4, '0')}-${String(now.getMonth() + 1).padStart(2, '0')}`
}

/** What a sign-in opens besides master data: this month and the one before. */
export function workingPeriods(now: Date = new Date()): Period[] {
  const current = currentPeriod(now)
  return [shiftPeriod(current, -1), current]
}

/** A document: a region's master data (period null) or one of its months. */
export interface DocumentName {
  readonly region: string
  readonly period: Period | null
}

export function documentName(region: string, period: Period | null = null): string {
  return period === null ? region : `${region}/${period}`
}

/** `ankara` → master of Ankara, `ankara/2026-11` → its November 2026; undefined for anything else. */
export function parseDocumentName(name: string): DocumentName | undefined {
  const slash = name.indexOf('/')
  const region = slash < 0 ? name : name.slice(0, slash)
  if (!isRegionSlug(region)) return undefined
  if (slash < 0) return { region, period: null }
  const period = name.slice(slash + 1)
  return isPeriod(period) ? { region, period } : undefined
}

/** Whether `table`'s records belong in a document of this kind (master or period). */
export function tableBelongsIn(table: TableName, period: Period | null): boolean {
  return isPeriodTable(table) === (period !== null)
}

/** Month names for showing a period to a person (`Kasım 2026`). */
const MONTHS = {
  tr: ['Ocak', 'Şubat', 'Mart', 'Nisan', 'Mayıs', 'Haziran', 'Temmuz', 'Ağustos', 'Eylül', 'Ekim', 'Kasım', 'Aralık'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
} as const

export function periodLabel(period: Period): { tr: string; en: string } {
  const [year, month] = period.split('-').map(Number)
  return { tr: `${MONTHS.tr[month - 1]} ${year}`, en: `${MONTHS.en[month - 1]} ${year}` }
}
