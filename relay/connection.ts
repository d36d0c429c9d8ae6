/**
 * One admitted WebSocket: speaks y-protocols sync and awareness with the client, checks every
 * message against the connection's budget and rights, and answers with durable acknowledgements.
 * A bad message closes this connection only; the doc and everyone else carry on.
 *
 * The session side: the connection ends (4401) when its token expires, is kept alive for clients
 * that drop a silent relay (stock y-websocket, after 30 s), and is cut when the peer goes silent.
 */
import type { Duplex } from 'node:stream'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import type { WebSocket } from 'ws'
import type { Hooks } from './extension.ts'
import { MalformedUpdateError, UpdateRefusedError, type LiveDoc, type Peer } from './liveDoc.ts'
import { createBucket, take, type Bucket } from './limits.ts'
import type { ResolvedOptions } from './options.ts'
import {
  CLOSE,
  CLOSE_REASON,
  MESSAGE_AWARENESS,
  MESSAGE_QUERY_AWARENESS,
  MESSAGE_SYNC,
  READ_ONLY_REFUSAL,
  awarenessMessage,
  durableMessage,
  KEEPALIVE_MESSAGE,
  syncStep1Message,
  syncStep2Message,
  writeRefusedMessage,
  type CloseCode,
} from '../crdt/protocol.ts'
import type { DeviceClaim } from './tokens.ts'
import type { User } from './users.ts'

export interface ConnectionContext {
  readonly options: ResolvedOptions
  readonly hooks: Hooks
}

/** Closes with a relay code and its bilingual reason, once. */
export function closeWith(socket: WebSocket, hooks: Hooks, code: CloseCode): void {
  if (socket.readyState !== socket.OPEN && socket.readyState !== socket.CONNECTING) return
  hooks.onClose({ code })
  socket.close(code, CLOSE_REASON[code])
}

class ProtocolError extends Error {}

/** Messages of budget a refused update uses up. */
const REFUSAL_COST = 10

/** What the handshake learned beyond the user: the token's expiry and the socket below. */
export interface ConnectionSession {
  /** The token's expiry, ms since the epoch. */
  readonly expiresAt: number
  /** The PC the session's login named, if any. */
  readonly device: DeviceClaim | null
  /** The TCP socket under the WebSocket: bytes arriving on it show the peer is alive. */
  readonly transport?: Duplex
}

