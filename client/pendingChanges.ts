/**
 * pendingChanges: the local transactions the relay has not yet reported as on its disk.
 *
 * A local transaction is remembered by a mark: this device's Yjs client id and the clock just
 * after the transaction. The relay's durable state vector (message type 100) covers a mark when
 * its clock for that client reaches the mark's clock. Counting marks counts changes, not bytes,
 * which is what a user means by "3 changes not yet sent".
 */

/** One local transaction: `clock` is the client's clock after it (exclusive end). */
export interface PendingMark {
  readonly client: number
  readonly clock: number
}

/** Client id → clock, as in Y.decodeStateVector. */
export type StateVector = ReadonlyMap<number, number>

export function isCovered(mark: PendingMark, durable: StateVector): boolean {
  return (durable.get(mark.client) ?? 0) >= mark.clock
}

/**
 * Marks per client, each list in clock order (a client's clock only grows), so acknowledging
 * drops a prefix and costs what it removes, not what stays.
 */
export class PendingChanges {
  private readonly byClient = new Map<number, number[]>()
  private total = 0

  constructor(marks: Iterable<PendingMark> = []) {
    for (const mark of marks) this.add(mark)
  }

  get count(): number {
    return this.total
  }

  add(mark: PendingMark): void {
    let clocks = this.byClient.get(mark.client)
    if (clocks === undefined) this.byClient.set(mark.client, (clocks = []))
    const last = clocks[clocks.length - 1]
    // A transaction that inserted nothing of ours (pure deletions) shares the previous clock.
    if (last !== undefined && last > mark.clock) {
      let i = clocks.length
      while (i > 0 && clocks[i - 1] > mark.clock) i--
      clocks.splice(i, 0, mark.clock)
    } else {
      clocks.push(mark.clock)
    }
    this.total++
  }

  /** Drops every mark `durable` covers; returns how many were dropped. */
  acknowledge(durable: StateVector): number {
    let dropped = 0
    for (const [client, clocks] of this.byClient) {
      const reached = durable.get(client) ?? 0
      let n = 0
      while (n < clocks.length && clocks[n] <= reached) n++
      if (n === 0) continue
      dropped += n
      if (n === clocks.length) this.byClient.delete(client)
      else clocks.splice(0, n)
    }
    this.total -= dropped
    return dropped
  }

  marks(): PendingMark[] {
    const out: PendingMark[] = []
    for (const [client, clocks] of this.byClient) for (const clock of clocks) out.push({ client, clock })
    return out
  }

  clients(): number[] {
    return [...this.byClient.keys()]
  }
}
