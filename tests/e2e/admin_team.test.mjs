// admin_team.test.mjs — Team and My account in a real browser: the OWNER
// invites (the mail is queued), changes a role, removes a member, creates
// an API key (shown once, gone after a reload) and revokes it, makes 2FA
// mandatory; a user enrols 2FA from the secret the page shows and sees
// the recovery codes; a member of a business with mandatory 2FA is sent
// to the account page until they enrol; push notifications for this
// browser; a VIEWER sees no change buttons; axe, 360 px, two brands.
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { createUser, tenantMail, totp, uniqueEmail } from '../integration/auth_lib.mjs';
import { adminSql, cli, createTenant, killAll, lit, request, startServer } from './lib.mjs';
import { assertAccessible, open, origin, PASSWORD, serverAndBrowser, shot, signedIn, twoBrands } from './admin_lib.mjs';

after(killAll);

function vapidPair() {
  const out = cli('vapid-keys');
  return { pub: /VAPID_PUBLIC_KEY=(\S+)/.exec(out)[1], priv: /VAPID_PRIVATE_KEY=(\S+)/.exec(out)[1] };
}

describe('admin: Team and My account', () => {
  let srv;
  let browser;
  let a;
  let b;

  before(async () => {
    ({ a, b } = twoBrands({ planB: 'enterprise' }));
    const v = vapidPair();
    ({ srv, browser } = await serverAndBrowser({ VAPID_PUBLIC_KEY: v.pub,
      VAPID_PRIVATE_KEY: v.priv, VAPID_SUBJECT: 'mailto:ops@example.com' }));
  });
  after(async () => { await browser?.close(); await srv?.kill(); });

  test('invite (the mail is queued), revoke; change a role; remove a member', async () => {
    const s = await signedIn(browser, srv, a, { role: 'OWNER' });
    const staff = createUser({ tenant: a, role: 'STAFF', name: 'Robin Staff' });
    await open(s.page, s.url('team'), 'Team');
    await s.page.getByRole('heading', { name: 'Members' }).waitFor();
    await s.page.getByText('Robin Staff').waitFor();
    await assertAccessible(s.page, 'team');
    await shot(s.page, 'lumen', 'team');

    const email = uniqueEmail('invitee');
    await s.page.getByLabel('E-mail').fill(email);
    await s.page.getByLabel('Role', { exact: true }).selectOption('ADMIN');
    await s.page.getByRole('button', { name: 'Invite' }).click();
    await s.page.getByRole('button', { name: `Revoke the invitation to ${email}` }).waitFor();
    const mail = tenantMail(a, email);
    assert.ok(mail, 'the invitation mail is in the outbox');
    assert.match(JSON.stringify(mail), /accept-invitation|token/);
    assert.equal(adminSql(`SELECT role FROM invitations WHERE tenant_id = ${lit(a.id)} AND email = ${lit(email)}`), 'ADMIN');
    await s.page.getByRole('button', { name: `Revoke the invitation to ${email}` }).click();
    await s.page.getByText(`The invitation to ${email} was revoked.`).waitFor();
    assert.equal(adminSql(`SELECT deleted_at IS NOT NULL FROM invitations WHERE tenant_id = ${lit(a.id)} AND email = ${lit(email)}`), 't');
    // A bad address: the field says why.
    await s.page.getByLabel('E-mail').fill('not-an-address');
    await s.page.locator('form.row').first().evaluate((f) => { f.noValidate = true; });
    await s.page.getByRole('button', { name: 'Invite' }).click();
    await s.page.locator('.field.invalid .field-error').first().waitFor();

    await s.page.getByLabel(`Role of ${staff.email}`).selectOption('VIEWER');
    await s.page.getByText(`${staff.email} is now Viewer.`).waitFor();
    assert.equal(adminSql(`SELECT role FROM tenant_memberships WHERE tenant_id = ${lit(a.id)} AND user_id = ${lit(staff.id)}`), 'VIEWER');
    s.page.once('dialog', (d) => d.accept());
    await s.page.getByRole('button', { name: `Remove ${staff.email}` }).click();
    await s.page.getByText(`${staff.email} was removed.`).waitFor();
    await s.page.getByText('Robin Staff').waitFor({ state: 'detached' });
    assert.equal(adminSql(`SELECT count(*) FROM tenant_memberships WHERE tenant_id = ${lit(a.id)}
      AND user_id = ${lit(staff.id)} AND deleted_at IS NULL`), '0');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('an ADMIN cannot make someone OWNER: the server\'s refusal is shown', async () => {
    const s = await signedIn(browser, srv, a, { role: 'ADMIN' });
    const other = createUser({ tenant: a, role: 'STAFF', name: 'Sky Staff' });
    await open(s.page, s.url('team'), 'Team');
    await s.page.getByLabel(`Role of ${other.email}`).selectOption('OWNER');
    await s.page.locator('.form-error[role=alert], .field-error').first().waitFor();
    assert.equal(adminSql(`SELECT role FROM tenant_memberships WHERE tenant_id = ${lit(a.id)} AND user_id = ${lit(other.id)}`), 'STAFF');
    await s.ctx.close();
  });

  test('an API key is shown once, then never; revoke', async () => {
    const s = await signedIn(browser, srv, b, { role: 'OWNER' });
    await open(s.page, s.url('team'), 'Team');
    await s.page.getByRole('button', { name: 'Create API key' }).click();
    const dlg = s.page.getByRole('dialog', { name: 'Create an API key' });
    await dlg.waitFor();
    await assertAccessible(s.page, 'create API key dialog');
    await dlg.getByLabel('Name', { exact: true }).fill('Booking sync');
    await dlg.getByLabel('bookings').check();
    await dlg.getByRole('button', { name: 'Create key' }).click();
    const shown = s.page.getByRole('dialog', { name: 'Your new API key' });
    await shown.waitFor();
    const key = (await shown.locator('code.api-key').textContent()).trim();
    assert.match(key, /^rk_live_[A-Za-z0-9]+_[A-Za-z0-9_-]+$/);
    await assertAccessible(s.page, 'API key shown once');
    await shot(s.page, 'harbor', 'team-api-key');
    // The key works.
    const me = await request({ port: srv.port, path: '/v1/admin/bookings?limit=1', host: b.host, headers: { authorization: `Bearer ${key}` } });
    assert.equal(me.status, 200);
    await shown.getByRole('button', { name: 'Done' }).click();
    await s.page.getByRole('cell', { name: 'Booking sync', exact: true }).waitFor();
    await s.page.reload();
    await s.page.getByRole('cell', { name: 'Booking sync', exact: true }).waitFor();
    assert.ok(!(await s.page.content()).includes(key), 'the secret is never shown again');
    s.page.once('dialog', (d) => d.accept());
    await s.page.getByRole('button', { name: 'Revoke the key Booking sync' }).click();
    await s.page.getByText('The key Booking sync was revoked.').waitFor();
    await s.page.locator('td .badge', { hasText: 'revoked' }).waitFor();
    assert.equal(adminSql(`SELECT revoked_at IS NOT NULL FROM api_keys WHERE tenant_id = ${lit(b.id)} AND name = 'Booking sync'`), 't');
    const gone = await request({ port: srv.port, path: '/v1/admin/bookings?limit=1', host: b.host, headers: { authorization: `Bearer ${key}` } });
    assert.equal(gone.status, 401);
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('enrol 2FA from the page: QR code, secret, code, recovery codes; turn it off', async () => {
    const s = await signedIn(browser, srv, a, { role: 'ADMIN' });
    await open(s.page, s.url('account'), 'My account');
    await assertAccessible(s.page, 'account');
    await shot(s.page, 'lumen', 'account');
    await s.page.getByRole('button', { name: 'Set up two-step sign-in' }).click();
    await s.page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    const secret = await s.page.locator('code.secret').getAttribute('data-secret');
    assert.match(secret, /^[A-Z2-7]{16,}$/);
    assert.equal((await s.page.locator('code.secret').textContent()).replace(/ /g, ''), secret);
    await assertAccessible(s.page, 'enrolment');
    await shot(s.page, 'lumen', 'account-enrol');
    await s.page.getByLabel('Code from your authenticator app').fill('000000');
    await s.page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await s.page.locator('.field-error, .form-error').first().waitFor();
    await s.page.getByLabel('Code from your authenticator app').fill(totp(secret));
    await s.page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    const codes = s.page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await codes.first().waitFor();
    assert.equal(await codes.count(), 10);
    assert.equal(adminSql(`SELECT count(*) FROM user_totp WHERE user_id = ${lit(s.user.id)} AND confirmed_at IS NOT NULL`), '1');
    await assertAccessible(s.page, 'recovery codes');
    await s.page.getByRole('button', { name: 'I have saved them' }).click();
    // Off again, with the password and a code.
    await s.page.getByRole('button', { name: 'Turn off two-step sign-in' }).click();
    const dlg = s.page.getByRole('dialog', { name: 'Turn off two-step sign-in' });
    await assertAccessible(s.page, 'turn off dialog');
    await dlg.getByLabel('Password').fill(PASSWORD);
    await dlg.getByLabel('Code or recovery code').fill(totp(secret, 1));
    await dlg.getByRole('button', { name: 'Turn off' }).click();
    await s.page.getByText('Two-step sign-in is off.').waitFor();
    assert.equal(adminSql(`SELECT count(*) FROM user_totp WHERE user_id = ${lit(s.user.id)} AND confirmed_at IS NOT NULL`), '0');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('OWNER makes 2FA mandatory; a member without it is sent to their account page', async () => {
    const c = createTenant({ name: 'Strict Spa', plan: 'pro' });
    const owner = await signedIn(browser, srv, c, { role: 'OWNER' });
    const member = createUser({ tenant: c, role: 'ADMIN' });
    await open(owner.page, owner.url('team'), 'Team');
    const box = owner.page.getByLabel('Require two-step sign-in for every member');
    assert.equal(await box.isChecked(), false);
    await box.check();
    await owner.page.getByText('Two-step sign-in is now required for everyone.').waitFor();
    assert.equal(adminSql(`SELECT mfa_required FROM tenant_security_settings WHERE tenant_id = ${lit(c.id)}`), 't');
    await owner.ctx.close();

    const s = await signedIn(browser, srv, c, { user: member });
    await s.page.goto(s.url('today'));
    await s.page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
    assert.match(s.page.url(), /\/admin\/account$/);
    assert.match(await s.page.locator('.warn[role=alert]').textContent(), /requires two-step sign-in/);
    await assertAccessible(s.page, 'account with 2FA required');
    // Enrol; then the rest of the app opens.
    await s.page.getByRole('button', { name: 'Set up two-step sign-in' }).click();
    const secret = await s.page.locator('code.secret').getAttribute('data-secret');
    await s.page.getByLabel('Code from your authenticator app').fill(totp(secret));
    await s.page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await s.page.getByRole('list', { name: 'Recovery codes' }).waitFor();
    await s.page.locator('.warn[role=alert]').waitFor({ state: 'detached' });
    await s.page.getByRole('link', { name: 'Today' }).click();
    await s.page.getByRole('heading', { level: 1, name: 'Today' }).waitFor();
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('a VIEWER sees the team and no change buttons', async () => {
    const s = await signedIn(browser, srv, b, { role: 'VIEWER' });
    await open(s.page, s.url('team'), 'Team');
    await s.page.getByRole('heading', { name: 'Members' }).waitFor();
    await s.page.locator('.team-table tbody tr').first().waitFor();
    for (const name of ['Invite', 'Create API key']) {
      assert.equal(await s.page.getByRole('button', { name }).count(), 0, name);
    }
    assert.equal(await s.page.getByRole('button', { name: /^(Remove|Revoke)/ }).count(), 0);
    assert.equal(await s.page.getByRole('combobox').count(), 0, 'no role pickers');
    assert.equal(await s.page.getByRole('checkbox').count(), 0, 'no security switch');
    await assertAccessible(s.page, 'team as viewer');
    await shot(s.page, 'harbor', 'team-viewer');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('at 360 px Team and My account fit', async () => {
    const s = await signedIn(browser, srv, b, { role: 'OWNER', width: 360, height: 740 });
    for (const [p, h] of [['team', 'Team'], ['account', 'My account']]) {
      await open(s.page, s.url(p), h);
      await s.page.locator('.card').last().waitFor();
      const w = await s.page.evaluate(() => document.documentElement.scrollWidth);
      const wide = await s.page.evaluate(() => [...document.querySelectorAll('main *')]
        .filter((e) => e.getBoundingClientRect().right > 361).slice(0, 5)
        .map((e) => `${e.tagName}.${e.className}`).join(', '));
      assert.ok(w <= 360, `${p} is ${w} px wide: ${wide}`);
      await assertAccessible(s.page, `${p} at 360 px`);
      await shot(s.page, 'harbor', `${p}-360`);
    }
    await shot(s.page, 'harbor', 'account');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('push: this browser turns notifications on (a subscription row) and off', async () => {
    const s = await signedIn(browser, srv, a, { role: 'OWNER' });
    await s.ctx.grantPermissions(['notifications'], { origin: origin(srv, a.host) });
    await open(s.page, s.url('account'), 'My account');
    const state = s.page.locator('.push-state');
    await s.page.waitForFunction(() => document.querySelector('.push-state')?.getAttribute('data-state') !== 'checking');
    assert.equal(await state.getAttribute('data-state'), 'off');
    await s.page.getByRole('button', { name: 'Turn on notifications' }).click();
    await s.page.waitForFunction(() => document.querySelector('.push-state')?.getAttribute('data-state') === 'on'
      || document.querySelector('.account [role=alert].form-error'));
    const onState = await state.getAttribute('data-state');
    if (onState === 'on') {
      assert.equal(adminSql(`SELECT count(*) FROM push_subscriptions WHERE user_id = ${lit(s.user.id)}`), '1');
      await s.page.getByRole('button', { name: 'Turn off notifications' }).click();
      await s.page.getByText('Notifications are off for this browser.').waitFor();
      assert.equal(adminSql(`SELECT count(*) FROM push_subscriptions WHERE user_id = ${lit(s.user.id)}`), '0');
    } else {
      // Headless Chromium has no push service: subscribe() fails after the
      // key, the permission and the worker all succeeded. The page says so.
      const msg = await s.page.locator('.account [role=alert].form-error').textContent();
      assert.match(msg, /could not subscribe/i);
      const reg = await s.page.evaluate(async () => (await navigator.serviceWorker.getRegistration('/admin/'))?.active?.scriptURL);
      assert.equal(reg, `${origin(srv, a.host)}/admin/sw.js`);
      process.stdout.write(`# push: headless subscribe() refused: ${msg}\n`);
    }
    await assertAccessible(s.page, 'account with push');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('push: the page stores the subscription the browser gives (push service stubbed)', async () => {
    // Headless Chromium has no push service (subscribe() is refused), so
    // the browser's PushManager is replaced by one that hands out a real
    // P-256 key: everything else (the key from the server, the permission,
    // the service worker, the POST with the CSRF header) is the real path.
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const sub = { endpoint: `https://push.example.com/send/${randomBytes(8).toString('hex')}`,
      p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
    const s = await signedIn(browser, srv, b, { role: 'OWNER' });
    await s.ctx.grantPermissions(['notifications'], { origin: origin(srv, b.host) });
    await s.page.addInitScript((x) => {
      let current = null;
      const make = (key) => ({
        endpoint: x.endpoint, key,
        toJSON: () => ({ endpoint: x.endpoint, expirationTime: null, keys: { p256dh: x.p256dh, auth: x.auth } }),
        unsubscribe: async () => { current = null; return true; },
      });
      PushManager.prototype.subscribe = async function (o) { current = make(o.applicationServerKey); return current; };
      PushManager.prototype.getSubscription = async function () { return current; };
    }, sub);
    await open(s.page, s.url('account'), 'My account');
    await s.page.locator('.push-state[data-state=off]').waitFor();
    await s.page.getByRole('button', { name: 'Turn on notifications' }).click();
    await s.page.getByText('Notifications are on for this browser.').waitFor();
    assert.equal(await s.page.locator('.push-state').getAttribute('data-state'), 'on');
    assert.equal(adminSql(`SELECT endpoint FROM push_subscriptions WHERE user_id = ${lit(s.user.id)}`), sub.endpoint);
    assert.equal(adminSql(`SELECT encode(p256dh, 'hex') FROM push_subscriptions WHERE user_id = ${lit(s.user.id)}`),
      ecdh.getPublicKey().toString('hex'));
    await assertAccessible(s.page, 'account with push on');
    await shot(s.page, 'harbor', 'account-push-on');
    await s.page.getByRole('button', { name: 'Turn off notifications' }).click();
    await s.page.getByText('Notifications are off for this browser.').waitFor();
    assert.equal(adminSql(`SELECT count(*) FROM push_subscriptions WHERE user_id = ${lit(s.user.id)}`), '0');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('push: the server without VAPID keys says notifications are off', async () => {
    const srv2 = await startServer({ ENABLE_TEST_ROUTES: 'true', REDIS_URL: '', VAPID_PUBLIC_KEY: '', VAPID_PRIVATE_KEY: '' });
    try {
      const s = await signedIn(browser, srv2, a, { role: 'OWNER' });
      await open(s.page, s.url('account'), 'My account');
      await s.page.locator('.push-state[data-state=server-off]').waitFor();
      assert.match(await s.page.locator('.push-state').textContent(), /not set up on this server/);
      assert.equal(await s.page.getByRole('button', { name: 'Turn on notifications' }).count(), 0);
      await s.ctx.close();
    } finally {
      await srv2.kill();
    }
  });
});
