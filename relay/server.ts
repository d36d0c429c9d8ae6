/**
 * Starts a relay: the store, the extensions (relay/extension.ts) that authenticate, limit
 * sessions, validate, store, count and log, the documents they run on, the HTTP routes and the
 * WebSocket endpoint `/sync/<document>`. `startRelay` is the programmatic entry the CLI, tests
 * and benchmarks share.
 */
import { createServer, type Server } from 'node:http'
import { readFileSync } from 'node:fs'
import { CLOSE } from '../crdt/protocol.ts'
import { startSyncModes } from './commitLog.ts'
import { createCompactor } from './compactor.ts'
import type * as Y from 'yjs'
import { Docs } from './docs.ts'
import { migrateRoundOne, roundOneName } from './migrate.ts'
import { createSyncEndpoint, refuseUpgrade } from './endpoint.ts'
import type { Extension } from './extension.ts'
import { createClosing, type Closing } from './closing.ts'
import { guardExtension } from './guard.ts'
import { authExtension } from './handshake.ts'
import { createHttpHandler } from './http.ts'
import { LoginLimiter } from './limits.ts'
import { loggingExtension } from './logging.ts'
import { createMetrics, metricsExtension, type Metrics } from './metrics.ts'
import { resolveOptions, type RelayOptions, type ResolvedOptions } from './options.ts'
import { createRenderer } from './renderer.ts'
import { createRenderings, type Renderings } from './renderings.ts'
import { exportRegions, relayMetrics, relayStatus, type ReportSources } from './reports.ts'
import { keepaliveExtension, sessionsExtension } from './sessions.ts'
import { openStore, type Store } from './store.ts'
import { tokenSecret } from './tokens.ts'
import { ensureFirstAdmin } from './users.ts'

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
  /** More extensions, after the relay's own (tests, embedding programs). */
  readonly extensions?: readonly Extension[]
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

/** The relay's own extensions, in the order their hooks run; storage comes first (relay/docs.ts). */
function relayExtensions(
  store: Store,
  secret: Buffer,
  options: ResolvedOptions,
  metrics: Metrics,
  renderings: Renderings,
  closing: Closing,
  masterDoc: (region: string) => Y.Doc,
): Extension[] {
  return [
    authExtension({ store, secret, regions: options.regions }),
    sessionsExtension(store, options),
    keepaliveExtension(options),
    closing.extension,
    ...(options.validateUpdates ? [guardExtension(store, masterDoc)] : []),
    renderings.extension,
    metricsExtension(metrics),
    loggingExtension(options.log),
  ]
}

function listen(server: Server, options: ResolvedOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      const address = server.address()
      resolve(typeof address === 'object' && address !== null ? address.port : options.port)
    })
  })
}

/**
 * Opens the store (refusing a damaged one with StoreError), creates the first admin if there are
 * no users, loads every region once to prove it readable, then listens.
 */
export async function startRelay(relayOptions: RelayOptions & RelayExtras): Promise<Relay> {
  const options = resolveOptions(relayOptions)
  const store = openStore(options.dataDir, { synchronous: options.synchronous })
  const compactor = createCompactor()
  const metrics = createMetrics()
  const secret = tokenSecret(store)
  try {
    // Before anything is loaded or served: a round-1 data directory is split into month documents.
    for (const migrated of migrateRoundOne(store, options.regions)) {
      options.log(
        `relay: ${migrated.region} yeni düzene geçirildi: ${migrated.records} kayıt, ${migrated.months} ay; eski belge ${roundOneName(migrated.region)} olarak saklandı / ` +
          `${migrated.region} moved to month documents: ${migrated.records} records, ${migrated.months} months; the round-1 document is kept as ${roundOneName(migrated.region)}`,
      )
    }
  } catch (error) {
    store.close()
    throw error
  }
  const renderings = createRenderings(store, createRenderer(store, options.log), options)
  const closing = createClosing({ store, docs: () => docs, versionOf: (name) => store.documentVersion(name) ?? 0 })
  const docs: Docs = new Docs(store, {
    regions: options.regions,
    idleUnloadMs: options.idleUnloadMs,
    compactAfterUpdates: options.compactAfterUpdates,
    compactor,
    extensions: [...relayExtensions(store, secret, options, metrics, renderings, closing, (region) => docs.open(region).doc), ...(relayOptions.extensions ?? [])],
  })
  const stop = async (): Promise<void> => {
    await docs.close(CLOSE.shutdown)
    await compactor.close()
    store.close()
  }
  let generated: string | undefined
  try {
    generated = (await ensureFirstAdmin(store, options.adminPassword)).generated
    docs.verifyAll()
    for (const name of store.storedRegions()) {
      if (!docs.region(name) && !name.endsWith('@round1')) options.log(`relay: uyarı / warning: stored document "${name}" is not of a configured region and is not served`)
    }
  } catch (error) {
    await stop()
    throw error
  }
  const modes = startSyncModes(store, compactor, docs.log, { synchronous: options.synchronous, logLine: options.log })
  const sources: ReportSources = { docs, store, renderings, regions: options.regions, startedAt: Date.now() }
  // Renderings a crash, an older relay or an offline tool left behind its documents.
  renderings.catchUp()
  let accepting = true
  const endpoint = createSyncEndpoint(docs, options)

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
    startedAt: sources.startedAt,
    ready: () => accepting,
    status: () => relayStatus(sources),
    metricsText: () => relayMetrics(metrics, sources),
    exportSqlite: (regions) => exportRegions(sources, regions),
    rendering: (name) => renderings.served(name),
    closing,
    historyDocument: (name) => docs.open(name).doc,
    log: options.log,
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
  server.on('upgrade', (request, socket, head: Buffer) => {
    if (accepting) endpoint.upgrade(request, socket, head)
    else refuseUpgrade(socket, '503 Service Unavailable')
  })
  const port = await listen(server, options).catch(async (error: unknown) => {
    await stop()
    throw error
  })
  const urlHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host

  let shuttingDown: Promise<void> | undefined
  const close = (): Promise<void> => {
    shuttingDown ??= (async () => {
      accepting = false
      modes.syncEachCommit()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      // Commit first: everything a client was told about is on disk before its socket goes.
      docs.commitAll()
      endpoint.closeAll(CLOSE.shutdown)
      await docs.close(CLOSE.shutdown)
      modes.stopCheckpoints()
      await compactor.close()
      await endpoint.drain(2000)
      server.closeAllConnections()
      await closed
      endpoint.close()
      store.close()
    })()
    return shuttingDown
  }

  return {
    port,
    host: options.host,
    url: `http://${urlHost}:${port}`,
    ...(generated !== undefined ? { generatedAdminPassword: generated } : {}),
    close,
  }
}
