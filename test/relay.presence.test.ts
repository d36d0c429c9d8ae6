/**
 * Presence (awareness) limits against a real relay process, with raw y-protocols awareness
 * messages for the hostile cases and stock y-websocket clients watching: a state over 4 KiB is
 * dropped (the whole message, the connection kept), one connection changes at most 4 presence
 * client ids, and stock clients echoing each other's states are not mistaken for either.
 */
import * as encoding from 'lib0/encoding'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { clientProtocols, MESSAGE_AWARENESS } from '../crdt/protocol.ts'
import {
  connectClient,
  rawSocket,
  seedUsers,
  spawnRelay,
  tempDir,
  tokenFor,
  until,
  type RelayProcess,
  type TestClient,
  metricsText,
} from './helpers/relayProcess.ts'

const MAX_PRESENCE_BYTES = 4096
const MAX_PRESENCE_CLIENTS = 4

interface Entry {
  readonly client: number
  readonly clock: number
  readonly state: unknown
}

/** A y-protocols awareness update (encodeAwarenessUpdate's format) in a type-1 frame. */
function awarenessFrame(entries: readonly Entry[]): Uint8Array {
  const inner = encoding.createEncoder()
  encoding.writeVarUint(inner, entries.length)
  for (const e of entries) {
    encoding.writeVarUint(inner, e.client)
    encoding.writeVarUint(inner, e.clock)
    encoding.writeVarString(inner, JSON.stringify(e.state))
  }
  const outer = encoding.createEncoder()
  encoding.writeVarUint(outer, MESSAGE_AWARENESS)
  encoding.writeVarUint8Array(outer, encoding.toUint8Array(inner))
  return encoding.toUint8Array(outer)
}

/** A state whose JSON is exactly `bytes` long: `{"n":"xxx…"}`. */
function stateOf(bytes: number): { n: string } {
  return { n: 'x'.repeat(bytes - '{"n":""}'.length) }
}

