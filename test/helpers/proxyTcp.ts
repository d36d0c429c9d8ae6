/**
 * A TCP proxy on 127.0.0.1 between a peer and the relay, for network faults: `drop` cuts every
 * connection and refuses new ones, `stall` black-holes traffic (sockets stay open, nothing
 * moves), `delay` holds every chunk for a while (order kept), `pass` heals. Traffic only ever
 * goes to the loopback target given.
 */
import net from 'node:net'

export type ProxyMode = 'pass' | 'drop' | 'stall' | 'delay'

export interface TcpProxy {
  readonly port: number
  /** `http://127.0.0.1:<port>`, the address a peer is given instead of the relay's. */
  readonly url: string
  /** Connections accepted so far (including ones dropped at once). */
  accepted(): number
  setMode(mode: ProxyMode, delayMs?: number): void
  close(): Promise<void>
}

interface Chunk {
  readonly data: Buffer
  readonly releaseAt: number
}

interface Pair {
  readonly client: net.Socket
  readonly upstream: net.Socket
  pump(): void
}

export async function startProxy(targetPort: number): Promise<TcpProxy> {
  let mode: ProxyMode = 'pass'
  let delayMs = 0
  let accepted = 0
  const pairs = new Set<Pair>()

  const destroy = (pair: Pair): void => {
    pair.client.destroy()
    pair.upstream.destroy()
    pairs.delete(pair)
  }

  const server = net.createServer((client) => {
    accepted++
    if (mode === 'drop') {
      client.destroy()
      return
    }
    const upstream = net.connect(targetPort, '127.0.0.1')
    const lanes: Array<{ queue: Chunk[]; to: net.Socket; timer: NodeJS.Timeout | null }> = []
    const lane = (from: net.Socket, to: net.Socket): (typeof lanes)[number] => {
      const l = { queue: [] as Chunk[], to, timer: null as NodeJS.Timeout | null }
      from.on('data', (data: Buffer) => {
        l.queue.push({ data, releaseAt: Date.now() + (mode === 'delay' ? delayMs : 0) })
        pair.pump()
      })
      lanes.push(l)
      return l
    }
    const pair: Pair = {
      client,
      upstream,
      pump() {
        for (const l of lanes) {
          if (l.timer !== null) clearTimeout(l.timer)
          l.timer = null
          if (mode === 'stall') continue
          const now = Date.now()
          while (l.queue.length > 0 && l.queue[0].releaseAt <= now) l.to.write(l.queue.shift()!.data)
          if (l.queue.length > 0) l.timer = setTimeout(() => pair.pump(), l.queue[0].releaseAt - now)
        }
      },
    }
    lane(client, upstream)
    lane(upstream, client)
    pairs.add(pair)
    const end = (): void => destroy(pair)
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
  })

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as net.AddressInfo
  return {
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    accepted: () => accepted,
    setMode(next, ms = 0) {
      mode = next
      delayMs = ms
      if (next === 'drop') for (const pair of [...pairs]) destroy(pair)
      else for (const pair of pairs) pair.pump()
    },
    async close() {
      for (const pair of [...pairs]) destroy(pair)
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
