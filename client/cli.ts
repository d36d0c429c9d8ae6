/**
 * The headless peer: `rainstaff login|put|update|delete|sql|sync|status|report|export-sqlite`,
 * each working on a state directory (`--state DIR`, or RAINSTAFF_STATE, or ~/.rainstaff) through
 * the same sync engine as the app. Edits work offline; only `login`, `sync` and `status` talk to
 * the relay. Node only: it owns the file store, stdin/stdout and exit codes.
 *
 * Exit codes: 0 done; 1 refused input (nothing changed); 2 bad usage; 3 the relay cannot be
 * reached or sync did not finish; 4 sign-in needed (no session, or it expired); 5 the record
 * already exists (a `put` whose natural key names a live record: its id goes to stdout).
 *
 * Messages are in one language, the terminal's (cliLanguage); the help text shows both.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { WebSocket } from 'ws'
import { openMirror, type Mirror } from '../crdt/mirror.ts'
import { RecordError } from '../crdt/regionDoc.ts'
import { isTableName, TABLE_NAMES, type RecordInput, type TableName } from '../schema/tables.ts'
import { documentName, isPeriod, isPeriodTable, type Period } from '../schema/periods.ts'
import { ValidationError } from '../schema/validate.ts'
import { AccessError, openEngine, SyncTimeoutError, type SyncEngine } from './engine.ts'
import { followDocuments } from './followDocuments.ts'
import { openFileStore, type FileStore } from './fileStore.ts'
import { LocalStoreError, type DeviceAccount } from './localStore.ts'
import { checkReadOnly, ReadOnlySqlError } from './readOnlySql.ts'
import { relayAddress, RelayAddressError } from './relayAddress.ts'
import { buildReport, ReportError } from './report.ts'
import { reportCsv } from './reportCsv.ts'
import { sessionFromAccount, signIn, SignInError } from './signIn.ts'
import { BilingualError, bilingualOf, localeLanguage, type Bilingual } from '../schema/bilingual.ts'
import { shiftWarnings } from '../schema/plausibility.ts'

export const EXIT = { ok: 0, refused: 1, usage: 2, offline: 3, signIn: 4, exists: 5 } as const

/** An expected failure: its message in both languages (one is printed) and the exit code. */
export class CliError extends BilingualError {
  constructor(
    readonly exitCode: number,
    tr: string,
    en: string,
  ) {
    super({ tr, en })
    this.name = 'CliError'
  }
}

export const CLIENT_HELP = `İstemci komutları / Client commands (hepsi / all: [--state DIR], varsayılan / default RAINSTAFF_STATE or ~/.rainstaff):
  login --relay URL --user NAME      Giriş (parola stdin'den) / sign in (password from stdin); offline if signed in here before
  put TABLE --json '{…}' [--region R]  Kayıt ekler, kimliği yazar / inserts a record, prints its id (works offline)
  update TABLE ID --json '{…}' [--region R]
  delete TABLE ID [--region R]
  sql "SELECT …"                     Salt okunur sorgu, JSON satırları / read-only query, JSON lines (every month kept here)
  sync [--timeout S] [--month YYYY-MM | --all-months]
                                     Gönderir ve alır / pushes and pulls this month, last month and the months with
                                     unsent edits (--month: one more, --all-months: every month the relay has);
                                     0 only when nothing is pending
  status [--json]                    Bağlantı, bekleyen, son eşitleme / connection, pending, last synced
  report --month YYYY-MM [--region R] --format json|csv|xlsx --out FILE
  export-sqlite --out FILE           Yerel verinin SQLite kopyası / SQLite copy of the local data
`

const out = (text: string): void => void process.stdout.write(text + '\n')
const err = (text: string): void => void process.stderr.write(text + '\n')

/**
 * The terminal's language: Turkish when LC_ALL, LC_MESSAGES or LANG names it (tr_TR.UTF-8),
 * English for every other locale, C and POSIX included: a server's or a script's default
 * locale gets one readable language, not every line twice.
 */
export function cliLanguage(env: Readonly<Record<string, string | undefined>> = process.env): 'tr' | 'en' {
  return localeLanguage(env) ?? 'en'
}

