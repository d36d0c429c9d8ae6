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
 * (holidays-panel.ts).
 */
import { css, html, LitElement, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import type { EngineState } from '../engine.ts'
import { hourSettingsFrom, monthlyHours, round2 } from '../../schema/hours.ts'
import { monthRange } from '../report.ts'
import { ShownMonths } from './shown-months.ts'
import { formatDate, formatDateTime, formatHours, formatMonth, formatNumber, saveLang, savedLang, t, todayIso, type Lang } from './i18n.ts'
import { LiveQuery, num, text } from './live-query.ts'
import { errorIn } from './screen.ts'
import { shared } from './styles.ts'
import { followAwareness, followNetwork, lastSignIn, openWorkspace, peersOf, servingRelay, type Credentials, type Presence, type Workspace } from './workspace.ts'
import './bar-chart.ts'
import type { RsPasswordDialog } from './password-dialog.ts'
import './password-dialog.ts'
import './users-panel.ts'
import type { RsMonthClosing } from './month-closing.ts'
import './month-closing.ts'
import './late-edits-panel.ts'
import './holidays-panel.ts'
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
    language: { state: true },
    workspace: { state: true },
    engineState: { state: true },
    month: { state: true },
    busy: { state: true },
    error: { state: true },
    presenceVersion: { state: true },
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

  language: Lang = savedLang()
  workspace: Workspace | undefined = undefined
  engineState: EngineState | undefined = undefined
  month = todayIso().slice(0, 7)
  private readonly shownMonths = new ShownMonths(this, () => {
    const ws = this.workspace
    if (ws === undefined) return undefined
    const { start, end } = monthRange(this.shownMonth(ws))
    return { offline: ws.offline, regions: ws.engine.regions, from: start, to: end }
  })

  /** Set once the admin steps through months; until then the chart follows the latest month with data. */
  monthChosen = false
  busy = false
  error = ''
  /** Bumped when any region's awareness changes (PCs coming and going). */
  presenceVersion = 0
  private cleanups: Array<() => void> = []

  /** Re-renders whenever a table the panels read changes. */
  private readonly changes = new LiveQuery(this, () =>
    this.workspace && { mirror: this.workspace.mirror, sql: 'SELECT 1', tables: ['employees', 'timesheets', 'settings'] },
  )

  override render(): TemplateResult {
    const lang = this.language
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
          <button data-testid="lang" @click=${() => this.setLang(lang === 'tr' ? 'en' : 'tr')}>${t(lang, 'lang.switch')}</button>
          ${ws ? html`<button @click=${this.signOut}>${t(lang, 'signOut')}</button>` : nothing}
        </div>
      </header>
      ${ws ? html`<rs-password-dialog .workspace=${ws} .language=${lang}></rs-password-dialog>` : nothing}
      ${ws === undefined ? this.renderSignIn() : this.renderDashboard(ws)}
      ${ws ? html`<rs-status-bar .state=${this.engineState} .offline=${ws.offline} .language=${lang}></rs-status-bar>` : nothing}`
  }

  private renderSignIn(): TemplateResult {
    const last = lastSignIn()
    return html`<rs-sign-in
      .language=${this.language}
      heading=${t(this.language, 'admin.title')}
      .relay=${servingRelay() || last?.relay || ''}
      username="admin"
      .busy=${this.busy}
      .error=${this.error}
      @sign-in=${(e: CustomEvent<Credentials>) => this.signIn(e.detail)}
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
        pcs: peersOf(ws.engine, region.slug),
      }
    })
  }

  private renderDashboard(ws: Workspace): TemplateResult {
    const lang = this.language
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
      <rs-month-closing .workspace=${ws} .language=${lang} style="grid-column: 1 / -1"></rs-month-closing>
      <rs-late-edits .workspace=${ws} .language=${lang} style="grid-column: 1 / -1"></rs-late-edits>
      <rs-holidays .workspace=${ws} .language=${lang}></rs-holidays>
      <rs-users-panel .workspace=${ws} .language=${lang} style="grid-column: 1 / -1"></rs-users-panel>
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

  private setLang(lang: Lang): void {
    this.language = lang
    saveLang(lang)
    document.documentElement.lang = lang
  }

  private async signIn(credentials: Credentials): Promise<void> {
    this.busy = true
    this.error = ''
    try {
      const ws = await openWorkspace(credentials)
      if (ws.session.user.role !== 'admin') {
        await ws.close()
        this.error = `${t('tr', 'signIn.adminOnly')} / ${t('en', 'signIn.adminOnly')}`
        return
      }
      this.attach(ws)
    } catch (error) {
      this.error = errorIn(this.language, error)
    } finally {
      this.busy = false
    }
  }

  private attach(ws: Workspace): void {
    const engine = ws.engine
    this.workspace = ws
    this.engineState = engine.state
    const onState = (state: EngineState): void => {
      this.engineState = state
    }
    engine.on('state', onState)
    this.cleanups.push(() => engine.off('state', onState))
    this.cleanups.push(followNetwork(engine))
    const onAwareness = (): void => {
      this.presenceVersion++
    }
    this.cleanups.push(followAwareness(engine, onAwareness))
  }

  private signOut = async (): Promise<void> => {
    const ws = this.workspace
    for (const cleanup of this.cleanups.splice(0)) cleanup()
    this.workspace = undefined
    this.monthChosen = false
    this.engineState = undefined
    await ws?.close().catch((error: unknown) => (this.error = errorIn(this.language, error)))
  }
}

customElements.define('rainstaff-admin', RainstaffAdmin)
