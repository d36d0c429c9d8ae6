/**
 * Admin reports: `/api/status` and the per-region gauges of `/metrics`, record counts per table
 * and the merged SQLite export that replaces the legacy `/sync/download`. Counts and exports
 * come from the SQLite mirror (crdt/mirror.ts); each call builds a fresh mirror and closes it, so
 * the relay keeps no second copy of the data in memory between requests. Malformed items
 * (crdt/records.ts) are skipped by both and counted by regionMalformed, so an admin sees them in
 * `/api/status` and runs `rainstaff doctor`.
 */
import * as Y from 'yjs'
import { openMirror } from '../crdt/mirror.ts'
import { malformedItems } from '../crdt/malformed.ts'
import type { Region } from '../schema/regions.ts'
import type { Docs } from './docs.ts'
import { regionDocuments } from './documentName.ts'
import type { LiveDoc } from './liveDoc.ts'
import { formatMetrics, type Metrics } from './metrics.ts'
import { keyDerivations } from './passwords.ts'
import type { Store } from './store.ts'

/**
 * A region's documents: the master and every stored month. Each is loaded for the read (and
 * unloads again when idle); a later change keeps a SQLite rendering per month instead.
 */
function regionDocs(sources: ReportSources, region: string): Array<{ name: string; doc: LiveDoc }> {
  const names = new Set([region, ...regionDocuments(sources.store.storedRegions(), region)])
  return [...names].map((name) => ({ name, doc: sources.docs.open(name) }))
}

/** A SQLite file holding the records of every given region, every month. */
export async function exportRegions(sources: ReportSources, regions: readonly string[]): Promise<Uint8Array> {
  const mirror = await openMirror()
  try {
    for (const region of regions) for (const { name, doc } of regionDocs(sources, region)) mirror.attach(name, doc.doc)
    return mirror.exportFile()
  } finally {
    mirror.close()
  }
}

/** What the reports read: the loaded documents, the store, the configured regions. */
export interface ReportSources {
  readonly docs: Docs
  readonly store: Store
  readonly regions: readonly Region[]
  /** When the relay started, ms since the epoch. */
  readonly startedAt: number
}

const uptimeSeconds = (sources: ReportSources): number => Math.round((Date.now() - sources.startedAt) / 1000)

/** `/api/status`: every document of every region is loaded for it. */
export async function relayStatus(sources: ReportSources): Promise<unknown> {
  const { store } = sources
  return {
    uptimeSeconds: uptimeSeconds(sources),
    storeBytes: store.fileBytes(),
    regions: await Promise.all(
      sources.regions.map(async (region) => {
        const loaded = regionDocs(sources, region.slug)
        const storages = loaded.map(({ name }) => store.regionStorage(name))
        const mirror = await openMirror()
        let counts: Record<string, number>
        try {
          for (const { name, doc } of loaded) mirror.attach(name, doc.doc)
          counts = mirror.counts(region.slug)
        } finally {
          mirror.close()
        }
        const last = Math.max(...storages.map((s) => s.lastUpdateAt ?? 0))
        const sum = (f: (x: { name: string; doc: LiveDoc }) => number): number => loaded.reduce((n, x) => n + f(x), 0)
        return {
          region: region.slug,
          name: region.name,
          counts,
          // How many items its readers skip (`rainstaff doctor` lists and repairs them).
          malformed: sum(({ doc }) => malformedItems(doc.doc).length),
          docBytes: sum(({ doc }) => Y.encodeStateAsUpdate(doc.doc).byteLength),
          documents: loaded.length,
          connections: sum(({ doc }) => doc.peers.size),
          lastUpdateAt: last > 0 ? new Date(last).toISOString() : null,
          storedBytes: storages.reduce((n, s) => n + s.bytes, 0),
          loggedUpdates: storages.reduce((n, s) => n + s.updates, 0),
        }
      }),
    ),
  }
}

/** `/metrics`: the counters and what is sampled when it is read. */
export function relayMetrics(metrics: Metrics, sources: ReportSources): string {
  const { docs, store } = sources
  const regions = sources.regions.map((r) => {
    const doc = docs.get(r.slug)
    const storage = store.regionStorage(r.slug)
    return { region: r.slug, loaded: doc !== undefined, connections: doc?.peers.size ?? 0, storedBytes: storage.bytes, loggedUpdates: storage.updates }
  })
  return formatMetrics(metrics, regions, { uptimeSeconds: uptimeSeconds(sources), storeBytes: store.fileBytes(), passwordHashes: keyDerivations() })
}