/** A message in the terminal's language. */
function say(message: Bilingual): string {
  return message[cliLanguage()]
}

/** An error in the terminal's language; one without a Bilingual text as it is. */
function sayError(error: Error): string {
  const text = bilingualOf(error)
  return text === undefined ? error.message : say(text)
}

type Options = NonNullable<ParseArgsConfig['options']>

function parse(args: string[], options: Options, positionals: number): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  let parsed
  try {
    parsed = parseArgs({ args, options: { state: { type: 'string' }, ...options }, allowPositionals: positionals > 0, strict: true })
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    throw new CliError(EXIT.usage, `Geçersiz kullanım: ${detail}`, `Invalid usage: ${detail}`)
  }
  if (parsed.positionals.length > positionals) {
    const extra = parsed.positionals.slice(positionals).join(' ')
    throw new CliError(EXIT.usage, `Fazla argüman: ${extra}`, `Unexpected arguments: ${extra}`)
  }
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals }
}

function text(values: Record<string, string | boolean | undefined>, name: string): string | undefined {
  const value = values[name]
  return typeof value === 'string' ? value : undefined
}

function required(value: string | undefined, name: string | Bilingual): string {
  const { tr, en } = typeof name === 'string' ? { tr: name, en: name } : name
  if (value === undefined || value === '') throw new CliError(EXIT.usage, `${tr} gerekli`, `${en} is required`)
  return value
}

function stateDir(values: Record<string, string | boolean | undefined>): string {
  return text(values, 'state') ?? process.env.RAINSTAFF_STATE ?? path.join(os.homedir(), '.rainstaff')
}

async function withStore<T>(values: Record<string, string | boolean | undefined>, work: (store: FileStore) => Promise<T>): Promise<T> {
  const store = openFileStore(stateDir(values), { onWarning: (_line, text) => err(say(text)) })
  try {
    return await work(store)
  } finally {
    await store.close()
  }
}

async function account(store: FileStore): Promise<DeviceAccount> {
  const found = await store.readAccount()
  if (found === undefined) {
    throw new CliError(EXIT.signIn, 'Önce giriş yapın: rainstaff login --relay URL --user AD', 'Sign in first: rainstaff login --relay URL --user NAME')
  }
  return found
}

async function withEngine<T>(store: FileStore, acc: DeviceAccount, regions: readonly string[], work: (engine: SyncEngine) => Promise<T>): Promise<T> {
  const session = sessionFromAccount(acc, null)
  const engine = await openEngine({ session, store, regions, connect: false, WebSocketPolyfill: WebSocket })
  try {
    return await work(engine)
  } finally {
    await engine.close()
  }
}

async function withMirror<T>(engine: SyncEngine, work: (mirror: Mirror) => T): Promise<T> {
  const mirror = await openMirror()
  try {
    const stop = followDocuments(engine, (name, doc) => mirror.attach(name, doc))
    try {
      return work(mirror)
    } finally {
      stop()
    }
  } finally {
    mirror.close()
  }
}

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write(`${say({ tr: 'Parola', en: 'Password' })}: `)
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer)
    if (Buffer.concat(chunks).includes(10)) break
  }
  return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '').trim()
}

function table(name: string | undefined): TableName {
  const value = required(name, { tr: 'TABLO', en: 'TABLE' })
  if (!isTableName(value)) {
    const known = TABLE_NAMES.join(', ')
    throw new CliError(EXIT.refused, `Bilinmeyen tablo: ${value} (${known})`, `Unknown table: ${value} (${known})`)
  }
  return value
}

