/**
 * Relay settings and their defaults, in one place so the CLI, tests and the benchmark agree on
 * what "default" means.
 */
import { DEFAULT_REGIONS, isRegionSlug, type Region } from '../schema/regions.ts'
import { DEFAULT_LOGIN_LIMITS, type BucketRate, type LoginLimits } from './limits.ts'

/** A setting the relay cannot use; the message is bilingual. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

export interface RelayOptions {
  /** Data directory holding rainstaff.sqlite3. */
  readonly dataDir: string
  /** 0 picks a free port. */
  readonly port?: number
  readonly host?: string
  readonly regions?: readonly Region[]
  /** Password of the `admin` created on first start; random (printed once) when absent. */
  readonly adminPassword?: string
  readonly tokenTtlMs?: number
  /**
   * `POST /api/renew` exchanges a valid token for a fresh one until the password login behind it
   * is this old; then the user logs in again. Bounds what a stolen token is worth.
   */
  readonly sessionMaxMs?: number
  /** How often open connections are compared with their accounts (disabled, deleted, changed). */
  readonly sessionCheckMs?: number
  /** Open connections one account may hold; a new one beyond is refused with 4529. */
  readonly maxConnectionsPerAccount?: number
  /** Largest presence (awareness) state of one client, in bytes of its JSON. */
  readonly maxPresenceBytes?: number
  /** Presence client ids one connection may introduce. */
  readonly maxPresenceClients?: number
  /** A TCP connection that has not sent a complete request (or upgrade) by then is dropped. */
  readonly handshakeTimeoutMs?: number
  /**
   * Every connection hears from the relay at least this often (an empty awareness update when
   * nothing else was sent): stock y-websocket drops a connection silent for 30 s.
   */
  readonly keepaliveMs?: number
  /** A connection the relay has heard nothing from (no message, no pong) this long is cut. */
  readonly peerTimeoutMs?: number
  /** Largest WebSocket message accepted, in bytes. */
  readonly maxMessageBytes?: number
  /** Per-connection message budget. */
  readonly messageRate?: BucketRate
  /** Per-connection byte budget. */
  readonly byteRate?: BucketRate
  /** A connection whose unsent bytes exceed this is closed as a slow consumer. */
  readonly maxBufferedBytes?: number
  /** A doc with no connections is unloaded after this long. */
  readonly idleUnloadMs?: number
  /** Updates logged after the snapshot that trigger a compaction. */
  readonly compactAfterUpdates?: number
  /** A document is rendered again (relay/renderings.ts) once it has had no commit for this long… */
  readonly renderDelayMs?: number
  /** …or this long after its first commit not yet rendered, under a steady stream of edits. */
  readonly renderMaxDelayMs?: number
  readonly loginLimits?: LoginLimits
  /** Store durability; see StoreOptions in relay/store.ts. `full` unless set. */
  readonly synchronous?: 'full' | 'normal'
  /** Static files served at `/` (the built web client). */
  readonly webRoot?: string
  /**
   * Origins (`https://app.example.com`, or `null` for pages opened from files) whose pages may
   * read `/api/*` answers. None by default: only pages the relay serves itself, which need no CORS.
   */
  readonly corsOrigins?: readonly string[]
  /**
   * Bearer token `/metrics` asks for. Without one `/metrics` does not exist (404): the numbers
   * describe the offices' activity and are nobody's business but the operator's.
   */
  readonly metricsToken?: string
  /** Serve `.map` files from `webRoot` (a build made with `--sourcemap`); refused (404) by default. */
  readonly serveSourceMaps?: boolean
  /** Where log lines go; stderr when absent. Lines never hold passwords or tokens. */
  readonly log?: (line: string) => void
  /**
   * Check every update against the schema before it is stored (crdt/updateGuard.ts). Always on in
   * service; the relay benchmark turns it off to measure what it costs.
   */
  readonly validateUpdates?: boolean
}

export type ResolvedOptions = Required<Omit<RelayOptions, 'adminPassword' | 'metricsToken'>> & {
  readonly adminPassword?: string
  readonly metricsToken?: string
}

/** Shorter tokens are refused: anyone who can reach the relay may try to guess one. */
export const MIN_METRICS_TOKEN_LENGTH = 16

function checkOrigin(origin: string): string {
  if (origin === 'null') return origin
  let parsed: URL | undefined
  try {
    parsed = new URL(origin)
  } catch {
    parsed = undefined
  }
  // A browser sends exactly `scheme://host[:port]`; anything else (a path, a slash, `*`) would never match.
  if (!parsed || parsed.origin !== origin || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new ConfigError(
      `Geçersiz köken / Invalid origin: ${JSON.stringify(origin)} (örnek / e.g. https://rainstaff.example.com, or null)`,
    )
  }
  return origin
}

function checkMetricsToken(token: string): string {
  if (token.length < MIN_METRICS_TOKEN_LENGTH || /\s/.test(token)) {
    throw new ConfigError(
      `Ölçüm anahtarı en az ${MIN_METRICS_TOKEN_LENGTH} karakter olmalı ve boşluk içermemeli / ` +
        `The metrics token needs at least ${MIN_METRICS_TOKEN_LENGTH} characters and no spaces`,
    )
  }
  return token
}

const MiB = 1024 * 1024

