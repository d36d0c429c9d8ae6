/**
 * What this PC remembers of sign-ins, in local storage: the last relay and user (to fill the
 * form), the session kept across reloads for a working day, and the PC's name the others see.
 * The token itself is in the device account (client/localStore.ts), dropped with the session.
 */
import type { IndexedDbStore } from '../indexedDbStore.ts'

const LAST_SIGN_IN = 'rainstaff.lastSignIn'
const DEVICE = 'rainstaff.device'
const REMEMBERED = 'rainstaff.session'
const MAX_AGE = 'rainstaff.sessionMaxSeconds'

/**
 * How long a sign-in is remembered across reloads: one working day. The relay's
 * `--session-max-seconds` (default 12 h) bounds renewals anyway, so this stays below it. A PC can
 * be given another value in local storage (`rainstaff.sessionMaxSeconds`, 0 = never remember) or
 * the page in `<meta name="rainstaff-session-max-seconds">`.
 */
export const DEFAULT_SESSION_MAX_SECONDS = 10 * 60 * 60

export function sessionMaxSeconds(): number {
  const read = (value: string | null | undefined): number | undefined => {
    if (value === null || value === undefined || value.trim() === '') return undefined
    const n = Number(value)
    return Number.isFinite(n) && n >= 0 ? n : undefined
  }
  let stored: string | null = null
  try {
    stored = localStorage.getItem(MAX_AGE)
  } catch {
    // No storage: the page's value or the default.
  }
  const meta = globalThis.document?.querySelector<HTMLMetaElement>('meta[name="rainstaff-session-max-seconds"]')?.content
  return read(stored) ?? read(meta) ?? DEFAULT_SESSION_MAX_SECONDS
}

/** A sign-in this PC remembers: whose, on which relay, until when (ms since the epoch). The token itself is in the device account. */
export interface RememberedSession {
  readonly relay: string
  readonly username: string
  readonly until: number
}

export function rememberedSession(now = Date.now()): RememberedSession | undefined {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(REMEMBERED) ?? 'null')
    if (typeof value !== 'object' || value === null) return undefined
    const v = value as Record<string, unknown>
    if (typeof v.relay !== 'string' || typeof v.username !== 'string' || typeof v.until !== 'number') return undefined
    if (v.until <= now) {
      localStorage.removeItem(REMEMBERED)
      return undefined
    }
    return { relay: v.relay, username: v.username, until: v.until }
  } catch {
    return undefined
  }
}

export function rememberSession(relay: string, username: string): void {
  const seconds = sessionMaxSeconds()
  if (seconds <= 0) return
  try {
    localStorage.setItem(REMEMBERED, JSON.stringify({ relay, username, until: Date.now() + seconds * 1000 }))
  } catch {
    // Without storage every reload asks for the password, as before.
  }
}

export function forgetSession(): void {
  try {
    localStorage.removeItem(REMEMBERED)
  } catch {
    // Nothing was remembered then.
  }
}

export async function dropToken(store: IndexedDbStore): Promise<void> {
  const account = await store.readAccount()
  if (account === undefined || account.token === undefined) return
  const { token: _token, expiresAt: _expiresAt, ...rest } = account
  await store.writeAccount(rest)
}

/** Keeps every renewed token in the device account while the session is remembered. */
export function tokenKeeper(store: IndexedDbStore): (token: string, expiresAt: number) => Promise<void> {
  return async (token, expiresAt) => {
    if (rememberedSession() === undefined) return
    const account = await store.readAccount()
    if (account !== undefined) await store.writeAccount({ ...account, token, expiresAt })
  }
}

/** Called on every sign-in: the form is filled with it next time. */
export function rememberLastSignIn(relay: string, username: string): void {
  try {
    localStorage.setItem(LAST_SIGN_IN, JSON.stringify({ relay, username }))
  } catch {
    // Only a convenience for the next sign-in.
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

/** This PC's name in the other PCs' status bars, made once. */
export function deviceName(): string {
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
