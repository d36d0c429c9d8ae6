/**
 * A chaos peer: one long-lived process per simulated office PC. It runs the CLI peer's own
 * commands (client/cli.ts, what `bin/rainstaff login|put|…|sync` dispatches to) on its state
 * directory, one at a time, as the driver asks over IPC. Starting tsx for every command would
 * cost about a second of CPU on a 2-core machine; the command code, the file store and the state
 * directory are the real ones, and the driver crashes the "PC" by killing this process (SIGKILL).
 *
 * Usage: node --import tsx scripts/chaos/peer.ts STATE_DIR
 */
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import * as Y from 'yjs'
import { runClientCommand } from '../../client/cli.ts'
import { openFileStore } from '../../client/fileStore.ts'
import type { PeerMessage, PeerReply, PeerRequest } from './protocol.ts'

const dir = process.argv[2]
if (dir === undefined) throw new Error('usage: peer.ts STATE_DIR')

/**
 * The stored docs as one hash: every document's full state (structs and deletions) and the number
 * of pending marks. Read through a file store of its own, as the next command would read them.
 */
async function fingerprint(): Promise<string> {
  const store = openFileStore(dir!)
  try {
    const account = await store.readAccount()
    const hash = createHash('sha256')
    for (const region of account?.regions ?? []) {
      for (const name of await store.listDocuments(region.slug)) {
        const stored = await (await store.openDocument(name)).load()
        // A month opened and left empty (the working months at every start) stores nothing.
        if (stored.updates.length === 0 && stored.marks.length === 0) continue
        const doc = new Y.Doc({ gc: false })
        for (const update of stored.updates) Y.applyUpdate(doc, update)
        hash.update(name).update(Y.encodeStateAsUpdate(doc)).update(String(stored.marks.length))
        doc.destroy()
      }
    }
    return hash.digest('hex')
  } finally {
    await store.close()
  }
}

type Write = typeof process.stdout.write

/**
 * Runs a command with its stdout, stderr and stdin redirected. The commands write through
 * `process.stdout.write` and read the password from `process.stdin`, as in their own process;
 * only one runs at a time here, so swapping the streams around it is exact.
 */
async function captured(command: string, args: readonly string[], stdin: string): Promise<Omit<PeerReply, 'id' | 'changed'>> {
  let stdout = ''
  let stderr = ''
  const writes = { out: process.stdout.write, err: process.stderr.write }
  const input = Object.getOwnPropertyDescriptor(process, 'stdin')!
  const sink =
    (append: (text: string) => void): Write =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined
      callback?.()
      return true
    }) as Write
  process.stdout.write = sink((t) => (stdout += t))
  process.stderr.write = sink((t) => (stderr += t))
  Object.defineProperty(process, 'stdin', { value: Readable.from([Buffer.from(stdin)]), configurable: true, enumerable: true })
  try {
    const code = await runClientCommand(command, [...args, '--state', dir!])
    return { code, stdout, stderr }
  } catch (error) {
    return { code: -1, stdout, stderr: stderr + (error instanceof Error ? (error.stack ?? error.message) : String(error)) }
  } finally {
    process.stdout.write = writes.out
    process.stderr.write = writes.err
    Object.defineProperty(process, 'stdin', input)
  }
}

async function handle(request: PeerRequest): Promise<PeerReply> {
  try {
    const before = request.guard ? await fingerprint() : ''
    const result = await captured(request.command, request.args, request.stdin ?? '')
    const changed = request.guard ? (await fingerprint()) !== before : false
    return { id: request.id, ...result, changed }
  } catch (error) {
    // Only the fingerprint gets here; the driver reports it like an unexpected CLI failure.
    return { id: request.id, code: -1, stdout: '', stderr: error instanceof Error ? (error.stack ?? error.message) : String(error), changed: false }
  }
}

const send = (message: PeerMessage): void => void process.send!(message)
let queue: Promise<void> = Promise.resolve()
process.on('message', (request: PeerRequest) => {
  queue = queue.then(async () => send({ kind: 'reply', ...(await handle(request)) }))
})
// The driver went away (it crashed or was stopped): nothing would read our replies.
process.on('disconnect', () => process.exit(0))
send({ kind: 'ready' })
