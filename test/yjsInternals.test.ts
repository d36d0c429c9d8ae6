/**
 * crdt/yjsInternals.ts reads what Yjs does not promise between versions, so yjs is pinned to an
 * exact version and this file is what an upgrade must pass: the installed version is the pinned
 * one, and every function of the door reads, on that version, what the readers, the mirror, the
 * repair and the update guard rely on. Scenarios are built through Yjs's public API only.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  addedStructs,
  applyOwnUpdate,
  contentKind,
  createdMap,
  currentItem,
  deletedItems,
  deleteItem,
  docUpTo,
  forEachItemBetween,
  hasMissingDependencies,
  historyHeads,
  isCollected,
  itemHistory,
  itemsFrom,
  itemValue,
  itemValues,
  keyedItems,
  knewEarlierItem,
  knowsClient,
  listLength,
  liveListItems,
  nextItem,
  parentType,
  placeOf,
  previousItem,
  setAsUnseen,
  writtenOn,
  type YType,
} from '../crdt/yjsInternals.ts'

const ROOT = path.resolve(import.meta.dirname, '..')
const json = (file: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, unknown>

/** A gc-off doc with a fixed client id, as region docs are. */
function doc(clientID: number, gc = false): Y.Doc {
  const d = new Y.Doc({ gc })
  d.clientID = clientID
  return d
}

/** The item `key` of `map` shows now; fails the test when there is none. */
function itemOf(map: YType, key: string): Y.Item {
  const item = currentItem(map, key)
  if (item === undefined) throw new Error(`no item under ${key}`)
  return item
}

describe('the pinned yjs', () => {
  it('is installed at exactly the version package.json and the lock file name', () => {
    const pinned = (json('package.json').dependencies as Record<string, string>).yjs
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/)
    expect(json('node_modules/yjs/package.json').version).toBe(pinned)
    const lock = json('package-lock.json').packages as Record<string, { version?: string; dependencies?: Record<string, string> }>
    expect(lock['node_modules/yjs'].version).toBe(pinned)
    expect(lock[''].dependencies?.yjs).toBe(pinned)
  })
})

describe('a key history', () => {
  it('runs newest first through previousItem and itemHistory, with the sets Yjs merged as one item', () => {
    const d = doc(1)
    const map = d.getMap<number>('m')
    for (const value of [1, 2, 3]) map.set('x', value)
    const top = itemOf(map, 'x')
    expect(itemValues(top)).toEqual([3])
    expect(itemValue(top)).toEqual({ value: 3 })
    // The two overwritten sets are consecutive deleted items of one client: Yjs merges them.
    const earlier = previousItem(top)
    expect(earlier !== null && itemValues(earlier)).toEqual([1, 2])
    expect(earlier !== null && itemValue(earlier)).toEqual({ value: [1, 2] })
    expect(earlier !== null && previousItem(earlier)).toBeNull()
    const history = itemHistory(top)
    expect(history).toHaveLength(2)
    expect(history[0]).toBe(top)
    expect(history[1]).toBe(earlier)
    expect(itemHistory(undefined)).toEqual([])
    expect(knewEarlierItem(top)).toBe(true)
    expect(earlier !== null && knewEarlierItem(earlier)).toBe(false)
    // The newest set was written on the last merged value, so only it is a head.
    const heads = historyHeads(history)
    expect(heads).toHaveLength(1)
    expect(heads[0]).toBe(top)
  })

  it('names the element each set was written on, and the set after each item', () => {
    const d = doc(1)
    const map = d.getMap<number>('m')
    for (const value of [1, 2, 3]) map.set('x', value)
    const top = itemOf(map, 'x')
    const earlier = previousItem(top) as Y.Item
    // The newest set was written on the merged item's last element (clock 1), the first on nothing.
    expect(writtenOn(top)).toEqual({ client: 1, clock: 1 })
    expect(writtenOn(earlier)).toBeNull()
    expect(nextItem(earlier)).toBe(top)
    expect(nextItem(top)).toBeNull()
  })

  it('keeps both concurrent sets as heads, neither built on the other', () => {
    const [a, b] = [doc(1), doc(2)]
    a.getMap('m').set('x', 'a')
    b.getMap('m').set('x', 'b')
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b))
    const history = itemHistory(currentItem(a.getMap('m'), 'x'))
    expect(history.map((item) => itemValues(item))).toEqual([['b'], ['a']])
    expect(historyHeads(history)).toHaveLength(2)
    expect(history.every((item) => !knewEarlierItem(item))).toBe(true)
  })

  it('sets a key as a writer that saw none of its values: concurrent with all of them, as its copy is dropped', () => {
    const [a, b] = [doc(2), doc(1)]
    a.getMap('m').set('x', 'first')
    a.getMap('m').set('x', 'second')
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
    const before = Y.encodeStateVector(b)
    b.transact(() => setAsUnseen(b.getMap('m'), 'x', 'unseen'))
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b, before))
    // Written on a copy as a doc's own client, the update is that doc's own local change.
    const own = doc(3)
    Y.applyUpdate(own, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)))
    const copy = doc(3)
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(own))
    const mark = Y.encodeStateVector(copy)
    copy.getMap('m').set('y', 'own')
    const origins: Array<{ origin: unknown; local: boolean }> = []
    own.on('afterTransaction', (tr: Y.Transaction) => origins.push({ origin: tr.origin, local: tr.local }))
    applyOwnUpdate(own, Y.encodeStateAsUpdate(copy, mark), 'me')
    expect(own.clientID).toBe(3)
    expect(origins).toEqual([{ origin: 'me', local: true }])
    expect(own.getMap('m').get('y')).toBe('own')
    const history = itemHistory(currentItem(a.getMap('m'), 'x'))
    const unseen = history.find((item) => item.id.client === 1)!
    expect(knewEarlierItem(unseen)).toBe(false)
    // Written on neither value, it is a head beside the newest; the lower client id loses.
    expect(historyHeads(history).map((item) => itemValues(item)?.at(-1)).sort()).toEqual(['second', 'unseen'])
    expect(a.getMap('m').get('x')).toBe('second')
  })

  it('shows a collected item where a writer with GC on dropped an overwritten value', () => {
    const d = doc(1, true)
    const map = d.getMap<number>('m')
    map.set('x', 1)
    map.set('x', 2)
    const lost = previousItem(itemOf(map, 'x'))
    expect(lost !== null && isCollected(lost)).toBe(true)
    expect(lost !== null && itemValues(lost)).toBeUndefined()
    expect(lost !== null && contentKind(lost)).toBe('collected')
    expect(isCollected(itemOf(map, 'x'))).toBe(false)
  })
})

