/**
 * <rainstaff-app>: the office app. Signed out it shows the sign-in form; signed in, the tabs,
 * the region being looked at (one's own region writable, the others read-only), the language
 * switch and the status bar. It holds the workspace (workspace-controller.ts) and provides it, the
 * region, its writability and the language to the screens (contexts.ts).
 */
import { css, html, LitElement, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import { Provided, regionContext, writableContext } from './contexts.ts'
import { t, type Lang, type MessageKey } from './i18n.ts'
import { LanguageController } from './language-controller.ts'
import { liveQuery, num } from './live-query.ts'
import { likelyDuplicates, sameDayPairs } from './screens/conflicts.ts'
import { lastSignIn } from './remembered-session.ts'
import { servingRelay, type Credentials, type Workspace } from './workspace.ts'
import { WorkspaceController } from './workspace-controller.ts'
import { openTab, resumeTab } from './open-tab.ts'
import { RejectedEdits } from './rejected-edits.ts'
import { UndoKeys } from './undo-keys.ts'
import type { TabWorkspace } from './tab-workspace.ts'
import type { ImportDialog } from './import-dialog.ts'
import './import-dialog.ts'
import type { RsPasswordDialog } from './password-dialog.ts'
import './password-dialog.ts'
import './sign-in.ts'
import './status-bar.ts'
import './tab-banner.ts'
import './screens/puantaj.ts'
import './screens/week-grid.ts'
import './screens/sheet.ts'
import './screens/employees.ts'
import './screens/fleet.ts'
import './screens/reports.ts'
import './screens/settings.ts'
import './screens/inspections.ts'
import './screens/faults.ts'
import './screens/service-visits.ts'
import './screens/stock.ts'

const SCREENS = ['puantaj', 'week', 'sheet', 'employees', 'vehicles', 'drivers', 'reports', 'settings', 'conflicts', 'inspections', 'faults', 'service', 'stock'] as const
type ScreenName = (typeof SCREENS)[number]

/** Alt+1…9 for the first nine screens, Alt+Shift+1… for the fleet's after them. */
function shortcutOf(index: number): string {
  return index < 9 ? `Alt+${index + 1}` : `Alt+Shift+${index - 8}`
}

/** The field focused inside the shadow roots, left before its screen goes: a field that saves on leaving (the week grid's) saves. */
function leaveFocusedField(): void {
  let active: Element | null = document.activeElement
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement
  if (active instanceof HTMLElement) active.blur()
}

export class RainstaffApp extends LitElement {
  static override properties: PropertyDeclarations = {
    screen: { state: true },
    region: { state: true },
    notice: { state: true },
  }

  static override styles = css`
    :host {
      display: flex;
      flex-direction: column;
      min-height: 100vh;
    }
    header {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem 1rem;
      padding: 0.5rem 1rem;
      background: var(--head);
      color: white;
    }
    header h1 {
      font-size: 1.1rem;
      margin: 0 1rem 0 0;
    }
    nav {
      display: flex;
      flex-wrap: wrap;
      gap: 0.2rem;
    }
    nav button {
      font: inherit;
      color: #dfe8f3;
      background: none;
      border: none;
      border-radius: 4px;
      padding: 0.35rem 0.7rem;
      cursor: pointer;
    }
    nav button[aria-current='page'] {
      background: white;
      color: var(--head);
      font-weight: 600;
    }
    .count {
      display: inline-block;
      min-width: 1.1rem;
      margin-left: 0.25rem;
      border-radius: 999px;
      background: #d0453a;
      color: white;
      font-size: 0.75rem;
      text-align: center;
    }
    .tools {
      margin-left: auto;
      display: flex;
      gap: 0.6rem;
      align-items: center;
    }
    .tools select,
    .tools button {
      font: inherit;
      font-size: 0.85rem;
      padding: 0.2rem 0.5rem;
      border-radius: 4px;
      border: 1px solid #7f95ad;
      background: #fff;
    }
    main {
      flex: 1;
      padding: 1rem;
      max-width: 110rem;
      width: 100%;
      box-sizing: border-box;
      margin: 0 auto;
    }
    .notice {
      background: #fff7e0;
      border: 1px solid #efd48a;
      padding: 0.4rem 0.8rem;
      border-radius: 4px;
      margin-bottom: 0.8rem;
    }
    rs-status-bar {
      position: sticky;
      bottom: 0;
    }
    /* A printed screen is its list: no header, tabs, notices or status bar. Last, so it wins over the rules above. */
    @media print {
      header,
      .notice,
      rs-status-bar {
        display: none;
      }
    }
  `

  screen: ScreenName = 'puantaj'
  region = ''
  notice = ''
  private readonly language = new LanguageController(this)
  /** This tab among the account's tabs of this browser: its workspace changes when the writing tab does. */
  private readonly workspaceController = new WorkspaceController<TabWorkspace>(this, {
    open: (credentials) => openTab(credentials, { remember: true }),
    resume: resumeTab,
    language: () => this.language.value,
    attached: (ws, previous) => {
      // A hand-over between tabs keeps the region being looked at.
      if (!ws.session.regions.some((r) => r.slug === this.region)) this.region = ws.session.user.region ?? ws.session.regions[0]?.slug ?? ''
      this.notice = ws.signedInOnline ? '' : t(this.language.value, 'signIn.offline')
      if (previous?.role === 'follower' && ws.role === 'writer') this.notice = t(this.language.value, 'tabs.nowWriting')
    },
    statusChanged: (ws) => {
      if (ws.status.state.connection === 'synced') this.notice = ''
    },
    detached: () => (this.notice = ''),
  })

  private readonly rejected = new RejectedEdits(this)
  private readonly undoKeys = new UndoKeys(this)

  /** Every screen shows the region chosen here, writable when it is one's own. */
  private readonly regionProvided = new Provided(this, regionContext, () => this.region)
  private readonly writableProvided = new Provided(this, writableContext, () => this.workspace?.session.regions.find((r) => r.slug === this.region)?.writable ?? false)

  /** The tab's count is what the Çakışmalar screen lists for the region: field conflicts and likely duplicates. */
  private readonly fieldConflicts = liveQuery(this, () => ({ sql: 'SELECT count(*) AS n FROM conflicts WHERE region = ?', params: [this.region], tables: ['conflicts'] }))
  private readonly sameDayPairs = liveQuery(this, () => sameDayPairs(this.region))

  get workspace(): Workspace | undefined {
    return this.workspaceController.workspace
  }

  private conflictCount(): number {
    return num(this.fieldConflicts.rows[0]?.n) + likelyDuplicates(this.sameDayPairs.rows).length
  }

  override connectedCallback(): void {
    super.connectedCallback()
    addEventListener('keydown', this.onShortcut)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    removeEventListener('keydown', this.onShortcut)
  }

  /** Writes what is pending to the browser store (Electron calls it before quitting). */
  async flush(): Promise<void> {
    await this.workspaceController.flush()
  }

  override render(): TemplateResult {
    const lang = this.language.value
    const ws = this.workspace
    const { resuming, unreachable, busy, error } = this.workspaceController
    if (ws === undefined) {
      const last = lastSignIn()
      return html`<header>
          <h1>${t(lang, 'app.title')}</h1>
          <div class="tools"><button @click=${() => this.language.toggle()}>${t(lang, 'lang.switch')}</button></div>
        </header>
        <main>
          ${resuming
            ? html`<p class="muted" data-testid="resuming">${t(lang, 'signIn.busy')}</p>`
            : html`<rs-sign-in
            .language=${lang}
            .unreachable=${unreachable}
            .relay=${servingRelay() || last?.relay || ''}
            .username=${last?.username ?? ''}
            .busy=${busy}
            .error=${error}
            @sign-in=${(e: CustomEvent<Credentials>) => this.workspaceController.signIn(e.detail)}
          ></rs-sign-in>`}
        </main>`
    }
    const regions = ws.session.regions
    const engineState = this.workspaceController.engineState
    const tab = this.workspaceController.seat
    const conflicts = this.conflictCount()
    const own = regions.find((r) => r.slug === ws.session.user.region && r.writable)
    return html`<header>
        <h1>${t(lang, 'app.title')}</h1>
        <nav aria-label="screens">
          ${SCREENS.map(
            (name, i) => html`<button
              data-testid=${`tab-${name}`}
              title=${shortcutOf(i)}
              aria-current=${this.screen === name ? 'page' : 'false'}
              @click=${() => (this.screen = name)}
            >
              ${t(lang, `tab.${name}` as MessageKey)}${name === 'conflicts' && conflicts > 0 ? html`<span class="count" data-testid="conflict-count">${conflicts}</span>` : nothing}
            </button>`,
          )}
        </nav>
        <div class="tools">
          <select aria-label=${t(lang, 'region')} data-testid="region" @change=${(e: Event) => (this.region = (e.target as HTMLSelectElement).value)}>
            ${regions.map(
              (r) => html`<option value=${r.slug} ?selected=${r.slug === this.region}>${r.name}${r.writable ? '' : ` (${t(lang, 'region.readOnly')})`}</option>`,
            )}
          </select>
          <span>${ws.session.user.username}</span>
          ${own
            ? html`<button data-testid="open-import" @click=${() => this.renderRoot.querySelector<ImportDialog>('rs-import-dialog')?.show()}>${t(lang, 'import.open')}</button>`
            : nothing}
          ${ws.role === 'writer'
            ? html`<button data-testid="change-password" @click=${() => this.renderRoot.querySelector<RsPasswordDialog>('rs-password-dialog')?.show()}>
                ${t(lang, 'password.change')}
              </button>`
            : nothing}
          <button data-testid="lang" @click=${() => this.language.toggle()}>${t(lang, 'lang.switch')}</button>
          <button @click=${() => this.workspaceController.signOut()}>${t(lang, 'signOut')}</button>
        </div>
      </header>
      <rs-password-dialog></rs-password-dialog>
      <main @language-change=${(e: CustomEvent<Lang>) => this.language.set(e.detail)}>
        ${this.notice ? html`<p class="notice" data-testid="notice">${this.notice}</p>` : nothing} ${this.rejected.render(lang)} ${this.undoKeys.render(lang)}
        ${ws.role === 'follower'
          ? html`<rs-tab-banner .takingOver=${tab?.takingOver ?? false} .problem=${tab?.problem ?? null} .language=${lang} @take-over=${() => tab?.takeOver()}></rs-tab-banner>`
          : nothing}
        ${ws.storagePersisted === false ? html`<p class="notice" role="alert" data-testid="storage-warning">${t(lang, 'storage.notPersisted')}</p>` : nothing}
        ${this.renderScreen()}
      </main>
      <rs-status-bar
        .state=${engineState}
        .offline=${ws.offline}
        .peers=${ws.status.peers(this.region)}
        .region=${regions.find((r) => r.slug === this.region)?.name ?? this.region}
        .language=${lang}
      ></rs-status-bar>
      ${own ? html`<rs-import-dialog region=${own.slug}></rs-import-dialog>` : nothing}`
  }

  /** The screen chosen: it reads the workspace, region, writability and language from this shell (contexts.ts). */
  private renderScreen(): TemplateResult {
    switch (this.screen) {
      case 'puantaj':
        return html`<rs-puantaj></rs-puantaj>`
      case 'week':
        return html`<rs-week-grid></rs-week-grid>`
      case 'sheet':
        return html`<rs-sheet></rs-sheet>`
      case 'employees':
        return html`<rs-employees></rs-employees>`
      case 'vehicles':
        return html`<rs-vehicles></rs-vehicles>`
      case 'drivers':
        return html`<rs-drivers></rs-drivers>`
      case 'reports':
        return html`<rs-reports></rs-reports>`
      case 'settings':
        return html`<rs-settings></rs-settings>`
      case 'conflicts':
        return html`<rs-conflicts></rs-conflicts>`
      case 'inspections':
        return html`<rs-inspections></rs-inspections>`
      case 'faults':
        return html`<rs-faults></rs-faults>`
      case 'service':
        return html`<rs-service-visits></rs-service-visits>`
      case 'stock':
        return html`<rs-stock></rs-stock>`
    }
  }

  private onShortcut = (event: KeyboardEvent): void => {
    if (!event.altKey || this.workspace === undefined) return
    // With Shift the key prints a sign (! on a Turkish Q keyboard): its place names the digit.
    const digit = event.shiftKey ? /^Digit([1-9])$/.exec(event.code)?.[1] : event.key
    const index = Number(digit) - 1 + (event.shiftKey ? 9 : 0)
    const screen = SCREENS[index]
    if (screen !== undefined) {
      event.preventDefault()
      if (event.shiftKey) leaveFocusedField()
      this.screen = screen
    }
  }
}

customElements.define('rainstaff-app', RainstaffApp)

declare global {
  interface HTMLElementTagNameMap {
    'rainstaff-app': RainstaffApp
  }
}
