/**
 * How the week grid draws: employees × Monday–Sunday, each cell an input (or, with two
 * timesheets that day, a read-only one), the hours under it, a refusal or a question beside it;
 * per employee the week's hours, per day and for the week the office's. The screen
 * (week-grid.ts) owns the state and hands this module what to draw and whom to call.
 */
import { css, html, nothing, type TemplateResult } from 'lit'
import { live } from 'lit/directives/live.js'
import { repeat } from 'lit/directives/repeat.js'
import type { PublicHoliday } from '../../../schema/holidays.ts'
import { DEFAULT_HOUR_SETTINGS, round2, rowHours } from '../../../schema/hours.ts'
import type { Period } from '../../../schema/periods.ts'
import type { Warning } from '../../../schema/plausibility.ts'
import { addDays, formatDate, formatHours, formatMonth, formatWeekday, t, todayIso, type Lang } from '../i18n.ts'
import { errorIn } from '../screen.ts'
import { cellKey, mondayOf, type CellKey, type WeekEmployee, type WeekTimesheet } from '../week-plan.ts'

export const weekGridStyles = css`
  table.week {
    width: auto;
    min-width: 100%;
  }
  table.week td,
  table.week th {
    vertical-align: top;
    padding: 0.2rem 0.3rem;
  }
  table.week td.cell {
    max-width: none;
  }
  table.week td.cell input {
    width: 8.6rem;
    font-variant-numeric: tabular-nums;
  }
  table.week td.cell input[readonly] {
    background: #f3f5f8;
  }
  table.week td.cell.selected {
    background: #dbe8fb;
  }
  table.week td.cell.selected input {
    border-color: var(--accent);
  }
  table.week th button {
    font: inherit;
    font-weight: 600;
    color: inherit;
    background: none;
    border: none;
    padding: 0;
    text-align: left;
    cursor: pointer;
  }
  td.closed input {
    background: #eef0f3;
    color: #555;
  }
  td.leave input::placeholder {
    color: #1f5f3a;
    font-weight: 600;
  }
  th.holiday,
  td.holiday {
    background: #fce4d6;
  }
  .holiday-name {
    display: block;
    font-weight: 400;
    font-size: 0.75rem;
    color: #8a3b12;
    white-space: normal;
    max-width: 9rem;
  }
  .hours {
    display: block;
    font-size: 0.75rem;
    color: var(--muted);
    text-align: right;
  }
  tr.question-row td {
    border-bottom: none;
    padding-top: 0;
    white-space: normal;
    max-width: none;
  }
  .question {
    display: inline-block;
    background: #fff8e1;
    border: 1px solid #d9a400;
    border-radius: 4px;
    padding: 0.4rem 0.6rem;
  }
  .question ul {
    margin: 0.3rem 0;
  }
  .question .row {
    margin-top: 0.3rem;
  }
  .toolbar {
    margin-bottom: 0.6rem;
  }
`

export interface WeekCell {
  readonly key: CellKey
  readonly row: number
  readonly col: number
  /** What the input shows: the draft typed, else the stored shift(s). */
  readonly text: string
  /** Timesheets stored in the cell. */
  readonly count: number
  readonly hours: number
  readonly selected: boolean
  /** The refusal beside the cell, if any. */
  readonly error: unknown
  /** The code of a leave covering the day (Y, R…), shown when the cell is empty. */
  readonly leave: string | undefined
  /** The day is in a month the head office closed: shown, not edited. */
  readonly closed: boolean
}

export interface WeekTableView {
  readonly lang: Lang
  readonly writable: boolean
  readonly dates: readonly string[]
  readonly holidays: ReadonlyArray<PublicHoliday | undefined>
  readonly employees: readonly WeekEmployee[]
  cell(row: number, col: number): WeekCell
  /** A question about a cell of the row (delete it? save despite warnings?), drawn under the row. */
  question(row: number): { readonly col: number; readonly body: TemplateResult } | undefined
  readonly employeeTotals: readonly number[]
  readonly dayTotals: readonly number[]
  readonly officeTotal: number
  onInput(cell: WeekCell, value: string): void
  onKey(cell: WeekCell, event: KeyboardEvent): void
  onFocus(cell: WeekCell): void
  onBlur(cell: WeekCell): void
  onClick(cell: WeekCell, event: MouseEvent): void
  selectRow(row: number): void
  selectColumn(col: number): void
}

/** A holiday as the header names it: "Cumhuriyet Bayramı arifesi (13:00’den, kesinleşmedi)". */
export function holidayLabel(lang: Lang, holiday: PublicHoliday): string {
  const notes = [holiday.halfDay ? t(lang, 'holiday.half') : '', holiday.confirmed ? '' : t(lang, 'holiday.unconfirmed')].filter((n) => n !== '')
  return `${holiday.name[lang]}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`
}

