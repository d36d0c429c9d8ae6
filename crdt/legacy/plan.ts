/**
 * Planning an import: every legacy row becomes a record to create, a record already there, a
 * duplicate of another row, or a skip with its reason. Planning only reads the documents, so
 * a dry run is a plan without the write phase.
 *
 * Tables go parents first, so a reference is remapped from the legacy integer to the record id
 * the parent row became (timesheet → employee, inspection → vehicle, driver and fault, result →
 * inspection, visit → vehicle and fault). A child lives in its parent's region: references never
 * cross regions. Within a region each record has its document (homes.ts), and a record already
 * there is looked for in that document.
 */
import type { Period } from '../../schema/periods.ts'
import { legacyRegionSlug } from '../../schema/regions.ts'
import { TABLES, type CellValue, type TableName } from '../../schema/tables.ts'
import type { RegionDocuments } from '../periodDocs.ts'
import { convertCell, shiftWarnings } from './convert.ts'
import { findAtHome, homeOf } from './homes.ts'
import { importedId } from './identity.ts'
import type { LegacyDeletion } from './ledger.ts'
import { column, type LegacyFile, type LegacyTable, type LegacyValue } from './reader.ts'
import { reasons, shown, type Reason } from './reasons.ts'

export type LegacyId = number | string

/**
 * - created: a new record (in a dry run: would be created);
 * - present: the record was already in the doc (an earlier import, another file, typed in Rainstaff);
 * - merged: another row of this file is the same record (see `duplicate` in its reasons);
 * - skipped: not imported, the reasons say why.
 */
export type Outcome = 'created' | 'present' | 'merged' | 'skipped'

export interface RowReport {
  /** Legacy table name. */
  readonly table: string
  /** The legacy integer id (the key for settings). */
  readonly legacyId: LegacyId
  /** Region slug the row went (or would go) to; for a skipped row the best one known. */
  readonly region: string
  /** The record the row is, null when skipped. */
  readonly recordId: string | null
  /** The month document the record is (or would be) in; null for master data and skipped rows. */
  readonly period: Period | null
  readonly outcome: Outcome
  /** Empty for a clean row; warnings for an imported one; the cause for a skipped one. */
  readonly reasons: readonly Reason[]
}

interface Row {
  table: string
  legacyId: LegacyId
  region: string
  recordId: string | null
  period: Period | null
  outcome: Outcome
  reasons: Reason[]
}

export interface PlannedRecord {
  readonly table: TableName
  readonly region: string
  /** Its month document, null for the master. */
  readonly period: Period | null
  readonly id: string
  readonly fields: Readonly<Record<string, CellValue>>
}

export interface PlanInput {
  readonly file: LegacyFile
  /** The PC's region: settings and shift templates go there; every row of a v0 file too. */
  readonly pc: string
  /** The documents this import may write, by region slug. Rows of other regions are skipped. */
  readonly documents: ReadonlyMap<string, RegionDocuments>
  /** Where a dated row goes whose date names no month (homes.ts): the import's month. */
  readonly importMonth: Period
  /** Legacy deletions of this PC, keyed `<table>:<legacy id>`. */
  readonly deleted: ReadonlyMap<string, LegacyDeletion>
  readonly onRows?: (done: number) => void
}

export interface Plan {
  readonly rows: readonly RowReport[]
  /** Records to create, parents before children. */
  readonly creates: readonly PlannedRecord[]
  /** File-level remarks: columns and tables not migrated. */
  readonly notes: readonly Reason[]
}

type ColumnIndex = ReadonlyMap<string, number>

type Resolved =
  | { readonly ok: true; readonly region: string; readonly period: Period | null; readonly id: string }
  | { readonly ok: false; readonly reason: Reason }

interface Spec {
  readonly table: TableName
  readonly idColumn: 'id' | 'key'
  /** The required reference whose record decides the row's region. */
  readonly parent?: string
  /** Where a row without a parent gets its region: its own column, the PC, or stock's `bolge`. */
  readonly region: 'row' | 'pc' | 'bolge'
}

