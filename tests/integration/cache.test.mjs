// cache.test.mjs — the tenant cache of several `serve` processes against one
// database: a change made anywhere is seen everywhere on the next request
// (LISTEN/NOTIFY), long before TENANT_CACHE_TTL_S.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  cli, createTenant, killAll, lit, ownerSql, randomSlug, startServer, waitFor,
} from './lib.mjs';

after(killAll);

const PUBLIC = '/v1/public/tenant';

describe('cache invalidation across two serve processes', () => {
  let s1;
  let s2;

  before(async () => {
    [s1, s2] = await Promise.all([
      startServer({ TENANT_CACHE_TTL_S: '300' }),
      startServer({ TENANT_CACHE_TTL_S: '300' }),
    ]);
  });
  after(async () => { await s1?.kill(); await s2?.kill(); });

  // Polls both servers until check(json, status) holds on each (max 2 s).
  async function bothSee(host, check, what, path = PUBLIC) {
    for (const s of [s1, s2]) {
      await waitFor(async () => {
        const r = await s.request({ path, host });
        return check(r) ? r : false;
      }, { timeoutMs: 2000, intervalMs: 50, what: `${what} on port ${s.port}` });
    }
  }

  test('a branding change is served by both at once', async () => {
    const t = createTenant({ name: 'Echo Barbers' });
    for (const s of [s1, s2]) {
      // Twice each: the second answer comes from the warm cache.
      for (let i = 0; i < 2; i++) {
        const r = await s.request({ path: PUBLIC, host: t.host });
        assert.equal(r.status, 200);
        assert.equal(r.json.branding.display_name, 'Echo Barbers');
      }
    }
    ownerSql(`UPDATE tenant_branding SET display_name = 'Echo Barbers & Co',
      primary_color = '#112233' WHERE tenant_id = ${lit(t.id)}`);
    await bothSee(t.host, (r) => r.json?.branding?.display_name === 'Echo Barbers & Co',
      'the new display name');
    for (const s of [s1, s2]) {
      const r = await s.request({ path: PUBLIC, host: t.host });
      assert.equal(r.json.branding.primary_color, '#112233');
    }
  });

  test('profile and opening hours changes are served by both at once', async () => {
    const t = createTenant({ name: 'Foxtrot Physio' });
    for (const s of [s1, s2]) assert.equal((await s.request({ path: PUBLIC, host: t.host })).status, 200);

    ownerSql(`UPDATE tenant_profiles SET business_name = 'Foxtrot Physiotherapy', city = 'Leeds'
      WHERE tenant_id = ${lit(t.id)}`);
    await bothSee(t.host, (r) => r.json?.name === 'Foxtrot Physiotherapy'
      && r.json.address.city === 'Leeds', 'the new profile');

    ownerSql(`INSERT INTO business_hours (tenant_id, weekday, opens, closes)
      VALUES (${lit(t.id)}, 1, '09:00', '17:00')`);
    await bothSee(t.host, (r) => r.json?.hours?.[0]?.intervals?.[0]?.opens === '09:00',
      'the new Monday hours');
  });

  test('the public services list is cached and a catalogue edit is served by both at once', async () => {
    const t = createTenant({ name: 'Golf Nails' });
    const SERVICES = '/v1/public/services';
    const svc = ownerSql(`INSERT INTO services (tenant_id, name, duration_minutes, price_minor, currency)
      VALUES (${lit(t.id)}, 'Manicure', 30, 2000, 'GBP') RETURNING id`);
    await bothSee(t.host, (r) => r.json?.items?.length === 1, 'the first service', SERVICES);
    for (const s of [s1, s2]) {
      const r = await s.request({ path: SERVICES, host: t.host });
      assert.deepEqual(r.json, { items: [{ id: svc, name: 'Manicure', description: null,
        duration_minutes: 30, price_minor: 2000, currency: 'GBP', addons: [] }], next_cursor: null });
    }
    ownerSql(`INSERT INTO service_addons (tenant_id, service_id, name, duration_minutes, price_minor, currency)
      VALUES (${lit(t.id)}, ${lit(svc)}, 'Gel', 15, 800, 'GBP')`);
    await bothSee(t.host, (r) => r.json?.items?.[0]?.addons?.[0]?.name === 'Gel', 'the new add-on', SERVICES);
    ownerSql(`UPDATE services SET price_minor = 2200 WHERE id = ${lit(svc)}`);
    await bothSee(t.host, (r) => r.json?.items?.[0]?.price_minor === 2200, 'the new price', SERVICES);
    ownerSql(`UPDATE services SET active = false WHERE id = ${lit(svc)}`);
    await bothSee(t.host, (r) => r.json?.items?.length === 0, 'the service gone', SERVICES);
  });

  test('suspending through the CLI is enforced by both at once', async () => {
    const t = createTenant({ name: 'Golf Tailors' });
    for (const s of [s1, s2]) assert.equal((await s.request({ path: PUBLIC, host: t.host })).status, 200);
    cli('tenant', 'suspend', t.slug);
    await bothSee(t.host, (r) => r.status === 403, 'the suspension');
    cli('tenant', 'restore', t.slug);
    await bothSee(t.host, (r) => r.status === 200, 'the restore');
  });

  test('a tenant created after a miss is found at once (no negative-cache wait)', async () => {
    const slug = randomSlug('hotel');
    const host = `${slug}.localhost`;
    for (const s of [s1, s2]) assert.equal((await s.request({ path: PUBLIC, host })).status, 404);
    const t = createTenant({ slug, name: 'Hotel Florist' });
    await bothSee(host, (r) => r.status === 200 && r.json.id === t.id, 'the new tenant');
  });

  test('a custom domain moved to another tenant follows at once', async () => {
    const a = createTenant({ name: 'India Optics' });
    const b = createTenant({ name: 'Juliet Jewels' });
    const host = `shop.${randomSlug('dom')}.example`;
    ownerSql(`INSERT INTO tenant_domains (tenant_id, hostname, kind, verification_state)
      VALUES (${lit(a.id)}, ${lit(host)}, 'custom', 'verified')`);
    await bothSee(host, (r) => r.json?.id === a.id, 'the domain on tenant A');
    ownerSql(`BEGIN;
      UPDATE tenant_domains SET deleted_at = now(), hostname = 'x' || hostname WHERE hostname = ${lit(host)};
      INSERT INTO tenant_domains (tenant_id, hostname, kind, verification_state)
        VALUES (${lit(b.id)}, ${lit(host)}, 'custom', 'verified');
      COMMIT;`);
    await bothSee(host, (r) => r.json?.id === b.id, 'the domain on tenant B');
    for (const s of [s1, s2]) {
      const r = await s.request({ path: PUBLIC, host });
      assert.ok(!r.text.includes('India Optics'), r.text);
    }
  });
});
