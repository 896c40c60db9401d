// seed.test.mjs — `receptionist seed-demo` builds the demo salon through
// the same services a business's admin calls, as the runtime role: the public API shows what it
// seeded, every row it created is audited like an admin's change, the
// owner it printed can sign in, and a second run changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, cli, createTenant, killAll, lit, ownerSql, startServer } from './lib.mjs';
import { AUTH_ENV, login } from './auth_lib.mjs';

after(killAll);

describe('seed-demo', () => {
  let srv;
  let out;
  before(async () => {
    // Another business with more staff than the demo's plan allows: the
    // demo's seat limit must count the demo's rows only (the seed runs as
    // the runtime role, under row-level security).
    const other = createTenant();
    adminSql(`INSERT INTO staff (tenant_id, display_name) SELECT ${lit(other.id)},
      'Staff ' || g FROM generate_series(1, 30) g`);
    out = cli('seed-demo');
    srv = await startServer(AUTH_ENV);
  });
  after(() => srv?.kill());

  const host = 'demo.localhost';
  const get = async (path) => {
    const r = await srv.request({ path, host });
    assert.equal(r.status, 200, `${path}: ${r.text}`);
    return r.json;
  };

  test('the demo salon is served: profile and services with an add-on', async () => {
    assert.match(out, /seeded the demo salon: slug demo, tenant [0-9a-f-]{36}/);
    const t = await get('/v1/public/tenant');
    assert.match(JSON.stringify(t), /Demo Salon/);
    assert.match(JSON.stringify(t), /America\/New_York/);
    const s = await get('/v1/public/services');
    assert.deepEqual(s.items.map((x) => x.name).sort(), ['Beard trim', 'Colour', 'Haircut']);
    const cut = s.items.find((x) => x.name === 'Haircut');
    assert.deepEqual(cut.addons.map((a) => a.name), ['Scalp massage']);
  });

  test('what it created went through the services: audited like an admin change', () => {
    const rows = ownerSql(`SELECT action, count(*) FROM audit_log a JOIN tenants t
      ON t.id = a.tenant_id WHERE t.slug = 'demo' GROUP BY action ORDER BY action`);
    assert.match(rows, /^service\.created\|3$/m);
    assert.match(rows, /^staff\.created\|2$/m);
    assert.match(rows, /^faq\.created\|3$/m);
    assert.equal(ownerSql(`SELECT count(*) FROM staff_schedules s JOIN tenants t
      ON t.id = s.tenant_id WHERE t.slug = 'demo'`), '18');
  });

  test('the owner it printed signs in with the password shown once', async () => {
    const m = /demo owner\s+(\S+)\s+(\S+)/.exec(out);
    assert.ok(m, out);
    const l = await login(srv, m[1], m[2]);
    assert.equal(l.status, 200, l.res.text);
    // Where they sign in: the admin app on the demo's host.
    const app = await srv.request({ path: '/admin/', host });
    assert.equal(app.status, 200);
    assert.match(app.headers['content-type'], /text\/html/);
    assert.match(app.text, /<title>Demo Salon<\/title>/);
  });

  test('a second run changes nothing and shows no password', () => {
    const before2 = ownerSql(`SELECT count(*) FROM audit_log a JOIN tenants t
      ON t.id = a.tenant_id WHERE t.slug = 'demo'`);
    const again = cli('seed-demo');
    assert.match(again, /already seeded/);
    assert.doesNotMatch(again, /password/);
    assert.equal(ownerSql(`SELECT count(*) FROM audit_log a JOIN tenants t
      ON t.id = a.tenant_id WHERE t.slug = 'demo'`), before2);
  });
});
