/**
 * What the engine needs from the device: somewhere to keep each document's updates, the marks
 * of local changes not yet durable on the relay, and the account that last signed in. The engine
 * takes a LocalStore as a parameter so its core builds for browsers (indexedDbStore.ts) as well
 * as for Node (fileStore.ts).
 */
import type { PendingMark } from './pendingChanges.ts'
import { BilingualError } from '../schema/bilingual.ts'
import type { PublicHoliday } from '../schema/holidays.ts'

export type Role = 'editor' | 'admin'

export interface SessionUser {
  readonly username: string
  readonly role: Role
  /** The region an editor writes; null for the admin. */
  readonly region: string | null
}

export interface RegionAccess {
  readonly slug: string
  readonly name: string
  readonly writable: boolean
}

/** The account remembered on this device, enough to sign in again without the relay. */
export interface DeviceAccount {
  /** The relay's http(s) address as the user gave it (normalized). */
  readonly relay: string
  readonly user: SessionUser
  readonly regions: readonly RegionAccess[]
  /** Salted, slow hash of the password (see signIn.ts); never the password itself. */
  readonly verifier: string
  /**
   * This PC as its sign-ins name it to the relay: an id made once on the device and kept for
   * every account signed in here, and a name people recognise (a host name), if it has one.
   */
  readonly device?: DeviceIdentity
  /** The last token and its expiry (ms since epoch). Only stores that keep it say so. */
  readonly token?: string
  readonly expiresAt?: number
}

/** Each year's public holidays as the relay last listed them (client/holidayCalendar.ts), by year. */
export type SavedHolidays = Readonly<Record<string, readonly PublicHoliday[]>>

export interface DeviceIdentity {
  readonly id: string
  readonly name: string | null
}

export interface DocumentMeta {
  /** The relay's durable clocks for this device's client ids, as last heard. */
  readonly durable: ReadonlyArray<readonly [client: number, clock: number]>
  /** ISO time this region was last synced with nothing pending, or null. */
  readonly lastSyncedAt: string | null
}

export const EMPTY_META: DocumentMeta = { durable: [], lastSyncedAt: null }

export interface StoredDocument {
  /** Updates to apply to a fresh region doc, oldest first. */
  readonly updates: readonly Uint8Array[]
  /** Marks of local transactions; some may already be covered by `meta.durable`. */
  readonly marks: readonly PendingMark[]
  readonly meta: DocumentMeta
}

export interface DocumentStore {
  load(): Promise<StoredDocument>
  /**
   * Records one transaction's update, with its mark when it was made on this device; the two are
   * stored together so a crash cannot keep one without the other.
   */
  append(update: Uint8Array, mark: PendingMark | null): void
  setMeta(meta: DocumentMeta): void
  /**
   * Replaces everything stored for the region with `updates`, `marks` and `meta` (a rebuilt doc,
   * see client/recovery.ts), atomically: a crash leaves the old content or the new, never a mix.
   * Appends queued before it are dropped; appends after it land after it. `flush()` waits for it.
   */
  replace(updates: readonly Uint8Array[], marks: readonly PendingMark[], meta: DocumentMeta): void
  /** Resolves once everything appended or set so far would survive a crash of this device. */
  flush(): Promise<void>
  close(): Promise<void>
}

/** What a device kept of a region before documents were split by month (round 1): one doc. */
export interface RoundOneCopy {
  readonly region: string
  readonly stored: StoredDocument
}

export interface LocalStore {
  /** A document's store (schema/periods.ts names: `ankara`, `ankara/2026-11`). */
  openDocument(name: string): Promise<DocumentStore>
  /**
   * Documents that may hold edits the relay does not have yet, as last written: the engine opens
   * them at every start whatever month is shown, so no unsynced edit waits in a closed month.
   */
  readUnsyncedDocuments(): Promise<string[]>
  /** The documents of `region` kept on this device (what the CLI's `sql` reads besides the open ones). */
  listDocuments(region: string): Promise<string[]>
  writeUnsyncedDocuments(names: readonly string[]): Promise<void>
  /** The region's round-1 copy, if this device still has one (client/migrateCopy.ts). */
  readRoundOneCopy(region: string): Promise<RoundOneCopy | undefined>
  /** Sets the round-1 copy aside as a backup once migrated; it is never read again. */
  retireRoundOneCopy(region: string): Promise<void>
  readAccount(): Promise<DeviceAccount | undefined>
  writeAccount(account: DeviceAccount): Promise<void>
  /**
   * The SQLite mirror as last saved (crdt/mirror.ts saveFile), undefined when none. It is a cache
   * of the documents and of the relay's renderings: whatever it holds, garbage included, is
   * checked by openMirror, and a bad one only means a cold start.
   */
  readMirror(): Promise<Uint8Array | undefined>
  /** Replaces the saved mirror so that a crash leaves the old file or the new one, never a mix. */
  writeMirror(bytes: Uint8Array): Promise<void>
  /** The relay's holiday lists as last saved; a cache, checked by its reader (undefined when none). */
  readHolidays(): Promise<unknown>
  writeHolidays(years: SavedHolidays): Promise<void>
  close(): Promise<void>
}

/** The local store failed or holds data the client cannot use; the message is bilingual. */
export class LocalStoreError extends BilingualError {
  constructor(tr: string, en: string, options?: { cause?: unknown }) {
    super({ tr, en }, { cause: options?.cause })
    this.name = 'LocalStoreError'
  }
}
