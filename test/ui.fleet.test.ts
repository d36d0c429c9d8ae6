/**
 * The fleet screens in Debian's Chromium against a real relay, typed from the keyboard by an
 * Ankara clerk: a weekly inspection entered with the answer keys and Enter, shown done in the
 * week (and the next vehicle offered); a fault opened from its Olumsuz item in one step, followed
 * up and closed (a closing date before the opening refused); service visits with Turkish costs
 * (an ambiguous 1.5 refused) and their totals; stock found by search and an existing serial not
 * overwritten; the alerts and the km history with a drop; a closed month's week and another
 * region read-only. What the relay holds is read back from its export.
 *
 * The steps run in order and share the PC.
 */
import type { Browser, Locator, Page } from 'playwright-core'
import { readFileSync } from 'node:fs'
import ExcelJS from 'exceljs'
import initSqlJs from 'sql.js'
import { describe, expect, it } from 'vitest'
import { currentPeriod, documentName, shiftPeriod } from '../schema/periods.ts'
import { ADMIN_PASSWORD, tokenFor } from './helpers/relayProcess.ts'
import { removeDir, startPeer } from './helpers/peerEngine.ts'
import { markedFields, OFFICE_USERS, openPc, screenshot, signIn, waitForPending, type Pc, type UiRelay, uiSuite } from './helpers/uiBrowser.ts'

let relay: UiRelay
let browser: Browser
let pc: Pc
let today: string

uiSuite(OFFICE_USERS, async (suite) => {
  ;({ relay, browser } = suite)
  pc = await openPc(browser, relay.url)
  await signIn(pc.page, 'ayse', 'ayse-password')
  today = await pc.page.evaluate(() => {
    const d = new Date()
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
  })
})

const typed = (iso: string): string => iso.split('-').reverse().join('.')
const addDays = (iso: string, days: number): string => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
const mondayOf = (iso: string): string => addDays(iso, -((new Date(`${iso}T00:00:00Z`).getUTCDay() + 6) % 7))
const tab = (page: Page, name: string): Promise<void> => page.locator(`[data-testid="tab-${name}"]`).click()
const record = (page: Page, text: string): Locator => page.locator('[data-testid="record-row"]', { hasText: text })
const weekRow = (page: Page, vehicle: string): Locator => page.locator(`[data-testid="week-vehicle"][data-vehicle="${vehicle}"]`)

/** The element the keyboard is on, through the shadow roots: its data-testid. */
async function focused(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    let active: Element | null = document.activeElement
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement
    return active?.getAttribute('data-testid') ?? active?.tagName ?? null
  })
}

/** Rows of the relay's merged Ankara data (its SQLite export): what every PC syncs to. */
async function relayRows(sql: string): Promise<unknown[][]> {
  const token = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
  const res = await fetch(`${relay.url}/api/export/ankara.sqlite`, { headers: { authorization: `Bearer ${token}` } })
  expect(res.status).toBe(200)
  const SQL = await initSqlJs()
  const db = new SQL.Database(new Uint8Array(await res.arrayBuffer()))
  try {
    return db.exec(sql)[0]?.values ?? []
  } finally {
    db.close()
  }
}

async function addVehicle(page: Page, fields: Record<string, string>): Promise<void> {
  const form = page.locator('[data-testid="record-form"]')
  for (const [name, value] of Object.entries(fields)) await form.locator(`input[name="${name}"]`).fill(value)
  await form.locator('button[type="submit"]').click()
}

