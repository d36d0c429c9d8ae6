/**
 * A follower tab's workspace: the same screens over a copy of the writer tab's documents. Its
 * engine keeps nothing on the device and never connects (client/tabCopy.ts), every region is
 * read-only in it, and its status bar shows the writer's state as the writer reports it.
 */
import { openOfflineMirror } from '../offlineMirror.ts'
import { BilingualError } from '../../schema/bilingual.ts'
import { openEngine, type EngineState } from '../engine.ts'
import type { Session } from '../signIn.ts'
import { HolidayCalendar } from '../holidayCalendar.ts'
import { followerSession, followerStore, followWriter, type FollowedWriter } from '../tabCopy.ts'
import type { TabLink, WriterStatus } from '../tabLock.ts'
import { forgetSession } from './remembered-session.ts'
import { locateFile, type Presence, type Workspace, type WorkspaceStatus } from './workspace.ts'

const NOTHING_HEARD: EngineState = { connection: 'disconnected', pendingChanges: 0, lastSyncedAt: null, regions: {}, documents: {} }

export const FOLLOWING = { tr: 'Bu sekme başka bir sekmeyi izliyor: önce “Bu sekmede çalış”', en: 'This tab follows another tab: choose “Work in this tab” first' }

/** The writer tab's state as last heard. */
class WriterReport implements WorkspaceStatus {
  private readonly listeners = new Set<() => void>()

  constructor(private latest: WriterStatus) {}

  get state(): EngineState {
    return this.latest.state
  }

  peers(region: string): Presence[] {
    return (this.latest.peers[region] ?? []).map((p) => ({ device: p.device, user: p.user, region: p.region }))
  }

  follow(onChange: () => void): () => void {
    this.listeners.add(onChange)
    return () => this.listeners.delete(onChange)
  }

  heard(status: WriterStatus): void {
    this.latest = status
    for (const listener of [...this.listeners]) listener()
  }
}

export interface Following {
  readonly workspace: Workspace
  readonly writer: FollowedWriter
}

/** The writer's status as a follower hears it: its engine's state and each region's peers. */
export function writerStatus(workspace: Workspace): WriterStatus {
  return { state: workspace.status.state, peers: Object.fromEntries(workspace.engine.regions.map((r) => [r, workspace.status.peers(r)])) }
}

/**
 * Opens a follower's workspace for `seat`'s user and regions; `status` is what to show until the
 * writer reports (a writer handing over shows its own last state).
 */
export async function followerWorkspace(
  link: TabLink,
  seat: Pick<Session, 'relay' | 'user' | 'regions'>,
  online: boolean,
  status: WriterStatus = { state: NOTHING_HEARD, peers: {} },
): Promise<Following> {
  const session = followerSession(seat)
  const store = followerStore()
  const engine = await openEngine({ session, store, connect: false })
  try {
    const offline = await openOfflineMirror({ store, session, locateFile })
    offline.follow(engine)
    const mirror = offline.mirror
    const writer = followWriter(engine, link)
    const report = new WriterReport(status)
    const stopReports = link.on((message) => {
      if (message.type === 'state') report.heard(message.status)
    })
    const close = async (): Promise<void> => {
      writer.stop()
      stopReports()
      await engine.close()
      await offline.close()
    }
    const workspace: Workspace = {
      session,
      engine,
      offline,
      mirror,
      // The writer tab keeps the saved list; a follower asks the relay itself, else counts the computed one.
      holidays: await HolidayCalendar.open(store),
      role: 'follower',
      status: report,
      signedInOnline: online,
      storagePersisted: null,
      flush: () => Promise.resolve(),
      changePassword: () => Promise.reject(new BilingualError(FOLLOWING)),
      async signOut() {
        forgetSession()
        await close()
      },
      close,
    }
    return { workspace, writer }
  } catch (error) {
    await engine.close().catch(() => undefined)
    throw error
  }
}
