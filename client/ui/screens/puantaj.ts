/**
 * Puantaj: entering a month of timesheets from the keyboard, and the grid of what was entered.
 *
 * The entry row: employee, shift template (fills start, end and break), date, start, end, break,
 * special day, notes. Enter moves to the next field and saves from the last; after a save the
 * date moves to the next day and the cursor goes back to it, so a month is a run of Enters.
 * Hours are computed as you type with the region's own hour settings (schema/hours.ts); a row
 * the engine refuses shows its bilingual reason inline and nothing is written. A date on a public
 * holiday ticks "Özel gün" by itself; the clerk may untick it. The grid reads the mirror, so an old
 * month shows from held rows; editing a row of it opens its month first.
 */
import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import type { Row } from '../../../crdt/mirror.ts'
import { hourSettingsFrom, parseWorkDate, type HourSettings } from '../../../schema/hours.ts'
import { monthRange } from '../../report.ts'
import { addDays, formatDate, formatHours, formatMonth, t, todayIso } from '../i18n.ts'
import { liveQuery, num, text } from '../live-query.ts'
import { ShownMonths } from '../shown-months.ts'
import { ClosedMonths } from '../closed-months.ts'
import '../record-past.ts'
import { HolidaysShown } from '../holidays-controller.ts'
import { MonthClosedError } from '../../engine.ts'
import { editRecord } from '../workspace.ts'
import { errorField, errorIn, Screen } from '../screen.ts'
import { parseDate } from '../../../schema/turkishInput.ts'
import { shared } from '../styles.ts'
import { specialByDefault } from '../../../schema/shiftEntry.ts'
import { EntryConfirmController } from '../entry-confirm-controller.ts'
import { changedFields, emptyEntry, entryField, entryPreview, entryWarnings, shownTime, specialOnDate, timesheetInput, typedDate, type Entry } from './puantaj-entry.ts'
import { HOUR_COLUMNS, listStyles, renderDeletedList, renderListFilters, renderTimesheetList, SPECIAL_COLUMNS } from './puantaj-list.ts'

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
    past: { state: true },
  }

  static override styles = [shared, listStyles]

  entry: Entry = emptyEntry()
  /** The row's values when its edit began: an update sends only the fields changed since. */
  private editBase: Entry = emptyEntry()
  editing: string | null = null
  /** The refused save, as the error: shown in the language of the moment, next to its field. */
  error: unknown = undefined
  notice = ''
  employeeFilter = ''
  from = monthRange(todayIso().slice(0, 7)).start
  to = monthRange(todayIso().slice(0, 7)).end
  filterError = ''
  showDeleted = false
  /** The row whose Geçmiş is open. */
  past: { readonly id: string; readonly label: string } | null = null
  /** "Yine de kaydet" on an implausible shift; "Geri al" after a delete. */
  private readonly holidays = new HolidaysShown(this)
  private readonly closedMonths = new ClosedMonths(this, () => this.workspace)
  private readonly confirm = new EntryConfirmController(this, {
    testId: 'entry',
    saveAnyway: () => this.save(undefined, true),
    restore: (id) => this.restore(id),
    inputName: (field) => entryField(field) ?? 'date',
  })

  private readonly shownMonths = new ShownMonths(this, () =>
    this.workspace && { offline: this.workspace.offline, regions: [this.region], from: this.from, to: this.to },
  )

  private readonly employees = this.regionQuery('SELECT id, full_name FROM employees WHERE region = ?', ['employees'])

  private readonly templates = this.regionQuery('SELECT id, name, start_time, end_time, break_minutes FROM shift_templates WHERE region = ? ORDER BY name', ['shift_templates'])

  private readonly settings = this.regionQuery('SELECT key, value FROM settings WHERE region = ?', ['settings'])

  private readonly timesheets = liveQuery(this, () => {
    const byEmployee = this.employeeFilter !== ''
    return {
      sql: `SELECT t.id, t.employee_id, coalesce(e.full_name, '') AS employee, t.work_date, t.start_time, t.end_time,
                   t.break_minutes, t.is_special, t.notes, t.updated_by, t.updated_at
              FROM timesheets t LEFT JOIN employees e ON e.region = t.region AND e.id = t.employee_id
             WHERE t.region = ? AND t.work_date BETWEEN ? AND ? ${byEmployee ? 'AND t.employee_id = ?' : ''}
             ORDER BY t.work_date, t.start_time, employee`,
      params: byEmployee ? [this.region, this.from, this.to, this.employeeFilter] : [this.region, this.from, this.to],
      tables: ['timesheets', 'employees'],
    }
  })

  private readonly deleted = liveQuery(this, () =>
    this.showDeleted
      ? {
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
    const preview = entryPreview(this.entry, settings, lang)
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
    const { language: lang, from, to, employeeFilter, showDeleted, filterError: error } = this
    return renderListFilters({
      ...{ lang, from, to, employeeFilter, showDeleted, error, employees: this.sortedEmployees() },
      chooseEmployee: (id) => (this.employeeFilter = id),
      setRange: (which, event) => this.setRange(which, event),
      showMonth: (month) => this.showMonth(month),
      toggleDeleted: () => (this.showDeleted = !this.showDeleted),
    })
  }

  private renderGrid(settings: HourSettings): TemplateResult {
    const view = { lang: this.language, writable: this.writable, editing: this.editing, edit: (row: Row) => this.edit(row), deleteRow: (id: string, label: string) => this.deleteRow(id, label) }
    const past = this.past
    return html`${renderTimesheetList({ ...view, history: (id, label) => (this.past = { id, label }) }, this.timesheets.rows, settings)}
    ${past !== null ? html`<rs-record-past class="no-print" table="timesheets" record-id=${past.id} label=${past.label} @record-past-close=${() => (this.past = null)}></rs-record-past>` : nothing}`
  }

  private renderDeleted(): TemplateResult {
    const engine = this.workspace?.engine
    return renderDeletedList(
      {
        lang: this.language,
        writable: this.writable,
        fields: (id) => engine?.record('timesheets', id, this.region) ?? {},
        employeeName: (id) => {
          const employee = this.employees.rows.find((e) => text(e.id) === id)
          return employee ? text(employee.full_name) : ''
        },
        restore: (id) => this.restore(id),
      },
      this.deleted.rows,
    )
  }

  private set<K extends keyof Entry>(name: K, value: Entry[K]): void {
    this.entry = { ...this.entry, [name]: value }
    // A new date starts from its own default tick (a public holiday is special); unticking overrides it.
    if (name === 'date') this.entry.is_special = specialOnDate(String(value), (iso) => this.holidays.forDates([iso]))
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
      const warnings = entryWarnings(input)
      if (this.confirm.ask(warnings)) {
        this.error = undefined
        this.notice = ''
        return
      }
    }
    this.confirm.dismiss()
    try {
      // A month the head office closed takes nothing, nor gives a record away: refused before it waits as a late edit.
      for (const date of [input.work_date, this.editing === null ? '' : this.editBase.date]) {
        const closed = this.closedMonths.closedOn(this.region, parseWorkDate(date) ?? '')
        if (closed !== undefined) throw new MonthClosedError(closed)
      }
      if (this.editing === null) engine.insert('timesheets', input, this.region)
      else engine.update('timesheets', this.editing, changedFields(input, timesheetInput(this.editBase)), this.region)
    } catch (error) {
      this.error = error
      this.notice = ''
      return
    }
    const saved = parseWorkDate(e.date) ?? todayIso()
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
      this.entry = { ...e, start_time: shownTime(e.start_time), end_time: shownTime(e.end_time), date: typedDate(addDays(saved, 1)), notes: '', is_special: specialByDefault(addDays(saved, 1), this.holidays.forDates([addDays(saved, 1)])) }
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
