/**
 * `rainstaff import-legacy`: argument parsing, file reading and printing around the import core
 * (crdt/legacy). Each mode loads its side (the relay's store, the client's engine) on demand, so a
 * run loads only what it uses and a dry run neither.
 */
import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { inLocale } from '../schema/bilingual.ts'
import { DEFAULT_REGIONS, type Region } from '../schema/regions.ts'
import {
  formatReport,
  importLegacyFile,
  inMemory,
  LegacyFileError,
  pcRegionOf,
  readLegacyFile,
  reportJson,
  type ImportProgress,
  type ImportReport,
} from '../crdt/legacy/index.ts'

export const IMPORT_HELP = `Kullanım / Usage:
  rainstaff import-legacy FILE.db [FILE.db …] --data DIR   [--region R] [--dry-run] [--json] [--by NAME]
  rainstaff import-legacy FILE.db [FILE.db …] --state DIR  [--region R] [--dry-run] [--json]
  rainstaff import-legacy FILE.db [FILE.db …] --dry-run    [--region R] [--json]

  --data DIR     Durdurulmuş sunucunun veri klasörü: tüm bölgeler ve kullanıcılar / a stopped relay's
                 data directory: every region and the users (whole-organization migration)
  --state DIR    İstemcinin yerel klasörü: yalnızca kendi bölgeniz, sonra "sync" / the client's local
                 state: your own region only, then run "sync"
  --region R     v0 dosyalarında zorunlu (bölge yok); v1/v2'de bilgisayarın bölgesi / required for v0
                 files (no regions); for v1/v2 the PC's region (settings, shift templates)
  --dry-run      Yalnızca rapor; hiçbir şey yazılmaz / report only; nothing is written
  --json         Makine için JSON çıktı / machine-readable output
  --by NAME      Kayıtlara "legacy-import:NAME" yazılır (işletim sistemi kullanıcısı) / records are
                 stamped "legacy-import:NAME" (the OS user)
  --regions LIST Sunucunun bölgeleri (RAINSTAFF_REGIONS) / the relay's regions, e.g. ankara=Ankara,…
Aynı dosyayı tekrar almak hiçbir şeyi değiştirmez / importing the same file again changes nothing.
`

const out = (text: string): void => void process.stdout.write(text + '\n')
const err = (text: string): void => void process.stderr.write(text + '\n')

/** Usage errors: exit code 2 with the help. */
class UsageError extends Error {}

function readFiles(names: readonly string[]): Array<{ name: string; bytes: Uint8Array }> {
  return names.map((name) => {
    try {
      return { name: path.basename(name), bytes: new Uint8Array(readFileSync(name)) }
    } catch (error) {
      const detail = error instanceof Error && 'code' in error ? String(error.code) : String(error)
      throw new LegacyFileError(`Dosya okunamadı: ${name} (${detail})`, `Cannot read the file: ${name} (${detail})`)
    }
  })
}

const PHASE: Record<ImportProgress['phase'], string> = { plan: 'denetim / check', write: 'yazım / write' }

/** Progress on stderr, every 10 %, only for files big enough to make someone wait. */
function progressPrinter(): (p: ImportProgress) => void {
  let last = ''
  return (p) => {
    if (p.total < 10_000) return
    const percent = Math.floor((p.done / p.total) * 10) * 10
    const step = `${p.phase} ${percent}`
    if (step === last) return
    last = step
    err(`içe aktarılıyor / importing: ${PHASE[p.phase]} ${percent}% (${p.done}/${p.total})`)
  }
}

async function configuredRegions(list: string | undefined): Promise<readonly Region[]> {
  const text = list ?? process.env.RAINSTAFF_REGIONS
  if (!text) return DEFAULT_REGIONS
  const { parseRegions } = await import('../relay/options.ts')
  return parseRegions(text)
}

interface FileResult {
  readonly name: string
  readonly report: ImportReport
  /** Lines about users, already formatted; the JSON carries the structured results. */
  readonly userLines: readonly string[]
  readonly users?: unknown
}

function print(results: readonly FileResult[], json: boolean, extra: Record<string, unknown> = {}): void {
  if (json) {
    out(JSON.stringify({ files: results.map((r) => ({ name: r.name, ...reportJson(r.report), userResults: r.users ?? null })), ...extra }, null, 2))
    return
  }
  results.forEach((r, i) => {
    if (i > 0) out('')
    out(formatReport(r.report, r.name))
    if (r.userLines.length > 0) out(['', ...r.userLines].join('\n'))
  })
}

/** No target: a dry run against empty docs of every region, to see what a file holds. */
async function analyze(files: Array<{ name: string; bytes: Uint8Array }>, region: string | undefined, regions: readonly Region[], by: string): Promise<FileResult[]> {
  const target = inMemory(regions.map((r) => r.slug))
  const results: FileResult[] = []
  const parsed = []
  for (const f of files) {
    const file = await readLegacyFile(f.bytes)
    pcRegionOf(file, region, regions.map((r) => r.slug))
    parsed.push(file)
  }
  for (let i = 0; i < files.length; i++) {
    const report = await importLegacyFile(parsed[i], {
      ...target,
      user: by,
      regions: regions.map((r) => r.slug),
      onProgress: progressPrinter(),
      ...(region !== undefined ? { fileRegion: region } : {}),
    })
    const userLines =
      report.users.length > 0
        ? [`Kullanıcılar / Users: ${report.users.length} (yalnızca --data ile sunucuya alınır / imported to the relay only with --data)`]
        : []
    results.push({ name: files[i].name, report: { ...report, dryRun: true }, userLines })
  }
  return results
}

