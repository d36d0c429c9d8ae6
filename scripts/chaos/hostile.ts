/**
 * Hostile peers (issue "The relay guards the documents", item 10): valid editor accounts of a
 * region (`hostile-<region>`) that speak y-protocols directly on a `ws` socket and send updates the
 * relay's guard (crdt/updateGuard.ts, relay/PROTOCOL.md §3a) must refuse with message 101. Each is
 * built from the hostile peer's own copy of the region doc, synced from the relay first, so its
 * overwrites and deletes hit real records and its borrowed client ids are real honest ones.
 *
 * `hostileTraces` is the end check's half: it scans a replica's Yjs doc (current state and every
 * struct it holds, deleted ones too) for anything a hostile write would leave behind.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { WebSocket } from 'ws'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import { DELETIONS_MAP, PROVENANCE_MAP } from '../../crdt/legacy/ledger.ts'
import { clientProtocols, MESSAGE_DURABLE, MESSAGE_SYNC, MESSAGE_WRITE_REFUSED, readWriteRefused, type WriteRefused } from '../../crdt/protocol.ts'
import { RESOLVED_MAP } from '../../crdt/records.ts'
import { isTableName, LONG_TEXT_MAX, TABLE_NAMES, TABLES, type TableName } from '../../schema/tables.ts'
import type { Rng } from './rng.ts'

/** Every value or key a hostile write carries starts with this; none may ever be stored. */
export const HOSTILE_MARK = 'HX~'
export const HOSTILE_PREFIX = 'hostile-'
export const hostileAccount = (region: string): string => `${HOSTILE_PREFIX}${region}`
export const isHostileAccount = (name: unknown): boolean => typeof name === 'string' && name.startsWith(HOSTILE_PREFIX)

export type HostileKind =
  | 'record_string'
  | 'field_object'
  | 'wrong_type'
  | 'unknown_table'
  | 'huge_string'
  | 'forged_author'
  | 'hard_delete_field'
  | 'hard_delete_record'
  | 'wipe'
  | 'record_replaced'
  | 'borrowed_client'

/** How often each kind is tried: 3 or more twice per round of the driver, else once (the 5 MB string is expensive on a shared machine). */
export const HOSTILE_KINDS: Record<HostileKind, number> = {
  record_string: 3,
  field_object: 3,
  wrong_type: 3,
  unknown_table: 3,
  huge_string: 1,
  forged_author: 3,
  hard_delete_field: 3,
  hard_delete_record: 3,
  wipe: 2,
  record_replaced: 3,
  borrowed_client: 4,
}

/** The refusal codes each kind must get (unknown_table: whichever of its items the guard reads first). */
export const EXPECTED_CODES: Record<HostileKind, readonly string[]> = {
  record_string: ['not_a_record'],
  field_object: ['bad_value'],
  wrong_type: ['bad_value'],
  unknown_table: ['unknown_root', 'not_a_record'],
  huge_string: ['bad_value'],
  forged_author: ['forged_author'],
  hard_delete_field: ['hard_delete'],
  hard_delete_record: ['hard_delete'],
  wipe: ['hard_delete'],
  record_replaced: ['record_replaced'],
  borrowed_client: ['client_id_taken'],
}

const EDIT_TABLES = ['employees', 'timesheets', 'vehicles'] as const
/** A text field of each edited table that a hostile overwrite targets. */
const TEXT_FIELD: Record<(typeof EDIT_TABLES)[number], string> = { employees: 'title', timesheets: 'notes', vehicles: 'notes' }
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

function randomId(rng: Rng): string {
  let id = ''
  for (let i = 0; i < 16; i++) id += ALPHABET[rng.int(0, ALPHABET.length - 1)]
  return id
}

