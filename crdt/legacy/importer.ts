/**
 * Importing a legacy file into a region's documents: plan (read-only), then create the missing
 * records in chunked transactions, then the ledger and the legacy deletions. This is the whole
 * import for the app's dialog (the editor's own region) and the core of the CLI's relay and peer
 * modes.
 *
 * A region is a master document and month documents (schema/periods.ts); the import writes each
 * record into its own (homes.ts). The months a file needs must be open before it is planned:
 * `monthsNeeded` lists them, or `openMonth` lets the import ask for them itself. A month that is
 * still not open is a PeriodNotOpenError before anything is written.
 *
 * Where a PC's settings go: a v0 file belongs to the region the user names; a v1/v2 file to the
 * `fileRegion` given, else its `admin_entry_region` setting (the region the PC entered rows
 * for), else the region most of its employees are in, else Ankara (the legacy default).
 */
import * as Y from 'yjs'
import { currentPeriod, documentName, type Period } from '../../schema/periods.ts'
import { DEFAULT_REGIONS, isRegionSlug, legacyRegionSlug } from '../../schema/regions.ts'
import { PeriodNotOpenError, type RegionDocuments } from '../periodDocs.ts'
import { LOCAL_EDIT, type Author } from '../regionDoc.ts'
import { applyDeletions, fileDeletions, planDeletions, type DeletionPlan, type DeletionReport, type FileDeletion } from './deletions.ts'
import { byRegion, probe, regionMonth } from './documents.ts'
import { deletionsMap, ledgerKey, provenanceMap, provenanceValue, recordedDeletions, type LegacyDeletion } from './ledger.ts'
import { planImport, type Plan, type PlannedRecord, type RowReport } from './plan.ts'
import { column, LegacyFileError, readLegacyFile, type LegacyFile, type LegacyVersion, type ReadOptions } from './reader.ts'
import { reasons, type Reason } from './reasons.ts'
import { legacyUserSummaries, type LegacyUserSummary } from './users.ts'
import { createImported, importAuthor } from './write.ts'

export type { DeletionReport } from './deletions.ts'

export interface ImportProgress {
  readonly phase: 'plan' | 'write'
  readonly done: number
  readonly total: number
}

interface ImportSettings extends ReadOptions {
  /** The importing user; records are stamped `updated_by = legacy-import:<user>`. */
  readonly user: string
  /** Required for a v0 file (it has no regions); for v1/v2 the PC's region, overriding admin_entry_region. */
  readonly fileRegion?: string
  /** The organization's region slugs, to tell a real admin_entry_region from a stray value. */
  readonly regions?: readonly string[]
  /** Plan and report only; the documents are not touched. */
  readonly dryRun?: boolean
  /** The import's time: its stamps, and the month of a dated row whose date names none (homes.ts). */
  readonly now?: () => Date
  readonly onProgress?: (progress: ImportProgress) => void
  /** Awaited between write chunks (a frame in the browser, so the dialog can redraw). */
  readonly betweenChunks?: () => Promise<void> | void
  /** Records per transaction (2000). */
  readonly chunkSize?: number
}

/** Where the import writes: the documents of each region it may write, by region slug. */
export interface ImportTarget {
  /** The editor's own region in the app, every region on the relay. */
  readonly documents: ReadonlyMap<string, RegionDocuments>
  /**
   * Opens month `period` of `region` in `documents`; called for each month the file needs
   * that is not open, before anything is planned for good. Without it such a month is a
   * PeriodNotOpenError (open them first, see monthsNeeded).
   */
  readonly openMonth?: (region: string, period: Period) => Promise<void> | void
}

export type ImportOptions = ImportSettings & ImportTarget

export interface TableCounts {
  read: number
  created: number
  present: number
  merged: number
  skipped: number
  /** Rows imported (created, present or merged) that carry a warning. */
  warnings: number
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
      if (!provenance.has(key)) provenance.set(key, provenanceValue(row.region, row.period, row.recordId))
    }
  }, LOCAL_EDIT)
}

/** Document `period` of `docs` (null: the master); planning has made sure it is open. */
function documentOf(docs: RegionDocuments, period: Period | null): Y.Doc {
  if (period === null) return docs.master
  const doc = docs.month(period)
  if (doc === undefined) throw new PeriodNotOpenError(docs.region, period)
  return doc
}

