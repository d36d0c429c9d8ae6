/**
 * The connection of one region doc to the relay: a y-websocket provider whose reconnects this
 * module schedules itself (jittered exponential backoff, capped), plus the relay's own messages —
 * durable acknowledgements (type 100) and refused writes (type 101) — and the close codes that
 * mean "renew the token" (4401: expired on connect or on the open connection, or the account
 * changed) or "stop trying" (other 44xx). Edits made meanwhile stay in the doc and reach the
 * relay in the next connection's sync, once (Yjs applies an update it holds as nothing).
 *
 * y-websocket's own reconnect timer is neutralised by clearing `shouldConnect` on every close:
 * its backoff has no jitter, and it gives up on 4401 where we renew the token instead.
 */
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import type { Awareness } from 'y-protocols/awareness'
import {
  CLOSE,
  clientProtocols,
  MESSAGE_DURABLE,
  MESSAGE_PERIOD_STATE,
  MESSAGE_WRITE_REFUSED,
  QUERY_AWARENESS_MESSAGE,
  readDurable,
  readPeriodState,
  readWriteRefused,
  type PeriodStateMessage,
  type WriteRefused,
} from '../crdt/protocol.ts'
import { RETRYABLE, type RefusalCode } from '../crdt/updateGuard.ts'
import { bothLanguages } from '../schema/bilingual.ts'
import { backoffDelay, type BackoffOptions } from './backoff.ts'
import { SignInError } from './signIn.ts'

/**
 * disconnected: not connected (waiting to retry, or stopped); connecting: a socket or a token
 * renewal is under way; connected: socket open, initial sync running; synced: the relay's state
 * has arrived; failed: the relay refused for good (see the error event).
 */
export type ConnectionStatus = 'disconnected' | 'connecting' | 'connected' | 'synced' | 'failed'

export type SyncProblem =
  | 'unreachable'
  | 'session_expired'
  | 'write_refused'
  | 'forbidden'
  | 'unknown_region'
  | 'rejected'
  | 'too_many_connections'
  | 'late_edit_rejected'

export interface RegionSyncEvents {
  status(status: ConnectionStatus): void
  durable(stateVector: Map<number, number>): void
  problem(code: SyncProblem, message: string, fatal: boolean): void
  /** The relay refused an update and kept nothing of it (message 101). */
  refused?(refused: WriteRefused): void
  /** A month's state: closed by the head office or not, and this account's late edits waiting (message 102). */
  periodState?(state: PeriodStateMessage): void
}

export interface TokenSource {
  token(): string | null
  renew(): Promise<string>
}

export interface RegionSyncOptions {
  /** y-websocket `serverUrl`, e.g. `wss://host/sync`; the region is the room. */
  readonly serverUrl: string
  readonly region: string
  readonly doc: Y.Doc
  readonly auth: TokenSource
  readonly backoff: BackoffOptions
  /** A socket silent (or stuck connecting) this long is dropped and replaced. */
  readonly livenessMs: number
  /** Node needs `ws`; browsers use their own WebSocket. */
  readonly WebSocketPolyfill?: unknown
  readonly events: RegionSyncEvents
}

function unref(timer: unknown): void {
  ;(timer as { unref?: () => void }).unref?.()
}

function message(tr: string, en: string): string {
  return `${tr} / ${en}`
}

export class RegionSync {
  readonly provider: WebsocketProvider
  private status: ConnectionStatus = 'disconnected'
  private wanted = false
  private attempts = 0
  private retryTimer: ReturnType<typeof setTimeout> | null = null
  private readonly watchdog: ReturnType<typeof setInterval>
  private connectingSince = 0
  private tokenInUse: string | null = null
  private opened = false

  constructor(private readonly options: RegionSyncOptions) {
    const provider = new WebsocketProvider(options.serverUrl, options.region, options.doc, {
      connect: false,
      disableBc: true,
      ...(options.WebSocketPolyfill !== undefined ? { WebSocketPolyfill: options.WebSocketPolyfill as typeof WebSocket } : {}),
      shouldReconnect: () => false,
    })
    this.provider = provider
    provider.messageHandlers[MESSAGE_DURABLE] = (_encoder, decoder) => {
      options.events.durable(Y.decodeStateVector(readDurable(decoder).stateVector))
    }
    provider.messageHandlers[MESSAGE_WRITE_REFUSED] = (_encoder, decoder) => {
      const refused = readWriteRefused(decoder)
      // A retryable refusal (what it builds on is on its way in another connection) is sent again
      // by itself: nothing for the user to hear about.
      if (!RETRYABLE.has(refused.code as RefusalCode)) {
        options.events.problem(refused.code === 'late_edit_rejected' ? 'late_edit_rejected' : 'write_refused', bothLanguages(refused.message), false)
      }
      options.events.refused?.(refused)
    }
    provider.messageHandlers[MESSAGE_PERIOD_STATE] = (_encoder, decoder) => {
      options.events.periodState?.(readPeriodState(decoder))
    }
    provider.on('status', ({ status }) => {
      if (status === 'connecting') this.setStatus('connecting')
      else if (status === 'connected') {
        this.opened = true
        this.setStatus('connected')
      }
    })
    provider.on('sync', (synced: boolean) => {
      if (!synced) return
      this.attempts = 0
      this.setStatus('synced')
    })
    provider.on('connection-close', (event) => this.closed(event))
    this.watchdog = setInterval(() => this.check(), Math.max(50, Math.floor(options.livenessMs / 4)))
    unref(this.watchdog)
  }

