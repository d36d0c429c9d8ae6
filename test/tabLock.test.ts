/**
 * The tabs' channel messages (client/tabLock.ts): what another tab sends is read only when it has
 * the shape this version sends; anything else (another version of the app, a bug) is dropped
 * whole, so a follower never applies half a message.
 */
import { describe, expect, it } from 'vitest'
import { parseTabMessage } from '../client/tabLock.ts'

const bytes = new Uint8Array([1, 2, 3])
const state = { connection: 'synced', pendingChanges: 0, lastSyncedAt: null, regions: {}, documents: {} }

describe('tab messages', () => {
  it('reads every message this version sends', () => {
    const sent = [
      { type: 'hello', from: 'a' },
      { type: 'writer', from: 'a', username: 'ayse' },
      { type: 'want', from: 'a', documents: [{ name: 'ankara/2026-11', stateVector: bytes }] },
      { type: 'update', from: 'a', name: 'ankara', update: bytes },
      { type: 'update', from: 'a', name: 'ankara', update: bytes, to: 'b' },
      { type: 'reset', from: 'a', name: 'ankara' },
      { type: 'state', from: 'a', status: { state, peers: { ankara: [{ device: 'PC-1', user: 'ayse', region: 'ankara' }] } } },
      { type: 'take-over', from: 'a' },
      { type: 'sign-out', from: 'a' },
    ]
    for (const message of sent) expect(parseTabMessage(message)).toEqual(message)
  })

  it('drops anything else whole', () => {
    const wrong: unknown[] = [
      null,
      'hello',
      { type: 'hello' },
      { type: 'hello', from: 7 },
      { type: 'unknown', from: 'a' },
      { type: 'writer', from: 'a' },
      { type: 'want', from: 'a', documents: 'ankara' },
      // A message is read whole or not at all: one bad document drops it.
      { type: 'want', from: 'a', documents: [{ name: 'ankara', stateVector: bytes }, { name: 'bursa', stateVector: [1] }] },
      { type: 'update', from: 'a', name: 'ankara', update: [1, 2, 3] },
      { type: 'update', from: 'a', name: 'ankara', update: bytes, to: 5 },
      { type: 'reset', from: 'a' },
      { type: 'state', from: 'a', status: { state: { connection: 'synced' }, peers: {} } },
      { type: 'state', from: 'a', status: { state, peers: null } },
    ]
    for (const message of wrong) expect(parseTabMessage(message)).toBeUndefined()
  })
})
