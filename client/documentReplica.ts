/**
 * One document kept on this device (a region's master data or one of its months): the Y.Doc built
 * from the local store, the marks of local changes the relay has not acknowledged, the relay's
 * durable clocks, and the document's connection. Local edits are stored with their mark in the
 * same append; remote ones are stored plainly. After a refusal that blocks this device's client id
 * the doc is rebuilt without what was refused (client/recovery.ts) and the sync restarted.
 * The engine (client/engine.ts) owns one replica per open document.
 */
import * as Y from 'yjs'
import type { Awareness } from 'y-protocols/awareness'
import { createRegionDoc } from '../crdt/regionDoc.ts'
import { RETRYABLE, type RefusalCode } from '../crdt/updateGuard.ts'
import type { PeriodStateMessage, WaitingLateEdit, WriteRefused } from '../crdt/protocol.ts'
import { bothLanguages } from '../schema/bilingual.ts'
import type { Period } from '../schema/periods.ts'
import { backoffDelay, type BackoffOptions } from './backoff.ts'
import type { DocumentStore, StoredDocument } from './localStore.ts'
import { PendingChanges, type PendingMark } from './pendingChanges.ts'
import { rebuildRegionDoc } from './recovery.ts'
import { RegionSync, type ConnectionStatus, type SyncProblem, type TokenSource } from './regionSync.ts'

/** Transaction origin of updates read back from the local store: neither local nor to re-store. */
const FROM_STORE = Symbol('rainstaff:from-store')
/** lastSyncedAt is persisted at most this often unless something else changed too. */
const META_INTERVAL_MS = 10_000
/** Rebuilds after refusals per document and run; past it the document stops syncing (a bug, not a user's edit). */
const MAX_RECOVERIES = 5

export interface ReplicaEvents {
  /** Connection, pending count or lastSyncedAt changed. */
  changed(): void
  /** The document reached `synced` (the engine may renew its token schedule). */
  synced(): void
  /** A problem worth telling the user (bilingual message). */
  error(code: SyncProblem, message: string): void
  /** The doc was replaced by a rebuilt one. */
  reset(doc: Y.Doc): void
  /** A transaction from the relay was applied. */
  remote(): void
  /** The head office rejected late edits of this device in a closed month; the month was rebuilt without them. */
  lateEditsRejected?(count: number, message: string): void
}

export interface ReplicaOptions {
  readonly name: string
  readonly region: string
  readonly period: Period | null
  readonly writable: boolean
  readonly serverUrl: string
  readonly auth: TokenSource
  readonly user: string
  readonly backoff: BackoffOptions
  readonly livenessMs: number
  readonly WebSocketPolyfill?: unknown
  readonly now: () => Date
  readonly events: ReplicaEvents
}

export class DocumentReplica {
  readonly name: string
  readonly region: string
  readonly period: Period | null
  readonly writable: boolean
  doc: Y.Doc
  connection: ConnectionStatus = 'disconnected'
  problem: { readonly code: SyncProblem; readonly message: string } | null = null
  /** The head office closed this month: the relay keeps writes to it as late edits, not applied. */
  monthClosed = false
  /** This account's edits the relay keeps for the head office to accept or reject. */
  waitingLateEdits: readonly WaitingLateEdit[] = []
  lastSyncedAt: string | null
  private pending: PendingChanges
  /** The relay's durable clocks for this device's client ids. */
  private readonly durable: Map<number, number>
  private sync!: RegionSync
  private detach: () => void = () => undefined
  private metaWrittenAt = 0
  private metaDirty = false
  private retryTimer: ReturnType<typeof setTimeout> | null = null
  private retryAttempts = 0
  private recoveries = 0
  private wanted = false
  private closed = false
  /** The local store once loaded (see load); until then appends wait in `queued`. */
  private store: DocumentStore | null = null
  private queued: Array<[Uint8Array, PendingMark | null]> = []
  private readonly loaded: Promise<void>
  private markLoaded!: () => void

  /**
   * A replica starts empty and usable at once: an entry dated in a month not open yet is written
   * straight away, and what the device kept of the month (`load`) merges in when it is read.
   */
  constructor(private readonly options: ReplicaOptions) {
    this.name = options.name
    this.region = options.region
    this.period = options.period
    this.writable = options.writable
    this.doc = createRegionDoc()
    this.durable = new Map()
    this.pending = new PendingChanges()
    this.lastSyncedAt = null
    this.loaded = new Promise((resolve) => (this.markLoaded = resolve))
    this.attach(this.doc)
  }

