/**
 * The device's mirror against a real relay and real peers (client/offlineMirror.ts): a cold start
 * answers from the saved file before any document loads and then reads only what changed; a peer
 * that never opened an old month holds its rows after a sync and still reports it offline; a
 * changed version is fetched again and an unchanged one costs a 304; a garbage rendering is
 * refused and the held rows stay as they were.
 */
import { createServer, type Server } from 'node:http'
import path from 'node:path'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildReport } from '../client/report.ts'
import { openOfflineMirror, type HistoryProblem, type OfflineMirror } from '../client/offlineMirror.ts'
import { WebSocket } from 'ws'
import { openEngine } from '../client/engine.ts'
import { openFileStore } from '../client/fileStore.ts'
import { relayAddress } from '../client/relayAddress.ts'
import { signIn, type Session } from '../client/signIn.ts'
import { currentPeriod } from '../schema/periods.ts'
import { removeDir, startPeer, TEST_BACKOFF, type TestPeer } from './helpers/peerEngine.ts'
import { startProxy } from './helpers/proxyTcp.ts'
import { runCli, seedUsers, spawnRelay, tempDir, type RelayProcess } from './helpers/relayProcess.ts'

const USERS = [
  { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
  { username: 'mehmet', role: 'editor', region: 'istanbul', password: 'mehmet-password' },
] as const
const password = (username: string): string => USERS.find((u) => u.username === username)!.password

const data = tempDir()
const out = tempDir('rainstaff-reports-')
let relay: RelayProcess
const peers: TestPeer[] = []
const mirrors: OfflineMirror[] = []
const servers: Server[] = []

beforeAll(async () => {
  await seedUsers(data.dir, USERS)
  relay = await spawnRelay(data.dir)
})

afterAll(async () => {
  for (const m of mirrors) await m.close().catch(() => {})
  for (const p of peers) await p.close().catch(() => {})
  for (const s of servers) await new Promise((resolve) => s.close(resolve))
  await relay?.stop('SIGKILL')
  for (const p of peers) removeDir(p.dir)
  data.remove()
  out.remove()
})

async function peer(username: string, dir?: string): Promise<TestPeer> {
  const p = await startPeer(relay.url, username, password(username), dir === undefined ? {} : { dir })
  peers.push(p)
  return p
}

async function offlineOf(p: TestPeer, session: Session = p.session, requestTimeoutMs?: number): Promise<OfflineMirror> {
  const offline = await openOfflineMirror({ store: p.store, session, ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}) })
  mirrors.push(offline)
  offline.follow(p.engine)
  return offline
}

/** Closes the peer's engine, then its mirror (saved), then its store. */
async function shut(p: TestPeer, offline: OfflineMirror): Promise<void> {
  await p.engine.close()
  await offline.close()
  await p.store.close()
  peers.splice(peers.indexOf(p), 1)
}

/** `session`'s account, talking HTTP to the relay through another address (a proxy in front of it). */
function through(session: Session, address: string): Session {
  return {
    relay: relayAddress(address),
    get user() {
      return session.user
    },
    get regions() {
      return session.regions
    },
    token: () => session.token(),
    expiresAt: () => session.expiresAt(),
    renew: () => session.renew(),
  }
}

const shift = { start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0 } as const
const thisMonth = currentPeriod()
let ayse: TestPeer
let employee: string
let oldSheets: string[] = []

