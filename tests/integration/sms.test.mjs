// sms.test.mjs — SMS through Twilio against a local fake of the Messages
// API (fakes/twilio.mjs): the tenant's own account or the platform's, the
// form fields and basic auth Twilio expects, outcomes classified (2xx sent;
// 429, 5xx and timeouts retried; other 4xx failed), the settings API (the
// token sealed, never shown again), status callbacks and inbound texts
// signed by the official `twilio` package's helper and refused unsigned,
// tampered or for another URL; STOP/START/HELP, idempotency by MessageSid,
// an inbound text answered by the receptionist over SMS, the plan's
// monthly allowance with one notice to the owner, and no number, body or
// token in any log line.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, freePort, killAll, lit, request, sleep, startWorker, waitFor } from './lib.mjs';
import { AUTH_ENV, createUser, session, uniqueEmail } from './auth_lib.mjs';
import { ALEX, HAIRCUT, salon } from './chat_lib.mjs';
import { serveOn } from './calendar_lib.mjs';
import { FakeTwilio, sid, twilioSignature, validate } from './fakes/twilio.mjs';

let fake;
let platform;
let env;
let srv;
let worker;
let A;			// a salon with its own Twilio account and number
let B;			// another salon, on the platform's account
let ownerA;
let acctA;
const NUMBER_A = '+15017122661';
const FROM_A = '+15017122662';
const CUSTOMER = '+14155550199';

async function signIn(t, role = 'OWNER') {
  const u = createUser({ tenant: t, role, email: uniqueEmail(role.toLowerCase()) });
  const c = await session(srv, u.email, { host: t.host });
  c.put = (p, b = {}, h) => c.call('PUT', p, b, h);
  c.email = u.email;
  return c;
}

// POSTs a Twilio-style form to path, signed (unless sign is false) for url
// with token by the official helper.
function twilioPost(path, params, { token, url, sign = true, signature } = {}) {
  const body = new URLSearchParams(params).toString();
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  const full = url ?? `${env.PUBLIC_BASE_URL}${path}`;
  if (signature !== undefined) headers['x-twilio-signature'] = signature;
  else if (sign) headers['x-twilio-signature'] = twilioSignature(token, full, params);
  return request({ port: srv.port, method: 'POST', path, headers, body });
}

function testSend(t, to, body) {
  return request({ port: srv.port, method: 'POST', path: '/v1/test/sms/send', host: t.host,
    body: { to, body } });
}

function inbound(from, text, { to = NUMBER_A, token = acctA.token, account = acctA.accountSid,
  messageSid = sid('SM'), ...opts } = {}) {
  const params = { AccountSid: account, ApiVersion: '2010-04-01', Body: text, From: from,
    MessageSid: messageSid, NumMedia: '0', NumSegments: '1', SmsMessageSid: messageSid,
    SmsSid: messageSid, SmsStatus: 'received', To: to };
  return twilioPost('/v1/webhooks/twilio/sms', params, { token, ...opts });
}

// The text a TwiML reply carries, if any.
const twimlMessage = (text) => /<Message>([^<]*)<\/Message>/.exec(text)?.[1];

const outboxRow = (t, providerId) => adminSql(`INSERT INTO notification_outbox (tenant_id,
  channel, recipient, template, status, provider_id) VALUES (${lit(t.id)}, 'sms',
  ${lit(CUSTOMER)}, 'booking.confirmed', 'sent', ${lit(providerId)}) RETURNING id`).split('\n')[0];
const outboxStatus = (id) => adminSql(`SELECT status || '|' || (delivered_at IS NOT NULL)
  || '|' || coalesce(last_error, '') FROM notification_outbox WHERE id = ${lit(id)}`);

before(async () => {
  fake = await new FakeTwilio().start();
  platform = fake.addAccount();
  acctA = fake.addAccount();
  const port = await freePort();
  env = {
    ...AUTH_ENV, ...fake.env(platform.accountSid, platform.token, { TWILIO_FROM: '+15005550006' }),
    PUBLIC_BASE_URL: `http://localhost:${port}`, LLM_PROVIDER: 'offline',
    JOB_BACKOFF_BASE_S: '1', TWILIO_TIMEOUT_MS: '1500',
    CHAT_RATE_IP_PER_MIN: '0', CHAT_RATE_SESSION_PER_MIN: '0', CHAT_NEW_PER_HOUR: '0',
  };
  srv = await serveOn(port, env);
  worker = await startWorker(env);
  A = salon({ name: "Tom & Jerry's Salon" });
  B = salon({});
  ownerA = await signIn(A);
});

