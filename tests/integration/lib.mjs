// lib.mjs — helpers for the integration suite: start and stop real
// `receptionist` processes, talk to them over HTTP (with any Host header),
// run SQL as the owner or the superuser, create throw-away tenants, and
// stop/start the test cluster.
//
// Environment (set by scripts/test): RECEPTIONIST_BIN, DATABASE_URL,
// DATABASE_OWNER_URL, DATABASE_ADMIN_URL, PG_CTL_DIR, PG_CTL_PORT, PG_CTL_DB,
// and TEST_LOG_DIR: when set, everything each spawned process writes to
// stderr (its log lines) is also kept in a file there, for the log scan
// that runs after the suite (tests/integration/log_scan.mjs).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`integration tests need ${name} in the environment (see scripts/test)`);
  return v;
}

export const BIN = need('RECEPTIONIST_BIN');
export const DATABASE_URL = need('DATABASE_URL');
export const OWNER_URL = need('DATABASE_OWNER_URL');
export const ADMIN_URL = need('DATABASE_ADMIN_URL');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* ---- processes ------------------------------------------------------ */

const live = new Set();
const started = [];
const usedPorts = new Set();

// A port nobody listens on now and that this run has not handed out yet,
// so two servers of one test never collide.
export async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const s = net.createServer();
      s.unref();
      s.on('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = s.address().port;
        s.close(() => resolve(p));
      });
    });
    if (!usedPorts.has(port)) {
      usedPorts.add(port);
      return port;
    }
  }
}

// Environment every child gets: no .env file from the checkout, info logs
// (the access log is asserted on), the platform domain of the suite.
function childEnv(extra) {
  return {
    ...process.env,
    ENV_FILE: '/dev/null',
    LOG_LEVEL: 'info',
    PLATFORM_DOMAIN: 'localhost',
    HOST: '127.0.0.1',
    ...extra,
  };
}

const SANITIZER_RE = /AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:/;

// Text in stderr that means memory or UB trouble.
export function sanitizerReport(stderr) {
  const m = SANITIZER_RE.exec(stderr);
  return m ? stderr.slice(Math.max(0, m.index - 200), m.index + 2000) : null;
}

// Spawns `receptionist <cmd>` and tracks it. Returns a handle with
// stderr(), exited (promise of {code, signal, stderr}), stop(sig) and kill().
export function spawnProcess(cmd, env = {}, args = []) {
  const proc = spawn(BIN, [cmd, ...args], {
    cwd: REPO_ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  proc.stderr.setEncoding('utf8');
  proc.stdout.setEncoding('utf8');
  proc.stderr.on('data', (d) => { err += d; });
  const logDir = process.env.TEST_LOG_DIR;
  if (logDir) {
    fs.mkdirSync(logDir, { recursive: true });
    const file = path.join(logDir,
      `${path.basename(process.argv[1] ?? 'node', '.mjs')}-${cmd}-${proc.pid}.log`);
    const sink = fs.createWriteStream(file, { flags: 'a' });
    proc.stderr.on('data', (d) => sink.write(d));
    proc.stderr.on('end', () => sink.end());
  }
  proc.stdout.on('data', (d) => { out += d; });
  const handle = {
    proc,
    pid: proc.pid,
    exitCode: undefined,
    stderr: () => err,
    stdout: () => out,
    running: () => handle.exitCode === undefined,
    // Log lines (JSON objects) written so far.
    logs: () => err.split('\n').filter((l) => l.startsWith('{')).map((l) => {
      try { return JSON.parse(l); } catch { return null; }
    }).filter(Boolean),
  };
  handle.exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      handle.exitCode = code;
      handle.exitSignal = signal;
      // Let the pipes drain before reporting.
      setImmediate(() => {
        live.delete(handle);
        resolve({ code, signal, stderr: err, stdout: out });
      });
    });
  });
  handle.stop = async (signal = 'SIGTERM', timeoutMs = 30000) => {
    if (handle.running()) proc.kill(signal);
    let timer;
    const res = await Promise.race([
      handle.exited,
      new Promise((resolve) => { timer = setTimeout(() => resolve(null), timeoutMs); }),
    ]);
    clearTimeout(timer);
    if (res === null) {
      proc.kill('SIGKILL');
      const r = await handle.exited;
      return { ...r, timedOut: true };
    }
    return res;
  };
  handle.kill = () => handle.stop('SIGKILL');
  live.add(handle);
  started.push(handle);
  return handle;
}

// Kills every process this module started that is still running, then
// fails if any of them (running or not) printed a sanitizer report. For
// after() hooks, so a failed test never leaves a server behind and memory
// errors never go unnoticed.
export async function killAll() {
  await Promise.all([...live].map((h) => h.kill()));
  const reports = started.map((h) => [h, sanitizerReport(h.stderr())]).filter(([, r]) => r);
  started.length = 0;
  if (reports.length) {
    throw new Error(`sanitizer report from ${reports.length} process(es):\n${
      reports.map(([h, r]) => `--- pid ${h.pid}:\n${r}`).join('\n')}`);
  }
}

