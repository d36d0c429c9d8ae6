/**
 * Counters the relay keeps about itself, the extension that counts the lifecycle's events, and
 * their Prometheus text form. Plain numbers mutated in place: the hot path pays an increment,
 * `/metrics` pays the formatting. Logins are counted by the HTTP routes (relay/http.ts).
 */
import type { Extension } from './extension.ts'

/** A Prometheus histogram: cumulative counts per upper bound (seconds). */
export interface Histogram {
  readonly bounds: readonly number[]
  readonly counts: number[]
  sum: number
  count: number
}

export function createHistogram(bounds: readonly number[]): Histogram {
  return { bounds, counts: bounds.map(() => 0), sum: 0, count: 0 }
}

export function observe(h: Histogram, value: number): void {
  h.sum += value
  h.count++
  h.bounds.forEach((b, i) => {
    if (value <= b) h.counts[i] = (h.counts[i] ?? 0) + 1
  })
}

export interface Metrics {
  connectionsOpened: number
  /** Closes the relay initiated, by close code. */
  closes: Map<number, number>
  messagesReceived: number
  bytesReceived: number
  updatesStored: number
  updateBytesStored: number
  commits: number
  /** Time each group commit spent in the store: what the fan-out waits for. */
  commitSeconds: Histogram
  writesRefused: number
  loginsOk: number
  loginsFailed: number
  loginsLimited: number
  compactions: number
  /** Awareness messages dropped for a state over the size limit or too many client ids. */
  presenceDropped: number
  /** Connections cut because the peer went silent (no message, no pong). */
  peersTimedOut: number
}

export function createMetrics(): Metrics {
  return {
    connectionsOpened: 0,
    closes: new Map(),
    messagesReceived: 0,
    bytesReceived: 0,
    updatesStored: 0,
    updateBytesStored: 0,
    commits: 0,
    commitSeconds: createHistogram([0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]),
    writesRefused: 0,
    loginsOk: 0,
    loginsFailed: 0,
    loginsLimited: 0,
    compactions: 0,
    presenceDropped: 0,
    peersTimedOut: 0,
  }
}

function countClose(metrics: Metrics, code: number): void {
  metrics.closes.set(code, (metrics.closes.get(code) ?? 0) + 1)
}

export function metricsExtension(metrics: Metrics): Extension {
  return {
    connected() {
      metrics.connectionsOpened++
    },
    onMessage({ bytes }) {
      metrics.messagesReceived++
      metrics.bytesReceived += bytes
    },
    onPresenceDropped() {
      metrics.presenceDropped++
    },
    onClose({ code }) {
      countClose(metrics, code)
    },
    onDisconnect({ timedOut }) {
      if (timedOut) metrics.peersTimedOut++
    },
    onUpdateRefused() {
      metrics.writesRefused++
    },
    afterCommit({ updates, ms }) {
      metrics.commits++
      metrics.updatesStored += updates.length
      for (const u of updates) metrics.updateBytesStored += u.update.byteLength
      observe(metrics.commitSeconds, ms / 1000)
    },
    afterCompact() {
      metrics.compactions++
    },
  }
}

/** Per-region figures sampled when `/metrics` is read. */
export interface RegionGauge {
  readonly region: string
  /** Whether the region's master document is in memory. */
  readonly loaded: boolean
  /** Its documents in memory, master and months. */
  readonly documentsLoaded: number
  /** Its documents: the master and every stored month. */
  readonly documents: number
  readonly connections: number
  readonly storedBytes: number
  readonly loggedUpdates: number
  /** Live records in its stored renderings. */
  readonly records: number
  /** Items the readers skip, in its stored renderings. */
  readonly malformed: number
}

