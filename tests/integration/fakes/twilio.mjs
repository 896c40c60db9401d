// twilio.mjs — a fake of Twilio's Messages API (twilio.com/docs/messaging/
// api/message-resource), speaking its documented JSON:
//   POST /2010-04-01/Accounts/{AccountSid}/Messages.json
//        form: To, From | MessagingServiceSid, Body, StatusCallback
//        basic auth AccountSid:AuthToken
//   → 201 {sid: "SM…", status: "queued", num_segments, error_code: null, …}
//   → 401 {code: 20003, message, more_info, status} on wrong credentials
//   → 400 {code: 21211, …} for a To that is not E.164
// Every request is recorded (FakeServer), so tests read the form fields and
// the Authorization header; fail() scripts 500/429/400 answers and delays.
// Signing webhooks uses the official `twilio` package (webhook helpers), so
// what our verifier accepts is what Twilio's own library produces.
import { randomBytes } from 'node:crypto';

import twilio from 'twilio';

import { FakeServer } from './fake_server.mjs';

export const sid = (prefix) => prefix + randomBytes(16).toString('hex');

export class FakeTwilio extends FakeServer {
  constructor() {
    super('twilio', (e, reply) => this.#handle(e, reply));
    this.accounts = new Map();	// account sid -> auth token
    this.sent = [];			// {accountSid, form, sid}
  }

  addAccount(accountSid = sid('AC'), token = randomBytes(16).toString('hex')) {
    this.accounts.set(accountSid, token);
    return { accountSid, token };
  }

  #handle(e, reply) {
    const m = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\.json$/.exec(e.path);
    if (e.method !== 'POST' || !m) {
      return reply(404, { code: 20404, message: 'The requested resource was not found',
        more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 });
    }
    const auth = String(e.headers.authorization ?? '');
    const [user, pass] = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString().split(':');
    if (!auth.startsWith('Basic ') || user !== m[1] || this.accounts.get(user) !== pass) {
      return reply(401, { code: 20003, message: 'Authenticate',
        more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    }
    const f = e.body ?? {};
    if (!/^\+[1-9][0-9]{6,14}$/.test(f.To ?? '')) {
      return reply(400, { code: 21211, message: `The 'To' number ${f.To} is not a valid phone number.`,
        more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 });
    }
    if (!f.Body || (!f.From && !f.MessagingServiceSid)) {
      return reply(400, { code: 21602, message: 'Message body is required.',
        more_info: 'https://www.twilio.com/docs/errors/21602', status: 400 });
    }
    const messageSid = sid('SM');
    this.sent.push({ accountSid: m[1], form: f, sid: messageSid });
    return reply(201, {
      account_sid: m[1], api_version: '2010-04-01', body: f.Body, date_created: new Date().toUTCString(),
      date_sent: null, date_updated: new Date().toUTCString(), direction: 'outbound-api',
      error_code: null, error_message: null, from: f.From ?? null,
      messaging_service_sid: f.MessagingServiceSid ?? null,
      num_media: '0', num_segments: f.MessagingServiceSid ? '0' : '1', price: null, price_unit: null,
      sid: messageSid, status: f.MessagingServiceSid ? 'accepted' : 'queued', to: f.To,
      uri: `/2010-04-01/Accounts/${m[1]}/Messages/${messageSid}.json`,
    });
  }

  env(accountSid, token, extra = {}) {
    return { TWILIO_API_BASE: this.url, TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: token,
      ...extra };
  }
}

// The X-Twilio-Signature Twilio would send for a form POST to url.
export function twilioSignature(token, url, params) {
  return twilio.getExpectedTwilioSignature(token, url, params);
}

export function validate(token, signature, url, params) {
  return twilio.validateRequest(token, signature, url, params);
}
