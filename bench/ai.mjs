// bench/ai.mjs — what the server adds to a model's time (run by bench/ai.sh,
// or alone: BENCH_AI_BIN=build-release/receptionist DATABASE_URL=… node bench/ai.mjs).
//
// A fake OpenAI-compatible model (tests/integration/fakes/openai.mjs, its own
// process) stamps its replies: when the request reached it, when its first
// and its last text left. A second `serve` (port 18091, LLM_PROVIDER=openai
// pointed at the fake, default workers and pool, test routes on, chat rate
// limits off)
// answers turns two ways:
//   provider: POST /v1/test/llm — the tenant's provider chain alone (settings
//             read, chain, adapter, SSE parse, stream out);
//   chat:     POST /v1/chat/stream — a whole receptionist turn (the engine:
//             session, metering, history, prompt, leak filter, persistence).
// Scenarios:
//  1. instant model, c=1 and c=C: server overhead per turn = client round
//     trip − the model's own time (its last stamp − its receipt);
//  2. a model streaming for 2 s, N turns in flight at once, started together
//     and then arriving over RAMP_MS (2 s: the steady state of N concurrent
//     2 s turns); every one must complete. Two first-byte figures:
//       relay — client receipt of the first delta − the model's first send;
//       ttfb  — the client's time to first delta − the model's own, i.e.
//               everything the server adds before the first byte (the
//               turn's transactions, the prompt, the call, the relay).
//     Target: relay p99 ≤ 50 ms with arrivals spread. The burst, and the
//     ttfb while this box also runs the fake, the client and PostgreSQL,
//     are CPU-bound queues: reported, not judged.
// Prints ROW| lines for scripts/bench's table and NOTE| lines; exits 1 when a
// turn failed or a target was missed.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.BENCH_AI_BIN || path.join(ROOT, 'build-release/receptionist');
const PORT = Number(process.env.BENCH_AI_PORT || 18091);
const TURNS = Number(process.env.BENCH_AI_TURNS || 2000);
const CONC = Number(process.env.BENCH_AI_CONCURRENCY || 16);
const STREAMS = Number(process.env.BENCH_AI_STREAMS || 500);
const RAMP_MS = Number(process.env.BENCH_AI_RAMP_MS || 2000);
const STARTS = (process.env.BENCH_AI_STARTS || 'burst,ramp').split(',');
const ROUTES = (process.env.BENCH_AI_ROUTES || 'provider,chat').split(',');
const PHASES = (process.env.BENCH_AI_PHASES || 'builtin,instant,streams').split(',');
const BUILTIN_TURNS = Number(process.env.BENCH_AI_BUILTIN_TURNS || 200);
const SLUG = 'ai-bench';
const HOST = `${SLUG}.localhost`;
const LONG_TEXT = ('Thanks for asking! We are open Monday to Friday from nine to six and on '
  + 'Saturdays from ten to four. A cut takes about thirty minutes and colour about an hour. '
  + 'You can book online or right here in this chat, and you can change or cancel a booking '
  + 'up to a day before. Parking is free behind the building, and we accept cards and cash. '
  + 'Is there a day and time that would suit you? ').repeat(1);
const wallMs = () => performance.timeOrigin + performance.now();
const sleep = (n) => new Promise((r) => setTimeout(r, n));

const pct = (xs, p) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const ms = (x) => `${x.toFixed(2)} ms`;
// Stamps come as letters (tests/integration/fakes/common.mjs stampText).
const stamp = (text, k) => {
  const m = new RegExp(`${k}=([a-j.]+)`).exec(text);
  return m ? Number(m[1].replace(/[a-j]/g, (c) => String(c.charCodeAt(0) - 97))) : NaN;
};
const children = [];

function startChild(cmd, args, env) {
  const p = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d) => { out += d; });
  p.stderr.on('data', (d) => { out = (out + d).slice(-20000); });
  children.push(p);
  return { p, out: () => out };
}

async function startFake(extra) {
  const c = startChild('node', ['tests/integration/fakes/openai.mjs', '--port', '0', '--stamp', ...extra], {});
  for (let i = 0; i < 100; i++) {
    const m = /listening (\d+)/.exec(c.out());
    if (m) return { ...c, port: Number(m[1]) };
    await sleep(50);
  }
  throw new Error(`fake did not start: ${c.out()}`);
}

