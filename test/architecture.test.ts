/**
 * The folders are layers (README, Architecture): a module may import its own folder and the
 * layers below it, never one above. Checked over every relative import, static or dynamic, so
 * a shortcut such as the import core reaching into client/ fails here rather than in review.
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

  it('legacy/ is an application: only bin/ and tests import it', () => {
    const importers = ['scripts', 'bench'].flatMap(modules).filter((file) => importedLayers(file).includes('legacy'))
    expect(importers).toEqual([])
  })
})
