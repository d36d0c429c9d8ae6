/**
 * Concurrent edits of one timesheet field in one region, made offline on two devices: after
 * reconnecting, every replica (a reader in another region included) shows the same winner and
 * lists the losing value as a conflict; resolving it clears the list everywhere.
 */
import { afterAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { seedUsers, spawnRelay, tempDir, until, type RelayProcess } from './helpers/relayProcess.ts'
import { removeDir, startPeer, type TestPeer } from './helpers/peerEngine.ts'
import type { Row } from '../crdt/mirror.ts'
import type { TableName } from '../schema/tables.ts'

const data = tempDir()
const peers: TestPeer[] = []
let relay: RelayProcess | undefined

afterAll(async () => {
  for (const p of peers) await p.close().catch(() => {})
  await relay?.stop('SIGKILL')
  for (const p of peers) removeDir(p.dir)
  data.remove()
})

async function query(peer: TestPeer, sql: string): Promise<Row[]> {
  const mirror = await peer.mirror()
  try {
    return mirror.query(sql)
  } finally {
    mirror.close()
  }
}

describe('concurrent edits of one field', () => {
  it('one winner everywhere, the conflict listed, then resolved everywhere', async () => {
    await seedUsers(data.dir, [
      { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
      { username: 'ali', role: 'editor', region: 'ankara', password: 'ali-password' },
      { username: 'mehmet', role: 'editor', region: 'istanbul', password: 'mehmet-password' },
    ])
    relay = await spawnRelay(data.dir)
    const regions = { regions: ['ankara', 'istanbul'] }
    const ayse = await startPeer(relay.url, 'ayse', 'ayse-password', { engine: regions })
    const ali = await startPeer(relay.url, 'ali', 'ali-password', { engine: regions })
    const mehmet = await startPeer(relay.url, 'mehmet', 'mehmet-password', { engine: regions })
    peers.push(ayse, ali, mehmet)
    // The month the timesheet is in is not a working month today: each PC opens it.
    for (const p of peers) await p.engine.openPeriod('ankara', '2026-03')
    await Promise.all(peers.map((p) => p.engine.whenSynced()))

    const employee = ayse.engine.insert('employees', { full_name: 'Zeynep Kaya' })
    const sheet = ayse.engine.insert('timesheets', {
      employee_id: employee,
      work_date: '2026-03-02',
      start_time: '08:30',
      end_time: '17:30',
      break_minutes: 60,
      is_special: 0,
    })
    await until(() => ali.engine.record('timesheets', sheet, 'ankara') !== undefined, 'ali has the timesheet')

    ayse.engine.disconnect()
    ali.engine.disconnect()
    ayse.engine.update('timesheets', sheet, { end_time: '17:00' })
    ali.engine.update('timesheets', sheet, { end_time: '18:30' })
    ayse.engine.connect()
    ali.engine.connect()
    await Promise.all([ayse, ali].map((p) => p.engine.whenSynced()))
    // The reader in Istanbul only receives: wait until all three hold the same Ankara month.
    const inStep = (): boolean => {
      const [first, ...rest] = peers.map((p) => Buffer.from(Y.encodeStateVector(p.engine.doc('ankara/2026-03'))))
      return rest.every((sv) => sv.equals(first))
    }
    await until(inStep, 'ankara in step on every peer')

    const views = await Promise.all(peers.map((p) => query(p, 'SELECT end_time, updated_by FROM timesheets')))
    const conflictLists = await Promise.all(
      peers.map((p) => query(p, 'SELECT region, table_name, record_id, field, value, value_by, lost_value, lost_by FROM conflicts')),
    )
    const winner = views[0][0]?.end_time
    expect(['17:00', '18:30']).toContain(winner)
    const loser = winner === '17:00' ? '18:30' : '17:00'
    for (const view of views) expect(view).toEqual([{ end_time: winner, updated_by: winner === '17:00' ? 'ayse' : 'ali' }])
    for (const list of conflictLists) {
      expect(list).toEqual([
        {
          region: 'ankara',
          table_name: 'timesheets',
          record_id: sheet,
          field: 'end_time',
          value: winner,
          value_by: winner === '17:00' ? 'ayse' : 'ali',
          lost_value: loser,
          lost_by: winner === '17:00' ? 'ali' : 'ayse',
        },
      ])
    }

    // Keep the losing value: the resolution travels like any edit.
    const [conflict] = await query(ayse, 'SELECT conflict_id, table_name, record_id, field, lost_value FROM conflicts')
    ayse.engine.resolveConflict(
      { conflict_id: String(conflict.conflict_id), table: conflict.table_name as TableName, record_id: sheet, field: 'end_time' },
      conflict.lost_value as string,
    )
    await ayse.engine.whenSynced()
    await until(
      () => peers.every((p) => p.engine.doc('ankara/2026-03').getMap('resolved_conflicts').size === 1),
      'the resolution reaches everyone',
    )
    for (const p of peers) {
      expect(await query(p, 'SELECT count(*) AS n FROM conflicts')).toEqual([{ n: 0 }])
      expect(await query(p, 'SELECT end_time FROM timesheets')).toEqual([{ end_time: loser }])
    }
  })
})