const SESSION_LIMITS = [
  'sessionMaxMs',
  'sessionCheckMs',
  'maxConnectionsPerAccount',
  'maxPresenceBytes',
  'maxPresenceClients',
  'handshakeTimeoutMs',
  'keepaliveMs',
  'peerTimeoutMs',
] as const

export function resolveOptions(options: RelayOptions): ResolvedOptions {
  const regions = options.regions ?? DEFAULT_REGIONS
  for (const r of regions) {
    if (!isRegionSlug(r.slug)) throw new ConfigError(`Geçersiz bölge kimliği / Invalid region id: ${r.slug}`)
  }
  const maxMessageBytes = options.maxMessageBytes ?? 16 * MiB
  for (const key of SESSION_LIMITS) {
    const value = options[key]
    // Zero would mean "never" for a timer or "nobody" for a cap, neither of which is a setting.
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      throw new ConfigError(`${key} sıfırdan büyük olmalı / ${key} must be greater than zero`)
    }
  }
  return {
    dataDir: options.dataDir,
    port: options.port ?? 3000,
    host: options.host ?? '0.0.0.0',
    regions,
    ...(options.adminPassword !== undefined ? { adminPassword: options.adminPassword } : {}),
    tokenTtlMs: options.tokenTtlMs ?? 15 * 60_000,
    sessionMaxMs: options.sessionMaxMs ?? 12 * 3_600_000,
    sessionCheckMs: options.sessionCheckMs ?? 1000,
    maxConnectionsPerAccount: options.maxConnectionsPerAccount ?? 32,
    maxPresenceBytes: options.maxPresenceBytes ?? 4096,
    maxPresenceClients: options.maxPresenceClients ?? 4,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
    keepaliveMs: options.keepaliveMs ?? 10_000,
    peerTimeoutMs: options.peerTimeoutMs ?? 60_000,
    maxMessageBytes,
    messageRate: options.messageRate ?? { perSecond: 200, burst: 2000 },
    // The burst lets a long-offline client send its whole backlog (up to one max message) at once.
    byteRate: options.byteRate ?? { perSecond: 4 * MiB, burst: Math.max(2 * maxMessageBytes, 16 * MiB) },
    maxBufferedBytes: options.maxBufferedBytes ?? 4 * maxMessageBytes,
    idleUnloadMs: options.idleUnloadMs ?? 60_000,
    compactAfterUpdates: options.compactAfterUpdates ?? 1000,
    renderDelayMs: options.renderDelayMs ?? 1000,
    renderMaxDelayMs: options.renderMaxDelayMs ?? Math.max(5000, options.renderDelayMs ?? 0),
    loginLimits: options.loginLimits ?? DEFAULT_LOGIN_LIMITS,
    synchronous: options.synchronous ?? 'full',
    webRoot: options.webRoot ?? 'dist/web',
    corsOrigins: [...new Set((options.corsOrigins ?? []).map(checkOrigin))],
    ...(options.metricsToken !== undefined ? { metricsToken: checkMetricsToken(options.metricsToken) } : {}),
    serveSourceMaps: options.serveSourceMaps ?? false,
    log: options.log ?? ((line) => process.stderr.write(line + '\n')),
    validateUpdates: options.validateUpdates ?? true,
  }
}

/**
 * Parses `RAINSTAFF_REGIONS`-style text: `ankara=Ankara,istanbul=İstanbul`. A bare slug is its own
 * display name.
 */
export function parseRegions(text: string): Region[] {
  const regions = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const [slug = '', name] = part.split('=').map((s) => s.trim())
      if (!isRegionSlug(slug)) throw new ConfigError(`Geçersiz bölge kimliği / Invalid region id: ${slug}`)
      return { slug, name: name || slug }
    })
  if (regions.length === 0) throw new ConfigError('Bölge listesi boş / The region list is empty')
  return regions
}

/** The HTTP hardening settings as the CLI gives them: flags first, the environment otherwise. */
export interface HardeningFlags {
  readonly 'cors-origin'?: readonly string[] | undefined
  readonly 'metrics-token'?: string | undefined
  readonly 'source-maps'?: boolean | undefined
}

/**
 * `--cors-origin` (repeatable) or RAINSTAFF_CORS_ORIGINS (comma-separated), `--metrics-token` or
 * RAINSTAFF_METRICS_TOKEN (the environment keeps it out of `ps`), `--source-maps` or
 * RAINSTAFF_SOURCE_MAPS=1.
 */
export function hardeningOptions(
  flags: HardeningFlags,
  env: Readonly<Record<string, string | undefined>>,
): Pick<RelayOptions, 'corsOrigins' | 'metricsToken' | 'serveSourceMaps'> {
  const origins =
    flags['cors-origin'] && flags['cors-origin'].length > 0
      ? flags['cors-origin']
      : (env.RAINSTAFF_CORS_ORIGINS ?? '').split(',')
  const corsOrigins = origins.map((o) => o.trim()).filter((o) => o !== '').map(checkOrigin)
  const metricsToken = flags['metrics-token'] ?? (env.RAINSTAFF_METRICS_TOKEN || undefined)
  return {
    corsOrigins,
    ...(metricsToken !== undefined ? { metricsToken: checkMetricsToken(metricsToken) } : {}),
    serveSourceMaps: flags['source-maps'] === true || env.RAINSTAFF_SOURCE_MAPS === '1',
  }
}
