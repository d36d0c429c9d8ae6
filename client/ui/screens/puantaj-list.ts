/**
 * The list half of Puantaj: the timesheets of the shown range with their hours and totals, the
 * recently deleted ones, and how the list prints. Drawn into the Puantaj screen's own shadow
 * root, so its print stylesheet applies to both halves.
 */
import { css, html, nothing, type TemplateResult } from 'lit'
import type { Row } from '../../../crdt/mirror.ts'
import { round2, rowHours, ShiftError, type HourSettings, type RowHours } from '../../../schema/hours.ts'
import { shiftPeriod, type Period } from '../../../schema/periods.ts'
import { monthRange } from '../../report.ts'
import { formatDate, formatHours, formatMonth, formatWeekday, t, type Lang } from '../i18n.ts'
import { typedDate } from './puantaj-entry.ts'
import { num, text } from '../live-query.ts'

export const HOUR_COLUMNS = ['worked', 'scheduled', 'overtime', 'night', 'overnight'] as const
export const SPECIAL_COLUMNS = ['special_normal', 'special_overtime', 'special_night'] as const

export const listStyles = css`
  tr.editing td {
    background: #eef4ff;
  }
  @media print {
    /* The puantaj list on A4: no entry form, no filters or buttons, the table full width. */
    .entry,
    .filters,
    .toast,
    .read-only,
    .no-print,
    button,
    form {
      display: none !important;
    }
    section {
      border: none;
      box-shadow: none;
      padding: 0;
      margin: 0;
    }
    .scroll {
      overflow: visible;
    }
    table {
      width: 100%;
      font-size: 9pt;
      border-collapse: collapse;
    }
    th,
    td {
      border: 1px solid #999;
      padding: 2px 4px;
    }
    tr {
      break-inside: avoid;
    }
    .print-title {
      display: block !important;
    }
  }
  .print-title {
    display: none;
  }
`

export interface ListView {
  readonly lang: Lang
  readonly writable: boolean
  /** The id of the row in the form, highlighted. */
  readonly editing: string | null
  edit(row: Row): void
  deleteRow(id: string, label: string): void
  /** Opens the row's Geçmiş (who changed what, put it back as it was). */
  history(id: string, label: string): void
}

export function renderTimesheetList(view: ListView, timesheets: readonly Row[], settings: HourSettings): TemplateResult {
  const lang = view.lang
  const totals: Record<string, number> = {}
  const rows = timesheets.map((row) => {
    let hours: RowHours | undefined
    try {
      hours = rowHours(
        { work_date: text(row.work_date), start_time: text(row.start_time), end_time: text(row.end_time), break_minutes: num(row.break_minutes), is_special: num(row.is_special) },
        settings,
      )
    } catch (error) {
      if (!(error instanceof ShiftError)) throw error
    }
    if (hours !== undefined) for (const [k, v] of Object.entries(hours)) totals[k] = round2((totals[k] ?? 0) + v)
    return { row, hours }
  })
  return html`<div class="scroll">
    <table data-testid="timesheet-grid">
      <thead>
        <tr>
          <th>${t(lang, 'puantaj.date')}</th>
          <th>${t(lang, 'puantaj.employee')}</th>
          <th>${t(lang, 'puantaj.start')}</th>
          <th>${t(lang, 'puantaj.end')}</th>
          <th class="num">${t(lang, 'puantaj.break')}</th>
          <th>${t(lang, 'puantaj.special')}</th>
          ${HOUR_COLUMNS.map((k) => html`<th class="num">${t(lang, `hours.${k}`)}</th>`)}
          <th>${t(lang, 'puantaj.notes')}</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${rows.length === 0 ? html`<tr><td colspan="13" class="muted">${t(lang, 'list.empty')}</td></tr>` : nothing}
        ${rows.map(({ row, hours }) => renderRow(view, row, hours))}
      </tbody>
      <tfoot>
        <tr>
          <td colspan="6">${t(lang, 'puantaj.total')} (${rows.length})</td>
          ${HOUR_COLUMNS.map((k) => html`<td class="num" data-testid=${`total-${k}`}>${formatHours(lang, totals[k] ?? 0)}</td>`)}
          <td colspan="2"></td>
        </tr>
      </tfoot>
    </table>
  </div>`
}

