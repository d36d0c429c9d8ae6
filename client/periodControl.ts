/**
 * The head office's month controls as the relay offers them (relay/PROTOCOL.md, "Closing a
 * month"): a month's state, closing it with the sheet that was checked, reopening it with a
 * reason, the stored sheet, and the late edits to accept or reject. Used by the CLI's
 * `close-month`, `reopen-month` and `late-edits`, and by the admin view.
 */
import type { RecordChange } from '../crdt/recordChanges.ts'
import { documentName, type Period } from '../schema/periods.ts'
import { relayJson, relayRequest } from './relayApi.ts'
import type { Session } from './signIn.ts'

export interface MonthEvent {
  readonly document: string
  readonly action: 'close' | 'reopen'
  readonly at: string
  readonly account: string
  readonly reason: string | null
}

export interface MonthState {
  readonly document: string
  readonly closed: boolean
  readonly closedAt: string | null
  readonly closedBy: string | null
  readonly version: number | null
  readonly sheetSha256: string | null
  readonly events: readonly MonthEvent[]
  readonly waitingLateEdits: number
}

export type LateEditState = 'waiting' | 'accepted' | 'rejected'

export interface LateEdit {
  readonly id: number
  readonly document: string
  readonly account: string
  readonly at: string
  readonly state: LateEditState
  readonly decidedBy: string | null
  readonly decidedAt: string | null
  readonly reason: string | null
}

const monthPath = (region: string, month: Period): string => `/api/periods/${documentName(region, month)}`

export function monthState(session: Session, region: string, month: Period): Promise<MonthState> {
  return relayJson<MonthState>(session, monthPath(region, month))
}

/** Every closed month document of every region, e.g. `ankara/2026-10`. */
export async function closedMonths(session: Session): Promise<string[]> {
  const answer = await relayJson<{ closed?: unknown }>(session, '/api/periods')
  return Array.isArray(answer.closed) ? answer.closed.filter((d): d is string => typeof d === 'string') : []
}

/**
 * Closes a month with the sheet checked, made from the document at `version` (the relay refuses
 * the close when the month changed since: check it again).
 */
export function closeMonth(session: Session, region: string, month: Period, version: number, sheet: Uint8Array): Promise<MonthState> {
  return relayJson<MonthState>(session, `${monthPath(region, month)}/close`, {
    method: 'POST',
    body: sheet,
    headers: { 'x-rainstaff-version': String(version) },
  })
}

export function reopenMonth(session: Session, region: string, month: Period, reason: string): Promise<MonthState> {
  return relayJson<MonthState>(session, `${monthPath(region, month)}/reopen`, { method: 'POST', body: { reason } })
}

/** The sheet stored at the close, byte for byte, with the SHA-256 the relay computed then. */
export async function closingSheet(session: Session, region: string, month: Period): Promise<{ bytes: Uint8Array; sha256: string }> {
  const response = await relayRequest(session, `${monthPath(region, month)}/sheet.xlsx`)
  return { bytes: new Uint8Array(await response.arrayBuffer()), sha256: response.headers.get('x-rainstaff-sha256') ?? '' }
}

export async function lateEdits(session: Session, filter: { readonly state?: LateEditState; readonly document?: string } = {}): Promise<LateEdit[]> {
  const query = new URLSearchParams()
  if (filter.state !== undefined) query.set('state', filter.state)
  if (filter.document !== undefined) query.set('document', filter.document)
  const answer = await relayJson<{ lateEdits?: LateEdit[] }>(session, `/api/late-edits${query.size > 0 ? `?${query}` : ''}`)
  return answer.lateEdits ?? []
}

/** What accepting a waiting late edit would change, record by record (crdt/recordChanges.ts). */
export async function lateEditChanges(session: Session, id: number): Promise<RecordChange[]> {
  const answer = await relayJson<{ changes?: RecordChange[] }>(session, `/api/late-edits/${id}/changes`)
  return answer.changes ?? []
}

export function acceptLateEdit(session: Session, id: number): Promise<LateEdit> {
  return relayJson<LateEdit>(session, `/api/late-edits/${id}/accept`, { method: 'POST' })
}

/** Rejects a late edit and, with it, the later ones of its writer in the month that build on it. */
export async function rejectLateEdit(session: Session, id: number, reason: string): Promise<LateEdit[]> {
  const answer = await relayJson<{ rejected?: LateEdit[] }>(session, `/api/late-edits/${id}/reject`, { method: 'POST', body: { reason } })
  return answer.rejected ?? []
}
