/**
 * What the chaos peers type: valid records with a unique token in them (so the end check can find
 * every edit), and invalid input that the CLI must refuse with a message in one language (English: the peers run under the C locale).
 */
import type { CellValue } from '../../schema/tables.ts'
import type { Rng } from './rng.ts'

export const REGIONS = ['ankara', 'istanbul', 'bursa', 'izmir'] as const

/** The tables the peers edit; the field that carries an insert's token. */
export const MARKER = { employees: 'full_name', timesheets: 'notes', vehicles: 'notes' } as const
export type EditTable = keyof typeof MARKER

/** Tokens never contain spaces (text is trimmed) and are unique per edit: `~ankara-2#17`. */
export const TOKEN = /^~[a-z]+-\d#\d+$/
/** Values that a read-only write carries; none may ever be stored. */
export const READ_ONLY_MARK = 'RO~'

export type Fields = Record<string, CellValue>

/** A record to insert: the JSON given to `put` and the values it must be stored with. */
export interface Insert {
  readonly table: EditTable
  readonly input: Fields
  readonly stored: Fields
}

const TITLES = ['Usta', 'Şoför', 'Muhasebe', 'Çırak', 'Şef', 'Güvenlik']
const DEPARTMENTS = ['Üretim', 'Lojistik', 'İdari', 'Depo']
const BRANDS = ['Ford', 'Fiat', 'Renault', 'Isuzu']

function two(n: number): string {
  return String(n).padStart(2, '0')
}

/** A real date in the first quarter of 2026, typed the ISO or the Turkish way. */
export function workDate(rng: Rng): { typed: string; iso: string } {
  const month = rng.int(1, 3)
  const day = rng.int(1, month === 2 ? 28 : 30)
  const iso = `2026-${two(month)}-${two(day)}`
  return { typed: rng.chance(0.5) ? iso : `${two(day)}.${two(month)}.2026`, iso }
}

export function time(rng: Rng, fromHour = 0, toHour = 23): string {
  return `${two(rng.int(fromHour, toHour))}:${two(rng.pick([0, 15, 30, 45]))}`
}

/** An end time other than `start`, sometimes past midnight (overnight shifts are valid). */
export function endTime(rng: Rng, start: string): string {
  const [h, m] = start.split(':').map(Number)
  return `${two((h + rng.int(4, 12)) % 24)}:${two(m)}`
}

export function employee(rng: Rng, token: string): Insert {
  const input = { full_name: token, title: rng.pick(TITLES), department: rng.pick(DEPARTMENTS) }
  return { table: 'employees', input, stored: input }
}

export function timesheet(rng: Rng, token: string, employeeId: string): Insert {
  const date = workDate(rng)
  const start = time(rng, 6, 10)
  const base = { employee_id: employeeId, start_time: start, end_time: endTime(rng, start), break_minutes: rng.int(0, 60), notes: token, is_special: rng.int(0, 1) }
  return { table: 'timesheets', input: { ...base, work_date: date.typed }, stored: { ...base, work_date: date.iso } }
}

/** A vehicle with a plate no other edit uses: `06 K3 Z42` is stored as `06K3Z42`. */
export function vehicle(rng: Rng, token: string, peerIndex: number, seq: number): Insert {
  const plate = `${rng.pick(['06', '34', '16', '35'])} K${peerIndex} Z${seq}`
  const km = rng.int(0, 400_000)
  const brand = rng.pick(BRANDS)
  return { table: 'vehicles', input: { plate, notes: token, km, brand }, stored: { plate: plate.replace(/\s+/g, ''), notes: token, km, brand } }
}

/** One of a region's few shared plates: its offices insert it concurrently and must end with one record. */
export function sharedVehicle(rng: Rng, token: string, region: string): { plate: string; id: string; input: Fields } {
  const plate = `SH ${region.toUpperCase()} ${rng.int(1, 3)}`
  const normalized = plate.replace(/\s+/g, '')
  return { plate: normalized, id: `plate:${normalized}`, input: { plate, notes: token, km: rng.int(0, 400_000) } }
}

