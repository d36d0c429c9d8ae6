/**
 * Every reader of a region doc survives every shape a stock Yjs editor can store: a string, a
 * number, JSON, a Y type or binary data where a record map belongs, non-scalars in fields, roots
 * that are no table, a table written as a Y.Array, hard deletes, huge strings. Each shape is made
 * by a stock Y.Doc (GC on, as any foreign editor) on top of a real region doc, then read by
 * readRecord, recordConflicts, a mirror following the doc (incremental) and a mirror built after
 * (cold), which must agree. Then repairMalformed must empty the list without changing any read,
 * and its edit must converge on the editor's doc, where stock Yjs then sees valid records.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as Y from 'yjs'
import { openMirror, type Mirror } from '../crdt/mirror.ts'
import { recordConflicts } from '../crdt/conflicts.ts'
import { malformedItems, type MalformedItem } from '../crdt/malformed.ts'
import { readRecord, recordIds } from '../crdt/records.ts'
import { repairMalformed } from '../crdt/repair.ts'
import { createRegionDoc, deleteRecord, insertRecord, RecordError, updateRecord } from '../crdt/regionDoc.ts'
import { ValidationError } from '../schema/validate.ts'
import { naturalId } from '../schema/identity.ts'
import { TABLE_NAMES } from '../schema/tables.ts'

const REGION = 'ankara'
const at = (iso: string): { user: string; now: () => Date } => ({ user: 'ayse', now: () => new Date(iso) })

const sync = (a: Y.Doc, b: Y.Doc): void => {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)))
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)))
}

interface Base {
  doc: Y.Doc
  e1: string
  e2: string
  v1: string
  t1: string
}

/** A region doc with live, soft-deleted and conflicting records. */
function baseDoc(): Base {
  const doc = createRegionDoc()
  const e1 = insertRecord(doc, 'employees', REGION, { full_name: 'Ayşe Yılmaz', title: 'Usta' }, at('2026-01-01T08:00:00Z'))
  const e2 = insertRecord(doc, 'employees', REGION, { full_name: 'Can Öztürk' }, at('2026-01-01T08:01:00Z'))
  deleteRecord(doc, 'employees', e2, at('2026-01-01T08:02:00Z'))
  const v1 = insertRecord(doc, 'vehicles', REGION, { plate: '06 ABC 123', km: 1000 }, at('2026-01-01T08:03:00Z'))
  const t1 = insertRecord(
    doc,
    'timesheets',
    REGION,
    { employee_id: e1, work_date: '2026-01-02', start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0 },
    at('2026-01-02T17:00:00Z'),
  )
  const other = createRegionDoc()
  sync(doc, other)
  updateRecord(doc, 'timesheets', t1, { notes: 'gece' }, at('2026-01-02T18:00:00Z'))
  updateRecord(other, 'timesheets', t1, { notes: 'gündüz' }, { user: 'mehmet', now: () => new Date('2026-01-02T19:00:00Z') })
  sync(doc, other)
  return { doc, e1, e2, v1, t1 }
}

/** A stock editor's doc (GC on unless told) holding what `doc` holds. */
function editorOf(doc: Y.Doc, options: { gc?: boolean; clientID?: number } = {}): Y.Doc {
  const editor = new Y.Doc({ gc: options.gc ?? true })
  if (options.clientID !== undefined) editor.clientID = options.clientID
  Y.applyUpdate(editor, Y.encodeStateAsUpdate(doc))
  return editor
}

function employees(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
  return doc.getMap('employees')
}

function dump(mirror: Mirror): string {
  return JSON.stringify([...TABLE_NAMES, 'deleted_records', 'conflicts'].map((t) => mirror.query(`SELECT * FROM ${t} ORDER BY 1, 2, 3`)))
}

/** Every record and conflict as the readers see them. */
function readAll(doc: Y.Doc, withConflicts = true): string {
  return JSON.stringify(
    TABLE_NAMES.map((table) =>
      [...recordIds(doc, table)].sort().map((id) => {
        // Key order follows the order items were integrated in, which differs between replicas.
        const record = readRecord(doc, table, id)
        const fields = record === undefined ? null : Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1))
        return [id, fields, withConflicts ? recordConflicts(doc, table, id) : []]
      }),
    ),
  )
}