  get connection(): ConnectionStatus {
    return this.status
  }

  get awareness(): Awareness {
    return this.provider.awareness
  }

  start(): void {
    if (this.wanted) return
    this.wanted = true
    this.attempts = 0
    this.connectNow()
  }

  stop(): void {
    this.wanted = false
    this.clearRetry()
    this.provider.disconnect()
    if (this.status !== 'failed') this.setStatus('disconnected')
  }

  /** Skips the backoff wait (the system reported the network back, or the user asked). */
  retryNow(): void {
    if (!this.wanted || this.status === 'failed') return
    if (this.provider.wsconnected || this.provider.wsconnecting) return
    this.attempts = 0
    this.connectNow()
  }

  destroy(): void {
    this.stop()
    clearInterval(this.watchdog)
    this.provider.destroy()
    this.provider.awareness.destroy()
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.status === status) return
    this.status = status
    this.options.events.status(status)
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer)
    this.retryTimer = null
  }

  private connectNow(): void {
    this.clearRetry()
    if (!this.wanted) return
    const token = this.options.auth.token()
    if (token === null) {
      void this.renewThenConnect()
      return
    }
    this.tokenInUse = token
    this.provider.protocols = clientProtocols(token)
    this.connectingSince = Date.now()
    this.opened = false
    this.provider.connect()
  }

  private scheduleRetry(): void {
    this.clearRetry()
    if (!this.wanted) return
    this.setStatus('disconnected')
    const delay = backoffDelay(this.attempts++, this.options.backoff)
    this.retryTimer = setTimeout(() => this.connectNow(), delay)
    unref(this.retryTimer)
  }

  private fail(code: SyncProblem, text: string): void {
    this.wanted = false
    this.clearRetry()
    this.provider.disconnect()
    this.setStatus('failed')
    this.options.events.problem(code, text, true)
  }

  private async renewThenConnect(): Promise<void> {
    this.setStatus('connecting')
    try {
      await this.options.auth.renew()
    } catch (error) {
      if (error instanceof SignInError && (error.code === 'unreachable' || error.code === 'rate_limited' || error.code === 'relay_error')) {
        this.options.events.problem('unreachable', error.message, false)
        this.scheduleRetry()
        return
      }
      const text = error instanceof Error ? error.message : String(error)
      this.fail('session_expired', text)
      return
    }
    this.connectNow()
  }

  private closed(event: CloseEvent | null): void {
    // Stops y-websocket's own retry timer from firing; ours decides when to come back.
    this.provider.shouldConnect = false
    if (!this.wanted) return
    const code = event?.code
    if (code === CLOSE.unauthenticated) {
      const current = this.options.auth.token()
      this.setStatus('connecting')
      // Renewed already (ahead of the expiry, or by another region): reconnect with it. Not from
      // inside this event: y-websocket reports the close before it lets go of the socket, and a
      // connect() until then does nothing.
      if (current !== null && current !== this.tokenInUse) queueMicrotask(() => this.connectNow())
      else void this.renewThenConnect()
      return
    }
    if (code === CLOSE.forbidden) return this.fail('forbidden', event?.reason || message('Kullanıcı devre dışı', 'User disabled'))
    if (code === CLOSE.unknownRegion) {
      return this.fail('unknown_region', message(`Sunucuda böyle bir bölge yok: ${this.options.region}`, `The relay has no region ${this.options.region}`))
    }
    if (code === CLOSE.malformed || code === CLOSE.tooBig) {
      return this.fail('rejected', `${this.options.region}: ${event?.reason || code}`)
    }
    if (code === CLOSE.tooManyConnections) {
      // Another window or device of this user holds the connections; one may free up.
      this.options.events.problem(
        'too_many_connections',
        event?.reason || message('Bu hesabın çok fazla bağlantısı var', 'Too many connections for this account'),
        false,
      )
      return this.scheduleRetry()
    }
    if (!this.opened) {
      this.options.events.problem('unreachable', message(`Sunucuya ulaşılamıyor (${this.options.region})`, `Cannot reach the relay (${this.options.region})`), false)
    }
    this.scheduleRetry()
  }

  /** Drops sockets that stopped talking: a stalled network does not always close them. */
  private check(): void {
    const provider = this.provider
    const now = Date.now()
    const limit = this.options.livenessMs
    if (provider.wsconnecting && !provider.wsconnected && now - this.connectingSince > limit) return this.drop()
    if (!provider.wsconnected) return
    const silent = now - provider.wsLastMessageReceived
    if (silent > limit) return this.drop()
    if (silent > limit / 2) {
      // The relay answers a query for awareness at once: a cheap ping.
      const ws = provider.ws
      if (ws !== null && ws.readyState === ws.OPEN) ws.send(QUERY_AWARENESS_MESSAGE)
    }
  }

  private drop(): void {
    const ws = this.provider.ws
    // disconnect() detaches the socket at once and reports the close (null event) to closed().
    this.provider.disconnect()
    ;(ws as { terminate?: () => void } | null)?.terminate?.()
  }
}
