// portal.test.mjs — the booking portal in a real browser: the /book flow
// end to end (the booking lands in the database, the .ics downloads), an
// idempotent retry after a lost answer, view/reschedule/cancel from
// /booking/{ref}, the same with the keyboard alone, and screenshots of two
// differently branded tenants (test-artifacts/).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';

import {
  adminSql, createTenant, killAll, launch, lit, localDate, makeBookable, request, screenshot,
  setBranding, startServer, watch,
} from './lib.mjs';

after(killAll);

describe('booking portal', () => {
  let srv;
  let browser;
  let a;
  let b;
  let aIds;
  const base = (t) => `http://${t.host}:${srv.port}`;

  before(async () => {
    a = createTenant({ name: 'Lumen Hair', plan: 'pro' });
    setBranding(a, { primary: '#0f766e', accent: '#134e4a' });
    aIds = makeBookable(a, [{ name: 'Haircut', minutes: 30, price: 3500 },
      { name: 'Colour', minutes: 60, price: 8000 }]);
    b = createTenant({ name: 'Harbor Dental', plan: 'enterprise' });
    setBranding(b, { primary: '#b45309', accent: '#7c2d12' });
    makeBookable(b, [{ name: 'Check-up', minutes: 45, price: 9000 }]);
    srv = await startServer();
    browser = await launch();
  });
  after(async () => { await browser?.close(); await srv?.kill(); });

  async function newPage(t) {
    const ctx = await browser.newContext({ locale: 'en-US', acceptDownloads: true });
    const page = await ctx.newPage();
    const problems = watch(page);
    const foreign = [];
    page.on('request', (r) => { if (!r.url().startsWith(base(t)) && !r.url().startsWith('blob:')) foreign.push(r.url()); });
    return { page, ctx, problems, foreign };
  }

  const bookingRow = (ref) => adminSql(`SELECT b.status || '|' || b.source || '|' || c.name || '|' ||
      coalesce(c.email::text, '') || '|' || to_char(b.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI')
    FROM bookings b JOIN customers c ON c.tenant_id = b.tenant_id AND c.id = b.customer_id
    WHERE b.tenant_id = ${lit(a.id)} AND b.reference = ${lit(ref)}`);

  test('/book: service → day → time → details → confirm; the booking is in the database', async () => {
    const { page, ctx, problems, foreign } = await newPage(a);
    await page.goto(`${base(a)}/book`);
    assert.equal(await page.title(), 'Book · Lumen Hair');
    await page.locator(`input[name=service][value="${aIds.services.Colour}"]`).check();
    const day = localDate(a, 3);
    await page.fill('#date', day);
    const slot = page.locator(`#slots[data-date="${day}"] button.slot`).nth(2);
    await slot.waitFor();
    const time = (await slot.textContent()).trim();
    await slot.click();
    assert.equal(await slot.getAttribute('aria-pressed'), 'true');
    await page.fill('#name', 'Ada Lovelace');
    await page.fill('#email', 'ada@example.com');
    await page.getByRole('button', { name: 'Confirm booking' }).click();
    await page.locator('#done').waitFor({ state: 'visible' });
    const ref = (await page.locator('#ref').textContent()).trim();
    assert.match(ref, /^[2-9A-HJKMNP-Z]{6}$/);
    assert.match(await page.locator('#done-when').textContent(), new RegExp(`Colour, .* at ${time}`));
    assert.equal(await page.evaluate(() => document.activeElement.id), 'done', 'focus moves to the confirmation');

    const [status, source, name, email] = bookingRow(ref).split('|');
    assert.deepEqual([status, source, name, email], ['CONFIRMED', 'portal', 'Ada Lovelace', 'ada@example.com']);
    const local = adminSql(`SELECT to_char(starts_at AT TIME ZONE p.timezone, 'YYYY-MM-DD HH24:MI')
      FROM bookings b JOIN tenant_profiles p ON p.tenant_id = b.tenant_id WHERE b.reference = ${lit(ref)}`);
    assert.equal(local, `${day} ${time}`, 'booked at the local time shown');

    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#ics')]);
    const ics = fs.readFileSync(await dl.path(), 'utf8');
    assert.match(dl.suggestedFilename(), new RegExp(`${ref}\\.ics$`));
    assert.match(ics, /^BEGIN:VCALENDAR\r\n/);
    assert.match(ics, new RegExp(`UID:${ref}@`));
    assert.match(ics, /DTSTART:\d{8}T\d{6}Z\r\n/);
    const utc = bookingRow(ref).split('|')[4].replace(/[-:]/g, '');
    assert.ok(ics.includes(`DTSTART:${utc}00Z`), `${utc} in\n${ics}`);
    assert.match(ics, /SUMMARY:Colour at Lumen Hair/);

    await screenshot(page, 'portal-lumen-book-confirmed');
    assert.deepEqual(problems, []);
    assert.deepEqual(foreign, [], 'no request leaves the tenant host');
    await ctx.close();
  });

  test('a lost answer and a second click book once (one Idempotency-Key per attempt)', async () => {
    const { page, ctx } = await newPage(a);
    const keys = [];
    let first = true;
    await page.route('**/v1/public/bookings', async (route) => {
      keys.push(route.request().headers()['idempotency-key']);
      if (first) {
        first = false;
        const req = route.request();
        const h = req.headers();
        const r = await request({ port: srv.port, host: a.host, method: 'POST', path: '/v1/public/bookings',
          headers: { 'content-type': h['content-type'], 'idempotency-key': h['idempotency-key'], origin: h.origin },
          body: req.postData() });
        assert.equal(r.status, 201, r.text); // the server books…
        await route.abort('connectionreset'); // …but the answer never arrives
        return;
      }
      await route.continue();
    });
    await page.goto(`${base(a)}/book`);
    const day = localDate(a, 4);
    await page.fill('#date', day);
    await page.locator(`#slots[data-date="${day}"] button.slot`).first().click();
    await page.fill('#name', 'Grace Hopper');
    await page.fill('#phone', '+14155550199');
    await page.click('#confirm');
    await page.locator('#form-error').filter({ hasText: /reach the server/ }).waitFor();
    await page.click('#confirm');
    await page.locator('#done').waitFor({ state: 'visible' });
    assert.equal(keys.length, 2);
    assert.ok(keys[0] && keys[0] === keys[1], `same key twice: ${keys}`);
    const n = adminSql(`SELECT count(*) FROM bookings b JOIN customers c ON c.tenant_id = b.tenant_id
      AND c.id = b.customer_id WHERE b.tenant_id = ${lit(a.id)} AND c.phone = '+14155550199'`);
    assert.equal(n, '1');
    await ctx.close();
  });

  async function apiBooking(t, serviceId, email, dayOffset) {
    const day = localDate(t, dayOffset);
    const av = await request({ port: srv.port, host: t.host,
      path: `/v1/public/availability?service_id=${serviceId}&date=${day}` });
    assert.equal(av.status, 200, av.text);
    const slot = av.json.slots[0];
    const r = await request({ port: srv.port, host: t.host, method: 'POST', path: '/v1/public/bookings',
      headers: { 'idempotency-key': `k-${Math.random()}` },
      body: { services: [{ service_id: serviceId }], start: slot.start, customer: { name: 'Alan Turing', email } } });
    assert.equal(r.status, 201, r.text);
    return { ref: r.json.reference, start: slot.start, day };
  }

  test('/booking/{ref}: verify, reschedule, then cancel', async () => {
    const bk = await apiBooking(a, aIds.services.Haircut, 'alan@example.com', 5);
    const { page, ctx, problems } = await newPage(a);
    await page.goto(`${base(a)}/booking/${bk.ref.toLowerCase()}`);
    assert.ok(!(await page.content()).includes('Alan Turing'), 'nothing shown before verification');
    await page.fill('#contact', 'someone@else.example');
    await page.getByRole('button', { name: 'Show my booking' }).click();
    await page.locator('#verify-error').filter({ hasText: /No booking/ }).waitFor();
    await page.fill('#contact', 'alan@example.com');
    await page.getByRole('button', { name: 'Show my booking' }).click();
    await page.locator('#details').waitFor({ state: 'visible' });
    assert.match(await page.locator('#facts').textContent(), /Haircut/);
    assert.match(await page.locator('#facts').textContent(), /Confirmed/);

    await page.getByRole('button', { name: 'Reschedule' }).click();
    const newDay = localDate(a, 6);
    await page.fill('#new-date', newDay);
    const slot = page.locator(`#new-slots[data-date="${newDay}"] button.slot`).nth(3);
    await slot.waitFor();
    const time = (await slot.textContent()).trim();
    await slot.click();
    await page.getByRole('button', { name: 'Move my booking' }).click();
    await page.locator('#action-status').filter({ hasText: /Moved to/ }).waitFor();
    const local = adminSql(`SELECT to_char(starts_at AT TIME ZONE p.timezone, 'YYYY-MM-DD HH24:MI') || '|' || status
      FROM bookings b JOIN tenant_profiles p ON p.tenant_id = b.tenant_id WHERE b.reference = ${lit(bk.ref)}`);
    assert.equal(local, `${newDay} ${time}|CONFIRMED`);

    await page.getByRole('button', { name: 'Cancel booking' }).click();
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await page.locator('#action-status').filter({ hasText: 'cancelled' }).waitFor();
    assert.equal(adminSql(`SELECT status FROM bookings WHERE reference = ${lit(bk.ref)} AND tenant_id = ${lit(a.id)}`),
      'CANCELLED');
    assert.match(await page.locator('#facts').textContent(), /Cancelled/);
    await screenshot(page, 'portal-lumen-booking-cancelled');
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  // Presses Tab until the focused element matches selector.
  async function tabTo(page, selector, max = 60) {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
    }
    throw new Error(`Tab never reached ${selector}`);
  }

  test('keyboard only: book, then cancel from /booking/{ref}', async () => {
    const { page, ctx } = await newPage(a);
    await page.goto(`${base(a)}/book`);
    await tabTo(page, 'input[name=service]:checked');
    await page.keyboard.press('ArrowDown'); // the second service
    assert.equal(await page.evaluate(() => document.activeElement.value), aIds.services.Haircut);
    await tabTo(page, '#date');
    const [y, m, d] = localDate(a, 7).split('-');
    await page.keyboard.type(`${m}${d}${y}`);
    await page.locator(`#slots[data-date="${y}-${m}-${d}"] button.slot`).first().waitFor();
    await tabTo(page, '#slots button.slot');
    const time = await page.evaluate(() => document.activeElement.textContent);
    await page.keyboard.press('Enter');
    await tabTo(page, '#name');
    await page.keyboard.type('Katherine Johnson');
    await page.keyboard.press('Tab');
    await page.keyboard.type('kj@example.com');
    await page.keyboard.press('Enter'); // submits the form
    await page.locator('#done').waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'done');
    const ref = (await page.locator('#ref').textContent()).trim();
    const local = adminSql(`SELECT to_char(starts_at AT TIME ZONE p.timezone, 'YYYY-MM-DD HH24:MI')
      FROM bookings b JOIN tenant_profiles p ON p.tenant_id = b.tenant_id WHERE b.reference = ${lit(ref)}`);
    assert.equal(local, `${y}-${m}-${d} ${time}`);

    await tabTo(page, '#manage');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/booking/${ref}`);
    await tabTo(page, '#contact');
    await page.keyboard.type('kj@example.com');
    await page.keyboard.press('Enter');
    await page.locator('#details').waitFor({ state: 'visible' });
    await tabTo(page, '#cancel');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await page.locator('#action-status').filter({ hasText: 'cancelled' }).waitFor();
    assert.equal(adminSql(`SELECT status FROM bookings WHERE reference = ${lit(ref)}`), 'CANCELLED');
    await ctx.close();
  });

  test('two brands: screenshots of the portal pages, each in its own colours, white label by plan', async () => {
    for (const [t, name, colour] of [[a, 'lumen', 'rgb(15, 118, 110)'], [b, 'harbor', 'rgb(180, 83, 9)']]) {
      const { page, ctx, problems, foreign } = await newPage(t);
      for (const p of ['/', '/book', '/privacy']) {
        await page.goto(`${base(t)}${p}`);
        const bg = await page.evaluate(() => getComputedStyle(document.querySelector('header.site')).backgroundColor);
        assert.equal(bg, colour, `${name} ${p}`);
        await screenshot(page, `portal-${name}${p === '/' ? '-home' : p.replace('/', '-')}`);
      }
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${base(t)}/`);
      await screenshot(page, `portal-${name}-home-mobile`);
      const powered = await page.locator('.powered').count();
      assert.equal(powered, t === b ? 0 : 1, 'enterprise is white-label');
      assert.deepEqual(problems, []);
      assert.deepEqual(foreign, []);
      await ctx.close();
    }
  });
});
