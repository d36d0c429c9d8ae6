/**
 * A rendering: one document's records as mirror rows, with the snapshot (Y.snapshot) they
 * reflect. It lets a reader see a period without holding its Y.Doc — the relay keeps one per
 * document for status and exports, a device caches the relay's renderings of months it never
 * opened, and the mirror (crdt/mirror.ts) compares its own saved snapshot with a doc to apply only
 * what changed since.
 *
 * A rendering holds what the mirror would hold for the document: each record's row or its
 * soft-deletion, and its unresolved conflicts. A record a move left behind in its old month
 * (crdt/moves.ts) is not in that month's rendering; it lives in its new home's.
 *
 * On the wire and on disk it is JSON, with column names, so a device whose schema has a column
 * more or less still reads it; every value is checked on the way in (decodeRendering), since the
 * bytes come from a network or a disk.
 */
import * as Y from 'yjs'
import { fromBase64, toBase64 } from 'lib0/buffer'
import { columnsOf } from '../schema/ddl.ts'
import { parseDocumentName } from '../schema/periods.ts'
import { DELETE_FIELDS, isTableName, TABLE_NAMES, type CellValue, type TableName } from '../schema/tables.ts'
import { BilingualError } from '../schema/bilingual.ts'
import { recordConflicts, type Conflict } from './conflicts.ts'
import { readFields, recordIds } from './records.ts'

/** What a reader sees of one record: its row (mirror column order) or its deletion, and its conflicts. */
export interface RecordState {
  /** The row in columnsOf(table) order, region filled in; null for a soft-deleted record. */
  readonly row: CellValue[] | null
  readonly deleted: { readonly at: CellValue; readonly by: CellValue } | null
  readonly conflicts: readonly Conflict[]
}

export interface RenderedRecord extends RecordState {
  readonly table: TableName
  readonly id: string
}

export interface Rendering {
  /** The document rendered (schema/periods.ts). */
  readonly document: string
  readonly region: string
  readonly snapshot: Y.Snapshot
  readonly records: readonly RenderedRecord[]
}

const readKeyCache = new Map<TableName, string[]>()

/** A table's columns, then the soft-delete fields and `moved_to`: what recordState reads. */
function readKeys(table: TableName): string[] {
  let keys = readKeyCache.get(table)
  if (keys === undefined) readKeyCache.set(table, (keys = [...columnsOf(table), ...DELETE_FIELDS, 'moved_to']))
  return keys
}

/**
 * Record `id` as document `doc` of `region` holds it; undefined when the record is not there to
 * read (never created, hard-deleted, nothing readable) or has moved to another document.
 */
export function recordState(doc: Y.Doc, region: string, table: TableName, id: string): RecordState | undefined {
  const columns = columnsOf(table)
  const values = readFields(doc, table, id, readKeys(table))
  if (values === undefined || values[columns.length + DELETE_FIELDS.length] != null) return undefined
  const [deletedAt, deletedBy] = values.splice(columns.length)
  const conflicts = recordConflicts(doc, table, id)
  if (deletedAt != null) return { row: null, deleted: { at: deletedAt, by: deletedBy ?? null }, conflicts }
  values[columns.indexOf('region')] = region
  return { row: values, deleted: null, conflicts }
}

/** Every record document `name` holds, as of now. */
export function renderDocument(name: string, doc: Y.Doc): Rendering {
  const region = regionOf(name)
  const records: RenderedRecord[] = []
  for (const table of TABLE_NAMES) {
    for (const id of recordIds(doc, table)) {
      const state = recordState(doc, region, table, id)
      if (state !== undefined) records.push({ table, id, ...state })
    }
  }
  return { document: name, region, snapshot: Y.snapshot(doc), records }
}

/** Live rows per table: what an admin's status counts. */
export function renderingCounts(rendering: Rendering): Record<TableName, number> {
  const counts = Object.fromEntries(TABLE_NAMES.map((t) => [t, 0])) as Record<TableName, number>
  for (const record of rendering.records) if (record.row !== null) counts[record.table]++
  return counts
}

export class RenderingError extends BilingualError {
  constructor(detail: string) {
    super({ tr: `Dönem verisi okunamadı: ${detail}`, en: `Period data could not be read: ${detail}` })
    this.name = 'RenderingError'
  }
}

const FORMAT = 'rainstaff-rendering'
const VERSION = 1

interface WireRendering {
  format: typeof FORMAT
  version: typeof VERSION
  document: string
  snapshot: string
  /** Per table: its column names once, then each record as [id, row | null, deletedAt, deletedBy]. */
  tables: Record<string, { columns: string[]; records: Array<[string, CellValue[] | null, CellValue, CellValue]> }>
  /** [table, id, conflict_id, field, value, value_by, value_at, lost_value, lost_by, lost_at] */
  conflicts: CellValue[][]
}

