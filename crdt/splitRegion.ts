/**
 * A round-1 region document (every record of a region in one doc) split into the region's master
 * document and its month documents (schema/periods.ts): what the relay does once with each region
 * of a round-1 data directory (relay/migrate.ts). Every record is written again as it reads now —
 * its fields, region, stamps and soft deletion — under its own id, into the document it belongs to;
 * the legacy import's ledger goes with the master data. A conflict nobody has resolved yet is
 * written again as one (see carryConflicts): the Çakışmalar screen lists it after the split as
 * before, with the same values and authors. A dated record whose date round 1 changed into
 * another month leaves a copy marked moved in each month it was in (see leaveBehind), as a move
 * does now. The round-1 doc itself is kept by the caller: the rest of its history (who wrote what
 * when, resolved conflicts) stays there.
 */
import * as Y from 'yjs'
import { recordConflicts, type Conflict } from './conflicts.ts'
import { markMoved } from './moves.ts'
import { periodByDate, periodOfDate, PERIOD_TABLES, type Period } from '../schema/periods.ts'
import { DELETE_FIELDS, META_FIELDS, TABLE_NAMES, TABLES, type CellValue, type TableName } from '../schema/tables.ts'
import { DELETIONS_MAP, PROVENANCE_MAP } from './legacy/ledger.ts'
import { readRecord, recordIds, tableMap, type RecordFields, type RecordMap } from './records.ts'
import { createRegionDoc } from './regionDoc.ts'
import { recordVersions } from './versions.ts'
import { currentItem, itemHistory, itemValues } from './yjsInternals.ts'

export interface SplitRegion {
  readonly master: Y.Doc
  readonly months: ReadonlyMap<Period, Y.Doc>
  /** Dated records whose date reads as no month (legacy text), kept in the month of `fallback`. */
  readonly undated: number
  readonly records: number
}

/** Fields a record carries over: its table's, then the metadata with the stamps last (crdt/records.ts reads authors by them). */
function copyOrder(table: TableName): string[] {
  const meta = META_FIELDS.filter((f) => f !== 'id' && f !== 'updated_at' && f !== 'updated_by')
  return [...Object.keys(TABLES[table].fields), ...meta, ...DELETE_FIELDS, 'updated_at', 'updated_by']
}

/** A record to write, and its unresolved conflicts (whose fields carryConflicts writes). */
interface Copy {
  readonly table: TableName
  readonly id: string
  readonly record: RecordFields
  readonly conflicts: readonly Conflict[]
}

function writeRecord(doc: Y.Doc, { table, id, record, conflicts }: Copy): void {
  const map: RecordMap = new Y.Map()
  const contested = new Set(conflicts.map((c) => c.field))
  for (const key of copyOrder(table)) {
    const value: CellValue | undefined = record[key]
    if (value !== null && value !== undefined && !contested.has(key)) map.set(key, value)
  }
  tableMap(doc, table).set(id, map)
}

/**
 * Yjs lets the higher client id win a concurrent set of a key. The split's documents write from
 * the upper half of the id space and the losers of carried conflicts from the lower half, so each
 * winner wins again.
 */
const HALF = 2 ** 31
const winnerId = (): number => HALF + Math.floor(Math.random() * HALF)
const loserId = (): number => Math.floor(Math.random() * HALF)

function newDoc(clientID: number): Y.Doc {
  const doc = createRegionDoc()
  doc.clientID = clientID
  return doc
}

function recordMap(doc: Y.Doc, { table, id }: Copy): RecordMap {
  return tableMap(doc, table).get(id) as RecordMap
}

function setStamps(map: RecordMap, at: CellValue | null, by: CellValue | null): void {
  if (at !== null) map.set('updated_at', at)
  if (by !== null) map.set('updated_by', by)
}

/**
 * Writes the contested fields of `copies` (already in `doc` without them) as conflicts again:
 * each losing value is set by a client of its own on a copy of `doc` that does not have the
 * field yet, stamped with its own author, and the winner is set in `doc` with its author and
 * then the record's own stamps; merged, the sets are concurrent and the winner wins.
 */
function carryConflicts(doc: Y.Doc, copies: readonly Copy[]): void {
  const base = Y.encodeStateAsUpdate(doc)
  // The n-th loser of every field in one client: two losers of one field need two clients,
  // since a client's second set would build on its first.
  const losers: Y.Doc[] = []
  for (const copy of copies) {
    const perField = new Map<string, number>()
    for (const conflict of copy.conflicts) {
      const n = perField.get(conflict.field) ?? 0
      perField.set(conflict.field, n + 1)
      if (losers[n] === undefined) {
        losers[n] = newDoc(loserId())
        Y.applyUpdate(losers[n], base)
      }
      const loser = losers[n]
      loser.transact(() => {
        const map = recordMap(loser, copy)
        map.set(conflict.field, conflict.lost_value)
        setStamps(map, conflict.lost_at, conflict.lost_by)
      })
    }
  }
  doc.transact(() => {
    for (const copy of copies) {
      const map = recordMap(doc, copy)
      const winners = new Map(copy.conflicts.map((c) => [c.field, c]))
      for (const [field, conflict] of winners) {
        map.set(field, conflict.value)
        setStamps(map, conflict.value_at, conflict.value_by)
      }
      setStamps(map, copy.record.updated_at ?? null, copy.record.updated_by ?? null)
    }
  })
  for (const loser of losers) {
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(loser, Y.encodeStateVector(doc)))
    loser.destroy()
  }
}

