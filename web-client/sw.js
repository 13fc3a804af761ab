// The service worker: the app shell offline, and the app's files from the cache.
// The server prepends `const BUILD = {version, shell}` (server/web_client.py): the name of
// this build and the files of its shell (the page, its script and stylesheet, the icons).
//
// - The page: from the network, so a new version shows at once; offline, the cached one.
// - /assets/ (named by their content's hash, never changing): from the cache, else fetched
//   and kept.
// - Everything else of this origin that is not the API: the network, the cache offline.
// - The API and the socket: never cached here. The page keeps its own last-known circles
//   and messages (js/offline.js) and says when it shows them.

/* global BUILD */
const CACHE = `quanzi-${BUILD.version}`;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(BUILD.shell)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('quanzi-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

async function fromCache(request) {
  const cache = await caches.open(CACHE);
  return (await cache.match(request)) || (await caches.match(request));
}

async function networkFirst(request, fallback) {
  try {
    const response = await fetch(request);
    if (response.ok && request.method === 'GET') {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(fallback || request, copy));
    }
    return response;
  } catch (err) {
    const cached = await fromCache(fallback || request);
    if (cached) return cached;
    throw err;
  }
}

async function cacheFirst(request) {
  const cached = await fromCache(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname === '/ws' || url.pathname === '/healthz') return;
  if (request.mode === 'navigate') {
    event.respondWith(networkFirst(request, '/'));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(cacheFirst(request));
  } else {
    event.respondWith(networkFirst(request));
  }
});
