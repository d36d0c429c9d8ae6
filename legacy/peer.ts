/**
 * `import-legacy --state DIR`: an editor imports the rows of their own region into the CLI
 * peer's local store, through the sync engine, so the records are ordinary local changes that
 * `rainstaff sync` uploads. Rows of other regions are reported as skipped. The months the file's
 * dated rows go to are opened in the engine first, like any month an edit needs. Node-only glue,
 * loaded by cli.ts on demand; the import itself is the browser-safe core in crdt/legacy.
 */
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { openEngine, type SyncEngine } from '../client/engine.ts'
import { openFileStore } from '../client/fileStore.ts'
import type { LocalStore } from '../client/localStore.ts'
import { sessionFromAccount } from '../client/signIn.ts'
import { createRegionDoc } from '../crdt/regionDoc.ts'
import {
  documentsByName,
  importLegacyFile,
  memoryDocuments,
  pcRegionOf,
  readLegacyFile,
  type ImportProgress,
  type ImportReport,
  type ImportTarget,
  type LegacyFile,
} from '../crdt/legacy/index.ts'
import { BilingualError } from '../schema/bilingual.ts'
import { documentName } from '../schema/periods.ts'

/** Why the peer import cannot run; bilingual, nothing was written. `exitCode` follows client/cli.ts. */
export class PeerImportError extends BilingualError {
  constructor(
    readonly exitCode: number,
    tr: string,
    en: string,
  ) {
    super({ tr, en })
    this.name = 'PeerImportError'
  }
}

export interface PeerImportOptions {
  readonly files: ReadonlyArray<{ readonly name: string; readonly bytes: Uint8Array }>
  readonly stateDir: string
  readonly fileRegion?: string
  readonly dryRun?: boolean
  readonly onProgress?: (progress: ImportProgress) => void
  readonly onWarning?: (line: string) => void
}

export interface PeerImportResult {
  readonly files: ReadonlyArray<{ readonly name: string; readonly report: ImportReport }>
  /** The signed-in editor and the region written. */
  readonly username: string
  readonly region: string
  /** Local changes waiting for `rainstaff sync` after the import. */
  readonly pendingChanges: number
}

function copyOf(doc: Y.Doc): Y.Doc {
  const copy = createRegionDoc()
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
  return copy
}

/** The engine's open documents of `region`, months opened through the engine as the import asks. */
function engineTarget(engine: SyncEngine, region: string): ImportTarget {
  const documents = documentsByName(region, () => engine.documents(region), (name) => engine.doc(name))
  return { documents: new Map([[region, documents]]), openMonth: (r, period) => engine.openPeriod(r, period) }
}

/**
 * Copies of the engine's documents of `region`, so a dry run of several files sees each other's
 * records while the local store, pending changes included, stays as it was. A month the import
 * asks for is read from this device if it is kept here (opened in the engine, which changes no
 * record, only lists the month among those it reopens at sign-in), else starts empty, as it
 * would offline.
 */
async function dryRunTarget(engine: SyncEngine, store: LocalStore, region: string): Promise<ImportTarget> {
  const kept = new Set(await store.listDocuments(region))
  const copies = memoryDocuments(region, (name) => (engine.documents(region).includes(name) ? copyOf(engine.doc(name)) : createRegionDoc()))
  for (const [period] of documentsByName(region, () => engine.documents(region), (name) => engine.doc(name)).months()) copies.open(period)
  return {
    documents: new Map([[region, copies]]),
    openMonth: async (r, period) => {
      if (kept.has(documentName(r, period))) await engine.openPeriod(r, period)
      copies.open(period)
    },
  }
}

export async function peerImport(options: PeerImportOptions): Promise<PeerImportResult> {
  const files: Array<{ name: string; file: LegacyFile }> = []
  for (const f of options.files) files.push({ name: f.name, file: await readLegacyFile(f.bytes) })

  const store = openFileStore(options.stateDir, options.onWarning ? { onWarning: options.onWarning } : {})
  try {
    const account = await store.readAccount()
    if (account === undefined) {
      throw new PeerImportError(4, 'Önce giriş yapın: rainstaff login --relay URL --user AD', 'Sign in first: rainstaff login --relay URL --user NAME')
    }
    const region = account.user.region
    const access = account.regions.find((r) => r.slug === region)
    if (region === null || access === undefined || !access.writable) {
      throw new PeerImportError(
        1,
        'Bu kullanıcının yazabildiği bir bölge yok; kuruluş geçişi için sunucuda --data kullanın',
        'This user writes no region; for the organization migration use --data on the relay',
      )
    }
    const regions = account.regions.map((r) => r.slug)
    for (const { file } of files) pcRegionOf(file, options.fileRegion, regions)

    const engine = await openEngine({ session: sessionFromAccount(account, null), store, regions: [region], connect: false, WebSocketPolyfill: WebSocket })
    try {
      const dryRun = options.dryRun ?? false
      const target = dryRun ? await dryRunTarget(engine, store, region) : engineTarget(engine, region)
      const results: Array<{ name: string; report: ImportReport }> = []
      for (const { name, file } of files) {
        const report = await importLegacyFile(file, {
          ...target,
          user: account.user.username,
          regions,
          ...(options.fileRegion !== undefined ? { fileRegion: options.fileRegion } : {}),
          ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
        })
        results.push({ name, report: dryRun ? { ...report, dryRun } : report })
      }
      await engine.flush()
      return { files: results, username: account.user.username, region, pendingChanges: engine.pendingChanges }
    } finally {
      await engine.close()
    }
  } finally {
    await store.close()
  }
}
