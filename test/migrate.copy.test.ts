/**
 * Issue 12, the device side: an İstanbul PC of round 1 went offline with unsent edits in its
 * round-1 copy (`docs/istanbul.ylog`, one document for the region) while another office went on
 * working; the relay has since been migrated to master and month documents. The next sign-in with
 * the new engine writes every unsent edit again into the documents it belongs to — inserts,
 * updates, deletes, a restore, timesheets this month, in months long past and in a month the
 * relay never had, a timesheet moved between months, a field the other office changed too (a
 * conflict, as round 1 would have made it) — each exactly once; the pending count
 * reaches 0; the copy is set aside as a backup with a message saying so; a second sign-in does
 * nothing more. A read-only region's round-1 copy is set aside too.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { readRecord, recordIds } from '../crdt/records.ts'
import { deleteRecord, insertRecord, restoreRecord, updateRecord } from '../crdt/regionDoc.ts'
import { parseDocumentName } from '../schema/periods.ts'
import type { TableName } from '../schema/tables.ts'
import { peerDir, openStoredMonths, startPeer, type TestPeer } from './helpers/peerEngine.ts'
import { ADMIN_PASSWORD, seedUsers, spawnRelay, tempDir, type RelayProcess } from './helpers/relayProcess.ts'
import { by, contentOf, importFixtures, recordsOf, RoundOneDevice, RoundOneRelay, type RecordView } from './helpers/roundOne.ts'

const PASSWORD = 'office-password-1'
const data = tempDir('rainstaff-migrate-copy-')
const deviceDir = peerDir('istanbul1')
const round1 = new RoundOneRelay()
const device = new RoundOneDevice('istanbul')
const today = new Date().toISOString().slice(0, 10)
const shift = { start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0 } as const
let relay: RelayProcess
let copyFile: string
let copyBytes: Buffer
/** Records the device's unsent edits touched (`table/id`), and the one whose edit cannot be written. */
const touched = new Set<string>()
let deletedMeanwhile = ''
let contested = ''
/** What round 1 would have made of the device's copy once it met the relay: both merged. */
let merged: Map<string, RecordView>

const ids = (doc: Y.Doc, table: TableName, where: (r: Record<string, unknown>) => boolean = () => true): string[] =>
  [...recordIds(doc, table)].filter((id) => where(readRecord(doc, table, id)!)).sort()
const touch = (table: TableName, id: string): string => (touched.add(`${table}/${id}`), id)

