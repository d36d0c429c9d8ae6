/**
 * Whole-organization migration: legacy files imported straight into a stopped relay's data
 * directory. Each region's master document, and the month documents the files need, are loaded
 * from the store as the relay loads them, the import runs in memory (crdt/legacy), and what it
 * added is appended as one update per document under the user `legacy-import`, in one store
 * transaction: a failure anywhere before that writes nothing.
 * Legacy users are added with their legacy hashes, upgraded at their first login.
 *
 * The store has no lock file, so "relay stopped" is checked by taking SQLite's exclusive lock
 * (StoreOptions.exclusive): while a relay has the store open (WAL mode) that fails at once, and
 * while the import holds it a relay cannot start.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as Y from 'yjs'
import { DEFAULT_REGIONS, type Region } from '../schema/regions.ts'
import { inMemory } from '../crdt/legacy/documents.ts'
import { importLegacyFile, pcRegionOf, type ImportOptions, type ImportReport } from '../crdt/legacy/importer.ts'
import { readLegacyFile, type LegacyFile } from '../crdt/legacy/reader.ts'
import { legacyUsers } from '../crdt/legacy/users.ts'
import { collectChanges } from './changes.ts'
import { loadStoredDocument } from './storage.ts'
import { openStore, STORE_FILE, type Store } from './store.ts'
import { addUser, getUser, legacyRole, legacyUserRegion } from './users.ts'

/** `username` of the store rows this import appends. */
export const LEGACY_IMPORT_USER = 'legacy-import'

/** A document (`ankara`, `ankara/2026-11`) as the relay would load it: snapshot, then the updates logged after it. */
export function loadRegionDoc(store: Store, name: string): Y.Doc {
  return loadStoredDocument(store, name, { tr: 'içe aktarma yapılmadı', en: 'nothing was imported' })
}

export interface UserImportResult {
  readonly legacyId: string | number
  readonly username: string
  /** created: added with the legacy hash; exists: a relay user of that name stays as it is. */
  readonly outcome: 'created' | 'exists' | 'skipped'
  readonly role: 'editor' | 'admin' | null
  readonly region: string | null
  /** Bilingual, for `skipped` and `exists`. */
  readonly reason?: string
}

/**
 * Adds the users of `files`, in order (a name already added by an earlier file `exists`). Runs
 * inside a savepoint, so a dry run makes the same checks as the real one and rolls them back.
 * Never logs or returns a hash.
 */
export async function importLegacyUsers(
  store: Store,
  files: readonly LegacyFile[],
  regions: readonly Region[],
  dryRun: boolean,
): Promise<UserImportResult[][]> {
  return store.tentatively(!dryRun, async () => {
    const results: UserImportResult[][] = []
    for (const file of files) {
      const fileResults: UserImportResult[] = []
      results.push(fileResults)
      for (const user of legacyUsers(file)) {
        const role = legacyRole(user.role)
        const region = role === 'admin' ? null : legacyUserRegion(user.region)
        const base = { legacyId: user.legacyId, username: user.username, role, region }
        if (getUser(store, user.username) !== undefined) {
          fileResults.push({
            ...base,
            outcome: 'exists',
            reason: 'sunucuda bu adla kullanıcı var; parolası değişmedi / a relay user of this name exists; its password is unchanged',
          })
          continue
        }
        try {
          await addUser(store, { username: user.username, role, region, legacyHash: user.passwordHash ?? '' }, regions)
          fileResults.push({ ...base, outcome: 'created' })
        } catch (error) {
          // addUser refuses before writing (bad name, unknown region, malformed hash).
          fileResults.push({ ...base, outcome: 'skipped', reason: error instanceof Error ? error.message : String(error) })
        }
      }
    }
    return results
  })
}

export interface RelayImportFile {
  /** Shown in reports (the file name). */
  readonly name: string
  readonly bytes: Uint8Array
}

