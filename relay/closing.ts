/**
 * Closing a month: the head office's control over a region's month document once its puantaj
 * sheet is checked. Closing, reopening and deciding late edits are the relay's control actions,
 * logged with the account (relay/periodTable.ts), never edits of the documents: the admin's role
 * stays read-only for records.
 *
 * From the close on, nothing is written into that month. An update that reaches it — an edit
 * made offline before the close, or any edit since — is a late edit: stored durably, so its
 * writer's pending count reaches 0, acknowledged to it, but not applied, fanned out or compacted.
 * Yjs orders each client id's updates, so a later update of a client id with a late edit waiting
 * in the month cannot apply either, reopened month or not: it waits with it. The head office
 * accepts a late edit (it is applied as its writer's, through the same guard as any write) or
 * rejects it, with every later one of its client ids in the month, and the writer's device is
 * told through a refusal (`late_edit_rejected`) to rebuild that month without them.
 *
 * A writer hears the month's state on every connection to it (message 102, crdt/protocol.ts):
 * closed or not, and which of its late edits wait.
 */
import { createHash } from 'node:crypto'
import * as Y from 'yjs'
import { periodStateMessage, writeRefusedMessage, type RefusedRange } from '../crdt/protocol.ts'
import { copyDoc, recordChanges, type RecordChange } from '../crdt/recordChanges.ts'
import { parseDocumentName, periodLabel } from '../schema/periods.ts'
import { BilingualError, type Bilingual } from '../schema/bilingual.ts'
import type { Docs } from './docs.ts'
import type { Extension, HoldPayload } from './extension.ts'
import type { Peer } from './liveDoc.ts'
import { MalformedUpdateError, updateClients, UpdateRefusedError } from './liveDoc.ts'
import type { LateEditRow, LateEditState, PeriodEventRow } from './periodTable.ts'
import type { Store } from './store.ts'
import type { DeviceClaim } from './tokens.ts'

/** A control action refused: the HTTP status and what to tell the admin. */
export class ClosingError extends BilingualError {
  constructor(
    readonly status: 400 | 404 | 409,
    text: Bilingual,
  ) {
    super(text)
    this.name = 'ClosingError'
  }
}

export interface ClosingDeps {
  readonly store: Store
  /** The relay's documents (a getter: they are made with the extensions, this one among them). */
  readonly docs: () => Docs
  /** The document's version (store sequence of its newest update), as /api/documents lists it. */
  readonly versionOf: (document: string) => number
  readonly now?: () => number
}

export interface PeriodState {
  readonly document: string
  readonly closed: boolean
  readonly closedAt: string | null
  readonly closedBy: string | null
  readonly version: number | null
  readonly sheetSha256: string | null
  readonly events: ReadonlyArray<Omit<PeriodEventRow, 'at'> & { readonly at: string }>
  readonly waitingLateEdits: number
}

export interface LateEditView {
  readonly id: number
  readonly document: string
  readonly account: string
  readonly at: string
  readonly state: LateEditState
  readonly decidedBy: string | null
  readonly decidedAt: string | null
  readonly reason: string | null
  readonly ranges: readonly RefusedRange[]
}

export interface Closing {
  readonly extension: Extension
  state(document: string): PeriodState
  close(request: { readonly document: string; readonly account: string; readonly version: number; readonly sheet: Uint8Array }): PeriodState
  reopen(request: { readonly document: string; readonly account: string; readonly reason: string }): PeriodState
  lateEdits(filter: { readonly document?: string; readonly state?: LateEditState }): LateEditView[]
  /** What a waiting late edit would change if accepted now (after the earlier ones of its writer). */
  changes(id: number): RecordChange[]
  accept(id: number, account: string): LateEditView
  reject(id: number, account: string, reason: string): LateEditView[]
  sheet(document: string): { readonly bytes: Uint8Array; readonly sha256: string } | undefined
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())


function view(row: LateEditRow): LateEditView {
  return {
    id: row.id,
    document: row.document,
    account: row.account,
    at: new Date(row.at).toISOString(),
    state: row.state,
    decidedBy: row.decidedBy,
    decidedAt: iso(row.decidedAt),
    reason: row.reason,
    ranges: row.ranges.map(([client, from, to]) => ({ client, from, to })),
  }
}

const REJECTED: Bilingual = {
  tr: 'Kapatılmış aya yapılan değişiklik merkez tarafından reddedildi',
  en: 'The change to a closed month was rejected by the head office',
}

