/**
 * The wire vocabulary shared by the relay and its clients beyond stock y-protocols: message types,
 * close codes and the subprotocol names, and the builders and readers of the relay's own
 * messages. Both sides import these rather than repeating numbers; relay/PROTOCOL.md is the prose
 * version.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as syncProtocol from 'y-protocols/sync'
import type * as Y from 'yjs'
import { bothLanguages, type Bilingual } from '../schema/bilingual.ts'

/** Stock y-websocket message types, the first varUint of every binary frame. */
export const MESSAGE_SYNC = 0
export const MESSAGE_AWARENESS = 1
export const MESSAGE_AUTH = 2
export const MESSAGE_QUERY_AWARENESS = 3

/**
 * Relay → client: the state vector (Y.encodeStateVector format, as a varUint8Array) of what is on
 * disk, then a varUint counting this connection's sync step 2 / update messages whose effects are
 * on disk. Sent after every commit batch of the doc and once after the initial sync.
 */
export const MESSAGE_DURABLE = 100

/**
 * Relay → client: a write was refused and nothing of it kept. Payload: varString "tr / en" (what
 * clients before the reason codes read), varString code, varString tr, varString en, then varUint
 * n and n × (varUint client, varUint from clock, varUint to clock): what the refused update wrote.
 */
export const MESSAGE_WRITE_REFUSED = 101

/**
 * Relay → client, on a month document: whether the head office has closed it (varUint 0/1), then
 * varUint n and n × (varUint late-edit id, varUint m, m × (varUint client, from, to)): this
 * account's late edits of the month still waiting for a decision. Sent on connecting to a month
 * that is closed or holds late edits, and whenever that changes.
 */
export const MESSAGE_PERIOD_STATE = 102

function message(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder()
  write(encoder)
  return encoding.toUint8Array(encoder)
}

/** Sync step 1: the sender's state vector, asking for what it lacks. */
export function syncStep1Message(doc: Y.Doc): Uint8Array {
  return message((e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC)
    syncProtocol.writeSyncStep1(e, doc)
  })
}

/** Sync step 2: everything `doc` has beyond `stateVector`. Throws for an unreadable state vector. */
export function syncStep2Message(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
  return message((e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC)
    syncProtocol.writeSyncStep2(e, doc, stateVector)
  })
}

/** One Yjs update, as fan-out sends it. */
export function updateMessage(update: Uint8Array): Uint8Array {
  return message((e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC)
    syncProtocol.writeUpdate(e, update)
  })
}

/** The awareness states of `clients`. */
export function awarenessMessage(awareness: awarenessProtocol.Awareness, clients: readonly number[]): Uint8Array {
  return message((e) => {
    encoding.writeVarUint(e, MESSAGE_AWARENESS)
    encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(awareness, [...clients]))
  })
}

/**
 * An awareness update with no entries: a stock y-websocket client applies it as nothing and
 * answers nothing, but counts it as a message heard, which is all a keepalive needs.
 */
export const KEEPALIVE_MESSAGE: Uint8Array = message((e) => {
  encoding.writeVarUint(e, MESSAGE_AWARENESS)
  encoding.writeVarUint8Array(e, Uint8Array.of(0))
})

/** A query for every awareness state; the relay answers at once, so clients use it as a ping. */
export const QUERY_AWARENESS_MESSAGE: Uint8Array = message((e) => encoding.writeVarUint(e, MESSAGE_QUERY_AWARENESS))

export function durableMessage(stateVector: Uint8Array, writes: number): Uint8Array {
  return message((e) => {
    encoding.writeVarUint(e, MESSAGE_DURABLE)
    encoding.writeVarUint8Array(e, stateVector)
    encoding.writeVarUint(e, writes)
  })
}

/** Reads a 100 payload (after the message type). */
export function readDurable(decoder: decoding.Decoder): { stateVector: Uint8Array; writes: number } {
  const stateVector = decoding.readVarUint8Array(decoder)
  return { stateVector, writes: decoding.readVarUint(decoder) }
}

/** The subprotocol the relay selects; the token travels as a second offered subprotocol. */
export const SUBPROTOCOL = 'rainstaff'
export const TOKEN_SUBPROTOCOL_PREFIX = 'rainstaff-token.'

/** The y-websocket `protocols` option that authenticates a connection with `token`. */
export function clientProtocols(token: string): string[] {
  return [SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX + token]
}

/**
 * Close codes. Stock y-websocket (v3) stops reconnecting on 4400–4499 and retries everything else,
 * so deliberate, permanent refusals live in 4400–4499 and "try again later" in 4500–4599.
 */
export const CLOSE = {
  /** Frame is not a well-formed message of this protocol (or an update Yjs cannot read). */
  malformed: 4400,
  /**
   * No token, a bad signature or an expired token, or the account changed (password, role,
   * region) since the token was issued: renew the token or log in again, then reconnect. An open
   * connection gets it when its token expires or the account changes.
   */
  unauthenticated: 4401,
  /** The user is disabled or no longer exists (also on an open connection, within seconds). */
  forbidden: 4403,
  /** The region is not configured on this relay. */
  unknownRegion: 4404,
  /** A message exceeded the relay's maximum message size. */
  tooBig: 4413,
  /** The connection exceeded its message or byte budget. */
  rateLimited: 4429,
  /** The doc could not be stored or loaded just now; reconnect later. */
  unavailable: 4503,
  /** The client did not read fast enough; the relay closed instead of buffering. */
  slowConsumer: 4508,
  /** The account already has the most open connections allowed; this new one is refused. Retry later. */
  tooManyConnections: 4529,
  /** Standard "going away": the relay is shutting down. */
  shutdown: 1001,
} as const

