// admin_inbox.test.mjs — the API the admin app's inbox, customers and
// receptionist pages added: taking a conversation over and closing it,
// conversations of one customer, the "try it" chat labelled as a test,
// and the business's notes on a customer (If-Match, limits, audit,
// export, erasure).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, killAll, lit } from './lib.mjs';
import { assertInvalid, assertStatus, auditRows, FAKE, signIn } from './admin_lib.mjs';
import { AUTH_ENV } from './auth_lib.mjs';
import { chat, chatServer, conversationRow, ok, salon } from './chat_lib.mjs';

after(killAll);

describe('inbox API', () => {
  let srv;
  let t;
  let owner;
  let viewer;

  before(async () => {
    srv = await chatServer(AUTH_ENV);
    t = salon();
    owner = await signIn(srv, t, 'OWNER');
    viewer = await signIn(srv, t, 'VIEWER');
  });
  after(() => srv?.kill());

  test('take over: ACTIVE → HANDED_OFF, the AI falls silent; twice is fine; audited', async () => {
    const c = chat(srv, t);
    await c.open();
    ok(await c.say('do you have parking?'));
    const id = c.conversationId();
    assert.equal((await viewer.post(`/v1/admin/conversations/${id}/takeover`, {})).status, 403);
    const r = assertStatus(await owner.post(`/v1/admin/conversations/${id}/takeover`, {}), 200);
    assert.equal(r.status, 'HANDED_OFF');
    assert.equal(r.handoff_reason, 'Taken over by a person from the admin.');
    assert.equal(r.claimed_by.id, owner.userId);
    assert.equal(conversationRow(t, id).status, 'HANDED_OFF');
    const again = assertStatus(await owner.post(`/v1/admin/conversations/${id}/takeover`, {}), 200);
    assert.equal(again.status, 'HANDED_OFF');
    const silent = ok(await c.say('do you accept credit cards?'));
    assert.equal(silent.text, undefined, 'the receptionist says nothing once a person has it');
    assert.deepEqual(auditRows(t, id, 'conversation.taken_over').map((a) => a.changes),
      [{ status: { from: 'ACTIVE', to: 'HANDED_OFF' } }], 'one audit row: the second call changed nothing');
    assertInvalid(await owner.post(`/v1/admin/conversations/${id}/takeover`, { x: 1 }), 'x');
    assert.equal((await owner.post(`/v1/admin/conversations/${FAKE}/takeover`, {})).status, 404);
    assert.equal((await owner.post('/v1/admin/conversations/not-an-id/takeover', {})).status, 404);
  });

  test('a handoff waits until a person takes it: the waiting filter, who has it, hand back', async () => {
    const admin = await signIn(srv, t, 'ADMIN');
    const waiting = async () => assertStatus(await owner.get('/v1/admin/conversations?waiting=true&limit=100'), 200)
      .items.map((x) => x.id);
    const c = chat(srv, t);
    await c.open();
    ok(await c.say('can I talk to a real person please'));
    const id = c.conversationId();
    assert.equal(conversationRow(t, id).status, 'HANDED_OFF');
    assert.ok((await waiting()).includes(id), 'the receptionist\'s handoff waits');
    let got = assertStatus(await owner.get(`/v1/admin/conversations/${id}`), 200);
    assert.equal(got.claimed_by, null);

    const r = assertStatus(await admin.post(`/v1/admin/conversations/${id}/takeover`, {}), 200);
    assert.equal(r.claimed_by.id, admin.userId);
    assert.ok(r.claimed_by.name);
    assert.match(r.claimed_by.at, /Z$/);
    assert.ok(!(await waiting()).includes(id), 'taken: no longer waiting');
    const rest = assertStatus(await owner.get('/v1/admin/conversations?waiting=false&limit=100'), 200);
    assert.equal(rest.items.find((x) => x.id === id)?.claimed_by?.id, admin.userId);
    // A second person does not take it from the first.
    const second = assertStatus(await owner.post(`/v1/admin/conversations/${id}/takeover`, {}), 200);
    assert.equal(second.claimed_by.id, admin.userId);
    assert.deepEqual(auditRows(t, id, 'conversation.taken_over').map((a) => a.changes), [{ claimed: true }]);

    // Handed back, then handed off again by the receptionist: waiting again.
    got = assertStatus(await owner.post(`/v1/admin/conversations/${id}/handback`, {}), 200);
    assert.equal(got.status, 'ACTIVE');
    assert.equal(got.claimed_by, null);
    ok(await c.say('I want to speak to a human'));
    assert.equal(conversationRow(t, id).status, 'HANDED_OFF');
    assert.ok((await waiting()).includes(id));
    // A reply takes it too.
    assertStatus(await owner.post(`/v1/admin/conversations/${id}/reply`, { text: 'Hi, Olive here.' }), 201);
    got = assertStatus(await owner.get(`/v1/admin/conversations/${id}`), 200);
    assert.equal(got.claimed_by.id, owner.userId);
    assert.ok(!(await waiting()).includes(id));
    assertInvalid(await owner.get('/v1/admin/conversations?waiting=maybe'), 'waiting');
  });

  test('close: the conversation ends, the widget session with it; closing twice is a conflict', async () => {
    const c = chat(srv, t);
    await c.open();
    ok(await c.say('can I talk to a real person please'));
    const id = c.conversationId();
    assert.equal((await viewer.post(`/v1/admin/conversations/${id}/close`, {})).status, 403);
    const r = assertStatus(await owner.post(`/v1/admin/conversations/${id}/close`, {}), 200);
    assert.equal(r.status, 'CLOSED');
    assert.ok(r.closed_at);
    assert.equal((await owner.post(`/v1/admin/conversations/${id}/close`, {})).status, 409);
    assert.equal((await owner.post(`/v1/admin/conversations/${id}/takeover`, {})).status, 409);
    assert.equal((await owner.post(`/v1/admin/conversations/${id}/reply`, { text: 'hi' })).status, 409);
    assert.equal((await c.send('hello?')).status, 404, 'the closed session answers no more');
    assert.equal(auditRows(t, id, 'conversation.closed').length, 1);
  });

  test('a customer\'s conversations (customer_id filter)', async () => {
    const cust = adminSql(`INSERT INTO customers (tenant_id, name, email) VALUES (${lit(t.id)},
      'Filter Person', 'filter@example.com') RETURNING id`);
    const c = chat(srv, t);
    await c.open();
    ok(await c.say('do you have parking?'));
    const id = c.conversationId();
    adminSql(`UPDATE conversations SET customer_id = ${lit(cust)} WHERE id = ${lit(id)}`);
    const r = assertStatus(await owner.get(`/v1/admin/conversations?customer_id=${cust}`), 200);
    assert.deepEqual(r.items.map((x) => x.id), [id]);
    const none = assertStatus(await owner.get(`/v1/admin/conversations?customer_id=${FAKE}`), 200);
    assert.deepEqual(none.items, []);
    assertInvalid(await owner.get('/v1/admin/conversations?customer_id=nope'), 'customer_id');
  });

  test('"try it" chats are labelled test; the flag is only a boolean', async () => {
    const s = await srv.request({ method: 'POST', path: '/v1/chat/session', host: t.host, body: { test: true } });
    assert.equal(s.status, 201, s.text);
    const id = adminSql(`SELECT id FROM conversations WHERE tenant_id = ${lit(t.id)}
      AND session_token_hash = sha256(convert_to(${lit(s.json.session_id)}, 'UTF8'))`);
    const one = assertStatus(await owner.get(`/v1/admin/conversations/${id}`), 200);
    assert.equal(one.test, true);
    const list = assertStatus(await owner.get('/v1/admin/conversations?limit=100'), 200);
    assert.equal(list.items.find((x) => x.id === id).test, true);
    assert.ok(list.items.filter((x) => x.id !== id).every((x) => x.test === false));
    const bad = await srv.request({ method: 'POST', path: '/v1/chat/session', host: t.host, body: { test: 'yes' } });
    assertInvalid(bad, 'test');
    assertInvalid(await srv.request({ method: 'POST', path: '/v1/chat/session', host: t.host, body: { other: 1 } }), 'other');
  });
});

