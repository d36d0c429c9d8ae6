/**
 * One call to the relay's HTTP API with the session's bearer token: a token refused as stale is
 * renewed once and the call retried, and a refusal comes back as a RelayApiError carrying the
 * relay's stable code and its words in both languages. For the screens and commands that speak
 * to `/api/*` (accounts, months, late edits).
 */
import { BilingualError, type Bilingual } from '../schema/bilingual.ts'
import type { Session } from './signIn.ts'

export class RelayApiError extends BilingualError {
  constructor(
    /** HTTP status; 0 when the relay could not be reached. */
    readonly status: number,
    readonly code: string,
    text: Bilingual,
  ) {
    super(text)
    this.name = 'RelayApiError'
  }
}

export interface ApiRequest {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** A JSON body, or raw bytes (sent as application/octet-stream). */
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
}

/** The raw response of a successful call (status 2xx); a refusal throws RelayApiError. */
export async function relayRequest(session: Session, path: string, request: ApiRequest = {}, fetchImpl: typeof fetch = globalThis.fetch): Promise<Response> {
  const bytes = request.body instanceof Uint8Array
  const send = async (token: string | null): Promise<Response> =>
    fetchImpl(`${session.relay.http}${path}`, {
      method: request.method ?? 'GET',
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(request.body === undefined ? {} : { 'content-type': bytes ? 'application/octet-stream' : 'application/json' }),
        ...request.headers,
      },
      ...(request.body === undefined ? {} : { body: bytes ? new Blob([request.body as Uint8Array<ArrayBuffer>]) : JSON.stringify(request.body) }),
    })
  let response: Response
  try {
    response = await send(session.token())
    if (response.status === 401) response = await send(await session.renew())
  } catch (error) {
    if (error instanceof BilingualError) throw error
    throw new RelayApiError(0, 'unreachable', { tr: 'Sunucuya ulaşılamıyor', en: 'Cannot reach the relay' })
  }
  if (response.ok) return response
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>
  const tr = typeof answer.tr === 'string' ? answer.tr : String(answer.error ?? `HTTP ${response.status}`)
  const en = typeof answer.en === 'string' ? answer.en : tr
  throw new RelayApiError(response.status, typeof answer.code === 'string' ? answer.code : 'error', { tr, en })
}

/** relayRequest, answered with JSON. */
export async function relayJson<T = Record<string, unknown>>(session: Session, path: string, request: ApiRequest = {}, fetchImpl?: typeof fetch): Promise<T> {
  const response = await relayRequest(session, path, request, fetchImpl)
  try {
    return (await response.json()) as T
  } catch {
    throw new RelayApiError(response.status, 'bad_answer', { tr: 'Sunucunun yanıtı okunamadı', en: 'The relay’s answer could not be read' })
  }
}
