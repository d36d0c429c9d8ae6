/**
 * The driver's handle on one peer process (scripts/chaos/peer.ts): start it, send it CLI
 * commands, crash it with SIGKILL and start it again on the same state directory.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import type { PeerMessage, PeerReply, PeerRequest } from './protocol.ts'

const PEER_ENTRY = path.join(import.meta.dirname, 'peer.ts')

/**
 * What a request came back with: the reply; `killed` when the process died while it ran (it may
 * or may not have done its work); `down` when no process was running, so nothing ran; `timeout`.
 */
export type Outcome = PeerReply | 'killed' | 'down' | 'timeout'

interface Generation {
  readonly child: ChildProcess
  readonly ready: Promise<boolean>
  readonly exited: Promise<void>
  /** Set before we kill or stop it, so only other deaths count as unexpected. */
  expected: boolean
}

export class PeerProcess {
  private current: Generation | undefined
  private nextId = 1
  private readonly waiting = new Map<number, (outcome: Outcome) => void>()
  private onSend: Array<{ matches: (command: string) => boolean; resolve: () => void }> = []
  /** What the process wrote to stderr outside commands (crash traces), last 4000 characters. */
  private stderrTail = ''
  /** Deaths that were not ours, with their exit code or signal and stderr. */
  readonly unexpectedExits: string[] = []

  constructor(
    readonly name: string,
    readonly dir: string,
    private readonly cwd: string,
  ) {}

  get running(): boolean {
    return this.current !== undefined
  }

  /** Resolves when the next command that `matches` is sent to the process. */
  nextCommand(matches: (command: string) => boolean): Promise<void> {
    return new Promise((resolve) => this.onSend.push({ matches, resolve }))
  }

  /** Starts the process; resolves once it has loaded the CLI. */
  async start(): Promise<void> {
    if (this.current !== undefined) throw new Error(`${this.name} is already running`)
    const child = spawn(process.execPath, ['--import', 'tsx', PEER_ENTRY, this.dir], {
      cwd: this.cwd,
      // The C locale, whatever the caller's: the CLI answers in English, which the bad inputs expect.
      env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: '', LC_MESSAGES: '' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    })
    child.stderr!.on('data', (d: Buffer) => (this.stderrTail = (this.stderrTail + d.toString()).slice(-4000)))
    // A send racing the child's death reports here; the exit handler settles the request.
    child.on('error', () => {})
    let resolveReady: (ok: boolean) => void = () => {}
    const ready = new Promise<boolean>((resolve) => (resolveReady = resolve))
    const exited = new Promise<void>((resolve) =>
      child.on('exit', (code, signal) => {
        if (!generation.expected) this.unexpectedExits.push(`${this.name} exited (${code ?? signal}): ${this.stderrTail}`)
        if (this.current === generation) this.current = undefined
        for (const [id, settle] of this.waiting) {
          this.waiting.delete(id)
          settle('killed')
        }
        resolveReady(false)
        resolve()
      }),
    )
    child.on('message', (message: PeerMessage) => {
      if (message.kind === 'ready') return resolveReady(true)
      const settle = this.waiting.get(message.id)
      this.waiting.delete(message.id)
      settle?.(message)
    })
    const generation: Generation = { child, ready, exited, expected: false }
    this.current = generation
    if (!(await ready)) throw new Error(`${this.name} exited before it was ready: ${this.stderrTail}`)
  }

  /** Crashes the process (SIGKILL); resolves once it is gone. */
  async kill(): Promise<void> {
    const generation = this.current
    if (generation === undefined) return
    generation.expected = true
    generation.child.kill('SIGKILL')
    // A dead child stays a zombie, its pid "alive" for the state directory's lock, until Node
    // reaps it, which is when `exit` fires.
    await generation.exited
  }

  /** Ends the process without a crash: it exits when its IPC channel closes. */
  async stop(): Promise<void> {
    const generation = this.current
    if (generation === undefined) return
    generation.expected = true
    generation.child.disconnect()
    await generation.exited
  }

  /** Runs a CLI command in the process. */
  async request(body: Omit<PeerRequest, 'id'>, timeoutMs: number): Promise<Outcome> {
    const generation = this.current
    if (generation === undefined || !(await generation.ready) || !generation.child.connected) return 'down'
    const id = this.nextId++
    return new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id)
        resolve('timeout')
      }, timeoutMs)
      this.waiting.set(id, (outcome) => {
        clearTimeout(timer)
        resolve(outcome)
      })
      generation.child.send({ ...body, id } satisfies PeerRequest)
      const notified = this.onSend.filter((listener) => listener.matches(body.command))
      this.onSend = this.onSend.filter((listener) => !notified.includes(listener))
      for (const listener of notified) listener.resolve()
    })
  }
}

export type { PeerReply }
