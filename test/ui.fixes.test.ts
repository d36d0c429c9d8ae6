/**
 * "Data entry a clerk can trust", item 5, in Debian's Chromium against a real relay: the CSV in
 * Turkish Excel's dialect read back, region names in reports, the admin view on the latest month
 * with data, the offline status text, the remembered session (reload online keeps it, sign-out
 * clears it, an offline reload says the relay cannot be reached), conflicts named as people know
 * the record, and long text at 1024 px. The tests run in order and share the PCs.
 */
import { mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { parseCsv } from '../client/reportCsv.ts'
import { ADMIN_PASSWORD, DOWNLOADS, OFFICE_USERS, openPc, screenshot, signIn, waitForPending, type Pc, type UiRelay, uiSuite } from './helpers/uiBrowser.ts'

let relay: UiRelay
let browser: Browser
let ankara: Pc
/** Next month: the latest month with data, not the current one. */
let month: string
const day = (d: number): string => `${month}-${String(d).padStart(2, '0')}`
const typed = (iso: string): string => iso.split('-').reverse().join('.')

uiSuite(OFFICE_USERS, (suite) => void ({ relay, browser } = suite))

function tab(page: Page, name: string): Promise<void> {
  return page.locator(`[data-testid="tab-${name}"]`).click()
}

async function typeTimesheet(page: Page, entry: { date: string; start: string; end: string; breakMinutes: string; notes?: string }): Promise<void> {
  const date = page.locator('[data-testid="entry-date"]')
  await date.focus()
  await date.fill(typed(entry.date))
  await page.keyboard.press('Enter')
  await page.keyboard.type(entry.start)
  await page.keyboard.press('Enter')
  await page.keyboard.type(entry.end)
  await page.keyboard.press('Enter')
  await page.keyboard.press('ControlOrMeta+A')
  await page.keyboard.type(entry.breakMinutes)
  await page.keyboard.press('Enter')
  await page.keyboard.press('Enter')
  if (entry.notes) await page.keyboard.type(entry.notes)
  await page.keyboard.press('Enter')
}

const pageWidth = (page: Page): Promise<number> => page.evaluate(() => document.documentElement.scrollWidth)

describe('data entry a clerk can trust (item 5)', () => {
  it('a report in the latest month: "Ankara" in the summary, the CSV read back with BOM and ";"; the admin view opens on that month', async () => {
    ankara = await openPc(browser, relay.url)
    await signIn(ankara.page, 'ayse', 'ayse-password')
    month = await ankara.page.evaluate(() => {
      const now = new Date()
      const next = new Date(now.getFullYear(), now.getMonth() + 1, 1)
      return `${next.getFullYear()}-${String(next.getMonth() + 1).padStart(2, '0')}`
    })
    await tab(ankara.page, 'employees')
    const form = ankara.page.locator('[data-testid="record-form"]')
    await form.locator('input[name="full_name"]').fill('Ayşe Yılmaz')
    await form.locator('input[name="birth_date"]').press('Enter')
    await ankara.page.locator('[data-testid="record-row"]', { hasText: 'Ayşe Yılmaz' }).waitFor()
    await tab(ankara.page, 'puantaj')
    await ankara.page.locator('[data-testid="entry-employee"]').selectOption({ label: 'Ayşe Yılmaz' })
    await typeTimesheet(ankara.page, { date: day(2), start: '08:30', end: '17:15', breakMinutes: '60', notes: 'not; "tırnak"' })
    await waitForPending(ankara.page, 0)

    await tab(ankara.page, 'reports')
    await ankara.page.locator('[data-testid="report-month"]').fill(month)
    await ankara.page.locator('[data-testid="report-row-count"]', { hasText: /^1$/ }).waitFor()
    const summaryRow = ankara.page.locator('[data-testid="report-summary"] tbody tr').first()
    expect(await summaryRow.locator('td').nth(1).textContent()).toBe('Ankara')
    mkdirSync(DOWNLOADS, { recursive: true })
    const [csv] = await Promise.all([ankara.page.waitForEvent('download'), ankara.page.locator('[data-testid="download-csv"]').click()])
    const file = path.join(DOWNLOADS, `fixes-${csv.suggestedFilename()}`)
    await csv.saveAs(file)
    const text = readFileSync(file, 'utf8')
    expect(text.startsWith('\uFEFF')).toBe(true)
    expect(text.split('\r\n')[0]).toContain('Calisan;Bolge;Tarih')
    const rows = parseCsv(text)
    expect(rows).toHaveLength(2)
    expect(rows[1]!.slice(0, 7)).toEqual(['Ayşe Yılmaz', 'Ankara', typed(day(2)), '08:30', '17:15', '60', '7,75'])
    expect(rows[1]![15]).toBe('not; "tırnak"')
    await screenshot(ankara.page, 'fixes-report-ankara')

    const admin = await openPc(browser, `${relay.url}/admin.html`)
    try {
      await admin.page.locator('rs-sign-in input[name="password"]').fill(ADMIN_PASSWORD)
      await admin.page.locator('rs-sign-in button[type="submit"]').click()
      await admin.page.locator(`[data-testid="chart-month"][data-month="${month}"]`).waitFor()
      await admin.page.locator('[data-testid="bar-chart"] g[data-label="Ankara"][data-value="7.75"]').waitFor()
      await screenshot(admin.page, 'fixes-admin-latest-month')
    } finally {
      await admin.context.close()
    }
  })

  it('offline, the status bar says changes stay on this PC, not who is online in the region', async () => {
    const page = ankara.page
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null)
    await ankara.context.setOffline(true)
    await page.locator('[data-testid="connection"][data-online="false"]').waitFor()
    await page.locator('[data-testid="offline-note"]', { hasText: 'Çevrimdışı — değişiklikler bu bilgisayarda saklanıyor' }).waitFor()
    expect(await page.locator('rs-status-bar').textContent()).not.toContain('Bölgede çevrimiçi')
    await screenshot(page, 'fixes-offline-status')
  })

  it('an offline reload says the server cannot be reached; a reload online keeps the session; sign-out clears it', async () => {
    const page = ankara.page
    await page.reload()
    await page.locator('[data-testid="sign-in-unreachable"]', { hasText: 'Sunucuya ulaşılamıyor: bu bilgisayarda çevrimdışı açmak için parolanızı girin' }).waitFor()
    await screenshot(page, 'fixes-offline-unlock')

    await ankara.context.setOffline(false)
    await page.reload()
    await page.locator('[data-testid="connection"][data-state="synced"]').waitFor()
    expect(await page.locator('rs-sign-in').count()).toBe(0)
    // The remembered token is in the device account, with its expiry.
    const stored = await page.evaluate(() => localStorage.getItem('rainstaff.session'))
    const until = (JSON.parse(stored ?? '{}') as { until?: number }).until ?? 0
    expect(until - Date.now()).toBeGreaterThan(9 * 3600 * 1000)
    expect(until - Date.now()).toBeLessThanOrEqual(10 * 3600 * 1000)
    await screenshot(page, 'fixes-reload-kept')

    await page.locator('rainstaff-app header button', { hasText: /^(Çıkış|Sign out)$/ }).click()
    await page.locator('rs-sign-in input[name="password"]').waitFor()
    expect(await page.evaluate(() => localStorage.getItem('rainstaff.session'))).toBeNull()
    await page.reload()
    await page.locator('rs-sign-in input[name="password"]').waitFor()
    expect(await page.locator('[data-testid="sign-in-unreachable"]').count()).toBe(0)
    expect(await page.locator('rs-status-bar').count()).toBe(0)
    await signIn(page, 'ayse', 'ayse-password')
  })

  it('a long note (4,000 characters, the schema maximum) and a 200-character name do not widen the page at 1024 px', async () => {
    const page = ankara.page
    await page.setViewportSize({ width: 1024, height: 800 })
    const longName = `Ayşe ${'Uzunisimoğlu '.repeat(14)}Yılmaz`.slice(0, 200)
    const note = 'Çok uzun not '.repeat(400).slice(0, 4000)
    await tab(page, 'employees')
    const form = page.locator('[data-testid="record-form"]')
    await form.locator('input[name="full_name"]').fill(longName)
    await form.locator('input[name="department"]').fill('Muhasebe')
    await form.locator('input[name="birth_date"]').press('Enter')
    await page.locator('[data-testid="record-row"]', { hasText: 'Uzunisimoğlu' }).waitFor()
    expect(await pageWidth(page)).toBeLessThanOrEqual(1024)
    await screenshot(page, 'fixes-long-employee')

    await tab(page, 'drivers')
    const driver = page.locator('[data-testid="record-form"]')
    await driver.locator('[name="full_name"]').fill(longName)
    await driver.locator('[name="notes"]').fill(note)
    await driver.locator('button[type="submit"]').click()
    await page.locator('[data-testid="record-row"]', { hasText: 'Uzunisimoğlu' }).waitFor()
    await waitForPending(page, 0)
    expect(await pageWidth(page)).toBeLessThanOrEqual(1024)
    await screenshot(page, 'fixes-long-driver')

    await tab(page, 'puantaj')
    expect(await pageWidth(page)).toBeLessThanOrEqual(1024)
    await screenshot(page, 'fixes-long-puantaj')
    await tab(page, 'reports')
    expect(await pageWidth(page)).toBeLessThanOrEqual(1024)
    await screenshot(page, 'fixes-long-reports')
  })

  it('asks the browser to keep its storage, and says so on screen when the browser refuses', async () => {
    for (const granted of [false, true]) {
      const context = await browser.newContext({ locale: 'tr-TR', timezoneId: 'Europe/Istanbul' })
      // The browser's answer is the browser's: here it is made to refuse once and grant once.
      await context.addInitScript((answer: boolean) => {
        const storage = navigator.storage
        Object.defineProperty(storage, 'persisted', { value: async () => false })
        Object.defineProperty(storage, 'persist', { value: async () => answer })
      }, granted)
      const page = await context.newPage()
      await page.goto(relay.url)
      await signIn(page, 'ayse', OFFICE_USERS[0].password)
      const warning = page.locator('[data-testid="storage-warning"]')
      if (granted) {
        await page.locator('[data-testid="tab-puantaj"]').waitFor()
        expect(await warning.count()).toBe(0)
      } else {
        await warning.waitFor()
        expect(await warning.textContent()).toMatch(/kalıcı tutmayı kabul etmedi/)
        await screenshot(page, 'fixes-storage-not-persisted')
      }
      await context.close()
    }
  })
})
