// Live-edit latency in Chromium (not a test: figures, printed). Run: `bash scripts/bench-browser.sh` (builds the
// app and the server first), or `node end2end/bench/live.bench.mjs` with both built.
//
// A key worker and a service user have the same safety plan open in a planning session, on two browser contexts,
// while 100 other signed-in sessions hold the live channel open on the server, idle. The key worker adds 100 items,
// one after another; for each, the time from the item showing on the key worker's screen (saved on the tablet) to
// it showing on the person's screen. Both pages stamp the moment with the same clock (one machine).
import { startServer, launchBrowser, newTablet, signIn, DEMO_PASSWORD } from '../support/harness.mjs';

const EDITS = Number(process.env.WAYMARK_BENCH_EDITS || 100);
const IDLE = Number(process.env.WAYMARK_BENCH_IDLE || 100);
const USERS = ['owen', 'sara', 'rhian', 'dylan', 'alys', 'tomos', 'nia', 'gareth', 'helen'];

/// Sign in over HTTP and hold the live channel open, reading (and dropping) whatever it sends.
async function idleSession(base, username, abort) {
  const cookieOf = (res, prev) => {
    const fresh = res.headers.getSetCookie().map((c) => c.split(';')[0]);
    return fresh.length ? fresh.join('; ') : prev;
  };
  const first = await fetch(`${base}/api/session`);
  let cookie = cookieOf(first, '');
  const { csrf_token } = await first.json();
  const res = await fetch(`${base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf_token, origin: base },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status}`);
  cookie = cookieOf(res, cookie);
  const live = await fetch(`${base}/api/sync/live`, { headers: { cookie }, signal: abort.signal });
  if (!live.ok) throw new Error(`live channel: ${live.status}`);
  const reader = live.body.getReader();
  (async () => {
    try {
      for (;;) if ((await reader.read()).done) return;
    } catch {}
  })();
}

/// Record, in the page, when each "bench-N" item first shows.
const watch = () => {
  window.__seen = {};
  const look = () => {
    for (const el of document.querySelectorAll('[data-test=plan-item-text]')) {
      const t = el.textContent;
      if (t.startsWith('bench-') && !(t in window.__seen)) window.__seen[t] = performance.timeOrigin + performance.now();
    }
  };
  new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true });
  look();
};

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

const server = await startServer();
const browser = await launchBrowser();
const abort = new AbortController();
try {
  for (let i = 0; i < IDLE; i++) await idleSession(server.url, USERS[i % USERS.length], abort);

  const owen = await newTablet(browser, server.url);
  const alys = await newTablet(browser, server.url);
  for (const [t, who] of [[owen, 'owen'], [alys, 'alys']]) {
    await signIn(t.page, who);
    if (who === 'owen') await t.page.locator('[data-test=person-card]', { hasText: 'Alys Hughes' }).click();
    await t.page.locator('[data-test=open-plan]').click();
    await t.page.locator('[data-test=plan-page]').waitFor();
    await t.page.locator('[data-test=sync-status][data-state=saved]').waitFor({ timeout: 30_000 });
  }
  await owen.page.locator('[data-test=session-start]').click();
  await alys.page.locator('[data-test=session]').waitFor({ timeout: 10_000 });
  await owen.page.evaluate(watch);
  await alys.page.evaluate(watch);

  const input = owen.page.locator('[data-test=plan-section][data-section=i_can_do] [data-test=plan-add-input]');
  const latencies = [];
  for (let i = 1; i <= EDITS; i++) {
    const text = `bench-${i}`;
    await input.fill(text);
    await input.press('Enter');
    const seen = async (page) => {
      for (;;) {
        const at = await page.evaluate((t) => window.__seen[t], text);
        if (at) return at;
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const [here, there] = [await seen(owen.page), await seen(alys.page)];
    latencies.push(there - here);
  }
  latencies.sort((a, b) => a - b);
  const f = (ms) => `${ms.toFixed(0)} ms`;
  console.log(`live edit, key worker → person, ${EDITS} edits, ${IDLE} idle live sessions on the server:`);
  console.log(`  p50 ${f(pct(latencies, 50))}   p95 ${f(pct(latencies, 95))}   max ${f(latencies[latencies.length - 1])}   min ${f(latencies[0])}`);
} finally {
  abort.abort();
  await browser.close();
  await server.stop();
}
