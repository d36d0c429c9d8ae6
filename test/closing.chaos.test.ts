/**
 * Issue 14's close against the chaos ledger (scripts/chaos/ledger.ts): a seeded season in which
 * two regions' office PCs (real engines, real relay) enter and edit the first quarter's
 * timesheets, go offline and come back at random, while the head office closes and reopens those
 * months, accepts some of the late edits as it goes and the relay restarts once. A write into a
 * month the PC knows is closed is refused before anything is written (not an edit); everything
 * else the PCs typed is an edit. At the end every PC has nothing pending, the head office accepts
 * what still waits, and the relay's export holds every edit of the ledger exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MonthClosedError } from '../client/engine.ts'
import { startRelay, type Relay } from '../relay/server.ts'
import { documentName } from '../schema/periods.ts'
import type { RecordInput } from '../schema/tables.ts'
import { employee, patch, timesheet, type Insert } from '../scripts/chaos/inputs.ts'
import { Ledger } from '../scripts/chaos/ledger.ts'
import { Rng } from '../scripts/chaos/rng.ts'
import { removeDir, startPeer, type TestPeer } from './helpers/peerEngine.ts'
import { exportVerdict } from './helpers/exportVerdict.ts'
import { ADMIN_PASSWORD, seedUsers, tempDir, tokenFor, until } from './helpers/relayProcess.ts'

const SEED = 20261202
const STEPS = 360
const REGIONS = ['ankara', 'istanbul'] as const
const MONTHS = ['2026-01', '2026-02', '2026-03'] as const
const password = (name: string): string => `closing-${name}-password`

interface Office {
  readonly name: string
  readonly region: string
  readonly rng: Rng
  peer: TestPeer
  online: boolean
  seq: number
}

const data = tempDir('rainstaff-closing-chaos-')
const ledger = new Ledger()
const offices: Office[] = []
let relay: Relay
let port = 0
const seen = { closes: 0, reopens: 0, refusedLocally: 0, accepted: 0, restarts: 0, lateEdits: 0 }

const start = async (): Promise<Relay> => startRelay({ dataDir: data.dir, port, host: '127.0.0.1', log: () => {} })

async function admin(pathname: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const token = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
  const res = await fetch(`${relay.url}${pathname}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) } })
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> }
}

async function closed(): Promise<Set<string>> {
  return new Set(((await admin('/api/periods')).body.closed as string[] | undefined) ?? [])
}

/** The head office closes the month at the version it checked; a month changed since is refused (409) and left. */
async function closeMonth(name: string): Promise<void> {
  const versions = (await admin('/api/documents')).body.versions as Record<string, string>
  const version = versions[name]
  if (version === undefined) return
  const { status } = await admin(`/api/periods/${name}/close`, {
    method: 'POST',
    body: new TextEncoder().encode(`sheet of ${name} at ${version}`),
    headers: { 'x-rainstaff-version': version, 'content-type': 'application/octet-stream' },
  })
  expect([200, 409]).toContain(status)
  if (status === 200) seen.closes++
}

async function reopenMonth(name: string): Promise<void> {
  const { status } = await admin(`/api/periods/${name}/reopen`, { method: 'POST', body: JSON.stringify({ reason: 'düzeltme' }), headers: { 'content-type': 'application/json' } })
  expect(status).toBe(200)
  seen.reopens++
}

async function waitingLateEdits(): Promise<Array<{ id: number }>> {
  return ((await admin('/api/late-edits?state=waiting')).body.lateEdits as Array<{ id: number }> | undefined) ?? []
}

/** Oldest first: a client's later late edit builds on its earlier one. */
async function acceptLateEdits(count: number): Promise<void> {
  const waiting = (await waitingLateEdits()).sort((a, b) => a.id - b.id).slice(0, count)
  for (const edit of waiting) {
    const { status, body } = await admin(`/api/late-edits/${edit.id}/accept`, { method: 'POST' })
    expect(status, JSON.stringify(body)).toBe(200)
    seen.accepted++
  }
}

/** One edit by the office, or nothing when its PC refuses it for a month it knows is closed. */
function edit(office: Office): void {
  const { rng, peer } = office
  const token = `~${office.name}#${++office.seq}`
  const attempt = (write: () => void): boolean => {
    try {
      write()
      return true
    } catch (error) {
      if (!(error instanceof MonthClosedError)) throw error
      seen.refusedLocally++
      return false
    }
  }
  const action = rng.weighted({ insert: 10, update: 8, delete: 2 })
  const sheets = ledger.editable(office.name, 'timesheets')
  if (action === 'insert' || sheets.length === 0) {
    const entry: Insert = timesheet(rng, token, rng.pick(ledger.editable(office.name, 'employees')).id)
    let id = ''
    if (attempt(() => void (id = peer.engine.insert('timesheets', entry.stored as RecordInput<'timesheets'>)))) ledger.inserted(office.name, office.region, 'timesheets', id, entry.stored)
    return
  }
  const record = rng.pick(sheets)
  if (action === 'delete') {
    if (attempt(() => peer.engine.delete('timesheets', record.id))) ledger.deletedRecord(record)
    return
  }
  const change = patch(rng, 'timesheets', token, record.fields)
  if (attempt(() => peer.engine.update('timesheets', record.id, { [change.field]: change.stored }))) ledger.updated(record, change.field, change.stored)
}

