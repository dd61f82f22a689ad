// Offline-first sync in real browsers: edits made with no network are saved on the tablet, survive a reload, and
// reach the key worker's open page live when the network returns; two people editing the same field apart both see
// both versions, and one settles it for everyone.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serverAndBrowser, newTablet, signIn, artifacts, until, waymarkDatabases, waitFor, eventually, goOffline, offlineReady } from '../support/harness.mjs';

const world = serverAndBrowser();

const field = (page, name) => page.locator(`[data-test=about-me-field][data-field=${name}]`);
const input = (page, name) => field(page, name).locator('.field-input');
const syncState = (page, state, timeout = 30_000) =>
  page.locator(`[data-test=sync-status][data-state=${state}]`).waitFor({ timeout });

/// Wait until this tablet's store (one database per person) holds the page just opened, so it opens offline.
async function waitForKeptPage(page) {
  await until(page, async () => {
    const dbs = await indexedDB.databases();
    const mine = dbs.find((d) => d.name.startsWith('waymark-'));
    if (!mine) return false;
    return new Promise((resolve) => {
      const open = indexedDB.open(mine.name);
      open.onsuccess = () => {
        const db = open.result;
        const count = db.transaction('pages').objectStore('pages').count();
        count.onsuccess = () => { db.close(); resolve(count.result > 0); };
        count.onerror = () => { db.close(); resolve(false); };
      };
      open.onerror = () => resolve(false);
    });
  }, null, { what: 'the person page kept on the tablet' });
}

async function openDylanAs(username) {
  const tablet = await newTablet(world.browser, world.server.url);
  await signIn(tablet.page, username);
  if (username !== 'dylan') {
    await tablet.page.locator('[data-test=person-card]', { hasText: 'Dylan Evans' }).click();
  }
  await tablet.page.locator('[data-test=about-me]').waitFor();
  return tablet;
}

test('edits made offline are kept through a reload and reach the key worker live', async () => {
  const owen = await openDylanAs('owen');
  const dylan = await openDylanAs('dylan');
  await offlineReady(dylan.page);
  await waitForKeptPage(dylan.page);
  await syncState(dylan.page, 'saved');
  await waitFor(() => dylan.page.locator('[data-test=sync-status]').textContent(), 'All saved here', { what: 'the sync status' });

  // No network: the edit and the comment are saved on the tablet.
  await goOffline(dylan);
  await syncState(dylan.page, 'offline');
  const hopes = 'To live near the sea and work with boats';
  await input(dylan.page, 'my_hopes').fill(hopes);
  await input(dylan.page, 'my_hopes').blur();
  await field(dylan.page, 'my_hopes').locator('[data-test=field-status][data-state=saved-here]').waitFor();
  await waitFor(() => field(dylan.page, 'my_hopes').locator('[data-test=field-status]').textContent(), 'Saved on this device',
    { what: 'the field status' });
  await dylan.page.locator('[data-test=comment-input]').fill('I wrote this on the ward with no Wi-Fi');
  await dylan.page.locator('[data-test=comment-add]').click();
  await dylan.page.locator('[data-test=comment][data-state=waiting]').waitFor();
  await waitFor(() => dylan.page.locator('[data-test=sync-status]').textContent(), /Offline/, { what: 'the sync status' });

  // Reload with no network: the app starts, signed in, and the edits are still there.
  await dylan.page.reload();
  await dylan.page.locator('[data-test=about-me]').waitFor();
  await syncState(dylan.page, 'offline');
  await dylan.page.waitForFunction(
    (text) => document.querySelector('[data-field=my_hopes] .field-input')?.value === text, hopes);
  await waitFor(() => dylan.page.locator('[data-test=comment]').count(), 1, { what: 'the number of comments' });
  await waitFor(() => dylan.page.locator('[data-test=comment]').textContent(), /no Wi-Fi/, { what: 'the comment' });
  await dylan.page.screenshot({ path: join(artifacts, 'offline-edits.png'), fullPage: true });

  // Back online: the edits sync, and the key worker's open page shows them without a reload.
  await dylan.context.setOffline(false);
  await syncState(dylan.page, 'saved', 30_000);
  await owen.page.waitForFunction(
    (text) => document.querySelector('[data-field=my_hopes] .field-input')?.value === text, hopes, { timeout: 15_000 });
  await owen.page.locator('[data-test=comment]', { hasText: 'no Wi-Fi' }).waitFor({ timeout: 15_000 });
  await waitFor(() => owen.page.locator('[data-test=comment]').textContent(), /Dylan Evans/, { what: "the comment on Owen's page" });
  await waitFor(() => dylan.page.locator('[data-test=comment][data-state=synced]').count(), 1, { what: 'synced comments' });
  await owen.page.screenshot({ path: join(artifacts, 'key-worker-live.png'), fullPage: true });

  // A comment not yet sent can be taken back; a sent one is removed and restored by its writer.
  await goOffline(dylan);
  await syncState(dylan.page, 'offline');
  await dylan.page.locator('[data-test=comment-input]').fill('Oops, wrong page');
  await dylan.page.locator('[data-test=comment-add]').click();
  await dylan.page.locator('[data-test=comment]', { hasText: 'Oops' }).locator('[data-test=comment-undo]').click();
  await dylan.page.locator('[data-test=comment]', { hasText: 'Oops' }).waitFor({ state: 'detached' });
  await dylan.context.setOffline(false);
  await syncState(dylan.page, 'saved', 30_000);
  const mine = dylan.page.locator('[data-test=comment]', { hasText: 'no Wi-Fi' });
  await mine.locator('[data-test=comment-remove]').click();
  await owen.page.locator('[data-test=comment]', { hasText: 'no Wi-Fi' }).waitFor({ state: 'detached', timeout: 15_000 });
  await syncState(dylan.page, 'saved', 30_000);
  await mine.locator('[data-test=comment-restore]').click();
  await owen.page.locator('[data-test=comment]', { hasText: 'no Wi-Fi' }).waitFor({ timeout: 15_000 });
  assert.equal(await owen.page.locator('[data-test=comment]', { hasText: 'Oops' }).count(), 0);

  await owen.context.close();
  await dylan.context.close();
});

