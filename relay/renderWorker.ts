/**
 * Worker thread body of relay/renderer.ts: renders documents from the store and writes export
 * files (relay/renderJobs.ts) on its own read-only connection to the store file, so neither a
 * large month nor a five-year export stalls the clients on the main thread. It writes nothing to
 * the store: renderings go back to the main thread, which keeps them.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { renderStored, writeExport, type RenderedDocument } from './renderJobs.ts'
import { openStoreReader, type StoreReader } from './store.ts'

export type RenderRequest =
  | { readonly id: number; readonly kind: 'render'; readonly document: string }
  | { readonly id: number; readonly kind: 'export'; readonly documents: readonly string[]; readonly file: string }

export type RenderReply =
  | { readonly ready: true }
  | { readonly id: number; readonly rendered: RenderedDocument }
  /** A document an export had to render itself, sent before the export's answer. */
  | { readonly id: number; readonly renderedOnTheWay: RenderedDocument }
  | { readonly id: number; readonly exported: number }
  | { readonly id: number; readonly error: string }

const storeFile = (workerData as { storeFile?: unknown } | undefined)?.storeFile
let reader: StoreReader | undefined

function handle(request: RenderRequest): RenderReply {
  if (typeof storeFile !== 'string') throw new Error('render worker started without a store file')
  reader ??= openStoreReader(storeFile)
  const source = reader
  if (request.kind === 'render') return { id: request.id, rendered: renderStored(source, request.document) }
  const exported = writeExport(source, request.documents, request.file, (row) => {
    parentPort?.postMessage({ id: request.id, renderedOnTheWay: row } satisfies RenderReply)
  })
  return { id: request.id, exported }
}

parentPort?.on('message', (request: RenderRequest) => {
  let reply: RenderReply
  try {
    reply = handle(request)
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) }
  }
  parentPort?.postMessage(reply)
})
parentPort?.postMessage({ ready: true } satisfies RenderReply)
