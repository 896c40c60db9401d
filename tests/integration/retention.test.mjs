// retention.test.mjs — issue 11 §3: per-tenant retention settings, the
// retention job (the only hard delete), and a customer's export and
// erasure.
//
// Ages are proven, not assumed: rows are written with timestamps set back
// (as the superuser), the job runs (one tenant's part through a test route,
// the whole hourly run through a real worker), and the test
// asserts what went and what stayed, its audit rows and its /metrics
// counters.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { adminSql, killAll, lit, startWorker, waitFor } from './lib.mjs';
import { adminServer, assertInvalid, assertStatus, countRows, FAKE, signIn } from './admin_lib.mjs';
import { book, bookingBody, CUT, dayAhead, expect, salon, starts } from './booking_lib.mjs';

after(killAll);

const T = (t) => lit(t.id);
let refSeq = 0;
// A booking reference of the schema's alphabet, unique within the run.
function reference() {
  const abc = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
  let n = ++refSeq + Math.floor(Math.random() * 1e6) * 1000;
  let s = '';
  for (let i = 0; i < 6; i++) { s += abc[n % abc.length]; n = Math.floor(n / abc.length); }
  return s;
}

// A customer created `createdAgo` ago (a Postgres interval), with one
// booking per entry of `bookingsAgo` (each ended that long ago, one item).
function customer(t, { name = 'Old Client', email = `${randomUUID()}@example.com`, phone,
  createdAgo = '0 days', bookingsAgo = [] } = {}) {
  const id = randomUUID();
  adminSql(`INSERT INTO customers (tenant_id, id, name, email, phone, created_at)
    VALUES (${T(t)}, '${id}', ${lit(name)}, ${email ? lit(email) : 'NULL'},
      ${phone ? lit(phone) : 'NULL'}, now() - interval ${lit(createdAgo)})`);
  for (const ago of bookingsAgo) {
    const b = randomUUID();
    adminSql(`INSERT INTO bookings (tenant_id, id, reference, customer_id, source, starts_at,
        ends_at, notes, total_minor, currency, created_at)
      VALUES (${T(t)}, '${b}', '${reference()}', '${id}', 'admin',
        now() - interval ${lit(ago)} - interval '30 minutes', now() - interval ${lit(ago)},
        'allergic to nuts', 2500, 'USD', now() - interval ${lit(ago)} - interval '1 day');
      INSERT INTO booking_items (tenant_id, booking_id, position, service_id, staff_id,
        starts_at, ends_at, price_minor)
      VALUES (${T(t)}, '${b}', 0, '${CUT}', '${t.staff[0].id}',
        now() - interval ${lit(ago)} - interval '30 minutes', now() - interval ${lit(ago)}, 2500)`);
  }
  return id;
}

// A web conversation last active `ago` ago with n customer messages.
function conversation(t, { ago = '0 days', n = 2, customerId = null, contact = {},
  text = 'hello' } = {}) {
  const id = randomUUID();
  adminSql(`INSERT INTO conversations (tenant_id, id, channel, customer_id, contact,
      summary, last_activity_at, created_at, message_count)
    VALUES (${T(t)}, '${id}', 'web', ${customerId ? lit(customerId) : 'NULL'},
      ${lit(JSON.stringify(contact))}::jsonb, ${lit(`summary: ${text}`)},
      now() - interval ${lit(ago)}, now() - interval ${lit(ago)}, ${n});
    INSERT INTO messages (tenant_id, conversation_id, seq, role, author, content, created_at)
      SELECT ${T(t)}, '${id}', s, 'user', 'customer', ${lit(text)} || ' #' || s,
        now() - interval ${lit(ago)} FROM generate_series(1, ${n}) s`);
  return id;
}

function outbox(t, { status = 'sent', ago = '0 days', recipient = 'someone@example.com',
  template = 'booking.confirmed', payload = {} } = {}) {
  const id = randomUUID();
  adminSql(`INSERT INTO notification_outbox (tenant_id, id, recipient, template, payload,
      status, sent_at, created_at, updated_at)
    VALUES (${T(t)}, '${id}', ${lit(recipient)}, ${lit(template)}, ${lit(JSON.stringify(payload))},
      ${lit(status)}, ${status === 'sent' ? `now() - interval ${lit(ago)}` : 'NULL'},
      now() - interval ${lit(ago)}, now() - interval ${lit(ago)})`);
  return id;
}

