// admin_inbox.test.mjs — the inbox, customers and receptionist pages in a
// real browser against the real server (offline receptionist): a customer
// chats through the widget API and asks for a person; the handoff appears
// live with a badge in an open inbox; a person of the business (ADMIN)
// takes a chat over, replies (the customer's chat history shows it),
// hands back and closes. Customers: search, paging, notes with If-Match
// (a stale edit offers reload / overwrite), erasure with a typed
// confirmation. Receptionist: settings saved, a key stored and never shown
// again, "try it" answers (and shows as a test in the inbox). A VIEWER
// sees no change buttons; axe on every page and dialog; 360 px; two brands.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { addOrigin, adminSql, hostSite, killAll, launch, lit, request, setBranding, startServer, waitFor } from './lib.mjs';
import { assertAccessible, open, shot, signedIn } from './admin_lib.mjs';
import { salon } from '../integration/chat_lib.mjs';
import { createUser, session } from '../integration/auth_lib.mjs';

after(killAll);

// A customer of tenant t chatting through the public chat API, as the widget does.
function customer(srv, t) {
  const c = {
    session: null,
    async open(body = {}) {
      const r = await request({ port: srv.port, method: 'POST', path: '/v1/chat/session', host: t.host, body });
      assert.equal(r.status, 201, r.text);
      c.session = r.json.session_id;
      return r.json;
    },
    async send(message) {
      const r = await request({ port: srv.port, method: 'POST', path: '/v1/chat/message', host: t.host,
        body: { session_id: c.session, message } });
      assert.equal(r.status, 200, r.text);
      return r.json;
    },
    async history() {
      const r = await request({ port: srv.port, method: 'POST', path: '/v1/chat/history', host: t.host,
        body: { session_id: c.session, after_seq: 0 } });
      assert.equal(r.status, 200, r.text);
      return r.json;
    },
    id() {
      return adminSql(`SELECT id FROM conversations WHERE tenant_id = ${lit(t.id)}
        AND session_token_hash = sha256(convert_to(${lit(c.session)}, 'UTF8'))`);
    },
  };
  return c;
}

const noOverflow = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);

