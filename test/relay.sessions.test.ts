/**
 * Sessions follow the account, against real relays: disabling, deleting, a password change or a
 * role/region change — with `rainstaff users … --data DIR` from another process while the relay
 * runs, or through relay/users.ts in the relay's own process — closes that account's open
 * connections within 5 s and voids its tokens; a token that expires on an open connection ends
 * it (4401); `POST /api/renew` exchanges a valid token for a fresh one.
 */
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLOSE, clientProtocols } from '../crdt/protocol.ts'
import { hashPassword } from '../relay/passwords.ts'
import { startRelay, type Relay } from '../relay/server.ts'
import { openStore, STORE_FILE } from '../relay/store.ts'
import { getUser, listUsers, setDisabled, setRole } from '../relay/users.ts'
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
  type TestClient,
  METRICS_TOKEN,
  metricsText,
  putSetting,
  settingValues,
} from './helpers/relayProcess.ts'

/** The requirement: an account change reaches its open connections within this long. */
const WITHIN_MS = 5000

const USERS = [
  { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
  { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
  { username: 'ali', role: 'editor', region: 'ankara', password: 'ali-password' },
  { username: 'mehmet', role: 'editor', region: 'istanbul', password: 'mehmet-password' },
  { username: 'zeynep', role: 'editor', region: 'izmir', password: 'zeynep-password' },
  { username: 'kurban', role: 'editor', region: 'bursa', password: 'kurban-password' },
] as const

/** A stock y-websocket client that notes when the relay closed it and with which code. */
interface Watched extends TestClient {
  closedAt(): { code: number; at: number } | undefined
}

function watch(client: TestClient): Watched {
  let closed: { code: number; at: number } | undefined
  client.provider.on('connection-close', (event) => {
    if (event && closed === undefined) closed = { code: event.code, at: Date.now() }
  })
  return Object.assign(client, { closedAt: () => closed })
}

async function renew(relay: { url: string }, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${relay.url}/api/renew`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
}

async function closeCount(relay: { url: string }, code: number): Promise<number> {
  const text = await metricsText(relay)
  return Number(new RegExp(`^rainstaff_closes_total\\{code="${code}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0)
}

describe('account changes from another process end the open sessions', () => {
  const data = tempDir()
  let relay: RelayProcess
  const clients: TestClient[] = []
  const client = (region: string, token: string): Watched => {
    const c = watch(connectClient(relay, region, token))
    clients.push(c)
    return c
  }

  beforeAll(async () => {
    await seedUsers(data.dir, USERS)
    relay = await spawnRelay(data.dir)
  })

  afterAll(async () => {
    for (const c of clients) c.destroy()
    await relay?.stop()
    data.remove()
  })

  it('users disable: the account’s connections close with 4403 within 5 s, its token is refused, others carry on', async () => {
    const token = await tokenFor(relay, 'ayse', 'ayse-password')
    const writing = client('ankara', token)
    const reading = client('istanbul', token)
    const other = client('ankara', await tokenFor(relay, 'ali', 'ali-password'))
    await Promise.all([writing.synced(), reading.synced(), other.synced()])
    putSetting(writing.doc, 'ankara', 'ayse', 'before', 'önce')
    await until(() => settingValues(other.doc).before === 'önce', 'the write before reaches ali')

    expect((await runCli(['users', 'disable', 'ayse', '--data', data.dir])).code).toBe(0)
    const changedAt = Date.now()
    await until(() => writing.closedAt() !== undefined && reading.closedAt() !== undefined, 'both connections closed', 15_000)
    for (const c of [writing, reading]) {
      expect(c.closedAt()?.code).toBe(CLOSE.forbidden)
      expect(c.closedAt()!.at - changedAt).toBeLessThanOrEqual(WITHIN_MS)
    }
    expect(writing.closes[0]?.reason).toBe('Kullanıcı devre dışı veya silindi / User disabled or deleted')

    // The closed client's later edits go nowhere, its token admits nothing, and ali is unaffected.
    putSetting(writing.doc, 'ankara', 'ayse', 'after', 'sonra')
    expect((await rawSocket(relay, 'ankara', clientProtocols(token)).closed).code).toBe(CLOSE.forbidden)
    expect((await renew(relay, token)).status).toBe(403)
    putSetting(other.doc, 'ankara', 'ali', 'still', 'evet')
    const late = client('ankara', await tokenFor(relay, 'admin', ADMIN_PASSWORD))
    await late.synced()
    await until(() => settingValues(late.doc).still === 'evet', 'ali\'s later write is stored')
    expect(settingValues(late.doc)).toEqual({ before: 'önce', still: 'evet' })
    expect(other.closes).toEqual([])
    expect(relay.output()).toMatch(/sessions ended \(4403\): ayse disabled, 2 connection/)
    expect(relay.output()).not.toContain(token)
  })

  it('users passwd: connections close with 4401 within 5 s; the old token is refused at connect and at /api/renew', async () => {
    const token = await tokenFor(relay, 'mehmet', 'mehmet-password')
    const open = client('istanbul', token)
    await open.synced()
    expect((await renew(relay, token)).status).toBe(200)

    expect((await runCli(['users', 'passwd', 'mehmet', '--data', data.dir], 'mehmet-new-password\n')).code).toBe(0)
    const changedAt = Date.now()
    await until(() => open.closedAt() !== undefined, 'the connection closed', 15_000)
    expect(open.closedAt()?.code).toBe(CLOSE.unauthenticated)
    expect(open.closedAt()!.at - changedAt).toBeLessThanOrEqual(WITHIN_MS)

    expect((await rawSocket(relay, 'istanbul', clientProtocols(token)).closed).code).toBe(CLOSE.unauthenticated)
    const refused = await renew(relay, token)
    expect(refused.status).toBe(401)
    expect(refused.body.error).toMatch(/yeniden giriş yapın \/ The account changed; log in again/)
    expect((await login(relay, 'mehmet', 'mehmet-password')).status).toBe(401)
    const fresh = client('istanbul', await tokenFor(relay, 'mehmet', 'mehmet-new-password'))
    await fresh.synced()
    expect(fresh.closes).toEqual([])
  })

  it('users set: a region change ends the sessions (4401); logged in again, the user writes the new region only', async () => {
    const token = await tokenFor(relay, 'zeynep', 'zeynep-password')
    const izmir = client('izmir', token)
    await izmir.synced()
    putSetting(izmir.doc, 'izmir', 'zeynep', 'izmir', 'yazıldı')
    await until(() => (izmir.durable.get(izmir.doc.clientID) ?? 0) > 0, 'the izmir write is stored')

    const set = await runCli(['users', 'set', 'zeynep', '--region', 'bursa', '--data', data.dir])
    expect(set.stdout).toMatch(/zeynep \(editor, bursa\)/)
    const changedAt = Date.now()
    await until(() => izmir.closedAt() !== undefined, 'the connection closed', 15_000)
    expect(izmir.closedAt()?.code).toBe(CLOSE.unauthenticated)
    expect(izmir.closedAt()!.at - changedAt).toBeLessThanOrEqual(WITHIN_MS)
    expect((await rawSocket(relay, 'izmir', clientProtocols(token)).closed).code).toBe(CLOSE.unauthenticated)

    const again = await login(relay, 'zeynep', 'zeynep-password')
    expect(again.body.user).toEqual({ username: 'zeynep', role: 'editor', region: 'bursa' })
    const newToken = String(again.body.token)
    const oldRegion = client('izmir', newToken)
    const newRegion = client('bursa', newToken)
    await Promise.all([oldRegion.synced(), newRegion.synced()])
    putSetting(oldRegion.doc, 'izmir', 'zeynep', 'refused', 'hayır')
    putSetting(newRegion.doc, 'bursa', 'zeynep', 'bursa', 'evet')
    await until(() => oldRegion.refused.length > 0, 'the izmir write is refused')
    await until(() => (newRegion.durable.get(newRegion.doc.clientID) ?? 0) > 0, 'the bursa write is stored')
  })

  it('users delete: connections close with 4403; a user added again under the name is another account the old token does not admit', async () => {
    const token = await tokenFor(relay, 'kurban', 'kurban-password')
    const open = client('bursa', token)
    await open.synced()

    expect((await runCli(['users', 'delete', 'kurban', '--data', data.dir])).code).toBe(0)
    const changedAt = Date.now()
    await until(() => open.closedAt() !== undefined, 'the connection closed', 15_000)
    expect(open.closedAt()?.code).toBe(CLOSE.forbidden)
    expect(open.closedAt()!.at - changedAt).toBeLessThanOrEqual(WITHIN_MS)
    expect((await runCli(['users', 'list', '--data', data.dir])).stdout).not.toMatch(/^kurban\t/m)

    // Re-created with the same name (and, to make the point, as an admin): the old token names the old account.
    expect((await runCli(['users', 'add', 'kurban', '--role', 'admin', '--data', data.dir], 'kurban-new-password\n')).code).toBe(0)
    expect((await rawSocket(relay, 'bursa', clientProtocols(token)).closed).code).toBe(CLOSE.forbidden)
    expect((await renew(relay, token)).status).toBe(403)
    const status = await fetch(`${relay.url}/api/status`, { headers: { authorization: `Bearer ${token}` } })
    expect(status.status).toBe(403)
    const fresh = await tokenFor(relay, 'kurban', 'kurban-new-password')
    expect(claims(fresh).sub).not.toBe(claims(token).sub)
    expect((await fetch(`${relay.url}/api/status`, { headers: { authorization: `Bearer ${fresh}` } })).status).toBe(200)
  })
})

describe('account changes through relay code in the same process', () => {
  const data = tempDir()
  let relay: Relay
  const clients: TestClient[] = []
  const wsUrl = (): string => `ws://127.0.0.1:${relay.port}/sync`

  beforeAll(async () => {
    await seedUsers(data.dir, USERS)
    relay = await startRelay({ dataDir: data.dir, port: 0, host: '127.0.0.1', log: () => {}, metricsToken: METRICS_TOKEN })
  })

  afterAll(async () => {
    for (const c of clients) c.destroy()
    await relay?.close()
    data.remove()
  })

  it('setDisabled and setRole on the store end the account’s sessions within 5 s', async () => {
    const ayse = await tokenFor(relay, 'ayse', 'ayse-password')
    const ali = await tokenFor(relay, 'ali', 'ali-password')
    const disabled = watch(connectClient({ wsUrl: wsUrl() }, 'ankara', ayse))
    const changed = watch(connectClient({ wsUrl: wsUrl() }, 'ankara', ali))
    clients.push(disabled, changed)
    await Promise.all([disabled.synced(), changed.synced()])
    const store = openStore(data.dir)
    try {
      setDisabled(store, 'ayse', true)
      setRole(store, 'ali', { role: 'admin' })
    } finally {
      store.close()
    }
    const changedAt = Date.now()
    await until(() => disabled.closedAt() !== undefined && changed.closedAt() !== undefined, 'both closed', 15_000)
    expect(disabled.closedAt()?.code).toBe(CLOSE.forbidden)
    expect(changed.closedAt()?.code).toBe(CLOSE.unauthenticated)
    for (const c of [disabled, changed]) expect(c.closedAt()!.at - changedAt).toBeLessThanOrEqual(WITHIN_MS)
    const again = await login(relay, 'ali', 'ali-password')
    expect(again.body.user).toEqual({ username: 'ali', role: 'admin', region: null })
  })
})

describe('token expiry and renewal', () => {
  const data = tempDir()
  let relay: RelayProcess
  const clients: TestClient[] = []

  beforeAll(async () => {
    await seedUsers(data.dir, USERS)
    relay = await spawnRelay(data.dir, ['--token-ttl-seconds', '3'])
  })

  afterAll(async () => {
    for (const c of clients) c.destroy()
    await relay?.stop()
    data.remove()
  })

  it('a token that expires on an open connection ends it with 4401, not before', async () => {
    const { body } = await login(relay, 'ayse', 'ayse-password')
    const expiresAt = Number(body.expiresAt)
    const open = watch(connectClient(relay, 'ankara', String(body.token)))
    clients.push(open)
    await open.synced()
    await until(() => open.closedAt() !== undefined, 'the expired connection closed', expiresAt - Date.now() + WITHIN_MS)
    expect(open.closedAt()?.code).toBe(CLOSE.unauthenticated)
    expect(open.closedAt()!.at).toBeGreaterThanOrEqual(expiresAt - 5)
    // Stock y-websocket treats 44xx as final: it waits for the application to bring a new token.
    await new Promise((r) => setTimeout(r, 500))
    expect(open.provider.wsconnected || open.provider.wsconnecting).toBe(false)
  })

  it('POST /api/renew gives a fresh token for a valid one, keeps the login time, and stops after --session-max-seconds', async () => {
    const maxData = tempDir()
    await seedUsers(maxData.dir, USERS)
    const capped = await spawnRelay(maxData.dir, ['--token-ttl-seconds', '3', '--session-max-seconds', '5'])
    try {
      await renewsUntilTheMaximum(capped)
    } finally {
      await capped.stop()
      maxData.remove()
    }
  })

  async function renewsUntilTheMaximum(relay: RelayProcess): Promise<void> {
    const first = await login(relay, 'mehmet', 'mehmet-password')
    const token = String(first.body.token)
    const renewed = await renew(relay, token)
    expect(renewed.status).toBe(200)
    expect(renewed.body.user).toEqual(first.body.user)
    expect(renewed.body.regions).toEqual(first.body.regions)
    const next = String(renewed.body.token)
    expect(next).not.toBe(token)
    expect(Number(renewed.body.expiresAt)).toBeGreaterThanOrEqual(Number(first.body.expiresAt))
    expect(claims(next)).toMatchObject({ v: 2, sub: claims(token).sub, gen: claims(token).gen, auth: claims(token).auth })

    // A forged token (of the first format), a GET and no token are refused.
    expect((await renew(relay, 'eyJ1c2VybmFtZSI6Im1laG1ldCJ9.AAAA')).status).toBe(401)
    expect((await fetch(`${relay.url}/api/renew`, { headers: { authorization: `Bearer ${next}` } })).status).toBe(405)
    expect((await fetch(`${relay.url}/api/renew`, { method: 'POST' })).status).toBe(401)

    // Renewed in a chain, the session outlives its tokens but not the maximum. The last renewal
    // is at least 3 s old at the maximum's end, so the token refused then is still valid.
    const age = (): number => Date.now() - Number(claims(token).auth)
    let current = next
    while (age() < 3500) {
      const r = await renew(relay, current)
      expect(r.status).toBe(200)
      current = String(r.body.token)
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    expect(Date.now()).toBeGreaterThan(Number(first.body.expiresAt))
    expect((await renew(relay, token)).status).toBe(401)
    await until(() => age() >= 5000 + 50, 'the session maximum passes', 10_000)
    expect(Number(claims(current).exp)).toBeGreaterThan(Date.now())
    const tooOld = await renew(relay, current)
    expect(tooOld.status).toBe(401)
    expect(tooOld.body.error).toMatch(/The session is too old; log in again/)
    expect((await login(relay, 'mehmet', 'mehmet-password')).status).toBe(200)
  }

  it('a stock y-websocket client that renews before expiry and reconnects on 4401 carries on', async () => {
    let { body } = await login(relay, 'ali', 'ali-password')
    const c = watch(connectClient(relay, 'ankara', String(body.token)))
    clients.push(c)
    // The application's part: renew ahead of the expiry, and bring the new token back on 4401.
    const renewer = setInterval(() => {
      void renew(relay, String(body.token)).then((r) => {
        if (r.status === 200) body = r.body
      })
    }, 1000)
    let reconnects = 0
    c.provider.on('closed', (event) => {
      if (event.code !== CLOSE.unauthenticated) return
      reconnects++
      c.provider.protocols = clientProtocols(String(body.token))
      c.provider.connect()
    })
    try {
      await c.synced()
      await until(() => reconnects >= 2 && c.provider.synced, 'two expiries survived', 20_000)
      putSetting(c.doc, 'ankara', 'ali', 'after-expiries', 'tamam')
      await until(() => (c.durable.get(c.doc.clientID) ?? 0) > 0, 'a write after the expiries is stored')
    } finally {
      clearInterval(renewer)
    }
    expect(await closeCount(relay, CLOSE.unauthenticated)).toBeGreaterThanOrEqual(2)
  })
})

describe('a store from before account ids', () => {
  const data = tempDir()
  afterAll(() => data.remove())

  it('gains account ids and generations in place, once, and its users log in with v2 tokens', async () => {
    // The users table as the first schema made it, with a user in it.
    const old = new Database(path.join(data.dir, STORE_FILE))
    old.pragma('journal_mode = WAL')
    old.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE users (
        username TEXT PRIMARY KEY COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('editor', 'admin')),
        region TEXT,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `)
    old.pragma('user_version = 1')
    const insert = old.prepare('INSERT INTO users (username, password_hash, role, region, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 1, 1)')
    insert.run('ayse', await hashPassword('ayse-password'), 'editor', 'ankara')
    insert.run('ali', await hashPassword('ali-password'), 'editor', 'ankara')
    old.close()

    const store = openStore(data.dir)
    const first = listUsers(store)
    store.close()
    expect(first.map((u) => u.generation)).toEqual([1, 1])
    for (const u of first) expect(u.accountId).toMatch(/^[0-9a-f]{32}$/)
    expect(new Set(first.map((u) => u.accountId)).size).toBe(2)
    // Opening again changes nothing.
    const again = openStore(data.dir)
    expect(listUsers(again)).toEqual(first)
    // A row written without an id (an older `users add` after the migration) gets one when read.
    again.db
      .prepare('INSERT INTO users (username, password_hash, role, region, disabled, created_at, updated_at) VALUES (?, ?, ?, NULL, 0, 1, 1)')
      .run('eski', await hashPassword('eski-password'), 'admin')
    expect(getUser(again, 'eski')?.accountId).toMatch(/^[0-9a-f]{32}$/)
    again.close()

    const relay = await spawnRelay(data.dir)
    try {
      for (const [name, password] of [['ayse', 'ayse-password'], ['eski', 'eski-password']] as const) {
        const token = await tokenFor(relay, name, password)
        expect(claims(token)).toMatchObject({ v: 2, gen: 1, username: name })
      }
      const ayse = await tokenFor(relay, 'ayse', 'ayse-password')
      expect(claims(ayse).sub).toBe(first.find((u) => u.username === 'ayse')?.accountId)
    } finally {
      await relay.stop()
    }
  })
})
