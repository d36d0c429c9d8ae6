/**
 * Renders documents and writes exports on the render worker thread (relay/renderWorker.ts), one
 * job at a time in the order asked. Where the worker cannot run (a test runner's loader) or has
 * died, the same jobs (relay/renderJobs.ts) run on the main thread, yielding between documents.
 */
import type { Worker } from 'node:worker_threads'
import { createExportFile } from './exportFile.ts'
import { exportDocument, renderStored, type RenderedDocument } from './renderJobs.ts'
import type { RenderReply, RenderRequest } from './renderWorker.ts'
import type { Store } from './store.ts'
import { startTsWorker } from './tsWorker.ts'

export interface Renderer {
  /** Document `name` as stored now, rendered. */
  render(name: string): Promise<RenderedDocument>
  /**
   * Writes the records of `documents`, in order, to the new SQLite file `file` from their stored
   * renderings; `rendered` receives any document that had to be rendered on the way.
   */
  exportFile(documents: readonly string[], file: string, rendered: (row: RenderedDocument) => void): Promise<number>
  close(): Promise<void>
}

type Waiter = { resolve: (reply: RenderReply) => void; reject: (error: Error) => void; onTheWay?: (row: RenderedDocument) => void }

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

export function createRenderer(store: Store, log: (line: string) => void): Renderer {
  let worker: Worker | undefined
  let nextId = 1
  const waiting = new Map<number, Waiter>()
  let markReady: (ok: boolean) => void = () => {}
  const ready = new Promise<boolean>((resolve) => (markReady = resolve))

  const lost = (error: Error): void => {
    worker = undefined
    markReady(false)
    for (const w of waiting.values()) w.reject(error)
    waiting.clear()
  }
  try {
    worker = startTsWorker(new URL('./renderWorker.ts', import.meta.url), { storeFile: store.file })
    worker.on('message', (reply: RenderReply) => {
      if ('ready' in reply) {
        if (waiting.size === 0) worker?.unref()
        return markReady(true)
      }
      const w = waiting.get(reply.id)
      if (!w) return
      if ('renderedOnTheWay' in reply) return w.onTheWay?.(reply.renderedOnTheWay)
      waiting.delete(reply.id)
      if (waiting.size === 0) worker?.unref()
      if ('error' in reply) w.reject(new Error(reply.error))
      else w.resolve(reply)
    })
    const stopped = (why: string): void => {
      if (worker === undefined) return
      log(`relay: görünüm iş parçacığı durdu, görünümler ana iş parçacığında çıkarılıyor / the render worker stopped, documents are rendered on the main thread: ${why}`)
      lost(new Error(`render worker stopped: ${why}`))
    }
    worker.on('error', (error) => stopped(error.message))
    worker.on('exit', (code) => stopped(`exit code ${code}`))
  } catch {
    worker = undefined
    markReady(false)
  }

  /** The worker's answer, or undefined when no worker runs (the caller does the job itself). */
  const ask = async (request: RenderRequest, onTheWay?: (row: RenderedDocument) => void): Promise<RenderReply | undefined> => {
    if (!(await ready)) return undefined
    const w = worker
    if (!w) return undefined
    return new Promise((resolve, reject) => {
      waiting.set(request.id, { resolve, reject, ...(onTheWay ? { onTheWay } : {}) })
      // A shutdown may wait on a render with nothing else left to keep the process up.
      if (waiting.size === 1) w.ref()
      w.postMessage(request)
    })
  }

  return {
    async render(name) {
      const reply = await ask({ id: nextId++, kind: 'render', document: name })
      if (reply !== undefined && 'rendered' in reply) return reply.rendered
      await nextTurn()
      return renderStored(store, name)
    },
    async exportFile(documents, file, rendered) {
      const reply = await ask({ id: nextId++, kind: 'export', documents, file }, rendered)
      if (reply !== undefined && 'exported' in reply) return reply.exported
      const out = createExportFile(file)
      try {
        let records = 0
        for (const name of documents) {
          await nextTurn()
          records += exportDocument(store, out, name, rendered)
        }
        return records
      } finally {
        out.close()
      }
    },
    async close() {
      const w = worker
      lost(new Error('renderer closed'))
      // Unref'd, a terminating worker would not keep the process up until it has exited.
      w?.ref()
      if (w) await w.terminate()
    },
  }
}
