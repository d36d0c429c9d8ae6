/**
 * Validation as an extension: every client update, once applied, is checked by the update guard
 * (crdt/updateGuard.ts) in what it integrated, before anything of it is kept; and each Yjs client
 * id is bound in the store to the first account that writes with it (PROTOCOL.md §3a).
 */
import type * as Y from 'yjs'
import { checkTransaction, documentHas, precheckStructs, type Refusal } from '../crdt/updateGuard.ts'
import { addedStructs } from '../crdt/yjsInternals.ts'
import { parseDocumentName } from '../schema/periods.ts'
import type { Extension } from './extension.ts'
import { roundOneClients } from './migrate.ts'
import type { Store } from './store.ts'

/**
 * `masterDoc(region)` is the region's master document (loaded when needed): a month's timesheet
 * names an employee there.
 */
export function guardExtension(store: Store, masterDoc: (region: string) => Y.Doc): Extension {
  /** Per region, the Yjs clients of its round-1 document (relay/migrate.ts). */
  const roundOne = new Map<string, ReadonlySet<number>>()
  const outdated = (region: string, transaction: Y.Transaction): Refusal | null => {
    let clients = roundOne.get(region)
    if (clients === undefined) roundOne.set(region, (clients = roundOneClients(store, region)))
    if (clients.size === 0 || !writers(transaction).some((c) => clients.has(c))) return null
    return {
      code: 'outdated_copy',
      message: {
        tr: 'Bu bilgisayardaki kopya eski düzende; uygulamayı güncelleyip yeniden giriş yapın (değişiklikleriniz korunur)',
        en: "This computer's copy is in the old layout; update the app and sign in again (your changes are kept)",
      },
    }
  }
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
    onCheckUpdate({ documentName, region, account, doc, transaction }) {
      const period = parseDocumentName(documentName)?.period ?? null
      const ctx = {
        region: region.slug,
        account,
        period,
        masterHas: period === null ? undefined : (table: Parameters<typeof documentHas>[1], id: string) => documentHas(masterDoc(region.slug), table, id),
      }
      const old = outdated(region.slug, transaction)
      if (old !== null) return old
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
