// The walking skeleton in a real browser: sign-in, caseloads, a service user's own page, Welsh.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serverAndBrowser, newTablet, signIn, artifacts, waitFor } from '../support/harness.mjs';

const world = serverAndBrowser();

test('the app shell is served with a strict content security policy', async () => {
  const res = await fetch(`${world.server.url}/people/anything`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-security-policy'), /script-src 'self' 'wasm-unsafe-eval'/);
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  assert.match(await res.text(), /<script type="module" src="\/assets\/boot-[0-9a-f]{16}\.js">/);
});

test('a key worker signs in and sees their caseload, and can open a person', async () => {
  const { context, page } = await newTablet(world.browser, world.server.url);
  await signIn(page, 'owen');
  const cards = page.locator('[data-test=person-card]');
  await cards.first().waitFor();
  await waitFor(() => page.locator('[data-test=person-card] .person-name').allTextContents(), ['Alys Hughes', 'Dylan Evans'],
    { what: 'the caseload' });
  await waitFor(() => page.locator('[data-test=signed-in-as]').textContent(), 'Signed in as Owen Price (Key worker)',
    { what: 'who is signed in' });
  await waitFor(() => page.locator('h1').textContent(), 'People I work with', { what: 'the heading' });
  await page.screenshot({ path: join(artifacts, 'caseload.png'), fullPage: true });

  await cards.filter({ hasText: 'Dylan Evans' }).click();
  await page.locator('[data-test=person-page] h1').waitFor();
  await waitFor(() => page.locator('[data-test=person-page] h1').textContent(), 'Dylan Evans', { what: 'the heading' });
  await waitFor(() => page.locator('[data-test=care-team] .member-name').allTextContents(), ['Owen Price', 'Gareth Evans'],
    { what: 'the care team' });
  await waitFor(async () => page.url(), /\/people\/[0-9a-f]{32}$/, { what: 'the address' });
  await context.close();
});

test('a service user sees only their own page', async () => {
  // Find Alys's page address as her key worker would.
  const owen = await newTablet(world.browser, world.server.url);
  await signIn(owen.page, 'owen');
  await owen.page.locator('[data-test=person-card]', { hasText: 'Alys Hughes' }).click();
  await owen.page.locator('[data-test=person-page]').waitFor();
  await owen.page.waitForURL(/\/people\/[0-9a-f]{32}$/);
  const alysUrl = new URL(owen.page.url()).pathname;
  await owen.context.close();

  const { context, page } = await newTablet(world.browser, world.server.url);
  await signIn(page, 'dylan');
  await waitFor(() => page.locator('[data-test=person-page] h1').textContent(), 'Dylan Evans', { what: 'the heading' });
  assert.equal(await page.locator('[data-test=people-list]').count(), 0, 'no caseload for a service user');
  await waitFor(() => page.locator('.greeting').textContent(), /Hello, Dylan Evans/, { what: 'the greeting' });
  await page.screenshot({ path: join(artifacts, 'service-user-home.png'), fullPage: true });

  const people = await page.evaluate(() => fetch('/api/people').then((r) => r.json()));
  assert.deepEqual(people.people.map((p) => p.display_name), ['Dylan Evans']);

  await page.goto(alysUrl);
  // (Waiting on a locator runs the tablet's PIN handler: a reload asks for the PIN first.)
  await page.locator('[role=alert]').waitFor();
  await waitFor(() => page.locator('[role=alert]').textContent(), "That record isn't available to you.", { what: 'the alert' });
  assert.equal(await page.getByText('Alys Hughes').count(), 0, "another person's name never shows");
  await context.close();
});

test('a carer sees only the person they support', async () => {
  const { context, page } = await newTablet(world.browser, world.server.url);
  await signIn(page, 'gareth');
  await page.locator('[data-test=person-card]').first().waitFor();
  await waitFor(() => page.locator('[data-test=person-card] .person-name').allTextContents(), ['Dylan Evans'],
    { what: 'the people a carer sees' });
  await waitFor(() => page.locator('h1').textContent(), 'Who you support', { what: 'the heading' });
  await context.close();
});

test('a wrong password is refused with a clear message', async () => {
  const { context, page } = await newTablet(world.browser, world.server.url);
  await signIn(page, 'sara', 'not-the-password');
  await waitFor(() => page.locator('[role=alert]').textContent(), "That username and password don't match. Please try again.",
    { what: 'the alert' });
  await waitFor(async () => new URL(page.url()).pathname, '/sign-in', { what: 'the address' });
  await context.close();
});

test('switching to Welsh shows Welsh, and the choice is remembered for the person', async () => {
  const first = await newTablet(world.browser, world.server.url);
  let page = first.page;
  await page.goto('/sign-in');
  await page.locator('.language-switch button[data-lang=cy]').click();
  await waitFor(() => page.locator('h1').textContent(), 'Mewngofnodi i Waymark', { what: 'the heading' });
  await waitFor(() => page.locator('html').getAttribute('lang'), 'cy', { what: 'the page language' });
  await page.locator('#username').fill('alys');
  await page.locator('#password').fill('waymark-demo');
  await page.locator('form button[type=submit]').click();
  await page.locator('[data-test=person-page]').waitFor();
  await waitFor(() => page.locator('[data-test=signed-in-as]').textContent(), 'Wedi mewngofnodi fel Alys Hughes (Defnyddiwr gwasanaeth)',
    { what: 'who is signed in' });
  await waitFor(() => page.locator('[data-test=care-team-section] h2').textContent(), 'Fy nhîm gofal', { what: 'the heading' });
  await page.screenshot({ path: join(artifacts, 'welsh-home.png'), fullPage: true });
  await page.reload();
  await page.locator('[data-test=person-page]').waitFor();
  await waitFor(() => page.locator('button', { hasText: 'Allgofnodi' }).count(), 1, { what: 'Welsh sign-out buttons' });
  // Signed in while in Welsh: save the choice to her account from the header switch too.
  const saved = () => page.waitForResponse((r) => r.url().endsWith('/api/me/language') && r.status() === 204);
  let save = saved();
  await page.locator('.language-switch button[data-lang=en]').click();
  await save;
  await waitFor(() => page.locator('[data-test=care-team-section] h2').textContent(), 'My care team', { what: 'the heading' });
  save = saved();
  await page.locator('.language-switch button[data-lang=cy]').click();
  await save;
  await first.context.close();

  // A different tablet with nothing stored: after sign-in, Alys's own choice of Welsh applies.
  const second = await newTablet(world.browser, world.server.url);
  page = second.page;
  await signIn(page, 'alys');
  await page.locator('[data-test=person-page]').waitFor();
  await waitFor(() => page.locator('[data-test=care-team-section] h2').textContent(), 'Fy nhîm gofal', { what: 'the heading' });
  await waitFor(() => page.locator('html').getAttribute('lang'), 'cy', { what: 'the page language' });
  await second.context.close();
});

test('signing out ends the session', async () => {
  const { context, page } = await newTablet(world.browser, world.server.url);
  await signIn(page, 'rhian');
  await page.locator('[data-test=person-card]').first().waitFor();
  await waitFor(() => page.locator('[data-test=person-card]').count(), 4, { what: 'people on the caseload (the whole ward)' });
  await page.locator('button', { hasText: 'Sign out' }).click();
  await page.locator('#username').waitFor();
  await waitFor(async () => new URL(page.url()).pathname, '/sign-in', { what: 'the address' });
  await waitFor(() => page.evaluate(() => fetch('/api/people').then((r) => r.status)), 401,
    { what: 'the status of a request after signing out' });
  await page.goto('/');
  await page.locator('#username').waitFor();
  await waitFor(async () => new URL(page.url()).pathname, '/sign-in', { what: 'the address' });
  await context.close();
});
