/**
 * A store holding every malformed shape, written straight into a real relay data directory as
 * updates and a snapshot (as a relay before the guard would have stored them), in the layout of
 * month documents: Ankara's master document (`ankara`) and its January (`ankara/2026-01`), with
 * the round-1 document the migration keeps beside them (`ankara@round1`, itself malformed). A real
 * relay serves it: `/api/status` counts the items per region over its documents, the exports and
 * the client CLI's `sql` and `export-sqlite` keep working. `rainstaff doctor` lists the items of
 * each document beside the running relay, leaves the archive alone, refuses to repair while the
 * relay runs, repairs once it is stopped (backup first), and afterwards the relay serves the same
 * data with nothing malformed; a client merges the repair by syncing and can then edit the
 * records a string had replaced, in the master and in the month.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { insertInto, type RegionDocuments } from '../crdt/periodDocs.ts'
import { malformedItems } from '../crdt/malformed.ts'
import { createRegionDoc, deleteRecord, insertRecord } from '../crdt/regionDoc.ts'
import { roundOneName } from '../relay/migrate.ts'
import { startRelay, type Relay } from '../relay/server.ts'
import { openStore, STORE_FILE } from '../relay/store.ts'
import { documentName } from '../schema/periods.ts'
import { TABLE_NAMES } from '../schema/tables.ts'
import { ADMIN_PASSWORD, runCli, seedUsers, tempDir, tokenFor } from './helpers/relayProcess.ts'

const data = tempDir('rainstaff-doctor-')
const state = tempDir('rainstaff-doctor-client-')
const out = tempDir('rainstaff-doctor-out-')
const author = (iso: string): { user: string; now: () => Date } => ({ user: 'ayse', now: () => new Date(iso) })
const HUGE = 'x'.repeat(5 * 1024 * 1024)
const MONTH = '2026-01'
const JANUARY = documentName('ankara', MONTH)
const ARCHIVE = roundOneName('ankara')

let relay: Relay | undefined
let ids: { e1: string; e2: string; e3: string; v1: string; t1: string; d1: string }

/** A stock Yjs editor on top of `base`, each change one update pushed to `updates`. */
function editorOn(base: Uint8Array, updates: Uint8Array[]): { doc: Y.Doc; edit(change: () => void): void } {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, base)
  return {
    doc,
    edit(change) {
      const before = Y.encodeStateVector(doc)
      change()
      updates.push(Y.encodeStateAsUpdate(doc, before))
    },
  }
}

