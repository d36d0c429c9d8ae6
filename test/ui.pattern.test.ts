/**
 * How a screen is written (client/README.md, "Writing a screen"), run: the README's example
 * (test/helpers/exampleScreen.ts) bundled beside the built web client, served by a real relay and
 * driven in Chromium. The screen is given nothing by hand: the workspace, region, writability and
 * language come from its shell's contexts, its one-line query follows edits and the region, and
 * the workspace controller signs in and out.
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { build } from 'esbuild'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildWebClient, launchChromium, OFFICE_USERS, openPc, startUiRelay, type UiRelay } from './helpers/uiBrowser.ts'
import { ROOT } from './helpers/relayProcess.ts'

const EXAMPLE_PAGE = `<!doctype html>
<html lang="tr">
  <head>
    <meta charset="utf-8" />
    <link rel="icon" href="icon.svg" />
    <link rel="stylesheet" href="styles.css" />
    <script type="module" src="example.js"></script>
  </head>
  <body>
    <rs-example-shell></rs-example-shell>
  </body>
</html>
`

let web: { dir: string; remove(): void } | undefined
let relay: UiRelay | undefined
let browser: Browser | undefined

beforeAll(async () => {
  web = await buildWebClient()
  await build({
    entryPoints: { example: path.join(ROOT, 'test/helpers/exampleScreen.ts') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: web.dir,
    // sql.js probes for Node modules it never uses in a browser (scripts/build.ts does the same).
    external: ['fs', 'path', 'crypto'],
    logLevel: 'warning',
  })
  writeFileSync(path.join(web.dir, 'example.html'), EXAMPLE_PAGE)
  relay = await startUiRelay(OFFICE_USERS, web.dir)
  browser = await launchChromium()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await relay?.close()
  web?.remove()
})

describe('a screen written as the README says', () => {
  it('reads workspace, region, writability and language from its shell, and its query follows edits and the region', async () => {
    if (relay === undefined || browser === undefined) throw new Error('suite not set up')
    const [ayse] = OFFICE_USERS
    const pc = await openPc(browser, `${relay.url}/example.html`)
    try {
      const { page } = pc
      await page.locator('rs-sign-in input[name="username"]').fill(ayse.username)
      await page.locator('rs-sign-in input[name="password"]').fill(ayse.password)
      await page.locator('rs-sign-in button[type="submit"]').click()
      const headcount = page.locator('[data-testid="headcount"]')
      await expect.poll(() => headcount.textContent()).toBe('Ankara — Çalışanlar: 0')

      // Writable in one's own region: the insert goes through the engine, the count through the mirror.
      await page.locator('[data-testid="add"]').click()
      await expect.poll(() => headcount.textContent()).toBe('Ankara — Çalışanlar: 1')
      await page.locator('[data-testid="add"]').click()
      await expect.poll(() => headcount.textContent()).toBe('Ankara — Çalışanlar: 2')

      // Another region: the same query for it, and nothing to add there.
      await page.locator('[data-testid="region"]').selectOption('istanbul')
      await expect.poll(() => headcount.textContent()).toBe('İstanbul — Çalışanlar: 0')
      expect(await page.locator('[data-testid="add"]').count()).toBe(0)

      await page.locator('[data-testid="lang"]').click()
      await expect.poll(() => headcount.textContent()).toBe('İstanbul — Employees: 0')
      await page.locator('[data-testid="region"]').selectOption('ankara')
      await expect.poll(() => headcount.textContent()).toBe('Ankara — Employees: 2')
      await expect.poll(() => page.locator('[data-testid="add"]').textContent()).toBe('Add')

      // Signing out takes the screen away, with no error on the way.
      await page.locator('[data-testid="sign-out"]').click()
      await page.locator('rs-sign-in input[name="username"]').waitFor()
      expect(await headcount.count()).toBe(0)
      expect(pc.errors).toEqual([])
      expect(pc.cspViolations).toEqual([])
    } finally {
      await pc.context.close()
    }
  })
})
