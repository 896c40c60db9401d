/* test_availability_prop.c — properties over many random tenants: random
 * zones and dates around DST transitions, hours across midnight, closures,
 * staff, bookings with buffers, resource units, bundles, notice, horizon,
 * preferences. For each seed:
 *
 * - the generator agrees with a brute-force oracle written from the rules
 *   in availability.h (minute-by-minute wall-clock scans, linear searches
 *   through every booking): same starts, same staff, same units;
 * - avail_slot_is_offered agrees with the generator: yes with the same
 *   assignment for every generated start, no everywhere else (every grid
 *   start of every interval, plus random minutes), and for named staff it
 *   agrees with the oracle. */
#include "test_availability_fixture.c"

#include <stdlib.h>

#define SEEDS 200

static struct fx F;

static uint64_t rng;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (unsigned)(rng % n) : 0;
}

static const char *const staff_names[] = { "s0", "s1", "s2", "s3", "s4" };
static const char *const res_names[] = { "r0", "r1", "r2" };

static void
random_hours(struct avail_hours *h, size_t *n, int max_per_day, bool allow_all_day)
{
	for (int wd = 1; wd <= 7; wd++) {
		int k = rnd(10) < 8 ? 1 + (int)rnd((unsigned)max_per_day) : 0;

		for (int i = 0; i < k; i++) {
			int start = (int)rnd(288) * 5, len = 30 + (int)rnd(187) * 5, end;

			if (allow_all_day && rnd(4) == 0) {
				start = 0;
				len = 1440;
			}
			end = start + len;
			if (end > 1440)
				end -= 1440;	/* closes the next day */
			h[(*n)++] = (struct avail_hours){ wd, start, end };
		}
	}
}

/* A random instant on a 5-minute grid near the requested dates. */
static int64_t
near(int span_days)
{
	return (int64_t)F.in.start_day * TZ_DAY_S - 12 * 3600 +
	    (int64_t)rnd((unsigned)(span_days * 288)) * 300;
}

