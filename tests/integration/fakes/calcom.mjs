// calcom.mjs — a fake of Cal.com API v2 (cal.com/docs/api-reference/v2),
// speaking its documented JSON ({"status": "success", "data": …}):
//   GET  /v2/event-types/{id}          cal-api-version 2024-06-14
//   GET  /v2/slots?eventTypeId&start&end&timeZone&format=range
//                                      cal-api-version 2024-09-04 → {"data":
//                                      {"YYYY-MM-DD": [{"start", "end"}]}}
//   POST /v2/bookings                  cal-api-version 2024-08-13; "start"
//                                      must be UTC ("…Z"), as the API requires
//   POST /v2/bookings/{uid}/reschedule → a new booking (new uid)
//   POST /v2/bookings/{uid}/cancel, GET /v2/bookings/{uid}, GET /v2/bookings
//                                      ?eventTypeId&afterStart&beforeEnd&take
//   POST /v2/webhooks                  {subscriberUrl, triggers, secret, active}
// "Authorization: Bearer <api key>" on every call. Stricter than Cal.com
// in one way, on purpose: a missing or wrong cal-api-version is a 400
// here (Cal.com would silently fall back to an older version), so the
// tests prove we send the right one. Rate limit: `limit` requests per
// sliding minute per key (120, as Cal.com), then 429 with Retry-After;
// maxPerMinute() reports the busiest minute we were sent.
//
// Webhook deliveries (deliver()) are signed the way Cal.com signs them:
// x-cal-signature-256 = hex HMAC-SHA256(secret, raw body).
import { createHmac, randomBytes } from 'node:crypto';

import { bearer, FakeServer } from './fake_server.mjs';

