// Administration in a real browser (issue 16). The administrator makes a key worker and a service user (each
// form says what is wrong beside the field first), puts the key worker on the person's care team; the key worker
// signs in with the one-time password, must choose their own, and finds the person on their caseload with the dated
// admission on the person's page; the administrator moves the person to a new ward and they leave that caseload.
// Then staff sign in through the hospital's identity provider (a real OpenID provider, npm `oidc-provider`, started
// here): a linked account signs in; an identity linked to no account is refused, saying so.
import { test, before, after, afterEach } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Provider from 'oidc-provider';
import {
  startServer, launchBrowser, newTablet, signIn, artifacts, waitFor, freePort, foreignOrigins, checkAccessibility,
  accessibilityVerdict,
} from '../support/harness.mjs';

const CLIENT_ID = 'waymark-e2e';
const CLIENT_SECRET = 'a-test-client-secret-only-for-this-test';
/// Another application registered at the same provider (its tokens are not for Waymark).
const OTHER_ID = 'another-hospital-app';
const basic = (id, secret) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

const world = { server: null, browser: null, provider: null, issuer: null, trick: null };

before(async () => {
  const waymarkPort = await freePort();
  const providerPort = await freePort();
  const waymark = `http://127.0.0.1:${waymarkPort}`;
  world.issuer = `http://127.0.0.1:${providerPort}`;
  // A real OpenID provider: authorization code with PKCE, its own sign-in and consent pages (any login name is
  // accepted as the person's identity, `sub`).
  const provider = new Provider(world.issuer, {
    clients: [CLIENT_ID, OTHER_ID].map((client_id) => ({
      client_id,
      client_secret: CLIENT_SECRET,
      redirect_uris: [`${waymark}/api/oidc/callback`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    })),
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
  });
  // What goes wrong on the way, when a test asks: the code and ID token are issued to another application (so
  // the token's audience is not Waymark), or the provider's clock is two hours behind when it issues the ID token
  // (so it has expired when Waymark checks it).
  provider.use(async (ctx, next) => {
    if (world.trick === 'audience') {
      if (ctx.path === '/auth') ctx.query = { ...ctx.query, client_id: OTHER_ID };
      if (ctx.path === '/token') ctx.req.headers.authorization = basic(OTHER_ID, CLIENT_SECRET);
    }
    if (world.trick === 'expired' && ctx.path === '/token') {
      const realNow = Date.now;
      Date.now = () => realNow() - 2 * 3600_000;
      try {
        await next();
      } finally {
        Date.now = realNow;
      }
      return;
    }
    await next();
  });
  world.provider = await new Promise((resolve) => {
    const s = provider.listen(providerPort, '127.0.0.1', () => resolve(s));
  });
  foreignOrigins.add(world.issuer);
  world.server = await startServer({
    port: waymarkPort,
    env: {
      WAYMARK_OIDC_ISSUER: world.issuer,
      WAYMARK_OIDC_CLIENT_ID: CLIENT_ID,
      WAYMARK_OIDC_CLIENT_SECRET: CLIENT_SECRET,
      WAYMARK_OIDC_REDIRECT_URL: `${waymark}/api/oidc/callback`,
    },
  });
  world.server.url = waymark;
  world.browser = await launchBrowser();
});

// Fail a test on any accessibility violation found on Waymark's pages in it.
afterEach(accessibilityVerdict);

after(async () => {
  await world.browser?.close();
  await world.server?.stop();
  await new Promise((r) => (world.provider ? world.provider.close(r) : r()));
});

const shot = (page, name) => page.screenshot({ path: join(artifacts, `admin-${name}.png`), fullPage: true });

/// Choose the option of a `<select>` whose words match, once the options have arrived.
async function choose(page, selector, words) {
  const select = page.locator(selector);
  const option = select.locator('option', { hasText: words }).first();
  await option.waitFor({ state: 'attached' });
  await select.selectOption({ value: await option.getAttribute('value') });
}

/// Make an account on the administrator's home and return its one-time password, as shown.
async function makeAccount(page, { username, name, role, ward }) {
  const form = page.locator('[data-test=new-account-form]');
  await form.locator('[data-test=new-username]').fill(username);
  await form.locator('[data-test=new-name]').fill(name);
  await choose(page, '[data-test=new-role]', role);
  if (ward) await choose(page, '[data-test=new-ward]', ward);
  await form.locator('[data-test=new-account-submit]').click();
  const box = page.locator('[data-test=one-time-password-box]');
  await waitFor(() => box.textContent(), new RegExp(name));
  const otp = (await page.locator('[data-test=one-time-password]').textContent()).trim();
  assert.match(otp, /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/i);
  return otp;
}

/// At a 320 px phone: no sideways scroll, and every target at least 44 × 44 px (as `a11y.test.mjs` measures).
async function phoneLayout(page, where) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 640 });
  const m = await page.evaluate(() => {
    const small = [];
    for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')) {
      if (el.closest('.skip-link') || el.disabled) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.width < 43.5 || r.height < 43.5) small.push(`${el.tagName} "${(el.innerText || el.id).trim().slice(0, 40)}" ${r.width}x${r.height}`);
    }
    return { sideways: document.documentElement.scrollWidth - document.documentElement.clientWidth, small };
  });
  await shot(page, `${where}-phone`);
  await page.setViewportSize(size);
  assert.equal(m.sideways, 0, `${where}: sideways scroll at 320 px`);
  assert.deepEqual(m.small, [], `${where}: targets smaller than 44 x 44 px`);
}

