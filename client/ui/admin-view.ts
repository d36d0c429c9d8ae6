/**
 * <rainstaff-admin>: the head office's read-only view, served by the relay at /admin.html. It
 * signs in as the admin and opens every region through the same engine (read-only: the admin's
 * session writes no region, and the relay refuses writes anyway), then shows totals per region,
 * the latest entries across regions, the month's hours per region as a chart and the PCs online.
 * Every month is in the device's mirror as rows fetched from the relay (client/offlineMirror.ts):
 * stepping through months opens no document.
 * Nothing here edits the regions' data. What it changes are the relay's control actions: accounts
 * (users-panel.ts, the relay's /api/users) and the admin's own password, closing and reopening
 * months (month-closing.ts), deciding late edits (late-edits-panel.ts) and the holiday calendar
 * (holidays-panel.ts). The fleet panel (admin-fleet-panel.ts) only reads.
 */
import { css, html, LitElement, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import { BilingualError } from '../../schema/bilingual.ts'
import { hourSettingsFrom, monthlyHours, round2 } from '../../schema/hours.ts'
import { monthRange } from '../report.ts'
import { ShownMonths } from './shown-months.ts'
import { formatDate, formatDateTime, formatHours, formatMonth, formatNumber, t, todayIso } from './i18n.ts'
import { LanguageController } from './language-controller.ts'
import { liveQuery, num, text } from './live-query.ts'
import { shared } from './styles.ts'
import { lastSignIn } from './remembered-session.ts'
import { openWorkspace, servingRelay, type Credentials, type Presence, type Workspace } from './workspace.ts'
import { loneSeat, WorkspaceController } from './workspace-controller.ts'
import './bar-chart.ts'
import type { RsPasswordDialog } from './password-dialog.ts'
import './password-dialog.ts'
import './users-panel.ts'
import type { RsMonthClosing } from './month-closing.ts'
import './month-closing.ts'
import './late-edits-panel.ts'
import './audit-panel.ts'
import './holidays-panel.ts'
import './admin-fleet-panel.ts'
import './sign-in.ts'
import './status-bar.ts'

interface RegionTotals {
  readonly slug: string
  readonly name: string
  readonly employees: number
  readonly timesheets: number
  readonly lastEntryAt: string | null
  readonly lastEntryBy: string | null
  readonly monthHours: number
  readonly pcs: readonly Presence[]
}

function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1 + delta, 1)).toISOString().slice(0, 7)
}

export class RainstaffAdmin extends LitElement {
  static override properties: PropertyDeclarations = {
    month: { state: true },
  }

