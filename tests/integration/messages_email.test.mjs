// messages_email.test.mjs — e-mail leaves the building: a real SMTP server
// (smtp-server) receives what the worker sends and mailparser reads it, so
// the tests check what a mailbox would show: the business's name as the
// From name, its contact as Reply-To, both parts, the .ics in UTC, the time
// in the business's zone in words, its brand colour, no platform name for a
// white-label tenant, escaping of a customer's name, the portal's manage
// link; alerts to the business (its contact, the booked staff member) and a
// text queued for a consenting customer. Then the send job's
// promises: 4xx retried then sent, 5xx failed, repeated 4xx dead after the
// maximum attempts, kill -9 mid-send leaves 'sending' and sends nothing
// twice (the admin's retry sends it), one message per dedupe key, the
// admin's list and retry for its own tenant only, and the development .eml
// backend.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { simpleParser } from 'mailparser';

import { adminSql, killAll, lit, request, sleep, startWorker, waitFor } from './lib.mjs';
import { adminServer, signIn } from './admin_lib.mjs';
import { AUTH_ENV, freshIp, req, uniqueEmail, createUser } from './auth_lib.mjs';
import { book, bookingBody, dayAhead, expect, salon } from './booking_lib.mjs';
import { brand, FROM, PRIMARY, queue, row, setAsideQueuedMail, smtpServer } from './messages_lib.mjs';

after(killAll);

