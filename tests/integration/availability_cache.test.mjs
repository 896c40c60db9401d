// availability_cache.test.mjs — the claims availability reads are kept in
// each `serve` process (tenants_cache.c) under the tenant's claims stamp:
// a booking, hold or cancellation made through this process is reflected by
// its very next answer; one made through another process, or in SQL behind
// every server's back, within moments (NOTIFY claims_changed, migration
// 0033); a hold that expires frees its time with no change at all.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, killAll, lit, startServer, waitFor } from './lib.mjs';
import {
  book, bookingBody, CUT, dayAhead, expect, hold, salon, starts,
} from './booking_lib.mjs';

after(killAll);

describe('availability from cached claims', () => {
  let s1;
  let s2;
  let t;

  before(async () => {
    [s1, s2] = await Promise.all([
      startServer({ TENANT_CACHE_TTL_S: '300' }),
      startServer({ TENANT_CACHE_TTL_S: '300' }),
    ]);
    t = salon({ staff: ['Ann'] });
  });
  after(async () => { await s1?.kill(); await s2?.kill(); });

  // Until the start is (or is not) offered by srv: changes made elsewhere
  // arrive by NOTIFY, a moment after their commit.
  async function offered(srv, d, start, want, what) {
    await waitFor(async () => (await starts(srv, t, d)).includes(start) === want,
      { timeoutMs: 3000, intervalMs: 25, what });
  }

  test('a booking through this process is gone from its next answer', async () => {
    const d = dayAhead(3);
    const start = `${d}T10:00:00+00:00`;
    for (let i = 0; i < 2; i++) assert.ok((await starts(s1, t, d)).includes(start), 'offered (cold, then cached)');
    const b = expect(await book(s1, t, bookingBody(start)), 201);
    assert.ok(!(await starts(s1, t, d)).includes(start), 'not offered right after the booking');
    // The other process learns it by NOTIFY.
    await offered(s2, d, start, false, 'the other process drops the booked time');
    // Cancelled through the other process: offered again on both.
    const c = await s2.request({ method: 'POST', path: `/v1/public/bookings/${b.reference}/cancel`,
      host: t.host, body: { email: 'zoe@example.com' } });
    assert.equal(c.status, 200, c.text);
    assert.ok((await starts(s2, t, d)).includes(start), 'offered again where it was cancelled');
    await offered(s1, d, start, true, 'offered again on the first process');
  });

  test('a hold through one process reaches the other; deleted in SQL, both offer it again', async () => {
    const d = dayAhead(4);
    const start = `${d}T11:00:00+00:00`;
    for (const s of [s1, s2]) assert.ok((await starts(s, t, d)).includes(start));
    const h = expect(await hold(s1, t, { service_ids: [CUT], start }), 201);
    assert.ok(!(await starts(s1, t, d)).includes(start), 'held: gone at once where it was made');
    await offered(s2, d, start, false, 'the other process sees the hold');
    // Behind both servers' backs (an operator, a migration).
    adminSql(`DELETE FROM holds WHERE id = ${lit(h.hold_id)}`);
    for (const s of [s1, s2]) await offered(s, d, start, true, `port ${s.port} sees it gone`);
  });

  test('a hold that expires frees its time without any change', async () => {
    const d = dayAhead(5);
    const start = `${d}T12:00:00+00:00`;
    const h = expect(await hold(s1, t, { service_ids: [CUT], start }), 201);
    assert.ok(!(await starts(s1, t, d)).includes(start), 'held: not offered');
    // The hold ends in two seconds (one change, one NOTIFY), then nothing
    // changes: the cached claims still hold it, and it has expired.
    adminSql(`UPDATE slot_claims SET expires_at = now() + interval '2 seconds' WHERE hold_id = ${lit(h.hold_id)}`);
    await offered(s1, d, start, false, 'still held for two seconds');
    await new Promise((r) => setTimeout(r, 2200));
    assert.ok((await starts(s1, t, d)).includes(start), 'offered once the hold expired');
  });
});
