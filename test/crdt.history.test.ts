/**
 * The history core over Y.Docs (crdt/history.ts) and the restore plan (crdt/restorePlan.ts), with
 * client ids fixed so that every race has a known winner: old → new per value, which value lost a
 * concurrent edit and to which, concurrent creations of one natural key, malformed values left
 * out, attribution by clock ranges; and a document's past rebuilt from a state vector compared
 * with its present.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { attributionFrom, recordHistory, shownChanges, type HistoryEntry } from '../crdt/history.ts'
import { readRecord, tableMap } from '../crdt/records.ts'
import { createRegionDoc, deleteRecord, insertRecord, updateRecord } from '../crdt/regionDoc.ts'
import { restorePlan } from '../crdt/restorePlan.ts'
import { docUpTo } from '../crdt/yjsInternals.ts'

/** One clock for both writers, a minute a stamp: unattributed changes are ordered by their stamps. */
let minute = 0
const tick = (): Date => new Date(Date.UTC(2026, 10, 2, 8, minute++))
const clerk = { user: 'ayse', now: tick }
const other = { user: 'mehmet', now: tick }

function replica(clientID: number): Y.Doc {
  const doc = createRegionDoc()
  doc.clientID = clientID
  return doc
}

const sync = (...docs: Y.Doc[]): void => {
  for (const from of docs) for (const to of docs) if (from !== to) Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)))
}

const none = (): undefined => undefined
const of = (entries: readonly HistoryEntry[], field: string | null): HistoryEntry[] => entries.filter((e) => e.field === field)

describe('a record history', () => {
  it('gives each value the one it replaced, and marks the one that lost a concurrent edit', () => {
    const [a, b] = [replica(10), replica(20)]
    const id = insertRecord(a, 'employees', 'ankara', { full_name: 'Ayşe', title: 'Usta' }, clerk)
    sync(a, b)
    updateRecord(a, 'employees', id, { title: 'Kalfa' }, clerk)
    updateRecord(b, 'employees', id, { title: 'Şef' }, other)
    sync(a, b)
    // The higher client id wins Yjs's tie-break: b's value shows.
    expect(readRecord(a, 'employees', id)?.title).toBe('Şef')
    const history = recordHistory(a, 'employees', id, none)
    const titles = of(history, 'title')
    expect(titles.map((e) => [e.old, e.new, e.shown, e.lost, e.claimedBy])).toEqual([
      [null, 'Usta', false, false, 'ayse'],
      ['Usta', 'Kalfa', false, true, 'ayse'],
      ['Usta', 'Şef', true, false, 'mehmet'],
    ])
    expect(titles[1]?.lostTo).toBe(titles[2]?.change)
    // The same on the other replica.
    expect(recordHistory(b, 'employees', id, none).map((e) => [e.change, e.lost])).toEqual(history.map((e) => [e.change, e.lost]))
    // Overwritten knowingly afterwards, the lost value stays lost and the winner is simply replaced.
    updateRecord(a, 'employees', id, { title: 'Müdür' }, clerk)
    const after = of(recordHistory(a, 'employees', id, none), 'title')
    expect(after.map((e) => [e.new, e.lost, e.shown])).toEqual([
      ['Usta', false, false],
      ['Kalfa', true, false],
      ['Şef', false, false],
      ['Müdür', false, true],
    ])
    expect(after[3]?.old).toBe('Şef')
  })

  it('lists both creations of one natural key, the hidden one lost, and a deletion and restore', () => {
    const [a, b] = [replica(10), replica(20)]
    const id = insertRecord(a, 'vehicles', 'ankara', { plate: '06 ABC 123', brand: 'Ford' }, clerk)
    expect(insertRecord(b, 'vehicles', 'ankara', { plate: '06 ABC 123', model: 'Transit' }, other)).toBe(id)
    sync(a, b)
    const history = recordHistory(a, 'vehicles', id, none)
    const creations = of(history, null)
    expect(creations).toHaveLength(2)
    expect(creations.filter((e) => e.lost)).toHaveLength(1)
    // Fields only the hidden map has still show (records.ts reads the union): not lost.
    expect(of(history, 'brand')[0]).toMatchObject({ new: 'Ford', lost: false })
    expect(of(history, 'model')[0]).toMatchObject({ new: 'Transit', lost: false })
    const lostPlate = of(history, 'plate').find((e) => e.lost)
    expect(lostPlate?.new).toBe(readRecord(a, 'vehicles', id)?.plate)
    deleteRecord(a, 'vehicles', id, clerk)
    const deletions = of(recordHistory(a, 'vehicles', id, none), 'deleted_at')
    expect(deletions.at(-1)).toMatchObject({ old: null, shown: true })
    expect(typeof deletions.at(-1)?.new).toBe('string')
  })

  it('leaves malformed values out and reads the next one as replacing what came before', () => {
    const a = replica(10)
    const id = insertRecord(a, 'employees', 'ankara', { full_name: 'Ayşe', title: 'Usta' }, clerk)
    const map = tableMap(a, 'employees').get(id) as Y.Map<unknown>
    a.transact(() => {
      map.set('title', { bad: true })
      map.set('updated_by', 'ayse')
    })
    updateRecord(a, 'employees', id, { title: 'Kalfa' }, clerk)
    expect(of(recordHistory(a, 'employees', id, none), 'title').map((e) => [e.old, e.new])).toEqual([
      [null, 'Usta'],
      ['Usta', 'Kalfa'],
    ])
  })

  it('attributes each value by the clock ranges stored with it, else by the fallback', () => {
    const a = replica(10)
    const id = insertRecord(a, 'employees', 'ankara', { full_name: 'Ayşe' }, clerk)
    const created = Y.getState(a.store, 10)
    updateRecord(a, 'employees', id, { title: 'Usta' }, clerk)
    const lookup = attributionFrom(
      [{ client: 10, from: 0, to: created, account: 'ayse', device: { id: 'pc-ankara-1', name: 'MASA' }, at: 1000 }],
      (client) => (client === 10 ? { account: 'owner', device: null, at: null } : undefined),
    )
    const history = recordHistory(a, 'employees', id, lookup)
    expect(of(history, 'full_name')[0]?.attribution).toEqual({ account: 'ayse', device: { id: 'pc-ankara-1', name: 'MASA' }, at: 1000 })
    expect(of(history, 'title')[0]?.attribution).toEqual({ account: 'owner', device: null, at: null })
    // What the log does not reach back to (an account, no time) was written before it: first.
    expect(history[0]?.field).toBe('title')
    expect(recordHistory(a, 'employees', id, () => undefined).map((e) => e.field)).toEqual([null, 'full_name', 'title'])
    expect(shownChanges(a, 'employees', id).get('title')).toBe(of(history, 'title')[0]?.change)
  })
})

