/**
 * The chaos run's record of what every peer did, and the end check of a SQLite copy against it
 * (the relay's /api/export/all.sqlite; by then every peer's export-sqlite is identical to it).
 *
 * Each record is edited only by the peer that created it, so its final state is known exactly:
 * the last value its owner gave each field, deleted or not. A command cut short by a crash was
 * either stored on the device or not; the driver reads the device back after the restart and
 * settles it here (`settle*`), before anything else touches that record. Shared plates are the
 * exception on purpose: a region's peers all insert them, concurrently, and each must end as one
 * record holding values somebody wrote.
 */
import type { Database } from 'better-sqlite3'
import { TABLE_NAMES, type CellValue } from '../../schema/tables.ts'
import { HOSTILE_MARK, isHostileAccount } from './hostile.ts'
import { READ_ONLY_MARK, TOKEN, type EditTable, type Fields } from './inputs.ts'

export interface OwnedRecord {
  readonly table: EditTable
  readonly region: string
  readonly owner: string
  readonly id: string
  /** The last value the owner gave each field it set. */
  readonly fields: Map<string, CellValue>
  deleted: boolean
  /** A command on it was cut short and is not settled yet; it takes no edits until then. */
  unsettled: boolean
  /** Edits (insert, updates, delete) that a missing record would take with it. */
  edits: number
}

/** A command that a crash cut short, waiting to be read back from its device. */
export type CutShort =
  | { readonly kind: 'insert'; readonly table: EditTable; readonly region: string; readonly marker: string; readonly token: string; readonly stored: Fields }
  | { readonly kind: 'shared'; readonly region: string; readonly id: string; readonly notes: CellValue; readonly km: CellValue }
  | { readonly kind: 'update'; readonly record: OwnedRecord; readonly field: string; readonly value: CellValue }
  | { readonly kind: 'delete'; readonly record: OwnedRecord }

interface SharedRecord {
  readonly region: string
  readonly notes: Set<CellValue>
  readonly km: Set<CellValue>
}

export interface Verdict {
  /** Edits that are not in the data. */
  readonly lost: number
  /** Extra copies of an edit (a token stored more than once, a plate twice). */
  readonly duplicates: number
  /** Rows or deletions nobody made. */
  readonly unexpected: number
  /** Writes by a user who may not write that region (the admin anywhere, an editor elsewhere). */
  readonly readOnlyLanded: number
  /** Traces of hostile writes: a value holding the hostile mark, a row written or deleted by a hostile account. */
  readonly hostileLanded: number
  /** What went wrong, for the report. */
  readonly problems: string[]
}

const key = (table: string, region: string, id: string): string => `${table}/${region}/${id}`

export class Ledger {
  private readonly owned = new Map<string, OwnedRecord>()
  private readonly byOwner = new Map<string, OwnedRecord[]>()
  private readonly shared = new Map<string, SharedRecord>()
  private readonly cutShort = new Map<string, CutShort[]>()
  /** username → the region it writes (editors only). */
  private readonly writers = new Map<string, string>()
  /** Edits the peers made (confirmed, or cut short and found stored on the device). */
  edits = 0
  /** Commands cut short by a crash, and how many of them the device had stored. */
  cutShortTotal = 0
  cutShortKept = 0

  addWriter(username: string, region: string): void {
    this.writers.set(username, region)
  }

  records(owner: string): readonly OwnedRecord[] {
    return this.byOwner.get(owner) ?? []
  }

  /** Any owner's records (for the admin's refused writes). */
  anyRecords(): readonly OwnedRecord[] {
    return [...this.owned.values()]
  }

  /** The owner's live records that may be edited now. */
  editable(owner: string, table?: EditTable): OwnedRecord[] {
    return this.records(owner).filter((r) => !r.deleted && !r.unsettled && (table === undefined || r.table === table))
  }

