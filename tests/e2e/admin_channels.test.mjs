// admin_channels.test.mjs — the Brand and channels page in a real browser,
// as the OWNER: colours with the contrast check (live and the server's
// warning), widget origins and the snippet to copy, a custom domain with its
// DNS record and verification, Cal.com with a key that is never shown again;
// a VIEWER sees no change buttons; the app is installable (manifest icons,
// /admin/icon.svg) and its service worker is served at /admin/sw.js; axe,
// 360 px and screenshots for two brands.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { FakeCalcom } from '../integration/fakes/calcom.mjs';
import { adminSql, createTenant, killAll, lit, request, setBranding } from './lib.mjs';
import { assertAccessible, open, origin, serverAndBrowser, shot, signedIn, twoBrands } from './admin_lib.mjs';

after(killAll);

const CAL_KEY = 'cal_live_secret_key_0123456789';

describe('admin: Brand and channels', () => {
  let srv;
  let browser;
  let calcom;
  let a;
  let b;

  before(async () => {
    calcom = await new FakeCalcom().start();
    calcom.addKey(CAL_KEY, [4242]);
    ({ a, b } = twoBrands({ planB: 'enterprise' }));
    ({ srv, browser } = await serverAndBrowser({ ...calcom.env() }));
  });
  after(async () => { await browser?.close(); await srv?.kill(); await calcom?.stop?.(); });

  test('colours: the live contrast check, the server\'s warning on save, the preview', async () => {
    // A tenant of its own: the shell caches the brand for a while, and the
    // other tests' pages must not start in the pale colour saved here.
    const p = createTenant({ name: 'Pale Salon', plan: 'pro' });
    setBranding(p, { primary: '#0f766e', accent: '#134e4a' });
    const s = await signedIn(browser, srv, p, { role: 'OWNER' });
    await open(s.page, s.url('brand'), 'Brand and channels');
    await s.page.getByRole('heading', { name: 'Brand', exact: true }).waitFor();
    await assertAccessible(s.page, 'brand page');
    await shot(s.page, 'lumen', 'brand');
    const main = s.page.getByLabel('Main colour', { exact: true });
    assert.equal(await main.inputValue(), '#0f766e');
    assert.match(await s.page.locator('.contrast[data-field=primary_color]').textContent(), /readable/);
    // A pale yellow: white text on it is unreadable; the page says so before saving.
    await main.fill('#fde047');
    assert.match(await s.page.locator('.contrast[data-field=primary_color]').textContent(), /below 4\.5:1/);
    assert.equal(await s.page.locator('.pv-head').getAttribute('fill'), '#fde047', 'the preview follows the unsaved colour');
    assert.match(await s.page.getByRole('img', { name: /^Preview of the booking page/ }).getAttribute('aria-label'), /#fde047/);
    await s.page.getByRole('button', { name: 'Save brand' }).click();
    const warn = s.page.locator('.warn[role=alert]');
    await warn.waitFor();
    assert.match(await warn.textContent(), /Main colour: white text on #fde047 has a contrast ratio of 1\.\d+:1/);
    assert.equal(adminSql(`SELECT primary_color FROM tenant_branding WHERE tenant_id = ${lit(p.id)}`), '#fde047');
    await assertAccessible(s.page, 'brand page with a warning');
    // Back to a readable colour: no warning.
    await main.fill('#0f766e');
    await s.page.getByRole('button', { name: 'Save brand' }).click();
    await s.page.getByText('Brand saved.').waitFor();
    assert.equal(await warn.count(), 0);
    assert.equal(adminSql(`SELECT primary_color FROM tenant_branding WHERE tenant_id = ${lit(p.id)}`), '#0f766e');
    // A malformed colour: the server's words on the field.
    await main.fill('#12345');
    await s.page.locator('form').first().evaluate((f) => { f.noValidate = true; });
    await s.page.getByRole('button', { name: 'Save brand' }).click();
    await s.page.locator('.field.invalid .field-error').first().waitFor();
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('widget origins: add and remove; the snippet is copied as the docs say', async () => {
    const s = await signedIn(browser, srv, a, { role: 'OWNER' });
    await s.ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: origin(srv, a.host) });
    await open(s.page, s.url('brand'), 'Brand and channels');
    const snippet = `<script src="${origin(srv, a.host)}/widget.js" async></script>`;
    assert.equal(await s.page.getByLabel('Widget snippet').textContent(), snippet);
    await s.page.getByRole('button', { name: 'Copy snippet' }).click();
    await s.page.getByText('Copied.').waitFor();
    assert.equal(await s.page.evaluate(() => navigator.clipboard.readText()), snippet);

    await s.page.getByLabel('Website address').fill('https://Shop.Example.com/');
    await s.page.getByRole('button', { name: 'Add website' }).click();
    await s.page.getByRole('button', { name: 'Remove https://shop.example.com' }).waitFor();
    assert.equal(adminSql(`SELECT origin FROM widget_origins WHERE tenant_id = ${lit(a.id)} AND deleted_at IS NULL`),
      'https://shop.example.com');
    // A path is refused, on the field.
    await s.page.getByLabel('Website address').fill('https://shop.example.com/page');
    await s.page.getByRole('button', { name: 'Add website' }).click();
    await s.page.locator('.field.invalid .field-error').first().waitFor();
    await assertAccessible(s.page, 'widget origins with an error');
    await s.page.getByRole('button', { name: 'Remove https://shop.example.com' }).click();
    await s.page.getByText('No other websites yet.').waitFor();
    assert.equal(adminSql(`SELECT count(*) FROM widget_origins WHERE tenant_id = ${lit(a.id)} AND deleted_at IS NULL`), '0');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('a custom domain shows the DNS record to add, and verifies', async () => {
    const s = await signedIn(browser, srv, b, { role: 'OWNER' });
    await open(s.page, s.url('brand'), 'Brand and channels');
    await s.page.getByLabel('Your own domain').fill('book.harbor-dental.example');
    await s.page.getByRole('button', { name: 'Add domain' }).click();
    const name = s.page.getByText('_receptionist.book.harbor-dental.example');
    await name.waitFor();
    const token = adminSql(`SELECT verification_token FROM tenant_domains WHERE hostname = 'book.harbor-dental.example'`);
    assert.ok(token.length > 10);
    assert.equal(await s.page.locator('.dns code.token').textContent(), token);
    assert.match(await s.page.locator('.dns').textContent(), new RegExp(`CNAME.*${b.slug}`));
    await assertAccessible(s.page, 'domains with a pending record');
    await shot(s.page, 'harbor', 'brand-domain');
    // Not published yet: the check fails and says so.
    await s.page.getByRole('button', { name: 'Check book.harbor-dental.example' }).click();
    await s.page.getByText('was not found yet').waitFor();
    const put = await request({ port: srv.port, method: 'PUT', path: '/v1/test/dns-txt',
      body: { name: '_receptionist.book.harbor-dental.example', values: [token] } });
    assert.ok(put.status < 300, put.text);
    await s.page.getByRole('button', { name: 'Check book.harbor-dental.example' }).click();
    await s.page.getByText('book.harbor-dental.example is verified.').waitFor();
    assert.equal(adminSql(`SELECT verification_state FROM tenant_domains WHERE hostname = 'book.harbor-dental.example'`), 'verified');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('Cal.com connects with a key that is never shown again', async () => {
    const s = await signedIn(browser, srv, a, { role: 'OWNER' });
    await open(s.page, s.url('brand'), 'Brand and channels');
    await s.page.getByText('No calendar connected.').waitFor();
    await s.page.getByText('Everything is in sync.').waitFor();
    await s.page.getByRole('button', { name: 'Connect Cal.com', exact: true }).click();
    const dlg = s.page.getByRole('dialog', { name: 'Connect Cal.com' });
    await dlg.waitFor();
    await assertAccessible(s.page, 'Cal.com dialog');
    assert.equal(await dlg.getByLabel('Cal.com API key').getAttribute('type'), 'password');
    // A wrong key: Cal.com refuses it and the page says so.
    await dlg.getByLabel('Cal.com API key').fill('cal_wrong_key_0000');
    await dlg.getByLabel('Event type ID').fill('4242');
    await dlg.getByRole('button', { name: 'Connect' }).click();
    await dlg.locator('.field-error, .form-error').first().waitFor();
    await dlg.getByLabel('Cal.com API key').fill(CAL_KEY);
    await dlg.getByRole('button', { name: 'Connect' }).click();
    await s.page.getByRole('button', { name: /Disconnect Cal\.com 4242/ }).waitFor();
    assert.equal(await s.page.locator('.connections .badge.ok').textContent(), 'active');
    // Never again: not in the page, not in the API.
    assert.ok(!(await s.page.content()).includes(CAL_KEY));
    const api = await s.page.evaluate(() => fetch('/v1/admin/calendar/connections').then((r) => r.text()));
    assert.ok(!api.includes(CAL_KEY) && api.includes('4242'));
    await s.page.getByRole('button', { name: 'Connect Cal.com', exact: true }).click();
    assert.equal(await dlg.getByLabel('Cal.com API key').inputValue(), '');
    await s.page.keyboard.press('Escape');
    // Disconnect.
    s.page.once('dialog', (d) => d.accept());
    await s.page.getByRole('button', { name: /Disconnect Cal\.com 4242/ }).click();
    await s.page.getByText('No calendar connected.').waitFor();
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('a VIEWER sees everything and no change buttons', async () => {
    const s = await signedIn(browser, srv, b, { role: 'VIEWER' });
    await open(s.page, s.url('brand'), 'Brand and channels');
    await s.page.getByRole('heading', { name: 'Domains' }).waitFor();
    await s.page.getByText('book.harbor-dental.example').first().waitFor();
    for (const name of ['Save brand', 'Add website', 'Add domain', 'Connect Cal.com', 'Connect Google Calendar']) {
      assert.equal(await s.page.getByRole('button', { name }).count(), 0, name);
    }
    assert.equal(await s.page.getByRole('button', { name: /^(Remove|Check|Disconnect)/ }).count(), 0);
    assert.ok(await s.page.getByLabel('Main colour', { exact: true }).isDisabled());
    // The snippet is for everyone who can see the page.
    await s.page.getByRole('button', { name: 'Copy snippet' }).waitFor();
    await assertAccessible(s.page, 'brand as viewer');
    await shot(s.page, 'harbor', 'brand-viewer');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('at 360 px the page fits', async () => {
    const s = await signedIn(browser, srv, b, { role: 'OWNER', width: 360, height: 740 });
    await open(s.page, s.url('brand'), 'Brand and channels');
    await s.page.getByRole('heading', { name: 'Calendars' }).waitFor();
    const w = await s.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(w <= 360, `page is ${w} px wide`);
    await assertAccessible(s.page, 'brand at 360 px');
    await shot(s.page, 'harbor', 'brand-360');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('installable: manifest icons, /admin/icon.svg, /admin/sw.js', async () => {
    const m = await request({ port: srv.port, path: '/admin/manifest.webmanifest', host: b.host });
    assert.equal(m.status, 200);
    assert.deepEqual(m.json.icons.map((i) => i.src), ['/admin/icon.svg']);
    const icon = await request({ port: srv.port, path: '/admin/icon.svg', host: b.host });
    assert.equal(icon.status, 200);
    assert.equal(icon.headers['content-type'], 'image/svg+xml');
    assert.match(icon.text, /fill="#b45309"/);
    assert.match(icon.text, />H<\/text>/);
    const q = createTenant({ name: 'Logo Salon', plan: 'pro' });
    adminSql(`UPDATE tenant_branding SET logo_url = 'https://cdn.example.com/lumen.png' WHERE tenant_id = ${lit(q.id)}`);
    const m2 = await request({ port: srv.port, path: '/admin/manifest.webmanifest', host: q.host });
    assert.deepEqual(m2.json.icons.map((i) => i.src), ['https://cdn.example.com/lumen.png', '/admin/icon.svg']);
    const sw = await request({ port: srv.port, path: '/admin/sw.js', host: a.host });
    assert.equal(sw.status, 200);
    assert.match(sw.headers['content-type'], /text\/javascript/);
    assert.equal(sw.headers['cache-control'], 'no-cache');
    assert.match(sw.text, /addEventListener\("push"/);
    assert.match(sw.text, /notificationclick/);
    const again = await request({ port: srv.port, path: '/admin/sw.js', host: a.host,
      headers: { 'if-none-match': sw.headers.etag } });
    assert.equal(again.status, 304);
    // The browser registers it with the app's scope.
    const s = await signedIn(browser, srv, a, { role: 'OWNER' });
    await open(s.page, s.url('account'), 'My account');
    const scope = await s.page.evaluate(async () => (await navigator.serviceWorker.register('/admin/sw.js', { scope: '/admin/' })).scope);
    assert.equal(scope, `${origin(srv, a.host)}/admin/`);
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });
});
