/**
 * How the monthly puantaj sheet draws: employees × the month's days with their codes (weekly rest
 * and holidays shaded, holidays named in the header's title and the legend, unconfirmed ones
 * marked "kesinleşmedi"), the month's totals and the annual leave balance per employee, the law's
 * warnings and the legend, and an A4 landscape print of the sheet alone (styles.css sets the page).
 */
import { css, html, nothing, type TemplateResult } from 'lit'
import type { PublicHoliday } from '../../../schema/holidays.ts'
import { DAY_CODE_LABELS, DAY_CODES, LEAVE_TYPES, weekdayOfDate } from '../../../schema/leave.ts'
import type { LeaveBalance } from '../../../schema/leave.ts'
import type { SheetLine } from '../../../schema/puantajSheet.ts'
import type { RegionSheet } from '../../sheet.ts'
import { formatDate, formatHours, formatNumber, t, type Lang } from '../i18n.ts'
import { holidayLabel } from './week-grid-view.ts'

export const sheetStyles = css`
  table.sheet {
    width: auto;
    font-size: 0.8rem;
  }
  table.sheet th,
  table.sheet td {
    padding: 0.15rem 0.2rem;
    text-align: center;
    border: 1px solid var(--line);
  }
  table.sheet th.name,
  table.sheet td.name {
    text-align: left;
    max-width: 14rem;
    /* The names stay in view while the days and totals scroll. */
    position: sticky;
    left: 0;
    z-index: 1;
    background: var(--panel);
  }
  table.sheet th.total {
    white-space: normal;
    overflow-wrap: normal;
    min-width: 3rem;
    max-width: 4.6rem;
    font-size: 0.72rem;
  }
  table.sheet td.num {
    text-align: right;
  }
  .rest {
    background: #eceff3;
  }
  .holiday {
    background: #fce4d6;
  }
  td.chosen {
    outline: 2px solid var(--accent);
    outline-offset: -2px;
  }
  button.code {
    font: inherit;
    width: 1.4rem;
    min-height: 1.4rem;
    padding: 0;
    border: none;
    background: none;
    cursor: pointer;
  }
  button.code:disabled {
    cursor: default;
    opacity: 1;
    color: inherit;
  }
  .code-Y,
  .code-Z,
  .code-R,
  .code-A,
  .code-İ {
    font-weight: 700;
    color: #7a2e8a;
  }
  sup.unconfirmed {
    color: #b3261e;
  }
  .legend {
    margin-top: 0.6rem;
  }
  .print-only {
    display: none;
  }
  @media print {
    /* Only the sheet: no tools, forms or notices; every column on one A4 landscape page. */
    .no-print,
    .toast,
    .read-only,
    form {
      display: none !important;
    }
    .print-only {
      display: block;
    }
    :host,
    section {
      border: none;
      padding: 0;
      margin: 0;
    }
    .scroll {
      overflow: visible;
      max-height: none;
    }
    table.sheet {
      font-size: 6.5pt;
      width: 100%;
    }
    table.sheet th,
    table.sheet td {
      padding: 0.5pt 1pt;
      border: 0.5pt solid #777;
    }
    table.sheet th.total {
      font-size: 6pt;
    }
    button.code {
      width: auto;
      min-height: 0;
    }
    td.chosen {
      outline: none;
    }
    tr {
      break-inside: avoid;
    }
    .legend,
    .warnings-list {
      font-size: 7pt;
    }
  }
`

export interface SheetCellRef {
  readonly employeeId: string
  readonly date: string
}

export interface SheetTableView {
  readonly lang: Lang
  readonly sheet: RegionSheet
  /** Weekdays of weekly rest (0 = Sunday), shaded. */
  readonly restDays: ReadonlySet<number>
  /** Whether a click opens the leave form (the user's own region). */
  readonly writable: boolean
  /** The days chosen for a leave, highlighted. */
  readonly chosen: { readonly employeeId: string; readonly first: string; readonly last: string } | null
  balance(line: SheetLine): LeaveBalance | undefined
  onCell(cell: SheetCellRef, event: MouseEvent): void
}

/** Two letters, as the printed sheets have them: one letter cannot tell Pazar from Pazartesi. */
const WEEKDAY_INITIALS: Readonly<Record<Lang, readonly string[]>> = {
  tr: ['Pz', 'Pt', 'Sa', 'Ça', 'Pe', 'Cu', 'Ct'],
  en: ['Su', 'Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa'],
}

const TOTALS = ['worked', 'overtime', 'extraTime', 'night', 'holidayWork'] as const

function dayClass(holiday: PublicHoliday | null, rest: boolean): string {
  if (holiday !== null && !holiday.halfDay) return 'holiday'
  return rest ? 'rest' : ''
}

