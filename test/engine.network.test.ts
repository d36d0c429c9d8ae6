/**
 * Network faults between a peer and a real relay process, through a TCP proxy that drops,
 * stalls and delays connections: nothing is lost or duplicated, and everyone converges once the
 * proxy heals.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { seedUsers, spawnRelay, tempDir, until, type RelayProcess } from './helpers/relayProcess.ts'
import { removeDir, startPeer, type TestPeer } from './helpers/peerEngine.ts'
import { startProxy, type TcpProxy } from './helpers/proxyTcp.ts'

const USERS = [
  { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
  { username: 'ali', role: 'editor', region: 'ankara', password: 'ali-password' },
  { username: 'mehmet', role: 'editor', region: 'istanbul', password: 'mehmet-password' },
] as const

const data = tempDir()
const peers: TestPeer[] = []
let relay: RelayProcess | undefined
let proxy: TcpProxy | undefined

afterAll(async () => {
  for (const p of peers) await p.close().catch(() => {})
  await proxy?.close()
  await relay?.stop('SIGKILL')
  for (const p of peers) removeDir(p.dir)
  data.remove()
})

describe('a flaky network between peer and relay', () => {
  it('drops, stalls and delays lose or duplicate no edit, and converge after healing', async () => {
    await seedUsers(data.dir, USERS)
    relay = await spawnRelay(data.dir)
    proxy = await startProxy(relay.port)
    // Ayşe reaches the relay only through the proxy; a short liveness limit finds stalls quickly.
    const ayse = await startPeer(proxy.url, 'ayse', 'ayse-password', { engine: { livenessMs: 1500, regions: ['ankara'] } })
    const ali = await startPeer(relay.url, 'ali', 'ali-password', { engine: { regions: ['ankara'] } })
    const mehmet = await startPeer(relay.url, 'mehmet', 'mehmet-password', { engine: { regions: ['ankara', 'istanbul'] } })
    peers.push(ayse, ali, mehmet)
    await Promise.all(peers.map((p) => p.engine.whenSynced()))

    const names: string[] = []
    let n = 0
    const edit = (peer: TestPeer, count: number, phase: string): void => {
      for (let i = 0; i < count; i++) {
        const name = `${peer.name} ${phase} ${n++}`
        peer.engine.insert('employees', { full_name: name })
        names.push(name)
      }
    }

    // Delay: every chunk held 200 ms both ways.
    proxy.setMode('delay', 200)
    edit(ayse, 20, 'delay')
    edit(ali, 20, 'delay')
    await until(() => ayse.engine.pendingChanges === 0, 'delayed edits acknowledged')

    // Drop: the live connection is cut and reconnects are refused.
    proxy.setMode('drop')
    await until(() => ayse.engine.state.connection !== 'synced', 'ayse notices the drop')
    edit(ayse, 20, 'drop')
    edit(ali, 20, 'drop')
    const refusedFrom = proxy.accepted()
    await until(() => proxy!.accepted() > refusedFrom, 'ayse retries while dropped')

    // Heal, then stall the fresh connection: bytes vanish, the socket stays open.
    proxy.setMode('pass')
    await ayse.engine.whenSynced()
    proxy.setMode('stall')
    edit(ayse, 20, 'stall')
    edit(ali, 20, 'stall')
    await until(() => ayse.engine.state.connection !== 'synced', 'ayse gives up on the stalled socket')
    expect(ayse.engine.pendingChanges).toBe(20)

    // Delay again while reconnecting, then heal for good.
    proxy.setMode('delay', 100)
    edit(ayse, 10, 'slow')
    proxy.setMode('pass')
    await Promise.all(peers.map((p) => p.engine.whenSynced()))
    await until(
      () => peers.every((p) => p.engine.doc('ankara').getMap('employees').size === names.length),
      'every peer holds every employee',
    )

    expect(peers.map((p) => p.engine.pendingChanges)).toEqual([0, 0, 0])
    for (const p of peers) {
      const mirror = await p.mirror()
      try {
        const rows = mirror.query("SELECT full_name FROM employees WHERE region = 'ankara' ORDER BY full_name")
        expect(rows.map((r) => r.full_name)).toEqual([...names].sort())
      } finally {
        mirror.close()
      }
    }
  })
})
