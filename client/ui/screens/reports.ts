/**
 * Raporlar: the monthly puantaj report of one employee or all, for this region or every region,
 * shown as a summary and downloaded as xlsx in the legacy layout or as CSV. The report is the
 * one the CLI writes (client/report.ts); exceljs loads only when an xlsx is asked for. A month
 * not open is read from the mirror's held rows, fetched from the relay the first time. The
 * month's fleet reports (weekly inspections, service costs) download here too.
 */
import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import { buildReport, monthRange, ReportError, type PuantajReport } from '../../report.ts'
import type { Mirror } from '../../../crdt/mirror.ts'
import type { FleetReportOptions } from '../../fleetReports.ts'
import { reportCsv } from '../../reportCsv.ts'
import { saveFile } from '../download.ts'
import { formatDate, formatHours, formatMonth, t, todayIso } from '../i18n.ts'
import { liveQuery, text } from '../live-query.ts'
import { ShownMonths } from '../shown-months.ts'
import { isPeriod, parseDocumentName, periodLabel } from '../../../schema/periods.ts'
import { errorIn, Screen } from '../screen.ts'
import { shared } from '../styles.ts'

const ALL = '*'
const REPORT_TABLES = ['timesheets', 'employees', 'settings']

/** The legacy file name part for one employee: letters and digits kept, the rest `_`. */
function fileNamePart(name: string): string {
  return name.trim().replace(/[^\p{L}\p{N}]+/gu, '_').replace(/^_+|_+$/g, '') || 'calisan'
}

