// bench/widget.mjs — figures for the chat widget (run by bench/widget.sh,
// also on its own: BENCH_BASE_URL=http://127.0.0.1:PORT node bench/widget.mjs).
//
// Sizes of the built files (raw, gzip -9, brotli -11). Then, in Chromium
// with the CPU throttled 4x (CDP Emulation.setCPUThrottlingRate), a host
// page on another origin: long tasks (> 50 ms, PerformanceObserver) once
// widget.js is added to the settled page (so every one is the widget's),
// the same page loading with the script in its HTML (its own tasks
// included, for scale), and the time from the click on the launcher until
// the chat is interactive (UI chunk imported, session opened, greeting
// shown, input enabled and focused). Cold cache every run; medians of RUNS.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'web/dist');
const BASE = new URL(process.env.BENCH_BASE_URL || 'http://127.0.0.1:18080');
const API = `http://${process.env.BENCH_WIDGET_TENANT || 'demo'}.localhost:${BASE.port}`;
const RUNS = Number(process.env.BENCH_WIDGET_RUNS || 5);
const THROTTLE = 4;

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;

function sizes(rel) {
  const b = fs.readFileSync(path.join(DIST, rel));
  return {
    raw: b.length,
    gzip: zlib.gzipSync(b, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

const page = (withWidget) => `<!doctype html><html><head><meta charset="utf-8"><title>host</title>
<script>
window.__long = [];
new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push([e.startTime, e.duration]); })
  .observe({ type: 'longtask', buffered: true });
</script></head><body><h1>A host page</h1><p>${'Some text. '.repeat(200)}</p>
${withWidget ? `<script src="${API}/widget.js" async></script>` : ''}</body></html>`;

async function main() {
  const manifest = JSON.parse(fs.readFileSync(path.join(DIST, 'manifest.json'), 'utf8'));
  const loader = sizes('widget.js');
  const ui = sizes(manifest['widget-ui.js']);
  const port = Number(process.env.BENCH_WIDGET_ORIGIN_PORT || 18099);
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(page(!req.url.includes('bare')));
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const long = { bare: [], widget: [] };

  const tti = [];
  const launcherMs = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      for (const kind of ['bare', 'widget']) {
        const ctx = await browser.newContext();
        const p = await ctx.newPage();
        const cdp = await ctx.newCDPSession(p);
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
        await p.goto(`http://127.0.0.1:${port}/bare`, { waitUntil: 'load' });
        if (kind === 'widget') {
          // The loader's share: the page has loaded and settled, then the
          // script is added; every long task from then on is the widget's.
          await p.waitForTimeout(1000);
          const t0 = await p.evaluate((src) => {
            const now = performance.now();
            const sc = document.createElement('script');
            sc.src = src;
            sc.async = true;
            document.body.append(sc);
            window.__t0 = now;
            return now;
          }, `${API}/widget.js`);
          const launcher = p.locator('rcp-widget button.launcher');
          await launcher.waitFor();
          launcherMs.push(await p.evaluate(() => performance.now() - window.__t0));
          await p.waitForFunction(() => document.querySelector('rcp-widget').style.getPropertyValue('--rcp-t-accent'));
          await p.waitForTimeout(1000);
          if (process.env.BENCH_WIDGET_DEBUG) {
            process.stderr.write(`run ${i}: ${JSON.stringify(await p.evaluate((t) => window.__long
              .map(([st, d]) => [Math.round(st - t), Math.round(d)]), t0))}\n`);
          }
          long.widget.push(...await p.evaluate((t) => window.__long.filter(([st, d]) => st + d > t)
            .map(([, d]) => d), t0));
          const o0 = await p.evaluate(() => performance.now());
          await launcher.click();
          await p.waitForFunction(() => {
            const r = document.querySelector('rcp-widget').shadowRoot;
            const ta = r.querySelector('textarea');
            return ta && !ta.disabled && r.activeElement === ta && r.querySelector('.msg.bot');
          }, null, { timeout: 30000, polling: 'raf' });
          tti.push(await p.evaluate(() => performance.now()) - o0);
        } else {
          // The same page with the script in its HTML (async), from navigation.
          await p.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'load' });
          await p.locator('rcp-widget button.launcher').waitFor();
          await p.waitForTimeout(1000);
          long.bare.push(...await p.evaluate(() => window.__long.map(([, d]) => d)));
        }
        await ctx.close();
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
  const over = (xs) => xs.filter((d) => d > 50);
  const rows = [
    ['widget.js (loader)', `${loader.raw} B`, `${loader.gzip} B`, `${loader.brotli} B`],
    ['chat UI chunk (on open)', `${ui.raw} B`, `${ui.gzip} B`, `${ui.brotli} B`],
    ['loader + UI', `${loader.raw + ui.raw} B`, `${kb(loader.gzip + ui.gzip)}`, `${kb(loader.brotli + ui.brotli)}`],
  ];
  process.stdout.write('\n| widget file | raw | gzip | brotli |\n|---|---:|---:|---:|\n');
  for (const r of rows) process.stdout.write(`| ${r.join(' | ')} |\n`);
  const wl = over(long.widget);
  const bl = over(long.bare);

  process.stdout.write(`\n| widget in Chromium, CPU ${THROTTLE}x slower, ${RUNS} cold runs | value |\n|---|---:|\n`);
  process.stdout.write(`| long tasks > 50 ms caused by the loader (script added to a settled page) | ${wl.length}${wl.length ? ` (max ${Math.max(...wl).toFixed(0)} ms)` : ''} |\n`);
  process.stdout.write(`| long tasks > 50 ms, page loading with the script in its HTML (page's own included) | ${bl.length}${bl.length ? ` (max ${Math.max(...bl).toFixed(0)} ms)` : ''} |\n`);
  process.stdout.write(`| script added → launcher drawn, median | ${median(launcherMs).toFixed(0)} ms |\n`);
  process.stdout.write(`| open → interactive (UI chunk, session, greeting), median | ${median(tti).toFixed(0)} ms |\n`);
  process.stdout.write(`| open → interactive, worst | ${Math.max(...tti).toFixed(0)} ms |\n\n`);
}

main().catch((e) => { process.stderr.write(`${e.stack || e}\n`); process.exit(1); });
