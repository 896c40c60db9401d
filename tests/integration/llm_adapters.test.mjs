// llm_adapters.test.mjs — the OpenAI and Anthropic adapters and the
// fallback chain, through the real binary (POST /v1/test/llm) against fake
// servers that speak the providers' wire formats and misbehave on cue:
// tool calls split across chunks and bytes, malformed arguments, rejected
// keys, 429 with Retry-After, 500s, a slow first byte, a stream that stalls
// or drops mid-way, error events, oversized replies, a customer who leaves.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { createTenant, killAll, sleep, startServer, waitFor } from './lib.mjs';
import { llmCall, llmEnv, OPENAI_TEST_KEY, ANTHROPIC_TEST_KEY, startFakes, streamCall,
  TOOLS } from './llm_lib.mjs';

after(killAll);

describe('model adapters against fake providers', () => {
  let fakes;
  let srv;
  let t;

  before(async () => {
    fakes = await startFakes();
    srv = await startServer(llmEnv(fakes));
    t = createTenant({ name: 'Adapter Salon' });
  });
  after(async () => { await srv?.kill(); await fakes?.close(); });
  beforeEach(() => { fakes.openai.reset(); fakes.anthropic.reset(); });

  test('openai: text streams delta by delta, in the documented request shape', async () => {
    fakes.openai.push({ text: ['We are ', 'open ', 'until 5 pm.'], chunk_delay_ms: 150,
      usage: { input: 321, output: 7, cached: 256 } });
    const r = await streamCall(srv, t.host, { provider: 'openai', system_static: 'You are Ann.',
      system_dynamic: 'Today is Monday.', tools: TOOLS, max_tokens: 200,
      messages: [{ role: 'user', content: 'When do you close?' }] });
    assert.equal(r.status, 200);
    assert.equal(r.text, 'We are open until 5 pm.');
    const deltas = r.events.filter((e) => e.event === 'delta');
    assert.equal(deltas.length, 3);
    // Deltas reach the client while the model is still writing.
    assert.ok(deltas[2].at - deltas[0].at >= 200, JSON.stringify(deltas.map((d) => d.at)));
    assert.equal(r.result.text, 'We are open until 5 pm.');
    assert.equal(r.result.provider, 'openai');
    assert.equal(r.result.input_tokens, 321);
    assert.equal(r.result.cached_tokens, 256);
    assert.equal(r.result.output_tokens, 7);

    const q = fakes.openai.requests[0];
    assert.equal(q.path, '/v1/chat/completions');
    assert.equal(q.headers.authorization, `Bearer ${OPENAI_TEST_KEY}`);
    assert.equal(q.body.model, 'gpt-fake-mini');
    assert.equal(q.body.stream, true);
    assert.deepEqual(q.body.stream_options, { include_usage: true });
    assert.equal(q.body.max_tokens, 200);
    assert.deepEqual(q.body.messages[0], { role: 'system', content: 'You are Ann.\n\nToday is Monday.' });
    assert.equal(q.body.tools[0].type, 'function');
    assert.equal(q.body.tools[0].function.name, 'check_availability');
    assert.deepEqual(q.body.tools[0].function.parameters, TOOLS[0].parameters);
  });

  test('openai: a tool call split across chunks, bytes and CRLF is assembled', async () => {
    const args = { service_id: 'svc_1', date: '2030-01-07', note: 'caf\u00e9 "deluxe" \u{1F488}' };
    fakes.openai.push({ text: 'One moment.', byte_split: true, crlf: true,
      tool_calls: [{ name: 'check_availability', arguments: args, split: 9 }] });
    const r = await llmCall(srv, t.host, { provider: 'openai', tools: TOOLS });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.text, 'One moment.');
    assert.equal(r.json.tool_calls.length, 1);
    assert.equal(r.json.tool_calls[0].name, 'check_availability');
    assert.match(r.json.tool_calls[0].id, /^call_/);
    assert.deepEqual(JSON.parse(r.json.tool_calls[0].arguments), args);
    assert.equal(r.json.tool_calls[0].valid, true);
  });

  test('openai: malformed tool JSON comes back raw and flagged, not guessed', async () => {
    fakes.openai.push({ tool_calls: [{ name: 'book_appointment',
      arguments: '{"slot_id": "2030-01-07T10:00", "confirmed": tru', split: 4 }] });
    const r = await llmCall(srv, t.host, { provider: 'openai', tools: TOOLS });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.tool_calls[0].arguments, '{"slot_id": "2030-01-07T10:00", "confirmed": tru');
    assert.equal(r.json.tool_calls[0].valid, false);
  });

  test('openai: the tool round trip is accepted by the strict fake', async () => {
    fakes.openai.push({ text: 'Ten is free.' });
    const r = await llmCall(srv, t.host, { provider: 'openai', tools: TOOLS, messages: [
      { role: 'user', content: 'Monday?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_9', name: 'check_availability',
        arguments: '{"date":"2030-01-07"}' }] },
      { role: 'tool', tool_call_id: 'call_9', tool_name: 'check_availability',
        content: '{"slots":["10:00"]}' },
    ] });
    assert.equal(r.status, 200, r.text);
    const m = fakes.openai.requests[0].body.messages;
    assert.equal(m[1].tool_calls[0].function.arguments, '{"date":"2030-01-07"}');
    assert.deepEqual(m[2], { role: 'tool', tool_call_id: 'call_9', content: '{"slots":["10:00"]}' });
  });

  test('a rejected key is reported as such and never echoed', async () => {
    const bad = await startServer(llmEnv(fakes, { OPENAI_API_KEY: 'sk-wrong-key-SECRET123' }));
    try {
      const r = await llmCall(bad, t.host, { provider: 'openai' });
      assert.equal(r.status, 502, r.text);
      assert.equal(r.json.error.code, 'UPSTREAM');
      assert.match(r.json.error.message, /provider rejected the key/);
      assert.doesNotMatch(r.text, /SECRET123/);
      // Through the chain, anthropic answers instead.
      const c = await llmCall(bad, t.host, {});
      assert.equal(c.status, 200, c.text);
      assert.equal(c.json.provider, 'anthropic');
      await sleep(100);
      assert.doesNotMatch(bad.stderr(), /SECRET123/);
      assert.match(bad.stderr(), /provider rejected the key/);
    } finally {
      await bad.kill();
    }
  });

  test('429 with Retry-After: a retry hint on the adapter, a fallback in the chain', async () => {
    fakes.openai.push({ status: 429, headers: { 'retry-after': '7' } });
    const r = await llmCall(srv, t.host, { provider: 'openai' });
    assert.equal(r.status, 502);
    assert.match(r.json.error.message, /HTTP 429.*retry after 7 s/);
    fakes.openai.push({ status: 429, headers: { 'retry-after': '7' } });
    fakes.anthropic.push({ text: 'Anthropic here.' });
    const c = await llmCall(srv, t.host, {});
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.provider, 'anthropic');
    assert.equal(c.json.text, 'Anthropic here.');
  });

  test('500 before any output: the next provider answers, once', async () => {
    fakes.openai.push({ status: 500 });
    fakes.anthropic.push({ text: ['Hello ', 'from Claude.'] });
    const r = await streamCall(srv, t.host, {});
    assert.equal(r.status, 200);
    assert.equal(r.text, 'Hello from Claude.');
    assert.equal(r.result.provider, 'anthropic');
    assert.equal(fakes.openai.requests.length, 1);
    assert.equal(fakes.anthropic.requests.length, 1);
  });

  test('both providers down: the offline receptionist answers', async () => {
    fakes.openai.push({ status: 500 });
    fakes.anthropic.push({ status: 529 });
    const r = await streamCall(srv, t.host, { messages: [{ role: 'user',
      content: 'What are your opening hours?' }] });
    assert.equal(r.status, 200);
    assert.equal(r.result.provider, 'offline', JSON.stringify(r.events));
    assert.equal(fakes.openai.requests.length, 1);
    assert.equal(fakes.anthropic.requests.length, 1);
  });

  test('a stream that stalls after text: an error, and no second reply', async () => {
    fakes.openai.push({ text: ['Sure, ', 'I can ', 'book ', 'that.'], hang_after_events: 3 });
    const r = await streamCall(srv, t.host, {});
    assert.equal(r.status, 200);
    assert.equal(r.text, 'Sure, I can ');
    assert.equal(r.error.code, 'TIMEOUT');
    assert.match(r.error.message, /silent/);
    // The customer already saw part of a reply: nobody starts another.
    assert.equal(fakes.anthropic.requests.length, 0);
    assert.ok(r.elapsed < 4000, `took ${r.elapsed} ms`);
  });

  test('a stream that stalls inside a tool call (nothing shown yet) falls back', async () => {
    fakes.openai.push({ tool_calls: [{ name: 'check_availability', arguments: { date: '2030-01-07' },
      split: 5 }], hang_after_events: 3 });
    fakes.anthropic.push({ text: 'Let me help.' });
    const r = await streamCall(srv, t.host, { tools: TOOLS });
    assert.equal(r.text, 'Let me help.');
    assert.equal(r.result.provider, 'anthropic');
  });

  test('a slow first byte times out at LLM_FIRST_BYTE_TIMEOUT_MS and falls back', async () => {
    fakes.openai.push({ first_byte_delay_ms: 3000, text: 'too late' });
    fakes.anthropic.push({ text: 'On time.' });
    const r = await streamCall(srv, t.host, {});
    assert.equal(r.text, 'On time.');
    assert.ok(r.elapsed < 2500, `took ${r.elapsed} ms`);
  });

  test('a dropped connection and an error event before output fall back', async () => {
    fakes.openai.push({ tool_calls: [{ name: 'book_appointment', arguments: { slot_id: 'x' } }],
      drop_after_events: 2 });
    fakes.anthropic.push({ text: 'Recovered.' });
    let r = await streamCall(srv, t.host, {});
    assert.equal(r.result?.provider, 'anthropic', JSON.stringify(r.events));
    fakes.openai.push({ error_event_after: 1, text: 'never' });
    fakes.anthropic.push({ text: 'Recovered again.' });
    r = await streamCall(srv, t.host, {});
    assert.equal(r.text, 'Recovered again.');
  });

  test('an oversized reply is refused, not buffered', async () => {
    fakes.openai.push({ raw: `data: {"choices":[{"delta":{"content":"${'x'.repeat(2 * 1024 * 1024)}"}}]}\n\n` });
    const r = await llmCall(srv, t.host, { provider: 'openai' });
    assert.equal(r.status, 502, r.text.slice(0, 200));
    assert.match(r.json.error.message, /too long|too large/);
  });

  test('a customer who leaves stops the model call', async () => {
    fakes.openai.push({ text: Array.from({ length: 50 }, (_, i) => `w${i} `), stream_ms: 10000 });
    const r = await streamCall(srv, t.host, {}, { abortAfterMs: 100 });
    assert.equal(r.aborted, true);
    const q = await waitFor(() => fakes.openai.requests[0]?.closedAt && fakes.openai.requests[0],
      { timeoutMs: 3000, what: 'the provider connection to close' });
    assert.equal(q.complete, false);
    assert.ok(q.closedAt - q.at < 2500, `closed after ${q.closedAt - q.at} ms`);
    assert.equal(fakes.anthropic.requests.length, 0);
  });

  test('anthropic: headers, tools, cached static prefix and usage', async () => {
    const body = { provider: 'anthropic', system_static: `You are Ann. ${'Knowledge. '.repeat(50)}`,
      system_dynamic: 'Today is Monday.', tools: TOOLS,
      messages: [{ role: 'assistant', content: 'Hi! How can I help?' },
        { role: 'user', content: 'A haircut Monday?' }] };
    fakes.anthropic.push({ text: 'Checking.', tool_calls: [{ name: 'check_availability',
      arguments: { date: '2030-01-07' }, split: 6 }], byte_split: true });
    const first = await llmCall(srv, t.host, body);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.json.provider, 'anthropic');
    assert.equal(first.json.text, 'Checking.');
    assert.deepEqual(JSON.parse(first.json.tool_calls[0].arguments), { date: '2030-01-07' });
    assert.match(first.json.tool_calls[0].id, /^toolu_/);
    assert.equal(first.json.cached_tokens, 0);

    const q = fakes.anthropic.requests[0];
    assert.equal(q.headers['x-api-key'], ANTHROPIC_TEST_KEY);
    assert.equal(q.headers['anthropic-version'], '2023-06-01');
    assert.equal(q.body.model, 'claude-fake-haiku');
    assert.equal(q.body.stream, true);
    assert.deepEqual(q.body.system[0].cache_control, { type: 'ephemeral' });
    assert.equal(q.body.system[1].cache_control, undefined);
    assert.equal(q.body.tools[0].input_schema.type, 'object');
    assert.equal(q.body.messages[0].role, 'user');

    // The next turn: tool result back, the static prefix read from cache.
    fakes.anthropic.push({ text: '10:00 is free.' });
    const second = await llmCall(srv, t.host, { ...body, messages: [...body.messages,
      { role: 'assistant', content: 'Checking.', tool_calls: [{ id: first.json.tool_calls[0].id,
        name: 'check_availability', arguments: first.json.tool_calls[0].arguments }] },
      { role: 'tool', tool_call_id: first.json.tool_calls[0].id, content: '{"slots":["10:00"]}' }] });
    assert.equal(second.status, 200, second.text);
    assert.ok(second.json.cached_tokens > 0, JSON.stringify(second.json));
    assert.ok(second.json.input_tokens > second.json.cached_tokens);
    const last = fakes.anthropic.requests[1].body.messages.at(-1);
    assert.equal(last.role, 'user');
    assert.equal(last.content[0].type, 'tool_result');
  });

  test('anthropic: 529 overloaded and an error event mid-stream', async () => {
    fakes.anthropic.push({ status: 529 });
    let r = await llmCall(srv, t.host, { provider: 'anthropic' });
    assert.equal(r.status, 502);
    assert.match(r.json.error.message, /HTTP 529/);
    fakes.anthropic.push({ text: ['Hel', 'lo'], error_event_after: 4 });
    r = await streamCall(srv, t.host, { provider: 'anthropic' });
    assert.equal(r.text, 'Hel');
    assert.match(r.error.message, /overloaded_error/);
  });
});

