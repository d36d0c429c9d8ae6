/**
 * Login against a real relay: the failed-login budget is reserved before the password hash runs
 * (parallel guesses count), budgets per (address, username), per username and per address, and
 * one answer (401, one body, one scrypt derivation) for every kind of failure. The relay runs
 * behind a pretend proxy (RAINSTAFF_TRUST_PROXY=1) so each request can come from its own address.
 * The limiter itself is also driven directly, with a clock the test owns.
 */
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LoginLimiter, type LoginAdmission, type LoginLimits } from '../relay/limits.ts'
import { startRelay, type Relay } from '../relay/server.ts'
import { openStore } from '../relay/store.ts'
import { setDisabled } from '../relay/users.ts'
import { ADMIN_PASSWORD, metricsText, seedUsers, spawnRelay, tempDir, type RelayProcess } from './helpers/relayProcess.ts'

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

interface Answer {
  readonly status: number
  readonly text: string
  readonly retryAfter: string | null
  readonly contentType: string | null
}

async function attempt(relay: { url: string }, username: string, password: string, address: string): Promise<Answer> {
  const res = await fetch(`${relay.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ username, password }),
  })
  return { status: res.status, text: await res.text(), retryAfter: res.headers.get('retry-after'), contentType: res.headers.get('content-type') }
}

function count(answers: readonly Answer[]): Record<number, number> {
  const out: Record<number, number> = {}
  for (const a of answers) out[a.status] = (out[a.status] ?? 0) + 1
  return out
}

const WINDOW = 15 * 60_000
const LIMITS: LoginLimits = { perAddressAndUser: 5, perUser: 20, perAddress: 100, windowMs: WINDOW }

/** True once `promise` has settled; a macrotask turn lets every already-resolvable step run. */
async function hasSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false
  void promise.then(() => (settled = true))
  await new Promise((resolve) => setImmediate(resolve))
  return settled
}

function reservation(admission: LoginAdmission): Extract<LoginAdmission, { ok: true }>['reservation'] {
  if (!admission.ok) throw new Error(`refused: ${admission.scope}`)
  return admission.reservation
}

describe('the login limiter', () => {
  it('counts an attempt from the moment it starts: a sixth parallel guess waits and is refused once five fail', async () => {
    let now = 1_000_000
    const limiter = new LoginLimiter(LIMITS, () => now)
    const five = await Promise.all(Array.from({ length: 5 }, () => limiter.reserve('10.0.0.1', 'ayse')))
    expect(limiter.state('10.0.0.1', 'ayse')['address-and-user']).toEqual({ failures: 0, pending: 5 })
    const sixth = limiter.reserve('10.0.0.1', 'AYSE ')
    expect(await hasSettled(sixth)).toBe(false)
    now += 100
    for (const a of five) reservation(a).fail()
    expect(await sixth).toEqual({ ok: false, scope: 'address-and-user', retryAfterMs: WINDOW - 100, newLockout: true })
    // The lockout is reported once per window, not once per refused attempt.
    expect(await limiter.reserve('10.0.0.1', 'ayse')).toMatchObject({ ok: false, newLockout: false })
    expect(limiter.state('10.0.0.1', 'ayse')).toEqual({
      'address-and-user': { failures: 5, pending: 0 },
      user: { failures: 5, pending: 0 },
      address: { failures: 5, pending: 0 },
    })
    // Another name at the same address is untouched, and the window ends on time.
    expect((await limiter.reserve('10.0.0.1', 'mehmet')).ok).toBe(true)
    now += WINDOW
    expect((await limiter.reserve('10.0.0.1', 'ayse')).ok).toBe(true)
  })

  it('gives a success its reservation back and forgets that pair’s typos, so a waiting attempt goes ahead', async () => {
    const limiter = new LoginLimiter(LIMITS, () => 0)
    for (let i = 0; i < 4; i++) reservation(await limiter.reserve('10.0.0.2', 'ayse')).fail()
    const inFlight = reservation(await limiter.reserve('10.0.0.2', 'ayse'))
    const waiting = limiter.reserve('10.0.0.2', 'ayse')
    expect(await hasSettled(waiting)).toBe(false)
    inFlight.succeed()
    expect((await waiting).ok).toBe(true)
    expect(limiter.state('10.0.0.2', 'ayse')['address-and-user']).toEqual({ failures: 0, pending: 1 })
    // The username's and the address's budgets keep the four failures.
    expect(limiter.state('10.0.0.2', 'ayse').user.failures).toBe(4)
    expect(limiter.state('10.0.0.2', 'ayse').address.failures).toBe(4)
  })

  it('refuses at once, without queueing, beyond 64 attempts waiting on one budget', async () => {
    const limiter = new LoginLimiter(LIMITS, () => 0)
    const inFlight = await Promise.all(Array.from({ length: 5 }, () => limiter.reserve('10.0.0.3', 'ayse')))
    const queued = Array.from({ length: 64 }, () => limiter.reserve('10.0.0.3', 'ayse'))
    expect(await limiter.reserve('10.0.0.3', 'ayse')).toEqual({ ok: false, scope: 'address-and-user', retryAfterMs: 1000, newLockout: false })
    for (const a of inFlight) reservation(a).release()
    // Released, not failed: the queued ones go ahead five at a time as earlier ones settle.
    let admitted = 0
    for (const q of queued) {
      const r = await q
      admitted++
      reservation(r).release()
    }
    expect(admitted).toBe(64)
    expect(limiter.state('10.0.0.3', 'ayse')['address-and-user']).toEqual({ failures: 0, pending: 0 })
  })
})

describe('login against a relay process', () => {
  const data = tempDir()
  let relay: RelayProcess
  const passwords = ['ayse-password', 'legacy-password', 'kapali-password', 'kapali-legacy', 'paralel-password', 'hedef-password', 'ofis-password']
  // Typed into the name field by mistake: it must not reach the log either.
  const mistypedName = 'Gizli-Parola-42'
  const tokens: string[] = []

  const hashes = async (): Promise<number> => {
    const value = /^rainstaff_password_hashes_total (\d+)$/m.exec(await metricsText(relay))?.[1]
    if (value === undefined) throw new Error('no rainstaff_password_hashes_total')
    return Number(value)
  }

  beforeAll(async () => {
    await seedUsers(data.dir, [
      { username: 'admin', role: 'admin', password: ADMIN_PASSWORD },
      { username: 'ayse', role: 'editor', region: 'ankara', password: 'ayse-password' },
      { username: 'eski', role: 'editor', region: 'istanbul', legacyHash: sha256('rainstaff::legacy-password') },
      { username: 'kapali', role: 'editor', region: 'bursa', password: 'kapali-password' },
      { username: 'kapali-eski', role: 'editor', region: 'bursa', legacyHash: sha256('kapali-legacy') },
      { username: 'paralel', role: 'editor', region: 'izmir', password: 'paralel-password' },
      { username: 'hedef', role: 'editor', region: 'izmir', password: 'hedef-password' },
      ...[1, 2, 3, 4, 5].map((i) => ({ username: `ofis${i}`, role: 'editor' as const, region: 'ankara', password: 'ofis-password' })),
    ])
    const store = openStore(data.dir)
    try {
      setDisabled(store, 'kapali', true)
      setDisabled(store, 'kapali-eski', true)
    } finally {
      store.close()
    }
    relay = await spawnRelay(data.dir, [], { RAINSTAFF_TRUST_PROXY: '1' })
  })

  afterAll(async () => {
    await relay?.stop()
    data.remove()
  })

  it('answers every kind of failure with the same 401 after the same scrypt work', async () => {
    const failures: Array<[string, string, string]> = [
      ['unknown name', mistypedName, 'whatever-password'],
      ['wrong password', 'ayse', 'not-her-password'],
      ['legacy hash, wrong password', 'eski', 'not-the-legacy-one'],
      ['disabled, right password', 'kapali', 'kapali-password'],
      ['disabled, wrong password', 'kapali', 'not-kapali-password'],
      ['disabled legacy hash, right password', 'kapali-eski', 'kapali-legacy'],
    ]
    const answers: Answer[] = []
    for (const [i, [what, username, password]] of failures.entries()) {
      const before = await hashes()
      const answer = await attempt(relay, username, password, `10.1.0.${i + 1}`)
      // Exactly one derivation each: none would answer faster, two would answer slower.
      expect(await hashes(), what).toBe(before + 1)
      expect(answer.status, what).toBe(401)
      answers.push(answer)
    }
    for (const a of answers) {
      expect(a.text).toBe(answers[0]?.text)
      expect(a.contentType).toBe(answers[0]?.contentType)
    }
    expect(JSON.parse(answers[0]?.text ?? '')).toEqual({
      error: 'Kullanıcı adı veya parola yanlış / Wrong username or password',
      code: 'wrong_password',
      tr: 'Kullanıcı adı veya parola yanlış',
      en: 'Wrong username or password',
    })

    // A right password costs the same single derivation.
    const before = await hashes()
    const ok = await attempt(relay, 'ayse', 'ayse-password', '10.1.0.50')
    expect(ok.status).toBe(200)
    expect(await hashes()).toBe(before + 1)
    tokens.push((JSON.parse(ok.text) as { token: string }).token)
  })

  it('evaluates at most five of 50 parallel wrong passwords for one user from one address', async () => {
    const before = await hashes()
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => attempt(relay, 'paralel', `guess-${i}`, '10.2.0.1')))
    expect(count(answers)).toEqual({ 401: 5, 429: 45 })
    expect(await hashes()).toBe(before + 5)
    for (const a of answers.filter((x) => x.status === 429)) {
      expect(Number(a.retryAfter)).toBeGreaterThan(0)
      expect(Number(a.retryAfter)).toBeLessThanOrEqual(15 * 60)
    }
    // Locked for this address, even with the right password; from elsewhere the user signs in.
    expect((await attempt(relay, 'paralel', 'paralel-password', '10.2.0.1')).status).toBe(429)
    expect((await attempt(relay, 'paralel', 'paralel-password', '10.2.0.2')).status).toBe(200)
  })

  it('delays parallel right-password sign-ins behind the unsettled ones instead of refusing them', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => attempt(relay, 'ayse', 'ayse-password', '10.2.0.3')))
    expect(count(answers)).toEqual({ 200: 8 })
  })

  it('does not lock an office out for four people’s typos behind one address', async () => {
    const office = '10.3.0.1'
    for (let person = 1; person <= 4; person++) {
      for (let i = 0; i < 5; i++) expect((await attempt(relay, `ofis${person}`, `typo-${i}`, office)).status).toBe(401)
    }
    // Twenty failures from the office: the people who made them are held back there …
    expect((await attempt(relay, 'ofis1', 'ofis-password', office)).status).toBe(429)
    // … while a colleague at the same address signs in, and so does ofis1 from home.
    expect((await attempt(relay, 'ofis5', 'ofis-password', office)).status).toBe(200)
    expect((await attempt(relay, 'ofis1', 'ofis-password', '10.3.0.99')).status).toBe(200)
  })

  it('locks one username out across addresses after 20 failures spread over them', async () => {
    for (let a = 1; a <= 5; a++) {
      for (let i = 0; i < 4; i++) expect((await attempt(relay, 'hedef', `spread-${a}-${i}`, `10.4.0.${a}`)).status).toBe(401)
    }
    const fresh = await attempt(relay, 'HEDEF', 'hedef-password', '10.4.0.6')
    expect(fresh.status).toBe(429)
    expect(Number(fresh.retryAfter)).toBeGreaterThan(0)
    // That address is not locked for anyone else.
    expect((await attempt(relay, 'ayse', 'ayse-password', '10.4.0.6')).status).toBe(200)
  })

  it('logs sign-ins, failures and lockouts, and never a password, a token or a mistyped name', async () => {
    const output = relay.output()
    expect(output).toMatch(/relay: giriş \/ signed in: ayse \(editor\) from 10\.1\.0\.50\n/)
    expect(output).toMatch(/sign-in failed: \(bilinmeyen ad \/ unknown name\) from 10\.1\.0\.1 \(bilinmeyen ad \/ unknown name\)\n/)
    expect(output).toMatch(/sign-in failed: ayse from 10\.1\.0\.2 \(yanlış parola \/ wrong password\)\n/)
    expect(output).toMatch(/sign-in failed: kapali from 10\.1\.0\.4 \(hesap devre dışı \/ account disabled\)\n/)
    // Once per budget and window, though 45 attempts were refused.
    expect(output.match(/sign-in locked: paralel from 10\.2\.0\.1 \(too many failures in 15 min; Retry-After \d+ s\)/g)).toHaveLength(1)
    expect(output).toMatch(/sign-in locked: ofis1 from 10\.3\.0\.1 /)
    expect(output).toMatch(/sign-in locked: hedef from every address /)
    for (const secret of [...passwords, ADMIN_PASSWORD, mistypedName, ...tokens]) expect(output).not.toContain(secret)
  })
})

describe('the per-address ceiling', () => {
  const data = tempDir()
  let relay: Relay
  const log: string[] = []

  beforeAll(async () => {
    relay = await startRelay({
      dataDir: data.dir,
      port: 0,
      host: '127.0.0.1',
      adminPassword: ADMIN_PASSWORD,
      loginLimits: { perAddressAndUser: 3, perUser: 10, perAddress: 4, windowMs: 60_000 },
      trustProxy: true,
      log: (line) => log.push(line),
    })
  })

  afterAll(async () => {
    await relay?.close()
    data.remove()
  })

  it('stops one address spraying many names, and only that address', async () => {
    for (let i = 0; i < 4; i++) expect((await attempt(relay, `name-${i}`, 'spray-password', '10.5.0.1')).status).toBe(401)
    const refused = await attempt(relay, 'admin', ADMIN_PASSWORD, '10.5.0.1')
    expect(refused.status).toBe(429)
    expect(log.filter((l) => l.includes('sign-in locked: every name from 10.5.0.1 '))).toHaveLength(1)
    expect((await attempt(relay, 'admin', ADMIN_PASSWORD, '10.5.0.2')).status).toBe(200)
  })
})