const status = (pid, k) => Number(new RegExp(`${k}:\\s+(\\d+) kB`)
  .exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
// CPU time of a process so far (user + system), in ms.
const cpuMs = (pid) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;	// utime, stime in clock ticks
};

function post(p, body) {
  return new Promise((resolve) => {
    const payload = JSON.stringify(body);
    const r = http.request({ host: '127.0.0.1', port: PORT, method: 'POST', path: p, agent: false,
      setHost: false, headers: { Host: HOST, 'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload) } }, (res) => {
      let b = '';
      res.on('data', (d) => { b += d; });
      res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(b || 'null') }));
    });
    r.on('error', () => resolve({ status: 0 }));
    r.end(payload);
  });
}

// One turn as SSE. route: 'provider' or 'chat' (then session is needed).
// Resolves {ok, t0, first, last, end, text}: first/last = receipt of the
// first delta and of the delta carrying the model's end stamp.
function turn(route, session) {
  return new Promise((resolve) => {
    const message = 'Hi! When are you open on Saturday?';
    const payload = JSON.stringify(route === 'chat' ? { session_id: session, message }
      : { stream: true, messages: [{ role: 'user', content: message }] });
    const t0 = wallMs();
    let first = 0;
    let last = 0;
    let text = '';
    let ok = false;
    let err;
    const r = http.request({ host: '127.0.0.1', port: PORT, method: 'POST',
      path: route === 'chat' ? '/v1/chat/stream' : '/v1/test/llm', agent: false, setHost: false,
      headers: { Host: HOST, 'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload) } }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const ev = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = ev.split('\n').find((l) => l.startsWith('data: '))?.slice(6);
          if (ev.startsWith('event: delta')) {
            const now = wallMs();
            if (!first) first = now;
            text += JSON.parse(data).text;
            if (!last && text.includes('[e=')) last = now;
          } else if (ev.startsWith('event: result')) {
            ok = JSON.parse(data).provider === 'openai';
          } else if (ev.startsWith('event: message')) {
            ok = /\[e=/.test(JSON.parse(data).text ?? '');
          } else if (ev.startsWith('event: error')) {
            err = data;
          }
        }
      });
      res.on('end', () => resolve({ ok: ok && res.statusCode === 200 && last > 0, t0, first, last,
        end: wallMs(), text, status: res.statusCode,
        why: res.statusCode !== 200 ? buf : err }));
      res.on('error', () => resolve({ ok: false }));
    });
    r.on('error', () => resolve({ ok: false }));
    r.setTimeout(60000, () => r.destroy());
    r.end(payload);
  });
}

// n calls of fn(worker, k) over conc workers (k: the worker's k-th call).
async function runPool(n, conc, fn) {
  const out = [];
  let next = 0;
  await Promise.all(Array.from({ length: conc }, async (_, w) => {
    for (let k = 0; next < n; k++) { next++; out.push(await fn(w, k)); }
  }));
  return out;
}

// A chat session per worker, renewed every 20 turns (a conversation has a
// token budget; real ones are short).
function sessionsPerWorker() {
  const cur = [];
  return async (w, k) => {
    if (cur[w] === undefined || k % 20 === 0) {
      const s = await post('/v1/chat/session', {});
      if (s.status !== 201) throw new Error(`chat session: HTTP ${s.status}`);
      cur[w] = s.json.session_id;
    }
    return cur[w];
  };
}

async function sessions(n) {
  const out = [];
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, n - i) },
      () => post('/v1/chat/session', {})));
    for (const b of batch) {
      if (b.status !== 201) throw new Error(`chat session: HTTP ${b.status}`);
      out.push(b.json.session_id);
    }
  }
  return out;
}

