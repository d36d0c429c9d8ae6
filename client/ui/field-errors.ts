/**
 * Refusals next to the field they are about, for the forms that are not entry rows (settings,
 * the import dialog, the users panel, the password dialog): a form keeps its refusals as the
 * errors themselves — each a BilingualError whose `field` names an input — and shows each in the
 * language of the moment beside that input, which is marked aria-invalid and described by it.
 * A refusal about no input of the form is shown under it.
 */
import { html, nothing, type TemplateResult } from 'lit'
import { Directive, directive, PartType, type ElementPart, type PartInfo } from 'lit/directive.js'
import { BilingualError, bilingualOf } from '../../schema/bilingual.ts'
import type { Lang } from './i18n.ts'
import { errorField, errorIn } from './screen.ts'

/** The first of `errors` about `field`. */
export function errorAbout(errors: readonly unknown[], field: string): unknown {
  return errors.find((e) => errorField(e) === field)
}

/**
 * The same refusal, about `field`: the relay's answer names a code and the schema a record field
 * (a setting's `value`), while the form knows which of its inputs that is.
 */
export function aboutField(error: unknown, field: string): BilingualError {
  const message = error instanceof Error ? error.message : String(error)
  return new BilingualError(bilingualOf(error) ?? { tr: message, en: message }, { message, field, cause: error })
}

/** The id of the message beside `field`; `scope` keeps two forms of one shadow root apart. */
function messageId(field: string, scope: string): string {
  return `error-${scope}${field}`
}

/** Marks the input it sits on: aria-invalid while one of `errors` is about `field`, described by its message. */
class MarkField extends Directive {
  constructor(part: PartInfo) {
    super(part)
    if (part.type !== PartType.ELEMENT) throw new Error('markField belongs on an input or select element')
  }

  override render(_errors: readonly unknown[], _field: string, _scope?: string): typeof nothing {
    return nothing
  }

  override update(part: ElementPart, [errors, field, scope = '']: Parameters<MarkField['render']>): typeof nothing {
    const invalid = errorAbout(errors, field) !== undefined
    part.element.setAttribute('aria-invalid', String(invalid))
    if (invalid) part.element.setAttribute('aria-describedby', messageId(field, scope))
    else part.element.removeAttribute('aria-describedby')
    return nothing
  }
}

export const markField = directive(MarkField)

/** The message beside `field`, when one of `errors` is about it. */
export function fieldMessage(lang: Lang, errors: readonly unknown[], field: string, testId: string, scope = ''): TemplateResult | typeof nothing {
  const error = errorAbout(errors, field)
  if (error === undefined) return nothing
  return html`<span class="field-error" role="alert" id=${messageId(field, scope)} data-testid=${testId}>${errorIn(lang, error)}</span>`
}

/** The refusals about none of `fields`, under the form. */
export function formMessages(lang: Lang, errors: readonly unknown[], fields: readonly string[], testId: string): TemplateResult | typeof nothing {
  const rest = errors.filter((e) => !fields.includes(errorField(e) ?? ''))
  if (rest.length === 0) return nothing
  return html`${rest.map((e) => html`<p class="error" role="alert" data-testid=${testId}>${errorIn(lang, e)}</p>`)}`
}
