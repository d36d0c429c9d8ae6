/**
 * Authentication as an extension: who is connecting, to which document, with what rights. The
 * token arrives as an offered WebSocket subprotocol (never in the URL). The account row is
 * re-read on every connection and must still be the account and generation the token was issued
 * for, so rights always come from the store; open connections are held to the same rule by the
 * session check (relay/sessions.ts).
 */
import type { IncomingMessage } from 'node:http'
import type { Region } from '../schema/regions.ts'
import { CLOSE, TOKEN_SUBPROTOCOL_PREFIX } from '../crdt/protocol.ts'
import { documentRegion } from './documentName.ts'
import type { Admission, Extension } from './extension.ts'
import type { Store } from './store.ts'
import { tokenAccount, verifyToken } from './tokens.ts'
import type { User } from './users.ts'

export const SYNC_PATH = '/sync/'

export interface AdmissionContext {
  readonly store: Store
  readonly secret: Buffer
  readonly regions: readonly Region[]
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

/** The document name of a `/sync/<name>` path (query ignored), or undefined for another path. */
export function syncDocument(url: string | undefined): string | undefined {
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

function admit(request: IncomingMessage, documentName: string, now: number, ctx: AdmissionContext): Admission {
  const token = offeredToken(request)
  if (token === undefined) return { ok: false, code: CLOSE.unauthenticated, detail: 'no token' }
  const check = verifyToken(ctx.secret, token, now)
  if (!check.ok) return { ok: false, code: CLOSE.unauthenticated, detail: `token ${check.reason}` }
  const account = tokenAccount(ctx.store, check.claims)
  if (!account.ok) {
    // A changed account logs in again (and may get other rights); a disabled or deleted one stops.
    const code = account.reason === 'revoked' ? CLOSE.unauthenticated : CLOSE.forbidden
    return { ok: false, code, detail: `user ${check.claims.username} ${account.reason}` }
  }
  const { user } = account
  const region = documentRegion(documentName, ctx.regions)
  if (!region) return { ok: false, code: CLOSE.unknownRegion, detail: 'unknown region' }
  return { ok: true, user, region, writable: canWrite(user, region.slug), expiresAt: check.claims.exp, device: check.claims.dev ?? null }
}

export function authExtension(ctx: AdmissionContext): Extension {
  return {
    onAuthenticate: ({ request, documentName, now }) => admit(request, documentName, now, ctx),
  }
}
