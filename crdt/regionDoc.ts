/**
 * Writing records into a region document. Every change runs in one Yjs transaction that validates
 * first (a rejected edit writes nothing), then sets the changed fields, then stamps `updated_at`
 * and `updated_by` — in that order, because crdt/records.ts finds the author of a value by the
 * stamps that follow it in the same transaction.
 */
import * as Y from 'yjs'
import { naturalId, randomId } from '../schema/identity.ts'
import { TABLES, type CellValue, type RecordInput, type TableName } from '../schema/tables.ts'
import { validateFields, validateRecord, ValidationError } from '../schema/validate.ts'
import { readRecord, RESOLVED_MAP, tableMap, type RecordFields, type RecordMap, type ResolvedConflict } from './records.ts'
import { BilingualError } from '../schema/bilingual.ts'

/** Who makes an edit, and the clock that stamps it (injectable so tests control time). */
export interface Author {
  user: string
  now?: () => Date
}

/** Transaction origin of edits made through this module: the sync engine sends these. */
export const LOCAL_EDIT = 'rainstaff:local-edit'

/** A region doc. GC stays off: losing values of concurrent edits are the conflict history. */
export function createRegionDoc(): Y.Doc {
  return new Y.Doc({ gc: false })
}

export type RecordErrorCode = 'not_found' | 'deleted' | 'exists' | 'damaged'

const RECORD_ERROR_TEXT: Record<RecordErrorCode, readonly [string, string]> = {
  not_found: ['kayıt bulunamadı', 'record not found'],
  deleted: ['kayıt silinmiş; önce geri alın', 'record is deleted; restore it first'],
  exists: ['bu kayıt zaten var; var olan kaydı açıp düzenleyin', 'this record already exists; open and edit the existing one'],
  damaged: [
    'kayıt bozuk ve düzenlenemiyor; yönetici `rainstaff doctor --repair` çalıştırmalı',
    'the record is damaged and cannot be edited; an administrator must run `rainstaff doctor --repair`',
  ],
}

/**
 * A write that cannot apply to the record as it is. `exists` carries the id of the record a new
 * entry's natural key (plate, serial, name, setting key) already names, so a caller can offer it.
 */
export class RecordError extends BilingualError {
  readonly table: TableName
  readonly id: string
  readonly code: RecordErrorCode

  constructor(table: TableName, id: string, code: RecordErrorCode) {
    const [tr, en] = RECORD_ERROR_TEXT[code]
    // A clerk reads the table and the reason; the record id is for logs.
    super(
      { tr: `${TABLES[table].label.tr}: ${tr}`, en: `${TABLES[table].label.en}: ${en}` },
      { message: `${TABLES[table].label.tr} ${id}: ${tr} / ${TABLES[table].label.en} ${id}: ${en}` },
    )
    this.name = 'RecordError'
    this.table = table
    this.id = id
    this.code = code
  }
}

/** The time an edit is stamped with. */
export function timestamp(author: Author): string {
  return (author.now?.() ?? new Date()).toISOString()
}

/**
 * Finds the record a reference names. A month's timesheet names an employee of the region's master
 * document (crdt/periodDocs.ts passes that lookup); by default the record's own document.
 */
export type ReferenceLookup = (table: TableName, id: string) => RecordFields | undefined

function sameDocument(doc: Y.Doc): ReferenceLookup {
  return (table, id) => readRecord(doc, table, id)
}

/** References must name a live record of the region: no timesheet for a ghost employee. */
export function checkReferences(lookup: ReferenceLookup, table: TableName, fields: Readonly<Record<string, CellValue>>): void {
  for (const [field, def] of Object.entries(TABLES[table].fields)) {
    const target = def.references
    const value = fields[field]
    if (target === undefined || typeof value !== 'string') continue
    const record = lookup(target, value)
    if (record === undefined || record.deleted_at !== null || (record.moved_to ?? null) !== null) {
      throw new ValidationError(table, field, value, 'reference', {
        tr: `${TABLES[target].label.tr} içinde böyle bir kayıt yok`,
        en: `no such record in ${TABLES[target].label.en}`,
      })
    }
  }
}

/** Sets the fields of `changes` that differ from `record`; whether anything was set. */
export function setChanged(map: RecordMap, record: RecordFields | undefined, changes: Readonly<Record<string, CellValue>>): boolean {
  let changed = false
  for (const [field, value] of Object.entries(changes)) {
    if (record !== undefined && Object.hasOwn(record, field) && record[field] === value) continue
    map.set(field, value)
    changed = true
  }
  return changed
}

/** The stamps close every edit's transaction: crdt/records.ts finds an edit's author by them. */
export function stamp(map: RecordMap, author: Author, at: string): void {
  map.set('updated_at', at)
  map.set('updated_by', author.user)
}

/**
 * Inserts a record and returns its id. A live record under the same natural key (the plate was
 * entered before) is never touched: the insert throws RecordError `exists` naming it, because a
 * form's blank fields would otherwise wipe what the record holds. A soft-deleted one is restored
 * with the fields this entry fills in; fields left blank keep the values the record had.
 */
