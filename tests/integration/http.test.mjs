// http.test.mjs — request ids (accepted, echoed, logged, or generated) and
// saturation of the handler pool (503 + Retry-After, then recovery).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  assertErrorBody, killAll, rawRequest, rawUpload, sanitizerReport, startServer, waitFor,
} from './lib.mjs';

after(killAll);

const GENERATED_ID = /^[0-9a-z]{26}$/;

describe('request ids', () => {
  let srv;

  before(async () => {
    srv = await startServer({ ENABLE_TEST_ROUTES: 'true' });
  });
  after(() => srv?.kill());

  const logLine = (rid) => waitFor(
    () => srv.logs().find((l) => l.msg === 'request' && l.request_id === rid),
    { timeoutMs: 2000, what: `the access log line for ${rid}` },
  );

  test('a valid X-Request-ID is echoed in the header, the error body and the log', async () => {
    for (const rid of ['abc-123', 'A.b_C-9', 'x'.repeat(64), `req-${Date.now()}`]) {
      const ok = await srv.request({ path: '/healthz', headers: { 'X-Request-ID': rid } });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers['x-request-id'], rid);

      const bad = await srv.request({ path: '/nope', headers: { 'X-Request-ID': `${rid.slice(0, 60)}-e` } });
      const e = assertErrorBody(assert, bad, 404, 'NOT_FOUND');
      assert.equal(e.request_id, `${rid.slice(0, 60)}-e`);

      const line = await logLine(rid);
      assert.equal(line.status, 200);
      assert.equal(line.route, '/healthz');
      assert.equal(line.method, 'GET');
      assert.equal(typeof line.duration_ms, 'number');
      assert.equal(typeof line.ts, 'string');
      assert.equal(line.level, 'info');
      const eline = await logLine(`${rid.slice(0, 60)}-e`);
      assert.equal(eline.status, 404);
    }
  });

  test('the request id of a validation error matches header, body and log', async () => {
    const rid = 'validation-err-1';
    const r = await srv.request({ method: 'POST', path: '/v1/test/echo', body: { name: 7 },
      headers: { 'X-Request-ID': rid } });
    const e = assertErrorBody(assert, r, 400, 'INVALID_ARGUMENT');
    assert.equal(e.request_id, rid);
    assert.equal((await logLine(rid)).status, 400);
  });

  test('an invalid X-Request-ID is replaced by a generated one', async () => {
    for (const bad of ['x'.repeat(65), 'has space', 'semi;colon', 'quote"d', 'slash/y', 'ünïcode', '']) {
      const r = await srv.request({ path: '/nope', headers: { 'X-Request-ID': bad } });
      const e = assertErrorBody(assert, r, 404, 'NOT_FOUND');
      assert.notEqual(e.request_id, bad);
      assert.match(e.request_id, GENERATED_ID, `for ${JSON.stringify(bad)}`);
      assert.equal(r.headers['x-request-id'], e.request_id);
    }
    // Header injection through the id never reaches the log verbatim.
    assert.ok(!srv.stderr().includes('quote"d'));
  });

  test('a missing X-Request-ID is generated: 26 chars, unique per request', async () => {
    const ids = new Set();
    for (let i = 0; i < 20; i++) {
      const r = await srv.request({ path: '/healthz' });
      assert.match(r.headers['x-request-id'], GENERATED_ID);
      ids.add(r.headers['x-request-id']);
    }
    assert.equal(ids.size, 20);
    const last = [...ids].pop();
    assert.equal((await logLine(last)).route, '/healthz');
  });

  test('errors the HTTP layer answers itself (413) keep the client request id', async () => {
    const rid = 'too-large-rid-1';
    // Like curl: announce the body, take the 100 Continue, send it.
    const r = await rawUpload(srv.port, 'POST /v1/test/echo HTTP/1.1\r\nHost: localhost\r\n'
      + `Content-Type: application/json\r\nContent-Length: ${2 * 1024 * 1024}\r\n`
      + `Expect: 100-continue\r\nX-Request-ID: ${rid}\r\n\r\n`, 2 * 1024 * 1024);
    assert.equal(r.status, 413);
    assert.equal(r.headers['x-request-id'], rid);
    assert.equal(r.json.error.request_id, rid);
    // ... and it is logged like every other request.
    assert.equal((await logLine(rid)).status, 413);
  });
});

describe('saturation', () => {
  test('a full handler queue answers 503 + Retry-After, then recovers', async (t) => {
    const srv = await startServer({
      ENABLE_TEST_ROUTES: 'true', WORKER_THREADS: '1', WORKER_QUEUE_MAX: '1',
    });
    t.after(() => srv.kill());

    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => srv.request({
      path: '/v1/test/sleep?ms=500', headers: { 'X-Request-ID': `sat-${i}` },
    })));
    const ok = results.filter((r) => r.status === 200);
    const busy = results.filter((r) => r.status === 503);
    assert.equal(ok.length + busy.length, 10, results.map((r) => r.status).join(','));
    assert.ok(ok.length >= 1, 'at least one request ran');
    assert.ok(busy.length >= 1, 'at least one request was turned away');
    for (const r of ok) assert.deepEqual(r.json, { slept_ms: 500 });
    for (const r of busy) {
      const e = assertErrorBody(assert, r, 503, 'UNAVAILABLE');
      assert.match(e.request_id, /^sat-\d$/);
      assert.match(String(r.headers['retry-after']), /^[1-9]\d*$/);
    }

    // Afterwards the server serves normally again, several in a row.
    for (let i = 0; i < 5; i++) {
      const h = await srv.request({ path: '/healthz' });
      assert.equal(h.status, 200);
    }
    const s = await srv.request({ path: '/v1/test/sleep?ms=10' });
    assert.equal(s.status, 200);

    const m = await srv.request({ path: '/metrics' });
    const rejected = Number(/^http_queue_rejected_total (\d+)$/m.exec(m.text)?.[1]);
    assert.equal(rejected, busy.length);
    assert.match(m.text, /^http_queue_capacity 1$/m);

    const res = await srv.stop();
    assert.equal(res.code, 0, res.stderr.slice(-3000));
    assert.equal(sanitizerReport(res.stderr), null);
  });
});