describe('presence limits', () => {
  const data = tempDir()
  let relay: RelayProcess
  let ayse: string
  let ali: string
  const clients: TestClient[] = []
  const sockets: WebSocket[] = []

  const dropped = async (): Promise<number> => {
    const text = await metricsText(relay)
    return Number(/^rainstaff_presence_dropped_total (\d+)/m.exec(text)?.[1] ?? NaN)
  }
  const sender = async (): Promise<{ socket: WebSocket; closes: number[] }> => {
    const raw = rawSocket(relay, 'ankara', clientProtocols(ayse))
    const closes: number[] = []
    raw.socket.on('close', (code) => closes.push(code))
    sockets.push(raw.socket)
    await raw.opened
    return { socket: raw.socket, closes }
  }
  const observer = async (): Promise<TestClient> => {
    const c = connectClient(relay, 'ankara', ali)
    clients.push(c)
    await c.synced()
    return c
  }

  beforeAll(async () => {
    await seedUsers(data.dir, [
      { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
      { username: 'ali', role: 'editor', region: 'ankara', password: 'ali-password' },
    ])
    relay = await spawnRelay(data.dir)
    ayse = await tokenFor(relay, 'ayse', 'ayse-password')
    ali = await tokenFor(relay, 'ali', 'ali-password')
  })

  afterAll(async () => {
    for (const s of sockets) s.terminate()
    for (const c of clients) c.destroy()
    await relay?.stop()
    data.remove()
  })

  it('drops a state over 4 KiB (an 8 MB one included) without closing the sender; 4 KiB exactly is relayed', async () => {
    const watching = await observer()
    const seen = new Set<number>()
    watching.provider.awareness.on('change', ({ added, updated }: { added: number[]; updated: number[] }) => {
      for (const id of [...added, ...updated]) seen.add(id)
    })
    const { socket, closes } = await sender()
    const before = await dropped()

    socket.send(awarenessFrame([{ client: 901, clock: 1, state: { name: 'x'.repeat(8 * 1024 * 1024) } }]))
    socket.send(awarenessFrame([{ client: 902, clock: 1, state: stateOf(MAX_PRESENCE_BYTES + 1) }]))
    // One too-large state spoils the message it is in, the small entry beside it included.
    socket.send(awarenessFrame([{ client: 905, clock: 1, state: { ok: true } }, { client: 906, clock: 1, state: stateOf(MAX_PRESENCE_BYTES + 1) }]))
    socket.send(awarenessFrame([{ client: 903, clock: 1, state: stateOf(MAX_PRESENCE_BYTES) }]))
    // Messages of one connection are handled in order: once this arrives, the ones above were.
    socket.send(awarenessFrame([{ client: 904, clock: 1, state: { marker: 'son' } }]))
    await until(() => watching.provider.awareness.getStates().has(904), 'the marker reaches the observer')

    const states = watching.provider.awareness.getStates()
    expect(JSON.stringify(states.get(903))).toHaveLength(MAX_PRESENCE_BYTES)
    for (const id of [901, 902, 905, 906]) {
      expect(states.has(id)).toBe(false)
      expect(seen.has(id)).toBe(false)
    }
    expect((await dropped()) - before).toBe(3)
    expect(socket.readyState).toBe(WebSocket.OPEN)
    expect(closes).toEqual([])
    expect(watching.closes).toEqual([])
  })

  it('one connection changes at most 4 presence client ids: 50,000 fake ids in one message, and a fifth id, are dropped', async () => {
    const watching = await observer()
    const { socket, closes } = await sender()
    const before = await dropped()

    const fake = Array.from({ length: 50_000 }, (_, i) => ({ client: 100_000 + i, clock: 1, state: { i } }))
    socket.send(awarenessFrame(fake))
    for (let i = 1; i <= MAX_PRESENCE_CLIENTS + 2; i++) socket.send(awarenessFrame([{ client: 200_000 + i, clock: 1, state: { pc: i } }]))
    // Changing an id it already has is fine, however many messages it takes.
    for (let clock = 2; clock <= 20; clock++) socket.send(awarenessFrame([{ client: 200_001, clock, state: { pc: 1, clock } }]))
    await until(() => (watching.provider.awareness.getStates().get(200_001) as { clock?: number } | undefined)?.clock === 20, 'the last update arrives')

    const ids = [...watching.provider.awareness.getStates().keys()]
    expect(ids.filter((id) => id > 200_000 && id < 300_000).sort((a, b) => a - b)).toEqual([200_001, 200_002, 200_003, 200_004])
    expect(ids.filter((id) => id >= 100_000 && id < 200_000)).toEqual([])
    expect((await dropped()) - before).toBe(3)
    expect(closes).toEqual([])

    // The ids leave with the connection.
    socket.close()
    await until(() => !watching.provider.awareness.getStates().has(200_001), 'presence removed on close')
  })

  it('stock clients that echo each other’s states keep their presence, however many there are', async () => {
    const before = await dropped()
    const pcs = await Promise.all(Array.from({ length: 6 }, () => observer()))
    pcs.forEach((pc, i) => pc.provider.awareness.setLocalStateField('user', { name: `pc-${i}` }))
    const names = (pc: TestClient): string[] =>
      [...pc.provider.awareness.getStates().values()]
        .map((s) => (s as { user?: { name?: string } }).user?.name)
        .filter((n): n is string => typeof n === 'string' && n.startsWith('pc-'))
        .sort()
    const all = pcs.map((_, i) => `pc-${i}`).sort()
    await until(() => pcs.every((pc) => names(pc).join() === all.join()), 'every pc sees every pc')
    pcs.forEach((pc, i) => pc.provider.awareness.setLocalStateField('user', { name: `pc-${i}-again` }))
    const again = all.map((n) => `${n}-again`).sort()
    await until(() => pcs.every((pc) => names(pc).join() === again.join()), 'every pc sees every change')
    expect(await dropped()).toBe(before)
    for (const pc of pcs) expect(pc.closes).toEqual([])
  })
})
