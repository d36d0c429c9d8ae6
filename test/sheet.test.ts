import { describe, expect, it } from 'vitest'
import ExcelJS from 'exceljs'
import { createRegionDoc } from '../crdt/regionDoc.ts'
import { insertInto, type RegionDocuments } from '../crdt/periodDocs.ts'
import { openMirror } from '../crdt/mirror.ts'
import { buildRegionSheet, restDaysFrom } from '../client/sheet.ts'
import { sheetXlsx, SHEET_TOTAL_HEADERS } from '../client/sheetXlsx.ts'

const clerk = { user: 'ankara1' }
const shift = { start_time: '08:00', end_time: '18:00', break_minutes: 60, is_special: 0 }

async function ankara(): Promise<Awaited<ReturnType<typeof openMirror>>> {
  const master = createRegionDoc()
  const month = createRegionDoc()
  const docs: RegionDocuments = { region: 'ankara', master, month: (p) => (p === '2026-11' ? month : undefined), months: () => new Map([['2026-11', month]]).entries() }
  const put = (table: Parameters<typeof insertInto>[1], fields: Record<string, unknown>): string => insertInto(docs, table, fields as never, clerk).id
  const ayse = put('employees', { full_name: 'Ayşe Yılmaz', start_date: '2020-01-06' })
  put('employees', { full_name: 'Eski Çalışan', start_date: '2019-01-01', end_date: '2025-12-31' })
  const ali = put('employees', { full_name: 'Ali Veli' })
  put('settings', { key: 'company_name', value: 'Rainstaff A.Ş.' })
  put('settings', { key: 'work_rules', value: 'law' })
  // Mon 2 – Sat 7 November: 54 hours, 9 over 45.
  for (let day = 2; day <= 7; day++) put('timesheets', { employee_id: ayse, work_date: `2026-11-0${day}`, ...shift })
  put('leaves', { employee_id: ali, leave_type: 'Y', first_day: '2026-11-09', last_day: '2026-11-15', half_day: 0 })
  const mirror = await openMirror()
  mirror.attach('ankara', master)
  mirror.attach('ankara/2026-11', month)
  return mirror
}

describe('the region sheet from the mirror', () => {
  it('uses the region’s rule set, leaves out who did not work there that month, counts leave', async () => {
    const mirror = await ankara()
    const sheet = buildRegionSheet(mirror, { region: 'ankara', month: '2026-11' })
    expect(sheet.rules).toBe('law')
    expect(sheet.lines.map((l) => l.employee.full_name)).toEqual(['Ali Veli', 'Ayşe Yılmaz'])
    const [ali, ayse] = sheet.lines
    expect(ayse!.totals).toMatchObject({ worked: 54, overtime: 9, daysWorked: 6 })
    expect(ali!.days.slice(8, 15)).toEqual(['Y', 'Y', 'Y', 'Y', 'Y', 'Y', 'O'])
    expect(ali!.totals.leave.Y).toBe(6)
    expect(buildRegionSheet(mirror, { region: 'ankara', month: '2026-11', rules: 'legacy' }).lines[1]!.totals.overtime).toBe(10)
    mirror.close()
  })

  it('writes an A4 landscape workbook with a code per day and the totals', async () => {
    const mirror = await ankara()
    const sheet = buildRegionSheet(mirror, { region: 'ankara', month: '2026-11' })
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load((await sheetXlsx(sheet, 'Ankara')).buffer as ArrayBuffer)
    const ws = workbook.getWorksheet('Puantaj')!
    expect(ws.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', fitToWidth: 1 })
    expect(ws.getCell('A2').value).toBe('Aylık Puantaj Cetveli — Ankara — Kasım 2026')
    expect(ws.getRow(4).getCell(31).value).toBe(30)
    expect(ws.getRow(4).getCell(32).value).toBe(SHEET_TOTAL_HEADERS[0])
    const ayse = ws.getRow(7)
    expect(ayse.getCell(1).value).toBe('Ayşe Yılmaz')
    expect([2, 3, 4, 5, 6, 7, 8, 9].map((day) => ayse.getCell(1 + day).value)).toEqual(['M', 'M', 'M', 'M', 'M', 'M', 'O', ''])
    expect(ayse.getCell(32).value).toBe(54)
    expect(ayse.getCell(33).value).toBe(9)
    mirror.close()
  })

  it('reads the rest days setting, Sunday when it is unreadable', () => {
    expect(restDaysFrom('0,6')).toEqual([0, 6])
    expect(restDaysFrom('pazar')).toEqual([0])
    expect(restDaysFrom(null)).toEqual([0])
  })
})
