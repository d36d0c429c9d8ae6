/**
 * The five-year benchmark's moving parts: the relay as a child process (`bin/rainstaff relay`,
 * so its memory is its own), peers as the app and the CLI run them (the sync engine on a file
 * store), idle office PCs as plain y-websocket connections, and the child-process entry that
 * times a CLI peer's cold start to its first `sql` answer.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { WebSocket } from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { clientProtocols, MESSAGE_DURABLE, MESSAGE_WRITE_REFUSED } from '../crdt/protocol.ts'
import { readRecord, recordIds } from '../crdt/records.ts'
import { openEngine, type SyncEngine } from '../client/engine.ts'
import { openFileStore, type FileStore } from '../client/fileStore.ts'
import { sessionFromAccount, signIn } from '../client/signIn.ts'
import { PASSWORD } from './yearsData.ts'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export interface Memory {
  /** Resident set now (VmRSS), bytes. */
  readonly rss: number
  /** The most it has been resident so far (VmHWM), bytes. */
  readonly peak: number
}

export interface RelayChild {
  readonly url: string
  readonly wsUrl: string
  /** From spawning the process until it listens, ms. */
  readonly startMs: number
  memory(): Memory
  stop(): Promise<void>
}

/** Starts `bin/rainstaff relay` on the data directory with its default settings. */
export function spawnRelay(dataDir: string): Promise<RelayChild> {
  const started = performance.now()
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'bin/rainstaff'), 'relay', '--port', '0', '--host', '127.0.0.1', '--data', dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return new Promise((resolve, reject) => {
    let output = ''
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString()
      const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]
      if (port === undefined) return
      resolve({
        url: `http://127.0.0.1:${port}`,
        wsUrl: `ws://127.0.0.1:${port}/sync`,
        startMs: performance.now() - started,
        memory: () => {
          const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
          const kib = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024
          return { rss: kib('VmRSS'), peak: kib('VmHWM') }
        },
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
          await exited
        },
      })
    })
    void exited.then(() => reject(new Error(`relay exited before listening:\n${output}`)))
  })
}

export interface Peer {
  readonly engine: SyncEngine
  readonly store: FileStore
  close(): Promise<void>
}

export interface PeerOptions {
  readonly regions?: readonly string[]
  /** The peer's clock (which months are its working months). */
  readonly now?: () => Date
}

function peerOf(engine: SyncEngine, store: FileStore): Peer {
  return {
    engine,
    store,
    close: async () => {
      await engine.close()
      await store.close()
    },
  }
}

/** Signs in on a device (its state directory) as the CLI's `login` does, and opens the engine syncing. */
export async function signedInPeer(relayUrl: string, dir: string, username: string, options: PeerOptions = {}): Promise<Peer> {
  const store = openFileStore(dir)
  const { session } = await signIn({ relay: relayUrl, username, password: PASSWORD, store, rememberToken: true })
  const engine = await openEngine({ session, store, WebSocketPolyfill: WebSocket, ...options })
  return peerOf(engine, store)
}

/** Opens a device signed in before, offline, as the CLI's commands do: only what the device keeps. */
export async function offlinePeer(dir: string, options: PeerOptions = {}): Promise<Peer> {
  const store = openFileStore(dir)
  const account = await store.readAccount()
  if (account === undefined) throw new Error(`bench: no account in ${dir}`)
  const engine = await openEngine({ session: sessionFromAccount(account, null), store, connect: false, WebSocketPolyfill: WebSocket, ...options })
  return peerOf(engine, store)
}

/** Resolves once document `name` of the engine has synced with the relay. */
export async function documentSynced(engine: SyncEngine, name: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (engine.state.documents[name]?.connection !== 'synced') {
    if (Date.now() > deadline) throw new Error(`bench: ${name} did not sync`)
    await new Promise((r) => setTimeout(r, 1))
  }
}

/** Live timesheets in a document. */
export function liveTimesheets(doc: Y.Doc): number {
  let n = 0
  for (const id of recordIds(doc, 'timesheets')) if (readRecord(doc, 'timesheets', id)?.deleted_at === null) n++
  return n
}

export async function tokenFor(relayUrl: string, username: string): Promise<string> {
  const res = await fetch(`${relayUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) })
  const body = (await res.json()) as { token?: unknown }
  if (res.status !== 200 || typeof body.token !== 'string') throw new Error(`bench: login ${username} failed (${res.status})`)
  return body.token
}

export interface IdleClient {
  readonly synced: Promise<void>
  close(): void
}

/** An office PC left open on its region's master document: a y-websocket connection and its presence. */
export function idleClient(wsUrl: string, region: string, token: string): IdleClient {
  const doc = new Y.Doc({ gc: false })
  const provider = new WebsocketProvider(wsUrl, region, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    protocols: clientProtocols(token),
    disableBc: true,
  })
  // The relay's own messages (durable clocks, refusals) mean nothing to a PC that writes nothing;
  // stock y-websocket would log every one it does not know.
  for (const type of [MESSAGE_DURABLE, MESSAGE_WRITE_REFUSED]) provider.messageHandlers[type] = () => {}
  return {
    synced: new Promise((resolve) => provider.once('sync', () => resolve())),
    close: () => {
      provider.destroy()
      // The provider's awareness timer stops only with its doc.
      doc.destroy()
    },
  }
}

/** What the cold-start child reports: from its start to the answer, and from opening the store to the answer. */
export interface ColdStart {
  readonly processMs: number
  readonly openMs: number
  readonly rows: unknown[]
}

/** Runs `rainstaff sql QUERY` on a state directory in a fresh Node process and returns its timings. */
export function coldQuery(stateDir: string, query: string): Promise<ColdStart> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--cold-query', stateDir, query], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('exit', (code) => {
      const timing = /^cold-start (\{.*\})$/m.exec(stderr)?.[1]
      if (code !== 0 || timing === undefined) return reject(new Error(`bench: cold query exited ${code}: ${stderr}`))
      const rows = stdout.split('\n').filter((line) => line !== '').map((line): unknown => JSON.parse(line))
      resolve({ ...(JSON.parse(timing) as { processMs: number; openMs: number }), rows })
    })
  })
}

/** The child's side: the CLI's own `sql` command, timed from here; rows go to stdout as the CLI prints them. */
async function runColdQuery(stateDir: string, query: string): Promise<void> {
  const { runClientCommand } = await import('../client/cli.ts')
  const opened = performance.now()
  const code = await runClientCommand('sql', ['--state', stateDir, query])
  // performance.now() counts from the process's start: Node, tsx and the imports included.
  const answered = performance.now()
  process.stderr.write(`cold-start ${JSON.stringify({ processMs: answered, openMs: answered - opened })}\n`)
  process.exitCode = code
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv[2] === '--cold-query') {
  await runColdQuery(process.argv[3] ?? '', process.argv[4] ?? '')
}
