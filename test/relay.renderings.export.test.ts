/**
 * The relay's export built from stored renderings (relay/renderings.ts, relay/exportFile.ts, on
 * the real render worker over a real store file) holds, table by table and value by value (types
 * included), what the crdt mirror attached to the same documents in the same order holds, which
 * is what the export was before renderings: soft deletions, conflicts, a record moved between
 * months, a record one month's copy replaced in a later month, numbers in text columns, a large
 * integer, a real, and malformed items the readers skip. A stored rendering that cannot be read
 * is rendered again from the store rather than exported or served.
 */
import { writeFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { openMirror } from '../crdt/mirror.ts'
import { insertInto, updateIn, type RegionDocuments } from '../crdt/periodDocs.ts'
import { createRegionDoc, deleteRecord, insertRecord, updateRecord } from '../crdt/regionDoc.ts'
import { decodeRendering } from '../crdt/rendering.ts'
import { readRecord } from '../crdt/records.ts'
import { createRenderer } from '../relay/renderer.ts'
import { createRenderings, type Renderings } from '../relay/renderings.ts'
import { openStore, type OpenStore } from '../relay/store.ts'
import { DEFAULT_REGIONS } from '../schema/regions.ts'
import { TABLE_NAMES, type TableName } from '../schema/tables.ts'
import { tempDir } from './helpers/relayProcess.ts'

const author = (iso: string, user = 'ayse'): { user: string; now: () => Date } => ({ user, now: () => new Date(iso) })
const shift = { start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0 }

function regionDocs(region: string): RegionDocuments & { all(): Array<[string, Y.Doc]> } {
  const master = createRegionDoc()
  const months = new Map<string, Y.Doc>()
  const openMonth = (period: string): Y.Doc => {
    let doc = months.get(period)
    if (doc === undefined) months.set(period, (doc = createRegionDoc()))
    return doc
  }
  return {
    region,
    master,
    month: (period) => months.get(period),
    months: () => months.entries(),
    openMonth,
    all: () => [[region, master], ...[...months].sort(([a], [b]) => a.localeCompare(b)).map(([p, d]): [string, Y.Doc] => [`${region}/${p}`, d])],
  }
}

/** Two regions' documents holding every shape the export must carry over. */
function documents(): Array<[string, Y.Doc]> {
  const ankara = regionDocs('ankara')
  const e1 = insertRecord(ankara.master, 'employees', 'ankara', { full_name: 'Ayşe Yılmaz', title: 'Usta' }, author('2026-01-01T08:00:00Z'))
  const e2 = insertRecord(ankara.master, 'employees', 'ankara', { full_name: 'Can Öztürk' }, author('2026-01-01T08:01:00Z'))
  deleteRecord(ankara.master, 'employees', e2, author('2026-01-01T08:02:00Z'))
  const v1 = insertRecord(ankara.master, 'vehicles', 'ankara', { plate: '06 ABC 123', km: 1000 }, author('2026-01-01T08:03:00Z'))
  // Values no entry screen writes but a store may hold: a number in a TEXT column, a large
  // integer, a text in an INTEGER column.
  ankara.master.transact(() => {
    const employee = ankara.master.getMap('employees').get(e1) as Y.Map<unknown>
    employee.set('identity_no', 12345)
    employee.set('phone', 2 ** 40)
    ;(ankara.master.getMap('vehicles').get(v1) as Y.Map<unknown>).set('oil_change_km', 'çok')
  })
  insertInto(ankara, 'vehicle_service_visits', { vehicle_id: v1, start_date: '2026-01-20', cost: 1250.75, reason: 'fren' }, author('2026-01-20T10:00:00Z'))
  const { id: t1 } = insertInto(ankara, 'timesheets', { employee_id: e1, work_date: '2026-01-30', ...shift }, author('2026-01-30T17:00:00Z'))
  const { id: t2 } = insertInto(ankara, 'timesheets', { employee_id: e1, work_date: '2026-01-29', ...shift }, author('2026-01-29T17:00:00Z'))
  // A conflict: two offices edit one note at once.
  const january = ankara.month('2026-01')!
  const other = createRegionDoc()
  Y.applyUpdate(other, Y.encodeStateAsUpdate(january))
  updateRecord(january, 'timesheets', t2, { notes: 'gece' }, author('2026-01-29T18:00:00Z'))
  updateRecord(other, 'timesheets', t2, { notes: 'gündüz' }, author('2026-01-29T19:00:00Z', 'mehmet'))
  Y.applyUpdate(january, Y.encodeStateAsUpdate(other))
  // A move: the first timesheet's date goes to February, so January keeps a copy marked moved.
  updateIn(ankara, 'timesheets', t1, { work_date: '2026-02-02' }, author('2026-02-02T09:00:00Z'))
  // One record in two months without a move (as an offline copy written twice would leave it):
  // deleted in March, live in April; April is exported later, so its row wins, as in the mirror.
  const stray = createRegionDoc()
  const inMaster = (table: TableName, id: string): ReturnType<typeof readRecord> => readRecord(ankara.master, table, id)
  const t3 = insertRecord(stray, 'timesheets', 'ankara', { employee_id: e1, work_date: '2026-03-03', ...shift }, author('2026-03-03T17:00:00Z'), inMaster)
  const march = ankara.openMonth!('2026-03')
  const april = ankara.openMonth!('2026-04')
  Y.applyUpdate(march, Y.encodeStateAsUpdate(stray))
  Y.applyUpdate(april, Y.encodeStateAsUpdate(stray))
  deleteRecord(march, 'timesheets', t3, author('2026-03-04T08:00:00Z'))
  updateRecord(april, 'timesheets', t3, { end_time: '18:00' }, author('2026-04-01T08:00:00Z'))
  // Malformed items a stock editor could have written before the guard: skipped by every reader.
  const foreign = new Y.Doc()
  Y.applyUpdate(foreign, Y.encodeStateAsUpdate(april))
  foreign.getMap('timesheets').set('bogus', 'oops')
  ;(foreign.getMap('timesheets').get(t3) as Y.Map<unknown>).set('notes', { evil: true })
  Y.applyUpdate(april, Y.encodeStateAsUpdate(foreign))

  const istanbul = regionDocs('istanbul')
  const e3 = insertRecord(istanbul.master, 'employees', 'istanbul', { full_name: 'Mehmet Kaya' }, author('2026-01-01T08:00:00Z', 'mehmet'))
  insertInto(istanbul, 'timesheets', { employee_id: e3, work_date: '2026-01-05', ...shift }, author('2026-01-05T17:00:00Z', 'mehmet'))
  return [...ankara.all(), ...istanbul.all()]
}

/** Every mirror table of a SQLite file as quoted values (so 5 and 5.0 and '5' differ), rows sorted. */
function dump(file: string): Record<string, string[]> {
  const db = new Database(file, { readonly: true })
  try {
    const out: Record<string, string[]> = {}
    for (const table of [...TABLE_NAMES, 'deleted_records', 'conflicts']) {
      const columns = (db.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name)
      const rows = db.prepare(`SELECT ${columns.map((c) => `quote(${c})`).join(` || '|' || `)} AS row FROM ${table}`).pluck().all() as string[]
      out[table] = rows.sort()
    }
    return out
  } finally {
    db.close()
  }
}

describe('an export from renderings', () => {
  const data = tempDir('rainstaff-renderings-export-')
  let store: OpenStore | undefined
  let renderings: Renderings | undefined
  afterAll(async () => {
    await renderings?.extension.onDestroy?.({ code: 1001 })
    store?.close()
    data.remove()
  })

  it('holds what the mirror of the same documents holds, value for value', async () => {
    const docs = documents()
    const mirror = await openMirror()
    for (const [name, doc] of docs) mirror.attach(name, doc)
    const expected = path.join(data.dir, 'mirror.sqlite')
    writeFileSync(expected, mirror.exportFile())
    mirror.close()

    store = openStore(path.join(data.dir, 'relay'))
    store.appendUpdates(docs.map(([name, doc]) => ({ region: name, data: Y.encodeStateAsUpdate(doc), username: 'ayse', at: Date.now() })))
    renderings = createRenderings(store, createRenderer(store, () => {}), { renderDelayMs: 60_000, renderMaxDelayMs: 60_000, regions: DEFAULT_REGIONS })
    const names = docs.map(([name]) => name)
    const exported = path.join(data.dir, 'renderings.sqlite')
    const records = await renderings.exportFile(names, exported)
    expect(records).toBeGreaterThan(0)

    const want = dump(expected)
    expect(want.timesheets).toHaveLength(4)
    expect(want.conflicts).toHaveLength(1)
    expect(want.employees.join('\n')).toContain(`'12345'`)
    expect(dump(exported)).toEqual(want)
  })

  it('renders a document again when its stored rendering cannot be read, and keeps the new one', async () => {
    const running = store!
    const name = 'ankara/2026-01'
    const before = running.renderings.summary(name)
    expect(before?.version).toBe(running.documentVersion(name))
    running.db.prepare('UPDATE renderings SET data = ? WHERE document = ?').run(new Uint8Array([1, 2, 3]), name)
    const again = path.join(data.dir, 'again.sqlite')
    await renderings!.exportFile(['ankara', name], again)
    expect(dump(again).timesheets).toHaveLength(1)
    const served = await renderings!.served(name)
    expect(served.version).toBe(before?.version)
    expect(decodeRendering(gunzipSync(served.data), name).records.map((r) => r.table).sort()).toEqual(['timesheets', 'vehicle_service_visits'])
  })
})
