// lib.mjs — helpers for the browser suite: Debian's Chromium driven by
// playwright-core (no browser download), a second local HTTP server that
// plays "another website" embedding the widget, tenants that can be booked
// (a service, a person who performs it, opening hours), and screenshots
// kept in test-artifacts/. Server and database helpers come from the
// integration suite.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { REPO_ROOT, adminSql, lit } from '../integration/lib.mjs';

export * from '../integration/lib.mjs';

export const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// A fresh browser (Playwright gives it a new, empty profile directory).
export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function screenshot(page, name) {
  const file = path.join(ARTIFACTS, `${name}.png`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
}

// Serves one HTML page (and the given files) on 127.0.0.1 with the given CSP:
// the site that embeds the widget. Returns {origin, url, close}.
export async function hostSite(html, { csp, files = {} } = {}) {
  const server = http.createServer((req, res) => {
    const f = files[req.url];
    if (f) {
      res.writeHead(200, { 'content-type': f.type, 'cache-control': 'no-store' });
      res.end(f.body);
      return;
    }
    if (req.url !== '/' && !req.url.startsWith('/?')) { res.writeHead(404); res.end(); return; }
    const headers = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };
    if (csp) headers['content-security-policy'] = csp;
    res.writeHead(200, headers);
    res.end(html);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}

// Makes a tenant bookable every day 08:00-20:00 local time: one staff
// member performing the given services. Returns the service ids by name.
export function makeBookable(tenant, services, { staffName = 'Sam' } = {}) {
  const t = lit(tenant.id);
  adminSql(`INSERT INTO business_hours (tenant_id, weekday, opens, closes)
    SELECT ${t}, d, '08:00', '20:00' FROM generate_series(1, 7) d`);
  const staff = adminSql(`INSERT INTO staff (tenant_id, display_name) VALUES (${t}, ${lit(staffName)})
    RETURNING id`).split('\n')[0];
  adminSql(`INSERT INTO staff_schedules (tenant_id, staff_id, weekday, starts, ends)
    SELECT ${t}, ${lit(staff)}, d, '08:00', '20:00' FROM generate_series(1, 7) d`);
  const ids = {};
  for (const s of services) {
    ids[s.name] = adminSql(`INSERT INTO services (tenant_id, name, duration_minutes, price_minor, currency)
      VALUES (${t}, ${lit(s.name)}, ${s.minutes ?? 30}, ${s.price ?? 2500}, 'USD') RETURNING id`).split('\n')[0];
    adminSql(`INSERT INTO staff_services (tenant_id, staff_id, service_id)
      VALUES (${t}, ${lit(staff)}, ${lit(ids[s.name])})`);
  }
  return { staff, services: ids };
}

// The local date n days from today in the tenant's zone (YYYY-MM-DD).
export function localDate(tenant, n) {
  return adminSql(`SELECT ((now() AT TIME ZONE p.timezone)::date + ${Number(n)})::text
    FROM tenant_profiles p WHERE p.tenant_id = ${lit(tenant.id)}`);
}

export function setBranding(tenant, { primary, accent, name }) {
  adminSql(`UPDATE tenant_branding SET primary_color = ${lit(primary)}, accent_color = ${lit(accent)}
    ${name ? `, display_name = ${lit(name)}` : ''} WHERE tenant_id = ${lit(tenant.id)}`);
}

export function addOrigin(tenant, origin) {
  adminSql(`INSERT INTO widget_origins (tenant_id, origin) VALUES (${lit(tenant.id)}, ${lit(origin)})`);
}

// Collects CSP violations and uncaught errors of a page.
export function watch(page) {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) problems.push(m.text());
  });
  return problems;
}
