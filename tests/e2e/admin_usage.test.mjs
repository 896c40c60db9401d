// admin_usage.test.mjs — "Usage and plan" and the audit log in a real
// browser: meters against the plan's limits with their numbers, the plan's
// features; the audit log's filters (who, action, record type, dates in the
// business's zone), cursor paging, a row's detail with before / after, and
// support-session rows marked "on behalf of"; an ACCOUNTANT lands on usage.
// axe on each page and dialog, 360 px, screenshots in two brands.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, createTenant, killAll, lit, setBranding } from './lib.mjs';
import { assertAccessible, open, serverAndBrowser, shot, signedIn, twoBrands } from './admin_lib.mjs';

after(killAll);

function addUsage(t, messages) {
  adminSql(`INSERT INTO usage_monthly (tenant_id, month, shard, messages, model_calls, input_tokens, output_tokens)
    VALUES (${lit(t.id)}, usage_current_month(), 3, ${messages}, ${messages}, ${messages * 100}, ${messages * 10})`);
  adminSql(`INSERT INTO usage_monthly_models (tenant_id, month, shard, provider, model, calls, input_tokens, output_tokens)
    VALUES (${lit(t.id)}, usage_current_month(), 3, 'openai', 'gpt-fake-mini', ${messages}, ${messages * 100}, ${messages * 10})`);
}

function addAudit(t, { action, actor = 'user', actorId = null, behalf = null, target = 'service', changes = null, at }) {
  adminSql(`INSERT INTO audit_log (tenant_id, actor_type, actor_id, on_behalf_of, action, target_type, target_id, changes, created_at)
    VALUES (${lit(t.id)}, ${lit(actor)}, ${actorId ? lit(actorId) : 'NULL'}, ${behalf ? lit(behalf) : 'NULL'},
    ${lit(action)}, ${lit(target)}, gen_random_uuid()::text, ${changes ? `${lit(JSON.stringify(changes))}::jsonb` : 'NULL'},
    ${at ? `${lit(at)}::timestamptz` : 'now()'})`);
}

