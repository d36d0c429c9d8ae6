/**
 * The loaded documents, by name (relay/liveDoc.ts), and the group commit: every document's
 * accepted updates of one event-loop turn are stored together (onStoreUpdates), then fanned out.
 * The extensions' hooks are composed here, behind the store's own (relay/storage.ts); whether a
 * commit is on disk yet is relay/commitLog.ts's business.
 */
import { CLOSE, type CloseCode } from '../crdt/protocol.ts'
import type { Region } from '../schema/regions.ts'
import { CommitLog } from './commitLog.ts'
import type { Compactor } from './compactor.ts'
import { documentRegion } from './documentName.ts'
import { composeHooks, type Extension, type Hooks, type StoredUpdate } from './extension.ts'
import { LiveDoc, type DocHost, type PendingUpdate } from './liveDoc.ts'
import { storageExtension } from './storage.ts'
import type { Store } from './store.ts'

export interface DocsOptions {
  readonly regions: readonly Region[]
  /** A document with no connections is unloaded after this long. */
  readonly idleUnloadMs: number
  readonly compactAfterUpdates: number
  readonly compactor: Compactor
  /** The relay's extensions; they run after the store's own. */
  readonly extensions?: readonly Extension[]
}

export class Docs implements DocHost {
  private readonly loaded = new Map<string, LiveDoc>()
  private commitQueued = false
  /** Which commits are fsynced and who waits for which (relay/commitLog.ts). */
  readonly log = new CommitLog(() => {
    for (const doc of this.all()) doc.unload(CLOSE.unavailable)
  })
  readonly hooks: Hooks
  readonly idleUnloadMs: number

  constructor(
    store: Store,
    private readonly options: DocsOptions,
  ) {
    this.idleUnloadMs = options.idleUnloadMs
    this.hooks = composeHooks([storageExtension(store, options), ...(options.extensions ?? [])])
    this.hooks.onConfigure({ hooks: this.hooks })
  }

  /** The region a document belongs to; undefined for a name this relay does not serve. */
  region(documentName: string): Region | undefined {
    return documentRegion(documentName, this.options.regions)
  }

  /** The document, loading it if needed. Throws StoreError for a damaged store. */
  open(documentName: string): LiveDoc {
    const existing = this.loaded.get(documentName)
    if (existing) return existing
    const region = this.region(documentName)
    if (!region) throw new Error(`unknown document ${documentName}`)
    const doc = new LiveDoc(documentName, region, this)
    this.loaded.set(documentName, doc)
    doc.scheduleIdle()
    return doc
  }

  get(documentName: string): LiveDoc | undefined {
    return this.loaded.get(documentName)
  }

  all(): LiveDoc[] {
    return [...this.loaded.values()]
  }

  /** Loads every configured region's document once, so a damaged store stops start-up instead of a client. */
  verifyAll(): void {
    for (const region of this.options.regions) this.open(region.slug)
  }

  requestCommit(): void {
    if (this.commitQueued) return
    this.commitQueued = true
    // setImmediate gathers every message of this I/O turn, across all documents, into one commit.
    setImmediate(() => this.commitAll())
  }

  unloaded(doc: LiveDoc): void {
    if (this.loaded.get(doc.name) === doc) this.loaded.delete(doc.name)
  }

  /** Stores every document's pending updates in one transaction, then lets each fan out (also at once, on shutdown). */
  commitAll(): void {
    this.commitQueued = false
    const work: Array<{ doc: LiveDoc; updates: PendingUpdate[]; callbacks: Array<() => void> }> = []
    for (const doc of this.loaded.values()) {
      const taken = doc.takePending()
      if (taken) work.push({ doc, ...taken })
    }
    const updates: StoredUpdate[] = work.flatMap(({ doc, updates }) =>
      updates.map((p) => ({
        documentName: doc.name,
        region: doc.region,
        update: p.update,
        account: p.account,
        device: p.device,
        at: p.at,
        ranges: p.ranges,
        records: p.records,
      })),
    )
    if (updates.length > 0) {
      const started = performance.now()
      try {
        this.hooks.onStoreUpdates({ updates })
      } catch (error) {
        for (const { doc } of work) doc.storeFailed(error)
        return
      }
      this.log.committed()
      this.hooks.afterCommit({ updates, ms: performance.now() - started })
    }
    for (const { doc, updates, callbacks } of work) doc.stored(updates, callbacks)
  }

  /** Commits what is pending, unloads every document (closing its connections with `code`), then ends the extensions. */
  async close(code: CloseCode): Promise<void> {
    this.commitAll()
    for (const doc of this.all()) doc.unload(code)
    await this.hooks.onDestroy({ code })
  }
}
