/**
 * What every screen is given by the shell: the workspace (engine for writes, mirror for reads),
 * the region being looked at, whether this user may write it, and the language. Screens only
 * read these; they change data through the engine and tell the shell nothing else.
 */
import { LitElement, type PropertyDeclarations } from 'lit'
import type { Lang } from './i18n.ts'
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

/**
 * The message to show for a refused edit. ValidationError, RecordError and AccessError already
 * carry "Türkçe / English"; anything else is shown as it is.
 */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Form text → the value the schema expects: blank stays blank (null), numbers as numbers. */
export function numberOrNull(text: string): number | null {
  const trimmed = text.trim().replace(',', '.')
  return trimmed === '' ? null : Number(trimmed)
}
