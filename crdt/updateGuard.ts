/**
 * The relay's guard: an incoming update may only produce what the schema allows, written by the
 * account that sent it. Two steps, because Yjs decides some things only while integrating:
 *
 * - `precheckUpdate` reads the decoded update before anything touches the doc: only map records
 *   and scalar values, no oversized text, and client ids that belong to this account. The relay
 *   runs the same checks as `precheckStructs` over what applying the update integrated, so each
 *   update is decoded once, and discards the transaction when they refuse.
 * - `checkTransaction` reads what integrating it did: every new item placed in the region layout
 *   (tables of record maps under well-formed ids, known fields of the right type, stamps naming
 *   the account, required fields on a new record, references to records that exist) and every
 *   deletion an overwrite, never a record or field key removed.
 *
 * Neither looks at a client's clock: office PCs have wrong clocks, and the relay's own receive
 * time and account are what the update log records. Cross-field rules (a shift's length) are left
 * to entry validation: two honest concurrent edits may combine into a shift neither typed.
 */
import * as Y from 'yjs'
import type { Bilingual } from '../schema/bilingual.ts'
import { naturalId } from '../schema/identity.ts'
import { storedValueProblem, isStamp, type StoredValueProblem } from '../schema/storedValue.ts'
import { isTableName, LONG_TEXT_MAX, MOVE_FIELDS, TABLES, type TableName } from '../schema/tables.ts'
import { isPeriod, isPeriodTable, PERIOD_TABLES, periodByDate, tableBelongsIn, type Period } from '../schema/periods.ts'
import { DELETIONS_MAP, PROVENANCE_MAP } from './legacy/ledger.ts'
import { IMPORT_AUTHOR_PREFIX } from './legacy/write.ts'
import { RESOLVED_MAP } from './records.ts'
import { addedStructs, createdMap, currentItem, deletedItems, hasMissingDependencies, itemValue, knewEarlierItem, parentType, placeOf, previousItem } from './yjsInternals.ts'

export type RefusalCode =
  | 'bad_content'
  | 'unknown_root'
  | 'not_a_record'
  | 'bad_record_id'
  | 'record_replaced'
  | 'unknown_field'
  | 'bad_value'
  | 'missing_required'
  | 'dangling_reference'
  | 'wrong_region'
  | 'forged_author'
  | 'missing_stamp'
  | 'hard_delete'
  | 'client_id_taken'
  | 'missing_dependencies'
  | 'read_only'
  | 'wrong_document'
  | 'outdated_copy'

export interface Refusal {
  readonly code: RefusalCode
  readonly message: Bilingual
}

export interface GuardContext {
  /** The region slug the doc belongs to: every record's `region`. */
  readonly region: string
  /** The authenticated account: every stamp must name it. */
  readonly account: string
  /** The month the document holds (schema/periods.ts); absent or null: the region's master document. */
  readonly period?: Period | null
  /**
   * Whether the region's master document has ever had record `id` of master table `table`: how a
   * month's document checks a timesheet's employee. Absent: checked in the document itself.
   */
  readonly masterHas?: (table: TableName, id: string) => boolean
}

/** Codes after which the same bytes may succeed later (the relay lacks what they build on). */
export const RETRYABLE: ReadonlySet<RefusalCode> = new Set(['missing_dependencies'])

const refuse = (code: RefusalCode, tr: string, en: string): Refusal => ({ code, message: { tr, en } })

const VALUE_TEXT: Record<StoredValueProblem, Bilingual> = {
  required: { tr: 'zorunlu alan boş', en: 'required field is empty' },
  type: { tr: 'değer türü yanlış', en: 'wrong value type' },
  length: { tr: 'metin çok uzun', en: 'text too long' },
  date: { tr: 'tarih YYYY-AA-GG olmalı', en: 'date must be YYYY-MM-DD' },
  time: { tr: 'saat SS:DD olmalı', en: 'time must be HH:MM' },
  flag: { tr: '0 veya 1 olmalı', en: 'must be 0 or 1' },
  oneOf: { tr: 'izin verilen değerlerden biri olmalı', en: 'must be one of the allowed values' },
  min: { tr: 'değer çok küçük', en: 'value too small' },
  integer: { tr: 'tam sayı olmalı', en: 'must be an integer' },
}

/** Stamps and soft-delete fields every record may carry besides its table's fields. */
const STAMP_FIELDS = new Set(['created_at', 'updated_at', 'deleted_at'])
const AUTHOR_FIELDS = new Set(['updated_by', 'deleted_by'])
const RECORD_ID = /^[0-9A-Za-z_-]{8,64}$/
const CONFLICT_ID = /^\d{1,20}:\d{1,20}$/

