/**
 * A vehicle's odometer over time, from what the records hold: the km of each weekly inspection on
 * its date, the km of the last oil change on its date, and the vehicle's own km on the day it was
 * last entered. Sorted by date, with every reading lower than the one before it flagged: an
 * odometer never goes back, so one of the two was typed wrong (or onto the wrong vehicle).
 *
 * The vehicle's km has no history of its own (an edit replaces it), so its day is the one the
 * caller knows: the km field's own stamp when the document is at hand, else the record's last
 * edit (which a change of another field moves on too). With no day at all it is read as the
 * latest. Readings of one day are put in ascending order: which came first that day is unknown,
 * and a drop is only flagged across days.
 */

export type KmSource = 'inspection' | 'oil_change' | 'vehicle'

export interface KmReading {
  /** ISO day, or null for the vehicle's km entered on a day nobody knows. */
  readonly date: string | null
  readonly km: number
  readonly source: KmSource
  /** The record the reading is in: the inspection, or the vehicle (its km or its oil change). */
  readonly table: 'vehicles' | 'vehicle_inspections'
  readonly record: string
}

/** A reading lower than the one before it. */
export interface KmDrop {
  readonly reading: KmReading
  readonly previous: KmReading
}

export interface KmHistory {
  readonly readings: readonly KmReading[]
  readonly drops: readonly KmDrop[]
  /** The latest reading: the odometer as far as the records know. */
  readonly current: KmReading | undefined
}

export interface KmVehicle {
  readonly id: string
  readonly km: number | null
  /** The day the km was last entered (ISO date or timestamp); null when unknown. */
  readonly km_entered_on: string | null
  readonly oil_change_km: number | null
  readonly oil_change_date: string | null
}

export interface KmInspection {
  readonly id: string
  readonly inspection_date: string
  readonly km: number | null
}

/** The ISO day a date or timestamp names (`2026-01-05T08:00:00Z` → `2026-01-05`), else undefined. */
export function isoDay(value: string | null): string | undefined {
  if (value === null) return undefined
  const day = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/.exec(value)
  return day === null ? undefined : value.slice(0, 10)
}

const isKm = (km: number | null): km is number => typeof km === 'number' && Number.isFinite(km) && km >= 0

function byDate(a: KmReading, b: KmReading): number {
  if (a.date !== b.date) {
    if (a.date === null) return 1
    if (b.date === null) return -1
    return a.date < b.date ? -1 : 1
  }
  return a.km - b.km
}

/**
 * The history of one vehicle from its row and its inspections (those of other vehicles are left
 * out). Inspections without a km or with a date that is no day (a legacy file's text) give no
 * reading; neither does an oil change without a date.
 */
export function buildKmHistory(vehicle: KmVehicle, inspections: readonly (KmInspection & { readonly vehicle_id?: string })[]): KmHistory {
  const readings: KmReading[] = []
  for (const inspection of inspections) {
    if (inspection.vehicle_id !== undefined && inspection.vehicle_id !== vehicle.id) continue
    const date = isoDay(inspection.inspection_date)
    if (date !== undefined && isKm(inspection.km)) {
      readings.push({ date, km: inspection.km, source: 'inspection', table: 'vehicle_inspections', record: inspection.id })
    }
  }
  const oilDate = isoDay(vehicle.oil_change_date)
  if (oilDate !== undefined && isKm(vehicle.oil_change_km)) {
    readings.push({ date: oilDate, km: vehicle.oil_change_km, source: 'oil_change', table: 'vehicles', record: vehicle.id })
  }
  if (isKm(vehicle.km)) {
    readings.push({ date: isoDay(vehicle.km_entered_on) ?? null, km: vehicle.km, source: 'vehicle', table: 'vehicles', record: vehicle.id })
  }
  readings.sort(byDate)
  const drops: KmDrop[] = []
  for (let i = 1; i < readings.length; i++) {
    const previous = readings[i - 1]!
    const reading = readings[i]!
    if (reading.km < previous.km) drops.push({ reading, previous })
  }
  return { readings, drops, current: readings.at(-1) }
}
