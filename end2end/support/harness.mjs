// Starts a real Waymark server (SQLite in a temp folder, demo ward seeded) and Debian's Chromium.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect, isDeepStrictEqual } from 'node:util';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { before, after, afterEach } from 'node:test';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
export const artifacts = join(root, 'end2end', 'artifacts');
export const DEMO_PASSWORD = 'waymark-demo';
/// The PIN people in the tests choose for a tablet at their first sign-in on it, and type to open their records.
export const TEST_PIN = '482916';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/// Start the server on a fresh database with the demo ward. `env` adds settings (e.g. the identity provider's);
/// `port` picks the port (one from `freePort`, when a setting must name the server's address before it starts).
export async function startServer({ env = {}, port: wanted } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-e2e-'));
  const port = wanted ?? await freePort();
  const bin = process.env.WAYMARK_SERVER_BIN || join(root, 'target', 'debug', 'waymark-server');
  const child = spawn(bin, [], {
    env: {
      ...process.env,
      DATABASE_URL: `sqlite://${join(dir, 'e2e.db')}?mode=rwc`,
      WAYMARK_LISTEN: `127.0.0.1:${port}`,
      WAYMARK_DIST: process.env.WAYMARK_DIST || join(root, 'dist'),
      WAYMARK_SEED_DEMO: 'true',
      RUST_LOG: process.env.RUST_LOG || 'warn',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error('server did not become healthy in 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const dbPath = join(dir, 'e2e.db');
  return {
    url,
    dbPath,
    /// Change the server's database behind its back (e.g. a care-team change made by an administrator), with
    /// Debian's sqlite3 command.
    sql(statement) {
      execFileSync('sqlite3', ['-bail', '-cmd', '.timeout 5000', dbPath, statement]);
    },
    /// Read the server's database behind its back: the rows of a query, one a line.
    query(statement) {
      return execFileSync('sqlite3', ['-bail', '-cmd', '.timeout 5000', dbPath, statement], { encoding: 'utf8' }).trim();
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  mkdirSync(artifacts, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync',
    ],
  });
}

/// A fresh browser context (its own cookies and storage: like a separate tablet), viewport of a 10-inch tablet.
/// Whenever the tablet asks for a PIN (choosing one at a first sign-in, or opening the records after a reload or
/// the idle lock), the person types `TEST_PIN`, as someone would before carrying on; `{ pin: false }` leaves the
/// PIN screens to the test.
export async function newTablet(browser, baseURL, { pin = TEST_PIN, serviceWorkers = 'allow' } = {}) {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 }, serviceWorkers });
  if (serviceWorkers === 'allow') workersRun.add(context);
  const watch = (page) => {
    page.on('pageerror', (e) => console.error('page error:', e));
    page.on('crash', () => console.error('page crashed:', page.url()));
    // A Rust panic is reported on the console (console_error_panic_hook) before the wasm traps.
    page.on('console', (m) => {
      if ((m.type() === 'error' && /panicked/.test(m.text())) || process.env.WAYMARK_E2E_CONSOLE) console.error('console:', m.text());
    });
    if (pin) {
      // (A page closed at once, as a test ends, refuses the handler: nothing is left to type a PIN into.)
      page.addLocatorHandler(pinForm(page), () => enterPin(page, pin)).catch(() => {});
      typesPinItself.add(page);
    }
    watchAccessibility(page);
  };
  context.on('page', watch);
  const page = await context.newPage();
  return { context, page };
}

/// Tablets whose service worker may run (every one but those a test opens with `serviceWorkers: 'block'`).
const workersRun = new WeakSet();

/// Wait until Waymark's service worker controls the page: it has cached every file of this build (each page's
/// part of the app included), so a page not opened yet still opens with no network.
export async function offlineReady(page, { timeout = 30_000 } = {}) {
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout, polling: 100 });
}

/// The ward's Wi-Fi drops on this tablet, as it does on a tablet used before: the app's files are already kept
/// (a tablet cut off moments after its very first visit could not open a page whose part of the app it had not
/// fetched yet, and would offer to load Waymark again). Only Waymark's own pages are waited on.
export async function goOffline({ context }) {
  if (workersRun.has(context)) {
    for (const page of context.pages()) {
      if (!page.url().startsWith('http')) continue;
      await offlineReady(page).catch((e) => {
        if (!page.isClosed()) throw e;
      });
    }
  }
  await context.setOffline(true);
}

