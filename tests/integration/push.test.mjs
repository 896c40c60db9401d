// push.test.mjs — Web Push for the admin app against a local push-service
// fake: subscribing and unsubscribing, bad subscriptions (400 JSON), push
// off without VAPID keys, and the worker's sends. The fake checks every
// request's VAPID token (ES256, verified with the k= public key, aud = its
// origin, exp ≤ 24 h) and decrypts the aes128gcm body with the
// subscription's private key (RFC 8291), so the tests assert what the
// phone would show. Handoffs go to the owner, not to STAFF; bookings go to
// the booked staff member; 410 removes a subscription; 500 is retried;
// another tenant's users never hear of it.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { adminSql, cli, killAll, lit, sleep, startWorker, waitFor } from './lib.mjs';
import { adminServer, signIn } from './admin_lib.mjs';
import { AUTH_ENV } from './auth_lib.mjs';
import { ALEX, HAIRCUT, chat, localDate, salon } from './chat_lib.mjs';

after(killAll);

const b64u = (b) => Buffer.from(b).toString('base64url');

// The fake push service: POST /push/<name>; answers[name] is a list of
// statuses to give in turn (then 201).
function pushService() {
  const got = [];
  const answers = {};
  const srv = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const name = req.url.split('/').pop();
      got.push({ name, headers: req.headers, body: Buffer.concat(chunks) });
      const st = (answers[name] ?? []).shift() ?? 201;
      res.writeHead(st).end();
    });
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => {
    const origin = `http://127.0.0.1:${srv.address().port}`;
    resolve({ srv, got, answers, origin, url: (name) => `${origin}/push/${name}` });
  }));
}

// A browser's subscription: its own P-256 key and auth secret.
function browser(endpoint) {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = crypto.randomBytes(16);
  return {
    ecdh, auth,
    json: { endpoint, expirationTime: null,
      keys: { p256dh: b64u(ecdh.getPublicKey()), auth: b64u(auth) } },
  };
}