beforeAll(async () => {
  const names = REGIONS.flatMap((region) => [1, 2].map((i) => ({ name: `${region}-${i}`, region })))
  await seedUsers(data.dir, [{ username: 'admin', role: 'admin', password: ADMIN_PASSWORD }, ...names.map((o) => ({ username: o.name, role: 'editor' as const, region: o.region, password: password(o.name) }))])
  relay = await start()
  port = Number(new URL(relay.url).port)
  for (const { name, region } of names) {
    const peer = await startPeer(relay.url, name, password(name), { engine: { regions: [region] } })
    const office: Office = { name, region, rng: new Rng(SEED).fork(name), peer, online: true, seq: 0 }
    offices.push(office)
    ledger.addWriter(name, region)
    for (let n = 0; n < 3; n++) {
      const entry = employee(office.rng, `~${name}#${++office.seq}`)
      ledger.inserted(name, region, 'employees', peer.engine.insert('employees', entry.stored as RecordInput<'employees'>), entry.stored)
    }
    for (const month of MONTHS) await peer.engine.openPeriod(region, month)
  }
  for (const office of offices) await office.peer.engine.whenSynced()

  const season = new Rng(SEED).fork('season')
  for (let n = 0; n < STEPS; n++) {
    const who = n === STEPS / 2 ? 'restart' : season.weighted({ office: 20, close: 2, reopen: 1, accept: 1, network: 3 })
    if (who === 'office') edit(season.pick(offices))
    else if (who === 'network') {
      const office = season.pick(offices)
      office.online = !office.online
      if (office.online) office.peer.engine.connect()
      else office.peer.engine.disconnect()
    } else if (who === 'close') {
      // Give the online PCs a moment, so what they typed is in the version the head office checks.
      await Promise.all(offices.filter((o) => o.online).map((o) => o.peer.engine.whenSynced(5_000).catch(() => undefined)))
      const name = documentName(season.pick([...REGIONS]), season.pick([...MONTHS]))
      if (!(await closed()).has(name)) await closeMonth(name)
    } else if (who === 'reopen') {
      const shut = [...(await closed())]
      if (shut.length > 0) await reopenMonth(season.pick(shut))
    } else if (who === 'accept') {
      await acceptLateEdits(season.int(1, 3))
    } else {
      await relay.close()
      relay = await start()
      seen.restarts++
    }
    // Let the sockets carry what was typed now and then, as a working day would.
    if (n % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  for (const office of offices.filter((o) => !o.online)) {
    office.online = true
    office.peer.engine.connect()
  }
  for (const office of offices) await until(() => office.peer.engine.state.pendingChanges === 0, `${office.name} has nothing pending`, 60_000)
  seen.lateEdits = (await waitingLateEdits()).length + seen.accepted
}, 240_000)

afterAll(async () => {
  for (const office of offices) {
    await office.peer.close().catch(() => {})
    removeDir(office.peer.dir)
  }
  await relay?.close()
  data.remove()
})

describe('a season of closing and reopening months while offices work offline', () => {
  it('closed, reopened and restarted the relay; offices were refused in known-closed months and sent late edits', () => {
    expect(seen.closes).toBeGreaterThanOrEqual(4)
    expect(seen.reopens).toBeGreaterThanOrEqual(2)
    expect(seen.restarts).toBe(1)
    expect(seen.refusedLocally).toBeGreaterThan(0)
    expect(seen.lateEdits).toBeGreaterThan(0)
    expect(ledger.edits).toBeGreaterThan(150)
  })

  it('loses nothing: with the late edits accepted, the export holds every edit exactly once', async () => {
    for (let waiting = await waitingLateEdits(); waiting.length > 0; waiting = await waitingLateEdits()) await acceptLateEdits(waiting.length)
    for (const office of offices) {
      await until(() => Object.values(office.peer.engine.state.documents).every((d) => d.waitingForHeadOffice === 0), `${office.name} waits for nothing`, 30_000)
    }
    const verdict = await exportVerdict(relay, ledger, data.dir)
    expect(verdict, verdict.problems.join('\n')).toEqual({ lost: 0, duplicates: 0, unexpected: 0, readOnlyLanded: 0, hostileLanded: 0, problems: [] })
  })

  it('every PC ends with the relay’s records', async () => {
    const reference = offices[0]!
    for (const office of offices) await office.peer.engine.whenSynced(30_000)
    for (const region of REGIONS) {
      const [a, b] = offices.filter((o) => o.region === region)
      for (const month of MONTHS) {
        const name = documentName(region, month)
        const rows = (o: Office): unknown => o.peer.engine.doc(name).getMap('timesheets').toJSON()
        expect(rows(b!), name).toEqual(rows(a!))
      }
    }
    expect(reference.peer.engine.state.pendingChanges).toBe(0)
  })
})
