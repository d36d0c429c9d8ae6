/**
 * `sql`, `report` (the fleet's reports in cliCommands/fleet.ts), `export-sqlite`: reads of the device's mirror (client/offlineMirror.ts), which
 * holds the open documents live and every other month as rows fetched once from the relay. They
 * open no month documents to read them; a report of a month this device never held fetches its
 * rendering when the relay can be reached and otherwise says so.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { documentName, isPeriod, shiftPeriod } from '../../schema/periods.ts'
import type { SyncEngine } from '../engine.ts'
import { HolidayCalendar } from '../holidayCalendar.ts'
import type { DeviceAccount, LocalStore } from '../localStore.ts'
import type { OfflineMirror } from '../offlineMirror.ts'
import { checkReadOnly } from '../readOnlySql.ts'
import { buildReport, regionSettings } from '../report.ts'
import { lawSettingsFrom, RULE_SETS, type RuleSetName } from '../../schema/workLaw.ts'
import { reportCsv } from '../reportCsv.ts'
import type { Session } from '../signIn.ts'
import { account, CliError, EXIT, err, online, out, parse, required, say, sayError, text, withOfflineMirror, withStore, type Values } from './common.ts'
import { fleetReportKind, readRegions, writeFleetReport, type FleetFormat, type FleetReportKind } from './fleet.ts'

export async function sql(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {}, 1)
  const query = required(positionals[0], 'SQL')
  checkReadOnly(query)
  return withStore(values, async (store) => {
    const acc = await account(store)
    return withOfflineMirror(store, acc, acc.regions.map((r) => r.slug), async (engine, offline) => {
      await offline.holdCached(engine.regions)
      // The query runs after the last save: even one that slipped past the check could not change what is kept.
      await offline.lastSave()
      let rows
      try {
        rows = offline.mirror.query(query)
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error)
        throw new CliError(EXIT.refused, `SQL hatası: ${detail}`, `SQL error: ${detail}`)
      }
      process.stdout.write(rows.map((row) => JSON.stringify(row) + '\n').join(''))
      return EXIT.ok
    })
  })
}

const FORMATS = ['json', 'csv', 'xlsx', 'sheet'] as const
type Format = (typeof FORMATS)[number]

function outputFile(file: string, name: string): string {
  return existsSync(file) && statSync(file).isDirectory() ? path.join(file, name) : file
}

/**
 * Makes sure the mirror has `month` of each region: open in the engine, or fetched again (a 304
 * when the held rows are current) while the relay can be reached, or held from before, or read
 * from a copy kept on this device. A month none of these has was never fetched here: refused.
 */
async function holdMonth(engine: SyncEngine, offline: OfflineMirror, acc: DeviceAccount, regions: readonly string[], month: string): Promise<void> {
  if (!isPeriod(month)) return
  const names = regions.map((region) => documentName(region, month)).filter((name) => !engine.documents().includes(name))
  if (names.length === 0) return
  if (await online(acc)) await offline.fetchAll(names)
  if (names.some((name) => !offline.holds(name))) await offline.holdCached(regions)
  const never = names.filter((name) => !offline.holds(name))
  if (never.length > 0) {
    throw new CliError(
      EXIT.offline,
      `${never.join(', ')} bu bilgisayara hiç indirilmedi; sunucuya bağlanınca yeniden deneyin (rainstaff sync)`,
      `${never.join(', ')} was never fetched to this computer; try again once the relay can be reached (rainstaff sync)`,
    )
  }
}

export async function report(args: string[]): Promise<number> {
  const { values } = parse(
    args,
    { month: { type: 'string' }, region: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, rules: { type: 'string' }, fleet: { type: 'string' } },
    0,
  )
  const month = required(text(values, 'month'), '--month')
  const format = required(text(values, 'format'), '--format')
  const fleet = text(values, 'fleet')
  if (fleet !== undefined) return fleetReport(values, fleetReportKind(fleet, format, text(values, 'rules')), month, format as FleetFormat)
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new CliError(EXIT.usage, `--format json, csv, xlsx veya sheet olmalı: ${format}`, `--format must be json, csv, xlsx or sheet: ${format}`)
  }
  const rules = text(values, 'rules')
  if (rules !== undefined && !(RULE_SETS as readonly string[]).includes(rules)) {
    throw new CliError(EXIT.usage, `--rules law veya legacy olmalı: ${rules}`, `--rules must be law or legacy: ${rules}`)
  }
  if (rules === 'law' && format !== 'sheet') {
    // The legacy layout is the daily rule's: a row's overtime has no meaning under a weekly rule.
    throw new CliError(
      EXIT.usage,
      '--rules law yalnızca --format sheet ile kullanılır (eski rapor düzeni günlük kuralla hesaplanır)',
      '--rules law goes with --format sheet only (the legacy layout is computed with the daily rule)',
    )
  }
  if (format === 'sheet' && !isPeriod(month)) throw new CliError(EXIT.usage, `--month YYYY-AA olmalı: ${month}`, `--month must be YYYY-MM: ${month}`)
  const file = required(text(values, 'out'), '--out')
  return withStore(values, async (store) => {
    const acc = await account(store)
    const regions = readRegions(values, acc)
    return withOfflineMirror(store, acc, regions, async (engine, offline, session) => {
      if (format === 'sheet') return writeSheet(engine, offline, { acc, store, session }, regions, month, rules as RuleSetName | undefined, file)
      await holdMonth(engine, offline, acc, regions, month)
      const built = buildReport(offline.mirror, { month, regions, regionNames: acc.regions })
      const bytes =
        (format as Format) === 'xlsx'
          ? // exceljs is large: loaded only by the command that writes xlsx, so others start fast.
            await (await import('../reportXlsx.ts')).reportXlsx(built)
          : new TextEncoder().encode(format === 'csv' ? reportCsv(built) : JSON.stringify(built, null, 2) + '\n')
      const target = outputFile(file, `${built.fileName}.${format}`)
      writeFileSync(target, bytes)
      out(target)
      for (const skipped of built.skipped) err(`${say({ tr: 'atlandı', en: 'skipped' })} ${skipped.region} ${skipped.id}: ${say(skipped.text)}`)
      return EXIT.ok
    })
  })
}