// ---- Accessibility: axe-core (WCAG 2.2 A and AA rules) on every page a test visits ----

/// The WCAG 2.0, 2.1 and 2.2 A and AA rules.
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/// Violations found on the pages of the running test (reported, and the test failed, when it ends).
const axeViolations = [];
/// Checks started and not finished yet, per page.
const axeRunning = new Map();
/// What each page has been checked as already: path, language, easy read.
const axeSeen = new WeakMap();
let axeChecks = 0;

/// Run axe on the page as it is now and keep what it finds. `why` names the moment in the report.
/// Origins that are not Waymark's (an identity provider a test starts): their pages are not Waymark's to check.
export const foreignOrigins = new Set();

export async function checkAccessibility(page, why = 'the page') {
  // One axe run at a time in a page: a check a test asks for waits for the automatic check of the page it moved to
  // (axe refuses a second run while one is under way), and the next automatic check waits for it in turn.
  const before = axeRunning.get(page) ?? Promise.resolve();
  const run = before.then(() => analyse(page, why));
  axeRunning.set(page, Promise.race([run.catch(() => {}), closed(page)]));
  return run;
}

/// Resolves when the page closes.
const closed = (page) => new Promise((resolve) => {
  if (page.isClosed()) resolve();
  else page.once('close', resolve);
});