after(async () => {
  await fake?.stop();
  await killAll();
});

describe('settings', () => {
  test('by default a salon uses the platform account; nothing is set', async () => {
    const r = await ownerA.get('/v1/admin/sms/settings');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.account, 'platform');
    assert.equal(r.json.account_sid, null);
    assert.deepEqual(r.json.auth_token, { set: false, last4: null });
    assert.equal(r.json.webhooks.inbound_url, `${env.PUBLIC_BASE_URL}/v1/webhooks/twilio/sms`);
    assert.equal(r.json.webhooks.status_callback_url,
      `${env.PUBLIC_BASE_URL}/v1/webhooks/twilio/status?tenant=${A.id}`);
    assert.equal(r.json.usage.limit, 5000);
  });

  test('bad fields are 400s naming them; a new account needs its token', async () => {
    let r = await ownerA.put('/v1/admin/sms/settings', { account_sid: 'AC123' });
    assert.equal(r.status, 400, r.text);
    assert.ok(r.json.error.details.some((d) => d.field === 'account_sid'));
    r = await ownerA.put('/v1/admin/sms/settings', { from_number: '5551234567' });
    assert.equal(r.status, 400, r.text);
    assert.ok(r.json.error.details.some((d) => d.field === 'from_number'));
    r = await ownerA.put('/v1/admin/sms/settings', { account_sid: acctA.accountSid });
    assert.equal(r.status, 400, r.text);
    assert.ok(r.json.error.details.some((d) => d.field === 'auth_token'));
    r = await ownerA.put('/v1/admin/sms/settings', { unknown: 1 });
    assert.equal(r.status, 400, r.text);
  });

  test('the owner sets the salon\'s own account; the token is sealed and never shown', async () => {
    const r = await ownerA.put('/v1/admin/sms/settings', { account_sid: acctA.accountSid,
      auth_token: acctA.token, from_number: FROM_A, inbound_number: NUMBER_A });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.account, 'tenant');
    assert.equal(r.json.account_sid, acctA.accountSid);
    assert.deepEqual(r.json.auth_token, { set: true, last4: acctA.token.slice(-4) });
    assert.ok(!r.text.includes(acctA.token));
    const g = await ownerA.get('/v1/admin/sms/settings');
    assert.ok(!g.text.includes(acctA.token));
    assert.equal(g.json.inbound_number, NUMBER_A);
    const row = adminSql(`SELECT row_to_json(s)::text FROM sms_settings s WHERE tenant_id = ${lit(A.id)}`);
    assert.ok(!row.includes(acctA.token), 'the token is stored in clear');
    assert.equal(adminSql(`SELECT count(*) FROM audit_log WHERE tenant_id = ${lit(A.id)}
      AND action = 'sms_settings.created'`), '1');
    assert.ok(!adminSql(`SELECT coalesce(string_agg(changes::text, ''), '') FROM audit_log
      WHERE tenant_id = ${lit(A.id)}`).includes(acctA.token));
    // A later change without the token keeps it.
    const k = await ownerA.put('/v1/admin/sms/settings', { account_sid: acctA.accountSid,
      from_number: FROM_A, inbound_number: NUMBER_A });
    assert.equal(k.status, 200, k.text);
    assert.equal(k.json.auth_token.set, true);
  });

  test('a viewer reads but cannot change; another salon never sees them', async () => {
    const viewer = await signIn(A, 'VIEWER');
    assert.equal((await viewer.get('/v1/admin/sms/settings')).status, 200);
    const p = await viewer.put('/v1/admin/sms/settings', { from_number: '+15550001111' });
    assert.equal(p.status, 403, p.text);
    const ownerB = await signIn(B);
    const g = await ownerB.get('/v1/admin/sms/settings');
    assert.equal(g.status, 200);
    assert.equal(g.json.account_sid, null);
    assert.equal(g.json.inbound_number, null);
    // A's number cannot be claimed by B.
    const c = await ownerB.put('/v1/admin/sms/settings', { inbound_number: NUMBER_A });
    assert.equal(c.status, 409, c.text);
    assert.equal(c.json.error.code, 'CONFLICT');
  });
});

