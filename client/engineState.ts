/**
 * The engine's state as the UI and the CLI read it: per document, per region (its documents
 * together) and in total, from the open replicas (client/documentReplica.ts).
 */
import type { Period } from '../schema/periods.ts'
import type { DocumentReplica } from './documentReplica.ts'
import type { ConnectionStatus, SyncProblem } from './regionSync.ts'

export interface DocumentState {
  readonly name: string
  readonly region: string
  readonly period: Period | null
  readonly connection: ConnectionStatus
  readonly pendingChanges: number
  readonly lastSyncedAt: string | null
  readonly problem: { readonly code: SyncProblem; readonly message: string } | null
  /** The head office closed the month: writes to it wait for its decision (relay/closing.ts). */
  readonly closed: boolean
  /** This account's late edits of the month waiting for the head office. */
  readonly waitingForHeadOffice: number
}

export interface RegionState {
  readonly region: string
  readonly writable: boolean
  /** The region's documents together: synced when all are (see `overall`). */
  readonly connection: ConnectionStatus
  readonly pendingChanges: number
  readonly lastSyncedAt: string | null
  /** The latest thing that went wrong for one of the region's documents (bilingual), cleared once synced. */
  readonly problem: { readonly code: SyncProblem; readonly message: string } | null
}

export interface EngineState {
  /** synced when every document is; otherwise the best any reached, or failed when all failed. */
  readonly connection: ConnectionStatus
  readonly pendingChanges: number
  /** The oldest of the documents' lastSyncedAt: when everything was last known in step; null if never. */
  readonly lastSyncedAt: string | null
  readonly regions: Readonly<Record<string, RegionState>>
  readonly documents: Readonly<Record<string, DocumentState>>
}

/**
 * The state of `replicas`; `waiting(region)` counts edits of a round-1 copy not yet written again
 * (client/migrateCopy.ts), pending like any other.
 */
export function engineState(replicas: readonly DocumentReplica[], waiting: (region: string) => number): EngineState {
  const documents: Record<string, DocumentState> = {}
  const byRegion = new Map<string, DocumentReplica[]>()
  for (const r of replicas) {
    documents[r.name] = {
      name: r.name,
      region: r.region,
      period: r.period,
      connection: r.connection,
      pendingChanges: r.pendingChanges,
      lastSyncedAt: r.lastSyncedAt,
      problem: r.problem,
      closed: r.monthClosed,
      waitingForHeadOffice: r.waitingLateEdits.length,
    }
    byRegion.set(r.region, [...(byRegion.get(r.region) ?? []), r])
  }
  const regions: Record<string, RegionState> = {}
  let waitingTotal = 0
  for (const [slug, list] of byRegion) {
    const summary = summarize(list)
    const unwritten = waiting(slug)
    waitingTotal += unwritten
    regions[slug] = {
      region: slug,
      writable: list[0].writable,
      ...summary,
      pendingChanges: summary.pendingChanges + unwritten,
      problem: list.find((r) => r.problem !== null)?.problem ?? null,
    }
  }
  const total = summarize(replicas)
  return { ...total, pendingChanges: total.pendingChanges + waitingTotal, regions, documents }
}

function summarize(replicas: readonly DocumentReplica[]): Pick<EngineState, 'connection' | 'pendingChanges' | 'lastSyncedAt'> {
  let pendingChanges = 0
  let lastSyncedAt: string | null = null
  let neverSynced = false
  for (const r of replicas) {
    pendingChanges += r.pendingChanges
    if (r.lastSyncedAt === null) neverSynced = true
    else if (lastSyncedAt === null || r.lastSyncedAt < lastSyncedAt) lastSyncedAt = r.lastSyncedAt
  }
  return { connection: overall(replicas.map((r) => r.connection)), pendingChanges, lastSyncedAt: neverSynced ? null : lastSyncedAt }
}

function overall(statuses: readonly ConnectionStatus[]): ConnectionStatus {
  if (statuses.length === 0) return 'disconnected'
  if (statuses.every((s) => s === 'synced')) return 'synced'
  if (statuses.every((s) => s === 'failed')) return 'failed'
  if (statuses.some((s) => s === 'connected' || s === 'synced')) return 'connected'
  if (statuses.some((s) => s === 'connecting')) return 'connecting'
  return 'disconnected'
}