export function encodeRendering(rendering: Rendering): Uint8Array {
  const tables: WireRendering['tables'] = {}
  const conflicts: CellValue[][] = []
  for (const r of rendering.records) {
    tables[r.table] ??= { columns: columnsOf(r.table), records: [] }
    tables[r.table]!.records.push([r.id, r.row, r.deleted?.at ?? null, r.deleted?.by ?? null])
    for (const c of r.conflicts) {
      conflicts.push([r.table, r.id, c.conflict_id, c.field, c.value, c.value_by, c.value_at, c.lost_value, c.lost_by, c.lost_at])
    }
  }
  const wire: WireRendering = {
    format: FORMAT,
    version: VERSION,
    document: rendering.document,
    snapshot: toBase64(Y.encodeSnapshot(rendering.snapshot)),
    tables,
    conflicts,
  }
  return new TextEncoder().encode(JSON.stringify(wire))
}

const isCell = (value: unknown): value is CellValue =>
  value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null)

/**
 * Reads a rendering, checking everything: a rendering of another document than `expected` (when
 * given), an unknown table, a value that is no cell, … is a RenderingError, never a half-read.
 * Columns this schema lacks are dropped and columns it has more are null; the region column is
 * the document's, whatever the bytes say.
 */
export function decodeRendering(bytes: Uint8Array, expected?: string): Rendering {
  let wire: Partial<WireRendering>
  try {
    wire = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Partial<WireRendering>
  } catch {
    throw new RenderingError('JSON değil / not JSON')
  }
  if (typeof wire !== 'object' || wire === null || wire.format !== FORMAT) throw new RenderingError('biçim / format')
  if (wire.version !== VERSION) throw new RenderingError(`sürüm / version ${String(wire.version)}`)
  const document = text(wire.document)
  if (document === null || (expected !== undefined && document !== expected)) throw new RenderingError('belge adı / document name')
  const region = regionOf(document)
  let snapshot: Y.Snapshot
  try {
    snapshot = Y.decodeSnapshot(fromBase64(String(wire.snapshot)))
  } catch {
    throw new RenderingError('snapshot')
  }
  const conflictsOf = new Map<string, Conflict[]>()
  for (const c of Array.isArray(wire.conflicts) ? wire.conflicts : []) {
    if (!Array.isArray(c) || c.length !== 10 || !c.every(isCell)) throw new RenderingError('çakışma / conflict')
    const [table, id, conflictId, field] = c
    if (typeof table !== 'string' || !isTableName(table) || typeof id !== 'string' || typeof conflictId !== 'string' || typeof field !== 'string') {
      throw new RenderingError('çakışma / conflict')
    }
    const key = `${table}\u0000${id}`
    const list = conflictsOf.get(key) ?? []
    list.push({
      conflict_id: conflictId, table, record_id: id, field,
      value: c[4], value_by: text(c[5]), value_at: text(c[6]), lost_value: c[7], lost_by: text(c[8]), lost_at: text(c[9]),
    })
    conflictsOf.set(key, list)
  }
  const records: RenderedRecord[] = []
  for (const [table, body] of Object.entries(typeof wire.tables === 'object' && wire.tables !== null ? wire.tables : {})) {
    if (!isTableName(table) || !Array.isArray(body?.columns) || !Array.isArray(body.records)) throw new RenderingError(`tablo / table ${table}`)
    const columns = columnsOf(table)
    const from = columns.map((column) => body.columns.indexOf(column))
    const regionAt = columns.indexOf('region')
    for (const entry of body.records) {
      if (!Array.isArray(entry) || entry.length !== 4 || typeof entry[0] !== 'string') throw new RenderingError(`kayıt / record ${table}`)
      const [id, wireRow, deletedAt, deletedBy] = entry
      if (!isCell(deletedAt) || !isCell(deletedBy)) throw new RenderingError(`kayıt / record ${table} ${id}`)
      let row: CellValue[] | null = null
      if (wireRow !== null) {
        if (!Array.isArray(wireRow) || wireRow.length !== body.columns.length || !wireRow.every(isCell)) {
          throw new RenderingError(`kayıt / record ${table} ${id}`)
        }
        row = from.map((at) => (at < 0 ? null : wireRow[at]!))
        row[columns.indexOf('id')] = id
        row[regionAt] = region
      } else if (deletedAt === null) throw new RenderingError(`kayıt / record ${table} ${id}`)
      records.push({
        table, id, row,
        deleted: row === null ? { at: deletedAt, by: deletedBy } : null,
        conflicts: conflictsOf.get(`${table}\u0000${id}`) ?? [],
      })
    }
  }
  return { document, region, snapshot, records }
}

function regionOf(name: string): string {
  const parsed = parseDocumentName(name)
  if (parsed === undefined) throw new RenderingError(`belge adı / document name ${name}`)
  return parsed.region
}