describe('sending', () => {
  test('a text goes on the salon\'s account: form fields, basic auth, the status callback', async () => {
    const before = fake.seen('POST').length;
    const r = await testSend(A, CUSTOMER, 'See you Tuesday at 3:30 pm!');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.outcome, 'sent');
    assert.equal(r.json.segments, 1);
    const reqs = fake.seen('POST').slice(before);
    assert.equal(reqs.length, 1);
    const q = reqs[0];
    assert.equal(q.path, `/2010-04-01/Accounts/${acctA.accountSid}/Messages.json`);
    assert.equal(q.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(q.headers.authorization,
      `Basic ${Buffer.from(`${acctA.accountSid}:${acctA.token}`).toString('base64')}`);
    assert.deepEqual(q.body, { To: CUSTOMER, From: FROM_A, Body: 'See you Tuesday at 3:30 pm!',
      StatusCallback: `${env.PUBLIC_BASE_URL}/v1/webhooks/twilio/status?tenant=${A.id}` });
    assert.equal(r.json.provider_id, fake.sent.at(-1).sid);
  });

  test('a salon without its own account uses the platform\'s', async () => {
    const r = await testSend(B, CUSTOMER, 'Hello from B');
    assert.equal(r.json.outcome, 'sent', r.text);
    assert.equal(fake.sent.at(-1).accountSid, platform.accountSid);
    assert.equal(fake.sent.at(-1).form.From, '+15005550006');
  });

  test('segments: a long or non-GSM text is counted as Twilio bills it', async () => {
    const r = await testSend(A, CUSTOMER, 'Café ć '.repeat(12));
    assert.equal(r.json.segments, 2, r.text);
  });

  test('a text past Twilio\'s 1,600 characters fails without a call', async () => {
    const before = fake.requests.length;
    assert.equal((await testSend(A, CUSTOMER, 'x'.repeat(1600))).json.outcome, 'sent');
    const r = await testSend(A, CUSTOMER, 'x'.repeat(1601));
    assert.equal(r.json.outcome, 'failed', r.text);
    assert.equal(fake.requests.length, before + 1);
  });

  test('not E.164 fails without a call', async () => {
    const before = fake.requests.length;
    const r = await testSend(A, '4155550199', 'x');
    assert.equal(r.json.outcome, 'failed');
    assert.equal(fake.requests.length, before);
  });

  test('429, 5xx and a timeout are retried; other 4xx fail; the allowance is given back', async () => {
    const used = (await ownerA.get('/v1/admin/sms/settings')).json.usage.sent;
    const path = /\/Messages\.json$/;
    fake.fail({ method: 'POST', path, status: 500 });
    assert.equal((await testSend(A, CUSTOMER, 'a')).json.outcome, 'retry');
    fake.fail({ method: 'POST', path, status: 429, retryAfter: 5 });
    assert.equal((await testSend(A, CUSTOMER, 'b')).json.outcome, 'retry');
    fake.fail({ method: 'POST', path, status: 400, body: { code: 21610,
      message: 'Attempt to send to unsubscribed recipient', status: 400 } });
    const f = await testSend(A, CUSTOMER, 'c');
    assert.equal(f.json.outcome, 'failed');
    assert.match(f.json.why, /21610/);
    fake.fail({ method: 'POST', path, delayMs: 2500 });
    assert.equal((await testSend(A, CUSTOMER, 'd')).json.outcome, 'retry');
    assert.equal((await ownerA.get('/v1/admin/sms/settings')).json.usage.sent, used);
  });
});

