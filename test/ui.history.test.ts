/**
 * Old months in the app, in Debian's Chromium against a real relay: a report three years back is
 * read from the rows the PC fetched once after signing in (no month document opened for it), and
 * after an offline reload from the mirror saved in IndexedDB; a month never fetched says so.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import { removeDir, startPeer, type TestPeer } from './helpers/peerEngine.ts'
import { OFFICE_USERS, openPc, screenshot, signIn, type UiRelay, uiSuite } from './helpers/uiBrowser.ts'

let relay: UiRelay
let browser: Browser
const peers: TestPeer[] = []
let ayse: TestPeer
const oldSheets: string[] = []

uiSuite(OFFICE_USERS, (suite) => void ({ relay, browser } = suite))

afterAll(async () => {
  for (const p of peers) await p.close().catch(() => {})
  for (const p of peers) removeDir(p.dir)
})

function tab(page: Page, name: string): Promise<void> {
  return page.locator(`[data-testid="tab-${name}"]`).click()
}

async function showReport(page: Page, month: string): Promise<void> {
  await tab(page, 'reports')
  await page.locator('[data-testid="report-scope"]').selectOption('*')
  await page.locator('[data-testid="report-month"]').fill(month)
}

describe('old months in the app', () => {
  it('a report three years back: rows fetched once after sign-in, then offline from the saved mirror; a month never fetched says so', async () => {
    // Ankara's PC (a Node peer) wrote the old month long ago.
    ayse = await startPeer(relay.url, 'ayse', 'ayse-password', { engine: { regions: ['ankara'] } })
    peers.push(ayse)
    const employee = ayse.engine.insert('employees', { full_name: 'Ayşe Yılmaz' })
    for (const day of ['2023-05-02', '2023-05-03', '2023-05-04']) {
      oldSheets.push(ayse.engine.insert('timesheets', { employee_id: employee, work_date: day, start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0 }))
    }
    await ayse.engine.whenSynced()

    const pc = await openPc(browser, relay.url)
    await signIn(pc.page, 'mehmet', 'mehmet-password')
    await showReport(pc.page, '2023-05')
    await pc.page.locator('[data-testid="report-row-count"]', { hasText: /^3$/ }).waitFor()
    await pc.page.waitForFunction(() => navigator.serviceWorker.controller !== null)
    // What Electron asks before quitting: pending edits and the mirror written to IndexedDB.
    await pc.page.evaluate(() => (document.querySelector('rainstaff-app') as unknown as { flush(): Promise<void> }).flush())

    await pc.context.setOffline(true)
    await pc.page.reload()
    await signIn(pc.page, 'mehmet', 'mehmet-password')
    await pc.page.locator('[data-testid="notice"]').waitFor() // "unlocked offline"
    await showReport(pc.page, '2023-05')
    await pc.page.locator('[data-testid="report-row-count"]', { hasText: /^3$/ }).waitFor()
    const first = pc.page.locator('[data-testid="report-summary"] tbody tr').first()
    expect(await first.locator('td').first().textContent()).toBe('Ayşe Yılmaz')
    await screenshot(pc.page, 'report-old-month-offline')

    await pc.page.locator('[data-testid="report-month"]').fill('2022-01')
    const never = pc.page.locator('[data-testid="report-never-fetched"]')
    await never.waitFor()
    expect(await never.textContent()).toContain('Ankara Ocak 2022')
    // Offline, the browser logs each refused request; nothing else went wrong.
    expect(pc.errors.filter((e) => !e.includes('net::ERR_INTERNET_DISCONNECTED'))).toEqual([])
    await pc.context.close()
  })

  it('a row of an old month shown from held rows is edited in its month, which opens on demand', async () => {
    const pc = await openPc(browser, relay.url)
    await signIn(pc.page, 'ayse', 'ayse-password')
    await tab(pc.page, 'puantaj')
    for (const [field, value] of [['from', '01.05.2023'], ['to', '31.05.2023']] as const) {
      await pc.page.locator(`[data-testid="filter-${field}"]`).fill(value)
      await pc.page.locator(`[data-testid="filter-${field}"]`).press('Tab')
    }
    const row = pc.page.locator('[data-testid="timesheet-row"]', { hasText: '02.05.2023' })
    await row.waitFor()
    await row.locator('button', { hasText: 'Düzenle' }).click()
    await pc.page.locator('[data-testid="entry-notes"]').fill('eski ay düzeltmesi')
    await pc.page.locator('[data-testid="entry-save"]').click()
    // A date three years back asks first (plausibility); the month has opened meanwhile.
    await pc.page.locator('[data-testid="entry-save-anyway"]').click()
    await pc.page.locator('[data-testid="timesheet-row"]', { hasText: 'eski ay düzeltmesi' }).waitFor()
    await pc.page.locator('[data-testid="pending-count"]', { hasText: /^0$/ }).waitFor()
    await expect.poll(() => ayse.engine.record('timesheets', oldSheets[0]!, 'ankara')?.notes, { timeout: 15_000 }).toBe('eski ay düzeltmesi')
    expect(pc.errors).toEqual([])
    await pc.context.close()
  })
})
