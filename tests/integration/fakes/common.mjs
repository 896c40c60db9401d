// common.mjs — the machinery both fake model servers share: an HTTP server
// that records every request and answers each one with the next scripted
// reply, written as real SSE framing with whatever misbehaviour the script
// asks for (a slow first byte, a stall or a dropped connection mid-stream,
// events cut into tiny pieces, CRLF line ends, an HTTP error with
// Retry-After). The provider modules (openai.mjs, anthropic.mjs) turn a
// script into their own wire format.
//
// A script (one reply):
//   { text: 'Hello' | ['Hel', 'lo'],        text deltas (a string is cut in ~4 pieces)
//     tool_calls: [{ id?, name, arguments: string | object, split?: n }],
//                                            arguments sent as n fragments (default 3)
//     usage: { input, output, cached },      overrides the computed usage
//     status: 500, headers: { 'retry-after': '3' }, error: { type, message },
//                                            an HTTP error instead of a stream
//     first_byte_delay_ms,                   before the status line
//     chunk_delay_ms,                        between events
//     stream_ms,                             spread the events over this long
//     hang_after_events: k,                  send k events, then nothing, forever
//     drop_after_events: k,                  send k events, then reset the connection
//     error_event_after: k,                  send k events, then the provider's error event
//     byte_split: true,                      write every event 1–7 bytes at a time
//     crlf: true,                            CRLF line ends
//     raw: '…' }                             this body verbatim (status 200, SSE type)
import http from 'node:http';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Wall-clock milliseconds with sub-millisecond resolution, comparable
// between processes on one machine.
export const wallMs = () => performance.timeOrigin + performance.now();

// A time as letters (0-9 → a-j): stamps travel inside reply text, where a
// run of digits would look like a phone number to the engine's leak guard.
export const stampText = (ms) => ms.toFixed(3).replace(/[0-9]/g, (d) => String.fromCharCode(97 + Number(d)));
export const stampValue = (s) => Number(s.replace(/[a-j]/g, (c) => String(c.charCodeAt(0) - 97)));

