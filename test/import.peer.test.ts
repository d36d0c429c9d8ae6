/**
 * `import-legacy --state DIR`: an editor's CLI peer imports the rows of their own region into its
 * local store (offline), `rainstaff sync` uploads them to a real relay process, and importing
 * again adds nothing — on the same computer, and on a second one that never had the months the
 * file's rows go to (they come from the relay first; without the relay the import refuses rather
 * than write the records again). Other regions' rows are reported, not written.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startProxy, type TcpProxy } from './helpers/proxyTcp.ts'
import { ADMIN_PASSWORD, login, runCli, seedUsers, spawnRelay, tempDir, type RelayProcess } from './helpers/relayProcess.ts'

const FIXTURES = path.resolve(import.meta.dirname, 'fixtures/legacy')
const v1 = path.join(FIXTURES, 'legacy-v1-istanbul.db')
const PASSWORD = 'istanbul-password'
const data = tempDir('rainstaff-peer-relay-')
const state = tempDir('rainstaff-peer-state-')
const adminState = tempDir('rainstaff-peer-admin-')
const secondState = tempDir('rainstaff-peer-second-')
let relay: RelayProcess
let proxy: TcpProxy | undefined

async function pending(dir: string): Promise<number> {
  const result = await runCli(['status', '--json', '--state', dir])
  expect(result.code).toBe(0)
  return (JSON.parse(result.stdout) as { pendingChanges: number }).pendingChanges
}

interface RegionStatus {
  region: string
  counts: Record<string, number>
  docBytes: number
  documents: number
  loggedUpdates: number
  storedBytes: number
}

async function relayStatus(): Promise<RegionStatus[]> {
  const admin = await login(relay, 'admin', ADMIN_PASSWORD)
  const res = await fetch(`${relay.url}/api/status`, { headers: { authorization: `Bearer ${String(admin.body.token)}` } })
  return ((await res.json()) as { regions: RegionStatus[] }).regions
}

async function regionCounts(): Promise<Record<string, Record<string, number>>> {
  return Object.fromEntries((await relayStatus()).map((r) => [r.region, r.counts]))
}

/** What the relay holds of İstanbul, down to the bytes stored: any write would change it. */
async function istanbulHeld(): Promise<Omit<RegionStatus, 'region'>> {
  const { counts, docBytes, documents, loggedUpdates, storedBytes } = (await relayStatus()).find((r) => r.region === 'istanbul') as RegionStatus
  return { counts, docBytes, documents, loggedUpdates, storedBytes }
}

type ImportJson = { pendingChanges: number; files: Array<{ counts: Record<string, Record<string, { read: number; created: number; present: number; skipped: number }>> }> }

