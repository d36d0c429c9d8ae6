/**
 * What every client command shares: the exit codes, messages in the terminal's language, argument
 * parsing, the state directory's store, the engine and the offline mirror (client/offlineMirror.ts).
 */
import os from 'node:os'
import path from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { WebSocket } from 'ws'
import { BilingualError, bilingualOf, localeLanguage, type Bilingual } from '../../schema/bilingual.ts'
import { isTableName, TABLE_NAMES, type TableName } from '../../schema/tables.ts'
import { isPeriod, type Period } from '../../schema/periods.ts'
import { openEngine, type SyncEngine } from '../engine.ts'
import { openFileStore, type FileStore } from '../fileStore.ts'
import type { DeviceAccount } from '../localStore.ts'
import { openOfflineMirror, type OfflineMirror } from '../offlineMirror.ts'
import { relayAddress } from '../relayAddress.ts'
import { sessionFromAccount, type Session } from '../signIn.ts'

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

export const out = (text: string): void => void process.stdout.write(text + '\n')
export const err = (text: string): void => void process.stderr.write(text + '\n')

/**
 * The terminal's language: Turkish when LC_ALL, LC_MESSAGES or LANG names it (tr_TR.UTF-8),
 * English for every other locale, C and POSIX included: a server's or a script's default
 * locale gets one readable language, not every line twice.
 */
export function cliLanguage(env: Readonly<Record<string, string | undefined>> = process.env): 'tr' | 'en' {
  return localeLanguage(env) ?? 'en'
}

/** A message in the terminal's language. */
export function say(message: Bilingual): string {
  return message[cliLanguage()]
}

/** An error in the terminal's language; one without a Bilingual text as it is. */
export function sayError(error: Error): string {
  const text = bilingualOf(error)
  return text === undefined ? error.message : say(text)
}

type Options = NonNullable<ParseArgsConfig['options']>
export type Values = Record<string, string | boolean | undefined>

export function parse(args: string[], options: Options, positionals: number): { values: Values; positionals: string[] } {
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
  return { values: parsed.values as Values, positionals: parsed.positionals }
}

export function text(values: Values, name: string): string | undefined {
  const value = values[name]
  return typeof value === 'string' ? value : undefined
}

export function required(value: string | undefined, name: string | Bilingual): string {
  const { tr, en } = typeof name === 'string' ? { tr: name, en: name } : name
  if (value === undefined || value === '') throw new CliError(EXIT.usage, `${tr} gerekli`, `${en} is required`)
  return value
}

function stateDir(values: Values): string {
  return text(values, 'state') ?? process.env.RAINSTAFF_STATE ?? path.join(os.homedir(), '.rainstaff')
}

export async function withStore<T>(values: Values, work: (store: FileStore) => Promise<T>): Promise<T> {
  const store = openFileStore(stateDir(values), { onWarning: (_line, text) => err(say(text)) })
  try {
    return await work(store)
  } finally {
    await store.close()
  }
}

export async function account(store: FileStore): Promise<DeviceAccount> {
  const found = await store.readAccount()
  if (found === undefined) {
    throw new CliError(EXIT.signIn, 'Önce giriş yapın: rainstaff login --relay URL --user AD', 'Sign in first: rainstaff login --relay URL --user NAME')
  }
  return found
}

export async function withEngine<T>(store: FileStore, session: Session, regions: readonly string[], work: (engine: SyncEngine) => Promise<T>): Promise<T> {
  const engine = await openEngine({ session, store, regions, connect: false, WebSocketPolyfill: WebSocket })
  try {
    return await work(engine)
  } finally {
    await engine.close()
  }
}

/**
 * The engine with the device's mirror following it: the saved mirror is read first, the open
 * documents re-read only what changed since, and what the mirror then holds is saved after the
 * engine closed (its documents' last rows kept).
 */
export async function withOfflineMirror<T>(
  store: FileStore,
  acc: DeviceAccount,
  regions: readonly string[],
  work: (engine: SyncEngine, offline: OfflineMirror, session: Session) => Promise<T>,
  requestTimeoutMs?: number,
): Promise<T> {
  const session = sessionFromAccount(acc, null)
  // The saved mirror is read while the documents load: neither waits for the other.
  const opening = openOfflineMirror({ store, session, ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}) })
  try {
    return await withEngine(store, session, regions, async (engine) => {
      const offline = await opening
      // Problems fetching history are warnings: they stop no command (the held rows stay as they were).
      offline.on('problem', ({ message }) => err(`${say({ tr: 'uyarı', en: 'warning' })}: ${say(message)}`))
      offline.follow(engine)
      return work(engine, offline, session)
    })
  } finally {
    // The saved mirror is a cache: failing to write it slows the next start, it loses no data.
    const offline = await opening.catch(() => undefined)
    await offline?.close().catch((error: unknown) => err(`${say({ tr: 'uyarı', en: 'warning' })}: ${sayError(error as Error)}`))
  }
}

export function optionalMonth(values: Values): Period | undefined {
  const month = text(values, 'month')
  if (month === undefined) return undefined
  if (!isPeriod(month)) throw new CliError(EXIT.usage, `--month YYYY-AA olmalı: ${month}`, `--month must be YYYY-MM: ${month}`)
  return month
}

export function table(name: string | undefined): TableName {
  const value = required(name, { tr: 'TABLO', en: 'TABLE' })
  if (!isTableName(value)) {
    const known = TABLE_NAMES.join(', ')
    throw new CliError(EXIT.refused, `Bilinmeyen tablo: ${value} (${known})`, `Unknown table: ${value} (${known})`)
  }
  return value
}

export async function relayReachable(relay: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(`${relayAddress(relay).http}/health`, { signal: AbortSignal.timeout(timeoutMs) })
    await response.body?.cancel()
    return response.status === 200
  } catch {
    return false
  }
}

export function tokenValid(acc: DeviceAccount): boolean {
  return acc.token !== undefined && (acc.expiresAt ?? 0) > Date.now()
}

/** Whether this command can talk to the relay: a token that has not expired, and the relay answering. */
export async function online(acc: DeviceAccount): Promise<boolean> {
  return tokenValid(acc) && (await relayReachable(acc.relay, 5000))
}
