/**
 * The built web client under the relay's Content-Security-Policy, in Chromium: the policy is
 * enforced (an injected inline script does not run, and the refusal is seen), and the app signs
 * in, compiles sql.js's wasm, syncs over the WebSocket and draws its screens and the admin view
 * without a single refusal. ui.test.ts checks the same for its whole walk through the app.
 */
import type { Browser } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { ADMIN_PASSWORD, OFFICE_USERS, openPc, signIn, type UiRelay, uiSuite } from './helpers/uiBrowser.ts'

let relay: UiRelay
let browser: Browser

uiSuite(OFFICE_USERS, (suite) => void ({ relay, browser } = suite))

describe('the web client under the Content-Security-Policy', () => {
  it('is enforced: inline script and inline <style> are refused, and each refusal is reported', async () => {
    const pc = await openPc(browser, relay.url)
    try {
      const served = await pc.page.request.get(relay.url)
      expect(served.headers()['content-security-policy']).toMatch(/script-src 'self' 'wasm-unsafe-eval'/)
      await pc.page.locator('rs-sign-in input[name="username"]').waitFor()
      const ran = await pc.page.evaluate(async () => {
        const script = document.createElement('script')
        script.textContent = 'window.__inlineRan = true'
        document.head.append(script)
        const style = document.createElement('style')
        style.textContent = 'body { color: rgb(1, 2, 3) }'
        document.head.append(style)
        await new Promise((resolve) => setTimeout(resolve, 0))
        return {
          script: (window as unknown as { __inlineRan?: boolean }).__inlineRan === true,
          style: getComputedStyle(document.body).color === 'rgb(1, 2, 3)',
        }
      })
      expect(ran).toEqual({ script: false, style: false })
      // The reports arrive through a binding, after the page's own turn.
      await expect.poll(() => pc.cspViolations.length).toBeGreaterThanOrEqual(2)
      expect(pc.cspViolations.some((v) => v.startsWith('script-src-elem inline'))).toBe(true)
      expect(pc.cspViolations.some((v) => v.startsWith('style-src-elem inline'))).toBe(true)
    } finally {
      await pc.context.close()
    }
  })

  it('lets the office app and the admin view work without one refusal', async () => {
    const [user] = OFFICE_USERS
    const office = await openPc(browser, relay.url)
    const admin = await openPc(browser, `${relay.url}/admin.html`)
    try {
      await signIn(office.page, user.username, user.password)
      // Synced over the relay's WebSocket, with the sql.js mirror (wasm) behind the screens.
      await office.page.locator('[data-testid="connection"][data-online="true"]').waitFor()
      // Every screen once, ending on the timesheet grid (its column widths are style attributes).
      for (const name of ['employees', 'vehicles', 'drivers', 'reports', 'settings', 'conflicts', 'inspections', 'faults', 'service', 'stock', 'puantaj']) {
        await office.page.locator(`[data-testid="tab-${name}"]`).click()
        await office.page.locator(`[data-testid="tab-${name}"][aria-current="page"]`).waitFor()
      }
      await office.page.locator('[data-testid="entry-date"]').waitFor()
      await admin.page.locator('rs-sign-in input[name="password"]').fill(ADMIN_PASSWORD)
      await admin.page.locator('rs-sign-in button[type="submit"]').click()
      await admin.page.locator('[data-testid="region-row"][data-region="ankara"]').waitFor()
      expect(office.cspViolations).toEqual([])
      expect(admin.cspViolations).toEqual([])
      for (const errors of [office.errors, admin.errors]) {
        expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([])
      }
    } finally {
      await office.context.close()
      await admin.context.close()
    }
  })
})
