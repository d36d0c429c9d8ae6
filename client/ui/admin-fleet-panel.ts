/**
 * <rs-admin-fleet>: the head office's fleet panel in the admin view. Every region's fleet alerts
 * (client/fleetAlerts.ts over every month the admin's mirror holds) counted per region and by how
 * pressing they are, and a region's list (kind, plate or driver, sentence) opened from its row.
 * Read-only: it offers nothing to change, and the admin writes no region anyway.
 */
import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import type { AlertSeverity, FleetAlertEntry } from '../../schema/fleetAlerts.ts'
import { fleetAlerts, kmEnteredFrom } from '../fleetAlerts.ts'
import { FLEET_ALERT_TABLES, renderAlertTable } from './fleet-alerts-panel.ts'
import { formatNumber, t } from './i18n.ts'
import { MirrorReading } from './mirror-reading.ts'
import { WorkspaceElement } from './screen.ts'
import { shared } from './styles.ts'

const SEVERITIES: readonly AlertSeverity[] = ['due', 'soon', 'check']

export class AdminFleetPanel extends WorkspaceElement {
  static override properties: PropertyDeclarations = {
    shown: { state: true },
  }

  static override styles = [shared]

  /** The region whose list is open. */
  shown = ''

  private readonly alerts = new MirrorReading<FleetAlertEntry[]>(
    this,
    () => {
      const ws = this.workspace
      if (ws === undefined) return undefined
      const kmEnteredOn = kmEnteredFrom(ws.engine)
      return { key: 'all', tables: FLEET_ALERT_TABLES, read: (mirror) => fleetAlerts(mirror, { kmEnteredOn }) }
    },
    [],
  )

  override render(): TemplateResult {
    const lang = this.language
    const regions = this.workspace?.session.regions ?? []
    const name = (slug: string): string => regions.find((r) => r.slug === slug)?.name ?? slug
    const all = this.alerts.value
    const count = (region: string | undefined, severity?: AlertSeverity): number =>
      all.filter((e) => (region === undefined || e.region === region) && (severity === undefined || e.severity === severity)).length
    const shown = this.shown === '' ? [] : all.filter((e) => e.region === this.shown)
    return html`<section data-testid="admin-fleet">
      <h2>${t(lang, 'adminFleet.title')}</h2>
      <table data-testid="admin-fleet-counts">
        <thead>
          <tr>
            <th>${t(lang, 'region')}</th>
            ${SEVERITIES.map((s) => html`<th class="num">${t(lang, `alerts.severity.${s}`)}</th>`)}
            <th class="num">${t(lang, 'adminFleet.total')}</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${regions.map(
            (r) => html`<tr data-testid="admin-fleet-region" data-region=${r.slug}>
              <td>${r.name}</td>
              ${SEVERITIES.map((s) => html`<td class="num" data-severity=${s}>${formatNumber(lang, count(r.slug, s))}</td>`)}
              <td class="num" data-testid="admin-fleet-total">${formatNumber(lang, count(r.slug))}</td>
              <td>
                <button class="link" data-testid="admin-fleet-show" aria-expanded=${this.shown === r.slug ? 'true' : 'false'} @click=${() => (this.shown = this.shown === r.slug ? '' : r.slug)}>
                  ${t(lang, this.shown === r.slug ? 'adminFleet.hide' : 'adminFleet.show')}
                </button>
              </td>
            </tr>`,
          )}
        </tbody>
        <tfoot>
          <tr>
            <td>${t(lang, 'adminFleet.total')}</td>
            ${SEVERITIES.map((s) => html`<td class="num">${formatNumber(lang, count(undefined, s))}</td>`)}
            <td class="num">${formatNumber(lang, all.length)}</td>
            <td></td>
          </tr>
        </tfoot>
      </table>
      ${this.shown === ''
        ? nothing
        : html`<h3 data-testid="admin-fleet-list-title">${t(lang, 'adminFleet.list', { region: name(this.shown) })}</h3>
            ${renderAlertTable(lang, shown, name)}`}
    </section>`
  }
}

customElements.define('rs-admin-fleet', AdminFleetPanel)

declare global {
  interface HTMLElementTagNameMap {
    'rs-admin-fleet': AdminFleetPanel
  }
}
