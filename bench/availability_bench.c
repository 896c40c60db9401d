/* availability_bench.c — the availability target, measured on the
 * engine alone: 30 days for a tenant with 10 staff, 3 resources and 5,000
 * existing bookings (deterministic pseudo-random, across New York's March
 * DST change). Prints min / p50 / p99 / max over 200 runs for "any staff",
 * a preferred staff member and a two-service bundle, then the booking
 * path's single-slot re-check and the cost of opening a zone.
 *
 *   build/tests/unit/availability_bench [runs]
 *
 * Each run includes everything a request pays: arena, zone open,
 * preparation, generation, RFC 3339 formatting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/appointments/availability.h"

#define N_STAFF 10
#define N_BOOKINGS 5000
#define DAYS 30

static uint64_t rng = 0x2545F4914F6CDD1Dull;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static const char *const staff_ids[N_STAFF] = {
	"8f0c0b1e-0001", "8f0c0b1e-0002", "8f0c0b1e-0003", "8f0c0b1e-0004",
	"8f0c0b1e-0005", "8f0c0b1e-0006", "8f0c0b1e-0007", "8f0c0b1e-0008",
	"8f0c0b1e-0009", "8f0c0b1e-0010",
};

static struct avail_staff staff[N_STAFF];
static struct avail_hours schedules[N_STAFF][14];
static struct avail_range time_off[N_STAFF][4];
static struct avail_range busy[N_STAFF][40];
static struct avail_resource resources[] = { { "chair", 8 }, { "sink", 3 }, { "room", 1 } };
static struct avail_hours hours[14];
static int32_t closures[2];
static struct avail_booking bookings[N_BOOKINGS];
static struct avail_unit units[N_BOOKINGS][2];
static struct avail_day_count counts[N_STAFF * DAYS];
static struct avail_service services[2];
static const char *cut_staff[8], *colour_staff[5];
static struct avail_need cut_needs[] = { { "chair", 1 } };
static struct avail_need colour_needs[] = { { "chair", 1 }, { "sink", 1 } };
static int addons[] = { 15 };

/* spread_days: the bookings' dates are drawn from that many days starting
 * 60 days before the window when larger than DAYS (a tenant's history and
 * future, as a store that does not filter by range would pass them), or
 * from the window itself (DAYS: the densest possible calendar). */
static void
build(struct avail_input *in, struct tz *z, int spread_days)
{
	int32_t first;
	size_t nh = 0;

	if (!tz_date_parse("2026-02-20", &first))
		abort();
	for (int wd = 1; wd <= 6; wd++) {	/* closed Sundays; a lunch break on Saturdays */
		if (wd == 6) {
			hours[nh++] = (struct avail_hours){ wd, 9 * 60, 13 * 60 };
			hours[nh++] = (struct avail_hours){ wd, 14 * 60, 18 * 60 };
		} else {
			hours[nh++] = (struct avail_hours){ wd, 9 * 60, 19 * 60 };
		}
	}
	closures[0] = first + 10;
	closures[1] = first + 24;
	for (int k = 0; k < N_STAFF; k++) {
		size_t n = 0;
		int early = k % 2 == 0;

		staff[k].id = staff_ids[k];
		for (int wd = 1; wd <= 6; wd++) {
			if (wd == 1 + k % 6)
				continue;	/* a day off a week */
			schedules[k][n++] = (struct avail_hours){ wd, early ? 9 * 60 : 11 * 60,
			    early ? 17 * 60 : 19 * 60 };
		}
		staff[k].schedule = schedules[k];
		staff[k].n_schedule = n;
		for (int i = 0; i < 2; i++) {
			int64_t a = tz_from_wall(z, (int64_t)(first + (int32_t)rnd(DAYS)) * TZ_DAY_S +
			    9 * 3600);

			time_off[k][i] = (struct avail_range){ a, a + 3600 * (1 + (int64_t)rnd(8)) };
		}
		staff[k].time_off = time_off[k];
		staff[k].n_time_off = 2;
		for (int i = 0; i < 40; i++) {
			int64_t a = tz_from_wall(z, (int64_t)(first + (int32_t)rnd(DAYS)) * TZ_DAY_S +
			    (int64_t)(9 * 60 + 5 * (int)rnd(120)) * 60);

			busy[k][i] = (struct avail_range){ a, a + 900 * (1 + (int64_t)rnd(4)) };
		}
		staff[k].calendar_busy = busy[k];
		staff[k].n_calendar_busy = 40;
	}
	rng = 0x2545F4914F6CDD1Dull;
	memset(counts, 0, sizeof(counts));
	for (int i = 0; i < N_BOOKINGS; i++) {
		int32_t d = first + (int32_t)rnd((unsigned)spread_days) -
		    (spread_days > DAYS ? 60 : 0);
		int k = (int)rnd(N_STAFF + 1);	/* N_STAFF: a hold with no staff yet */
		int64_t a = tz_from_wall(z, (int64_t)d * TZ_DAY_S +
		    (int64_t)(9 * 60 + 5 * (int)rnd(114)) * 60);
		struct avail_booking *b = &bookings[i];

		*b = (struct avail_booking){ .start = a, .end = a + 60 * (15 + 5 * (int64_t)rnd(16)),
		    .buffer_after_min = 5 * (int)rnd(3), .units = units[i] };
		b->staff_id = k < N_STAFF ? staff_ids[k] : NULL;
		if (rnd(10) < 6)
			units[i][b->n_units++] = (struct avail_unit){ "chair", 1 + (int)rnd(8) };
		if (rnd(10) < 2)
			units[i][b->n_units++] = (struct avail_unit){ "sink", 1 + (int)rnd(3) };
		if (k < N_STAFF && d >= first && d < first + DAYS)
			counts[k * DAYS + (d - first)].count++;
	}
	for (int k = 0; k < N_STAFF; k++)
		for (int d = 0; d < DAYS; d++) {
			counts[k * DAYS + d].staff_id = staff_ids[k];
			counts[k * DAYS + d].day = first + d;
		}
	for (int i = 0; i < 8; i++)
		cut_staff[i] = staff_ids[i];
	for (int i = 0; i < 5; i++)
		colour_staff[i] = staff_ids[5 + i];
	services[0] = (struct avail_service){ .duration_min = 45, .buffer_after_min = 10,
	    .addon_min = addons, .n_addons = 1, .staff_ids = cut_staff, .n_staff_ids = 8,
	    .needs = cut_needs, .n_needs = 1 };
	services[1] = (struct avail_service){ .duration_min = 60, .buffer_before_min = 5,
	    .buffer_after_min = 10, .staff_ids = colour_staff, .n_staff_ids = 5,
	    .needs = colour_needs, .n_needs = 2 };
	*in = (struct avail_input){
		.zone = "America/New_York",
		.services = services, .n_services = 1,
		.staff = staff, .n_staff = N_STAFF,
		.resources = resources, .n_resources = 3,
		.hours = hours, .n_hours = nh,
		.closures = closures, .n_closures = 2,
		.bookings = bookings, .n_bookings = N_BOOKINGS,
		.day_counts = counts, .n_day_counts = N_STAFF * DAYS,
		.now = tz_from_wall(z, (int64_t)first * TZ_DAY_S + 8 * 3600),
		.min_notice_min = 120, .max_days_ahead = 60, .step_min = 15,
		.start_day = first, .days = DAYS,
	};
}

