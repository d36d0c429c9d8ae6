/**
 * The head office's month controls from the CLI against a relay process: the monthly sheet as
 * xlsx (`report --format sheet`), `close-month` with the sheet made from the relay's copy (its
 * SHA-256 printed and kept), a clerk's later edit of the closed month kept as a late edit — her
 * pending count still reaches 0 — listed one JSON object a line and accepted, `reopen-month`
 * only with a reason, and every control refused to a clerk. The sheets count the relay's holiday
 * list, with the head office's decisions.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_PASSWORD, runCli, seedUsers, spawnRelay, tempDir, tokenFor, type RelayProcess } from './helpers/relayProcess.ts'

const C_LOCALE = { LANG: 'C.UTF-8', LC_ALL: '', LC_MESSAGES: '' }
const data = tempDir()
const states = { admin: tempDir('rainstaff-cli-admin-'), ayse: tempDir('rainstaff-cli-ayse-') }
const outDir = tempDir('rainstaff-cli-out-')
let relay: RelayProcess
type Who = keyof typeof states

const cli = (who: Who, args: string[], input = ''): ReturnType<typeof runCli> => runCli([...args, '--state', states[who].dir], input, C_LOCALE)

async function ok(who: Who, args: string[], input = ''): Promise<string> {
  const result = await cli(who, args, input)
  if (result.code !== 0) throw new Error(`${args.join(' ')} exited ${result.code}: ${result.stderr}`)
  return result.stdout.trim()
}

beforeAll(async () => {
  await seedUsers(data.dir, [
    { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
    { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
  ])
  relay = await spawnRelay(data.dir)
  await ok('ayse', ['login', '--relay', relay.url, '--user', 'ayse'], 'ayse-password\n')
  await ok('admin', ['login', '--relay', relay.url, '--user', 'admin'], `${ADMIN_PASSWORD}\n`)
})

afterAll(async () => {
  await relay.stop('SIGKILL')
  for (const d of [data, states.admin, states.ayse, outDir]) d.remove()
})

describe('closing a month from the CLI', () => {
  let sheetId = ''

  it('writes the monthly sheet and closes the month with the sheet the relay’s copy gives', async () => {
    const employee = await ok('ayse', ['put', 'employees', '--json', JSON.stringify({ full_name: 'Ayşe Yılmaz', start_date: '2020-01-06' })])
    for (const day of ['05', '06', '07']) {
      sheetId = await ok('ayse', ['put', 'timesheets', '--json', JSON.stringify({ employee_id: employee, work_date: `2026-10-${day}`, start_time: '08:00', end_time: '18:00', break_minutes: 60, is_special: 0 })])
    }
    await ok('ayse', ['put', 'leaves', '--json', JSON.stringify({ employee_id: employee, leave_type: 'Y', first_day: '2026-10-12', last_day: '2026-10-13', half_day: 0 })])
    await ok('ayse', ['sync', '--all-months'])

    // The head office declares a day off the computed calendar does not have: every sheet counts it.
    const token = await tokenFor(relay, 'admin', ADMIN_PASSWORD)
    const decided = await fetch(`${relay.url}/api/holidays/2026-10-09`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ nameTr: 'İdari izin', nameEn: 'Administrative leave', halfDay: false }),
    })
    expect(decided.status).toBe(200)
    await ok('admin', ['sync'])
    const refused = await cli('admin', ['report', '--month', '2026-10', '--region', 'ankara', '--format', 'csv', '--rules', 'law', '--out', path.join(outDir.dir, 'x.csv')])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/--rules law goes with --format sheet only/)
    const file = path.join(outDir.dir, 'ekim.xlsx')
    expect(await ok('admin', ['report', '--month', '2026-10', '--region', 'ankara', '--format', 'sheet', '--out', file])).toBe(file)
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(file)
    const row = workbook.getWorksheet('Puantaj')!.getRow(6)
    expect(row.getCell(1).value).toBe('Ayşe Yılmaz')
    expect([5, 6, 7, 9, 12, 13].map((day) => row.getCell(1 + day).value)).toEqual(['M', 'M', 'M', 'B', 'Y', 'Y'])

    expect((await cli('ayse', ['close-month', '--region', 'ankara', '--month', '2026-10'])).code).toBe(1)
    const kept = path.join(outDir.dir, 'kapanis.xlsx')
    const closed = await ok('admin', ['close-month', '--region', 'ankara', '--month', '2026-10', '--out', kept])
    const sha = createHash('sha256').update(readFileSync(kept)).digest('hex')
    const closing = new ExcelJS.Workbook()
    await closing.xlsx.readFile(kept)
    expect(closing.getWorksheet('Puantaj')!.getRow(6).getCell(1 + 9).value).toBe('B')
    expect(closed).toBe(`ankara October 2026 closed; sheet SHA-256 ${sha}`)
    const again = await cli('admin', ['close-month', '--region', 'ankara', '--month', '2026-10'])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/closed already/)
  })

  it('keeps a clerk’s edit of the closed month as a late edit until the head office accepts it', async () => {
    await ok('ayse', ['update', 'timesheets', sheetId, '--json', JSON.stringify({ notes: 'geç geldi' })])
    await ok('ayse', ['sync', '--month', '2026-10'])
    expect(JSON.parse(await ok('ayse', ['status', '--json'])).pendingChanges).toBe(0)
    expect((await cli('ayse', ['late-edits', 'list'])).code).toBe(1)
    const lines = (await ok('admin', ['late-edits', 'list', '--status', 'waiting', '--json'])).split('\n')
    expect(lines).toHaveLength(1)
    const edit = JSON.parse(lines[0]!) as { id: number; account: string; document: string; state: string }
    expect(edit).toMatchObject({ account: 'ayse', document: 'ankara/2026-10', state: 'waiting' })
    expect(await ok('admin', ['late-edits', 'accept', String(edit.id)])).toBe(`${edit.id} accepted (ankara/2026-10)`)
    expect(await ok('admin', ['late-edits', 'list', '--status', 'waiting'])).toBe('')
  })

  it('reopens only with a reason', async () => {
    expect((await cli('admin', ['reopen-month', '--region', 'ankara', '--month', '2026-10'])).code).toBe(2)
    expect(await ok('admin', ['reopen-month', '--region', 'ankara', '--month', '2026-10', '--reason', 'bordro düzeltmesi'])).toBe('ankara October 2026 reopened')
    expect((await cli('admin', ['reopen-month', '--region', 'ankara', '--month', '2026-10', '--reason', 'x'])).code).toBe(1)
  })
})