  inserted(owner: string, region: string, table: EditTable, id: string, stored: Fields): void {
    const k = key(table, region, id)
    if (this.owned.has(k)) throw new Error(`id ${id} given twice in ${table}/${region}`)
    const record: OwnedRecord = { table, region, owner, id, fields: new Map(Object.entries(stored)), deleted: false, unsettled: false, edits: 1 }
    this.owned.set(k, record)
    this.byOwner.set(owner, [...this.records(owner), record])
    this.edits++
  }

  updated(record: OwnedRecord, field: string, value: CellValue): void {
    record.fields.set(field, value)
    record.edits++
    this.edits++
  }

  deletedRecord(record: OwnedRecord): void {
    record.deleted = true
    record.edits++
    this.edits++
  }

  sharedInsert(region: string, id: string, notes: CellValue, km: CellValue): void {
    const k = key('vehicles', region, id)
    const record = this.shared.get(k) ?? { region, notes: new Set<CellValue>(), km: new Set<CellValue>() }
    record.notes.add(notes)
    record.km.add(km)
    this.shared.set(k, record)
    this.edits++
  }

  /** Notes a command of `owner` that a crash cut short. */
  cutShortBy(owner: string, command: CutShort): void {
    if (command.kind === 'update' || command.kind === 'delete') command.record.unsettled = true
    this.cutShort.set(owner, [...(this.cutShort.get(owner) ?? []), command])
    this.cutShortTotal++
  }

  /** The owner's unsettled commands, handed over to be read back (and settled with `settle`). */
  takeCutShort(owner: string): CutShort[] {
    const commands = this.cutShort.get(owner) ?? []
    this.cutShort.delete(owner)
    return commands
  }

  /** Settles a cut-short command: `kept` when the device stored it (`id` for inserts). */
  settle(owner: string, command: CutShort, kept: boolean, id?: string): void {
    if (kept) this.cutShortKept++
    switch (command.kind) {
      case 'insert':
        if (kept) this.inserted(owner, command.region, command.table, id!, command.stored)
        return
      case 'shared':
        if (kept) this.sharedInsert(command.region, command.id, command.notes, command.km)
        return
      case 'update':
        command.record.unsettled = false
        if (kept) this.updated(command.record, command.field, command.value)
        return
      case 'delete':
        command.record.unsettled = false
        if (kept) this.deletedRecord(command.record)
        return
    }
  }

  /** Commands still unsettled (for the report: the end check needs none). */
  unsettledCount(): number {
    let n = 0
    for (const commands of this.cutShort.values()) n += commands.length
    return n
  }

  /**
   * A peer's own view of one of its records, from `sql` (a row with state `live` and the fields,
   * or state `deleted`): it must hold every edit the peer made, whatever happened to the network
   * or to the peer's process since. Returns what differs, or undefined.
   */
  checkOwnView(record: OwnedRecord, rows: ReadonlyArray<Readonly<Record<string, unknown>>>): string | undefined {
    if (rows.length !== 1) return `${rows.length} rows for ${record.table} ${record.id}`
    const row = rows[0]
    if (row.state === 'deleted') return record.deleted ? undefined : `${record.table} ${record.id} is deleted`
    if (record.deleted) return `${record.table} ${record.id} is live after its delete`
    return fieldMismatch(record, row)
  }

