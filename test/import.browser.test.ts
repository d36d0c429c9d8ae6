/**
 * The import core in a real browser (Chromium via playwright-core), as the app's import dialog
 * runs it: bundled for the browser with no Node built-ins, reading the file's bytes with sql.js,
 * and deriving exactly the record ids Node derives, so a file imported in the app and again on
 * the relay is one set of records.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importLegacy, inMemory } from '../crdt/legacy/index.ts'
import { DEFAULT_REGIONS } from '../schema/regions.ts'
import { servePage, type ServedPage } from './helpers/browserPage.ts'
import { ROOT } from './helpers/relayProcess.ts'
import { launchChromium } from './helpers/uiBrowser.ts'

const FIXTURES = path.join(ROOT, 'test/fixtures/legacy')
const SQL_DIST = path.join(ROOT, 'node_modules/sql.js/dist')
const SERVED = ['legacy-v1-istanbul.db', 'legacy-dirty.db', 'sql-wasm-browser.wasm', 'sql-wasm.wasm']

let served: ServedPage
let browser: Browser

type Outcome = [table: string, legacyId: number | string, region: string, recordId: string | null, outcome: string, codes: string]

beforeAll(async () => {
  const files = Object.fromEntries(
    SERVED.map((name) => [name, name.endsWith('.db') ? path.join(FIXTURES, name) : path.join(SQL_DIST, name)]),
  )
  served = await servePage(
    {
      contents: `
        import { importLegacy, inMemory } from './crdt/legacy/index.ts'
        globalThis.legacyImport = { importLegacy, inMemory }
      `,
      resolveDir: ROOT,
      loader: 'ts',
    },
    files,
  )
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await served?.close()
})

async function inNode(name: string): Promise<Outcome[]> {
  const report = await importLegacy(new Uint8Array(readFileSync(path.join(FIXTURES, name))), { ...inMemory(DEFAULT_REGIONS.map((r) => r.slug)), user: 'tester' })
  return report.rows.map((r) => [r.table, r.legacyId, r.region, r.recordId, r.outcome, r.reasons.map((x) => x.code).join(',')])
}

describe('the import core in a browser', () => {
  it('reads the file bytes with sql.js in Chromium and derives the same records as Node', async () => {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(served.url)
    for (const name of ['legacy-v1-istanbul.db', 'legacy-dirty.db']) {
      const result = await page.evaluate(async (file) => {
        type Api = {
          inMemory(regions: string[]): object
          importLegacy(
            bytes: Uint8Array,
            options: object,
          ): Promise<{ rows: Array<{ table: string; legacyId: number | string; region: string; recordId: string | null; outcome: string; reasons: Array<{ code: string }> }> }>
        }
        const api = (globalThis as unknown as { legacyImport: Api }).legacyImport
        const bytes = new Uint8Array(await (await fetch(`/${file}`)).arrayBuffer())
        const progress: string[] = []
        const report = await api.importLegacy(bytes, {
          ...api.inMemory(['ankara', 'istanbul', 'bursa', 'izmir']),
          user: 'tester',
          locateFile: (f: string) => `/${f}`,
          onProgress: (p: { phase: string }) => progress.push(p.phase),
          betweenChunks: () => new Promise((resolve) => requestAnimationFrame(() => resolve(undefined))),
        })
        return {
          rows: report.rows.map((r) => [r.table, r.legacyId, r.region, r.recordId, r.outcome, r.reasons.map((x) => x.code).join(',')]),
          phases: [...new Set(progress)],
        }
      }, name)
      expect(errors).toEqual([])
      expect(result.phases).toEqual(['plan', 'write'])
      expect(result.rows, name).toEqual(await inNode(name))
    }
    await page.close()
  })
})
