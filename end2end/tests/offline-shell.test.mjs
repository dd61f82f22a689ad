// The app starts with no network after one online visit, keeps no API answers in its caches, and a new
// deployment replaces the old build's cache cleanly.
import { test, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, serverAndBrowser, newTablet, signIn, artifacts, waitFor, eventually, offlineReady } from '../support/harness.mjs';

// Serve a copy of the build, so this test can "deploy" a new one without touching dist/.
const dist = mkdtempSync(join(tmpdir(), 'waymark-dist-'));
cpSync(join(root, 'dist'), dist, { recursive: true });
process.env.WAYMARK_DIST = dist;

const world = serverAndBrowser();
after(() => rmSync(dist, { recursive: true, force: true }));

function precacheList() {
  const sw = readFileSync(join(dist, 'sw.js'), 'utf8');
  return JSON.parse(sw.match(/const PRECACHE = (\[.*\]);/)[1]);
}

const cacheState = (page) =>
  page.evaluate(async () => {
    const out = {};
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      out[name] = (await cache.keys()).map((r) => new URL(r.url).pathname).sort();
    }
    return out;
  });

test('after one online visit the app starts offline, and a new deployment replaces the old cache', async () => {
  const { context, page } = await newTablet(world.browser, world.server.url);
  await page.goto('/');
  await page.locator('#username').waitFor();
  await offlineReady(page);

  // The manifest is linked and names an icon that exists.
  const manifest = await page.evaluate(async () => {
    const href = document.querySelector('link[rel=manifest]').getAttribute('href');
    return (await fetch(href)).json();
  });
  assert.equal(manifest.start_url, '/');
  assert.equal(manifest.display, 'standalone');
  const icon = await page.request.get(manifest.icons[0].src);
  assert.equal(icon.status(), 200);

  // Exactly this build's files are precached, under this build's cache.
  const expected = precacheList();
  assert.ok(expected.some((p) => p.endsWith('.wasm')) && expected.includes('/index.html'));
  const before = await eventually(async () => {
    const found = await cacheState(page);
    assert.equal(Object.keys(found).length, 1, JSON.stringify(Object.keys(found)));
    assert.deepEqual(Object.values(found)[0], [...expected].sort());
    return found;
  }, { what: "this build's files precached" });

  // Sign in and look around online: API answers must never land in a cache.
  await signIn(page, 'dylan');
  await page.locator('[data-test=signed-in-as]').waitFor();
  // Dylan's page (its answers fetched) and his sync, before looking.
  await page.locator('[data-test=about-me]').waitFor();
  await page.locator('[data-test=sync-status][data-state=saved]').waitFor();
  const afterUse = await cacheState(page);
  for (const paths of Object.values(afterUse)) {
    assert.ok(!paths.some((p) => p.startsWith('/api/')), `no API answer may be cached: ${paths}`);
  }

  // No network at all: a reload and a deep link still start the app.
  await context.setOffline(true);
  await page.reload();
  await page.locator('main#main').waitFor();
  await waitFor(() => page.title(), /Waymark/, { what: 'the title offline' });
  await page.goto('/people/somebody');
  await page.locator('main#main').waitFor();
  await page.screenshot({ path: join(artifacts, 'offline-start.png') });
  // A page never opened online opens offline too: its code is a chunk of the app (loaded when first opened),
  // which the service worker precached with the rest. (The tablet types Dylan's PIN when the lock screen asks.)
  const chunks = expected.filter((p) => /\/split_.*\.wasm$/.test(p));
  assert.ok(chunks.some((p) => p.includes('tracker')), `the tracker is a chunk of its own: ${chunks}`);
  await page.goto('/');
  await page.locator('[data-test=person-page] [data-test=open-tracker]').click();
  await page.locator('[data-test=tracker-page]').waitFor();
  await waitFor(() => page.evaluate(() => performance.getEntriesByType('resource').some((e) => /split_.*tracker.*\.wasm$/.test(e.name))),
    true, { what: 'the tracker chunk fetched (from the service worker, offline)' });
  await context.setOffline(false);

  // A new deployment: a new service worker (new build id) installs, takes over and drops the old cache.
  const oldName = Object.keys(before)[0];
  const sw = readFileSync(join(dist, 'sw.js'), 'utf8').replace(/const BUILD = "[0-9a-f]+";/, 'const BUILD = "0new0build0000";');
  writeFileSync(join(dist, 'sw.js'), sw);
  unlinkSync(join(dist, 'sw.js.gz'));
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
  await waitFor(() => page.evaluate(() => caches.keys()), ['waymark-app-0new0build0000'],
    { timeout: 15_000, what: 'the caches (the new build\'s replaces the old one)' });
  assert.ok(!(await page.evaluate(() => caches.keys())).includes(oldName));
  await page.reload();
  await page.locator('main#main').waitFor();
  await context.close();
});

test('a part of the app that cannot be fetched is tried again, then said, and the app keeps running', async () => {
  // No service worker, so every chunk comes from the network, which this test cuts for the tracker's code.
  const { context, page } = await newTablet(world.browser, world.server.url, { serviceWorkers: 'block' });
  let blocked = 0;
  await context.route(/split_.*tracker.*\.wasm$/, (route) => { blocked += 1; return route.abort('internetdisconnected'); });
  await signIn(page, 'dylan');
  await page.locator('[data-test=person-page] [data-test=open-tracker]').click();
  await page.locator('[data-test=part-not-loaded]').waitFor({ timeout: 30_000 });
  await page.screenshot({ path: join(artifacts, 'part-not-loaded.png') });
  assert.equal(blocked, 3, 'the tracker chunk was asked for three times');
  // The page Dylan was on is still there and still works (the app has not stopped).
  await page.locator('[data-test=about-me]').waitFor();
  await page.locator('[data-test=person-page] [data-test=open-plan]').click();
  await page.locator('[data-test=plan-page]').waitFor();
  // The network is back: "Load Waymark again" opens the app, and the tracker with it.
  await context.unroute(/split_.*tracker.*\.wasm$/);
  await page.locator('[data-test=part-not-loaded] button').click();
  await page.locator('[data-test=plan-page]').waitFor();
  await page.goto('/');
  await page.locator('[data-test=person-page] [data-test=open-tracker]').click();
  await page.locator('[data-test=tracker-page]').waitFor();
  await waitFor(() => page.locator('[data-test=part-not-loaded]').count(), 0, { what: 'no failure said after loading again' });
  await context.close();
});
