/**
 * The five-year benchmark's data: a relay data directory in the split layout, generated
 * deterministically (a seeded generator; the months end at the current month). Per region a master
 * document (60 employees, settings, shift templates, vehicles, drivers) and one document per
 * month holding that month's timesheets: every employee works Monday to Friday and misses about one
 * day in 25, so a month holds about 1,250 timesheets and five years about 75,000. It is written
 * the way offices would have written it: one transaction per entry through crdt/periodDocs.ts,
 * each day's entries under a new Yjs client (a session), a few entries corrected or deleted in a
 * later session, and every month stored as its compacted snapshot except the last days of the
 * current month, which are logged updates the relay has not compacted yet. Accounts go through
 * relay/users.ts and the layout is marked by the relay's own migration (relay/migrate.ts).
 */
import * as Y from 'yjs'
import { insertInto, updateIn, deleteIn, type RegionDocuments } from '../crdt/periodDocs.ts'
import { createRegionDoc } from '../crdt/regionDoc.ts'
import { updateClients } from '../relay/liveDoc.ts'
import { migrateRoundOne } from '../relay/migrate.ts'
import { openStore, type Store } from '../relay/store.ts'
import { addUser } from '../relay/users.ts'
import { currentPeriod, documentName, shiftPeriod, type Period } from '../schema/periods.ts'
import { DEFAULT_REGIONS } from '../schema/regions.ts'

export const REGIONS = DEFAULT_REGIONS.map((r) => r.slug)
export const EMPLOYEES = 60
export const PASSWORD = 'bench-password'
/** Connections one idle office account holds: under the relay's default cap of 32 per account. */
export const IDLE_PER_ACCOUNT = 25

/** Accounts: the admin, an editor per region (who wrote the history) and an account per region for its idle PCs. */
export const editorOf = (region: string): string => `ed-${region}`
export const idleOf = (region: string): string => `pc-${region}`

export interface GeneratedData {
  readonly months: readonly Period[]
  /** Live timesheets per region and month. */
  readonly timesheets: ReadonlyMap<string, number>
  /** Employee ids per region, in order. */
  readonly employees: ReadonlyMap<string, readonly string[]>
  /** Bytes written into the store (snapshots and logged updates). */
  readonly bytes: number
}

export const countKey = (region: string, period: Period): string => `${region}/${period}`

/** mulberry32: small, fast and the same on every machine. */
function generator(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
const idFrom = (random: () => number): string => Array.from({ length: 16 }, () => ALPHABET[Math.floor(random() * 62)]).join('')
const clientFrom = (random: () => number): number => 1 + Math.floor(random() * 0x7ffffffe)
const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)] as T

const FIRST = ['Ayşe', 'Mehmet', 'Fatma', 'Ali', 'Zeynep', 'Mustafa', 'Elif', 'Hüseyin', 'Emine', 'İbrahim', 'Hatice', 'Ömer', 'Şule', 'Çağrı', 'Gül']
const LAST = ['Yılmaz', 'Kaya', 'Demir', 'Şahin', 'Çelik', 'Yıldız', 'Öztürk', 'Aydın', 'Özdemir', 'Arslan', 'Doğan', 'Kılıç', 'Aslan', 'Çetin', 'Koç']
const DEPARTMENTS = ['TEKNİK', 'ÜRETİM', 'DEPO', 'İDARİ']
const TITLES = ['TEKNİSYEN', 'OPERATÖR', 'USTA', 'ŞOFÖR', 'MEMUR']

/** A T.C. kimlik no that passes both check digits, from nine leading digits (the first not 0). */
function identityNo(nine: number): string {
  const d = String(nine).split('').map(Number)
  const odd = (d[0] ?? 0) + (d[2] ?? 0) + (d[4] ?? 0) + (d[6] ?? 0) + (d[8] ?? 0)
  const even = (d[1] ?? 0) + (d[3] ?? 0) + (d[5] ?? 0) + (d[7] ?? 0)
  const tenth = (((odd * 7 - even) % 10) + 10) % 10
  const eleventh = (d.reduce((a, b) => a + b, 0) + tenth) % 10
  return `${nine}${tenth}${eleventh}`
}

