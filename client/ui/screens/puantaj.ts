/**
 * Puantaj: entering a month of timesheets from the keyboard, and the grid of what was entered.
 *
 * The entry row: employee, shift template (fills start, end and break), date, start, end, break,
 * special day, notes. Enter moves to the next field and saves from the last; after a save the
 * date moves to the next day and the cursor goes back to it, so a month is a run of Enters.
 * Hours are computed as you type with the region's own hour settings (schema/hours.ts); a row
 * the engine refuses shows its bilingual reason inline and nothing is written. The grid reads the
 * mirror, so an old month shows from held rows; editing a row of it opens its month first.
 */
import { css, html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import type { Row } from '../../../crdt/mirror.ts'
import { checkNewShift, hourSettingsFrom, parseWorkDate, round2, rowHours, ShiftError, type HourSettings, type RowHours } from '../../../schema/hours.ts'
import { monthRange } from '../../report.ts'
import type { RecordInput } from '../../../schema/tables.ts'
import { addDays, formatDate, formatHours, formatMonth, formatWeekday, t, todayIso, type Lang } from '../i18n.ts'
import { LiveQuery, num, text } from '../live-query.ts'
import { ShownMonths } from '../shown-months.ts'
import { editRecord } from '../workspace.ts'
import { errorField, errorIn, Screen, textOrNull } from '../screen.ts'
import { parseDate, parseNumber, parseTime } from '../../../schema/turkishInput.ts'
import { shared } from '../styles.ts'
import { shiftWarnings } from '../../../schema/plausibility.ts'
import { validateFields, validateRecord } from '../../../schema/validate.ts'
import { EntryConfirmController } from '../entry-confirm-controller.ts'

interface Entry {
  employee_id: string
  template: string
  date: string
  start_time: string
  end_time: string
  break_minutes: string
  is_special: boolean
  notes: string
}

const HOUR_COLUMNS = ['worked', 'scheduled', 'overtime', 'night', 'overnight'] as const
const SPECIAL_COLUMNS = ['special_normal', 'special_overtime', 'special_night'] as const

/** The entry input a refused record field belongs to (the schema's work_date is the form's date). */
function entryField(field: string | undefined): keyof Entry | undefined {
  if (field === 'work_date') return 'date'
  return field === 'start_time' || field === 'end_time' || field === 'break_minutes' || field === 'notes' ? field : undefined
}

/** ISO → GG.AA.YYYY, what people type here; the validator reads both. */
function typedDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  return m ? `${m[3]}.${m[2]}.${m[1]}` : iso
}

function currentMonth(): string {
  return todayIso().slice(0, 7)
}

function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number)
  const date = new Date(Date.UTC(y, m - 1 + delta, 1))
  return date.toISOString().slice(0, 7)
}

/** The form as the engine takes it; the engine validates every field and the shift as a whole. */
function timesheetInput(e: Entry): RecordInput<'timesheets'> {
  return {
    employee_id: e.employee_id,
    work_date: e.date,
    start_time: e.start_time,
    end_time: e.end_time,
    // Read as tr-TR by the schema, which refuses "abc" with the field's label instead of NaN.
    break_minutes: textOrNull(e.break_minutes) as unknown as number,
    is_special: e.is_special ? 1 : 0,
    notes: e.notes.trim() === '' ? null : e.notes,
  }
}

/** The fields of `input` that differ from `base`: what the user changed since the edit began. */
function changedFields<T extends Record<string, unknown>>(input: T, base: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([field, value]) => value !== base[field])) as Partial<T>
}

function emptyEntry(): Entry {
  return { employee_id: '', template: '', date: typedDate(todayIso()), start_time: '', end_time: '', break_minutes: '0', is_special: false, notes: '' }
}

export class PuantajScreen extends Screen {
  static override properties: PropertyDeclarations = {
    entry: { state: true },
    editing: { state: true },
    error: { state: true },
    notice: { state: true },
    employeeFilter: { state: true },
    from: { state: true },
    to: { state: true },
    filterError: { state: true },
    showDeleted: { state: true },
  }

  static override styles = [
    shared,
    css`
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
    `,
  ]

