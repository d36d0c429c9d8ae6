import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createRegionDoc, insertRecord, updateRecord, deleteRecord, restoreRecord } from '../crdt/regionDoc.ts'
import { readRecord, recordIds } from '../crdt/records.ts'
import { splitRegionDoc } from '../crdt/splitRegion.ts'
import { locateRecord, type RegionDocuments } from '../crdt/periodDocs.ts'
import { replayEdits, unacknowledgedEdits } from '../client/migrateCopy.ts'
import { TABLE_NAMES } from '../schema/tables.ts'
import { recordConflicts } from '../crdt/conflicts.ts'
import type { PendingMark } from '../client/pendingChanges.ts'

const clerk = { user: 'ankara1' }
const shift = { start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0 } as const

describe('a round-1 copy with edits the relay never acknowledged', () => {
  it('finds exactly those edits and writes them again into the split documents', () => {
    // The device's round-1 doc: everything up to `durable` reached the relay, then it went offline.
    const device = createRegionDoc()
    const marks: PendingMark[] = []
    device.on('afterTransaction', (tr: Y.Transaction) => marks.push({ client: device.clientID, clock: tr.afterState.get(device.clientID) ?? 0 }))
    const ayse = insertRecord(device, 'employees', 'ankara', { full_name: 'Ayşe Yılmaz' }, clerk)
    const sheet = insertRecord(device, 'timesheets', 'ankara', { employee_id: ayse, work_date: '2026-11-30', ...shift }, clerk)
    const old = insertRecord(device, 'timesheets', 'ankara', { employee_id: ayse, work_date: '2024-03-04', ...shift }, clerk)
    const durable = new Map([[device.clientID, Y.getState(device.store, device.clientID)]])
    const relay = createRegionDoc()
    Y.applyUpdate(relay, Y.encodeStateAsUpdate(device))
    // Offline, never acknowledged:
    updateRecord(device, 'timesheets', sheet, { end_time: '18:30', notes: 'sayım' }, clerk)
    updateRecord(device, 'employees', ayse, { department: 'Depo' }, clerk)
    deleteRecord(device, 'timesheets', old, clerk)
    const mehmet = insertRecord(device, 'employees', 'ankara', { full_name: 'Mehmet Kaya' }, clerk)
    const fresh = insertRecord(device, 'timesheets', 'ankara', { employee_id: mehmet, work_date: '2026-12-01', ...shift }, clerk)

    const edits = unacknowledgedEdits({ region: 'ankara', stored: { updates: [Y.encodeStateAsUpdate(device)], marks, meta: { durable: [...durable], lastSyncedAt: null } } })
    expect(edits.map((e) => `${e.table}:${e.id}`).sort()).toEqual(
      [`employees:${ayse}`, `employees:${mehmet}`, `timesheets:${sheet}`, `timesheets:${old}`, `timesheets:${fresh}`].sort(),
    )
    expect(edits.find((e) => e.id === sheet)?.fields).toEqual({ end_time: '18:30', notes: 'sayım' })
    expect(edits.find((e) => e.id === fresh)?.period).toBe('2026-12')

    // The relay split what it had; the device writes its edits into that.
    const split = splitRegionDoc(relay, '2026-12')
    const months = new Map(split.months)
    for (const edit of edits) if (edit.period !== null && !months.has(edit.period)) months.set(edit.period, createRegionDoc())
    const docs: RegionDocuments = { region: 'ankara', master: split.master, month: (p) => months.get(p), months: () => months.entries() }
    const result = replayEdits(docs, edits, clerk)
    expect(result.failed).toEqual([])
    expect(result.written).toBe(5)
    for (const table of TABLE_NAMES) {
      for (const id of recordIds(device, table)) {
        const want = readRecord(device, table, id)!
        const got = locateRecord(docs, table, id)?.record
        for (const field of ['full_name', 'department', 'work_date', 'end_time', 'notes', 'employee_id']) expect(got?.[field] ?? null, `${table} ${id} ${field}`).toEqual(want[field] ?? null)
        expect(got?.deleted_at === null, `${table} ${id} deleted`).toBe(want.deleted_at === null)
      }
    }
    // Written again, nothing changes.
    expect(replayEdits(docs, edits, clerk).written).toBe(0)
  })

  it('opens the month a moved record is in on the relay, restores before it edits, and reports an edit of a record deleted meanwhile', () => {
    const device = createRegionDoc()
    const marks: PendingMark[] = []
    device.on('afterTransaction', (tr: Y.Transaction) => marks.push({ client: device.clientID, clock: tr.afterState.get(device.clientID) ?? 0 }))
    const ayse = insertRecord(device, 'employees', 'ankara', { full_name: 'Ayşe Yılmaz' }, clerk)
    const june = insertRecord(device, 'timesheets', 'ankara', { employee_id: ayse, work_date: '2025-06-10', ...shift }, clerk)
    const gone = insertRecord(device, 'timesheets', 'ankara', { employee_id: ayse, work_date: '2025-06-11', ...shift }, clerk)
    const back = insertRecord(device, 'timesheets', 'ankara', { employee_id: ayse, work_date: '2025-06-12', ...shift }, clerk)
    deleteRecord(device, 'timesheets', back, clerk)
    const durable = new Map([[device.clientID, Y.getState(device.store, device.clientID)]])
    const relay = createRegionDoc()
    Y.applyUpdate(relay, Y.encodeStateAsUpdate(device))
    // Another office deletes a shift the device then edits offline.
    deleteRecord(relay, 'timesheets', gone, { user: 'ankara2' })
    updateRecord(device, 'timesheets', june, { work_date: '2025-07-10' }, clerk)
    updateRecord(device, 'timesheets', gone, { notes: 'kontrol' }, clerk)
    restoreRecord(device, 'timesheets', back, clerk)
    updateRecord(device, 'timesheets', back, { notes: 'geri geldi' }, clerk)

    const edits = unacknowledgedEdits({ region: 'ankara', stored: { updates: [Y.encodeStateAsUpdate(device)], marks, meta: { durable: [...durable], lastSyncedAt: null } } })
    expect(edits.find((e) => e.id === june)).toMatchObject({ period: '2025-07', relayPeriod: '2025-06' })
    expect(edits.find((e) => e.id === back)).toMatchObject({ period: '2025-06', relayPeriod: null })

    const split = splitRegionDoc(relay, '2026-12')
    const months = new Map([...split.months, ['2025-07', createRegionDoc()] as const])
    const docs: RegionDocuments = { region: 'ankara', master: split.master, month: (p) => months.get(p), months: () => months.entries() }
    const result = replayEdits(docs, edits, clerk)
    expect(result.written).toBe(2)
    expect(result.failed.map((f) => [f.edit.id, f.reason.en])).toEqual([[gone, 'Timesheets: record is deleted; restore it first']])
    expect(locateRecord(docs, 'timesheets', june)).toMatchObject({ period: '2025-07', record: { work_date: '2025-07-10' } })
    expect(readRecord(months.get('2025-06')!, 'timesheets', june)?.moved_to).toBe('2025-07')
    expect(locateRecord(docs, 'timesheets', back)?.record).toMatchObject({ deleted_at: null, notes: 'geri geldi' })
    expect(locateRecord(docs, 'timesheets', gone)?.record.deleted_at).not.toBeNull()
  })

  it('meets a field another office changed meanwhile as a conflict, as round 1 would have, and overwrites nothing unseen', () => {
    const device = createRegionDoc()
    const marks: PendingMark[] = []
    device.on('afterTransaction', (tr: Y.Transaction) => marks.push({ client: device.clientID, clock: tr.afterState.get(device.clientID) ?? 0 }))
    const ayse = insertRecord(device, 'employees', 'ankara', { full_name: 'Ayşe Yılmaz', title: 'Usta', department: 'Depo' }, clerk)
    const durable = new Map([[device.clientID, Y.getState(device.store, device.clientID)]])
    const relay = createRegionDoc()
    Y.applyUpdate(relay, Y.encodeStateAsUpdate(device))
    updateRecord(relay, 'employees', ayse, { title: 'Şef', identity_no: '10000000146' }, { user: 'ankara2' })
    updateRecord(device, 'employees', ayse, { title: 'Müdür', department: 'İdari' }, clerk)
    const merged = createRegionDoc()
    Y.applyUpdate(merged, Y.encodeStateAsUpdate(relay))
    Y.applyUpdate(merged, Y.encodeStateAsUpdate(device))
    const pair = (doc: Y.Doc): string[] => recordConflicts(doc, 'employees', ayse).flatMap((c) => [c.value, c.lost_value].map(String)).sort()
    expect(pair(merged)).toEqual(['Müdür', 'Şef'])

    const edits = unacknowledgedEdits({ region: 'ankara', stored: { updates: [Y.encodeStateAsUpdate(device)], marks, meta: { durable: [...durable], lastSyncedAt: null } } })
    expect(edits[0].acknowledged).toEqual({ title: 'Usta', department: 'Depo' })
    const migrated = Y.encodeStateAsUpdate(splitRegionDoc(relay, '2026-12').master)
    // Yjs lets the higher client id win: the device's value loses to the other office's, then wins.
    for (const [client, winner] of [[1, 'Şef'], [2 ** 32 - 1, 'Müdür']] as const) {
      const master = createRegionDoc()
      master.clientID = client
      Y.applyUpdate(master, migrated)
      const docs: RegionDocuments = { region: 'ankara', master, month: () => undefined, months: () => [] }
      expect(replayEdits(docs, edits, clerk)).toEqual({ written: 1, failed: [] })
      expect(master.clientID).toBe(client)
      // The two titles meet as they did in round 1; the department nobody else touched is simply set.
      const [conflict] = recordConflicts(master, 'employees', ayse)
      expect(conflict).toMatchObject({ field: 'title', value: winner, lost_by: winner === 'Şef' ? 'ankara1' : 'ankara2' })
      expect(pair(master)).toEqual(['Müdür', 'Şef'])
      expect(readRecord(master, 'employees', ayse)).toMatchObject({ title: winner, department: 'İdari', identity_no: '10000000146' })
      // Written again (a crash before the copy was set aside), nothing changes.
      const state = Y.encodeStateVector(master)
      expect(replayEdits(docs, edits, clerk).written).toBe(0)
      expect(Y.encodeStateVector(master)).toEqual(state)
    }
  })
})
