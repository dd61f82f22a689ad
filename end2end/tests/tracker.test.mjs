// The recovery tracker in real browsers: a key worker and a service user do a reading together on one tablet with
// no network — they see one area differently and say why — add a goal with two steps, reload (still there), come
// back online; on the person's own device the chart shows the new reading over the first, and the table shows the
// same numbers.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serverAndBrowser, newTablet, signIn, artifacts, waitFor, goOffline, offlineReady } from '../support/harness.mjs';

const world = serverAndBrowser();

const syncState = (page, state, timeout = 30_000) =>
  page.locator(`[data-test=sync-status][data-state=${state}]`).waitFor({ timeout });

const area = (page, n) => page.locator('[data-test=area-card]').nth(n);
const ladder = (page, n, rater) => area(page, n).locator(`[data-test=ladder][data-rater=${rater}]`);

async function rate(page, n, rater, value) {
  await ladder(page, n, rater).locator(`[data-test=rung][data-value="${value}"]`).click();
  await page.waitForFunction(
    ([n, rater, value]) =>
      document.querySelectorAll('[data-test=area-card]')[n]?.querySelector(`[data-test=ladder][data-rater=${rater}]`)?.dataset.value === String(value),
    [n, rater, value],
  );
}

/// Start a reading on `date` from the tracker page; returns its id once its page shows.
async function startReading(page, date) {
  if (date) await page.locator('[data-test=reading-date]').fill(date);
  await page.locator('[data-test=start-reading]').click();
  const reading = page.locator('[data-test=reading]');
  await reading.waitFor();
  await page.locator('[data-test=mode-all]').click();
  await area(page, 2).waitFor();
  return reading.getAttribute('data-reading');
}

/// A reading is a draft (never on the chart) until it is finished.
async function finishReading(page) {
  await page.locator('[data-test=reading-draft]').waitFor();
  await page.locator('[data-test=reading-finish]').click();
  // Areas are left without an agreed number: finishing asks first, naming them.
  await page.locator('[data-test=finish-confirm-question]').waitFor();
  await page.locator('[data-test=finish-anyway]').click();
  await page.locator('[data-test=reading-finished]').waitFor();
}

async function openTracker(page) {
  await page.locator('[data-test=open-tracker]').click();
  await page.locator('[data-test=tracker-page]').waitFor();
}

