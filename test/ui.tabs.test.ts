/**
 * Two tabs of one account in one browser share one offline copy (client/ui/tab-workspace.ts), in
 * Debian's Chromium against a real relay: pages of one browser context share IndexedDB, Web Locks
 * and BroadcastChannel as a clerk's tabs do. One tab writes, the other follows it live (offline
 * too) and read-only, takes over on request, and takes over by itself when the writer closes or
 * crashes. In the end the relay holds every edit exactly once and nothing is pending. A follower
 * page is watched for IndexedDB writes: it makes none until it writes itself.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import { OFFICE_USERS, openPc, screenshot, signIn, waitForPending, type Pc, type UiRelay, uiSuite } from './helpers/uiBrowser.ts'
import { removeDir, startPeer, type TestPeer } from './helpers/peerEngine.ts'

let relay: UiRelay
let browser: Browser
const peers: TestPeer[] = []

uiSuite(OFFICE_USERS, (suite) => void ({ relay, browser } = suite))

afterAll(async () => {
  for (const p of peers) await p.close().catch(() => undefined)
  for (const p of peers) removeDir(p.dir)
})

const typed = (iso: string): string => iso.split('-').reverse().join('.')

function tab(page: Page, name: string): Promise<void> {
  return page.locator(`[data-testid="tab-${name}"]`).click()
}

function recordRow(page: Page, text: string): ReturnType<Page['locator']> {
  return page.locator('[data-testid="record-row"]', { hasText: text })
}

function following(page: Page): ReturnType<Page['locator']> {
  return page.locator('[data-testid="tab-following"]')
}

async function addEmployee(page: Page, name: string): Promise<void> {
  await tab(page, 'employees')
  const form = page.locator('[data-testid="record-form"]')
  await form.locator('input[name="full_name"]').fill(name)
  await form.locator('input[name="birth_date"]').press('Enter')
  await recordRow(page, name).waitFor()
}

async function typeTimesheet(page: Page, employee: string, date: string, notes: string): Promise<void> {
  await tab(page, 'puantaj')
  await page.locator('[data-testid="entry-employee"]').selectOption({ label: employee })
  const field = page.locator('[data-testid="entry-date"]')
  await field.focus()
  await field.fill(typed(date))
  await page.keyboard.press('Enter')
  await page.keyboard.type('08:30')
  await page.keyboard.press('Enter')
  await page.keyboard.type('17:30')
  await page.keyboard.press('Enter')
  await page.keyboard.press('ControlOrMeta+A')
  await page.keyboard.type('60')
  await page.keyboard.press('Enter') // → special day
  await page.keyboard.press('Enter') // → notes
  await page.keyboard.type(notes)
  await page.keyboard.press('Enter') // saves
  await timesheetRow(page, notes).waitFor()
}

function timesheetRow(page: Page, text: string): ReturnType<Page['locator']> {
  return page.locator('[data-testid="timesheet-row"]', { hasText: text })
}

/** A second tab of the PC's browser: the remembered session opens it without a password. */
async function secondTab(pc: Pc, watchWrites = false): Promise<Page> {
  const page = await pc.context.newPage()
  page.on('pageerror', (error) => pc.errors.push(error.message))
  if (watchWrites) await page.addInitScript(watchIndexedDbWrites)
  await page.goto(relay.url)
  await page.locator('rs-status-bar').waitFor()
  return page
}

/**
 * Runs in a page before its scripts: counts every IndexedDB write the page starts — readwrite and
 * versionchange transactions, database deletions — and names every database it opens.
 */
function watchIndexedDbWrites(): void {
  const seen = { writes: 0, opened: [] as string[] }
  ;(globalThis as unknown as { __idb: typeof seen }).__idb = seen
  const transaction = IDBDatabase.prototype.transaction
  IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
    if (args[1] === 'readwrite') seen.writes++
    return transaction.apply(this, args)
  } as IDBDatabase['transaction']
  const open = IDBFactory.prototype.open
  IDBFactory.prototype.open = function (this: IDBFactory, name: string, version?: number) {
    seen.opened.push(name)
    const request = open.call(this, name, version)
    request.addEventListener('upgradeneeded', () => seen.writes++)
    return request
  }
  const remove = IDBFactory.prototype.deleteDatabase
  IDBFactory.prototype.deleteDatabase = function (this: IDBFactory, name: string) {
    seen.writes++
    return remove.call(this, name)
  }
}

function idbWrites(page: Page): Promise<{ writes: number; opened: string[] }> {
  return page.evaluate(() => (globalThis as unknown as { __idb: { writes: number; opened: string[] } }).__idb)
}

