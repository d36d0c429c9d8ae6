/**
 * The legacy files' fleet in the app, in Debian's Chromium against a real relay: an İstanbul and
 * an İzmir clerk import their legacy puantaj.db through the import dialog, and the fleet screens
 * show what the files held — the vehicles with their alerts, the January inspections in their
 * weeks with the checklist and the linked fault, the faults open and closed with what is linked
 * to them, the service visit with its lira, the stock. The head office's fleet panel counts every
 * region's alerts and lists a region's, read-only, exactly as the fleet readers compute them on
 * a Node peer of the same relay.
 */
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import { fleetAlerts, kmEnteredFrom } from '../client/fleetAlerts.ts'
import type { FleetAlertEntry } from '../schema/fleetAlerts.ts'
import { ADMIN_PASSWORD, ROOT } from './helpers/relayProcess.ts'
import { openStoredMonths, removeDir, startPeer } from './helpers/peerEngine.ts'
import { OFFICE_USERS, openPc, screenshot, signIn, waitForPending, type Pc, type UiRelay, uiSuite } from './helpers/uiBrowser.ts'

const FIXTURES = path.join(ROOT, 'test/fixtures/legacy')
const ZEYNEP = { username: 'zeynep', role: 'editor', region: 'izmir', password: 'zeynep-password' } as const

let relay: UiRelay
let browser: Browser
const pcs: Pc[] = []
let istanbul: Page
let today: string

uiSuite([...OFFICE_USERS, ZEYNEP], (suite) => void ({ relay, browser } = suite))

afterAll(async () => {
  for (const pc of pcs) await pc.context.close()
})

const tab = (page: Page, name: string): Promise<void> => page.locator(`[data-testid="tab-${name}"]`).click()
const record = (page: Page, text: string): ReturnType<Page['locator']> => page.locator('[data-testid="record-row"]', { hasText: text })

async function office(username: string, password: string, file: string): Promise<Page> {
  const pc = await openPc(browser, relay.url)
  pcs.push(pc)
  const page = pc.page
  await signIn(page, username, password)
  await page.locator('[data-testid="open-import"]').click()
  await page.locator('[data-testid="import-file"]').setInputFiles(path.join(FIXTURES, file))
  await page.locator('[data-testid="import-stage"][data-stage="preview"]').waitFor()
  await page.locator('[data-testid="import-confirm"]').click()
  await page.locator('[data-testid="import-stage"][data-stage="done"]').waitFor()
  await page.locator('[data-testid="import-close"]').click()
  await waitForPending(page, 0)
  return page
}

/** An alert as the lists show it: how pressing, what, about whom, the sentence. */
const shown = (e: Pick<FleetAlertEntry, 'severity' | 'kind' | 'subject' | 'text'>, lang: 'tr' | 'en' = 'tr'): string => `${e.severity}|${e.kind}|${e.subject}|${e.text[lang]}`

function listed(page: Page, scope: string): Promise<string[]> {
  return page.locator(`${scope} [data-testid="fleet-alert-entry"]`).evaluateAll((rows) =>
    rows.map((r) => [r.getAttribute('data-severity'), r.getAttribute('data-kind'), r.querySelector('[data-testid="alert-subject"]')?.textContent, r.querySelector('[data-testid="alert-text"]')?.textContent].join('|')),
  )
}

