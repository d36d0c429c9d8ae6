/**
 * History over HTTP (relay/PROTOCOL.md §12): a record's changes as the relay answers them
 * (`GET /api/history/<document>?table=&id=`) and what a document held at a time
 * (`GET /api/history/<document>/state?at=`), with the readers a client checks them with. Shared by
 * the relay, which writes these shapes, and the clients, which read them.
 */
import type { CellValue } from '../schema/tables.ts'
import type { HistoryEntry } from './history.ts'

export interface HistoryChange {
  readonly document: string
  readonly kind: 'create' | 'set'
  readonly field: string | null
  readonly old: CellValue
  readonly new: CellValue
  readonly change: string
  /** The account the relay stored it for (the authority); null when it has not stored it. */
  readonly account: string | null
  readonly device: { readonly id: string; readonly name: string | null } | null
  /** When the relay stored it (ISO); null when its log does not reach back that far. */
  readonly at: string | null
  readonly claimedBy: string | null
  readonly claimedAt: string | null
  readonly shown: boolean
  readonly lost: boolean
  readonly lostTo: string | null
}

export interface RecordHistoryAnswer {
  readonly table: string
  readonly id: string
  readonly documents: readonly string[]
  readonly changes: readonly HistoryChange[]
}

export function historyChange(document: string, entry: HistoryEntry): HistoryChange {
  const at = entry.attribution?.at
  return {
    document,
    kind: entry.kind,
    field: entry.field,
    old: entry.old,
    new: entry.new,
    change: entry.change,
    account: entry.attribution?.account ?? null,
    device: entry.attribution?.device ?? null,
    at: at == null ? null : new Date(at).toISOString(),
    claimedBy: entry.claimedBy,
    claimedAt: entry.claimedAt,
    shown: entry.shown,
    lost: entry.lost,
    lostTo: entry.lostTo,
  }
}

/** The clocks a document held at a time: per client what it had stored, and where its logged clocks start. */
export interface StateAtAnswer {
  readonly document: string
  readonly at: string
  /** From when the relay keeps history; nothing before it can be restored. */
  readonly since: string
  readonly clocks: ReadonlyArray<readonly [client: number, upto: number, logFrom: number]>
  /** Records of the document that were also written in other documents (moved), with those documents. */
  readonly elsewhere: ReadonlyArray<{ readonly table: string; readonly id: string; readonly documents: readonly string[] }>
}

const isCell = (v: unknown): v is CellValue => v === null || typeof v === 'string' || typeof v === 'number'
const isText = (v: unknown): v is string | null => v === null || typeof v === 'string'
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0

function isChange(value: unknown): value is HistoryChange {
  if (typeof value !== 'object' || value === null) return false
  const c = value as Record<string, unknown>
  const device = c.device as Record<string, unknown> | null | undefined
  return (
    typeof c.document === 'string' &&
    (c.kind === 'create' || c.kind === 'set') &&
    isText(c.field) &&
    isCell(c.old) &&
    isCell(c.new) &&
    typeof c.change === 'string' &&
    isText(c.account) &&
    (device === null || (typeof device === 'object' && device !== undefined && typeof device.id === 'string' && isText(device.name))) &&
    isText(c.at) &&
    isText(c.claimedBy) &&
    isText(c.claimedAt) &&
    typeof c.shown === 'boolean' &&
    typeof c.lost === 'boolean' &&
    isText(c.lostTo)
  )
}

/** A `/api/history` answer, or undefined when it is not one. */
export function readRecordHistory(body: unknown): RecordHistoryAnswer | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const b = body as Record<string, unknown>
  if (typeof b.table !== 'string' || typeof b.id !== 'string') return undefined
  if (!Array.isArray(b.documents) || !b.documents.every((d) => typeof d === 'string')) return undefined
  if (!Array.isArray(b.changes) || !b.changes.every(isChange)) return undefined
  return { table: b.table, id: b.id, documents: b.documents as string[], changes: b.changes as HistoryChange[] }
}

/** A `/api/history/<document>/state` answer, or undefined when it is not one. */
export function readStateAt(body: unknown): StateAtAnswer | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const b = body as Record<string, unknown>
  if (typeof b.document !== 'string' || typeof b.at !== 'string' || typeof b.since !== 'string') return undefined
  const clocks = b.clocks
  if (!Array.isArray(clocks) || !clocks.every((c) => Array.isArray(c) && c.length === 3 && c.every(isCount))) return undefined
  const elsewhere = b.elsewhere
  const isElsewhere = (e: unknown): boolean => {
    const x = e as Record<string, unknown> | null
    return typeof x === 'object' && x !== null && typeof x.table === 'string' && typeof x.id === 'string' && Array.isArray(x.documents) && x.documents.every((d) => typeof d === 'string')
  }
  if (!Array.isArray(elsewhere) || !elsewhere.every(isElsewhere)) return undefined
  return {
    document: b.document,
    at: b.at,
    since: b.since,
    clocks: clocks as Array<[number, number, number]>,
    elsewhere: elsewhere as StateAtAnswer['elsewhere'],
  }
}
