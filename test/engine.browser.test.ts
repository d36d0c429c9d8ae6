/**
 * The engine core in a real browser (Debian's Chromium driven by playwright-core): it bundles for
 * the browser with no Node built-ins, signs in and syncs through a real relay process, keeps its
 * docs and pending changes in IndexedDB across a page reload, converges with a Node peer, and
 * leaves an offline copy that stock y-indexeddb reads.
 */
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, seedUsers, spawnRelay, tempDir, until, type RelayProcess } from './helpers/relayProcess.ts'
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
  served = await servePage(path.join(ROOT, 'test/helpers/peerBrowserEntry.ts'))
  // The page comes from its own server: the relay lets that origin read its login answers.
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
  pending: number
  online: boolean
  id?: string
  names?: string[]
}

/** Runs in the page: signs in, opens the engine on IndexedDB, applies `step`, reports. */
async function inPage(page: Page, relayUrl: string, step: 'edit-and-sync' | 'edit-offline' | 'reopen-offline' | 'sync'): Promise<PageResult> {
  return page.evaluate(
    async ({ relayUrl, step }) => {
      type Api = {
        signIn: (o: object) => Promise<{ session: unknown; online: boolean }>
        openIndexedDbStore: () => { close(): Promise<void> }
        openEngine: (o: object) => Promise<{
          insert(table: string, input: object): string
          whenSynced(ms?: number): Promise<void>
          flush(): Promise<void>
          close(): Promise<void>
          pendingChanges: number
          doc(region: string): { getMap(name: string): { toJSON(): Record<string, { full_name: string }> } }
        }>
      }
      const api = (globalThis as unknown as { rainstaff: Api }).rainstaff
      const store = api.openIndexedDbStore()
      const { session, online } = await api.signIn({ relay: relayUrl, username: 'ayse', password: 'ayse-password', store })
      const connect = step === 'edit-and-sync' || step === 'sync'
      const engine = await api.openEngine({ session, store, regions: ['ankara'], connect, backoff: { baseMs: 50, capMs: 400 } })
      let id: string | undefined
      if (step === 'edit-and-sync' || step === 'edit-offline') {
        id = engine.insert('employees', { full_name: step === 'edit-and-sync' ? 'Tarayıcıdan Ayşe' : 'Çevrimdışı Tarayıcı' })
      }
      if (connect) await engine.whenSynced(20_000)
      await engine.flush()
      const names = Object.values(engine.doc('ankara').getMap('employees').toJSON()).map((e) => e.full_name).sort()
      const pending = engine.pendingChanges
      await engine.close()
      await store.close()
      return { pending, online, id, names }
    },
    { relayUrl, step },
  )
}

describe('the engine in a browser', () => {
  it('syncs through the relay from Chromium and keeps pending edits in IndexedDB across reloads', async () => {
    const page = await browser.newPage()
    await page.goto(served.url)
    const first = await inPage(page, relay.url, 'edit-and-sync')
    expect(first).toMatchObject({ pending: 0, online: true })

    const ali = await startPeer(relay.url, 'ali', 'ali-password', { engine: { regions: ['ankara'] } })
    peers.push(ali)
    await ali.engine.whenSynced()
    await until(() => ali.engine.doc('ankara').getMap('employees').has(first.id!), 'ali receives the browser edit')
    ali.engine.insert('employees', { full_name: 'Node Ali' })
    await ali.engine.whenSynced()

    // An edit made without connecting, then the tab is reloaded: IndexedDB keeps both.
    const offline = await inPage(page, relay.url, 'edit-offline')
    expect(offline.pending).toBe(1)
    await page.reload()
    const reopened = await inPage(page, relay.url, 'reopen-offline')
    expect(reopened.pending).toBe(1)
    expect(reopened.names).toEqual(['Tarayıcıdan Ayşe', 'Çevrimdışı Tarayıcı'].sort())

    const synced = await inPage(page, relay.url, 'sync')
    expect(synced.pending).toBe(0)
    expect(synced.names).toEqual(['Node Ali', 'Tarayıcıdan Ayşe', 'Çevrimdışı Tarayıcı'].sort())
    await until(() => ali.engine.doc('ankara').getMap('employees').has(offline.id!), 'ali receives the offline browser edit')

    // The offline copy keeps y-indexeddb's layout: stock y-indexeddb reads the same records.
    const read = await page.evaluate(async () => {
      const api = (globalThis as unknown as { rainstaff: { readWithYIndexeddb(db: string, table: string): Promise<Record<string, { full_name: string }>> } }).rainstaff
      const dbs = (await indexedDB.databases()).map((d) => d.name ?? '')
      const ankara = dbs.find((name) => name.endsWith('/ankara/master')) ?? ''
      return { ankara, names: Object.values(await api.readWithYIndexeddb(ankara, 'employees')).map((e) => e.full_name).sort() }
    })
    expect(read.ankara).not.toBe('')
    expect(read.names).toEqual(synced.names)
    await page.close()
  })
})
