/**
 * <rs-tab-banner>: on a follower tab, that another tab of this browser works on the account and
 * this one follows it read-only, with "Bu sekmede çalış" (client/ui/tab-workspace.ts); once
 * asked, that the other tab is saving and this one takes over.
 */
import { css, html, LitElement, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import type { Bilingual } from '../../schema/bilingual.ts'
import { t, type Lang } from './i18n.ts'

export class TabBanner extends LitElement {
  static override properties: PropertyDeclarations = {
    takingOver: { type: Boolean },
    problem: { attribute: false },
    language: {},
  }

  static override styles = css`
    p {
      background: #e8f1fb;
      border: 1px solid #9fc0e4;
      padding: 0.4rem 0.8rem;
      border-radius: 4px;
      margin: 0 0 0.8rem;
    }
    button {
      font: inherit;
      margin-left: 0.6rem;
    }
  `

  takingOver = false
  /** Why this tab could not take over, when it could not. */
  problem: Bilingual | null = null
  language: Lang = 'tr'

  override render(): TemplateResult {
    const lang = this.language
    return html`<p role="status" data-testid="tab-following">
      ${t(lang, this.takingOver ? 'tabs.takingOver' : 'tabs.following')}
      ${this.problem ? html`<strong data-testid="tab-problem">${this.problem[lang]}</strong>` : nothing}
      ${this.takingOver
        ? nothing
        : html`<button data-testid="take-over" @click=${() => this.dispatchEvent(new CustomEvent('take-over'))}>${t(lang, 'tabs.takeOver')}</button>`}
    </p>`
  }
}

customElements.define('rs-tab-banner', TabBanner)

declare global {
  interface HTMLElementTagNameMap {
    'rs-tab-banner': TabBanner
  }
}
