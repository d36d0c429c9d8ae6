/**
 * Test peers: a real sync engine over a real file store in a temporary state directory, signed in
 * against a real relay (online, or offline from the device verifier when the relay is down), with
 * `ws` as the WebSocket. Restarting a peer closes everything and reopens it from disk.
 */
import { storedDocuments } from '../../client/storedDocuments.ts'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { WebSocket } from 'ws'
import { followDocuments } from '../../client/followDocuments.ts'
import { openMirror, type Mirror } from '../../crdt/mirror.ts'
import { openEngine, type EngineOptions, type SyncEngine } from '../../client/engine.ts'
import { openFileStore, type FileStore } from '../../client/fileStore.ts'
import { signIn, type Session } from '../../client/signIn.ts'

// Every y-websocket provider adds a process exit listener; three peers × four regions exceed
// the default warning threshold of ten without leaking anything.
process.setMaxListeners(64)

/** Short waits so tests reconnect quickly; the shape (jittered, capped) is the production one. */
export const TEST_BACKOFF = { baseMs: 50, capMs: 400 } as const

export interface TestPeer {
  readonly name: string
  readonly dir: string
  engine: SyncEngine
  store: FileStore
  session: Session
  /** Whether the last sign-in reached the relay. */
  online: boolean
  /** Closes engine and store, then signs in again and reopens both from disk. */
  restart(): Promise<void>
  close(): Promise<void>
  /** A mirror of every open region doc (closed by the caller). */
  mirror(): Promise<Mirror>
}

export interface PeerOptions {
  readonly dir?: string
  /** The PC's name the sign-in gives the relay (history shows it). */
  readonly deviceName?: string
  readonly engine?: Partial<Omit<EngineOptions, 'session' | 'store'>>
}

export function peerDir(name: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `rainstaff-peer-${name}-`))
}

export async function startPeer(relayUrl: string, username: string, password: string, options: PeerOptions = {}): Promise<TestPeer> {
  const dir = options.dir ?? peerDir(username)
  const open = async (): Promise<{ store: FileStore; session: Session; online: boolean; engine: SyncEngine }> => {
    const store = openFileStore(dir)
    const { session, online } = await signIn({ relay: relayUrl, username, password, store, ...(options.deviceName !== undefined ? { deviceName: options.deviceName } : {}) })
    const engine = await openEngine({
      session,
      store,
      WebSocketPolyfill: WebSocket,
      backoff: TEST_BACKOFF,
      ...options.engine,
    })
    return { store, session, online, engine }
  }
  const first = await open()
  const peer: TestPeer = {
    name: username,
    dir,
    ...first,
    async restart() {
      await peer.engine.close()
      await peer.store.close()
      Object.assign(peer, await open())
    },
    async close() {
      await peer.engine.close()
      await peer.store.close()
    },
    async mirror() {
      const mirror = await openMirror()
      followDocuments(peer.engine, (name, doc) => mirror.attach(name, doc), (name) => mirror.release(name))
      return mirror
    },
  }
  return peer
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

/** Opens every month the relay stores for the peer's regions (what a test reads all of). */
export async function openStoredMonths(peer: TestPeer): Promise<void> {
  const { months } = await storedDocuments(peer.session)
  for (const region of peer.engine.regions) for (const month of months.get(region) ?? []) await peer.engine.openPeriod(region, month)
}