/** Round 1: the PC works online, goes offline and keeps working over two sessions; another office works meanwhile. */
function roundOneSeason(): void {
  device.syncWith(round1, 'istanbul1')
  const doc = (): Y.Doc => device.doc
  const january = ids(doc(), 'timesheets', (r) => String(r.work_date).startsWith('2026-01') && r.region === 'istanbul')
  const [employee, other] = ids(doc(), 'employees', (r) => r.region === 'istanbul')
  const [stock, stockGone] = ids(doc(), 'stock_inventory')
  // Online, acknowledged: a June shift, and a January one deleted.
  const june = device.edit((d) => insertRecord(d, 'timesheets', 'istanbul', { employee_id: employee, work_date: '2025-06-10', ...shift }, by('istanbul1', '2026-02-01T08:00:00Z')))
  device.edit((d) => deleteRecord(d, 'timesheets', january[3], by('istanbul1', '2026-02-01T08:05:00Z')))
  device.syncWith(round1, 'istanbul1')

  // The other office, online after the PC went offline.
  const office = round1.office('istanbul')
  updateRecord(office, 'employees', employee, { department: 'Lojistik' }, by('istanbul2', '2026-02-02T08:00:00Z'))
  updateRecord(office, 'employees', other, { title: 'Müdür' }, by('istanbul2', '2026-02-02T08:05:00Z'))
  insertRecord(office, 'timesheets', 'istanbul', { employee_id: other, work_date: '2026-01-20', ...shift, notes: 'öteki ofis' }, by('istanbul2', '2026-02-02T08:10:00Z'))
  deleteRecord(office, 'stock_inventory', stockGone, by('istanbul2', '2026-02-02T08:20:00Z'))
  round1.sync('istanbul', office, 'istanbul2')

  // Offline, never acknowledged: a session, then a restart and another.
  device.restart()
  const mehmet = touch('employees', device.edit((d) => insertRecord(d, 'employees', 'istanbul', { full_name: 'Mehmet Kaya', title: 'Çırak' }, by('istanbul1', '2026-02-03T08:00:00Z'))))
  for (const work_date of [today, '2024-03-04', '2026-01-21']) {
    touch('timesheets', device.edit((d) => insertRecord(d, 'timesheets', 'istanbul', { employee_id: mehmet, work_date, ...shift, notes: `çevrimdışı ${work_date}` }, by('istanbul1', '2026-02-03T08:10:00Z'))))
  }
  device.edit((d) => updateRecord(d, 'timesheets', touch('timesheets', january[0]), { end_time: '18:45', notes: 'fazla mesai' }, by('istanbul1', '2026-02-03T09:00:00Z')))
  device.edit((d) => deleteRecord(d, 'timesheets', touch('timesheets', january[1]), by('istanbul1', '2026-02-03T09:05:00Z')))
  device.edit((d) => updateRecord(d, 'employees', touch('employees', employee), { title: 'Şef' }, by('istanbul1', '2026-02-03T09:10:00Z')))
  // The same field the other office changed: round 1 would have kept both, one as a conflict.
  contested = `employees/${other}`
  device.edit((d) => updateRecord(d, 'employees', touch('employees', other), { title: 'Usta Başı' }, by('istanbul1', '2026-02-03T09:12:00Z')))
  device.edit((d) => updateRecord(d, 'timesheets', touch('timesheets', june), { work_date: '2025-07-10' }, by('istanbul1', '2026-02-03T09:15:00Z')))
  device.edit((d) => restoreRecord(d, 'timesheets', touch('timesheets', january[3]), by('istanbul1', '2026-02-03T09:20:00Z')))
  device.edit((d) => updateRecord(d, 'timesheets', january[3], { notes: 'geri alındı' }, by('istanbul1', '2026-02-03T09:21:00Z')))
  device.edit((d) => updateRecord(d, 'stock_inventory', touch('stock_inventory', stock), { durum: 'sayıldı' }, by('istanbul1', '2026-02-03T09:30:00Z')))
  deletedMeanwhile = device.edit((d) => (updateRecord(d, 'stock_inventory', stockGone, { durum: 'kayıp' }, by('istanbul1', '2026-02-03T09:35:00Z')), `stock_inventory/${stockGone}`))
  device.restart()
  device.edit((d) => updateRecord(d, 'employees', mehmet, { department: 'Depo' }, by('istanbul1', '2026-02-04T08:00:00Z')))
  touch('vehicles', device.edit((d) => insertRecord(d, 'vehicles', 'istanbul', { plate: '34 RS 2026', km: 1200 }, by('istanbul1', '2026-02-04T08:10:00Z'))))
}

beforeAll(async () => {
  await importFixtures(round1)
  // A read-only region's copy, synced and never edited.
  const ankara = new RoundOneDevice('ankara')
  ankara.syncWith(round1, 'istanbul1')
  roundOneSeason()
  const both = new Y.Doc({ gc: false })
  Y.applyUpdate(both, Y.encodeStateAsUpdate(round1.doc('istanbul')))
  Y.applyUpdate(both, Y.encodeStateAsUpdate(device.doc))
  merged = recordsOf([['istanbul', both]])
  round1.writeStore(data.dir)
  copyFile = device.write(deviceDir)
  copyBytes = readFileSync(copyFile)
  ankara.write(deviceDir)
  await seedUsers(data.dir, [
    { username: 'admin', password: ADMIN_PASSWORD, role: 'admin', region: null },
    { username: 'istanbul1', password: PASSWORD, role: 'editor', region: 'istanbul' },
  ])
  relay = await spawnRelay(data.dir)
}, 60_000)

afterAll(async () => {
  await relay?.stop()
  data.remove()
})

