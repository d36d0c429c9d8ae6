/**
 * Legacy import benchmark: a generated v1 `puantaj.db` with 50,000 timesheets (the schema copied
 * from the v1 fixture, so the file is the legacy format byte for byte in structure).
 * - import (read, plan, create records, ledger) against a baseline of what any importer pays:
 *   reading the same tables with sql.js and writing the same records as plain nested maps into
 *   the documents the layout keeps them in (master and months), one transaction each;
 * - importing the same file again (a no-op that still reads and checks every row).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import initSqlJs from 'sql.js'
import * as Y from 'yjs'
import { inMemory, type MemoryDocuments } from '../crdt/legacy/documents.ts'
import { importLegacy } from '../crdt/legacy/importer.ts'
import { DEFAULT_REGIONS } from '../schema/regions.ts'
import type { BenchSection } from './index.ts'

const TIMESHEETS = 50_000
const EMPLOYEES = 250
const FIXTURE = path.resolve(import.meta.dirname, '../test/fixtures/legacy/legacy-v1-istanbul.db')

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

/** A v1 file: the fixture's DDL, its settings, 250 employees and 50,000 timesheets over a year. */
function generate(file: string): void {
  const fixture = new Database(FIXTURE, { readonly: true })
  const ddl = fixture.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name <> 'sqlite_sequence'").all() as Array<{ sql: string }>
  const settings = fixture.prepare('SELECT key, value FROM settings').all() as Array<{ key: string; value: string }>
  fixture.close()
  const db = new Database(file)
  db.exec(ddl.map((t) => t.sql + ';').join('\n'))
  const insertSetting = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)')
  const insertEmployee = db.prepare('INSERT INTO employees (full_name, identity_no, department, title, region) VALUES (?, ?, ?, ?, ?)')
  const insertTimesheet = db.prepare(
    'INSERT INTO timesheets (employee_id, work_date, start_time, end_time, break_minutes, notes, is_special, region) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  )
  db.transaction(() => {
    for (const s of settings) insertSetting.run(s.key, s.value)
    for (let i = 1; i <= EMPLOYEES; i++) insertEmployee.run(`ÇALIŞAN ${i}`, String(i).padStart(3, '0'), 'TEKNİK', 'TEKNİSYEN', 'Istanbul')
    for (let i = 0; i < TIMESHEETS; i++) {
      // Each employee works one shift a day: (employee, day) never repeats, so no row is a duplicate.
      const employee = (i % EMPLOYEES) + 1
      const day = new Date(Date.UTC(2025, 0, 1) + Math.floor(i / EMPLOYEES) * 86_400_000).toISOString().slice(0, 10)
      const night = i % 7 === 0
      insertTimesheet.run(employee, day, night ? '22:00' : '08:30', night ? '06:00' : '17:30', 60, i % 5 === 0 ? 'not' : '', i % 31 === 0 ? 1 : 0, 'Istanbul')
    }
  })()
  db.close()
}

/**
 * The baseline: read the rows with sql.js and write the same records as nested maps, where the
 * layout keeps them: employees in one doc, each timesheet in the doc of its month, one
 * transaction per doc.
 */
async function baseline(bytes: Uint8Array): Promise<{ ms: number; docs: Y.Doc[] }> {
  const SQL = await initSqlJs()
  const start = performance.now()
  const db = new SQL.Database(bytes)
  const employees = db.exec('SELECT * FROM employees')[0]
  const timesheets = db.exec('SELECT * FROM timesheets')[0]
  db.close()
  const at = new Date().toISOString()
  const rows = new Map<Y.Doc, Array<[string, unknown[], string[]]>>()
  const master = new Y.Doc({ gc: false })
  const months = new Map<string, Y.Doc>()
  for (const [name, result] of [['employees', employees], ['timesheets', timesheets]] as const) {
    const dateIndex = result.columns.indexOf('work_date')
    for (const values of result.values) {
      let doc = master
      if (name === 'timesheets') {
        const month = String(values[dateIndex] ?? '').slice(0, 7)
        doc = months.get(month) ?? new Y.Doc({ gc: false })
        months.set(month, doc)
      }
      const list = rows.get(doc) ?? []
      rows.set(doc, list)
      list.push([name, values, result.columns])
    }
  }
  for (const [doc, list] of rows) {
    doc.transact(() => {
      for (const [name, values, columns] of list) {
        const idIndex = columns.indexOf('id')
        const record = new Y.Map<unknown>()
        for (let i = 0; i < columns.length; i++) {
          const column = columns[i]
          if (i === idIndex || values[i] === null || values[i] === '') continue
          record.set(column, column === 'employee_id' ? `e${values[i] as string}` : values[i])
        }
        record.set('created_at', at)
        record.set('updated_at', at)
        record.set('updated_by', 'bench')
        doc.getMap<Y.Map<unknown>>(name).set(`${name[0]}${values[idIndex] as string}`, record)
      }
    })
  }
  return { ms: performance.now() - start, docs: [master, ...months.values()] }
}

