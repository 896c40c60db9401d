// admin_lists.test.mjs — the conventions every admin list and update
// shares: cursor pagination (120 FAQs paged by 50: nothing missed, nothing
// twice, stable while rows are added), sort and typed filters, soft
// delete with include_deleted, optimistic concurrency (If-Match: stale →
// 409, missing → 400), and the read-only, filterable audit log, newest
// first.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, createTenant, killAll, lit } from './lib.mjs';
import { adminServer, assertInvalid, assertStatus, countRows, listAll, signIn } from './admin_lib.mjs';

after(killAll);

describe('pagination, sort and filters over 120 FAQs', () => {
  let srv;
  let t;
  let c;
  const made = [];

  before(async () => {
    srv = await adminServer();
    t = createTenant({ name: 'Paging Pets' });
    c = await signIn(srv, t);
    for (let i = 0; i < 120; i++) {
      const r = await c.post('/v1/admin/faqs', { question: `Question ${String(i).padStart(3, '0')}?`,
        answer: `Answer ${i}.`, sort_order: i % 7, active: i % 3 !== 0,
        tags: i % 10 === 0 ? ['tens'] : [] });
      made.push(assertStatus(r, 201, `faq ${i}`));
    }
  });
  after(() => srv?.kill());

  test('default order, 50 per page: 50 + 50 + 20, each FAQ exactly once', async () => {
    const pages = [];
    let cursor = null;
    do {
      const r = await c.get(`/v1/admin/faqs${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
      assertStatus(r, 200);
      pages.push(r.json.items);
      cursor = r.json.next_cursor;
    } while (cursor);
    assert.deepEqual(pages.map((p) => p.length), [50, 50, 20]);
    const ids = pages.flat().map((f) => f.id);
    assert.equal(new Set(ids).size, 120);
    assert.deepEqual(new Set(ids), new Set(made.map((f) => f.id)));
    // sort_order, then creation, then id: what the database says.
    const want = adminSql(`SELECT string_agg(id::text, ',' ORDER BY sort_order, created_at, id)
      FROM faqs WHERE tenant_id = ${lit(t.id)} AND deleted_at IS NULL`).split(',');
    assert.deepEqual(ids, want);
  });

  test('every sort, both directions, any page size: the same set in order', async () => {
    for (const sort of ['sort_order', '-sort_order', 'created_at', '-created_at', 'updated_at']) {
      for (const limit of [1, 7, 100]) {
        if (limit === 1 && sort !== '-sort_order') continue;	// 120 round trips once is enough
        const items = await listAll(c, `/v1/admin/faqs?sort=${sort}`, { limit, max: 200 });
        assert.equal(items.length, 120, `${sort} by ${limit}`);
        assert.equal(new Set(items.map((f) => f.id)).size, 120, `${sort} by ${limit}: no duplicates`);
        const key = sort.replace('-', '');
        for (let i = 1; i < items.length; i++) {
          const a = items[i - 1][key];
          const b = items[i][key];
          assert.ok(sort.startsWith('-') ? a >= b : a <= b, `${sort}: ${a} then ${b}`);
        }
      }
    }
  });

  test('rows added mid-way neither repeat nor shift what is left', async () => {
    const first = assertStatus(await c.get('/v1/admin/faqs?limit=50'), 200);
    // Sorts before the cursor: must not appear on the following pages.
    const early = assertStatus(await c.post('/v1/admin/faqs', { question: 'Early?', answer: 'Yes.',
      sort_order: 0 }), 201);
    const rest = [];
    let cursor = first.next_cursor;
    while (cursor) {
      const r = assertStatus(await c.get(`/v1/admin/faqs?limit=50&cursor=${encodeURIComponent(cursor)}`), 200);
      rest.push(...r.items);
      cursor = r.next_cursor;
    }
    const seen = [...first.items, ...rest].map((f) => f.id);
    assert.equal(new Set(seen).size, seen.length, 'no FAQ twice');
    assert.equal(seen.length, 120, 'the 120 FAQs, no more, no less');
    assert.ok(!seen.includes(early.id));
    assertStatus(await c.del(`/v1/admin/faqs/${early.id}`), 204);
  });

  test('typed filters combine with sort and paging', async () => {
    const inactive = await listAll(c, '/v1/admin/faqs?active=false&sort=-sort_order', { limit: 15 });
    assert.equal(inactive.length, 40);
    assert.ok(inactive.every((f) => f.active === false));
    const order3 = await listAll(c, '/v1/admin/faqs?sort_order=3&active=true');
    assert.equal(order3.length, made.filter((f) => f.sort_order === 3 && f.active).length);
    const tens = await listAll(c, '/v1/admin/faqs?tags=tens');
    assert.equal(tens.length, 12);
    assert.ok(tens.every((f) => f.tags.includes('tens')));
    assert.equal((await listAll(c, '/v1/admin/faqs?tags=nothing')).length, 0);
  });

  test('bad list parameters name themselves', async () => {
    assertInvalid(await c.get('/v1/admin/faqs?limit=0'), 'limit');
    assertInvalid(await c.get('/v1/admin/faqs?limit=101'), 'limit');
    assertInvalid(await c.get('/v1/admin/faqs?sort=answer'), 'sort');
    assertInvalid(await c.get('/v1/admin/faqs?sort_order=many'), 'sort_order');
    assertInvalid(await c.get('/v1/admin/faqs?active=maybe'), 'active');
    assertInvalid(await c.get('/v1/admin/faqs?question=x'), 'question');
    assertInvalid(await c.get('/v1/admin/faqs?cursor=bogus'), 'cursor');
    const other = assertStatus(await c.get('/v1/admin/faqs?sort=-created_at&limit=5'), 200);
    assertInvalid(await c.get(`/v1/admin/faqs?cursor=${encodeURIComponent(other.next_cursor)}`),
      'cursor');
  });

  test('soft delete hides a row; include_deleted shows it', async () => {
    const victim = made[5];
    assertStatus(await c.del(`/v1/admin/faqs/${victim.id}`), 204);
    const live = await listAll(c, '/v1/admin/faqs');
    assert.equal(live.length, 119);
    assert.ok(!live.some((f) => f.id === victim.id));
    const all = await listAll(c, '/v1/admin/faqs?include_deleted=true');
    assert.equal(all.length, 121, 'the 120 and the one deleted mid-way');
    const gone = all.find((f) => f.id === victim.id);
    assert.match(gone.deleted_at, /Z$/);
    assertStatus(await c.get(`/v1/admin/faqs/${victim.id}`), 404);
    assertStatus(await c.patch(`/v1/admin/faqs/${victim.id}`, { answer: 'x' },
      { 'if-match': '1' }), 404);
    assert.equal(countRows('faqs', t, `id = ${lit(victim.id)}`), 1, 'still in the table');
  });
});

describe('optimistic concurrency', () => {
  let srv;
  let t;
  let c;

  before(async () => {
    srv = await adminServer();
    t = createTenant({ name: 'Version Vets' });
    c = await signIn(srv, t);
  });
  after(() => srv?.kill());

  test('If-Match: current → 200, stale → 409 and nothing saved, missing → 400', async () => {
    const f = assertStatus(await c.post('/v1/admin/faqs', { question: 'Q?', answer: 'A.' }), 201);
    const path = `/v1/admin/faqs/${f.id}`;
    const missing = await c.patch(path, { answer: 'B.' });
    assertInvalid(missing, 'If-Match');
    const ok = await c.patch(path, { answer: 'B.' }, { 'if-match': '"1"' });
    assert.equal(assertStatus(ok, 200).version, 2);
    // A second editor still holding version 1 loses, with nothing saved.
    const stale = await c.patch(path, { answer: 'C.' }, { 'if-match': '"1"' });
    assert.equal(stale.status, 409, stale.text);
    assert.equal(stale.json.error.code, 'CONFLICT');
    assert.equal(stale.json.error.details[0].field, 'If-Match');
    const now = assertStatus(await c.get(path), 200);
    assert.equal(now.answer, 'B.');
    assert.equal(now.version, 2);
    // "version" in the body works like If-Match; disagreeing with it is refused.
    assert.equal(assertStatus(await c.patch(path, { answer: 'D.', version: 2 }), 200).version, 3);
    assertInvalid(await c.patch(path, { answer: 'E.', version: 3 }, { 'if-match': '"2"' }),
      'If-Match');
    assertInvalid(await c.patch(path, { answer: 'E.' }, { 'if-match': 'soon' }), 'If-Match');
    // Weak and unquoted forms are accepted.
    assert.equal(assertStatus(await c.patch(path, { answer: 'F.' }, { 'if-match': 'W/"3"' }), 200)
      .version, 4);
    // A delete with a stale If-Match is refused too; without one it goes.
    assert.equal((await c.del(path, { 'if-match': '"3"' })).status, 409);
    assertStatus(await c.del(path, { 'if-match': '"4"' }), 204);
  });

  test('concurrent updates with the same version: exactly one wins', async () => {
    const f = assertStatus(await c.post('/v1/admin/faqs', { question: 'Race?', answer: '0' }), 201);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      c.patch(`/v1/admin/faqs/${f.id}`, { answer: String(i + 1) }, { 'if-match': '"1"' })));
    const codes = results.map((r) => r.status).sort();
    assert.deepEqual(codes, [200, 409, 409, 409, 409, 409, 409, 409]);
    const winner = results.find((r) => r.status === 200).json.answer;
    assert.equal(assertStatus(await c.get(`/v1/admin/faqs/${f.id}`), 200).answer, winner);
  });
});

describe('the audit log', () => {
  let srv;
  let t;
  let c;

  before(async () => {
    srv = await adminServer();
    t = createTenant({ name: 'Audit Arts' });
    c = await signIn(srv, t);
  });
  after(() => srv?.kill());

  test('newest first, filterable, paginated, read-only', async () => {
    const f = assertStatus(await c.post('/v1/admin/faqs', { question: 'A?', answer: 'a' }), 201);
    for (let i = 0; i < 4; i++)
      assertStatus(await c.patch(`/v1/admin/faqs/${f.id}`, { answer: `a${i}`, version: i + 1 }), 200);
    assertStatus(await c.post('/v1/admin/services', { name: 'S', duration_minutes: 15,
      price_minor: 0, currency: 'USD' }), 201);

    const all = await listAll(c, '/v1/admin/audit-log', { limit: 2 });
    assert.ok(all.length >= 6);
    for (let i = 1; i < all.length; i++)
      assert.ok(all[i - 1].created_at >= all[i].created_at, 'newest first');
    assert.equal(all[0].action, 'service.created');

    const mine = await listAll(c, `/v1/admin/audit-log?target_type=faq&target_id=${f.id}`);
    assert.deepEqual(mine.map((a) => a.action), ['faq.updated', 'faq.updated', 'faq.updated',
      'faq.updated', 'faq.created']);
    assert.deepEqual(mine[0].changes, { answer: { from: 'a2', to: 'a3' } });
    const byAction = await listAll(c, '/v1/admin/audit-log?action=faq.created');
    assert.equal(byAction.length, 1);
    const byActor = await listAll(c, `/v1/admin/audit-log?actor_type=user&actor_id=${c.userId}`);
    assert.equal(byActor.length, 6);
    const future = await listAll(c, '/v1/admin/audit-log?from=2999-01-01T00:00:00Z');
    assert.equal(future.length, 0);
    const past = await listAll(c, '/v1/admin/audit-log?to=2000-01-01T00:00:00Z');
    assert.equal(past.length, 0);
    const window = await listAll(c, `/v1/admin/audit-log?from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z`);
    assert.equal(window.length, all.length);
    const jsWindow = await listAll(c, `/v1/admin/audit-log?from=2000-01-01T00:00:00.123Z&to=${new Date(Date.now() + 86400e3).toISOString()}`);
    assert.equal(jsWindow.length, all.length);
    const one = assertStatus(await c.get(`/v1/admin/audit-log/${mine[0].id}`), 200);
    assert.deepEqual(one, mine[0]);
    assertInvalid(await c.get('/v1/admin/audit-log?actor_type=robot'), 'actor_type');
    assertInvalid(await c.get('/v1/admin/audit-log?from=yesterday'), 'from');
    assertInvalid(await c.get('/v1/admin/audit-log?sort=action'), 'sort');
    assert.equal((await c.post('/v1/admin/audit-log', {})).status, 405);
    assert.equal((await c.del(`/v1/admin/audit-log/${mine[0].id}`)).status, 405);
  });
});
