/**
 * The browser (and Electron renderer) local store, on IndexedDB. Each region doc has its own
 * database in y-indexeddb's layout — an auto-increment `updates` store of Yjs updates and a
 * `custom` key/value store — so y-indexeddb can read it. The engine writes through this module
 * rather than through IndexeddbPersistence because a local update and its pending mark must land
 * in one IndexedDB transaction (with strict durability), which IndexeddbPersistence cannot do.
 * The saved mirror (client/offlineMirror.ts) is one value in a database of its own.
 */
import * as Y from 'yjs'
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
import { relayAddress } from './relayAddress.ts'
import { parseDocumentName } from '../schema/periods.ts'
import { isRegionSlug } from '../schema/regions.ts'

const UPDATES = 'updates'
const CUSTOM = 'custom'
const META_KEY = 'rainstaff:meta'
const ACCOUNT_KEY = 'rainstaff:account'
const MARK_PREFIX = 'rainstaff:mark:'
const UNSYNCED_KEY = 'rainstaff:unsynced-documents'
const RETIRED_KEY = 'rainstaff:round1-retired'
/** The saved mirror's database (no region slug starts with a dot) and its one key. */
const MIRROR_DATABASE = '.mirror'
const MIRROR_KEY = 'rainstaff:mirror'
const HOLIDAYS_KEY = 'rainstaff:holidays'

export interface IndexedDbStoreOptions {
  /** Database name prefix; one device can hold several (e.g. per relay). Default `rainstaff`. */
  readonly name?: string
  /** The IndexedDB factory; the global one when absent. */
  readonly indexedDB?: IDBFactory
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

function completed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onerror = () => reject(tx.error)
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'))
  })
}

function openDatabase(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  const req = factory.open(name)
  req.onupgradeneeded = () => {
    const db = req.result
    if (!db.objectStoreNames.contains(UPDATES)) db.createObjectStore(UPDATES, { autoIncrement: true })
    if (!db.objectStoreNames.contains(CUSTOM)) db.createObjectStore(CUSTOM)
  }
  return request(req)
}

function writeTransaction(db: IDBDatabase): IDBTransaction {
  // Strict durability: an edit the UI showed as saved must survive the tab or the OS crashing.
  return db.transaction([UPDATES, CUSTOM], 'readwrite', { durability: 'strict' })
}

function markKey(mark: PendingMark): string {
  return `${MARK_PREFIX}${mark.client}:${mark.clock}`
}

function parseMark(key: IDBValidKey): PendingMark | undefined {
  if (typeof key !== 'string' || !key.startsWith(MARK_PREFIX)) return undefined
  const [client, clock] = key.slice(MARK_PREFIX.length).split(':').map(Number)
  return Number.isSafeInteger(client) && Number.isSafeInteger(clock) ? { client, clock } : undefined
}

type Pending =
  | { readonly update: Uint8Array; readonly mark: PendingMark | null }
  | { readonly meta: DocumentMeta }
  | { readonly replace: { updates: readonly Uint8Array[]; marks: readonly PendingMark[]; meta: DocumentMeta } }

class IndexedDbDocumentStore implements DocumentStore {
  private queue: Pending[] = []
  private scheduled = false
  private last: Promise<void> = Promise.resolve()

  constructor(
    private readonly db: IDBDatabase,
    private readonly stored: StoredDocument,
  ) {}

  load(): Promise<StoredDocument> {
    return Promise.resolve(this.stored)
  }

  append(update: Uint8Array, mark: PendingMark | null): void {
    this.enqueue({ update, mark })
  }

  setMeta(meta: DocumentMeta): void {
    this.enqueue({ meta })
  }

  replace(updates: readonly Uint8Array[], marks: readonly PendingMark[], meta: DocumentMeta): void {
    // Whatever was queued belongs to the content being replaced.
    this.queue = []
    this.enqueue({ replace: { updates, marks, meta } })
  }

  flush(): Promise<void> {
    this.write()
    return this.last
  }

  async close(): Promise<void> {
    await this.flush()
    this.db.close()
  }

  private enqueue(item: Pending): void {
    this.queue.push(item)
    if (!this.scheduled) {
      this.scheduled = true
      // One transaction for every edit of this turn: a burst of edits is one commit.
      setTimeout(() => this.write(), 0)
    }
  }