/** A live record of one of the edited tables in `doc`, if any. */
function liveRecord(doc: Y.Doc, rng: Rng): { table: (typeof EDIT_TABLES)[number]; id: string; map: Y.Map<unknown> } | undefined {
  const live: Array<{ table: (typeof EDIT_TABLES)[number]; id: string; map: Y.Map<unknown> }> = []
  for (const table of EDIT_TABLES) {
    for (const [id, map] of doc.getMap<unknown>(table).entries()) {
      if (map instanceof Y.Map && (map.get('deleted_at') ?? null) === null) live.push({ table, id, map })
    }
  }
  return live.length === 0 ? undefined : rng.pick(live)
}

/** Client id → the account its `updated_by` stamps name: who wrote with it. */
export function clientAuthors(doc: Y.Doc): Map<number, string> {
  const authors = new Map<number, string>()
  for (const [client, structs] of doc.store.clients) {
    for (const struct of structs) {
      if (struct instanceof Y.Item && struct.parentSub === 'updated_by' && struct.content instanceof Y.ContentAny) {
        const value = struct.content.arr[0]
        if (typeof value === 'string') {
          authors.set(client, value)
          break
        }
      }
    }
  }
  return authors
}

export interface HostileWrite {
  /** The kind actually built (a kind that needs a record falls back when the doc has none). */
  readonly kind: HostileKind
  readonly update: Uint8Array
  /** The client id it wrote under (undefined for deletions only). */
  readonly client: number | undefined
  readonly what: string
}

/**
 * Builds one hostile update on `doc` (the hostile peer's synced copy; it is changed) and returns
 * it. `token` is unique to this write and starts with HOSTILE_MARK; `honest` are the region's
 * honest editors (for forged authors and borrowed client ids).
 */