static void
random_input(unsigned seed)
{
	static const struct {
		const char *zone;
		const char *date;
	} places[] = {
		{ "America/New_York", "2026-03-08" }, { "America/New_York", "2026-11-01" },
		{ "Europe/London", "2026-03-29" }, { "Europe/London", "2026-10-25" },
		{ "Australia/Lord_Howe", "2026-10-04" }, { "Australia/Lord_Howe", "2026-04-05" },
		{ "Asia/Kathmandu", "2026-06-10" }, { "Asia/Tokyo", "2026-03-08" },
		{ "UTC", "2026-11-01" }, { "America/New_York", "2026-07-15" },
	};
	static const int steps[] = { 5, 10, 15, 20, 30, 45, 60, 90 };
	unsigned p;
	int days;

	rng = 0x9E3779B97F4A7C15ull ^ ((uint64_t)seed * 0x100000001B3ull);
	for (int i = 0; i < 4; i++)
		(void)rnd(2);
	p = rnd(sizeof(places) / sizeof(places[0]));
	days = 1 + (int)rnd(3);
	fx_init(&F, places[p].zone, places[p].date, days);
	F.in.start_day -= (int32_t)rnd(2);
	F.in.step_min = steps[rnd(8)];
	random_hours(F.hours, &F.in.n_hours, 2, true);
	for (int i = (int)rnd(3); i > 0; i--)
		F.closures[F.in.n_closures++] = F.in.start_day - 1 + (int32_t)rnd((unsigned)days + 2);

	for (int r = (int)rnd(3); r > 0; r--)
		fx_resource(&F, res_names[F.in.n_resources], (int)rnd(4));
	for (int k = 1 + (int)rnd(5); k > 0; k--) {
		int s = (int)F.in.n_staff++;
		struct avail_staff *st = &F.staff[s];

		st->id = staff_names[s];
		st->schedule = F.staff_hours[s];
		st->time_off = F.time_off[s];
		st->calendar_busy = F.busy[s];
		if (rnd(2))
			random_hours(F.staff_hours[s], &st->n_schedule, 2, true);
		else
			for (int wd = 1; wd <= 7; wd++)
				F.staff_hours[s][st->n_schedule++] = (struct avail_hours){ wd, 0, 1440 };
		for (int i = (int)rnd(3); i > 0; i--) {
			int64_t a = near(days + 1);

			F.time_off[s][st->n_time_off++] =
			    (struct avail_range){ a, a + 300 * (1 + (int64_t)rnd(48)) };
		}
		for (int i = (int)rnd(4); i > 0; i--) {
			int64_t a = near(days + 1);

			F.busy[s][st->n_calendar_busy++] =
			    (struct avail_range){ a, a + 300 * (int64_t)rnd(24) };
		}
	}

	F.in.n_services = 1 + rnd(3);
	for (size_t i = 0; i < F.in.n_services; i++) {
		struct avail_service *sv = &F.svc[i];

		sv->duration_min = 5 + 5 * (int)rnd(18);
		sv->buffer_before_min = 5 * (int)rnd(4);
		sv->buffer_after_min = 5 * (int)rnd(4);
		sv->n_addons = 0;
		for (int a = (int)rnd(3); a > 0; a--)
			F.addons[i][sv->n_addons++] = 5 * (int)rnd(7);
		sv->n_staff_ids = 0;
		for (size_t s = 0; s < F.in.n_staff; s++)
			if (rnd(10) < 6)
				F.svc_staff[i][sv->n_staff_ids++] = staff_names[s];
		sv->n_needs = 0;
		for (size_t r = 0; r < F.in.n_resources; r++)
			if (rnd(10) < 4)
				fx_need(&F, (int)i, res_names[r], 1 + (int)rnd(2));
	}

	for (int i = (int)rnd(40); i > 0; i--) {
		int64_t a = near(days + 1);
		struct avail_booking *b = fx_booking(&F,
		    rnd(10) == 0 ? NULL : staff_names[rnd((unsigned)F.in.n_staff)],
		    a, a + 300 * (1 + (int64_t)rnd(24)));

		b->buffer_before_min = 5 * (int)rnd(4);
		b->buffer_after_min = 5 * (int)rnd(4);
		for (int u = (int)rnd(3); u > 0 && F.in.n_resources > 0; u--) {
			unsigned r = rnd((unsigned)F.in.n_resources);

			fx_booking_unit(b, res_names[r], 1 + (int)rnd((unsigned)F.res[r].units + 1));
		}
	}
	for (size_t s = 0; s < F.in.n_staff; s++)
		for (int d = 0; d < days; d++)
			if (rnd(2))
				F.counts[F.in.n_day_counts++] = (struct avail_day_count){
				    staff_names[s], F.in.start_day + d, (int)rnd(4) };

	F.in.now = near(days + 1) - TZ_DAY_S;
	F.in.min_notice_min = (int)rnd(300);
	F.in.max_days_ahead = (int)rnd(6);
	if (rnd(10) < 3) {
		const char *want = staff_names[rnd((unsigned)F.in.n_staff)];

		for (size_t i = 0; i < F.in.n_services; i++)
			for (size_t k = 0; k < F.svc[i].n_staff_ids; k++)
				if (strcmp(F.svc_staff[i][k], want) == 0)
					F.in.preferred_staff_id = want;
	}
}

/* ---- the oracle: the rules, written as directly as possible ------------ */

static bool
closed(int32_t d)
{
	for (size_t i = 0; i < F.in.n_closures; i++)
		if (F.closures[i] == d)
			return true;
	return false;
}

/* Instants [a, b) of weekly interval h opening on date d. */
static void
interval_on(int32_t d, const struct avail_hours *h, int64_t *a, int64_t *b, int64_t *open)
{
	int end = h->end_min <= h->start_min ? h->end_min + 1440 : h->end_min;

	*open = (int64_t)d * TZ_DAY_S + h->start_min * 60;
	*a = tz_from_wall(F.z, *open);
	*b = tz_from_wall(F.z, (int64_t)d * TZ_DAY_S + (int64_t)end * 60);
}

/* The raw intervals, unmerged, for the dates that can matter: business
 * hours (closures removed) and each staff member's schedule. */
struct raw {
	int64_t a[512], b[512];
	size_t n;
};

static struct raw raw_business, raw_staff[8];

