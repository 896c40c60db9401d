// admin_desk.test.mjs — the desk's pages in a real browser: the desk (an
// ADMIN) books through the calendar with a time the engine offered, moves
// the booking by dragging its block and through the keyboard form, sees a
// conflict explained in words, cancels with a reason and sets statuses,
// each checked in the database; a booking made through the public API
// appears in an open Today and Calendar without reload; STAFF see only
// their own day; a VIEWER sees no change buttons; axe on every page and
// dialog; 360 px; screenshots for two brands.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, killAll, launch, lit, setBranding, startServer, waitFor } from './lib.mjs';
import { assertAccessible, open, shot, signedIn } from './admin_lib.mjs';
import { createUser } from '../integration/auth_lib.mjs';
import { CUT, COLOR, bookingBody, expect, key, salon, staffId } from '../integration/booking_lib.mjs';

after(killAll);

// A local date n days from today in the tenant's zone.
const dayIn = (t, n) => adminSql(`SELECT ((now() AT TIME ZONE ${lit(t.zone)})::date + ${n})::text`);
const row = (id) => JSON.parse(adminSql(`SELECT json_build_object('status', b.status,
  'start', to_char(b.starts_at AT TIME ZONE p.timezone, 'YYYY-MM-DD"T"HH24:MI'),
  'staff', (SELECT array_agg(s.display_name ORDER BY i.position) FROM booking_items i
    JOIN staff s ON s.tenant_id = i.tenant_id AND s.id = i.staff_id WHERE i.booking_id = b.id),
  'reason', b.cancel_reason, 'source', b.source, 'customer', c.name)
  FROM bookings b JOIN customers c ON c.tenant_id = b.tenant_id AND c.id = b.customer_id
  JOIN tenant_profiles p ON p.tenant_id = b.tenant_id WHERE b.id = ${lit(id)}`));

// A booking made in SQL-free fashion through the public API; returns it.
async function publicBook(srv, t, start, { sid = staffId(0), name = 'Pat Public', service = CUT } = {}) {
  const r = await srv.request({ method: 'POST', path: '/v1/public/bookings', host: t.host,
    headers: { 'idempotency-key': key() },
    body: bookingBody(start, { services: [{ service_id: service }], staffId: sid, name,
      email: `${name.toLowerCase().replace(/\W+/g, '.')}@example.com` }) });
  return expect(r, 201, 'public booking');
}

// Shifts a booking so that it started `minutes` ago (status changes need a start in the past).
function startedAgo(id, minutes) {
  adminSql(`UPDATE booking_items SET starts_at = now() - interval '${minutes} minutes',
      ends_at = now() - interval '${minutes - 30} minutes' WHERE booking_id = ${lit(id)};
    UPDATE bookings SET starts_at = now() - interval '${minutes} minutes',
      ends_at = now() - interval '${minutes - 30} minutes' WHERE id = ${lit(id)}`);
}

const offset = (t, day, hhmm) => adminSql(`SELECT to_char((${lit(`${day} ${hhmm}`)}::timestamp
  AT TIME ZONE ${lit(t.zone)}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`);

