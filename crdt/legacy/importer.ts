/**
 * Importing a legacy file into region docs: plan (read-only), then create the missing records in
 * chunked transactions, then the ledger and the legacy deletions. This is the whole import for
 * the app's dialog (the editor's own region doc) and the core of the CLI's relay and peer modes.
 *
 * Where a PC's settings go: a v0 file belongs to the region the user names; a v1/v2 file to the
 * `fileRegion` given, else its `admin_entry_region` setting (the region the PC entered rows
 * for), else the region most of its employees are in, else Ankara (the legacy default).
 */
import type * as Y from 'yjs'
import { DEFAULT_REGIONS, isRegionSlug, legacyRegionSlug } from '../../schema/regions.ts'
import { isTableName, TABLE_NAMES, TABLES, type TableName } from '../../schema/tables.ts'
import { readRecord, recordIds } from '../records.ts'
import { deleteRecord, LOCAL_EDIT, type Author } from '../regionDoc.ts'
import { deletionsMap, importedAs, ledgerKey, provenanceMap, provenanceValue, recordedDeletions, type LegacyDeletion } from './ledger.ts'
import { planImport, type LegacyId, type PlannedRecord, type RowReport } from './plan.ts'
import { column, LegacyFileError, readLegacyFile, type LegacyFile, type LegacyVersion, type ReadOptions } from './reader.ts'
import { reasons, type Reason } from './reasons.ts'
import { legacyUserSummaries, type LegacyUserSummary } from './users.ts'
import { createImported, importAuthor, untouchedSinceImport } from './write.ts'

export interface ImportProgress {
  readonly phase: 'plan' | 'write'
  readonly done: number
  readonly total: number
}

export interface ImportOptions extends ReadOptions {
  /** Docs this import may write, by region slug: the editor's own region in the app, every region on the relay. */
  readonly docs: ReadonlyMap<string, Y.Doc>
  /** The importing user; records are stamped `updated_by = legacy-import:<user>`. */
  readonly user: string
  /** Required for a v0 file (it has no regions); for v1/v2 the PC's region, overriding admin_entry_region. */
  readonly fileRegion?: string
  /** The organization's region slugs, to tell a real admin_entry_region from a stray value. */
  readonly regions?: readonly string[]
  /** Plan and report only; the docs are not touched. */
  readonly dryRun?: boolean
  readonly now?: () => Date
  readonly onProgress?: (progress: ImportProgress) => void
  /** Awaited between write chunks (a frame in the browser, so the dialog can redraw). */
  readonly betweenChunks?: () => Promise<void> | void
  /** Records per transaction (2000). */
  readonly chunkSize?: number
}

export interface TableCounts {
  read: number
  created: number
  present: number
  merged: number
  skipped: number
  /** Rows imported (created, present or merged) that carry a warning. */
  warnings: number
}

export interface DeletionReport {
  readonly table: string
  readonly legacyId: LegacyId
  readonly deletedAt: string | null
  readonly deletedBy: string | null
  /**
   * - recorded: in the PC's ledger, so no later file of this PC brings the row back;
   * - applied: an earlier import had created the record from another copy of this PC's file and
   *   nobody had changed it since, so it is deleted now (with its untouched dependants);
   * - kept_edited: that record was changed in Rainstaff since, so it stays: check it by hand;
   * - not_recorded: the PC's region is not writable in this import.
   */
  readonly outcome: 'recorded' | 'applied' | 'kept_edited' | 'not_recorded'
  readonly region: string | null
  readonly recordId: string | null
  /** Dependants (timesheets of an employee …) deleted with it. */
  readonly cascaded: number
}

export interface ImportReport {
  readonly version: LegacyVersion
  /** The PC's region and how it was chosen. */
  readonly pc: { readonly region: string; readonly source: 'option' | 'admin_entry_region' | 'majority' | 'default' }
  readonly dryRun: boolean
  /** Region → legacy table → counts. */
  readonly counts: Readonly<Record<string, Readonly<Record<string, TableCounts>>>>
  /** Every row of every migrated table, in file order. */
  readonly rows: readonly RowReport[]
  readonly deletions: readonly DeletionReport[]
  /** File-level remarks (columns and tables not migrated, how the PC region was chosen). */
  readonly notes: readonly Reason[]
  /** The file's users; only the relay mode imports them (relay/legacyImport.ts). */
  readonly users: readonly LegacyUserSummary[]
}

interface FileDeletion {
  readonly table: string
  readonly legacyId: LegacyId
  readonly deletion: LegacyDeletion
}

const text = (value: unknown): string | null => (value == null || value instanceof Uint8Array ? null : String(value))

