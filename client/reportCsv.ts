/**
 * The puantaj report as CSV: the legacy detail table (header row, one row per timesheet). A BOM
 * leads the file so Excel reads the Turkish letters of names as UTF-8.
 */
import { DETAIL_HEADERS, detailCells, type PuantajReport } from './report.ts'

function cell(value: string | number): string {
  const text = String(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export function reportCsv(report: PuantajReport): string {
  const lines = [DETAIL_HEADERS.map(cell).join(',')]
  for (const row of report.rows) lines.push(detailCells(row).map(cell).join(','))
  return '\uFEFF' + lines.join('\r\n') + '\r\n'
}