const SPECS: readonly Spec[] = [
  { table: 'employees', idColumn: 'id', region: 'row' },
  { table: 'drivers', idColumn: 'id', region: 'row' },
  { table: 'vehicles', idColumn: 'id', region: 'row' },
  { table: 'vehicle_faults', idColumn: 'id', parent: 'vehicle_id', region: 'row' },
  { table: 'vehicle_inspections', idColumn: 'id', parent: 'vehicle_id', region: 'row' },
  { table: 'vehicle_inspection_results', idColumn: 'id', parent: 'inspection_id', region: 'row' },
  { table: 'vehicle_service_visits', idColumn: 'id', parent: 'vehicle_id', region: 'row' },
  { table: 'timesheets', idColumn: 'id', parent: 'employee_id', region: 'row' },
  { table: 'settings', idColumn: 'key', region: 'pc' },
  { table: 'shift_templates', idColumn: 'id', region: 'pc' },
  { table: 'stock_inventory', idColumn: 'id', region: 'bolge' },
]

/** Legacy tables that are not records: read by the ledger (deleted_records) and the relay (users). */
export const HANDLED_ELSEWHERE: ReadonlySet<string> = new Set(['deleted_records', 'users'])

/** The old file sync's settings: the relay replaces it, and a token must not travel in a doc. */
const SYNC_SETTINGS: ReadonlySet<string> = new Set(['sync_enabled', 'sync_url', 'sync_token'])

const SEP = '\u001f'

function cellOf(columns: ColumnIndex, cells: readonly LegacyValue[], name: string): LegacyValue {
  const index = columns.get(name)
  return index === undefined ? null : (cells[index] ?? null)
}

function legacyIdOf(value: LegacyValue): LegacyId {
  if (typeof value === 'number' || typeof value === 'string') return value
  return value === null ? 'NULL' : `<${value.byteLength} bytes>`
}

function differences(table: TableName, kept: Readonly<Record<string, CellValue>>, other: Readonly<Record<string, CellValue>>): string[] {
  const out: string[] = []
  for (const field in TABLES[table].fields) {
    const a = kept[field] ?? null
    const b = other[field] ?? null
    if (a !== b) out.push(`${field} ${shown(a)} ≠ ${shown(b)}`)
  }
  return out
}

type RowResult =
  | { readonly ok: true; readonly region: string; readonly period: Period | null; readonly id: string; readonly fields: Record<string, CellValue> }
  | { readonly ok: false; readonly region: string; readonly reason: Reason }

class Planner {
  private readonly rows: Row[] = []
  private readonly creates: PlannedRecord[] = []
  private readonly notes: Reason[] = []
  private readonly resolved = new Map<TableName, Map<string, Resolved>>()
  // A file holds a handful of distinct region spellings; slugifying each row's was the planner's top cost.
  private readonly slugs = new Map<string | null, string>()
  private done = 0

  constructor(private readonly input: PlanInput) {}

  run(): Plan {
    const { file } = this.input
    const known = new Set<string>([...SPECS.map((s) => s.table as string), ...HANDLED_ELSEWHERE, 'reports'])
    for (const spec of SPECS) this.planTable(spec)
    this.skipWholeTable(
      'reports',
      reasons.notMigrated(
        'eski rapor geçmişi alınmadı: eski bilgisayardaki xlsx dosyalarını gösterir',
        'legacy report history not imported: it points at xlsx files on the old PC',
      ),
    )
    for (const name of file.tables.keys()) {
      if (known.has(name)) continue
      const rows = file.tables.get(name)?.rows.length ?? 0
      this.notes.push(
        reasons.notMigrated(`bilinmeyen tablo ${name} (${rows} satır) alınmadı`, `unknown table ${name} (${rows} rows) not imported`),
      )
    }
    return { rows: this.rows, creates: this.creates, notes: this.notes }
  }

  private resolvedOf(table: TableName): Map<string, Resolved> {
    let map = this.resolved.get(table)
    if (map === undefined) this.resolved.set(table, (map = new Map()))
    return map
  }

  private skipWholeTable(name: string, why: Reason): void {
    const table = this.input.file.tables.get(name)
    if (table === undefined) return
    const idIndex = column(table, 'id')
    for (const cells of table.rows) {
      this.rows.push({ table: name, legacyId: legacyIdOf(cells[idIndex] ?? null), region: this.input.pc, recordId: null, period: null, outcome: 'skipped', reasons: [why] })
    }
  }

  private noteIgnoredColumns(spec: Spec, legacy: LegacyTable): void {
    const used = new Set<string>([...Object.keys(TABLES[spec.table].fields), spec.idColumn, 'region'])
    for (const name of legacy.columns) {
      if (used.has(name)) continue
      this.notes.push(
        reasons.notMigrated(
          `${legacy.name}.${name} sütunu alınmadı (Rainstaff'ta karşılığı yok; kayıt zamanları içe aktarma anıdır)`,
          `column ${legacy.name}.${name} not imported (no Rainstaff field; record stamps are the import time)`,
        ),
      )
    }
  }

