// streams.test.mjs — open streams do not hold the handler pool: a
// streaming reply hands its thread over (src/http/workers.c), so many chat
// turns stream at once on WORKER_THREADS=2 while other requests are served
// promptly; STREAMS_MAX caps them with a 503 the client can retry; SIGTERM
// still drains the open streams before the process exits.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { chat, chatServer, ok, salon, streamTurn } from './chat_lib.mjs';
import { assertErrorBody, killAll, sanitizerReport, startServer, waitFor } from './lib.mjs';

after(killAll);

// The value of one unlabelled gauge or counter in /metrics.
async function metric(srv, name) {
  const m = await srv.request({ path: '/metrics' });
  assert.equal(m.status, 200, m.text);
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const v = new RegExp(`^${escaped} (\\d+)$`, 'm').exec(m.text);
  assert.ok(v, `${name} in /metrics`);
  return Number(v[1]);
}

async function openChats(srv, t, n) {
  const chats = [];
  for (let i = 0; i < n; i++) {
    const c = chat(srv, t);
    await c.open();
    chats.push(c);
  }
  return chats;
}

describe('many streams on two handler threads', () => {
  const N = 8;
  let srv;
  let t;

  before(async () => {
    // 150 ms a word: a turn streams for a couple of seconds.
    srv = await chatServer({ WORKER_THREADS: '2', AI_OFFLINE_STREAM_DELAY_MS: '150' });
    t = salon({ name: 'Salon Many' });
  });
  after(() => srv?.kill());

  test(`${N} concurrent chat turns all stream at once and /healthz stays prompt`, async () => {
    const chats = await openChats(srv, t, N);
    const turns = chats.map((c) => c.say('hello'));

    // All N open at the same time: two threads could hold only two.
    let peak = 0;
    await waitFor(async () => {
      peak = Math.max(peak, await metric(srv, 'http_streams_open'));
      return peak === N;
    }, { timeoutMs: 10000, what: `${N} streams open at once (peak ${peak})` });

    // Ordinary requests are not queued behind the streams.
    const slowest = [];
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now();
      const h = await srv.request({ path: '/healthz', timeoutMs: 2000 });
      slowest.push(Date.now() - t0);
      assert.equal(h.status, 200);
    }
    assert.ok(Math.max(...slowest) < 500, `/healthz took ${slowest.join(', ')} ms`);
    assert.ok(await metric(srv, 'http_streams_open') > 0, 'the streams were still running');

    for (const r of await Promise.all(turns)) {
      ok(r, 'concurrent turn');
      assert.match(r.text, /welcome to Salon Many/);
      assert.ok(r.events.filter((e) => e.event === 'delta').length > 3, r.raw);
    }

    // Every detached thread has finished; the pool is as it was.
    await waitFor(async () => (await metric(srv, 'http_streams_open')) === 0,
      { what: 'no stream open' });
    assert.equal(await metric(srv, 'http_workers{state="total"}'), 2);
  });
});

describe('STREAMS_MAX', () => {
  let srv;
  let t;

  before(async () => {
    srv = await chatServer({ WORKER_THREADS: '2', STREAMS_MAX: '1',
      AI_OFFLINE_STREAM_DELAY_MS: '150' });
    t = salon({ name: 'Salon Capped' });
  });
  after(() => srv?.kill());

  test('a stream past the cap gets 503 with the error body and Retry-After', async () => {
    const [a, b] = await openChats(srv, t, 2);
    let firstData;
    const gotData = new Promise((r) => { firstData = r; });
    const first = streamTurn(srv, t, { session_id: a.session, message: 'hello' },
      { onData: () => firstData() });
    await gotData;	// streaming: it holds the one stream slot

    const second = await b.say('hello');
    const e = assertErrorBody(assert, second, 503, 'UNAVAILABLE');
    assert.equal(e.message, 'Too many open streams; retry shortly.');
    assert.equal(second.headers['retry-after'], '1');
    assert.equal(await metric(srv, 'http_streams_rejected_total'), 1);
    assert.equal(await metric(srv, 'http_streams_max'), 1);

    // Non-streaming requests are not limited by it.
    const h = await srv.request({ path: '/healthz' });
    assert.equal(h.status, 200);

    ok(await first, 'the stream that got the slot');
    // The slot is free again: the refused client's retry goes through.
    await waitFor(async () => (await metric(srv, 'http_streams_open')) === 0,
      { what: 'the slot released' });
    const retry = ok(await b.say('hello'), 'retry');
    assert.match(retry.text, /welcome to Salon Capped/);
  });
});

// Reads a test stream to its end; resolves the number of events.
function testStream(port, path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { buf += d; });
      res.on('end', () => resolve({ status: res.statusCode,
        events: buf.split('\n\n').filter((x) => x.startsWith('event: tick')).length }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

test('SIGTERM drains streams running on detached threads, then exits 0', async (t) => {
  const srv = await startServer({ ENABLE_TEST_ROUTES: 'true', WORKER_THREADS: '2',
    SHUTDOWN_GRACE_S: '20' });
  t.after(() => srv.kill());
  const N = 6;
  const streams = Array.from({ length: N },
    () => testStream(srv.port, '/v1/test/stream?n=15&ms=100'));
  await waitFor(async () => (await metric(srv, 'http_streams_open')) === N,
    { what: `${N} streams open` });

  const exited = await srv.stop('SIGTERM', 30000);
  const results = await Promise.all(streams);
  for (const r of results) assert.deepEqual(r, { status: 200, events: 15 });
  assert.equal(exited.timedOut, undefined, 'stopped within the grace period');
  assert.equal(exited.code, 0, exited.stderr.slice(-2000));
  assert.equal(sanitizerReport(exited.stderr), null);
});