describe('the fleet screens, by keyboard', () => {
  it('a weekly inspection typed with the answer keys and saved with Enter is shown done in the week, and the next vehicle is offered', async () => {
    const page = pc.page
    await tab(page, 'vehicles')
    await addVehicle(page, { plate: '06 abc 123', km: '35000', oil_change_km: '22500' })
    await record(page, '06 ABC 123').waitFor()
    await addVehicle(page, { plate: '06 XYZ 99' })
    await record(page, '06 XYZ 99').waitFor()
    await tab(page, 'drivers')
    await addVehicle(page, { full_name: 'Ali Veli', license_class: 'B' })
    await record(page, 'Ali Veli').waitFor()

    await page.keyboard.press('Alt+Shift+1')
    await page.locator('[data-testid="tab-inspections"][aria-current="page"]').waitFor()
    expect(await page.locator('[data-testid="tab-inspections"]').getAttribute('title')).toBe('Alt+Shift+1')
    const progress = page.locator('[data-testid="inspection-progress"]')
    expect(await progress.textContent()).toContain('2 aracın 0 tanesi denetlendi, 2 araç bekliyor')
    expect(await page.locator('[data-testid="week-label"]').getAttribute('data-monday')).toBe(mondayOf(today))
    expect(await weekRow(page, 'plate:06ABC123').getAttribute('data-done')).toBe('false')

    await page.locator('[data-testid="inspection-vehicle_id"]').selectOption({ label: '06 ABC 123' })
    await page.locator('[data-testid="inspection-vehicle_id"]').focus()
    await page.keyboard.press('Tab')
    expect(await focused(page)).toBe('inspection-driver_id')
    await page.locator('[data-testid="inspection-driver_id"]').selectOption({ label: 'Ali Veli' })
    await page.keyboard.press('Tab')
    expect(await focused(page)).toBe('inspection-inspection_date')
    expect(await page.locator('[data-testid="inspection-inspection_date"]').inputValue()).toBe(typed(today))
    await page.keyboard.press('Tab')
    await page.keyboard.type('36.200')
    await page.keyboard.press('Tab')
    expect(await focused(page)).toBe('answer-body_dent')
    for (const key of ['1', '+', '3', '1']) await page.keyboard.press(key)
    expect(await focused(page)).toBe('answer-tire_condition')
    // Olumsuz goes to its own note; the next answer key waits for the next item.
    await page.keyboard.press('-')
    expect(await focused(page)).toBe('note-tire_condition')
    await page.keyboard.type('diş derinliği az')
    // The fault it may open is one Tab away, the next item one more.
    await page.keyboard.press('Tab')
    expect(await focused(page)).toBe('open-fault-tire_condition')
    await page.keyboard.press('Tab')
    expect(await focused(page)).toBe('answer-lights')
    for (const key of ['1', '1', '2']) await page.keyboard.press(key)
    expect(await focused(page)).toBe('note-warning_lamps')
    await page.keyboard.press('Shift+Tab')
    await page.keyboard.press('ArrowRight')
    expect(await page.locator('[data-testid="answer-warning_lamps"]').getAttribute('data-value')).toBe('Bilinmiyor')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    await page.keyboard.press('?')
    expect(await focused(page)).toBe('inspection-notes')
    await page.keyboard.type('Haftalık kontrol')
    await screenshot(page, 'fleet-inspection-typed')
    await page.keyboard.press('Enter')

    await page.locator('[data-testid="inspection-notice"]', { hasText: '06 ABC 123 denetimi kaydedildi' }).waitFor()
    await expect.poll(() => weekRow(page, 'plate:06ABC123').getAttribute('data-done')).toBe('true')
    expect(await weekRow(page, 'plate:06ABC123').locator('[data-testid="week-failed"]').textContent()).toBe('1')
    expect(await progress.textContent()).toContain('2 aracın 1 tanesi denetlendi, 1 araç bekliyor')
    expect(await page.locator('[data-testid="inspection-vehicle_id"]').inputValue()).toBe('plate:06XYZ99')
    expect(await focused(page)).toBe('inspection-driver_id')
    await screenshot(page, 'fleet-inspection-week')

    await waitForPending(page, 0)
    const results = await relayRows(
      `SELECT r.item_key, r.status, coalesce(r.note, '') FROM vehicle_inspection_results r JOIN vehicle_inspections i ON i.id = r.inspection_id
        WHERE i.vehicle_id = 'plate:06ABC123' ORDER BY r.item_key`,
    )
    expect(Object.fromEntries(results.map(([item, status, note]) => [item, `${status}${note ? ` ${note}` : ''}`]))).toEqual({
      body_dent: 'Olumlu',
      paint_damage: 'Olumlu',
      interior_clean: 'Bilinmiyor',
      smoke_smell: 'Olumlu',
      tire_condition: 'Olumsuz diş derinliği az',
      lights: 'Olumlu',
      glass: 'Olumlu',
      warning_lamps: 'Bilinmiyor',
      water_level: 'Bilinmiyor',
    })
    expect(await relayRows(`SELECT inspection_date, week_start, km, driver_id IS NOT NULL, notes FROM vehicle_inspections`)).toEqual([[today, mondayOf(today), 36200, 1, 'Haftalık kontrol']])
    // The same vehicle chosen again opens its inspection of the week instead of starting a second one.
    await page.locator('[data-testid="inspection-vehicle_id"]').selectOption({ label: '06 ABC 123' })
    await page.locator('[data-testid="inspection-notice"]', { hasText: `06 ABC 123 bu hafta denetlenmiş (${typed(today)}): o denetim düzenleniyor` }).waitFor()
    expect(await page.locator('[data-testid="inspection-km"]').inputValue()).toBe('36200')
    await page.locator('[data-testid="inspection-cancel"]').click()
  })

  it('an Olumsuz item opens a fault in one step, linked to the inspection; the fault is followed up and closed, a date before its opening refused', async () => {
    const page = pc.page
    await weekRow(page, 'plate:06ABC123').locator('[data-testid="week-choose"]').click()
    await page.locator('[data-testid="inspection-notice"]', { hasText: '06 ABC 123 bu hafta denetlenmiş' }).waitFor()
    expect(await page.locator('[data-testid="answer-tire_condition"]').getAttribute('data-value')).toBe('Olumsuz')
    await page.locator('[data-testid="open-fault-tire_condition"]').focus()
    await page.keyboard.press('Enter')
    await page.locator('[data-testid="inspection-notice"]', { hasText: 'Arıza açıldı ve denetime bağlandı: Lastik durumu (06 ABC 123)' }).waitFor()
    expect(await page.locator('[data-testid="linked-fault"]').textContent()).toBe('Bağlı arıza: Lastik durumu (Açık)')
    await expect.poll(() => weekRow(page, 'plate:06ABC123').textContent()).toContain('Lastik durumu (Açık)')
    const alert = page.locator('rs-fleet-alerts [data-testid="fleet-alert-entry"][data-kind="open_fault"]')
    expect(await alert.locator('[data-testid="alert-text"]').textContent()).toBe(`06 ABC 123: açık arıza: Lastik durumu, ${typed(today)} tarihinden beri`)
    // Still one inspection of the vehicle this week: the fault went onto it.
    await waitForPending(page, 0)
    const [[faultId, title, description, opened, status]] = (await relayRows('SELECT id, title, description, opened_date, status FROM vehicle_faults')) as string[][]
    expect([title, description, opened, status]).toEqual(['Lastik durumu', 'diş derinliği az', today, 'Acik'])
    expect(await relayRows(`SELECT fault_id, fault_status FROM vehicle_inspections`)).toEqual([[faultId, 'Acik']])

    await page.keyboard.press('Alt+Shift+2')
    const row = page.locator('[data-testid="fault-row"]', { hasText: 'Lastik durumu' })
    await row.waitFor()
    expect(await row.textContent()).toContain('diş derinliği az')
    await row.locator('[data-testid="fault-links"]').click()
    expect(await page.locator('[data-testid="fault-inspection"]').allTextContents()).toEqual([`${typed(today)} — 36.200 km`])
    await row.locator('[data-testid="fault-follow"]').click()
    await expect.poll(() => row.getAttribute('data-status')).toBe('Takip')
    expect(await row.locator('[data-testid="fault-status"]').textContent()).toBe('Takipte')

    await row.locator('[data-testid="fault-close"]').click()
    expect(await focused(page)).toBe('fault-close-date')
    expect(await page.locator('[data-testid="fault-close-date"]').inputValue()).toBe(typed(today))
    await page.keyboard.type(typed(addDays(today, -1)))
    await page.keyboard.press('Enter')
    const refusal = page.locator('[data-testid="fault-close-error"]')
    expect(await refusal.textContent()).toBe(`Kapanış tarihi açılış tarihinden (${typed(today)}) önce olamaz`)
    expect(await row.getAttribute('data-status')).toBe('Takip')
    await screenshot(page, 'fleet-fault-close-refused')
    await page.locator('[data-testid="fault-close-date"]').fill(typed(today))
    await page.keyboard.press('Enter')
    await page.locator('[data-testid="faults-notice"]', { hasText: `Lastik durumu kapatıldı (${typed(today)})` }).waitFor()
    await expect.poll(() => row.count()).toBe(0)
    await page.locator('[data-testid="faults-show-closed"]').check()
    expect(await row.getAttribute('data-status')).toBe('Kapandi')
    expect(await row.locator('[data-testid="fault-closed-date"]').textContent()).toBe(typed(today))
    await waitForPending(page, 0)
    expect(await relayRows('SELECT status, closed_date FROM vehicle_faults')).toEqual([['Kapandi', today]])
  })

  it('service visits: a cost typed the Turkish way, an ambiguous one and an end before the start refused; totals per vehicle and for the month', async () => {
    const page = pc.page
    await page.keyboard.press('Alt+Shift+3')
    const form = page.locator('[data-testid="service-form"]')
    await form.waitFor()
    expect(await page.locator('[data-testid="service-month"]').getAttribute('data-month')).toBe(today.slice(0, 7))
    await page.locator('[data-testid="service-vehicle_id"]').selectOption({ label: '06 ABC 123' })
    await page.locator('[data-testid="service-reason"]').fill('Lastik değişimi')
    await page.locator('[data-testid="service-fault_id"]').selectOption({ label: `Lastik durumu (Kapandı, ${typed(today)})` })
    await page.locator('[data-testid="service-cost"]').fill('1.5')
    await page.keyboard.press('Enter')
    expect(await markedFields(form)).toEqual({
      cost: 'Tutar: "1.5" belirsiz: nokta yalnızca binlikleri ayırır ve ardından üç rakam gelir (15.000); ondalık için virgül yazın (1,5)',
    })
    expect(await page.locator('[data-testid="service-row"]').count()).toBe(0)
    await screenshot(page, 'fleet-service-ambiguous-cost')
    await page.locator('[data-testid="service-cost"]').fill('₺1.234,50')
    await page.keyboard.press('Enter')
    await page.locator('[data-testid="service-notice"]', { hasText: 'Servis ziyareti kaydedildi: 06 ABC 123, ₺1.234,50' }).waitFor()
    expect(await page.locator('[data-testid="visit-cost"]').allTextContents()).toEqual(['₺1.234,50'])
    expect(await focused(page)).toBe('service-vehicle_id')

    await page.locator('[data-testid="service-vehicle_id"]').selectOption({ label: '06 ABC 123' })
    await page.locator('[data-testid="service-start_date"]').fill(typed(today))
    await page.locator('[data-testid="service-end_date"]').fill(typed(addDays(today, -2)))
    await page.locator('[data-testid="service-cost"]').fill('2.450,5')
    await page.keyboard.press('Enter')
    expect(await markedFields(form)).toEqual({ end_date: `Bitiş tarihi başlangıçtan (${typed(today)}) önce olamaz` })
    expect(await page.locator('[data-testid="service-row"]').count()).toBe(1)
    await page.locator('[data-testid="service-end_date"]').fill('')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.locator('[data-testid="service-row"]').count()).toBe(2)
    await page.locator('[data-testid="service-vehicle_id"]').selectOption({ label: '06 XYZ 99' })
    await page.locator('[data-testid="service-cost"]').fill('100')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.locator('[data-testid="service-row"]').count()).toBe(3)

    const totals = page.locator('[data-testid="service-total"]')
    expect(await totals.evaluateAll((rows) => rows.map((r) => (r as HTMLElement).innerText.replace(/\s+/g, ' ').trim()))).toEqual(['06 ABC 123 2 ₺3.685,00', '06 XYZ 99 1 ₺100,00'])
    expect(await page.locator('[data-testid="service-month-cost"]').textContent()).toBe('₺3.785,00')
    await screenshot(page, 'fleet-service-totals')
    await page.locator('[data-testid="lang"]').click()
    await expect.poll(() => page.locator('[data-testid="service-month-cost"]').textContent()).toBe('₺3,785.00')
    await page.locator('[data-testid="lang"]').click()
    await waitForPending(page, 0)
    expect(await relayRows('SELECT cost FROM vehicle_service_visits ORDER BY cost')).toEqual([[100], [1234.5], [2450.5]])

    // The month's service cost report downloads from Raporlar, as the CLI writes it.
    await tab(page, 'reports')
    const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="fleet-service-csv"]').click()])
    expect(csv.suggestedFilename()).toBe(`servis_maliyet_raporu_ankara_${today.slice(0, 7)}.csv`)
    const csvText = readFileSync((await csv.path())!, 'utf8')
    expect(csvText).toContain('₺1.234,50')
    expect(csvText).toContain('₺3.785,00')
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="fleet-inspections-xlsx"]').click()])
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile((await xlsx.path())!)
    expect(workbook.worksheets.length).toBeGreaterThan(0)

    // The fault shows the visit made for it.
    await page.keyboard.press('Alt+Shift+2')
    await page.locator('[data-testid="faults-show-closed"]').check()
    await page.locator('[data-testid="fault-row"]', { hasText: 'Lastik durumu' }).locator('[data-testid="fault-links"]').click()
    expect(await page.locator('[data-testid="fault-visit"]').allInnerTexts()).toEqual([`${typed(today)} — Lastik değişimi — ₺1.234,50`])
  })

  it('stock: an item found by search; an existing serial typed again (in another spelling) changes nothing', async () => {
    const page = pc.page
    await page.keyboard.press('Alt+Shift+4')
    await addVehicle(page, { seri_no: 'ST87080', stok_kod: '754', stok_adi: 'POS KARBON FİLTRE', durum: 'OK', tarih: typed(today), adet: '1' })
    await record(page, 'ST87080').waitFor()
    await addVehicle(page, { seri_no: 'ST87085', stok_kod: '17', stok_adi: 'TABLET TUZ 25 KG', durum: 'OK', tarih: typed(today), adet: '2' })
    await record(page, 'ST87085').waitFor()
    await page.locator('rs-stock input[type="search"]').fill('tuz')
    await expect.poll(() => page.locator('[data-testid="record-row"]').count()).toBe(1)
    expect(await page.locator('[data-testid="record-row"]').textContent()).toContain('ST87085')
    await page.locator('rs-stock input[type="search"]').fill('')

    await addVehicle(page, { seri_no: 'st87080', stok_kod: '', stok_adi: 'BAŞKA ÜRÜN', durum: '', tarih: '', adet: '5' })
    const exists = page.locator('[data-testid="record-exists"]')
    expect(await exists.textContent()).toContain('ST87080 zaten kayıtlı; hiçbir şey değiştirilmedi')
    expect(await record(page, 'ST87080').textContent()).toContain('POS KARBON FİLTRE')
    expect(await page.locator('[data-testid="record-row"]').count()).toBe(2)
    await screenshot(page, 'fleet-stock-exists')
    await waitForPending(page, 0)
    expect(await relayRows('SELECT seri_no, stok_adi, adet FROM stock_inventory ORDER BY seri_no')).toEqual([
      ['ST87080', 'POS KARBON FİLTRE', 1],
      ['ST87085', 'TABLET TUZ 25 KG', 2],
    ])
  })

  it('the alerts and the km history: the inspection’s km counts for the oil change; an earlier week’s higher km is a drop', async () => {
    const page = pc.page
    await page.keyboard.press('Alt+Shift+1')
    await page.locator('[data-testid="week-prev"]').click()
    expect(await page.locator('[data-testid="week-label"]').getAttribute('data-monday')).toBe(addDays(mondayOf(today), -7))
    await expect.poll(() => weekRow(page, 'plate:06ABC123').getAttribute('data-done')).toBe('false')
    await weekRow(page, 'plate:06ABC123').locator('[data-testid="week-choose"]').click()
    expect(await focused(page)).toBe('inspection-driver_id')
    expect(await page.locator('[data-testid="inspection-inspection_date"]').inputValue()).toBe(typed(addDays(mondayOf(today), -7)))
    // A day of this week, where the vehicle is already inspected: a second inspection is refused.
    await page.locator('[data-testid="inspection-inspection_date"]').fill(typed(today))
    await page.keyboard.press('Enter')
    expect(await markedFields(page.locator('[data-testid="inspection-form"]'))).toEqual({
      vehicle_id: `06 ABC 123 ${typed(mondayOf(today))} haftasında zaten denetlenmiş (${typed(today)}); hiçbir şey kaydedilmedi. Haftanın listesinden “Denetimi aç” ile düzenleyin.`,
    })
    await page.locator('[data-testid="inspection-inspection_date"]').fill(typed(addDays(mondayOf(today), -7)))
    await page.locator('[data-testid="inspection-km"]').fill('40.000')
    await page.keyboard.press('Enter')
    await expect.poll(() => weekRow(page, 'plate:06ABC123').getAttribute('data-done')).toBe('true')
    await page.keyboard.press('PageDown')
    expect(await page.locator('[data-testid="week-label"]').getAttribute('data-monday')).toBe(mondayOf(today))
    await waitForPending(page, 0)
    expect(await relayRows(`SELECT week_start, km FROM vehicle_inspections WHERE vehicle_id = 'plate:06ABC123' ORDER BY week_start`)).toEqual([
      [addDays(mondayOf(today), -7), 40000],
      [mondayOf(today), 36200],
    ])

    await page.keyboard.press('Alt+5')
    const car = record(page, '06 ABC 123')
    // 14.000 km from the change at 22.500: due at 36.500; the week's inspection read 36.200.
    await expect.poll(() => car.locator('[data-testid="fleet-alert"]').allTextContents()).toEqual(['Yağ değişimine 300 km kaldı', 'Km geriye gitti'])
    const list = page.locator('rs-vehicles [data-testid="fleet-alert-entry"]')
    expect(await list.locator('[data-testid="alert-text"]').allTextContents()).toContain('06 ABC 123: yağ değişimine 300 km kaldı (son değişim 22.500 km)')
    expect(await page.locator('rs-vehicles [data-testid="fleet-alert-entry"][data-kind="km_decrease"]').getAttribute('data-severity')).toBe('check')
    await car.locator('[data-testid="show-km"]').click()
    const view = page.locator('[data-testid="vehicle-km"]')
    expect(await view.locator('[data-testid="km-summary"]').innerText()).toBe('Son okuma: 36.200 km · Sonraki yağ değişimi 36.500 km’de')
    const points = view.locator('[data-testid="km-point"]')
    expect(await points.evaluateAll((ps) => ps.map((p) => `${p.getAttribute('data-date')} ${p.getAttribute('data-km')} ${p.getAttribute('data-drop')}`))).toEqual([
      `${addDays(mondayOf(today), -7)} 40000 false`,
      `${today} 35000 true`,
      `${today} 36200 false`,
    ])
    expect(await view.locator('[data-testid="km-reading"][data-drop="true"]').textContent()).toContain('km geriye gitti')
    expect(await view.locator('[data-testid="fleet-alert-entry"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')))).toEqual(['oil', 'km_decrease'])
    await screenshot(page, 'fleet-km-history')
  })

  it('a week of a closed month and another region are read-only', async () => {
    const page = pc.page
    const month = shiftPeriod(currentPeriod(), -3)
    const monday = mondayOf(`${month}-15`)
    const peer = await startPeer(relay.url, 'ayse', 'ayse-password', { engine: { regions: ['ankara'] } })
    try {
      await peer.engine.whenSynced()
      peer.engine.insert('vehicle_inspections', { vehicle_id: 'plate:06ABC123', inspection_date: monday, week_start: monday, km: 30_000 })
      await peer.engine.whenSynced()
    } finally {
      await peer.close()
      removeDir(peer.dir)
    }
    const token = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
    const name = documentName('ankara', monday.slice(0, 7))
    const versions = ((await (await fetch(`${relay.url}/api/documents`, { headers: { authorization: `Bearer ${token}` } })).json()) as { versions: Record<string, string> }).versions
    const closed = await fetch(`${relay.url}/api/periods/${name}/close`, {
      method: 'POST',
      body: new TextEncoder().encode('checked'),
      headers: { authorization: `Bearer ${token}`, 'x-rainstaff-version': versions[name]!, 'content-type': 'application/octet-stream' },
    })
    expect(closed.status).toBe(200)

    await page.keyboard.press('Alt+Shift+1')
    await page.locator('[data-testid="week-go"]').fill('31.02.2026')
    await page.keyboard.press('Enter')
    expect(await markedFields(page.locator('[data-testid="inspection-week"]'))).toEqual({ go_to: "Şubat 2026'da 31 gün yok (son gün 28)" })
    expect(await page.locator('[data-testid="week-label"]').getAttribute('data-monday')).toBe(mondayOf(today))
    await page.locator('[data-testid="week-go"]').fill(typed(monday))
    await page.keyboard.press('Enter')
    await expect.poll(() => page.locator('[data-testid="week-label"]').getAttribute('data-monday')).toBe(monday)
    await expect.poll(() => weekRow(page, 'plate:06ABC123').getAttribute('data-done')).toBe('true')
    await page.locator('[data-testid="month-closed"]').waitFor()
    expect(await page.locator('[data-testid="inspection-form"]').count()).toBe(0)
    expect(await page.locator('[data-testid="week-choose"]').count()).toBe(0)
    await screenshot(page, 'fleet-inspection-closed-month')

    await page.locator('[data-testid="region"]').selectOption('istanbul')
    for (const name of ['inspections', 'faults', 'service', 'stock']) {
      await tab(page, name)
      await page.locator('[data-testid="read-only-notice"]').waitFor()
      for (const form of ['inspection-form', 'fault-form', 'service-form', 'record-form']) expect(await page.locator(`[data-testid="${form}"]`).count(), name).toBe(0)
    }
    await page.locator('[data-testid="lang"]').click()
    await expect.poll(() => page.locator('[data-testid="read-only-notice"]').textContent()).toBe('The İstanbul region is read-only: you can see its records but not change them')
    await page.locator('[data-testid="lang"]').click()
    await page.locator('[data-testid="region"]').selectOption('ankara')
  })

  it('logged no page errors', () => {
    expect(pc.errors).toEqual([])
    expect(pc.cspViolations).toEqual([])
  })
})
