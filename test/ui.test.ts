/**
 * The web app in Debian's Chromium against a real relay: office PCs are browser contexts with
 * their own IndexedDB and network, the admin view is the page the relay serves at /admin.html.
 * Nothing is mocked: offline is Chromium's own network switch (it cuts the relay for that PC
 * only), and the xlsx is opened with exceljs from the file the browser downloaded.
 *
 * The tests run in order and share the PCs: each one starts from what the previous one left.
 */
import { mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import ExcelJS from 'exceljs'
import type { Browser, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { DEFAULT_HOUR_SETTINGS, rowHours } from '../schema/hours.ts'
import { ADMIN_PASSWORD, allCspViolations, DOWNLOADS, OFFICE_USERS, openPc, screenshot, signIn, waitForPending, type Pc, type UiRelay, uiSuite } from './helpers/uiBrowser.ts'

let relay: UiRelay
let browser: Browser
let ankara: Pc
let istanbul: Pc
let admin: Pc
/** `YYYY-MM-DD` of the browser's today (its time zone, not the test runner's). */
let today: string
/** `YYYY-MM` of the browser's today: the puantaj grid and the admin chart open on it. */
let month: string
const day = (d: number): string => `${month}-${String(d).padStart(2, '0')}`
const typed = (iso: string): string => iso.split('-').reverse().join('.')
const addDays = (iso: string, days: number): string => {
  const [y, m, d] = iso.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10)
}

uiSuite(OFFICE_USERS, (suite) => void ({ relay, browser } = suite))

function tab(page: Page, name: string): Promise<void> {
  return page.locator(`[data-testid="tab-${name}"]`).click()
}

/** Types a timesheet into the entry row with the keyboard only: Enter from field to field, saving on the last. */
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
  await page.keyboard.press('Enter') // → special day
  await page.keyboard.press('Enter') // → notes
  if (entry.notes) await page.keyboard.type(entry.notes)
  await page.keyboard.press('Enter') // saves
}

function gridRows(page: Page): ReturnType<Page['locator']> {
  return page.locator('[data-testid="timesheet-row"]')
}

function recordRow(page: Page, text: string): ReturnType<Page['locator']> {
  return page.locator('[data-testid="record-row"]', { hasText: text })
}

