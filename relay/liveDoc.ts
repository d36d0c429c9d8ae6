/**
 * One region's doc held in memory while someone works on it: loaded fully before anyone is
 * answered, every client update checked by the guard (crdt/updateGuard.ts) before it is kept,
 * accepted updates handed to the group commit (relay/docs.ts), fanned out only after their
 * commit and acknowledged once fsynced, compacted in the background and unloaded when idle.
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
import type { Compactor } from './compactor.ts'
import { awarenessMessage, CLOSE, updateMessage } from '../crdt/protocol.ts'
import { checkTransaction, precheckUpdate, type Refusal } from '../crdt/updateGuard.ts'
import { BilingualError } from '../schema/bilingual.ts'
import { StoreError, type Store } from './store.ts'

/** One connection as the doc sees it. */
export interface Peer {
  readonly username: string
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
 * An update the guard refused (crdt/updateGuard.ts): nothing of it was kept. `clients` are the
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
  readonly origin: Peer | null
  readonly at: number
}

export interface DocsEvents {
  /** A commit batch was committed after `ms` milliseconds in the store. */
  committed?(updates: number, bytes: number, ms: number): void
  compacted?(region: string): void
  log?(line: string): void
}

export interface DocsOptions {
  readonly regions: readonly Region[]
  readonly idleUnloadMs: number
  readonly compactAfterUpdates: number
  readonly compactor: Compactor
  readonly events?: DocsEvents
  /** Checks every client update against the schema before it is kept (default true; off only to measure its cost). */
  readonly validate?: boolean
}

export class RegionDoc {
  private current = new Y.Doc({ gc: false })
  readonly awareness: awarenessProtocol.Awareness
  readonly peers = new Set<Peer>()
  /** Awareness client ids each connection introduced, removed when it leaves. */
  private readonly presence = new Map<Peer, Set<number>>()
  /** Sequence number of the newest stored update this doc holds. */
  lastSeq: number
  /** Stored updates not yet folded into the snapshot. */
  logged: number
  lastUpdateAt: number | null
  private pending: PendingUpdate[] = []
  private afterCommit: Array<() => void> = []
  /** False after a failed integration: memory holds changes that are not stored (see applyUpdate). */
  private acknowledge = true
  private snapshotCache: Y.Snapshot | null = null
  private compacting: Promise<void> | null = null
  private idleTimer: NodeJS.Timeout | null = null
  private gone = false

  constructor(
    readonly region: Region,
    private readonly store: Store,
    private readonly options: DocsOptions,
    private readonly hooks: {
      gone(doc: RegionDoc): void
      requestCommit(): void
      commitNow(): void
      afterSync(fn: () => void): void
      clientOwner(client: number): string | undefined
      bindClients(clients: readonly number[], username: string): void
    },
  ) {
    const history = this.loadInto(this.current)
    this.lastSeq = history.updates.at(-1)?.seq ?? history.snapshotSeq
    this.logged = history.updates.length
    this.lastUpdateAt = store.regionStorage(region.slug).lastUpdateAt
    // Presence lives apart from the records: a refused update swaps the record doc (see refuse).
    this.awareness = new awarenessProtocol.Awareness(new Y.Doc())
    // The relay itself is not a participant; only clients have presence.
    this.awareness.setLocalState(null)
    this.awareness.on('update', this.onAwareness)
    this.current.on('update', this.onUpdate)
    if (this.logged >= options.compactAfterUpdates) this.compact()
  }

  /** The region's records as the relay holds them (committed and accepted-but-pending). */
  get doc(): Y.Doc {
    return this.current
  }

  private loadInto(doc: Y.Doc): ReturnType<Store['loadRegion']> {
    const history = this.store.loadRegion(this.region.slug)
    const label = this.region.slug
    doc.transact(() => {
      if (history.snapshot) applyStored(doc, history.snapshot, `snapshot of ${label}`)
      for (const u of history.updates) applyStored(doc, u.data, `update ${u.seq} of ${label}`)
    })
    return history
  }

  /** True while accepted updates wait for their commit. */
  get hasPending(): boolean {
    return this.pending.length > 0
  }

  get loaded(): boolean {
    return !this.gone
  }