function line(name: string, value: number, labels: Record<string, string | number> = {}): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${String(v).replace(/["\\\n]/g, '_')}"`)
  return `${name}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${value}`
}

export function formatMetrics(
  m: Metrics,
  regions: readonly RegionGauge[],
  extra: { uptimeSeconds: number; storeBytes: number; passwordHashes?: number; renderings?: number; renderingsBehind?: number },
): string {
  const out: string[] = []
  const counter = (name: string, help: string, value: number): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, line(name, value))
  }
  const gauge = (name: string, help: string, rows: Array<[number, Record<string, string | number>]>): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...rows.map(([v, l]) => line(name, v, l)))
  }
  counter('rainstaff_connections_opened_total', 'WebSocket connections admitted.', m.connectionsOpened)
  out.push('# HELP rainstaff_closes_total Connections the relay closed, by close code.', '# TYPE rainstaff_closes_total counter')
  for (const [code, n] of [...m.closes].sort((a, b) => a[0] - b[0])) out.push(line('rainstaff_closes_total', n, { code }))
  counter('rainstaff_messages_received_total', 'WebSocket messages received.', m.messagesReceived)
  counter('rainstaff_bytes_received_total', 'WebSocket bytes received.', m.bytesReceived)
  counter('rainstaff_updates_stored_total', 'Updates committed to disk.', m.updatesStored)
  counter('rainstaff_update_bytes_stored_total', 'Bytes of updates committed to disk.', m.updateBytesStored)
  counter('rainstaff_commits_total', 'Group commits of updates.', m.commits)
  const h = m.commitSeconds
  out.push('# HELP rainstaff_commit_seconds Time a group commit spent in the store before fan-out (the fsync for acknowledgements runs on the worker thread unless it cannot).', '# TYPE rainstaff_commit_seconds histogram')
  h.bounds.forEach((b, i) => out.push(line('rainstaff_commit_seconds_bucket', h.counts[i] ?? 0, { le: b })))
  out.push(line('rainstaff_commit_seconds_bucket', h.count, { le: '+Inf' }), line('rainstaff_commit_seconds_sum', h.sum), line('rainstaff_commit_seconds_count', h.count))
  counter('rainstaff_writes_refused_total', 'Writes dropped from read-only connections.', m.writesRefused)
  counter('rainstaff_logins_ok_total', 'Successful logins.', m.loginsOk)
  counter('rainstaff_logins_failed_total', 'Failed logins.', m.loginsFailed)
  counter('rainstaff_logins_limited_total', 'Logins refused by the failed-login limit.', m.loginsLimited)
  if (extra.passwordHashes !== undefined) {
    counter('rainstaff_password_hashes_total', 'scrypt derivations (logins, decoys, new passwords): one per login attempt checked.', extra.passwordHashes)
  }
  counter('rainstaff_compactions_total', 'Snapshot compactions finished.', m.compactions)
  counter('rainstaff_presence_dropped_total', 'Awareness messages dropped: a state over the size limit, or too many client ids on one connection.', m.presenceDropped)
  counter('rainstaff_peers_timed_out_total', 'Connections cut because nothing was heard from the peer.', m.peersTimedOut)
  if (extra.renderings !== undefined) counter('rainstaff_renderings_total', 'Documents rendered for status, exports and /api/renderings.', extra.renderings)
  gauge('rainstaff_doc_loaded', "Whether the region's master document is in memory.", regions.map((r) => [r.loaded ? 1 : 0, { region: r.region }]))
  gauge('rainstaff_documents_loaded', 'Documents of the region in memory (master and months).', regions.map((r) => [r.documentsLoaded, { region: r.region }]))
  gauge('rainstaff_region_documents', 'Documents of the region: the master and every stored month.', regions.map((r) => [r.documents, { region: r.region }]))
  gauge('rainstaff_connections', 'Open connections per region.', regions.map((r) => [r.connections, { region: r.region }]))
  gauge('rainstaff_region_stored_bytes', "Stored bytes per region (snapshots and logs of its documents).", regions.map((r) => [r.storedBytes, { region: r.region }]))
  gauge('rainstaff_region_logged_updates', "Updates logged since the last snapshots of the region's documents.", regions.map((r) => [r.loggedUpdates, { region: r.region }]))
  gauge('rainstaff_region_records', 'Live records per region, as last rendered.', regions.map((r) => [r.records, { region: r.region }]))
  gauge('rainstaff_region_malformed_items', 'Items the readers skip per region, as last rendered (rainstaff doctor).', regions.map((r) => [r.malformed, { region: r.region }]))
  if (extra.renderingsBehind !== undefined) {
    gauge('rainstaff_renderings_behind', 'Stored documents whose rendering is older than the document (rendered again soon, or when read).', [[extra.renderingsBehind, {}]])
  }
  gauge('rainstaff_store_bytes', 'Size of the store file and its WAL.', [[extra.storeBytes, {}]])
  gauge('rainstaff_uptime_seconds', 'Seconds since the relay started.', [[extra.uptimeSeconds, {}]])
  gauge('rainstaff_heap_used_bytes', 'V8 heap in use.', [[process.memoryUsage().heapUsed, {}]])
  return out.join('\n') + '\n'
}
