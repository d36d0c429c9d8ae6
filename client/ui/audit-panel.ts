/**
 * <rs-audit>: the admin view's "Değişiklik denetimi / Audit of changes": what the relay stored,
 * per region and account over time (`GET /api/audit`, client/auditApi.ts). Filters by region,
 * account, table and Türkiye days typed GG.AA.YYYY; the changes per account and day
 * (audit-summary.ts); the changes a page at a time with their fields old → new, read from each
 * record's history (`GET /api/history`) and matched to the update by its time and account; a click
 * opens the record's whole history (<rs-record-history>); "CSV indir" saves the relay's CSV of
 * the same filters. Read-only: nothing here writes. Bad filter text is refused with its reason
 * and the list shown stays as it was.
 */
import { css, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit'
import type { HistoryChange } from '../../crdt/historyWire.ts'
import { BilingualError } from '../../schema/bilingual.ts'
import { isTableName, TABLE_NAMES, type TableName } from '../../schema/tables.ts'
import { parseDate } from '../../schema/turkishInput.ts'
import { fetchAudit, fetchAuditCsv, fetchAuditDays, type AuditDay, type AuditQuery, type AuditRow } from '../auditApi.ts'
import { fetchRecordHistory } from '../historyApi.ts'
import { relayJson } from '../relayApi.ts'
import { renderAuditSummary, totalChanges } from './audit-summary.ts'
import { saveFile } from './download.ts'
import { addDays, formatNumber, t, todayIso, type Lang } from './i18n.ts'
import { changeStyles, documentLabel, formatMinute, recordLabel, renderChange, tableLabel } from './record-history.ts'
import { errorIn, WorkspaceElement } from './screen.ts'
import { shared } from './styles.ts'

const PAGE = 50
/** The list opens on the last week: its pages run oldest first, and a year of changes is many pages. */
const OPENING_DAYS = 7
/** The relay's most rows in one answer: the CSV holds at most these. */
const CSV_MAX = 10_000

interface Opened {
  readonly document: string
  readonly table: string
  readonly id: string
}

/** GG.AA.YYYY, as the date filters are typed whatever the language shown. */
const typed = (iso: string): string => iso.split('-').reverse().join('.')

const recordKey = (document: string, table: string, id: string): string => `${document}\u0000${table}\u0000${id}`

export class RsAudit extends WorkspaceElement {
  static override properties: PropertyDeclarations = {
    query: { state: true },
    days: { state: true },
    rows: { state: true },
    pages: { state: true },
    next: { state: true },
    histories: { state: true },
    accounts: { state: true },
    opened: { state: true },
    busy: { state: true },
    error: { state: true },
  }

  static override styles = [
    shared,
    changeStyles,
    css`
      tr.change {
        cursor: pointer;
      }
      tr.change:hover,
      tr.change[aria-selected='true'] {
        background: var(--panel-head);
      }
      .pager {
        display: flex;
        gap: 0.6rem;
        align-items: center;
        margin-top: 0.5rem;
      }
      .scroll.days {
        max-height: 16rem;
      }
      input.date {
        width: 7.5rem;
      }
      .opened {
        border-top: 2px solid var(--line-strong);
        margin-top: 0.8rem;
      }
    `,
  ]

  query: AuditQuery = { from: addDays(todayIso(), 1 - OPENING_DAYS) }
  days: readonly AuditDay[] = []
  rows: readonly AuditRow[] = []
  /** The `after` of every page up to the one shown (its own last): "Önceki" steps back through them. */
  pages: readonly number[] = [0]
  next: number | null = null
  /** Each listed record's history, by document, table and id; null when it could not be read. */
  histories: ReadonlyMap<string, readonly HistoryChange[] | null> = new Map()
  accounts: readonly string[] = []
  opened: Opened | undefined = undefined
  busy = false
  error: unknown = undefined
  private loads = 0

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('workspace') && this.workspace !== undefined) {
      void this.load()
      void this.loadAccounts()
    }
  }

  /** The account names to suggest; the filter takes any name (an account deleted since still has changes). */
  private async loadAccounts(): Promise<void> {
    const ws = this.workspace
    if (ws === undefined) return
    const answer = await relayJson<{ users?: Array<{ username?: unknown }> }>(ws.session, '/api/users').catch(() => undefined)
    this.accounts = (answer?.users ?? []).map((u) => u.username).filter((u): u is string => typeof u === 'string')
  }

  /** Reads the summary and the page after `after` for the query shown; an answer to an earlier one is dropped. */
  private async load(pages: readonly number[] = [0]): Promise<void> {
    const ws = this.workspace
    if (ws === undefined) return
    const ticket = ++this.loads
    const query = this.query
    this.busy = true
    try {
      const [days, page] = await Promise.all([fetchAuditDays(ws.session, query), fetchAudit(ws.session, query, pages.at(-1) ?? 0, PAGE)])
      if (ticket !== this.loads) return
      Object.assign(this, { days, rows: page.rows, next: page.next, pages, error: undefined })
      await this.loadHistories(page.rows, ticket)
    } catch (error) {
      if (ticket === this.loads) this.error = error
    } finally {
      if (ticket === this.loads) this.busy = false
    }
  }

  /** The histories of the page's records not read yet, so each change shows its fields. */
  private async loadHistories(rows: readonly AuditRow[], ticket: number): Promise<void> {
    const ws = this.workspace
    if (ws === undefined) return
    const wanted = new Map<string, AuditRow>()
    for (const row of rows) if (isTableName(row.table) && !this.histories.has(recordKey(row.document, row.table, row.id))) wanted.set(recordKey(row.document, row.table, row.id), row)
    const read = await Promise.all(
      [...wanted].map(async ([key, row]) => {
        const answer = await fetchRecordHistory(ws.session, row.document, row.table as TableName, row.id).catch(() => undefined)
        return [key, answer?.changes ?? null] as const
      }),
    )
    if (ticket === this.loads) this.histories = new Map([...this.histories, ...read])
  }

  /** Reads the filters typed; a refusal leaves the query and the list as they were. */
  private apply(form: HTMLFormElement): void {
    const value = (name: string): string => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null)?.value.trim() ?? ''
    const from = parseDate(value('from'))
    const to = parseDate(value('to'))
    if (!from.ok) return void (this.error = new BilingualError(from.reason))
    if (!to.ok) return void (this.error = new BilingualError(to.reason))
    if (from.value !== null && to.value !== null && from.value > to.value) {
      return void (this.error = new BilingualError({ tr: t('tr', 'audit.fromAfterTo'), en: t('en', 'audit.fromAfterTo') }))
    }
    const table = value('table')
    this.query = {
      ...(value('region') !== '' ? { region: value('region') } : {}),
      ...(value('account') !== '' ? { account: value('account') } : {}),
      ...(isTableName(table) ? { table } : {}),
      ...(from.value !== null ? { from: from.value } : {}),
      ...(to.value !== null ? { to: to.value } : {}),
    }
    this.error = undefined
    // Read again: a listed record may have changed since its history was read.
    this.histories = new Map()
    void this.load()
  }

  private clear(form: HTMLFormElement): void {
    for (const element of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')) element.value = ''
    this.apply(form)
  }

  private async downloadCsv(): Promise<void> {
    const ws = this.workspace
    if (ws === undefined) return
    try {
      const bytes = await fetchAuditCsv(ws.session, this.query, CSV_MAX)
      const scope = [this.query.region, this.query.account, this.query.table].filter((p) => p !== undefined).join('_')
      await saveFile(`denetim${scope === '' ? '' : `_${scope}`}_${todayIso()}.csv`, bytes, 'text/csv')
    } catch (error) {
      this.error = error
    }
  }

  private regionName = (slug: string): string => this.workspace?.session.regions.find((r) => r.slug === slug)?.name ?? slug

  override render(): TemplateResult {
    const lang = this.language
    const total = totalChanges(this.days)
    return html`<section data-testid="audit" data-busy=${this.busy ? 'yes' : 'no'}>
      <h2>${t(lang, 'audit.title')}</h2>
      <p class="muted">${t(lang, 'audit.hint')}</p>
      ${this.renderFilters(lang)}
      ${this.error !== undefined ? html`<p class="error" role="alert" data-testid="audit-error">${errorIn(lang, this.error)}</p>` : nothing}
      ${total > CSV_MAX ? html`<p class="muted" data-testid="audit-csv-capped">${t(lang, 'audit.csvCapped', { n: formatNumber(lang, CSV_MAX) })}</p>` : nothing}
      ${renderAuditSummary(lang, this.days, this.regionName)}
      <h3>${t(lang, 'audit.list')}</h3>
      ${this.renderList(lang)}
      ${this.opened === undefined
        ? nothing
        : html`<div class="opened">
            <rs-record-history .document=${this.opened.document} .table=${this.opened.table} .recordId=${this.opened.id}></rs-record-history>
            <button data-testid="history-close" @click=${() => (this.opened = undefined)}>${t(lang, 'audit.close')}</button>
          </div>`}
    </section>`
  }

  private renderFilters(lang: Lang): TemplateResult {
    const submit = (e: Event): void => {
      e.preventDefault()
      this.apply(e.currentTarget as HTMLFormElement)
    }
    const changed = (e: Event): void => this.apply((e.target as HTMLSelectElement).form!)
    return html`<form data-testid="audit-filters" @submit=${submit}>
      <label
        >${t(lang, 'audit.region')}
        <select name="region" data-testid="audit-region" @change=${changed}>
          <option value="">${t(lang, 'audit.all')}</option>
          ${this.workspace?.session.regions.map((r) => html`<option value=${r.slug}>${r.name}</option>`)}
        </select></label
      >
      <label
        >${t(lang, 'audit.account')}
        <input name="account" data-testid="audit-account" list="audit-accounts" size="12" autocomplete="off" />
        <datalist id="audit-accounts">${this.accounts.map((a) => html`<option value=${a}></option>`)}</datalist></label
      >
      <label
        >${t(lang, 'audit.table')}
        <select name="table" data-testid="audit-table" @change=${changed}>
          <option value="">${t(lang, 'audit.all')}</option>
          ${TABLE_NAMES.map((name) => html`<option value=${name}>${tableLabel(lang, name)}</option>`)}
        </select></label
      >
      <label>${t(lang, 'audit.from')} <input name="from" class="date" data-testid="audit-from" value=${typed(this.query.from ?? '')} placeholder=${t(lang, 'audit.datePlaceholder')} /></label>
      <label>${t(lang, 'audit.to')} <input name="to" class="date" data-testid="audit-to" placeholder=${t(lang, 'audit.datePlaceholder')} /></label>
      <button type="submit" class="primary" data-testid="audit-show">${t(lang, 'audit.show')}</button>
      <button type="button" data-testid="audit-clear" @click=${(e: Event) => this.clear((e.target as HTMLButtonElement).form!)}>${t(lang, 'audit.clear')}</button>
      <button type="button" data-testid="audit-csv" @click=${() => this.downloadCsv()}>${t(lang, 'audit.csv')}</button>
    </form>`
  }

  private renderList(lang: Lang): TemplateResult {
    if (this.rows.length === 0) return html`<p class="muted" data-testid="audit-none">${this.busy ? t(lang, 'audit.loading') : t(lang, 'audit.none')}</p>`
    return html`<div class="scroll">
        <table data-testid="audit-list">
          <thead>
            <tr>
              <th>${t(lang, 'audit.at')}</th>
              <th>${t(lang, 'audit.account')}</th>
              <th>${t(lang, 'audit.pc')}</th>
              <th>${t(lang, 'audit.where')}</th>
              <th>${t(lang, 'audit.table')}</th>
              <th>${t(lang, 'audit.record')}</th>
              <th>${t(lang, 'audit.what')}</th>
            </tr>
          </thead>
          <tbody>
            ${this.rows.map((row) => this.renderRow(lang, row))}
          </tbody>
        </table>
      </div>
      <div class="pager">
        <button data-testid="audit-prev" ?disabled=${this.pages.length <= 1 || this.busy} @click=${() => this.load(this.pages.slice(0, -1))}>${t(lang, 'audit.prev')}</button>
        <span data-testid="audit-page">${t(lang, 'audit.page', { n: this.pages.length })}</span>
        <button data-testid="audit-next" ?disabled=${this.next === null || this.busy} @click=${() => this.next !== null && this.load([...this.pages, this.next])}>${t(lang, 'audit.next')}</button>
      </div>`
  }

  private renderRow(lang: Lang, row: AuditRow): TemplateResult {
    const history = this.histories.get(recordKey(row.document, row.table, row.id))
    // The changes this update made: the relay stamps them with the update's own time and account.
    const changes = (history ?? []).filter((c) => c.document === row.document && c.at === row.at && c.account === row.account && (c.device === null || row.device === null || c.device.id === row.device.id))
    const region = row.region
    const open = async (): Promise<void> => {
      this.opened = { document: row.document, table: row.table, id: row.id }
      await this.updateComplete
      this.renderRoot.querySelector('.opened')?.scrollIntoView({ block: 'nearest' })
    }
    const selected = this.opened?.document === row.document && this.opened.table === row.table && this.opened.id === row.id
    return html`<tr
      class="change"
      data-testid="audit-row"
      data-seq=${row.seq}
      data-account=${row.account}
      data-table=${row.table}
      data-id=${row.id}
      tabindex="0"
      aria-selected=${selected ? 'true' : 'false'}
      @click=${open}
      @keydown=${(e: KeyboardEvent) => void (e.key === 'Enter' && open())}
    >
      <td>${formatMinute(lang, row.at)}</td>
      <td>${row.account}</td>
      <td>${row.device?.name ?? row.device?.id ?? t(lang, 'empty')}</td>
      <td>${documentLabel(lang, row.document, this.regionName)}</td>
      <td>${tableLabel(lang, row.table)}</td>
      <td data-testid="audit-record">${history ? recordLabel(row.table, history, this.workspace?.mirror, region, row.id) : row.id}</td>
      <td class="wrap" data-testid="audit-what">
        ${history === undefined ? html`<span class="muted">…</span>` : changes.length === 0 ? t(lang, 'empty') : changes.map((c, i) => html`${i > 0 ? html`<br />` : nothing}${renderChange(lang, row.table, c)}`)}
      </td>
    </tr>`
  }
}

customElements.define('rs-audit', RsAudit)
