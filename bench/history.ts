/**
 * What history costs (issue 16): `npm run bench -- history`.
 * - Document bytes with and without history, for the five-year bench regions (bench/yearsData.ts):
 *   each stored document as the relay keeps it (GC off: every value ever written) against a copy
 *   that Yjs garbage-collected (Y.encodeStateAsUpdate of a `gc: true` doc).
 * - Building the history of a record with 1,000 changes by ten PCs (some concurrent), against
 *   reading that record, in the same process.
 * - A record's history on a five-year region through the relay (`GET /api/history`, the month
 *   read from the store as no one has it open), against reading the record itself from the relay
 *   (its month's rendering): target ≤ 100 ms.
 * RAINSTAFF_BENCH_YEARS_SCALE=0.1 makes the history 6 months instead of 60, for development.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as Y from 'yjs'
import { attributionFrom, recordHistory, type AttributedClocks } from '../crdt/history.ts'
import { readRecord, recordIds } from '../crdt/records.ts'
import { createRegionDoc, insertRecord, updateRecord } from '../crdt/regionDoc.ts'
import { startRelay } from '../relay/server.ts'
import { changesOf } from '../relay/changes.ts'
import { loadStoredDocument } from '../relay/storage.ts'
import { openStore } from '../relay/store.ts'
import { currentPeriod, documentName, shiftPeriod } from '../schema/periods.ts'
import type { BenchSection } from './index.ts'
import { editorOf, generateYears, PASSWORD, REGIONS } from './yearsData.ts'

const SCALE = Number(process.env.RAINSTAFF_BENCH_YEARS_SCALE ?? '1')
const MONTHS = Math.max(4, Math.round(60 * (Number.isFinite(SCALE) && SCALE > 0 ? SCALE : 1)))
const BACK = Math.min(36, MONTHS - 1)
const CHANGES = 1000
const PCS = 10
const REPEATS = 9
const TARGET_MS = 100

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN
const MiB = (bytes: number): string => (bytes / 2 ** 20).toFixed(2)
const log = (line: string): void => void process.stdout.write(`  ${line}\n`)

function timed(runs: number, work: () => void): number {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    work()
    times.push(performance.now() - started)
  }
  return median(times)
}

async function timedAsync(runs: number, work: () => Promise<void>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    await work()
    times.push(performance.now() - started)
  }
  return median(times)
}

/** With history as stored, and what a garbage-collected copy of the same state would weigh. */
function documentBytes(doc: Y.Doc): { kept: number; collected: number } {
  const update = Y.encodeStateAsUpdate(doc)
  const collected = new Y.Doc({ gc: true })
  Y.applyUpdate(collected, update)
  const bytes = Y.encodeStateAsUpdate(collected).byteLength
  collected.destroy()
  return { kept: update.byteLength, collected: bytes }
}

/** One employee edited 1,000 times on ten PCs, a tenth of the edits made concurrently with another PC's. */
function thousandChanges(): { doc: Y.Doc; id: string; ranges: AttributedClocks[] } {
  const pcs = Array.from({ length: PCS }, (_, i) => {
    const doc = createRegionDoc()
    doc.clientID = 1000 + i
    return doc
  })
  const ranges: AttributedClocks[] = []
  let at = Date.UTC(2026, 0, 5, 8)
  for (const [i, doc] of pcs.entries()) {
    doc.on('update', (_update: Uint8Array, _origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
      const from = transaction.beforeState.get(doc.clientID) ?? 0
      const to = transaction.afterState.get(doc.clientID) ?? 0
      if (to > from && transaction.local) ranges.push({ client: doc.clientID, from, to, account: `pc${i}`, device: { id: `device-${i}`, name: `PC-${i}` }, at: at++ })
    })
  }
  const sync = (from: Y.Doc, to: Y.Doc): void => Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)))
  const author = (i: number) => ({ user: `pc${i}`, now: () => new Date(at) })
  const first = pcs[0] as Y.Doc
  const id = insertRecord(first, 'employees', 'ankara', { full_name: 'Ayşe Yılmaz' }, author(0))
  for (const doc of pcs.slice(1)) sync(first, doc)
  const everyone = (doc: Y.Doc): void => {
    for (const other of pcs) if (other !== doc) sync(doc, other)
  }
  let racing: Y.Doc | null = null
  for (let n = 0; n < CHANGES; n++) {
    const i = n % PCS
    const doc = pcs[i] as Y.Doc
    // The racing pair (n ending in 9 and the next) sets the same field; the others alternate two.
    const title = n % 2 === 0 || n % 10 === 9
    updateRecord(doc, 'employees', id, title ? { title: `unvan ${n}` } : { department: `birim ${n}` }, author(i))
    // Nine edits in ten reach everyone before the next; the tenth is written beside the next one.
    if (n % 10 === 9) {
      racing = doc
      continue
    }
    everyone(doc)
    if (racing !== null) everyone(racing)
    racing = null
  }
  for (const a of pcs) for (const b of pcs) if (a !== b) sync(a, b)
  for (const doc of pcs.slice(1)) doc.destroy()
  return { doc: first, id, ranges }
}

