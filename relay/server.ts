/**
 * Starts a relay: store, users, docs, the HTTP routes and the WebSocket endpoint `/sync/<region>`,
 * wired together. `startRelay` is the programmatic entry the CLI, tests and benchmarks share.
 *
 * Sessions follow their accounts: the open connections are kept by account id, compared with the
 * store every `sessionCheckMs` (so a change made by `rainstaff users` in another process counts
 * too), capped per account, and kept alive (or cut when silent) by one timer for all of them.
 */
import { createServer, type IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { readFileSync } from 'node:fs'
import { WebSocketServer, type WebSocket } from 'ws'
import * as Y from 'yjs'
import { createCompactor } from './compactor.ts'
import { closeWith, Connection } from './connection.ts'
import { startSyncModes } from './commitLog.ts'
import { Docs } from './docs.ts'
import { admit, syncRegion } from './handshake.ts'
import { createHttpHandler } from './http.ts'
import { LoginLimiter } from './limits.ts'
import { createMetrics, formatMetrics, observe } from './metrics.ts'
import { keyDerivations } from './passwords.ts'
import { resolveOptions, type RelayOptions } from './options.ts'
import { CLOSE, SUBPROTOCOL } from '../crdt/protocol.ts'
import { regionCounts, exportRegions, regionMalformed } from './reports.ts'
import { openStore, type Store } from './store.ts'
import { tokenSecret } from './tokens.ts'
import { accountStates, ensureFirstAdmin } from './users.ts'

export interface Relay {
  /** The port actually bound (useful with `port: 0`). */
  readonly port: number
  readonly host: string
  /** `http://host:port`; WebSocket clients use `ws://host:port/sync` and the region as room. */
  readonly url: string
  /** Set when this start created `admin` with a random password; show it once, never log it. */
  readonly generatedAdminPassword?: string
  /** Stops accepting, commits what is pending, closes connections (1001) and the store. */
  close(): Promise<void>
}

export interface RelayExtras {
  /** Trust the last X-Forwarded-For entry as the client address (behind Render's proxy). */
  readonly trustProxy?: boolean
}

function packageVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
    const version = typeof pkg === 'object' && pkg !== null ? (pkg as Record<string, unknown>).version : undefined
    return typeof version === 'string' ? version : 'unknown'
  } catch {
    return 'unknown'
  }
}

/**
 * Opens the store (refusing a damaged one with StoreError), creates the first admin if there are
 * no users, loads every region once to prove it readable, then listens.
 */
