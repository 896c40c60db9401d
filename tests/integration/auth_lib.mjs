// auth_lib.mjs — helpers for the auth, platform and permission suites:
// accounts made fast (one argon2 hash through the CLI, copied in SQL),
// sign-in, a client that carries the session cookie and CSRF token,
// requests from chosen loopback addresses (rate limits count per IP), and
// TOTP codes computed the way an authenticator app does.
import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import http from 'node:http';

import { adminSql, BIN, lit, REPO_ROOT } from './lib.mjs';

export const PASSWORD = 'violet-kettle-harbour-42';
export const ROLES = ['OWNER', 'ADMIN', 'VIEWER', 'STAFF', 'ORDER_MANAGER', 'ACCOUNTANT'];
export const FAKE_ID = '0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f';

// Servers for these suites count rate limits in-process (REDIS_URL unset)
// unless a test asks for Redis: each server starts with fresh counters.
export const AUTH_ENV = { ENABLE_TEST_ROUTES: 'true', REDIS_URL: '' };

// A loopback address of its own for each caller, so one test's failed
// attempts never rate-limit another's.
export function freshIp() {
  return `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
}

export function uniqueEmail(prefix = 'u') {
  return `${prefix}-${randomBytes(5).toString('hex')}@example.test`;
}

let templateHash;

// The argon2id hash of PASSWORD, made once through `receptionist user create`.
function passwordHash() {
  if (templateHash) return templateHash;
  const email = uniqueEmail('template');
  execFileSync(BIN, ['user', 'create', '--email', email], {
    cwd: REPO_ROOT,
    env: { ...process.env, ENV_FILE: '/dev/null', RECEPTIONIST_USER_PASSWORD: PASSWORD },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  templateHash = adminSql(`SELECT password_hash FROM users WHERE email = ${lit(email)}`);
  return templateHash;
}

// A user with PASSWORD, optionally a member of tenant with role, or a
// platform administrator. Returns {id, email}.
export function createUser({ email = uniqueEmail(), tenant, role, platformAdmin = false,
  name = 'Test User' } = {}) {
  const id = adminSql(`INSERT INTO users (email, name, password_hash, platform_role)
    VALUES (${lit(email)}, ${lit(name)}, ${lit(passwordHash())},
    ${platformAdmin ? "'PLATFORM_ADMIN'" : 'NULL'}) RETURNING id`).split('\n')[0];
  if (tenant) addMember(tenant, id, role ?? 'OWNER');
  return { id, email };
}

export function addMember(tenant, userId, role) {
  adminSql(`INSERT INTO tenant_memberships (tenant_id, user_id, role)
    VALUES (${lit(tenant.id)}, ${lit(userId)}, ${lit(role)})`);
}

// One HTTP request on its own connection, from localAddress when given.
export function req({ port, method = 'GET', path: p = '/', host, headers = {}, body,
  localAddress, timeoutMs = 15000 }) {
  return new Promise((resolve, reject) => {
    const hdrs = { ...headers };
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      if (!Object.keys(hdrs).some((k) => k.toLowerCase() === 'content-type'))
        hdrs['content-type'] = 'application/json';
      hdrs['content-length'] = String(Buffer.byteLength(payload));
    }
    hdrs.Host = host ?? `localhost:${port}`;
    const r = http.request({
      host: '127.0.0.1', port, method, path: p, headers: hdrs, setHost: false, agent: false,
      localAddress,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    r.setTimeout(timeoutMs, () => r.destroy(new Error(`request ${method} ${p} timed out`)));
    r.on('error', reject);
    if (payload !== undefined) r.write(payload);
    r.end();
  });
}

// The value of cookie name in a response's Set-Cookie headers (or undefined).
export function setCookie(res, name = 'rcp_session') {
  const all = [].concat(res.headers['set-cookie'] ?? []);
  const line = all.find((c) => c.startsWith(`${name}=`));
  if (!line) return undefined;
  return { value: line.slice(name.length + 1).split(';')[0], line };
}

// A client bound to a server, a host and (optionally) a session: it sends
// the cookie, and the CSRF token on mutations.
export function client(srv, { host, session, ip, bearer, extraHeaders = {} } = {}) {
  const c = {
    host, session, ip, bearer,
    async call(method, path, body, headers = {}) {
      const h = { ...extraHeaders, ...headers };
      if (c.session?.cookie) h.cookie = `rcp_session=${c.session.cookie}`;
      if (c.session?.csrf && method !== 'GET' && h['x-csrf-token'] === undefined)
        h['x-csrf-token'] = c.session.csrf;
      if (c.bearer) h.authorization = `Bearer ${c.bearer}`;
      return req({ port: srv.port, method, path, host: c.host, headers: h, body,
        localAddress: c.ip });
    },
    get: (p, h) => c.call('GET', p, undefined, h),
    post: (p, b = {}, h) => c.call('POST', p, b, h),
    patch: (p, b = {}, h) => c.call('PATCH', p, b, h),
    del: (p, h) => c.call('DELETE', p, undefined, h),
  };
  return c;
}

// Signs in; returns {status, res, cookie, csrf, json}.
export async function login(srv, email, password = PASSWORD, { ip = freshIp(), extra = {},
  headers = {} } = {}) {
  const res = await req({ port: srv.port, method: 'POST', path: '/v1/auth/login',
    body: { email, password, ...extra }, localAddress: ip, headers });
  const ck = setCookie(res);
  return { status: res.status, res, json: res.json, cookie: ck?.value, csrf: res.json?.csrf_token };
}

// Signs in and returns a client for host with that session.
export async function session(srv, email, { host, ip = freshIp(), password = PASSWORD,
  extra } = {}) {
  const l = await login(srv, email, password, { ip, extra });
  if (l.status !== 200) throw new Error(`login ${email} failed: ${l.status} ${l.res.text}`);
  return client(srv, { host, ip, session: { cookie: l.cookie, csrf: l.csrf } });
}

/* ---- TOTP (RFC 6238, SHA-1, 6 digits, 30 s) ------------------------------ */

export function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of s.replace(/[=\s]/g, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function totp(secretB32, stepOffset = 0, now = Date.now()) {
  const step = BigInt(Math.floor(now / 30000) + stepOffset);
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(step);
  const mac = createHmac('sha1', base32Decode(secretB32)).update(msg).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 1000000).padStart(6, '0');
}

// A well-formed code that no step near now (±2) produces.
export function wrongCode(secretB32) {
  const near = new Set([-2, -1, 0, 1, 2].map((o) => totp(secretB32, o)));
  let code = 0;
  while (near.has(String(code).padStart(6, '0'))) code++;
  return String(code).padStart(6, '0');
}

// Enrols and confirms TOTP for a signed-in client; returns {secret, recovery}.
// The confirming code is the previous step's, so the current step is still
// free for a sign-in right after.
export async function enrolTotp(c) {
  const e = await c.post('/v1/auth/2fa/enrol');
  if (e.status !== 200) throw new Error(`enrol: ${e.status} ${e.text}`);
  const secret = e.json.secret;
  const conf = await c.post('/v1/auth/2fa/confirm', { code: totp(secret, -1) });
  if (conf.status !== 200) throw new Error(`confirm: ${conf.status} ${conf.text}`);
  return { secret, recovery: conf.json.recovery_codes };
}

// The newest outbox row of a tenant (as the superuser, like a mail log).
export function platformMail(email) {
  const row = adminSql(`SELECT payload::text FROM platform_outbox
    WHERE recipient = ${lit(email)} ORDER BY created_at DESC LIMIT 1`);
  return row ? JSON.parse(row) : undefined;
}

// The newest message of a tenant's outbox to email, as the mail sender
// reads it (the superuser: the API shows it with its secrets redacted).
export function tenantMail(tenant, email) {
  const row = adminSql(`SELECT payload::text FROM notification_outbox
    WHERE tenant_id = ${lit(tenant.id)} AND recipient = ${lit(email)}
    ORDER BY created_at DESC LIMIT 1`);
  return row ? JSON.parse(row) : undefined;
}
