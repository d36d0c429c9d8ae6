/**
 * Round-1 data for the migration tests: what a relay and a device kept before regions were split
 * into master and month documents. A round-1 region is one document holding every record of the
 * region; the relay logged each sync as an update row (region, Yjs update, user), compacted now
 * and then into a snapshot; a device kept the region in `docs/<region>.ylog` (client/updateLog.ts
 * records: updates with the marks of its own transactions, and the relay's durable clocks).
 * The stores are written with the store and log code the relay and the client read them with,
 * which is the code round 1 wrote them with (the byte formats did not change).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import * as Y from 'yjs'
import { recordConflicts } from '../../crdt/conflicts.ts'
import { importLegacy, inMemory } from '../../crdt/legacy/index.ts'
import { readRecord, recordIds, type RecordFields } from '../../crdt/records.ts'
import { createRegionDoc, type Author } from '../../crdt/regionDoc.ts'
import { metaRecord, updateRecord } from '../../client/updateLog.ts'
import type { PendingMark } from '../../client/pendingChanges.ts'
import { openStore } from '../../relay/store.ts'
import { parseDocumentName } from '../../schema/periods.ts'
import { DEFAULT_REGIONS } from '../../schema/regions.ts'
import { TABLE_NAMES, TABLES, type TableName } from '../../schema/tables.ts'

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/legacy')
const SLUGS = DEFAULT_REGIONS.map((r) => r.slug)

/** The legacy fixtures in the order an organization would have imported them, with the v0 file's region. */
export const FIXTURE_FILES: ReadonlyArray<{ readonly name: string; readonly fileRegion?: string }> = [
  { name: 'legacy-v0-ankara.db', fileRegion: 'ankara' },
  { name: 'legacy-v1-istanbul.db' },
  { name: 'legacy-v2-izmir.db' },
  { name: 'legacy-dirty.db' },
]

export const fixtureBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(FIXTURES, name)))

/** One row of a round-1 relay's update log. */
interface StoreRow {
  readonly region: string
  readonly data: Uint8Array
  readonly username: string
}

/**
 * A round-1 relay's copy of every region: one document each, and the rows it logged, in order.
 * `sync` is an office's PC exchanging with the relay as round 1 did: what the relay lacks is
 * logged under the office's user, and the PC gets what it lacks.
 */
export class RoundOneRelay {
  readonly docs = new Map<string, Y.Doc>(SLUGS.map((slug) => [slug, createRegionDoc()]))
  readonly rows: StoreRow[] = []
  /** Yjs client id → the account it wrote as (the relay binds ids to their first account). */
  readonly clients = new Map<number, string>()

  doc(region: string): Y.Doc {
    const doc = this.docs.get(region)
    if (doc === undefined) throw new Error(`no region ${region}`)
    return doc
  }

  /** Logs `pc`'s changes the relay lacks under `username`, and brings `pc` up to date. */
  sync(region: string, pc: Y.Doc, username: string): void {
    const doc = this.doc(region)
    const missing = Y.encodeStateAsUpdate(pc, Y.encodeStateVector(doc))
    const before = Y.decodeStateVector(Y.encodeStateVector(doc))
    Y.applyUpdate(doc, missing)
    const grown = [...Y.decodeStateVector(Y.encodeStateVector(doc))].filter(([client, clock]) => clock > (before.get(client) ?? 0))
    if (grown.length > 0) this.rows.push({ region, data: missing, username })
    for (const [client] of grown) if (!this.clients.has(client)) this.clients.set(client, username)
    Y.applyUpdate(pc, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(pc)))
  }

  /** A new office PC with the region's current copy. */
  office(region: string): Y.Doc {
    const pc = createRegionDoc()
    Y.applyUpdate(pc, Y.encodeStateAsUpdate(this.doc(region)))
    return pc
  }

  /**
   * Writes the rows into the relay's data directory, and the client ids bound to the accounts
   * that first wrote them. A region in `compacted` has its first rows (that many) merged into a
   * snapshot, as the round-1 compactor left them, and the later ones logged after it.
   */
  writeStore(dataDir: string, compacted: ReadonlyMap<string, number> = new Map()): void {
    const store = openStore(dataDir)
    try {
      for (const [region, upto] of compacted) {
        const rows = this.rows.filter((r) => r.region === region)
        if (upto > rows.length) throw new Error(`${region} has ${rows.length} rows`)
      }
      const logged = new Map<string, number>()
      for (const row of this.rows) {
        const n = (logged.get(row.region) ?? 0) + 1
        logged.set(row.region, n)
        const [seq] = store.appendUpdates([{ ...row, at: Date.now() }])
        if (compacted.get(row.region) === n) {
          const merged = Y.mergeUpdates(this.rows.filter((r) => r.region === row.region).slice(0, n).map((r) => r.data))
          store.writeSnapshot(row.region, merged, seq)
        }
      }
      for (const [client, username] of this.clients) store.bindClients([client], username, Date.now())
    } finally {
      store.close()
    }
  }
}

