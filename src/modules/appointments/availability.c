/* availability.c — the availability engine (rules in availability.h).
 *
 * Shape: one preparation pass turns the input into sorted, merged UTC
 * interval lists (business hours, each staff member's workable time and
 * busy time, each resource unit's busy time); then every candidate start is
 * judged by binary searches in those lists. That is O(n log n) to prepare
 * and O(candidates × staff × log n) to judge — no scan of all bookings per
 * slot. The generator and avail_slot_is_offered share the preparation and
 * the judge (offer()), which is why they agree. */
#include "modules/appointments/availability.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_S 60
#define NO_INDEX ((size_t)-1)

/* Every instant accepted from outside lies within the dates tz.h accepts,
 * so adding buffers, offsets or a few days can never overflow. */
#define INSTANT_MIN ((int64_t)TZ_DAY_MIN * TZ_DAY_S)
#define INSTANT_MAX ((int64_t)TZ_DAY_MAX * TZ_DAY_S)

/* How far outside the requested local dates anything can matter: a slot
 * starts within ±26 h of its local date, its bundle's padded span reaches
 * 24 h further, so three days of margin is always enough. */
#define MARGIN_DAYS 3

struct ivl {
	int64_t a, b;
};

struct ivl_list {		/* ascending, disjoint, non-adjacent once merged */
	struct ivl *v;
	size_t n;
};

struct biz_ivl {		/* one business-hours interval on one date */
	int64_t a, b;		/* UTC */
	int64_t open_wall;	/* the wall time the slot grid starts from */
};

struct id_ix {
	const char *id;
	int ix;			/* position in the caller's array */
};

struct staff_ctx {
	struct ivl_list work;	/* schedule ∩ business hours */
	struct ivl_list busy;	/* time off, calendar busy, padded bookings */
	int *counts;		/* bookings per requested day, for round robin */
};

struct res_ctx {
	int units;
	struct ivl_list *unit_busy;	/* per unit, padded bookings */
};

struct need_ctx {
	int res;
	int quantity;
};

struct svc_ctx {
	int64_t off;		/* start of this service relative to the slot start */
	int64_t dur, before, after;	/* seconds */
	int *eligible;		/* staff indices, ascending (= round-robin tie order) */
	size_t n_eligible;
	struct need_ctx *needs;
	size_t n_needs;
	size_t n_units;		/* sum of quantities */
};

struct ctx {
	const struct avail_input *in;
	struct arena *a;
	struct err *e;
	struct tz *z;
	int64_t step_s;
	int64_t earliest;	/* now + minimum notice */
	int32_t last_day;	/* last bookable local date (max days ahead) */
	int32_t first_day, end_day;	/* requested local dates [first, end) */
	int64_t win_lo, win_hi;	/* instants that can affect a slot */
	struct biz_ivl *biz;	/* sorted by a */
	size_t n_biz;
	struct ivl_list business;
	struct id_ix *staff_ix;	/* sorted by id */
	struct staff_ctx *staff;
	struct id_ix *res_ix;
	struct res_ctx *res;
	struct svc_ctx svc[AVAIL_MAX_SERVICES];
	size_t n_svc;
	int64_t span;		/* slot end - slot start */
	int preferred;		/* staff index or -1 */
	int *pick_units;	/* scratch: units chosen by offer(), per service in order */
};

static enum status
bad(struct ctx *c, const char *list, size_t index, const char *member,
    const char *issue)
{
	char field[64];

	if (c->e != NULL) {
		if (index == NO_INDEX)
			snprintf(field, sizeof(field), "%s%s%s", list,
			    member ? "." : "", member ? member : "");
		else
			snprintf(field, sizeof(field), "%s[%zu]%s%s", list, index,
			    member ? "." : "", member ? member : "");
		err_set(c->e, ST_INVALID, "The availability request is invalid.");
		err_detail(c->e, field, "%s", issue);
	}
	return ST_INVALID;
}

static bool
instant_ok(int64_t t)
{
	return t >= INSTANT_MIN && t <= INSTANT_MAX;
}

/* ---- interval lists ---------------------------------------------------- */

static int
cmp_ivl(const void *pa, const void *pb)
{
	const struct ivl *x = pa, *y = pb;

	if (x->a != y->a)
		return x->a < y->a ? -1 : 1;
	return (x->b > y->b) - (x->b < y->b);
}

/* Sorts and merges in place; touching intervals merge too, so a span
 * that crosses from one into the next counts as contained. */
static void
normalize(struct ivl_list *l)
{
	size_t n = 0;

	if (l->n == 0)
		return;
	qsort(l->v, l->n, sizeof(l->v[0]), cmp_ivl);
	for (size_t i = 1; i < l->n; i++) {
		if (l->v[i].a <= l->v[n].b) {
			if (l->v[i].b > l->v[n].b)
				l->v[n].b = l->v[i].b;
		} else {
			l->v[++n] = l->v[i];
		}
	}
	l->n = n + 1;
}

