/**
 * The head office's audit in the admin view, in Debian's Chromium against a real relay: two
 * offices' PCs (Node peers, each signed in with its PC name) edit their regions, two Ankara PCs
 * the same field at once; the admin sees the changes per account and day, filters by table and
 * account (each change with its field old → new), is told of a date that does not exist without
 * losing the list, opens a record's whole history (old → new, the account and PC, the value that
 * lost marked "kaybetti"), and downloads the CSV of the filters shown, read back here.
 *
 * The steps run in order and share the PCs.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import { removeDir, startPeer, type TestPeer } from './helpers/peerEngine.ts'
import { until } from './helpers/relayProcess.ts'
import { ADMIN_PASSWORD, DOWNLOADS, OFFICE_USERS, openPc, screenshot, type Pc, type UiRelay, uiSuite } from './helpers/uiBrowser.ts'

let relay: UiRelay
let browser: Browser
let admin: Pc
const peers: TestPeer[] = []
let ayse: string
let mehmetSheets: string[] = []
let istanbul: TestPeer
let mehmet: string

uiSuite(OFFICE_USERS, (suite) => void ({ relay, browser } = suite))

afterAll(async () => {
  for (const p of peers) await p.close().catch(() => {})
  for (const p of peers) removeDir(p.dir)
})

async function pc(username: string, deviceName: string, region: string): Promise<TestPeer> {
  const peer = await startPeer(relay.url, username, `${username}-password`, { deviceName, engine: { regions: [region] } })
  peers.push(peer)
  return peer
}

const audit = (page: Page): Locator => page.locator('rs-audit')
const rows = (page: Page): Locator => audit(page).locator('[data-testid="audit-row"]')

/** Waits until the audit has answered and every listed change shows what it changed. */
async function settled(page: Page): Promise<void> {
  await audit(page).locator('[data-testid="audit"][data-busy="no"]').waitFor()
  await page.waitForFunction(() => {
    const root = document.querySelector('rainstaff-admin')?.shadowRoot?.querySelector('rs-audit')?.shadowRoot
    return root !== null && root !== undefined && [...root.querySelectorAll('[data-testid="audit-what"]')].every((cell) => !cell.textContent?.includes('…'))
  })
}

async function attributes(list: Locator, name: string): Promise<string[]> {
  return list.evaluateAll((elements, attr) => elements.map((e) => e.getAttribute(attr) ?? ''), name)
}

