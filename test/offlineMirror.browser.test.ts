/**
 * The device's mirror in Chromium (client/offlineMirror.ts over client/indexedDbStore.ts): the
 * history fetched after a sync is saved in IndexedDB and, after a reload, answers a query before
 * any document loads; a garbage saved mirror is only a cold cache.
 */
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, seedUsers, spawnRelay, tempDir, type RelayProcess } from './helpers/relayProcess.ts'
import { servePage, type ServedPage } from './helpers/browserPage.ts'
import { removeDir, startPeer, type TestPeer } from './helpers/peerEngine.ts'
import { launchChromium } from './helpers/uiBrowser.ts'

const data = tempDir()
let relay: RelayProcess
let served: ServedPage
let browser: Browser
const peers: TestPeer[] = []

beforeAll(async () => {
  await seedUsers(data.dir, [
    { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
    { username: 'ali', role: 'editor', region: 'ankara', password: 'ali-password' },
  ])
  served = await servePage(
    {
      contents: `
        import { openEngine } from './client/engine.ts'
        import { openIndexedDbStore } from './client/indexedDbStore.ts'
        import { openOfflineMirror } from './client/offlineMirror.ts'
        import { signIn } from './client/signIn.ts'
        globalThis.rainstaff = { openEngine, openIndexedDbStore, openOfflineMirror, signIn }
      `,
      resolveDir: ROOT,
      loader: 'ts',
    },
    Object.fromEntries(['sql-wasm.wasm', 'sql-wasm-browser.wasm'].map((name) => [name, path.join(ROOT, 'node_modules/sql.js/dist', name)])),
  )
  relay = await spawnRelay(data.dir, ['--cors-origin', new URL(served.url).origin])
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  for (const p of peers) await p.close().catch(() => {})
  for (const p of peers) removeDir(p.dir)
  await served?.close()
  await relay?.stop('SIGKILL')
  data.remove()
})

interface PageResult {
  restored: boolean
  held: boolean
  oldRows: number
  employees: number
  databases: string[]
}

/**
 * Runs in the page. `sync`: signs in, follows an engine, fetches the history and closes (saving
 * the mirror). `cold`: opens the saved mirror alone, no engine. `garbage`: saves garbage first.
 */
async function inPage(page: Page, relayUrl: string, step: 'sync' | 'cold' | 'garbage'): Promise<PageResult> {
  return page.evaluate(
    async ({ relayUrl, step }) => {
      type Mirror = { restored: boolean; query(sql: string): Array<Record<string, unknown>> }
      type Offline = { mirror: Mirror; follow(engine: unknown): void; refresh(): Promise<unknown>; holds(name: string): boolean; close(): Promise<void> }
      type Api = {
        signIn: (o: object) => Promise<{ session: unknown }>
        openIndexedDbStore: () => { close(): Promise<void>; writeMirror(bytes: Uint8Array): Promise<void> }
        openEngine: (o: object) => Promise<{ whenSynced(ms?: number): Promise<void>; close(): Promise<void> }>
        openOfflineMirror: (o: object) => Promise<Offline>
      }
      const api = (globalThis as unknown as { rainstaff: Api }).rainstaff
      const store = api.openIndexedDbStore()
      const { session } = await api.signIn({ relay: relayUrl, username: 'ali', password: 'ali-password', store })
      if (step === 'garbage') await store.writeMirror(new TextEncoder().encode('not a mirror'))
      const offline = await api.openOfflineMirror({ store, session, locateFile: (f: string) => `/${f}` })
      const restored = offline.mirror.restored
      if (step === 'sync') {
        const engine = await api.openEngine({ session, store, regions: ['ankara'], backoff: { baseMs: 50, capMs: 400 } })
        offline.follow(engine)
        await engine.whenSynced(20_000)
        await offline.refresh()
        await engine.close()
      }
      const count = (sql: string): number => Number(offline.mirror.query(sql)[0]?.n ?? -1)
      const result = {
        restored,
        held: offline.holds('ankara/2023-05'),
        oldRows: count(`SELECT count(*) AS n FROM timesheets WHERE work_date LIKE '2023-05-%'`),
        employees: count('SELECT count(*) AS n FROM employees'),
      }
      await offline.close()
      await store.close()
      return { ...result, databases: (await indexedDB.databases()).map((d) => d.name ?? '') }
    },
    { relayUrl, step },
  )
}

describe('the offline mirror in a browser', () => {
  it('keeps the fetched history in IndexedDB and answers from it after a reload, before any document loads', async () => {
    const ayse = await startPeer(relay.url, 'ayse', 'ayse-password', { engine: { regions: ['ankara'] } })
    peers.push(ayse)
    const employee = ayse.engine.insert('employees', { full_name: 'Ayşe Yılmaz' })
    for (const day of ['2023-05-02', '2023-05-03', '2023-05-04']) {
      ayse.engine.insert('timesheets', { employee_id: employee, work_date: day, start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0 })
    }
    await ayse.engine.whenSynced()

    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(served.url)
    const first = await inPage(page, relay.url, 'sync')
    expect(first).toMatchObject({ restored: false, held: true, oldRows: 3, employees: 1 })
    expect(first.databases.some((name) => name.endsWith('/.mirror'))).toBe(true)

    await page.reload()
    const cold = await inPage(page, relay.url, 'cold')
    expect(cold).toMatchObject({ restored: true, held: true, oldRows: 3, employees: 1 })

    // A garbage saved mirror: a cold start, nothing held, nothing thrown.
    await page.reload()
    const garbage = await inPage(page, relay.url, 'garbage')
    expect(garbage).toMatchObject({ restored: false, held: false, oldRows: 0, employees: 0 })
    expect(errors).toEqual([])
    await page.close()
  })
})
