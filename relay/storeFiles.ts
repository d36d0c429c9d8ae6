/**
 * The store's files on disk, apart from what is in them: the data directory and the store file
 * created closed to others, modes tightened on files an older relay or umask left open, and the
 * fsync of the write-ahead log (relay/store.ts opens the database itself).
 */
import { chmodSync, closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, statSync } from 'node:fs'

/** The write-ahead log beside a store file. */
export function walFile(storeFile: string): string {
  return `${storeFile}-wal`
}

/**
 * fdatasync flushes a file's pages whichever descriptor wrote them, so SQLite's writes through its
 * own descriptor reach the disk. A missing WAL holds nothing uncheckpointed (SQLite fsyncs its
 * checkpoints itself).
 */
export function fdatasyncFile(file: string): void {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  try {
    fdatasyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** The store and its WAL and shared-memory files: what must stay readable by the relay alone. */
export function storeFiles(storeFile: string): string[] {
  return [storeFile, walFile(storeFile), `${storeFile}-shm`]
}

/**
 * The data directory, created 0700 if it is missing. An existing one is left as it is: it may be
 * a mount point or a directory shared with other things (`--data .`), and the files in it are
 * closed to others on their own.
 */
export function ensureDataDir(dataDir: string): void {
  if (existsSync(dataDir)) return
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  // mkdir's mode passes through the umask; 0700 is what is meant whatever the umask.
  chmodSync(dataDir, 0o700)
}

/**
 * The store file is created 0600 before SQLite opens it: SQLite would create it 0644 (less the
 * umask), and it gives its -wal and -shm files the main file's mode, so they follow.
 */
export function createStoreFile(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    return
  }
  chmodSync(file, 0o600)
}

/**
 * Takes the group's and others' bits off a store made under a looser umask (or by an older
 * relay); never adds bits. A file the relay does not own keeps its mode: the relay can evidently
 * open it, and refusing to start over a mode would break a working store.
 */
export function closeToOthers(file: string): void {
  try {
    const mode = statSync(file).mode & 0o777
    if ((mode & 0o077) !== 0) chmodSync(file, mode & 0o700)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' && code !== 'EPERM') throw error
  }
}
