/**
 * The puantaj report as CSV in Turkish Excel's dialect: the legacy detail table (header row, one
 * row per timesheet) with a UTF-8 BOM (so Excel reads the Turkish letters as UTF-8), `;` between
 * cells (the list separator of Turkish Windows, where `,` is the decimal mark), `,` decimals,
 * GG.AA.YYYY dates and CRLF line ends; a cell holding `;`, `"`, CR or LF is quoted as RFC 4180
 * says, with `;` in the place of its `,`. A text cell Excel would run as a formula is defused
 * (see csvCell). The xlsx (reportXlsx.ts) keeps the legacy layout.
 */
import { DETAIL_HEADERS, detailCells, type PuantajReport } from './report.ts'

export const CSV_SEPARATOR = ';'
const DATE_COLUMN = DETAIL_HEADERS.indexOf('Tarih')

/** What Excel (and LibreOffice) take as the start of a formula, or strip before looking for one. */
const FORMULA_START = /^[=+\-@\t\r]/
/** A number as this dialect writes it (-1,5): Excel reads it as a number, never as a formula. */
const DIALECT_NUMBER = /^-?\d+(,\d+)?$/

/**
 * One cell: numbers with a decimal comma, text quoted when it holds the separator, a quote or a
 * line break. A note or a name typed as "=HYPERLINK(…)" or "@SUM(…)" would run as a formula when
 * the file is opened (OWASP "CSV injection"), so text starting with = + - @ tab or CR gets a
 * leading ' and shows as typed; a negative number stays a number.
 */
export function csvCell(value: string | number): string {
  const typed = typeof value === 'number' ? String(value).replace('.', ',') : value
  const text = typeof value === 'string' && FORMULA_START.test(typed) && !DIALECT_NUMBER.test(typed) ? `'${typed}` : typed
  return /[;"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** `2026-01-02` → `02.01.2026`; anything else as it is. */
export function csvDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  return m ? `${m[3]}.${m[2]}.${m[1]}` : iso
}

export function csvLine(cells: readonly (string | number)[]): string {
  return cells.map(csvCell).join(CSV_SEPARATOR)
}

export function reportCsv(report: PuantajReport): string {
  const lines = [csvLine(DETAIL_HEADERS)]
  for (const row of report.rows) {
    const cells = detailCells(row)
    cells[DATE_COLUMN] = csvDate(String(cells[DATE_COLUMN]))
    lines.push(csvLine(cells))
  }
  return '\uFEFF' + lines.join('\r\n') + '\r\n'
}

/**
 * Reads such a CSV back into rows of text (BOM dropped, quotes undone, `;` split, CRLF or LF
 * ends): for tests and for anyone checking a file.
 */
export function parseCsv(text: string): string[][] {
  const source = text.replace(/^\uFEFF/, '')
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!
    if (quoted) {
      if (c === '"') {
        if (source[i + 1] === '"') {
          cell += '"'
          i++
        } else quoted = false
      } else cell += c
    } else if (c === '"') quoted = true
    else if (c === CSV_SEPARATOR) {
      row.push(cell)
      cell = ''
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && source[i + 1] === '\n') i++
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
    } else cell += c
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell)
    rows.push(row)
  }
  return rows
}
