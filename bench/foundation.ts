/**
 * Foundation benchmark: a region doc with 100,000 timesheets.
 * - cold open (load the doc, build the mirror) against raw `Y.applyUpdate` + a raw sql.js bulk
 *   insert of the same rows;
 * - one field edit reflected in the mirror, at 100,000 and at 1,000 rows;
 * - a monthly per-employee hours summary for one region month.
 */
import * as Y from 'yjs'
import initSqlJs from 'sql.js'
import { createRegionDoc, insertRecord, updateRecord } from '../crdt/regionDoc.ts'
import { openMirror } from '../crdt/mirror.ts'
import { columnsOf } from '../schema/ddl.ts'
import { hourSettingsFrom, monthlyHours, type ShiftInput } from '../schema/hours.ts'
import type { BenchSection } from './index.ts'

const REGION = 'ankara'
const author = { user: 'bench' }

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

/** Collects garbage (the bench runs with --expose-gc) so no cold open pays for an earlier one's. */
function settle(): void {
  ;(globalThis as { gc?: () => void }).gc?.()
}

function time(work: () => void): number {
  const start = performance.now()
  work()
  return performance.now() - start
}

/** A doc of `count` timesheets spread over 200 employees and a year. */
function buildDoc(count: number): { doc: Y.Doc; timesheetIds: string[] } {
  const doc = createRegionDoc()
  const employees: string[] = []
  for (let i = 0; i < 200; i++) employees.push(insertRecord(doc, 'employees', REGION, { full_name: `ÇALIŞAN ${i}` }, author))
  const timesheetIds: string[] = []
  doc.transact(() => {
    for (let i = 0; i < count; i++) {
      const day = new Date(Date.UTC(2026, 0, 1) + (i % 365) * 86_400_000).toISOString().slice(0, 10)
      timesheetIds.push(
        insertRecord(doc, 'timesheets', REGION, {
          employee_id: employees[i % employees.length],
          work_date: day,
          start_time: i % 7 === 0 ? '22:00' : '08:30',
          end_time: i % 7 === 0 ? '06:00' : '17:30',
          break_minutes: 60,
          notes: i % 5 === 0 ? 'not' : null,
          is_special: i % 31 === 0 ? 1 : 0,
        }, author),
      )
    }
  })
  return { doc, timesheetIds }
}

const WARMUP_EDITS = 300
const MEASURED_EDITS = 500

async function editLatency(count: number): Promise<number> {
  const { doc, timesheetIds } = buildDoc(count)
  const mirror = await openMirror()
  mirror.attach(REGION, doc)
  const samples: number[] = []
  // The first edits run unoptimized code; an office PC edits all day, so the steady state counts.
  for (let i = 0; i < WARMUP_EDITS + MEASURED_EDITS; i++) {
    const id = timesheetIds[(i * 7919) % timesheetIds.length]
    const ms = time(() => updateRecord(doc, 'timesheets', id, { break_minutes: 30 + (i % 2) * 15 }, author))
    if (i >= WARMUP_EDITS) samples.push(ms)
  }
  const last = WARMUP_EDITS + MEASURED_EDITS - 1
  const check = mirror.query('SELECT break_minutes FROM timesheets WHERE id = ?', [timesheetIds[(last * 7919) % timesheetIds.length]])
  if (check[0]?.break_minutes !== 45) throw new Error('edit did not reach the mirror')
  mirror.close()
  return median(samples)
}

export async function run(): Promise<BenchSection> {
  const lines = ['| measure | value | target |', '|---|---|---|']
  const { doc } = buildDoc(100_000)
  const update = Y.encodeStateAsUpdate(doc)
  lines.push(`| doc size, 100,000 timesheets | ${(update.byteLength / 1024 / 1024).toFixed(1)} MiB | — |`)

  // Baseline: what any implementation must pay — decode the doc, bulk-insert the same rows.
  const SQL = await initSqlJs()
  const baselineRuns: number[] = []
  const ourRuns: number[] = []
  const rows = Object.values(doc.getMap("timesheets").toJSON()) as Array<Record<string, string | number | null>>
  const columns = columnsOf('timesheets')
  for (let run = 0; run < 5; run++) {
    settle()
    baselineRuns.push(
      time(() => {
        const fresh = new Y.Doc({ gc: false })
        Y.applyUpdate(fresh, update)
        const db = new SQL.Database()
        db.exec(`CREATE TABLE timesheets (${columns.join(', ')}, PRIMARY KEY (region, id))`)
        const insert = db.prepare(`INSERT INTO timesheets VALUES (${columns.map(() => '?').join(', ')})`)
        db.exec('BEGIN')
        for (const row of rows) insert.run(columns.map((c) => row[c] ?? null))
        db.exec('COMMIT')
        insert.free()
        db.close()
      }),
    )
    const mirror = await openMirror()
    settle()
    ourRuns.push(
      time(() => {
        const fresh = createRegionDoc()
        Y.applyUpdate(fresh, update)
        mirror.attach(REGION, fresh)
      }),
    )
    mirror.close()
  }
  const baseline = median(baselineRuns)
  const ours = median(ourRuns)
  lines.push(`| cold open (applyUpdate + mirror build) | ${ours.toFixed(0)} ms vs baseline ${baseline.toFixed(0)} ms = **${(ours / baseline).toFixed(2)}×** | ≤ 1.5× |`)

  const small = await editLatency(1_000)
  const large = await editLatency(100_000)
  lines.push(`| one field edit → mirror, 100,000 rows | ${large.toFixed(3)} ms (median of ${MEASURED_EDITS} after ${WARMUP_EDITS} warm-up edits) | ≤ 1 ms |`)
  lines.push(`| same at 1,000 rows | ${small.toFixed(3)} ms; ratio 100k/1k = **${(large / small).toFixed(2)}×** | ≤ 2× |`)

  const mirror = await openMirror()
  mirror.attach(REGION, doc)
  const settings = hourSettingsFrom({})
  const summaryRuns: number[] = []
  let employeesInSummary = 0
  // Run 0 warms the code up and is not counted.
  for (let run = 0; run < 6; run++) {
    summaryRuns.push(
      time(() => {
        const monthRows = mirror.query(
          "SELECT employee_id, work_date, start_time, end_time, break_minutes, is_special FROM timesheets WHERE region = ? AND work_date BETWEEN '2026-03-01' AND '2026-03-31'",
          [REGION],
        ) as unknown as Array<ShiftInput & { employee_id: string }>
        employeesInSummary = monthlyHours(monthRows, settings, '2026-03').size
      }),
    )
  }
  mirror.close()
  lines.push(`| monthly hours summary, one region month (${employeesInSummary} employees, query + hour rules) | ${median(summaryRuns.slice(1)).toFixed(1)} ms (median of 5) | ≤ 50 ms |`)
  return { title: 'Foundation: region doc and mirror at 100,000 timesheets', lines }
}
