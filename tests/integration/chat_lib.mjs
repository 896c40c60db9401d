// chat_lib.mjs — helpers for the conversation engine suites (chat*.test.mjs,
// injection*.test.mjs): a salon in America/New_York made in SQL, a server
// running the offline receptionist (no model key), chat sessions through
// /v1/chat/stream (events parsed) and /v1/chat/message, and reads of what
// the database holds.
import assert from 'node:assert/strict';
import http from 'node:http';

import { adminSql, cli, lit, randomSlug, startServer } from './lib.mjs';

export const HAIRCUT = '44444444-4444-4444-8444-000000000001';
export const TRIM = '44444444-4444-4444-8444-000000000002';
export const ALEX = '55555555-5555-4555-8555-000000000001';

// The chat API's own limits off (the browser guard's suite tests them),
// the offline receptionist answering.
export function chatServer(env = {}) {
  return startServer({
    CHAT_RATE_IP_PER_MIN: '0', CHAT_RATE_SESSION_PER_MIN: '0', CHAT_NEW_PER_HOUR: '0',
    LLM_PROVIDER: 'offline', REDIS_URL: '', ...env,
  });
}

// A salon open every day 09:00–18:00 in America/New_York, Alex doing a
// Haircut (30 min, $25) and a Beard Trim (15 min, $12), two FAQs, the
// business e-mail for handoff notices; bookings allowed a year ahead.
export function salon({ name, zone = 'America/New_York', plan = 'pro', opens = '09:00',
  closes = '18:00', keywords = [], allowHandoff = true, windowHours = 0 } = {}) {
  const slug = randomSlug('ai');
  const bizName = name ?? `Salon ${slug}`;
  const out = cli('tenant', 'create', '--slug', slug, '--name', bizName, '--timezone', zone,
    '--plan', plan);
  const id = /created tenant ([0-9a-f-]{36})/.exec(out)[1];
  const T = lit(id);
  adminSql(`
    UPDATE tenant_profiles SET email = ${lit(`owner@${slug}.example`)}, phone = '+14155550100',
      address_line1 = '1 Main St', city = 'Springfield' WHERE tenant_id = ${T};
    INSERT INTO services (tenant_id, id, name, duration_minutes, price_minor, currency) VALUES
      (${T}, '${HAIRCUT}', 'Haircut', 30, 2500, 'USD'),
      (${T}, '${TRIM}', 'Beard Trim', 15, 1200, 'USD');
    INSERT INTO staff (tenant_id, id, display_name) VALUES (${T}, '${ALEX}', 'Alex');
    INSERT INTO staff_services (tenant_id, staff_id, service_id)
      SELECT ${T}, '${ALEX}', id FROM services WHERE tenant_id = ${T};
    INSERT INTO staff_schedules (tenant_id, staff_id, weekday, starts, ends)
      SELECT ${T}, '${ALEX}', d, '${opens}', '${closes}' FROM generate_series(1, 7) d;
    INSERT INTO business_hours (tenant_id, weekday, opens, closes)
      SELECT ${T}, d, '${opens}', '${closes}' FROM generate_series(1, 7) d;
    INSERT INTO faqs (tenant_id, question, answer) VALUES
      (${T}, 'Do you have parking?', 'Yes, free parking behind the salon.'),
      (${T}, 'Do you accept credit cards?', 'We accept all major credit cards.');
    UPDATE scheduling_settings SET min_notice_minutes = 60, max_days_ahead = 400,
      slot_step_minutes = 15 WHERE tenant_id = ${T};
    UPDATE tenant_policies SET cancellation_window_hours = ${windowHours} WHERE tenant_id = ${T};
    UPDATE ai_settings SET allow_human_handoff = ${allowHandoff},
      handoff_keywords = ${keywords.length ? `ARRAY[${keywords.map(lit).join(', ')}]` : "'{}'"}
      WHERE tenant_id = ${T};
  `);
  return { id, slug, name: bizName, host: `${slug}.localhost`, zone };
}

// A chat on tenant t. open() → the session; say(text) streams a turn and
// returns {status, events, text (the final message), deltas, tools, slots,
// error, done, pings}; send(text) is the same turn through /v1/chat/message.
export function chat(srv, t) {
  const c = {
    session: null,
    greeting: null,
    async open() {
      const r = await srv.request({ method: 'POST', path: '/v1/chat/session', host: t.host,
        body: {} });
      assert.equal(r.status, 201, r.text);
      c.session = r.json.session_id;
      c.greeting = r.json.greeting;
      return r.json;
    },
    say(message, opts = {}) {
      return streamTurn(srv, t, { session_id: c.session, message }, opts);
    },
    async send(message) {
      return srv.request({ method: 'POST', path: '/v1/chat/message', host: t.host,
        body: { session_id: c.session, message } });
    },
    async history(after = 0) {
      return srv.request({ method: 'POST', path: '/v1/chat/history', host: t.host,
        body: { session_id: c.session, after_seq: after } });
    },
    conversationId() {
      return adminSql(`SELECT id FROM conversations WHERE tenant_id = ${lit(t.id)}
        AND session_token_hash = sha256(convert_to(${lit(c.session)}, 'UTF8'))`);
    },
  };
  return c;
}

