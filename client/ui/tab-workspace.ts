/**
 * One account's tabs in one browser share one offline copy. The tab holding the writer's Web Lock
 * (client/tabLock.ts) runs the engine over IndexedDB as a lone tab would; every other tab follows
 * it read-only (client/ui/follower-workspace.ts) and never writes the device. A follower becomes
 * the writer when the user asks ("Bu sekmede çalış": the writer stores everything, closes its
 * engine and follows in turn) or when the writer tab closes or crashes (the browser passes the
 * lock on). Followers make no edits, so a hand-over has nothing of theirs to lose, and the new
 * writer opens its engine from IndexedDB, where every edit of the old writer already is: an edit
 * is neither lost nor made twice. Without Web Locks (a page not in a secure context) a tab works
 * alone, as before.
 */
import { ObservableV2 } from 'lib0/observable'
import { BilingualError, bilingualOf, type Bilingual } from '../../schema/bilingual.ts'
import { databaseName, openIndexedDbStore, type IndexedDbStore } from '../indexedDbStore.ts'
import type { LocalStore } from '../localStore.ts'
import { relayAddress } from '../relayAddress.ts'
import { sessionFromAccount, SignInError, type Session } from '../signIn.ts'
import { copyDocuments, sharingStore, serveFollowers, type FollowedWriter } from '../tabCopy.ts'
import type { HeldLock, TabLink, TabMessage } from '../tabLock.ts'
import { followerWorkspace, writerStatus, type Following } from './follower-workspace.ts'
import { tokenKeeper } from './remembered-session.ts'
import { workspaceFor, type Workspace } from './workspace.ts'

/** How long a tab that found the lock taken waits for the writer tab to say who it is. */
const WRITER_ANSWER_MS = 20_000

const OTHER_USER: Bilingual = {
  tr: 'Bu tarayıcının başka bir sekmesinde başka bir kullanıcı çalışıyor: önce orada çıkış yapın',
  en: 'Another user works in another tab of this browser: sign out there first',
}
const NO_ANSWER: Bilingual = {
  tr: 'Bu hesap başka bir sekmede açık ama o sekme yanıt vermiyor: o sekmeyi yenileyin ya da kapatın',
  en: 'This account is open in another tab, but that tab does not answer: reload or close it',
}
export const SIGNED_OUT_ELSEWHERE: Bilingual = { tr: 'Başka bir sekmede çıkış yapıldı', en: 'Signed out in another tab' }

export interface Identity {
  /** The relay's http(s) address. */
  readonly relay: string
  readonly username: string
  /** Typed at sign-in; null for a remembered session. */
  readonly password: string | null
  readonly remember: boolean
}

export interface TabEvents {
  /** The workspace was replaced, or `takingOver` or `problem` changed. */
  change: () => void
  /** The account signed out in another tab (or another user took it over): this tab did too. */
  'signed-out': (reason: Bilingual) => void
}

/** The writer's engine store: the device's, with each committed update sent to the followers. */
export function sharing(link: TabLink): (store: IndexedDbStore) => LocalStore {
  return (store) =>
    sharingStore(store, {
      committed: (name, update) => link.post({ type: 'update', name, update }),
      replaced: (name) => link.post({ type: 'reset', name }),
    })
}

export class TabWorkspace extends ObservableV2<TabEvents> {
  /** After "Bu sekmede çalış", until this tab writes (or another tab asked after it). */
  takingOver = false
  /** Why this tab could not become the writer (bilingual); shown with the follower's banner. */
  problem: Bilingual | null = null
  private held: HeldLock | undefined
  private waiting: AbortController | undefined
  /** A tab that asked to write: should the lock reach this tab first, it goes on to that one. */
  private handOverTo: string | null = null
  private followed: FollowedWriter | undefined
  private stopWriting: () => void = () => undefined
  private steps: Promise<void> = Promise.resolve()
  private ended = false
  /** Settles a new follower's wait for the writer to say who it is. */
  private confirm: { resolve(): void; reject(error: unknown): void } | undefined

  private constructor(
    public workspace: Workspace,
    private readonly identity: Identity,
    private readonly link: TabLink | undefined,
  ) {
    super()
    link?.on(this.onMessage)
  }

  /** A tab that holds the lock, with its workspace opened over the sharing store. */
  static writing(workspace: Workspace, identity: Identity, link: TabLink | undefined, held?: HeldLock): TabWorkspace {
    const tab = new TabWorkspace(workspace, identity, link)
    if (held !== undefined) tab.write(held, workspace)
    return tab
  }