async function coldDump(doc: Y.Doc): Promise<string> {
  const mirror = await openMirror()
  try {
    mirror.attach(REGION, doc)
    return dump(mirror)
  } finally {
    mirror.close()
  }
}

/** Mirror values are what SQLite and JSON hold; a bound object or array would be a blob here. */
function expectScalars(mirror: Mirror): void {
  for (const table of [...TABLE_NAMES, 'deleted_records', 'conflicts']) {
    for (const row of mirror.query(`SELECT * FROM ${table}`)) {
      for (const value of Object.values(row)) expect(['string', 'number', 'object'].includes(typeof value) && !(value instanceof Uint8Array)).toBe(true)
    }
  }
}

/** What stock Yjs readers see: every table key a map, every field a scalar. */
function expectStockView(doc: Y.Doc): void {
  for (const table of TABLE_NAMES) {
    for (const [id, record] of doc.getMap(table)) {
      expect(record, `${table} ${id}`).toBeInstanceOf(Y.Map)
      for (const [field, value] of record as Y.Map<unknown>) {
        expect(['string', 'number', 'boolean'].includes(typeof value) || value === null, `${table} ${id} ${field}`).toBe(true)
      }
    }
  }
}

type Listed = [MalformedItem['kind'], string, string | null, string | null]

const listed = (items: readonly MalformedItem[]): Listed[] => items.map((i) => [i.kind, i.root, i.key, i.field])

interface Outcome {
  base: Base
  editor: Y.Doc
  /** The reads before the hostile edits. */
  pristine: string
  before: string
  items: MalformedItem[]
  mirror: Mirror
}

/**
 * Applies `edits` (one update each) made on a stock editor's doc to a base doc that a mirror
 * follows, checks that every reader agrees, repairs, and checks the repair changed no read.
 * `check` runs on the malformed doc, before the repair.
 */
async function hostile(
  edits: ReadonlyArray<(editor: Y.Doc, base: Base) => void>,
  expected: (base: Base) => Listed[],
  check: (outcome: Outcome) => void | Promise<void> = () => {},
  editorOptions: { gc?: boolean; clientID?: number; readable?: boolean } = {},
): Promise<Outcome> {
  const base = baseDoc()
  const { doc } = base
  const mirror = await openMirror()
  mirror.attach(REGION, doc)
  const editor = editorOf(doc, editorOptions)
  const pristine = readAll(doc)
  for (const edit of edits) {
    const before = Y.encodeStateVector(doc)
    edit(editor, base)
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(editor, before))
  }
  const before = readAll(doc)
  const followed = dump(mirror)
  expect(await coldDump(doc)).toBe(followed)
  expectScalars(mirror)
  const items = malformedItems(doc)
  expect(listed(items)).toEqual(expected(base))
  for (const item of items) expect(item.problem.tr.length > 0 && item.problem.en.length > 0).toBe(true)
  const outcome = { base, editor, pristine, before, items, mirror }
  await check(outcome)

  // The repair: same reads everywhere, an empty list, a valid stock view, convergence.
  const copy = createRegionDoc()
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
  const updates: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => updates.push(update))
  expect(listed(repairMalformed(doc))).toEqual(listed(items))
  expect(updates.length).toBe(items.length === 0 ? 0 : 1)
  expect(malformedItems(doc)).toEqual([])
  expect(readAll(doc)).toBe(before)
  expect(dump(mirror)).toBe(followed)
  expect(await coldDump(doc)).toBe(followed)
  expectStockView(doc)
  for (const update of updates) {
    Y.applyUpdate(copy, update)
    Y.applyUpdate(editor, update)
  }
  expect(readAll(copy)).toBe(before)
  expect(malformedItems(copy)).toEqual([])
  expect(malformedItems(editor)).toEqual([])
  if (editorOptions.readable ?? true) {
    // The editor collected what it deleted (GC on), so its conflict history is thinner; its records match.
    expect(readAll(editor, false)).toBe(readAll(doc, false))
    expectStockView(editor)
  }
  mirror.close()
  return outcome
}

