/**
 * Saving an export: through Electron's native save dialog when the preload bridge is there,
 * otherwise as a browser download.
 */

/** What client/electron/preload.ts exposes as `window.rainstaffDesktop`. */
export interface DesktopBridge {
  saveFile(name: string, bytes: Uint8Array): Promise<{ saved: boolean; path?: string }>
  onFlushRequest(flush: () => Promise<void>): void
}

export function desktopBridge(): DesktopBridge | undefined {
  return (globalThis as { rainstaffDesktop?: DesktopBridge }).rainstaffDesktop
}

/** Resolves with where the file went (desktop) or undefined (browser download, or cancelled). */
export async function saveFile(name: string, bytes: Uint8Array, type: string): Promise<string | undefined> {
  const desktop = desktopBridge()
  if (desktop !== undefined) {
    const result = await desktop.saveFile(name, bytes)
    return result.saved ? result.path : undefined
  }
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }))
  const link = document.createElement('a')
  link.href = url
  link.download = name
  document.body.append(link)
  link.click()
  link.remove()
  // The download has taken its copy once click() returns; a delay only covers slow browsers.
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
  return undefined
}