// The bench tenant's catalogue for the built-in receptionist: two
// services, one stylist working 9–18 every day, an FAQ. Fixed ids and
// every statement scoped to the tenant, so a rerun changes nothing and no
// other tenant is touched (the owner role bypasses row-level security).
function seedBuiltin() {
  const T = `(SELECT id FROM tenants WHERE slug = '${SLUG}')`;
  const svc = "'ab000000-0000-4000-8000-000000000001'";
  const trim = "'ab000000-0000-4000-8000-000000000002'";
  const st = "'ab000000-0000-4000-8000-0000000000a1'";
  execFileSync('psql', [process.env.DATABASE_OWNER_URL, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `
    INSERT INTO services (tenant_id, id, name, duration_minutes, price_minor, currency) VALUES
      (${T}, ${svc}, 'Haircut', 30, 2500, 'USD'), (${T}, ${trim}, 'Beard Trim', 15, 1200, 'USD')
      ON CONFLICT DO NOTHING;
    INSERT INTO staff (tenant_id, id, display_name) VALUES (${T}, ${st}, 'Alex') ON CONFLICT DO NOTHING;
    INSERT INTO staff_services (tenant_id, staff_id, service_id)
      SELECT ${T}, ${st}, x FROM unnest(ARRAY[${svc}, ${trim}]::uuid[]) x ON CONFLICT DO NOTHING;
    INSERT INTO staff_schedules (tenant_id, staff_id, weekday, starts, ends)
      SELECT ${T}, ${st}, d, '09:00', '18:00' FROM generate_series(1, 7) d
      WHERE NOT EXISTS (SELECT 1 FROM staff_schedules WHERE tenant_id = ${T} AND staff_id = ${st});
    INSERT INTO business_hours (tenant_id, weekday, opens, closes)
      SELECT ${T}, d, '09:00', '18:00' FROM generate_series(1, 7) d
      WHERE NOT EXISTS (SELECT 1 FROM business_hours WHERE tenant_id = ${T});
    INSERT INTO faqs (tenant_id, question, answer)
      SELECT ${T}, 'Do you take cards?', 'We accept all major cards and cash.'
      WHERE NOT EXISTS (SELECT 1 FROM faqs WHERE tenant_id = ${T});`], { stdio: 'pipe' });
}