function masterDocument(region: string, regionIndex: number, random: () => number): { doc: Y.Doc; employees: string[] } {
  const doc = createRegionDoc()
  doc.clientID = clientFrom(random)
  const author = { user: editorOf(region), now: () => new Date(Date.UTC(2021, 0, 4, 9)) }
  const docs: RegionDocuments = { region, master: doc, month: () => undefined, months: () => [] }
  const employees: string[] = []
  for (let i = 0; i < EMPLOYEES; i++) {
    const fields = {
      full_name: `${pick(random, FIRST)} ${pick(random, LAST)}`,
      identity_no: identityNo(100_000_000 + regionIndex * 1000 + i),
      department: pick(random, DEPARTMENTS),
      title: pick(random, TITLES),
    }
    employees.push(insertInto(docs, 'employees', fields, author, idFrom(random)).id)
  }
  const settings = { company_name: 'Rainstaff A.Ş.', report_title: 'Puantaj Raporu', weekday_hours: '9', saturday_start: '09:00', saturday_end: '14:00' }
  for (const [key, value] of Object.entries(settings)) insertInto(docs, 'settings', { key, value }, author)
  for (const [name, start, end] of [['Gündüz', '08:30', '17:30'], ['Erken', '07:00', '16:00'], ['Gece', '22:00', '06:00']] as const) {
    insertInto(docs, 'shift_templates', { name, start_time: start, end_time: end, break_minutes: 60 }, author)
  }
  for (let v = 0; v < 8; v++) {
    insertInto(docs, 'vehicles', { plate: `${6 + regionIndex} RS ${100 + v}`, brand: 'Ford', model: 'Transit', year: '2020', km: 40_000 + v * 7_000 }, author)
    insertInto(docs, 'drivers', { full_name: `${pick(random, FIRST)} ${pick(random, LAST)}`, license_class: 'B', phone: `0555 000 ${1000 + v}` }, author, idFrom(random))
  }
  return { doc, employees }
}

/** The Monday-to-Friday dates of `period`. */
function workdays(period: Period): string[] {
  const [year, month] = period.split('-').map(Number) as [number, number]
  const days: string[] = []
  for (let day = 1; ; day++) {
    const date = new Date(Date.UTC(year, month - 1, day))
    if (date.getUTCMonth() !== month - 1) return days
    const weekday = date.getUTCDay()
    if (weekday !== 0 && weekday !== 6) days.push(date.toISOString().slice(0, 10))
  }
}

/** Days of the current month whose entries are still logged updates, not yet in its snapshot. */
const UNCOMPACTED_DAYS = 5

/**
 * Writes one month of a region: each workday's entries in a session of its own (entered the
 * evening of that day), and in it a few corrections and deletions of earlier entries of the month.
 * Returns the live count and what to store: the snapshot and the updates logged after it.
 */