/** What the history tables add per stored update: 10,000 one-record edits appended to a fresh store. */
function logBytes(dir: string): { perUpdate: number; updateBytes: number } {
  const store = openStore(dir)
  try {
    const doc = createRegionDoc()
    const ids = Array.from({ length: 500 }, (_, i) => insertRecord(doc, 'employees', 'ankara', { full_name: `Çalışan ${i}` }, { user: 'ayse' }))
    const rows: Array<{ data: Uint8Array; ranges: ReturnType<typeof changesOf>['ranges']; records: ReturnType<typeof changesOf>['records'] }> = []
    doc.on('update', (data: Uint8Array, _o: unknown, d: Y.Doc, transaction: Y.Transaction) => void rows.push({ data, ...changesOf(d, transaction) }))
    for (let i = 0; i < 10_000; i++) {
      doc.clientID = 5000 + Math.floor(i / 100)
      updateRecord(doc, 'employees', ids[i % ids.length] as string, { title: `unvan ${i}` }, { user: 'ayse' })
    }
    store.appendUpdates(rows.map((r) => ({ region: 'ankara', data: r.data, username: 'ayse', at: Date.now(), device: { id: 'bench-pc-0001', name: 'ANKARA-MASA' }, ranges: r.ranges, records: r.records })))
    const bytes = (like: string): number => (store.db.prepare(`SELECT sum(pgsize) AS n FROM dbstat WHERE name LIKE ?`).get(like) as { n: number }).n
    doc.destroy()
    return { perUpdate: bytes('history%') / rows.length, updateBytes: bytes('updates%') / rows.length }
  } finally {
    store.close()
  }
}