async function main() {
  // A tenant on an unlimited plan for the benchmark (idempotent).
  try {
    execFileSync(BIN, ['tenant', 'create', '--slug', SLUG, '--name', 'AI Bench Salon', '--plan',
      'enterprise'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: process.env.DATABASE_OWNER_URL },
      stdio: 'pipe' });
  } catch { /* exists already */ }

  const instant = await startFake(['--chunks', '6']);
  const slow = await startFake(['--chunks', '20', '--stream-ms', '2000', '--text', LONG_TEXT]);
  const serveEnv = (fakePort) => ({
    PORT: String(PORT), HOST: '127.0.0.1', ENABLE_TEST_ROUTES: 'true', LOG_LEVEL: 'warn',
    ENV_FILE: '/dev/null', LLM_PROVIDER: 'openai', OPENAI_BASE_URL: `http://127.0.0.1:${fakePort}`,
    OPENAI_API_KEY: 'sk-bench', OPENAI_MODEL: 'gpt-bench', LLM_FALLBACK: 'offline',
    // The defaults for workers, streams and the database pool: a streaming
    // turn leaves the worker pool (STREAMS_MAX), it does not need 500 workers.
    ...(process.env.BENCH_AI_DB_POOL ? { DB_POOL_SIZE: process.env.BENCH_AI_DB_POOL } : {}),
    HTTP_THREADS: '2',
    LLM_FIRST_BYTE_TIMEOUT_MS: '8000', LLM_TIMEOUT_MS: '30000',
    CHAT_RATE_IP_PER_MIN: '0', CHAT_RATE_SESSION_PER_MIN: '0', CHAT_NEW_PER_HOUR: '0',
    APP_ENCRYPTION_KEY: process.env.APP_ENCRYPTION_KEY || 'YmVuY2gtb25seS1rZXktZG8tbm90LXVzZS1pbi1wcm8=',
  });
  const rows = [];
  const notes = [];
  let failed = false;

  async function withServe(fakePort, body, extra = {}) {
    const s = startChild(BIN, ['serve'], { ...serveEnv(fakePort), ...extra });
    for (let i = 0; ; i++) {
      try {
        await new Promise((res, rej) => http.get(`http://127.0.0.1:${PORT}/healthz`, (r) => {
          r.resume(); r.statusCode === 200 ? res() : rej(new Error('not ready'));
        }).on('error', rej));
        break;
      } catch (e) {
        if (i > 200 || s.p.exitCode !== null) throw new Error(`serve did not start:\n${s.out()}`);
        await sleep(50);
      }
    }
    try {
      return await body(s.p.pid);
    } finally {
      s.p.kill('SIGTERM');
      await new Promise((r) => s.p.once('exit', r));
    }
  }

  // 1. An instant model: what a turn costs the server, alone (c=1: the
  // latency it adds) and under load (c=CONC: throughput).
  if (PHASES.includes('instant')) await withServe(instant.port, async (pid) => {
    for (const route of ROUTES) {
      const sessFor = sessionsPerWorker();
      const go = async (w, k) => turn(route, route === 'chat' ? await sessFor(w, k) : null);
      await runPool(100, CONC, go);	// warm connections and caches
      for (const c of [1, CONC]) {
        const n = c === 1 ? Math.min(TURNS, 500) : TURNS;
        const started = wallMs();
        const rs = await runPool(n, c, go);
        const secs = (wallMs() - started) / 1000;
        const good = rs.filter((r) => r.ok);
        const over = good.map((r) => (r.end - r.t0) - (stamp(r.text, 'e') - stamp(r.text, 'r')));
        rows.push(`| AI ${route === 'chat' ? 'chat turn (/v1/chat/stream)' : 'provider call (/v1/test/llm)'}, instant model, c=${c}: server overhead per turn | ${Math.round(good.length / secs)} | ${ms(pct(over, 50))} | ${ms(pct(over, 99))} | ${status(pid, 'VmHWM').toFixed(1)} MiB | - |`);
        notes.push(`${route}, instant model, c=${c}: ${good.length}/${n} turns ok, whole turn p50 ${ms(pct(good.map((r) => r.end - r.t0), 50))}, p99 ${ms(pct(good.map((r) => r.end - r.t0), 99))}`);
        if (good.length !== n) failed = true;
      }
    }
  });

  // 2. A model streaming for 2 s, STREAMS turns in flight at once, on each
  // path; started all together (a burst), then spread over RAMP_MS (the
  // same STREAMS in flight at the peak, arriving at STREAMS/RAMP_MS per ms).
  // Two figures per turn:
  //   relay: client receipt of the first delta − the model's first send
  //          (what the server adds on the way back: parse, leak filter, SSE);
  //   ttfb:  the client's time to first delta − the model's own (its first
  //          send − its receipt): everything the server adds before the
  //          first byte, the turn's database work and the call included.
  // Each start on a fresh serve, so one's tail never weighs on the other.
  const starts = [['at once', 0], [`over ${RAMP_MS / 1000} s`, RAMP_MS]]
    .filter(([, ms]) => STARTS.includes(ms ? 'ramp' : 'burst'));
  for (const route of PHASES.includes('streams') ? ROUTES : []) for (const [how, rampMs] of starts) {
    await withServe(slow.port, async (pid) => {
      const sess = route === 'chat' ? await sessions(STREAMS) : [];
      await runPool(20, 20, (w) => turn(route, sess[w]));	// one turn per warm-up session
      const label = route === 'chat' ? 'chat turns (/v1/chat/stream)' : 'provider calls (/v1/test/llm)';
      {
        const before = status(pid, 'VmRSS');
        const cpu0 = cpuMs(pid);
        const started = wallMs();
        const trace = process.env.BENCH_AI_TRACE ? setInterval(() => http.get(
          `http://127.0.0.1:${PORT}/metrics`, (res) => {
            let b = '';
            res.on('data', (d) => { b += d; });
            res.on('end', () => console.error(`${(wallMs() - started).toFixed(0)} ms: ${b.split('\n')
              .filter((l) => /^(db_pool_connections|http_workers|http_queue_depth|http_streams_open)/.test(l))
              .join(' | ')}`));
          }), 250) : null;
        const rs = await Promise.all(Array.from({ length: STREAMS }, async (_, i) => {
          if (rampMs) await sleep((i * rampMs) / STREAMS);
          return turn(route, sess[i]);
        }));
        if (trace) clearInterval(trace);
        const cpu = (cpuMs(pid) - cpu0) / STREAMS;
        const secs = (wallMs() - started) / 1000;
        const good = rs.filter((r) => r.ok);
        const relay = good.map((r) => r.first - stamp(r.text, 's'));
        const ttfb = good.map((r) => (r.first - r.t0) - (stamp(r.text, 's') - stamp(r.text, 'r')));
        const peak = status(pid, 'VmHWM').toFixed(1);
        const what = `AI ${STREAMS} concurrent 2 s ${label}, started ${how}`;
        rows.push(`| ${what}: latency added to the first byte (relay) | ${good.length}/${STREAMS} complete in ${secs.toFixed(2)} s | ${ms(pct(relay, 50))} | ${ms(pct(relay, 99))} | ${peak} MiB | - |`);
        rows.push(`| ${what}: time to first byte added (whole turn) | ${good.length}/${STREAMS} | ${ms(pct(ttfb, 50))} | ${ms(pct(ttfb, 99))} | ${peak} MiB | - |`);
        notes.push(`${route}, ${STREAMS} streams of 2 s started ${how}: ${good.length} complete in ${secs.toFixed(2)} s; relay added p50 ${ms(pct(relay, 50))} p99 ${ms(pct(relay, 99))} max ${ms(Math.max(...relay))}; ttfb added p50 ${ms(pct(ttfb, 50))} p99 ${ms(pct(ttfb, 99))} max ${ms(Math.max(...ttfb))}; serve CPU ${cpu.toFixed(2)} ms per turn; RSS ${before.toFixed(1)} MiB before, peak ${peak} MiB`);
        if (good.length !== STREAMS) {
          failed = true;
          const why = {};
          for (const r of rs.filter((x) => !x.ok)) {
            let w = r.why ?? (r.text ?? '').slice(0, 80);
            try { const j = JSON.parse(w); w = `${(j.error ?? j).code}: ${(j.error ?? j).message}`; } catch { /* as is */ }
            const k = `HTTP ${r.status} ${w}`;
            why[k] = (why[k] ?? 0) + 1;
          }
          notes.push(`${route}: failed turns: ${JSON.stringify(why)}`);
        }
        // The target (p99 ≤ 50 ms) is judged on the relay in the steady
        // state (arrivals spread: STREAMS in flight). A burst of STREAMS
        // turns in one instant, and the whole-turn figure while this box
        // also runs the fake model, the client and PostgreSQL, are CPU-bound
        // queues: reported, not judged.
        if (rampMs && !(pct(relay, 99) <= 50)) {
          failed = true;
          notes.push(`${route}, started ${how}: first-byte target (relay p99 ≤ 50 ms) missed`);
        }
      }
    });
  }

  // 3. The built-in receptionist (no model): the server time of one turn
  // of each kind, each in a new conversation, one at a time (c=1: the
  // round trip is the server's time plus a loopback hop). The bench
  // tenant gets a small catalogue first (its own rows only).
  if (PHASES.includes('builtin')) {
    seedBuiltin();
    await withServe(0, async (pid) => {
      const kinds = [
        ['times for a day ("a haircut tomorrow afternoon?")', 'Do you have a haircut tomorrow afternoon?', /\d/],
        ['a price ("how much is a beard trim?")', 'How much is a beard trim?', /\$/],
        ['an FAQ with a day ("can I pay by card tomorrow?")', 'Can I pay by card tomorrow?', /cards/],
      ];
      for (const [what, message, expect] of kinds) {
        const ms_ = [];
        let bad = 0;
        for (let i = 0; i < BUILTIN_TURNS + 20; i++) {
          const sess = await post('/v1/chat/session', {});
          if (sess.status !== 201) throw new Error(`chat session: HTTP ${sess.status}`);
          const t0 = wallMs();
          const r = await post('/v1/chat/message', { session_id: sess.json.session_id, message });
          const took = wallMs() - t0;
          if (r.status !== 200 || !expect.test(r.json?.message?.text ?? '')) bad++;
          if (i >= 20) ms_.push(took);	// the first 20 warm caches and connections
        }
        rows.push(`| AI built-in receptionist, one turn: ${what}, c=1 | ${(1000 / pct(ms_, 50)).toFixed(0)} | ${ms(pct(ms_, 50))} | ${ms(pct(ms_, 99))} | ${status(pid, 'VmHWM').toFixed(1)} MiB | - |`);
        if (bad) {
          failed = true;
          notes.push(`built-in receptionist, ${what}: ${bad} of ${BUILTIN_TURNS + 20} replies were not the expected answer`);
        }
      }
    }, { LLM_PROVIDER: 'offline', LLM_FALLBACK: 'offline' });
  }

  for (const r of rows) console.log(`ROW|${r}`);
  for (const n of notes) console.log(`NOTE|${n}`);
  return failed ? 1 : 0;
}

main().then((code) => {
  for (const c of children) c.kill('SIGTERM');
  process.exit(code);
}).catch((e) => {
  console.error(e);
  for (const c of children) c.kill('SIGKILL');
  process.exit(2);
});
