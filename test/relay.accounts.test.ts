/**
 * Accounts over HTTP, against a real relay in this process: the admin's `/api/users` endpoints
 * (list, add, role/region, disable/enable, password reset, delete) and every user's
 * `POST /api/password`. Admin only (an editor gets 403), the same checks as `rainstaff users`,
 * errors with a code and each language, no password in an answer or a log line, and an account
 * change ends that account's open connections.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRelay, type Relay } from '../relay/server.ts'
import { MIN_PASSWORD_LENGTH } from '../relay/users.ts'
import { ADMIN_PASSWORD, connectClient, login, seedUsers, tempDir, tokenFor, until, type TestClient } from './helpers/relayProcess.ts'

const USERS = [
  { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
  { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
  { username: 'mehmet', role: 'editor', region: 'istanbul', password: 'mehmet-password' },
] as const

/** Every password any test below sends: none may appear in an answer or the relay's log. */
const SECRETS = [ADMIN_PASSWORD, 'ayse-password', 'mehmet-password', 'fatma-initial-1', 'fatma-reset-22', 'fatma-own-333', 'admin-new-pass', 'boss-password-1', 'whatever-123']

describe('accounts over HTTP', () => {
  const data = tempDir()
  const log: string[] = []
  const answers: string[] = []
  const clients: TestClient[] = []
  let relay: Relay
  let admin: string

  async function call(method: string, path: string, token: string | null, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${relay.url}${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await res.text()
    answers.push(text)
    return { status: res.status, body: JSON.parse(text) as Record<string, unknown> }
  }

  const users = async (): Promise<Array<Record<string, unknown>>> => (await call('GET', '/api/users', admin)).body.users as Array<Record<string, unknown>>

  beforeAll(async () => {
    await seedUsers(data.dir, USERS)
    relay = await startRelay({ dataDir: data.dir, port: 0, host: '127.0.0.1', log: (line) => log.push(line) })
    admin = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
  })

  afterAll(async () => {
    for (const c of clients) c.destroy()
    await relay?.close()
    data.remove()
  })

  it('is for the admin only: no token 401, an editor 403, with a code and each language', async () => {
    const ayse = await tokenFor(relay, 'ayse', 'ayse-password')
    const none = await call('GET', '/api/users', null)
    expect(none.status).toBe(401)
    expect(none.body.code).toBe('auth_required')
    for (const [method, path, body] of [
      ['GET', '/api/users', undefined],
      ['POST', '/api/users', { username: 'x1', role: 'editor', region: 'ankara', password: 'whatever-123' }],
      ['POST', '/api/users/mehmet/disable', {}],
      ['POST', '/api/users/mehmet/password', { password: 'whatever-123' }],
      ['POST', '/api/users/mehmet/role', { region: 'izmir' }],
      ['POST', '/api/users/mehmet/delete', {}],
    ] as const) {
      const refused = await call(method, path, ayse, body)
      expect(refused.status, `${method} ${path}`).toBe(403)
      expect(refused.body).toMatchObject({ code: 'admin_only', tr: 'Yalnızca yönetici', en: 'Admin only', error: 'Yalnızca yönetici / Admin only' })
    }
    expect((await users()).find((u) => u.username === 'mehmet')).toMatchObject({ role: 'editor', region: 'istanbul', disabled: false })
    expect((await users()).some((u) => u.username === 'x1')).toBe(false)
  })

  it('lists users without hashes or account ids', async () => {
    const list = await users()
    expect(list.map((u) => u.username)).toEqual(['admin', 'ayse', 'mehmet'])
    for (const u of list) {
      expect(Object.keys(u).sort()).toEqual(['createdAt', 'disabled', 'region', 'role', 'updatedAt', 'username'])
    }
    expect(list[0]).toMatchObject({ username: 'admin', role: 'admin', region: null, disabled: false })
  })

  it('adds a user with the CLI’s checks, and the user signs in', async () => {
    const bad: Array<[unknown, number, string]> = [
      [{ username: 'fatma', role: 'editor', region: 'ankara', password: 'short' }, 400, 'password_too_short'],
      [{ username: 'fatma', role: 'editor', password: 'fatma-initial-1' }, 400, 'region_required'],
      [{ username: 'fatma', role: 'editor', region: 'mars', password: 'fatma-initial-1' }, 400, 'unknown_region'],
      [{ username: 'fatma', role: 'boss', region: 'ankara', password: 'fatma-initial-1' }, 400, 'bad_role'],
      [{ username: 'fat ma', role: 'editor', region: 'ankara', password: 'fatma-initial-1' }, 400, 'bad_username'],
      [{ username: 'ayse', role: 'editor', region: 'ankara', password: 'fatma-initial-1' }, 409, 'user_exists'],
      [{ username: 'fatma', role: 'editor', region: 'ankara' }, 400, 'missing_password'],
    ]
    for (const [body, status, code] of bad) {
      const answer = await call('POST', '/api/users', admin, body)
      expect(answer.status, JSON.stringify(body)).toBe(status)
      expect(answer.body.code).toBe(code)
      expect(typeof answer.body.tr).toBe('string')
      expect(typeof answer.body.en).toBe('string')
      expect(answer.body.error).toBe(`${answer.body.tr} / ${answer.body.en}`)
    }
    const short = await call('POST', '/api/users', admin, { username: 'fatma', role: 'editor', region: 'ankara', password: 'x'.repeat(MIN_PASSWORD_LENGTH - 1) })
    expect(short.body.en).toContain(String(MIN_PASSWORD_LENGTH))
    expect((await users()).some((u) => u.username === 'fatma')).toBe(false)

    const added = await call('POST', '/api/users', admin, { username: 'fatma', role: 'editor', region: 'ankara', password: 'fatma-initial-1' })
    expect(added.status).toBe(201)
    expect(added.body.user).toMatchObject({ username: 'fatma', role: 'editor', region: 'ankara', disabled: false })
    const signedIn = await login(relay, 'fatma', 'fatma-initial-1')
    expect(signedIn.status).toBe(200)
    expect(log.some((l) => l.includes('admin') && l.includes('added fatma (editor, ankara)'))).toBe(true)

    // An admin has no region, whatever was sent.
    const boss = await call('POST', '/api/users', admin, { username: 'boss', role: 'admin', region: 'ankara', password: 'boss-password-1' })
    expect(boss.status).toBe(201)
    expect(boss.body.user).toMatchObject({ role: 'admin', region: null })
  })

  it('changes role and region with the same checks; the changed account’s connection ends', async () => {
    const fatma = await tokenFor(relay, 'fatma', 'fatma-initial-1')
    const ws = connectClient({ wsUrl: `ws://127.0.0.1:${relay.port}/sync` }, 'ankara', fatma)
    clients.push(ws)
    await ws.synced()
    expect((await call('POST', '/api/users/fatma/role', admin, { region: 'mars' })).body.code).toBe('unknown_region')
    expect((await call('POST', '/api/users/fatma/role', admin, { role: 'boss' })).body.code).toBe('bad_role')
    expect((await call('POST', '/api/users/fatma/role', admin, {})).status).toBe(400)
    expect((await call('POST', '/api/users/nobody/role', admin, { region: 'izmir' })).status).toBe(404)
    const moved = await call('POST', '/api/users/fatma/role', admin, { region: 'izmir' })
    expect(moved.status).toBe(200)
    expect(moved.body.user).toMatchObject({ role: 'editor', region: 'izmir' })
    await until(() => ws.closes.length > 0, 'the moved editor’s connection closes', 5000)
    expect((await login(relay, 'fatma', 'fatma-initial-1')).body.regions).toContainEqual(expect.objectContaining({ slug: 'izmir', writable: true }))
    expect(log.some((l) => l.includes('account: admin değiştirdi / changed fatma (editor, ankara) → fatma (editor, izmir)'))).toBe(true)
    const promoted = await call('POST', '/api/users/fatma/role', admin, { role: 'admin' })
    expect(promoted.body.user).toMatchObject({ role: 'admin', region: null })
    expect((await call('POST', '/api/users/fatma/role', admin, { role: 'editor' })).body.code).toBe('region_required')
    expect((await call('POST', '/api/users/fatma/role', admin, { role: 'editor', region: 'ankara' })).body.user).toMatchObject({ role: 'editor', region: 'ankara' })
  })

  it('disables (the open connection closes within 5 s, sign-in refused) and enables', async () => {
    const fatma = await tokenFor(relay, 'fatma', 'fatma-initial-1')
    const ws = connectClient({ wsUrl: `ws://127.0.0.1:${relay.port}/sync` }, 'ankara', fatma)
    clients.push(ws)
    await ws.synced()
    const started = Date.now()
    const disabled = await call('POST', '/api/users/fatma/disable', admin)
    expect(disabled.status).toBe(200)
    expect(disabled.body.user).toMatchObject({ disabled: true })
    await until(() => ws.closes.length > 0, 'the disabled editor’s connection closes', 5000)
    expect(Date.now() - started).toBeLessThan(5000)
    ws.destroy()
    expect((await login(relay, 'fatma', 'fatma-initial-1')).status).toBe(401)
    expect((await fetch(`${relay.url}/api/renew`, { method: 'POST', headers: { authorization: `Bearer ${fatma}` } })).status).not.toBe(200)
    expect(log.some((l) => l.includes('admin devre dışı bıraktı / disabled fatma'))).toBe(true)
    const enabled = await call('POST', '/api/users/fatma/enable', admin, {})
    expect(enabled.body.user).toMatchObject({ disabled: false })
    expect((await login(relay, 'fatma', 'fatma-initial-1')).status).toBe(200)
  })

  it('resets a password with the length check; the old one stops working', async () => {
    expect((await call('POST', '/api/users/fatma/password', admin, { password: 'short' })).body.code).toBe('password_too_short')
    expect((await call('POST', '/api/users/fatma/password', admin, {})).body.code).toBe('missing_password')
    const reset = await call('POST', '/api/users/fatma/password', admin, { password: 'fatma-reset-22' })
    expect(reset.status).toBe(200)
    expect((await login(relay, 'fatma', 'fatma-initial-1')).status).toBe(401)
    expect((await login(relay, 'fatma', 'fatma-reset-22')).status).toBe(200)
    expect(log.some((l) => l.includes('admin parolasını sıfırladı / reset the password of fatma'))).toBe(true)
  })

  it('refuses an admin changing their own account through these endpoints', async () => {
    for (const action of ['disable', 'delete', 'password'] as const) {
      const answer = await call('POST', `/api/users/admin/${action}`, admin, { password: 'admin-new-pass' })
      expect(answer.status).toBe(409)
      expect(answer.body.code).toBe('self')
    }
    expect((await call('POST', '/api/users/admin/role', admin, { role: 'editor', region: 'ankara' })).body.code).toBe('self')
    expect((await users()).find((u) => u.username === 'admin')).toMatchObject({ role: 'admin', disabled: false })
  })

  it('lets every user change their own password: current checked, new one validated, a fresh token', async () => {
    const fatma = await tokenFor(relay, 'fatma', 'fatma-reset-22')
    expect((await call('POST', '/api/password', null, { current: 'fatma-reset-22', new: 'fatma-own-333' })).status).toBe(401)
    const wrong = await call('POST', '/api/password', fatma, { current: 'not-the-password', new: 'fatma-own-333' })
    expect(wrong.status).toBe(401)
    expect(wrong.body.code).toBe('wrong_password')
    expect(log.some((l) => l.includes('password change refused') && l.includes('fatma'))).toBe(true)
    const short = await call('POST', '/api/password', fatma, { current: 'fatma-reset-22', new: 'short' })
    expect(short.status).toBe(400)
    expect(short.body.code).toBe('password_too_short')
    expect((await call('POST', '/api/password', fatma, { current: 'fatma-reset-22' })).body.code).toBe('missing_new')
    expect((await call('GET', '/api/password', fatma)).status).toBe(405)

    const changed = await call('POST', '/api/password', fatma, { current: 'fatma-reset-22', new: 'fatma-own-333' })
    expect(changed.status).toBe(200)
    expect(changed.body.user).toMatchObject({ username: 'fatma', role: 'editor', region: 'ankara' })
    const fresh = changed.body.token as string
    // The old token is void (the generation moved); the fresh one works.
    expect((await fetch(`${relay.url}/api/renew`, { method: 'POST', headers: { authorization: `Bearer ${fatma}` } })).status).toBe(401)
    expect((await fetch(`${relay.url}/api/renew`, { method: 'POST', headers: { authorization: `Bearer ${fresh}` } })).status).toBe(200)
    expect((await login(relay, 'fatma', 'fatma-reset-22')).status).toBe(401)
    expect((await login(relay, 'fatma', 'fatma-own-333')).status).toBe(200)
    expect(log.some((l) => l.includes('fatma kendi parolasını değiştirdi / changed their own password'))).toBe(true)

    // The admin changes theirs the same way.
    const adminChanged = await call('POST', '/api/password', admin, { current: ADMIN_PASSWORD, new: 'admin-new-pass' })
    expect(adminChanged.status).toBe(200)
    admin = adminChanged.body.token as string
    expect((await call('GET', '/api/users', admin)).status).toBe(200)
  })

  it('counts a wrong current password against the login limiter', async () => {
    const limited = tempDir()
    await seedUsers(limited.dir, [{ username: 'veli', role: 'editor', region: 'bursa', password: 'veli-password' }])
    const small = await startRelay({
      dataDir: limited.dir,
      port: 0,
      host: '127.0.0.1',
      log: () => {},
      loginLimits: { perAddressAndUser: 2, perUser: 10, perAddress: 10, windowMs: 60_000 },
    })
    try {
      const token = await tokenFor(small, 'veli', 'veli-password')
      const change = (current: string): Promise<Response> =>
        fetch(`${small.url}/api/password`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ current, new: 'veli-new-password' }),
        })
      expect((await change('guess-1')).status).toBe(401)
      expect((await change('guess-2')).status).toBe(401)
      expect((await change('veli-password')).status).toBe(429)
      expect((await login(small, 'veli', 'veli-password')).status).toBe(429)
    } finally {
      await small.close()
      limited.remove()
    }
  })

  it('deletes a user: sign-in refused, the name free again', async () => {
    const deleted = await call('POST', '/api/users/fatma/delete', admin)
    expect(deleted.status).toBe(200)
    expect(deleted.body).toEqual({ deleted: 'fatma' })
    expect((await users()).some((u) => u.username === 'fatma')).toBe(false)
    expect((await login(relay, 'fatma', 'fatma-own-333')).status).toBe(401)
    expect((await call('POST', '/api/users/fatma/delete', admin)).status).toBe(404)
    expect(log.some((l) => l.includes('admin sildi / deleted fatma (editor, ankara)'))).toBe(true)
    expect((await call('GET', '/api/users/fatma/explode', admin)).status).toBe(404)
  })

  it('never echoes or logs a password', () => {
    const everything = [...answers, ...log].join('\n')
    for (const secret of SECRETS) expect(everything, secret).not.toContain(secret)
    expect(everything).not.toMatch(/scrypt|\$pbkdf2|password_hash/)
  })
})
