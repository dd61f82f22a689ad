// The safety plan in three real browsers at once: Alys's key worker (Owen), Alys on her own tablet and her carer
// (Helen) on hers. Edits appear on the others' screens without a reload; Helen sees only the sections Alys shares
// with her and never the staff-only notes; Helen adds an item with no network and it merges when she is back; both
// sign the plan; Alys's printable copy renders (and opens with no network).
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serverAndBrowser, newTablet, signIn, artifacts, until, waitFor, caughtUp, recordResponses, goOffline } from '../support/harness.mjs';

const world = serverAndBrowser();

const syncState = (page, state, timeout = 30_000) =>
  page.locator(`[data-test=sync-status][data-state=${state}]`).waitFor({ timeout });
const section = (page, name) => page.locator(`[data-test=plan-section][data-section=${name}]`);
const item = (page, name, text) => section(page, name).locator('[data-test=plan-item]', { hasText: text });

async function openPlan(page, person) {
  if (person) await page.locator('[data-test=person-card]', { hasText: person }).click();
  await page.locator('[data-test=open-plan]').click();
  await page.locator('[data-test=plan-page]').waitFor();
  await syncState(page, 'saved');
}

/// Resolves once the server has answered pushes carrying `n` different edits of this `type` from this tablet. An edit
/// is sent only after it is saved on the tablet and shown there.
function pushed(page, type, n) {
  const ids = new Set();
  return new Promise((resolve) => {
    const seen = (request) => {
      if (!request.url().includes('/api/sync/push')) return;
      for (const m of JSON.parse(request.postData() ?? '{}').mutations ?? []) {
        if (m.change?.type === type) ids.add(m.id);
      }
      if (ids.size >= n) {
        page.off('requestfinished', seen);
        resolve();
      }
    };
    page.on('requestfinished', seen);
  });
}

async function addItem(page, name, text) {
  await section(page, name).locator('[data-test=plan-add-input]').fill(text);
  await section(page, name).locator('[data-test=plan-add]').click();
  await item(page, name, text).waitFor();
}

