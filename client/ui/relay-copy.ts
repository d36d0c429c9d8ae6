/**
 * Waiting for an open document to hold the relay's copy before it is read for a decision (the
 * legacy import's plan, import-dialog.ts), since one the device never had reads as empty until then.
 */
import type { EngineState, SyncEngine } from '../engine.ts'

/** How long a document may take to come from the relay before the import goes without it. */
const FETCH_MS = 60_000

/**
 * Resolves once open document `name` holds the relay's copy. The engine opens a document at once
 * from what this computer keeps, and one it never had reads as empty until the relay's copy
 * arrives: planned then, the import would write every record of the file already there again.
 * While the relay answers this waits for the sync; when it cannot (offline, refused, too slow) a
 * copy kept here is used as it is, and a document never fetched stops the import (`notFetched`)
 * before it writes anything.
 */
export function withRelayCopy(engine: SyncEngine, name: string, notFetched: () => Error): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const finish = (error?: Error): void => {
      clearTimeout(timer)
      engine.off('state', check)
      if (error === undefined) resolve()
      else reject(error)
    }
    const giveUp = (): void => finish(engine.state.documents[name]?.lastSyncedAt == null ? notFetched() : undefined)
    const check = (state: EngineState): void => {
      const doc = state.documents[name]
      if (doc?.connection === 'synced') finish()
      else if (doc === undefined || doc.connection === 'failed' || doc.problem?.code === 'unreachable' || doc.problem?.code === 'too_many_connections') giveUp()
    }
    const timer = setTimeout(giveUp, FETCH_MS)
    engine.on('state', check)
    check(engine.state)
  })
}
