// admin_messages.test.mjs — the Messages page in a real browser: the owner
// sees every message with its recipient, what it is in words, status,
// attempts and last error; filters by status and channel; sends a dead
// message again from the keyboard (the row then waits to send, and the
// retry is audited). A VIEWER sees the list without any Send again button.
// axe on the page; the navigation lists it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, createTenant, killAll, launch, lit, startServer } from './lib.mjs';
import { assertAccessible, open, shot, signedIn } from './admin_lib.mjs';

after(killAll);

function message(t, { to, template, status, attempts = 0, error = null, channel = 'email' }) {
  return adminSql(`INSERT INTO notification_outbox (tenant_id, channel, recipient, template, payload,
      status, attempts, last_error, next_attempt_at)
    VALUES (${lit(t.id)}, ${lit(channel)}, ${lit(to)}, ${lit(template)}, '{}', ${lit(status)}, ${attempts},
      ${error ? lit(error) : 'NULL'}, now() + interval '1 day') RETURNING id`);
}

describe('messages page', () => {
  let srv;
  let browser;
  let t;
  let dead;

  before(async () => {
    t = createTenant({ name: 'Lumen Hair' });
    message(t, { to: 'ok@example.com', template: 'booking.confirmed', status: 'sent', attempts: 1 });
    message(t, { to: '+14155550100', template: 'booking.confirmed', status: 'queued', channel: 'sms' });
    dead = message(t, { to: 'gone@example.com', template: 'booking.cancelled', status: 'dead', attempts: 10,
      error: 'Try again later (SMTP 451)' });
    srv = await startServer({ ENABLE_TEST_ROUTES: 'true', REDIS_URL: '' });
    browser = await launch();
  });
  after(async () => { await browser?.close(); await srv?.kill(); });

  test('the owner sees every message in words and sends a dead one again', async () => {
    const s = await signedIn(browser, srv, t, { role: 'OWNER' });
    await open(s.page, s.url('messages'), 'Messages');
    assert.ok(await s.page.getByRole('link', { name: 'Messages' }).count() >= 1, 'in the navigation');
    await s.page.waitForFunction(() => document.querySelectorAll('table.messages-table tbody tr').length === 3);
    const deadRow = s.page.locator(`tr[data-status="dead"]`);
    const text = await deadRow.textContent();
    assert.match(text, /gone@example\.com/);
    assert.match(text, /Booking cancelled, to the customer/);
    assert.match(text, /Gave up after retries/);
    assert.match(text, /10/);
    assert.match(text, /SMTP 451/);
    assert.equal(await s.page.getByRole('button', { name: /^Send again/ }).count(), 1, 'only the dead one');
    await assertAccessible(s.page, 'messages');
    await shot(s.page, 'lumen', 'messages');

    // Filters: failed and dead; text messages.
    const only = (status) => s.page.waitForFunction((st) => {
      const r = [...document.querySelectorAll('table.messages-table tbody tr')];
      return r.length === 1 && r[0].dataset.status === st;
    }, status);
    await s.page.getByLabel('Status').selectOption('failed');
    await only('dead');
    await s.page.getByLabel('Status').selectOption('');
    await s.page.getByLabel('Channel').selectOption('sms');
    await only('queued');
    assert.match(await s.page.locator('table.messages-table tbody tr').textContent(), /\+14155550100 \(text\)/);
    await s.page.getByLabel('Channel').selectOption('');
    await s.page.waitForFunction(() => document.querySelectorAll('table.messages-table tbody tr').length === 3);

    // From the keyboard: focus the button, press Enter.
    const btn = s.page.getByRole('button', { name: 'Send again: Booking cancelled, to the customer to gone@example.com' });
    await btn.focus();
    await s.page.keyboard.press('Enter');
    await s.page.locator(`tr[data-status="queued"]`, { hasText: 'gone@example.com' }).waitFor();
    assert.equal(adminSql(`SELECT status || ':' || attempts FROM notification_outbox WHERE id = ${lit(dead)}`), 'queued:0');
    assert.equal(adminSql(`SELECT count(*) FROM audit_log WHERE tenant_id = ${lit(t.id)}
      AND action = 'message.retried' AND target_id = ${lit(dead)}`), '1');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('a viewer sees the messages but no Send again', async () => {
    message(t, { to: 'late@example.com', template: 'ai.handoff', status: 'failed', attempts: 1, error: 'No such mailbox (SMTP 550)' });
    const s = await signedIn(browser, srv, t, { role: 'VIEWER' });
    await open(s.page, s.url('messages'), 'Messages');
    await s.page.locator('tr[data-status="failed"]', { hasText: 'Conversation waiting for a person' }).waitFor();
    assert.equal(await s.page.getByRole('button', { name: /^Send again/ }).count(), 0);
    await s.ctx.close();
  });
});
