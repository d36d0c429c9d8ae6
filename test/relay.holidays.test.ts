/**
 * Public holidays on a real relay: every signed-in user reads a year's calendar (computed feasts
 * marked unconfirmed past the announced years); only the admin confirms, moves or removes a day,
 * and withdrawing a decision gives the computed day back; bad dates and years are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRelay, type Relay } from '../relay/server.ts'
import { ADMIN_PASSWORD, seedUsers, tempDir, tokenFor } from './helpers/relayProcess.ts'

interface Day {
  date: string
  halfDay: boolean
  confirmed: boolean
  name: { tr: string }
}

describe('public holidays on the relay', () => {
  const data = tempDir('rainstaff-holidays-')
  let relay: Relay
  let admin: string
  let clerk: string

  beforeAll(async () => {
    await seedUsers(data.dir, [
      { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
      { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
    ])
    relay = await startRelay({ dataDir: data.dir, port: 0, host: '127.0.0.1', log: () => {} })
    admin = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
    clerk = await tokenFor(relay, 'ayse', 'ayse-password')
  })
  afterAll(async () => {
    await relay.close()
    data.remove()
  })

  const call = async (token: string | null, path: string, method = 'GET', body?: unknown): Promise<{ status: number; days: Day[] }> => {
    const res = await fetch(`${relay.url}${path}`, {
      method,
      headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const json = (await res.json().catch(() => ({}))) as { holidays?: Day[] }
    return { status: res.status, days: json.holidays ?? [] }
  }

  it('reads a year for any signed-in user; later years wait for the head office', async () => {
    expect((await call(null, '/api/holidays/2026')).status).toBe(401)
    const y2026 = await call(clerk, '/api/holidays/2026')
    expect(y2026.days.find((d) => d.date === '2026-03-19')).toMatchObject({ halfDay: true, confirmed: true })
    const y2027 = await call(clerk, '/api/holidays/2027')
    expect(y2027.days.find((d) => d.date === '2027-03-09')?.confirmed).toBe(false)
    expect((await call(clerk, '/api/holidays/1800')).status).toBe(404)
  })

  it('only the admin decides; a decision can be withdrawn', async () => {
    expect((await call(clerk, '/api/holidays/2027-03-09', 'PUT', {})).status).toBe(403)
    expect((await call(admin, '/api/holidays/2027-02-30', 'PUT', {})).status).toBe(400)
    const confirmed = await call(admin, '/api/holidays/2027-03-09', 'PUT', {})
    expect(confirmed.days.find((d) => d.date === '2027-03-09')).toMatchObject({ confirmed: true, name: { tr: 'Ramazan Bayramı' } })
    const removed = await call(admin, '/api/holidays/2027-05-15', 'PUT', { removed: true })
    expect(removed.days.some((d) => d.date === '2027-05-15')).toBe(false)
    const added = await call(admin, '/api/holidays/2027-12-31', 'PUT', { nameTr: 'İdari izin', halfDay: true })
    expect(added.days.find((d) => d.date === '2027-12-31')).toMatchObject({ halfDay: true, confirmed: true, name: { tr: 'İdari izin' } })
    const withdrawn = await call(admin, '/api/holidays/2027-05-15', 'DELETE')
    expect(withdrawn.days.find((d) => d.date === '2027-05-15')?.confirmed).toBe(false)
    expect((await call(clerk, '/api/holidays/2027')).days.find((d) => d.date === '2027-03-09')?.confirmed).toBe(true)
  })
})
