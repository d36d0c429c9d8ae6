import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createRegionDoc, insertRecord, updateRecord } from '../crdt/regionDoc.ts'
import { readRecord, recordIds } from '../crdt/records.ts'
import { holdsDatedRecords } from '../crdt/splitRegion.ts'
import { recordConflicts } from '../crdt/conflicts.ts'
import { MIGRATION_USER, migrateRoundOne, roundOneClients, roundOneName } from '../relay/migrate.ts'
import { openStore, type Store } from '../relay/store.ts'
import { DEFAULT_REGIONS } from '../schema/regions.ts'
import { TABLE_NAMES } from '../schema/tables.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function docOf(store: Store, name: string): Y.Doc {
  const history = store.loadRegion(name)
  const doc = createRegionDoc()
  if (history.snapshot) Y.applyUpdate(doc, history.snapshot)
  for (const u of history.updates) Y.applyUpdate(doc, u.data)
  return doc
}

/** A round-1 store: Ankara's one document, written as a relay of round 1 logged it. */
function roundOneStore(): { store: Store; original: Y.Doc } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rainstaff-migrate-'))
  dirs.push(dir)
  const store = openStore(dir)
  const original = createRegionDoc()
  const clerk = { user: 'ankara1' }
  const ayse = insertRecord(original, 'employees', 'ankara', { full_name: 'Ayşe Yılmaz' }, clerk)
  for (const work_date of ['2025-12-31', '2026-01-02', '2026-01-30', '2024-06-03']) {
    insertRecord(original, 'timesheets', 'ankara', { employee_id: ayse, work_date, start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0 }, clerk)
  }
  updateRecord(original, 'employees', ayse, { title: 'Şef' }, clerk)
  store.appendUpdates([{ region: 'ankara', data: Y.encodeStateAsUpdate(original), username: 'ankara1', at: Date.now() }])
  return { store, original }
}

describe('migrating a round-1 data directory', () => {
  it('splits each region once, keeps the round-1 document, and repeats nothing', () => {
    const { store, original } = roundOneStore()
    try {
      const result = migrateRoundOne(store, DEFAULT_REGIONS, new Date('2026-12-01T10:00:00Z'))
      expect(result).toEqual([{ region: 'ankara', records: 5, months: 3, undated: 0 }])
      const master = docOf(store, 'ankara')
      expect(holdsDatedRecords(master)).toBe(false)
      expect(Y.encodeStateAsUpdate(docOf(store, roundOneName('ankara')))).toEqual(Y.encodeStateAsUpdate(original))
      const names = ['ankara', 'ankara/2024-06', 'ankara/2025-12', 'ankara/2026-01']
      for (const table of TABLE_NAMES) {
        for (const id of recordIds(original, table)) {
          const homes = names.filter((name) => readRecord(docOf(store, name), table, id) !== undefined)
          expect(homes, `${table} ${id}`).toHaveLength(1)
          expect(readRecord(docOf(store, homes[0]), table, id)).toEqual(readRecord(original, table, id))
        }
      }
      expect(roundOneClients(store, 'ankara')).toEqual(new Set([original.clientID]))
      const before = names.map((name) => Y.encodeStateAsUpdate(docOf(store, name)))
      expect(migrateRoundOne(store, DEFAULT_REGIONS)).toEqual([])
      expect(names.map((name) => Y.encodeStateAsUpdate(docOf(store, name)))).toEqual(before)
    } finally {
      store.close()
    }
  })

  it('an interrupted migration (archive written, master not) is done again from the archive', () => {
    const { store, original } = roundOneStore()
    try {
      store.writeSnapshot(roundOneName('ankara'), Y.encodeStateAsUpdate(original), 0)
      // Meanwhile nothing else could write: the relay migrates before it listens.
      const result = migrateRoundOne(store, DEFAULT_REGIONS)
      expect(result[0]?.records).toBe(5)
      expect(holdsDatedRecords(docOf(store, 'ankara'))).toBe(false)
      expect(readRecord(docOf(store, 'ankara/2026-01'), 'timesheets', [...recordIds(original, 'timesheets')].find((id) => readRecord(original, 'timesheets', id)?.work_date === '2026-01-30')!)).toBeDefined()
    } finally {
      store.close()
    }
  })

  it('a conflict nobody resolved is still listed, and every client the split wrote with is bound to the migration', () => {
    const { store, original } = roundOneStore()
    try {
      const ayse = [...recordIds(original, 'employees')][0]
      const office = createRegionDoc()
      Y.applyUpdate(office, Y.encodeStateAsUpdate(original))
      updateRecord(original, 'employees', ayse, { title: 'Usta' }, { user: 'ankara1' })
      updateRecord(office, 'employees', ayse, { title: 'Çırak' }, { user: 'ankara2' })
      Y.applyUpdate(original, Y.encodeStateAsUpdate(office))
      store.appendUpdates([{ region: 'ankara', data: Y.encodeStateAsUpdate(original), username: 'ankara1', at: Date.now() }])
      expect(recordConflicts(original, 'employees', ayse)).toHaveLength(1)
      migrateRoundOne(store, DEFAULT_REGIONS)
      const master = docOf(store, 'ankara')
      expect(recordConflicts(master, 'employees', ayse).map((c) => [c.value, c.lost_value, c.lost_by])).toEqual(
        recordConflicts(original, 'employees', ayse).map((c) => [c.value, c.lost_value, c.lost_by]),
      )
      const clients = [...Y.decodeStateVector(Y.encodeStateVector(master)).keys()]
      expect(clients).toHaveLength(2)
      for (const client of clients) expect(store.clientOwner(client)).toBe(MIGRATION_USER)
    } finally {
      store.close()
    }
  })
})