static void
report(const char *name, double *t, int runs, size_t slots)
{
	qsort(t, (size_t)runs, sizeof(t[0]), cmp_double);
	printf("%-34s min %7.3f  p50 %7.3f  p99 %7.3f  max %7.3f ms  (%zu slots)\n", name,
	    t[0], t[runs / 2], t[(runs * 99 + 99) / 100 - 1], t[runs - 1], slots);
}

static void
scenario(const char *name, const struct avail_input *in, int runs, double *t)
{
	size_t slots = 0;

	for (int r = 0; r < runs; r++) {
		struct avail_result out;
		struct arena a;
		double t0 = now_ms();

		arena_init(&a, 64 * 1024);
		if (avail_compute(in, &a, &out, NULL) != ST_OK) {
			fprintf(stderr, "%s: avail_compute failed\n", name);
			exit(1);
		}
		slots = out.n_slots;
		arena_free(&a);
		t[r] = now_ms() - t0;
	}
	report(name, t, runs, slots);
}

int
main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 200;
	struct avail_input in;
	struct avail_result out;
	struct arena setup, a;
	struct tz *z;
	double *t, t0;
	size_t mem;

	if (runs < 1 || runs > 100000)
		runs = 200;
	t = calloc((size_t)runs, sizeof(*t));
	arena_init(&setup, 0);
	t0 = now_ms();
	if (t == NULL || tz_open(&setup, "America/New_York", &z) != ST_OK)
		return 1;
	printf("tz_open, first in process: %.3f ms\n", now_ms() - t0);
	for (int layout = 0; layout < 2; layout++) {
		int spread = layout == 0 ? DAYS : 150;

		build(&in, z, spread);
		printf("\n%d staff, 3 resources, %d bookings over %d days, %d-day window, "
		    "step %d min%s\n", N_STAFF, N_BOOKINGS, spread, DAYS, in.step_min,
		    layout == 0 ? " (all inside the window)" : "");
		scenario("one service, any staff", &in, runs, t);
		in.preferred_staff_id = staff_ids[3];
		scenario("one service, preferred staff", &in, runs, t);
		in.preferred_staff_id = NULL;
		in.n_services = 2;
		scenario("bundle of two, any staff", &in, runs, t);
		in.n_services = 1;
	}

	/* The booking path: re-check one offered start (last layout). */
	arena_init(&a, 64 * 1024);
	if (avail_compute(&in, &a, &out, NULL) != ST_OK || out.n_slots == 0)
		return 1;
	mem = a.total;
	for (int r = 0; r < runs; r++) {
		struct arena b;
		bool offered = false;
		double s = now_ms();

		arena_init(&b, 64 * 1024);
		if (avail_slot_is_offered(&in, out.slots[(size_t)r % out.n_slots].start, NULL,
		    &b, &offered, NULL, NULL) != ST_OK || !offered) {
			fprintf(stderr, "slot_is_offered disagrees with the generator\n");
			return 1;
		}
		arena_free(&b);
		t[r] = now_ms() - s;
	}
	report("slot_is_offered (one start)", t, runs, (size_t)1);
	arena_free(&a);
	printf("arena bytes for one 30-day answer: %zu\n", mem);

	for (int r = 0; r < runs; r++) {
		struct arena b;
		struct tz *zz;
		double s = now_ms();

		arena_init(&b, 0);
		if (tz_open(&b, "Australia/Lord_Howe", &zz) != ST_OK)
			return 1;
		arena_free(&b);
		t[r] = now_ms() - s;
	}
	report("tz_open + close, warm", t, runs, (size_t)0);
	arena_free(&setup);
	free(t);
	return 0;
}