function jsonObject(raw: string | undefined): Record<string, unknown> {
  const source = required(raw, '--json')
  let value: unknown
  try {
    value = JSON.parse(source)
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    throw new CliError(EXIT.refused, `--json geçerli JSON değil: ${detail}`, `--json is not valid JSON: ${detail}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError(EXIT.refused, '--json bir nesne olmalı: {"alan": değer}', '--json must be an object: {"field": value}')
  }
  return value as Record<string, unknown>
}

function targetRegion(values: Record<string, string | boolean | undefined>, acc: DeviceAccount): string {
  const region = text(values, 'region') ?? acc.user.region
  if (region === null) {
    throw new CliError(EXIT.refused, 'Yönetici hiçbir bölgeye yazamaz', 'The admin cannot write to any region')
  }
  if (!acc.regions.some((r) => r.slug === region)) {
    const known = acc.regions.map((r) => r.slug).join(', ')
    throw new CliError(EXIT.refused, `Bilinmeyen bölge: ${region} (${known})`, `Unknown region: ${region} (${known})`)
  }
  return region
}

async function relayReachable(relay: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(`${relayAddress(relay).http}/health`, { signal: AbortSignal.timeout(timeoutMs) })
    await response.body?.cancel()
    return response.status === 200
  } catch {
    return false
  }
}

function tokenValid(acc: DeviceAccount): boolean {
  return acc.token !== undefined && (acc.expiresAt ?? 0) > Date.now()
}

// --- commands ---

async function login(args: string[]): Promise<number> {
  const { values } = parse(args, { relay: { type: 'string' }, user: { type: 'string' } }, 0)
  return withStore(values, async (store) => {
    const previous = await store.readAccount()
    const relay = text(values, 'relay') ?? previous?.relay
    const username = text(values, 'user') ?? previous?.user.username
    const password = await readPassword()
    if (password === '') throw new CliError(EXIT.usage, "Parola stdin'den okunamadı", 'No password on stdin')
    const { session, online } = await signIn({
      relay: required(relay, '--relay'),
      username: required(username, '--user'),
      password,
      store,
      rememberToken: true,
    })
    const who = `${session.user.username} (${session.user.role}${session.user.region ? ', ' + session.user.region : ''})`
    if (online) out(say({ tr: `giriş yapıldı: ${who} @ ${session.relay.http}`, en: `signed in: ${who} @ ${session.relay.http}` }))
    else out(say({ tr: `çevrimdışı giriş: ${who} (sunucuya ulaşılamadı)`, en: `signed in offline: ${who} (the relay is unreachable)` }))
    return EXIT.ok
  })
}

async function put(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'string' }, region: { type: 'string' } }, 1)
  const name = table(positionals[0])
  const input = jsonObject(text(values, 'json'))
  return withStore(values, async (store) => {
    const acc = await account(store)
    const region = targetRegion(values, acc)
    return withEngine(store, acc, [region], async (engine) => {
      let id: string
      try {
        id = engine.insert(name, input as RecordInput<typeof name>, region)
        if (name === 'timesheets') warnImplausible(engine.record('timesheets', id, region))
      } catch (error) {
        if (!(error instanceof RecordError) || error.code !== 'exists') throw error
        // The id on stdout lets a script go on with `update`; nothing was written.
        out(error.id)
        const change = `rainstaff update ${name} ${error.id} --json '{…}'`
        err(`${sayError(error)}\n  ${say({ tr: `değiştirmek için: ${change}`, en: `to change it: ${change}` })}`)
        return EXIT.exists
      }
      await engine.flush()
      out(id)
      return EXIT.ok
    })
  })
}

/**
 * A saved timesheet that looks like a typo (over 12 hours, 17:00→08:00, a date outside one year
 * back … 60 days ahead): saved all the same, with a warning on stderr (see client/README.md).
 */
function warnImplausible(fields: Readonly<Record<string, unknown>> = {}): void {
  const now = new Date()
  const today = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`
  const row = { work_date: String(fields.work_date ?? ''), start_time: String(fields.start_time ?? ''), end_time: String(fields.end_time ?? '') }
  for (const w of shiftWarnings(row, today)) err(`${say({ tr: 'uyarı', en: 'warning' })}: ${say(w.text)}`)
}

async function update(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'string' }, region: { type: 'string' } }, 2)
  const name = table(positionals[0])
  const id = required(positionals[1], 'ID')
  const patch = jsonObject(text(values, 'json'))
  return withStore(values, async (store) => {
    const acc = await account(store)
    const region = targetRegion(values, acc)
    return withEngine(store, acc, [region], async (engine) => {
      await openMonthOf(engine, name, id, region)
      engine.update(name, id, patch as Partial<RecordInput<typeof name>>, region)
      if (name === 'timesheets') warnImplausible(engine.record('timesheets', id, region))
      await engine.flush()
      out(id)
      return EXIT.ok
    })
  })
}