describe('the audit in the admin view', () => {
  it('two offices edit; the admin sees the changes per account and day', async () => {
    const desk = await pc('ayse', 'ANKARA-MASA', 'ankara')
    const laptop = await pc('ayse', 'ANKARA-DIZUSTU', 'ankara')
    istanbul = await pc('mehmet', 'IST-MASA', 'istanbul')
    ayse = desk.engine.insert('employees', { full_name: 'Ayşe Yılmaz', title: 'Usta' })
    desk.engine.insert('timesheets', { employee_id: ayse, work_date: new Date().toISOString().slice(0, 10), start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0 })
    await desk.engine.whenSynced()
    desk.engine.update('employees', ayse, { title: 'Kalfa' })
    await desk.engine.whenSynced()
    await until(() => laptop.engine.record('employees', ayse, 'ankara')?.title === 'Kalfa', 'the laptop sees Kalfa')
    // The same field on two PCs that cannot see each other: one value loses.
    desk.engine.disconnect()
    laptop.engine.disconnect()
    desk.engine.update('employees', ayse, { department: 'DEPO' })
    laptop.engine.update('employees', ayse, { department: 'ÜRETİM' })
    desk.engine.connect()
    laptop.engine.connect()
    await desk.engine.whenSynced()
    await laptop.engine.whenSynced()

    mehmet = istanbul.engine.insert('employees', { full_name: 'Mehmet Demir' })
    mehmetSheets = ['01', '02'].map((d) =>
      istanbul.engine.insert('timesheets', { employee_id: mehmet, work_date: `${new Date().toISOString().slice(0, 7)}-${d}`, start_time: '09:00', end_time: '18:00', break_minutes: 60, is_special: 0 }),
    )
    await istanbul.engine.whenSynced()
    istanbul.engine.update('timesheets', mehmetSheets[0]!, { notes: 'geç geldi' })
    await istanbul.engine.whenSynced()

    admin = await openPc(browser, `${relay.url}/admin.html`)
    await admin.page.locator('rs-sign-in input[name="password"]').fill(ADMIN_PASSWORD)
    await admin.page.locator('rs-sign-in button[type="submit"]').click()
    await settled(admin.page)
    const days = audit(admin.page).locator('[data-testid="audit-day"]')
    expect(new Set(await attributes(days, 'data-account'))).toEqual(new Set(['ayse', 'mehmet']))
    expect(await audit(admin.page).locator('[data-testid="audit-day"][data-account="mehmet"]').getAttribute('data-region')).toBe('istanbul')
    // The summary counts what the list pages through: every row is one record an update wrote.
    const total = Number(await audit(admin.page).locator('[data-testid="audit-summary"]').getAttribute('data-total'))
    expect(await rows(admin.page).count()).toBe(total)
    expect(await audit(admin.page).locator('[data-testid="audit-per-account"] g[data-label="ayse"]').count()).toBe(1)
    // Times as the office writes them: DD.MM.YYYY SS:DD.
    expect(await rows(admin.page).first().locator('td').first().textContent()).toMatch(/^\d\d\.\d\d\.\d{4} \d\d:\d\d$/)
    await screenshot(admin.page, 'audit-all')
  })

  it('filters by table and by account, each change with its fields old → new', async () => {
    await audit(admin.page).locator('[data-testid="audit-table"]').selectOption('timesheets')
    await settled(admin.page)
    expect(new Set(await attributes(rows(admin.page), 'data-table'))).toEqual(new Set(['timesheets']))
    expect(await rows(admin.page).count()).toBe(4) // Ayşe's one, Mehmet's two and his note

    await audit(admin.page).locator('[data-testid="audit-account"]').fill('mehmet')
    await audit(admin.page).locator('[data-testid="audit-show"]').click()
    await settled(admin.page)
    expect(await attributes(rows(admin.page), 'data-account')).toEqual(['mehmet', 'mehmet', 'mehmet'])
    const note = rows(admin.page).filter({ hasText: 'geç geldi' })
    expect((await note.locator('[data-testid="audit-what"]').textContent())?.replace(/\s+/g, ' ').trim()).toBe('Not: — → geç geldi')
    expect(await note.locator('[data-testid="audit-record"]').textContent()).toMatch(/^Mehmet Demir 01\.\d\d\.\d{4}$/)
    expect(await note.textContent()).toContain('IST-MASA')
    expect(await note.textContent()).toContain('İstanbul')
    expect(await note.textContent()).toContain('Puantaj')
  })

  it('a date that does not exist is refused with its reason; the list stays', async () => {
    const before = await attributes(rows(admin.page), 'data-seq')
    await audit(admin.page).locator('[data-testid="audit-from"]').fill('30.02.2026')
    await audit(admin.page).locator('[data-testid="audit-from"]').press('Enter')
    await expect.poll(() => audit(admin.page).locator('[data-testid="audit-error"]').textContent()).toMatch(/Şubat 2026.*30 gün yok/)
    expect(await attributes(rows(admin.page), 'data-seq')).toEqual(before)
    // A day range in Türkiye days: today only keeps them all; a past year none.
    const today = new Date().toLocaleDateString('tr-TR', { timeZone: 'Europe/Istanbul', day: '2-digit', month: '2-digit', year: 'numeric' })
    await audit(admin.page).locator('[data-testid="audit-from"]').fill(today)
    await audit(admin.page).locator('[data-testid="audit-to"]').fill(today)
    await audit(admin.page).locator('[data-testid="audit-show"]').click()
    await settled(admin.page)
    expect(await audit(admin.page).locator('[data-testid="audit-error"]').count()).toBe(0)
    expect(await attributes(rows(admin.page), 'data-seq')).toEqual(before)
    await audit(admin.page).locator('[data-testid="audit-from"]').fill('01.01.2001')
    await audit(admin.page).locator('[data-testid="audit-to"]').fill('31.12.2001')
    await audit(admin.page).locator('[data-testid="audit-show"]').click()
    await audit(admin.page).locator('[data-testid="audit-none"]').waitFor()
    await audit(admin.page).locator('[data-testid="audit-clear"]').click()
    await settled(admin.page)
  })

  it('a click on a change opens the record’s whole history: old → new, the account and PC, the lost value marked', async () => {
    await audit(admin.page).locator('[data-testid="audit-table"]').selectOption('employees')
    await audit(admin.page).locator('[data-testid="audit-account"]').fill('ayse')
    await audit(admin.page).locator('[data-testid="audit-show"]').click()
    await settled(admin.page)
    const title = rows(admin.page).filter({ hasText: 'Kalfa' })
    expect((await title.locator('[data-testid="audit-what"]').textContent())?.replace(/\s+/g, ' ').trim()).toBe('Unvan: Usta → Kalfa')
    // Both PCs' departments are listed, one of them marked as having lost.
    expect(await audit(admin.page).locator('[data-testid="audit-list"] [data-testid="lost"]').count()).toBe(1)
    await title.click()

    const history = audit(admin.page).locator('rs-record-history [data-testid="record-history"][data-loaded="yes"]')
    await history.waitFor()
    expect(await history.locator('h3').textContent()).toContain('Çalışanlar · Ayşe Yılmaz')
    const changes = history.locator('[data-testid="history-change"]')
    const titles = changes.and(admin.page.locator('[data-field="title"]'))
    expect((await titles.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual([
      expect.stringMatching(/ayse ANKARA-MASA Ankara Unvan: — → Usta$/),
      expect.stringMatching(/ayse ANKARA-MASA Ankara Unvan: Usta → Kalfa$/),
    ])
    const departments = changes.and(admin.page.locator('[data-field="department"]'))
    expect(await departments.count()).toBe(2)
    const lost = departments.and(admin.page.locator('[data-lost="yes"]'))
    expect(await lost.count()).toBe(1)
    expect(await lost.locator('[data-testid="lost"]').textContent()).toBe('kaybetti')
    expect(new Set((await departments.allTextContents()).map((t) => /(ANKARA-\w+).*Bölüm: — → (\S+)/.exec(t.replace(/\s+/g, ' '))?.slice(1).join('='))))
      .toEqual(new Set(['ANKARA-MASA=DEPO', 'ANKARA-DIZUSTU=ÜRETİM']))
    await screenshot(admin.page, 'audit-history')

    // In English the same history, the mark in English.
    await admin.page.locator('[data-testid="lang"]').click()
    await expect.poll(() => lost.locator('[data-testid="lost"]').textContent()).toBe('lost')
    await admin.page.locator('[data-testid="lang"]').click()
    await audit(admin.page).locator('[data-testid="history-close"]').click()
    expect(await audit(admin.page).locator('rs-record-history').count()).toBe(0)
  })

  it('downloads the relay’s CSV of the filters shown', async () => {
    await audit(admin.page).locator('[data-testid="audit-table"]').selectOption('timesheets')
    await audit(admin.page).locator('[data-testid="audit-account"]').fill('mehmet')
    await audit(admin.page).locator('[data-testid="audit-show"]').click()
    await settled(admin.page)
    const shown = await attributes(rows(admin.page), 'data-seq')
    const [download] = await Promise.all([admin.page.waitForEvent('download'), audit(admin.page).locator('[data-testid="audit-csv"]').click()])
    expect(download.suggestedFilename()).toMatch(/^denetim_mehmet_timesheets_\d{4}-\d\d-\d\d\.csv$/)
    const file = path.join(DOWNLOADS, download.suggestedFilename())
    await download.saveAs(file)
    const bytes = readFileSync(file)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]) // the BOM Excel reads UTF-8 by
    const [header, ...lines] = bytes.toString('utf8').slice(1).trim().split('\r\n')
    expect(header).toBe('at,region,document,account,device,device_name,table,record_id,seq')
    const csv = lines.map((line) => line.split(','))
    expect(csv.map((c) => c[3])).toEqual(['mehmet', 'mehmet', 'mehmet'])
    expect(new Set(csv.map((c) => c[6]))).toEqual(new Set(['timesheets']))
    expect(new Set(csv.map((c) => c[1]))).toEqual(new Set(['istanbul']))
    expect(csv.map((c) => c[8])).toEqual(shown)
    expect(new Set(csv.map((c) => c[7]))).toEqual(new Set(mehmetSheets))
    expect(admin.errors).toEqual([])
    expect(admin.cspViolations).toEqual([])
  })

  it('pages through more changes than a page holds, forwards and back', async () => {
    const added = Array.from({ length: 55 }, (_, i) => istanbul.engine.insert('employees', { full_name: `Personel ${i + 1}` }))
    await istanbul.engine.whenSynced()
    await audit(admin.page).locator('[data-testid="audit-table"]').selectOption('employees')
    await settled(admin.page)
    // Mehmet Demir and the 55 new ones: a page of 50, then 6.
    expect(await audit(admin.page).locator('[data-testid="audit-summary"]').getAttribute('data-total')).toBe('56')
    expect(await rows(admin.page).count()).toBe(50)
    const first = await attributes(rows(admin.page), 'data-id')
    await audit(admin.page).locator('[data-testid="audit-next"]').click()
    await audit(admin.page).locator('[data-testid="audit-page"]', { hasText: 'Sayfa 2' }).waitFor()
    await settled(admin.page)
    const second = await attributes(rows(admin.page), 'data-id')
    expect(second).toHaveLength(6)
    expect(new Set([...first, ...second])).toEqual(new Set([mehmet, ...added]))
    expect(await audit(admin.page).locator('[data-testid="audit-next"]').isDisabled()).toBe(true)
    await audit(admin.page).locator('[data-testid="audit-prev"]').click()
    await audit(admin.page).locator('[data-testid="audit-page"]', { hasText: 'Sayfa 1' }).waitFor()
    await settled(admin.page)
    expect(await attributes(rows(admin.page), 'data-id')).toEqual(first)
  })
})
