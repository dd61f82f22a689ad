// Signing in on a slow network: the app's start-up question "who is signed in?" has not been answered when the
// person presses "Sign in". The sign-in must still work (it once failed, refused for a missing CSRF token), and the
// late answer must not sign them out again.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { serverAndBrowser, newTablet } from '../support/harness.mjs';

const world = serverAndBrowser();

test('signing in before the start-up session check has answered still signs in, and stays signed in', async () => {
  const { page, context } = await newTablet(world.browser, world.server.url);
  let first = true;
  let lateAnswer = null;
  await page.route('**/api/session', async (route) => {
    if (route.request().method() === 'GET' && first) {
      first = false;
      // Resolves once the delayed answer has reached the page.
      lateAnswer = route.request().response().then((r) => r?.finished());
      await new Promise((r) => setTimeout(r, 3000));
    }
    await route.continue();
  });
  await page.goto('/sign-in');
  await page.locator('#username').fill('owen');
  await page.locator('#password').fill('waymark-demo');
  await page.locator('form button[type=submit]').click();
  await page.locator('[data-test=person-card]', { hasText: 'Alys Hughes' }).waitFor({ timeout: 30_000 });
  // After the late answer has arrived: still signed in, and the server agrees (the person's page is loaded from it).
  assert.ok(lateAnswer, 'the start-up question was held back');
  await lateAnswer;
  await page.locator('[data-test=person-card]', { hasText: 'Alys Hughes' }).click();
  await page.locator('[data-test=person-page]').waitFor();
  await page.locator('[data-test=signed-in-as]').waitFor();
  await context.close();
});