test('the same field edited apart shows both versions to both, and one settles it for everyone', async () => {
  const owen = await openDylanAs('owen');
  const dylan = await openDylanAs('dylan');
  await syncState(owen.page, 'saved');
  await syncState(dylan.page, 'saved');

  await goOffline(owen);
  await goOffline(dylan);
  const dylans = 'My family, my music and getting outside every day';
  const owens = 'Seeing his sister on Sundays';
  await input(dylan.page, 'what_matters_to_me').fill(dylans);
  await input(dylan.page, 'what_matters_to_me').blur();
  await input(owen.page, 'what_matters_to_me').fill(owens);
  await input(owen.page, 'what_matters_to_me').blur();
  await field(dylan.page, 'what_matters_to_me').locator('[data-state=saved-here]').waitFor();
  await field(owen.page, 'what_matters_to_me').locator('[data-state=saved-here]').waitFor();

  await dylan.context.setOffline(false);
  await syncState(dylan.page, 'saved', 30_000);
  await owen.context.setOffline(false);

  // Both see both versions, with who wrote each.
  for (const page of [owen.page, dylan.page]) {
    const conflict = page.locator('[data-test=conflict][data-field=what_matters_to_me]');
    await conflict.waitFor({ timeout: 30_000 });
    await eventually(async () => {
      const versions = await conflict.locator('[data-test=conflict-version]').allTextContents();
      assert.equal(versions.length, 2);
      assert.ok(versions.some((v) => v.includes(dylans) && v.includes('Dylan Evans, ')), versions.join(' | '));
      assert.ok(versions.some((v) => v.includes(owens) && v.includes('Owen Price, ')), versions.join(' | '));
    }, { what: 'both versions, with who wrote each' });
    await waitFor(() => conflict.locator('[data-test=conflict-choice]').count(), 2, { what: 'choices (both may settle it)' });
  }
  await owen.page.screenshot({ path: join(artifacts, 'conflict.png'), fullPage: true });

  // Owen writes a combined version; both see it settled.
  const conflict = owen.page.locator('[data-test=conflict][data-field=what_matters_to_me]');
  await conflict.locator('[data-test=conflict-combine]').click();
  const combinedBox = conflict.locator('[data-test=conflict-combined]');
  await waitFor(() => combinedBox.inputValue(), `${dylans}\n\n${owens}`, { what: 'the combined text to start from' });
  const settled = `${dylans}, and seeing his sister on Sundays`;
  await combinedBox.fill(settled);
  await conflict.locator('[data-test=conflict-save-combined]').click();
  for (const page of [owen.page, dylan.page]) {
    await page.locator('[data-test=conflict]').waitFor({ state: 'detached', timeout: 15_000 });
    await page.waitForFunction(
      (text) => document.querySelector('[data-field=what_matters_to_me] .field-input')?.value === text, settled,
      { timeout: 15_000 });
  }
  await syncState(owen.page, 'saved', 30_000);

  // Once Dylan shares his About me with Gareth, his carer, Gareth sees the settled text, read-only.
  const forGareth = dylan.page.locator('[data-test=sharing-about-me] fieldset', { hasText: 'Gareth Evans' });
  await forGareth.locator('[data-test=share-part][data-part=about_me]').check();
  await syncState(dylan.page, 'saved', 30_000);
  const gareth = await newTablet(world.browser, world.server.url);
  await signIn(gareth.page, 'gareth');
  await gareth.page.locator('[data-test=person-card]', { hasText: 'Dylan Evans' }).click();
  await field(gareth.page, 'what_matters_to_me').locator('.field-text', { hasText: 'Sundays' }).waitFor({ timeout: 15_000 });
  assert.equal(await gareth.page.locator('[data-test=about-me] .field-input').count(), 0, 'read-only for a carer');

  await gareth.context.close();
  await owen.context.close();
  await dylan.context.close();
});

