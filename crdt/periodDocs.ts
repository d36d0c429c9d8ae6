/**
 * Writing a region's records across its documents (schema/periods.ts): master data into the
 * master document, dated records into their month's, a record whose date changes month moved
 * there (crdt/moves.ts). References are checked where they point: a timesheet's employee in the
 * master document, an inspection result's inspection in its own month.
 *
 * A write needs the documents it touches open; a writer that can open a month on the spot says so
 * (RegionDocuments.openMonth), otherwise a month that is not open is a PeriodNotOpenError, never a
 * record written somewhere else.
 */
import type * as Y from 'yjs'
import { BilingualError } from '../schema/bilingual.ts'
import { isPeriodTable, periodByDate, periodLabel, PERIOD_TABLES, type Period } from '../schema/periods.ts'
import { TABLES, type CellValue, type RecordInput, type TableName } from '../schema/tables.ts'
import { validateFields, validateRecord, ValidationError } from '../schema/validate.ts'
import { readRecord, recordIds, shownStamp, type RecordFields } from './records.ts'
import {
  checkReferences,
  deleteRecord,
  insertRecord,
  RecordError,
  resolveConflict,
  restoreRecord,
  updateRecord,
  type Author,
  type ReferenceLookup,
} from './regionDoc.ts'
import { bringBack, everMoved, markMoved, markSeen, movedTo, moveRecord, unseenEdits } from './moves.ts'

/** The documents of one region a writer has open. */
export interface RegionDocuments {
  readonly region: string
  readonly master: Y.Doc
  /** The open document of month `period`, if it is open here. */
  month(period: Period): Y.Doc | undefined
  /** Every open month. */
  months(): Iterable<readonly [Period, Y.Doc]>
  /**
   * Opens month `period` now, when the writer can (the sync engine: an empty doc at once, the
   * device's copy merging in after); without it a write into a month not open is refused.
   */
  openMonth?(period: Period): Y.Doc
}

/** A write needs a month whose document is not open on this device (yet). */
export class PeriodNotOpenError extends BilingualError {
  constructor(
    readonly region: string,
    readonly period: Period,
  ) {
    const label = periodLabel(period)
    super({ tr: `${label.tr} dönemi bu bilgisayarda açık değil`, en: `the period ${label.en} is not open on this computer` })
    this.name = 'PeriodNotOpenError'
  }
}

/** Where a live record is: its document, that document's month (null: master) and its fields. */
export interface LocatedRecord {
  readonly doc: Y.Doc
  readonly period: Period | null
  readonly record: RecordFields
}

/** Finds record `id` of `table` among the open documents; a moved copy is not it. */
export function locateRecord(docs: RegionDocuments, table: TableName, id: string): LocatedRecord | undefined {
  if (!isPeriodTable(table)) {
    const record = readRecord(docs.master, table, id)
    return record === undefined ? undefined : { doc: docs.master, period: null, record }
  }
  for (const [period, doc] of docs.months()) {
    const record = readRecord(doc, table, id)
    if (record !== undefined && (record.moved_to ?? null) === null) return { doc, period, record }
  }
  return undefined
}

/** References from a record in `doc`: master tables in the master document, dated ones beside it. */
function referencesFrom(docs: RegionDocuments, doc: Y.Doc): ReferenceLookup {
  return (table, id) => readRecord(isPeriodTable(table) ? doc : docs.master, table, id)
}

function openMonth(docs: RegionDocuments, period: Period): Y.Doc {
  const doc = docs.month(period) ?? docs.openMonth?.(period)
  if (doc === undefined) throw new PeriodNotOpenError(docs.region, period)
  return doc
}

/**
 * The month a record with (normalized) `fields` belongs to; null for master tables. An inspection
 * result goes with its inspection, which must be found (its month open).
 */
export function periodOf(docs: RegionDocuments, table: TableName, fields: Readonly<Record<string, CellValue>>): Period | null {
  const rule = PERIOD_TABLES[table]
  if (rule === undefined) return null
  if ('byDate' in rule) {
    const period = periodByDate(table, fields)
    // Validation has already required the date; this guards against a caller that skipped it.
    if (period === undefined) throw new ValidationError(table, rule.byDate, fields[rule.byDate], 'date')
    return period
  }
  const parentId = fields[rule.withParent]
  const parent = typeof parentId === 'string' ? locateRecord(docs, rule.parent, parentId) : undefined
  if (parent === undefined || parent.period === null) {
    throw new ValidationError(table, rule.withParent, parentId, 'reference', {
      tr: `${TABLES[rule.parent].label.tr} içinde böyle bir kayıt yok`,
      en: `no such record in ${TABLES[rule.parent].label.en}`,
    })
  }
  return parent.period
}

