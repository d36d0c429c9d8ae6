/**
 * One document's rendering from the relay (`GET /api/renderings/<region>[/<YYYY-MM>]`,
 * relay/PROTOCOL.md): its records as mirror rows, for a month this device does not have open.
 * The held version goes along as `If-None-Match`, so an unchanged document costs a 304. The bytes
 * are checked by decodeRendering before anyone sees them: hostile or damaged ones are refused.
 */
import { decodeRendering, RenderingError, type Rendering } from '../crdt/rendering.ts'
import { BilingualError, bilingualOf, type Bilingual } from '../schema/bilingual.ts'
import type { Session } from './signIn.ts'

/** A document's rendering could not be fetched or was refused; nothing held changed. */
export class RenderingFetchError extends BilingualError {
  constructor(
    readonly document: string,
    detail: Bilingual,
  ) {
    super({ tr: `${document} sunucudan alınamadı: ${detail.tr}`, en: `Could not fetch ${document} from the relay: ${detail.en}` })
    this.name = 'RenderingFetchError'
  }
}

export type FetchedRendering =
  | { readonly status: 'unchanged' }
  | { readonly status: 'fetched'; readonly version: string; readonly rendering: Rendering }

/** Why a request to the relay failed, in both languages: a timeout, the mirror closing, the network. */
export function requestFailure(error: unknown): Bilingual {
  if (error instanceof Error && error.name === 'TimeoutError') return { tr: 'sunucu zamanında yanıt vermedi', en: 'the relay did not answer in time' }
  if (error instanceof Error && error.name === 'AbortError') return { tr: 'istek durduruldu', en: 'the request was stopped' }
  if (error instanceof Error) return bilingualOf(error) ?? { tr: error.message, en: error.message }
  return { tr: String(error), en: String(error) }
}

/** The relay's bilingual error body, or the status when it has none. */
async function refusal(response: Response): Promise<Bilingual> {
  try {
    const body = (await response.json()) as { tr?: unknown; en?: unknown }
    if (typeof body.tr === 'string' && typeof body.en === 'string') return { tr: body.tr, en: body.en }
  } catch {
    // Not the relay's JSON: the status says enough.
  }
  return { tr: `HTTP ${response.status}`, en: `HTTP ${response.status}` }
}

/** `signal` ends the request (a timeout, the mirror closing): a stalled network must not hold a pass forever. */
export async function fetchRendering(session: Session, name: string, heldVersion: string | null, signal: AbortSignal): Promise<FetchedRendering> {
  const request = (token: string): Promise<Response> =>
    fetch(`${session.relay.http}/api/renderings/${name}`, {
      headers: { authorization: `Bearer ${token}`, ...(heldVersion !== null ? { 'if-none-match': `"${heldVersion}"` } : {}) },
      signal,
    })
  let response: Response
  try {
    const token = session.token()
    if (token === null) throw new RenderingFetchError(name, { tr: 'oturum yok', en: 'no session' })
    response = await request(token)
    // An expired token is renewed once, as the documents' connections do.
    if (response.status === 401) {
      await response.body?.cancel()
      response = await request(await session.renew())
    }
  } catch (error) {
    if (error instanceof RenderingFetchError) throw error
    throw new RenderingFetchError(name, requestFailure(error))
  }
  if (response.status === 304) return { status: 'unchanged' }
  if (!response.ok) throw new RenderingFetchError(name, await refusal(response))
  const version = response.headers.get('x-rainstaff-version') ?? response.headers.get('etag')?.replace(/^(W\/)?"|"$/g, '') ?? null
  if (version === null || version === '') throw new RenderingFetchError(name, { tr: 'sürüm başlığı yok', en: 'no version header' })
  let bytes: Uint8Array
  try {
    bytes = new Uint8Array(await response.arrayBuffer())
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    throw new RenderingFetchError(name, { tr: detail, en: detail })
  }
  try {
    return { status: 'fetched', version, rendering: decodeRendering(bytes, name) }
  } catch (error) {
    if (error instanceof RenderingError) throw new RenderingFetchError(name, bilingualOf(error) ?? { tr: error.message, en: error.message })
    throw error
  }
}
