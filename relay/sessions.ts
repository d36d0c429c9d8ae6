/**
 * Sessions follow their accounts, as two extensions:
 * - sessions: the open connections by account id, capped per account, and compared with the
 *   store every `sessionCheckMs` (so a change made by `rainstaff users` in another process counts
 *   too): a deleted or disabled account's connections end with 4403, a changed one's with 4401;
 * - keepalive: one timer for every connection, which keeps it alive or cuts it when silent
 *   (Connection.keepalive).
 */
import { CLOSE } from '../crdt/protocol.ts'
import type { Connection } from './connection.ts'
import type { Extension, Hooks } from './extension.ts'
import type { Store } from './store.ts'
import { accountStates } from './users.ts'

export interface SessionOptions {
  readonly maxConnectionsPerAccount: number
  readonly sessionCheckMs: number
}

export function sessionsExtension(store: Store, options: SessionOptions): Extension {
  /** Open connections by account id. */
  const sessions = new Map<string, Set<Connection>>()
  let hooks: Hooks | null = null
  let timer: NodeJS.Timeout | undefined

  /** One query for all accounts, and none while nobody is connected. */
  const check = (): void => {
    if (sessions.size === 0 || !store.isOpen) return
    let states: ReturnType<typeof accountStates>
    try {
      states = accountStates(store)
    } catch (error) {
      // A busy or failing store is the commit path's to report; the next check tries again.
      hooks?.onStorageError({ action: 'check-sessions', error })
      return
    }
    for (const [accountId, open] of sessions) {
      const state = states.get(accountId)
      const ending = [...open].filter((c) => state === undefined || state.disabled || state.generation !== c.user.generation)
      const first = ending[0]
      if (first === undefined) continue
      const reason = state === undefined ? 'deleted' : state.disabled ? 'disabled' : 'changed'
      const code = state === undefined || state.disabled ? CLOSE.forbidden : CLOSE.unauthenticated
      hooks?.onSessionsEnded({ username: first.username, reason, code, connections: ending.length })
      for (const c of ending) c.end(code)
    }
  }

  return {
    onConfigure({ hooks: all }) {
      hooks = all
      timer = setInterval(check, options.sessionCheckMs)
      timer.unref()
    },
    onConnect({ user }) {
      const live = sessions.get(user.accountId)?.size ?? 0
      // The new one is refused, not the oldest closed: evicting would let a client with one socket
      // too many knock its own others off in turn, each reconnect evicting the next.
      if (live < options.maxConnectionsPerAccount) return undefined
      return { code: CLOSE.tooManyConnections, detail: `${user.username} has ${live} open` }
    },
    connected({ connection }) {
      if (connection.ended) return
      const open = sessions.get(connection.user.accountId) ?? new Set<Connection>()
      open.add(connection)
      sessions.set(connection.user.accountId, open)
    },
    onDisconnect({ connection }) {
      const open = sessions.get(connection.user.accountId)
      if (open === undefined) return
      open.delete(connection)
      if (open.size === 0) sessions.delete(connection.user.accountId)
    },
    onDestroy() {
      clearInterval(timer)
    },
  }
}

export function keepaliveExtension(options: { readonly keepaliveMs: number }): Extension {
  const connections = new Set<Connection>()
  let timer: NodeJS.Timeout | undefined
  return {
    onConfigure() {
      // Twice per keepalive period, so nobody waits much longer than it to hear from the relay.
      timer = setInterval(() => {
        const now = Date.now()
        for (const c of connections) c.keepalive(now)
      }, Math.max(10, Math.floor(options.keepaliveMs / 2)))
      timer.unref()
    },
    connected({ connection }) {
      if (!connection.ended) connections.add(connection)
    },
    onDisconnect({ connection }) {
      connections.delete(connection)
    },
    onDestroy() {
      clearInterval(timer)
    },
  }
}
