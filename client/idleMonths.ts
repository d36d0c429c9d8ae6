/**
 * Which months the engine closes again. A month opened on demand (its screen, a report, an edit
 * of an old record) is a document and a WebSocket; a user going through old months would otherwise
 * collect them until the relay refuses the account's next connection (4529, 32 per account by
 * default). So a month that may close — not the master, not this month or the last, nothing
 * pending, not in the middle of a bulk import (the engine decides that) — closes once it has not
 * been used for `idleMs`. Its local copy stays on the device and its rows stay in the mirror
 * (client/offlineMirror.ts), so nothing is lost but the open connection.
 */
export interface IdleMonthOptions {
  /** A month unused this long closes (default 5 minutes). */
  readonly idleMs?: number
}

export const DEFAULT_IDLE_MONTH_MS = 5 * 60_000

export class IdleMonths {
  readonly idleMs: number
  private readonly used = new Map<string, number>()

  constructor(options: IdleMonthOptions = {}) {
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MONTH_MS
  }

  /** Document `name` was opened, asked for again, edited, or read by a bulk import. */
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

  /** The months among `names` unused for idleMs. */
  idle(names: readonly string[], now = Date.now()): string[] {
    return names.filter((name) => now - (this.used.get(name) ?? 0) >= this.idleMs)
  }
}