function isScalar(value: unknown): boolean {
  return value === null || (typeof value === 'string' && value.length <= LONG_TEXT_MAX) || (typeof value === 'number' && Number.isFinite(value))
}

/**
 * Checks the decoded update before it is applied. `owner(client)` is the account a Yjs client id
 * is bound to (undefined when unbound); `known(client)` the doc's clock for it. Returns the client
 * ids that write new structs, for binding once the update is accepted.
 */
export function precheckUpdate(
  update: Uint8Array,
  ctx: GuardContext,
  owner: (client: number) => string | undefined,
  known: (client: number) => number,
): { refusal: Refusal | null; writers: number[] } {
  return precheckStructs(Y.decodeUpdate(update).structs, ctx, owner, known)
}

/**
 * precheckUpdate's checks over structs already at hand, so an update need not be decoded twice:
 * the relay runs them on what applying it integrated (addedStructs of its transaction, with
 * `known` its before-state) and discards the transaction when they refuse.
 */
export function precheckStructs(
  structs: Iterable<Y.Item | Y.GC | Y.Skip>,
  ctx: GuardContext,
  owner: (client: number) => string | undefined,
  known: (client: number) => number,
): { refusal: Refusal | null; writers: number[] } {
  const writers = new Set<number>()
  for (const struct of structs) {
    const { client, clock } = struct.id
    if (clock + struct.length <= known(client)) continue
    writers.add(client)
    if (!(struct instanceof Y.Item)) continue
    const content = struct.content
    if (content instanceof Y.ContentType) {
      if (!(content.type instanceof Y.Map)) return { refusal: refuse('bad_content', 'kayıt bir harita (Y.Map) olmalı', 'a record must be a map (Y.Map)'), writers: [] }
    } else if (content instanceof Y.ContentAny) {
      if (content.arr.length !== 1) return { refusal: refuse('bad_content', 'bir alan tek değer tutar', 'a field holds one value'), writers: [] }
      const value = content.arr[0]
      const ok = isScalar(value) || (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every(isScalar))
      if (!ok) return { refusal: refuse('bad_value', 'alan değeri metin, sayı veya boş olmalı', 'a field value must be text, a number or empty'), writers: [] }
    } else if (!(content instanceof Y.ContentDeleted)) {
      return { refusal: refuse('bad_content', 'bu tür içerik kayıtlarda yer almaz', 'records hold no content of this kind'), writers: [] }
    }
  }
  for (const client of writers) {
    const bound = owner(client)
    if (bound !== undefined && bound !== ctx.account) {
      return {
        refusal: refuse('client_id_taken', `istemci kimliği ${client} başka bir hesaba ait`, `client id ${client} belongs to another account`),
        writers: [],
      }
    }
  }
  return { refusal: null, writers: [...writers] }
}

/** Whether `doc` has ever had record `id` of `table` (deleted ones too: a reference may outlive its target's deletion). */
export function documentHas(doc: Y.Doc, table: TableName, id: string): boolean {
  return currentItem(doc.getMap(table), id) !== undefined
}

/** Master records are looked up in the master document when this is a month's. */
function referenceExists(doc: Y.Doc, table: TableName, id: string, ctx: GuardContext): boolean {
  if (ctx.period != null && !isPeriodTable(table) && ctx.masterHas !== undefined) return ctx.masterHas(table, id)
  return documentHas(doc, table, id)
}

/**
 * The month a dated record's date puts it in when that is not this document's month and the record
 * has not moved there (it must move, crdt/moves.ts); null when it is where it belongs. A date no
 * month can be read from (a legacy row's text) is left where it is.
 */
function outsideMonth(table: TableName, current: (key: string) => unknown, ctx: GuardContext): Period | null {
  const rule = PERIOD_TABLES[table]
  if (ctx.period == null || rule === undefined || !('byDate' in rule)) return null
  const movedTo = current('moved_to')
  if (typeof movedTo === 'string') return null
  const period = periodByDate(table, { [rule.byDate]: current(rule.byDate) })
  return period === undefined || period === ctx.period ? null : period
}

function isAuthor(value: unknown, ctx: GuardContext): boolean {
  return value === ctx.account || value === IMPORT_AUTHOR_PREFIX + ctx.account
}