/* The first interval ending after x. */
static size_t
first_ending_after(const struct ivl_list *l, int64_t x)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->v[mid].b > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static bool
overlaps(const struct ivl_list *l, int64_t x, int64_t y)
{
	size_t i = first_ending_after(l, x);

	return i < l->n && l->v[i].a < y;
}

static bool
contains(const struct ivl_list *l, int64_t x, int64_t y)
{
	size_t i = first_ending_after(l, x);

	return i < l->n && l->v[i].a <= x && y <= l->v[i].b;
}

static struct ivl_list
intersect(struct arena *a, const struct ivl_list *p, const struct ivl_list *q)
{
	struct ivl_list r = { arena_alloc(a, (p->n + q->n + 1) * sizeof(struct ivl)), 0 };
	size_t i = 0, j = 0;

	while (i < p->n && j < q->n) {
		int64_t lo = p->v[i].a > q->v[j].a ? p->v[i].a : q->v[j].a;
		int64_t hi = p->v[i].b < q->v[j].b ? p->v[i].b : q->v[j].b;

		if (lo < hi)
			r.v[r.n++] = (struct ivl){ lo, hi };
		if (p->v[i].b < q->v[j].b)
			i++;
		else
			j++;
	}
	return r;
}

/* ---- ids --------------------------------------------------------------- */

static int
cmp_id(const void *pa, const void *pb)
{
	const struct id_ix *x = pa, *y = pb;

	return strcmp(x->id, y->id);
}

static int
find_id(const struct id_ix *ix, size_t n, const char *id)
{
	struct id_ix key = { id, 0 };
	const struct id_ix *hit;

	if (id == NULL || n == 0)
		return -1;
	hit = bsearch(&key, ix, n, sizeof(ix[0]), cmp_id);
	return hit ? hit->ix : -1;
}

/* Indexes n ids read through get(); ST_INVALID for a missing or repeated
 * id. */
static enum status
index_ids(struct ctx *c, const char *list, size_t n,
    const char *(*get)(const struct avail_input *, size_t), struct id_ix **out)
{
	struct id_ix *ix = arena_alloc(c->a, (n + 1) * sizeof(*ix));

	for (size_t i = 0; i < n; i++) {
		ix[i].id = get(c->in, i);
		ix[i].ix = (int)i;
		if (ix[i].id == NULL || ix[i].id[0] == '\0')
			return bad(c, list, i, "id", "is required");
	}
	qsort(ix, n, sizeof(ix[0]), cmp_id);
	for (size_t i = 1; i < n; i++)
		if (strcmp(ix[i - 1].id, ix[i].id) == 0)
			return bad(c, list, (size_t)ix[i].ix, "id", "is repeated");
	*out = ix;
	return ST_OK;
}

static const char *
staff_id_at(const struct avail_input *in, size_t i)
{
	return in->staff[i].id;
}

static const char *
resource_id_at(const struct avail_input *in, size_t i)
{
	return in->resources[i].id;
}

/* ---- preparation ------------------------------------------------------- */

/* A list of n items at p: at most max, and present when not empty. */
static enum status
check_list(struct ctx *c, const char *list, const void *p, size_t n, size_t max,
    const char *too_many)
{
	if (n > max)
		return bad(c, list, NO_INDEX, NULL, too_many);
	if (n > 0 && p == NULL)
		return bad(c, list, NO_INDEX, NULL, "is missing");
	return ST_OK;
}

static enum status
check_hours(struct ctx *c, const char *list, const struct avail_hours *h, size_t n)
{
	enum status st;

	if ((st = check_list(c, list, h, n, AVAIL_MAX_HOURS, "has too many intervals")) != ST_OK)
		return st;
	for (size_t i = 0; i < n; i++) {
		if (h[i].weekday < 1 || h[i].weekday > 7)
			return bad(c, list, i, "weekday", "must be 1 (Monday) to 7 (Sunday)");
		if (h[i].start_min < 0 || h[i].start_min >= 1440)
			return bad(c, list, i, "start_min", "must be 0 to 1439");
		if (h[i].end_min < 0 || h[i].end_min > 1440)
			return bad(c, list, i, "end_min", "must be 0 to 1440");
	}
	return ST_OK;
}

static enum status
check_ranges(struct ctx *c, const char *list, const struct avail_range *r, size_t n)
{
	enum status st;

	if ((st = check_list(c, list, r, n, AVAIL_MAX_LIST, "has too many entries")) != ST_OK)
		return st;
	for (size_t i = 0; i < n; i++)
		if (!instant_ok(r[i].start) || !instant_ok(r[i].end) ||
		    r[i].end < r[i].start)
			return bad(c, list, i, NULL, "ends before it starts or is out of range");
	return ST_OK;
}

