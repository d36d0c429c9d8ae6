/**
 * The sync engine: a region's documents kept on the device (a LocalStore given by the caller),
 * edited offline, and synced through the relay when it can be reached. The core of the app and of
 * the CLI; it imports nothing Node-only, so it bundles for browsers and Electron.
 *
 *   const { session } = await signIn({ relay, username, password, store })
 *   const engine = await openEngine({ session, store })
 *   engine.on('state', (s) => render(s.connection, s.pendingChanges, s.lastSyncedAt))
 *   const id = engine.insert('employees', { full_name: 'Ayşe Yılmaz' })
 *
 * A region is a master document and month documents (schema/periods.ts). Opening a region opens
 * its master data, this month and the one before, and every month that may hold edits not yet on
 * the relay; any other month opens on demand (`openPeriod`), stays cached on the device, and
 * closes again once idle with nothing pending (client/idleMonths.ts). Writes go to the document
 * a record belongs to (crdt/periodDocs.ts).
 *
 * Docs are only ever built from Yjs updates (the local store, then the relay); nothing is
 * re-seeded from the mirror or any other non-Yjs copy, which would duplicate records.
 */
import type * as Y from 'yjs'
import { ObservableV2 } from 'lib0/observable'
import type { Awareness } from 'y-protocols/awareness'
import type { Author } from '../crdt/regionDoc.ts'
import type { RecordFields } from '../crdt/records.ts'
import {
  deleteIn,
  forwardMovedEdits,
  insertInto,
  locateRecord,
  periodOf,
  resolveIn,
  restoreIn,
  updateIn,
  type RegionDocuments,
} from '../crdt/periodDocs.ts'
import { documentName, isPeriodTable, periodLabel, workingPeriods, parseDocumentName, type Period } from '../schema/periods.ts'
import type { CellValue, RecordInput, TableName } from '../schema/tables.ts'
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts'
import type { LocalStore } from './localStore.ts'
import { DocumentReplica } from './documentReplica.ts'
import type { SyncProblem } from './regionSync.ts'
import type { Session } from './signIn.ts'
import { TokenRenewal } from './tokenRenewal.ts'
import { engineState, type EngineState } from './engineState.ts'
import { BilingualError } from '../schema/bilingual.ts'
import { readRoundOne, replayEdits, replayNotice, retiredNotice, type RoundOneEdit } from './migrateCopy.ts'
import { IdleMonths, type IdleMonthOptions } from './idleMonths.ts'
import { whenSynced } from './whenSynced.ts'
import { writeTogether, type RecordChange } from './batchEdit.ts'
import { editedRecords, shownIn, UndoHistory, type UndoOptions, type UndoOutcome, type UndoTarget } from './undo.ts'

export type { ConnectionStatus, SyncProblem } from './regionSync.ts'
export type { RecordChange } from './batchEdit.ts'
export type { UndoOutcome } from './undo.ts'
export type { DocumentState, EngineState, RegionState } from './engineState.ts'
export { SyncTimeoutError } from './whenSynced.ts'

export interface EngineError {
  readonly code: SyncProblem
  readonly region: string
  readonly document: string
  readonly message: string
}

export interface EngineEvents {
  /** After any change of connection, pendingChanges or lastSyncedAt (coalesced per microtask). */
  state: (state: EngineState) => void
  /** A refused write, or a refusal that stopped a document's sync (see DocumentState.problem). */
  error: (error: EngineError) => void
  /** A document opened: whatever follows documents (the mirror) attaches it. */
  opened: (name: string, doc: Y.Doc) => void
  /**
   * A document's doc was replaced by a rebuilt one after the relay refused a change (see
   * client/recovery.ts): whatever follows `doc(name)` or `awareness(region)` attaches again.
   */
  reset: (name: string, doc: Y.Doc) => void
  /**
   * A document closed (an idle month, closePeriod, or the engine closing), nothing of it pending:
   * `doc` is as it was last, and whatever followed it lets it go (the mirror keeps its rows).
   */
  closed: (name: string, doc: Y.Doc) => void
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
  /** Clock for edit stamps, lastSyncedAt and which months are "this" and "last" (tests). */
  readonly now?: () => Date
  /** Told about a round-1 copy migrated on this start (bilingual text). */
  readonly onNotice?: (message: { tr: string; en: string }) => void
  /** When months opened on demand close again (client/idleMonths.ts). */
  readonly idleMonths?: IdleMonthOptions
  /** How this session's edits are grouped into undo steps (client/undo.ts). */
  readonly undo?: UndoOptions
}

