/**
 * `alerts` and `report --fleet inspections|service`: the fleet read from the device's mirror
 * (client/fleetAlerts.ts, client/fleetReports.ts). `alerts` reads every month this device holds
 * (the last two inspections may lie in any of them) after fetching, when the relay can be reached,
 * the months whose version changed; a fleet report holds its month as the puantaj report does.
 */
import { writeFileSync } from 'node:fs'
import type { FleetAlertEntry, AlertSeverity } from '../../schema/fleetAlerts.ts'
import { parseDate } from '../../schema/turkishInput.ts'
import type { Bilingual } from '../../schema/bilingual.ts'
import type { Mirror } from '../../crdt/mirror.ts'
import { fleetAlerts, kmEnteredFrom, localToday } from '../fleetAlerts.ts'
import { inspectionReport, serviceCostReport, type FleetReportOptions } from '../fleetReports.ts'
import { inspectionReportCsv, serviceCostReportCsv } from '../fleetReportCsv.ts'
import type { DeviceAccount } from '../localStore.ts'
import { account, CliError, EXIT, online, out, parse, say, text, withOfflineMirror, withStore, type Values } from './common.ts'

export const FLEET_REPORTS = ['inspections', 'service'] as const
export type FleetReportKind = (typeof FLEET_REPORTS)[number]
export const FLEET_FORMATS = ['json', 'csv', 'xlsx'] as const
export type FleetFormat = (typeof FLEET_FORMATS)[number]

/** The regions a read covers: the one given, else the user's own, else (the admin) every region. */
export function readRegions(values: Values, acc: DeviceAccount): string[] {
  const given = text(values, 'region')
  const regions = given !== undefined ? [given] : acc.user.region !== null ? [acc.user.region] : acc.regions.map((r) => r.slug)
  for (const region of regions) {
    if (!acc.regions.some((r) => r.slug === region)) throw new CliError(EXIT.refused, `Bilinmeyen bölge: ${region}`, `Unknown region: ${region}`)
  }
  return regions
}

const SEVERITY: Readonly<Record<AlertSeverity, Bilingual>> = {
  due: { tr: 'şimdi', en: 'due' },
  soon: { tr: 'yakında', en: 'soon' },
  check: { tr: 'kontrol', en: 'check' },
}

/** One JSON line: the entry with its subject named as what it is, a plate or a driver's name. */
function jsonLine(entry: FleetAlertEntry): string {
  const { kind, severity, region, table, record, subject, ...rest } = entry
  const named = table === 'drivers' ? { name: subject } : { plate: subject }
  return JSON.stringify({ kind, severity, region, table, record, ...named, ...rest })
}

/** `alerts [--region R] [--date YYYY-MM-DD] [--json]` */
export async function alerts(args: string[]): Promise<number> {
  const { values } = parse(args, { region: { type: 'string' }, date: { type: 'string' }, json: { type: 'boolean' } }, 0)
  const date = text(values, 'date')
  const parsed = date === undefined ? undefined : parseDate(date)
  if (parsed !== undefined && (!parsed.ok || parsed.value === null)) {
    const reason = parsed.ok ? { tr: 'boş', en: 'empty' } : parsed.reason
    throw new CliError(EXIT.usage, `--date: ${reason.tr}`, `--date: ${reason.en}`)
  }
  const today = parsed?.ok === true && parsed.value !== null ? parsed.value : localToday()
  return withStore(values, async (store) => {
    const acc = await account(store)
    const regions = readRegions(values, acc)
    return withOfflineMirror(store, acc, regions, async (engine, offline) => {
      await offline.holdCached(regions)
      if (await online(acc)) await offline.refresh()
      const found = fleetAlerts(offline.mirror, { ...(regions.length === 1 ? { region: regions[0]! } : {}), today, kmEnteredOn: kmEnteredFrom(engine) })
      if (values.json === true) {
        process.stdout.write(found.map((entry) => jsonLine(entry) + '\n').join(''))
        return EXIT.ok
      }
      const names = new Map(acc.regions.map((r) => [r.slug, r.name]))
      for (const entry of found) out(`${say(SEVERITY[entry.severity])}\t${names.get(entry.region) ?? entry.region}\t${say(entry.text)}`)
      if (found.length === 0) out(say({ tr: 'uyarı yok', en: 'no alerts' }))
      return EXIT.ok
    })
  })
}

/** Checks `--fleet` and `--format` before anything opens: bad usage changes nothing. */
export function fleetReportKind(kind: string, format: string, rules: string | undefined): FleetReportKind {
  if (!(FLEET_REPORTS as readonly string[]).includes(kind)) {
    throw new CliError(EXIT.usage, `--fleet inspections veya service olmalı: ${kind}`, `--fleet must be inspections or service: ${kind}`)
  }
  if (!(FLEET_FORMATS as readonly string[]).includes(format)) {
    throw new CliError(EXIT.usage, `--fleet ile --format json, csv veya xlsx olmalı: ${format}`, `With --fleet, --format must be json, csv or xlsx: ${format}`)
  }
  if (rules !== undefined) throw new CliError(EXIT.usage, '--rules yalnızca puantaj raporları içindir', '--rules is for the timesheet reports only')
  return kind as FleetReportKind
}

const encode = (text: string): Uint8Array => new TextEncoder().encode(text)
const json = (value: unknown): string => JSON.stringify(value, null, 2) + '\n'

async function reportFile(mirror: Mirror, kind: FleetReportKind, format: FleetFormat, options: FleetReportOptions): Promise<{ bytes: Uint8Array; fileName: string }> {
  // exceljs is large: loaded only when an xlsx is written, so other commands start fast.
  const xlsx = format === 'xlsx' ? await import('../fleetReportXlsx.ts') : undefined
  if (kind === 'inspections') {
    const report = inspectionReport(mirror, options)
    const bytes = xlsx !== undefined ? await xlsx.inspectionReportXlsx(report) : encode(format === 'csv' ? inspectionReportCsv(report) : json(report))
    return { bytes, fileName: report.fileName }
  }
  const report = serviceCostReport(mirror, options)
  const bytes = xlsx !== undefined ? await xlsx.serviceCostReportXlsx(report) : encode(format === 'csv' ? serviceCostReportCsv(report) : json(report))
  return { bytes, fileName: report.fileName }
}

/**
 * Writes a fleet report of `month` (the caller holds the month first) to the file `target` names
 * for the report's own file name, and prints that file.
 */
export async function writeFleetReport(
  mirror: Mirror,
  acc: DeviceAccount,
  regions: readonly string[],
  request: { readonly kind: FleetReportKind; readonly month: string; readonly format: FleetFormat },
  target: (name: string) => string,
): Promise<number> {
  const { bytes, fileName } = await reportFile(mirror, request.kind, request.format, { month: request.month, regions, regionNames: acc.regions })
  const file = target(`${fileName}.${request.format}`)
  writeFileSync(file, bytes)
  out(file)
  return EXIT.ok
}