describe('admin inbox, customers, receptionist', () => {
  let srv;
  let browser;
  let a;
  let b;

  before(async () => {
    a = salon({ name: 'Lumen Hair' });
    setBranding(a, { primary: '#0f766e', accent: '#134e4a', name: 'Lumen Hair Studio' });
    b = salon({ name: 'Harbor Dental' });
    setBranding(b, { primary: '#b45309', accent: '#7c2d12' });
    srv = await startServer({ ENABLE_TEST_ROUTES: 'true', REDIS_URL: '', LLM_PROVIDER: 'offline',
      CHAT_RATE_IP_PER_MIN: '0', CHAT_RATE_SESSION_PER_MIN: '0', CHAT_NEW_PER_HOUR: '0' });
    browser = await launch();
  });
  after(async () => { await browser?.close(); await srv?.kill(); });

  test('a handoff appears live with a badge; ADMIN takes over, replies, hands back, closes', async () => {
    const s = await signedIn(browser, srv, a, { role: 'ADMIN' });
    const { page } = s;
    await open(page, s.url('inbox'), 'Inbox');
    await page.locator('.live.live').waitFor();
    await page.getByText('Nobody is waiting.').waitFor();
    await assertAccessible(page, 'inbox (empty queue)');

    // A new conversation and its messages appear without a reload.
    const cust = customer(srv, a);
    await cust.open();
    await cust.send('do you have parking?');
    const list = page.getByRole('region', { name: 'Conversations' });
    await list.getByText('Yes, free parking behind the salon.').waitFor({ timeout: 5000 });

    // The customer asks for a person: the queue, its badge and the nav badge.
    await cust.send('can I talk to a real person please');
    const queue = page.getByRole('list', { name: /Waiting for a person/ });
    await queue.getByRole('link').first().waitFor({ timeout: 5000 });
    assert.equal(await queue.getByRole('link').count(), 1);
    await page.getByRole('navigation', { name: 'Main' }).getByLabel('1 waiting').waitFor();
    await assertAccessible(page, 'inbox (someone waiting)');
    await shot(page, 'lumen', 'inbox');

    // Open it: the transcript with what the receptionist did.
    await queue.getByRole('link').first().click();
    await page.getByRole('heading', { level: 1, name: 'Conversation' }).waitFor();
    const id = cust.id();
    assert.match(page.url(), new RegExp(`/admin/inbox/${id}$`));
    const transcript = page.getByRole('list', { name: 'Transcript' });
    await transcript.getByText('can I talk to a real person please').waitFor();
    await transcript.getByText(/Receptionist did:.*(FAQ|Handed)/).first().waitFor();
    await page.getByRole('article').getByText('Waiting for a person').waitFor();
    await assertAccessible(page, 'conversation');
    await shot(page, 'lumen', 'conversation');

    // A message the customer sends now appears in the open transcript.
    await cust.send('hello? anyone there?');
    await transcript.getByText('hello? anyone there?').waitFor({ timeout: 3000 });

    // Reply as a person: the customer's chat shows it.
    await page.getByLabel('Reply as a person').fill('Hi, this is Sam from the salon.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await transcript.getByText('Hi, this is Sam from the salon.').waitFor();
    const h = await cust.history();
    assert.equal(h.items.at(-1).text, 'Hi, this is Sam from the salon.');
    assert.equal(h.items.at(-1).author, 'human');
    assert.equal(h.status, 'HANDED_OFF');
    // Replying took it: it no longer waits, the badge is gone, the page says who has it.
    await page.getByRole('article').getByText('You have this conversation', { exact: false }).waitFor();
    await page.getByRole('article').getByText(/^With /).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByLabel('1 waiting').waitFor({ state: 'detached' });
    await page.getByText('Nobody is waiting.').waitFor();

    // Hand back, then close (the dialog asks first).
    await page.getByRole('button', { name: 'Hand back to the receptionist' }).click();
    await page.getByRole('article').getByText('Receptionist answering').waitFor();
    assert.equal(adminSql(`SELECT status FROM conversations WHERE id = ${lit(id)}`), 'ACTIVE');
    const back = await cust.send('do you accept credit cards?');
    assert.equal(back.message.text, 'We accept all major credit cards.');
    await page.getByRole('button', { name: 'Close conversation' }).click();
    const dlg = page.getByRole('dialog', { name: 'Close this conversation?' });
    await dlg.waitFor();
    await assertAccessible(page, 'close dialog');
    await dlg.getByRole('button', { name: 'Close it' }).click();
    await page.getByText(/The customer's next message starts a new conversation/).waitFor();
    assert.equal(adminSql(`SELECT status FROM conversations WHERE id = ${lit(id)}`), 'CLOSED');
    assert.equal(await page.getByRole('button', { name: 'Send reply' }).count(), 0);

    // Take over an active chat; the push-notification link opens it too.
    const c2 = customer(srv, a);
    await c2.open();
    await c2.send('do you have parking?');
    await page.goto(s.url(`conversations/${c2.id()}`));
    await page.getByRole('heading', { level: 1, name: 'Conversation' }).waitFor();
    await page.getByRole('button', { name: 'Take over' }).click();
    await page.getByRole('button', { name: 'Hand back to the receptionist' }).waitFor();
    assert.equal(adminSql(`SELECT status FROM conversations WHERE id = ${lit(c2.id())}`), 'HANDED_OFF');
    const quiet = await c2.send('are you there?');
    assert.equal(quiet.message, null, 'the receptionist is silent once a person took over');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('the customer\'s widget shows the person\'s reply', async () => {
    const api = `http://${a.host}:${srv.port}`;
    const site = await hostSite(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
<body><h1>A shop</h1><script src="${api}/widget.js" async></script></body></html>`);
    addOrigin(a, site.origin);
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    try {
      await page.goto(site.url);
      const w = page.locator('rcp-widget');
      await w.locator('button.launcher').click();
      await w.locator('.msg.bot').first().waitFor();
      await w.locator('textarea').fill('can I talk to a real person please');
      await w.locator('textarea').press('Enter');
      await w.locator('.msg.bot', { hasText: /passed your conversation/ }).waitFor();
      const id = adminSql(`SELECT id FROM conversations WHERE tenant_id = ${lit(a.id)} AND status = 'HANDED_OFF'
        ORDER BY created_at DESC LIMIT 1`);
      const s = await signedIn(browser, srv, a, { role: 'ADMIN' });
      await open(s.page, s.url(`inbox/${id}`), 'Conversation');
      await s.page.getByLabel('Reply as a person').fill('Hello from the desk, how can I help?');
      await s.page.getByRole('button', { name: 'Send reply' }).click();
      await s.page.getByRole('list', { name: 'Transcript' }).getByText('Hello from the desk, how can I help?').waitFor();
      await w.locator('.msg.bot', { hasText: 'Hello from the desk, how can I help?' }).waitFor({ timeout: 12000 });
      assert.deepEqual(s.problems, []);
      await s.ctx.close();
    } finally {
      await ctx.close();
      await site.close();
    }
  });

  test('customers: search, paging, notes with If-Match (stale: reload or overwrite), erase', async () => {
    const T = lit(a.id);
    adminSql(`INSERT INTO customers (tenant_id, name, email, created_at)
      SELECT ${T}, 'Bulk Person ' || g, 'bulk' || g || '@example.com', now() - g * interval '1 minute'
      FROM generate_series(1, 30) g`);
    const nora = adminSql(`INSERT INTO customers (tenant_id, name, email, phone, sms_consent)
      VALUES (${T}, 'Nora Quill', 'nora@example.com', '+14155550177', true) RETURNING id`);
    const s = await signedIn(browser, srv, a, { role: 'ADMIN' });
    const { page } = s;
    await open(page, s.url('customers'), 'Customers');
    const rows = page.locator('tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 25);
    await page.getByRole('button', { name: 'Show more' }).click();
    await waitFor(async () => (await rows.count()) > 25, { what: 'the second page' });
    await assertAccessible(page, 'customers');
    await shot(page, 'lumen', 'customers');
    await page.getByLabel('Search').fill('quill');
    await waitFor(async () => (await rows.count()) === 1, { what: 'the search' });
    await page.getByRole('link', { name: 'Nora Quill' }).click();
    await page.getByRole('heading', { level: 1, name: 'Nora Quill' }).waitFor();
    await page.getByText('Agreed').waitFor();
    await assertAccessible(page, 'customer');

    // Notes saved with If-Match.
    await page.getByLabel('Notes for the team').fill('Allergic to latex.');
    await page.getByRole('button', { name: 'Save notes' }).click();
    await page.getByText('Notes saved.').waitFor();
    assert.equal(adminSql(`SELECT notes FROM customers WHERE id = ${lit(nora)}`), 'Allergic to latex.');
    await shot(page, 'lumen', 'customer');

    // Someone else edits meanwhile: the stale choice; reload shows theirs.
    const other = await session(srv, createUser({ tenant: a, role: 'OWNER' }).email, { host: a.host });
    const v = (await other.get(`/v1/admin/customers/${nora}`)).json.version;
    assert.equal((await other.patch(`/v1/admin/customers/${nora}`, { notes: 'Theirs.' }, { 'if-match': `"${v}"` })).status, 200);
    await page.getByLabel('Notes for the team').fill('Mine.');
    await page.getByRole('button', { name: 'Save notes' }).click();
    await page.getByText('Changed elsewhere since you opened it.').waitFor();
    await assertAccessible(page, 'stale notes');
    await page.getByRole('button', { name: 'Reload their version' }).click();
    await waitFor(async () => (await page.getByLabel('Notes for the team').inputValue()) === 'Theirs.', { what: 'their notes' });
    // Again stale, and this time overwrite.
    const v2 = (await other.get(`/v1/admin/customers/${nora}`)).json.version;
    await other.patch(`/v1/admin/customers/${nora}`, { notes: 'Theirs again.' }, { 'if-match': `"${v2}"` });
    await page.getByLabel('Notes for the team').fill('Mine after all.');
    await page.getByRole('button', { name: 'Save notes' }).click();
    await page.getByRole('button', { name: 'Overwrite with mine' }).click();
    await page.getByText('Notes saved.').waitFor();
    assert.equal(adminSql(`SELECT notes FROM customers WHERE id = ${lit(nora)}`), 'Mine after all.');

    // Erase: typed confirmation.
    await page.getByRole('button', { name: 'Erase their data…' }).click();
    const dlg = page.getByRole('dialog', { name: /Erase this customer's data/ });
    await dlg.waitFor();
    await assertAccessible(page, 'erase dialog');
    assert.equal(await dlg.getByRole('button', { name: 'Erase for good' }).isDisabled(), true);
    await dlg.getByLabel('Type ERASE to confirm').fill('ERASE');
    await dlg.getByRole('button', { name: 'Erase for good' }).click();
    await page.getByRole('heading', { level: 1, name: 'Erased customer' }).waitFor();
    assert.equal(adminSql(`SELECT (erased_at IS NOT NULL)::text || ' ' || coalesce(notes, '-')
      FROM customers WHERE id = ${lit(nora)}`), 'true -');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('receptionist: settings saved, try it answers (a test in the inbox), key stored and never shown', async () => {
    const s = await signedIn(browser, srv, a, { role: 'OWNER' });
    const { page } = s;
    await open(page, s.url('receptionist'), 'Receptionist');
    await page.getByLabel('Greeting').waitFor();
    await assertAccessible(page, 'receptionist');
    await page.getByLabel('Greeting').fill('Hello from Lumen! How can we help?');
    await page.getByLabel('Tone').selectOption('professional');
    await page.getByLabel('Escalation keywords').fill('complaint\nrefund');
    await page.getByLabel('Never do').fill('Never give medical advice');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Receptionist settings saved.').waitFor();
    assert.equal(adminSql(`SELECT greeting || '|' || tone || '|' || array_to_string(handoff_keywords, ',')
      || '|' || array_to_string(never_do, ',') FROM ai_settings WHERE tenant_id = ${lit(a.id)}`),
    'Hello from Lumen! How can we help?|professional|complaint,refund|Never give medical advice');

    // Try it: the tenant's own receptionist answers, through the public chat API.
    await page.getByLabel('Your message').fill('do you have parking?');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const log = page.getByRole('list', { name: 'Test conversation' });
    await log.getByText('Yes, free parking behind the salon.').waitFor();
    await assertAccessible(page, 'try it');
    await shot(page, 'lumen', 'receptionist');
    assert.equal(adminSql(`SELECT count(*) FROM conversations WHERE tenant_id = ${lit(a.id)} AND test`), '1');
    await page.goto(s.url('inbox'));
    await page.getByRole('region', { name: 'Conversations' }).getByText('Test', { exact: true }).first().waitFor();

    // The key: stored, and never in the page again.
    await open(page, s.url('receptionist'), 'Receptionist');
    const KEY = 'sk-test-DoNotShow-9f8e7d6c5b4a';
    await page.getByLabel('Provider').selectOption('openai');
    await page.getByLabel('API key').fill(KEY);
    await page.getByRole('button', { name: 'Save model settings' }).click();
    await page.getByText('A key is stored', { exact: true }).waitFor();
    assert.equal(await page.getByLabel('API key').inputValue(), '');
    await page.reload();
    await page.getByText('A key is stored', { exact: true }).waitFor();
    assert.doesNotMatch(await page.content(), /DoNotShow/);
    const api = await page.evaluate(() => fetch('/v1/admin/ai-provider').then((r) => r.text()));
    assert.doesNotMatch(api, /DoNotShow/);
    // Gemini is a provider of its own; changing only the choice keeps the key.
    await page.getByLabel('Provider').selectOption('gemini');
    await page.getByLabel('Model', { exact: true }).fill('gemini-2.5-flash');
    await page.getByRole('button', { name: 'Save model settings' }).click();
    await page.locator('p.model-now strong', { hasText: /^gemini$/ }).waitFor();
    assert.equal(adminSql(`SELECT provider || '|' || model || '|' || (api_key_ct IS NOT NULL)::text
      FROM tenant_llm_settings WHERE tenant_id = ${lit(a.id)}`), 'gemini|gemini-2.5-flash|true');
    await page.reload();
    await page.locator('p.model-now strong', { hasText: /^gemini$/ }).waitFor();
    assert.equal(await page.getByLabel('Provider').inputValue(), 'gemini');
    await page.getByRole('button', { name: 'Use the standard model' }).click();
    await page.getByText(/The standard model/).waitFor();
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('a VIEWER reads everything and sees no change buttons', async () => {
    const c = customer(srv, a);
    await c.open();
    await c.send('can I talk to a real person please');
    const cust = adminSql(`SELECT id FROM customers WHERE tenant_id = ${lit(a.id)} AND erased_at IS NULL LIMIT 1`);
    const s = await signedIn(browser, srv, a, { role: 'VIEWER' });
    const { page } = s;
    await open(page, s.url(`inbox/${c.id()}`), 'Conversation');
    await page.getByRole('list', { name: 'Transcript' }).getByText('can I talk to a real person please').waitFor();
    for (const name of ['Take over', 'Hand back to the receptionist', 'Close conversation', 'Send reply']) {
      assert.equal(await page.getByRole('button', { name }).count(), 0, name);
    }
    await assertAccessible(page, 'conversation (viewer)');
    await open(page, s.url(`customers/${cust}`), /.+/);
    await page.getByRole('heading', { name: 'Notes' }).waitFor();
    for (const name of ['Save notes', 'Erase their data…', 'Download their data']) {
      assert.equal(await page.getByRole('button', { name }).count(), 0, name);
    }
    await assertAccessible(page, 'customer (viewer)');
    await open(page, s.url('receptionist'), 'Receptionist');
    await page.getByText('Never give medical advice').waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Try it' }).count(), 0, 'no test chat for a viewer');
    for (const name of ['Save settings', 'Save model settings']) {
      assert.equal(await page.getByRole('button', { name }).count(), 0, name);
    }
    await assertAccessible(page, 'receptionist (viewer)');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('360 px and the second brand', async () => {
    const c = customer(srv, b);
    await c.open();
    await c.send('do you have parking?');
    await c.send('can I talk to a real person please');
    adminSql(`INSERT INTO customers (tenant_id, name, email) VALUES (${lit(b.id)}, 'Ada Brook', 'ada@example.com')`);
    const s = await signedIn(browser, srv, b, { role: 'OWNER', width: 360, height: 740 });
    const { page } = s;
    await open(page, s.url('inbox'), 'Inbox');
    await page.getByRole('list', { name: /Waiting for a person/ }).getByRole('link').first().click();
    await page.getByRole('list', { name: 'Transcript' }).waitFor();
    assert.equal(await page.getByRole('region', { name: 'Conversations' }).isVisible(), false, 'one pane at a time');
    assert.ok(await noOverflow(page), 'conversation fits 360 px');
    await assertAccessible(page, 'conversation 360');
    await shot(page, 'harbor', 'conversation-360');
    await open(page, s.url('customers'), 'Customers');
    await page.getByRole('link', { name: 'Ada Brook' }).click();
    await page.getByRole('heading', { level: 1, name: 'Ada Brook' }).waitFor();
    assert.ok(await noOverflow(page), 'customer fits 360 px');
    await shot(page, 'harbor', 'customer-360');
    await open(page, s.url('receptionist'), 'Receptionist');
    await page.getByLabel('Greeting').waitFor();
    assert.ok(await noOverflow(page), 'receptionist fits 360 px');
    await shot(page, 'harbor', 'receptionist-360');
    await s.ctx.close();

    const w = await signedIn(browser, srv, b, { role: 'OWNER' });
    for (const [p, h, name] of [['inbox', 'Inbox', 'inbox'], ['customers', 'Customers', 'customers'],
      ['receptionist', 'Receptionist', 'receptionist']]) {
      await open(w.page, w.url(p), h);
      await w.page.waitForFunction(() => !document.querySelector('main .state.loading'));
      await shot(w.page, 'harbor', name);
    }
    await w.page.goto(w.url(`inbox/${c.id()}`));
    await w.page.getByRole('list', { name: 'Transcript' }).waitFor();
    await shot(w.page, 'harbor', 'conversation');
    assert.deepEqual(w.problems, []);
    await w.ctx.close();
  });
});
