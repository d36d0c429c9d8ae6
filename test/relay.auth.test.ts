/**
 * Login, tokens and handshake refusals against a real relay process; the users CLI on a real
 * data directory; legacy password hashes upgraded on first login.
 */
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLOSE, clientProtocols, SUBPROTOCOL } from '../crdt/protocol.ts'
import { openStore } from '../relay/store.ts'
import { signToken, tokenSecret } from '../relay/tokens.ts'
import { getUser } from '../relay/users.ts'
import {
  ADMIN_PASSWORD,
  connectClient,
  login,
  rawSocket,
  runCli,
  seedUsers,
  spawnRelay,
  tempDir,
  tokenFor,
  until,
  type RelayProcess,
} from './helpers/relayProcess.ts'

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

describe('relay authentication', () => {
  const data = tempDir()
  let relay: RelayProcess
  const secrets: string[] = [ADMIN_PASSWORD, 'ayse-password', 'legacy-one', 'legacy-two']

  beforeAll(async () => {
    await seedUsers(data.dir, [
      { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
      { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
      { username: 'eski1', role: 'editor', region: 'istanbul', legacyHash: sha256('rainstaff::legacy-one') },
      { username: 'eski2', role: 'admin', legacyHash: sha256('legacy-two') },
      { username: 'kurban', role: 'editor', region: 'bursa', password: 'kurban-password' },
    ])
    relay = await spawnRelay(data.dir)
  })

  afterAll(async () => {
    await relay?.stop()
    data.remove()
  })

  it('refuses a wrong password with 401 and rate-limits repeated failures with 429', async () => {
    const wrong = await login(relay, 'ayse', 'not-her-password')
    expect(wrong.status).toBe(401)
    expect(wrong.body.error).toMatch(/parola yanlış \/ Wrong username or password/)
    const unknown = await login(relay, 'nobody', 'whatever-password')
    expect(unknown.status).toBe(401)

    // A separate victim so the other tests keep their budget.
    for (let i = 0; i < 5; i++) expect((await login(relay, 'kurban', 'guess-' + i)).status).toBe(401)
    // Even the right password is refused while the limit holds.
    const limited = await fetch(`${relay.url}/api/login`, {
      method: 'POST',
      body: JSON.stringify({ username: 'kurban', password: 'kurban-password' }),
    })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    // Bad input is a clear 400, not a crash.
    const bad = await fetch(`${relay.url}/api/login`, { method: 'POST', body: '{"username":' })
    expect(bad.status).toBe(400)
  })

  it('issues a short-lived token that names the user, role and region', async () => {
    const { status, body } = await login(relay, 'ayse', 'ayse-password')
    expect(status).toBe(200)
    expect(body.user).toEqual({ username: 'ayse', role: 'editor', region: 'ankara' })
    expect(typeof body.token).toBe('string')
    const ttl = (body.expiresAt as number) - Date.now()
    expect(ttl).toBeGreaterThan(60_000)
    expect(ttl).toBeLessThanOrEqual(15 * 60_000)
  })

  it('accepts both legacy SHA-256 forms once, then keeps only a scrypt hash', async () => {
    const storedHash = (username: string): string | undefined => {
      const store = openStore(data.dir)
      try {
        return store.db
          .prepare<[string], { password_hash: string }>('SELECT password_hash FROM users WHERE username = ?')
          .get(username)?.password_hash
      } finally {
        store.close()
      }
    }
    expect(storedHash('eski1')).toBe('legacy-sha256$' + sha256('rainstaff::legacy-one'))
    expect((await login(relay, 'eski1', 'legacy-one')).status).toBe(200)
    expect((await login(relay, 'eski2', 'legacy-two')).status).toBe(200)
    for (const name of ['eski1', 'eski2']) expect(storedHash(name)).toMatch(/^scrypt\$/)
    expect((await login(relay, 'eski1', 'legacy-one')).status).toBe(200)
    expect((await login(relay, 'eski2', 'legacy-two')).status).toBe(200)
    expect((await login(relay, 'eski1', 'wrong-one')).status).toBe(401)
  })

  it('closes a connection without a token, with a bad token or an expired one with 4401', async () => {
    const none = rawSocket(relay, 'ankara', [SUBPROTOCOL])
    expect((await none.closed).code).toBe(CLOSE.unauthenticated)

    const forged = rawSocket(relay, 'ankara', clientProtocols('eyJ1c2VybmFtZSI6ImF5c2UifQ.AAAA'))
    expect((await forged.closed).code).toBe(CLOSE.unauthenticated)

    const store = openStore(data.dir)
    const secret = tokenSecret(store)
    const ayse = getUser(store, 'ayse')
    store.close()
    if (ayse === undefined) throw new Error('ayse was seeded')
    const expired = signToken(secret, ayse, 60_000, Date.now() - 120_000)
    // A stock y-websocket client sees the code and, it being 44xx, stops retrying.
    const client = connectClient(relay, 'ankara', expired.token)
    let closedEvent: { code: number } | undefined
    client.provider.on('closed', (event) => (closedEvent = event))
    await until(() => closedEvent !== undefined, 'provider gives up on an expired token')
    expect(closedEvent?.code).toBe(CLOSE.unauthenticated)
    expect(client.closes[0]?.reason).toMatch(/süresi doldu \/ Not authenticated or token expired/)
    client.destroy()
  })

  it('closes a connection to an unknown region with 4404', async () => {
    const token = await tokenFor(relay, 'ayse', 'ayse-password')
    const unknown = rawSocket(relay, 'antalya', clientProtocols(token))
    expect(await unknown.closed).toEqual({ code: CLOSE.unknownRegion, reason: 'Bilinmeyen bölge / Unknown region' })
    const traversal = rawSocket(relay, '..%2Fadmin', clientProtocols(token))
    expect((await traversal.closed).code).toBe(CLOSE.unknownRegion)
  })

  it('re-reads the user on each connection: a disabled user is refused with 4403 (and at login with 401)', async () => {
    const token = await tokenFor(relay, 'ayse', 'ayse-password')
    const before = rawSocket(relay, 'ankara', clientProtocols(token))
    await before.opened
    before.socket.close()
    const disabled = await runCli(['users', 'disable', 'ayse', '--data', data.dir])
    expect(disabled.code).toBe(0)
    const after = rawSocket(relay, 'ankara', clientProtocols(token))
    expect((await after.closed).code).toBe(CLOSE.forbidden)
    // Login answers a disabled account like a wrong password (relay.login.test.ts has the why).
    const refused = await login(relay, 'ayse', 'ayse-password')
    expect(refused.status).toBe(401)
    expect(refused.body.error).toMatch(/parola yanlış \/ Wrong username or password/)
    expect((await runCli(['users', 'enable', 'ayse', '--data', data.dir])).code).toBe(0)
    expect((await login(relay, 'ayse', 'ayse-password')).status).toBe(200)
  })

  it('never writes a password or a token to its output', async () => {
    const token = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
    const s = rawSocket(relay, 'nowhere', clientProtocols(token))
    await s.closed
    const output = relay.output()
    for (const secret of [...secrets, token]) expect(output).not.toContain(secret)
  })
})

describe('users CLI', () => {
  const data = tempDir()
  afterAll(() => data.remove())

  it('adds, lists, changes the password of and disables users; bad input changes nothing', async () => {
    const add = await runCli(['users', 'add', 'zeynep', '--role', 'editor', '--region', 'izmir', '--data', data.dir], 'zeynep-password\n')
    expect(add.stderr).toBe('')
    expect(add.code).toBe(0)
    expect((await runCli(['users', 'add', 'yonetici', '--role', 'admin', '--data', data.dir], 'yonetici-pass\n')).code).toBe(0)

    const noRegion = await runCli(['users', 'add', 'ali', '--role', 'editor', '--data', data.dir], 'ali-password\n')
    expect(noRegion.code).toBe(1)
    expect(noRegion.stderr).toMatch(/bölge gerekli.* \/ An editor needs a region/)
    const badRegion = await runCli(['users', 'add', 'ali', '--role', 'editor', '--region', 'mars', '--data', data.dir], 'ali-password\n')
    expect(badRegion.code).toBe(1)
    const short = await runCli(['users', 'add', 'ali', '--role', 'editor', '--region', 'bursa', '--data', data.dir], 'kisa\n')
    expect(short.code).toBe(1)
    expect(short.stderr).toMatch(/at least 8 characters/)
    const dup = await runCli(['users', 'add', 'ZEYNEP', '--role', 'editor', '--region', 'bursa', '--data', data.dir], 'another-password\n')
    expect(dup.code).toBe(1)

    expect((await runCli(['users', 'passwd', 'zeynep', '--data', data.dir], 'new-zeynep-password\n')).code).toBe(0)
    expect((await runCli(['users', 'disable', 'yonetici', '--data', data.dir])).code).toBe(0)
    const list = await runCli(['users', 'list', '--data', data.dir])
    expect(list.stdout.trim().split('\n')).toEqual(['yonetici\tadmin\t*\tdisabled', 'zeynep\teditor\tizmir\tactive'])

    // The relay serves the users the CLI made, with the changed password.
    const relay = await spawnRelay(data.dir)
    try {
      expect((await login(relay, 'zeynep', 'zeynep-password')).status).toBe(401)
      expect((await login(relay, 'zeynep', 'new-zeynep-password')).status).toBe(200)
      expect((await login(relay, 'yonetici', 'yonetici-pass')).status).toBe(401)
    } finally {
      await relay.stop()
    }
  })
})
