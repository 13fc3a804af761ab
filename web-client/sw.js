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

// Web Push (server/webpush.py): a notification while no page of ours is in front. The payload
// is {title, body, url, tag, unread}. A focused, visible page shows it itself (the inbox, live),
// so then nothing pops up; a click focuses an open page at the url, or opens one.
self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { title: event.data ? event.data.text() : '' };
  }
  event.waitUntil((async () => {
    const pages = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    if (pages.some((page) => page.visibilityState === 'visible' && page.focused)) return;
    if (typeof data.unread === 'number' && self.navigator.setAppBadge) {
      self.navigator.setAppBadge(data.unread).catch(() => {});
    }
    await self.registration.showNotification(data.title || 'Quanzi', {
      body: data.body || '',
      tag: data.tag || undefined,
      data: { url: data.url || '/' },
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
    });
  })());
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || '/', self.location.origin).href;
  event.waitUntil((async () => {
    const pages = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const page = pages.find((p) => new URL(p.url).origin === self.location.origin);
    if (page) {
      await page.focus();
      if (page.url !== url && 'navigate' in page) await page.navigate(url);
      return;
    }
    await self.clients.openWindow(url);
  })());
});
