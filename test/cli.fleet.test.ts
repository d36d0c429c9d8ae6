/**
 * The fleet from the CLI against a relay process: the legacy files' fleet rows migrated with
 * `import-legacy`, then `alerts` (one JSON object a line, or a line per alert in the locale's
 * language) and `report --fleet inspections|service` as xlsx (read back with exceljs) and CSV,
 * for the head office and for an office clerk. The clerk's edits from her own peer reach the
 * head office's alerts: a closed fault stops alerting, an inspection's km moves the oil change.
 * Bad usage changes nothing and exits 2.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCsv } from '../client/reportCsv.ts'
import { runCli, spawnRelay, tempDir, type RelayProcess } from './helpers/relayProcess.ts'

const FIXTURES = path.resolve(import.meta.dirname, 'fixtures/legacy')
const C_LOCALE = { LANG: 'C.UTF-8', LC_ALL: '', LC_MESSAGES: '' }
const TURKISH = { LANG: 'tr_TR.UTF-8', LC_ALL: '', LC_MESSAGES: '' }
const data = tempDir('rainstaff-fleet-')
const states = { admin: tempDir('rainstaff-fleet-admin-'), istanbul1: tempDir('rainstaff-fleet-istanbul-') }
const outDir = tempDir('rainstaff-fleet-out-')
/** The legacy users and their legacy passwords (test/fixtures/legacy/expected.json). */
const PASSWORDS = { admin: 'pw-admin', istanbul1: 'pw-istanbul' } as const
type Who = keyof typeof states
let relay: RelayProcess

const cli = (who: Who, args: string[], locale = C_LOCALE): ReturnType<typeof runCli> => runCli([...args, '--state', states[who].dir], '', locale)

async function ok(who: Who, args: string[], locale = C_LOCALE): Promise<string> {
  const result = await cli(who, args, locale)
  if (result.code !== 0) throw new Error(`${args.join(' ')} exited ${result.code}: ${result.stderr}`)
  return result.stdout.trim()
}

interface AlertLine {
  kind: string
  severity: string
  region: string
  table: string
  record: string
  plate?: string
  name?: string
  km_left: number | null
  days: number | null
  item_key: string | null
  text: { tr: string; en: string }
}

async function alertLines(who: Who, extra: string[] = []): Promise<AlertLine[]> {
  const stdout = await ok(who, ['alerts', '--json', '--date', '2026-02-01', ...extra])
  return stdout === '' ? [] : stdout.split('\n').map((line) => JSON.parse(line) as AlertLine)
}

const summary = (lines: readonly AlertLine[]): string[] => lines.map((a) => `${a.severity} ${a.region} ${a.plate ?? a.name} ${a.kind}${a.item_key ? ` ${a.item_key}` : ''}`)

beforeAll(async () => {
  const imported = await runCli(['import-legacy', path.join(FIXTURES, 'legacy-v1-istanbul.db'), path.join(FIXTURES, 'legacy-v2-izmir.db'), '--data', data.dir, '--by', 'migration'])
  expect(imported.stderr).toBe('')
  expect(imported.code).toBe(0)
  relay = await spawnRelay(data.dir)
  for (const who of ['admin', 'istanbul1'] as const) {
    const login = await runCli(['login', '--relay', relay.url, '--user', who, '--state', states[who].dir], `${PASSWORDS[who]}\n`, C_LOCALE)
    expect(login.code, login.stderr).toBe(0)
    await ok(who, ['sync'])
  }
}, 60_000)

afterAll(async () => {
  await relay?.stop('SIGKILL')
  for (const d of [data, states.admin, states.istanbul1, outDir]) d.remove()
})

