// events.test.mjs — the admin app's live updates (GET /v1/admin/events):
// a Server-Sent Events stream opened with the session cookie receives,
// within a second or two, every kind of change made through the public
// API (portal booking, admin move / status / cancel, a widget chat
// message, a person taking over, handing back, closing), scoped to its
// tenant and to what the caller's role may read (STAFF: own bookings, no
// conversations). Anonymous is 401, the per-tenant cap answers 503 with
// the JSON error shape, a closed stream frees its slot, and a signed-out
// session's stream ends (each end is logged with its reason).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { adminSql, assertErrorBody, killAll, lit, sleep } from './lib.mjs';
import { signIn } from './admin_lib.mjs';
import { AUTH_ENV } from './auth_lib.mjs';
import { book, bookingBody, dayAhead, expect, salon, staffId } from './booking_lib.mjs';
import { chat, chatServer, salon as chatSalon } from './chat_lib.mjs';

after(killAll);

// An open stream: events parsed as they come, and whether it ended.
function openStream(srv, host, cookie, { bearer } = {}) {
  return new Promise((resolve, reject) => {
    const headers = { host, accept: 'text/event-stream' };
    if (cookie) headers.cookie = `rcp_session=${cookie}`;
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    const rq = http.get({ port: srv.port, path: '/v1/admin/events', headers }, (res) => {
      const s = { status: res.status, res, events: [], raw: '', ended: false, req: rq };
      s.status = res.statusCode;
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (d) => {
        s.raw += d;
        buf += d;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = {};
          for (const line of block.split('\n')) {
            const m = /^(id|event|data|retry): ?(.*)$/.exec(line);
            if (m) ev[m[1]] = m[2];
          }
          if (ev.event) s.events.push({ id: Number(ev.id), kind: ev.event, data: JSON.parse(ev.data) });
        }
      });
      res.on('end', () => { s.ended = true; });
      res.on('close', () => { s.ended = true; });
      s.close = () => rq.destroy();
      resolve(s);
    });
    rq.on('error', (e) => { if (e.code !== 'ECONNRESET') reject(e); });
  });
}

// Generous: it returns as soon as the event is there; a loaded CI machine
// has taken seconds.
async function waitEvent(s, pred, what, timeoutMs = 10000) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const e = s.events.find(pred);
    if (e) return e;
    await sleep(20);
  }
  assert.fail(`no ${what} within ${timeoutMs} ms; got ${JSON.stringify(s.events.map((e) => e.kind))}`);
}

let srv;
before(async () => {
  srv = await chatServer({ ...AUTH_ENV, EVENTS_HEARTBEAT_S: '1', EVENTS_STREAMS_PER_TENANT: '4' });
});
after(() => srv?.kill());

