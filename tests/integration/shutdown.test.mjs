// shutdown.test.mjs — SIGTERM under load: every accepted request still gets
// its answer, the listener goes away at once, and the process exits 0.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, test } from 'node:test';

import { connectionRefused, killAll, sanitizerReport, sleep, startServer } from './lib.mjs';

after(killAll);

// Sends GET path; resolves {status, json, error} and reports through
// onSent once the request is fully on the wire.
function slowRequest(port, path, onSent) {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, json, headers: res.headers });
      });
      res.on('error', (e) => resolve({ error: e.code ?? e.message }));
    });
    req.on('finish', onSent);
    req.on('error', (e) => resolve({ error: e.code ?? e.message }));
    req.setTimeout(30000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

test('SIGTERM drains ~40 in-flight requests, refuses new ones, exits 0', async (t) => {
  // 16 handler threads for 40 requests: some are still queued at SIGTERM,
  // and queued work must be drained too.
  const srv = await startServer({
    ENABLE_TEST_ROUTES: 'true', WORKER_THREADS: '16', SHUTDOWN_GRACE_S: '20',
  });
  t.after(() => srv.kill());

  const N = 40;
  let sent = 0;
  let allSent;
  const sentAll = new Promise((r) => { allSent = r; });
  const pending = Array.from({ length: N }, (_, i) => slowRequest(srv.port,
    `/v1/test/sleep?ms=700&i=${i}`, () => { if (++sent === N) allSent(); }));
  await sentAll;
  await sleep(200);	// let the server read and queue them all

  const stopped = srv.stop('SIGTERM', 30000);
  await sleep(300);
  // The listener is closed while the drain is still going on.
  assert.equal(srv.running(), true, 'still draining 40 × 700 ms on 16 threads');
  assert.equal(await connectionRefused(srv.port), true, 'new connections refused while draining');

  const results = await Promise.all(pending);
  const bad = results.filter((r) => r.status !== 200);
  assert.deepEqual(bad, [], `${bad.length} of ${N} requests did not complete with 200`);
  for (const r of results) assert.deepEqual(r.json, { slept_ms: 700 });

  const res = await stopped;
  assert.equal(res.timedOut, undefined, 'the server did not exit in time');
  assert.equal(res.signal, null);
  assert.equal(res.code, 0, res.stderr.slice(-3000));
  assert.equal(sanitizerReport(res.stderr), null);
  assert.match(res.stderr, /"msg":"shutting down","signal":"SIGTERM"/);
  assert.doesNotMatch(res.stderr, /grace period over/);
  // Every request was logged as a 200.
  const logged = res.stderr.split('\n').filter((l) => l.includes('"msg":"request"')
    && l.includes('"route":"/v1/test/sleep"'));
  assert.equal(logged.length, N);
  assert.ok(logged.every((l) => l.includes('"status":200')));

  assert.equal(await connectionRefused(srv.port), true, 'nothing listens after exit');
});

test('SIGTERM on an idle server exits 0 promptly; SIGINT too', async (t) => {
  for (const sig of ['SIGTERM', 'SIGINT']) {
    const srv = await startServer();
    t.after(() => srv.kill());
    // An idle keep-alive connection must not hold the process up.
    const idle = http.request({ host: '127.0.0.1', port: srv.port, path: '/healthz',
      agent: new http.Agent({ keepAlive: true }) });
    await new Promise((r) => { idle.on('response', (res) => { res.resume(); res.on('end', r); }); idle.end(); });
    const res = await srv.stop(sig, 10000);
    assert.equal(res.timedOut, undefined, `${sig}: did not exit within 10 s`);
    assert.equal(res.code, 0, `${sig}: ${res.stderr.slice(-2000)}`);
    assert.equal(sanitizerReport(res.stderr), null);
    assert.equal(await connectionRefused(srv.port), true);
  }
});

test('requests running past SHUTDOWN_GRACE_S do not keep the process alive', async (t) => {
  const srv = await startServer({ ENABLE_TEST_ROUTES: 'true', SHUTDOWN_GRACE_S: '1' });
  t.after(() => srv.kill());
  // .env.example: "How long SIGTERM waits for in-flight requests before
  // exiting." A 10 s request must not hold the exit up to 10 s.
  const pending = slowRequest(srv.port, '/v1/test/sleep?ms=10000', () => {});
  await sleep(300);
  const began = Date.now();
  const res = await srv.stop('SIGTERM', 20000);
  const took = Date.now() - began;
  assert.equal(res.timedOut, undefined);
  assert.ok(took < 6000, `exit took ${took} ms after SIGTERM with SHUTDOWN_GRACE_S=1`);
  assert.match(res.stderr, /grace period over/);
  assert.equal(res.code, 0, res.stderr.slice(-2000));
  const r = await pending;
  assert.notEqual(r.status, 200, 'the cut-off request cannot have succeeded');
});
