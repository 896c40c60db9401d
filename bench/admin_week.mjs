// bench/admin_week.mjs — how fast the admin app's calendar draws a busy
// week (run by bench/admin_week.sh, which seeds 10 staff and 300 bookings
// into the demo tenant; also on its own: BENCH_BASE_URL=http://127.0.0.1:PORT
// BENCH_DESK_EMAIL=… BENCH_DESK_PASSWORD=… node bench/admin_week.mjs).
//
// Signs the desk in through the API, then, RUNS times in a fresh Chromium
// context with the CPU throttled 4x (CDP Emulation.setCPUThrottlingRate),
// opens /admin/calendar?view=week&date=<the seeded Monday> and reads the
// page's own performance marks: "rcp-cal-start" (the calendar page's first
// render: the route starts), "rcp-cal-data" (the week's bookings are in
// hand) and "rcp-cal-painted" (the frame after the blocks were committed).
// Prints the medians and the worst: route start → painted (includes the
// three API pages of bookings) and bookings in hand → painted (the render).
import http from 'node:http';
import { chromium } from 'playwright-core';

const BASE = new URL(process.env.BENCH_BASE_URL || 'http://127.0.0.1:18080');
const HOST = `${process.env.BENCH_WIDGET_TENANT || 'demo'}.localhost`;
const ORIGIN = `http://${HOST}:${BASE.port}`;
const RUNS = Number(process.env.BENCH_WEEK_RUNS || 5);
const THROTTLE = 4;
const BUDGET_MS = 200;

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

function login() {
  const body = JSON.stringify({ email: process.env.BENCH_DESK_EMAIL, password: process.env.BENCH_DESK_PASSWORD });
  return new Promise((resolve, reject) => {
    const req = http.request({ host: BASE.hostname, port: BASE.port, method: 'POST', path: '/v1/auth/login',
      headers: { host: HOST, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      const c = (res.headers['set-cookie'] || []).map((x) => /^rcp_session=([^;]+)/.exec(x)).find(Boolean);
      if (res.statusCode !== 200 || !c) reject(new Error(`login answered ${res.statusCode}`));
      else resolve(c[1]);
    });
    req.on('error', reject);
    req.end(body);
  });
}

// The Monday five weeks from now in the demo's zone, as the seed placed it.
function seededMonday(zone) {
  const now = new Date();
  const p = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  const d = new Date(`${p}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7) + 35);
  return d.toISOString().slice(0, 10);
}

async function main() {
  const cookie = await login();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const route = [];
  const render = [];
  const nav = [];
  let blocks = 0;
  let lanes = 0;
  try {
    const monday = seededMonday(process.env.BENCH_DEMO_TZ || 'America/New_York');
    for (let i = 0; i < RUNS; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      await ctx.addCookies([{ name: 'rcp_session', value: cookie, domain: HOST, path: '/', httpOnly: true, sameSite: 'Lax' }]);
      const p = await ctx.newPage();
      const cdp = await ctx.newCDPSession(p);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
      await p.goto(`${ORIGIN}/admin/calendar?view=week&date=${monday}`);
      await p.waitForFunction(() => performance.getEntriesByName('rcp-cal-painted').length > 0
        && performance.getEntriesByName('rcp-cal-data').length > 0, null, { timeout: 60000, polling: 50 });
      const m = await p.evaluate(() => {
        const at = (n) => performance.getEntriesByName(n)[0].startTime;
        const data = at('rcp-cal-data');
        const painted = performance.getEntriesByName('rcp-cal-painted').map((e) => e.startTime).find((t) => t >= data);
        const last = (n) => performance.getEntriesByName(n).map((e) => e.startTime).filter((t) => t >= data)[0];
        return { start: at('rcp-cal-start'), data, painted, layout: last('rcp-cal-layout'), commit: last('rcp-cal-commit'),
          blocks: document.querySelectorAll('.cal .blk').length,
          lanes: Number(getComputedStyle(document.querySelector('.cal')).getPropertyValue('--lanes')) };
      });
      if (process.env.BENCH_WEEK_DEBUG) {
        process.stderr.write(`run ${i}: data→layout ${(m.layout - m.data).toFixed(0)} ms, layout→commit `
          + `${(m.commit - m.layout).toFixed(0)} ms, commit→painted ${(m.painted - m.commit).toFixed(0)} ms\n`);
      }
      route.push(m.painted - m.start);
      render.push(m.painted - m.data);
      nav.push(m.painted);
      blocks = m.blocks;
      lanes = m.lanes;
      await ctx.close();
    }
  } finally {
    await browser.close();
  }
  const f = (xs) => `${median(xs).toFixed(0)} ms (worst ${Math.max(...xs).toFixed(0)})`;
  process.stdout.write(`\n| admin calendar week in Chromium, CPU ${THROTTLE}x slower, ${RUNS} cold runs | value |\n|---|---:|\n`);
  process.stdout.write(`| blocks drawn / staff lanes per day | ${blocks} / ${lanes} |\n`);
  process.stdout.write(`| bookings in hand → week painted (render), median | ${f(render)} |\n`);
  process.stdout.write(`| route start → week painted (3 API pages included), median | ${f(route)} |\n`);
  process.stdout.write(`| navigation → week painted (shell, session, chunk), median | ${f(nav)} |\n`);
  process.stdout.write(`| target: render ≤ ${BUDGET_MS} ms | ${median(render) <= BUDGET_MS ? 'met' : 'NOT met'} |\n\n`);
}

main().catch((e) => { process.stderr.write(`${e.stack || e}\n`); process.exit(1); });
