/**
 * The fleet's monthly reports as data, read from the SQLite mirror like the puantaj report
 * (client/report.ts): the weekly inspections of a month (one row per vehicle and week, with the
 * checklist's nine items, km, driver, fault and notes; a summary per vehicle) and the service
 * visits of a month with their costs (one row per visit, totals per vehicle and in all). A month
 * is the month document's: inspections by the Monday of their week, visits by their first day
 * (schema/periods.ts). fleetReportCsv.ts and fleetReportXlsx.ts turn them into files; no I/O here.
 */
import type { SqlValue } from 'sql.js'
import type { Mirror } from '../crdt/mirror.ts'
import { INSPECTION_ITEMS, INSPECTION_STATUSES } from '../schema/tables.ts'
import { formatPlate } from '../schema/turkishInput.ts'
import { monthRange, regionDisplayName, regionSettings } from './report.ts'

export type InspectionStatus = (typeof INSPECTION_STATUSES)[number]
export type ChecklistItem = (typeof INSPECTION_ITEMS)[number]

export interface FleetReportOptions {
  readonly month: string
  readonly regions: readonly string[]
  readonly regionNames?: readonly { slug: string; name: string }[]
}

interface ReportHead {
  readonly companyName: string
  readonly title: string
  readonly month: string
  readonly start: string
  readonly end: string
  readonly regions: readonly string[]
  readonly regionNames: readonly string[]
  /** A file name without extension: `<kind>_<region or tum_bolgeler>_<YYYY-MM>`. */
  readonly fileName: string
}

export interface InspectionRow {
  readonly region: string
  readonly region_name: string
  readonly vehicle_id: string
  /** As people read it (34 ABC 123). */
  readonly plate: string
  readonly inspection_id: string
  /** Which week of the month: the Monday's place among the month's Mondays (1–5). */
  readonly week: number
  readonly week_start: string
  readonly inspection_date: string
  readonly driver: string
  readonly km: number | null
  /** Each checklist item's status; null when the inspection has no result for it. */
  readonly items: Readonly<Record<ChecklistItem, InspectionStatus | null>>
  /** The results' own notes, each after its item's key. */
  readonly item_notes: readonly { readonly item: string; readonly note: string }[]
  readonly fault: string | null
  readonly fault_status: string | null
  readonly service_visit: boolean
  readonly notes: string | null
}

export interface VehicleInspectionSummary {
  readonly region: string
  readonly region_name: string
  readonly vehicle_id: string
  readonly plate: string
  readonly inspections: number
  /** Items marked Olumsuz across the month's inspections. */
  readonly failed: number
  readonly first_km: number | null
  readonly last_km: number | null
}

export interface InspectionReport extends ReportHead {
  readonly rows: readonly InspectionRow[]
  readonly vehicles: readonly VehicleInspectionSummary[]
}

export interface ServiceVisitRow {
  readonly region: string
  readonly region_name: string
  readonly vehicle_id: string
  readonly plate: string
  readonly visit_id: string
  readonly start_date: string
  readonly end_date: string | null
  readonly reason: string | null
  readonly fault: string | null
  /** Blank when nobody entered it: counted as nothing in the totals. */
  readonly cost: number | null
  readonly notes: string | null
}

export interface VehicleServiceTotal {
  readonly region: string
  readonly region_name: string
  readonly vehicle_id: string
  readonly plate: string
  readonly visits: number
  readonly cost: number
}

export interface ServiceCostReport extends ReportHead {
  readonly rows: readonly ServiceVisitRow[]
  readonly totals: readonly VehicleServiceTotal[]
  readonly total: { readonly visits: number; readonly cost: number }
}

const collator = new Intl.Collator('tr')
const text = (value: SqlValue): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '')
const optionalText = (value: SqlValue): string | null => (typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null)
const optionalNumber = (value: SqlValue): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null)

