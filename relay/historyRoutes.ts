/**
 * History over HTTP (PROTOCOL.md §12): a record's changes (`GET /api/history/<document>?table=&id=`,
 * every signed-in user, as for renderings), the clocks a document held at a time for a restore
 * (`GET /api/history/<document>/state?at=`), and the head office's audit of who changed what
 * (`GET /api/audit`, JSON or CSV). What a change is comes from the document (crdt/history.ts),
 * who made it and when from the relay's log (relay/historyTable.ts), never from a PC's stamps.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type * as Y from 'yjs'
import { attributionFrom, recordHistory, storageOrder, type Attribution, type AttributionLookup } from '../crdt/history.ts'
import { historyChange, type HistoryChange, type StateAtAnswer } from '../crdt/historyWire.ts'
import { readRecord } from '../crdt/records.ts'
import { documentName, isPeriod, isPeriodTable, parseDocumentName } from '../schema/periods.ts'
import { isTableName, type TableName } from '../schema/tables.ts'
import { documentRegion } from './documentName.ts'
import { HttpError, requireSession, sendJson, type HttpContext } from './httpBase.ts'
import type { AuditFilter } from './historyTable.ts'
import type { User } from './users.ts'

const HISTORY = '/api/history/'
const MAX_ID = 256
const AUDIT_LIMIT = 1000
const AUDIT_MAX = 10_000

function badRequest(code: string, tr: string, en: string): HttpError {
  return new HttpError(400, tr, en, {}, code)
}

/** An ISO date or date-time as ms since the epoch; a 400 naming the parameter otherwise. */
function time(value: string, name: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? Date.parse(value) : NaN
  if (!Number.isFinite(ms)) {
    throw badRequest('bad_time', `${name} ISO tarih/saat olmalı (2026-11-06T17:00:00+03:00): ${value.slice(0, 40)}`, `${name} must be an ISO date or time (2026-11-06T17:00:00+03:00): ${value.slice(0, 40)}`)
  }
  return ms
}

function knownDocument(ctx: HttpContext, name: string): void {
  if (documentRegion(name, ctx.regions) === undefined) {
    throw new HttpError(404, `Böyle bir belge yok: ${name.slice(0, 64)}`, `No such document: ${name.slice(0, 64)}`, {}, 'no_such_document')
  }
}

/**
 * The documents that hold record `id`: the one asked and every other of its region the log saw it
 * written in (it moved month), then whatever the copies' `moved_to` name (moves the log predates).
 */
function recordDocuments(ctx: HttpContext, asked: string, table: TableName, id: string, load: (name: string) => Y.Doc): string[] {
  const region = parseDocumentName(asked)?.region ?? ''
  const names = new Set<string>()
  if (!isPeriodTable(table)) names.add(region)
  else {
    if (parseDocumentName(asked)?.period != null) names.add(asked)
    for (const name of ctx.store.history.documentsOf(table, id)) if (parseDocumentName(name)?.region === region) names.add(name)
  }
  for (const name of [...names]) {
    for (let at: string | null = name, hops = 0; at !== null && hops < 120; hops++) {
      const moved: unknown = readRecord(load(at), table, id)?.moved_to
      at = typeof moved === 'string' && isPeriod(moved) ? documentName(region, moved) : null
      if (at !== null) names.add(at)
    }
  }
  return [...names].sort()
}

