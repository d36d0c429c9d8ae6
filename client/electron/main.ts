/**
 * Electron main process, kept thin on purpose: one window loading the same web client the relay
 * serves, a save dialog for exports, and a flush of pending local writes before quitting.
 * Everything else (sync, storage in IndexedDB, the UI) lives in the renderer, which runs with
 * context isolation and the sandbox on and no Node.
 */
import { app, BrowserWindow, dialog, ipcMain } from 'electron'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** Channels shared with preload.ts (a sandboxed preload cannot import our modules, hence the copy). */
const CHANNEL = { save: 'rainstaff:save', flush: 'rainstaff:flush', flushed: 'rainstaff:flushed' } as const

const FLUSH_TIMEOUT_MS = 5_000

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    title: 'Rainstaff',
    webPreferences: {
      preload: join(__dirname, 'preload.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  })
  void window.loadFile(join(__dirname, '..', 'web', 'index.html'))
  return window
}

ipcMain.handle(CHANNEL.save, async (event, name: string, bytes: Uint8Array) => {
  const owner = BrowserWindow.fromWebContents(event.sender)
  const options = { defaultPath: name }
  const result = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options)
  if (result.canceled || result.filePath === undefined) return { saved: false }
  await writeFile(result.filePath, bytes)
  return { saved: true, path: result.filePath }
})

/** Asks every window to write its pending changes to IndexedDB, then lets the app quit. */
function flushWindows(): Promise<void> {
  const windows = BrowserWindow.getAllWindows()
  const flushed = windows.map(
    (window) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, FLUSH_TIMEOUT_MS)
        ipcMain.once(CHANNEL.flushed, () => {
          clearTimeout(timer)
          resolve()
        })
        window.webContents.send(CHANNEL.flush)
      }),
  )
  return Promise.all(flushed).then(() => undefined)
}

let quitting = false
app.on('before-quit', (event) => {
  if (quitting) return
  event.preventDefault()
  quitting = true
  void flushWindows().finally(() => app.quit())
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

void app.whenReady().then(() => {
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})