  /** Merges in what the local store kept and from then on writes through to it; `sync`: start syncing if wanted. */
  load(store: DocumentStore, stored: StoredDocument, sync: boolean): void {
    this.doc.transact(() => {
      for (const update of stored.updates) Y.applyUpdate(this.doc, update)
    }, FROM_STORE)
    for (const [client, clock] of stored.meta.durable) this.durable.set(client, Math.max(clock, this.durable.get(client) ?? 0))
    for (const mark of stored.marks) this.pending.add(mark)
    this.pending.acknowledge(this.durable)
    this.lastSyncedAt ??= stored.meta.lastSyncedAt
    this.store = store
    for (const [update, mark] of this.queued) store.append(update, mark)
    this.queued = []
    this.markLoaded()
    if (sync && this.wanted && !this.closed) this.sync.start()
    this.options.events.changed()
  }

  /** Resolves once the local store's content is in the doc. */
  whenLoaded(): Promise<void> {
    return this.loaded
  }

  get pendingChanges(): number {
    return this.pending.count
  }

  get awareness(): Awareness {
    return this.sync.awareness
  }

  /** Whether Yjs client id `client` is (or was) this device's in this document. */
  ownsClient(client: number): boolean {
    return this.doc.clientID === client || this.pending.clients().includes(client) || this.durable.has(client)
  }

  start(): void {
    this.wanted = true
    // Synced once loaded: the first sync then says what the device already has.
    if (this.store !== null) this.sync.start()
  }

  stop(): void {
    this.wanted = false
    if (this.retryTimer !== null) clearTimeout(this.retryTimer)
    this.retryTimer = null
    this.sync.stop()
  }

  retryNow(): void {
    this.sync.retryNow()
  }

  async flush(): Promise<void> {
    await this.loaded
    await this.store?.flush()
  }

  /** Closes the replica; a store opened after this (still loading) is closed by the engine. */
  async close(): Promise<void> {
    this.closed = true
    if (this.retryTimer !== null) clearTimeout(this.retryTimer)
    this.sync.destroy()
    try {
      if (this.store !== null) {
        if (this.metaDirty) this.writeMeta()
        await this.store.close()
      }
    } finally {
      this.doc.destroy()
    }
  }

  /** Gives the doc its sync and its local-change recording. */
  private attach(doc: Y.Doc): void {
    this.doc = doc
    const sync: RegionSync = new RegionSync({
      serverUrl: this.options.serverUrl,
      region: this.name,
      doc,
      auth: this.options.auth,
      backoff: this.options.backoff,
      livenessMs: this.options.livenessMs,
      WebSocketPolyfill: this.options.WebSocketPolyfill,
      events: {
        status: (status) => this.sync === sync && this.statusChanged(status),
        durable: (stateVector) => this.sync === sync && this.acknowledged(stateVector),
        problem: (code, message, fatal) => this.sync === sync && this.reportProblem(code, message, fatal),
        refused: (refused) => this.sync === sync && this.refused(refused),
        periodState: (state) => this.sync === sync && this.periodState(state),
      },
    })
    this.sync = sync
    sync.awareness.setLocalStateField('user', { name: this.options.user })
    const onUpdate = (update: Uint8Array, origin: unknown, _doc: Y.Doc, transaction: Y.Transaction): void => {
      if (origin === FROM_STORE) return
      const local = origin !== sync.provider
      const mark = local ? { client: doc.clientID, clock: transaction.afterState.get(doc.clientID) ?? 0 } : null
      if (mark !== null) this.pending.add(mark)
      if (this.store !== null) this.store.append(update, mark)
      else this.queued.push([update, mark])
      if (local) this.options.events.changed()
      else this.options.events.remote()
    }
    doc.on('update', onUpdate)
    this.detach = () => doc.off('update', onUpdate)
  }

  private statusChanged(status: ConnectionStatus): void {
    this.connection = status
    if (status === 'synced') {
      this.problem = null
      this.options.events.synced()
      if (this.markSynced() && Date.now() - this.metaWrittenAt > META_INTERVAL_MS) this.writeMeta()
    }
    this.options.events.changed()
  }

