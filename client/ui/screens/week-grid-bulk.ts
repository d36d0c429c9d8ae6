/**
 * The week grid's writes of many cells at once: "Geçen haftayı kopyala" (last week into this
 * week's empty cells) and a shift template applied to the selected cells. Each is planned whole
 * (client/ui/week-plan.ts), asked about with its counts, every record checked as the engine
 * would, and only then written: a plan one record of which would be refused writes nothing.
 */
import { editRecord } from '../workspace.ts'
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit'
import { BilingualError } from '../../../schema/bilingual.ts'
import type { PublicHoliday } from '../../../schema/holidays.ts'
import type { Period } from '../../../schema/periods.ts'
import { specialByDefault, type ShiftTemplate } from '../../../schema/shiftEntry.ts'
import { MonthClosedError } from '../../engine.ts'
import type { RecordInput } from '../../../schema/tables.ts'
import { validateFields, validateRecord } from '../../../schema/validate.ts'
import { formatDate, t, type Lang, type MessageKey } from '../i18n.ts'
import { errorIn } from '../screen.ts'
import type { Workspace } from '../workspace.ts'
import { applyToCells, cellsOf, copyLastWeek, type BulkPlan, type CellKey, type CopyPlan, type NewTimesheet, type WeekEmployee, type WeekTimesheet } from '../week-plan.ts'

export interface WeekBulkHost extends ReactiveControllerHost {
  readonly language: Lang
  readonly writable: boolean
  readonly region: string
  readonly monday: string
  readonly workspace: Workspace | undefined
  readonly employees: readonly WeekEmployee[]
  readonly timesheets: readonly WeekTimesheet[]
  readonly templates: ReadonlyArray<ShiftTemplate & { readonly id: string }>
  readonly renderRoot: HTMLElement | DocumentFragment
  /** The week's holidays (the relay's list): a new timesheet on one is a special day. */
  readonly holidays: readonly PublicHoliday[]
  selection: ReadonlySet<CellKey>
  closedOn(date: string): Period | undefined
}

type Question = { readonly kind: 'copy'; readonly plan: CopyPlan } | { readonly kind: 'apply'; readonly plan: BulkPlan; readonly template: ShiftTemplate; readonly cells: number }

/** A message kept as its key, so it shows in the language of the moment. */
interface Notice {
  readonly key: MessageKey
  readonly vars: Readonly<Record<string, string | number>>
}

export class WeekBulk implements ReactiveController {
  private question: Question | null = null
  private notice: Notice | null = null
  private error: unknown = undefined
  private templateId = ''

  constructor(private readonly host: WeekBulkHost) {
    host.addController(this)
  }

  hostUpdate(): void {
    if (this.templateId !== '' && !this.host.templates.some((t) => t.id === this.templateId)) this.templateId = ''
  }

  render(): TemplateResult {
    const lang = this.host.language
    const writable = this.host.writable
    const templates = this.host.templates
    const selected = this.host.selection.size
    return html`<div class="row toolbar" data-testid="week-tools">
        <button type="button" data-testid="week-copy" ?disabled=${!writable} @click=${this.askCopy}>${t(lang, 'week.copy')}</button>
        <label
          >${t(lang, 'puantaj.template')}
          <select data-testid="bulk-template" ?disabled=${!writable || templates.length === 0} @change=${(e: Event) => this.chooseTemplate((e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${this.templateId === ''}>${templates.length === 0 ? t(lang, 'week.noTemplates') : t(lang, 'puantaj.noTemplate')}</option>
            ${templates.map((row) => html`<option value=${row.id} ?selected=${row.id === this.templateId}>${row.name} (${row.start_time}–${row.end_time})</option>`)}
          </select>
        </label>
        <button type="button" data-testid="bulk-apply" ?disabled=${!writable || selected === 0 || this.templateId === ''} @click=${this.askApply}>
          ${t(lang, 'week.apply', { n: selected })}
        </button>
        <span class="muted" data-testid="week-selection">${selected > 0 ? t(lang, 'week.selected', { n: selected }) : t(lang, 'week.selectHint')}</span>
      </div>
      ${this.renderQuestion(lang)}
      ${this.error !== undefined ? html`<p class="error" role="alert" data-testid="week-error">${errorIn(lang, this.error)}</p>` : nothing}
      ${this.notice !== null ? html`<p class="ok" role="status" data-testid="week-notice">${t(lang, this.notice.key, this.notice.vars)}</p>` : nothing}`
  }

