/**
 * The relay's address as a user types it (`https://rainstaff.onrender.com`) and the addresses
 * derived from it. One place, so the CLI, the app and the tests agree on where `/api/login` and
 * `/sync` live, and so a typo fails before anything touches the network.
 */
import { BilingualError } from '../schema/bilingual.ts'

/** An address the client cannot use; the message is bilingual. */
export class RelayAddressError extends BilingualError {
  constructor(given: string) {
    super({
      tr: `Geçersiz sunucu adresi: ${JSON.stringify(given)} (http:// veya https:// ile başlamalı)`,
      en: `Invalid relay address: ${JSON.stringify(given)} (must start with http:// or https://)`,
    })
    this.name = 'RelayAddressError'
  }
}

export interface RelayAddress {
  /** Normalized http(s) origin plus base path, without a trailing slash. */
  readonly http: string
  /** `serverUrl` for y-websocket: the room (region slug) is appended to it. */
  readonly sync: string
  readonly login: string
  /** `POST` with `Authorization: Bearer <token>`: a fresh token for a still-valid one. */
  readonly renew: string
}

export function relayAddress(given: string): RelayAddress {
  let url: URL
  try {
    url = new URL(given.trim())
  } catch {
    throw new RelayAddressError(given)
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') throw new RelayAddressError(given)
  // Credentials, queries and fragments have no meaning here and would leak into logs.
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') throw new RelayAddressError(given)
  const base = url.pathname.replace(/\/+$/, '')
  const http = `${url.protocol}//${url.host}${base}`
  const ws = `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}${base}`
  return { http, sync: `${ws}/sync`, login: `${http}/api/login`, renew: `${http}/api/renew` }
}
