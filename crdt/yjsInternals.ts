/**
 * Every Yjs internal Rainstaff reads, behind one door: a key's history of items, what an item
 * holds, where it sits (root table, record, field), which structs a transaction added or deleted.
 * Yjs does not promise these between versions, so package.json pins the exact version and
 * test/yjsInternals.test.ts checks that version and exercises every function here; an upgrade
 * is this file and that test.
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

/** Any Yjs type, whatever its event type: the parts of it these functions read. */
export type YType = Pick<AnyType, '_map' | '_start'>

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

/** The item holding `key` of a map type now (the winner of its history, maybe deleted), if any. */
export function currentItem(type: YType, key: string): Y.Item | undefined {
  return type._map.get(key)
}

/**
 * Sets `key` of `map` as a writer that had seen no value of it would: the new item has no origin,
 * so wherever it meets the key's other items it is concurrent with all of them. `map` forgets the
 * items it held under `key`, so this is for a copy made to write one update and then dropped.
 */
export function setAsUnseen(map: Y.Map<unknown>, key: string, value: unknown): void {
  map._map.delete(key)
  map.set(key, value)
}

/**
 * Applies an update holding items of `doc`'s own client (written on a copy of `doc`, see
 * setAsUnseen) as a local change with `origin`. Yjs marks every applied update non-local and
 * gives a doc whose own client's items arrive that way a new client id; this one is `doc`'s own.
 */
export function applyOwnUpdate(doc: Y.Doc, update: Uint8Array, origin: unknown): void {
  doc.transact((transaction) => {
    Y.applyUpdate(doc, update)
    transaction.local = true
  }, origin)
}

/** Every key of a map type with its current item, deleted ones included (Y.Map#keys hides those). */
export function keyedItems(type: YType): ReadonlyMap<string, Y.Item> {
  return type._map
}

/** The item set under the same key just before `item` (its left neighbour), or null for the first. */
export function previousItem(item: Y.Item): Y.Item | null {
  return item.left
}

/**
 * Whether the writer of a map item had seen an item under its key before (Yjs keeps that item as
 * its origin); false for the first set of a key, and for sets concurrent with the first.
 */
export function knewEarlierItem(item: Y.Item): boolean {
  return item.origin !== null
}

/** The type an integrated item sits in. */
export function parentType(item: Y.Item): YType {
  return item.parent as AnyType
}

/** `item` and every item set under its key before it, newest (rightmost, the winner) first. */
export function itemHistory(item: Y.Item | undefined): Y.Item[] {
  const items: Y.Item[] = []
  for (let at = item ?? null; at !== null; at = at.left) items.push(at)
  return items
}

/**
 * Whether an item whose origin is `id` was written on top of `item`'s last value. Only the last
 * counts: an item of several values is a chain Yjs merged (each value set on the one before it),
 * and an item set on an earlier value of the chain is concurrent with the later ones.
 */
function buildsOn(id: Y.ID | null, item: Y.Item): boolean {
  return id !== null && id.client === item.id.client && id.clock === item.id.clock + item.length - 1
}

/**
 * The element an item was written on top of (Yjs's origin: the key's shown item when its writer
 * set it, its last element), or null for a writer that saw no value of the key.
 */
export function writtenOn(item: Y.Item): { readonly client: number; readonly clock: number } | null {
  return item.origin
}

/** The item set under the same key right after `item` (its right neighbour), or null for the newest. */
export function nextItem(item: Y.Item): Y.Item | null {
  return item.right
}

/** Items of a key's history that no other item of it was written on top of. */
export function historyHeads(items: readonly Y.Item[]): Y.Item[] {
  if (items.length === 1) return items.slice()
  return items.filter((item) => !items.some((other) => buildsOn(other.origin, item)))
}

/** Live items of a type's list part, which Y.Map readers never see (a writer used it as a Y.Array). */
export function liveListItems(type: YType): Y.Item[] {
  const items: Y.Item[] = []
  for (let item = type._start; item !== null; item = item.right) if (!item.deleted) items.push(item)
  return items
}

/** How many list elements `items` hold; formatting marks hold none. */
export function listLength(items: readonly Y.Item[]): number {
  let length = 0
  for (const item of items) if (item.countable) length += item.length
  return length
}

/** Deletes an integrated item, as a map delete or a list delete would, inside `transaction`. */
export function deleteItem(item: Y.Item, transaction: Y.Transaction): void {
  item.delete(transaction)
}

/**
 * The plain values an item holds (one per consecutive set that Yjs merged into it), or undefined
 * when it holds no plain values. ContentJSON is what Yjs before 13 wrote for the same values.
 */
export function itemValues(item: Y.Item): readonly unknown[] | undefined {
  const content = item.content
  return content instanceof Y.ContentAny || content instanceof Y.ContentJSON ? content.arr : undefined
}

/** True for an item whose content a writer with GC on dropped: it held something once. */
export function isCollected(item: Y.Item): boolean {
  return item.content instanceof Y.ContentDeleted
}

/** What an item holds, by kind; `values` are what itemValues reads. */
export type ContentKind =
  | 'values'
  | 'collected'
  | 'map'
  | 'array'
  | 'text'
  | 'xml'
  | 'type'
  | 'binary'
  | 'subdoc'
  | 'characters'
  | 'formatting'
  | 'embed'

export function contentKind(item: Y.Item): ContentKind {
  const content = item.content
  if (content instanceof Y.ContentAny || content instanceof Y.ContentJSON) return 'values'
  if (content instanceof Y.ContentDeleted) return 'collected'
  if (content instanceof Y.ContentType) {
    const type = content.type
    if (type instanceof Y.Map) return 'map'
    if (type instanceof Y.Array) return 'array'
    if (type instanceof Y.Text) return 'text'
    return type instanceof Y.XmlElement || type instanceof Y.XmlFragment ? 'xml' : 'type'
  }
  if (content instanceof Y.ContentBinary) return 'binary'
  if (content instanceof Y.ContentDoc) return 'subdoc'
  if (content instanceof Y.ContentString) return 'characters'
  return content instanceof Y.ContentFormat ? 'formatting' : 'embed'
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
  const out: Y.Item[] = []
  forEachItemBetween(doc, client, clock, Y.getState(doc.store, client), (item) => out.push(item))
  return out
}

/**
 * Calls `visit` with each item `client` wrote that holds clocks in [from, to), in clock order (GC
 * structs left out). No array: the mirror visits every item of a region as it loads.
 */
export function forEachItemBetween(doc: Y.Doc, client: number, from: number, to: number, visit: (item: Y.Item) => void): void {
  const structs = doc.store.clients.get(client)
  if (structs === undefined || from >= to) return
  for (let i = Y.findIndexSS(structs, from); i < structs.length && structs[i].id.clock < to; i++) {
    const struct = structs[i]
    if (struct instanceof Y.Item) visit(struct)
  }
}

/** Whether the doc holds any struct `client` wrote. */
export function knowsClient(doc: Y.Doc, client: number): boolean {
  return doc.store.clients.has(client)
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

