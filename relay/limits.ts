/**
 * Budgets: a token bucket per connection (messages and bytes) and a failed-login limiter keyed by
 * client address and username. Both take the clock from their caller (an argument, or a function
 * given to the limiter) so tests drive time instead of waiting for it.
 */

export interface Bucket {
  tokens: number
  last: number
}

export interface BucketRate {
  /** Tokens added per second. */
  readonly perSecond: number
  /** Most tokens held; the burst a quiet connection may spend at once. */
  readonly burst: number
}

export function createBucket(rate: BucketRate, now: number): Bucket {
  return { tokens: rate.burst, last: now }
}

/** Takes `cost` tokens; false (and nothing taken) when the budget is spent. */
export function take(bucket: Bucket, rate: BucketRate, cost: number, now: number): boolean {
  bucket.tokens = Math.min(rate.burst, bucket.tokens + ((now - bucket.last) / 1000) * rate.perSecond)
  bucket.last = now
  if (bucket.tokens < cost) return false
  bucket.tokens -= cost
  return true
}

export interface LoginLimits {
  /** Failures one username may have from one address within `windowMs`: one person's typos. */
  readonly perAddressAndUser: number
  /** Failures one username may have from all addresses together: guessing one account from many. */
  readonly perUser: number
  /**
   * Failures all usernames together may have from one address: spraying many accounts. An office
   * shares one address, and each of its people is already held to `perAddressAndUser`, so this is
   * a ceiling well above what an office's typos add up to.
   */
  readonly perAddress: number
  readonly windowMs: number
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAddressAndUser: 5,
  perUser: 20,
  perAddress: 100,
  windowMs: 15 * 60_000,
}

/** Which budget refused an attempt: what the lockout log line and an operator need to know. */
export type LoginScope = 'address-and-user' | 'user' | 'address'

/** An attempt admitted: its budget is taken until it is settled. */
export interface LoginReservation {
  /** The password was wrong: the reservation stays counted as a failure. */
  fail(): void
  /** Signed in: the reservation is given back and the pair's earlier failures are forgotten. */
  succeed(): void
  /** Neither (the check itself broke): the reservation is given back, nothing else changes. */
  release(): void
}

export type LoginAdmission =
  | { readonly ok: true; readonly reservation: LoginReservation }
  | {
      readonly ok: false
      readonly retryAfterMs: number
      readonly scope: LoginScope
      /** True for the first refusal of this budget's window: log the lockout once, not per attempt. */
      readonly newLockout: boolean
    }

interface Budget {
  /** Failures settled in the current window. */
  failures: number
  /** Attempts admitted and not yet settled: each may still turn out to be a failure. */
  pending: number
  /** Start of the current window; failures older than `windowMs` no longer count. */
  start: number
  announced: boolean
  /** Attempts waiting for a pending one to settle. */
  waiters: Array<() => void>
}

/** Attempts that may queue behind one budget's unsettled ones; beyond that they are refused. */
const MAX_WAITERS = 64
const MAX_BUDGETS = 100_000

/**
 * Counts failed logins per (address, username), per username and per address. An attempt
 * *reserves* one failure in each budget before its password is checked, and a success gives it
 * back, so parallel guesses cannot all be evaluated before the first failure is counted. When the
 * budget is full only because of unsettled attempts, a new attempt waits for them instead of
 * being refused: a user signing in on several tabs at once is delayed by one hash, not locked out.
 */
export class LoginLimiter {
  private readonly budgets = [new Map<string, Budget>(), new Map<string, Budget>(), new Map<string, Budget>()] as const
  private readonly scopes: readonly LoginScope[] = ['address-and-user', 'user', 'address']
  private readonly limits: readonly number[]

  constructor(
    private readonly config: LoginLimits,
    private readonly clock: () => number = Date.now,
  ) {
    this.limits = [config.perAddressAndUser, config.perUser, config.perAddress]
  }

  /** How long a failure counts. */
  get windowMs(): number {
    return this.config.windowMs
  }

  /** Usernames compare as the store does (trimmed, case-insensitive). */
  private keys(address: string, username: string): readonly string[] {
    const user = username.trim().toLowerCase()
    return [`${address}\u0000${user}`, user, address]
  }

