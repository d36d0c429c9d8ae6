/**
 * The on-disk format of one region doc on a Node device: an append-only log of records, each
 * `[u32 length][u32 crc32][payload]` (little endian), so a record cut short by a crash or a
 * flipped bit is recognised and the good records before it still load.
 *
 * Payload kinds:
 *   1 update            [1][Yjs update]
 *   2 local update      [2][varUint client][varUint clock][Yjs update]  (with its pending mark)
 *   3 meta              [3][JSON DocumentMeta]
 *   4 marks             [4][varUint n]([varUint client][varUint clock])*  (written by compaction)
 */
import { crc32 } from 'node:zlib'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { EMPTY_META, type DocumentMeta } from './localStore.ts'
import type { PendingMark } from './pendingChanges.ts'

const UPDATE = 1
const LOCAL_UPDATE = 2
const META = 3
const MARKS = 4
const HEADER = 8

export interface LogContents {
  readonly updates: Uint8Array[]
  readonly marks: PendingMark[]
  readonly meta: DocumentMeta
  /** Records read (of every kind). */
  readonly records: number
  /** Bytes of the good prefix; anything after it is damaged and ignored. */
  readonly validBytes: number
}

function frame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + payload.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, payload.length, true)
  view.setUint32(4, crc32(payload), true)
  out.set(payload, HEADER)
  return out
}

export function updateRecord(update: Uint8Array, mark: PendingMark | null): Uint8Array {
  const encoder = encoding.createEncoder()
  if (mark === null) {
    encoding.writeUint8(encoder, UPDATE)
  } else {
    encoding.writeUint8(encoder, LOCAL_UPDATE)
    encoding.writeVarUint(encoder, mark.client)
    encoding.writeVarUint(encoder, mark.clock)
  }
  encoding.writeUint8Array(encoder, update)
  return frame(encoding.toUint8Array(encoder))
}

export function metaRecord(meta: DocumentMeta): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeUint8(encoder, META)
  encoding.writeUint8Array(encoder, new TextEncoder().encode(JSON.stringify(meta)))
  return frame(encoding.toUint8Array(encoder))
}

export function marksRecord(marks: readonly PendingMark[]): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeUint8(encoder, MARKS)
  encoding.writeVarUint(encoder, marks.length)
  for (const mark of marks) {
    encoding.writeVarUint(encoder, mark.client)
    encoding.writeVarUint(encoder, mark.clock)
  }
  return frame(encoding.toUint8Array(encoder))
}

function parseMeta(bytes: Uint8Array): DocumentMeta | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes))
    if (typeof value !== 'object' || value === null) return undefined
    const v = value as Record<string, unknown>
    const durable = Array.isArray(v.durable)
      ? v.durable.filter((e): e is [number, number] => Array.isArray(e) && e.length === 2 && e.every((n) => Number.isSafeInteger(n)))
      : []
    const lastSyncedAt = typeof v.lastSyncedAt === 'string' ? v.lastSyncedAt : null
    return { durable, lastSyncedAt }
  } catch {
    return undefined
  }
}

/** Reads every good record of `bytes`; stops at the first damaged one. */
export function readLog(bytes: Uint8Array): LogContents {
  const updates: Uint8Array[] = []
  const marks: PendingMark[] = []
  let meta: DocumentMeta = EMPTY_META
  let offset = 0
  let records = 0
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  while (offset + HEADER <= bytes.length) {
    const length = view.getUint32(offset, true)
    const sum = view.getUint32(offset + 4, true)
    if (length === 0 || offset + HEADER + length > bytes.length) break
    const payload = bytes.subarray(offset + HEADER, offset + HEADER + length)
    if (crc32(payload) !== sum) break
    let ok = true
    try {
      const decoder = decoding.createDecoder(payload)
      const kind = decoding.readUint8(decoder)
      if (kind === UPDATE) {
        updates.push(payload.subarray(1))
      } else if (kind === LOCAL_UPDATE) {
        const client = decoding.readVarUint(decoder)
        const clock = decoding.readVarUint(decoder)
        marks.push({ client, clock })
        updates.push(payload.subarray(decoder.pos))
      } else if (kind === META) {
        const parsed = parseMeta(payload.subarray(1))
        if (parsed === undefined) ok = false
        else meta = parsed
      } else if (kind === MARKS) {
        const n = decoding.readVarUint(decoder)
        for (let i = 0; i < n; i++) marks.push({ client: decoding.readVarUint(decoder), clock: decoding.readVarUint(decoder) })
      } else {
        ok = false
      }
    } catch {
      ok = false
    }
    if (!ok) break
    offset += HEADER + length
    records++
  }
  return { updates, marks, meta, records, validBytes: offset }
}
