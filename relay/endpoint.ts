/**
 * The WebSocket endpoint `/sync/<document>`: the upgrade, admission through the extensions
 * (onAuthenticate, then onConnect), the document opened and a Connection started on it. A
 * refused connection is closed with the relay's code (PROTOCOL.md §4) and its bilingual reason.
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { CLOSE, SUBPROTOCOL, type CloseCode } from '../crdt/protocol.ts'
import { closeWith, Connection } from './connection.ts'
import type { Docs } from './docs.ts'
import type { ConnectionRefusedPayload, Hooks } from './extension.ts'
import { syncDocument } from './handshake.ts'
import type { LiveDoc } from './liveDoc.ts'
import type { ResolvedOptions } from './options.ts'

export interface SyncEndpoint {
  /** Takes an HTTP upgrade: a `/sync/` path becomes a connection, any other path a 404. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void
  /** Closes every open socket with `code`. */
  closeAll(code: CloseCode): void
  /** Gives closing sockets up to `ms` for the close handshake, then cuts the rest. */
  drain(ms: number): Promise<void>
  close(): void
}

/** Answers an upgrade the relay will not make with a bare HTTP status. */
export function refuseUpgrade(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}

/**
 * ws answers an over-long frame with 1009 before the relay hears of it; stock y-websocket clients
 * retry 1009 forever, so the relay's permanent "too big" code replaces it.
 */
function replaceTooBig(socket: WebSocket, hooks: Hooks): void {
  const wsClose = socket.close.bind(socket)
  socket.close = (code?: number, data?: string | Buffer) => {
    socket.close = wsClose
    if (code === 1009) closeWith(socket, hooks, CLOSE.tooBig)
    else wsClose(code, data)
  }
}

export function createSyncEndpoint(docs: Docs, options: ResolvedOptions): SyncEndpoint {
  const hooks = docs.hooks
  const sockets = new Set<WebSocket>()
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes,
    perMessageDeflate: false,
    handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  })

  const refuse = (socket: WebSocket, refused: ConnectionRefusedPayload): void => {
    hooks.onConnectionRefused(refused)
    closeWith(socket, hooks, refused.code)
  }

  const connect = (socket: WebSocket, request: IncomingMessage, documentName: string): void => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    replaceTooBig(socket, hooks)
    const admission = hooks.onAuthenticate({ request, documentName, now: Date.now() })
    if (!admission.ok) return refuse(socket, { code: admission.code, detail: admission.detail })
    const { user, region, writable, expiresAt, device } = admission
    const refusal = hooks.onConnect({ user, documentName, region, writable })
    if (refusal !== undefined) return refuse(socket, { ...refusal, user })
    let doc: LiveDoc
    try {
      doc = docs.open(documentName)
    } catch (error) {
      hooks.onStorageError({ action: 'load', documentName, error })
      return closeWith(socket, hooks, CLOSE.unavailable)
    }
    new Connection(socket, user, doc, writable, { options, hooks }, { expiresAt, device, transport: request.socket }).start()
  }

  return {
    upgrade(request, socket, head) {
      const documentName = syncDocument(request.url)
      if (documentName === undefined) return refuseUpgrade(socket, '404 Not Found')
      wss.handleUpgrade(request, socket, head, (ws) => connect(ws, request, documentName))
    },
    closeAll(code) {
      for (const socket of sockets) closeWith(socket, hooks, code)
    },
    async drain(ms) {
      const deadline = Date.now() + ms
      while (sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      for (const socket of sockets) socket.terminate()
    },
    close() {
      wss.close()
    },
  }
}
