// Waymark's service worker: lets the app start with no network after one online visit.
//
// Built by scripts/build-app.sh, which fills in the build id and the list of this build's files. It caches only
// the app itself (the page shell and hashed assets) — never anything under /api/, so no health data is ever kept
// by the browser's HTTP caches. People's data lives in IndexedDB, written by the app.
const BUILD = "{{BUILD}}";
const CACHE = `waymark-app-${BUILD}`;
const PRECACHE = {{PRECACHE}};
const SHELL = "/index.html";
// How long to wait for the network before starting from the cached shell (patchy ward Wi-Fi).
const NETWORK_WAIT_MS = 3000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

// A new deployment: once its files are all cached, drop every older build's cache and take over open pages.
// Pages already running keep the files they loaded; their next load uses the new build.
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("waymark-app-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("network too slow")), ms);
    promise.then((r) => { clearTimeout(timer); resolve(r); }, (e) => { clearTimeout(timer); reject(e); });
  });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/") || url.pathname === "/healthz") return;

  if (request.mode === "navigate") {
    // Every app route is the same shell: fresh from the network when it answers in time, else the cached one.
    event.respondWith(
      withTimeout(fetch(request), NETWORK_WAIT_MS)
        .then((response) => (response.ok ? response : caches.match(SHELL).then((cached) => cached || response)))
        .catch(() => caches.match(SHELL).then((cached) => cached || Response.error())),
    );
    return;
  }
  if (url.pathname.startsWith("/assets/") || PRECACHE.includes(url.pathname)) {
    // Hashed files never change: the cache first, the network if missing.
    event.respondWith(caches.match(request).then((cached) => cached || fetch(request)));
  }
});
