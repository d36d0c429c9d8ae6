/**
 * Keepalive and dead peers against a real relay process. Stock y-websocket drops a connection it
 * has heard nothing on for 30 s (`messageReconnectTimeout`, a constant of y-websocket), and a lone
 * client in a region hears nothing but the relay: the relay sends idle connections an empty
 * awareness update at least every `--keepalive-ms` (10 s by default). A peer that answers nothing,
 * not even pings, is cut after `--peer-timeout-ms`.
 *
 * The 10-minute run is scaled down by 10: a 1 s keepalive against a watchdog applying
 * y-websocket's own rule with 3 s instead of 30 s, for 60 s — the defaults' ratios over 10 minutes.
 */
import { connect as tcpConnect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientProtocols } from '../crdt/protocol.ts'
import { connectClient, seedUsers, spawnRelay, tempDir, tokenFor, until, type RelayProcess, type TestClient, metricsText } from './helpers/relayProcess.ts'

const SCALE = 10
/** y-websocket's messageReconnectTimeout (30 s), scaled. */
const CLIENT_TIMEOUT_MS = 30_000 / SCALE
/** The relay's default keepalive (10 s), scaled. */
const KEEPALIVE_MS = 10_000 / SCALE
const RUN_MS = 10 * 60_000 / SCALE

/**
 * y-websocket's check (`_checkInterval`): connected, and nothing received for longer than the
 * timeout, tested every tenth of it. Counts what would have been a reconnect.
 */
function watchdog(client: TestClient, timeoutMs: number): { stalls(): number; longestSilenceMs(): number; stop(): void } {
  let stalls = 0
  let longest = 0
  const timer = setInterval(() => {
    if (!client.provider.wsconnected) return
    const silent = Date.now() - client.provider.wsLastMessageReceived
    longest = Math.max(longest, silent)
    if (silent > timeoutMs) stalls++
  }, timeoutMs / 10)
  return { stalls: () => stalls, longestSilenceMs: () => longest, stop: () => clearInterval(timer) }
}

async function counter(relay: RelayProcess, name: string): Promise<number> {
  const text = await metricsText(relay)
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN)
}

/**
 * A WebSocket upgrade by hand on a socket that then reads what comes and answers nothing, as a
 * peer whose machine vanished would (it answers no ping: it speaks no WebSocket).
 */
async function silentPeer(relay: RelayProcess, token: string): Promise<Socket> {
  const socket = tcpConnect(relay.port, '127.0.0.1')
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  socket.write(
    [
      'GET /sync/bursa HTTP/1.1',
      `Host: 127.0.0.1:${relay.port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      `Sec-WebSocket-Protocol: ${clientProtocols(token).join(', ')}`,
      '',
      '',
    ].join('\r\n'),
  )
  await new Promise<void>((resolve) => socket.once('data', () => resolve()))
  socket.on('data', () => {})
  return socket
}

describe('keepalive and dead peers', () => {
  const data = tempDir()
  let relay: RelayProcess
  let token: string
  const clients: TestClient[] = []

  beforeAll(async () => {
    await seedUsers(data.dir, [{ username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' }])
    relay = await spawnRelay(data.dir, ['--keepalive-ms', String(KEEPALIVE_MS), '--peer-timeout-ms', String(CLIENT_TIMEOUT_MS)])
    token = await tokenFor(relay, 'ayse', 'ayse-password')
  })

  afterAll(async () => {
    for (const c of clients) c.destroy()
    await relay?.stop()
    data.remove()
  })

  it('cuts a peer that stopped answering after --peer-timeout-ms; a quiet live one stays', async () => {
    const quiet = connectClient(relay, 'bursa', token)
    clients.push(quiet)
    await quiet.synced()
    const before = await counter(relay, 'rainstaff_peers_timed_out_total')
    const silent = await silentPeer(relay, token)
    const started = Date.now()
    let closedAt: number | undefined
    silent.on('close', () => (closedAt = Date.now()))
    await until(() => closedAt !== undefined, 'the silent peer is cut', CLIENT_TIMEOUT_MS + 5000)
    expect(closedAt! - started).toBeGreaterThanOrEqual(CLIENT_TIMEOUT_MS - 100)
    expect((await counter(relay, 'rainstaff_peers_timed_out_total')) - before).toBe(1)
    expect(quiet.closes).toEqual([])
    expect(quiet.provider.wsconnected).toBe(true)
  })

  it(
    `a stock y-websocket client alone in a region stays connected for 10 minutes (scaled by ${SCALE}: ${KEEPALIVE_MS} ms keepalive, ${CLIENT_TIMEOUT_MS} ms client timeout, ${RUN_MS / 1000} s)`,
    async () => {
      const alone = connectClient(relay, 'izmir', token)
      clients.push(alone)
      await alone.synced()
      const socket = alone.provider.ws
      let reconnects = 0
      alone.provider.on('connection-close', () => reconnects++)
      const dog = watchdog(alone, CLIENT_TIMEOUT_MS)
      await new Promise((r) => setTimeout(r, RUN_MS))
      dog.stop()
      expect(dog.stalls()).toBe(0)
      expect(reconnects).toBe(0)
      expect(alone.provider.ws).toBe(socket)
      expect(alone.provider.wsconnected).toBe(true)
      expect(dog.longestSilenceMs()).toBeLessThanOrEqual(CLIENT_TIMEOUT_MS)
    },
    RUN_MS + 30_000,
  )
})

describe('without a keepalive that short', () => {
  const data = tempDir()
  let relay: RelayProcess
  let client: TestClient | undefined

  afterAll(async () => {
    client?.destroy()
    await relay?.stop()
    data.remove()
  })

  it('the same watchdog sees the relay silent for longer than the scaled timeout (the check can fail)', async () => {
    await seedUsers(data.dir, [{ username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' }])
    relay = await spawnRelay(data.dir)
    client = connectClient(relay, 'izmir', await tokenFor(relay, 'ayse', 'ayse-password'))
    await client.synced()
    const dog = watchdog(client, CLIENT_TIMEOUT_MS)
    try {
      await until(() => dog.stalls() > 0, 'a silence longer than the scaled timeout', 20_000)
    } finally {
      dog.stop()
    }
  })
})
