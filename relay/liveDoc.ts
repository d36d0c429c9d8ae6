/**
 * One document held in memory while someone works on it: loaded fully before anyone is answered
 * (the onLoadDocument hook, relay/storage.ts), every client update applied once and then checked
 * by the extensions (onCheckUpdate, relay/guard.ts) before it is kept, accepted updates handed to
 * the group commit (relay/docs.ts), fanned out only after their commit, acknowledged once fsynced,
 * and unloaded when idle.
 *
 * The order is the durability promise: commit to the store, then send the updates to other
 * connections, then, once the commit is fsynced, tell each writer what is on disk. A committed
 * update survives a killed relay at once; until its fsync, a crash of the whole machine could
 * still take it back, which is why only the fsync is acknowledged: the writer keeps every
 * unacknowledged update and sends it again after reconnecting.
 */
import * as Y from 'yjs'
import * as awarenessProtocol from 'y-protocols/awareness'
import type { Region } from '../schema/regions.ts'
import { awarenessMessage, CLOSE, updateMessage } from '../crdt/protocol.ts'
import type { Refusal } from '../crdt/updateGuard.ts'
import { hasMissingDependencies } from '../crdt/yjsInternals.ts'
import { BilingualError } from '../schema/bilingual.ts'
import type { CommitLog } from './commitLog.ts'
import { changesOf } from './changes.ts'
import type { Hooks, UpdatePayload } from './extension.ts'
import type { ClockRange } from './historyTable.ts'
import type { DeviceClaim } from './tokens.ts'

/** One connection as the doc sees it. */
export interface Peer {
  readonly username: string
  /** The PC the peer's session named, if any: stored with each of its updates for history. */
  readonly device: DeviceClaim | null
  /** Sends a ready-made message (an update by someone else, or awareness). */
  deliver(message: Uint8Array): void
  /** Write messages accepted from this connection so far. */
  readonly writesAccepted: number
  /** What `stateVector` describes is on disk, including the first `writes` write messages. */
  durable(stateVector: Uint8Array, writes: number): void
  /** The doc is going away (storage failure, shutdown); close with this code. */
  evict(code: number): void
}

/**
 * An update an extension refused (the guard, relay/guard.ts): nothing of it was kept. `clients` are the
 * client ids and clock ranges it wrote, so the writer knows which of its changes to drop.
 */
export class UpdateRefusedError extends BilingualError {
  constructor(
    readonly refusal: Refusal,
    readonly clients: ReadonlyArray<{ client: number; from: number; to: number }>,
  ) {
    super(refusal.message, { message: `${refusal.code}: ${refusal.message.en}` })
    this.name = 'UpdateRefusedError'
  }
}

/** An update Yjs could not read; only the connection that sent it is closed. */
export class MalformedUpdateError extends Error {
  constructor(cause: unknown) {
    super('malformed update', { cause })
    this.name = 'MalformedUpdateError'
  }
}

export interface PendingUpdate {
  readonly update: Uint8Array
  /** The connection it came from, which the fan-out skips. */
  readonly origin: Peer | null
  /** Who wrote it: the sender's account (an accepted late edit's writer too), or `relay`. */
  readonly account: string
  readonly device: DeviceClaim | null
  readonly at: number
  /** The clocks it added, client by client, and the records it wrote: what history keeps of it. */
  readonly ranges: readonly ClockRange[]
  readonly records: ReadonlyArray<readonly [table: string, id: string]>
}

/** What a live doc needs from the docs that hold it (relay/docs.ts). */
export interface DocHost {
  readonly hooks: Hooks
  /** Which commits are fsynced: acknowledgements wait for it. */
  readonly log: CommitLog
  readonly idleUnloadMs: number
  /** Updates are pending: commit them with everything else of this event-loop turn. */
  requestCommit(): void
  /** The doc dropped itself from memory. */
  unloaded(doc: LiveDoc): void
}

