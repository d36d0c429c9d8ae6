/**
 * <rs-sign-in>: relay address, user and password. Emits `sign-in` with the credentials; the
 * shell does the signing in (online, or offline unlock from the device account) and hands back
 * `busy` and `error`. The password never leaves this form except in that event.
 */
import { html, LitElement, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import { t, type Lang } from './i18n.ts'
import { shared } from './styles.ts'
import type { Credentials } from './workspace.ts'

export class SignIn extends LitElement {
  static override properties: PropertyDeclarations = {
    language: {},
    relay: {},
    username: {},
    busy: { type: Boolean },
    error: {},
    heading: {},
    unreachable: { type: Boolean },
  }

  static override styles = [shared]

  language: Lang = 'tr'
  relay = ''
  username = ''
  busy = false
  error = ''
  heading = ''
  /** The relay did not answer: this form unlocks offline with the password this PC knows, and says so. */
  unreachable = false

  override render(): TemplateResult {
    const lang = this.language
    return html`<section style="max-width: 26rem; margin: 3rem auto">
      <h2>${this.heading || t(lang, this.unreachable ? 'signIn.unlock' : 'signIn.title')}</h2>
      ${this.unreachable ? html`<p class="notice" role="status" data-testid="sign-in-unreachable">${t(lang, 'signIn.unreachableUnlock')}</p>` : nothing}
      <form data-testid="sign-in" @submit=${this.submit} style="flex-direction: column; align-items: stretch">
        <label>${t(lang, 'signIn.relay')}<input name="relay" type="url" required placeholder="https://…" .value=${this.relay} autocomplete="url" /></label>
        <label>${t(lang, 'signIn.username')}<input name="username" required .value=${this.username} autocomplete="username" /></label>
        <label>${t(lang, 'signIn.password')}<input name="password" type="password" required autocomplete="current-password" /></label>
        <button class="primary" type="submit" ?disabled=${this.busy}>${t(lang, this.busy ? 'signIn.busy' : this.unreachable ? 'signIn.unlock' : 'signIn.submit')}</button>
      </form>
      ${this.error ? html`<p class="error" role="alert" data-testid="sign-in-error">${this.error}</p>` : nothing}
      ${this.unreachable ? nothing : html`<p class="muted">${t(lang, 'signIn.offlineHint')}</p>`}
    </section>`
  }

  override firstUpdated(): void {
    const empty = [...this.renderRoot.querySelectorAll<HTMLInputElement>('input')].find((input) => input.value === '')
    empty?.focus()
  }

  private submit = (event: Event): void => {
    event.preventDefault()
    const form = new FormData(event.target as HTMLFormElement)
    const detail: Credentials = {
      relay: String(form.get('relay') ?? ''),
      username: String(form.get('username') ?? '').trim(),
      password: String(form.get('password') ?? ''),
    }
    this.dispatchEvent(new CustomEvent<Credentials>('sign-in', { detail, bubbles: true, composed: true }))
  }
}

customElements.define('rs-sign-in', SignIn)
