/**
 * Recovery after the relay refused an update (message 101). Yjs orders each client id's updates
 * within a doc: once one is refused, every later update of that client id depends on it and can
 * never apply. So the region doc is rebuilt:
 *
 * 1. a fresh doc (new random client id) holds every struct the relay is known to have — every
 *    other client's, and this device's refused client ids up to where the refused update began;
 * 2. what this device wrote after that point is replayed into it semantically, as the values the
 *    user sees now (table, record, field → value; new records; conflict resolutions; legacy
 *    ledger entries), each value checked against the schema, in one LOCAL_EDIT transaction that
 *    becomes a new pending change. What the schema refuses (the bad change) is left out; a hard
 *    delete is never replayed since only values are;
 * 3. the replay is run past the relay's own guard (crdt/updateGuard.ts) first, so a replay the
 *    relay would refuse again is narrowed down record by record instead of looping.
 *
 * Yjs internals stay in crdt/yjsInternals.ts.
 */
import * as Y from 'yjs'
import { DELETIONS_MAP, PROVENANCE_MAP } from '../crdt/legacy/ledger.ts'
import { RESOLVED_MAP } from '../crdt/records.ts'
import { createRegionDoc, LOCAL_EDIT } from '../crdt/regionDoc.ts'
import { checkTransaction, type Refusal } from '../crdt/updateGuard.ts'
import { createdMap, currentItem, docUpTo, itemsFrom, itemValue, placeOf } from '../crdt/yjsInternals.ts'
import { isStamp, storedValueProblem } from '../schema/storedValue.ts'
import { isTableName, TABLES, type TableName } from '../schema/tables.ts'
import type { PendingMark } from './pendingChanges.ts'

export interface RecoveryContext {
  readonly region: string
  /** The signed-in account: replayed values are stamped with it. */
  readonly user: string
  readonly now: () => Date
}

export interface Recovered {
  /** The rebuilt doc: the relay's known state plus the replayed edits, as one pending change. */
  readonly doc: Y.Doc
  /** Pending marks of the rebuilt doc: the kept old ones plus the replay's. */
  readonly marks: PendingMark[]
  /** Records (and root entries) replayed. */
  readonly replayed: number
  /** What was left out, `table/id.field` style, for logs and tests. */
  readonly dropped: string[]
}

/** One record's replayed values. `create` holds the whole record when this device created it. */
interface RecordReplay {
  readonly table: TableName
  readonly id: string
  readonly values: Map<string, unknown>
  create: Map<string, unknown> | null
}

interface RootReplay {
  readonly root: string
  readonly key: string
  readonly value: unknown
}

interface Replay {
  readonly records: RecordReplay[]
  readonly roots: RootReplay[]
}

const STAMPS = new Set(['updated_at', 'updated_by', 'created_at', 'region'])

/**
 * Rebuilds `old` without what `cut` names (client id → clock from which its structs are dropped;
 * clients not named are kept whole) and replays the dropped structs' current values.
 */
