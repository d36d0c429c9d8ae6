/**
 * The few Yjs internals the update guard needs, behind one door: which structs a transaction
 * added, what it deleted, and where an item sits (root table, record, field). Pinned to the Yjs
 * version in package.json; test/updateGuard.test.ts exercises every function here.
 */
import * as Y from 'yjs'

/** Where an integrated item lives in a region doc's layout. */
export type ItemPlace =
  /** Directly under a root type: a record under a table, or an entry of a relay map. */
  | { readonly kind: 'root'; readonly root: string; readonly key: string | null }
  /** Under a record map that itself sits under a root: a field of a record. */
  | { readonly kind: 'field'; readonly root: string; readonly record: string | null; readonly recordItem: Y.Item; readonly key: string | null }
  /** Anywhere deeper, or under a root type with no name: never part of the layout. */
  | { readonly kind: 'other' }

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Yjs types are invariant in their event type
type AnyType = Y.AbstractType<any>

export function placeOf(item: Y.Item): ItemPlace {
  const parent = item.parent as AnyType | null
  if (parent === null || !(parent instanceof Y.AbstractType)) return { kind: 'other' }
  if (parent._item === null) return { kind: 'root', root: rootName(parent), key: item.parentSub }
  const recordItem = parent._item
  const grand = recordItem.parent as AnyType | null
  if (grand === null || !(grand instanceof Y.AbstractType) || grand._item !== null) return { kind: 'other' }
  return { kind: 'field', root: rootName(grand), record: recordItem.parentSub, recordItem, key: item.parentSub }
}

/** Root types keep their name for the doc's life; Yjs finds it by walking every root. */
const rootNames = new WeakMap<AnyType, string>()

function rootName(type: AnyType): string {
  let name = rootNames.get(type)
  if (name === undefined) {
    try {
      name = Y.findRootTypeKey(type)
    } catch {
      name = ''
    }
    rootNames.set(type, name)
  }
  return name
}

/** Every struct a transaction integrated: the clocks past its before-state, client by client. */
export function addedStructs(transaction: Y.Transaction): Array<Y.Item | Y.GC> {
  const out: Array<Y.Item | Y.GC> = []
  const store = transaction.doc.store
  for (const [client, after] of transaction.afterState) {
    const before = transaction.beforeState.get(client) ?? 0
    if (after <= before) continue
    const structs = store.clients.get(client)
    if (structs === undefined) continue
    for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) out.push(structs[i] as Y.Item | Y.GC)
  }
  return out
}

/** Every item a transaction deleted, by a delete set or by losing a concurrent map set. */
export function deletedItems(transaction: Y.Transaction): Y.Item[] {
  const out: Y.Item[] = []
  Y.iterateDeletedStructs(transaction, transaction.deleteSet, (struct) => {
    if (struct instanceof Y.Item) out.push(struct)
  })
  return out
}

/** The item holding `key` of a map type now (the winner of its history), if any. */
export function currentItem(type: AnyType, key: string): Y.Item | undefined {
  return type._map.get(key)
}

/** The value a map item holds (one value per map set), or undefined for a deleted-content item. */
export function itemValue(item: Y.Item): { readonly value: unknown } | undefined {
  const content = item.content
  if (content instanceof Y.ContentAny) return content.arr.length === 1 ? { value: content.arr[0] } : { value: content.arr }
  return undefined
}

/** True when a transaction left structs or deletions waiting for updates this doc never saw. */
export function hasMissingDependencies(doc: Y.Doc): boolean {
  return doc.store.pendingStructs !== null || doc.store.pendingDs !== null
}

/** The record map an item's content creates, when it is a Y.Map. */
export function createdMap(item: Y.Item): Y.Map<unknown> | undefined {
  const content = item.content
  return content instanceof Y.ContentType && content.type instanceof Y.Map ? (content.type as Y.Map<unknown>) : undefined
}

/** The items `client` wrote from `clock` on, in clock order (GC structs left out). */
export function itemsFrom(doc: Y.Doc, client: number, clock: number): Y.Item[] {
  const structs = doc.store.clients.get(client)
  if (structs === undefined || clock >= Y.getState(doc.store, client)) return []
  const out: Y.Item[] = []
  for (let i = Y.findIndexSS(structs, clock); i < structs.length; i++) {
    const struct = structs[i]
    if (struct instanceof Y.Item) out.push(struct)
  }
  return out
}

/**
 * A new doc holding `doc`'s structs up to `stateVector` (clients left out are left out). No
 * explicit deletions are copied: the deletions integrating the kept structs implies (overwritten
 * map values, lost concurrent sets) happen again, and the relay sends its own on the next sync.
 * `doc` needs gc off.
 */
export function docUpTo(doc: Y.Doc, stateVector: ReadonlyMap<number, number>, into: Y.Doc): Y.Doc {
  return Y.createDocFromSnapshot(doc, Y.createSnapshot(Y.createDeleteSet(), new Map(stateVector)), into)
}

