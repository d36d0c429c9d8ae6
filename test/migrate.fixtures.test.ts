/**
 * Issue 12, the relay side on realistic data: a round-1 data directory holding every legacy
 * fixture (one document per region, as round 1's import-legacy wrote it) and a season of office
 * work on top — edits, soft deletes and a restore, timesheets years and months apart, a date
 * changed into another month, a legacy row with a text date, concurrent edits left as conflicts
 * and one resolved, a plate two offices entered at once, a region compacted into a snapshot. A
 * real relay process starts on it: every record (table, id, every field, deletion, conflicts)
 * reads the same through a signed-in peer as in the round-1 document, each in the document of its
 * month; the round-1 document is kept whole; the log says what was done; a restart changes
 * nothing; importing the fixtures again creates nothing; a carried conflict can be resolved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { recordConflicts } from '../crdt/conflicts.ts'
import { readRecord, recordIds } from '../crdt/records.ts'
import { deleteRecord, insertRecord, resolveConflict, restoreRecord, updateRecord } from '../crdt/regionDoc.ts'
import { createImported } from '../crdt/legacy/write.ts'
import { importLegacyIntoRelay } from '../relay/legacyImport.ts'
import { roundOneName } from '../relay/migrate.ts'
import { loadStoredDocument } from '../relay/storage.ts'
import { openStore } from '../relay/store.ts'
import { currentPeriod, documentName, periodByDate, PERIOD_TABLES } from '../schema/periods.ts'
import type { TableName } from '../schema/tables.ts'
import { openStoredMonths, startPeer, type TestPeer } from './helpers/peerEngine.ts'
import { ADMIN_PASSWORD, seedUsers, spawnRelay, tempDir, type RelayProcess } from './helpers/relayProcess.ts'
import { by, FIXTURE_FILES, fixtureBytes, importFixtures, recordsOf, RoundOneRelay, type RecordView } from './helpers/roundOne.ts'

const PASSWORD = 'office-password-1'
const data = tempDir('rainstaff-migrate-fixtures-')
const round1 = new RoundOneRelay()
const today = new Date().toISOString().slice(0, 10)
let relay: RelayProcess
/** What the round-1 relay held, per region, before the migration. */
const before = new Map<string, Map<string, RecordView>>()

const shift = { start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0 } as const
const first = (doc: Y.Doc, table: TableName, n = 0): string => [...recordIds(doc, table)].sort()[n]

/** Ankara's offices over a round-1 season, two PCs syncing with the relay in turns. */
function ankaraSeason(): void {
  const [a, b] = [round1.office('ankara'), round1.office('ankara')]
  const ayse = first(a, 'employees')
  const [kept, removed, restored, moved] = [0, 1, 2, 3].map((n) => first(a, 'timesheets', n))
  // Offline at once: both change the title (a conflict nobody resolves) and the department (resolved below).
  updateRecord(a, 'employees', ayse, { title: 'Şef', department: 'Depo' }, by('ankara1', '2026-02-02T08:00:00Z'))
  updateRecord(b, 'employees', ayse, { title: 'Usta', department: 'İdari' }, by('ankara2', '2026-02-02T08:30:00Z'))
  // The same plate entered on both PCs: one record, its differing fields in conflict.
  insertRecord(a, 'vehicles', 'ankara', { plate: '06 ABC 123', km: 152000, brand: 'Ford' }, by('ankara1', '2026-02-02T09:00:00Z'))
  insertRecord(b, 'vehicles', 'ankara', { plate: '06 ABC 123', km: 152400, notes: 'yeni lastik' }, by('ankara2', '2026-02-02T09:05:00Z'))
  round1.sync('ankara', a, 'ankara1')
  round1.sync('ankara', b, 'ankara2')
  round1.sync('ankara', a, 'ankara1')
  const department = recordConflicts(a, 'employees', ayse).find((c) => c.field === 'department')!
  resolveConflict(a, department, department.lost_value, by('ankara1', '2026-02-03T08:00:00Z'))
  for (const work_date of ['2024-06-03', '2025-12-31', today]) {
    insertRecord(a, 'timesheets', 'ankara', { employee_id: ayse, work_date, ...shift, notes: `giriş ${work_date}` }, by('ankara1', '2026-02-03T09:00:00Z'))
  }
  updateRecord(a, 'timesheets', kept, { end_time: '18:30', notes: 'sayım' }, by('ankara1', '2026-02-03T10:00:00Z'))
  deleteRecord(a, 'timesheets', removed, by('ankara1', '2026-02-03T10:05:00Z'))
  deleteRecord(a, 'timesheets', restored, by('ankara1', '2026-02-03T10:06:00Z'))
  restoreRecord(a, 'timesheets', restored, by('ankara1', '2026-02-03T10:07:00Z'))
  // A shift entered on the wrong month: round 1 only changed the field.
  updateRecord(a, 'timesheets', moved, { work_date: '2026-02-27' }, by('ankara1', '2026-02-03T10:10:00Z'))
  const vehicle = 'plate:06ABC123'
  const inspection = insertRecord(a, 'vehicle_inspections', 'ankara', { vehicle_id: vehicle, inspection_date: '2025-11-05', week_start: '2025-11-03' }, by('ankara1', '2026-02-03T11:00:00Z'))
  insertRecord(a, 'vehicle_inspection_results', 'ankara', { inspection_id: inspection, item_key: 'lights', status: 'Olumsuz' }, by('ankara1', '2026-02-03T11:00:00Z'))
  insertRecord(a, 'vehicle_service_visits', 'ankara', { vehicle_id: vehicle, start_date: '2025-10-20', reason: 'bakım' }, by('ankara1', '2026-02-03T11:10:00Z'))
  // A legacy row from before the converter refused text dates: it has no month.
  a.transact(() => createImported(a, 'timesheets', 'legacyRow00000001', 'ankara', { employee_id: ayse, work_date: '31/11/2019', ...shift }, 'legacy-import:migration', '2026-01-15T00:00:00.000Z'))
  round1.sync('ankara', a, 'ankara1')
  updateRecord(b, 'employees', first(b, 'employees', 1), { identity_no: '10000000146' }, by('ankara2', '2026-02-04T08:00:00Z'))
  round1.sync('ankara', b, 'ankara2')
}

