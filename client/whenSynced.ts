/**
 * Waiting for an engine to be in step with the relay: every open document synced, nothing
 * pending, and what arrived stored locally (client/engine.ts `whenSynced`).
 */
import type { EngineState } from './engineState.ts'

export class SyncTimeoutError extends Error {
  constructor(
    readonly state: EngineState,
    detail: string,
  ) {
    super(detail)
    this.name = 'SyncTimeoutError'
  }
}

/** What the wait reads of an engine. */
export interface SyncSource {
  readonly state: EngineState
  on(event: 'state', listener: (state: EngineState) => void): void
  off(event: 'state', listener: (state: EngineState) => void): void
  flush(): Promise<void>
}

/**
 * Resolves when every open document is synced and nothing is pending (and stored locally).
 * Rejects when a document fails for good, or with SyncTimeoutError after `timeoutMs`.
 */
export function whenSynced(source: SyncSource, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const check = (state: EngineState): void => {
      const failed = Object.values(state.documents).find((r) => r.connection === 'failed')
      if (failed !== undefined) {
        finish()
        reject(new SyncTimeoutError(state, failed.problem?.message ?? `${failed.name}: failed`))
      } else if (state.connection === 'synced' && state.pendingChanges === 0) {
        finish()
        source.flush().then(resolve, reject)
      }
    }
    const finish = (): void => {
      if (timer !== undefined) clearTimeout(timer)
      source.off('state', check)
    }
    timer = setTimeout(() => {
      finish()
      const state = source.state
      const problem = Object.values(state.documents).find((r) => r.problem !== null)?.problem
      reject(new SyncTimeoutError(state, problem?.message ?? 'Eşitleme zaman aşımına uğradı / Sync timed out'))
    }, timeoutMs)
    source.on('state', check)
    check(source.state)
  })
}
