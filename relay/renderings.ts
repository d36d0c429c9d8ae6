/**
 * Renderings as an extension: the store keeps each document's records as last rendered
 * (relay/renderingTable.ts), so the admin status, the exports and `/api/renderings/…` read
 * periods nobody is editing without holding a Y.Doc for them.
 *
 * A document is rendered again from the store (relay/renderer.ts, off the main thread) after
 * its commits: once it has been quiet for `renderDelayMs`, and at the latest `renderMaxDelayMs`
 * after the first commit not yet rendered, so a steady stream of edits costs one render every
 * few seconds and nothing on the update path. It is rendered at once when it unloads with
 * commits not rendered, and at shutdown.
 *
 * Whatever the timers missed (a relay killed between a commit and its render, an older data
 * directory, a migration, a legacy import or a doctor repair written while the relay was
 * stopped) shows by version: a rendering older than its document's version is never served.
 * A reader asks for current renderings and waits for those that are not; at start every stale
 * rendering is made again in the background, one document at a time.
 */
import type { Region } from '../schema/regions.ts'
import { createRegionDoc } from '../crdt/regionDoc.ts'
import { documentRegion } from './documentName.ts'
import type { Extension, Hooks } from './extension.ts'
import type { Renderer } from './renderer.ts'
import { renderRow } from './renderJobs.ts'
import type { RenderingRow, RenderingSummary } from './renderingTable.ts'
import type { Store } from './store.ts'

export interface RenderingOptions {
  /** A document is rendered once it has had no commit for this long… */
  readonly renderDelayMs: number
  /** …or this long after its first commit not yet rendered, whichever comes first. */
  readonly renderMaxDelayMs: number
  readonly regions: readonly Region[]
}

/** A document's current rendering as served: what is stored, or the empty one of a document never written. */
export type ServedRendering = Pick<RenderingRow, 'document' | 'version' | 'data'>

export interface Renderings {
  readonly extension: Extension
  /** The current rendering of document `name` (one of a configured region). */
  served(name: string): Promise<ServedRendering>
  /** Current summaries of the stored documents among `names`, by name. */
  summaries(names: readonly string[]): Promise<Map<string, RenderingSummary>>
  /** Writes `names`' records, in order, to the new SQLite file `file` from current renderings. */
  exportFile(names: readonly string[], file: string): Promise<number>
  /** Stored documents of configured regions whose rendering is older than they are. */
  behind(): number
  /** Renders made since the start. */
  readonly rendered: number
  /** Renders every stale rendering again, one document at a time, in the background. */
  catchUp(): void
}

interface Scheduled {
  timer: NodeJS.Timeout
  readonly firstAt: number
  lastAt: number
}