/** Today in the browser's time zone, `YYYY-MM-DD`. */
function today(page: Page): Promise<string> {
  return page.evaluate(() => {
    const now = new Date()
    return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`
  })
}

/** What the relay holds of Ankara, read by a fresh Node peer (the İstanbul editor reads Ankara). */
async function onRelay(sql: string): Promise<Array<Record<string, unknown>>> {
  const peer = await startPeer(relay.url, 'mehmet', 'mehmet-password', { engine: { regions: ['ankara'] } })
  peers.push(peer)
  await peer.engine.whenSynced(30_000)
  const mirror = await peer.mirror()
  try {
    return mirror.query(sql)
  } finally {
    mirror.close()
  }
}

describe('two tabs of one account in one browser', () => {
  it('the second tab follows the first, takes over, and goes on alone when the first closes; offline meanwhile; every edit on the relay once', async () => {
    const pc = await openPc(browser, relay.url)
    const first = pc.page
    await signIn(first, 'ayse', 'ayse-password')
    await first.locator('[data-testid="connection"][data-state="synced"]').waitFor()
    expect(await following(first).count()).toBe(0)
    await addEmployee(first, 'Sekme Bir')
    await waitForPending(first, 0)
    const date = await today(first)

    const second = await secondTab(pc)
    await following(second).waitFor()
    await screenshot(second, 'tabs-following')
    // The follower is read-only: no entry form, no edit buttons, no import or password change.
    await tab(second, 'employees')
    await recordRow(second, 'Sekme Bir').waitFor()
    expect(await second.locator('[data-testid="record-form"]').count()).toBe(0)
    expect(await second.locator('rs-employees [data-edit]').count()).toBe(0)
    expect(await second.locator('[data-testid="open-import"], [data-testid="change-password"]').count()).toBe(0)
    // Its status bar is the writer's.
    await second.locator('[data-testid="connection"][data-state="synced"]').waitFor()

    await pc.context.setOffline(true)
    await first.locator('[data-testid="connection"][data-online="false"]').waitFor()
    await addEmployee(first, 'Sekme İki')
    await typeTimesheet(first, 'Sekme İki', date, 'ilk sekmeden')
    await waitForPending(first, 2)
    // Live in the follower while offline: the master document and the month.
    await recordRow(second, 'Sekme İki').waitFor()
    await waitForPending(second, 2)
    await tab(second, 'puantaj')
    await timesheetRow(second, 'ilk sekmeden').waitFor()

    // "Bu sekmede çalış": the first tab stores everything and follows the second.
    await second.locator('[data-testid="take-over"]').click()
    await following(first).waitFor()
    await following(second).waitFor({ state: 'detached' })
    await second.locator('[data-testid="notice"]', { hasText: 'artık çalışan sekme' }).waitFor()
    await waitForPending(second, 2)
    await typeTimesheet(second, 'Sekme Bir', date, 'ikinci sekmeden')
    await addEmployee(second, 'Sekme Üç')
    await waitForPending(second, 4)
    await tab(first, 'employees')
    await recordRow(first, 'Sekme Üç').waitFor()
    await tab(first, 'puantaj')
    await timesheetRow(first, 'ikinci sekmeden').waitFor()
    expect(await first.locator('[data-testid="timesheet-form"]').count()).toBe(0)
    await screenshot(first, 'tabs-taken-over')

    // The writing tab closes: the lock passes to the first, which opens the copy from IndexedDB.
    await second.close()
    await following(first).waitFor({ state: 'detached' })
    await waitForPending(first, 4)
    await timesheetRow(first, 'ilk sekmeden').waitFor()
    await timesheetRow(first, 'ikinci sekmeden').waitFor()
    await addEmployee(first, 'Sekme Dört')
    await waitForPending(first, 5)

    await pc.context.setOffline(false)
    await waitForPending(first, 0)
    await first.locator('[data-testid="connection"][data-state="synced"]').waitFor()

    const employees = await onRelay("SELECT full_name, count(*) AS n FROM employees WHERE region = 'ankara' GROUP BY full_name ORDER BY full_name")
    expect(employees).toEqual(
      ['Sekme Bir', 'Sekme Dört', 'Sekme İki', 'Sekme Üç'].sort().map((full_name) => ({ full_name, n: 1 })),
    )
    const timesheets = await onRelay("SELECT notes, count(*) AS n FROM timesheets WHERE region = 'ankara' GROUP BY notes ORDER BY notes")
    expect(timesheets).toEqual([
      { notes: 'ikinci sekmeden', n: 1 },
      { notes: 'ilk sekmeden', n: 1 },
    ])
    // Chromium logs every socket refused while offline; anything else is a fault.
    expect(pc.errors.filter((e) => !/^WebSocket connection to .* failed: .*ERR_INTERNET_DISCONNECTED/.test(e))).toEqual([])
    await pc.context.close()
  })

  it('a follower tab writes nothing to IndexedDB, until it takes over after the writer crashes', async () => {
    // No service worker on this PC: the one the crashed page ran would keep Playwright's network
    // switch waiting for minutes. The app does not need it while the pages stay loaded.
    const pc = await openPc(browser, relay.url, { serviceWorkers: 'block' })
    const writer = pc.page
    await signIn(writer, 'ayse', 'ayse-password')
    await writer.locator('[data-testid="connection"][data-state="synced"]').waitFor()
    const date = await today(writer)

    const follower = await secondTab(pc, true)
    await following(follower).waitFor()
    await tab(follower, 'employees')
    await recordRow(follower, 'Sekme Dört').waitFor()
    // The follower opens months, switches regions and hears the writer's edits, online and off.
    await tab(follower, 'puantaj')
    await timesheetRow(follower, 'ilk sekmeden').waitFor()
    await follower.locator('[data-testid="region"]').selectOption('istanbul')
    await tab(follower, 'reports')
    await follower.locator('[data-testid="region"]').selectOption('ankara')
    await addEmployee(writer, 'Çökmeden Önce')
    await waitForPending(writer, 0)
    await pc.context.setOffline(true)
    await typeTimesheet(writer, 'Çökmeden Önce', date, 'çökmeden önce')
    await waitForPending(writer, 1)
    await tab(follower, 'puantaj')
    await timesheetRow(follower, 'çökmeden önce').waitFor()
    await waitForPending(follower, 1)
    const watched = await idbWrites(follower)
    expect(watched.writes).toBe(0)
    // The device account is read (a remembered session); no document database is even opened.
    expect(watched.opened.length).toBeGreaterThan(0)
    expect(watched.opened.filter((name) => !name.endsWith('/device'))).toEqual([])

    // The writer's renderer crashes (no unload, no goodbye): the browser frees its lock.
    const crashed = writer.waitForEvent('crash')
    void writer.goto('chrome://crash').catch(() => undefined)
    await crashed
    await following(follower).waitFor({ state: 'detached' })
    await waitForPending(follower, 1)
    await timesheetRow(follower, 'çökmeden önce').waitFor()
    // Now it writes: the counter that stayed at 0 above moves.
    expect((await idbWrites(follower)).writes).toBeGreaterThan(0)
    await writer.close()

    await pc.context.setOffline(false)
    await waitForPending(follower, 0)
    expect(pc.errors.filter((e) => !/^WebSocket connection to .* failed: .*ERR_INTERNET_DISCONNECTED/.test(e))).toEqual([])
    const timesheets = await onRelay("SELECT notes, count(*) AS n FROM timesheets WHERE region = 'ankara' AND notes = 'çökmeden önce' GROUP BY notes")
    expect(timesheets).toEqual([{ notes: 'çökmeden önce', n: 1 }])
    await pc.context.close()
  })

  it('of three tabs, the one that asks writes; a sign-out signs out every tab; another user is refused a second tab', async () => {
    const pc = await openPc(browser, relay.url)
    const first = pc.page
    await signIn(first, 'ayse', 'ayse-password')
    const second = await secondTab(pc)
    const third = await secondTab(pc)
    await following(second).waitFor()
    await following(third).waitFor()
    // The second tab waits for the lock ahead of the third: it passes the lock on to the tab that asked.
    await third.locator('[data-testid="take-over"]').click()
    await following(third).waitFor({ state: 'detached' })
    await following(first).waitFor()
    expect(await following(second).count()).toBe(1)
    await addEmployee(third, 'Üçüncü Sekme')
    for (const page of [first, second]) {
      await tab(page, 'employees')
      await recordRow(page, 'Üçüncü Sekme').waitFor()
    }

    await third.locator('header button', { hasText: 'Çıkış' }).click()
    for (const page of [first, second]) {
      await page.locator('[data-testid="sign-in-error"]', { hasText: 'Başka bir sekmede çıkış yapıldı' }).waitFor()
    }
    await second.close()
    await third.close()

    // Signed in again in one tab, not remembered (so the next tab shows the form), a second tab
    // signing in as another user is refused and changes nothing.
    await first.evaluate(() => localStorage.setItem('rainstaff.sessionMaxSeconds', '0'))
    await signIn(first, 'ayse', 'ayse-password')
    const other = await pc.context.newPage()
    await other.goto(relay.url)
    await other.locator('rs-sign-in input[name="username"]').fill('mehmet')
    await other.locator('rs-sign-in input[name="password"]').fill('mehmet-password')
    await other.locator('rs-sign-in button[type="submit"]').click()
    await other.locator('[data-testid="sign-in-error"]', { hasText: 'başka bir kullanıcı çalışıyor' }).waitFor()
    expect(await other.locator('rs-status-bar').count()).toBe(0)
    expect(await following(first).count()).toBe(0)
    await addEmployee(first, 'Hâlâ Yazıyor')
    await waitForPending(first, 0)
    await pc.context.close()
  })
})