describe('e-mail over SMTP', () => {
  let smtp;
  let srv;
  let worker;
  const env = () => ({ SMTP_URL: smtp.url, SMTP_FROM: FROM, MESSAGES_RETRY_FIXED_S: '1',
    MESSAGES_MAX_ATTEMPTS: '3', JOB_CONCURRENCY: '2' });

  before(async () => {
    smtp = await smtpServer();
    setAsideQueuedMail();
    srv = await adminServer({ PUBLIC_BASE_URL: 'http://localhost:8080' });
    worker = await startWorker(env());
  });
  after(async () => {
    await worker?.stop();
    await srv?.kill();
    smtp?.srv.close();
  });

  test('a booking confirmation: brand, Reply-To, both parts, the .ics and the local time in words', async () => {
    const t = salon({ zone: 'America/New_York', plan: 'pro' });
    brand(t, { name: 'Maison Rosé' });
    const d = dayAhead(6);
    const to = uniqueEmail('cust');
    const b = expect(await book(srv, t, bookingBody(`${d}T20:30:00Z`,
      { email: to, name: 'Zoe <b>Quinn</b> & "co"' })), 201);
    const [mail] = await waitFor(() => smtp.mailTo(to).length && smtp.mailTo(to),
      { timeoutMs: 20000, what: 'confirmation e-mail' });

    assert.equal(mail.from.value[0].name, 'Maison Rosé');
    assert.equal(mail.from.value[0].address, FROM);
    assert.equal(mail.replyTo.value[0].address, 'desk@salon.example');
    assert.match(mail.messageId, /^<[0-9a-f-]{36}@localhost>$/);
    assert.ok(mail.date instanceof Date && Math.abs(mail.date - Date.now()) < 120000);

    // 20:30 UTC is 3:30 pm in New York in December … or 4:30 pm in summer.
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', weekday: 'long',
      day: 'numeric', month: 'long', hour: 'numeric', minute: '2-digit', hour12: true })
      .formatToParts(new Date(`${d}T20:30:00Z`));
    const part = (k) => local.find((p) => p.type === k).value;
    const words = `${part('weekday')} ${part('day')} ${part('month')}, ${part('hour')}:${part('minute')} ${part('dayPeriod').toLowerCase()}`;
    assert.match(mail.subject, /^Your booking at Maison Rosé is confirmed: /);
    assert.ok(mail.subject.endsWith(words), `${mail.subject} / ${words}`);
    assert.ok(mail.text.includes(words), mail.text);
    assert.ok(mail.text.includes(b.reference));
    assert.ok(mail.text.includes('Hello Zoe <b>Quinn</b> & "co",'), mail.text);
    assert.ok(mail.text.includes('Sent with Receptionist'), 'the platform is named for a pro tenant');
    // The manage link opens the booking's portal page on the business's host.
    const manage = /Manage your booking: (\S+)/.exec(mail.text)?.[1];
    assert.equal(manage, `http://${t.slug}.localhost:8080/booking/${b.reference}`);
    const mp = await request({ port: srv.port, path: new URL(manage).pathname, host: t.host });
    assert.equal(mp.status, 200, mp.text);
    assert.ok(mail.html.includes(PRIMARY), 'brand colour');
    assert.ok(mail.html.includes('Zoe &lt;b&gt;Quinn&lt;/b&gt; &amp; &quot;co&quot;'), 'escaped');
    assert.ok(!mail.html.includes('<b>Quinn</b>'), 'no markup from a customer');
    assert.ok(mail.html.includes(words.replace(/&/g, '&amp;')));

    const ics = mail.attachments.find((a) => a.contentType === 'text/calendar');
    assert.ok(ics, 'an .ics attachment');
    assert.equal(ics.filename, 'invite.ics');
    const cal = ics.content.toString('utf8');
    const ymd = d.replace(/-/g, '');
    assert.match(cal, /^BEGIN:VCALENDAR\r\n/);
    assert.match(cal, /METHOD:PUBLISH\r\n/);
    assert.match(cal, new RegExp(`UID:${b.id}@localhost\r\n`));
    assert.match(cal, new RegExp(`DTSTART:${ymd}T203000Z\r\n`));
    assert.match(cal, new RegExp(`DTEND:${ymd}T210000Z\r\n`));
    assert.match(cal, /SUMMARY:Cut at Maison Rosé\r\n/);
    assert.match(cal, /LOCATION:12 Rue Verte\\, Springfield\r\n/);
    assert.match(cal, /STATUS:CONFIRMED\r\n/);
    assert.ok(!/Receptionist/.test(cal));

    const r = row(t, `recipient = ${lit(to)}`);
    assert.equal(r.status, 'sent');
    assert.equal(r.attempts, 1);
    assert.match(r.provider_id, /@localhost>$/);
  });

  test('a white-label tenant: the platform name appears nowhere', async () => {
    const t = salon({ plan: 'enterprise' });
    brand(t, { name: 'Studio Nine' });
    const to = uniqueEmail('wl');
    expect(await book(srv, t, bookingBody(`${dayAhead(4)}T10:00:00Z`, { email: to })), 201);
    const [mail] = await waitFor(() => smtp.mailTo(to).length && smtp.mailTo(to),
      { timeoutMs: 20000, what: 'white-label e-mail' });
    assert.equal(mail.from.value[0].name, 'Studio Nine');
    for (const s of [mail.subject, mail.text, mail.html, mail.from.text,
      ...mail.attachments.map((a) => a.content.toString('utf8'))])
      assert.ok(!/Receptionist/i.test(s), s);
  });

  test('the business hears of new bookings and cancellations (its contact address, else the owner, and the booked staff member); a consenting customer gets a text too', async () => {
    const t = salon({ zone: 'Europe/Paris' });
    const desk = uniqueEmail('desk');
    brand(t, { name: 'Salon Alerte', email: desk });
    const staffMail = uniqueEmail('ann');
    adminSql(`UPDATE staff SET email = ${lit(staffMail)} WHERE tenant_id = ${lit(t.id)}`);
    const to = uniqueEmail('cust');
    const b = expect(await book(srv, t, bookingBody(`${dayAhead(5)}T09:00:00Z`,
      { email: to, name: 'Rita', phone: '+14155550123', sms: true })), 201);
    for (const who of [desk, staffMail]) {
      const [m] = await waitFor(() => smtp.mailTo(who).length && smtp.mailTo(who),
        { timeoutMs: 20000, what: `alert to ${who}` });
      assert.match(m.subject, /^New booking: Rita, /);
      assert.ok(m.text.includes(b.reference));
    }
    // The text waits: no SMS provider yet (the placeholder adapter), no attempt spent.
    const sms = await waitFor(() => { const x = row(t, `channel = 'sms'`); return x?.last_error && x; },
      { timeoutMs: 20000, what: 'the text looked at' });
    assert.equal(sms.status, 'queued');
    assert.equal(sms.attempts, 0);
    assert.equal(adminSql(`SELECT recipient || ' ' || template FROM notification_outbox
      WHERE tenant_id = ${lit(t.id)} AND channel = 'sms'`), '+14155550123 booking.confirmed');

    const c = await signIn(srv, t, 'OWNER');
    const r = await c.post(`/v1/admin/bookings/${b.id}/cancel`, { reason: 'Closed that day' });
    assert.ok([200, 204].includes(r.status), r.text);
    const [cx] = await waitFor(() => smtp.mailTo(staffMail).length === 2 && smtp.mailTo(staffMail).slice(1),
      { timeoutMs: 20000, what: 'cancellation alert' });
    assert.match(cx.subject, /^Cancelled: Rita, /);
    const [cc] = await waitFor(() => smtp.mailTo(to).length === 2 && smtp.mailTo(to).slice(1),
      { timeoutMs: 20000, what: 'cancellation to the customer' });
    assert.match(cc.subject, /is cancelled$/);
    assert.match(cc.attachments[0].content.toString(), /STATUS:CANCELLED\r\n/);
  });

  test('the invitation e-mail names the business and its link opens the admin app', async () => {
    const t = salon();
    brand(t, { name: 'Cut & Co' });
    const owner = await signIn(srv, t, 'OWNER');
    const to = uniqueEmail('inv');
    const r = await owner.post('/v1/admin/invitations', { email: to, role: 'VIEWER' });
    assert.equal(r.status, 201, r.text);
    const [mail] = await waitFor(() => smtp.mailTo(to).length && smtp.mailTo(to),
      { timeoutMs: 20000, what: 'invitation e-mail' });
    assert.equal(mail.subject, "You're invited to join Cut & Co");
    const link = /(http:\/\/\S+\/admin\/accept-invitation#token=[A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
    assert.ok(link, mail.text);
    assert.ok(mail.html.includes(link), 'the same link in the HTML');
    const u = new URL(link);
    const page = await request({ port: srv.port, path: u.pathname, host: u.hostname });
    assert.equal(page.status, 200, page.text);
    assert.match(page.headers['content-type'], /text\/html/);

    // The admin's list shows it, its secret redacted.
    const list = await owner.get('/v1/admin/messages?channel=email');
    assert.equal(list.status, 200, list.text);
    const m = list.json.items.find((x) => x.recipient === to);
    assert.equal(m.template, 'auth.invitation');
    assert.equal(m.status, 'sent');
    assert.ok(!JSON.stringify(list.json).includes(u.hash.slice(7)), 'no live token');
    assert.match(m.payload.accept_url, /token=\[redacted\]/);
  });

  test('the password reset e-mail comes from the platform and its link opens the reset page', async () => {
    const u = createUser();
    const r = await req({ port: srv.port, method: 'POST', path: '/v1/auth/password/forgot',
      body: { email: u.email }, localAddress: freshIp() });
    assert.equal(r.status, 202);
    const [mail] = await waitFor(() => smtp.mailTo(u.email).length && smtp.mailTo(u.email),
      { timeoutMs: 20000, what: 'reset e-mail' });
    assert.equal(mail.subject, 'Reset your password');
    assert.equal(mail.from.value[0].name, 'Receptionist');
    const link = /(http:\/\/\S+\/reset-password#token=[A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
    assert.ok(link, mail.text);
    const url = new URL(link);
    const page = await request({ port: srv.port, path: url.pathname, host: url.hostname });
    assert.equal(page.status, 200, page.text);
    assert.equal(adminSql(`SELECT status FROM platform_outbox WHERE recipient = ${lit(u.email)}`),
      'sent');
  });

  test('4xx replies are retried, then the message is sent', async () => {
    const t = salon();
    const to = `t451x2-${Date.now()}@example.com`;
    queue(t, to);
    await waitFor(() => smtp.mailTo(to).length === 1, { timeoutMs: 20000, what: 'sent after retries' });
    const r = await waitFor(() => { const x = row(t, `recipient = ${lit(to)}`); return x.status === 'sent' && x; },
      { timeoutMs: 5000, what: 'status sent' });
    assert.equal(r.attempts, 3);
    assert.equal(smtp.seen.get(to), 3);
  });

  test('a 5xx reply fails the message at once', async () => {
    const t = salon();
    const to = `p550-${Date.now()}@example.com`;
    queue(t, to);
    const r = await waitFor(() => { const x = row(t, `recipient = ${lit(to)}`); return x.status === 'failed' && x; },
      { timeoutMs: 20000, what: 'status failed' });
    assert.equal(r.attempts, 1);
    assert.match(r.last_error, /550/);
    await sleep(2500);
    assert.equal(smtp.seen.get(to), 1, 'never tried again');
  });

  test('a burst of mail goes through one SMTP session, and an address refused in the middle fails alone', async () => {
    const t = salon();
    const stamp = Date.now();
    const ok = [0, 1, 2, 3].map((i) => `burst${i}-${stamp}@example.com`);
    const refused = `bounce-burst-${stamp}@example.com`;
    const rejected = `p550-burst-${stamp}@example.com`;
    // One INSERT, all due already: one wake-up, one claim, one batch.
    const burst = (list) => adminSql(`INSERT INTO notification_outbox (tenant_id, recipient, template,
      payload, next_attempt_at) VALUES ${list.map((to) => `(${lit(t.id)}, ${lit(to)}, 'ai.handoff',
      '{"customer_name": "Zed", "channel": "web"}', now() - interval '1 second')`).join(',')}`);

    burst(ok);
    for (const to of ok)
      await waitFor(() => row(t, `recipient = ${lit(to)}`)?.status === 'sent', { timeoutMs: 20000, what: `${to} sent` });
    assert.equal(new Set(ok.map((to) => smtp.sessionOf(to))).size, 1, 'four messages, one SMTP session');

    // Two refusals in the same batch as four accepted messages.
    const more = ok.map((a) => a.replace('burst', 'again'));
    burst([more[0], more[1], refused, rejected, more[2], more[3]]);
    const done = (to, status) => waitFor(() => row(t, `recipient = ${lit(to)}`)?.status === status,
      { timeoutMs: 20000, what: `${to} ${status}` });
    for (const to of more)
      await done(to, 'sent');
    await done(refused, 'bounced');
    await done(rejected, 'failed');
    for (const to of more) {
      const r = row(t, `recipient = ${lit(to)}`);
      assert.equal(r.attempts, 1, `${to} went once`);
      assert.equal(smtp.mailTo(to).length, 1);
    }
    assert.equal(row(t, `recipient = ${lit(refused)}`).attempts, 1);
    assert.match(row(t, `recipient = ${lit(rejected)}`).last_error, /550/);
    // A refusal ends its session (libcurl closes a connection whose
    // transfer failed); the accepted ones share what is left of the batch.
    const used = new Set(more.map((to) => smtp.sessionOf(to))).size;
    assert.ok(used <= 3, `four accepted around two refusals came over ${used} sessions`);
  });

  test('a refused address bounces: later mail from that business to it is suppressed until the admin sends the bounced one again', async () => {
    const t = salon();
    const to = `bounce-${Date.now()}@example.com`;
    const first = queue(t, to);
    const r = await waitFor(() => { const x = row(t, `id = ${lit(first)}`); return x.status === 'bounced' && x; },
      { timeoutMs: 20000, what: 'status bounced' });
    assert.equal(r.attempts, 1);
    assert.match(r.last_error, /RCPT failed: 550/);
    assert.equal(adminSql(`SELECT count(*) FROM email_bounces WHERE tenant_id = ${lit(t.id)}
      AND email = ${lit(to.toUpperCase())}`), '1', 'listed, whatever the case');
    await sleep(2500);
    assert.equal(smtp.rcpt.get(to), 1, 'never tried again');

    // The next message to that address is not even tried.
    const second = queue(t, to, 'ai.handoff', { customer_name: 'Yan', channel: 'web' });
    const s2 = await waitFor(() => { const x = row(t, `id = ${lit(second)}`); return x.status === 'suppressed' && x; },
      { timeoutMs: 20000, what: 'status suppressed' });
    assert.match(s2.last_error, /bounced before/);
    assert.equal(smtp.rcpt.get(to), 1);

    // Another business's mail to the same address is still tried.
    const other = salon();
    const theirs = queue(other, to);
    await waitFor(() => row(other, `id = ${lit(theirs)}`).status === 'bounced', { timeoutMs: 20000, what: 'other bounced' });
    assert.equal(smtp.rcpt.get(to), 2);

    // Send again: the address comes off the list and the message is tried.
    const owner = await signIn(srv, t, 'OWNER');
    const list = await owner.get('/v1/admin/messages?status=bounced');
    assert.equal(list.status, 200);
    assert.ok(list.json.items.some((m) => m.id === first && m.status === 'bounced'));
    const again = await owner.post(`/v1/admin/messages/${first}/retry`, {});
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.status, 'queued');
    await waitFor(() => smtp.rcpt.get(to) === 3, { timeoutMs: 20000, what: 'tried again' });
    await waitFor(() => row(t, `id = ${lit(first)}`).status === 'bounced', { timeoutMs: 20000, what: 'bounced again' });
  });

  test('repeated 4xx: dead after the maximum attempts, then the admin retries it', async () => {
    const t = salon();
    const to = `t451-${Date.now()}@example.com`;
    const id = queue(t, to);
    const r = await waitFor(() => { const x = row(t, `recipient = ${lit(to)}`); return x.status === 'dead' && x; },
      { timeoutMs: 45000, what: 'status dead' });
    assert.equal(r.attempts, 3);
    assert.match(r.last_error, /451/);
    await sleep(2500);
    assert.equal(smtp.seen.get(to), 3, 'no attempt after dead');

    // Another business's admin neither sees nor retries it.
    const other = salon();
    const stranger = await signIn(srv, other, 'OWNER');
    const theirs = await stranger.get('/v1/admin/messages?status=failed');
    assert.equal(theirs.status, 200);
    assert.ok(!theirs.json.items.some((m) => m.id === id));
    assert.equal((await stranger.post(`/v1/admin/messages/${id}/retry`, {})).status, 404);
    assert.equal(row(t, `id = ${lit(id)}`).status, 'dead');

    // A viewer may read the list but not retry.
    const viewer = await signIn(srv, t, 'VIEWER');
    const vl = await viewer.get('/v1/admin/messages?status=failed');
    assert.ok(vl.json.items.some((m) => m.id === id && m.status === 'dead' && m.attempts === 3));
    assert.equal((await viewer.post(`/v1/admin/messages/${id}/retry`, {})).status, 403);

    const owner = await signIn(srv, t, 'OWNER');
    const bad = await owner.get('/v1/admin/messages?status=lost');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'INVALID_ARGUMENT');
    const rr = await owner.post(`/v1/admin/messages/${id}/retry`, {});
    assert.equal(rr.status, 200, rr.text);
    assert.equal(rr.json.status, 'queued');
    assert.equal(rr.json.attempts, 0);
    assert.equal(adminSql(`SELECT count(*) FROM audit_log WHERE tenant_id = ${lit(t.id)}
      AND action = 'message.retried' AND target_id = ${lit(id)}`), '1');
    await waitFor(() => smtp.seen.get(to) >= 4, { timeoutMs: 20000, what: 'retried send' });
  });

  test('one message per dedupe key', async () => {
    const t = salon();
    const to = uniqueEmail('dd');
    queue(t, to, 'ai.handoff', { customer_name: 'A' }, 'handoff:conv-1');
    queue(t, to, 'ai.handoff', { customer_name: 'B' }, 'handoff:conv-1');
    assert.equal(adminSql(`SELECT count(*) FROM notification_outbox WHERE tenant_id = ${lit(t.id)}
      AND recipient = ${lit(to)}`), '1');
    // A replayed booking notice queues nothing new either.
    const to2 = uniqueEmail('dd2');
    const b = expect(await book(srv, t, bookingBody(`${dayAhead(3)}T11:00:00Z`, { email: to2 })), 201);
    await waitFor(() => smtp.mailTo(to2).length === 1, { timeoutMs: 20000, what: 'first notice' });
    adminSql(`INSERT INTO jobs (tenant_id, kind, payload) VALUES (${lit(t.id)},
      'notifications.booking', ${lit(JSON.stringify({ booking_id: b.id, event: 'confirmed' }))})`);
    await waitFor(() => adminSql(`SELECT count(*) FROM jobs WHERE tenant_id = ${lit(t.id)}
      AND kind = 'notifications.booking' AND status = 'done'`) === '2', { timeoutMs: 20000, what: 'replay done' });
    await sleep(1500);
    assert.equal(adminSql(`SELECT count(*) FROM notification_outbox WHERE tenant_id = ${lit(t.id)}
      AND recipient = ${lit(to2)}`), '1');
    assert.equal(smtp.mailTo(to2).length, 1);
  });

  test('kill -9 of the worker mid-send leaves the message in sending and never sends it twice', async () => {
    const t = salon();
    const to = `hang-${Date.now()}@example.com`;
    await worker.stop();
    worker = await startWorker({ ...env(), SMTP_TIMEOUT_MS: '60000' });
    const id = queue(t, to);
    await waitFor(() => smtp.got.some((g) => g.to === to && g.hung), { timeoutMs: 20000, what: 'data sent' });
    assert.equal(row(t, `id = ${lit(id)}`).status, 'sending');
    await worker.kill();
    smtp.hang.on = false;
    worker = await startWorker(env());
    await sleep(4000);
    const r = row(t, `id = ${lit(id)}`);
    assert.equal(r.status, 'sending', 'never resent on its own');
    assert.equal(r.attempts, 1);
    assert.equal(smtp.seen.get(to), 1);
    // The admin sees it and may send it again.
    const owner = await signIn(srv, t, 'OWNER');
    const list = await owner.get('/v1/admin/messages');
    assert.ok(list.json.items.some((m) => m.id === id && m.status === 'sending'));
    assert.equal((await owner.post(`/v1/admin/messages/${id}/retry`, {})).status, 200);
    await waitFor(() => row(t, `id = ${lit(id)}`).status === 'sent', { timeoutMs: 20000, what: 'sent on retry' });
    assert.equal(smtp.mailTo(to).length, 1);
  });
});

