/**
 * The relay's lifecycle as hooks, after Hocuspocus's `Extension`: an extension implements the
 * hooks it needs, each taking one typed payload. Authentication, the session rules, validation,
 * storage, metrics and logging are extensions (relay/server.ts lists them); the core that runs
 * documents and connections (docs.ts, liveDoc.ts, connection.ts, endpoint.ts) calls the hooks
 * and knows none of them.
 *
 * Hooks are synchronous and run in list order. The update path promises commit, then fan-out,
 * then an acknowledgement once fsynced; an await between an update's arrival and its commit would
 * let later updates overtake it. Only onDestroy, at shutdown, may return a promise.
 *
 * Documents have names (today a region's slug, `ankara`; see documentName.ts) and payloads carry
 * the region beside the name: whatever an extension keeps per document, it keys by name.
 */
import type { IncomingMessage } from 'node:http'
import type * as Y from 'yjs'
import { CLOSE, type CloseCode } from '../crdt/protocol.ts'
import type { Refusal } from '../crdt/updateGuard.ts'
import type { Region } from '../schema/regions.ts'
import type { Connection } from './connection.ts'
import type { ClockRange } from './historyTable.ts'
import type { DeviceClaim } from './tokens.ts'
import type { User } from './users.ts'

export interface ConfigurePayload {
  /** The whole list's hooks, for an extension that reports events of its own later. */
  readonly hooks: Hooks
}

export interface AuthenticatePayload {
  /** The WebSocket upgrade request: the token rides in `Sec-WebSocket-Protocol`. */
  readonly request: IncomingMessage
  readonly documentName: string
  readonly now: number
}

/** Who connects to which document with what rights, or why not. */
export type Admission =
  | {
      readonly ok: true
      readonly user: User
      readonly region: Region
      readonly writable: boolean
      /** The token's expiry: the connection ends then (4401) unless it ended before. */
      readonly expiresAt: number
      /** The PC the session's login named, if any (tokens.ts). */
      readonly device: DeviceClaim | null
    }
  | { readonly ok: false; readonly code: CloseCode; readonly detail: string }

export interface ConnectPayload {
  readonly user: User
  readonly documentName: string
  readonly region: Region
  readonly writable: boolean
}

/** A connection an extension will not admit, and a line for the log. */
export interface ConnectRefusal {
  readonly code: CloseCode
  readonly detail: string
}

export interface ConnectionRefusedPayload extends ConnectRefusal {
  /** Known when authentication passed and a later rule refused. */
  readonly user?: User
}

export interface ConnectionPayload {
  readonly connection: Connection
}

export interface DisconnectPayload {
  readonly connection: Connection
  /** The relay cut it because nothing was heard from the peer (no close handshake). */
  readonly timedOut: boolean
}

export interface MessagePayload {
  readonly connection: Connection
  readonly bytes: number
}

/** The relay closed a socket, admitted or not, with `code`. */
export interface ClosePayload {
  readonly code: CloseCode
}

export interface UnexpectedErrorPayload {
  readonly connection: Connection
  readonly error: unknown
}

export interface DocumentPayload {
  readonly documentName: string
  readonly region: Region
}

export interface LoadDocumentPayload extends DocumentPayload {
  /** An empty doc to fill with what is stored; throw StoreError when that cannot be read. */
  readonly doc: Y.Doc
}

/** A client's update, applied to the live doc in `transaction` and not yet kept. */
export interface UpdatePayload extends DocumentPayload {
  /** The signed-in account that sent it. */
  readonly account: string
  readonly update: Uint8Array
  readonly doc: Y.Doc
  readonly transaction: Y.Transaction
}

/** A client's update before it is applied: an extension may keep it aside instead (relay/closing.ts). */
export interface HoldPayload extends DocumentPayload {
  readonly account: string
  readonly device: DeviceClaim | null
  readonly update: Uint8Array
  /** The live doc, as the relay holds it now. */
  readonly doc: Y.Doc
  /**
   * Applies the update to `aside` (a copy kept apart from the live doc) and runs the same checks
   * as on any write: what is kept aside is as valid as what is applied. On a refusal `aside` has
   * the update in it and must be dropped; unreadable bytes throw MalformedUpdateError.
   */
  check(aside: Y.Doc): Refusal | null
}

