/**
 * What the relay holds (`GET /api/documents`): each region's documents and each document's
 * version. A device fetches the renderings of those whose version differs from what it holds
 * (client/offlineMirror.ts), and `sync --all-months` fetches every month's document.
 */
import { parseDocumentName, type Period } from '../schema/periods.ts'
import { BilingualError, type Bilingual } from '../schema/bilingual.ts'
import { requestFailure } from './fetchRendering.ts'
import type { Session } from './signIn.ts'

export class StoredDocumentsError extends BilingualError {
  constructor(detail: string | Bilingual) {
    const text = typeof detail === 'string' ? { tr: detail, en: detail } : detail
    super({ tr: `Sunucudaki belgeler okunamadı: ${text.tr}`, en: `Could not read the relay's documents: ${text.en}` })
    this.name = 'StoredDocumentsError'
  }
}

export interface StoredDocuments {
  /** Region → the months the relay has a document for, oldest first. */
  readonly months: ReadonlyMap<string, readonly Period[]>
  /** Document name → its version (relay/PROTOCOL.md), for every document listed under its region. */
  readonly versions: ReadonlyMap<string, string>
}

/** `signal` ends the request (a timeout): a stalled network must not hold a sync forever. */
export async function storedDocuments(session: Session, signal: AbortSignal = AbortSignal.timeout(30_000)): Promise<StoredDocuments> {
  const token = session.token()
  if (token === null) throw new StoredDocumentsError('oturum yok / no session')
  let body: unknown
  try {
    const response = await fetch(`${session.relay.http}/api/documents`, { headers: { authorization: `Bearer ${token}` }, signal })
    if (!response.ok) throw new StoredDocumentsError(`HTTP ${response.status}`)
    body = await response.json()
  } catch (error) {
    if (error instanceof StoredDocumentsError) throw error
    throw new StoredDocumentsError(requestFailure(error))
  }
  const { documents, versions } = (typeof body === 'object' && body !== null ? body : {}) as { documents?: unknown; versions?: unknown }
  const known = typeof versions === 'object' && versions !== null ? (versions as Record<string, unknown>) : {}
  const months = new Map<string, Period[]>()
  const versionOf = new Map<string, string>()
  if (typeof documents !== 'object' || documents === null) return { months, versions: versionOf }
  for (const [region, names] of Object.entries(documents)) {
    if (!Array.isArray(names)) continue
    const list: Period[] = []
    for (const name of names) {
      const parsed = typeof name === 'string' ? parseDocumentName(name) : undefined
      if (parsed?.region !== region) continue
      if (parsed.period !== null) list.push(parsed.period)
      const version = known[name as string]
      if (typeof version === 'string') versionOf.set(name as string, version)
    }
    months.set(region, list.sort())
  }
  return { months, versions: versionOf }
}