test('a planning session with key worker, person and carer: live edits, consent, offline merge, agreement, print', async () => {
  const owen = await newTablet(world.browser, world.server.url);
  const alys = await newTablet(world.browser, world.server.url);
  const helen = await newTablet(world.browser, world.server.url);
  const helenReceived = recordResponses(helen.page, '/api/sync/pull');
  await signIn(owen.page, 'owen');
  await openPlan(owen.page, 'Alys Hughes');
  await signIn(alys.page, 'alys');
  await openPlan(alys.page);

  // Alys shares two sections with Helen; Helen then sees those two sections and nothing else of the plan.
  const shared = pushed(alys.page, 'share', 2);
  for (const s of ['carer_can_do', 'contacts']) {
    const box = alys.page.locator(`[data-test=share-section][data-section=${s}]`);
    await box.check();
    await waitFor(() => box.isChecked(), true, { what: `"${s}" shared` });
  }
  // She chose to look at these choices again by a date that has passed: she is reminded (and the ticks stay: see the
  // test at the end of this file for a date set while a tick is still being saved).
  await shared;
  await alys.page.locator('[data-test=share-review]').fill('2026-01-31');
  await alys.page.locator('[data-test=share-review]').dispatchEvent('change');
  await alys.page.locator('[data-test=share-review-due]').waitFor();
  for (const s of ['carer_can_do', 'contacts']) {
    await waitFor(() => alys.page.locator(`[data-test=share-section][data-section=${s}]`).isChecked(), true,
      { what: `"${s}" still shared with a review date (a review date keeps the choices)` });
  }
  await syncState(alys.page, 'saved');
  await signIn(helen.page, 'helen');
  await openPlan(helen.page, 'Alys Hughes');
  // The sections arrive one by one as Helen's tablet pulls them: wait for exactly these two.
  await waitFor(
    async () => (await helen.page.locator('[data-test=plan-section]').evaluateAll((els) => els.map((e) => e.dataset.section))).sort(),
    ['carer_can_do', 'contacts'], { what: 'the sections Helen sees' });
  await helen.page.locator('[data-test=plan-not-shared]').waitFor();
  await helen.page.locator('[data-test=carer-info]').waitFor();

  // Owen starts a planning session: everyone with the plan open is shown as here, on every screen.
  assert.equal(await alys.page.locator('[data-test=session-start]').count(), 0, 'the care team starts sessions');
  await owen.page.locator('[data-test=session-start]').click();
  for (const p of [owen.page, alys.page, helen.page]) {
    await p.locator('[data-test=session]').waitFor({ timeout: 10_000 });
    await until(p, () => document.querySelectorAll('[data-test=present-person]').length === 3, null, { timeout: 10_000, what: 'three people present' });
  }
  // Helen starts writing in "what my carer can do": Alys and Owen see where she is writing.
  await section(helen.page, 'carer_can_do').locator('[data-test=plan-add-input]').focus();
  await section(alys.page, 'carer_can_do').locator('[data-test=writing-here]', { hasText: 'Helen Hughes' }).waitFor({ timeout: 10_000 });
  await owen.page.locator('[data-test=present-person]', { hasText: 'Helen Hughes' }).locator('[data-test=present-editing]').waitFor({ timeout: 10_000 });
  await section(helen.page, 'carer_can_do').locator('[data-test=plan-add-input]').blur();

  // Owen writes a trigger and a staff-only note. The trigger appears on Alys's screen live; the note never does,
  // and neither reaches Helen.
  await addItem(owen.page, 'triggers', 'A crowded dining room');
  await addItem(owen.page, 'staff_only', 'STAFF-ONLY fictional risk note');
  await item(alys.page, 'triggers', 'A crowded dining room').waitFor({ timeout: 10_000 });
  await waitFor(() => item(alys.page, 'triggers', 'A crowded dining room').locator('[data-test=plan-item-by]').textContent(),
    /Owen Price/, { what: 'who wrote the trigger' });
  // Once the note is on the server and Alys's tablet has everything it may have, there is still no staff-only section.
  await syncState(owen.page, 'saved');
  await caughtUp(alys.page);
  assert.equal(await section(alys.page, 'staff_only').count(), 0, 'no staff-only section on the person\'s screen');

  // Alys adds what her mum can do: it appears live for Owen and for Helen.
  await addItem(alys.page, 'carer_can_do', 'Send me a postcard from home');
  await item(owen.page, 'carer_can_do', 'Send me a postcard from home').waitFor({ timeout: 10_000 });
  await item(helen.page, 'carer_can_do', 'Send me a postcard from home').waitFor({ timeout: 10_000 });

  // Helen loses the network, adds an item (saved on her device, waiting), and it merges when she is back.
  await goOffline(helen);
  await syncState(helen.page, 'offline');
  await helen.page.locator('[data-test=session-offline]').waitFor({ timeout: 10_000 });
  await addItem(helen.page, 'carer_can_do', 'Bring the dog when I visit');
  await waitFor(() => item(helen.page, 'carer_can_do', 'Bring the dog').getAttribute('data-waiting'), 'true',
    { what: "Helen's item waiting to sync" });
  // Meanwhile Owen changes Alys's item: both edits survive.
  const postcard = await item(owen.page, 'carer_can_do', 'Send me a postcard').getAttribute('data-item');
  const owensRow = owen.page.locator(`[data-test=plan-item][data-item="${postcard}"]`);
  await owensRow.locator('[data-test=plan-item-edit]').click();
  await owensRow.locator('[data-test=plan-item-input]').fill('Send me a postcard from home every month');
  await owensRow.locator('[data-test=plan-item-save]').click();
  await item(owen.page, 'carer_can_do', 'every month').waitFor();
  await helen.context.setOffline(false);
  await syncState(helen.page, 'saved');
  await item(alys.page, 'carer_can_do', 'Bring the dog when I visit').waitFor({ timeout: 10_000 });
  await item(owen.page, 'carer_can_do', 'Bring the dog when I visit').waitFor({ timeout: 10_000 });
  await item(helen.page, 'carer_can_do', 'every month').waitFor({ timeout: 10_000 });
  await waitFor(() => item(owen.page, 'carer_can_do', 'Bring the dog').locator('[data-test=plan-item-by]').textContent(),
    /Helen Hughes/, { what: "who wrote Helen's item" });
  // Helen may change her own item, not Alys's.
  await waitFor(() => item(helen.page, 'carer_can_do', 'Bring the dog').locator('[data-test=plan-item-edit]').count(), 1,
    { what: "the edit button on Helen's own item" });
  assert.equal(await item(helen.page, 'carer_can_do', 'every month').locator('[data-test=plan-item-edit]').count(), 0);

  // Nothing unshared or staff-only is anywhere on Helen's screen or in what her device received (its store holds
  // only that, encrypted), once it holds everything the server has for her.
  await caughtUp(helen.page);
  const helenText = await helen.page.locator('body').innerText();
  assert.doesNotMatch(helenText, /crowded dining room|STAFF-ONLY/);
  const stored = helenReceived.join('\n');
  assert.match(stored, /Bring the dog/, 'the pulls were read');
  assert.doesNotMatch(stored, /crowded dining room|STAFF-ONLY/);

  // Both sign version 1: each sees it agreed.
  await alys.page.locator('[data-test=plan-sign][data-signer=person]').click();
  await owen.page.locator('[data-test=plan-sign][data-signer=key_worker]').click();
  for (const p of [owen.page, alys.page]) {
    await p.locator('[data-test=plan-agreement-status]', { hasText: 'Version 1 agreed' }).waitFor({ timeout: 10_000 });
  }
  // The agreement is the care team's record: a carer is not sent it, and is not shown a plan "not agreed".
  assert.equal(await helen.page.locator('[data-test=plan-agreement]').count(), 0, 'no agreement panel for a carer');
  await owen.page.screenshot({ path: join(artifacts, 'safety-plan-key-worker.png'), fullPage: true });

  // Owen ends the session: everyone sees what was done in it.
  await owen.page.locator('[data-test=session-end]').click();
  for (const p of [owen.page, alys.page]) {
    const summary = p.locator('[data-test=session-summary]');
    await summary.waitFor({ timeout: 10_000 });
    await summary.locator('li', { hasText: 'Added by Helen Hughes, carer: Bring the dog when I visit' }).waitFor({ timeout: 10_000 });
    await waitFor(() => summary.innerText(), /agreed version 1/, { what: 'the session summary' });
  }
  assert.doesNotMatch(await alys.page.locator('[data-test=session-summary]').innerText(), /STAFF-ONLY/);
  await alys.page.screenshot({ path: join(artifacts, 'safety-plan-session-summary.png'), fullPage: true });

  // Alys's own copy: agreed, large type, never the staff-only note; it opens again with no network.
  await alys.page.locator('[data-test=plan-print-link]').click();
  const print = alys.page.locator('[data-test=plan-print]');
  await print.waitFor();
  await alys.page.locator('[data-test=plan-print-status]', { hasText: 'Version 1 agreed' }).waitFor();
  const printed = await waitFor(() => print.innerText(), /A crowded dining room/, { what: "Alys's own copy" });
  assert.doesNotMatch(printed, /STAFF-ONLY/);
  // Easy read, beside the language in the header: the easy words on her copy.
  await alys.page.locator('.app-header [data-test=easy-read-switch]').click();
  await alys.page.locator('[data-test=plan-print-section][data-section=triggers] h2', { hasText: 'Things that upset me' }).waitFor();
  await goOffline(alys);
  await alys.page.reload();
  await alys.page.locator('[data-test=plan-print] li', { hasText: 'A crowded dining room' }).waitFor({ timeout: 30_000 });
  await alys.page.emulateMedia({ media: 'print' });
  await alys.page.screenshot({ path: join(artifacts, 'safety-plan-print.png'), fullPage: true });
  await alys.page.pdf({ path: join(artifacts, 'safety-plan.pdf'), format: 'A4' });
  await waitFor(() => alys.page.locator('[data-test=plan-print-now]').isVisible(), false, { what: 'controls shown on paper' });

  for (const t of [owen, alys, helen]) await t.context.close();
});

