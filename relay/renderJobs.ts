/**
 * The work behind a rendering, the same on the render worker (relay/renderWorker.ts) and, where
 * no worker runs, on the main thread: a document read from the store in one transaction and
 * rendered with its version, and an export file written from stored renderings one document at
 * a time. Nothing here keeps a doc: each is built, read and dropped.
 */
import { gunzipSync, gzipSync } from 'node:zlib'
import * as Y from 'yjs'
import { malformedItems } from '../crdt/malformed.ts'
import { createRegionDoc } from '../crdt/regionDoc.ts'
import { decodeRendering, encodeRendering, renderDocument, renderingCounts, type Rendering } from '../crdt/rendering.ts'
import { createExportFile, type ExportFile } from './exportFile.ts'
import type { RenderingRow } from './renderingTable.ts'
import { applyHistory } from './storage.ts'
import { historyVersion, type HistorySource, type Store, type StoreReader } from './store.ts'

/** A rendering just made; `stored` is false for a document nothing is stored for (version 0, empty). */
export interface RenderedDocument extends RenderingRow {
  readonly stored: boolean
}

/** What a render reads: a document's history, in one read transaction. */
type RenderSource = HistorySource & Pick<Store, 'readConsistently'>

const RENDERING = {
  tr: 'belgenin görünümü çıkarılamadı.',
  en: 'the document could not be rendered.',
}

/** Renders `doc`, document `name` at `version`. */
export function renderRow(name: string, doc: Y.Doc, version: number): RenderingRow {
  const rendering = renderDocument(name, doc)
  return {
    document: name,
    version,
    data: gzipSync(encodeRendering(rendering)),
    counts: renderingCounts(rendering),
    malformed: malformedItems(doc).length,
    docBytes: Y.encodeStateAsUpdate(doc).byteLength,
  }
}

/** Document `name` as stored now, rendered. Throws StoreError for a row Yjs cannot read. */
export function renderStored(source: RenderSource, name: string): RenderedDocument {
  const history = source.readConsistently(() => source.loadRegion(name))
  const doc = createRegionDoc()
  try {
    applyHistory(doc, name, history, RENDERING)
    const version = historyVersion(history)
    return { ...renderRow(name, doc, version ?? 0), stored: version !== null }
  } finally {
    doc.destroy()
  }
}

/** A stored rendering's records. Throws RenderingError for bytes that are not one of `name`. */
function readRendering(row: RenderingRow): Rendering {
  let bytes: Uint8Array
  try {
    bytes = gunzipSync(row.data)
  } catch {
    // decodeRendering names what is wrong with bytes that are no rendering.
    bytes = new Uint8Array(0)
  }
  return decodeRendering(bytes, row.document)
}

/** What an export needs: the documents and their stored renderings. */
type ExportSource = RenderSource & Pick<StoreReader, 'renderings'>

/**
 * Adds document `name`'s records to `out` from its stored rendering; a document whose rendering
 * is missing or unreadable is rendered from the store instead and handed to `rendered` (for the
 * relay to keep). Returns the records added.
 */
export function exportDocument(source: ExportSource, out: ExportFile, name: string, rendered: (row: RenderedDocument) => void): number {
  let rendering: Rendering | undefined
  const row = source.renderings.get(name)
  if (row !== undefined) {
    try {
      rendering = readRendering(row)
    } catch {
      rendering = undefined
    }
  }
  if (rendering === undefined) {
    const fresh = renderStored(source, name)
    if (!fresh.stored) return 0
    rendered(fresh)
    rendering = readRendering(fresh)
  }
  out.add(rendering)
  return rendering.records.length
}

/** Writes the records of `documents`, in order, to the new SQLite file `file` (see exportDocument). */
export function writeExport(source: ExportSource, documents: readonly string[], file: string, rendered: (row: RenderedDocument) => void): number {
  const out = createExportFile(file)
  try {
    return documents.reduce((n, name) => n + exportDocument(source, out, name, rendered), 0)
  } finally {
    out.close()
  }
}