describe('map entries and placement', () => {
  it('keyedItems keeps deleted keys that Y.Map hides', () => {
    const map = doc(1).getMap<number>('m')
    map.set('a', 1)
    map.set('b', 2)
    map.delete('b')
    expect([...map.keys()]).toEqual(['a'])
    expect([...keyedItems(map).keys()].sort()).toEqual(['a', 'b'])
    expect(keyedItems(map).get('b')?.deleted).toBe(true)
    expect(currentItem(map, 'c')).toBeUndefined()
  })

  it('placeOf, parentType and createdMap see a root entry, a record field and anything deeper', () => {
    const d = doc(1)
    const table = d.getMap<Y.Map<unknown>>('employees')
    const record = new Y.Map<unknown>()
    table.set('r1', record)
    record.set('full_name', 'AYŞE')
    const nested = new Y.Map<unknown>()
    record.set('deep', nested)
    nested.set('x', 1)

    const recordItem = itemOf(table, 'r1')
    const fieldItem = itemOf(record, 'full_name')
    expect(createdMap(recordItem)).toBe(record)
    expect(createdMap(fieldItem)).toBeUndefined()
    expect(placeOf(recordItem)).toEqual({ kind: 'root', root: 'employees', key: 'r1' })
    expect(placeOf(fieldItem)).toEqual({ kind: 'field', root: 'employees', record: 'r1', recordItem, key: 'full_name' })
    expect(placeOf(itemOf(nested, 'x'))).toEqual({ kind: 'other' })
    expect(parentType(fieldItem)).toBe(record)
    expect(parentType(recordItem)).toBe(table)
  })
})

describe('what an item holds', () => {
  it('contentKind names every stock content', () => {
    const d = doc(1)
    const map = d.getMap<unknown>('m')
    const values: Record<string, unknown> = {
      values: 'text',
      map: new Y.Map(),
      array: new Y.Array(),
      text: new Y.Text(),
      xml: new Y.XmlFragment(),
      binary: new Uint8Array([1, 2]),
      subdoc: new Y.Doc(),
    }
    for (const [key, value] of Object.entries(values)) map.set(key, value)
    for (const key of Object.keys(values)) expect(contentKind(itemOf(map, key)), key).toBe(key)
    map.set('element', new Y.XmlElement('p'))
    expect(contentKind(itemOf(map, 'element'))).toBe('xml')

    const text = d.getText('t')
    text.insert(0, 'ab')
    text.format(0, 1, { bold: true })
    text.insertEmbed(2, { image: 'x' })
    const kinds = liveListItems(text).map(contentKind)
    expect(new Set(kinds)).toEqual(new Set(['characters', 'formatting', 'embed']))
  })
})