function fileDeletions(file: LegacyFile): FileDeletion[] {
  const table = file.tables.get('deleted_records')
  if (table === undefined) return []
  const [name, id, at, by] = ['table_name', 'record_id', 'deleted_at', 'deleted_by'].map((c) => column(table, c))
  return table.rows.map((cells) => ({
    table: text(cells[name]) ?? '',
    legacyId: typeof cells[id] === 'number' ? (cells[id] as number) : (text(cells[id]) ?? ''),
    deletion: { deleted_at: text(cells[at]), deleted_by: text(cells[by]) },
  }))
}

/** The PC's region (see the module comment). Throws LegacyFileError for a v0 file without one. */
export function pcRegionOf(
  file: LegacyFile,
  fileRegion: string | undefined,
  regions: readonly string[],
): { region: string; source: ImportReport['pc']['source']; note?: Reason } {
  if (fileRegion !== undefined && fileRegion !== '') {
    if (!isRegionSlug(fileRegion)) {
      throw new LegacyFileError(`Geçersiz bölge: ${fileRegion}`, `Invalid region: ${fileRegion}`)
    }
    return { region: fileRegion, source: 'option' }
  }
  if (file.version === 'v0') {
    throw new LegacyFileError(
      'Bu dosya bölgelerden önceki sürümde (v0): hangi bölgeye ait olduğunu belirtin (--region)',
      'This file predates regions (v0): say which region it belongs to (--region)',
    )
  }
  const settings = file.tables.get('settings')
  const keyIndex = column(settings, 'key')
  const valueIndex = column(settings, 'value')
  const entry = settings?.rows.find((cells) => cells[keyIndex] === 'admin_entry_region')?.[valueIndex]
  let note: Reason | undefined
  if (typeof entry === 'string' && entry.trim() !== '') {
    const slug = legacyRegionSlug(entry)
    if (regions.includes(slug)) return { region: slug, source: 'admin_entry_region' }
    note = reasons.oddValue('admin_entry_region', entry, 'bilinen bir bölge değil; yerine çoğunluk kullanıldı', 'not a known region; the majority was used instead')
  }
  const employees = file.tables.get('employees')
  const regionIndex = column(employees, 'region')
  const tally = new Map<string, number>()
  for (const cells of employees?.rows ?? []) {
    const value = cells[regionIndex]
    const slug = legacyRegionSlug(typeof value === 'string' ? value : null)
    tally.set(slug, (tally.get(slug) ?? 0) + 1)
  }
  // Sorted first so a tie is decided the same way on every machine.
  const best = [...tally].sort(([a], [b]) => a.localeCompare(b)).reduce<[string, number] | undefined>((top, entry) => (top === undefined || entry[1] > top[1] ? entry : top), undefined)
  const withNote = <T extends object>(value: T): T & { note?: Reason } => (note ? { ...value, note } : value)
  return best === undefined ? withNote({ region: 'ankara', source: 'default' as const }) : withNote({ region: best[0], source: 'majority' as const })
}

function countRows(rows: readonly RowReport[]): Record<string, Record<string, TableCounts>> {
  const counts: Record<string, Record<string, TableCounts>> = {}
  for (const row of rows) {
    const byTable = (counts[row.region] ??= {})
    const c = (byTable[row.table] ??= { read: 0, created: 0, present: 0, merged: 0, skipped: 0, warnings: 0 })
    c.read++
    c[row.outcome]++
    if (row.outcome !== 'skipped' && row.reasons.length > 0) c.warnings++
  }
  return counts
}

/** Rows a person should look at: skipped, or imported with a warning. */
export function problemRows(report: Pick<ImportReport, 'rows'>): RowReport[] {
  return report.rows.filter((row) => row.reasons.length > 0)
}

/** Soft-deletes records of `doc` that hold `id` in a required reference and are untouched since import. */
function cascade(doc: Y.Doc, table: TableName, id: string, author: Author): number {
  let count = 0
  for (const child of TABLE_NAMES) {
    for (const [field, def] of Object.entries(TABLES[child].fields)) {
      if (def.references !== table || !def.required) continue
      for (const childId of [...recordIds(doc, child)]) {
        if (readRecord(doc, child, childId)?.[field] !== id || !untouchedSinceImport(doc, child, childId)) continue
        deleteRecord(doc, child, childId, author)
        count += 1 + cascade(doc, child, childId, author)
      }
    }
  }
  return count
}

function applyDeletions(
  deletions: readonly FileDeletion[],
  pc: string,
  docs: ReadonlyMap<string, Y.Doc>,
  author: Author,
  dryRun: boolean,
): DeletionReport[] {
  const pcDoc = docs.get(pc)
  return deletions.map(({ table, legacyId, deletion }): DeletionReport => {
    const base = { table, legacyId, deletedAt: deletion.deleted_at, deletedBy: deletion.deleted_by, region: null, recordId: null, cascaded: 0 }
    if (pcDoc === undefined) return { ...base, outcome: 'not_recorded' }
    const target = importedAs(pcDoc, pc, table, legacyId)
    const doc = target === undefined ? undefined : docs.get(target.region)
    if (target === undefined || doc === undefined || !isTableName(table)) return { ...base, outcome: 'recorded' }
    const found = { ...base, region: target.region, recordId: target.id }
    const record = readRecord(doc, table, target.id)
    if (record === undefined || record.deleted_at !== null) return { ...found, outcome: 'recorded' }
    if (!untouchedSinceImport(doc, table, target.id)) return { ...found, outcome: 'kept_edited' }
    if (dryRun) return { ...found, outcome: 'applied' }
    deleteRecord(doc, table, target.id, author)
    return { ...found, outcome: 'applied', cascaded: cascade(doc, table, target.id, author) }
  })
}

