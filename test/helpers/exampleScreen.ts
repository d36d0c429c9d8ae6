/**
 * The example of client/README.md ("Writing a screen"): a screen, and the smallest shell that
 * gives it what the office app's shell gives every screen. test/ui.pattern.test.ts bundles it and
 * drives it in Chromium against a real relay, so the README shows code that runs.
 */
import { html, LitElement, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import { Provided, regionContext, writableContext } from '../../client/ui/contexts.ts'
import { t } from '../../client/ui/i18n.ts'
import { LanguageController } from '../../client/ui/language-controller.ts'
import { num } from '../../client/ui/live-query.ts'
import { Screen } from '../../client/ui/screen.ts'
import { openWorkspace, servingRelay, type Credentials, type Workspace } from '../../client/ui/workspace.ts'
import { loneSeat, WorkspaceController } from '../../client/ui/workspace-controller.ts'
import '../../client/ui/sign-in.ts'

/** The region's headcount, and (where this user may write) a button adding an employee. */
export class HeadcountScreen extends Screen {
  private readonly headcount = this.regionQuery('SELECT count(*) AS n FROM employees WHERE region = ?', ['employees'])
  private added = 0

  override render(): TemplateResult {
    const lang = this.language
    return html`<p data-testid="headcount">${this.regionName()} — ${t(lang, 'tab.employees')}: ${num(this.headcount.rows[0]?.n)}</p>
      ${this.writable ? html`<button data-testid="add" @click=${this.add}>${t(lang, 'action.add')}</button>` : nothing}`
  }

  private add = (): void => {
    this.added += 1
    this.workspace?.engine.insert('employees', { full_name: `Örnek Çalışan ${this.added}` }, this.region)
  }
}

customElements.define('rs-headcount', HeadcountScreen)

/** Sign-in, a region to look at, the language, sign-out; the screen reads all of it from here. */
export class ExampleShell extends LitElement {
  static override properties: PropertyDeclarations = { region: { state: true } }

  region = ''
  private readonly language = new LanguageController(this)
  private readonly workspaceController = new WorkspaceController(this, {
    open: async (credentials) => loneSeat(await openWorkspace(credentials)),
    language: () => this.language.value,
    attached: (ws) => (this.region = ws.session.user.region ?? ws.session.regions[0]?.slug ?? ''),
  })
  private readonly regionProvided = new Provided(this, regionContext, () => this.region)
  private readonly writableProvided = new Provided(this, writableContext, () => this.workspace?.session.regions.find((r) => r.slug === this.region)?.writable ?? false)

  get workspace(): Workspace | undefined {
    return this.workspaceController.workspace
  }

  override render(): TemplateResult {
    const lang = this.language.value
    const ws = this.workspace
    if (ws === undefined) {
      const { busy, error } = this.workspaceController
      return html`<rs-sign-in
        .language=${lang}
        .relay=${servingRelay()}
        .busy=${busy}
        .error=${error}
        @sign-in=${(e: CustomEvent<Credentials>) => this.workspaceController.signIn(e.detail)}
      ></rs-sign-in>`
    }
    return html`<select data-testid="region" @change=${(e: Event) => (this.region = (e.target as HTMLSelectElement).value)}>
        ${ws.session.regions.map((r) => html`<option value=${r.slug} ?selected=${r.slug === this.region}>${r.name}</option>`)}
      </select>
      <button data-testid="lang" @click=${() => this.language.toggle()}>${t(lang, 'lang.switch')}</button>
      <button data-testid="sign-out" @click=${() => this.workspaceController.signOut()}>${t(lang, 'signOut')}</button>
      <rs-headcount></rs-headcount>`
  }
}

customElements.define('rs-example-shell', ExampleShell)
