// google.mjs — a fake of Google's OAuth 2.0 endpoints and Calendar API v3,
// speaking their documented JSON:
//   GET  /o/oauth2/v2/auth            the consent page: redirects (302) to
//                                     redirect_uri?code=…&state=… (or
//                                     error=access_denied when told to deny)
//   POST /token                       grant_type=authorization_code |
//                                     refresh_token (form-encoded) →
//                                     {access_token, expires_in, refresh_token?,
//                                     scope, token_type}; 400 invalid_grant
//   POST /calendar/v3/freeBusy        {timeMin, timeMax, items:[{id}]} →
//                                     {kind, timeMin, timeMax, calendars:{id:{busy}}}
//   POST/PATCH/DELETE/GET /calendar/v3/calendars/{cal}/events[/{id}]
// Event ids follow Google's rule (base32hex, 5–1024 chars); a deleted
// event answers 410 to DELETE and comes back "cancelled" from GET.
import { randomBytes } from 'node:crypto';

import { bearer, FakeServer } from './fake_server.mjs';

const EVENT_ID_RE = /^[a-v0-9]{5,1024}$/;

export class FakeGoogle extends FakeServer {
  constructor({ clientId = 'test-client-id', clientSecret = 'test-client-secret' } = {}) {
    super('google', (e, reply) => this.#handle(e, reply));
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.codes = new Map();          // code -> {redirect_uri, scope}
    this.refreshTokens = new Map();  // refresh token -> {revoked}
    this.accessTokens = new Map();   // access token -> refresh token
    this.busy = new Map();           // calendar id -> [{start, end}] (ISO)
    this.events = new Map();         // `${cal}/${id}` -> event
    this.deny = false;
  }

  // Environment for a receptionist process using this fake.
  env() {
    return {
      GOOGLE_CLIENT_ID: this.clientId,
      GOOGLE_CLIENT_SECRET: this.clientSecret,
      GOOGLE_OAUTH_BASE_URL: this.url,
      GOOGLE_TOKEN_URL: `${this.url}/token`,
      GOOGLE_CALENDAR_BASE_URL: `${this.url}/calendar/v3`,
    };
  }

  setBusy(calendarId, ranges) { this.busy.set(calendarId, ranges); }

  // Someone deletes our event in Google Calendar.
  deleteRemote(calendarId, id) {
    const ev = this.events.get(`${calendarId}/${id}`);
    if (ev) ev.status = 'cancelled';
  }

  revokeAll() {
    for (const v of this.refreshTokens.values()) v.revoked = true;
    this.accessTokens.clear();
  }

  eventsOf(calendarId) {
    return [...this.events.entries()].filter(([k]) => k.startsWith(`${calendarId}/`))
      .map(([, v]) => v);
  }

  #handle(e, reply) {
    const p = e.path;
    if (e.method === 'GET' && p === '/o/oauth2/v2/auth') return this.#consent(e, reply);
    if (e.method === 'POST' && p === '/token') return this.#token(e, reply);
    if (!p.startsWith('/calendar/v3/')) return reply(404, { error: { code: 404, message: 'Not Found' } });
    const tok = bearer(e);
    if (!tok || !this.accessTokens.has(tok)) {
      return reply(401, { error: { code: 401, message: 'Request had invalid authentication credentials.',
        errors: [{ domain: 'global', reason: 'authError' }] } });
    }
    if (e.method === 'POST' && p === '/calendar/v3/freeBusy') return this.#freeBusy(e, reply);
    const m = /^\/calendar\/v3\/calendars\/([^/]+)\/events(?:\/([^/]+))?$/.exec(p);
    if (!m) return reply(404, { error: { code: 404, message: 'Not Found' } });
    const cal = decodeURIComponent(m[1]);
    const id = m[2] ? decodeURIComponent(m[2]) : null;
    const key = `${cal}/${id}`;
    const notFound = () => reply(404, { error: { code: 404, message: 'Not Found',
      errors: [{ domain: 'global', reason: 'notFound' }] } });
    if (e.method === 'POST' && !id) {
      const b = e.body ?? {};
      const newId = b.id ?? randomBytes(10).toString('hex');
      if (!EVENT_ID_RE.test(newId)) {
        return reply(400, { error: { code: 400, message: 'Invalid resource id value.' } });
      }
      if (!b.start?.dateTime || !b.end?.dateTime) {
        return reply(400, { error: { code: 400, message: 'Missing time.' } });
      }
      if (this.events.has(`${cal}/${newId}`)) {
        return reply(409, { error: { code: 409, message: 'The requested identifier already exists.',
          errors: [{ domain: 'global', reason: 'duplicate' }] } });
      }
      const ev = { kind: 'calendar#event', ...b, id: newId, status: 'confirmed' };
      this.events.set(`${cal}/${newId}`, ev);
      return reply(200, ev);
    }
    const ev = this.events.get(key);
    if (e.method === 'GET') return ev ? reply(200, ev) : notFound();
    if (e.method === 'PATCH') {
      if (!ev) return notFound();
      Object.assign(ev, e.body ?? {}, { id: ev.id, status: ev.status });
      return reply(200, ev);
    }
    if (e.method === 'DELETE') {
      if (!ev) return notFound();
      if (ev.status === 'cancelled') {
        return reply(410, { error: { code: 410, message: 'Resource has been deleted',
          errors: [{ domain: 'global', reason: 'deleted' }] } });
      }
      ev.status = 'cancelled';
      return reply(204);
    }
    return reply(405, { error: { code: 405, message: 'Method not allowed' } });
  }