/** Longest single setTimeout delay; a later expiry is re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1

export class Connection implements Peer {
  readonly username: string
  private readonly messages: Bucket
  private readonly bytes: Bucket
  /** Write messages accepted from this client; acknowledged once on disk. */
  writesAccepted = 0
  /** `writesAccepted` as of the last acknowledgement sent. */
  private writesAcknowledged = -1
  private initialSyncDone = false
  private closed = false
  private lastSentAt: number
  private lastHeardAt: number
  private lastBuffered = 0
  private expiryTimer: NodeJS.Timeout | null = null
  /** Presence client ids this connection has set or removed (see presenceAllowed). */
  private readonly presenceIds = new Set<number>()
  private readonly heard = (): void => {
    this.lastHeardAt = Date.now()
  }

  constructor(
    private readonly socket: WebSocket,
    readonly user: User,
    private readonly doc: LiveDoc,
    readonly writable: boolean,
    private readonly ctx: ConnectionContext,
    private readonly session: ConnectionSession,
  ) {
    this.username = user.username
    const now = Date.now()
    this.lastSentAt = now
    this.lastHeardAt = now
    this.messages = createBucket(ctx.options.messageRate, now)
    this.bytes = createBucket(ctx.options.byteRate, now)
  }

  get device(): DeviceClaim | null {
    return this.session.device
  }

  /** The document this connection syncs. */
  get documentName(): string {
    return this.doc.name
  }

  /** Attaches to the document and starts talking; the extensions hear of it first (connected). */
  start(): void {
    this.ctx.hooks.connected({ connection: this })
    const { socket, doc } = this
    socket.on('message', (data, isBinary) => this.receive(data, isBinary))
    socket.on('close', () => this.dispose())
    socket.on('error', () => this.dispose())
    socket.on('pong', this.heard)
    // A large frame takes a while on a slow link and its pong waits behind it; its bytes do not.
    this.session.transport?.on('data', this.heard)
    doc.attach(this)
    this.armExpiry()
    // Like the stock y-websocket server: ask the client for what the relay lacks right away.
    this.send(syncStep1Message(doc.doc))
    const states = doc.awareness.getStates()
    if (states.size > 0) this.send(awarenessMessage(doc.awareness, [...states.keys()]))
  }

  deliver(message: Uint8Array): void {
    this.send(message)
  }

  durable(stateVector: Uint8Array, writes: number): void {
    // A connection learns only about its own writes; one with nothing new to hear is skipped, so
    // readers get update messages alone (as many as from a plain y-websocket server).
    if (writes <= this.writesAcknowledged) return
    this.writesAcknowledged = writes
    this.send(durableMessage(stateVector, writes))
  }

  evict(code: number): void {
    this.close(code === CLOSE.shutdown ? CLOSE.shutdown : CLOSE.unavailable)
  }

  /** Ends the session from outside: the account changed. */
  end(code: CloseCode): void {
    this.close(code)
  }

  /** True once closed (by either side); the socket may still be finishing its close handshake. */
  get ended(): boolean {
    return this.closed
  }

  /**
   * Called by the relay every keepaliveMs / 2 or so: cuts a peer silent for peerTimeoutMs, pings
   * one quiet for keepaliveMs, and sends something to one the relay has been silent to, so the
   * client hears from the relay at least every keepaliveMs.
   */
  keepalive(now: number): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return
    const { keepaliveMs, peerTimeoutMs } = this.ctx.options
    const buffered = this.socket.bufferedAmount
    // The buffer drains only as fast as the peer acknowledges: a slow reader, not a dead one.
    if (buffered < this.lastBuffered) this.lastHeardAt = now
    this.lastBuffered = buffered
    if (now - this.lastHeardAt > peerTimeoutMs) {
      // A close handshake needs the peer; a dead one would hold the socket until TCP gives up.
      this.socket.terminate()
      this.dispose(true)
      return
    }
    if (now - this.lastHeardAt >= keepaliveMs) this.socket.ping()
    // Bytes still queued reach the client before long anyway; only an idle one needs this.
    if (buffered === 0 && now - this.lastSentAt >= keepaliveMs / 4) this.send(KEEPALIVE_MESSAGE)
  }

  private close(code: CloseCode): void {
    closeWith(this.socket, this.ctx.hooks, code)
    this.dispose()
  }

  private dispose(timedOut = false): void {
    if (this.closed) return
    this.closed = true
    if (this.expiryTimer) clearTimeout(this.expiryTimer)
    this.expiryTimer = null
    this.session.transport?.off('data', this.heard)
    this.doc.detach(this)
    this.ctx.hooks.onDisconnect({ connection: this, timedOut })
  }

  /** The token's end is the session's end: what it allowed is not extended by staying connected. */
  private armExpiry(): void {
    if (this.closed) return
    const left = this.session.expiresAt - Date.now()
    if (left <= 0) return this.close(CLOSE.unauthenticated)
    this.expiryTimer = setTimeout(() => this.armExpiry(), Math.min(left, MAX_TIMER_MS))
    this.expiryTimer.unref()
  }

  private send(message: Uint8Array): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return
    // Measured before this send so one large message (a big initial sync) always goes out.
    if (this.socket.bufferedAmount > this.ctx.options.maxBufferedBytes) {
      this.close(CLOSE.slowConsumer)
      return
    }
    this.lastSentAt = Date.now()
    this.socket.send(message, { binary: true })
  }

  /**
   * Whether a client's awareness update may be applied: every state in it at most
   * maxPresenceBytes of JSON, and the client ids whose presence it would change, with those this
   * connection changed before, at most maxPresenceClients. Otherwise the whole message is dropped
   * (and the connection kept: a big presence is a bug, not an attack on the doc). Entries that
   * change nothing are not counted: a stock client echoes every state it receives back.
   */
  private presenceAllowed(update: Uint8Array): boolean {
    const { maxPresenceBytes, maxPresenceClients } = this.ctx.options
    const awareness = this.doc.awareness
    const decoder = decoding.createDecoder(update)
    const entries = decoding.readVarUint(decoder)
    const fresh = new Set<number>()
    for (let i = 0; i < entries; i++) {
      const client = decoding.readVarUint(decoder)
      const clock = decoding.readVarUint(decoder)
      // A varString is a varUint8Array of UTF-8: its size is known without decoding it.
      const state = decoding.readVarUint8Array(decoder)
      if (state.byteLength > maxPresenceBytes) return false
      if (this.presenceIds.has(client)) continue
      // y-protocols' own rule for whether an entry changes anything (applyAwarenessUpdate).
      const known = awareness.meta.get(client)?.clock ?? 0
      const changes = known < clock || (known === clock && awareness.states.has(client) && isNullState(state))
      if (!changes) continue
      fresh.add(client)
      if (this.presenceIds.size + fresh.size > maxPresenceClients) return false
    }
    for (const client of fresh) this.presenceIds.add(client)
    return true
  }

  private receive(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    if (this.closed) return
    const bytes = toBytes(data)
    this.ctx.hooks.onMessage({ connection: this, bytes: bytes.byteLength })
    if (bytes.byteLength > this.ctx.options.maxMessageBytes) return this.close(CLOSE.tooBig)
    const now = Date.now()
    if (!take(this.messages, this.ctx.options.messageRate, 1, now) || !take(this.bytes, this.ctx.options.byteRate, bytes.byteLength, now)) {
      return this.close(CLOSE.rateLimited)
    }
    if (!isBinary) return this.close(CLOSE.malformed)
    try {
      this.handle(bytes)
    } catch (error) {
      if (error instanceof ProtocolError || error instanceof MalformedUpdateError || isDecodeError(error)) {
        return this.close(CLOSE.malformed)
      }
      this.ctx.hooks.onUnexpectedError({ connection: this, error })
      return this.close(CLOSE.malformed)
    }
  }

  private handle(bytes: Uint8Array): void {
    const decoder = decoding.createDecoder(bytes)
    const type = decoding.readVarUint(decoder)
    switch (type) {
      case MESSAGE_SYNC:
        return this.handleSync(decoder)
      case MESSAGE_AWARENESS: {
        const update = decoding.readVarUint8Array(decoder)
        if (!this.presenceAllowed(update)) return this.ctx.hooks.onPresenceDropped({ connection: this })
        return this.doc.applyAwareness(update, this)
      }
      case MESSAGE_QUERY_AWARENESS:
        return this.send(awarenessMessage(this.doc.awareness, [...this.doc.awareness.getStates().keys()]))
      default:
        throw new ProtocolError(`message type ${type}`)
    }
  }

  private handleSync(decoder: decoding.Decoder): void {
    const kind = decoding.readVarUint(decoder)
    if (kind === syncProtocol.messageYjsSyncStep1) {
      const stateVector = decoding.readVarUint8Array(decoder)
      // Answer from committed state only: a sync reply is a fan-out too.
      this.doc.whenStored(() => this.replyStep1(stateVector))
      return
    }
    if (kind !== syncProtocol.messageYjsSyncStep2 && kind !== syncProtocol.messageYjsUpdate) {
      throw new ProtocolError(`sync message ${kind}`)
    }
    const update = decoding.readVarUint8Array(decoder)
    if (!this.writable) {
      if (this.doc.contains(update)) return
      this.ctx.hooks.onUpdateRefused({ connection: this, refusal: { code: 'read_only', message: READ_ONLY_REFUSAL } })
      this.send(writeRefusedMessage({ code: 'read_only', message: READ_ONLY_REFUSAL, ranges: [] }))
      return
    }
    let held
    try {
      held = this.ctx.hooks.onHoldUpdate({
        documentName: this.doc.name,
        region: this.doc.region,
        account: this.username,
        device: this.device,
        update,
        doc: this.doc.doc,
        check: (aside) => this.doc.checkAside(aside, update, this),
      })
    } catch (error) {
      if (!(error instanceof UpdateRefusedError)) throw error
      return this.refused(error)
    }
    if (held !== undefined) {
      this.writesAccepted++
      return this.doc.acknowledgeHeld(this, held.stateVector)
    }
    try {
      this.doc.applyUpdate(update, this)
    } catch (error) {
      if (!(error instanceof UpdateRefusedError)) throw error
      return this.refused(error)
    }
    this.writesAccepted++
    this.doc.accepted(this)
  }

  /**
   * The connection stays open: one bad change must not stop a PC's honest ones. A refusal costs
   * more of the message budget than an accepted write (the relay rebuilt its doc for it), so a
   * client that keeps sending refused updates is soon closed for its rate.
   */
  private refused(error: UpdateRefusedError): void {
    this.ctx.hooks.onUpdateRefused({ connection: this, refusal: error.refusal })
    const { code, message } = error.refusal
    this.send(writeRefusedMessage({ code, message, ranges: error.clients }))
    if (!take(this.messages, this.ctx.options.messageRate, REFUSAL_COST, Date.now())) this.close(CLOSE.rateLimited)
  }

  private replyStep1(stateVector: Uint8Array): void {
    if (this.closed) return
    let reply: Uint8Array
    try {
      reply = syncStep2Message(this.doc.doc, stateVector)
    } catch {
      return this.close(CLOSE.malformed)
    }
    this.send(reply)
    if (!this.initialSyncDone) {
      this.initialSyncDone = true
      // The first acknowledgement goes out even when every write was acknowledged already: it is
      // how a client that only reads learns what is on disk.
      this.writesAcknowledged = -1
      this.doc.acknowledgeWhenDurable(this)
    }
  }
}

function isNullState(json: Uint8Array): boolean {
  try {
    return JSON.parse(new TextDecoder().decode(json)) === null
  } catch {
    throw new ProtocolError('awareness state is not JSON')
  }
}

function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data)
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  return data
}

/** lib0 decoders throw plain Errors (or RangeErrors) when a frame ends early or a number overflows. */
function isDecodeError(error: unknown): boolean {
  return error instanceof RangeError || (error instanceof Error && /Unexpected end|Integer out of range|length/i.test(error.message))
}