/// The names on the signed-in person's caseload as shown now.
const caseload = (page) => page.locator('[data-test=people-list] li').allTextContents();

test('an administrator makes a key worker and a service user; the key worker changes the one-time password and sees the person until they move ward', async () => {
  const admin = await newTablet(world.browser, world.server.url);
  await signIn(admin.page, 'admin');
  await admin.page.locator('main h1', { hasText: 'Administration' }).waitFor();

  // An empty form: each problem shows beside its field, and nothing is made.
  const before = world.server.query('SELECT COUNT(*) FROM users');
  await admin.page.locator('[data-test=new-account-submit]').click();
  await waitFor(() => admin.page.locator('[data-test=new-username-error]').textContent(), /letters, numbers/);
  await waitFor(() => admin.page.locator('[data-test=new-name-error]').textContent(), /write a name/);
  await waitFor(() => admin.page.locator('[data-test=new-role-error]').textContent(), /choose a role/);
  assert.equal(await admin.page.locator('#new-username').getAttribute('aria-invalid'), 'true');
  assert.equal(world.server.query('SELECT COUNT(*) FROM users'), before);
  await shot(admin.page, 'form-problems');
  await phoneLayout(admin.page, 'admin-home');

  const bethanOtp = await makeAccount(admin.page, { username: 'bethan', name: 'Bethan Rees', role: 'Key worker', ward: 'Derwen' });
  await shot(admin.page, 'one-time-password');
  // A service user with no ward: the ward is asked for beside its field.
  await admin.page.locator('[data-test=new-username]').fill('morgan');
  await admin.page.locator('[data-test=new-name]').fill('Morgan Jones');
  await choose(admin.page, '[data-test=new-role]', 'Service user');
  await admin.page.locator('[data-test=new-account-submit]').click();
  await waitFor(() => admin.page.locator('[data-test=new-ward-error]').textContent(), /choose a ward/);
  await makeAccount(admin.page, { username: 'morgan', name: 'Morgan Jones', role: 'Service user', ward: 'Derwen' });

  // Find Morgan and put Bethan on his care team as his key worker.
  await admin.page.locator('[data-test=admin-q]').fill('morgan');
  await admin.page.locator('[data-test=admin-search-submit]').click();
  await admin.page.locator('[data-test=account-row][data-username=morgan] a').click();
  await admin.page.locator('[data-test=manage-person]').click();
  await admin.page.locator('main h1', { hasText: 'Morgan Jones' }).waitFor();
  await waitFor(
    () => admin.page.locator('[data-test=stay-list] li').allTextContents().then((t) => t.map((x) => /^Admitted to Derwen Ward \(demo\) on /.test(x))),
    [true],
  );
  await choose(admin.page, '[data-test=team-who]', 'Bethan Rees');
  await choose(admin.page, '[data-test=team-as]', 'Key worker');
  await admin.page.locator('[data-test=team-add]').click();
  await waitFor(
    () => admin.page.locator('[data-test=team-member][data-relation=key_worker] .member-name').allTextContents(),
    ['Bethan Rees'],
  );
  await shot(admin.page, 'care-team');

  // Bethan signs in with the one-time password and must choose her own first.
  const bethan = await newTablet(world.browser, world.server.url);
  await bethan.page.goto('/sign-in');
  await bethan.page.locator('#username').fill('bethan');
  await bethan.page.locator('#password').fill(bethanOtp);
  await bethan.page.locator('form button[type=submit]').click();
  const change = bethan.page.locator('[data-test=change-password-form]');
  await change.waitFor();
  await checkAccessibility(bethan.page, 'the change-password screen');
  await change.locator('[data-test=current-password]').fill(bethanOtp);
  await change.locator('[data-test=new-password]').fill('a garden by the sea');
  await change.locator('[data-test=new-password-again]').fill('a garden by the see');
  await change.locator('[data-test=change-password-submit]').click();
  await waitFor(() => bethan.page.locator('[data-test=new-password-again-error]').textContent(), /not the same/);
  await shot(bethan.page, 'change-password');
  await change.locator('[data-test=new-password-again]').fill('a garden by the sea');
  await change.locator('[data-test=change-password-submit]').click();
  // (The tablet's PIN is chosen as the records open.) Morgan is on her caseload.
  await bethan.page.locator('[data-test=signed-in-as]').waitFor();
  await waitFor(() => caseload(bethan.page).then((c) => c.map((t) => t.includes('Morgan Jones'))), [true]);
  assert.equal(world.server.query("SELECT must_change_password FROM users WHERE username = 'bethan'"), '0');
  // His page shows the dated admission.
  await bethan.page.locator('[data-test=people-list] a', { hasText: 'Morgan Jones' }).click();
  await waitFor(() => bethan.page.locator('[data-test=stays] li').allTextContents().then((t) => t.map((x) => /^Admitted to Derwen Ward \(demo\) on \d+ \w+ \d{4}$/.test(x))), [true]);
  await shot(bethan.page, 'person-stays');

  // The administrator adds a ward and moves Morgan there.
  await admin.page.goto('/');
  await admin.page.locator('[data-test=new-ward-name]').fill('Onnen Ward');
  await admin.page.locator('[data-test=new-ward-submit]').click();
  await waitFor(() => admin.page.locator('[data-test=ward-row] .member-name').allTextContents().then((t) => t.includes('Onnen Ward')), true);
  await admin.page.locator('[data-test=admin-q]').fill('Morgan Jones');
  await admin.page.locator('[data-test=admin-search-submit]').click();
  await admin.page.locator('[data-test=account-row][data-username=morgan] a').click();
  await admin.page.locator('[data-test=manage-person]').click();
  const transfer = admin.page.locator('[data-test=transfer-form]');
  await transfer.waitFor();
  await transfer.locator('[data-test=transfer-submit]').click();
  await waitFor(() => admin.page.locator('[data-test=transfer-ward-error]').textContent(), /choose a ward/);
  await choose(admin.page, '[data-test=transfer-ward]', 'Onnen Ward');
  await transfer.locator('[data-test=transfer-submit]').click();
  await waitFor(
    () => admin.page.locator('[data-test=stay-list] li').last().textContent(),
    /^Moved from Derwen Ward \(demo\) to Onnen Ward on /,
  );
  await waitFor(() => admin.page.locator('[data-test=team-member] .member-name').allTextContents().then((t) => t.includes('Bethan Rees')), false);
  await shot(admin.page, 'moved');

  // Morgan leaves Bethan's caseload; his page is no longer hers to open.
  await bethan.page.goto('/');
  await waitFor(() => bethan.page.locator('main').textContent().then((t) => !t.includes('Morgan Jones') && !/Loading/.test(t)), true);
  await shot(bethan.page, 'caseload-after-move');
  await admin.context.close();
  await bethan.context.close();
});

