/**
 * The fleet readers over a real sql.js mirror: a master document and a month followed live, a
 * month held only as the relay's rendering, deleted records, another region, a vehicle's km
 * dated by its field's own stamp, and the two monthly reports with their CSV and xlsx.
 */
import { describe, expect, it } from 'vitest'
import ExcelJS from 'exceljs'
import * as Y from 'yjs'
import { openMirror, type Mirror } from '../crdt/mirror.ts'
import { deleteIn, insertInto, updateIn, type RegionDocuments } from '../crdt/periodDocs.ts'
import { createRegionDoc } from '../crdt/regionDoc.ts'
import { renderDocument } from '../crdt/rendering.ts'
import { fleetAlerts, kmEnteredFrom, kmHistory } from '../client/fleetAlerts.ts'
import { inspectionReport, serviceCostReport, weekOfMonth } from '../client/fleetReports.ts'
import { inspectionReportCsv, serviceCostReportCsv } from '../client/fleetReportCsv.ts'
import { inspectionReportXlsx, serviceCostReportXlsx } from '../client/fleetReportXlsx.ts'
import { parseCsv } from '../client/reportCsv.ts'

const at = (iso: string): { user: string; now: () => Date } => ({ user: 'ankara1', now: () => new Date(iso) })

interface Region {
  readonly mirror: Mirror
  readonly master: Y.Doc
  readonly docs: RegionDocuments
  put(table: Parameters<typeof insertInto>[1], fields: Record<string, unknown>, when?: string): string
}

/** Ankara: master and February followed, January held as a rendering only (its doc gone). */
async function ankara(): Promise<Region> {
  const master = createRegionDoc()
  const months = new Map<string, Y.Doc>([['2026-01', createRegionDoc()], ['2026-02', createRegionDoc()]])
  const docs: RegionDocuments = { region: 'ankara', master, month: (p) => months.get(p), months: () => months.entries() }
  const put = (table: Parameters<typeof insertInto>[1], fields: Record<string, unknown>, when = '2026-01-02T08:00:00Z'): string => insertInto(docs, table, fields as never, at(when)).id
  const mirror = await openMirror()
  return { mirror, master, docs, put }
}

function follow(region: Region): void {
  region.mirror.attach('ankara', region.master)
  region.mirror.attach('ankara/2026-02', region.docs.month('2026-02')!)
  expect(region.mirror.show(renderDocument('ankara/2026-01', region.docs.month('2026-01')!), 'v1')).toBe(true)
}

