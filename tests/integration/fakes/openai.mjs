// openai.mjs — a fake OpenAI-compatible Chat Completions server for the
// integration suite and the benchmark. It checks requests the way the API
// does (bearer key, model, messages, tool results answering earlier tool
// calls) and streams replies in the real chunk format
// (https://platform.openai.com/docs/api-reference/chat/streaming):
//   data: {"id","object":"chat.completion.chunk","created","model",
//          "choices":[{"index":0,"delta":{…},"finish_reason":null}]}
//   …tool calls: delta.tool_calls[{index,id,type:"function",function:{name,arguments}}],
//    arguments as fragments to concatenate…
//   data: {"choices":[],"usage":{…}}   (with stream_options.include_usage)
//   data: [DONE]
// Scripts: see common.mjs.
import { argsText, cli, fragments, startFake, textPieces, tokens } from './common.mjs';

export const OPENAI_TEST_KEY = 'sk-test-fake-openai-key-0123456789';

function err(status, message, type = 'invalid_request_error', code = null) {
  return { status, body: { error: { message, type, param: null, code } } };
}

// keys: the API keys accepted (a Set the test may add to), or null for any.
function check(keys) {
  return (req, body) => {
    if (req.method !== 'POST' || !/\/chat\/completions$/.test(req.url.split('?')[0]))
      return err(404, `Unknown request URL: ${req.method} ${req.url}`, 'invalid_request_error', 'unknown_url');
    if (keys !== null && !keys.has(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]))
      return err(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    if (!body || typeof body.model !== 'string' || !body.model)
      return err(400, 'you must provide a model parameter');
    if (!Array.isArray(body.messages) || body.messages.length === 0)
      return err(400, "Invalid 'messages': empty array.");
    // Every tool message must answer a call of an earlier assistant message.
    const ids = new Set();
    for (const [i, m] of body.messages.entries()) {
      if (!['system', 'user', 'assistant', 'tool'].includes(m.role))
        return err(400, `Invalid value for 'messages[${i}].role'.`);
      for (const c of m.tool_calls ?? []) {
        if (c.type !== 'function' || typeof c.function?.arguments !== 'string')
          return err(400, `Invalid 'messages[${i}].tool_calls'.`);
        ids.add(c.id);
      }
      if (m.role === 'tool' && !ids.has(m.tool_call_id))
        return err(400, `Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.`);
    }
    for (const t of body.tools ?? []) {
      if (t.type !== 'function' || !t.function?.name || typeof t.function.parameters !== 'object')
        return err(400, "Invalid 'tools': each tool needs type 'function' and function.parameters.");
    }
    return null;
  };
}

function events(script, body) {
  const id = `chatcmpl-fake${Math.random().toString(36).slice(2, 10)}`;
  const created = Math.floor(Date.now() / 1000);
  const model = script.model ?? body?.model ?? 'gpt-fake';
  const chunk = (delta, finish = null) => ({
    data: JSON.stringify({ id, object: 'chat.completion.chunk', created, model,
      choices: [{ index: 0, delta, finish_reason: finish }] }),
  });
  const out = [chunk({ role: 'assistant', content: '' })];
  let outText = '';
  for (const piece of textPieces(script.text)) {
    out.push(chunk({ content: piece }));
    outText += piece;
  }
  const calls = script.tool_calls ?? [];
  calls.forEach((c, index) => {
    const callId = c.id ?? `call_${Math.random().toString(36).slice(2, 12)}`;
    out.push(chunk({ tool_calls: [{ index, id: callId, type: 'function',
      function: { name: c.name, arguments: '' } }] }));
    for (const f of fragments(argsText(c.arguments), c.split ?? 3)) {
      out.push(chunk({ tool_calls: [{ index, function: { arguments: f } }] }));
      outText += f;
    }
  });
  out.push(chunk({}, script.finish_reason ?? (calls.length ? 'tool_calls' : 'stop')));
  if (body?.stream_options?.include_usage) {
    const prompt = script.usage?.input ?? tokens(JSON.stringify(body.messages) + JSON.stringify(body.tools ?? []));
    out.push({ data: JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [],
      usage: { prompt_tokens: prompt, completion_tokens: script.usage?.output ?? tokens(outText),
        total_tokens: prompt + (script.usage?.output ?? tokens(outText)),
        prompt_tokens_details: { cached_tokens: script.usage?.cached ?? 0 } } }) });
  }
  out.push({ data: '[DONE]' });
  return out;
}

export function startOpenAIFake({ port = 0, key = OPENAI_TEST_KEY, fallback, open = false } = {}) {
  const keys = open ? null : new Set([key]);
  return startFake({
    name: 'openai',
    check: check(keys),
    events,
    errorBody: (s) => ({ error: { message: s.error?.message ?? (s.status === 429
      ? 'Rate limit reached for requests' : 'The server had an error while processing your request.'),
    type: s.error?.type ?? (s.status === 429 ? 'requests' : 'server_error'), param: null, code: null } }),
    errorEvent: (s) => ({ data: JSON.stringify({ error: { message: s.error?.message
      ?? 'The server had an error while processing your request.', type: 'server_error' } }) }),
  }, { port, fallback }).then((f) => Object.assign(f, { keys }));
}

if (import.meta.url === `file://${process.argv[1]}`) cli(startOpenAIFake);
