// secrets.test.mjs — issue 11 §1, the sweep: no API response carries a
// live secret after the moment it was created and shown once. One of every
// kind of secret is seeded (an invitation and a reset token, an API key,
// every caller's session cookie, a support session's included, a TOTP
// secret and its recovery codes, a chat session token, a service token,
// the tenant's model provider key, a Cal.com key and webhook secret,
// Google OAuth tokens); then EVERY GET route `receptionist routes` prints
// (so a new route is covered the day it is mounted) is called as every
// role, a platform administrator, a support session (act-as), an API key
// and anonymously, on the tenant's host and on the bare platform host, with
// its path parameters filled from the seeded rows; no body and no header
// may hold any secret, raw or in its base64 or hex forms.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { adminSql, BIN, cli, killAll, lit, REPO_ROOT, request } from './lib.mjs';
import { base32Decode, client, createUser, enrolTotp, freshIp, platformMail, req, ROLES,
  session, setCookie, tenantMail, uniqueEmail } from './auth_lib.mjs';
import { at, calendarWorld, connectCalcom, connectGoogle, stopWorld } from './calendar_lib.mjs';

after(killAll);

// Routes no caller can be given a meaningful request for: none today. A
// route listed here must say why.
const UNCALLABLE = new Map([
  ['/v1/admin/events', 'an endless event stream: events.test.mjs checks what it carries'],
]);

// Routes that answer no request made here with a 2xx (each is still
// called by everyone and its answer swept), and why.
const NO_2XX = new Map([
  ['/v1/calendar/google/callback', 'needs the state and code of a consent in flight'],
  ['/v1/admin/push/public-key', '503 without VAPID keys in this server; push.test.mjs reads it with keys'],
  ['/v1/public/messages/unsubscribe', 'needs a link signed with the server\'s key, which only a sent'
    + ' reminder carries; messages_unsubscribe.test.mjs opens real ones'],
]);

// The GET patterns `serve` mounts, from the binary itself.
function getRoutes() {
  const out = execFileSync(BIN, ['routes'], { cwd: REPO_ROOT,
    env: { ...process.env, ENV_FILE: '/dev/null' }, encoding: 'utf8' });
  return out.split('\n').filter((l) => /^GET\b/.test(l)).map((l) => l.split('\t')[1]);
}

// The forms a secret could leak in: as is, base64 (standard and URL-safe)
// and hex of its text, and for a token that is itself base64url or base32
// of random bytes, those bytes in hex and base64.
function forms(secret, { b64url = false, b32 = false } = {}) {
  const buf = Buffer.from(secret, 'utf8');
  const out = [secret, buf.toString('base64'), buf.toString('base64url'), buf.toString('hex')];
  const raw = b64url ? Buffer.from(secret, 'base64url') : b32 ? base32Decode(secret) : null;
  if (raw) out.push(raw.toString('hex'), raw.toString('base64'), raw.toString('base64url'));
  return out.filter((f) => f.length >= 12);
}