/** The plate of a vehicle row, or of a deleted vehicle from its id (a plate's id holds the plate). */
function plateOf(plate: SqlValue, vehicleId: string): string {
  const known = optionalText(plate) ?? (vehicleId.startsWith('plate:') ? vehicleId.slice('plate:'.length) : vehicleId)
  return formatPlate(known)
}

/** The Monday's place among the month's Mondays: the 1st–7th is week 1, the 8th–14th week 2 … */
export function weekOfMonth(weekStart: string): number {
  return Math.floor((Number(weekStart.slice(8, 10)) - 1) / 7) + 1
}

function head(mirror: Mirror, options: FleetReportOptions, kind: string, title: string): ReportHead {
  const { start, end } = monthRange(options.month)
  let companyName = ''
  for (const region of options.regions) companyName ||= regionSettings(mirror, region).company_name ?? ''
  const scope = options.regions.length === 1 ? options.regions[0]! : 'tum_bolgeler'
  return {
    companyName,
    title,
    month: options.month,
    start,
    end,
    regions: [...options.regions],
    regionNames: options.regions.map((r) => regionDisplayName(r, options.regionNames)),
    fileName: `${kind}_${scope}_${options.month}`,
  }
}

const byVehicle = <T extends { plate: string; region: string }>(a: T, b: T): number => collator.compare(a.plate, b.plate) || a.region.localeCompare(b.region)

function isStatus(value: string): value is InspectionStatus {
  return (INSPECTION_STATUSES as readonly string[]).includes(value)
}

export function inspectionReport(mirror: Mirror, options: FleetReportOptions): InspectionReport {
  const report = head(mirror, options, 'arac_denetim_raporu', 'Haftalık Araç Denetim Raporu')
  const rows: InspectionRow[] = []
  for (const region of options.regions) {
    const region_name = regionDisplayName(region, options.regionNames)
    const inspections = mirror.query(
      `SELECT i.id, i.vehicle_id, v.plate, i.week_start, i.inspection_date, d.full_name AS driver, i.km, f.title AS fault,
              i.fault_status, i.service_visit, i.notes
         FROM vehicle_inspections i
         LEFT JOIN vehicles v ON v.region = i.region AND v.id = i.vehicle_id
         LEFT JOIN drivers d ON d.region = i.region AND d.id = i.driver_id
         LEFT JOIN vehicle_faults f ON f.region = i.region AND f.id = i.fault_id
        WHERE i.region = ? AND i.week_start BETWEEN ? AND ?`,
      [region, report.start, report.end],
    )
    // The month's ids as one list: joining every result of the region to its inspection costs a
    // lookup per result of five years.
    const results = new Map<string, Array<{ item: string; status: string; note: string | null }>>()
    for (const r of mirror.query(
      `SELECT inspection_id, item_key, status, note FROM vehicle_inspection_results
        WHERE region = ? AND inspection_id IN (SELECT value FROM json_each(?))`,
      [region, JSON.stringify(inspections.map((i) => text(i.id)))],
    )) {
      const list = results.get(text(r.inspection_id))
      const result = { item: text(r.item_key), status: text(r.status), note: optionalText(r.note) }
      if (list === undefined) results.set(text(r.inspection_id), [result])
      else list.push(result)
    }
    for (const r of inspections) {
      const id = text(r.id)
      const items = Object.fromEntries(INSPECTION_ITEMS.map((item) => [item, null])) as Record<ChecklistItem, InspectionStatus | null>
      const notes: Array<{ item: string; note: string }> = []
      for (const result of results.get(id) ?? []) {
        if ((INSPECTION_ITEMS as readonly string[]).includes(result.item) && isStatus(result.status)) items[result.item as ChecklistItem] = result.status
        if (result.note !== null && result.note.trim() !== '') notes.push({ item: result.item, note: result.note })
      }
      const vehicleId = text(r.vehicle_id)
      const weekStart = text(r.week_start)
      rows.push({
        region,
        region_name,
        vehicle_id: vehicleId,
        plate: plateOf(r.plate, vehicleId),
        inspection_id: id,
        week: weekOfMonth(weekStart),
        week_start: weekStart,
        inspection_date: text(r.inspection_date),
        driver: text(r.driver),
        km: optionalNumber(r.km),
        items,
        item_notes: notes.sort((a, b) => INSPECTION_ITEMS.indexOf(a.item as ChecklistItem) - INSPECTION_ITEMS.indexOf(b.item as ChecklistItem)),
        fault: optionalText(r.fault),
        fault_status: optionalText(r.fault_status),
        service_visit: r.service_visit === 1,
        notes: optionalText(r.notes),
      })
    }
  }
  rows.sort((a, b) => byVehicle(a, b) || a.week_start.localeCompare(b.week_start) || a.inspection_date.localeCompare(b.inspection_date) || a.inspection_id.localeCompare(b.inspection_id))
  const summaries = new Map<string, VehicleInspectionSummary>()
  for (const row of rows) {
    const k = `${row.region}\u0000${row.vehicle_id}`
    const seen = summaries.get(k)
    const failed = Object.values(row.items).filter((s) => s === 'Olumsuz').length
    summaries.set(k, {
      region: row.region,
      region_name: row.region_name,
      vehicle_id: row.vehicle_id,
      plate: row.plate,
      inspections: (seen?.inspections ?? 0) + 1,
      failed: (seen?.failed ?? 0) + failed,
      first_km: seen?.first_km ?? row.km,
      last_km: row.km ?? seen?.last_km ?? null,
    })
  }
  return { ...report, rows, vehicles: [...summaries.values()].sort(byVehicle) }
}