type Target = ReturnType<typeof inMemory>

async function ours(bytes: Uint8Array, target: Target = inMemory(DEFAULT_REGIONS.map((r) => r.slug))): Promise<{ ms: number; target: Target; created: number }> {
  const start = performance.now()
  const report = await importLegacy(bytes, { ...target, user: 'bench' })
  const ms = performance.now() - start
  return { ms, target, created: report.rows.filter((r) => r.outcome === 'created').length }
}

/** Istanbul's documents: the master and its months. */
const istanbul = (target: Target): MemoryDocuments => target.documents.get('istanbul')!
const storedBytes = (docs: MemoryDocuments): number => docs.all().reduce((sum, [, doc]) => sum + Y.encodeStateAsUpdate(doc).byteLength, 0)
const stateVectors = (docs: MemoryDocuments): string => docs.all().map(([name, doc]) => `${name}:${Buffer.from(Y.encodeStateVector(doc)).toString('hex')}`).join(' ')

export async function run(): Promise<BenchSection> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rainstaff-bench-import-'))
  try {
    const file = path.join(dir, 'puantaj.db')
    generate(file)
    const bytes = new Uint8Array(readFileSync(file))
    const lines = ['| measure | value | target |', '|---|---|---|']
    lines.push(`| legacy file, ${TIMESHEETS.toLocaleString('en-US')} timesheets, ${EMPLOYEES} employees | ${(bytes.byteLength / 1024 / 1024).toFixed(1)} MiB | — |`)

    // One warm-up of each, then alternate so neither side gets a warmer JIT or heap.
    await baseline(bytes)
    await ours(bytes)
    const baseRuns: number[] = []
    const ourRuns: number[] = []
    let created = 0
    let docBytes = 0
    let baseBytes = 0
    for (let i = 0; i < 5; i++) {
      const b = await baseline(bytes)
      baseRuns.push(b.ms)
      baseBytes = b.docs.reduce((sum, doc) => sum + Y.encodeStateAsUpdate(doc).byteLength, 0)
      const o = await ours(bytes)
      ourRuns.push(o.ms)
      created = o.created
      docBytes = storedBytes(istanbul(o.target))
    }
    if (created !== TIMESHEETS + EMPLOYEES + 10 - 3) throw new Error(`import created ${created} records`)
    const base = median(baseRuns)
    const mine = median(ourRuns)
    lines.push(
      `| import (read, plan, create, ledger) | ${mine.toFixed(0)} ms vs baseline ${base.toFixed(0)} ms (sql.js read + plain Y.Doc write) = **${(mine / base).toFixed(2)}×** | ≤ 2× |`,
    )
    lines.push(`| region documents after import (master + months) | ${(docBytes / 1024 / 1024).toFixed(1)} MiB vs baseline ${(baseBytes / 1024 / 1024).toFixed(1)} MiB in the same documents (ids, ledger) | — |`)

    const first = await ours(bytes)
    const again: number[] = []
    for (let i = 0; i < 3; i++) {
      const before = stateVectors(istanbul(first.target))
      again.push((await ours(bytes, first.target)).ms)
      if (stateVectors(istanbul(first.target)) !== before) throw new Error('reimport changed a document')
    }
    lines.push(`| same file again (no-op: every row read and checked) | ${median(again).toFixed(0)} ms = **${(median(again) / base).toFixed(2)}×** baseline | — |`)
    return { title: `Legacy import: ${TIMESHEETS.toLocaleString('en-US')} timesheets`, lines }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