  private write(): void {
    this.scheduled = false
    if (this.queue.length === 0) return
    const batch = this.queue
    this.queue = []
    const tx = writeTransaction(this.db)
    const updates = tx.objectStore(UPDATES)
    const custom = tx.objectStore(CUSTOM)
    for (const item of batch) {
      if ('replace' in item) {
        // One transaction clears and refills both stores: a crash keeps the old content or the new.
        updates.clear()
        custom.delete(IDBKeyRange.bound(MARK_PREFIX, MARK_PREFIX + '\uffff'))
        for (const update of item.replace.updates) updates.add(update)
        for (const mark of item.replace.marks) custom.put(1, markKey(mark))
        custom.put(item.replace.meta, META_KEY)
      } else if ('meta' in item) {
        custom.put(item.meta, META_KEY)
      } else {
        updates.add(item.update)
        if (item.mark !== null) custom.put(1, markKey(item.mark))
      }
    }
    const done = completed(tx).catch((error: unknown) => {
      throw new LocalStoreError('Yerel değişiklik kaydedilemedi', 'Could not save a local change', { cause: error })
    })
    this.last = this.last.then(() => done)
  }
}

export class IndexedDbStore implements LocalStore {
  private readonly factory: IDBFactory
  private readonly name: string
  private device: Promise<IDBDatabase> | null = null

  constructor(options: IndexedDbStoreOptions = {}) {
    const factory = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB
    if (factory === undefined) throw new LocalStoreError('Bu ortamda IndexedDB yok', 'IndexedDB is not available here')
    this.factory = factory
    this.name = options.name ?? 'rainstaff'
  }

  /** Document `name`'s database: `<prefix>/<region>/master` or `<prefix>/<region>/<YYYY-MM>`. */
  private databaseOf(name: string): string {
    const parsed = parseDocumentName(name)
    if (parsed === undefined) throw new LocalStoreError(`Geçersiz belge adı: ${name}`, `Invalid document name: ${name}`)
    return `${this.name}/${parsed.region}/${parsed.period ?? 'master'}`
  }

  async openDocument(name: string): Promise<DocumentStore> {
    const db = await openDatabase(this.factory, this.databaseOf(name))
    const stored = await readStored(db, true)
    return new IndexedDbDocumentStore(db, stored)
  }

  async readUnsyncedDocuments(): Promise<string[]> {
    const db = await this.deviceDb()
    const value: unknown = await request(db.transaction([CUSTOM], 'readonly').objectStore(CUSTOM).get(UNSYNCED_KEY))
    return Array.isArray(value) ? value.filter((n): n is string => typeof n === 'string' && parseDocumentName(n) !== undefined) : []
  }

  async listDocuments(region: string): Promise<string[]> {
    const prefix = `${this.name}/${region}/`
    const names: string[] = []
    for (const info of await this.factory.databases()) {
      if (info.name === undefined || !info.name.startsWith(prefix)) continue
      const rest = info.name.slice(prefix.length)
      const name = rest === 'master' ? region : `${region}/${rest}`
      if (parseDocumentName(name) !== undefined) names.push(name)
    }
    return names.sort()
  }

  async writeUnsyncedDocuments(names: readonly string[]): Promise<void> {
    const db = await this.deviceDb()
    const tx = db.transaction([CUSTOM], 'readwrite', { durability: 'strict' })
    tx.objectStore(CUSTOM).put([...names], UNSYNCED_KEY)
    await completed(tx)
  }

  /** Round 1 kept a region in the database `<prefix>/<region>`; one retired carries RETIRED_KEY. */
  async readRoundOneCopy(region: string): Promise<RoundOneCopy | undefined> {
    if (!isRegionSlug(region) || !(await this.databaseExists(`${this.name}/${region}`))) return undefined
    const db = await openDatabase(this.factory, `${this.name}/${region}`)
    try {
      const retired = await request(db.transaction([CUSTOM], 'readonly').objectStore(CUSTOM).get(RETIRED_KEY))
      return retired === undefined ? { region, stored: await readStored(db, false) } : undefined
    } finally {
      db.close()
    }
  }

  async retireRoundOneCopy(region: string): Promise<void> {
    if (!(await this.databaseExists(`${this.name}/${region}`))) return
    const db = await openDatabase(this.factory, `${this.name}/${region}`)
    try {
      // Kept as it was, as a backup: only marked, so it is not migrated twice.
      const tx = writeTransaction(db)
      tx.objectStore(CUSTOM).put(new Date().toISOString(), RETIRED_KEY)
      await completed(tx)
    } finally {
      db.close()
    }
  }

  async readAccount(): Promise<DeviceAccount | undefined> {
    const db = await this.deviceDb()
    const value = await request(db.transaction([CUSTOM], 'readonly').objectStore(CUSTOM).get(ACCOUNT_KEY))
    return (value as DeviceAccount | undefined) ?? undefined
  }

