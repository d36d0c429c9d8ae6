/**
 * Validation as an extension: every client update, once applied, is checked by the update guard
 * (crdt/updateGuard.ts) in what it integrated, before anything of it is kept; and each Yjs client
 * id is bound in the store to the first account that writes with it (PROTOCOL.md §3a).
 */
import type * as Y from 'yjs'
import { checkTransaction, precheckStructs } from '../crdt/updateGuard.ts'
import { addedStructs } from '../crdt/yjsInternals.ts'
import type { Extension } from './extension.ts'
import type { Store } from './store.ts'

export function guardExtension(store: Store): Extension {
  /** Client id → account, read through: a binding never changes once made. */
  const owners = new Map<number, string>()
  const owner = (client: number): string | undefined => {
    let account = owners.get(client)
    if (account === undefined) {
      account = store.clientOwner(client)
      if (account !== undefined) owners.set(client, account)
    }
    return account
  }

  return {
    onCheckUpdate({ region, account, doc, transaction }) {
      const ctx = { region: region.slug, account }
      const before = transaction.beforeState
      const pre = precheckStructs(addedStructs(transaction), ctx, owner, (client) => before.get(client) ?? 0)
      return pre.refusal ?? checkTransaction(doc, transaction, ctx)
    },
    onUpdateAccepted({ account, transaction }) {
      // The check looked every writer up, so an id missing here is bound to nobody yet.
      const fresh = writers(transaction).filter((c) => !owners.has(c))
      if (fresh.length === 0) return
      store.bindClients(fresh, account, Date.now())
      for (const c of fresh) owners.set(c, store.clientOwner(c) ?? account)
    },
  }
}

/** The client ids whose clock the transaction advanced. */
function writers(transaction: Y.Transaction): number[] {
  const out: number[] = []
  for (const [client, after] of transaction.afterState) if (after > (transaction.beforeState.get(client) ?? 0)) out.push(client)
  return out
}
