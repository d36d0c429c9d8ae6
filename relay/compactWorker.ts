/**
 * Worker thread body of relay/compactor.ts. Off the main thread it (1) merges a region's
 * snapshot and logged updates, so a large doc's compaction never stalls connected clients,
 * (2) checkpoints the write-ahead log, so the fsync of the database file never lands inside a
 * commit that clients are waiting on, and (3) fsyncs the write-ahead log after commits, so the
 * relay fans updates out while the disk catches up.
 */
import { parentPort } from 'node:worker_threads'
import * as Y from 'yjs'
import { fdatasyncFile, walCheckpointer } from './store.ts'

export type WorkerRequest =
  | { readonly id: number; readonly kind: 'merge'; readonly parts: Uint8Array[] }
  | { readonly id: number; readonly kind: 'checkpoint'; readonly file: string }
  | { readonly id: number; readonly kind: 'sync'; readonly file: string }

export type WorkerReply =
  | { readonly ready: true }
  | { readonly id: number; readonly merged: Uint8Array }
  | { readonly id: number; readonly done: true }
  | { readonly id: number; readonly error: string }

let checkpointer: ReturnType<typeof walCheckpointer> | undefined

function handle(request: WorkerRequest): WorkerReply {
  if (request.kind === 'merge') {
    // mergeUpdates never garbage-collects: deleted content (the conflict history) survives.
    return { id: request.id, merged: Y.mergeUpdates(request.parts) }
  }
  if (request.kind === 'sync') {
    fdatasyncFile(request.file)
    return { id: request.id, done: true }
  }
  checkpointer ??= walCheckpointer(request.file)
  checkpointer.checkpoint()
  return { id: request.id, done: true }
}

parentPort?.on('message', (request: WorkerRequest) => {
  let reply: WorkerReply
  try {
    reply = handle(request)
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) }
  }
  parentPort?.postMessage(reply)
})
parentPort?.postMessage({ ready: true } satisfies WorkerReply)