process.on('exit', () => {
  for (const h of live) {
    try { h.proc.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

// Starts `receptionist serve` on a fresh port and waits for /healthz.
export async function startServer(env = {}, { timeoutMs = 15000 } = {}) {
  const port = await freePort();
  const h = spawnProcess('serve', { PORT: String(port), ...env });
  h.port = port;
  h.request = (opts) => request({ port, ...opts });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!h.running()) {
      const r = await h.exited;
      throw new Error(`serve exited (code ${r.code}, signal ${r.signal}) before it was healthy:\n${r.stderr}`);
    }
    try {
      const r = await request({ port, path: '/healthz', timeoutMs: 1000 });
      if (r.status === 200) return h;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await h.kill();
      throw new Error(`serve not healthy after ${timeoutMs} ms:\n${h.stderr()}`);
    }
    await sleep(50);
  }
}

// Starts `receptionist worker` and waits for its "worker started" line.
export async function startWorker(env = {}, { timeoutMs = 15000 } = {}) {
  const h = spawnProcess('worker', env);
  await waitFor(() => {
    if (!h.running()) throw new Error(`worker exited early:\n${h.stderr()}`);
    return h.logs().find((l) => l.msg === 'worker started');
  }, { timeoutMs, what: 'worker started' });
  h.workerId = h.logs().find((l) => l.msg === 'worker started').worker_id;
  return h;
}

/* ---- HTTP ----------------------------------------------------------- */

// One request on its own connection. host sets the Host header (default
// localhost:PORT). body: string, Buffer or object (sent as JSON with
// content-type application/json unless headers say otherwise).
export function request({ port, method = 'GET', path: p = '/', host, headers = {}, body,
  timeoutMs = 15000 }) {
  return new Promise((resolve, reject) => {
    const hdrs = { ...headers };
    let payload;
    if (body !== undefined) {
      if (Buffer.isBuffer(body) || typeof body === 'string') {
        payload = body;
      } else {
        payload = JSON.stringify(body);
        if (!Object.keys(hdrs).some((k) => k.toLowerCase() === 'content-type'))
          hdrs['content-type'] = 'application/json';
      }
      hdrs['content-length'] = String(Buffer.byteLength(payload));
    }
    hdrs.Host = host ?? `localhost:${port}`;
    const req = http.request({
      host: '127.0.0.1', port, method, path: p, headers: hdrs, setHost: false, agent: false,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`request ${method} ${p} timed out`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

// Writes raw bytes on a fresh socket and collects everything until the
// server closes it (or timeoutMs passes). Returns {data, closed}.
export function rawRequest(port, bytes, { timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const chunks = [];
    let done = false;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ data: Buffer.concat(chunks).toString('latin1'), closed });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    s.on('connect', () => s.write(bytes));
    s.on('data', (d) => chunks.push(d));
    s.on('end', () => finish(true));
    s.on('close', () => finish(true));
    s.on('error', (e) => {
      // The server may reset while we are still writing: that is a close.
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') finish(true);
      else if (!done) { done = true; clearTimeout(timer); reject(e); }
    });
  });
}

// Sends head, then a body of totalBytes in 64 KiB pieces (HTTP/1.1 chunks
// when chunked), stopping as soon as the server answers; returns what the
// server sent before closing. For oversized uploads, which the server
// refuses mid-way (a client that waits to finish writing sees a reset).
export async function rawUpload(port, head, totalBytes, { chunked = false, timeoutMs = 10000 } = {}) {
  const s = net.connect(port, '127.0.0.1');
  let data = '';
  s.on('data', (d) => { data += d.toString('latin1'); });
  s.on('error', () => { /* a reset after the answer is expected */ });
  const closed = new Promise((r) => s.on('close', r));
  await new Promise((r, j) => { s.once('connect', r); s.once('error', j); });
  s.write(head);
  // An interim "100 Continue" is an invitation to send, not the answer.
  const answered = () => data.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '') !== '';
  const piece = Buffer.alloc(64 * 1024, 'a');
  for (let sent = 0; sent < totalBytes && !s.destroyed && !answered(); sent += piece.length) {
    if (chunked) s.write(`${piece.length.toString(16)}\r\n`);
    const ok = s.write(piece);
    if (chunked) s.write('\r\n');
    if (!ok) await Promise.race([new Promise((r) => s.once('drain', r)), closed]);
  }
  if (chunked && !s.destroyed && !answered()) s.write('0\r\n\r\n');
  let timer;
  await Promise.race([closed, new Promise((r) => { timer = setTimeout(r, timeoutMs); })]);
  clearTimeout(timer);
  s.destroy();
  data = data.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
  const i = data.indexOf('\r\n\r\n');
  const headText = i >= 0 ? data.slice(0, i) : data;
  const body = i >= 0 ? data.slice(i + 4) : '';
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(headText)?.[1] ?? 0);
  const headers = {};
  for (const line of headText.split('\r\n').slice(1)) {
    const c = line.indexOf(':');
    if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
  }
  let json;
  try { json = JSON.parse(body); } catch { json = undefined; }
  return { status, headers, text: body, json, raw: data };
}

// Resolves true when a TCP connection to port is refused.
export function connectionRefused(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => { s.destroy(); resolve(false); });
    s.on('error', (e) => resolve(e.code === 'ECONNREFUSED'));
  });
}

