// health.test.mjs — /healthz, /readyz (including a database outage and
// recovery without a restart) and the Prometheus /metrics text.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import {
  assertErrorBody, createTenant, dbRunning, dbStart, dbStop, killAll, lit, ownerSql, sanitizerReport,
  startServer, waitFor,
} from './lib.mjs';

after(killAll);

test('/healthz and /readyz answer 200 when the database is up', async (t) => {
  const srv = await startServer();
  t.after(() => srv.kill());

  const h = await srv.request({ path: '/healthz' });
  assert.equal(h.status, 200);
  assert.deepEqual(h.json, { status: 'ok' });

  const r = await srv.request({ path: '/readyz' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'ready');
  assert.deepEqual(r.json.checks, { database: 'ok', migrations: 'current' });
});

test('/metrics exposes request counters, latency histograms, pool and queue gauges',
  async (t) => {
    const srv = await startServer();
    t.after(() => srv.kill());
    await srv.request({ path: '/healthz' });
    await srv.request({ path: '/readyz' });
    await srv.request({ path: '/no/such/path' });

    const m = await srv.request({ path: '/metrics' });
    assert.equal(m.status, 200);
    assert.match(String(m.headers['content-type']), /^text\/plain/);
    assert.match(m.text, /^# TYPE http_requests_total counter$/m);
    assert.match(m.text, /^http_requests_total\{route="\/healthz",status="200"\} [1-9]\d*$/m);
    assert.match(m.text, /^http_requests_total\{route="\/readyz",status="200"\} [1-9]\d*$/m);
    assert.match(m.text, /^http_requests_total\{route="unmatched",status="404"\} [1-9]\d*$/m);
    assert.match(m.text, /^# TYPE http_request_duration_seconds histogram$/m);
    assert.match(m.text,
      /^http_request_duration_seconds_bucket\{route="\/healthz",le="\+Inf"\} [1-9]\d*$/m);
    assert.match(m.text, /^http_request_duration_seconds_count\{route="\/healthz"\} \d+$/m);
    assert.match(m.text, /^db_pool_connections\{state="open"\} \d+$/m);
    assert.match(m.text, /^db_pool_connections\{state="max"\} [1-9]\d*$/m);
    assert.match(m.text, /^http_queue_depth \d+$/m);
    // Every sample line is `name{labels} number` or `name number`.
    for (const line of m.text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      assert.match(line, /^[a-z_]+(\{[^}]*\})? [0-9.e+-]+$/, `bad sample line: ${line}`);
    }
  });

test('a database outage makes /readyz 503 and recovers without a restart', async (t) => {
  // Never leave the cluster down for the rest of the suite.
  t.after(() => { if (!dbRunning()) dbStart(); });
  const tenant = createTenant({ name: 'Outage Bakery' });
  const srv = await startServer({ TENANT_CACHE_TTL_S: '300', DB_CONNECT_TIMEOUT_S: '2' });
  t.after(() => srv.kill());

  assert.equal((await srv.request({ path: '/readyz' })).status, 200);

  dbStop();
  const down = await srv.request({ path: '/readyz' });
  const e = assertErrorBody(assert, down, 503, 'UNAVAILABLE');
  assert.ok(e.details.some((d) => d.field === 'database'), down.text);
  assert.match(String(down.headers['retry-after']), /^[1-9]\d*$/);

  // The process itself is fine: liveness stays green.
  const live = await srv.request({ path: '/healthz' });
  assert.equal(live.status, 200);

  // A tenant request that needs the database fails cleanly, not with a 500.
  const tdown = await srv.request({ path: '/v1/public/tenant', host: tenant.host });
  assertErrorBody(assert, tdown, 503, 'UNAVAILABLE');
  assert.ok(tdown.headers['retry-after'], 'Retry-After on 503');

  dbStart();
  await waitFor(async () => (await srv.request({ path: '/readyz' })).status === 200,
    { timeoutMs: 10000, intervalMs: 200, what: '/readyz 200 after the database restarted' });

  const tup = await srv.request({ path: '/v1/public/tenant', host: tenant.host });
  assert.equal(tup.status, 200, tup.text);
  assert.equal(tup.json.id, tenant.id);
  assert.equal(tup.json.name, 'Outage Bakery');
  assert.equal(srv.running(), true);

  const res = await srv.stop();
  assert.equal(res.code, 0, res.stderr);
  assert.equal(sanitizerReport(res.stderr), null);
});

test('/readyz is 503 while the schema is behind the build', async (t) => {
  const srv = await startServer();
  t.after(() => srv.kill());
  // Pretend the newest migration was never applied, and put it back after.
  const row = ownerSql(`SELECT row_to_json(m) FROM (SELECT * FROM schema_migrations
    ORDER BY version DESC LIMIT 1) m`);
  assert.ok(row, 'schema_migrations has rows');
  const { version } = JSON.parse(row);
  const saved = `INSERT INTO schema_migrations
    SELECT * FROM json_populate_record(NULL::schema_migrations, ${lit(row)}::json)`;
  t.after(() => {
    if (ownerSql(`SELECT count(*) FROM schema_migrations WHERE version = ${version}`) === '0')
      ownerSql(saved);
  });
  ownerSql(`DELETE FROM schema_migrations WHERE version = ${version}`);

  const r = await srv.request({ path: '/readyz' });
  const e = assertErrorBody(assert, r, 503, 'UNAVAILABLE');
  assert.ok(e.details.some((d) => d.field === 'migrations'), r.text);
  assert.match(String(r.headers['retry-after']), /^[1-9]\d*$/);
  assert.equal((await srv.request({ path: '/healthz' })).status, 200);

  ownerSql(saved);
  assert.equal((await srv.request({ path: '/readyz' })).status, 200);
});
