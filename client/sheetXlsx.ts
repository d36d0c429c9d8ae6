/**
 * The monthly puantaj sheet as an xlsx workbook, set up to print on one A4 landscape page wide:
 * a title block, one row per employee with a day code per day of the month (weekly rest and
 * holidays shaded), the month's totals, and the codes' legend. Sheet `Uyarilar` lists the law's
 * warnings. Bytes only, no file system: the browser offers them as a download, the relay stores
 * them at a month's close.
 */
import ExcelJS from 'exceljs'
import { DAY_CODE_LABELS, DAY_CODES, LEAVE_TYPES, weekdayOfDate } from '../schema/leave.ts'
import type { RegionSheet } from './sheet.ts'

const HOURS_FORMAT = '0.00'
const WEEKDAY_INITIALS = ['Pz', 'Pt', 'Sa', 'Ça', 'Pe', 'Cu', 'Ct']
const MONTHS = ['Ocak', 'Şubat', 'Mart', 'Nisan', 'Mayıs', 'Haziran', 'Temmuz', 'Ağustos', 'Eylül', 'Ekim', 'Kasım', 'Aralık']
const SHADE: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8E8E8' } }
const HOLIDAY: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFCE4D6' } }

export const SHEET_TOTAL_HEADERS = [
  'Çalışılan (sa)',
  'Fazla çalışma (sa)',
  'Fazla sürelerle (sa)',
  'Gece (sa)',
  'Tatil çalışması (sa)',
  'Çalışılan gün',
  ...LEAVE_TYPES.map((t) => `${t} (gün)`),
]

/** "Kasım 2026" */
export function monthTitle(month: string): string {
  return `${MONTHS[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`
}

export async function sheetXlsx(sheet: RegionSheet, regionName: string): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook()
  workbook.creator = 'Rainstaff'
  const days = sheet.dates.length
  const ws = workbook.addWorksheet('Puantaj', {
    views: [{ state: 'frozen', xSplit: 1, ySplit: 5 }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, margins: { left: 0.3, right: 0.3, top: 0.4, bottom: 0.4, header: 0.2, footer: 0.2 } },
  })
  ws.getCell('A1').value = sheet.companyName
  ws.getCell('A2').value = `Aylık Puantaj Cetveli — ${regionName} — ${monthTitle(sheet.month)}`
  ws.getCell('A3').value = sheet.rules === 'law' ? 'Hesap: İş Kanunu 4857 (haftalık 45 saat)' : 'Hesap: eski program kuralı (günlük plan)'
  ws.getRow(1).font = { bold: true }
  ws.getRow(2).font = { bold: true, size: 13 }

  const dayRow = ws.getRow(4)
  const weekdayRow = ws.getRow(5)
  dayRow.getCell(1).value = 'Çalışan'
  sheet.dates.forEach((date, i) => {
    dayRow.getCell(2 + i).value = Number(date.slice(8, 10))
    weekdayRow.getCell(2 + i).value = WEEKDAY_INITIALS[weekdayOfDate(date)]
  })
  SHEET_TOTAL_HEADERS.forEach((header, i) => {
    dayRow.getCell(2 + days + i).value = header
  })
  for (const row of [dayRow, weekdayRow]) {
    row.font = { bold: true }
    row.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true }
  }

  sheet.lines.forEach((line, index) => {
    const row = ws.getRow(6 + index)
    row.getCell(1).value = line.employee.full_name
    line.days.forEach((code, i) => {
      const cell = row.getCell(2 + i)
      cell.value = code
      cell.alignment = { horizontal: 'center' }
      if (sheet.holidays[i] !== null && sheet.holidays[i]?.halfDay !== true) cell.fill = HOLIDAY
      else if (code === 'O') cell.fill = SHADE
    })
    const t = line.totals
    const totals = [t.worked, t.overtime, t.extraTime, t.night, t.holidayWork, t.daysWorked, ...LEAVE_TYPES.map((type) => t.leave[type])]
    totals.forEach((value, i) => {
      const cell = row.getCell(2 + days + i)
      cell.value = value
      if (i < 5) cell.numFmt = HOURS_FORMAT
    })
  })

  const legendAt = 6 + sheet.lines.length + 1
  ws.getCell(legendAt, 1).value = 'Kodlar'
  ws.getCell(legendAt, 1).font = { bold: true }
  ws.getCell(legendAt, 2).value = DAY_CODES.map((code) => `${code}: ${DAY_CODE_LABELS[code].tr}`).join('   ')
  const holidays = sheet.holidays.filter((h) => h !== null)
  if (holidays.length > 0) {
    ws.getCell(legendAt + 1, 1).value = 'Resmî tatiller'
    ws.getCell(legendAt + 1, 1).font = { bold: true }
    ws.getCell(legendAt + 1, 2).value = holidays
      .map((h) => `${h.date.slice(8, 10)}.${h.date.slice(5, 7)} ${h.name.tr}${h.halfDay ? ' (13:00’den)' : ''}${h.confirmed ? '' : ' (kesinleşmedi)'}`)
      .join('; ')
  }

  ws.getColumn(1).width = 24
  for (let i = 0; i < days; i++) ws.getColumn(2 + i).width = 3.6
  for (let i = 0; i < SHEET_TOTAL_HEADERS.length; i++) ws.getColumn(2 + days + i).width = 9
  dayRow.height = 42

  const warnings = workbook.addWorksheet('Uyarilar')
  warnings.addRow(['Çalışan', 'Tarih', 'Uyarı']).font = { bold: true }
  for (const line of sheet.lines) for (const w of line.warnings) warnings.addRow([line.employee.full_name, w.date, w.text.tr])
  warnings.getColumn(1).width = 24
  warnings.getColumn(3).width = 70

  return new Uint8Array(await workbook.xlsx.writeBuffer())
}
