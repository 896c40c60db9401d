// chat_bundle.test.mjs — several services in one visit, add-ons and the
// waitlist through the receptionist (issues 14 and 12), judged by what the
// database holds afterwards:
// - the built-in receptionist books "a haircut and a beard trim" back to
//   back in one booking after one confirmation that names both, the full
//   date, the time, the staff and the total price (English and Spanish);
// - an add-on asked for in the same message is booked and priced; a
//   customer who names none is not asked about them;
// - when no time suits (a day with nothing free, or the times offered
//   declined) it offers the waitlist, and after a yes with name and
//   contact joins it (source 'ai'); a second join is answered politely;
// - a model (the OpenAI fake) gets the same tools: bundles and add-ons in
//   check_availability and book_appointment, staff in get_services, and
//   join_waitlist — with the same guardrails (only an offered slot for the
//   same services, only after the customer's yes).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { adminSql, killAll, lit, startServer } from './lib.mjs';
import { ALEX, HAIRCUT, TRIM, chat, chatServer, localDate, localWall, ok, salon } from './chat_lib.mjs';
import { llmEnv, startFakes } from './llm_lib.mjs';

after(killAll);

const WASH = '66666666-6666-4666-8666-000000000001';

// A salon of chat_lib with a Hair Wash add-on (10 min, $8) on the Haircut.
function salonWithAddon() {
  const t = salon();
  adminSql(`INSERT INTO service_addons (tenant_id, id, service_id, name, price_minor, currency,
      duration_minutes) VALUES (${lit(t.id)}, '${WASH}', '${HAIRCUT}', 'Hair Wash', 800, 'USD', 10)`);
  return t;
}

// The bookings of an e-mail with their items in order.
function bookingsOf(t, email) {
  return JSON.parse(adminSql(`SELECT coalesce(json_agg(x ORDER BY x.created_at), '[]') FROM (
    SELECT b.created_at, b.source, c.name, b.total_minor,
      (SELECT json_agg(json_build_object('service_id', i.service_id, 'start',
         extract(epoch FROM i.starts_at)::bigint, 'end', extract(epoch FROM i.ends_at)::bigint,
         'addon_ids', i.addon_ids, 'staff_id', i.staff_id) ORDER BY i.position)
       FROM booking_items i WHERE i.tenant_id = b.tenant_id AND i.booking_id = b.id) AS items
    FROM bookings b JOIN customers c ON c.tenant_id = b.tenant_id AND c.id = b.customer_id
    WHERE b.tenant_id = ${lit(t.id)} AND lower(c.email) = lower(${lit(email)})) x`));
}

function waitlistOf(t, email) {
  return JSON.parse(adminSql(`SELECT coalesce(json_agg(x ORDER BY x.created_at), '[]') FROM (
    SELECT service_id, day::text AS day, part_of_day, name, email, phone, channel, source, created_at
    FROM waitlist_entries WHERE tenant_id = ${lit(t.id)} AND lower(email) = lower(${lit(email)})) x`));
}