  async writeAccount(account: DeviceAccount): Promise<void> {
    const db = await this.deviceDb()
    const tx = db.transaction([CUSTOM], 'readwrite', { durability: 'strict' })
    tx.objectStore(CUSTOM).put(account, ACCOUNT_KEY)
    await completed(tx)
  }

  async readHolidays(): Promise<unknown> {
    const db = await this.deviceDb()
    return request(db.transaction([CUSTOM], 'readonly').objectStore(CUSTOM).get(HOLIDAYS_KEY))
  }

  async writeHolidays(years: SavedHolidays): Promise<void> {
    const db = await this.deviceDb()
    const tx = db.transaction([CUSTOM], 'readwrite', { durability: 'relaxed' })
    tx.objectStore(CUSTOM).put(years, HOLIDAYS_KEY)
    await completed(tx)
  }

  async readMirror(): Promise<Uint8Array | undefined> {
    if (!(await this.databaseExists(`${this.name}/${MIRROR_DATABASE}`))) return undefined
    const db = await openDatabase(this.factory, `${this.name}/${MIRROR_DATABASE}`)
    try {
      const value: unknown = await request(db.transaction([CUSTOM], 'readonly').objectStore(CUSTOM).get(MIRROR_KEY))
      return value instanceof Uint8Array ? value : value instanceof ArrayBuffer ? new Uint8Array(value) : undefined
    } finally {
      db.close()
    }
  }

  async writeMirror(bytes: Uint8Array): Promise<void> {
    const db = await openDatabase(this.factory, `${this.name}/${MIRROR_DATABASE}`)
    try {
      // One put replaces the whole file atomically. Relaxed durability: it is a cache, and a lost
      // save only means re-reading what changed since the one before.
      const tx = db.transaction([CUSTOM], 'readwrite', { durability: 'relaxed' })
      tx.objectStore(CUSTOM).put(bytes, MIRROR_KEY)
      await completed(tx)
    } finally {
      db.close()
    }
  }

  async close(): Promise<void> {
    if (this.device !== null) (await this.device).close()
    this.device = null
  }

  private deviceDb(): Promise<IDBDatabase> {
    this.device ??= openDatabase(this.factory, `${this.name}/device`)
    return this.device
  }

  private async databaseExists(name: string): Promise<boolean> {
    const list = await this.factory.databases()
    return list.some((info) => info.name === name)
  }
}

/** Reads a document's database; `compact` merges its updates and drops covered marks in place. */
async function readStored(db: IDBDatabase, compact: boolean): Promise<StoredDocument> {
  const read = db.transaction([UPDATES, CUSTOM], 'readonly')
  const [updates, updateKeys, customKeys, meta] = await Promise.all([
    request(read.objectStore(UPDATES).getAll()) as Promise<Uint8Array[]>,
    request(read.objectStore(UPDATES).getAllKeys()),
    request(read.objectStore(CUSTOM).getAllKeys()),
    request(read.objectStore(CUSTOM).get(META_KEY)) as Promise<DocumentMeta | undefined>,
  ])
  const regionMeta = meta ?? EMPTY_META
  const durable = new Map(regionMeta.durable)
  const marks: PendingMark[] = []
  const covered: string[] = []
  for (const key of customKeys) {
    const mark = parseMark(key)
    if (mark === undefined) continue
    if (isCovered(mark, durable)) covered.push(key as string)
    else marks.push(mark)
  }
  marks.sort((a, b) => a.client - b.client || a.clock - b.clock)
  let merged: Uint8Array[] = updates.map((u) => new Uint8Array(u))
  if (compact && (updates.length > 1 || covered.length > 0)) {
    // Compaction on open, in one transaction: the merged snapshot replaces exactly what was read.
    merged = updates.length > 1 ? [Y.mergeUpdates(merged)] : merged
    const tx = writeTransaction(db)
    if (updates.length > 1) {
      const store = tx.objectStore(UPDATES)
      for (const key of updateKeys) store.delete(key)
      store.add(merged[0])
    }
    for (const key of covered) tx.objectStore(CUSTOM).delete(key)
    await completed(tx)
  } else if (updates.length > 1) {
    merged = [Y.mergeUpdates(merged)]
  }
  return { updates: merged, marks, meta: regionMeta }
}

/** The database name prefix for one relay: two relays' data never mix on one device. */
export function databaseName(relay: string): string {
  return `rainstaff:${relayAddress(relay).http}`
}

/** Opens the store; a string is the database name prefix (see databaseName). */
export function openIndexedDbStore(options: IndexedDbStoreOptions | string = {}): IndexedDbStore {
  return new IndexedDbStore(typeof options === 'string' ? { name: options } : options)
}