/// The check itself, run only in its page's turn (see `checkAccessibility`).
async function analyse(page, why) {
  const url = new URL(page.url());
  if (foreignOrigins.has(url.origin)) return [];
  // Run in the page itself (axe's "legacy" mode): the default finishes each check in a blank page it opens in the
  // same browser context, and a page opening and closing under a test races what the test does to the whole
  // tablet (cutting or restoring its network). Waymark's pages have no frames from other origins to lose.
  let results;
  for (let attempt = 1; ; attempt += 1) {
    try {
      results = await new AxeBuilder({ page }).withTags(AXE_TAGS).setLegacyMode().analyze();
      break;
    } catch (e) {
      // A check given up on after AXE_RUN_MS may still be running in the page: wait for it to end.
      if (attempt >= 20 || !/Axe is already running/.test(String(e?.message))) throw e;
      await pause(500);
    }
  }
  axeChecks += 1;
  const found = results.violations.map((v) => ({
    url: url.pathname,
    why,
    rule: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(0, 3).join(' ')}`),
  }));
  axeViolations.push(...found);
  return found;
}

/// Wait until the page shows its main heading with words in it and nothing in the main part is loading (up to
/// 10 s: a page that never settles is checked as it is).
async function settled(page) {
  await page.waitForFunction(() => {
    const h1 = document.querySelector('main h1');
    return !!h1 && h1.textContent.trim() !== '' && !document.querySelector('main .loading');
  }, null, { timeout: 10_000, polling: 100 }).catch(() => {});
}

/// How long one automatic check may take: an evaluation in a page can wait without end (a page held by a dialog, or
/// one being closed), and the end of a test waits for the checks under way.
const AXE_RUN_MS = 30_000;

class CheckTimedOut extends Error {}

/// `work()`, or a `CheckTimedOut` error after `ms` (the work itself is left to finish or fail on its own).
function withinTime(ms, work) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new CheckTimedOut()), ms); });
  return Promise.race([work(), late]).finally(() => clearTimeout(timer));
}

/// After every move to another page (a load, a reload or a move within the app), once it has settled, check it:
/// once per path, language and easy-read setting for each page object.
function watchAccessibility(page) {
  axeSeen.set(page, new Set());
  page.on('framenavigated', (frame) => {
    if (frame !== page.mainFrame()) return;
    if (foreignOrigins.has(new URL(frame.url()).origin)) return;
    const before = axeRunning.get(page) ?? Promise.resolve();
    const path = new URL(frame.url()).pathname;
    const run = before.then(() => withinTime(AXE_RUN_MS, async () => {
      if (page.isClosed()) return;
      await settled(page);
      if (page.isClosed()) return;
      const key = await page.evaluate(() => `${location.pathname}|${document.documentElement.lang}|${document.documentElement.classList.contains('easy-read')}`);
      if (axeSeen.get(page).has(key)) return;
      axeSeen.get(page).add(key);
      await analyse(page, 'after moving to this page');
    })).catch((e) => {
      // The page was closed or moved on while it was being checked: the next page is checked in its turn. A check
      // that cannot finish (a page script waiting on a dialog, a page that was left) is reported and not waited on.
      if (e instanceof CheckTimedOut && !page.isClosed()) console.error(`axe: the check of ${path} did not finish in ${AXE_RUN_MS / 1000} s; not waited on`);
    });
    // A page closed while it is being checked is not waited on (an evaluation under way may never answer).
    axeRunning.set(page, Promise.race([run, closed(page)]));
  });
}

/// At the end of each test: wait for the checks under way and fail the test on any violation.
export async function accessibilityVerdict() {
  await Promise.all([...axeRunning.values()]);
  axeRunning.clear();
  const found = axeViolations.splice(0);
  if (found.length > 0) {
    const lines = found.map((v) => `  ${v.url} (${v.why}): ${v.rule} [${v.impact}] ${v.help}\n    ${v.nodes.join('\n    ')}`);
    throw new Error(`axe found ${found.length} accessibility violation(s) (WCAG 2.2 A/AA):\n${lines.join('\n')}`);
  }
}

/// How many axe checks ran in this process (a test can check that its pages were looked at).
export const axeCheckCount = () => axeChecks;

/// Pages whose person types the PIN whenever asked (see `newTablet`).
const typesPinItself = new WeakSet();

/// The lock screen's PIN form (`data-mode` is `choose` at a first sign-in on a tablet, `unlock` otherwise).
export const pinForm = (page) => page.locator('[data-test=pin-form]');

/// Type the PIN on the lock screen, tap by tap as a person does: twice when choosing it, once to open the records.
export async function enterPin(page, pin = TEST_PIN) {
  const form = pinForm(page);
  const mode = await form.getAttribute('data-mode');
  await form.locator('[data-test=pin-input]').fill(pin);
  if (mode === 'choose') await form.locator('[data-test=pin-again]').fill(pin);
  await form.locator('[data-test=pin-submit]').click();
}

/// Sign in on the sign-in page. At a first sign-in on this tablet the person then chooses their PIN; the call
/// returns once the records are open, or the sign-in page says why not.
export async function signIn(page, username, password = DEMO_PASSWORD, { pin = TEST_PIN } = {}) {
  await page.goto('/sign-in');
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('form button[type=submit]').click();
  const done = '[data-test=signed-in-as], .sign-in-page [role=alert]';
  if (typesPinItself.has(page)) {
    // Waiting runs the tablet's PIN handler whenever the PIN form shows.
    await page.locator(done).first().waitFor({ timeout: 30_000 });
    return;
  }
  await page.locator(`[data-test=pin-form][data-mode=choose], ${done}`).first().waitFor({ timeout: 30_000 });
  if (await pinForm(page).isVisible()) {
    await enterPin(page, pin);
    await page.locator(done).first().waitFor();
  }
}

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

/// Poll `fn` (run in the page; it may be async) until it returns something truthy, and return that. A page busy
/// navigating (its context replaced under the call) is asked again.
/// (`page.waitForFunction` does not wait for a promise a predicate returns: it counts the promise as truthy.)
export async function until(page, fn, arg, { timeout = 30_000, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let failure = null;
  for (;;) {
    try {
      const value = await page.evaluate(fn, arg);
      failure = null;
      if (value) return value;
    } catch (e) {
      failure = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${failure ? ` (last error: ${failure.message})` : ''}`);
    }
    await pause(100);
  }
}