/** The report narrowed to one employee, named as the legacy program named it. */
export function forEmployee(report: PuantajReport, employeeId: string, name: string): PuantajReport {
  return {
    ...report,
    rows: report.rows.filter((r) => r.employee_id === employeeId),
    totals: report.totals.filter((r) => r.employee_id === employeeId),
    fileName: `puantaj_raporu_${fileNamePart(name)}_${report.start}_${report.end}`,
  }
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** A fleet report as a file; its modules (exceljs above all) load only when one is asked for. */
async function fleetFile(mirror: Mirror, kind: 'inspections' | 'service', format: 'xlsx' | 'csv', options: FleetReportOptions): Promise<{ name: string; bytes: Uint8Array; type: string }> {
  const reports = await import('../../fleetReports.ts')
  const csv = (text: string): Uint8Array => new TextEncoder().encode(text)
  if (kind === 'inspections') {
    const report = reports.inspectionReport(mirror, options)
    const bytes = format === 'csv' ? csv((await import('../../fleetReportCsv.ts')).inspectionReportCsv(report)) : await (await import('../../fleetReportXlsx.ts')).inspectionReportXlsx(report)
    return { name: `${report.fileName}.${format}`, bytes, type: format === 'csv' ? 'text/csv;charset=utf-8' : XLSX_TYPE }
  }
  const report = reports.serviceCostReport(mirror, options)
  const bytes = format === 'csv' ? csv((await import('../../fleetReportCsv.ts')).serviceCostReportCsv(report)) : await (await import('../../fleetReportXlsx.ts')).serviceCostReportXlsx(report)
  return { name: `${report.fileName}.${format}`, bytes, type: format === 'csv' ? 'text/csv;charset=utf-8' : XLSX_TYPE }
}

export class ReportsScreen extends Screen {
  static override properties: PropertyDeclarations = {
    month: { state: true },
    employee: { state: true },
    scope: { state: true },
    error: { state: true },
    notice: { state: true },
  }

  static override styles = [shared]

  month = todayIso().slice(0, 7)
  employee = ''
  /** The region slug, or ALL for every region open. */
  scope = ''
  error = ''
  notice = ''

  private readonly shownMonth = new ShownMonths(this, () => {
    const range = this.workspace && isPeriod(this.month) ? monthRange(this.month) : undefined
    return range && this.workspace && { offline: this.workspace.offline, regions: this.regions(), from: range.start, to: range.end }
  })

  /** Re-renders (so rebuilds the report) whenever a table the report reads changes. */
  private readonly changes = liveQuery(this, { sql: 'SELECT 1', tables: REPORT_TABLES })

  private readonly employees = liveQuery(this, () => ({
    sql: 'SELECT id, full_name, region FROM employees WHERE region = ? OR ? = 1 ORDER BY full_name',
    params: [this.region, this.scope === ALL ? 1 : 0],
    tables: ['employees'],
  }))

  private regions(): string[] {
    if (this.workspace === undefined) return []
    return this.scope === ALL ? this.workspace.engine.regions : [this.region]
  }

  private report(): PuantajReport | string {
    if (this.workspace === undefined) return ''
    try {
      const report = buildReport(this.workspace.mirror, { month: this.month, regions: this.regions(), regionNames: this.workspace.session.regions })
      if (this.employee === '') return report
      const employee = this.employees.rows.find((row) => text(row.id) === this.employee)
      return employee === undefined ? report : forEmployee(report, this.employee, text(employee.full_name))
    } catch (error) {
      if (error instanceof ReportError) return error.message
      throw error
    }
  }

  override render(): TemplateResult {
    const lang = this.language
    const report = this.report()
    return html`<section>
      <h2>${t(lang, 'tab.reports')}</h2>
      <div class="row">
        <label>${t(lang, 'reports.month')}<input type="month" data-testid="report-month" .value=${this.month} @change=${(e: Event) => (this.month = (e.target as HTMLInputElement).value)} /></label>
        <label
          >${t(lang, 'reports.regions')}
          <select data-testid="report-scope" @change=${(e: Event) => ((this.scope = (e.target as HTMLSelectElement).value), (this.employee = ''))}>
            <option value="" ?selected=${this.scope !== ALL}>${this.regionName()}</option>
            <option value=${ALL} ?selected=${this.scope === ALL}>${t(lang, 'reports.allRegions')}</option>
          </select>
        </label>
        <label
          >${t(lang, 'reports.employee')}
          <select data-testid="report-employee" @change=${(e: Event) => (this.employee = (e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${this.employee === ''}>${t(lang, 'puantaj.allEmployees')}</option>
            ${this.employees.rows.map((row) => html`<option value=${text(row.id)} ?selected=${text(row.id) === this.employee}>${text(row.full_name)}</option>`)}
          </select>
        </label>
        <button class="primary" data-testid="download-xlsx" ?disabled=${typeof report === 'string'} @click=${() => this.download(report, 'xlsx')}>${t(lang, 'reports.xlsx')}</button>
        <button data-testid="download-csv" ?disabled=${typeof report === 'string'} @click=${() => this.download(report, 'csv')}>${t(lang, 'reports.csv')}</button>
      </div>
      ${this.renderFleetDownloads()}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.notice ? html`<p class="ok">${this.notice}</p>` : nothing}
      ${this.renderMissing()}
      ${typeof report === 'string' ? (report ? html`<p class="error">${report}</p>` : nothing) : this.renderReport(report)}
    </section>`
  }

  /** Months of the report this PC holds no rows of: being fetched, or never fetched while offline. */
  private renderMissing(): TemplateResult | typeof nothing {
    const missing = this.shownMonth.missing
    if (missing.length === 0) return nothing
    if (this.shownMonth.fetching) return html`<p class="muted" data-testid="report-fetching">${t(this.language, 'reports.fetching')}</p>`
    const months = missing.map((name) => {
      const parsed = parseDocumentName(name)
      return parsed?.period ? `${this.regionName(parsed.region)} ${periodLabel(parsed.period)[this.language]}` : name
    })
    return html`<p class="error" data-testid="report-never-fetched">${t(this.language, 'reports.neverFetched', { months: months.join(', ') })}</p>`
  }

  private renderReport(report: PuantajReport): TemplateResult {
    const lang = this.language
    return html`<h3>${report.companyName ? `${report.companyName} — ` : ''}${report.title}, ${formatMonth(lang, report.month)}</h3>
      <p class="muted">${formatDate(lang, report.start)} – ${formatDate(lang, report.end)} · ${t(lang, 'reports.rows')}: <span data-testid="report-row-count">${report.rows.length}</span></p>
      <div class="scroll">
        <table data-testid="report-summary">
          <thead>
            <tr>
              <th>${t(lang, 'reports.employee')}</th>
              <th>${t(lang, 'region')}</th>
              ${(['worked', 'scheduled', 'overtime', 'night', 'overnight', 'special_normal'] as const).map((k) => html`<th class="num">${t(lang, `hours.${k}`)}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${report.totals.length === 0 ? html`<tr><td colspan="8" class="muted">${t(lang, 'list.empty')}</td></tr>` : nothing}
            ${report.totals.map(
              (row) => html`<tr>
                <td>${row.employee}</td>
                <td>${row.region_name}</td>
                ${(['worked', 'scheduled', 'overtime', 'night', 'overnight', 'special_normal'] as const).map((k) => html`<td class="num">${formatHours(lang, row[k])}</td>`)}
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      ${report.skipped.length > 0
        ? html`<h3>${t(lang, 'reports.skipped')}</h3>
            <ul>
              ${report.skipped.map((s) => html`<li>${this.regionName(s.region)} ${s.id}: ${s.text[lang]}</li>`)}
            </ul>`
        : nothing}`
  }

  /** The month's fleet reports for the same regions, as the CLI's `report --fleet` writes them. */
  private renderFleetDownloads(): TemplateResult {
    const lang = this.language
    const ready = this.workspace !== undefined && isPeriod(this.month)
    const button = (kind: 'inspections' | 'service', format: 'xlsx' | 'csv'): TemplateResult =>
      html`<button data-testid=${`fleet-${kind}-${format}`} ?disabled=${!ready} @click=${() => this.downloadFleet(kind, format)}>${t(lang, `reports.${format}`)}</button>`
    return html`<div class="row" data-testid="fleet-reports" style="margin-top:0.5rem">
      <strong>${t(lang, 'reports.fleet')}:</strong>
      <span>${t(lang, 'reports.inspections')}</span> ${button('inspections', 'xlsx')} ${button('inspections', 'csv')}
      <span>${t(lang, 'reports.service')}</span> ${button('service', 'xlsx')} ${button('service', 'csv')}
    </div>`
  }

  private async downloadFleet(kind: 'inspections' | 'service', format: 'xlsx' | 'csv'): Promise<void> {
    const ws = this.workspace
    if (ws === undefined || !isPeriod(this.month)) return
    this.error = ''
    this.notice = ''
    try {
      const file = await fleetFile(ws.mirror, kind, format, { month: this.month, regions: this.regions(), regionNames: ws.session.regions })
      const path = await saveFile(file.name, file.bytes, file.type)
      if (path !== undefined) this.notice = t(this.language, 'reports.saved', { path })
    } catch (error) {
      this.error = errorIn(this.language, error)
    }
  }

  private async download(report: PuantajReport | string, kind: 'xlsx' | 'csv'): Promise<void> {
    if (typeof report === 'string') return
    this.error = ''
    this.notice = ''
    try {
      let path: string | undefined
      if (kind === 'csv') {
        path = await saveFile(`${report.fileName}.csv`, new TextEncoder().encode(reportCsv(report)), 'text/csv;charset=utf-8')
      } else {
        const { reportXlsx } = await import('../../reportXlsx.ts')
        path = await saveFile(`${report.fileName}.xlsx`, await reportXlsx(report), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      }
      if (path !== undefined) this.notice = t(this.language, 'reports.saved', { path })
    } catch (error) {
      this.error = errorIn(this.language, error)
    }
  }
}

customElements.define('rs-reports', ReportsScreen)
