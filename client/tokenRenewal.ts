/**
 * Renewing the session's token ahead of its expiry while the engine syncs. The token is renewed
 * once RENEW_AT of its lifetime (as first seen here) has passed, so an open connection's token is
 * replaced before the relay ends the connection at its expiry and the reconnect needs no login
 * (15 minutes: renewed after about 11). The lifetime is measured on this device's clock from when
 * the token was first seen, so a relay clock that differs only moves the renewal; if it comes too
 * late anyway, the relay's 4401 makes RegionSync renew instead.
 */
import { SignInError, type Session } from './signIn.ts'

const RENEW_AT = 0.75

export class TokenRenewal {
  private timer: ReturnType<typeof setTimeout> | null = null
  /** The expiry the timer was set for, and when this device first saw it. */
  private renewFor: { expiresAt: number; seenAt: number } | null = null
  private running = false

  constructor(private readonly session: Session) {}

  /** Whether a renewal is scheduled (a document that renewed on its own then needs a new one). */
  get scheduled(): boolean {
    return this.timer !== null
  }

  start(): void {
    this.running = true
    this.schedule()
  }

  stop(): void {
    this.running = false
    this.clear()
  }

  /** Schedules the next renewal for the session's current token. */
  schedule(retryInMs?: number): void {
    this.clear()
    if (!this.running) return
    const expiresAt = this.session.expiresAt()
    if (expiresAt === null) return
    const now = Date.now()
    if (this.renewFor?.expiresAt !== expiresAt) this.renewFor = { expiresAt, seenAt: now }
    const lifetime = expiresAt - this.renewFor.seenAt
    // Already expired by this clock: nothing to gain ahead of time; the relay's 4401 will tell.
    if (lifetime <= 0) return
    const delay = retryInMs ?? Math.max(0, this.renewFor.seenAt + lifetime * RENEW_AT - now)
    this.timer = setTimeout(() => void this.renewNow(expiresAt), delay)
    ;(this.timer as { unref?: () => void }).unref?.()
  }

  private clear(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }

  private async renewNow(expiresAt: number): Promise<void> {
    this.timer = null
    // Renewed meanwhile (a document refused the old token and renewed it): just follow the new one.
    if (this.session.expiresAt() !== expiresAt) return this.schedule()
    try {
      await this.session.renew()
    } catch (error) {
      const left = expiresAt - Date.now()
      const transient = error instanceof SignInError && (error.code === 'unreachable' || error.code === 'rate_limited' || error.code === 'relay_error')
      // A refusal is reported by the document that meets it at the expiry; only a network hiccup is retried here.
      if (transient && left > 0) this.schedule(Math.max(1000, left / 4))
      return
    }
    this.schedule()
  }
}
