/**
 * The configured regions' docs: loaded on demand (relay/liveDoc.ts), one group commit of every
 * doc's accepted updates per event-loop turn, and the Yjs client ids bound to their accounts.
 * Whether a commit is on disk yet is relay/commitLog.ts's business.
 */
import { CLOSE } from '../crdt/protocol.ts'
import { CommitLog } from './commitLog.ts'
import { RegionDoc, type DocsOptions, type PendingUpdate } from './liveDoc.ts'
import type { Region } from '../schema/regions.ts'
import type { Store } from './store.ts'

/** The configured regions' docs, loaded on demand and unloaded when idle. */
export class Docs {
  private readonly loaded = new Map<string, RegionDoc>()
  private commitQueued = false
  /** Which commits are fsynced and who waits for which (relay/commitLog.ts). */
  readonly log = new CommitLog(() => {
    for (const doc of this.all()) doc.unload(CLOSE.unavailable)
  })

  constructor(
    private readonly store: Store,
    private readonly options: DocsOptions,
  ) {}

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
      afterSync: (fn) => this.log.afterSync(fn),
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
      this.log.committed()
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
