// An edit the server refuses is never dropped quietly: it moves to "needs your attention" with its text, the rest
// keeps syncing, and the person dismisses it when they have dealt with it.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { serverAndBrowser, newTablet, signIn, waitFor, caughtUp, goOffline } from '../support/harness.mjs';

const world = serverAndBrowser();

const input = (page, name) => page.locator(`[data-test=about-me-field][data-field=${name}] .field-input`);
const syncState = (page, state, timeout = 30_000) =>
  page.locator(`[data-test=sync-status][data-state=${state}]`).waitFor({ timeout });

test('an edit refused after a care-team change is kept for the person to see, and nothing is written', async () => {
  const owen = await newTablet(world.browser, world.server.url);
  await signIn(owen.page, 'owen');
  await owen.page.locator('[data-test=person-card]', { hasText: 'Alys Hughes' }).click();
  await owen.page.locator('[data-test=about-me]').waitFor();
  await syncState(owen.page, 'saved');

  // Owen writes in Alys's "About me" with no network; meanwhile he stops being her key worker.
  await goOffline(owen);
  await syncState(owen.page, 'offline');
  const text = 'Alys would like to visit the coast in spring';
  await input(owen.page, 'my_hopes').fill(text);
  await input(owen.page, 'my_hopes').blur();
  await owen.page.locator('[data-field=my_hopes] [data-test=field-status][data-state=saved-here]').waitFor();
  world.server.sql(
    "DELETE FROM care_team WHERE person_id = (SELECT id FROM users WHERE username = 'alys') " +
    "AND member_id = (SELECT id FROM users WHERE username = 'owen')");

  // Back online: the server refuses the edit; it is shown, with its words, as needing attention.
  await owen.context.setOffline(false);
  await syncState(owen.page, 'attention', 30_000);
  await waitFor(() => owen.page.locator('[data-test=sync-status]').textContent(), 'Needs your attention (1)',
    { what: 'the sync status' });
  const item = owen.page.locator('[data-test=attention-item]');
  await waitFor(() => item.count(), 1, { what: 'edits needing attention' });
  await waitFor(() => item.textContent(), /visit the coast in spring/, { what: 'the refused edit' });
  await waitFor(() => item.textContent(), /My hopes for the future/, { what: 'the refused edit' });

  // Alys's record was not changed.
  const alys = await newTablet(world.browser, world.server.url);
  await signIn(alys.page, 'alys');
  await alys.page.locator('[data-test=about-me]').waitFor();
  await syncState(alys.page, 'saved');
  await caughtUp(alys.page);
  assert.equal(await input(alys.page, 'my_hopes').inputValue(), '');

  // Owen dismisses it once dealt with; the tablet is all saved again.
  await item.locator('button').click();
  await owen.page.locator('[data-test=attention]').waitFor({ state: 'detached' });
  await syncState(owen.page, 'saved');
  await alys.context.close();
  await owen.context.close();
});

test('a refused plan edit is named by its section, with its words', async () => {
  const owen = await newTablet(world.browser, world.server.url);
  await signIn(owen.page, 'owen');
  await owen.page.locator('[data-test=person-card]', { hasText: 'Dylan Evans' }).click();
  await owen.page.locator('[data-test=open-plan]').click();
  await owen.page.locator('[data-test=plan-page]').waitFor();
  await syncState(owen.page, 'saved');

  // Offline, Owen adds to Dylan's plan; meanwhile he stops being on Dylan's care team.
  await goOffline(owen);
  await syncState(owen.page, 'offline');
  const triggers = owen.page.locator('[data-test=plan-section][data-section=triggers]');
  await triggers.locator('[data-test=plan-add-input]').fill('Crowds at visiting time');
  await triggers.locator('[data-test=plan-add]').click();
  await triggers.locator('[data-test=plan-item]', { hasText: 'Crowds at visiting time' }).waitFor();
  world.server.sql(
    "DELETE FROM care_team WHERE person_id = (SELECT id FROM users WHERE username = 'dylan') " +
    "AND member_id = (SELECT id FROM users WHERE username = 'owen')");

  await owen.context.setOffline(false);
  await syncState(owen.page, 'attention', 30_000);
  const item = owen.page.locator('[data-test=attention-item]');
  await waitFor(() => item.count(), 1, { what: 'edits needing attention' });
  await waitFor(() => item.locator('[data-test=attention-what]').textContent(), 'What can set things off for me',
    { what: 'the section the refused edit was for (not "a comment")' });
  await waitFor(() => item.locator('blockquote').textContent(), 'Crowds at visiting time', { what: 'its words' });
  await owen.context.close();
});
