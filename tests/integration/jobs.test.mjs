// jobs.test.mjs — the job queue end to end: jobs enqueued over HTTP, run by
// real `worker` processes; retries with backoff into the dead state, unique
// keys, lease recovery after kill -9, graceful worker shutdown.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  createTenant, killAll, lit, ownerSql, randomSlug, sanitizerReport, startServer, startWorker,
  waitFor,
} from './lib.mjs';

after(killAll);

const WORKER_ENV = {
  ENABLE_TEST_ROUTES: 'true', JOB_CONCURRENCY: '2', JOB_LEASE_S: '3', JOB_BACKOFF_BASE_S: '1',
};

// The one job row of (tenant, kind, unique key), as an object (or null).
function jobRow(tenantId, kind, key) {
  const out = ownerSql(`SELECT row_to_json(j) FROM (SELECT id, status, attempts, max_attempts,
      last_error, locked_by, finished_at FROM jobs WHERE tenant_id = ${lit(tenantId)}
      AND kind = ${lit(kind)} AND unique_key = ${lit(key)}) j`);
  return out ? JSON.parse(out) : null;
}

function auditRuns(tenantId, jobId) {
  return Number(ownerSql(`SELECT count(*) FROM audit_log WHERE tenant_id = ${lit(tenantId)}
    AND action = 'test.job_ran' AND target_type = 'job' AND target_id = ${lit(String(jobId))}`));
}

