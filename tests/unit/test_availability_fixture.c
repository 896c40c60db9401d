/* test_availability_fixture.c — a small builder for availability inputs,
 * so each test states only what it is about: a zone, opening hours, who
 * works, what is already booked. Local times are written as "HH:MM" and
 * dates as "YYYY-MM-DD" in the tenant's zone; instants as UTC. Included by
 * the availability tests, not built on its own. */
#ifndef UNIT_AVAIL_FIXTURE_H
#define UNIT_AVAIL_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "modules/appointments/availability.h"

#define FX_MAX 64

struct fx {
	struct avail_input in;
	struct avail_service svc[AVAIL_MAX_SERVICES];
	const char *svc_staff[AVAIL_MAX_SERVICES][FX_MAX];
	struct avail_need needs[AVAIL_MAX_SERVICES][8];
	int addons[AVAIL_MAX_SERVICES][8];
	struct avail_staff staff[FX_MAX];
	struct avail_hours staff_hours[FX_MAX][FX_MAX];
	struct avail_range time_off[FX_MAX][FX_MAX];
	struct avail_range busy[FX_MAX][FX_MAX];
	struct avail_resource res[16];
	struct avail_hours hours[FX_MAX];
	int32_t closures[FX_MAX];
	struct avail_booking bookings[4 * FX_MAX];
	struct avail_unit booking_units[4 * FX_MAX][4];
	struct avail_day_count counts[FX_MAX];
	struct tz *z;		/* the same zone, for building instants */
	struct arena arena;
	struct avail_result res_out;
};

static inline int32_t
fx_day(const char *date)
{
	int32_t d = 0;

	assert_true(tz_date_parse(date, &d));
	return d;
}

static inline int
fx_min(const char *hhmm)
{
	int h = 0, m = 0;

	assert_int_equal(sscanf(hhmm, "%d:%d", &h, &m), 2);
	return h * 60 + m;
}

/* A UTC instant: "2026-03-08T07:00". */
static inline int64_t
fx_utc(const char *s)
{
	char date[11];

	memcpy(date, s, 10);
	date[10] = '\0';
	return (int64_t)fx_day(date) * TZ_DAY_S + (int64_t)fx_min(s + 11) * 60;
}

/* The first instant the tenant's clock reads date HH:MM. */
static inline int64_t
fx_local(struct fx *f, const char *date, const char *hhmm)
{
	return tz_from_wall(f->z, (int64_t)fx_day(date) * TZ_DAY_S + fx_min(hhmm) * 60);
}

/* A tenant in zone, asking for `days` days from `date`, a 60-minute
 * service with 15-minute steps, bookable from long ago with no notice. */
static inline void
fx_init(struct fx *f, const char *zone, const char *date, int days)
{
	memset(f, 0, sizeof(*f));
	arena_init(&f->arena, 0);
	if (tz_open(&f->arena, zone, &f->z) != ST_OK)
		f->z = NULL;
	f->in.zone = zone;
	f->in.services = f->svc;
	f->in.n_services = 1;
	f->svc[0].duration_min = 60;
	f->svc[0].staff_ids = f->svc_staff[0];
	f->in.staff = f->staff;
	f->in.resources = f->res;
	f->in.hours = f->hours;
	f->in.closures = f->closures;
	f->in.bookings = f->bookings;
	f->in.day_counts = f->counts;
	f->in.now = fx_utc("2020-01-01T00:00");
	f->in.max_days_ahead = AVAIL_MAX_DAYS_AHEAD;
	f->in.step_min = 15;
	f->in.start_day = fx_day(date);
	f->in.days = days;
	for (int i = 0; i < AVAIL_MAX_SERVICES; i++) {
		f->svc[i].staff_ids = f->svc_staff[i];
		f->svc[i].needs = f->needs[i];
		f->svc[i].addon_min = f->addons[i];
	}
}

static inline void
fx_free(struct fx *f)
{
	arena_free(&f->arena);
}

/* Business hours on ISO weekday wd (0: every day). */
static inline void
fx_hours(struct fx *f, int wd, const char *from, const char *to)
{
	for (int d = wd ? wd : 1; d <= (wd ? wd : 7); d++)
		f->hours[f->in.n_hours++] = (struct avail_hours){ d, fx_min(from), fx_min(to) };
}