export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE]

/** Bilingual close reasons. A close reason must fit in 123 bytes of UTF-8, so these stay short. */
export const CLOSE_REASON: Record<CloseCode, string> = {
  [CLOSE.malformed]: 'Bozuk mesaj / Malformed message',
  [CLOSE.unauthenticated]: 'Oturum yok veya süresi doldu / Not authenticated or token expired',
  [CLOSE.forbidden]: 'Kullanıcı devre dışı veya silindi / User disabled or deleted',
  [CLOSE.unknownRegion]: 'Bilinmeyen bölge / Unknown region',
  [CLOSE.tooBig]: 'Mesaj çok büyük / Message too big',
  [CLOSE.rateLimited]: 'Çok fazla mesaj / Rate limit exceeded',
  [CLOSE.unavailable]: 'Belge şu an kullanılamıyor / Document unavailable, retry',
  [CLOSE.slowConsumer]: 'Bağlantı çok yavaş / Connection too slow',
  [CLOSE.tooManyConnections]: 'Bu hesabın çok fazla bağlantısı var / Too many connections for this account',
  [CLOSE.shutdown]: 'Sunucu kapanıyor / Relay shutting down',
}

export const READ_ONLY_REFUSAL: Bilingual = {
  tr: 'Bu bölgeye yazma izniniz yok; değişiklik kaydedilmedi',
  en: 'You may not write to this region; the change was not saved',
}

/** What a refused update wrote, per Yjs client id: clocks [from, to). */
export interface RefusedRange {
  readonly client: number
  readonly from: number
  readonly to: number
}

export interface WriteRefused {
  readonly code: string
  readonly message: Bilingual
  readonly ranges: readonly RefusedRange[]
}

export function writeRefusedMessage(refused: WriteRefused): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_WRITE_REFUSED)
  encoding.writeVarString(encoder, bothLanguages(refused.message))
  encoding.writeVarString(encoder, refused.code)
  encoding.writeVarString(encoder, refused.message.tr)
  encoding.writeVarString(encoder, refused.message.en)
  encoding.writeVarUint(encoder, refused.ranges.length)
  for (const r of refused.ranges) {
    encoding.writeVarUint(encoder, r.client)
    encoding.writeVarUint(encoder, r.from)
    encoding.writeVarUint(encoder, r.to)
  }
  return encoding.toUint8Array(encoder)
}

/** Reads a 101 payload (after the message type); a relay without reason codes sends only the text. */
export function readWriteRefused(decoder: decoding.Decoder): WriteRefused {
  const text = decoding.readVarString(decoder)
  if (!decoding.hasContent(decoder)) {
    const [tr = text, en = text] = text.split(' / ')
    return { code: 'read_only', message: { tr, en }, ranges: [] }
  }
  const code = decoding.readVarString(decoder)
  const tr = decoding.readVarString(decoder)
  const en = decoding.readVarString(decoder)
  const n = decoding.readVarUint(decoder)
  const ranges: RefusedRange[] = []
  for (let i = 0; i < n; i++) {
    ranges.push({ client: decoding.readVarUint(decoder), from: decoding.readVarUint(decoder), to: decoding.readVarUint(decoder) })
  }
  return { code, message: { tr, en }, ranges }
}

/** One late edit waiting for the head office: its id and the clocks it wrote. */
export interface WaitingLateEdit {
  readonly id: number
  readonly ranges: readonly RefusedRange[]
}

export interface PeriodStateMessage {
  readonly closed: boolean
  readonly waiting: readonly WaitingLateEdit[]
}

export function periodStateMessage(state: PeriodStateMessage): Uint8Array {
  return message((e) => {
    encoding.writeVarUint(e, MESSAGE_PERIOD_STATE)
    encoding.writeVarUint(e, state.closed ? 1 : 0)
    encoding.writeVarUint(e, state.waiting.length)
    for (const edit of state.waiting) {
      encoding.writeVarUint(e, edit.id)
      encoding.writeVarUint(e, edit.ranges.length)
      for (const r of edit.ranges) {
        encoding.writeVarUint(e, r.client)
        encoding.writeVarUint(e, r.from)
        encoding.writeVarUint(e, r.to)
      }
    }
  })
}

/** Reads a 102 payload (after the message type). */
export function readPeriodState(decoder: decoding.Decoder): PeriodStateMessage {
  const closed = decoding.readVarUint(decoder) === 1
  const n = decoding.readVarUint(decoder)
  const waiting: WaitingLateEdit[] = []
  for (let i = 0; i < n; i++) {
    const id = decoding.readVarUint(decoder)
    const m = decoding.readVarUint(decoder)
    const ranges: RefusedRange[] = []
    for (let j = 0; j < m; j++) ranges.push({ client: decoding.readVarUint(decoder), from: decoding.readVarUint(decoder), to: decoding.readVarUint(decoder) })
    waiting.push({ id, ranges })
  }
  return { closed, waiting }
}