describe('no provider configured', () => {
  test('LLM_PROVIDER=offline (the default) answers without any network call', async () => {
    const fakes = await startFakes();
    const srv = await startServer({ ENABLE_TEST_ROUTES: 'true', REDIS_URL: '',
      OPENAI_BASE_URL: fakes.openai.url, ANTHROPIC_BASE_URL: fakes.anthropic.url });
    try {
      const t = createTenant({ name: 'Offline Salon' });
      const r = await llmCall(srv, t.host, { messages: [{ role: 'user', content: 'Hi there' }] });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.provider, 'offline');
      assert.equal(fakes.openai.requests.length + fakes.anthropic.requests.length, 0);
    } finally {
      await srv.kill();
      await fakes.close();
    }
  });
});

describe('circuit breaker', () => {
  let fakes;
  let srv;
  let t;

  before(async () => {
    fakes = await startFakes();
    srv = await startServer(llmEnv(fakes, { LLM_BREAKER_FAILURES: '2', LLM_BREAKER_COOLDOWN_S: '1' }));
    t = createTenant({ name: 'Breaker Barbers' });
  });
  after(async () => { await srv?.kill(); await fakes?.close(); });

  test('opens after N failures, skips the provider at once, probes after the cooldown', async () => {
    fakes.openai.push({ status: 503 }, { status: 503 });
    for (let i = 0; i < 2; i++) {
      const r = await llmCall(srv, t.host, {});
      assert.equal(r.json.provider, 'anthropic');
    }
    assert.equal(fakes.openai.requests.length, 2);
    // Open: the primary is not even called.
    for (let i = 0; i < 3; i++) {
      const r = await llmCall(srv, t.host, {});
      assert.equal(r.status, 200);
      assert.equal(r.json.provider, 'anthropic');
    }
    assert.equal(fakes.openai.requests.length, 2);
    await waitFor(() => srv.stderr().includes('llm circuit opened'), { what: 'the open log line' });
    // After the cooldown one probe goes through; it succeeds and closes it.
    await sleep(1100);
    fakes.openai.push({ text: 'Back again.' });
    const probe = await llmCall(srv, t.host, {});
    assert.equal(probe.json.provider, 'openai');
    assert.equal(probe.json.text, 'Back again.');
    const next = await llmCall(srv, t.host, {});
    assert.equal(next.json.provider, 'openai');
    assert.equal(fakes.openai.requests.length, 4);
  });
});
