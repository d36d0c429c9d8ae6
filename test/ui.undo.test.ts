/**
 * Undo and restore in the office app, in Debian's Chromium against a real relay: Ctrl+Z takes
 * back Ayşe's own saved cell of the week grid and Ctrl+Y does it again; a cell Fatma (another
 * account) changed since is left as Fatma left it, and the note says so; while a cell is being
 * typed in, Ctrl+Z is the field's own. After a buggy PC deleted timesheets, "Ayı bir tarihteki
 * haline getir" on the monthly sheet previews and puts them back as they were, and every PC
 * receives it. An employee's "Geçmiş" shows who changed what, and puts the record back.
 *
 * The steps run in order and share the PCs.
 */
import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import { currentPeriod } from '../schema/periods.ts'
import { removeDir, startPeer, type TestPeer } from './helpers/peerEngine.ts'
import { until } from './helpers/relayProcess.ts'
import { OFFICE_USERS, openPc, screenshot, signIn, waitForPending, type Pc, type UiRelay, uiSuite, waitForValue } from './helpers/uiBrowser.ts'

let relay: UiRelay
let browser: Browser
let pc: Pc
let fatma: TestPeer
let employee = ''
const MONTH = currentPeriod()
/** A week wholly inside this month: the one holding the 15th. */
const DAY = `15.${MONTH.slice(5)}.${MONTH.slice(0, 4)}`

uiSuite([...OFFICE_USERS, { username: 'fatma', role: 'editor', region: 'ankara', password: 'fatma-password' }], (suite) => void ({ relay, browser } = suite))

afterAll(async () => {
  await fatma?.close().catch(() => {})
  if (fatma !== undefined) removeDir(fatma.dir)
})

const cell = (page: Page, col: number): Locator => page.locator(`rs-week-grid input[data-testid="week-cell"][data-row="0"][data-col="${col}"]`)
const note = (page: Page): Locator => page.locator('[data-testid="undo-note"]')

/** Fatma's PC's copy of the timesheet on the cell's day. */
function fatmasSheets(): Array<Record<string, unknown>> {
  const rows = fatma.engine.doc(`ankara/${MONTH}`).getMap('timesheets').toJSON() as Record<string, Record<string, unknown>>
  return Object.entries(rows)
    .map(([id, r]): Record<string, unknown> => ({ ...r, id }))
    .filter((r) => (r.deleted_at ?? null) === null)
}

function fatmasSheet(date: string): Record<string, unknown> | undefined {
  return fatmasSheets().find((r) => r.work_date === date)
}

