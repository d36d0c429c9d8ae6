/**
 * The Node local store: a state directory holding `session.json` (the device account, mode 0600:
 * it holds a short-lived token), `mirror.sqlite3` (the saved mirror, client/offlineMirror.ts) and
 * `docs/<region>/<master|YYYY-MM>.ylog`, one update log per
 * document (see updateLog.ts). Appends are group-committed: everything appended in one turn of the event loop
 * is written and fsynced together, and `flush()` resolves after that fsync. Each log is compacted
 * when opened: merged into one snapshot and written atomically (temp file, fsync, rename).
 *
 * One process at a time owns a state directory (a `lock` file naming its pid), so a `sync`
 * running in one terminal and a `put` in another cannot interleave writes or compactions.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import * as Y from 'yjs'
import { bothLanguages, type Bilingual } from '../schema/bilingual.ts'
import { isRegionSlug } from '../schema/regions.ts'
import { parseDocumentName } from '../schema/periods.ts'
import {
  EMPTY_META,
  LocalStoreError,
  type DeviceAccount,
  type SavedHolidays,
  type LocalStore,
  type RoundOneCopy,
  type DocumentMeta,
  type DocumentStore,
  type StoredDocument,
} from './localStore.ts'
import { isCovered, type PendingMark } from './pendingChanges.ts'
import { marksRecord, metaRecord, readLog, updateRecord, type LogContents } from './updateLog.ts'

export interface FileStoreOptions {
  /** Told about damage that was repaired (a cut-off log tail): the "tr / en" line, and its text as data. */
  readonly onWarning?: (message: string, text: Bilingual) => void
}

const SESSION_FILE = 'session.json'
const LOCK_FILE = 'lock'
const UNSYNCED_FILE = 'unsynced.json'
/** The saved mirror (client/offlineMirror.ts): beside the docs, not among them. */
const MIRROR_FILE = 'mirror.sqlite3'
const HOLIDAYS_FILE = 'holidays.json'

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Writes `bytes` to `file` so a reader sees the old or the new content, never a mix. Owner-only: the docs hold personal data. */
function writeAtomic(file: string, bytes: Uint8Array, mode = 0o600): void {
  const temp = `${file}.tmp`
  // A leftover temp file would keep its old mode; the session file must stay 0600.
  rmSync(temp, { force: true })
  const fd = openSync(temp, 'w', mode)
  try {
    writeSync(fd, bytes)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temp, file)
  fsyncDir(path.dirname(file))
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]
  return Buffer.concat(parts)
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function acquireLock(dir: string): () => void {
  const file = path.join(dir, LOCK_FILE)
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, String(process.pid))
      closeSync(fd)
      return () => rmSync(file, { force: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const pid = Number(readFileSync(file, 'utf8').trim())
      if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
        throw new LocalStoreError(
          `Durum klasörü başka bir işlem tarafından kullanılıyor (pid ${pid}): ${dir}`,
          `The state directory is in use by another process (pid ${pid}): ${dir}`,
        )
      }
      // The owner died without cleaning up: the lock is stale.
      rmSync(file, { force: true })
    }
  }
  throw new LocalStoreError(`Durum klasörü kilitlenemedi: ${dir}`, `Could not lock the state directory: ${dir}`)
}

function compactContents(contents: LogContents, size: number): { bytes: Uint8Array | null; stored: StoredDocument } {
  const durable = new Map(contents.meta.durable)
  const marks = contents.marks.filter((m) => !isCovered(m, durable))
  // Already compact (one snapshot, its marks, its meta) and undamaged: nothing to rewrite.
  if (contents.validBytes === size && contents.updates.length <= 1 && contents.records <= 3 && marks.length === contents.marks.length) {
    return { bytes: null, stored: { updates: contents.updates, marks, meta: contents.meta } }
  }
  const clients = new Set(marks.map((m) => m.client))
  const meta: DocumentMeta = { durable: contents.meta.durable.filter(([client]) => clients.has(client)), lastSyncedAt: contents.meta.lastSyncedAt }
  const updates = contents.updates.length === 0 ? [] : [contents.updates.length === 1 ? contents.updates[0] : Y.mergeUpdates(contents.updates)]
  const records = [...updates.map((u) => updateRecord(u, null)), marksRecord(marks), metaRecord(meta)]
  return { bytes: concat(records), stored: { updates, marks, meta } }
}

class FileDocumentStore implements DocumentStore {
  private queue: Uint8Array[] = []
  /** The whole new content of the log, written before the queue (see replace). */
  private replacement: Uint8Array | null = null
  private waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = []
  private scheduled = false
  private closed = false
  private failure: unknown = null

  constructor(
    private fd: number,
    private readonly file: string,
    private readonly stored: StoredDocument,
    private readonly onClose: () => void,
  ) {}

