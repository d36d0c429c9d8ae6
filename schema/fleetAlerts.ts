/**
 * The fleet's alerts over plain rows of one or more regions, each ready to list: what it is
 * about (table, record, plate or driver's name, region), how pressing it is, its due date or the
 * km left, and its sentence in both languages. The rules are the legacy program's
 * (schema/fleet.ts, docs/legacy-format.md) with the thresholds it used:
 *
 * - oil change by km: (oil_interval_km or 14,000) − (km now − oil_change_km); due at ≤ 0, soon at
 *   ≤ 2,000. "km now" is the latest reading of the km history (schema/kmHistory.ts), so a weekly
 *   inspection's km counts even when nobody updated the vehicle's own km;
 * - inspection (muayene), insurance, maintenance and licence dates: due when past, soon within 30
 *   days (the day itself counts as soon: 0 days left);
 * - an item `Olumsuz` in both of a vehicle's two latest inspections;
 * - every open fault (status not `Kapandi` and no closing date), `Takip` included.
 *
 * Two rules the legacy program did not have, because its data could not tell: the oil change by
 * date, OIL_INTERVAL_MONTHS after oil_change_date (the usual "every year or every N km, whichever
 * comes first"; soon within the same 30 days), and a km reading lower than the one before it
 * (`check`: a reading is mistyped). Deleted records and records of deleted vehicles raise
 * nothing; a missing date or km raises nothing for that rule. "Today" is a parameter, never the
 * clock.
 */
import type { Bilingual } from './bilingual.ts'
import { DATE_SOON_DAYS, daysUntil, driverAlerts, failedInBoth, isOpenFault, newestFirst, oilKmLeft, OIL_SOON_KM, vehicleDateAlerts } from './fleet.ts'
import { dateAlertText, kmDecreaseText, oilKmText, openFaultText, repeatedFailureText, type DateAlertKind } from './fleetTexts.ts'
import { buildKmHistory, isoDay, type KmHistory } from './kmHistory.ts'
import type { TableRecord } from './tables.ts'
import { formatPlate } from './turkishInput.ts'

export type FleetAlertKind = 'oil' | DateAlertKind | 'repeated_failure' | 'open_fault' | 'km_decrease'

/** `due`: act now (past its date or km, a failing item, an open fault); `soon`: coming up; `check`: the data looks wrong. */
export type AlertSeverity = 'due' | 'soon' | 'check'

export interface FleetAlertEntry {
  readonly kind: FleetAlertKind
  readonly severity: AlertSeverity
  /** The record to open for it: the vehicle, the driver, the latest inspection or the fault. */
  readonly table: 'vehicles' | 'drivers' | 'vehicle_inspections' | 'vehicle_faults'
  readonly record: string
  readonly region: string
  /** The vehicle it concerns; null for a driver's licence. */
  readonly vehicle_id: string | null
  /** The plate as people read it (34 ABC 123), or the driver's name. */
  readonly subject: string
  /** ISO day the date rules count to. */
  readonly due_date: string | null
  /** Days until due_date, negative when past. */
  readonly days: number | null
  /** Km left until the oil change, negative when past. */
  readonly km_left: number | null
  /** The failing checklist item (repeated_failure). */
  readonly item_key: string | null
  readonly text: Bilingual
}

/** Months between oil changes by date (not a legacy rule: see the module comment). */
export const OIL_INTERVAL_MONTHS = 12

/** Rows as the mirror or a document gives them; one with a `deleted_at` is left out. */
type Deletable = { readonly deleted_at?: string | null }

export type VehicleFacts = Deletable &
  Pick<
    TableRecord<'vehicles'>,
    'id' | 'region' | 'plate' | 'km' | 'oil_change_km' | 'oil_interval_km' | 'oil_change_date' | 'inspection_date' | 'insurance_date' | 'maintenance_date' | 'updated_at'
  > & {
    /** The day the km was last entered, when the caller knows it (its field stamp); else updated_at is used. */
    readonly km_entered_on?: string | null
  }
export type DriverFacts = Deletable & Pick<TableRecord<'drivers'>, 'id' | 'region' | 'full_name' | 'license_expiry'>
export type InspectionFacts = Deletable & Pick<TableRecord<'vehicle_inspections'>, 'id' | 'region' | 'vehicle_id' | 'inspection_date' | 'km'>
export type ResultFacts = Deletable & Pick<TableRecord<'vehicle_inspection_results'>, 'region' | 'inspection_id' | 'item_key' | 'status'>
export type FaultFacts = Deletable & Pick<TableRecord<'vehicle_faults'>, 'id' | 'region' | 'vehicle_id' | 'title' | 'status' | 'opened_date' | 'closed_date'>

