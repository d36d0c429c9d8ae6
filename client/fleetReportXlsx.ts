/**
 * The fleet reports as xlsx workbooks, laid out like the puantaj report (client/reportXlsx.ts):
 * three title rows, headers on row 5, data from row 6 with the header frozen. The inspection
 * report has sheet `Denetimler` (each checklist cell coloured by its status) and `Araç özeti`;
 * the service report has `Servis` (costs in lira, a total row) and `Araç toplamları`. Dates are
 * GG.AA.YYYY text, km and money are numbers (so Excel sums them), shown with Turkish separators.
 * Bytes only: the browser offers them as a download.
 */
import ExcelJS from 'exceljs'
import { turkishDate } from '../schema/fleetTexts.ts'
import { periodLabel } from '../schema/periods.ts'
import { INSPECTION_ITEMS } from '../schema/tables.ts'
import { INSPECTION_HEADERS, inspectionCells, SERVICE_HEADERS, SERVICE_TOTAL_HEADERS } from './fleetReportCsv.ts'
import type { InspectionReport, InspectionStatus, ServiceCostReport } from './fleetReports.ts'

const KM_FORMAT = '#,##0'
const LIRA_FORMAT = '"₺"#,##0.00'
const STATUS_FILL: Readonly<Record<InspectionStatus, string>> = { Olumlu: 'FFE2EFDA', Olumsuz: 'FFF8CBAD', Bilinmiyor: 'FFEDEDED' }
/** The first checklist column (1-based): after Bölge … Km. */
const FIRST_ITEM_COLUMN = INSPECTION_HEADERS.indexOf('Km') + 2

interface Titled {
  readonly companyName: string
  readonly title: string
  readonly month: string
  readonly start: string
  readonly end: string
  readonly regionNames: readonly string[]
}

function titleRows(sheet: ExcelJS.Worksheet, report: Titled): void {
  sheet.getCell('A1').value = report.companyName
  sheet.getCell('A2').value = `${report.title} — ${report.regionNames.join(', ')} — ${periodLabel(report.month).tr}`
  sheet.getCell('A3').value = `Tarih Aralığı: ${turkishDate(report.start)} - ${turkishDate(report.end)}`
  sheet.getRow(1).font = { bold: true }
  sheet.getRow(2).font = { bold: true, size: 13 }
}

function headerRow(sheet: ExcelJS.Worksheet, headers: readonly string[], at = 5): void {
  const row = sheet.getRow(at)
  row.values = [...headers]
  row.font = { bold: true }
  row.alignment = { vertical: 'middle', wrapText: true }
}

export async function inspectionReportXlsx(report: InspectionReport): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook()
  workbook.creator = 'Rainstaff'
  const sheet = workbook.addWorksheet('Denetimler', {
    views: [{ state: 'frozen', xSplit: 2, ySplit: 5 }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  })
  titleRows(sheet, report)
  headerRow(sheet, INSPECTION_HEADERS)
  report.rows.forEach((row, i) => {
    const line = sheet.getRow(6 + i)
    line.values = inspectionCells(row, turkishDate)
    INSPECTION_ITEMS.forEach((item, j) => {
      const status = row.items[item]
      if (status !== null) line.getCell(FIRST_ITEM_COLUMN + j).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: STATUS_FILL[status] } }
    })
  })
  sheet.getColumn(INSPECTION_HEADERS.indexOf('Km') + 1).numFmt = KM_FORMAT
  sheet.getColumn(2).width = 13
  for (const column of [4, 5]) sheet.getColumn(column).width = 12
  sheet.getColumn(6).width = 20
  for (let j = 0; j < INSPECTION_ITEMS.length; j++) sheet.getColumn(FIRST_ITEM_COLUMN + j).width = 12
  sheet.getColumn(FIRST_ITEM_COLUMN + INSPECTION_ITEMS.length).width = 30

  const summary = workbook.addWorksheet('Araç özeti', { views: [{ state: 'frozen', ySplit: 5 }] })
  titleRows(summary, report)
  headerRow(summary, ['Bölge', 'Plaka', 'Denetim', 'Olumsuz madde', 'İlk km', 'Son km'])
  report.vehicles.forEach((v, i) => {
    summary.getRow(6 + i).values = [v.region_name, v.plate, v.inspections, v.failed, v.first_km ?? '', v.last_km ?? '']
  })
  for (const column of [5, 6]) summary.getColumn(column).numFmt = KM_FORMAT
  summary.getColumn(2).width = 13
  return new Uint8Array(await workbook.xlsx.writeBuffer())
}

export async function serviceCostReportXlsx(report: ServiceCostReport): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook()
  workbook.creator = 'Rainstaff'
  const sheet = workbook.addWorksheet('Servis', { views: [{ state: 'frozen', ySplit: 5 }] })
  titleRows(sheet, report)
  headerRow(sheet, SERVICE_HEADERS)
  report.rows.forEach((r, i) => {
    sheet.getRow(6 + i).values = [r.region_name, r.plate, turkishDate(r.start_date), r.end_date === null ? '' : turkishDate(r.end_date), r.reason ?? '', r.fault ?? '', r.cost ?? '', r.notes ?? '']
  })
  const total = sheet.getRow(6 + report.rows.length)
  total.values = ['Genel toplam', '', '', '', '', '', report.total.cost, '']
  total.font = { bold: true }
  const cost = SERVICE_HEADERS.indexOf('Tutar') + 1
  sheet.getColumn(cost).numFmt = LIRA_FORMAT
  sheet.getColumn(2).width = 13
  for (const column of [3, 4]) sheet.getColumn(column).width = 12
  for (const column of [5, 6, 8]) sheet.getColumn(column).width = 28
  sheet.getColumn(cost).width = 14

  const totals = workbook.addWorksheet('Araç toplamları', { views: [{ state: 'frozen', ySplit: 5 }] })
  titleRows(totals, report)
  headerRow(totals, SERVICE_TOTAL_HEADERS)
  report.totals.forEach((t, i) => {
    totals.getRow(6 + i).values = [t.region_name, t.plate, t.visits, t.cost]
  })
  const all = totals.getRow(6 + report.totals.length)
  all.values = ['Genel toplam', '', report.total.visits, report.total.cost]
  all.font = { bold: true }
  totals.getColumn(4).numFmt = LIRA_FORMAT
  totals.getColumn(2).width = 13
  totals.getColumn(4).width = 16
  return new Uint8Array(await workbook.xlsx.writeBuffer())
}
