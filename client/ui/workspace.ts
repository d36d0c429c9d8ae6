/**
 * What a signed-in screen works with: the sync engine (writes, connection state), the SQLite
 * mirror of every region doc (reads), and the session. Opening one signs in (online, or offline
 * from the device account), loads the browser's copy, attaches every region to the mirror and
 * announces this PC to the others of the region (awareness).
 */
import type { Awareness } from 'y-protocols/awareness'
import { openMirror, type Mirror } from '../../crdt/mirror.ts'
import { openEngine, type SyncEngine } from '../engine.ts'
import { databaseName, openIndexedDbStore, type IndexedDbStore } from '../indexedDbStore.ts'
import { relayAddress } from '../relayAddress.ts'
import { changeOwnPassword, signIn, type Session } from '../signIn.ts'

export interface Credentials {
  readonly relay: string
  readonly username: string
  readonly password: string
}

export interface Workspace {
  readonly session: Session
  readonly engine: SyncEngine
  readonly mirror: Mirror
  /** False when the relay could not be reached and the device account unlocked the app. */
  readonly signedInOnline: boolean
  /** Writes what is pending to the browser store (Electron asks before quitting). */
  flush(): Promise<void>
  /**
   * Changes the signed-in user's own password (throws PasswordChangeError). The session goes on
   * with the relay's fresh token and the new password; the device's offline unlock follows.
   */
  changePassword(current: string, next: string): Promise<void>
  close(): Promise<void>
}

/** This PC as the other PCs of a region see it in their status bar. */
export interface Presence {
  readonly device: string
  readonly user: string
  readonly region: string | null
}

const LAST_SIGN_IN = 'rainstaff.lastSignIn'
const DEVICE = 'rainstaff.device'

/** sql.js's wasm next to the page: `/sql-wasm.wasm` from the relay, `./sql-wasm.wasm` under file://. */
export function locateFile(file: string): string {
  return new URL(file, document.baseURI).href
}

function deviceName(): string {
  try {
    let name = localStorage.getItem(DEVICE)
    if (name === null) {
      name = `PC-${crypto.getRandomValues(new Uint16Array(1))[0].toString(16).padStart(4, '0').toUpperCase()}`
      localStorage.setItem(DEVICE, name)
    }
    return name
  } catch {
    return 'PC'
  }
}

/** Relay and user of the last sign-in on this device, to fill the form (never the password). */
export function lastSignIn(): { relay: string; username: string } | undefined {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(LAST_SIGN_IN) ?? 'null')
    if (typeof value !== 'object' || value === null) return undefined
    const v = value as Record<string, unknown>
    return typeof v.relay === 'string' && typeof v.username === 'string' ? { relay: v.relay, username: v.username } : undefined
  } catch {
    return undefined
  }
}

/** The relay that served this page, when it was served by one (not Electron's file://). */
export function servingRelay(): string {
  return location.protocol === 'http:' || location.protocol === 'https:' ? location.origin : ''
}

export async function openWorkspace(credentials: Credentials): Promise<Workspace> {
  const relay = relayAddress(credentials.relay)
  const store: IndexedDbStore = await openIndexedDbStore(databaseName(relay.http))
  let engine: SyncEngine | undefined
  try {
    const { session, online } = await signIn({ ...credentials, relay: relay.http, store })
    engine = await openEngine({ session, store })
    const mirror = await openMirror({ locateFile })
    for (const region of engine.regions) mirror.attach(region, engine.doc(region))
    const presence: Presence = { device: deviceName(), user: session.user.username, region: session.user.region }
    for (const region of engine.regions) engine.awareness(region).setLocalStateField('presence', presence)
    // After a refused change the engine rebuilds a region's doc (client/recovery.ts): the mirror
    // follows the new doc, and the new connection's awareness gets the presence again.
    engine.on('reset', (region, doc) => {
      mirror.attach(region, doc)
      engine?.awareness(region).setLocalStateField('presence', presence)
    })
    try {
      localStorage.setItem(LAST_SIGN_IN, JSON.stringify({ relay: relay.http, username: credentials.username }))
    } catch {
      // Only a convenience for the next sign-in.
    }
    const opened = engine
    return {
      session,
      engine: opened,
      mirror,
      signedInOnline: online,
      flush: () => opened.flush(),
      changePassword: (current, next) => changeOwnPassword(session, current, next, store),
      async close() {
        await opened.close()
        mirror.close()
        await store.close()
      },
    }
  } catch (error) {
    await engine?.close().catch(() => undefined)
    await store.close().catch(() => undefined)
    throw error
  }
}

/**
 * Calls `onChange` on every awareness change of every region, following the new awareness of a
 * region whose doc the engine rebuilt ('reset'). Returns the unsubscribe.
 */
export function followAwareness(engine: SyncEngine, onChange: () => void): () => void {
  const followed = new Map<string, Awareness>()
  const follow = (region: string): void => {
    followed.get(region)?.off('change', onChange)
    const awareness = engine.awareness(region)
    awareness.on('change', onChange)
    followed.set(region, awareness)
  }
  for (const region of engine.regions) follow(region)
  const onReset = (region: string): void => {
    follow(region)
    onChange()
  }
  engine.on('reset', onReset)
  return () => {
    engine.off('reset', onReset)
    for (const awareness of followed.values()) awareness.off('change', onChange)
    followed.clear()
  }
}

/** The other PCs whose awareness says they belong to `region`, by device name. */
export function peersOf(engine: SyncEngine, region: string): Presence[] {
  if (!engine.regions.includes(region)) return []
  const awareness = engine.awareness(region)
  const peers: Presence[] = []
  for (const [client, state] of awareness.getStates()) {
    if (client === awareness.clientID) continue
    const p = (state as { presence?: unknown }).presence
    if (typeof p !== 'object' || p === null) continue
    const v = p as Record<string, unknown>
    if (typeof v.device === 'string' && typeof v.user === 'string' && v.region === region) {
      peers.push({ device: v.device, user: v.user, region })
    }
  }
  return peers.sort((a, b) => a.device.localeCompare(b.device))
}

/** Follows the browser's network signal: a socket the OS says is cut is closed now, not after the liveness timeout. */
export function followNetwork(engine: SyncEngine): () => void {
  const offline = (): void => engine.disconnect()
  const online = (): void => engine.connect()
  addEventListener('offline', offline)
  addEventListener('online', online)
  if (navigator.onLine === false) engine.disconnect()
  return () => {
    removeEventListener('offline', offline)
    removeEventListener('online', online)
  }
}