  private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
    this.snapshotCache = null
    this.pending.push({ update, origin: isPeer(origin, this.peers) ? origin : null, at: Date.now() })
    this.hooks.requestCommit()
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
   * Applies a client's update. Throws MalformedUpdateError for bytes Yjs cannot read and
   * UpdateRefusedError for an update the guard refuses; either way nothing of it is kept.
   */
  applyUpdate(update: Uint8Array, peer: Peer): void {
    const ctx = { region: this.region.slug, account: peer.username }
    const validate = this.options.validate !== false
    let writers: number[] = []
    try {
      // Decoding first rejects garbage before anything touches the doc: Yjs integrates structs
      // before it reads the delete set, so a bad tail could otherwise leave half an update behind.
      if (validate) {
        const pre = precheckUpdate(update, ctx, this.hooks.clientOwner, (client) => Y.getState(this.current.store, client))
        if (pre.refusal !== null) throw new UpdateRefusedError(pre.refusal, updateClients(update))
        writers = pre.writers
      } else Y.decodeUpdate(update)
    } catch (error) {
      if (error instanceof UpdateRefusedError) throw error
      throw new MalformedUpdateError(error)
    }
    const before = this.pending.length
    let transaction: Y.Transaction | null = null
    try {
      this.current.transact((tr) => {
        transaction = tr
        Y.applyUpdate(this.current, update, peer)
      }, peer)
    } catch (error) {
      // Readable but not integrable: what it left in memory cannot be trusted. Store what came
      // before it, then drop the doc so the next connection reloads it from disk.
      this.pending.length = before
      this.acknowledge = false
      this.hooks.commitNow()
      this.peers.delete(peer)
      this.unload(CLOSE.unavailable)
      throw new MalformedUpdateError(error)
    }
    if (!validate || transaction === null) return
    const refusal = checkTransaction(this.current, transaction, ctx)
    if (refusal !== null) {
      this.pending.length = before
      this.rebuild()
      throw new UpdateRefusedError(refusal, updateClients(update))
    }
    if (writers.length > 0) this.hooks.bindClients(writers, peer.username)
  }

  /**
   * Yjs cannot take an integrated update back, so after a refusal the doc is rebuilt from the
   * store plus the accepted updates still waiting for their commit. Nobody saw the refused one:
   * fan-out only follows a commit.
   */
  private rebuild(): void {
    const fresh = new Y.Doc({ gc: false })
    this.loadInto(fresh)
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
      if (this.gone || !this.acknowledge) return
      const stateVector = Y.encodeStateVector(this.doc)
      const writes = peer.writesAccepted
      this.hooks.afterSync(() => {
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

  /** After `updates` were committed (the last at `lastSeq`): fan out, run callbacks, acknowledge once fsynced. */
  stored(updates: readonly PendingUpdate[], lastSeq: number, callbacks: ReadonlyArray<() => void>): void {
    if (this.gone) return
    if (updates.length > 0) {
      this.lastSeq = lastSeq
      this.logged += updates.length
      this.lastUpdateAt = updates.at(-1)?.at ?? this.lastUpdateAt
      for (const p of updates) {
        const message = updateMessage(p.update)
        for (const peer of this.peers) if (peer !== p.origin) peer.deliver(message)
      }
      if (this.acknowledge) {
        const stateVector = Y.encodeStateVector(this.doc)
        const writers = [...this.peers].map((peer) => ({ peer, writes: peer.writesAccepted }))
        this.hooks.afterSync(() => {
          for (const { peer, writes } of writers) if (this.peers.has(peer)) peer.durable(stateVector, writes)
        })
      }
      if (this.logged >= this.options.compactAfterUpdates) void this.compact()
    }
    for (const fn of callbacks) fn()
  }

  /** The store refused the batch: nothing of it was acknowledged or sent on; senders resend. */
  storeFailed(error: unknown): void {
    this.options.events?.log?.(
      `relay: kayıt yazılamadı / could not store ${this.region.slug}: ${error instanceof Error ? error.message : error}`,
    )
    this.unload(CLOSE.unavailable)
  }

  /** Folds the snapshot and the logged updates into a new snapshot, off the main thread. */
  compact(): Promise<void> {
    if (this.compacting) return this.compacting
    const slug = this.region.slug
    const run = async (): Promise<void> => {
      const history = this.store.loadRegion(slug)
      const upto = history.updates.at(-1)?.seq
      if (upto === undefined) return
      const parts = history.snapshot ? [history.snapshot] : []
      for (const u of history.updates) parts.push(u.data)
      const merged = await this.options.compactor.merge(parts)
      if (!this.store.isOpen) return
      this.store.writeSnapshot(slug, merged, upto)
      this.logged = Math.max(0, this.logged - history.updates.length)
      this.options.events?.compacted?.(slug)
    }
    this.compacting = run()
      .catch((error: unknown) => {
        this.options.events?.log?.(
          `relay: sıkıştırma başarısız / compaction failed for ${slug}: ${error instanceof Error ? error.message : error}`,
        )
      })
      .finally(() => {
        this.compacting = null
        this.scheduleIdle()
      })
    return this.compacting
  }

  /** Waits for a running compaction (tests, shutdown). */
  async settled(): Promise<void> {
    await this.compacting
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
      if (this.pending.length > 0 || this.compacting) return this.scheduleIdle()
      this.unload(null)
    }, this.options.idleUnloadMs)
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
    this.hooks.gone(this)
  }
}

/** The client ids an update writes and their clock ranges, for the refusal message. */
function updateClients(update: Uint8Array): Array<{ client: number; from: number; to: number }> {
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

function applyStored(doc: Y.Doc, data: Uint8Array, what: string): void {
  try {
    Y.decodeUpdate(data)
    Y.applyUpdate(doc, data)
  } catch (error) {
    throw new StoreError(
      `Veri deposu bozuk: ${what} okunamadı; sunucu boş belge sunmayacak. / ` +
        `Damaged store: ${what} is unreadable; the relay will not serve an empty doc.`,
      { cause: error },
    )
  }
}