/** A write to a region this user may not write, or to a region not open; bilingual. */
export class AccessError extends BilingualError {
  constructor(tr: string, en: string) {
    super({ tr, en })
    this.name = 'AccessError'
  }
}

/** A write into a month the head office has closed; bilingual. Nothing is written. */
export class MonthClosedError extends AccessError {
  constructor(readonly period: Period) {
    const label = periodLabel(period)
    super(
      `${label.tr} merkez tarafından kapatıldı; değişiklik yapılamaz (yeniden açılırsa yapılabilir)`,
      `${label.en} was closed by the head office; it cannot be changed (unless it is reopened)`,
    )
    this.name = 'MonthClosedError'
  }
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
  /** Open documents by name, in the order they opened (a region's master first). */
  private readonly open = new Map<string, DocumentReplica>()
  /** Each open document's reading of the local store (DocumentReplica.load). */
  private readonly loading = new Map<string, Promise<void>>()
  private readonly session: Session
  private readonly now: () => Date
  private emitQueued = false
  private closed = false
  private syncing = false
  private readonly renewal: TokenRenewal
  /** Documents the local store lists as possibly holding unsynced edits. */
  private unsynced = new Set<string>()
  private unsyncedRead = false
  private readonly forwardQueued = new Set<string>()
  /** Edits of a round-1 copy still to be written once their region has synced (client/migrateCopy.ts). */
  private readonly roundOne = new Map<string, RoundOneEdit[]>()
  private replayQueued = false
  /** Months waiting for their master document's first sync before they connect (startReplica). */
  private readonly waitingMonths = new Set<string>()
  /** Open documents whose local copy is read (loadReplica done). */
  private readonly loaded = new Set<string>()
  /** Documents closing: opened again, they wait for their store to be let go first. */
  private readonly closing = new Map<string, Promise<void>>()
  private readonly idle: IdleMonths
  private readonly idleTimer: ReturnType<typeof setInterval>
  /** This session's own edits, to undo and redo (client/undo.ts). */
  private readonly edits: UndoHistory
  private readonly undoTarget: UndoTarget = {
    shownNow: (region, table, id) => shownIn(this.regionDocuments(region), table, id),
    write: (region, changes) => void this.writeChanges(changes, region),
  }
  private readonly onOnline = (): void => this.reconnectNow()

  constructor(private readonly options: EngineOptions) {
    super()
    this.session = options.session
    this.renewal = new TokenRenewal(options.session)
    this.now = options.now ?? (() => new Date())
    this.idle = new IdleMonths(options.idleMonths)
    this.edits = new UndoHistory(options.undo)
    this.idleTimer = setInterval(() => this.closeIdleMonths(), this.idle.checkEveryMs)
    ;(this.idleTimer as { unref?: () => void }).unref?.()
    // Browsers and Electron say when the network is back: retry at once instead of after backoff.
    ;(globalThis as { addEventListener?: (type: string, fn: () => void) => void }).addEventListener?.('online', this.onOnline)
  }

  get user(): Session['user'] {
    return this.session.user
  }

  /** The open regions, in the order they opened. */
  get regions(): string[] {
    return [...new Set([...this.open.values()].map((r) => r.region))]
  }

  /** The open documents' names (of one region when given). */
  documents(region?: string): string[] {
    return [...this.open.values()].filter((r) => region === undefined || r.region === region).map((r) => r.name)
  }

  /**
   * Opens a region: its master data, this month and last month, and any month of it this device
   * may hold unsynced edits in. A round-1 copy of the region on this device is migrated first.
   */
  async openRegion(slug: string): Promise<void> {
    this.access(slug)
    if (!this.unsyncedRead) {
      this.unsynced = new Set(await this.options.store.readUnsyncedDocuments())
      this.unsyncedRead = true
    }
    const roundOne = await readRoundOne(this.options.store, slug)
    const months = new Set(workingPeriods(this.now()))
    if (roundOne !== undefined && roundOne.length > 0 && this.access(slug).writable) {
      this.roundOne.set(slug, roundOne)
      for (const edit of roundOne) for (const period of [edit.period, edit.relayPeriod]) if (period !== null) months.add(period)
    } else if (roundOne !== undefined) {
      await this.options.store.retireRoundOneCopy(slug)
      this.options.onNotice?.(retiredNotice(slug))
    }
    await this.openDocument(slug, null)
    for (const name of this.unsynced) {
      const parsed = parseDocumentName(name)
      if (parsed?.region === slug && parsed.period !== null) months.add(parsed.period)
    }
    for (const period of [...months].sort()) await this.openDocument(slug, period)
  }

