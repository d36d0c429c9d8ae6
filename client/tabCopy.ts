/**
 * The documents of one offline copy shared between the tabs of a browser (client/tabLock.ts says
 * which tab writes). The writer's engine runs over IndexedDB through `sharingStore`, which tells
 * the other tabs about each batch of updates once IndexedDB has committed it; a follower's engine
 * runs over `followerStore`, which keeps nothing, and its documents take what the writer sends.
 * So a follower shows only what is on the device, never writes the device itself, and loses
 * nothing when it drops its copy to open the device's as the next writer.
 */
import * as Y from 'yjs'
import { BilingualError } from '../schema/bilingual.ts'
import { parseDocumentName } from '../schema/periods.ts'
import type { SyncEngine } from './engine.ts'
import { followDocuments } from './followDocuments.ts'
import { EMPTY_META, type DocumentMeta, type DocumentStore, type LocalStore, type StoredDocument } from './localStore.ts'
import type { PendingMark } from './pendingChanges.ts'
import type { Session } from './signIn.ts'
import type { TabLink, WantedDocument } from './tabLock.ts'

/** Transaction origin of what a follower applies from the writer tab (no edit of its own). */
export const FROM_WRITER_TAB = Symbol('rainstaff:from-writer-tab')

export interface SharingEvents {
  /** `update` of document `name` is committed to the store. */
  committed(name: string, update: Uint8Array): void
  /** Document `name` was replaced by a rebuilt one (client/recovery.ts) and that is committed. */
  replaced(name: string): void
}

class SharingDocumentStore implements DocumentStore {
  private batch: Uint8Array[] = []
  private scheduled = false

  constructor(
    private readonly name: string,
    private readonly inner: DocumentStore,
    private readonly events: SharingEvents,
  ) {}

  load(): Promise<StoredDocument> {
    return this.inner.load()
  }

  append(update: Uint8Array, mark: PendingMark | null): void {
    this.inner.append(update, mark)
    this.batch.push(update)
    if (this.scheduled) return
    this.scheduled = true
    // The inner store schedules its write of this turn the same way, and first: this then only
    // waits for that one commit, and a burst of edits stays one transaction and one message.
    setTimeout(() => void this.send(), 0)
  }

  setMeta(meta: DocumentMeta): void {
    this.inner.setMeta(meta)
  }

  replace(updates: readonly Uint8Array[], marks: readonly PendingMark[], meta: DocumentMeta): void {
    this.inner.replace(updates, marks, meta)
    // What was batched belongs to the content replaced.
    this.batch = []
    this.inner.flush().then(
      () => this.events.replaced(this.name),
      () => undefined,
    )
  }

  flush(): Promise<void> {
    return this.inner.flush()
  }

  async close(): Promise<void> {
    const sent = this.send()
    await this.inner.close()
    await sent
  }

  private async send(): Promise<void> {
    this.scheduled = false
    const batch = this.batch
    this.batch = []
    if (batch.length === 0) return
    try {
      await this.inner.flush()
    } catch {
      // Not on the device: not for the other tabs either (the engine reports the failed write).
      return
    }
    this.events.committed(this.name, batch.length === 1 ? batch[0] : Y.mergeUpdates(batch))
  }
}

/** The writer tab's store: `store`, with every committed update told to `events`. */
export function sharingStore(store: LocalStore, events: SharingEvents): LocalStore {
  return {
    openDocument: async (name) => new SharingDocumentStore(name, await store.openDocument(name), events),
    readUnsyncedDocuments: () => store.readUnsyncedDocuments(),
    listDocuments: (region) => store.listDocuments(region),
    writeUnsyncedDocuments: (names) => store.writeUnsyncedDocuments(names),
    readRoundOneCopy: (region) => store.readRoundOneCopy(region),
    retireRoundOneCopy: (region) => store.retireRoundOneCopy(region),
    readAccount: () => store.readAccount(),
    writeAccount: (account) => store.writeAccount(account),
    readMirror: () => store.readMirror(),
    writeMirror: (bytes) => store.writeMirror(bytes),
    readHolidays: () => store.readHolidays(),
    writeHolidays: (years) => store.writeHolidays(years),
    close: () => store.close(),
  }
}

/** The writer tab's messages for its followers: what its store commits, and what they ask for. */
export function serveFollowers(engine: SyncEngine, link: TabLink): () => void {
  return link.on((message) => {
    if (message.type === 'want') void answer(engine, link, message.from, message.documents)
  })
}