// Checks the VAPID header and decrypts the body (RFC 8291 / RFC 8188).
function open(fake, msg, br, vapidPub) {
  assert.equal(msg.headers['content-encoding'], 'aes128gcm');
  assert.match(msg.headers.ttl, /^\d+$/);
  assert.ok(['high', 'normal'].includes(msg.headers.urgency));
  const m = /^vapid t=([^,]+), k=([A-Za-z0-9_-]+)$/.exec(msg.headers.authorization);
  assert.ok(m, msg.headers.authorization);
  assert.equal(m[2], vapidPub);
  const [h, p, s] = m[1].split('.');
  const pub = Buffer.from(m[2], 'base64url');
  const key = crypto.createPublicKey({ format: 'jwk', key: { kty: 'EC', crv: 'P-256',
    x: b64u(pub.subarray(1, 33)), y: b64u(pub.subarray(33)) } });
  assert.ok(crypto.verify('sha256', Buffer.from(`${h}.${p}`),
    { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url')), 'VAPID signature');
  assert.equal(JSON.parse(Buffer.from(h, 'base64url')).alg, 'ES256');
  const claims = JSON.parse(Buffer.from(p, 'base64url'));
  assert.equal(claims.aud, fake.origin);
  assert.match(claims.sub, /^(mailto:|https:)/);
  assert.ok(claims.exp > Date.now() / 1000 && claims.exp <= Date.now() / 1000 + 86400);

  const body = msg.body;
  assert.ok(body.length <= 4096);
  const salt = body.subarray(0, 16);
  assert.equal(body.readUInt32BE(16), 4096);
  const idlen = body[20];
  const asPub = body.subarray(21, 21 + idlen);
  const ct = body.subarray(21 + idlen);
  const uaPub = br.ecdh.getPublicKey();
  const secret = br.ecdh.computeSecret(asPub);
  const info = Buffer.concat([Buffer.from('WebPush: info\0'), uaPub, asPub]);
  const ikm = Buffer.from(crypto.hkdfSync('sha256', secret, br.auth, info, 32));
  const cek = Buffer.from(crypto.hkdfSync('sha256', ikm, salt,
    Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(crypto.hkdfSync('sha256', ikm, salt,
    Buffer.from('Content-Encoding: nonce\0'), 12));
  const d = crypto.createDecipheriv('aes-128-gcm', cek, nonce);
  d.setAuthTag(ct.subarray(ct.length - 16));
  let pt = Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]);
  let end = pt.length - 1;
  while (end >= 0 && pt[end] === 0) end--;
  assert.equal(pt[end], 2, 'last-record delimiter');
  pt = pt.subarray(0, end);
  return JSON.parse(pt.toString('utf8'));
}

function vapidPair() {
  const out = cli('vapid-keys');
  const pub = /VAPID_PUBLIC_KEY=(\S+)/.exec(out)[1];
  const priv = /VAPID_PRIVATE_KEY=(\S+)/.exec(out)[1];
  return { pub, priv };
}

describe('push off', () => {
  let srv;
  let t;
  before(async () => {
    srv = await adminServer({ VAPID_PUBLIC_KEY: '', VAPID_PRIVATE_KEY: '' });
    t = salon();
  });

  test('without VAPID keys the key and subscribe routes say push is off', async () => {
    const owner = await signIn(srv, t, 'OWNER');
    const k = await owner.get('/v1/admin/push/public-key');
    assert.equal(k.status, 503, k.text);
    assert.match(k.json.error.message, /Push notifications are off/);
    const br = browser('https://push.example.net/wpush/abc');
    const r = await owner.post('/v1/admin/push/subscriptions', br.json);
    assert.equal(r.status, 503, r.text);
    assert.match(r.json.error.message, /VAPID/);
  });

  test('http endpoints are refused unless the test flag allows them', async () => {
    const owner = await signIn(srv, t, 'OWNER');
    const r = await owner.post('/v1/admin/push/subscriptions',
      browser('http://push.example.net/x').json);
    assert.equal(r.status, 400, r.text);
    assert.ok(r.json.error.details.some((d) => d.field === 'endpoint'));
  });
});

describe('push on', () => {
  let srv;
  let worker;
  let fake;
  let vapid;
  let t;
  let other;

  before(async () => {
    fake = await pushService();
    vapid = vapidPair();
    const env = { VAPID_PUBLIC_KEY: vapid.pub, VAPID_PRIVATE_KEY: vapid.priv,
      VAPID_SUBJECT: 'mailto:ops@example.com', PUSH_ALLOW_HTTP: 'true',
      CHAT_RATE_IP_PER_MIN: '0', CHAT_RATE_SESSION_PER_MIN: '0', CHAT_NEW_PER_HOUR: '0',
      LLM_PROVIDER: 'offline', JOB_BACKOFF_BASE_S: '1' };
    srv = await adminServer(env);
    worker = await startWorker({ ...AUTH_ENV, ...env });
    t = salon();
    other = salon();
  });
  after(() => new Promise((r) => fake.srv.close(r)));

  const subs = (tenant) => Number(adminSql(`SELECT count(*) FROM push_subscriptions
    WHERE tenant_id = ${lit(tenant.id)}`));
  const to = (name) => fake.got.filter((g) => g.name === name);

  test('the public key is the configured one', async () => {
    const owner = await signIn(srv, t, 'OWNER');
    const r = await owner.get('/v1/admin/push/public-key');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.public_key, vapid.pub);
  });

  test('subscribe, subscribe again, unsubscribe', async () => {
    const owner = await signIn(srv, t, 'OWNER');
    const br = browser(fake.url('sub1'));
    const before = subs(t);
    let r = await owner.post('/v1/admin/push/subscriptions', br.json);
    assert.equal(r.status, 201, r.text);
    r = await owner.post('/v1/admin/push/subscriptions', br.json);
    assert.equal(r.status, 200, r.text);
    assert.equal(subs(t), before + 1);
    r = await owner.call('DELETE', '/v1/admin/push/subscriptions', { endpoint: br.json.endpoint });
    assert.equal(r.status, 204, r.text);
    r = await owner.call('DELETE', '/v1/admin/push/subscriptions', { endpoint: br.json.endpoint });
    assert.equal(r.status, 404, r.text);
    assert.equal(subs(t), before);
  });

  test('a user keeps at most 20 browsers', async () => {
    const admin = await signIn(srv, t, 'ADMIN');
    for (let i = 0; i < 20; i++) {
      const r = await admin.post('/v1/admin/push/subscriptions', browser(fake.url(`cap${i}`)).json);
      assert.equal(r.status, 201, r.text);
    }
    const r = await admin.post('/v1/admin/push/subscriptions', browser(fake.url('cap20')).json);
    assert.equal(r.status, 409, r.text);
    assert.match(r.json.error.message, /20 browsers/);
    // The same browser again is an update, not a 21st.
    const again = await admin.post('/v1/admin/push/subscriptions', browser(fake.url('cap3')).json);
    assert.equal(again.status, 200, again.text);
    adminSql(`DELETE FROM push_subscriptions WHERE user_id = ${lit(admin.userId)}`);
  });

  test('bad subscriptions get 400 with the field named', async () => {
    const owner = await signIn(srv, t, 'OWNER');
    const good = browser(fake.url('bad')).json;
    const cases = [
      [{ ...good, endpoint: undefined }, 'endpoint'],
      [{ ...good, endpoint: 'ftp://push.example.net/x' }, 'endpoint'],
      [{ ...good, endpoint: 'https://user@push.example.net/x' }, 'endpoint'],
      [{ ...good, endpoint: 'https:///x' }, 'endpoint'],
      [{ ...good, endpoint: `https://push.example.net/${'a'.repeat(2100)}` }, 'endpoint'],
      [{ ...good, keys: undefined }, 'keys'],
      [{ ...good, keys: { ...good.keys, p256dh: b64u(crypto.randomBytes(64)) } }, 'keys.p256dh'],
      [{ ...good, keys: { ...good.keys, p256dh: '!!!' } }, 'keys.p256dh'],
      [{ ...good, keys: { ...good.keys, auth: b64u(crypto.randomBytes(15)) } }, 'keys.auth'],
    ];
    for (const [body, field] of cases) {
      const r = await owner.post('/v1/admin/push/subscriptions', body);
      assert.equal(r.status, 400, `${field}: ${r.text}`);
      assert.ok(r.json.error.details.some((d) => d.field === field), `${field}: ${r.text}`);
    }
    const notJson = await owner.post('/v1/admin/push/subscriptions', 'nope');
    assert.equal(notJson.status, 400);
    assert.ok(notJson.json.error);
  });

  test('a handoff reaches the owner, not a STAFF member or another tenant', async () => {
    const owner = await signIn(srv, t, 'OWNER');
    const staff = await signIn(srv, t, 'STAFF');
    const stranger = await signIn(srv, other, 'OWNER');
    const bo = browser(fake.url('h-owner'));
    const bs = browser(fake.url('h-staff'));
    const bx = browser(fake.url('h-other'));
    assert.equal((await owner.post('/v1/admin/push/subscriptions', bo.json)).status, 201);
    assert.equal((await staff.post('/v1/admin/push/subscriptions', bs.json)).status, 201);
    assert.equal((await stranger.post('/v1/admin/push/subscriptions', bx.json)).status, 201);

    const c = chat(srv, t);
    await c.open();
    await c.say('can I talk to a real person please');
    const id = c.conversationId();
    await waitFor(() => to('h-owner').length === 1, { timeoutMs: 15000, what: 'owner push' });
    const n = open(fake, to('h-owner')[0], bo, vapid.pub);
    assert.match(n.title, /wants a person/);
    assert.match(n.body, /real person/);
    assert.equal(n.tag, `handoff-${id}`);
    assert.equal(n.url, `/admin/conversations/${id}`);
    await sleep(1500);
    assert.equal(to('h-staff').length, 0, 'STAFF do not read conversations');
    assert.equal(to('h-other').length, 0, 'another tenant never hears of it');
  });

  async function bookAlex(tenant) {
    const d = localDate(tenant.zone, 3);
    const av = await srv.request({ host: tenant.host,
      path: `/v1/public/availability?service_id=${HAIRCUT}&staff_id=${ALEX}&date=${d}` });
    assert.equal(av.status, 200, av.text);
    const taken = Number(adminSql(`SELECT count(*) FROM bookings WHERE tenant_id = ${lit(tenant.id)}`));
    const r = await srv.request({ method: 'POST', path: '/v1/public/bookings', host: tenant.host,
      headers: { 'idempotency-key': `k-${crypto.randomBytes(8).toString('hex')}` },
      body: { services: [{ service_id: HAIRCUT }], staff_id: ALEX, start: av.json.slots[taken].start,
        customer: { name: 'Zoe Quinn', email: 'zoe@example.com' } } });
    assert.equal(r.status, 201, r.text);
    return r.json;
  }

  test('a booking reaches the booked staff member, not another STAFF', async () => {
    const alex = await signIn(srv, t, 'STAFF');
    const otherStaff = await signIn(srv, t, 'STAFF');
    adminSql(`UPDATE staff SET user_id = ${lit(alex.userId)} WHERE tenant_id = ${lit(t.id)}
      AND id = ${lit(ALEX)}`);
    const ba = browser(fake.url('b-alex'));
    const bo = browser(fake.url('b-otherstaff'));
    assert.equal((await alex.post('/v1/admin/push/subscriptions', ba.json)).status, 201);
    assert.equal((await otherStaff.post('/v1/admin/push/subscriptions', bo.json)).status, 201);
    const b = await bookAlex(t);
    await waitFor(() => to('b-alex').length === 1, { timeoutMs: 15000, what: 'staff push' });
    const n = open(fake, to('b-alex')[0], ba, vapid.pub);
    assert.equal(n.title, 'New booking');
    assert.match(n.body, new RegExp(b.reference));
    await sleep(1500);
    assert.equal(to('b-otherstaff').length, 0);
  });

  test('410 removes the subscription; 500 is retried', async () => {
    const owner = await signIn(srv, other, 'OWNER');
    const gone = browser(fake.url('gone'));
    const flaky = browser(fake.url('flaky'));
    fake.answers.gone = [410];
    fake.answers.flaky = [500];
    adminSql(`DELETE FROM push_subscriptions WHERE tenant_id = ${lit(other.id)}`);
    assert.equal((await owner.post('/v1/admin/push/subscriptions', gone.json)).status, 201);
    const second = await signIn(srv, other, 'ADMIN');
    assert.equal((await second.post('/v1/admin/push/subscriptions', flaky.json)).status, 201);
    await bookAlex(other);
    await waitFor(() => to('gone').length === 1 && subs(other) === 1,
      { timeoutMs: 15000, what: '410 handled' });
    await waitFor(() => to('flaky').length === 2, { timeoutMs: 20000, what: 'retry after 500' });
    const n = open(fake, to('flaky')[1], flaky, vapid.pub);
    assert.equal(n.title, 'New booking');
    const logs = worker.logs().map((l) => JSON.stringify(l)).join('\n');
    assert.ok(!logs.includes('/push/gone'), 'endpoints are not logged');
  });
});
