/**
 * Engines editing across several token expiries (relay --token-ttl-seconds 3). The relay ends
 * each connection when its token expires (4401); the engine has renewed the token ahead of that
 * (POST /api/renew, so a session without the password — the CLI's kind — keeps going too) and
 * reconnects with the fresh one. Every edit reaches the relay exactly once; pending reaches 0.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { openMirror } from '../crdt/mirror.ts'
import { CLOSE } from '../crdt/protocol.ts'
import { openEngine, type SyncEngine } from '../client/engine.ts'
import { openFileStore, type FileStore } from '../client/fileStore.ts'
import { relayAddress } from '../client/relayAddress.ts'
import { loginToRelay, sessionFromAccount } from '../client/signIn.ts'
import { ADMIN_PASSWORD, connectClient, seedUsers, spawnRelay, tempDir, tokenFor, type RelayProcess, type TestClient, metricsText } from './helpers/relayProcess.ts'
import { peerDir, removeDir, startPeer, TEST_BACKOFF, type TestPeer } from './helpers/peerEngine.ts'

const TTL_SECONDS = 3
const data = tempDir()
const dirs: string[] = []
let relay: RelayProcess | undefined
let tokenOnly: { engine: SyncEngine; store: FileStore } | undefined
let withPassword: TestPeer | undefined
let reader: TestClient | undefined

afterAll(async () => {
  reader?.destroy()
  await tokenOnly?.engine.close().catch(() => {})
  await tokenOnly?.store.close().catch(() => {})
  await withPassword?.close().catch(() => {})
  await relay?.stop()
  for (const dir of dirs) removeDir(dir)
  data.remove()
})

async function closes(code: number): Promise<number> {
  const text = await metricsText(relay!)
  return Number(new RegExp(`^rainstaff_closes_total\\{code="${code}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0)
}

describe('editing across token expiries', () => {
  it('renews ahead of each expiry, reconnects with the fresh token, and every edit arrives once', async () => {
    await seedUsers(data.dir, [
      { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
      { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
      { username: 'ali', role: 'editor', region: 'ankara', password: 'ali-password' },
    ])
    relay = await spawnRelay(data.dir, ['--token-ttl-seconds', String(TTL_SECONDS)])

    // Ayşe's session holds no password, like the CLI's: only the token can renew it.
    const address = relayAddress(relay.url)
    const signed = await loginToRelay(address, 'ayse', 'ayse-password')
    const dir = peerDir('ayse')
    dirs.push(dir)
    const store = openFileStore(dir)
    const tokens: string[] = [signed.token]
    const session = sessionFromAccount(
      { relay: address.http, user: signed.user, regions: signed.regions, verifier: '', token: signed.token, expiresAt: signed.expiresAt },
      null,
      { onToken: (token) => void tokens.push(token) },
    )
    const engine = await openEngine({ session, store, regions: ['ankara'], WebSocketPolyfill: WebSocket, backoff: TEST_BACKOFF })
    tokenOnly = { engine, store }
    // Ali's holds it in memory, like the app's.
    withPassword = await startPeer(relay.url, 'ali', 'ali-password', { engine: { regions: ['ankara'] } })
    dirs.push(withPassword.dir)
    await Promise.all([engine.whenSynced(), withPassword.engine.whenSynced()])

    // Edits every 100 ms for a bit more than three token lifetimes, some of them while reconnecting.
    const names: string[] = []
    const until4401s = (await closes(CLOSE.unauthenticated)) + 6
    const started = Date.now()
    let i = 0
    while (Date.now() - started < (TTL_SECONDS * 3 + 1) * 1000 || (await closes(CLOSE.unauthenticated)) < until4401s) {
      const name = `ayşe ${i}`
      engine.insert('employees', { full_name: name })
      const other = `ali ${i}`
      withPassword.engine.insert('employees', { full_name: other })
      names.push(name, other)
      i++
      await new Promise((r) => setTimeout(r, 100))
    }
    await Promise.all([engine.whenSynced(20_000), withPassword.engine.whenSynced(20_000)])
    expect(engine.pendingChanges).toBe(0)
    expect(withPassword.engine.pendingChanges).toBe(0)

    // Three expiries each (the relay's 4401s) were met with a token already renewed: no
    // connection was ever refused, and Ayşe's session renewed without a password.
    expect(await closes(CLOSE.unauthenticated)).toBeGreaterThanOrEqual(until4401s)
    expect(tokens.length).toBeGreaterThanOrEqual(4)
    expect(new Set(tokens).size).toBe(tokens.length)
    expect(relay.output()).not.toMatch(/connection refused \(4401\)/)
    for (const token of tokens) expect(relay.output()).not.toContain(token)

    // A fresh reader sees each edit exactly once.
    reader = connectClient(relay, 'ankara', await tokenFor(relay, 'admin', ADMIN_PASSWORD))
    await reader.synced()
    const mirror = await openMirror()
    try {
      mirror.attach('ankara', reader.doc)
      const stored = mirror.query('SELECT full_name FROM employees').map((r) => String(r.full_name))
      expect(stored.sort()).toEqual([...names].sort())
    } finally {
      mirror.close()
    }
  })
})
