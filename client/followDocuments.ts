/**
 * Follows every document an engine has open: `attach(name, doc)` runs for each now, for each
 * month opened later, and again for a doc the engine rebuilt after a refusal. The mirror (and
 * anything else that reads docs) stays on the documents the engine writes, whichever they are.
 */
import type * as Y from 'yjs'
import type { SyncEngine } from './engine.ts'

export function followDocuments(engine: SyncEngine, attach: (name: string, doc: Y.Doc) => void): () => void {
  for (const name of engine.documents()) attach(name, engine.doc(name))
  engine.on('opened', attach)
  engine.on('reset', attach)
  return () => {
    engine.off('opened', attach)
    engine.off('reset', attach)
  }
}
