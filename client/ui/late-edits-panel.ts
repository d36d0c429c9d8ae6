/**
 * <rs-late-edits>: the admin view's "Geç değişiklikler / Late edits": the changes that reached
 * closed months after their close, waiting for the head office. Each shows its month, account,
 * arrival and what accepting it would change (field, before → after; `GET
 * /api/late-edits/<id>/changes`), with "Kabul et" and "Reddet" (an optional reason). Rejecting one
 * rejects its writer's later edits of the month with it, as the relay does; the list is read again
 * after every decision, every 30 seconds and whenever `refresh()` is called.
 */
import { css, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit'
import type { RecordChange } from '../../crdt/recordChanges.ts'
import { fieldLabelText } from '../../schema/labels.ts'
import { parseDocumentName } from '../../schema/periods.ts'
import { acceptLateEdit, lateEditChanges, lateEdits, rejectLateEdit, type LateEdit } from '../periodControl.ts'
import { formatDateTime, formatMonth, t, type Lang, type MessageKey } from './i18n.ts'
import { recordLabelOf } from './record-label.ts'
import { tableLabel } from './record-history.ts'
import { errorIn, WorkspaceElement } from './screen.ts'
import { shared } from './styles.ts'

interface Waiting {
  readonly edit: LateEdit
  /** Undefined while being read, or when it could not be. */
  readonly changes: readonly RecordChange[] | undefined
}

type Notice = { readonly key: MessageKey; readonly vars: Readonly<Record<string, string | number>> }

const REFRESH_MS = 30_000

const shown = (value: unknown): string => (value === undefined || value === null || value === '' ? '—' : String(value))

export class RsLateEdits extends WorkspaceElement {
  static override properties: PropertyDeclarations = {
    waiting: { state: true },
    rejecting: { state: true },
    busy: { state: true },
    error: { state: true },
    notice: { state: true },
  }

  static override styles = [
    shared,
    css`
      ul.changes {
        margin: 0;
        padding-left: 1rem;
      }
      .before {
        text-decoration: line-through;
        color: var(--muted);
      }
    `,
  ]

  waiting: readonly Waiting[] = []
  /** The late edit whose reject reason is being typed. */
  rejecting: number | undefined = undefined
  busy = false
  error: unknown = undefined
  notice: Notice | undefined = undefined

  private timer: ReturnType<typeof setInterval> | undefined

  override connectedCallback(): void {
    super.connectedCallback()
    // Late edits arrive whenever an office comes back online: the list keeps itself current.
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    clearInterval(this.timer)
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('workspace')) void this.refresh()
  }

  /** Reads the waiting late edits and what each would change. */
  async refresh(): Promise<void> {
    const ws = this.workspace
    if (ws === undefined) return
    try {
      const edits = await lateEdits(ws.session, { state: 'waiting' })
      this.waiting = edits.map((edit) => ({ edit, changes: this.waiting.find((w) => w.edit.id === edit.id)?.changes }))
      for (const edit of edits) {
        if (this.waiting.find((w) => w.edit.id === edit.id)?.changes !== undefined) continue
        const changes = await lateEditChanges(ws.session, edit.id).catch(() => undefined)
        this.waiting = this.waiting.map((w) => (w.edit.id === edit.id ? { edit, changes } : w))
      }
    } catch (error) {
      this.error = error
    }
  }

  private async decide(work: () => Promise<Notice>): Promise<void> {
    this.busy = true
    this.error = undefined
    this.notice = undefined
    try {
      this.notice = await work()
      this.rejecting = undefined
    } catch (error) {
      this.error = error
    } finally {
      this.busy = false
      await this.refresh()
      this.dispatchEvent(new CustomEvent('late-edits-decided', { bubbles: true, composed: true }))
    }
  }

  private accept(id: number): Promise<void> {
    return this.decide(async () => {
      await acceptLateEdit(this.workspace!.session, id)
      return { key: 'late.accepted', vars: { id } }
    })
  }

  private reject(id: number): Promise<void> {
    const reason = this.renderRoot.querySelector<HTMLInputElement>('[data-testid="late-reject-reason"]')?.value ?? ''
    return this.decide(async () => {
      const rejected = await rejectLateEdit(this.workspace!.session, id, reason)
      return { key: 'late.rejected', vars: { n: rejected.length } }
    })
  }

  private monthOf(document: string): string {
    const parsed = parseDocumentName(document)
    if (parsed === undefined || parsed.period === null) return document
    const region = this.workspace?.session.regions.find((r) => r.slug === parsed.region)?.name ?? parsed.region
    return `${region} ${formatMonth(this.language, parsed.period)}`
  }

  override render(): TemplateResult {
    const lang = this.language
    return html`<section data-testid="late-edits">
      <h2>${t(lang, 'late.title')} (${this.waiting.length})</h2>
      <p class="muted">${t(lang, 'late.hint')} <button data-testid="late-refresh" @click=${() => this.refresh()}>${t(lang, 'late.refresh')}</button></p>
      ${this.error !== undefined ? html`<p class="error" role="alert" data-testid="late-error">${errorIn(lang, this.error)}</p>` : nothing}
      ${this.notice !== undefined ? html`<p class="ok" role="status" data-testid="late-notice">${t(lang, this.notice.key, this.notice.vars)}</p>` : nothing}
      ${this.waiting.length === 0
        ? html`<p class="muted" data-testid="late-none">${t(lang, 'late.none')}</p>`
        : html`<table>
            <thead>
              <tr>
                <th>${t(lang, 'late.month')}</th>
                <th>${t(lang, 'late.account')}</th>
                <th>${t(lang, 'late.at')}</th>
                <th>${t(lang, 'late.change')}</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${this.waiting.map((w) => this.renderEdit(lang, w))}
            </tbody>
          </table>`}
    </section>`
  }

  private renderEdit(lang: Lang, { edit, changes }: Waiting): TemplateResult {
    const region = parseDocumentName(edit.document)?.region ?? ''
    return html`<tr data-testid="late-edit" data-id=${edit.id}>
      <td>${this.monthOf(edit.document)}</td>
      <td>${edit.account}</td>
      <td>${formatDateTime(lang, edit.at)}</td>
      <td data-testid="late-changes">
        ${changes === undefined
          ? html`<span class="muted">…</span>`
          : changes.length === 0
            ? html`<span class="muted">${t(lang, 'late.nothing')}</span>`
            : html`<ul class="changes">
                ${changes.map(
                  (c) => html`<li data-testid="late-change">
                    <strong>${tableLabel(lang, c.table)}</strong> · ${recordLabelOf(c.table, (field) => c.after?.[field], this.workspace?.mirror, region, c.record)} — ${t(lang, `late.kind.${c.kind}`)}${c.kind === 'changed'
                      ? html`: ${c.fields.map(
                          (f, i) => html`${i > 0 ? ', ' : ''}${fieldLabelText(f.field, c.table)[lang]} <span class="before">${shown(f.before)}</span> → <span class="after">${shown(f.after)}</span>`,
                        )}`
                      : nothing}
                  </li>`,
                )}
              </ul>`}
      </td>
      <td>
        ${this.rejecting === edit.id
          ? html`<input data-testid="late-reject-reason" maxlength="500" placeholder=${t(lang, 'late.rejectReason')} aria-label=${t(lang, 'late.rejectReason')} />
              <button data-testid="late-reject-confirm" ?disabled=${this.busy} @click=${() => this.reject(edit.id)}>${t(lang, 'late.reject')}</button>
              <button @click=${() => (this.rejecting = undefined)}>${t(lang, 'action.cancel')}</button>`
          : html`<button class="primary" data-testid="late-accept" ?disabled=${this.busy} @click=${() => this.accept(edit.id)}>${t(lang, 'late.accept')}</button>
              <button data-testid="late-reject" ?disabled=${this.busy} @click=${() => (this.rejecting = edit.id)}>${t(lang, 'late.reject')}</button>`}
      </td>
    </tr>`
  }
}

customElements.define('rs-late-edits', RsLateEdits)
