// llm_lib.mjs — helpers for the model-provider suites: the fake servers
// started together, the server environment that points the adapters at
// them (no real network), and a client for the test-only POST /v1/test/llm
// that reads its SSE reply event by event.
import http from 'node:http';

import { ANTHROPIC_TEST_KEY, startAnthropicFake } from './fakes/anthropic.mjs';
import { OPENAI_TEST_KEY, startOpenAIFake } from './fakes/openai.mjs';

export { ANTHROPIC_TEST_KEY, OPENAI_TEST_KEY };

export async function startFakes() {
  const [openai, anthropic] = await Promise.all([startOpenAIFake(), startAnthropicFake()]);
  return { openai, anthropic, close: () => Promise.all([openai.close(), anthropic.close()]) };
}

// Environment for `serve`: openai primary, anthropic then offline behind it.
export function llmEnv(fakes, extra = {}) {
  return {
    ENABLE_TEST_ROUTES: 'true',
    REDIS_URL: '',
    LLM_PROVIDER: 'openai',
    OPENAI_BASE_URL: fakes.openai.url,
    OPENAI_API_KEY: OPENAI_TEST_KEY,
    OPENAI_MODEL: 'gpt-fake-mini',
    ANTHROPIC_BASE_URL: fakes.anthropic.url,
    ANTHROPIC_API_KEY: ANTHROPIC_TEST_KEY,
    ANTHROPIC_MODEL: 'claude-fake-haiku',
    LLM_FALLBACK: 'anthropic,offline',
    LLM_TIMEOUT_MS: '5000',
    LLM_FIRST_BYTE_TIMEOUT_MS: '700',
    LLM_BREAKER_FAILURES: '100',
    LLM_BREAKER_COOLDOWN_S: '1',
    ...extra,
  };
}

export const TOOLS = [
  { name: 'check_availability', description: 'Free slots for a service on a day',
    parameters: { type: 'object', properties: { service_id: { type: 'string' },
      date: { type: 'string' } }, required: ['date'] } },
  { name: 'book_appointment', description: 'Book an offered slot once the customer confirmed',
    parameters: { type: 'object', properties: { slot_id: { type: 'string' } },
      required: ['slot_id'] } },
];

// POST /v1/test/llm as JSON: {status, json}.
export function llmCall(srv, host, body, { timeoutMs = 20000 } = {}) {
  return streamCall(srv, host, { ...body, stream: false }, { timeoutMs, json: true });
}

// POST /v1/test/llm with stream: true. Resolves {status, events: [{event,
// data, at}], text (the deltas joined), result, error, elapsed}.
// abortAfterMs: hang up that long after the first delta.
export function streamCall(srv, host, body, { timeoutMs = 20000, json = false,
  abortAfterMs } = {}) {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(json ? body : { stream: true, ...body });
    const r = http.request({ host: '127.0.0.1', port: srv.port, method: 'POST',
      path: '/v1/test/llm', agent: false, setHost: false,
      headers: { Host: host, 'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload) } }, (res) => {
      let buf = '';
      const events = [];
      let aborted = false;
      res.setEncoding('utf8');
      res.on('data', (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const raw = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = { event: 'message', data: '', at: Date.now() - started };
          for (const line of raw.split('\n')) {
            if (line.startsWith('event: ')) ev.event = line.slice(7);
            else if (line.startsWith('data: ')) ev.data += line.slice(6);
          }
          try { ev.json = JSON.parse(ev.data); } catch { /* not JSON */ }
          events.push(ev);
          if (abortAfterMs !== undefined && ev.event === 'delta' && !aborted) {
            aborted = true;
            setTimeout(() => { r.destroy(); resolve({ status: res.statusCode, events, aborted: true,
              elapsed: Date.now() - started }); }, abortAfterMs);
          }
        }
      });
      res.on('end', () => {
        if (json) {
          let j;
          try { j = JSON.parse(buf); } catch { j = undefined; }
          resolve({ status: res.statusCode, json: j, text: buf, elapsed: Date.now() - started });
          return;
        }
        const deltas = events.filter((e) => e.event === 'delta');
        resolve({
          status: res.statusCode, events, elapsed: Date.now() - started,
          text: deltas.map((e) => e.json.text).join(''),
          result: events.find((e) => e.event === 'result')?.json,
          error: events.find((e) => e.event === 'error')?.json,
        });
      });
      res.on('error', () => { /* aborted on purpose */ });
    });
    r.setTimeout(timeoutMs, () => r.destroy(new Error('test llm call timed out')));
    r.on('error', (e) => { if (abortAfterMs === undefined) reject(e); });
    r.end(payload);
  });
}