export interface FleetRows {
  readonly vehicles: readonly VehicleFacts[]
  readonly drivers: readonly DriverFacts[]
  readonly inspections: readonly InspectionFacts[]
  /** The checklist results; only those of inspectionsToCheck are read, so a reader may give just those. */
  readonly results: readonly ResultFacts[]
  readonly faults: readonly FaultFacts[]
}

const live = <T extends Deletable>(rows: readonly T[]): T[] => rows.filter((row) => (row.deleted_at ?? null) === null)
/** Ids repeat across regions (a plate's id is its plate): every lookup is by both. */
const key = (region: string, id: string): string => `${region}\u0000${id}`

/** The day `months` months after `date`, the day of month kept where the month has it (31.01 + 1 → 28.02). */
export function addMonths(date: string, months: number): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  if (m === null) return undefined
  const index = Number(m[1]) * 12 + Number(m[2]) - 1 + months
  const year = Math.floor(index / 12)
  const month = (index % 12) + 1
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate()
  const day = Math.min(Number(m[3]), last)
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

/** The vehicle's km history from its row and its own inspections; the km is dated by its stamp, else the record's last edit. */
function historyOf(vehicle: VehicleFacts, own: readonly InspectionFacts[]): KmHistory {
  return buildKmHistory({ ...vehicle, km_entered_on: vehicle.km_entered_on ?? vehicle.updated_at ?? null }, own)
}

/** The vehicle's km history from its row and its inspections (of this vehicle; others are left out). */
export function vehicleKmHistory(vehicle: VehicleFacts, inspections: readonly InspectionFacts[]): KmHistory {
  return historyOf(vehicle, live(inspections).filter((i) => i.region === vehicle.region && i.vehicle_id === vehicle.id))
}

/** Live inspections of each live vehicle (by region and id), newest first. */
function inspectionsOf(vehicles: ReadonlyMap<string, VehicleFacts>, inspections: readonly InspectionFacts[]): Map<string, InspectionFacts[]> {
  const grouped = new Map<string, InspectionFacts[]>()
  for (const inspection of live(inspections)) {
    const k = key(inspection.region, inspection.vehicle_id)
    if (!vehicles.has(k)) continue
    const list = grouped.get(k)
    if (list === undefined) grouped.set(k, [inspection])
    else list.push(inspection)
  }
  for (const list of grouped.values()) list.sort(newestFirst)
  return grouped
}

/** A vehicle's two latest inspections of a readable date: the pair the repeated-failure rule compares. */
function latestTwo(list: readonly InspectionFacts[]): InspectionFacts[] {
  return list.filter((i) => isoDay(i.inspection_date) !== undefined).slice(0, 2)
}

function liveVehicles(rows: Pick<FleetRows, 'vehicles'>): Map<string, VehicleFacts> {
  return new Map(live(rows.vehicles).map((v) => [key(v.region, v.id), v]))
}

/** The inspections whose results the alerts read: each live vehicle's two latest. */
export function inspectionsToCheck(rows: Pick<FleetRows, 'vehicles' | 'inspections'>): InspectionFacts[] {
  return [...inspectionsOf(liveVehicles(rows), rows.inspections).values()].flatMap(latestTwo)
}

const blank = { due_date: null, days: null, km_left: null, item_key: null } as const
const SEVERITY_ORDER: Readonly<Record<AlertSeverity, number>> = { due: 0, soon: 1, check: 2 }
const collator = new Intl.Collator('tr')