static int
cmp_day(const void *pa, const void *pb)
{
	int32_t x = *(const int32_t *)pa, y = *(const int32_t *)pb;

	return (x > y) - (x < y);
}

static int
cmp_biz(const void *pa, const void *pb)
{
	const struct biz_ivl *x = pa, *y = pb;

	if (x->a != y->a)
		return x->a < y->a ? -1 : 1;
	if (x->b != y->b)
		return x->b < y->b ? -1 : 1;
	return (x->open_wall > y->open_wall) - (x->open_wall < y->open_wall);
}

/* The weekly intervals h, for every date that can matter, as UTC
 * intervals with their grid origin; dates in `closed` (sorted) skipped. */
static struct biz_ivl *
weekly_to_utc(struct ctx *c, const struct avail_hours *h, size_t nh,
    const int32_t *closed, size_t n_closed, size_t *n_out)
{
	int32_t from = c->first_day - 2, to = c->end_day + 2;
	struct biz_ivl *v = arena_alloc(c->a, ((size_t)(to - from) * nh + 1) * sizeof(*v));
	size_t n = 0;

	for (int32_t d = from; d < to; d++) {
		int wd = tz_iso_weekday(d);

		if (n_closed > 0 && bsearch(&d, closed, n_closed, sizeof(d), cmp_day))
			continue;
		for (size_t i = 0; i < nh; i++) {
			int end_min = h[i].end_min;
			int64_t open, close, a, b;

			if (h[i].weekday != wd)
				continue;
			if (end_min <= h[i].start_min)
				end_min += 1440;	/* closes the next day */
			open = (int64_t)d * TZ_DAY_S + (int64_t)h[i].start_min * MIN_S;
			close = (int64_t)d * TZ_DAY_S + (int64_t)end_min * MIN_S;
			a = tz_from_wall(c->z, open);
			b = tz_from_wall(c->z, close);
			if (a < b)	/* an interval inside a DST gap is gone */
				v[n++] = (struct biz_ivl){ a, b, open };
		}
	}
	qsort(v, n, sizeof(v[0]), cmp_biz);
	*n_out = n;
	return v;
}

static struct ivl_list
biz_to_list(struct arena *a, const struct biz_ivl *v, size_t n)
{
	struct ivl_list l = { arena_alloc(a, (n + 1) * sizeof(struct ivl)), n };

	for (size_t i = 0; i < n; i++)
		l.v[i] = (struct ivl){ v[i].a, v[i].b };
	normalize(&l);
	return l;
}

static bool
in_window(const struct ctx *c, int64_t a, int64_t b)
{
	return b > c->win_lo && a < c->win_hi && b > a;
}

static enum status
prepare_scalars(struct ctx *c)
{
	const struct avail_input *in = c->in;
	enum status st;

	if ((st = tz_open(c->a, in->zone, &c->z)) != ST_OK)
		return st == ST_INVALID ?
		    bad(c, "zone", NO_INDEX, NULL, "is not a known IANA time zone") : st;
	if (in->n_services < 1 || in->n_services > AVAIL_MAX_SERVICES || in->services == NULL)
		return bad(c, "services", NO_INDEX, NULL, "must hold 1 to 8 services");
	if (in->step_min < 1 || in->step_min > 1440)
		return bad(c, "step_min", NO_INDEX, NULL, "must be 1 to 1440");
	if (in->days < 1 || in->days > AVAIL_MAX_DAYS)
		return bad(c, "days", NO_INDEX, NULL, "must be 1 to 31");
	if (in->start_day < TZ_DAY_MIN + MARGIN_DAYS ||
	    in->start_day > TZ_DAY_MAX - AVAIL_MAX_DAYS - MARGIN_DAYS)
		return bad(c, "start_day", NO_INDEX, NULL, "is out of range");
	if (in->min_notice_min < 0 || in->min_notice_min > AVAIL_MAX_NOTICE_MIN)
		return bad(c, "min_notice_min", NO_INDEX, NULL, "is out of range");
	if (in->max_days_ahead < 0 || in->max_days_ahead > AVAIL_MAX_DAYS_AHEAD)
		return bad(c, "max_days_ahead", NO_INDEX, NULL, "is out of range");
	if (!instant_ok(in->now))
		return bad(c, "now", NO_INDEX, NULL, "is out of range");
	c->step_s = (int64_t)in->step_min * MIN_S;
	c->first_day = in->start_day;
	c->end_day = in->start_day + in->days;
	c->win_lo = (int64_t)(c->first_day - MARGIN_DAYS) * TZ_DAY_S;
	c->win_hi = (int64_t)(c->end_day + MARGIN_DAYS) * TZ_DAY_S;
	c->earliest = in->now + (int64_t)in->min_notice_min * MIN_S;
	/* Wider than the window: resolving a wall time looks two days either
	 * side, and every lookup the table answers is one ICU call saved. */
	tz_preload(c->z, c->win_lo - 3 * TZ_DAY_S, c->win_hi + 3 * TZ_DAY_S);
	c->last_day = tz_local_day(c->z, in->now) + in->max_days_ahead;
	return ST_OK;
}

