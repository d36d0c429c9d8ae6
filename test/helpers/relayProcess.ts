/**
 * Test helpers for the relay: a real `bin/rainstaff relay` child process on 127.0.0.1 with a
 * random free port and a temporary data directory, and real y-websocket clients talking to it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { readRecord, recordIds } from '../../crdt/records.ts'
import { insertRecord, updateRecord } from '../../crdt/regionDoc.ts'
import * as decoding from 'lib0/decoding'
import { WebsocketProvider } from 'y-websocket'
import { clientProtocols, MESSAGE_DURABLE, MESSAGE_WRITE_REFUSED, readWriteRefused, type WriteRefused } from '../../crdt/protocol.ts'
import { openStore } from '../../relay/store.ts'
import { addUser, type NewUser } from '../../relay/users.ts'

export const ROOT = path.resolve(import.meta.dirname, '../..')
export const ADMIN_PASSWORD = 'admin-test-password'
/** The /metrics bearer token every spawned relay gets unless a test overrides RAINSTAFF_METRICS_TOKEN. */
export const METRICS_TOKEN = 'metrics-test-token-0123456789'

export function tempDir(prefix = 'rainstaff-relay-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Adds users straight into a data directory (the relay need not run). */
export async function seedUsers(dataDir: string, users: readonly NewUser[]): Promise<void> {
  const store = openStore(dataDir)
  try {
    for (const u of users) await addUser(store, u)
  } finally {
    store.close()
  }
}

export interface RelayProcess {
  readonly port: number
  readonly url: string
  /** Server URL for WebsocketProvider; the region is the room name. */
  readonly wsUrl: string
  readonly child: ChildProcess
  /** Everything the process printed so far (stdout and stderr). */
  output(): string
  /** Sends `signal` and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/** Runs the CLI to completion, feeding `input` on stdin; `env` is added to this process's environment. */
export function runCli(args: string[], input = '', env: Readonly<Record<string, string>> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/rainstaff'), ...args], { cwd: ROOT, env: { ...process.env, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input)
  })
}

/** Starts a relay process; rejects with its output if it exits before listening. */
export function spawnRelay(dataDir: string, extraArgs: string[] = [], env: Record<string, string> = {}): Promise<RelayProcess> {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin/rainstaff'), 'relay', '--port', '0', '--host', '127.0.0.1', '--data', dataDir, ...extraArgs],
    {
      cwd: ROOT,
      env: { ...process.env, RAINSTAFF_ADMIN_PASSWORD: ADMIN_PASSWORD, RAINSTAFF_METRICS_TOKEN: METRICS_TOKEN, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer): void => {
      output += d.toString()
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)
      if (match?.[1]) {
        const port = Number(match[1])
        resolve({
          port,
          url: `http://127.0.0.1:${port}`,
          wsUrl: `ws://127.0.0.1:${port}/sync`,
          child,
          output: () => output,
          stop: async (signal = 'SIGTERM') => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal)
            return exited
          },
        })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    void exited.then((code) => reject(new Error(`relay exited (${code}) before listening:\n${output}`)))
  })
}

/** The relay's Prometheus text, fetched with the test metrics token. */
export async function metricsText(relay: { url: string }, token = METRICS_TOKEN): Promise<string> {
  const res = await fetch(`${relay.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`)
  return res.text()
}

export async function login(relay: { url: string }, username: string, password: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${relay.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

export async function tokenFor(relay: { url: string }, username: string, password: string): Promise<string> {
  const { status, body } = await login(relay, username, password)
  if (status !== 200 || typeof body.token !== 'string') throw new Error(`login ${username} failed: ${status} ${JSON.stringify(body)}`)
  return body.token
}

/** Polls `check` until it holds; a guard against hangs, not a timing assertion. */
export async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

export interface TestClient {
  readonly doc: Y.Doc
  readonly provider: WebsocketProvider
  /** Durable state vector from the relay's last type-100 message (client id → clock). */
  readonly durable: Map<number, number>
  /** How many write messages the relay counted as durable for this connection. */
  durableWrites(): number
  /** Type-101 refusals received, parsed: reason code, bilingual message, refused clock ranges. */
  readonly refused: WriteRefused[]
  /** Close codes the relay sent. */
  readonly closes: Array<{ code: number; reason: string }>
  synced(): Promise<void>
  destroy(): void
}

/** A real y-websocket provider authenticated with `token` (or none) on `region`. */
export function connectClient(relay: { wsUrl: string }, region: string, token: string | null, doc = new Y.Doc({ gc: false })): TestClient {
  const durable = new Map<number, number>()
  const refused: WriteRefused[] = []
  const closes: Array<{ code: number; reason: string }> = []
  let writes = 0
  const provider = new WebsocketProvider(relay.wsUrl, region, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    protocols: token === null ? [] : clientProtocols(token),
    // BroadcastChannel would sync providers of one process directly, around the relay.
    disableBc: true,
    maxBackoffTime: 200,
  })
  provider.messageHandlers[MESSAGE_DURABLE] = (_encoder, decoder) => {
    const sv = Y.decodeStateVector(decoding.readVarUint8Array(decoder))
    for (const [client, clock] of sv) durable.set(client, clock)
    writes = decoding.readVarUint(decoder)
  }
  provider.messageHandlers[MESSAGE_WRITE_REFUSED] = (_encoder, decoder) => {
    refused.push(readWriteRefused(decoder))
  }
  provider.on('connection-close', (event) => {
    if (event) closes.push({ code: event.code, reason: event.reason })
  })
  return {
    doc,
    provider,
    durable,
    durableWrites: () => writes,
    refused,
    closes,
    synced: () =>
      provider.synced ? Promise.resolve() : new Promise<void>((resolve) => provider.once('sync', (s: boolean) => s && resolve())),
    destroy: () => {
      provider.destroy()
      // The provider's awareness timer stops only with its doc.
      doc.destroy()
    },
  }
}

/** Resolves with the first close a raw `ws` client gets (for handshake refusals and bad frames). */
export function rawSocket(relay: { wsUrl: string }, region: string, protocols: string[]): { socket: WebSocket; closed: Promise<{ code: number; reason: string }>; opened: Promise<void> } {
  const socket = new WebSocket(`${relay.wsUrl}/${region}`, protocols)
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  )
  const opened = new Promise<void>((resolve, reject) => {
    socket.on('open', () => resolve())
    socket.on('error', reject)
  })
  socket.on('error', () => {})
  return { socket, closed, opened }
}

/**
 * Writes a setting (its key is its identity) the way the app does, so the relay's guard takes it:
 * a quick schema-valid write for tests about connections rather than records.
 */
export function putSetting(doc: Y.Doc, region: string, user: string, key: string, value: string): void {
  const existing = readRecord(doc, 'settings', `key:${key}`)
  if (existing === undefined || existing.deleted_at !== null) insertRecord(doc, 'settings', region, { key, value }, { user })
  else updateRecord(doc, 'settings', `key:${key}`, { value }, { user })
}

/** The live settings of a region doc, key → value. */
export function settingValues(doc: Y.Doc): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const id of recordIds(doc, 'settings')) {
    const record = readRecord(doc, 'settings', id)
    if (record !== undefined && record.deleted_at === null) out[String(record.key)] = record.value
  }
  return out
}
