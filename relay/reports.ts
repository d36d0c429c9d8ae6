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
import { malformedItems } from '../crdt/records.ts'
import type { Region } from '../schema/regions.ts'
import type { Docs } from './docs.ts'
import { formatMetrics, type Metrics } from './metrics.ts'
import { keyDerivations } from './passwords.ts'
import type { Store } from './store.ts'

async function regionCounts(region: string, doc: Y.Doc): Promise<Record<string, number>> {
  const mirror = await openMirror()
  try {
    mirror.attach(region, doc)
    return mirror.counts(region)
  } finally {
    mirror.close()
  }
}

/** How many items of the region doc its readers skip (`rainstaff doctor` lists and repairs them). */
function regionMalformed(doc: Y.Doc): number {
  return malformedItems(doc).length
}

/** A SQLite file holding the records of every given region. */
export async function exportRegions(regions: ReadonlyArray<{ slug: string; doc: Y.Doc }>): Promise<Uint8Array> {
  const mirror = await openMirror()
  try {
    for (const { slug, doc } of regions) mirror.attach(slug, doc)
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

/** `/api/status`: every region's document is loaded for it (a region's document is named by its slug). */
export async function relayStatus(sources: ReportSources): Promise<unknown> {
  const { docs, store } = sources
  return {
    uptimeSeconds: uptimeSeconds(sources),
    storeBytes: store.fileBytes(),
    regions: await Promise.all(
      sources.regions.map(async (region) => {
        const doc = docs.open(region.slug)
        const storage = store.regionStorage(region.slug)
        return {
          region: region.slug,
          name: region.name,
          counts: await regionCounts(region.slug, doc.doc),
          malformed: regionMalformed(doc.doc),
          docBytes: Y.encodeStateAsUpdate(doc.doc).byteLength,
          connections: doc.peers.size,
          lastUpdateAt: storage.lastUpdateAt === null ? null : new Date(storage.lastUpdateAt).toISOString(),
          storedBytes: storage.bytes,
          loggedUpdates: storage.updates,
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
