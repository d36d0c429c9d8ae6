/**
 * Region docs held in memory: loading (fully, before anyone is answered), group commit of
 * accepted updates, fan-out only after the commit, durable acknowledgements, background
 * compaction and unloading of idle docs.
 *
 * The order is the durability promise: commit to the store, then send the updates to other
 * connections, then, once the commit is fsynced, tell each writer what is on disk. A committed
 * update survives a killed relay at once; until its fsync, a crash of the whole machine could
 * still take it back, which is why only the fsync is acknowledged: the writer keeps every
 * unacknowledged update and sends it again after reconnecting.
 */
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as syncProtocol from 'y-protocols/sync'
import type { Region } from '../schema/regions.ts'
import type { Compactor } from './compactor.ts'
import { MESSAGE_AWARENESS, MESSAGE_SYNC } from '../crdt/protocol.ts'
import { checkTransaction, precheckUpdate, type Refusal } from '../crdt/updateGuard.ts'
import { StoreError, type Store } from './store.ts'
import { BilingualError } from '../schema/bilingual.ts'

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

interface PendingUpdate {
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

/**
 * Makes commits survive a machine crash. Absent, every commit is fsynced by SQLite itself
 * (synchronous=FULL) before it returns, and acknowledgements follow each commit directly.
 */
export interface BackgroundSync {
  /** Fsyncs everything committed before the call. */
  sync(): Promise<void>
  /** The fsync failed: nothing waiting on it was acknowledged. */
  failed(error: unknown): void
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

function updateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_SYNC)
  syncProtocol.writeUpdate(encoder, update)
  return encoding.toUint8Array(encoder)
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
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MESSAGE_AWARENESS)
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients))
    const message = encoding.toUint8Array(encoder)
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
      this.unload(4503)
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
    this.unload(4503)
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
      if (!this.store.db.open) return
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
    for (const peer of [...this.peers]) peer.evict(code ?? 4503)
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

/** The configured regions' docs, loaded on demand and unloaded when idle. */
export class Docs {
  private readonly loaded = new Map<string, RegionDoc>()
  private commitQueued = false
  private background: BackgroundSync | null = null
  /** Commits made, and how many of them the last completed fsync covers. */
  private commits = 0
  private syncedCommits = 0
  private syncing = false
  private readonly waitingForSync: Array<{ commit: number; fn: () => void }> = []

  constructor(
    private readonly store: Store,
    private readonly options: DocsOptions,
  ) {}

  /** From now on commits are fsynced by `background`; the store must stop fsyncing each itself. */
  startBackgroundSync(background: BackgroundSync): void {
    this.background = background
  }

  /**
   * Back to acknowledging each commit directly, once the store fsyncs each commit itself again:
   * `syncNow` fsyncs what is committed so far, then everyone waiting hears about it.
   */
  stopBackgroundSync(syncNow: () => void): void {
    if (this.background === null) return
    this.background = null
    if (this.waitingForSync.length === 0) return
    syncNow()
    this.releaseWaiting(this.commits)
  }

  /** Runs `fn` once every commit made so far is fsynced. */
  private afterSync(fn: () => void): void {
    if (this.background === null || this.syncedCommits >= this.commits) return fn()
    this.waitingForSync.push({ commit: this.commits, fn })
    this.startSync()
  }

  private startSync(): void {
    const background = this.background
    if (this.syncing || background === null || this.syncedCommits >= this.commits) return
    this.syncing = true
    const covers = this.commits
    background.sync().then(
      () => {
        this.syncing = false
        if (this.background !== background) return
        this.releaseWaiting(covers)
        this.startSync()
      },
      (error: unknown) => {
        this.syncing = false
        if (this.background !== background) return
        // Nobody hears "on disk" for commits whose fsync failed; their writers still hold them
        // and send them again after reconnecting.
        this.waitingForSync.length = 0
        for (const doc of this.all()) doc.unload(4503)
        background.failed(error)
      },
    )
  }

