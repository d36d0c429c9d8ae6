/**
 * The sync engine: region docs kept on the device (a LocalStore given by the caller), edited
 * offline, and synced through the relay when it can be reached. The core of the app and of the
 * CLI; it imports nothing Node-only, so it bundles for browsers and Electron.
 *
 *   const { session } = await signIn({ relay, username, password, store })
 *   const engine = await openEngine({ session, store })
 *   engine.on('state', (s) => render(s.connection, s.pendingChanges, s.lastSyncedAt))
 *   const id = engine.insert('employees', { full_name: 'Ayşe Yılmaz' })
 *
 * Docs are only ever built from Yjs updates (the local store, then the relay); nothing is
 * re-seeded from the mirror or any other non-Yjs copy, which would duplicate records.
 */
import * as Y from 'yjs'
import { ObservableV2 } from 'lib0/observable'
import type { Awareness } from 'y-protocols/awareness'
import {
  createRegionDoc,
  deleteRecord,
  insertRecord,
  resolveConflict,
  restoreRecord,
  updateRecord,
  type Author,
} from '../crdt/regionDoc.ts'
import type { CellValue, RecordInput, TableName } from '../schema/tables.ts'
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts'
import type { LocalStore, DocumentStore } from './localStore.ts'
import { PendingChanges } from './pendingChanges.ts'
import { RegionSync, type ConnectionStatus, type SyncProblem } from './regionSync.ts'
import { backoffDelay } from './backoff.ts'
import { rebuildRegionDoc } from './recovery.ts'
import { RETRYABLE, type RefusalCode } from '../crdt/updateGuard.ts'
import type { WriteRefused } from '../crdt/protocol.ts'
import { bothLanguages } from '../schema/bilingual.ts'
import { SignInError, type Session } from './signIn.ts'
import { BilingualError } from '../schema/bilingual.ts'

export type { ConnectionStatus, SyncProblem } from './regionSync.ts'

export interface RegionState {
  readonly region: string
  readonly writable: boolean
  readonly connection: ConnectionStatus
  readonly pendingChanges: number
  readonly lastSyncedAt: string | null
  /** The latest thing that went wrong for this region (bilingual), cleared once synced. */
  readonly problem: { readonly code: SyncProblem; readonly message: string } | null
}

export interface EngineState {
  /** synced when every region is; otherwise the best any region reached, or failed when all failed. */
  readonly connection: ConnectionStatus
  readonly pendingChanges: number
  /** The oldest of the regions' lastSyncedAt: when everything was last known in step; null if never. */
  readonly lastSyncedAt: string | null
  readonly regions: Readonly<Record<string, RegionState>>
}

export interface EngineError {
  readonly code: SyncProblem
  readonly region: string
  readonly message: string
}

export interface EngineEvents {
  /** After any change of connection, pendingChanges or lastSyncedAt (coalesced per microtask). */
  state: (state: EngineState) => void
  /** A refused write, or a refusal that stopped a region's sync (see RegionState.problem). */
  error: (error: EngineError) => void
  /**
   * A region's doc was replaced by a rebuilt one after the relay refused a change (see
   * client/recovery.ts): whatever follows `doc(region)` or `awareness(region)` attaches again.
   */
  reset: (region: string, doc: Y.Doc) => void
}

export interface EngineOptions {
  readonly session: Session
  readonly store: LocalStore
  /** Regions to open; every region of the session when absent. */
  readonly regions?: readonly string[]
  /** Start syncing at once (default true); `connect()` starts it later. */
  readonly connect?: boolean
  /** Node: the `ws` WebSocket class; browsers leave it out. */
  readonly WebSocketPolyfill?: unknown
  readonly backoff?: BackoffOptions
  /** A silent connection is replaced after this long (default 30 s). */
  readonly livenessMs?: number
  /** Clock for edit stamps and lastSyncedAt (tests). */
  readonly now?: () => Date
}

/** A write to a region this user may not write, or to a region not open; bilingual. */
export class AccessError extends BilingualError {
  constructor(tr: string, en: string) {
    super({ tr, en })
    this.name = 'AccessError'
  }
}

export class SyncTimeoutError extends Error {
  constructor(
    readonly state: EngineState,
    detail: string,
  ) {
    super(detail)
    this.name = 'SyncTimeoutError'
  }
}

