// web.test.mjs — what `serve` gives browsers, at the HTTP level: the
// widget's files and their caching, the origin rules of the chat and public
// APIs (CORS preflight, 403 for other sites, nothing leaked), rate limits
// with Retry-After, security headers on every portal page, the portal's
// server-rendered tenant data (escaped), and the white-label rule by plan.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';

import {
  REPO_ROOT, adminSql, assertErrorBody, createTenant, killAll, lit, startServer,
} from './lib.mjs';

after(killAll);

const ALLOWED = 'https://shop.example.com';
const OTHER = 'https://evil.example.net';
const MANIFEST = path.join(REPO_ROOT, 'web/dist/manifest.json');

function addOrigin(tenant, origin) {
  adminSql(`INSERT INTO widget_origins (tenant_id, origin) VALUES (${lit(tenant.id)}, ${lit(origin)})`);
}

function addService(tenant, name, minutes, priceMinor, currency = 'USD') {
  return adminSql(`INSERT INTO services (tenant_id, name, duration_minutes, price_minor, currency)
    VALUES (${lit(tenant.id)}, ${lit(name)}, ${minutes}, ${priceMinor}, ${lit(currency)}) RETURNING id`)
    .split('\n')[0];
}

function preflight(srv, { host, origin, method = 'POST', headers = 'content-type', path: p = '/v1/chat/stream' }) {
  const h = { origin, 'access-control-request-method': method };
  if (headers) h['access-control-request-headers'] = headers;
  return srv.request({ method: 'OPTIONS', path: p, host, headers: h });
}

describe('widget files', () => {
  let srv;
  let manifest;
  before(async () => {
    assert.ok(fs.existsSync(MANIFEST), 'web/dist is missing: run `npm run build` first');
    manifest = JSON.parse(fs.readFileSync(MANIFEST, 'utf8'));
    srv = await startServer();
  });
  after(() => srv?.kill());

  test('GET /widget.js: JavaScript, short cache, readable by any site', async () => {
    const r = await srv.request({ path: '/widget.js' });
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^text\/javascript/);
    assert.match(r.headers['cache-control'], /max-age=300\b/);
    assert.doesNotMatch(r.headers['cache-control'], /immutable/);
    assert.equal(r.headers['access-control-allow-origin'], '*');
    assert.equal(r.headers['cross-origin-resource-policy'], 'cross-origin');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.text, fs.readFileSync(path.join(REPO_ROOT, 'web/dist/widget.js'), 'utf8'));
    // The loader names the hashed UI chunk it imports on open.
    assert.ok(r.text.includes(manifest['widget-ui.js']), 'loader must reference the UI chunk');
  });

  test('hashed assets are cached immutably for a year; gzip when accepted; ETag', async () => {
    const names = Object.values(manifest).filter((f) => f.startsWith('assets/'));
    assert.ok(names.length >= 5, `expected hashed assets in the manifest: ${names}`);
    for (const f of names) {
      assert.match(f, /^assets\/[a-z-]+-[A-Za-z0-9]{8,10}\.(js|css)$/);
      const r = await srv.request({ path: `/${f}` });
      assert.equal(r.status, 200, f);
      assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable', f);
      assert.equal(r.text, fs.readFileSync(path.join(REPO_ROOT, 'web/dist', f), 'utf8'));
      const z = await srv.request({ path: `/${f}`, headers: { 'accept-encoding': 'gzip, br' } });
      assert.equal(z.headers['content-encoding'], 'gzip');
      assert.match(z.headers.vary, /Accept-Encoding/);
      const nm = await srv.request({ path: `/${f}`, headers: { 'if-none-match': r.headers.etag } });
      assert.equal(nm.status, 304);
    }
    const gz = await new Promise((resolve) => {
      import('node:http').then(({ default: http }) => {
        http.get({ host: '127.0.0.1', port: srv.port, path: `/${manifest['widget-ui.js']}`,
          headers: { 'accept-encoding': 'gzip' } }, (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve(zlib.gunzipSync(Buffer.concat(chunks)).toString('utf8')));
        });
      });
    });
    assert.equal(gz, fs.readFileSync(path.join(REPO_ROOT, 'web/dist', manifest['widget-ui.js']), 'utf8'));
  });

  test('unknown or crafted asset names are 404', async () => {
    for (const p of ['/assets/nope-0123456789.js', '/assets/..%2f..%2fmeson.build',
      '/assets/.hidden', '/assets/manifest.json']) {
      const r = await srv.request({ path: p });
      assert.equal(r.status, 404, p);
    }
  });
});