/** What the stored Ankara documents hold, built by hand: a valid base and a stock editor's bad edits. */
function writeStore(): void {
  const master = createRegionDoc()
  const january = createRegionDoc()
  const ankara: RegionDocuments = { region: 'ankara', master, month: (p) => (p === MONTH ? january : undefined), months: () => [[MONTH, january]] }
  const e1 = insertRecord(master, 'employees', 'ankara', { full_name: 'Ayşe Yılmaz', title: 'Usta' }, author('2026-01-01T08:00:00Z'))
  const e2 = insertRecord(master, 'employees', 'ankara', { full_name: 'Can Öztürk' }, author('2026-01-01T08:01:00Z'))
  const e3 = insertRecord(master, 'employees', 'ankara', { full_name: 'Deniz Ak' }, author('2026-01-01T08:02:00Z'))
  deleteRecord(master, 'employees', e3, author('2026-01-01T08:03:00Z'))
  const v1 = insertRecord(master, 'vehicles', 'ankara', { plate: '06 ABC 123', km: 1000 }, author('2026-01-01T08:04:00Z'))
  const { id: t1, period } = insertInto(
    ankara,
    'timesheets',
    { employee_id: e1, work_date: '2026-01-02', start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0 },
    author('2026-01-02T17:00:00Z'),
  )
  expect(period).toBe(MONTH)
  // Written straight into the map: entry validation (and now the relay) refuse a note this long,
  // but a store from before the limit may hold one, and readers must take it.
  january.transact(() => {
    const sheet = january.getMap('timesheets').get(t1) as Y.Map<unknown>
    sheet.set('notes', HUGE)
    sheet.set('updated_at', '2026-01-02T18:00:00.000Z')
    sheet.set('updated_by', 'ayse')
  })
  const d1 = insertRecord(master, 'drivers', 'ankara', { full_name: 'Ece Kara' }, author('2026-01-02T19:00:00Z'))
  ids = { e1, e2, e3, v1, t1, d1 }
  const snapshot = Y.encodeStateAsUpdate(master)
  const monthBase = Y.encodeStateAsUpdate(january)

  const hostile: Uint8Array[] = []
  const editor = editorOn(snapshot, hostile)
  const { edit } = editor
  const employees = editor.doc.getMap<unknown>('employees')
  edit(() => employees.set('x', 'oops'))
  edit(() => employees.set(e1, 'oops'))
  edit(() => employees.set(e3, 17))
  edit(() => (employees.get(e2) as Y.Map<unknown>).set('title', { evil: true }))
  edit(() => (employees.get(e2) as Y.Map<unknown>).set('department', new Y.Text('metin')))
  edit(() => (employees.get(e2) as Y.Map<unknown>).set('identity_no', 12345))
  edit(() => (editor.doc.getMap('vehicles').get(v1) as Y.Map<unknown>).set('km', 'çok'))
  edit(() => (editor.doc.getMap('vehicles').get(v1) as Y.Map<unknown>).set('notes', new Uint8Array([1, 2, 3])))
  edit(() => editor.doc.getMap('shift_templates').set('gece', Y.Array.from([1, 2])))
  // A hard delete, which Rainstaff never makes: the driver is gone, and nothing is malformed.
  edit(() => editor.doc.getMap('drivers').delete(d1))
  // Another editor, which took the vehicles root for a Y.Array (one doc cannot hold it as both).
  const listEditor = new Y.Doc()
  Y.applyUpdate(listEditor, snapshot)
  listEditor.getArray('vehicles').push([{ plate: '34 ZZ 1' }])
  hostile.push(Y.encodeStateAsUpdate(listEditor, Y.encodeStateVector(master)))
  edit(() => editor.doc.getText('notlar').insert(0, 'merhaba'))

  // January: a boolean flag (not malformed: readers take it as 1), then the record replaced by a string.
  const monthHostile: Uint8Array[] = []
  const monthEditor = editorOn(monthBase, monthHostile)
  const sheets = monthEditor.doc.getMap<unknown>('timesheets')
  monthEditor.edit(() => (sheets.get(t1) as Y.Map<unknown>).set('is_special', true))
  monthEditor.edit(() => sheets.set(t1, 'oops'))

  const istanbulEditor = new Y.Doc()
  istanbulEditor.getMap('employees').set('y', [1, 2])

  // The round-1 document the migration would have kept: both documents' records in one, malformed too.
  const archive = Y.mergeUpdates([snapshot, monthBase, hostile[0] as Uint8Array])
  expect(malformedItems(docOf(archive))).toHaveLength(1)

  const store = openStore(data.dir)
  try {
    const at = (iso: string): number => Date.parse(iso)
    // ankara: a compacted snapshot, then the bad updates in the log; its January and istanbul: only a log.
    const [first] = store.appendUpdates([{ region: 'ankara', data: snapshot, username: 'ayse', at: at('2026-01-02T18:00:00Z') }])
    store.writeSnapshot('ankara', snapshot, first as number)
    store.appendUpdates(hostile.map((update) => ({ region: 'ankara', data: update, username: 'ayse', at: at('2026-01-03T08:00:00Z') })))
    store.appendUpdates([monthBase, ...monthHostile].map((update) => ({ region: JANUARY, data: update, username: 'ayse', at: at('2026-01-03T08:30:00Z') })))
    store.appendUpdates([{ region: 'istanbul', data: Y.encodeStateAsUpdate(istanbulEditor), username: 'mehmet', at: at('2026-01-03T09:00:00Z') }])
    store.writeSnapshot(ARCHIVE, archive, 0)
  } finally {
    store.close()
  }
}

function docOf(update: Uint8Array): Y.Doc {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  return doc
}

/** What the store holds of the round-1 archive: its snapshot and logged updates. */
function archiveRows(): { snapshots: number; updates: number; malformed: number } {
  const db = new Database(path.join(data.dir, STORE_FILE), { readonly: true })
  try {
    const snapshot = db.prepare('SELECT data FROM snapshots WHERE region = ?').get(ARCHIVE) as { data: Uint8Array } | undefined
    return {
      snapshots: (db.prepare('SELECT count(*) AS n FROM snapshots WHERE region = ?').get(ARCHIVE) as { n: number }).n,
      updates: (db.prepare('SELECT count(*) AS n FROM updates WHERE region = ?').get(ARCHIVE) as { n: number }).n,
      malformed: snapshot === undefined ? 0 : malformedItems(docOf(new Uint8Array(snapshot.data))).length,
    }
  } finally {
    db.close()
  }
}

