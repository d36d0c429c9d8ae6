/**
 * `rainstaff relay` and `rainstaff users …`: argument parsing and process concerns (signals, exit
 * codes, printing) around startRelay and relay/users.ts.
 */
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { DEFAULT_REGIONS } from '../schema/regions.ts'
import { ConfigError, hardeningOptions, parseRegions, type RelayOptions } from './options.ts'
import { startRelay } from './server.ts'
import { openStore, StoreError } from './store.ts'
import { addUser, deleteUser, listUsers, setDisabled, setPassword, setRole, UserError, type Role } from './users.ts'
import { inLocale } from '../schema/bilingual.ts'

const out = (text: string): void => void process.stdout.write(text + '\n')
const err = (text: string): void => void process.stderr.write(text + '\n')

function defaultDataDir(): string {
  return process.env.RAINSTAFF_DATA || './data'
}

function regionsFromEnv(): ReturnType<typeof parseRegions> | undefined {
  const text = process.env.RAINSTAFF_REGIONS
  return text ? parseRegions(text) : undefined
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name} bir tamsayı olmalı / ${name} must be a whole number`)
  return n
}

export const RELAY_HELP = `Kullanım / Usage: rainstaff relay [--port N] [--host H] [--data DIR]
  --port N                 Dinlenecek port (PORT veya 3000) / port (PORT or 3000); 0 = any free port
  --host H                 Adres (0.0.0.0) / bind address (0.0.0.0)
  --data DIR               Veri klasörü (RAINSTAFF_DATA veya ./data) / data directory
  --regions LIST           Bölgeler / regions, e.g. ankara=Ankara,istanbul=İstanbul (RAINSTAFF_REGIONS)
  --max-message-bytes N    En büyük mesaj / largest message (16 MiB)
  --rate N                 Bağlantı başına mesaj/s / messages per second per connection (200)
  --token-ttl-seconds N    Oturum süresi / token lifetime (900); istemciler bitmeden yeniler / clients renew before it ends
  --session-max-seconds N  Parolasız yenileme sınırı / renewals without the password stop after (43200)
  --max-connections-per-account N  Hesap başına bağlantı / open connections per account (32)
  --max-presence-bytes N   Bir istemcinin varlık durumu / one client's presence state, JSON bytes (4096)
  --max-presence-clients N Bağlantı başına varlık kimliği / presence client ids per connection (4)
  --handshake-timeout-ms N Tamamlanmayan istek kesilir / drop a connection without a whole request after (10000)
  --keepalive-ms N         Boştaki bağlantıya en geç bu sürede mesaj / idle connections hear from the relay every (10000)
  --peer-timeout-ms N      Sessiz istemci kesilir / cut a peer silent for (60000)
  --idle-unload-ms N       Boştaki belge bellekten atılır / unload idle docs after (60000)
  --compact-after N        Sıkıştırma eşiği / updates before compaction (1000)
  --render-delay-ms N      Belge son kayıttan bu kadar sonra yeniden görüntülenir / a document is rendered
                           again this long after its last commit (1000; at the latest every 5000)
  --max-buffered-bytes N   Yavaş istemci sınırı / unsent bytes before a slow client is closed (4 × max message)
  --synchronous full|normal  full: onay, kayıt diske fsync edildikten sonra / acknowledged once fsynced (default);
                           normal: süreç çökmesine dayanır, elektrik kesintisine değil / survives a killed
                           process, not a crashed machine
  --web DIR                Web istemcisi / web client files (dist/web)
  --cors-origin ORIGIN     /api/* yanıtlarını okuyabilecek köken, tekrarlanabilir / origin allowed to read
                           /api/* answers, repeatable (RAINSTAFF_CORS_ORIGINS; none: same origin only)
  --metrics-token TOKEN    /metrics için Bearer anahtarı / bearer token for /metrics (RAINSTAFF_METRICS_TOKEN;
                           none: /metrics is 404)
  --source-maps            .map dosyalarını sun / serve .map files (RAINSTAFF_SOURCE_MAPS=1; refused by default)
  --no-validation          Yalnızca ölçüm için: güncellemeler şemaya göre denetlenmez / benchmarks only:
                           updates are not checked against the schema (never in service)
Ortam / Environment: RAINSTAFF_ADMIN_PASSWORD (first start), RAINSTAFF_TRUST_PROXY=1 (behind a proxy)
`

/** Flags that set a session or presence limit of the same meaning and unit as the option. */
const LIMIT_FLAGS = [
  ['max-connections-per-account', 'maxConnectionsPerAccount'],
  ['max-presence-bytes', 'maxPresenceBytes'],
  ['max-presence-clients', 'maxPresenceClients'],
  ['handshake-timeout-ms', 'handshakeTimeoutMs'],
  ['keepalive-ms', 'keepaliveMs'],
  ['peer-timeout-ms', 'peerTimeoutMs'],
] as const satisfies ReadonlyArray<readonly [string, keyof RelayOptions]>

