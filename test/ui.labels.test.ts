/**
 * "Data entry a clerk can trust", the rest of items 4 and 5, in Debian's Chromium against a real
 * relay: conflicts named as people know the record (employee and date, plate) and who lost on
 * which PC, after two Ankara PCs edited the same fields while cut off from each other; cut-off
 * text in lists and dropdowns shown in full on hover; settings refusals beside their field.
 * The tests run in order and share the PCs.
 */
import type { Browser, Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { markedFields, OFFICE_USERS, openPc, screenshot, signIn, waitForPending, type Pc, type UiRelay, uiSuite } from './helpers/uiBrowser.ts'

let relay: UiRelay
let browser: Browser

/** One office PC: who is signed in on it and the device name it shows other PCs. */
interface Office {
  readonly pc: Pc
  readonly user: string
  device: string
}
let ayse: Office
let fatma: Office
/** The browser's today, `YYYY-MM-DD`: a timesheet of today asks no plausibility question. */
let today: string
const typed = (iso: string): string => iso.split('-').reverse().join('.')

const FATMA = { username: 'fatma', role: 'editor', region: 'ankara', password: 'fatma-password' } as const

uiSuite([...OFFICE_USERS, FATMA], (suite) => void ({ relay, browser } = suite))

function tab(page: Page, name: string): Promise<void> {
  return page.locator(`[data-testid="tab-${name}"]`).click()
}

const recordRow = (page: Page, text: string): Locator => page.locator('[data-testid="record-row"]', { hasText: text })

async function office(user: string, password: string): Promise<Office> {
  const pc = await openPc(browser, relay.url)
  await signIn(pc.page, user, password)
  const device = await pc.page.evaluate(() => localStorage.getItem('rainstaff.device'))
  expect(device).toMatch(/^PC-[0-9A-F]{4}$/)
  return { pc, user, device: device ?? '' }
}

/** Both PCs change the same two fields while neither sees the other, then come back online. */
async function editApart(values: ReadonlyMap<Office, { notes: string; model: string }>): Promise<void> {
  for (const o of values.keys()) await o.pc.context.setOffline(true)
  for (const o of values.keys()) await o.pc.page.locator('[data-testid="connection"][data-online="false"]').waitFor()
  for (const [o, v] of values) {
    const page = o.pc.page
    await tab(page, 'puantaj')
    await page.locator('[data-testid="timesheet-row"]').locator('[data-edit]', { hasText: 'Düzenle' }).click()
    await page.locator('[data-testid="entry-notes"]').fill(v.notes)
    await page.locator('[data-testid="entry-save"]').click()
    await page.locator('[data-testid="timesheet-row"]', { hasText: v.notes }).waitFor()
    await tab(page, 'vehicles')
    await recordRow(page, '06 ABC 123').locator('[data-edit]', { hasText: 'Düzenle' }).click()
    await page.locator('[data-testid="record-form"] input[name="model"]').fill(v.model)
    await page.locator('[data-testid="record-form"] button[type="submit"]').click()
    await recordRow(page, v.model).waitFor()
  }
  for (const o of values.keys()) await o.pc.context.setOffline(false)
  for (const o of values.keys()) await waitForPending(o.pc.page, 0)
}

/** A field conflict row on the conflicts screen, found by the record it names. */
const conflictRow = (page: Page, record: string): Locator =>
  page.locator('[data-testid="field-conflict"]').filter({ has: page.locator('[data-testid="conflict-record"]', { hasText: record }) })

/** A cell's text as shown: the value, then (after its line break) who wrote it and when. */
const cell = async (row: Locator, which: 'record' | 'kept' | 'lost'): Promise<string> => (await row.locator(`[data-testid="conflict-${which}"]`).innerText()).replace(/\s+/g, ' ').trim()

describe('conflicts named as people know them, cut-off text on hover, settings refusals at their field', () => {
  it('a concurrent edit on two Ankara PCs: labelled by employee and date and by plate; the losing write by its account and PC', async () => {
    ayse = await office('ayse', 'ayse-password')
    today = await ayse.pc.page.evaluate(() => {
      const d = new Date()
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
    })
    const page = ayse.pc.page
    await tab(page, 'employees')
    await page.locator('[data-testid="record-form"] input[name="full_name"]').fill('Ayşe Yılmaz')
    await page.locator('[data-testid="record-form"] button[type="submit"]').click()
    await recordRow(page, 'Ayşe Yılmaz').waitFor()
    await tab(page, 'vehicles')
    const vehicle = page.locator('[data-testid="record-form"]')
    await vehicle.locator('input[name="plate"]').fill('06 abc 123')
    await vehicle.locator('input[name="brand"]').fill('Fiat')
    await vehicle.locator('input[name="model"]').fill('Doblo')
    await vehicle.locator('button[type="submit"]').click()
    await recordRow(page, '06 ABC 123').waitFor()
    await tab(page, 'puantaj')
    await page.locator('[data-testid="entry-employee"]').selectOption({ label: 'Ayşe Yılmaz' })
    await page.locator('[data-testid="entry-date"]').fill(typed(today))
    await page.locator('[data-testid="entry-start_time"]').fill('08:00')
    await page.locator('[data-testid="entry-end_time"]').fill('17:00')
    await page.locator('[data-testid="entry-break_minutes"]').fill('60')
    await page.locator('[data-testid="entry-save"]').click()
    await page.locator('[data-testid="timesheet-row"]').waitFor()
    await waitForPending(page, 0)

    // A second account of the same office, on its own PC, sees the same records.
    fatma = await office('fatma', FATMA.password)
    await tab(fatma.pc.page, 'vehicles')
    await recordRow(fatma.pc.page, '06 ABC 123').waitFor()
    await tab(fatma.pc.page, 'puantaj')
    await fatma.pc.page.locator('[data-testid="timesheet-row"]').waitFor()

    const wrote = new Map([
      [ayse, { notes: 'Ayşe PC notu', model: 'Doblo Maxi' }],
      [fatma, { notes: 'Fatma PC notu', model: 'Doblo Cargo' }],
    ])
    await editApart(wrote)

    const timesheetName = `Puantaj: Ayşe Yılmaz, ${typed(today)}`
    const vehicleName = 'Araçlar: 06 ABC 123'
    for (const o of [ayse, fatma]) {
      await tab(o.pc.page, 'conflicts')
      await conflictRow(o.pc.page, timesheetName).waitFor()
      await conflictRow(o.pc.page, vehicleName).waitFor()
      expect(await o.pc.page.locator('[data-testid="field-conflict"]').count()).toBe(2)
      // Named as a person knows the record: no internal id anywhere on the screen.
      expect(await o.pc.page.locator('[data-testid="field-conflicts"]').textContent()).not.toMatch(/[A-Za-z0-9]{16}|plate:/)
    }

    // Yjs keeps one write of each field, chosen by client id; a PC writes the timesheet's month
    // and the vehicle's master data with different ids, so each record has its own losing PC.
    // Only that PC can say "bu bilgisayar"; the other names it by the device name it announces
    // (with every client id it writes: a conflict in a month is named too).
    const sides = new Map<string, { loser: typeof ayse; winner: typeof ayse }>()
    for (const record of [timesheetName, vehicleName]) {
      const says = await Promise.all([ayse, fatma].map(async (o) => (await cell(conflictRow(o.pc.page, record), 'lost')).includes('(bu bilgisayar)')))
      expect(says.filter(Boolean), record).toHaveLength(1)
      sides.set(record, says[0] ? { loser: ayse, winner: fatma } : { loser: fatma, winner: ayse })
    }
    const { loser, winner } = sides.get(vehicleName)!
    for (const [record, field] of [
      [timesheetName, 'notes'],
      [vehicleName, 'model'],
    ] as const) {
      const side = sides.get(record)!
      // A PC that comes back online is announced again at its next presence renewal (Yjs
      // awareness, every 15 s), not at once: the screen redraws when it arrives.
      await expect
        .poll(() => cell(conflictRow(side.winner.pc.page, record), 'lost'), { timeout: 40_000, interval: 500 })
        .toContain(`${side.loser.user} (${side.loser.device}), `)
      for (const o of [ayse, fatma]) {
        const row = conflictRow(o.pc.page, record)
        const kept = await cell(row, 'kept')
        const lost = await cell(row, 'lost')
        expect(kept.startsWith(`${wrote.get(side.winner)![field]} ${side.winner.user}, `), kept).toBe(true)
        const by = o === side.loser ? `${side.loser.user} (bu bilgisayar), ` : `${side.loser.user} (${side.loser.device}), `
        expect(lost.startsWith(`${wrote.get(side.loser)![field]} ${by}`), lost).toBe(true)
        // Only the losing write's PC is known (its client id is in the conflict): the kept one names its account.
        expect(kept).not.toContain('(')
      }
    }
    await screenshot(loser.pc.page, 'labels-conflicts-losing-pc')
    await screenshot(winner.pc.page, 'labels-conflicts-other-pc')

    // The same labels in English on the losing PC.
    await loser.pc.page.locator('[data-testid="lang"]').click()
    expect(await cell(conflictRow(loser.pc.page, 'Vehicles: 06 ABC 123'), 'lost')).toContain(`${loser.user} (this PC), `)
    expect(await conflictRow(loser.pc.page, 'Timesheets: Ayşe Yılmaz, ').count()).toBe(1)
    await loser.pc.page.locator('[data-testid="lang"]').click()
    await conflictRow(loser.pc.page, timesheetName).waitFor()
  })

  it('at 1024 px a cut-off name shows in full on hover, in the list and in the dropdown; text that fits gets no title', async () => {
    const page = ayse.pc.page
    await page.setViewportSize({ width: 1024, height: 800 })
    const longName = `Ayşe ${'Uzunisimoğlu '.repeat(14)}Yılmaz`.slice(0, 200).trim()
    await tab(page, 'employees')
    const form = page.locator('[data-testid="record-form"]')
    await form.locator('input[name="full_name"]').fill(longName)
    await form.locator('input[name="department"]').fill('Muhasebe')
    await form.locator('button[type="submit"]').click()
    const row = recordRow(page, 'Muhasebe')
    await row.waitFor()

    const name = row.locator('td').nth(0)
    expect(await name.getAttribute('title')).toBeNull()
    await name.hover()
    await expect.poll(() => name.getAttribute('title')).toBe(longName)
    const department = row.locator('td').nth(2)
    expect(await department.textContent()).toBe('Muhasebe')
    await department.hover()
    expect(await department.getAttribute('title')).toBeNull()
    // The short name of the other employee fits its cell: no tooltip either.
    const short = recordRow(page, 'Ayşe Yılmaz').filter({ hasNotText: 'Uzunisimoğlu' }).locator('td').nth(0)
    await short.hover()
    expect(await short.getAttribute('title')).toBeNull()
    await screenshot(page, 'labels-long-name-list')

    await tab(page, 'puantaj')
    const select = page.locator('[data-testid="entry-employee"]')
    await select.selectOption({ label: longName })
    await select.hover()
    await expect.poll(() => select.getAttribute('title')).toBe(longName)
    expect(await select.locator('option', { hasText: 'Uzunisimoğlu' }).getAttribute('title')).toBe(longName)
    expect(await select.locator('option', { hasText: /^Ayşe Yılmaz$/ }).getAttribute('title')).toBeNull()
    // Chosen again with a name that fits, the select's tooltip goes.
    await select.selectOption({ label: 'Ayşe Yılmaz' })
    await page.locator('[data-testid="entry-notes"]').hover()
    await select.hover()
    await expect.poll(() => select.getAttribute('title')).toBeNull()
    await page.setViewportSize({ width: 1366, height: 900 })
  })

  it('settings: a refusal is shown beside its field in the UI language only, the field marked; the language switch re-reads it', async () => {
    const page = ayse.pc.page
    await tab(page, 'settings')
    const form = page.locator('[data-testid="settings-form"]')
    await form.locator('input[name="weekday_hours"]').fill('25')
    await form.locator('button[type="submit"]').click()
    await form.locator('[data-testid="settings-error"]').waitFor()
    expect(await markedFields(form)).toEqual({ weekday_hours: 'Hafta içi saat 0 ile 24 arasında bir sayı olmalı (ör. 9 veya 7,5)' })
    await screenshot(page, 'labels-settings-marked')
    await page.locator('[data-testid="lang"]').click()
    expect(await markedFields(form)).toEqual({ weekday_hours: 'Weekday hours must be a number from 0 to 24 (e.g. 9 or 7.5)' })
    await page.locator('[data-testid="lang"]').click()

    await form.locator('input[name="weekday_hours"]').fill('')
    await form.locator('input[name="saturday_start"]').fill('14:00')
    await form.locator('input[name="saturday_end"]').fill('13:00')
    await form.locator('button[type="submit"]').click()
    await expect.poll(() => markedFields(form)).toEqual({ saturday_end: 'Cumartesi bitişi başlangıçtan sonra olmalı' })

    // The schema's own limit (4,000 characters): its refusal is about the record's value, here
    // the company name's input.
    await form.locator('input[name="saturday_start"]').fill('')
    await form.locator('input[name="saturday_end"]').fill('')
    await form.locator('input[name="company_name"]').fill('R'.repeat(4001))
    await form.locator('button[type="submit"]').click()
    await expect.poll(async () => Object.keys(await markedFields(form))).toEqual(['company_name'])
    const limit = (await markedFields(form)).company_name
    expect(limit).toContain('en fazla 4000 karakter olabilir (4001 karakter)')
    expect(limit).not.toContain(' / ')

    await form.locator('input[name="company_name"]').fill('RAINWATER ANKARA')
    await form.locator('button[type="submit"]').click()
    await page.locator('rs-settings .ok').waitFor()
    expect(await markedFields(form)).toEqual({})
    expect(await form.locator('[data-testid="settings-error"]').count()).toBe(0)
  })

  it('no PC logged a page error', () => {
    expect([...ayse.pc.errors, ...fatma.pc.errors]).toEqual([])
  })
})
