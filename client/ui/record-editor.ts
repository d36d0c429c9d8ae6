/**
 * <rs-record-editor>: list, add, edit, delete and restore the records of one table of one region
 * (employees, vehicles, drivers, shift templates). The fields and their kinds come from
 * schema/tables.ts, so the form checks nothing itself: the engine validates and a refusal is
 * shown inline, bilingual, with nothing written.
 */
import { css, html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import { RecordError } from '../../crdt/regionDoc.ts'
import type { Row } from '../../crdt/mirror.ts'
import { TABLES, type FieldDef, type RecordInput, type TableName } from '../../schema/tables.ts'
import { fieldLabelText } from '../../schema/labels.ts'
import { formatDate, formatDateTime, formatNumber, t, type Lang } from './i18n.ts'
import { liveQuery, text } from './live-query.ts'
import { errorField, errorIn, Screen, textOrNull } from './screen.ts'
import { formatPlate, searchMatches } from '../../schema/turkishInput.ts'
import { shared } from './styles.ts'
import './record-past.ts'
import { duplicateEmployeeWarnings } from '../../schema/plausibility.ts'
import { EntryConfirmController } from './entry-confirm-controller.ts'

type Draft = Record<string, string | boolean>

const collator = new Intl.Collator('tr')

export function fieldLabel(lang: Lang, field: string, table?: string): string {
  return fieldLabelText(field, table)[lang]
}

/** A stored value as the list shows it: dates in the language's format, numbers grouped. */
export function shownValue(lang: Lang, def: FieldDef | undefined, value: unknown, field?: string): string {
  if (value === null || value === undefined || value === '') return ''
  if (field === 'plate' && typeof value === 'string') return formatPlate(value)
  if (def?.type === 'date' && typeof value === 'string') return formatDate(lang, value)
  if (def?.type === 'flag') return Number(value) === 1 ? t(lang, 'yes') : t(lang, 'no')
  if ((def?.type === 'integer' || def?.type === 'real') && typeof value === 'number') return formatNumber(lang, value)
  return String(value)
}

/** A stored value as the form edits it: dates as GG.AA.YYYY, which the validator reads back. */
function draftValue(def: FieldDef, value: unknown): string | boolean {
  if (def.type === 'flag') return Number(value) === 1
  if (value === null || value === undefined) return ''
  if (def.type === 'date' && typeof value === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
    return m ? `${m[3]}.${m[2]}.${m[1]}` : value
  }
  return String(value)
}

/** The form's text → the record input the engine validates (numbers parsed, blanks as null). */
function inputFrom(table: TableName, fields: readonly string[], draft: Draft): Record<string, unknown> {
  const input: Record<string, unknown> = {}
  for (const field of fields) {
    const def = TABLES[table].fields[field]
    const value = draft[field]
    if (def.type === 'flag') input[field] = value === true ? 1 : 0
    // Numbers go as typed: the schema reads them as tr-TR (152.000) and refuses what is ambiguous (1.5).
    else if (def.type === 'integer' || def.type === 'real') input[field] = textOrNull(String(value ?? ''))
    else input[field] = typeof value === 'string' && value.trim() !== '' ? value : null
  }
  return input
}

export class RecordEditor extends Screen {
  static override properties: PropertyDeclarations = {
    table: {},
    fields: { attribute: false },
    listFields: { attribute: false },
    rowNote: { attribute: false },
    heading: {},
    draft: { state: true },
    editing: { state: true },
    existing: { state: true },
    error: { state: true },
    filter: { state: true },
    showDeleted: { state: true },
    past: { state: true },
  }

  static override styles = [
    shared,
    css`
      @media print {
        form,
        button,
        .toast,
        .warnings,
        .read-only,
        input[type='search'] {
          display: none !important;
        }
      }
    `,
  ]

  table: TableName = 'employees'
  /** Fields in the form, in order; the first one is the record's name in lists. */
  fields: readonly string[] = []
  /** Fields shown as list columns (default: the form's). */
  listFields: readonly string[] | undefined = undefined
  /** Extra text for a row (the fleet's alerts). */
  rowNote: ((row: Row) => TemplateResult | typeof nothing) | undefined = undefined
  heading = ''
  draft: Draft = {}
  /** The form as it was opened for editing: only fields that differ from it are written. */
  private base: Draft = {}
  editing: string | null = null
  /** The record a refused new entry's key already names, offered to open instead. */
  existing: string | null = null
  /** The refused edit, kept as the error itself so it is shown in the language of the moment. */
  error: unknown = undefined
  filter = ''
  showDeleted = false
  /** The record whose Geçmiş is open. */
  past: { readonly id: string; readonly label: string } | null = null
  /** "Yine de kaydet" on a draft that looks like a duplicate employee; "Geri al" after a delete. */
  private readonly confirm = new EntryConfirmController(this, {
    testId: 'form',
    saveAnyway: () => this.save(undefined, true),
    restore: (id) => this.restore(id),
    inputName: (field) => field ?? this.nameField,
  })

  private readonly records = liveQuery(this, () => ({ sql: `SELECT * FROM ${this.table} WHERE region = ?`, params: [this.region], tables: [this.table] }))

  private readonly deleted = liveQuery(this, () =>
    this.showDeleted
      ? {
          sql: 'SELECT record_id, deleted_at, deleted_by FROM deleted_records WHERE region = ? AND table_name = ? ORDER BY deleted_at DESC',
          params: [this.region, this.table],
          tables: ['deleted_records'],
        }
      : undefined,
  )

  private get nameField(): string {
    return this.fields[0] ?? 'id'
  }

  private visibleRows(): Row[] {
    // Turkish-aware and accent-blind: "ayse" finds Ayşe, "IBRAHIM" finds İbrahim, "06abc" finds 06 ABC 123.
    const needle = this.filter.trim()
    const rows =
      needle === ''
        ? this.records.rows
        : this.records.rows.filter((row) => this.fields.some((f) => searchMatches(text(row[f]), needle) || (f === 'plate' && searchMatches(formatPlate(text(row[f])), needle))))
    return [...rows].sort((a, b) => collator.compare(text(a[this.nameField]), text(b[this.nameField])))
  }

  override render(): TemplateResult {
    const lang = this.language
    const columns = this.listFields ?? this.fields
    const rows = this.visibleRows()
    return html`
      <section>
        <h2>${this.heading}</h2>
        ${this.writable
          ? this.renderForm()
          : html`<p class="read-only" role="note" data-testid="read-only-notice">${t(lang, 'entry.readOnly', { region: this.regionName() })}</p>`}
        <div class="row" style="margin: 0.8rem 0 0.4rem">
          <label>${t(lang, 'action.search')}<input type="search" .value=${this.filter} @input=${(e: Event) => (this.filter = (e.target as HTMLInputElement).value)} /></label>
          <span class="muted">${formatNumber(lang, rows.length)} ${t(lang, 'list.count')}</span>
          <button class="link" @click=${() => (this.showDeleted = !this.showDeleted)}>${t(lang, this.showDeleted ? 'action.hideDeleted' : 'action.showDeleted')}</button>
        </div>
        <div class="scroll">
          <table data-testid="record-list">
            <thead>
              <tr>
                ${columns.map((f) => html`<th>${fieldLabel(lang, f, this.table)}</th>`)}
                ${this.rowNote ? html`<th>${t(lang, 'alerts.title')}</th>` : nothing}
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${rows.length === 0 ? html`<tr><td colspan=${columns.length + 2} class="muted">${t(lang, 'list.empty')}</td></tr>` : nothing}
              ${rows.map(
                (row) => html`<tr data-testid="record-row">
                  ${columns.map((f) => html`<td>${shownValue(lang, TABLES[this.table].fields[f], row[f], f)}</td>`)}
                  ${this.rowNote ? html`<td class="wrap">${this.rowNote(row)}</td>` : nothing}
                  <td>
                    ${this.writable
                      ? html`<button class="link" data-edit @click=${() => this.edit(row)}>${t(lang, 'action.edit')}</button>
                          <button class="link danger" data-edit data-testid="delete-row" @click=${() => this.deleteRow(text(row.id), this.nameOf(row))}>${t(lang, 'action.delete')}</button>`
                      : nothing}
                    <button class="link" data-testid="row-history" @click=${() => (this.past = { id: text(row.id), label: this.nameOf(row) })}>${t(lang, 'history.open')}</button>
                  </td>
                </tr>`,
              )}
            </tbody>
          </table>
        </div>
        ${this.past !== null
          ? html`<rs-record-past table=${this.table} record-id=${this.past.id} label=${this.past.label} @record-past-close=${() => (this.past = null)}></rs-record-past>`
          : nothing}
        ${this.showDeleted ? this.renderDeleted() : nothing}
      </section>
      ${this.confirm.renderUndo(lang)}
    `
  }

  /** The record's name as lists show it (its first field). */
  private nameOf(row: Row): string {
    return shownValue(this.language, TABLES[this.table].fields[this.nameField], row[this.nameField], this.nameField)
  }

  private renderForm(): TemplateResult {
    const lang = this.language
    return html`<form data-testid="record-form" @submit=${this.save} @keydown=${this.onKey}>
        ${this.fields.map((field) => {
          const def = TABLES[this.table].fields[field]
          const value = this.draft[field]
          if (def.type === 'flag') {
            return html`<label class="check"><input type="checkbox" name=${field} .checked=${value === true} @change=${(e: Event) => this.set(field, (e.target as HTMLInputElement).checked)} />${fieldLabel(lang, field, this.table)}</label>`
          }
          const placeholder = def.type === 'date' ? (lang === 'tr' ? 'GG.AA.YYYY' : 'DD.MM.YYYY') : def.type === 'time' ? (lang === 'tr' ? 'SS:DD' : 'HH:MM') : ''
          const mode = def.type === 'integer' ? 'numeric' : def.type === 'real' ? 'decimal' : 'text'
          const invalid = this.error !== undefined && errorField(this.error) === field
          return html`<label
            >${fieldLabel(lang, field, this.table)}${def.required ? ' *' : ''}
            <input
              name=${field}
              inputmode=${mode}
              placeholder=${placeholder}
              class=${invalid ? 'invalid' : ''}
              aria-invalid=${invalid ? 'true' : 'false'}
              aria-describedby=${invalid ? `error-${field}` : nothing}
              .value=${typeof value === 'string' ? value : ''}
              @input=${(e: Event) => this.set(field, (e.target as HTMLInputElement).value)}
            />${invalid ? html`<span class="field-error" role="alert" id=${`error-${field}`} data-testid="form-error">${errorIn(lang, this.error)}</span>` : nothing}</label
          >`
        })}
        <button class="primary" type="submit" data-edit>${t(lang, this.editing === null ? 'action.add' : 'action.update')}</button>
        ${this.editing !== null ? html`<button type="button" @click=${this.cancel}>${t(lang, 'action.cancel')}</button>` : nothing}
      </form>
      ${this.confirm.renderWarnings(lang)}
      ${this.existing !== null ? this.renderExisting(this.existing) : nothing}
      ${this.error !== undefined && !this.fields.includes(errorField(this.error) ?? '') ? html`<p class="error" role="alert" data-testid="form-error">${errorIn(lang, this.error)}</p>` : nothing}`
  }

  private renderExisting(id: string): TemplateResult {
    const lang = this.language
    const row = this.records.rows.find((r) => text(r.id) === id)
    const key = row === undefined ? id : shownValue(lang, TABLES[this.table].fields[this.nameField], row[this.nameField], this.nameField)
    return html`<p class="error" role="alert" data-testid="record-exists">
      ${t(lang, 'record.exists', { key })}
      ${row !== undefined ? html`<button type="button" data-testid="open-existing" @click=${() => this.edit(row)}>${t(lang, 'record.open')}</button>` : nothing}
    </p>`
  }

  private renderDeleted(): TemplateResult {
    const lang = this.language
    const engine = this.workspace?.engine
    return html`<h3>${t(lang, 'list.deleted')}</h3>
      <table data-testid="deleted-list">
        <tbody>
          ${this.deleted.rows.length === 0 ? html`<tr><td class="muted">${t(lang, 'list.empty')}</td></tr>` : nothing}
          ${this.deleted.rows.map((row) => {
            const id = text(row.record_id)
            const record = engine?.record(this.table, id, this.region)
            return html`<tr>
              <td>${text(record?.[this.nameField] ?? id)}</td>
              <td class="muted">${text(row.deleted_by)}, ${formatDateTime(lang, text(row.deleted_at))}</td>
              <td>${this.writable ? html`<button class="link" data-edit @click=${() => this.restore(id)}>${t(lang, 'action.restore')}</button>` : nothing}</td>
            </tr>`
          })}
        </tbody>
      </table>`
  }

  private set(field: string, value: string | boolean): void {
    this.draft = { ...this.draft, [field]: value }
    this.existing = null
    this.confirm.dismiss()
  }

  /** Enter moves to the next field, and saves from the last one: a keyboard-only loop. */
  private onKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && this.editing !== null) {
      this.cancel()
      return
    }
    const target = event.target as HTMLElement
    if (event.key !== 'Enter' || !(target instanceof HTMLInputElement)) return
    const inputs = [...(this.renderRoot.querySelectorAll<HTMLInputElement>('form input'))]
    const next = inputs[inputs.indexOf(target) + 1]
    if (next !== undefined) {
      event.preventDefault()
      next.focus()
      next.select?.()
    }
  }

  private edit(row: Row): void {
    const draft: Draft = {}
    for (const field of this.fields) draft[field] = draftValue(TABLES[this.table].fields[field], row[field])
    this.draft = draft
    this.base = draft
    this.editing = text(row.id)
    this.existing = null
    this.error = undefined
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>('form input')?.focus())
  }

  private cancel = (): void => {
    this.editing = null
    this.draft = {}
    this.base = {}
    this.existing = null
    this.error = undefined
    this.confirm.dismiss()
  }

  private save = (event?: Event, confirmed = false): void => {
    event?.preventDefault()
    const engine = this.workspace?.engine
    if (engine === undefined) return
    if (!confirmed && this.table === 'employees') {
      const others = this.records.rows.map((row) => ({ id: text(row.id), full_name: row.full_name, identity_no: row.identity_no }))
      const draft = this.draft
      const candidate = {
        ...(this.editing === null ? {} : { id: this.editing }),
        full_name: typeof draft.full_name === 'string' ? draft.full_name : '',
        identity_no: typeof draft.identity_no === 'string' ? draft.identity_no : '',
      }
      // Only what the user typed or changed here warns: an edit of the title does not re-ask about the name.
      const warnings = duplicateEmployeeWarnings(candidate, others).filter((w) => this.editing === null || draft[w.field] !== this.base[w.field])
      if (this.confirm.ask(warnings)) {
        this.error = undefined
        return
      }
    }
    this.confirm.dismiss()
    // An edit sends only what the user changed here, so a field another PC changed meanwhile keeps
    // that PC's value instead of the one this form showed when it opened.
    const changed = this.editing === null ? this.fields : this.fields.filter((f) => this.draft[f] !== this.base[f])
    const input = inputFrom(this.table, changed, this.draft)
    try {
      // The engine validates against schema/tables.ts; the cast only names the table's type.
      if (this.editing === null) engine.insert(this.table, input as RecordInput<typeof this.table>, this.region)
      else engine.update(this.table, this.editing, input as Partial<RecordInput<typeof this.table>>, this.region)
    } catch (error) {
      if (error instanceof RecordError && error.code === 'exists') {
        this.existing = error.id
        this.error = undefined
        return
      }
      this.error = error
      return
    }
    this.cancel()
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>('form input')?.focus())
  }

  /** Deletes at once (soft: restorable) and offers "Geri al". */
  private deleteRow(id: string, label: string): void {
    try {
      this.workspace?.engine.delete(this.table, id, this.region)
      this.error = undefined
    } catch (error) {
      this.error = error
      return
    }
    if (this.editing === id) this.cancel()
    this.confirm.deleted(id, label)
  }

  private restore(id: string): void {
    try {
      this.workspace?.engine.restore(this.table, id, this.region)
      this.error = undefined
    } catch (error) {
      this.error = error
    }
  }
}

customElements.define('rs-record-editor', RecordEditor)

declare global {
  interface HTMLElementTagNameMap {
    'rs-record-editor': RecordEditor
  }
}
