/**
 * Which months the relay holds for each region (`GET /api/documents`): what a device fetches
 * when it needs every period (the CLI's `sync --all-months`, a full export).
 */
import { parseDocumentName, type Period } from '../schema/periods.ts'
import { BilingualError } from '../schema/bilingual.ts'
import type { Session } from './signIn.ts'

export class StoredMonthsError extends BilingualError {
  constructor(detail: string) {
    super({ tr: `Sunucudaki aylar okunamadı: ${detail}`, en: `Could not read the relay's months: ${detail}` })
    this.name = 'StoredMonthsError'
  }
}

/** Region → the months the relay has a document for, oldest first. */
export async function storedMonths(session: Session, fetchImpl: typeof fetch = globalThis.fetch): Promise<Map<string, Period[]>> {
  const token = session.token()
  if (token === null) throw new StoredMonthsError('oturum yok / no session')
  let body: unknown
  try {
    const response = await fetchImpl(`${session.relay.http}/api/documents`, { headers: { authorization: `Bearer ${token}` } })
    if (!response.ok) throw new StoredMonthsError(`HTTP ${response.status}`)
    body = await response.json()
  } catch (error) {
    if (error instanceof StoredMonthsError) throw error
    throw new StoredMonthsError(error instanceof Error ? error.message : String(error))
  }
  const documents = (body as { documents?: unknown }).documents
  const out = new Map<string, Period[]>()
  if (typeof documents !== 'object' || documents === null) return out
  for (const [region, names] of Object.entries(documents)) {
    if (!Array.isArray(names)) continue
    const months = names
      .map((name) => (typeof name === 'string' ? parseDocumentName(name) : undefined))
      .filter((parsed) => parsed?.region === region && parsed.period !== null)
      .map((parsed) => parsed!.period as Period)
    out.set(region, months.sort())
  }
  return out
}