  entry: Entry = emptyEntry()
  /** The row's values when its edit began: an update sends only the fields changed since. */
  private editBase: Entry = emptyEntry()
  editing: string | null = null
  /** The refused save, as the error: shown in the language of the moment, next to its field. */
  error: unknown = undefined
  notice = ''
  employeeFilter = ''
  from = monthRange(currentMonth()).start
  to = monthRange(currentMonth()).end
  filterError = ''
  showDeleted = false
  /** "Yine de kaydet" on an implausible shift; "Geri al" after a delete. */
  private readonly confirm = new EntryConfirmController(this, {
    testId: 'entry',
    saveAnyway: () => this.save(undefined, true),
    restore: (id) => this.restore(id),
    inputName: (field) => entryField(field) ?? 'date',
  })

  private readonly shownMonths = new ShownMonths(this, () =>
    this.workspace && { offline: this.workspace.offline, regions: [this.region], from: this.from, to: this.to },
  )

  private readonly employees = new LiveQuery(this, () =>
    this.workspace && {
      mirror: this.workspace.mirror,
      sql: 'SELECT id, full_name FROM employees WHERE region = ?',
      params: [this.region],
      tables: ['employees'],
    },
  )

  private readonly templates = new LiveQuery(this, () =>
    this.workspace && {
      mirror: this.workspace.mirror,
      sql: 'SELECT id, name, start_time, end_time, break_minutes FROM shift_templates WHERE region = ? ORDER BY name',
      params: [this.region],
      tables: ['shift_templates'],
    },
  )

  private readonly settings = new LiveQuery(this, () =>
    this.workspace && {
      mirror: this.workspace.mirror,
      sql: 'SELECT key, value FROM settings WHERE region = ?',
      params: [this.region],
      tables: ['settings'],
    },
  )

  private readonly timesheets = new LiveQuery(this, () => {
    if (this.workspace === undefined) return undefined
    const byEmployee = this.employeeFilter !== ''
    return {
      mirror: this.workspace.mirror,
      sql: `SELECT t.id, t.employee_id, coalesce(e.full_name, '') AS employee, t.work_date, t.start_time, t.end_time,
                   t.break_minutes, t.is_special, t.notes, t.updated_by, t.updated_at
              FROM timesheets t LEFT JOIN employees e ON e.region = t.region AND e.id = t.employee_id
             WHERE t.region = ? AND t.work_date BETWEEN ? AND ? ${byEmployee ? 'AND t.employee_id = ?' : ''}
             ORDER BY t.work_date, t.start_time, employee`,
      params: byEmployee ? [this.region, this.from, this.to, this.employeeFilter] : [this.region, this.from, this.to],
      tables: ['timesheets', 'employees'],
    }
  })

  private readonly deleted = new LiveQuery(this, () =>
    this.workspace && this.showDeleted
      ? {
          mirror: this.workspace.mirror,
          sql: `SELECT record_id, deleted_at, deleted_by FROM deleted_records WHERE region = ? AND table_name = 'timesheets' ORDER BY deleted_at DESC LIMIT 50`,
          params: [this.region],
          tables: ['deleted_records'],
        }
      : undefined,
  )

  private hourSettings(): HourSettings {
    const map: Record<string, string | null> = {}
    for (const row of this.settings.rows) map[text(row.key)] = row.value === null ? null : text(row.value)
    return hourSettingsFrom(map)
  }

  private sortedEmployees(): Row[] {
    const collator = new Intl.Collator('tr')
    return [...this.employees.rows].sort((a, b) => collator.compare(text(a.full_name), text(b.full_name)))
  }

  /** The entry's hours, or the reason they cannot be computed yet (bilingual), or nothing when incomplete. */
  private preview(settings: HourSettings): RowHours | string | undefined {
    const e = this.entry
    if (e.date.trim() === '' || e.start_time.trim() === '' || e.end_time.trim() === '') return undefined
    const time = (typed: string): string => {
      const parsed = parseTime(typed)
      return parsed.ok && parsed.value !== null ? parsed.value : typed
    }
    const date = parseDate(e.date)
    if (!date.ok) return date.reason[this.language]
    const breakMinutes = parseNumber(e.break_minutes, 'integer')
    if (!breakMinutes.ok) return breakMinutes.reason[this.language]
    const shift = {
      work_date: date.value ?? e.date,
      start_time: time(e.start_time),
      end_time: time(e.end_time),
      break_minutes: breakMinutes.value ?? 0,
      is_special: e.is_special ? 1 : 0,
    }
    try {
      checkNewShift(shift)
      return rowHours(shift, settings)
    } catch (error) {
      if (error instanceof ShiftError) return errorIn(this.language, error)
      throw error
    }
  }