export async function run(): Promise<BenchSection> {
  const lines: string[] = ['| what | measured | target |', '|---|---|---|']
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rainstaff-bench-history-'))
  try {
    log(`generating ${MONTHS} months for ${REGIONS.length} regions…`)
    const data = await generateYears(dir, MONTHS, log)
    const store = openStore(dir)
    const sizes: string[] = []
    let [kept, collected] = [0, 0]
    try {
      for (const region of REGIONS) {
        let [k, c] = [0, 0]
        for (const name of [region, ...data.months.map((m) => documentName(region, m))]) {
          const doc = loadStoredDocument(store, name, { tr: '', en: '' })
          const bytes = documentBytes(doc)
          doc.destroy()
          k += bytes.kept
          c += bytes.collected
        }
        sizes.push(`${region} ${MiB(k)} / ${MiB(c)} MiB`)
        kept += k
        collected += c
      }
    } finally {
      store.close()
    }
    lines.push(`| document bytes, ${REGIONS.length} regions × ${MONTHS} months, with history / garbage-collected | ${MiB(kept)} / ${MiB(collected)} MiB = **${(kept / collected).toFixed(2)}×** (${sizes.join('; ')}) | — |`)

    const logDir = mkdtempSync(path.join(os.tmpdir(), 'rainstaff-bench-history-log-'))
    try {
      const log = logBytes(logDir)
      lines.push(`| what the history tables keep per stored update (10,000 one-record edits, indexes included) | ${log.perUpdate.toFixed(0)} bytes, beside ${log.updateBytes.toFixed(0)} bytes of the update row (which compaction folds away; these stay) | — |`)
    } finally {
      rmSync(logDir, { recursive: true, force: true })
    }
    const { doc, id, ranges } = thousandChanges()
    const lookup = attributionFrom(ranges)
    const entries = recordHistory(doc, 'employees', id, lookup)
    const lost = entries.filter((e) => e.lost).length
    const build = timed(REPEATS, () => void recordHistory(doc, 'employees', id, attributionFrom(ranges)))
    const read = timed(REPEATS * 100, () => void readRecord(doc, 'employees', id)) || Number.EPSILON
    const oneRecord = documentBytes(doc)
    lines.push(`| that record's document with history / garbage-collected | ${(oneRecord.kept / 1024).toFixed(1)} / ${(oneRecord.collected / 1024).toFixed(1)} KiB = **${(oneRecord.kept / oneRecord.collected).toFixed(2)}×** | — |`)
    lines.push(`| history of a record with ${CHANGES.toLocaleString('en-US')} changes on ${PCS} PCs (${entries.length} entries, ${lost} lost), built in process | ${build.toFixed(2)} ms vs reading the record ${read.toFixed(3)} ms = **${(build / read).toFixed(0)}×** | — |`)
    doc.destroy()

    const relay = await startRelay({ dataDir: dir, port: 0, host: '127.0.0.1', log: () => {} })
    try {
      const login = await fetch(`${relay.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: editorOf('ankara'), password: PASSWORD }) })
      const { token } = (await login.json()) as { token: string }
      const get = async (url: string): Promise<void> => {
        const res = await fetch(`${relay.url}${url}`, { headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' } })
        if (res.status !== 200) throw new Error(`bench: ${url} answered ${res.status}`)
        await res.arrayBuffer()
      }
      // Months nobody has open, from three years back: the first look at each reads it from the store.
      const months = Array.from({ length: Math.min(REPEATS, BACK - 1) }, (_, i) => shiftPeriod(currentPeriod(), -BACK + i))
      const sheetOf = new Map<string, string>()
      const reader = openStore(dir)
      for (const month of months) {
        const old = loadStoredDocument(reader, documentName('ankara', month), { tr: '', en: '' })
        sheetOf.set(month, [...recordIds(old, 'timesheets')].find((i) => readRecord(old, 'timesheets', i)?.deleted_at === null) as string)
        old.destroy()
      }
      reader.close()
      const historyOf = (month: string): string => `/api/history/${documentName('ankara', month)}?table=timesheets&id=${sheetOf.get(month)}`
      const renderingOf = (month: string): string => `/api/renderings/${documentName('ankara', month)}`
      const cold: number[] = []
      const renderings: number[] = []
      for (const month of months) {
        renderings.push(await timedAsync(1, () => get(renderingOf(month))))
        cold.push(await timedAsync(1, () => get(historyOf(month))))
      }
      const first = months[0] as string
      const warm = await timedAsync(REPEATS, () => get(historyOf(first)))
      const rendering = median(renderings)
      const coldMedian = median(cold)
      lines.push(
        `| history of a timesheet ${BACK} months back, five-year region, first look (its month read from the store; median of ${months.length} months) | ${coldMedian.toFixed(1)} ms (slowest ${Math.max(...cold).toFixed(1)} ms) vs reading the record itself (its month's rendering) ${rendering.toFixed(1)} ms = **${(coldMedian / rendering).toFixed(2)}×** | ≤ ${TARGET_MS} ms: ${coldMedian <= TARGET_MS ? 'PASS' : 'FAIL'} |`,
      )
      lines.push(`| same, month already held by the relay (median of ${REPEATS}) | ${warm.toFixed(1)} ms = **${(warm / rendering).toFixed(2)}×** the rendering | ≤ ${TARGET_MS} ms: ${warm <= TARGET_MS ? 'PASS' : 'FAIL'} |`)
      const employee = data.employees.get('ankara')?.[0] as string
      const master = await timedAsync(REPEATS, () => get(`/api/history/ankara?table=employees&id=${employee}`))
      const masterRendering = await timedAsync(REPEATS, () => get('/api/renderings/ankara'))
      lines.push(`| history of an employee (master data, held by the relay) | ${master.toFixed(1)} ms vs its document's rendering ${masterRendering.toFixed(1)} ms = **${(master / masterRendering).toFixed(2)}×** | ≤ ${TARGET_MS} ms: ${master <= TARGET_MS ? 'PASS' : 'FAIL'} |`)
    } finally {
      await relay.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return { title: 'History: what it costs (issue 16)', lines }
}
