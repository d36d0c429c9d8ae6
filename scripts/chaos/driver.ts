/**
 * The chaos run (issue 7): four regions × three CLI peers and the read-only admin, each a real
 * client (client/cli.ts commands on a file store in its own state directory, see peer.ts) talking
 * to a real relay process through a TCP proxy of its own. While the peers edit, type bad input
 * and sync, the run kills the relay with SIGKILL and restarts it, cuts, stalls and slows peers'
 * networks, crashes peers while they are offline and writes as users who may only read, and
 * hostile peers (valid editor accounts on raw y-protocols, hostile.ts) send updates the relay's
 * guard must refuse. Then the network heals, everyone syncs, and the relay's export and every
 * peer's export must be identical and hold every edit exactly once (see ledger.ts), and no trace
 * of a hostile write may be in any of them or in any replica's Yjs docs.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import * as Y from 'yjs'
import { openFileStore } from '../../client/fileStore.ts'
import { readRecord, recordIds } from '../../crdt/records.ts'
import { deleteRecord, insertRecord, updateRecord } from '../../crdt/regionDoc.ts'
import { TABLE_NAMES } from '../../schema/tables.ts'
import { startProxy, type TcpProxy } from '../../test/helpers/proxyTcp.ts'
import { ADMIN_PASSWORD, connectClient, ROOT, seedUsers, spawnRelay, tempDir, tokenFor, type RelayProcess } from '../../test/helpers/relayProcess.ts'
import {
  adminWrite,
  badInput,
  employee,
  MARKER,
  patch,
  READ_ONLY_MARK,
  REGIONS,
  sharedVehicle,
  timesheet,
  vehicle,
  type BadInput,
  type EditTable,
  type Insert,
} from './inputs.ts'
import { buildHostileWrite, EXPECTED_CODES, HOSTILE_KINDS, HOSTILE_MARK, hostileAccount, HostileSession, hostileTraces, type HostileKind } from './hostile.ts'
import { Ledger, type CutShort, type OwnedRecord } from './ledger.ts'
import { PeerProcess, type PeerReply } from './peerProcess.ts'
import { Rng } from './rng.ts'

export interface ChaosOptions {
  readonly minutes: number
  readonly seed: number
  /** Keep the relay's data and the peers' state directories (kept anyway when the run fails). */
  readonly keep?: boolean
  /** Progress and diagnostics (stderr in the CLI). */
  readonly log?: (line: string) => void
}

export interface ChaosSummary {
  readonly seed: number
  readonly minutes: number
  readonly wallSeconds: number
  readonly edits: number
  readonly cutShort: number
  readonly cutShortKept: number
  readonly relayKills: number
  readonly peerKills: number
  readonly partitions: number
  readonly badInputs: number
  readonly readOnlyWrites: number
  /** Of those, writes sent on the relay's protocol, below the CLI's own refusal. */
  readonly readOnlyRaw: number
  readonly readOnlyLanded: number
  /** Updates hostile peers (valid editor accounts on raw y-protocols) sent, and how many the relay refused with 101. */
  readonly hostileWrites: number
  readonly hostileRefused: number
  /** Refusals per code, `code:n,…`. */
  readonly hostileCodes: string
  /** Traces of hostile writes the end check found in the relay's copy or a replica. */
  readonly hostileLanded: number
  readonly syncs: number
  readonly syncsFailed: number
  readonly logins: number
  readonly lost: number
  readonly duplicates: number
  readonly unexpected: number
  readonly converged: boolean
  /** Anything a peer or the relay did that it must not (a refused valid edit, an accepted bad one, a hang…). */
  readonly anomalies: readonly string[]
  /** What the end check found wrong with the data. */
  readonly problems: readonly string[]
  readonly ok: boolean
  /** The run's directory when it was kept. */
  readonly keptDir: string | null
}

export function summaryLine(s: ChaosSummary): string {
  return [
    `chaos seed=${s.seed} minutes=${s.minutes}`,
    `edits=${s.edits} crashes=${s.relayKills + s.peerKills} relay_kills=${s.relayKills} peer_kills=${s.peerKills}`,
    `partitions=${s.partitions} bad_inputs=${s.badInputs} readonly_writes=${s.readOnlyWrites} readonly_raw=${s.readOnlyRaw} readonly_landed=${s.readOnlyLanded}`,
    `hostile_writes=${s.hostileWrites} hostile_refused=${s.hostileRefused} hostile_codes=${s.hostileCodes || '-'} hostile_landed=${s.hostileLanded}`,
    `cut_short=${s.cutShort}/${s.cutShortKept}kept syncs=${s.syncs}ok/${s.syncsFailed}failed logins=${s.logins}`,
    `edits_lost=${s.lost} duplicates=${s.duplicates} unexpected=${s.unexpected} anomalies=${s.anomalies.length}`,
    `converged=${s.converged ? 'yes' : 'no'} wall=${s.wallSeconds}s ${s.ok ? 'PASS' : 'FAIL'}`,
  ].join(' ')
}

/**
 * Relay settings that make the relay's own machinery part of the chaos: compaction every 50
 * updates, docs unloaded after 5 idle seconds, and tokens that expire during a long run (so peers
 * have to sign in again with changes pending).
 */
const RELAY_ARGS = ['--compact-after', '50', '--idle-unload-ms', '5000', '--token-ttl-seconds', '120']
/** A command that takes longer than this hangs (a finding in itself). */
const COMMAND_TIMEOUT_MS = 120_000
/** What the end phase tries before it calls a peer unable to sync. */
const FINAL_SYNC_ATTEMPTS = 8
const RANDOM_ID = /^[0-9A-Za-z]{16}$/
const hostilePassword = (region: string): string => `chaos-hostile-${region}-password`

