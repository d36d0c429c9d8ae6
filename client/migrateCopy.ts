/**
 * A device's round-1 copy of a region (one document for everything) after the relay has split
 * its regions into master and month documents (relay/migrate.ts). What the relay already had is
 * there in the new documents; what only this device had — edits made offline and never
 * acknowledged — is found in the copy by its items (the pending marks past the relay's durable
 * clocks) and written again into the new documents as ordinary edits under the same record ids,
 * once the region has synced. A field another office changed meanwhile is written concurrently
 * with that change (crdt/concurrentEdit.ts), so the two meet as a conflict, as they would have in
 * round 1, instead of this device's value overwriting the other unseen. The copy is then set
 * aside as a backup, never deleted.
 */
import * as Y from 'yjs'
import { setConcurrently } from '../crdt/concurrentEdit.ts'
import { recordConflicts } from '../crdt/conflicts.ts'
import { createRegionDoc, RecordError } from '../crdt/regionDoc.ts'
import { readRecord, tableMap, type RecordFields } from '../crdt/records.ts'
import { recordVersions } from '../crdt/versions.ts'
import { deleteIn, insertInto, locateRecord, restoreIn, updateIn, type RegionDocuments } from '../crdt/periodDocs.ts'
import { currentItem, itemHistory, itemsFrom, itemValues, placeOf } from '../crdt/yjsInternals.ts'
import type { Author } from '../crdt/regionDoc.ts'
import type { Bilingual } from '../schema/bilingual.ts'
import { BilingualError } from '../schema/bilingual.ts'
import { periodByDate, periodOfDate, PERIOD_TABLES, type Period } from '../schema/periods.ts'
import { isTableName, TABLES, type CellValue, type RecordInput, type TableName } from '../schema/tables.ts'
import { validateFields, validateRecord } from '../schema/validate.ts'
import type { LocalStore, RoundOneCopy } from './localStore.ts'
import { PendingChanges } from './pendingChanges.ts'

/** One record this device changed in its round-1 copy without the relay acknowledging it. */
export interface RoundOneEdit {
  readonly table: TableName
  readonly id: string
  /** The month the record belongs to (null: master data), as the copy reads it. */
  readonly period: Period | null
  /**
   * The month the relay has the record in, when the unacknowledged edits moved it from there
   * (its date changed month): the replay opens it too, to find the record and move it.
   */
  readonly relayPeriod: Period | null
  /** The fields the unacknowledged edits set, as the copy reads them now. */
  readonly fields: Readonly<Record<string, CellValue>>
  /** What those fields held before the edits, as the relay last had them from this device (none for a new record). */
  readonly acknowledged: Readonly<Record<string, CellValue>>
  /** The whole record as the copy reads it (to create it again if the relay never had it). */
  readonly record: RecordFields
}

/** The records the copy's unacknowledged edits touched, with the fields they set. */
export function unacknowledgedEdits(copy: RoundOneCopy): RoundOneEdit[] {
  const doc = createRegionDoc()
  for (const update of copy.stored.updates) Y.applyUpdate(doc, update)
  const durable = new Map(copy.stored.meta.durable)
  const pending = new PendingChanges(copy.stored.marks)
  pending.acknowledge(durable)
  const touched = new Map<string, { table: TableName; id: string; keys: Set<string> | 'all' }>()
  for (const client of pending.clients()) {
    for (const item of itemsFrom(doc, client, durable.get(client) ?? 0)) {
      const place = placeOf(item)
      if (place.kind === 'other' || !isTableName(place.root)) continue
      const id = place.kind === 'root' ? place.key : place.record
      if (id === null) continue
      const key = `${place.root}\u0000${id}`
      const entry = touched.get(key) ?? { table: place.root, id, keys: new Set<string>() }
      if (place.kind === 'root') entry.keys = 'all'
      else if (entry.keys !== 'all' && place.key !== null) entry.keys.add(place.key)
      touched.set(key, entry)
    }
  }
  const unsentFrom = new Map(pending.clients().map((client) => [client, durable.get(client) ?? 0]))
  const unsent = (client: number, clock: number): boolean => clock >= (unsentFrom.get(client) ?? Infinity)
  const edits: RoundOneEdit[] = []
  for (const { table, id, keys } of touched.values()) {
    const record = readRecord(doc, table, id)
    if (record === undefined) continue
    const names = keys === 'all' ? [...Object.keys(TABLES[table].fields), 'deleted_at'] : [...keys]
    const fields: Record<string, CellValue> = {}
    for (const name of names) if (Object.hasOwn(TABLES[table].fields, name) || name === 'deleted_at') fields[name] = record[name] ?? null
    const acknowledged: Record<string, CellValue> = {}
    if (keys !== 'all') {
      for (const name of Object.keys(fields)) {
        const value = acknowledgedValue(doc, table, id, name, unsent)
        if (value !== undefined) acknowledged[name] = value.value
      }
    }
    const period = periodInCopy(doc, table, record)
    const rule = PERIOD_TABLES[table]
    const dateBefore = rule !== undefined && 'byDate' in rule ? acknowledged[rule.byDate] : undefined
    const before = dateBefore === undefined ? undefined : periodOfDate(dateBefore)
    edits.push({ table, id, period, relayPeriod: before !== undefined && before !== period ? before : null, fields, acknowledged, record })
  }
  doc.destroy()
  return edits
}

