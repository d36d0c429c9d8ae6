/**
 * The store holds password hashes and the token secret: its files are 0600 and a data directory
 * the relay creates is 0700, whatever the umask, and a store left looser by an older relay or
 * another umask is tightened on open without losing anything.
 */
import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openStore, STORE_FILE, storeFiles } from '../relay/store.ts'
import { listUsers } from '../relay/users.ts'
import { ADMIN_PASSWORD, ROOT, seedUsers, tempDir } from './helpers/relayProcess.ts'

const mode = (file: string): number => statSync(file).mode & 0o777

describe('store file permissions', () => {
  const base = tempDir()
  afterAll(() => base.remove())

  it('creates the data directory 0700 and the store, its WAL and shared memory 0600 even under umask 000', async () => {
    const dataDir = path.join(base.dir, 'fresh', 'data')
    // A shell sets the umask for the relay process alone; the test process keeps its own.
    const child = spawn(
      '/bin/sh',
      ['-c', 'umask 000 && exec "$0" "$@"', process.execPath, path.join(ROOT, 'bin/rainstaff'), 'relay', '--port', '0', '--host', '127.0.0.1', '--data', dataDir],
      { cwd: ROOT, env: { ...process.env, RAINSTAFF_ADMIN_PASSWORD: ADMIN_PASSWORD }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    let output = ''
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        output += d.toString()
        if (/listening on/.test(output)) resolve()
      })
      child.stderr.on('data', (d: Buffer) => (output += d.toString()))
      void exited.then((code) => reject(new Error(`relay exited (${code}):\n${output}`)))
    })
    try {
      // Directories made on the way get the same 0700 (the umask took nothing off mkdir's mode).
      const parent = path.join(base.dir, 'fresh')
      expect(mode(parent)).toBe(0o700)
      expect(mode(dataDir)).toBe(0o700)
      const files = storeFiles(path.join(dataDir, STORE_FILE))
      for (const f of files) {
        expect(existsSync(f), f).toBe(true)
        expect(mode(f), f).toBe(0o600)
      }
    } finally {
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
    }
  })

  it('tightens a store made under a looser umask, keeps its data, and leaves an existing directory alone', async () => {
    const dataDir = path.join(base.dir, 'old')
    mkdirSync(dataDir)
    chmodSync(dataDir, 0o755)
    await seedUsers(dataDir, [{ username: 'admin', role: 'admin', password: ADMIN_PASSWORD }])
    const file = path.join(dataDir, STORE_FILE)
    // An open connection keeps the WAL and shared-memory files, as a crashed relay leaves them.
    const first = openStore(dataDir)
    try {
      for (const f of storeFiles(file)) chmodSync(f, 0o644)
      const second = openStore(dataDir)
      try {
        for (const f of storeFiles(file)) expect(mode(f), f).toBe(0o600)
        expect(listUsers(second).map((u) => u.username)).toEqual(['admin'])
      } finally {
        second.close()
      }
    } finally {
      first.close()
    }
    // It may be a mount point or shared with other things; its files are private on their own.
    expect(mode(dataDir)).toBe(0o755)
  })

  it('never adds permission bits: a read-only store stays read-only', () => {
    const dataDir = path.join(base.dir, 'readonly')
    openStore(dataDir).close()
    const file = path.join(dataDir, STORE_FILE)
    chmodSync(file, 0o640)
    openStore(dataDir).close()
    expect(mode(file)).toBe(0o600)
    chmodSync(file, 0o400)
    // Root opens it anyway; what matters is that opening did not make it writable again.
    try {
      openStore(dataDir).close()
    } catch {
      // A non-root user cannot open a read-only store for writing; the mode is what is tested.
    }
    expect(mode(file)).toBe(0o400)
  })
})
