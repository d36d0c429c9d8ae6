import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createRegionDoc, deleteRecord, insertRecord, resolveConflict, restoreRecord, updateRecord } from '../crdt/regionDoc.ts'
import { openMirror } from '../crdt/mirror.ts'
import { readRecord } from '../crdt/records.ts'

const sync = (a: Y.Doc, b: Y.Doc): void => {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)))
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)))
}
const ankara = { user: 'ankara1' }
const other = { user: 'ankara2' }

describe('region doc records', () => {
  it('concurrent edits to different fields of one record both survive', () => {
    const a = createRegionDoc()
    const b = createRegionDoc()
    const id = insertRecord(a, 'employees', 'ankara', { full_name: 'AYŞE YILMAZ' }, ankara)
    sync(a, b)
    updateRecord(a, 'employees', id, { title: 'Şef' }, ankara)
    updateRecord(b, 'employees', id, { department: 'Muhasebe' }, other)
    sync(a, b)
    for (const doc of [a, b]) {
      expect(readRecord(doc, 'employees', id)).toMatchObject({ title: 'Şef', department: 'Muhasebe' })
    }
  })

  it('concurrent edits to one field: same winner everywhere, the loser listed with author and time until resolved', async () => {
    const a = createRegionDoc()
    const b = createRegionDoc()
    const [ma, mb] = [await openMirror(), await openMirror()]
    ma.attach('ankara', a)
    mb.attach('ankara', b)
    const emp = insertRecord(a, 'employees', 'ankara', { full_name: 'MEHMET' }, ankara)
    const ts = insertRecord(a, 'timesheets', 'ankara', { employee_id: emp, work_date: '2026-01-05', start_time: '08:30', end_time: '17:30', break_minutes: 60, is_special: 0 }, ankara)
    sync(a, b)
    updateRecord(a, 'timesheets', ts, { end_time: '18:00' }, { user: 'ankara1', now: () => new Date('2026-01-05T18:00:00Z') })
    updateRecord(b, 'timesheets', ts, { end_time: '19:00' }, { user: 'ankara2', now: () => new Date('2026-01-05T19:00:00Z') })
    sync(a, b)
    const winner = readRecord(a, 'timesheets', ts)?.end_time
    expect(readRecord(b, 'timesheets', ts)?.end_time).toBe(winner)
    const [conflictA] = ma.query('SELECT * FROM conflicts')
    expect(mb.query('SELECT * FROM conflicts')).toEqual([conflictA])
    const lost = winner === '18:00' ? { v: '19:00', by: 'ankara2', at: '2026-01-05T19:00:00.000Z' } : { v: '18:00', by: 'ankara1', at: '2026-01-05T18:00:00.000Z' }
    expect(conflictA).toMatchObject({ table_name: 'timesheets', record_id: ts, field: 'end_time', value: winner, lost_value: lost.v, lost_by: lost.by, lost_at: lost.at })
    resolveConflict(b, { conflict_id: String(conflictA.conflict_id), table: 'timesheets', record_id: ts, field: 'end_time' }, lost.v, other)
    sync(a, b)
    expect(ma.query('SELECT * FROM conflicts')).toEqual([])
    expect(ma.query('SELECT end_time FROM timesheets')).toEqual([{ end_time: lost.v }])
  })

  it('two offices creating one plate offline end with one merged vehicle', async () => {
    const a = createRegionDoc()
    const b = createRegionDoc()
    const mirror = await openMirror()
    mirror.attach('ankara', a)
    const idA = insertRecord(a, 'vehicles', 'ankara', { plate: '34 abc 123', brand: 'Fiat' }, ankara)
    const idB = insertRecord(b, 'vehicles', 'ankara', { plate: '34ABC123', model: 'Doblo' }, other)
    expect(idA).toBe(idB)
    sync(a, b)
    expect(mirror.query('SELECT plate, brand, model FROM vehicles')).toEqual([{ plate: '34ABC123', brand: 'Fiat', model: 'Doblo' }])
    expect(readRecord(b, 'vehicles', idA)).toMatchObject({ brand: 'Fiat', model: 'Doblo' })
  })

  it('soft delete and restore show in deleted_records and the live table', async () => {
    const doc = createRegionDoc()
    const mirror = await openMirror()
    mirror.attach('izmir', doc)
    const id = insertRecord(doc, 'drivers', 'izmir', { full_name: 'ALİ' }, ankara)
    deleteRecord(doc, 'drivers', id, ankara)
    expect(mirror.query('SELECT count(*) AS n FROM drivers')).toEqual([{ n: 0 }])
    expect(mirror.query('SELECT table_name, record_id, deleted_by FROM deleted_records')).toEqual([{ table_name: 'drivers', record_id: id, deleted_by: 'ankara1' }])
    expect(() => updateRecord(doc, 'drivers', id, { phone: '1' }, ankara)).toThrow(/silinmiş.*deleted/)
    restoreRecord(doc, 'drivers', id, ankara)
    expect(mirror.query('SELECT full_name FROM drivers')).toEqual([{ full_name: 'ALİ' }])
    expect(mirror.query('SELECT * FROM deleted_records')).toEqual([])
  })

  it('a mirror holds several regions; live queries fire only when their tables change', async () => {
    const mirror = await openMirror()
    const ankaraDoc = createRegionDoc()
    const izmirDoc = createRegionDoc()
    mirror.attach('ankara', ankaraDoc)
    mirror.attach('izmir', izmirDoc)
    const calls: number[] = []
    mirror.liveQuery('SELECT count(*) AS n FROM vehicles', [], ['vehicles'], (rows) => calls.push(Number(rows[0].n)))
    insertRecord(ankaraDoc, 'employees', 'ankara', { full_name: 'X' }, ankara)
    expect(calls).toEqual([0])
    insertRecord(ankaraDoc, 'vehicles', 'ankara', { plate: '06 A 1' }, ankara)
    insertRecord(izmirDoc, 'vehicles', 'izmir', { plate: '06 A 1' }, ankara)
    expect(calls).toEqual([0, 1, 2])
    expect(mirror.counts('izmir').vehicles).toBe(1)
    mirror.detach('izmir')
    expect(mirror.query('SELECT region FROM vehicles')).toEqual([{ region: 'ankara' }])
  })
})
