/**
 * Limits and bad input against a real relay process: fuzzed frames, oversize messages, rate
 * budgets and slow consumers close only the offending connection; everyone else keeps syncing.
 * One account holds at most 32 connections (the default); a TCP connection that never completes
 * a request or upgrade is dropped after the handshake time-out (10 s by default).
 */
import { connect as tcpConnect, type Socket } from 'node:net'
import fc from 'fast-check'
import * as encoding from 'lib0/encoding'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { CLOSE, clientProtocols } from '../crdt/protocol.ts'
import { insertRecord } from '../crdt/regionDoc.ts'
import { readRecord } from '../crdt/records.ts'
import { LONG_TEXT_MAX } from '../schema/tables.ts'
import {
  ADMIN_PASSWORD,
  connectClient,
  metricsText,
  rawSocket,
  seedUsers,
  spawnRelay,
  tempDir,
  tokenFor,
  until,
  type RelayProcess,
  type TestClient,
  putSetting,
} from './helpers/relayProcess.ts'

// Every y-websocket provider adds a process exit listener; this file's outnumber the default ten.
process.setMaxListeners(32)

const USERS = [
  { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
  { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
  { username: 'mehmet', role: 'editor', region: 'istanbul', password: 'mehmet-password' },
  { username: 'kalabalik', role: 'editor', region: 'izmir', password: 'kalabalik-password' },
] as const

/** The relay's defaults, which these tests check as they are. */
const DEFAULT_MAX_CONNECTIONS_PER_ACCOUNT = 32
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000

/** Opens a raw connection and resolves with 'open' once the relay answers on it, or its close code. */
async function admitted(relay: RelayProcess, token: string, keep: WebSocket[]): Promise<number | 'open'> {
  const { socket, closed, opened } = rawSocket(relay, 'izmir', clientProtocols(token))
  keep.push(socket)
  await opened
  const answered = new Promise<'open'>((resolve) => {
    socket.on('message', (data: Buffer) => {
      if (data[0] === 1) resolve('open')
    })
  })
  // A query-awareness round trip: refused connections are closed before they answer.
  socket.send(Uint8Array.of(3))
  return Promise.race([closed.then((c) => c.code), answered])
}

const MAX_MESSAGE = 64 * 1024

/**
 * One large schema-valid update: ankara drivers written by `user` in one transaction, whose notes
 * (at most LONG_TEXT_MAX characters each) add up to `chars` characters of `fill`. Returns the
 * records' ids and the update's size in bytes.
 */
function bulkNotes(doc: Y.Doc, user: string, chars: number, fill: string): { ids: string[]; bytes: number } {
  const ids: string[] = []
  let bytes = 0
  doc.once('update', (update: Uint8Array) => (bytes = update.length))
  doc.transact(() => {
    for (let left = chars, n = 0; left > 0; left -= LONG_TEXT_MAX, n++) {
      const notes = fill.repeat(Math.min(left, LONG_TEXT_MAX))
      ids.push(insertRecord(doc, 'drivers', 'ankara', { full_name: `Sürücü ${n}`, notes }, { user }))
    }
  })
  return { ids, bytes }
}

/** Frames shaped like relay messages with random insides, plus plain noise. */
function frameArbitrary(): fc.Arbitrary<Uint8Array> {
  const bytes = fc.uint8Array({ minLength: 0, maxLength: 300 })
  const prefixed = (prefix: number[]): fc.Arbitrary<Uint8Array> =>
    bytes.map((tail) => Uint8Array.from([...prefix, ...tail]))
  const lengthPrefixed = (prefix: number[]): fc.Arbitrary<Uint8Array> =>
    bytes.map((tail) => {
      const e = encoding.createEncoder()
      for (const p of prefix) encoding.writeVarUint(e, p)
      encoding.writeVarUint8Array(e, tail)
      return encoding.toUint8Array(e)
    })
  return fc.oneof(
    bytes,
    prefixed([0]),
    prefixed([0, 0]),
    prefixed([0, 1]),
    prefixed([0, 2]),
    lengthPrefixed([0, 1]),
    lengthPrefixed([0, 2]),
    lengthPrefixed([1]),
    prefixed([1]),
    prefixed([3]),
    fc.integer({ min: 4, max: 255 }).chain((t) => prefixed([t])),
  )
}

/** Sends one frame on a fresh connection; resolves with the close code, or 'open' if it survived. */
async function probe(relay: RelayProcess, token: string, frame: Uint8Array | string): Promise<number | 'open'> {
  const { socket, closed, opened } = rawSocket(relay, 'ankara', clientProtocols(token))
  await opened
  socket.send(frame)
  // A query-awareness round trip: if the relay answers, it has already handled the frame above.
  const alive = new Promise<'open'>((resolve) => {
    socket.on('message', (data: Buffer) => {
      if (data[0] === 1) resolve('open')
    })
  })
  if (socket.readyState === WebSocket.OPEN) socket.send(Uint8Array.of(3))
  const result = await Promise.race([closed.then((c) => c.code), alive])
  socket.terminate()
  return result
}

describe('relay limits and bad input', () => {
  const data = tempDir()
  let relay: RelayProcess
  let ayse: string
  let mehmet: string
  const clients: TestClient[] = []
  const client = (region: string, token: string): TestClient => {
    const c = connectClient(relay, region, token)
    clients.push(c)
    return c
  }

  beforeAll(async () => {
    await seedUsers(data.dir, USERS)
    relay = await spawnRelay(data.dir, ['--max-message-bytes', String(MAX_MESSAGE), '--max-buffered-bytes', String(MAX_MESSAGE), '--rate', '50'])
    ayse = await tokenFor(relay, 'ayse', 'ayse-password')
    mehmet = await tokenFor(relay, 'mehmet', 'mehmet-password')
  })

  afterAll(async () => {
    for (const c of clients) c.destroy()
    await relay?.stop()
    data.remove()
  })

  it('fuzzed frames never crash the relay or disturb other clients', async () => {
    const writer = client('ankara', ayse)
    const observer = client('ankara', mehmet)
    const elsewhere = client('istanbul', mehmet)
    await Promise.all([writer.synced(), observer.synced(), elsewhere.synced()])
    const outcomes = new Map<string, number>()

    await fc.assert(
      fc.asyncProperty(frameArbitrary(), async (frame) => {
        const result = await probe(relay, ayse, frame)
        outcomes.set(String(result), (outcomes.get(String(result)) ?? 0) + 1)
        // Either the frame was acceptable, or this connection alone was closed as malformed.
        expect(result === 'open' || result === CLOSE.malformed).toBe(true)
      }),
      { numRuns: 300 },
    )
    expect(outcomes.get(String(CLOSE.malformed)) ?? 0).toBeGreaterThan(0)
    expect(await probe(relay, ayse, 'text frames are not part of the protocol')).toBe(CLOSE.malformed)

    // Everyone else is still connected and still syncing both ways.
    const ankaraId = insertRecord(writer.doc, 'employees', 'ankara', { full_name: 'evet' }, { user: 'ayse' })
    insertRecord(elsewhere.doc, 'employees', 'istanbul', { full_name: 'yes' }, { user: 'mehmet' })
    const istanbulClock = Y.getState(elsewhere.doc.store, elsewhere.doc.clientID)
    await until(() => readRecord(observer.doc, 'employees', ankaraId)?.full_name === 'evet', 'observer still receives')
    await until(() => (elsewhere.durable.get(elsewhere.doc.clientID) ?? 0) >= istanbulClock, 'istanbul writes still stored')
    for (const c of [writer, observer, elsewhere]) expect(c.closes).toEqual([])
    for (const c of [writer, elsewhere]) expect(c.refused).toEqual([])
    expect((await fetch(`${relay.url}/health`)).status).toBe(200)
  })

  it('refuses an oversize message with 4413 and stores none of it', async () => {
    const observer = client('ankara', mehmet)
    await observer.synced()
    const big = client('ankara', ayse)
    await big.synced()
    let closed: { code: number } | undefined
    big.provider.on('closed', (event) => (closed = event))
    const oversize = bulkNotes(big.doc, 'ayse', MAX_MESSAGE + 1000, 'x')
    expect(oversize.bytes).toBeGreaterThan(MAX_MESSAGE)
    await until(() => closed !== undefined, 'oversize sender closed')
    expect(closed?.code).toBe(CLOSE.tooBig)

    // Just under the limit is fine, and the oversize update never reached anyone.
    const ok = client('ankara', ayse)
    await ok.synced()
    const inLimit = bulkNotes(ok.doc, 'ayse', MAX_MESSAGE - 4000, 'y')
    // The sync message around the update adds a few bytes.
    expect(inLimit.bytes).toBeGreaterThan(MAX_MESSAGE - 4000)
    expect(inLimit.bytes).toBeLessThan(MAX_MESSAGE - 16)
    await until(() => inLimit.ids.every((id) => readRecord(observer.doc, 'drivers', id) !== undefined), 'in-limit message delivered')
    expect(ok.refused).toEqual([])
    expect(oversize.ids.some((id) => readRecord(observer.doc, 'drivers', id) !== undefined)).toBe(false)
    const late = client('ankara', mehmet)
    await late.synced()
    expect(inLimit.ids.every((id) => readRecord(late.doc, 'drivers', id) !== undefined)).toBe(true)
    expect(oversize.ids.some((id) => readRecord(late.doc, 'drivers', id) !== undefined)).toBe(false)
  })

  it('closes a connection that exceeds its message budget with 4429', async () => {
    const { socket, closed, opened } = rawSocket(relay, 'ankara', clientProtocols(ayse))
    await opened
    // --rate 50 allows a burst of 500 messages.
    for (let i = 0; i < 2000 && socket.readyState === WebSocket.OPEN; i++) socket.send(Uint8Array.of(3))
    expect((await closed).code).toBe(CLOSE.rateLimited)
  })

  it('closes a client that does not read instead of buffering without bound', async () => {
    const port = relay.port
    const stalled: Socket = tcpConnect(port, '127.0.0.1')
    await new Promise<void>((resolve) => stalled.once('connect', () => resolve()))
    stalled.write(
      [
        'GET /sync/ankara HTTP/1.1',
        `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        `Sec-WebSocket-Protocol: ${clientProtocols(mehmet).join(', ')}`,
        '',
        '',
      ].join('\r\n'),
    )
    await new Promise<void>((resolve) => stalled.once('data', () => resolve()))
    stalled.pause()

    const writer = client('ankara', ayse)
    const observer = client('ankara', mehmet)
    await Promise.all([writer.synced(), observer.synced()])
    const slowClosed = async (): Promise<number> => {
      const text = await metricsText(relay)
      return Number(/^rainstaff_closes_total\{code="4508"\} (\d+)/m.exec(text)?.[1] ?? 0)
    }
    // Each update is under the message limit; together they exceed any socket buffer.
    for (let i = 0; i < 400 && (await slowClosed()) === 0; i++) {
      bulkNotes(writer.doc, 'ayse', MAX_MESSAGE / 2, String(i % 10))
      await new Promise((r) => setTimeout(r, 5))
    }
    expect(await slowClosed()).toBe(1)
    const done = insertRecord(writer.doc, 'drivers', 'ankara', { full_name: 'tamam' }, { user: 'ayse' })
    await until(() => readRecord(observer.doc, 'drivers', done)?.full_name === 'tamam', 'the reading client is unaffected')
    expect(observer.closes).toEqual([])
    expect(writer.refused).toEqual([])
    stalled.destroy()
  })

  it('one account holds at most 32 connections: the next ones are refused with 4529, other accounts are not, and a closed one frees a place', async () => {
    const token = await tokenFor(relay, 'kalabalik', 'kalabalik-password')
    const sockets: WebSocket[] = []
    try {
      const results = await Promise.all(Array.from({ length: DEFAULT_MAX_CONNECTIONS_PER_ACCOUNT + 8 }, () => admitted(relay, token, sockets)))
      expect(results.filter((r) => r === 'open')).toHaveLength(DEFAULT_MAX_CONNECTIONS_PER_ACCOUNT)
      expect(results.filter((r) => r === CLOSE.tooManyConnections)).toHaveLength(8)
      expect(await admitted(relay, token, sockets)).toBe(CLOSE.tooManyConnections)

      const other = client('izmir', mehmet)
      await other.synced()
      expect(other.closes).toEqual([])

      const open = sockets.filter((s) => s.readyState === WebSocket.OPEN)
      const leaving = open[0]
      if (leaving === undefined) throw new Error('no open socket')
      await new Promise<void>((resolve) => {
        leaving.once('close', () => resolve())
        leaving.close()
      })
      // The relay hears the close a moment after the client does.
      let again: number | 'open' = CLOSE.tooManyConnections
      for (let i = 0; i < 50 && again !== 'open'; i++) {
        again = await admitted(relay, token, sockets)
        if (again !== 'open') await new Promise((r) => setTimeout(r, 50))
      }
      expect(again).toBe('open')
      const text = await metricsText(relay)
      expect(Number(/^rainstaff_closes_total\{code="4529"\} (\d+)/m.exec(text)?.[1])).toBeGreaterThanOrEqual(9)
    } finally {
      for (const s of sockets) s.terminate()
    }
  })

  it('drops a TCP connection that never completes its request or upgrade after the handshake time-out; an open WebSocket stays', async () => {
    // Not ankara: after the flood above, its initial sync alone exceeds this relay's buffer limit.
    const connected = client('izmir', await tokenFor(relay, 'kalabalik', 'kalabalik-password'))
    await connected.synced()
    const started = Date.now()
    const closedAt = (socket: Socket): Promise<number> =>
      new Promise((resolve) => {
        socket.on('data', () => {})
        socket.on('close', () => resolve(Date.now()))
      })
    const open = (): Promise<Socket> =>
      new Promise((resolve) => {
        const socket = tcpConnect(relay.port, '127.0.0.1')
        socket.once('connect', () => resolve(socket))
      })
    // Says nothing at all.
    const silent = await open()
    // Starts an upgrade and never finishes the headers.
    const partial = await open()
    partial.write(`GET /sync/ankara HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n`)
    // Finishes nothing, one header byte a second (slowloris).
    const dribbling = await open()
    dribbling.write('GET /sync/ankara HTTP/1.1\r\nX-Slow: ')
    const dribble = setInterval(() => dribbling.writable && dribbling.write('a'), 1000)
    try {
      const times = await Promise.all([silent, partial, dribbling].map(closedAt))
      for (const at of times) {
        expect(at - started).toBeGreaterThanOrEqual(DEFAULT_HANDSHAKE_TIMEOUT_MS - 1000)
        expect(at - started).toBeLessThanOrEqual(DEFAULT_HANDSHAKE_TIMEOUT_MS + 5000)
      }
    } finally {
      clearInterval(dribble)
      for (const s of [silent, partial, dribbling]) s.destroy()
    }
    // Well past the time-out, the WebSocket admitted before is still there and still syncing.
    expect(Date.now() - started).toBeGreaterThan(DEFAULT_HANDSHAKE_TIMEOUT_MS)
    putSetting(connected.doc, 'izmir', 'kalabalik', 'after-timeout', 'evet')
    await until(() => (connected.durable.get(connected.doc.clientID) ?? 0) > 0, 'the open connection still writes')
    expect(connected.closes).toEqual([])
  }, 30_000)
})