static enum status
prepare_services(struct ctx *c)
{
	const struct avail_input *in = c->in;
	int64_t at = 0, total_pad = 0;
	size_t units_total = 0;

	c->n_svc = in->n_services;
	for (size_t i = 0; i < in->n_services; i++) {
		const struct avail_service *s = &in->services[i];
		struct svc_ctx *sc = &c->svc[i];
		int64_t dur = s->duration_min;
		bool *seen;

		if (s->duration_min < 1 || s->duration_min > 1440)
			return bad(c, "services", i, "duration_min", "must be 1 to 1440");
		if (s->buffer_before_min < 0 || s->buffer_before_min > 1440)
			return bad(c, "services", i, "buffer_before_min", "must be 0 to 1440");
		if (s->buffer_after_min < 0 || s->buffer_after_min > 1440)
			return bad(c, "services", i, "buffer_after_min", "must be 0 to 1440");
		if (s->n_addons > 64 || (s->n_addons > 0 && s->addon_min == NULL))
			return bad(c, "services", i, "addon_min", "is invalid");
		for (size_t k = 0; k < s->n_addons; k++) {
			if (s->addon_min[k] < 0 || s->addon_min[k] > 1440)
				return bad(c, "services", i, "addon_min", "must be 0 to 1440 each");
			dur += s->addon_min[k];
		}
		sc->dur = dur * MIN_S;
		sc->before = (int64_t)s->buffer_before_min * MIN_S;
		sc->after = (int64_t)s->buffer_after_min * MIN_S;
		if (i > 0)
			at += sc->before;	/* the previous service's after is in `at` */
		sc->off = at;
		at += sc->dur + sc->after;
		total_pad += sc->before + sc->dur + sc->after;
		if (total_pad > (int64_t)AVAIL_MAX_BUNDLE_MIN * MIN_S)
			return bad(c, "services", NO_INDEX, NULL,
			    "take more than 24 hours together, buffers included");

		if (s->n_staff_ids > AVAIL_MAX_STAFF ||
		    (s->n_staff_ids > 0 && s->staff_ids == NULL))
			return bad(c, "services", i, "staff_ids", "is invalid");
		/* Eligible staff in the caller's staff order, duplicates dropped:
		 * that order is the round-robin tie-break. */
		seen = arena_calloc(c->a, in->n_staff + 1, sizeof(*seen));
		for (size_t k = 0; k < s->n_staff_ids; k++) {
			int ix = find_id(c->staff_ix, in->n_staff, s->staff_ids[k]);

			if (ix < 0)
				return bad(c, "services", i, "staff_ids", "names an unknown staff member");
			seen[ix] = true;
		}
		sc->eligible = arena_alloc(c->a, (in->n_staff + 1) * sizeof(int));
		sc->n_eligible = 0;
		for (size_t k = 0; k < in->n_staff; k++)
			if (seen[k])
				sc->eligible[sc->n_eligible++] = (int)k;

		if (s->n_needs > AVAIL_MAX_RESOURCES || (s->n_needs > 0 && s->needs == NULL))
			return bad(c, "services", i, "needs", "is invalid");
		sc->needs = arena_alloc(c->a, (s->n_needs + 1) * sizeof(*sc->needs));
		sc->n_needs = s->n_needs;
		sc->n_units = 0;
		for (size_t k = 0; k < s->n_needs; k++) {
			int r = find_id(c->res_ix, in->n_resources, s->needs[k].resource_id);

			if (r < 0)
				return bad(c, "services", i, "needs", "names an unknown resource");
			if (s->needs[k].quantity < 1 || s->needs[k].quantity > AVAIL_MAX_UNITS)
				return bad(c, "services", i, "needs", "quantity must be 1 to 1000");
			for (size_t j = 0; j < k; j++)
				if (sc->needs[j].res == r)
					return bad(c, "services", i, "needs", "names a resource twice");
			sc->needs[k] = (struct need_ctx){ r, s->needs[k].quantity };
			sc->n_units += (size_t)s->needs[k].quantity;
		}
		units_total += sc->n_units;
	}
	c->span = at - c->svc[c->n_svc - 1].after;
	c->pick_units = arena_alloc(c->a, (units_total + 1) * sizeof(int));
	return ST_OK;
}