function renderRow(view: ListView, row: Row, hours: RowHours | undefined): TemplateResult {
  const lang = view.lang
  const id = text(row.id)
  const date = text(row.work_date)
  const overnight = text(row.end_time) < text(row.start_time)
  const label = `${formatDate(lang, date)} ${text(row.employee)} ${text(row.start_time)}–${text(row.end_time)}`
  return html`<tr data-testid="timesheet-row" class=${view.editing === id ? 'editing' : ''}>
    <td>${formatDate(lang, date)} <span class="muted">${formatWeekday(lang, date)}</span></td>
    <td>${text(row.employee)}</td>
    <td>${text(row.start_time)}</td>
    <td>${text(row.end_time)}${overnight ? html` <span class="badge">${t(lang, 'puantaj.overnightMark')}</span>` : nothing}</td>
    <td class="num">${num(row.break_minutes)}</td>
    <td>${num(row.is_special) === 1 ? t(lang, 'yes') : ''}</td>
    ${HOUR_COLUMNS.map((k) => html`<td class="num">${hours === undefined ? t(lang, 'empty') : formatHours(lang, hours[k])}</td>`)}
    <td class="wrap">${text(row.notes)}</td>
    <td>
      ${view.writable
        ? html`<button class="link" data-edit @click=${() => view.edit(row)}>${t(lang, 'action.edit')}</button>
            <button class="link danger" data-edit data-testid="delete-row" @click=${() => view.deleteRow(id, label)}>${t(lang, 'action.delete')}</button>`
        : nothing}
      <button class="link" data-testid="row-history" @click=${() => view.history(id, label)}>${t(lang, 'history.open')}</button>
    </td>
  </tr>`
}

export interface FiltersView {
  readonly lang: Lang
  /** The shown range, ISO. */
  readonly from: string
  readonly to: string
  readonly employeeFilter: string
  readonly employees: readonly Row[]
  readonly showDeleted: boolean
  readonly error: string
  chooseEmployee(id: string): void
  setRange(which: 'from' | 'to', event: Event): void
  showMonth(month: string): void
  toggleDeleted(): void
}

/** The list's filters: employee, range (typed the Turkish way), month steps, deleted rows shown or not. */
export function renderListFilters(view: FiltersView): TemplateResult {
  const { lang } = view
  const month = view.from.slice(0, 7)
  const wholeMonth = view.from === monthRange(month).start && view.to === monthRange(month).end
  return html`<div class="row filters" style="margin-bottom:0.7rem">
      <label
        >${t(lang, 'puantaj.employee')}
        <select data-testid="filter-employee" .value=${view.employeeFilter} @change=${(ev: Event) => view.chooseEmployee((ev.target as HTMLSelectElement).value)}>
          <option value="">${t(lang, 'puantaj.allEmployees')}</option>
          ${view.employees.map((row) => html`<option value=${text(row.id)} ?selected=${text(row.id) === view.employeeFilter}>${text(row.full_name)}</option>`)}
        </select>
      </label>
      <label>${t(lang, 'puantaj.from')}<input data-testid="filter-from" style="width:7.5em" .value=${typedDate(view.from)} @change=${(ev: Event) => view.setRange('from', ev)} /></label>
      <label>${t(lang, 'puantaj.to')}<input data-testid="filter-to" style="width:7.5em" .value=${typedDate(view.to)} @change=${(ev: Event) => view.setRange('to', ev)} /></label>
      <button type="button" title="◀" @click=${() => view.showMonth(shiftPeriod(month as Period, -1))}>◀</button>
      <strong>${wholeMonth ? formatMonth(lang, month) : `${formatDate(lang, view.from)} – ${formatDate(lang, view.to)}`}</strong>
      <button type="button" title="▶" @click=${() => view.showMonth(shiftPeriod(month as Period, 1))}>▶</button>
      <button class="link" @click=${() => view.toggleDeleted()}>${t(lang, view.showDeleted ? 'action.hideDeleted' : 'action.showDeleted')}</button>
    </div>
    ${view.error ? html`<p class="error" role="alert">${view.error}</p>` : nothing}`
}

export interface DeletedView {
  readonly lang: Lang
  readonly writable: boolean
  /** A deleted timesheet's fields, read from its document. */
  fields(id: string): Readonly<Record<string, unknown>>
  employeeName(id: unknown): string
  restore(id: string): void
}

export function renderDeletedList(view: DeletedView, deleted: readonly Row[]): TemplateResult {
  const lang = view.lang
  return html`<h3>${t(lang, 'list.deleted')}</h3>
    <table data-testid="deleted-timesheets">
      <tbody>
        ${deleted.length === 0 ? html`<tr><td class="muted">${t(lang, 'list.empty')}</td></tr>` : nothing}
        ${deleted.map((row) => {
          const id = text(row.record_id)
          const fields = view.fields(id)
          return html`<tr>
            <td>${formatDate(lang, String(fields.work_date ?? ''))}</td>
            <td>${view.employeeName(fields.employee_id)}</td>
            <td>${String(fields.start_time ?? '')}–${String(fields.end_time ?? '')}</td>
            <td class="muted">${text(row.deleted_by)}</td>
            <td>${view.writable ? html`<button class="link" data-edit @click=${() => view.restore(id)}>${t(lang, 'action.restore')}</button>` : nothing}</td>
          </tr>`
        })}
      </tbody>
    </table>`
}
