/**
 * A Lit controller that tells the clerk when the head office rejected their late edits: the
 * engine has then put the month back as the relay holds it (client/documentReplica.ts), and the
 * notice says which month, until it is dismissed. Nothing else of the PC's work is touched.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit'
import type { EngineError, SyncEngine } from '../engine.ts'
import { parseDocumentName, type Period } from '../../schema/periods.ts'
import { formatMonth, t, type Lang } from './i18n.ts'
import type { Workspace } from './workspace.ts'

export class RejectedEdits implements ReactiveController {
  private months: Period[] = []
  private engine: SyncEngine | undefined

  constructor(private readonly host: ReactiveControllerHost & { readonly workspace: Workspace | undefined }) {
    host.addController(this)
  }

  private readonly heard = (error: EngineError): void => {
    if (error.code !== 'late_edit_rejected') return
    const month = parseDocumentName(error.document)?.period
    if (month === undefined || month === null || this.months.includes(month)) return
    this.months = [...this.months, month]
    this.host.requestUpdate()
  }

  hostUpdate(): void {
    const engine = this.host.workspace?.engine
    if (engine === this.engine) return
    this.engine?.off('error', this.heard)
    this.engine = engine
    this.months = []
    engine?.on('error', this.heard)
  }

  hostDisconnected(): void {
    this.engine?.off('error', this.heard)
    this.engine = undefined
  }

  render(lang: Lang): TemplateResult | typeof nothing {
    if (this.months.length === 0) return nothing
    return html`<p class="notice" role="alert" data-testid="late-edit-rejected">
      ${this.months.map((m) => t(lang, 'month.rejectedNotice', { month: formatMonth(lang, m) })).join(' ')}
      <button type="button" data-testid="late-edit-rejected-dismiss" @click=${() => this.dismiss()}>${t(lang, 'month.dismiss')}</button>
    </p>`
  }

  private dismiss(): void {
    this.months = []
    this.host.requestUpdate()
  }
}