let port = 0

/** The same port every time: the client's session holds the relay's address. */
async function start(): Promise<Relay> {
  relay = await startRelay({ dataDir: data.dir, port, host: '127.0.0.1', log: () => {} })
  port = relay.port
  return relay
}

async function stop(): Promise<void> {
  await relay?.close()
  relay = undefined
}

async function admin(path: string): Promise<Response> {
  const running = relay as Relay
  const token = await tokenFor(running, 'admin', ADMIN_PASSWORD)
  return fetch(`${running.url}${path}`, { headers: { authorization: `Bearer ${token}` } })
}

/** Every table of a SQLite file, rows sorted, the 5 MB note shortened to its length. */
function dumpSqlite(file: string): unknown {
  const db = new Database(file, { readonly: true })
  try {
    return Object.fromEntries(
      [...TABLE_NAMES, 'deleted_records', 'conflicts'].map((table) => [
        table,
        db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2, 3`).all().map((row) =>
          Object.fromEntries(Object.entries(row as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' && v.length > 1000 ? `<${v.length}>` : v])),
        ),
      ]),
    )
  } finally {
    db.close()
  }
}

async function exportTo(name: string): Promise<string> {
  const res = await admin('/api/export/all.sqlite')
  expect(res.status).toBe(200)
  const file = path.join(out.dir, name)
  writeFileSync(file, Buffer.from(await res.arrayBuffer()))
  return file
}

async function client(args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCli([...args, '--state', state.dir], input)
}

async function clientOk(args: string[]): Promise<string> {
  const result = await client(args)
  if (result.code !== 0) throw new Error(`${args.join(' ')} exited ${result.code}: ${result.stderr}`)
  return result.stdout.trim()
}

const sqlRows = (stdout: string): unknown[] => (stdout === '' ? [] : stdout.split('\n').map((l) => JSON.parse(l) as unknown))

const EMPLOYEES = "SELECT id, full_name, title, department, identity_no FROM employees WHERE region = 'ankara' ORDER BY full_name"

beforeAll(async () => {
  await seedUsers(data.dir, [
    { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
    { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
  ])
  writeStore()
})

afterAll(async () => {
  await stop()
  for (const d of [data, state, out]) d.remove()
})

describe('a store with malformed items', () => {
  let exported: unknown
  let employeesBefore: unknown[]

  it('is served: /api/status counts the items per region, the exports hold every readable record', async () => {
    await start()
    const res = await admin('/api/status')
    expect(res.status).toBe(200)
    const status = (await res.json()) as { regions: Array<{ region: string; malformed: number; documents: number; counts: Record<string, number> }> }
    const region = (slug: string) => status.regions.find((r) => r.region === slug)
    // The master's x, e1, e3 and gece (records), e2.title, e2.department and v1.notes (fields),
    // the list in vehicles, the root notlar; January's t1 (a record). Not the archive's.
    expect(region('ankara')).toMatchObject({
      documents: 2,
      malformed: 10,
      counts: { employees: 2, vehicles: 1, timesheets: 1, drivers: 0, shift_templates: 0 },
    })
    expect(region('istanbul')).toMatchObject({ documents: 1, malformed: 1, counts: { employees: 0 } })
    expect(region('izmir')?.malformed).toBe(0)

    const one = await admin('/api/export/ankara.sqlite')
    expect(one.status).toBe(200)
    const file = await exportTo('before.sqlite')
    exported = dumpSqlite(file)
    const db = new Database(file, { readonly: true })
    try {
      expect(db.prepare("SELECT full_name, title, department, identity_no FROM employees WHERE region = 'ankara' ORDER BY full_name").all()).toEqual([
        { full_name: 'Ayşe Yılmaz', title: 'Usta', department: null, identity_no: null },
        // A number in a TEXT column is stored as text; the object and the Y.Text had nothing before them.
        { full_name: 'Can Öztürk', title: null, department: null, identity_no: '12345' },
      ])
      expect(db.prepare('SELECT record_id FROM deleted_records').all()).toEqual([{ record_id: ids.e3 }])
      expect(db.prepare('SELECT km, notes FROM vehicles').all()).toEqual([{ km: 'çok', notes: null }])
      expect(db.prepare('SELECT is_special, length(notes) AS n FROM timesheets').all()).toEqual([{ is_special: 1, n: HUGE.length }])
    } finally {
      db.close()
    }
  })

  it('is read by the client CLI: sql and export-sqlite after a sync', async () => {
    const running = relay as Relay
    const login = await client(['login', '--relay', running.url, '--user', 'ayse'], 'ayse-password\n')
    expect(login.code, login.stderr).toBe(0)
    // January is history, not a working month: fetched once, then read from this computer's copy.
    await clientOk(['sync', '--month', MONTH])
    expect(sqlRows(await clientOk(['sql', 'SELECT id, is_special, length(notes) AS n FROM timesheets']))).toEqual([{ id: ids.t1, is_special: 1, n: HUGE.length }])
    employeesBefore = sqlRows(await clientOk(['sql', EMPLOYEES]))
    expect(employeesBefore).toEqual([
      { id: ids.e1, full_name: 'Ayşe Yılmaz', title: 'Usta', department: null, identity_no: null },
      { id: ids.e2, full_name: 'Can Öztürk', title: null, department: null, identity_no: '12345' },
    ])
    expect(sqlRows(await clientOk(['sql', "SELECT count(*) AS n FROM employees WHERE region = 'istanbul'"]))).toEqual([{ n: 0 }])
    const file = await clientOk(['export-sqlite', '--out', path.join(out.dir, 'client.sqlite')])
    expect(dumpSqlite(file)).toEqual(exported)
  })

  it('is listed by doctor beside the running relay, which a repair refuses to go behind', async () => {
    const listed = await runCli(['doctor', '--data', data.dir])
    expect(listed.stderr).toBe('')
    expect(listed.code).toBe(3)
    const lines = listed.stdout.trim().split('\n')
    expect(lines.slice(0, -2).map((l) => l.split('\t').slice(0, 4))).toEqual(
      [
        ['ankara', 'employees', ids.e1, '-'],
        ['ankara', 'employees', ids.e2, 'department'],
        ['ankara', 'employees', ids.e2, 'title'],
        ['ankara', 'employees', ids.e3, '-'],
        ['ankara', 'employees', 'x', '-'],
        ['ankara', 'notlar', '-', '-'],
        ['ankara', 'shift_templates', 'gece', '-'],
        ['ankara', 'vehicles', '-', '-'],
        ['ankara', 'vehicles', ids.v1, 'notes'],
        [JANUARY, 'timesheets', ids.t1, '-'],
        ['istanbul', 'employees', 'y', '-'],
      ].sort((a, b) => (a.join('\t') < b.join('\t') ? -1 : 1)),
    )
    expect(listed.stdout).toContain(`ankara\temployees\t${ids.e1}\t-\tkayıt bir metin, Y.Map değil; okuyucular önceki kaydı gösterir / the record is a string, not a Y.Map; readers show the record before it`)
    expect(listed.stdout).toContain(`${JANUARY}\ttimesheets\t${ids.t1}\t-\tkayıt bir metin, Y.Map değil; okuyucular önceki kaydı gösterir / the record is a string, not a Y.Map; readers show the record before it`)
    // The archive is malformed too, and a backup: never listed.
    expect(archiveRows().malformed).toBe(1)
    expect(listed.stdout).not.toContain(ARCHIVE)
    expect(lines.at(-2)).toBe('11 sorun, 3 belge, 2 bölge / 11 problem(s) in 3 document(s) of 2 region(s)')

    const refused = await runCli(['doctor', '--data', data.dir, '--repair'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/Veri klasörü kullanımda: .* \/ The data directory is in use: .* \(is the relay running\?\)/)
    expect(readdirSync(data.dir).filter((f) => f.includes('.bak-'))).toEqual([])
  })

  it('is repaired once the relay is stopped: a backup first, then one edit per document; a second run finds nothing', async () => {
    await stop()
    const before = new Database(path.join(data.dir, STORE_FILE), { readonly: true })
    const updatesBefore = (before.prepare('SELECT count(*) AS n FROM updates').get() as { n: number }).n
    before.close()
    const archiveBefore = archiveRows()

    const json = await runCli(['doctor', '--data', data.dir, '--json'])
    expect(json.code).toBe(3)
    type Problem = { document: string; region: string; kind: string; key: string | null; problem: { tr: string; en: string } }
    const report = JSON.parse(json.stdout) as { problems: Problem[]; repair: null }
    expect(report.problems.map((p) => [p.document, p.region, p.kind, p.key])).toContainEqual(['istanbul', 'istanbul', 'record', 'y'])
    expect(report.problems.map((p) => [p.document, p.region, p.kind, p.key])).toContainEqual([JANUARY, 'ankara', 'record', ids.t1])
    expect(report.problems.find((p) => p.key === 'y')?.problem.en).toBe('the record is a JSON array, not a Y.Map; readers show no record')

    const repaired = await runCli(['doctor', '--data', data.dir, '--repair'])
    expect(repaired.stderr).toBe('')
    expect(repaired.code).toBe(0)
    expect(repaired.stdout).toMatch(/onarıldı \/ repaired: ankara: 9 öğe \/ items, \d+ bayt \/ bytes \(rainstaff-doctor\)/)
    expect(repaired.stdout).toContain(`onarıldı / repaired: ${JANUARY}: 1 öğe / items`)
    expect(repaired.stdout).toMatch(/onarıldı \/ repaired: istanbul: 1 öğe/)
    expect(repaired.stdout).not.toContain(ARCHIVE)
    expect(repaired.stdout).toContain('clients only need to sync, and nobody resets an offline copy')
    const backup = /yedek \/ backup: (.+)/.exec(repaired.stdout)?.[1] ?? ''
    expect(path.dirname(backup)).toBe(data.dir)
    expect(path.basename(backup)).toMatch(/^rainstaff\.sqlite3\.bak-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/)
    const copy = new Database(backup, { readonly: true })
    expect((copy.prepare('SELECT count(*) AS n FROM updates').get() as { n: number }).n).toBe(updatesBefore)
    copy.close()
    const after = new Database(path.join(data.dir, STORE_FILE), { readonly: true })
    // One edit per document that had malformed items, nothing else.
    expect((after.prepare('SELECT count(*) AS n FROM updates').get() as { n: number }).n).toBe(updatesBefore + 3)
    expect(after.prepare('SELECT region, username FROM updates ORDER BY seq DESC LIMIT 3').all().reverse()).toEqual([
      { region: 'ankara', username: 'rainstaff-doctor' },
      { region: JANUARY, username: 'rainstaff-doctor' },
      { region: 'istanbul', username: 'rainstaff-doctor' },
    ])
    after.close()
    // The archive is as the migration left it, its malformed item and all.
    expect(archiveRows()).toEqual(archiveBefore)

    const again = await runCli(['doctor', '--data', data.dir])
    expect(again.code).toBe(0)
    expect(again.stdout.trim()).toBe('0 sorun, 0 belge, 0 bölge / 0 problem(s) in 0 document(s) of 0 region(s)')
    const noop = await runCli(['doctor', '--data', data.dir, '--repair'])
    expect(noop.code).toBe(0)
    expect(noop.stdout.trim()).toBe('0 sorun; depo değişmedi / 0 problems; the store is unchanged')
    expect(readdirSync(data.dir).filter((f) => f.includes('.bak-'))).toHaveLength(1)
  })

  it('serves the same data afterwards with nothing malformed, and a client merges the repair by syncing', async () => {
    await start()
    const status = (await (await admin('/api/status')).json()) as { regions: Array<{ malformed: number }> }
    expect(status.regions.map((r) => r.malformed)).toEqual(status.regions.map(() => 0))
    expect(dumpSqlite(await exportTo('after.sqlite'))).toEqual(exported)

    await clientOk(['sync', '--month', MONTH])
    expect(sqlRows(await clientOk(['sql', EMPLOYEES]))).toEqual(employeesBefore)
    expect(dumpSqlite(await clientOk(['export-sqlite', '--out', path.join(out.dir, 'client-after.sqlite')]))).toEqual(exported)
    // Before the repair Rainstaff's writer met a string under these ids; now it finds the records.
    await clientOk(['update', 'employees', ids.e1, '--json', JSON.stringify({ title: 'Şef' })])
    await clientOk(['update', 'timesheets', ids.t1, '--json', JSON.stringify({ break_minutes: 45 })])
    await clientOk(['sync'])
    const db = new Database(await exportTo('edited.sqlite'), { readonly: true })
    try {
      expect(db.prepare('SELECT full_name, title FROM employees WHERE id = ?').get(ids.e1)).toEqual({ full_name: 'Ayşe Yılmaz', title: 'Şef' })
      expect(db.prepare('SELECT break_minutes, is_special, length(notes) AS n FROM timesheets WHERE id = ?').get(ids.t1)).toEqual({
        break_minutes: 45,
        is_special: 1,
        n: HUGE.length,
      })
    } finally {
      db.close()
    }
    expect(existsSync(path.join(data.dir, STORE_FILE))).toBe(true)
  })
})