export function buildHostileWrite(doc: Y.Doc, kind: HostileKind, ctx: { region: string; account: string; token: string; honest: readonly string[]; rng: Rng }): HostileWrite {
  const { region, account, token, rng } = ctx
  const now = new Date().toISOString()
  const record = liveRecord(doc, rng)
  const needsRecord: HostileKind[] = ['field_object', 'wrong_type', 'forged_author', 'hard_delete_field', 'hard_delete_record', 'wipe', 'record_replaced', 'borrowed_client']
  const employee = record?.table === 'employees' ? record : liveRecord(doc, rng) // a second draw, often an employee
  if (needsRecord.includes(kind) && record === undefined) kind = rng.chance(0.5) ? 'record_string' : 'unknown_table'
  const authors = clientAuthors(doc)
  const borrowed = [...authors].filter(([, user]) => ctx.honest.includes(user))
  if (kind === 'borrowed_client' && borrowed.length === 0) kind = 'forged_author'

  let what = ''
  const updates: Uint8Array[] = []
  const onUpdate = (update: Uint8Array): void => void updates.push(update)
  doc.on('update', onUpdate)
  const stamp = (map: Y.Map<unknown>, by: string = account): void => {
    map.set('updated_at', now)
    map.set('updated_by', by)
  }
  try {
    doc.transact(() => {
      switch (kind) {
        case 'record_string': {
          const id = randomId(rng)
          doc.getMap('employees').set(id, token)
          what = `employees ${id} = "${token}" (a string, not a record)`
          return
        }
        case 'unknown_table': {
          const table = `hx_${rng.pick(['payroll', 'salaries', 'notes'])}`
          const map = new Y.Map<unknown>()
          doc.getMap(table).set(randomId(rng), map)
          map.set('full_name', token)
          map.set('region', region)
          map.set('created_at', now)
          stamp(map)
          what = `a record in the unknown table ${table}`
          return
        }
        case 'huge_string': {
          const target = record ?? undefined
          const text = token + 'x'.repeat(5 * 1024 * 1024)
          if (target === undefined) {
            const map = new Y.Map<unknown>()
            doc.getMap('employees').set(randomId(rng), map)
            map.set('full_name', text)
            map.set('region', region)
            map.set('created_at', now)
            stamp(map)
          } else {
            target.map.set(TEXT_FIELD[target.table], text)
            stamp(target.map)
          }
          what = `a 5 MB string in ${target === undefined ? 'a new employee' : `${target.table} ${target.id}`}`
          return
        }
        case 'field_object': {
          const field = TEXT_FIELD[record!.table]
          record!.map.set(field, { hx: token })
          stamp(record!.map)
          what = `${record!.table} ${record!.id}.${field} = an object`
          return
        }
        case 'wrong_type': {
          if (employee?.table === 'employees') {
            employee.map.set('full_name', 12345)
            stamp(employee.map)
            what = `employees ${employee.id}.full_name = 12345`
          } else {
            const field = record!.table === 'vehicles' ? 'km' : 'break_minutes'
            record!.map.set(field, token)
            stamp(record!.map)
            what = `${record!.table} ${record!.id}.${field} = text`
          }
          return
        }
        case 'forged_author': {
          const victim = rng.pick([...ctx.honest, 'admin'])
          record!.map.set(TEXT_FIELD[record!.table], token)
          stamp(record!.map, victim)
          what = `${record!.table} ${record!.id} signed by ${victim}`
          return
        }
        case 'hard_delete_field': {
          const keys = [...record!.map.keys()]
          const key = rng.pick(keys)
          record!.map.delete(key)
          what = `${record!.table} ${record!.id}: key ${key} removed`
          return
        }
        case 'hard_delete_record':
          doc.getMap(record!.table).delete(record!.id)
          what = `${record!.table} ${record!.id} removed`
          return
        case 'wipe': {
          let n = 0
          for (const table of TABLE_NAMES) {
            const map = doc.getMap(table)
            for (const key of [...map.keys()]) {
              map.delete(key)
              n++
            }
          }
          what = `every record removed (${n})`
          return
        }
        case 'record_replaced': {
          const map = new Y.Map<unknown>()
          doc.getMap(record!.table).set(record!.id, map)
          if (record!.table === 'employees') map.set('full_name', token)
          else for (const [k, v] of record!.map.entries()) if (k in TABLES[record!.table].fields) map.set(k, v)
          map.set(TEXT_FIELD[record!.table], token)
          map.set('region', region)
          map.set('created_at', now)
          stamp(map)
          what = `${record!.table} ${record!.id} replaced by a new map`
          return
        }
        case 'borrowed_client':
          // Set below, outside this transaction: the client id must change before it starts.
          return
      }
    })
    if (kind === 'borrowed_client') {
      const [client, owner] = rng.pick(borrowed)
      doc.clientID = client
      doc.transact(() => {
        record!.map.set(TEXT_FIELD[record!.table], token)
        stamp(record!.map)
      })
      what = `${record!.table} ${record!.id} under client id ${client} of ${owner}`
    }
  } finally {
    doc.off('update', onUpdate)
  }
  if (updates.length !== 1) throw new Error(`hostile ${kind}: ${updates.length} updates`)
  const wroteStructs = Y.decodeUpdate(updates[0]).structs.length > 0
  return { kind, update: updates[0], client: wroteStructs ? doc.clientID : undefined, what }
}

/** What happened to one hostile write on the wire. */
export interface HostileOutcome {
  /** The relay's refusal, if one came. */
  readonly refused: WriteRefused | undefined
  /** The relay said the write is on disk (a 100 counting it, or a state vector covering it). */
  readonly acknowledged: boolean
  /** The connection closed first (a relay kill, or a close code). */
  readonly closed: { code: number; reason: string } | undefined
}

/**
 * A hostile peer's session: a raw `ws` socket with the token subprotocol, y-protocols sync into
 * a doc of its own, then one hostile update. Resolves with what the relay answered.
 */