beforeAll(async () => {
  await seedUsers(data.dir, [
    { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
    { username: 'istanbul1', role: 'editor', region: 'istanbul', password: PASSWORD },
  ])
  relay = await spawnRelay(data.dir)
  const signedIn = await runCli(['login', '--relay', relay.url, '--user', 'istanbul1', '--state', state.dir], PASSWORD + '\n')
  expect(signedIn.code).toBe(0)
})

afterAll(async () => {
  await proxy?.close()
  await relay?.stop()
  for (const d of [data, state, adminState, secondState]) d.remove()
})

describe('import-legacy --state: an editor imports their own region, then syncs', () => {
  it('a dry run reports and leaves the local store as it was', async () => {
    const dry = await runCli(['import-legacy', v1, '--state', state.dir, '--dry-run'])
    expect(dry.stderr).toBe('')
    expect(dry.code).toBe(0)
    expect(dry.stdout).toContain('DRY RUN: nothing was written')
    expect(await pending(state.dir)).toBe(0)
  })

  it('writes Istanbul rows as local changes, reports Ankara rows as another region, and sync uploads them', async () => {
    const result = await runCli(['import-legacy', v1, '--state', state.dir])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/istanbul\s+timesheets\s+179\s+179\s/)
    expect(result.stdout).toMatch(/ankara\s+timesheets\s+10\s+0\s+0\s+0\s+10\s/)
    expect(result.stdout).toContain('region ankara is not writable in this import (writable: istanbul)')
    expect(result.stdout).toContain('rainstaff sync')
    expect(await pending(state.dir)).toBeGreaterThan(0)

    // Nothing reached the relay yet: the import works offline, like any edit.
    expect((await regionCounts()).istanbul.timesheets).toBe(0)
    const synced = await runCli(['sync', '--state', state.dir, '--timeout', '30'])
    expect(synced.code).toBe(0)
    expect(await pending(state.dir)).toBe(0)
    const counts = await regionCounts()
    expect(counts.istanbul).toMatchObject({ employees: 8, timesheets: 179, vehicles: 2, drivers: 2, stock_inventory: 8, settings: 7 })
    expect(counts.ankara).toMatchObject({ employees: 0, timesheets: 0 })

    const rows = await runCli(['sql', "SELECT DISTINCT updated_by FROM timesheets WHERE region = 'istanbul'", '--state', state.dir])
    expect(rows.stdout.trim()).toBe(JSON.stringify({ updated_by: 'legacy-import:istanbul1' }))
  })

  it('importing the same file again adds no change', async () => {
    const again = await runCli(['import-legacy', v1, '--state', state.dir, '--json'])
    expect(again.code).toBe(0)
    const json = JSON.parse(again.stdout) as ImportJson
    expect(json.pendingChanges).toBe(0)
    for (const tables of Object.values(json.files[0].counts)) for (const c of Object.values(tables)) expect(c.created).toBe(0)
  })

  it('a second computer that never had the region\'s data refuses offline, and online fetches it first and adds nothing', async () => {
    proxy = await startProxy(relay.port)
    const signedIn = await runCli(['login', '--relay', proxy.url, '--user', 'istanbul1', '--state', secondState.dir], PASSWORD + '\n')
    expect(signedIn.code, signedIn.stderr).toBe(0)
    const held = await istanbulHeld()

    // The relay out of reach: the master data and January 2026 would read as empty here, and
    // every record be written again.
    proxy.setMode('drop')
    const dry = await runCli(['import-legacy', v1, '--state', secondState.dir, '--dry-run', '--json'])
    expect(dry.code).toBe(0)
    expect(dry.stderr).toContain('the dry run read what this computer never had from the relay as empty (istanbul master data, istanbul January 2026)')
    const dryCounts = (JSON.parse(dry.stdout) as ImportJson).files[0].counts.istanbul
    expect(dryCounts).toMatchObject({ employees: { read: 8, created: 8 }, timesheets: { read: 179, created: 179 } })
    const offline = await runCli(['import-legacy', v1, '--state', secondState.dir])
    expect(offline.code).toBe(3)
    expect(offline.stderr).toContain('The import needs data this computer never had from the relay: istanbul master data, istanbul January 2026.')
    expect(offline.stderr).toContain('nothing was written, try again once connected. First: rainstaff sync --month 2026-01')
    expect(await pending(secondState.dir)).toBe(0)

    proxy.setMode('pass')
    const online = await runCli(['import-legacy', v1, '--state', secondState.dir, '--json'])
    expect(online.stderr).toBe('')
    expect(online.code).toBe(0)
    const json = JSON.parse(online.stdout) as ImportJson
    expect(json.pendingChanges).toBe(0)
    expect(json.files[0].counts.istanbul).toMatchObject({ employees: { read: 8, present: 8 }, timesheets: { read: 179, created: 0, present: 179 } })
    for (const tables of Object.values(json.files[0].counts)) for (const c of Object.values(tables)) expect(c.created).toBe(0)
    expect(await pending(secondState.dir)).toBe(0)
    expect(await istanbulHeld()).toEqual(held)
  })

  it('refuses without a session, and for the admin (who writes no region), changing nothing', async () => {
    const none = await runCli(['import-legacy', v1, '--state', adminState.dir])
    expect(none.code).toBe(4)
    expect(none.stderr).toMatch(/Önce giriş yapın.* \/ Sign in first/)
    const admin = await runCli(['login', '--relay', relay.url, '--user', 'admin', '--state', adminState.dir], ADMIN_PASSWORD + '\n')
    expect(admin.code).toBe(0)
    const refused = await runCli(['import-legacy', v1, '--state', adminState.dir])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/yazabildiği bir bölge yok.* \/ This user writes no region; .*--data/)
    expect(await pending(adminState.dir)).toBe(0)
  })
})