  private planTable(spec: Spec): void {
    const legacy = this.input.file.tables.get(spec.table)
    if (legacy === undefined) return
    this.noteIgnoredColumns(spec, legacy)
    const groups = new Map<string, Array<{ row: Row; fields: Record<string, CellValue> }>>()
    const resolved = this.resolvedOf(spec.table)
    const idIndex = column(legacy, spec.idColumn)
    const columns: ColumnIndex = new Map(legacy.columns.map((name, i) => [name, i]))
    for (const cells of legacy.rows) {
      const legacyId = legacyIdOf(cells[idIndex] ?? null)
      const warnings: Reason[] = []
      const result = this.planRow(spec, columns, cells, legacyId, warnings)
      const row: Row = { table: spec.table, legacyId, region: result.region, recordId: null, period: null, outcome: 'skipped', reasons: warnings }
      this.rows.push(row)
      if (!result.ok) {
        warnings.push(result.reason)
        resolved.set(String(legacyId), { ok: false, reason: result.reason })
      } else {
        row.recordId = result.id
        row.period = result.period
        const key = result.region + SEP + result.id
        const members = groups.get(key)
        if (members === undefined) groups.set(key, [{ row, fields: result.fields }])
        else members.push({ row, fields: result.fields })
      }
      if (++this.done % 1000 === 0) this.input.onRows?.(this.done)
    }
    for (const members of groups.values()) this.classify(spec.table, members, resolved)
    this.input.onRows?.(this.done)
  }

  /**
   * One record, read from one or more rows. A clean row is preferred over rows with warnings
   * (the same shift typed twice, once with a negative break, keeps the valid break), otherwise
   * the first row (lowest legacy id) wins. The record is created unless its document has it
   * already; one edited into another month since is found there, and its rows report that month.
   */
  private classify(table: TableName, members: Array<{ row: Row; fields: Record<string, CellValue> }>, resolved: Map<string, Resolved>): void {
    const winner = members.find((m) => m.row.reasons.length === 0) ?? members[0]
    const { region } = winner.row
    const id = winner.row.recordId ?? ''
    const found = findAtHome(this.input.documents.get(region)!, table, id, winner.row.period)
    const existing = found?.record
    const period = found?.period ?? winner.row.period
    let target: Resolved = { ok: true, region, period, id }
    for (const member of members) member.row.period = period
    if (existing === undefined) {
      winner.row.outcome = 'created'
      this.creates.push({ table, region, period, id, fields: winner.fields })
    } else {
      winner.row.outcome = 'present'
      if (existing.deleted_at !== null) {
        // A deletion made in Rainstaff stands, and rows hanging off the record stay out too.
        winner.row.reasons.push(reasons.deletedInRainstaff(id))
        target = { ok: false, reason: reasons.parentDeleted(TABLES[table].label.en, id) }
      } else {
        const changed = differences(table, existing, winner.fields)
        if (changed.length > 0) winner.row.reasons.push(reasons.differs(changed))
      }
    }
    for (const member of members) {
      resolved.set(String(member.row.legacyId), target)
      if (member === winner) continue
      member.row.outcome = 'merged'
      member.row.reasons.push(reasons.duplicate(table, winner.row.legacyId))
      const changed = differences(table, winner.fields, member.fields)
      if (changed.length > 0) member.row.reasons.push(reasons.differs(changed))
    }
  }

  private slug(value: LegacyValue): string {
    const text = typeof value === 'string' ? value : value == null || value instanceof Uint8Array ? null : String(value)
    let slug = this.slugs.get(text)
    if (slug === undefined) this.slugs.set(text, (slug = legacyRegionSlug(text)))
    return slug
  }

  private ownRegion(columns: ColumnIndex, cells: readonly LegacyValue[]): string | undefined {
    if (this.input.file.version === 'v0') return undefined
    const index = columns.get('region')
    return index === undefined ? undefined : this.slug(cells[index] ?? null)
  }

