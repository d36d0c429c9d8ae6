/**
 * <rs-password-dialog>: "Parolamı değiştir / Change my password" for whoever is signed in (the
 * office app's header and the admin view). Current password, new one twice; mistakes are shown
 * next to their field, which is marked (field-errors.ts). The relay checks the current password
 * and the length; its fresh token and the new password go into the session
 * (Workspace.changePassword), so the app keeps working.
 */
import { css, html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import { BilingualError } from '../../schema/bilingual.ts'
import { PasswordChangeError } from '../signIn.ts'
import { aboutField, fieldMessage, formMessages, markField } from './field-errors.ts'
import { bilingual, t } from './i18n.ts'
import { WorkspaceElement } from './screen.ts'
import { shared } from './styles.ts'

/** relay/users.ts MIN_PASSWORD_LENGTH; the relay checks it again and has the last word. */
export const MIN_PASSWORD_LENGTH = 8

const FIELDS = ['current', 'next', 'again'] as const
type Field = (typeof FIELDS)[number]

/** The input a refused change is about: the relay's code says which. */
function refusedField(error: unknown): Field | undefined {
  if (!(error instanceof PasswordChangeError)) return undefined
  return error.code === 'wrong_password' ? 'current' : error.code === 'password_too_short' ? 'next' : undefined
}

export class RsPasswordDialog extends WorkspaceElement {
  static override properties: PropertyDeclarations = {
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
      .actions {
        display: flex;
        gap: 0.6rem;
        justify-content: flex-end;
        margin-top: 0.6rem;
      }
    `,
  ]

  /** What the last try was refused for, as errors (one language is chosen when shown). */
  errors: readonly unknown[] = []
  busy = false
  done = false

  show(): void {
    this.errors = []
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
    const input = (field: Field, label: string, autocomplete: string): TemplateResult =>
      html`<label
          >${label}
          <input name=${field} type="password" autocomplete=${autocomplete} ?disabled=${this.busy} ${markField(this.errors, field)} />
        </label>
        ${fieldMessage(lang, this.errors, field, `password-error-${field}`)}`
    return html`<dialog data-testid="password-dialog">
      <h2>${t(lang, 'password.change')}</h2>
      <form @submit=${this.submit} novalidate>
        ${input('current', t(lang, 'password.current'), 'current-password')} ${input('next', t(lang, 'password.new'), 'new-password')}
        ${input('again', t(lang, 'password.again'), 'new-password')} ${formMessages(lang, this.errors, FIELDS, 'password-error-form')}
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
    const errors: BilingualError[] = []
    const refuse = (field: Field, ...message: Parameters<typeof bilingual>): void => void errors.push(new BilingualError(bilingual(...message), { field }))
    if (current === '') refuse('current', 'password.required')
    if (next.length < MIN_PASSWORD_LENGTH) refuse('next', 'password.tooShort', { n: MIN_PASSWORD_LENGTH })
    else if (next === current) refuse('next', 'password.sameAsOld')
    if (again !== next) refuse('again', 'password.mismatch')
    this.errors = errors
    if (errors.length > 0 || this.workspace === undefined) return
    this.busy = true
    try {
      await this.workspace.changePassword(current, next)
      this.done = true
      form.reset()
    } catch (error) {
      const field = refusedField(error)
      this.errors = [field === undefined ? error : aboutField(error, field)]
    } finally {
      this.busy = false
    }
  }
}

customElements.define('rs-password-dialog', RsPasswordDialog)