describe('status callbacks', () => {
  const url = () => `${env.PUBLIC_BASE_URL}/v1/webhooks/twilio/status?tenant=${A.id}`;
  const path = () => `/v1/webhooks/twilio/status?tenant=${A.id}`;
  const params = (messageSid, status, extra = {}) => ({ AccountSid: acctA.accountSid,
    ApiVersion: '2010-04-01', From: FROM_A, MessageSid: messageSid, MessageStatus: status,
    SmsSid: messageSid, SmsStatus: status, To: CUSTOMER, ...extra });

  test('our verifier and twilio.validateRequest agree on the same signature', () => {
    const p = params(sid('SM'), 'delivered');
    assert.ok(validate(acctA.token, twilioSignature(acctA.token, url(), p), url(), p));
  });

  test('delivered moves a sent row forward once; a late failed does not move it back', async () => {
    const ms = sid('SM');
    const id = outboxRow(A, ms);
    let r = await twilioPost(path(), params(ms, 'delivered'), { token: acctA.token, url: url() });
    assert.equal(r.status, 200, r.text);
    assert.equal(outboxStatus(id), 'delivered|true|');
    r = await twilioPost(path(), params(ms, 'delivered'), { token: acctA.token, url: url() });
    assert.equal(r.status, 200, r.text);
    r = await twilioPost(path(), params(ms, 'failed', { ErrorCode: '30008' }),
      { token: acctA.token, url: url() });
    assert.equal(r.status, 200, r.text);
    assert.equal(outboxStatus(id), 'delivered|true|');
  });

  test('undelivered is bounced and failed is failed, with the error code', async () => {
    const m1 = sid('SM');
    const m2 = sid('SM');
    const r1 = outboxRow(A, m1);
    const r2 = outboxRow(A, m2);
    await twilioPost(path(), params(m1, 'undelivered', { ErrorCode: '30003' }),
      { token: acctA.token, url: url() });
    await twilioPost(path(), params(m2, 'failed', { ErrorCode: '30007' }),
      { token: acctA.token, url: url() });
    assert.equal(outboxStatus(r1), 'bounced|false|twilio error 30003');
    assert.equal(outboxStatus(r2), 'failed|false|twilio error 30007');
  });

  test('unsigned is 401, tampered, wrong URL or wrong token 403; nothing changes', async () => {
    const ms = sid('SM');
    const id = outboxRow(A, ms);
    const p = params(ms, 'delivered');
    let r = await twilioPost(path(), p, { sign: false });
    assert.equal(r.status, 401, r.text);
    assert.equal(r.json.error.code, 'UNAUTHENTICATED');
    const good = twilioSignature(acctA.token, url(), p);
    r = await twilioPost(path(), { ...p, MessageStatus: 'undelivered' }, { signature: good });
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.error.code, 'FORBIDDEN');
    r = await twilioPost(path(), p, { token: acctA.token, url: `${env.PUBLIC_BASE_URL}/elsewhere` });
    assert.equal(r.status, 403, r.text);
    r = await twilioPost(path(), p, { token: platform.token, url: url() });
    assert.equal(r.status, 403, r.text);
    r = await twilioPost(`/v1/webhooks/twilio/status?tenant=${B.id}`, p,
      { token: acctA.token, url: url() });
    assert.equal(r.status, 403, r.text);
    assert.equal(outboxStatus(id), 'sent|false|');
  });
});

