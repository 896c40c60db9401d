// admin_lib.mjs — what the admin app's browser tests share: a signed-in
// browser context for a user of a given role on a tenant's host (the
// session made through the API, so tests do not spend sign-in attempts),
// the accessibility check every page passes, and screenshots.
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';

import { createUser, login, PASSWORD } from '../integration/auth_lib.mjs';
import { createTenant, launch, screenshot, setBranding, startServer, watch } from './lib.mjs';

export { PASSWORD };

export const origin = (srv, host) => `http://${host}:${srv.port}`;

// A browser context signed in as a new user with role in tenant (or as
// user, when given). Returns {ctx, page, problems, user, url(path)}.
export async function signedIn(browser, srv, tenant, { role = 'OWNER', user, width = 1280,
  height = 900, host = tenant.host, platformAdmin = false } = {}) {
  const u = user ?? createUser({ tenant, role, platformAdmin, name: `${role[0]}${role.slice(1).toLowerCase()} Person` });
  const l = await login(srv, u.email);
  assert.equal(l.status, 200, `login ${u.email}: ${l.res.text}`);
  const ctx = await browser.newContext({ locale: 'en-GB', viewport: { width, height } });
  await ctx.addCookies([{ name: 'rcp_session', value: l.cookie, domain: host, path: '/',
    httpOnly: true, sameSite: 'Lax' }]);
  const page = await ctx.newPage();
  const problems = watch(page);
  const url = (p = '') => `${origin(srv, host)}/admin/${p}`;
  return { ctx, page, problems, user: u, url };
}

// No serious or critical accessibility violation on what the page shows.
export async function assertAccessible(page, what) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`), [],
    `${what}: accessibility violations`);
}

// Opens an app path and waits for its heading (pages focus their h1).
export async function open(page, url, heading) {
  await page.goto(url);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

// A screenshot named for the brand and page, in test-artifacts/admin/.
export const shot = (page, brand, name) => screenshot(page, `admin/${brand}-${name}`);

// The two brands every admin test compares: Lumen Hair (teal, with a display
// name) and Harbor Dental (amber), on the plans given.
export function twoBrands({ planA = 'pro', planB = 'pro' } = {}) {
  const a = createTenant({ name: 'Lumen Hair', ...(planA ? { plan: planA } : {}) });
  setBranding(a, { primary: '#0f766e', accent: '#134e4a', name: 'Lumen Hair Studio' });
  const b = createTenant({ name: 'Harbor Dental', plan: planB });
  setBranding(b, { primary: '#b45309', accent: '#7c2d12' });
  return { a, b };
}

// A server with the test routes and no Redis (plus env), and a browser.
export async function serverAndBrowser(env = {}) {
  const srv = await startServer({ ENABLE_TEST_ROUTES: 'true', REDIS_URL: '', ...env });
  return { srv, browser: await launch() };
}