  override render(): TemplateResult {
    const settings = this.hourSettings()
    return html`
      ${this.writable
        ? this.renderEntry(settings)
        : html`<p class="read-only" role="note" data-testid="read-only-notice">${t(this.language, 'entry.readOnly', { region: this.regionName() })}</p>`}
      <section>
        <h2 class="print-title">${t(this.language, 'tab.puantaj')} — ${this.regionName()} — ${formatDate(this.language, this.from)} – ${formatDate(this.language, this.to)}</h2>
        ${this.renderFilters()} ${this.renderGrid(settings)} ${this.showDeleted ? this.renderDeleted() : nothing}
      </section>
      ${this.confirm.renderUndo(this.language)}
    `
  }

  private renderEntry(settings: HourSettings): TemplateResult {
    const lang = this.language
    const e = this.entry
    const employees = this.sortedEmployees()
    const preview = this.preview(settings)
    const wrong = this.error === undefined ? undefined : entryField(errorField(this.error))
    const field = (name: keyof Entry, label: string, placeholder: string, width: string): TemplateResult =>
      html`<label
        >${label}<input
          name=${name}
          data-testid=${`entry-${name}`}
          style="width:${width}"
          placeholder=${placeholder}
          class=${wrong === name ? 'invalid' : ''}
          aria-invalid=${wrong === name ? 'true' : 'false'}
          aria-describedby=${wrong === name ? `error-${name}` : nothing}
          .value=${String(e[name])}
          @input=${(ev: Event) => this.set(name, (ev.target as HTMLInputElement).value)}
        />${wrong === name
          ? html`<span class="field-error" role="alert" id=${`error-${name}`} data-testid="entry-error">${errorIn(lang, this.error)}</span>`
          : nothing}</label
      >`
    return html`<section class="entry">
      <h2>${t(lang, 'puantaj.entry')}${this.editing !== null ? html` — <span class="muted">${t(lang, 'action.edit')}</span>` : nothing}</h2>
      ${employees.length === 0 ? html`<p class="muted">${t(lang, 'puantaj.noEmployees')}</p>` : nothing}
      <form data-testid="timesheet-form" @submit=${this.save} @keydown=${this.onKey}>
        <label
          >${t(lang, 'puantaj.employee')}
          <select name="employee_id" data-testid="entry-employee" .value=${e.employee_id} @change=${(ev: Event) => this.set('employee_id', (ev.target as HTMLSelectElement).value)}>
            <option value="">—</option>
            ${employees.map((row) => html`<option value=${text(row.id)} ?selected=${text(row.id) === e.employee_id}>${text(row.full_name)}</option>`)}
          </select>
        </label>
        <label
          >${t(lang, 'puantaj.template')}
          <select name="template" data-testid="entry-template" .value=${e.template} @change=${(ev: Event) => this.applyTemplate((ev.target as HTMLSelectElement).value)}>
            <option value="">${t(lang, 'puantaj.noTemplate')}</option>
            ${this.templates.rows.map(
              (row) => html`<option value=${text(row.id)} ?selected=${text(row.id) === e.template}>${text(row.name)} (${text(row.start_time)}–${text(row.end_time)})</option>`,
            )}
          </select>
        </label>
        ${field('date', t(lang, 'puantaj.date'), lang === 'tr' ? 'GG.AA.YYYY' : 'DD.MM.YYYY', '7.5em')}
        ${field('start_time', t(lang, 'puantaj.start'), lang === 'tr' ? 'SS:DD' : 'HH:MM', '4.2em')}
        ${field('end_time', t(lang, 'puantaj.end'), lang === 'tr' ? 'SS:DD' : 'HH:MM', '4.2em')} ${field('break_minutes', t(lang, 'puantaj.break'), '0', '4.2em')}
        <label class="check"
          ><input type="checkbox" name="is_special" data-testid="entry-special" .checked=${e.is_special} @change=${(ev: Event) => this.set('is_special', (ev.target as HTMLInputElement).checked)} />${t(
            lang,
            'puantaj.special',
          )}</label
        >
        ${field('notes', t(lang, 'puantaj.notes'), '', '12em')}
        <button class="primary" type="submit" data-edit data-testid="entry-save">${t(lang, this.editing === null ? 'action.save' : 'action.update')}</button>
        ${this.editing !== null ? html`<button type="button" @click=${this.cancelEdit}>${t(lang, 'action.cancel')}</button>` : nothing}
      </form>
      <div class="row" style="margin-top:0.6rem" data-testid="entry-hours">
        <span class="muted">${t(lang, 'puantaj.computed')}:</span>
        ${preview === undefined
          ? html`<span class="muted">${t(lang, 'empty')}</span>`
          : typeof preview === 'string'
            ? html`<span class="muted" data-testid="entry-hint">${preview}</span>`
            : html`${[...HOUR_COLUMNS, ...(this.entry.is_special ? SPECIAL_COLUMNS : [])].map(
                (k) => html`<span><span class="muted">${t(lang, `hours.${k}`)}</span> <strong data-testid=${`entry-${k}`}>${formatHours(lang, preview[k])}</strong></span>`,
              )}`}
      </div>
      ${this.error !== undefined && wrong === undefined ? html`<p class="error" role="alert" data-testid="entry-error">${errorIn(lang, this.error)}</p>` : nothing}
      ${this.confirm.renderWarnings(lang)}
      ${this.notice ? html`<p class="ok" data-testid="entry-notice">${this.notice}</p>` : nothing}
      <p class="muted">${t(lang, 'puantaj.keyboardHint')}</p>
    </section>`
  }