describe('a restore plan', () => {
  it('restores what was deleted, reverts what changed and deletes what was created since', () => {
    const a = replica(10)
    const keep = insertRecord(a, 'employees', 'ankara', { full_name: 'Kalan', title: 'Usta' }, clerk)
    const gone = insertRecord(a, 'employees', 'ankara', { full_name: 'Silinen' }, clerk)
    const then = Y.decodeStateVector(Y.encodeStateVector(a))
    updateRecord(a, 'employees', keep, { title: 'Çırak', department: 'DEPO' }, other)
    deleteRecord(a, 'employees', gone, other)
    const junk = insertRecord(a, 'employees', 'ankara', { full_name: 'Fazla' }, other)
    const past = docUpTo(a, then, createRegionDoc())
    const plan = restorePlan(a, past, { tables: ['employees'], current: () => undefined, writtenElsewhere: () => false })
    expect(plan.map((p) => [p.id, p.action]).sort()).toEqual([[gone, 'restore'], [junk, 'delete'], [keep, 'revert']].sort())
    expect(plan.find((p) => p.id === keep)?.fields).toEqual([
      { field: 'department', now: 'DEPO', then: null },
      { field: 'title', now: 'Çırak', then: 'Usta' },
    ])
    expect(plan.find((p) => p.id === keep)?.changes).toEqual({ department: null, title: 'Usta' })
    expect(plan.find((p) => p.id === gone)?.changes).toEqual({ deleted_at: null })
    // Nothing changed since: nothing to do.
    expect(restorePlan(a, a, { tables: ['employees'], current: () => undefined, writtenElsewhere: () => false })).toEqual([])
    // A record that moved here since is left as it is.
    expect(restorePlan(a, past, { tables: ['employees'], id: junk, current: () => undefined, writtenElsewhere: () => true })).toEqual([
      { table: 'employees', id: junk, action: 'moved_in', fields: [], changes: {} },
    ])
  })
})