export function rebuildRegionDoc(
  old: Y.Doc,
  cut: ReadonlyMap<number, number>,
  marks: readonly PendingMark[],
  ctx: RecoveryContext,
  options: { readonly replay?: boolean } = {},
): Recovered {
  const dropped: string[] = []
  // Without replay (a rejected late edit) nothing after the cut is written again.
  const replay = options.replay === false ? { records: [], roots: [] } : collect(old, cut, dropped)
  const keepVector = new Map<number, number>(Y.decodeStateVector(Y.encodeStateVector(old)))
  for (const [client, clock] of cut) {
    if (clock <= 0) keepVector.delete(client)
    else keepVector.set(client, Math.min(clock, keepVector.get(client) ?? 0))
  }
  const base = (): Y.Doc => docUpTo(old, keepVector, createRegionDoc())
  const fresh = base()
  const baseState = Y.encodeStateAsUpdate(fresh)
  let chosen = filterValid(fresh, replay, ctx, dropped)
  if (guard(baseState, chosen, ctx) !== null) {
    // Narrow down: keep the entries the guard takes one by one, then check them together.
    const records = chosen.records.filter((r) => guard(baseState, { records: [r], roots: [] }, ctx) === null)
    const roots = chosen.roots.filter((r) => guard(baseState, { records: [], roots: [r] }, ctx) === null)
    for (const r of chosen.records) if (!records.includes(r)) dropped.push(`${r.table}/${r.id}`)
    for (const r of chosen.roots) if (!roots.includes(r)) dropped.push(`${r.root}/${r.key}`)
    chosen = { records, roots }
    if (guard(baseState, chosen, ctx) !== null) {
      for (const r of records) dropped.push(`${r.table}/${r.id}`)
      chosen = { records: [], roots: [] }
    }
  }
  const before = Y.getState(fresh.store, fresh.clientID)
  write(fresh, chosen, ctx)
  const after = Y.getState(fresh.store, fresh.clientID)
  const kept = marks.filter((m) => {
    const from = cut.get(m.client)
    return from === undefined || m.clock <= from
  })
  if (after > before) kept.push({ client: fresh.clientID, clock: after })
  return { doc: fresh, marks: kept, replayed: chosen.records.length + chosen.roots.length, dropped }
}

/** Reads what the dropped structs hold now: the latest value per (record, field) they wrote. */
function collect(old: Y.Doc, cut: ReadonlyMap<number, number>, dropped: string[]): Replay {
  const records = new Map<string, RecordReplay>()
  const roots: RootReplay[] = []
  const record = (table: TableName, id: string): RecordReplay => {
    const key = `${table}\u0000${id}`
    let r = records.get(key)
    if (r === undefined) records.set(key, (r = { table, id, values: new Map(), create: null }))
    return r
  }
  for (const [client, clock] of cut) {
    for (const item of itemsFrom(old, client, clock)) {
      const place = placeOf(item)
      if (place.kind === 'root') {
        if (place.key === null) continue
        const current = currentItem(old.getMap(place.root), place.key)
        if (current !== item) continue
        if (isTableName(place.root)) {
          const map = createdMap(item)
          if (map === undefined) {
            dropped.push(`${place.root}/${place.key}`)
            continue
          }
          const r = record(place.root, place.key)
          r.create = new Map()
          for (const key of map.keys()) {
            const held = currentItem(map, key)
            const value = held === undefined ? undefined : itemValue(held)
            if (value !== undefined) r.create.set(key, value.value)
          }
        } else if (place.root === RESOLVED_MAP || place.root === DELETIONS_MAP || place.root === PROVENANCE_MAP) {
          const held = itemValue(item)
          if (held !== undefined && !item.deleted) roots.push({ root: place.root, key: place.key, value: held.value })
        } else {
          dropped.push(`${place.root}/${place.key}`)
        }
      } else if (place.kind === 'field') {
        if (place.record === null || place.key === null || !isTableName(place.root)) continue
        const map = createdMap(place.recordItem)
        if (map === undefined || currentItem(map, place.key) !== item) continue
        const held = itemValue(item)
        if (held === undefined) {
          dropped.push(`${place.root}/${place.record}.${place.key}`)
          continue
        }
        record(place.root, place.record).values.set(place.key, held.value)
      } else {
        dropped.push('(outside the record layout)')
      }
    }
  }
  return { records: [...records.values()], roots }
}

/** A value the relay would take for `table.field` (stamps are written by the replay itself). */
function valid(table: TableName, field: string, value: unknown, ctx: RecoveryContext, exists: (table: TableName, id: string) => boolean): boolean {
  if (field === 'deleted_at') return value === null || isStamp(value)
  if (field === 'deleted_by') return value === null || value === ctx.user
  const def = TABLES[table].fields[field]
  if (def === undefined || storedValueProblem(def, value, false) !== null) return false
  return def.references === undefined || typeof value !== 'string' || exists(def.references, value)
}