static bool
eligible(const struct svc_ctx *sc, int staff)
{
	for (size_t k = 0; k < sc->n_eligible; k++)
		if (sc->eligible[k] == staff)
			return true;
	return false;
}

static enum status
prepare_preferred(struct ctx *c)
{
	bool any = false;

	c->preferred = -1;
	if (c->in->preferred_staff_id == NULL)
		return ST_OK;
	c->preferred = find_id(c->staff_ix, c->in->n_staff, c->in->preferred_staff_id);
	if (c->preferred < 0)
		return bad(c, "preferred_staff_id", NO_INDEX, NULL, "names an unknown staff member");
	for (size_t i = 0; i < c->n_svc; i++)
		any |= eligible(&c->svc[i], c->preferred);
	if (!any)
		return bad(c, "preferred_staff_id", NO_INDEX, NULL,
		    "cannot perform any of the services");
	return ST_OK;
}

static enum status
prepare_business(struct ctx *c)
{
	const struct avail_input *in = c->in;
	int32_t *closed;
	enum status st;

	if ((st = check_hours(c, "hours", in->hours, in->n_hours)) != ST_OK)
		return st;
	if (in->n_closures > AVAIL_MAX_LIST || (in->n_closures > 0 && in->closures == NULL))
		return bad(c, "closures", NO_INDEX, NULL, "is invalid");
	closed = arena_alloc(c->a, (in->n_closures + 1) * sizeof(*closed));
	if (in->n_closures > 0)
		memcpy(closed, in->closures, in->n_closures * sizeof(*closed));
	qsort(closed, in->n_closures, sizeof(*closed), cmp_day);
	c->biz = weekly_to_utc(c, in->hours, in->n_hours, closed, in->n_closures, &c->n_biz);
	c->business = biz_to_list(c->a, c->biz, c->n_biz);
	return ST_OK;
}

/* A booking's padded span, or false when it cannot matter. */
static bool
booking_span(const struct ctx *c, const struct avail_booking *b, struct ivl *out)
{
	out->a = b->start - (int64_t)b->buffer_before_min * MIN_S;
	out->b = b->end + (int64_t)b->buffer_after_min * MIN_S;
	return in_window(c, out->a, out->b);
}

static enum status
check_bookings(struct ctx *c)
{
	const struct avail_input *in = c->in;

	if (in->n_bookings > AVAIL_MAX_LIST || (in->n_bookings > 0 && in->bookings == NULL))
		return bad(c, "bookings", NO_INDEX, NULL, "is invalid");
	for (size_t i = 0; i < in->n_bookings; i++) {
		const struct avail_booking *b = &in->bookings[i];

		if (!instant_ok(b->start) || !instant_ok(b->end) || b->end < b->start)
			return bad(c, "bookings", i, NULL, "ends before it starts");
		if (b->buffer_before_min < 0 || b->buffer_before_min > 1440 ||
		    b->buffer_after_min < 0 || b->buffer_after_min > 1440)
			return bad(c, "bookings", i, NULL, "has a buffer out of range");
		if (b->n_units > AVAIL_MAX_UNITS || (b->n_units > 0 && b->units == NULL))
			return bad(c, "bookings", i, "units", "is invalid");
	}
	return ST_OK;
}

