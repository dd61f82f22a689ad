// Nothing before consent, in real browsers: Alys's key worker invites a new carer (Ceri). Ceri sees nothing of Alys's
// About me, comments, readings or plan: not on screen, not in her tablet's store (the raw stored values), not in any
// answer her browser receives. Alys shares About me with Ceri: Ceri sees it. Then Alys withdraws it from a second
// tablet of hers that missed a change to that very choice: the withdrawal applies all the same, and About me leaves
// Ceri's screen and tablet. Ceri can comment only once Alys shares comments with her, and then reads only the
// comments written for the people Alys shares comments with, with every author named with their role.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serverAndBrowser, newTablet, signIn, artifacts, waitFor, caughtUp, goOffline } from '../support/harness.mjs';

const world = serverAndBrowser();

const syncState = (page, state, timeout = 30_000) =>
  page.locator(`[data-test=sync-status][data-state=${state}]`).waitFor({ timeout });

// What only Alys and her care team may see until she shares it.
const HOPES = 'Walking the coast path at Tenby';
const PRN = 'PRN offered at 14:00 and declined';
const ALYS_COMMENT = 'I liked the art group today';
const NOTE = 'Sleeping better since the new routine';
const TRIGGER = 'Raised voices on the corridor';
const SECRETS = [HOPES, PRN, ALYS_COMMENT, NOTE, TRIGGER];