/** A record touched by the transaction: its map item and what new items wrote into it. */
interface Touched {
  readonly table: TableName
  readonly id: string
  readonly recordItem: Y.Item
  readonly created: boolean
  readonly fields: Array<{ key: string; value: unknown; item: Y.Item }>
}

/** Checks what an applied update did to `doc` (see the module comment); null when it is allowed. */
export function checkTransaction(doc: Y.Doc, transaction: Y.Transaction, ctx: GuardContext): Refusal | null {
  if (hasMissingDependencies(doc)) {
    return refuse('missing_dependencies', 'güncelleme sunucuda olmayan değişikliklere dayanıyor; daha sonra yeniden gönderilecek', 'the update builds on changes the relay does not have; it will be sent again later')
  }
  const touched = new Map<Y.Item, Touched>()
  const touch = (table: TableName, id: string, recordItem: Y.Item, created: boolean): Touched => {
    let t = touched.get(recordItem)
    if (t === undefined) touched.set(recordItem, (t = { table, id, recordItem, created, fields: [] }))
    return t
  }
  for (const struct of addedStructs(transaction)) {
    if (!(struct instanceof Y.Item)) continue
    const place = placeOf(struct)
    if (place.kind === 'other') return refuse('not_a_record', 'öğe kayıt düzeninin dışında', 'item outside the record layout')
    if (place.kind === 'root') {
      const refusal =
        place.root === RESOLVED_MAP
          ? checkResolution(struct, place.key, ctx)
          : place.root === DELETIONS_MAP || place.root === PROVENANCE_MAP
            ? checkLedgerEntry(struct, place.root, place.key)
            : checkRecordItem(struct, place.root, place.key, ctx)
      if (refusal !== null) return refusal
      if (isTableName(place.root) && place.key !== null) touch(place.root, place.key, struct, true)
      continue
    }
    if (!isTableName(place.root) || place.record === null) return refuse('not_a_record', 'alan bir tablo kaydının içinde değil', 'field is not inside a table record')
    if (place.key === null) return refuse('not_a_record', 'kayıt haritasında anahtarsız öğe', 'keyless item in a record map')
    const table = place.root
    const moveField = isPeriodTable(table) && (MOVE_FIELDS as readonly string[]).includes(place.key)
    if (!Object.hasOwn(TABLES[table].fields, place.key) && !STAMP_FIELDS.has(place.key) && !AUTHOR_FIELDS.has(place.key) && place.key !== 'region' && !moveField) {
      return refuse('unknown_field', `${TABLES[table].label.tr}: "${place.key}" diye bir alan yok`, `${TABLES[table].label.en}: no field "${place.key}"`)
    }
    if (createdMap(struct) !== undefined || (itemValue(struct) === undefined && !struct.deleted)) {
      return refuse('bad_value', `${TABLES[table].label.tr}.${place.key}: alan iç içe tür tutamaz`, `${TABLES[table].label.en}.${place.key}: a field cannot hold a nested type`)
    }
    const record = touch(table, place.record, place.recordItem, false)
    const held = itemValue(struct)
    if (held !== undefined) record.fields.push({ key: place.key, value: held.value, item: struct })
  }
  for (const record of touched.values()) {
    const refusal = checkRecord(doc, record, ctx)
    if (refusal !== null) return refusal
  }
  return checkDeletions(transaction)
}

function checkRecordItem(item: Y.Item, root: string, key: string | null, ctx: GuardContext): Refusal | null {
  if (!isTableName(root)) return refuse('unknown_root', `belgede "${root}" diye bir tablo yok`, `the document has no table "${root}"`)
  if (!tableBelongsIn(root, ctx.period ?? null)) {
    return ctx.period == null
      ? refuse('wrong_document', `${TABLES[root].label.tr} aylık belgelerde tutulur (bölge/YYYY-AA)`, `${TABLES[root].label.en} live in the month documents (region/YYYY-MM)`)
      : refuse('wrong_document', `${TABLES[root].label.tr} bölgenin ana belgesinde tutulur`, `${TABLES[root].label.en} live in the region's master document`)
  }
  if (key === null) return refuse('not_a_record', 'tabloya anahtarsız öğe eklenemez', 'a table takes no keyless items')
  if (createdMap(item) === undefined) return refuse('not_a_record', `${TABLES[root].label.tr} ${key}: kayıt bir harita olmalı`, `${TABLES[root].label.en} ${key}: a record must be a map`)
  const natural = TABLES[root].naturalKey
  const wellFormed = natural === undefined ? RECORD_ID.test(key) : key.startsWith(natural + ':') && key.length <= natural.length + 1 + 200
  if (!wellFormed) return refuse('bad_record_id', `${TABLES[root].label.tr}: geçersiz kayıt kimliği`, `${TABLES[root].label.en}: malformed record id`)
  // Set over a record the writer had seen: that replaces the record, a hard delete in disguise.
  // Concurrent creations of one natural key have no origin: neither writer knew the other's.
  if (knewEarlierItem(item) && replacesRecord(item)) return refuse('record_replaced', `${TABLES[root].label.tr} ${key}: var olan kayıt yenisiyle değiştirilemez`, `${TABLES[root].label.en} ${key}: an existing record cannot be replaced`)
  return null
}