test('a plan whose review date has passed is flagged on the caseload and the person\'s page', async () => {
  const owen = await newTablet(world.browser, world.server.url);
  await signIn(owen.page, 'owen');
  await openPlan(owen.page, 'Alys Hughes');
  await owen.page.locator('[data-test=plan-review-date]').fill('2020-01-31');
  await owen.page.locator('[data-test=plan-review-date]').dispatchEvent('change');
  await owen.page.locator('[data-test=plan-review-overdue]').waitFor();
  await syncState(owen.page, 'saved');
  await owen.page.goto('/');
  await owen.page.locator('[data-test=person-card]', { hasText: 'Alys Hughes' }).locator('[data-test=review-overdue]').waitFor();
  // A plan reviewed in time is not flagged.
  await owen.page.locator('[data-test=person-card]', { hasText: 'Alys Hughes' }).click();
  // The person's page (its code loaded when first opened) replaces the caseload, whose cards carry flags too.
  await owen.page.locator('[data-test=person-page] [data-test=review-overdue]').waitFor();
  await owen.page.locator('[data-test=open-plan]').click();
  await owen.page.locator('[data-test=plan-review-date]').fill('2099-12-31');
  await owen.page.locator('[data-test=plan-review-date]').dispatchEvent('change');
  await owen.page.locator('[data-test=plan-review-overdue]').waitFor({ state: 'detached' });

  // Owen records that Alys cannot decide, for now, what carers see: the care team may then set it, and says so.
  await caughtUp(owen.page);
  assert.equal(await owen.page.locator('[data-test=plan-sharing]').count(), 0, 'staff do not decide for a person who can');
  await owen.page.locator('[data-test=capacity-lacks]').check();
  await owen.page.locator('[data-test=capacity-reason]').fill('Very unwell this week; we will ask Alys again on Monday.');
  await owen.page.locator('[data-test=capacity-save]').click();
  await owen.page.locator('[data-test=capacity-status]', { hasText: 'ask Alys again on Monday' }).waitFor();
  await owen.page.locator('[data-test=best-interests]').waitFor();
  // A section Alys has not shared with Helen (she shared "contacts" above, so ticking that one would change nothing).
  const box = owen.page.locator('[data-test=share-section][data-section=people_places]').first();
  await waitFor(() => box.isChecked(), false, { what: '"people and places" shared before Owen sets it' });
  const answered = pushed(owen.page, 'share', 1);
  await box.check();
  await answered;
  await syncState(owen.page, 'saved');
  assert.equal(await owen.page.locator('[data-test=attention-item]').count(), 0, 'the server accepted it');
  await owen.page.locator('[data-test=capacity-lacks]').uncheck();
  await owen.page.locator('[data-test=capacity-save]').click();
  await owen.page.locator('[data-test=plan-sharing]').waitFor({ state: 'detached' });
  await owen.context.close();
});