  /** A tab that found the lock taken: it follows once the writer says it is this user. */
  static async following(link: TabLink, identity: Identity, seat: Pick<Session, 'relay' | 'user' | 'regions'>, online: boolean): Promise<TabWorkspace> {
    const following = await followerWorkspace(link, seat, online)
    const tab = new TabWorkspace(following.workspace, identity, link)
    tab.followed = following.writer
    const confirmed = new Promise<void>((resolve, reject) => (tab.confirm = { resolve, reject }))
    const timer = setTimeout(() => tab.confirm?.reject(new BilingualError(NO_ANSWER)), WRITER_ANSWER_MS)
    tab.queue()
    link.post({ type: 'hello' })
    try {
      await confirmed
    } catch (error) {
      await tab.close()
      throw error
    } finally {
      clearTimeout(timer)
      tab.confirm = undefined
    }
    return tab
  }

  get role(): Workspace['role'] {
    return this.workspace.role
  }

  /** "Bu sekmede çalış": the writer tab stores everything and hands the lock to this one. */
  takeOver(): void {
    if (this.link === undefined || this.held !== undefined || this.ended) return
    this.takingOver = true
    this.problem = null
    this.handOverTo = null
    this.emit('change', [])
    this.link.post({ type: 'take-over' })
    this.queue()
  }

  flush(): Promise<void> {
    return this.workspace.flush()
  }

  /** The shell's view of this tab (workspace-controller.ts Seat): its changes and its sign-out elsewhere. */
  follow(onChange: () => void, onSignedOut: (reason: Bilingual) => void): () => void {
    this.on('change', onChange)
    this.on('signed-out', onSignedOut)
    return () => {
      this.off('change', onChange)
      this.off('signed-out', onSignedOut)
    }
  }

  /** Signs out this tab and every other tab of the account (they share the remembered session). */
  signOut(): Promise<void> {
    this.link?.post({ type: 'sign-out' })
    return this.step(() => this.end((ws) => ws.signOut()))
  }

  close(): Promise<void> {
    return this.step(() => this.end((ws) => ws.close()))
  }

  private readonly onMessage = (message: TabMessage): void => {
    switch (message.type) {
      case 'hello':
        if (this.held !== undefined && this.role === 'writer') this.announce()
        return
      case 'writer':
        this.handOverTo = null
        if (this.held !== undefined) return
        if (message.username !== this.identity.username) return this.leave(OTHER_USER)
        this.confirm?.resolve()
        this.followed?.askAgain()
        if (this.takingOver) this.settleTakeOver()
        return
      case 'reset':
        if (this.role === 'follower') this.later(() => this.refollow())
        return
      case 'take-over':
        this.handOverTo = message.from
        if (this.takingOver) this.settleTakeOver()
        if (this.held !== undefined) this.later(() => this.handOver())
        return
      case 'sign-out':
        return this.leave(SIGNED_OUT_ELSEWHERE)
      default:
        // 'want', 'update' and 'state' are the copy's (client/tabCopy.ts, follower-workspace.ts).
        return
    }
  }

  /** Another tab writes now (or asked after this one): this one goes on following. */
  private settleTakeOver(): void {
    this.takingOver = false
    this.emit('change', [])
  }

  /** Role changes one after the other: each starts from where the last one left the tab. */
  private step(task: () => Promise<void>): Promise<void> {
    const next = this.steps.then(task)
    this.steps = next.catch((error: unknown) => console.error('rainstaff: tab', error))
    return next
  }

  /** A step nobody waits for (its failure is logged by `step`). */
  private later(task: () => Promise<void>): void {
    this.step(task).catch(() => undefined)
  }

  private queue(): void {
    if (this.link === undefined || this.waiting !== undefined || this.held !== undefined || this.ended) return
    const waiting = new AbortController()
    this.waiting = waiting
    this.link.waitLock(waiting.signal).then(
      (held) => {
        if (this.waiting === waiting) this.waiting = undefined
        if (held !== undefined) this.later(() => this.granted(held))
      },
      (error: unknown) => {
        if (this.waiting === waiting) this.waiting = undefined
        console.error('rainstaff: tab lock', error)
      },
    )
  }

  private announce(): void {
    this.link?.post({ type: 'writer', username: this.identity.username })
    this.link?.post({ type: 'state', status: writerStatus(this.workspace) })
  }