describe('customer notes', () => {
  let srv;
  let t;
  let owner;
  let viewer;
  let cust;

  before(async () => {
    srv = await chatServer(AUTH_ENV);
    t = salon();
    owner = await signIn(srv, t, 'OWNER');
    viewer = await signIn(srv, t, 'VIEWER');
    cust = adminSql(`INSERT INTO customers (tenant_id, name, email, phone) VALUES (${lit(t.id)},
      'Nora Notes', 'nora@example.com', '+14155550123') RETURNING id`);
  });
  after(() => srv?.kill());

  test('notes: If-Match required, saved with a new version, stale refused, audited without the text', async () => {
    const c0 = assertStatus(await owner.get(`/v1/admin/customers/${cust}`), 200);
    assert.equal(c0.notes, null);
    assertInvalid(await owner.patch(`/v1/admin/customers/${cust}`, { notes: 'x' }), 'If-Match');
    assert.equal((await viewer.patch(`/v1/admin/customers/${cust}`, { notes: 'x' },
      { 'if-match': `"${c0.version}"` })).status, 403);
    const text = 'Allergic to latex.\nPrefers Alex.';
    const r = await owner.patch(`/v1/admin/customers/${cust}`, { notes: text }, { 'if-match': `"${c0.version}"` });
    assertStatus(r, 200);
    assert.equal(r.json.notes, text);
    assert.equal(r.json.version, c0.version + 1);
    assert.equal(r.headers.etag, `"${c0.version + 1}"`);
    assert.equal((await viewer.get(`/v1/admin/customers/${cust}`)).json.notes, text, 'a viewer reads them');
    const stale = await owner.patch(`/v1/admin/customers/${cust}`, { notes: 'other' }, { 'if-match': `"${c0.version}"` });
    assert.equal(stale.status, 409, stale.text);
    assert.ok(stale.json.error.details.some((d) => d.field === 'If-Match'));
    assert.equal(adminSql(`SELECT notes FROM customers WHERE id = ${lit(cust)}`), text);
    const audit = auditRows(t, cust, 'customer.updated');
    assert.equal(audit.length, 1);
    assert.doesNotMatch(JSON.stringify(audit), /latex/, 'the notes text stays out of the audit log');
    // "version" in the body works as If-Match; "" clears.
    const cleared = assertStatus(await owner.patch(`/v1/admin/customers/${cust}`, { notes: '', version: r.json.version }), 200);
    assert.equal(cleared.notes, null);
  });

  test('notes limits: 4000 characters, a string or null, nothing else', async () => {
    const v = (await owner.get(`/v1/admin/customers/${cust}`)).json.version;
    const h = { 'if-match': `"${v}"` };
    assertInvalid(await owner.patch(`/v1/admin/customers/${cust}`, { notes: 'x'.repeat(4001) }, h), 'notes');
    assertInvalid(await owner.patch(`/v1/admin/customers/${cust}`, { notes: 5 }, h), 'notes');
    assertInvalid(await owner.patch(`/v1/admin/customers/${cust}`, { notes: 'a\u0001b' }, h), 'notes');
    assertInvalid(await owner.patch(`/v1/admin/customers/${cust}`, { name: 'New' }, h), 'name');
    assertInvalid(await owner.patch(`/v1/admin/customers/${cust}`, {}, h), 'notes');
    assertInvalid(await owner.patch(`/v1/admin/customers/${cust}`, { notes: 'x' }, { 'if-match': 'W/"abc"' }), 'If-Match');
    const max = assertStatus(await owner.patch(`/v1/admin/customers/${cust}`, { notes: 'é'.repeat(4000) }, h), 200);
    assert.equal([...max.notes].length, 4000);
    assert.equal((await owner.patch(`/v1/admin/customers/${FAKE}`, { notes: 'x' }, h)).status, 404);
  });

  test('notes are in the export and gone after erasure', async () => {
    const v = (await owner.get(`/v1/admin/customers/${cust}`)).json.version;
    assertStatus(await owner.patch(`/v1/admin/customers/${cust}`, { notes: 'Loves tea' }, { 'if-match': `"${v}"` }), 200);
    const ex = assertStatus(await owner.get(`/v1/admin/customers/${cust}/export`), 200);
    assert.equal(ex.customer.notes, 'Loves tea');
    assertStatus(await owner.post(`/v1/admin/customers/${cust}/erase`, {}), 200);
    assert.equal(adminSql(`SELECT coalesce(notes, '<null>') FROM customers WHERE id = ${lit(cust)}`), '<null>');
    const again = assertStatus(await owner.post(`/v1/admin/customers/${cust}/erase`, {}), 200);
    assert.equal(again.already_erased, true);
  });
});
