/**
 * Tabs of one browser sharing one offline copy. A Web Lock decides which tab writes IndexedDB
 * (the writer); a BroadcastChannel carries what the other tabs (followers) need to show the same
 * data. Both are named after the IndexedDB database prefix (indexedDbStore.ts `databaseName`), so
 * the tabs of one relay meet and those of two relays never do.
 *
 * The browser releases a lock when its tab closes or crashes, so a follower queued for it takes
 * over whatever happened to the writer; nothing here depends on a tab saying goodbye.
 */
import type { EngineState } from './engineState.ts'

/** A PC of the region as the writer tab's awareness lists it (the status bar's peers). */
export interface PeerPresence {
  readonly device: string
  readonly user: string
  readonly region: string | null
}

/** What a follower tab shows in its status bar: the writer tab's engine state and peers. */
export interface WriterStatus {
  readonly state: EngineState
  readonly peers: Readonly<Record<string, readonly PeerPresence[]>>
}

export interface WantedDocument {
  readonly name: string
  /** What the follower holds of it (Y.encodeStateVector): the writer answers the rest. */
  readonly stateVector: Uint8Array
}

export type TabMessage =
  /** A tab that found the lock taken asks who writes. */
  | { readonly type: 'hello'; readonly from: string }
  /** The writer, ready: its user, so a tab of another user does not follow it. */
  | { readonly type: 'writer'; readonly from: string; readonly username: string }
  | { readonly type: 'want'; readonly from: string; readonly documents: readonly WantedDocument[] }
  /** Content the writer has stored (for one tab when `to` is set, else for all). */
  | { readonly type: 'update'; readonly from: string; readonly name: string; readonly update: Uint8Array; readonly to?: string }
  /** The writer rebuilt a document (client/recovery.ts): followers drop their copy of it. */
  | { readonly type: 'reset'; readonly from: string; readonly name: string }
  | { readonly type: 'state'; readonly from: string; readonly status: WriterStatus }
  /** Tab `from` wants to write: the writer stores everything and lets the lock go to it. */
  | { readonly type: 'take-over'; readonly from: string }
  /** The account signed out in tab `from`: every tab of it does. */
  | { readonly type: 'sign-out'; readonly from: string }

export type TabMessageType = TabMessage['type']

export interface HeldLock {
  /** Lets the lock go to the next tab waiting for it. */
  release(): void
}

type Fields = Record<string, unknown>

const isString = (v: unknown): v is string => typeof v === 'string'
const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array

/** A message as sent, or undefined for anything else (another version of the app, a bug). */
export function parseTabMessage(data: unknown): TabMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined
  const m = data as Fields
  if (!isString(m.from)) return undefined
  switch (m.type) {
    case 'hello':
    case 'take-over':
    case 'sign-out':
      return { type: m.type, from: m.from }
    case 'writer':
      return isString(m.username) ? { type: 'writer', from: m.from, username: m.username } : undefined
    case 'want': {
      if (!Array.isArray(m.documents)) return undefined
      const documents = (m.documents as unknown[]).filter((d): d is WantedDocument => isString((d as Fields)?.name) && isBytes((d as Fields)?.stateVector))
      return documents.length === m.documents.length ? { type: 'want', from: m.from, documents } : undefined
    }
    case 'update':
      if (!isString(m.name) || !isBytes(m.update) || !(m.to === undefined || isString(m.to))) return undefined
      return { type: 'update', from: m.from, name: m.name, update: m.update, ...(m.to === undefined ? {} : { to: m.to }) }
    case 'reset':
      return isString(m.name) ? { type: 'reset', from: m.from, name: m.name } : undefined
    case 'state': {
      const status = m.status as Fields | undefined
      const state = status?.state as Fields | undefined
      if (typeof state?.connection !== 'string' || typeof state.pendingChanges !== 'number' || typeof status?.peers !== 'object' || status.peers === null) return undefined
      return { type: 'state', from: m.from, status: status as unknown as WriterStatus }
    }
    default:
      return undefined
  }
}

/** Distributes a message over Omit for each member of the union. */
type Unsent<M> = M extends { readonly from: string } ? Omit<M, 'from'> : never

export class TabLink {
  /** This tab's id in messages. */
  readonly tab: string = crypto.randomUUID()
  private readonly channel: BroadcastChannel
  private readonly listeners = new Set<(message: TabMessage) => void>()
  private readonly lockName: string

  /** Whether this browser has Web Locks and BroadcastChannel (Web Locks need a secure context). */
  static available(): boolean {
    return globalThis.navigator?.locks !== undefined && typeof BroadcastChannel === 'function'
  }

  constructor(prefix: string) {
    this.lockName = `${prefix}/writer`
    this.channel = new BroadcastChannel(`${prefix}/tabs`)
    this.channel.onmessage = (event: MessageEvent) => {
      const message = parseTabMessage(event.data)
      if (message === undefined) {
        console.warn('rainstaff: a message from another tab was not understood and is ignored')
        return
      }
      for (const listener of [...this.listeners]) listener(message)
    }
  }

  /** The writer's lock if no tab holds it now; undefined when one does. */
  tryLock(): Promise<HeldLock | undefined> {
    return this.request({ ifAvailable: true })
  }

  /**
   * The writer's lock once every tab queued before this one has had it; undefined when `signal`
   * aborts first. Queued from now on, so a writer that closes or crashes hands the lock on.
   */
  waitLock(signal: AbortSignal): Promise<HeldLock | undefined> {
    return this.request({ signal }).catch((error: unknown) => {
      if (signal.aborted) return undefined
      throw error
    })
  }

  post(message: Unsent<TabMessage>): void {
    this.channel.postMessage({ ...message, from: this.tab })
  }

  /** Every message from the other tabs (a tab does not hear its own); returns the unsubscribe. */
  on(listener: (message: TabMessage) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  close(): void {
    this.listeners.clear()
    this.channel.close()
  }

  private request(options: LockOptions): Promise<HeldLock | undefined> {
    return new Promise<HeldLock | undefined>((resolve, reject) => {
      navigator.locks
        .request(this.lockName, { mode: 'exclusive', ...options }, (lock) => {
          if (lock === null) {
            resolve(undefined)
            return undefined
          }
          // Held until released: the lock lasts as long as this promise is pending.
          return new Promise<void>((release) => resolve({ release: () => release() }))
        })
        .catch(reject)
    })
  }
}
