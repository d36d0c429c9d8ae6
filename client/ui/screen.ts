/**
 * What every screen is given by the shell: the workspace (engine for writes, mirror for reads),
 * the region being looked at, whether this user may write it, and the language. Screens only
 * read these; they change data through the engine and tell the shell nothing else.
 */
import { LitElement, type PropertyDeclarations } from 'lit'
import { bilingualOf } from '../../schema/bilingual.ts'
import { languagePart, type Lang } from './i18n.ts'
import type { Workspace } from './workspace.ts'

export class Screen extends LitElement {
  static override properties: PropertyDeclarations = {
    workspace: { attribute: false },
    region: {},
    writable: { type: Boolean },
    language: {},
  }

  workspace: Workspace | undefined = undefined
  region = ''
  writable = false
  language: Lang = 'tr'

  /** The region's display name (İstanbul), the slug when the session does not know it. */
  protected regionName(slug: string = this.region): string {
    return this.workspace?.session.regions.find((r) => r.slug === slug)?.name ?? slug
  }
}

/** A refused edit in the screen's one language: the error's Bilingual text, else its message's half. */
export function errorIn(lang: Lang, error: unknown): string {
  const text = bilingualOf(error)
  if (text !== undefined) return text[lang]
  return languagePart(lang, error instanceof Error ? error.message : String(error))
}

/** The field a refused edit is about (ValidationError, ShiftError), to mark and to put the message next to. */
export function errorField(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('field' in error)) return undefined
  const field = (error as { field: unknown }).field
  return typeof field === 'string' ? field : undefined
}

/** Form text as the schema reads it: blank is null; anything else goes as typed, read as tr-TR there. */
export function textOrNull(text: string): string | null {
  return text.trim() === '' ? null : text.trim()
}
