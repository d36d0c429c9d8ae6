/**
 * The relay's lifecycle hooks (relay/extension.ts) as an extension sees them, against a real
 * relay in this process on 127.0.0.1: a recording extension after the relay's own hears a
 * document load, a connection admitted, an update checked, accepted, stored and committed (in
 * that order, with the same bytes), a refusal of its own reach the writer as message 101, a
 * connection it refuses close with its code, and the relay stop. Plus how a list is composed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CLOSE, clientProtocols } from '../crdt/protocol.ts'
import { insertRecord, updateRecord } from '../crdt/regionDoc.ts'
import type { Refusal } from '../crdt/updateGuard.ts'
import { composeHooks, type Extension, type UpdatePayload } from '../relay/extension.ts'
import { startRelay, type Relay } from '../relay/server.ts'
import { ADMIN_PASSWORD, connectClient, rawSocket, seedUsers, tempDir, tokenFor, until, type TestClient } from './helpers/relayProcess.ts'

const FORBIDDEN_TITLE = 'Yasak'
const OWN_REFUSAL: Refusal = { code: 'bad_value', message: { tr: 'bu unvan yasak', en: 'this title is forbidden' } }

/** One line per hook call, with what the test looks at in its payload. */
type Heard = { hook: string } & Record<string, unknown>

/** The title an update sets on a record that existed before it. */
function titleSet(payload: UpdatePayload): unknown {
  let title: unknown
  for (const [type, keys] of payload.transaction.changed) if (type instanceof Y.Map && keys.has('title')) title = type.get('title')
  return title
}

function recorder(heard: Heard[]): Extension {
  const note = (hook: string, details: Record<string, unknown> = {}): void => void heard.push({ hook, ...details })
  return {
    onConfigure: ({ hooks }) => note('onConfigure', { composed: typeof hooks.onCheckUpdate === 'function' }),
    onLoadDocument: ({ documentName, region, doc }) => note('onLoadDocument', { documentName, region: region.slug, isDoc: doc instanceof Y.Doc }),
    onConnect: ({ user, documentName, region, writable }) => {
      note('onConnect', { username: user.username, documentName, region: region.slug, writable })
      return user.username === 'mehmet' ? { code: CLOSE.forbidden, detail: 'mehmet is on leave' } : undefined
    },
    onConnectionRefused: ({ code, detail, user }) => note('onConnectionRefused', { code, detail, username: user?.username }),
    connected: ({ connection }) => note('connected', { username: connection.username, documentName: connection.documentName, writable: connection.writable }),
    onCheckUpdate: (payload) => {
      const { documentName, region, account, update, doc, transaction } = payload
      note('onCheckUpdate', { documentName, region: region.slug, account, bytes: update.byteLength, sameDoc: transaction.doc === doc, title: titleSet(payload) })
      return titleSet(payload) === FORBIDDEN_TITLE ? OWN_REFUSAL : null
    },
    onUpdateAccepted: ({ documentName, account, update }) => note('onUpdateAccepted', { documentName, account, bytes: update.byteLength }),
    onUpdateRefused: ({ connection, refusal }) => note('onUpdateRefused', { username: connection.username, code: refusal.code }),
    onStoreUpdates: ({ updates }) => note('onStoreUpdates', { updates: updates.map((u) => ({ documentName: u.documentName, region: u.region.slug, account: u.account, bytes: u.update.byteLength, at: u.at })) }),
    afterCommit: ({ updates, ms }) => note('afterCommit', { updates: updates.length, ms }),
    onClose: ({ code }) => note('onClose', { code }),
    onDisconnect: ({ connection, timedOut }) => note('onDisconnect', { username: connection.username, timedOut }),
    onDestroy: ({ code }) => note('onDestroy', { code }),
  }
}

