/**
 * The relay's background worker thread (relay/compactWorker.ts): merges updates for compaction,
 * checkpoints the WAL and fsyncs it after commits. Where a worker cannot run the TypeScript body
 * (an unusual loader, e.g. inside a test runner), `ready` resolves false, merging falls back to
 * the main thread after yielding once, and SQLite keeps checkpointing and fsyncing by itself.
 */
import type { Worker } from 'node:worker_threads'
import * as Y from 'yjs'
import type { WorkerReply, WorkerRequest } from './compactWorker.ts'
import { startTsWorker } from './tsWorker.ts'

export interface Compactor {
  /** Whether the worker thread is running (then checkpoints may be moved to it). */
  readonly ready: Promise<boolean>
  merge(parts: Uint8Array[]): Promise<Uint8Array>
  /** Runs a passive WAL checkpoint of `file` on the worker thread. */
  checkpoint(file: string): Promise<void>
  /** Fsyncs `file` (the store's WAL) on the worker thread. */
  syncFile(file: string): Promise<void>
  close(): Promise<void>
}

type Waiter = { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void }

export function createCompactor(): Compactor {
  let worker: Worker | undefined
  let nextId = 1
  const waiting = new Map<number, Waiter>()
  let markReady: (ok: boolean) => void = () => {}
  const ready = new Promise<boolean>((resolve) => (markReady = resolve))

  const failAll = (error: Error): void => {
    for (const w of waiting.values()) w.reject(error)
    waiting.clear()
  }
  try {
    worker = startTsWorker(new URL('./compactWorker.ts', import.meta.url))
    worker.on('message', (reply: WorkerReply) => {
      if ('ready' in reply) {
        // Idle from here on: it no longer keeps the process alive unless a request is in flight.
        if (waiting.size === 0) worker?.unref()
        return markReady(true)
      }
      const w = waiting.get(reply.id)
      if (!w) return
      waiting.delete(reply.id)
      if (waiting.size === 0) worker?.unref()
      if ('error' in reply) w.reject(new Error(reply.error))
      else w.resolve(reply)
    })
    worker.on('error', (error) => {
      worker = undefined
      markReady(false)
      failAll(error)
    })
    // A starting worker keeps the process alive: a compaction or a shutdown may be waiting for
    // `ready` with nothing else left to keep the event loop up. Idle once ready, it does not (ask refs it).
  } catch {
    worker = undefined
    markReady(false)
  }

  const ask = (request: WorkerRequest): Promise<WorkerReply> => {
    const w = worker
    if (!w) return Promise.reject(new Error('no worker thread'))
    return new Promise((resolve, reject) => {
      waiting.set(request.id, { resolve, reject })
      // A shutdown waits for a compaction in flight; nothing else may be left to keep the process up.
      if (waiting.size === 1) w.ref()
      w.postMessage(request)
    })
  }

  return {
    ready,
    async merge(parts) {
      if ((await ready) && worker) {
        const reply = await ask({ id: nextId++, kind: 'merge', parts })
        if ('merged' in reply) return reply.merged
      }
      await new Promise((r) => setImmediate(r))
      return Y.mergeUpdates(parts)
    },
    async checkpoint(file) {
      await ask({ id: nextId++, kind: 'checkpoint', file })
    },
    async syncFile(file) {
      await ask({ id: nextId++, kind: 'sync', file })
    },
    async close() {
      failAll(new Error('compactor closed'))
      markReady(false)
      const w = worker
      worker = undefined
      // An unref'd worker does not keep the process up until it has exited: a shutdown awaiting
      // terminate() could find the event loop empty and exit half-way (code 13).
      w?.ref()
      if (w) await w.terminate()
    },
  }
}