describe('GET /v1/admin/events', () => {
  let t;
  let other;
  let owner;
  let staffC;
  let viewer;
  let otherOwner;
  const streams = {};

  before(async () => {
    t = salon({ staff: ['Ann', 'Bob'], opens: '00:00', closes: '24:00' });
    other = salon({ staff: ['Zed'] });
    owner = await signIn(srv, t, 'OWNER');
    staffC = await signIn(srv, t, 'STAFF');
    viewer = await signIn(srv, t, 'VIEWER');
    otherOwner = await signIn(srv, other, 'OWNER');
    adminSql(`UPDATE staff SET user_id = ${lit(staffC.userId)} WHERE tenant_id = ${lit(t.id)}
      AND id = '${staffId(0)}'`);
    streams.owner = await openStream(srv, t.host, owner.session.cookie);
    streams.staff = await openStream(srv, t.host, staffC.session.cookie);
    streams.viewer = await openStream(srv, t.host, viewer.session.cookie);
    streams.other = await openStream(srv, other.host, otherOwner.session.cookie);
    // The fourth of t's four: a VIEWER API key limited to bookings.
    const k = await owner.post('/v1/admin/api-keys', { name: 'Feed', role: 'VIEWER',
      scopes: ['bookings'] });
    assert.equal(k.status, 201, k.text);
    streams.key = await openStream(srv, t.host, null, { bearer: k.json.key });
  });
  after(() => Object.values(streams).forEach((s) => s.close()));

  test('the stream opens with retry: and the SSE content type', () => {
    assert.equal(streams.owner.status, 200);
    assert.match(streams.owner.res.headers['content-type'], /^text\/event-stream/);
    assert.equal(streams.owner.res.headers['cache-control'], 'no-store');
  });

  test('anonymous is 401 with the JSON error shape', async () => {
    const r = await srv.request({ path: '/v1/admin/events', host: t.host });
    assertErrorBody(assert, r, 401, 'UNAUTHENTICATED');
  });

  let ann;
  let bob;
  test('a portal booking: booking.created with staff ids, to owner and viewer', async () => {
    const d = dayAhead(4);
    ann = expect(await book(srv, t, bookingBody(`${d}T09:00:00Z`, { staffId: staffId(0) })), 201);
    bob = expect(await book(srv, t, bookingBody(`${d}T09:00:00Z`, { staffId: staffId(1),
      email: 'bob-client@example.com' })), 201);
    for (const who of ['owner', 'viewer']) {
      const e = await waitEvent(streams[who], (x) => x.kind === 'booking.created'
        && x.data.booking_id === bob.id, `${who} booking.created`);
      assert.deepEqual(e.data.staff_ids, [staffId(1)]);
      assert.equal(e.data.status, 'CONFIRMED');
      assert.equal(e.data.tenant_id, undefined, 'routing facts stay on the server');
      assert.equal(e.data.staff_user_ids, undefined);
      assert.ok(!JSON.stringify(e.data).includes('example.com'), 'no customer contact');
    }
    await waitEvent(streams.staff, (x) => x.data.booking_id === ann.id, 'staff: own booking');
    await sleep(300);
    assert.ok(!streams.staff.events.some((x) => x.data.booking_id === bob.id),
      'STAFF does not see another person\'s booking');
  });

  test('admin move, status and cancel', async () => {
    const m = expect(await owner.post(`/v1/admin/bookings/${ann.id}/move`,
      { start: `${dayAhead(4)}T11:00:00Z` }), 200);
    await waitEvent(streams.owner, (x) => x.kind === 'booking.moved' && x.data.booking_id === ann.id,
      'booking.moved');
    await waitEvent(streams.staff, (x) => x.kind === 'booking.moved', 'staff booking.moved');
    expect(await owner.post(`/v1/admin/bookings/${ann.id}/status`, { status: 'IN_PROGRESS' },
      { 'if-match': `"${m.version}"` }), 200);
    const st = await waitEvent(streams.owner, (x) => x.kind === 'booking.status', 'booking.status');
    assert.equal(st.data.status, 'IN_PROGRESS');
    expect(await owner.post(`/v1/admin/bookings/${bob.id}/cancel`, { reason: 'Ill' }), 200);
    await waitEvent(streams.viewer, (x) => x.kind === 'booking.cancelled'
      && x.data.booking_id === bob.id, 'booking.cancelled');
  });

  test('event ids increase', async () => {
    // The owner's stream has the cancellation too (the test before waited
    // on the viewer's).
    await waitEvent(streams.owner, (x) => x.kind === 'booking.cancelled'
      && x.data.booking_id === bob.id, 'owner booking.cancelled');
    const ids = streams.owner.events.map((e) => e.id);
    assert.ok(ids.length >= 5);
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1], `ids ${ids}`);
  });

  test('a chat: conversation.created, message, take over, hand back, a handoff waits, close', async () => {
    const ct = chatSalon();
    const o = await signIn(srv, ct, 'OWNER');
    const s = await openStream(srv, ct.host, o.session.cookie);
    try {
      const c = chat(srv, ct);
      await c.open();
      const created = await waitEvent(s, (x) => x.kind === 'conversation.created', 'created');
      const conv = created.data.conversation_id;
      assert.equal(created.data.channel, 'web');
      const r = await c.send('Do you have parking?');
      assert.equal(r.status, 200, r.text);
      const msg = await waitEvent(s, (x) => x.kind === 'conversation.message'
        && x.data.author === 'customer', 'conversation.message');
      assert.equal(msg.data.conversation_id, conv);
      assert.equal(msg.data.preview, undefined, 'no message text in an event');
      assert.ok(!JSON.stringify(msg).includes('parking'));
      expect(await o.post(`/v1/admin/conversations/${conv}/reply`, { text: 'Hi, Sam here' }), 201);
      // A person replying takes it at once: it never waits for anyone.
      const tk = await waitEvent(s, (x) => x.kind === 'handoff.taken', 'handoff.taken');
      assert.equal(tk.data.conversation_id, conv);
      expect(await o.post(`/v1/admin/conversations/${conv}/handback`, {}), 200);
      await waitEvent(s, (x) => x.kind === 'handoff.released', 'handoff.released');
      assert.ok(!s.events.some((x) => x.kind === 'handoff.waiting'), 'a reply is no waiting handoff');
      // The customer asks for a person: now it waits.
      assert.equal((await c.send('can I talk to a real person please')).status, 200);
      const w = await waitEvent(s, (x) => x.kind === 'handoff.waiting', 'handoff.waiting');
      assert.equal(w.data.conversation_id, conv);
      adminSql(`UPDATE conversations SET status = 'CLOSED', closed_at = now()
        WHERE tenant_id = ${lit(ct.id)} AND id = ${lit(conv)}`);
      await waitEvent(s, (x) => x.kind === 'conversation.closed', 'conversation.closed');
    } finally {
      s.close();
    }
  });

  test('STAFF gets no conversation events; other tenants see nothing of t', async () => {
    await sleep(200);
    assert.ok(!streams.staff.events.some((x) => !x.kind.startsWith('booking.')));
    assert.ok(!streams.other.events.some((x) => [ann.id, bob.id].includes(x.data.booking_id)));
    assert.equal(streams.other.events.length, 0);
  });

  test('the per-tenant cap answers 503 with the JSON error shape', async () => {
    const r = await srv.request({ path: '/v1/admin/events', host: t.host,
      headers: { cookie: `rcp_session=${owner.session.cookie}` } });
    assertErrorBody(assert, r, 503, 'UNAVAILABLE');
  });

  test('an API key: its scopes decide (bookings yes, conversations no)', async () => {
    const s = streams.key;
    assert.equal(s.status, 200, s.raw);
    const d = dayAhead(5);
    const b = expect(await book(srv, t, bookingBody(`${d}T10:00:00Z`, { staffId: staffId(1),
      email: 'key-client@example.com' })), 201);
    await waitEvent(s, (x) => x.kind === 'booking.created' && x.data.booking_id === b.id,
      'booking.created over an API key');
    adminSql(`INSERT INTO conversations (tenant_id, channel) VALUES (${lit(t.id)}, 'web')`);
    await waitEvent(streams.owner, (x) => x.kind === 'conversation.created', 'owner sees it');
    await sleep(200);
    assert.ok(!s.events.some((x) => x.kind.startsWith('conversation.')));
  });

  test('a closed stream frees its slot (noticed at a heartbeat)', async () => {
    streams.viewer.close();
    // The server notices at the second heartbeat write after the client
    // left (EVENTS_HEARTBEAT_S=1 here); a loaded machine can take longer.
    const t0 = Date.now();
    let s;
    do {
      if (s) { s.close(); await sleep(100); }
      s = await openStream(srv, t.host, viewer.session.cookie);
    } while (s.status === 503 && Date.now() - t0 < 60000);
    streams.viewer = s;
    const ended = srv.logs().filter((l) => l.msg === 'events stream ended');
    assert.equal(s.status, 200, `still refused after ${Date.now() - t0} ms: ${s.raw}; `
      + `streams ended so far: ${JSON.stringify(ended)}`);
    assert.ok(ended.some((l) => l.reason === 'client gone'), JSON.stringify(ended));
  });

  test('sign out: the stream ends at the next heartbeat', async () => {
    const s = streams.other;
    await sleep(100);
    assert.equal(s.ended, false);
    assert.equal((await otherOwner.post('/v1/auth/logout', {})).status < 300, true);
    const t0 = Date.now();
    while (!s.ended && Date.now() - t0 < 10000) await sleep(50);
    assert.ok(s.ended, 'stream still open 10 s after sign-out');
    assert.ok(srv.logs().some((l) => l.msg === 'events stream ended'
      && l.reason === 'signed out'));
  });
});

test('SIGTERM ends open streams at once and the server exits 0', async () => {
  const own = await chatServer({ ...AUTH_ENV, SHUTDOWN_GRACE_S: '20' });
  const t = salon();
  const o = await signIn(own, t, 'OWNER');
  const s = await openStream(own, t.host, o.session.cookie);
  assert.equal(s.status, 200);
  const t0 = Date.now();
  const exited = await own.stop('SIGTERM', 15000);
  assert.equal(exited.code, 0, exited.stderr?.slice(-2000));
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  assert.ok(s.ended);
});
