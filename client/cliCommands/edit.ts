/**
 * `put`, `update`, `delete`: edits through the engine, offline first. They open no mirror, so
 * scripted bulk entry stays fast; a record of a month not open is looked up in the saved
 * mirror's rows, and that month opened (and fetched once when the device never had it).
 */
import { openMirror } from '../../crdt/mirror.ts'
import { RecordError } from '../../crdt/regionDoc.ts'
import { shiftWarnings } from '../../schema/plausibility.ts'
import { isPeriodTable, parseDocumentName } from '../../schema/periods.ts'
import type { RecordInput, TableName } from '../../schema/tables.ts'
import { validateFields } from '../../schema/validate.ts'
import type { SyncEngine } from '../engine.ts'
import type { FileStore } from '../fileStore.ts'
import type { DeviceAccount } from '../localStore.ts'
import { sessionFromAccount } from '../signIn.ts'
import { account, CliError, err, EXIT, out, parse, required, say, sayError, table, text, withEngine, withStore, type Values } from './common.ts'
import { syncOpenDocuments } from './sync.ts'

function jsonObject(raw: string | undefined): Record<string, unknown> {
  const source = required(raw, '--json')
  let value: unknown
  try {
    value = JSON.parse(source)
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    throw new CliError(EXIT.refused, `--json geçerli JSON değil: ${detail}`, `--json is not valid JSON: ${detail}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError(EXIT.refused, '--json bir nesne olmalı: {"alan": değer}', '--json must be an object: {"field": value}')
  }
  return value as Record<string, unknown>
}

function targetRegion(values: Values, acc: DeviceAccount): string {
  const region = text(values, 'region') ?? acc.user.region
  if (region === null) {
    throw new CliError(EXIT.refused, 'Yönetici hiçbir bölgeye yazamaz', 'The admin cannot write to any region')
  }
  const access = acc.regions.find((r) => r.slug === region)
  if (access === undefined) {
    const known = acc.regions.map((r) => r.slug).join(', ')
    throw new CliError(EXIT.refused, `Bilinmeyen bölge: ${region} (${known})`, `Unknown region: ${region} (${known})`)
  }
  // Refused before anything opens: a month fetched for a write that is then refused would be a change.
  if (!access.writable) throw new CliError(EXIT.refused, `${region} bölgesine yazma izniniz yok`, `You may not write to region ${region}`)
  return region
}

/** An edit of `region` through an engine opened on it alone. */
async function editing(values: Values, work: (engine: SyncEngine, region: string, acc: DeviceAccount, store: FileStore) => Promise<number>): Promise<number> {
  return withStore(values, async (store) => {
    const acc = await account(store)
    const region = targetRegion(values, acc)
    return withEngine(store, sessionFromAccount(acc, null), [region], (engine) => work(engine, region, acc, store))
  })
}

export async function put(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'string' }, region: { type: 'string' } }, 1)
  const name = table(positionals[0])
  const input = jsonObject(text(values, 'json'))
  return editing(values, async (engine, region) => {
    let id: string
    try {
      id = engine.insert(name, input as RecordInput<typeof name>, region)
      if (name === 'timesheets') warnImplausible(engine.record('timesheets', id, region))
    } catch (error) {
      if (!(error instanceof RecordError) || error.code !== 'exists') throw error
      // The id on stdout lets a script go on with `update`; nothing was written.
      out(error.id)
      const change = `rainstaff update ${name} ${error.id} --json '{…}'`
      err(`${sayError(error)}\n  ${say({ tr: `değiştirmek için: ${change}`, en: `to change it: ${change}` })}`)
      return EXIT.exists
    }
    await engine.flush()
    out(id)
    return EXIT.ok
  })
}

/**
 * A saved timesheet that looks like a typo (over 12 hours, 17:00→08:00, a date outside one year
 * back … 60 days ahead): saved all the same, with a warning on stderr (see client/README.md).
 */
function warnImplausible(fields: Readonly<Record<string, unknown>> = {}): void {
  const now = new Date()
  const today = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`
  const row = { work_date: String(fields.work_date ?? ''), start_time: String(fields.start_time ?? ''), end_time: String(fields.end_time ?? '') }
  for (const w of shiftWarnings(row, today)) err(`${say({ tr: 'uyarı', en: 'warning' })}: ${say(w.text)}`)
}

export async function update(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'string' }, region: { type: 'string' } }, 2)
  const name = table(positionals[0])
  const id = required(positionals[1], 'ID')
  const patch = jsonObject(text(values, 'json'))
  return editing(values, async (engine, region, acc, store) => {
    // Checked before the record's month is looked for (and maybe fetched): bad input changes nothing.
    validateFields(name, patch, 'update')
    await openMonthOf(engine, store, acc, name, id, region)
    engine.update(name, id, patch as Partial<RecordInput<typeof name>>, region)
    if (name === 'timesheets') warnImplausible(engine.record('timesheets', id, region))
    await engine.flush()
    out(id)
    return EXIT.ok
  })
}

export async function remove(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { region: { type: 'string' } }, 2)
  const name = table(positionals[0])
  const id = required(positionals[1], 'ID')
  return editing(values, async (engine, region, acc, store) => {
    await openMonthOf(engine, store, acc, name, id, region)
    engine.delete(name, id, region)
    await engine.flush()
    out(id)
    return EXIT.ok
  })
}

/**
 * A dated record of a month not open at start (not this month or the last) lives where the saved
 * mirror's rows say; that month opens, and when this device has only the relay's rendering of it
 * (never its document), it is synced once if the relay can be reached.
 */
async function openMonthOf(engine: SyncEngine, store: FileStore, acc: DeviceAccount, table: TableName, id: string, region: string): Promise<void> {
  if (!isPeriodTable(table) || engine.record(table, id, region) !== undefined) return
  const saved = await store.readMirror()
  if (saved === undefined) return
  const mirror = await openMirror({ file: saved })
  const period = parseDocumentName(mirror.documentOf(table, region, id) ?? '')?.period
  mirror.close()
  if (period === null || period === undefined) return
  await engine.openPeriod(region, period)
  if (engine.record(table, id, region) === undefined) await syncOpenDocuments(engine, acc)
}