  static override styles = [
    shared,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 100vh;
      }
      header {
        display: flex;
        align-items: center;
        gap: 1rem;
        padding: 0.5rem 1rem;
        background: var(--head);
        color: white;
      }
      header h1 {
        font-size: 1.1rem;
        margin: 0;
      }
      header .tools {
        margin-left: auto;
        display: flex;
        gap: 0.6rem;
        align-items: center;
      }
      main {
        flex: 1;
        padding: 1rem;
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(32rem, 1fr));
        gap: 0 1rem;
        align-content: start;
      }
      rs-status-bar {
        position: sticky;
        bottom: 0;
      }
    `,
  ]

  month = todayIso().slice(0, 7)
  private readonly language = new LanguageController(this)
  /** The admin's workspace: every region read-only; its state and PCs online re-render the dashboard. */
  private readonly workspaceController = new WorkspaceController(this, {
    open: async (credentials) => {
      const ws = await openWorkspace(credentials)
      if (ws.session.user.role !== 'admin') {
        await ws.close()
        // Told in both languages, whichever the page shows.
        const both = `${t('tr', 'signIn.adminOnly')} / ${t('en', 'signIn.adminOnly')}`
        throw new BilingualError({ tr: both, en: both })
      }
      return loneSeat(ws)
    },
    language: () => this.language.value,
    detached: () => (this.monthChosen = false),
  })
  private readonly shownMonths = new ShownMonths(this, () => {
    const ws = this.workspace
    if (ws === undefined) return undefined
    const { start, end } = monthRange(this.shownMonth(ws))
    return { offline: ws.offline, regions: ws.engine.regions, from: start, to: end }
  })

  /** Set once the admin steps through months; until then the chart follows the latest month with data. */
  monthChosen = false

  /** Re-renders whenever a table the panels read changes. */
  private readonly changes = liveQuery(this, { sql: 'SELECT 1', tables: ['employees', 'timesheets', 'settings'] })

  get workspace(): Workspace | undefined {
    return this.workspaceController.workspace
  }

  override render(): TemplateResult {
    const lang = this.language.value
    const ws = this.workspace
    return html`<header>
        <h1>Rainstaff — ${t(lang, 'admin.title')}</h1>
        <div class="tools">
          ${ws ? html`<span>${ws.session.user.username}</span>` : nothing}
          ${ws
            ? html`<button data-testid="change-password" @click=${() => this.renderRoot.querySelector<RsPasswordDialog>('rs-password-dialog')?.show()}>
                ${t(lang, 'password.change')}
              </button>`
            : nothing}
          <button data-testid="lang" @click=${() => this.language.toggle()}>${t(lang, 'lang.switch')}</button>
          ${ws ? html`<button @click=${() => this.workspaceController.signOut()}>${t(lang, 'signOut')}</button>` : nothing}
        </div>
      </header>
      ${ws ? html`<rs-password-dialog></rs-password-dialog>` : nothing}
      ${ws === undefined ? this.renderSignIn() : this.renderDashboard(ws)}
      ${ws ? html`<rs-status-bar .state=${this.workspaceController.engineState} .offline=${ws.offline} .language=${lang}></rs-status-bar>` : nothing}`
  }

  private renderSignIn(): TemplateResult {
    const last = lastSignIn()
    const lang = this.language.value
    return html`<rs-sign-in
      .language=${lang}
      heading=${t(lang, 'admin.title')}
      .relay=${servingRelay() || last?.relay || ''}
      username="admin"
      .busy=${this.workspaceController.busy}
      .error=${this.workspaceController.error}
      @sign-in=${(e: CustomEvent<Credentials>) => this.workspaceController.signIn(e.detail)}
    ></rs-sign-in>`
  }

  /** The month shown: the one the admin chose, else the latest month holding a timesheet, else this month. */
  private shownMonth(ws: Workspace): string {
    if (this.monthChosen) return this.month
    const latest = ws.mirror.query('SELECT max(work_date) AS d FROM timesheets')[0]?.d
    const month = typeof latest === 'string' && /^\d{4}-\d{2}/.test(latest) ? latest.slice(0, 7) : todayIso().slice(0, 7)
    return month
  }

  private stepMonth(ws: Workspace, delta: number): void {
    this.month = shiftMonth(this.shownMonth(ws), delta)
    this.monthChosen = true
  }

  private totals(ws: Workspace): RegionTotals[] {
    const month = this.shownMonth(ws)
    const { start, end } = monthRange(month)
    return ws.session.regions.map((region) => {
      const q = (sql: string): Record<string, unknown> => ws.mirror.query(sql, [region.slug])[0] ?? {}
      const employees = num(q('SELECT count(*) AS n FROM employees WHERE region = ?').n as number)
      const timesheets = num(q('SELECT count(*) AS n FROM timesheets WHERE region = ?').n as number)
      const last = q('SELECT updated_at, updated_by FROM timesheets WHERE region = ? ORDER BY updated_at DESC LIMIT 1')
      const settings: Record<string, string | null> = {}
      for (const row of ws.mirror.query('SELECT key, value FROM settings WHERE region = ?', [region.slug])) {
        settings[text(row.key)] = row.value === null ? null : text(row.value)
      }
      const shifts = ws.mirror
        .query('SELECT employee_id, work_date, start_time, end_time, break_minutes, is_special FROM timesheets WHERE region = ? AND work_date BETWEEN ? AND ?', [region.slug, start, end])
        .map((r) => ({
          employee_id: text(r.employee_id),
          work_date: text(r.work_date),
          start_time: text(r.start_time),
          end_time: text(r.end_time),
          break_minutes: num(r.break_minutes),
          is_special: num(r.is_special),
        }))
      let monthHours = 0
      for (const sum of monthlyHours(shifts, hourSettingsFrom(settings), month).values()) monthHours += sum.worked
      return {
        slug: region.slug,
        name: region.name,
        employees,
        timesheets,
        lastEntryAt: typeof last.updated_at === 'string' ? last.updated_at : null,
        lastEntryBy: typeof last.updated_by === 'string' ? last.updated_by : null,
        monthHours: round2(monthHours),
        pcs: ws.status.peers(region.slug),
      }
    })
  }

  private renderDashboard(ws: Workspace): TemplateResult {
    const lang = this.language.value
    const totals = this.totals(ws)
    const names = new Map(ws.session.regions.map((r) => [r.slug, r.name]))
    const recent = ws.mirror.query(
      `SELECT t.region, t.work_date, t.start_time, t.end_time, t.updated_by, t.updated_at, coalesce(e.full_name, '') AS employee
         FROM timesheets t LEFT JOIN employees e ON e.region = t.region AND e.id = t.employee_id
        ORDER BY t.updated_at DESC LIMIT 15`,
    )
    return html`<main data-testid="admin-dashboard" @late-edits-decided=${() => void this.renderRoot.querySelector<RsMonthClosing>('rs-month-closing')?.refresh()}>
      <section>
        <h2>${t(lang, 'admin.totals')}</h2>
        <table data-testid="region-totals">
          <thead>
            <tr>
              <th>${t(lang, 'region')}</th>
              <th class="num">${t(lang, 'admin.employees')}</th>
              <th class="num">${t(lang, 'admin.timesheets')}</th>
              <th>${t(lang, 'admin.lastEntry')}</th>
            </tr>
          </thead>
          <tbody>
            ${totals.map(
              (r) => html`<tr data-testid="region-row" data-region=${r.slug}>
                <td>${r.name}</td>
                <td class="num" data-testid="employees">${formatNumber(lang, r.employees)}</td>
                <td class="num" data-testid="timesheets">${formatNumber(lang, r.timesheets)}</td>
                <td>${r.lastEntryAt ? `${formatDateTime(lang, r.lastEntryAt)} (${r.lastEntryBy ?? ''})` : t(lang, 'empty')}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </section>
      <section>
        <h2>${t(lang, 'admin.monthly')}</h2>
        <div class="row" style="margin-bottom:0.5rem">
          <button data-testid="month-prev" @click=${() => this.stepMonth(ws, -1)} aria-label="previous month">◀</button>
          <strong data-testid="chart-month" data-month=${this.shownMonth(ws)}>${formatMonth(lang, this.shownMonth(ws))}</strong>
          <button data-testid="month-next" @click=${() => this.stepMonth(ws, 1)} aria-label="next month">▶</button>
        </div>
        <rs-bar-chart
          .bars=${totals.map((r) => ({ label: r.name, value: r.monthHours }))}
          .format=${(v: number) => `${formatHours(lang, v)} ${t(lang, 'admin.hours')}`}
          caption=${t(lang, 'admin.monthly')}
        ></rs-bar-chart>
      </section>
      <section>
        <h2>${t(lang, 'admin.recent')}</h2>
        <table data-testid="recent-entries">
          <thead>
            <tr>
              <th>${t(lang, 'region')}</th>
              <th>${t(lang, 'puantaj.employee')}</th>
              <th>${t(lang, 'puantaj.date')}</th>
              <th>${t(lang, 'puantaj.start')}–${t(lang, 'puantaj.end')}</th>
              <th>${t(lang, 'admin.by')}</th>
              <th>${t(lang, 'admin.at')}</th>
            </tr>
          </thead>
          <tbody>
            ${recent.length === 0 ? html`<tr><td colspan="6" class="muted">${t(lang, 'list.empty')}</td></tr>` : nothing}
            ${recent.map(
              (r) => html`<tr data-testid="recent-entry">
                <td>${names.get(text(r.region)) ?? text(r.region)}</td>
                <td>${text(r.employee)}</td>
                <td>${formatDate(lang, text(r.work_date))}</td>
                <td>${text(r.start_time)}–${text(r.end_time)}</td>
                <td>${text(r.updated_by)}</td>
                <td>${formatDateTime(lang, text(r.updated_at))}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </section>
      <rs-month-closing style="grid-column: 1 / -1"></rs-month-closing>
      <rs-late-edits style="grid-column: 1 / -1"></rs-late-edits>
      <rs-audit style="grid-column: 1 / -1"></rs-audit>
      <rs-holidays></rs-holidays>
      <rs-admin-fleet></rs-admin-fleet>
      <rs-users-panel style="grid-column: 1 / -1"></rs-users-panel>
      <section>
        <h2>${t(lang, 'admin.pcs')}</h2>
        <table data-testid="pcs-online">
          <tbody>
            ${totals.map(
              (r) => html`<tr data-region=${r.slug}>
                <td>${r.name}</td>
                <td data-testid="pcs">${r.pcs.length === 0 ? html`<span class="muted">${t(lang, 'status.noPeers')}</span>` : r.pcs.map((p) => `${p.device} (${p.user})`).join(', ')}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </section>
    </main>`
  }
}

customElements.define('rainstaff-admin', RainstaffAdmin)