// Parses "event: …\ndata: …\n\n" blocks; comments (": ping") are counted.
export function parseSse(text) {
  const events = [];
  let pings = 0;
  for (const raw of text.split('\n\n')) {
    if (!raw.trim()) continue;
    const ev = { event: 'message', data: '' };
    for (const line of raw.split('\n')) {
      if (line.startsWith(':')) pings++;
      else if (line.startsWith('event: ')) ev.event = line.slice(7);
      else if (line.startsWith('data: ')) ev.data += line.slice(6);
    }
    if (!ev.data) continue;
    ev.json = JSON.parse(ev.data);
    events.push(ev);
  }
  return { events, pings };
}

export function streamTurn(srv, t, body, { timeoutMs = 30000, onData } = {}) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port: srv.port, method: 'POST',
      path: '/v1/chat/stream', agent: false, setHost: false,
      headers: { Host: t.host, 'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload) } }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        buf += d;
        if (onData) onData(buf, req, res);
      });
      res.on('error', () => resolve({ status: res.statusCode, aborted: true, raw: buf }));
      res.on('end', () => {
        if (res.statusCode !== 200) {
          let json;
          try { json = JSON.parse(buf); } catch { json = undefined; }
          resolve({ status: res.statusCode, headers: res.headers, json, raw: buf });
          return;
        }
        const { events, pings } = parseSse(buf);
        resolve({
          status: res.statusCode,
          headers: res.headers,
          raw: buf,
          events,
          pings,
          deltas: events.filter((e) => e.event === 'delta').map((e) => e.json.text).join(''),
          text: events.find((e) => e.event === 'message')?.json?.text,
          messageId: events.find((e) => e.event === 'message')?.json?.id,
          tools: events.filter((e) => e.event === 'tool').map((e) => e.json),
          slots: events.filter((e) => e.event === 'slots').at(-1)?.json?.slots,
          error: events.find((e) => e.event === 'error')?.json,
          done: events.find((e) => e.event === 'done')?.json,
        });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('chat turn timed out')));
    req.on('error', (e) => {
      if (e.code === 'ECONNRESET' || /aborted|socket hang up/.test(e.message))
        resolve({ aborted: true });
      else reject(e);
    });
    req.end(payload);
  });
}

// Asserts a turn streamed fine and returns it.
export function ok(turn, what = '') {
  assert.equal(turn.status, 200, `${what}: ${turn.raw}`);
  assert.equal(turn.error, undefined, `${what}: error event ${JSON.stringify(turn.error)}`);
  assert.ok(turn.done, `${what}: no done event in ${turn.raw}`);
  return turn;
}

// Bookings of tenant t as objects (superuser: RLS hides nothing).
export function bookings(t, where = 'true') {
  return JSON.parse(adminSql(`SELECT coalesce(json_agg(x ORDER BY x.created_at), '[]') FROM (
    SELECT b.reference, b.status, b.source, extract(epoch FROM b.starts_at)::bigint AS start,
      b.created_at, c.email, c.phone, c.name
    FROM bookings b JOIN customers c ON c.tenant_id = b.tenant_id AND c.id = b.customer_id
    WHERE b.tenant_id = ${lit(t.id)} AND ${where}) x`));
}

export function conversationRow(t, id) {
  return JSON.parse(adminSql(`SELECT row_to_json(c) FROM conversations c
    WHERE tenant_id = ${lit(t.id)} AND id = ${lit(id)}`));
}

export function messages(t, convId) {
  return JSON.parse(adminSql(`SELECT coalesce(json_agg(m ORDER BY m.seq), '[]')
    FROM messages m WHERE tenant_id = ${lit(t.id)} AND conversation_id = ${lit(convId)}`));
}

// "YYYY-MM-DD" of today + n days on the tenant's wall clock.
export function localDate(zone, n = 0) {
  const d = new Date(Date.now() + n * 86400000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit',
    day: '2-digit' }).format(d);
}

// Local wall time of an instant (epoch seconds) in zone: {date, minutes}.
export function localWall(zone, epoch) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: zone,
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    hourCycle: 'h23' }).formatToParts(new Date(epoch * 1000)).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`,
    minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

// Drives a fresh chat to the point where a booking waits for the
// customer's yes; returns {c, slot}.
export async function toProposal(srv, t, { ask = 'can I get a haircut tomorrow after 4?',
  contact = 'Jane Doe, jane@example.com', pick = 0 } = {}) {
  const c = chat(srv, t);
  await c.open();
  const a = ok(await c.say(ask), 'ask');
  assert.ok(a.slots?.length > 0, `slots offered: ${a.raw}`);
  const slot = a.slots[Math.min(pick, a.slots.length - 1)];
  ok(await c.say(slot.label), 'pick');
  const p = ok(await c.say(contact), 'contact');
  assert.match(p.text, /Shall I book it\?/, p.text);
  return { c, slot, proposal: p };
}
