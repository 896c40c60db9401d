// messages_unsubscribe.test.mjs — a customer stops a business's reminder
// e-mails: every reminder carries the link (in the text and as
// List-Unsubscribe with List-Unsubscribe-Post); GET shows a page that asks
// and changes nothing (mail scanners open links); the page's button or a
// mail client's one-click POST opts the address out, and the next reminder
// to it is suppressed while a booking confirmation still goes. The link
// names the message, not the address, and works only on that business's
// host: a tampered signature or another business's host are refused with
// the JSON error shape. And one reminder end to end: planned by the
// reminders planner, sent by the worker, read from the mailbox (the time in
// words, the confirmation button, the manage and unsubscribe links).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';

import { adminSql, assertErrorBody, killAll, lit, request, waitFor } from './lib.mjs';
import { signIn } from './admin_lib.mjs';
import { uniqueEmail } from './auth_lib.mjs';
import { CUT, dayAhead, expect, key, salon, staffId } from './booking_lib.mjs';
import { brand, mailRig, queue, row } from './messages_lib.mjs';

after(killAll);

const reminder = (who = 'Zoe') => ({ customer_name: who, service: 'Cut', reference: 'ABC234',
  starts_at: Math.floor(Date.now() / 1000) + 86400, ends_at: Math.floor(Date.now() / 1000) + 88200 });

