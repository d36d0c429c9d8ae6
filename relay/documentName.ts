/**
 * Which region a document belongs to. A region is its master document (`ankara`) and its month
 * documents (`ankara/2026-11`, schema/periods.ts); the relay keys loaded documents, storage and
 * payloads by the name and looks the region up here.
 */
import { parseDocumentName } from '../schema/periods.ts'
import type { Region } from '../schema/regions.ts'

export function documentRegion(documentName: string, regions: readonly Region[]): Region | undefined {
  const parsed = parseDocumentName(documentName)
  return parsed === undefined ? undefined : regions.find((r) => r.slug === parsed.region)
}

/** The names of a region's documents among stored names (a round-1 archive is none of them). */
export function regionDocuments(stored: readonly string[], region: string): string[] {
  return stored.filter((name) => parseDocumentName(name)?.region === region).sort()
}
