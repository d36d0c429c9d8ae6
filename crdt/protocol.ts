/**
 * The wire vocabulary shared by the relay and its clients beyond stock y-protocols: message types,
 * close codes and the subprotocol names. Both sides import these rather than repeating numbers;
 * relay/PROTOCOL.md is the prose version.
 */

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

/** Relay → client: a write from a read-only connection was dropped; payload is a varString reason. */
export const MESSAGE_WRITE_REFUSED = 101

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

export const WRITE_REFUSED_REASON =
  'Bu bölgeye yazma izniniz yok; değişiklik kaydedilmedi / You may not write to this region; the change was not saved'