describe('readers over malformed records', () => {
  it('a string under a new table key is no record', async () => {
    await hostile(
      [(editor) => employees(editor).set('x', 'oops' as never)],
      () => [['record', 'employees', 'x', null]],
      ({ base, mirror, items }) => {
        expect(readRecord(base.doc, 'employees', 'x')).toBeUndefined()
        expect(recordConflicts(base.doc, 'employees', 'x')).toEqual([])
        expect(mirror.query("SELECT count(*) AS n FROM employees WHERE id = 'x'")).toEqual([{ n: 0 }])
        expect(items[0]?.problem.en).toBe('the record is a string, not a Y.Map; readers show no record')
      },
    )
  })

  const replacements: Array<[string, () => unknown, string]> = [
    ['a string', () => 'oops', 'a string'],
    ['a number', () => 42, 'a number'],
    ['a boolean', () => true, 'a boolean'],
    ['a JSON object', () => ({ full_name: 'X' }), 'a JSON object'],
    ['a JSON array', () => ['X'], 'a JSON array'],
    ['a Y.Text', () => new Y.Text('metin'), 'a nested Y.Text type'],
    ['a Y.Array', () => Y.Array.from([1, 2]), 'a nested Y.Array type'],
    ['binary data', () => new Uint8Array([1, 2, 3]), 'binary data'],
  ]
  for (const [name, value, described] of replacements) {
    it(`${name} replacing a record map leaves the record as it was, and writers work after the repair`, async () => {
      const { base } = await hostile(
        [(editor, { e1 }) => employees(editor).set(e1, value() as never)],
        ({ e1 }) => [['record', 'employees', e1, null]],
        ({ base, mirror, items, before, pristine }) => {
          expect(readRecord(base.doc, 'employees', base.e1)).toMatchObject({ full_name: 'Ayşe Yılmaz', title: 'Usta', deleted_at: null })
          expect(before).toBe(pristine)
          expect(mirror.query('SELECT full_name, title FROM employees WHERE id = ?', [base.e1])).toEqual([{ full_name: 'Ayşe Yılmaz', title: 'Usta' }])
          expect(items[0]?.problem.en).toBe(`the record is ${described}, not a Y.Map; readers show the record before it`)
        },
      )
      updateRecord(base.doc, 'employees', base.e1, { title: 'Şef' }, at('2026-02-01T08:00:00Z'))
      expect(readRecord(base.doc, 'employees', base.e1)).toMatchObject({ full_name: 'Ayşe Yılmaz', title: 'Şef' })
    })
  }

  it("an office's offline edit to a record a string replaced, arriving after the repair, shows as a conflict", () => {
    const { doc, e1 } = baseDoc()
    const office = createRegionDoc()
    Y.applyUpdate(office, Y.encodeStateAsUpdate(doc))
    updateRecord(office, 'employees', e1, { title: 'Şef' }, { user: 'mehmet', now: () => new Date('2026-01-05T08:00:00Z') })
    const editor = editorOf(doc)
    employees(editor).set(e1, 'oops' as never)
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(editor))
    repairMalformed(doc)
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(office))
    expect(malformedItems(doc)).toEqual([])
    expect(readRecord(doc, 'employees', e1)?.title).toBe('Usta')
    expect(recordConflicts(doc, 'employees', e1)).toMatchObject([
      { field: 'title', value: 'Usta', value_by: 'ayse', lost_value: 'Şef', lost_by: 'mehmet', lost_at: '2026-01-05T08:00:00.000Z' },
    ])
  })

  it('a string replacing a soft-deleted record keeps it soft-deleted', async () => {
    await hostile(
      [(editor, { e2 }) => employees(editor).set(e2, 'oops' as never)],
      ({ e2 }) => [['record', 'employees', e2, null]],
      ({ base, mirror }) => {
        expect(readRecord(base.doc, 'employees', base.e2)).toMatchObject({ full_name: 'Can Öztürk', deleted_by: 'ayse' })
        expect(mirror.query('SELECT record_id, deleted_at FROM deleted_records')).toEqual([{ record_id: base.e2, deleted_at: '2026-01-01T08:02:00.000Z' }])
      },
    )
  })

  for (const [wins, clientID] of [['wins', 0x7fffffff], ['loses', 1]] as const) {
    it(`a string set concurrently with a new record map ${wins}; the record reads the same either way`, async () => {
      let id = ''
      await hostile(
        [
          (editor, { doc }) => {
            // The office creating the vehicle has not seen the string, nor the editor the vehicle.
            const office = createRegionDoc()
            office.clientID = 1000
            Y.applyUpdate(office, Y.encodeStateAsUpdate(doc))
            id = insertRecord(office, 'vehicles', REGION, { plate: '34 XY 99', brand: 'Fiat' }, at('2026-01-03T08:00:00Z'))
            expect(id).toBe(naturalId('vehicles', { plate: '34 XY 99' }))
            editor.getMap('vehicles').set(id, 'oops')
            // The office's map reaches the region doc whole; the editor, GC on, drops it if it lost.
            Y.applyUpdate(doc, Y.encodeStateAsUpdate(office))
            Y.applyUpdate(editor, Y.encodeStateAsUpdate(office))
          },
        ],
        () => (wins === 'wins' ? [['record', 'vehicles', id, null]] : []),
        ({ base }) => {
          expect(typeof base.doc.getMap('vehicles').get(id)).toBe(wins === 'wins' ? 'string' : 'object')
          expect(readRecord(base.doc, 'vehicles', id)).toMatchObject({ plate: '34XY99', brand: 'Fiat' })
        },
        { clientID },
      )
    })
  }
})