function webhook(tenant, ago) {
  const id = `evt_${randomUUID()}`;
  adminSql(`INSERT INTO webhook_events (tenant_id, provider, event_id, body_sha256, payload,
      received_at)
    VALUES (${tenant ? T(tenant) : 'NULL'}, 'stripe', '${id}', '\\x00', '{"email": "x@example.com"}',
      now() - interval ${lit(ago)})`);
  return id;
}

// A waitlist entry for a day `daysAgo` days past (the tenant's zone moves
// the cutoff by a day at most), with a passed offer when `offer`; with
// `bookingId` one that refilled a slot (entry and offer booked).
function waitlistEntry(t, { daysAgo, offer = false, bookingId = null }) {
  const id = randomUUID();
  const booked = bookingId ? lit(bookingId) : 'NULL';
  adminSql(`INSERT INTO waitlist_entries (tenant_id, id, service_id, day, name, email, channel,
      status, leave_token_hash, booking_id)
    VALUES (${T(t)}, '${id}', '${CUT}', current_date - ${daysAgo}, 'Wendy Wait',
      'wendy@example.com', 'email', '${bookingId ? 'booked' : 'expired'}',
      sha256('${id}'::bytea), ${booked})`);
  if (offer || bookingId)
    adminSql(`INSERT INTO waitlist_offers (tenant_id, entry_id, slot_key, service_id, staff_id,
        starts_at, token_hash, expires_at, status, booking_id)
      VALUES (${T(t)}, '${id}', 'slot:${id}', '${CUT}', '${t.staff[0].id}',
        now() - interval '${daysAgo} days', sha256('offer:${id}'::bytea),
        now() - interval '${daysAgo} days', '${bookingId ? 'booked' : 'passed'}', ${booked})`);
  return id;
}
const bookingOf = (customerId, order) => adminSql(`SELECT id FROM bookings
  WHERE customer_id = '${customerId}' ORDER BY ends_at ${order} LIMIT 1`);

const exists = (table, where) => Number(adminSql(`SELECT count(*) FROM ${table} WHERE ${where}`)) > 0;

async function metric(srv, table) {
  const r = await srv.request({ path: '/metrics' });
  assert.equal(r.status, 200);
  const m = new RegExp(`^retention_deleted_rows_total\\{table="${table}"\\} (\\d+)$`, 'm').exec(r.text);
  assert.ok(m, `retention_deleted_rows_total{table="${table}"} in /metrics:\n${r.text.slice(-800)}`);
  return Number(m[1]);
}

