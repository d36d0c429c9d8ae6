/**
 * The store's `renderings` table: one row per document, the document's records as last rendered
 * (crdt/rendering.ts, gzip-compressed) with the version of the document they reflect and what
 * `/api/status` sums (live counts per table, malformed items, doc size). Part of the store:
 * relay/store.ts creates it on its connection and on the render worker's reading one; the rules
 * (when to render, what is stale) are relay/renderings.ts's.
 *
 * A row is a cache of what the update log holds: whatever is wrong with it (missing, older than
 * its document, unreadable) is mended by rendering the document again, never by serving it.
 */
import type Database from 'better-sqlite3'
import { TABLE_NAMES, type TableName } from '../schema/tables.ts'

/** What the status sums for one document, without its records. */
export interface RenderingSummary {
  readonly document: string
  /** The document's version the rendering reflects (relay/PROTOCOL.md, "Renderings"). */
  readonly version: number
  /** Live records per table. */
  readonly counts: Readonly<Record<TableName, number>>
  /** Items the readers skip (crdt/malformed.ts). */
  readonly malformed: number
  /** Size of the document's whole state as one Yjs update. */
  readonly docBytes: number
}

export interface RenderingRow extends RenderingSummary {
  /** encodeRendering's bytes, gzip-compressed. */
  readonly data: Uint8Array
}

export interface RenderingTable {
  /** The stored row of `document`; undefined when there is none or it cannot be read. */
  get(document: string): RenderingRow | undefined
  /** The stored row of `document` without its records; undefined as for get. */
  summary(document: string): RenderingSummary | undefined
  /** Every readable row without its records. */
  summaries(): RenderingSummary[]
  /** Stores `row` unless a rendering of a newer version is stored already; true when stored. */
  put(row: RenderingRow, at: number): boolean
}

/** The table as relay/store.ts creates it (additive: an older relay ignores it). */
export const RENDERINGS_DDL = `
  CREATE TABLE IF NOT EXISTS renderings (
    document TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    data BLOB NOT NULL,
    counts TEXT NOT NULL,
    malformed INTEGER NOT NULL,
    doc_bytes INTEGER NOT NULL,
    rendered_at INTEGER NOT NULL
  );`

interface SummarySql {
  document: string
  version: number
  counts: string
  malformed: number
  doc_bytes: number
}

/** Counts as stored (JSON by table name); undefined for anything else. */
function parseCounts(text: string): Record<TableName, number> | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const counts = {} as Record<TableName, number>
  for (const table of TABLE_NAMES) {
    const n = (value as Record<string, unknown>)[table] ?? 0
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return undefined
    counts[table] = n
  }
  return counts
}

function summaryOf(row: SummarySql): RenderingSummary | undefined {
  const counts = parseCounts(row.counts)
  if (counts === undefined || !Number.isSafeInteger(row.version) || !Number.isSafeInteger(row.malformed) || !Number.isSafeInteger(row.doc_bytes)) {
    return undefined
  }
  return { document: row.document, version: row.version, counts, malformed: row.malformed, docBytes: row.doc_bytes }
}

export function renderingTable(db: Database.Database): RenderingTable {
  const get = db.prepare<[string], SummarySql & { data: unknown }>(
    'SELECT document, version, data, counts, malformed, doc_bytes FROM renderings WHERE document = ?',
  )
  const columns = "document, version, counts, malformed, doc_bytes FROM renderings WHERE typeof(data) = 'blob'"
  const summary = db.prepare<[string], SummarySql>(`SELECT ${columns} AND document = ?`)
  const summaries = db.prepare<[], SummarySql>(`SELECT ${columns}`)
  // Renders of one document finish in the order they started (relay/renderings.ts), but a newer
  // row must never give way to an older one whatever the order: versions only go up.
  const put = db.prepare(
    `INSERT INTO renderings (document, version, data, counts, malformed, doc_bytes, rendered_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (document) DO UPDATE SET version = excluded.version, data = excluded.data, counts = excluded.counts,
       malformed = excluded.malformed, doc_bytes = excluded.doc_bytes, rendered_at = excluded.rendered_at
     WHERE excluded.version >= renderings.version`,
  )
  return {
    get(document) {
      const row = get.get(document)
      if (row === undefined || !(row.data instanceof Uint8Array)) return undefined
      const summary = summaryOf(row)
      return summary === undefined ? undefined : { ...summary, data: row.data }
    },
    summary(document) {
      const row = summary.get(document)
      return row === undefined ? undefined : summaryOf(row)
    },
    summaries: () => summaries.all().flatMap((row) => summaryOf(row) ?? []),
    put(row, at) {
      const result = put.run(row.document, row.version, row.data, JSON.stringify(row.counts), row.malformed, row.docBytes, at)
      return result.changes > 0
    },
  }
}
