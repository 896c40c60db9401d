// chat_phrasing.test.mjs — the built-in receptionist takes what people
// actually say (issue 14): a free time asked for without a verb is proposed
// as it is, with the price and the full date, and booked at that instant
// after a yes; a time after closing is explained with the latest start and
// the nearest times; Spanish is understood and answered in Spanish;
// "next Friday" is asked about, never picked; a second service named in the
// same request is booked with the first (chat_bundle.test.mjs goes further).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, killAll, lit } from './lib.mjs';
import { ALEX, bookings, chat, chatServer, localDate, localWall, ok, salon } from './chat_lib.mjs';

after(killAll);

describe('the receptionist takes what people say', () => {
  let srv;
  let t;

  before(async () => {
    srv = await chatServer();
    t = salon();
  });
  after(() => srv?.kill());

  // The one booking of an e-mail address, with its local wall time.
  function bookingOf(email) {
    return bookings(t, `lower(c.email) = lower('${email}')`)
      .map((b) => ({ ...b, wall: localWall(t.zone, Number(b.start)) }));
  }

  test('a verbless request for a free time is proposed exactly, then booked after a yes', async () => {
    const c = chat(srv, t);
    await c.open();
    const a = ok(await c.say('Haircut the day after tomorrow, 3:45pm'), 'ask');
    assert.match(a.text, /at 3:45 PM is free\. What name and e-mail/, a.text);
    const p = ok(await c.say('Jane Doe, jane.verbless@example.com'), 'contact');
    assert.match(p.text, /^Just to confirm: Haircut on \w+, \w+ \d+ at 3:45 PM with Alex, for Jane Doe \(jane\.verbless@example\.com\)\. Shall I book it\? It's \$25\.00/, p.text);
    assert.equal(p.text.match(/Just to confirm/g).length, 1, 'one confirmation question');
    const y = ok(await c.say('yes'), 'yes');
    assert.match(y.text, /You're booked for Haircut/);
    const rows = bookingOf('jane.verbless@example.com');
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.deepEqual(rows[0].wall, { date: localDate(t.zone, 2), minutes: 15 * 60 + 45 });
    assert.equal(rows[0].name, 'Jane Doe');
  });

  test('a time after closing is explained, with the latest start and the nearest times', async () => {
    const c = chat(srv, t);
    await c.open();
    const a = ok(await c.say('Any chance of a beard trim tomorrow at 5:55pm?'), 'ask');
    assert.match(a.text, /we close at 6:00 PM; the latest start for that is 5:45 PM/, a.text);
    assert.match(a.text, /The nearest free times are/);
    assert.ok(a.slots.length > 0, a.raw);
  });

  test('Spanish: understood, answered in Spanish, confirmed with "sí"', async () => {
    const c = chat(srv, t);
    await c.open();
    const a = ok(await c.say('¿Tienen cita pasado mañana a las 10 para un corte de pelo?'), 'ask');
    assert.match(a.text, /a las 10:00 está libre\. ¿A qué nombre/, a.text);
    const p = ok(await c.say('Soy Lucía García, lucia@example.com'), 'contact');
    assert.match(p.text, /^Para confirmar: Haircut el \S+ \d+ de \S+ a las 10:00 con Alex, a nombre de Lucía García/, p.text);
    assert.doesNotMatch(p.text, /Just to confirm/, 'no English text added');
    const y = ok(await c.say('Sí, por favor'), 'yes');
    assert.match(y.text, /^¡Listo! Tienes cita para Haircut/, y.text);
    const rows = bookingOf('lucia@example.com');
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].wall, { date: localDate(t.zone, 2), minutes: 10 * 60 });
    assert.equal(rows[0].name, 'Lucía García');
  });

  test('a question about the business with a day in it is answered from the FAQs, not booked', async () => {
    const f = salon();
    adminSql(`INSERT INTO faqs (tenant_id, question, answer) VALUES
      (${lit(f.id)}, 'Do you take cards?', 'We accept all major cards and cash.')`);
    for (const q of ['Can I pay by card tomorrow?', 'Cards on Friday?']) {
      const c = chat(srv, f);
      await c.open();
      const a = ok(await c.say(q), q);
      assert.match(a.text, /^We accept all major cards and cash\.$/, `${q} → ${a.text}`);
    }
    // No FAQ answers it: a day and a time still ask for a booking.
    const c = chat(srv, f);
    await c.open();
    const a = ok(await c.say('Anything free tomorrow at 10?'), 'no FAQ');
    assert.match(a.text, /Which service|Beard Trim or Haircut/, a.text);
    // A service named books without a detour through the FAQs.
    const h = chat(srv, f);
    await h.open();
    const b = ok(await h.say(`Haircut on ${localDate(f.zone, 3)} at 11am?`), 'service named');
    assert.match(b.text, /11:00 AM is free/, b.text);
  });

  test('"next Friday" is asked about, not picked', async () => {
    const c = chat(srv, t);
    await c.open();
    const a = ok(await c.say('Can I book a haircut next Friday at 3pm?'), 'ask');
    assert.match(a.text, /do you mean Friday, \w+ \d+ or Friday, \w+ \d+\?/, a.text);
    assert.ok(!a.tools.some((x) => x.name === 'check_availability'), 'no time chosen yet');
  });

  test('a service named as well as another ("a trim"): asked which, not guessed', async () => {
    const u = salon();
    adminSql(`INSERT INTO services (tenant_id, id, name, duration_minutes, price_minor, currency)
        VALUES (${lit(u.id)}, '44444444-4444-4444-8444-000000000009', 'Hair Trim', 20, 1800, 'USD');
      INSERT INTO staff_services (tenant_id, staff_id, service_id)
        VALUES (${lit(u.id)}, '${ALEX}', '44444444-4444-4444-8444-000000000009');`);
    const c = chat(srv, u);
    await c.open();
    const a = ok(await c.say('a trim tomorrow at 3pm'), 'ask');
    assert.match(a.text, /Which service would you like: (Beard Trim or Hair Trim|Hair Trim or Beard Trim)\?/, a.text);
    const b = ok(await c.say('Hair Trim'), 'answer');
    assert.match(b.text, /3:00 PM is free/, b.text);
  });

  test('two services in one request: neither is dropped, both are in the one confirmation', async () => {
    const c = chat(srv, t);
    await c.open();
    ok(await c.say(`a haircut and a beard trim on ${localDate(t.zone, 3)} at 11am`), 'ask');
    const p = ok(await c.say('Jo Doe, jo.two@example.com'), 'contact');
    assert.match(p.text, /^Just to confirm: Haircut and Beard Trim on /, p.text);
    assert.match(p.text, /\$37\.00/);
  });
});