describe('readers over malformed fields', () => {
  const values: Array<[string, () => unknown, string]> = [
    ['a JSON object', () => ({ a: 1 }), 'a JSON object'],
    ['a JSON array', () => [1, 2], 'a JSON array'],
    ['a nested Y.Map', () => new Y.Map(), 'a nested Y.Map type'],
    ['a nested Y.Text', () => new Y.Text('metin'), 'a nested Y.Text type'],
    ['a nested Y.Array', () => Y.Array.from(['a']), 'a nested Y.Array type'],
    ['binary data', () => new Uint8Array([1, 2]), 'binary data'],
    ['a bigint', () => 10n, 'a bigint'],
    ['a subdocument', () => new Y.Doc(), 'a subdocument'],
    // Stock Yjs takes a Date, and lib0 stores it as an empty object.
    ['a Date', () => new Date(0), 'a JSON object'],
  ]
  for (const [name, value, described] of values) {
    it(`${name} in a field reads as the value before it, or null`, async () => {
      await hostile(
        [
          (editor, { e1 }) => {
            const record = employees(editor).get(e1) as Y.Map<unknown>
            record.set('title', value())
            record.set('department', value())
          },
        ],
        ({ e1 }) => [
          ['field', 'employees', e1, 'department'],
          ['field', 'employees', e1, 'title'],
        ],
        ({ base, mirror, items, before, pristine }) => {
          expect(before).toBe(pristine)
          const record = readRecord(base.doc, 'employees', base.e1)
          expect(record).toMatchObject({ full_name: 'Ayşe Yılmaz', title: 'Usta' })
          expect(record).not.toHaveProperty('department')
          expect(mirror.query('SELECT title, department FROM employees WHERE id = ?', [base.e1])).toEqual([{ title: 'Usta', department: null }])
          expect(items[0]?.problem.en).toBe(`the value is ${described}, not a scalar; readers show the value before it, or null`)
        },
      )
    })
  }

  it('a non-scalar on top of a conflicting field keeps the conflict as it was', async () => {
    let conflicts = ''
    await hostile(
      [
        (editor, { doc, t1 }) => {
          conflicts = JSON.stringify(recordConflicts(doc, 'timesheets', t1))
          ;(editor.getMap('timesheets').get(t1) as Y.Map<unknown>).set('notes', { evil: true })
        },
      ],
      ({ t1 }) => [['field', 'timesheets', t1, 'notes']],
      ({ base, mirror }) => {
        expect(JSON.parse(conflicts)).toHaveLength(1)
        expect(JSON.stringify(recordConflicts(base.doc, 'timesheets', base.t1))).toBe(conflicts)
        expect(mirror.query('SELECT count(*) AS n FROM conflicts')).toEqual([{ n: 1 }])
      },
    )
  })

  it('a non-scalar losing a concurrent edit is no conflict', async () => {
    await hostile(
      [
        (editor, { doc, t1 }) => {
          const office = editorOf(doc, { clientID: 0x7fffffff })
          ;(editor.getMap('timesheets').get(t1) as Y.Map<unknown>).set('end_time', { evil: true })
          ;(office.getMap('timesheets').get(t1) as Y.Map<unknown>).set('end_time', '18:00')
          Y.applyUpdate(editor, Y.encodeStateAsUpdate(office))
        },
      ],
      () => [],
      ({ base, mirror }) => {
        expect(readRecord(base.doc, 'timesheets', base.t1)?.end_time).toBe('18:00')
        expect(recordConflicts(base.doc, 'timesheets', base.t1).map((c) => c.field)).toEqual(['notes'])
        expect(mirror.query('SELECT end_time FROM timesheets')).toEqual([{ end_time: '18:00' }])
      },
      { clientID: 1 },
    )
  })

  it('edits inside a nested type held by a field reach no reader', async () => {
    let inner: Y.Map<unknown> | undefined
    await hostile(
      [
        (editor, { e1 }) => {
          inner = new Y.Map<unknown>()
          ;(employees(editor).get(e1) as Y.Map<unknown>).set('title', inner)
          inner.set('a', 1)
        },
        () => inner?.set('b', { deeper: [1, 2] }),
      ],
      ({ e1 }) => [['field', 'employees', e1, 'title']],
      ({ base }) => expect(readRecord(base.doc, 'employees', base.e1)?.title).toBe('Usta'),
    )
  })

  it('scalars of the wrong type are read as they are; booleans as 1 and 0; nothing is listed', async () => {
    await hostile(
      [
        (editor, { e1, v1, t1 }) => {
          ;(employees(editor).get(e1) as Y.Map<unknown>).set('full_name', 42)
          ;(editor.getMap('vehicles').get(v1) as Y.Map<unknown>).set('km', 'çok')
          ;(editor.getMap('timesheets').get(t1) as Y.Map<unknown>).set('is_special', true)
          ;(editor.getMap('timesheets').get(t1) as Y.Map<unknown>).set('break_minutes', false)
        },
      ],
      () => [],
      ({ base, mirror }) => {
        expect(readRecord(base.doc, 'employees', base.e1)?.full_name).toBe(42)
        expect(readRecord(base.doc, 'vehicles', base.v1)?.km).toBe('çok')
        expect(readRecord(base.doc, 'timesheets', base.t1)).toMatchObject({ is_special: 1, break_minutes: 0 })
        // Column affinity: a number in a TEXT column becomes text, text in an INTEGER column stays text.
        expect(mirror.query('SELECT full_name FROM employees WHERE id = ?', [base.e1])).toEqual([{ full_name: '42' }])
        expect(mirror.query('SELECT km FROM vehicles')).toEqual([{ km: 'çok' }])
        expect(mirror.query('SELECT is_special, break_minutes FROM timesheets')).toEqual([{ is_special: 1, break_minutes: 0 }])
      },
    )
  })

  it('a 5 MB string is a value like any other', async () => {
    const huge = 'ş'.repeat(5 * 1024 * 1024)
    await hostile(
      [(editor, { t1 }) => (editor.getMap('timesheets').get(t1) as Y.Map<unknown>).set('notes', huge)],
      () => [],
      ({ base, mirror }) => {
        expect(readRecord(base.doc, 'timesheets', base.t1)?.notes).toBe(huge)
        expect(mirror.query('SELECT length(notes) AS n FROM timesheets')).toEqual([{ n: huge.length }])
      },
    )
  })
})