async function writeRecords(
  creates: readonly PlannedRecord[],
  documents: ReadonlyMap<string, RegionDocuments>,
  options: ImportSettings,
  author: string,
  at: string,
): Promise<void> {
  const chunkSize = options.chunkSize ?? 2000
  const byDocument = new Map<string, PlannedRecord[]>()
  for (const record of creates) {
    const name = documentName(record.region, record.period)
    const list = byDocument.get(name)
    if (list === undefined) byDocument.set(name, [record])
    else list.push(record)
  }
  // Master data first: what a month's records refer to is stored (and sent) before them.
  const ordered = [...byDocument.values()].sort((a, b) => Number(a[0].period !== null) - Number(b[0].period !== null))
  let done = 0
  for (const records of ordered) {
    const { region, period } = records[0]
    const doc = documentOf(documents.get(region)!, period)
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

interface Context {
  readonly file: LegacyFile
  readonly documents: ReadonlyMap<string, RegionDocuments>
  readonly pc: ReturnType<typeof pcRegionOf>
  readonly importMonth: Period
  readonly ownDeletions: readonly FileDeletion[]
  readonly onRows?: (done: number) => void
}

/** What finding the months a file needs takes of the import's options. */
export type MonthsOptions = Pick<ImportSettings, 'fileRegion' | 'regions' | 'now'> & ImportTarget

function contextOf(file: LegacyFile, options: MonthsOptions): Context {
  return {
    file,
    documents: options.documents,
    pc: pcRegionOf(file, options.fileRegion, options.regions ?? DEFAULT_REGIONS.map((r) => r.slug)),
    importMonth: currentPeriod(options.now?.() ?? new Date()),
    ownDeletions: fileDeletions(file),
  }
}

interface Planned {
  readonly plan: Plan
  readonly deletions: DeletionPlan
  /** Every month document the plan reads or writes. */
  readonly months: ReadonlySet<string>
  /** Those of them that are not open, sorted. */
  readonly missing: readonly string[]
}

/** Plans against the documents as they are: a month that is not open reads as empty and is noted. */
function planOnce(context: Context): Planned {
  const { file, documents, ownDeletions } = context
  const pc = context.pc.region
  const pcDocs = documents.get(pc)
  const deleted = new Map<string, LegacyDeletion>(pcDocs ? recordedDeletions(pcDocs.master, pc) : [])
  for (const d of ownDeletions) deleted.set(`${d.table}:${d.legacyId}`, d.deletion)
  const probed = probe(documents)
  const onRows = context.onRows ? { onRows: context.onRows } : {}
  const plan = planImport({ file, pc, documents: probed.documents, deleted, importMonth: context.importMonth, ...onRows })
  const deletions = planDeletions(ownDeletions, pc, probed.documents)
  const unopened = deletions.months.filter((name) => {
    const { region, period } = regionMonth(name)
    return documents.get(region)?.month(period) === undefined
  })
  return { plan, deletions, months: new Set([...probed.asked, ...deletions.months]), missing: [...new Set([...probed.missing, ...unopened])].sort() }
}

/**
 * The months of each region that importing `file` into the target's documents reads or writes,
 * each region's sorted: the months of its dated rows, those its deletions reach, and where
 * records already there have moved to. Only reads. A month can bring another (a record found in
 * it moved on), so a caller that opens them itself asks again until nothing new comes, or passes
 * `openMonth` and leaves that to the import.
 */
export function monthsNeeded(file: LegacyFile, options: MonthsOptions): Map<string, Period[]> {
  return byRegion(planOnce(contextOf(file, options)).months)
}

/** Whether month document `name` is open and holds nothing at all (no client has written it). */
function openAndEmpty(documents: ReadonlyMap<string, RegionDocuments>, name: string): boolean {
  const { region, period } = regionMonth(name)
  const doc = documents.get(region)?.month(period)
  return doc !== undefined && Y.encodeStateVector(doc).byteLength === 1
}

/** Plans until every month the plan needs is open, opening the missing ones through `openMonth`. */
async function planWithMonths(context: Context, openMonth: ImportTarget['openMonth']): Promise<Planned> {
  const asked = new Set<string>()
  let planned = planOnce(context)
  while (planned.missing.length > 0) {
    for (const name of planned.missing) {
      const { region, period } = regionMonth(name)
      // Asked for before and still not open: the caller cannot open it.
      if (openMonth === undefined || asked.has(name)) throw new PeriodNotOpenError(region, period)
      asked.add(name)
      await openMonth(region, period)
    }
    // The plan read each missing month as empty; months that opened empty (nothing written in
    // them yet, as in a first migration) leave it as it is, so it is not made again.
    if (planned.missing.every((name) => openAndEmpty(context.documents, name))) return planned
    planned = planOnce(context)
  }
  return planned
}

/** Imports an already read legacy file. See ImportOptions and ImportReport. */
export async function importLegacyFile(file: LegacyFile, options: ImportOptions): Promise<ImportReport> {
  const dryRun = options.dryRun ?? false
  const total = [...file.tables.values()].reduce((sum, t) => sum + t.rows.length, 0)
  const context: Context = { ...contextOf(file, options), onRows: (done) => options.onProgress?.({ phase: 'plan', done, total }) }
  const { documents, ownDeletions } = context
  const pc = context.pc.region
  const { plan, deletions: deletionPlan } = await planWithMonths(context, options.openMonth)
  const pcDocs = documents.get(pc)
  const notes: Reason[] = [...(context.pc.note ? [context.pc.note] : []), ...plan.notes]
  if (pcDocs === undefined) {
    notes.push(
      reasons.notMigrated(
        `bilgisayar bölgesi (${pc}) yazılamadığından bu dosyanın silme kayıtları ve satır kökenleri saklanmadı`,
        `the PC's region (${pc}) is not writable, so this file's deletions and row origins were not recorded`,
      ),
    )
  }

  const authorName = importAuthor(options.user)
  const at = (options.now?.() ?? new Date()).toISOString()
  const author: Author = { user: authorName, now: () => new Date(at) }
  if (!dryRun) {
    await writeRecords(plan.creates, documents, options, authorName, at)
    if (pcDocs !== undefined) writeLedger(pcDocs.master, pc, plan.rows, ownDeletions)
  }
  const deletions = applyDeletions(deletionPlan, author, dryRun)
  return {
    version: file.version,
    pc: { region: pc, source: context.pc.source },
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