describe('unsubscribing from reminder e-mails', () => {
  const rig = mailRig();

  test('the link in a reminder: GET asks, one-click POST opts out, the next reminder is suppressed, a confirmation still goes', async () => {
    const t = salon({ zone: 'America/New_York' });
    brand(t, { name: 'Maison Rosé' });
    const to = uniqueEmail('remind');
    queue(t, to, 'booking.reminder', reminder());
    const [mail] = await waitFor(() => rig.smtp.mailTo(to).length && rig.smtp.mailTo(to),
      { timeoutMs: 20000, what: 'the reminder' });

    // The raw header lines, as a mail client reads them.
    const raw = (name) => mail.headerLines.find((h) => h.key === name)?.line ?? '';
    const link = /^List-Unsubscribe: <([^>]+)>$/i.exec(raw('list-unsubscribe'))?.[1];
    assert.ok(link, `a link in ${raw('list-unsubscribe')}`);
    assert.equal(raw('list-unsubscribe-post'), 'List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    assert.ok(mail.text.includes(`Unsubscribe: ${link}`), 'the link is in the text too');
    const u = new URL(link);
    assert.equal(u.host, `${t.slug}.localhost:8080`);
    assert.equal(u.pathname, '/v1/public/messages/unsubscribe');
    assert.ok(!link.includes(to) && !link.includes(encodeURIComponent(to)), 'no address in the link');
    const path = `${u.pathname}${u.search}`;

    // Opening the link asks and changes nothing.
    const page = await request({ port: rig.srv.port, path, host: t.host });
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'], /text\/html/);
    assert.match(page.headers['content-security-policy'], /default-src 'none'/);
    assert.match(page.text, /Stop reminder e-mails\?/);
    assert.match(page.text, /Maison Rosé/);
    assert.match(page.text, /<form method="post">/);
    assert.equal(adminSql(`SELECT count(*) FROM email_optouts WHERE tenant_id = ${lit(t.id)}`), '0');

    // A reminder already queued for tomorrow is stopped by the opt-out.
    adminSql(`INSERT INTO notification_outbox (tenant_id, recipient, template, payload,
      next_attempt_at) VALUES (${lit(t.id)}, ${lit(to)}, 'booking.reminder',
      ${lit(JSON.stringify(reminder()))}, now() + interval '1 day')`);

    // The mail client's one-click.
    const one = await request({ port: rig.srv.port, method: 'POST', path, host: t.host,
      headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(one.json, { unsubscribed: true });
    assert.equal(adminSql(`SELECT source FROM email_optouts WHERE tenant_id = ${lit(t.id)}
      AND email = ${lit(to.toUpperCase())}`), 'one_click');
    assert.equal(row(t, `recipient = ${lit(to)} AND status <> 'sent'`).status, 'suppressed');
    // Twice is fine.
    const again = await request({ port: rig.srv.port, method: 'POST', path, host: t.host, body: '' });
    assert.equal(again.status, 200);

    // The next reminder is never sent; a confirmation still is.
    queue(t, to, 'booking.reminder', reminder());
    await waitFor(() => row(t, `recipient = ${lit(to)} AND status NOT IN ('sent', 'queued')
      AND created_at > now() - interval '1 minute' AND last_error LIKE '%unsubscribed%'`),
    { timeoutMs: 20000, what: 'the suppressed reminder' });
    queue(t, to, 'booking.confirmed', reminder());
    await waitFor(() => rig.smtp.mailTo(to).some((m) => /is confirmed/.test(m.subject)),
      { timeoutMs: 20000, what: 'the confirmation' });
    assert.equal(rig.smtp.mailTo(to).filter((m) => /^Reminder/.test(m.subject)).length, 1);
  });

  test('a reminder the planner made goes out: the time in words, the confirm button, the links', async () => {
    const t = salon({ zone: 'America/New_York' });
    brand(t, { name: 'Maison Rosé' });
    const owner = await signIn(rig.srv, t, 'OWNER');
    const to = uniqueEmail('planned');
    const d = dayAhead(4);
    const start = adminSql(`SELECT to_char(('${d} 15:30'::timestamp AT TIME ZONE 'America/New_York')
      AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`);
    const b = expect(await owner.post('/v1/admin/bookings', { services: [{ service_id: CUT }], start,
      staff_id: staffId(0), customer: { name: 'Eve', email: to } }, { 'idempotency-key': key() }), 201);
    await waitFor(() => rig.smtp.mailTo(to).length, { timeoutMs: 20000, what: 'the confirmation' });
    // Plan from a clock a day and a half before, then make the 24 h reminder due now.
    const p = await rig.srv.request({ method: 'POST', path: '/v1/test/reminders/plan', host: t.host,
      body: { now: new Date(Date.parse(start) - 36 * 3600000).toISOString(), horizon_minutes: 43200 } });
    assert.equal(p.status, 200, p.text);
    adminSql(`UPDATE notification_outbox SET next_attempt_at = now() WHERE tenant_id = ${lit(t.id)}
      AND template = 'booking.reminder' AND (payload->>'offset_minutes')::int = 1440`);
    const [mail] = await waitFor(() => {
      const m = rig.smtp.mailTo(to).filter((x) => /^Reminder/.test(x.subject));
      return m.length && m;
    }, { timeoutMs: 20000, what: 'the reminder' });
    const words = new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', weekday: 'long',
      day: 'numeric', month: 'long' }).format(new Date(start));
    assert.equal(mail.subject, `Reminder: Cut at Maison Rosé, ${words.replace(',', '')}, 3:30 pm`);
    assert.ok(mail.html.includes(`/booking/${b.reference}/confirm#token=`), 'the confirm button');
    assert.ok(mail.text.includes(`Cannot make it? Change or cancel: http://${t.slug}.localhost:8080/booking/${b.reference}`));
    assert.match(mail.text, /Unsubscribe: http:\/\/\S+\/v1\/public\/messages\/unsubscribe\?m=/);
  });

  test('the page\'s button answers a page; tampered or foreign links are refused', async () => {
    const t = salon();
    const other = salon();
    const to = uniqueEmail('remind');
    queue(t, to, 'booking.reminder', reminder());
    const [mail] = await waitFor(() => rig.smtp.mailTo(to).length && rig.smtp.mailTo(to),
      { timeoutMs: 20000, what: 'the reminder' });
    const u = new URL(/Unsubscribe: (\S+)/.exec(mail.text)[1]);
    const path = `${u.pathname}${u.search}`;

    const button = await request({ port: rig.srv.port, method: 'POST', path, host: t.host,
      headers: { accept: 'text/html', origin: `http://${t.host}` }, body: '' });
    assert.equal(button.status, 200, button.text);
    assert.match(button.text, /You are unsubscribed/);
    assert.equal(adminSql(`SELECT source FROM email_optouts WHERE tenant_id = ${lit(t.id)}`), 'link');

    const sig = u.searchParams.get('t');
    const bad = [
      `${u.pathname}?m=${u.searchParams.get('m')}&t=${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`,
      `${u.pathname}?m=${u.searchParams.get('m')}`,
      `${u.pathname}?m=not-a-uuid&t=${sig}`,
      `${u.pathname}?m=00000000-0000-4000-8000-000000000000&t=${sig}`,
    ];
    for (const p of bad) {
      for (const method of ['GET', 'POST']) {
        const r = await request({ port: rig.srv.port, method, path: p, host: t.host, body: method === 'POST' ? '' : undefined });
        assertErrorBody(assert, r, 404, 'NOT_FOUND');
      }
    }
    // The same link on another business's host: its signature is not theirs.
    const foreign = await request({ port: rig.srv.port, method: 'POST', path, host: other.host, body: '' });
    assertErrorBody(assert, foreign, 404, 'NOT_FOUND');
    assert.equal(adminSql(`SELECT count(*) FROM email_optouts WHERE tenant_id = ${lit(other.id)}`), '0');
  });
});