test('signing out takes the person\'s data off the tablet, unless edits are still waiting to sync', async () => {
  const { context, page } = await newTablet(world.browser, world.server.url);
  page.on('dialog', (d) => d.accept());
  const signOut = () => page.locator('header button', { hasText: 'Sign out' }).click();

  // Online, everything synced: signing out deletes Nia's database from this tablet.
  await signIn(page, 'nia');
  await page.locator('[data-test=about-me]').waitFor();
  await offlineReady(page);
  await input(page, 'my_strengths').fill('Drawing and patience');
  await input(page, 'my_strengths').blur();
  await field(page, 'my_strengths').locator('[data-test=field-status][data-state=synced]').waitFor();
  await syncState(page, 'saved');
  await waitFor(async () => (await waymarkDatabases(page)).length, 1, { what: "the number of Waymark databases" });
  await signOut();
  await page.locator('#username').waitFor();
  await until(page, async () => !(await indexedDB.databases()).some((d) => d.name.startsWith('waymark-')), null,
    { what: 'the database to be deleted' });

  // Offline with an edit waiting: signing out keeps it on the tablet, and the server session is ended as soon as
  // the network is back, before anyone else can use the tablet online.
  await signIn(page, 'nia');
  await page.locator('[data-test=about-me]').waitFor();
  await syncState(page, 'saved');
  await goOffline({ context });
  await syncState(page, 'offline');
  const hopes = 'A flat of my own by the sea';
  await input(page, 'my_hopes').fill(hopes);
  await input(page, 'my_hopes').blur();
  await field(page, 'my_hopes').locator('[data-test=field-status][data-state=saved-here]').waitFor();
  await signOut();
  await page.locator('[data-test=signed-in-as]').waitFor({ state: 'detached' });
  await waitFor(async () => (await waymarkDatabases(page)).length, 1,
    { what: 'the number of Waymark databases (the waiting edit stays on the tablet)' });
  await context.setOffline(false);
  await page.goto('/');
  await page.locator('#username').waitFor();
  // The app ends the server session it could not end offline as soon as it starts online again.
  await waitFor(async () => (await page.evaluate(async () => (await fetch('/api/session')).json())).user, null,
    { what: 'the signed-in user on the server (the offline sign-out ended the session once back online)' });

  // Nia's next sign-in syncs the waiting edit; her key worker sees it.
  await signIn(page, 'nia');
  await page.locator('[data-test=about-me]').waitFor();
  await syncState(page, 'saved', 30_000);
  const sara = await newTablet(world.browser, world.server.url);
  await signIn(sara.page, 'sara');
  await sara.page.locator('[data-test=person-card]', { hasText: 'Nia Carter' }).click();
  await sara.page.waitForFunction(
    (text) => document.querySelector('[data-field=my_hopes] .field-input')?.value === text, hopes, { timeout: 15_000 });
  await sara.context.close();
  await context.close();
});

