/**
 * The relay's audit (`GET /api/audit`, relay/PROTOCOL.md §12) for the admin view: which records
 * each stored update wrote, by whom, from which PC and when, a page at a time; the changes per
 * day, region, account and table; and the same list as the relay's CSV. Answers are checked
 * before use, so a relay of another version shows a clear error instead of blank cells.
 */
import type { TableName } from '../schema/tables.ts'
import { relayJson, relayRequest, RelayApiError } from './relayApi.ts'
import type { Session } from './signIn.ts'

/** What to audit; every part optional. Dates are Türkiye days (YYYY-MM-DD), both ends included. */
export interface AuditQuery {
  readonly region?: string
  readonly account?: string
  readonly table?: TableName
  readonly from?: string
  readonly to?: string
}

export interface AuditRow {
  readonly seq: number
  /** When the relay stored it (ISO). */
  readonly at: string
  readonly region: string
  readonly document: string
  readonly account: string
  readonly device: { readonly id: string; readonly name: string | null } | null
  readonly table: string
  readonly id: string
}

export interface AuditPage {
  readonly rows: readonly AuditRow[]
  /** The `after` of the next page, null on the last. */
  readonly next: number | null
}

export interface AuditDay {
  readonly day: string
  readonly region: string
  readonly account: string
  readonly table: string
  readonly changes: number
}

const UNREADABLE = { tr: 'Sunucunun denetim yanıtı okunamadı', en: 'The relay’s audit answer could not be read' }
const DAY = /^\d{4}-\d{2}-\d{2}$/

/** The day after an ISO date, as the relay's exclusive end of `to`. */
function nextDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number)
  return new Date(Date.UTC(y!, m! - 1, d! + 1)).toISOString().slice(0, 10)
}

/**
 * The query string of `query`: days are taken in Türkiye time (UTC+3, as the relay's summary
 * counts them), not the relay's UTC midnight a bare date would mean.
 */
export function auditParams(query: AuditQuery): URLSearchParams {
  const params = new URLSearchParams()
  if (query.region !== undefined) params.set('region', query.region)
  if (query.account !== undefined) params.set('account', query.account)
  if (query.table !== undefined) params.set('table', query.table)
  if (query.from !== undefined && DAY.test(query.from)) params.set('from', `${query.from}T00:00:00+03:00`)
  if (query.to !== undefined && DAY.test(query.to)) params.set('to', `${nextDay(query.to)}T00:00:00+03:00`)
  return params
}

const isText = (v: unknown): v is string => typeof v === 'string'
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0

function isRow(value: unknown): value is AuditRow {
  if (typeof value !== 'object' || value === null) return false
  const r = value as Record<string, unknown>
  const device = r.device as Record<string, unknown> | null | undefined
  return (
    isCount(r.seq) &&
    [r.at, r.region, r.document, r.account, r.table, r.id].every(isText) &&
    (device === null || (typeof device === 'object' && device !== undefined && isText(device.id) && (device.name === null || isText(device.name))))
  )
}

function isDay(value: unknown): value is AuditDay {
  if (typeof value !== 'object' || value === null) return false
  const d = value as Record<string, unknown>
  return [d.day, d.region, d.account, d.table].every(isText) && isCount(d.changes)
}

/** One page of changes, `limit` rows after sequence number `after`. */
export async function fetchAudit(session: Session, query: AuditQuery, after: number, limit: number): Promise<AuditPage> {
  const params = auditParams(query)
  params.set('after', String(after))
  params.set('limit', String(limit))
  const body = await relayJson<unknown>(session, `/api/audit?${params}`)
  const b = body as Record<string, unknown> | null
  if (typeof b !== 'object' || b === null || !Array.isArray(b.rows) || !b.rows.every(isRow) || !(b.next === null || isCount(b.next))) {
    throw new RelayApiError(200, 'bad_answer', UNREADABLE)
  }
  return { rows: b.rows, next: b.next }
}

/** The changes per day (Türkiye time), region, account and table. */
export async function fetchAuditDays(session: Session, query: AuditQuery): Promise<AuditDay[]> {
  const params = auditParams(query)
  params.set('summary', 'day')
  const body = await relayJson<unknown>(session, `/api/audit?${params}`)
  const days = (body as Record<string, unknown> | null)?.days
  if (!Array.isArray(days) || !days.every(isDay)) throw new RelayApiError(200, 'bad_answer', UNREADABLE)
  return days
}

/** The relay's CSV of the changes (UTF-8 with a BOM for Excel), up to `limit` rows. */
export async function fetchAuditCsv(session: Session, query: AuditQuery, limit: number): Promise<Uint8Array> {
  const params = auditParams(query)
  params.set('format', 'csv')
  params.set('limit', String(limit))
  const response = await relayRequest(session, `/api/audit?${params}`)
  return new Uint8Array(await response.arrayBuffer())
}
