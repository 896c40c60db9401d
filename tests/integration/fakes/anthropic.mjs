// anthropic.mjs — a fake Anthropic Messages API server. It checks requests
// the way the API does (x-api-key, anthropic-version, max_tokens, roles that
// alternate starting with user, tool_result blocks answering the previous
// turn's tool_use ids, input_schema on tools) and streams the real event
// sequence (https://docs.anthropic.com/en/docs/build-with-claude/streaming):
//   message_start (usage with cache_creation_input_tokens / cache_read_input_tokens),
//   ping, content_block_start / content_block_delta (text_delta,
//   input_json_delta partial_json) / content_block_stop, message_delta
//   (stop_reason, usage.output_tokens), message_stop; error events.
// Prompt caching is simulated: a system block marked cache_control
// {type: "ephemeral"} is "written" the first time its prefix is seen and
// "read" after that, as the API reports it.
import { argsText, cli, fragments, startFake, textPieces, tokens } from './common.mjs';

export const ANTHROPIC_TEST_KEY = 'sk-ant-test-fake-key-0123456789';

function err(status, type, message) {
  return { status, body: { type: 'error', error: { type, message } } };
}

// keys: the API keys accepted (a Set the test may add to), or null for any.
function check(keys) {
  return (req, body) => {
    if (req.method !== 'POST' || req.url.split('?')[0] !== '/v1/messages')
      return err(404, 'not_found_error', `Not found: ${req.url}`);
    if (keys !== null && !keys.has(req.headers['x-api-key']))
      return err(401, 'authentication_error', 'invalid x-api-key');
    if (!req.headers['anthropic-version'])
      return err(400, 'invalid_request_error', 'anthropic-version: header is required');
    if (!body || typeof body.model !== 'string')
      return err(400, 'invalid_request_error', 'model: Field required');
    if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1)
      return err(400, 'invalid_request_error', 'max_tokens: Field required');
    if (!Array.isArray(body.messages) || body.messages.length === 0)
      return err(400, 'invalid_request_error', 'messages: at least one message is required');
    if (body.system !== undefined && !(typeof body.system === 'string' || Array.isArray(body.system)))
      return err(400, 'invalid_request_error', 'system: Input should be a valid list');
    let prevToolUse = new Set();
    for (const [i, m] of body.messages.entries()) {
      if (i === 0 && m.role !== 'user')
        return err(400, 'invalid_request_error', 'messages: first message must use the "user" role');
      if (i > 0 && m.role === body.messages[i - 1].role)
        return err(400, 'invalid_request_error', 'messages: roles must alternate between "user" and "assistant"');
      const blocks = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
      if (!Array.isArray(blocks) || blocks.length === 0)
        return err(400, 'invalid_request_error', `messages.${i}: content must be non-empty`);
      const uses = new Set();
      for (const b of blocks) {
        if (b.type === 'text' && !b.text)
          return err(400, 'invalid_request_error', 'messages: text content blocks must be non-empty');
        if (b.type === 'tool_use') {
          if (typeof b.input !== 'object' || Array.isArray(b.input) || b.input === null)
            return err(400, 'invalid_request_error', `messages.${i}: tool_use.input: Input should be a valid dictionary`);
          uses.add(b.id);
        }
        if (b.type === 'tool_result' && !prevToolUse.has(b.tool_use_id))
          return err(400, 'invalid_request_error', `messages.${i}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${b.tool_use_id}`);
      }
      prevToolUse = m.role === 'assistant' ? uses : new Set();
    }
    for (const t of body.tools ?? []) {
      if (!t.name || typeof t.input_schema !== 'object')
        return err(400, 'invalid_request_error', 'tools: input_schema: Field required');
    }
    return null;
  };
}

function events(script, body, state) {
  const model = script.model ?? body?.model ?? 'claude-fake';
  const id = `msg_fake${Math.random().toString(36).slice(2, 10)}`;
  const ev = (type, obj) => ({ event: type, data: JSON.stringify({ type, ...obj }) });

  // Prompt caching: the prefix up to the marked block is written once, then read.
  let cacheWrite = 0;
  let cacheRead = 0;
  const system = Array.isArray(body?.system) ? body.system : [];
  const marked = system.findIndex((b) => b.cache_control?.type === 'ephemeral');
  if (marked >= 0) {
    const prefix = JSON.stringify(body.tools ?? []) + JSON.stringify(system.slice(0, marked + 1));
    if (state.seen.has(prefix)) cacheRead = tokens(prefix);
    else { state.seen.add(prefix); cacheWrite = tokens(prefix); }
  }
  const all = tokens(JSON.stringify(body?.messages ?? []) + JSON.stringify(body?.tools ?? [])
    + JSON.stringify(system));
  const input = script.usage?.input ?? Math.max(1, all - cacheRead - cacheWrite);
  if (script.usage?.cached !== undefined) cacheRead = script.usage.cached;

  const out = [ev('message_start', { message: { id, type: 'message', role: 'assistant', content: [],
    model, stop_reason: null, stop_sequence: null,
    usage: { input_tokens: input, cache_creation_input_tokens: cacheWrite,
      cache_read_input_tokens: cacheRead, output_tokens: 1 } } })];
  out.push(ev('ping', {}));
  let index = 0;
  let outText = '';
  const pieces = textPieces(script.text);
  if (pieces.length) {
    out.push(ev('content_block_start', { index, content_block: { type: 'text', text: '' } }));
    for (const p of pieces) {
      out.push(ev('content_block_delta', { index, delta: { type: 'text_delta', text: p } }));
      outText += p;
    }
    out.push(ev('content_block_stop', { index }));
    index++;
  }
  for (const c of script.tool_calls ?? []) {
    const callId = c.id ?? `toolu_${Math.random().toString(36).slice(2, 14)}`;
    out.push(ev('content_block_start', { index, content_block: { type: 'tool_use', id: callId,
      name: c.name, input: {} } }));
    out.push(ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: '' } }));
    for (const f of fragments(argsText(c.arguments), c.split ?? 3)) {
      out.push(ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: f } }));
      outText += f;
    }
    out.push(ev('content_block_stop', { index }));
    index++;
  }
  out.push(ev('message_delta', { delta: { stop_reason: script.stop_reason
    ?? ((script.tool_calls ?? []).length ? 'tool_use' : 'end_turn'), stop_sequence: null },
  usage: { output_tokens: script.usage?.output ?? tokens(outText) } }));
  out.push(ev('message_stop', {}));
  return out;
}

const errorType = (status) => ({ 400: 'invalid_request_error', 401: 'authentication_error',
  403: 'permission_error', 404: 'not_found_error', 429: 'rate_limit_error',
  529: 'overloaded_error' })[status] ?? 'api_error';

export function startAnthropicFake({ port = 0, key = ANTHROPIC_TEST_KEY, fallback, open = false } = {}) {
  const keys = open ? null : new Set([key]);
  return startFake({
    name: 'anthropic',
    check: check(keys),
    events,
    errorBody: (s) => ({ type: 'error', error: { type: s.error?.type ?? errorType(s.status),
      message: s.error?.message ?? (s.status === 429 ? 'Number of requests has exceeded your rate limit'
        : 'Internal server error') } }),
    errorEvent: (s) => ({ event: 'error', data: JSON.stringify({ type: 'error',
      error: { type: s.error?.type ?? 'overloaded_error', message: s.error?.message ?? 'Overloaded' } }) }),
  }, { port, fallback }).then((f) => Object.assign(f, { keys }));
}

if (import.meta.url === `file://${process.argv[1]}`) cli(startAnthropicFake);