test('a key worker invites a carer, who makes their account with the code and sees only what is shared', async () => {
  const owen = await newTablet(world.browser, world.server.url);
  await signIn(owen.page, 'owen');
  await owen.page.locator('[data-test=person-card]', { hasText: 'Alys Hughes' }).click();
  await owen.page.locator('[data-test=invite-carer]').click();
  const code = await waitFor(async () => (await owen.page.locator('[data-test=invite-code]').textContent()).trim(),
    /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/, { what: 'the invitation code' });
  await waitFor(() => owen.page.locator('[data-test=invite-link]').textContent(), new RegExp(`/join\\?code=${code}$`),
    { what: 'the invitation link' });

  // A new carer, on their own phone, with the link's page.
  const ceri = await newTablet(world.browser, world.server.url);
  await ceri.page.goto('/sign-in');
  await ceri.page.locator('[data-test=join-link]').click();
  await ceri.page.locator('[data-test=join-page]').waitFor();
  // A wrong code is refused plainly.
  await ceri.page.locator('#code').fill('AAAA-BBBB-CCCC');
  await ceri.page.locator('#display-name').fill('Ceri Hughes');
  await ceri.page.locator('#username').fill('ceri');
  await ceri.page.locator('#password').fill('a long enough password');
  await ceri.page.locator('form button[type=submit]').click();
  await ceri.page.locator('[data-test=join-error]', { hasText: 'not right' }).waitFor();
  await ceri.page.locator('#code').fill(code.toLowerCase());
  await ceri.page.locator('form button[type=submit]').click();
  await ceri.page.locator('[data-test=person-card]', { hasText: 'Alys Hughes' }).click();
  await ceri.page.locator('[data-test=person-page]').waitFor();
  await ceri.page.locator('[data-test=carer-info]').waitFor();
  await waitFor(() => ceri.page.locator('[data-test=person-intro]').textContent(), /has not shared anything with you yet/,
    { what: "a new carer's page" });
  await caughtUp(ceri.page);
  assert.equal(await ceri.page.locator('[data-test=open-plan]').count(), 0, 'nothing of the plan is shared with a new carer');
  // The plan's own page says so too, and still says how to reach the ward.
  await ceri.page.goto(`${new URL(ceri.page.url()).pathname}/plan`);
  await ceri.page.locator('[data-test=plan-page]').waitFor();
  await ceri.page.locator('[data-test=plan-not-shared]').waitFor();
  await ceri.page.locator('[data-test=carer-info]').waitFor();
  await caughtUp(ceri.page);
  assert.equal(await ceri.page.locator('[data-test=plan-section]').count(), 0, 'nothing is shared with a new carer');

  // Alys now sees Ceri among the carers she can share with.
  const alys = await newTablet(world.browser, world.server.url);
  await signIn(alys.page, 'alys');
  await alys.page.locator('[data-test=open-plan]').click();
  await alys.page.locator('[data-test=plan-sharing] legend', { hasText: 'Ceri Hughes' }).waitFor();
  for (const t of [owen, ceri, alys]) await t.context.close();
});

