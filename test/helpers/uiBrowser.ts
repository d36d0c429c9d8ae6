/**
 * The UI suite's real parts: the web client built by scripts/build.ts, a real relay (startRelay on
 * 127.0.0.1, port 0, temporary data directory) serving it, and Debian's Chromium driven by
 * playwright-core. Each office PC is its own browser context: its own IndexedDB, its own
 * network switch.
 */
import { execFile } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { startRelay, type Relay } from '../../relay/server.ts'
import type { NewUser } from '../../relay/users.ts'
import { ADMIN_PASSWORD, ROOT, seedUsers, tempDir } from './relayProcess.ts'

export { ADMIN_PASSWORD }

/** The office users every UI test signs in as: an Ankara and an İstanbul editor (plus the seeded admin). */
export const OFFICE_USERS = [
  { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
  { username: 'mehmet', role: 'editor', region: 'istanbul', password: 'mehmet-password' },
] as const

export const SCREENSHOTS = path.join(ROOT, 'test-output', 'screenshots')
export const DOWNLOADS = path.join(ROOT, 'test-output', 'downloads')

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/**
 * `npm run build`'s script, run as a child so the suite tests what `npm start` serves. Each suite
 * builds into a directory of its own: UI files run in parallel, and the build empties its output.
 */
export async function buildWebClient(): Promise<{ dir: string; remove(): void }> {
  const out = tempDir('rainstaff-web-')
  await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--out', out.dir], { cwd: ROOT })
  return out
}

export interface UiRelay {
  readonly relay: Relay
  readonly url: string
  /** What the relay logged (checked for secrets). */
  readonly log: string[]
  close(): Promise<void>
}

export async function startUiRelay(users: readonly NewUser[], webRoot: string): Promise<UiRelay> {
  const data = tempDir('rainstaff-ui-')
  // Seeding any user means the relay creates no first admin itself, so the admin is seeded too.
  await seedUsers(data.dir, [{ username: 'admin', role: 'admin', password: ADMIN_PASSWORD }, ...users])
  const log: string[] = []
  const relay = await startRelay({
    dataDir: data.dir,
    port: 0,
    host: '127.0.0.1',
    adminPassword: ADMIN_PASSWORD,
    webRoot,
    log: (line) => log.push(line),
  })
  return {
    relay,
    url: relay.url,
    log,
    async close() {
      await relay.close()
      data.remove()
    },
  }
}

/**
 * A UI suite's shared parts, set up before its tests and closed after them: the web client built
 * once, a relay serving it with `users`, and Chromium. `use` receives them (and may go on to open
 * the suite's PCs).
 */
export function uiSuite(users: readonly NewUser[], use: (suite: { readonly relay: UiRelay; readonly browser: Browser }) => void | Promise<void>): void {
  let web: { dir: string; remove(): void } | undefined
  let relay: UiRelay | undefined
  let browser: Browser | undefined
  beforeAll(async () => {
    web = await buildWebClient()
    relay = await startUiRelay(users, web.dir)
    browser = await launchChromium()
    await use({ relay, browser })
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await relay?.close()
    web?.remove()
  })
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS })
}

export interface Pc {
  readonly context: BrowserContext
  readonly page: Page
  /** Messages the page logged to its console with level error (reported by a failing test). */
  readonly errors: string[]
  /** What the relay's Content-Security-Policy refused on this PC: `directive blocked-uri page`. */
  readonly cspViolations: string[]
}

const violations: string[] = []

/** Every CSP violation on every PC this process opened, for a suite's closing check. */
export function allCspViolations(): readonly string[] {
  return violations
}

/** A fresh "PC": its own browser context (storage, network) with the page at `url`; `options` adds to the context's. */
export async function openPc(browser: Browser, url: string, options: BrowserContextOptions = {}): Promise<Pc> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1366, height: 900 }, locale: 'tr-TR', timezoneId: 'Europe/Istanbul', ...options })
  const cspViolations: string[] = []
  // Playwright's init scripts and bindings are outside the page's CSP, so the listener itself is
  // never refused; the browser fires the event for every refusal, in shadow roots too (composed).
  await context.exposeBinding('__rainstaffCspViolation', (_source, text: string) => {
    cspViolations.push(text)
    violations.push(text)
  })
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __rainstaffCspViolation(text: string): void }).__rainstaffCspViolation
      report(`${event.effectiveDirective} ${event.blockedURI || 'inline'} ${location.pathname}`)
    })
  })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(url)
  return { context, page, errors, cspViolations }
}

/** Signs in through the form (relay address is prefilled with the page's origin). */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.locator('rs-sign-in input[name="username"]').fill(username)
  await page.locator('rs-sign-in input[name="password"]').fill(password)
  await page.locator('rs-sign-in button[type="submit"]').click()
  await page.locator('rs-status-bar').waitFor()
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  const file = path.join(SCREENSHOTS, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  process.stdout.write(`screenshot: ${path.relative(ROOT, file)}\n`)
  return file
}

export async function pendingCount(page: Page): Promise<number> {
  return Number(await page.locator('[data-testid="pending-count"]').textContent())
}

/** Waits until the status bar shows `n` pending changes (the engine's count, not a guess). */
export async function waitForPending(page: Page, n: number): Promise<void> {
  await page.locator(`[data-testid="pending-count"]`, { hasText: new RegExp(`^${n}$`) }).waitFor()
}

/**
 * The fields of `form` marked aria-invalid, by name, each with the text of the message its
 * aria-describedby points to: what a screen reader (and a clerk) is told is wrong, and where.
 */
export async function markedFields(form: Locator): Promise<Record<string, string>> {
  return form.evaluate((element) => {
    const root = element.getRootNode() as Document | ShadowRoot
    const marked: Record<string, string> = {}
    for (const field of element.querySelectorAll('[aria-invalid="true"]')) {
      const id = field.getAttribute('aria-describedby')
      const message = id === null ? null : root.getElementById(id)
      marked[field.getAttribute('name') ?? '?'] = message === null ? '(no message)' : (message.textContent ?? '').trim()
    }
    return marked
  })
}

/** Waits until the input's value is `value`, or starts with it when `prefix` (a cell that may also show a break). */
export async function waitForValue(input: Locator, value: string, match: 'exact' | 'prefix' = 'exact'): Promise<void> {
  const deadline = Date.now() + 15_000
  const ok = (shown: string): boolean => (match === 'prefix' ? shown.startsWith(value) : shown === value)
  while (!ok(await input.inputValue())) {
    if (Date.now() > deadline) throw new Error(`the input shows ${await input.inputValue()}, not ${value}${match === 'prefix' ? '…' : ''}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