/**
 * Imports the legacy fixtures into `relay` as round 1 did: every record of a region into its one
 * document, under `legacy-import`. (The import ledger's entries name month documents where round
 * 1's named the region alone; the records are the same.)
 */
export async function importFixtures(relay: RoundOneRelay, user = 'migration'): Promise<void> {
  const pcs = new Map(SLUGS.map((slug) => [slug, relay.office(slug)]))
  // Every name of a region (its master, any month) is the one round-1 document.
  const target = inMemory(SLUGS, (name) => pcs.get(parseDocumentName(name)!.region)!)
  for (const { name, fileRegion } of FIXTURE_FILES) {
    await importLegacy(fixtureBytes(name), { ...target, user, regions: SLUGS, ...(fileRegion !== undefined ? { fileRegion } : {}) })
  }
  for (const [slug, pc] of pcs) relay.sync(slug, pc, 'legacy-import')
}

/** A device's round-1 copy of a region, written as the round-1 file store appended it. */
export class RoundOneDevice {
  doc = createRegionDoc()
  private readonly log: Uint8Array[] = []
  private readonly durable = new Map<number, number>()

  constructor(readonly region: string) {}

  /** Online: gets what the relay has, sends what it lacks, and hears that it is all on disk there. */
  syncWith(relay: RoundOneRelay, username: string): void {
    const before = Y.encodeStateVector(this.doc)
    relay.sync(this.region, this.doc, username)
    const received = Y.encodeStateAsUpdate(this.doc, before)
    if (received.byteLength > 2) this.log.push(updateRecord(received, null))
    this.durable.set(this.doc.clientID, Y.getState(relay.doc(this.region).store, this.doc.clientID))
    this.log.push(metaRecord({ durable: [...this.durable], lastSyncedAt: new Date().toISOString() }))
  }

  /** One local transaction (an edit in the round-1 app), logged with its pending mark. */
  edit<T>(change: (doc: Y.Doc) => T): T {
    const before = Y.encodeStateVector(this.doc)
    const result = change(this.doc)
    const mark: PendingMark = { client: this.doc.clientID, clock: Y.getState(this.doc.store, this.doc.clientID) }
    this.log.push(updateRecord(Y.encodeStateAsUpdate(this.doc, before), mark))
    return result
  }

  /** The app restarted: the same copy, written from now on under a new Yjs client id. */
  restart(): void {
    const next = createRegionDoc()
    Y.applyUpdate(next, Y.encodeStateAsUpdate(this.doc))
    this.doc.destroy()
    this.doc = next
  }

  /** Writes `docs/<region>.ylog` under `stateDir`; returns its path. */
  write(stateDir: string): string {
    const dir = path.join(stateDir, 'docs')
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const file = path.join(dir, `${this.region}.ylog`)
    writeFileSync(file, Buffer.concat(this.log), { mode: 0o600 })
    return file
  }
}

/** An author for round-1 edits at a fixed time (stamps a test can compare). */
export const by = (user: string, at: string): Author => ({ user, now: () => new Date(at) })

/** A record as a reader sees it: every field, its document and its unresolved conflicts (without their ids, which name Yjs items). */
export interface RecordView {
  readonly document: string
  readonly record: RecordFields
  readonly conflicts: readonly string[]
}

/**
 * Every record of `docs` (document name → doc), keyed `table/id`. A record lives in one document:
 * a copy a move left behind (moved_to set) is skipped, and a record found live twice throws.
 */
export function recordsOf(docs: Iterable<readonly [string, Y.Doc]>): Map<string, RecordView> {
  const out = new Map<string, RecordView>()
  for (const [document, doc] of docs) {
    for (const table of TABLE_NAMES) {
      for (const id of recordIds(doc, table)) {
        const record = readRecord(doc, table, id)
        if (record === undefined || (record.moved_to ?? null) !== null) continue
        const key = `${table}/${id}`
        const seen = out.get(key)
        if (seen !== undefined) throw new Error(`${key} lives in ${seen.document} and in ${document}`)
        const conflicts = recordConflicts(doc, table, id).map(({ conflict_id: _id, ...rest }) => JSON.stringify(rest)).sort()
        out.set(key, { document, record, conflicts })
      }
    }
  }
  return out
}

/** A record's own fields (its table's) and whether it is deleted: what an edit written again must carry. */
export function contentOf(table: TableName, record: RecordFields): Record<string, unknown> {
  const out: Record<string, unknown> = { deleted: record.deleted_at !== null }
  for (const field of Object.keys(TABLES[table].fields)) out[field] = record[field] ?? null
  return out
}
