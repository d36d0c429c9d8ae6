/**
 * The fleet's alerts on the office screens: one reading of client/fleetAlerts.ts per region (every
 * month the mirror holds, the km history, the km dated by its field stamp), as short badges on a
 * vehicle's or driver's row and as <rs-fleet-alerts>, the region's list with each alert's
 * sentence. The rules are schema/fleetAlerts.ts's; nothing here decides what is due.
 */
import { css, html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import type { FleetAlertEntry, FleetAlertKind } from '../../schema/fleetAlerts.ts'
import { itemLabel } from '../../schema/fleetTexts.ts'
import { fieldLabelText } from '../../schema/labels.ts'
import { fleetAlerts, kmEnteredFrom } from '../fleetAlerts.ts'
import { formatNumber, t, type Lang, type MessageKey } from './i18n.ts'
import { MirrorReading } from './mirror-reading.ts'
import type { WorkspaceHost } from './live-query.ts'
import { Screen } from './screen.ts'
import { shared } from './styles.ts'

/** What the alerts read: a change of one of these reads them again. */
export const FLEET_ALERT_TABLES = ['vehicles', 'drivers', 'vehicle_inspections', 'vehicle_inspection_results', 'vehicle_faults'] as const

/** The region's alerts, most pressing first, read again when the fleet's tables change. */
export function regionFleetAlerts(host: WorkspaceHost & { readonly region: string }): MirrorReading<FleetAlertEntry[]> {
  return new MirrorReading(
    host,
    () => {
      const ws = host.workspace
      if (ws === undefined || host.region === '') return undefined
      const kmEnteredOn = kmEnteredFrom(ws.engine)
      return { key: host.region, tables: FLEET_ALERT_TABLES, read: (mirror) => fleetAlerts(mirror, { region: host.region, kmEnteredOn }) }
    },
    [],
  )
}

/** A row's badges in the legacy program's order: oil, the dates, failing items, faults, then the data checks. */
const KIND_ORDER: readonly FleetAlertKind[] = ['oil', 'oil_date', 'inspection_date', 'insurance_date', 'maintenance_date', 'license_expiry', 'repeated_failure', 'open_fault', 'km_decrease']

/** An alert as a few words on its own row ("Muayene 3 gün gecikti"): the row already names the plate. */
export function badgeText(lang: Lang, entry: FleetAlertEntry, faultTitle = ''): string {
  switch (entry.kind) {
    case 'oil': {
      const left = entry.km_left ?? 0
      return t(lang, left > 0 ? 'alert.oil.soon' : 'alert.oil.overdue', { n: formatNumber(lang, Math.abs(left)) })
    }
    case 'repeated_failure':
      return t(lang, 'alert.repeated_failure', { item: itemLabel(entry.item_key ?? '')[lang] })
    case 'open_fault':
      return t(lang, 'alert.open_fault', { item: faultTitle })
    case 'km_decrease':
      return t(lang, 'alert.km_decrease')
    default: {
      const days = entry.days ?? 0
      return t(lang, `alert.${entry.kind}.${days < 0 ? 'overdue' : 'soon'}` as MessageKey, { n: formatNumber(lang, Math.abs(days)) })
    }
  }
}

const severityClass = (entry: FleetAlertEntry): string => (entry.severity === 'due' ? 'overdue' : entry.severity)

/** The badges of one vehicle (by vehicle_id) or driver (by record) among `entries`. */
export function renderBadges(lang: Lang, entries: readonly FleetAlertEntry[], faultTitle: (id: string) => string = () => ''): TemplateResult | typeof nothing {
  if (entries.length === 0) return nothing
  const sorted = [...entries].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind))
  return html`${sorted.map(
    (e) => html`<span class="badge ${severityClass(e)}" data-testid="fleet-alert" data-kind=${e.kind}>${badgeText(lang, e, faultTitle(e.record))}</span> `,
  )}`
}

/** The alerts as a table: how pressing, what kind, about whom, and the sentence. */
export function renderAlertTable(lang: Lang, entries: readonly FleetAlertEntry[], regionName?: (slug: string) => string): TemplateResult {
  if (entries.length === 0) return html`<p class="muted" data-testid="fleet-alerts-none">${t(lang, 'alerts.none')}</p>`
  return html`<table data-testid="fleet-alert-list">
    <thead>
      <tr>
        <th></th>
        ${regionName ? html`<th>${t(lang, 'region')}</th>` : nothing}
        <th>${t(lang, 'alerts.kind')}</th>
        <th>${t(lang, 'alerts.subject')}</th>
        <th>${fieldLabelText('description')[lang]}</th>
      </tr>
    </thead>
    <tbody>
      ${entries.map(
        (e) => html`<tr data-testid="fleet-alert-entry" data-kind=${e.kind} data-severity=${e.severity} data-region=${e.region} data-record=${e.record}>
          <td><span class="badge ${severityClass(e)}">${t(lang, `alerts.severity.${e.severity}`)}</span></td>
          ${regionName ? html`<td>${regionName(e.region)}</td>` : nothing}
          <td>${t(lang, `alerts.kind.${e.kind}`)}</td>
          <td data-testid="alert-subject">${e.subject}</td>
          <td class="wrap" data-testid="alert-text">${e.text[lang]}</td>
        </tr>`,
      )}
    </tbody>
  </table>`
}

/** <rs-fleet-alerts>: the region's fleet alerts as a list; `vehicle` narrows it to one vehicle. */
export class FleetAlertsPanel extends Screen {
  static override properties: PropertyDeclarations = {
    vehicle: {},
  }

  static override styles = [
    shared,
    css`
      section {
        margin-bottom: 1rem;
      }
    `,
  ]

  vehicle = ''
  private readonly alerts = regionFleetAlerts(this)

  override render(): TemplateResult {
    const lang = this.language
    const entries = this.vehicle === '' ? this.alerts.value : this.alerts.value.filter((e) => e.vehicle_id === this.vehicle)
    return html`<section data-testid="fleet-alerts">
      <h2>${t(lang, 'alerts.title')} — ${this.regionName()} <span class="muted" data-testid="fleet-alert-count">${t(lang, 'alerts.count', { n: formatNumber(lang, entries.length) })}</span></h2>
      ${renderAlertTable(lang, entries)}
    </section>`
  }
}

customElements.define('rs-fleet-alerts', FleetAlertsPanel)

declare global {
  interface HTMLElementTagNameMap {
    'rs-fleet-alerts': FleetAlertsPanel
  }
}
