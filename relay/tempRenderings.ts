/**
 * TEMP: the two renderings endpoints of the contract (relay/PROTOCOL.md), in their plainest form,
 * so the client can be built against them before the relay's stored renderings land. The version
 * is read from the store's per-document figures and the rendering made from the loaded document on
 * each request.
 */
import type { Store } from './store.ts'
import type { Docs } from './docs.ts'
import { encodeRendering, renderDocument } from '../crdt/rendering.ts'

export interface TempRendering {
  readonly version: string
  readonly bytes: Uint8Array
}

/**
 * A document's version, cheaply: the time of its newest stored change and how many updates are
 * logged since its snapshot. It changes whenever the document does, which is all a client compares.
 */
export function documentVersion(store: Store, name: string): string {
  const { lastUpdateAt, updates } = store.regionStorage(name)
  return `${lastUpdateAt ?? 0}.${updates}`
}

export function documentVersions(store: Store, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, documentVersion(store, name)]))
}

export function renderStored(store: Store, docs: Docs, name: string): TempRendering {
  const version = documentVersion(store, name)
  return { version, bytes: encodeRendering(renderDocument(name, docs.open(name).doc)) }
}
