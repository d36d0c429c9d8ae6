/**
 * The import dialog in Debian's Chromium against a real relay: an editor picks a legacy
 * puantaj.db with the file input, reads the dry run (counts per table and region, every problem
 * row with its legacy id and reason), confirms, and the records reach the relay through the sync
 * engine stamped with the editor's name. Only the editor's own region is written; the rest is
 * reported as skipped. A second import of the same file changes nothing, down to the relay's bytes,
 * on the same PC and on another one that never had the month the file's rows go to.
 *
 * The dialog's figures are checked against the import core run in Node on the same file (so a
 * dialog that drops or miscounts rows fails), and against expected.json's row counts.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import initSqlJs from 'sql.js'
import { describe, expect, it } from 'vitest'
import { importLegacy, inMemory, problemRows, type ImportReport, type TableCounts } from '../crdt/legacy/index.ts'
import { DEFAULT_REGIONS } from '../schema/regions.ts'
import { ADMIN_PASSWORD, ROOT, tokenFor } from './helpers/relayProcess.ts'
import { allCspViolations, markedFields, OFFICE_USERS, openPc, screenshot, signIn, waitForPending, type Pc, type UiRelay, uiSuite } from './helpers/uiBrowser.ts'

const FIXTURES = path.join(ROOT, 'test/fixtures/legacy')
const ISTANBUL_FILE = path.join(FIXTURES, 'legacy-v1-istanbul.db')
const DIRTY_FILE = path.join(FIXTURES, 'legacy-dirty.db')
const EXPECTED = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, { table_counts?: Record<string, number> }>
const REGIONS = DEFAULT_REGIONS.map((r) => r.slug)

let relay: UiRelay
let browser: Browser
let istanbul: Pc
let ankara: Pc
let adminToken: string

uiSuite(OFFICE_USERS, async (suite) => {
  ;({ relay, browser } = suite)
  adminToken = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
})

/** The core's dry run of `file` for an editor of `region` with nothing imported yet: what the dialog must show. */
async function coreDryRun(file: string, region: string, user: string): Promise<ImportReport> {
  return importLegacy(new Uint8Array(readFileSync(file)), { ...inMemory([region]), user, regions: REGIONS, dryRun: true })
}

type Counts = Record<string, Record<string, TableCounts>>

/** The count table as the dialog shows it, numbers read back from their tr-TR/en-GB text. */
function shownCounts(page: Page): Promise<Counts> {
  return page.locator('[data-testid="import-count"]').evaluateAll((rows) => {
    const counts: Counts = {}
    for (const row of rows as HTMLElement[]) {
      const n = (kind: string): number => Number((row.querySelector(`[data-kind="${kind}"]`)?.textContent ?? '').replace(/\D/g, ''))
      ;(counts[row.dataset.region ?? ''] ??= {})[row.dataset.table ?? ''] = {
        read: n('read'),
        created: n('created'),
        present: n('present'),
        merged: n('merged'),
        skipped: n('skipped'),
        warnings: n('warnings'),
      }
    }
    return counts
  })
}

/** Every problem row shown: legacy table, legacy id, outcome, reason codes. */
function shownProblems(page: Page): Promise<string[]> {
  return page
    .locator('[data-testid="import-problem"]')
    .evaluateAll((rows) => (rows as HTMLElement[]).map((r) => [r.dataset.table, r.dataset.legacyId, r.dataset.outcome, r.dataset.codes].join('|')))
}

function problemKeys(report: ImportReport): string[] {
  return problemRows(report).map((r) => [r.table, String(r.legacyId), r.outcome, r.reasons.map((x) => x.code).join(' ')].join('|'))
}

async function relayStatus(region: string): Promise<{ counts: Record<string, number>; docBytes: number; lastUpdateAt: string | null }> {
  const res = await fetch(`${relay.url}/api/status`, { headers: { authorization: `Bearer ${adminToken}` } })
  const status = (await res.json()) as { regions: Array<{ region: string; counts: Record<string, number>; docBytes: number; lastUpdateAt: string | null }> }
  const r = status.regions.find((x) => x.region === region)
  if (r === undefined) throw new Error(`no status for ${region}`)
  return { counts: r.counts, docBytes: r.docBytes, lastUpdateAt: r.lastUpdateAt }
}