static void
raw_build(struct raw *r, const struct avail_hours *h, size_t n, bool business)
{
	r->n = 0;
	for (int32_t d = F.in.start_day - 3; d < F.in.start_day + F.in.days + 3; d++) {
		if (business && closed(d))
			continue;
		for (size_t i = 0; i < n; i++) {
			int64_t o;

			if (h[i].weekday != tz_iso_weekday(d))
				continue;
			assert_true(r->n < 512);
			interval_on(d, &h[i], &r->a[r->n], &r->b[r->n], &o);
			r->n++;
		}
	}
}

static void
raw_all(void)
{
	raw_build(&raw_business, F.hours, F.in.n_hours, true);
	for (size_t k = 0; k < F.in.n_staff; k++)
		raw_build(&raw_staff[k], F.staff[k].schedule, F.staff[k].n_schedule, false);
}

static bool
open_at(const struct raw *r, int64_t t)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->a[i] <= t && t < r->b[i])
			return true;
	return false;
}

/* Every boundary in these inputs is on a 5-minute grid, so checking every
 * 5 minutes (and the last second) checks every instant. */
static bool
open_throughout(const struct raw *r, int64_t x, int64_t y)
{
	for (int64_t t = x; t < y; t += 300)
		if (!open_at(r, t))
			return false;
	return open_at(r, y - 1);
}

static bool
hits(int64_t a, int64_t b, int64_t x, int64_t y)
{
	return a < b && a < y && x < b;
}

static bool
staff_free(int k, int64_t x, int64_t y, int64_t px, int64_t py)
{
	const struct avail_staff *s = &F.staff[k];

	if (!open_throughout(&raw_business, x, y) || !open_throughout(&raw_staff[k], x, y))
		return false;
	for (size_t i = 0; i < s->n_time_off; i++)
		if (hits(s->time_off[i].start, s->time_off[i].end, px, py))
			return false;
	for (size_t i = 0; i < s->n_calendar_busy; i++)
		if (hits(s->calendar_busy[i].start, s->calendar_busy[i].end, px, py))
			return false;
	for (size_t i = 0; i < F.in.n_bookings; i++) {
		const struct avail_booking *b = &F.bookings[i];

		if (b->staff_id && strcmp(b->staff_id, s->id) == 0 &&
		    hits(b->start - b->buffer_before_min * 60, b->end + b->buffer_after_min * 60,
		    px, py))
			return false;
	}
	return true;
}

static bool
unit_free(const char *res, int unit, int64_t px, int64_t py)
{
	for (size_t i = 0; i < F.in.n_bookings; i++) {
		const struct avail_booking *b = &F.bookings[i];

		for (size_t u = 0; u < b->n_units; u++)
			if (strcmp(b->units[u].resource_id, res) == 0 && b->units[u].unit == unit &&
			    hits(b->start - b->buffer_before_min * 60,
			    b->end + b->buffer_after_min * 60, px, py))
				return false;
	}
	return true;
}

static int
staff_index(const char *id)
{
	for (size_t k = 0; k < F.in.n_staff; k++)
		if (strcmp(F.staff[k].id, id) == 0)
			return (int)k;
	return -1;
}

static bool
can_do(size_t svc, int k)
{
	for (size_t i = 0; i < F.svc[svc].n_staff_ids; i++)
		if (strcmp(F.svc_staff[svc][i], F.staff[k].id) == 0)
			return true;
	return false;
}

static int
count_of(int k, int32_t d)
{
	int n = 0;

	for (size_t i = 0; i < F.in.n_day_counts; i++)
		if (strcmp(F.counts[i].staff_id, F.staff[k].id) == 0 && F.counts[i].day == d)
			n += F.counts[i].count;
	return n;
}

struct verdict {
	bool offered;
	const char *staff[AVAIL_MAX_SERVICES];
	int units[AVAIL_MAX_SERVICES][8];
	int n_units[AVAIL_MAX_SERVICES];
	int64_t end;
};

