// Issue 14 on screen: the ward overview (from the records synced to the tablet), the care team's audit trail, "who
// has looked at my record" for the person, FHIR and CSV downloads for staff, and the de-identified service report.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverAndBrowser, newTablet, signIn, waitFor, caughtUp, artifacts, root, goOffline } from '../support/harness.mjs';

const world = serverAndBrowser();

const rowNames = (page) => page.locator('[data-test=overview-row]').evaluateAll((rows) => rows.map((r) => r.dataset.name));
const syncSaved = (page) => page.locator('[data-test=sync-status][data-state=saved]').waitFor({ timeout: 30_000 });

test('the ward manager sorts the ward overview by overdue review, opens the person and reads their audit trail', async () => {
  const rhian = await newTablet(world.browser, world.server.url);
  const { page } = rhian;
  await signIn(page, 'rhian');
  await page.locator('[data-test=open-overview]').click();
  await page.locator('[data-test=overview-page]').waitFor();
  await syncSaved(page);
  await caughtUp(page);

  // Everyone on the ward, by name; Dylan's row is worked out from his synced tracker and plan.
  await waitFor(() => rowNames(page), ['Alys Hughes', 'Dylan Evans', 'Nia Carter', 'Tomos Reed'], { what: 'the overview by name' });
  const dylan = page.locator('[data-test=overview-row][data-name="Dylan Evans"]');
  await waitFor(() => dylan.locator('[data-signal=latest]').textContent(), 'Latest reading: 3 November 2026', { what: "Dylan's latest reading" });
  await waitFor(() => dylan.locator('[data-signal=review-overdue]').count(), 1, { what: "Dylan's overdue review" });
  await waitFor(() => dylan.locator('[data-test=distance-spark]').getAttribute('data-last'), '24', { what: "Dylan's distance travelled" });
  await waitFor(() => page.locator('[data-test=overview-row][data-name="Alys Hughes"] [data-signal=reading-due]').count(), 1,
    { what: 'a reading due for Alys, who has none' });

  // Sorted by plan review, the overdue review comes first; filtered, only Dylan is left.
  await page.locator('[data-test=overview-sort]').selectOption('review');
  await waitFor(async () => (await rowNames(page))[0], 'Dylan Evans', { what: 'the first row sorted by review' });
  await page.locator('[data-test=overview-filter]').selectOption('review');
  await waitFor(() => rowNames(page), ['Dylan Evans'], { what: 'the rows with a review due or overdue' });
  await page.screenshot({ path: join(artifacts, 'review-ward-overview.png'), fullPage: true });

  // Worked out on the tablet: with no network the overview still opens and sorts.
  await goOffline(rhian);
  await page.locator('[data-test=sync-status][data-state=offline]').waitFor();
  await page.locator('.back-link').click();
  await page.locator('[data-test=open-overview]').click();
  await page.locator('[data-test=overview-sort]').selectOption('review');
  await waitFor(async () => (await rowNames(page))[0], 'Dylan Evans', { what: 'the first row sorted by review, offline' });
  await waitFor(() => rowNames(page), ['Dylan Evans', 'Alys Hughes', 'Nia Carter', 'Tomos Reed'], { what: 'every row, offline' });
  await rhian.context.setOffline(false);
  await syncSaved(page);
  // In Welsh too.
  await page.getByRole('button', { name: 'Cymraeg' }).click();
  await waitFor(() => page.locator('h1').textContent(), "Trosolwg o'r ward", { what: 'the heading in Welsh' });
  await waitFor(() => dylan.locator('[data-signal=review-overdue]').textContent(), /^Adolygiad cynllun yn hwyr/, { what: 'the signal in Welsh' });
  await page.screenshot({ path: join(artifacts, 'review-ward-overview-cy.png'), fullPage: true });
  await page.getByRole('button', { name: 'English' }).click();
  await waitFor(() => page.locator('h1').textContent(), 'Ward overview', { what: 'the heading in English again' });
  await page.locator('[data-test=overview-filter]').selectOption('review');

  // Tap through to Dylan, then his audit trail: the seed's changes by Owen and this look by Rhian are there.
  await dylan.locator('[data-test=overview-person]').click();
  await page.locator('[data-test=person-page]').waitFor();
  await page.locator('[data-test=open-audit]').click();
  await page.locator('[data-test=audit-page]').waitFor();
  const entries = page.locator('[data-test=audit-entry]');
  await waitFor(async () => (await entries.count()) > 0, true, { what: 'audit entries' });
  await waitFor(async () => (await page.locator('[data-test=audit-entry][data-action=changed]', { hasText: 'Owen Price' }).count()) > 0, true,
    { what: "Owen's changes in the trail" });
  await waitFor(async () => (await page.locator('[data-test=audit-entry][data-action=viewed]', { hasText: 'Rhian Morgan' }).count()) > 0, true,
    { what: "Rhian's own look in the trail" });
  // Filtered to one person and one action, only those remain.
  await page.locator('[data-test=audit-action]').selectOption('changed');
  await page.locator('[data-test=audit-apply]').click();
  await waitFor(() => entries.evaluateAll((es) => [...new Set(es.map((e) => e.dataset.action))]), ['changed'], { what: 'only changes' });
  await page.locator('[data-test=audit-what]').selectOption('goal');
  await page.locator('[data-test=audit-apply]').click();
  await waitFor(() => entries.evaluateAll((es) => [...new Set(es.map((e) => `${e.dataset.action} ${e.dataset.what}`))]), ['changed goal'],
    { what: 'only changes to goals' });
  await waitFor(async () => (await entries.first().textContent()).includes('A goal'), true, { what: 'the kind of record in words' });
  await page.screenshot({ path: join(artifacts, 'review-audit-trail.png'), fullPage: true });

  // The page opens this tablet reported reach the server's audit table.
  await waitFor(() => world.server.query(
    "SELECT count(*) FROM audit_log WHERE action = 'opened' AND what = 'audit_trail' " +
    "AND actor_id = (SELECT id FROM users WHERE username = 'rhian')") !== '0', true, { what: "Rhian's page open in the audit table" });
  await rhian.context.close();
});