function monthDocument(
  master: Y.Doc,
  region: string,
  period: Period,
  employees: readonly string[],
  random: () => number,
  logTail: boolean,
): { live: number; snapshot: Uint8Array; logged: Uint8Array[] } {
  const doc = createRegionDoc()
  const docs: RegionDocuments = { region, master, month: (p) => (p === period ? doc : undefined), months: () => [[period, doc]] }
  const written: string[] = []
  /** Day shifts entered before today's session: the ones a correction may lengthen. */
  const correctable: string[] = []
  const deleted = new Set<string>()
  const logged: Uint8Array[] = []
  let snapshot: Uint8Array | null = null
  const days = workdays(period)
  days.forEach((date, index) => {
    if (logTail && snapshot === null && index >= days.length - UNCOMPACTED_DAYS) {
      snapshot = Y.encodeStateAsUpdate(doc)
      doc.on('update', (update: Uint8Array) => void logged.push(update))
    }
    doc.clientID = clientFrom(random)
    const earlier = correctable.length
    const author = { user: editorOf(region), now: () => new Date(`${date}T17:${String(Math.floor(random() * 60)).padStart(2, '0')}:00`) }
    for (const employee of employees) {
      if (random() < 0.04) continue
      const night = random() < 0.08
      const start = night ? '22:00' : pick(random, ['08:00', '08:30', '08:30', '09:00'])
      const end = night ? '06:00' : pick(random, ['17:00', '17:30', '17:30', '18:00', '19:30'])
      const fields = {
        employee_id: employee,
        work_date: date,
        start_time: start,
        end_time: end,
        break_minutes: night ? 30 : 60,
        is_special: random() < 0.01 ? 1 : 0,
        ...(random() < 0.05 ? { notes: pick(random, ['Fazla mesai onaylı', 'Saha çalışması', 'Eğitim', 'Geç başladı']) } : {}),
      }
      const id = insertInto(docs, 'timesheets', fields, author, idFrom(random)).id
      written.push(id)
      if (!night) correctable.push(id)
    }
    // Corrections of entries made on earlier days of the month: the overwritten values stay in the history.
    for (let fix = 0; fix < 2 && earlier > 0; fix++) {
      const id = correctable[Math.floor(random() * earlier)] ?? ''
      if (deleted.has(id)) continue
      if (random() < 0.12) {
        deleteIn(docs, 'timesheets', id, author)
        deleted.add(id)
      } else updateIn(docs, 'timesheets', id, { end_time: pick(random, ['18:30', '19:00', '20:00']), notes: 'Düzeltildi' }, author)
    }
  })
  const stored = snapshot ?? Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return { live: written.length - deleted.size, snapshot: stored, logged }
}

async function addAccounts(store: Store): Promise<void> {
  await addUser(store, { username: 'admin', role: 'admin', password: PASSWORD })
  for (const region of REGIONS) {
    await addUser(store, { username: editorOf(region), role: 'editor', region, password: PASSWORD })
    await addUser(store, { username: idleOf(region), role: 'editor', region, password: PASSWORD })
  }
}

/**
 * Writes `monthCount` months per region ending at `end` into a new data directory `dataDir`.
 * `progress` hears a line per region.
 */
export async function generateYears(dataDir: string, monthCount: number, progress: (line: string) => void, end: Period = currentPeriod()): Promise<GeneratedData> {
  const months = Array.from({ length: monthCount }, (_, i) => shiftPeriod(end, i - monthCount + 1))
  const store = openStore(dataDir)
  const timesheets = new Map<string, number>()
  const employeesByRegion = new Map<string, string[]>()
  let bytes = 0
  try {
    await addAccounts(store)
    for (const [regionIndex, region] of REGIONS.entries()) {
      const started = performance.now()
      const random = generator(0x5eed + regionIndex)
      const { doc: master, employees } = masterDocument(region, regionIndex, random)
      employeesByRegion.set(region, employees)
      const clients = new Set<number>([master.clientID])
      let total = 0
      for (const period of months) {
        const month = monthDocument(master, region, period, employees, random, period === end)
        const name = documentName(region, period)
        store.writeSnapshot(name, month.snapshot, 0)
        store.appendUpdates(month.logged.map((data) => ({ region: name, data, username: editorOf(region), at: Date.now(), ranges: updateClients(data) })))
        for (const data of [month.snapshot, ...month.logged]) {
          bytes += data.byteLength
          for (const client of Y.decodeStateVector(Y.encodeStateVectorFromUpdate(data)).keys()) clients.add(client)
        }
        timesheets.set(countKey(region, period), month.live)
        total += month.live
      }
      const masterState = Y.encodeStateAsUpdate(master)
      store.writeSnapshot(region, masterState, 0)
      bytes += masterState.byteLength
      master.destroy()
      // The clients that wrote the history are the editor's, as the relay would have bound them.
      store.bindClients([...clients], editorOf(region), Date.now())
      progress(`${region}: ${months.length} months, ${total.toLocaleString('en-US')} timesheets (${((performance.now() - started) / 1000).toFixed(1)} s)`)
    }
    // Marks each region as split (a master with no dated records), as a relay start would.
    migrateRoundOne(store, DEFAULT_REGIONS)
  } finally {
    store.close()
  }
  return { months, timesheets, employees: employeesByRegion, bytes }
}
