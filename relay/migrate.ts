/**
 * The first start on a round-1 data directory: each region's one document (every record of the
 * region) is split into its master and month documents (crdt/splitRegion.ts), before any client
 * connects. The round-1 document is kept in the store as `<region>@round1`, whole, as the backup
 * and the history of what was; devices with a round-1 copy write their unsent edits again on
 * their next sign-in (client/migrateCopy.ts).
 *
 * Every step replaces what the step writes (snapshots, not appended updates), and the master is
 * written last, so a start that dies half-way does the same again on the next start and nothing
 * is doubled; a region whose master holds no dated records is done.
 */
import * as Y from 'yjs'
import { holdsDatedRecords, splitRegionDoc } from '../crdt/splitRegion.ts'
import { currentPeriod, documentName } from '../schema/periods.ts'
import type { Region } from '../schema/regions.ts'
import type { Store } from './store.ts'
import { loadStoredDocument } from './storage.ts'

/** The account the migration's writes are stored and bound under: no one can sign in as it. */
export const MIGRATION_USER = 'rainstaff-migration'

/** Store meta saying a region is in master and month documents (migrated, or never round 1). */
const layoutKey = (region: string): string => `layout:${region}`
const SPLIT = 'months'

export function roundOneName(region: string): string {
  return `${region}@round1`
}

export interface MigratedRegion {
  readonly region: string
  readonly records: number
  readonly months: number
  /** Dated records with no readable date, kept in the migration's month. */
  readonly undated: number
}

/** The relay does not start on a store it cannot read (the migration reads every region first). */
const MIGRATING = {
  tr: 'sunucu okuyamadığı bir depoyla başlamaz, hiçbir şey taşınmadı.',
  en: 'the relay does not start on a store it cannot read, and nothing was moved.',
}

function loadDoc(store: Store, name: string): Y.Doc {
  return loadStoredDocument(store, name, MIGRATING)
}

function clientsOf(doc: Y.Doc): number[] {
  return [...Y.decodeStateVector(Y.encodeStateVector(doc)).keys()]
}

/** Replaces everything stored under `name` with `doc`'s state, as a new version of it. */
function replaceDocument(store: Store, name: string, doc: Y.Doc): void {
  store.replaceDocument(name, Y.encodeStateAsUpdate(doc))
}

/**
 * Splits every configured region still in the round-1 layout; returns what it did (nothing for a
 * data directory already split or new). `now` decides the month undated records go to.
 */
export function migrateRoundOne(store: Store, regions: readonly Region[], now: Date = new Date()): MigratedRegion[] {
  const done: MigratedRegion[] = []
  for (const { slug } of regions) {
    // Checked once per region: later starts need not load its master document to know.
    if (store.getMeta(layoutKey(slug)) === SPLIT) continue
    const current = loadDoc(store, slug)
    if (!holdsDatedRecords(current)) {
      current.destroy()
      store.setMeta(layoutKey(slug), SPLIT)
      continue
    }
    const archive = roundOneName(slug)
    // A start that died half-way split from the archive already: split the same again.
    let source = current
    if (store.regionStorage(archive).lastUpdateAt === null) replaceDocument(store, archive, current)
    else {
      current.destroy()
      source = loadDoc(store, archive)
    }
    try {
      const split = splitRegionDoc(source, currentPeriod(now))
      const written = [split.master, ...split.months.values()]
      // Every client the split wrote with, the losers of carried conflicts too (crdt/splitRegion.ts).
      store.bindClients([...new Set(written.flatMap(clientsOf))], MIGRATION_USER, now.getTime())
      // Which Yjs clients wrote round 1: a device still syncing a round-1 copy is told to update.
      store.setMeta(`round1-clients:${slug}`, JSON.stringify(clientsOf(source)))
      for (const [period, doc] of split.months) replaceDocument(store, documentName(slug, period), doc)
      replaceDocument(store, slug, split.master)
      store.setMeta(layoutKey(slug), SPLIT)
      done.push({ region: slug, records: split.records, months: split.months.size, undated: split.undated })
      for (const doc of written) doc.destroy()
    } finally {
      source.destroy()
    }
  }
  return done
}

/** The Yjs client ids that wrote a region's round-1 document (empty when it never had one). */
export function roundOneClients(store: Store, region: string): ReadonlySet<number> {
  const value = store.getMeta(`round1-clients:${region}`)
  if (value === undefined) return new Set()
  try {
    const ids: unknown = JSON.parse(value)
    return new Set(Array.isArray(ids) ? ids.filter((id): id is number => typeof id === 'number') : [])
  } catch {
    return new Set()
  }
}
