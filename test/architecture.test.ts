/**
 * The folders are layers (README, Architecture): a module may import its own folder and the
 * layers below it, never one above. Checked over every relative import, static or dynamic, so
 * a shortcut such as the import core reaching into client/ fails here rather than in review.
 * Likewise Yjs internals have one door, so a Yjs upgrade is checked in one place.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '..')

/** Each layer and the folders its modules may import. */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  schema: ['schema'],
  crdt: ['schema', 'crdt'],
  relay: ['schema', 'crdt', 'relay'],
  client: ['schema', 'crdt', 'client'],
  legacy: ['schema', 'crdt', 'relay', 'client', 'legacy'],
}

function modules(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(dir, file))
}

/** Top-level folders that `file`'s relative imports land in. */
function importedLayers(file: string): string[] {
  const source = readFileSync(path.join(ROOT, file), 'utf8')
  const specifiers = [...source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1])
  return specifiers.map((spec) => path.relative(ROOT, path.resolve(ROOT, path.dirname(file), spec)).split(path.sep)[0])
}

describe('layers', () => {
  for (const [layer, allowed] of Object.entries(MAY_IMPORT)) {
    it(`${layer}/ imports only ${allowed.join(', ')}`, () => {
      const wrong = modules(layer).flatMap((file) => importedLayers(file).filter((to) => !allowed.includes(to)).map((to) => `${file} → ${to}/`))
      expect(wrong).toEqual([])
    })
  }

  it('Yjs internals are read only behind crdt/yjsInternals.ts', () => {
    // Item neighbours are checked in crdt/ only: elsewhere `.left` is as likely a DOM rectangle.
    const internals = /\b_map\b|\._start\b|\._item\b|\.store\.clients\b|\bfindIndexSS\b/
    const neighbours = /\.(left|right)\b/
    const readers = Object.keys(MAY_IMPORT)
      .flatMap(modules)
      .filter((file) => file !== path.join('crdt', 'yjsInternals.ts'))
      .filter((file) => {
        const source = readFileSync(path.join(ROOT, file), 'utf8')
        return internals.test(source) || (file.startsWith('crdt') && neighbours.test(source))
      })
    expect(readers).toEqual([])
  })

  it('legacy/ is an application: only bin/ and tests import it', () => {
    const importers = ['scripts', 'bench'].flatMap(modules).filter((file) => importedLayers(file).includes('legacy'))
    expect(importers).toEqual([])
  })
})