async function remove(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { region: { type: 'string' } }, 2)
  const name = table(positionals[0])
  const id = required(positionals[1], 'ID')
  return withStore(values, async (store) => {
    const acc = await account(store)
    const region = targetRegion(values, acc)
    return withEngine(store, acc, [region], async (engine) => {
      await openMonthOf(engine, name, id, region)
      engine.delete(name, id, region)
      await engine.flush()
      out(id)
      return EXIT.ok
    })
  })
}

async function sql(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {}, 1)
  const query = required(positionals[0], 'SQL')
  checkReadOnly(query)
  return withStore(values, async (store) => {
    const acc = await account(store)
    return withEngine(store, acc, acc.regions.map((r) => r.slug), async (engine) => {
      for (const region of engine.regions) await engine.openCached(region)
      // The mirror lives in memory and is thrown away: even a query that slipped past the check
      // could not change anything that is kept.
      return withMirror(engine, (mirror) => {
        let rows
        try {
          rows = mirror.query(query)
        } catch (error) {
          const detail = error instanceof Error ? error.message : String(error)
          throw new CliError(EXIT.refused, `SQL hatası: ${detail}`, `SQL error: ${detail}`)
        }
        process.stdout.write(rows.map((row) => JSON.stringify(row) + '\n').join(''))
        return EXIT.ok
      })
    })
  })
}

/**
 * A dated record of a month not open at start (not this month or the last) is looked for in every
 * month this device keeps; one never fetched here is not found (rainstaff sync --all-months).
 */
async function openMonthOf(engine: SyncEngine, table: TableName, id: string, region: string): Promise<void> {
  if (isPeriodTable(table) && engine.record(table, id, region) === undefined) await engine.openCached(region)
}

function optionalMonth(values: Record<string, string | boolean | undefined>): Period | undefined {
  const month = text(values, 'month')
  if (month === undefined) return undefined
  if (!isPeriod(month)) throw new CliError(EXIT.usage, `--month YYYY-AA olmalı: ${month}`, `--month must be YYYY-MM: ${month}`)
  return month
}

/**
 * Opens `month` of each region; a month this device has never synced is fetched first when the
 * relay can be reached, so a report of an old month is not silently empty.
 */
async function fetchMonth(engine: SyncEngine, acc: DeviceAccount, regions: readonly string[], month: string): Promise<void> {
  if (!isPeriod(month)) return
  for (const region of regions) await engine.openPeriod(region, month)
  const names = regions.map((region) => documentName(region, month))
  const never = names.filter((name) => engine.state.documents[name]?.lastSyncedAt === null)
  if (never.length === 0) return
  if (tokenValid(acc) && (await relayReachable(relayAddress(acc.relay).http, 5000))) {
    engine.connect()
    try {
      await engine.whenSynced(60_000)
      return
    } catch (error) {
      if (!(error instanceof SyncTimeoutError)) throw error
    } finally {
      engine.disconnect()
    }
  }
  err(
    say({
      tr: `uyarı: ${never.join(', ')} bu bilgisayara hiç indirilmedi; önce rainstaff sync --month ${month}`,
      en: `warning: ${never.join(', ')} was never fetched to this computer; run rainstaff sync --month ${month} first`,
    }),
  )
}