/** Transaction origin of updates read back from the local store: neither local nor to re-store. */
const FROM_STORE = Symbol('rainstaff:from-store')
/** lastSyncedAt is persisted at most this often unless something else changed too. */
const META_INTERVAL_MS = 10_000
/** Rebuilds after refusals per region and run; past it the region stops syncing (a bug, not a user's edit). */
const MAX_RECOVERIES = 5
/**
 * The token is renewed once this share of its lifetime (as first seen here) has passed, so an
 * open connection's token is replaced before the relay ends the connection at its expiry and
 * the reconnect needs no login. 15 minutes: renewed after about 11.
 */
const RENEW_AT = 0.75

interface Region {
  readonly slug: string
  readonly writable: boolean
  doc: Y.Doc
  readonly store: DocumentStore
  pending: PendingChanges
  /** The relay's durable clocks for this device's client ids. */
  readonly durable: Map<number, number>
  lastSyncedAt: string | null
  metaWrittenAt: number
  /** lastSyncedAt moved since the meta was last written. */
  metaDirty: boolean
  sync: RegionSync
  connection: ConnectionStatus
  problem: RegionState['problem']
  /** Stops listening to the current doc (before it is replaced). */
  detach: () => void
  /** Reconnect after a retryable refusal (see refused). */
  retryTimer: ReturnType<typeof setTimeout> | null
  retryAttempts: number
  /** Rebuilds after refusals, for a cap on loops. */
  recoveries: number
}

export async function openEngine(options: EngineOptions): Promise<SyncEngine> {
  const slugs = options.regions ?? options.session.regions.map((r) => r.slug)
  const engine = new SyncEngine(options)
  try {
    for (const slug of slugs) await engine.openRegion(slug)
  } catch (error) {
    await engine.close()
    throw error
  }
  if (options.connect !== false) engine.connect()
  return engine
}

export class SyncEngine extends ObservableV2<EngineEvents> {
  private readonly open = new Map<string, Region>()
  private readonly session: Session
  private readonly now: () => Date
  private emitQueued = false
  private closed = false
  private syncing = false
  private renewTimer: ReturnType<typeof setTimeout> | null = null
  /** The expiry the renewal timer was set for, and when this engine first saw it. */
  private renewFor: { expiresAt: number; seenAt: number } | null = null
  private readonly onOnline = (): void => this.reconnectNow()

  constructor(private readonly options: EngineOptions) {
    super()
    this.session = options.session
    this.now = options.now ?? (() => new Date())
    // Browsers and Electron say when the network is back: retry at once instead of after backoff.
    ;(globalThis as { addEventListener?: (type: string, fn: () => void) => void }).addEventListener?.('online', this.onOnline)
  }

  get user(): Session['user'] {
    return this.session.user
  }

  get regions(): string[] {
    return [...this.open.keys()]
  }

  /** Loads a region's doc from the local store and prepares (but does not start) its sync. */
  async openRegion(slug: string): Promise<void> {
    if (this.open.has(slug)) return
    const access = this.session.regions.find((r) => r.slug === slug)
    if (access === undefined) throw new AccessError(`Bu kullanıcı ${slug} bölgesini göremez`, `This user cannot read region ${slug}`)
    const store = await this.options.store.openDocument(slug)
    const stored = await store.load()
    const doc = createRegionDoc()
    doc.transact(() => {
      for (const update of stored.updates) Y.applyUpdate(doc, update)
    }, FROM_STORE)
    const durable = new Map(stored.meta.durable)
    const pending = new PendingChanges(stored.marks)
    pending.acknowledge(durable)
    const region: Region = {
      slug,
      writable: access.writable,
      doc,
      store,
      pending,
      durable,
      lastSyncedAt: stored.meta.lastSyncedAt,
      metaWrittenAt: 0,
      metaDirty: false,
      sync: undefined as unknown as RegionSync,
      connection: 'disconnected',
      problem: null,
      detach: () => undefined,
      retryTimer: null,
      retryAttempts: 0,
      recoveries: 0,
    }
    this.attach(region, doc)
    this.open.set(slug, region)
    this.queueEmit()
  }