describe('km history and alerts from the mirror', () => {
  it('reads inspections of a held month and a live one, leaves deleted ones out, dates the vehicle’s km by its own stamp', async () => {
    const region = await ankara()
    const van = region.put('vehicles', { plate: '06 ABC 123', km: 50_000, oil_change_km: 40_000 }, '2026-01-02T08:00:00Z')
    region.put('vehicle_inspections', { vehicle_id: van, inspection_date: '2026-01-12', week_start: '2026-01-12', km: 51_000 })
    const typo = region.put('vehicle_inspections', { vehicle_id: van, inspection_date: '2026-01-19', week_start: '2026-01-19', km: 15_000 })
    deleteIn(region.docs, 'vehicle_inspections', typo, at('2026-01-20T08:00:00Z'))
    region.put('vehicle_inspections', { vehicle_id: van, inspection_date: '2026-02-02', week_start: '2026-02-02', km: 52_100 }, '2026-02-02T08:00:00Z')
    // A note in March moves updated_at but not the km's own stamp.
    updateIn(region.docs, 'vehicles', van, { notes: 'lastikler yenilendi' }, at('2026-03-01T08:00:00Z'))
    follow(region)

    const stamped = kmHistory(region.mirror, 'ankara', van, { kmEnteredOn: kmEnteredFrom({ documents: () => ['ankara'], doc: () => region.master }) })
    expect(stamped.readings.map((r) => [r.date, r.km])).toEqual([
      ['2026-01-02', 50_000],
      ['2026-01-12', 51_000],
      ['2026-02-02', 52_100],
    ])
    expect(stamped.drops).toEqual([])
    // Without the document the record's last edit dates the km: March, after February's 52.100.
    const unstamped = kmHistory(region.mirror, 'ankara', van)
    expect(unstamped.current).toMatchObject({ date: '2026-03-01', km: 50_000 })
    expect(unstamped.drops).toHaveLength(1)
    expect(kmHistory(region.mirror, 'ankara', 'plate:06XX1').readings).toEqual([])
    expect(kmHistory(region.mirror, 'istanbul', van).readings).toEqual([])

    const alerts = fleetAlerts(region.mirror, { region: 'ankara', today: '2026-02-03', kmEnteredOn: kmEnteredFrom({ documents: () => ['ankara'], doc: () => region.master }) })
    expect(alerts.map((a) => [a.kind, a.km_left])).toEqual([['oil', 1_900]])
    expect(fleetAlerts(region.mirror, { region: 'istanbul', today: '2026-02-03' })).toEqual([])
    region.mirror.close()
  })

  it('an inspection’s failures and a fault stop alerting once the records change', async () => {
    const region = await ankara()
    const van = region.put('vehicles', { plate: '06 ABC 123' })
    const fault = region.put('vehicle_faults', { vehicle_id: van, title: 'Far', status: 'Acik', opened_date: '2026-01-10' })
    for (const day of ['12', '19']) {
      const inspection = region.put('vehicle_inspections', { vehicle_id: van, inspection_date: `2026-01-${day}`, week_start: `2026-01-${day}` })
      region.put('vehicle_inspection_results', { inspection_id: inspection, item_key: 'lights', status: 'Olumsuz' })
    }
    region.mirror.attach('ankara', region.master)
    region.mirror.attach('ankara/2026-01', region.docs.month('2026-01')!)
    expect(fleetAlerts(region.mirror, { today: '2026-01-20' }).map((a) => a.kind)).toEqual(['open_fault', 'repeated_failure'])
    updateIn(region.docs, 'vehicle_faults', fault, { status: 'Kapandi', closed_date: '2026-01-21' }, at('2026-01-21T08:00:00Z'))
    const fixed = region.put('vehicle_inspections', { vehicle_id: van, inspection_date: '2026-01-26', week_start: '2026-01-26' })
    region.put('vehicle_inspection_results', { inspection_id: fixed, item_key: 'lights', status: 'Olumlu' })
    expect(fleetAlerts(region.mirror, { today: '2026-01-27' })).toEqual([])
    region.mirror.close()
  })

  it('reads values of the wrong type (stored before the relay guarded documents) as blank, never throwing', async () => {
    const region = await ankara()
    const van = region.put('vehicles', { plate: '06 ABC 123', km: 50_000, oil_change_km: 40_000 })
    region.put('vehicle_inspections', { vehicle_id: van, inspection_date: '2026-01-12', week_start: '2026-01-12', km: 53_000 })
    region.master.transact(() => {
      const map = region.master.getMap('vehicles').get(van) as Y.Map<unknown>
      map.set('oil_change_km', 'kırk bin')
      map.set('inspection_date', 20260201)
      map.set('plate', 34)
    })
    follow(region)
    expect(fleetAlerts(region.mirror, { today: '2026-02-01' })).toEqual([])
    expect(kmHistory(region.mirror, 'ankara', van).current?.km).toBe(53_000)
    expect(inspectionReport(region.mirror, { month: '2026-01', regions: ['ankara'] }).rows.map((r) => r.plate)).toEqual(['34'])
    region.mirror.close()
  })
})

