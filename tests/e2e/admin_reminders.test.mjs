// admin_reminders.test.mjs — reminders in a real browser: the OWNER edits
// Business › Reminders (offsets per channel, quiet hours, confirmation),
// sees the server's field error on the field, and the database holds what
// was saved; a VIEWER sees the settings and nothing that changes them; the
// calendar marks a booking the customer confirmed (visible ✓ and in the
// block's accessible name) and one not confirmed yet; the customer's
// confirmation page confirms on a click. axe on each page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, killAll, launch, lit, setBranding, startServer } from './lib.mjs';
import { assertAccessible, open, shot, signedIn } from './admin_lib.mjs';
import { CUT, expect, key, salon, staffId } from '../integration/booking_lib.mjs';

after(killAll);

const dayIn = (t, n) => adminSql(`SELECT ((now() AT TIME ZONE ${lit(t.zone)})::date + ${n})::text`);
const utc = (t, day, hhmm) => adminSql(`SELECT to_char((${lit(`${day} ${hhmm}`)}::timestamp
  AT TIME ZONE ${lit(t.zone)}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`);

describe('admin app: reminders and confirmations', () => {
  let srv;
  let browser;
  let a;

  before(async () => {
    a = salon({ zone: 'Europe/London', staff: ['Ann'], opens: '00:00', closes: '24:00' });
    setBranding(a, { primary: '#0f766e', accent: '#134e4a', name: 'Lumen Hair Studio' });
    srv = await startServer({ ENABLE_TEST_ROUTES: 'true', REDIS_URL: '' });
    browser = await launch();
  });
  after(async () => { await browser?.close(); await srv?.kill(); });

  test('the owner changes reminders through Business › Reminders', async () => {
    const s = await signedIn(browser, srv, a);
    const { page } = s;
    await open(page, s.url('business/reminders'), 'Business');
    await page.getByRole('heading', { name: 'Reminders' }).waitFor();
    await assertAccessible(page, 'business reminders');
    assert.equal(await page.getByLabel('E-mail reminders before the start').inputValue(), '24h, 2h');
    assert.equal(await page.getByLabel('Quiet from').inputValue(), '21:00');

    // A time out of bounds: the server's error shows on the field.
    await page.getByLabel('E-mail reminders before the start').fill('5m');
    await page.getByRole('button', { name: 'Save reminders' }).click();
    await page.locator('.field.invalid').first().waitFor();
    assert.deepEqual(await page.locator('.field.invalid label').allTextContents(),
      ['E-mail reminders before the start']);
    await assertAccessible(page, 'reminders with a field error');

    await page.getByLabel('E-mail reminders before the start').fill('2d, 1h');
    await page.getByLabel('Send text reminders').uncheck();
    await page.getByLabel('Quiet from').fill('22:00');
    await page.getByLabel('Quiet until').fill('07:30');
    await page.getByLabel('Ask customers to confirm').uncheck();
    await page.getByRole('button', { name: 'Save reminders' }).click();
    await page.getByText('Reminder settings saved.').waitFor();
    assert.equal(adminSql(`SELECT email_offsets::text || '|' || sms_enabled || '|' || quiet_start || '-'
      || quiet_end || '|' || ask_confirmation FROM reminder_settings WHERE tenant_id = ${lit(a.id)}`),
    '{2880,60}|false|22:00:00-07:30:00|false');
    assert.equal(await page.getByLabel('E-mail reminders before the start').inputValue(), '2d, 1h');
    await shot(page, 'lumen', 'business-reminders');
    await s.ctx.close();
  });

  test('a viewer sees the settings and cannot change them', async () => {
    const s = await signedIn(browser, srv, a, { role: 'VIEWER' });
    await open(s.page, s.url('business/reminders'), 'Business');
    await s.page.getByRole('heading', { name: 'Reminders' }).waitFor();
    assert.equal(await s.page.getByRole('button', { name: 'Save reminders' }).count(), 0);
    assert.equal(await s.page.getByLabel('E-mail reminders before the start').isDisabled(), true);
    assert.equal(await s.page.getByLabel('Send e-mail reminders').isDisabled(), true);
    await assertAccessible(s.page, 'reminders read-only');
    await s.ctx.close();
  });

  test('the calendar marks confirmed and unconfirmed bookings; the customer confirms by the link', async () => {
    const day = dayIn(a, 3);
    const owner = await signedIn(browser, srv, a);
    const made = [];
    for (const [hhmm, name] of [['10:00', 'Cora Confirmed'], ['12:00', 'Una Unconfirmed']]) {
      const r = await srv.request({ method: 'POST', path: '/v1/public/bookings', host: a.host,
        headers: { 'idempotency-key': key() },
        body: { services: [{ service_id: CUT }], staff_id: staffId(0), start: utc(a, day, hhmm),
          customer: { name, email: `${name.split(' ')[0].toLowerCase()}@example.com` } } });
      made.push(expect(r, 201, 'public booking'));
    }
    // Confirmation asked again, and the reminders planned: the link.
    adminSql(`UPDATE reminder_settings SET ask_confirmation = true WHERE tenant_id = ${lit(a.id)}`);
    expect(await srv.request({ method: 'POST', path: '/v1/test/reminders/plan', host: a.host,
      body: { now: new Date().toISOString(), horizon_minutes: 10 * 1440 } }), 200);
    const link = adminSql(`SELECT payload->>'confirm_url' FROM notification_outbox
      WHERE booking_id = ${lit(made[0].id)} AND payload->>'confirm_url' IS NOT NULL LIMIT 1`);
    assert.match(link, /#token=/);

    // The customer's page: nothing happens until they press the button.
    const cust = await browser.newContext({ locale: 'en-GB' });
    const cp = await cust.newPage();
    await cp.goto(link.replace(/^http:\/\/[^/]+/, `http://${a.host}:${srv.port}`));
    await cp.getByRole('button', { name: "Yes, I'm coming" }).waitFor();
    await assertAccessible(cp, 'confirmation page');
    assert.equal(adminSql(`SELECT confirmed_at IS NULL FROM bookings WHERE id = ${lit(made[0].id)}`), 't');
    await cp.getByRole('button', { name: "Yes, I'm coming" }).click();
    await cp.getByText('Thank you, your booking is confirmed.').waitFor();
    assert.equal(adminSql(`SELECT confirmed_at IS NOT NULL FROM bookings WHERE id = ${lit(made[0].id)}`), 't');
    await shot(cp, 'lumen', 'booking-confirm');
    await cust.close();

    await open(owner.page, owner.url(`calendar?view=day&date=${day}`), 'Calendar');
    const conf = owner.page.getByRole('button', { name: /^10:00 Cora Confirmed.*, confirmed by the customer$/ });
    await conf.waitFor();
    assert.match(await conf.textContent(), /^✓ 10:00 Cora Confirmed/);
    const unconf = owner.page.getByRole('button', { name: /^12:00 Una Unconfirmed.*, not confirmed by the customer$/ });
    await unconf.waitFor();
    assert.doesNotMatch(await unconf.textContent(), /✓/);
    await assertAccessible(owner.page, 'calendar with confirmations');
    await conf.click();
    await owner.page.getByText('✓ Confirmed by the customer').waitFor();
    await shot(owner.page, 'lumen', 'calendar-confirmed');
    await owner.page.keyboard.press('Escape');

    await open(owner.page, owner.url(`bookings/${made[1].id}`), `Booking ${made[1].reference}`);
    await owner.page.getByText('Not confirmed by the customer yet').waitFor();
    await owner.ctx.close();
  });
});
