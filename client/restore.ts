/**
 * Point-in-time restore: records put back the way they were at a time, written as this user's
 * ordinary edits (crdt/restorePlan.ts says which), so the relay's guard, the user's rights and
 * closed months apply as to any edit, every PC receives them, and a later restore to a time before
 * this one takes it back.
 *
 * The past of a document is rebuilt on the device, not fetched: documents keep every item (GC is
 * off), so the document as it was at time T is the items that existed then — a Yjs snapshot whose
 * state vector the relay's log gives (`GET /api/history/<document>/state`, relay/historyTable.ts:
 * per client, the clocks of every update stored by T, and where the log of that client begins;
 * a client the log never saw wrote before the relay kept history). Deletions need no snapshot:
 * Rainstaff only ever overwrites, and the overwrites among the items kept happen again as the
 * items integrate (crdt/yjsInternals.ts docUpTo). The device's copy is synced first and copied
 * before the relay is asked, so every client it holds was stored, and logged, by then.
 */
import * as Y from 'yjs'
import type { StateAtAnswer } from '../crdt/historyWire.ts'
import { readRecord, recordIds } from '../crdt/records.ts'
import { createRegionDoc } from '../crdt/regionDoc.ts'
import { restorePlan, type RecordRestore } from '../crdt/restorePlan.ts'
import { docUpTo } from '../crdt/yjsInternals.ts'
import { BilingualError } from '../schema/bilingual.ts'
import { documentName, isPeriodTable, parseDocumentName, PERIOD_TABLES, type Period } from '../schema/periods.ts'
import { TABLE_NAMES, type TableName } from '../schema/tables.ts'
import type { SyncEngine } from './engine.ts'
import { fetchRecordHistory, fetchStateAt } from './historyApi.ts'
import type { Session } from './signIn.ts'

export interface RestoreRequest {
  readonly region: string
  readonly month?: Period
  readonly table?: TableName
  readonly id?: string
  /** ms since the epoch. */
  readonly at: number
}

export interface DocumentRestore {
  readonly document: string
  readonly records: readonly RecordRestore[]
}

export interface RestorePlan {
  readonly at: string
  readonly documents: readonly DocumentRestore[]
  /** Months the restore would write into that the head office has closed: it will be refused. */
  readonly closed: readonly Period[]
}

/** A restore that cannot be planned as asked; nothing was written. */
export class RestoreError extends BilingualError {
  constructor(tr: string, en: string) {
    super({ tr, en })
    this.name = 'RestoreError'
  }
}

const masterTables = (): TableName[] => TABLE_NAMES.filter((t) => !isPeriodTable(t))
const periodTables = (): TableName[] => TABLE_NAMES.filter((t) => PERIOD_TABLES[t] !== undefined)

/** The documents a request covers and the tables restored in them. */
async function scope(session: Session, request: RestoreRequest): Promise<{ documents: string[]; tables: TableName[] }> {
  const { region, month, table, id } = request
  if (month !== undefined) {
    if (table !== undefined && !isPeriodTable(table)) {
      throw new RestoreError(`${table} aylık belgelerde değil, bölgenin ana belgesinde: --month olmadan verin`, `${table} is not in the month documents but in the region's master document: leave --month out`)
    }
    return { documents: [documentName(region, month)], tables: table !== undefined ? [table] : periodTables() }
  }
  if (table !== undefined && isPeriodTable(table)) {
    if (id === undefined) throw new RestoreError(`${table} için --month (YYYY-AA) ya da --id gerekli`, `${table} needs --month (YYYY-MM) or --id`)
    // Every month the record lived in: the relay's log knows them.
    const { documents } = await fetchRecordHistory(session, region, table, id)
    return { documents: documents.filter((d) => parseDocumentName(d)?.period != null), tables: [table] }
  }
  return { documents: [region], tables: table !== undefined ? [table] : masterTables() }
}

function copyOf(doc: Y.Doc): Y.Doc {
  const copy = createRegionDoc()
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
  return copy
}

/** `doc` as it was when the relay had stored what `answer` lists (see the module comment). */
function documentAt(doc: Y.Doc, answer: StateAtAnswer): Y.Doc {
  const logged = new Map(answer.clocks.map(([client, upto, logFrom]) => [client, Math.max(upto, logFrom)] as const))
  const vector = new Map<number, number>()
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(doc))) vector.set(client, Math.min(clock, logged.get(client) ?? clock))
  return docUpTo(doc, vector, createRegionDoc())
}