/** `report --fleet inspections|service`: the month's inspections or service costs (client/fleetReports.ts). */
async function fleetReport(values: Values, kind: FleetReportKind, month: string, format: FleetFormat): Promise<number> {
  if (!isPeriod(month)) throw new CliError(EXIT.usage, `--month YYYY-AA olmalı: ${month}`, `--month must be YYYY-MM: ${month}`)
  const file = required(text(values, 'out'), '--out')
  return withStore(values, async (store) => {
    const acc = await account(store)
    const regions = readRegions(values, acc)
    return withOfflineMirror(store, acc, regions, async (engine, offline) => {
      await holdMonth(engine, offline, acc, regions, month)
      return writeFleetReport(offline.mirror, acc, regions, { kind, month, format }, (name) => outputFile(file, name))
    })
  })
}

/**
 * The monthly puantaj sheet of each region as xlsx (one file per region when several): under the
 * law rules the year's months before it are held too, for the weekly hours and the yearly cap.
 */
async function writeSheet(
  engine: SyncEngine,
  offline: OfflineMirror,
  device: { readonly acc: DeviceAccount; readonly store: LocalStore; readonly session: Session },
  regions: readonly string[],
  month: string,
  rules: RuleSetName | undefined,
  file: string,
): Promise<number> {
  const { acc } = device
  const { buildRegionSheet } = await import('../sheet.ts')
  const { sheetXlsx } = await import('../sheetXlsx.ts')
  const calendar = await HolidayCalendar.open(device.store)
  const year = Number(month.slice(0, 4))
  await calendar.refresh(device.session, [year - 1, year]).catch((error: unknown) => {
    // Offline the saved list (or the computed one) counts; the sheet says which days it used.
    err(`${say({ tr: 'uyarı', en: 'warning' })}: ${sayError(error as Error)}; ${say({ tr: 'tatiller bu bilgisayardaki listeden', en: 'holidays from the list on this computer' })}`)
  })
  for (const region of regions) {
    await holdMonth(engine, offline, acc, [region], month)
    const chosen = rules ?? lawSettingsFrom(regionSettings(offline.mirror, region)).rules
    if (chosen === 'law') {
      for (let earlier = shiftPeriod(month, -1); earlier >= `${Number(month.slice(0, 4)) - 1}-12`; earlier = shiftPeriod(earlier, -1)) {
        // Months the relay never had are empty, not missing.
        await holdMonth(engine, offline, acc, [region], earlier).catch(() => undefined)
      }
    }
    const sheet = buildRegionSheet(offline.mirror, { region, month, rules: chosen, holidays: calendar.around(month) })
    const bytes = await sheetXlsx(sheet, acc.regions.find((r) => r.slug === region)?.name ?? region)
    const directory = existsSync(file) && statSync(file).isDirectory()
    // Several regions into one name: each gets its region before the extension.
    const target = directory ? outputFile(file, `puantaj_cetveli_${region}_${month}.xlsx`) : regions.length > 1 ? file.replace(/(\.xlsx)?$/i, `_${region}.xlsx`) : file
    writeFileSync(target, bytes)
    out(target)
  }
  return EXIT.ok
}

export async function exportSqlite(args: string[]): Promise<number> {
  const { values } = parse(args, { out: { type: 'string' } }, 0)
  const file = required(text(values, 'out'), '--out')
  return withStore(values, async (store) => {
    const acc = await account(store)
    return withOfflineMirror(store, acc, acc.regions.map((r) => r.slug), async (engine, offline) => {
      await offline.holdCached(engine.regions)
      const target = outputFile(file, 'rainstaff.sqlite')
      writeFileSync(target, offline.mirror.exportFile())
      out(target)
      return EXIT.ok
    })
  })
}