describe('list parts', () => {
  it('liveListItems and listLength read the live list items a Y.Map reader never sees', () => {
    const d = doc(1)
    const list = d.getArray<number>('employees')
    list.push([1, 2, 3])
    list.push([4])
    list.delete(0, 1)
    expect(liveListItems(list).flatMap((item) => itemValues(item) ?? [])).toEqual([2, 3, 4])
    expect(listLength(liveListItems(list))).toBe(3)
    const text = d.getText('t')
    text.insert(0, 'abc', { bold: true })
    // Formatting marks are list items too, but hold no characters.
    expect(liveListItems(text).length).toBeGreaterThan(1)
    expect(listLength(liveListItems(text))).toBe(3)
  })

  it('deleteItem removes a list item or a map entry as the type itself would', () => {
    const d = doc(1)
    const list = d.getArray<number>('l')
    list.push([1])
    list.push([2])
    const map = d.getMap<number>('m')
    map.set('k', 1)
    // One client's consecutive pushes are one item: deleting it deletes both elements.
    expect(liveListItems(list)).toHaveLength(1)
    d.transact((transaction) => {
      deleteItem(liveListItems(list)[0], transaction)
      deleteItem(itemOf(map, 'k'), transaction)
    })
    expect(list.toArray()).toEqual([])
    expect(map.has('k')).toBe(false)
    expect(currentItem(map, 'k')?.deleted).toBe(true)
  })
})

describe('a transaction and the struct store', () => {
  it('addedStructs and deletedItems list what one transaction integrated and deleted', () => {
    const d = doc(1)
    const map = d.getMap<number>('m')
    map.set('x', 1)
    const first = itemOf(map, 'x')
    let added: unknown[] = []
    let deleted: unknown[] = []
    d.on('afterTransaction', (transaction: Y.Transaction) => {
      added = addedStructs(transaction)
      deleted = deletedItems(transaction)
    })
    map.set('x', 2)
    expect(added).toHaveLength(1)
    expect(added[0]).toBe(itemOf(map, 'x'))
    expect(deleted).toHaveLength(1)
    expect(deleted[0]).toBe(first)
  })

  it('hasMissingDependencies holds an update whose earlier changes the doc never saw', () => {
    const source = doc(1)
    const map = source.getMap<number>('m')
    map.set('a', 1)
    const before = Y.encodeStateVector(source)
    const firstUpdate = Y.encodeStateAsUpdate(source)
    map.set('a', 2)
    const target = doc(2)
    Y.applyUpdate(target, Y.encodeStateAsUpdate(source, before))
    expect(hasMissingDependencies(target)).toBe(true)
    Y.applyUpdate(target, firstUpdate)
    expect(hasMissingDependencies(target)).toBe(false)
    expect(target.getMap('m').get('a')).toBe(2)
  })

  it('itemsFrom, forEachItemBetween and knowsClient read one client’s structs by clock', () => {
    const d = doc(7)
    expect(knowsClient(d, 7)).toBe(false)
    const map = d.getMap<number>('m')
    for (const [key, value] of [['a', 1], ['b', 2], ['c', 3]] as const) map.set(key, value)
    expect(knowsClient(d, 7)).toBe(true)
    expect(knowsClient(d, 8)).toBe(false)
    const values = (items: Y.Item[]): unknown[] => items.map((item) => itemValue(item)?.value)
    expect(values(itemsFrom(d, 7, 1))).toEqual([2, 3])
    expect(values(itemsFrom(d, 7, 3))).toEqual([])
    const between = (from: number, to: number): Y.Item[] => {
      const items: Y.Item[] = []
      forEachItemBetween(d, 7, from, to, (item) => items.push(item))
      return items
    }
    expect(values(between(0, 2))).toEqual([1, 2])
    expect(values(between(2, 2))).toEqual([])
    expect(itemsFrom(d, 8, 0)).toEqual([])
  })

  it('docUpTo rebuilds the doc as it stood at a state vector', () => {
    const d = doc(1)
    const map = d.getMap<number>('m')
    map.set('a', 1)
    const vector = Y.decodeStateVector(Y.encodeStateVector(d))
    map.set('b', 2)
    const copy = docUpTo(d, vector, new Y.Doc({ gc: false }))
    expect(copy.getMap('m').toJSON()).toEqual({ a: 1 })
  })
})