describe('fleet alerts from the migrated legacy rows', () => {
  it('lists every region’s alerts for the head office, most pressing first, one JSON object a line', async () => {
    const lines = await alertLines('admin')
    expect(summary(lines)).toEqual([
      'due ankara 06 RW 001 maintenance_date',
      'due istanbul 34 ABC 123 maintenance_date',
      'due istanbul 34 ABC 123 open_fault',
      'due istanbul 34 ABC 123 repeated_failure tire_condition',
      'due istanbul 34 XY 4567 maintenance_date',
      'due izmir KEMAL ERDEM license_expiry',
      'soon ankara 06 RW 001 inspection_date',
      'soon istanbul 34 ABC 123 oil',
      'soon istanbul 34 ABC 123 inspection_date',
      'soon istanbul 34 XY 4567 inspection_date',
      'soon istanbul SİBEL ACAR license_expiry',
      'soon izmir 35 IZ 350 oil',
      'check istanbul 34 XY 4567 km_decrease',
    ])
    const oil = lines.find((a) => a.kind === 'oil' && a.region === 'istanbul')!
    expect(oil).toMatchObject({ table: 'vehicles', record: 'plate:34ABC123', km_left: 1_700 })
    expect(oil.text.tr).toBe('34 ABC 123: yağ değişimine 1.700 km kaldı (son değişim 140.000 km)')
    const fault = lines.find((a) => a.kind === 'open_fault')!
    expect(fault.table).toBe('vehicle_faults')
    expect(fault.text.en).toBe('34 ABC 123: open fault: Fren balatası, since 08.01.2026')
    expect(lines.find((a) => a.kind === 'license_expiry' && a.region === 'istanbul')).toMatchObject({ table: 'drivers', name: 'SİBEL ACAR', days: 4 })
    // 151.400 km on the 19th of January, 88.000 on the vehicle since: one of them was mistyped.
    expect(lines.find((a) => a.kind === 'km_decrease')?.text.en).toMatch(/^34 XY 4567: the km went down: 151,400 km \(19\.01\.2026\) → 88,000 km/)
  })

  it('gives a clerk her region in Turkish, a line per alert', async () => {
    const result = await cli('istanbul1', ['alerts', '--date', '2026-02-01'], TURKISH)
    expect(result.code, result.stderr).toBe(0)
    const lines = result.stdout.trim().split('\n')
    expect(lines).toHaveLength(9)
    expect(lines[0]).toBe('şimdi\tİstanbul\t34 ABC 123: bakım tarihi 25.01.2026, 7 gün gecikti')
    expect(lines).toContain('yakında\tİstanbul\tSİBEL ACAR: ehliyet bitişi 05.02.2026, 4 gün kaldı')
    expect(lines.at(-1)).toMatch(/^kontrol\tİstanbul\t34 XY 4567: km geriye gitti/)
  })

  it('refuses a bad date or an unknown region, exit 2 and 1', async () => {
    const bad = await cli('admin', ['alerts', '--date', '31.02.2026'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--date: February 2026 has no day 31/)
    expect((await cli('admin', ['alerts', '--region', 'mars'])).code).toBe(1)
  })
})

describe('fleet reports', () => {
  it('writes the weekly inspection report as xlsx: a row per vehicle and week with the checklist, km, driver and notes', async () => {
    const file = await ok('admin', ['report', '--fleet', 'inspections', '--month', '2026-01', '--region', 'istanbul', '--format', 'xlsx', '--out', outDir.dir])
    expect(file).toBe(path.join(outDir.dir, 'arac_denetim_raporu_istanbul_2026-01.xlsx'))
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(file)
    const sheet = workbook.getWorksheet('Denetimler')!
    expect(sheet.getCell('A2').value).toBe('Haftalık Araç Denetim Raporu — İstanbul — Ocak 2026')
    const header = (sheet.getRow(5).values as unknown[]).slice(1)
    expect(header.slice(0, 8)).toEqual(['Bölge', 'Plaka', 'Hafta', 'Hafta başı', 'Denetim tarihi', 'Sürücü', 'Km', 'Kaporta göçüğü'])
    const cells = (row: number): unknown[] => (sheet.getRow(row).values as unknown[]).slice(1)
    const tire = header.indexOf('Lastik durumu')
    expect([6, 7, 8].map((r) => cells(r).slice(0, 7))).toEqual([
      ['İstanbul', '34 ABC 123', 1, '05.01.2026', '05.01.2026', 'KEMAL ERDEM', 150000],
      ['İstanbul', '34 ABC 123', 2, '12.01.2026', '12.01.2026', 'KEMAL ERDEM', 150700],
      ['İstanbul', '34 XY 4567', 3, '19.01.2026', '19.01.2026', 'SİBEL ACAR', 151400],
    ])
    expect([6, 7, 8].map((r) => cells(r)[tire])).toEqual(['Olumsuz', 'Olumsuz', 'Olumlu'])
    expect(cells(6)[header.indexOf('Madde notları')]).toBe('Lastik durumu: diş derinliği az')
    expect(cells(7).slice(header.indexOf('Arıza'), header.indexOf('Servise gitti') + 1)).toEqual(['Fren balatası', 'Acik', 'Evet'])
    expect(sheet.getRow(9).values).toEqual([])
    const vehicles = workbook.getWorksheet('Araç özeti')!
    expect((vehicles.getRow(6).values as unknown[]).slice(1)).toEqual(['İstanbul', '34 ABC 123', 2, 2, 150000, 150700])
  })

  it('writes the service costs as CSV with lira in the Turkish form, per visit and per vehicle, and as xlsx with numbers', async () => {
    const file = path.join(outDir.dir, 'servis.csv')
    expect(await ok('istanbul1', ['report', '--fleet', 'service', '--month', '2026-01', '--format', 'csv', '--out', file])).toBe(file)
    const rows = parseCsv(readFileSync(file, 'utf8'))
    expect(rows).toEqual([
      ['Bölge', 'Plaka', 'Başlangıç', 'Bitiş', 'Neden', 'Arıza', 'Tutar', 'Not'],
      ['İstanbul', '34 ABC 123', '09.01.2026', '', 'Balata değişimi', 'Fren balatası', '₺2.450,50', 'Sanayide'],
      [''],
      ['Bölge', 'Plaka', 'Ziyaret', 'Toplam tutar'],
      ['İstanbul', '34 ABC 123', '1', '₺2.450,50'],
      ['Genel toplam', '', '1', '₺2.450,50'],
    ])
    const xlsx = await ok('admin', ['report', '--fleet', 'service', '--month', '2026-01', '--format', 'xlsx', '--out', outDir.dir])
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(xlsx)
    const sheet = workbook.getWorksheet('Servis')!
    expect(sheet.getCell('G6').value).toBe(2450.5)
    expect(sheet.getCell('G6').numFmt).toBe('"₺"#,##0.00')
    const totals = workbook.getWorksheet('Araç toplamları')!
    // Every region for the head office: only Istanbul had a visit.
    expect([6, 7].map((r) => (totals.getRow(r).values as unknown[]).slice(1))).toEqual([
      ['İstanbul', '34 ABC 123', 1, 2450.5],
      ['Genel toplam', '', 1, 2450.5],
    ])
  })

  it('refuses an unknown fleet report, a format it has not and --rules, writing nothing', async () => {
    const file = path.join(outDir.dir, 'none.xlsx')
    for (const args of [
      ['--fleet', 'trucks', '--format', 'xlsx'],
      ['--fleet', 'service', '--format', 'sheet'],
      ['--fleet', 'service', '--format', 'xlsx', '--rules', 'law'],
    ]) {
      const result = await cli('admin', ['report', ...args, '--month', '2026-01', '--out', file])
      expect(result.code, args.join(' ')).toBe(2)
    }
    expect(() => readFileSync(file)).toThrow()
  })
})

describe('a clerk’s edits reach the head office’s alerts', () => {
  it('closing the fault stops its alert; a new inspection’s km brings the oil change due', async () => {
    const before = await alertLines('admin', ['--region', 'istanbul'])
    const fault = before.find((a) => a.kind === 'open_fault')!
    await ok('istanbul1', ['update', 'vehicle_faults', fault.record, '--json', JSON.stringify({ status: 'Kapandi', closed_date: '2026-01-30' })])
    // Dated today, the day the import entered the vehicle's km (152.300): the readings of one day
    // go in ascending order, so 155.000 is the odometer now.
    const today = new Date().toISOString().slice(0, 10)
    const monday = new Date(`${today}T00:00:00Z`)
    monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7))
    const inspection = { vehicle_id: 'plate:34ABC123', inspection_date: today, week_start: monday.toISOString().slice(0, 10), km: 155_000 }
    await ok('istanbul1', ['put', 'vehicle_inspections', '--json', JSON.stringify(inspection)])
    await ok('istanbul1', ['sync'])
    await ok('admin', ['sync'])
    const after = await alertLines('admin', ['--region', 'istanbul'])
    expect(after.some((a) => a.kind === 'open_fault')).toBe(false)
    expect(after.find((a) => a.kind === 'oil')).toMatchObject({ severity: 'due', km_left: -1_000 })
    // The newest inspection has no checklist, so no item failed in the last two.
    expect(after.some((a) => a.kind === 'repeated_failure')).toBe(false)
  })
})
