/**
 * Registers sw.js, which keeps a copy of the app's own files so the page reloads with the relay
 * out of reach. Data never goes through it: the engine keeps that in IndexedDB. Not under
 * file:// (Electron loads the files from disk anyway) and not where service workers are missing.
 */
export function registerOfflineCache(): void {
  if (!('serviceWorker' in navigator) || (location.protocol !== 'http:' && location.protocol !== 'https:')) return
  navigator.serviceWorker.register(new URL('sw.js', document.baseURI).href).catch((error: unknown) => {
    // The app works without it; only a reload while offline would fail.
    console.warn('Rainstaff: çevrimdışı önbellek kaydedilemedi / offline cache not registered', error)
  })
}
