/**
 * Public holidays over HTTP: every signed-in user reads a year's list (the official days,
 * computed where not yet announced, with the head office's decisions applied, and each day's
 * `confirmed`); the admin confirms, adds, moves or removes days — a control action, logged, not
 * an edit of any region's records.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { holidaysOf } from '../schema/holidays.ts'
import { parseWorkDate } from '../schema/hours.ts'
import { field, HttpError, readJson, requireAdmin, requireSession, sendJson, type HttpContext } from './httpBase.ts'

const YEAR = /^\/api\/holidays\/(\d{4})$/
const DAY = /^\/api\/holidays\/(\d{4}-\d{2}-\d{2})$/

function nameOf(body: unknown): { tr: string; en: string } | null {
  const tr = field(body, 'nameTr')
  const en = field(body, 'nameEn')
  if (tr === undefined || tr === null || tr === '') return null
  if (typeof tr !== 'string' || tr.length > 100 || (en !== undefined && en !== null && (typeof en !== 'string' || en.length > 100))) {
    throw new HttpError(400, 'Tatil adı en çok 100 karakter olabilir', 'A holiday name is at most 100 characters', {}, 'bad_name')
  }
  return { tr: tr.trim(), en: typeof en === 'string' && en.trim() !== '' ? en.trim() : tr.trim() }
}

export async function holidayRoutes(req: IncomingMessage, res: ServerResponse, ctx: HttpContext, pathname: string, method: string): Promise<boolean> {
  const year = YEAR.exec(pathname)
  if (year !== null && method === 'GET') {
    requireSession(req, ctx)
    const y = Number(year[1])
    if (y < 1950 || y > 2100) throw new HttpError(404, 'Bu yıl için takvim yok', 'No calendar for this year', {}, 'bad_year')
    const decisions = ctx.store.holidays.decisions(y)
    sendJson(res, 200, { year: y, holidays: holidaysOf(y, decisions), decisions })
    return true
  }
  const day = DAY.exec(pathname)
  if (day === null) return false
  const date = day[1] ?? ''
  if (parseWorkDate(date) !== date) throw new HttpError(400, `Geçersiz tarih: ${date}`, `Invalid date: ${date}`, {}, 'bad_date')
  const admin = requireAdmin(req, ctx)
  if (method === 'PUT') {
    const body = await readJson(req)
    const halfDay = field(body, 'halfDay') === true
    const removed = field(body, 'removed') === true
    ctx.store.holidays.decide({ date, name: nameOf(body), halfDay, removed, decidedBy: admin.username, decidedAt: Date.now() })
    ctx.log(`relay: ${admin.username} ${date} tatil kararı / holiday decision (${removed ? 'removed' : halfDay ? 'half day' : 'day off'})`)
  } else if (method === 'DELETE') {
    ctx.store.holidays.forget(date)
    ctx.log(`relay: ${admin.username} ${date} tatil kararını geri aldı / withdrew the holiday decision`)
  } else {
    throw new HttpError(405, 'Bu yöntem desteklenmiyor', 'Method not allowed', {}, 'method_not_allowed')
  }
  const y = Number(date.slice(0, 4))
  sendJson(res, 200, { year: y, holidays: holidaysOf(y, ctx.store.holidays.decisions(y)) })
  return true
}
