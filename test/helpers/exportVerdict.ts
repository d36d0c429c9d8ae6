/**
 * The chaos ledger's end check on a relay (scripts/chaos/ledger.ts): the relay's export of every
 * region and month, fetched as the admin, written to `dir` and verified against `ledger`.
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { expect } from 'vitest'
import type { Ledger, Verdict } from '../../scripts/chaos/ledger.ts'
import { ADMIN_PASSWORD, tokenFor } from './relayProcess.ts'

export async function exportVerdict(relay: { url: string }, ledger: Ledger, dir: string): Promise<Verdict> {
  const token = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
  const response = await fetch(`${relay.url}/api/export/all.sqlite`, { headers: { authorization: `Bearer ${token}` } })
  expect(response.status).toBe(200)
  const file = path.join(dir, `export-${Date.now()}.sqlite`)
  writeFileSync(file, new Uint8Array(await response.arrayBuffer()))
  const db = new Database(file, { readonly: true })
  try {
    return ledger.verify(db)
  } finally {
    db.close()
  }
}
