/**
 * Starts a worker thread whose body is a TypeScript module of the relay. A worker does not
 * inherit tsx's loader hooks, so it registers them before importing its body.
 */
import { Worker } from 'node:worker_threads'

export function startTsWorker(body: URL, workerData?: unknown): Worker {
  const tsxApi = import.meta.resolve('tsx/esm/api')
  const code = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(body.href)}) })`
  return new Worker(code, { eval: true, workerData })
}