test('a page opened offline is queued on the tablet and sent when it is back online', async () => {
  const owen = await newTablet(world.browser, world.server.url);
  await signIn(owen.page, 'owen');
  // The caseload cards say what needs a look, in brief: Alys has no reading yet; Dylan's plan review is overdue.
  const alysCard = owen.page.locator('[data-test=person-card]', { hasText: 'Alys Hughes' });
  await waitFor(() => alysCard.locator('[data-signal=reading-due]').count(), 1, { what: "Alys's card: reading due" });
  await waitFor(() => owen.page.locator('[data-test=person-card]', { hasText: 'Dylan Evans' }).locator('[data-signal=reading-due]').count(), 0,
    { what: "Dylan's card: no reading due" });
  await alysCard.click();
  await owen.page.locator('[data-test=person-page]').waitFor();
  await syncSaved(owen.page);
  const opened = () => world.server.query(
    "SELECT count(*) FROM audit_log WHERE action = 'opened' AND what = 'tracker' " +
    "AND actor_id = (SELECT id FROM users WHERE username = 'owen') AND person_id = (SELECT id FROM users WHERE username = 'alys')");
  assert.equal(opened(), '0');
  await goOffline(owen);
  await owen.page.locator('[data-test=sync-status][data-state=offline]').waitFor();
  await owen.page.locator('[data-test=open-tracker]').click();
  await owen.page.locator('[data-test=tracker-page], .tracker-page').first().waitFor();
  // Nothing can reach the server while offline; once back, the open is sent.
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(opened(), '0', 'nothing reaches the server offline');
  await owen.context.setOffline(false);
  await waitFor(() => opened() !== '0', true, { what: 'the offline page open, sent after coming back online' });
  await owen.context.close();
});

