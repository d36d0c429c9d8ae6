/**
 * Reconnect delays: exponential, capped, with full jitter so a hundred offices that lost the relay
 * together do not knock on it together when it returns.
 */

export interface BackoffOptions {
  /** Delay ceiling of the first retry. */
  readonly baseMs: number
  /** No retry waits longer than this. */
  readonly capMs: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 }

/**
 * Delay before retry number `attempt` (0 for the first): uniform in [ceiling/2, ceiling] where
 * ceiling = min(cap, base·2^attempt). Half the ceiling stays fixed so a string of unlucky draws
 * cannot turn into a hot loop; the other half is the jitter.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 30))
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}