describe('no GET response carries a secret', () => {
  let world;
  let t;
  const secrets = [];	// {kind, forms}
  const callers = {};	// name → client
  const ids = {};		// path parameter overrides
  let query = {};

  function secret(kind, value, opts) {
    assert.ok(typeof value === 'string' && value.length >= 8, `${kind}: ${value}`);
    secrets.push({ kind, value, forms: forms(value, opts) });
  }

  before(async () => {
    world = await calendarWorld({ worker: false, env: { LLM_PROVIDER: 'offline',
      CHAT_RATE_IP_PER_MIN: '0', CHAT_RATE_SESSION_PER_MIN: '0', CHAT_NEW_PER_HOUR: '0' } });
    t = world.t;
    const { srv, owner } = world;
    const T = lit(t.id);

    // Callers: every role, a platform administrator, anonymous.
    callers.OWNER = owner;
    for (const role of ROLES.filter((r) => r !== 'OWNER')) {
      const u = createUser({ tenant: t, role, email: uniqueEmail(role.toLowerCase()) });
      callers[role] = await session(srv, u.email, { host: t.host });
      callers[role].email = u.email;
    }
    const pa = createUser({ platformAdmin: true, email: uniqueEmail('platform') });
    callers.PLATFORM_ADMIN = await session(srv, pa.email, { host: t.host });
    callers.ANONYMOUS = client(srv, { host: t.host, ip: freshIp() });
    // A support session: a platform administrator acting as the tenant.
    const support = await session(srv, createUser({ platformAdmin: true,
      email: uniqueEmail('support') }).email);
    const act = await support.post('/v1/platform/act-as', { tenant_id: t.id, minutes: 30,
      reason: 'secret sweep' });
    assert.equal(act.status, 201, act.text);
    const entered = await req({ port: srv.port, method: 'POST', path: '/v1/auth/act-as/exchange',
      host: t.host, body: { token: act.json.handoff.token } });
    assert.equal(entered.status, 200, entered.text);
    secret('act-as hand-off token', act.json.handoff.token, { b64url: true });
    callers.SUPPORT = client(srv, { host: t.host, session: { cookie: setCookie(entered).value } });
    for (const [name, c] of Object.entries(callers))
      if (c.session) secret(`session cookie of ${name}`, c.session.cookie, { b64url: true });

    // An API key (also a caller), an invitation, a reset.
    const key = await owner.post('/v1/admin/api-keys', { name: 'sweep', role: 'ADMIN',
      scopes: ['profile', 'catalog', 'staff', 'users', 'api_keys', 'bookings', 'customers',
        'conversations', 'audit_log', 'ai_settings', 'channels', 'knowledge', 'security',
        'analytics', 'billing', 'orders'] });
    assert.equal(key.status, 201, key.text);
    secret('API key', key.json.key);
    callers.API_KEY = client(srv, { host: t.host, bearer: key.json.key });
    const invited = uniqueEmail('invited-owner');
    const inv = await owner.post('/v1/admin/invitations', { email: invited, role: 'OWNER' });
    assert.equal(inv.status, 201, inv.text);
    secret('invitation token', tenantMail(t, invited).token, { b64url: true });
    const forgot = await req({ port: srv.port, method: 'POST', path: '/v1/auth/password/forgot',
      body: { email: callers.VIEWER.email }, localAddress: freshIp() });
    assert.equal(forgot.status, 202, forgot.text);
    secret('password reset token', platformMail(callers.VIEWER.email).token, { b64url: true });

    // Two-factor: the TOTP secret and the recovery codes.
    const tf = await enrolTotp(callers.ACCOUNTANT);
    secret('TOTP secret', tf.secret, { b32: true });
    for (const code of tf.recovery) secret('recovery code', code);

    // A service token.
    const st = /st_[A-Za-z0-9_.-]+/.exec(cli('token', 'issue', '--tenant', t.slug, '--scope',
      'bookings', '--ttl', '600'))[0];
    secret('service token', st);

    // The tenant's model provider key.
    const llmKey = `sk-ant-sweep-${randomBytes(12).toString('hex')}`;
    const put = await owner.call('PUT', '/v1/admin/ai-provider', { provider: 'anthropic',
      model: 'claude-sweep', api_key: llmKey });
    assert.equal(put.status, 200, put.text);
    secret('LLM provider key', llmKey);

    // Calendars: a Cal.com key with our webhook secret, Google's tokens.
    const hook = `whsec_${randomBytes(16).toString('hex')}`;
    const cal = await connectCalcom(world, { webhookSecret: hook });
    assert.equal(cal.res.status, 201, cal.res.text);
    secret('Cal.com API key', cal.key);
    secret('Cal.com webhook secret', hook);
    const g = await connectGoogle(world, { staffId: t.staff[0] });
    assert.ok(g.callback.status < 400, g.callback.text);
    for (const rt of world.google.refreshTokens.keys()) secret('Google refresh token', rt);
    for (const at_ of world.google.accessTokens.keys()) secret('Google access token', at_);

    // The tenant's own Twilio auth token (SMS settings).
    const twilioToken = randomBytes(16).toString('hex');
    const sms = await owner.call('PUT', '/v1/admin/sms/settings', {
      account_sid: `AC${randomBytes(16).toString('hex')}`, auth_token: twilioToken,
      from_number: '+15017122662' });
    assert.equal(sms.status, 200, sms.text);
    secret('Twilio auth token', twilioToken);

    // A chat (its session token is a bearer for the conversation).
    const chat = await request({ port: srv.port, method: 'POST', path: '/v1/chat/session',
      host: t.host, body: {} });
    assert.equal(chat.status, 201, chat.text);
    secret('chat session token', chat.json.session_id);
    const said = await request({ port: srv.port, method: 'POST', path: '/v1/chat/message',
      host: t.host, body: { session_id: chat.json.session_id, message: 'Do you have parking?' } });
    assert.equal(said.status, 200, said.text);

    // A booking (and so a customer), and a row of every other list.
    const email = uniqueEmail('customer');
    const b = await request({ port: srv.port, method: 'POST', path: '/v1/public/bookings',
      host: t.host, headers: { 'idempotency-key': `k-${randomBytes(8).toString('hex')}` },
      body: { services: [{ service_id: t.serviceId }], start: at(10, 0, 2),
        customer: { name: 'Sweep Customer', email } } });
    assert.equal(b.status, 201, b.text);
    ids.ref = b.json.reference;
    query = { '/v1/public/bookings/{ref}': `email=${encodeURIComponent(email)}`,
      '/booking/{ref}': `email=${encodeURIComponent(email)}`,
      '/v1/public/availability': `service_id=${t.serviceId}&date=${at(0, 0, 2).slice(0, 10)}` };
    adminSql(`
      INSERT INTO closures (tenant_id, day, reason) VALUES (${T}, current_date + 30, 'Holiday');
      INSERT INTO widget_origins (tenant_id, origin) VALUES (${T}, 'https://sweep.example');
      INSERT INTO tenant_domains (tenant_id, hostname, kind)
        VALUES (${T}, ${lit(`book.${t.slug}.example`)}, 'custom');
      INSERT INTO service_addons (tenant_id, service_id, name, price_minor, currency,
        duration_minutes) VALUES (${T}, ${lit(t.serviceId)}, 'Wash', 500, 'USD', 15);
      INSERT INTO staff_time_off (tenant_id, staff_id, starts_at, ends_at)
        VALUES (${T}, ${lit(t.staff[0])}, now() + interval '20 days', now() + interval '21 days');
      INSERT INTO resources (tenant_id, name) VALUES (${T}, 'Chair');
      INSERT INTO faqs (tenant_id, question, answer) VALUES (${T}, 'Parking?', 'Behind.');
    `);
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'web/dist/manifest.json'),
      'utf8'));
    ids.name = path.basename(Object.values(manifest).map((v) => (typeof v === 'string' ? v
      : v.file ?? v.url ?? '')).find((v) => v.startsWith('assets/')));
  });
  after(() => stopWorld(world));

  // A pattern with every {param} filled: an override, else the first item
  // of the list one level up (read as the owner).
  async function fill(pattern) {
    let done = '';
    for (const part of pattern.split('/').slice(1)) {
      const m = /^\{([a-z_]+)\}$/.exec(part);
      if (!m) {
        done += `/${part}`;
        continue;
      }
      let v = ids[m[1]];
      if (v === undefined) {
        // Platform lists are the platform administrator's to read.
        const list = await (done.startsWith('/v1/platform/') ? callers.PLATFORM_ADMIN : world.owner).get(done);
        const items = list.json?.items ?? list.json?.data ?? list.json;
        v = Array.isArray(items) ? items[0]?.id : undefined;
      }
      if (v === undefined) return null;
      done += `/${encodeURIComponent(v)}`;
    }
    return done;
  }

  test('every GET route, every caller, both hosts: no secret in any body or header', async (tc) => {
    const routes = getRoutes();
    assert.ok(routes.length > 40, `only ${routes.length} GET routes`);
    const unfilled = [];
    const leaks = [];
    const answered = new Set();
    let calls = 0;
    let ok2xx = 0;
    for (const pattern of routes) {
      if (UNCALLABLE.has(pattern)) continue;
      const p = await fill(pattern);
      if (p === null) {
        unfilled.push(pattern);
        continue;
      }
      const url = query[pattern] ? `${p}?${query[pattern]}` : p;
      for (const [name, c] of Object.entries(callers)) {
        for (const host of [t.host, undefined]) {
          const r = await req({ port: world.srv.port, path: url, host,
            headers: callHeaders(c), localAddress: c.ip, timeoutMs: 10000 });
          calls++;
          if (r.status < 300) {
            ok2xx++;
            answered.add(pattern);
          }
          const text = `${r.text}\n${JSON.stringify(r.headers)}`;
          for (const s of secrets) {
            if (s.forms.some((f) => text.includes(f))) {
              leaks.push(`${s.kind} in GET ${url} as ${name} on ${host ?? 'platform host'}` +
                ` (${r.status})`);
            }
          }
        }
      }
    }
    tc.diagnostic(`${routes.length} GET routes, ${Object.keys(callers).length} callers, ` +
      `${secrets.length} secrets, ${calls} calls, ${ok2xx} answered 2xx`);
    assert.deepEqual(unfilled, [], 'routes whose path parameters found no seeded row');
    // Every route showed someone a real answer, so the sweep read real
    // rows, except those that by design answer no GET made here with 2xx.
    assert.deepEqual(routes.filter((p) => !answered.has(p) && !NO_2XX.has(p) && !UNCALLABLE.has(p)), [],
      'routes no caller got a 2xx from');
    assert.deepEqual(leaks, []);
    assert.ok(ok2xx > calls / 4, `only ${ok2xx} of ${calls} calls got past the door`);
  });

  test('the sweep would see a leak: every secret is known to the test as it was issued', () => {
    const kinds = new Set(secrets.map((s) => s.kind));
    for (const k of ['API key', 'invitation token', 'password reset token', 'TOTP secret',
      'recovery code', 'service token', 'LLM provider key', 'Cal.com API key',
      'Cal.com webhook secret', 'chat session token', 'session cookie of OWNER',
      'session cookie of SUPPORT', 'Google refresh token']) {
      assert.ok(kinds.has(k), `no ${k} seeded`);
    }
  });
});

// The cookie or bearer a caller sends (GET needs no CSRF token).
function callHeaders(c) {
  const h = {};
  if (c.session?.cookie) h.cookie = `rcp_session=${c.session.cookie}`;
  if (c.bearer) h.authorization = `Bearer ${c.bearer}`;
  return h;
}