/** The relay's merged data of a region, as its SQLite export: what every PC syncs to. */
async function relayRows(region: string, sql: string): Promise<unknown[][]> {
  const res = await fetch(`${relay.url}/api/export/${region}.sqlite`, { headers: { authorization: `Bearer ${adminToken}` } })
  expect(res.status).toBe(200)
  const SQL = await initSqlJs()
  const db = new SQL.Database(new Uint8Array(await res.arrayBuffer()))
  try {
    return db.exec(sql)[0]?.values ?? []
  } finally {
    db.close()
  }
}

async function pickFile(page: Page, file: string): Promise<void> {
  await page.locator('[data-testid="open-import"]').click()
  await page.locator('[data-testid="import-file"]').setInputFiles(file)
  await page.locator('[data-testid="import-stage"][data-stage="preview"]').waitFor()
}

async function confirmImport(page: Page): Promise<void> {
  await page.locator('[data-testid="import-confirm"]').click()
  await page.locator('[data-testid="import-stage"][data-stage="done"]').waitFor()
}

describe('the import dialog', () => {
  it('an İstanbul editor previews a v1 file: counts per table and region, other regions skipped, every problem row with its reason; nothing written', async () => {
    istanbul = await openPc(browser, relay.url)
    const page = istanbul.page
    await signIn(page, 'mehmet', 'mehmet-password')
    await pickFile(page, ISTANBUL_FILE)

    const expected = await coreDryRun(ISTANBUL_FILE, 'istanbul', 'mehmet')
    const counts = await shownCounts(page)
    expect(counts).toEqual(expected.counts)
    // Every row of the file is in the counts: the figures of expected.json per migrated table.
    const fileCounts = EXPECTED['legacy-v1-istanbul.db']?.table_counts ?? {}
    for (const table of ['employees', 'timesheets', 'vehicles', 'drivers', 'shift_templates', 'vehicle_inspection_results']) {
      expect(Object.values(counts).reduce((sum, byTable) => sum + (byTable[table]?.read ?? 0), 0), table).toBe(fileCounts[table])
    }
    expect(counts.istanbul?.employees).toMatchObject({ read: 8, created: 8, skipped: 0 })
    expect(counts.istanbul?.timesheets).toMatchObject({ read: 179, created: 179 })
    // The Ankara rows this İstanbul PC held are skipped, each one listed, none dropped.
    for (const byTable of Object.values(counts.ankara ?? {})) expect(byTable.skipped).toBe(byTable.read)
    expect(counts.ankara?.employees?.read).toBe(5)
    const problems = await shownProblems(page)
    expect(problems).toEqual(problemKeys(expected))
    expect(problems.filter((p) => p.endsWith('|region_unavailable'))).toHaveLength(16)
    const otherRegion = page.locator('[data-testid="import-problem"][data-table="employees"][data-legacy-id="1"]')
    expect(await otherRegion.textContent()).toContain('Başka bölge')
    expect(await otherRegion.textContent()).toContain('ankara bölgesine bu içe aktarmada yazılamaz')
    expect(await page.locator('[data-testid="import-deletions"] li').count()).toBe(2)
    await screenshot(page, 'import-preview')

    // A dry run: the editor's copy and the relay are as they were.
    expect(await page.locator('[data-testid="pending-count"]').textContent()).toBe('0')
    expect((await relayStatus('istanbul')).counts.employees ?? 0).toBe(0)
  })

  it('confirming imports the İstanbul rows through the engine: stamped, pending, synced, and seen by the others', async () => {
    const page = istanbul.page
    const expected = await coreDryRun(ISTANBUL_FILE, 'istanbul', 'mehmet')
    const created = Object.values(expected.counts.istanbul ?? {}).reduce((sum, c) => sum + c.created, 0)
    await confirmImport(page)
    expect(await page.locator('[data-testid="import-written"]').textContent()).toContain(`${created} yeni kayıt`)
    // Progress reached the last record of the write phase.
    expect(await page.locator('[data-testid="import-progress"]').getAttribute('data-phase')).toBe('write')
    expect(await page.locator('[data-testid="import-progress-text"]').textContent()).toBe(`${created} / ${created}`)
    // The records are local changes until the relay has them, then the pending count returns to 0.
    await page.locator('[data-testid="import-pending"]', { hasText: /^0$/ }).waitFor()
    await waitForPending(page, 0)
    await screenshot(page, 'import-done')
    await page.locator('[data-testid="import-close"]').click()
    await page.locator('[data-testid="import-dialog"]').waitFor({ state: 'hidden' })

    await page.locator('[data-testid="tab-employees"]').click()
    await page.locator('[data-testid="record-row"]', { hasText: 'ELİF KOÇ' }).waitFor()
    expect(await page.locator('[data-testid="record-row"]').count()).toBe(8)
    expect(await page.locator('[data-testid="record-row"]', { hasText: 'AYŞE YILMAZ' }).count()).toBe(0)

    const relayCounts = (await relayStatus('istanbul')).counts
    expect(relayCounts.employees).toBe(8)
    expect(relayCounts.timesheets).toBe(179)
    expect(await relayRows('istanbul', 'SELECT DISTINCT updated_by FROM timesheets')).toEqual([['legacy-import:mehmet']])
    expect((await relayStatus('ankara')).counts.employees ?? 0).toBe(0)

    ankara = await openPc(browser, relay.url)
    await signIn(ankara.page, 'ayse', 'ayse-password')
    await ankara.page.locator('[data-testid="region"]').selectOption('istanbul')
    await ankara.page.locator('[data-testid="tab-employees"]').click()
    await ankara.page.locator('[data-testid="record-row"]', { hasText: 'HAKAN ÇELİKKAYA' }).waitFor()
    expect(await ankara.page.locator('[data-testid="record-row"]').count()).toBe(8)
  })

  it('importing the same file again changes nothing', async () => {
    const page = istanbul.page
    const before = await relayStatus('istanbul')
    await pickFile(page, ISTANBUL_FILE)
    const counts = await shownCounts(page)
    for (const [table, c] of Object.entries(counts.istanbul ?? {})) {
      expect(c.created, table).toBe(0)
      expect(c.present + c.skipped, table).toBe(c.read)
    }
    await page.locator('[data-testid="import-nothing-new"]').waitFor()
    await confirmImport(page)
    expect(await page.locator('[data-testid="import-written"]').textContent()).toContain('0 yeni kayıt')
    // Anything written would be pending until the relay stored it; nothing is, so the relay is unchanged.
    expect(await page.locator('[data-testid="import-pending"]').textContent()).toBe('0')
    expect(await relayStatus('istanbul')).toEqual(before)
    // The dialog stays open for the next file.
    await page.locator('[data-testid="import-another"]').click()
    await page.locator('[data-testid="import-file"]').waitFor()
    await page.keyboard.press('Escape')
    await page.locator('[data-testid="import-dialog"]').waitFor({ state: 'hidden' })
    expect(await page.locator('[data-testid="record-row"]').count()).toBe(8)
  })

  it('another İstanbul PC, which never had the region\'s data, imports the same file: read from the relay first, nothing new, nothing changes', async () => {
    const before = await relayStatus('istanbul')
    const other = await openPc(browser, relay.url)
    try {
      const page = other.page
      await signIn(page, 'mehmet', 'mehmet-password')
      // At once: the master data and January 2026 are still on their way from the relay.
      await pickFile(page, ISTANBUL_FILE)
      const counts = await shownCounts(page)
      expect(counts.istanbul).toMatchObject({ employees: { read: 8, created: 0, present: 8 }, timesheets: { read: 179, created: 0, present: 179 } })
      for (const [table, c] of Object.entries(counts.istanbul ?? {})) expect(c.created, table).toBe(0)
      await page.locator('[data-testid="import-nothing-new"]').waitFor()
      await confirmImport(page)
      expect(await page.locator('[data-testid="import-written"]').textContent()).toContain('0 yeni kayıt')
      expect(await page.locator('[data-testid="import-pending"]').textContent()).toBe('0')
      expect(await relayStatus('istanbul')).toEqual(before)
    } finally {
      await other.context.close()
    }
  })

  it('an Ankara editor imports the dirty file: every dirty row accounted for with its legacy id, reasons in Turkish and in English', async () => {
    const page = ankara.page
    await page.locator('[data-testid="region"]').selectOption('ankara')
    await pickFile(page, DIRTY_FILE)
    const expected = await coreDryRun(DIRTY_FILE, 'ankara', 'ayse')
    expect(await shownCounts(page)).toEqual(expected.counts)
    const problems = await shownProblems(page)
    expect(problems).toEqual(problemKeys(expected))
    // expected.json lists timesheets 1–8: the two clean ones (1, 5) are counted, the six others shown.
    const timesheetIds = problems.filter((p) => p.startsWith('timesheets|')).map((p) => Number(p.split('|')[1]))
    expect(timesheetIds).toEqual([2, 3, 4, 6, 7, 8])
    expect(expected.counts.ankara?.timesheets?.read).toBe(8)
    const badTime = page.locator('[data-testid="import-problem"][data-table="timesheets"][data-legacy-id="2"]')
    expect(await badTime.textContent()).toContain('Geçersiz saat')
    expect(await badTime.textContent()).toContain('geçersiz saat start_time = "99:25"; hesaplanamaz')
    expect(await badTime.textContent()).not.toContain('cannot be computed')
    await page.keyboard.press('Escape')
    await page.locator('[data-testid="import-dialog"]').waitFor({ state: 'hidden' })

    await page.locator('[data-testid="lang"]').click()
    try {
      await pickFile(page, DIRTY_FILE)
      expect(await badTime.textContent()).toContain('Invalid time')
      expect(await badTime.textContent()).toContain('invalid time start_time = "99:25"; cannot be computed')
      await confirmImport(page)
      expect(await page.locator('[data-testid="import-written"]').textContent()).toContain(
        `${Object.values(expected.counts.ankara ?? {}).reduce((sum, c) => sum + c.created, 0)} new records`,
      )
      await page.locator('[data-testid="import-close"]').click()
    } finally {
      await page.locator('[data-testid="lang"]').click()
    }
    await waitForPending(page, 0)
    await page.locator('[data-testid="tab-employees"]').click()
    await page.locator('[data-testid="record-row"]', { hasText: 'TEST KİŞİ' }).waitFor()
    // Employees 1 and 2 are one person (merged); 3 is imported with its odd name flagged.
    expect(await page.locator('[data-testid="record-row"]').count()).toBe(2)
    expect((await relayStatus('ankara')).counts.timesheets).toBe(expected.counts.ankara?.timesheets?.created)
  })

  it('a file that is no database: said beside the file input, in the UI language only, the input marked; another file clears it', async () => {
    const page = ankara.page
    await page.locator('[data-testid="open-import"]').click()
    const dialog = page.locator('[data-testid="import-dialog"]')
    await page.locator('[data-testid="import-file"]').setInputFiles({ name: 'puantaj.db', mimeType: 'application/octet-stream', buffer: Buffer.from('bu bir veritabanı değil\n'.repeat(64)) })
    await dialog.locator('[data-testid="import-error"]').waitFor()
    expect(await markedFields(dialog)).toEqual({ file: 'Dosya bir SQLite veritabanı değil veya bozuk' })
    await screenshot(page, 'import-not-a-database')
    await page.locator('[data-testid="import-file"]').setInputFiles(DIRTY_FILE)
    await page.locator('[data-testid="import-stage"][data-stage="preview"]').waitFor()
    expect(await markedFields(dialog)).toEqual({})
    expect(await dialog.locator('[data-testid="import-error"]').count()).toBe(0)
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })
  })

  it("nothing above ran into the relay's Content-Security-Policy", () => {
    // The legacy reader (sql.js's wasm on a picked file) and the dialog: not one refusal.
    expect(allCspViolations()).toEqual([])
  })
})