  private releaseWaiting(upto: number): void {
    this.syncedCommits = Math.max(this.syncedCommits, upto)
    const ready = this.waitingForSync.filter((w) => w.commit <= this.syncedCommits)
    const still = this.waitingForSync.filter((w) => w.commit > this.syncedCommits)
    this.waitingForSync.splice(0, this.waitingForSync.length, ...still)
    for (const w of ready) w.fn()
  }

  /** Client id → account, read through: a binding never changes once made. */
  private readonly owners = new Map<number, string>()

  private clientOwner(client: number): string | undefined {
    let owner = this.owners.get(client)
    if (owner === undefined) {
      owner = this.store.clientOwner(client)
      if (owner !== undefined) this.owners.set(client, owner)
    }
    return owner
  }

  private bindClients(clients: readonly number[], username: string): void {
    const fresh = clients.filter((c) => !this.owners.has(c))
    if (fresh.length === 0) return
    this.store.bindClients(fresh, username, Date.now())
    for (const c of fresh) this.owners.set(c, this.store.clientOwner(c) ?? username)
  }

  region(slug: string): Region | undefined {
    return this.options.regions.find((r) => r.slug === slug)
  }

  /** The region's doc, loading it if needed. Throws StoreError for a damaged store. */
  open(slug: string): RegionDoc {
    const existing = this.loaded.get(slug)
    if (existing) return existing
    const region = this.region(slug)
    if (!region) throw new Error(`unknown region ${slug}`)
    const doc = new RegionDoc(region, this.store, this.options, {
      gone: (gone) => {
        if (this.loaded.get(slug) === gone) this.loaded.delete(slug)
      },
      requestCommit: () => this.requestCommit(),
      commitNow: () => this.commitAll(),
      afterSync: (fn) => this.afterSync(fn),
      clientOwner: (client) => this.clientOwner(client),
      bindClients: (clients, username) => this.bindClients(clients, username),
    })
    this.loaded.set(slug, doc)
    doc.scheduleIdle()
    return doc
  }

  get(slug: string): RegionDoc | undefined {
    return this.loaded.get(slug)
  }

  all(): RegionDoc[] {
    return [...this.loaded.values()]
  }

  /** Loads every configured region once, so a damaged store stops start-up instead of a client. */
  verifyAll(): void {
    for (const region of this.options.regions) this.open(region.slug)
  }

  private requestCommit(): void {
    if (this.commitQueued) return
    this.commitQueued = true
    // setImmediate gathers every message of this I/O turn, across all regions, into one commit.
    setImmediate(() => this.commitAll())
  }

  /** Stores every doc's pending updates in one transaction, then lets each doc fan out. */
  commitAll(): void {
    this.commitQueued = false
    const work: Array<{ doc: RegionDoc; updates: PendingUpdate[]; callbacks: Array<() => void> }> = []
    for (const doc of this.loaded.values()) {
      const taken = doc.takePending()
      if (taken) work.push({ doc, ...taken })
    }
    const rows = work.flatMap(({ doc, updates }) =>
      updates.map((p) => ({ region: doc.region.slug, data: p.update, username: p.origin?.username ?? 'relay', at: p.at })),
    )
    let seqs: number[] = []
    if (rows.length > 0) {
      const started = performance.now()
      try {
        seqs = this.store.appendUpdates(rows)
      } catch (error) {
        for (const { doc } of work) doc.storeFailed(error)
        return
      }
      this.commits++
      this.options.events?.committed?.(rows.length, rows.reduce((n, r) => n + r.data.byteLength, 0), performance.now() - started)
    }
    let index = 0
    for (const { doc, updates, callbacks } of work) {
      index += updates.length
      doc.stored(updates, seqs[index - 1] ?? doc.lastSeq, callbacks)
    }
  }

  flushAll(): void {
    this.commitAll()
  }

  async close(code: number): Promise<void> {
    this.flushAll()
    await Promise.all(this.all().map((d) => d.settled()))
    for (const doc of this.all()) doc.unload(code)
  }
}
