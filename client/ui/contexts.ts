/**
 * What every screen of a signed-in app reads from the element that shows it (@lit/context): the
 * workspace, the region looked at, whether this user may write it, the language and the engine's
 * state. The shells provide them (app-shell.ts, admin-view.ts); screens consume them (screen.ts),
 * so a new screen is one element under the shell, with nothing handed down by hand.
 */
import { ContextProvider, createContext, type Context } from '@lit/context'
import type { ReactiveController, ReactiveElement } from 'lit'
import type { EngineState } from '../engine.ts'
import type { Lang } from './i18n.ts'
import type { Workspace } from './workspace.ts'

/** Undefined while signed out: a screen is shown under a workspace only. */
export const workspaceContext = createContext<Workspace | undefined>(Symbol('rainstaff.workspace'))
/** The region's slug (ankara). */
export const regionContext = createContext<string>(Symbol('rainstaff.region'))
/** Whether the signed-in user may write the region looked at (one's own region, not the others). */
export const writableContext = createContext<boolean>(Symbol('rainstaff.writable'))
export const languageContext = createContext<Lang>(Symbol('rainstaff.language'))
/** This tab's engine state, or for a follower tab the writer tab's as it reports it. */
export const engineStateContext = createContext<EngineState | undefined>(Symbol('rainstaff.engineState'))

/**
 * Provides `value()` under `context` to the host's subtree, read again before each of the host's
 * updates: a shell's own reactive property (its region) is what its screens see, with no setter
 * to keep in step.
 */
export class Provided<T> implements ReactiveController {
  private readonly provider: ContextProvider<Context<unknown, T>>

  constructor(
    host: ReactiveElement,
    context: Context<unknown, T>,
    private readonly value: () => T,
  ) {
    // No value until the host's first update: its fields are not all set while it is constructed.
    this.provider = new ContextProvider(host, { context })
    host.addController(this)
  }

  hostUpdate(): void {
    this.provider.setValue(this.value())
  }
}
