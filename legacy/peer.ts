/**
 * `import-legacy --state DIR`: an editor imports the rows of their own region into the CLI
 * peer's local store, through the sync engine, so the records are ordinary local changes that
 * `rainstaff sync` uploads. Rows of other regions are reported as skipped. The months the file's
 * dated rows go to are opened in the engine first, like any month an edit needs, and those this
 * computer never had are fetched from the relay before anything is planned for good
 * (openNeededMonths). Node-only glue, loaded by cli.ts on demand; the import itself is the
 * browser-safe core in crdt/legacy.
 */
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { openEngine, SyncTimeoutError, type SyncEngine } from '../client/engine.ts'
import { openFileStore } from '../client/fileStore.ts'
import type { DeviceAccount, LocalStore } from '../client/localStore.ts'
import { relayAddress } from '../client/relayAddress.ts'
import { sessionFromAccount } from '../client/signIn.ts'
import { createRegionDoc } from '../crdt/regionDoc.ts'
import {
  documentLabel,
  importLegacyFile,
  memoryDocuments,
  monthsNeeded,
  NotFetchedError,
  pcRegionOf,
  readLegacyFile,
  regionMonth,
  type ImportProgress,
  type ImportReport,
  type ImportTarget,
  type LegacyFile,
  type MonthsOptions,
} from '../crdt/legacy/index.ts'
import { BilingualError, bothLanguages } from '../schema/bilingual.ts'
import { documentName, type DocumentName } from '../schema/periods.ts'

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
  const target = engine.documentsForImport(region)
  return { documents: new Map([[region, target.documents]]), openMonth: (_region, period) => target.openMonth(period) }
}

/**
 * Copies of the engine's documents of `region`, so a dry run of several files sees each other's
 * records while no record of the local store changes and nothing becomes pending. The months the
 * files need are open already (openNeededMonths); one the import asks for beyond them is read
 * from this device if it is kept here (opened in the engine, which changes no record, only lists
 * the month among those it reopens at sign-in), else starts empty, as it would offline.
 */
async function dryRunTarget(engine: SyncEngine, store: LocalStore, region: string): Promise<ImportTarget> {
  const kept = new Set(await store.listDocuments(region))
  const copies = memoryDocuments(region, (name) => (engine.documents(region).includes(name) ? copyOf(engine.doc(name)) : createRegionDoc()))
  for (const [period] of engine.documentsForImport(region).documents.months()) copies.open(period)
  return {
    documents: new Map([[region, copies]]),
    openMonth: async (r, period) => {
      if (kept.has(documentName(r, period))) await engine.openPeriod(r, period)
      copies.open(period)
    },
  }
}

/** How long the months a file needs may take to come from the relay. */
const FETCH_MS = 60_000

async function relayReachable(relay: string): Promise<boolean> {
  try {
    const response = await fetch(`${relayAddress(relay).http}/health`, { signal: AbortSignal.timeout(5000) })
    await response.body?.cancel()
    return response.status === 200
  } catch {
    return false
  }
}

/** Connects once to bring the open documents in step with the relay; false when it cannot. */
async function fetchFromRelay(engine: SyncEngine, account: DeviceAccount): Promise<boolean> {
  const tokenValid = account.token !== undefined && (account.expiresAt ?? 0) > Date.now()
  if (!tokenValid || !(await relayReachable(account.relay))) return false
  engine.connect()
  try {
    await engine.whenSynced(FETCH_MS)
    return true
  } catch (error) {
    if (error instanceof SyncTimeoutError) return false
    throw error
  } finally {
    engine.disconnect()
  }
}

/**
 * Opens in the engine every month the files need, and first brings from the relay what of them
 * and of the master data this computer never had: read as empty, the import would write each
 * record of the file already there again (see NotFetchedError). The engine connects only for
 * this, before anything is written, so the import itself stays a local change for `rainstaff
 * sync`. When the relay cannot be reached (or the session has expired) a real import stops; a dry
 * run, which writes nothing, goes on and says what it read as empty.
 */
async function openNeededMonths(
  engine: SyncEngine,
  account: DeviceAccount,
  region: string,
  files: ReadonlyArray<{ readonly file: LegacyFile }>,
  months: MonthsOptions,
  dryRun: boolean,
  warn: (line: string) => void,
): Promise<void> {
  const fetched = new Set<string>()
  for (;;) {
    const needed = new Set<string>()
    for (const { file } of files) {
      for (const [r, periods] of monthsNeeded(file, months)) for (const period of periods) needed.add(documentName(r, period))
    }
    const open = new Set(engine.documents())
    for (const name of needed) {
      const month = regionMonth(name)
      await engine.openPeriod(month.region, month.period)
    }
    const read: DocumentName[] = [{ region, period: null }, ...[...needed].map(regionMonth)]
    const never = read
      .map((d) => documentName(d.region, d.period))
      .filter((name) => !fetched.has(name) && engine.state.documents[name]?.lastSyncedAt === null)
    if (never.length > 0 && !(await fetchFromRelay(engine, account))) {
      const missing = read.filter((d) => never.includes(documentName(d.region, d.period)))
      const periods = [...new Set(missing.flatMap((d) => (d.period === null ? [] : [d.period])))]
      const first = periods.length === 0 ? 'rainstaff sync' : periods.map((period) => `rainstaff sync --month ${period}`).join('; ')
      if (!dryRun) {
        const refusal = new NotFetchedError(missing, { tr: `Önce: ${first}`, en: `First: ${first}` }).text
        // Exit 3: the client CLI's "offline".
        throw new PeerImportError(3, refusal.tr, refusal.en)
      }
      const list = (lang: 'tr' | 'en'): string => missing.map((d) => documentLabel(d, lang)).join(', ')
      warn(
        bothLanguages({
          tr: `uyarı: deneme, bu bilgisayarın sunucudan hiç almadığını boş saydı (${list('tr')}); oradaki kayıtlar "yeni" görünür. Önce: ${first}`,
          en: `warning: the dry run read what this computer never had from the relay as empty (${list('en')}); records there show as new. First: ${first}`,
        }),
      )
      return
    }
    for (const name of never) fetched.add(name)
    // What the months brought can point further (a record moved on since): ask again until nothing new comes.
    if (never.length === 0 && [...needed].every((name) => open.has(name))) return
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
      const fileRegion = options.fileRegion !== undefined ? { fileRegion: options.fileRegion } : {}
      await openNeededMonths(engine, account, region, files, { ...engineTarget(engine, region), regions, ...fileRegion }, dryRun, options.onWarning ?? (() => undefined))
      const target = dryRun ? await dryRunTarget(engine, store, region) : engineTarget(engine, region)
      const results: Array<{ name: string; report: ImportReport }> = []
      for (const { name, file } of files) {
        const report = await importLegacyFile(file, {
          ...target,
          user: account.user.username,
          regions,
          ...fileRegion,
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
