/**
 * Turkish data entry in Debian's Chromium against a real relay: tr-TR numbers, loose times,
 * calendar-checked dates, Turkish-aware search, grouped plates, and refusals a clerk reads in one
 * language, next to the field, the field marked.
 */
import type { Browser, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { OFFICE_USERS, openPc, screenshot, signIn, type Pc, type UiRelay, uiSuite } from './helpers/uiBrowser.ts'

let relay: UiRelay
let browser: Browser
let pc: Pc

uiSuite(OFFICE_USERS, async (suite) => {
  ;({ relay, browser } = suite)
  pc = await openPc(browser, relay.url)
  await signIn(pc.page, 'ayse', 'ayse-password')
})

const tab = (page: Page, name: string): Promise<void> => page.locator(`[data-testid="tab-${name}"]`).click()
const rows = (page: Page, text?: string): ReturnType<Page['locator']> => page.locator('[data-testid="record-row"]', text === undefined ? {} : { hasText: text })

describe('Turkish data entry a clerk can trust', () => {
  it('employees: an empty name is refused in the field\'s words, next to it, in one language; search folds Turkish letters', async () => {
    const page = pc.page
    await tab(page, 'employees')
    const form = page.locator('[data-testid="record-form"]')
    await form.locator('input[name="department"]').fill('Muhasebe')
    await form.locator('button[type="submit"]').click()
    const name = form.locator('input[name="full_name"]')
    const error = form.locator('label', { has: page.locator('input[name="full_name"]') }).locator('[data-testid="form-error"]')
    await error.waitFor()
    expect(await error.textContent()).toBe('Ad soyad boş olamaz')
    expect(await name.getAttribute('aria-invalid')).toBe('true')
    expect(await name.getAttribute('class')).toContain('invalid')
    expect(await form.locator('input[name="department"]').getAttribute('aria-invalid')).toBe('false')
    await screenshot(page, 'turkish-employee-required')
    await page.locator('[data-testid="lang"]').click()
    await expect.poll(() => error.textContent()).toBe('Full name cannot be empty')
    await screenshot(page, 'turkish-employee-required-en')
    await page.locator('[data-testid="lang"]').click()
    await expect.poll(() => error.textContent()).toBe('Ad soyad boş olamaz')

    await name.fill('Ayşe Yılmaz')
    await form.locator('button[type="submit"]').click()
    await rows(page, 'Ayşe Yılmaz').waitFor()
    expect(await name.getAttribute('aria-invalid')).toBe('false')
    await name.fill('İbrahim Çelik')
    await form.locator('button[type="submit"]').click()
    await rows(page, 'İbrahim Çelik').waitFor()

    const search = page.locator('rs-record-editor input[type="search"]')
    await search.fill('ayse')
    await expect.poll(() => rows(page).allTextContents()).toHaveLength(1)
    expect(await rows(page).first().textContent()).toContain('Ayşe Yılmaz')
    await screenshot(page, 'turkish-search-ayse')
    for (const needle of ['IBRAHIM', 'ibrahim', 'celik']) {
      await search.fill(needle)
      await expect.poll(() => rows(page).allTextContents()).toHaveLength(1)
      expect(await rows(page).first().textContent()).toContain('İbrahim Çelik')
    }
    await search.fill('')
  })

  it('vehicles: km typed 152.000 is stored as 152000 and shown 152.000; 1.5 is refused as ambiguous; the plate is shown 06 ABC 123', async () => {
    const page = pc.page
    await tab(page, 'vehicles')
    const form = page.locator('[data-testid="record-form"]')
    await form.locator('input[name="plate"]').fill('06abc123')
    const km = form.locator('input[name="km"]')
    await km.fill('1.5')
    await form.locator('button[type="submit"]').click()
    const error = form.locator('label', { has: page.locator('input[name="km"]') }).locator('[data-testid="form-error"]')
    await error.waitFor()
    expect(await error.textContent()).toMatch(/^Km: "1\.5" belirsiz/)
    expect(await km.getAttribute('aria-invalid')).toBe('true')
    expect(await rows(page).count()).toBe(0)
    await screenshot(page, 'turkish-km-ambiguous')

    await km.fill('152.000')
    await form.locator('button[type="submit"]').click()
    const car = rows(page, '06 ABC 123')
    await car.waitFor()
    expect(await car.textContent()).toContain('152.000')
    await screenshot(page, 'turkish-vehicle-plate')
    // The stored number is 152000: the edit form shows the record's value as stored.
    await car.locator('button', { hasText: 'Düzenle' }).click()
    expect(await km.inputValue()).toBe('152000')
    await page.keyboard.press('Escape')
  })

  it('puantaj: 30.02.2026 is refused with the calendar message next to the date; 1730 is saved as 17:30', async () => {
    const page = pc.page
    await tab(page, 'puantaj')
    await page.locator('[data-testid="entry-employee"]').selectOption({ label: 'Ayşe Yılmaz' })
    const date = page.locator('[data-testid="entry-date"]')
    await date.fill('30.02.2026')
    await page.locator('[data-testid="entry-start_time"]').fill('8')
    await page.locator('[data-testid="entry-end_time"]').fill('1730')
    await page.locator('[data-testid="entry-break_minutes"]').fill('30')
    await page.locator('[data-testid="entry-save"]').click()
    const error = page.locator('label', { has: page.locator('[data-testid="entry-date"]') }).locator('[data-testid="entry-error"]')
    await error.waitFor()
    expect(await error.textContent()).toBe("Tarih: Şubat 2026'da 30 gün yok (son gün 28)")
    expect(await date.getAttribute('aria-invalid')).toBe('true')
    expect(await date.getAttribute('class')).toContain('invalid')
    expect(await page.locator('[data-testid="timesheet-row"]').count()).toBe(0)
    await screenshot(page, 'turkish-date-calendar')
    await page.locator('[data-testid="lang"]').click()
    await expect.poll(() => error.textContent()).toBe('Date: February 2026 has no day 30 (its last day is the 28th)')
    await page.locator('[data-testid="lang"]').click()

    await date.fill('02.03.2026')
    await page.locator('[data-testid="filter-from"]').fill('01.03.2026')
    await page.locator('[data-testid="filter-from"]').dispatchEvent('change')
    await page.locator('[data-testid="filter-to"]').fill('31.03.2026')
    await page.locator('[data-testid="filter-to"]').dispatchEvent('change')
    await page.locator('[data-testid="entry-save"]').click()
    const row = page.locator('[data-testid="timesheet-row"]', { hasText: '02.03.2026' })
    await row.waitFor()
    expect(await row.textContent()).toContain('08:00')
    expect(await row.textContent()).toContain('17:30')
    expect(await date.getAttribute('aria-invalid')).toBe('false')
    await screenshot(page, 'turkish-puantaj-saved')

    // A wrong filter date says what is wrong too, and marks its field.
    const to = page.locator('[data-testid="filter-to"]')
    await to.fill('31.04.2026')
    await to.dispatchEvent('change')
    await expect.poll(() => page.locator('rs-puantaj p.error').first().textContent()).toBe("Nisan 2026'da 31 gün yok (son gün 30)")
    expect(await to.getAttribute('aria-invalid')).toBe('true')
  })

  it('logged no page errors', () => {
    expect(pc.errors).toEqual([])
  })
})
