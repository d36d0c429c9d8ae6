/**
 * The headless CLI peer as real processes against a real relay process: login, offline edits,
 * sync (and its failure when the relay is away or the session expired), read-only SQL over every
 * readable region, status, reports and the SQLite export. Bad input changes nothing. Messages
 * come in the locale's one language: Turkish under tr_TR, English under C (and any other).
 */
import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliLanguage } from '../client/cli.ts'
import { runCli, seedUsers, spawnRelay, tempDir, until, type RelayProcess } from './helpers/relayProcess.ts'

const PASSWORDS = { ayse: 'ayse-password', mehmet: 'mehmet-password' } as const
const data = tempDir()
const states = { ayse: tempDir('rainstaff-cli-ayse-'), mehmet: tempDir('rainstaff-cli-mehmet-') }
const outDir = tempDir('rainstaff-cli-out-')
const relays: RelayProcess[] = []
let relay: RelayProcess

type Who = keyof typeof PASSWORDS

/** The runner's own LC_ALL or LC_MESSAGES would outrank LANG: both are cleared (empty counts as unset). */
const C_LOCALE = { LANG: 'C.UTF-8', LC_ALL: '', LC_MESSAGES: '' }
const TURKISH = { LANG: 'tr_TR.UTF-8', LC_ALL: '', LC_MESSAGES: '' }
type Locale = typeof C_LOCALE

function cli(who: Who, args: string[], input = '', locale: Locale = C_LOCALE): ReturnType<typeof runCli> {
  return runCli([...args, '--state', states[who].dir], input, locale)
}

async function ok(who: Who, args: string[], input = ''): Promise<string> {
  const result = await cli(who, args, input)
  if (result.code !== 0) throw new Error(`${args.join(' ')} exited ${result.code}: ${result.stderr}`)
  return result.stdout.trim()
}

async function status(who: Who): Promise<{ connection: string; pendingChanges: number; lastSyncedAt: string | null }> {
  return JSON.parse(await ok(who, ['status', '--json'])) as { connection: string; pendingChanges: number; lastSyncedAt: string | null }
}

function sqlRows(stdout: string): unknown[] {
  return stdout === '' ? [] : stdout.split('\n').map((line) => JSON.parse(line) as unknown)
}

beforeAll(async () => {
  await seedUsers(data.dir, [
    { username: 'ayse', role: 'editor', region: 'ankara', password: PASSWORDS.ayse },
    { username: 'mehmet', role: 'editor', region: 'istanbul', password: PASSWORDS.mehmet },
  ])
  relay = await spawnRelay(data.dir)
  relays.push(relay)
})

afterAll(async () => {
  for (const r of relays) await r.stop('SIGKILL')
  for (const d of [data, states.ayse, states.mehmet, outDir]) d.remove()
})

describe('the CLI speaks the locale\'s one language', () => {
  it('Turkish for tr…, English for anything else, C and POSIX included', () => {
    expect(cliLanguage({ LANG: 'tr_TR.UTF-8' })).toBe('tr')
    expect(cliLanguage({ LANG: 'C.UTF-8', LC_MESSAGES: 'tr_TR.UTF-8' })).toBe('tr')
    expect(cliLanguage({ LANG: 'tr_TR.UTF-8', LC_ALL: 'en_US.UTF-8' })).toBe('en')
    expect(cliLanguage({ LANG: 'tr_TR.UTF-8', LC_ALL: 'C' })).toBe('en')
    expect(cliLanguage({ LANG: 'C.UTF-8' })).toBe('en')
    expect(cliLanguage({ LANG: 'POSIX' })).toBe('en')
    expect(cliLanguage({ LANG: 'de_DE.UTF-8' })).toBe('en')
    expect(cliLanguage({})).toBe('en')
  })
})

