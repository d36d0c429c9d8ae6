/**
 * The head office's control of months (relay/closing.ts) over HTTP: a month's state for every
 * signed-in user (the app shows a closed month read-only), closing with the checked sheet,
 * reopening with a reason, the stored sheet byte for byte, and the late edits to decide. Every
 * action but reading is the admin's, logged with the account.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { ClosingError } from './closing.ts'
import { HttpError, readJson, requireAdmin, requireSession, sendJson, stringField, type HttpContext } from './httpBase.ts'
import type { LateEditState } from './periodTable.ts'

/** A closing sheet is an xlsx of one region's month: a few hundred kilobytes at most. */
const MAX_SHEET = 8 * 1024 * 1024

const PERIOD = /^\/api\/periods\/([a-z0-9-]+\/\d{4}-\d{2})(\/close|\/reopen|\/sheet\.xlsx)?$/
const LATE_EDIT = /^\/api\/late-edits\/(\d{1,12})\/(accept|reject)$/
const LATE_EDIT_CHANGES = /^\/api\/late-edits\/(\d{1,12})\/changes$/

async function readBytes(req: IncomingMessage, max: number): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buf = chunk as Buffer
    size += buf.length
    if (size > max) throw new HttpError(413, 'İstek çok büyük', 'Request body too large', {}, 'too_large')
    chunks.push(buf)
  }
  return new Uint8Array(Buffer.concat(chunks))
}

function asHttp(error: unknown): never {
  if (error instanceof ClosingError) throw new HttpError(error.status, error.text.tr, error.text.en, {}, 'period_control')
  throw error
}

export async function periodRoutes(req: IncomingMessage, res: ServerResponse, ctx: HttpContext, pathname: string, method: string): Promise<boolean> {
  const closing = ctx.closing
  if (pathname === '/api/periods' && method === 'GET') {
    requireSession(req, ctx)
    sendJson(res, 200, { closed: ctx.store.periods.closedDocuments() })
    return true
  }
  const period = PERIOD.exec(pathname)
  if (period !== null) {
    const document = period[1] ?? ''
    const action = period[2]
    try {
      if (action === undefined && method === 'GET') {
        requireSession(req, ctx)
        sendJson(res, 200, closing.state(document))
      } else if (action === '/sheet.xlsx' && method === 'GET') {
        requireSession(req, ctx)
        closing.state(document)
        const sheet = closing.sheet(document)
        if (sheet === undefined) throw new HttpError(404, 'Bu ay kapatılmamış', 'This month is not closed', {}, 'not_closed')
        res.writeHead(200, {
          'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          'content-length': sheet.bytes.byteLength,
          'content-disposition': `attachment; filename="puantaj-${document.replace('/', '-')}.xlsx"`,
          'x-rainstaff-sha256': sheet.sha256,
          'cache-control': 'no-store',
        })
        res.end(sheet.bytes)
      } else if (action === '/close' && method === 'POST') {
        const admin = requireAdmin(req, ctx)
        const version = Number(req.headers['x-rainstaff-version'])
        if (!Number.isSafeInteger(version) || version < 0) {
          throw new HttpError(400, 'Kontrol edilen sürüm gerekli (x-rainstaff-version)', 'The checked version is required (x-rainstaff-version)', {}, 'missing_version')
        }
        const sheet = await readBytes(req, MAX_SHEET)
        const state = closing.close({ document, account: admin.username, version, sheet })
        ctx.log(`relay: ${admin.username} ${document} ayını kapattı / closed ${document} (sheet sha256 ${state.sheetSha256})`)
        sendJson(res, 200, state)
      } else if (action === '/reopen' && method === 'POST') {
        const admin = requireAdmin(req, ctx)
        const reason = stringField(await readJson(req), 'reason', 500)
        const state = closing.reopen({ document, account: admin.username, reason })
        ctx.log(`relay: ${admin.username} ${document} ayını yeniden açtı / reopened ${document}`)
        sendJson(res, 200, state)
      } else {
        throw new HttpError(405, 'Bu yöntem desteklenmiyor', 'Method not allowed', {}, 'method_not_allowed')
      }
    } catch (error) {
      asHttp(error)
    }
    return true
  }
  if (pathname === '/api/late-edits' && method === 'GET') {
    requireAdmin(req, ctx)
    const url = new URL(req.url ?? '/', 'http://relay')
    const state = url.searchParams.get('state')
    const document = url.searchParams.get('document')
    if (state !== null && state !== 'waiting' && state !== 'accepted' && state !== 'rejected') {
      throw new HttpError(400, 'Durum waiting, accepted veya rejected olmalı', 'State must be waiting, accepted or rejected', {}, 'bad_state')
    }
    sendJson(res, 200, {
      lateEdits: closing.lateEdits({ ...(state !== null ? { state: state as LateEditState } : {}), ...(document !== null ? { document } : {}) }),
    })
    return true
  }
  const changes = LATE_EDIT_CHANGES.exec(pathname)
  if (changes !== null && method === 'GET') {
    requireAdmin(req, ctx)
    try {
      sendJson(res, 200, { changes: closing.changes(Number(changes[1])) })
    } catch (error) {
      asHttp(error)
    }
    return true
  }
  const late = LATE_EDIT.exec(pathname)
  if (late !== null && method === 'POST') {
    const admin = requireAdmin(req, ctx)
    const id = Number(late[1])
    try {
      if (late[2] === 'accept') {
        const accepted = closing.accept(id, admin.username)
        ctx.log(`relay: ${admin.username} geç değişiklik ${id} kabul etti / accepted late edit ${id} (${accepted.document})`)
        sendJson(res, 200, accepted)
      } else {
        const body = await readJson(req)
        const reason = typeof body === 'object' && body !== null && typeof (body as { reason?: unknown }).reason === 'string' ? String((body as { reason: string }).reason) : ''
        const rejected = closing.reject(id, admin.username, reason)
        ctx.log(`relay: ${admin.username} geç değişiklik ${id} reddetti / rejected late edit ${id} (${rejected.length})`)
        sendJson(res, 200, { rejected })
      }
    } catch (error) {
      asHttp(error)
    }
    return true
  }
  return false
}