async function answer(engine: SyncEngine, link: TabLink, to: string, wanted: readonly WantedDocument[]): Promise<void> {
  const names: WantedDocument[] = []
  for (const want of wanted) {
    const parsed = parseDocumentName(want.name)
    if (parsed === undefined || !engine.regions.includes(parsed.region)) continue
    try {
      if (parsed.period !== null) await engine.openPeriod(parsed.region, parsed.period)
      names.push(want)
    } catch {
      // Closing (a hand-over under way): the follower asks the next writer again.
      return
    }
  }
  try {
    // Only what the device holds: the rest reaches the follower once committed.
    await engine.flush()
    for (const { name, stateVector } of names) {
      link.post({ type: 'update', name, update: Y.encodeStateAsUpdate(engine.doc(name), stateVector), to })
    }
  } catch {
    // As above; a state vector that does not decode is a follower's bug and gets no answer.
  }
}

class NothingStored implements DocumentStore {
  load(): Promise<StoredDocument> {
    return Promise.resolve({ updates: [], marks: [], meta: EMPTY_META })
  }
  append(): void {}
  setMeta(): void {}
  replace(): void {}
  flush(): Promise<void> {
    return Promise.resolve()
  }
  close(): Promise<void> {
    return Promise.resolve()
  }
}

/** A follower tab's store: it keeps nothing and lists nothing (the device is the writer's to write). */
export function followerStore(): LocalStore {
  const done = (): Promise<void> => Promise.resolve()
  return {
    openDocument: () => Promise.resolve(new NothingStored()),
    readUnsyncedDocuments: () => Promise.resolve([]),
    listDocuments: () => Promise.resolve([]),
    writeUnsyncedDocuments: done,
    readRoundOneCopy: () => Promise.resolve(undefined),
    retireRoundOneCopy: done,
    readAccount: () => Promise.resolve(undefined),
    writeAccount: done,
    // A follower's mirror is a cold cache that is never kept: the saved one is the writer's to write.
    readMirror: () => Promise.resolve(undefined),
    writeMirror: done,
    readHolidays: () => Promise.resolve(undefined),
    writeHolidays: done,
    close: done,
  }
}

/**
 * The session a follower's engine opens with: the user's, every region read-only (the engine
 * refuses edits before they reach a doc) and no token (it never connects).
 */
export function followerSession(session: Pick<Session, 'relay' | 'user' | 'regions'>): Session {
  const regions = session.regions.map((r) => ({ ...r, writable: false }))
  return {
    relay: session.relay,
    user: session.user,
    regions,
    token: () => null,
    expiresAt: () => null,
    renew: () => Promise.reject(new BilingualError({ tr: 'Bu sekme sunucuya bağlanmaz: başka bir sekmeyi izliyor', en: 'This tab does not connect to the relay: it follows another tab' })),
  }
}

export interface FollowedWriter {
  /** Asks the writer again for every open document (a new writer took over). */
  askAgain(): void
  stop(): void
}

/** Keeps a follower's engine in step with the writer tab: every document it opens is asked for. */
export function followWriter(engine: SyncEngine, link: TabLink): FollowedWriter {
  let asked = new Set<string>()
  let queued = false
  const ask = (name: string): void => {
    asked.add(name)
    if (queued) return
    queued = true
    // One message for the documents a screen opens together.
    queueMicrotask(() => {
      queued = false
      const names = [...asked].filter((n) => engine.documents().includes(n))
      asked = new Set()
      if (names.length > 0) link.post({ type: 'want', documents: names.map((name) => ({ name, stateVector: Y.encodeStateVector(engine.doc(name)) })) })
    })
  }
  const stopDocuments = followDocuments(engine, (name) => ask(name))
  const stopMessages = link.on((message) => {
    if (message.type !== 'update' || (message.to !== undefined && message.to !== link.tab)) return
    if (!engine.documents().includes(message.name)) return
    try {
      Y.applyUpdate(engine.doc(message.name), message.update, FROM_WRITER_TAB)
    } catch {
      console.warn(`rainstaff: an update of ${message.name} from the writer tab could not be applied`)
    }
  })
  return {
    askAgain: () => {
      for (const name of engine.documents()) ask(name)
    },
    stop: () => {
      stopDocuments()
      stopMessages()
    },
  }
}

/** Copies every document of `from` into `to` (a writer becoming a follower keeps showing its data). */
export async function copyDocuments(from: SyncEngine, to: SyncEngine): Promise<void> {
  for (const name of from.documents()) {
    const parsed = parseDocumentName(name)
    if (parsed === undefined || !to.regions.includes(parsed.region)) continue
    if (parsed.period !== null) await to.openPeriod(parsed.region, parsed.period)
    Y.applyUpdate(to.doc(name), Y.encodeStateAsUpdate(from.doc(name)), FROM_WRITER_TAB)
  }
}