// Asserts the one error shape: {"error":{code,message,request_id,details}}
// and the x-request-id header matching request_id.
export function assertErrorBody(assert, res, status, code) {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
  assert.ok(res.json && typeof res.json.error === 'object', `error body expected: ${res.text}`);
  const e = res.json.error;
  if (code) assert.equal(e.code, code, res.text);
  assert.equal(typeof e.message, 'string');
  assert.ok(e.message.length > 0);
  assert.equal(typeof e.request_id, 'string');
  assert.ok(Array.isArray(e.details), 'details must be an array');
  for (const d of e.details) {
    assert.equal(typeof d.field, 'string');
    assert.equal(typeof d.issue, 'string');
  }
  assert.match(String(res.headers['content-type']), /^application\/json/);
  assert.equal(res.headers['x-request-id'], e.request_id);
  return e;
}

/* ---- database and CLI ------------------------------------------------ */

// Runs SQL through psql; returns the unaligned, tuples-only output.
export function sql(url, query) {
  return execFileSync('psql', [url, '-X', '-v', 'ON_ERROR_STOP=1', '-Atqc', query], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}
export const ownerSql = (q) => sql(OWNER_URL, q);
export const adminSql = (q) => sql(ADMIN_URL, q);

// SQL string literal.
export const lit = (s) => `'${String(s).replace(/'/g, "''")}'`;

// Runs the CLI (as the owner role); throws on a non-zero exit.
export function cli(...args) {
  // Its log lines go to TEST_LOG_DIR too (a failure's text is in the
  // thrown error either way).
  const logDir = process.env.TEST_LOG_DIR;
  let fd = 'pipe';
  if (logDir) {
    fs.mkdirSync(logDir, { recursive: true });
    fd = fs.openSync(path.join(logDir,
      `${path.basename(process.argv[1] ?? 'node', '.mjs')}-cli-${process.pid}.log`), 'a');
  }
  try {
    return execFileSync(BIN, args, {
      cwd: REPO_ROOT,
      env: childEnv({}),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', fd],
    });
  } finally {
    if (fd !== 'pipe') fs.closeSync(fd);
  }
}

export function randomSlug(prefix = 't') {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

// Creates a tenant with a unique slug through `receptionist tenant create`.
export function createTenant({ name, slug = randomSlug(), plan } = {}) {
  const n = name ?? `Business ${slug}`;
  const args = ['tenant', 'create', '--slug', slug, '--name', n];
  if (plan) args.push('--plan', plan);
  const out = cli(...args);
  const m = /created tenant ([0-9a-f-]{36}) \(([^)]+)\)/.exec(out);
  if (!m) throw new Error(`unexpected tenant create output: ${out}`);
  return { id: m[1], slug, name: n, host: `${slug}.localhost` };
}

/* ---- the cluster ------------------------------------------------------ */

function pgCtl() {
  return {
    dir: need('PG_CTL_DIR'), port: need('PG_CTL_PORT'), db: need('PG_CTL_DB'),
  };
}

export function dbStop() {
  const { dir } = pgCtl();
  execFileSync(path.join(REPO_ROOT, 'scripts/db'), ['stop', dir], { stdio: 'pipe', cwd: REPO_ROOT });
}

export function dbStart() {
  const { dir, port, db } = pgCtl();
  execFileSync(path.join(REPO_ROOT, 'scripts/db'), ['start', dir, port, db],
    { stdio: 'pipe', cwd: REPO_ROOT });
}

export function dbRunning() {
  try {
    execFileSync(path.join(REPO_ROOT, 'scripts/db'), ['status', pgCtl().dir], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/* ---- polling ---------------------------------------------------------- */

// Calls fn until it returns a truthy value (returned) or timeoutMs passes
// (throws, with the last value or error in the message).
export async function waitFor(fn, { timeoutMs = 5000, intervalMs = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
      if (/exited early/.test(String(e?.message))) throw e;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`);
    }
    await sleep(intervalMs);
  }
}
