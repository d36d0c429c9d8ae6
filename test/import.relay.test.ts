/**
 * Whole-organization migration through the real CLI into a relay data directory, then a real
 * relay on that directory: the data is served, the legacy users sign in with their legacy
 * passwords (and get modern hashes), a running relay is refused, and a repeat changes nothing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { startRelay, type Relay } from '../relay/server.ts'
import { login, runCli, tempDir } from './helpers/relayProcess.ts'

const FIXTURES = path.resolve(import.meta.dirname, 'fixtures/legacy')
const fixture = (name: string): string => path.join(FIXTURES, name)
const expected = JSON.parse(readFileSync(fixture('expected.json'), 'utf8')) as {
  'legacy-v1-istanbul.db': { users: Record<string, { password: string; role: 'admin' | 'user'; region: string }> }
}
const legacyUsers = expected['legacy-v1-istanbul.db'].users

function storeRows(dataDir: string): { updates: number; hashes: Record<string, string> } {
  const db = new Database(path.join(dataDir, 'rainstaff.sqlite3'), { readonly: true })
  try {
    const updates = (db.prepare('SELECT count(*) AS n FROM updates').get() as { n: number }).n
    const hashes = Object.fromEntries(
      (db.prepare('SELECT username, password_hash FROM users').all() as Array<{ username: string; password_hash: string }>).map((r) => [
        r.username,
        r.password_hash,
      ]),
    )
    return { updates, hashes }
  } finally {
    db.close()
  }
}

async function start(dataDir: string): Promise<Relay> {
  return startRelay({ dataDir, port: 0, host: '127.0.0.1', log: () => {} })
}

describe('import-legacy --data: a whole organization into a stopped relay', () => {
  const data = tempDir('rainstaff-import-')
  const by = ['--by', 'migration']

  beforeAll(async () => {
    const v0 = await runCli(['import-legacy', fixture('legacy-v0-ankara.db'), '--region', 'ankara', '--data', data.dir, ...by])
    expect(v0.stderr).toBe('')
    expect(v0.code).toBe(0)
    const rest = await runCli(['import-legacy', fixture('legacy-v1-istanbul.db'), fixture('legacy-v2-izmir.db'), '--data', data.dir, ...by])
    expect(rest.stderr).toBe('')
    expect(rest.code).toBe(0)
    expect(rest.stdout).toContain('Dosya / File: legacy-v1-istanbul.db (v1)')
    expect(rest.stdout).toContain('Dosya / File: legacy-v2-izmir.db (v2)')
    expect(rest.stdout).toMatch(/admin \(admin, \*\): eklendi \/ added/)
  })

  afterAll(() => data.remove())

  it('stores one update per document under `legacy-import` and users with their legacy hashes', () => {
    const { updates, hashes } = storeRows(data.dir)
    // v0 wrote Ankara's master and January; v1 + v2 wrote the master and January of ankara,
    // istanbul and izmir in one run.
    expect(updates).toBe(8)
    const db = new Database(path.join(data.dir, 'rainstaff.sqlite3'), { readonly: true })
    expect(db.prepare('SELECT DISTINCT username FROM updates').all()).toEqual([{ username: 'legacy-import' }])
    expect(db.prepare('SELECT region AS document, count(*) AS n FROM updates GROUP BY region ORDER BY region').all()).toEqual([
      { document: 'ankara', n: 2 },
      { document: 'ankara/2026-01', n: 2 },
      { document: 'istanbul', n: 1 },
      { document: 'istanbul/2026-01', n: 1 },
      { document: 'izmir', n: 1 },
      { document: 'izmir/2026-01', n: 1 },
    ])
    db.close()
    expect(Object.keys(hashes).sort()).toEqual(Object.keys(legacyUsers).sort())
    for (const hash of Object.values(hashes)) expect(hash).toMatch(/^legacy-sha256\$[0-9a-f]{64}$/)
  })

  it('a relay started on the directory serves the data, and every legacy user signs in with the legacy password', async () => {
    const relay = await start(data.dir)
    try {
      for (const [username, user] of Object.entries(legacyUsers)) {
        const wrong = await login(relay, username, user.password + '-wrong')
        expect(wrong.status, username).toBe(401)
        const { status, body } = await login(relay, username, user.password)
        expect(status, username).toBe(200)
        expect(body.user).toEqual({
          username,
          role: user.role === 'admin' ? 'admin' : 'editor',
          region: user.region === 'ALL' ? null : user.region.toLowerCase(),
        })
      }
      const admin = await login(relay, 'admin', legacyUsers.admin.password)
      const res = await fetch(`${relay.url}/api/status`, { headers: { authorization: `Bearer ${String(admin.body.token)}` } })
      expect(res.status).toBe(200)
      const status = (await res.json()) as { regions: Array<{ region: string; counts: Record<string, number> }> }
      const counts = Object.fromEntries(status.regions.map((r) => [r.region, r.counts]))
      // Ankara: v0's 47 shifts and v1's 10, two of which are the same shifts.
      expect(counts.ankara).toMatchObject({ employees: 5, timesheets: 55, settings: 6, shift_templates: 2, vehicles: 1 })
      expect(counts.istanbul).toMatchObject({ employees: 8, timesheets: 179, settings: 7, vehicles: 2, drivers: 2, stock_inventory: 8 })
      expect(counts.izmir).toMatchObject({ employees: 4, timesheets: 98, settings: 9, vehicles: 1, drivers: 1 })
      expect(counts.bursa).toMatchObject({ employees: 0, timesheets: 0 })

      // While the relay runs, an import is refused and changes nothing.
      const before = storeRows(data.dir).updates
      const refused = await runCli(['import-legacy', fixture('legacy-dirty.db'), '--data', data.dir])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toMatch(/kullanımda.* \/ The data directory is in use/)
      expect(storeRows(data.dir).updates).toBe(before)
    } finally {
      await relay.close()
    }
    // First logins replaced every legacy hash.
    for (const hash of Object.values(storeRows(data.dir).hashes)) expect(hash).toMatch(/^scrypt\$/)
    // And the passwords keep working with the new hashes.
    const again = await start(data.dir)
    try {
      expect((await login(again, 'istanbul1', legacyUsers.istanbul1.password)).status).toBe(200)
    } finally {
      await again.close()
    }
  })

  it('importing the same files again appends nothing and leaves the users alone', async () => {
    const before = storeRows(data.dir)
    const result = await runCli(['import-legacy', fixture('legacy-v1-istanbul.db'), fixture('legacy-v2-izmir.db'), '--data', data.dir, '--json'])
    expect(result.code).toBe(0)
    const json = JSON.parse(result.stdout) as {
      appended: Record<string, number>
      files: Array<{ name: string; counts: Record<string, Record<string, { created: number }>>; userResults: Array<{ outcome: string }> }>
    }
    expect(Object.values(json.appended).every((n) => n === 0)).toBe(true)
    for (const file of json.files) {
      for (const tables of Object.values(file.counts)) for (const c of Object.values(tables)) expect(c.created).toBe(0)
    }
    expect(json.files[0].userResults.map((u) => u.outcome)).toEqual(['exists', 'exists', 'exists', 'exists', 'exists'])
    expect(storeRows(data.dir)).toEqual(before)
  })

  it('a dry run prints counts per table and region and every problem row, and writes nothing', async () => {
    const before = storeRows(data.dir)
    const result = await runCli(['import-legacy', fixture('legacy-dirty.db'), '--data', data.dir, '--dry-run'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('DRY RUN: nothing was written')
    expect(result.stdout).toMatch(/ankara\s+timesheets\s+8\s+4\s+0\s+1\s+3\s+3/)
    for (const id of [2, 3, 4, 6, 7, 8]) expect(result.stdout).toContain(`timesheets #${id} (ankara)`)
    expect(result.stdout).toContain('invalid time start_time = "99:25"')
    expect(storeRows(data.dir)).toEqual(before)
  })
})

describe('import-legacy refusals', () => {
  it('a v0 file without --region: bilingual error, exit 1, nothing created', async () => {
    const data = tempDir('rainstaff-import-')
    const dir = path.join(data.dir, 'relay-data')
    const result = await runCli(['import-legacy', fixture('legacy-v0-ankara.db'), '--data', dir])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/bölgelerden önceki .*--region.* \/ This file predates regions \(v0\)/)
    expect(result.stdout).toBe('')
    expect(existsSync(dir)).toBe(false)
    data.remove()
  })

  it('a file that is not a legacy database, or a second bad file, stops the whole import before any write', async () => {
    const data = tempDir('rainstaff-import-')
    const junk = path.join(data.dir, 'junk.db')
    writeFileSync(junk, 'this is not sqlite')
    const dir = path.join(data.dir, 'relay-data')
    const result = await runCli(['import-legacy', fixture('legacy-v1-istanbul.db'), junk, '--data', dir])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/SQLite veritabanı değil .* \/ The file is not a SQLite database/)
    expect(existsSync(dir)).toBe(false)
    // A dry run against a directory that has no store yet does not create one.
    const dry = await runCli(['import-legacy', fixture('legacy-v1-istanbul.db'), '--data', dir, '--dry-run'])
    expect(dry.code).toBe(0)
    expect(dry.stdout).toMatch(/admin \(admin, \*\): eklenecek \/ would add/)
    expect(existsSync(dir)).toBe(false)
    const usage = await runCli(['import-legacy', fixture('legacy-v1-istanbul.db')])
    expect(usage.code).toBe(2)
    expect(usage.stderr).toMatch(/A target is required/)
    data.remove()
  })
})