export function renderWeekTable(view: WeekTableView): TemplateResult {
  const lang = view.lang
  return html`<div class="scroll" style="max-height:none">
    <table class="week" data-testid="week-grid" role="grid">
      <thead>
        <tr>
          <th>${t(lang, 'puantaj.employee')}</th>
          ${view.dates.map((date, col) => {
            const holiday = view.holidays[col]
            return html`<th class=${holiday !== undefined && !holiday.halfDay ? 'holiday' : ''} data-testid="week-day" data-date=${date} data-holiday=${holiday === undefined ? nothing : holiday.confirmed ? 'confirmed' : 'unconfirmed'}>
              <button type="button" data-testid="week-col-header" @click=${() => view.selectColumn(col)}>${formatWeekday(lang, date)} ${formatDate(lang, date).slice(0, 5)}</button>
              ${holiday !== undefined ? html`<span class="holiday-name">${holidayLabel(lang, holiday)}</span>` : nothing}
            </th>`
          })}
          <th class="num">${t(lang, 'week.total')}</th>
        </tr>
      </thead>
      <tbody>
        ${view.employees.length === 0 ? html`<tr><td colspan="9" class="muted">${t(lang, 'puantaj.noEmployees')}</td></tr>` : nothing}
        ${repeat(
          view.employees,
          (employee) => employee.id,
          (employee, row) => html`<tr data-testid="week-row" data-employee=${employee.id}>
            <th><button type="button" data-testid="week-row-header" @click=${() => view.selectRow(row)}>${employee.full_name}</button></th>
            ${view.dates.map((_, col) => renderCell(view, view.cell(row, col), employee.full_name))}
            <td class="num" data-testid="week-total">${formatHours(lang, view.employeeTotals[row] ?? 0)}</td>
          </tr>
          ${renderQuestionRow(view.question(row))}`,
        )}
      </tbody>
      <tfoot>
        <tr>
          <td>${t(lang, 'week.officeTotal')}</td>
          ${view.dayTotals.map((hours) => html`<td class="num" data-testid="day-total">${formatHours(lang, hours)}</td>`)}
          <td class="num" data-testid="office-total">${formatHours(lang, view.officeTotal)}</td>
        </tr>
      </tfoot>
    </table>
  </div>`
}

function renderCell(view: WeekTableView, cell: WeekCell, employeeName: string): TemplateResult {
  const lang = view.lang
  const date = view.dates[cell.col]
  const holiday = view.holidays[cell.col]
  const multi = cell.count > 1
  const errorId = `cell-error-${cell.row}-${cell.col}`
  const classes = ['cell', cell.selected ? 'selected' : '', holiday !== undefined && !holiday.halfDay ? 'holiday' : '', cell.closed ? 'closed' : '', cell.leave !== undefined ? 'leave' : '']
    .filter((c) => c !== '')
    .join(' ')
  return html`<td class=${classes} aria-selected=${cell.selected ? 'true' : 'false'} @click=${(e: MouseEvent) => view.onClick(cell, e)}>
    <input
      data-testid="week-cell"
      data-row=${cell.row}
      data-col=${cell.col}
      data-date=${date}
      aria-label=${`${employeeName}, ${formatWeekday(lang, date)} ${formatDate(lang, date)}`}
      title=${multi ? t(lang, 'week.multi', { n: cell.count }) : nothing}
      ?readonly=${multi || !view.writable || cell.closed}
      data-multi=${multi ? 'true' : nothing}
      data-closed=${cell.closed ? 'true' : nothing}
      data-leave=${cell.leave ?? nothing}
      placeholder=${cell.leave ?? nothing}
      autocomplete="off"
      spellcheck="false"
      aria-invalid=${cell.error !== undefined ? 'true' : 'false'}
      aria-describedby=${cell.error !== undefined ? errorId : nothing}
      .value=${live(cell.text)}
      @input=${(e: Event) => view.onInput(cell, (e.target as HTMLInputElement).value)}
      @keydown=${(e: KeyboardEvent) => view.onKey(cell, e)}
      @focus=${() => view.onFocus(cell)}
      @blur=${() => view.onBlur(cell)}
    />
    ${cell.hours > 0 ? html`<span class="hours" data-testid="cell-hours">${formatHours(lang, cell.hours)}</span>` : nothing}
    ${cell.error !== undefined ? html`<span class="field-error" role="alert" id=${errorId} data-testid="cell-error">${errorIn(lang, cell.error)}</span>` : nothing}
  </td>`
}