async function relayMode(
  files: Array<{ name: string; bytes: Uint8Array }>,
  dataDir: string,
  region: string | undefined,
  regions: readonly Region[],
  dryRun: boolean,
  by: string,
): Promise<{ results: FileResult[]; appended: Readonly<Record<string, number>> }> {
  const { importLegacyIntoRelay } = await import('../relay/legacyImport.ts')
  const result = await importLegacyIntoRelay({
    dataDir,
    files,
    regions,
    dryRun,
    by,
    onProgress: progressPrinter(),
    ...(region !== undefined ? { fileRegion: region } : {}),
  })
  const label = { created: dryRun ? 'eklenecek / would add' : 'eklendi / added', exists: 'zaten var / exists', skipped: 'atlandı / skipped' }
  const results = result.files.map((f): FileResult => {
    const userLines = f.users.length === 0 ? [] : [
      `Kullanıcılar / Users: ${f.users.length} (eski parola ilk girişte yenilenir / the legacy password is replaced at first login)`,
      ...f.users.map((u) => `  ${u.username} (${u.role ?? '?'}, ${u.region ?? '*'}): ${label[u.outcome]}${u.reason ? ' — ' + u.reason : ''}`),
    ]
    return { name: f.name, report: f.report, userLines, users: f.users }
  })
  return { results, appended: result.appended }
}

export async function importLegacyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      state: { type: 'string' },
      region: { type: 'string' },
      regions: { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      by: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    out(IMPORT_HELP)
    return 0
  }
  if (positionals.length === 0) throw new UsageError('Dosya gerekli / A legacy file is required')
  if (values.data !== undefined && values.state !== undefined) {
    throw new UsageError('--data ve --state birlikte kullanılamaz / --data and --state cannot be combined')
  }
  const dryRun = values['dry-run'] ?? false
  if (values.data === undefined && values.state === undefined && !dryRun) {
    throw new UsageError(
      'Hedef gerekli: --data DIR (sunucu), --state DIR (istemci) veya --dry-run / A target is required: --data DIR (relay), --state DIR (client) or --dry-run',
    )
  }
  const region = values.region
  const by = values.by ?? safeUserName()
  const files = readFiles(positionals)
  const regions = await configuredRegions(values.regions)
  const json = values.json ?? false

  if (values.data !== undefined) {
    const { results, appended } = await relayMode(files, values.data, region, regions, dryRun, by)
    print(results, json, { appended })
    if (!json && !dryRun) out(`\nSunucu deposuna yazıldı / written to the relay store: ${Object.entries(appended).map(([r, n]) => `${r} ${n} B`).join(', ')}`)
    return 0
  }
  if (values.state !== undefined) {
    const { peerImport } = await import('./peer.ts')
    const result = await peerImport({
      files,
      stateDir: values.state,
      dryRun,
      onProgress: progressPrinter(),
      onWarning: err,
      ...(region !== undefined ? { fileRegion: region } : {}),
    })
    const usersLine = (n: number): string[] =>
      n > 0 ? [`Kullanıcılar / Users: ${n} (yalnızca --data ile sunucuya alınır / imported to the relay only with --data)`] : []
    print(
      result.files.map((f) => ({ ...f, userLines: usersLine(f.report.users.length) })),
      json,
      { username: result.username, region: result.region, pendingChanges: result.pendingChanges },
    )
    if (!json) {
      out(
        `\n${result.username} (${result.region}): ${result.pendingChanges} yerel değişiklik gönderilmeyi bekliyor, "rainstaff sync" çalıştırın / ` +
          `${result.pendingChanges} local changes wait to be sent: run "rainstaff sync"`,
      )
    }
    return 0
  }
  print(await analyze(files, region, regions, by), json)
  return 0
}

function safeUserName(): string {
  try {
    return os.userInfo().username || 'cli'
  } catch {
    return 'cli'
  }
}

/** Runs the command, turning expected failures into a bilingual message and an exit code. */
export async function runImportCli(args: string[]): Promise<number> {
  try {
    return await importLegacyCommand(args)
  } catch (error) {
    if (error instanceof UsageError) {
      err(`${inLocale(error)}\n\n${IMPORT_HELP}`)
      return 2
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      err(`${inLocale(error)}\n\n${IMPORT_HELP}`)
      return 2
    }
    const { PeerImportError } = await import('./peer.ts')
    if (error instanceof PeerImportError) {
      err(inLocale(error))
      return error.exitCode
    }
    const { LocalStoreError } = await import('../client/localStore.ts')
    if (error instanceof LocalStoreError) {
      err(inLocale(error))
      return 1
    }
    const { StoreError } = await import('../relay/store.ts')
    const { ConfigError } = await import('../relay/options.ts')
    if (error instanceof LegacyFileError || error instanceof StoreError || error instanceof ConfigError) {
      err(inLocale(error))
      return 1
    }
    throw error
  }
}
