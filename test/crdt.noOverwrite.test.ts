/**
 * Property: no edit overwrites what its user did not change. Two replicas run random inserts
 * (natural keys that often exist already, any subset of fields), partial updates, deletes and
 * restores, and exchange updates at random. After every step, on every replica, a field that held
 * a value is null only if some replica explicitly set that very field to null. Refused operations
 * (a duplicate natural key, a shift the rules refuse) must leave the replica byte for byte as it was.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as Y from 'yjs'
import { createRegionDoc, deleteRecord, insertRecord, RecordError, restoreRecord, updateRecord } from '../crdt/regionDoc.ts'
import { readRecord, recordIds } from '../crdt/records.ts'
import { TABLES, type TableName } from '../schema/tables.ts'
import { ValidationError } from '../schema/validate.ts'

const REGION = 'ankara'
const PLATES = ['06 ABC 123', '06abc123', '34 XY 9']
const TEMPLATES = ['Sabah', 'sabah ', 'Gece']

type Values = Record<string, string | number | null>
const vehicleFields: fc.Arbitrary<Values> = fc.record(
  {
    brand: fc.constantFrom('Fiat', 'Ford', null),
    model: fc.constantFrom('Doblo', 'Transit', null),
    km: fc.option(fc.integer({ min: 0, max: 300_000 })),
    notes: fc.constantFrom('yağ', null),
  },
  { requiredKeys: [] },
)
const templateFields: fc.Arbitrary<Values> = fc.record(
  { start_time: fc.constantFrom('08:00', '22:00'), end_time: fc.constantFrom('17:00', '06:00'), break_minutes: fc.constantFrom(0, 30, 60) },
  { requiredKeys: [] },
)

type Op =
  | { kind: 'insert'; at: number; table: 'vehicles' | 'shift_templates'; key: number; values: Values }
  | { kind: 'update'; at: number; table: 'vehicles' | 'shift_templates'; pick: number; values: Values }
  | { kind: 'delete' | 'restore'; at: number; table: 'vehicles' | 'shift_templates'; pick: number }
  | { kind: 'sync'; from: number; to: number }

const table = fc.constantFrom('vehicles' as const, 'shift_templates' as const)
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(1), table, key: fc.nat(2), values: fc.oneof(vehicleFields, templateFields) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('update' as const), at: fc.nat(1), table, pick: fc.nat(), values: fc.oneof(vehicleFields, templateFields) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('delete' as const, 'restore' as const), at: fc.nat(1), table, pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('sync' as const), from: fc.nat(1), to: fc.nat(1) }) },
)

/** Only the fields `table` has: the other table's arbitrary fills the other shape. */
function ownFields(name: TableName, values: Values): Values {
  return Object.fromEntries(Object.entries(values).filter(([field]) => Object.hasOwn(TABLES[name].fields, field)))
}

function snapshot(doc: Y.Doc): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>()
  for (const name of ['vehicles', 'shift_templates'] as const) {
    for (const id of recordIds(doc, name)) out.set(`${name}/${id}`, { ...readRecord(doc, name, id) })
  }
  return out
}

/** Applies `o` to `doc`; false when the engine refused it (which the property then checks wrote nothing). */
function run(doc: Y.Doc, o: Exclude<Op, { kind: 'sync' }>, user: string, explicitNulls: Set<string>): boolean {
  const author = { user }
  const ids = [...recordIds(doc, o.table)].sort()
  try {
    if (o.kind === 'insert') {
      const key = o.table === 'vehicles' ? { plate: PLATES[o.key] } : { name: TEMPLATES[o.key] }
      const base = o.table === 'shift_templates' ? { start_time: '08:00', end_time: '17:00', break_minutes: 60 } : {}
      insertRecord(doc, o.table, REGION, { ...base, ...ownFields(o.table, o.values), ...key } as never, author)
      return true
    }
    const id = ids[o.pick % Math.max(1, ids.length)]
    if (id === undefined) return true
    if (o.kind === 'update') {
      const patch = ownFields(o.table, o.values)
      for (const [field, value] of Object.entries(patch)) if (value === null) explicitNulls.add(`${o.table}/${id}/${field}`)
      updateRecord(doc, o.table, id, patch as never, author)
    } else if (o.kind === 'delete') deleteRecord(doc, o.table, id, author)
    else restoreRecord(doc, o.table, id, author)
    return true
  } catch (error) {
    if (!(error instanceof RecordError || error instanceof ValidationError)) throw error
    return false
  }
}

describe('no edit overwrites a field its user did not change', () => {
  it('holds for random inserts, partial updates, deletes, restores and syncs on two replicas', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
        const docs = [createRegionDoc(), createRegionDoc()]
        const explicitNulls = new Set<string>()
        let before = docs.map(snapshot)
        for (const o of ops) {
          if (o.kind === 'sync') {
            const [from, to] = [docs[o.from], docs[o.to]] as [Y.Doc, Y.Doc]
            if (from !== to) Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)))
          } else {
            const doc = docs[o.at] as Y.Doc
            const bytes = Y.encodeStateAsUpdate(doc)
            if (!run(doc, o, `user${o.at}`, explicitNulls)) expect(Y.encodeStateAsUpdate(doc)).toEqual(bytes)
          }
          const after = docs.map(snapshot)
          for (let r = 0; r < docs.length; r++) {
            for (const [key, record] of (before[r] as Map<string, Record<string, unknown>>).entries()) {
              const now = (after[r] as Map<string, Record<string, unknown>>).get(key)
              expect(now, `${key} vanished`).toBeDefined()
              for (const [field, value] of Object.entries(record)) {
                if (value === null || value === undefined || field.startsWith('deleted_')) continue
                if (now?.[field] === null || now?.[field] === undefined) {
                  expect(explicitNulls.has(`${key}/${field}`), `${key}.${field} was ${JSON.stringify(value)} and became null`).toBe(true)
                }
              }
            }
          }
          before = after
        }
      }),
      { numRuns: 300 },
    )
  })

  it('refuses an insert of an existing natural key, naming it, and writes nothing', () => {
    const doc = createRegionDoc()
    const author = { user: 'ayse' }
    const id = insertRecord(doc, 'vehicles', REGION, { plate: '06 ABC 123', brand: 'Fiat', model: 'Doblo', km: 152000 }, author)
    const before = Y.encodeStateAsUpdate(doc)
    let refused: unknown
    try {
      insertRecord(doc, 'vehicles', REGION, { plate: '06abc123' }, author)
    } catch (error) {
      refused = error
    }
    expect(refused).toBeInstanceOf(RecordError)
    expect(refused).toMatchObject({ code: 'exists', id, table: 'vehicles' })
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before)
    expect(readRecord(doc, 'vehicles', id)).toMatchObject({ brand: 'Fiat', model: 'Doblo', km: 152000 })
  })
})
