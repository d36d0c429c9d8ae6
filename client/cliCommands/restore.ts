/**
 * `restore --region R [--month YYYY-MM] [--table T] [--id ID] --at ISO-TIME [--dry-run] [--json]`:
 * records put back the way they were at a time (client/restore.ts), as one new change per
 * document that every PC receives. `--dry-run` lists what would change and writes nothing. The
 * region must be writable for this account, and a month the head office closed is refused
 * (exit 1, nothing written) unless it is reopened. It needs the relay (exit 3 otherwise).
 */
import type { RecordRestore } from '../../crdt/restorePlan.ts'
import { isPeriodTable, type Period } from '../../schema/periods.ts'
import type { CellValue, TableName } from '../../schema/tables.ts'
import { MonthClosedError, SyncTimeoutError, type SyncEngine } from '../engine.ts'
import { planRestore, writeRestore, type RestorePlan } from '../restore.ts'
import { sessionFromAccount, type Session } from '../signIn.ts'
import { account, CliError, err, EXIT, online, optionalMonth, out, parse, required, say, table, text, withEngine, withStore } from './common.ts'

const TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/

/** `--at`: a date and time, the PC's own zone unless one is given. A date alone is ambiguous and refused. */
export function restoreTime(value: string): number {
  const ms = TIME.test(value) ? Date.parse(value.replace(' ', 'T')) : NaN
  if (!Number.isFinite(ms)) {
    throw new CliError(EXIT.usage, `--at tarih ve saat olmalı, örneğin 2026-11-06T18:00 ya da 2026-11-06T18:00+03:00: ${value}`, `--at must be a date and time, e.g. 2026-11-06T18:00 or 2026-11-06T18:00+03:00: ${value}`)
  }
  if (ms > Date.now()) throw new CliError(EXIT.usage, `--at gelecekte olamaz: ${value}`, `--at cannot be in the future: ${value}`)
  return ms
}

const shown = (value: CellValue): string => (value === null ? '—' : typeof value === 'number' ? String(value) : JSON.stringify(value))

const ACTION: Record<RecordRestore['action'], { tr: string; en: string }> = {
  restore: { tr: 'geri getirilecek', en: 'restored' },
  revert: { tr: 'değerleri geri alınacak', en: 'fields reverted' },
  delete: { tr: 'yeniden silinecek', en: 'deleted again' },
  moved_in: { tr: 'sonradan bu aya taşınmış, olduğu gibi kalacak (o zaman bulunduğu ayı geri yükleyin)', en: 'moved into this month since, left as it is (restore the month it was in then)' },
}

function line(document: string, record: RecordRestore): string {
  const fields = record.fields.map((f) => `${f.field}: ${shown(f.now)} → ${shown(f.then)}`).join(', ')
  return `${document}  ${record.table} ${record.id}  ${say(ACTION[record.action])}${fields === '' ? '' : `  (${fields})`}`
}

function printPlan(plan: RestorePlan, json: boolean): void {
  for (const { document, records } of plan.documents) {
    for (const record of records) out(json ? JSON.stringify({ document, table: record.table, id: record.id, action: record.action, fields: record.fields }) : line(document, record))
  }
}

function count(plan: RestorePlan, action: RecordRestore['action']): number {
  return plan.documents.reduce((n, d) => n + d.records.filter((r) => r.action === action).length, 0)
}

