/**
 * The fleet's alerts and each vehicle's km history, read from the device's SQLite mirror: every
 * month it holds counts, live or held (client/offlineMirror.ts), so the last two inspections are
 * found wherever their weeks fell. The rules are schema/fleetAlerts.ts's; this only reads rows.
 * The app's fleet screens and `rainstaff alerts` both call here. No I/O: it runs in the browser.
 */
import type * as Y from 'yjs'
import type { SqlValue } from 'sql.js'
import type { Mirror } from '../crdt/mirror.ts'
import { shownStamp } from '../crdt/records.ts'
import {
  fleetAlertEntries,
  inspectionsToCheck,
  vehicleKmHistory,
  type FleetAlertEntry,
  type FleetRows,
  type InspectionFacts,
  type ResultFacts,
  type VehicleFacts,
} from '../schema/fleetAlerts.ts'
import type { KmHistory } from '../schema/kmHistory.ts'

/**
 * The day a vehicle's km was last entered, when the caller can tell (its master document's field
 * stamp); null to fall back on the record's last edit.
 */
export type KmEnteredOn = (region: string, vehicleId: string) => string | null

export interface FleetReadOptions {
  /** One region; every region the mirror holds when absent. */
  readonly region?: string
  /** The day the alerts are for (ISO); this device's today when absent. */
  readonly today?: string
  readonly kmEnteredOn?: KmEnteredOn
}

/** Today on this device's calendar: an office's day, not UTC's. */
export function localToday(now: Date = new Date()): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`
}

/**
 * Reads the km field's stamp from the region's master document when it is open (the engine keeps
 * it open while signed in): unlike updated_at, an edit of another field does not move it.
 */
export function kmEnteredFrom(source: { documents(region?: string): string[]; doc(name: string): Y.Doc }): KmEnteredOn {
  return (region, vehicleId) => (source.documents(region).includes(region) ? shownStamp(source.doc(region), 'vehicles', vehicleId, 'km').at : null)
}

// The mirror holds what the documents hold, whatever its type: a value of the wrong type reads as blank.
const text = (value: SqlValue): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '')
const optionalText = (value: SqlValue): string | null => (typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null)
const optionalNumber = (value: SqlValue): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null)

const REGION_FILTER = '(? IS NULL OR region = ?)'

function regionParams(region: string | undefined): SqlValue[] {
  return [region ?? null, region ?? null]
}

function readVehicles(mirror: Mirror, where: string, params: SqlValue[], kmEnteredOn: KmEnteredOn | undefined): VehicleFacts[] {
  return mirror
    .query(
      `SELECT id, region, plate, km, oil_change_km, oil_interval_km, oil_change_date, inspection_date, insurance_date, maintenance_date, updated_at
         FROM vehicles WHERE ${where}`,
      params,
    )
    .map((r) => {
      const facts: VehicleFacts = {
        id: text(r.id),
        region: text(r.region),
        plate: text(r.plate),
        km: optionalNumber(r.km),
        oil_change_km: optionalNumber(r.oil_change_km),
        oil_interval_km: optionalNumber(r.oil_interval_km),
        oil_change_date: optionalText(r.oil_change_date),
        inspection_date: optionalText(r.inspection_date),
        insurance_date: optionalText(r.insurance_date),
        maintenance_date: optionalText(r.maintenance_date),
        updated_at: text(r.updated_at),
      }
      return kmEnteredOn === undefined ? facts : { ...facts, km_entered_on: kmEnteredOn(facts.region, facts.id) }
    })
}

function readInspections(mirror: Mirror, where: string, params: SqlValue[]): InspectionFacts[] {
  return mirror
    .query(`SELECT id, region, vehicle_id, inspection_date, km FROM vehicle_inspections WHERE ${where}`, params)
    .map((r) => ({ id: text(r.id), region: text(r.region), vehicle_id: text(r.vehicle_id), inspection_date: text(r.inspection_date), km: optionalNumber(r.km) }))
}

/**
 * The checklist results of `inspections`, by region: a few hundred ids against a table of every
 * week's nine results, so the ids go as one JSON list rather than a statement per inspection.
 */
function readResults(mirror: Mirror, inspections: readonly InspectionFacts[]): ResultFacts[] {
  const byRegion = new Map<string, string[]>()
  for (const i of inspections) {
    const ids = byRegion.get(i.region)
    if (ids === undefined) byRegion.set(i.region, [i.id])
    else ids.push(i.id)
  }
  return [...byRegion].flatMap(([region, ids]) =>
    mirror
      .query(
        `SELECT region, inspection_id, item_key, status FROM vehicle_inspection_results
          WHERE region = ? AND inspection_id IN (SELECT value FROM json_each(?))`,
        [region, JSON.stringify(ids)],
      )
      .map((r) => ({ region: text(r.region), inspection_id: text(r.inspection_id), item_key: text(r.item_key), status: text(r.status) })),
  )
}

/** One region's (or every region's) fleet rows as the rules take them; results only where the rules look. */
function fleetRows(mirror: Mirror, options: Pick<FleetReadOptions, 'region' | 'kmEnteredOn'>): FleetRows {
  const params = regionParams(options.region)
  const vehicles = readVehicles(mirror, REGION_FILTER, params, options.kmEnteredOn)
  const inspections = readInspections(mirror, REGION_FILTER, params)
  return {
    vehicles,
    drivers: mirror
      .query(`SELECT id, region, full_name, license_expiry FROM drivers WHERE ${REGION_FILTER}`, params)
      .map((r) => ({ id: text(r.id), region: text(r.region), full_name: text(r.full_name), license_expiry: optionalText(r.license_expiry) })),
    inspections,
    results: readResults(mirror, inspectionsToCheck({ vehicles, inspections })),
    faults: mirror
      .query(`SELECT id, region, vehicle_id, title, status, opened_date, closed_date FROM vehicle_faults WHERE ${REGION_FILTER}`, params)
      .map((r) => ({
        id: text(r.id),
        region: text(r.region),
        vehicle_id: text(r.vehicle_id),
        title: text(r.title),
        status: optionalText(r.status),
        opened_date: optionalText(r.opened_date),
        closed_date: optionalText(r.closed_date),
      })),
  }
}

/** The alerts of one region or all, most pressing first (schema/fleetAlerts.ts has the rules). */
export function fleetAlerts(mirror: Mirror, options: FleetReadOptions = {}): FleetAlertEntry[] {
  return fleetAlertEntries(fleetRows(mirror, options), options.today ?? localToday())
}

/** One vehicle's km readings by date, with the drops flagged; empty for a vehicle the mirror lacks. */
export function kmHistory(mirror: Mirror, region: string, vehicleId: string, options: Pick<FleetReadOptions, 'kmEnteredOn'> = {}): KmHistory {
  const [vehicle] = readVehicles(mirror, 'region = ? AND id = ?', [region, vehicleId], options.kmEnteredOn)
  if (vehicle === undefined) return { readings: [], drops: [], current: undefined }
  return vehicleKmHistory(vehicle, readInspections(mirror, 'region = ? AND vehicle_id = ?', [region, vehicleId]))
}