  private planRow(spec: Spec, columns: ColumnIndex, cells: readonly LegacyValue[], legacyId: LegacyId, warnings: Reason[]): RowResult {
    const { table } = spec
    const own = this.ownRegion(columns, cells)
    let region = spec.region === 'pc' ? this.input.pc : spec.region === 'bolge' ? this.slug(cellOf(columns, cells, 'bolge')) : (own ?? this.input.pc)

    const deletion = this.input.deleted.get(`${table}:${legacyId}`)
    if (deletion !== undefined) {
      return { ok: false, region, reason: reasons.deletedInLegacy(this.input.pc, deletion.deleted_at, deletion.deleted_by) }
    }
    if (table === 'settings' && SYNC_SETTINGS.has(String(legacyId))) {
      return {
        ok: false,
        region,
        reason: reasons.notMigrated(
          'eski dosya eşitleme ayarı; yerini sunucu aldı (değeri kopyalanmadı)',
          'legacy file-sync setting; the relay replaces it (value not copied)',
        ),
      }
    }

    const fields: Record<string, CellValue> = {}
    const defs = TABLES[table].fields
    let parentPeriod: Period | null = null
    if (spec.parent !== undefined) {
      const parentTable = defs[spec.parent].references!
      const raw = cellOf(columns, cells, spec.parent)
      const parent = raw === null ? undefined : this.resolvedOf(parentTable).get(String(raw))
      if (raw === null || parent === undefined) {
        return { ok: false, region, reason: reasons.orphan(spec.parent, raw, parentTable) }
      }
      if (!parent.ok) {
        // A region that is not writable, or a parent deleted in Rainstaff, is the child's reason too.
        const inherited = parent.reason.code === 'parent_deleted' || parent.reason.code === 'region_unavailable'
        const reason = inherited ? parent.reason : reasons.parentSkipped(parentTable, raw, parent.reason)
        return { ok: false, region, reason }
      }
      if (own !== undefined && own !== parent.region) warnings.push(reasons.regionMismatch(own, parent.region, parentTable))
      region = parent.region
      parentPeriod = parent.period
      fields[spec.parent] = parent.id
    }
    if (!this.input.documents.has(region)) {
      return { ok: false, region, reason: reasons.regionUnavailable(region, [...this.input.documents.keys()]) }
    }

    for (const field in defs) {
      if (field === spec.parent) continue
      const def = defs[field]
      if (def.references !== undefined) {
        fields[field] = this.optionalReference(def.references, field, cellOf(columns, cells, field), region, warnings)
        continue
      }
      const converted = convertCell(table, field, def, cellOf(columns, cells, field), warnings)
      if (!converted.ok) return { ok: false, region, reason: converted.reason }
      fields[field] = converted.value
    }

    if (table === 'timesheets' || table === 'shift_templates') warnings.push(...shiftWarnings(fields))
    if (table === 'employees' && typeof fields.full_name === 'string' && !/\p{L}/u.test(fields.full_name)) {
      warnings.push(reasons.oddValue('full_name', fields.full_name, 'ad harf içermiyor', 'the name has no letters'))
    }
    if (table === 'stock_inventory' && typeof fields.seri_no === 'string' && /^\d+\s+\S/.test(fields.seri_no)) {
      warnings.push(
        reasons.oddValue(
          'seri_no',
          fields.seri_no,
          'seri no bir sayı ve boşlukla başlıyor (adet mi yazılmış?); olduğu gibi alındı',
          'the serial starts with a number and a space (a quantity typed in?); kept as is',
        ),
      )
    }
    const id = importedId(table, region, fields)
    if (id === undefined) return { ok: false, region, reason: reasons.missingRequired(TABLES[table].naturalKey ?? 'id') }
    const home = homeOf(table, fields, parentPeriod, this.input.importMonth)
    if (home.undated !== null) warnings.push(reasons.undated(home.undated, fields[home.undated], home.period))
    return { ok: true, region, period: home.period, id, fields }
  }

  /** Optional references follow the legacy ON DELETE SET NULL: a missing target empties the field. */
  private optionalReference(target: TableName, field: string, raw: LegacyValue, region: string, warnings: Reason[]): CellValue {
    if (raw === null || (typeof raw === 'string' && raw.trim() === '')) return null
    const found = this.resolvedOf(target).get(String(raw))
    if (found === undefined) {
      warnings.push(reasons.referenceDropped(field, raw, `${target} içinde yok`, `no such row in ${target}`))
      return null
    }
    if (!found.ok) {
      warnings.push(reasons.referenceDropped(field, raw, `hedef alınmadı (${found.reason.code})`, `its target was not imported (${found.reason.code})`))
      return null
    }
    if (found.region !== region) {
      warnings.push(reasons.referenceDropped(field, raw, `hedef ${found.region} bölgesinde`, `its target is in region ${found.region}`))
      return null
    }
    return found.id
  }
}

export function planImport(input: PlanInput): Plan {
  return new Planner(input).run()
}
