/**
 * Closing a month in the admin view, in Debian's Chromium against a real relay: the head office
 * prepares last month's sheet from the relay's copy, closes the month with it (the SHA-256 shown
 * is the stored sheet's), sees three PCs' offline edits arrive as late edits with what they
 * change, accepts one and rejects the others (each PC follows; the browser says so), confirms a computed
 * holiday and adds one, and reopens the month only with a reason. The office's app shows the
 * closed month read-only (sheet, week grid, form), the edits waiting for the head office in its
 * status bar, and takes leave from the week grid.
 *
 * The steps run in order and share the PCs.
 */
import { createHash } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import { currentPeriod, documentName, shiftPeriod } from '../schema/periods.ts'
import { removeDir, startPeer, type TestPeer } from './helpers/peerEngine.ts'
import { tokenFor, until } from './helpers/relayProcess.ts'
import { ADMIN_PASSWORD, OFFICE_USERS, openPc, screenshot, signIn, type Pc, type UiRelay, uiSuite, waitForValue } from './helpers/uiBrowser.ts'

let relay: UiRelay
let browser: Browser
let admin: Pc
let pc: Pc
const peers: TestPeer[] = []
let office: TestPeer
let laptop: TestPeer
let tablet: TestPeer
const MONTH = shiftPeriod(currentPeriod(), -1)
const NAME = documentName('ankara', MONTH)
const sheets: string[] = []

uiSuite(OFFICE_USERS, (suite) => void ({ relay, browser } = suite))

afterAll(async () => {
  for (const p of peers) await p.close().catch(() => {})
  for (const p of peers) removeDir(p.dir)
})

async function device(): Promise<TestPeer> {
  const peer = await startPeer(relay.url, 'ayse', 'ayse-password', { engine: { regions: ['ankara'] } })
  peers.push(peer)
  return peer
}

async function api(path: string): Promise<Response> {
  const token = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
  return fetch(`${relay.url}${path}`, { headers: { authorization: `Bearer ${token}` } })
}

const state = (page: Page): ReturnType<Page['locator']> => page.locator('[data-testid="closing-state"]')

