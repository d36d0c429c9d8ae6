/**
 * What the record readers skip (the rules are in records.ts), listed for `rainstaff doctor`, the
 * admin status and the repair: only what a key shows (its newest item), since that is what an
 * edit can replace; older bad items are inert history. crdt/repair.ts overwrites what is listed
 * with ordinary edits, after which the list is empty and every reader reads what it read before.
 */
import type * as Y from 'yjs'
import { isTableName } from '../schema/tables.ts'
import { readRecord, SUPPORT_ROOTS } from './records.ts'
import { cellOf, MALFORMED, mapOf } from './versions.ts'
import { contentKind, itemValues, keyedItems, listLength, liveListItems, type ContentKind, type YType } from './yjsInternals.ts'

/** A bilingual text for people. */
export interface Message {
  readonly tr: string
  readonly en: string
}

/**
 * Something the readers skip, by what holds it:
 * - `root`: a root type that is neither a table nor a support map;
 * - `list`: list items in a table root (key null);
 * - `record`: the newest item under a record id is no map;
 * - `field`: the newest item of a field of a live record map is no scalar.
 */
export interface MalformedItem {
  readonly kind: 'root' | 'list' | 'record' | 'field'
  /** The table, or the name of the root. */
  readonly root: string
  readonly key: string | null
  readonly field: string | null
  readonly problem: Message
}

/** What an item holds, in words. */
/** What a nested type is called in messages. */
const TYPE_NAMES: Readonly<Record<'map' | 'array' | 'text' | 'xml' | 'type', string>> = { map: 'Y.Map', array: 'Y.Array', text: 'Y.Text', xml: 'Y.Xml', type: 'Yjs' }

function describe(item: Y.Item): Message {
  const kind = contentKind(item)
  switch (kind) {
    case 'values': {
      const values = itemValues(item) as readonly unknown[]
      const value = values[values.length - 1]
      if (typeof value === 'string') return { tr: 'bir metin', en: 'a string' }
      if (typeof value === 'number') return { tr: 'bir sayı', en: 'a number' }
      if (typeof value === 'boolean') return { tr: 'bir mantıksal değer', en: 'a boolean' }
      if (typeof value === 'bigint') return { tr: 'bir bigint', en: 'a bigint' }
      if (value === null || value === undefined) return { tr: 'boş bir değer', en: 'null' }
      return Array.isArray(value) ? { tr: 'bir JSON dizisi', en: 'a JSON array' } : { tr: 'bir JSON nesnesi', en: 'a JSON object' }
    }
    case 'map':
    case 'array':
    case 'text':
    case 'xml':
    case 'type':
      return { tr: `iç içe bir ${TYPE_NAMES[kind]} türü`, en: `a nested ${TYPE_NAMES[kind]} type` }
    case 'binary':
      return { tr: 'ikili veri', en: 'binary data' }
    case 'subdoc':
      return { tr: 'bir alt belge', en: 'a subdocument' }
    case 'characters':
      return { tr: 'metin karakterleri', en: 'text characters' }
    case 'collected':
      return { tr: 'silinmiş içerik', en: 'deleted content' }
    case 'formatting':
    case 'embed':
      return { tr: 'metin biçimi ya da gömülü içerik', en: 'text formatting or an embed' }
  }
}

/** Live entries of a root's map part. */
function liveMapItems(type: YType): Y.Item[] {
  const items: Y.Item[] = []
  for (const item of keyedItems(type).values()) if (!item.deleted) items.push(item)
  return items
}

function liveItems(type: YType): Y.Item[] {
  return [...liveListItems(type), ...liveMapItems(type)]
}

/**
 * What the repair deletes under root `name`: all its live content for a root that is no table,
 * the live list items for a table.
 */
export function skippedRootItems(doc: Y.Doc, name: string): Y.Item[] {
  const type = doc.share.get(name)
  if (type === undefined || SUPPORT_ROOTS.has(name)) return []
  return isTableName(name) ? liveListItems(type) : liveItems(type)
}

/** Content only a Y.Text holds in its list part. */
const TEXT_CONTENT: ReadonlySet<ContentKind> = new Set(['characters', 'formatting', 'embed'])

function rootProblem(type: YType): Message {
  const list = liveListItems(type)
  const first = list[0]
  const kind: Message =
    first === undefined
      ? { tr: 'Y.Map', en: 'a Y.Map' }
      : TEXT_CONTENT.has(contentKind(first))
        ? { tr: 'Y.Text', en: 'a Y.Text' }
        : { tr: 'Y.Array', en: 'a Y.Array' }
  return {
    tr: `Rainstaff tablosu olmayan bir kök tür (${kind.tr}); okuyucular yok sayar`,
    en: `a root type that is no Rainstaff table (${kind.en}); readers ignore it`,
  }
}

function compareItems(a: MalformedItem, b: MalformedItem): number {
  const order = (x: MalformedItem): string => `${x.root}\u0000${x.key ?? ''}\u0000${x.field ?? ''}`
  const [x, y] = [order(a), order(b)]
  return x < y ? -1 : x > y ? 1 : 0
}

/**
 * What the readers of `doc` skip, sorted by root, key and field: only what a key shows (its
 * newest item), since that is what an edit can replace; older bad items are inert history.
 */
export function malformedItems(doc: Y.Doc): MalformedItem[] {
  const found: MalformedItem[] = []
  for (const [name, type] of doc.share) {
    if (!isTableName(name)) {
      if (!SUPPORT_ROOTS.has(name) && liveItems(type).length > 0) {
        found.push({ kind: 'root', root: name, key: null, field: null, problem: rootProblem(type) })
      }
      continue
    }
    const list = listLength(liveListItems(type))
    if (list > 0) {
      found.push({
        kind: 'list',
        root: name,
        key: null,
        field: null,
        problem: {
          tr: `tabloda ${list} liste öğesi var (Y.Array olarak yazılmış); okuyucular yok sayar`,
          en: `${list} list items in a table root (written as a Y.Array); readers ignore them`,
        },
      })
    }
    for (const [id, top] of keyedItems(type)) {
      if (top.deleted) continue
      const map = mapOf(top)
      if (map === undefined) {
        const earlier = readRecord(doc, name, id) !== undefined
        const what = describe(top)
        found.push({
          kind: 'record',
          root: name,
          key: id,
          field: null,
          problem: {
            tr: `kayıt ${what.tr}, Y.Map değil; okuyucular ${earlier ? 'önceki kaydı gösterir' : 'kaydı göstermez'}`,
            en: `the record is ${what.en}, not a Y.Map; readers show ${earlier ? 'the record before it' : 'no record'}`,
          },
        })
        continue
      }
      for (const [key, field] of keyedItems(map)) {
        if (field.deleted || cellOf(field) !== MALFORMED) continue
        const what = describe(field)
        found.push({
          kind: 'field',
          root: name,
          key: id,
          field: key,
          problem: {
            tr: `değer ${what.tr}, tek bir değer değil; okuyucular önceki değeri ya da boş gösterir`,
            en: `the value is ${what.en}, not a scalar; readers show the value before it, or null`,
          },
        })
      }
    }
  }
  return found.sort(compareItems)
}
