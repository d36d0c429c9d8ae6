/**
 * Stok: the region's stock inventory, searchable (Turkish-aware: "tuz" finds TABLET TUZ 25 KG).
 * The serial number is the record's identity (schema/identity.ts): a serial typed again — in any
 * spelling of it, "st 87080" for ST87080 — changes nothing and offers the existing record, as a
 * plate does on Araçlar (record-editor.ts); a deleted one typed again comes back.
 */
import { html, type TemplateResult } from 'lit'
import { t } from '../i18n.ts'
import { Screen } from '../screen.ts'
import { shared } from '../styles.ts'
import '../record-editor.ts'

const FIELDS = ['seri_no', 'stok_kod', 'stok_adi', 'durum', 'tarih', 'girdi_yapan', 'adet'] as const

export class StockScreen extends Screen {
  static override styles = [shared]

  override render(): TemplateResult {
    return html`<rs-record-editor table="stock_inventory" .fields=${FIELDS} heading=${t(this.language, 'tab.stock')}></rs-record-editor>
      <p class="muted" data-testid="stock-hint">${t(this.language, 'stock.hint')}</p>`
  }
}

customElements.define('rs-stock', StockScreen)
