// race.test.mjs — the race the issue is about: 50 customers asking for the
// same slot at the same moment get exactly one booking and 49 clear 409s,
// round after round; and again with the application's pre-check switched
// off (BOOKING_PRECHECK=false, honoured only with ENABLE_TEST_ROUTES), so
// nothing but the database's exclusion constraints stands between them —
// per staff member, and per unit of a shared resource.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';

import { adminSql, killAll, lit, startServer } from './lib.mjs';
import { book, bookingBody, count, CUT, dayAhead, salon, staffId } from './booking_lib.mjs';

after(killAll);

const CONCURRENT = 50;
const ROUNDS = 20;

// Fires CONCURRENT bookings at start at once, each from a different
// customer with its own Idempotency-Key; returns the statuses.
async function race(srv, t, start, staffFor = () => undefined) {
  const tag = start.replace(/\D/g, '');
  const replies = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) =>
    book(srv, t, bookingBody(start, { email: `racer${i}-${tag}@example.com`,
      staffId: staffFor(i) }))));
  for (const r of replies) {
    if (r.status !== 201 && r.status !== 409) assert.fail(`unexpected ${r.status}: ${r.text}`);
  }
  return replies;
}

// Distinct, non-overlapping starts on one day: 08:00, 08:30, … (UTC tenant).
const startOf = (date, i) => {
  const m = 8 * 60 + 30 * i;
  return `${date}T${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00Z`;
};

function checkRound(t, start, replies, what) {
  const won = replies.filter((r) => r.status === 201);
  const lost = replies.filter((r) => r.status === 409);
  assert.equal(won.length, 1, `${what}: exactly one 201, got ${won.length}`);
  assert.equal(lost.length, CONCURRENT - 1, `${what}: ${CONCURRENT - 1} × 409`);
  for (const r of lost) assert.equal(r.json.error.code, 'CONFLICT');
  assert.equal(count('bookings', t, `starts_at = ${lit(start)}::timestamptz`), 1,
    `${what}: one booking in the database`);
  return won[0].json;
}

for (const precheck of [true, false]) {
  describe(`${CONCURRENT} concurrent bookings of one slot, pre-check ${precheck ? 'on' : 'off'}`, () => {
    let srv;
    after(() => srv?.kill());

    test(`one staff member: exactly one 201 and ${CONCURRENT - 1} × 409, ${ROUNDS} rounds`, async () => {
      srv = await startServer(precheck ? {} : { ENABLE_TEST_ROUTES: 'true', BOOKING_PRECHECK: 'false' });
      const t = salon({ staff: ['Ann'], opens: '08:00', closes: '20:00' });
      const date = dayAhead(10);
      let messages = 0;
      let taken = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const start = startOf(date, round);
        const replies = await race(srv, t, start);
        checkRound(t, start, replies, `round ${round}`);
        messages += replies.filter((r) => /just taken|not available/.test(r.json?.error?.message ?? '')).length;
        taken += replies.filter((r) => r.json?.error?.message === 'That time was just taken.').length;
      }
      assert.equal(messages, ROUNDS * (CONCURRENT - 1), 'every loser is told why');
      if (!precheck) {
        // Without the pre-check, every loser was stopped by the database.
        assert.equal(taken, ROUNDS * (CONCURRENT - 1), 'all refusals are the constraint\'s');
      }
      assert.equal(count('bookings', t), ROUNDS);
      // Never two claims on one person at once.
      assert.equal(adminSql(`SELECT count(*) FROM slot_claims a JOIN slot_claims b
        ON a.tenant_id = b.tenant_id AND a.staff_id = b.staff_id AND a.id < b.id
        AND a.during && b.during WHERE a.tenant_id = ${lit(t.id)}`), '0');
      // Losers left no customers or claims behind.
      assert.equal(count('customers', t), ROUNDS);
      assert.equal(count('slot_claims', t), ROUNDS);
    });

    if (!precheck) {
      test('two staff members, one chair: the chair decides', async () => {
        const t = salon({ staff: ['Ann', 'Bob'], chairs: 1, opens: '08:00', closes: '20:00' });
        const date = dayAhead(11);
        for (let round = 0; round < 5; round++) {
          const start = startOf(date, round);
          // Half ask for Ann, half for Bob: their staff claims never
          // collide; the single chair unit does.
          const replies = await race(srv, t, start, (i) => staffId(i % 2));
          checkRound(t, start, replies, `chair round ${round}`);
        }
        assert.equal(adminSql(`SELECT count(*) FROM slot_claims a JOIN slot_claims b
          ON a.tenant_id = b.tenant_id AND a.resource_id = b.resource_id AND a.unit = b.unit
          AND a.id < b.id AND a.during && b.during WHERE a.tenant_id = ${lit(t.id)}`), '0');
      });
    }
  });
}

describe('the pre-check switch', () => {
  test('BOOKING_PRECHECK=false is ignored unless test routes are enabled', async () => {
    const srv = await startServer({ BOOKING_PRECHECK: 'false' });
    try {
      const t = salon();
      const start = `${dayAhead(12)}T10:00:00Z`;
      assert.equal((await book(srv, t, bookingBody(start))).status, 201);
      const r = await book(srv, t, bookingBody(start, { email: 'late@example.com' }));
      assert.equal(r.status, 409);
      assert.equal(r.json.error.message, 'That time is not available.', 'the pre-check answered');
    } finally {
      await srv.kill();
    }
  });
});