describe('readers over malformed roots and deletions', () => {
  it('roots that are no table are ignored and listed; support maps holding junk are neither', async () => {
    await hostile(
      [
        (editor, { e1 }) => {
          editor.getText('notlar').insert(0, 'merhaba')
          editor.getArray('liste').push([1, { a: 2 }])
          editor.getMap('harita').set('a', 1)
          const resolved = editor.getMap('resolved_conflicts')
          resolved.set('1:1', { table: 'employees', record_id: { not: 'an id' } })
          resolved.set('2:2', 'oops')
          resolved.set('3:3', { table: 'employees', record_id: e1 })
          resolved.set('4:4', new Y.Map())
        },
      ],
      () => [
        ['root', 'harita', null, null],
        ['root', 'liste', null, null],
        ['root', 'notlar', null, null],
      ],
      ({ items, base }) => {
        expect(items.map((i) => i.problem.en)).toEqual([
          'a root type that is no Rainstaff table (a Y.Map); readers ignore it',
          'a root type that is no Rainstaff table (a Y.Array); readers ignore it',
          'a root type that is no Rainstaff table (a Y.Text); readers ignore it',
        ])
        expect(readRecord(base.doc, 'employees', base.e1)?.full_name).toBe('Ayşe Yılmaz')
      },
    )
  })

  it('a table written as a Y.Array: the list items are ignored and listed, the records read as before', async () => {
    await hostile(
      [(editor) => editor.getArray('vehicles').push([{ plate: '34 ZZ 1' }, 'oops'])],
      () => [['list', 'vehicles', null, null]],
      ({ base, mirror, items }) => {
        // The root was read as a map first; Yjs keeps the list items in it, out of the map's sight.
        expect(base.doc.getMap('vehicles').size).toBe(1)
        expect(mirror.query('SELECT plate FROM vehicles')).toEqual([{ plate: '06ABC123' }])
        expect(items[0]?.problem.en).toBe('2 list items in a table root (written as a Y.Array); readers ignore them')
      },
      // The editor holds the root as a Y.Array, which Yjs then refuses to hand out as a map.
      { readable: false },
    )
    // A doc never read as a map before the list arrived.
    const fresh = createRegionDoc()
    const editor = new Y.Doc()
    editor.getArray('employees').push(['x'])
    Y.applyUpdate(fresh, Y.encodeStateAsUpdate(editor))
    expect(listed(malformedItems(fresh))).toEqual([['list', 'employees', null, null]])
    expect(await coldDump(fresh)).toBe(await coldDump(createRegionDoc()))
  })

  for (const gc of [true, false]) {
    it(`hard deletes (GC ${gc ? 'on' : 'off'} at the editor) read as Yjs reads them: no record, an absent field`, async () => {
      await hostile(
        [
          (editor, { e1, e2, v1 }) => {
            employees(editor).delete(e2)
            const vehicle = editor.getMap('vehicles').get(v1) as Y.Map<unknown>
            for (const key of [...vehicle.keys()]) vehicle.delete(key)
            ;(employees(editor).get(e1) as Y.Map<unknown>).delete('title')
          },
        ],
        () => [],
        ({ base, mirror }) => {
          expect(readRecord(base.doc, 'employees', base.e2)).toBeUndefined()
          expect(readRecord(base.doc, 'vehicles', base.v1)).toBeUndefined()
          expect(readRecord(base.doc, 'employees', base.e1)).not.toHaveProperty('title')
          expect(mirror.query('SELECT id, title FROM employees')).toEqual([{ id: base.e1, title: null }])
          expect(mirror.query('SELECT count(*) AS n FROM vehicles')).toEqual([{ n: 0 }])
          expect(mirror.query('SELECT count(*) AS n FROM deleted_records')).toEqual([{ n: 0 }])
        },
        { gc },
      )
    })
  }

  it('a hard delete of a record whose map a string replaced: no record, nothing listed', async () => {
    await hostile(
      [(editor, { e1 }) => employees(editor).set(e1, 'oops' as never), (editor, { e1 }) => employees(editor).delete(e1)],
      () => [],
      ({ base, mirror }) => {
        expect(readRecord(base.doc, 'employees', base.e1)).toBeUndefined()
        expect(mirror.query('SELECT count(*) AS n FROM employees')).toEqual([{ n: 0 }])
      },
    )
  })
})

