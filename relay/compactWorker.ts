/**
 * Worker thread body of relay/compactor.ts: merges a region's snapshot and logged updates into one
 * update off the main thread, so a large doc's compaction never stalls connected clients.
 */
import { parentPort } from 'node:worker_threads'
import * as Y from 'yjs'

export interface MergeRequest {
  readonly id: number
  readonly parts: Uint8Array[]
}

export type MergeReply = { readonly id: number; readonly merged: Uint8Array } | { readonly id: number; readonly error: string }

parentPort?.on('message', (request: MergeRequest) => {
  let reply: MergeReply
  try {
    // mergeUpdates never garbage-collects: deleted content (the conflict history) survives.
    reply = { id: request.id, merged: Y.mergeUpdates(request.parts) }
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) }
  }
  parentPort?.postMessage(reply)
})