  /** Opens month `period` of `region` (from the device, then synced): its screen, a report, an old record. */
  async openPeriod(region: string, period: Period): Promise<void> {
    if (!this.open.has(region)) throw new AccessError(`Bölge açık değil: ${region}`, `Region not open: ${region}`)
    await this.openDocument(region, period)
  }

  /**
   * Closes month `period` of `region` when nothing of it is pending and it is not one the engine
   * keeps open (this month, last month): its local copy stays, and the `closed` event lets the
   * mirror keep its rows. False when it stays open (or was not open).
   */
  async closePeriod(region: string, period: Period): Promise<boolean> {
    const replica = this.open.get(documentName(region, period))
    if (replica === undefined || !this.closable(replica)) return false
    await this.closeDocument(replica)
    return true
  }

  private access(slug: string): { slug: string; writable: boolean } {
    const access = this.session.regions.find((r) => r.slug === slug)
    if (access === undefined) throw new AccessError(`Bu kullanıcı ${slug} bölgesini göremez`, `This user cannot read region ${slug}`)
    return access
  }

  private async openDocument(region: string, period: Period | null): Promise<DocumentReplica> {
    const replica = this.openNow(region, period)
    await this.loading.get(replica.name)
    return replica
  }

  /**
   * The replica of a document, created at once if it is not open: usable now, with the device's
   * copy merging in when read (DocumentReplica.load). A write into a month not open yet opens it.
   */
  private openNow(region: string, period: Period | null): DocumentReplica {
    const name = documentName(region, period)
    this.idle.touch(name)
    const existing = this.open.get(name)
    if (existing !== undefined) return existing
    if (this.closed) throw new AccessError('Motor kapatıldı', 'The engine was closed')
    const access = this.access(region)
    const replica: DocumentReplica = new DocumentReplica({
      name,
      region,
      period,
      writable: access.writable,
      serverUrl: this.session.relay.sync,
      auth: this.session,
      user: this.session.user.username,
      backoff: this.options.backoff ?? DEFAULT_BACKOFF,
      livenessMs: this.options.livenessMs ?? 30_000,
      WebSocketPolyfill: this.options.WebSocketPolyfill,
      now: this.now,
      events: {
        changed: () => {
          // An edit keeps its month open until it is on the relay and then for the idle time.
          if ((this.open.get(name)?.pendingChanges ?? 0) > 0) this.idle.touch(name)
          this.queueEmit()
          if (this.roundOne.has(region)) this.queueReplay()
        },
        synced: () => {
          // A document that renewed on its own (the relay refused an expired token) brings a new expiry.
          if (!this.renewal.scheduled) this.renewal.schedule()
          if (period === null) this.startMonths(region)
        },
        error: (code, message) => this.emit('error', [{ code, region, document: name, message }]),
        reset: (doc) => this.emit('reset', [name, doc]),
        lateEditsRejected: (_count, message) => this.emit('error', [{ code: 'late_edit_rejected', region, document: name, message }]),
        remote: () => {
          if (period !== null) this.queueForward(region)
        },
      },
    })
    this.open.set(name, replica)
    this.loading.set(name, this.loadReplica(replica, access.writable))
    if (this.syncing) this.startReplica(replica)
    this.emit('opened', [name, replica.doc])
    if (period !== null) this.queueForward(region)
    this.queueEmit()
    return replica
  }

  /**
   * Months connect once their region's master document has synced: a month's timesheets name
   * employees the master's own connection may still be carrying, and the relay checks them there.
   */
  private startReplica(replica: DocumentReplica): void {
    if (replica.period === null || this.open.get(replica.region)?.connection === 'synced') replica.start()
    else this.waitingMonths.add(replica.name)
  }

  private startMonths(region: string): void {
    for (const name of [...this.waitingMonths]) {
      const replica = this.open.get(name)
      if (replica?.region !== region) continue
      this.waitingMonths.delete(name)
      if (this.syncing) replica.start()
    }
  }

