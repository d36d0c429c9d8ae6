/**
 * Imported record ids are content hashes that other PCs and earlier imports already hold: a
 * different id for the same legacy row would create a second record on the next import. The
 * digests in import.ids.expected.json were recorded with the hand-written SHA-256 that came
 * before @noble/hashes; whichever implementation computes them, every fixture must give them.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { importLegacy, inMemory } from '../crdt/legacy/index.ts'
import { recordIds } from '../crdt/records.ts'
import { DEFAULT_REGIONS } from '../schema/regions.ts'
import { TABLE_NAMES } from '../schema/tables.ts'

const FIXTURES = path.resolve(import.meta.dirname, 'fixtures/legacy')

/** Per table: how many ids the fixture's import creates, and SHA-256 of them sorted, one a line. */
type IdDigests = Record<string, { readonly count: number; readonly sha256: string }>

const expected = JSON.parse(readFileSync(path.join(import.meta.dirname, 'import.ids.expected.json'), 'utf8')) as Record<string, IdDigests>

async function idDigests(file: string): Promise<IdDigests> {
  const target = inMemory(DEFAULT_REGIONS.map((r) => r.slug))
  // v0 files predate regions; the others name their PC's region themselves.
  const fileRegion = file.includes('-v0-') ? { fileRegion: 'ankara' } : {}
  await importLegacy(new Uint8Array(readFileSync(path.join(FIXTURES, file))), { ...target, user: 'tester', ...fileRegion })
  const digests: IdDigests = {}
  for (const table of TABLE_NAMES) {
    // A region's records across its master and month documents.
    const ids = [...target.documents]
      .flatMap(([region, docs]) => docs.all().flatMap(([, doc]) => [...recordIds(doc, table)].map((id) => `${region}/${id}`)))
      .sort()
    if (ids.length > 0) digests[table] = { count: ids.length, sha256: createHash('sha256').update(ids.join('\n')).digest('hex') }
  }
  return digests
}

describe('imported record ids', () => {
  it('cover every fixture', () => {
    const fixtures = readdirSync(FIXTURES).filter((name) => name.endsWith('.db'))
    expect(Object.keys(expected).sort()).toEqual(fixtures.sort())
  })

  for (const file of Object.keys(expected)) {
    it(`of ${file} are the ones recorded before the hash changed`, async () => {
      expect(await idDigests(file)).toEqual(expected[file])
    })
  }
})