const VERSIONS = [
  [/^\/v2\/slots$/, '2024-09-04'],
  [/^\/v2\/bookings/, '2024-08-13'],
  [/^\/v2\/event-types\//, '2024-06-14'],
];

export function calSignature(secret, raw) {
  return createHmac('sha256', secret).update(raw).digest('hex');
}

export class FakeCalcom extends FakeServer {
  constructor({ limit = 120 } = {}) {
    super('calcom', (e, reply) => this.#handle(e, reply));
    this.limit = limit;
    this.keys = new Map();       // api key -> {eventTypes: Map<id, {id, lengthInMinutes}>}
    this.bookings = new Map();   // uid -> booking
    this.webhooks = [];          // {key, subscriberUrl, secret, triggers}
    this.busy = [];              // extra unavailable ranges [{start, end}] (ISO)
    this.hours = { open: 9, close: 17 };   // UTC working hours, every day
    this.hits = new Map();       // key -> [timestamps]
  }

  env() { return { CALCOM_BASE_URL: this.url }; }

  addKey(key, eventTypeIds = [1001], lengthInMinutes = 30) {
    this.keys.set(key, {
      eventTypes: new Map(eventTypeIds.map((id) => [String(id), { id, lengthInMinutes }])),
    });
  }

  // The busiest sliding 60-second window of requests sent with key.
  maxPerMinute(key) {
    const t = (this.hits.get(key) ?? []).slice().sort((a, b) => a - b);
    let best = 0;
    for (let i = 0, j = 0; i < t.length; i++) {
      while (t[i] - t[j] >= 60000) j++;
      best = Math.max(best, i - j + 1);
    }
    return best;
  }

  bookingList() { return [...this.bookings.values()]; }

  // Delivers a webhook as Cal.com would, to every subscription of key (or
  // to url with secret). Returns the responses.
  async deliver(trigger, booking, { key, url, secret, tamper = false, extra = {} } = {}) {
    const body = JSON.stringify({
      triggerEvent: trigger,
      createdAt: new Date().toISOString(),
      payload: {
        type: 'haircut', title: 'Haircut', uid: booking.uid,
        startTime: booking.start, endTime: booking.end,
        attendees: booking.attendees ?? [],
        ...(booking.rescheduledFromUid ? { rescheduleUid: booking.rescheduledFromUid } : {}),
        ...extra,
      },
    });
    const targets = url ? [{ subscriberUrl: url, secret }]
      : this.webhooks.filter((w) => w.key === key && w.triggers.includes(trigger));
    const out = [];
    for (const t of targets) {
      const sig = calSignature(t.secret, body);
      const res = await fetch(t.subscriberUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-cal-signature-256': sig,
          'x-cal-webhook-version': '2021-10-20', host: new URL(t.subscriberUrl).host },
        body: tamper ? body.replace('Haircut', 'Haircup') : body,
      });
      out.push({ status: res.status, json: await res.json().catch(() => undefined) });
    }
    return out;
  }

  // The owner cancels a booking in Cal.com: it is cancelled and the
  // BOOKING_CANCELLED webhook goes out.
  async cancelRemote(uid, key) {
    const b = this.bookings.get(uid);
    b.status = 'cancelled';
    return this.deliver('BOOKING_CANCELLED', b, { key });
  }

  #handle(e, reply) {
    const err = (status, code, message) => reply(status, { status: 'error', error: { code, message } });
    const key = bearer(e);
    if (!key || !this.keys.has(key)) return err(401, 'UnauthorizedException', 'Invalid API key');
    const hits = this.hits.get(key) ?? [];
    this.hits.set(key, hits);
    const now = Date.now();
    hits.push(now);
    const recent = hits.filter((t) => now - t < 60000);
    if (recent.length > this.limit) {
      const retry = Math.max(1, Math.ceil((recent[0] + 60000 - now) / 1000));
      return reply(429, { status: 'error', error: { code: 'TooManyRequestsException',
        message: 'Rate limit exceeded' } }, { 'retry-after': String(retry) });
    }
    const want = VERSIONS.find(([re]) => re.test(e.path))?.[1];
    if (want && e.headers['cal-api-version'] !== want) {
      return err(400, 'BadRequestException', `cal-api-version must be ${want}`);
    }
    const acct = this.keys.get(key);
    let m;
    if (e.method === 'GET' && (m = /^\/v2\/event-types\/(\d+)$/.exec(e.path))) {
      const et = acct.eventTypes.get(m[1]);
      if (!et) return err(404, 'NotFoundException', 'Event type not found');
      return reply(200, { status: 'success', data: { id: et.id, lengthInMinutes: et.lengthInMinutes,
        title: 'Haircut', slug: 'haircut' } });
    }
    if (e.method === 'GET' && e.path === '/v2/slots') return this.#slots(e, acct, reply, err);
    if (e.method === 'POST' && e.path === '/v2/bookings') return this.#create(e, acct, reply, err);
    if (e.method === 'GET' && e.path === '/v2/bookings') {
      const q = e.query;
      const after = q.afterStart ? Date.parse(q.afterStart) : -Infinity;
      const before = q.beforeEnd ? Date.parse(q.beforeEnd) : Infinity;
      const data = this.bookingList().filter((b) => b.key === key
        && (!q.eventTypeId || String(b.eventTypeId) === q.eventTypeId)
        && Date.parse(b.start) >= after && Date.parse(b.end) <= before)
        .slice(0, Number(q.take ?? 100)).map((b) => this.#out(b));
      return reply(200, { status: 'success', data, pagination: { returnedItems: data.length } });
    }
    if ((m = /^\/v2\/bookings\/([^/]+)(?:\/(cancel|reschedule))?$/.exec(e.path))) {
      const b = this.bookings.get(decodeURIComponent(m[1]));
      if (!b || b.key !== key) return err(404, 'NotFoundException', 'Booking not found');
      if (e.method === 'GET' && !m[2]) return reply(200, { status: 'success', data: this.#out(b) });
      if (e.method === 'POST' && m[2] === 'cancel') {
        if (b.status === 'cancelled') return err(400, 'BadRequestException', 'Booking already cancelled');
        b.status = 'cancelled';
        b.cancellationReason = e.body?.cancellationReason;
        return reply(200, { status: 'success', data: this.#out(b) });
      }
      if (e.method === 'POST' && m[2] === 'reschedule') {
        if (b.status === 'cancelled') {
          return err(400, 'BadRequestException', 'Can\'t reschedule a cancelled booking');
        }
        const start = e.body?.start;
        if (typeof start !== 'string' || !start.endsWith('Z')) {
          return err(400, 'BadRequestException', 'start must be in UTC');
        }
        b.status = 'cancelled';
        const nb = this.#book(key, b.eventTypeId, start, b.lengthInMinutes, b.attendees, b.metadata);
        nb.rescheduledFromUid = b.uid;
        b.rescheduledToUid = nb.uid;
        return reply(201, { status: 'success', data: this.#out(nb) });
      }
    }
    if (e.method === 'POST' && e.path === '/v2/webhooks') {
      const b = e.body ?? {};
      if (typeof b.subscriberUrl !== 'string' || !Array.isArray(b.triggers)) {
        return err(400, 'BadRequestException', 'subscriberUrl and triggers are required');
      }
      const w = { id: randomBytes(6).toString('hex'), key, subscriberUrl: b.subscriberUrl,
        triggers: b.triggers, secret: b.secret, active: b.active !== false };
      this.webhooks.push(w);
      return reply(201, { status: 'success', data: { id: w.id, subscriberUrl: w.subscriberUrl,
        triggers: w.triggers, active: w.active } });
    }
    return err(404, 'NotFoundException', 'Not found');
  }

  #taken(start, end, except) {
    const s = Date.parse(start);
    const en = Date.parse(end);
    const overlaps = (a, b) => Date.parse(a) < en && Date.parse(b) > s;
    return this.bookingList().some((b) => b.status === 'accepted' && b.uid !== except
      && overlaps(b.start, b.end)) || this.busy.some((r) => overlaps(r.start, r.end));
  }

  #slots(e, acct, reply, err) {
    const q = e.query;
    const et = acct.eventTypes.get(String(q.eventTypeId));
    if (!et) return err(404, 'NotFoundException', 'Event type not found');
    const from = Date.parse(q.start);
    const to = Date.parse(q.end);
    if (Number.isNaN(from) || Number.isNaN(to) || to <= from) {
      return err(400, 'BadRequestException', 'start and end must be ISO 8601 in UTC');
    }
    const len = et.lengthInMinutes * 60000;
    const data = {};
    const day0 = Date.UTC(new Date(from).getUTCFullYear(), new Date(from).getUTCMonth(),
      new Date(from).getUTCDate());
    for (let d = day0; d < to; d += 86400000) {
      for (let t = d + this.hours.open * 3600000; t + len <= d + this.hours.close * 3600000; t += len) {
        if (t < from || t + len > to) continue;
        const start = new Date(t).toISOString();
        const end = new Date(t + len).toISOString();
        if (this.#taken(start, end)) continue;
        const date = start.slice(0, 10);
        (data[date] ??= []).push(q.format === 'range' ? { start, end } : { start });
      }
    }
    return reply(200, { status: 'success', data });
  }

  #book(key, eventTypeId, start, lengthInMinutes, attendees, metadata) {
    const uid = randomBytes(11).toString('base64url');
    const end = new Date(Date.parse(start) + lengthInMinutes * 60000).toISOString();
    const b = { id: this.bookings.size + 1, uid, key, eventTypeId, start, end, lengthInMinutes,
      status: 'accepted', attendees, metadata };
    this.bookings.set(uid, b);
    return b;
  }

  #create(e, acct, reply, err) {
    const b = e.body ?? {};
    const et = acct.eventTypes.get(String(b.eventTypeId));
    if (!et) return err(404, 'NotFoundException', 'Event type not found');
    if (typeof b.start !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(b.start)) {
      return err(400, 'BadRequestException', 'start must be an ISO 8601 date-time in UTC');
    }
    const a = b.attendee;
    if (!a || typeof a.name !== 'string' || typeof a.email !== 'string' || typeof a.timeZone !== 'string') {
      return err(400, 'BadRequestException', 'attendee name, email and timeZone are required');
    }
    const end = new Date(Date.parse(b.start) + et.lengthInMinutes * 60000).toISOString();
    if (this.#taken(b.start, end)) {
      return err(400, 'BadRequestException', 'User either already has booking at this time or is not available');
    }
    const nb = this.#book(bearer(e), b.eventTypeId, b.start, et.lengthInMinutes, [a], b.metadata);
    return reply(201, { status: 'success', data: this.#out(nb) });
  }

  #out(b) {
    return { id: b.id, uid: b.uid, status: b.status, start: b.start, end: b.end,
      duration: b.lengthInMinutes, eventTypeId: b.eventTypeId, attendees: b.attendees,
      metadata: b.metadata ?? {}, rescheduledFromUid: b.rescheduledFromUid,
      rescheduledToUid: b.rescheduledToUid };
  }
}
