/**
 * The pieces the fleet's entry forms share: a labelled input that shows a refusal next to itself
 * (aria-invalid, aria-describedby, the error in the screen's language), the vehicle and driver
 * selects by plate and name, Enter as "save" from any field, and money as the offices write it.
 */
import { html, nothing, type TemplateResult } from 'lit'
import type { Row } from '../../../crdt/mirror.ts'
import { fieldLabelText } from '../../../schema/labels.ts'
import { formatLira } from '../../../schema/fleetTexts.ts'
import { formatPlate, type Lang } from '../i18n.ts'
import { text } from '../live-query.ts'
import { errorField, errorIn } from '../screen.ts'

const collator = new Intl.Collator('tr')

export interface FieldView {
  readonly lang: Lang
  /** The refused save: marks the input its field names. */
  readonly error: unknown
  /** The data-testid prefix of the form's inputs (`inspection` → `inspection-km`). */
  readonly prefix: string
}

export function datePlaceholder(lang: Lang): string {
  return lang === 'tr' ? 'GG.AA.YYYY' : 'DD.MM.YYYY'
}

/** An input for `field` (its label from schema/labels.ts), marked when the error is about it. */
export function textField(
  view: FieldView,
  field: string,
  value: string,
  set: (value: string) => void,
  options: { readonly table?: string; readonly placeholder?: string; readonly width?: string; readonly mode?: string; readonly required?: boolean } = {},
): TemplateResult {
  const invalid = view.error !== undefined && errorField(view.error) === field
  const id = `error-${view.prefix}-${field}`
  return html`<label
    >${fieldLabelText(field, options.table)[view.lang]}${options.required ? ' *' : ''}<input
      name=${field}
      data-testid=${`${view.prefix}-${field}`}
      inputmode=${options.mode ?? 'text'}
      style=${options.width ? `width:${options.width}` : nothing}
      placeholder=${options.placeholder ?? ''}
      class=${invalid ? 'invalid' : ''}
      aria-invalid=${invalid ? 'true' : 'false'}
      aria-describedby=${invalid ? id : nothing}
      .value=${value}
      @input=${(e: Event) => set((e.target as HTMLInputElement).value)}
    />${invalid ? html`<span class="field-error" role="alert" id=${id} data-testid=${`${view.prefix}-error`}>${errorIn(view.lang, view.error)}</span>` : nothing}</label
  >`
}

/** A refusal no input of the form names (a closed month, a record gone), under the form. */
export function formError(view: FieldView, fields: readonly string[]): TemplateResult | typeof nothing {
  if (view.error === undefined || fields.includes(errorField(view.error) ?? '')) return nothing
  return html`<p class="error" role="alert" data-testid=${`${view.prefix}-error`}>${errorIn(view.lang, view.error)}</p>`
}

/** The region's vehicles by plate as people read it (06 ABC 123). */
export function byPlate(rows: readonly Row[]): Row[] {
  return [...rows].sort((a, b) => collator.compare(formatPlate(text(a.plate)), formatPlate(text(b.plate))))
}

export function byName(rows: readonly Row[], field = 'full_name'): Row[] {
  return [...rows].sort((a, b) => collator.compare(text(a[field]), text(b[field])))
}

/** A select of records: `none` is the blank choice's words; the value is the record's id. */
export function recordSelect(
  view: FieldView,
  field: string,
  value: string,
  options: ReadonlyArray<{ readonly id: string; readonly label: string }>,
  none: string,
  set: (value: string) => void,
): TemplateResult {
  const invalid = view.error !== undefined && errorField(view.error) === field
  const id = `error-${view.prefix}-${field}`
  return html`<label
    >${fieldLabelText(field)[view.lang]}<select
      name=${field}
      data-testid=${`${view.prefix}-${field}`}
      aria-invalid=${invalid ? 'true' : 'false'}
      aria-describedby=${invalid ? id : nothing}
      @change=${(e: Event) => set((e.target as HTMLSelectElement).value)}
    >
      <option value="" ?selected=${value === ''}>${none}</option>
      ${options.map((o) => html`<option value=${o.id} ?selected=${o.id === value}>${o.label}</option>`)}
    </select>${invalid ? html`<span class="field-error" role="alert" id=${id} data-testid=${`${view.prefix}-error`}>${errorIn(view.lang, view.error)}</span>` : nothing}</label
  >`
}

/**
 * Enter saves from any field of the form (the selects and the checklist too), not only from a
 * text input; on a button it stays the button's own press.
 */
export function enterSaves(save: () => void): (event: KeyboardEvent) => void {
  return (event) => {
    if (event.key !== 'Enter' || event.target instanceof HTMLButtonElement || event.isComposing) return
    event.preventDefault()
    save()
  }
}

/** Lira in the screen's language: ₺1.234,50 (tr), ₺1,234.50 (en). */
export function formatMoney(lang: Lang, amount: number): string {
  if (lang === 'tr') return formatLira(amount)
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'TRY', currencyDisplay: 'narrowSymbol' }).format(amount)
}

/** A cost as typed, for the schema to read as tr-TR: the lira sign and spaces dropped (₺ 1.234,50 → 1.234,50). */
export function typedMoney(typed: string): string {
  return typed.replace(/[₺\s]|TL$/gi, '')
}
