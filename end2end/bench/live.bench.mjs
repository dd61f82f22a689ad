// Live-edit latency in Chromium (not a test: figures, printed). Run: `bash scripts/bench-browser.sh` (builds the
// app and the server first), or `node end2end/bench/live.bench.mjs` with both built.
//
// A key worker and a service user have the same safety plan open in a planning session, on two browser contexts,
// while 100 other signed-in sessions hold the live channel open on the server, idle. The key worker adds 100 items,
// one after another; for each, the time from the item showing on the key worker's screen (saved on the tablet) to
// it showing on the person's screen. Both pages stamp the moment with the same clock (one machine).
// Then "where I am writing": the key worker moves into one section's new-item box after another, and the time until
// the person's screen shows them writing there; and the session itself: the key worker ends it and starts a new
// one, and the time from the tap to the person's screen showing the new session. (Both travel through the live
// channel: the person's open plan asks for the session when told it changed.)
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

/// Record, in the page, when someone first shows as writing in each section's new-item box, and when each session
/// first shows.
const watchSession = () => {
  window.__writing = {};
  window.__session = {};
  const look = () => {
    for (const el of document.querySelectorAll('[data-test=plan-section]')) {
      const s = el.dataset.section;
      const on = !!el.querySelector('.plan-add [data-test=writing-here]');
      if (on && !(s in window.__writing)) window.__writing[s] = performance.timeOrigin + performance.now();
      if (!on) delete window.__writing[s];
    }
    const session = document.querySelector('[data-test=session]');
    if (session && !(session.dataset.session in window.__session)) {
      window.__session[session.dataset.session] = performance.timeOrigin + performance.now();
    }
  };
  new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  look();
};

/// Stamp, in the page, when each push and pull is sent and answered and when each `changed` notice arrives (the
/// app's requests go through `window.fetch` and its live channel is an `EventSource`): where a live edit's time goes.
const stampSync = () => {
  window.__marks = [];
  const now = () => performance.timeOrigin + performance.now();
  const send = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : input.url;
    const kind = /\/api\/sync\/(push|pull)/.exec(url)?.[1];
    const answered = send.call(this, input, init);
    if (!kind) return answered;
    const start = now();
    return answered.then((r) => { window.__marks.push({ kind, start, end: now() }); return r; });
  };
  const Source = window.EventSource;
  window.EventSource = class extends Source {
    constructor(...args) {
      super(...args);
      this.addEventListener('changed', () => window.__marks.push({ kind: 'changed', start: now() }));
    }
  };
};

/// For one edit shown on the writer's screen at `here` and on the reader's at `there`: the moments between, from
/// each page's stamps (the first push after `here`, the first notice and pull on the reader after that push).
function stages(writerMarks, readerMarks, here, there) {
  const push = writerMarks.find((m) => m.kind === 'push' && m.start >= here);
  if (!push) return null;
  const notice = readerMarks.find((m) => m.kind === 'changed' && m.start >= push.start && m.start <= there);
  if (!notice) return null;
  const pull = readerMarks.find((m) => m.kind === 'pull' && m.start >= notice.start && m.end <= there);
  if (!pull) return null;
  return {
    'shown → push sent (saved on the tablet, already marked as sent)': push.start - here,
    'push sent → answered': push.end - push.start,
    'push sent → notice on the reader': notice.start - push.start,
    'notice → pull sent': pull.start - notice.start,
    'pull sent → answered': pull.end - pull.start,
    'pull answered → shown (read, kept, drawn)': there - pull.end,
  };
}

const ROUNDS = Number(process.env.WAYMARK_BENCH_ROUNDS || 40);

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

// The idle sessions are the demo's nine people many times over: let each hold that many live streams.
const server = await startServer({ env: { WAYMARK_LIVE_STREAMS_PER_USER: String(Math.max(16, IDLE)) } });
const browser = await launchBrowser();
const abort = new AbortController();
try {
  for (let i = 0; i < IDLE; i++) await idleSession(server.url, USERS[i % USERS.length], abort);

  const owen = await newTablet(browser, server.url);
  const alys = await newTablet(browser, server.url);
  for (const t of [owen, alys]) await t.context.addInitScript(stampSync);
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
  const breakdown = [];
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
    const marks = async (page) => page.evaluate(() => window.__marks.splice(0));
    const split = stages(await marks(owen.page), await marks(alys.page), here, there);
    if (split) breakdown.push(split);
  }
  const f = (ms) => `${ms.toFixed(0)} ms`;
  const report = (what, list) => {
    list.sort((a, b) => a - b);
    console.log(what);
    console.log(`  p50 ${f(pct(list, 50))}   p95 ${f(pct(list, 95))}   max ${f(list[list.length - 1])}   min ${f(list[0])}`);
  };
  report(`live edit, key worker → person, ${EDITS} edits, ${IDLE} idle live sessions on the server:`, latencies);
  console.log(`  where the time goes (${breakdown.length} edits whose push, notice and pull were each seen once; p50 / p95):`);
  for (const stage of Object.keys(breakdown[0] ?? {})) {
    const list = breakdown.map((b) => b[stage]).sort((a, b) => a - b);
    console.log(`    ${stage}: ${f(pct(list, 50))} / ${f(pct(list, 95))}`);
  }

  // "Where I am writing": the key worker moves from one section's new-item box to the next.
  await alys.page.evaluate(watchSession);
  const sections = await owen.page.evaluate(() =>
    [...document.querySelectorAll('[data-test=plan-add-input]')].map((el) => el.dataset.section).filter((s) => s !== 'staff_only'));
  const writing = [];
  for (let i = 0; i < ROUNDS; i++) {
    const section = sections[i % sections.length];
    const at = await owen.page.evaluate((s) => {
      const el = document.querySelector(`[data-test=plan-add-input][data-section=${s}]`);
      const t = performance.timeOrigin + performance.now();
      el.focus();
      return t;
    }, section);
    for (;;) {
      const seen = await alys.page.evaluate((s) => window.__writing[s], section);
      if (seen && seen >= at) { writing.push(seen - at); break; }
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  report(`"where I am writing", key worker → person, ${ROUNDS} moves:`, writing);

  // A session ended and a new one started: from the key worker's tap to the person's screen showing it.
  await owen.page.evaluate(() => document.activeElement?.blur());
  const starts = [];
  for (let i = 0; i < Math.ceil(ROUNDS / 2); i++) {
    await owen.page.locator('[data-test=session-end]').click();
    await alys.page.locator('[data-test=session]').waitFor({ state: 'detached', timeout: 10_000 });
    await owen.page.locator('[data-test=session-start]').waitFor();
    const at = await owen.page.evaluate(() => {
      const t = performance.timeOrigin + performance.now();
      document.querySelector('[data-test=session-start]').click();
      return t;
    });
    for (;;) {
      const seen = await alys.page.evaluate((t) => Object.values(window.__session).find((v) => v >= t), at);
      if (seen) { starts.push(seen - at); break; }
      await new Promise((r) => setTimeout(r, 5));
    }
    await owen.page.locator('[data-test=session-end]').waitFor();
  }
  report(`session start, key worker's tap → person's screen, ${starts.length} sessions:`, starts);
} finally {
  abort.abort();
  await browser.close();
  await server.stop();
}