describe('readers over merged histories', () => {
  // Yjs merges consecutive deleted items of one client into one item of several values; a bad
  // value set right after a good one by the same client ends up in the same item as it.
  it('a bad value merged with the good one before it still reads as that one', async () => {
    const doc = createRegionDoc()
    doc.clientID = 1
    const id = insertRecord(doc, 'employees', REGION, { full_name: 'AYŞE' }, at('2026-01-01T08:00:00Z'))
    const other = editorOf(doc, { gc: false, clientID: 2 })
    ;(employees(doc).get(id) as Y.Map<unknown>).set('updated_by', { a: 1 })
    const mirror = await openMirror()
    mirror.attach(REGION, doc)
    // The other replica replaces the record and wins: the map is deleted, its items merge.
    employees(other).set(id, 7 as never)
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other))
    const map = (employees(doc)._map.get(id)?.left?.content as Y.ContentType).type as Y.Map<unknown>
    expect(map._map.get('updated_by')?.length).toBe(2)
    expect(readRecord(doc, 'employees', id)?.updated_by).toBe('ayse')
    expect(dump(mirror)).toBe(await coldDump(doc))
    repairMalformed(doc)
    expect(readRecord(doc, 'employees', id)?.updated_by).toBe('ayse')
    expect(dump(mirror)).toBe(await coldDump(doc))
    mirror.close()
  })

  it('a value set concurrently on the first value of a merged pair conflicts with the second', async () => {
    const doc = createRegionDoc()
    doc.clientID = 1
    const id = insertRecord(doc, 'employees', REGION, { full_name: 'AYŞE', title: 'Usta' }, at('2026-01-01T08:00:00Z'))
    const record = employees(doc).get(id) as Y.Map<unknown>
    record.set('title', 'Kalfa')
    const other = editorOf(doc, { gc: false, clientID: 2 })
    updateRecord(other, 'employees', id, { title: 'Şef' }, { user: 'mehmet', now: () => new Date('2026-01-02T08:00:00Z') })
    updateRecord(doc, 'employees', id, { title: 'Çırak' }, at('2026-01-02T09:00:00Z'))
    const mirror = await openMirror()
    mirror.attach(REGION, doc)
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other))
    // Şef (client 2) wins; Çırak lost and merged with Kalfa, on which Şef was set.
    expect(record._map.get('title')?.left?.length).toBe(2)
    expect(recordConflicts(doc, 'employees', id)).toMatchObject([{ field: 'title', value: 'Şef', value_by: 'mehmet', lost_value: 'Çırak', lost_by: 'ayse' }])
    expect(dump(mirror)).toBe(await coldDump(doc))
    mirror.close()
  })
})