test('a second tab for the same person waits, and takes over when the first one closes', async () => {
  const { context, page } = await newTablet(world.browser, world.server.url);
  await signIn(page, 'tomos');
  await page.locator('[data-test=about-me]').waitFor();
  await syncState(page, 'saved');

  // Two tabs over one outbox could overwrite each other's unsent edits: the second one waits and says why.
  const second = await context.newPage();
  await second.goto('/');
  await second.locator('[data-test=other-tab]').waitFor();
  await waitFor(() => second.locator('[data-test=other-tab]').textContent(), /open in another tab/, { what: 'why the tab waits' });

  await page.close();
  await second.locator('[data-test=other-tab]').waitFor({ state: 'detached', timeout: 15_000 });
  await syncState(second, 'saved');
  await input(second, 'my_strengths').fill('Fixing bikes');
  await input(second, 'my_strengths').blur();
  await field(second, 'my_strengths').locator('[data-test=field-status][data-state=synced]').waitFor();
  await syncState(second, 'saved');
  await context.close();
});

/// In the page: note each write the app commits to the tablet's store (its writes are the "strict" ones) and each
/// push it sends, in order. Each write is named by what it holds: a pull's (it moves the cursor, and settles the
/// outbox with what was pulled), a save of the outbox (the outbox alone, or with an edit set aside), a page kept for
/// offline use, or anything else.
const noteWritesAndPushes = () => {
  window.__sync = [];
  window.__refuseWrites = 0;
  const noted = new WeakMap();
  const name = (tx, what) => {
    const at = noted.get(tx);
    if (at === undefined) return;
    const was = window.__sync[at];
    const rank = ['write', 'page write', 'outbox write', 'pull write'];
    if (rank.indexOf(what) > rank.indexOf(was)) window.__sync[at] = what;
  };
  const open = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (names, mode, options) {
    const tx = open.call(this, names, mode, options);
    if (mode === 'readwrite' && options?.durability === 'strict') {
      noted.set(tx, window.__sync.length);
      window.__sync.push('write');
    }
    return tx;
  };
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (value, key) {
    if (this.name === 'meta' && key === 'cursor') name(this.transaction, 'pull write');
    if (this.name === 'pages') name(this.transaction, 'page write');
    return put.call(this, value, key);
  };
  const clear = IDBObjectStore.prototype.clear;
  IDBObjectStore.prototype.clear = function () {
    const at = noted.get(this.transaction);
    // A save of the outbox starts by clearing it; a pull's save clears it only after moving the cursor. The tablet
    // refuses the next save of the outbox when asked to (a pull's goes on).
    if (this.name === 'outbox' && at !== undefined && window.__sync[at] === 'write') {
      if (window.__refuseWrites > 0) {
        window.__refuseWrites -= 1;
        window.__sync[at] = 'refused';
        throw new DOMException('The tablet is full', 'QuotaExceededError');
      }
    }
    if (this.name === 'outbox') name(this.transaction, 'outbox write');
    return clear.call(this);
  };
  const send = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : input.url;
    if (/\/api\/sync\/push/.test(url)) window.__sync.push('push');
    return send.call(this, input, init);
  };
  // The moment an "About me" box is left (the app saves it then).
  document.addEventListener('blur', () => window.__sync.push('left the box'), true);
};