/** True when the item set under a key builds on a record map (not on a damaged, non-map entry). */
function replacesRecord(item: Y.Item): boolean {
  const previous = previousItem(item)
  return previous === null || createdMap(previous) !== undefined
}

function checkResolution(item: Y.Item, key: string | null, ctx: GuardContext): Refusal | null {
  const held = itemValue(item)
  const value = held?.value as Record<string, unknown> | undefined
  const ok =
    key !== null &&
    CONFLICT_ID.test(key) &&
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).length === 4 &&
    typeof value.table === 'string' &&
    isTableName(value.table) &&
    typeof value.record_id === 'string' &&
    value.record_id.length <= 256 &&
    isAuthor(value.by, ctx) &&
    isStamp(value.at)
  return ok ? null : refuse('bad_value', 'çakışma çözümü kaydı geçersiz', 'malformed conflict resolution')
}

/** The legacy import's ledger (crdt/legacy/ledger.ts): entries are only ever added, never changed. */
function checkLedgerEntry(item: Y.Item, root: string, key: string | null): Refusal | null {
  const value = itemValue(item)?.value
  const short = (v: unknown): boolean => v === null || (typeof v === 'string' && v.length <= 300)
  const ok =
    key !== null &&
    key.length <= 300 &&
    !knewEarlierItem(item) &&
    (root === PROVENANCE_MAP
      ? typeof value === 'string' && value.length <= 300
      : typeof value === 'object' &&
        value !== null &&
        Object.keys(value).every((k) => k === 'deleted_at' || k === 'deleted_by') &&
        short((value as Record<string, unknown>).deleted_at) &&
        short((value as Record<string, unknown>).deleted_by))
  return ok ? null : refuse('bad_value', 'içe aktarma kaydı geçersiz', 'malformed import ledger entry')
}