describe('the saved mirror', () => {
  it('answers a query from the saved file before any document loads, and attach reads only what changed', async () => {
    ayse = await peer('ayse')
    const offline = await offlineOf(ayse)
    employee = ayse.engine.insert('employees', { full_name: 'Ayşe Yılmaz', title: 'Usta' })
    const sheet = ayse.engine.insert('timesheets', { employee_id: employee, work_date: `${thisMonth}-02`, ...shift })
    // Three years back: a month no other PC opens at sign-in.
    oldSheets = ['2023-05-02', '2023-05-03'].map((day) => ayse.engine.insert('timesheets', { employee_id: employee, work_date: day, ...shift }))
    await ayse.engine.whenSynced()
    const dir = ayse.dir
    await shut(ayse, offline)

    // Meanwhile another PC of the region edits this month's timesheet.
    const ali = await startPeer(relay.url, 'ayse', password('ayse'))
    await ali.engine.whenSynced()
    ali.engine.update('timesheets', sheet, { notes: 'başka bilgisayardan' })
    await ali.engine.whenSynced()
    await ali.close()
    removeDir(ali.dir)

    // A cold start: the saved mirror is read and queried before any document loads.
    const store = openFileStore(dir)
    const { session } = await signIn({ relay: relay.url, username: 'ayse', password: password('ayse'), store })
    const cold = await openOfflineMirror({ store, session })
    expect(cold.mirror.restored).toBe(true)
    expect(cold.mirror.query('SELECT full_name, title FROM employees')).toEqual([{ full_name: 'Ayşe Yılmaz', title: 'Usta' }])
    // A row nobody changed, altered in the file, stays altered once the docs attach: it is not read again.
    cold.mirror.db.run(`UPDATE employees SET title = 'from the saved file'`)
    const engine = await openEngine({ session, store, WebSocketPolyfill: WebSocket, backoff: TEST_BACKOFF })
    cold.follow(engine)
    expect(cold.mirror.query('SELECT title FROM employees')).toEqual([{ title: 'from the saved file' }])
    // The timesheet the other PC changed arrives with the sync and is read again; the altered row stays.
    await engine.whenSynced()
    await expect.poll(() => cold.mirror.query('SELECT notes FROM timesheets WHERE id = ?', [sheet])).toEqual([{ notes: 'başka bilgisayardan' }])
    expect(cold.mirror.query('SELECT title FROM employees')).toEqual([{ title: 'from the saved file' }])
    await engine.close()
    await cold.close()
    await store.close()
    ayse = await peer('ayse', dir)
  })
})

