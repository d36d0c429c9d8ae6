/**
 * <rs-status-bar>: on every screen, whether work has reached the relay — online or offline,
 * how many changes are still only on this PC, when everything was last in step, the past months
 * being fetched — and which other PCs of the region are online now.
 */
import { css, html, LitElement, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit'
import type { EngineState } from '../engine.ts'
import type { HistoryProgress, OfflineMirror } from '../offlineMirror.ts'
import { formatDateTime, t, type Lang } from './i18n.ts'
import type { Presence } from './workspace.ts'

export class StatusBar extends LitElement {
  static override properties: PropertyDeclarations = {
    state: { attribute: false },
    peers: { attribute: false },
    offline: { attribute: false },
    history: { state: true },
    region: {},
    language: {},
  }

  static override styles = css`
    :host {
      display: flex;
      flex-wrap: wrap;
      gap: 0.4rem 1.4rem;
      align-items: center;
      padding: 0.35rem 1rem;
      font-size: 0.85rem;
      background: var(--bar);
      color: var(--bar-ink);
      border-top: 1px solid var(--line);
    }
    .dot {
      display: inline-block;
      width: 0.65rem;
      height: 0.65rem;
      border-radius: 50%;
      margin-right: 0.35rem;
      vertical-align: -0.05rem;
      background: #9aa3ad;
    }
    [data-online='true'] .dot {
      background: #2e9d57;
    }
    [data-state='connecting'] .dot,
    [data-state='connected'] .dot {
      background: #e0a526;
    }
    [data-state='failed'] .dot {
      background: #d0453a;
    }
    .pending[data-count='0'] strong {
      color: inherit;
    }
    .waiting {
      color: #8a5300;
      font-weight: 600;
    }
    .pending strong {
      color: #b25b00;
    }
  `

  state: EngineState | undefined = undefined
  peers: readonly Presence[] = []
  /** The device's mirror, whose fetches of past months are shown while they run. */
  offline: OfflineMirror | undefined = undefined
  history: HistoryProgress | undefined = undefined
  private unfollow: () => void = () => undefined
  /** Display name of the region whose PCs are listed; empty in the admin view, which lists them per region. */
  region = ''
  language: Lang = 'tr'

  override updated(changed: PropertyValues<this>): void {
    if (!changed.has('offline')) return
    this.unfollow()
    const offline = this.offline
    if (offline === undefined) return
    const onProgress = (progress: HistoryProgress): void => {
      this.history = progress.done < progress.total ? progress : undefined
    }
    offline.on('progress', onProgress)
    this.unfollow = () => offline.off('progress', onProgress)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.unfollow()
  }

  override render(): TemplateResult {
    const lang = this.language
    const connection = this.state?.connection ?? 'disconnected'
    const online = connection === 'synced' || connection === 'connected'
    const pending = this.state?.pendingChanges ?? 0
    // Edits of closed months the relay keeps for the head office: durable, so not pending, yet not applied.
    const waiting = Object.values(this.state?.documents ?? {}).reduce((sum, d) => sum + d.waitingForHeadOffice, 0)
    const last = this.state?.lastSyncedAt ?? null
    return html`
      <span data-testid="connection" data-state=${connection} data-online=${String(online)} role="status"><span class="dot"></span>${t(lang, `status.${connection}`)}</span>
      <span class="pending" data-count=${pending}>${t(lang, 'status.pending')}: <strong data-testid="pending-count">${pending}</strong></span>
      ${waiting > 0
        ? html`<span class="waiting" data-testid="waiting-head-office" data-count=${waiting} title=${t(lang, 'month.waiting', { n: waiting })}>${t(lang, 'status.waitingHeadOffice', { n: waiting })}</span>`
        : nothing}
      <span>${t(lang, 'status.lastSynced')}: <span data-testid="last-synced">${last ? formatDateTime(lang, last) : t(lang, 'status.never')}</span></span>
      ${this.history === undefined
        ? nothing
        : html`<span data-testid="history-progress">${t(lang, 'status.history', { done: String(this.history.done), total: String(this.history.total) })}</span>`}
      ${this.region === ''
        ? nothing
        : !online
        ? html`<span data-testid="offline-note">${t(lang, 'status.offlineLocal')}</span>`
        : html`<span data-testid="peers"
            >${t(lang, 'status.peers')} (${this.region}):
            ${this.peers.length === 0 ? t(lang, 'status.noPeers') : this.peers.map((p) => `${p.device} (${p.user})`).join(', ')}</span
          >`}
    `
  }
}

customElements.define('rs-status-bar', StatusBar)