export function createClosing(deps: ClosingDeps): Closing {
  const { store } = deps
  const docs = (): Docs => deps.docs()
  const now = deps.now ?? Date.now
  const periods = store.periods
  /** Per document with late edits: the live doc's state plus every waiting edit, to tell a resend from a new edit. */
  const held = new Map<string, Y.Doc>()

  const monthOf = (document: string): string => {
    const parsed = parseDocumentName(document)
    if (parsed === undefined || parsed.period === null || docs().region(document) === undefined) {
      throw new ClosingError(404, { tr: `Böyle bir ay belgesi yok: ${document}`, en: `No such month document: ${document}` })
    }
    return parsed.period
  }

  const waiting = (document: string): LateEditRow[] => periods.lateEdits({ document, state: 'waiting' })

  const heldDocOf = (document: string, live: Y.Doc): Y.Doc => {
    let doc = held.get(document)
    if (doc === undefined) {
      doc = new Y.Doc({ gc: false })
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(live))
      for (const edit of waiting(document)) Y.applyUpdate(doc, edit.update)
      held.set(document, doc)
    }
    return doc
  }
  // What every update of a month asks, kept in memory rather than read from the store each time:
  // the closed months (only this module closes and reopens them), and per month the client ids
  // with a late edit waiting there (read once, dropped whenever a late edit comes or is decided).
  const closedMonths = new Set(periods.closedDocuments())
  const blocked = new Map<string, ReadonlySet<number>>()
  const blockedIn = (document: string): ReadonlySet<number> => {
    let clients = blocked.get(document)
    if (clients === undefined) blocked.set(document, (clients = new Set(waiting(document).flatMap((edit) => edit.ranges.map(([client]) => client)))))
    return clients
  }

  const forget = (document: string): void => {
    blocked.delete(document)
    held.get(document)?.destroy()
    held.delete(document)
  }

  /** Tells each connection to `document` the month's state and its account's waiting edits. */
  const announce = (document: string): void => {
    const live = docs().get(document)
    if (live === undefined) return
    for (const peer of live.peers) peer.deliver(stateMessageFor(document, peer.username))
  }
  const stateMessageFor = (document: string, account: string): Uint8Array =>
    periodStateMessage({
      closed: periods.closed(document) !== undefined,
      waiting: waiting(document)
        .filter((edit) => edit.account === account)
        .map((edit) => ({ id: edit.id, ranges: edit.ranges.map(([client, from, to]) => ({ client, from, to })) })),
    })

  const extension: Extension = {
    connected({ connection }) {
      const document = connection.documentName
      if (parseDocumentName(document)?.period == null) return
      if (!closedMonths.has(document) && blockedIn(document).size === 0) return
      connection.deliver(stateMessageFor(document, connection.username))
    },
    onHoldUpdate(payload: HoldPayload) {
      const { documentName: document, doc: live, account } = payload
      if (parseDocumentName(document)?.period == null) return undefined
      // Unreadable bytes give no ranges here and are refused as malformed below, or by the apply.
      const ranges = updateClients(payload.update)
      const waitingClients = blockedIn(document)
      if (!closedMonths.has(document) && !ranges.some((r) => waitingClients.has(r.client))) return undefined
      const shadow = heldDocOf(document, live)
      let resent: boolean
      try {
        resent = Y.snapshotContainsUpdate(Y.snapshot(shadow), payload.update)
      } catch (error) {
        throw new MalformedUpdateError(error)
      }
      // A resend (a reconnect's sync step 2 carries everything the relay's doc lacks): nothing new.
      if (!resent) {
        // Checked as any write is, on the month as it would be: junk is refused now, not kept for the head office.
        let refusal
        try {
          refusal = payload.check(shadow)
        } catch (error) {
          forget(document)
          throw error
        }
        if (refusal !== null) {
          forget(document)
          throw new UpdateRefusedError(refusal, ranges)
        }
        periods.addLateEdit({ document, account, device: payload.device, at: now(), update: payload.update, ranges: ranges.map((r) => [r.client, r.from, r.to] as const) })
        blocked.delete(document)
        docs().log.committed()
        announce(document)
      }
      return { stateVector: Y.encodeStateVector(shadow) }
    },
    onDestroy() {
      for (const document of [...held.keys()]) forget(document)
    },
  }

  const state = (document: string): PeriodState => {
    monthOf(document)
    const closed = periods.closed(document)
    return {
      document,
      closed: closed !== undefined,
      closedAt: iso(closed?.closedAt ?? null),
      closedBy: closed?.closedBy ?? null,
      version: closed?.version ?? null,
      sheetSha256: closed?.sheetSha256 ?? null,
      events: periods.events(document).map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
      waitingLateEdits: waiting(document).length,
    }
  }

  const editOf = (id: number): LateEditRow => {
    const edit = periods.lateEdit(id)
    if (edit === undefined) throw new ClosingError(404, { tr: `Böyle bir geç değişiklik yok: ${id}`, en: `No such late edit: ${id}` })
    if (edit.state !== 'waiting') {
      throw new ClosingError(409, { tr: `Geç değişiklik ${id} zaten karara bağlandı (${edit.state})`, en: `Late edit ${id} was already decided (${edit.state})` })
    }
    return edit
  }

  /** The waiting edits of `edit`'s client ids in its month, before it (it builds on them) or after it (they build on it). */
  const sameWriter = (edit: LateEditRow, when: 'before' | 'after'): LateEditRow[] => {
    const clients = new Set(edit.ranges.map(([client]) => client))
    return waiting(edit.document).filter((other) => (when === 'before' ? other.id < edit.id : other.id > edit.id) && other.ranges.some(([client]) => clients.has(client)))
  }

  const rejectAll = (edits: readonly LateEditRow[], account: string, reason: string): LateEditView[] => {
    const at = now()
    for (const edit of edits) periods.decide(edit.id, 'rejected', account, at, reason)
    const document = edits[0]?.document
    if (document === undefined) return []
    forget(document)
    const live = docs().get(document)
    for (const edit of edits) {
      const message = writeRefusedMessage({ code: 'late_edit_rejected', message: REJECTED, ranges: edit.ranges.map(([client, from, to]) => ({ client, from, to })) })
      for (const peer of live?.peers ?? []) if (peer.username === edit.account) peer.deliver(message)
    }
    announce(document)
    return edits.map((edit) => view(periods.lateEdit(edit.id)!))
  }

  return {
    extension,
    state,
    close({ document, account, version, sheet }) {
      const period = monthOf(document)
      if (periods.closed(document) !== undefined) {
        throw new ClosingError(409, { tr: `${periodLabel(period).tr} zaten kapalı`, en: `${periodLabel(period).en} is closed already` })
      }
      const current = deps.versionOf(document)
      if (version !== current) {
        throw new ClosingError(409, {
          tr: `${periodLabel(period).tr} kontrol edildikten sonra değişti; cetveli yeniden kontrol edin`,
          en: `${periodLabel(period).en} changed after it was checked; check the sheet again`,
        })
      }
      if (sheet.byteLength === 0) throw new ClosingError(400, { tr: 'Kapanış cetveli boş', en: 'The closing sheet is empty' })
      const at = now()
      const sha256 = createHash('sha256').update(sheet).digest('hex')
      periods.close({ document, closedAt: at, closedBy: account, version, sheet, sheetSha256: sha256 }, { document, action: 'close', at, account, reason: null })
      closedMonths.add(document)
      forget(document)
      announce(document)
      return state(document)
    },
    reopen({ document, account, reason }) {
      const period = monthOf(document)
      const why = reason.trim()
      if (why === '' || why.length > 500) {
        throw new ClosingError(400, { tr: 'Yeniden açma nedeni gerekli (en çok 500 karakter)', en: 'A reason for reopening is required (at most 500 characters)' })
      }
      if (periods.closed(document) === undefined) {
        throw new ClosingError(409, { tr: `${periodLabel(period).tr} kapalı değil`, en: `${periodLabel(period).en} is not closed` })
      }
      periods.reopen(document, { document, action: 'reopen', at: now(), account, reason: why })
      closedMonths.delete(document)
      forget(document)
      announce(document)
      return state(document)
    },
    lateEdits(filter) {
      return periods.lateEdits(filter).map(view)
    },
    changes(id) {
      const edit = editOf(id)
      const live = docs().open(edit.document).doc
      // Its writer's earlier waiting edits come first: this one builds on them.
      const earlier = sameWriter(edit, 'before')
      // recordChanges leaves the doc it is given as it was: the live month serves when nothing comes before.
      if (earlier.length === 0) return recordChanges(live, edit.update)
      const base = copyDoc(live)
      try {
        for (const other of earlier) Y.applyUpdate(base, other.update)
        return recordChanges(base, edit.update)
      } finally {
        base.destroy()
      }
    },
    accept(id, account) {
      const edit = editOf(id)
      const earlier = sameWriter(edit, 'before')
      if (earlier.length > 0) {
        throw new ClosingError(409, { tr: `Önce ${earlier[0]!.id} numaralı değişikliğe karar verin`, en: `Decide late edit ${earlier[0]!.id} first` })
      }
      const live = docs().open(edit.document)
      try {
        live.applyUpdate(edit.update, writerPeer(edit.account, edit.device))
      } catch (error) {
        if (!(error instanceof UpdateRefusedError)) throw error
        rejectAll([edit, ...sameWriter(edit, 'after')], account, `${error.refusal.code}: ${error.refusal.message.tr}`)
        throw new ClosingError(409, {
          tr: `Değişiklik kurallara uymuyor, reddedildi: ${error.refusal.message.tr}`,
          en: `The change breaks the rules and was rejected: ${error.refusal.message.en}`,
        })
      }
      periods.decide(id, 'accepted', account, now(), null)
      forget(edit.document)
      announce(edit.document)
      return view(periods.lateEdit(id)!)
    },
    reject(id, account, reason) {
      const edit = editOf(id)
      const why = reason.trim() === '' ? null : reason.trim().slice(0, 500)
      return rejectAll([edit, ...sameWriter(edit, 'after')], account, why ?? '')
    },
    sheet: (document) => periods.sheet(document),
  }
}

/** The writer of an accepted late edit as the doc sees a sender: its account and PC, nothing to deliver to. */
function writerPeer(username: string, device: DeviceClaim | null): Peer {
  return { username, device, writesAccepted: 0, deliver: () => undefined, durable: () => undefined, evict: () => undefined }
}