/**
 * The restore a request asks for, against what the relay holds now: the documents concerned are
 * opened, synced, copied and compared with their past. Nothing is written.
 */
export async function planRestore(engine: SyncEngine, session: Session, request: RestoreRequest, timeoutMs: number): Promise<RestorePlan> {
  const { region } = request
  const { documents, tables } = await scope(session, request)
  if (documents.length === 0) throw new RestoreError('Kayıt bulunamadı', 'No such record')
  for (const name of documents) {
    const period = parseDocumentName(name)?.period
    if (period != null) await engine.openPeriod(region, period)
  }
  engine.connect()
  await engine.whenSynced(timeoutMs)
  const at = new Date(request.at).toISOString()
  const pasts = new Map<string, { now: Y.Doc; then: Y.Doc; elsewhere: Set<string> }>()
  try {
    for (const name of documents) {
      const now = copyOf(engine.doc(name))
      const answer = await fetchStateAt(session, name, at)
      pasts.set(name, { now, then: documentAt(now, answer), elsewhere: new Set(answer.elsewhere.map((e) => `${e.table}\u0000${e.id}`)) })
    }
    // A record that lived here then and has moved month since is written where it lives now: open it.
    let opened = false
    for (const { now, then } of pasts.values()) {
      for (const table of tables) {
        for (const [id, moved] of movedAway(now, then, table, request.id)) {
          if (engine.record(table, id, region) === undefined && !engine.documents(region).includes(documentName(region, moved))) {
            await engine.openPeriod(region, moved)
            opened = true
          }
        }
      }
    }
    if (opened) await engine.whenSynced(timeoutMs)
    const planned = [...pasts].map(([document, { now, then, elsewhere }]) => ({
      document,
      records: restorePlan(now, then, {
        tables,
        ...(request.id !== undefined ? { id: request.id } : {}),
        current: (table, id) => engine.record(table, id, region),
        writtenElsewhere: (table, id) => elsewhere.has(`${table}\u0000${id}`),
      }),
    }))
    // One record followed through several months: where it is restored, it is not also "left as it is".
    const acted = new Set(planned.flatMap((d) => d.records.filter((r) => r.action !== 'moved_in').map((r) => `${r.table}\u0000${r.id}`)))
    const result = planned.map((d) => ({ document: d.document, records: d.records.filter((r) => r.action !== 'moved_in' || !acted.has(`${r.table}\u0000${r.id}`)) }))
    return { at, documents: result, closed: closedMonths(engine, region, result) }
  } finally {
    for (const { now, then } of pasts.values()) {
      now.destroy()
      then.destroy()
    }
  }
}

/** Records of `table` that lived in the document then and live in another month now, with that month. */
function movedAway(now: Y.Doc, then: Y.Doc, table: TableName, only: string | undefined): Array<[string, Period]> {
  const out: Array<[string, Period]> = []
  const ids = only !== undefined ? [only] : [...recordIds(now, table)]
  for (const id of ids) {
    const [was, is] = [readRecord(then, table, id), readRecord(now, table, id)]
    const moved = is?.moved_to
    if (was !== undefined && (was.moved_to ?? null) === null && typeof moved === 'string') out.push([id, moved])
  }
  return out
}

/** Closed months the plan writes into: the document restored, or the month a record lives in now. */
function closedMonths(engine: SyncEngine, region: string, plan: readonly DocumentRestore[]): Period[] {
  const closed = (name: string | undefined): boolean => name !== undefined && engine.state.documents[name]?.closed === true
  const months = new Set<Period>()
  for (const { document, records } of plan) {
    for (const record of records) {
      if (record.action === 'moved_in') continue
      const living = engine.documents(region).find((name) => {
        const copy = readRecord(engine.doc(name), record.table, record.id)
        return copy !== undefined && (copy.moved_to ?? null) === null
      })
      for (const name of [document, living]) {
        const period = name === undefined ? null : parseDocumentName(name)?.period
        if (period != null && closed(name)) months.add(period)
      }
    }
  }
  return [...months].sort()
}

/** Writes a plan as one change per document (client/batchEdit.ts); returns how many records changed. */
export function writeRestore(engine: SyncEngine, region: string, plan: RestorePlan): number {
  const changes = plan.documents.flatMap((d) => d.records.filter((r) => r.action !== 'moved_in').map((r) => ({ table: r.table, id: r.id, changes: r.changes })))
  return changes.length === 0 ? 0 : engine.writeChanges(changes, region)
}