static inline void
fx_closed(struct fx *f, const char *date)
{
	f->closures[f->in.n_closures++] = fx_day(date);
}

/* A staff member who can perform service 0 (and is in the order given). */
static inline int
fx_staff(struct fx *f, const char *id)
{
	int k = (int)f->in.n_staff++;

	f->staff[k].id = id;
	f->staff[k].schedule = f->staff_hours[k];
	f->staff[k].time_off = f->time_off[k];
	f->staff[k].calendar_busy = f->busy[k];
	f->svc_staff[0][f->svc[0].n_staff_ids++] = id;
	return k;
}

/* Staff member k also works wd (0: every day) from–to. */
static inline void
fx_shift(struct fx *f, int k, int wd, const char *from, const char *to)
{
	for (int d = wd ? wd : 1; d <= (wd ? wd : 7); d++)
		f->staff_hours[k][f->staff[k].n_schedule++] =
		    (struct avail_hours){ d, fx_min(from), fx_min(to) };
}

/* A staff member who works wd (0: every day) from–to and can do service 0. */
static inline int
fx_worker(struct fx *f, const char *id, int wd, const char *from, const char *to)
{
	int k = fx_staff(f, id);

	fx_shift(f, k, wd, from, to);
	return k;
}

static inline void
fx_time_off(struct fx *f, int k, int64_t from, int64_t to)
{
	f->time_off[k][f->staff[k].n_time_off++] = (struct avail_range){ from, to };
}

static inline void
fx_calendar_busy(struct fx *f, int k, int64_t from, int64_t to)
{
	f->busy[k][f->staff[k].n_calendar_busy++] = (struct avail_range){ from, to };
}

static inline struct avail_booking *
fx_booking(struct fx *f, const char *staff_id, int64_t from, int64_t to)
{
	size_t i = f->in.n_bookings++;

	f->bookings[i] = (struct avail_booking){ .start = from, .end = to,
	    .staff_id = staff_id, .units = f->booking_units[i] };
	return &f->bookings[i];
}

static inline void
fx_booking_unit(struct avail_booking *b, const char *resource, int unit)
{
	((struct avail_unit *)b->units)[b->n_units++] = (struct avail_unit){ resource, unit };
}

static inline void
fx_resource(struct fx *f, const char *id, int units)
{
	f->res[f->in.n_resources++] = (struct avail_resource){ id, units };
}

static inline void
fx_need(struct fx *f, int svc, const char *resource, int quantity)
{
	f->needs[svc][f->svc[svc].n_needs++] = (struct avail_need){ resource, quantity };
}

static inline void
fx_count(struct fx *f, const char *staff_id, const char *date, int count)
{
	f->counts[f->in.n_day_counts++] =
	    (struct avail_day_count){ staff_id, fx_day(date), count };
}

static inline struct avail_result *
fx_run(struct fx *f)
{
	assert_int_equal(avail_compute(&f->in, &f->arena, &f->res_out, NULL), ST_OK);
	return &f->res_out;
}

/* The slot whose start reads `text` (RFC 3339 with offset), or NULL. */
static inline const struct avail_slot *
fx_find(const struct avail_result *r, const char *text)
{
	for (size_t i = 0; i < r->n_slots; i++)
		if (strcmp(r->slots[i].start_text, text) == 0)
			return &r->slots[i];
	return NULL;
}

static inline const struct avail_slot *
fx_find_at(const struct avail_result *r, int64_t start)
{
	for (size_t i = 0; i < r->n_slots; i++)
		if (r->slots[i].start == start)
			return &r->slots[i];
	return NULL;
}

/* Slot start texts joined by spaces, for whole-list comparisons. */
static inline const char *
fx_starts(struct fx *f, const struct avail_result *r)
{
	size_t cap = r->n_slots * TZ_RFC3339_SIZE + 1, n = 0;
	char *s = arena_alloc(&f->arena, cap);

	s[0] = '\0';
	for (size_t i = 0; i < r->n_slots; i++)
		n += (size_t)snprintf(s + n, cap - n, "%s%s", i ? " " : "",
		    r->slots[i].start_text);
	return s;
}

#endif
