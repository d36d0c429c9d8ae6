/**
 * The only bridge between the sandboxed renderer and the main process: save a file through the
 * native dialog, and answer the main process's request to flush before quitting.
 */
import { contextBridge, ipcRenderer } from 'electron'

const CHANNEL = { save: 'rainstaff:save', flush: 'rainstaff:flush', flushed: 'rainstaff:flushed' } as const

export interface DesktopBridge {
  saveFile(name: string, bytes: Uint8Array): Promise<{ saved: boolean; path?: string }>
  /** Registers the renderer's flush; main waits for it (with a time limit) before quitting. */
  onFlushRequest(flush: () => Promise<void>): void
}

const bridge: DesktopBridge = {
  saveFile: (name, bytes) => ipcRenderer.invoke(CHANNEL.save, name, bytes),
  onFlushRequest(flush) {
    ipcRenderer.on(CHANNEL.flush, () => {
      void flush().finally(() => ipcRenderer.send(CHANNEL.flushed))
    })
  },
}

contextBridge.exposeInMainWorld('rainstaffDesktop', bridge)