const EDITOR_ACTIONS = { employee: 14, timesheet: 12, vehicle: 6, shared: 3, update: 18, delete: 4, read: 8, sync: 14, status: 3, bad: 12 } as const
const ADMIN_ACTIONS = { sync: 30, read: 15, status: 10, write: 45 } as const

interface Fault {
  readonly mode: 'drop' | 'stall' | 'delay'
  readonly delayMs: number
}

interface Peer {
  readonly name: string
  /** 1–12 for editors, 0 for the admin. */
  readonly index: number
  /** The region it writes; null for the admin. */
  readonly region: string | null
  readonly password: string
  readonly rng: Rng
  readonly proc: PeerProcess
  readonly proxy: TcpProxy
  /** Network faults in force; the worst one wins. */
  readonly faults: Set<Fault>
  restarting: boolean
  /** Resolves when the process runs (again) and its cut-short commands are settled. */
  up: Promise<void>
  seq: number
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))

/** Whether `check` holds within `ms` (polled). */
async function becomes(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) return false
    await sleep(20)
  }
  return true
}

/** Whether `promise` settles within `ms`. */
function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]).finally(() => clearTimeout(timer))
}

const quote = (text: string): string => `'${text.replace(/'/g, "''")}'`
const shown = (argv: readonly string[]): string => argv.map((a) => (/^[\w:.\-/#~]+$/.test(a) ? a : JSON.stringify(a))).join(' ')

function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

/** A canonical text of every table of a mirror-shaped SQLite file, for comparing replicas. */
function dump(file: string): Map<string, string[]> {
  const db = new Database(file, { readonly: true })
  try {
    const tables = new Map<string, string[]>()
    for (const table of [...TABLE_NAMES, 'deleted_records', 'conflicts']) {
      tables.set(table, (db.prepare(`SELECT * FROM ${table}`).all() as unknown[]).map((row) => JSON.stringify(row)).sort())
    }
    return tables
  } finally {
    db.close()
  }
}

/** Where two dumps differ, briefly; undefined when they are identical. */
function difference(reference: Map<string, string[]>, other: Map<string, string[]>): string | undefined {
  for (const [table, rows] of reference) {
    const theirs = other.get(table) ?? []
    const mine = new Set(rows)
    const their = new Set(theirs)
    const extra = theirs.filter((row) => !mine.has(row))
    const missing = rows.filter((row) => !their.has(row))
    if (extra.length > 0 || missing.length > 0) {
      return `${table}: ${missing.length} rows missing (${missing[0]?.slice(0, 160) ?? '-'}), ${extra.length} extra (${extra[0]?.slice(0, 160) ?? '-'})`
    }
  }
  return undefined
}

class ChaosRun {
  private readonly rng: Rng
  private readonly ledger = new Ledger()
  private readonly anomalies: string[] = []
  private readonly log: (line: string) => void
  private readonly root = tempDir('rainstaff-chaos-')
  private readonly dataDir = path.join(this.root.dir, 'relay')
  private readonly peers: Peer[] = []
  private relay: RelayProcess | undefined
  private relayPort = 0
  /** The last relay process's output, for a failure report. */
  private relayOutput = ''
  private stopping = false
  private deadline = 0
  private readOnlySeq = 0
  private readonly counts = { relayKills: 0, peerKills: 0, partitions: 0, badInputs: 0, readOnlyWrites: 0, readOnlyRaw: 0, hostileWrites: 0, hostileRefused: 0, syncs: 0, syncsFailed: 0, logins: 0 }
  private readonly hostileCodes = new Map<string, number>()
  private hostileSeq = 0
  private readonly hostileRound: HostileKind[] = []
  /** Hostile accounts' tokens, reused for a minute (signing in costs a password hash). */
  private readonly hostileTokens = new Map<string, { token: string; at: number }>()

  constructor(private readonly options: ChaosOptions) {
    this.rng = new Rng(options.seed)
    this.log = options.log ?? (() => {})
  }

  async run(): Promise<ChaosSummary> {
    const started = Date.now()
    try {
      await this.setUp()
      this.log(`chaos: ${this.peers.length} peers signed in; chaos for ${this.options.minutes} min (seed ${this.options.seed}, data ${this.root.dir})`)
      this.deadline = Date.now() + this.options.minutes * 60_000
      const progress = setInterval(() => this.log(`chaos: ${Math.round((Date.now() - started) / 1000)} s, ${this.progressText()}`), 30_000)
      try {
        const loops = this.peers.map((peer) => this.peerLoop(peer))
        await this.chaos()
        this.stopping = true
        await Promise.all(loops)
      } finally {
        clearInterval(progress)
      }
      this.log(`chaos: stopped; ${this.progressText()}; healing and syncing everyone`)
      return await this.finish(started)
    } finally {
      await this.tearDown()
    }
  }

  private progressText(): string {
    const c = this.counts
    return `edits ${this.ledger.edits}, relay kills ${c.relayKills}, peer kills ${c.peerKills}, partitions ${c.partitions}, bad inputs ${c.badInputs}, syncs ${c.syncs}/${c.syncs + c.syncsFailed}, anomalies ${this.anomalies.length}`
  }

  private anomaly(text: string): void {
    this.anomalies.push(text)
    this.log(`chaos: ANOMALY ${text}`)
  }

  // --- set-up and tear-down ---

  private async setUp(): Promise<void> {
    mkdirSync(this.dataDir)
    const editors = REGIONS.flatMap((region, r) => [1, 2, 3].map((i) => ({ name: `${region}-${i}`, index: r * 3 + i, region })))
    const all = [...editors.map((e) => ({ ...e, password: `chaos-${e.name}-password` })), { name: 'admin', index: 0, region: null, password: ADMIN_PASSWORD }]
    // Hostile peers: editors of their region like the others, but only ever on raw y-protocols.
    const hostile = REGIONS.map((region) => ({ username: hostileAccount(region), role: 'editor' as const, region, password: hostilePassword(region) }))
    await seedUsers(this.dataDir, [
      ...all.map((u) => ({ username: u.name, role: u.region === null ? ('admin' as const) : ('editor' as const), region: u.region, password: u.password })),
      ...hostile,
    ])
    for (const e of editors) this.ledger.addWriter(e.name, e.region)
    await this.startRelay()
    for (const spec of all) {
      this.peers.push({
        ...spec,
        rng: this.rng.fork(spec.name),
        proc: new PeerProcess(spec.name, path.join(this.root.dir, spec.name), ROOT),
        proxy: await startProxy(this.relayPort),
        faults: new Set(),
        restarting: false,
        up: Promise.resolve(),
        seq: 0,
      })
    }
    await Promise.all(this.peers.map((peer) => peer.proc.start()))
    for (const peer of this.peers) {
      const out = await this.cli(peer, ['login', '--relay', peer.proxy.url, '--user', peer.name], { stdin: `${peer.password}\n` })
      if (typeof out === 'string' || out.code !== 0 || !out.stdout.includes('signed in:')) {
        throw new Error(`${peer.name} could not sign in: ${typeof out === 'string' ? out : out.stderr}`)
      }
    }
  }

  private async tearDown(): Promise<void> {
    await Promise.all(this.peers.map((peer) => peer.proc.stop()))
    await Promise.all(this.peers.map((peer) => peer.proxy.close()))
    await this.relay?.stop('SIGTERM')
  }

  private async startRelay(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.relay = await spawnRelay(this.dataDir, [...RELAY_ARGS, '--port', String(this.relayPort)])
        this.relayPort = this.relay.port
        const relay = this.relay
        relay.child.once('exit', () => (this.relayOutput = relay.output()))
        return
      } catch (error) {
        // The port may still be held for a moment after a kill; anything else repeats and surfaces.
        if (attempt >= 10) throw error
        await sleep(500)
      }
    }
  }

  // --- the peers' side: one loop per peer until the chaos stops ---

  private async peerLoop(peer: Peer): Promise<void> {
    while (!this.stopping) {
      await peer.up
      if (this.stopping) return
      if (peer.region === null) await this.adminStep(peer)
      else await this.editorStep(peer, peer.region)
      await sleep(peer.rng.int(0, 200))
    }
  }

  private token(peer: Peer): string {
    return `~${peer.name}#${++peer.seq}`
  }

  /** Runs a CLI command in the peer's process; a hang is an anomaly and restarts the peer. */
  private async cli(
    peer: Peer,
    argv: readonly string[],
    options: { guard?: boolean; stdin?: string; timeoutMs?: number } = {},
  ): Promise<PeerReply | 'killed' | 'down'> {
    const [command, ...args] = argv
    const outcome = await peer.proc.request(
      { kind: 'cli', command, args, guard: options.guard ?? false, ...(options.stdin !== undefined ? { stdin: options.stdin } : {}) },
      options.timeoutMs ?? COMMAND_TIMEOUT_MS,
    )
    if (outcome === 'timeout') {
      this.anomaly(`${peer.name}: rainstaff ${shown(argv)} did not finish in ${(options.timeoutMs ?? COMMAND_TIMEOUT_MS) / 1000} s`)
      void this.restart(peer, false, this.rng)
      return 'killed'
    }
    if (typeof outcome !== 'string' && outcome.code === -1) this.anomaly(`${peer.name}: rainstaff ${shown(argv)} threw: ${outcome.stderr}`)
    return outcome
  }

  private async editorStep(peer: Peer, region: string): Promise<void> {
    const rng = peer.rng
    switch (rng.weighted(EDITOR_ACTIONS)) {
      case 'employee':
        return this.insert(peer, region, employee(rng, this.token(peer)))
      case 'timesheet': {
        const employees = this.ledger.editable(peer.name, 'employees')
        const token = this.token(peer)
        return this.insert(peer, region, employees.length === 0 ? employee(rng, token) : timesheet(rng, token, rng.pick(employees).id))
      }
      case 'vehicle': {
        const token = this.token(peer)
        return this.insert(peer, region, vehicle(rng, token, peer.index, peer.seq))
      }
      case 'shared':
        return this.shared(peer, region)
      case 'update':
        return this.update(peer, region)
      case 'delete':
        return this.remove(peer)
      case 'read':
        return this.read(peer)
      case 'sync':
        await this.sync(peer, rng.int(2, 6))
        return
      case 'status':
        return this.status(peer)
      case 'bad':
        return this.bad(peer, region)
    }
  }

  private async adminStep(peer: Peer): Promise<void> {
    const rng = peer.rng
    switch (rng.weighted(ADMIN_ACTIONS)) {
      case 'sync':
        await this.sync(peer, rng.int(2, 6))
        return
      case 'status':
        return this.status(peer)
      case 'read': {
        const out = await this.cli(peer, ['sql', `SELECT region, count(*) AS n FROM ${rng.pick(['employees', 'timesheets', 'vehicles'])} GROUP BY region`])
        if (typeof out !== 'string' && out.code !== 0) this.anomaly(`admin: sql failed (${out.code}): ${out.stderr.trim()}`)
        return
      }
      case 'write': {
        const records = this.ledger.anyRecords()
        const value = `${READ_ONLY_MARK}admin~${++this.readOnlySeq}`
        return this.refused(peer, adminWrite(rng, value, records.length === 0 ? undefined : rng.pick(records)))
      }
    }
  }

  private async insert(peer: Peer, region: string, insert: Insert): Promise<void> {
    const token = String(insert.stored[MARKER[insert.table]])
    const out = await this.cli(peer, ['put', insert.table, '--json', JSON.stringify(insert.input)])
    if (out === 'down') return
    if (out === 'killed') {
      return this.ledger.cutShortBy(peer.name, { kind: 'insert', table: insert.table, region, marker: MARKER[insert.table], token, stored: insert.stored })
    }
    const id = out.stdout.trim()
    const expected = insert.table === 'vehicles' ? id === `plate:${String(insert.stored.plate)}` : RANDOM_ID.test(id)
    if (out.code !== 0 || !expected) {
      return this.anomaly(`${peer.name}: put ${insert.table} ${JSON.stringify(insert.input)} → exit ${out.code}, "${id}": ${out.stderr.trim()}`)
    }
    this.ledger.inserted(peer.name, region, insert.table, id, insert.stored)
  }

  private async shared(peer: Peer, region: string): Promise<void> {
    const token = this.token(peer)
    const plate = sharedVehicle(peer.rng, token, region)
    let out = await this.cli(peer, ['put', 'vehicles', '--json', JSON.stringify(plate.input)])
    if (out === 'down') return
    if (out === 'killed') return this.ledger.cutShortBy(peer.name, { kind: 'shared', region, id: plate.id, notes: token, km: plate.input.km })
    if (out.code === 5 && out.stdout.trim() === plate.id) {
      // This PC has the plate already: a clerk opens it and edits (a put never overwrites). The
      // concurrent case — another office created it while this one was offline — still merges.
      const { plate: _key, ...fields } = plate.input
      out = await this.cli(peer, ['update', 'vehicles', plate.id, '--json', JSON.stringify(fields)])
      if (out === 'down') return
      if (out === 'killed') return this.ledger.cutShortBy(peer.name, { kind: 'shared', region, id: plate.id, notes: token, km: plate.input.km })
    }
    if (out.code !== 0 || out.stdout.trim() !== plate.id) {
      return this.anomaly(`${peer.name}: put shared vehicle ${JSON.stringify(plate.input)} → exit ${out.code}, "${out.stdout.trim()}": ${out.stderr.trim()}`)
    }
    this.ledger.sharedInsert(region, plate.id, token, plate.input.km)
  }

  private async update(peer: Peer, region: string): Promise<void> {
    const records = this.ledger.editable(peer.name)
    if (records.length === 0) return this.insert(peer, region, employee(peer.rng, this.token(peer)))
    const record = peer.rng.pick(records)
    const change = patch(peer.rng, record.table, this.token(peer), record.fields)
    const out = await this.cli(peer, ['update', record.table, record.id, '--json', JSON.stringify({ [change.field]: change.typed })])
    if (out === 'down') return
    if (out === 'killed') return this.ledger.cutShortBy(peer.name, { kind: 'update', record, field: change.field, value: change.stored })
    if (out.code !== 0) return this.anomaly(`${peer.name}: update ${record.table} ${record.id} ${change.field}=${JSON.stringify(change.typed)} → exit ${out.code}: ${out.stderr.trim()}`)
    this.ledger.updated(record, change.field, change.stored)
  }

  private async remove(peer: Peer): Promise<void> {
    const records = this.ledger.editable(peer.name)
    if (records.length === 0) return
    const record = peer.rng.pick(records)
    const out = await this.cli(peer, ['delete', record.table, record.id])
    if (out === 'down') return
    if (out === 'killed') return this.ledger.cutShortBy(peer.name, { kind: 'delete', record })
    if (out.code !== 0) return this.anomaly(`${peer.name}: delete ${record.table} ${record.id} → exit ${out.code}: ${out.stderr.trim()}`)
    this.ledger.deletedRecord(record)
  }

  /** `sql` for one record as its owner sees it: a `live` row with the fields it set, or `deleted`. */
  private ownViewSql(record: OwnedRecord, fields: readonly string[] = [...record.fields.keys()]): string {
    const where = `region = ${quote(record.region)}`
    return (
      `SELECT 'live' AS state, ${fields.join(', ')} FROM ${record.table} WHERE ${where} AND id = ${quote(record.id)} ` +
      `UNION ALL SELECT 'deleted', ${fields.map(() => 'NULL').join(', ')} FROM deleted_records ` +
      `WHERE ${where} AND table_name = ${quote(record.table)} AND record_id = ${quote(record.id)}`
    )
  }

  /** Reads one of its own records back: every edit the peer made must be there, even offline or after a crash. */
  private async read(peer: Peer): Promise<void> {
    const records = this.ledger.records(peer.name).filter((r) => !r.unsettled)
    if (records.length === 0) return
    const record = peer.rng.pick(records)
    const out = await this.cli(peer, ['sql', this.ownViewSql(record)])
    if (typeof out === 'string') return
    if (out.code !== 0) return this.anomaly(`${peer.name}: sql of its own ${record.table} ${record.id} → exit ${out.code}: ${out.stderr.trim()}`)
    const problem = this.ledger.checkOwnView(record, jsonLines(out.stdout))
    if (problem !== undefined) this.anomaly(`${peer.name} does not see its own edits: ${problem}`)
  }

  /** `allMonths`: fetch every month the relay holds too (the end check compares whole exports). */
  private async sync(peer: Peer, seconds: number, allMonths = false): Promise<boolean> {
    const out = await this.cli(peer, ['sync', '--timeout', String(seconds), ...(allMonths ? ['--all-months'] : [])], { timeoutMs: (seconds + 60) * 1000 })
    if (typeof out === 'string') return false
    if (out.code === 0) {
      this.counts.syncs++
      return true
    }
    this.counts.syncsFailed++
    if (out.code === 4) await this.login(peer)
    else if (out.code !== 3) this.anomaly(`${peer.name}: sync → exit ${out.code}: ${out.stderr.trim()}`)
    return false
  }

  private async login(peer: Peer): Promise<void> {
    const out = await this.cli(peer, ['login', '--relay', peer.proxy.url, '--user', peer.name], { stdin: `${peer.password}\n` })
    if (typeof out === 'string') return
    if (out.code === 0) this.counts.logins++
    else this.anomaly(`${peer.name}: login → exit ${out.code}: ${out.stderr.trim()}`)
  }

  private async status(peer: Peer): Promise<void> {
    const out = await this.cli(peer, ['status', '--json'])
    if (typeof out === 'string') return
    let report: { connection?: unknown; pendingChanges?: unknown } = {}
    try {
      report = JSON.parse(out.stdout) as typeof report
    } catch {
      // reported below
    }
    if (out.code !== 0 || !['online', 'offline', 'session_expired'].includes(String(report.connection)) || typeof report.pendingChanges !== 'number') {
      this.anomaly(`${peer.name}: status --json → exit ${out.code}: ${out.stdout.trim()} ${out.stderr.trim()}`)
    }
  }

  private async bad(peer: Peer, region: string): Promise<void> {
    const rng = peer.rng
    const editable = this.ledger.editable(peer.name)
    const deleted = this.ledger.records(peer.name).filter((r) => r.deleted && !r.unsettled)
    const employees = this.ledger.editable(peer.name, 'employees')
    const pickRecord = (records: readonly OwnedRecord[]): { table: EditTable; id: string } | undefined =>
      records.length === 0 ? undefined : (({ table, id }) => ({ table, id }))(rng.pick(records))
    const live = pickRecord(editable)
    const gone = pickRecord(deleted)
    await this.refused(
      peer,
      badInput(rng, {
        region,
        readOnlyValue: `${READ_ONLY_MARK}${peer.name}~${++this.readOnlySeq}`,
        ...(live !== undefined ? { live } : {}),
        ...(gone !== undefined ? { deleted: gone } : {}),
        ...(employees.length > 0 ? { employeeId: rng.pick(employees).id } : {}),
      }),
    )
  }

  /** Bad input must be refused: the expected exit code, its message on stderr in one language, nothing printed, nothing stored. */
  private async refused(peer: Peer, input: BadInput): Promise<void> {
    const out = await this.cli(peer, input.argv, { guard: true })
    if (typeof out === 'string') return
    this.counts.badInputs++
    if (input.readOnly === true) this.counts.readOnlyWrites++
    // The CLI speaks the locale's language, English under the peers' C locale: "tr / en" would be both.
    const clear = input.message.test(out.stderr) && !/ \/ /.test(out.stderr)
    if (out.code !== input.code || !clear || out.stdout !== '' || out.changed) {
      this.anomaly(
        `${peer.name}: ${input.label}: rainstaff ${shown(input.argv)} → exit ${out.code} (expected ${input.code}), ` +
          `stored changes: ${out.changed}, stdout: ${JSON.stringify(out.stdout.slice(0, 200))}, stderr: ${JSON.stringify(out.stderr.slice(0, 300))}`,
      )
    }
  }

  // --- crashes and restarts of peers ---

  /**
   * Kills the peer's process with SIGKILL, usually in the middle of a command, and starts it again
   * on the same state directory. `offline`: its network is cut first and stays cut for a while
   * after the restart, so it works offline on what its store kept.
   */
  private async restart(peer: Peer, offline: boolean, rng: Rng): Promise<void> {
    if (peer.restarting) return
    peer.restarting = true
    const fault: Fault = { mode: 'drop', delayMs: 0 }
    let markUp: () => void = () => {}
    try {
      if (offline) {
        this.addFault(peer, fault)
        await sleep(rng.int(0, 1000))
      }
      // Mostly a few milliseconds into an edit: a put is cut around its doc change and fsync.
      const edit = (command: string): boolean => ['put', 'update', 'delete'].includes(command)
      if (rng.chance(0.7) && (await within(peer.proc.nextCommand(edit), 10_000))) await sleep(rng.int(0, 30))
      // The peer's loop goes on until here, so the kill can land inside one of its commands.
      peer.up = new Promise((resolve) => (markUp = resolve))
      await peer.proc.kill()
      this.counts.peerKills++
      // Long enough for the peer's loop to note the command the kill cut short.
      await sleep(rng.int(200, 1500))
      await this.startPeer(peer)
      await this.settle(peer)
    } finally {
      peer.restarting = false
      markUp()
    }
    if (offline) {
      await sleep(rng.int(1000, 5000))
      this.removeFault(peer, fault)
    }
  }

  private async startPeer(peer: Peer): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await peer.proc.start()
      } catch (error) {
        this.anomaly(`${peer.name}: its process did not start: ${error instanceof Error ? error.message : String(error)}`)
        if (attempt >= 3) throw error
      }
    }
  }

  /**
   * Reads back, from the restarted peer's own store, each command a crash cut short: it was kept
   * whole or not at all, and from now on the ledger expects exactly that.
   */
  private async settle(peer: Peer): Promise<void> {
    for (const command of this.ledger.takeCutShort(peer.name)) {
      const { sql, kept } = this.readBack(command)
      const out = await this.cli(peer, ['sql', sql])
      if (typeof out === 'string' || out.code !== 0) {
        this.anomaly(`${peer.name}: could not read back a command cut short (${command.kind}): ${typeof out === 'string' ? out : out.stderr.trim()}`)
        this.ledger.settle(peer.name, command, false)
        continue
      }
      const verdict = kept(jsonLines(out.stdout))
      if (typeof verdict === 'string') {
        this.anomaly(`${peer.name}: a ${command.kind} cut short by a crash left ${verdict}`)
        this.ledger.settle(peer.name, command, false)
      } else {
        this.ledger.settle(peer.name, command, verdict.kept, verdict.id)
      }
    }
  }

  /** The query that shows whether a cut-short command was stored, and how to read its answer (a string: neither outcome). */
  private readBack(command: CutShort): { sql: string; kept: (rows: Array<Record<string, unknown>>) => { kept: boolean; id?: string } | string } {
    switch (command.kind) {
      case 'insert': {
        const fields = Object.keys(command.stored)
        return {
          sql: `SELECT id, ${fields.join(', ')} FROM ${command.table} WHERE region = ${quote(command.region)} AND ${command.marker} = ${quote(command.token)}`,
          kept: (rows) => {
            if (rows.length === 0) return { kept: false }
            if (rows.length > 1) return `${rows.length} records with ${command.token}`
            const torn = fields.find((f) => rows[0][f] !== command.stored[f])
            return torn === undefined ? { kept: true, id: String(rows[0].id) } : `a partial record: ${torn} = ${JSON.stringify(rows[0][torn])}`
          },
        }
      }
      case 'shared':
        return {
          sql: `SELECT notes, km FROM vehicles WHERE region = ${quote(command.region)} AND id = ${quote(command.id)}`,
          kept: (rows) => {
            const kept = rows[0]?.notes === command.notes
            return kept && rows[0]?.km !== command.km ? `a partial record: km = ${JSON.stringify(rows[0]?.km)}` : { kept }
          },
        }
      case 'update': {
        const { record, field, value } = command
        const before = record.fields.get(field) ?? null
        return {
          sql: this.ownViewSql(record, [field]),
          kept: (rows) => {
            if (rows.length !== 1 || rows[0].state !== 'live') return `${rows.length} rows, ${String(rows[0]?.state)}`
            if (rows[0][field] === value) return { kept: true }
            return rows[0][field] === before ? { kept: false } : `${field} = ${JSON.stringify(rows[0][field])}`
          },
        }
      }
      case 'delete':
        return {
          sql: this.ownViewSql(command.record, ['id']),
          kept: (rows) => (rows.length === 1 ? { kept: rows[0].state === 'deleted' } : `${rows.length} rows`),
        }
    }
  }

  // --- the network ---

  private addFault(peer: Peer, fault: Fault): void {
    peer.faults.add(fault)
    this.applyFaults(peer)
  }

  private removeFault(peer: Peer, fault: Fault): void {
    peer.faults.delete(fault)
    this.applyFaults(peer)
  }

  private applyFaults(peer: Peer): void {
    const faults = [...peer.faults]
    if (faults.some((f) => f.mode === 'drop')) return peer.proxy.setMode('drop')
    if (faults.some((f) => f.mode === 'stall')) return peer.proxy.setMode('stall')
    const delay = Math.max(0, ...faults.map((f) => f.delayMs))
    peer.proxy.setMode(delay > 0 ? 'delay' : 'pass', delay)
  }

  // --- the chaos itself ---

  private async chaos(): Promise<void> {
    const span = this.options.minutes * 60_000
    // First events early enough that even a half-minute run sees each kind.
    await Promise.all([
      this.every(this.rng.fork('relay'), [Math.min(5000, span * 0.15), Math.min(20_000, span * 0.4)], [15_000, 45_000], false, (rng) => this.crashRelay(rng)),
      this.every(this.rng.fork('partitions'), [1000, 3000], [1000, 5000], true, (rng) => this.partition(rng)),
      this.every(this.rng.fork('restarts'), [Math.min(3000, span * 0.1), Math.min(10_000, span * 0.3)], [5000, 15_000], true, (rng) =>
        this.restart(rng.pick(this.peers), true, rng),
      ),
      this.every(this.rng.fork('hostile'), [Math.min(1500, span * 0.05), Math.min(6000, span * 0.2)], [1500, 5000], false, (rng) => this.hostileWrite(rng)),
      this.every(this.rng.fork('raw'), [Math.min(2000, span * 0.1), Math.min(8000, span * 0.3)], [3000, 10_000], false, (rng) =>
        this.rawReadOnlyWrite(rng),
      ),
    ])
  }

  /** Runs `event` from a first delay on, with gaps between starts, until the deadline; `overlap`: without waiting for the last one. */
  private async every(rng: Rng, first: [number, number], gap: [number, number], overlap: boolean, event: (rng: Rng) => Promise<void>): Promise<void> {
    const running: Array<Promise<void>> = []
    await sleep(Math.min(rng.int(Math.round(first[0]), Math.round(first[1])), this.deadline - Date.now()))
    while (Date.now() < this.deadline) {
      const happening = event(rng).catch((error: unknown) => this.anomaly(`chaos event failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`))
      if (overlap) running.push(happening)
      else await happening
      await sleep(Math.min(rng.int(gap[0], gap[1]), this.deadline - Date.now()))
    }
    await Promise.all(running)
  }

  /** kill -9 of the relay, a pause, and a restart on the same port and data directory. */
  private async crashRelay(rng: Rng): Promise<void> {
    const relay = this.relay
    if (relay === undefined) return
    this.relay = undefined
    await relay.stop('SIGKILL')
    this.counts.relayKills++
    await sleep(rng.int(300, 4000))
    await this.startRelay()
  }

  private async partition(rng: Rng): Promise<void> {
    const region = rng.pick(REGIONS)
    const targets = rng.chance(0.3) ? this.peers.filter((p) => p.region === region) : [rng.pick(this.peers)]
    const mode = rng.weighted({ drop: 4, stall: 3, delay: 3 })
    const fault: Fault = { mode, delayMs: mode === 'delay' ? rng.int(50, 800) : 0 }
    this.counts.partitions++
    for (const peer of targets) this.addFault(peer, fault)
    await sleep(rng.int(1000, 8000))
    for (const peer of targets) this.removeFault(peer, fault)
  }

  /**
   * A write below the CLI, on the relay's protocol: the admin (anywhere) or an editor (in another
   * region) connects with a real token and sends a Yjs update. The relay must refuse it (type 101)
   * and never store or forward it; the end check looks for its value everywhere.
   */
  private async rawReadOnlyWrite(rng: Rng): Promise<void> {
    const editor = rng.pick(this.peers.filter((p) => p.region !== null))
    const asAdmin = rng.chance(0.6)
    const user = asAdmin ? 'admin' : editor.name
    const region = asAdmin ? rng.pick(REGIONS) : rng.pick(REGIONS.filter((r) => r !== editor.region))
    const kind = rng.pick(['insert', 'update', 'delete'] as const)
    // A relay killed before the write is sent means trying again once it is back.
    while (Date.now() < this.deadline) {
      const relay = this.relay
      const token = relay && (await tokenFor(relay, user, asAdmin ? ADMIN_PASSWORD : editor.password).catch(() => undefined))
      if (relay === undefined || token === undefined) {
        await sleep(500)
        continue
      }
      const client = connectClient(relay, region, token)
      try {
        if (!(await within(client.synced(), 15_000))) continue
        const value = `${READ_ONLY_MARK}raw~${++this.readOnlySeq}`
        const author = { user }
        const live = [...recordIds(client.doc, 'employees')].filter((id) => readRecord(client.doc, 'employees', id)?.deleted_at === null)
        const write = live.length === 0 ? 'insert' : kind
        if (write === 'insert') insertRecord(client.doc, 'employees', region, { full_name: value }, author)
        else if (write === 'update') updateRecord(client.doc, 'employees', rng.pick(live), { title: value }, author)
        else deleteRecord(client.doc, 'employees', rng.pick(live), author)
        this.counts.readOnlyWrites++
        this.counts.readOnlyRaw++
        if (!(await becomes(() => client.refused.length > 0, 5000)) && this.relay === relay) {
          this.anomaly(`raw ${write} by ${user} in ${region}: the relay sent no refusal within 5 s`)
        }
        return
      } finally {
        client.destroy()
      }
    }
  }

  /**
   * A hostile peer's write (scripts/chaos/hostile.ts): `hostile-<region>` signs in, syncs the region
   * doc on a raw socket and sends one update the guard must refuse. The relay must answer 101 with
   * the kind's code and never acknowledge it; the end check looks for its traces everywhere.
   */
  private async hostileWrite(rng: Rng): Promise<void> {
    const region = rng.pick(REGIONS)
    // Every kind once per round, in a seeded order, so even a short run sees many of them.
    if (this.hostileRound.length === 0) {
      const round = (Object.keys(HOSTILE_KINDS) as HostileKind[]).flatMap((k) => (HOSTILE_KINDS[k] >= 3 ? [k, k] : [k]))
      for (let i = round.length - 1; i > 0; i--) {
        const j = rng.int(0, i)
        ;[round[i], round[j]] = [round[j], round[i]]
      }
      this.hostileRound.push(...round)
    }
    const kind = this.hostileRound.pop()!
    const account = hostileAccount(region)
    while (Date.now() < this.deadline) {
      const relay = this.relay
      const token = relay && (await this.hostileToken(relay, region))
      if (relay === undefined || token === undefined) {
        await sleep(500)
        continue
      }
      const session = new HostileSession(relay.wsUrl, region, token)
      try {
        if (!(await session.opened) || !(await becomes(() => session.isSynced || session.closed !== undefined, 15_000)) || !session.isSynced) {
          // A relay kill, or a token from before the account changed: sign in again and retry.
          if (session.closed?.code === 4401) this.hostileTokens.delete(region)
          await sleep(300)
          continue
        }
        const write = buildHostileWrite(session.doc, kind, {
          region,
          account,
          token: `${HOSTILE_MARK}${region}~${++this.hostileSeq}`,
          honest: [1, 2, 3].map((i) => `${region}-${i}`),
          rng,
        })
        this.counts.hostileWrites++
        const outcome = await session.attempt(write, 8000)
        const what = `hostile ${write.kind} by ${account} (${write.what})`
        if (outcome.acknowledged) this.anomaly(`${what}: the relay acknowledged it as durable`)
        if (outcome.refused !== undefined) {
          const code = outcome.refused.code
          this.counts.hostileRefused++
          this.hostileCodes.set(code, (this.hostileCodes.get(code) ?? 0) + 1)
          if (!EXPECTED_CODES[write.kind].includes(code)) this.anomaly(`${what}: refused as ${code}, expected ${EXPECTED_CODES[write.kind].join(' or ')}`)
        } else if (outcome.closed !== undefined && this.relay !== relay) {
          // The relay was killed before it answered: the write may be tried again (a new one).
          this.counts.hostileWrites--
          continue
        } else if (outcome.closed !== undefined) {
          this.anomaly(`${what}: the relay closed the connection (${outcome.closed.code} ${outcome.closed.reason}) without a refusal`)
        } else if (this.relay === relay) {
          this.anomaly(`${what}: the relay sent no refusal within 8 s`)
        }
        return
      } finally {
        session.close()
      }
    }
  }

  private async hostileToken(relay: RelayProcess, region: string): Promise<string | undefined> {
    const cached = this.hostileTokens.get(region)
    if (cached !== undefined && Date.now() - cached.at < 60_000) return cached.token
    const token = await tokenFor(relay, hostileAccount(region), hostilePassword(region)).catch(() => undefined)
    if (token !== undefined) this.hostileTokens.set(region, { token, at: Date.now() })
    return token
  }

  /**
   * The end check's scan for hostile writes in the Yjs docs themselves (an unknown table, a record
   * that is a string or a field that is an object never reach a SQLite export): the relay's copy,
   * read as the admin, and every peer's stored docs.
   */
  private async hostileScan(): Promise<string[]> {
    const traces: string[] = []
    const relay = this.relay!
    const token = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
    for (const region of REGIONS) {
      const client = connectClient(relay, region, token)
      try {
        if (!(await within(client.synced(), 30_000))) {
          traces.push(`relay ${region}: the admin could not sync it for the hostile scan`)
          continue
        }
        traces.push(...hostileTraces(client.doc, `relay ${region}`))
      } finally {
        client.destroy()
      }
    }
    for (const peer of this.peers) {
      const store = openFileStore(peer.proc.dir)
      try {
        const account = await store.readAccount()
        for (const region of account?.regions ?? []) {
          for (const name of await store.listDocuments(region.slug)) {
            const stored = await (await store.openDocument(name)).load()
            const doc = new Y.Doc({ gc: false })
            for (const update of stored.updates) Y.applyUpdate(doc, update)
            traces.push(...hostileTraces(doc, `${peer.name} ${name}`))
            doc.destroy()
          }
        }
      } finally {
        await store.close()
      }
    }
    return traces
  }

  // --- the end ---

  private async finish(started: number): Promise<ChaosSummary> {
    for (const peer of this.peers) {
      peer.faults.clear()
      this.applyFaults(peer)
    }
    if (this.relay === undefined) await this.startRelay()
    for (const peer of this.peers) if (!peer.proc.running) await this.startPeer(peer)
    await Promise.all(this.peers.map((peer) => this.settle(peer)))
    if (this.ledger.unsettledCount() > 0) this.anomaly(`${this.ledger.unsettledCount()} commands cut short are still unsettled`)

    // Round one sends everything pending; after it, round two brings every peer all of it.
    await this.syncEveryone()
    await this.syncEveryone()
    // The relay's copy is read back from its disk: whatever it acknowledged must be there.
    await this.crashRelay(this.rng)
    const exports = path.join(this.root.dir, 'exports')
    mkdirSync(exports)
    let comparison = await this.compare(exports)
    const converged = comparison.differing.length === 0
    if (!converged) {
      for (const d of comparison.differing) this.anomaly(`not converged after two sync rounds: ${d}`)
      await this.syncEveryone()
      comparison = await this.compare(exports)
      this.log(`chaos: after a third sync round ${comparison.differing.length} peers still differ`)
    }
    const db = new Database(comparison.relayFile, { readonly: true })
    const verdict = (() => {
      try {
        return this.ledger.verify(db)
      } finally {
        db.close()
      }
    })()
    const traces = await this.hostileScan()
    const hostileLanded = verdict.hostileLanded + traces.length
    for (const peer of this.peers) for (const exit of peer.proc.unexpectedExits) this.anomaly(`peer process died: ${exit}`)

    const c = this.counts
    const ok = verdict.lost === 0 && verdict.duplicates === 0 && verdict.unexpected === 0 && verdict.readOnlyLanded === 0 && hostileLanded === 0 && converged && this.anomalies.length === 0
    const keep = this.options.keep === true || !ok
    if (!ok) this.log(`chaos: relay output (last 3000 characters):\n${(this.relay?.output() ?? this.relayOutput).slice(-3000)}`)
    if (!keep) this.root.remove()
    return {
      seed: this.options.seed,
      minutes: this.options.minutes,
      wallSeconds: Math.round((Date.now() - started) / 1000),
      edits: this.ledger.edits,
      cutShort: this.ledger.cutShortTotal,
      cutShortKept: this.ledger.cutShortKept,
      relayKills: c.relayKills,
      peerKills: c.peerKills,
      partitions: c.partitions,
      badInputs: c.badInputs,
      readOnlyWrites: c.readOnlyWrites,
      readOnlyRaw: c.readOnlyRaw,
      readOnlyLanded: verdict.readOnlyLanded,
      hostileWrites: c.hostileWrites,
      hostileRefused: c.hostileRefused,
      hostileCodes: [...this.hostileCodes].sort(([a], [b]) => a.localeCompare(b)).map(([code, n]) => `${code}:${n}`).join(','),
      hostileLanded,
      syncs: c.syncs,
      syncsFailed: c.syncsFailed,
      logins: c.logins,
      lost: verdict.lost,
      duplicates: verdict.duplicates,
      unexpected: verdict.unexpected,
      converged,
      anomalies: this.anomalies,
      problems: [...verdict.problems, ...traces.slice(0, 40)],
      ok,
      keptDir: keep ? this.root.dir : null,
    }
  }

  private async syncEveryone(): Promise<void> {
    await Promise.all(
      this.peers.map(async (peer) => {
        for (let attempt = 1; attempt <= FINAL_SYNC_ATTEMPTS; attempt++) {
          if (await this.sync(peer, 60, true)) return
          await sleep(1000)
        }
        this.anomaly(`${peer.name}: sync did not succeed ${FINAL_SYNC_ATTEMPTS} times in a row after the chaos stopped`)
      }),
    )
  }

  /** The relay's export and each peer's export-sqlite, compared table by table. */
  private async compare(dir: string): Promise<{ relayFile: string; differing: string[] }> {
    const relay = this.relay!
    const token = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
    const response = await fetch(`${relay.url}/api/export/all.sqlite`, { headers: { authorization: `Bearer ${token}` } })
    if (response.status !== 200) throw new Error(`the relay's export answered ${response.status}`)
    const relayFile = path.join(dir, 'relay.sqlite')
    writeFileSync(relayFile, new Uint8Array(await response.arrayBuffer()))
    const reference = dump(relayFile)
    const differing: string[] = []
    for (const peer of this.peers) {
      const file = path.join(dir, `${peer.name}.sqlite`)
      const out = await this.cli(peer, ['export-sqlite', '--out', file])
      if (typeof out === 'string' || out.code !== 0) {
        differing.push(`${peer.name}: export-sqlite failed: ${typeof out === 'string' ? out : out.stderr.trim()}`)
        continue
      }
      const diff = difference(reference, dump(file))
      if (diff !== undefined) differing.push(`${peer.name} vs relay: ${diff}`)
    }
    return { relayFile, differing }
  }
}

export function runChaos(options: ChaosOptions): Promise<ChaosSummary> {
  return new ChaosRun(options).run()
}
