/**
 * Closing a month on a real relay with real y-websocket clients: the head office closes it with
 * the sheet it checked (refused when the month changed since), the sheet comes back byte for
 * byte with its SHA-256; a write into the closed month is kept as a late edit — acknowledged as
 * durable to its writer, seen by nobody — a resend does not make a second one; accepting applies
 * it for everyone, rejecting tells the writer which clocks to drop; reopening needs a reason and
 * takes writes again; only the admin controls months; all of it survives a restart.
 */
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as decoding from 'lib0/decoding'
import * as Y from 'yjs'
import { MESSAGE_PERIOD_STATE, readPeriodState, type PeriodStateMessage } from '../crdt/protocol.ts'
import { readRecord } from '../crdt/records.ts'
import { insertRecord, updateRecord } from '../crdt/regionDoc.ts'
import { startRelay, type Relay } from '../relay/server.ts'
import { ADMIN_PASSWORD, connectClient, seedUsers, tempDir, tokenFor, until, type TestClient } from './helpers/relayProcess.ts'

const USERS = [
  { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
  { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
] as const
const MONTH = 'ankara/2026-10'
const ayse = { user: 'ayse' }
const SHEET = new TextEncoder().encode('PK… the checked sheet of October')

type Target = { url: string; port: number }
const wsOf = (relay: Target): { wsUrl: string } => ({ wsUrl: `ws://127.0.0.1:${relay.port}/sync` })

/** A client that also records the month's state messages (102). */
function monthClient(relay: Target, token: string, doc?: Y.Doc): TestClient & { states: PeriodStateMessage[] } {
  const client = connectClient(wsOf(relay), MONTH, token, doc)
  const states: PeriodStateMessage[] = []
  client.provider.messageHandlers[MESSAGE_PERIOD_STATE] = (_encoder, decoder: decoding.Decoder) => {
    states.push(readPeriodState(decoder))
  }
  return Object.assign(client, { states })
}

async function api(relay: Target, token: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${relay.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) } })
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> }
}

async function durable(client: TestClient): Promise<void> {
  const clock = Y.getState(client.doc.store, client.doc.clientID)
  await until(() => (client.durable.get(client.doc.clientID) ?? 0) >= clock, 'edits durable')
}

/** What a reader that connects now sees of the timesheet. */
async function seenByNewcomer(relay: Target, token: string, id: string): Promise<unknown> {
  const reader = connectClient(wsOf(relay), MONTH, token)
  await reader.synced()
  const notes = readRecord(reader.doc, 'timesheets', id)?.notes
  reader.destroy()
  return notes
}