describe('lifecycle hooks of a custom extension', () => {
  const data = tempDir()
  const heard: Heard[] = []
  const clients: TestClient[] = []
  let relay: Relay
  let wsUrl = ''
  const seen = (hook: string): Heard[] => heard.filter((h) => h.hook === hook)

  beforeAll(async () => {
    await seedUsers(data.dir, [
      { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
      { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
      { username: 'mehmet', role: 'editor', region: 'istanbul', password: 'mehmet-password' },
    ])
    relay = await startRelay({ dataDir: data.dir, port: 0, host: '127.0.0.1', log: () => {}, extensions: [recorder(heard)] })
    wsUrl = `ws://127.0.0.1:${relay.port}/sync`
  })

  afterAll(async () => {
    for (const c of clients) c.destroy()
    await relay?.close()
    data.remove()
  })

  it('is configured once and hears every region document load at start-up', () => {
    expect(seen('onConfigure')).toEqual([{ hook: 'onConfigure', composed: true }])
    expect(seen('onLoadDocument').map((h) => h.documentName)).toEqual(['ankara', 'istanbul', 'bursa', 'izmir'])
    for (const h of seen('onLoadDocument')) expect(h).toMatchObject({ region: h.documentName, isDoc: true })
  })

  it('hears a write checked, accepted, stored and committed in that order, with its bytes and account', async () => {
    const ayse = connectClient({ wsUrl }, 'ankara', await tokenFor(relay, 'ayse', 'ayse-password'))
    clients.push(ayse)
    await ayse.synced()
    expect(seen('onConnect').at(-1)).toEqual({ hook: 'onConnect', username: 'ayse', documentName: 'ankara', region: 'ankara', writable: true })
    expect(seen('connected').at(-1)).toEqual({ hook: 'connected', username: 'ayse', documentName: 'ankara', writable: true })
    // The client's answer to the relay's sync step 1 is a write too, of nothing.
    await until(() => seen('onUpdateAccepted').length > 0, "the client's sync step 2")

    const from = heard.length
    insertRecord(ayse.doc, 'employees', 'ankara', { full_name: 'Ayşe Yılmaz', title: 'Usta' }, { user: 'ayse' })
    const clock = Y.getState(ayse.doc.store, ayse.doc.clientID)
    await until(() => ayse.durable.get(ayse.doc.clientID) === clock, 'the write is durable')
    const path = heard.slice(from).filter((h) => h.hook !== 'onClose')
    expect(path.map((h) => h.hook)).toEqual(['onCheckUpdate', 'onUpdateAccepted', 'onStoreUpdates', 'afterCommit'])
    const [checked, accepted, stored, committed] = path
    expect(checked).toMatchObject({ documentName: 'ankara', region: 'ankara', account: 'ayse', sameDoc: true })
    expect(accepted).toMatchObject({ documentName: 'ankara', account: 'ayse', bytes: checked?.bytes })
    expect(stored?.updates).toEqual([{ documentName: 'ankara', region: 'ankara', account: 'ayse', bytes: checked?.bytes, at: expect.any(Number) }])
    expect(committed).toMatchObject({ updates: 1, ms: expect.any(Number) })
  })

  it("refuses through its own onCheckUpdate: the writer gets 101 with the extension's reason, nothing is stored", async () => {
    const ayse = clients[0]
    if (ayse === undefined) throw new Error('the previous test connects ayse')
    const id = [...ayse.doc.getMap('employees').keys()][0] ?? ''
    const from = heard.length
    updateRecord(ayse.doc, 'employees', id, { title: FORBIDDEN_TITLE }, { user: 'ayse' })
    await until(() => ayse.refused.length > 0, 'the refusal')
    expect(ayse.refused[0]).toMatchObject({ code: OWN_REFUSAL.code, message: OWN_REFUSAL.message })
    const after = heard.slice(from).map((h) => h.hook)
    expect(after).toContain('onUpdateRefused')
    expect(after).not.toContain('onUpdateAccepted')
    expect(after).not.toContain('onStoreUpdates')
    expect(seen('onUpdateRefused').at(-1)).toEqual({ hook: 'onUpdateRefused', username: 'ayse', code: 'bad_value' })
    expect(ayse.closes).toEqual([])
  })

  it('refuses a connection through its own onConnect, with its code, and hears of it', async () => {
    const { closed } = rawSocket({ wsUrl }, 'istanbul', clientProtocols(await tokenFor(relay, 'mehmet', 'mehmet-password')))
    expect((await closed).code).toBe(CLOSE.forbidden)
    expect(seen('onConnectionRefused').at(-1)).toEqual({ hook: 'onConnectionRefused', code: CLOSE.forbidden, detail: 'mehmet is on leave', username: 'mehmet' })
    expect(seen('onClose').at(-1)).toEqual({ hook: 'onClose', code: CLOSE.forbidden })
    expect(seen('connected').some((h) => h.username === 'mehmet')).toBe(false)
  })

  it('hears an unauthenticated connection refused before any extension of its own is asked', async () => {
    const asked = seen('onConnect').length
    const { closed } = rawSocket({ wsUrl }, 'ankara', clientProtocols('not-a-token'))
    expect((await closed).code).toBe(CLOSE.unauthenticated)
    expect(seen('onConnectionRefused').at(-1)).toMatchObject({ code: CLOSE.unauthenticated, username: undefined })
    expect(seen('onConnect')).toHaveLength(asked)
  })

  it('hears the disconnect and the stop', async () => {
    const ayse = clients.shift()
    ayse?.destroy()
    await until(() => seen('onDisconnect').some((h) => h.username === 'ayse'), 'the disconnect')
    expect(seen('onDisconnect').at(-1)).toEqual({ hook: 'onDisconnect', username: 'ayse', timedOut: false })
    await relay.close()
    expect(seen('onDestroy')).toEqual([{ hook: 'onDestroy', code: CLOSE.shutdown }])
  })
})

describe('composing extensions', () => {
  it('runs notifications in list order, stops at the first refusal and the first answer, and awaits every onDestroy', async () => {
    const calls: string[] = []
    const refusal: Refusal = { code: 'bad_value', message: { tr: 'hayır', en: 'no' } }
    const hooks = composeHooks([
      { afterCompact: () => void calls.push('first afterCompact'), onCheckUpdate: () => (calls.push('first check'), null) },
      {},
      {
        afterCompact: () => void calls.push('third afterCompact'),
        onCheckUpdate: () => (calls.push('third check'), refusal),
        onDestroy: async () => void calls.push('third destroy'),
      },
      { onCheckUpdate: () => (calls.push('fourth check'), null), beforeUnloadDocument: () => 'keep', onDestroy: () => void calls.push('fourth destroy') },
    ])
    hooks.afterCompact({ documentName: 'ankara' })
    expect(hooks.onCheckUpdate({} as UpdatePayload)).toBe(refusal)
    expect(hooks.beforeUnloadDocument({ documentName: 'ankara', region: { slug: 'ankara', name: 'Ankara' } })).toBe('keep')
    await hooks.onDestroy({ code: CLOSE.shutdown })
    expect(calls).toEqual(['first afterCompact', 'third afterCompact', 'first check', 'third check', 'third destroy', 'fourth destroy'])
    // Nobody authenticates in this list: nobody connects.
    expect(hooks.onAuthenticate({} as Parameters<typeof hooks.onAuthenticate>[0])).toMatchObject({ ok: false, code: CLOSE.unauthenticated })
  })
})