/// Go through the identity provider's own sign-in and consent pages as `login`.
async function throughTheProvider(page, login) {
  await page.locator('[data-test=sign-in-hospital]').click();
  await page.waitForURL((u) => u.origin === world.issuer);
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('anything');
  await page.locator('button[type=submit]').click();
  // The consent page (the first time this client asks), then back to Waymark.
  const consent = page.locator('button[type=submit]', { hasText: 'Continue' });
  await Promise.race([
    consent.waitFor().then(() => consent.click()),
    page.waitForURL((u) => u.origin !== world.issuer),
  ]);
  await page.waitForURL((u) => u.origin !== world.issuer);
}

test('staff sign in through the hospital identity provider once linked; an unlinked identity is refused clearly', async () => {
  // The administrator links Sara's account to her hospital identity.
  const admin = await newTablet(world.browser, world.server.url);
  await signIn(admin.page, 'admin');
  await admin.page.locator('[data-test=admin-q]').fill('sara');
  await admin.page.locator('[data-test=admin-search-submit]').click();
  await admin.page.locator('[data-test=account-row][data-username=sara] a').click();
  const identity = admin.page.locator('[data-test=identity-form]');
  await identity.locator('[data-test=identity]').fill('x'.repeat(201));
  await identity.locator('[data-test=identity-save]').click();
  await waitFor(() => admin.page.locator('[data-test=identity-error]').textContent(), /Up to 200 characters/);
  assert.equal(world.server.query("SELECT COUNT(*) FROM users WHERE identity IS NOT NULL"), '0');
  await identity.locator('[data-test=identity]').fill('s.lloyd');
  await identity.locator('[data-test=identity-save]').click();
  await admin.page.locator('[data-test=identity-saved]').waitFor();
  assert.equal(world.server.query("SELECT identity FROM users WHERE username = 'sara'"), 's.lloyd');
  await shot(admin.page, 'identity-linked');

  // Someone whose hospital identity is linked to no account: back at the sign-in page, told why.
  const stranger = await newTablet(world.browser, world.server.url);
  await stranger.page.goto('/sign-in');
  await throughTheProvider(stranger.page, 'not.linked.anywhere');
  await waitFor(() => stranger.page.locator('[data-test=sso-refusal]').textContent(), /not linked to a Waymark account/);
  assert.match(stranger.page.url(), /\/sign-in\?sso=not_linked$/);
  await shot(stranger.page, 'sso-not-linked');
  await stranger.context.close();

  // Sara signs in through the hospital: no Waymark password, straight to her caseload (after choosing her PIN).
  const sara = await newTablet(world.browser, world.server.url);
  await sara.page.goto('/sign-in');
  await waitFor(() => sara.page.locator('[data-test=sign-in-hospital]').textContent(), /hospital account/);
  await shot(sara.page, 'sign-in-with-hospital');
  await throughTheProvider(sara.page, 's.lloyd');
  // (Her tablet asks her to choose a PIN as her records open; waiting lets her type it.)
  await sara.page.locator('[data-test=signed-in-as]').waitFor();
  await waitFor(() => sara.page.locator('[data-test=signed-in-as]').textContent(), /Sara Lloyd/);
  await waitFor(() => caseload(sara.page).then((c) => c.some((t) => t.includes('Tomos Reed'))), true);
  await shot(sara.page, 'sso-signed-in');

  // Switched off, her hospital identity no longer signs her in.
  const saraId = world.server.query("SELECT id FROM users WHERE username = 'sara'");
  await admin.page.goto(`/admin/accounts/${saraId}`);
  await admin.page.locator('[data-test=deactivate]').click();
  await waitFor(() => admin.page.locator('[data-test=account-status]').getAttribute('data-active'), 'false');
  const again = await newTablet(world.browser, world.server.url);
  await again.page.goto('/sign-in');
  await throughTheProvider(again.page, 's.lloyd');
  await waitFor(() => again.page.locator('[data-test=sso-refusal]').textContent(), /switched off/);
  await admin.context.close();
  await sara.context.close();
  await again.context.close();
});