async function sync(args: string[]): Promise<number> {
  const { values } = parse(args, { timeout: { type: 'string' }, month: { type: 'string' }, 'all-months': { type: 'boolean' } }, 0)
  const month = optionalMonth(values)
  const allMonths = values['all-months'] === true
  const timeoutSeconds = Number(text(values, 'timeout') ?? '60')
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new CliError(EXIT.usage, '--timeout pozitif bir saniye sayısı olmalı', '--timeout must be a positive number of seconds')
  }
  return withStore(values, async (store) => {
    const acc = await account(store)
    return withEngine(store, acc, acc.regions.map((r) => r.slug), async (engine) => {
      if (month !== undefined) for (const region of engine.regions) await engine.openPeriod(region, month)
      const relay = relayAddress(acc.relay).http
      if (!(await relayReachable(relay, 5000))) {
        throw new CliError(
          EXIT.offline,
          `Sunucuya ulaşılamıyor: ${relay}; ${engine.pendingChanges} değişiklik bekliyor`,
          `Cannot reach the relay at ${relay}; ${engine.pendingChanges} changes pending`,
        )
      }
      if (!tokenValid(acc)) {
        throw new CliError(
          EXIT.signIn,
          `Oturumun süresi doldu; yeniden giriş yapın: rainstaff login; ${engine.pendingChanges} değişiklik bekliyor (kaybolmadı)`,
          `The session expired; sign in again: rainstaff login; ${engine.pendingChanges} changes pending (kept)`,
        )
      }
      if (allMonths) await engine.openStoredMonths()
      engine.connect()
      try {
        await engine.whenSynced(timeoutSeconds * 1000)
      } catch (error) {
        if (!(error instanceof SyncTimeoutError)) throw error
        const expired = Object.values(error.state.regions).some((r) => r.problem?.code === 'session_expired')
        const pending = engine.pendingChanges
        err(sayError(error))
        throw new CliError(
          expired ? EXIT.signIn : EXIT.offline,
          `Eşitleme tamamlanamadı; ${pending} değişiklik bekliyor (kaybolmadı)`,
          `Sync did not finish; ${pending} changes pending (kept)`,
        )
      }
      const at = engine.state.lastSyncedAt
      out(say({ tr: `eşitlendi: 0 değişiklik bekliyor; son eşitleme ${at}`, en: `synced: 0 changes pending; last synced ${at}` }))
      return EXIT.ok
    })
  })
}

async function status(args: string[]): Promise<number> {
  const { values } = parse(args, { json: { type: 'boolean' } }, 0)
  return withStore(values, async (store) => {
    const acc = await account(store)
    return withEngine(store, acc, acc.regions.map((r) => r.slug), async (engine) => {
      const reachable = await relayReachable(acc.relay, 3000)
      const connection = !reachable ? 'offline' : tokenValid(acc) ? 'online' : 'session_expired'
      const state = engine.state
      const report = {
        relay: relayAddress(acc.relay).http,
        user: acc.user,
        connection,
        pendingChanges: state.pendingChanges,
        lastSyncedAt: state.lastSyncedAt,
        regions: Object.values(state.regions).map((r) => ({
          region: r.region,
          writable: r.writable,
          pendingChanges: r.pendingChanges,
          lastSyncedAt: r.lastSyncedAt,
        })),
      }
      if (values.json === true) {
        out(JSON.stringify(report))
        return EXIT.ok
      }
      const words: Record<typeof connection, Bilingual> = {
        online: { tr: 'çevrimiçi', en: 'online' },
        offline: { tr: 'çevrimdışı (sunucuya ulaşılamıyor)', en: 'offline (relay unreachable)' },
        session_expired: { tr: 'sunucu açık, oturum süresi dolmuş (rainstaff login)', en: 'relay up, session expired (rainstaff login)' },
      }
      const never = say({ tr: 'hiç', en: 'never' })
      out(`${say({ tr: 'sunucu', en: 'relay' })}: ${report.relay}`)
      out(`${say({ tr: 'kullanıcı', en: 'user' })}: ${acc.user.username} (${acc.user.role}${acc.user.region ? ', ' + acc.user.region : ''})`)
      out(`${say({ tr: 'bağlantı', en: 'connection' })}: ${say(words[connection])}`)
      out(`${say({ tr: 'bekleyen değişiklik', en: 'pending changes' })}: ${report.pendingChanges}`)
      out(`${say({ tr: 'son eşitleme', en: 'last synced' })}: ${report.lastSyncedAt ?? never}`)
      const writable = say({ tr: ' (yazılabilir)', en: ' (writable)' })
      for (const r of report.regions) out(`  ${r.region}${r.writable ? writable : ''}: ${r.pendingChanges}, ${r.lastSyncedAt ?? never}`)
      return EXIT.ok
    })
  })
}

const FORMATS = ['json', 'csv', 'xlsx'] as const
type Format = (typeof FORMATS)[number]