describe('inbound texts', () => {

  test('STOP opts the number out with one confirmation; the next text is suppressed', async () => {
    const phone = '+14155550101';
    const ms = sid('SM');
    const r = await inbound(phone, '  stop ', { messageSid: ms });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers['content-type'], /^text\/xml/);
    const msg = twimlMessage(r.text);
    assert.match(msg, /unsubscribed/);
    assert.ok(msg.includes('Tom &amp; Jerry&apos;s Salon'), r.text);
    assert.equal(adminSql(`SELECT count(*) FROM sms_opt_outs WHERE tenant_id = ${lit(A.id)}
      AND phone = ${lit(phone)}`), '1');
    const before = fake.requests.length;
    const s = await testSend(A, phone, 'Reminder: tomorrow at 3');
    assert.equal(s.json.outcome, 'suppressed', s.text);
    assert.equal(fake.requests.length, before);
    // Twilio's retry of the same STOP: stored once, no second confirmation.
    const again = await inbound(phone, '  stop ', { messageSid: ms });
    assert.equal(again.status, 200);
    assert.equal(twimlMessage(again.text), undefined);
    assert.equal(adminSql(`SELECT count(*) FROM webhook_events WHERE provider = 'twilio'
      AND event_id = ${lit(ms)}`), '1');
    // Opted out for A only: B may still text it.
    assert.equal((await testSend(B, phone, 'from B')).json.outcome, 'sent');
  });

  test('every STOP word, any case, alone; a sentence is not a keyword', async () => {
    for (const [i, w] of ['STOPALL', 'unsubscribe', 'Cancel', 'END', 'quit'].entries()) {
      const phone = `+1415555020${i}`;
      const r = await inbound(phone, w);
      assert.match(twimlMessage(r.text) ?? '', /unsubscribed/, w);
    }
    const r = await inbound('+14155550299', 'cancel my 3pm please');
    assert.equal(twimlMessage(r.text), undefined);
    assert.equal(adminSql(`SELECT count(*) FROM sms_opt_outs WHERE tenant_id = ${lit(A.id)}
      AND phone = '+14155550299'`), '0');
  });

  test('START opts back in; HELP names the business and its contact', async () => {
    const phone = '+14155550102';
    await inbound(phone, 'STOP');
    const s = await inbound(phone, 'start');
    assert.match(twimlMessage(s.text), /resubscribed/);
    assert.equal((await testSend(A, phone, 'welcome back')).json.outcome, 'sent');
    const h = await inbound(phone, 'HELP');
    const msg = twimlMessage(h.text);
    assert.ok(msg.includes('Tom &amp; Jerry&apos;s Salon'));
    assert.ok(msg.includes('+14155550100'));
    assert.ok(msg.includes(`owner@${A.slug}.example`));
  });

  test('unsigned or forged inbound texts are refused; nothing stored', async () => {
    const ms = sid('SM');
    let r = await inbound('+14155550103', 'STOP', { sign: false, messageSid: ms });
    assert.equal(r.status, 401, r.text);
    r = await inbound('+14155550103', 'STOP', { token: 'f'.repeat(32), messageSid: ms });
    assert.equal(r.status, 403, r.text);
    assert.equal(adminSql(`SELECT count(*) FROM webhook_events WHERE event_id = ${lit(ms)}`), '0');
  });

  test('a webhook body over 64 KiB is a 413; a body that is not a form a 400', async () => {
    const big = await inbound(CUSTOMER, 'x'.repeat(70 * 1024));
    assert.equal(big.status, 413, big.text);
    const bad = await request({ port: srv.port, method: 'POST', path: '/v1/webhooks/twilio/sms',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'x' },
      body: 'Body=%zz' });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.json.error.code, 'INVALID_ARGUMENT');
  });

  test('a text to a number no business uses is acknowledged and ignored', async () => {
    const ms = sid('SM');
    const r = await inbound('+14155550104', 'hello?', { to: '+15550009999',
      token: platform.token, account: platform.accountSid, messageSid: ms });
    assert.equal(r.status, 200, r.text);
    assert.equal(twimlMessage(r.text), undefined);
    assert.equal(adminSql(`SELECT count(*) FROM webhook_events WHERE event_id = ${lit(ms)}`), '0');
    const u = await inbound('+14155550104', 'hello?', { to: '+15550009999', sign: false });
    assert.equal(u.status, 401);
  });

  test('any other text gets the receptionist\'s reply by SMS, in the customer\'s conversation',
    async () => {
      const customerId = adminSql(`INSERT INTO customers (tenant_id, name, phone)
        VALUES (${lit(A.id)}, 'Pat', ${lit(CUSTOMER)}) RETURNING id`).split('\n')[0];
      const before = fake.sent.length;
      const t0 = Date.now();
      const r = await inbound(CUSTOMER, 'Do you have parking?');
      assert.equal(r.status, 200, r.text);
      assert.ok(Date.now() - t0 < 3000, 'the webhook waited for the turn');
      assert.equal(twimlMessage(r.text), undefined);
      await waitFor(() => fake.sent.length > before, { timeoutMs: 20000, what: 'the SMS reply' });
      const reply = fake.sent.slice(before);
      assert.ok(reply.every((m) => m.form.To === CUSTOMER && m.form.From === FROM_A));
      assert.match(reply.map((m) => m.form.Body).join(' '), /parking/i);
      const conv = adminSql(`SELECT id || '|' || coalesce(customer_id::text, '') FROM conversations
        WHERE tenant_id = ${lit(A.id)} AND channel = 'sms'
        AND channel_ref = ${lit(`${NUMBER_A}|${CUSTOMER}`)}`).split('|');
      assert.equal(conv[1], customerId);
      const msgs = adminSql(`SELECT string_agg(role, ',' ORDER BY seq) FROM messages
        WHERE tenant_id = ${lit(A.id)} AND conversation_id = ${lit(conv[0])}`);
      assert.match(msgs, /^user,.*assistant/);
      // The next text continues the same conversation.
      const n = fake.sent.length;
      await inbound(CUSTOMER, 'And do you accept credit cards?');
      await waitFor(() => fake.sent.length > n, { timeoutMs: 20000, what: 'the second reply' });
      assert.equal(adminSql(`SELECT count(*) FROM conversations WHERE tenant_id = ${lit(A.id)}
        AND channel = 'sms' AND channel_ref = ${lit(`${NUMBER_A}|${CUSTOMER}`)}`), '1');
    });
});

