/**
 * Property: replicas of one region doc that apply random edits and exchange their updates in any
 * order, duplicated, across partitions, end with identical docs and identical mirrors — and after
 * every single step each incrementally maintained mirror equals one rebuilt from scratch. A
 * replica's mirror may also be saved and, any steps later, reopened from that stale file (a cold
 * start reading only what changed since); and a rendering of each doc shows the same rows.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as Y from 'yjs'
import { createRegionDoc, deleteRecord, insertRecord, resolveConflict, restoreRecord, updateRecord } from '../crdt/regionDoc.ts'
import { openMirror, type Mirror } from '../crdt/mirror.ts'
import { decodeRendering, encodeRendering, renderDocument } from '../crdt/rendering.ts'
import { recordIds } from '../crdt/records.ts'
import { TABLE_NAMES, type TableName } from '../schema/tables.ts'

const REGION = 'ankara'
const PLATES = ['34 ABC 123', '34abc123', '06 XY 9']
const NAMES = ['AYŞE', 'MEHMET', 'ÇAĞLA', 'İBRAHİM']
const TIMES = ['08:30', '17:30', '22:00', '02:00', '99:25']

type Op =
  | { kind: 'employee'; at: number; name: number }
  | { kind: 'vehicle'; at: number; plate: number; brand: string; km: number }
  | { kind: 'timesheet'; at: number; pick: number; day: number; start: number; end: number; brk: number }
  | { kind: 'update'; at: number; table: number; pick: number; value: number }
  | { kind: 'delete' | 'restore'; at: number; table: number; pick: number }
  | { kind: 'resolve'; at: number; pick: number; keepLost: boolean }
  | { kind: 'deliver'; from: number; to: number; pick: number; duplicate: boolean }
  | { kind: 'partition'; a: number; b: number }
  | { kind: 'save'; at: number }
  | { kind: 'reopen'; at: number }
  | { kind: 'erase'; at: number; table: number; pick: number }

// Weighted towards deliveries and edits of few shared natural keys, where concurrency bites.
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('employee' as const), at: fc.nat(), name: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('vehicle' as const), at: fc.nat(), plate: fc.nat(), brand: fc.constantFrom('Fiat', 'Ford', ''), km: fc.integer({ min: -5, max: 90000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('timesheet' as const), at: fc.nat(), pick: fc.nat(), day: fc.integer({ min: 1, max: 31 }), start: fc.nat(), end: fc.nat(), brk: fc.integer({ min: -10, max: 90 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('update' as const), at: fc.nat(), table: fc.nat(), pick: fc.nat(), value: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('delete' as const, 'restore' as const), at: fc.nat(), table: fc.nat(), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resolve' as const), at: fc.nat(), pick: fc.nat(), keepLost: fc.boolean() }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('deliver' as const), from: fc.nat(), to: fc.nat(), pick: fc.nat(), duplicate: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('partition' as const), a: fc.nat(), b: fc.nat() }) },
  { weight: 1, arbitrary: fc.oneof(fc.record({ kind: fc.constant('save' as const), at: fc.nat() }), fc.record({ kind: fc.constant('reopen' as const), at: fc.nat() })) },
  // A bare Yjs deletion with no new struct, as a repair of a malformed item writes (crdt/repair.ts).
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('erase' as const), at: fc.nat(), table: fc.nat(), pick: fc.nat() }) },
)

interface Replica {
  doc: Y.Doc
  mirror: Mirror
  /** Updates this replica made, waiting to reach replica i: inbox[i]. */
  outbox: Uint8Array[][]
  /** The mirror file last saved, to reopen from later. */
  saved?: Uint8Array
}

const EDITED: TableName[] = ['employees', 'vehicles', 'timesheets']

function dump(mirror: Mirror): string {
  const tables = [...TABLE_NAMES, 'deleted_records', 'conflicts']
  return JSON.stringify(tables.map((t) => mirror.query(`SELECT * FROM ${t} ORDER BY 1, 2, 3`)))
}

function ids(doc: Y.Doc, table: TableName): string[] {
  return [...recordIds(doc, table)].sort()
}

