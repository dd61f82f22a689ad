// A locked, encrypted device, in Chromium, tap by tap: each person's records on a tablet are encrypted under their
// own key; the next person on a shared tablet cannot read them (the raw IndexedDB values are searched); an offline
// start asks for the PIN before showing anything; five wrong PINs lose nothing; the tablet locks itself after the
// ward's idle time; a session ended on the server locks the records.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  serverAndBrowser, newTablet, signIn, enterPin, pinForm, artifacts, waymarkDatabases, until, eventually, caughtUp, TEST_PIN,
  DEMO_PASSWORD, offlineReady, goOffline,
} from '../support/harness.mjs';

const world = serverAndBrowser();

const DEMO_NAMES = ['Rhian Morgan', 'Owen Price', 'Sara Lloyd', 'Dylan Evans', 'Alys Hughes', 'Tomos Reed', 'Nia Carter',
  'Gareth Evans', 'Helen Hughes', 'Demo Administrator'];

const field = (page, name) => page.locator(`[data-test=about-me-field][data-field=${name}]`);
const input = (page, name) => field(page, name).locator('.field-input');
const syncState = (page, state, timeout = 30_000) =>
  page.locator(`[data-test=sync-status][data-state=${state}]`).waitFor({ timeout });

/// Write an "About me" field with no network, and wait until the tablet says it is saved there.
async function writeOffline(page, name, text) {
  await input(page, name).fill(text);
  await input(page, name).blur();
  await field(page, name).locator('[data-test=field-status][data-state=saved-here]').waitFor();
}

