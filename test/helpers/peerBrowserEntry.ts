/**
 * Browser entry for the engine test: bundled by esbuild for `platform: 'browser'` (which fails on
 * any Node built-in), it hands the page the engine core and the IndexedDB store.
 */
import { openEngine } from '../../client/engine.ts'
import { openIndexedDbStore } from '../../client/indexedDbStore.ts'
import { signIn } from '../../client/signIn.ts'

;(globalThis as Record<string, unknown>).rainstaff = { openEngine, openIndexedDbStore, signIn }