/// Wait until `read()` (run here, in node: it reads the page, e.g. `() => locator.allTextContents()`) gives the
/// expected value: deeply equal to `expected`, or, when `expected` is a RegExp, a string it matches. Returns the value
/// read. Screens fill in as data arrives, so a test never asserts on a single read of a list or a value; on time-out
/// this fails with the last value read (or the last error reading it) beside the one expected.
export async function waitFor(read, expected, { timeout = 30_000, what = 'value' } = {}) {
  const matches = expected instanceof RegExp
    ? (v) => typeof v === 'string' && expected.test(v)
    : (v) => isDeepStrictEqual(v, expected);
  const deadline = Date.now() + timeout;
  let last;
  let failure;
  for (;;) {
    try {
      last = await read();
      failure = null;
      if (matches(last)) return last;
    } catch (e) {
      failure = e;
    }
    if (Date.now() > deadline) break;
    await pause(100);
  }
  const wanted = expected instanceof RegExp ? `matching ${expected}` : inspect(expected, { depth: 6 });
  if (failure) {
    failure.message = `timed out after ${timeout} ms waiting for ${what} ${wanted}; reading it failed: ${failure.message}`;
    throw failure;
  }
  throw new assert.AssertionError({
    message: `timed out after ${timeout} ms waiting for ${what} ${wanted}; it was ${inspect(last, { depth: 6 })}`,
    actual: last,
    expected,
    operator: expected instanceof RegExp ? 'match' : 'deepStrictEqual',
  });
}

/// Run `check` (assertions on values it reads from the page) until it passes, and return what it returns. For
/// expectations that are not one value (e.g. "one of the versions names Dylan"); on time-out the last assertion
/// error is thrown, with what it saw.
export async function eventually(check, { timeout = 30_000, what = 'the check' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) {
        e.message = `still failing after ${timeout} ms (${what}): ${e.message}`;
        throw e;
      }
    }
    await pause(100);
  }
}

/// The sync schema version the server speaks (every pull names it), read from the shared crate.
function syncSchema() {
  const source = readFileSync(join(root, 'shared', 'src', 'sync', 'protocol.rs'), 'utf8');
  const found = source.match(/pub const SCHEMA_VERSION: u32 = (\d+);/);
  if (!found) throw new Error('SCHEMA_VERSION not found in shared/src/sync/protocol.rs');
  return Number(found[1]);
}

/// Wait until this tablet has pulled and saved everything of the server's that its user may see, as of now: the
/// newest version among the cells a pull of the test's own gives (a pull changes nothing on the server) against the
/// cursor the app saved on the device, which it saves just before showing what it pulled. Checks that something
/// never reaches a device ("nothing unshared shows") come after this, so they cannot pass by looking too early.
export async function caughtUp(page, { timeout = 30_000 } = {}) {
  const newest = await page.evaluate(async (schema) => {
    let since = 0;
    let newest = 0;
    for (;;) {
      const res = await fetch(`/api/sync/pull?schema=${schema}&since=${since}&limit=500`);
      if (!res.ok) throw new Error(`pull answered ${res.status}`);
      const page = await res.json();
      for (const e of page.events) newest = Math.max(newest, e.cell.version);
      if (!page.more) return newest;
      since = page.cursor;
    }
  }, syncSchema());
  // The cursor the app has saved on the device (its store is encrypted): the app says it on the sync status once the
  // save has finished.
  const deviceCursor = () => page.evaluate(() => {
    const cursor = document.querySelector('[data-test=sync-status]')?.dataset.cursor;
    return cursor === undefined || cursor === '' ? null : Number(cursor);
  });
  await eventually(async () => {
    const cursor = await deviceCursor();
    assert.ok(cursor !== null && cursor >= newest, `the device's saved cursor is ${cursor}, not yet version ${newest}`);
  }, { timeout, what: 'the device to catch up with the server' });
}

/// Keep the bodies of this page's responses whose URL contains `part` (what reached the device), in order.
export function recordResponses(page, part) {
  const bodies = [];
  page.on('response', async (r) => {
    if (!r.url().includes(part)) return;
    try { bodies.push(await r.text()); } catch {}
  });
  return bodies;
}

/// The names of this browser context's Waymark databases (one per person who used the tablet).
export const waymarkDatabases = (page) =>
  page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name).filter((n) => n.startsWith('waymark-')));

/// The usual set-up of a test file: one server and one browser for all its tests, stopped at the end.
/// Returns an object whose `server` and `browser` are filled in before the first test runs.
export function serverAndBrowser() {
  const world = { server: null, browser: null };
  before(async () => {
    world.server = await startServer();
    world.browser = await launchBrowser();
  });
  afterEach(accessibilityVerdict);
  after(async () => {
    await world.browser?.close();
    await world.server?.stop();
  });
  return world;
}