describe('admin desk pages', () => {
  let srv;
  let browser;
  let a;
  let b;
  let day;

  before(async () => {
    a = salon({ zone: 'Europe/London', staff: ['Ann', 'Sam'], opens: '00:00', closes: '24:00' });
    setBranding(a, { primary: '#0f766e', accent: '#134e4a', name: 'Lumen Hair Studio' });
    b = salon({ zone: 'America/New_York', staff: ['Ann', 'Sam'], opens: '00:00', closes: '24:00' });
    setBranding(b, { primary: '#b45309', accent: '#7c2d12', name: 'Harbor Studio' });
    srv = await startServer({ ENABLE_TEST_ROUTES: 'true', REDIS_URL: '' });
    browser = await launch();
    day = dayIn(a, 3);
  });
  after(async () => { await browser?.close(); await srv?.kill(); });

  test('the desk books through the calendar with an offered time; the block appears', async () => {
    const s = await signedIn(browser, srv, a, { role: 'ADMIN' });
    await open(s.page, s.url(`calendar?view=day&date=${day}`), 'Calendar');
    await s.page.getByText('Times in Europe/London').waitFor();
    await assertAccessible(s.page, 'calendar (empty day)');
    await s.page.getByRole('button', { name: 'New booking' }).click();
    const dlg = s.page.getByRole('dialog', { name: 'New booking' });
    await dlg.getByLabel('Service').selectOption({ label: 'Cut (30 min)' });
    await dlg.getByLabel('Staff').selectOption({ label: 'Sam' });
    assert.equal(await dlg.getByLabel('Day').inputValue(), day);
    // The engine's times: a radio per offered start; nothing typed.
    await dlg.getByRole('radio', { name: /^10:00/ }).check();
    await dlg.getByLabel('New customer').check();
    await dlg.getByLabel('Name').fill('Walk In');
    await dlg.getByLabel('E-mail').fill('walk.in@example.com');
    await assertAccessible(s.page, 'new booking dialog');
    await shot(s.page, 'lumen', 'calendar-new-booking');
    await dlg.getByRole('button', { name: 'Book' }).click();
    await dlg.waitFor({ state: 'hidden' });
    const id = adminSql(`SELECT b.id FROM bookings b JOIN customers c ON c.id = b.customer_id
      WHERE b.tenant_id = ${lit(a.id)} AND c.name = 'Walk In'`);
    assert.deepEqual(row(id), { status: 'CONFIRMED', start: `${day}T10:00`, staff: ['Sam'], reason: null,
      source: 'admin', customer: 'Walk In' });
    await s.page.getByRole('button', { name: /^10:00 Walk In\s*Cut\s*, until 10:30, with Sam/ }).waitFor();
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('move by dragging the block, by the keyboard form; a conflict is explained; cancel with a reason', async () => {
    const bk = await publicBook(srv, a, offset(a, day, '11:00'), { sid: staffId(1), name: 'Drag Me' });
    await publicBook(srv, a, offset(a, day, '16:00'), { sid: staffId(1), name: 'In The Way' });
    const s = await signedIn(browser, srv, a, { role: 'ADMIN' });
    await open(s.page, s.url(`calendar?view=day&date=${day}`), 'Calendar');
    const block = s.page.getByRole('button', { name: /^11:00 Drag Me\s*Cut\s*, until 11:30, with Sam/ });
    await block.waitFor();
    // Drag to 13:00 in Ann's lane (lanes: Ann, Sam; the grid starts at 08:00, 1 px a minute).
    const col = s.page.locator(`.cal-day[data-day="${day}"]`);
    const box = await col.boundingBox();
    const grabY = 15;
    await block.dragTo(col, { sourcePosition: { x: 10, y: grabY }, targetPosition: { x: box.width / 4, y: (13 - 8) * 60 + grabY } });
    let dlg = s.page.getByRole('dialog', { name: `Move ${bk.reference}` });
    await dlg.getByText(/Move to .*13:00.* with Ann\?/).waitFor();
    await assertAccessible(s.page, 'move (drop) dialog');
    await dlg.getByRole('button', { name: 'Move', exact: true }).click();
    await dlg.waitFor({ state: 'hidden' });
    await waitFor(() => row(bk.id).start === `${day}T13:00`, { what: 'moved by drag' });
    assert.deepEqual(row(bk.id).staff, ['Ann']);

    // Dragging onto someone else's booking: the server's words in the dialog.
    const moved = s.page.getByRole('button', { name: /^13:00 Drag Me\s*Cut\s*, until 13:30, with Ann/ });
    await moved.dragTo(col, { sourcePosition: { x: 10, y: grabY }, targetPosition: { x: box.width * 0.75, y: (16 - 8) * 60 + grabY } });
    dlg = s.page.getByRole('dialog', { name: `Move ${bk.reference}` });
    await dlg.getByRole('button', { name: 'Move', exact: true }).click();
    const alert = dlg.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.textContent(), /not available|taken|overlap|conflict/i);
    await assertAccessible(s.page, 'move conflict');
    await shot(s.page, 'lumen', 'calendar-conflict');
    await dlg.getByRole('button', { name: 'Keep it' }).click();
    assert.equal(row(bk.id).start, `${day}T13:00`, 'nothing changed');

    // The keyboard way: open the block, Move…, pick an offered time.
    await moved.focus();
    await s.page.keyboard.press('Enter');
    const bd = s.page.getByRole('dialog', { name: `Booking ${bk.reference}` });
    await bd.getByRole('button', { name: 'Move…' }).click();
    const md = s.page.getByRole('dialog', { name: `Move ${bk.reference}` });
    await md.getByLabel('Staff').selectOption({ label: 'Sam' });
    await md.getByRole('radio', { name: /^14:30/ }).check();
    await assertAccessible(s.page, 'move (form) dialog');
    await md.getByRole('button', { name: 'Move here' }).click();
    await md.waitFor({ state: 'hidden' });
    await waitFor(() => row(bk.id).start === `${day}T14:30`, { what: 'moved by form' });
    assert.deepEqual(row(bk.id).staff, ['Sam']);

    // Cancel needs a reason; then it is CANCELLED with it.
    await bd.getByRole('button', { name: 'Cancel…' }).click();
    const cd = s.page.getByRole('dialog', { name: `Cancel ${bk.reference}` });
    await cd.getByRole('button', { name: 'Cancel booking' }).click();
    await cd.getByText('is required').waitFor();
    await cd.getByLabel('Reason').fill('Customer phoned, ill');
    await assertAccessible(s.page, 'cancel dialog');
    await cd.getByRole('button', { name: 'Cancel booking' }).click();
    await waitFor(() => row(bk.id).status === 'CANCELLED', { what: 'cancelled' });
    assert.equal(row(bk.id).reason, 'Customer phoned, ill');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('statuses: confirm, in progress, completed, no-show; shown on the detail page with its history', async () => {
    const one = await publicBook(srv, a, offset(a, dayIn(a, 2), '09:00'), { name: 'Status One' });
    const two = await publicBook(srv, a, offset(a, dayIn(a, 2), '09:00'), { sid: staffId(1), name: 'Status Two' });
    startedAgo(one.id, 40);
    startedAgo(two.id, 90);
    adminSql(`UPDATE bookings SET status = 'PENDING' WHERE id = ${lit(one.id)}`);
    const s = await signedIn(browser, srv, a, { role: 'ADMIN' });
    await open(s.page, s.url(`bookings/${one.id}`), `Booking ${one.reference}`);
    // Each click waits for the page to show the last change (its button
    // gone): a click on the previous version's button would be refused as
    // changed elsewhere (If-Match), and a loaded machine renders slowly.
    const mark = async (label, status) => {
      const button = s.page.getByRole('button', { name: `Mark ${label}` });
      await button.click();
      await waitFor(() => row(one.id).status === status, { what: label, timeoutMs: 15000 });
      await button.waitFor({ state: 'detached', timeout: 15000 });
    };
    await mark('confirmed', 'CONFIRMED');
    await mark('in progress', 'IN_PROGRESS');
    await s.page.getByRole('button', { name: 'Mark completed' }).click();
    await waitFor(() => row(one.id).status === 'COMPLETED', { what: 'completed', timeoutMs: 15000 });
    await s.page.getByText('Completed', { exact: true }).first().waitFor();
    await s.page.getByRole('region', { name: 'History' }).getByText(/Status changed/).first().waitFor();
    assert.equal(await s.page.getByRole('button', { name: /^Mark / }).count(), 0, 'nothing after completed');
    await assertAccessible(s.page, 'booking detail');
    await shot(s.page, 'lumen', 'booking-detail');
    // No-show from the calendar's booking dialog, on its day's grid (today,
    // or yesterday when the test runs just after midnight).
    await open(s.page, s.url(`calendar?view=day&date=${row(two.id).start.slice(0, 10)}`), 'Calendar');
    await s.page.getByRole('button', { name: /Status Two .*with Sam/ }).click();
    const bd = s.page.getByRole('dialog', { name: `Booking ${two.reference}` });
    await assertAccessible(s.page, 'booking dialog');
    await bd.getByRole('button', { name: 'Mark no-show' }).click();
    await waitFor(() => row(two.id).status === 'NO_SHOW', { what: 'no-show' });
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('bookings list: filters, search, load more', async () => {
    const d = dayIn(a, 5);
    for (let i = 0; i < 55; i++) {
      const hh = String(8 + Math.floor(i / 4)).padStart(2, '0');
      const mm = String((i % 4) * 15).padStart(2, '0');
      await publicBook(srv, a, offset(a, d, `${hh}:${mm}`), { sid: staffId(i % 2), name: i === 7 ? 'Findable Fay' : `List ${i}` });
    }
    const s = await signedIn(browser, srv, a, { role: 'ADMIN' });
    await open(s.page, s.url('bookings'), 'Bookings');
    await s.page.getByLabel('From').fill(d);
    await s.page.getByLabel('To').fill(d);
    await s.page.getByRole('button', { name: 'Show bookings' }).click();
    const rows = s.page.locator('tbody tr');
    await waitFor(async () => (await rows.count()) === 50, { what: 'first page' });
    await assertAccessible(s.page, 'bookings list');
    await shot(s.page, 'lumen', 'bookings');
    await s.page.getByRole('button', { name: 'Load more' }).click();
    await waitFor(async () => (await rows.count()) === 55, { what: 'second page' });
    assert.equal(await s.page.getByRole('button', { name: 'Load more' }).count(), 0);
    await s.page.getByLabel('Search').fill('fay');
    await s.page.getByRole('button', { name: 'Show bookings' }).click();
    await waitFor(async () => (await rows.count()) === 1, { what: 'search' });
    assert.match(await rows.first().textContent(), /Findable Fay/);
    await s.page.getByLabel('Search').fill('');
    await s.page.getByLabel('Staff').selectOption({ label: 'Ann' });
    await s.page.getByRole('button', { name: 'Show bookings' }).click();
    await waitFor(async () => (await rows.count()) === 28, { what: 'staff filter' });
    await s.page.getByLabel('Status').selectOption({ label: 'Cancelled' });
    await s.page.getByRole('button', { name: 'Show bookings' }).click();
    await s.page.getByText('No bookings match.').waitFor();
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('a booking made through the public API appears in an open Today and Calendar without reload', async () => {
    const s = await signedIn(browser, srv, a, { role: 'ADMIN' });
    const cal = await s.ctx.newPage();
    await open(cal, s.url(`calendar?view=week&date=${day}`), 'Calendar');
    await open(s.page, s.url('today'), 'Today');
    await s.page.getByText(/Times in Europe\/London/).waitFor();
    await s.page.locator('.top .live', { hasText: 'Live' }).waitFor();
    await cal.locator('.top .live', { hasText: 'Live' }).waitFor();
    // A time today, from the engine (a late-night run may have none left: then tomorrow on the calendar only).
    const today = dayIn(a, 0);
    const av = await srv.request({ path: `/v1/public/availability?service_id=${COLOR}&date=${today}&staff_id=${staffId(0)}`, host: a.host });
    const slot = av.json.slots.at(-1);
    if (slot) {
      await publicBook(srv, a, slot.start, { sid: staffId(0), name: 'Live Today', service: COLOR });
      await s.page.getByRole('link', { name: /Color · Live Today/ }).waitFor({ timeout: 10000 });
    }
    await publicBook(srv, a, offset(a, day, '18:00'), { sid: staffId(0), name: 'Live Week' });
    await cal.getByRole('button', { name: /Live Week.*with Ann/ }).waitFor({ timeout: 10000 });
    await assertAccessible(s.page, 'today');
    await assertAccessible(cal, 'calendar week');
    await shot(s.page, 'lumen', 'today');
    await shot(cal, 'lumen', 'calendar-week');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('the calendar by resource: a lane per room, the booking in the one it holds', async () => {
    const d = dayIn(a, 7);
    const room = adminSql(`INSERT INTO resources (tenant_id, name, kind) VALUES (${lit(a.id)}, 'Colour bowl', 'equipment')
      RETURNING id`);
    adminSql(`INSERT INTO resources (tenant_id, name, kind) VALUES (${lit(a.id)}, 'Quiet room', 'room')`);
    adminSql(`INSERT INTO resource_services (tenant_id, resource_id, service_id) VALUES (${lit(a.id)}, ${lit(room)}, ${lit(COLOR)})`);
    await publicBook(srv, a, offset(a, d, '14:00'), { sid: staffId(0), name: 'Bowl Guest', service: COLOR });
    const s = await signedIn(browser, srv, a, { role: 'ADMIN' });
    await open(s.page, s.url(`calendar?view=day&date=${d}`), 'Calendar');
    await s.page.getByRole('button', { name: /^14:00 Bowl Guest.*with Ann, Confirmed/ }).waitFor();
    await s.page.getByRole('group', { name: 'Lanes' }).getByRole('button', { name: 'Resources' }).click();
    // The address follows the choice in an effect after the render: wait for it.
    await s.page.waitForURL(/by=resource/);
    assert.deepEqual(await s.page.locator('.cal-lanes-head span').allTextContents(), ['Colour bowl', 'Quiet room']);
    const blk = s.page.getByRole('button', { name: /^14:00 Bowl Guest.*with Ann, in Colour bowl, Confirmed/ });
    await blk.waitFor();
    // Moving picks a time and a person: the resource lanes do not drag.
    assert.equal(await blk.getAttribute('draggable'), 'false');
    await assertAccessible(s.page, 'calendar by resource');
    await shot(s.page, 'lumen', 'calendar-resources');
    await blk.click();
    await s.page.getByRole('dialog').getByText(/with Ann, in Colour bowl/).waitFor();
    await s.page.keyboard.press('Escape');
    // The choice survives a reload (it is in the address).
    await s.page.reload();
    await s.page.getByRole('button', { name: /in Colour bowl/ }).waitFor();
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('STAFF see only their own day and bookings, and no change buttons', async () => {
    const u = createUser({ tenant: a, role: 'STAFF', name: 'Ann Staff' });
    adminSql(`UPDATE staff SET user_id = ${lit(u.id)} WHERE tenant_id = ${lit(a.id)} AND id = ${lit(staffId(0))}`);
    const d = dayIn(a, 4);
    await publicBook(srv, a, offset(a, d, '10:00'), { sid: staffId(0), name: 'Anns Client' });
    await publicBook(srv, a, offset(a, d, '10:00'), { sid: staffId(1), name: 'Sams Client' });
    const s = await signedIn(browser, srv, a, { user: u });
    await s.page.goto(s.url());
    await s.page.getByRole('heading', { level: 1, name: 'Today' }).waitFor();
    await s.page.getByRole('heading', { name: 'Your day' }).waitFor();
    assert.equal(await s.page.getByRole('heading', { name: 'Needs attention' }).count(), 0);
    await assertAccessible(s.page, 'today (staff)');
    await open(s.page, s.url(`calendar?view=day&date=${d}`), 'Calendar');
    await s.page.getByRole('button', { name: /Anns Client.*with Ann/ }).waitFor();
    assert.equal(await s.page.getByRole('button', { name: /Sams Client/ }).count(), 0);
    assert.equal(await s.page.getByRole('button', { name: 'New booking' }).count(), 0);
    assert.equal(await s.page.locator('.blk[draggable=true]').count(), 0);
    await s.page.getByRole('button', { name: /Anns Client.*with Ann/ }).click();
    const bd = s.page.getByRole('dialog', { name: /^Booking / });
    await bd.getByText('Anns Client').waitFor();
    assert.equal(await bd.getByRole('button', { name: /Move|Cancel|Mark/ }).count(), 0);
    await assertAccessible(s.page, 'calendar (staff)');
    await open(s.page, s.url('bookings'), 'Bookings');
    await s.page.getByText('Anns Client').first().waitFor();
    assert.equal(await s.page.getByText('Sams Client').count(), 0);
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('a VIEWER sees every desk page and no change buttons', async () => {
    const bk = await publicBook(srv, a, offset(a, dayIn(a, 6), '12:00'), { name: 'Viewer Sees' });
    const s = await signedIn(browser, srv, a, { role: 'VIEWER' });
    const none = async (what) => {
      for (const name of ['New booking', 'Move…', 'Cancel…', /^Mark /]) {
        assert.equal(await s.page.getByRole('button', { name }).count(), 0, `${what}: ${name}`);
      }
    };
    await open(s.page, s.url('today'), 'Today');
    await s.page.getByRole('heading', { name: 'Agenda' }).waitFor();
    await none('today');
    await assertAccessible(s.page, 'today (viewer)');
    await open(s.page, s.url(`calendar?view=day&date=${dayIn(a, 6)}`), 'Calendar');
    await s.page.getByRole('button', { name: /Viewer Sees/ }).click();
    await s.page.getByRole('dialog', { name: `Booking ${bk.reference}` }).waitFor();
    await none('calendar dialog');
    await s.page.keyboard.press('Escape');
    await open(s.page, s.url('bookings'), 'Bookings');
    await none('bookings');
    await open(s.page, s.url(`bookings/${bk.id}`), `Booking ${bk.reference}`);
    await none('booking');
    await assertAccessible(s.page, 'booking (viewer)');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('second brand, and 360 px: calendar, today and bookings fit and work', async () => {
    const d = dayIn(b, 3);
    const bk = await publicBook(srv, b, offset(b, d, '09:30'), { name: 'Harbor Guest' });
    const s = await signedIn(browser, srv, b, { role: 'OWNER', width: 360, height: 740 });
    await open(s.page, s.url('today'), 'Today');
    await s.page.getByText(/Times in America\/New York/).waitFor();
    await assertAccessible(s.page, 'today 360');
    await shot(s.page, 'harbor', 'today-360');
    await open(s.page, s.url(`calendar?view=day&date=${d}`), 'Calendar');
    await s.page.getByRole('button', { name: /^09:30 Harbor Guest\s*Cut\s*, until 10:00, with Ann/ }).waitFor();
    await assertAccessible(s.page, 'calendar 360');
    await shot(s.page, 'harbor', 'calendar-day-360');
    await s.page.getByRole('button', { name: 'Week', exact: true }).click();
    await s.page.getByRole('button', { name: /Harbor Guest/ }).waitFor();
    await shot(s.page, 'harbor', 'calendar-week-360');
    await s.page.getByRole('button', { name: 'New booking' }).click();
    await s.page.getByRole('dialog', { name: 'New booking' }).getByRole('radio').first().waitFor();
    await assertAccessible(s.page, 'new booking 360');
    await shot(s.page, 'harbor', 'new-booking-360');
    await s.page.keyboard.press('Escape');
    await open(s.page, s.url('bookings'), 'Bookings');
    await s.page.getByText('Harbor Guest').first().waitFor();
    await assertAccessible(s.page, 'bookings 360');
    await shot(s.page, 'harbor', 'bookings-360');
    const wide = await s.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 362, `the page itself does not scroll sideways (${wide})`);
    await s.page.setViewportSize({ width: 1280, height: 900 });
    await open(s.page, s.url(`bookings/${bk.id}`), `Booking ${bk.reference}`);
    await shot(s.page, 'harbor', 'booking-detail');
    await open(s.page, s.url(`calendar?view=week&date=${d}`), 'Calendar');
    await s.page.getByRole('button', { name: /Harbor Guest/ }).waitFor();
    await shot(s.page, 'harbor', 'calendar-week');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('a week of many staff draws bare blocks that keep their name; the day view shows the words', async () => {
    const t = salon({ zone: 'Europe/London', staff: ['Ann', 'Sam', 'Kim', 'Lee', 'Max'], opens: '00:00', closes: '24:00' });
    const d = dayIn(t, 4);
    await publicBook(srv, t, offset(t, d, '11:00'), { sid: staffId(3), name: 'Dense Week' });
    const s = await signedIn(browser, srv, t, { role: 'ADMIN' });
    await open(s.page, s.url(`calendar?view=week&date=${d}`), 'Calendar');
    const blk = s.page.getByRole('button', { name: /^11:00 Dense Week Cut, until 11:30, with Lee/ });
    await blk.waitFor();
    // Five lanes a day: too narrow for text, so none is laid out; the name
    // and a tooltip carry it, and the colour is the person's.
    assert.equal(await blk.evaluate((el) => el.textContent), '');
    assert.match(await blk.getAttribute('title'), /Dense Week Cut/);
    assert.ok(await blk.evaluate((el) => el.classList.contains('bare')));
    await assertAccessible(s.page, 'calendar week, five lanes');
    await shot(s.page, 'lumen', 'calendar-week-five-lanes');
    await blk.click();
    await s.page.getByRole('dialog').getByText('Dense Week').first().waitFor();
    await s.page.keyboard.press('Escape');
    await open(s.page, s.url(`calendar?view=day&date=${d}`), 'Calendar');
    const day = s.page.getByRole('button', { name: /^11:00 Dense Week/ });
    await day.waitFor();
    assert.match(await day.evaluate((el) => el.textContent), /11:00 Dense Week\s*Cut/);
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });
});