describe('closing a month', () => {
  const data = tempDir('rainstaff-closing-')
  let relay: Relay
  let admin: string
  let clerk: string
  let master: TestClient
  let month: ReturnType<typeof monthClient>
  let sheetId = ''

  beforeAll(async () => {
    await seedUsers(data.dir, [...USERS])
    relay = await startRelay({ dataDir: data.dir, port: 0, host: '127.0.0.1', log: () => {} })
    admin = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
    clerk = await tokenFor(relay, 'ayse', 'ayse-password')
    master = connectClient(wsOf(relay), 'ankara', clerk)
    month = monthClient(relay, clerk)
    await Promise.all([master.synced(), month.synced()])
    const employee = insertRecord(master.doc, 'employees', 'ankara', { full_name: 'AYŞE YILMAZ' }, ayse)
    await durable(master)
    sheetId = insertRecord(month.doc, 'timesheets', 'ankara', { employee_id: employee, work_date: '2026-10-05', start_time: '08:00', end_time: '17:00', break_minutes: 60, is_special: 0, notes: 'ilk' }, ayse, (table, id) => readRecord(table === 'employees' ? master.doc : month.doc, table, id))
    await durable(month)
  })

  afterAll(async () => {
    master.destroy()
    month.destroy()
    await relay.close()
    data.remove()
  })

  const version = async (): Promise<number> => {
    const { body } = await api(relay, admin, '/api/documents')
    return Number((body.versions as Record<string, string>)[MONTH])
  }
  const close = async (v: number, token = admin): Promise<{ status: number; body: Record<string, unknown> }> =>
    api(relay, token, `/api/periods/${MONTH}/close`, { method: 'POST', body: SHEET, headers: { 'x-rainstaff-version': String(v), 'content-type': 'application/octet-stream' } })

  it('only the admin closes, only the month checked, and the sheet comes back byte for byte', async () => {
    const current = await version()
    expect((await close(current, clerk)).status).toBe(403)
    const stale = await close(current - 1)
    expect(stale.status).toBe(409)
    expect(String(stale.body.tr)).toMatch(/Ekim 2026 kontrol edildikten sonra değişti/)
    expect((await api(relay, admin, '/api/periods/ankara/close', { method: 'POST' })).status).toBe(404)
    const closed = await close(current)
    expect(closed.status).toBe(200)
    expect(closed.body).toMatchObject({ document: MONTH, closed: true, closedBy: 'admin', version: current, sheetSha256: createHash('sha256').update(SHEET).digest('hex') })
    expect((await close(current)).status).toBe(409)
    const sheet = await fetch(`${relay.url}/api/periods/${MONTH}/sheet.xlsx`, { headers: { authorization: `Bearer ${clerk}` } })
    expect(new Uint8Array(await sheet.arrayBuffer())).toEqual(SHEET)
    expect(sheet.headers.get('x-rainstaff-sha256')).toBe(closed.body.sheetSha256)
    await until(() => month.states.at(-1)?.closed === true, 'the writer hears the month closed')
    expect((await api(relay, clerk, '/api/periods')).body).toEqual({ closed: [MONTH] })
  })

  it('keeps a write into the closed month as a late edit: durable for its writer, unseen by others, once', async () => {
    updateRecord(month.doc, 'timesheets', sheetId, { notes: 'geç' }, ayse)
    await durable(month)
    expect(await seenByNewcomer(relay, clerk, sheetId)).toBe('ilk')
    const listed = await api(relay, admin, '/api/late-edits?state=waiting')
    const edits = listed.body.lateEdits as Array<{ id: number; account: string; document: string }>
    expect(edits).toHaveLength(1)
    expect(edits[0]).toMatchObject({ account: 'ayse', document: MONTH })
    await until(() => month.states.at(-1)?.waiting.length === 1, 'the writer hears its edit waits')
    // A reconnect sends everything the relay's doc lacks again: no second late edit.
    const doc = month.doc
    month.provider.destroy()
    month = monthClient(relay, clerk, doc)
    await month.synced()
    await until(() => month.states.length > 0, 'state on connecting')
    expect(((await api(relay, admin, '/api/late-edits?state=waiting')).body.lateEdits as unknown[]).length).toBe(1)
    expect((await api(relay, clerk, '/api/late-edits')).status).toBe(403)
    // The head office sees what it would accept: the field, before and after; nothing applied by looking.
    const changes = await api(relay, admin, `/api/late-edits/${edits[0]!.id}/changes`)
    expect(changes.body.changes).toEqual([{ table: 'timesheets', record: sheetId, kind: 'changed', fields: [{ field: 'notes', before: 'ilk', after: 'geç' }], after: expect.objectContaining({ notes: 'geç', work_date: expect.any(String) }) }])
    expect(await seenByNewcomer(relay, clerk, sheetId)).toBe('ilk')
    expect((await api(relay, clerk, `/api/late-edits/${edits[0]!.id}/changes`)).status).toBe(403)
    expect((await api(relay, admin, '/api/late-edits/999999/changes')).status).toBe(404)
  })

  it('refuses a write into the closed month that breaks the schema, as any write, and keeps nothing of it', async () => {
    const hostile = connectClient(wsOf(relay), MONTH, clerk)
    await hostile.synced()
    const record = hostile.doc.getMap('timesheets').get(sheetId) as Y.Map<unknown>
    hostile.doc.transact(() => {
      record.set('break_minutes', 'bir saat')
      record.set('updated_at', new Date().toISOString())
      record.set('updated_by', 'ayse')
    })
    await until(() => hostile.refused.length > 0, 'the refusal')
    expect(hostile.refused[0]).toMatchObject({ ranges: [expect.objectContaining({ client: hostile.doc.clientID })] })
    expect(hostile.refused[0]!.code).not.toBe('late_edit_rejected')
    hostile.destroy()
    expect(((await api(relay, admin, '/api/late-edits?state=waiting')).body.lateEdits as unknown[]).length).toBe(1)
    // The honest late edit still shows its change: the refused one left nothing in the month set aside.
    const [waiting] = (await api(relay, admin, '/api/late-edits?state=waiting')).body.lateEdits as Array<{ id: number }>
    expect(((await api(relay, admin, `/api/late-edits/${waiting!.id}/changes`)).body.changes as unknown[]).length).toBe(1)
  })

  it('accepting applies the late edit for everyone; rejecting tells the writer what to drop', async () => {
    const [waiting] = (await api(relay, admin, '/api/late-edits?state=waiting')).body.lateEdits as Array<{ id: number }>
    const accepted = await api(relay, admin, `/api/late-edits/${waiting!.id}/accept`, { method: 'POST' })
    expect(accepted.body).toMatchObject({ id: waiting!.id, state: 'accepted', decidedBy: 'admin' })
    expect(await seenByNewcomer(relay, clerk, sheetId)).toBe('geç')
    expect((await api(relay, admin, `/api/late-edits/${waiting!.id}/accept`, { method: 'POST' })).status).toBe(409)

    updateRecord(month.doc, 'timesheets', sheetId, { notes: 'reddedilecek' }, ayse)
    await durable(month)
    const [second] = (await api(relay, admin, '/api/late-edits?state=waiting')).body.lateEdits as Array<{ id: number }>
    const rejected = await api(relay, admin, `/api/late-edits/${second!.id}/reject`, { method: 'POST', body: JSON.stringify({ reason: 'ay kapandı' }), headers: { 'content-type': 'application/json' } })
    expect(rejected.body.rejected).toMatchObject([{ id: second!.id, state: 'rejected', reason: 'ay kapandı' }])
    await until(() => month.refused.some((r) => r.code === 'late_edit_rejected'), 'the writer hears the rejection')
    const refusal = month.refused.find((r) => r.code === 'late_edit_rejected')!
    expect(refusal.ranges.map((r) => r.client)).toEqual([month.doc.clientID])
    expect(refusal.message.tr).toMatch(/merkez tarafından reddedildi/)
    expect(await seenByNewcomer(relay, clerk, sheetId)).toBe('geç')
    await until(() => month.states.at(-1)?.waiting.length === 0, 'nothing waits any more')
  })

  it('reopens with a reason, logged, and takes writes again; all of it survives a restart', async () => {
    const reopen = (body: unknown): Promise<{ status: number; body: Record<string, unknown> }> =>
      api(relay, admin, `/api/periods/${MONTH}/reopen`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
    expect((await reopen({ reason: '  ' })).status).toBe(400)
    const reopened = await reopen({ reason: 'Bordro düzeltmesi' })
    expect(reopened.body).toMatchObject({ closed: false, events: [{ action: 'close', account: 'admin' }, { action: 'reopen', account: 'admin', reason: 'Bordro düzeltmesi' }] })
    await until(() => month.states.at(-1)?.closed === false, 'the writer hears the month open')
    // A fresh writer (the rejected client id stays blocked on the relay) writes as usual.
    const fresh = monthClient(relay, clerk)
    await fresh.synced()
    updateRecord(fresh.doc, 'timesheets', sheetId, { notes: 'açık ay' }, ayse)
    await durable(fresh)
    expect(await seenByNewcomer(relay, clerk, sheetId)).toBe('açık ay')
    fresh.destroy()

    month.destroy()
    master.destroy()
    await relay.close()
    relay = await startRelay({ dataDir: data.dir, port: 0, host: '127.0.0.1', log: () => {} })
    admin = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
    clerk = await tokenFor(relay, 'ayse', 'ayse-password')
    master = connectClient(wsOf(relay), 'ankara', clerk)
    month = monthClient(relay, clerk)
    const state = await api(relay, admin, `/api/periods/${MONTH}`)
    expect(state.body).toMatchObject({ closed: false, events: [{ action: 'close' }, { action: 'reopen', reason: 'Bordro düzeltmesi' }] })
    const all = (await api(relay, admin, '/api/late-edits')).body.lateEdits as Array<{ state: string }>
    expect(all.map((e) => e.state)).toEqual(['accepted', 'rejected'])
  })
})
