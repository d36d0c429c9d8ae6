/**
 * Ctrl+Z / Ctrl+Y (and Ctrl+Shift+Z, ⌘ on a Mac) in the office app: this session's own edits
 * on this PC taken back and done again (SyncEngine.undo/redo, client/undo.ts), never another
 * person's. While the clerk is typing in a field, the keys belong to the field (the browser's
 * own text undo); once the field is saved (Enter, Tab) or left, they take back the saved edit. The outcome is
 * said in a short note: what was taken back, what was left because someone changed it since.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit'
import type { UndoOutcome } from '../undo.ts'
import { t, type Lang } from './i18n.ts'
import { errorIn } from './screen.ts'
import type { Workspace } from './workspace.ts'

type Note = { readonly kind: 'undo' | 'redo' | 'nothing'; readonly outcome?: UndoOutcome } | { readonly kind: 'error'; readonly error: unknown }

/** A text field the keys would undo typing in. */
function isTextField(target: EventTarget | undefined): target is HTMLInputElement | HTMLTextAreaElement {
  if (target instanceof HTMLTextAreaElement) return true
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit'].includes(target.type)
}

export class UndoKeys implements ReactiveController {
  private note: Note | undefined
  private noteTimer: ReturnType<typeof setTimeout> | undefined
  /** The field typed in since it got the focus (its own undo applies), if any. */
  private typingIn: EventTarget | undefined

  constructor(private readonly host: ReactiveControllerHost & HTMLElement & { readonly workspace: Workspace | undefined }) {
    host.addController(this)
  }

  hostConnected(): void {
    this.host.addEventListener('keydown', this.onKey)
    this.host.addEventListener('input', this.onInput)
    this.host.addEventListener('focusin', this.onFocus)
  }

  hostDisconnected(): void {
    this.host.removeEventListener('keydown', this.onKey)
    this.host.removeEventListener('input', this.onInput)
    this.host.removeEventListener('focusin', this.onFocus)
    clearTimeout(this.noteTimer)
  }

  private readonly onInput = (event: Event): void => {
    this.typingIn = event.composedPath()[0]
  }

  private readonly onFocus = (event: Event): void => {
    if (event.composedPath()[0] !== this.typingIn) this.typingIn = undefined
  }

  private readonly onKey = (event: KeyboardEvent): void => {
    // Enter and Tab save a field (the forms and the grid): what was typed is an edit now.
    if (event.key === 'Enter' || event.key === 'Tab') this.typingIn = undefined
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return
    const key = event.key.toLowerCase()
    const redo = key === 'y' || (key === 'z' && event.shiftKey)
    if (key !== 'z' && key !== 'y') return
    const target = event.composedPath()[0]
    // Typing in a field: the field's own undo, and a saved field's value is the engine's to undo.
    if (isTextField(target) && this.typingIn === target) return
    const engine = this.host.workspace?.role === 'writer' ? this.host.workspace.engine : undefined
    if (engine === undefined) return
    event.preventDefault()
    try {
      const outcome = redo ? engine.redo() : engine.undo()
      this.show(outcome === undefined ? { kind: 'nothing' } : { kind: redo ? 'redo' : 'undo', outcome })
    } catch (error) {
      this.show({ kind: 'error', error })
    }
  }

  private show(note: Note): void {
    this.note = note
    clearTimeout(this.noteTimer)
    this.noteTimer = setTimeout(() => {
      this.note = undefined
      this.host.requestUpdate()
    }, 6_000)
    this.host.requestUpdate()
  }

  render(lang: Lang): TemplateResult | typeof nothing {
    const note = this.note
    if (note === undefined) return nothing
    if (note.kind === 'error') return html`<p class="notice" role="alert" data-testid="undo-note" data-kind="error">${errorIn(lang, note.error)}</p>`
    if (note.kind === 'nothing') return html`<p class="notice" role="status" data-testid="undo-note" data-kind="nothing">${t(lang, 'undo.nothing')}</p>`
    const { changed, skipped } = note.outcome ?? { changed: 0, skipped: [] }
    const said = changed === 0 && skipped.length > 0 ? t(lang, note.kind === 'undo' ? 'undo.none' : 'redo.none') : t(lang, note.kind === 'undo' ? 'undo.done' : 'redo.done', { n: changed })
    return html`<p class="notice" role="status" data-testid="undo-note" data-kind=${note.kind}>
      ${said}${skipped.length > 0 ? ` ${t(lang, 'undo.skipped', { n: skipped.length })}` : ''}
    </p>`
  }
}