static enum status
prepare_staff(struct ctx *c)
{
	const struct avail_input *in = c->in;
	size_t *nbusy = arena_calloc(c->a, in->n_staff + 1, sizeof(*nbusy));
	int *owner = arena_alloc(c->a, (in->n_bookings + 1) * sizeof(int));
	enum status st;

	c->staff = arena_calloc(c->a, in->n_staff + 1, sizeof(*c->staff));
	/* Bucket bookings by staff member first, so each busy list is
	 * allocated once at its final size. */
	for (size_t i = 0; i < in->n_bookings; i++) {
		struct ivl span;

		owner[i] = -1;
		if (!booking_span(c, &in->bookings[i], &span))
			continue;
		owner[i] = find_id(c->staff_ix, in->n_staff, in->bookings[i].staff_id);
		if (owner[i] >= 0)
			nbusy[owner[i]]++;
	}
	for (size_t k = 0; k < in->n_staff; k++) {
		const struct avail_staff *s = &in->staff[k];
		struct staff_ctx *sc = &c->staff[k];
		struct biz_ivl *sched;
		struct ivl_list work;
		char name[48];
		size_t n;

		snprintf(name, sizeof(name), "staff[%zu].schedule", k);
		if ((st = check_hours(c, name, s->schedule, s->n_schedule)) != ST_OK)
			return st;
		snprintf(name, sizeof(name), "staff[%zu].time_off", k);
		if ((st = check_ranges(c, name, s->time_off, s->n_time_off)) != ST_OK)
			return st;
		snprintf(name, sizeof(name), "staff[%zu].calendar_busy", k);
		if ((st = check_ranges(c, name, s->calendar_busy, s->n_calendar_busy)) != ST_OK)
			return st;
		sched = weekly_to_utc(c, s->schedule, s->n_schedule, NULL, 0, &n);
		work = biz_to_list(c->a, sched, n);
		sc->work = intersect(c->a, &work, &c->business);
		n = nbusy[k] + s->n_time_off + s->n_calendar_busy;
		sc->busy.v = arena_alloc(c->a, (n + 1) * sizeof(struct ivl));
		sc->busy.n = 0;
		for (size_t i = 0; i < s->n_time_off; i++)
			if (in_window(c, s->time_off[i].start, s->time_off[i].end))
				sc->busy.v[sc->busy.n++] =
				    (struct ivl){ s->time_off[i].start, s->time_off[i].end };
		for (size_t i = 0; i < s->n_calendar_busy; i++)
			if (in_window(c, s->calendar_busy[i].start, s->calendar_busy[i].end))
				sc->busy.v[sc->busy.n++] = (struct ivl){
				    s->calendar_busy[i].start, s->calendar_busy[i].end };
		sc->counts = arena_calloc(c->a, (size_t)in->days, sizeof(int));
	}
	for (size_t i = 0; i < in->n_bookings; i++) {
		struct staff_ctx *sc;
		struct ivl span;

		if (owner[i] < 0)
			continue;
		(void)booking_span(c, &in->bookings[i], &span);
		sc = &c->staff[owner[i]];
		sc->busy.v[sc->busy.n++] = span;
	}
	for (size_t k = 0; k < in->n_staff; k++)
		normalize(&c->staff[k].busy);

	if (in->n_day_counts > AVAIL_MAX_LIST ||
	    (in->n_day_counts > 0 && in->day_counts == NULL))
		return bad(c, "day_counts", NO_INDEX, NULL, "is invalid");
	for (size_t i = 0; i < in->n_day_counts; i++) {
		const struct avail_day_count *dc = &in->day_counts[i];
		int k = find_id(c->staff_ix, in->n_staff, dc->staff_id);

		if (dc->count < 0 || dc->count > 1000000)
			return bad(c, "day_counts", i, "count", "is out of range");
		/* Counts for staff or dates this request cannot show are noise. */
		if (k >= 0 && dc->day >= c->first_day && dc->day < c->end_day)
			c->staff[k].counts[dc->day - c->first_day] += dc->count;
	}
	return ST_OK;
}

