/**
 * client/ui/mirror-reading.ts over a real sql.js mirror following a real region document: the
 * value is read before the first update, read again after a change of a table it names (once
 * for a burst of writes, at the host's next update), not after a change of another table, and
 * read anew when its key changes. The host is the smallest one Lit's controllers need: it runs
 * its controllers' hostUpdate when asked to update, as a LitElement does before rendering.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit'
import { afterEach, describe, expect, it } from 'vitest'
import { openMirror, type Mirror } from '../crdt/mirror.ts'
import { createRegionDoc, insertRecord } from '../crdt/regionDoc.ts'
import { MirrorReading } from '../client/ui/mirror-reading.ts'
import type { Workspace } from '../client/ui/workspace.ts'

class Host implements ReactiveControllerHost {
  readonly controllers: ReactiveController[] = []
  pending = false
  region = 'ankara'
  constructor(readonly workspace: Workspace) {}
  addController(controller: ReactiveController): void {
    this.controllers.push(controller)
  }
  removeController(): void {}
  requestUpdate(): void {
    this.pending = true
  }
  get updateComplete(): Promise<boolean> {
    return Promise.resolve(true)
  }
  /** What Lit does in performUpdate: the controllers' hostUpdate, then the render. */
  update(): void {
    this.pending = false
    for (const c of this.controllers) c.hostUpdate?.()
  }
}

const author = { user: 'ayse' }
let mirror: Mirror | undefined

afterEach(() => mirror?.close())

describe('MirrorReading', () => {
  it('reads once per burst of changes of its tables, not for other tables, and again for a new key', async () => {
    mirror = await openMirror()
    const doc = createRegionDoc()
    mirror.attach('ankara', doc)
    // The reading only ever touches the mirror: the rest of a workspace is not needed here.
    const host = new Host({ mirror } as unknown as Workspace)
    const reads: string[] = []
    const reading = new MirrorReading<number>(
      host,
      () => ({
        key: host.region,
        tables: ['vehicles'],
        read: (m) => {
          reads.push(host.region)
          return Number(m.query('SELECT count(*) AS n FROM vehicles WHERE region = ?', [host.region])[0]?.n)
        },
      }),
      -1,
    )
    expect(reading.value).toBe(-1)
    host.update()
    expect(reading.value).toBe(0)
    expect(reads).toEqual(['ankara'])

    for (const plate of ['06 ABC 1', '06 ABC 2', '06 ABC 3']) insertRecord(doc, 'vehicles', 'ankara', { plate }, author)
    expect(host.pending).toBe(true)
    // Stale until the host updates: three writes, one read.
    expect(reads).toHaveLength(1)
    host.update()
    expect(reading.value).toBe(3)
    expect(reads).toHaveLength(2)
    host.update()
    expect(reads).toHaveLength(2)

    insertRecord(doc, 'employees', 'ankara', { full_name: 'Ayşe Yılmaz' }, author)
    expect(host.pending).toBe(false)

    host.region = 'istanbul'
    host.update()
    expect(reading.value).toBe(0)
    expect(reads).toEqual(['ankara', 'ankara', 'istanbul'])
  })
})
