/**
 * Which months the engine closes again. A month opened on demand (its screen, a report, an edit
 * of an old record) is a document and a WebSocket; an admin stepping through years would
 * otherwise collect them until the relay refuses the account's next connection (4529, 32 per
 * account by default). So a month that may close — not the master, not this month or the last,
 * nothing pending (the engine decides that) — closes once it has not been used for `idleMs`, and
 * beyond `maxOpen` such months the least recently used one closes at once. Its local copy stays
 * on the device and its rows stay in the mirror (client/offlineMirror.ts), so nothing is lost
 * but the open connection.
 */
import type { ConnectionStatus } from './regionSync.ts'

export interface IdleMonthOptions {
  /** A month unused this long closes (default 5 minutes). */
  readonly idleMs?: number
  /** At most this many months that may close stay open (default 8). */
  readonly maxOpen?: number
}

/** A month open on demand, as the engine sees it. */
export interface OpenMonth {
  readonly name: string
  readonly connection: ConnectionStatus
}

export const DEFAULT_IDLE_MONTH_MS = 5 * 60_000
export const DEFAULT_MAX_OPEN_MONTHS = 8

export class IdleMonths {
  readonly idleMs: number
  readonly maxOpen: number
  private readonly used = new Map<string, number>()

  constructor(options: IdleMonthOptions = {}) {
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MONTH_MS
    this.maxOpen = options.maxOpen ?? DEFAULT_MAX_OPEN_MONTHS
  }

  /** Document `name` was opened, asked for again or edited. */
  touch(name: string): void {
    this.used.set(name, Date.now())
  }

  forget(name: string): void {
    this.used.delete(name)
  }

  /** How often to look for idle months: often enough that one closes soon after its time. */
  get checkEveryMs(): number {
    return Math.max(10, Math.min(60_000, Math.floor(this.idleMs / 4)))
  }

  /**
   * The months to close now: those unused for idleMs, and those beyond the maxOpen most recently
   * used. A month still fetching what the relay has (connecting while `syncing`) only closes when
   * idle: closing it to make room would drop the connection it is about to finish with.
   */
  toClose<T extends OpenMonth>(months: readonly T[], closable: (month: T) => boolean, syncing: boolean, now = Date.now()): string[] {
    const lastUse = (name: string): number => this.used.get(name) ?? 0
    const newestFirst = [...months].sort((a, b) => lastUse(b.name) - lastUse(a.name))
    return newestFirst
      .filter((month, rank) => {
        // `closable`: nothing pending, loaded, not kept open for another reason.
        if (!closable(month)) return false
        if (now - lastUse(month.name) >= this.idleMs) return true
        const settled = !syncing || month.connection === 'synced' || month.connection === 'failed'
        return rank >= this.maxOpen && settled
      })
      .map((month) => month.name)
  }
}