/* required[i]: the staff id service i must have, or NULL for any. */
static struct verdict
oracle(int64_t s, const char *const *required)
{
	struct verdict v = { 0 };
	int32_t d = tz_local_day(F.z, s);
	int64_t at = s;

	if (d < F.in.start_day || d >= F.in.start_day + F.in.days ||
	    d > tz_local_day(F.z, F.in.now) + F.in.max_days_ahead ||
	    s < F.in.now + F.in.min_notice_min * 60)
		return v;
	for (size_t i = 0; i < F.in.n_services; i++) {
		const struct avail_service *sv = &F.svc[i];
		int64_t dur = sv->duration_min, x, y, px, py;
		int best = -1;

		for (size_t a = 0; a < sv->n_addons; a++)
			dur += sv->addon_min[a];
		if (i > 0)
			at += sv->buffer_before_min * 60;
		x = at;
		y = x + dur * 60;
		px = x - sv->buffer_before_min * 60;
		py = y + sv->buffer_after_min * 60;
		at = py;
		for (size_t k = 0; k < F.in.n_staff; k++) {
			if (!can_do(i, (int)k))
				continue;
			if (required && required[i] && strcmp(required[i], F.staff[k].id) != 0)
				continue;
			if (!staff_free((int)k, x, y, px, py))
				continue;
			if (best < 0 || count_of((int)k, d) < count_of(best, d))
				best = (int)k;
		}
		if (best < 0)
			return v;
		v.staff[i] = F.staff[best].id;
		for (size_t n = 0; n < sv->n_needs; n++) {
			int r = -1, got = 0;

			for (size_t j = 0; j < F.in.n_resources; j++)
				if (strcmp(F.res[j].id, sv->needs[n].resource_id) == 0)
					r = (int)j;
			for (int u = 1; u <= F.res[r].units && got < sv->needs[n].quantity; u++)
				if (unit_free(F.res[r].id, u, px, py)) {
					v.units[i][v.n_units[i]++] = u;
					got++;
				}
			if (got < sv->needs[n].quantity)
				return v;
		}
		v.end = y;
	}
	v.offered = true;
	return v;
}

/* The generator's preference, as the oracle's per-service requirement. */
static void
preference(const char **required)
{
	for (size_t i = 0; i < F.in.n_services; i++) {
		required[i] = NULL;
		if (F.in.preferred_staff_id && can_do(i, staff_index(F.in.preferred_staff_id)))
			required[i] = F.in.preferred_staff_id;
	}
}

static void
assert_same(const struct avail_slot *s, const struct verdict *v)
{
	assert_true(v->offered);
	assert_int_equal(s->end, v->end);
	for (size_t i = 0; i < F.in.n_services; i++) {
		assert_string_equal(s->services[i].staff_id, v->staff[i]);
		assert_int_equal(s->services[i].n_units, v->n_units[i]);
		for (int u = 0; u < v->n_units[i]; u++)
			assert_int_equal(s->services[i].units[u].unit, v->units[i][u]);
	}
}

static bool
offered(int64_t t, const char *const *staff, struct avail_slot *slot)
{
	bool yes = false;

	assert_int_equal(avail_slot_is_offered(&F.in, t, staff, &F.arena, &yes, slot, NULL),
	    ST_OK);
	return yes;
}

/* Every start the oracle offers, found by walking every minute of every
 * business interval and keeping those on its wall-clock grid. */
