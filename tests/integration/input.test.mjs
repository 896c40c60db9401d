// input.test.mjs — hostile and malformed input at the HTTP edge: bad JSON,
// wrong types, unknown fields, invalid UTF-8, wrong media type, oversized
// bodies, header floods and non-HTTP bytes. After each, the same server
// process must still be up and healthy, and it must exit cleanly at the end
// with no sanitizer report.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, afterEach, before, describe, test } from 'node:test';

import {
  assertErrorBody, killAll, rawRequest, rawUpload, sanitizerReport, startServer,
} from './lib.mjs';

after(killAll);

const ECHO = '/v1/test/echo';

describe('input validation and robustness', () => {
  let srv;

  before(async () => {
    srv = await startServer({ ENABLE_TEST_ROUTES: 'true' });
  });

  afterEach(async () => {
    assert.equal(srv.running(), true, `server died:\n${srv.stderr().slice(-4000)}`);
    const h = await srv.request({ path: '/healthz' });
    assert.equal(h.status, 200);
  });

  const post = (body, headers = { 'content-type': 'application/json' }) =>
    srv.request({ method: 'POST', path: ECHO, headers, body });

  test('a valid body is accepted and echoed', async () => {
    const body = { name: 'é'.repeat(50), count: 100, colour: null, id: '0b6a3c4e-1f2d-4c5b-9a8e-7d6c5b4a3f21', flag: true };
    const r = await post(JSON.stringify(body), { 'content-type': 'application/json; charset=utf-8' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, body);
  });

  test('malformed JSON is a 400 INVALID_ARGUMENT', async () => {
    for (const b of ['{"name":', '{name: "x"}', '{"name":"x",}', "{'name':'x'}", 'null', '[]',
      '"x"', '', '{"name":"a","name":"b"}', '{"name":"x"} trailing']) {
      const r = await post(b);
      assertErrorBody(assert, r, 400, 'INVALID_ARGUMENT');
    }
  });

  test('absurd nesting and numbers are rejected, not crashed on', async () => {
    const deep = `{"name":"x","count":${'['.repeat(100000)}${']'.repeat(100000)}}`;
    assertErrorBody(assert, await post(deep), 400, 'INVALID_ARGUMENT');
    for (const n of ['99999999999999999999', '1e400', '-1', '101', '1.0', '1.5']) {
      const r = await post(`{"name":"x","count":${n}}`);
      const e = assertErrorBody(assert, r, 400, 'INVALID_ARGUMENT');
      if (e.details.length) assert.deepEqual(e.details.map((d) => d.field), ['count'], r.text);
    }
  });

  test('wrong types and unknown fields: one detail per field', async () => {
    const r = await post(JSON.stringify({
      name: 5, count: 'x', colour: 'pink', id: 'not-a-uuid', flag: 1, extra: 2, other: null,
    }));
    const e = assertErrorBody(assert, r, 400, 'INVALID_ARGUMENT');
    const fields = e.details.map((d) => d.field).sort();
    assert.deepEqual(fields, ['colour', 'count', 'extra', 'flag', 'id', 'name', 'other'], r.text);
    for (const d of e.details) assert.ok(d.issue.length > 0);
  });

  test('missing, empty, too long and control-character strings are named', async () => {
    let e = assertErrorBody(assert, await post('{}'), 400, 'INVALID_ARGUMENT');
    assert.deepEqual(e.details.map((d) => d.field), ['name']);
    e = assertErrorBody(assert, await post('{"name":""}'), 400, 'INVALID_ARGUMENT');
    assert.deepEqual(e.details.map((d) => d.field), ['name']);
    e = assertErrorBody(assert, await post(JSON.stringify({ name: 'x'.repeat(51) })), 400,
      'INVALID_ARGUMENT');
    assert.deepEqual(e.details.map((d) => d.field), ['name']);
    e = assertErrorBody(assert, await post('{"name":"a\\u0001b"}'), 400, 'INVALID_ARGUMENT');
    assert.deepEqual(e.details.map((d) => d.field), ['name']);
    e = assertErrorBody(assert, await post('{"name":null}'), 400, 'INVALID_ARGUMENT');
    assert.deepEqual(e.details.map((d) => d.field), ['name']);
  });

  test('invalid UTF-8 and NUL escapes in the body are a 400', async () => {
    const bodies = [
      Buffer.from('{"name":"\xff\xfe"}', 'latin1'),
      Buffer.from('{"name":"\xc0\xaf"}', 'latin1'),		// overlong '/'
      Buffer.from('{"name":"\xed\xa0\x80"}', 'latin1'),	// UTF-16 surrogate
      Buffer.from('{"name":"\xe2\x82"}', 'latin1'),		// truncated sequence
      Buffer.from('{"name":"ok"}\xff', 'latin1'),
      Buffer.from('{"name":"\\u0000"}'),
      Buffer.from('{"name":"\\ud800"}'),
    ];
    for (const b of bodies) {
      const r = await post(b);
      assertErrorBody(assert, r, 400, 'INVALID_ARGUMENT');
    }
  });

  test('a body without application/json is a 415', async () => {
    for (const headers of [{}, { 'content-type': 'text/plain' },
      { 'content-type': 'application/jsonx' }, { 'content-type': 'application/x-www-form-urlencoded' }]) {
      const r = await post('{"name":"x"}', headers);
      assertErrorBody(assert, r, 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
  });

  test('a 10 MB body announced with Expect: 100-continue is a 413 with the JSON error body',
    async () => {
      // Like curl: announce the body, take the 100 Continue, send it.
      const r = await rawUpload(srv.port, `POST ${ECHO} HTTP/1.1\r\nHost: localhost\r\n`
        + `Content-Type: application/json\r\nContent-Length: ${10 * 1024 * 1024}\r\n`
        + 'Expect: 100-continue\r\nX-Request-ID: too-large-1\r\n\r\n', 10 * 1024 * 1024);
      assert.equal(r.status, 413);
      assert.match(r.headers['content-type'], /^application\/json/);
      const e = r.json.error;
      assert.equal(e.code, 'PAYLOAD_TOO_LARGE');
      assert.deepEqual(e.details, []);
    });

  test('a chunked body over MAX_BODY_BYTES is a 413 with the JSON error body', async () => {
    // Just over the 1 MiB default, then wait: the server has read all of it.
    const r = await rawUpload(srv.port, `POST ${ECHO} HTTP/1.1\r\nHost: localhost\r\n`
      + 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
    1024 * 1024 + 128 * 1024, { chunked: true });
    assertErrorBody(assert, r, 413, 'PAYLOAD_TOO_LARGE');
  });

  test('clients streaming a 10 MB body read the 413 error body, not a reset', async () => {
    // An ordinary client writes the whole body before it reads. RFC 9112
    // §9.6: a server that closes early must not make the client lose the
    // response (lingering close); otherwise the client sees ECONNRESET.
    // Several tries, fixed length and chunked, because the loss is a race.
    const outcomes = [];
    const streamChunked = () => new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: srv.port, method: 'POST', path: ECHO,
        agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (d) => { text += d; });
        res.on('end', () => resolve({ status: res.statusCode, text }));
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write(Buffer.alloc(1024 * 1024, 'a'));
      req.end();
    });
    for (let i = 0; i < 6; i++) {
      try {
        const r = i % 2 ? await streamChunked() : await post(Buffer.alloc(10 * 1024 * 1024, 'a'));
        outcomes.push(r.status === 413 && /PAYLOAD_TOO_LARGE/.test(r.text) ? 'ok' : `status ${r.status}`);
      } catch (err) {
        outcomes.push(err.code ?? err.message);
      }
    }
    assert.deepEqual(outcomes, Array(6).fill('ok'), `outcomes: ${outcomes.join(', ')}`);
  });

  test('10,000 junk headers get a 4xx and the connection is closed', async () => {
    let h = 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n';
    for (let i = 0; i < 10000; i++) h += `X-Junk-${i}: aaaa\r\n`;
    h += '\r\n';
    const r = await rawRequest(srv.port, h, { timeoutMs: 5000 });
    assert.match(r.data, /^HTTP\/1\.[01] 4\d\d /, `got: ${r.data.slice(0, 200)}`);
    assert.equal(r.closed, true, 'the server must close the connection');
  });

  test('bytes that are not HTTP get a 400 and the connection is closed', async () => {
    const garbage = [
      Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x01, 0x00, 0x00, 0xfc, 0x03, 0x03, 0x0d, 0x0a,
        0x0d, 0x0a]),		// a TLS ClientHello on the plain port
      Buffer.from('\x00\x01\x02\x03 \xff\xfe\r\n\r\n', 'latin1'),
      Buffer.from('GET\r\n\r\n'),
      Buffer.from('GET / HTTP/9.9\r\nHost: x\r\n\r\n'),
    ];
    for (const g of garbage) {
      const r = await rawRequest(srv.port, g, { timeoutMs: 5000 });
      assert.match(r.data, /^HTTP\/1\.[01] 4\d\d /, `for ${g.toString('hex')}: ${r.data.slice(0, 200)}`);
      assert.equal(r.closed, true);
    }
    const plain = await rawRequest(srv.port, Buffer.from('this is not http at all\r\n\r\n'));
    assert.match(plain.data, /^HTTP\/1\.[01] 400 /, plain.data.slice(0, 200));
    assert.equal(plain.closed, true);
  });

  test('a path that is not UTF-8 is a 404, and logging it does not fail', async () => {
    const r = await rawRequest(srv.port,
      Buffer.from('GET /\xff\xfe/%ff HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n', 'latin1'));
    assert.match(r.data, /^HTTP\/1\.1 404 /, r.data.slice(0, 200));
    const body = JSON.parse(r.data.split('\r\n\r\n')[1]);
    assert.equal(body.error.code, 'NOT_FOUND');
  });

  test('an unknown path is a 404 with the error body', async () => {
    for (const p of ['/nope', '/v1/public/tenant/extra', '/healthz/', '//healthz', '/v1/test/echo?x=1#f']) {
      const r = await srv.request({ path: p, method: p.startsWith('/v1/test/echo') ? 'PUT' : 'GET' });
      if (p.startsWith('/v1/test/echo')) {
        assertErrorBody(assert, r, 405, 'METHOD_NOT_ALLOWED');
      } else {
        assertErrorBody(assert, r, 404, 'NOT_FOUND');
      }
    }
  });

  test('a wrong method is a 405 with an Allow header', async () => {
    let r = await srv.request({ method: 'POST', path: '/healthz', body: '{}' });
    assertErrorBody(assert, r, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(r.headers.allow, 'GET, HEAD');
    r = await srv.request({ method: 'DELETE', path: '/readyz' });
    assertErrorBody(assert, r, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(r.headers.allow, 'GET, HEAD');
    r = await srv.request({ method: 'GET', path: ECHO });
    assertErrorBody(assert, r, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(r.headers.allow, 'POST');
    // HEAD is answered wherever GET is.
    r = await srv.request({ method: 'HEAD', path: '/healthz' });
    assert.equal(r.status, 200);
    assert.equal(r.text, '');
  });

  test('the query string of the sleep route is validated', async () => {
    for (const ms of ['-1', '10001', '99999999999999999999999']) {
      const r = await srv.request({ path: `/v1/test/sleep?ms=${ms}` });
      const e = assertErrorBody(assert, r, 400, 'INVALID_ARGUMENT');
      assert.deepEqual(e.details.map((d) => d.field), ['ms']);
    }
  });

  test('the process survived all of it and exits 0 with no sanitizer report', async () => {
    const res = await srv.stop();
    assert.equal(res.code, 0, res.stderr.slice(-4000));
    assert.equal(sanitizerReport(res.stderr), null);
    // Restart for the afterEach health check.
    srv = await startServer({ ENABLE_TEST_ROUTES: 'true' });
  });

  after(() => srv?.kill());
});
