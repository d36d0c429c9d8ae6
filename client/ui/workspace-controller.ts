/**
 * A shell's signed-in workspace from sign-in (or the remembered session) to sign-out: the form's
 * busy and error state, the engine's state followed into the status bar, the browser's network
 * signal followed by a writer's engine, and the workspace and engine state provided to every
 * screen under the shell (contexts.ts). The office app holds a tab (tab-workspace.ts), whose
 * workspace changes when another tab takes over writing; the admin view holds a lone workspace.
 */
import { ContextProvider } from '@lit/context'
import type { ReactiveController, ReactiveElement } from 'lit'
import type { Bilingual } from '../../schema/bilingual.ts'
import type { EngineState } from '../engine.ts'
import { SignInError } from '../signIn.ts'
import { engineStateContext, workspaceContext } from './contexts.ts'
import type { Lang } from './i18n.ts'
import { errorIn } from './screen.ts'
import { lastSignIn, rememberedSession } from './remembered-session.ts'
import { followNetwork, relayReachable, type Credentials, type Workspace } from './workspace.ts'

/** What a shell holds while signed in. */
export interface Seat {
  /** Replaced while signed in when the seat says so (`follow`'s onChange): a tab's hand-over. */
  readonly workspace: Workspace
  flush(): Promise<void>
  signOut(): Promise<void>
  close(): Promise<void>
  /** Calls `onChange` when the workspace or anything the shell shows of the seat changes, `onSignedOut` when it ended elsewhere; returns the unsubscribe. */
  follow(onChange: () => void, onSignedOut: (reason: Bilingual) => void): () => void
}

/** A workspace held on its own (the admin view): signing out closes it, and nothing else changes it. */
export function loneSeat(workspace: Workspace): Seat {
  return {
    workspace,
    flush: () => workspace.flush(),
    signOut: () => workspace.close(),
    close: () => workspace.close(),
    follow: () => () => undefined,
  }
}

export interface WorkspaceOptions<S extends Seat> {
  /** Signs in with the form's credentials (throws to show the form's error). */
  open(credentials: Credentials): Promise<S>
  /** Opens the remembered session when the shell appears; without it the shell waits for the form. */
  resume?(): Promise<S | undefined>
  /** The shell's language of the moment, for the errors shown on the form. */
  language(): Lang
  /** A workspace is shown: after sign-in, or when the seat replaced it (`previous`). */
  attached?(workspace: Workspace, previous: Workspace | undefined): void
  /** After every change of the engine's state or of the peers. */
  statusChanged?(workspace: Workspace): void
  /** Back to the sign-in form. */
  detached?(): void
}

export class WorkspaceController<S extends Seat = Seat> implements ReactiveController {
  seat: S | undefined = undefined
  engineState: EngineState | undefined = undefined
  /** Signing in from the form. */
  busy = false
  /** Why the last sign-in failed or the seat ended, in the language of that moment. */
  error = ''
  /** Opening the remembered session (no form shown meanwhile). */
  resuming = false
  /** The relay did not answer on load: the form is the offline unlock and says so. */
  unreachable = false
  private readonly workspaceProvider: ContextProvider<typeof workspaceContext>
  private readonly engineStateProvider: ContextProvider<typeof engineStateContext>
  /** What the shown workspace follows; undone when it is replaced. */
  private workspaceCleanups: Array<() => void> = []
  private stopSeat: (() => void) | undefined

  constructor(
    private readonly host: ReactiveElement,
    private readonly options: WorkspaceOptions<S>,
  ) {
    this.workspaceProvider = new ContextProvider(host, { context: workspaceContext, initialValue: undefined })
    this.engineStateProvider = new ContextProvider(host, { context: engineStateContext, initialValue: undefined })
    host.addController(this)
  }

  get workspace(): Workspace | undefined {
    return this.seat?.workspace
  }

  hostConnected(): void {
    if (this.seat === undefined && this.options.resume !== undefined) void this.resume(this.options.resume)
  }

  async signIn(credentials: Credentials): Promise<void> {
    this.set({ busy: true, error: '' })
    try {
      const seat = await this.options.open(credentials)
      this.set({ unreachable: false })
      this.attachSeat(seat)
    } catch (error) {
      this.set({ error: errorIn(this.options.language(), error) })
    } finally {
      this.set({ busy: false })
    }
  }

  /** Writes what is pending to the browser store (Electron calls it before quitting). */
  async flush(): Promise<void> {
    await this.seat?.flush()
  }

  async signOut(): Promise<void> {
    const seat = this.detach()
    await seat?.signOut().catch((error: unknown) => this.set({ error: errorIn(this.options.language(), error) }))
  }

  /** On load: the remembered session opens without a password; with the relay down, the form says it unlocks offline. */
  private async resume(resume: () => Promise<S | undefined>): Promise<void> {
    const last = lastSignIn()
    if (rememberedSession() === undefined) {
      if (last !== undefined) this.set({ unreachable: !(await relayReachable(last.relay)) })
      return
    }
    this.set({ resuming: true })
    try {
      const seat = await resume()
      if (seat !== undefined && this.seat === undefined) this.attachSeat(seat)
      else if (seat !== undefined) await seat.close()
    } catch (error) {
      if (error instanceof SignInError && error.code === 'unreachable') this.set({ unreachable: true })
      else this.set({ error: errorIn(this.options.language(), error) })
    } finally {
      this.set({ resuming: false })
    }
  }

  private attachSeat(seat: S): void {
    this.seat = seat
    const onChange = (): void => {
      const shown = this.workspaceProvider.value
      if (seat.workspace === shown) return this.host.requestUpdate()
      this.stopWorkspace()
      this.attach(seat.workspace, shown)
    }
    const onSignedOut = (reason: Bilingual): void => {
      this.detach()
      this.set({ error: reason[this.options.language()] })
    }
    this.stopSeat = seat.follow(onChange, onSignedOut)
    this.attach(seat.workspace, undefined)
  }

  private attach(ws: Workspace, previous: Workspace | undefined): void {
    this.workspaceProvider.setValue(ws)
    this.options.attached?.(ws, previous)
    const onStatus = (): void => {
      this.engineState = ws.status.state
      this.engineStateProvider.setValue(this.engineState)
      this.options.statusChanged?.(ws)
      this.host.requestUpdate()
    }
    onStatus()
    this.workspaceCleanups.push(ws.status.follow(onStatus))
    // A follower's engine never connects: the writer tab follows the network.
    if (ws.role === 'writer') this.workspaceCleanups.push(followNetwork(ws.engine))
  }

  private stopWorkspace(): void {
    for (const cleanup of this.workspaceCleanups.splice(0)) cleanup()
  }

  /** Back to the sign-in form; returns the seat that was shown. */
  private detach(): S | undefined {
    const seat = this.seat
    this.stopWorkspace()
    this.stopSeat?.()
    this.stopSeat = undefined
    this.seat = undefined
    this.engineState = undefined
    this.workspaceProvider.setValue(undefined)
    this.engineStateProvider.setValue(undefined)
    this.options.detached?.()
    this.host.requestUpdate()
    return seat
  }

  private set(changes: Partial<Pick<this, 'busy' | 'error' | 'resuming' | 'unreachable'>>): void {
    Object.assign(this, changes)
    this.host.requestUpdate()
  }
}
