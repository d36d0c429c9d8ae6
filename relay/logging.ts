/**
 * Logging as an extension: the lifecycle events an operator needs to see, one bilingual line
 * each. Lines name accounts and documents, never a password or token.
 */
import { CLOSE } from '../crdt/protocol.ts'
import type { Extension, StorageErrorPayload } from './extension.ts'

/** A client over the per-account cap retries every few seconds per socket: one line a minute per account. */
const CAP_LINE_EVERY_MS = 60_000

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function storageLine(p: StorageErrorPayload): string {
  switch (p.action) {
    case 'load':
      return `relay: belge açılamadı / cannot open ${p.documentName}: ${describe(p.error)}`
    case 'store':
      return `relay: kayıt yazılamadı / could not store ${p.documentName}: ${describe(p.error)}`
    case 'compact':
      return `relay: sıkıştırma başarısız / compaction failed for ${p.documentName}: ${describe(p.error)}`
    case 'render':
      return `relay: belgenin görünümü çıkarılamadı / could not render ${p.documentName}: ${describe(p.error)}`
    case 'check-sessions':
      return `relay: oturumlar denetlenemedi / session check failed: ${describe(p.error)}`
  }
}

export function loggingExtension(log: (line: string) => void): Extension {
  /** When a refusal over the per-account cap was last logged, by account id. */
  const capLogged = new Map<string, number>()
  return {
    onConnectionRefused({ code, detail, user }) {
      if (code === CLOSE.tooManyConnections && user !== undefined) {
        const now = Date.now()
        if (now - (capLogged.get(user.accountId) ?? 0) < CAP_LINE_EVERY_MS) return
        capLogged.set(user.accountId, now)
      }
      log(`relay: bağlantı reddedildi / connection refused (${code}): ${detail}`)
    },
    onUpdateRefused({ connection, refusal }) {
      // A read-only refusal is about the connection's rights, not about what it wrote.
      if (refusal.code === 'read_only') return
      log(`relay: güncelleme reddedildi / update refused: ${connection.documentName} ${connection.username} ${refusal.code}: ${refusal.message.en}`)
    },
    onUnexpectedError({ connection, error }) {
      log(`relay: beklenmeyen hata / unexpected error on ${connection.documentName}: ${describe(error)}`)
    },
    onStorageError(p) {
      log(storageLine(p))
    },
    onSessionsEnded({ username, reason, code, connections }) {
      log(`relay: oturum sonlandırıldı / sessions ended (${code}): ${username} ${reason}, ${connections} connection(s)`)
    },
  }
}