describe('undo and restore in the app', () => {
  it('Ctrl+Z takes back Ayşe’s own saved cell and Ctrl+Y does it again; a cell being typed in keeps its own undo', async () => {
    fatma = await startPeer(relay.url, 'fatma', 'fatma-password', { engine: { regions: ['ankara'] } })
    employee = fatma.engine.insert('employees', { full_name: 'Ayşe Yılmaz' })
    await fatma.engine.whenSynced()
    pc = await openPc(browser, relay.url)
    await signIn(pc.page, 'ayse', 'ayse-password')
    const page = pc.page
    await page.locator('[data-testid="tab-week"]').click()
    await page.locator('[data-testid="week-date"]').fill(DAY)
    await page.locator('[data-testid="week-date"]').press('Enter')
    await cell(page, 1).waitFor()

    await cell(page, 1).click()
    await page.keyboard.type('9-17')
    await page.keyboard.press('Enter')
    await waitForValue(cell(page, 1), '09:00-17:00')
    await waitForPending(page, 0)
    await page.keyboard.press('Control+z')
    await note(page).and(page.locator('[data-kind="undo"]')).waitFor()
    await waitForValue(cell(page, 1), '')
    await page.keyboard.press('Control+y')
    await note(page).and(page.locator('[data-kind="redo"]')).waitFor()
    await waitForValue(cell(page, 1), '09:00-17:00')
    await screenshot(page, 'undo-redo')

    // Typing, not saved: Ctrl+Z is the field's, and the saved shift stays.
    await cell(page, 1).click()
    await page.keyboard.type('10-18')
    await page.keyboard.press('Control+z')
    expect(await cell(page, 1).inputValue()).not.toBe('10-18')
    await page.keyboard.press('Escape')
    await waitForPending(page, 0)
    const date = (await cell(page, 1).getAttribute('data-date'))!
    await until(() => fatmasSheet(date)?.start_time === '09:00', 'Fatma’s PC has the redone shift')
  })

  it('never takes back what another account changed since', async () => {
    const page = pc.page
    await cell(page, 2).click()
    await page.keyboard.type('8-16')
    await page.keyboard.press('Enter')
    await waitForPending(page, 0)
    const date = (await cell(page, 2).getAttribute('data-date'))!
    await until(() => fatmasSheet(date) !== undefined, 'Fatma’s PC has the shift')
    const sheet = fatmasSheet(date)!
    fatma.engine.update('timesheets', String(sheet.id), { end_time: '18:00' })
    await fatma.engine.whenSynced()
    await waitForValue(cell(page, 2), '08:00-18:00')
    await cell(page, 3).click()
    await page.keyboard.press('Control+z')
    await note(page).and(page.locator('[data-kind="undo"]')).waitFor()
    expect(await note(page).textContent()).toMatch(/Geri alınamadı: 1 kayıt başkası değiştirdiği için olduğu gibi bırakıldı/)
    expect(await cell(page, 2).inputValue()).toBe('08:00-18:00')
    await fatma.engine.whenSynced()
    expect(fatmasSheet(date)?.end_time).toBe('18:00')
  })

  it('puts the month back as it was before a buggy PC deleted its timesheets, with a preview', async () => {
    const page = pc.page
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    // The time as the PC's clock reads it (the browser's zone), as the clerk would type it.
    const before = await page.evaluate(() => {
      const ms = Date.now()
      return new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 19)
    })
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    // Fatma's PC goes wrong: every timesheet of the month deleted.
    const live = fatmasSheets()
    expect(live.length).toBe(2)
    for (const r of live) fatma.engine.delete('timesheets', String(r.id))
    await fatma.engine.whenSynced()
    await waitForValue(cell(page, 1), '')

    await page.locator('[data-testid="tab-sheet"]').click()
    await page.locator('[data-testid="sheet-restore"]').click()
    await page.locator('[data-testid="restore-at"]').fill(before)
    await page.locator('[data-testid="restore-at"]').dispatchEvent('change')
    await page.locator('[data-testid="restore-preview"]').click()
    const planned = page.locator('[data-testid="restore-record"]')
    await planned.first().waitFor()
    expect(await planned.count()).toBe(2)
    expect(await planned.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')))).toEqual(['restore', 'restore'])
    expect(await planned.first().textContent()).toMatch(/Puantaj · Ayşe Yılmaz \d\d\.\d\d\.\d{4} — geri getirilecek/)
    await screenshot(page, 'restore-preview')
    await page.locator('[data-testid="restore-go"]').click()
    await page.locator('[data-testid="restore-notice"]', { hasText: /2 kayıt .* haline getirildi/ }).waitFor()
    await waitForPending(page, 0)
    await until(() => fatmasSheets().length === 2, 'Fatma’s PC has them back')
    // A second preview at the same time finds nothing left to do.
    await page.locator('[data-testid="restore-preview"]').click()
    await page.locator('[data-testid="restore-nothing"]').waitFor()
  })
  it('shows an employee’s Geçmiş with who changed what, and puts the record back as it was', async () => {
    const page = pc.page
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    const before = await page.evaluate(() => {
      const ms = Date.now()
      return new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 19)
    })
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    fatma.engine.update('employees', employee, { title: 'Usta' })
    await fatma.engine.whenSynced()

    await page.locator('[data-testid="tab-employees"]').click()
    const row = page.locator('[data-testid="record-row"]', { hasText: 'Ayşe Yılmaz' })
    await row.locator('[data-testid="row-history"]').click()
    const history = page.locator('rs-record-past [data-testid="record-history"][data-loaded="yes"]')
    await history.waitFor()
    const titled = history.locator('[data-testid="history-change"][data-field="title"]')
    await titled.waitFor()
    expect(await titled.locator('[data-testid="history-account"]').textContent()).toBe('fatma')
    expect(await titled.locator('[data-testid="change-what"]').textContent()).toMatch(/Usta/)
    await screenshot(page, 'record-past')

    await page.locator('rs-record-past [data-testid="restore-at"]').fill(before)
    await page.locator('rs-record-past [data-testid="restore-at"]').dispatchEvent('change')
    await page.locator('rs-record-past [data-testid="restore-preview"]').click()
    const planned = page.locator('rs-record-past [data-testid="restore-record"]')
    await planned.waitFor()
    expect(await planned.getAttribute('data-action')).toBe('revert')
    expect((await planned.textContent())?.replace(/\s+/g, ' ')).toMatch(/Çalışanlar · Ayşe Yılmaz — değerleri geri alınacak: Unvan Usta → —/)
    await page.locator('rs-record-past [data-testid="restore-go"]').click()
    await page.locator('rs-record-past [data-testid="restore-notice"]').waitFor()
    await waitForPending(page, 0)
    await until(() => fatma.engine.record('employees', employee, 'ankara')?.title === null, 'Fatma’s PC has the title taken back')
    await page.locator('[data-testid="record-past-close"]').click()
    await page.locator('rs-record-past').waitFor({ state: 'detached' })
  })
})