/** The question under its cell's row, starting at the cell's column. */
function renderQuestionRow(question: { readonly col: number; readonly body: TemplateResult } | undefined): TemplateResult | typeof nothing {
  if (question === undefined) return nothing
  return html`<tr class="question-row">
    <td colspan=${question.col + 1}></td>
    <td colspan=${8 - question.col}>${question.body}</td>
  </tr>`
}

/** ◀ the week ▶, this week, and a date to jump to (its week). */
export function renderWeekNavigation(
  lang: Lang,
  dates: readonly string[],
  goToError: string,
  on: { show(monday: string): void; goTo(event: Event): void },
): TemplateResult {
  return html`<div class="row toolbar">
      <button type="button" data-testid="week-prev" title=${t(lang, 'week.prev')} @click=${() => on.show(addDays(dates[0], -7))}>◀</button>
      <strong data-testid="week-range">${formatDate(lang, dates[0])} – ${formatDate(lang, dates[6])}</strong>
      <button type="button" data-testid="week-next" title=${t(lang, 'week.next')} @click=${() => on.show(addDays(dates[0], 7))}>▶</button>
      <button type="button" data-testid="week-today" @click=${() => on.show(mondayOf(todayIso()))}>${t(lang, 'week.thisWeek')}</button>
      <label
        >${t(lang, 'week.goTo')}<input
          data-testid="week-date"
          style="width:7.5em"
          placeholder=${lang === 'tr' ? 'GG.AA.YYYY' : 'DD.MM.YYYY'}
          aria-invalid=${goToError ? 'true' : 'false'}
          @change=${on.goTo}
      /></label>
    </div>
    ${goToError ? html`<p class="error" role="alert">${goToError}</p>` : nothing}`
}

/** A question about one cell: delete its shift, or save it despite the warnings. */
export function renderCellQuestion(
  lang: Lang,
  question: { readonly label: string } | { readonly warnings: readonly Warning[] },
  on: { yes(): void; no(): void; onKey(event: KeyboardEvent): void },
): TemplateResult {
  const deleting = 'label' in question
  return html`<div class="question" role="alertdialog" data-testid="cell-question" @keydown=${on.onKey}>
    ${deleting
      ? t(lang, 'week.confirmDelete', { what: question.label })
      : html`<strong>${t(lang, 'entry.confirmTitle')}</strong>
          <ul>
            ${question.warnings.map((w) => html`<li data-testid="cell-warning">${w.text[lang]}</li>`)}
          </ul>`}
    <div class="row">
      <button type="button" class="primary" data-testid="cell-confirm" @click=${on.yes}>${t(lang, deleting ? 'action.delete' : 'entry.saveAnyway')}</button>
      <button type="button" data-testid="cell-cancel" @click=${on.no}>${t(lang, deleting ? 'action.cancel' : 'entry.fix')}</button>
    </div>
  </div>`
}

/** Hours worked in a timesheet; the hour settings change the plan and overtime, not what was worked. */
function workedHours(row: WeekTimesheet): number {
  try {
    return rowHours(row, DEFAULT_HOUR_SETTINGS).worked
  } catch {
    return 0
  }
}

/** The week's worked hours: per cell, per employee, per day and for the office. */
export function weekTotals(
  employees: readonly WeekEmployee[],
  dates: readonly string[],
  cells: ReadonlyMap<CellKey, readonly WeekTimesheet[]>,
): { worked(key: CellKey): number; employeeTotals: number[]; dayTotals: number[]; officeTotal: number } {
  const worked = (key: CellKey): number => round2((cells.get(key) ?? []).reduce((sum, row) => sum + workedHours(row), 0))
  const employeeTotals = employees.map((e) => round2(dates.reduce((sum, d) => sum + worked(cellKey(e.id, d)), 0)))
  const dayTotals = dates.map((d) => round2(employees.reduce((sum, e) => sum + worked(cellKey(e.id, d)), 0)))
  return { worked, employeeTotals, dayTotals, officeTotal: round2(dayTotals.reduce((a, b) => a + b, 0)) }
}

/** Which of the week's months the head office closed (one entry per day, undefined when open): their days are read-only. */
export function renderClosedMonths(lang: Lang, closed: ReadonlyArray<Period | undefined>): TemplateResult | typeof nothing {
  const months = [...new Set(closed.filter((m): m is Period => m !== undefined))]
  if (months.length === 0) return nothing
  return html`<p class="read-only" role="note" data-testid="week-closed-notice">${months.map((m) => t(lang, 'week.closedDays', { month: formatMonth(lang, m) })).join(' ')}</p>`
}
