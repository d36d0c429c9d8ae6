/**
 * Admin reports: `/api/status`, the per-region gauges of `/metrics` and the merged SQLite export
 * that replaces the legacy `/sync/download`. All of them read the stored renderings
 * (relay/renderings.ts) and the store's bookkeeping, never a Y.Doc: a region's sixty months are
 * as cheap to report as one, and only documents someone works on are in memory. Connections are
 * counted on the loaded documents, the only ones that have any. Malformed items (crdt/malformed.ts)
 * are counted when a document is rendered, so an admin sees them and runs `rainstaff doctor`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as Y from 'yjs'
import type { Region } from '../schema/regions.ts'
import { TABLE_NAMES, type TableName } from '../schema/tables.ts'
import type { Docs } from './docs.ts'
import { regionDocuments } from './documentName.ts'
import { formatMetrics, type Metrics, type RegionGauge } from './metrics.ts'
import { keyDerivations } from './passwords.ts'
import type { Renderings } from './renderings.ts'
import type { RegionStorage, Store } from './store.ts'

/** What the reports read: the loaded documents, the store and its renderings, the configured regions. */
export interface ReportSources {
  readonly docs: Docs
  readonly store: Store
  readonly renderings: Renderings
  readonly regions: readonly Region[]
  /** When the relay started, ms since the epoch. */
  readonly startedAt: number
}

/** A region's documents: the master (stored or not) and every stored month, in export order. */
function regionNames(stored: readonly string[], region: string): string[] {
  return [...new Set([region, ...regionDocuments(stored, region)])]
}

/** A SQLite file on disk, to be sent and then removed. */
export interface ExportedFile {
  readonly file: string
  readonly bytes: number
  remove(): void
}

/**
 * A SQLite file holding the records of every given region, every month, written to a temporary
 * directory from the renderings one document at a time (relay/exportFile.ts).
 */
export async function exportRegions(sources: ReportSources, regions: readonly string[]): Promise<ExportedFile> {
  const stored = sources.store.storedRegions()
  const names = regions.flatMap((region) => regionNames(stored, region))
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rainstaff-export-'))
  const remove = (): void => rmSync(dir, { recursive: true, force: true })
  const file = path.join(dir, 'export.sqlite')
  try {
    await sources.renderings.exportFile(names, file)
    return { file, bytes: statSync(file).size, remove }
  } catch (error) {
    remove()
    throw error
  }
}

const uptimeSeconds = (sources: ReportSources): number => Math.round((Date.now() - sources.startedAt) / 1000)

/** What an empty document (nothing stored) weighs as a Yjs update, as a loaded one would report. */
const EMPTY_DOC_BYTES = Y.encodeStateAsUpdate(new Y.Doc()).byteLength

/** The loaded documents of each region and their connections. */
function loadedByRegion(docs: Docs): Map<string, { documents: number; connections: number; master: boolean }> {
  const out = new Map<string, { documents: number; connections: number; master: boolean }>()
  for (const doc of docs.all()) {
    const entry = out.get(doc.region.slug) ?? { documents: 0, connections: 0, master: false }
    entry.documents++
    entry.connections += doc.peers.size
    if (doc.name === doc.region.slug) entry.master = true
    out.set(doc.region.slug, entry)
  }
  return out
}

function storageSum(names: readonly string[], storage: ReadonlyMap<string, RegionStorage>): { bytes: number; updates: number; last: number } {
  let bytes = 0
  let updates = 0
  let last = 0
  for (const name of names) {
    const s = storage.get(name)
    if (s === undefined) continue
    bytes += s.bytes
    updates += s.updates
    last = Math.max(last, s.lastUpdateAt ?? 0)
  }
  return { bytes, updates, last }
}

/** `/api/status`: every stored document's current rendering, summed per region. */
export async function relayStatus(sources: ReportSources): Promise<unknown> {
  const { store, docs } = sources
  const stored = store.storedRegions()
  const regions = sources.regions.map((region) => ({ region, names: regionNames(stored, region.slug) }))
  const summaries = await sources.renderings.summaries(regions.flatMap((r) => r.names))
  const storage = store.documentStorage()
  const loaded = loadedByRegion(docs)
  return {
    uptimeSeconds: uptimeSeconds(sources),
    storeBytes: store.fileBytes(),
    regions: regions.map(({ region, names }) => {
      const counts = Object.fromEntries(TABLE_NAMES.map((t) => [t, 0])) as Record<TableName, number>
      let malformed = 0
      let docBytes = 0
      for (const name of names) {
        const summary = summaries.get(name)
        if (summary === undefined) {
          docBytes += EMPTY_DOC_BYTES
          continue
        }
        for (const table of TABLE_NAMES) counts[table] += summary.counts[table]
        malformed += summary.malformed
        docBytes += summary.docBytes
      }
      const sum = storageSum(names, storage)
      return {
        region: region.slug,
        name: region.name,
        counts,
        // How many items its readers skip (`rainstaff doctor` lists and repairs them).
        malformed,
        docBytes,
        documents: names.length,
        loadedDocuments: loaded.get(region.slug)?.documents ?? 0,
        connections: loaded.get(region.slug)?.connections ?? 0,
        lastUpdateAt: sum.last > 0 ? new Date(sum.last).toISOString() : null,
        storedBytes: sum.bytes,
        loggedUpdates: sum.updates,
      }
    }),
  }
}

/**
 * `/metrics`: the counters and what is sampled when it is read. Records and malformed items are
 * those of the stored renderings, which may trail the newest commits by the render delay
 * (`rainstaff_renderings_behind` says how many documents are waiting); reading metrics renders nothing.
 */
export function relayMetrics(metrics: Metrics, sources: ReportSources): string {
  const { docs, store } = sources
  const stored = store.storedRegions()
  const storage = store.documentStorage()
  const rendered = new Map(store.renderings.summaries().map((s) => [s.document, s]))
  const loaded = loadedByRegion(docs)
  const regions: RegionGauge[] = sources.regions.map((r) => {
    const names = regionNames(stored, r.slug)
    const sum = storageSum(names, storage)
    let records = 0
    let malformed = 0
    for (const name of names) {
      const summary = rendered.get(name)
      if (summary === undefined) continue
      for (const table of TABLE_NAMES) records += summary.counts[table]
      malformed += summary.malformed
    }
    const here = loaded.get(r.slug)
    return {
      region: r.slug,
      loaded: here?.master ?? false,
      documentsLoaded: here?.documents ?? 0,
      documents: names.length,
      connections: here?.connections ?? 0,
      storedBytes: sum.bytes,
      loggedUpdates: sum.updates,
      records,
      malformed,
    }
  })
  return formatMetrics(metrics, regions, {
    uptimeSeconds: uptimeSeconds(sources),
    storeBytes: store.fileBytes(),
    passwordHashes: keyDerivations(),
    renderings: sources.renderings.rendered,
    renderingsBehind: sources.renderings.behind(),
  })
}
