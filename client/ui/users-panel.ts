/**
 * <rs-users-panel>: the admin view's "Kullanıcılar / Users": the accounts from `GET /api/users`,
 * an add form (name, role, region, the initial password twice) and per account: role/region,
 * password reset, disable/enable and delete (each of the last two asks first). Every check is the
 * relay's (relay/users.ts, as for `rainstaff users`); its refusals come back with `tr`/`en` and
 * are shown in the current language beside the field they are about (field-errors.ts).
 * Passwords go only in POST bodies.
 */
import { css, html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import { BilingualError } from '../../schema/bilingual.ts'
import { aboutField, fieldMessage, formMessages, markField } from './field-errors.ts'
import { bilingual, formatDateTime, t, type MessageKey } from './i18n.ts'
import { MIN_PASSWORD_LENGTH } from './password-dialog.ts'
import { errorIn, WorkspaceElement } from './screen.ts'
import { shared } from './styles.ts'
import { relayJson, RelayApiError } from '../relayApi.ts'

interface Account {
  readonly username: string
  readonly role: 'editor' | 'admin'
  readonly region: string | null
  readonly disabled: boolean
  readonly createdAt: number
  readonly updatedAt: number
}


const ADD_FIELDS = ['username', 'region', 'password', 'again'] as const

/** The input a relay refusal is about, by its code (relay/users.ts); the rest is about the form. */
function codeField(code: string): string | undefined {
  if (code === 'password_too_short') return 'password'
  if (code === 'region_required' || code === 'unknown_region') return 'region'
  if (code === 'bad_username' || code === 'user_exists') return 'username'
  return undefined
}

/** A refusal as the form shows it: beside its field when the relay's code names one. */
function placed(error: unknown): unknown {
  const field = error instanceof RelayApiError ? codeField(error.code) : undefined
  return field === undefined ? error : aboutField(error, field)
}

type RowMode = { kind: 'edit' } | { kind: 'password' } | { kind: 'confirm'; action: 'disable' | 'enable' | 'delete' }

export class RsUsersPanel extends WorkspaceElement {
  static override properties: PropertyDeclarations = {
    accounts: { state: true },
    regions: { state: true },
    modes: { state: true },
    addErrors: { state: true },
    rowError: { state: true },
    notice: { state: true },
    busy: { state: true },
  }

  static override styles = [
    shared,
    css`
      form.add {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem 0.8rem;
        align-items: end;
        margin-top: 0.8rem;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.3rem;
      }
      tr.disabled td {
        color: var(--muted);
      }
      .inline {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: center;
      }
    `,
  ]

  accounts: readonly Account[] = []
  regions: ReadonlyArray<{ slug: string; name: string }> = []
  modes: Readonly<Record<string, RowMode>> = {}
  /** Why the add form was refused, as errors about its fields. */
  addErrors: readonly unknown[] = []
  /** Why one account's row form was refused. */
  rowError: { readonly username: string; readonly errors: readonly unknown[] } | undefined = undefined
  /** The last outcome, as a message key and its values (or the error) so it follows the language switch. */
  notice: { key: MessageKey; name: string } | { error: unknown } | undefined = undefined
  busy = false

  override connectedCallback(): void {
    super.connectedCallback()
    void this.reload()
  }

  /** One call with the session's token (client/relayApi.ts renews a stale one once and retries). */
  private async api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
    const ws = this.workspace
    if (ws === undefined) throw new RelayApiError(0, 'session', { tr: 'Oturum yok', en: 'Not signed in' })
    return relayJson(ws.session, path, { method, ...(body === undefined ? {} : { body }) })
  }

  async reload(): Promise<void> {
    try {
      const answer = await this.api('GET', '/api/users')
      this.accounts = (answer.users as Account[] | undefined) ?? []
      this.regions = (answer.regions as Array<{ slug: string; name: string }> | undefined) ?? []
    } catch (error) {
      this.notice = { error }
    }
  }

  override render(): TemplateResult {
    const lang = this.language
    const me = this.workspace?.session.user.username
    const regionName = (slug: string | null): string => (slug === null ? '—' : (this.regions.find((r) => r.slug === slug)?.name ?? slug))
    return html`<section data-testid="users-panel">
      <h2>${t(lang, 'users.title')}</h2>
      <table data-testid="users-list">
        <thead>
          <tr>
            <th>${t(lang, 'users.username')}</th>
            <th>${t(lang, 'users.role')}</th>
            <th>${t(lang, 'users.region')}</th>
            <th>${t(lang, 'users.state')}</th>
            <th>${t(lang, 'users.updated')}</th>
            <th>${t(lang, 'users.actions')}</th>
          </tr>
        </thead>
        <tbody>
          ${this.accounts.map(
            (a) => html`<tr data-testid="user-row" data-username=${a.username} data-disabled=${String(a.disabled)} class=${a.disabled ? 'disabled' : ''}>
                <td>${a.username}${a.username === me ? html` <span class="muted">(${t(lang, 'users.you')})</span>` : nothing}</td>
                <td data-testid="user-role">${t(lang, a.role === 'admin' ? 'users.role.admin' : 'users.role.editor')}</td>
                <td data-testid="user-region">${regionName(a.region)}</td>
                <td data-testid="user-state">${t(lang, a.disabled ? 'users.disabled' : 'users.active')}</td>
                <td>${formatDateTime(lang, new Date(a.updatedAt).toISOString())}</td>
                <td><div class="actions">${a.username === me ? nothing : this.renderRowActions(a)}</div></td>
              </tr>
              ${this.renderRowMode(a)}`,
          )}
        </tbody>
      </table>
      ${this.notice
        ? html`<p class=${'error' in this.notice ? 'error' : 'ok'} role="status" data-testid="users-notice">
            ${'error' in this.notice ? errorIn(lang, this.notice.error) : t(lang, this.notice.key, { name: this.notice.name })}
          </p>`
        : nothing} ${this.renderAddForm()}
    </section>`
  }

  private setMode(username: string, mode: RowMode | undefined): void {
    const modes = { ...this.modes }
    if (mode === undefined) delete modes[username]
    else modes[username] = mode
    this.modes = modes
    this.rowError = undefined
  }

  private renderRowActions(a: Account): TemplateResult {
    const lang = this.language
    return html`<button data-testid="user-edit" @click=${() => this.setMode(a.username, { kind: 'edit' })}>${t(lang, 'users.edit')}</button>
      <button data-testid="user-reset" @click=${() => this.setMode(a.username, { kind: 'password' })}>${t(lang, 'users.resetPassword')}</button>
      <button data-testid=${a.disabled ? 'user-enable' : 'user-disable'} @click=${() => this.setMode(a.username, { kind: 'confirm', action: a.disabled ? 'enable' : 'disable' })}>
        ${t(lang, a.disabled ? 'users.enable' : 'users.disable')}
      </button>
      <button class="danger" data-testid="user-delete" @click=${() => this.setMode(a.username, { kind: 'confirm', action: 'delete' })}>${t(lang, 'users.delete')}</button>`
  }

  private renderRowMode(a: Account): TemplateResult | typeof nothing {
    const mode = this.modes[a.username]
    if (mode === undefined) return nothing
    const lang = this.language
    const errors = this.rowError?.username === a.username ? this.rowError.errors : []
    // Row forms share the shadow root with the add form: their message ids are scoped by account.
    const scope = `${a.username}-`
    const beside = (field: string): TemplateResult | typeof nothing => fieldMessage(lang, errors, field, 'user-row-error', scope)
    const cancel = html`<button type="button" @click=${() => this.setMode(a.username, undefined)}>${t(lang, 'action.cancel')}</button>`
    let body: TemplateResult
    if (mode.kind === 'edit') {
      body = html`<form class="inline" data-testid="user-edit-form" @submit=${(e: Event) => this.saveRole(e, a)}>
        ${this.roleAndRegion(a.role, a.region, errors, scope)} ${beside('region')}
        <button class="primary" type="submit" ?disabled=${this.busy}>${t(lang, 'action.save')}</button> ${cancel} ${formMessages(lang, errors, ['region'], 'user-row-error')}
        <span class="muted">${t(lang, 'users.sessionsEnd')}</span>
      </form>`
    } else if (mode.kind === 'password') {
      body = html`<form class="inline" data-testid="user-reset-form" @submit=${(e: Event) => this.resetPassword(e, a)}>
        <label>${t(lang, 'users.newPassword')} <input name="password" type="password" autocomplete="new-password" ${markField(errors, 'password', scope)} /> ${beside('password')}</label>
        <label>${t(lang, 'users.newPasswordAgain')} <input name="again" type="password" autocomplete="new-password" ${markField(errors, 'again', scope)} /> ${beside('again')}</label>
        <button class="primary" type="submit" ?disabled=${this.busy}>${t(lang, 'action.save')}</button> ${cancel} ${formMessages(lang, errors, ['password', 'again'], 'user-row-error')}
        <span class="muted">${t(lang, 'users.sessionsEnd')}</span>
      </form>`
    } else {
      body = html`<div class="inline" data-testid="user-confirm">
        <strong>${t(lang, `users.confirm.${mode.action}`, { name: a.username })}</strong>
        <button class=${mode.action === 'delete' ? 'danger' : 'primary'} data-testid="user-confirm-yes" ?disabled=${this.busy} @click=${() => this.confirmed(a, mode.action)}>
          ${t(lang, 'users.yes')}
        </button>
        ${cancel} ${formMessages(lang, errors, [], 'user-row-error')}
      </div>`
    }
    return html`<tr data-testid="user-row-mode" data-username=${a.username}>
      <td colspan="6">${body}</td>
    </tr>`
  }

  private roleAndRegion(role: 'editor' | 'admin', region: string | null, errors: readonly unknown[], scope: string): TemplateResult {
    const lang = this.language
    return html`<label
        >${t(lang, 'users.role')}
        <select name="role">
          <option value="editor" ?selected=${role === 'editor'}>${t(lang, 'users.role.editor')}</option>
          <option value="admin" ?selected=${role === 'admin'}>${t(lang, 'users.role.admin')}</option>
        </select>
      </label>
      <label
        >${t(lang, 'users.region')}
        <select name="region" ${markField(errors, 'region', scope)}>
          <option value="" ?selected=${region === null}>—</option>
          ${this.regions.map((r) => html`<option value=${r.slug} ?selected=${r.slug === region}>${r.name}</option>`)}
        </select>
      </label>`
  }

  private renderAddForm(): TemplateResult {
    const lang = this.language
    const errors = this.addErrors
    const scope = 'add-'
    const beside = (field: (typeof ADD_FIELDS)[number]): TemplateResult | typeof nothing => fieldMessage(lang, errors, field, `add-error-${field}`, scope)
    return html`<h3>${t(lang, 'users.add')}</h3>
      <form class="add" data-testid="user-add-form" @submit=${this.add} novalidate>
        <label>${t(lang, 'users.username')} <input name="username" autocomplete="off" ${markField(errors, 'username', scope)} /> ${beside('username')}</label>
        ${this.roleAndRegion('editor', null, errors, scope)} ${beside('region')}
        <label>${t(lang, 'users.password')} <input name="password" type="password" autocomplete="new-password" ${markField(errors, 'password', scope)} /> ${beside('password')}</label>
        <label>${t(lang, 'users.passwordAgain')} <input name="again" type="password" autocomplete="new-password" ${markField(errors, 'again', scope)} /> ${beside('again')}</label>
        <button class="primary" type="submit" data-testid="user-add" ?disabled=${this.busy}>${t(lang, 'action.add')}</button>
        ${formMessages(lang, errors, ADD_FIELDS, 'add-error-form')}
      </form>`
  }

  private field(form: HTMLFormElement, name: string): string {
    return (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null)?.value ?? ''
  }

  /** Client-side checks of a password typed twice: the relay checks the length again. */
  private passwordProblems(password: string, again: string): BilingualError[] {
    if (password.length < MIN_PASSWORD_LENGTH) return [new BilingualError(bilingual('password.tooShort', { n: MIN_PASSWORD_LENGTH }), { field: 'password' })]
    if (password !== again) return [new BilingualError(bilingual('password.mismatch'), { field: 'again' })]
    return []
  }

  private add = async (event: Event): Promise<void> => {
    event.preventDefault()
    const form = event.currentTarget as HTMLFormElement
    const username = this.field(form, 'username').trim()
    const role = this.field(form, 'role')
    const region = this.field(form, 'region')
    const errors = this.passwordProblems(this.field(form, 'password'), this.field(form, 'again'))
    if (username === '') errors.unshift(new BilingualError(bilingual('password.required'), { field: 'username' }))
    this.addErrors = errors
    this.notice = undefined
    if (errors.length > 0) return
    this.busy = true
    try {
      await this.api('POST', '/api/users', { username, role, region: role === 'admin' ? null : region, password: this.field(form, 'password') })
      form.reset()
      this.notice = { key: 'users.added', name: username }
      await this.reload()
    } catch (error) {
      this.addErrors = [placed(error)]
    } finally {
      this.busy = false
    }
  }

  private async run(a: Account, call: () => Promise<unknown>, notice: MessageKey): Promise<void> {
    this.busy = true
    try {
      await call()
      this.setMode(a.username, undefined)
      this.notice = { key: notice, name: a.username }
      await this.reload()
    } catch (error) {
      this.rowError = { username: a.username, errors: [placed(error)] }
    } finally {
      this.busy = false
    }
  }

  private saveRole(event: Event, a: Account): Promise<void> {
    event.preventDefault()
    const form = event.currentTarget as HTMLFormElement
    const role = this.field(form, 'role')
    const region = this.field(form, 'region')
    const path = `/api/users/${encodeURIComponent(a.username)}/role`
    return this.run(a, () => this.api('POST', path, { role, region: role === 'admin' ? null : region }), 'users.changed')
  }

  private async resetPassword(event: Event, a: Account): Promise<void> {
    event.preventDefault()
    const form = event.currentTarget as HTMLFormElement
    const password = this.field(form, 'password')
    const problems = this.passwordProblems(password, this.field(form, 'again'))
    if (problems.length > 0) {
      this.rowError = { username: a.username, errors: problems }
      return
    }
    const path = `/api/users/${encodeURIComponent(a.username)}/password`
    await this.run(a, () => this.api('POST', path, { password }), 'users.passwordReset')
  }

  private confirmed(a: Account, action: 'disable' | 'enable' | 'delete'): Promise<void> {
    const path = `/api/users/${encodeURIComponent(a.username)}/${action}`
    const notice: MessageKey = action === 'delete' ? 'users.deleted' : 'users.changed'
    return this.run(a, () => this.api('POST', path, {}), notice)
  }
}

customElements.define('rs-users-panel', RsUsersPanel)
