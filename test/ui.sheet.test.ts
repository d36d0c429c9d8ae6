/**
 * The monthly sheet (Aylık puantaj) in Debian's Chromium against a real relay: day codes and
 * totals under either rule set, leave entered, refused, edited and deleted from the sheet with
 * its code, count and the annual leave balance, holidays in the header ("kesinleşmedi" where
 * due), the A4 landscape print of the sheet alone, and the xlsx read back with exceljs. The tests
 * run in order and share one PC.
 */
import { mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import ExcelJS from 'exceljs'
import type { Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { addDays } from '../client/ui/calendar.ts'
import { mondayOf } from '../client/ui/week-plan.ts'
import { LAST_ANNOUNCED_YEAR, officialHolidays } from '../schema/holidays.ts'
import { holidayOn } from '../schema/shiftEntry.ts'
import { DOWNLOADS, OFFICE_USERS, openPc, screenshot, signIn, type Pc, uiSuite } from './helpers/uiBrowser.ts'

let pc: Pc
let page: Page
let month: string
/** Monday to Friday of a week inside the month without holidays: leave on Mon–Wed, work on Thu. */
let week: string[]

uiSuite(OFFICE_USERS, async ({ relay, browser }) => {
  pc = await openPc(browser, relay.url)
  page = pc.page
  await signIn(page, 'ayse', 'ayse-password')
  const today = await page.evaluate(() => {
    const now = new Date()
    return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`
  })
  month = today.slice(0, 7)
  for (let monday = mondayOf(`${month}-01`); ; monday = addDays(monday, 7)) {
    const days = Array.from({ length: 5 }, (_, i) => addDays(monday, i))
    if (days.every((d) => d.startsWith(month) && holidayOn(d) === undefined)) {
      week = days
      break
    }
  }
})

const tab = (name: string): Promise<void> => page.locator(`[data-testid="tab-${name}"]`).click()
const typed = (iso: string): string => iso.split('-').reverse().join('.')
const line = (name: string): Locator => page.locator('rs-sheet [data-testid="sheet-line"]', { hasText: name })
const code = (name: string, date: string): Locator => line(name).locator(`[data-testid="sheet-cell"][data-date="${date}"]`)
const total = (name: string, which: string): Promise<string | null> => line(name).locator(`[data-testid="sheet-total"][data-total="${which}"]`).textContent()
const balance = (name: string, part: string): Promise<string | null> => line(name).locator(`[data-testid="sheet-balance"][data-part="${part}"]`).textContent()

async function addEmployee(name: string, hired: string): Promise<void> {
  const form = page.locator('rs-employees [data-testid="record-form"]')
  await form.locator('input[name="full_name"]').fill(name)
  await form.locator('input[name="start_date"]').fill(hired)
  await form.locator('button[type="submit"]').click()
  await page.locator('[data-testid="record-row"]', { hasText: name }).waitFor()
}

describe('the monthly sheet', () => {
  it('shows each day’s code and the month’s totals, under the region’s rule set or the other one for viewing', async () => {
    await tab('employees')
    // Hired six years before this year's 1 January: 5 × 14 + 20 days earned by the month's end.
    await addEmployee('Ayşe Yılmaz', `01.01.${Number(month.slice(0, 4)) - 6}`)
    await addEmployee('Bora Kaya', '')
    await tab('puantaj')
    await page.locator('[data-testid="entry-employee"]').selectOption({ label: 'Ayşe Yılmaz' })
    await page.locator('[data-testid="entry-date"]').fill(typed(week[3]))
    await page.locator('[data-testid="entry-start_time"]').fill('08:00')
    await page.locator('[data-testid="entry-end_time"]').fill('19:00')
    await page.locator('[data-testid="entry-break_minutes"]').fill('60')
    await page.locator('[data-testid="entry-save"]').click()
    await page.locator('[data-testid="timesheet-row"]', { hasText: typed(week[3]) }).waitFor()

    await tab('sheet')
    await expect.poll(() => code('Ayşe Yılmaz', week[3]).getAttribute('data-code')).toBe('M')
    expect(await page.locator('rs-sheet [data-testid="sheet-line"]').allTextContents().then((rows) => rows.map((r) => r.trim().split(/\s/)[0]))).toEqual(['Ayşe', 'Bora'])
    const sunday = addDays(week[0], -1).startsWith(month) ? addDays(week[0], -1) : addDays(week[0], 6)
    expect(await code('Ayşe Yılmaz', sunday).getAttribute('data-code')).toBe('O')
    expect(await code('Ayşe Yılmaz', week[4]).getAttribute('data-code')).toBe('')
    // The legacy rule (the region's default): 10 hours worked, 2 of them over the 9-hour plan.
    expect(await total('Ayşe Yılmaz', 'worked')).toBe('10,00')
    expect(await total('Ayşe Yılmaz', 'overtime')).toBe('2,00')
    expect(await total('Ayşe Yılmaz', 'daysWorked')).toBe('1')
    expect(await page.locator('rs-sheet [data-testid="sheet-rules-note"]').count()).toBe(0)
    // Under the law the week is what counts: 10 hours are far from 45.
    await page.locator('[data-testid="sheet-rules"]').selectOption('law')
    await expect.poll(() => total('Ayşe Yılmaz', 'overtime')).toBe('0,00')
    expect(await total('Ayşe Yılmaz', 'worked')).toBe('10,00')
    expect(await page.locator('rs-sheet [data-testid="sheet-rules-note"]').textContent()).toBe('Yalnızca bu görünüm için; bölgenin kuralı değişmez.')
    await page.locator('[data-testid="sheet-rules"]').selectOption('legacy')
    await expect.poll(() => total('Ayşe Yılmaz', 'overtime')).toBe('2,00')
    // The law's view opened the year from last December: used leave is counted from there, and the sheet says so.
    const december = new Intl.DateTimeFormat('tr-TR', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(Date.UTC(Number(month.slice(0, 4)) - 1, 11, 1))
    await expect.poll(() => page.locator('rs-sheet [data-testid="sheet-balance-window"]').textContent()).toContain(`${december} ayından bu yana`)
    // Bora has no hire date: no balance.
    expect(await line('Bora Kaya').locator('[data-testid="sheet-balance"]').textContent()).toBe('—')
    expect(await balance('Ayşe Yılmaz', 'entitled')).toBe('90')
    expect(await balance('Ayşe Yılmaz', 'left')).toBe('90')
    await screenshot(page, 'sheet-codes')
  })

  it('a leave entered on the sheet (click, Shift+click) shows its code, counts and lowers the balance; a bad one is refused in place', async () => {
    await code('Ayşe Yılmaz', week[0]).click()
    const form = page.locator('rs-sheet [data-testid="leave-form"]')
    await form.waitFor()
    expect(await form.locator('[data-testid="leave-first_day"]').inputValue()).toBe(typed(week[0]))
    await code('Ayşe Yılmaz', week[2]).click({ modifiers: ['Shift'] })
    await expect.poll(() => form.locator('[data-testid="leave-last_day"]').inputValue()).toBe(typed(week[2]))
    expect(await page.locator('rs-sheet td.chosen').count()).toBe(3)
    await form.locator('[data-testid="leave-type"]').selectOption('Y')
    await form.locator('[data-testid="leave-note"]').fill('Yaz tatili')
    await screenshot(page, 'sheet-leave-form')
    await form.locator('[data-testid="leave-note"]').press('Enter')
    await expect.poll(() => code('Ayşe Yılmaz', week[1]).getAttribute('data-code')).toBe('Y')
    expect(await page.locator('rs-sheet [data-testid="sheet-notice"]').textContent()).toBe('İzin kaydedildi')
    expect(await Promise.all(week.slice(0, 3).map((d) => code('Ayşe Yılmaz', d).getAttribute('data-code')))).toEqual(['Y', 'Y', 'Y'])
    expect(await total('Ayşe Yılmaz', 'leave-Y')).toBe('3')
    expect(await balance('Ayşe Yılmaz', 'used')).toBe('3')
    expect(await balance('Ayşe Yılmaz', 'left')).toBe('87')

    // The leave opens again from any of its days; a half day over three days is refused beside the box.
    await code('Ayşe Yılmaz', week[1]).click()
    await form.locator('[data-testid="leave-delete"]').waitFor()
    expect(await form.locator('[data-testid="leave-note"]').inputValue()).toBe('Yaz tatili')
    await form.locator('[data-testid="leave-half_day"]').check()
    await form.locator('[data-testid="leave-save"]').click()
    const error = form.locator('[data-testid="leave-error"]')
    await error.waitFor()
    expect(await error.textContent()).toBe('Yarım gün: yalnız tek günlük izinde seçilebilir')
    expect(await form.locator('[data-testid="leave-half_day"]').getAttribute('aria-invalid')).toBe('true')
    await screenshot(page, 'sheet-leave-refused')
    await form.locator('[data-testid="leave-cancel"]').click()
    expect(await total('Ayşe Yılmaz', 'leave-Y')).toBe('3')

    // A half day of excused leave for Bora counts 0,5.
    await code('Bora Kaya', week[4]).click()
    await form.locator('[data-testid="leave-type"]').selectOption('İ')
    await form.locator('[data-testid="leave-half_day"]').check()
    await form.locator('[data-testid="leave-save"]').click()
    await expect.poll(() => code('Bora Kaya', week[4]).getAttribute('data-code')).toBe('İ')
    expect(await total('Bora Kaya', 'leave-İ')).toBe('0,5')
  })

  it('holidays are marked in the header, a computed feast not yet confirmed as "kesinleşmedi"', async () => {
    const feast = officialHolidays(LAST_ANNOUNCED_YEAR + 1).find((h) => !h.confirmed && h.date.slice(5, 7) === '05')!
    await page.locator('[data-testid="sheet-month"]').fill(feast.date.slice(0, 7))
    const header = page.locator(`rs-sheet [data-testid="sheet-day"][data-date="${feast.date}"]`)
    await header.waitFor()
    expect(await header.getAttribute('data-holiday')).toBe('unconfirmed')
    expect(await header.getAttribute('title')).toContain('kesinleşmedi')
    const first = page.locator(`rs-sheet [data-testid="sheet-day"][data-date="${LAST_ANNOUNCED_YEAR + 1}-05-01"]`)
    expect(await first.getAttribute('data-holiday')).toBe('confirmed')
    expect(await first.getAttribute('title')).toBe('Emek ve Dayanışma Günü')
    const legend = await page.locator('rs-sheet [data-testid="sheet-holidays"]').textContent()
    expect(legend).toContain('01.05 Emek ve Dayanışma Günü;')
    expect(legend).toMatch(/Kurban Bayramı( arifesi)? \((13:00’den, )?kesinleşmedi\)/)
    await screenshot(page, 'sheet-holidays')
    await page.locator('[data-testid="sheet-month"]').fill(month)
    await expect.poll(() => code('Ayşe Yılmaz', week[0]).getAttribute('data-code')).toBe('Y')
  })

  it('prints the sheet alone, on A4 landscape', async () => {
    await page.emulateMedia({ media: 'print' })
    try {
      for (const chrome of ['rainstaff-app header', 'rs-status-bar', '[data-testid="tab-sheet"]', '[data-testid="sheet-xlsx"]', '[data-testid="sheet-rules"]', '[data-testid="storage-warning"]']) {
        expect(await page.locator(chrome).isVisible(), chrome).toBe(false)
      }
      expect(await page.locator('rs-sheet [data-testid="sheet"]').isVisible()).toBe(true)
      expect(await page.locator('rs-sheet [data-testid="sheet-print-title"]').textContent()).toContain('Aylık puantaj cetveli — Ankara')
      expect(await code('Ayşe Yılmaz', week[0]).isVisible()).toBe(true)
      await screenshot(page, 'sheet-print')
      const pdf = new TextDecoder('latin1').decode(await page.pdf({ preferCSSPageSize: true, printBackground: true }))
      const boxes = [...pdf.matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)].map((m) => [Number(m[1]), Number(m[2])])
      expect(boxes).toHaveLength(1)
      // A4 is 595 × 842 points; landscape is wider than high.
      expect(Math.round(boxes[0]![0]!)).toBe(842)
      expect(Math.round(boxes[0]![1]!)).toBe(595)
    } finally {
      await page.emulateMedia({ media: 'screen' })
    }
    expect(await page.locator('[data-testid="sheet-xlsx"]').isVisible()).toBe(true)
  })

  it('downloads the sheet as xlsx, which reads back with its codes and totals', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="sheet-xlsx"]').click()])
    expect(download.suggestedFilename()).toBe(`aylik_puantaj_ankara_${month}.xlsx`)
    mkdirSync(DOWNLOADS, { recursive: true })
    const file = path.join(DOWNLOADS, `sheet-${download.suggestedFilename()}`)
    await download.saveAs(file)
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(new Uint8Array(readFileSync(file)).buffer)
    const ws = workbook.getWorksheet('Puantaj')!
    expect(String(ws.getCell('A2').value)).toMatch(/^Aylık Puantaj Cetveli — Ankara — /)
    expect(ws.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape' })
    const ayse = ws.getRow(6)
    expect(ayse.getCell(1).value).toBe('Ayşe Yılmaz')
    const column = (date: string): number => 1 + Number(date.slice(8, 10))
    expect([...week].map((d) => ayse.getCell(column(d)).value)).toEqual(['Y', 'Y', 'Y', 'M', ''])
    const days = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate()
    expect(ayse.getCell(2 + days).value).toBe(10)
    expect(ws.getRow(7).getCell(1).value).toBe('Bora Kaya')
    expect(ws.getRow(7).getCell(column(week[4])).value).toBe('İ')
  })

  it('a leave changed on the sheet shows its new code; deleted, it gives its days and balance back', async () => {
    await code('Ayşe Yılmaz', week[2]).click()
    const form = page.locator('rs-sheet [data-testid="leave-form"]')
    await form.locator('[data-testid="leave-type"]').selectOption('Z')
    await form.locator('[data-testid="leave-save"]').click()
    await expect.poll(() => code('Ayşe Yılmaz', week[1]).getAttribute('data-code')).toBe('Z')
    expect(await total('Ayşe Yılmaz', 'leave-Z')).toBe('3')
    expect(await total('Ayşe Yılmaz', 'leave-Y')).toBe('0')
    expect(await balance('Ayşe Yılmaz', 'used')).toBe('0')
    await code('Ayşe Yılmaz', week[0]).click()
    await form.locator('[data-testid="leave-delete"]').click()
    await expect.poll(() => code('Ayşe Yılmaz', week[1]).getAttribute('data-code')).toBe('')
    expect(await page.locator('rs-sheet [data-testid="sheet-notice"]').textContent()).toBe('İzin silindi')
    expect(await total('Ayşe Yılmaz', 'leave-Y')).toBe('0')
    expect(await balance('Ayşe Yılmaz', 'left')).toBe('90')
    await page.locator('[data-testid="lang"]').click()
    await expect.poll(() => page.locator('rs-sheet th', { hasText: 'Worked (h)' }).count()).toBe(1)
    await page.locator('[data-testid="lang"]').click()
  })

  it('logged no page errors', () => {
    expect(pc.errors).toEqual([])
  })
})