/// Every key and value in every IndexedDB database of this tablet, as text: strings as they are, bytes decoded as
/// UTF-8 (so plain JSON stored as bytes would show), objects by their fields.
const rawIndexedDb = (page) =>
  page.evaluate(async () => {
    const dec = new TextDecoder('utf-8', { fatal: false });
    const show = (v) => {
      if (v === null || v === undefined) return '';
      if (typeof v === 'string') return v;
      if (v instanceof ArrayBuffer) return dec.decode(new Uint8Array(v));
      if (ArrayBuffer.isView(v)) return dec.decode(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      if (v instanceof CryptoKey) return `[CryptoKey extractable=${v.extractable}]`;
      if (Array.isArray(v)) return v.map(show).join(' ');
      if (typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k}=${show(x)}`).join(' ');
      return String(v);
    };
    const out = {};
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise((resolve, reject) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      for (const store of db.objectStoreNames) {
        out[`${name}/${store}`] = await new Promise((resolve, reject) => {
          const tx = db.transaction(store);
          const keys = tx.objectStore(store).getAllKeys();
          const values = tx.objectStore(store).getAll();
          tx.oncomplete = () => resolve({ keys: keys.result.map(show), values: values.result.map(show) });
          tx.onerror = () => reject(tx.error);
        });
      }
      db.close();
    }
    return out;
  });

const everything = (dump) => Object.entries(dump).map(([k, v]) => `${k} ${v.keys.join(' ')} ${v.values.join(' ')}`).join('\n');
const localStorageText = (page) => page.evaluate(() => JSON.stringify({ ...localStorage }));

test('shared tablet: a waiting edit stays encrypted for its writer, unreadable by the next person, and is sent at their next sign-in', async () => {
  const { context, page } = await newTablet(world.browser, world.server.url);
  const secret = 'Dylan hopes to sail to Ynys Enlli next summer';

  // Dylan signs in (choosing his PIN for this tablet) and writes with no network.
  await signIn(page, 'dylan');
  await page.locator('[data-test=about-me]').waitFor();
  await syncState(page, 'saved');
  // His records are on the tablet before the network goes ("saved" says nothing is waiting to be sent; the first
  // pull may still be under way).
  await caughtUp(page);
  await goOffline({ context });
  await syncState(page, 'offline');
  await writeOffline(page, 'my_hopes', secret);

  // On the tablet his edit is stored, but only as ciphertext.
  // (Waited for: on a loaded machine his records may still be being saved.)
  let dump;
  let dylansDb;
  await eventually(async () => {
    dump = await rawIndexedDb(page);
    dylansDb = Object.keys(dump).find((k) => k.endsWith('/outbox'))?.split('/')[0];
    assert.ok(dylansDb, 'his store is on the tablet');
    assert.equal(dump[`${dylansDb}/outbox`].values.length, 1, 'the edit is waiting in his outbox');
    assert.ok(dump[`${dylansDb}/cells`].values.length > 0, 'his records are on the tablet');
  }, { what: "Dylan's waiting edit and records on the tablet" });
  assert.ok(!everything(dump).includes(secret), 'the waiting edit is not readable in IndexedDB');
  assert.match(everything(dump), /\[CryptoKey extractable=false\]/, 'the device key is kept as a non-extractable key');

  // Signing out with the edit waiting: the question says, in plain words, that it stays locked for him.
  let question = '';
  page.once('dialog', async (d) => { question = d.message(); await d.accept(); });
  await page.locator('header button', { hasText: 'Sign out' }).click();
  await page.locator('#username').waitFor();
  assert.match(question, /^1 change made here has not been sent yet\. /);
  assert.match(question, /locked so that only you can open it/);
  assert.match(question, /sent the next time you sign in here/);
  assert.deepEqual(await waymarkDatabases(page), [dylansDb], 'his store stays on the tablet');

  // Owen signs in on the same tablet, online: Dylan's edit is not on Owen's screen, nor readable anywhere on the
  // tablet, and localStorage names nobody but Owen.
  await context.setOffline(false);
  await signIn(page, 'owen');
  await page.locator('[data-test=person-card]', { hasText: 'Dylan Evans' }).click();
  await page.locator('[data-test=about-me]').waitFor();
  await syncState(page, 'saved');
  assert.equal(await input(page, 'my_hopes').inputValue(), '', 'the edit was never sent, so Owen cannot see it');
  dump = await rawIndexedDb(page);
  assert.equal((await waymarkDatabases(page)).length, 2, 'Dylan\'s store and Owen\'s');
  assert.ok(!everything(dump).includes(secret), 'Dylan\'s edit cannot be read from the tablet');
  const stored = await localStorageText(page);
  assert.ok(stored.includes('Owen Price'), 'the lock screen\'s own person is remembered');
  for (const name of DEMO_NAMES.filter((n) => n !== 'Owen Price')) {
    assert.ok(!stored.includes(name), `localStorage must not name ${name}: ${stored}`);
  }
  assert.ok(!stored.includes(secret));
  await page.screenshot({ path: join(artifacts, 'shared-tablet-next-person.png'), fullPage: true });
  page.once('dialog', (d) => d.accept());
  await page.locator('header button', { hasText: 'Sign out' }).click();
  await page.locator('#username').waitFor();

  // Dylan signs in again (his PIN is still set here): his edit is sent.
  await signIn(page, 'dylan');
  await page.locator('[data-test=about-me]').waitFor();
  await syncState(page, 'saved', 30_000);
  assert.equal(await input(page, 'my_hopes').inputValue(), secret);
  const owen = await newTablet(world.browser, world.server.url);
  await signIn(owen.page, 'owen');
  await owen.page.locator('[data-test=person-card]', { hasText: 'Dylan Evans' }).click();
  await owen.page.waitForFunction(
    (text) => document.querySelector('[data-field=my_hopes] .field-input')?.value === text, secret, { timeout: 15_000 });
  await owen.context.close();
  await context.close();
});

test('offline restart after the session ended asks for the PIN first; five wrong PINs lose nothing', async () => {
  const { context, page } = await newTablet(world.browser, world.server.url, { pin: false });
  const waiting = 'Alys would like to learn the harp';
  await signIn(page, 'alys');
  await page.locator('[data-test=about-me]').waitFor();
  await offlineReady(page);
  await syncState(page, 'saved');
  await goOffline({ context });
  await syncState(page, 'offline');
  await writeOffline(page, 'my_hopes', waiting);

  // Her session ends on the server (idle expiry, or ended by staff) while the tablet has no network.
  world.server.sql('DELETE FROM sessions');
  await page.reload();

  // The PIN is asked for; nothing of her records, and no other person's name, is on the page.
  const form = pinForm(page);
  await form.waitFor();
  assert.equal(await form.getAttribute('data-mode'), 'unlock');
  assert.equal(await page.locator('[data-test=lock-name]').textContent(), 'Locked for Alys Hughes');
  const html = await page.content();
  assert.ok(!html.includes(waiting), 'no record before the PIN');
  assert.equal(await page.locator('[data-test=about-me], header, [data-test=person-page]').count(), 0);
  for (const name of DEMO_NAMES.filter((n) => n !== 'Alys Hughes')) {
    assert.ok(!html.includes(name), `no other person's name before the PIN: ${name}`);
  }
  await page.screenshot({ path: join(artifacts, 'pin-screen-offline.png'), fullPage: true });

  // Four wrong PINs are each refused, the last warning that one more ends PIN unlocking here.
  for (let n = 1; n <= 4; n++) {
    await enterPin(page, `97531${n}`);
    const error = page.locator('[data-test=pin-error]');
    await error.waitFor();
    if (n < 4) assert.equal(await error.textContent(), 'That PIN is not right. Please try again.');
    else assert.match(await error.textContent(), /If the next one is wrong too/);
    await page.locator('[data-test=pin-submit]:not([disabled])').waitFor();
    assert.ok(!(await page.content()).includes(waiting));
  }
  await page.screenshot({ path: join(artifacts, 'pin-screen-last-try.png'), fullPage: true });

  // The fifth: the wrapped key is deleted from the tablet; her store, with the waiting edit, stays encrypted.
  await enterPin(page, '975315');
  const notice = page.locator('[data-test=sign-in-notice]');
  await notice.waitFor();
  assert.match(await notice.textContent(), /wrong five times/);
  assert.match(await notice.textContent(), /Nothing is lost/);
  const dump = await rawIndexedDb(page);
  assert.deepEqual(dump['waymark.device/people'].keys, [], 'no wrapped key is left on the tablet');
  const hers = Object.keys(dump).find((k) => k.startsWith('waymark-') && k.endsWith('/outbox'));
  assert.equal(dump[hers].values.length, 1, 'the waiting edit is still on the tablet');
  assert.ok(!everything(dump).includes(waiting));
  assert.ok(!(await localStorageText(page)).includes('Alys'), 'nobody is remembered for the lock screen now');
  await page.screenshot({ path: join(artifacts, 'pin-too-many-tries.png'), fullPage: true });

  // A reload with no network still shows nothing of hers.
  await page.reload();
  await page.locator('#username').waitFor();
  assert.equal(await pinForm(page).count(), 0);

  // Online, she signs in with her password: the server hands her key over again, she chooses a new PIN, and the
  // waiting edit is sent.
  await context.setOffline(false);
  await signIn(page, 'alys', DEMO_PASSWORD, { pin: '864208' });
  await page.locator('[data-test=about-me]').waitFor();
  await until(page, (w) => document.querySelector('[data-field=my_hopes] .field-input')?.value === w, waiting, { what: 'the waiting edit back in its field' });
  await syncState(page, 'saved', 30_000);
  const owen = await newTablet(world.browser, world.server.url);
  await signIn(owen.page, 'owen');
  await owen.page.locator('[data-test=person-card]', { hasText: 'Alys Hughes' }).click();
  await owen.page.waitForFunction(
    (text) => document.querySelector('[data-field=my_hopes] .field-input')?.value === text, waiting, { timeout: 15_000 });
  await owen.context.close();

  // Her new PIN opens the records after a reload.
  await page.reload();
  await enterPin(page, '864208');
  await page.locator('[data-test=about-me]').waitFor();
  await context.close();
});

test('the tablet locks itself after the ward\'s idle time; the PIN opens it again, or someone else signs in', async () => {
  world.server.sql('UPDATE wards SET lock_after_seconds = 3');
  const { context, page } = await newTablet(world.browser, world.server.url, { pin: false });
  await page.goto('/sign-in');
  await page.locator('#username').fill('nia');
  await page.locator('#password').fill(DEMO_PASSWORD);
  await page.locator('form button[type=submit]').click();

  // First sign-in here: Nia chooses a PIN; easy ones and mismatches are refused with a plain reason.
  const form = page.locator('[data-test=pin-form][data-mode=choose]');
  await form.waitFor();
  await page.screenshot({ path: join(artifacts, 'choose-pin.png'), fullPage: true });
  const choose = async (pin, again) => {
    await form.locator('[data-test=pin-input]').fill(pin);
    await form.locator('[data-test=pin-again]').fill(again);
    await form.locator('[data-test=pin-submit]').click();
  };
  await choose('123456', '123456');
  await page.locator('[data-test=pin-error]', { hasText: 'too easy to guess' }).waitFor();
  await choose('12345', '12345');
  await page.locator('[data-test=pin-error]', { hasText: '6 to 12 numbers' }).waitFor();
  await choose(TEST_PIN, '482917');
  await page.locator('[data-test=pin-error]', { hasText: 'not the same' }).waitFor();
  await choose(TEST_PIN, TEST_PIN);
  await page.locator('[data-test=about-me]').waitFor();
  await syncState(page, 'saved');

  // Nobody touches the tablet: it locks, and the page holds nothing of hers but her name.
  const lock = page.locator('[data-test=pin-form][data-mode=unlock]');
  await lock.waitFor({ timeout: 15_000 });
  await page.locator('[data-test=lock-idle]').waitFor();
  assert.equal(await page.locator('[data-test=about-me], header').count(), 0);
  assert.equal(await page.locator('[data-test=lock-name]').textContent(), 'Locked for Nia Carter');
  await page.screenshot({ path: join(artifacts, 'idle-lock.png'), fullPage: true });

  // Her PIN opens it again where she was.
  await enterPin(page);
  await page.locator('[data-test=about-me]').waitFor();
  await input(page, 'my_strengths').fill('Drawing');
  await input(page, 'my_strengths').blur();
  await field(page, 'my_strengths').locator('[data-test=field-status][data-state=synced]').waitFor();

  // It locks again; "I'm someone else" signs her out (nothing waits, so her store goes) and Sara signs in.
  await lock.waitFor({ timeout: 15_000 });
  await page.locator('[data-test=someone-else]').click();
  await page.locator('#username').waitFor();
  await until(page, async () => !(await indexedDB.databases()).some((d) => d.name.startsWith('waymark-')), null,
    { what: 'her store to leave with her (nothing was waiting)' });
  assert.equal((await page.evaluate(() => fetch('/api/session').then((r) => r.json()))).user, null);
  world.server.sql('UPDATE wards SET lock_after_seconds = 300');
  await signIn(page, 'sara');
  await page.locator('[data-test=person-card]').first().waitFor();
  await context.close();
});

test('a session that ends on the server locks the records; the edit made meanwhile is sent after signing in again', async () => {
  const { context, page } = await newTablet(world.browser, world.server.url);
  // API requests under way (the live channel's stream aside): a request that loaded the session before it ends
  // saves it again as it finishes, so the session is ended only when none is under way.
  const underWay = new Set();
  page.on('request', (r) => { if (r.url().includes('/api/') && !r.url().includes('/api/sync/live')) underWay.add(r); });
  page.on('requestfinished', (r) => underWay.delete(r));
  page.on('requestfailed', (r) => underWay.delete(r));
  await signIn(page, 'tomos');
  await page.locator('[data-test=about-me]').waitFor();
  await syncState(page, 'saved');

  // The session ends on the server; the next edit's push is refused, and the records close at once.
  // (The live channel also ends with the session and closes the records at once, so the edit is made with the
  // network off, and the session found ended when it comes back.)
  while (underWay.size > 0) await new Promise((r) => setTimeout(r, 20));
  await goOffline({ context });
  await syncState(page, 'offline');
  world.server.sql('DELETE FROM sessions');
  const text = 'Tomos is fixing up an old bike';
  await input(page, 'my_strengths').fill(text);
  await page.keyboard.press('Tab');
  await context.setOffline(false);
  const notice = page.locator('[data-test=sign-in-notice]');
  await notice.waitFor({ timeout: 30_000 }).catch(async (e) => {
    const seen = await page.locator('body').innerText().catch(() => '?');
    await page.screenshot({ path: join(artifacts, 'session-ended-failure.png'), fullPage: true });
    throw new Error(`${e.message}\nthe page showed: ${seen.slice(0, 600)}`);
  });
  assert.match(await notice.textContent(), /Your session ended/);
  assert.equal(await page.locator('[data-test=about-me], header').count(), 0);
  assert.ok(!(await page.content()).includes(text));

  // Signing in again opens the same store; the edit goes to the server, and his key worker sees it.
  await signIn(page, 'tomos');
  await page.locator('[data-test=about-me]').waitFor();
  await syncState(page, 'saved', 30_000);
  assert.equal(await input(page, 'my_strengths').inputValue(), text);
  const sara = await newTablet(world.browser, world.server.url);
  await signIn(sara.page, 'sara');
  await sara.page.locator('[data-test=person-card]', { hasText: 'Tomos Reed' }).click();
  await sara.page.waitForFunction(
    (t) => document.querySelector('[data-field=my_strengths] .field-input')?.value === t, text, { timeout: 15_000 });
  await sara.context.close();
  await context.close();
});

test('a store written before encryption (plain JSON) is sealed when its person next opens it, keeping what it held', async () => {
  const { context, page } = await newTablet(world.browser, world.server.url);
  const nia = world.server.query("SELECT id FROM users WHERE username = 'nia'");
  await page.goto('/sign-in');
  await page.locator('#username').waitFor();
  // Nia's store as the app wrote it before encryption: plain JSON text (her device id and her next edit's number).
  await page.evaluate(async (name) => {
    await new Promise((resolve, reject) => {
      const r = indexedDB.open(name, 1);
      r.onupgradeneeded = () => { for (const s of ['cells', 'meta', 'outbox', 'attention', 'pages']) r.result.createObjectStore(s); };
      r.onsuccess = () => {
        const tx = r.result.transaction('meta', 'readwrite');
        tx.objectStore('meta').put('"tablet-legacy0123456789"', 'client');
        tx.objectStore('meta').put('7', 'next_id');
        tx.oncomplete = () => { r.result.close(); resolve(); };
        tx.onerror = () => reject(tx.error);
      };
      r.onerror = () => reject(r.error);
    });
  }, `waymark-${nia}`);

  await signIn(page, 'nia');
  await page.locator('[data-test=about-me]').waitFor();
  await input(page, 'my_hopes').fill('To go to art college');
  await input(page, 'my_hopes').blur();
  await syncState(page, 'saved', 30_000);
  // What the old store held was kept (her device id, her edit numbers), and nothing in it is plain text now.
  const sent = `SELECT mutation_id FROM sync_mutations WHERE user_id = '${nia}' AND client_id = 'tablet-legacy0123456789'`;
  assert.equal(world.server.query(sent), '7');
  const plain = await page.evaluate(async (name) => {
    const db = await new Promise((resolve) => { const r = indexedDB.open(name); r.onsuccess = () => resolve(r.result); });
    const found = [];
    for (const store of db.objectStoreNames) {
      const values = await new Promise((resolve) => { const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => resolve(r.result); });
      found.push(...values.filter((v) => !(v instanceof Uint8Array)).map((v) => `${store}: ${String(v)}`));
    }
    const keys = await new Promise((resolve) => { const r = db.transaction('meta').objectStore('meta').getAllKeys(); r.onsuccess = () => resolve(r.result); });
    db.close();
    return { found, keys };
  }, `waymark-${nia}`);
  assert.deepEqual(plain.found, [], 'every value is sealed');
  assert.ok(plain.keys.includes('check') && plain.keys.includes('client'), plain.keys.join());
  await context.close();
});
