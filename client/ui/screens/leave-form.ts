/**
 * <rs-leave-form>: one leave of one employee, opened from the monthly sheet with the chosen days
 * filled in: its type (the sheet's leave codes), first and last day, half day and note. A new
 * leave is inserted, an existing one updated (only what changed) or deleted. The engine checks
 * it; a refusal stays beside its field and nothing is written. Tells the sheet `leave-done`.
 */
import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit'
import { fieldLabelText } from '../../../schema/labels.ts'
import { DAY_CODE_LABELS, LEAVE_TYPES, type LeaveType } from '../../../schema/leave.ts'
import { fieldMessage, formMessages, markField } from '../field-errors.ts'
import { t } from '../i18n.ts'
import { Screen, textOrNull } from '../screen.ts'
import { shared } from '../styles.ts'
import { editRecord } from '../workspace.ts'
import { changedFields, typedDate } from './puantaj-entry.ts'

export interface LeaveRow {
  readonly id: string
  readonly employee_id: string
  readonly leave_type: LeaveType
  readonly first_day: string
  readonly last_day: string
  readonly half_day: boolean
  readonly note: string | null
}

interface Draft {
  leave_type: LeaveType
  first_day: string
  last_day: string
  half_day: boolean
  note: string
}

const FIELDS = ['leave_type', 'first_day', 'last_day', 'half_day', 'note'] as const

/** What the sheet hears when the form is done: the message to show, or none (cancelled). */
export type LeaveDone = 'leave.saved' | 'leave.deleted' | null

export class LeaveForm extends Screen {
  static override properties: PropertyDeclarations = {
    employeeId: {},
    employeeName: {},
    first: {},
    last: {},
    leave: { attribute: false },
    draft: { state: true },
    error: { state: true },
  }

  static override styles = [shared]

