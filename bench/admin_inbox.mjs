// bench/admin_inbox.mjs — "a customer's chat message visible in an open
// inbox ≤ 1 s after it is sent" (issue 13), run by bench/admin_inbox.sh;
// also on its own: BENCH_BASE_URL=http://127.0.0.1:PORT BENCH_INBOX_EMAIL=…
// BENCH_INBOX_PASSWORD=… node bench/admin_inbox.mjs (a member of the demo
// tenant with conversations:read).
//
// Debian's Chromium, CPU throttled 4x (CDP Emulation.setCPUThrottlingRate),
// signed in on demo.localhost, the conversation open in the inbox and its
// event stream connected. Each run: the customer POSTs /v1/chat/message
// with a fresh text; a MutationObserver in the page notes the moment the
// text is in the DOM; the figure is that moment minus the moment before the
// request was sent (one machine, one clock). Two conversations: one handed
// to a person (the receptionist silent: the message alone) and one the
// receptionist answers (its reply is written in the same turn). Median and
// worst of RUNS; exits 1 if the worst is over TARGET_MS.
import http from 'node:http';
import { chromium } from 'playwright-core';

const BASE = new URL(process.env.BENCH_BASE_URL || 'http://127.0.0.1:18080');
const HOST = `${process.env.BENCH_INBOX_TENANT || 'demo'}.localhost`;
const RUNS = Number(process.env.BENCH_INBOX_RUNS || 10);
const THROTTLE = 4;
const TARGET_MS = 1000;

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

function call(method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ host: BASE.hostname, port: BASE.port, method, path,
      headers: { host: `${HOST}:${BASE.port}`, 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, json, text });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function conversation(handoff) {
  const s = await call('POST', '/v1/chat/session', {});
  if (s.status !== 201) throw new Error(`chat session: ${s.status} ${s.text}`);
  const say = async (message) => {
    const r = await call('POST', '/v1/chat/message', { session_id: s.json.session_id, message });
    if (r.status !== 200) throw new Error(`chat message: ${r.status} ${r.text}`);
    return r.json;
  };
  await say('hello');
  if (handoff) await say('can I talk to a real person please');
  return say;
}

async function main() {
  const email = process.env.BENCH_INBOX_EMAIL;
  const password = process.env.BENCH_INBOX_PASSWORD;
  if (!email || !password) throw new Error('BENCH_INBOX_EMAIL and BENCH_INBOX_PASSWORD are required');
  const login = await call('POST', '/v1/auth/login', { email, password });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${login.text}`);
  const cookie = /rcp_session=([^;]+)/.exec(String(login.headers['set-cookie']))[1];
  const admin = { cookie: `rcp_session=${cookie}` };

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const results = {};
  try {
    for (const [label, handoff] of [['with a person (receptionist silent)', true],
      ['receptionist answering', false]]) {
      const say = await conversation(handoff);
      const list = await call('GET', '/v1/admin/conversations?limit=1', undefined, admin);
      const id = list.json.items[0].id;
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await ctx.addCookies([{ name: 'rcp_session', value: cookie, domain: HOST, path: '/', httpOnly: true, sameSite: 'Lax' }]);
      const page = await ctx.newPage();
      const cdp = await ctx.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
      await page.goto(`http://${HOST}:${BASE.port}/admin/inbox/${id}`);
      await page.locator('.transcript').waitFor({ timeout: 30000 });
      await page.locator('.top .live.live').waitFor({ timeout: 30000 });
      const xs = [];
      for (let i = 0; i < RUNS; i++) {
        const text = `bench message ${i} ${Math.random().toString(36).slice(2)}`;
        await page.evaluate((t) => {
          window.__seen = null;
          const check = () => {
            if (window.__seen === null && document.querySelector('.transcript')?.textContent.includes(t)) {
              window.__seen = performance.timeOrigin + performance.now();
            }
          };
          window.__obs?.disconnect();
          window.__obs = new MutationObserver(check);
          window.__obs.observe(document.body, { childList: true, subtree: true, characterData: true });
        }, text);
        const sent = performance.timeOrigin + performance.now();
        await say(text);
        await page.waitForFunction(() => window.__seen !== null, null, { timeout: 10000 });
        xs.push(await page.evaluate(() => window.__seen) - sent);
        await page.waitForTimeout(300);
      }
      results[label] = xs;
      await ctx.close();
    }
  } finally {
    await browser.close();
  }
  let worst = 0;
  process.stdout.write(`\n| chat message → visible in the open inbox (Chromium, CPU ${THROTTLE}x slower, ${RUNS} runs) | median | worst |\n|---|---:|---:|\n`);
  for (const [label, xs] of Object.entries(results)) {
    worst = Math.max(worst, ...xs);
    process.stdout.write(`| ${label} | ${median(xs).toFixed(0)} ms | ${Math.max(...xs).toFixed(0)} ms |\n`);
  }
  process.stdout.write(`| target | ≤ ${TARGET_MS} ms | |\n\n`);
  if (worst > TARGET_MS) {
    process.stdout.write(`NOTE|worst ${worst.toFixed(0)} ms is over the ${TARGET_MS} ms target\n`);
    process.exitCode = 1;
  }
}

main().catch((e) => { process.stderr.write(`${e.stack || e}\n`); process.exit(1); });