/**
 * The months the date field of record `id` named before month `now`, each with the last date it
 * had there. Round 1 moved a record between months by changing the field alone; the history of
 * the field is all that tells where it was.
 */
function earlierMonths(source: Y.Doc, table: TableName, id: string, field: string, now: Period): Map<Period, CellValue> {
  const out = new Map<Period, CellValue>()
  for (const { map } of recordVersions(tableMap(source, table), id)) {
    // Newest first: items from the current one back, the values a merged item holds from its last.
    for (const item of itemHistory(currentItem(map, field))) {
      const values = itemValues(item) ?? []
      for (let i = values.length - 1; i >= 0; i--) {
        const value = values[i]
        const period = periodOfDate(value)
        if (period !== undefined && period !== now && !out.has(period)) out.set(period, value as string)
      }
    }
  }
  return out
}

/** A record's copy for a month it was in before: it is written there, then marked moved to `to`. */
interface LeftBehind {
  readonly copy: Copy
  readonly to: Period
}

/**
 * Writes each copy into its month marked moved (crdt/moves.ts), stamped as the record is: whoever
 * looks for the record where its old date puts it (a legacy file imported again, crdt/legacy/homes.ts)
 * follows it to where it lives instead of writing it again, and the readers skip the copy.
 */
function leaveBehind(doc: Y.Doc, copies: readonly LeftBehind[]): void {
  doc.transact(() => {
    for (const { copy, to } of copies) {
      writeRecord(doc, copy)
      const at = typeof copy.record.updated_at === 'string' ? copy.record.updated_at : new Date().toISOString()
      markMoved(doc, copy.table, copy.id, to, { user: String(copy.record.updated_by ?? '') }, at)
    }
  })
}

/**
 * Splits `source`. A dated record with no readable date goes to month `fallback` (the month of
 * the migration), where the relay's guard lets an unreadable date stay (crdt/updateGuard.ts).
 */
export function splitRegionDoc(source: Y.Doc, fallback: Period): SplitRegion {
  const master = newDoc(winnerId())
  const months = new Map<Period, Y.Doc>()
  const month = (period: Period): Y.Doc => {
    let doc = months.get(period)
    if (doc === undefined) months.set(period, (doc = newDoc(winnerId())))
    return doc
  }
  let undated = 0
  let records = 0
  const inspectionMonth = new Map<string, Period>()
  const inspectionEarlier = new Map<string, readonly Period[]>()
  const behind = new Map<Y.Doc, LeftBehind[]>()
  const leave = (period: Period, entry: LeftBehind): void => {
    const doc = month(period)
    behind.set(doc, [...(behind.get(doc) ?? []), entry])
  }
  // Inspections before their results, which go where their inspection went.
  const order = [...TABLE_NAMES].sort((a, b) => rank(a) - rank(b))
  const byDoc = new Map<Y.Doc, Copy[]>()
  for (const table of order) {
    const rule = PERIOD_TABLES[table]
    for (const id of recordIds(source, table)) {
      const record = readRecord(source, table, id)
      if (record === undefined) continue
      records++
      let target: Y.Doc = master
      if (rule !== undefined) {
        let period: Period | undefined
        if ('byDate' in rule) period = periodByDate(table, record)
        else {
          const parent = record[rule.withParent]
          period = typeof parent === 'string' ? inspectionMonth.get(parent) : undefined
        }
        if (period === undefined) {
          undated++
          period = fallback
        }
        const to = period
        if ('byDate' in rule) {
          const earlier = earlierMonths(source, table, id, rule.byDate, to)
          for (const [before, date] of earlier) leave(before, { copy: { table, id, record: { ...record, [rule.byDate]: date }, conflicts: [] }, to })
          if (table === 'vehicle_inspections') inspectionEarlier.set(id, [...earlier.keys()])
        } else {
          const parent = record[rule.withParent]
          for (const before of typeof parent === 'string' ? (inspectionEarlier.get(parent) ?? []) : []) leave(before, { copy: { table, id, record, conflicts: [] }, to })
        }
        if (table === 'vehicle_inspections') inspectionMonth.set(id, to)
        target = month(to)
      }
      const copy: Copy = { table, id, record, conflicts: recordConflicts(source, table, id) }
      const list = byDoc.get(target)
      if (list === undefined) byDoc.set(target, [copy])
      else list.push(copy)
    }
  }
  for (const [doc, list] of byDoc) {
    // One transaction per document: a month of records is one update, not thousands.
    doc.transact(() => list.forEach((copy) => writeRecord(doc, copy)))
    const contested = list.filter((copy) => copy.conflicts.length > 0)
    if (contested.length > 0) carryConflicts(doc, contested)
  }
  for (const [doc, copies] of behind) leaveBehind(doc, copies)
  master.transact(() => {
    for (const name of [DELETIONS_MAP, PROVENANCE_MAP]) {
      const from = source.getMap<unknown>(name)
      const to = master.getMap<unknown>(name)
      for (const [key, value] of from) to.set(key, value)
    }
  })
  return { master, months, undated, records }
}

function rank(table: TableName): number {
  const rule = PERIOD_TABLES[table]
  return rule === undefined ? 0 : 'withParent' in rule ? 2 : 1
}

/** Whether a doc still holds dated records: a round-1 region document not yet split. */
export function holdsDatedRecords(doc: Y.Doc): boolean {
  for (const table of Object.keys(PERIOD_TABLES) as TableName[]) {
    for (const id of recordIds(doc, table)) if (readRecord(doc, table, id) !== undefined) return true
  }
  return false
}