  private renderQuestion(lang: Lang): TemplateResult | typeof nothing {
    const q = this.question
    if (q === null) return nothing
    const text =
      q.kind === 'copy'
        ? `${t(lang, 'week.copyConfirm', { n: q.plan.inserts.length, filled: q.plan.filled })}${q.plan.outside > 0 ? ` ${t(lang, 'week.copyOutside', { n: q.plan.outside })}` : ''}`
        : t(lang, 'week.applyConfirm', { template: q.template.name, n: q.cells, new: q.plan.inserts.length, changed: q.plan.updates.length, same: q.plan.same, skipped: q.plan.skipped })
    const go = q.kind === 'copy' ? t(lang, 'week.copyGo', { n: q.plan.inserts.length }) : t(lang, 'week.applyGo')
    return html`<div class="warnings" role="alertdialog" data-testid="week-question" @keydown=${this.questionKey}>
      <span data-testid="week-question-text">${text}</span>
      <div class="row" style="margin-top:0.4rem">
        <button type="button" class="primary" data-testid="week-confirm" @click=${this.confirm}>${go}</button>
        <button type="button" data-testid="week-cancel" @click=${this.cancel}>${t(this.host.language, 'action.cancel')}</button>
      </div>
    </div>`
  }

  private chooseTemplate(id: string): void {
    this.templateId = id
    this.host.requestUpdate()
  }

  private askCopy = (): void => {
    const plan = copyLastWeek(this.host.timesheets, this.host.monday, this.host.employees)
    this.error = undefined
    if (plan.inserts.length === 0) {
      this.question = null
      this.notice = { key: 'week.copyNothing', vars: {} }
      this.host.requestUpdate()
    } else this.ask({ kind: 'copy', plan })
  }

  private askApply = (): void => {
    const template = this.host.templates.find((row) => row.id === this.templateId)
    if (template === undefined) return
    const shift = { start_time: template.start_time, end_time: template.end_time, break_minutes: template.break_minutes }
    const plan = applyToCells(this.host.selection, cellsOf(this.host.timesheets), shift)
    this.error = undefined
    this.ask({ kind: 'apply', plan, template, cells: this.host.selection.size })
  }

  private ask(question: Question): void {
    this.question = question
    this.notice = null
    this.host.requestUpdate()
    void this.host.updateComplete.then(() => this.host.renderRoot.querySelector<HTMLButtonElement>('[data-testid="week-confirm"]')?.focus())
  }

  private cancel = (): void => {
    this.question = null
    this.host.requestUpdate()
  }

  private questionKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') this.cancel()
  }

  private confirm = (): void => {
    const q = this.question
    this.question = null
    if (q === null) return
    const inserts = q.plan.inserts
    const updates = q.kind === 'apply' ? q.plan.updates : []
    try {
      this.write(inserts, updates)
    } catch (error) {
      this.error = error
      this.host.requestUpdate()
      return
    }
    if (q.kind === 'copy') this.notice = { key: 'week.copied', vars: { n: inserts.length } }
    else {
      this.notice = { key: 'week.applied', vars: { template: q.template.name, new: inserts.length, changed: updates.length } }
      this.host.selection = new Set()
    }
    this.host.requestUpdate()
  }

  /** Every record checked first; then written. */
  private write(inserts: readonly NewTimesheet[], updates: BulkPlan['updates']): void {
    const engine = this.host.workspace?.engine
    if (engine === undefined) return
    const region = this.host.region
    const records = inserts.map((row): RecordInput<'timesheets'> => ({ ...row, is_special: specialByDefault(row.work_date, this.host.holidays) ? 1 : 0, notes: null }))
    const byId = new Map(this.host.timesheets.map((row) => [row.id, row]))
    const closed = (date: string): void => {
      const month = this.host.closedOn(date)
      if (month !== undefined) throw new MonthClosedError(month)
    }
    for (const record of records) {
      closed(record.work_date)
      check(record)
    }
    for (const { id, patch } of updates) {
      const row = byId.get(id)
      if (row === undefined) continue
      closed(row.work_date)
      const { id: _id, ...fields } = { ...row, ...patch }
      check(fields)
    }
    for (const record of records) engine.insert('timesheets', record, region)
    const ws = this.host.workspace
    // A row shown from held rows is changed in its month, which opens first.
    for (const { id, patch } of updates) {
      if (ws === undefined || engine.record('timesheets', id, region) !== undefined) engine.update('timesheets', id, patch, region)
      else void editRecord(ws, 'timesheets', id, region, () => engine.update('timesheets', id, patch, region)).catch(() => undefined)
    }
  }
}

/** Refuses the whole plan over one record, naming its day. */
function check(fields: Readonly<Record<string, unknown>> & { readonly work_date: string }): void {
  try {
    validateRecord('timesheets', validateFields('timesheets', fields, 'insert'))
  } catch (error) {
    const day = { tr: formatDate('tr', fields.work_date), en: formatDate('en', fields.work_date) }
    throw new BilingualError({ tr: `${day.tr}: ${errorIn('tr', error)}`, en: `${day.en}: ${errorIn('en', error)}` }, { cause: error })
  }
}