function apply(replica: Replica, o: Exclude<Op, { kind: 'deliver' | 'partition' | 'save' | 'reopen' }>, user: string): void {
  const doc = replica.doc
  const author = { user }
  const pickFrom = (table: TableName, n: number): string | undefined => {
    const all = ids(doc, table)
    return all.length === 0 ? undefined : all[n % all.length]
  }
  switch (o.kind) {
    case 'employee':
      insertRecord(doc, 'employees', REGION, { full_name: NAMES[o.name % NAMES.length] }, author)
      return
    case 'vehicle':
      insertRecord(doc, 'vehicles', REGION, { plate: PLATES[o.plate % PLATES.length], brand: o.brand, km: o.km }, author)
      return
    case 'timesheet': {
      const employee = pickFrom('employees', o.pick)
      if (employee === undefined) return
      insertRecord(doc, 'timesheets', REGION, {
        employee_id: employee,
        work_date: `2026-01-${String(o.day).padStart(2, '0')}`,
        start_time: TIMES[o.start % TIMES.length],
        end_time: TIMES[o.end % TIMES.length],
        break_minutes: o.brk,
        is_special: o.day % 2,
      }, author)
      return
    }
    case 'update': {
      const table = EDITED[o.table % EDITED.length]
      const id = pickFrom(table, o.pick)
      if (id === undefined) return
      if (table === 'employees') updateRecord(doc, table, id, { title: ['Şef', 'Usta', ''][o.value % 3] }, author)
      else if (table === 'vehicles') updateRecord(doc, table, id, { km: o.value % 5000 }, author)
      else updateRecord(doc, table, id, { break_minutes: (o.value % 4) * 15, notes: `n${o.value % 3}` }, author)
      return
    }
    case 'delete':
    case 'restore': {
      const table = EDITED[o.table % EDITED.length]
      const id = pickFrom(table, o.pick)
      if (id === undefined) return
      ;(o.kind === 'delete' ? deleteRecord : restoreRecord)(doc, table, id, author)
      return
    }
    case 'erase': {
      const table = EDITED[o.table % EDITED.length]
      const id = pickFrom(table, o.pick)
      const record = id === undefined ? undefined : doc.getMap(table).get(id)
      if (record instanceof Y.Map) record.delete('updated_by')
      return
    }
    case 'resolve': {
      const conflicts = replica.mirror.query('SELECT * FROM conflicts ORDER BY conflict_id')
      const c = conflicts[o.pick % Math.max(1, conflicts.length)]
      if (c === undefined) return
      const conflict = { conflict_id: String(c.conflict_id), table: c.table_name as TableName, record_id: String(c.record_id), field: String(c.field) }
      resolveConflict(doc, conflict, (o.keepLost ? c.lost_value : c.value) as string | number | null, author)
      return
    }
  }
}

describe('region docs under random edits, delivery orders, duplication and partitions', () => {
  it('converge to identical docs and mirrors; incremental mirror == rebuilt mirror after every step', async () => {
    const rebuilt = await openMirror()
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 5 }), fc.array(op, { minLength: 5, maxLength: 45 }), async (n, ops) => {
        const replicas: Replica[] = []
        for (let i = 0; i < n; i++) {
          const doc = createRegionDoc()
          const mirror = await openMirror()
          mirror.attach(REGION, doc)
          const replica: Replica = { doc, mirror, outbox: Array.from({ length: n }, () => []) }
          doc.on('update', (update: Uint8Array, origin: unknown) => {
            if (origin === 'network') return
            replica.outbox.forEach((queue, j) => j !== i && queue.push(update))
          })
          replicas.push(replica)
        }
        const blocked = new Set<string>()
        try {
          for (const o of ops) {
            if (o.kind === 'partition') {
              const key = `${Math.min(o.a % n, o.b % n)}-${Math.max(o.a % n, o.b % n)}`
              if (blocked.has(key)) blocked.delete(key)
              else blocked.add(key)
              continue
            }
            if (o.kind === 'save' || o.kind === 'reopen') {
              const replica = replicas[o.at % n]
              if (o.kind === 'save') replica.saved = replica.mirror.saveFile()
              else if (replica.saved !== undefined) {
                replica.mirror.close()
                replica.mirror = await openMirror({ file: replica.saved })
                expect(replica.mirror.restored).toBe(true)
                replica.mirror.attach(REGION, replica.doc)
              }
            } else if (o.kind === 'deliver') {
              const from = o.from % n
              const to = o.to % n
              const key = `${Math.min(from, to)}-${Math.max(from, to)}`
              const queue = replicas[from].outbox[to]
              if (from === to || blocked.has(key) || queue.length === 0) continue
              const index = o.pick % queue.length
              const update = queue[index]
              if (!o.duplicate) queue.splice(index, 1)
              Y.applyUpdate(replicas[to].doc, update, 'network')
            } else {
              const replica = replicas[o.at % n]
              const before = Y.encodeStateVector(replica.doc)
              try {
                apply(replica, o, `user${o.at % n}`)
              } catch (error) {
                // A refused edit must write nothing at all.
                expect((error as Error).name).toMatch(/ValidationError|RecordError/)
                expect(Y.encodeStateVector(replica.doc)).toEqual(before)
              }
            }
            for (const replica of replicas) {
              rebuilt.attach(REGION, replica.doc)
              expect(dump(replica.mirror)).toEqual(dump(rebuilt))
              rebuilt.detach(REGION)
            }
          }
          // Heal every partition and deliver everything still queued, in reverse order for spite.
          for (const [from, replica] of replicas.entries()) {
            for (const [to, queue] of replica.outbox.entries()) {
              for (const update of queue.reverse()) Y.applyUpdate(replicas[to].doc, update, 'network')
              if (from !== to) queue.length = 0
            }
          }
          const first = replicas[0]
          for (const replica of replicas.slice(1)) {
            expect(Y.encodeStateVector(replica.doc)).toEqual(Y.encodeStateVector(first.doc))
            for (const table of TABLE_NAMES) expect(replica.doc.getMap(table).toJSON()).toEqual(first.doc.getMap(table).toJSON())
            expect(dump(replica.mirror)).toEqual(dump(first.mirror))
          }
          const shown = await openMirror()
          shown.show(decodeRendering(encodeRendering(renderDocument(REGION, first.doc)), REGION), '1')
          expect(dump(shown)).toEqual(dump(first.mirror))
          shown.close()
        } finally {
          for (const replica of replicas) replica.mirror.close()
        }
      }),
      { numRuns: 100 },
    )
    rebuilt.close()
  })
})
