/**
 * <rs-vehicle-km>: one vehicle's view on the Araçlar screen — its km history (client/fleetAlerts.ts
 * kmHistory: the weekly inspections' km, the last oil change, the vehicle's own km on the day its
 * field was entered) as a chart and a list with the drops marked, the next oil change's km, and
 * the vehicle's alerts in full sentences (the oil change among them). The vehicle is chosen in its
 * select or from a row's "Km geçmişi".
 */
import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import type { FleetAlertEntry } from '../../../schema/fleetAlerts.ts'
import { DEFAULT_OIL_INTERVAL_KM } from '../../../schema/fleet.ts'
import { fieldLabelText } from '../../../schema/labels.ts'
import type { KmHistory } from '../../../schema/kmHistory.ts'
import { kmEnteredFrom, kmHistory } from '../../fleetAlerts.ts'
import { formatDate, formatNumber, formatPlate, t } from '../i18n.ts'
import { optionalNum, text } from '../live-query.ts'
import { MirrorReading } from '../mirror-reading.ts'
import { Screen } from '../screen.ts'
import { shared } from '../styles.ts'
import { renderAlertTable } from '../fleet-alerts-panel.ts'
import '../km-chart.ts'

const collator = new Intl.Collator('tr')
const NO_HISTORY: KmHistory = { readings: [], drops: [], current: undefined }

export class VehicleKm extends Screen {
  static override properties: PropertyDeclarations = {
    vehicle: {},
    alerts: { attribute: false },
  }

  static override styles = [shared]

  /** The vehicle's id; blank until one is chosen. */
  vehicle = ''
  /** The region's alerts (the screen reads them once for its rows and this view). */
  alerts: readonly FleetAlertEntry[] = []

  private readonly vehicles = this.regionQuery('SELECT id, plate, oil_change_km, oil_interval_km FROM vehicles WHERE region = ?', ['vehicles'])

  private readonly history = new MirrorReading<KmHistory>(
    this,
    () => {
      const ws = this.workspace
      if (ws === undefined || this.vehicle === '') return undefined
      const kmEnteredOn = kmEnteredFrom(ws.engine)
      const [region, vehicle] = [this.region, this.vehicle]
      return { key: `${region}\u0000${vehicle}`, tables: ['vehicles', 'vehicle_inspections'], read: (mirror) => kmHistory(mirror, region, vehicle, { kmEnteredOn }) }
    },
    NO_HISTORY,
  )

  override render(): TemplateResult {
    const lang = this.language
    const vehicles = [...this.vehicles.rows].sort((a, b) => collator.compare(formatPlate(text(a.plate)), formatPlate(text(b.plate))))
    const row = vehicles.find((v) => text(v.id) === this.vehicle)
    const plate = row === undefined ? '' : formatPlate(text(row.plate))
    return html`<section data-testid="vehicle-km">
      <h2>${t(lang, 'km.title')}</h2>
      <label
        >${fieldLabelText('vehicle_id')[lang]}
        <select data-testid="km-vehicle" @change=${this.choose}>
          <option value="" ?selected=${row === undefined}>${t(lang, 'inspection.chooseVehicle')}</option>
          ${vehicles.map((v) => html`<option value=${text(v.id)} ?selected=${text(v.id) === this.vehicle}>${formatPlate(text(v.plate))}</option>`)}
        </select></label
      >
      ${row === undefined ? nothing : this.renderVehicle(plate, optionalNum(row.oil_change_km), optionalNum(row.oil_interval_km))}
    </section>`
  }

  /** Told to the screen, which holds the vehicle shown (a row's "Km geçmişi" sets it too). */
  private choose = (event: Event): void => {
    this.vehicle = (event.target as HTMLSelectElement).value
    this.dispatchEvent(new CustomEvent('vehicle-change', { detail: this.vehicle, bubbles: true, composed: true }))
  }

  private renderVehicle(plate: string, oilChangeKm: number | null, oilIntervalKm: number | null): TemplateResult {
    const lang = this.language
    const history = this.history.value
    const current = history.current
    const dropped = new Set(history.drops.map((d) => d.reading))
    const own = this.alerts.filter((e) => e.vehicle_id === this.vehicle)
    return html`<p data-testid="km-summary">
        ${current === undefined ? t(lang, 'km.none') : t(lang, 'km.current', { km: formatNumber(lang, current.km) })}
        ${oilChangeKm === null ? nothing : html` · <span data-testid="km-next-oil">${t(lang, 'km.nextOil', { km: formatNumber(lang, oilChangeKm + (oilIntervalKm || DEFAULT_OIL_INTERVAL_KM)) })}</span>`}
      </p>
      <rs-km-chart .history=${history} .language=${lang} caption=${t(lang, 'km.chart', { plate })}></rs-km-chart>
      ${history.readings.length === 0
        ? nothing
        : html`<table data-testid="km-readings">
            <thead>
              <tr>
                <th>${t(lang, 'km.date')}</th>
                <th class="num">${t(lang, 'km.reading')}</th>
                <th>${t(lang, 'km.source')}</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${history.readings.map(
                (r) => html`<tr data-testid="km-reading" data-drop=${dropped.has(r) ? 'true' : 'false'}>
                  <td>${r.date === null ? t(lang, 'km.unknownDate') : formatDate(lang, r.date)}</td>
                  <td class="num">${formatNumber(lang, r.km)}</td>
                  <td>${t(lang, `km.source.${r.source}`)}</td>
                  <td>${dropped.has(r) ? html`<span class="badge overdue">${t(lang, 'km.drop')}</span>` : nothing}</td>
                </tr>`,
              )}
            </tbody>
          </table>`}
      <h3>${t(lang, 'alerts.title')} — ${plate}</h3>
      ${renderAlertTable(lang, own)}`
  }
}

customElements.define('rs-vehicle-km', VehicleKm)

declare global {
  interface HTMLElementTagNameMap {
    'rs-vehicle-km': VehicleKm
  }
}