describe('the built-in receptionist: bundles, add-ons, the waitlist', () => {
  let srv;

  before(async () => { srv = await chatServer(); });
  after(() => srv?.kill());

  // A second stylist, Bea Lopez, doing haircuts the same hours as Alex.
  const BEA = '55555555-5555-4555-8555-0000000000b2';
  function salonWithBea() {
    const t = salon();
    const T = lit(t.id);
    adminSql(`INSERT INTO staff (tenant_id, id, display_name) VALUES (${T}, '${BEA}', 'Bea Lopez');
      INSERT INTO staff_services (tenant_id, staff_id, service_id) VALUES (${T}, '${BEA}', '${HAIRCUT}');
      INSERT INTO staff_schedules (tenant_id, staff_id, weekday, starts, ends)
        SELECT ${T}, '${BEA}', weekday, starts, ends FROM staff_schedules
        WHERE tenant_id = ${T} AND staff_id = '${ALEX}'`);
    return t;
  }

  for (const [lang, ask, contact, yes] of [
    ['en', (d) => `A haircut with Bea on ${d} at 11am please`, 'Alex Moreno, alex.m@example.com', 'yes'],
    ['es', (d) => `Quiero un corte de pelo con Bea el ${Number(d.slice(8))}/${Number(d.slice(5, 7))} a las 11`,
      'Soy Alex Moreno, alex.m@example.com', 'sí'],
  ]) {
    test(`a staff member asked for by name ("with Bea", ${lang}) does the booking; the customer's own name picks no one`, async () => {
      const t = salonWithBea();
      const day = localDate(t.zone, 3);
      const c = chat(srv, t);
      await c.open();
      ok(await c.say(ask(day)), 'ask');
      const p = ok(await c.say(contact), 'contact');
      assert.match(p.text, /Bea Lopez/, p.text);
      assert.doesNotMatch(p.text, /\bAlex\b(?! Moreno)/, p.text);
      ok(await c.say(yes), 'yes');
      const rows = bookingsOf(t, 'alex.m@example.com');
      assert.equal(rows.length, 1, JSON.stringify(rows));
      assert.equal(rows[0].items[0].staff_id, BEA);
      assert.deepEqual(localWall(t.zone, rows[0].items[0].start), { date: day, minutes: 11 * 60 });
    });
  }

  test('"a haircut and a beard trim": one confirmation naming both, one booking back to back', async () => {
    const t = salon();
    const day = localDate(t.zone, 3);
    const c = chat(srv, t);
    await c.open();
    const a = ok(await c.say(`Can I get a haircut and a beard trim on ${day} at 11am?`), 'ask');
    assert.match(a.text, /11:00 AM is free\. What name/, a.text);
    const p = ok(await c.say('Sam Rivera, sam.bundle@example.com'), 'contact');
    assert.match(p.text, /^Just to confirm: Haircut and Beard Trim on \w+, \w+ \d+ at 11:00 AM with Alex, for Sam Rivera \(sam\.bundle@example\.com\)\. Shall I book it\? It's \$37\.00/, p.text);
    assert.equal(p.text.match(/Just to confirm/g).length, 1, 'one confirmation question');
    assert.equal(bookingsOf(t, 'sam.bundle@example.com').length, 0, 'nothing before the yes');
    const y = ok(await c.say('yes'), 'yes');
    assert.match(y.text, /You're booked for Haircut and Beard Trim/, y.text);
    const rows = bookingsOf(t, 'sam.bundle@example.com');
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.equal(rows[0].items.length, 2);
    assert.deepEqual(rows[0].items.map((i) => i.service_id), [HAIRCUT, TRIM]);
    assert.deepEqual(localWall(t.zone, rows[0].items[0].start), { date: day, minutes: 11 * 60 });
    assert.equal(rows[0].items[1].start, rows[0].items[0].end, 'back to back');
    assert.equal(Number(rows[0].total_minor), 3700);
    assert.equal(rows[0].source, 'ai');
  });

  test('Spanish: "un corte de pelo y un arreglo de barba", confirmed with "sí"', async () => {
    const t = salon();
    const day = localDate(t.zone, 4);
    const [, mm, dd] = day.split('-');
    const c = chat(srv, t);
    await c.open();
    const a = ok(await c.say(`Quiero un corte de pelo y un arreglo de barba el ${Number(dd)}/${Number(mm)} a las 16:00`), 'ask');
    assert.match(a.text, /a las 16:00 está libre/, a.text);
    const p = ok(await c.say('Soy Lucía García, lucia.bundle@example.com'), 'contact');
    assert.match(p.text, /^Para confirmar: Haircut y Beard Trim el .* a las 16:00 con Alex, a nombre de Lucía García .* Son \$37\.00/, p.text);
    ok(await c.say('Sí'), 'yes');
    const rows = bookingsOf(t, 'lucia.bundle@example.com');
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].items.map((i) => i.service_id), [HAIRCUT, TRIM]);
    assert.deepEqual(localWall(t.zone, rows[0].items[0].start), { date: day, minutes: 16 * 60 });
  });

  test('an add-on asked for in the same message is named, priced and booked', async () => {
    const t = salonWithAddon();
    const day = localDate(t.zone, 3);
    const c = chat(srv, t);
    await c.open();
    ok(await c.say(`haircut with a hair wash on ${day} at 2pm`), 'ask');
    const p = ok(await c.say('Ana Lopez, ana.addon@example.com'), 'contact');
    assert.match(p.text, /^Just to confirm: Haircut with Hair Wash on .* at 2:00 PM with Alex, .* It's \$33\.00/, p.text);
    ok(await c.say('yes please'), 'yes');
    const rows = bookingsOf(t, 'ana.addon@example.com');
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].items[0].addon_ids, [WASH]);
    assert.equal(rows[0].items[0].end - rows[0].items[0].start, 40 * 60, '30 min + 10 min wash');
    assert.equal(Number(rows[0].total_minor), 3300);
  });

  test('no add-on named: not asked about them, booked without', async () => {
    const t = salonWithAddon();
    const day = localDate(t.zone, 3);
    const c = chat(srv, t);
    await c.open();
    const a = ok(await c.say(`haircut on ${day} at 10am, I'm Ben Ode, ben.plain@example.com`), 'ask');
    assert.match(a.text, /^Just to confirm: Haircut on .* It's \$25\.00/, a.text);
    assert.doesNotMatch(a.text, /Hair Wash/);
    ok(await c.say('yes'), 'yes');
    const rows = bookingsOf(t, 'ben.plain@example.com');
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].items[0].addon_ids, []);
  });

  test('times declined: the waitlist is offered and joined after a yes with name and contact', async () => {
    const t = salon();
    const day = localDate(t.zone, 5);
    const c = chat(srv, t);
    await c.open();
    const a = ok(await c.say(`a haircut on ${day} after 4pm`), 'ask');
    assert.ok(a.slots.length > 0, a.raw);
    const o = ok(await c.say('no, none of those work for me'), 'decline');
    assert.match(o.text, /waitlist for Haircut on \w+, \w+ \d+ in the afternoon/, o.text);
    const q = ok(await c.say('yes'), 'yes to the waitlist');
    assert.match(q.text, /What name and e-mail or phone/, q.text);
    const p = ok(await c.say('Kim Park, kim.wait@example.com'), 'contact');
    assert.match(p.text, /^Just to confirm: shall I put Kim Park \(kim\.wait@example\.com\) on the waitlist for Haircut/, p.text);
    assert.equal(waitlistOf(t, 'kim.wait@example.com').length, 0, 'nothing before the yes');
    const y = ok(await c.say('yes'), 'confirm');
    assert.match(y.text, /you're on the waitlist for Haircut/, y.text);
    const rows = waitlistOf(t, 'kim.wait@example.com');
    assert.equal(rows.length, 1);
    assert.equal(rows[0].service_id, HAIRCUT);
    assert.equal(rows[0].day, day);
    assert.equal(rows[0].part_of_day, 'afternoon');
    assert.equal(rows[0].source, 'ai');
    assert.equal(rows[0].channel, 'email');
    assert.equal(rows[0].name, 'Kim Park');

    // The same person again: a polite answer, still one entry.
    const d = chat(srv, t);
    await d.open();
    ok(await d.say(`Put me on the waitlist for a haircut on ${day} afternoon please`), 'ask');
    const p2 = ok(await d.say('Kim Park, kim.wait@example.com'), 'contact');
    assert.match(p2.text, /Just to confirm/, p2.text);
    const y2 = ok(await d.say('yes'), 'confirm again');
    assert.match(y2.text, /already on the waitlist/, y2.text);
    assert.equal(waitlistOf(t, 'kim.wait@example.com').length, 1);
  });

  test('the waitlist asked for before any day: the day is asked first', async () => {
    const t = salon();
    const day = localDate(t.zone, 5);
    const c = chat(srv, t);
    await c.open();
    const a = ok(await c.say('Can you put me on the waiting list for a beard trim?'), 'ask');
    assert.match(a.text, /Beard Trim\. What day and time would suit you\?/, a.text);
    const b = ok(await c.say(`${day} in the morning`), 'day');
    assert.match(b.text, /waitlist for Beard Trim on \w+, \w+ \d+ in the morning\. What name/, b.text);
    const p = ok(await c.say('Ida Bell, +1 415 555 0199'), 'contact');
    assert.match(p.text, /Ida Bell \(\+14155550199\) on the waitlist for Beard Trim/, p.text);
    ok(await c.say('yes'), 'confirm');
    const rows = JSON.parse(adminSql(`SELECT json_agg(json_build_object('channel', channel, 'phone', phone,
      'part', part_of_day)) FROM waitlist_entries WHERE tenant_id = ${lit(t.id)}`));
    assert.deepEqual(rows, [{ channel: 'sms', phone: '+14155550199', part: 'morning' }]);
  });

  test('a day with nothing free: the waitlist is offered with the other times (Spanish)', async () => {
    const t = salon();
    const day = localDate(t.zone, 6);
    adminSql(`INSERT INTO staff_time_off (tenant_id, staff_id, starts_at, ends_at)
      VALUES (${lit(t.id)}, '${ALEX}', (${lit(day)}::date)::timestamp AT TIME ZONE ${lit(t.zone)},
        (${lit(day)}::date + 1)::timestamp AT TIME ZONE ${lit(t.zone)})`);
    const [, mm, dd] = day.split('-');
    const c = chat(srv, t);
    await c.open();
    const a = ok(await c.say(`Quiero un corte de pelo el ${Number(dd)}/${Number(mm)} por la mañana`), 'ask');
    assert.match(a.text, /lista de espera para Haircut el .* por la mañana/, a.text);
    ok(await c.say('Sí'), 'yes');
    const p = ok(await c.say('Soy Marta Ruiz, marta.espera@example.com'), 'contact');
    assert.match(p.text, /^Para confirmar: ¿apunto a Marta Ruiz/, p.text);
    const y = ok(await c.say('sí'), 'confirm');
    assert.match(y.text, /^Listo: estás en la lista de espera/, y.text);
    const rows = waitlistOf(t, 'marta.espera@example.com');
    assert.equal(rows.length, 1);
    assert.equal(rows[0].part_of_day, 'morning');
  });
});