/**
 * The value field `key` of a record had before the copy's unacknowledged items (`unsent`): the
 * newest one written before them. Undefined when the record had none (the relay never had it).
 */
function acknowledgedValue(doc: Y.Doc, table: TableName, id: string, key: string, unsent: (client: number, clock: number) => boolean): { value: CellValue } | undefined {
  const [live] = recordVersions(tableMap(doc, table), id)
  for (const item of itemHistory(live === undefined ? undefined : currentItem(live.map, key))) {
    const values = itemValues(item) ?? []
    // A merged item holds one client's consecutive values; each has its own clock.
    for (let i = values.length - 1; i >= 0; i--) {
      const value: unknown = values[i]
      if (!unsent(item.id.client, item.id.clock + i)) return { value: typeof value === 'string' || typeof value === 'number' ? value : null }
    }
  }
  return undefined
}

/**
 * Fields of `patch` another office changed after this device last heard from the relay: what the
 * relay holds is neither what this device had nor what it wrote. The date (a move) and references
 * (checked where they point) go the ordinary way.
 */
function changedMeanwhile(edit: RoundOneEdit, relay: RecordFields, patch: Readonly<Record<string, CellValue>>): Set<string> {
  const rule = PERIOD_TABLES[edit.table]
  const date = rule !== undefined && 'byDate' in rule ? rule.byDate : null
  const fields: Readonly<Record<string, { readonly references?: TableName }>> = TABLES[edit.table].fields
  return new Set(
    Object.keys(patch).filter(
      (f) => f !== date && fields[f]?.references === undefined && Object.hasOwn(edit.acknowledged, f) && (relay[f] ?? null) !== edit.acknowledged[f],
    ),
  )
}

function periodInCopy(doc: Y.Doc, table: TableName, record: RecordFields): Period | null {
  const rule = PERIOD_TABLES[table]
  if (rule === undefined) return null
  if ('byDate' in rule) return periodByDate(table, record) ?? null
  const parentId = record[rule.withParent]
  const parent = typeof parentId === 'string' ? readRecord(doc, rule.parent, parentId) : undefined
  return parent === undefined ? null : (periodByDate(rule.parent, parent) ?? null)
}

export interface ReplayResult {
  readonly written: number
  /** Edits that could not be written, with why (they stay in the backup copy). */
  readonly failed: ReadonlyArray<{ readonly edit: RoundOneEdit; readonly reason: Bilingual }>
}

/**
 * Writes the edits into the region's documents (the months they need open): fields the relay
 * already holds with the same value are skipped; a record the relay never had is created with its id.
 */
export function replayEdits(docs: RegionDocuments, edits: readonly RoundOneEdit[], author: Author): ReplayResult {
  let written = 0
  const failed: Array<{ edit: RoundOneEdit; reason: Bilingual }> = []
  // Parents before children: an inspection before its results, an employee before a timesheet.
  const ordered = [...edits].sort((a, b) => rank(a.table) - rank(b.table))
  for (const edit of ordered) {
    try {
      if (replayOne(docs, edit, author)) written++
    } catch (error) {
      if (!(error instanceof BilingualError)) throw error
      failed.push({ edit, reason: error.text })
    }
  }
  return { written, failed }
}