/// The saves of the outbox and the pushes among what was noted (a pull's save, or a page kept, can fall between an
/// edit's save and its push when a pull was already under way: they are not the edit's).
const outboxSavesAndPushes = (noted) => noted.filter((n) => n === 'outbox write' || n === 'push');

test('an edit made online is saved once on the tablet, marked as sent, and goes straight to the server', async () => {
  const owen = await openDylanAs('owen');
  const dylan = await newTablet(world.browser, world.server.url);
  await dylan.context.addInitScript(noteWritesAndPushes);
  await signIn(dylan.page, 'dylan');
  await dylan.page.locator('[data-test=about-me]').waitFor();
  await syncState(dylan.page, 'saved');

  // Online: one save (the edit, already marked as sent: it cannot be taken back once it may have gone), then the
  // push. A second save before the push would cost the people waiting on the other end its time.
  const hopes = 'To cook for my family at home';
  await dylan.page.evaluate(() => { window.__sync.length = 0; });
  await input(dylan.page, 'my_hopes').fill(hopes);
  await input(dylan.page, 'my_hopes').blur();
  await field(dylan.page, 'my_hopes').locator('[data-test=field-status][data-state=synced]').waitFor();
  await owen.page.waitForFunction(
    (text) => document.querySelector('[data-field=my_hopes] .field-input')?.value === text, hopes, { timeout: 15_000 });
  const noted = await dylan.page.evaluate(() => [...window.__sync]);
  const online = outboxSavesAndPushes(noted.slice(noted.lastIndexOf('left the box') + 1));
  assert.deepEqual(online.slice(0, online.indexOf('push') + 1), ['outbox write', 'push'],
    `one save, then the push: ${noted.join(', ')}`);

  // The tablet refuses to save an edit: it is said so, what was typed stays in the box to try again, and the edit
  // never leaves the tablet (marked as sent, it was never saved, so it was never sent either).
  await dylan.page.evaluate(() => { window.__refuseWrites = 1; });
  await input(dylan.page, 'my_hopes').fill('A hope the tablet could not keep');
  await input(dylan.page, 'my_hopes').blur();
  await dylan.page.locator('[data-test=edit-failed]').waitFor();
  assert.equal(await input(dylan.page, 'my_hopes').inputValue(), 'A hope the tablet could not keep');
  await dylan.page.locator('[data-test=edit-failed] button').click();
  await input(dylan.page, 'my_strengths').fill('Patience with the garden');
  await input(dylan.page, 'my_strengths').blur();
  await owen.page.waitForFunction(
    () => document.querySelector('[data-field=my_strengths] .field-input')?.value === 'Patience with the garden', null, { timeout: 15_000 });
  assert.equal(await input(owen.page, 'my_hopes').inputValue(), hopes, 'the refused edit did not reach the server');
  await syncState(dylan.page, 'saved');

  // Offline the edit is saved as not sent (so it can still be taken back); back online it is marked as sent, saved
  // so, and pushed.
  await goOffline(dylan);
  await syncState(dylan.page, 'offline');
  await dylan.page.evaluate(() => { window.__sync.length = 0; });
  await dylan.page.locator('[data-test=comment-input]').fill('Written in the garden, out of reach');
  await dylan.page.locator('[data-test=comment-add]').click();
  await dylan.page.locator('[data-test=comment]', { hasText: 'in the garden' }).locator('[data-test=comment-undo]').waitFor();
  await dylan.context.setOffline(false);
  await owen.page.locator('[data-test=comment]', { hasText: 'in the garden' }).waitFor({ timeout: 15_000 });
  const noticed = await dylan.page.evaluate(() => [...window.__sync]);
  const offline = outboxSavesAndPushes(noticed);
  const push = offline.indexOf('push');
  assert.ok(push >= 2 && offline.slice(0, push).every((n) => n === 'outbox write'),
    `saved as not sent, then marked as sent and saved again before the push: ${noticed.join(', ')}`);

  await owen.context.close();
  await dylan.context.close();
});
