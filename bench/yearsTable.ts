/**
 * The five-year benchmark's report: each figure for the one-month and the five-year data set, the
 * ratio between them and, where issue 12 sets one, the target with PASS or FAIL.
 */
import type { BenchSection } from './index.ts'
import type { Memory } from './yearsPeers.ts'

/** What one data set measured (filled in as the run goes). */
export interface CaseFigures {
  label: string
  months: number
  timesheets: number
  relayStart: number[]
  started: Memory
  connected: Memory
  afterStatus: Memory
  afterExport: Memory
  status: { ms: number; bytes: number }
  exportAll: { ms: number; bytes: number }
  /** Open connections `/api/status` counted. */
  connections: number
  /** What went wrong on the way (a relay that failed a call): reported, not thrown. */
  problems: string[]
  openFresh: number[]
  openCached: number[]
  reportFresh: number[]
  reportCached: number[]
  coldProcess: number[]
  coldOpen: number[]
}

/** A figure the run could not take (its call failed) shows as a dash, and its target as FAIL. */
const shown = (n: number, text: (n: number) => string): string => (Number.isFinite(n) ? text(n) : '—')
const MiB = (bytes: number): string => shown(bytes, (n) => (n / 2 ** 20).toFixed(1))
const ms = (n: number): string => shown(n, (v) => v.toFixed(0))
const times = (a: number, b: number): number => a / b
const ratio = (r: number): string => shown(r, (v) => `${v.toFixed(2)}×`)

/** Relay memory: at most 450 MiB and at most twice the one-month case. */
const RSS_LIMIT = 450 * 2 ** 20
const memoryMark = (years: number, month: number): string => {
  const ok = years <= RSS_LIMIT && years / month <= 2
  return `≤ 450 MiB and ≤ 2×: **${ok ? 'PASS' : 'FAIL'}**`
}
const ratioMark = (r: number, limit: number): string => `≤ ${limit}×: **${r <= limit ? 'PASS' : 'FAIL'}**`

export function table(month: CaseFigures, years: CaseFigures, how: { back: number; idle: number; median: (v: readonly number[]) => number }): BenchSection {
  const { median } = how
  const row = (measure: string, a: string, b: string, r: string, target = ''): string => `| ${measure} | ${a} | ${b} | ${r} | ${target} |`
  const memoryRow = (measure: string, pick: (f: CaseFigures) => number, marked: boolean): string =>
    row(measure, MiB(pick(month)), MiB(pick(years)), ratio(times(pick(years), pick(month))), marked ? memoryMark(pick(years), pick(month)) : '')
  const timeRow = (measure: string, pick: (f: CaseFigures) => number, limit?: number): string => {
    const r = times(pick(years), pick(month))
    return row(measure, ms(pick(month)), ms(pick(years)), ratio(r), limit === undefined ? '' : ratioMark(r, limit))
  }
  const coldOpen = (f: CaseFigures): number => median(f.coldOpen)
  const coldProcess = (f: CaseFigures): number => median(f.coldProcess)
  const lines = [
    `Four regions, 60 employees each, every employee working Monday to Friday (about 1,250 timesheets per region and month, corrections and deletions among them), ` +
      `the months ending this month: ${years.months} months (${years.timesheets.toLocaleString('en-US')} timesheets) against this month alone (${month.timesheets.toLocaleString('en-US')}). ` +
      `The relay is \`bin/rainstaff relay\` with its defaults in a child process; connected are the admin (the sync engine: master, this and last month of every region), ` +
      `an editor per region (the engine, every region as the app opens them) who enters 20 timesheets and corrects 5, and ${how.idle} idle office PCs (y-websocket on their region's master document).`,
    '',
    '| measure | 1 month | history | ratio | target |',
    '|---|---|---|---|---|',
    row('data set: months, timesheets', `${month.months}, ${month.timesheets.toLocaleString('en-US')}`, `${years.months}, ${years.timesheets.toLocaleString('en-US')}`, ''),
    row('connections the relay counts in `/api/status`', shown(month.connections, String), shown(years.connections, String), ''),
    timeRow('relay start to listening (ms, median of 3)', (f) => median(f.relayStart)),
    memoryRow('relay RSS after start, nobody connected (MiB)', (f) => f.started.rss, false),
    memoryRow(`relay RSS, everyone connected and settled (MiB)`, (f) => f.connected.rss, true),
    memoryRow('relay peak RSS (VmHWM) until then (MiB)', (f) => f.connected.peak, false),
    timeRow('`GET /api/status` (ms)', (f) => f.status.ms),
    memoryRow('relay RSS after `/api/status` (MiB)', (f) => f.afterStatus.rss, true),
    timeRow('`GET /api/export/all.sqlite` (ms)', (f) => f.exportAll.ms),
    row('export size (MiB)', MiB(month.exportAll.bytes), MiB(years.exportAll.bytes), ratio(times(years.exportAll.bytes, month.exportAll.bytes))),
    memoryRow('relay RSS after the export (MiB)', (f) => f.afterExport.rss, true),
    memoryRow('relay peak RSS (VmHWM) after status and export (MiB)', (f) => f.afterExport.peak, true),
    timeRow('CLI peer cold start: opening the device to the first `sql` answer (ms, median of 3)', coldOpen, 1.5),
    timeRow('CLI peer cold start: process start to the first `sql` answer (ms, median of 3)', coldProcess),
    timeRow(`open a month ${how.back} months back, from the relay (ms, median of 3)`, (f) => median(f.openFresh)),
    timeRow(`open the same month again, from the device's cache (ms, median of 3)`, (f) => median(f.openCached)),
    timeRow('12-month report for one region, months from the relay (ms, median of 3)', (f) => median(f.reportFresh)),
    timeRow("12-month report again, from the device's cache (ms, median of 3)", (f) => median(f.reportCached)),
    ...[month, years].flatMap((f) => f.problems.map((p) => `\n**${f.label}: ${p}**`)),
    '',
    'The cold start runs `rainstaff sql "SELECT count(*) …"` (client/cli.ts) in a fresh Node process on the admin\'s state directory from the connected phase; ' +
      '"opening the device" is from the command starting (store, engine, every cached month, the sql.js mirror) to its answer, the process figure adds Node, tsx and the imports. ' +
      `The old month is opened by an editor's engine whose clock is three months ahead, so it is none of its working months; in the one-month set it is the one month there is. ` +
      'Each round starts the relay afresh, so it holds only the master documents when the month is asked for; the figures are medians of three rounds, both sets in turn. ' +
      'The 12-month report opens the last 12 months of one region in an editor\'s engine and builds each month\'s puantaj report from the mirror as `rainstaff report` does (CSV); ' +
      'in the one-month set eleven of those months are empty. Cache figures are the same devices opened again offline, with the relay stopped. ' +
      '`/api/status` counts the connections of stored documents: the one-month set stores no last month, so the 20 connections the admin and the editors hold there are not counted. ' +
      'Round-1 targets (edit → mirror, catch-up, fan-out p99, durable updates/s) are the relay, catch-up and foundation sections.',
  ]
  return { title: 'Five years of history against one month', lines }
}