export class LiveDoc {
  private current: Y.Doc
  readonly awareness: awarenessProtocol.Awareness
  readonly peers = new Set<Peer>()
  /** Awareness client ids each connection introduced, removed when it leaves. */
  private readonly presence = new Map<Peer, Set<number>>()
  private pending: PendingUpdate[] = []
  private afterCommit: Array<() => void> = []
  private snapshotCache: Y.Snapshot | null = null
  private idleTimer: NodeJS.Timeout | null = null
  private gone = false
  /** The writer whose update is being applied: its account and PC go with what the apply adds. */
  private applying: Peer | null = null

  /** Throws StoreError when the stored document cannot be read. */
  constructor(
    readonly name: string,
    readonly region: Region,
    private readonly host: DocHost,
  ) {
    this.current = this.load()
    // Presence lives apart from the records: a discarded update swaps the record doc (see discard).
    this.awareness = new awarenessProtocol.Awareness(new Y.Doc())
    // The relay itself is not a participant; only clients have presence.
    this.awareness.setLocalState(null)
    this.awareness.on('update', this.onAwareness)
    this.current.on('update', this.onUpdate)
  }

  /** The document's records as the relay holds them (committed and accepted-but-pending). */
  get doc(): Y.Doc {
    return this.current
  }

  /** A doc holding what is stored for this document. */
  private load(): Y.Doc {
    const doc = new Y.Doc({ gc: false })
    try {
      this.host.hooks.onLoadDocument({ documentName: this.name, region: this.region, doc })
    } catch (error) {
      doc.destroy()
      throw error
    }
    return doc
  }

  /**
   * A write of `peer`'s was accepted and counted (Peer.writesAccepted). One that changed nothing
   * is as durable as the doc already is; otherwise the commit that stores it acknowledges it.
   */
  accepted(peer: Peer): void {
    if (this.pending.length === 0) this.acknowledgeWhenDurable(peer)
  }

  private readonly onUpdate = (update: Uint8Array, origin: unknown, doc: Y.Doc, transaction: Y.Transaction): void => {
    this.snapshotCache = null
    const writer = this.applying
    this.pending.push({
      update,
      origin: isPeer(origin, this.peers) ? origin : null,
      account: writer?.username ?? 'relay',
      device: writer?.device ?? null,
      at: Date.now(),
      ...changesOf(doc, transaction),
    })
    this.host.requestCommit()
  }

  private readonly onAwareness = (
    change: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    const source = isPeer(origin, this.peers) ? origin : null
    if (source) {
      const owned = this.presence.get(source) ?? new Set<number>()
      this.presence.set(source, owned)
      for (const id of change.added) owned.add(id)
      for (const id of change.removed) owned.delete(id)
    }
    const clients = change.added.concat(change.updated, change.removed)
    const message = awarenessMessage(this.awareness, clients)
    for (const peer of this.peers) if (peer !== source) peer.deliver(message)
  }

  /**
   * Applies a client's update, then asks the extensions whether it may be kept. Throws
   * MalformedUpdateError for bytes Yjs cannot read and UpdateRefusedError for an update an
   * extension refuses; either way nothing of it is kept. The update is decoded once, by the
   * apply itself: the checks read what it integrated.
   */
  applyUpdate(update: Uint8Array, peer: Peer): void {
    const before = this.pending.length
    const roots = this.current.share.size
    const applying: { transaction: Y.Transaction | null } = { transaction: null }
    this.applying = peer
    try {
      this.current.transact((transaction) => {
        applying.transaction = transaction
        Y.applyUpdate(this.current, update, peer)
      }, peer)
    } catch (error) {
      // Yjs reads every struct before it integrates one, but the delete set only after them, and
      // it names root types while reading: bytes that go bad late leave part of an update behind.
      if (applying.transaction !== null && leftBehind(this.current, applying.transaction, roots)) this.discard(before)
      throw new MalformedUpdateError(error)
    } finally {
      this.applying = null
    }
    const transaction = applying.transaction
    if (transaction === null) return
    const payload: UpdatePayload = { documentName: this.name, region: this.region, account: peer.username, update, doc: this.current, transaction }
    const refusal = this.host.hooks.onCheckUpdate(payload)
    if (refusal !== null) {
      this.discard(before)
      throw new UpdateRefusedError(refusal, updateClients(update))
    }
    this.host.hooks.onUpdateAccepted(payload)
  }