// '{"a":1}' → ['{"a', '":1', '}'] (n pieces, split anywhere, even mid-token,
// but between characters: providers send each piece as a valid JSON string,
// so a piece never ends inside a character; the byte_split option cuts the
// bytes on the wire).
export function fragments(s, n = 3) {
  const chars = Array.from(s);
  if (n <= 1 || chars.length < 2) return [s];
  const size = Math.max(1, Math.ceil(chars.length / n));
  const out = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

export function textPieces(text) {
  if (text === undefined || text === null) return [];
  if (Array.isArray(text)) return text;
  return fragments(text, Math.min(4, Math.max(1, Math.ceil(text.length / 8))));
}

export function argsText(a) {
  return typeof a === 'string' ? a : JSON.stringify(a ?? {});
}

// A rough token count, stable for a given text (what the fakes report).
export const tokens = (s) => Math.max(1, Math.ceil(String(s ?? '').length / 4));

function frame(ev, crlf) {
  const nl = crlf ? '\r\n' : '\n';
  let s = '';
  if (ev.event) s += `event: ${ev.event}${nl}`;
  if (ev.comment) s += `: ${ev.comment}${nl}`;
  if (ev.data !== undefined) {
    for (const line of String(ev.data).split('\n')) s += `data: ${line}${nl}`;
  }
  return s + nl;
}

// provider: { name, check(req, body) → null | {status, body}, events(script, body, ctx) → [ev],
//             errorBody(script) → object, errorEvent(script) → ev }
export async function startFake(provider, { port = 0, host = '127.0.0.1', fallback } = {}) {
  const queue = [];
  const requests = [];
  const sockets = new Set();
  const state = { seen: new Set() };
  let defaultScript = fallback ?? { text: `Hello from the fake ${provider.name}.` };

  const server = http.createServer(async (req, res) => {
    const recv = wallMs();
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body;
    try { body = JSON.parse(raw); } catch { body = undefined; }
    const record = { method: req.method, path: req.url, headers: req.headers, body, raw, at: Date.now() };
    requests.push(record);
    // When the client hung up before the reply was over (cancellation).
    res.on('close', () => { record.closedAt = Date.now(); record.complete = res.writableFinished; });

    const refused = provider.check(req, body);
    if (refused) {
      res.writeHead(refused.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(refused.body));
      return;
    }
    const script = typeof queue[0] === 'function' ? queue.shift()(record) : (queue.shift() ?? defaultScript);
    record.script = script;
    if (script.first_byte_delay_ms) await sleep(script.first_byte_delay_ms);
    if (res.destroyed) return;

    if (script.status && script.status !== 200) {
      res.writeHead(script.status, { 'content-type': 'application/json', ...(script.headers ?? {}) });
      res.end(JSON.stringify(provider.errorBody(script)));
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      ...(script.headers ?? {}),
    });
    res.flushHeaders();
    if (script.raw !== undefined) {
      res.end(script.raw);
      return;
    }
    const events = provider.events(script, body, state);
    const delay = script.chunk_delay_ms
      ?? (script.stream_ms ? script.stream_ms / Math.max(1, events.length) : 0);
    let sent = 0;
    for (const ev of events) {
      if (script.hang_after_events !== undefined && sent === script.hang_after_events) return; // never ends
      if (script.drop_after_events !== undefined && sent === script.drop_after_events) {
        res.socket?.destroy();
        return;
      }
      if (script.error_event_after !== undefined && sent === script.error_event_after) {
        res.end(frame(provider.errorEvent(script), script.crlf));
        return;
      }
      let text = frame(ev, script.crlf);
      // Benchmark stamps: when the request arrived, when this event left.
      if (script.stamp) {
        text = text.replace(/__RECV__/g, stampText(recv)).replace(/__NOW__/g, () => stampText(wallMs()));
      }
      if (script.byte_split) {
        // Bytes, not characters: pieces end inside UTF-8 sequences too.
        const bytes = Buffer.from(text, 'utf8');
        for (let i = 0, k = 1; i < bytes.length; i += k, k = (k % 7) + 1) {
          res.write(bytes.subarray(i, i + k));
          await sleep(0);
        }
      } else {
        res.write(text);
      }
      sent++;
      if (delay) await sleep(delay);
      if (res.destroyed) return;
    }
    res.end();
  });
  server.keepAliveTimeout = 30000;
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve) => server.listen(port, host, resolve));
  const addr = server.address();
  return {
    name: provider.name,
    port: addr.port,
    url: `http://${host}:${addr.port}`,
    requests,
    // Replies for the next requests, in order (objects, or functions of the request).
    push: (...scripts) => { queue.push(...scripts); },
    setDefault: (s) => { defaultScript = s; },
    pending: () => queue.length,
    reset: () => { queue.length = 0; requests.length = 0; state.seen.clear(); },
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

// `node openai.mjs --port 0 --text "…" --stream-ms 2000 --chunks 20` for the
// benchmark: prints "listening PORT" and serves the same reply forever.
export async function cli(start) {
  const args = process.argv.slice(2);
  const opt = (k, d) => { const i = args.indexOf(`--${k}`); return i >= 0 ? args[i + 1] : d; };
  const text = opt('text', 'Thanks for your message! We are open Monday to Friday, 9am to 5pm.');
  const chunks = Number(opt('chunks', '8'));
  let pieces = fragments(text, chunks);
  const stamp = args.includes('--stamp');
  // --stamp: the first piece says when the request arrived and when it
  // left, the last when the reply ended (for latency added by the server).
  if (stamp) pieces = [`[r=__RECV__ s=__NOW__] `, ...pieces, ` [e=__NOW__]`];
  const script = { text: pieces, stream_ms: Number(opt('stream-ms', '0')), stamp };
  const fake = await start({ port: Number(opt('port', '0')), fallback: script, open: true });
  process.stdout.write(`listening ${fake.port}\n`);
  process.on('SIGTERM', async () => { await fake.close(); process.exit(0); });
}