/** An update kept aside, not applied: what to acknowledge to its writer as on disk. */
export interface Held {
  /** The state vector the writer may count as durable (the doc's, plus what was kept aside). */
  readonly stateVector: Uint8Array
}

export interface UpdateRefusedPayload {
  readonly connection: Connection
  readonly refusal: Refusal
}

export interface StoredUpdate extends DocumentPayload {
  readonly update: Uint8Array
  /** Who wrote it: the sender's account, or `relay`. */
  readonly account: string
  /** The PC its session named, if any. */
  readonly device: DeviceClaim | null
  /** The Yjs clock ranges it added, client by client (what history attributes to the account). */
  readonly ranges: readonly ClockRange[]
  /** The records it wrote, by table (the audit's rows). */
  readonly records: ReadonlyArray<readonly [table: string, id: string]>
  /** The relay's receive time, ms since the epoch. */
  readonly at: number
}

export interface StoreUpdatesPayload {
  /** One group commit: every document's updates of one event-loop turn, stored together or not at all. */
  readonly updates: readonly StoredUpdate[]
}

export interface CommitPayload {
  readonly updates: readonly StoredUpdate[]
  /** Time spent storing them, before the fan-out. */
  readonly ms: number
}

export interface CompactedPayload {
  readonly documentName: string
}

export type StorageErrorPayload =
  | { readonly action: 'load' | 'store' | 'compact' | 'render'; readonly documentName: string; readonly error: unknown }
  | { readonly action: 'check-sessions'; readonly error: unknown }

export interface SessionsEndedPayload {
  readonly username: string
  readonly reason: 'deleted' | 'disabled' | 'changed'
  readonly code: CloseCode
  readonly connections: number
}

export interface DestroyPayload {
  /** The code the connections were closed with. */
  readonly code: CloseCode
}

export interface Extension {
  /** Once, when the list is assembled. */
  onConfigure?(payload: ConfigurePayload): void
  /** Who is connecting; the first extension that answers decides, and without one nobody connects. */
  onAuthenticate?(payload: AuthenticatePayload): Admission | undefined
  /** An authenticated connection about to be admitted; the first refusal closes it. */
  onConnect?(payload: ConnectPayload): ConnectRefusal | undefined
  /** A connection was refused before it was admitted (authentication or onConnect). */
  onConnectionRefused?(payload: ConnectionRefusedPayload): void
  /** A connection was admitted: it is attached to its document and talking. */
  connected?(payload: ConnectionPayload): void
  /** Every message a connection receives, before it is read. */
  onMessage?(payload: MessagePayload): void
  /** An awareness message dropped for its size or its client ids (relay/connection.ts). */
  onPresenceDropped?(payload: ConnectionPayload): void
  /** A message failed in a way no protocol rule explains (a bug); the connection is closed. */
  onUnexpectedError?(payload: UnexpectedErrorPayload): void
  /** The relay closed a socket (metrics count closes by code). */
  onClose?(payload: ClosePayload): void
  /** A connection ended, whoever ended it. */
  onDisconnect?(payload: DisconnectPayload): void
  /** Fills a document from storage: when it is loaded, and again when it is rebuilt after a refusal. */
  onLoadDocument?(payload: LoadDocumentPayload): void
  /**
   * A writer's update before it is applied; the first extension that keeps it aside answers, and
   * the update is then acknowledged once what the extension stored is fsynced, but not applied.
   */
  onHoldUpdate?(payload: HoldPayload): Held | undefined
  /** A client's update, applied but not kept; the first refusal discards it and nothing of it is stored or sent. */
  onCheckUpdate?(payload: UpdatePayload): Refusal | null
  /** Every extension let the update through: it will be committed with the next group commit. */
  onUpdateAccepted?(payload: UpdatePayload): void
  /** A write was refused (read-only connection or onCheckUpdate); the connection stays open. */
  onUpdateRefused?(payload: UpdateRefusedPayload): void
  /** Stores a group commit in one transaction; throwing fails the whole commit. */
  onStoreUpdates?(payload: StoreUpdatesPayload): void
  /** A group commit is stored; its updates are fanned out next. */
  afterCommit?(payload: CommitPayload): void
  /** A document's snapshot was rewritten from its logged updates. */
  afterCompact?(payload: CompactedPayload): void
  /** Storage failed: the document is dropped from memory and its connections closed with 4503 (a failed render only fails its request). */
  onStorageError?(payload: StorageErrorPayload): void
  /** An account's open connections were ended because the account changed. */
  onSessionsEnded?(payload: SessionsEndedPayload): void
  /** A document has been idle `idleUnloadMs`; `keep` holds it for another period (a compaction still runs). */
  beforeUnloadDocument?(payload: DocumentPayload): 'keep' | undefined
  /** The relay is stopping: every document is unloaded; release timers, finish background work. */
  onDestroy?(payload: DestroyPayload): void | Promise<void>
}

