/**
 * Documents kept on this device whose rows a mirror lacks — its saved file was lost or set aside
 * as garbage — read from the local store and shown as held rows, without opening them in the
 * engine (no connection, no replica). When one opens later, the mirror reads only what changed.
 */
import * as Y from 'yjs'
import type { Mirror } from '../crdt/mirror.ts'
import { createRegionDoc } from '../crdt/regionDoc.ts'
import { renderDocument } from '../crdt/rendering.ts'
import type { DocumentStore, LocalStore } from './localStore.ts'

export async function holdCachedDocuments(store: LocalStore, regions: readonly string[], skip: (name: string) => boolean, mirror: Mirror): Promise<string[]> {
  const shown: string[] = []
  for (const region of regions) {
    for (const name of await store.listDocuments(region)) {
      if (skip(name)) continue
      let documentStore: DocumentStore
      try {
        documentStore = await store.openDocument(name)
      } catch {
        // Opened by the engine meanwhile (a file store opens a document once): it follows it then.
        continue
      }
      try {
        const stored = await documentStore.load()
        const doc = createRegionDoc()
        doc.transact(() => {
          for (const update of stored.updates) Y.applyUpdate(doc, update)
        })
        if (!skip(name) && mirror.show(renderDocument(name, doc), null)) shown.push(name)
        doc.destroy()
      } finally {
        await documentStore.close()
      }
    }
  }
  return shown
}