test('an ID token issued to another application, or already expired, is refused and says why', async () => {
  let tablet = await newTablet(world.browser, world.server.url);
  const sessions = () => world.server.query('SELECT COUNT(*) FROM sessions WHERE user_id IS NOT NULL');
  const before = sessions();
  // Owen's identity is linked, so only the token's checks stand between these and a sign-in.
  world.server.sql("UPDATE users SET identity = 'o.price' WHERE username = 'owen'");
  try {
    world.trick = 'audience';
    await tablet.page.goto('/sign-in');
    await throughTheProvider(tablet.page, 'o.price');
    await waitFor(() => tablet.page.locator('[data-test=sso-refusal]').textContent(), /answered for a different app/);
    assert.match(tablet.page.url(), /\/sign-in\?sso=wrong_audience$/);
    await shot(tablet.page, 'sso-wrong-audience');

    world.trick = 'expired';
    await tablet.context.close();
    tablet = await newTablet(world.browser, world.server.url);
    await tablet.page.goto('/sign-in');
    await throughTheProvider(tablet.page, 'o.price');
    await waitFor(() => tablet.page.locator('[data-test=sso-refusal]').textContent(), /had expired/);
    assert.match(tablet.page.url(), /\/sign-in\?sso=expired$/);
    await shot(tablet.page, 'sso-expired');
  } finally {
    world.trick = null;
  }
  // Neither signed anyone in.
  assert.equal(sessions(), before);
  await waitFor(() => tablet.page.locator('[data-test=signed-in-as]').count(), 0);
  await tablet.context.close();
});

