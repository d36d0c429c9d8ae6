/**
 * Who is connecting, to which region, with what rights. The token arrives as an offered
 * WebSocket subprotocol (never in the URL). The account row is re-read on every connection and
 * must still be the account and generation the token was issued for, so rights always come from
 * the store; open connections are held to the same rule by the relay's session check (server.ts).
 */
import type { IncomingMessage } from 'node:http'
import type { Region } from '../schema/regions.ts'
import { CLOSE, TOKEN_SUBPROTOCOL_PREFIX } from '../crdt/protocol.ts'
import type { Store } from './store.ts'
import { tokenAccount, verifyToken } from './tokens.ts'
import type { User } from './users.ts'

export const SYNC_PATH = '/sync/'

export type Admission =
  | {
      readonly ok: true
      readonly user: User
      readonly region: Region
      readonly writable: boolean
      /** The token's expiry: the connection ends then (4401) unless it ended before. */
      readonly expiresAt: number
    }
  | { readonly ok: false; readonly code: number; readonly detail: string }

export interface AdmissionContext {
  readonly store: Store
  readonly secret: Buffer
  readonly regions: readonly Region[]
  readonly now: number
}

/** The token offered in `Sec-WebSocket-Protocol`, if any. */
export function offeredToken(request: IncomingMessage): string | undefined {
  const header = request.headers['sec-websocket-protocol']
  if (typeof header !== 'string') return undefined
  for (const part of header.split(',')) {
    const name = part.trim()
    if (name.startsWith(TOKEN_SUBPROTOCOL_PREFIX)) return name.slice(TOKEN_SUBPROTOCOL_PREFIX.length)
  }
  return undefined
}

/** The region slug of a `/sync/<region>` path (query ignored), or undefined for another path. */
export function syncRegion(url: string | undefined): string | undefined {
  const pathname = (url ?? '').split('?')[0] ?? ''
  if (!pathname.startsWith(SYNC_PATH)) return undefined
  try {
    return decodeURIComponent(pathname.slice(SYNC_PATH.length))
  } catch {
    return ''
  }
}

/** Editors write their own region; everyone else (including the admin) only reads. */
export function canWrite(user: User, region: string): boolean {
  return user.role === 'editor' && user.region === region
}

export function admit(request: IncomingMessage, ctx: AdmissionContext): Admission {
  const token = offeredToken(request)
  if (token === undefined) return { ok: false, code: CLOSE.unauthenticated, detail: 'no token' }
  const check = verifyToken(ctx.secret, token, ctx.now)
  if (!check.ok) return { ok: false, code: CLOSE.unauthenticated, detail: `token ${check.reason}` }
  const account = tokenAccount(ctx.store, check.claims)
  if (!account.ok) {
    // A changed account logs in again (and may get other rights); a disabled or deleted one stops.
    const code = account.reason === 'revoked' ? CLOSE.unauthenticated : CLOSE.forbidden
    return { ok: false, code, detail: `user ${check.claims.username} ${account.reason}` }
  }
  const { user } = account
  const slug = syncRegion(request.url) ?? ''
  const region = ctx.regions.find((r) => r.slug === slug)
  if (!region) return { ok: false, code: CLOSE.unknownRegion, detail: 'unknown region' }
  return { ok: true, user, region, writable: canWrite(user, region.slug), expiresAt: check.claims.exp }
}
