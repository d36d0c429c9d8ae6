/**
 * Admin reports built from the SQLite mirror (crdt/mirror.ts): record counts per table and the
 * merged SQLite export that replaces the legacy `/sync/download`. Each call builds a fresh mirror
 * and closes it, so the relay keeps no second copy of the data in memory between requests.
 * Malformed items (crdt/records.ts) are skipped by both and counted by regionMalformed, so an
 * admin sees them in `/api/status` and runs `rainstaff doctor`.
 */
import type * as Y from 'yjs'
import { openMirror } from '../crdt/mirror.ts'
import { malformedItems } from '../crdt/malformed.ts'

export async function regionCounts(region: string, doc: Y.Doc): Promise<Record<string, number>> {
  const mirror = await openMirror()
  try {
    mirror.attach(region, doc)
    return mirror.counts(region)
  } finally {
    mirror.close()
  }
}

/** How many items of the region doc its readers skip (`rainstaff doctor` lists and repairs them). */
export function regionMalformed(doc: Y.Doc): number {
  return malformedItems(doc).length
}

/** A SQLite file holding the records of every given region. */
export async function exportRegions(regions: ReadonlyArray<{ slug: string; doc: Y.Doc }>): Promise<Uint8Array> {
  const mirror = await openMirror()
  try {
    for (const { slug, doc } of regions) mirror.attach(slug, doc)
    return mirror.exportFile()
  } finally {
    mirror.close()
  }
}