  /** Gives `region` its doc's sync and local-change recording. */
  private attach(region: Region, doc: Y.Doc): void {
    region.doc = doc
    const slug = region.slug
    const sync: RegionSync = new RegionSync({
      serverUrl: this.session.relay.sync,
      region: slug,
      doc,
      auth: this.session,
      backoff: this.options.backoff ?? DEFAULT_BACKOFF,
      livenessMs: this.options.livenessMs ?? 30_000,
      WebSocketPolyfill: this.options.WebSocketPolyfill,
      events: {
        status: (status) => region.sync === sync && this.statusChanged(region, status),
        durable: (stateVector) => region.sync === sync && this.acknowledged(region, stateVector),
        problem: (code, message, fatal) => region.sync === sync && this.problem(region, code, message, fatal),
        refused: (refused) => region.sync === sync && this.refused(region, refused),
      },
    })
    region.sync = sync
    sync.awareness.setLocalStateField('user', { name: this.session.user.username })
    const onUpdate = (update: Uint8Array, origin: unknown, _doc: Y.Doc, transaction: Y.Transaction): void => {
      if (origin === FROM_STORE) return
      const local = origin !== sync.provider
      const mark = local ? { client: doc.clientID, clock: transaction.afterState.get(doc.clientID) ?? 0 } : null
      if (mark !== null) {
        region.pending.add(mark)
        this.queueEmit()
      }
      region.store.append(update, mark)
    }
    doc.on('update', onUpdate)
    region.detach = () => doc.off('update', onUpdate)
  }

  doc(region: string): Y.Doc {
    return this.region(region).doc
  }

  awareness(region: string): Awareness {
    return this.region(region).sync.awareness
  }

  get state(): EngineState {
    const regions: Record<string, RegionState> = {}
    let pendingChanges = 0
    let lastSyncedAt: string | null = null
    let neverSynced = false
    const statuses: ConnectionStatus[] = []
    for (const r of this.open.values()) {
      regions[r.slug] = {
        region: r.slug,
        writable: r.writable,
        connection: r.connection,
        pendingChanges: r.pending.count,
        lastSyncedAt: r.lastSyncedAt,
        problem: r.problem,
      }
      pendingChanges += r.pending.count
      statuses.push(r.connection)
      if (r.lastSyncedAt === null) neverSynced = true
      else if (lastSyncedAt === null || r.lastSyncedAt < lastSyncedAt) lastSyncedAt = r.lastSyncedAt
    }
    return { connection: overall(statuses), pendingChanges, lastSyncedAt: neverSynced ? null : lastSyncedAt, regions }
  }

  get pendingChanges(): number {
    let n = 0
    for (const r of this.open.values()) n += r.pending.count
    return n
  }

  connect(): void {
    this.syncing = true
    for (const r of this.open.values()) r.sync.start()
    this.scheduleRenewal()
  }

  disconnect(): void {
    this.syncing = false
    this.clearRenewal()
    for (const r of this.open.values()) {
      if (r.retryTimer !== null) clearTimeout(r.retryTimer)
      r.retryTimer = null
      r.sync.stop()
    }
  }

  /** Retries every waiting region now (the network came back, or the user pressed "sync"). */
  reconnectNow(): void {
    for (const r of this.open.values()) r.sync.retryNow()
  }

  // --- edits: stamped with the signed-in user, refused for regions this user may not write ---

  insert<T extends TableName>(table: T, input: RecordInput<T>, region?: string): string {
    const r = this.writableRegion(region)
    return insertRecord(r.doc, table, r.slug, input, this.author())
  }

  update<T extends TableName>(table: T, id: string, patch: Partial<RecordInput<T>>, region?: string): void {
    updateRecord(this.writableRegion(region).doc, table, id, patch, this.author())
  }

  delete(table: TableName, id: string, region?: string): void {
    deleteRecord(this.writableRegion(region).doc, table, id, this.author())
  }

  restore(table: TableName, id: string, region?: string): void {
    restoreRecord(this.writableRegion(region).doc, table, id, this.author())
  }

  resolveConflict(
    conflict: { conflict_id: string; table: TableName; record_id: string; field: string },
    value: CellValue,
    region?: string,
  ): void {
    resolveConflict(this.writableRegion(region).doc, conflict, value, this.author())
  }

  /** Resolves once every local change so far would survive a crash of this device. */
  async flush(): Promise<void> {
    await Promise.all([...this.open.values()].map((r) => r.store.flush()))
  }