describe('the Rainstaff web app', () => {
  it('an Ankara editor enters an employee and a timesheet; İstanbul sees them read-only; the admin view shows them', async () => {
    ankara = await openPc(browser, relay.url)
    await ankara.page.locator('rs-sign-in input[name="username"]').waitFor()
    await screenshot(ankara.page, 'sign-in')
    await signIn(ankara.page, 'ayse', 'ayse-password')
    today = await ankara.page.evaluate(() => {
      const now = new Date()
      return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`
    })
    month = today.slice(0, 7)

    await tab(ankara.page, 'employees')
    const form = ankara.page.locator('[data-testid="record-form"]')
    await form.locator('input[name="full_name"]').fill('Ayşe Yılmaz')
    await form.locator('input[name="department"]').fill('Muhasebe')
    await form.locator('input[name="birth_date"]').press('Enter')
    await recordRow(ankara.page, 'Ayşe Yılmaz').waitFor()
    expect(await recordRow(ankara.page, 'Ayşe Yılmaz').textContent()).toContain('Muhasebe')
    await screenshot(ankara.page, 'employees')

    await tab(ankara.page, 'puantaj')
    await ankara.page.locator('[data-testid="entry-employee"]').selectOption({ label: 'Ayşe Yılmaz' })
    await typeTimesheet(ankara.page, { date: day(2), start: '08:30', end: '17:30', breakMinutes: '60', notes: 'ilk gün' })
    const row = gridRows(ankara.page).filter({ hasText: typed(day(2)) })
    await row.waitFor()
    expect(await row.textContent()).toContain('Ayşe Yılmaz')
    expect(await row.textContent()).toContain('08:30')
    // After saving, the entry row is ready for the next day, with the cursor on the date.
    expect(await ankara.page.locator('[data-testid="entry-date"]').inputValue()).toBe(typed(day(3)))
    expect(await ankara.page.evaluate(() => (document.querySelector('rainstaff-app')?.shadowRoot?.querySelector('rs-puantaj')?.shadowRoot?.activeElement as HTMLInputElement | null)?.name)).toBe('date')
    // Hours as you type: the same day's times give 8 worked hours, written the Turkish way.
    expect(await ankara.page.locator('[data-testid="entry-worked"]').textContent()).toBe('8,00')
    await waitForPending(ankara.page, 0)
    await screenshot(ankara.page, 'puantaj')

    istanbul = await openPc(browser, relay.url)
    await signIn(istanbul.page, 'mehmet', 'mehmet-password')
    await istanbul.page.locator('[data-testid="region"]').selectOption('ankara')
    await gridRows(istanbul.page).filter({ hasText: 'Ayşe Yılmaz' }).waitFor()
    // Read-only: no entry row, no edit or delete on the rows.
    expect(await istanbul.page.locator('[data-testid="timesheet-form"]').count()).toBe(0)
    expect(await istanbul.page.locator('rs-puantaj [data-edit]').count()).toBe(0)
    await tab(istanbul.page, 'employees')
    await recordRow(istanbul.page, 'Ayşe Yılmaz').waitFor()
    expect(await istanbul.page.locator('[data-testid="record-form"]').count()).toBe(0)
    expect(await istanbul.page.locator('rs-employees [data-edit]').count()).toBe(0)
    // The İstanbul editor's own region stays writable.
    await istanbul.page.locator('[data-testid="region"]').selectOption('istanbul')
    await istanbul.page.locator('[data-testid="record-form"]').waitFor()

    admin = await openPc(browser, `${relay.url}/admin.html`)
    await admin.page.locator('rs-sign-in input[name="password"]').fill(ADMIN_PASSWORD)
    await admin.page.locator('rs-sign-in button[type="submit"]').click()
    const ankaraTotals = admin.page.locator('[data-testid="region-row"][data-region="ankara"]')
    await ankaraTotals.locator('[data-testid="timesheets"]', { hasText: /^1$/ }).waitFor()
    expect(await ankaraTotals.locator('[data-testid="employees"]').textContent()).toBe('1')
    await admin.page.locator('[data-testid="recent-entry"]', { hasText: 'Ayşe Yılmaz' }).waitFor()
  })

  it('an offline Ankara PC keeps three timesheets through a reload and sends them when back online', async () => {
    const page = ankara.page
    await tab(page, 'puantaj')
    // The app's own files must be cached before the network goes, as on any office PC that opened it once.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null)
    await ankara.context.setOffline(true)
    await page.locator('[data-testid="connection"][data-online="false"]').waitFor()

    for (const d of [3, 4, 5]) {
      const dateField = page.locator('[data-testid="entry-date"]')
      expect(await dateField.inputValue()).toBe(typed(day(d)))
      await typeTimesheet(page, { date: day(d), start: '08:30', end: '17:30', breakMinutes: '60' })
      await gridRows(page).filter({ hasText: typed(day(d)) }).waitFor()
    }
    await waitForPending(page, 3)
    await screenshot(page, 'puantaj-offline')

    await page.reload()
    await signIn(page, 'ayse', 'ayse-password')
    await page.locator('[data-testid="notice"]').waitFor() // "unlocked offline"
    for (const d of [2, 3, 4, 5]) await gridRows(page).filter({ hasText: typed(day(d)) }).waitFor()
    expect(await gridRows(page).count()).toBe(4)
    await waitForPending(page, 3)
    expect(await page.locator('[data-testid="connection"]').getAttribute('data-online')).toBe('false')
    // The others have not seen them: they exist only on this PC.
    await istanbul.page.locator('[data-testid="region"]').selectOption('ankara')
    await tab(istanbul.page, 'puantaj')
    await gridRows(istanbul.page).first().waitFor()
    expect(await gridRows(istanbul.page).count()).toBe(1)
    expect(await admin.page.locator('[data-testid="region-row"][data-region="ankara"] [data-testid="timesheets"]').textContent()).toBe('1')

    await ankara.context.setOffline(false)
    await waitForPending(page, 0)
    await page.locator('[data-testid="connection"][data-state="synced"]').waitFor()
    await gridRows(istanbul.page).nth(3).waitFor()
    expect(await gridRows(istanbul.page).count()).toBe(4)
    await admin.page.locator('[data-testid="region-row"][data-region="ankara"] [data-testid="timesheets"]', { hasText: /^4$/ }).waitFor()
  })

  it('the admin view has no edit controls, while an editor page has them', async () => {
    await admin.page.locator('[data-testid="admin-dashboard"]').waitFor()
    const editControls = 'input, textarea, select, [contenteditable], [data-edit], form'
    // The dashboard's own panels edit nothing; accounts (the users panel) and the admin's own
    // password are the view's only changes, each in a component of its own (test/ui.accounts.test.ts).
    const dashboard = await admin.page.evaluate((selector) => {
      const root = document.querySelector('rainstaff-admin')?.shadowRoot
      const sections = [...(root?.querySelectorAll('main > section') ?? [])]
      const buttons = [...(root?.querySelectorAll('header button') ?? []), ...sections.flatMap((s) => [...s.querySelectorAll('button')])]
      return { controls: sections.flatMap((s) => [...s.querySelectorAll(selector)]).length, buttons: buttons.map((b) => b.textContent ?? '') }
    }, editControls)
    expect(dashboard.controls).toBe(0)
    const buttons = dashboard.buttons
    expect(buttons.length).toBeGreaterThan(0)
    for (const text of buttons) expect(text.trim()).toMatch(/^(◀|▶|English|Türkçe|Çıkış|Sign out|Parolamı değiştir|Change my password)$/)
    // The same selector finds the editor's controls, so the assertion above can fail.
    expect(await ankara.page.locator(`rainstaff-app ${editControls}`).count()).toBeGreaterThan(0)
    await admin.page.locator('[data-testid="bar-chart"] g[data-label="Ankara"][data-value="32"]').waitFor()
    expect(Number(await admin.page.locator('[data-testid="bar-chart"] g[data-label="İstanbul"]').getAttribute('data-value'))).toBe(0)
    await screenshot(admin.page, 'admin')
  })

  it('the xlsx download opens in exceljs and holds the legacy layout with the month rows; the CSV too', async () => {
    const page = ankara.page
    await tab(page, 'reports')
    await page.locator('[data-testid="report-month"]').fill(month)
    await page.locator('[data-testid="report-row-count"]', { hasText: /^4$/ }).waitFor()
    mkdirSync(DOWNLOADS, { recursive: true })
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="download-xlsx"]').click()])
    const [start, end] = [`${month}-01`, `${month}-${String(new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5)), 0)).getUTCDate())}`]
    expect(download.suggestedFilename()).toBe(`puantaj_raporu_tum_calisanlar_${start}_${end}.xlsx`)
    const file = path.join(DOWNLOADS, download.suggestedFilename())
    await download.saveAs(file)

    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(file)
    const sheet = workbook.getWorksheet('Rainstaff')!
    expect(sheet.getCell('A3').value).toBe(`Tarih Araligi: ${start} - ${end}`)
    expect(sheet.getRow(5).getCell(1).value).toBe('Calisan')
    const rows = [6, 7, 8, 9].map((r) => (sheet.getRow(r).values as unknown[]).slice(1, 8))
    expect(rows).toEqual([2, 3, 4, 5].map((d) => ['Ayşe Yılmaz', 'Ankara', day(d), '08:30', '17:30', 60, 8]))
    expect(sheet.getRow(10).getCell(1).value ?? null).toBeNull()
    const summary = workbook.getWorksheet('Ozet')!
    expect((summary.getRow(2).values as unknown[]).slice(1, 4)).toEqual(['Ayşe Yılmaz', 'Ankara', 32])

    const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="download-csv"]').click()])
    const csvFile = path.join(DOWNLOADS, csv.suggestedFilename())
    await csv.saveAs(csvFile)
    const csvText = readFileSync(csvFile, 'utf8')
    expect(csvText.startsWith('\uFEFF')).toBe(true)
    const lines = csvText.replace(/^\uFEFF/, '').trim().split('\r\n')
    expect(lines).toHaveLength(5)
    const csvDay = (d: number): string => day(d).split('-').reverse().join('.')
    const comma = (n: number): string => String(n).replace('.', ',')
    const h = rowHours({ work_date: day(2), start_time: '08:30', end_time: '17:30', break_minutes: 60, is_special: 0 }, DEFAULT_HOUR_SETTINGS)
    expect(lines[1]).toBe(`Ayşe Yılmaz;Ankara;${csvDay(2)};08:30;17:30;60;8;${comma(h.scheduled)};${comma(h.overtime)};0;0;Hayir;0;0;0;ilk gün`)
    await screenshot(page, 'reports')
  })

  it('vehicles and drivers show the legacy alerts; settings are saved for the region and read-only elsewhere', async () => {
    const page = ankara.page
    await tab(page, 'vehicles')
    const vehicle = page.locator('[data-testid="record-form"]')
    await vehicle.locator('input[name="plate"]').fill('06 ABC 123')
    await vehicle.locator('input[name="km"]').fill('10000')
    await vehicle.locator('input[name="oil_change_km"]').fill('-3000')
    await vehicle.locator('button[type="submit"]').click()
    // A negative kilometre is refused with the schema's bilingual reason, and nothing is written.
    await page.locator('[data-testid="form-error"]').waitFor()
    expect(await page.locator('[data-testid="record-row"]').count()).toBe(0)
    await vehicle.locator('input[name="oil_change_km"]').fill('22500')
    await vehicle.locator('input[name="km"]').fill('35000')
    await vehicle.locator('input[name="inspection_date"]').fill(typed(addDays(today, -3)))
    await vehicle.locator('input[name="insurance_date"]').fill(typed(addDays(today, 200)))
    await vehicle.locator('button[type="submit"]').click()
    // Plates are stored the way the legacy program compared them (upper case, no spaces) and shown grouped.
    const car = recordRow(page, '06 ABC 123')
    await car.waitFor()
    // 14 000 km interval from 22 500: due at 36 500, so 1 500 km left (soon); inspection 3 days late.
    expect(await car.locator('[data-testid="fleet-alert"]').allTextContents()).toEqual(['Yağ değişimine 1.500 km kaldı', 'Muayene 3 gün gecikti'])
    expect(await car.textContent()).toContain(typed(addDays(today, 200)))
    await screenshot(page, 'vehicles')
    // The same plate typed again, nothing else: refused, the record offered, not one field lost.
    await vehicle.locator('input[name="plate"]').fill('06 abc 123')
    await vehicle.locator('button[type="submit"]').click()
    const exists = page.locator('[data-testid="record-exists"]')
    expect(await exists.textContent()).toContain('06 ABC 123 zaten kayıtlı; hiçbir şey değiştirilmedi')
    expect(await car.textContent()).toContain('35.000')
    await screenshot(page, 'vehicle-exists')
    await exists.locator('[data-testid="open-existing"]').click()
    expect(await vehicle.locator('input[name="km"]').inputValue()).toBe('35000')
    await vehicle.locator('input[name="km"]').fill('35500')
    await vehicle.locator('button[type="submit"]').click()
    await expect.poll(async () => car.textContent()).toContain('35.500')
    expect(await car.textContent()).toContain(typed(addDays(today, 200)))

    await tab(page, 'drivers')
    const driver = page.locator('[data-testid="record-form"]')
    await driver.locator('input[name="full_name"]').fill('Ali Veli')
    await driver.locator('input[name="license_class"]').fill('B')
    await driver.locator('input[name="license_expiry"]').fill(typed(addDays(today, 10)))
    await driver.locator('button[type="submit"]').click()
    await recordRow(page, 'Ali Veli').waitFor()
    expect(await recordRow(page, 'Ali Veli').locator('[data-testid="fleet-alert"]').allTextContents()).toEqual(['Ehliyetin bitmesine 10 gün kaldı'])
    await screenshot(page, 'drivers')

    await tab(page, 'settings')
    const settings = page.locator('[data-testid="settings-form"]')
    await settings.locator('input[name="saturday_end"]').fill('25:00')
    await settings.locator('button[type="submit"]').click()
    expect(await page.locator('[data-testid="settings-error"]').textContent()).toContain('SS:DD')
    await settings.locator('input[name="saturday_end"]').fill('')
    await settings.locator('input[name="company_name"]').fill('RAINWATER')
    await settings.locator('button[type="submit"]').click()
    await page.locator('rs-settings .ok').waitFor()
    // A setting saved again changes the record in place (its key is its identity).
    await settings.locator('input[name="company_name"]').fill('RAINWATER ANKARA')
    await settings.locator('button[type="submit"]').click()
    await expect.poll(async () => settings.locator('input[name="company_name"]').inputValue()).toBe('RAINWATER ANKARA')
    expect(await page.locator('[data-testid="settings-error"]').count()).toBe(0)
    const template = page.locator('rs-settings [data-testid="record-form"]')
    await template.locator('input[name="name"]').fill('Gece')
    await template.locator('input[name="start_time"]').fill('22:00')
    await template.locator('input[name="end_time"]').fill('06:00')
    await template.locator('input[name="break_minutes"]').fill('30')
    await template.locator('button[type="submit"]').click()
    await recordRow(page, 'Gece').waitFor()
    await screenshot(page, 'settings')

    // The template fills the entry row, and the overnight shift's hours are shown before saving.
    await tab(page, 'puantaj')
    await page.locator('[data-testid="entry-template"]').selectOption({ label: 'Gece (22:00–06:00)' })
    expect(await page.locator('[data-testid="entry-start_time"]').inputValue()).toBe('22:00')
    expect(await page.locator('[data-testid="entry-end_time"]').inputValue()).toBe('06:00')
    const date = (await page.locator('[data-testid="entry-date"]').inputValue()).split('.').reverse().join('-')
    const night = rowHours({ work_date: date, start_time: '22:00', end_time: '06:00', break_minutes: 30, is_special: 0 }, DEFAULT_HOUR_SETTINGS)
    const tr = (n: number): string => n.toFixed(2).replace('.', ',')
    expect(night.worked).toBe(7.5)
    for (const k of ['worked', 'night', 'overnight'] as const) expect(await page.locator(`[data-testid="entry-${k}"]`).textContent(), k).toBe(tr(night[k]))
    expect(night.overnight).toBeGreaterThan(0)
    // The report heading carries the region's company name at once.
    await tab(page, 'reports')
    expect(await page.locator('rs-reports h3').first().textContent()).toContain('RAINWATER ANKARA')

    await tab(istanbul.page, 'settings')
    const seen = istanbul.page.locator('[data-testid="settings-form"] input[name="company_name"]')
    await expect.poll(() => seen.inputValue()).toBe('RAINWATER ANKARA')
    expect(await seen.getAttribute('readonly')).not.toBeNull()
    expect(await istanbul.page.locator('rs-settings [data-testid="settings-form"] button[type="submit"]').count()).toBe(0)
  })

  it('conflicts: a likely duplicate timesheet and a field edited on two PCs at once, both shown and resolved', async () => {
    const page = ankara.page
    await tab(page, 'conflicts')
    await page.locator('[data-testid="no-duplicates"]').waitFor()
    await page.locator('[data-testid="no-field-conflicts"]').waitFor()

    // A second Ankara PC of the same editor, entering the same day again with overlapping times.
    const second = await openPc(browser, relay.url)
    try {
      await signIn(second.page, 'ayse', 'ayse-password')
      await second.page.locator('[data-testid="entry-employee"]').selectOption({ label: 'Ayşe Yılmaz' })
      await typeTimesheet(second.page, { date: day(2), start: '09:00', end: '12:00', breakMinutes: '0', notes: 'ikinci PC' })
      await page.locator('[data-testid="conflict-count"]', { hasText: /^1$/ }).waitFor()
      const pair = page.locator('[data-testid="duplicate-pair"]')
      await pair.waitFor()
      expect(await pair.textContent()).toContain('08:30–17:30')
      expect(await pair.textContent()).toContain('09:00–12:00')
      // The status bar names the other PC of the region that is online.
      await page.locator('[data-testid="peers"]', { hasText: '(ayse)' }).waitFor()

      // Both PCs change the employee's title while cut off from each other.
      await ankara.context.setOffline(true)
      await second.context.setOffline(true)
      await page.locator('[data-testid="connection"][data-online="false"]').waitFor()
      await second.page.locator('[data-testid="connection"][data-online="false"]').waitFor()
      for (const [pc, title] of [
        [page, 'Usta'],
        [second.page, 'Şef'],
      ] as const) {
        await tab(pc, 'employees')
        await recordRow(pc, 'Ayşe Yılmaz').locator('[data-edit]', { hasText: 'Düzenle' }).click()
        await pc.locator('[data-testid="record-form"] input[name="title"]').fill(title)
        await pc.locator('[data-testid="record-form"] button[type="submit"]').click()
        await recordRow(pc, title).waitFor()
      }
      await ankara.context.setOffline(false)
      await second.context.setOffline(false)
      await waitForPending(page, 0)
      await waitForPending(second.page, 0)

      await tab(page, 'conflicts')
      const conflict = page.locator('[data-testid="field-conflict"]')
      await conflict.waitFor()
      const shown = await conflict.textContent()
      expect(shown).toContain('Usta')
      expect(shown).toContain('Şef')
      expect(await page.locator('[data-testid="conflict-count"]').textContent()).toBe('2')
      await screenshot(page, 'conflicts')

      // Keep the first PC's 08:30–17:30 row; the second PC's entry is deleted (restorable).
      const keep = pair.locator('[data-testid="keep-this"]')
      const keepFirst = (await pair.locator('td').nth(1).textContent())?.includes('08:30') ? keep.nth(0) : keep.nth(1)
      await keepFirst.click()
      await page.locator('[data-testid="no-duplicates"]').waitFor()
      // Take the value that lost, whichever PC's it was.
      await conflict.locator('[data-testid="take-other"]').click()
      await page.locator('[data-testid="no-field-conflicts"]').waitFor()
      expect(await page.locator('[data-testid="conflict-count"]').count()).toBe(0)
      await waitForPending(page, 0)
      await tab(second.page, 'conflicts')
      await second.page.locator('[data-testid="no-field-conflicts"]').waitFor()
      await second.page.locator('[data-testid="no-duplicates"]').waitFor()
      await tab(page, 'puantaj')
      await expect.poll(() => gridRows(page).count()).toBe(4)
      await tab(istanbul.page, 'puantaj')
      await expect.poll(() => gridRows(istanbul.page).count()).toBe(4)
    } finally {
      await second.context.close()
    }
  })

  it('the language switch turns the app English, with English dates and numbers', async () => {
    const page = ankara.page
    await page.locator('[data-testid="lang"]').click()
    expect(await page.locator('[data-testid="tab-puantaj"]').textContent()).toContain('Timesheets')
    expect(await gridRows(page).filter({ hasText: day(2).split('-').reverse().join('/') }).count()).toBe(1)
    expect(await page.locator('[data-testid="total-worked"]').textContent()).toBe('32.00')
    await page.locator('[data-testid="lang"]').click()
    expect(await page.locator('[data-testid="total-worked"]').textContent()).toBe('32,00')
  })

  it("nothing above ran into the relay's Content-Security-Policy", () => {
    // Every PC, every screen, the xlsx and CSV downloads, offline and back: not one refusal.
    expect(allCspViolations()).toEqual([])
  })
})