function checkRecord(doc: Y.Doc, record: Touched, ctx: GuardContext): Refusal | null {
  const def = TABLES[record.table]
  const where = { tr: `${def.label.tr} ${record.id}`, en: `${def.label.en} ${record.id}` }
  const map = createdMap(record.recordItem)
  const current = (key: string): unknown => {
    const item = map === undefined ? undefined : currentItem(map, key)
    return item === undefined ? undefined : itemValue(item)?.value
  }
  // Every value is signed by the updated_by its writer set right after it, in the same
  // transaction (crdt/regionDoc.ts); records.ts attributes values the same way.
  const stamps = record.fields.filter((f) => f.key === 'updated_by')
  const stampOf = (item: Y.Item): unknown => {
    let best: Y.Item | null = null
    let value: unknown
    for (const s of stamps) {
      if (s.item.id.client !== item.id.client || s.item.id.clock < item.id.clock) continue
      if (best === null || s.item.id.clock < best.id.clock) [best, value] = [s.item, s.value]
    }
    return best === null ? undefined : value
  }
  for (const { key, value, item } of record.fields) {
    const stamp = stampOf(item)
    if (stamp === undefined) {
      return refuse('missing_stamp', `${where.tr}: her değişiklik updated_by ile imzalanmalı`, `${where.en}: every change must carry updated_by`)
    }
    // A legacy import keeps what the old program stored; its stamp says so (crdt/legacy/write.ts).
    const legacy = typeof stamp === 'string' && stamp.startsWith(IMPORT_AUTHOR_PREFIX)
    if (AUTHOR_FIELDS.has(key)) {
      if (!(isAuthor(value, ctx) || (key === 'deleted_by' && value === null))) {
        return refuse('forged_author', `${where.tr}: ${key} oturum açan hesap olmalı (${ctx.account})`, `${where.en}: ${key} must be the signed-in account (${ctx.account})`)
      }
    } else if (STAMP_FIELDS.has(key)) {
      if (!(isStamp(value) || (key === 'deleted_at' && value === null))) {
        return refuse('bad_value', `${where.tr}: ${key} bir zaman damgası olmalı`, `${where.en}: ${key} must be a timestamp`)
      }
    } else if (key === 'region') {
      if (value !== ctx.region) return refuse('wrong_region', `${where.tr}: bölge ${ctx.region} olmalı`, `${where.en}: region must be ${ctx.region}`)
    } else if (key === 'moved_to') {
      if (!(value === null || (typeof value === 'string' && isPeriod(value) && value !== ctx.period))) {
        return refuse('bad_value', `${where.tr}: moved_to başka bir ay (YYYY-AA) olmalı`, `${where.en}: moved_to must be another month (YYYY-MM)`)
      }
    } else if (key === 'moved_seen') {
      if (!(value === null || typeof value === 'string')) return refuse('bad_value', `${where.tr}: moved_seen metin olmalı`, `${where.en}: moved_seen must be text`)
    } else {
      const field = def.fields[key]
      const problem = storedValueProblem(field, value, legacy)
      if (problem !== null) {
        const why = VALUE_TEXT[problem]
        return refuse('bad_value', `${where.tr}.${key}: ${why.tr}`, `${where.en}.${key}: ${why.en}`)
      }
      if (field.references !== undefined && typeof value === 'string' && !referenceExists(doc, field.references, value, ctx)) {
        const target = TABLES[field.references].label
        // From a month to master data the record may be on its way in the master document's own
        // connection (the writer checked it exists): send again later, as for missing Yjs dependencies.
        if (ctx.period != null && !isPeriodTable(field.references)) {
          return refuse('missing_dependencies', `${where.tr}.${key}: ${target.tr} kaydı sunucuda henüz yok; sonra yeniden gönderilecek`, `${where.en}.${key}: the ${target.en} record has not reached the relay yet; it will be sent again`)
        }
        return refuse('dangling_reference', `${where.tr}.${key}: ${target.tr} içinde böyle bir kayıt yok`, `${where.en}.${key}: no such record in ${target.en}`)
      }
    }
  }
  const wrongMonth = outsideMonth(record.table, current, ctx)
  if (wrongMonth !== null) {
    return refuse('wrong_document', `${where.tr}: tarihi ${wrongMonth} ayında; kayıt o ayın belgesine taşınmalı`, `${where.en}: its date is in ${wrongMonth}; the record must move to that month's document`)
  }
  if (record.created) {
    for (const key of ['region', 'created_at', 'updated_at', 'updated_by', ...Object.keys(def.fields).filter((f) => def.fields[f].required)]) {
      const value = current(key)
      if (value === undefined || value === null) {
        return refuse('missing_required', `${where.tr}: yeni kayıtta ${key} eksik`, `${where.en}: a new record needs ${key}`)
      }
    }
  }
  // A natural key written later must still give the record's id: a renamed plate or serial would
  // leave the record under the old key while a new entry of the new key makes a second one.
  const key = def.naturalKey
  if (key !== undefined && (record.created || record.fields.some((f) => f.key === key)) && naturalId(record.table, { [key]: current(key) }) !== record.id) {
    return refuse('bad_record_id', `${where.tr}: kimlik ${key} alanından türemeli`, `${where.en}: the id must derive from ${key}`)
  }
  return null
}

/**
 * Deleting is only ever an overwrite: after the update every key that lost an item still holds a
 * live one. A record map that lost a concurrent creation takes its fields with it; then the
 * record's key under the table must still be live.
 */
function checkDeletions(transaction: Y.Transaction): Refusal | null {
  const checked = new Map<object, Set<string>>()
  for (const item of deletedItems(transaction)) {
    const place = placeOf(item)
    if (place.kind === 'other' || place.key === null) return refuse('hard_delete', 'kayıt düzeninden öğe silinemez', 'items cannot be removed from the record layout')
    let type = parentType(item)
    let key = place.key
    if (place.kind === 'field' && place.recordItem.deleted) {
      if (place.record === null) return refuse('hard_delete', 'kayıt silinemez', 'a record cannot be removed')
      type = parentType(place.recordItem)
      key = place.record
    }
    let keys = checked.get(type)
    if (keys === undefined) checked.set(type, (keys = new Set()))
    if (keys.has(key)) continue
    keys.add(key)
    const live = currentItem(type, key)
    if (live === undefined || live.deleted) {
      return refuse('hard_delete', `"${key}" silinemez; silmek için kaydın deleted_at alanı kullanılır`, `"${key}" cannot be removed; a record is deleted by setting its deleted_at`)
    }
  }
  return null
}
