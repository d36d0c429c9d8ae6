/**
 * What a signed-in screen works with: the sync engine (writes, connection state), the device's
 * SQLite mirror (reads: the open documents live, every other month as held rows, saved in the
 * browser, client/offlineMirror.ts), and the session. Opening one signs in (online, or offline
 * from the device account), loads the browser's copy and the saved mirror, follows the engine's
 * documents and announces this PC to the others of the region (awareness).
 */
import type { Awareness } from 'y-protocols/awareness'
import type { Mirror } from '../../crdt/mirror.ts'
import type { TableName } from '../../schema/tables.ts'
import { followDocuments } from '../followDocuments.ts'
import { HolidayCalendar } from '../holidayCalendar.ts'
import { openOfflineMirror, type OfflineMirror } from '../offlineMirror.ts'
import { openEngine, type EngineState, type SyncEngine } from '../engine.ts'
import { databaseName, openIndexedDbStore, type IndexedDbStore } from '../indexedDbStore.ts'
import { relayAddress } from '../relayAddress.ts'
import type { DeviceAccount, LocalStore } from '../localStore.ts'
import { changeOwnPassword, renewToken, sessionFromAccount, signIn, SignInError, type Session } from '../signIn.ts'
import { deviceName, dropToken, forgetSession, rememberedSession, rememberLastSignIn, rememberSession, sessionMaxSeconds, tokenKeeper } from './remembered-session.ts'

export interface Credentials {
  readonly relay: string
  readonly username: string
  readonly password: string
}

/** What the status bar shows: this tab's engine, or for a follower tab the writer tab's as it reports it. */
export interface WorkspaceStatus {
  readonly state: EngineState
  peers(region: string): Presence[]
  /** Calls `onChange` after any change of `state` or the peers; returns the unsubscribe. */
  follow(onChange: () => void): () => void
}

export interface Workspace {
  readonly session: Session
  readonly engine: SyncEngine
  /** The device's mirror: its `mirror` is what screens query; it fetches the months not open. */
  readonly offline: OfflineMirror
  readonly mirror: Mirror
  /** The public holidays counted: the relay's list (head office's decisions), saved on the device. */
  readonly holidays: HolidayCalendar
  /**
   * writer: this tab keeps the offline copy and syncs it; follower: another tab of this browser
   * does, and this one shows its data read-only (client/ui/tab-workspace.ts).
   */
  readonly role: 'writer' | 'follower'
  readonly status: WorkspaceStatus
  /** False when the relay could not be reached and the device account unlocked the app. */
  readonly signedInOnline: boolean
  /**
   * Whether the browser keeps this site's storage under pressure (navigator.storage.persist):
   * false means unsent edits could be evicted with it, which the user is told; null: not asked.
   */
  readonly storagePersisted: boolean | null
  /** Writes what is pending, and the mirror, to the browser store (Electron asks before quitting). */
  flush(): Promise<void>
  /**
   * Changes the signed-in user's own password (throws PasswordChangeError). The session goes on
   * with the relay's fresh token and the new password; the device's offline unlock follows.
   */
  changePassword(current: string, next: string): Promise<void>
  /** Signing out: the remembered session (marker and token) is forgotten, then the workspace closes. */
  signOut(): Promise<void>
  close(): Promise<void>
}

/**
 * Asks the browser to keep this site's storage when space runs short: best-effort storage may be
 * evicted, and the offline copy holds edits not yet on the relay. Null where the API is missing.
 */
async function persistStorage(): Promise<boolean | null> {
  const storage = (globalThis.navigator as { storage?: { persisted?(): Promise<boolean>; persist?(): Promise<boolean> } } | undefined)?.storage
  if (storage?.persist === undefined) return null
  try {
    return (await storage.persisted?.()) === true || (await storage.persist())
  } catch {
    return false
  }
}

/** This PC as the other PCs of a region see it in their status bar. */
export interface Presence {
  readonly device: string
  readonly user: string
  readonly region: string | null
  /**
   * The Yjs client ids this PC writes its documents with (one per open month): how another PC
   * names the PC behind a conflict in any month, not only in the master document.
   */
  readonly clients?: readonly number[]
}

/**
 * Whether the relay answers at all (any HTTP answer counts): a renewal with no valid token, which
 * the relay refuses with 401 without touching anything. The service worker never answers POSTs.
 */
export async function relayReachable(relay: string): Promise<boolean> {
  if (globalThis.navigator?.onLine === false) return false
  try {
    await renewToken(relayAddress(relay), 'probe', undefined, 5_000)
    return true
  } catch (error) {
    return !(error instanceof SignInError && error.code === 'unreachable')
  }
}

/** sql.js's wasm next to the page: `/sql-wasm.wasm` from the relay, `./sql-wasm.wasm` under file://. */
export function locateFile(file: string): string {
  return new URL(file, document.baseURI).href
}

/** The relay that served this page, when it was served by one (not Electron's file://). */
export function servingRelay(): string {
  return location.protocol === 'http:' || location.protocol === 'https:' ? location.origin : ''
}

export interface OpenOptions {
  /** The store the engine writes through, made from the device's (a writer tab shares what it commits). */
  readonly engineStore?: (store: IndexedDbStore) => LocalStore
}

