/**
 * The week grid (Haftalık) in Debian's Chromium against a real relay: keyboard entry ("8-17", a
 * template's name, "8-17/30", arrows, Tab, Enter), a refusal beside its cell, delete by emptying
 * after a question, the totals, "Geçen haftayı kopyala", a template on a selection, holidays as
 * special days (grid and one-row form), and a read-only region. The tests run in order and share
 * one PC.
 */
import type { Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { addDays } from '../client/ui/calendar.ts'
import { officialHolidays } from '../schema/holidays.ts'
import { specialByDefault } from '../schema/shiftEntry.ts'
import { OFFICE_USERS, openPc, screenshot, signIn, waitForPending, type Pc, type UiRelay, uiSuite } from './helpers/uiBrowser.ts'

let pc: Pc
let page: Page
let relay: UiRelay
let browser: Browser

uiSuite(OFFICE_USERS, async (suite) => {
  ;({ relay, browser } = suite)
  pc = await openPc(browser, relay.url)
  page = pc.page
  await signIn(page, 'ayse', 'ayse-password')
})

const tab = (name: string): Promise<void> => page.locator(`[data-testid="tab-${name}"]`).click()
const cell = (row: number, col: number): Locator => page.locator(`rs-week-grid input[data-testid="week-cell"][data-row="${row}"][data-col="${col}"]`)
const hours = (row: number, col: number): Locator => cell(row, col).locator('xpath=..').locator('[data-testid="cell-hours"]')
const weekTotal = (row: number): Locator => page.locator('rs-week-grid [data-testid="week-total"]').nth(row)
const focused = (): Promise<string> =>
  page.evaluate(() => {
    const grid = document.querySelector('rainstaff-app')?.shadowRoot?.querySelector('rs-week-grid')
    const active = grid?.shadowRoot?.activeElement as HTMLElement | null | undefined
    return active?.dataset.row === undefined ? String(active?.dataset.testid) : `${active.dataset.row},${active.dataset.col}`
  })
const weekDates = (): Promise<string[]> => page.locator('rs-week-grid [data-testid="week-day"]').evaluateAll((ths) => ths.map((th) => th.getAttribute('data-date') ?? ''))
const typedDate = (iso: string): string => iso.split('-').reverse().join('.')

async function addEmployee(name: string): Promise<void> {
  const form = page.locator('rs-employees [data-testid="record-form"]')
  await form.locator('input[name="full_name"]').fill(name)
  await form.locator('button[type="submit"]').click()
  await page.locator('[data-testid="record-row"]', { hasText: name }).waitFor()
}

describe('the week grid', () => {
  it('by keyboard: "8-17" + Enter, a template + Tab, "8-17/30" + ↑, arrows; hours and totals follow', async () => {
    await tab('employees')
    for (const name of ['Bora Kaya', 'Ayşe Yılmaz', 'Cem Demir']) await addEmployee(name)
    await tab('settings')
    const template = page.locator('rs-settings [data-testid="record-form"]')
    await template.locator('input[name="name"]').fill('Sabah')
    await template.locator('input[name="start_time"]').fill('08:00')
    await template.locator('input[name="end_time"]').fill('16:00')
    await template.locator('input[name="break_minutes"]').fill('45')
    await template.locator('button[type="submit"]').click()
    await page.locator('rs-settings [data-testid="record-row"]', { hasText: 'Sabah' }).waitFor()

    await tab('week')
    await expect.poll(() => page.locator('rs-week-grid [data-testid="week-row-header"]').allTextContents()).toEqual(['Ayşe Yılmaz', 'Bora Kaya', 'Cem Demir'])
    await cell(0, 0).click()
    await page.keyboard.type('8-17')
    await page.keyboard.press('Enter')
    await expect.poll(() => cell(0, 0).inputValue()).toBe('08:00-17:00')
    expect(await hours(0, 0).textContent()).toBe('8,00')
    expect(await focused()).toBe('1,0')
    await page.keyboard.type('sabah')
    await page.keyboard.press('Tab')
    await expect.poll(() => cell(1, 0).inputValue()).toBe('08:00-16:00/45')
    expect(await hours(1, 0).textContent()).toBe('7,25')
    expect(await focused()).toBe('1,1')
    await page.keyboard.type('8-17/30')
    await page.keyboard.press('ArrowUp')
    await expect.poll(() => cell(1, 1).inputValue()).toBe('08:00-17:00/30')
    expect(await focused()).toBe('0,1')
    // An empty cell's arrows leave at once; with text typed, ← first moves the caret.
    await page.keyboard.press('ArrowRight')
    expect(await focused()).toBe('0,2')
    await page.keyboard.type('22-6')
    await page.keyboard.press('ArrowLeft')
    expect(await focused()).toBe('0,2')
    await page.keyboard.press('ArrowDown')
    await expect.poll(() => cell(0, 2).inputValue()).toBe('22:00-06:00')
    expect(await focused()).toBe('1,2')

    await expect.poll(() => weekTotal(0).textContent()).toBe('15,00')
    expect(await weekTotal(1).textContent()).toBe('15,75')
    expect(await page.locator('rs-week-grid [data-testid="day-total"]').allTextContents()).toEqual(['15,25', '8,50', '7,00', '0,00', '0,00', '0,00', '0,00'])
    expect(await page.locator('rs-week-grid [data-testid="office-total"]').textContent()).toBe('30,75')
    await screenshot(page, 'week-entry')
  })

  it('a cell it cannot read is refused beside the cell in the user’s language, and nothing is written', async () => {
    await cell(2, 0).click()
    await page.keyboard.type('öğle')
    await page.keyboard.press('Enter')
    const error = page.locator('rs-week-grid [data-testid="cell-error"]')
    await error.waitFor()
    expect(await error.textContent()).toBe('"öğle" okunamadı: "8-17", "08:30-17:30", "8-17/45" ya da bir vardiya şablonunun adını yazın (Sabah)')
    expect(await cell(2, 0).getAttribute('aria-invalid')).toBe('true')
    expect(await focused()).toBe('2,0')
    // Alt+3 would leave the screen: the refused text keeps the clerk here instead of vanishing.
    await page.keyboard.press('Alt+3')
    expect(await page.locator('[data-testid="tab-week"]').getAttribute('aria-current')).toBe('page')
    expect(await error.count()).toBe(1)
    await page.locator('[data-testid="lang"]').click()
    await expect.poll(() => error.textContent()).toMatch(/^"öğle" cannot be read: type "8-17"/)
    await page.locator('[data-testid="lang"]').click()
    await screenshot(page, 'week-refused')
    await cell(2, 0).press('Escape')
    await expect.poll(() => error.count()).toBe(0)
    expect(await cell(2, 0).inputValue()).toBe('')
    expect(await page.locator('rs-week-grid [data-testid="office-total"]').textContent()).toBe('30,75')
  })

  it('a shift that looks reversed asks beside the cell first: "Düzelt" goes back to it, "Yine de kaydet" saves it', async () => {
    await cell(2, 2).click()
    await page.keyboard.type('17-8')
    await page.keyboard.press('Enter')
    const question = page.locator('rs-week-grid [data-testid="cell-question"]')
    await question.waitFor()
    expect(await question.locator('[data-testid="cell-warning"]').textContent()).toContain('08:00→17:00 mi demek istediniz?')
    expect(await focused()).toBe('cell-confirm')
    await screenshot(page, 'week-asks')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Enter')
    await expect.poll(() => question.count()).toBe(0)
    expect(await focused()).toBe('2,2')
    expect(await cell(2, 2).inputValue()).toBe('17-8')
    await page.keyboard.press('Enter')
    await question.waitFor()
    await page.keyboard.press('Enter')
    await expect.poll(() => cell(2, 2).inputValue()).toBe('17:00-08:00')
    expect(await hours(2, 2).textContent()).toBe('14,00')
    expect(await page.locator('rs-week-grid [data-testid="office-total"]').textContent()).toBe('44,75')
  })

  it('an emptied cell is deleted after a question; "Vazgeç" puts the shift back', async () => {
    await cell(1, 1).click()
    await page.keyboard.press('Backspace')
    await page.keyboard.press('Enter')
    const question = page.locator('rs-week-grid [data-testid="cell-question"]')
    await question.waitFor()
    expect(await question.textContent()).toContain('Silinsin mi: Bora Kaya,')
    expect(await question.textContent()).toContain('08:00-17:00/30')
    expect(await focused()).toBe('cell-confirm')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Enter')
    await expect.poll(() => question.count()).toBe(0)
    expect(await cell(1, 1).inputValue()).toBe('08:00-17:00/30')

    // The cell has the focus back, so a click puts the caret: select the text to clear it.
    await cell(1, 1).click()
    await page.keyboard.press('ControlOrMeta+A')
    await page.keyboard.press('Delete')
    await page.keyboard.press('Enter')
    await question.waitFor()
    await screenshot(page, 'week-delete-question')
    await page.keyboard.press('Enter')
    await expect.poll(() => cell(1, 1).inputValue()).toBe('')
    expect(await focused()).toBe('1,1')
    await expect.poll(() => weekTotal(1).textContent()).toBe('7,25')
    expect(await page.locator('rs-week-grid [data-testid="office-total"]').textContent()).toBe('36,25')
  })

  it('"Geçen haftayı kopyala" fills this week’s empty cells from last week, after a question with the count', async () => {
    await page.locator('[data-testid="week-prev"]').click()
    await expect.poll(() => cell(0, 0).inputValue()).toBe('')
    await cell(0, 0).click()
    await page.keyboard.type('9-18')
    await page.keyboard.press('Enter')
    await page.keyboard.type('7-15')
    await page.keyboard.press('Tab')
    await page.keyboard.type('sabah')
    await page.keyboard.press('Enter')
    await expect.poll(() => cell(1, 1).inputValue()).toBe('08:00-16:00/45')
    await page.keyboard.press('PageDown')
    await expect.poll(() => cell(0, 0).inputValue()).toBe('08:00-17:00')

    await page.locator('[data-testid="week-copy"]').click()
    const text = page.locator('[data-testid="week-question-text"]')
    await text.waitFor()
    // Ayşe's Monday and Bora's Monday are filled; Bora's Tuesday was emptied above, so it takes last week's.
    expect(await text.textContent()).toBe('Geçen haftadan 1 kayıt bu haftanın boş hücrelerine kopyalanacak; 2 dolu hücre olduğu gibi kalır.')
    await screenshot(page, 'week-copy-question')
    await page.locator('[data-testid="week-confirm"]').click()
    await expect.poll(() => cell(1, 1).inputValue()).toBe('08:00-16:00/45')
    expect(await cell(0, 0).inputValue()).toBe('08:00-17:00')
    expect(await cell(1, 0).inputValue()).toBe('08:00-16:00/45')
    expect(await page.locator('[data-testid="week-notice"]').textContent()).toBe('1 kayıt kopyalandı')
    // Once more there is nothing left to copy.
    await page.locator('[data-testid="week-copy"]').click()
    await expect.poll(() => page.locator('[data-testid="week-notice"]').textContent()).toBe('Geçen haftadan bu haftanın boş hücrelerine kopyalanacak kayıt yok.')
  })

  it('a template on a selection (Shift+arrows, Shift+click, a day’s header) inserts into empty cells and replaces single ones', async () => {
    await cell(0, 3).click()
    await page.keyboard.press('Shift+ArrowRight')
    await page.keyboard.press('Shift+ArrowRight')
    await page.keyboard.press('Shift+ArrowDown')
    expect(await page.locator('[data-testid="week-selection"]').textContent()).toBe('6 hücre seçili')
    expect(await page.locator('rs-week-grid td.cell.selected').count()).toBe(6)
    await page.locator('[data-testid="bulk-template"]').selectOption({ label: 'Sabah (08:00–16:00)' })
    await page.locator('[data-testid="bulk-apply"]').click()
    const text = page.locator('[data-testid="week-question-text"]')
    await text.waitFor()
    expect(await text.textContent()).toBe('"Sabah" 6 hücreye uygulanacak: 6 yeni kayıt, 0 kayıt değişecek, 0 hücre zaten böyle, 0 hücre (iki kayıtlı) atlanacak.')
    await page.locator('[data-testid="week-confirm"]').click()
    for (const [row, col] of [[0, 3], [0, 4], [0, 5], [1, 3], [1, 4], [1, 5]]) await expect.poll(() => cell(row, col).inputValue()).toBe('08:00-16:00/45')
    expect(await cell(2, 3).inputValue()).toBe('')
    expect(await page.locator('rs-week-grid td.cell.selected').count()).toBe(0)

    // Shift+click: Ayşe Monday to Wednesday; Monday and Wednesday hold other shifts, Tuesday is empty.
    await cell(0, 0).click()
    await cell(0, 2).click({ modifiers: ['Shift'] })
    expect(await page.locator('rs-week-grid td.cell.selected').count()).toBe(3)
    await page.locator('[data-testid="bulk-apply"]').click()
    await expect.poll(() => text.textContent()).toBe('"Sabah" 3 hücreye uygulanacak: 1 yeni kayıt, 2 kayıt değişecek, 0 hücre zaten böyle, 0 hücre (iki kayıtlı) atlanacak.')
    await page.locator('[data-testid="week-cancel"]').click()
    expect(await cell(0, 0).inputValue()).toBe('08:00-17:00')

    // A day's header selects every employee that day.
    await page.locator('rs-week-grid [data-testid="week-col-header"]').nth(6).click()
    expect(await page.locator('[data-testid="week-selection"]').textContent()).toBe('3 hücre seçili')
    await page.locator('[data-testid="bulk-apply"]').click()
    await page.locator('[data-testid="week-confirm"]').click()
    for (const row of [0, 1, 2]) await expect.poll(() => cell(row, 6).inputValue()).toBe('08:00-16:00/45')
    expect(await page.locator('[data-testid="week-notice"]').textContent()).toBe('"Sabah" uygulandı: 3 yeni kayıt, 0 kayıt değişti')
    await screenshot(page, 'week-bulk')
  })

  it('a timesheet on a public holiday is a special day: set by the grid, pre-ticked in the form and untickable there', async () => {
    const today = await page.evaluate(() => {
      const now = new Date()
      return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`
    })
    const year = Number(today.slice(0, 4))
    // Not this week or last week, whose cells the tests above filled; within the year the form takes without asking.
    const holiday = [...officialHolidays(year - 1), ...officialHolidays(year)].filter((h) => !h.halfDay && h.date < addDays(today, -14) && h.date > addDays(today, -300)).at(-1)!
    await page.locator('[data-testid="week-date"]').fill(typedDate(holiday.date))
    await page.locator('[data-testid="week-date"]').press('Enter')
    const dates = await weekDates()
    const col = dates.indexOf(holiday.date)
    expect(col).toBeGreaterThanOrEqual(0)
    const header = page.locator('rs-week-grid [data-testid="week-day"]').nth(col)
    expect(await header.getAttribute('class')).toContain('holiday')
    expect(await header.textContent()).toContain(holiday.name.tr.split(',')[0])
    await cell(2, col).click()
    await page.keyboard.type('8-12')
    await page.keyboard.press('Enter')
    await expect.poll(() => cell(2, col).inputValue()).toBe('08:00-12:00')
    await screenshot(page, 'week-holiday')

    await tab('puantaj')
    await page.locator('[data-testid="filter-from"]').fill(typedDate(holiday.date))
    await page.locator('[data-testid="filter-from"]').press('Tab')
    await page.locator('[data-testid="filter-to"]').fill(typedDate(holiday.date))
    await page.locator('[data-testid="filter-to"]').press('Tab')
    const row = page.locator('[data-testid="timesheet-row"]', { hasText: 'Cem Demir' })
    await row.waitFor()
    expect(await row.locator('td').nth(5).textContent()).toBe('Evet')

    await page.locator('[data-testid="entry-employee"]').selectOption({ label: 'Ayşe Yılmaz' })
    const special = page.locator('[data-testid="entry-special"]')
    await page.locator('[data-testid="entry-date"]').fill(typedDate(holiday.date))
    expect(await special.isChecked()).toBe(true)
    await page.locator('[data-testid="entry-date"]').fill(typedDate(dates.find((d) => !specialByDefault(d))!))
    expect(await special.isChecked()).toBe(false)
    await page.locator('[data-testid="entry-date"]').fill(typedDate(holiday.date))
    expect(await special.isChecked()).toBe(true)
    await special.uncheck()
    await page.locator('[data-testid="entry-start_time"]').fill('13:00')
    await page.locator('[data-testid="entry-end_time"]').fill('15:00')
    await page.locator('[data-testid="entry-break_minutes"]').fill('0')
    await page.locator('[data-testid="entry-save"]').click()
    const ayse = page.locator('[data-testid="timesheet-row"]', { hasText: 'Ayşe Yılmaz' })
    await ayse.waitFor()
    expect(await ayse.locator('td').nth(5).textContent()).toBe('')

    // A second timesheet that day: the grid shows both, read-only.
    await page.locator('[data-testid="entry-date"]').fill(typedDate(holiday.date))
    await page.locator('[data-testid="entry-start_time"]').fill('08:00')
    await page.locator('[data-testid="entry-end_time"]').fill('12:00')
    await page.locator('[data-testid="entry-break_minutes"]').fill('15')
    await page.locator('[data-testid="entry-save"]').click()
    await expect.poll(() => ayse.count()).toBe(2)
    await tab('week')
    await page.locator('[data-testid="week-date"]').fill(typedDate(holiday.date))
    await page.locator('[data-testid="week-date"]').press('Enter')
    await expect.poll(() => cell(0, col).inputValue()).toBe('08:00-12:00, 13:00-15:00/0')
    expect(await cell(0, col).getAttribute('readonly')).not.toBeNull()
    expect(await cell(0, col).getAttribute('title')).toBe('Bu günde 2 kayıt var: Puantaj sekmesinde tek tek düzenleyin')
    expect(await hours(0, col).textContent()).toBe('5,75')
    await cell(0, col).click()
    await page.keyboard.press('Backspace')
    await page.keyboard.press('Enter')
    expect(await cell(0, col).inputValue()).toBe('08:00-12:00, 13:00-15:00/0')
    expect(await page.locator('rs-week-grid [data-testid="cell-question"]').count()).toBe(0)
  })

  it('a read-only region: typing in a cell is refused beside it, nothing changes, and the tools are off', async () => {
    const istanbul = await openPc(browser, relay.url)
    try {
      await signIn(istanbul.page, 'mehmet', 'mehmet-password')
      await istanbul.page.locator('[data-testid="tab-employees"]').click()
      const form = istanbul.page.locator('rs-employees [data-testid="record-form"]')
      await form.locator('input[name="full_name"]').fill('Deniz Ak')
      await form.locator('button[type="submit"]').click()
      await waitForPending(istanbul.page, 0)
    } finally {
      await istanbul.context.close()
    }
    await tab('week')
    await page.locator('[data-testid="region"]').selectOption('istanbul')
    await page.locator('rs-week-grid [data-testid="read-only-notice"]').waitFor()
    await page.locator('rs-week-grid [data-testid="week-row-header"]', { hasText: 'Deniz Ak' }).waitFor()
    expect(await page.locator('[data-testid="week-copy"]').isDisabled()).toBe(true)
    expect(await page.locator('[data-testid="bulk-apply"]').isDisabled()).toBe(true)
    await cell(0, 0).click()
    await page.keyboard.type('8-17')
    const error = page.locator('rs-week-grid [data-testid="cell-error"]')
    await error.waitFor()
    expect(await error.textContent()).toBe('İstanbul bölgesi salt okunur: bu hücre değiştirilemez')
    expect(await cell(0, 0).inputValue()).toBe('')
    await screenshot(page, 'week-read-only')
    await page.locator('[data-testid="region"]').selectOption('ankara')
    await page.locator('rs-week-grid [data-testid="week-row-header"]', { hasText: 'Ayşe Yılmaz' }).waitFor()
  })

  it('logged no page errors', () => {
    expect(pc.errors).toEqual([])
  })
})