/** İstanbul: compacted after the import, then a day of work logged after the snapshot. */
function istanbulDay(): void {
  const pc = round1.office('istanbul')
  updateRecord(pc, 'stock_inventory', first(pc, 'stock_inventory'), { durum: 'sayıldı' }, by('istanbul1', '2026-02-05T08:00:00Z'))
  deleteRecord(pc, 'drivers', first(pc, 'drivers'), by('istanbul1', '2026-02-05T08:10:00Z'))
  insertRecord(pc, 'timesheets', 'istanbul', { employee_id: first(pc, 'employees'), work_date: '2025-03-14', ...shift }, by('istanbul1', '2026-02-05T08:20:00Z'))
  round1.sync('istanbul', pc, 'istanbul1')
}

/** Where a record must live after the split, by the schema's rules: master data, or its month. */
function expectedDocument(region: string, table: TableName, view: RecordView, records: ReadonlyMap<string, RecordView>): string {
  const rule = PERIOD_TABLES[table]
  if (rule === undefined) return region
  if ('withParent' in rule) return expectedDocument(region, rule.parent, records.get(`${rule.parent}/${view.record[rule.withParent]}`)!, records)
  return documentName(region, periodByDate(table, view.record) ?? currentPeriod())
}

/** Every document of the store (archives too), as the relay loads it: name → encoded state. */
function storedState(dir: string): Map<string, string> {
  const store = openStore(dir)
  try {
    return new Map(
      store.storedRegions().sort().map((name) => {
        const doc = loadStoredDocument(store, name, { tr: 'okunamadı', en: 'unreadable' })
        return [name, Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64')] as const
      }),
    )
  } finally {
    store.close()
  }
}

beforeAll(async () => {
  await importFixtures(round1)
  const istanbulImport = round1.rows.filter((r) => r.region === 'istanbul').length
  ankaraSeason()
  istanbulDay()
  for (const [region, doc] of round1.docs) before.set(region, recordsOf([[region, doc]]))
  round1.writeStore(data.dir, new Map([['istanbul', istanbulImport]]))
  // Users first, as round 1 had them: the relay makes no admin of its own in a store with users.
  await seedUsers(data.dir, [
    { username: 'admin', password: ADMIN_PASSWORD, role: 'admin', region: null },
    { username: 'ankara1', password: PASSWORD, role: 'editor', region: 'ankara' },
    { username: 'istanbul1', password: PASSWORD, role: 'editor', region: 'istanbul' },
  ])
  relay = await spawnRelay(data.dir)
}, 60_000)

afterAll(async () => {
  await relay?.stop()
  data.remove()
})

describe('a round-1 data directory of the legacy fixtures, on the first start of the new relay', () => {
  it('holds what the test means to migrate', () => {
    const ankara = [...before.get('ankara')!.values()]
    expect(ankara.filter((v) => v.conflicts.length > 0).map((v) => v.conflicts.length)).toEqual([1, 1])
    expect(ankara.some((v) => v.record.deleted_at !== null)).toBe(true)
    expect(before.get('istanbul')!.size).toBeGreaterThan(100)
    expect(before.get('izmir')!.size).toBeGreaterThan(50)
    expect(before.get('bursa')!.size).toBe(0)
  })

  it('says per region what it did: records, months, and the round-1 document kept', () => {
    for (const region of ['ankara', 'istanbul', 'izmir']) {
      const records = before.get(region)!
      const months = new Set([...records].map(([key, view]) => expectedDocument(region, key.split('/')[0] as TableName, view, records)).filter((d) => d !== region))
      expect(relay.output()).toContain(
        `${region} moved to month documents: ${records.size} records, ${months.size} months; the round-1 document is kept as ${roundOneName(region)}`,
      )
    }
    expect(relay.output()).not.toMatch(/bursa moved/)
  })

  it('a signed-in peer reads every record as the round-1 document had it, in the document of its month', async () => {
    const admin = await startPeer(relay.url, 'admin', ADMIN_PASSWORD)
    try {
      await admin.engine.whenSynced()
      await openStoredMonths(admin)
      await admin.engine.whenSynced()
      for (const [region, expected] of before) {
        const seen = recordsOf(admin.engine.documents(region).map((name) => [name, admin.engine.doc(name)] as const))
        expect([...seen.keys()].sort(), region).toEqual([...expected.keys()].sort())
        for (const [key, view] of expected) {
          const got = seen.get(key)!
          expect(got.record, key).toEqual(view.record)
          expect(got.conflicts, key).toEqual(view.conflicts)
          expect(got.document, key).toBe(expectedDocument(region, key.split('/')[0] as TableName, view, expected))
        }
      }
      const undated = readRecord(admin.engine.doc(documentName('ankara', currentPeriod())), 'timesheets', 'legacyRow00000001')
      expect(undated?.work_date).toBe('31/11/2019')
    } finally {
      await admin.close()
    }
  })

  it('keeps the round-1 documents whole, and a restart splits nothing again', async () => {
    expect(await relay.stop()).toBe(0)
    const stored = storedState(data.dir)
    for (const [region, doc] of round1.docs) {
      if (region === 'bursa') continue
      expect(stored.get(roundOneName(region)), region).toBe(Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64'))
    }
    relay = await spawnRelay(data.dir)
    expect(relay.output()).not.toMatch(/moved to month documents/)
    expect(await relay.stop()).toBe(0)
    expect(storedState(data.dir)).toEqual(stored)
  })

  it('importing the fixtures again into the migrated store creates nothing', async () => {
    for (const { name, fileRegion } of FIXTURE_FILES) {
      const result = await importLegacyIntoRelay({ dataDir: data.dir, files: [{ name, bytes: fixtureBytes(name) }], by: 'migration', ...(fileRegion !== undefined ? { fileRegion } : {}) })
      const created = Object.entries(result.files[0].report.counts).flatMap(([region, tables]) => Object.entries(tables).filter(([, c]) => c.created > 0).map(([table, c]) => `${region} ${table}: ${c.created}`))
      expect(created, name).toEqual([])
      expect(Object.values(result.appended).every((bytes) => bytes === 0), name).toBe(true)
    }
  })

  it('an office resolves a conflict carried over, and it is gone for everyone', async () => {
    relay = await spawnRelay(data.dir)
    const office: TestPeer = await startPeer(relay.url, 'ankara1', PASSWORD)
    try {
      await office.engine.whenSynced()
      const ayse = first(round1.doc('ankara'), 'employees')
      const errors: string[] = []
      office.engine.on('error', (e) => errors.push(e.message))
      const [conflict] = recordConflicts(office.engine.doc('ankara'), 'employees', ayse)
      expect(conflict.field).toBe('title')
      office.engine.resolveConflict(conflict, conflict.lost_value)
      await office.engine.whenSynced()
      expect(errors).toEqual([])
      const admin = await startPeer(relay.url, 'admin', ADMIN_PASSWORD)
      try {
        await admin.engine.whenSynced()
        expect(recordConflicts(admin.engine.doc('ankara'), 'employees', ayse)).toEqual([])
        expect(readRecord(admin.engine.doc('ankara'), 'employees', ayse)?.title).toBe(conflict.lost_value)
      } finally {
        await admin.close()
      }
    } finally {
      await office.close()
    }
  })
})
