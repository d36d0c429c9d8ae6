/**
 * <rs-password-dialog>: "Parolamı değiştir / Change my password" for whoever is signed in (the
 * office app's header and the admin view). Current password, new one twice; mistakes are shown
 * next to their field. The relay checks the current password and the length; its fresh token
 * and the new password go into the session (Workspace.changePassword), so the app keeps working.
 */
import { css, html, LitElement, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import { PasswordChangeError } from '../signIn.ts'
import { t, type Lang } from './i18n.ts'
import { shared } from './styles.ts'
import type { Workspace } from './workspace.ts'

/** relay/users.ts MIN_PASSWORD_LENGTH; the relay checks it again and has the last word. */
export const MIN_PASSWORD_LENGTH = 8

type Field = 'current' | 'next' | 'again' | 'form'

export class RsPasswordDialog extends LitElement {
  static override properties: PropertyDeclarations = {
    language: { attribute: false },
    workspace: { attribute: false },
    errors: { state: true },
    busy: { state: true },
    done: { state: true },
  }

  static override styles = [
    shared,
    css`
      :host {
        display: contents;
      }
      dialog {
        width: min(26rem, 94vw);
        border: 1px solid var(--line-strong);
        border-radius: 8px;
        padding: 1rem 1.2rem;
        color: var(--text, inherit);
      }
      dialog::backdrop {
        background: rgb(20 30 45 / 45%);
      }
      form {
        display: grid;
        gap: 0.5rem;
      }
      .field-error {
        color: var(--danger, #b00020);
        font-size: 0.9em;
      }
      .actions {
        display: flex;
        gap: 0.6rem;
        justify-content: flex-end;
        margin-top: 0.6rem;
      }
    `,
  ]

  language: Lang = 'tr'
  workspace: Workspace | undefined = undefined
  errors: Partial<Record<Field, string>> = {}
  busy = false
  done = false

  show(): void {
    this.errors = {}
    this.done = false
    void this.updateComplete.then(() => {
      this.renderRoot.querySelector('form')?.reset()
      const dialog = this.renderRoot.querySelector('dialog')
      if (dialog !== null && !dialog.open) dialog.showModal()
    })
  }

  private close = (): void => {
    this.renderRoot.querySelector('dialog')?.close()
  }

  override render(): TemplateResult {
    const lang = this.language
    const error = (field: Field): TemplateResult | typeof nothing =>
      this.errors[field] ? html`<span class="field-error" role="alert" data-testid=${`password-error-${field}`}>${this.errors[field]}</span>` : nothing
    return html`<dialog data-testid="password-dialog">
      <h2>${t(lang, 'password.change')}</h2>
      <form @submit=${this.submit} novalidate>
        <label
          >${t(lang, 'password.current')}
          <input name="current" type="password" autocomplete="current-password" ?disabled=${this.busy} />
        </label>
        ${error('current')}
        <label
          >${t(lang, 'password.new')}
          <input name="next" type="password" autocomplete="new-password" ?disabled=${this.busy} />
        </label>
        ${error('next')}
        <label
          >${t(lang, 'password.again')}
          <input name="again" type="password" autocomplete="new-password" ?disabled=${this.busy} />
        </label>
        ${error('again')} ${error('form')}
        ${this.done ? html`<p class="ok" role="status" data-testid="password-changed">${t(lang, 'password.changed')}</p>` : nothing}
        <div class="actions">
          <button type="button" @click=${this.close}>${t(lang, 'action.cancel')}</button>
          <button class="primary" type="submit" data-testid="password-submit" ?disabled=${this.busy || this.done}>${t(lang, 'action.save')}</button>
        </div>
      </form>
    </dialog>`
  }

  private submit = async (event: Event): Promise<void> => {
    event.preventDefault()
    const form = event.currentTarget as HTMLFormElement
    const value = (name: string): string => (form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? ''
    const current = value('current')
    const next = value('next')
    const again = value('again')
    const lang = this.language
    const errors: Partial<Record<Field, string>> = {}
    if (current === '') errors.current = t(lang, 'password.required')
    if (next.length < MIN_PASSWORD_LENGTH) errors.next = t(lang, 'password.tooShort', { n: MIN_PASSWORD_LENGTH })
    else if (next === current) errors.next = t(lang, 'password.sameAsOld')
    if (again !== next) errors.again = t(lang, 'password.mismatch')
    this.errors = errors
    if (Object.keys(errors).length > 0 || this.workspace === undefined) return
    this.busy = true
    try {
      await this.workspace.changePassword(current, next)
      this.done = true
      form.reset()
    } catch (error) {
      const words = error instanceof PasswordChangeError ? (lang === 'tr' ? error.tr : error.en) : String(error)
      const field: Field =
        error instanceof PasswordChangeError && error.code === 'wrong_password'
          ? 'current'
          : error instanceof PasswordChangeError && error.code === 'password_too_short'
            ? 'next'
            : 'form'
      this.errors = { [field]: words }
    } finally {
      this.busy = false
    }
  }
}

customElements.define('rs-password-dialog', RsPasswordDialog)