  /** HoldPayload.check: `update` applied to `aside` and checked as a write of `peer` into this document. */
  checkAside(aside: Y.Doc, update: Uint8Array, peer: Peer): Refusal | null {
    const applying: { transaction: Y.Transaction | null } = { transaction: null }
    try {
      aside.transact((transaction) => {
        applying.transaction = transaction
        Y.applyUpdate(aside, update, peer)
      }, peer)
    } catch (error) {
      throw new MalformedUpdateError(error)
    }
    if (applying.transaction === null) return null
    return this.host.hooks.onCheckUpdate({ documentName: this.name, region: this.region, account: peer.username, update, doc: aside, transaction: applying.transaction })
  }

  /**
   * Drops what the last apply did. Yjs cannot take an integrated update back, so the doc is
   * rebuilt from storage plus the accepted updates still waiting for their commit. Nobody saw
   * the dropped one: fan-out only follows a commit. When storage cannot be read just now, the
   * doc goes instead, so nothing serves what was dropped.
   */
  private discard(before: number): void {
    this.pending.length = before
    let fresh: Y.Doc
    try {
      fresh = this.load()
    } catch (error) {
      this.host.hooks.onStorageError({ action: 'load', documentName: this.name, error })
      this.unload(CLOSE.unavailable)
      return
    }
    fresh.transact(() => {
      for (const p of this.pending) Y.applyUpdate(fresh, p.update)
    })
    this.current.off('update', this.onUpdate)
    this.current.destroy()
    this.current = fresh
    this.snapshotCache = null
    fresh.on('update', this.onUpdate)
  }

  /**
   * True when `update` holds nothing this doc lacks: no new structs and no new deletions. A
   * read-only client's sync step 2 carries its whole delete set, which is not a write.
   */
  contains(update: Uint8Array): boolean {
    this.snapshotCache ??= Y.snapshot(this.doc)
    try {
      return Y.snapshotContainsUpdate(this.snapshotCache, update)
    } catch (error) {
      throw new MalformedUpdateError(error)
    }
  }

  /** Runs `fn` once everything accepted so far is committed (at once when nothing is pending). */
  whenStored(fn: () => void): void {
    if (this.pending.length === 0) fn()
    else this.afterCommit.push(fn)
  }

  /**
   * Once nothing is pending, acknowledges to `peer` what the doc holds as soon as the commits
   * behind it are fsynced. The state vector is taken now: later commits are not covered yet.
   */
  acknowledgeWhenDurable(peer: Peer): void {
    this.whenStored(() => {
      if (this.gone) return
      const stateVector = Y.encodeStateVector(this.doc)
      const writes = peer.writesAccepted
      this.host.log.afterSync(() => {
        if (this.peers.has(peer)) peer.durable(stateVector, writes)
      })
    })
  }

  /**
   * Acknowledges to `peer` an update an extension kept aside (onHoldUpdate) as `stateVector`,
   * once what is pending is committed and everything is fsynced.
   */
  acknowledgeHeld(peer: Peer, stateVector: Uint8Array): void {
    const writes = peer.writesAccepted
    this.whenStored(() => {
      if (this.gone) return
      this.host.log.afterSync(() => {
        if (this.peers.has(peer)) peer.durable(stateVector, writes)
      })
    })
  }

  /** Hands the pending updates (and the callbacks waiting on them) to the committer. */
  takePending(): { updates: PendingUpdate[]; callbacks: Array<() => void> } | null {
    if (this.gone || (this.pending.length === 0 && this.afterCommit.length === 0)) return null
    const taken = { updates: this.pending, callbacks: this.afterCommit }
    this.pending = []
    this.afterCommit = []
    return taken
  }