test('a ward manager manages the care teams of the people on their own ward, in English and Welsh', async () => {
  const rhian = await newTablet(world.browser, world.server.url);
  await signIn(rhian.page, 'rhian');
  await rhian.page.locator('[data-test=manage-ward]').click();
  await rhian.page.locator('main h1', { hasText: 'Derwen Ward (demo)' }).waitFor();
  await waitFor(
    () => rhian.page.locator('[data-test=ward-person]', { hasText: 'Dylan Evans' }).textContent(),
    /Key worker: Owen Price/,
  );
  await rhian.page.locator('[data-test=ward-person] a', { hasText: 'Dylan Evans' }).click();
  await rhian.page.locator('main h1', { hasText: 'Dylan Evans' }).waitFor();

  // Nobody chosen: said beside the field. Then Bethan (a key worker on the ward) joins as care-team staff, and leaves again.
  await rhian.page.locator('[data-test=team-add]').click();
  await waitFor(() => rhian.page.locator('[data-test=team-who-error]').textContent(), /Choose someone/);
  await choose(rhian.page, '[data-test=team-who]', 'Bethan Rees');
  await choose(rhian.page, '[data-test=team-as]', 'Care team staff');
  await rhian.page.locator('[data-test=team-add]').click();
  const staff = () => rhian.page.locator('[data-test=team-member][data-relation=staff] .member-name').allTextContents();
  await waitFor(staff, ['Bethan Rees']);
  const dylan = world.server.query("SELECT id FROM users WHERE username = 'dylan'");
  const bethan = world.server.query("SELECT id FROM users WHERE username = 'bethan'");
  assert.equal(world.server.query(`SELECT relation FROM care_team WHERE person_id = '${dylan}' AND member_id = '${bethan}'`), 'staff');
  await rhian.page.locator('[data-test=team-member][data-relation=staff] [data-test=remove-member]').click();
  await waitFor(staff, []);
  assert.equal(world.server.query(`SELECT COUNT(*) FROM care_team WHERE person_id = '${dylan}' AND member_id = '${bethan}'`), '0');

  // A discharge dated in the future is refused beside the date, and nothing is recorded.
  const stays = world.server.query('SELECT COUNT(*) FROM stays');
  await rhian.page.locator('[data-test=discharge-date]').fill(`${new Date().getFullYear() + 1}-01-01`);
  await rhian.page.locator('[data-test=discharge-submit]').click();
  await waitFor(() => rhian.page.locator('[data-test=discharge-date-error]').textContent(), /cannot be in the future/);
  assert.equal(world.server.query('SELECT COUNT(*) FROM stays'), stays);
  await shot(rhian.page, 'ward-manager');
  await phoneLayout(rhian.page, 'care-team-and-stay');

  // In Welsh.
  await rhian.page.getByRole('button', { name: 'Cymraeg' }).click();
  await waitFor(() => rhian.page.locator('#team-title').textContent(), 'Tîm gofal');
  await waitFor(() => rhian.page.locator('#stays-title').textContent(), 'Derbyn, symud a rhyddhau');
  await checkAccessibility(rhian.page, 'the care-team page in Welsh');
  await shot(rhian.page, 'ward-manager-cy');
  await rhian.page.getByRole('button', { name: 'English' }).click();
  await rhian.context.close();
});