describe('jobs', () => {
  let srv;
  let tenant;

  before(async () => {
    tenant = createTenant({ name: 'Kilo Garage' });
    srv = await startServer({ ENABLE_TEST_ROUTES: 'true' });
  });
  after(() => srv?.kill());

  const enqueue = async (body, t = tenant) => {
    const r = await srv.request({ method: 'POST', path: '/v1/test/jobs', host: t.host, body });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json, { queued: true });
  };

  describe('with one worker (JOB_CONCURRENCY=2)', () => {
    let w;
    before(async () => { w = await startWorker(WORKER_ENV); });
    after(() => w?.kill());

    test('a failing job is retried with backoff and ends dead after max_attempts', async () => {
      const key = randomSlug('fail');
      await enqueue({ kind: 'test.fail', unique_key: key, max_attempts: 3 });
      const row = await waitFor(() => {
        const j = jobRow(tenant.id, 'test.fail', key);
        return j && j.status === 'dead' ? j : false;
      }, { timeoutMs: 25000, intervalMs: 200, what: 'the job to go dead' });
      assert.equal(row.attempts, 3);
      assert.equal(row.max_attempts, 3);
      assert.match(row.last_error, /deliberate failure on attempt 3/);
      assert.ok(row.finished_at, 'a dead job is finished');
      // The worker logged each failure.
      const fails = await waitFor(() => {
        const f = w.logs().filter((l) => l.msg === 'job failed' && l.job_id === String(row.id));
        return f.length >= 3 ? f : false;
      }, { timeoutMs: 2000, what: 'three "job failed" log lines' });
      assert.deepEqual(fails.map((l) => l.attempt), [1, 2, 3]);
    });

    test('a test.sleep job runs once, is done, and wrote its audit row', async () => {
      const key = randomSlug('sleep');
      await enqueue({ kind: 'test.sleep', payload: { ms: 100 }, unique_key: key });
      const row = await waitFor(() => {
        const j = jobRow(tenant.id, 'test.sleep', key);
        return j && j.status === 'done' ? j : false;
      }, { timeoutMs: 10000, intervalMs: 100, what: 'the job to be done' });
      assert.equal(row.attempts, 1);
      assert.equal(row.last_error, null);
      assert.equal(auditRuns(tenant.id, row.id), 1);
      // The audit row belongs to the job's tenant, and to no other.
      assert.equal(Number(ownerSql(`SELECT count(*) FROM audit_log WHERE action = 'test.job_ran'
        AND target_id = ${lit(String(row.id))} AND tenant_id <> ${lit(tenant.id)}`)), 0);
    });

    test('the same unique_key twice makes one job', async () => {
      const key = randomSlug('uniq');
      await enqueue({ kind: 'test.sleep', payload: { ms: 1 }, unique_key: key });
      await enqueue({ kind: 'test.sleep', payload: { ms: 1 }, unique_key: key });
      const n = Number(ownerSql(`SELECT count(*) FROM jobs WHERE tenant_id = ${lit(tenant.id)}
        AND unique_key = ${lit(key)}`));
      assert.equal(n, 1);
      // Another tenant may use the same key for its own job.
      const other = createTenant({ name: 'Lima Laundry' });
      await enqueue({ kind: 'test.sleep', payload: { ms: 1 }, unique_key: key }, other);
      assert.equal(Number(ownerSql(`SELECT count(*) FROM jobs WHERE unique_key = ${lit(key)}`)), 2);
    });

    test('enqueueing validates the body and needs a tenant', async () => {
      let r = await srv.request({ method: 'POST', path: '/v1/test/jobs', host: tenant.host,
        body: { kind: 'rm -rf', max_attempts: 0, extra: 1 } });
      assert.equal(r.status, 400, r.text);
      assert.deepEqual(r.json.error.details.map((d) => d.field).sort(), ['extra', 'kind', 'max_attempts']);
      r = await srv.request({ method: 'POST', path: '/v1/test/jobs', host: 'localhost',
        body: { kind: 'test.sleep' } });
      assert.equal(r.status, 404, r.text);
    });

    test('SIGTERM lets the running job finish, then the worker exits 0', async () => {
      const key = randomSlug('term');
      await enqueue({ kind: 'test.sleep', payload: { ms: 1500 }, unique_key: key });
      await waitFor(() => jobRow(tenant.id, 'test.sleep', key)?.status === 'running',
        { timeoutMs: 5000, what: 'the job to start' });
      const res = await w.stop('SIGTERM', 15000);
      assert.equal(res.timedOut, undefined);
      assert.equal(res.code, 0, res.stderr.slice(-3000));
      assert.equal(sanitizerReport(res.stderr), null);
      const row = jobRow(tenant.id, 'test.sleep', key);
      assert.equal(row.status, 'done', JSON.stringify(row));
      assert.equal(row.attempts, 1);
    });
  });

  test('a job of a worker killed with -9 is finished by another after its lease', async (t) => {
    const a = await startWorker(WORKER_ENV);
    t.after(() => a.kill());
    const key = randomSlug('kill');
    await enqueue({ kind: 'test.sleep', payload: { ms: 4000 }, unique_key: key });
    const running = await waitFor(() => {
      const j = jobRow(tenant.id, 'test.sleep', key);
      return j && j.status === 'running' ? j : false;
    }, { timeoutMs: 5000, what: 'worker A to take the job' });
    assert.equal(running.locked_by, a.workerId);
    assert.equal(running.attempts, 1);

    const killed = await a.stop('SIGKILL');
    assert.equal(killed.signal, 'SIGKILL');

    // One thread, so B itself cannot take the job a second time while it
    // runs it (that case is the next test).
    const b = await startWorker({ ...WORKER_ENV, JOB_CONCURRENCY: '1' });
    t.after(() => b.kill());
    const done = await waitFor(() => {
      const j = jobRow(tenant.id, 'test.sleep', key);
      return j && j.status === 'done' ? j : false;
    }, { timeoutMs: 20000, intervalMs: 200, what: 'worker B to finish the job' });
    assert.equal(done.attempts, 2);
    assert.equal(done.locked_by, b.workerId);
    assert.equal(auditRuns(tenant.id, done.id), 1, 'A was killed before it wrote anything');

    const res = await b.stop('SIGTERM');
    assert.equal(res.code, 0, res.stderr.slice(-3000));
    assert.equal(sanitizerReport(res.stderr), null);
  });

  test('a job running longer than JOB_LEASE_S is not run a second time meanwhile', async (t) => {
    // jobs_extend() exists so a running job keeps its lease; without it a
    // second worker thread re-claims the job while the first still runs it.
    const w = await startWorker(WORKER_ENV);
    t.after(() => w.kill());
    const key = randomSlug('long');
    await enqueue({ kind: 'test.sleep', payload: { ms: 4500 }, unique_key: key });
    const end = await waitFor(() => {
      const j = jobRow(tenant.id, 'test.sleep', key);
      return j && (j.status === 'done' || j.status === 'dead') ? j : false;
    }, { timeoutMs: 20000, intervalMs: 200, what: 'the long job to finish' });
    const runs = auditRuns(tenant.id, end.id);
    assert.equal(runs, 1, `the job ran ${runs} times: ${JSON.stringify(end)}`);
    assert.equal(end.status, 'done', JSON.stringify(end));
    assert.equal(end.attempts, 1);
    const res = await w.stop('SIGTERM');
    assert.equal(res.code, 0, res.stderr.slice(-3000));
  });
});