describe('the legacy fleet rows in the app', () => {
  it('an İstanbul clerk imports the v1 file: vehicles with their alerts, drivers, stock', async () => {
    istanbul = await office('mehmet', 'mehmet-password', 'legacy-v1-istanbul.db')
    today = await istanbul.evaluate(() => {
      const d = new Date()
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
    })
    await tab(istanbul, 'vehicles')
    await record(istanbul, '34 XY 4567').waitFor()
    expect(await istanbul.locator('[data-testid="record-row"]').count()).toBe(2)
    const kinds = await istanbul.locator('rs-vehicles [data-testid="fleet-alert-entry"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')))
    expect(kinds).toEqual(expect.arrayContaining(['open_fault', 'repeated_failure', 'km_decrease', 'oil']))
    expect(await record(istanbul, '34 ABC 123').locator('[data-testid="fleet-alert"]').allTextContents()).toEqual(
      expect.arrayContaining(['Son iki denetimde olumsuz: Lastik durumu', 'Açık arıza: Fren balatası']),
    )
    await record(istanbul, '34 XY 4567').locator('[data-testid="show-km"]').click()
    const points = istanbul.locator('[data-testid="vehicle-km"] [data-testid="km-point"]')
    expect(await points.evaluateAll((ps) => ps.map((p) => `${p.getAttribute('data-date')} ${p.getAttribute('data-km')} ${p.getAttribute('data-drop')}`))).toEqual([
      '2025-10-01 80500 false',
      '2026-01-19 151400 false',
      `${today} 88000 true`,
    ])
    await screenshot(istanbul, 'fleet-import-vehicles')

    await tab(istanbul, 'drivers')
    expect(await record(istanbul, 'SİBEL ACAR').locator('[data-testid="fleet-alert"]').getAttribute('data-kind')).toBe('license_expiry')
    await tab(istanbul, 'stock')
    await record(istanbul, 'ST87087').waitFor()
    expect(await istanbul.locator('[data-testid="record-row"]').count()).toBe(8)
    await istanbul.locator('rs-stock input[type="search"]').fill('tuz')
    await expect.poll(() => istanbul.locator('[data-testid="record-row"]').count()).toBe(3)
  })

  it('the January inspections in their weeks with the checklist and the linked fault', async () => {
    const page = istanbul
    await tab(page, 'inspections')
    await page.locator('[data-testid="week-go"]').fill('07.01.2026')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.locator('[data-testid="week-label"]').getAttribute('data-monday')).toBe('2026-01-05')
    const abc = page.locator('[data-testid="week-vehicle"][data-vehicle="plate:34ABC123"]')
    await expect.poll(() => abc.getAttribute('data-done')).toBe('true')
    expect(await page.locator('[data-testid="week-vehicle"][data-vehicle="plate:34XY4567"]').getAttribute('data-done')).toBe('false')
    expect(await abc.locator('[data-testid="week-failed"]').textContent()).toBe('1')
    expect(await abc.textContent()).toContain('KEMAL ERDEM')
    expect(await abc.textContent()).toContain('150.000')
    expect(await abc.textContent()).toContain('Fren balatası (Açık)')
    await abc.locator('[data-testid="week-choose"]').click()
    await page.locator('[data-testid="inspection-notice"]', { hasText: '34 ABC 123 bu hafta denetlenmiş (05.01.2026)' }).waitFor()
    expect(await page.locator('[data-testid="answer-tire_condition"]').getAttribute('data-value')).toBe('Olumsuz')
    expect(await page.locator('[data-testid="note-tire_condition"]').inputValue()).toBe('diş derinliği az')
    expect(await page.locator('[data-testid="answer-body_dent"]').getAttribute('data-value')).toBe('Bilinmiyor')
    expect(await page.locator('[data-testid="linked-fault"]').textContent()).toBe('Bağlı arıza: Fren balatası (Açık)')
    await screenshot(page, 'fleet-import-inspection')
    await page.locator('[data-testid="week-next"]').click()
    await page.locator('[data-testid="week-next"]').click()
    await expect.poll(() => page.locator('[data-testid="week-vehicle"][data-vehicle="plate:34XY4567"]').getAttribute('data-done')).toBe('true')
  })

  it('the faults open and closed with their inspections and visit; the visit’s lira and the month’s total', async () => {
    const page = istanbul
    await tab(page, 'faults')
    const brakes = page.locator('[data-testid="fault-row"]', { hasText: 'Fren balatası' })
    expect(await brakes.getAttribute('data-status')).toBe('Acik')
    expect(await page.locator('[data-testid="fault-row"]', { hasText: 'Far arızası' }).count()).toBe(0)
    await page.locator('[data-testid="faults-show-closed"]').check()
    const light = page.locator('[data-testid="fault-row"]', { hasText: 'Far arızası' })
    expect(await light.getAttribute('data-status')).toBe('Kapandi')
    expect(await light.locator('[data-testid="fault-closed-date"]').textContent()).toBe('06.01.2026')
    await brakes.locator('[data-testid="fault-links"]').click()
    expect(await page.locator('[data-testid="fault-inspection"]').allTextContents()).toEqual(['05.01.2026 — 150.000 km', '12.01.2026 — 150.700 km'])
    expect(await page.locator('[data-testid="fault-visit"]').allInnerTexts()).toEqual(['09.01.2026 — Balata değişimi — ₺2.450,50'])

    await tab(page, 'service')
    while ((await page.locator('[data-testid="service-month"]').getAttribute('data-month')) !== '2026-01') await page.locator('[data-testid="service-month-prev"]').click()
    const visit = page.locator('[data-testid="service-row"]')
    await visit.waitFor()
    expect(await visit.innerText()).toContain('Fren balatası')
    expect(await visit.locator('[data-testid="visit-cost"]').textContent()).toBe('₺2.450,50')
    expect(await page.locator('[data-testid="service-month-cost"]').textContent()).toBe('₺2.450,50')
    await screenshot(page, 'fleet-import-service')
    // January is not open on this PC (its rows are held): the edit opens it first, then writes only the cost.
    await visit.locator('[data-testid="service-edit"]').click()
    expect(await page.locator('[data-testid="service-cost"]').inputValue()).toBe('2.450,50')
    await page.locator('[data-testid="service-cost"]').fill('2.500')
    await page.keyboard.press('Enter')
    await expect.poll(() => visit.locator('[data-testid="visit-cost"]').textContent()).toBe('₺2.500,00')
    expect(await visit.innerText()).toContain('Balata değişimi')
    expect(await page.locator('[data-testid="service-month-cost"]').textContent()).toBe('₺2.500,00')
    await waitForPending(page, 0)
  })

  it('the head office’s fleet panel: every region’s alerts counted and listed as the fleet readers compute them, read-only', async () => {
    await office(ZEYNEP.username, ZEYNEP.password, 'legacy-v2-izmir.db')
    const peer = await startPeer(relay.url, 'admin', ADMIN_PASSWORD)
    let expected: FleetAlertEntry[]
    try {
      await peer.engine.whenSynced()
      await openStoredMonths(peer)
      await peer.engine.whenSynced()
      const mirror = await peer.mirror()
      expected = fleetAlerts(mirror, { today, kmEnteredOn: kmEnteredFrom(peer.engine) })
      mirror.close()
    } finally {
      await peer.close()
      removeDir(peer.dir)
    }
    expect(new Set(expected.map((e) => e.region))).toEqual(new Set(['istanbul', 'izmir']))

    const admin = await openPc(browser, `${relay.url}/admin.html`)
    pcs.push(admin)
    const page = admin.page
    await page.locator('rs-sign-in input[name="password"]').fill(ADMIN_PASSWORD)
    await page.locator('rs-sign-in button[type="submit"]').click()
    const panel = page.locator('[data-testid="admin-fleet"]')
    await panel.waitFor()
    const counts = async (): Promise<Record<string, number[]>> =>
      Object.fromEntries(
        await panel.locator('[data-testid="admin-fleet-region"]').evaluateAll((rows) =>
          rows.map((r) => [r.getAttribute('data-region'), [...r.querySelectorAll('td[data-severity], [data-testid="admin-fleet-total"]')].map((c) => Number(c.textContent))]),
        ),
      )
    const want = (region: string): number[] => [...(['due', 'soon', 'check'] as const).map((s) => expected.filter((e) => e.region === region && e.severity === s).length), expected.filter((e) => e.region === region).length]
    await expect.poll(counts).toEqual({ ankara: want('ankara'), istanbul: want('istanbul'), izmir: want('izmir'), bursa: want('bursa') })
    expect(want('ankara')).toEqual([0, 0, 0, 0])

    await panel.locator('[data-testid="admin-fleet-region"][data-region="istanbul"] [data-testid="admin-fleet-show"]').click()
    expect(await panel.locator('[data-testid="admin-fleet-list-title"]').textContent()).toBe('İstanbul: filo uyarıları')
    const istanbulAlerts = expected.filter((e) => e.region === 'istanbul')
    expect(await listed(page, '[data-testid="admin-fleet"]')).toEqual(istanbulAlerts.map((e) => shown(e)))
    // The clerk's own list is the same one.
    await tab(istanbul, 'vehicles')
    expect(await listed(istanbul, 'rs-vehicles [data-testid="fleet-alerts"]')).toEqual(istanbulAlerts.map((e) => shown(e)))
    await screenshot(page, 'fleet-admin-panel')

    await page.locator('[data-testid="lang"]').click()
    await expect.poll(() => panel.locator('[data-testid="admin-fleet-list-title"]').textContent()).toBe('İstanbul: fleet alerts')
    expect(await listed(page, '[data-testid="admin-fleet"]')).toEqual(istanbulAlerts.map((e) => shown(e, 'en')))
    // Nothing to type or choose in it: its only buttons open and close a region's list.
    expect(await panel.locator('input, select, textarea, form').count()).toBe(0)
    expect(new Set(await panel.locator('button').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-testid'))))).toEqual(new Set(['admin-fleet-show']))
    expect(admin.errors).toEqual([])
    for (const pc of pcs) expect(pc.errors).toEqual([])
  })
})
