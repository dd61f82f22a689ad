// Benchmarks of the recovery tracker in Chromium (not a test: figures, printed). Run: `bash scripts/bench-browser.sh`
// (builds the app and the server first), or `node end2end/bench/tracker.bench.mjs` with both built.
//
// 1. Opening a person with five years of monthly readings (60 readings of the ten-area ladder, every view and the
//    agreed value: ~2,000 cells) from the tablet's local store, offline: reload → chart drawn.
// 2. Drawing the chart for a twelve-area framework with fifty readings: switching to it (chart + table data built
//    from the store), tapping an area (its fifty-point trend), and showing the table.
import { startServer, launchBrowser, newTablet, signIn, DEMO_PASSWORD } from '../support/harness.mjs';

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

  const tablet = await newTablet(browser, server.url);
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

  // 1. Open from the local store, offline.
  await tablet.context.setOffline(true);
  const opens = [];
  const shells = [];
  for (let i = 0; i < RUNS; i++) {
    await page.reload();
    await page.locator(`${latestSeries}[data-reading=five59]`).waitFor({ timeout: 60_000 });
    const t = await page.evaluate(() => performance.now());
    const shell = await page.evaluate(() => performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd ?? 0);
    opens.push(t);
    shells.push(shell);
  }
  console.log(`open a person with 5 years of monthly readings from the local store (reload → chart): ${stats(opens)}`);
  console.log(`  of which the page itself (DOMContentLoaded, from the service worker cache): ${stats(shells)}`);

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
  await tablet.context.close();
} finally {
  await browser.close();
  await server.stop();
}
