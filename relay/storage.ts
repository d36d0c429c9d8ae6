/**
 * Storage as an extension: a document is loaded from the store (its snapshot, then the updates
 * logged after it), each group commit is appended in one store transaction, and a document with
 * `compactAfterUpdates` logged updates is compacted off the main thread (relay/compactor.ts) into
 * a new snapshot. When a commit is on disk is relay/commitLog.ts's business.
 */
import * as Y from 'yjs'
import { createRegionDoc } from '../crdt/regionDoc.ts'
import type { Compactor } from './compactor.ts'
import type { Extension, Hooks } from './extension.ts'
import { StoreError, type HistorySource, type RegionHistory, type Store } from './store.ts'

export interface StorageOptions {
  readonly compactor: Compactor
  /** Updates logged after the snapshot that trigger a compaction. */
  readonly compactAfterUpdates: number
}

export function storageExtension(store: Store, options: StorageOptions): Extension {
  /** Updates logged after each document's snapshot, as far as this process knows. */
  const logged = new Map<string, number>()
  /**
   * One compaction per document at a time, whether or not the document stays loaded: two could
   * finish in the wrong order, and the older snapshot would replace updates the newer one holds.
   */
  const compacting = new Map<string, Promise<void>>()
  let hooks: Hooks | null = null

  const compact = (name: string): void => {
    if (compacting.has(name)) return
    const run = async (): Promise<void> => {
      const history = store.loadRegion(name)
      const upto = history.updates.at(-1)?.seq
      if (upto === undefined) return
      const parts = history.snapshot ? [history.snapshot] : []
      for (const u of history.updates) parts.push(u.data)
      const merged = await options.compactor.merge(parts)
      if (!store.isOpen) return
      store.writeSnapshot(name, merged, upto)
      logged.set(name, Math.max(0, (logged.get(name) ?? 0) - history.updates.length))
      hooks?.afterCompact({ documentName: name })
    }
    const running = run()
      .catch((error: unknown) => hooks?.onStorageError({ action: 'compact', documentName: name, error }))
      .finally(() => compacting.delete(name))
    compacting.set(name, running)
  }

  const count = (name: string, updates: number): void => {
    const total = (logged.get(name) ?? 0) + updates
    logged.set(name, total)
    if (total >= options.compactAfterUpdates) compact(name)
  }

  return {
    onConfigure({ hooks: all }) {
      hooks = all
    },
    onLoadDocument({ documentName, doc }) {
      const updates = loadStored(store, documentName, doc, SERVING)
      logged.set(documentName, 0)
      count(documentName, updates)
    },
    onStoreUpdates({ updates }) {
      store.appendUpdates(
        updates.map((u) => ({ region: u.documentName, data: u.update, username: u.account, at: u.at, device: u.device, ranges: u.ranges, records: u.records })),
      )
    },
    afterCommit({ updates }) {
      const perDocument = new Map<string, number>()
      for (const u of updates) perDocument.set(u.documentName, (perDocument.get(u.documentName) ?? 0) + 1)
      for (const [name, n] of perDocument) count(name, n)
    },
    beforeUnloadDocument({ documentName }) {
      // Unloaded now, the next connection would reload the history the compaction is folding.
      return compacting.has(documentName) ? 'keep' : undefined
    },
    async onDestroy() {
      await Promise.all(compacting.values())
    },
  }
}

/** What a damaged row means for the one reading it, said after "Damaged store: … is unreadable;". */
export interface DamageConsequence {
  readonly tr: string
  readonly en: string
}

const SERVING: DamageConsequence = { tr: 'sunucu boş belge sunmayacak.', en: 'the relay will not serve an empty doc.' }

/**
 * Fills `doc` with document `name` as stored (its snapshot, then the updates logged after it) and
 * returns how many updates were logged. A row Yjs cannot read is a StoreError naming it.
 */
export function loadStored(store: HistorySource, name: string, doc: Y.Doc, consequence: DamageConsequence): number {
  const history = store.loadRegion(name)
  applyHistory(doc, name, history, consequence)
  return history.updates.length
}

/**
 * Applies a document's stored history to `doc`. Each row is decoded whole before it is applied:
 * Yjs integrates an update's structs before it reads the deletions after them, so a cut one
 * would fail half-applied.
 */
export function applyHistory(doc: Y.Doc, name: string, history: RegionHistory, consequence: DamageConsequence): void {
  const apply = (data: Uint8Array, what: string): void => {
    try {
      Y.decodeUpdate(data)
      Y.applyUpdate(doc, data)
    } catch (error) {
      throw new StoreError(`Veri deposu bozuk: ${what} okunamadı; ${consequence.tr} / Damaged store: ${what} is unreadable; ${consequence.en}`, { cause: error })
    }
  }
  doc.transact(() => {
    if (history.snapshot) apply(history.snapshot, `snapshot of ${name}`)
    for (const u of history.updates) apply(u.data, `update ${u.seq} of ${name}`)
  })
}

/** Document `name` as stored, in a new doc (see loadStored). */
export function loadStoredDocument(store: HistorySource, name: string, consequence: DamageConsequence): Y.Doc {
  const doc = createRegionDoc()
  try {
    loadStored(store, name, doc, consequence)
  } catch (error) {
    doc.destroy()
    throw error
  }
  return doc
}
