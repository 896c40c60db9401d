// portal_waitlist.test.mjs — the waitlist in a real browser, as the
// customer: on /book, "No time that suits you? Join the waitlist" with the
// details already typed (the entry lands in the database); and the offer's
// link, /waitlist/offer#token=…, whose button books the freed time and
// shows the reference. axe on both pages.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { adminSql, createTenant, killAll, launch, lit, localDate, makeBookable, screenshot,
  startServer, watch } from './lib.mjs';
import { assertAccessible } from './admin_lib.mjs';

after(killAll);

describe('the waitlist on the portal', () => {
  let srv;
  let browser;
  let t;
  let ids;
  const base = () => `http://${t.host}:${srv.port}`;

  before(async () => {
    t = createTenant({ name: 'Lumen Hair', plan: 'pro' });
    ids = makeBookable(t, [{ name: 'Haircut', minutes: 30, price: 3500 }]);
    srv = await startServer();
    browser = await launch();
  });
  after(async () => { await browser?.close(); await srv?.kill(); });

  async function newPage() {
    const ctx = await browser.newContext({ locale: 'en-US' });
    const page = await ctx.newPage();
    return { ctx, page, problems: watch(page) };
  }

  test('/book: a customer joins the waitlist for the day they chose', async () => {
    const { ctx, page, problems } = await newPage();
    const day = localDate(t, 4);
    await page.goto(`${base()}/book`);
    await page.locator(`input[name=service][value="${ids.services.Haircut}"]`).check();
    await page.fill('#date', day);
    await page.locator(`#slots[data-date="${day}"] button.slot`).first().waitFor();
    await page.fill('#name', 'Wendy Wait');
    await page.fill('#email', 'wendy@example.com');
    await page.getByText('No time that suits you? Join the waitlist').click();
    await page.getByLabel('When could you come?').selectOption('afternoon');
    await page.getByRole('button', { name: 'Join the waitlist' }).click();
    await page.getByText(/You are on the waitlist for .*\. We will e-mail you if a time frees up\./).waitFor();
    assert.equal(adminSql(`SELECT service_id || '|' || day || '|' || part_of_day || '|' || name || '|' || email
      || '|' || channel FROM waitlist_entries WHERE tenant_id = ${lit(t.id)}`),
    `${ids.services.Haircut}|${day}|afternoon|Wendy Wait|wendy@example.com|email`);
    await assertAccessible(page, 'book with the waitlist open');
    await screenshot(page, 'portal/lumen-book-waitlist');
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  test('the offer link: the button books the freed time and shows the reference', async () => {
    const token = 'w'.repeat(43);
    const day = localDate(t, 5);
    const T = lit(t.id);
    const start = adminSql(`SELECT to_char((${lit(`${day} 11:00`)}::timestamp AT TIME ZONE p.timezone)
      AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') FROM tenant_profiles p WHERE p.tenant_id = ${T}`);
    const entry = adminSql(`INSERT INTO waitlist_entries (tenant_id, service_id, day, name, email, channel,
        leave_token_hash) VALUES (${T}, ${lit(ids.services.Haircut)}, ${lit(day)}, 'Otto Offer',
        'otto@example.com', 'email', sha256('otto-leave')) RETURNING id`).split('\n')[0];
    adminSql(`INSERT INTO waitlist_offers (tenant_id, entry_id, slot_key, service_id, staff_id, starts_at,
        token_hash, expires_at) VALUES (${T}, ${lit(entry)}, 'e2e:v2:0', ${lit(ids.services.Haircut)},
        ${lit(ids.staff)}, ${lit(start)}, '\\x${createHash('sha256').update(token).digest('hex')}',
        now() + interval '30 minutes')`);

    const { ctx, page, problems } = await newPage();
    await page.goto(`${base()}/waitlist/offer#token=${token}`);
    await page.getByRole('heading', { level: 1, name: 'A time opened up' }).waitFor();
    await assertAccessible(page, 'offer page');
    // Opening the link booked nothing.
    assert.equal(adminSql(`SELECT count(*) FROM bookings WHERE tenant_id = ${T}`), '0');
    await page.getByRole('button', { name: 'Book this time' }).click();
    await page.getByText(/It's yours: .*11:00 AM\. Your booking reference is/).waitFor();
    const ref = (await page.locator('#offer-status strong').textContent()).trim();
    assert.equal(adminSql(`SELECT b.status || '|' || to_char(b.starts_at AT TIME ZONE 'UTC',
        'YYYY-MM-DD"T"HH24:MI:SS"Z"') || '|' || w.status FROM bookings b
      JOIN waitlist_entries w ON w.tenant_id = b.tenant_id AND w.booking_id = b.id
      WHERE b.tenant_id = ${T} AND b.reference = ${lit(ref)}`), `CONFIRMED|${start}|booked`);
    assert.equal(await page.getByRole('link', { name: 'View or change this booking' }).getAttribute('href'),
      `/booking/${ref}`);
    await screenshot(page, 'portal/lumen-waitlist-offer');
    assert.deepEqual(problems, []);
    await ctx.close();
  });
});
