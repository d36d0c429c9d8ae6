/**
 * The audit's summary (`GET /api/audit?summary=day`): the changes per account as a bar chart, and
 * per day (Türkiye time), region and account with the tables they were in. A template function
 * of the panel (audit-panel.ts), not an element: it holds nothing of its own.
 */
import { html, nothing, type TemplateResult } from 'lit'
import type { AuditDay } from '../auditApi.ts'
import { tableLabel } from './record-history.ts'
import { formatDate, formatNumber, t, type Lang } from './i18n.ts'
import './bar-chart.ts'

interface DayLine {
  readonly day: string
  readonly region: string
  readonly account: string
  readonly changes: number
  readonly tables: ReadonlyArray<readonly [table: string, changes: number]>
}

/** The relay's rows (one per day, region, account and table) folded into one line per day, region and account. */
function dayLines(days: readonly AuditDay[]): DayLine[] {
  const lines = new Map<string, { day: string; region: string; account: string; changes: number; tables: Map<string, number> }>()
  for (const d of days) {
    const key = `${d.day}\u0000${d.region}\u0000${d.account}`
    let line = lines.get(key)
    if (line === undefined) lines.set(key, (line = { day: d.day, region: d.region, account: d.account, changes: 0, tables: new Map() }))
    line.changes += d.changes
    line.tables.set(d.table, (line.tables.get(d.table) ?? 0) + d.changes)
  }
  // Newest day first, as the head office reads it.
  return [...lines.values()]
    .map((l) => ({ ...l, tables: [...l.tables] }))
    .sort((a, b) => b.day.localeCompare(a.day) || a.region.localeCompare(b.region) || a.account.localeCompare(b.account))
}

export function totalChanges(days: readonly AuditDay[]): number {
  return days.reduce((n, d) => n + d.changes, 0)
}

export function renderAuditSummary(lang: Lang, days: readonly AuditDay[], regionName: (slug: string) => string): TemplateResult {
  const perAccount = new Map<string, number>()
  for (const d of days) perAccount.set(d.account, (perAccount.get(d.account) ?? 0) + d.changes)
  const lines = dayLines(days)
  return html`<div data-testid="audit-summary" data-total=${totalChanges(days)}>
    <h3>${t(lang, 'audit.summary')} — ${t(lang, 'audit.total', { n: formatNumber(lang, totalChanges(days)) })}</h3>
    ${perAccount.size === 0
      ? nothing
      : html`<rs-bar-chart
          data-testid="audit-per-account"
          .bars=${[...perAccount].sort((a, b) => b[1] - a[1]).map(([label, value]) => ({ label, value }))}
          .format=${(v: number) => formatNumber(lang, v)}
          caption=${t(lang, 'audit.perAccount')}
        ></rs-bar-chart>`}
    <div class="scroll days">
      <table>
        <thead>
          <tr>
            <th>${t(lang, 'audit.day')}</th>
            <th>${t(lang, 'audit.region')}</th>
            <th>${t(lang, 'audit.account')}</th>
            <th class="num">${t(lang, 'audit.changes')}</th>
            <th>${t(lang, 'audit.table')}</th>
          </tr>
        </thead>
        <tbody>
          ${lines.map(
            (l) => html`<tr data-testid="audit-day" data-day=${l.day} data-region=${l.region} data-account=${l.account} data-changes=${l.changes}>
              <td>${formatDate(lang, l.day)}</td>
              <td>${regionName(l.region)}</td>
              <td>${l.account}</td>
              <td class="num">${formatNumber(lang, l.changes)}</td>
              <td class="wrap muted">${l.tables.map(([table, n]) => `${tableLabel(lang, table)} ${formatNumber(lang, n)}`).join(', ')}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </div>`
}