function recordHistoryAnswer(req: IncomingMessage, res: ServerResponse, ctx: HttpContext, asked: string, url: URL): void {
  requireSession(req, ctx)
  knownDocument(ctx, asked)
  const table = url.searchParams.get('table') ?? ''
  const id = url.searchParams.get('id') ?? ''
  if (!isTableName(table)) throw badRequest('bad_table', `Bilinmeyen tablo: ${table.slice(0, 40)}`, `Unknown table: ${table.slice(0, 40)}`)
  if (id === '' || id.length > MAX_ID) throw badRequest('bad_id', 'Kayıt kimliği (id) gerekli', 'A record id is required')
  const documents = recordDocuments(ctx, asked, table, id, (name) => ctx.historyDocument(name))
  const owners = new Map<number, Attribution | undefined>()
  // Clocks the log predates still have their account: the one the client id was bound to.
  const owner = (client: number): Attribution | undefined => {
    if (!owners.has(client)) {
      const account = ctx.store.clientOwner(client)
      owners.set(client, account === undefined ? undefined : { account, device: null, at: null })
    }
    return owners.get(client)
  }
  const changes: Array<{ readonly change: HistoryChange; readonly order: readonly [number, number] }> = []
  for (const name of documents) {
    // A client's stored ranges are read the first time one of its clocks is asked about.
    const byClient = new Map<number, AttributionLookup>()
    const attribute: AttributionLookup = (client, clock) => {
      let lookup = byClient.get(client)
      if (lookup === undefined) byClient.set(client, (lookup = attributionFrom(ctx.store.history.ranges(name, [client]), owner)))
      return lookup(client, clock)
    }
    for (const entry of recordHistory(ctx.historyDocument(name), table, id, attribute)) {
      changes.push({ change: historyChange(name, entry), order: storageOrder(entry) })
    }
  }
  if (changes.length === 0) throw new HttpError(404, 'Kayıt bulunamadı', 'No such record', {}, 'no_such_record')
  // Documents one after another in the order the relay stored their changes (a move's two halves stay together).
  const ordered = changes
    .map((c, i) => ({ ...c, i }))
    .sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1] || a.i - b.i)
    .map((c) => c.change)
  sendJson(res, 200, { table, id, documents, changes: ordered })
}

function stateAt(req: IncomingMessage, res: ServerResponse, ctx: HttpContext, document: string, url: URL): void {
  requireSession(req, ctx)
  knownDocument(ctx, document)
  const raw = url.searchParams.get('at')
  if (raw === null) throw badRequest('bad_time', 'at gerekli (ISO tarih/saat)', 'at is required (an ISO date or time)')
  const at = time(raw, 'at')
  const since = ctx.store.history.since()
  if (at < since) {
    const when = new Date(since).toISOString()
    throw new HttpError(409, `Sunucu değişikliklerin zamanını ${when} tarihinden beri tutuyor; daha öncesine dönülemez`, `The relay keeps the times of changes since ${when}; it cannot go back before that`, {}, 'before_history')
  }
  if (at > Date.now()) throw badRequest('bad_time', 'at gelecekte olamaz', 'at cannot be in the future')
  const clocks = [...ctx.store.history.clocksAt(document, at)].map(([client, c]) => [client, c.upto, c.logFrom] as const)
  const answer: StateAtAnswer = {
    document,
    at: new Date(at).toISOString(),
    since: new Date(since).toISOString(),
    clocks,
    elsewhere: parseDocumentName(document)?.period == null ? [] : ctx.store.history.elsewhere(document),
  }
  sendJson(res, 200, answer)
}

/**
 * Who may audit what: the head office every region, an office its own (it answers for its own
 * people; another region's staff is not its business), defaulting to it.
 */
function auditRegion(user: User, asked: string | null, ctx: HttpContext): string | undefined {
  if (asked !== null && !ctx.regions.some((r) => r.slug === asked)) throw badRequest('unknown_region', `Bilinmeyen bölge: ${asked.slice(0, 40)}`, `Unknown region: ${asked.slice(0, 40)}`)
  if (user.role === 'admin') return asked ?? undefined
  if (asked !== null && asked !== user.region) {
    throw new HttpError(403, 'Yalnızca kendi bölgenizin değişikliklerini görebilirsiniz', 'You can only audit your own region', {}, 'other_region')
  }
  return user.region ?? undefined
}

function csvCell(value: string | number | null): string {
  const text = value === null ? '' : String(value)
  // A leading = + - @ would be a formula in a spreadsheet: quoted with a ' it stays text.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

function sendCsv(res: ServerResponse, name: string, header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null>>): void {
  const text = [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n'
  // A byte-order mark so Excel reads Turkish letters as UTF-8.
  const body = Buffer.from('\ufeff' + text, 'utf8')
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-length': body.byteLength,
    'content-disposition': `attachment; filename="${name}"`,
    'cache-control': 'no-store',
  })
  res.end(body)
}