  private renderFilters(): TemplateResult {
    const lang = this.language
    const month = this.from.slice(0, 7)
    const wholeMonth = this.from === monthRange(month).start && this.to === monthRange(month).end
    return html`<div class="row filters" style="margin-bottom:0.7rem">
        <label
          >${t(lang, 'puantaj.employee')}
          <select data-testid="filter-employee" .value=${this.employeeFilter} @change=${(ev: Event) => (this.employeeFilter = (ev.target as HTMLSelectElement).value)}>
            <option value="">${t(lang, 'puantaj.allEmployees')}</option>
            ${this.sortedEmployees().map((row) => html`<option value=${text(row.id)} ?selected=${text(row.id) === this.employeeFilter}>${text(row.full_name)}</option>`)}
          </select>
        </label>
        <label>${t(lang, 'puantaj.from')}<input data-testid="filter-from" style="width:7.5em" .value=${typedDate(this.from)} @change=${(ev: Event) => this.setRange('from', ev)} /></label>
        <label>${t(lang, 'puantaj.to')}<input data-testid="filter-to" style="width:7.5em" .value=${typedDate(this.to)} @change=${(ev: Event) => this.setRange('to', ev)} /></label>
        <button type="button" title="◀" @click=${() => this.showMonth(shiftMonth(month, -1))}>◀</button>
        <strong>${wholeMonth ? formatMonth(lang, month) : `${formatDate(lang, this.from)} – ${formatDate(lang, this.to)}`}</strong>
        <button type="button" title="▶" @click=${() => this.showMonth(shiftMonth(month, 1))}>▶</button>
        <button class="link" @click=${() => (this.showDeleted = !this.showDeleted)}>${t(lang, this.showDeleted ? 'action.hideDeleted' : 'action.showDeleted')}</button>
      </div>
      ${this.filterError ? html`<p class="error" role="alert">${this.filterError}</p>` : nothing}`
  }