test('a reading done together offline, with a disagreement and a goal, reaches the person\'s chart', async () => {
  const sara = await newTablet(world.browser, world.server.url);
  await signIn(sara.page, 'sara');
  await sara.page.locator('[data-test=person-card]', { hasText: 'Tomos Reed' }).click();
  await openTracker(sara.page);
  await offlineReady(sara.page);
  await syncState(sara.page, 'saved');

  // The first reading, long ago (entered from paper, online).
  const first = await startReading(sara.page, '2020-01-15');
  await rate(sara.page, 0, 'agreed', 3);
  await rate(sara.page, 1, 'agreed', 4);
  await rate(sara.page, 2, 'agreed', 2);
  // Finished with three areas of ten agreed: the others are named as left without an agreed value.
  await finishReading(sara.page);
  await waitFor(() => sara.page.locator('[data-test=reading-missing-areas]').textContent(), /^Left without an agreed value: /,
    { what: 'the areas left without an agreed value' });
  await syncState(sara.page, 'saved');
  const areaIds = await sara.page.locator('[data-test=area-card]').evaluateAll((els) => els.slice(0, 3).map((e) => e.dataset.area));

  // No network: today's reading, done together on this tablet.
  await sara.page.locator('[data-test=back-link], a.back-link').first().click();
  await sara.page.locator('[data-test=tracker-page]').waitFor();
  await goOffline(sara);
  await syncState(sara.page, 'offline');
  const latest = await startReading(sara.page, null);
  assert.notEqual(latest, first);
  await sara.page.locator('[data-test=present-option][data-presence=person]').waitFor();
  await waitFor(() => sara.page.locator('[data-test=present-option][data-presence=person]').isChecked(), true,
    { what: 'the person ticked as there' });
  await waitFor(() => ladder(sara.page, 0, 'carer').count(), 0, { what: 'carer\'s ladders while no carer is there' });
  await sara.page.locator('[data-test=present-option][data-presence=carer]').check();
  await ladder(sara.page, 0, 'carer').waitFor();
  await sara.page.locator('[data-test=present-option][data-presence=carer]').uncheck();
  await ladder(sara.page, 0, 'carer').waitFor({ state: 'detached' });
  await rate(sara.page, 0, 'person', 7);
  await rate(sara.page, 0, 'staff', 5);
  await area(sara.page, 0).locator('[data-test=differs]').waitFor();
  await area(sara.page, 0).locator('[data-test=reason-input]').fill('Tomos feels the new routine helps; staff have seen two hard nights this week.');
  await area(sara.page, 0).locator('[data-test=reason-input]').blur();
  await rate(sara.page, 0, 'agreed', 6);
  await rate(sara.page, 1, 'person', 4);
  await rate(sara.page, 1, 'staff', 4);
  await rate(sara.page, 1, 'agreed', 4);
  await waitFor(() => area(sara.page, 1).locator('[data-test=differs]').count(), 0,
    { what: 'reasons asked for where the views are the same' });
  await rate(sara.page, 2, 'agreed', 5);
  // A slip of the finger, undone.
  await rate(sara.page, 2, 'agreed', 9);
  await sara.page.locator('[data-test=reading-undo]').click();
  await sara.page.waitForFunction(() =>
    document.querySelectorAll('[data-test=area-card]')[2]?.querySelector('[data-test=ladder][data-rater=agreed]')?.dataset.value === '5');
  await finishReading(sara.page);
  await sara.page.screenshot({ path: join(artifacts, 'reading-offline.png'), fullPage: true });

  // A goal with two steps, still offline.
  await sara.page.locator('a.back-link').first().click();
  await sara.page.locator('[data-test=tracker-page]').waitFor();
  const goals = sara.page.locator('[data-test=goals]');
  await goals.locator('[data-test=goal-input]').fill('Cook a Sunday meal for my brother');
  await goals.locator(`[data-test=goal-area][data-area=${areaIds[1]}]`).check();
  await goals.locator('[data-test=goal-add]').click();
  const goal = goals.locator('[data-test=goal]', { hasText: 'Sunday meal' });
  await goal.waitFor();
  for (const [text, due] of [['Choose a recipe with the OT', '2026-01-10'], ['Book the training kitchen', '2099-06-01']]) {
    await goal.locator('[data-test=step-input]').fill(text);
    await goal.locator('[data-test=step-due]').fill(due);
    await goal.locator('[data-test=step-add]').click();
    await goal.locator('[data-test=step]', { hasText: text }).waitFor();
  }
  await waitFor(() => goal.locator('[data-test=step]').count(), 2, { what: 'the number of steps' });
  await waitFor(() => goal.locator('[data-test=step-overdue]').count(), 1, { what: 'overdue steps (the one due in the past)' });

  // Reload with no network: all of it is still on the tablet. (Once it is saved here: the status says "saving" until
  // the last step is, then "offline".)
  await syncState(sara.page, 'offline');
  await sara.page.reload();
  await sara.page.locator('[data-test=tracker-page]').waitFor();
  await syncState(sara.page, 'offline');
  await sara.page.locator('[data-test=goal]', { hasText: 'Sunday meal' }).locator('[data-test=step]').nth(1).waitFor();
  await sara.page.locator(`[data-test=reading-item][data-reading="${latest}"] [data-test=reading-waiting]`).waitFor();
  await sara.page.locator(`[data-test=reading-item][data-reading="${latest}"] a`).click();
  await sara.page.locator('[data-test=mode-all]').click();
  await sara.page.waitForFunction(() => document.querySelectorAll('[data-test=area-card]')[0]?.querySelector('[data-test=ladder][data-rater=staff]')?.dataset.value === '5');
  await waitFor(() => ladder(sara.page, 0, 'person').getAttribute('data-value'), '7', { what: "the person's view" });
  await waitFor(() => ladder(sara.page, 0, 'agreed').getAttribute('data-value'), '6', { what: 'the agreed value' });
  await waitFor(() => area(sara.page, 0).locator('[data-test=reason-input]').inputValue(), /two hard nights/,
    { what: 'the reason the views differ' });
  // The overdue step comes up for review at the reading.
  await sara.page.locator('[data-test=due-step]', { hasText: 'Choose a recipe' }).waitFor();

  // Back online: everything syncs.
  await sara.context.setOffline(false);
  await syncState(sara.page, 'saved', 45_000);

  // Tomos, on his own device: the chart shows today's reading over the first one.
  const tomos = await newTablet(world.browser, world.server.url);
  await signIn(tomos.page, 'tomos');
  await openTracker(tomos.page);
  const chart = tomos.page.locator('[data-test=radial-chart]');
  await chart.locator(`[data-test=chart-series][data-style=latest][data-reading="${latest}"]`).waitFor();
  await chart.locator(`[data-test=chart-series][data-style=first][data-reading="${first}"]`).waitFor();
  const pointOf = (reading, areaId) =>
    chart.locator(`[data-test=chart-series][data-reading="${reading}"] [data-test=chart-point][data-area=${areaId}]`);
  await waitFor(() => pointOf(latest, areaIds[0]).getAttribute('data-value'), '6', { what: 'the agreed value drawn' });
  await waitFor(() => pointOf(first, areaIds[0]).getAttribute('data-value'), '3', { what: 'the first reading drawn' });
  await waitFor(() => pointOf(latest, areaIds[2]).getAttribute('data-value'), '5',
    { what: 'the value drawn after the slip was undone' });
  await chart.screenshot({ path: join(artifacts, 'tracker-chart.png') });
  await tomos.page.screenshot({ path: join(artifacts, 'tracker-page.png'), fullPage: true });

  // Tap an area: its trend over time.
  await tomos.page.locator(`[data-test=chart-area][data-area=${areaIds[0]}]`).first().click();
  const trend = tomos.page.locator('[data-test=area-trend]');
  await trend.waitFor();
  await waitFor(() => trend.locator('[data-test=trend-point]').evaluateAll((ps) => ps.map((p) => p.dataset.value)), ['3', '6'],
    { what: "the area's trend" });

  // The table shows the same numbers, and the distance travelled.
  await tomos.page.locator('[data-test=toggle-table]').click();
  const table = tomos.page.locator('[data-test=readings-table]');
  await table.waitFor();
  const cell = (reading, areaId) => table.locator(`[data-test=table-value][data-reading="${reading}"][data-area=${areaId}]`);
  for (const [i, then, now] of [[0, '3', '6'], [1, '4', '4'], [2, '2', '5']]) {
    await waitFor(() => cell(first, areaIds[i]).getAttribute('data-value'), then, { what: `area ${i} in the first reading` });
    await waitFor(() => cell(latest, areaIds[i]).getAttribute('data-value'), now, { what: `area ${i} in the latest reading` });
  }
  await waitFor(() => table.locator(`[data-test=distance][data-area=${areaIds[0]}]`).textContent(), /\+?3/,
    { what: 'the distance travelled in the first area' });
  await waitFor(() => table.locator('[data-test=distance][data-area=overall]').textContent(), /\+?6/,
    { what: 'the distance travelled overall' });
  await tomos.page.screenshot({ path: join(artifacts, 'tracker-table.png'), fullPage: true });

  // On a phone, and in print, the chart still shows both readings.
  await tomos.page.locator('[data-test=toggle-table]').click();
  await tomos.page.setViewportSize({ width: 390, height: 844 });
  await chart.locator(`[data-test=chart-series][data-style=latest][data-reading="${latest}"]`).waitFor();
  await tomos.page.screenshot({ path: join(artifacts, 'tracker-phone.png'), fullPage: true });
  await tomos.page.setViewportSize({ width: 1280, height: 800 });
  await tomos.page.emulateMedia({ media: 'print' });
  await waitFor(() => tomos.page.locator('[data-test=start-reading]').isVisible(), false, { what: 'buttons shown on paper' });
  await chart.locator(`[data-test=chart-series][data-style=first][data-reading="${first}"]`).waitFor();
  await tomos.page.screenshot({ path: join(artifacts, 'tracker-print.png'), fullPage: true });

  await sara.context.close();
  await tomos.context.close();
});
