// Benchmarks of the recovery tracker in Chromium (not a test: figures, printed). Run: `bash scripts/bench-browser.sh`
// (builds the app and the server first), or `node end2end/bench/tracker.bench.mjs` with both built.
//
// 1. Opening a person with five years of monthly readings (60 readings of the ten-area ladder, every view and the
//    agreed value: ~2,000 cells) from the tablet's encrypted local store, offline: reload → PIN screen, PIN →
//    chart drawn (the time the person takes to type is not counted), with the PIN check (PBKDF2) and the store's
//    read and decryption on their own; and PIN → the people list (home, the usual first screen).
// 2. Drawing the chart for a twelve-area framework with fifty readings: switching to it (chart + table data built
//    from the store), tapping an area (its fifty-point trend), and showing the table.
// 3. Encryption per local write: 100 "About me" edits offline, each saved on the tablet (its outbox growing to 100
//    waiting edits, all sealed again at each save): the time to seal a write's values, and the whole write.
import { startServer, launchBrowser, newTablet, signIn, enterPin, DEMO_PASSWORD } from '../support/harness.mjs';

const RUNS = Number(process.env.WAYMARK_BENCH_RUNS || 7);

/// A signed-in API client for seeding (cookie + CSRF token), as the app itself talks to the server.
async function apiAs(base, username) {
  const cookieOf = (res, prev) => {
    const fresh = res.headers.getSetCookie().map((c) => c.split(';')[0]);
    return fresh.length ? fresh.join('; ') : prev;
  };
  const first = await fetch(`${base}/api/session`);
  let cookie = cookieOf(first, '');
  const { csrf_token: anonymous } = await first.json();
  const res = await fetch(`${base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': anonymous, origin: base },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  cookie = cookieOf(res, cookie);
  const { csrf_token } = await res.json();
  const call = async (method, path, body) => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: { cookie, origin: base, 'x-csrf-token': csrf_token, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return { call };
}

/// Push changes in batches as one device would.
async function pushAll(api, person, changes) {
  const client = `bench-${Math.random().toString(16).slice(2, 12)}`;
  let id = 1;
  for (let i = 0; i < changes.length; i += 400) {
    const mutations = changes.slice(i, i + 400).map((change) => ({ id: id++, person, base: 0, made_at_ms: Date.now(), change }));
    await api.call('POST', '/api/sync/push', { schema: 1, client, mutations });
  }
}

function monthly(count, startYear) {
  return Array.from({ length: count }, (_, i) => {
    const y = startYear + Math.floor(i / 12);
    const m = (i % 12) + 1;
    return `${y}-${String(m).padStart(2, '0')}-15`;
  });
}

function readingChanges(prefix, framework, version, areas, dates, max) {
  const out = [];
  dates.forEach((date, i) => {
    const reading = `${prefix}${i}`;
    out.push({ type: 'start_reading', reading, framework, version, date });
    out.push({ type: 'reading_present', reading, present: ['person', 'key_worker'] });
    areas.forEach((area, a) => {
      const v = 1 + ((i + a * 3) % max);
      const staff = 1 + ((i + a * 3 + (a % 3)) % max);
      out.push({ type: 'rate', reading, area, rater: 'person', value: v });
      out.push({ type: 'rate', reading, area, rater: 'staff', value: staff });
      out.push({ type: 'rate', reading, area, rater: 'agreed', value: Math.max(v, staff) });
      if (v !== staff) out.push({ type: 'difference_reason', reading, area, text: 'We see this one differently this month.' });
    });
    // Drafts never go on the chart: each reading is finished, every area agreed.
    out.push({ type: 'finish_reading', reading, finished: true, missing: [] });
  });
  return out;
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `median ${q(0.5).toFixed(0)} ms, min ${s[0].toFixed(0)} ms, max ${s[s.length - 1].toFixed(0)} ms (${s.length} runs)`;
};
const fine = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return `p50 ${q(0.5).toFixed(2)} ms, p95 ${q(0.95).toFixed(2)} ms, max ${s[s.length - 1].toFixed(2)} ms (${s.length} writes)`;
};

/// Reload, wait for the PIN screen, type the PIN and press Open; returns [reload → PIN screen, PIN → `ready`] in ms.
async function throughPin(page, ready) {
  await page.reload();
  await page.locator('[data-test=pin-form][data-mode=unlock]').waitFor({ timeout: 60_000 });
  const shown = await page.evaluate(() => {
    performance.clearMeasures();
    document.querySelector('[data-test=pin-form]').addEventListener('submit', () => { window.__pinAt = performance.now(); }, { capture: true });
    return performance.now();
  });
  await enterPin(page);
  await page.locator(ready).waitFor({ timeout: 60_000 });
  const after = await page.evaluate(() => {
    const one = (name) => performance.getEntriesByName(name).at(-1)?.duration ?? NaN;
    return { open: performance.now() - window.__pinAt, unlock: one('waymark:unlock'), read: one('waymark:load-read'), unseal: one('waymark:load-unseal') };
  });
  return { shown, ...after };
}

const server = await startServer();
const browser = await launchBrowser();
try {
  const owen = await apiAs(server.url, 'owen');
  const people = await owen.call('GET', '/api/people');
  const alys = people.people.find((p) => p.display_name === 'Alys Hughes').id;
  const { frameworks } = await owen.call('GET', '/api/frameworks');
  const ladder = frameworks.find((f) => f.id === 'waymark_ladder' && !f.retired);
  const ladderAreas = ladder.areas.map((a) => a.id);
  const five = readingChanges('five', ladder.id, ladder.version, ladderAreas, monthly(60, 2021), ladder.scale.max);
  await pushAll(owen, alys, five);

  // A twelve-area framework, made by the ward manager.
  const rhian = await apiAs(server.url, 'rhian');
  const txt = (en) => ({ en, cy: `${en} (cy)` });
  const twelve = await rhian.call('POST', '/api/frameworks', {
    id: 'bench_twelve',
    name: txt('Twelve areas'),
    areas: Array.from({ length: 12 }, (_, i) => ({ id: `area_${i + 1}`, label: txt(`Area ${i + 1}`), description: txt(`About area ${i + 1}`) })),
    scale: { min: 1, max: 10, stages: [{ from: 1, to: 5, label: txt('Lower'), description: txt('Lower half') }, { from: 6, to: 10, label: txt('Higher'), description: txt('Upper half') }] },
    asks_more_help: false,
  });
  const twelveAreas = twelve.areas.map((a) => a.id);
  await pushAll(owen, alys, readingChanges('twelve', twelve.id, twelve.version, twelveAreas, monthly(50, 2016), 10));
  console.log(`seeded: ${five.length} changes (60 readings × ${ladderAreas.length} areas) and 50 readings × 12 areas`);

  const tablet = await newTablet(browser, server.url, { pin: false });
  const { page } = tablet;
  page.on('crash', () => console.error('the page crashed'));
  page.on('console', (m) => { if (m.type() === 'error') console.error('console:', m.text().slice(0, 400)); });
  await signIn(page, 'owen');
  await page.locator('[data-test=person-card]', { hasText: 'Alys Hughes' }).click();
  await page.locator('[data-test=open-tracker]').click();
  const latestSeries = '[data-test=radial-chart] [data-test=chart-series][data-style=latest]';
  await page.locator(`${latestSeries}[data-reading=five59]`).waitFor({ timeout: 120_000 });
  await page.locator('[data-test=sync-status][data-state=saved]').waitFor({ timeout: 60_000 });
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

  // 1. Open from the local store, offline, through the PIN.
  await tablet.context.setOffline(true);
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await throughPin(page, `${latestSeries}[data-reading=five59]`));
  console.log(`reload → PIN screen (page from the service worker, app started): ${stats(runs.map((r) => r.shown))}`);
  console.log(`PIN → chart of 5 years of monthly readings from the encrypted store: ${stats(runs.map((r) => r.open))}`);
  console.log(`  of which the PIN check (PBKDF2-SHA256, 600,000 rounds, and unwrapping): ${stats(runs.map((r) => r.unlock))}`);
  console.log(`  of which reading the store: ${stats(runs.map((r) => r.read))}; decrypting it: ${stats(runs.map((r) => r.unseal))}`);
  console.log(`reload → chart, leaving out the typing: ${stats(runs.map((r) => r.shown + r.open))}`);
  await page.evaluate(() => history.pushState(null, '', '/'));
  const homes = [];
  for (let i = 0; i < RUNS; i++) homes.push(await throughPin(page, '[data-test=person-card] >> nth=0'));
  console.log(`PIN → first screen (the people list), offline: ${stats(homes.map((r) => r.open))}`);
  await page.locator('[data-test=person-card]', { hasText: 'Alys Hughes' }).click();
  await page.locator('[data-test=open-tracker]').click();
  await page.locator(`${latestSeries}[data-reading=five59]`).waitFor({ timeout: 60_000 });

  // 2. The twelve-area chart with fifty readings.
  const switches = [];
  const trends = [];
  const tables = [];
  for (let i = 0; i < RUNS; i++) {
    switches.push(await page.evaluate(async ([id, sel]) => {
      const pick = document.querySelector('[data-test=framework-pick]');
      if (![...pick.options].some((o) => o.value === id)) throw new Error(`framework ${id} is not offered on this device`);
      const t = performance.now();
      pick.value = id;
      pick.dispatchEvent(new Event('change', { bubbles: true }));
      while (!document.querySelector(sel)) await new Promise((r) => requestAnimationFrame(r));
      await new Promise((r) => requestAnimationFrame(r));
      return performance.now() - t;
    }, [twelve.id, `${latestSeries}[data-reading=twelve49]`]));
    trends.push(await page.evaluate(async () => {
      const t = performance.now();
      document.querySelector('[data-test=chart-area][data-area=area_7]').dispatchEvent(new MouseEvent('click', { bubbles: true }));
      while (document.querySelectorAll('[data-test=area-trend] [data-test=trend-point]').length < 50) await new Promise((r) => requestAnimationFrame(r));
      await new Promise((r) => requestAnimationFrame(r));
      return performance.now() - t;
    }));
    tables.push(await page.evaluate(async () => {
      const t = performance.now();
      document.querySelector('[data-test=toggle-table]').click();
      while (!document.querySelector('[data-test=readings-table]')) await new Promise((r) => requestAnimationFrame(r));
      await new Promise((r) => requestAnimationFrame(r));
      const took = performance.now() - t;
      document.querySelector('[data-test=toggle-table]').click();
      return took;
    }));
    await page.evaluate(() => {
      const pick = document.querySelector('[data-test=framework-pick]');
      pick.value = 'waymark_ladder';
      pick.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await page.locator(`${latestSeries}[data-reading=five59]`).waitFor();
  }
  console.log(`12 areas × 50 readings — switch to the framework and draw the chart: ${stats(switches)}`);
  console.log(`12 areas × 50 readings — tap an area, draw its 50-point trend: ${stats(trends)}`);
  console.log(`12 areas × 50 readings — show the table: ${stats(tables)}`);

  // 3. Encryption per local write.
  await page.goBack();
  await page.locator('[data-test=about-me]').waitFor({ timeout: 60_000 });
  await page.evaluate(() => performance.clearMeasures());
  const box = page.locator('[data-test=about-me-field][data-field=my_hopes] .field-input');
  for (let i = 0; i < 100; i++) {
    await box.fill(`Benchmark hope number ${i}: to walk on the beach at Rhossili`);
    await box.blur();
    await page.waitForFunction((n) => performance.getEntriesByName('waymark:write').length >= n, i + 1);
  }
  const seals = await page.evaluate(() => performance.getEntriesByName('waymark:seal').map((e) => e.duration));
  const writes = await page.evaluate(() => performance.getEntriesByName('waymark:write').map((e) => e.duration));
  console.log(`sealing one local write (AES-GCM of each value, outbox of 1 to 100 edits): ${fine(seals)}`);
  console.log(`  the whole local write, sealed and committed with strict durability: ${fine(writes)}`);
  await tablet.context.close();
} finally {
  await browser.close();
  await server.stop();
}