  /** After `updates` were committed: fan out, run callbacks, acknowledge once fsynced. */
  stored(updates: readonly PendingUpdate[], callbacks: ReadonlyArray<() => void>): void {
    if (this.gone) return
    if (updates.length > 0) {
      for (const p of updates) {
        const message = updateMessage(p.update)
        for (const peer of this.peers) if (peer !== p.origin) peer.deliver(message)
      }
      const stateVector = Y.encodeStateVector(this.doc)
      const writers = [...this.peers].map((peer) => ({ peer, writes: peer.writesAccepted }))
      this.host.log.afterSync(() => {
        for (const { peer, writes } of writers) if (this.peers.has(peer)) peer.durable(stateVector, writes)
      })
    }
    for (const fn of callbacks) fn()
  }

  /** The store refused the batch: nothing of it was acknowledged or sent on; senders resend. */
  storeFailed(error: unknown): void {
    this.host.hooks.onStorageError({ action: 'store', documentName: this.name, error })
    this.unload(CLOSE.unavailable)
  }

  attach(peer: Peer): void {
    this.peers.add(peer)
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = null
  }

  /** Applies a client's awareness update. Throws MalformedUpdateError for unreadable bytes. */
  applyAwareness(update: Uint8Array, peer: Peer): void {
    try {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, update, peer)
    } catch (error) {
      throw new MalformedUpdateError(error)
    }
  }

  detach(peer: Peer): void {
    if (!this.peers.delete(peer)) return
    const owned = this.presence.get(peer)
    this.presence.delete(peer)
    if (owned && owned.size > 0 && !this.gone) {
      awarenessProtocol.removeAwarenessStates(this.awareness, [...owned], null)
    }
    this.scheduleIdle()
  }

  scheduleIdle(): void {
    if (this.gone || this.peers.size > 0 || this.idleTimer) return
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null
      if (this.peers.size > 0) return
      const busy = this.pending.length > 0 || this.host.hooks.beforeUnloadDocument({ documentName: this.name, region: this.region }) === 'keep'
      if (busy) return this.scheduleIdle()
      this.unload(null)
    }, this.host.idleUnloadMs)
    this.idleTimer.unref()
  }

  /** Drops the doc from memory; connections still attached are closed with `code`. */
  unload(code: number | null): void {
    if (this.gone) return
    this.gone = true
    if (this.idleTimer) clearTimeout(this.idleTimer)
    for (const peer of [...this.peers]) peer.evict(code ?? CLOSE.unavailable)
    this.peers.clear()
    this.current.off('update', this.onUpdate)
    this.awareness.off('update', this.onAwareness)
    this.awareness.destroy()
    this.current.destroy()
    this.host.unloaded(this)
  }
}

/**
 * Whether a failed apply changed the doc: integrated structs, deletions, structs waiting for
 * missing ones, or a root type named while reading. The before-state is the transaction's own.
 */
function leftBehind(doc: Y.Doc, transaction: Y.Transaction, roots: number): boolean {
  if (transaction.deleteSet.clients.size > 0 || doc.share.size !== roots || hasMissingDependencies(doc)) return true
  const now = Y.encodeStateVector(doc)
  const then = Y.encodeStateVector(transaction.beforeState)
  return now.length !== then.length || now.some((byte, i) => byte !== then[i])
}

/** The client ids and clock ranges an update writes (a refusal names them); none when its bytes cannot be read. */
export function updateClients(update: Uint8Array): Array<{ client: number; from: number; to: number }> {
  try {
    const { from, to } = Y.parseUpdateMeta(update)
    return [...to].map(([client, end]) => ({ client, from: from.get(client) ?? 0, to: end }))
  } catch {
    return []
  }
}

function isPeer(origin: unknown, peers: Set<Peer>): origin is Peer {
  return typeof origin === 'object' && origin !== null && peers.has(origin as Peer)
}