describe('rainstaff CLI peer', () => {
  let employee = ''

  it('logs in with the password from stdin and keeps no secret in clear', async () => {
    const result = await cli('ayse', ['login', '--relay', relay.url, '--user', 'ayse'], PASSWORDS.ayse + '\n')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('signed in: ayse (editor, ankara)')
    const file = path.join(states.ayse.dir, 'session.json')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const session = JSON.parse(readFileSync(file, 'utf8')) as { relay: string; token: string; verifier: string }
    expect(session.relay).toBe(relay.url)
    expect(readFileSync(file, 'utf8')).not.toContain(PASSWORDS.ayse)
    expect(result.stdout + result.stderr).not.toContain(session.token)
    expect(relay.output()).not.toContain(session.token)

    const wrong = await cli('mehmet', ['login', '--relay', relay.url, '--user', 'mehmet'], 'not-the-password\n')
    expect(wrong.code).toBe(4)
    expect(wrong.stderr.trim()).toBe('Wrong username or password')
    expect(wrong.stderr).not.toContain('not-the-password')
    const turkish = await cli('mehmet', ['login', '--relay', relay.url, '--user', 'mehmet'], 'not-the-password\n', TURKISH)
    expect(turkish.code).toBe(4)
    expect(turkish.stderr).toMatch(/parola yanlış/)
    expect(turkish.stderr).not.toMatch(/Wrong|password/)
    await ok('mehmet', ['login', '--relay', relay.url + '/', '--user', 'mehmet'], PASSWORDS.mehmet + '\n')
  })

  it('puts records offline-first, refuses bad input in the locale\'s language and changes nothing', async () => {
    employee = await ok('ayse', ['put', 'employees', '--json', JSON.stringify({ full_name: 'Ayşe Yılmaz', title: 'Usta' })])
    expect(employee).toMatch(/^[0-9A-Za-z]{16}$/)
    const long = await cli('ayse', [
      'put', 'timesheets', '--json',
      JSON.stringify({ employee_id: employee, work_date: '2026-01-02', start_time: '08:30', end_time: '02:00', break_minutes: 60 }),
    ])
    // Implausible but possible (17.5 hours): saved, with the warning on stderr (client/README.md).
    expect(long.code, long.stderr).toBe(0)
    expect(long.stderr).toMatch(/^warning: .*longer than 12 hours: 17.5 hours/m)
    expect(long.stderr).not.toMatch(/uyarı|Vardiya/)
    const sheet = long.stdout.trim()
    await ok('ayse', ['put', 'timesheets', '--json', JSON.stringify({ employee_id: employee, work_date: '03.01.2026', start_time: '09:00', end_time: '15:30', break_minutes: 0 })])
    await ok('ayse', ['put', 'settings', '--json', JSON.stringify({ key: 'company_name', value: 'Rainstaff Ltd' })])
    await ok('ayse', ['update', 'timesheets', sheet, '--json', JSON.stringify({ notes: 'gece işi' })])
    expect((await status('ayse')).pendingChanges).toBe(5)

    // Each refusal in one locale, with what the other language would have said absent.
    const refusals: Array<[string[], Locale, RegExp, RegExp]> = [
      [['put', 'timesheets', '--json', JSON.stringify({ employee_id: employee, work_date: '2026-01-05', start_time: '25:00', end_time: '17:00', break_minutes: 0 })], TURKISH, /"25:00" geçerli bir saat değil: saat 00 ile 23 arasında olmalı \(SS:DD\)/, /HH:MM|not a valid time/],
      [['put', 'employees', '--json', '{"full_name": '], C_LOCALE, /--json is not valid JSON/, /geçerli JSON değil/],
      [['put', 'employes', '--json', '{}'], TURKISH, /Bilinmeyen tablo: employes/, /Unknown table/],
      [['put', 'employees', '--json', '{"full_name":"X"}', '--region', 'istanbul'], C_LOCALE, /You may not write to region istanbul/, /yazma izniniz yok/],
      [['update', 'employees', 'nope', '--json', '{"title":"x"}'], TURKISH, /kayıt bulunamadı/, /record not found/],
      [['delete', 'employees'], C_LOCALE, /^ID is required$/m, /gerekli/],
      [['put', 'timesheets', '--json', JSON.stringify({ employee_id: employee, work_date: '2026-01-05', start_time: '08:00', end_time: '17:00', break_minutes: 600 })], TURKISH, /Mola vardiya kadar ya da daha uzun/, /as long as the shift or longer/],
      [['put', 'employees', '--json', JSON.stringify({ full_name: 'Kimlik Hatalı', identity_no: '10000000147' })], C_LOCALE, /check digits do not match/, /kontrol haneleri tutmuyor/],
    ]
    for (const [args, locale, message, otherLanguage] of refusals) {
      const result = await cli('ayse', args, '', locale)
      expect(result.code, args.join(' ')).not.toBe(0)
      expect(result.stderr).toMatch(message)
      expect(result.stderr).not.toMatch(otherLanguage)
      expect(result.stdout).toBe('')
    }
    expect((await status('ayse')).pendingChanges).toBe(5)
  })

  it('syncs, then reads every region read-only through sql', async () => {
    const before = await status('ayse')
    expect(before.connection).toBe('online')
    const synced = await cli('ayse', ['sync'])
    expect(synced.code).toBe(0)
    expect(synced.stdout).toContain('0 changes pending')
    const after = await status('ayse')
    expect(after.pendingChanges).toBe(0)
    expect(after.lastSyncedAt).not.toBeNull()

    await ok('mehmet', ['put', 'vehicles', '--json', JSON.stringify({ plate: '34 ABC 123', km: 1000 })])
    await ok('mehmet', ['sync'])
    const rows = sqlRows(await ok('mehmet', ['sql', "SELECT region, full_name, updated_by FROM employees UNION ALL SELECT region, plate, updated_by FROM vehicles ORDER BY 1"]))
    expect(rows).toEqual([
      { region: 'ankara', full_name: 'Ayşe Yılmaz', updated_by: 'ayse' },
      { region: 'istanbul', full_name: '34ABC123', updated_by: 'mehmet' },
    ])
    for (const query of ['DELETE FROM employees', 'SELECT 1; DROP TABLE employees', 'WITH x AS (SELECT 1) INSERT INTO employees(id) SELECT 1']) {
      const refused = await cli('mehmet', ['sql', query])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toMatch(/^(Only SELECT queries may run|Only a single statement may run)/)
    }
    expect(sqlRows(await ok('mehmet', ['sql', "SELECT count(*) AS n FROM employees"]))).toEqual([{ n: 1 }])
  })

  it('works offline while the relay is down: put succeeds, sync fails clearly, then catches up', async () => {
    await relay.stop()
    const id = await ok('ayse', ['put', 'employees', '--json', JSON.stringify({ full_name: 'Çevrimdışı Çalışan' })])
    const failed = await cli('ayse', ['sync'], '', TURKISH)
    expect(failed.code).toBe(3)
    expect(failed.stderr.trim()).toMatch(/^Sunucuya ulaşılamıyor: http:\/\/127\.0\.0\.1:\d+; 1 değişiklik bekliyor$/)
    const offline = await status('ayse')
    expect(offline).toMatchObject({ connection: 'offline', pendingChanges: 1 })

    relay = await spawnRelay(data.dir, ['--port', String(relay.port)])
    relays.push(relay)
    await ok('ayse', ['sync'])
    expect((await status('ayse')).pendingChanges).toBe(0)
    await ok('mehmet', ['sync'])
    expect(sqlRows(await ok('mehmet', ['sql', `SELECT full_name FROM employees WHERE id = '${id}'`]))).toEqual([{ full_name: 'Çevrimdışı Çalışan' }])
  })

  it('writes the report as xlsx in the legacy layout, and as csv and json', async () => {
    const file = await ok('ayse', ['report', '--month', '2026-01', '--format', 'xlsx', '--out', outDir.dir])
    expect(path.basename(file)).toBe('puantaj_raporu_tum_calisanlar_2026-01-01_2026-01-31.xlsx')
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(file)
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Rainstaff', 'Ozet'])
    const sheet = workbook.getWorksheet('Rainstaff')!
    expect(sheet.getCell('A1').value).toBe('Rainstaff Ltd')
    expect(sheet.getCell('A3').value).toBe('Tarih Araligi: 2026-01-01 - 2026-01-31')
    expect((sheet.getRow(5).values as unknown[]).slice(1)).toEqual([
      'Calisan', 'Bolge', 'Tarih', 'Giris', 'Cikis', 'Mola (dk)', 'Calisilan (s)', 'Plan (s)', 'Fazla Mesai (s)', 'Gece (s)',
      'Geceye Tasan (s)', 'Ozel Gun', 'Ozel Gun Normal (s)', 'Ozel Gun Fazla (s)', 'Ozel Gun Gece (s)', 'Not',
    ])
    // The legacy doc's examples: Fri 08:30–02:00 and Sat 09:00–15:30.
    expect((sheet.getRow(6).values as unknown[]).slice(1)).toEqual([
      'Ayşe Yılmaz', 'Ankara', '2026-01-02', '08:30', '02:00', 60, 16.5, 9, 8.5, 4, 2, 'Hayir', 0, 0, 0, 'gece işi',
    ])
    expect((sheet.getRow(7).values as unknown[]).slice(1, 12)).toEqual(['Ayşe Yılmaz', 'Ankara', '2026-01-03', '09:00', '15:30', 0, 6.5, 5, 1.5, 0, 0])
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 5 })
    const summary = workbook.getWorksheet('Ozet')!
    expect((summary.getRow(2).values as unknown[]).slice(1)).toEqual(['Ayşe Yılmaz', 'Ankara', 23, 14, 10, 4, 2])

    const csv = readFileSync(await ok('ayse', ['report', '--month', '2026-01', '--format', 'csv', '--out', path.join(outDir.dir, 'r.csv')]), 'utf8')
    // Turkish Excel's dialect: BOM, ";" between cells, decimal commas, GG.AA.YYYY dates.
    expect(csv.startsWith('\uFEFF')).toBe(true)
    expect(csv.split('\r\n')[1]).toBe('Ayşe Yılmaz;Ankara;02.01.2026;08:30;02:00;60;16,5;9;8,5;4;2;Hayir;0;0;0;gece işi')
    const json = JSON.parse(readFileSync(await ok('ayse', ['report', '--month', '2026-01', '--format', 'json', '--out', path.join(outDir.dir, 'r.json')]), 'utf8')) as { totals: unknown[] }
    expect(json.totals).toEqual([expect.objectContaining({ employee: 'Ayşe Yılmaz', worked: 23, overtime: 10 })])

    const bad = await cli('ayse', ['report', '--month', '2026-13', '--format', 'xlsx', '--out', outDir.dir])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/The month must be YYYY-MM/)
    expect(bad.stderr).not.toMatch(/YYYY-AA/)
  })

  it('exports every readable region as a SQLite file', async () => {
    const file = await ok('mehmet', ['export-sqlite', '--out', path.join(outDir.dir, 'mehmet.sqlite')])
    const db = new Database(file, { readonly: true })
    try {
      expect(db.prepare('SELECT region, count(*) AS n FROM employees GROUP BY region').all()).toEqual([{ region: 'ankara', n: 2 }])
      expect(db.prepare('SELECT plate FROM vehicles').all()).toEqual([{ plate: '34ABC123' }])
    } finally {
      db.close()
    }
  })
})