type HookName = keyof Extension

/** Every hook of a list of extensions, run as the module comment says. */
export type Hooks = { readonly [K in Exclude<HookName, 'onAuthenticate' | 'onDestroy'>]-?: NonNullable<Extension[K]> } & {
  onAuthenticate(payload: AuthenticatePayload): Admission
  onDestroy(payload: DestroyPayload): Promise<void>
}

/** The hook of each extension that has one, bound to it, in list order. */
function implementations<P, R>(extensions: readonly Extension[], hook: (e: Extension) => ((payload: P) => R) | undefined): Array<(payload: P) => R> {
  const out: Array<(payload: P) => R> = []
  for (const e of extensions) {
    const fn = hook(e)
    if (fn !== undefined) out.push(fn.bind(e))
  }
  return out
}

function everyOne<P>(fns: ReadonlyArray<(payload: P) => void>): (payload: P) => void {
  return (payload) => {
    for (const fn of fns) fn(payload)
  }
}

/** The first answer that is not `none`, or `none`. */
function firstAnswer<P, R, N extends null | undefined>(fns: ReadonlyArray<(payload: P) => R | N>, none: N): (payload: P) => R | N {
  return (payload) => {
    for (const fn of fns) {
      const answer = fn(payload)
      if (answer !== none) return answer
    }
    return none
  }
}

const NO_AUTHENTICATION: Admission = { ok: false, code: CLOSE.unauthenticated, detail: 'no extension authenticates' }

export function composeHooks(extensions: readonly Extension[]): Hooks {
  const each = <P>(hook: (e: Extension) => ((payload: P) => void) | undefined): ((payload: P) => void) =>
    everyOne(implementations(extensions, hook))
  const authenticate = firstAnswer(implementations(extensions, (e) => e.onAuthenticate), undefined)
  const destroy = implementations(extensions, (e) => e.onDestroy)
  return {
    onConfigure: each((e) => e.onConfigure),
    onAuthenticate: (payload) => authenticate(payload) ?? NO_AUTHENTICATION,
    onConnect: firstAnswer(implementations(extensions, (e) => e.onConnect), undefined),
    onConnectionRefused: each((e) => e.onConnectionRefused),
    connected: each((e) => e.connected),
    onMessage: each((e) => e.onMessage),
    onPresenceDropped: each((e) => e.onPresenceDropped),
    onUnexpectedError: each((e) => e.onUnexpectedError),
    onClose: each((e) => e.onClose),
    onDisconnect: each((e) => e.onDisconnect),
    onLoadDocument: each((e) => e.onLoadDocument),
    onHoldUpdate: firstAnswer(implementations(extensions, (e) => e.onHoldUpdate), undefined),
    onCheckUpdate: firstAnswer(implementations(extensions, (e) => e.onCheckUpdate), null),
    onUpdateAccepted: each((e) => e.onUpdateAccepted),
    onUpdateRefused: each((e) => e.onUpdateRefused),
    onStoreUpdates: each((e) => e.onStoreUpdates),
    afterCommit: each((e) => e.afterCommit),
    afterCompact: each((e) => e.afterCompact),
    onStorageError: each((e) => e.onStorageError),
    onSessionsEnded: each((e) => e.onSessionsEnded),
    beforeUnloadDocument: firstAnswer(implementations(extensions, (e) => e.beforeUnloadDocument), undefined),
    // Every extension starts letting go at once (timers stop first), then the relay waits for all.
    onDestroy: async (payload) => void (await Promise.all(destroy.map((fn) => fn(payload)))),
  }
}