  private async loadReplica(replica: DocumentReplica, writable: boolean): Promise<void> {
    const { name } = replica
    // Listed before the store takes the first edit: a crash after an edit still reopens this month.
    if (writable && replica.period !== null && !this.unsynced.has(name)) {
      this.unsynced.add(name)
      await this.options.store.writeUnsyncedDocuments([...this.unsynced])
    }
    // A month closed a moment ago may still be letting its store go (a FileStore opens one at a time).
    await this.closing.get(name)
    const store = await this.options.store.openDocument(name)
    const stored = await store.load()
    // Loaded even while the engine closes: edits made before the store opened are written now.
    replica.load(store, stored, !this.closed)
    if (this.open.get(name) === replica) this.loaded.add(name)
    if (replica.period !== null) this.queueForward(replica.region)
  }

  /** Whether `replica` may close: a month, not this one or the last, loaded, with nothing pending. */
  private closable(replica: DocumentReplica): boolean {
    if (replica.period === null || workingPeriods(this.now()).includes(replica.period)) return false
    return replica.pendingChanges === 0 && this.loaded.has(replica.name) && !this.roundOne.has(replica.region)
  }

  private closeIdleMonths(): void {
    if (this.closed) return
    const closable = [...this.open.values()].filter((r) => this.closable(r)).map((r) => r.name)
    for (const name of this.idle.idle(closable)) {
      const replica = this.open.get(name)
      // Nothing of it is pending, so a store failing as it closes loses nothing the relay lacks;
      // the month reads its copy again when it opens next.
      if (replica !== undefined) this.closeDocument(replica).catch(() => undefined)
    }
  }

  /** Closes one open document: the `closed` event, then its connection and store. */
  private async closeDocument(replica: DocumentReplica): Promise<void> {
    const { name } = replica
    const loading = this.loading.get(name)
    this.open.delete(name)
    this.loading.delete(name)
    this.loaded.delete(name)
    this.waitingMonths.delete(name)
    this.idle.forget(name)
    const closing = (async () => {
      try {
        // Before the doc is destroyed; a listener that throws does not leave the month half-closed.
        this.emit('closed', [name, replica.doc])
      } finally {
        await loading
        await replica.close()
      }
    })()
    this.closing.set(name, closing)
    try {
      await closing
      // Nothing pending: the month need not be reopened at the next start.
      if (this.unsynced.delete(name)) await this.options.store.writeUnsyncedDocuments([...this.unsynced])
    } finally {
      if (this.closing.get(name) === closing) this.closing.delete(name)
      this.queueEmit()
    }
  }

  /** The doc of document `name`; a region's name is its master document. */
  doc(name: string): Y.Doc {
    return this.replica(name).doc
  }

  /** Who of the region is online: the awareness of its master document. */
  awareness(region: string): Awareness {
    return this.replica(region).awareness
  }

  /**
   * A writable region's documents for a bulk writer that stamps its own records (the legacy
   * import, crdt/legacy): checked writable like every edit; months open as it asks.
   */
  documentsForImport(region: string): { documents: RegionDocuments; openMonth: (period: Period) => Promise<void> } {
    const slug = this.writableRegion(region)
    return { documents: this.regionDocuments(slug, true), openMonth: (period) => this.openPeriod(slug, period) }
  }

  /** Record `id` of `table` as this device holds it (deleted ones too), wherever it lives among the open documents. */
  record(table: TableName, id: string, region: string): RecordFields | undefined {
    if (!this.open.has(region)) return undefined
    return locateRecord(this.regionDocuments(region), table, id)?.record
  }

  /** Whether Yjs client id `client` wrote from this device (a conflict's "this PC"). */
  isThisDevice(client: number): boolean {
    return [...this.open.values()].some((r) => r.ownsClient(client))
  }

  get state(): EngineState {
    return engineState([...this.open.values()], (region) => this.roundOne.get(region)?.length ?? 0)
  }

  /** Edits not yet on the relay: in open documents, and of a round-1 copy not yet written again. */
  get pendingChanges(): number {
    let n = 0
    for (const r of this.open.values()) n += r.pendingChanges
    for (const edits of this.roundOne.values()) n += edits.length
    return n
  }

  connect(): void {
    this.syncing = true
    for (const r of this.open.values()) this.startReplica(r)
    this.renewal.start()
  }

  disconnect(): void {
    this.syncing = false
    this.renewal.stop()
    this.waitingMonths.clear()
    for (const r of this.open.values()) r.stop()
  }

