/**
 * The commit log's durability: which commits are fsynced, who waits for which, and the store's
 * sync modes. Docs commits (relay/docs.ts); this module decides when a commit may be called "on
 * disk" and how the disk is asked.
 *
 * Two modes. Until the worker thread runs, SQLite fsyncs every commit before it returns
 * (synchronous=FULL) and acknowledgements follow each commit at once. Once it runs, commits stop
 * waiting for the disk (synchronous=NORMAL: a killed relay process keeps them), the worker fsyncs
 * the write-ahead log in the background, and writers hear "on disk" after the fsync that covers
 * their commit (a crashed machine keeps them). Checkpoints move to the worker too, so no client's
 * commit pays for one.
 */
import type { Compactor } from './compactor.ts'
import { walFile, type Store } from './store.ts'

/** Makes commits survive a machine crash (in the background, off the commit path). */
export interface BackgroundSync {
  /** Fsyncs everything committed before the call. */
  sync(): Promise<void>
  /** The fsync failed: nothing waiting on it was acknowledged. */
  failed(error: unknown): void
}

/** The fsync ledger: commits made, the newest one a completed fsync covers, and who waits. */
export class CommitLog {
  private background: BackgroundSync | null = null
  private commits = 0
  private syncedCommits = 0
  private syncing = false
  private readonly waiting: Array<{ commit: number; fn: () => void }> = []

  /** `lost` runs when a background fsync failed: every doc must be dropped, its writers resend. */
  constructor(private readonly lost: () => void) {}

  /** A commit was made (counted so later fsyncs know what they cover). */
  committed(): void {
    this.commits++
  }

  /** From now on commits are fsynced by `background`; the store must stop fsyncing each itself. */
  startBackground(background: BackgroundSync): void {
    this.background = background
  }

  /**
   * Back to acknowledging each commit directly, once the store fsyncs each commit itself again:
   * `syncNow` fsyncs what is committed so far, then everyone waiting hears about it.
   */
  stopBackground(syncNow: () => void): void {
    if (this.background === null) return
    this.background = null
    if (this.waiting.length === 0) return
    syncNow()
    this.release(this.commits)
  }

  /** Runs `fn` once every commit made so far is fsynced. */
  afterSync(fn: () => void): void {
    if (this.background === null || this.syncedCommits >= this.commits) return fn()
    this.waiting.push({ commit: this.commits, fn })
    this.startSync()
  }

  private startSync(): void {
    const background = this.background
    if (this.syncing || background === null || this.syncedCommits >= this.commits) return
    this.syncing = true
    const covers = this.commits
    background.sync().then(
      () => {
        this.syncing = false
        if (this.background !== background) return
        this.release(covers)
        this.startSync()
      },
      (error: unknown) => {
        this.syncing = false
        if (this.background !== background) return
        // Nobody hears "on disk" for commits whose fsync failed; their writers still hold them
        // and send them again after reconnecting.
        this.waiting.length = 0
        this.lost()
        background.failed(error)
      },
    )
  }

  private release(upto: number): void {
    this.syncedCommits = Math.max(this.syncedCommits, upto)
    const ready = this.waiting.filter((w) => w.commit <= this.syncedCommits)
    const still = this.waiting.filter((w) => w.commit > this.syncedCommits)
    this.waiting.splice(0, this.waiting.length, ...still)
    for (const w of ready) w.fn()
  }
}

export interface SyncModes {
  /** Back to SQLite fsyncing each commit (shutdown, or the worker is gone); idempotent. */
  syncEachCommit(): void
  /** Checkpoints back to SQLite (the worker is going away). */
  stopCheckpoints(): void
}

/**
 * Moves fsyncs and checkpoints to the worker thread once it is ready (the background mode in
 * the module comment). With `synchronous: 'normal'` only checkpoints move: acknowledgements then
 * never waited for an fsync to begin with.
 */
export function startSyncModes(
  store: Store,
  compactor: Compactor,
  log: CommitLog,
  options: { readonly synchronous: 'full' | 'normal'; readonly logLine: (line: string) => void },
): SyncModes {
  let checkpoints: NodeJS.Timeout | undefined
  const stopCheckpoints = (): void => {
    if (checkpoints) clearInterval(checkpoints)
    checkpoints = undefined
    if (store.isOpen) store.setAutoCheckpoint(true)
  }
  const syncEachCommit = (): void => {
    if (!store.isOpen || options.synchronous !== 'full') return
    store.setSynchronous('full')
    log.stopBackground(() => store.syncLog())
  }
  void compactor.ready.then((ok) => {
    if (!ok || !store.isOpen) return
    // A checkpoint fsyncs the database file; left to SQLite it runs inside some commit and every
    // client waiting on that commit pays for it. The worker thread does it in the background.
    store.setAutoCheckpoint(false)
    checkpoints = setInterval(() => {
      compactor.checkpoint(store.file).catch(stopCheckpoints)
    }, 1000)
    checkpoints.unref()
    if (options.synchronous !== 'full') return
    log.startBackground({
      sync: () => compactor.syncFile(walFile(store.file)),
      failed: (error) => {
        options.logLine(`relay: fsync başarısız / fsync failed, every commit is now fsynced in place: ${error instanceof Error ? error.message : error}`)
        syncEachCommit()
      },
    })
    store.setSynchronous('normal')
  })
  return { syncEachCommit, stopCheckpoints }
}
