/**
 * The device's mirror (crdt/mirror.ts): every document the engine has open, followed live, and
 * every other document of the session's regions as rows held without its doc — months fetched
 * from the relay as renderings, months the engine closed. It is saved in the local store
 * (LocalStore.writeMirror) with the snapshots its rows reflect, so a cold start answers queries
 * from the saved file at once and, as each doc opens, reads only what changed since.
 *
 *   const offline = await openOfflineMirror({ store, session })   // queries answer now
 *   offline.follow(engine)                                        // docs attach as they open
 *   offline.on('progress', ({ done, total }) => …)                // history fetched after a sync
 *   offline.mirror.query('SELECT …')
 *   await engine.close(); await offline.close()                    // saved
 *
 * After each sync (and every few minutes while synced) the relay's list of documents and their
 * versions is read, and the rendering of every document not open whose held version differs is
 * fetched, a few at a time (client/fetchRendering.ts). A failure is told as a bilingual `problem`
 * and stops nothing else; a rendering that does not decode leaves the held rows as they were.
 */
import * as Y from 'yjs'
import { ObservableV2 } from 'lib0/observable'
import { openMirror, type Mirror } from '../crdt/mirror.ts'
import { bilingualOf, type Bilingual } from '../schema/bilingual.ts'
import { documentName, isPeriodTable, parseDocumentName } from '../schema/periods.ts'
import type { TableName } from '../schema/tables.ts'
import type { EngineState, SyncEngine } from './engine.ts'
import { fetchRendering, RenderingFetchError } from './fetchRendering.ts'
import { holdCachedDocuments } from './cachedDocuments.ts'
import type { LocalStore } from './localStore.ts'
import type { Session } from './signIn.ts'
import { storedDocuments } from './storedDocuments.ts'

export interface OfflineMirrorOptions {
  readonly store: LocalStore
  readonly session: Session
  /** Where sql.js finds its wasm (browsers). */
  readonly locateFile?: (file: string) => string
  /** Saved this long after the last change (default 3 s; longer when saving takes long), and on close. */
  readonly saveDelayMs?: number
  /** While synced, the relay's versions are read again this often (default 5 minutes). */
  readonly refreshEveryMs?: number
  /** Renderings fetched at once (default 3). */
  readonly parallel?: number
  /** A request to the relay unanswered this long fails (default 30 s): a stalled network holds no pass forever. */
  readonly requestTimeoutMs?: number
}

export interface HistoryProgress {
  readonly done: number
  readonly total: number
  readonly document: string
}

export interface HistoryProblem {
  readonly document: string | null
  readonly message: Bilingual
}

/** What one pass over the relay's documents did. */
export interface HistoryResult {
  readonly fetched: readonly string[]
  /** Asked with the held version and answered 304. */
  readonly unchanged: readonly string[]
  readonly failed: readonly HistoryProblem[]
}

export interface OfflineMirrorEvents {
  progress: (progress: HistoryProgress) => void
  problem: (problem: HistoryProblem) => void
}

export async function openOfflineMirror(options: OfflineMirrorOptions): Promise<OfflineMirror> {
  // An unreadable saved file is only a cold cache, as a garbage one is (openMirror sets it aside).
  const file = await options.store.readMirror().catch(() => undefined)
  const mirror = await openMirror({ ...(file !== undefined ? { file } : {}), ...(options.locateFile ? { locateFile: options.locateFile } : {}) })
  return new OfflineMirror(mirror, options)
}

type Fetched = 'fetched' | 'unchanged' | 'open'

export class OfflineMirror extends ObservableV2<OfflineMirrorEvents> {
  readonly mirror: Mirror
  private engine: SyncEngine | undefined
  private readonly followed = new Map<string, Y.Doc>()
  /** Held documents' versions (null: the rows of this device's own doc). */
  private readonly held = new Map<string, string | null>()
  /** What the saved file holds, document → version and snapshot: a save that would write the same is skipped. */
  private saved: Map<string, string>
  private saveTimer: ReturnType<typeof setTimeout> | undefined
  private lastSaveMs = 0
  private saving: Promise<void> = Promise.resolve()
  private refreshing: Promise<HistoryResult> | undefined
  private refreshTimer: ReturnType<typeof setInterval> | undefined
  private readonly inFlight = new Map<string, Promise<Fetched>>()
  private slots: number
  private readonly queue: Array<() => void> = []
  private unfollow: () => void = () => undefined
  /** Ends the requests still running when the mirror closes. */
  private readonly aborter = new AbortController()
  private closing = false
  private closed = false
  /** Set by lastSave: nothing later reaches the saved file. */
  private sealed = false

  constructor(
    mirror: Mirror,
    private readonly options: OfflineMirrorOptions,
  ) {
    super()
    this.mirror = mirror
    this.slots = options.parallel ?? 3
    for (const held of mirror.heldDocuments()) this.held.set(held.document, held.version)
    this.saved = this.fingerprint()
    mirror.onChange(() => this.scheduleSave())
  }