/** The relay's copy of İstanbul as a fresh reader gets it: every month it holds. */
async function relayRecords(): Promise<Map<string, RecordView>> {
  const admin = await startPeer(relay.url, 'admin', ADMIN_PASSWORD, { engine: { regions: ['istanbul'] } })
  try {
    await admin.engine.whenSynced()
    await openStoredMonths(admin)
    await admin.engine.whenSynced()
    return recordsOf(admin.engine.documents('istanbul').map((name) => [name, admin.engine.doc(name)] as const))
  } finally {
    await admin.close()
  }
}

describe("a round-1 PC's offline copy, at the first sign-in after the migration", () => {
  const notices: string[] = []
  let peer: TestPeer

  it('counts the unsent edits as pending, writes each once, and reaches 0 pending', async () => {
    peer = await startPeer(relay.url, 'istanbul1', PASSWORD, { dir: deviceDir, engine: { onNotice: (m) => notices.push(m.en) } })
    const refusals: string[] = []
    peer.engine.on('error', (e) => refusals.push(e.message))
    expect(peer.engine.pendingChanges).toBe(touched.size + 1)
    await peer.engine.whenSynced()
    expect(refusals).toEqual([])
    expect(peer.engine.pendingChanges).toBe(0)
    const written = touched.size
    expect(notices).toEqual([
      "ankara: this computer's old copy was moved to the new layout (a backup was kept)",
      `istanbul: ${written} unsent changes of the old copy were written to the new layout; 1 could not be written (they stay in the backup)`,
    ])
  })

  it('the relay holds every record as round 1 would have merged it, the unsent edits once each', async () => {
    const seen = await relayRecords()
    expect([...seen.keys()].sort()).toEqual([...merged.keys()].sort())
    for (const [key, want] of merged) {
      const got = seen.get(key)!
      const table = key.split('/')[0] as TableName
      if (key === deletedMeanwhile) {
        // Deleted by the other office before the PC's edit arrived: deleted, the edit left in the backup.
        expect(got.record.deleted_at, key).not.toBeNull()
        expect(got.record.durum, key).not.toBe('kayıp')
      } else if (key === contested) {
        // Either title may win (Yjs: the higher client id); both are there, the other as a conflict.
        const pair = (view: RecordView): string[] => view.conflicts.map((c) => JSON.parse(c) as { field: string; value: string; lost_value: string }).flatMap((c) => [c.field, ...[c.value, c.lost_value].sort()])
        expect(pair(want), key).toEqual(['title', 'Müdür', 'Usta Başı'])
        expect(pair(got), key).toEqual(pair(want))
        expect({ ...contentOf(table, got.record), title: null }, key).toEqual({ ...contentOf(table, want.record), title: null })
      } else if (touched.has(key)) {
        expect(contentOf(table, got.record), key).toEqual(contentOf(table, want.record))
        expect(got.record.updated_by, key).toBe('istanbul1')
      } else {
        expect(got.record, key).toEqual(want.record)
      }
    }
    expect(seen.get(`timesheets/${[...touched].find((k) => merged.get(k)?.record.work_date === '2025-07-10')!.split('/')[1]}`)?.document).toBe('istanbul/2025-07')
  })

  it('sets the copies aside as backups, unchanged', () => {
    expect(existsSync(copyFile)).toBe(false)
    expect(readFileSync(path.join(deviceDir, 'docs', 'istanbul.round1-backup.ylog'))).toEqual(copyBytes)
    expect(existsSync(path.join(deviceDir, 'docs', 'ankara.ylog'))).toBe(false)
    expect(existsSync(path.join(deviceDir, 'docs', 'ankara.round1-backup.ylog'))).toBe(true)
  })

  it('a second sign-in writes nothing more', async () => {
    const states = (): Record<string, string> =>
      Object.fromEntries(peer.engine.documents('istanbul').map((name) => [name, Buffer.from(Y.encodeStateVector(peer.engine.doc(name))).toString('hex')]))
    const before = states()
    notices.length = 0
    await peer.restart()
    for (const name of Object.keys(before)) {
      const period = parseDocumentName(name)!.period
      if (period !== null) await peer.engine.openPeriod('istanbul', period)
    }
    await peer.engine.whenSynced()
    expect(peer.engine.pendingChanges).toBe(0)
    expect(notices).toEqual([])
    const after = states()
    for (const [name, state] of Object.entries(before)) expect(after[name], name).toBe(state)
    await peer.close()
  })
})
