/**
 * The puantaj report in the legacy xlsx layout (docs/legacy-format.md, "The legacy report"):
 * sheet `Rainstaff` with three title rows, headers on row 5, data from row 6 and the header
 * frozen; sheet `Ozet` with per-employee totals, then the special-day rows and the overnight
 * rows. Returns bytes, never touches a file system, so the browser can offer it as a download.
 */
import ExcelJS from 'exceljs'
import { DETAIL_HEADERS, detailCells, type PuantajReport } from './report.ts'

const HOURS_FORMAT = '0.00'
const SUMMARY_HEADERS = ['Calisan', 'Bolge', 'Calisilan (s)', 'Plan (s)', 'Fazla Mesai (s)', 'Gece (s)', 'Geceye Tasan (s)']

function bold(row: ExcelJS.Row): void {
  row.font = { bold: true }
}

export async function reportXlsx(report: PuantajReport): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook()
  workbook.creator = 'Rainstaff'

  const detail = workbook.addWorksheet('Rainstaff', { views: [{ state: 'frozen', ySplit: 5 }] })
  detail.getCell('A1').value = report.companyName
  detail.getCell('A2').value = report.title
  detail.getCell('A3').value = `Tarih Araligi: ${report.start} - ${report.end}`
  bold(detail.getRow(1))
  const header = detail.getRow(5)
  header.values = [...DETAIL_HEADERS]
  bold(header)
  report.rows.forEach((row, i) => {
    detail.getRow(6 + i).values = detailCells(row)
  })
  // Hour columns G–K and M–O show two decimals like the legacy report.
  for (const column of [7, 8, 9, 10, 11, 13, 14, 15]) detail.getColumn(column).numFmt = HOURS_FORMAT
  detail.getColumn(1).width = 28
  for (const column of [2, 3]) detail.getColumn(column).width = 12

  const summary = workbook.addWorksheet('Ozet')
  bold(summary.addRow(SUMMARY_HEADERS))
  for (const t of report.totals) {
    summary.addRow([t.employee, t.region_name, t.worked, t.scheduled, t.overtime, t.night, t.overnight])
  }
  summary.addRow([])
  bold(summary.addRow(['Ozel Gun Kayitlari']))
  bold(summary.addRow(['Calisan', 'Bolge', 'Tarih', 'Giris', 'Cikis', 'Calisilan (s)', 'Ozel Gun Normal (s)', 'Ozel Gun Gece (s)']))
  for (const r of report.rows.filter((row) => row.is_special)) {
    summary.addRow([r.employee, r.region_name, r.work_date, r.start_time, r.end_time, r.worked, r.special_normal, r.special_night])
  }
  summary.addRow([])
  bold(summary.addRow(['Geceye Tasan Kayitlari']))
  bold(summary.addRow(['Calisan', 'Bolge', 'Tarih', 'Giris', 'Cikis', 'Geceye Tasan (s)']))
  for (const r of report.rows.filter((row) => row.overnight > 0)) {
    summary.addRow([r.employee, r.region_name, r.work_date, r.start_time, r.end_time, r.overnight])
  }
  for (const column of [3, 4, 5, 6, 7, 8]) summary.getColumn(column).numFmt = HOURS_FORMAT
  summary.getColumn(1).width = 28

  return new Uint8Array(await workbook.xlsx.writeBuffer())
}