function writeLedger(doc: Y.Doc, pc: string, rows: readonly RowReport[], deletions: readonly FileDeletion[]): void {
  doc.transact(() => {
    const deleted = deletionsMap(doc)
    for (const { table, legacyId, deletion } of deletions) {
      const key = ledgerKey(pc, table, legacyId)
      if (!deleted.has(key)) deleted.set(key, deletion)
    }
    const provenance = provenanceMap(doc)
    for (const row of rows) {
      if (row.recordId === null || row.outcome === 'skipped') continue
      const key = ledgerKey(pc, row.table, row.legacyId)
      if (!provenance.has(key)) provenance.set(key, provenanceValue(row.region, row.recordId))
    }
  }, LOCAL_EDIT)
}

async function writeRecords(creates: readonly PlannedRecord[], options: ImportOptions, author: string, at: string): Promise<void> {
  const chunkSize = options.chunkSize ?? 2000
  const byRegion = new Map<string, PlannedRecord[]>()
  for (const record of creates) {
    const list = byRegion.get(record.region)
    if (list === undefined) byRegion.set(record.region, [record])
    else list.push(record)
  }
  let done = 0
  for (const [region, records] of byRegion) {
    const doc = options.docs.get(region)!
    for (let start = 0; start < records.length; start += chunkSize) {
      const chunk = records.slice(start, start + chunkSize)
      doc.transact(() => {
        for (const r of chunk) createImported(doc, r.table, r.id, region, r.fields, author, at)
      }, LOCAL_EDIT)
      done += chunk.length
      options.onProgress?.({ phase: 'write', done, total: creates.length })
      await options.betweenChunks?.()
    }
  }
}

/** Imports an already read legacy file. See ImportOptions and ImportReport. */
export async function importLegacyFile(file: LegacyFile, options: ImportOptions): Promise<ImportReport> {
  const regions = options.regions ?? DEFAULT_REGIONS.map((r) => r.slug)
  const pc = pcRegionOf(file, options.fileRegion, regions)
  const dryRun = options.dryRun ?? false
  const pcDoc = options.docs.get(pc.region)
  const ownDeletions = fileDeletions(file)
  const deleted = new Map<string, LegacyDeletion>(pcDoc ? recordedDeletions(pcDoc, pc.region) : [])
  for (const d of ownDeletions) deleted.set(`${d.table}:${d.legacyId}`, d.deletion)

  const total = [...file.tables.values()].reduce((sum, t) => sum + t.rows.length, 0)
  const plan = planImport({
    file,
    pc: pc.region,
    docs: options.docs,
    deleted,
    onRows: (done) => options.onProgress?.({ phase: 'plan', done, total }),
  })
  const notes: Reason[] = [...(pc.note ? [pc.note] : []), ...plan.notes]
  if (pcDoc === undefined) {
    notes.push(
      reasons.notMigrated(
        `bilgisayar bölgesi (${pc.region}) yazılamadığından bu dosyanın silme kayıtları ve satır kökenleri saklanmadı`,
        `the PC's region (${pc.region}) is not writable, so this file's deletions and row origins were not recorded`,
      ),
    )
  }

  const authorName = importAuthor(options.user)
  const at = (options.now?.() ?? new Date()).toISOString()
  const author: Author = { user: authorName, now: () => new Date(at) }
  if (!dryRun) {
    await writeRecords(plan.creates, options, authorName, at)
    if (pcDoc !== undefined) writeLedger(pcDoc, pc.region, plan.rows, ownDeletions)
  }
  const deletions = applyDeletions(ownDeletions, pc.region, options.docs, author, dryRun)
  return {
    version: file.version,
    pc: { region: pc.region, source: pc.source },
    dryRun,
    counts: countRows(plan.rows),
    rows: plan.rows,
    deletions,
    notes,
    users: legacyUserSummaries(file),
  }
}

/**
 * Reads a legacy file from its bytes and imports it. Throws LegacyFileError (bilingual, nothing
 * written) for a file that is not a legacy database or a v0 file without `fileRegion`.
 */
export async function importLegacy(bytes: Uint8Array, options: ImportOptions): Promise<ImportReport> {
  return importLegacyFile(await readLegacyFile(bytes, options), options)
}
