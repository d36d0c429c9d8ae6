/**
 * `login`, `sync`, `status`: the commands that talk to the relay. `sync` sends and receives the
 * open documents, then brings the history: the renderings of every other month whose version
 * changed (client/offlineMirror.ts), so `sql` and `report` answer for them offline later.
 */
import os from 'node:os'
import { documentName, type Period } from '../../schema/periods.ts'
import type { Bilingual } from '../../schema/bilingual.ts'
import { SyncTimeoutError, type SyncEngine } from '../engine.ts'
import type { DeviceAccount } from '../localStore.ts'
import { relayAddress } from '../relayAddress.ts'
import { sessionFromAccount, signIn, type Session } from '../signIn.ts'
import { storedDocuments } from '../storedDocuments.ts'
import {
  account,
  CliError,
  err,
  EXIT,
  online,
  out,
  parse,
  relayReachable,
  required,
  say,
  sayError,
  text,
  tokenValid,
  withEngine,
  withOfflineMirror,
  optionalMonth,
  withStore,
} from './common.ts'

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write(`${say({ tr: 'Parola', en: 'Password' })}: `)
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer)
    if (Buffer.concat(chunks).includes(10)) break
  }
  return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '').trim()
}

export async function login(args: string[]): Promise<number> {
  const { values } = parse(args, { relay: { type: 'string' }, user: { type: 'string' } }, 0)
  return withStore(values, async (store) => {
    const previous = await store.readAccount()
    const relay = text(values, 'relay') ?? previous?.relay
    const username = text(values, 'user') ?? previous?.user.username
    const password = await readPassword()
    if (password === '') throw new CliError(EXIT.usage, "Parola stdin'den okunamadı", 'No password on stdin')
    const { session, online } = await signIn({
      relay: required(relay, '--relay'),
      username: required(username, '--user'),
      password,
      store,
      rememberToken: true,
      // What history shows for this PC; RAINSTAFF_DEVICE_NAME names it otherwise (several state directories on one host).
      deviceName: process.env.RAINSTAFF_DEVICE_NAME ?? os.hostname(),
    })
    const who = `${session.user.username} (${session.user.role}${session.user.region ? ', ' + session.user.region : ''})`
    if (online) out(say({ tr: `giriş yapıldı: ${who} @ ${session.relay.http}`, en: `signed in: ${who} @ ${session.relay.http}` }))
    else out(say({ tr: `çevrimdışı giriş: ${who} (sunucuya ulaşılamadı)`, en: `signed in offline: ${who} (the relay is unreachable)` }))
    return EXIT.ok
  })
}

/** Syncs the open documents once when the relay can be reached; false when it cannot, or did not finish. */
export async function syncOpenDocuments(engine: SyncEngine, acc: DeviceAccount, timeoutMs = 60_000): Promise<boolean> {
  if (!(await online(acc))) return false
  engine.connect()
  try {
    await engine.whenSynced(timeoutMs)
    return true
  } catch (error) {
    if (!(error instanceof SyncTimeoutError)) throw error
    return false
  } finally {
    engine.disconnect()
  }
}

/** Months `sync --all-months` has open at once: with the master and working months, far under the relay's 32. */
const MONTHS_AT_ONCE = 8

/**
 * Every month the relay holds for the engine's regions, into this device's store: a few at a
 * time (opened, synced, closed again), so the account's connections stay under the relay's cap.
 */
async function syncStoredMonths(engine: SyncEngine, session: Session, deadline: number): Promise<void> {
  const { months } = await storedDocuments(session)
  const todo: Array<readonly [string, Period]> = engine.regions
    .flatMap((region) => (months.get(region) ?? []).map((period) => [region, period] as const))
    .filter(([region, period]) => !engine.documents().includes(documentName(region, period)))
  for (let i = 0; i < todo.length; i += MONTHS_AT_ONCE) {
    const batch = todo.slice(i, i + MONTHS_AT_ONCE)
    for (const [region, period] of batch) await engine.openPeriod(region, period)
    await engine.whenSynced(Math.max(1, deadline - Date.now()))
    for (const [region, period] of batch) await engine.closePeriod(region, period)
  }
}