  employeeId = ''
  employeeName = ''
  /** The chosen days, ISO. */
  first = ''
  last = ''
  /** The leave being edited, or null for a new one. */
  leave: LeaveRow | null = null
  draft: Draft = { leave_type: 'Y', first_day: '', last_day: '', half_day: false, note: '' }
  /** The refused save, kept as the error so it shows in the language of the moment. */
  error: unknown = undefined
  private base: Draft = this.draft

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!(changed.has('employeeId') || changed.has('first') || changed.has('last') || changed.has('leave'))) return
    const leave = this.leave
    this.draft = {
      leave_type: leave?.leave_type ?? 'Y',
      // Days chosen on the sheet win over the stored ones: a Shift+click moves an existing leave's days.
      first_day: typedDate(this.first || (leave?.first_day ?? '')),
      last_day: typedDate(this.last || (leave?.last_day ?? '')),
      half_day: leave?.half_day ?? false,
      note: leave?.note ?? '',
    }
    this.base = leave === null ? this.draft : { ...this.draft, first_day: typedDate(leave.first_day), last_day: typedDate(leave.last_day) }
    this.error = undefined
  }

  protected override updated(changed: PropertyValues<this>): void {
    // Opened on other days: the clerk goes on from the keyboard.
    if (changed.has('employeeId') || changed.has('first') || changed.has('last') || changed.has('leave')) this.renderRoot.querySelector<HTMLSelectElement>('select[name="leave_type"]')?.focus()
  }

  override render(): TemplateResult {
    const lang = this.language
    const d = this.draft
    const errors = this.error === undefined ? [] : [this.error]
    const label = (field: string): string => fieldLabelText(field, 'leaves')[lang]
    return html`<section data-testid="leave-form-section">
      <h3>${t(lang, this.leave === null ? 'leave.new' : 'leave.edit')} — ${this.employeeName}</h3>
      <form data-testid="leave-form" @submit=${this.save} @keydown=${this.onKey}>
        <label
          >${label('leave_type')}
          <select name="leave_type" data-testid="leave-type" ${markField(errors, 'leave_type')} @change=${(e: Event) => this.set('leave_type', (e.target as HTMLSelectElement).value as LeaveType)}>
            ${LEAVE_TYPES.map((code) => html`<option value=${code} ?selected=${code === d.leave_type}>${code} — ${DAY_CODE_LABELS[code][lang]}</option>`)}
          </select>
          ${fieldMessage(lang, errors, 'leave_type', 'leave-error')}
        </label>
        ${(['first_day', 'last_day'] as const).map(
          (field) => html`<label
            >${label(field)}
            <input name=${field} data-testid=${`leave-${field}`} style="width:7.5em" placeholder=${lang === 'tr' ? 'GG.AA.YYYY' : 'DD.MM.YYYY'} .value=${d[field]} ${markField(errors, field)} @input=${(e: Event) => this.set(field, (e.target as HTMLInputElement).value)} />
            ${fieldMessage(lang, errors, field, 'leave-error')}
          </label>`,
        )}
        <label class="check"
          ><input type="checkbox" name="half_day" data-testid="leave-half_day" .checked=${d.half_day} ${markField(errors, 'half_day')} @change=${(e: Event) => this.set('half_day', (e.target as HTMLInputElement).checked)} />${label('half_day')}
          ${fieldMessage(lang, errors, 'half_day', 'leave-error')}</label
        >
        <label
          >${label('note')}
          <input name="note" data-testid="leave-note" style="width:14em" .value=${d.note} ${markField(errors, 'note')} @input=${(e: Event) => this.set('note', (e.target as HTMLInputElement).value)} />
          ${fieldMessage(lang, errors, 'note', 'leave-error')}
        </label>
        <button class="primary" type="submit" data-testid="leave-save">${t(lang, this.leave === null ? 'action.save' : 'action.update')}</button>
        ${this.leave !== null ? html`<button type="button" class="danger" data-testid="leave-delete" @click=${this.deleteLeave}>${t(lang, 'action.delete')}</button>` : nothing}
        <button type="button" data-testid="leave-cancel" @click=${() => this.done(null)}>${t(lang, 'action.cancel')}</button>
      </form>
      ${formMessages(lang, errors, FIELDS, 'leave-error')}
    </section>`
  }

  private set<K extends keyof Draft>(field: K, value: Draft[K]): void {
    this.draft = { ...this.draft, [field]: value }
    if (this.error !== undefined) this.error = undefined
  }

  private input(d: Draft): { leave_type: LeaveType; first_day: string; last_day: string; half_day: number; note: string | null } {
    return { leave_type: d.leave_type, first_day: d.first_day, last_day: d.last_day, half_day: d.half_day ? 1 : 0, note: textOrNull(d.note) }
  }

  private save = async (event: Event): Promise<void> => {
    event.preventDefault()
    const ws = this.workspace
    if (ws === undefined) return
    const engine = ws.engine
    const leave = this.leave
    try {
      if (leave === null) engine.insert('leaves', { employee_id: this.employeeId, ...this.input(this.draft) }, this.region)
      else {
        const patch = changedFields(this.input(this.draft), this.input(this.base))
        // A leave shown from held rows is changed in its month, which opens first.
        await editRecord(ws, 'leaves', leave.id, this.region, () => engine.update('leaves', leave.id, patch, this.region))
      }
    } catch (error) {
      this.error = error
      return
    }
    this.done('leave.saved')
  }

  private deleteLeave = async (): Promise<void> => {
    const ws = this.workspace
    const leave = this.leave
    if (leave === null || ws === undefined) return
    try {
      await editRecord(ws, 'leaves', leave.id, this.region, () => ws.engine.delete('leaves', leave.id, this.region))
    } catch (error) {
      this.error = error
      return
    }
    this.done('leave.deleted')
  }

  private onKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') this.done(null)
  }

  private done(message: LeaveDone): void {
    this.dispatchEvent(new CustomEvent<LeaveDone>('leave-done', { detail: message }))
  }
}

customElements.define('rs-leave-form', LeaveForm)
