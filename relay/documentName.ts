/**
 * Which region a document belongs to. A document is named by its region's slug today (`ankara`,
 * its master data and timesheets together); the relay keys loaded documents, storage and
 * payloads by the name and looks the region up here, so more documents per region (say
 * `ankara/2026-11` for a month of timesheets) change this function, not its callers.
 */
import type { Region } from '../schema/regions.ts'

export function documentRegion(documentName: string, regions: readonly Region[]): Region | undefined {
  return regions.find((r) => r.slug === documentName)
}
