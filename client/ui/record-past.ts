/**
 * <rs-record-past>: a record's "Geçmiş" where the clerk works on it — its history as the relay
 * keeps it (record-history.ts: who, which PC, when, old → new) and, for a region one may write,
 * "bu kaydı şu tarihteki haline getir" with its preview (restore-panel.ts). Tells its list
 * `record-past-close` when closed.
 */
import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit'
import { t } from './i18n.ts'
import { Screen } from './screen.ts'
import { shared } from './styles.ts'
import './record-history.ts'
import './restore-panel.ts'

export class RsRecordPast extends Screen {
  static override properties: PropertyDeclarations = {
    table: {},
    recordId: { attribute: 'record-id' },
    label: {},
  }

  static override styles = [shared]

  table = ''
  recordId = ''
  /** What the clerk calls the record (a name, a day and shift), for the heading. */
  label = ''

  override render(): TemplateResult {
    const lang = this.language
    return html`<section data-testid="record-past">
      <div class="row">
        <h3 style="margin:0">${t(lang, 'history.panel')}: ${this.label}</h3>
        <button type="button" data-testid="record-past-close" @click=${() => this.dispatchEvent(new CustomEvent('record-past-close', { bubbles: true, composed: true }))}>${t(lang, 'history.close')}</button>
      </div>
      <rs-record-history .document=${this.region} .table=${this.table} .recordId=${this.recordId}></rs-record-history>
      ${this.writable
        ? html`<h4>${t(lang, 'history.restoreAt')}</h4>
            <rs-restore .table=${this.table} .recordId=${this.recordId}></rs-restore>`
        : nothing}
    </section>`
  }
}

customElements.define('rs-record-past', RsRecordPast)