describe('replies to a reminder', () => {
  const PAT = '+14155550177';

  test('"C" confirms the customer\'s next booking and says so; with none, the receptionist answers',
    async () => {
      const day = new Date(Date.now() + 5 * 86400000).toISOString().slice(0, 10);
      const b = await ownerA.post('/v1/admin/bookings', { services: [{ service_id: HAIRCUT }],
        start: `${day}T15:00:00Z`, staff_id: ALEX, customer: { name: 'Pat', phone: PAT } },
      { 'idempotency-key': `sms-c-${Date.now()}` });
      assert.equal(b.status, 201, b.text);
      const confirmed = () => adminSql(`SELECT confirmed_at IS NOT NULL FROM bookings
        WHERE tenant_id = ${lit(A.id)} AND id = ${lit(b.json.id)}`);
      assert.equal(confirmed(), 'f');
      const n = fake.sent.length;
      const r = await inbound(PAT, ' c. ');
      assert.equal(r.status, 200, r.text);
      assert.equal(twimlMessage(r.text), undefined, 'answered by the job, not the webhook');
      await waitFor(() => fake.sent.length > n, { timeoutMs: 20000, what: 'the confirmation text' });
      assert.equal(confirmed(), 't');
      const reply = fake.sent.slice(n).map((m) => m.form);
      assert.equal(reply[0].To, PAT);
      assert.match(reply[0].Body, new RegExp(`your booking \\(ref ${b.json.reference}\\) is confirmed`));

      // Nobody booked under this number: "C" goes to the receptionist.
      const m = fake.sent.length;
      await inbound('+14155550178', 'C');
      await waitFor(() => fake.sent.length > m, { timeoutMs: 20000, what: 'the receptionist' });
      assert.doesNotMatch(fake.sent.slice(m).map((x) => x.form.Body).join(' '), /is confirmed/);
    });

  test('"R" opens the receptionist\'s reschedule flow', async () => {
    const n = fake.sent.length;
    await inbound(PAT, 'R');
    await waitFor(() => fake.sent.length > n, { timeoutMs: 20000, what: 'the receptionist' });
    assert.match(fake.sent.slice(n).map((m) => m.form.Body).join(' '), /reschedul|move|reference|booking/i);
  });
});

describe('the plan\'s allowance', () => {
  test('past the month\'s texts, SMS is suppressed and the owner told once', async () => {
    const C = salon({ plan: 'basic' });
    const owner = createUser({ tenant: C, role: 'OWNER', email: uniqueEmail('smsowner') });
    await request({ port: srv.port, method: 'POST', path: '/v1/test/sms/usage', host: C.host,
      body: { sent: 499 } });
    assert.equal((await testSend(C, CUSTOMER, 'last one')).json.outcome, 'sent');
    const before = fake.requests.length;
    for (let i = 0; i < 3; i++) {
      const r = await testSend(C, CUSTOMER, 'one too many');
      assert.equal(r.json.outcome, 'suppressed', r.text);
      assert.match(r.json.why, /500/);
    }
    assert.equal(fake.requests.length, before);
    const notices = adminSql(`SELECT recipient || '|' || template || '|' || channel
      FROM notification_outbox WHERE tenant_id = ${lit(C.id)} AND template = 'sms.limit_reached'`);
    assert.equal(notices, `${owner.email}|sms.limit_reached|email`);
  });
});

describe('privacy', () => {
  test('no phone number, text body or token in any log line', async () => {
    await sleep(200);
    const logs = srv.stderr() + worker.stderr();
    for (const secret of [CUSTOMER, '+14155550101', NUMBER_A, 'Do you have parking', 'See you Tuesday',
      acctA.token, platform.token]) {
      assert.ok(!logs.includes(secret), `a log line holds ${secret}`);
    }
  });
});