export async function restoreCommand(args: string[]): Promise<number> {
  const { values } = parse(
    args,
    { region: { type: 'string' }, month: { type: 'string' }, table: { type: 'string' }, id: { type: 'string' }, at: { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, timeout: { type: 'string' } },
    0,
  )
  const region = required(text(values, 'region'), '--region')
  const month = optionalMonth(values)
  const name = text(values, 'table') === undefined ? undefined : table(text(values, 'table'))
  const id = text(values, 'id')
  if (id !== undefined && name === undefined) throw new CliError(EXIT.usage, '--id için --table gerekli', '--id needs --table')
  if (name !== undefined && isPeriodTable(name) && month === undefined && id === undefined) {
    throw new CliError(EXIT.usage, `${name} için --month (YYYY-AA) ya da --id gerekli`, `${name} needs --month (YYYY-MM) or --id`)
  }
  const at = restoreTime(required(text(values, 'at'), '--at'))
  const dryRun = values['dry-run'] === true
  const timeoutMs = Number(text(values, 'timeout') ?? '60') * 1000
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new CliError(EXIT.usage, '--timeout pozitif bir saniye sayısı olmalı', '--timeout must be a positive number of seconds')
  return withStore(values, async (store) => {
    const acc = await account(store)
    const access = acc.regions.find((r) => r.slug === region)
    if (access === undefined) throw new CliError(EXIT.refused, `Bilinmeyen bölge: ${region}`, `Unknown region: ${region}`)
    // A dry run only reads: the head office may look at what a restore of any region would do.
    if (!dryRun && !access.writable) throw new CliError(EXIT.refused, `${region} bölgesine yazma izniniz yok`, `You may not write to region ${region}`)
    if (!(await online(acc))) {
      throw new CliError(EXIT.offline, 'Geri yükleme sunucunun geçmişini okur: sunucuya ulaşılamıyor ya da oturum süresi dolmuş (rainstaff login)', 'A restore reads the relay’s history: the relay cannot be reached or the session expired (rainstaff login)')
    }
    const session = sessionFromAccount(acc, null)
    return withEngine(store, session, [region], (engine) => restoreWith(engine, session, region, { month, name, id, at, dryRun, json: values.json === true, timeoutMs }))
  })
}

/** Sends the restore; a timeout leaves it kept on this computer, to go with the next sync. */
async function sent(engine: SyncEngine, timeoutMs: number): Promise<void> {
  try {
    await engine.whenSynced(timeoutMs)
  } catch (error) {
    if (!(error instanceof SyncTimeoutError)) throw error
    throw new CliError(EXIT.offline, 'Geri yükleme bu bilgisayarda kaydedildi ama henüz sunucuya ulaşmadı: rainstaff sync', 'The restore is kept on this computer but has not reached the relay yet: rainstaff sync')
  }
}

async function restoreWith(
  engine: SyncEngine,
  session: Session,
  region: string,
  options: { month: Period | undefined; name: TableName | undefined; id: string | undefined; at: number; dryRun: boolean; json: boolean; timeoutMs: number },
): Promise<number> {
  const { month, name, id, at, timeoutMs } = options
  let plan: RestorePlan
  try {
    plan = await planRestore(engine, session, { region, ...(month !== undefined ? { month } : {}), ...(name !== undefined ? { table: name } : {}), ...(id !== undefined ? { id } : {}), at }, timeoutMs)
  } catch (error) {
    if (!(error instanceof SyncTimeoutError)) throw error
    throw new CliError(EXIT.offline, 'Eşitleme tamamlanamadı; hiçbir şey yazılmadı', 'Sync did not finish; nothing was written')
  }
  printPlan(plan, options.json)
  const summary = say({
    tr: `${count(plan, 'restore')} kayıt geri getirilecek, ${count(plan, 'revert')} kaydın değerleri geri alınacak, ${count(plan, 'delete')} kayıt yeniden silinecek (${plan.at} hâline)`,
    en: `${count(plan, 'restore')} records restored, ${count(plan, 'revert')} with fields reverted, ${count(plan, 'delete')} deleted again (as at ${plan.at})`,
  })
  const [closed] = plan.closed
  if (options.dryRun) {
    err(summary)
    if (closed !== undefined) err(`${say({ tr: 'uyarı', en: 'warning' })}: ${say(new MonthClosedError(closed).text)}`)
    return EXIT.ok
  }
  // Refused before anything is written, as the engine would refuse the first edit into it.
  if (closed !== undefined) throw new MonthClosedError(closed)
  const written = writeRestore(engine, region, plan)
  await engine.flush()
  await sent(engine, timeoutMs)
  err(summary)
  out(say({ tr: `geri yüklendi: ${written} kayıt değişti`, en: `restored: ${written} records changed` }))
  return EXIT.ok
}
