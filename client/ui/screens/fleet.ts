/**
 * Araçlar and Sürücüler: the region's vehicles and drivers, with the legacy program's alerts
 * (schema/fleet.ts): oil change by kilometre, inspection, insurance and maintenance dates,
 * items failed in the last two inspections, open faults, and driving licences running out.
 */
import { html, nothing, type TemplateResult } from 'lit'
import type { Row } from '../../../crdt/mirror.ts'
import {
  driverAlerts,
  openFaultAlerts,
  repeatedFailures,
  vehicleAlerts,
  type FleetAlert,
  type InspectionFacts,
} from '../../../schema/fleet.ts'
import { formatNumber, t, todayIso, type Lang } from '../i18n.ts'
import { optionalNum, optionalText, text } from '../live-query.ts'
import { Screen } from '../screen.ts'
import { shared } from '../styles.ts'
import '../record-editor.ts'

const VEHICLE_FIELDS = [
  'plate',
  'brand',
  'model',
  'year',
  'km',
  'oil_change_km',
  'oil_interval_km',
  'oil_change_date',
  'inspection_date',
  'insurance_date',
  'maintenance_date',
  'notes',
] as const
const VEHICLE_COLUMNS = ['plate', 'brand', 'model', 'km', 'oil_change_km', 'inspection_date', 'insurance_date', 'maintenance_date'] as const
const DRIVER_FIELDS = ['full_name', 'license_class', 'license_expiry', 'phone', 'notes'] as const

/** One alert in words, e.g. "Muayene 12 gün gecikti". */
export function alertText(lang: Lang, alert: FleetAlert, subject = ''): string {
  if (alert.kind === 'repeated_failure') return t(lang, 'alert.repeated_failure', { item: alert.item_key ?? '' })
  if (alert.kind === 'open_fault') return t(lang, 'alert.open_fault', { item: subject })
  const n = formatNumber(lang, Math.abs(alert.amount ?? 0))
  return t(lang, `alert.${alert.kind}.${alert.level}`, { n })
}

function badges(lang: Lang, alerts: readonly FleetAlert[]): TemplateResult | typeof nothing {
  if (alerts.length === 0) return nothing
  return html`${alerts.map((a) => html`<span class="badge ${a.level}" data-testid="fleet-alert">${alertText(lang, a)}</span> `)}`
}

export class VehiclesScreen extends Screen {
  static override styles = [shared]

  private readonly vehicles = this.regionQuery('SELECT id, km, oil_change_km, oil_interval_km, inspection_date, insurance_date, maintenance_date FROM vehicles WHERE region = ?', ['vehicles'])

  private readonly inspections = this.regionQuery(
    `SELECT i.id, i.vehicle_id, i.inspection_date, r.item_key, r.status
       FROM vehicle_inspections i LEFT JOIN vehicle_inspection_results r ON r.region = i.region AND r.inspection_id = i.id
      WHERE i.region = ?`,
    ['vehicle_inspections', 'vehicle_inspection_results'],
  )

  private readonly faults = this.regionQuery('SELECT id, vehicle_id, title, status, closed_date FROM vehicle_faults WHERE region = ?', ['vehicle_faults'])

  /** Alerts per vehicle id, from the rows the live queries hold now. */
  private alertsByVehicle(): Map<string, FleetAlert[]> {
    const today = todayIso()
    const byVehicle = new Map<string, FleetAlert[]>()
    const add = (vehicle: string, alert: FleetAlert): void => {
      byVehicle.set(vehicle, [...(byVehicle.get(vehicle) ?? []), alert])
    }
    for (const v of this.vehicles.rows) {
      const facts = {
        id: text(v.id),
        km: optionalNum(v.km),
        oil_change_km: optionalNum(v.oil_change_km),
        oil_interval_km: optionalNum(v.oil_interval_km),
        inspection_date: optionalText(v.inspection_date),
        insurance_date: optionalText(v.insurance_date),
        maintenance_date: optionalText(v.maintenance_date),
      }
      for (const alert of vehicleAlerts(facts, today)) add(facts.id, alert)
    }
    const inspections = new Map<string, InspectionFacts & { results: Record<string, string> }>()
    for (const row of this.inspections.rows) {
      const id = text(row.id)
      const facts = inspections.get(id) ?? { id, vehicle_id: text(row.vehicle_id), inspection_date: text(row.inspection_date), results: {} }
      if (row.item_key !== null) facts.results[text(row.item_key)] = text(row.status)
      inspections.set(id, facts)
    }
    for (const alert of repeatedFailures([...inspections.values()])) add(alert.subject_id, alert)
    const faultRows = this.faults.rows.map((f) => ({ id: text(f.id), status: optionalText(f.status), closed_date: optionalText(f.closed_date) }))
    const faultById = new Map(this.faults.rows.map((f) => [text(f.id), f]))
    for (const alert of openFaultAlerts(faultRows)) {
      const fault = faultById.get(alert.subject_id)
      if (fault !== undefined) add(text(fault.vehicle_id), { ...alert, item_key: text(fault.title) })
    }
    return byVehicle
  }

  override render(): TemplateResult {
    const lang = this.language
    const alerts = this.alertsByVehicle()
    const note = (row: Row): TemplateResult | typeof nothing => {
      const list = alerts.get(text(row.id)) ?? []
      if (list.length === 0) return nothing
      return html`${list.map((a) => html`<span class="badge ${a.level}" data-testid="fleet-alert">${alertText(lang, a, a.item_key)}</span> `)}`
    }
    return html`<rs-record-editor
      table="vehicles"
      .fields=${VEHICLE_FIELDS}
      .listFields=${VEHICLE_COLUMNS}
      .rowNote=${note}
      heading=${t(lang, 'tab.vehicles')}
    ></rs-record-editor>`
  }
}

export class DriversScreen extends Screen {
  override render(): TemplateResult {
    const lang = this.language
    const today = todayIso()
    const note = (row: Row): TemplateResult | typeof nothing =>
      badges(lang, driverAlerts({ id: text(row.id), license_expiry: optionalText(row.license_expiry) }, today))
    return html`<rs-record-editor
      table="drivers"
      .fields=${DRIVER_FIELDS}
      .rowNote=${note}
      heading=${t(lang, 'tab.drivers')}
    ></rs-record-editor>`
  }
}

customElements.define('rs-vehicles', VehiclesScreen)
customElements.define('rs-drivers', DriversScreen)
