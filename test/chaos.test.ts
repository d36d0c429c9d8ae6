/**
 * The chaos run (scripts/chaos.ts, issue 7), short: 24 s of relay kill -9s, partitions,
 * peer crashes, bad input and read-only writes against a real relay process and thirteen CLI
 * peers, then every replica must be identical and hold every edit exactly once. The end check is
 * first shown to catch each kind of damage on hand-made data, so the run cannot pass because the
 * check sees nothing.
 */
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { openMirror } from '../crdt/mirror.ts'
import { createRegionDoc, deleteRecord, insertRecord, updateRecord } from '../crdt/regionDoc.ts'
import * as Y from 'yjs'
import { buildHostileWrite, EXPECTED_CODES, hostileTraces, type HostileKind } from '../scripts/chaos/hostile.ts'
import { Ledger } from '../scripts/chaos/ledger.ts'
import { Rng } from '../scripts/chaos/rng.ts'
import { ROOT, tempDir } from './helpers/relayProcess.ts'

const dir = tempDir('rainstaff-chaos-test-')
afterAll(() => dir.remove())

describe('the chaos end check', () => {
  it('counts lost, duplicated, unexpected and read-only rows, and passes clean data', async () => {
    const doc = createRegionDoc()
    const ayse = { user: 'ankara-1' }
    const kept = insertRecord(doc, 'employees', 'ankara', { full_name: '~ankara-1#1', title: 'Usta' }, ayse)
    const changed = insertRecord(doc, 'employees', 'ankara', { full_name: '~ankara-1#2', title: 'Usta' }, ayse)
    const undeleted = insertRecord(doc, 'employees', 'ankara', { full_name: '~ankara-1#3' }, ayse)
    const removed = insertRecord(doc, 'employees', 'ankara', { full_name: '~ankara-1#4' }, ayse)
    deleteRecord(doc, 'employees', removed, ayse)

    const ledger = new Ledger()
    ledger.addWriter('ankara-1', 'ankara')
    ledger.inserted('ankara-1', 'ankara', 'employees', kept, { full_name: '~ankara-1#1', title: 'Usta' })
    ledger.inserted('ankara-1', 'ankara', 'employees', changed, { full_name: '~ankara-1#2', title: 'Usta' })
    ledger.inserted('ankara-1', 'ankara', 'employees', undeleted, { full_name: '~ankara-1#3' })
    ledger.inserted('ankara-1', 'ankara', 'employees', removed, { full_name: '~ankara-1#4' })
    ledger.deletedRecord(ledger.records('ankara-1')[3])

    const verify = async (): Promise<ReturnType<Ledger['verify']>> => {
      const mirror = await openMirror()
      mirror.attach('ankara', doc)
      const file = path.join(dir.dir, `end-${Math.random()}.sqlite`)
      writeFileSync(file, mirror.exportFile())
      mirror.close()
      const db = new Database(file, { readonly: true })
      try {
        return ledger.verify(db)
      } finally {
        db.close()
      }
    }
    expect(await verify()).toEqual({ lost: 0, duplicates: 0, unexpected: 0, readOnlyLanded: 0, hostileLanded: 0, problems: [] })

    // An update that never arrived, a delete that never arrived, an insert that never arrived.
    const [, second, third] = ledger.records('ankara-1')
    ledger.updated(second, 'title', '~ankara-1#5')
    ledger.deletedRecord(third)
    ledger.inserted('ankara-1', 'ankara', 'employees', 'neverStored00000', { full_name: '~ankara-1#6' })
    // A second copy of an insert, the admin's write, an editor's write as another region's record.
    insertRecord(doc, 'employees', 'ankara', { full_name: '~ankara-1#1' }, ayse)
    updateRecord(doc, 'employees', kept, { department: 'İdari' }, { user: 'admin' })
    insertRecord(doc, 'employees', 'ankara', { full_name: 'RO~istanbul-1~1' }, { user: 'istanbul-1' })

    const verdict = await verify()
    expect(verdict).toMatchObject({ lost: 3, duplicates: 1, unexpected: 2, readOnlyLanded: 3 })
    expect(verdict.problems.join('\n')).toMatch(/title = "Usta", expected "~ankara-1#5"/)
    expect(verdict.problems.join('\n')).toMatch(/its delete was lost/)
    expect(verdict.problems.join('\n')).toMatch(/neverStored00000 \(ankara-1\) is missing/)
  })
})