  private write(held: HeldLock, ws: Workspace): void {
    this.held = held
    this.workspace = ws
    const link = this.link
    if (link === undefined) return
    let queued = false
    const stopStatus = ws.status.follow(() => {
      if (queued) return
      queued = true
      queueMicrotask(() => {
        queued = false
        if (this.workspace === ws) link.post({ type: 'state', status: writerStatus(ws) })
      })
    })
    const stopServing = serveFollowers(ws.engine, link)
    this.stopWriting = () => {
      stopStatus()
      stopServing()
      this.stopWriting = () => undefined
    }
    this.announce()
  }

  /** The lock reached this tab: the writer closed, crashed or handed over. */
  private async granted(held: HeldLock): Promise<void> {
    const link = this.link
    if (this.ended || link === undefined) return held.release()
    if (this.handOverTo !== null) {
      // Another tab asked to write and waits behind this one: the lock goes on to it.
      this.handOverTo = null
      held.release()
      this.queue()
      return
    }
    // Held from now on: a take-over asked while the engine opens is handled once it has.
    this.held = held
    const store = openIndexedDbStore(databaseName(this.identity.relay))
    let ws: Workspace
    try {
      ws = await workspaceFor(await this.deviceSession(store), this.workspace.signedInOnline, store, this.identity.relay, this.identity.username, sharing(link)(store))
    } catch (error) {
      await store.close().catch(() => undefined)
      this.held = undefined
      held.release()
      this.takingOver = false
      this.problem = bilingualOf(error) ?? { tr: String(error), en: String(error) }
      this.confirm?.reject(error)
      this.emit('change', [])
      return
    }
    const old = this.workspace
    this.followed?.stop()
    this.followed = undefined
    this.takingOver = false
    this.problem = null
    this.write(held, ws)
    this.confirm?.resolve()
    this.emit('change', [])
    await old.close()
  }

  /** The writer's session from the device account, whose token the writer tab kept renewed. */
  private async deviceSession(store: IndexedDbStore): Promise<Session> {
    const { relay, username, password, remember } = this.identity
    const account = await store.readAccount()
    if (account === undefined || account.user.username !== username || relayAddress(account.relay).http !== relay) throw new SignInError('no_account')
    // Without a token the relay accepts, the password typed in this tab logs in again.
    return sessionFromAccount(account, password, remember ? { onToken: tokenKeeper(store) } : {})
  }

  /** Another tab asked to write: store everything, follow, and let the lock go. */
  private async handOver(): Promise<void> {
    const held = this.held
    const link = this.link
    if (held === undefined || link === undefined || this.ended || this.role !== 'writer') return
    const old = this.workspace
    this.stopWriting()
    let next: Following
    try {
      next = await followerWorkspace(link, old.session, old.signedInOnline, writerStatus(old))
      await copyDocuments(old.engine, next.workspace.engine)
    } catch (error) {
      // This tab cannot show a follower's copy: it keeps writing, and the other tab hears so.
      console.error('rainstaff: hand-over', error)
      this.write(held, old)
      return
    }
    this.held = undefined
    this.workspace = next.workspace
    this.followed = next.writer
    this.emit('change', [])
    try {
      // Closing the engine writes whatever it still queues: the next writer opens all of it.
      await old.close()
    } finally {
      held.release()
      this.queue()
    }
  }

  /** The writer rebuilt a document (client/recovery.ts): the copy starts again from the writer's. */
  private async refollow(): Promise<void> {
    const link = this.link
    if (link === undefined || this.ended || this.role !== 'follower') return
    const old = this.workspace
    const next = await followerWorkspace(link, old.session, old.signedInOnline, writerStatus(old))
    this.followed?.stop()
    this.workspace = next.workspace
    this.followed = next.writer
    this.emit('change', [])
    await old.close()
  }

  private leave(reason: Bilingual): void {
    if (this.confirm !== undefined) return this.confirm.reject(new BilingualError(reason))
    this.later(async () => {
      try {
        await this.end((ws) => ws.signOut())
      } finally {
        this.emit('signed-out', [reason])
      }
    })
  }

  private async end(how: (ws: Workspace) => Promise<void>): Promise<void> {
    if (this.ended) return
    this.ended = true
    this.stopWriting()
    this.followed?.stop()
    this.waiting?.abort()
    try {
      await how(this.workspace)
    } finally {
      this.held?.release()
      this.held = undefined
      this.link?.close()
    }
  }
}
