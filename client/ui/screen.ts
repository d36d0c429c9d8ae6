/**
 * What every screen reads from the shell above it (contexts.ts): the workspace (engine for
 * writes, mirror for reads), the region being looked at, whether this user may write it, and the
 * language. Screens only read these; they change data through the engine and tell the shell
 * nothing else. A screen is drawn under a workspace only: signing out removes it.
 */
import { ContextConsumer, type Context } from '@lit/context'
import { LitElement, type PropertyDeclarations, type PropertyValues } from 'lit'
import type { Row } from '../../crdt/mirror.ts'
import { bilingualOf } from '../../schema/bilingual.ts'
import { languageContext, regionContext, workspaceContext, writableContext } from './contexts.ts'
import { languagePart, type Lang } from './i18n.ts'
import { liveQuery, type LiveQuery } from './live-query.ts'
import type { Workspace } from './workspace.ts'

/** Sets the host's property from the nearest provider of `context`, now and at every change. */
export function consume<T>(host: LitElement, context: Context<unknown, T>, set: (value: T) => void): ContextConsumer<Context<unknown, T>, LitElement> {
  return new ContextConsumer(host, { context, subscribe: true, callback: set })
}

/** A part of a signed-in app that works with the workspace in the user's language (dialogs, panels, screens). */
export class WorkspaceElement extends LitElement {
  static override properties: PropertyDeclarations = {
    workspace: { state: true },
    language: { state: true },
  }

  workspace: Workspace | undefined = undefined
  language: Lang = 'tr'

  constructor() {
    super()
    consume(this, workspaceContext, (ws) => (this.workspace = ws))
    consume(this, languageContext, (lang) => (this.language = lang))
  }

  /** Signing out tells the screens before the shell removes them: nothing to draw meanwhile. */
  protected override shouldUpdate(_changed: PropertyValues): boolean {
    return this.workspace !== undefined
  }
}

export class Screen extends WorkspaceElement {
  static override properties: PropertyDeclarations = {
    region: { state: true },
    writable: { state: true },
  }

  region = ''
  writable = false

  constructor() {
    super()
    consume(this, regionContext, (region) => (this.region = region))
    consume(this, writableContext, (writable) => (this.writable = writable))
  }

  /** The region's display name (İstanbul), the slug when the session does not know it. */
  protected regionName(slug: string = this.region): string {
    return this.workspace?.session.regions.find((r) => r.slug === slug)?.name ?? slug
  }

  /** The live rows of `sql`, whose one parameter is the region shown: one line per list a screen reads. */
  protected regionQuery<T = Row>(sql: string, tables: readonly string[], map?: (row: Row) => T): LiveQuery<T> {
    return liveQuery(this, () => ({ sql, params: [this.region], tables }), map)
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
