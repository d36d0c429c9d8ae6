/**
 * Data entry a clerk can trust, in Debian's Chromium against a real relay: implausible shifts and
 * dates ask ("Yine de kaydet"), a break eating the shift and a bad T.C. kimlik no are refused, a
 * saved row never vanishes from the list, delete is undone from a toast, a read-only region says
 * so in place of the form, duplicate employees warn, and the puantaj list prints without the form.
 */
import type { Browser, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { OFFICE_USERS, openPc, screenshot, signIn, type Pc, type UiRelay, uiSuite } from './helpers/uiBrowser.ts'

let relay: UiRelay
let browser: Browser
let pc: Pc
let today: string

uiSuite(OFFICE_USERS, async (suite) => {
  ;({ relay, browser } = suite)
  pc = await openPc(browser, relay.url)
  await signIn(pc.page, 'ayse', 'ayse-password')
  today = await pc.page.evaluate(() => {
    const now = new Date()
    return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`
  })
})

const tab = (page: Page, name: string): Promise<void> => page.locator(`[data-testid="tab-${name}"]`).click()
const records = (page: Page, text: string): ReturnType<Page['locator']> => page.locator('[data-testid="record-row"]', { hasText: text })
const sheets = (page: Page, text: string): ReturnType<Page['locator']> => page.locator('[data-testid="timesheet-row"]', { hasText: text })
const typed = (iso: string): string => iso.split('-').reverse().join('.')

async function addEmployee(page: Page, name: string, identityNo = ''): Promise<void> {
  const form = page.locator('[data-testid="record-form"]')
  await form.locator('input[name="full_name"]').fill(name)
  await form.locator('input[name="identity_no"]').fill(identityNo)
  await form.locator('button[type="submit"]').click()
}

async function entry(page: Page, e: { date?: string; start: string; end: string; breakMinutes: string }): Promise<void> {
  if (e.date !== undefined) await page.locator('[data-testid="entry-date"]').fill(e.date)
  await page.locator('[data-testid="entry-start_time"]').fill(e.start)
  await page.locator('[data-testid="entry-end_time"]').fill(e.end)
  await page.locator('[data-testid="entry-break_minutes"]').fill(e.breakMinutes)
  await page.locator('[data-testid="entry-save"]').click()
}

describe('data entry a clerk can trust', () => {
  it('employees: a T.C. kimlik no is checked (12ab and a bad checksum refused, 10000000146 accepted); a second "Ayşe Yılmaz" warns and saves after "Yine de kaydet"', async () => {
    const page = pc.page
    await tab(page, 'employees')
    const form = page.locator('[data-testid="record-form"]')
    const idError = form.locator('label', { has: page.locator('input[name="identity_no"]') }).locator('[data-testid="form-error"]')
    await addEmployee(page, 'Can Öz', '12ab')
    await idError.waitFor()
    expect(await idError.textContent()).toBe('T.C. kimlik no: 11 haneli bir sayı olmalı ("12ab")')
    expect(await form.locator('input[name="identity_no"]').getAttribute('aria-invalid')).toBe('true')
    await screenshot(page, 'entry-identity-12ab')
    await addEmployee(page, 'Can Öz', '10000000147')
    await expect.poll(() => idError.textContent()).toMatch(/^T\.C\. kimlik no: kontrol haneleri tutmuyor/)
    expect(await records(page, 'Can Öz').count()).toBe(0)

    await addEmployee(page, 'Ayşe Yılmaz', '10000000146')
    await records(page, 'Ayşe Yılmaz').waitFor()
    expect(await records(page, 'Ayşe Yılmaz').textContent()).toContain('10000000146')

    await addEmployee(page, 'AYŞE  yılmaz')
    const warning = page.locator('[data-testid="form-warning"]')
    await warning.waitFor()
    expect(await warning.textContent()).toBe('Bu adla bir çalışan zaten var: Ayşe Yılmaz')
    expect(await records(page, 'Ayşe Yılmaz').count()).toBe(1)
    await screenshot(page, 'entry-duplicate-name')
    // The same identity no on another name warns too.
    await addEmployee(page, 'Zeynep Kaya', '10000000146')
    await expect.poll(() => warning.allTextContents()).toEqual(['Bu T.C. kimlik no başka bir çalışanda kayıtlı: Ayşe Yılmaz'])
    await form.locator('input[name="identity_no"]').fill('')
    await form.locator('input[name="full_name"]').fill('Ayşe Yılmaz')
    await form.locator('button[type="submit"]').click()
    await warning.waitFor()
    await page.locator('[data-testid="form-save-anyway"]').click()
    await expect.poll(() => page.locator('[data-testid="record-row"]', { hasText: /Ayşe Yılmaz/i }).count()).toBe(2)
    expect(await warning.count()).toBe(0)
  })

  it('employees: delete is at once, and "Geri al" in the toast restores the record', async () => {
    const page = pc.page
    await addEmployee(page, 'Silinecek Kişi')
    await records(page, 'Silinecek Kişi').waitFor()
    await records(page, 'Silinecek Kişi').locator('[data-testid="delete-row"]').click()
    const toast = page.locator('rs-employees [data-testid="undo-toast"]')
    await toast.waitFor()
    expect(await toast.textContent()).toContain('Silindi: Silinecek Kişi')
    await expect.poll(() => records(page, 'Silinecek Kişi').count()).toBe(0)
    await screenshot(page, 'entry-employee-undo')
    await toast.locator('[data-testid="undo"]').click()
    await records(page, 'Silinecek Kişi').waitFor()
    expect(await toast.count()).toBe(0)
  })

  it('puantaj: 17:00→08:00 asks and saves after "Yine de kaydet"; a 600-minute break is refused; 01.01.1900 asks', async () => {
    const page = pc.page
    await tab(page, 'puantaj')
    await page.locator('[data-testid="entry-employee"]').selectOption({ index: 1 })
    await entry(page, { date: typed(today), start: '17:00', end: '08:00', breakMinutes: '0' })
    const warnings = page.locator('[data-testid="entry-warning"]')
    await warnings.waitFor()
    expect(await warnings.textContent()).toContain('08:00→17:00 mi demek istediniz?')
    expect(await sheets(page, '17:00').count()).toBe(0)
    await screenshot(page, 'entry-reversed-asks')
    await page.locator('[data-testid="lang"]').click()
    await expect.poll(() => warnings.textContent()).toContain('Did you mean 08:00→17:00?')
    expect(await page.locator('[data-testid="entry-save-anyway"]').textContent()).toBe('Save anyway')
    await page.locator('[data-testid="lang"]').click()
    expect(await page.locator('[data-testid="entry-save-anyway"]').textContent()).toBe('Yine de kaydet')
    await page.locator('[data-testid="entry-save-anyway"]').click()
    await sheets(page, '17:00').waitFor()
    expect(await sheets(page, '17:00').textContent()).toContain('08:00')
    expect(await warnings.count()).toBe(0)

    await entry(page, { date: typed(today), start: '08:00', end: '17:00', breakMinutes: '600' })
    const breakError = page.locator('label', { has: page.locator('[data-testid="entry-break_minutes"]') }).locator('[data-testid="entry-error"]')
    await breakError.waitFor()
    expect(await breakError.textContent()).toBe('Mola vardiya kadar ya da daha uzun: 600 dakika (çalışılan süre 0 olur)')
    expect(await page.locator('[data-testid="entry-save-anyway"]').count()).toBe(0)
    await screenshot(page, 'entry-break-refused')

    await entry(page, { date: '01.01.1900', start: '08:00', end: '17:00', breakMinutes: '60' })
    await warnings.waitFor()
    expect(await warnings.textContent()).toMatch(/^Tarih bir yıldan eski: 01\.01\.1900/)
    await screenshot(page, 'entry-date-1900-asks')
    await page.locator('[data-testid="entry-fix"]').click()
    expect(await warnings.count()).toBe(0)
    expect(await sheets(page, '1900').count()).toBe(0)
  })

  it('puantaj: a row of last month moves the list to that month; delete + "Geri al" restores it', async () => {
    const page = pc.page
    const [y, m] = today.split('-').map(Number)
    const last = new Date(Date.UTC(y, m - 2, 15)).toISOString().slice(0, 10)
    const monthName = await page.evaluate((iso) => new Intl.DateTimeFormat('tr-TR', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`)), last)
    await entry(page, { date: typed(last), start: '08:00', end: '17:00', breakMinutes: '60' })
    const row = sheets(page, typed(last))
    await row.waitFor()
    expect(await page.locator('[data-testid="filter-from"]').inputValue()).toBe(typed(`${last.slice(0, 7)}-01`))
    expect(await page.locator('[data-testid="entry-notice"]').textContent()).toContain('Liste kaydın ayına geçti')
    expect(await page.locator('[data-testid="entry-notice"]').textContent()).toContain(monthName.split(' ')[0])
    await screenshot(page, 'entry-list-follows-month')

    await row.locator('[data-testid="delete-row"]').click()
    const toast = page.locator('rs-puantaj [data-testid="undo-toast"]')
    await toast.waitFor()
    expect(await toast.textContent()).toContain('Silindi')
    await expect.poll(() => row.count()).toBe(0)
    await screenshot(page, 'entry-puantaj-undo')
    await toast.locator('[data-testid="undo"]').click()
    await row.waitFor()
    expect(await toast.count()).toBe(0)
  })

  it('puantaj prints without the form: print media hides the entry, filters and buttons, the table stays', async () => {
    const page = pc.page
    await page.emulateMedia({ media: 'print' })
    try {
      expect(await page.locator('[data-testid="timesheet-form"]').isVisible()).toBe(false)
      expect(await page.locator('[data-testid="filter-from"]').isVisible()).toBe(false)
      expect(await page.locator('[data-testid="timesheet-grid"]').isVisible()).toBe(true)
      expect(await page.locator('rs-puantaj [data-testid="delete-row"]').first().isVisible()).toBe(false)
      const width = await page.locator('[data-testid="timesheet-grid"]').evaluate((table) => table.getBoundingClientRect().width / window.innerWidth)
      expect(width).toBeGreaterThan(0.9)
      await screenshot(page, 'entry-print')
    } finally {
      await page.emulateMedia({ media: 'screen' })
    }
    expect(await page.locator('[data-testid="timesheet-form"]').isVisible()).toBe(true)
  })

  it('a read-only region shows the notice in place of the form', async () => {
    const page = pc.page
    await page.locator('[data-testid="region"]').selectOption('istanbul')
    const notice = page.locator('rs-puantaj [data-testid="read-only-notice"]')
    await notice.waitFor()
    expect(await notice.textContent()).toBe('İstanbul bölgesi salt okunur: kayıtları görebilir, değiştiremezsiniz')
    expect(await page.locator('[data-testid="timesheet-form"]').count()).toBe(0)
    await screenshot(page, 'entry-read-only')
    await tab(page, 'employees')
    await page.locator('rs-employees [data-testid="read-only-notice"]').waitFor()
    expect(await page.locator('[data-testid="record-form"]').count()).toBe(0)
    await page.locator('[data-testid="lang"]').click()
    await expect.poll(() => page.locator('rs-employees [data-testid="read-only-notice"]').textContent()).toBe('The İstanbul region is read-only: you can see its records but not change them')
    await page.locator('[data-testid="lang"]').click()
    await page.locator('[data-testid="region"]').selectOption('ankara')
  })

  it('logged no page errors', () => {
    expect(pc.errors).toEqual([])
  })
})
