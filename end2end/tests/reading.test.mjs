// The reading editor on its default path, tap by tap, as people use it (issue 13): one area at a time, "Next area"
// through every area, the stage words beside every number, tapping a chosen number again keeps it (clearing is its
// own button), finishing names the areas left without an agreed number; drafts never reach the chart, can be carried
// on with, put aside and brought back (undo). In English on a tablet, and in Welsh with easy read on a phone, with
// screenshots of the editor and the chart in each.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serverAndBrowser, newTablet, signIn, artifacts, waitFor } from '../support/harness.mjs';

const world = serverAndBrowser();

const syncState = (page, state, timeout = 30_000) =>
  page.locator(`[data-test=sync-status][data-state=${state}]`).waitFor({ timeout });

/// The one area card on screen (one area at a time).
const card = (page) => page.locator('[data-test=area-card]');
const agreed = (page) => card(page).locator('[data-test=ladder][data-rater=agreed]');

async function openTracker(page) {
  await page.locator('[data-test=open-tracker]').click();
  await page.locator('[data-test=tracker-page]').waitFor();
}

/// Tap "Start a new reading" on the tracker page (today's date, as it comes); the editor opens one area at a time.
async function startReading(page) {
  await page.locator('[data-test=start-reading]').click();
  await page.locator('[data-test=reading]').waitFor();
  await waitFor(() => page.locator('[data-test=mode-one]').getAttribute('aria-pressed'), 'true',
    { what: 'one area at a time, the default' });
  return page.locator('[data-test=reading]').getAttribute('data-reading');
}

/// Tap the agreed number on the area on screen and wait until it is chosen.
async function rateAgreed(page, value) {
  await agreed(page).locator(`[data-test=rung][data-value="${value}"]`).click();
  await waitFor(() => agreed(page).getAttribute('data-value'), String(value), { what: `the agreed number ${value}` });
}

/// Walk every area with "Next area", choosing an agreed number where `values[i]` is given; returns the areas' ids.
async function walkAreas(page, values, { nextWord, countWords }) {
  const total = Number((await page.locator('[data-test=area-count]').first().textContent()).match(/(\d+)\D*$/)[1]);
  assert.ok(total >= 2, `a framework with several areas (${total})`);
  const ids = [];
  for (let i = 0; i < total; i++) {
    await waitFor(() => page.locator('[data-test=area-count]').first().textContent(), countWords(i + 1, total),
      { what: `the area counter at area ${i + 1}` });
    ids.push(await card(page).getAttribute('data-area'));
    // Every number has its stage's words beside it (no tooltips on touch screens).
    const words = await agreed(page).locator('[data-test=stage-word]').allTextContents();
    assert.ok(words.length >= 2 && words.every((w) => w.trim().length > 0), `stage words on area ${i + 1}: ${words}`);
    if (values[i] !== undefined) await rateAgreed(page, values[i]);
    const next = page.locator('[data-test=area-next]').first();
    if (i + 1 < total) {
      await waitFor(() => next.textContent(), nextWord, { what: 'the "Next area" label, in words' });
      await waitFor(() => next.isEnabled(), true, { what: `"Next area" enabled on area ${i + 1}` });
      await next.click();
    } else {
      await waitFor(() => next.isEnabled(), false, { what: '"Next area" on the last area' });
      await page.locator('[data-test=reading-last]').waitFor();
    }
  }
  assert.equal(new Set(ids).size, total, 'each area shown once');
  return ids;
}

