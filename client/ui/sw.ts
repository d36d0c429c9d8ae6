/**
 * The service worker (dist/web/sw.js): keeps the app's own files so the page loads with the
 * relay out of reach. Network first, so a new build is picked up whenever the relay answers;
 * the cached copy only when it does not. The API and the sync socket are never cached.
 *
 * PRECACHE and BUILD_ID are filled in by scripts/build.ts from the files it just wrote.
 */
declare const PRECACHE: readonly string[]
declare const BUILD_ID: string

// The few worker types used here: the project's lib is DOM, whose types clash with "webworker".
interface ExtendableEvent extends Event {
  waitUntil(work: Promise<unknown>): void
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request
  respondWith(response: Promise<Response> | Response): void
}
interface WorkerScope {
  readonly registration: { readonly scope: string }
  readonly clients: { claim(): Promise<void> }
  skipWaiting(): Promise<void>
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void
}

const worker = self as unknown as WorkerScope
const CACHE = `rainstaff-app-${BUILD_ID}`

worker.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((file) => new URL(file, worker.registration.scope).href)))
      .then(() => worker.skipWaiting()),
  )
})

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith('rainstaff-app-') && name !== CACHE).map((name) => caches.delete(name))))
      .then(() => worker.clients.claim()),
  )
})

worker.addEventListener('fetch', (event) => {
  const request = event.request
  const url = new URL(request.url)
  if (request.method !== 'GET' || url.origin !== location.origin || /^\/(api|sync)\//.test(url.pathname)) return
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone()
          void caches.open(CACHE).then((cache) => cache.put(request, copy))
        }
        return response
      })
      .catch(async () => (await caches.match(request, { ignoreSearch: true })) ?? Response.error()),
  )
})

export {}
