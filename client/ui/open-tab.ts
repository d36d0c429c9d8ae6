/**
 * Opening the app in a tab (client/ui/tab-workspace.ts): as the writer when no other tab of the
 * relay writes, else following the tab that does, once it says it is the same user.
 */
import { databaseName, openIndexedDbStore } from '../indexedDbStore.ts'
import { relayAddress } from '../relayAddress.ts'
import { sessionFromAccount, signIn } from '../signIn.ts'
import { TabLink } from '../tabLock.ts'
import { sharing, TabWorkspace, type Identity } from './tab-workspace.ts'
import { rememberedSession, rememberSession, sessionMaxSeconds } from './remembered-session.ts'
import { openWorkspace, resumeWorkspace, type Credentials, type Workspace } from './workspace.ts'

/** Signs in and opens this tab: as the writer when no other tab of the relay writes, else following it. */
export async function openTab(credentials: Credentials, options: { remember?: boolean } = {}): Promise<TabWorkspace> {
  const relay = relayAddress(credentials.relay).http
  const remember = options.remember === true && sessionMaxSeconds() > 0
  const identity: Identity = { relay, username: credentials.username, password: credentials.password, remember }
  if (!TabLink.available()) return TabWorkspace.writing(await openWorkspace(credentials, options), identity, undefined)
  const link = new TabLink(databaseName(relay))
  try {
    const held = await link.tryLock()
    if (held !== undefined) {
      try {
        return TabWorkspace.writing(await openWorkspace(credentials, { ...options, engineStore: sharing(link) }), identity, link, held)
      } catch (error) {
        held.release()
        throw error
      }
    }
    const store = openIndexedDbStore(databaseName(relay))
    let signedIn
    try {
      // The password is checked (at the relay, or against the device's verifier) and nothing is
      // kept: the device account is the writer tab's to write.
      signedIn = await signIn({ ...credentials, relay, store: { readAccount: () => store.readAccount(), writeAccount: () => Promise.resolve() } })
    } finally {
      await store.close()
    }
    if (remember && signedIn.online) rememberSession(relay, credentials.username)
    return await TabWorkspace.following(link, identity, signedIn.session, signedIn.online)
  } catch (error) {
    link.close()
    throw error
  }
}

/** Opens the remembered session in this tab (see resumeWorkspace); a follower reads the device account only. */
export async function resumeTab(): Promise<TabWorkspace | undefined> {
  const remembered = rememberedSession()
  if (remembered === undefined) return undefined
  const relay = relayAddress(remembered.relay).http
  const identity: Identity = { relay, username: remembered.username, password: null, remember: true }
  if (!TabLink.available()) {
    const ws = await resumeWorkspace()
    return ws && TabWorkspace.writing(ws, identity, undefined)
  }
  const link = new TabLink(databaseName(relay))
  try {
    const held = await link.tryLock()
    if (held !== undefined) {
      let ws: Workspace | undefined
      try {
        ws = await resumeWorkspace({ engineStore: sharing(link) })
      } catch (error) {
        held.release()
        throw error
      }
      if (ws !== undefined) return TabWorkspace.writing(ws, identity, link, held)
      held.release()
      link.close()
      return undefined
    }
    const store = openIndexedDbStore(databaseName(relay))
    const account = await store.readAccount().finally(() => store.close())
    if (account?.token === undefined || account.user.username !== remembered.username || relayAddress(account.relay).http !== relay) {
      link.close()
      return undefined
    }
    return await TabWorkspace.following(link, identity, sessionFromAccount(account, null), true)
  } catch (error) {
    link.close()
    throw error
  }
}