// The model path: the OpenAI fake scripted to call the tools.
describe('a model gets the same tools: bundles, add-ons, staff, the waitlist', () => {
  let fakes;
  let srv;
  let t;

  before(async () => {
    fakes = await startFakes();
    srv = await startServer(llmEnv(fakes, { CHAT_RATE_IP_PER_MIN: '0',
      CHAT_RATE_SESSION_PER_MIN: '0', CHAT_NEW_PER_HOUR: '0', WAITLIST_JOINS_PER_HOUR: '2' }));
    t = salonWithAddon();
  });
  after(async () => { await srv?.kill(); await fakes?.close(); });
  beforeEach(() => { fakes.openai.reset(); });

  const lastTool = (rec) => JSON.parse(rec.body.messages.filter((m) => m.role === 'tool').at(-1).content);

  test('the tool definitions offer service_ids, addon_ids, staff and join_waitlist', async () => {
    const c = chat(srv, t);
    await c.open();
    fakes.openai.push({ tool_calls: [{ name: 'get_services', arguments: {} }] }, { text: 'Here they are.' });
    ok(await c.say('What do you offer?'), 'services');
    const tools = Object.fromEntries(fakes.openai.requests[0].body.tools.map((x) => [x.function.name, x.function.parameters]));
    assert.ok(tools.check_availability.properties.service_ids);
    assert.ok(tools.check_availability.properties.addon_ids);
    assert.ok(tools.check_availability.properties.staff_id);
    assert.ok(tools.book_appointment.properties.service_ids);
    assert.ok(tools.join_waitlist);
    const svcs = lastTool(fakes.openai.requests.at(-1)).services;
    const cut = svcs.find((s) => s.name === 'Haircut');
    assert.deepEqual(cut.addons.map((x) => [x.id, x.name, x.price]), [[WASH, 'Hair Wash', '$8.00']]);
    assert.deepEqual(cut.staff, [{ id: ALEX, name: 'Alex' }]);
  });

  test('a bundle with an add-on: offered, proposed, booked only after the yes', async () => {
    const c = chat(srv, t);
    await c.open();
    const day = localDate(t.zone, 7);
    const want = { service_ids: [HAIRCUT, TRIM], addon_ids: [WASH] };
    let args;
    fakes.openai.push(
      { tool_calls: [{ name: 'check_availability', arguments: { ...want, date: day, time: '10:00', staff_id: ALEX } }] },
      (rec) => {
        const res = lastTool(rec);
        assert.equal(res.total_price, '$45.00');
        assert.equal(res.slots[0].items.length, 2);
        const slot = res.slots.find((s) => s.local_minute === 600);
        args = { ...want, start: slot.start, name: 'Zoe Quinn', email: 'zoe.model@example.com' };
        return { tool_calls: [{ name: 'book_appointment', arguments: args }] };
      },
      { text: 'Shall I book it?' });
    ok(await c.say('haircut with wash and a beard trim at 10, Zoe Quinn zoe.model@example.com'), 'ask');
    assert.equal(lastTool(fakes.openai.requests[2]).status, 'confirmation_required');
    assert.match(lastTool(fakes.openai.requests[2]).summary, /Haircut with Hair Wash and Beard Trim .* \$45\.00 in all/);
    assert.equal(bookingsOf(t, 'zoe.model@example.com').length, 0);

    // The same start for the haircut alone was never offered: refused.
    fakes.openai.push({ tool_calls: [{ name: 'book_appointment', arguments: { ...args, service_ids: undefined, addon_ids: undefined, service_id: HAIRCUT } }] },
      { text: 'Hmm.' });
    ok(await c.say('yes'), 'yes, but the model changed the request');
    assert.match(lastTool(fakes.openai.requests.at(-1)).error, /not offered/);
    assert.equal(bookingsOf(t, 'zoe.model@example.com').length, 0);

    // An add-on of another service is refused before anything else.
    fakes.openai.push({ tool_calls: [{ name: 'check_availability', arguments: { service_id: TRIM, addon_ids: [WASH], date: day } }] },
      { text: 'Hmm.' });
    ok(await c.say('and a trim with a wash?'), 'wrong add-on');
    assert.match(lastTool(fakes.openai.requests.at(-1)).error, /not an add-on/);

    // Proposed again and confirmed: booked as asked.
    fakes.openai.push({ tool_calls: [{ name: 'book_appointment', arguments: args }] }, { text: 'Shall I?' });
    ok(await c.say('the haircut with wash and the trim at 10 then'), 'again');
    fakes.openai.push({ tool_calls: [{ name: 'book_appointment', arguments: args }] }, { text: 'Booked!' });
    ok(await c.say('yes'), 'yes');
    assert.equal(lastTool(fakes.openai.requests.at(-1)).status, 'booked');
    const rows = bookingsOf(t, 'zoe.model@example.com');
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].items.map((i) => [i.service_id, i.addon_ids, i.staff_id]),
      [[HAIRCUT, [WASH], ALEX], [TRIM, [], ALEX]]);
    assert.equal(Number(rows[0].total_minor), 4500);
  });

  test('join_waitlist: a proposal first, the customer\'s yes joins, a duplicate is answered politely, the join limit holds', async () => {
    const day = localDate(t.zone, 8);
    const args = { service_id: HAIRCUT, date: day, part_of_day: 'evening', name: 'Wes Tan', email: 'wes.model@example.com' };
    const c = chat(srv, t);
    await c.open();
    fakes.openai.push({ tool_calls: [{ name: 'join_waitlist', arguments: args }] }, { text: 'Shall I?' });
    ok(await c.say('nothing suits, put me on the waitlist, Wes Tan wes.model@example.com'), 'ask');
    assert.equal(lastTool(fakes.openai.requests.at(-1)).status, 'confirmation_required');
    assert.equal(waitlistOf(t, 'wes.model@example.com').length, 0);
    fakes.openai.push({ tool_calls: [{ name: 'join_waitlist', arguments: args }] }, { text: 'Done.' });
    ok(await c.say('yes'), 'yes');
    assert.equal(lastTool(fakes.openai.requests.at(-1)).status, 'waitlisted');
    const rows = waitlistOf(t, 'wes.model@example.com');
    assert.equal(rows.length, 1);
    assert.equal(rows[0].source, 'ai');
    assert.equal(rows[0].part_of_day, 'evening');

    fakes.openai.reset();
    fakes.openai.push({ tool_calls: [{ name: 'join_waitlist', arguments: args }] }, { text: 'Shall I?' });
    ok(await c.say('and again please'), 'again');
    fakes.openai.push({ tool_calls: [{ name: 'join_waitlist', arguments: args }] }, { text: 'You are already on it.' });
    ok(await c.say('yes'), 'yes again');
    assert.equal(lastTool(fakes.openai.requests.at(-1)).status, 'already_waiting');
    assert.equal(waitlistOf(t, 'wes.model@example.com').length, 1);

    // WAITLIST_JOINS_PER_HOUR=2 from this address: the third join is refused.
    const other = { ...args, date: localDate(t.zone, 9), email: 'wes.other@example.com' };
    fakes.openai.reset();
    fakes.openai.push({ tool_calls: [{ name: 'join_waitlist', arguments: other }] }, { text: 'Shall I?' });
    ok(await c.say('another day?'), 'third');
    fakes.openai.push({ tool_calls: [{ name: 'join_waitlist', arguments: other }] }, { text: 'Sorry.' });
    ok(await c.say('yes'), 'yes third');
    assert.match(lastTool(fakes.openai.requests.at(-1)).error, /Too many waitlist requests/);
    assert.equal(lastTool(fakes.openai.requests.at(-1)).code, 'RATE_LIMITED');
    assert.equal(waitlistOf(t, 'wes.other@example.com').length, 0);
  });
});