  verify(db: Database): Verdict {
    const problems: string[] = []
    const note = (text: string): void => void (problems.length < 40 && problems.push(text))
    let lost = 0
    let duplicates = 0
    let unexpected = 0
    let readOnlyLanded = 0
    let hostileLanded = 0

    const live = new Map<string, Record<string, unknown>>()
    const tokens = new Map<string, number>()
    for (const table of TABLE_NAMES) {
      for (const row of db.prepare(`SELECT * FROM ${table}`).all() as Array<Record<string, unknown>>) {
        const region = String(row.region)
        live.set(key(table, region, String(row.id)), row)
        for (const value of Object.values(row)) {
          if (typeof value !== 'string') continue
          if (TOKEN.test(value)) tokens.set(value, (tokens.get(value) ?? 0) + 1)
          if (value.startsWith(READ_ONLY_MARK)) {
            readOnlyLanded++
            note(`read-only write landed: ${table} ${region}/${row.id} holds ${value}`)
          }
          if (value.includes(HOSTILE_MARK)) {
            hostileLanded++
            note(`hostile write landed: ${table} ${region}/${row.id} holds ${value.slice(0, 60)}`)
          }
        }
        if (isHostileAccount(row.updated_by)) {
          hostileLanded++
          note(`hostile write landed: ${table} ${region}/${row.id} was last written by ${row.updated_by}`)
        } else if (this.writers.get(String(row.updated_by)) !== region) {
          readOnlyLanded++
          note(`${table} ${region}/${row.id} was last written by ${row.updated_by}, who may not write ${region}`)
        }
      }
    }
    const deleted = new Set<string>()
    for (const row of db.prepare('SELECT * FROM deleted_records').all() as Array<Record<string, unknown>>) {
      const region = String(row.region)
      deleted.add(key(String(row.table_name), region, String(row.record_id)))
      if (isHostileAccount(row.deleted_by)) {
        hostileLanded++
        note(`hostile write landed: ${row.table_name} ${region}/${row.record_id} was deleted by ${row.deleted_by}`)
      } else if (this.writers.get(String(row.deleted_by)) !== region) {
        readOnlyLanded++
        note(`${row.table_name} ${region}/${row.record_id} was deleted by ${row.deleted_by}, who may not write ${region}`)
      }
    }

    for (const [token, count] of tokens) {
      if (count > 1) {
        duplicates += count - 1
        note(`${token} is stored ${count} times`)
      }
    }

    for (const [k, record] of this.owned) {
      const row = live.get(k)
      if (row === undefined && !deleted.has(k)) {
        lost += record.edits
        note(`${k} (${record.owner}) is missing: ${record.edits} edits lost`)
      } else if (record.deleted && row !== undefined) {
        lost++
        note(`${k} (${record.owner}) is live: its delete was lost`)
      } else if (!record.deleted && row === undefined) {
        lost += record.edits
        note(`${k} (${record.owner}) is deleted, though nobody deleted it`)
      } else if (row !== undefined) {
        for (const [field, value] of record.fields) {
          if (row[field] !== value) {
            lost++
            note(`${k} (${record.owner}).${field} = ${JSON.stringify(row[field])}, expected ${JSON.stringify(value)}`)
          }
        }
      }
    }

    for (const [k, record] of this.shared) {
      const row = live.get(k)
      if (row === undefined) {
        lost++
        note(`shared vehicle ${k} is missing`)
        continue
      }
      if (!record.notes.has(row.notes as CellValue) || !record.km.has(row.km as CellValue)) {
        lost++
        note(`shared vehicle ${k} holds notes ${JSON.stringify(row.notes)}, km ${JSON.stringify(row.km)}: not what anyone wrote`)
      }
      const copies = [...live.values()].filter((r) => r.region === record.region && r.plate === row.plate).length
      if (copies > 1) {
        duplicates += copies - 1
        note(`shared plate ${String(row.plate)} is stored ${copies} times in ${record.region}`)
      }
    }

    for (const [k, row] of live) {
      if (this.owned.has(k) || this.shared.has(k)) continue
      unexpected++
      note(`unexpected row ${k}: ${JSON.stringify(row).slice(0, 200)}`)
    }
    for (const k of deleted) {
      if (this.owned.get(k)?.deleted === true) continue
      unexpected++
      note(`unexpected deletion ${k}`)
    }
    return { lost, duplicates, unexpected, readOnlyLanded, hostileLanded, problems }
  }
}

function fieldMismatch(record: OwnedRecord, row: Readonly<Record<string, unknown>>): string | undefined {
  for (const [field, value] of record.fields) {
    if (row[field] !== value) return `${record.table} ${record.id}.${field} = ${JSON.stringify(row[field])}, expected ${JSON.stringify(value)}`
  }
  return undefined
}