export async function relayCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      regions: { type: 'string' },
      'max-message-bytes': { type: 'string' },
      rate: { type: 'string' },
      'token-ttl-seconds': { type: 'string' },
      'session-max-seconds': { type: 'string' },
      'max-connections-per-account': { type: 'string' },
      'max-presence-bytes': { type: 'string' },
      'max-presence-clients': { type: 'string' },
      'handshake-timeout-ms': { type: 'string' },
      'keepalive-ms': { type: 'string' },
      'peer-timeout-ms': { type: 'string' },
      'idle-unload-ms': { type: 'string' },
      'compact-after': { type: 'string' },
      'render-delay-ms': { type: 'string' },
      'max-buffered-bytes': { type: 'string' },
      synchronous: { type: 'string' },
      web: { type: 'string' },
      'cors-origin': { type: 'string', multiple: true },
      'metrics-token': { type: 'string' },
      'source-maps': { type: 'boolean' },
      'no-validation': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    out(RELAY_HELP)
    return 0
  }
  const port = positiveInt(values.port ?? process.env.PORT ?? '3000', '--port') ?? 3000
  const rate = positiveInt(values.rate, '--rate')
  const ttl = positiveInt(values['token-ttl-seconds'], '--token-ttl-seconds')
  const sessionMax = positiveInt(values['session-max-seconds'], '--session-max-seconds')
  const limits: Partial<Record<(typeof LIMIT_FLAGS)[number][1], number>> = {}
  for (const [flag, option] of LIMIT_FLAGS) {
    const n = positiveInt(values[flag], `--${flag}`)
    if (n !== undefined) limits[option] = n
  }
  const regions = values.regions ? parseRegions(values.regions) : regionsFromEnv()
  const synchronous = values.synchronous ?? 'full'
  if (synchronous !== 'full' && synchronous !== 'normal') {
    throw new ConfigError('--synchronous full veya normal olmalı / --synchronous must be full or normal')
  }
  const relay = await startRelay({
    dataDir: values.data ?? defaultDataDir(),
    port,
    host: values.host ?? '0.0.0.0',
    ...(regions ? { regions } : {}),
    ...(process.env.RAINSTAFF_ADMIN_PASSWORD ? { adminPassword: process.env.RAINSTAFF_ADMIN_PASSWORD } : {}),
    ...(values['max-message-bytes'] ? { maxMessageBytes: positiveInt(values['max-message-bytes'], '--max-message-bytes') ?? 0 } : {}),
    ...(rate !== undefined ? { messageRate: { perSecond: rate, burst: rate * 10 } } : {}),
    ...(ttl !== undefined ? { tokenTtlMs: ttl * 1000 } : {}),
    ...(sessionMax !== undefined ? { sessionMaxMs: sessionMax * 1000 } : {}),
    ...limits,
    ...(values['idle-unload-ms'] ? { idleUnloadMs: positiveInt(values['idle-unload-ms'], '--idle-unload-ms') ?? 0 } : {}),
    ...(values['compact-after'] ? { compactAfterUpdates: positiveInt(values['compact-after'], '--compact-after') ?? 0 } : {}),
    ...(values['render-delay-ms'] ? { renderDelayMs: positiveInt(values['render-delay-ms'], '--render-delay-ms') ?? 0 } : {}),
    ...(values['max-buffered-bytes'] ? { maxBufferedBytes: positiveInt(values['max-buffered-bytes'], '--max-buffered-bytes') ?? 0 } : {}),
    ...(values.web ? { webRoot: values.web } : {}),
    ...hardeningOptions(values, process.env),
    synchronous,
    trustProxy: process.env.RAINSTAFF_TRUST_PROXY === '1',
    ...(values['no-validation'] === true ? { validateUpdates: false } : {}),
  })
  if (values['no-validation'] === true) {
    out('relay: UYARI güncellemeler şemaya göre denetlenmiyor (yalnızca ölçüm için) / WARNING updates are not checked against the schema (benchmarks only)')
  }
  if (relay.generatedAdminPassword !== undefined) {
    // Printed once to the terminal, on purpose: it is the only way to learn a generated password.
    out('relay: ilk yönetici oluşturuldu / first admin created: admin')
    out(`relay: parola / password: ${relay.generatedAdminPassword}  (yalnızca bir kez / shown only once)`)
  }
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      out(`relay: ${signal}, kapanıyor / shutting down`)
      // The shutdown may wait on handles that are unref'd while the relay runs (idle timers, the
      // worker): this one keeps the process up until it is done, so it never exits half-way.
      const keepAlive = setInterval(() => undefined, 1000)
      relay.close().then(resolve, (error: unknown) => {
        err(`relay: kapanış hatası / shutdown error: ${error instanceof Error ? error.message : error}`)
        resolve()
      }).finally(() => clearInterval(keepAlive))
    }
    process.once('SIGTERM', () => stop('SIGTERM'))
    process.once('SIGINT', () => stop('SIGINT'))
  })
  // Tests, scripts and supervisors read the actual port from this line and may signal the relay
  // as soon as they see it, so the handlers above are in place before it is printed.
  out(`relay: listening on http://${relay.host}:${relay.port}`)
  await stopped
  out('relay: stopped')
  return 0
}

