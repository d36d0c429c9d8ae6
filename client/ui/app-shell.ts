/**
 * <rainstaff-app>: the office app. Signed out it shows the sign-in form; signed in, the tabs,
 * the region being looked at (one's own region writable, the others read-only), the language
 * switch and the status bar. It owns the workspace and hands it down to the screens.
 */
import { css, html, LitElement, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import type { EngineState } from '../engine.ts'
import { saveLang, savedLang, t, type Lang, type MessageKey } from './i18n.ts'
import { LiveQuery, num } from './live-query.ts'
import { errorIn } from './screen.ts'
import { likelyDuplicates, sameDayPairs } from './screens/conflicts.ts'
import { SignInError } from '../signIn.ts'
import { followNetwork, lastSignIn, relayReachable, rememberedSession, servingRelay, type Credentials, type Presence, type Workspace } from './workspace.ts'
import { openTab, resumeTab } from './open-tab.ts'
import type { TabWorkspace } from './tab-workspace.ts'
import type { Bilingual } from '../../schema/bilingual.ts'
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

const SCREENS = ['puantaj', 'week', 'sheet', 'employees', 'vehicles', 'drivers', 'reports', 'settings', 'conflicts'] as const
type ScreenName = (typeof SCREENS)[number]

export class RainstaffApp extends LitElement {
  static override properties: PropertyDeclarations = {
    language: { state: true },
    workspace: { state: true },
    screen: { state: true },
    region: { state: true },
    engineState: { state: true },
    peers: { state: true },
    busy: { state: true },
    error: { state: true },
    notice: { state: true },
    resuming: { state: true },
    unreachable: { state: true },
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

  language: Lang = savedLang()
  workspace: Workspace | undefined = undefined
  screen: ScreenName = 'puantaj'
  region = ''
  engineState: EngineState | undefined = undefined
  peers: Presence[] = []
  busy = false
  error = ''
  notice = ''
  /** Opening the remembered session (no form shown meanwhile). */
  resuming = false
  /** The relay did not answer on load: the form is the offline unlock and says so. */
  unreachable = false
  /** This tab among the account's tabs of this browser: its workspace changes when the writing tab does. */
  private tab: TabWorkspace | undefined
  private cleanups: Array<() => void> = []
  private tabCleanups: Array<() => void> = []

  /** The tab's count is what the Çakışmalar screen lists for the region: field conflicts and likely duplicates. */
  private readonly fieldConflicts = new LiveQuery(this, () =>
    this.workspace && { mirror: this.workspace.mirror, sql: 'SELECT count(*) AS n FROM conflicts WHERE region = ?', params: [this.region], tables: ['conflicts'] },
  )

  private readonly sameDayPairs = new LiveQuery(this, () => this.workspace && { mirror: this.workspace.mirror, ...sameDayPairs(this.region) })

  private conflictCount(): number {
    return num(this.fieldConflicts.rows[0]?.n) + likelyDuplicates(this.sameDayPairs.rows).length
  }

  override connectedCallback(): void {
    super.connectedCallback()
    addEventListener('keydown', this.onShortcut)
    if (this.workspace === undefined) void this.resume()
  }

  /** On load: the remembered session opens without a password; with the relay down, the form says it unlocks offline. */
  private async resume(): Promise<void> {
    const remembered = rememberedSession()
    const last = lastSignIn()
    if (remembered === undefined) {
      if (last !== undefined) this.unreachable = !(await relayReachable(last.relay))
      return
    }
    this.resuming = true
    try {
      const tab = await resumeTab()
      if (tab !== undefined && this.workspace === undefined) this.attachTab(tab)
      else if (tab !== undefined) await tab.close()
    } catch (error) {
      if (error instanceof SignInError && error.code === 'unreachable') this.unreachable = true
      else this.error = errorIn(this.language, error)
    } finally {
      this.resuming = false
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    removeEventListener('keydown', this.onShortcut)
  }

  /** Writes what is pending to the browser store (Electron calls it before quitting). */
  async flush(): Promise<void> {
    await this.tab?.flush()
  }

  override render(): TemplateResult {
    const lang = this.language
    const ws = this.workspace
    if (ws === undefined) {
      const last = lastSignIn()
      return html`<header>
          <h1>${t(lang, 'app.title')}</h1>
          <div class="tools"><button @click=${() => this.setLang(lang === 'tr' ? 'en' : 'tr')}>${t(lang, 'lang.switch')}</button></div>
        </header>
        <main>
          ${this.resuming
            ? html`<p class="muted" data-testid="resuming">${t(lang, 'signIn.busy')}</p>`
            : html`<rs-sign-in
            .language=${lang}
            .unreachable=${this.unreachable}
            .relay=${servingRelay() || last?.relay || ''}
            .username=${last?.username ?? ''}
            .busy=${this.busy}
            .error=${this.error}
            @sign-in=${(e: CustomEvent<Credentials>) => this.signIn(e.detail)}
          ></rs-sign-in>`}
        </main>`
    }
    const regions = ws.session.regions
    const writable = regions.find((r) => r.slug === this.region)?.writable ?? false
    const conflicts = this.conflictCount()
    const own = regions.find((r) => r.slug === ws.session.user.region && r.writable)
    return html`<header>
        <h1>${t(lang, 'app.title')}</h1>
        <nav aria-label="screens">
          ${SCREENS.map(
            (name, i) => html`<button
              data-testid=${`tab-${name}`}
              title=${`Alt+${i + 1}`}
              aria-current=${this.screen === name ? 'page' : 'false'}
              @click=${() => (this.screen = name)}
            >
              ${t(lang, `tab.${name}` as MessageKey)}${name === 'conflicts' && conflicts > 0 ? html`<span class="count" data-testid="conflict-count">${conflicts}</span>` : nothing}
            </button>`,
          )}
        </nav>
        <div class="tools">
          <select aria-label=${t(lang, 'region')} data-testid="region" @change=${(e: Event) => this.showRegion((e.target as HTMLSelectElement).value)}>
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
          <button data-testid="lang" @click=${() => this.setLang(lang === 'tr' ? 'en' : 'tr')}>${t(lang, 'lang.switch')}</button>
          <button @click=${this.signOut}>${t(lang, 'signOut')}</button>
        </div>
      </header>
      <rs-password-dialog .workspace=${ws} .language=${lang}></rs-password-dialog>
      <main @language-change=${(e: CustomEvent<Lang>) => this.setLang(e.detail)}>
        ${this.notice ? html`<p class="notice" data-testid="notice">${this.notice}</p>` : nothing}
        ${ws.role === 'follower'
          ? html`<rs-tab-banner .takingOver=${this.tab?.takingOver ?? false} .problem=${this.tab?.problem ?? null} .language=${lang} @take-over=${() => this.tab?.takeOver()}></rs-tab-banner>`
          : nothing}
        ${ws.storagePersisted === false ? html`<p class="notice" role="alert" data-testid="storage-warning">${t(lang, 'storage.notPersisted')}</p>` : nothing}
        ${this.renderScreen(ws, writable)}
      </main>
      <rs-status-bar
        .state=${this.engineState}
        .offline=${ws.offline}
        .peers=${this.peers}
        .region=${regions.find((r) => r.slug === this.region)?.name ?? this.region}
        .language=${lang}
      ></rs-status-bar>
      ${own ? html`<rs-import-dialog .workspace=${ws} region=${own.slug} .language=${lang} .engineState=${this.engineState}></rs-import-dialog>` : nothing}`
  }

  private renderScreen(ws: Workspace, writable: boolean): TemplateResult {
    const p = { ws, region: this.region, writable, lang: this.language }
    switch (this.screen) {
      case 'puantaj':
        return html`<rs-puantaj .workspace=${p.ws} .region=${p.region} .writable=${p.writable} .language=${p.lang}></rs-puantaj>`
      case 'week':
        return html`<rs-week-grid .workspace=${p.ws} .region=${p.region} .writable=${p.writable} .language=${p.lang}></rs-week-grid>`
      case 'sheet':
        return html`<rs-sheet .workspace=${p.ws} .region=${p.region} .writable=${p.writable} .language=${p.lang}></rs-sheet>`
      case 'employees':
        return html`<rs-employees .workspace=${p.ws} .region=${p.region} .writable=${p.writable} .language=${p.lang}></rs-employees>`
      case 'vehicles':
        return html`<rs-vehicles .workspace=${p.ws} .region=${p.region} .writable=${p.writable} .language=${p.lang}></rs-vehicles>`
      case 'drivers':
        return html`<rs-drivers .workspace=${p.ws} .region=${p.region} .writable=${p.writable} .language=${p.lang}></rs-drivers>`
      case 'reports':
        return html`<rs-reports .workspace=${p.ws} .region=${p.region} .writable=${p.writable} .language=${p.lang}></rs-reports>`
      case 'settings':
        return html`<rs-settings .workspace=${p.ws} .region=${p.region} .writable=${p.writable} .language=${p.lang} .engineState=${this.engineState}></rs-settings>`
      case 'conflicts':
        return html`<rs-conflicts .workspace=${p.ws} .region=${p.region} .writable=${p.writable} .language=${p.lang}></rs-conflicts>`
    }
  }

  private setLang(lang: Lang): void {
    this.language = lang
    saveLang(lang)
    document.documentElement.lang = lang
  }

  private onShortcut = (event: KeyboardEvent): void => {
    if (!event.altKey || this.workspace === undefined) return
    const index = Number(event.key) - 1
    const screen = SCREENS[index]
    if (screen !== undefined) {
      event.preventDefault()
      this.screen = screen
    }
  }

  private async signIn(credentials: Credentials): Promise<void> {
    this.busy = true
    this.error = ''
    try {
      const tab = await openTab(credentials, { remember: true })
      this.unreachable = false
      this.attachTab(tab)
    } catch (error) {
      this.error = errorIn(this.language, error)
    } finally {
      this.busy = false
    }
  }

  private attachTab(tab: TabWorkspace): void {
    this.tab = tab
    const onChange = (): void => {
      if (tab.workspace === this.workspace) return this.requestUpdate()
      const wasFollowing = this.workspace?.role === 'follower'
      for (const cleanup of this.cleanups.splice(0)) cleanup()
      this.attach(tab.workspace)
      if (wasFollowing && tab.role === 'writer') this.notice = t(this.language, 'tabs.nowWriting')
    }
    const onSignedOut = (reason: Bilingual): void => {
      this.detach()
      this.error = reason[this.language]
    }
    tab.on('change', onChange)
    tab.on('signed-out', onSignedOut)
    this.tabCleanups.push(() => {
      tab.off('change', onChange)
      tab.off('signed-out', onSignedOut)
    })
    this.attach(tab.workspace)
  }

  private attach(ws: Workspace): void {
    this.workspace = ws
    // A hand-over between tabs keeps the region being looked at.
    if (!ws.session.regions.some((r) => r.slug === this.region)) this.region = ws.session.user.region ?? ws.session.regions[0]?.slug ?? ''
    this.notice = ws.signedInOnline ? '' : t(this.language, 'signIn.offline')
    const onStatus = (): void => {
      this.engineState = ws.status.state
      this.peers = ws.status.peers(this.region)
      if (ws.status.state.connection === 'synced') this.notice = ''
    }
    onStatus()
    this.cleanups.push(ws.status.follow(onStatus))
    // A follower's engine never connects: the writer tab follows the network.
    if (ws.role === 'writer') this.cleanups.push(followNetwork(ws.engine))
  }

  private showRegion(region: string): void {
    this.region = region
    if (this.workspace !== undefined) this.peers = this.workspace.status.peers(region)
  }

  /** Back to the sign-in form; returns the tab that was shown. */
  private detach(): TabWorkspace | undefined {
    const tab = this.tab
    for (const cleanup of [...this.cleanups.splice(0), ...this.tabCleanups.splice(0)]) cleanup()
    this.tab = undefined
    this.workspace = undefined
    this.engineState = undefined
    this.peers = []
    this.notice = ''
    return tab
  }

  private signOut = async (): Promise<void> => {
    const tab = this.detach()
    await tab?.signOut().catch((error: unknown) => (this.error = errorIn(this.language, error)))
  }
}

customElements.define('rainstaff-app', RainstaffApp)

declare global {
  interface HTMLElementTagNameMap {
    'rainstaff-app': RainstaffApp
  }
}