describe('history', () => {
  let mehmet: TestPeer
  let offline: OfflineMirror
  let fetchedVersion: string | null | undefined

  it('a peer that never opened an old month holds its rows after a sync, and reports it offline', async () => {
    mehmet = await peer('mehmet')
    offline = await offlineOf(mehmet)
    const progress: number[] = []
    offline.on('progress', ({ done }) => progress.push(done))
    await mehmet.engine.whenSynced()
    const result = await offline.refresh()
    expect(mehmet.engine.documents()).not.toContain('ankara/2023-05')
    expect(result.failed).toEqual([])
    expect(offline.holds('ankara/2023-05')).toBe(true)
    expect(progress.length).toBeGreaterThan(0)
    fetchedVersion = offline.heldVersion('ankara/2023-05')
    expect(typeof fetchedVersion).toBe('string')
    expect(offline.mirror.query(`SELECT count(*) AS n FROM timesheets WHERE region = 'ankara' AND work_date LIKE '2023-05-%'`)).toEqual([{ n: 2 }])

    // Offline, from the saved mirror alone: the report of that month, and `rainstaff report`.
    const dir = mehmet.dir
    await shut(mehmet, offline)
    await relay.stop()
    mehmet = await peer('mehmet', dir)
    expect(mehmet.online).toBe(false)
    offline = await offlineOf(mehmet)
    const report = buildReport(offline.mirror, { month: '2023-05', regions: ['ankara'], regionNames: mehmet.session.regions })
    expect(report.rows.map((r) => r.work_date)).toEqual(['2023-05-02', '2023-05-03'])
    await shut(mehmet, offline)

    const file = path.join(out.dir, 'old.json')
    const cli = await runCli(['report', '--month', '2023-05', '--region', 'ankara', '--format', 'json', '--out', file, '--state', dir], '', { LANG: 'en_US.UTF-8' })
    expect(cli.stderr).toBe('')
    expect(cli.code).toBe(0)
    expect((JSON.parse(readFileSync(file, 'utf8')) as { rows: unknown[] }).rows).toHaveLength(2)
    // A month this PC never held, while offline: said in the user's language, no file written.
    const never = await runCli(['report', '--month', '2022-01', '--region', 'ankara', '--format', 'json', '--out', path.join(out.dir, 'never.json'), '--state', dir], '', { LANG: 'tr_TR.UTF-8' })
    expect(never.code).toBe(3)
    expect(never.stderr).toMatch(/ankara\/2022-01 bu bilgisayara hiç indirilmedi/)
    expect(never.stderr).not.toMatch(/never fetched/)

    relay = await spawnRelay(data.dir, ['--port', String(relay.port)])
    mehmet = await peer('mehmet', dir)
    offline = await offlineOf(mehmet)
    await mehmet.engine.whenSynced()
  })

  it('fetches a month again when its version changed, and an unchanged one costs a 304', async () => {
    expect((await offline.refresh()).fetched).toEqual([])
    // Ayşe edits the old month: it opens on demand on her PC.
    await ayse.engine.openPeriod('ankara', '2023-05')
    await ayse.engine.whenSynced()
    ayse.engine.update('timesheets', oldSheets[0]!, { notes: 'düzeltildi' })
    await ayse.engine.whenSynced()
    const changed = await offline.refresh()
    expect(changed.fetched).toEqual(['ankara/2023-05'])
    expect(offline.heldVersion('ankara/2023-05')).not.toBe(fetchedVersion)
    expect(offline.mirror.query('SELECT notes FROM timesheets WHERE id = ?', [oldSheets[0]!])).toEqual([{ notes: 'düzeltildi' }])
    // The same version again: not even asked for by refresh; asked for directly, a 304.
    expect(await offline.refresh()).toMatchObject({ fetched: [], unchanged: [] })
    expect(await offline.fetchAll(['ankara/2023-05'])).toMatchObject({ fetched: [], unchanged: ['ankara/2023-05'], failed: [] })
  })

  it('refuses a garbage rendering, keeps the held rows, and fetches the other months all the same', async () => {
    // A relay address in front of the real one whose answer for one month is garbage.
    const proxy = createServer((req, res) => {
      void (async () => {
        const upstream = await fetch(`${relay.url}${req.url}`, { headers: { authorization: req.headers.authorization ?? '' } })
        if (req.url === '/api/renderings/ankara/2023-05') {
          res.writeHead(200, { 'content-type': 'application/json', 'x-rainstaff-version': '999999', etag: '"999999"' })
          res.end('{"format":"rainstaff-rendering","version":1,"document":"ankara/2023-05","tables":{"passwords":{}}}')
          await upstream.body?.cancel()
          return
        }
        const headers: Record<string, string> = {}
        upstream.headers.forEach((value, name) => {
          if (name !== 'content-encoding' && name !== 'content-length') headers[name] = value
        })
        res.writeHead(upstream.status, headers)
        res.end(Buffer.from(await upstream.arrayBuffer()))
      })()
    })
    servers.push(proxy)
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    const port = (proxy.address() as { port: number }).port
    await shut(mehmet, offline)
    mehmet = await peer('mehmet', mehmet.dir)
    const hostile = await offlineOf(mehmet, through(mehmet.session, `http://127.0.0.1:${port}`))
    await mehmet.engine.whenSynced()
    await hostile.refresh()
    const held = hostile.heldVersion('ankara/2023-05')

    ayse.engine.update('timesheets', oldSheets[1]!, { notes: 'yeni' })
    ayse.engine.insert('timesheets', { employee_id: employee, work_date: '2023-06-01', ...shift })
    await ayse.engine.whenSynced()
    const problems: HistoryProblem[] = []
    hostile.on('problem', (p) => problems.push(p))
    const result = await hostile.refresh()
    expect(result.fetched).toEqual(['ankara/2023-06'])
    expect(result.failed.map((f) => f.document)).toEqual(['ankara/2023-05'])
    expect(problems.map((p) => p.document)).toEqual(['ankara/2023-05'])
    expect(problems[0]!.message.tr).toMatch(/ankara\/2023-05 sunucudan alınamadı: Dönem verisi okunamadı/)
    expect(problems[0]!.message.en).toMatch(/Could not fetch ankara\/2023-05 from the relay: .*Period data could not be read/)
    // The held rows and their version are as they were.
    expect(hostile.heldVersion('ankara/2023-05')).toBe(held)
    expect(hostile.mirror.query(`SELECT notes FROM timesheets WHERE work_date LIKE '2023-05-%' ORDER BY work_date`)).toEqual([{ notes: 'düzeltildi' }, { notes: null }])
    expect(hostile.mirror.query(`SELECT count(*) AS n FROM timesheets WHERE work_date = '2023-06-01'`)).toEqual([{ n: 1 }])
  })

  it('a stalled network ends a pass with a problem instead of holding it, and the next pass fetches', async () => {
    const proxy = await startProxy(relay.port)
    try {
      await shut(mehmet, mirrors.at(-1)!)
      mehmet = await peer('mehmet', mehmet.dir)
      const stalled = await offlineOf(mehmet, through(mehmet.session, proxy.url), 1000)
      await mehmet.engine.whenSynced()
      ayse.engine.update('timesheets', oldSheets[1]!, { notes: 'ağ takılınca' })
      await ayse.engine.whenSynced()
      proxy.setMode('stall')
      const blocked = await stalled.refresh()
      expect(blocked.fetched).toEqual([])
      // Whether the list or the month's rendering was the request that stalled, it is said so.
      expect(blocked.failed).toHaveLength(1)
      expect(blocked.failed[0]!.message.en).toMatch(/^Could not (read the relay's documents|fetch ankara\/2023-05 from the relay): the relay did not answer in time$/)
      expect(blocked.failed[0]!.message.tr).toMatch(/sunucu zamanında yanıt vermedi$/)
      proxy.setMode('pass')
      expect((await stalled.refresh()).fetched).toEqual(['ankara/2023-05'])
      expect(stalled.mirror.query('SELECT notes FROM timesheets WHERE id = ?', [oldSheets[1]!])).toEqual([{ notes: 'ağ takılınca' }])
    } finally {
      await proxy.close()
    }
  })

  it('the CLI reports an old month it never held by fetching it, edits an old record through it, and syncs every month in batches', async () => {
    const state = tempDir('rainstaff-cli-')
    const run = (args: string[], input = ''): ReturnType<typeof runCli> => runCli([...args, '--state', state.dir], input, { LANG: 'en_US.UTF-8' })
    try {
      expect((await run(['login', '--relay', relay.url, '--user', 'ayse'], `${password('ayse')}\n`)).code).toBe(0)
      const file = path.join(out.dir, 'fetched.json')
      const report = await run(['report', '--month', '2023-05', '--format', 'json', '--out', file])
      expect(report.stderr).toBe('')
      expect((JSON.parse(readFileSync(file, 'utf8')) as { rows: Array<{ notes: string }> }).rows.map((r) => r.notes)).toEqual(['düzeltildi', 'ağ takılınca'])
      // The record lives in a month this state directory has only as rows: it opens, syncs once, and takes the edit.
      const edited = await run(['update', 'timesheets', oldSheets[0]!, '--json', '{"notes":"komut satırından"}'])
      expect(edited.code).toBe(0)
      // Only the plausibility warning of a date three years back (saved all the same).
      expect(edited.stderr.trim()).toMatch(/^warning: The date is more than a year ago: 02\.05\.2023/)
      const synced = await run(['sync', '--all-months'])
      expect(synced.stderr).toBe('')
      expect(synced.code).toBe(0)
      const rows = await run(['sql', `SELECT notes FROM timesheets WHERE work_date LIKE '2023-05-%' ORDER BY work_date`])
      expect(rows.stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([{ notes: 'komut satırından' }, { notes: 'ağ takılınca' }])
      await expect.poll(() => ayse.engine.record('timesheets', oldSheets[0]!, 'ankara')?.notes, { timeout: 15_000 }).toBe('komut satırından')
    } finally {
      state.remove()
    }
  })
})