export async function startRelay(relayOptions: RelayOptions & RelayExtras): Promise<Relay> {
  const options = resolveOptions(relayOptions)
  const log = options.log
  const store: Store = openStore(options.dataDir, { synchronous: options.synchronous })
  const compactor = createCompactor()
  const metrics = createMetrics()
  let docs: Docs
  let generated: string | undefined
  try {
    generated = (await ensureFirstAdmin(store, options.adminPassword)).generated
    docs = new Docs(store, {
      regions: options.regions,
      idleUnloadMs: options.idleUnloadMs,
      compactAfterUpdates: options.compactAfterUpdates,
      validate: options.validateUpdates,
      compactor,
      events: {
        committed(updates, bytes, ms) {
          metrics.commits++
          metrics.updatesStored += updates
          metrics.updateBytesStored += bytes
          observe(metrics.commitSeconds, ms / 1000)
        },
        compacted() {
          metrics.compactions++
        },
        log,
      },
    })
    docs.verifyAll()
    for (const slug of store.storedRegions()) {
      if (!docs.region(slug)) log(`relay: uyarı / warning: stored region "${slug}" is not configured and is not served`)
    }
  } catch (error) {
    await compactor.close()
    store.close()
    throw error
  }
  const secret = tokenSecret(store)
  const startedAt = Date.now()
  const modes = startSyncModes(store, compactor, docs.log, { synchronous: options.synchronous, logLine: log })
  let accepting = true
  const sockets = new Set<WebSocket>()
  /** Admitted connections by account id, until their sockets close. */
  const sessions = new Map<string, Set<Connection>>()
  /** When a refusal over the per-account cap was last logged, by account id. */
  const capLogged = new Map<string, number>()

  const handler = createHttpHandler({
    store,
    secret,
    regions: options.regions,
    tokenTtlMs: options.tokenTtlMs,
    sessionMaxMs: options.sessionMaxMs,
    webRoot: options.webRoot,
    trustProxy: relayOptions.trustProxy ?? false,
    metrics,
    loginLimiter: new LoginLimiter(options.loginLimits),
    corsOrigins: options.corsOrigins,
    ...(options.metricsToken !== undefined ? { metricsToken: options.metricsToken } : {}),
    serveSourceMaps: options.serveSourceMaps,
    version: packageVersion(),
    startedAt,
    ready: () => accepting,
    status: async () => ({
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      storeBytes: store.fileBytes(),
      regions: await Promise.all(
        options.regions.map(async (region) => {
          const doc = docs.open(region.slug)
          const storage = store.regionStorage(region.slug)
          return {
            region: region.slug,
            name: region.name,
            counts: await regionCounts(region.slug, doc.doc),
            malformed: regionMalformed(doc.doc),
            docBytes: Y.encodeStateAsUpdate(doc.doc).byteLength,
            connections: doc.peers.size,
            lastUpdateAt: doc.lastUpdateAt === null ? null : new Date(doc.lastUpdateAt).toISOString(),
            storedBytes: storage.bytes,
            loggedUpdates: storage.updates,
          }
        }),
      ),
    }),
    metricsText: () =>
      formatMetrics(
        metrics,
        options.regions.map((r) => {
          const doc = docs.get(r.slug)
          const storage = store.regionStorage(r.slug)
          return { region: r.slug, loaded: doc !== undefined, connections: doc?.peers.size ?? 0, storedBytes: storage.bytes, loggedUpdates: storage.updates }
        }),
        { uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), storeBytes: store.fileBytes(), passwordHashes: keyDerivations() },
      ),
    exportSqlite: (regions) => exportRegions(regions.map((slug) => ({ slug, doc: docs.open(slug).doc }))),
    log,
  })

  // Node drops a connection that has not delivered a whole request (an upgrade is one) by then,
  // checked every connectionsCheckingInterval: a raw socket that says nothing included.
  const server = createServer(
    {
      headersTimeout: options.handshakeTimeoutMs,
      requestTimeout: options.handshakeTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(options.handshakeTimeoutMs / 4))),
    },
    handler,
  )
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes,
    perMessageDeflate: false,
    handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  })

  const refuseUpgrade = (socket: Duplex, status: string): void => {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  }

  const onConnection = (socket: WebSocket, request: IncomingMessage): void => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    // ws answers an over-long frame with 1009 before the relay hears of it; stock y-websocket
    // clients retry 1009 forever, so the relay's permanent "too big" code replaces it.
    const wsClose = socket.close.bind(socket)
    socket.close = (code?: number, data?: string | Buffer) => {
      socket.close = wsClose
      if (code === 1009) closeWith(socket, metrics, CLOSE.tooBig)
      else wsClose(code, data)
    }
    const admission = admit(request, { store, secret, regions: options.regions, now: Date.now() })
    if (!admission.ok) {
      log(`relay: bağlantı reddedildi / connection refused (${admission.code}): ${admission.detail}`)
      closeWith(socket, metrics, admission.code as Parameters<typeof closeWith>[2])
      return
    }
    const accountId = admission.user.accountId
    const open = sessions.get(accountId) ?? new Set<Connection>()
    let live = 0
    for (const c of open) if (!c.ended) live++
    // The new one is refused, not the oldest closed: evicting would let a client with one socket
    // too many knock its own others off in turn, each reconnect evicting the next.
    if (live >= options.maxConnectionsPerAccount) {
      // A client over the cap retries every few seconds per socket: one line a minute per account.
      const now = Date.now()
      if (now - (capLogged.get(accountId) ?? 0) >= 60_000) {
        capLogged.set(accountId, now)
        log(`relay: bağlantı reddedildi / connection refused (${CLOSE.tooManyConnections}): ${admission.user.username} has ${live} open`)
      }
      closeWith(socket, metrics, CLOSE.tooManyConnections)
      return
    }
    let doc
    try {
      doc = docs.open(admission.region.slug)
    } catch (error) {
      log(`relay: belge açılamadı / cannot open ${admission.region.slug}: ${error instanceof Error ? error.message : error}`)
      closeWith(socket, metrics, CLOSE.unavailable)
      return
    }
    metrics.connectionsOpened++
    const connection = new Connection(socket, admission.user, doc, admission.writable, { options, metrics, log }, {
      expiresAt: admission.expiresAt,
      transport: request.socket,
    })
    open.add(connection)
    sessions.set(accountId, open)
    socket.on('close', () => {
      open.delete(connection)
      if (open.size === 0 && sessions.get(accountId) === open) sessions.delete(accountId)
    })
  }

  /**
   * Ends the sessions of accounts deleted, disabled (4403) or changed (4401) since their tokens
   * were issued. One query for all accounts, and none while nobody is connected.
   */
  const checkSessions = (): void => {
    if (sessions.size === 0 || !store.isOpen) return
    let states: ReturnType<typeof accountStates>
    try {
      states = accountStates(store)
    } catch (error) {
      // A busy or failing store is the commit path's to report; the next check tries again.
      log(`relay: oturumlar denetlenemedi / session check failed: ${error instanceof Error ? error.message : error}`)
      return
    }
    for (const [accountId, open] of sessions) {
      const state = states.get(accountId)
      const ending = [...open].filter((c) => !c.ended && (state === undefined || state.disabled || state.generation !== c.user.generation))
      if (ending.length === 0) continue
      const why = state === undefined ? 'deleted' : state.disabled ? 'disabled' : 'changed'
      const code = state === undefined || state.disabled ? CLOSE.forbidden : CLOSE.unauthenticated
      log(`relay: oturum sonlandırıldı / sessions ended (${code}): ${ending[0]?.username} ${why}, ${ending.length} connection(s)`)
      for (const c of ending) c.end(code)
    }
  }
  const sessionTimer = setInterval(checkSessions, options.sessionCheckMs)
  sessionTimer.unref()
  const keepaliveTimer = setInterval(() => {
    const now = Date.now()
    for (const open of sessions.values()) for (const c of open) c.keepalive(now)
  }, Math.max(10, Math.floor(options.keepaliveMs / 2)))
  keepaliveTimer.unref()

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!accepting) return refuseUpgrade(socket, '503 Service Unavailable')
    if (syncRegion(request.url) === undefined) return refuseUpgrade(socket, '404 Not Found')
    wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws, request))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  }).catch(async (error: unknown) => {
    clearInterval(sessionTimer)
    clearInterval(keepaliveTimer)
    await docs.close(CLOSE.shutdown)
    await compactor.close()
    store.close()
    throw error
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port
  const urlHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host

  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= (async () => {
      accepting = false
      clearInterval(sessionTimer)
      clearInterval(keepaliveTimer)
      modes.syncEachCommit()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      // Commit first: everything a client was told about is on disk before its socket goes.
      docs.flushAll()
      for (const socket of sockets) closeWith(socket, metrics, CLOSE.shutdown)
      await docs.close(CLOSE.shutdown)
      modes.stopCheckpoints()
      await compactor.close()
      await waitForSockets(sockets, 2000)
      server.closeAllConnections()
      await closed
      wss.close()
      store.close()
    })()
    return closing
  }

  return {
    port,
    host: options.host,
    url: `http://${urlHost}:${port}`,
    ...(generated !== undefined ? { generatedAdminPassword: generated } : {}),
    close,
  }
}

/** Gives closing sockets a moment for the close handshake, then cuts the rest. */
async function waitForSockets(sockets: Set<WebSocket>, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  for (const socket of sockets) socket.terminate()
}