  /** Retries every waiting document now (the network came back, or the user pressed "sync"). */
  reconnectNow(): void {
    for (const r of this.open.values()) r.retryNow()
  }

  // --- edits: stamped with the signed-in user, refused for regions this user may not write ---

  insert<T extends TableName>(table: T, input: RecordInput<T>, region?: string): string {
    const docs = this.regionDocuments(this.writableRegion(region))
    this.refuseClosed(docs, table, undefined, input)
    const { id } = insertInto(docs, table, input, this.author())
    this.kept(docs, [[table, id, undefined]])
    return id
  }

  update<T extends TableName>(table: T, id: string, patch: Partial<RecordInput<T>>, region?: string): void {
    this.editRecord(region, table, id, patch, (docs, author) => updateIn(docs, table, id, patch, author))
  }

  delete(table: TableName, id: string, region?: string): void {
    this.editRecord(region, table, id, undefined, (docs, author) => deleteIn(docs, table, id, author))
  }

  restore(table: TableName, id: string, region?: string): void {
    this.editRecord(region, table, id, undefined, (docs, author) => restoreIn(docs, table, id, author))
  }

  /**
   * Writes several records' changes as this user's edits, all or nothing, in one transaction per
   * document (client/batchEdit.ts): a restore, an undo. Returns how many records changed.
   */
  writeChanges(changes: readonly RecordChange[], region?: string): number {
    const docs = this.regionDocuments(this.writableRegion(region))
    for (const change of changes) this.refuseClosed(docs, change.table, change.id, change.changes)
    const before = changes.map((c) => [c.table, c.id, locateRecord(docs, c.table, c.id)?.record] as const)
    const written = writeTogether(docs, changes, this.author())
    this.kept(docs, before)
    return written
  }

  /**
   * Takes back this session's last edit (client/undo.ts): fields somebody changed since keep
   * their value. Undefined when there is nothing to undo; throws like an edit when refused.
   */
  undo(): UndoOutcome | undefined {
    return this.edits.undo(this.undoTarget)
  }

  redo(): UndoOutcome | undefined {
    return this.edits.redo(this.undoTarget)
  }

  get canUndo(): boolean {
    return this.edits.canUndo
  }

  get canRedo(): boolean {
    return this.edits.canRedo
  }

  /** Keeps a user's edit of records (with their state before it) for undo. */
  private kept(docs: RegionDocuments, records: ReadonlyArray<readonly [TableName, string, RecordFields | undefined]>): void {
    this.edits.recorded(docs.region, editedRecords(docs, records))
  }

  resolveConflict(
    conflict: { conflict_id: string; table: TableName; record_id: string; field: string },
    value: CellValue,
    region?: string,
  ): void {
    this.editRecord(region, conflict.table, conflict.record_id, undefined, (docs, author) => resolveIn(docs, conflict, value, author))
  }

  /** An edit of one existing record: checked writable and not closed, then kept for undo. */
  private editRecord(region: string | undefined, table: TableName, id: string, fields: Readonly<Record<string, unknown>> | undefined, edit: (docs: RegionDocuments, author: Author) => void): void {
    const docs = this.regionDocuments(this.writableRegion(region))
    this.refuseClosed(docs, table, id, fields)
    const before = locateRecord(docs, table, id)?.record
    edit(docs, this.author())
    this.kept(docs, [[table, id, before]])
  }

  /**
   * Refuses a write into a month the head office has closed, as far as this device has heard
   * (message 102): the month the record is in, and the one its new date puts it in. An edit made
   * before the device heard reaches the relay as a late edit instead (relay/closing.ts).
   */
  private refuseClosed(docs: RegionDocuments, table: TableName, id: string | undefined, fields?: Readonly<Record<string, unknown>>): void {
    if (!isPeriodTable(table)) return
    const located = id === undefined ? undefined : locateRecord(docs, table, id)
    const periods = new Set<Period>()
    if (located?.period != null) periods.add(located.period)
    if (fields !== undefined) {
      try {
        const target = periodOf(docs, table, { ...(located?.record ?? {}), ...fields } as Record<string, CellValue>)
        if (target !== null) periods.add(target)
      } catch {
        // An input the writer refuses anyway: it says why.
      }
    }
    for (const period of periods) {
      if (this.open.get(documentName(docs.region, period))?.monthClosed === true) throw new MonthClosedError(period)
    }
  }

  /** Resolves once every local change so far would survive a crash of this device. */
  async flush(): Promise<void> {
    await Promise.all([...this.open.values()].map((r) => r.flush()))
  }

