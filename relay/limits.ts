/**
 * Budgets: a token bucket per connection (messages and bytes) and a failed-login limiter keyed by
 * client address and username. Both take the clock as an argument so they stay plain functions of
 * their inputs.
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
  /** Failures allowed within `windowMs` before further attempts are refused. */
  readonly maxFailures: number
  readonly windowMs: number
}

interface Failures {
  count: number
  first: number
}

/**
 * Counts failed logins per (address, username) and per address, so guessing one account and
 * spraying many accounts are both slowed. Successful logins clear the pair's count.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, Failures>()

  constructor(private readonly limits: LoginLimits) {}

  private keys(address: string, username: string): string[] {
    return [`${address}\u0000${username.toLowerCase()}`, address]
  }

  /** Milliseconds until another attempt is allowed, or 0 when one is allowed now. */
  retryAfter(address: string, username: string, now: number): number {
    let wait = 0
    this.keys(address, username).forEach((key, i) => {
      const f = this.failures.get(key)
      if (!f) return
      if (now - f.first >= this.limits.windowMs) {
        this.failures.delete(key)
        return
      }
      // The per-address budget is wider: an office shares one address.
      const max = i === 0 ? this.limits.maxFailures : this.limits.maxFailures * 4
      if (f.count >= max) wait = Math.max(wait, f.first + this.limits.windowMs - now)
    })
    return wait
  }

  fail(address: string, username: string, now: number): void {
    for (const key of this.keys(address, username)) {
      const f = this.failures.get(key)
      if (!f || now - f.first >= this.limits.windowMs) this.failures.set(key, { count: 1, first: now })
      else f.count++
    }
    if (this.failures.size > 100_000) this.prune(now)
  }

  succeed(address: string, username: string): void {
    this.failures.delete(this.keys(address, username)[0] ?? '')
  }

  private prune(now: number): void {
    for (const [key, f] of this.failures) if (now - f.first >= this.limits.windowMs) this.failures.delete(key)
  }
}