/** A change to one field of a record of `table`: the value typed and the value stored. */
export function patch(rng: Rng, table: EditTable, token: string, record: ReadonlyMap<string, CellValue>): { field: string; typed: CellValue; stored: CellValue } {
  switch (table) {
    case 'employees': {
      const field = rng.pick(['title', 'department'])
      return { field, typed: token, stored: token }
    }
    case 'timesheets': {
      const choice = rng.pick(['notes', 'break_minutes', 'end_time'] as const)
      if (choice === 'notes') return { field: 'notes', typed: token, stored: token }
      if (choice === 'break_minutes') {
        const minutes = rng.int(0, 90)
        return { field: 'break_minutes', typed: minutes, stored: minutes }
      }
      // The start time is only ever the one inserted, so a new end time can avoid it.
      const start = String(record.get('start_time'))
      const end = endTime(rng, start)
      return { field: 'end_time', typed: end, stored: end }
    }
    case 'vehicles': {
      const choice = rng.pick(['notes', 'km', 'inspection_date'] as const)
      if (choice === 'notes') return { field: 'notes', typed: token, stored: token }
      if (choice === 'km') {
        const km = rng.int(0, 400_000)
        return { field: 'km', typed: km, stored: km }
      }
      const date = workDate(rng)
      return { field: 'inspection_date', typed: date.typed, stored: date.iso }
    }
  }
}

/** Input the CLI must refuse: the exit code it must give and (part of) the English message. */
export interface BadInput {
  readonly label: string
  /** The command and its arguments, as typed after `rainstaff`. */
  readonly argv: readonly string[]
  readonly code: 1 | 2
  readonly message: RegExp
  /** A write to a region this user may only read. */
  readonly readOnly?: boolean
}

export interface BadInputContext {
  readonly region: string
  /** One of this peer's live records (for updates that break a rule), if any. */
  readonly live?: { readonly table: EditTable; readonly id: string }
  /** One of this peer's deleted records, if any. */
  readonly deleted?: { readonly table: EditTable; readonly id: string }
  /** A live employee of this peer's region, if any. */
  readonly employeeId?: string
  /** A value marked as a read-only write, for writes to a region this user may not write. */
  readonly readOnlyValue: string
}

const json = (value: unknown): string => JSON.stringify(value)

function garbage(rng: Rng): string {
  const alphabet = 'abcçdefgğhıijklmnoöprsştuüvyzABC0123456789 -_:./ıİ'
  let text = ''
  for (let i = rng.int(1, 8); i > 0; i--) text += alphabet[rng.int(0, alphabet.length - 1)]
  return text
}