  /** Follows `engine`'s documents: open ones attach now, later ones as they open; closed ones stay as rows. */
  follow(engine: SyncEngine): void {
    this.unfollow()
    this.engine = engine
    const attach = (name: string, doc: Y.Doc): void => {
      this.mirror.attach(name, doc)
      this.followed.set(name, doc)
      this.held.delete(name)
    }
    const release = (name: string): void => {
      if (!this.followed.delete(name)) return
      this.mirror.release(name)
      this.held.set(name, null)
    }
    let wasSynced = false
    const onState = (state: EngineState): void => {
      const synced = state.connection === 'synced'
      if (synced && !wasSynced) void this.refresh()
      wasSynced = synced
    }
    for (const name of engine.documents()) attach(name, engine.doc(name))
    engine.on('opened', attach)
    engine.on('reset', attach)
    engine.on('closed', release)
    engine.on('state', onState)
    this.refreshTimer = setInterval(() => {
      if (engine.state.connection === 'synced') void this.refresh()
    }, this.options.refreshEveryMs ?? 5 * 60_000)
    ;(this.refreshTimer as { unref?: () => void }).unref?.()
    this.unfollow = () => {
      engine.off('opened', attach)
      engine.off('reset', attach)
      engine.off('closed', release)
      engine.off('state', onState)
      clearInterval(this.refreshTimer)
      this.engine = undefined
    }
  }

  /** Whether the mirror has document `name`'s rows: followed, or held from a rendering or a closed doc. */
  holds(name: string): boolean {
    return this.followed.has(name) || this.held.has(name)
  }

  /** The relay's version of a held document's rows; null for this device's own, undefined when not held. */
  heldVersion(name: string): string | null | undefined {
    return this.held.get(name)
  }

  /**
   * Reads which documents the relay has and fetches the renderings of those of the engine's regions
   * it does not have open and whose held version differs. Runs once at a time: a call meanwhile
   * gets the running pass.
   */
  refresh(): Promise<HistoryResult> {
    this.refreshing ??= this.refreshOnce().finally(() => (this.refreshing = undefined))
    return this.refreshing
  }

  private async refreshOnce(): Promise<HistoryResult> {
    const engine = this.engine
    if (engine === undefined || this.closing) return { fetched: [], unchanged: [], failed: [] }
    let versions: ReadonlyMap<string, string>
    try {
      versions = (await storedDocuments(this.options.session, this.requestSignal())).versions
    } catch (error) {
      const problem = { document: null, message: messageOf(error) }
      this.emit('problem', [problem])
      return { fetched: [], unchanged: [], failed: [problem] }
    }
    const regions = new Set(engine.regions)
    const open = new Set(engine.documents())
    const wanted = [...versions]
      .filter(([name, version]) => regions.has(parseDocumentName(name)?.region ?? '') && !open.has(name) && this.held.get(name) !== version)
      .map(([name]) => name)
    return this.fetchEach(wanted)
  }

  /**
   * Fetches documents' renderings unless they are open or held already: what a screen showing a
   * month asks for. Problems are told as events too.
   */
  fetchMissing(names: readonly string[]): Promise<HistoryResult> {
    return this.fetchAll(names.filter((name) => !this.holds(name)))
  }

  /**
   * Fetches documents' renderings now, those held with their version (a 304 when current): what a
   * report of a month not open asks for. Documents the engine has open are left to their doc.
   */
  fetchAll(names: readonly string[]): Promise<HistoryResult> {
    return this.fetchEach(names.filter((name) => !this.followed.has(name)))
  }

  private async fetchEach(names: readonly string[]): Promise<HistoryResult> {
    const fetched: string[] = []
    const unchanged: string[] = []
    const failed: HistoryProblem[] = []
    let done = 0
    await Promise.all(
      names.map(async (name) => {
        try {
          const result = await this.fetchDocument(name)
          if (result === 'fetched') fetched.push(name)
          else if (result === 'unchanged') unchanged.push(name)
        } catch (error) {
          const problem = { document: name, message: messageOf(error) }
          failed.push(problem)
          this.emit('problem', [problem])
        }
        this.emit('progress', [{ done: ++done, total: names.length, document: name }])
      }),
    )
    return { fetched: fetched.sort(), unchanged: unchanged.sort(), failed }
  }

  /**
   * Fetches document `name`'s rendering (the held version goes along: 304 when it is current) and
   * shows it in place of its held rows; 'open' when the engine follows the doc meanwhile. Throws
   * RenderingFetchError, leaving the held rows as they were.
   */
  private fetchDocument(name: string): Promise<Fetched> {
    let running = this.inFlight.get(name)
    if (running === undefined) {
      running = this.inSlot(async () => {
        // A pass still queued when the mirror closes ends here, rather than holding the close up.
        if (this.closing) throw new RenderingFetchError(name, { tr: 'kapatıldı', en: 'closed' })
        if (this.followed.has(name)) return 'open'
        const result = await fetchRendering(this.options.session, name, this.held.get(name) ?? null, this.requestSignal())
        if (result.status === 'unchanged') return 'unchanged'
        if (!this.mirror.show(result.rendering, result.version)) return 'open'
        this.held.set(name, result.version)
        return 'fetched'
      }).finally(() => this.inFlight.delete(name))
      this.inFlight.set(name, running)
    }
    return running
  }