describe('closing a month in the admin view', () => {
  it('prepares the sheet from the relay’s copy and closes the month with it', async () => {
    office = await device()
    const employee = office.engine.insert('employees', { full_name: 'Ayşe Yılmaz' })
    for (const day of ['02', '03']) {
      sheets.push(office.engine.insert('timesheets', { employee_id: employee, work_date: `${MONTH}-${day}`, start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0, notes: 'ilk' }))
    }
    await office.engine.whenSynced()
    // Two more PCs of the office have the month, go offline and edit it before the close.
    laptop = await device()
    tablet = await device()
    for (const pc of [laptop, tablet]) {
      await pc.engine.openPeriod('ankara', MONTH)
      await pc.engine.whenSynced()
      pc.engine.disconnect()
    }
    laptop.engine.update('timesheets', sheets[0]!, { notes: 'dizüstünde' })
    tablet.engine.update('timesheets', sheets[1]!, { notes: 'tablette' })

    pc = await openPc(browser, relay.url)
    await signIn(pc.page, 'ayse', 'ayse-password')
    // Ayşe's browser too: offline, it changes the 3rd's end time in the week grid.
    await pc.page.locator('[data-testid="tab-week"]').click()
    await pc.page.locator('[data-testid="week-date"]').fill(`03.${MONTH.slice(5)}.${MONTH.slice(0, 4)}`)
    await pc.page.locator('[data-testid="week-date"]').press('Enter')
    const third = pc.page.locator(`rs-week-grid input[data-testid="week-cell"][data-date="${MONTH}-03"]`)
    await waitForValue(third, '08:00-17:00', 'prefix')
    await pc.context.setOffline(true)
    await pc.page.locator('rs-status-bar [data-testid="connection"][data-state="disconnected"]').waitFor()
    await third.fill('8-18/60')
    await third.press('Enter')
    await pc.page.locator('[data-testid="pending-count"]', { hasText: /^1$/ }).waitFor()

    admin = await openPc(browser, `${relay.url}/admin.html`)
    await admin.page.locator('rs-sign-in input[name="password"]').fill(ADMIN_PASSWORD)
    await admin.page.locator('rs-sign-in button[type="submit"]').click()
    await state(admin.page).and(admin.page.locator('[data-closed="no"]')).waitFor()
    expect(await admin.page.locator('[data-testid="closing-month"]').inputValue()).toBe(MONTH)
    // Nothing to close before the sheet is prepared.
    expect(await admin.page.locator('[data-testid="closing-close"]').count()).toBe(0)
    await admin.page.locator('[data-testid="closing-prepare"]').click()
    await admin.page.locator('[data-testid="closing-notice"]', { hasText: /sürüm \d+ ile hazırlandı/ }).waitFor()
    const line = admin.page.locator('rs-month-closing [data-testid="sheet-line"]')
    expect(await line.count()).toBe(1)
    expect(await line.locator(`[data-testid="sheet-cell"][data-date="${MONTH}-02"]`).getAttribute('data-code')).toBe('M')
    await screenshot(admin.page, 'closing-prepared')

    await admin.page.locator('[data-testid="closing-close"]').click()
    await admin.page.locator('[data-testid="closing-confirm"]').waitFor()
    await admin.page.locator('[data-testid="closing-confirm-yes"]').click()
    await state(admin.page).and(admin.page.locator('[data-closed="yes"]')).waitFor()
    const shown = (await admin.page.locator('[data-testid="closing-sha"]').textContent())?.trim()
    const stored = await api(`/api/periods/${NAME}/sheet.xlsx`)
    expect(stored.status).toBe(200)
    expect(shown).toBe(createHash('sha256').update(new Uint8Array(await stored.arrayBuffer())).digest('hex'))
    expect(await admin.page.locator('[data-testid="closing-notice"]').textContent()).toContain(shown)
  })

  it('shows the offices’ offline edits as late edits with their change; one accepted, two rejected, the browser told', async () => {
    const rejected: string[] = []
    tablet.engine.on('error', (e) => rejected.push(e.code))
    // Late edits wait per account: both PCs are Ayşe's, so each hears of both once both are in.
    for (const [n, pc] of [laptop, tablet].entries()) {
      pc.engine.connect()
      await until(() => pc.engine.state.pendingChanges === 0 && pc.engine.state.documents[NAME]?.waitingForHeadOffice === n + 1, 'the late edit is durable and waiting')
    }
    await pc.context.setOffline(false)
    // Ayşe's app hears that her account's three edits wait for the head office.
    await pc.page.locator('[data-testid="waiting-head-office"][data-count="3"]').waitFor()
    expect(await pc.page.locator('[data-testid="pending-count"]').textContent()).toBe('0')
    await admin.page.locator('[data-testid="late-refresh"]').click()
    const edits = admin.page.locator('[data-testid="late-edit"]')
    await edits.nth(2).waitFor()
    expect(await edits.count()).toBe(3)
    const laptopEdit = edits.filter({ hasText: 'dizüstünde' })
    expect((await laptopEdit.locator('[data-testid="late-change"]').textContent())?.replace(/\s+/g, ' ')).toMatch(/Puantaj · Ayşe Yılmaz \d\d\.\d\d\.\d{4} — değişti: Not ilk → dizüstünde/)
    await screenshot(admin.page, 'closing-late-edits')

    await laptopEdit.locator('[data-testid="late-accept"]').click()
    await admin.page.locator('[data-testid="late-notice"]', { hasText: /kabul edildi/ }).waitFor()
    await until(() => office.engine.record('timesheets', sheets[0]!, 'ankara')?.notes === 'dizüstünde', 'the accepted edit reaches the office')

    const tabletEdit = edits.filter({ hasText: 'tablette' })
    await tabletEdit.locator('[data-testid="late-reject"]').click()
    await tabletEdit.locator('[data-testid="late-reject-reason"]').fill('ay kapandı')
    await tabletEdit.locator('[data-testid="late-reject-confirm"]').click()
    await admin.page.locator('[data-testid="late-notice"]', { hasText: /1 değişiklik reddedildi/ }).waitFor()
    await until(() => tablet.engine.record('timesheets', sheets[1]!, 'ankara')?.notes === 'ilk', 'the tablet drops the rejected edit')
    // The browser's edit rejected: its grid shows the head office's 17:00 again, and says why.
    const browserEdit = edits.filter({ hasText: '18:00' })
    expect((await browserEdit.locator('[data-testid="late-change"]').textContent())?.replace(/\s+/g, ' ')).toMatch(/Çıkış 17:00 → 18:00/)
    await browserEdit.locator('[data-testid="late-reject"]').click()
    await browserEdit.locator('[data-testid="late-reject-confirm"]').click()
    await admin.page.locator('[data-testid="late-none"]').waitFor()
    await pc.page.locator('[data-testid="late-edit-rejected"]', { hasText: /Kasım|Ekim|Ocak|Şubat|Mart|Nisan|Mayıs|Haziran|Temmuz|Ağustos|Eylül|Aralık/ }).waitFor()
    await waitForValue(pc.page.locator(`rs-week-grid input[data-testid="week-cell"][data-date="${MONTH}-03"]`), '08:00-17:00', 'prefix')
    await pc.page.locator('[data-testid="late-edit-rejected-dismiss"]').click()
    await pc.page.locator('[data-testid="late-edit-rejected"]').waitFor({ state: 'detached' })
    expect(rejected).toContain('late_edit_rejected')
    expect(office.engine.record('timesheets', sheets[1]!, 'ankara')?.notes).toBe('ilk')
    await pc.page.locator('[data-testid="waiting-head-office"]').waitFor({ state: 'detached' })
  })

  it('shows the closed month read-only in the office app: the sheet, the week grid and the form', async () => {
    const page = pc.page
    await page.locator('[data-testid="tab-sheet"]').click()
    await page.locator('[data-testid="sheet-month"]').fill(MONTH)
    await page.locator('[data-testid="sheet-month"]').dispatchEvent('change')
    await page.locator('[data-testid="month-closed-notice"]').waitFor()
    expect(await page.locator('rs-sheet [data-testid="sheet-cell"]:not([disabled])').count()).toBe(0)
    await screenshot(page, 'closing-office-sheet')

    await page.locator('[data-testid="tab-week"]').click()
    await page.locator('[data-testid="week-date"]').fill(`02.${MONTH.slice(5)}.${MONTH.slice(0, 4)}`)
    await page.locator('[data-testid="week-date"]').press('Enter')
    await page.locator('[data-testid="week-closed-notice"]').waitFor()
    const closedCell = page.locator(`rs-week-grid input[data-testid="week-cell"][data-date="${MONTH}-02"]`)
    expect(await closedCell.getAttribute('data-closed')).toBe('true')
    expect(await closedCell.getAttribute('readonly')).not.toBeNull()

    await page.locator('[data-testid="tab-puantaj"]').click()
    const form = page.locator('rs-puantaj form')
    await form.locator('[data-testid="entry-employee"]').selectOption({ label: 'Ayşe Yılmaz' })
    await form.locator('input[name="date"]').fill(`05.${MONTH.slice(5)}.${MONTH.slice(0, 4)}`)
    await form.locator('input[name="start_time"]').fill('08:00')
    await form.locator('input[name="end_time"]').fill('17:00')
    await form.locator('[data-testid="entry-save"]').click()
    await page.locator('rs-puantaj [data-testid="entry-error"]', { hasText: /merkez tarafından kapatıldı/ }).waitFor()
    expect(await office.engine.whenSynced(5_000).then(() => office.engine.state.pendingChanges)).toBe(0)
  })

  it('takes leave for days selected in the week grid', async () => {
    const page = pc.page
    await page.locator('[data-testid="tab-week"]').click()
    const month = currentPeriod()
    await page.locator('[data-testid="week-date"]').fill(`15.${month.slice(5)}.${month.slice(0, 4)}`)
    await page.locator('[data-testid="week-date"]').press('Enter')
    const cell = (col: number) => page.locator(`rs-week-grid input[data-testid="week-cell"][data-row="0"][data-col="${col}"]`)
    await cell(1).click()
    await cell(2).click({ modifiers: ['Shift'] })
    await page.locator('[data-testid="week-leave"]:not([disabled])').click()
    const leaveForm = page.locator('rs-week-grid rs-leave-form')
    await leaveForm.locator('[data-testid="leave-type"]').selectOption('R')
    await leaveForm.locator('[data-testid="leave-save"]').click()
    await page.locator('[data-testid="week-leave-notice"]').waitFor()
    expect(await cell(1).getAttribute('data-leave')).toBe('R')
    expect(await cell(2).getAttribute('data-leave')).toBe('R')
    expect(await cell(3).getAttribute('data-leave')).toBeNull()
    const dates = [await cell(1).getAttribute('data-date'), await cell(2).getAttribute('data-date')]
    await until(() => {
      const leaves = [...(office.engine.doc(documentName('ankara', month)).getMap('leaves').values() as IterableIterator<{ toJSON(): Record<string, unknown> }>)].map((m) => m.toJSON())
      return leaves.some((l) => l.leave_type === 'R' && l.first_day === dates[0] && l.last_day === dates[1])
    }, 'the office PC receives the leave')
  })

  it('confirms a computed holiday and adds one', async () => {
    await admin.page.locator('[data-testid="holiday-year"]').fill('2031')
    await admin.page.locator('[data-testid="holiday-year"]').dispatchEvent('change')
    const unconfirmed = admin.page.locator('[data-testid="holiday"][data-confirmed="no"]')
    await unconfirmed.first().waitFor()
    const date = await unconfirmed.first().getAttribute('data-date')
    expect(date).toMatch(/^2031-/)
    await unconfirmed.first().locator('[data-testid="holiday-confirm"]').click()
    await admin.page.locator(`[data-testid="holiday"][data-date="${date}"][data-confirmed="yes"]`).waitFor()
    await admin.page.locator('[data-testid="holiday-date"]').fill('2031-06-02')
    await admin.page.locator('[data-testid="holiday-name"]').fill('İdari izin')
    await admin.page.locator('[data-testid="holiday-half"]').check()
    await admin.page.locator('[data-testid="holiday-add"]').click()
    const added = admin.page.locator('[data-testid="holiday"][data-date="2031-06-02"]')
    await added.waitFor()
    expect(await added.textContent()).toMatch(/İdari izin \(Yarım gün/)
    const listed = (await (await api('/api/holidays/2031')).json()) as { holidays: Array<{ date: string; confirmed: boolean; halfDay: boolean }> }
    expect(listed.holidays.find((h) => h.date === '2031-06-02')).toMatchObject({ confirmed: true, halfDay: true })
    expect(listed.holidays.find((h) => h.date === date)?.confirmed).toBe(true)
  })

  it('reopens the month only with a reason, and logs it', async () => {
    await admin.page.locator('[data-testid="closing-reopen"]').click()
    await admin.page.locator('[data-testid="closing-notice"]', { hasText: 'Yeniden açmak için bir neden yazın' }).waitFor()
    expect(await state(admin.page).getAttribute('data-closed')).toBe('yes')
    await admin.page.locator('[data-testid="reopen-reason"]').fill('bordro düzeltmesi')
    await admin.page.locator('[data-testid="closing-reopen"]').click()
    await state(admin.page).and(admin.page.locator('[data-closed="no"]')).waitFor()
    await admin.page.locator('[data-testid="closing-log"] summary').click()
    const events = admin.page.locator('[data-testid="closing-event"]')
    expect(await events.count()).toBe(2)
    expect(await events.nth(1).textContent()).toMatch(/admin yeniden açtı: bordro düzeltmesi/)
    await until(() => office.engine.state.documents[NAME]?.closed === false, 'the office hears the month reopened')
    await pc.page.locator('[data-testid="tab-sheet"]').click()
    await pc.page.locator('[data-testid="sheet-month"]').fill(MONTH)
    await pc.page.locator('[data-testid="sheet-month"]').dispatchEvent('change')
    await pc.page.locator('rs-sheet [data-testid="sheet-line"]').waitFor()
    await pc.page.locator('[data-testid="month-closed-notice"]').waitFor({ state: 'detached' })
  })
})