  /**
   * Resolves when every open document is synced and nothing is pending (and stored locally).
   * Rejects when a document fails for good, or with SyncTimeoutError after `timeoutMs`.
   */
  whenSynced(timeoutMs = 60_000): Promise<void> {
    return whenSynced(this, timeoutMs)
  }

  /** Stops syncing, writes what is queued and closes the document stores (not the LocalStore). */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.renewal.stop()
    clearInterval(this.idleTimer)
    ;(globalThis as { removeEventListener?: (type: string, fn: () => void) => void }).removeEventListener?.('online', this.onOnline)
    await Promise.allSettled([...this.loading.values(), ...this.closing.values()])
    const errors: unknown[] = []
    for (const r of this.open.values()) this.emit('closed', [r.name, r.doc])
    for (const r of this.open.values()) await r.close().catch((e: unknown) => errors.push(e))
    // Months left with nothing pending need not be reopened at the next start.
    const stillUnsynced = [...this.unsynced].filter((name) => (this.open.get(name)?.pendingChanges ?? 1) > 0)
    if (this.unsyncedRead && stillUnsynced.length !== this.unsynced.size) {
      await this.options.store.writeUnsyncedDocuments(stillUnsynced).catch((e: unknown) => errors.push(e))
    }
    this.open.clear()
    super.destroy()
    if (errors.length > 0) throw errors[0]
  }

  private replica(name: string): DocumentReplica {
    const r = this.open.get(name)
    if (r === undefined) throw new AccessError(`Bölge açık değil: ${name}`, `Region not open: ${name}`)
    return r
  }

  /** The region a write goes to (the user's own by default), checked writable; returns its slug. */
  private writableRegion(slug: string | undefined): string {
    const target = slug ?? this.session.user.region
    if (target === null) {
      throw new AccessError('Yönetici hiçbir bölgeye yazamaz', 'The admin cannot write to any region')
    }
    const master = this.replica(target)
    if (!master.writable) {
      throw new AccessError(`${target} bölgesine yazma izniniz yok`, `You may not write to region ${target}`)
    }
    return target
  }

  /**
   * The region's open documents for crdt/periodDocs.ts. `inUse`: every month read through them
   * counts as used, so none closes under a bulk import that planned with it and writes later.
   */
  private regionDocuments(region: string, inUse = false): RegionDocuments {
    const used = (r: DocumentReplica): Y.Doc => {
      if (inUse) this.idle.touch(r.name)
      return r.doc
    }
    const months = (): Array<readonly [Period, Y.Doc]> =>
      [...this.open.values()].filter((r) => r.region === region && r.period !== null).map((r) => [r.period as Period, used(r)] as const)
    return {
      region,
      master: this.replica(region).doc,
      month: (period) => {
        const replica = this.open.get(documentName(region, period))
        return replica === undefined ? undefined : used(replica)
      },
      months,
      openMonth: (period) => this.openNow(region, period).doc,
    }
  }

  /** After a month opens or hears from the relay: hand on edits made beside a move (crdt/moves.ts). */
  private queueForward(region: string): void {
    if (this.forwardQueued.has(region) || this.closed) return
    if (!this.open.get(region)?.writable) return
    this.forwardQueued.add(region)
    queueMicrotask(() => {
      this.forwardQueued.delete(region)
      if (this.closed || !this.open.has(region)) return
      const docs = this.regionDocuments(region)
      for (const [period] of docs.months()) forwardMovedEdits(docs, period, this.author())
    })
  }

  /**
   * Writes a round-1 copy's unacknowledged edits into the region's documents once all of them have
   * synced (so what the relay migrated is there to compare with), then sets the copy aside.
   */
  private queueReplay(): void {
    if (this.replayQueued || this.closed) return
    this.replayQueued = true
    queueMicrotask(() => {
      this.replayQueued = false
      for (const [region, edits] of this.roundOne) {
        const replicas = [...this.open.values()].filter((r) => r.region === region)
        if (this.closed || !replicas.every((r) => r.connection === 'synced')) continue
        this.roundOne.delete(region)
        const result = replayEdits(this.regionDocuments(region), edits, this.author())
        void this.options.store.retireRoundOneCopy(region).then(() => this.options.onNotice?.(replayNotice(region, result)))
        this.queueEmit()
      }
    })
  }

  private author(): Author {
    return { user: this.session.user.username, now: this.now }
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