/// Every key and value in every Waymark store on this tablet, raw (values as the text their bytes hold), and how
/// many values there are. (The records are encrypted on the device; what a device holds is also checked through the
/// app itself, reloaded with no network.)
const rawStore = (page) => page.evaluate(async () => {
  const names = (await indexedDB.databases()).map((d) => d.name).filter((n) => n.startsWith('waymark-'));
  const asText = (v) => {
    if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return new TextDecoder('utf-8', { fatal: false }).decode(v);
    if (v && typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k}:${asText(x)}`).join(',');
    return String(v);
  };
  let text = '';
  let count = 0;
  for (const name of names) {
    const db = await new Promise((res, rej) => { const r = indexedDB.open(name); r.onsuccess = () => res(r.result); r.onerror = rej; });
    for (const store of db.objectStoreNames) {
      const [keys, rows] = await Promise.all(['getAllKeys', 'getAll'].map((m) => new Promise((res) => {
        const r = db.transaction(store).objectStore(store)[m]();
        r.onsuccess = () => res(r.result);
      })));
      count += rows.length;
      text += keys.map(asText).join('\n') + rows.map(asText).join('\n');
    }
    db.close();
  }
  return { text, count };
});
const storedText = async (page) => (await rawStore(page)).text;

/// Reload with no network: the app opens from what this tablet holds (after the PIN), then the network comes back.
async function offlineReload(tablet, check) {
  await goOffline(tablet);
  await tablet.page.reload();
  await tablet.page.locator('[data-test=person-page]').waitFor();
  await check();
  await tablet.context.setOffline(false);
  await syncState(tablet.page, 'saved');
}

/// Keep the body of every answer this page receives (the live channel's stream aside: it never ends, and carries
/// only versions).
function recordResponses(page) {
  const bodies = [];
  page.on('response', async (res) => {
    if (/text\/event-stream/.test(res.headers()['content-type'] ?? '')) return;
    try {
      bodies.push({ url: res.url(), body: await res.text() });
    } catch {
      // A redirect or an aborted request has no body.
    }
  });
  return bodies;
}

const aboutField = (page, name) => page.locator(`[data-test=about-me-field][data-field=${name}]`);

test('a new carer sees nothing until Alys shares, and a withdrawal from a tablet that missed a change takes it away', async () => {
  // Alys writes her hopes on her tablet.
  const alys = await newTablet(world.browser, world.server.url);
  await signIn(alys.page, 'alys');
  // Her records are on the tablet before she writes (an edit made before they arrive has nothing to build on).
  await caughtUp(alys.page);
  const hopes = aboutField(alys.page, 'my_hopes').locator('.field-input');
  await hopes.fill(HOPES);
  await hopes.blur();
  await aboutField(alys.page, 'my_hopes').locator('[data-test=field-status][data-state=synced]').waitFor();
  await alys.page.locator('[data-test=comment-input]').fill(ALYS_COMMENT);
  await alys.page.locator('[data-test=comment-add]').click();
  await alys.page.locator('[data-test=comment][data-state=synced]', { hasText: ALYS_COMMENT }).waitFor();

  // Owen, her key worker, writes a care-team comment (the default), a reading with a note and a plan item.
  const owen = await newTablet(world.browser, world.server.url);
  await signIn(owen.page, 'owen');
  await owen.page.locator('[data-test=person-card]', { hasText: 'Alys Hughes' }).click();
  await owen.page.locator('[data-test=comment-input]').fill(PRN);
  await waitFor(() => owen.page.locator('[data-test=comment-for-care-team]').isChecked(), true,
    { what: 'a comment for the care team only, unless Owen says otherwise' });
  await owen.page.locator('[data-test=comment-add]').click();
  await owen.page.locator('[data-test=comment][data-state=synced]', { hasText: PRN }).waitFor();
  await waitFor(() => owen.page.locator('[data-test=comment]', { hasText: ALYS_COMMENT }).locator('[data-test=comment-by]').textContent(),
    /^Alys Hughes, service user, /, { what: "Alys's comment, named with her role" });
  await owen.page.locator('[data-test=open-tracker]').click();
  await owen.page.locator('[data-test=start-reading]').click();
  await owen.page.locator('[data-test=reading]').waitFor();
  await owen.page.locator('[data-test=area-card]').first().locator('[data-test=ladder][data-rater=agreed] [data-test=rung][data-value="6"]').click();
  const note = owen.page.locator('[data-test=area-card]').first().locator('[data-test=note-input]');
  await note.fill(NOTE);
  await note.blur();
  await syncState(owen.page, 'saved');
  await owen.page.goto('/');
  await owen.page.locator('[data-test=person-card]', { hasText: 'Alys Hughes' }).click();
  await owen.page.locator('[data-test=open-plan]').click();
  const triggers = owen.page.locator('[data-test=plan-section][data-section=triggers]');
  await triggers.locator('[data-test=plan-add-input]').fill(TRIGGER);
  await triggers.locator('[data-test=plan-add]').click();
  await triggers.locator('[data-test=plan-item]', { hasText: TRIGGER }).waitFor();
  await syncState(owen.page, 'saved');

  // Owen invites a carer from Alys's page.
  await owen.page.goto('/');
  await owen.page.locator('[data-test=person-card]', { hasText: 'Alys Hughes' }).click();
  await owen.page.locator('[data-test=invite-carer]').click();
  const code = await waitFor(async () => (await owen.page.locator('[data-test=invite-code]').textContent()).trim(),
    /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/, { what: 'the invitation code' });

  // Ceri joins on her phone; everything her browser receives is kept.
  const ceri = await newTablet(world.browser, world.server.url);
  const received = recordResponses(ceri.page);
  await ceri.page.goto('/join');
  await ceri.page.locator('[data-test=join-page]').waitFor();
  await ceri.page.locator('#code').fill(code);
  await ceri.page.locator('#display-name').fill('Ceri Hughes');
  await ceri.page.locator('#username').fill('ceri');
  await ceri.page.locator('#password').fill('a long enough password');
  await ceri.page.locator('form button[type=submit]').click();
  await ceri.page.locator('[data-test=person-card]', { hasText: 'Alys Hughes' }).click();
  await ceri.page.locator('[data-test=person-page]').waitFor();
  await waitFor(() => ceri.page.locator('[data-test=person-intro]').textContent(),
    'Alys Hughes has not shared anything with you yet. When they choose to, it will show here.',
    { what: "the calm sentence on a carer's page before anything is shared" });
  await ceri.page.locator('[data-test=carer-info]', { hasText: 'carers\' centre' }).waitFor();
  await caughtUp(ceri.page);
  for (const part of ['about-me', 'comments', 'open-tracker', 'open-plan', 'care-team', 'comment-input']) {
    assert.equal(await ceri.page.locator(`[data-test=${part}]`).count(), 0, `no ${part} for Ceri before anything is shared`);
  }
  const screen = await ceri.page.locator('body').innerText();
  const { text: stored, count } = await rawStore(ceri.page);
  assert.ok(count > 0, "Ceri's store was read");
  await waitFor(() => received.some((r) => r.url.includes('/api/sync/pull')), true, { what: 'a pull answered to Ceri' });
  const answers = received.map((r) => r.body).join('\n');
  for (const secret of [...SECRETS, 'Helen Hughes']) {
    assert.ok(!screen.includes(secret), `"${secret}" is not on Ceri's screen`);
    assert.ok(!stored.includes(secret), `"${secret}" is not in Ceri's tablet store`);
    assert.ok(!answers.includes(secret), `"${secret}" is in no answer Ceri's browser received`);
  }
  await ceri.page.screenshot({ path: join(artifacts, 'carer-nothing-shared.png'), fullPage: true });

  // Alys shares About me with Ceri; Ceri sees it (it arrives live).
  await alys.page.goto('/');
  const forCeri = alys.page.locator('[data-test=sharing-about-me] fieldset', { hasText: 'Ceri Hughes' });
  // (Waiting on a locator runs the tablet's PIN handler: a reload asks for the PIN first.)
  await forCeri.waitFor();
  const shareAbout = forCeri.locator('[data-test=share-part][data-part=about_me]');
  await waitFor(() => shareAbout.isChecked(), false, { what: 'About me not shared with Ceri yet' });
  await shareAbout.check();
  await syncState(alys.page, 'saved');
  await aboutField(ceri.page, 'my_hopes').locator('.field-text', { hasText: HOPES }).waitFor();
  assert.equal(await ceri.page.locator('[data-test=about-me] .field-input').count(), 0, 'read-only for a carer');
  assert.equal(await ceri.page.locator('[data-test=comments]').count(), 0, 'comments are not shared: no thread, no box');
  // It is on her tablet: it opens with no network.
  await offlineReload(ceri, () => aboutField(ceri.page, 'my_hopes').locator('.field-text', { hasText: HOPES }).waitFor());

  // A second tablet of Alys's has seen the sharing, then goes offline and misses a change to it: the first tablet
  // sets a date to look at Ceri's choices again.
  const tabletB = await newTablet(world.browser, world.server.url);
  await signIn(tabletB.page, 'alys');
  const forCeriB = tabletB.page.locator('[data-test=sharing-about-me] fieldset', { hasText: 'Ceri Hughes' });
  const shareAboutB = forCeriB.locator('[data-test=share-part][data-part=about_me]');
  await waitFor(() => shareAboutB.isChecked(), true, { what: 'the sharing, on the second tablet' });
  await caughtUp(tabletB.page);
  await goOffline(tabletB);
  await syncState(tabletB.page, 'offline');
  const review = forCeri.locator('[data-test=share-review]');
  await review.fill('2099-04-30');
  await review.dispatchEvent('change');
  await syncState(alys.page, 'saved');
  await caughtUp(alys.page);
  await waitFor(() => shareAbout.isChecked(), true, { what: 'still shared, with a review date' });

  // On the second tablet, still offline and not knowing of the date, Alys stops sharing About me; then it is back.
  await shareAboutB.uncheck();
  await waitFor(() => shareAboutB.isChecked(), false, { what: 'unticked on the second tablet' });
  await tabletB.context.setOffline(false);
  await syncState(tabletB.page, 'saved');
  assert.equal(await tabletB.page.locator('[data-test=attention-item]').count(), 0, 'the withdrawal was not refused');

  // The withdrawal applies whatever it was based on: gone from Ceri's screen and tablet.
  await ceri.page.locator('[data-test=about-me]').waitFor({ state: 'detached' });
  await waitFor(() => ceri.page.locator('[data-test=person-intro]').textContent(), /has not shared anything with you yet/,
    { what: "Ceri's page once nothing is shared" });
  await caughtUp(ceri.page);
  assert.ok(!(await storedText(ceri.page)).includes(HOPES), "not in the raw values on Ceri's tablet");
  // Nor in what the tablet holds: reloaded with no network, it shows none of it.
  await offlineReload(ceri, async () => {
    await waitFor(() => ceri.page.locator('[data-test=person-intro]').textContent(), /has not shared anything with you yet/,
      { what: "Ceri's page from her tablet alone" });
    assert.equal(await ceri.page.locator('[data-test=about-me]').count(), 0, 'no About me on the tablet');
  });
  await waitFor(() => shareAbout.isChecked(), false, { what: "withdrawn on Alys's first tablet too" });

  for (const t of [alys, owen, ceri, tabletB]) await t.context.close();
});