export class HostileSession {
  readonly doc = new Y.Doc({ gc: false })
  private readonly socket: WebSocket
  private synced = false
  /** Sync step-2/update messages this session sent (the relay's 100 counts accepted ones). */
  private sent = 0
  private refusals: WriteRefused[] = []
  private durable: Array<{ sv: Map<number, number>; writes: number }> = []
  private closedWith: { code: number; reason: string } | undefined
  readonly opened: Promise<boolean>

  constructor(wsUrl: string, region: string, token: string) {
    this.socket = new WebSocket(`${wsUrl}/${region}`, clientProtocols(token))
    this.socket.binaryType = 'nodebuffer'
    this.opened = new Promise((resolve) => {
      this.socket.once('open', () => resolve(true))
      this.socket.once('close', () => resolve(false))
    })
    this.socket.on('error', () => {})
    this.socket.on('close', (code, reason) => (this.closedWith = { code, reason: reason.toString() }))
    this.socket.on('open', () => {
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, MESSAGE_SYNC)
      syncProtocol.writeSyncStep1(encoder, this.doc)
      this.send(encoding.toUint8Array(encoder))
    })
    this.socket.on('message', (data: Buffer) => this.receive(new Uint8Array(data)))
  }

  private send(message: Uint8Array): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(message)
  }

  private receive(message: Uint8Array): void {
    const decoder = decoding.createDecoder(message)
    const type = decoding.readVarUint(decoder)
    if (type === MESSAGE_SYNC) {
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, MESSAGE_SYNC)
      const kind = syncProtocol.readSyncMessage(decoder, encoder, this.doc, this)
      if (kind === syncProtocol.messageYjsSyncStep1) this.sent++
      if (encoding.length(encoder) > 1) this.send(encoding.toUint8Array(encoder))
      if (kind === syncProtocol.messageYjsSyncStep2) this.synced = true
    } else if (type === MESSAGE_DURABLE) {
      const sv = Y.decodeStateVector(decoding.readVarUint8Array(decoder))
      this.durable.push({ sv, writes: decoding.readVarUint(decoder) })
    } else if (type === MESSAGE_WRITE_REFUSED) {
      this.refusals.push(readWriteRefused(decoder))
    }
  }

  get isSynced(): boolean {
    return this.synced
  }

  get closed(): { code: number; reason: string } | undefined {
    return this.closedWith
  }

  /** Sends `write` as a y-protocols update and waits up to `ms` for the relay's answer. */
  async attempt(write: HostileWrite, ms: number): Promise<HostileOutcome> {
    const before = this.sent
    // A borrowed client id's owner may write the same clocks meanwhile; only a fresh id's clock is ours.
    const fresh = write.kind !== 'borrowed_client'
    const refusedBefore = this.refusals.length
    const durableBefore = this.durable.length
    const clock = write.client === undefined ? undefined : Y.decodeUpdate(write.update).structs.reduce((min, s) => Math.min(min, s.id.clock), Infinity)
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MESSAGE_SYNC)
    syncProtocol.writeUpdate(encoder, write.update)
    this.send(encoding.toUint8Array(encoder))
    this.sent++
    const acknowledged = (): boolean =>
      this.durable
        .slice(durableBefore)
        .some((d) => d.writes > before || (fresh && write.client !== undefined && clock !== undefined && (d.sv.get(write.client) ?? 0) > clock))
    const deadline = Date.now() + ms
    while (Date.now() < deadline && this.refusals.length === refusedBefore && !acknowledged() && this.closedWith === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    // A little longer, so an acknowledgement racing a refusal is not missed.
    if (this.refusals.length > refusedBefore) await new Promise((resolve) => setTimeout(resolve, 100))
    return { refused: this.refusals[refusedBefore], acknowledged: acknowledged(), closed: this.closedWith }
  }

  close(): void {
    this.socket.close()
    this.doc.destroy()
  }
}

