/**
 * Undo and redo of this session's own edits (the engine's, on this PC): each edit is kept as the
 * records it changed, their values before and after, and which value each changed field shows
 * right after it (`client:clock`, crdt/history.ts shownChanges). Undoing writes the old values
 * back as ordinary edits of the user (client/batchEdit.ts), only into fields that still show the
 * value this session wrote: a field someone changed since, another account or another PC, keeps
 * their value, and a value of this session's that lost a concurrent edit is not brought back over
 * the winner. Undoing a new record deletes it (softly), unless someone changed it since.
 *
 * Why not Y.UndoManager: it undoes by deleting the items an edit added and re-inserting those it
 * replaced. The relay refuses both (a field left without a value is a hard delete, and the
 * re-inserted `updated_by` names another account: a forged author, crdt/updateGuard.ts), and it
 * would skip validation and closed months. Written as edits, an undo is checked like any edit and
 * is itself an edit in the record's history. Edits made within `captureMs` of each other (a form
 * saved field by field, a pasted week) are one step.
 */
import { shownChanges } from '../crdt/history.ts'
import { locateRecord, type RegionDocuments } from '../crdt/periodDocs.ts'
import type { RecordFields } from '../crdt/records.ts'
import type { CellValue, TableName } from '../schema/tables.ts'
import type { RecordChange } from './batchEdit.ts'

/** One record as an edit left it. */
export interface EditedRecord {
  readonly table: TableName
  readonly id: string
  /** Undefined for a record the edit created. */
  readonly before: RecordFields | undefined
  readonly after: RecordFields
  /** Field → the value (`client:clock`) it showed right after the edit. */
  readonly shownAfter: ReadonlyMap<string, string>
}

interface Step {
  readonly region: string
  readonly records: EditedRecord[]
  at: number
}

export interface UndoOutcome {
  /** Records written back. */
  readonly changed: number
  /** Records left as they are: somebody changed them since. */
  readonly skipped: ReadonlyArray<{ readonly table: TableName; readonly id: string }>
}

export interface UndoOptions {
  /** Edits this close together are one step (default 500 ms). */
  readonly captureMs?: number
  /** Steps kept (default 100). */
  readonly depth?: number
}

/** What an undo asks of the engine: a record's shown values now, and writing changes as the user. */
export interface UndoTarget {
  shownNow(region: string, table: TableName, id: string): ReadonlyMap<string, string>
  write(region: string, changes: readonly RecordChange[], kind: 'undo' | 'redo'): void
}

const DELETED = 'deleted'

/** What each listed field of a record shows now, wherever among `docs` it lives. */
export function shownIn(docs: RegionDocuments, table: TableName, id: string): ReadonlyMap<string, string> {
  const found = locateRecord(docs, table, id)
  return found === undefined ? new Map() : shownChanges(found.doc, table, id)
}

/** The records an edit left (with their state before it), as undo keeps them. */
export function editedRecords(docs: RegionDocuments, records: ReadonlyArray<readonly [TableName, string, RecordFields | undefined]>): EditedRecord[] {
  const edited: EditedRecord[] = []
  for (const [table, id, before] of records) {
    const found = locateRecord(docs, table, id)
    if (found !== undefined) edited.push({ table, id, before, after: found.record, shownAfter: shownChanges(found.doc, table, id) })
  }
  return edited
}

/** The keys an edit changed on a record: its fields, deletion, and (a record it created) all it set. */
function changedKeys(record: EditedRecord): string[] {
  return [...record.shownAfter.keys()].filter((key) => record.before === undefined || (record.before[key] ?? null) !== (record.after[key] ?? null))
}

/** What writes `record` back to its state before the edit, when nobody changed what the edit wrote. */
function reversal(record: EditedRecord, shownNow: ReadonlyMap<string, string>): RecordChange | undefined {
  const keys = changedKeys(record)
  const stillOurs = keys.filter((key) => shownNow.get(key) === record.shownAfter.get(key))
  if (record.before === undefined) {
    // A created record is deleted only while all of it is still this edit's.
    const untouched = keys.length > 0 && stillOurs.length === keys.length && [...shownNow.keys()].every((key) => record.shownAfter.has(key))
    return untouched && (record.after.deleted_at ?? null) === null ? { table: record.table, id: record.id, changes: { deleted_at: DELETED } } : undefined
  }
  const changes: Record<string, CellValue> = {}
  for (const key of stillOurs) {
    if (key === 'moved_to') continue
    changes[key] = key === 'deleted_at' ? (record.before.deleted_at === null ? null : DELETED) : (record.before[key] ?? null)
  }
  return Object.keys(changes).length === 0 ? undefined : { table: record.table, id: record.id, changes }
}

