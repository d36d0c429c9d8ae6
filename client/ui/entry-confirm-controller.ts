/**
 * The two questions an entry screen asks around its writes, kept once for the record editor and
 * Puantaj:
 * - before a save: "Yine de kaydet?" while the entry draws plausibility warnings
 *   (schema/plausibility.ts) — saving anyway, or going back to the field the first one is about;
 * - after a delete: "Silindi — Geri al" for UNDO_MS. Deletes are soft, so the undo is a restore.
 */
import { html, nothing, type LitElement, type ReactiveController, type TemplateResult } from 'lit'
import type { Warning } from '../../schema/plausibility.ts'
import { t, type Lang } from './i18n.ts'

/** How long the "Silindi — Geri al" toast stays, in ms. */
export const UNDO_MS = 8000

export interface EntryConfirmOptions {
  /** The data-testid prefix of the warning box (`form`, `entry`): `${prefix}-warnings`, `${prefix}-save-anyway` … */
  readonly testId: string
  /** Saves the entry as it is, past the warnings. */
  readonly saveAnyway: () => void
  /** Puts a deleted record back. */
  readonly restore: (id: string) => void
  /** The form input a warning's field is typed in (the schema's work_date is Puantaj's date). */
  readonly inputName: (field: string | undefined) => string
}

export class EntryConfirmController implements ReactiveController {
  /** Warnings on the entry as typed: while there are any, saving asks first. */
  warnings: readonly Warning[] = []
  /** The record just deleted, restorable from the toast until the timer ends. */
  undo: { readonly id: string; readonly label: string } | null = null
  private undoTimer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly host: LitElement,
    private readonly options: EntryConfirmOptions,
  ) {
    host.addController(this)
  }

  hostDisconnected(): void {
    clearTimeout(this.undoTimer)
    this.undo = null
  }

  /** Asks about `warnings` (true), or says there is nothing to ask (false) and the save goes on. */
  ask(warnings: readonly Warning[]): boolean {
    this.warnings = warnings
    this.host.requestUpdate()
    if (warnings.length === 0) return false
    // The answer is one key away: Enter saves anyway, Tab reaches "Düzelt".
    void this.host.updateComplete.then(() => this.find<HTMLButtonElement>(`[data-testid="${this.options.testId}-save-anyway"]`)?.focus())
    return true
  }

  /** The entry changed (or was saved): the question no longer stands. */
  dismiss(): void {
    if (this.warnings.length === 0) return
    this.warnings = []
    this.host.requestUpdate()
  }

  /** A record was deleted: offers "Geri al" for UNDO_MS, with the focus on it. */
  deleted(id: string, label: string): void {
    clearTimeout(this.undoTimer)
    this.undo = { id, label }
    this.undoTimer = setTimeout(() => {
      this.undo = null
      this.host.requestUpdate()
    }, UNDO_MS)
    this.host.requestUpdate()
    void this.host.updateComplete.then(() => this.find<HTMLButtonElement>('[data-testid="undo"]')?.focus())
  }

  renderWarnings(lang: Lang): TemplateResult | typeof nothing {
    if (this.warnings.length === 0) return nothing
    const id = this.options.testId
    return html`<div class="warnings" role="alert" data-testid=${`${id}-warnings`}>
      <strong>${t(lang, 'entry.confirmTitle')}</strong>
      <ul>
        ${this.warnings.map((w) => html`<li data-testid=${`${id}-warning`} data-field=${w.field}>${w.text[lang]}</li>`)}
      </ul>
      <button type="button" class="primary" data-testid=${`${id}-save-anyway`} @click=${this.options.saveAnyway}>${t(lang, 'entry.saveAnyway')}</button>
      <button type="button" data-testid=${`${id}-fix`} @click=${this.fix}>${t(lang, 'entry.fix')}</button>
    </div>`
  }

  renderUndo(lang: Lang): TemplateResult | typeof nothing {
    const undo = this.undo
    if (undo === null) return nothing
    return html`<div class="toast" role="status" data-testid="undo-toast">
      <span>${t(lang, 'entry.deleted')}: ${undo.label}</span>
      <button type="button" data-testid="undo" @click=${this.takeBack}>${t(lang, 'entry.undo')}</button>
    </div>`
  }

  /** "Düzelt": back to the field the first warning is about, its text selected to retype. */
  private fix = (): void => {
    const name = this.options.inputName(this.warnings[0]?.field)
    this.dismiss()
    void this.host.updateComplete.then(() => {
      const input = this.find<HTMLInputElement>(`input[name="${name}"]`)
      input?.focus()
      input?.select()
    })
  }

  private takeBack = (): void => {
    const undo = this.undo
    if (undo === null) return
    clearTimeout(this.undoTimer)
    this.undo = null
    this.host.requestUpdate()
    this.options.restore(undo.id)
  }

  private find<E extends Element>(selector: string): E | null {
    return this.host.renderRoot.querySelector<E>(selector)
  }
}