export function serviceCostReport(mirror: Mirror, options: FleetReportOptions): ServiceCostReport {
  const report = head(mirror, options, 'servis_maliyet_raporu', 'Servis Maliyet Raporu')
  const rows: ServiceVisitRow[] = []
  for (const region of options.regions) {
    const region_name = regionDisplayName(region, options.regionNames)
    for (const r of mirror.query(
      `SELECT s.id, s.vehicle_id, v.plate, s.start_date, s.end_date, s.reason, f.title AS fault, s.cost, s.notes
         FROM vehicle_service_visits s
         LEFT JOIN vehicles v ON v.region = s.region AND v.id = s.vehicle_id
         LEFT JOIN vehicle_faults f ON f.region = s.region AND f.id = s.fault_id
        WHERE s.region = ? AND s.start_date BETWEEN ? AND ?`,
      [region, report.start, report.end],
    )) {
      const vehicleId = text(r.vehicle_id)
      const cost = optionalNumber(r.cost)
      rows.push({
        region,
        region_name,
        vehicle_id: vehicleId,
        plate: plateOf(r.plate, vehicleId),
        visit_id: text(r.id),
        start_date: text(r.start_date),
        end_date: optionalText(r.end_date),
        reason: optionalText(r.reason),
        fault: optionalText(r.fault),
        cost: cost !== null && cost >= 0 ? cost : null,
        notes: optionalText(r.notes),
      })
    }
  }
  rows.sort((a, b) => byVehicle(a, b) || a.start_date.localeCompare(b.start_date) || a.visit_id.localeCompare(b.visit_id))
  const totals = new Map<string, VehicleServiceTotal>()
  for (const row of rows) {
    const k = `${row.region}\u0000${row.vehicle_id}`
    const seen = totals.get(k)
    totals.set(k, { region: row.region, region_name: row.region_name, vehicle_id: row.vehicle_id, plate: row.plate, visits: (seen?.visits ?? 0) + 1, cost: sumCents(seen?.cost ?? 0, row.cost ?? 0) })
  }
  const list = [...totals.values()].sort(byVehicle)
  return { ...report, rows, totals: list, total: { visits: rows.length, cost: list.reduce((sum, t) => sumCents(sum, t.cost), 0) } }
}

/** Money adds in whole kuruş, so 0.1 + 0.2 makes 0.30, not 0.30000000000000004. */
function sumCents(a: number, b: number): number {
  return (Math.round(a * 100) + Math.round(b * 100)) / 100
}