function vehicleEntries(vehicle: VehicleFacts, own: readonly InspectionFacts[], today: string): FleetAlertEntry[] {
  const subject = formatPlate(vehicle.plate)
  const about = { table: 'vehicles', record: vehicle.id, region: vehicle.region, vehicle_id: vehicle.id, subject } as const
  const history = historyOf(vehicle, own)
  const entries: FleetAlertEntry[] = []
  const km = history.current?.km ?? vehicle.km
  const left = oilKmLeft({ ...vehicle, km })
  if (left !== undefined && left <= OIL_SOON_KM) {
    entries.push({ ...about, ...blank, kind: 'oil', severity: left <= 0 ? 'due' : 'soon', km_left: left, text: oilKmText(subject, left, vehicle.oil_change_km!) })
  }
  for (const alert of vehicleDateAlerts(vehicle, today)) {
    const kind = alert.kind as 'inspection_date' | 'insurance_date' | 'maintenance_date'
    const due = vehicle[kind]!
    const days = alert.amount!
    entries.push({ ...about, ...blank, kind, severity: days < 0 ? 'due' : 'soon', due_date: due, days, text: dateAlertText(kind, subject, due, days) })
  }
  const oilDue = vehicle.oil_change_date === null ? undefined : addMonths(vehicle.oil_change_date, OIL_INTERVAL_MONTHS)
  const oilDays = oilDue === undefined ? undefined : daysUntil(oilDue, today)
  if (oilDue !== undefined && oilDays !== undefined && oilDays <= DATE_SOON_DAYS) {
    entries.push({ ...about, ...blank, kind: 'oil_date', severity: oilDays < 0 ? 'due' : 'soon', due_date: oilDue, days: oilDays, text: dateAlertText('oil_date', subject, oilDue, oilDays) })
  }
  for (const { reading, previous } of history.drops) {
    entries.push({
      ...about,
      ...blank,
      kind: 'km_decrease',
      severity: 'check',
      table: reading.table,
      record: reading.record,
      text: kmDecreaseText(subject, reading.km, reading.date, previous.km, previous.date),
    })
  }
  return entries
}

function failureEntries(vehicle: VehicleFacts, own: readonly InspectionFacts[], results: ReadonlyMap<string, Record<string, string>>): FleetAlertEntry[] {
  const [latest, previous] = latestTwo(own).map((i) => ({ ...i, results: results.get(key(i.region, i.id)) ?? {} }))
  if (latest === undefined || previous === undefined) return []
  const subject = formatPlate(vehicle.plate)
  return failedInBoth(latest, previous).map((item) => ({
    ...blank,
    kind: 'repeated_failure',
    severity: 'due',
    table: 'vehicle_inspections',
    record: latest.id,
    region: vehicle.region,
    vehicle_id: vehicle.id,
    subject,
    item_key: item,
    text: repeatedFailureText(subject, item, [previous.inspection_date, latest.inspection_date]),
  }))
}

/** Every alert of the rows given, most pressing first, then by region and plate or name. */
export function fleetAlertEntries(rows: FleetRows, today: string): FleetAlertEntry[] {
  const vehicles = liveVehicles(rows)
  const inspections = inspectionsOf(vehicles, rows.inspections)
  const results = new Map<string, Record<string, string>>()
  for (const r of live(rows.results)) {
    const k = key(r.region, r.inspection_id)
    const statuses = results.get(k)
    if (statuses === undefined) results.set(k, { [r.item_key]: r.status })
    else statuses[r.item_key] = r.status
  }
  const entries: FleetAlertEntry[] = []
  for (const [k, vehicle] of vehicles) {
    const own = inspections.get(k) ?? []
    entries.push(...vehicleEntries(vehicle, own, today), ...failureEntries(vehicle, own, results))
  }
  for (const driver of live(rows.drivers)) {
    for (const alert of driverAlerts(driver, today)) {
      const days = alert.amount!
      entries.push({
        ...blank,
        kind: 'license_expiry',
        severity: days < 0 ? 'due' : 'soon',
        table: 'drivers',
        record: driver.id,
        region: driver.region,
        vehicle_id: null,
        subject: driver.full_name,
        due_date: driver.license_expiry,
        days,
        text: dateAlertText('license_expiry', driver.full_name, driver.license_expiry!, days),
      })
    }
  }
  for (const fault of live(rows.faults)) {
    if (!isOpenFault(fault) || !vehicles.has(key(fault.region, fault.vehicle_id))) continue
    const subject = formatPlate(vehicles.get(key(fault.region, fault.vehicle_id))!.plate)
    entries.push({
      ...blank,
      kind: 'open_fault',
      severity: 'due',
      table: 'vehicle_faults',
      record: fault.id,
      region: fault.region,
      vehicle_id: fault.vehicle_id,
      subject,
      text: openFaultText(subject, fault.title, fault.status, fault.opened_date),
    })
  }
  return entries.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.region.localeCompare(b.region) ||
      collator.compare(a.subject, b.subject) ||
      (a.days ?? 0) - (b.days ?? 0) ||
      a.kind.localeCompare(b.kind) ||
      (a.item_key ?? '').localeCompare(b.item_key ?? '') ||
      a.record.localeCompare(b.record),
  )
}
