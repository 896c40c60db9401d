// admin_platform.test.mjs — the agency console in a real browser, on the
// platform's own host in the operator's brand: a platform administrator
// signs in, searches, creates a tenant with an owner invitation, overrides
// its plan, suspends it (its public page answers as suspended) and restores
// it, deletes one with a typed confirmation; acts as a tenant read-only
// (the banner on every page of the business's app, changes refused, no
// write permission for buttons to show), then escalated (a change goes
// through), and ends the support session. A tenant user on the platform
// host sees no console; the console never shows on a tenant's host. axe on
// each page and dialog, 360 px, screenshots.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { createUser } from '../integration/auth_lib.mjs';
import { adminSql, createTenant, killAll, launch, lit, request, setBranding, startServer, waitFor } from './lib.mjs';
import { assertAccessible, origin, PASSWORD, shot, signedIn } from './admin_lib.mjs';

after(killAll);

const BRAND = 'northwind';
const PLATFORM_HOST = 'localhost'; // PLATFORM_DOMAIN of the test server

describe('agency console', () => {
  let srv;
  let browser;
  let a;
  let admin;
  let ctx;
  let page;
  let problems;
  const consoleUrl = (p = '') => `${origin(srv, PLATFORM_HOST)}/platform/${p}`;

  before(async () => {
    a = createTenant({ name: 'Lumen Hair' });
    setBranding(a, { primary: '#0f766e', accent: '#134e4a', name: 'Lumen Hair Studio' });
    createTenant({ name: 'Harbor Dental', plan: 'enterprise' });
    createUser({ tenant: a, role: 'OWNER' });
    admin = createUser({ platformAdmin: true, name: 'Olive Operator' });
    srv = await startServer({ ENABLE_TEST_ROUTES: 'true', REDIS_URL: '', PLATFORM_NAME: 'Northwind Agency' });
    browser = await launch();
    ctx = await browser.newContext({ locale: 'en-GB' });
    page = await ctx.newPage();
    problems = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) problems.push(m.text());
    });
  });
  after(async () => { await browser?.close(); await srv?.kill(); });

  const heading = (name) => page.getByRole('heading', { level: 1, name }).waitFor();
  const publicStatus = (host) => request({ port: srv.port, path: '/v1/public/tenant', host }).then((r) => r.status);

  test('the console is not on a tenant host; a tenant user on the platform host sees no console', async () => {
    for (const p of ['/platform/', '/platform/tenants'])
      assert.equal((await request({ port: srv.port, path: p, host: a.host })).status, 404, p);
    const res = await request({ port: srv.port, path: '/platform/', host: PLATFORM_HOST });
    assert.equal(res.status, 200);
    assert.match(res.text, /<title>Northwind Agency<\/title>/);
    assert.doesNotMatch(res.text, /receptionist/i);

    const s = await signedIn(browser, srv, a, { role: 'OWNER', host: PLATFORM_HOST });
    await s.page.goto(consoleUrl());
    await s.page.getByRole('heading', { level: 1, name: /No access/ }).waitFor();
    assert.equal(await s.page.getByRole('navigation', { name: 'Main' }).count(), 0);
    assert.equal(await s.page.getByRole('link', { name: 'Tenants' }).count(), 0);
    await assertAccessible(s.page, 'console, not a platform admin');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('sign in at /platform/, search, and the overview', async () => {
    await page.goto(consoleUrl());
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.match(await page.locator('.auth-card .brand').textContent(), /Northwind Agency/);
    await assertAccessible(page, 'console sign-in');
    await shot(page, BRAND, 'console-sign-in');
    await page.getByLabel('E-mail').fill(admin.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Tenants');
    assert.match(page.url(), /\/platform\/tenants$/);
    assert.equal(await page.title(), 'Tenants · Northwind Agency');
    await page.locator('table.platform-tenants tbody tr').first().waitFor();
    await assertAccessible(page, 'tenants');
    await shot(page, BRAND, 'console-tenants');

    // Other suites share the database and their own "Lumen Hair": search by address.
    await page.getByLabel('Search by name or address').fill(a.slug);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.platform-tenants tbody tr').length === 1);
    assert.match(await page.locator('table.platform-tenants tbody').textContent(), /Lumen Hair.*Free.*Active/);
    await page.getByLabel('Search by name or address').fill('no-such-business-anywhere');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No tenant matches this search.').waitFor();

    await page.getByRole('link', { name: 'Overview' }).click();
    await heading('Overview');
    const byPlan = page.getByRole('list', { name: 'Tenants by plan (not deleted)' });
    const enterprise = Number(adminSql(`SELECT count(*) FROM tenants WHERE plan = 'enterprise' AND status <> 'deleted'`));
    assert.match(await byPlan.getByRole('listitem').filter({ hasText: 'Enterprise' }).textContent(), new RegExp(`Enterprise${enterprise}$`));
    await page.getByText(/tenants in all/).waitFor();
    await assertAccessible(page, 'overview');
    await shot(page, BRAND, 'console-overview');
    assert.deepEqual(problems, []);
  });

  test('create with an owner invitation, override the plan, suspend and restore, delete', async () => {
    await page.goto(consoleUrl('tenants'));
    await heading('Tenants');
    await page.getByRole('button', { name: 'New tenant' }).click();
    const dlg = page.getByRole('dialog', { name: 'New tenant' });
    await dlg.getByLabel('Business name').fill('Copper Kettle Café');
    assert.equal(await dlg.getByLabel('Address (subdomain)').inputValue(), 'copper-kettle-cafe');
    const slug = `copper-${Date.now().toString(36)}`;
    await dlg.getByLabel('Address (subdomain)').fill(slug);
    await dlg.getByLabel('Time zone').fill('Mars/Olympus');
    await dlg.getByLabel('Plan').selectOption('basic');
    await dlg.getByLabel("Owner's e-mail").fill(`owner@${slug}.example`);
    await assertAccessible(page, 'new tenant dialog');
    await shot(page, BRAND, 'console-new-tenant');
    await dlg.getByRole('button', { name: 'Create tenant' }).click();
    // The server's field error, on the field.
    await dlg.getByText('must be an IANA time zone').waitFor();
    assert.equal(await dlg.getByLabel('Time zone').getAttribute('aria-invalid'), 'true');
    await dlg.getByLabel('Time zone').fill('Europe/Paris');
    await dlg.getByRole('button', { name: 'Create tenant' }).click();
    await heading('Copper Kettle Café');
    const id = adminSql(`SELECT id FROM tenants WHERE slug = ${lit(slug)}`);
    assert.equal(adminSql(`SELECT role || ' ' || email FROM invitations WHERE tenant_id = ${lit(id)}`),
      `OWNER owner@${slug}.example`);
    assert.match(await page.locator('main').textContent(), new RegExp(`owner@${slug}\\.example — owner`));
    assert.match(await page.locator('main').textContent(), /Invitation sent/);
    await assertAccessible(page, 'tenant page');
    await shot(page, BRAND, 'console-tenant');

    await page.getByLabel('Plan override').selectOption('pro');
    await page.getByRole('button', { name: 'Change plan' }).click();
    await waitFor(() => adminSql(`SELECT plan FROM tenants WHERE id = ${lit(id)}`) === 'pro', { what: 'plan pro' });

    const host = `${slug}.localhost`;
    assert.equal(await publicStatus(host), 200);
    await page.getByRole('button', { name: 'Suspend…' }).click();
    const sd = page.getByRole('dialog', { name: /^Suspend/ });
    const go = sd.getByRole('button', { name: 'Suspend tenant' });
    assert.ok(await go.isDisabled(), 'a reason is required');
    await sd.getByLabel('Reason').fill('Unpaid invoice 42');
    await assertAccessible(page, 'suspend dialog');
    await go.click();
    await page.locator('main .badge', { hasText: 'Suspended' }).first().waitFor();
    await waitFor(async () => (await publicStatus(host)) === 403, { what: 'public page suspended' });
    assert.equal(adminSql(`SELECT changes->>'reason' FROM audit_log WHERE tenant_id = ${lit(id)} AND action = 'tenant.suspended'`),
      'Unpaid invoice 42');
    await page.getByRole('button', { name: 'Restore…' }).click();
    const rd = page.getByRole('dialog', { name: /^Restore/ });
    await rd.getByLabel('Reason').fill('Paid');
    await rd.getByRole('button', { name: 'Restore tenant' }).click();
    await page.locator('main .badge', { hasText: 'Active' }).first().waitFor();
    await waitFor(async () => (await publicStatus(host)) === 200, { what: 'public page back' });

    // Delete: soft, said so, and only with the address typed.
    await page.getByRole('button', { name: 'Delete…' }).click();
    const dd = page.getByRole('dialog', { name: /^Delete/ });
    assert.match(await dd.textContent(), /soft delete.*data .* is kept.*can be restored/);
    await dd.getByLabel('Reason').fill('Closed the business');
    const del = dd.getByRole('button', { name: 'Delete tenant' });
    await dd.getByLabel(`Type ${slug} to confirm`).fill('wrong');
    assert.ok(await del.isDisabled());
    await assertAccessible(page, 'delete dialog');
    await dd.getByLabel(`Type ${slug} to confirm`).fill(slug);
    await del.click();
    await page.locator('main .badge', { hasText: 'Deleted' }).first().waitFor();
    assert.equal(adminSql(`SELECT status FROM tenants WHERE id = ${lit(id)}`), 'deleted');
    await waitFor(async () => (await publicStatus(host)) === 404, { what: 'public page gone' });
    assert.deepEqual(problems, []);
  });

  async function startSupport({ write }) {
    await page.goto(consoleUrl(`tenants/${a.id}`));
    await heading('Lumen Hair');
    await page.getByRole('button', { name: 'Act as this business' }).click();
    const dlg = page.getByRole('dialog', { name: /^Act as/ });
    await dlg.getByLabel('Reason').fill(write ? 'Ticket 7: fix settings' : 'Ticket 7: look around');
    if (write) await dlg.getByLabel(/Allow changes/).check();
    await assertAccessible(page, 'act-as dialog');
    await dlg.getByRole('button', { name: 'Start support session' }).click();
    await page.getByRole('region', { name: 'Support session' }).waitFor({ timeout: 15000 });
    assert.equal(new URL(page.url()).host, `${a.host}:${srv.port}`);
    assert.doesNotMatch(page.url(), /token/, 'the hand-off token leaves the address bar');
  }

  const tenantCall = (method, path, body) => page.evaluate(async ([m, p, b]) => {
    const me = await (await fetch('/v1/auth/me')).json();
    const r = await fetch(p, { method: m, headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf_token },
      body: b ? JSON.stringify(b) : undefined });
    return r.status;
  }, [method, path, body]);

  test('act as the tenant read-only: the banner everywhere, changes refused, no write buttons; then end it', async () => {
    await startSupport({ write: false });
    const banner = page.getByRole('region', { name: 'Support session' });
    assert.match(await banner.textContent(), /acting as this business, read-only/);
    await shot(page, BRAND, 'act-as-landing');
    for (const [path, title] of [['usage', 'Usage and plan'], ['audit', 'Audit log'], ['today', /today/i], ['team', /team/i]]) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: title }).click();
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      assert.equal(await banner.count(), 1, `banner on ${path}`);
      assert.match(page.url(), new RegExp(`/admin/${path}$`));
    }
    const perms = await page.evaluate(() => fetch('/v1/admin/permissions').then((r) => r.json()));
    assert.equal(perms.act_as, true);
    assert.deepEqual(Object.entries(perms.permissions).filter(([, v]) => v.includes('write')), [],
      'nothing writable: pages show no change buttons');
    assert.equal(await tenantCall('PATCH', '/v1/admin/security', { mfa_required: true }), 403);
    // The support session's own requests are in the business's audit log, marked.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await page.locator('tr.on-behalf').first().waitFor();
    assert.match(await page.locator('tr.on-behalf').first().textContent(), /on behalf of the business/);
    await assertAccessible(page, 'audit log in a support session');
    await shot(page, BRAND, 'act-as-audit');

    await banner.getByRole('button', { name: 'End support session' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await page.evaluate(() => fetch('/v1/auth/me').then((r) => r.status)), 401);
    assert.equal(adminSql(`SELECT count(*) FROM auth_sessions WHERE act_as_tenant_id = ${lit(a.id)}
      AND user_id = ${lit(admin.id)} AND revoked_at IS NULL`), '0', 'the support session is over');
    // The console's own session is untouched.
    await page.goto(consoleUrl(`tenants/${a.id}`));
    await heading('Lumen Hair');
    assert.match(await page.locator('main').textContent(), /Support session entered/);
    assert.deepEqual(problems, []);
  });

  test('escalated act-as can change things; a hand-off link works once', async () => {
    await startSupport({ write: true });
    assert.match(await page.getByRole('region', { name: 'Support session' }).textContent(), /with permission to change things/);
    const perms = await page.evaluate(() => fetch('/v1/admin/permissions').then((r) => r.json()));
    assert.equal(perms.act_as_write, true);
    assert.ok(perms.permissions.security.includes('write'));
    assert.equal(await tenantCall('PATCH', '/v1/admin/security', { mfa_required: false }), 200);
    await page.getByRole('button', { name: 'End support session' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    // A spent or made-up link says so, in words.
    await page.goto(`${origin(srv, a.host)}/admin/act-as#token=${'x'.repeat(43)}`);
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').textContent(), /used or expired/);
    await assertAccessible(page, 'act-as link refused');
    assert.deepEqual(problems, []);
  });

  test('360 px: the console fits', async () => {
    const s = await browser.newContext({ locale: 'en-GB', viewport: { width: 360, height: 740 } });
    await s.addCookies(await ctx.cookies(origin(srv, PLATFORM_HOST)));
    const p = await s.newPage();
    for (const [path, name] of [['tenants', 'Tenants'], [`tenants/${a.id}`, 'Lumen Hair'], ['overview', 'Overview']]) {
      await p.goto(consoleUrl(path));
      await p.getByRole('heading', { level: 1, name }).waitFor();
      assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), `${path} fits 360 px`);
    }
    await assertAccessible(p, 'tenant page at 360 px');
    await shot(p, BRAND, 'console-360');
    await s.close();
  });

  test('a second operator\'s brand: its name on the sign-in page and the console', async () => {
    const other = await startServer({ ENABLE_TEST_ROUTES: 'true', REDIS_URL: '', PLATFORM_NAME: 'Beacon Partners' });
    const c = await browser.newContext();
    try {
      const p = await c.newPage();
      await p.goto(`${origin(other, PLATFORM_HOST)}/platform/`);
      await p.getByRole('heading', { name: 'Sign in' }).waitFor();
      assert.match(await p.locator('.auth-card .brand').textContent(), /Beacon Partners/);
      await shot(p, 'beacon', 'console-sign-in');
      await p.getByLabel('E-mail').fill(admin.email);
      await p.getByLabel('Password').fill(PASSWORD);
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p.getByRole('heading', { level: 1, name: 'Tenants' }).waitFor();
      assert.equal(await p.title(), 'Tenants · Beacon Partners');
      assert.doesNotMatch(await p.content(), /Northwind/);
      await shot(p, 'beacon', 'console-tenants');
      await p.getByRole('link', { name: 'Overview' }).click();
      await p.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
      await shot(p, 'beacon', 'console-overview');
    } finally {
      await c.close();
      await other.kill();
    }
  });
});
