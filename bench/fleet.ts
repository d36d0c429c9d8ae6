/**
 * Fleet readers over five years of four regions: 50 vehicles each, a weekly inspection with its
 * nine checklist results (52,000 inspections, 468,000 results), a service visit a month. Each
 * reader is timed against the baseline of reading every fleet row once (`SELECT *` of the fleet
 * tables) in the same mirror. The rows go into the mirror's tables directly: the readers only read
 * SQL, so how the rows arrived (a document or a rendering) does not change what they cost.
 */
import { openMirror, type Mirror } from '../crdt/mirror.ts'
import { columnsOf } from '../schema/ddl.ts'
import { INSPECTION_ITEMS, type TableName } from '../schema/tables.ts'
import { fleetAlerts, kmHistory } from '../client/fleetAlerts.ts'
import { inspectionReport, serviceCostReport } from '../client/fleetReports.ts'
import type { BenchSection } from './index.ts'

const REGIONS = ['ankara', 'istanbul', 'bursa', 'izmir']
const VEHICLES = 50
const WEEKS = 260
const FLEET_TABLES: readonly TableName[] = ['vehicles', 'drivers', 'vehicle_inspections', 'vehicle_inspection_results', 'vehicle_faults', 'vehicle_service_visits']

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

function timed(work: () => void, runs = 5): number {
  const samples: number[] = []
  for (let i = 0; i < runs; i++) {
    ;(globalThis as { gc?: () => void }).gc?.()
    const start = performance.now()
    work()
    samples.push(performance.now() - start)
  }
  return median(samples)
}

async function fiveYears(): Promise<Mirror> {
  const mirror = await openMirror()
  const inserts = new Map(
    FLEET_TABLES.map((table) => {
      const columns = columnsOf(table)
      return [table, mirror.db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)] as const
    }),
  )
  const put = (table: TableName, row: Record<string, string | number>): void => {
    inserts.get(table)!.run(columnsOf(table).map((c) => row[c] ?? null))
  }
  const stamp = { created_at: '2021-01-04T08:00:00.000Z', updated_at: '2021-01-04T08:00:00.000Z', updated_by: 'bench' }
  mirror.db.exec('BEGIN')
  let n = 0
  for (const region of REGIONS) {
    put('drivers', { ...stamp, id: `d-${region}`, region, full_name: 'SÜRÜCÜ', license_expiry: '2026-03-01' })
    for (let v = 0; v < VEHICLES; v++) {
      const vehicle = `plate:06RS${100 + v}`
      put('vehicles', { ...stamp, id: vehicle, region, plate: `06RS${100 + v}`, km: 40_000 + WEEKS * 700, oil_change_km: 40_000 + WEEKS * 690, inspection_date: '2026-02-20' })
      put('vehicle_faults', { ...stamp, id: `f-${region}-${v}`, region, vehicle_id: vehicle, title: 'Far', status: v % 5 === 0 ? 'Acik' : 'Kapandi', opened_date: '2025-12-01' })
      for (let w = 0; w < WEEKS; w++) {
        const monday = new Date(Date.UTC(2021, 0, 4 + 7 * w)).toISOString().slice(0, 10)
        const inspection = `i${n++}`
        put('vehicle_inspections', { ...stamp, id: inspection, region, vehicle_id: vehicle, driver_id: `d-${region}`, inspection_date: monday, week_start: monday, km: 40_000 + w * 700 })
        INSPECTION_ITEMS.forEach((item, i) => put('vehicle_inspection_results', { ...stamp, id: `${inspection}-${i}`, region, inspection_id: inspection, item_key: item, status: (w + i) % 7 === 0 ? 'Olumsuz' : 'Olumlu' }))
        if (w % 4 === 0) put('vehicle_service_visits', { ...stamp, id: `s${inspection}`, region, vehicle_id: vehicle, start_date: monday, reason: 'Bakım', cost: 1_250.5 })
      }
    }
  }
  mirror.db.exec('COMMIT')
  for (const statement of inserts.values()) statement.free()
  return mirror
}

export async function run(): Promise<BenchSection> {
  const mirror = await fiveYears()
  const options = { today: '2026-02-01' }
  const baseline = timed(() => {
    for (const table of FLEET_TABLES) mirror.query(`SELECT * FROM ${table}`)
  })
  const cases: Array<[string, () => void, string]> = [
    ['fleetAlerts, every region', () => fleetAlerts(mirror, options), '≤ 1×'],
    ['fleetAlerts, one region', () => fleetAlerts(mirror, { ...options, region: 'istanbul' }), '≤ 0.3×'],
    ['kmHistory, one vehicle', () => kmHistory(mirror, 'istanbul', 'plate:06RS120'), '≤ 0.05×'],
    ['inspectionReport, a month of every region', () => inspectionReport(mirror, { month: '2025-06', regions: REGIONS }), '≤ 0.3×'],
    ['serviceCostReport, a month of every region', () => serviceCostReport(mirror, { month: '2025-06', regions: REGIONS }), '≤ 0.1×'],
  ]
  const lines = [
    `${REGIONS.length} regions × ${VEHICLES} vehicles × ${WEEKS} weekly inspections (${INSPECTION_ITEMS.length} results each); baseline: every fleet row read once, ${baseline.toFixed(0)} ms.`,
    '',
    '| reader | ms | × baseline | target |',
    '|---|---|---|---|',
  ]
  for (const [name, work, target] of cases) {
    const ms = timed(work)
    lines.push(`| ${name} | ${ms.toFixed(1)} | ${(ms / baseline).toFixed(2)}× | ${target} |`)
  }
  mirror.close()
  return { title: 'Fleet readers (five years)', lines }
}