// Runs one tenant's part of the retention job now; returns its counts.
async function runTenant(srv, t) {
  const r = await srv.request({ method: 'POST', path: '/v1/test/retention', host: t.host });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

describe('retention settings', () => {
  let srv;
  let t;
  before(async () => {
    t = salon();
    srv = await adminServer();
  });
  after(() => srv?.kill());

  test('defaults from the spec; limits enforced; OWNER/ADMIN change them, audited', async () => {
    const owner = await signIn(srv, t, 'OWNER');
    const s = assertStatus(await owner.get('/v1/admin/retention-settings'), 200);
    assert.equal(s.transcript_days, 90);
    assert.equal(s.customer_months, 24);
    const im = { 'if-match': `"${s.version}"` };
    for (const [field, v] of [['transcript_days', 29], ['transcript_days', 366],
      ['customer_months', 11], ['customer_months', 61], ['transcript_days', '90']]) {
      assertInvalid(await owner.patch('/v1/admin/retention-settings', { [field]: v }, im), field,
        `${field}=${JSON.stringify(v)}`);
    }
    assertInvalid(await owner.patch('/v1/admin/retention-settings', { keep_forever: true }, im),
      'keep_forever');
    let cur = assertStatus(await owner.patch('/v1/admin/retention-settings',
      { transcript_days: 30, customer_months: 60 }, im), 200);
    assert.equal(cur.transcript_days, 30);
    assert.equal(cur.customer_months, 60);
    const admin = await signIn(srv, t, 'ADMIN');
    cur = assertStatus(await admin.patch('/v1/admin/retention-settings',
      { transcript_days: 365, customer_months: 12 }, { 'if-match': `"${cur.version}"` }), 200);
    assert.equal(cur.transcript_days, 365);
    assert.equal(cur.customer_months, 12);
    for (const role of ['VIEWER', 'STAFF', 'ORDER_MANAGER']) {
      const c = await signIn(srv, t, role);
      const r = await c.patch('/v1/admin/retention-settings', { transcript_days: 60 },
        { 'if-match': `"${cur.version}"` });
      assert.equal(r.status, 403, `${role}: ${r.text}`);
    }
    assert.equal((await (await signIn(srv, t, 'VIEWER')).get('/v1/admin/retention-settings')).status, 200);
    assert.equal(countRows('audit_log', t, `action = 'retention_settings.updated'`), 2);
    assert.equal(adminSql(`SELECT transcript_days || '/' || customer_months FROM retention_settings
      WHERE tenant_id = ${T(t)}`), '365/12');
  });
});

describe('the retention job', () => {
  let srv;
  let a;
  let b;
  let c;
  const A = {};
  const B = {};
  before(async () => {
    a = salon();
    b = salon();
    c = salon();
    srv = await adminServer();
    // a keeps transcripts 30 days and customers 12 months; b has the defaults.
    adminSql(`UPDATE retention_settings SET transcript_days = 30, customer_months = 12
      WHERE tenant_id = ${T(a)}`);
    for (const [t, o] of [[a, A], [b, B]]) {
      o.convOld = conversation(t, { ago: '31 days', n: 3 });
      o.convRecent = conversation(t, { ago: '29 days', n: 2 });
      o.convOlder = conversation(t, { ago: '91 days', n: 1 });
      o.custGone = customer(t, { createdAgo: '14 months', bookingsAgo: ['13 months'] });
      o.custMixed = customer(t, { createdAgo: '20 months', bookingsAgo: ['14 months', '2 months'] });
      o.custNever = customer(t, { createdAgo: '13 months', email: null, phone: '+14155550100' });
      o.custNew = customer(t, { createdAgo: '11 months', email: 'new@example.com' });
      o.custAncient = customer(t, { createdAgo: '26 months', bookingsAgo: ['25 months'] });
      // A recent chat of a customer who is about to go: it stays, unlinked.
      o.convOfGone = conversation(t, { ago: '1 day', customerId: o.custGone });
      o.sentOld = outbox(t, { ago: '31 days' });
      o.failedOld = outbox(t, { status: 'failed', ago: '31 days' });
      o.queuedOld = outbox(t, { status: 'queued', ago: '31 days' });
      o.sentRecent = outbox(t, { ago: '29 days' });
      o.hookOld = webhook(t, '31 days');
      o.hookRecent = webhook(t, '29 days');
      // The waitlist: 40 days past (with an offer) goes; 29 days past
      // stays; one that refilled a slot stays while its booking does
      // (custMixed's recent one) and goes once its booking went with its
      // customer (custGone, in the same run: the booking is deleted first).
      o.wlOld = waitlistEntry(t, { daysAgo: 40, offer: true });
      o.wlRecent = waitlistEntry(t, { daysAgo: 29 });
      o.wlRefilled = waitlistEntry(t, { daysAgo: 61, bookingId: bookingOf(o.custMixed, 'DESC') });
      o.wlRefilledGone = waitlistEntry(t, { daysAgo: 400, bookingId: bookingOf(o.custGone, 'ASC') });
    }
  });
  after(() => srv?.kill());

  test('one tenant\'s run removes what is past its settings, and only that', async () => {
    const before = {};
    for (const tbl of ['messages', 'conversations', 'bookings', 'customers',
      'notification_outbox', 'webhook_events', 'waitlist_offers', 'waitlist_entries'])
      before[tbl] = await metric(srv, tbl);
    const bookingItemsBefore = countRows('booking_items', a);
    const out = await runTenant(srv, a);
    assert.equal(out.transcript_days, 30);
    assert.equal(out.customer_months, 12);
    // 3 + 1 messages of the two conversations past 30 days; the customer
    // with only old bookings (1 booking) and the two who never booked or
    // booked long ago (custNever, custAncient with its 1 booking).
    assert.deepEqual(out.deleted, { messages: 4, conversations: 2, bookings: 2, customers: 3,
      notification_outbox: 2, webhook_events: 1, waitlist_offers: 2, waitlist_entries: 2 });

    // Gone.
    for (const id of [A.convOld, A.convOlder]) assert.ok(!exists('conversations', `id = '${id}'`));
    assert.equal(countRows('messages', a, `conversation_id IN ('${A.convOld}', '${A.convOlder}')`), 0);
    for (const id of [A.custGone, A.custNever, A.custAncient])
      assert.ok(!exists('customers', `id = '${id}'`), `customer ${id} is gone`);
    assert.equal(countRows('bookings', a, `customer_id = '${A.custGone}'`), 0);
    assert.equal(countRows('booking_items', a), bookingItemsBefore - 2, 'items go with their bookings');
    assert.ok(!exists('notification_outbox', `id IN ('${A.sentOld}', '${A.failedOld}')`));
    assert.ok(!exists('webhook_events', `event_id = '${A.hookOld}'`));
    for (const id of [A.wlOld, A.wlRefilledGone]) {
      assert.ok(!exists('waitlist_entries', `id = '${id}'`), `waitlist entry ${id} is gone`);
      assert.ok(!exists('waitlist_offers', `entry_id = '${id}'`), 'with its offers');
    }

    // Kept.
    assert.ok(exists('waitlist_entries', `id = '${A.wlRecent}'`), 'a waitlist day 29 days past');
    assert.ok(exists('waitlist_offers', `entry_id = '${A.wlRefilled}' AND status = 'booked'`),
      'a refilled slot while its booking exists');
    assert.equal(countRows('messages', a, `conversation_id = '${A.convRecent}'`), 2);
    assert.equal(countRows('bookings', a, `customer_id = '${A.custMixed}'`), 2,
      'a customer with a recent booking keeps every booking');
    assert.ok(exists('customers', `id = '${A.custNew}'`));
    assert.equal(adminSql(`SELECT coalesce(customer_id::text, 'null') FROM conversations
      WHERE id = '${A.convOfGone}'`), 'null', 'a recent chat stays, unlinked from the customer');
    assert.equal(countRows('messages', a, `conversation_id = '${A.convOfGone}'`), 2);
    assert.ok(exists('notification_outbox', `id IN ('${A.queuedOld}')`), 'queued mail stays');
    assert.ok(exists('notification_outbox', `id IN ('${A.sentRecent}')`));
    assert.ok(exists('webhook_events', `event_id = '${A.hookRecent}'`));

    // The other tenant is untouched, even what its own settings would remove.
    for (const id of [B.convOld, B.convOlder, B.convRecent])
      assert.ok(exists('conversations', `id = '${id}'`));
    for (const id of [B.custGone, B.custNever, B.custAncient, B.custMixed])
      assert.ok(exists('customers', `id = '${id}'`));
    assert.ok(exists('webhook_events', `event_id = '${B.hookOld}'`));
    assert.ok(exists('notification_outbox', `id = '${B.sentOld}'`));
    assert.ok(exists('waitlist_entries', `id = '${B.wlOld}'`));

    // One audit row per table, as a system action, with the counts.
    const audit = JSON.parse(adminSql(`SELECT json_object_agg(target_id, json_build_object(
        'actor', actor_type || ':' || actor_id, 'rows', changes->'rows_deleted',
        'older_than', changes->>'older_than', 'n', 1))
      FROM audit_log WHERE tenant_id = ${T(a)} AND action = 'retention.purged'`));
    assert.deepEqual(Object.keys(audit).sort(), ['bookings', 'conversations', 'customers',
      'messages', 'notification_outbox', 'waitlist_entries', 'waitlist_offers', 'webhook_events']);
    assert.equal(audit.messages.actor, 'system:retention');
    assert.equal(audit.messages.rows, 4);
    assert.equal(audit.messages.older_than, '30 days');
    assert.equal(audit.customers.rows, 3);
    assert.equal(audit.customers.older_than, '12 months');
    assert.equal(audit.notification_outbox.older_than, '30 days');
    assert.equal(audit.waitlist_entries.older_than, '30 days');
    assert.equal(countRows('audit_log', a, `action = 'retention.purged'`), 8);

    // And the counters /metrics shows.
    for (const [tbl, n] of Object.entries(out.deleted))
      assert.equal(await metric(srv, tbl) - before[tbl], n, `retention_deleted_rows_total{table="${tbl}"}`);

    // A second run finds nothing, and writes no audit rows.
    const again = await runTenant(srv, a);
    assert.ok(Object.values(again.deleted).every((n) => n === 0), JSON.stringify(again));
    assert.equal(countRows('audit_log', a, `action = 'retention.purged'`), 8);
  });

  test('at most 1,000 rows per table per run: a backlog goes over the next runs', async () => {
    const big = conversation(c, { ago: '100 days', n: 1005 });
    let out = await runTenant(srv, c);
    assert.equal(out.deleted.messages, 1000);
    assert.equal(out.deleted.conversations, 0, 'the conversation waits for its last messages');
    assert.equal(countRows('messages', c, `conversation_id = '${big}'`), 5);
    out = await runTenant(srv, c);
    assert.equal(out.deleted.messages, 5);
    assert.equal(out.deleted.conversations, 1);
    assert.ok(!exists('conversations', `id = '${big}'`));
  });

  test('the hourly run, by the worker: rows of no tenant, then every tenant in turn',
    async () => {
      const hookNone = webhook(null, '31 days');
      const hookNoneRecent = webhook(null, '29 days');
      const mail = randomUUID();
      adminSql(`INSERT INTO platform_outbox (id, recipient, template, status, sent_at, updated_at)
        VALUES ('${mail}', 'reset@example.com', 'password_reset', 'sent',
          now() - interval '31 days', now() - interval '31 days')`);
      const mailBefore = await metric(srv, 'platform_outbox');
      // The platform job as the hourly schedule enqueues it (its own key,
      // so an earlier run this hour does not stand in its way).
      const key = `test-${randomUUID()}`;
      adminSql(`INSERT INTO jobs (tenant_id, kind, unique_key)
        VALUES (NULL, 'system.retention', '${key}')`);
      const w = await startWorker({ ENABLE_TEST_ROUTES: 'true' });
      try {
        await waitFor(() => adminSql(`SELECT status FROM jobs WHERE tenant_id IS NULL
            AND kind = 'system.retention' AND unique_key = '${key}'`) === 'done',
          { timeoutMs: 60000, intervalMs: 200, what: 'the retention run' });
        // (The log line may reach us a moment after the job's row.)
        await waitFor(() => w.logs().some((l) => l.msg === 'retention: run finished'
          && l.tenants >= 3), { timeoutMs: 5000, what: 'the run went through every tenant' });
      } finally {
        await w.kill();
      }
      assert.ok(!exists('webhook_events', `event_id = '${hookNone}'`));
      assert.ok(exists('webhook_events', `event_id = '${hookNoneRecent}'`));
      assert.ok(!exists('platform_outbox', `id = '${mail}'`));
      assert.ok(await metric(srv, 'platform_outbox') > mailBefore);

      // b's rows went with b's defaults (90 days, 24 months).
      assert.ok(!exists('conversations', `id = '${B.convOlder}'`), '91 days > 90');
      assert.ok(exists('conversations', `id = '${B.convOld}'`), '31 days < 90');
      assert.ok(!exists('customers', `id = '${B.custAncient}'`), '25 months > 24');
      for (const id of [B.custGone, B.custNever, B.custMixed])
        assert.ok(exists('customers', `id = '${id}'`), '13–20 months < 24');
      assert.ok(!exists('webhook_events', `event_id = '${B.hookOld}'`), 'webhooks: 30 days everywhere');
      assert.ok(countRows('audit_log', b, `action = 'retention.purged'`) > 0);
      // a had nothing left past its settings.
      assert.ok(exists('customers', `id = '${A.custNew}'`));
      assert.equal(countRows('messages', a, `conversation_id = '${A.convRecent}'`), 2);
    });
});

describe('customer export and erasure', () => {
  let srv;
  let t;
  let other;
  let owner;
  let zoe;
  let max;
  const ZOE = { name: 'Zoe Quartz', email: 'zoe.quartz@example.com', phone: '+14155550123' };
  before(async () => {
    t = salon();
    other = salon();
    srv = await adminServer();
    owner = await signIn(srv, t, 'OWNER');
    // Zoe books through the public API; Max is another customer.
    const day = dayAhead(3);
    const slots = await starts(srv, t, day);
    const [s1, s2] = [slots[0], slots[8]];
    expect(await book(srv, t, bookingBody(s1, { ...ZOE, notes: 'Zoe has a dog named Rex' })), 201);
    expect(await book(srv, t, bookingBody(s2, { name: 'Max Mustermann', email: 'max@example.com' })), 201);
    zoe = adminSql(`SELECT id FROM customers WHERE tenant_id = ${T(t)} AND email_key = 'zoe.quartz@example.com'`);
    max = adminSql(`SELECT id FROM customers WHERE tenant_id = ${T(t)} AND email_key = 'max@example.com'`);
    conversation(t, { customerId: zoe, n: 3, text: 'Zoe says hi', contact: ZOE });
    // Not linked to the customer, but carrying her e-mail.
    conversation(t, { n: 2, text: 'Zoe again', contact: { email: 'ZOE.QUARTZ@example.com' } });
    conversation(t, { customerId: max, n: 2, text: 'Max says hi', contact: { name: 'Max' } });
    outbox(t, { recipient: ZOE.email, payload: { name: ZOE.name } });
    outbox(t, { recipient: ZOE.email, template: 'invitation.sent', payload: { role: 'STAFF' } });
    outbox(t, { recipient: 'max@example.com', payload: { name: 'Max' } });
  });
  after(() => srv?.kill());

  test('only OWNER and ADMIN; another tenant\'s or a malformed id is 404', async () => {
    for (const role of ['VIEWER', 'STAFF', 'ORDER_MANAGER', 'ACCOUNTANT']) {
      const c = await signIn(srv, t, role);
      assert.equal((await c.get(`/v1/admin/customers/${zoe}/export`)).status, 403, role);
      assert.equal((await c.post(`/v1/admin/customers/${zoe}/erase`)).status, 403, role);
    }
    const admin = await signIn(srv, t, 'ADMIN');
    assert.equal((await admin.get(`/v1/admin/customers/${zoe}/export`)).status, 200);
    const stranger = await signIn(srv, other, 'OWNER');
    for (const id of [zoe, FAKE, 'not-a-uuid']) {
      const e = await stranger.get(`/v1/admin/customers/${id}/export`);
      assert.equal(e.status, 404, e.text);
      assert.equal(e.json.error.code, 'NOT_FOUND');
      const r = await stranger.post(`/v1/admin/customers/${id}/erase`);
      assert.equal(r.status, 404, r.text);
    }
    assert.equal(adminSql(`SELECT email FROM customers WHERE id = '${zoe}'`), ZOE.email,
      'nothing was erased by the refused calls');
  });

  test('the export holds everything on the person', async () => {
    const x = assertStatus(await owner.get(`/v1/admin/customers/${zoe}/export`), 200);
    assert.equal(x.customer.id, zoe);
    assert.equal(x.customer.email, ZOE.email);
    assert.equal(x.customer.phone, ZOE.phone);
    assert.equal(x.customer.erased_at, null);
    assert.equal(x.bookings.length, 1);
    assert.equal(x.bookings[0].notes, 'Zoe has a dog named Rex');
    assert.equal(x.bookings[0].items.length, 1);
    assert.equal(x.bookings[0].items[0].service_id, CUT);
    assert.equal(x.conversations.length, 2, 'linked, and found by e-mail');
    assert.deepEqual(x.conversations.map((c) => c.messages.length).sort(), [2, 3]);
    assert.equal(x.conversations.flatMap((c) => c.messages)
      .filter((m) => m.content.startsWith('Zoe')).length, 5);
    assert.equal(x.notifications.length, 1, 'booking mail only');
    assert.equal(x.notifications[0].payload.name, ZOE.name);
    assert.match(x.exported_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.doesNotMatch(JSON.stringify(x), /Max/);
    assert.ok(countRows('audit_log', t, `action = 'customer.exported' AND target_id = '${zoe}'`) >= 1);
  });

  test('erase: no personal data left, bookings kept and counted, idempotent, others untouched',
    async () => {
      const usage = assertStatus(await owner.get('/v1/admin/usage'), 200).bookings.used;
      const maxBefore = assertStatus(await owner.get(`/v1/admin/customers/${max}/export`), 200);
      const bookingsBefore = countRows('bookings', t);

      const e = assertStatus(await owner.post(`/v1/admin/customers/${zoe}/erase`), 200);
      assert.deepEqual(e, { id: zoe, already_erased: false, messages_deleted: 5,
        conversations_anonymised: 2, bookings_anonymised: 1, bookings_kept: 1,
        notifications_deleted: 1 });

      const x = assertStatus(await owner.get(`/v1/admin/customers/${zoe}/export`), 200);
      const text = JSON.stringify(x);
      for (const pii of ['Zoe', 'zoe', 'Quartz', 'QUARTZ', '4155550123', 'Rex'])
        assert.ok(!text.includes(pii), `"${pii}" left in the export: ${text}`);
      assert.ok(x.customer.erased_at);
      assert.equal(x.customer.email, null);
      assert.equal(x.customer.phone, null);
      assert.equal(x.bookings.length, 1, 'the booking stays for the books');
      assert.equal(x.bookings[0].total_minor, 2500);
      assert.ok(x.conversations.every((c) => c.messages.length === 0 && c.summary === null));
      assert.equal(x.notifications.length, 0);
      // The database agrees, beyond what the export shows.
      assert.equal(countRows('messages', t, `content LIKE 'Zoe%'`), 0);
      assert.equal(countRows('conversations', t, `contact::text ILIKE '%zoe%'`), 0);
      assert.equal(countRows('notification_outbox', t, `payload::text LIKE '%Zoe%'`), 0);
      assert.equal(countRows('notification_outbox', t, `template = 'invitation.sent'`), 1,
        'mail that is not booking mail stays');

      // Still in the business's books and its usage.
      assert.equal(countRows('bookings', t), bookingsBefore);
      assert.equal(assertStatus(await owner.get('/v1/admin/usage'), 200).bookings.used, usage);
      const list = assertStatus(await owner.get('/v1/admin/bookings?limit=100'), 200);
      assert.equal(list.items.length, 2);

      // Max is untouched.
      const maxAfter = assertStatus(await owner.get(`/v1/admin/customers/${max}/export`), 200);
      delete maxBefore.exported_at;
      delete maxAfter.exported_at;
      assert.deepEqual(maxAfter, maxBefore);

      // Again: nothing left to do, and it says so.
      const again = assertStatus(await owner.post(`/v1/admin/customers/${zoe}/erase`), 200);
      assert.deepEqual(again, { id: zoe, already_erased: true, messages_deleted: 0,
        conversations_anonymised: 0, bookings_anonymised: 0, bookings_kept: 1,
        notifications_deleted: 0 });
      const audit = JSON.parse(adminSql(`SELECT json_agg(changes ORDER BY created_at)
        FROM audit_log WHERE tenant_id = ${T(t)} AND action = 'customer.erased'
        AND target_id = '${zoe}'`));
      assert.equal(audit.length, 2);
      assert.equal(audit[0].messages_deleted, 5);
      assert.equal(audit[1].already_erased, true);

      // The same person booking again is a new customer.
      const [s3] = (await starts(srv, t, dayAhead(4)));
      expect(await book(srv, t, bookingBody(s3, ZOE)), 201);
      assert.equal(countRows('customers', t, `email_key = 'zoe.quartz@example.com'`), 1);
      assert.notEqual(adminSql(`SELECT id FROM customers WHERE tenant_id = ${T(t)}
        AND email_key = 'zoe.quartz@example.com'`), zoe);
    });
});