describe('origins and CORS', () => {
  let srv;
  let t;
  let other;
  before(async () => {
    t = createTenant({ name: 'Origin Salon', plan: 'pro' });
    other = createTenant({ name: 'Other Salon', plan: 'pro' });
    addOrigin(t, ALLOWED);
    addOrigin(t, 'http://localhost:5173');
    addOrigin(other, OTHER);
    srv = await startServer();
  });
  after(() => srv?.kill());

  test('preflight from an allowed origin: 204 with the Access-Control-Allow-* headers', async () => {
    for (const p of ['/v1/chat/stream', '/v1/chat/session', '/v1/public/bookings']) {
      const r = await preflight(srv, { host: t.host, origin: ALLOWED, path: p,
        headers: 'content-type, idempotency-key' });
      if (r.status === 405 || r.status === 404) continue; // route not built yet
      assert.equal(r.status, 204, `${p}: ${r.text}`);
      assert.equal(r.headers['access-control-allow-origin'], ALLOWED);
      assert.match(r.headers['access-control-allow-methods'], /POST/);
      assert.match(r.headers['access-control-allow-headers'], /content-type/);
      assert.match(r.headers['access-control-allow-headers'], /idempotency-key/);
      assert.ok(Number(r.headers['access-control-max-age']) > 0);
      assert.match(r.headers.vary, /Origin/);
      assert.equal(r.text, '');
    }
  });

  test('an origin is compared whole: scheme, host and port', async () => {
    const ok = await preflight(srv, { host: t.host, origin: 'http://localhost:5173', path: '/v1/public/bookings' });
    assert.equal(ok.status, 204);
    const ok443 = await preflight(srv, { host: t.host, origin: 'https://SHOP.example.com:443', path: '/v1/public/bookings' });
    assert.equal(ok443.status, 204);
    for (const o of ['http://shop.example.com', 'https://shop.example.com:8443', 'http://localhost:5174',
      'https://sub.shop.example.com', 'https://shop.example.com.evil.net', 'null', 'https://shop.example.com/path']) {
      const r = await preflight(srv, { host: t.host, origin: o, path: '/v1/public/bookings' });
      assertErrorBody(assert, r, 403, 'FORBIDDEN');
      assert.equal(r.headers['access-control-allow-origin'], undefined, o);
    }
  });

  test('preflight from another origin (even one another tenant allows): 403, no CORS headers', async () => {
    const r = await preflight(srv, { host: t.host, origin: OTHER, path: '/v1/public/bookings' });
    assertErrorBody(assert, r, 403, 'FORBIDDEN');
    assert.equal(r.headers['access-control-allow-origin'], undefined);
    assert.equal(r.headers['access-control-allow-methods'], undefined);
    assert.ok(!r.text.includes(t.id) && !r.text.includes(t.slug));
  });

  test('preflight asking for other headers or for non-browser routes is refused', async () => {
    const h = await preflight(srv, { host: t.host, origin: ALLOWED, path: '/v1/public/bookings',
      headers: 'content-type, authorization' });
    assert.equal(h.status, 403);
    const admin = await preflight(srv, { host: t.host, origin: ALLOWED, path: '/v1/admin/services',
      method: 'GET' });
    assert.equal(admin.status, 403);
    assert.equal(admin.headers['access-control-allow-origin'], undefined);
  });

  test('the platform host: ?tenant= names the tenant for routes that take X-Tenant-ID, not others', async () => {
    // The chat routes know a tenant by its host only.
    const r = await preflight(srv, { host: 'localhost', origin: ALLOWED, path: `/v1/chat/session?tenant=${t.slug}`,
      headers: 'content-type, x-tenant-id' });
    assertErrorBody(assert, r, 403, 'FORBIDDEN');
    const wrong = await preflight(srv, { host: 'localhost', origin: ALLOWED,
      path: `/v1/public/tenant?tenant=${other.slug}`, method: 'GET', headers: 'x-tenant-id' });
    assert.equal(wrong.status, 403);
    const ok = await preflight(srv, { host: 'localhost', origin: ALLOWED,
      path: `/v1/public/tenant?tenant=${t.slug}`, method: 'GET', headers: 'x-tenant-id' });
    assert.equal(ok.status, 204, ok.text);
  });

  test('a write from a page of another origin: 403 with the error body, nothing leaks', async () => {
    const r = await srv.request({ method: 'POST', path: '/v1/public/bookings', host: t.host,
      headers: { origin: OTHER, 'idempotency-key': 'k1' }, body: { services: [] } });
    assertErrorBody(assert, r, 403, 'FORBIDDEN');
    assert.equal(r.headers['access-control-allow-origin'], undefined);
    for (const s of [t.id, t.slug, 'Origin Salon']) assert.ok(!r.text.includes(s), `leaks ${s}`);
  });

  test('an allowed origin gets CORS headers on errors too (it must read them)', async () => {
    const r = await srv.request({ method: 'POST', path: '/v1/public/bookings', host: t.host,
      headers: { origin: ALLOWED, 'idempotency-key': 'k2' }, body: { services: [] } });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.headers['access-control-allow-origin'], ALLOWED);
    assert.match(r.headers['access-control-expose-headers'], /retry-after/);
    assert.match(r.headers.vary, /Origin/);
  });

  test("the tenant's own host is always allowed (its portal); requests without Origin are not pages", async () => {
    const own = await srv.request({ method: 'POST', path: '/v1/public/bookings', host: t.host,
      headers: { origin: `http://${t.host}:${srv.port}`, 'idempotency-key': 'k3' }, body: { services: [] } });
    assert.equal(own.status, 400, own.text);
    const none = await srv.request({ method: 'POST', path: '/v1/public/bookings', host: t.host,
      headers: { 'idempotency-key': 'k4' }, body: { services: [] } });
    assert.equal(none.status, 400, none.text);
    assert.equal(none.headers['access-control-allow-origin'], undefined);
  });

  test('public reads stay public, but only allowed origins may read them from a page', async () => {
    const ok = await srv.request({ path: '/v1/public/tenant', host: t.host, headers: { origin: ALLOWED } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['access-control-allow-origin'], ALLOWED);
    const no = await srv.request({ path: '/v1/public/tenant', host: t.host, headers: { origin: OTHER } });
    assert.equal(no.status, 200);
    assert.equal(no.headers['access-control-allow-origin'], undefined);
  });

  test('a newly allowed origin works at once (cache dropped by NOTIFY)', async () => {
    const o = 'https://new-site.example.org';
    const before_ = await preflight(srv, { host: t.host, origin: o, path: '/v1/public/bookings' });
    assert.equal(before_.status, 403);
    addOrigin(t, o);
    let r;
    for (let i = 0; i < 50; i++) {
      r = await preflight(srv, { host: t.host, origin: o, path: '/v1/public/bookings' });
      if (r.status === 204) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal(r.status, 204);
  });

  test('GET /widget/config: branding for allowed sites; a readable refusal for others', async () => {
    const ok = await srv.request({ path: '/widget/config', host: t.host, headers: { origin: ALLOWED } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.headers['access-control-allow-origin'], ALLOWED);
    assert.equal(ok.json.name, 'Origin Salon');
    assert.match(ok.json.primary_color, /^#[0-9a-f]{6}$/i);
    assert.equal(ok.json.chat_enabled, true);
    assert.equal(typeof ok.json.handoff, 'boolean');
    const no = await srv.request({ path: '/widget/config', host: t.host, headers: { origin: OTHER } });
    assertErrorBody(assert, no, 403, 'FORBIDDEN');
    assert.equal(no.headers['access-control-allow-origin'], OTHER, 'the refusal is readable by the page');
    assert.ok(!no.text.includes('Origin Salon') && !no.text.includes('#'), no.text);
    const byQuery = await srv.request({ path: `/widget/config?tenant=${t.slug}`, host: 'localhost',
      headers: { origin: ALLOWED } });
    assert.equal(byQuery.status, 200, byQuery.text);
    assert.equal(byQuery.json.slug, t.slug);
  });
});

describe('chat rate limits and size caps', () => {
  let srv;
  let t;
  before(async () => {
    t = createTenant({ name: 'Busy Salon', plan: 'pro' });
    addOrigin(t, ALLOWED);
    // In-process counters, small limits: this test owns them.
    srv = await startServer({ REDIS_URL: '', CHAT_RATE_IP_PER_MIN: '1000', CHAT_NEW_PER_HOUR: '3',
      CHAT_RATE_SESSION_PER_MIN: '2', CHAT_MAX_BODY_BYTES: '1024' });
  });
  after(() => srv?.kill());

  const chatRoute = async () => {
    const r = await srv.request({ method: 'POST', path: '/v1/chat/session', host: 'localhost', body: {} });
    return r.status !== 404 || r.json?.error?.message !== 'No route for this path.';
  };

  test('new conversations per IP: 429 with Retry-After and the error body, CORS kept', async (t_) => {
    if (!(await chatRoute())) { t_.skip('POST /v1/chat/session is not mounted yet'); return; }
    const statuses = [];
    let last;
    for (let i = 0; i < 5; i++) {
      last = await srv.request({ method: 'POST', path: '/v1/chat/session', host: t.host,
        headers: { origin: ALLOWED }, body: {} });
      statuses.push(last.status);
    }
    assert.deepEqual(statuses.slice(0, 3).map((s) => s < 400), [true, true, true], String(statuses));
    assertErrorBody(assert, last, 429, 'RATE_LIMITED');
    const ra = Number(last.headers['retry-after']);
    assert.ok(ra >= 1 && ra <= 3600, `Retry-After ${last.headers['retry-after']}`);
    assert.equal(last.headers['access-control-allow-origin'], ALLOWED);
  });

  test('turns per session: 429 with Retry-After', async (t_) => {
    if (!(await chatRoute())) { t_.skip('the chat API is not mounted yet'); return; }
    const body = { session_id: 'not-a-real-session-0001', message: 'hello' };
    const statuses = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await srv.request({ method: 'POST', path: '/v1/chat/message', host: t.host, body });
      statuses.push(last.status);
    }
    assert.notEqual(statuses[0], 429);
    assertErrorBody(assert, last, 429, 'RATE_LIMITED');
    assert.ok(Number(last.headers['retry-after']) >= 1);
  });

  test('a body over CHAT_MAX_BODY_BYTES is 413', async (t_) => {
    if (!(await chatRoute())) { t_.skip('the chat API is not mounted yet'); return; }
    const r = await srv.request({ method: 'POST', path: '/v1/chat/message', host: t.host,
      body: { session_id: 'x-0002', message: 'a'.repeat(2000) } });
    assertErrorBody(assert, r, 413);
  });
});

describe('portal pages', () => {
  let srv;
  let t;
  let evil;
  let ent;
  let free;
  const pages = ['/', '/book', '/chat', '/booking/K7M4QX', '/privacy', '/terms'];
  before(async () => {
    t = createTenant({ name: 'Portal Salon', plan: 'pro' });
    adminSql(`UPDATE tenant_profiles SET address_line1 = '1 Main St', city = 'Springfield',
      phone = '+14155550123', email = 'hi@portal.example' WHERE tenant_id = ${lit(t.id)}`);
    adminSql(`INSERT INTO business_hours (tenant_id, weekday, opens, closes)
      VALUES (${lit(t.id)}, 2, '09:00', '17:30')`);
    adminSql(`UPDATE tenant_policies SET cancellation_policy = 'Cancel 24 h ahead, please.',
      cancellation_window_hours = 24 WHERE tenant_id = ${lit(t.id)}`);
    addService(t, 'Beard Trim', 30, 2500);
    addService(t, 'Colour & Cut', 90, 12000);
    evil = createTenant({ name: '<script>alert(1)</script> & "Co"', plan: 'pro' });
    addService(evil, '</script><script>alert(2)</script>', 15, 100);
    ent = createTenant({ name: 'Enterprise Spa', plan: 'enterprise' });
    free = createTenant({ name: 'Free Barber', plan: 'free' });
    srv = await startServer({ PLATFORM_NAME: 'AcmeDesk' });
  });
  after(() => srv?.kill());

  test('security headers on every page', async () => {
    for (const p of pages) {
      const r = await srv.request({ path: p, host: t.host });
      assert.equal(r.status, 200, `${p}: ${r.text}`);
      assert.match(r.headers['content-type'], /^text\/html; charset=utf-8/);
      const csp = r.headers['content-security-policy'];
      assert.ok(csp, `${p}: no CSP`);
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'(;|$)/, 'no inline scripts');
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(r.headers['x-frame-options'], 'DENY');
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.ok(r.headers['referrer-policy']);
      // The one <style> block carries the nonce the CSP names.
      const nonce = /'nonce-([^']+)'/.exec(csp)[1];
      assert.ok(r.text.includes(`<style nonce="${nonce}">`), p);
      assert.doesNotMatch(r.text, /<script(?![^>]*(\bsrc=|type="application\/json"))[^>]*>/, `${p}: inline script`);
      assert.doesNotMatch(r.text, /\sstyle="/, `${p}: style attribute`);
    }
  });

  test('first paint needs no fetch: the page carries the tenant data', async () => {
    const home = await srv.request({ path: '/', host: t.host });
    for (const s of ['Portal Salon', '1 Main St', 'Springfield', 'Beard Trim', '30 min', '$25.00',
      'Colour &amp; Cut', '1 h 30 min', '$120.00', '09:00–17:30', 'Cancel 24 h ahead, please.',
      '+14155550123']) {
      assert.ok(home.text.includes(s), `home lacks ${s}`);
    }
    const book = await srv.request({ path: '/book', host: t.host });
    const json = /<script type="application\/json" id="rcp-data">([^<]*)<\/script>/.exec(book.text);
    assert.ok(json, 'inline data block');
    const data = JSON.parse(json[1]);
    assert.equal(data.name, 'Portal Salon');
    assert.deepEqual(data.services.map((s) => s.name).sort(), ['Beard Trim', 'Colour & Cut']);
    assert.match(data.timezone, /\//);
    assert.ok(book.text.includes('Beard Trim') && book.text.includes('name="service"'));
  });

  test('tenant text is escaped in HTML and cannot close the JSON block', async () => {
    const home = await srv.request({ path: '/', host: evil.host });
    assert.equal(home.status, 200);
    assert.ok(!home.text.includes('<script>alert'), 'raw script from tenant data');
    assert.ok(home.text.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;'));
    assert.ok(home.text.includes('&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;'));
    const book = await srv.request({ path: '/book', host: evil.host });
    assert.ok(!book.text.includes('<script>alert'), 'raw script in /book');
    const m = /<script type="application\/json" id="rcp-data">([\s\S]*?)<\/script>/.exec(book.text);
    assert.ok(!m[1].includes('<') && !m[1].includes('>'));
    const data = JSON.parse(m[1]);
    assert.equal(data.name, '<script>alert(1)</script> & "Co"');
    assert.equal(data.services[0].name, '</script><script>alert(2)</script>');
  });

  test('white label: "Powered by" only on plans without remove_platform_branding', async () => {
    for (const [tenant, shown] of [[t, true], [free, true], [ent, false]]) {
      for (const p of ['/', '/book', '/privacy']) {
        const r = await srv.request({ path: p, host: tenant.host });
        assert.equal(r.status, 200);
        assert.equal(r.text.includes('AcmeDesk'), shown, `${tenant.name} ${p}`);
      }
      const c = await srv.request({ path: '/widget/config', host: tenant.host });
      assert.equal(c.json.powered_by, shown ? 'AcmeDesk' : null);
    }
    const r = await srv.request({ path: '/', host: ent.host });
    assert.ok(!/receptionist/i.test(r.text), 'no platform name on a white-label portal');
  });

  test('booking pages: a malformed reference is 404; a valid one shows nothing until verified', async () => {
    const bad = await srv.request({ path: '/booking/xx', host: t.host });
    assert.equal(bad.status, 404);
    const ok = await srv.request({ path: '/booking/k7m4qx', host: t.host });
    assert.equal(ok.status, 200);
    assert.ok(ok.text.includes('K7M4QX'));
    assert.ok(ok.text.includes('id="verify-form"'));
  });

  test('the platform host has no portal', async () => {
    const r = await srv.request({ path: '/', host: 'localhost' });
    assert.equal(r.status, 404);
  });
});