  load(): Promise<StoredDocument> {
    return Promise.resolve(this.stored)
  }

  append(update: Uint8Array, mark: PendingMark | null): void {
    this.enqueue(updateRecord(update, mark))
  }

  setMeta(meta: DocumentMeta): void {
    this.enqueue(metaRecord(meta))
  }

  replace(updates: readonly Uint8Array[], marks: readonly PendingMark[], meta: DocumentMeta): void {
    if (this.closed) throw new LocalStoreError('Yerel kayıt kapalı', 'The local store is closed')
    this.queue = []
    this.replacement = concat([...updates.map((u) => updateRecord(u, null)), marksRecord(marks), metaRecord(meta)])
    this.schedule()
  }

  flush(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure)
    if (this.queue.length === 0 && this.replacement === null) return Promise.resolve()
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }))
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.write()
    this.closed = true
    closeSync(this.fd)
    this.onClose()
    if (this.failure !== null) throw this.failure
  }

  private enqueue(record: Uint8Array): void {
    if (this.closed) throw new LocalStoreError('Yerel kayıt kapalı', 'The local store is closed')
    this.queue.push(record)
    this.schedule()
  }

  private schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => this.write())
    }
  }

  private write(): void {
    this.scheduled = false
    if ((this.queue.length === 0 && this.replacement === null) || this.closed) return
    const batch = this.queue.length === 0 ? null : concat(this.queue)
    const replacement = this.replacement
    this.queue = []
    this.replacement = null
    const waiters = this.waiters
    this.waiters = []
    try {
      if (replacement !== null) {
        // Temp file, fsync, rename: a crash keeps the old log or the new one. The append fd still
        // points at the old file, so it is reopened on the new one.
        writeAtomic(this.file, replacement)
        closeSync(this.fd)
        this.fd = openSync(this.file, 'a', 0o600)
      }
      if (batch !== null) {
        writeSync(this.fd, batch)
        fsyncSync(this.fd)
      }
      for (const w of waiters) w.resolve()
    } catch (error) {
      this.failure = new LocalStoreError('Yerel değişiklik diske yazılamadı', 'Could not write a local change to disk', { cause: error })
      for (const w of waiters) w.reject(this.failure)
    }
  }
}

export class FileStore implements LocalStore {
  readonly dir: string
  private readonly release: () => void
  private readonly open = new Map<string, FileDocumentStore>()

  constructor(
    dir: string,
    private readonly options: FileStoreOptions = {},
  ) {
    this.dir = path.resolve(dir)
    mkdirSync(path.join(this.dir, 'docs'), { recursive: true, mode: 0o700 })
    this.release = acquireLock(this.dir)
  }

  /** Where document `name` is kept: `docs/<region>/master.ylog` or `docs/<region>/<YYYY-MM>.ylog`. */
  private documentFile(name: string): string {
    const parsed = parseDocumentName(name)
    if (parsed === undefined) throw new LocalStoreError(`Geçersiz belge adı: ${name}`, `Invalid document name: ${name}`)
    return path.join(this.dir, 'docs', parsed.region, `${parsed.period ?? 'master'}.ylog`)
  }

  /** Reads a log, warning about and cutting a damaged tail; `compact` also rewrites it merged. */
  private readStored(file: string, label: string, compact: boolean): StoredDocument {
    if (!existsSync(file)) return { updates: [], marks: [], meta: EMPTY_META }
    const bytes = readFileSync(file)
    const contents = readLog(bytes)
    if (contents.validBytes < bytes.length) {
      const damaged = bytes.length - contents.validBytes
      this.warn({
        tr: `Uyarı: ${label} yerel kaydının sonundaki ${damaged} bayt bozuk, yok sayıldı`,
        en: `Warning: ${damaged} damaged bytes at the end of the local log of ${label} were ignored`,
      })
    }
    // Compacting on open also cuts a damaged tail, so new records never land behind garbage.
    const compacted = compactContents(contents, bytes.length)
    if (compact && compacted.bytes !== null) writeAtomic(file, compacted.bytes)
    return compacted.stored
  }

  async openDocument(name: string): Promise<DocumentStore> {
    const file = this.documentFile(name)
    if (this.open.has(name)) throw new LocalStoreError(`Belge zaten açık: ${name}`, `Document already open: ${name}`)
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
    const stored = this.readStored(file, name, true)
    const fd = openSync(file, 'a', 0o600)
    const store = new FileDocumentStore(fd, file, stored, () => this.open.delete(name))
    this.open.set(name, store)
    return store
  }

  async readUnsyncedDocuments(): Promise<string[]> {
    const file = path.join(this.dir, 'docs', UNSYNCED_FILE)
    if (!existsSync(file)) return []
    try {
      const names: unknown = JSON.parse(readFileSync(file, 'utf8'))
      return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string' && parseDocumentName(n) !== undefined) : []
    } catch {
      return []
    }
  }