export function createRenderings(store: Store, renderer: Renderer, options: RenderingOptions): Renderings {
  const scheduled = new Map<string, Scheduled>()
  /** The render of each document in flight, and one queued behind it for commits it may have missed. */
  const running = new Map<string, Promise<void>>()
  const queued = new Map<string, Promise<void>>()
  let hooks: Hooks | null = null
  let rendered = 0
  let closing = false
  const served = (name: string): boolean => documentRegion(name, options.regions) !== undefined

  const unschedule = (name: string): void => {
    const entry = scheduled.get(name)
    if (entry !== undefined) clearTimeout(entry.timer)
    scheduled.delete(name)
  }

  /** One render of `name`, reading the store from now on. */
  const start = (name: string): Promise<void> => {
    // It will read every commit made so far: the timer waiting for them has nothing left to do.
    unschedule(name)
    const render = renderer
      .render(name)
      .then((row) => {
        rendered++
        if (row.stored && store.isOpen) store.renderings.put(row, Date.now())
      })
      .finally(() => {
        if (running.get(name) === render) running.delete(name)
      })
    running.set(name, render)
    return render
  }

  /** A render of `name` that starts no earlier than this call. */
  const run = (name: string): Promise<void> => {
    const waiting = queued.get(name)
    if (waiting !== undefined) return waiting
    const current = running.get(name)
    if (current === undefined) return start(name)
    const next = current
      .catch(() => undefined)
      .then(() => {
        queued.delete(name)
        return start(name)
      })
    queued.set(name, next)
    return next
  }

  /** A render in the background: a failure is logged, and the next reader tries again. */
  const renderSoon = (name: string): void => {
    run(name).catch((error: unknown) => hooks?.onStorageError({ action: 'render', documentName: name, error }))
  }

  const fire = (name: string): void => {
    const entry = scheduled.get(name)
    if (entry === undefined) return
    const due = Math.min(entry.lastAt + options.renderDelayMs, entry.firstAt + options.renderMaxDelayMs)
    const now = Date.now()
    if (now < due) {
      entry.timer = setTimeout(() => fire(name), due - now)
      entry.timer.unref()
      return
    }
    renderSoon(name)
  }

  /** After a commit: one timer per document, moved on when it fires rather than on every commit. */
  const changed = (name: string): void => {
    const now = Date.now()
    const entry = scheduled.get(name)
    if (entry !== undefined) {
      entry.lastAt = now
      return
    }
    const timer = setTimeout(() => fire(name), options.renderDelayMs)
    timer.unref()
    scheduled.set(name, { timer, firstAt: now, lastAt: now })
  }

  /** Makes the stored rendering of `name` at least as new as the document is now. */
  const fresh = async (name: string, stored = store.renderings.summary(name)?.version): Promise<void> => {
    const version = store.documentVersion(name)
    if (version === null || (stored !== undefined && stored >= version)) return
    await run(name)
    const now = store.renderings.summary(name)?.version
    // run() reads the store after `version` was read, so only a store closed meanwhile gets here.
    if (now === undefined || now < version) throw new Error(`${name}: rendering did not reach version ${version}`)
  }

  const staleDocuments = (): string[] => {
    const have = new Map(store.renderings.summaries().map((s) => [s.document, s.version]))
    return [...store.documentVersions()].filter(([name, version]) => served(name) && (have.get(name) ?? -1) < version).map(([name]) => name)
  }

  const extension: Extension = {
    onConfigure({ hooks: all }) {
      hooks = all
    },
    afterCommit({ updates }) {
      if (closing) return
      for (const u of updates) changed(u.documentName)
    },
    beforeUnloadDocument({ documentName }) {
      // Rendered from the store, not from the doc: it may unload while the render runs.
      if (scheduled.has(documentName)) renderSoon(documentName)
      return undefined
    },
    async onDestroy() {
      closing = true
      for (const name of [...scheduled.keys()]) renderSoon(name)
      await Promise.allSettled([...running.values(), ...queued.values()])
      await renderer.close()
    },
  }

  return {
    extension,
    async served(name) {
      await fresh(name)
      const row = store.renderings.get(name)
      if (row !== undefined) return row
      if (store.documentVersion(name) !== null) throw new Error(`${name}: stored rendering unreadable`)
      // A document nothing was ever written to: empty, at version 0.
      const doc = createRegionDoc()
      try {
        return renderRow(name, doc, 0)
      } finally {
        doc.destroy()
      }
    },
    async summaries(names) {
      const have = new Map(store.renderings.summaries().map((s) => [s.document, s]))
      await Promise.all(names.map((name) => fresh(name, have.get(name)?.version)))
      const wanted = new Set(names)
      return new Map(store.renderings.summaries().filter((s) => wanted.has(s.document)).map((s) => [s.document, s]))
    },
    async exportFile(names, file) {
      const have = new Map(store.renderings.summaries().map((s) => [s.document, s.version]))
      await Promise.all(names.map((name) => fresh(name, have.get(name))))
      return renderer.exportFile(names, file, (row) => void store.renderings.put(row, Date.now()))
    },
    behind: () => staleDocuments().length,
    get rendered() {
      return rendered
    },
    catchUp() {
      const names = staleDocuments()
      void (async () => {
        for (const name of names) {
          if (closing) return
          await run(name).catch((error: unknown) => hooks?.onStorageError({ action: 'render', documentName: name, error }))
        }
      })()
    },
  }
}