/** Inserts a record into the document it belongs to; returns its id and month. */
export function insertInto<T extends TableName>(
  docs: RegionDocuments,
  table: T,
  input: RecordInput<T>,
  author: Author,
  givenId?: string,
): { id: string; period: Period | null } {
  const fields = validateFields(table, input, 'insert')
  const period = periodOf(docs, table, fields)
  if (period !== null && docs.month(period) === undefined) {
    // Whatever can refuse the entry is checked before a month is opened for it: a refused entry
    // leaves no month behind. (A month not open holds nothing a new record could name.)
    validateRecord(table, fields)
    checkReferences(referencesFrom(docs, docs.master), table, fields)
  }
  const doc = period === null ? docs.master : openMonth(docs, period)
  return { id: insertRecord(doc, table, docs.region, input, author, referencesFrom(docs, doc), givenId), period }
}

function located(docs: RegionDocuments, table: TableName, id: string): LocatedRecord {
  const found = locateRecord(docs, table, id)
  if (found === undefined) throw new RecordError(table, id, 'not_found')
  return found
}

/** Live records of `childTable` in `doc` that belong to parent `id` (an inspection's results). */
function childrenOf(doc: Y.Doc, table: TableName, id: string): Array<[TableName, string, RecordFields]> {
  const out: Array<[TableName, string, RecordFields]> = []
  for (const [childTable, rule] of Object.entries(PERIOD_TABLES) as Array<[TableName, (typeof PERIOD_TABLES)[TableName]]>) {
    if (rule === undefined || !('withParent' in rule) || rule.parent !== table) continue
    for (const childId of recordIds(doc, childTable)) {
      const child = readRecord(doc, childTable, childId)
      if (child !== undefined && child[rule.withParent] === id && (child.moved_to ?? null) === null) out.push([childTable, childId, child])
    }
  }
  return out
}

/**
 * Changes fields of a record. A date that puts a dated record into another month moves it there,
 * with whatever belongs to it (an inspection's results), keeping its id.
 */
export function updateIn<T extends TableName>(docs: RegionDocuments, table: T, id: string, patch: Partial<RecordInput<T>>, author: Author): void {
  const found = located(docs, table, id)
  const changes = validateFields(table, patch, 'update')
  const next = { ...found.record, ...changes }
  const target = found.period === null ? null : (periodByDate(table, next) ?? found.period)
  if (target === found.period || found.period === null || target === null) {
    updateRecord(found.doc, table, id, patch, author, referencesFrom(docs, found.doc))
    return
  }
  if (found.record.deleted_at !== null) throw new RecordError(table, id, 'deleted')
  validateRecord(table, next)
  checkReferences(referencesFrom(docs, docs.month(target) ?? found.doc), table, changes)
  const to = openMonth(docs, target)
  const children = childrenOf(found.doc, table, id)
  moveRecord(found.doc, to, target, table, id, next, author)
  for (const [childTable, childId, child] of children) moveRecord(found.doc, to, target, childTable, childId, child, author)
}

export function deleteIn(docs: RegionDocuments, table: TableName, id: string, author: Author): void {
  deleteRecord(located(docs, table, id).doc, table, id, author)
}

export function restoreIn(docs: RegionDocuments, table: TableName, id: string, author: Author): void {
  restoreRecord(located(docs, table, id).doc, table, id, author)
}

export function resolveIn(
  docs: RegionDocuments,
  conflict: { conflict_id: string; table: TableName; record_id: string; field: string },
  value: CellValue,
  author: Author,
): void {
  resolveConflict(located(docs, conflict.table, conflict.record_id).doc, conflict, value, author)
}

/**
 * Hands on edits that offices made to moved records' old copies in `period` without having seen
 * the move (crdt/moves.ts), into the month each record lives in now, when that month is open.
 * Returns how many records were followed. A handed-on edit that no longer fits the record (say
 * it makes the shift invalid together with edits made since) stays in the old month's history.
 * Moves that crossed are settled first (settleHome).
 */
export function forwardMovedEdits(docs: RegionDocuments, period: Period, author: Author): number {
  const from = docs.month(period)
  if (from === undefined) return 0
  let followed = 0
  for (const table of Object.keys(PERIOD_TABLES) as TableName[]) {
    for (const id of recordIds(from, table)) {
      if (!everMoved(from, table, id)) continue
      settleHome(docs, table, id, author)
      if (movedTo(from, table, id) === null) continue
      const unseen = unseenEdits(from, table, id)
      if (unseen === undefined || docs.month(unseen.movedTo) === undefined) continue
      // Not there yet (the new month's copy is still on its way): handed on when it arrives.
      if (!applyUnseen(docs, table, id, unseen.changes, author)) continue
      markSeen(from, table, id, author)
      followed++
    }
  }
  return followed
}