// Nothing wider than the screen: the page does not scroll sideways (the
// culprits outside scroll boxes are named when it does).
async function assertFits(page, what) {
  const r = await page.evaluate(() => {
    const inScroller = (e) => {
      for (let p = e.parentElement; p; p = p.parentElement)
        if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
      return false;
    };
    return {
      fits: document.documentElement.scrollWidth <= window.innerWidth + 1,
      wide: [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !inScroller(e))
        .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${e.className}`),
    };
  });
  assert.ok(r.fits, `${what} fits the screen; too wide: ${r.wide.join(', ')}`);
}

describe('usage and plan, audit log', () => {
  let srv;
  let browser;
  let a;
  let b;

  before(async () => {
    ({ a, b } = twoBrands({ planA: null, planB: 'enterprise' }));
    addUsage(a, 170);
    addUsage(b, 40);
    ({ srv, browser } = await serverAndBrowser());
  });
  after(async () => { await browser?.close(); await srv?.kill(); });

  test('usage: meters with numbers against the plan, the plan and its features', async () => {
    const s = await signedIn(browser, srv, a, { role: 'OWNER' });
    await open(s.page, s.url('usage'), 'Usage and plan');
    const messages = s.page.getByRole('progressbar', { name: 'Customer messages' });
    assert.equal(await messages.getAttribute('max'), '200', 'the free plan allows 200');
    assert.equal(await messages.getAttribute('value'), '170');
    assert.match(await s.page.locator('.meter', { has: messages }).textContent(), /170 of 200 used.*30 left \(85% used\)/);
    assert.equal(await s.page.getByRole('progressbar', { name: 'Bookings' }).getAttribute('max'), '50');
    await s.page.getByRole('heading', { name: 'Your plan: Free' }).waitFor();
    assert.match(await s.page.locator('.plan-features').textContent(), /Website chat/);
    assert.doesNotMatch(await s.page.locator('.plan-features').textContent(), /WhatsApp/);
    assert.match(await s.page.locator('main').textContent(), /gpt-fake-mini/);
    assert.match(await s.page.locator('main').textContent(), /times in America\/New York/i);
    await assertAccessible(s.page, 'usage');
    await shot(s.page, 'lumen', 'usage');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();

    const e = await signedIn(browser, srv, b, { role: 'OWNER' });
    await open(e.page, e.url('usage'), 'Usage and plan');
    await e.page.getByRole('heading', { name: 'Your plan: Enterprise' }).waitFor();
    assert.match(await e.page.locator('.meter').first().textContent(), /unlimited/);
    assert.equal(await e.page.getByRole('progressbar').count(), 0, 'no bar without a limit');
    await assertAccessible(e.page, 'usage (enterprise)');
    await shot(e.page, 'harbor', 'usage');
    assert.deepEqual(e.problems, []);
    await e.ctx.close();
  });

  test('an ACCOUNTANT lands on usage; 360 px', async () => {
    const s = await signedIn(browser, srv, a, { role: 'ACCOUNTANT', width: 360, height: 740 });
    await s.page.goto(s.url(''));
    await s.page.getByRole('heading', { level: 1, name: 'Usage and plan' }).waitFor();
    assert.match(s.page.url(), /\/admin\/usage$/);
    await assertFits(s.page, 'usage');
    await assertAccessible(s.page, 'usage at 360 px');
    await shot(s.page, 'lumen', 'usage-360');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('audit log: filters, paging, detail with before/after, support rows marked', async () => {
    const t = createTenant({ name: 'Audit Trail Spa' });
    setBranding(t, { primary: '#0f766e', accent: '#134e4a' });
    for (let i = 0; i < 30; i++) addAudit(t, { action: 'service.updated', at: `2026-02-0${1 + (i % 9)} 15:00:00+00` });
    addAudit(t, { action: 'service.updated', target: 'service', at: '2026-03-10 16:00:00+00',
      changes: { name: { from: 'Cut', to: 'Cut and finish' }, price_minor: { from: 3000, to: 3500 } } });
    addAudit(t, { action: 'support.read', actor: 'platform', actorId: '7d9f7e70-0000-4000-8000-000000000001', behalf: 'act_as',
      target: 'session', changes: { path: '/v1/admin/bookings', allowed: true } });
    addAudit(t, { action: 'invitation.created', target: 'invitation', changes: { role: 'VIEWER' } });
    const s = await signedIn(browser, srv, t, { role: 'OWNER' });
    await open(s.page, s.url('audit'), 'Audit log');
    const rows = s.page.locator('.audit-table tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 25, 'the first page');
    // The support row: marked, on its own colour.
    const support = s.page.locator('tr.on-behalf');
    assert.equal(await support.count(), 1);
    assert.match(await support.textContent(), /Agency support.*on behalf of the business.*support\.read/);
    await assertAccessible(s.page, 'audit log');
    await shot(s.page, 'audit', 'audit');

    // Paging: the cursor brings the older rows, none twice.
    await s.page.getByRole('button', { name: 'Show older entries' }).click();
    await s.page.waitForFunction(() => document.querySelectorAll('.audit-table tbody tr').length > 25);
    const total = Number(adminSql(`SELECT count(*) FROM audit_log WHERE tenant_id = ${lit(t.id)}`));
    assert.equal(await rows.count(), total);
    assert.equal(await s.page.getByRole('button', { name: 'Show older entries' }).count(), 0);

    // Filters: action, then who, then a date range in the business's zone.
    await s.page.getByLabel('Action').fill('invitation.created');
    await s.page.getByRole('button', { name: 'Apply filters' }).click();
    await s.page.waitForFunction(() => document.querySelectorAll('.audit-table tbody tr').length === 1);
    assert.match(await rows.first().textContent(), /invitation\.created/);
    await s.page.getByRole('button', { name: 'Clear' }).click();
    await s.page.getByLabel('Who').selectOption('platform');
    await s.page.getByRole('button', { name: 'Apply filters' }).click();
    // The support row and the operator's "tenant created".
    const byPlatform = Number(adminSql(`SELECT count(*) FROM audit_log WHERE tenant_id = ${lit(t.id)}
      AND actor_type = 'platform'`));
    assert.equal(byPlatform, 2);
    await s.page.waitForFunction((n) => document.querySelectorAll('.audit-table tbody tr').length === n, byPlatform);
    assert.match(await s.page.locator('.audit-table tbody').textContent(), /support\.read/);
    assert.doesNotMatch(await s.page.locator('.audit-table tbody').textContent(), /service\.updated|invitation/);
    await s.page.getByRole('button', { name: 'Clear' }).click();
    await s.page.getByLabel('From', { exact: true }).fill('2026-02-02');
    await s.page.getByLabel('To', { exact: true }).fill('2026-02-03');
    await s.page.getByRole('button', { name: 'Apply filters' }).click();
    const inRange = Number(adminSql(`SELECT count(*) FROM audit_log WHERE tenant_id = ${lit(t.id)}
      AND created_at >= '2026-02-02 00:00 America/New_York' AND created_at < '2026-02-04 00:00 America/New_York'`));
    assert.ok(inRange > 0 && inRange < 30);
    await s.page.waitForFunction((n) => document.querySelectorAll('.audit-table tbody tr').length === n, inRange);
    await s.page.getByLabel('Record type').fill('nothing-like-this');
    await s.page.getByRole('button', { name: 'Apply filters' }).click();
    await s.page.getByText('No entries match these filters.').waitFor();
    await s.page.getByRole('button', { name: 'Clear' }).click();
    await rows.nth(24).waitFor();

    // A row's detail: before and after per field.
    await s.page.getByLabel('Action').fill('service.updated');
    await s.page.getByLabel('From', { exact: true }).fill('2026-03-10');
    await s.page.getByRole('button', { name: 'Apply filters' }).click();
    await s.page.waitForFunction(() => document.querySelectorAll('.audit-table tbody tr').length === 1);
    await rows.first().getByRole('button').click();
    const dlg = s.page.getByRole('dialog', { name: 'Audit entry' });
    await dlg.getByRole('cell', { name: 'Cut and finish' }).waitFor();
    const nameRow = dlg.getByRole('row', { name: /name/ });
    assert.match(await nameRow.textContent(), /nameCutCut and finish/);
    assert.match(await dlg.getByRole('row', { name: /price_minor/ }).textContent(), /30003500/);
    await assertAccessible(s.page, 'audit detail dialog');
    await shot(s.page, 'audit', 'audit-detail');
    await s.page.keyboard.press('Escape');
    await dlg.waitFor({ state: 'hidden' });
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('audit log in the second brand and at 360 px', async () => {
    const s = await signedIn(browser, srv, b, { role: 'OWNER', width: 360, height: 740 });
    await open(s.page, s.url('audit'), 'Audit log');
    await s.page.locator('.audit-table tbody tr, .state.empty').first().waitFor();
    await assertFits(s.page, 'audit log');
    await assertAccessible(s.page, 'audit at 360 px');
    await shot(s.page, 'harbor', 'audit-360');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });
});