export interface RelayImportOptions {
  readonly dataDir: string
  readonly files: readonly RelayImportFile[]
  /** Region of v0 files; PC region of v1/v2 files. */
  readonly fileRegion?: string
  /** The relay's configured regions (RAINSTAFF_REGIONS); only these are written. */
  readonly regions?: readonly Region[]
  readonly dryRun?: boolean
  /** Who runs the import; records are stamped `legacy-import:<by>`. */
  readonly by: string
  readonly now?: () => Date
  readonly onProgress?: ImportOptions['onProgress']
  /** Called as each file is read, before the import starts (for progress output). */
  readonly onFile?: (name: string) => void
}

export interface RelayImportResult {
  readonly files: ReadonlyArray<{ readonly name: string; readonly report: ImportReport; readonly users: readonly UserImportResult[] }>
  /** Bytes appended to the store per document: every region's master, and each month written (0 everywhere for a dry run or a repeated import). */
  readonly appended: Readonly<Record<string, number>>
}

/**
 * Imports `files` into the relay data directory, in order. Every file is read and checked (a v0
 * file needs `fileRegion`) before anything is written; a bad file throws LegacyFileError and the
 * store is unchanged.
 */
export async function importLegacyIntoRelay(options: RelayImportOptions): Promise<RelayImportResult> {
  const regions = options.regions ?? DEFAULT_REGIONS
  const slugs = regions.map((r) => r.slug)
  const files: Array<{ name: string; file: LegacyFile }> = []
  for (const f of options.files) {
    options.onFile?.(f.name)
    const file = await readLegacyFile(f.bytes)
    pcRegionOf(file, options.fileRegion, slugs)
    files.push({ name: f.name, file })
  }

  const dryRun = options.dryRun ?? false
  // A dry run on a directory without a store must not create one: the same checks run against a
  // throwaway empty store instead.
  const scratch = dryRun && !existsSync(path.join(options.dataDir, STORE_FILE)) ? mkdtempSync(path.join(os.tmpdir(), 'rainstaff-dry-run-')) : null
  const store = openStore(scratch ?? options.dataDir, { exclusive: true })
  try {
    // By document name: masters now, months as the import asks for them.
    const changes = new Map<string, ReturnType<typeof collectChanges>>()
    const { documents, openMonth } = inMemory(slugs, (name) => {
      const doc = loadRegionDoc(store, name)
      changes.set(name, collectChanges(doc))
      return doc
    })
    const reports: ImportReport[] = []
    for (const { file } of files) {
      // Always a real import into the in-memory docs, so a dry run of several files sees what the
      // earlier ones would add; a dry run then simply stores nothing.
      const report = await importLegacyFile(file, {
        documents,
        openMonth,
        user: options.by,
        regions: slugs,
        ...(options.fileRegion !== undefined ? { fileRegion: options.fileRegion } : {}),
        ...(options.now !== undefined ? { now: options.now } : {}),
        ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
      })
      reports.push(dryRun ? { ...report, dryRun } : report)
    }
    const appended: Record<string, number> = {}
    const at = Date.now()
    const rows = [...changes].flatMap(([name, collected]) => {
      const row = collected.row()
      return row === undefined ? [] : [{ region: name, username: LEGACY_IMPORT_USER, at, ...row }]
    })
    for (const slug of slugs) appended[slug] = 0
    if (!dryRun && rows.length > 0) {
      store.appendUpdates(rows)
      for (const row of rows) appended[row.region] = row.data.byteLength
    }
    // Users after the docs: nobody can log in to a migration whose data failed to store.
    const users = await importLegacyUsers(store, files.map((f) => f.file), regions, dryRun)
    for (const docs of documents.values()) for (const [, doc] of docs.all()) doc.destroy()
    return { files: files.map((f, i) => ({ name: f.name, report: reports[i], users: users[i] })), appended }
  } finally {
    store.close()
    if (scratch !== null) rmSync(scratch, { recursive: true, force: true })
  }
}