static size_t
oracle_starts(int64_t *out, size_t cap)
{
	const char *required[AVAIL_MAX_SERVICES];
	size_t n = 0;

	preference(required);
	for (int32_t d = F.in.start_day - 3; d < F.in.start_day + F.in.days + 3; d++) {
		if (closed(d))
			continue;
		for (size_t i = 0; i < F.in.n_hours; i++) {
			int64_t a, b, open;

			if (F.hours[i].weekday != tz_iso_weekday(d))
				continue;
			interval_on(d, &F.hours[i], &a, &b, &open);
			for (int64_t t = a; t < b; t += 60) {
				if (tz_floor_mod(tz_wall(F.z, t) - open, F.in.step_min * 60) != 0)
					continue;
				if (!oracle(t, required).offered)
					continue;
				assert_true(n < cap);
				out[n++] = t;
			}
		}
	}
	return n;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void
test_generator_agrees_with_the_oracle(void **state)
{
	static int64_t want[20000];
	size_t total = 0;

	for (unsigned seed = 1; seed <= SEEDS; seed++) {
		const char *required[AVAIL_MAX_SERVICES];
		struct avail_result *r;
		size_t n, m = 0;

		random_input(seed);
		raw_all();
		preference(required);
		r = fx_run(&F);
		n = oracle_starts(want, sizeof(want) / sizeof(want[0]));
		qsort(want, n, sizeof(want[0]), cmp64);
		for (size_t i = 0; i < n; i++)
			if (i == 0 || want[i] != want[i - 1])
				want[m++] = want[i];
		if (m != r->n_slots)
			print_message("seed %u: oracle %zu slots, generator %zu\n", seed, m,
			    r->n_slots);
		assert_int_equal(m, r->n_slots);
		for (size_t i = 0; i < m; i++) {
			struct verdict v = oracle(want[i], required);

			assert_int_equal(r->slots[i].start, want[i]);
			assert_same(&r->slots[i], &v);
		}
		total += m;
		fx_free(&F);
	}
	/* The random tenants must actually offer something, or this proves
	 * nothing. */
	assert_true(total > SEEDS * 10);
}

static void
test_slot_is_offered_agrees_with_the_generator(void **state)
{
	static int64_t grid[20000];

	for (unsigned seed = 1; seed <= SEEDS; seed++) {
		struct avail_result *r;
		size_t n, n_grid;

		random_input(seed);
		raw_all();
		r = fx_run(&F);
		/* Every generated slot, with the same description. */
		for (size_t i = 0; i < r->n_slots; i++) {
			const struct avail_slot *s = &r->slots[i];
			const char *named[AVAIL_MAX_SERVICES];
			struct avail_slot again;

			assert_true(offered(s->start, NULL, &again));
			assert_string_equal(again.start_text, s->start_text);
			assert_string_equal(again.end_text, s->end_text);
			for (size_t k = 0; k < s->n_services; k++) {
				assert_string_equal(again.services[k].staff_id, s->services[k].staff_id);
				assert_int_equal(again.services[k].n_units, s->services[k].n_units);
				for (size_t u = 0; u < s->services[k].n_units; u++)
					assert_int_equal(again.services[k].units[u].unit,
					    s->services[k].units[u].unit);
				named[k] = s->services[k].staff_id;
			}
			/* Naming the staff it was offered with is also an offer. */
			assert_true(offered(s->start, named, NULL));
		}
		/* No other start is: grid starts of every open interval, offered
		 * or not, and random minutes. */
		n = 0;
		for (int32_t d = F.in.start_day - 3; d < F.in.start_day + F.in.days + 3; d++)
			for (size_t i = 0; i < F.in.n_hours && n < 19000 && !closed(d); i++) {
				int64_t a, b, open;

				if (F.hours[i].weekday != tz_iso_weekday(d))
					continue;
				interval_on(d, &F.hours[i], &a, &b, &open);
				for (int64_t t = a; t < b && n < 19000; t += 60)
					if (tz_floor_mod(tz_wall(F.z, t) - open, F.in.step_min * 60) == 0)
						grid[n++] = t;
			}
		n_grid = n;
		for (int i = 0; i < 100; i++)
			grid[n++] = near(F.in.days + 1) + 60 * (int64_t)rnd(5);
		/* All of them would take seconds per seed under the sanitizers:
		 * a random 200 grid starts and the random minutes do. */
		for (size_t i = 0; i < 200 && n_grid > 0; i++) {
			int64_t t = grid[rnd((unsigned)n_grid)];

			assert_int_equal(offered(t, NULL, NULL), fx_find_at(r, t) != NULL);
		}
		for (size_t i = n_grid; i < n; i++)
			assert_int_equal(offered(grid[i], NULL, NULL),
			    fx_find_at(r, grid[i]) != NULL);
		/* Named staff: agrees with the oracle on a few grid starts (the
		 * oracle does not judge the grid itself). */
		for (int i = 0; i < 20 && n_grid > 0; i++) {
			int64_t t = grid[rnd((unsigned)n_grid)];
			const char *named[AVAIL_MAX_SERVICES];

			for (size_t k = 0; k < F.in.n_services; k++)
				named[k] = rnd(3) ? staff_names[rnd((unsigned)F.in.n_staff)] : NULL;
			assert_int_equal(offered(t, named, NULL), oracle(t, named).offered);
		}
		fx_free(&F);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generator_agrees_with_the_oracle),
		cmocka_unit_test(test_slot_is_offered_agrees_with_the_generator),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