  private acknowledged(stateVector: Map<number, number>): void {
    let changed = false
    for (const client of new Set([...this.pending.clients(), ...this.durable.keys()])) {
      const clock = stateVector.get(client)
      if (clock !== undefined && clock > (this.durable.get(client) ?? 0)) {
        this.durable.set(client, clock)
        changed = true
      }
    }
    const dropped = this.pending.acknowledge(stateVector)
    const synced = this.markSynced()
    if (changed || dropped > 0 || (synced && Date.now() - this.metaWrittenAt > META_INTERVAL_MS)) this.writeMeta()
    this.options.events.changed()
  }

  private markSynced(): boolean {
    if (this.connection !== 'synced' || this.pending.count > 0) return false
    this.lastSyncedAt = this.options.now().toISOString()
    this.metaDirty = true
    return true
  }

  private writeMeta(): void {
    if (this.store === null) return
    this.metaWrittenAt = Date.now()
    this.metaDirty = false
    this.store.setMeta({ durable: [...this.durable], lastSyncedAt: this.lastSyncedAt })
  }

  private reportProblem(code: SyncProblem, message: string, fatal: boolean): void {
    this.problem = { code, message }
    if (fatal || code === 'write_refused') this.options.events.error(code, message)
    this.options.events.changed()
  }

  /**
   * The relay refused an update (message 101) and kept nothing of it. A retryable refusal (the
   * relay lacks what it builds on) is sent again after a backoff delay. Any other refusal that
   * names this device's client ids blocks them for good (Yjs orders a client's updates), so the
   * doc is rebuilt without what was refused and the other edits replayed under a new client id.
   */
  private periodState(state: PeriodStateMessage): void {
    this.monthClosed = state.closed
    this.waitingLateEdits = state.waiting
    this.options.events.changed()
  }

  private refused(refused: WriteRefused): void {
    if (refused.code === 'late_edit_rejected') return this.lateEditRejected(refused)
    const cut = new Map<number, number>()
    for (const range of refused.ranges) {
      if (!this.ownsClient(range.client)) continue
      const from = Math.max(range.from, this.durable.get(range.client) ?? 0)
      if (from >= Y.getState(this.doc.store, range.client)) continue
      cut.set(range.client, Math.min(from, cut.get(range.client) ?? Infinity))
    }
    if (cut.size === 0) return
    if (RETRYABLE.has(refused.code as RefusalCode)) {
      if (this.retryTimer !== null) return
      this.sync.stop()
      const delay = backoffDelay(this.retryAttempts++, this.options.backoff)
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null
        if (!this.closed && this.wanted) this.sync.start()
      }, delay)
      ;(this.retryTimer as { unref?: () => void }).unref?.()
      return
    }
    if (this.recoveries++ >= MAX_RECOVERIES) {
      this.sync.stop()
      this.reportProblem('write_refused', bothLanguages(refused.message), true)
      return
    }
    this.recover(cut)
  }

  /**
   * The head office rejected late edits of this device (relay/closing.ts): they were durable on
   * the relay, so the cut starts where each began whatever the durable clocks say, and nothing of
   * them is written again — the month goes back to what the relay has, the rest of the device's
   * work untouched.
   */
  private lateEditRejected(refused: WriteRefused): void {
    const cut = new Map<number, number>()
    for (const range of refused.ranges) {
      if (!this.ownsClient(range.client) || range.from >= Y.getState(this.doc.store, range.client)) continue
      cut.set(range.client, Math.min(range.from, cut.get(range.client) ?? Infinity))
    }
    if (cut.size === 0) return
    this.recover(cut, false)
    this.options.events.lateEditsRejected?.(refused.ranges.length, bothLanguages(refused.message))
  }

  private recover(cut: ReadonlyMap<number, number>, replay = true): void {
    const old = this.doc
    const recovered = rebuildRegionDoc(old, cut, this.pending.marks(), {
      region: this.region,
      user: this.options.user,
      now: this.options.now,
    }, { replay })
    const wasWanted = this.connection !== 'failed' && this.wanted
    this.sync.destroy()
    this.detach()
    this.pending = new PendingChanges(recovered.marks)
    this.pending.acknowledge(this.durable)
    // Refusals come from the relay, so after the first sync: the store is loaded by then.
    this.store?.replace([Y.encodeStateAsUpdate(recovered.doc)], recovered.marks, {
      durable: [...this.durable],
      lastSyncedAt: this.lastSyncedAt,
    })
    this.metaWrittenAt = Date.now()
    this.metaDirty = false
    this.attach(recovered.doc)
    this.connection = 'disconnected'
    this.options.events.reset(recovered.doc)
    old.destroy()
    if (wasWanted && !this.closed) this.sync.start()
    this.options.events.changed()
  }
}
