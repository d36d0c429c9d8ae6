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
import { Ledger } from '../scripts/chaos/ledger.ts'
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
    expect(await verify()).toEqual({ lost: 0, duplicates: 0, unexpected: 0, readOnlyLanded: 0, problems: [] })

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
    expect(counts, failure).toMatchObject({ edits_lost: '0', duplicates: '0', readonly_landed: '0', unexpected: '0', anomalies: '0', converged: 'yes' })
    for (const name of ['edits', 'crashes', 'relay_kills', 'peer_kills', 'partitions', 'bad_inputs', 'readonly_writes', 'readonly_raw']) {
      expect(Number(counts[name]), `${name} in ${line}`).toBeGreaterThan(0)
    }
  }, 240_000)
})