  #consent(e, reply) {
    const q = e.query;
    if (q.client_id !== this.clientId || q.response_type !== 'code' || !q.redirect_uri) {
      return reply(400, { error: 'invalid_request' });
    }
    const target = new URL(q.redirect_uri);
    if (this.deny) {
      target.searchParams.set('error', 'access_denied');
    } else {
      const code = `4/${randomBytes(12).toString('base64url')}`;
      this.codes.set(code, { redirect_uri: q.redirect_uri, scope: q.scope,
        offline: q.access_type === 'offline', consent: q.prompt === 'consent' });
      target.searchParams.set('code', code);
      target.searchParams.set('scope', q.scope ?? '');
    }
    target.searchParams.set('state', q.state ?? '');
    return reply(302, undefined, { location: target.toString() });
  }

  #token(e, reply) {
    const b = e.body ?? {};
    if (b.client_id !== this.clientId || b.client_secret !== this.clientSecret) {
      return reply(401, { error: 'invalid_client', error_description: 'Unauthorized' });
    }
    const issue = () => `ya29.${randomBytes(16).toString('base64url')}`;
    if (b.grant_type === 'authorization_code') {
      const c = this.codes.get(b.code);
      this.codes.delete(b.code);   // single use
      if (!c || c.redirect_uri !== b.redirect_uri) {
        return reply(400, { error: 'invalid_grant', error_description: 'Bad Request' });
      }
      const rt = `1//${randomBytes(18).toString('base64url')}`;
      this.refreshTokens.set(rt, { revoked: false });
      const at = issue();
      this.accessTokens.set(at, rt);
      return reply(200, { access_token: at, expires_in: 3599, token_type: 'Bearer',
        scope: c.scope, ...(c.offline ? { refresh_token: rt } : {}) });
    }
    if (b.grant_type === 'refresh_token') {
      const r = this.refreshTokens.get(b.refresh_token);
      if (!r || r.revoked) {
        return reply(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
      }
      const at = issue();
      this.accessTokens.set(at, b.refresh_token);
      return reply(200, { access_token: at, expires_in: 3599, token_type: 'Bearer',
        scope: 'https://www.googleapis.com/auth/calendar.events' });
    }
    return reply(400, { error: 'unsupported_grant_type' });
  }

  #freeBusy(e, reply) {
    const b = e.body ?? {};
    const min = Date.parse(b.timeMin);
    const max = Date.parse(b.timeMax);
    if (!Array.isArray(b.items) || Number.isNaN(min) || Number.isNaN(max) || max <= min) {
      return reply(400, { error: { code: 400, message: 'Bad Request' } });
    }
    const calendars = {};
    for (const { id } of b.items) {
      const busy = [...(this.busy.get(id) ?? [])];
      // Our own confirmed events are busy time too, as in real Google.
      for (const ev of this.eventsOf(id)) {
        if (ev.status !== 'cancelled') busy.push({ start: ev.start.dateTime, end: ev.end.dateTime });
      }
      calendars[id] = {
        busy: busy.filter((r) => Date.parse(r.end) > min && Date.parse(r.start) < max)
          .map((r) => ({
            start: new Date(Math.max(Date.parse(r.start), min)).toISOString().replace('.000Z', 'Z'),
            end: new Date(Math.min(Date.parse(r.end), max)).toISOString().replace('.000Z', 'Z'),
          })),
      };
    }
    return reply(200, { kind: 'calendar#freeBusy', timeMin: b.timeMin, timeMax: b.timeMax, calendars });
  }
}