describe('development .eml backend', () => {
  test('without SMTP_URL, MAIL_DIR gets one .eml per message and the worker says so', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-'));
    const t = salon();
    brand(t, { name: 'Dev Salon' });
    setAsideQueuedMail();
    const w = await startWorker({ MAIL_DIR: dir, SMTP_URL: '', SMTP_FROM: FROM });
    try {
      const to = uniqueEmail('eml');
      queue(t, to);
      // Its own file (anything queued meanwhile by a test still running
      // would be written here too).
      const mine = async () => {
        for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.eml'))) {
          const m = await simpleParser(fs.readFileSync(path.join(dir, f)));
          if (m.to?.value[0]?.address === to) return m;
        }
        return null;
      };
      const mail = await waitFor(mine, { timeoutMs: 20000, what: '.eml file' });
      assert.equal(mail.from.value[0].name, 'Dev Salon');
      assert.equal(mail.to.value[0].address, to);
      assert.match(mail.subject, /is waiting for a person/);
      assert.ok(mail.text && mail.html);
      await waitFor(() => w.logs().some((l) => /\.eml file under/.test(l.msg)),
        { timeoutMs: 5000, what: 'the MAIL_DIR warning' });
      assert.equal(row(t, `recipient = ${lit(to)}`).status, 'sent');
    } finally {
      await w.stop();
    }
  });

  test('without SMTP_URL or MAIL_DIR, mail stays queued and visible, no attempt burnt', async () => {
    const t = salon();
    const w = await startWorker({ SMTP_URL: '', MAIL_DIR: '' });
    try {
      const to = uniqueEmail('q');
      queue(t, to);
      const r = await waitFor(() => { const x = row(t, `recipient = ${lit(to)}`); return x.last_error && x; },
        { timeoutMs: 20000, what: 'looked at' });
      assert.equal(r.status, 'queued');
      assert.equal(r.attempts, 0);
      assert.match(r.last_error, /SMTP_URL/);
      await waitFor(() => w.logs().some((l) => /messages stay queued/.test(l.msg)),
        { timeoutMs: 5000, what: 'the no-provider warning' });
    } finally {
      await w.stop();
    }
  });
});
