/**
 * Limits and bad input against a real relay process: fuzzed frames, oversize messages, rate
 * budgets and slow consumers close only the offending connection; everyone else keeps syncing.
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
} from './helpers/relayProcess.ts'

const USERS = [
  { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
  { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
  { username: 'mehmet', role: 'editor', region: 'istanbul', password: 'mehmet-password' },
] as const

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
})
