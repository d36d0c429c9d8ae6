/**
 * The fleet alerts the legacy program raised, as pure functions: oil changes by kilometre,
 * dates coming due (inspection, insurance, maintenance, licence expiry), items that failed the
 * last two weekly inspections, and open faults. "Today" is a parameter so alerts never depend on
 * the machine's clock or time zone.
 */

export type AlertLevel = 'overdue' | 'soon'

export interface FleetAlert {
  kind: 'oil' | 'inspection_date' | 'insurance_date' | 'maintenance_date' | 'license_expiry' | 'repeated_failure' | 'open_fault'
  level: AlertLevel
  /** The vehicle, driver or fault the alert is about. */
  subject_id: string
  /** Days left (negative: overdue by that many) or kilometres left, as the kind says. */
  amount?: number
  /** The failing inspection item, for repeated_failure. */
  item_key?: string
}

export const DEFAULT_OIL_INTERVAL_KM = 14_000
export const OIL_SOON_KM = 2_000
export const DATE_SOON_DAYS = 30

export interface VehicleFacts {
  id: string
  km: number | null
  oil_change_km: number | null
  oil_interval_km: number | null
  inspection_date: string | null
  insurance_date: string | null
  maintenance_date: string | null
}

const DAY_MS = 86_400_000

function isoDay(date: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  if (!match) return undefined
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / DAY_MS
}

/** Days from `today` until `date` (negative when past), or undefined for a blank or bad date. */
export function daysUntil(date: string | null, today: string): number | undefined {
  if (date === null) return undefined
  const due = isoDay(date)
  const now = isoDay(today)
  return due === undefined || now === undefined ? undefined : due - now
}

function dateAlert(kind: FleetAlert['kind'], subject: string, date: string | null, today: string): FleetAlert[] {
  const days = daysUntil(date, today)
  if (days === undefined || days > DATE_SOON_DAYS) return []
  return [{ kind, level: days < 0 ? 'overdue' : 'soon', subject_id: subject, amount: days }]
}

/**
 * Kilometres left until the next oil change, or undefined when it cannot be known: a blank
 * `oil_change_km` means "never recorded", not "changed at 0 km" (the legacy bug).
 */
export function oilKmLeft(vehicle: Pick<VehicleFacts, 'km' | 'oil_change_km' | 'oil_interval_km'>): number | undefined {
  if (vehicle.km === null || vehicle.oil_change_km === null) return undefined
  return (vehicle.oil_interval_km || DEFAULT_OIL_INTERVAL_KM) - (vehicle.km - vehicle.oil_change_km)
}

/** The vehicle's inspection (muayene), insurance and maintenance dates coming due or past. */
export function vehicleDateAlerts(vehicle: Pick<VehicleFacts, 'id' | 'inspection_date' | 'insurance_date' | 'maintenance_date'>, today: string): FleetAlert[] {
  return [
    ...dateAlert('inspection_date', vehicle.id, vehicle.inspection_date, today),
    ...dateAlert('insurance_date', vehicle.id, vehicle.insurance_date, today),
    ...dateAlert('maintenance_date', vehicle.id, vehicle.maintenance_date, today),
  ]
}

export function vehicleAlerts(vehicle: VehicleFacts, today: string): FleetAlert[] {
  const alerts: FleetAlert[] = []
  const left = oilKmLeft(vehicle)
  if (left !== undefined && left <= OIL_SOON_KM) {
    alerts.push({ kind: 'oil', level: left <= 0 ? 'overdue' : 'soon', subject_id: vehicle.id, amount: left })
  }
  alerts.push(...vehicleDateAlerts(vehicle, today))
  return alerts
}

export function driverAlerts(driver: { id: string; license_expiry: string | null }, today: string): FleetAlert[] {
  return dateAlert('license_expiry', driver.id, driver.license_expiry, today)
}

export interface InspectionFacts {
  id: string
  vehicle_id: string
  inspection_date: string
  /** item_key → status (Olumlu, Olumsuz, Bilinmiyor). */
  results: Readonly<Record<string, string>>
}

/**
 * Newest inspection first: by date, then by id, compared as plain text so every PC orders two
 * inspections of one day alike whatever its locale.
 */
export function newestFirst(a: { inspection_date: string; id: string }, b: { inspection_date: string; id: string }): number {
  if (a.inspection_date !== b.inspection_date) return a.inspection_date < b.inspection_date ? 1 : -1
  return a.id === b.id ? 0 : a.id < b.id ? 1 : -1
}

/** The items marked `Olumsuz` in both of two inspections. */
export function failedInBoth(latest: InspectionFacts, previous: InspectionFacts): string[] {
  return Object.entries(latest.results)
    .filter(([item, status]) => status === 'Olumsuz' && previous.results[item] === 'Olumsuz')
    .map(([item]) => item)
}

/** Items marked `Olumsuz` in both of a vehicle's two latest inspections. */
export function repeatedFailures(inspections: readonly InspectionFacts[]): FleetAlert[] {
  const byVehicle = new Map<string, InspectionFacts[]>()
  for (const inspection of inspections) {
    const list = byVehicle.get(inspection.vehicle_id)
    if (list === undefined) byVehicle.set(inspection.vehicle_id, [inspection])
    else list.push(inspection)
  }
  const alerts: FleetAlert[] = []
  for (const [vehicle, list] of byVehicle) {
    const [latest, previous] = list.sort(newestFirst)
    if (latest === undefined || previous === undefined) continue
    for (const item of failedInBoth(latest, previous)) alerts.push({ kind: 'repeated_failure', level: 'overdue', subject_id: vehicle, item_key: item })
  }
  return alerts
}

/** Open: not `Kapandi` and no closing date (`Takip`, follow-up, is open). */
export function isOpenFault(fault: { status: string | null; closed_date: string | null }): boolean {
  return fault.status !== 'Kapandi' && fault.closed_date === null
}

export function openFaultAlerts(faults: readonly { id: string; status: string | null; closed_date: string | null }[]): FleetAlert[] {
  return faults
    .filter(isOpenFault)
    .map((fault) => ({ kind: 'open_fault' as const, level: 'overdue' as const, subject_id: fault.id }))
}
