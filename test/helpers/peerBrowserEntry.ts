/**
 * Browser entry for the engine test: bundled by esbuild for `platform: 'browser'` (which fails on
 * any Node built-in), it hands the page the engine core and the IndexedDB store.
 */
import { openEngine } from '../../client/engine.ts'
import { openIndexedDbStore } from '../../client/indexedDbStore.ts'
import { signIn } from '../../client/signIn.ts'
import { IndexeddbPersistence } from 'y-indexeddb'
import * as Y from 'yjs'

/** Reads a region's offline copy with stock y-indexeddb, as a recovery tool would. */
async function readWithYIndexeddb(database: string, table: string): Promise<unknown> {
  const doc = new Y.Doc({ gc: false })
  const persistence = new IndexeddbPersistence(database, doc)
  await persistence.whenSynced
  const records = doc.getMap(table).toJSON()
  await persistence.destroy()
  doc.destroy()
  return records
}

;(globalThis as Record<string, unknown>).rainstaff = { openEngine, openIndexedDbStore, signIn, readWithYIndexeddb }
