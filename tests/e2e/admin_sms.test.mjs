// admin_sms.test.mjs — the SMS card of the Brand and channels page in a
// real browser, as the OWNER: the platform's account by default, the
// business's own Twilio account saved (the token sent once, never shown
// again: only "ends in …"), the number customers text, a bad number
// answered on its field, removal; a VIEWER sees the card and no form; axe.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { adminSql, createTenant, killAll, launch, lit, startServer } from './lib.mjs';
import { assertAccessible, open, shot, signedIn } from './admin_lib.mjs';

after(killAll);

const SID = `AC${randomBytes(16).toString('hex')}`;
const TOKEN = randomBytes(16).toString('hex');
const INBOUND = `+1415${String(Date.now()).slice(-7)}`;

describe('admin: SMS settings', () => {
  let srv;
  let browser;
  let t;

  before(async () => {
    t = createTenant({ name: 'Lumen Hair', plan: 'pro' });
    srv = await startServer({ ENABLE_TEST_ROUTES: 'true', REDIS_URL: '',
      TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'platform-token-0000',
      TWILIO_FROM: '+15005550006' });
    browser = await launch();
  });
  after(async () => { await browser?.close(); await srv?.kill(); });

  test('the owner sets the business\'s own Twilio account; the token is never shown again', async () => {
    const s = await signedIn(browser, srv, t, { role: 'OWNER' });
    await open(s.page, s.url('brand'), 'Brand and channels');
    const card = s.page.locator('section[aria-labelledby=sms-h]');
    await card.getByRole('heading', { name: 'Text messages (SMS)' }).waitFor();
    await card.locator('strong', { hasText: "the platform's account" }).waitFor();
    assert.match(await card.locator('.sms-usage').textContent(), /0 of 5000 texts sent/);
    await assertAccessible(s.page, 'brand page with the SMS card');
    // A number that is not E.164: the server's words on the field.
    await card.getByLabel('Number customers text').fill('555-1234');
    await card.getByRole('button', { name: 'Save SMS settings' }).click();
    await card.locator('.field.invalid .field-error').first().waitFor();
    await card.getByLabel('Twilio Account SID').fill(SID);
    await card.getByLabel('Auth token').fill(TOKEN);
    await card.getByLabel('From number').fill('+15017122662');
    await card.getByLabel('Number customers text').fill(INBOUND);
    await card.getByRole('button', { name: 'Save SMS settings' }).click();
    await s.page.getByText('SMS settings saved.').waitFor();
    await card.locator('strong', { hasText: 'your Twilio account' }).waitFor();
    await card.getByText(`Set (ends in ${TOKEN.slice(-4)})`).waitFor();
    assert.equal(await card.getByLabel('Auth token').inputValue(), '');
    assert.equal(adminSql(`SELECT account_sid || '|' || inbound_number FROM sms_settings
      WHERE tenant_id = ${lit(t.id)}`), `${SID}|${INBOUND}`);
    await s.page.reload();
    await card.locator('strong', { hasText: 'your Twilio account' }).waitFor();
    assert.ok(!(await s.page.content()).includes(TOKEN), 'the token is in the page');
    assert.equal(await card.getByLabel('Twilio Account SID').inputValue(), SID);
    await assertAccessible(s.page, 'SMS card with settings');
    await shot(s.page, 'lumen', 'sms');
    // Removing them: back to the platform's account.
    s.page.once('dialog', (d) => d.accept());
    await card.getByRole('button', { name: 'Remove' }).click();
    await s.page.getByText('SMS settings removed.').waitFor();
    await card.locator('strong', { hasText: "the platform's account" }).waitFor();
    assert.equal(adminSql(`SELECT count(*) FROM sms_settings WHERE tenant_id = ${lit(t.id)}`), '0');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('a VIEWER sees the card and no form', async () => {
    const s = await signedIn(browser, srv, t, { role: 'VIEWER' });
    await open(s.page, s.url('brand'), 'Brand and channels');
    const card = s.page.locator('section[aria-labelledby=sms-h]');
    await card.locator('.sms-usage').waitFor();
    assert.equal(await card.getByRole('button', { name: 'Save SMS settings' }).count(), 0);
    assert.equal(await card.getByLabel('Auth token').count(), 0);
    await s.ctx.close();
  });
});