test('a key worker downloads the FHIR bundle and the readings CSV; the FHIR is valid R4', async () => {
  const owen = await newTablet(world.browser, world.server.url);
  const { page } = owen;
  await signIn(page, 'owen');
  await page.locator('[data-test=person-card]', { hasText: 'Dylan Evans' }).click();
  await page.locator('[data-test=record-tools]').waitFor();
  const dir = mkdtempSync(join(tmpdir(), 'waymark-review-'));

  const [fhir] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=export-fhir]').click()]);
  const fhirPath = join(dir, 'dylan.fhir.json');
  await fhir.saveAs(fhirPath);
  const bundle = JSON.parse(readFileSync(fhirPath, 'utf8'));
  assert.equal(bundle.resourceType, 'Bundle');
  const types = new Set(bundle.entry.map((e) => e.resource.resourceType));
  for (const t of ['Patient', 'Questionnaire', 'QuestionnaireResponse', 'Observation', 'Goal', 'CarePlan']) {
    assert.ok(types.has(t), `the bundle has a ${t}`);
  }
  assert.equal(bundle.entry.filter((e) => e.resource.resourceType === 'QuestionnaireResponse').length, 3, "Dylan's three readings");
  const validator = join(root, 'tools', 'fhir-validate', 'validate.mjs');
  assert.ok(existsSync(join(root, 'tools', 'fhir-validate', 'node_modules')), 'the FHIR validator is installed (scripts/setup.sh --for-tests)');
  execFileSync('node', [validator, fhirPath], { stdio: 'pipe' }); // throws (exit 1) on an invalid resource

  const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=export-csv]').click()]);
  const csvPath = join(dir, 'dylan.csv');
  await csv.saveAs(csvPath);
  const lines = readFileSync(csvPath, 'utf8').trim().split(/\r?\n/);
  assert.match(lines[0], /date/i, 'a header row');
  assert.ok(lines.slice(1).some((l) => l.includes('2026-11-03')), 'readings with ISO dates');

  // Both downloads are audited.
  await waitFor(() => world.server.query(
    "SELECT count(*) FROM audit_log WHERE action = 'exported' AND actor_id = (SELECT id FROM users WHERE username = 'owen')"),
    '2', { what: 'the two downloads in the audit table' });
  await page.screenshot({ path: join(artifacts, 'review-person-downloads.png'), fullPage: true });
  await owen.context.close();
});

test('the person sees who has looked at their record, in plain words; a carer sees none of it', async () => {
  const dylan = await newTablet(world.browser, world.server.url);
  await signIn(dylan.page, 'dylan');
  const views = dylan.page.locator('[data-test=record-view]');
  await dylan.page.locator('[data-test=record-views]').waitFor();
  await waitFor(async () => (await views.allTextContents()).some((t) => t.includes('Rhian Morgan (Ward manager) looked at your record')),
    true, { what: "Rhian's look, in plain words" });
  await waitFor(async () => (await views.allTextContents()).some((t) => t.includes('Owen Price (Key worker) downloaded a copy of your record (2 times)')),
    true, { what: "Owen's two downloads today, in plain words, on one line" });
  await dylan.page.screenshot({ path: join(artifacts, 'review-who-looked.png'), fullPage: true });
  await dylan.context.close();

  const gareth = await newTablet(world.browser, world.server.url);
  await signIn(gareth.page, 'gareth');
  await gareth.page.locator('[data-test=person-card]', { hasText: 'Dylan Evans' }).click();
  await gareth.page.locator('[data-test=person-page]').waitFor();
  await syncSaved(gareth.page);
  assert.equal(await gareth.page.locator('[data-test=record-tools], [data-test=record-audit], [data-test=record-views], [data-test=open-audit]').count(), 0);
  await gareth.context.close();
});

test('the service report shows "fewer than 5" for a figure resting on fewer than 5 people', async () => {
  const rhian = await newTablet(world.browser, world.server.url);
  const { page } = rhian;
  await signIn(page, 'rhian');
  await page.locator('[data-test=open-overview]').click();
  await page.locator('[data-test=open-report]').click();
  await page.locator('[data-test=report-page]').waitFor();
  await page.locator('[data-test=report-from]').fill('2026-01-01');
  await page.locator('[data-test=report-to]').fill('2026-11-28');
  await page.locator('[data-test=report-show]').click();
  await waitFor(() => page.locator('[data-test=figure-people]').textContent(), 'fewer than 5', { what: 'people with readings' });
  await waitFor(async () => (await page.locator('[data-test=report-area]').first().textContent()).includes('fewer than 5'), true,
    { what: 'an area figure withheld' });
  await page.locator('[data-test=report-chart]').first().waitFor();
  const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=report-csv]').click()]);
  const text = readFileSync(await csv.path(), 'utf8');
  assert.match(text, /fewer than 5/i);
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: join(artifacts, 'review-service-report-print.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  await rhian.context.close();
});