function outputFile(file: string, name: string): string {
  return existsSync(file) && statSync(file).isDirectory() ? path.join(file, name) : file
}

async function report(args: string[]): Promise<number> {
  const { values } = parse(args, { month: { type: 'string' }, region: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } }, 0)
  const month = required(text(values, 'month'), '--month')
  const format = required(text(values, 'format'), '--format')
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new CliError(EXIT.usage, `--format json, csv veya xlsx olmalı: ${format}`, `--format must be json, csv or xlsx: ${format}`)
  }
  const file = required(text(values, 'out'), '--out')
  return withStore(values, async (store) => {
    const acc = await account(store)
    const given = text(values, 'region')
    const regions = given !== undefined ? [given] : acc.user.region !== null ? [acc.user.region] : acc.regions.map((r) => r.slug)
    for (const region of regions) {
      if (!acc.regions.some((r) => r.slug === region)) {
        throw new CliError(EXIT.refused, `Bilinmeyen bölge: ${region}`, `Unknown region: ${region}`)
      }
    }
    return withEngine(store, acc, regions, async (engine) => {
      await fetchMonth(engine, acc, regions, month)
      const built = await withMirror(engine, (mirror) => buildReport(mirror, { month, regions, regionNames: acc.regions }))
      const bytes =
        (format as Format) === 'xlsx'
          ? // exceljs is large: loaded only by the command that writes xlsx, so others start fast.
            await (await import('./reportXlsx.ts')).reportXlsx(built)
          : new TextEncoder().encode(format === 'csv' ? reportCsv(built) : JSON.stringify(built, null, 2) + '\n')
      const target = outputFile(file, `${built.fileName}.${format}`)
      writeFileSync(target, bytes)
      out(target)
      for (const skipped of built.skipped) err(`${say({ tr: 'atlandı', en: 'skipped' })} ${skipped.region} ${skipped.id}: ${say(skipped.text)}`)
      return EXIT.ok
    })
  })
}

async function exportSqlite(args: string[]): Promise<number> {
  const { values } = parse(args, { out: { type: 'string' } }, 0)
  const file = required(text(values, 'out'), '--out')
  return withStore(values, async (store) => {
    const acc = await account(store)
    return withEngine(store, acc, acc.regions.map((r) => r.slug), async (engine) => {
      for (const region of engine.regions) await engine.openCached(region)
      const bytes = await withMirror(engine, (mirror) => mirror.exportFile())
      const target = outputFile(file, 'rainstaff.sqlite')
      writeFileSync(target, bytes)
      out(target)
      return EXIT.ok
    })
  })
}

export const CLIENT_COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  login,
  put,
  update,
  delete: remove,
  sql,
  sync,
  status,
  report,
  'export-sqlite': exportSqlite,
}

/** Runs one client command; expected failures become a line on stderr, in the terminal's language, and an exit code. */
/** y-websocket adds a process exit listener per provider, one per open document: months add up. */
const LISTENERS_PER_DOCUMENT_LIMIT = 1000

export async function runClientCommand(name: string, args: string[]): Promise<number> {
  process.setMaxListeners(Math.max(process.getMaxListeners(), LISTENERS_PER_DOCUMENT_LIMIT))
  const command = CLIENT_COMMANDS[name]
  if (command === undefined) {
    err(say({ tr: `Bilinmeyen komut: ${name}`, en: `Unknown command: ${name}` }))
    return EXIT.usage
  }
  if (args.includes('--help') || args.includes('-h')) {
    out(CLIENT_HELP)
    return EXIT.ok
  }
  try {
    return await command(args)
  } catch (error) {
    if (error instanceof CliError) {
      err(sayError(error))
      return error.exitCode
    }
    if (error instanceof SignInError) {
      err(sayError(error))
      return error.code === 'unreachable' || error.code === 'no_account' ? EXIT.offline : EXIT.signIn
    }
    if (
      error instanceof ValidationError ||
      error instanceof RecordError ||
      error instanceof AccessError ||
      error instanceof ReadOnlySqlError ||
      error instanceof ReportError ||
      error instanceof RelayAddressError ||
      error instanceof LocalStoreError
    ) {
      err(sayError(error))
      return EXIT.refused
    }
    throw error
  }
}
