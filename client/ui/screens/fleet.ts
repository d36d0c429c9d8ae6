/**
 * Araçlar and Sürücüler: the region's vehicles and drivers. Each row carries its fleet alerts as
 * badges and the Araçlar screen lists them all with their sentences (client/fleetAlerts.ts over
 * every month the mirror holds: oil change by km and by date, muayene, insurance, maintenance,
 * items failed twice, open faults, km going down; licences on Sürücüler). A vehicle's km history
 * and its oil change open below the list (vehicle-km.ts).
 */
import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import type { Row } from '../../../crdt/mirror.ts'
import { t } from '../i18n.ts'
import { text } from '../live-query.ts'
import { regionFleetAlerts, renderAlertTable, renderBadges } from '../fleet-alerts-panel.ts'
import { Screen } from '../screen.ts'
import { shared } from '../styles.ts'
import '../record-editor.ts'
import './vehicle-km.ts'

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

export class VehiclesScreen extends Screen {
  static override properties: PropertyDeclarations = {
    shownVehicle: { state: true },
  }

  static override styles = [shared]

  /** The vehicle whose km history is open. */
  shownVehicle = ''
  private readonly alerts = regionFleetAlerts(this)
  private readonly faults = this.regionQuery('SELECT id, title FROM vehicle_faults WHERE region = ?', ['vehicle_faults'])

  override render(): TemplateResult {
    const lang = this.language
    const alerts = this.alerts.value
    const titles = new Map(this.faults.rows.map((f) => [text(f.id), text(f.title)]))
    const note = (row: Row): TemplateResult => {
      const id = text(row.id)
      return html`${renderBadges(
          lang,
          alerts.filter((e) => e.vehicle_id === id),
          (fault) => titles.get(fault) ?? '',
        )}<button class="link" data-testid="show-km" @click=${() => this.showKm(id)}>${t(lang, 'km.show')}</button>`
    }
    return html`<rs-record-editor
        table="vehicles"
        .fields=${VEHICLE_FIELDS}
        .listFields=${VEHICLE_COLUMNS}
        .rowNote=${note}
        heading=${t(lang, 'tab.vehicles')}
      ></rs-record-editor>
      <rs-vehicle-km .vehicle=${this.shownVehicle} .alerts=${alerts} @vehicle-change=${(e: CustomEvent<string>) => (this.shownVehicle = e.detail)}></rs-vehicle-km>
      <section data-testid="fleet-alerts">
        <h2>${t(lang, 'alerts.title')} — ${this.regionName()}</h2>
        ${renderAlertTable(lang, alerts)}
      </section>`
  }

  private showKm(id: string): void {
    this.shownVehicle = id
    void this.updateComplete.then(() => this.renderRoot.querySelector('rs-vehicle-km')?.scrollIntoView({ block: 'nearest' }))
  }
}

export class DriversScreen extends Screen {
  private readonly alerts = regionFleetAlerts(this)

  override render(): TemplateResult {
    const lang = this.language
    const note = (row: Row): TemplateResult | typeof nothing =>
      renderBadges(
        lang,
        this.alerts.value.filter((e) => e.table === 'drivers' && e.record === text(row.id)),
      )
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