export class UndoHistory {
  private undoSteps: Step[] = []
  private redoSteps: Step[] = []
  private readonly captureMs: number
  private readonly depth: number
  /** While an undo or redo writes, what it writes goes on the other stack. */
  private replaying: 'undo' | 'redo' | null = null
  private replayed: EditedRecord[] = []

  constructor(
    options: UndoOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.captureMs = options.captureMs ?? 500
    this.depth = options.depth ?? 100
  }

  get canUndo(): boolean {
    return this.undoSteps.length > 0
  }

  get canRedo(): boolean {
    return this.redoSteps.length > 0
  }

  /** Records one edit of the user's (or what an undo or redo being replayed wrote). */
  recorded(region: string, records: readonly EditedRecord[]): void {
    if (records.length === 0) return
    if (this.replaying !== null) {
      this.replayed.push(...records)
      return
    }
    this.redoSteps = []
    const now = this.now()
    const last = this.undoSteps.at(-1)
    if (last !== undefined && last.region === region && now - last.at < this.captureMs) {
      last.records.push(...records)
      last.at = now
      return
    }
    this.undoSteps.push({ region, records: [...records], at: now })
    if (this.undoSteps.length > this.depth) this.undoSteps.shift()
  }

  undo(target: UndoTarget): UndoOutcome | undefined {
    return this.replay('undo', target)
  }

  redo(target: UndoTarget): UndoOutcome | undefined {
    return this.replay('redo', target)
  }

  /** Forgets everything (the session ends). */
  clear(): void {
    this.undoSteps = []
    this.redoSteps = []
  }

  /**
   * Writes the newest step of one stack back, newest record first; what that wrote becomes a step
   * of the other stack. A write that is refused (a closed month, a value the schema refuses)
   * throws and leaves the step where it was: nothing was written.
   */
  private replay(kind: 'undo' | 'redo', target: UndoTarget): UndoOutcome | undefined {
    const [from, to] = kind === 'undo' ? [this.undoSteps, this.redoSteps] : [this.redoSteps, this.undoSteps]
    const step = from.at(-1)
    if (step === undefined) return undefined
    const changes: RecordChange[] = []
    const skipped: Array<{ table: TableName; id: string }> = []
    for (const edits of byRecord(step.records)) {
      // A record edited more than once in the step goes back to its state before the first edit.
      const first = edits[0] as EditedRecord
      const last = edits.at(-1) as EditedRecord
      const whole: EditedRecord = { table: first.table, id: first.id, before: first.before, after: last.after, shownAfter: mergeShown(edits) }
      const change = reversal(whole, target.shownNow(step.region, first.table, first.id))
      if (change === undefined) skipped.push({ table: first.table, id: first.id })
      else changes.push(change)
    }
    this.replaying = kind
    this.replayed = []
    try {
      if (changes.length > 0) target.write(step.region, changes, kind)
    } finally {
      this.replaying = null
    }
    from.pop()
    if (this.replayed.length > 0) to.push({ region: step.region, records: this.replayed, at: 0 })
    this.replayed = []
    return { changed: changes.length, skipped }
  }
}

/** A step's edits grouped by record, the record edited last first (an undo goes back in time). */
function byRecord(records: readonly EditedRecord[]): EditedRecord[][] {
  const groups = new Map<string, EditedRecord[]>()
  for (const record of records) {
    const key = `${record.table}\u0000${record.id}`
    const group = groups.get(key) ?? []
    groups.delete(key)
    group.push(record)
    groups.set(key, group)
  }
  return [...groups.values()].reverse()
}

/** Field → what it showed after the last of `edits` that changed it; other fields as the last edit left them. */
function mergeShown(edits: readonly EditedRecord[]): Map<string, string> {
  const shown = new Map<string, string>()
  for (const edit of edits) for (const key of changedKeys(edit)) shown.set(key, edit.shownAfter.get(key) as string)
  // Fields the step never changed count too: they tell a created record nobody else touched.
  for (const [key, value] of edits.at(-1)?.shownAfter ?? []) if (!shown.has(key)) shown.set(key, value)
  return shown
}