/** Reads one line (the password) from stdin; prompts when stdin is a terminal. */
async function readPassword(prompt: string): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write(prompt)
  const lines = createInterface({ input: process.stdin, terminal: false })
  for await (const line of lines) {
    lines.close()
    return line
  }
  return ''
}

export const USERS_HELP = `Kullanım / Usage:
  rainstaff users add NAME --role editor|admin [--region SLUG] [--data DIR]   (parola stdin'den / password from stdin)
  rainstaff users list [--data DIR]
  rainstaff users passwd NAME [--data DIR]                                      (parola stdin'den / password from stdin)
  rainstaff users disable NAME [--data DIR]
  rainstaff users enable NAME [--data DIR]
  rainstaff users set NAME [--role editor|admin] [--region SLUG] [--data DIR]    (rol veya bölge değişir / changes role or region)
  rainstaff users delete NAME [--data DIR]
Parola, rol, bölge değişikliği, devre dışı bırakma ve silme, çalışan sunucudaki açık oturumları da
birkaç saniye içinde kapatır. / A password, role or region change, disabling and deleting also end
the account's open sessions on a running relay within seconds.
`

export async function usersCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      role: { type: 'string' },
      region: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const [action, name] = positionals
  if (values.help || !action) {
    out(USERS_HELP)
    return action ? 0 : 2
  }
  const needsName = action !== 'list'
  if (needsName && !name) {
    err(`Kullanıcı adı gerekli / A username is required\n\n${USERS_HELP}`)
    return 2
  }
  const store = openStore(values.data ?? defaultDataDir())
  try {
    const username = name ?? ''
    switch (action) {
      case 'add': {
        const role = values.role
        if (role !== 'editor' && role !== 'admin') {
          err('--role editor veya admin olmalı / --role must be editor or admin')
          return 2
        }
        const password = await readPassword('Parola / Password: ')
        const user = await addUser(
          store,
          { username, role: role as Role, region: values.region ?? null, password },
          regionsFromEnv() ?? DEFAULT_REGIONS,
        )
        out(`eklendi / added: ${user.username} (${user.role}${user.region ? ', ' + user.region : ''})`)
        return 0
      }
      case 'list': {
        for (const u of listUsers(store)) {
          out([u.username, u.role, u.region ?? '*', u.disabled ? 'disabled' : 'active'].join('\t'))
        }
        return 0
      }
      case 'passwd': {
        await setPassword(store, username, await readPassword('Yeni parola / New password: '))
        out(`parola değişti / password changed: ${username}`)
        return 0
      }
      case 'disable':
      case 'enable': {
        setDisabled(store, username, action === 'disable')
        out(`${action === 'disable' ? 'devre dışı / disabled' : 'etkin / enabled'}: ${username}`)
        return 0
      }
      case 'set': {
        const role = values.role
        if (role !== undefined && role !== 'editor' && role !== 'admin') {
          err('--role editor veya admin olmalı / --role must be editor or admin')
          return 2
        }
        if (role === undefined && values.region === undefined) {
          err(`--role veya --region gerekli / --role or --region is required\n\n${USERS_HELP}`)
          return 2
        }
        const user = setRole(
          store,
          username,
          { ...(role !== undefined ? { role: role as Role } : {}), ...(values.region !== undefined ? { region: values.region } : {}) },
          regionsFromEnv() ?? DEFAULT_REGIONS,
        )
        out(`değişti / changed: ${user.username} (${user.role}${user.region ? ', ' + user.region : ''})`)
        return 0
      }
      case 'delete': {
        deleteUser(store, username)
        out(`silindi / deleted: ${username}`)
        return 0
      }
      default:
        err(`Bilinmeyen işlem / Unknown action: ${action}\n\n${USERS_HELP}`)
        return 2
    }
  } finally {
    store.close()
  }
}

/** Runs a command, turning expected failures into a bilingual message and exit code 1. */
export async function runCli(command: (args: string[]) => Promise<number>, args: string[]): Promise<number> {
  try {
    return await command(args)
  } catch (error) {
    if (error instanceof StoreError || error instanceof UserError || error instanceof ConfigError) {
      err(inLocale(error))
      return 1
    }
    if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
      err(`Port kullanımda / Port already in use: ${error.message}`)
      return 1
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      err(`${error.message}`)
      return 2
    }
    throw error
  }
}