function audit(req: IncomingMessage, res: ServerResponse, ctx: HttpContext, url: URL): void {
  const { user } = requireSession(req, ctx)
  const p = url.searchParams
  const text = (name: string): string | undefined => {
    const value = p.get(name)
    return value === null || value === '' ? undefined : value.slice(0, 256)
  }
  const table = text('table')
  if (table !== undefined && !isTableName(table)) throw badRequest('bad_table', `Bilinmeyen tablo: ${table.slice(0, 40)}`, `Unknown table: ${table.slice(0, 40)}`)
  const count = (name: string, fallback: number, max: number): number => {
    const raw = text(name)
    if (raw === undefined) return fallback
    const n = Number(raw)
    if (!Number.isSafeInteger(n) || n < 0 || n > max) throw badRequest(`bad_${name}`, `${name} 0 ile ${max} arasında bir tam sayı olmalı`, `${name} must be a whole number from 0 to ${max}`)
    return n
  }
  const region = auditRegion(user, text('region') ?? null, ctx)
  const from = text('from')
  const to = text('to')
  const filter: Omit<AuditFilter, 'limit'> = {
    ...(region !== undefined ? { region } : {}),
    ...(text('account') !== undefined ? { account: text('account') } : {}),
    ...(table !== undefined ? { table } : {}),
    ...(from !== undefined ? { from: time(from, 'from') } : {}),
    // A date alone as `to` means the whole of that day.
    ...(to !== undefined ? { to: time(to, 'to') + (/^\d{4}-\d{2}-\d{2}$/.test(to) ? 86_400_000 : 0) } : {}),
  }
  const csv = p.get('format') === 'csv' || (p.get('format') === null && /\btext\/csv\b/.test(req.headers.accept ?? ''))
  if (p.get('summary') === 'day') {
    const days = ctx.store.history.auditDays(filter)
    if (csv) return sendCsv(res, 'rainstaff-audit-days.csv', ['day', 'region', 'account', 'table', 'changes'], days.map((d) => [d.day, d.region, d.account, d.table, d.changes]))
    return sendJson(res, 200, { days })
  }
  const limit = count('limit', AUDIT_LIMIT, AUDIT_MAX)
  const after = count('after', 0, Number.MAX_SAFE_INTEGER)
  const rows = ctx.store.history.audit({ ...filter, after, limit })
  const listed = rows.map((r) => ({
    seq: r.seq,
    at: new Date(r.at).toISOString(),
    region: parseDocumentName(r.document)?.region ?? r.document,
    document: r.document,
    account: r.account,
    device: r.device,
    table: r.table,
    id: r.id,
  }))
  if (csv) {
    return sendCsv(
      res,
      'rainstaff-audit.csv',
      ['at', 'region', 'document', 'account', 'device', 'device_name', 'table', 'record_id', 'seq'],
      listed.map((r) => [r.at, r.region, r.document, r.account, r.device?.id ?? null, r.device?.name ?? null, r.table, r.id, r.seq]),
    )
  }
  sendJson(res, 200, { rows: listed, next: rows.length === limit ? (rows.at(-1)?.seq ?? null) : null })
}

/** Answers the request when it is one of these routes; false otherwise. */
export async function historyRoutes(req: IncomingMessage, res: ServerResponse, ctx: HttpContext, pathname: string, method: string): Promise<boolean> {
  if (method !== 'GET') return false
  const url = new URL(req.url ?? '/', 'http://relay')
  if (pathname === '/api/audit') {
    audit(req, res, ctx, url)
    return true
  }
  if (!pathname.startsWith(HISTORY)) return false
  let name: string
  try {
    name = decodeURIComponent(pathname.slice(HISTORY.length))
  } catch {
    throw badRequest('bad_document', 'Belge adı okunamadı', 'The document name cannot be read')
  }
  if (name.endsWith('/state')) stateAt(req, res, ctx, name.slice(0, -'/state'.length), url)
  else recordHistoryAnswer(req, res, ctx, name, url)
  return true
}