export async function sync(args: string[]): Promise<number> {
  const { values } = parse(args, { timeout: { type: 'string' }, month: { type: 'string' }, 'all-months': { type: 'boolean' } }, 0)
  const month = optionalMonth(values)
  const allMonths = values['all-months'] === true
  const timeoutSeconds = Number(text(values, 'timeout') ?? '60')
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new CliError(EXIT.usage, '--timeout pozitif bir saniye sayısı olmalı', '--timeout must be a positive number of seconds')
  }
  return withStore(values, async (store) => {
    const acc = await account(store)
    return withOfflineMirror(store, acc, acc.regions.map((r) => r.slug), async (engine, offline, session) => {
      if (month !== undefined) for (const region of engine.regions) await engine.openPeriod(region, month)
      const relay = relayAddress(acc.relay).http
      if (!(await relayReachable(relay, 5000))) {
        throw new CliError(
          EXIT.offline,
          `Sunucuya ulaşılamıyor: ${relay}; ${engine.pendingChanges} değişiklik bekliyor`,
          `Cannot reach the relay at ${relay}; ${engine.pendingChanges} changes pending`,
        )
      }
      if (!tokenValid(acc)) {
        throw new CliError(
          EXIT.signIn,
          `Oturumun süresi doldu; yeniden giriş yapın: rainstaff login; ${engine.pendingChanges} değişiklik bekliyor (kaybolmadı)`,
          `The session expired; sign in again: rainstaff login; ${engine.pendingChanges} changes pending (kept)`,
        )
      }
      const deadline = Date.now() + timeoutSeconds * 1000
      engine.connect()
      try {
        if (allMonths) await syncStoredMonths(engine, session, deadline)
        await engine.whenSynced(Math.max(1, deadline - Date.now()))
      } catch (error) {
        if (!(error instanceof SyncTimeoutError)) throw error
        const expired = Object.values(error.state.regions).some((r) => r.problem?.code === 'session_expired')
        const pending = engine.pendingChanges
        err(sayError(error))
        throw new CliError(
          expired ? EXIT.signIn : EXIT.offline,
          `Eşitleme tamamlanamadı; ${pending} değişiklik bekliyor (kaybolmadı)`,
          `Sync did not finish; ${pending} changes pending (kept)`,
        )
      }
      // Months not open arrive as rows; what could not be fetched is a warning (the 'problem' event).
      await offline.refresh()
      const at = engine.state.lastSyncedAt
      out(say({ tr: `eşitlendi: 0 değişiklik bekliyor; son eşitleme ${at}`, en: `synced: 0 changes pending; last synced ${at}` }))
      return EXIT.ok
    }, Math.min(30_000, timeoutSeconds * 1000))
  })
}

export async function status(args: string[]): Promise<number> {
  const { values } = parse(args, { json: { type: 'boolean' } }, 0)
  return withStore(values, async (store) => {
    const acc = await account(store)
    return withEngine(store, sessionFromAccount(acc, null), acc.regions.map((r) => r.slug), async (engine) => {
      const reachable = await relayReachable(acc.relay, 3000)
      const connection = !reachable ? 'offline' : tokenValid(acc) ? 'online' : 'session_expired'
      const state = engine.state
      const report = {
        relay: relayAddress(acc.relay).http,
        user: acc.user,
        connection,
        pendingChanges: state.pendingChanges,
        lastSyncedAt: state.lastSyncedAt,
        regions: Object.values(state.regions).map((r) => ({
          region: r.region,
          writable: r.writable,
          pendingChanges: r.pendingChanges,
          lastSyncedAt: r.lastSyncedAt,
        })),
      }
      if (values.json === true) {
        out(JSON.stringify(report))
        return EXIT.ok
      }
      const words: Record<typeof connection, Bilingual> = {
        online: { tr: 'çevrimiçi', en: 'online' },
        offline: { tr: 'çevrimdışı (sunucuya ulaşılamıyor)', en: 'offline (relay unreachable)' },
        session_expired: { tr: 'sunucu açık, oturum süresi dolmuş (rainstaff login)', en: 'relay up, session expired (rainstaff login)' },
      }
      const never = say({ tr: 'hiç', en: 'never' })
      out(`${say({ tr: 'sunucu', en: 'relay' })}: ${report.relay}`)
      out(`${say({ tr: 'kullanıcı', en: 'user' })}: ${acc.user.username} (${acc.user.role}${acc.user.region ? ', ' + acc.user.region : ''})`)
      out(`${say({ tr: 'bağlantı', en: 'connection' })}: ${say(words[connection])}`)
      out(`${say({ tr: 'bekleyen değişiklik', en: 'pending changes' })}: ${report.pendingChanges}`)
      out(`${say({ tr: 'son eşitleme', en: 'last synced' })}: ${report.lastSyncedAt ?? never}`)
      const writable = say({ tr: ' (yazılabilir)', en: ' (writable)' })
      for (const r of report.regions) out(`  ${r.region}${r.writable ? writable : ''}: ${r.pendingChanges}, ${r.lastSyncedAt ?? never}`)
      return EXIT.ok
    })
  })
}