/** Leaves out the values the schema refuses and records missing what a new one needs. */
function filterValid(fresh: Y.Doc, replay: Replay, ctx: RecoveryContext, dropped: string[]): Replay {
  const created = new Set(replay.records.filter((r) => r.create !== null).map((r) => `${r.table}\u0000${r.id}`))
  const exists = (table: TableName, id: string): boolean => fresh.getMap(table).has(id) || created.has(`${table}\u0000${id}`)
  const records: RecordReplay[] = []
  for (const r of replay.records) {
    const onRelay = fresh.getMap(r.table).has(r.id)
    const source = onRelay || r.create === null ? r.values : r.create
    const values = new Map<string, unknown>()
    for (const [field, value] of source) {
      if (STAMPS.has(field)) continue
      if (valid(r.table, field, value, ctx, exists)) values.set(field, value)
      else dropped.push(`${r.table}/${r.id}.${field}`)
    }
    if (!onRelay) {
      if (r.create === null) {
        // Fields of a record the relay does not have and this device did not create.
        dropped.push(`${r.table}/${r.id}`)
        continue
      }
      const def = TABLES[r.table]
      const missing = Object.keys(def.fields).filter((f) => def.fields[f].required && (values.get(f) ?? null) === null)
      if (missing.length > 0) {
        dropped.push(`${r.table}/${r.id}`)
        continue
      }
      const createdAt = r.create.get('created_at')
      records.push({ table: r.table, id: r.id, values, create: new Map([['created_at', isStamp(createdAt) ? createdAt : null]]) })
    } else if (values.size > 0) {
      records.push({ table: r.table, id: r.id, values, create: null })
    }
  }
  const roots = replay.roots.filter((r) => {
    if (r.root === RESOLVED_MAP) return typeof r.value === 'object' && r.value !== null && (r.value as { by?: unknown }).by === ctx.user
    return !fresh.getMap(r.root).has(r.key)
  })
  return { records, roots }
}

/** Writes the replay in one LOCAL_EDIT transaction: values first, then the stamps (crdt/records.ts). */
function write(doc: Y.Doc, replay: Replay, ctx: RecoveryContext): void {
  if (replay.records.length === 0 && replay.roots.length === 0) return
  const at = ctx.now().toISOString()
  doc.transact(() => {
    for (const r of replay.records) {
      const table = doc.getMap<Y.Map<unknown>>(r.table)
      if (r.create !== null) {
        const map = new Y.Map<unknown>()
        for (const [field, value] of r.values) if (value !== null) map.set(field, value)
        map.set('region', ctx.region)
        map.set('created_at', (r.create.get('created_at') as string | null) ?? at)
        map.set('updated_at', at)
        map.set('updated_by', ctx.user)
        table.set(r.id, map)
        continue
      }
      const map = table.get(r.id)
      if (map === undefined) continue
      let changed = false
      for (const [field, value] of r.values) {
        if (map.has(field) && map.get(field) === value) continue
        map.set(field, value)
        changed = true
      }
      if (changed) {
        map.set('updated_at', at)
        map.set('updated_by', ctx.user)
      }
    }
    for (const r of replay.roots) doc.getMap(r.root).set(r.key, r.value)
  }, LOCAL_EDIT)
}

/** What the relay's guard says about the replay written over `baseState`; null when it takes it. */
function guard(baseState: Uint8Array, replay: Replay, ctx: RecoveryContext): Refusal | null {
  const trial = createRegionDoc()
  Y.applyUpdate(trial, baseState)
  const before = Y.encodeStateVector(trial)
  write(trial, replay, ctx)
  const update = Y.encodeStateAsUpdate(trial, before)
  // Integrated in one transaction, then checked, as the relay does (relay/docs.ts applyUpdate).
  const relay = createRegionDoc()
  Y.applyUpdate(relay, baseState)
  let transaction: Y.Transaction | null = null
  relay.transact((t) => {
    transaction = t
    Y.applyUpdate(relay, update)
  })
  const refusal = transaction === null ? null : checkTransaction(relay, transaction, { region: ctx.region, account: ctx.user })
  trial.destroy()
  relay.destroy()
  return refusal
}
