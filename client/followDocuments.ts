/**
 * Follows every document an engine has open: `attach(name, doc)` runs for each now, for each
 * month opened later, and again for a doc the engine rebuilt after a refusal; `release(name)` when
 * one closes. Whatever reads docs stays on the documents the engine writes, whichever they are
 * (the device's mirror follows them itself, client/offlineMirror.ts).
 */
import type * as Y from 'yjs'
import type { SyncEngine } from './engine.ts'

export function followDocuments(engine: SyncEngine, attach: (name: string, doc: Y.Doc) => void, release: (name: string) => void = () => undefined): () => void {
  for (const name of engine.documents()) attach(name, engine.doc(name))
  engine.on('opened', attach)
  engine.on('reset', attach)
  engine.on('closed', release)
  return () => {
    engine.off('opened', attach)
    engine.off('reset', attach)
    engine.off('closed', release)
  }
}
