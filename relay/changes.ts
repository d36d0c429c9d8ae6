/**
 * What history keeps of a change (relay/historyTable.ts), read from its transaction: the Yjs
 * clocks it added client by client and the records it wrote. The relay reads it from each update
 * it applies (relay/liveDoc.ts); the tools that write a stopped relay's store (the legacy import,
 * the doctor's repair) gather a document's changes into the one row they append.
 */
import * as Y from 'yjs'
import { touchedRecords } from '../crdt/touched.ts'
import type { ClockRange } from './historyTable.ts'

export interface Changes {
  readonly ranges: ClockRange[]
  readonly records: Array<readonly [table: string, id: string]>
}

export function changesOf(doc: Y.Doc, transaction: Y.Transaction): Changes {
  const ranges: ClockRange[] = []
  for (const [client, to] of transaction.afterState) {
    const from = transaction.beforeState.get(client) ?? 0
    if (to > from) ranges.push({ client, from, to })
  }
  const records: Array<readonly [string, string]> = []
  for (const [table, ids] of touchedRecords(doc, transaction)) for (const id of ids) records.push([table, id])
  return { ranges, records }
}

/** A document's updates from now on, to store as one row: the merged update and its changes. */
export function collectChanges(doc: Y.Doc): { row(): (Changes & { readonly data: Uint8Array }) | undefined } {
  const updates: Uint8Array[] = []
  const clocks = new Map<number, { from: number; to: number }>()
  const records = new Map<string, readonly [string, string]>()
  doc.on('update', (update: Uint8Array, _origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
    updates.push(update)
    const changes = changesOf(doc, transaction)
    for (const { client, from, to } of changes.ranges) {
      const known = clocks.get(client)
      clocks.set(client, known === undefined ? { from, to } : { from: Math.min(known.from, from), to: Math.max(known.to, to) })
    }
    for (const record of changes.records) records.set(record.join('\u0000'), record)
  })
  return {
    row() {
      if (updates.length === 0) return undefined
      return {
        data: updates.length === 1 ? (updates[0] as Uint8Array) : Y.mergeUpdates(updates),
        ranges: [...clocks].map(([client, { from, to }]) => ({ client, from, to })),
        records: [...records.values()],
      }
    },
  }
}