describe('the hostile end check', () => {
  /** An honest region doc: two offices' employees and a timesheet. */
  const honestDoc = (): Y.Doc => {
    const doc = new Y.Doc({ gc: false })
    const employee = insertRecord(doc, 'employees', 'ankara', { full_name: '~ankara-1#1', title: 'Usta' }, { user: 'ankara-1' })
    insertRecord(doc, 'timesheets', 'ankara', { employee_id: employee, work_date: '2026-01-05', start_time: '08:00', end_time: '17:00', break_minutes: 0, is_special: 0, notes: '~ankara-1#2' }, { user: 'ankara-1' })
    const other = new Y.Doc({ gc: false })
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc))
    insertRecord(other, 'employees', 'ankara', { full_name: '~ankara-2#1' }, { user: 'ankara-2' })
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other))
    return doc
  }
  /** A hostile write of `kind` built on the hostile peer's copy and let through, as a relay without its guard would. */
  const landed = (kind: HostileKind, seed = 1): Y.Doc => {
    const replica = honestDoc()
    const hostile = new Y.Doc({ gc: false })
    Y.applyUpdate(hostile, Y.encodeStateAsUpdate(replica))
    const write = buildHostileWrite(hostile, kind, { region: 'ankara', account: 'hostile-ankara', token: `HX~ankara~${seed}`, honest: ['ankara-1', 'ankara-2', 'ankara-3'], rng: new Rng(seed) })
    expect(write.kind).toBe(kind)
    Y.applyUpdate(replica, write.update)
    return replica
  }

  it('finds nothing in honest data', () => {
    expect(hostileTraces(honestDoc(), 'honest')).toEqual([])
  })

  it('finds every kind of hostile write that landed in a replica', () => {
    for (const kind of Object.keys(EXPECTED_CODES) as HostileKind[]) {
      for (const seed of [1, 2, 3]) {
        expect(hostileTraces(landed(kind, seed), kind).length, `${kind} (seed ${seed})`).toBeGreaterThan(0)
      }
    }
    expect(hostileTraces(landed('unknown_table'), 'x').join('\n')).toMatch(/a root "hx_\w+" that is no table/)
    expect(hostileTraces(landed('record_string'), 'x').join('\n')).toMatch(/not a record map/)
    expect(hostileTraces(landed('field_object'), 'x').join('\n')).toMatch(/an object/)
    expect(hostileTraces(landed('wipe'), 'x').join('\n')).toMatch(/the record was removed \(a hard delete\)/)
    expect(hostileTraces(landed('hard_delete_field'), 'x').join('\n')).toMatch(/removed \(a hard delete\)/)
    expect(hostileTraces(landed('huge_string'), 'x').join('\n')).toMatch(/-character string/)
    expect(hostileTraces(landed('borrowed_client'), 'x').join('\n')).toMatch(/a value holding HX~ankara~1/)
  })

  it('counts hostile rows in an export', async () => {
    const ledger = new Ledger()
    ledger.addWriter('ankara-1', 'ankara')
    ledger.addWriter('ankara-2', 'ankara')
    const counted = async (doc: Y.Doc): Promise<ReturnType<Ledger['verify']>> => {
      const mirror = await openMirror()
      mirror.attach('ankara', doc)
      const file = path.join(dir.dir, `hostile-${Math.random()}.sqlite`)
      writeFileSync(file, mirror.exportFile())
      mirror.close()
      const db = new Database(file, { readonly: true })
      try {
        return ledger.verify(db)
      } finally {
        db.close()
      }
    }
    expect((await counted(honestDoc())).hostileLanded).toBe(0)
    // A forged author leaves the hostile token; a borrowed client id's write is stamped by the hostile account too.
    const forged = await counted(landed('forged_author'))
    expect(forged.hostileLanded).toBeGreaterThan(0)
    expect(forged.problems.join('\n')).toMatch(/hostile write landed: .* holds HX~ankara~1/)
    const borrowed = await counted(landed('borrowed_client'))
    expect(borrowed.problems.join('\n')).toMatch(/hostile write landed: .* last written by hostile-ankara/)
  })
})

describe('npm run chaos', () => {
  it('24 s of chaos: nothing lost or duplicated, no read-only write landed, every replica the same', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'scripts/chaos.ts', '--minutes', '0.4'],
        { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
        (error, out, err) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout: out, stderr: err }),
      )
    })
    const line = stdout.split('\n').find((l) => l.startsWith('chaos seed='))
    expect(line, stderr).toBeDefined()
    const counts = Object.fromEntries([...line!.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]))
    const failure = `${line}\n${stderr.slice(-6000)}`
    expect(code, failure).toBe(0)
    expect(counts, failure).toMatchObject({ edits_lost: '0', duplicates: '0', readonly_landed: '0', hostile_landed: '0', unexpected: '0', anomalies: '0', converged: 'yes' })
    expect(counts.hostile_refused, failure).toBe(counts.hostile_writes)
    for (const name of ['edits', 'crashes', 'relay_kills', 'peer_kills', 'partitions', 'bad_inputs', 'readonly_writes', 'readonly_raw', 'hostile_writes']) {
      expect(Number(counts[name]), `${name} in ${line}`).toBeGreaterThan(0)
    }
  }, 240_000)
})
