/**
 * Merges updates for compaction in a worker thread. The worker is started on first use and
 * stopped by `close()`. Where a worker cannot run the TypeScript body (an unusual loader, e.g.
 * inside a test runner), merging falls back to the main thread after yielding once.
 */
import { Worker } from 'node:worker_threads'
import * as Y from 'yjs'
import type { MergeReply, MergeRequest } from './compactWorker.ts'

export interface Compactor {
  merge(parts: Uint8Array[]): Promise<Uint8Array>
  close(): Promise<void>
}

function startWorker(): Worker {
  // A worker does not inherit tsx's loader hooks, so it registers them before importing its body.
  const tsxApi = import.meta.resolve('tsx/esm/api')
  const body = new URL('./compactWorker.ts', import.meta.url).href
  const code = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(body)}) })`
  return new Worker(code, { eval: true })
}

export function createCompactor(): Compactor {
  let worker: Worker | undefined
  let broken = false
  let nextId = 1
  const waiting = new Map<number, { resolve: (merged: Uint8Array) => void; reject: (error: Error) => void }>()

  const failAll = (error: Error): void => {
    for (const w of waiting.values()) w.reject(error)
    waiting.clear()
  }

  const ensureWorker = (): Worker | undefined => {
    if (worker || broken) return worker
    try {
      worker = startWorker()
    } catch {
      broken = true
      return undefined
    }
    worker.on('message', (reply: MergeReply) => {
      const w = waiting.get(reply.id)
      if (!w) return
      waiting.delete(reply.id)
      if ('merged' in reply) w.resolve(reply.merged)
      else w.reject(new Error(reply.error))
    })
    worker.on('error', (error) => {
      broken = true
      worker = undefined
      failAll(error)
    })
    // An idle compactor must not keep the process alive.
    worker.unref()
    return worker
  }

  return {
    merge(parts) {
      const w = ensureWorker()
      if (!w) {
        return new Promise((resolve, reject) =>
          setImmediate(() => {
            try {
              resolve(Y.mergeUpdates(parts))
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)))
            }
          }),
        )
      }
      const id = nextId++
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject })
        const request: MergeRequest = { id, parts }
        w.postMessage(request)
      })
    },
    async close() {
      failAll(new Error('compactor closed'))
      const w = worker
      worker = undefined
      broken = true
      if (w) await w.terminate()
    },
  }
}