export async function openWorkspace(credentials: Credentials, options: OpenOptions & { remember?: boolean } = {}): Promise<Workspace> {
  const relay = relayAddress(credentials.relay)
  const store: IndexedDbStore = await openIndexedDbStore(databaseName(relay.http))
  try {
    const remember = options.remember === true && sessionMaxSeconds() > 0
    const { session, online } = await signIn({ ...credentials, relay: relay.http, store, rememberToken: remember, ...(remember ? { onToken: tokenKeeper(store) } : {}) })
    if (remember && online) rememberSession(relay.http, credentials.username)
    else if (remember) await dropToken(store)
    return await workspaceFor(session, online, store, relay.http, credentials.username, options.engineStore?.(store))
  } catch (error) {
    await store.close().catch(() => undefined)
    throw error
  }
}

/**
 * Opens the remembered session without a password: the device account's token is renewed at the
 * relay. Resolves undefined when nothing is remembered or the relay refuses the token (it is then
 * forgotten); throws SignInError `unreachable` when the relay cannot be reached.
 */
export async function resumeWorkspace(options: OpenOptions = {}): Promise<Workspace | undefined> {
  const remembered = rememberedSession()
  if (remembered === undefined) return undefined
  const relay = relayAddress(remembered.relay)
  const store: IndexedDbStore = await openIndexedDbStore(databaseName(relay.http))
  try {
    const account: DeviceAccount | undefined = await store.readAccount()
    if (account?.token === undefined || account.user.username !== remembered.username || relayAddress(account.relay).http !== relay.http) {
      forgetSession()
      await store.close()
      return undefined
    }
    let result
    try {
      result = await renewToken(relay, account.token)
    } catch (error) {
      if (error instanceof SignInError && error.code !== 'unreachable') {
        forgetSession()
        await dropToken(store)
      }
      throw error
    }
    if (result === undefined) {
      forgetSession()
      await dropToken(store)
      await store.close()
      return undefined
    }
    const renewed: DeviceAccount = { ...account, user: result.user, regions: result.regions, token: result.token, expiresAt: result.expiresAt }
    await store.writeAccount(renewed)
    const session = sessionFromAccount(renewed, null, { onToken: tokenKeeper(store) })
    return await workspaceFor(session, true, store, relay.http, remembered.username, options.engineStore?.(store))
  } catch (error) {
    await store.close().catch(() => undefined)
    throw error
  }
}

/** A writer's workspace: the engine over `engineStore` (the device's store unless given), the mirror, the presence. */
export async function workspaceFor(
  session: Session,
  online: boolean,
  store: IndexedDbStore,
  relay: string,
  username: string,
  engineStore: LocalStore = store,
): Promise<Workspace> {
  let engine: SyncEngine | undefined
  // The saved mirror is read while the documents load: neither waits for the other.
  const opening = openOfflineMirror({ store, session, locateFile })
  try {
    engine = await openEngine({ session, store: engineStore })
    const offline = await opening
    const holidays = await HolidayCalendar.open(store)
    offline.follow(engine)
    const opened = engine
    const announce = (): void => {
      const clients = opened.documents().map((name) => opened.doc(name).clientID)
      const presence: Presence = { device: deviceName(), user: session.user.username, region: session.user.region, clients }
      for (const region of opened.regions) opened.awareness(region).setLocalStateField('presence', presence)
    }
    // Announced again whenever a month opens or a doc is rebuilt (client/recovery.ts): a new
    // client id, or a master document's new connection.
    followDocuments(engine, announce, announce)
    rememberLastSignIn(relay, username)
    const close = async (): Promise<void> => {
      // The engine first: its documents' last rows are kept in the mirror that is then saved.
      await opened.close()
      await offline.close()
      await store.close()
    }
    return {
      session,
      engine: opened,
      offline,
      mirror: offline.mirror,
      holidays,
      role: 'writer',
      status: engineStatus(opened),
      signedInOnline: online,
      storagePersisted: await persistStorage(),
      async flush() {
        await opened.flush()
        // Before quitting: the mirror too, so the next start reads it instead of every record again.
        await offline.save().catch(() => undefined)
      },
      changePassword: (current, next) => changeOwnPassword(session, current, next, store),
      async signOut() {
        forgetSession()
        await opened.flush().catch(() => undefined)
        await dropToken(store).catch(() => undefined)
        await close()
      },
      close,
    }
  } catch (error) {
    await engine?.close().catch(() => undefined)
    await (await opening.catch(() => undefined))?.close().catch(() => undefined)
    throw error
  }
}

function engineStatus(engine: SyncEngine): WorkspaceStatus {
  return {
    get state() {
      return engine.state
    },
    peers: (region) => peersOf(engine, region),
    follow(onChange) {
      engine.on('state', onChange)
      const stopAwareness = followAwareness(engine, onChange)
      return () => {
        engine.off('state', onChange)
        stopAwareness()
      }
    },
  }
}

/**
 * Runs `write` once record `id`'s month is open in the engine: a record shown from held rows (a
 * month this device did not have open) is edited in its document, which opens on demand.
 */
export async function editRecord(ws: Workspace, table: TableName, id: string, region: string, write: () => void): Promise<void> {
  await ws.offline.openForEdit(table, id, region)
  write()
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
  const onReset = (name: string): void => {
    // Presence is the master document's: a rebuilt month has nothing to follow.
    if (!engine.regions.includes(name)) return
    follow(name)
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