test('a key worker and Tomos do a reading area by area on a tablet, in English, and its drafts stay off the chart', async () => {
  const sara = await newTablet(world.browser, world.server.url);
  const page = sara.page;
  await signIn(page, 'sara');
  await page.locator('[data-test=person-card]', { hasText: 'Tomos Reed' }).click();
  await openTracker(page);
  await syncState(page, 'saved');

  const reading = await startReading(page);
  // Tapping a chosen number again keeps it; clearing is its own button.
  await rateAgreed(page, 4);
  await agreed(page).locator('[data-test=rung][data-value="4"]').click();
  await waitFor(() => agreed(page).getAttribute('data-value'), '4', { what: 'the number after tapping it again' });
  await agreed(page).locator('[data-test=rung-clear]').click();
  await waitFor(async () => (await agreed(page).getAttribute('data-value')) ?? '', '', { what: 'the number cleared' });

  // Leave the third area without an agreed number.
  const values = [5, 6, undefined, 7, 3, 4, 5, 6, 7, 8, 6, 5, 4];
  const ids = await walkAreas(page, values, {
    nextWord: /^\s*Next area\s*$/,
    countWords: (n, total) => new RegExp(`Area ${n} of ${total}`),
  });
  await page.screenshot({ path: join(artifacts, 'reading-tablet-en.png'), fullPage: true });
  // Finishing names the area left without an agreed number, and asks first.
  await page.locator('[data-test=reading-finish-last]').click();
  const question = page.locator('[data-test=finish-confirm-question]').first();
  await waitFor(() => question.textContent(), /These areas have no agreed number yet: .+\. Finish the reading without them\?/,
    { what: 'the question naming the areas left' });
  await page.locator('[data-test=finish-anyway]').first().click();
  await page.locator('[data-test=reading-finished]').waitFor();
  await waitFor(() => page.locator('[data-test=reading-missing-areas]').textContent(), /^Left without an agreed value: .+/,
    { what: 'the areas left, named' });
  await syncState(page, 'saved');

  // The chart draws the finished reading as the latest.
  await page.locator('a.back-link').first().click();
  await page.locator('[data-test=tracker-page]').waitFor();
  const chart = page.locator('[data-test=radial-chart]');
  const latest = chart.locator(`[data-test=chart-series][data-style=latest][data-reading="${reading}"]`);
  await latest.waitFor();
  await waitFor(() => latest.locator(`[data-test=chart-point][data-area=${ids[1]}]`).getAttribute('data-value'), '6',
    { what: 'the second area drawn' });
  // Dates in words, never 2026-11-03.
  await waitFor(() => page.locator('[data-test=reading-item]').first().textContent(), /\d{1,2} [A-Z][a-z]+ \d{4}/,
    { what: 'a reading dated in words' });
  assert.doesNotMatch(await page.locator('[data-test=readings]').textContent(), /\d{4}-\d{2}-\d{2}/);

  // A second reading, left after one area: a draft, never on the chart.
  const draft = await startReading(page);
  await rateAgreed(page, 9);
  await page.locator('a.back-link').first().click();
  await page.locator('[data-test=tracker-page]').waitFor();
  const draftItem = page.locator(`[data-test=draft][data-reading="${draft}"]`);
  await draftItem.waitFor();
  await waitFor(() => draftItem.locator('[data-test=draft-agreed]').textContent(), /^1 area agreed so far$/,
    { what: 'the draft\'s count, in the singular' });
  await latest.waitFor();
  await waitFor(() => chart.locator(`[data-test=chart-series][data-reading="${draft}"]`).count(), 0,
    { what: 'the draft drawn on the chart' });
  await page.screenshot({ path: join(artifacts, 'tracker-drafts-en.png'), fullPage: true });

  // Carry on with it: the number chosen is still there.
  await draftItem.locator('[data-test=draft-resume]').click();
  await page.locator(`[data-test=reading][data-reading="${draft}"]`).waitFor();
  await waitFor(() => agreed(page).getAttribute('data-value'), '9', { what: 'the draft\'s first number, kept' });
  await page.locator('a.back-link').first().click();
  await draftItem.waitFor();

  // Put it aside, bring it back with undo, and put it aside for good.
  await draftItem.locator('[data-test=draft-discard]').click();
  await page.locator('[data-test=draft-put-aside]').waitFor();
  await waitFor(() => draftItem.count(), 0, { what: 'the draft listed after it was put aside' });
  await page.locator('[data-test=draft-undo]').click();
  await draftItem.waitFor();
  await draftItem.locator('[data-test=draft-discard]').click();
  await waitFor(() => draftItem.count(), 0, { what: 'the draft listed after it was put aside again' });
  await syncState(page, 'saved');
  await latest.waitFor();
  await sara.context.close();
});

test('Tomos does a reading on his phone in Welsh with easy read, area by area', async () => {
  const tomos = await newTablet(world.browser, world.server.url);
  const page = tomos.page;
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, 'tomos');
  await page.locator('.language-switch button[data-lang=cy]').click();
  await waitFor(() => page.evaluate(() => document.documentElement.lang), 'cy', { what: 'the page language' });
  await page.locator('[data-test=easy-read-switch]').click();
  await waitFor(() => page.locator('[data-test=easy-read-switch]').getAttribute('aria-pressed'), 'true',
    { what: 'easy read on' });
  await openTracker(page);
  await syncState(page, 'saved');

  const reading = await startReading(page);
  // Easy read: the short "how to" and a picture per area.
  await waitFor(() => page.locator('[data-test=reading-how]').textContent(), /^Tapiwch rif\. Yna tapiwch Maes nesaf\.$/,
    { what: 'the easy-read "how to", in Welsh' });
  await card(page).locator('.area-icon').first().waitFor();
  await walkAreas(page, [6, 5], {
    nextWord: /^\s*Maes nesaf\s*$/,
    countWords: (n, total) => new RegExp(`Maes ${n} o ${total}`),
  });
  // No sideways scroll on the phone.
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(sideways <= 0, `sideways scroll of ${sideways} px`);
  await page.screenshot({ path: join(artifacts, 'reading-phone-cy-easy.png'), fullPage: true });

  // Finishing with most areas left: the question names them, in Welsh; then the chart draws it as the latest.
  await page.locator('[data-test=reading-finish-last]').click();
  await waitFor(() => page.locator('[data-test=finish-confirm-question]').first().textContent(),
    /^Does dim rhif wedi'i gytuno ar gyfer y meysydd hyn eto: .+\. Gorffen y darlleniad hebddyn nhw\?$/,
    { what: 'the Welsh question naming the areas left' });
  await page.locator('[data-test=finish-anyway]').first().click();
  await page.locator('[data-test=reading-finished]').waitFor();
  await syncState(page, 'saved');
  await page.locator('a.back-link').first().click();
  await page.locator('[data-test=tracker-page]').waitFor();
  // (The key worker's reading in the test above is dated today too: either may be drawn as the latest.)
  await page.locator(`[data-test=radial-chart] [data-test=chart-series][data-reading="${reading}"]`).waitFor();
  await waitFor(() => page.locator('[data-test=readings-count]').textContent(), /darlleniad/,
    { what: 'the finished readings counted in Welsh' });
  await waitFor(() => page.locator('[data-test=reading-item]').first().textContent(),
    /\d{1,2} (Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr) \d{4}/,
    { what: 'a reading dated in Welsh words' });
  await page.screenshot({ path: join(artifacts, 'tracker-phone-cy-easy.png'), fullPage: true });
  await tomos.context.close();
});