export function insertRecord<T extends TableName>(
  doc: Y.Doc,
  table: T,
  region: string,
  input: RecordInput<T>,
  author: Author,
  references: ReferenceLookup = sameDocument(doc),
  /** The id a record without a natural key is to have (a record written again, client/migrateCopy.ts). */
  givenId?: string,
): string {
  const fields = validateFields(table, input, 'insert')
  validateRecord(table, fields)
  checkReferences(references, table, fields)
  const id = naturalId(table, fields) ?? givenId ?? randomId()
  const previous = readRecord(doc, table, id)
  if (previous !== undefined && previous.deleted_at === null) throw new RecordError(table, id, 'exists')
  const at = timestamp(author)
  doc.transact(() => {
    const records = tableMap(doc, table)
    const existing = records.get(id)
    // A damaged entry under the id (not a map, written before the relay's guard) is replaced by
    // the new record; the readers already showed it as absent or as its earlier maps.
    if (existing instanceof Y.Map && previous !== undefined) {
      const given = Object.fromEntries(
        Object.entries(fields).filter(([field, value]) => value !== null && (input as Record<string, unknown>)[field] !== undefined),
      )
      const changed = setChanged(existing, previous, { ...given, deleted_at: null, deleted_by: null })
      if (changed) stamp(existing, author, at)
      return
    }
    const map: RecordMap = new Y.Map()
    // Blank fields stay unset: if another office creates the same natural key concurrently,
    // its filled-in fields must show through rather than lose to our nulls.
    for (const [field, value] of Object.entries(fields)) if (value !== null) map.set(field, value)
    map.set('region', region)
    map.set('created_at', at)
    stamp(map, author, at)
    records.set(id, map)
  }, LOCAL_EDIT)
  return id
}

function liveMap(doc: Y.Doc, table: TableName, id: string, allowDeleted: boolean): [RecordMap, RecordFields] {
  const map = tableMap(doc, table).get(id)
  const record = readRecord(doc, table, id)
  // A record that moved to another month is found there (crdt/periodDocs.ts), not here.
  if (map === undefined || record === undefined || (record.moved_to ?? null) !== null) throw new RecordError(table, id, 'not_found')
  if (!(map instanceof Y.Map)) throw new RecordError(table, id, 'damaged')
  if (!allowDeleted && record.deleted_at !== null) throw new RecordError(table, id, 'deleted')
  return [map, record]
}

/**
 * A natural key (plate, serial, template name, setting key) is the record's id: changing it to a
 * value with another id would leave the record under the old key, so a later entry of the new
 * key makes a second record and one of the old key names this one. Another spelling of the same
 * key (`st 87088` for `ST87088`) is allowed.
 */
function checkKeyKept(table: TableName, id: string, changes: Readonly<Record<string, CellValue>>): void {
  const key = TABLES[table].naturalKey
  if (key === undefined || !Object.hasOwn(changes, key)) return
  if (naturalId(table, changes) !== id) throw new ValidationError(table, key, changes[key], 'identity')
}

/** Changes some fields of a live record. Only fields whose value changes are written. */
export function updateRecord<T extends TableName>(
  doc: Y.Doc,
  table: T,
  id: string,
  patch: Partial<RecordInput<T>>,
  author: Author,
  references: ReferenceLookup = sameDocument(doc),
): void {
  const changes = validateFields(table, patch, 'update')
  checkKeyKept(table, id, changes)
  const [map, record] = liveMap(doc, table, id, false)
  validateRecord(table, { ...record, ...changes })
  checkReferences(references, table, changes)
  doc.transact(() => {
    if (setChanged(map, record, changes)) stamp(map, author, timestamp(author))
  }, LOCAL_EDIT)
}

/** Soft delete: the record leaves every list but stays in the document, restorable. */
export function deleteRecord(doc: Y.Doc, table: TableName, id: string, author: Author): void {
  const [map, record] = liveMap(doc, table, id, true)
  if (record.deleted_at !== null) return
  const at = timestamp(author)
  doc.transact(() => {
    map.set('deleted_at', at)
    map.set('deleted_by', author.user)
    stamp(map, author, at)
  }, LOCAL_EDIT)
}

export function restoreRecord(doc: Y.Doc, table: TableName, id: string, author: Author): void {
  const [map, record] = liveMap(doc, table, id, true)
  if (record.deleted_at === null) return
  doc.transact(() => {
    map.set('deleted_at', null)
    map.set('deleted_by', null)
    stamp(map, author, timestamp(author))
  }, LOCAL_EDIT)
}

/**
 * Resolves a conflict: the field takes `value` (the kept one or the lost one) and the conflict is
 * marked resolved, so it leaves the list on every replica.
 */
export function resolveConflict(
  doc: Y.Doc,
  conflict: { conflict_id: string; table: TableName; record_id: string; field: string },
  value: CellValue,
  author: Author,
): void {
  const changes = validateFields(conflict.table, { [conflict.field]: value }, 'update')
  checkKeyKept(conflict.table, conflict.record_id, changes)
  const [map, record] = liveMap(doc, conflict.table, conflict.record_id, true)
  validateRecord(conflict.table, { ...record, ...changes })
  const at = timestamp(author)
  doc.transact(() => {
    if (setChanged(map, record, changes)) stamp(map, author, at)
    const resolution: ResolvedConflict = { table: conflict.table, record_id: conflict.record_id, by: author.user, at }
    doc.getMap<ResolvedConflict>(RESOLVED_MAP).set(conflict.conflict_id, resolution)
  }, LOCAL_EDIT)
}