/** A random bad input for an editor; `ctx` supplies real ids so some of them pass every check but one. */
export function badInput(rng: Rng, ctx: BadInputContext): BadInput {
  const other = rng.pick(REGIONS.filter((r) => r !== ctx.region))
  const employeeId = ctx.employeeId ?? '0000000000000000'
  const sheet = (change: Fields): string => {
    const start = time(rng, 6, 10)
    return json({ employee_id: employeeId, work_date: workDate(rng).typed, start_time: start, end_time: endTime(rng, start), break_minutes: 30, ...change })
  }
  const cases: Array<() => BadInput> = [
    () => {
      const whole = json({ full_name: 'Yarım Kayıt', title: 'Usta' })
      return { label: 'truncated JSON', argv: ['put', 'employees', '--json', whole.slice(0, rng.int(1, whole.length - 1))], code: 1, message: /--json is not valid JSON/ }
    },
    () => ({ label: 'JSON array', argv: ['put', 'employees', '--json', '[1,2]'], code: 1, message: /--json must be an object/ }),
    () => ({ label: 'unknown table', argv: ['put', `tbl_${garbage(rng).replace(/\W/g, '')}`, '--json', '{}'], code: 1, message: /Unknown table: / }),
    () => ({ label: 'missing name', argv: ['put', 'employees', '--json', json({ title: 'Usta' })], code: 1, message: /Full name cannot be empty/ }),
    () => ({ label: 'blank name', argv: ['put', 'employees', '--json', json({ full_name: ' '.repeat(rng.int(0, 3)) })], code: 1, message: /Full name cannot be empty/ }),
    () => ({ label: 'unknown field', argv: ['put', 'employees', '--json', json({ full_name: 'Ali', salary: 5 })], code: 1, message: /^salary: no such field/m }),
    () => ({ label: 'metadata field', argv: ['put', 'employees', '--json', json({ full_name: 'Ali', region: other })], code: 1, message: /^region: no such field/m }),
    () => ({ label: 'bad time', argv: ['put', 'timesheets', '--json', sheet({ start_time: rng.pick(['24:00', '7:5', '12:60', 'öğle', '', '1790']) })], code: 1, message: /Start: ".*" is not a (valid )?time|Start cannot be empty/ }),
    () => ({ label: 'bad date', argv: ['put', 'timesheets', '--json', sheet({ work_date: rng.pick(['2026-02-30', '31.04.2026', 'dün', '2026/01/05', '2026-13-01']) })], code: 1, message: /Date: .*(is not a date|has no day|there is no month)/ }),
    () => ({ label: 'negative break', argv: ['put', 'timesheets', '--json', sheet({ break_minutes: -rng.int(1, 90) })], code: 1, message: /Break \(min\) must be at least 0/ }),
    // "30" typed as text is a number in Turkish input now; words are not.
    () => ({ label: 'break as words', argv: ['put', 'timesheets', '--json', sheet({ break_minutes: rng.pick(['otuz', 'yarım saat']) })], code: 1, message: /Break \(min\): ".*" is not a number/ }),
    () => ({ label: 'flag out of range', argv: ['put', 'timesheets', '--json', sheet({ is_special: 2 })], code: 1, message: /Special day must be 0 or 1/ }),
    () => {
      const start = time(rng, 6, 10)
      return { label: 'zero-length shift', argv: ['put', 'timesheets', '--json', sheet({ start_time: start, end_time: start })], code: 1, message: /Start and end time are the same/ }
    },
    () => ({ label: 'ghost employee', argv: ['put', 'timesheets', '--json', json({ employee_id: `ghost${rng.int(0, 1e9)}`, work_date: '2026-01-05', start_time: '08:00', end_time: '17:00', break_minutes: 0 })], code: 1, message: /no such record in Employees/ }),
    () => ({ label: 'km as text', argv: ['put', 'vehicles', '--json', json({ plate: '06 BAD 1', km: 'çok' })], code: 1, message: /Km: "çok" is not a number/ }),
    () => ({ label: 'negative km', argv: ['put', 'vehicles', '--json', json({ plate: '06 BAD 2', km: -1 })], code: 1, message: /Km must be at least 0/ }),
    () => ({ label: 'fault status', argv: ['put', 'vehicle_faults', '--json', json({ vehicle_id: 'x', title: 'Fren', status: rng.pick(['Açık', 'open', 'KAPANDI']) })], code: 1, message: /Status must be one of: Acik, Kapandi, Takip/ }),
    () => ({ label: 'update missing record', argv: ['update', 'employees', `nope${rng.int(0, 1e9)}`, '--json', json({ title: 'x' })], code: 1, message: /record not found/ }),
    () => ({ label: 'write to another region', argv: ['put', 'employees', '--json', json({ full_name: ctx.readOnlyValue }), '--region', other], code: 1, message: new RegExp(`You may not write to region ${other}`), readOnly: true }),
    () => ({ label: 'unknown region', argv: ['put', 'employees', '--json', json({ full_name: ctx.readOnlyValue }), '--region', rng.pick(['mars', 'Ankara', 'x'])], code: 1, message: /Unknown region: / }),
    () => ({ label: 'sql write', argv: ['sql', rng.pick(['DELETE FROM employees', "UPDATE employees SET title = 'x'", 'DROP TABLE timesheets', "INSERT INTO employees (id) VALUES ('x')", 'PRAGMA writable_schema = 1'])], code: 1, message: /Only SELECT queries may run/ }),
    () => ({ label: 'sql two statements', argv: ['sql', 'SELECT 1; DELETE FROM employees'], code: 1, message: /Only a single statement may run/ }),
    () => ({ label: 'sql error', argv: ['sql', `SELECT * FROM ${rng.pick(['nosuch', 'employees WHERE', 'employees ORDER'])}`], code: 1, message: /SQL error: / }),
    () => ({ label: 'unknown option', argv: ['put', 'employees', '--json', json({ full_name: 'Ali' }), `--${rng.pick(['force', 'jsn', 'regin'])}`, 'x'], code: 2, message: /Invalid usage: / }),
    () => ({ label: 'delete without id', argv: ['delete', 'employees'], code: 2, message: /ID is required/ }),
    () => ({ label: 'extra argument', argv: ['update', 'employees', 'a', 'b', '--json', '{}'], code: 2, message: /Unexpected arguments: b/ }),
  ]
  const live = ctx.live
  if (live !== undefined) {
    cases.push(
      () => ({ label: 'move to another region', argv: ['update', live.table, live.id, '--json', json({ region: other })], code: 1, message: /^region: no such field/m }),
      () => ({ label: 'forge the author', argv: ['update', live.table, live.id, '--json', json({ updated_by: 'admin' })], code: 1, message: /^updated_by: no such field/m }),
      () => ({ label: 'update in another region', argv: ['update', live.table, live.id, '--json', json({ notes: ctx.readOnlyValue }), '--region', other], code: 1, message: new RegExp(`You may not write to region ${other}`), readOnly: true }),
    )
    if (live.table === 'employees') {
      cases.push(() => ({ label: 'blank required field', argv: ['update', 'employees', live.id, '--json', json({ full_name: '' })], code: 1, message: /Full name cannot be empty/ }))
    }
    if (live.table === 'timesheets') {
      cases.push(() => ({ label: 'bad end time', argv: ['update', 'timesheets', live.id, '--json', json({ end_time: '25:00' })], code: 1, message: /End: "25:00" is not a valid time/ }))
    }
  }
  const deleted = ctx.deleted
  if (deleted !== undefined) {
    const field = deleted.table === 'employees' ? 'title' : 'notes'
    cases.push(() => ({ label: 'update a deleted record', argv: ['update', deleted.table, deleted.id, '--json', json({ [field]: 'x' })], code: 1, message: /record is deleted; restore it first/ }))
  }
  return rng.pick(cases)()
}

