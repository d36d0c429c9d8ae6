/**
 * The fleet reports as CSV in the dialect of the puantaj CSV (client/reportCsv.ts: UTF-8 BOM,
 * `;` between cells, `,` decimals, GG.AA.YYYY dates, CRLF, formulas defused). Headers in Turkish;
 * sums of money in the Turkish currency form (₺2.450,50), as a person reads them.
 */
import { formatLira, INSPECTION_ITEM_LABELS, itemLabel } from '../schema/fleetTexts.ts'
import { INSPECTION_ITEMS } from '../schema/tables.ts'
import type { InspectionReport, InspectionRow, ServiceCostReport } from './fleetReports.ts'
import { csvDate, csvLine } from './reportCsv.ts'

export const INSPECTION_HEADERS = [
  'Bölge',
  'Plaka',
  'Hafta',
  'Hafta başı',
  'Denetim tarihi',
  'Sürücü',
  'Km',
  ...INSPECTION_ITEMS.map((item) => INSPECTION_ITEM_LABELS[item].tr),
  'Madde notları',
  'Arıza',
  'Arıza durumu',
  'Servise gitti',
  'Not',
] as const

export const SERVICE_HEADERS = ['Bölge', 'Plaka', 'Başlangıç', 'Bitiş', 'Neden', 'Arıza', 'Tutar', 'Not'] as const
export const SERVICE_TOTAL_HEADERS = ['Bölge', 'Plaka', 'Ziyaret', 'Toplam tutar'] as const

/** "Lastik durumu: diş derinliği az; Camlar: çatlak" */
export function itemNotes(row: InspectionRow): string {
  return row.item_notes.map(({ item, note }) => `${itemLabel(item).tr}: ${note}`).join('; ')
}

/** One inspection's cells; `date` writes a date the way the file wants it. */
export function inspectionCells(row: InspectionRow, date: (iso: string) => string): Array<string | number> {
  return [
    row.region_name,
    row.plate,
    row.week,
    date(row.week_start),
    date(row.inspection_date),
    row.driver,
    row.km ?? '',
    ...INSPECTION_ITEMS.map((item) => row.items[item] ?? ''),
    itemNotes(row),
    row.fault ?? '',
    row.fault_status ?? '',
    row.service_visit ? 'Evet' : 'Hayır',
    row.notes ?? '',
  ]
}

function document(lines: readonly string[]): string {
  return '\uFEFF' + lines.join('\r\n') + '\r\n'
}

export function inspectionReportCsv(report: InspectionReport): string {
  return document([csvLine(INSPECTION_HEADERS), ...report.rows.map((row) => csvLine(inspectionCells(row, csvDate)))])
}

/** The visits, a blank line, then each vehicle's total and the grand total. */
export function serviceCostReportCsv(report: ServiceCostReport): string {
  const visits = report.rows.map((r) =>
    csvLine([r.region_name, r.plate, csvDate(r.start_date), r.end_date === null ? '' : csvDate(r.end_date), r.reason ?? '', r.fault ?? '', r.cost === null ? '' : formatLira(r.cost), r.notes ?? '']),
  )
  const totals = report.totals.map((t) => csvLine([t.region_name, t.plate, t.visits, formatLira(t.cost)]))
  return document([
    csvLine(SERVICE_HEADERS),
    ...visits,
    '',
    csvLine(SERVICE_TOTAL_HEADERS),
    ...totals,
    csvLine(['Genel toplam', '', report.total.visits, formatLira(report.total.cost)]),
  ])
}