  async listDocuments(region: string): Promise<string[]> {
    const dir = path.join(this.dir, 'docs', region)
    if (!isRegionSlug(region) || !existsSync(dir)) return []
    return readdirSync(dir)
      .filter((file) => file.endsWith('.ylog'))
      .map((file) => file.slice(0, -'.ylog'.length))
      .map((base) => (base === 'master' ? region : `${region}/${base}`))
      .filter((name) => parseDocumentName(name) !== undefined)
      .sort()
  }

  async writeUnsyncedDocuments(names: readonly string[]): Promise<void> {
    writeAtomic(path.join(this.dir, 'docs', UNSYNCED_FILE), new TextEncoder().encode(JSON.stringify([...names]) + '\n'))
  }

  /** Round 1 kept a region in `docs/<region>.ylog`. */
  async readRoundOneCopy(region: string): Promise<RoundOneCopy | undefined> {
    if (!isRegionSlug(region)) return undefined
    const file = path.join(this.dir, 'docs', `${region}.ylog`)
    if (!existsSync(file)) return undefined
    return { region, stored: this.readStored(file, region, false) }
  }

  async retireRoundOneCopy(region: string): Promise<void> {
    const file = path.join(this.dir, 'docs', `${region}.ylog`)
    if (!existsSync(file)) return
    renameSync(file, path.join(this.dir, 'docs', `${region}.round1-backup.ylog`))
    fsyncDir(path.join(this.dir, 'docs'))
  }

  async readAccount(): Promise<DeviceAccount | undefined> {
    const file = path.join(this.dir, SESSION_FILE)
    if (!existsSync(file)) return undefined
    try {
      const value: unknown = JSON.parse(readFileSync(file, 'utf8'))
      return isAccount(value) ? value : undefined
    } catch {
      this.warn({ tr: `Uyarı: ${SESSION_FILE} okunamadı; yeniden giriş yapın`, en: `Warning: ${SESSION_FILE} is unreadable; sign in again` })
      return undefined
    }
  }

  async writeAccount(account: DeviceAccount): Promise<void> {
    writeAtomic(path.join(this.dir, SESSION_FILE), new TextEncoder().encode(JSON.stringify(account, null, 2) + '\n'), 0o600)
  }

  async readMirror(): Promise<Uint8Array | undefined> {
    let handle: FileHandle
    try {
      handle = await open(path.join(this.dir, MIRROR_FILE), 'r')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    }
    try {
      // One read of the whole file off the event loop (readFile's small chunks each wait for a
      // busy loop): a saved mirror of years is ~100 MB, and the documents load meanwhile.
      const { size } = await handle.stat()
      const bytes = Buffer.allocUnsafe(size)
      let at = 0
      while (at < size) {
        const { bytesRead } = await handle.read(bytes, at, size - at, at)
        if (bytesRead === 0) break
        at += bytesRead
      }
      return bytes.subarray(0, at)
    } finally {
      await handle.close()
    }
  }

  async writeMirror(bytes: Uint8Array): Promise<void> {
    writeAtomic(path.join(this.dir, MIRROR_FILE), bytes)
  }

  async readHolidays(): Promise<unknown> {
    try {
      return JSON.parse(readFileSync(path.join(this.dir, HOLIDAYS_FILE), 'utf8')) as unknown
    } catch {
      // Missing or unreadable: the computed calendar stands in until the relay is heard again.
      return undefined
    }
  }

  async writeHolidays(years: SavedHolidays): Promise<void> {
    writeAtomic(path.join(this.dir, HOLIDAYS_FILE), new TextEncoder().encode(JSON.stringify(years) + '\n'))
  }

  async close(): Promise<void> {
    const errors: unknown[] = []
    for (const store of [...this.open.values()]) await store.close().catch((e: unknown) => errors.push(e))
    this.release()
    if (errors.length > 0) throw errors[0]
  }

  private warn(text: Bilingual): void {
    this.options.onWarning?.(bothLanguages(text), text)
  }

  /** Size in bytes of a document's log (tests, status). */
  logBytes(name: string): number {
    const file = this.documentFile(name)
    return existsSync(file) ? statSync(file).size : 0
  }
}

function isAccount(value: unknown): value is DeviceAccount {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  const user = v.user as Record<string, unknown> | undefined
  return (
    typeof v.relay === 'string' &&
    typeof v.verifier === 'string' &&
    Array.isArray(v.regions) &&
    typeof user === 'object' &&
    user !== null &&
    typeof user.username === 'string' &&
    (user.role === 'editor' || user.role === 'admin')
  )
}

export function openFileStore(dir: string, options: FileStoreOptions = {}): FileStore {
  return new FileStore(dir, options)
}