function rank(table: TableName): number {
  const rule = PERIOD_TABLES[table]
  return rule === undefined ? 0 : 'withParent' in rule ? 2 : 1
}

function replayOne(docs: RegionDocuments, edit: RoundOneEdit, author: Author): boolean {
  const { deleted_at: deletedAt, ...fields } = edit.fields
  const found = locateRecord(docs, edit.table, edit.id)
  if (found === undefined) {
    const input = Object.fromEntries(Object.keys(TABLES[edit.table].fields).map((f) => [f, edit.record[f] ?? null]))
    insertInto(docs, edit.table, input as RecordInput<TableName>, author, edit.id)
    if ((edit.record.deleted_at ?? null) !== null) deleteIn(docs, edit.table, edit.id, author)
    return true
  }
  // A value already there counts, shown or in conflict (a replay done before, whose copy a crash kept).
  const losing = new Set(recordConflicts(found.doc, edit.table, edit.id).map((c) => JSON.stringify([c.field, c.lost_value])))
  const patch = Object.fromEntries(Object.entries(fields).filter(([f, v]) => (found.record[f] ?? null) !== v && !losing.has(JSON.stringify([f, v]))))
  const deleted = found.record.deleted_at !== null
  const deletes = deletedAt !== undefined && deletedAt !== null
  let changed = false
  // A restore first, so that the fields set after it go into the live record.
  if (deletedAt === null && deleted) {
    restoreIn(docs, edit.table, edit.id, author)
    changed = true
  }
  // A record someone else deleted meanwhile refuses the fields: the edit is reported and stays in
  // the backup. Unless this edit deletes it as well.
  if (Object.keys(patch).length > 0 && !(deleted && deletes)) {
    if (deleted && deletedAt === undefined) throw new RecordError(edit.table, edit.id, 'deleted')
    validateRecord(edit.table, { ...found.record, ...validateFields(edit.table, patch, 'update') })
    const meanwhile = changedMeanwhile(edit, found.record, patch)
    const pick = (concurrent: boolean): Record<string, CellValue> => Object.fromEntries(Object.entries(patch).filter(([f]) => meanwhile.has(f) === concurrent))
    const ordinary = pick(false)
    if (Object.keys(ordinary).length > 0) updateIn(docs, edit.table, edit.id, ordinary as Partial<RecordInput<TableName>>, author)
    if (meanwhile.size > 0) {
      // Where the record lives now: the ordinary part may have moved it.
      const here = locateRecord(docs, edit.table, edit.id)
      if (here === undefined) throw new RecordError(edit.table, edit.id, 'not_found')
      setConcurrently(here.doc, edit.table, edit.id, pick(true), author)
    }
    changed = true
  }
  if (deletes && !deleted) {
    deleteIn(docs, edit.table, edit.id, author)
    changed = true
  }
  return changed
}

/** The round-1 copy of `region` on this device and what of it must still reach the relay. */
export async function readRoundOne(store: LocalStore, region: string): Promise<RoundOneEdit[] | undefined> {
  const copy = await store.readRoundOneCopy(region)
  return copy === undefined ? undefined : unacknowledgedEdits(copy)
}

/** What the user is told once a round-1 copy's edits were written again. */
export function replayNotice(region: string, result: ReplayResult): Bilingual {
  const failed = result.failed.length
  return {
    tr: `${region}: eski kopyadaki ${result.written} gönderilmemiş değişiklik yeni düzene yazıldı${failed > 0 ? `; ${failed} değişiklik yazılamadı (yedekte duruyor)` : ''}`,
    en: `${region}: ${result.written} unsent changes of the old copy were written to the new layout${failed > 0 ? `; ${failed} could not be written (they stay in the backup)` : ''}`,
  }
}

/** What the user is told when a round-1 copy with nothing left to send was set aside. */
export function retiredNotice(region: string): Bilingual {
  return {
    tr: `${region}: bu bilgisayardaki eski kopya yeni düzene geçirildi (yedeği saklandı)`,
    en: `${region}: this computer's old copy was moved to the new layout (a backup was kept)`,
  }
}