/** A hostile or valid edit in the property below, on one of two replicas. */
type Step =
  | { kind: 'insert'; on: number; name: number }
  | { kind: 'update'; on: number; pick: number; value: number }
  | { kind: 'record'; on: number; pick: number; shape: number }
  | { kind: 'field'; on: number; pick: number; field: number; shape: number }
  | { kind: 'delete'; on: number; pick: number; field: number }
  | { kind: 'root'; on: number; shape: number }
  | { kind: 'deliver'; to: number }

const SHAPES: ReadonlyArray<() => unknown> = [
  () => 'oops',
  () => 7,
  () => true,
  () => null,
  () => ({ a: [1] }),
  () => [1, 'x'],
  () => new Y.Map(),
  () => new Y.Text('t'),
  () => Y.Array.from([1]),
  () => new Uint8Array([9]),
  () => 'ok',
]
const FIELDS = ['full_name', 'title', 'department', 'region', 'deleted_at', 'updated_by']

// Weighted towards valid edits of few shared records on both replicas, so conflicts meet bad items.
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('insert' as const), on: fc.nat(1), name: fc.nat(3) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('update' as const), on: fc.nat(1), pick: fc.nat(2), value: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('record' as const), on: fc.nat(1), pick: fc.nat(), shape: fc.nat(SHAPES.length - 1) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('field' as const), on: fc.nat(1), pick: fc.nat(2), field: fc.nat(FIELDS.length - 1), shape: fc.nat(SHAPES.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), on: fc.nat(1), pick: fc.nat(), field: fc.integer({ min: -1, max: FIELDS.length - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('root' as const), on: fc.nat(1), shape: fc.nat(2) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver' as const), to: fc.nat(1) }) },
)

function run(doc: Y.Doc, s: Exclude<Step, { kind: 'deliver' }>): void {
  const table = employees(doc)
  const ids = [...table.keys()].sort()
  const id = ids.length === 0 ? undefined : ids[('pick' in s ? s.pick : 0) % ids.length]
  const record = id === undefined ? undefined : table.get(id)
  switch (s.kind) {
    case 'insert':
      insertRecord(doc, 'employees', REGION, { full_name: ['AYŞE', 'CAN', 'ÇAĞLA', 'İPEK'][s.name] ?? 'X' }, { user: 'ayse' })
      return
    case 'update':
      // Rainstaff's writer, as a client would run it: on a key whose winner is malformed it may throw.
      if (id !== undefined && readRecord(doc, 'employees', id)?.deleted_at === null && record instanceof Y.Map) {
        updateRecord(doc, 'employees', id, { title: ['Şef', 'Usta', 'Çırak'][s.value] ?? null }, { user: 'ayse' })
      }
      return
    case 'record':
      table.set(id !== undefined && s.pick % 3 !== 0 ? id : `k${s.pick % 5}`, (SHAPES[s.shape] ?? SHAPES[0])() as never)
      return
    case 'field':
      if (record instanceof Y.Map) record.set(FIELDS[s.field] ?? 'title', (SHAPES[s.shape] ?? SHAPES[0])())
      return
    case 'delete':
      if (id === undefined) return
      if (s.field < 0 || !(record instanceof Y.Map)) table.delete(id)
      else record.delete(FIELDS[s.field] ?? 'title')
      return
    case 'root':
      if (s.shape === 0) doc.getText('notlar').insert(0, 'x')
      else if (s.shape === 1) doc.getArray('liste').push([1])
      else doc.getMap('harita').set('a', 1)
      return
  }
}

describe('readers under random hostile edits', () => {
  it('never throw; the followed mirror equals a rebuilt one after every step; the repair changes no read and converges', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), fc.boolean(), async (steps, gcAtEditor) => {
        // Replica 0 is a region doc the mirror follows; replica 1 a stock editor.
        const docs = [createRegionDoc(), new Y.Doc({ gc: gcAtEditor })]
        // Three records both replicas know, so concurrent edits meet on them.
        for (const name of ['AYŞE', 'CAN', 'İPEK']) insertRecord(docs[0] as Y.Doc, 'employees', REGION, { full_name: name, title: 'Usta' }, { user: 'ayse' })
        Y.applyUpdate(docs[1] as Y.Doc, Y.encodeStateAsUpdate(docs[0] as Y.Doc))
        const mirror = await openMirror()
        mirror.attach(REGION, docs[0] as Y.Doc)
        try {
          for (const s of steps) {
            if (s.kind === 'deliver') {
              const [to, from] = [docs[s.to] as Y.Doc, docs[1 - s.to] as Y.Doc]
              Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)))
            } else {
              try {
                run(docs[s.on] as Y.Doc, s)
              } catch (error) {
                // Rainstaff's writer validates the record it edits, which bad scalars may fail.
                if (!(error instanceof ValidationError || error instanceof RecordError)) throw error
              }
            }
            readAll(docs[0] as Y.Doc)
            malformedItems(docs[0] as Y.Doc)
            expect(dump(mirror)).toBe(await coldDump(docs[0] as Y.Doc))
          }
          expectScalars(mirror)
          sync(docs[0] as Y.Doc, docs[1] as Y.Doc)
          const [doc, editor] = docs as [Y.Doc, Y.Doc]
          const before = readAll(doc)
          const followed = dump(mirror)
          expect(await coldDump(doc)).toBe(followed)
          const updates: Uint8Array[] = []
          doc.on('update', (u: Uint8Array) => updates.push(u))
          repairMalformed(doc)
          expect(malformedItems(doc)).toEqual([])
          expect(readAll(doc)).toBe(before)
          expect(dump(mirror)).toBe(followed)
          expect(await coldDump(doc)).toBe(followed)
          expectStockView(doc)
          for (const u of updates) Y.applyUpdate(editor, u)
          expect(malformedItems(editor)).toEqual([])
          expectStockView(editor)
          if (!gcAtEditor) expect(readAll(editor)).toBe(before)
        } finally {
          mirror.close()
        }
      }),
      { numRuns: 100 },
    )
  })
})