  /**
   * Resolves when every open region is synced and nothing is pending (and stored locally).
   * Rejects when a region fails for good, or with SyncTimeoutError after `timeoutMs`.
   */
  whenSynced(timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const check = (state: EngineState): void => {
        const failed = Object.values(state.regions).find((r) => r.connection === 'failed')
        if (failed !== undefined) {
          finish()
          reject(new SyncTimeoutError(state, failed.problem?.message ?? `${failed.region}: failed`))
        } else if (state.connection === 'synced' && state.pendingChanges === 0) {
          finish()
          this.flush().then(resolve, reject)
        }
      }
      const finish = (): void => {
        if (timer !== undefined) clearTimeout(timer)
        this.off('state', check)
      }
      timer = setTimeout(() => {
        finish()
        const state = this.state
        const problem = Object.values(state.regions).find((r) => r.problem !== null)?.problem
        reject(new SyncTimeoutError(state, problem?.message ?? 'Eşitleme zaman aşımına uğradı / Sync timed out'))
      }, timeoutMs)
      this.on('state', check)
      check(this.state)
    })
  }

  /** Stops syncing, writes what is queued and closes the region stores (not the LocalStore). */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.clearRenewal()
    ;(globalThis as { removeEventListener?: (type: string, fn: () => void) => void }).removeEventListener?.('online', this.onOnline)
    const errors: unknown[] = []
    for (const r of this.open.values()) {
      if (r.retryTimer !== null) clearTimeout(r.retryTimer)
      r.sync.destroy()
      if (r.metaDirty) this.writeMeta(r)
      await r.store.close().catch((e: unknown) => errors.push(e))
      r.doc.destroy()
    }
    this.open.clear()
    super.destroy()
    if (errors.length > 0) throw errors[0]
  }

  private clearRenewal(): void {
    if (this.renewTimer !== null) clearTimeout(this.renewTimer)
    this.renewTimer = null
  }

  /**
   * Renews the session's token ahead of its expiry while syncing. The lifetime is measured on this
   * device's clock from when the token was first seen, so a relay clock that differs only moves
   * the renewal; if it comes too late anyway, the relay's 4401 makes RegionSync renew instead.
   */
  private scheduleRenewal(retryInMs?: number): void {
    this.clearRenewal()
    if (this.closed || !this.syncing) return
    const expiresAt = this.session.expiresAt()
    if (expiresAt === null) return
    const now = Date.now()
    if (this.renewFor?.expiresAt !== expiresAt) this.renewFor = { expiresAt, seenAt: now }
    const lifetime = expiresAt - this.renewFor.seenAt
    // Already expired by this clock: nothing to gain ahead of time; the relay's 4401 will tell.
    if (lifetime <= 0) return
    const delay = retryInMs ?? Math.max(0, this.renewFor.seenAt + lifetime * RENEW_AT - now)
    this.renewTimer = setTimeout(() => void this.renewNow(expiresAt), delay)
    ;(this.renewTimer as { unref?: () => void }).unref?.()
  }

  private async renewNow(expiresAt: number): Promise<void> {
    this.renewTimer = null
    // Renewed meanwhile (a region refused the old token and renewed it): just follow the new one.
    if (this.session.expiresAt() !== expiresAt) return this.scheduleRenewal()
    try {
      await this.session.renew()
    } catch (error) {
      const left = expiresAt - Date.now()
      const transient = error instanceof SignInError && (error.code === 'unreachable' || error.code === 'rate_limited' || error.code === 'relay_error')
      // A refusal is reported by the region that meets it at the expiry; only a network hiccup is retried here.
      if (transient && left > 0) this.scheduleRenewal(Math.max(1000, left / 4))
      return
    }
    this.scheduleRenewal()
  }

  private region(slug: string): Region {
    const r = this.open.get(slug)
    if (r === undefined) throw new AccessError(`Bölge açık değil: ${slug}`, `Region not open: ${slug}`)
    return r
  }

  private writableRegion(slug: string | undefined): Region {
    const target = slug ?? this.session.user.region
    if (target === null) {
      throw new AccessError('Yönetici hiçbir bölgeye yazamaz', 'The admin cannot write to any region')
    }
    const r = this.region(target)
    if (!r.writable) {
      throw new AccessError(`${target} bölgesine yazma izniniz yok`, `You may not write to region ${target}`)
    }
    return r
  }

  private author(): Author {
    return { user: this.session.user.username, now: this.now }
  }

  private statusChanged(region: Region, status: ConnectionStatus): void {
    region.connection = status
    if (status === 'synced') {
      region.problem = null
      // A region that renewed on its own (the relay refused an expired token) brings a new expiry.
      if (this.renewTimer === null) this.scheduleRenewal()
      if (this.markSynced(region) && Date.now() - region.metaWrittenAt > META_INTERVAL_MS) this.writeMeta(region)
    }
    this.queueEmit()
  }

  private acknowledged(region: Region, stateVector: Map<number, number>): void {
    let changed = false
    for (const client of new Set([...region.pending.clients(), ...region.durable.keys()])) {
      const clock = stateVector.get(client)
      if (clock !== undefined && clock > (region.durable.get(client) ?? 0)) {
        region.durable.set(client, clock)
        changed = true
      }
    }
    const dropped = region.pending.acknowledge(stateVector)
    const synced = this.markSynced(region)
    if (changed || dropped > 0 || (synced && Date.now() - region.metaWrittenAt > META_INTERVAL_MS)) this.writeMeta(region)
    this.queueEmit()
  }

  private markSynced(region: Region): boolean {
    if (region.connection !== 'synced' || region.pending.count > 0) return false
    region.lastSyncedAt = this.now().toISOString()
    region.metaDirty = true
    return true
  }

  private writeMeta(region: Region): void {
    region.metaWrittenAt = Date.now()
    region.metaDirty = false
    region.store.setMeta({ durable: [...region.durable], lastSyncedAt: region.lastSyncedAt })
  }

  private problem(region: Region, code: SyncProblem, message: string, fatal: boolean): void {
    region.problem = { code, message }
    if (fatal || code === 'write_refused') this.emit('error', [{ code, region: region.slug, message }])
    this.queueEmit()
  }

  /**
   * The relay refused an update (message 101) and kept nothing of it. A retryable refusal (the
   * relay lacks what it builds on) is sent again after a backoff delay. Any other refusal that
   * names this device's client ids blocks them for good (Yjs orders a client's updates), so the
   * doc is rebuilt without what was refused and the other edits replayed under a new client id
   * (client/recovery.ts); the store is replaced, the doc swapped ('reset'), and sync restarted.
   */
  private refused(region: Region, refused: WriteRefused): void {
    const ours = new Set([region.doc.clientID, ...region.pending.clients(), ...region.durable.keys()])
    const cut = new Map<number, number>()
    for (const range of refused.ranges) {
      if (!ours.has(range.client)) continue
      const from = Math.max(range.from, region.durable.get(range.client) ?? 0)
      if (from >= Y.getState(region.doc.store, range.client)) continue
      cut.set(range.client, Math.min(from, cut.get(range.client) ?? Infinity))
    }
    if (cut.size === 0) return
    if (RETRYABLE.has(refused.code as RefusalCode)) {
      if (region.retryTimer !== null) return
      region.sync.stop()
      const delay = backoffDelay(region.retryAttempts++, this.options.backoff ?? DEFAULT_BACKOFF)
      region.retryTimer = setTimeout(() => {
        region.retryTimer = null
        if (!this.closed) region.sync.start()
      }, delay)
      ;(region.retryTimer as { unref?: () => void }).unref?.()
      return
    }
    if (region.recoveries++ >= MAX_RECOVERIES) {
      region.sync.stop()
      this.problem(region, 'write_refused', bothLanguages(refused.message), true)
      return
    }
    this.recover(region, cut)
  }

  private recover(region: Region, cut: ReadonlyMap<number, number>): void {
    const old = region.doc
    const recovered = rebuildRegionDoc(old, cut, region.pending.marks(), {
      region: region.slug,
      user: this.session.user.username,
      now: this.now,
    })
    const wasWanted = region.connection !== 'failed'
    region.sync.destroy()
    region.detach()
    region.pending = new PendingChanges(recovered.marks)
    region.pending.acknowledge(region.durable)
    region.store.replace([Y.encodeStateAsUpdate(recovered.doc)], recovered.marks, {
      durable: [...region.durable],
      lastSyncedAt: region.lastSyncedAt,
    })
    region.metaWrittenAt = Date.now()
    region.metaDirty = false
    this.attach(region, recovered.doc)
    region.connection = 'disconnected'
    this.emit('reset', [region.slug, recovered.doc])
    old.destroy()
    if (wasWanted && !this.closed) region.sync.start()
    this.queueEmit()
  }

  private queueEmit(): void {
    if (this.emitQueued || this.closed) return
    this.emitQueued = true
    queueMicrotask(() => {
      this.emitQueued = false
      if (!this.closed) this.emit('state', [this.state])
    })
  }
}

function overall(statuses: readonly ConnectionStatus[]): ConnectionStatus {
  if (statuses.length === 0) return 'disconnected'
  if (statuses.every((s) => s === 'synced')) return 'synced'
  if (statuses.every((s) => s === 'failed')) return 'failed'
  if (statuses.some((s) => s === 'connected' || s === 'synced')) return 'connected'
  if (statuses.some((s) => s === 'connecting')) return 'connecting'
  return 'disconnected'
}