test('a carer comments only where comments are shared with them, and reads only comments written for them', async () => {
  const alys = await newTablet(world.browser, world.server.url);
  await signIn(alys.page, 'alys');
  const helen = await newTablet(world.browser, world.server.url);
  await signIn(helen.page, 'helen');
  await helen.page.locator('[data-test=person-card]', { hasText: 'Alys Hughes' }).click();
  await helen.page.locator('[data-test=person-page]').waitFor();
  await caughtUp(helen.page);
  assert.equal(await helen.page.locator('[data-test=comment-input]').count(), 0, 'no comment box before comments are shared');
  assert.equal(await helen.page.locator('[data-test=comments]').count(), 0, 'no thread either');

  // Alys shares comments with Helen (and About me stays hers).
  const forHelen = alys.page.locator('[data-test=sharing-about-me] fieldset', { hasText: 'Helen Hughes' });
  await forHelen.locator('[data-test=share-part][data-part=comments]').check();
  await syncState(alys.page, 'saved');
  const box = helen.page.locator('[data-test=comment-input]');
  await box.waitFor();
  await helen.page.locator('[data-test=comment-carer-hint]').waitFor();
  assert.equal(await helen.page.locator('[data-test=comment-audience]').count(), 0, 'a carer always writes for the shared audience');

  // Alys writes one comment for the care team only and one for the people she shares comments with.
  const write = async (text, shared) => {
    await alys.page.locator('[data-test=comment-input]').fill(text);
    await alys.page.locator(shared ? '[data-test=comment-for-shared]' : '[data-test=comment-for-care-team]').check();
    await alys.page.locator('[data-test=comment-add]').click();
    await alys.page.locator('[data-test=comment][data-state=synced]', { hasText: text }).waitFor();
  };
  await write('Only for my nurses: I felt low on Tuesday', false);
  await write('Mum, thank you for the flowers', true);
  await helen.page.locator('[data-test=comment]', { hasText: 'thank you for the flowers' }).waitFor();

  // Helen answers; Alys sees it with Helen's name and role.
  await box.fill('They were from the garden');
  await helen.page.locator('[data-test=comment-add]').click();
  await helen.page.locator('[data-test=comment][data-state=synced]', { hasText: 'from the garden' }).waitFor();
  await syncState(helen.page, 'saved');
  assert.equal(await helen.page.locator('[data-test=attention-item]').count(), 0, 'the server accepted the comment');
  await waitFor(() => alys.page.locator('[data-test=comment]', { hasText: 'from the garden' }).locator('[data-test=comment-by]').textContent(),
    /^Helen Hughes, carer, /, { what: "Helen's comment on Alys's page" });
  await alys.page.screenshot({ path: join(artifacts, 'person-sharing-and-comments.png'), fullPage: true });
  await helen.page.screenshot({ path: join(artifacts, 'carer-comments.png'), fullPage: true });
  // Ceri (the carer who joined in the test above) is shared comments too: she reads Helen's comment from "another
  // carer", never Helen's name.
  await alys.page.locator('[data-test=sharing-about-me] fieldset', { hasText: 'Ceri Hughes' })
    .locator('[data-test=share-part][data-part=comments]').check();
  await syncState(alys.page, 'saved');
  const ceri = await newTablet(world.browser, world.server.url);
  await signIn(ceri.page, 'ceri', 'a long enough password');
  await ceri.page.locator('[data-test=person-card]', { hasText: 'Alys Hughes' }).click();
  await waitFor(() => ceri.page.locator('[data-test=comment]', { hasText: 'from the garden' }).locator('[data-test=comment-by]').textContent(),
    /^another carer, /, { what: "Helen's comment as Ceri sees it" });
  await caughtUp(ceri.page);
  assert.ok(!(await ceri.page.locator('body').innerText()).includes('Helen'), "another carer's name is not on Ceri's screen");
  assert.ok(!(await storedText(ceri.page)).includes('Helen'), "nor on Ceri's tablet");
  await ceri.context.close();

  await caughtUp(helen.page);
  assert.ok(!(await helen.page.locator('body').innerText()).includes('felt low on Tuesday'), 'a care-team comment never shows to a carer');
  assert.ok(!(await storedText(helen.page)).includes('felt low on Tuesday'), "nor is it on the carer's tablet");

  // Alys stops sharing comments: the box goes, and so do the comments.
  await forHelen.locator('[data-test=share-part][data-part=comments]').uncheck();
  await syncState(alys.page, 'saved');
  await helen.page.locator('[data-test=comment-input]').waitFor({ state: 'detached' });
  await caughtUp(helen.page);
  await offlineReload(helen, async () => {
    await waitFor(() => helen.page.locator('[data-test=person-intro]').textContent(), /has not shared anything with you yet/,
      { what: "Helen's page from her tablet alone" });
    assert.equal(await helen.page.locator('[data-test=comments]').count(), 0, 'no comments on the tablet');
  });
  for (const t of [alys, helen]) await t.context.close();
});

