/**
 * <rs-record-history>: one record's whole history as the relay keeps it (`GET /api/history`,
 * client/historyApi.ts): per change when the relay stored it, the account (the authority) and
 * the PC, the month it was written in, and what changed (field old → new, created, deleted,
 * restored, moved), a value that lost a concurrent edit marked "kaybetti". Read-only. Its API is
 * three properties: `document` (the region, or one of its months), `table` and `recordId`.
 * The change formatting is exported for lists that show a change beside its record (the audit).
 */
import { css, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit'
import type { HistoryChange, RecordHistoryAnswer } from '../../crdt/historyWire.ts'
import type { Mirror } from '../../crdt/mirror.ts'
import { fieldLabelText } from '../../schema/labels.ts'
import { parseDocumentName } from '../../schema/periods.ts'
import { isTableName, TABLES, type CellValue } from '../../schema/tables.ts'
import { fetchRecordHistory } from '../historyApi.ts'
import { formatMonth, LOCALES, t, type Lang } from './i18n.ts'
import { errorIn, WorkspaceElement } from './screen.ts'
import { recordLabelOf } from './record-label.ts'
import { shared } from './styles.ts'

/** DD.MM.YYYY SS:DD in the viewer's zone (en: DD/MM/YYYY, HH:MM): the minute an office remembers. */
export function formatMinute(lang: Lang, iso: string | null): string {
  if (iso === null) return t(lang, 'empty')
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return new Intl.DateTimeFormat(LOCALES[lang], { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(date)
}

const shown = (value: CellValue): string => (value === null || value === '' ? '—' : String(value))

export function tableLabel(lang: Lang, table: string): string {
  return isTableName(table) ? TABLES[table].label[lang] : table
}

/** "Ankara" or "Ankara · Kasım 2026": where a change was written. */
export function documentLabel(lang: Lang, document: string, regionName: (slug: string) => string): string {
  const parsed = parseDocumentName(document)
  if (parsed === undefined) return document
  return parsed.period === null ? regionName(parsed.region) : `${regionName(parsed.region)} · ${formatMonth(lang, parsed.period)}`
}

/** What a clerk calls a record, from the values its history shows (record-label.ts). */
export function recordLabel(table: string, changes: readonly HistoryChange[], mirror: Mirror | undefined, region: string, fallback: string): string {
  const now = new Map<string, CellValue>()
  for (const c of changes) if (c.kind === 'set' && c.field !== null && c.shown) now.set(c.field, c.new)
  return recordLabelOf(table, (field) => now.get(field), mirror, region, fallback)
}

/** A change as one line: the field's label with old → new, or what happened to the record; lost values marked. */
export function renderChange(lang: Lang, table: string, change: HistoryChange): TemplateResult {
  const lost = change.lost ? html` <span class="lost" data-testid="lost" title=${t(lang, 'history.lostTitle')}>${t(lang, 'history.lost')}</span>` : nothing
  if (change.kind === 'create') return html`<span data-testid="change-what">${t(lang, 'history.created')}</span>${lost}`
  if (change.field === 'deleted_at') return html`<span data-testid="change-what">${t(lang, change.new === null ? 'history.restored' : 'history.deleted')}</span>${lost}`
  if (change.field === 'moved_to') {
    const to = typeof change.new === 'string' ? t(lang, 'history.movedTo', { month: formatMonth(lang, change.new) }) : t(lang, 'history.movedBack')
    return html`<span data-testid="change-what">${to}</span>${lost}`
  }
  return html`<span data-testid="change-what"
      ><span class="field">${fieldLabelText(change.field ?? '', table)[lang]}</span>: <span class="before">${shown(change.old)}</span> → <span class="after">${shown(change.new)}</span></span
    >${lost}`
}

/** Styles of renderChange's line, for the components that show it. */
export const changeStyles = css`
  .before {
    color: var(--muted);
    text-decoration: line-through;
  }
  .field {
    font-weight: 600;
  }
  .lost {
    display: inline-block;
    border-radius: 999px;
    padding: 0 0.45rem;
    font-size: 0.78rem;
    background: #fde2e1;
    border: 1px solid #f3b4ae;
    color: #8a1c12;
  }
`

export class RsRecordHistory extends WorkspaceElement {
  static override properties: PropertyDeclarations = {
    document: {},
    table: {},
    recordId: { attribute: 'record-id' },
    answer: { state: true },
    error: { state: true },
  }

  static override styles = [shared, changeStyles]

  document = ''
  table = ''
  recordId = ''
  answer: RecordHistoryAnswer | undefined = undefined
  error: unknown = undefined
  private loads = 0

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('document') || changed.has('table') || changed.has('recordId') || changed.has('workspace')) void this.load()
  }

  /** Reads the history again; an answer for an earlier record is dropped. */
  private async load(): Promise<void> {
    const ticket = ++this.loads
    this.answer = undefined
    this.error = undefined
    const ws = this.workspace
    if (ws === undefined || this.document === '' || this.recordId === '' || !isTableName(this.table)) return
    try {
      const answer = await fetchRecordHistory(ws.session, this.document, this.table, this.recordId)
      if (ticket === this.loads) this.answer = answer
    } catch (error) {
      if (ticket === this.loads) this.error = error
    }
  }

  private regionName = (slug: string): string => this.workspace?.session.regions.find((r) => r.slug === slug)?.name ?? slug

  override render(): TemplateResult {
    const lang = this.language
    const answer = this.answer
    const region = parseDocumentName(this.document)?.region ?? ''
    const record = answer === undefined ? this.recordId : recordLabel(this.table, answer.changes, this.workspace?.mirror, region, this.recordId)
    return html`<div data-testid="record-history" data-table=${this.table} data-id=${this.recordId} data-loaded=${answer !== undefined ? 'yes' : 'no'}>
      <h3>${t(lang, 'history.title')}: ${t(lang, 'history.of', { table: tableLabel(lang, this.table), record })}</h3>
      ${this.error !== undefined ? html`<p class="error" role="alert" data-testid="history-error">${errorIn(lang, this.error)}</p>` : nothing}
      ${answer === undefined
        ? this.error === undefined
          ? html`<p class="muted">${t(lang, 'audit.loading')}</p>`
          : nothing
        : answer.changes.length === 0
          ? html`<p class="muted">${t(lang, 'history.none')}</p>`
          : html`<div class="scroll">
              <table>
                <thead>
                  <tr>
                    <th>${t(lang, 'audit.at')}</th>
                    <th>${t(lang, 'audit.account')}</th>
                    <th>${t(lang, 'audit.pc')}</th>
                    <th>${t(lang, 'audit.where')}</th>
                    <th>${t(lang, 'audit.what')}</th>
                  </tr>
                </thead>
                <tbody>
                  ${answer.changes.map((c) => this.renderRow(lang, c))}
                </tbody>
              </table>
            </div>`}
    </div>`
  }

  private renderRow(lang: Lang, c: HistoryChange): TemplateResult {
    const notes = [
      c.at === null && c.account === null ? t(lang, 'history.notStored') : undefined,
      c.claimedBy !== null && c.account !== null && c.claimedBy !== c.account ? t(lang, 'history.claimed', { who: c.claimedBy }) : undefined,
    ].filter((n) => n !== undefined)
    return html`<tr data-testid="history-change" data-field=${c.field ?? ''} data-lost=${c.lost ? 'yes' : 'no'} data-shown=${c.shown ? 'yes' : 'no'}>
      <td>${c.at !== null ? formatMinute(lang, c.at) : c.claimedAt !== null ? `~${formatMinute(lang, c.claimedAt)}` : t(lang, 'empty')}</td>
      <td data-testid="history-account">${c.account ?? c.claimedBy ?? t(lang, 'empty')}</td>
      <td>${c.device?.name ?? c.device?.id ?? t(lang, 'empty')}</td>
      <td>${documentLabel(lang, c.document, this.regionName)}</td>
      <td class="wrap">${renderChange(lang, this.table, c)}${notes.length > 0 ? html` <span class="muted">(${notes.join('; ')})</span>` : nothing}</td>
    </tr>`
  }
}

customElements.define('rs-record-history', RsRecordHistory)