static enum status
prepare_resources(struct ctx *c)
{
	const struct avail_input *in = c->in;
	size_t **nbusy = arena_alloc(c->a, (in->n_resources + 1) * sizeof(*nbusy));

	c->res = arena_calloc(c->a, in->n_resources + 1, sizeof(*c->res));
	for (size_t r = 0; r < in->n_resources; r++) {
		if (in->resources[r].units < 0 || in->resources[r].units > AVAIL_MAX_UNITS)
			return bad(c, "resources", r, "units", "must be 0 to 1000");
		c->res[r].units = in->resources[r].units;
		c->res[r].unit_busy = arena_calloc(c->a, (size_t)c->res[r].units + 1,
		    sizeof(struct ivl_list));
		nbusy[r] = arena_calloc(c->a, (size_t)c->res[r].units + 1, sizeof(size_t));
	}
	/* Two passes, count then fill, as for staff. A use of a resource or
	 * unit that no longer exists cannot collide with anything offered. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < in->n_bookings; i++) {
			const struct avail_booking *b = &in->bookings[i];
			struct ivl span;

			if (b->n_units == 0 || !booking_span(c, b, &span))
				continue;
			for (size_t u = 0; u < b->n_units; u++) {
				int r = find_id(c->res_ix, in->n_resources, b->units[u].resource_id);
				int unit = b->units[u].unit - 1;
				struct ivl_list *l;

				if (r < 0 || unit < 0 || unit >= c->res[r].units)
					continue;
				if (pass == 0) {
					nbusy[r][unit]++;
					continue;
				}
				l = &c->res[r].unit_busy[unit];
				l->v[l->n++] = span;
			}
		}
		for (size_t r = 0; r < in->n_resources; r++) {
			for (int u = 0; u < c->res[r].units; u++) {
				struct ivl_list *l = &c->res[r].unit_busy[u];

				if (pass == 0)
					l->v = arena_alloc(c->a, (nbusy[r][u] + 1) * sizeof(struct ivl));
				else
					normalize(l);
			}
		}
	}
	return ST_OK;
}

static enum status
prepare(struct ctx *c, const struct avail_input *in, struct arena *a, struct err *e)
{
	enum status st;

	memset(c, 0, sizeof(*c));
	c->in = in;
	c->a = a;
	c->e = e;
	st = ST_INVALID;
	if (in == NULL)
		goto out;
	if ((st = prepare_scalars(c)) != ST_OK)
		goto out;
	if (in->n_staff > AVAIL_MAX_STAFF || (in->n_staff > 0 && in->staff == NULL)) {
		st = bad(c, "staff", NO_INDEX, NULL, "is invalid");
		goto out;
	}
	if (in->n_resources > AVAIL_MAX_RESOURCES ||
	    (in->n_resources > 0 && in->resources == NULL)) {
		st = bad(c, "resources", NO_INDEX, NULL, "is invalid");
		goto out;
	}
	if ((st = index_ids(c, "staff", in->n_staff, staff_id_at, &c->staff_ix)) != ST_OK)
		goto out;
	if ((st = index_ids(c, "resources", in->n_resources, resource_id_at,
	    &c->res_ix)) != ST_OK)
		goto out;
	if ((st = prepare_services(c)) != ST_OK)
		goto out;
	if ((st = prepare_preferred(c)) != ST_OK)
		goto out;
	if ((st = prepare_business(c)) != ST_OK)
		goto out;
	if ((st = check_bookings(c)) != ST_OK)
		goto out;
	if ((st = prepare_staff(c)) != ST_OK)
		goto out;
	st = prepare_resources(c);
out:
	if (st == ST_OK && tz_failed(c->z))
		st = ST_INTERNAL;
	return st;
}

/* ---- judging one start ------------------------------------------------- */

/* Whether s is a slot, with required[i] the staff index service i must
 * have (-1: any). On success who[i] holds the staff chosen and
 * c->pick_units the units, service by service. The single rule book that
 * both the generator and the booking-path check go through. */
static bool
offer(struct ctx *c, int64_t s, const int *required, int *who)
{
	int32_t day = tz_local_day(c->z, s);
	size_t u = 0;

	if (day < c->first_day || day >= c->end_day || day > c->last_day ||
	    s < c->earliest)
		return false;
	for (size_t i = 0; i < c->n_svc; i++) {
		const struct svc_ctx *sc = &c->svc[i];
		int64_t x = s + sc->off, y = x + sc->dur;
		int64_t px = x - sc->before, py = y + sc->after;
		int best = -1, best_count = 0;

		if (!contains(&c->business, x, y))
			return false;
		for (size_t k = 0; k < sc->n_eligible; k++) {
			int st = sc->eligible[k];
			const struct staff_ctx *sf = &c->staff[st];
			int count = sf->counts[day - c->first_day];

			if (required[i] >= 0 && st != required[i])
				continue;
			if (best >= 0 && count >= best_count)
				continue;	/* cannot win: skip the searches */
			if (!contains(&sf->work, x, y) || overlaps(&sf->busy, px, py))
				continue;
			best = st;
			best_count = count;
		}
		if (best < 0)
			return false;
		who[i] = best;
		for (size_t n = 0; n < sc->n_needs; n++) {
			const struct res_ctx *r = &c->res[sc->needs[n].res];
			int got = 0;

			for (int unit = 0; unit < r->units && got < sc->needs[n].quantity; unit++) {
				if (overlaps(&r->unit_busy[unit], px, py))
					continue;
				c->pick_units[u++] = unit;
				got++;
			}
			if (got < sc->needs[n].quantity)
				return false;
		}
	}
	return true;
}

static void
describe(struct ctx *c, int64_t s, const int *who, struct avail_slot *out)
{
	const struct avail_input *in = c->in;
	size_t u = 0;

	out->start = s;
	out->end = s + c->span;
	tz_format_rfc3339(c->z, out->start, out->start_text);
	tz_format_rfc3339(c->z, out->end, out->end_text);
	out->n_services = c->n_svc;
	out->services = arena_alloc(c->a, c->n_svc * sizeof(*out->services));
	for (size_t i = 0; i < c->n_svc; i++) {
		const struct svc_ctx *sc = &c->svc[i];
		struct avail_assignment *as = &out->services[i];
		size_t k = 0;

		as->staff_id = in->staff[who[i]].id;
		as->start = s + sc->off;
		as->end = as->start + sc->dur;
		as->n_units = sc->n_units;
		as->units = arena_alloc(c->a, (sc->n_units + 1) * sizeof(*as->units));
		for (size_t n = 0; n < sc->n_needs; n++)
			for (int q = 0; q < sc->needs[n].quantity; q++)
				as->units[k++] = (struct avail_unit){
				    in->resources[sc->needs[n].res].id, c->pick_units[u++] + 1 };
	}
}

/* The staff each service must have when only the input's preference
 * applies: the preferred member for the services they can perform. */
static void
required_from_preference(const struct ctx *c, int *required)
{
	for (size_t i = 0; i < c->n_svc; i++)
		required[i] = c->preferred >= 0 && eligible(&c->svc[i], c->preferred) ?
		    c->preferred : -1;
}

/* ---- the slot grid ----------------------------------------------------- */

/* Whether t is on the grid of business interval b: inside it, and its
 * wall-clock reading a whole number of steps after the opening time. */
static bool
on_grid(struct ctx *c, const struct biz_ivl *b, int64_t t)
{
	return t >= b->a && t < b->b &&
	    tz_floor_mod(tz_wall(c->z, t) - b->open_wall, c->step_s) == 0;
}

struct starts {
	int64_t *v;
	size_t n, cap;
};

static void
push_start(struct arena *a, struct starts *s, int64_t t)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		int64_t *v = arena_alloc(a, cap * sizeof(*v));

		if (s->n > 0)
			memcpy(v, s->v, s->n * sizeof(*v));
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = t;
}

