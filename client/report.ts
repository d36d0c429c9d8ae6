/**
 * The monthly puantaj report of the legacy program, as data: one row per timesheet with its hour
 * figures (schema/hours.ts, with each region's own settings) and per-employee totals. Built from
 * the SQLite mirror, so the app and the CLI produce the same report; reportCsv.ts and
 * reportXlsx.ts turn it into files. No I/O here: it runs in the browser as well.
 */
import type { Mirror } from '../crdt/mirror.ts'
import { hourSettingsFrom, monthlyHours, rowHours, ShiftError, type HourSettings, type RowHours } from '../schema/hours.ts'
import { BilingualError, type Bilingual } from '../schema/bilingual.ts'
import { DEFAULT_REGIONS } from '../schema/regions.ts'

export interface ReportRow extends RowHours {
  readonly employee_id: string
  readonly employee: string
  readonly region: string
  /** The region's display name (Ankara, İstanbul): what reports show; `region` stays the slug. */
  readonly region_name: string
  readonly work_date: string
  readonly start_time: string
  readonly end_time: string
  readonly break_minutes: number
  readonly is_special: boolean
  readonly notes: string | null
}

export interface EmployeeTotals {
  readonly employee_id: string
  readonly employee: string
  readonly region: string
  readonly region_name: string
  readonly worked: number
  readonly scheduled: number
  readonly overtime: number
  readonly night: number
  readonly overnight: number
  readonly special_normal: number
  readonly special_overtime: number
  readonly special_night: number
}

export interface PuantajReport {
  readonly companyName: string
  readonly title: string
  readonly month: string
  readonly start: string
  readonly end: string
  readonly regions: readonly string[]
  /** Display names of `regions`, in the same order. */
  readonly regionNames: readonly string[]
  readonly rows: readonly ReportRow[]
  readonly totals: readonly EmployeeTotals[]
  /** Rows whose date or times cannot be computed: left out of the figures, listed here. */
  readonly skipped: readonly { readonly id: string; readonly region: string; readonly reason: string; readonly text: Bilingual }[]
  /** The legacy file name, without extension: `puantaj_raporu_tum_calisanlar_<start>_<end>`. */
  readonly fileName: string
}

export class ReportError extends BilingualError {
  constructor(tr: string, en: string) {
    super({ tr, en })
    this.name = 'ReportError'
  }
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/

export function monthRange(month: string): { start: string; end: string } {
  const m = MONTH.exec(month)
  if (!m) throw new ReportError(`Ay YYYY-AA biçiminde olmalı: ${month}`, `The month must be YYYY-MM: ${month}`)
  const last = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate()
  return { start: `${month}-01`, end: `${month}-${String(last).padStart(2, '0')}` }
}

/** A region's settings as key → value, from the mirror. */
export function regionSettings(mirror: Mirror, region: string): Record<string, string | null> {
  const settings: Record<string, string | null> = {}
  for (const row of mirror.query('SELECT key, value FROM settings WHERE region = ?', [region])) {
    settings[String(row.key)] = row.value === null ? null : String(row.value)
  }
  return settings
}

const collator = new Intl.Collator('tr')

/** A region's display name: the session's list first, the built-in regions next, the slug last. */
export function regionDisplayName(slug: string, known: readonly { slug: string; name: string }[] = []): string {
  return known.find((r) => r.slug === slug)?.name ?? DEFAULT_REGIONS.find((r) => r.slug === slug)?.name ?? slug
}

export function buildReport(
  mirror: Mirror,
  options: { month: string; regions: readonly string[]; regionNames?: readonly { slug: string; name: string }[] },
): PuantajReport {
  const { start, end } = monthRange(options.month)
  const rows: ReportRow[] = []
  const totals: EmployeeTotals[] = []
  const skipped: Array<PuantajReport['skipped'][number]> = []
  let companyName = ''
  let title = ''
  for (const region of options.regions) {
    const settings = regionSettings(mirror, region)
    companyName ||= settings.company_name ?? ''
    title ||= settings.report_title ?? ''
    const hours: HourSettings = hourSettingsFrom(settings)
    const region_name = regionDisplayName(region, options.regionNames)
    const records = mirror.query(
      `SELECT t.id, t.employee_id, coalesce(e.full_name, '') AS employee, t.work_date, t.start_time, t.end_time,
              t.break_minutes, t.is_special, t.notes
         FROM timesheets t LEFT JOIN employees e ON e.region = t.region AND e.id = t.employee_id
        WHERE t.region = ? AND t.work_date BETWEEN ? AND ?`,
      [region, start, end],
    )
    const shifts = records.map((r) => ({
      id: String(r.id),
      employee_id: String(r.employee_id),
      employee: String(r.employee),
      work_date: String(r.work_date),
      start_time: String(r.start_time),
      end_time: String(r.end_time),
      break_minutes: Number(r.break_minutes),
      is_special: Number(r.is_special) === 1,
      notes: r.notes === null ? null : String(r.notes),
    }))
    const names = new Map<string, string>()
    for (const shift of shifts) {
      names.set(shift.employee_id, shift.employee)
      try {
        rows.push({ ...shift, region, region_name, ...rowHours(shift, hours) })
      } catch (error) {
        if (!(error instanceof ShiftError)) throw error
        skipped.push({ id: shift.id, region, reason: error.message, text: error.text })
      }
    }
    for (const [employeeId, sum] of monthlyHours(shifts, hours, options.month)) {
      totals.push({ employee_id: employeeId, employee: names.get(employeeId) ?? '', region, region_name, ...sum })
    }
  }
  rows.sort(
    (a, b) =>
      collator.compare(a.employee, b.employee) ||
      a.region.localeCompare(b.region) ||
      a.work_date.localeCompare(b.work_date) ||
      a.start_time.localeCompare(b.start_time),
  )
  totals.sort((a, b) => collator.compare(a.employee, b.employee) || a.region.localeCompare(b.region))
  return {
    companyName,
    title: title || 'Puantaj Raporu',
    month: options.month,
    start,
    end,
    regions: [...options.regions],
    regionNames: options.regions.map((r) => regionDisplayName(r, options.regionNames)),
    rows,
    totals,
    skipped,
    fileName: `puantaj_raporu_tum_calisanlar_${start}_${end}`,
  }
}

/** Column headers of the legacy detail sheet, in order (ASCII, as the legacy program wrote them). */
export const DETAIL_HEADERS = [
  'Calisan',
  'Bolge',
  'Tarih',
  'Giris',
  'Cikis',
  'Mola (dk)',
  'Calisilan (s)',
  'Plan (s)',
  'Fazla Mesai (s)',
  'Gece (s)',
  'Geceye Tasan (s)',
  'Ozel Gun',
  'Ozel Gun Normal (s)',
  'Ozel Gun Fazla (s)',
  'Ozel Gun Gece (s)',
  'Not',
] as const

export function detailCells(row: ReportRow): Array<string | number> {
  return [
    row.employee,
    row.region_name,
    row.work_date,
    row.start_time,
    row.end_time,
    row.break_minutes,
    row.worked,
    row.scheduled,
    row.overtime,
    row.night,
    row.overnight,
    row.is_special ? 'Evet' : 'Hayir',
    row.special_normal,
    row.special_overtime,
    row.special_night,
    row.notes ?? '',
  ]
}
