/**
 * Accounts in the app, in Debian's Chromium against a real relay: the admin adds an Ankara editor
 * in the admin view's users panel, the editor signs in on another PC (browser context), the admin
 * disables them (their session ends), enables them again and resets their password, and the
 * editor changes their own password in the office app while their session keeps working. A
 * refusal is shown in one language beside the field it is about, which is marked aria-invalid.
 *
 * The steps run in order and share the PCs.
 */
import type { Browser, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { ADMIN_PASSWORD, markedFields, OFFICE_USERS, openPc, screenshot, signIn, type Pc, type UiRelay, uiSuite } from './helpers/uiBrowser.ts'

let relay: UiRelay
let browser: Browser
let admin: Pc
let editor: Pc

const INITIAL = 'fatma-initial-1'
const RESET = 'fatma-reset-22'
const OWN = 'fatma-own-333'

uiSuite(OFFICE_USERS, (suite) => void ({ relay, browser } = suite))

const row = (page: Page, name: string): ReturnType<Page['locator']> => page.locator(`[data-testid="user-row"][data-username="${name}"]`)
const connection = (page: Page): ReturnType<Page['locator']> => page.locator('rs-status-bar [data-testid="connection"]')

async function waitForConnection(page: Page, state: string, timeout = 15_000): Promise<void> {
  await page.locator(`rs-status-bar [data-testid="connection"][data-state="${state}"]`).waitFor({ timeout })
}

/** The admin confirms the action the row's button asked about. */
async function confirmRow(page: Page, name: string, button: string): Promise<void> {
  await row(page, name).locator(`[data-testid="${button}"]`).click()
  const confirm = page.locator(`[data-testid="user-row-mode"][data-username="${name}"] [data-testid="user-confirm"]`)
  await confirm.waitFor()
  await confirm.locator('[data-testid="user-confirm-yes"]').click()
}

async function signOutAndIn(page: Page, password: string): Promise<void> {
  await page.locator('rainstaff-app header button', { hasText: /^(Çıkış|Sign out)$/ }).click()
  await signIn(page, 'fatma', password)
}

describe('accounts in the app', () => {
  it('the admin adds an Ankara editor in the users panel', async () => {
    admin = await openPc(browser, `${relay.url}/admin.html`)
    await admin.page.locator('rs-sign-in input[name="password"]').fill(ADMIN_PASSWORD)
    await admin.page.locator('rs-sign-in button[type="submit"]').click()
    await row(admin.page, 'ayse').waitFor()
    expect(await admin.page.locator('[data-testid="user-row"]').count()).toBe(3)
    // The admin's own row has no actions: their account is changed with "Change my password".
    expect(await row(admin.page, 'admin').locator('button').count()).toBe(0)

    const form = admin.page.locator('[data-testid="user-add-form"]')
    await form.locator('input[name="username"]').fill('fatma')
    await form.locator('select[name="role"]').selectOption('editor')
    await form.locator('select[name="region"]').selectOption('ankara')
    await form.locator('input[name="password"]').fill('short')
    await form.locator('input[name="again"]').fill('short')
    await form.locator('[data-testid="user-add"]').click()
    expect(await form.locator('[data-testid="add-error-password"]').textContent()).toContain('en az 8 karakter')
    expect(await markedFields(form)).toEqual({ password: 'Parola en az 8 karakter olmalı' })
    await form.locator('input[name="password"]').fill(INITIAL)
    await form.locator('input[name="again"]').fill(INITIAL + 'x')
    await form.locator('[data-testid="user-add"]').click()
    expect(await form.locator('[data-testid="add-error-again"]').textContent()).toBe('Parolalar aynı değil')
    expect(await markedFields(form)).toEqual({ again: 'Parolalar aynı değil' })
    // The relay's own check: an editor needs a region. Its answer names a code; the form, the field.
    await form.locator('select[name="region"]').selectOption('')
    await form.locator('input[name="again"]').fill(INITIAL)
    await form.locator('[data-testid="user-add"]').click()
    await form.locator('[data-testid="add-error-region"]').waitFor()
    expect(await form.locator('[data-testid="add-error-region"]').textContent()).toContain('Editör için bölge gerekli')
    const region = await markedFields(form)
    expect(Object.keys(region)).toEqual(['region'])
    expect(region.region).toContain('Editör için bölge gerekli')
    expect(region.region).not.toContain(' / ')
    await screenshot(admin.page, 'accounts-admin-region-marked')
    await form.locator('select[name="region"]').selectOption('ankara')
    await form.locator('[data-testid="user-add"]').click()
    await row(admin.page, 'fatma').waitFor()
    expect(await row(admin.page, 'fatma').locator('[data-testid="user-region"]').textContent()).toBe('Ankara')
    expect(await row(admin.page, 'fatma').locator('[data-testid="user-state"]').textContent()).toBe('Etkin')
    await screenshot(admin.page, 'accounts-admin-added')
  })

  it('the editor signs in; the admin disables them and their session ends', async () => {
    editor = await openPc(browser, relay.url)
    await signIn(editor.page, 'fatma', INITIAL)
    await waitForConnection(editor.page, 'synced')

    await confirmRow(admin.page, 'fatma', 'user-disable')
    await admin.page.locator('[data-testid="user-row"][data-username="fatma"][data-disabled="true"]').waitFor()
    expect(await row(admin.page, 'fatma').locator('[data-testid="user-state"]').textContent()).toBe('Devre dışı')
    // The relay closes the account's connections within 5 s; the app shows it refused.
    await waitForConnection(editor.page, 'failed', 8000)
    await screenshot(editor.page, 'accounts-editor-disabled')
  })

  it('the admin enables them again; the editor signs in again', async () => {
    await confirmRow(admin.page, 'fatma', 'user-enable')
    await admin.page.locator('[data-testid="user-row"][data-username="fatma"][data-disabled="false"]').waitFor()
    await signOutAndIn(editor.page, INITIAL)
    await waitForConnection(editor.page, 'synced')
  })

  it('the admin resets the password; the old one stops working, the new one signs in', async () => {
    await row(admin.page, 'fatma').locator('[data-testid="user-reset"]').click()
    const reset = admin.page.locator('[data-testid="user-reset-form"]')
    await reset.locator('input[name="password"]').fill(RESET)
    await reset.locator('input[name="again"]').fill(RESET)
    await reset.locator('button[type="submit"]').click()
    await admin.page.locator('[data-testid="users-notice"]', { hasText: 'fatma' }).waitFor()
    await waitForConnection(editor.page, 'failed', 8000)
    await editor.page.locator('rainstaff-app header button', { hasText: /^(Çıkış|Sign out)$/ }).click()
    await editor.page.locator('rs-sign-in input[name="username"]').fill('fatma')
    await editor.page.locator('rs-sign-in input[name="password"]').fill(INITIAL)
    await editor.page.locator('rs-sign-in button[type="submit"]').click()
    await editor.page.locator('rs-sign-in [role="alert"]', { hasText: 'parola yanlış' }).waitFor()
    await signIn(editor.page, 'fatma', RESET)
    await waitForConnection(editor.page, 'synced')
  })

  it('the editor changes their own password; the session keeps working', async () => {
    const page = editor.page
    await page.locator('[data-testid="change-password"]').click()
    const dialog = page.locator('[data-testid="password-dialog"]')
    await dialog.waitFor()
    // Mistakes next to their fields: a mismatch (checked here), a wrong current one (the relay).
    await dialog.locator('input[name="current"]').fill(RESET)
    await dialog.locator('input[name="next"]').fill(OWN)
    await dialog.locator('input[name="again"]').fill(OWN + 'x')
    await dialog.locator('[data-testid="password-submit"]').click()
    expect(await dialog.locator('[data-testid="password-error-again"]').textContent()).toBe('Parolalar aynı değil')
    const form = dialog.locator('form')
    expect(await markedFields(form)).toEqual({ again: 'Parolalar aynı değil' })
    await dialog.locator('input[name="current"]').fill('not-my-password')
    await dialog.locator('input[name="again"]').fill(OWN)
    await dialog.locator('[data-testid="password-submit"]').click()
    await dialog.locator('[data-testid="password-error-current"]', { hasText: 'Mevcut parola yanlış' }).waitFor()
    // The relay's refusal, in Turkish only, beside the current password, which alone is marked.
    expect(await markedFields(form)).toEqual({ current: 'Mevcut parola yanlış' })
    await screenshot(page, 'accounts-own-password-wrong')
    await dialog.locator('input[name="current"]').fill(RESET)
    await dialog.locator('input[name="next"]').fill(OWN)
    await dialog.locator('input[name="again"]').fill(OWN)
    await dialog.locator('[data-testid="password-submit"]').click()
    await dialog.locator('[data-testid="password-changed"]').waitFor()
    await screenshot(page, 'accounts-own-password-changed')
    await dialog.locator('button', { hasText: 'Vazgeç' }).click()

    // The relay ends the account's old connections (the generation moved) within about a
    // second; the app comes back with the fresh token it got, without asking for a password.
    await new Promise((r) => setTimeout(r, 2500))
    await waitForConnection(page, 'synced', 10_000)
    expect(await page.locator('rs-sign-in').count()).toBe(0)
    expect(relay.log.some((l) => l.includes('fatma kendi parolasını değiştirdi'))).toBe(true)

    // The new password is the one that signs in now.
    const other = await openPc(browser, relay.url)
    await signIn(other.page, 'fatma', OWN)
    await waitForConnection(other.page, 'synced')
    await other.context.close()
    expect(await connection(page).getAttribute('data-state')).toMatch(/synced|connected/)
  })

  it('the panel speaks English with the switch; no password reached the relay’s log', async () => {
    await admin.page.locator('rainstaff-admin header [data-testid="lang"]').click()
    await admin.page.locator('[data-testid="users-panel"] h2', { hasText: 'Users' }).waitFor()
    expect(await row(admin.page, 'fatma').locator('[data-testid="user-state"]').textContent()).toBe('Active')
    await row(admin.page, 'fatma').locator('[data-testid="user-delete"]').click()
    await admin.page.locator('[data-testid="user-confirm"]', { hasText: 'Delete fatma?' }).waitFor()
    await screenshot(admin.page, 'accounts-admin-en')
    await admin.page.locator('[data-testid="user-confirm-yes"]').click()
    await row(admin.page, 'fatma').waitFor({ state: 'detached' })
    await admin.page.locator('rainstaff-admin header [data-testid="lang"]').click()

    const log = relay.log.join('\n')
    for (const secret of [ADMIN_PASSWORD, INITIAL, RESET, OWN]) expect(log).not.toContain(secret)
    expect(log).toContain('admin ekledi / added fatma (editor, ankara)')
    expect(log).toContain('admin devre dışı bıraktı / disabled fatma')
    expect(log).toContain('admin parolasını sıfırladı / reset the password of fatma')
    expect(log).toContain('admin sildi / deleted fatma')
    expect([...admin.errors, ...editor.errors].filter((e) => !/status of 40[013]/.test(e))).toEqual([])
  })
})
