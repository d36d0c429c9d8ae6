/**
 * <rs-restore>: "bu ayı / bu kaydı şu tarihteki haline getir" in the office app. For the month
 * (or the one record) given, the clerk picks a date and time; "Önizle" works out, against what
 * the relay holds now, what going back would change (client/restore.ts: records restored, fields
 * reverted now → then, records deleted again), and "Geri getir" writes it as the clerk's ordinary
 * edits, one change per document, which every PC receives and a later restore can take back. A
 * month the head office closed is refused with nothing written. Only for a region one may write.
 */
import { css, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit'
import { isPeriod, type Period } from '../../schema/periods.ts'
import { fieldLabelText } from '../../schema/labels.ts'
import { isTableName, TABLES, type TableName } from '../../schema/tables.ts'
import { MonthClosedError } from '../engine.ts'
import { planRestore, writeRestore, type RestorePlan } from '../restore.ts'
import { formatDateTime, t, type MessageKey } from './i18n.ts'
import { recordLabelOf } from './record-label.ts'
import { errorIn, Screen } from './screen.ts'
import { shared } from './styles.ts'

/** Syncing the documents first may take a while on a slow line; past this the preview gives up. */
const SYNC_TIMEOUT_MS = 30_000

const shown = (value: unknown): string => (value === null || value === undefined || value === '' ? '—' : String(value))

/** `datetime-local`'s value for a time: the PC's own clock, to the second. */
function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000)
  return d.toISOString().slice(0, 19)
}

export class RsRestore extends Screen {
  static override properties: PropertyDeclarations = {
    month: {},
    table: {},
    recordId: {},
    at: {},
    plan: { state: true },
    busy: { state: true },
    error: { state: true },
    notice: { state: true },
  }

  static override styles = [
    shared,
    css`
      .plan {
        margin: 0.4rem 0;
      }
      .then {
        font-weight: 600;
      }
    `,
  ]

  /** The month to put back (YYYY-MM); '' with a record. */
  month = ''
  /** One record: its table and id. */
  table = ''
  recordId = ''
  /** The time to go back to, as `datetime-local` reads (the PC's clock); an hour ago by default. */
  at = localInput(Date.now() - 3_600_000)
  plan: RestorePlan | undefined = undefined
  busy = false
  error: unknown = undefined
  notice: { readonly key: MessageKey; readonly vars: Readonly<Record<string, string | number>> } | undefined = undefined

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('month') || changed.has('table') || changed.has('recordId') || changed.has('region')) {
      this.plan = undefined
      this.notice = undefined
      this.error = undefined
    }
  }

  private request(): { month?: Period; table?: TableName; id?: string } {
    if (this.recordId !== '' && isTableName(this.table)) return { table: this.table, id: this.recordId }
    return isPeriod(this.month) ? { month: this.month } : {}
  }

  private atMs(): number {
    return new Date(this.at).getTime()
  }

  private async run(work: () => Promise<void>): Promise<void> {
    this.busy = true
    this.error = undefined
    this.notice = undefined
    try {
      await work()
    } catch (error) {
      this.error = error
    } finally {
      this.busy = false
    }
  }

  private preview = (): Promise<void> =>
    this.run(async () => {
      const ws = this.workspace
      if (ws === undefined || !Number.isFinite(this.atMs())) return
      this.plan = undefined
      this.plan = await planRestore(ws.engine, ws.session, { region: this.region, ...this.request(), at: this.atMs() }, SYNC_TIMEOUT_MS)
    })

  private restore = (): Promise<void> =>
    this.run(async () => {
      const ws = this.workspace
      const plan = this.plan
      if (ws === undefined || plan === undefined) return
      const [closed] = plan.closed
      // Refused before anything is written, as the engine refuses an edit into a closed month.
      if (closed !== undefined) throw new MonthClosedError(closed)
      const written = writeRestore(ws.engine, this.region, plan)
      this.plan = undefined
      const at = formatDateTime(this.language, plan.at)
      this.notice = this.recordId !== '' ? { key: 'restore.done', vars: { at } } : { key: 'restore.monthDone', vars: { n: written, at } }
    })

  override render(): TemplateResult {
    const lang = this.language
    return html`<section data-testid="restore">
      <div class="row">
        <label
          >${t(lang, 'restore.at')}
          <input type="datetime-local" step="1" data-testid="restore-at" .value=${this.at} @change=${(e: Event) => ((this.at = (e.target as HTMLInputElement).value), (this.plan = undefined))} />
        </label>
        <button data-testid="restore-preview" ?disabled=${this.busy || !this.writable} @click=${this.preview}>${t(lang, 'restore.check')}</button>
      </div>
      ${this.error !== undefined ? html`<p class="error" role="alert" data-testid="restore-error">${errorIn(lang, this.error)}</p>` : nothing}
      ${this.notice !== undefined ? html`<p class="ok" role="status" data-testid="restore-notice">${t(lang, this.notice.key, this.notice.vars)}</p>` : nothing}
      ${this.plan !== undefined ? this.renderPlan(this.plan) : nothing}
    </section>`
  }

  private renderPlan(plan: RestorePlan): TemplateResult {
    const lang = this.language
    const at = formatDateTime(lang, plan.at)
    const records = plan.documents.flatMap((d) => d.records).filter((r) => r.action !== 'moved_in')
    if (records.length === 0) return html`<p class="muted" data-testid="restore-nothing">${t(lang, this.recordId !== '' ? 'restore.nothing' : 'restore.monthNothing', { at })}</p>`
    const action = { restore: 'restore.restored', revert: 'restore.reverted', delete: 'restore.deleted' } as const
    return html`<div class="plan" data-testid="restore-plan">
      <p>${t(lang, 'restore.preview', { at })}</p>
      <ul>
        ${records.map(
          (r) => html`<li data-testid="restore-record" data-action=${r.action}>
            <strong>${TABLES[r.table].label[lang]}</strong> · ${this.recordName(r.table, r.id)} — ${t(lang, action[r.action as keyof typeof action])}${r.fields.length > 0
              ? html`: ${r.fields.map((f, i) => html`${i > 0 ? ', ' : ''}${fieldLabelText(f.field, r.table)[lang]} ${shown(f.now)} → <span class="then">${shown(f.then)}</span>`)}`
              : nothing}
          </li>`,
        )}
      </ul>
      <button class="primary" data-testid="restore-go" ?disabled=${this.busy} @click=${this.restore}>${t(lang, 'restore.go')}</button>
    </div>`
  }

  /** What a clerk calls the record (record-label.ts); a fault by its title, else its id. */
  private recordName(table: TableName, id: string): string {
    const ws = this.workspace
    // Deleted records too: the engine reads them from the document, the mirror only shows live ones.
    const record = ws?.engine.record(table, id, this.region) ?? ws?.mirror.query(`SELECT * FROM ${table} WHERE region = ? AND id = ?`, [this.region, id])[0]
    if (record === undefined) return id
    const title = record.title
    const valueOf = (field: string): string | number | undefined => {
      const value = record[field]
      return typeof value === 'string' || typeof value === 'number' ? value : undefined
    }
    return recordLabelOf(table, valueOf, ws?.mirror, this.region, table === 'vehicle_faults' && typeof title === 'string' && title !== '' ? title : id)
  }
}

customElements.define('rs-restore', RsRestore)
