// tenancy.test.mjs — which tenant a request belongs to: subdomain, custom
// domain, X-Tenant-ID; suspended and deleted tenants; nothing without a
// tenant context; no tenant's data in another's response.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  assertErrorBody, cli, createTenant, killAll, lit, ownerSql, randomSlug, rawRequest, startServer,
  waitFor,
} from './lib.mjs';

after(killAll);

const PUBLIC = '/v1/public/tenant';

describe('tenant resolution', () => {
  let srv;
  let a;
  let b;

  before(async () => {
    a = createTenant({ name: 'Alpha Hair Studio' });
    b = createTenant({ name: 'Bravo Dental Clinic' });
    // A long TTL: anything seen changing below came through NOTIFY.
    srv = await startServer({ TENANT_CACHE_TTL_S: '300' });
  });
  after(() => srv?.kill());

  test('by subdomain {slug}.localhost, with or without a port', async () => {
    for (const host of [a.host, `${a.host}:${srv.port}`, a.host.toUpperCase()]) {
      const r = await srv.request({ path: PUBLIC, host });
      assert.equal(r.status, 200, `${host}: ${r.text}`);
      assert.equal(r.json.id, a.id);
      assert.equal(r.json.slug, a.slug);
      assert.equal(r.json.name, 'Alpha Hair Studio');
    }
  });

  test('a response for tenant A never carries tenant B', async () => {
    const ra = await srv.request({ path: PUBLIC, host: a.host });
    const rb = await srv.request({ path: PUBLIC, host: b.host });
    assert.equal(ra.status, 200);
    assert.equal(rb.status, 200);
    assert.equal(rb.json.id, b.id);
    assert.equal(rb.json.name, 'Bravo Dental Clinic');
    for (const s of [b.id, b.slug, b.name]) assert.ok(!ra.text.includes(s), `A leaks ${s}`);
    for (const s of [a.id, a.slug, a.name]) assert.ok(!rb.text.includes(s), `B leaks ${s}`);
  });

  test('by a verified custom domain; a pending one is not served', async () => {
    const verified = `www.${randomSlug('alpha')}.example`;
    const pending = `book.${randomSlug('bravo')}.example`;
    ownerSql(`INSERT INTO tenant_domains (tenant_id, hostname, kind, verification_state, verified_at)
      VALUES (${lit(a.id)}, ${lit(verified)}, 'custom', 'verified', now())`);
    ownerSql(`INSERT INTO tenant_domains (tenant_id, hostname, kind, verification_state)
      VALUES (${lit(b.id)}, ${lit(pending)}, 'custom', 'pending')`);

    const rv = await srv.request({ path: PUBLIC, host: verified });
    assert.equal(rv.status, 200, rv.text);
    assert.equal(rv.json.id, a.id);

    const rp = await srv.request({ path: PUBLIC, host: pending });
    assertErrorBody(assert, rp, 404, 'NOT_FOUND');
    assert.ok(!rp.text.includes(b.id));

    // Verifying it later takes effect at once (the negative entry goes).
    ownerSql(`UPDATE tenant_domains SET verification_state = 'verified', verified_at = now()
      WHERE hostname = ${lit(pending)}`);
    await waitFor(async () => (await srv.request({ path: PUBLIC, host: pending })).status === 200,
      { timeoutMs: 2000, what: 'the newly verified domain to resolve' });
    const rp2 = await srv.request({ path: PUBLIC, host: pending });
    assert.equal(rp2.json.id, b.id);
  });

  test('by X-Tenant-ID with a slug and with an id', async () => {
    for (const ref of [a.slug, a.id, a.id.toUpperCase()]) {
      const r = await srv.request({ path: PUBLIC, host: 'localhost', headers: { 'X-Tenant-ID': ref } });
      assert.equal(r.status, 200, `${ref}: ${r.text}`);
      assert.equal(r.json.id, a.id);
    }
    // Matching host and header agree.
    const same = await srv.request({ path: PUBLIC, host: a.host, headers: { 'X-Tenant-ID': a.slug } });
    assert.equal(same.status, 200);
    assert.equal(same.json.id, a.id);
  });

  test('a malformed X-Tenant-ID is a 400 naming the header', async () => {
    for (const bad of ['not a slug!', 'Robert\'); DROP TABLE tenants;--', 'x'.repeat(64), '%00']) {
      const r = await srv.request({ path: PUBLIC, host: 'localhost', headers: { 'X-Tenant-ID': bad } });
      const e = assertErrorBody(assert, r, 400, 'INVALID_ARGUMENT');
      assert.ok(e.details.some((d) => d.field === 'X-Tenant-ID'), `${bad}: ${r.text}`);
    }
  });

  test('an X-Tenant-ID that names an unknown tenant is a 404', async () => {
    const r = await srv.request({ path: PUBLIC, host: 'localhost',
      headers: { 'X-Tenant-ID': randomSlug('nobody') } });
    assertErrorBody(assert, r, 404, 'NOT_FOUND');
  });

  test('an X-Tenant-ID for another tenant than the host is a 400', async () => {
    for (const ref of [b.slug, b.id]) {
      const r = await srv.request({ path: PUBLIC, host: a.host, headers: { 'X-Tenant-ID': ref } });
      assertErrorBody(assert, r, 400, 'INVALID_ARGUMENT');
      assert.ok(!r.text.includes(a.name) && !r.text.includes(b.name), r.text);
    }
  });

  test('an unknown subdomain is a 404 with the error body', async () => {
    const r = await srv.request({ path: PUBLIC, host: `${randomSlug('ghost')}.localhost` });
    assertErrorBody(assert, r, 404, 'NOT_FOUND');
  });

  test('no tenant context reaches no tenant data', async () => {
    for (const host of ['localhost', `localhost:${srv.port}`, '127.0.0.1', 'a.b.localhost',
      'unknown.example', '']) {
      const r = await srv.request({ path: PUBLIC, host });
      assertErrorBody(assert, r, 404, 'NOT_FOUND');
      assert.ok(!r.text.includes(a.id) && !r.text.includes(b.id), `${host}: ${r.text}`);
    }
    // HTTP/1.0 without any Host header.
    const raw = await rawRequest(srv.port, `GET ${PUBLIC} HTTP/1.0\r\n\r\n`);
    assert.match(raw.data, /^HTTP\/1\.[01] 404 /, raw.data.slice(0, 200));
    assert.equal(JSON.parse(raw.data.split('\r\n\r\n')[1]).error.code, 'NOT_FOUND');
  });

  test('suspend → 403 at once; restore → 200 at once (no TTL wait)', async () => {
    const c = createTenant({ name: 'Charlie Spa' });
    // Warm the cache.
    assert.equal((await srv.request({ path: PUBLIC, host: c.host })).status, 200);
    assert.equal((await srv.request({ path: PUBLIC, host: 'localhost',
      headers: { 'X-Tenant-ID': c.id } })).status, 200);

    cli('tenant', 'suspend', c.slug);
    await waitFor(async () => (await srv.request({ path: PUBLIC, host: c.host })).status === 403,
      { timeoutMs: 2000, what: 'the suspension to be seen' });
    const r = await srv.request({ path: PUBLIC, host: c.host });
    assertErrorBody(assert, r, 403, 'FORBIDDEN');
    assert.ok(!r.text.includes('Charlie Spa'), r.text);
    // Through the header too: the id-keyed cache entry went as well.
    const rh = await srv.request({ path: PUBLIC, host: 'localhost', headers: { 'X-Tenant-ID': c.id } });
    assertErrorBody(assert, rh, 403, 'FORBIDDEN');

    cli('tenant', 'restore', c.slug);
    await waitFor(async () => (await srv.request({ path: PUBLIC, host: c.host })).status === 200,
      { timeoutMs: 2000, what: 'the restore to be seen' });
    const ok = await srv.request({ path: PUBLIC, host: c.host });
    assert.equal(ok.json.name, 'Charlie Spa');
  });

  test('a deleted tenant is a 404', async () => {
    const d = createTenant({ name: 'Delta Nails' });
    assert.equal((await srv.request({ path: PUBLIC, host: d.host })).status, 200);
    ownerSql(`UPDATE tenants SET status = 'deleted', deleted_at = now() WHERE id = ${lit(d.id)}`);
    await waitFor(async () => (await srv.request({ path: PUBLIC, host: d.host })).status === 404,
      { timeoutMs: 2000, what: 'the deletion to be seen' });
    const r = await srv.request({ path: PUBLIC, host: d.host });
    assertErrorBody(assert, r, 404, 'NOT_FOUND');
    assert.ok(!r.text.includes('Delta Nails'));
    const rh = await srv.request({ path: PUBLIC, host: 'localhost', headers: { 'X-Tenant-ID': d.id } });
    assertErrorBody(assert, rh, 404, 'NOT_FOUND');
  });

  test('the access log line carries the resolved tenant id', async () => {
    const rid = `tenancy-log-${Date.now()}`;
    const r = await srv.request({ path: PUBLIC, host: b.host, headers: { 'X-Request-ID': rid } });
    assert.equal(r.status, 200);
    const line = await waitFor(() => srv.logs().find((l) => l.msg === 'request' && l.request_id === rid),
      { timeoutMs: 2000, what: 'the access log line' });
    assert.equal(line.tenant_id, b.id);
    assert.equal(line.route, PUBLIC);
    assert.equal(line.status, 200);
  });
});
