// admin_shell.test.mjs — the admin app's frame in a real browser: the
// shell on a tenant's host in its brand, signing in (password, then the
// authenticator code), wrong passwords shown on the field, the navigation
// each role's permissions give, pages a role may not open, not-found,
// sign out and sign out everywhere, 360 px, keyboard, and axe on each.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { createUser, enrolTotp, session, totp } from '../integration/auth_lib.mjs';
import { adminSql, killAll, lit, request } from './lib.mjs';
import { assertAccessible, open, origin, PASSWORD, serverAndBrowser, shot, signedIn, twoBrands } from './admin_lib.mjs';

after(killAll);

describe('admin app shell', () => {
  let srv;
  let browser;
  let a;
  let b;

  before(async () => {
    ({ a, b } = twoBrands({ planB: 'enterprise' }));
    ({ srv, browser } = await serverAndBrowser());
  });
  after(async () => { await browser?.close(); await srv?.kill(); });

  test('GET /admin/ on a tenant host answers the shell in its brand; never the product name', async () => {
    for (const p of ['/admin', '/admin/', '/admin/today', '/admin/bookings/123']) {
      const res = await request({ port: srv.port, path: p, host: a.host });
      assert.equal(res.status, 200, p);
      assert.match(res.headers['content-type'], /text\/html/);
      assert.match(res.text, /<title>Lumen Hair Studio<\/title>/);
      assert.match(res.text, /id="rcp-admin"/);
      assert.match(res.headers['content-security-policy'], /script-src 'self'/);
      assert.doesNotMatch(res.text, /receptionist/i);
    }
    // Without a session cookie the shell says nobody is signed in (the app
    // paints the sign-in form without asking /v1/auth/me); with one, even a
    // stale one, the app asks.
    const shellOf = (res) => JSON.parse(/<script type="application\/json" id="rcp-admin">(.*?)<\/script>/.exec(res.text)[1]);
    assert.equal(shellOf(await request({ port: srv.port, path: '/admin/sign-in', host: a.host })).signed_out, true);
    const stale = await request({ port: srv.port, path: '/admin/today', host: a.host,
      headers: { cookie: 'theme=dark; rcp_session=not-a-live-session' } });
    assert.equal(shellOf(stale).signed_out, false);
    assert.equal(stale.headers['cache-control'], 'no-cache');
    assert.equal(stale.headers.etag, undefined);
    const m = await request({ port: srv.port, path: '/admin/manifest.webmanifest', host: a.host });
    assert.equal(m.status, 200);
    assert.equal(m.json.name, 'Lumen Hair Studio');
    assert.equal(m.json.start_url, '/admin/');
  });

  test('the second brand: sign-in, forgot password and Get started in its colours', async () => {
    const ctx = await browser.newContext({ locale: 'en-GB' });
    const page = await ctx.newPage();
    await page.goto(`${origin(srv, b.host)}/admin/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.match(await page.title(), /Harbor Dental/);
    await shot(page, 'harbor', 'sign-in');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
    await assertAccessible(page, 'forgot password');
    await shot(page, 'harbor', 'forgot-password');
    await ctx.close();
    const s = await signedIn(browser, srv, b, { role: 'OWNER' });
    await open(s.page, s.url('setup'), 'Get started');
    await s.page.getByText(/of 6 steps done/).waitFor();
    await shot(s.page, 'harbor', 'setup');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('sign in with password then authenticator code; wrong password shown; sign out', async () => {
    const u = createUser({ tenant: a, role: 'OWNER' });
    const { secret } = await enrolTotp(await session(srv, u.email, { host: a.host }));
    const ctx = await browser.newContext({ locale: 'en-GB' });
    const page = await ctx.newPage();
    await page.goto(`${origin(srv, a.host)}/admin/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.match(page.url(), /\/admin\/sign-in\?next=/);
    await assertAccessible(page, 'sign-in');
    await shot(page, 'lumen', 'sign-in');
    await page.getByLabel('E-mail').fill(u.email);
    await page.getByLabel('Password').fill('not-the-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').textContent(), /password is wrong/i);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const code = page.getByLabel('Code from your authenticator app');
    await code.waitFor();
    await code.fill(totp(secret));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Today' }).waitFor();
    assert.match(page.url(), /\/admin\/today$/);
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const me = await page.evaluate(() => fetch('/v1/auth/me').then((r) => r.status));
    assert.equal(me, 401, 'the session is gone');
    await ctx.close();
  });

  test('a recovery code signs in instead of the authenticator', async () => {
    const u = createUser({ tenant: a, role: 'ADMIN' });
    const { recovery } = await enrolTotp(await session(srv, u.email, { host: a.host }));
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${origin(srv, a.host)}/admin/sign-in`);
    await page.getByLabel('E-mail').fill(u.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(recovery[0]);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Today' }).waitFor();
    await ctx.close();
  });

  test('the navigation follows the permission matrix, per role', async () => {
    const expect = {
      OWNER: ['Today', 'Calendar', 'Inbox', 'Bookings', 'Customers', 'Waitlist', 'Get started', 'Catalogue',
        'Business', 'Receptionist', 'Brand and channels', 'Messages', 'Team', 'Usage and plan', 'Audit log'],
      VIEWER: ['Today', 'Calendar', 'Inbox', 'Bookings', 'Customers', 'Waitlist', 'Get started', 'Catalogue',
        'Business', 'Receptionist', 'Brand and channels', 'Messages', 'Team', 'Audit log'],
      STAFF: ['Today', 'Calendar', 'Bookings', 'Get started', 'Catalogue', 'Business'],
      ACCOUNTANT: ['Usage and plan'],
    };
    for (const [role, items] of Object.entries(expect)) {
      const s = await signedIn(browser, srv, a, { role });
      await s.page.goto(s.url());
      const nav = s.page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link').first().waitFor();
      const links = (await nav.getByRole('link').allTextContents()).map((t) => t.replace(/\d+$/, '').trim());
      assert.deepEqual(links, items, role);
      assert.deepEqual(s.problems, []);
      await s.ctx.close();
    }
  });

  test('a page the role may not open says so; an unknown page says not found', async () => {
    const s = await signedIn(browser, srv, a, { role: 'STAFF' });
    await s.page.goto(s.url('team'));
    await s.page.getByRole('heading', { name: 'Not available to you' }).waitFor();
    await s.page.goto(s.url('no-such-page'));
    await s.page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await s.ctx.close();
  });

  test('a session for one tenant does not open another tenant\'s app', async () => {
    const s = await signedIn(browser, srv, a, { role: 'OWNER' });
    const cookie = (await s.ctx.cookies()).find((c) => c.name === 'rcp_session');
    await s.ctx.addCookies([{ ...cookie, domain: b.host }]);
    await s.page.goto(`${origin(srv, b.host)}/admin/`);
    await s.page.getByRole('heading', { name: 'No access to this business' }).waitFor();
    const leaked = await s.page.evaluate(() => fetch('/v1/admin/bookings').then((r) => r.status));
    assert.equal(leaked, 403, 'the API refuses it too');
    await s.ctx.close();
  });

  test('sign out everywhere ends every session of the person', async () => {
    const u = createUser({ tenant: a, role: 'OWNER' });
    const one = await signedIn(browser, srv, a, { user: u });
    const two = await signedIn(browser, srv, a, { user: u });
    await two.page.goto(two.url('account'));
    await one.page.goto(one.url('account'));
    await one.page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await one.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const status = await two.page.evaluate(() => fetch('/v1/auth/me').then((r) => r.status));
    assert.equal(status, 401);
    assert.equal(adminSql(`SELECT count(*) FROM auth_sessions WHERE user_id = ${lit(u.id)} AND revoked_at IS NULL`), '0');
    await one.ctx.close();
    await two.ctx.close();
  });

  test('at 360 px the app fits and works with the keyboard alone', async () => {
    const s = await signedIn(browser, srv, b, { role: 'OWNER', width: 360, height: 740 });
    await s.page.goto(s.url('today'));
    await s.page.getByRole('heading', { level: 1, name: 'Today' }).waitFor();
    const overflow = await s.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scroll (${overflow} px)`);
    await s.page.keyboard.press('Tab');
    assert.equal(await s.page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await s.page.keyboard.press('Enter');
    await assertAccessible(s.page, 'today at 360 px');
    await shot(s.page, 'harbor', 'today-360');
    await s.ctx.close();
  });
});