test('the ward manager writes a new framework, each problem shown beside its field; a reading is done with it', async () => {
  const rhian = await newTablet(world.browser, world.server.url);
  const { page } = rhian;
  await signIn(page, 'rhian');
  await page.locator('[data-test=open-overview]').click();
  await page.locator('[data-test=open-frameworks]').click();
  await page.locator('[data-test=frameworks-page]').waitFor();

  // Saving the empty form shows each problem beside its field, and saves nothing.
  const before = world.server.query("SELECT count(*) FROM frameworks");
  await page.locator('[data-test=fw-save]').click();
  await page.locator('[data-test=fw-fix-first]').waitFor();
  await page.locator('#fw-id-error').waitFor();
  await page.locator('#area-0-label-cy-error').waitFor();
  assert.equal(await page.locator('#fw-id').getAttribute('aria-invalid'), 'true');
  assert.equal(world.server.query("SELECT count(*) FROM frameworks"), before, 'nothing saved');

  const fill = async (id, text) => page.locator(`#${id}`).fill(text);
  await fill('fw-id', 'daily living');
  await waitFor(() => page.locator('#fw-id-error').textContent(), /lower-case letters/, { what: 'the id problem' });
  await fill('fw-id', 'daily_living');
  await page.locator('#fw-id-error').waitFor({ state: 'detached' });
  await fill('fw-name-en', 'Daily living');
  await fill('fw-name-cy', 'Byw bob dydd');
  const stages = [['Starting out', 'Dechrau arni', 'Someone else does most of it', 'Mae rhywun arall yn gwneud y rhan fwyaf ohono'],
    ['Managing', 'Ymdopi', 'I do it myself', 'Rwy\'n ei wneud fy hun']];
  for (const [i, [en, cy, den, dcy]] of stages.entries()) {
    await fill(`stage-${i}-label-en`, en);
    await fill(`stage-${i}-label-cy`, cy);
    await fill(`stage-${i}-description-en`, den);
    await fill(`stage-${i}-description-cy`, dcy);
  }
  await fill('area-0-label-en', 'Cooking');
  await waitFor(() => page.locator('#area-0-id').inputValue(), 'cooking', { what: 'the area id from its label' });
  await fill('area-0-label-cy', 'Coginio');
  await fill('area-0-description-en', 'Making meals for myself');
  await fill('area-0-description-cy', 'Gwneud prydau bwyd i mi fy hun');
  await waitFor(() => page.locator('[data-test=field-error]').count(), 0, { what: 'no problems left' });
  // The preview: the ladder of stages and an empty chart.
  await waitFor(() => page.locator('[data-test=fw-ladder] li').allTextContents(), ['6–10 Managing', '1–5 Starting out'], { what: 'the ladder preview' });
  await page.locator('[data-test=fw-preview] svg').first().waitFor();
  await page.screenshot({ path: join(artifacts, 'review-framework-editor.png'), fullPage: true });
  await page.locator('[data-test=fw-save]').click();
  await waitFor(() => page.locator('[data-test=fw-saved]').textContent(), 'Saved: Daily living, version 1.', { what: 'the saved version' });
  await waitFor(() => world.server.query("SELECT count(*) FROM frameworks"), String(Number(before) + 1), { what: 'the framework stored' });
  await page.locator('[data-test=framework-version][data-id=daily_living][data-version="1"]').waitFor();
  await rhian.context.close();

  // A key worker does a reading with it.
  const owen = await newTablet(world.browser, world.server.url);
  await signIn(owen.page, 'owen');
  await owen.page.locator('[data-test=person-card]', { hasText: 'Alys Hughes' }).click();
  await owen.page.locator('[data-test=open-tracker]').click();
  await owen.page.locator('[data-test=tracker-page]').waitFor();
  await waitFor(() => owen.page.locator('[data-test=framework-pick] option[value=daily_living]').count(), 1, { what: 'the new framework offered' });
  await owen.page.locator('[data-test=framework-pick]').selectOption('daily_living');
  await owen.page.locator('[data-test=start-reading]').click();
  await owen.page.locator('[data-test=reading]').waitFor();
  await owen.page.locator('[data-test=mode-all]').click();
  const card = owen.page.locator('[data-test=area-card][data-area=cooking]');
  await card.waitFor();
  await card.locator('[data-test=ladder][data-rater=agreed] [data-test=rung][data-value="7"]').click();
  await waitFor(() => card.locator('[data-test=ladder][data-rater=agreed]').getAttribute('data-value'), '7', { what: 'the agreed value' });
  await owen.page.locator('[data-test=reading-finish]').click();
  await owen.page.locator('[data-test=reading-finished]').waitFor();
  await waitFor(() => world.server.query(
    "SELECT count(*) FROM sync_cells WHERE kind = 'reading' AND state LIKE '%daily_living%' " +
    "AND person_id = (SELECT id FROM users WHERE username = 'alys')") !== '0', true, { what: 'the reading with the new framework on the server' });
  await owen.context.close();
});