/**
 * Moves of one record can cross, each office writing where the record lives as it last saw it:
 * one moves it into a month it opened on the spot and has not synced, beside the copy that once
 * moved away from there and is still marked so; or two offices move it back and forth at once.
 * A move seen half-way looks the same: its two edits are in two documents, which reach an office
 * one after the other. Then every copy can read as moved to another, the record living nowhere,
 * or two copies can read as living, the record shown twice. Whoever has the months open settles
 * it by the newest word on where the record lives — the stamp of the transaction that set a
 * copy's `moved_to` (a copy never marked: the one that created it) — so a move seen half-way
 * settles as the move finishes, whichever half came first: brought back where the newest mark
 * points when none lives (only when every copy points at a month open here that holds one, else
 * it may live in a month not open here), or kept in the copy living since the latest while the
 * others are marked moved to it (as seen: what they were given since stays in their month's
 * history). Stamps are in the documents, so every office that sees the crossing settles it the
 * same way; equal stamps go to the latest month, as before stamps counted. The other copies' unseen edits are then handed
 * on to it as usual.
 */
function settleHome(docs: RegionDocuments, table: TableName, id: string, author: Author): void {
  const copies: Array<{ readonly period: Period; readonly doc: Y.Doc; readonly movedTo: CellValue; readonly since: string }> = []
  for (const [period, doc] of docs.months()) {
    const record = readRecord(doc, table, id)
    if (record === undefined) continue
    const since = shownStamp(doc, table, id, 'moved_to').at ?? shownStamp(doc, table, id, 'created_at').at ?? ''
    copies.push({ period, doc, movedTo: record.moved_to ?? null, since })
  }
  const living = copies.filter((copy) => copy.movedTo === null)
  if (living.length > 1) {
    // Living since the latest; of copies living since one stamp, the one in the latest month.
    const home = living.reduce((a, b) => (b.since > a.since || (b.since === a.since && b.period > a.period) ? b : a))
    for (const copy of living) if (copy !== home) markMoved(copy.doc, table, id, home.period, author)
  } else if (living.length === 0 && copies.length > 0 && copies.every((copy) => copies.some((other) => other.period === copy.movedTo))) {
    // The newest mark says where it lives; of marks with one stamp, the one naming the latest month.
    const mark = copies.reduce((a, b) => (b.since > a.since || (b.since === a.since && String(b.movedTo) > String(a.movedTo)) ? b : a))
    const home = copies.find((copy) => copy.period === mark.movedTo) as (typeof copies)[number]
    bringBack(home.doc, table, id, author)
  }
}

/** Writes the old copy's unseen edits into the record where it lives; false when it is not found there. */
function applyUnseen(docs: RegionDocuments, table: TableName, id: string, changes: Readonly<Record<string, CellValue>>, author: Author): boolean {
  const found = locateRecord(docs, table, id)
  if (found === undefined) return false
  try {
    applyChanges(docs, table, found, changes, author)
  } catch (error) {
    if (!(error instanceof BilingualError)) throw error
  }
  return true
}

/**
 * Writes into a located record the values `changes` gives its fields and its deletion, as edits
 * of `author` — what an edit made elsewhere (a moved record's old copy, a round-1 copy) set. A
 * restore comes first and a deletion last, so field values reach a record restored by the same
 * changes, and a record deleted by them keeps its last values. Returns whether anything was
 * written; a change that does not fit the record (a ValidationError, a RecordError) is thrown.
 */
export function applyChanges(
  docs: RegionDocuments,
  table: TableName,
  found: LocatedRecord,
  changes: Readonly<Record<string, CellValue>>,
  author: Author,
): boolean {
  const { deleted_at: deletedAt, deleted_by: _deletedBy, ...fields } = changes
  const id = String(found.record.id)
  let deleted = found.record.deleted_at !== null
  let written = false
  if (deletedAt === null && deleted) {
    restoreIn(docs, table, id, author)
    deleted = false
    written = true
  }
  const patch = Object.fromEntries(Object.entries(fields).filter(([field, value]) => (found.record[field] ?? null) !== value))
  if (Object.keys(patch).length > 0 && !deleted) {
    updateIn(docs, table, id, patch as Partial<RecordInput<TableName>>, author)
    written = true
  }
  if (deletedAt !== undefined && deletedAt !== null && !deleted) {
    deleteIn(docs, table, id, author)
    written = true
  }
  return written
}
