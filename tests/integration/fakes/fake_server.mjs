// fake_server.mjs — the HTTP plumbing the provider fakes share: a server
// on a free loopback port, a log of every request (method, path, query,
// headers, parsed body), and scriptable failures matched by method and
// path: a status with an optional Retry-After, a delay (to trip the
// client's timeout), or a dropped connection.
import http from 'node:http';

export class FakeServer {
  constructor(name, handler) {
    this.name = name;
    this.handler = handler;
    this.requests = [];
    this.failures = [];
    this.server = http.createServer((req, res) => this.#dispatch(req, res));
    this.server.keepAliveTimeout = 1000;
  }

  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = this.server.address().port;
    this.url = `http://127.0.0.1:${this.port}`;
    return this;
  }

  async stop() {
    this.server.closeAllConnections?.();
    await new Promise((resolve) => this.server.close(resolve));
  }

  // Fails the next `times` requests matching method and path (a RegExp or
  // a string prefix) with {status, retryAfter, body}, or {delayMs}, or
  // {drop: true}.
  fail({ method, path, times = 1, ...how }) {
    this.failures.push({ method, path, times, how });
  }

  clearFailures() { this.failures = []; }

  // Requests seen so far that match method and path.
  seen(method, path) {
    return this.requests.filter((r) => (!method || r.method === method) && match(path, r.path));
  }

  #takeFailure(method, path) {
    const f = this.failures.find((x) => x.times > 0 && (!x.method || x.method === method)
      && match(x.path, path));
    if (!f) return null;
    f.times -= 1;
    return f.how;
  }

  async #dispatch(req, res) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks).toString('utf8');
    const u = new URL(req.url, 'http://fake');
    let body;
    const ct = String(req.headers['content-type'] ?? '');
    if (raw && ct.startsWith('application/json')) {
      try { body = JSON.parse(raw); } catch { body = undefined; }
    } else if (raw && ct.startsWith('application/x-www-form-urlencoded')) {
      body = Object.fromEntries(new URLSearchParams(raw));
    }
    const entry = {
      at: Date.now(), method: req.method, path: u.pathname,
      query: Object.fromEntries(u.searchParams), headers: req.headers, raw, body,
    };
    this.requests.push(entry);
    const reply = (status, obj, headers = {}) => {
      const text = obj === undefined ? '' : JSON.stringify(obj);
      res.writeHead(status, { ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}),
        ...headers });
      res.end(text);
    };
    const how = this.#takeFailure(req.method, u.pathname);
    if (how) {
      entry.failed = how;
      if (how.drop) { req.socket.destroy(); return; }
      if (how.delayMs) await new Promise((r) => setTimeout(r, how.delayMs));
      if (how.status) {
        reply(how.status, how.body ?? { error: { code: how.status, message: 'scripted failure' } },
          how.retryAfter !== undefined ? { 'retry-after': String(how.retryAfter) } : {});
        return;
      }
      // A delay alone still runs the handler, even when the client gave
      // up meanwhile: the provider did the work, we never heard.
    }
    try {
      await this.handler(entry, reply, req, res);
    } catch (e) {
      reply(500, { error: { code: 500, message: String(e?.message ?? e) } });
    }
  }
}

function match(pattern, path) {
  if (!pattern) return true;
  if (pattern instanceof RegExp) return pattern.test(path);
  return path.startsWith(pattern);
}

export function bearer(entry) {
  const h = String(entry.headers.authorization ?? '');
  return h.startsWith('Bearer ') ? h.slice(7) : null;
}