  /**
   * Before editing record `id` of a month this device may not have open: opens the month its held
   * row says it lives in, and when the device had only the relay's rendering of it, waits (up to
   * `waitMs`) for that month's first sync so the record is there to edit.
   */
  async openForEdit(table: TableName, id: string, region: string, waitMs = 15_000): Promise<void> {
    const engine = this.engine
    if (engine === undefined || !isPeriodTable(table) || engine.record(table, id, region) !== undefined) return
    const period = parseDocumentName(this.mirror.documentOf(table, region, id) ?? '')?.period
    if (period === null || period === undefined) return
    await engine.openPeriod(region, period)
    if (engine.record(table, id, region) === undefined) await monthSynced(engine, region, documentName(region, period), waitMs)
  }

  /** Shows the documents of `regions` kept on this device that the mirror lacks (a lost saved file). */
  async holdCached(regions: readonly string[]): Promise<string[]> {
    const skip = (name: string): boolean => this.holds(name) || this.engine?.documents().includes(name) === true
    const shown = await holdCachedDocuments(this.options.store, regions, skip, this.mirror)
    for (const name of shown) this.held.set(name, null)
    return shown
  }

  /** Writes the mirror to the local store now, unless it holds what was saved last. */
  save(): Promise<void> {
    if (this.saveTimer !== undefined) clearTimeout(this.saveTimer)
    this.saveTimer = undefined
    this.saving = this.saving.then(async () => {
      if (this.sealed) return
      const state = this.fingerprint()
      if (sameEntries(state, this.saved)) return
      const started = Date.now()
      await this.options.store.writeMirror(this.mirror.saveFile())
      this.lastSaveMs = Date.now() - started
      this.saved = state
    })
    return this.saving
  }

  /**
   * Saves now and never again: what runs on the mirror afterwards (a query a user typed) cannot
   * reach the saved file, whatever it does.
   */
  async lastSave(): Promise<void> {
    await this.save()
    this.sealed = true
  }

  /** Saves the mirror and closes it; the engine is left open (close it first to keep its last rows). */
  async close(): Promise<void> {
    if (this.closing) return
    this.closing = true
    this.aborter.abort()
    this.unfollow()
    this.unfollow = () => undefined
    try {
      await this.inFlightSettled()
      await this.save()
    } finally {
      this.closed = true
      this.mirror.close()
      super.destroy()
    }
  }

  private requestSignal(): AbortSignal {
    return AbortSignal.any([this.aborter.signal, AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000)])
  }

  private async inFlightSettled(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()])
  }

  private scheduleSave(): void {
    if (this.closed || this.sealed) return
    if (this.saveTimer !== undefined) clearTimeout(this.saveTimer)
    // A large mirror takes a while to write: it is then written less often, never in a busy loop.
    const delay = Math.max(this.options.saveDelayMs ?? 3000, 10 * this.lastSaveMs)
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined
      this.save().catch((error: unknown) => this.emit('problem', [{ document: null, message: messageOf(error) }]))
    }, delay)
    ;(this.saveTimer as { unref?: () => void }).unref?.()
  }

  /** Each document's version and snapshot as the rows reflect them now. */
  private fingerprint(): Map<string, string> {
    const state = new Map<string, string>()
    for (const held of this.mirror.heldDocuments()) state.set(held.document, `${held.version}:${Y.encodeSnapshot(held.snapshot).join(',')}`)
    for (const [name, doc] of this.followed) state.set(name, `null:${Y.encodeSnapshot(Y.snapshot(doc)).join(',')}`)
    return state
  }

  /** Runs `work` when one of the `parallel` slots is free. */
  private async inSlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.slots === 0) await new Promise<void>((resolve) => this.queue.push(resolve))
    else this.slots--
    try {
      return await work()
    } finally {
      const next = this.queue.shift()
      if (next !== undefined) next()
      else this.slots++
    }
  }
}

function messageOf(error: unknown): Bilingual {
  if (error instanceof Error) return bilingualOf(error) ?? { tr: error.message, en: error.message }
  return { tr: String(error), en: String(error) }
}

function sameEntries(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false
  for (const [key, value] of a) if (b.get(key) !== value) return false
  return true
}

/**
 * Resolves once month `name` has synced, failed, or `waitMs` passed. A region whose master
 * document is not synced is offline (or not syncing): there is nothing to wait for.
 */
function monthSynced(engine: SyncEngine, region: string, name: string, waitMs: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (state: EngineState): void => {
      const connection = state.documents[name]?.connection
      if (state.documents[region]?.connection !== 'synced' || connection === 'synced' || connection === 'failed' || connection === undefined) finish()
    }
    const finish = (): void => {
      clearTimeout(timer)
      engine.off('state', check)
      resolve()
    }
    const timer = setTimeout(finish, waitMs)
    engine.on('state', check)
    check(engine.state)
  })
}