export function renderSheetTable(view: SheetTableView): TemplateResult {
  const { lang, sheet } = view
  const weekday = (date: string): string => WEEKDAY_INITIALS[lang][weekdayOfDate(date)]
  const isRest = (i: number): boolean => view.restDays.has(weekdayOfDate(sheet.dates[i]))
  return html`<div class="scroll" style="max-height:none">
    <table class="sheet" data-testid="sheet">
      <thead>
        <tr>
          <th class="name" rowspan="2">${t(lang, 'puantaj.employee')}</th>
          ${sheet.dates.map((date, i) => {
            const holiday = sheet.holidays[i]
            return html`<th
              class=${dayClass(holiday, isRest(i))}
              data-testid="sheet-day"
              data-date=${date}
              data-holiday=${holiday === null ? nothing : holiday.confirmed ? 'confirmed' : 'unconfirmed'}
              title=${holiday === null ? nothing : holidayLabel(lang, holiday)}
            >
              ${Number(date.slice(8, 10))}${holiday !== null && !holiday.confirmed ? html`<sup class="unconfirmed" aria-label=${t(lang, 'holiday.unconfirmed')}>?</sup>` : nothing}
            </th>`
          })}
          ${TOTALS.map((k) => html`<th class="total" rowspan="2">${t(lang, `sheet.${k}`)}</th>`)}
          <th class="total" rowspan="2">${t(lang, 'sheet.daysWorked')}</th>
          ${LEAVE_TYPES.map((code) => html`<th class="total" rowspan="2" title=${DAY_CODE_LABELS[code][lang]}>${t(lang, 'sheet.leaveDays', { code })}</th>`)}
          <th class="total" colspan="3">${t(lang, 'sheet.balance')}</th>
        </tr>
        <tr>
          ${sheet.dates.map((date, i) => html`<th class=${dayClass(sheet.holidays[i], isRest(i))}>${weekday(date)}</th>`)}
          <th class="total">${t(lang, 'sheet.balance.entitled')}</th>
          <th class="total">${t(lang, 'sheet.balance.used')}</th>
          <th class="total">${t(lang, 'sheet.balance.left')}</th>
        </tr>
      </thead>
      <tbody>
        ${sheet.lines.length === 0 ? html`<tr><td class="muted" colspan=${sheet.dates.length + 14}>${t(lang, 'list.empty')}</td></tr>` : nothing}
        ${sheet.lines.map((line) => renderLine(view, line, isRest))}
      </tbody>
    </table>
  </div>`
}

function renderLine(view: SheetTableView, line: SheetLine, isRest: (i: number) => boolean): TemplateResult {
  const { lang, sheet } = view
  const id = line.employee.id
  const chosen = view.chosen?.employeeId === id ? view.chosen : null
  const balance = view.balance(line)
  const totals = line.totals
  return html`<tr data-testid="sheet-line" data-employee=${id}>
    <td class="name">${line.employee.full_name}</td>
    ${line.days.map((code, i) => {
      const date = sheet.dates[i]
      const classes = [dayClass(sheet.holidays[i], isRest(i)), chosen !== null && chosen.first <= date && date <= chosen.last ? 'chosen' : ''].join(' ')
      return html`<td class=${classes}>
        <button
          type="button"
          class=${`code code-${code}`}
          data-testid="sheet-cell"
          data-date=${date}
          data-code=${code}
          ?disabled=${!view.writable || code === '–'}
          title=${code === '' || code === '–' ? nothing : DAY_CODE_LABELS[code][lang]}
          aria-label=${`${line.employee.full_name} ${formatDate(lang, date)}${code === '' || code === '–' ? '' : `: ${DAY_CODE_LABELS[code][lang]}`}`}
          @click=${(e: MouseEvent) => view.onCell({ employeeId: id, date }, e)}
        >
          ${code}
        </button>
      </td>`
    })}
    ${TOTALS.map((k) => html`<td class="num" data-testid="sheet-total" data-total=${k}>${formatHours(lang, totals[k])}</td>`)}
    <td class="num" data-testid="sheet-total" data-total="daysWorked">${totals.daysWorked}</td>
    ${LEAVE_TYPES.map((code) => html`<td class="num" data-testid="sheet-total" data-total=${`leave-${code}`}>${formatNumber(lang, totals.leave[code])}</td>`)}
    ${balance === undefined
      ? html`<td colspan="3" class="muted" data-testid="sheet-balance" title=${t(lang, 'sheet.balance.noStart')}>${t(lang, 'empty')}</td>`
      : html`<td class="num" data-testid="sheet-balance" data-part="entitled">${formatNumber(lang, balance.entitled)}</td>
          <td class="num" data-testid="sheet-balance" data-part="used">${formatNumber(lang, balance.used)}</td>
          <td class="num" data-testid="sheet-balance" data-part="left">${formatNumber(lang, balance.left)}</td>`}
  </tr>`
}

/** The codes, the month's holidays (with "kesinleşmedi" where due) and the law's warnings. */
export function renderSheetNotes(lang: Lang, sheet: RegionSheet): TemplateResult {
  const holidays = sheet.holidays.filter((h): h is PublicHoliday => h !== null)
  const warnings = sheet.lines.flatMap((line) => line.warnings.map((w) => ({ name: line.employee.full_name, w })))
  return html`<p class="legend" data-testid="sheet-legend">
      <strong>${t(lang, 'sheet.legend')}:</strong> ${DAY_CODES.map((code) => `${code}: ${DAY_CODE_LABELS[code][lang]}`).join(' · ')}
    </p>
    ${holidays.length > 0
      ? html`<p class="legend" data-testid="sheet-holidays">
          <strong>${t(lang, 'sheet.holidays')}:</strong> ${holidays.map((h) => `${h.date.slice(8, 10)}.${h.date.slice(5, 7)} ${holidayLabel(lang, h)}`).join('; ')}
        </p>`
      : nothing}
    ${warnings.length > 0
      ? html`<div class="warnings-list">
          <h3>${t(lang, 'sheet.warnings')}</h3>
          <ul data-testid="sheet-warnings">
            ${warnings.map(({ name, w }) => html`<li>${name}: ${w.text[lang]}</li>`)}
          </ul>
        </div>`
      : nothing}`
}