/* Every t with on_grid(c, b, t), walked one constant-offset stretch at a
 * time: within a stretch the wall clock is t + off, so the grid is an
 * arithmetic progression. Starts that cannot be slots (before the earliest
 * bookable instant, past the requested dates) are left out early; offer()
 * checks them again either way. */
static void
grid_starts(struct ctx *c, const struct biz_ivl *b, struct starts *out)
{
	int64_t t = b->a, hi = (int64_t)c->end_day * TZ_DAY_S + 2 * TZ_DAY_S;

	while (t < b->b && t < hi) {
		int off = tz_offset_at(c->z, t);
		int64_t seg_end = b->b, next;

		if (tz_next_transition(c->z, t, &next) && next < seg_end)
			seg_end = next;
		for (int64_t x = t + tz_floor_mod(b->open_wall - off - t, c->step_s);
		    x < seg_end; x += c->step_s)
			if (x >= c->earliest)
				push_start(c->a, out, x);
		t = seg_end;
	}
}

static int
cmp_i64(const void *pa, const void *pb)
{
	int64_t x = *(const int64_t *)pa, y = *(const int64_t *)pb;

	return (x > y) - (x < y);
}

/* ---- public ------------------------------------------------------------ */

enum status
avail_compute(const struct avail_input *in, struct arena *a,
    struct avail_result *out, struct err *e)
{
	int required[AVAIL_MAX_SERVICES], who[AVAIL_MAX_SERVICES];
	struct starts starts = { 0 };
	struct ctx c;
	enum status st;
	size_t n = 0;

	out->slots = NULL;
	out->n_slots = 0;
	if ((st = prepare(&c, in, a, e)) != ST_OK)
		goto out;
	required_from_preference(&c, required);
	for (size_t i = 0; i < c.n_biz; i++)
		grid_starts(&c, &c.biz[i], &starts);
	if (starts.n == 0)
		goto out;
	/* Overlapping intervals can put the same instant on two grids. */
	qsort(starts.v, starts.n, sizeof(starts.v[0]), cmp_i64);
	out->slots = arena_alloc(a, starts.n * sizeof(*out->slots));
	for (size_t i = 0; i < starts.n; i++) {
		if (i > 0 && starts.v[i] == starts.v[i - 1])
			continue;
		if (offer(&c, starts.v[i], required, who))
			describe(&c, starts.v[i], who, &out->slots[n++]);
	}
	out->n_slots = n;
	if (tz_failed(c.z))
		st = ST_INTERNAL;
out:
	return st;
}

enum status
avail_slot_is_offered(const struct avail_input *in, int64_t start,
    const char *const *staff_ids, struct arena *a, bool *offered,
    struct avail_slot *slot, struct err *e)
{
	int required[AVAIL_MAX_SERVICES], who[AVAIL_MAX_SERVICES];
	bool grid = false;
	struct ctx c;
	enum status st;

	*offered = false;
	if ((st = prepare(&c, in, a, e)) != ST_OK)
		goto out;
	if (!instant_ok(start))
		goto out;
	if (staff_ids == NULL) {
		required_from_preference(&c, required);
	} else {
		for (size_t i = 0; i < c.n_svc; i++) {
			required[i] = -1;
			if (staff_ids[i] == NULL)
				continue;
			required[i] = find_id(c.staff_ix, in->n_staff, staff_ids[i]);
			if (required[i] < 0 || !eligible(&c.svc[i], required[i]))
				goto out;	/* never offered with this staff */
		}
	}
	for (size_t i = 0; i < c.n_biz && !grid; i++)
		grid = on_grid(&c, &c.biz[i], start);
	if (!grid || !offer(&c, start, required, who))
		goto out;
	*offered = true;
	if (slot != NULL)
		describe(&c, start, who, slot);
	if (tz_failed(c.z))
		st = ST_INTERNAL;
out:
	return st;
}