  private budget(i: number, key: string, now: number): Budget {
    const map = this.budgets[i as 0 | 1 | 2]
    let b = map.get(key)
    if (!b) {
      if (map.size >= MAX_BUDGETS) this.prune(map, now)
      b = { failures: 0, pending: 0, start: now, announced: false, waiters: [] }
      map.set(key, b)
    } else if (now - b.start >= this.config.windowMs) {
      // A new window; unsettled attempts carry over, their failures will count in it.
      b.failures = 0
      b.start = now
      b.announced = false
    }
    return b
  }

  /**
   * Admits one attempt (taking a reservation in every budget) or refuses it with the time until
   * the fullest budget's window ends. Resolves only after any wait for unsettled attempts.
   */
  async reserve(address: string, username: string): Promise<LoginAdmission> {
    const keys = this.keys(address, username)
    for (;;) {
      const now = this.clock()
      const budgets = keys.map((key, i) => this.budget(i, key, now))
      let refused: { retryAfterMs: number; scope: LoginScope; budget: Budget } | undefined
      let blocking: { scope: LoginScope; budget: Budget } | undefined
      for (let i = 0; i < budgets.length; i++) {
        const b = budgets[i] as Budget
        const limit = this.limits[i] ?? 0
        const scope = this.scopes[i] ?? 'address'
        if (b.failures >= limit) {
          const retryAfterMs = Math.max(1, b.start + this.config.windowMs - now)
          if (!refused || retryAfterMs > refused.retryAfterMs) refused = { retryAfterMs, scope, budget: b }
        } else if (b.failures + b.pending >= limit) {
          blocking ??= { scope, budget: b }
        }
      }
      if (refused) {
        const newLockout = !refused.budget.announced
        refused.budget.announced = true
        return { ok: false, retryAfterMs: refused.retryAfterMs, scope: refused.scope, newLockout }
      }
      if (blocking) {
        const { budget, scope } = blocking
        if (budget.waiters.length >= MAX_WAITERS) {
          // Refused without waiting: holding more requests open would cost the relay, not the guesser.
          return { ok: false, retryAfterMs: 1000, scope, newLockout: false }
        }
        await new Promise<void>((resolve) => budget.waiters.push(resolve))
        continue
      }
      for (const b of budgets) b.pending++
      return { ok: true, reservation: this.reservation(keys) }
    }
  }

  private reservation(keys: readonly string[]): LoginReservation {
    let settled = false
    const settle = (outcome: 'fail' | 'succeed' | 'release'): void => {
      if (settled) return
      settled = true
      const now = this.clock()
      keys.forEach((key, i) => {
        const b = this.budget(i, key, now)
        b.pending = Math.max(0, b.pending - 1)
        if (outcome === 'fail') b.failures++
        // The person behind this pair knows the password now; their typos before it are forgiven.
        if (outcome === 'succeed' && i === 0) b.failures = 0
        const waiters = b.waiters.splice(0)
        for (const wake of waiters) wake()
        if (b.failures === 0 && b.pending === 0 && b.waiters.length === 0) this.budgets[i as 0 | 1 | 2].delete(key)
      })
    }
    return { fail: () => settle('fail'), succeed: () => settle('succeed'), release: () => settle('release') }
  }

  /** Failures and unsettled attempts per scope, for tests and diagnostics. */
  state(address: string, username: string): Record<LoginScope, { failures: number; pending: number }> {
    const now = this.clock()
    const keys = this.keys(address, username)
    const read = (i: number): { failures: number; pending: number } => {
      const b = this.budgets[i as 0 | 1 | 2].get(keys[i] ?? '')
      if (!b) return { failures: 0, pending: 0 }
      return { failures: now - b.start >= this.config.windowMs ? 0 : b.failures, pending: b.pending }
    }
    return { 'address-and-user': read(0), user: read(1), address: read(2) }
  }

  private prune(map: Map<string, Budget>, now: number): void {
    for (const [key, b] of map) {
      if (b.pending === 0 && b.waiters.length === 0 && now - b.start >= this.config.windowMs) map.delete(key)
    }
  }
}