describe('the monthly fleet reports', () => {
  async function february(): Promise<Region> {
    const region = await ankara()
    region.put('settings', { key: 'company_name', value: 'Rainstaff A.Ş.' })
    const van = region.put('vehicles', { plate: '06 ABC 123', km: 50_000 })
    const gone = region.put('vehicles', { plate: '06 ZZ 9' })
    const driver = region.put('drivers', { full_name: 'Ali Veli' })
    const first = region.put('vehicle_inspections', { vehicle_id: van, driver_id: driver, inspection_date: '2026-02-03', week_start: '2026-02-02', km: 50_100, notes: '=HYPERLINK("x")' })
    region.put('vehicle_inspection_results', { inspection_id: first, item_key: 'glass', status: 'Olumsuz', note: 'çatlak' })
    region.put('vehicle_inspection_results', { inspection_id: first, item_key: 'lights', status: 'Olumlu' })
    region.put('vehicle_inspections', { vehicle_id: van, inspection_date: '2026-02-23', week_start: '2026-02-23', km: 50_900 })
    region.put('vehicle_inspections', { vehicle_id: gone, inspection_date: '2026-02-10', week_start: '2026-02-09' })
    region.put('vehicle_inspections', { vehicle_id: van, inspection_date: '2026-01-26', week_start: '2026-01-26', km: 49_000 })
    region.put('vehicle_service_visits', { vehicle_id: van, start_date: '2026-02-04', reason: 'Yağ', cost: 0.1 })
    region.put('vehicle_service_visits', { vehicle_id: van, start_date: '2026-02-05', end_date: '2026-02-06', reason: 'Fren', cost: 0.2 })
    region.put('vehicle_service_visits', { vehicle_id: gone, start_date: '2026-02-20', reason: 'Kontrol' })
    region.put('vehicle_service_visits', { vehicle_id: van, start_date: '2026-01-30', cost: 1_000 })
    deleteIn(region.docs, 'vehicles', gone, at('2026-02-25T08:00:00Z'))
    follow(region)
    return region
  }

  it('inspections: the month’s weeks by their Monday, a deleted vehicle by the plate its id holds, missing results blank', async () => {
    expect(['2026-02-02', '2026-02-09', '2026-02-23', '2026-03-30'].map(weekOfMonth)).toEqual([1, 2, 4, 5])
    const region = await february()
    const report = inspectionReport(region.mirror, { month: '2026-02', regions: ['ankara'] })
    expect(report).toMatchObject({ companyName: 'Rainstaff A.Ş.', fileName: 'arac_denetim_raporu_ankara_2026-02', start: '2026-02-01', end: '2026-02-28' })
    expect(report.rows.map((r) => [r.plate, r.week, r.driver, r.km, r.items.glass, r.items.lights, r.items.water_level])).toEqual([
      ['06 ABC 123', 1, 'Ali Veli', 50_100, 'Olumsuz', 'Olumlu', null],
      ['06 ABC 123', 4, '', 50_900, null, null, null],
      ['06 ZZ 9', 2, '', null, null, null, null],
    ])
    expect(report.vehicles.map((v) => [v.plate, v.inspections, v.failed, v.first_km, v.last_km])).toEqual([
      ['06 ABC 123', 2, 1, 50_100, 50_900],
      ['06 ZZ 9', 1, 0, null, null],
    ])
    const csv = parseCsv(inspectionReportCsv(report))
    expect(csv[1]?.slice(0, 7)).toEqual(['Ankara', '06 ABC 123', '1', '02.02.2026', '03.02.2026', 'Ali Veli', '50100'])
    expect(csv[1]?.at(-5)).toBe('Camlar: çatlak')
    // A note typed as a formula stays text when the file is opened.
    expect(csv[1]?.at(-1)).toBe(`'=HYPERLINK("x")`)
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load((await inspectionReportXlsx(report)).buffer as ArrayBuffer)
    const glass = workbook.getWorksheet('Denetimler')!.getRow(6).getCell(8 + 6)
    expect(glass.value).toBe('Olumsuz')
    expect(glass.fill).toMatchObject({ fgColor: { argb: 'FFF8CBAD' } })
    region.mirror.close()
  })

  it('service costs: the visits begun in the month, a blank cost counted as nothing, sums in whole kuruş', async () => {
    const region = await february()
    const report = serviceCostReport(region.mirror, { month: '2026-02', regions: ['ankara'] })
    expect(report.rows.map((r) => [r.plate, r.start_date, r.cost])).toEqual([
      ['06 ABC 123', '2026-02-04', 0.1],
      ['06 ABC 123', '2026-02-05', 0.2],
      ['06 ZZ 9', '2026-02-20', null],
    ])
    expect(report.totals.map((t) => [t.plate, t.visits, t.cost])).toEqual([
      ['06 ABC 123', 2, 0.3],
      ['06 ZZ 9', 1, 0],
    ])
    expect(report.total).toEqual({ visits: 3, cost: 0.3 })
    const csv = parseCsv(serviceCostReportCsv(report))
    expect(csv[3]).toEqual(['Ankara', '06 ZZ 9', '20.02.2026', '', 'Kontrol', '', '', ''])
    expect(csv.at(-1)).toEqual(['Genel toplam', '', '3', '₺0,30'])
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load((await serviceCostReportXlsx(report)).buffer as ArrayBuffer)
    expect((workbook.getWorksheet('Servis')!.getRow(9).values as unknown[]).slice(1)).toEqual(['Genel toplam', '', '', '', '', '', 0.3, ''])
    region.mirror.close()
  })

  it('refuses a month that is not YYYY-MM', async () => {
    const region = await ankara()
    expect(() => serviceCostReport(region.mirror, { month: '2026-13', regions: ['ankara'] })).toThrow(/YYYY-MM/)
    region.mirror.close()
  })
})
