// Streaming replies (SSE) through the worker → loop channel: events arrive
// as they are written, a client that goes away stops the handler, a slow
// reader does not make the server buffer without bound.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { killAll, startServer, waitFor } from './lib.mjs';

after(killAll);

describe('server-sent events', () => {
  let srv;
  before(async () => { srv = await startServer({ ENABLE_TEST_ROUTES: 'true' }); });

  test('events arrive one by one while the handler is still running', async () => {
    const started = Date.now();
    const arrivals = [];
    await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: srv.port, path: '/v1/test/stream?n=5&ms=200' }, (res) => {
        assert.equal(res.statusCode, 200);
        assert.match(res.headers['content-type'], /^text\/event-stream/);
        assert.equal(res.headers['cache-control'], 'no-store');
        assert.ok(res.headers['x-request-id']);
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          buf += d;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            arrivals.push({ at: Date.now() - started, ev: buf.slice(0, i) });
            buf = buf.slice(i + 2);
          }
        });
        res.on('end', resolve);
        res.on('error', reject);
      }).on('error', reject);
    });
    assert.equal(arrivals.length, 5);
    assert.match(arrivals[0].ev, /^event: tick\nid: 0\ndata: x+$/);
    // The first event came long before the last was written (~800 ms later).
    assert.ok(arrivals[4].at - arrivals[0].at >= 600, JSON.stringify(arrivals.map((a) => a.at)));
  });

  test('a client that disconnects stops the handler', async () => {
    await new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: srv.port,
        path: '/v1/test/stream?n=1000&ms=20', headers: { 'x-request-id': 'stream-cut-1' } }, (res) => {
        res.once('data', () => { req.destroy(); resolve(); });
      });
      req.on('error', () => {});
    });
    const line = await waitFor(() => srv.stderr().split('\n')
      .find((l) => l.includes('"test stream ended"') && l.includes('stream-cut-1')), { timeoutMs: 5000 });
    const rec = JSON.parse(line);
    assert.equal(rec.cancelled, true);
    assert.ok(rec.sent < 1000, `the handler kept going: sent ${rec.sent}`);
  });

  test('a slow reader gets everything, in order, without unbounded buffering', async () => {
    // 400 events of 4 KiB = 1.6 MB, far over the 256 KiB channel cap.
    const body = await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: srv.port, path: '/v1/test/stream?n=400&size=4096' }, (res) => {
        const chunks = [];
        res.pause();
        const timer = setInterval(() => { res.resume(); setTimeout(() => res.pause(), 5); }, 20);
        res.on('data', (d) => chunks.push(d));
        res.on('end', () => { clearInterval(timer); resolve(Buffer.concat(chunks).toString()); });
        res.on('error', reject);
      }).on('error', reject);
    });
    const ids = [...body.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    assert.equal(ids.length, 400);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    const rss = Number(/VmHWM:\s+(\d+) kB/.exec(
      (await import('node:fs')).readFileSync(`/proc/${srv.pid}/status`, 'utf8'))[1]);
    assert.ok(rss < 256 * 1024, `peak RSS ${rss} kB`);
  });

  test('an error before the stream starts is an ordinary error body', async () => {
    const res = await fetch(`http://127.0.0.1:${srv.port}/v1/test/stream?n=0`);
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error.code, 'INVALID_ARGUMENT');
  });
});