const KNOWN_ROOTS = new Set<string>([...TABLE_NAMES, RESOLVED_MAP, DELETIONS_MAP, PROVENANCE_MAP])
const STAMPS = new Set(['region', 'created_at', 'updated_at', 'deleted_at', 'updated_by', 'deleted_by'])

function markedValue(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (value.length > LONG_TEXT_MAX) return `a ${value.length}-character string starting ${value.slice(0, 20)}`
    if (value.includes(HOSTILE_MARK)) return `a value holding ${value.slice(0, 40)}`
    if (isHostileAccount(value)) return `a value naming ${value}`
  }
  return undefined
}

/**
 * What a hostile write would leave in a replica's doc, described; empty when there is none. Reads
 * the current state (unknown tables, records that are not maps, unknown fields, non-scalar values,
 * keys removed rather than overwritten, values or stamps of a hostile account) and then every
 * struct the doc holds, deleted ones too, for a hostile token (an overwritten hostile value or one
 * written under a borrowed client id still shows there).
 */
export function hostileTraces(doc: Y.Doc, label: string): string[] {
  const traces: string[] = []
  const note = (text: string): void => void (traces.length < 40 && traces.push(`${label}: ${text}`))
  for (const [root, type] of doc.share) {
    const entries = [...type._map]
    if (!KNOWN_ROOTS.has(root)) {
      if (entries.length > 0 || type._start !== null) note(`a root "${root}" that is no table`)
      continue
    }
    if (!isTableName(root)) continue
    const table: TableName = root
    for (const [id, item] of entries) {
      if (id.includes(HOSTILE_MARK)) note(`${table}: a record id holding ${HOSTILE_MARK}`)
      if (item.deleted) {
        note(`${table} ${id}: the record was removed (a hard delete)`)
        continue
      }
      const map = item.content instanceof Y.ContentType ? item.content.type : undefined
      if (!(map instanceof Y.Map)) {
        note(`${table} ${id}: not a record map (${item.content.constructor.name})`)
        continue
      }
      for (const [field, fieldItem] of map._map) {
        if (field.includes(HOSTILE_MARK)) note(`${table} ${id}: a key holding ${HOSTILE_MARK}`)
        if (!Object.hasOwn(TABLES[table].fields, field) && !STAMPS.has(field)) note(`${table} ${id}: unknown field ${field}`)
        if (fieldItem.deleted) {
          note(`${table} ${id}.${field}: removed (a hard delete)`)
          continue
        }
        const content = fieldItem.content
        if (!(content instanceof Y.ContentAny) || content.arr.length !== 1) {
          note(`${table} ${id}.${field}: not one plain value (${content.constructor.name})`)
          continue
        }
        const value = content.arr[0]
        if (value !== null && typeof value === 'object') note(`${table} ${id}.${field}: an object`)
        else if (typeof value !== 'string' && !(value === null || (typeof value === 'number' && Number.isFinite(value)))) note(`${table} ${id}.${field}: a ${typeof value}`)
        const marked = markedValue(value)
        if (marked !== undefined) note(`${table} ${id}.${field}: ${marked}`)
        if (field === 'full_name' && typeof value === 'number') note(`${table} ${id}.full_name: a number`)
      }
    }
  }
  for (const [client, structs] of doc.store.clients) {
    for (const struct of structs) {
      if (!(struct instanceof Y.Item)) continue
      const content = struct.content
      const values = content instanceof Y.ContentAny ? content.arr : content instanceof Y.ContentString ? [content.str] : []
      for (const value of values) {
        const marked = markedValue(value) ?? (value !== null && typeof value === 'object' ? 'an object value' : undefined)
        if (marked !== undefined) note(`client ${client} clock ${struct.id.clock} (${struct.deleted ? 'deleted' : 'live'}): ${marked}`)
      }
      if (typeof struct.parentSub === 'string' && struct.parentSub.includes(HOSTILE_MARK)) note(`client ${client}: a key holding ${HOSTILE_MARK}`)
    }
  }
  return traces
}