describe('rainstaff CLI: a token that expires during an outage', () => {
  const relayData = tempDir()
  const state = tempDir('rainstaff-cli-ttl-')
  afterAll(() => {
    relayData.remove()
    state.remove()
  })

  it('keeps the offline edits, asks to sign in again, then syncs them once', async () => {
    await seedUsers(relayData.dir, [{ username: 'ayse', role: 'editor', region: 'ankara', password: PASSWORDS.ayse }])
    const ttl = ['--token-ttl-seconds', '2']
    const first = await spawnRelay(relayData.dir, ttl)
    relays.push(first)
    const run = (args: string[], input = ''): ReturnType<typeof runCli> => runCli([...args, '--state', state.dir], input, TURKISH)
    expect((await run(['login', '--relay', first.url, '--user', 'ayse'], PASSWORDS.ayse + '\n')).code).toBe(0)
    const expiresAt = (JSON.parse(readFileSync(path.join(state.dir, 'session.json'), 'utf8')) as { expiresAt: number }).expiresAt
    await first.stop()
    const id = (await run(['put', 'employees', '--json', '{"full_name":"Gece Vardiyası"}'])).stdout.trim()
    // Waiting for the clock, not measuring: the token has to be dead when the relay returns.
    await until(() => Date.now() > expiresAt + 100, 'the token expires', 10_000)
    // Back with the default lifetime: the old token stays expired, the new one outlives this test.
    const back = await spawnRelay(relayData.dir, ['--port', String(first.port)])
    relays.push(back)

    const expired = await run(['sync'])
    expect(expired.code).toBe(4)
    expect(expired.stderr).toMatch(/Oturumun süresi doldu; yeniden giriş yapın: rainstaff login; 1 değişiklik bekliyor \(kaybolmadı\)/)
    expect(expired.stderr).not.toMatch(/session expired/)
    expect((await run(['login'], PASSWORDS.ayse + '\n')).code).toBe(0)
    const synced = await run(['sync'])
    expect(synced.code, synced.stderr).toBe(0)
    const rows = await run(['sql', 'SELECT id, full_name FROM employees'])
    expect(sqlRows(rows.stdout.trim())).toEqual([{ id, full_name: 'Gece Vardiyası' }])
  })

  it('refuses a second put of an existing plate, naming the record, and keeps every field', async () => {
    const id = await ok('ayse', ['put', 'vehicles', '--json', JSON.stringify({ plate: '06 ABC 123', brand: 'Fiat', model: 'Doblo', km: 152000 })])
    expect(id).toBe('plate:06ABC123')
    const again = await cli('ayse', ['put', 'vehicles', '--json', JSON.stringify({ plate: '06abc123' })], '', TURKISH)
    expect(again.code).toBe(5)
    expect(again.stdout.trim()).toBe(id)
    expect(again.stderr).toMatch(/^Araçlar: bu kayıt zaten var/)
    expect(again.stderr).not.toMatch(/already exists/)
    expect(again.stderr).toContain(`değiştirmek için: rainstaff update vehicles ${id}`)
    const rows = sqlRows(await ok('ayse', ['sql', "SELECT brand, model, km FROM vehicles WHERE id = 'plate:06ABC123'"]))
    expect(rows).toEqual([{ brand: 'Fiat', model: 'Doblo', km: 152000 }])
    // A deleted plate entered again comes back with what is given; what is left out stays.
    await ok('ayse', ['delete', 'vehicles', id])
    expect(await ok('ayse', ['put', 'vehicles', '--json', JSON.stringify({ plate: '06 ABC 123', km: 153000 })])).toBe(id)
    const restored = sqlRows(await ok('ayse', ['sql', "SELECT brand, model, km FROM vehicles WHERE id = 'plate:06ABC123'"]))
    expect(restored).toEqual([{ brand: 'Fiat', model: 'Doblo', km: 153000 }])
  })

  it('keeps a stock serial to one record: a second put is refused, a renamed serial is refused, nothing changes', async () => {
    const item = { stok_kod: '754', stok_adi: 'POS KARBON FİLTRE', seri_no: 'ST87080', durum: 'OK', adet: 1 }
    const id = await ok('ayse', ['put', 'stock_inventory', '--json', JSON.stringify(item)])
    expect(id).toBe('seri_no:ST87080')
    const again = await cli('ayse', ['put', 'stock_inventory', '--json', JSON.stringify({ seri_no: ' st87080 ', durum: 'ARIZALI' })])
    expect(again.code).toBe(5)
    expect(again.stdout.trim()).toBe(id)
    expect(again.stderr).toMatch(/^Stock: this record already exists/)
    const renamed = await cli('ayse', ['update', 'stock_inventory', id, '--json', JSON.stringify({ seri_no: 'ST99999' })], '', TURKISH)
    expect(renamed.code).toBe(1)
    expect(renamed.stderr).toMatch(/^Seri no: kaydın kimliğidir, değiştirilemez/)
    const rows = sqlRows(await ok('ayse', ['sql', "SELECT id, seri_no, durum, adet FROM stock_inventory ORDER BY id"]))
    expect(rows).toEqual([{ id, seri_no: 'ST87080', durum: 'OK', adet: 1 }])
  })
})
