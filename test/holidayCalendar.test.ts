/**
 * The holidays a device counts with (client/holidayCalendar.ts), against a real relay and a real
 * file store: the relay's list with the head office's decision, saved and read back offline by a
 * new calendar; a damaged saved copy, and a year never asked about, are the computed calendar.
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openFileStore, type FileStore } from '../client/fileStore.ts'
import { HolidayCalendar } from '../client/holidayCalendar.ts'
import { signIn, type Session } from '../client/signIn.ts'
import { startRelay, type Relay } from '../relay/server.ts'
import { officialHolidays } from '../schema/holidays.ts'
import { ADMIN_PASSWORD, seedUsers, tempDir, tokenFor } from './helpers/relayProcess.ts'

const data = tempDir('rainstaff-holiday-calendar-')
const device = tempDir('rainstaff-holiday-device-')
let relay: Relay
let store: FileStore
let session: Session

beforeAll(async () => {
  await seedUsers(data.dir, [
    { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
    { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
  ])
  relay = await startRelay({ dataDir: data.dir, port: 0, host: '127.0.0.1', log: () => {} })
  const token = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
  const put = await fetch(`${relay.url}/api/holidays/2027-03-09`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ halfDay: true }),
  })
  expect(put.status).toBe(200)
  store = openFileStore(device.dir)
  ;({ session } = await signIn({ relay: relay.url, username: 'ayse', password: 'ayse-password', store }))
})

afterAll(async () => {
  await store.close()
  await relay.close()
  data.remove()
  device.remove()
})

describe('the holiday calendar', () => {
  it('counts the relay’s list once heard, and keeps it for offline use', async () => {
    const calendar = await HolidayCalendar.open(store)
    expect(calendar.fromRelay(2027)).toBe(false)
    expect(calendar.of(2027)).toEqual(officialHolidays(2027))
    expect(await calendar.refresh(session, [2026, 2027])).toBe(true)
    expect(await calendar.refresh(session, [2027])).toBe(false)
    const decided = calendar.of(2027).find((h) => h.date === '2027-03-09')
    expect(decided).toMatchObject({ halfDay: true, confirmed: true })

    await relay.close()
    const offline = await HolidayCalendar.open(store)
    expect(offline.fromRelay(2027)).toBe(true)
    expect(offline.of(2027)).toEqual(calendar.of(2027))
    await expect(offline.refresh(session, [2027])).rejects.toMatchObject({ code: 'unreachable' })
    expect(offline.of(2027)).toEqual(calendar.of(2027))
    expect(offline.around('2027-01')).toEqual([...offline.of(2026), ...offline.of(2027)])
    expect(offline.of(2028)).toEqual(officialHolidays(2028))
    relay = await startRelay({ dataDir: data.dir, port: 0, host: '127.0.0.1', log: () => {} })
  })

  it('takes a damaged saved copy for the computed calendar, year by year', async () => {
    writeFileSync(path.join(device.dir, 'holidays.json'), JSON.stringify({ 2027: [{ date: '2026-01-01', name: 'x' }], nonsense: 1, 2026: officialHolidays(2026) }))
    const calendar = await HolidayCalendar.open(store)
    expect(calendar.fromRelay(2027)).toBe(false)
    expect(calendar.fromRelay(2026)).toBe(true)
    writeFileSync(path.join(device.dir, 'holidays.json'), '{ not json')
    expect((await HolidayCalendar.open(store)).fromRelay(2026)).toBe(false)
  })
})