/** A write by the read-only admin through the CLI: refused before it reaches a doc. */
export function adminWrite(rng: Rng, value: string, record?: { readonly region: string; readonly table: EditTable; readonly id: string }): BadInput {
  const region = rng.pick(REGIONS)
  const cases: Array<() => BadInput> = [
    () => ({ label: 'admin put', argv: ['put', 'employees', '--json', json({ full_name: value })], code: 1, message: /The admin cannot write to any region/, readOnly: true }),
    () => ({ label: 'admin put in a region', argv: ['put', 'employees', '--json', json({ full_name: value }), '--region', region], code: 1, message: new RegExp(`You may not write to region ${region}`), readOnly: true }),
  ]
  if (record !== undefined) {
    cases.push(
      () => ({ label: 'admin update', argv: ['update', record.table, record.id, '--json', json({ notes: value }), '--region', record.region], code: 1, message: new RegExp(`You may not write to region ${record.region}`), readOnly: true }),
      () => ({ label: 'admin delete', argv: ['delete', record.table, record.id, '--region', record.region], code: 1, message: new RegExp(`You may not write to region ${record.region}`), readOnly: true }),
      () => ({ label: 'admin delete, own region', argv: ['delete', record.table, record.id], code: 1, message: /The admin cannot write to any region/, readOnly: true }),
    )
  }
  return rng.pick(cases)()
}
