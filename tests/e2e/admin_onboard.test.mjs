// admin_onboard.test.mjs — a new business from nothing to its first booking:
// the agency creates the tenant with an owner invitation, the invitation's
// link (from the outbox) opens the business's own admin app, the owner
// chooses a password, signs in and follows "Get started" through the UI
// (profile, hours, a service, a staff member with a schedule, the widget
// snippet); then a customer books through the public API the widget uses,
// the booking shows on the owner's pages and the checklist is all done.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { client, createUser, platformMail, session, setCookie, tenantMail, uniqueEmail } from '../integration/auth_lib.mjs';
import { adminSql, killAll, launch, lit, request, startServer, watch } from './lib.mjs';
import { assertAccessible, origin, shot } from './admin_lib.mjs';

after(killAll);

const LINK_PORT = 8443;

describe('onboarding a new business', () => {
  let srv;
  let browser;

  before(async () => {
    srv = await startServer({ ENABLE_TEST_ROUTES: 'true', REDIS_URL: '', PUBLIC_BASE_URL: `http://localhost:${LINK_PORT}` });
    browser = await launch();
  });
  after(async () => { await browser?.close(); await srv?.kill(); });

  test('from an invitation to a first booking made through the widget', async () => {
    const slug = `onb-${randomUUID().slice(0, 8)}`;
    const ownerEmail = uniqueEmail('owner');
    const pa = createUser({ platformAdmin: true });
    const pc = await session(srv, pa.email, { host: 'localhost' });
    const body = { slug, name: 'Nova Nails', timezone: 'Europe/London', plan: 'pro' };
    // With an owner invitation where the platform API takes one; otherwise the
    // agency invites the owner in a support session with write access.
    let r = await pc.post('/v1/platform/tenants', { ...body, owner_email: ownerEmail });
    if (r.status === 400) r = await pc.post('/v1/platform/tenants', body);
    assert.equal(r.status, 201, r.text);
    const t = { id: r.json.id, slug, host: `${slug}.localhost` };
    if (!tenantMail(t, ownerEmail)) {
      const s = await pc.post('/v1/platform/act-as', { tenant_id: t.id, minutes: 10, write: true, reason: 'onboarding' });
      assert.equal(s.status, 201, s.text);
      const ac = client(srv, { host: t.host, session: { cookie: setCookie(s).value, csrf: s.json.csrf_token } });
      const inv = await ac.post('/v1/admin/invitations', { email: ownerEmail, role: 'OWNER' });
      assert.equal(inv.status, 201, inv.text);
    }
    const mail = tenantMail(t, ownerEmail);
    // The link opens this business's admin app on its own host.
    assert.equal(mail.accept_url, `http://${t.host}:${LINK_PORT}/admin/accept-invitation#token=${mail.token}`);
    assert.equal(platformMail(ownerEmail), undefined);

    const ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    const problems = watch(page);
    const app = (p) => `${origin(srv, t.host)}/admin/${p}`;
    await page.goto(mail.accept_url.replace(`:${LINK_PORT}/`, `:${srv.port}/`));
    await page.getByRole('heading', { name: /^Join / }).waitFor();
    await assertAccessible(page, 'accept invitation');
    await page.getByLabel('Your name').fill('Nova Owner');
    await page.getByLabel('Password').fill('tidal-copper-orchard-58');
    await page.getByRole('button', { name: 'Accept the invitation' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('E-mail').fill(ownerEmail);
    await page.getByLabel('Password').fill('tidal-copper-orchard-58');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();

    // The checklist, from real data: nothing done yet.
    await page.getByRole('link', { name: 'Get started' }).click();
    await page.getByRole('heading', { level: 1, name: 'Get started' }).waitFor();
    await page.getByText('0 of 6 steps done.').waitFor();
    await assertAccessible(page, 'get started');
    await shot(page, 'nova', 'setup-new');

    // 1. Profile and time zone.
    await page.getByRole('link', { name: 'Profile and time zone' }).click();
    await page.getByLabel('Time zone').fill('Europe/Dublin');
    await page.getByLabel('E-mail').fill('hello@nova.example');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Saved.').waitFor();
    // 2. Opening hours: every day 09:00-17:00.
    await page.goto(app('business/hours'));
    for (const d of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'])
      await page.getByRole('button', { name: `Add a range on ${d}` }).click();
    await page.getByRole('button', { name: 'Save opening hours' }).click();
    await page.getByText('Opening hours saved.').waitFor();
    // 3. A service.
    await page.goto(app('setup'));
    await page.getByRole('link', { name: 'Services' }).click();
    await page.getByRole('button', { name: 'Add a service' }).click();
    await page.getByLabel('Name').fill('Gel manicure');
    await page.getByLabel('Duration (minutes)').fill('60');
    await page.getByLabel('Price (USD)').fill('40');
    await page.getByLabel('Currency').fill('EUR');
    await page.getByRole('button', { name: 'Save service' }).click();
    await page.getByRole('cell', { name: 'Gel manicure', exact: true }).waitFor();
    // 4. A staff member with a schedule who performs it.
    await page.getByRole('link', { name: 'Staff' }).click();
    await page.getByRole('button', { name: 'Add a staff member' }).click();
    await page.getByLabel('Name').fill('Mia');
    await page.getByRole('button', { name: 'Save staff member' }).click();
    await page.getByRole('heading', { name: 'Mia', level: 2 }).waitFor();
    for (const d of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'])
      await page.getByRole('button', { name: `Add a range on ${d}` }).click();
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await page.getByText('Schedule saved.').waitFor();
    await page.getByLabel('Gel manicure').check();
    await page.getByRole('button', { name: 'Save services' }).click();
    await page.getByText('Services saved.').waitFor();
    // 5. The widget: allow the website, copy the snippet.
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: origin(srv, t.host) });
    await page.goto(app('setup'));
    await page.getByText('4 of 6 steps done.').waitFor();
    await page.getByLabel("Your website's address").fill('https://www.nova.example');
    await page.getByRole('button', { name: 'Allow this website' }).click();
    await page.getByText('5 of 6 steps done.').waitFor();
    await page.getByRole('button', { name: 'Copy the snippet' }).click();
    await page.getByText('Copied.').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, `<script src="${origin(srv, t.host)}/widget.js" async></script>`);
    assert.equal(adminSql(`SELECT origin FROM widget_origins WHERE tenant_id = ${lit(t.id)}`), 'https://www.nova.example');

    // A customer books through the public API the widget and /book use.
    const svc = await request({ port: srv.port, path: '/v1/public/services', host: t.host });
    assert.equal(svc.status, 200, svc.text);
    const serviceId = svc.json.items.find((s) => s.name === 'Gel manicure').id;
    const day = adminSql(`SELECT ((now() AT TIME ZONE 'Europe/Dublin')::date + 2)::text`);
    const av = await request({ port: srv.port, path: `/v1/public/availability?service_id=${serviceId}&date=${day}`, host: t.host });
    assert.equal(av.status, 200, av.text);
    assert.ok(av.json.slots.length > 0, 'slots offered');
    const start = av.json.slots[0].start;
    const bk = await request({ port: srv.port, method: 'POST', path: '/v1/public/bookings', host: t.host,
      headers: { 'idempotency-key': randomUUID() },
      body: { services: [{ service_id: serviceId }], start, customer: { name: 'Cara Client', email: 'cara@example.com' } } });
    assert.equal(bk.status, 201, bk.text);

    // It shows on the owner's side, and the checklist is all done.
    const list = await page.evaluate(async () => (await fetch('/v1/admin/bookings?limit=10', { credentials: 'same-origin' })).json());
    assert.equal(list.items.length, 1);
    await page.goto(app('setup'));
    await page.getByText('All done: your business is live.').waitFor();
    assert.equal(await page.locator('.checklist li[data-step="live"] .badge').textContent(), 'Done');
    await assertAccessible(page, 'get started, all done');
    await shot(page, 'nova', 'setup-done');
    assert.equal(adminSql(`SELECT timezone FROM tenant_profiles WHERE tenant_id = ${lit(t.id)}`), 'Europe/Dublin');
    assert.deepEqual(problems, []);
    await ctx.close();
  });
});