test('only the care team puts the plan review off; the person may ask for an earlier one; the plan says who set it', async () => {
  const owen = await newTablet(world.browser, world.server.url);
  await signIn(owen.page, 'owen');
  await owen.page.locator('[data-test=person-card]', { hasText: 'Alys Hughes' }).click();
  await owen.page.locator('[data-test=open-plan]').click();
  const owenDate = owen.page.locator('[data-test=plan-review-date]');
  await owenDate.fill('2099-06-30');
  await owenDate.dispatchEvent('change');
  await syncState(owen.page, 'saved');
  await waitFor(() => owen.page.locator('[data-test=plan-review-by]').textContent(), /^Date set by Owen Price, key worker, /,
    { what: 'who set the review date, on the plan' });

  const alys = await newTablet(world.browser, world.server.url);
  await signIn(alys.page, 'alys');
  await alys.page.locator('[data-test=open-plan]').click();
  const date = alys.page.locator('[data-test=plan-review-date]');
  await waitFor(() => date.inputValue(), '2099-06-30', { what: 'the review date on Alys\'s plan' });
  await waitFor(() => alys.page.locator('[data-test=plan-review-by]').textContent(), /^Date set by Owen Price, key worker, /,
    { what: 'who set it, on Alys\'s plan' });
  await alys.page.locator('[data-test=plan-review-hint]').waitFor();
  assert.equal(await date.getAttribute('max'), '2099-06-30', 'the date picker offers dates up to the one set now');
  assert.equal(await alys.page.locator('[data-test=plan-setting]').isDisabled(), true, 'the setting is the care team\'s');

  // A later date is refused on the tablet, plainly, and the date stays.
  await date.fill('2099-12-31');
  await date.dispatchEvent('change');
  await waitFor(() => alys.page.locator('[data-test=plan-error]').textContent(), 'Only the care team can move the review date later.',
    { what: 'why a later date was not taken' });
  await waitFor(() => date.inputValue(), '2099-06-30', { what: 'the date set now, back in the picker' });
  await syncState(alys.page, 'saved');

  // An earlier review is Alys's to ask for: it reaches Owen, with her name.
  await date.fill('2099-01-15');
  await date.dispatchEvent('change');
  await syncState(alys.page, 'saved');
  assert.equal(await alys.page.locator('[data-test=attention-item]').count(), 0, 'the server accepted the earlier date');
  await waitFor(() => owenDate.inputValue(), '2099-01-15', { what: 'the earlier date on Owen\'s plan' });
  await waitFor(() => owen.page.locator('[data-test=plan-review-by]').textContent(), /^Date set by Alys Hughes, service user, /,
    { what: 'who asked for the earlier review' });
  for (const t of [owen, alys]) await t.context.close();
});