  private renderGrid(settings: HourSettings): TemplateResult {
    const lang = this.language
    const totals: Record<string, number> = {}
    const rows = this.timesheets.rows.map((row) => {
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
          ${rows.map(({ row, hours }) => this.renderRow(lang, row, hours))}
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

  private renderRow(lang: Lang, row: Row, hours: RowHours | undefined): TemplateResult {
    const id = text(row.id)
    const date = text(row.work_date)
    const overnight = text(row.end_time) < text(row.start_time)
    return html`<tr data-testid="timesheet-row" class=${this.editing === id ? 'editing' : ''}>
      <td>${formatDate(lang, date)} <span class="muted">${formatWeekday(lang, date)}</span></td>
      <td>${text(row.employee)}</td>
      <td>${text(row.start_time)}</td>
      <td>${text(row.end_time)}${overnight ? html` <span class="badge">${t(lang, 'puantaj.overnightMark')}</span>` : nothing}</td>
      <td class="num">${num(row.break_minutes)}</td>
      <td>${num(row.is_special) === 1 ? t(lang, 'yes') : ''}</td>
      ${HOUR_COLUMNS.map((k) => html`<td class="num">${hours === undefined ? t(lang, 'empty') : formatHours(lang, hours[k])}</td>`)}
      <td class="wrap">${text(row.notes)}</td>
      <td>
        ${this.writable
          ? html`<button class="link" data-edit @click=${() => this.edit(row)}>${t(lang, 'action.edit')}</button>
              <button class="link danger" data-edit data-testid="delete-row" @click=${() => this.deleteRow(id, `${formatDate(lang, date)} ${text(row.employee)} ${text(row.start_time)}–${text(row.end_time)}`)}>${t(lang, 'action.delete')}</button>`
          : nothing}
      </td>
    </tr>`
  }

  private renderDeleted(): TemplateResult {
    const lang = this.language
    const engine = this.workspace?.engine
    return html`<h3>${t(lang, 'list.deleted')}</h3>
      <table data-testid="deleted-timesheets">
        <tbody>
          ${this.deleted.rows.length === 0 ? html`<tr><td class="muted">${t(lang, 'list.empty')}</td></tr>` : nothing}
          ${this.deleted.rows.map((row) => {
            const id = text(row.record_id)
            const fields: Readonly<Record<string, unknown>> = engine?.record('timesheets', id, this.region) ?? {}
            const employee = this.employees.rows.find((e) => text(e.id) === fields.employee_id)
            return html`<tr>
              <td>${formatDate(lang, String(fields.work_date ?? ''))}</td>
              <td>${employee ? text(employee.full_name) : ''}</td>
              <td>${String(fields.start_time ?? '')}–${String(fields.end_time ?? '')}</td>
              <td class="muted">${text(row.deleted_by)}</td>
              <td>${this.writable ? html`<button class="link" data-edit @click=${() => this.restore(id)}>${t(lang, 'action.restore')}</button>` : nothing}</td>
            </tr>`
          })}
        </tbody>
      </table>`
  }

  private set<K extends keyof Entry>(name: K, value: Entry[K]): void {
    this.entry = { ...this.entry, [name]: value }
    this.notice = ''
    this.confirm.dismiss()
  }

  private applyTemplate(id: string): void {
    const template = this.templates.rows.find((row) => text(row.id) === id)
    this.entry =
      template === undefined
        ? { ...this.entry, template: '' }
        : { ...this.entry, template: id, start_time: text(template.start_time), end_time: text(template.end_time), break_minutes: String(num(template.break_minutes)) }
  }

  private setRange(which: 'from' | 'to', event: Event): void {
    const input = event.target as HTMLInputElement
    const parsed = parseDate(input.value)
    if (!parsed.ok || parsed.value === null) {
      const reason = parsed.ok ? { tr: 'Tarih boş olamaz', en: 'The date cannot be empty' } : parsed.reason
      this.filterError = reason[this.language]
      input.classList.add('invalid')
      input.setAttribute('aria-invalid', 'true')
      return
    }
    input.classList.remove('invalid')
    input.setAttribute('aria-invalid', 'false')
    this.filterError = ''
    this[which] = parsed.value
  }

  private showMonth(month: string): void {
    const range = monthRange(month)
    this.from = range.start
    this.to = range.end
    this.filterError = ''
  }

  /** Enter goes to the next field; from the last field it saves. */
  private onKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && this.editing !== null) {
      this.cancelEdit()
      return
    }
    if (event.key !== 'Enter') return
    const target = event.target as HTMLElement
    if (!(target instanceof HTMLInputElement || target instanceof HTMLSelectElement)) return
    event.preventDefault()
    const fields = [...this.renderRoot.querySelectorAll<HTMLInputElement | HTMLSelectElement>('form input, form select')]
    const next = fields[fields.indexOf(target) + 1]
    if (next === undefined) {
      this.save()
      return
    }
    next.focus()
    if (next instanceof HTMLInputElement && next.type !== 'checkbox') next.select()
  }

  private save = (event?: Event, confirmed = false, monthOpened = false): void => {
    event?.preventDefault()
    const ws = this.workspace
    const engine = ws?.engine
    if (ws === undefined || engine === undefined) return
    const editing = this.editing
    if (editing !== null && !monthOpened && engine.record('timesheets', editing, this.region) === undefined) {
      // A row shown from held rows: its month opens first (it began to when the edit did).
      ws.offline.openForEdit('timesheets', editing, this.region).then(
        () => this.save(undefined, confirmed, true),
        (error: unknown) => (this.error = error),
      )
      return
    }
    const e = this.entry
    const input = timesheetInput(e)
    if (!confirmed) {
      // Refusals first (the engine's own rules, here without writing); then what only asks.
      let normalized: Record<string, unknown>
      try {
        const fields = validateFields('timesheets', input, 'insert')
        validateRecord('timesheets', fields)
        normalized = fields
      } catch {
        normalized = {}
      }
      const warnings =
        normalized.work_date === undefined
          ? []
          : shiftWarnings({ work_date: String(normalized.work_date), start_time: String(normalized.start_time), end_time: String(normalized.end_time) }, todayIso())
      if (this.confirm.ask(warnings)) {
        this.error = undefined
        this.notice = ''
        return
      }
    }
    this.confirm.dismiss()
    try {
      if (this.editing === null) engine.insert('timesheets', input, this.region)
      else engine.update('timesheets', this.editing, changedFields(input, timesheetInput(this.editBase)), this.region)
    } catch (error) {
      this.error = error
      this.notice = ''
      return
    }
    const saved = parseWorkDate(e.date) ?? todayIso()
    const shownTime = (typed: string): string => {
      const parsed = parseTime(typed)
      return parsed.ok && parsed.value !== null ? parsed.value : typed
    }
    this.error = undefined
    this.notice = `${t(this.language, 'saved')}: ${formatDate(this.language, saved)} ${shownTime(e.start_time)}–${shownTime(e.end_time)}`
    // The list follows the saved row: a row outside the shown range would otherwise "vanish".
    if (saved < this.from || saved > this.to) {
      const month = saved.slice(0, 7)
      this.showMonth(month)
      this.notice += ` — ${t(this.language, 'entry.movedTo', { month: formatMonth(this.language, month) })}`
    }
    if (this.employeeFilter !== '' && this.employeeFilter !== e.employee_id) this.employeeFilter = ''
    if (this.editing !== null) {
      this.editing = null
      this.entry = { ...emptyEntry(), employee_id: e.employee_id, template: e.template }
    } else {
      // Next row: same employee, template and times, the following day.
      this.entry = { ...e, start_time: shownTime(e.start_time), end_time: shownTime(e.end_time), date: typedDate(addDays(saved, 1)), notes: '', is_special: false }
    }
    void this.updateComplete.then(() => {
      const date = this.renderRoot.querySelector<HTMLInputElement>('input[name="date"]')
      date?.focus()
      date?.select()
    })
  }

  private edit(row: Row): void {
    this.editing = text(row.id)
    this.entry = {
      employee_id: text(row.employee_id),
      template: '',
      date: typedDate(text(row.work_date)),
      start_time: text(row.start_time),
      end_time: text(row.end_time),
      break_minutes: String(num(row.break_minutes)),
      is_special: num(row.is_special) === 1,
      notes: text(row.notes),
    }
    this.editBase = this.entry
    this.error = undefined
    this.notice = ''
    // A row of a month not open (held rows) is edited in its document: open it while the user types.
    this.workspace?.offline.openForEdit('timesheets', this.editing, this.region).catch(() => undefined)
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>('input[name="date"]')?.focus())
  }

  private cancelEdit = (): void => {
    this.editing = null
    this.entry = { ...emptyEntry(), employee_id: this.entry.employee_id }
    this.error = undefined
  }

  /** Deletes at once (soft: restorable) and offers "Geri al". */
  private async deleteRow(id: string, label: string): Promise<void> {
    const ws = this.workspace
    if (ws === undefined) return
    try {
      await editRecord(ws, 'timesheets', id, this.region, () => ws.engine.delete('timesheets', id, this.region))
    } catch (error) {
      this.error = error
      return
    }
    if (this.editing === id) this.cancelEdit()
    this.confirm.deleted(id, label)
  }

  private async restore(id: string): Promise<void> {
    const ws = this.workspace
    if (ws === undefined) return
    try {
      await editRecord(ws, 'timesheets', id, this.region, () => ws.engine.restore('timesheets', id, this.region))
    } catch (error) {
      this.error = error
    }
  }
}

customElements.define('rs-puantaj', PuantajScreen)