// Found by this file under load (plan.test.mjs:55 once failed with Helen never seeing "contacts"): a review date set
// while a tick was still being saved on the tablet undid the tick, because an edit showed only once its save had
// finished. Now an edit shows (and the next handler sees it) at once. Here the tick and the date come in the same
// task, so the old behaviour failed every time.
test('a review date set straight after ticking a section keeps the tick', async () => {
  const alys = await newTablet(world.browser, world.server.url);
  await signIn(alys.page, 'alys');
  await openPlan(alys.page);
  await caughtUp(alys.page);
  const helens = alys.page.locator('fieldset.plan-sharing-carer', { hasText: 'Helen Hughes' });
  const box = helens.locator('[data-test=share-section][data-section=safer_surroundings]');
  await waitFor(() => box.isChecked(), false, { what: '"safer surroundings" shared with Helen before Alys ticks it' });
  // The tick, then the date on every section shared with Helen (this one included).
  const saved = pushed(alys.page, 'share', 2);
  await helens.evaluate((fieldset) => {
    fieldset.querySelector('[data-test=share-section][data-section=safer_surroundings]').click();
    const date = fieldset.querySelector('[data-test=share-review]');
    date.value = '2099-03-31';
    date.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await saved;
  await syncState(alys.page, 'saved');
  await caughtUp(alys.page);
  await waitFor(() => box.isChecked(), true, { timeout: 5_000, what: '"safer surroundings" shared with Helen' });
  await alys.context.close();
});
