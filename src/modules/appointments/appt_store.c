/* appt_store.c — the scheduling module's SQL (see appt_store.h). Lists of
 * ids travel as one array parameter ('{a,b}'), never spliced into SQL;
 * instants travel as epoch seconds, so no text date format is ever
 * guessed. */
#include "modules/appointments/appt_store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ids.h"
#include "core/log.h"
#include "db/db.h"
#include "modules/appointments/appt_rules.h"
#include "core/time.h"

/* Helpers ------------------------------------------------------------------ */

static const char *
i64s(struct arena *a, int64_t v)
{
	return arena_printf(a, "%lld", (long long)v);
}

static const char *
ints(struct arena *a, long v)
{
	return arena_printf(a, "%ld", v);
}

static int64_t
col_i64(PGresult *res, int row, int col)
{
	const char *v = db_val(res, row, col);

	return v ? strtoll(v, NULL, 10) : 0;
}

static int
col_int(PGresult *res, int row, int col)
{
	return (int)col_i64(res, row, col);
}

/* '{a,b,NULL}' for an array parameter. Elements are validated ids or
 * numbers (no quoting needed); NULL elements are written as NULL. */
static const char *
array_lit(struct arena *a, const char *const *v, size_t n)
{
	size_t len = 3;
	char *out, *p;

	for (size_t i = 0; i < n; i++)
		len += (v[i] ? strlen(v[i]) : 4) + 1;
	out = p = arena_alloc(a, len);
	*p++ = '{';
	for (size_t i = 0; i < n; i++) {
		const char *s = v[i] ? v[i] : "NULL";
		size_t l = strlen(s);

		if (i > 0)
			*p++ = ',';
		memcpy(p, s, l);
		p += l;
	}
	*p++ = '}';
	*p = '\0';
	return out;
}

/* Builds a text[] literal of array literals: {"{a,b}","{}"}. */
static const char *
nested_lit(struct arena *a, const char **inner, size_t n)
{
	const char **q = arena_alloc(a, (n + 1) * sizeof(*q));

	for (size_t i = 0; i < n; i++)
		q[i] = arena_printf(a, "\"%s\"", inner[i]);
	return array_lit(a, q, n);
}

/* Index of id in the world's staff (sorted by id), or -1. */
static int
staff_index(const struct appt_world *w, const char *id)
{
	size_t lo = 0, hi = w->n_staff;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(w->staff[mid].id, id);

		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Settings ----------------------------------------------------------------- */

#define SETTINGS_SQL "SELECT coalesce(p.timezone, 'UTC')," \
	" coalesce(s.min_notice_minutes, 60), coalesce(s.max_days_ahead, 60)," \
	" coalesce(s.slot_step_minutes, 15), coalesce(s.hold_minutes, 5)," \
	" coalesce(tp.cancellation_window_hours, 0)" \
	" FROM (SELECT app_tenant() AS t) x" \
	" LEFT JOIN tenant_profiles p ON p.tenant_id = x.t" \
	" LEFT JOIN scheduling_settings s ON s.tenant_id = x.t" \
	" LEFT JOIN tenant_policies tp ON tp.tenant_id = x.t"

static void
settings_from(PGresult *res, struct appt_settings *out)
{
	out->zone = db_val(res, 0, 0);
	out->min_notice_min = col_int(res, 0, 1);
	out->max_days_ahead = col_int(res, 0, 2);
	out->step_min = col_int(res, 0, 3);
	out->hold_min = col_int(res, 0, 4);
	out->cancel_window_h = col_int(res, 0, 5);
}

enum status
appt_store_settings(struct db_tx *tx, struct appt_settings *out)
{
	PGresult *res = db_exec(tx, SETTINGS_SQL, 0, NULL);

	if (res == NULL)
		return db_status(tx);
	settings_from(res, out);
	return ST_OK;
}

/* The loader ---------------------------------------------------------------
 *
 * The configuration comes from the tenant cache while its stamp holds; the
 * claims are every staff member's and resource's in the window, so that a
 * cached copy does not depend on which services were asked for. */

enum {
	Q_SETTINGS, Q_SERVICES, Q_ADDONS, Q_STAFF, Q_SCHEDULES, Q_TIME_OFF, Q_RESOURCES,
	Q_HOURS, Q_CLOSURES, Q_CLAIMS, Q__COUNT
};

/* The add-on row r of ares, appended to service s. */
static void
take_addon(PGresult *ares, int r, struct appt_service *s, int *addon_min)
{
	s->addons[s->n_addons] = (struct appt_addon){ db_val(ares, r, 0), db_val(ares, r, 2),
		db_val(ares, r, 5), col_int(ares, r, 3), col_int(ares, r, 4) };
	addon_min[s->n_addons++] = col_int(ares, r, 3);
}

static int
addon_row(PGresult *ares, const char *id)
{
	for (int r = 0; r < PQntuples(ares); r++)
		if (strcmp(PQgetvalue(ares, r, 0), id) == 0)
			return r;
	return -1;
}

static void
fill_services(struct arena *a, const struct appt_load_req *q, PGresult *res, PGresult *ares,
    struct appt_world *w)
{
	int **addon_min = arena_calloc(a, q->n_items + 1, sizeof(*addon_min));

	w->n_services = q->n_items;
	w->services = arena_calloc(a, q->n_items + 1, sizeof(*w->services));
	w->avail_services = arena_calloc(a, q->n_items + 1, sizeof(*w->avail_services));
	for (size_t i = 0; i < q->n_items; i++) {
		const struct appt_item_req *it = &q->items[i];
		struct appt_service *s = &w->services[i];
		struct avail_service *as = &w->avail_services[i];

		s->id = it->service_id;
		for (int r = 0; r < PQntuples(res); r++) {
			if (strcmp(PQgetvalue(res, r, 0), it->service_id) != 0)
				continue;
			s->found = true;
			s->name = db_val(res, r, 1);
			s->duration_min = col_int(res, r, 2);
			as->duration_min = s->duration_min;
			as->buffer_before_min = col_int(res, r, 3);
			as->buffer_after_min = col_int(res, r, 4);
			s->price_minor = col_int(res, r, 5);
			s->currency = db_val(res, r, 6);
		}
		s->addons = arena_calloc(a, it->n_addons + q->n_flat + 1, sizeof(*s->addons));
		addon_min[i] = arena_calloc(a, it->n_addons + q->n_flat + 1, sizeof(int));
		for (size_t j = 0; j < it->n_addons; j++) {
			int r = addon_row(ares, it->addon_ids[j]);

			if (r >= 0 && strcmp(PQgetvalue(ares, r, 1), it->service_id) == 0)
				take_addon(ares, r, s, addon_min[i]);
			else if (s->missing_addon == NULL)
				s->missing_addon = it->addon_ids[j];
		}
	}
	for (size_t j = 0; j < q->n_flat; j++) {
		int r = addon_row(ares, q->flat_addons[j]);
		bool taken = false;

		for (size_t i = 0; r >= 0 && i < q->n_items && !taken; i++) {
			if (strcmp(PQgetvalue(ares, r, 1), q->items[i].service_id) != 0)
				continue;
			take_addon(ares, r, &w->services[i], addon_min[i]);
			taken = true;
		}
		if (!taken && w->flat_missing == NULL)
			w->flat_missing = q->flat_addons[j];
	}
	for (size_t i = 0; i < q->n_items; i++) {
		w->avail_services[i].addon_min = addon_min[i];
		w->avail_services[i].n_addons = w->services[i].n_addons;
	}
}

/* Whether service_id is one of the request's (the configuration holds
 * every service's rows). */
static bool
requested(const struct appt_load_req *q, const char *service_id)
{
	for (size_t i = 0; i < q->n_items; i++)
		if (strcmp(q->items[i].service_id, service_id) == 0)
			return true;
	return false;
}

/* Eligible staff (sorted by id, the round-robin tie order) and who can
 * perform which service. */
static void
fill_staff(struct arena *a, const struct appt_load_req *q, PGresult *res,
    struct appt_world *w)
{
	int n = PQntuples(res);

	w->staff = arena_calloc(a, (size_t)n + 1, sizeof(*w->staff));
	w->staff_names = arena_calloc(a, (size_t)n + 1, sizeof(*w->staff_names));
	for (int r = 0; r < n; r++) {
		if (!requested(q, PQgetvalue(res, r, 2)) || (w->n_staff > 0 &&
		    strcmp(w->staff[w->n_staff - 1].id, PQgetvalue(res, r, 0)) == 0))
			continue;
		w->staff[w->n_staff].id = db_val(res, r, 0);
		w->staff_names[w->n_staff] = db_val(res, r, 1);
		w->n_staff++;
	}
	for (size_t i = 0; i < w->n_services; i++) {
		struct avail_service *as = &w->avail_services[i];
		const char **sid = arena_calloc(a, (size_t)n + 1, sizeof(*sid));

		for (int r = 0; r < n; r++)
			if (strcmp(PQgetvalue(res, r, 2), q->items[i].service_id) == 0)
				sid[as->n_staff_ids++] = db_val(res, r, 0);
		as->staff_ids = sid;
	}
}

/* How many rows of res (column 0: a staff id) each eligible staff member
 * has, and an array of that size each. */
static size_t *
count_per_staff(struct arena *a, PGresult *res, const struct appt_world *w)
{
	size_t *n = arena_calloc(a, w->n_staff + 1, sizeof(*n));

	for (int r = 0; r < PQntuples(res); r++) {
		int k = staff_index(w, PQgetvalue(res, r, 0));

		if (k >= 0)
			n[k]++;
	}
	return n;
}

/* Hands each row of res (column 0: a staff id) to take with its staff
 * member, skipping rows of staff who are not eligible. */
static void
per_staff(PGresult *res, struct appt_world *w,
    void (*take)(struct avail_staff *, PGresult *, int))
{
	for (int r = 0; r < PQntuples(res); r++) {
		int k = staff_index(w, PQgetvalue(res, r, 0));

		if (k >= 0)
			take(&w->staff[k], res, r);
	}
}

static void
take_schedule(struct avail_staff *st, PGresult *res, int r)
{
	struct avail_hours *h = (struct avail_hours *)&st->schedule[st->n_schedule++];

	*h = (struct avail_hours){ col_int(res, r, 1), col_int(res, r, 2), col_int(res, r, 3) };
}

static void
take_time_off(struct avail_staff *st, PGresult *res, int r)
{
	struct avail_range *t = (struct avail_range *)&st->time_off[st->n_time_off++];

	*t = (struct avail_range){ col_i64(res, r, 1), col_i64(res, r, 2) };
}

static void
fill_schedules(struct arena *a, PGresult *sch, PGresult *off, struct appt_world *w)
{
	size_t *ns = count_per_staff(a, sch, w), *no = count_per_staff(a, off, w);

	for (size_t k = 0; k < w->n_staff; k++) {
		w->staff[k].schedule = arena_calloc(a, ns[k] + 1, sizeof(struct avail_hours));
		w->staff[k].time_off = arena_calloc(a, no[k] + 1, sizeof(struct avail_range));
	}
	per_staff(sch, w, take_schedule);
	per_staff(off, w, take_time_off);
}

/* Resources the services need: deleted resources no longer count, an
 * inactive one counts with no units (nothing needing it can be offered). */
static void
fill_resources(struct arena *a, const struct appt_load_req *q, PGresult *res,
    struct appt_world *w)
{
	int n = PQntuples(res);

	w->resources = arena_calloc(a, (size_t)n + 1, sizeof(*w->resources));
	for (int r = 0; r < n; r++) {
		if (!requested(q, PQgetvalue(res, r, 0)) || (w->n_resources > 0 &&
		    strcmp(w->resources[w->n_resources - 1].id, PQgetvalue(res, r, 1)) == 0))
			continue;
		w->resources[w->n_resources++] = (struct avail_resource){ db_val(res, r, 1),
			col_int(res, r, 2) };
	}
	for (size_t i = 0; i < w->n_services; i++) {
		struct avail_service *as = &w->avail_services[i];
		struct avail_need *needs = arena_calloc(a, (size_t)n + 1, sizeof(*needs));

		for (int r = 0; r < n; r++)
			if (strcmp(PQgetvalue(res, r, 0), q->items[i].service_id) == 0)
				needs[as->n_needs++] = (struct avail_need){ db_val(res, r, 1),
					col_int(res, r, 3) };
		as->needs = needs;
	}
}

static void
fill_hours(struct arena *a, PGresult *h, PGresult *c, struct appt_world *w)
{
	w->n_hours = (size_t)PQntuples(h);
	w->hours = arena_calloc(a, w->n_hours + 1, sizeof(*w->hours));
	for (int r = 0; r < PQntuples(h); r++)
		w->hours[r] = (struct avail_hours){ col_int(h, r, 0), col_int(h, r, 1),
			col_int(h, r, 2) };
	w->n_closures = (size_t)PQntuples(c);
	w->closures = arena_calloc(a, w->n_closures + 1, sizeof(*w->closures));
	for (int r = 0; r < PQntuples(c); r++)
		w->closures[r] = (int32_t)col_int(c, r, 0);
}

static int
cmp_day_count(const void *x, const void *y)
{
	const struct avail_day_count *a = x, *b = y;
	int c = strcmp(a->staff_id, b->staff_id);

	return c != 0 ? c : (a->day > b->day) - (a->day < b->day);
}

/* Binary result fields (network byte order). */
static uint64_t
be_u64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* timestamptz: microseconds since 2000-01-01 UTC → epoch seconds. */
static int64_t
bin_time(PGresult *res, int r, int c)
{
	int64_t us = (int64_t)be_u64((const unsigned char *)PQgetvalue(res, r, c));

	return tz_floor_div(us, 1000000) + 946684800;
}

/* uuid: 16 bytes → canonical lower-case text; NULL for all zero (none). */
static const char *
uuid_text(struct arena *a, const unsigned char b[16])
{
	static const char hex[] = "0123456789abcdef";
	static const unsigned char none[16];
	char *out, *o;

	if (memcmp(b, none, 16) == 0)
		return NULL;
	out = o = arena_alloc(a, UUID_STR_LEN + 1);
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = hex[b[i] >> 4];
		*o++ = hex[b[i] & 15];
	}
	*o = '\0';
	return out;
}

/* The world's own copy of a staff id, so the engine compares one pointer
 * per string (and the arena holds one copy). */
static const char *
staff_ref(const struct appt_world *w, const char *id)
{
	int k = id ? staff_index(w, id) : -1;

	return k >= 0 ? w->staff[k].id : id;
}

/* The claims query's rows (binary columns: thousands of rows of times and
 * ids cost more to print as text and parse back than to read). */
static struct appt_claim_row *
claim_rows(struct arena *a, PGresult *res, size_t *n)
{
	int nr = res ? PQntuples(res) : 0;
	struct appt_claim_row *rows = arena_calloc(a, (size_t)nr + 1, sizeof(*rows));

	for (int r = 0; r < nr; r++) {
		struct appt_claim_row *c = &rows[r];

		c->start = bin_time(res, r, 0);
		c->end = bin_time(res, r, 1);
		c->expires = PQgetisnull(res, r, 2) ? 0 : bin_time(res, r, 2);
		if (!PQgetisnull(res, r, 3) && PQgetlength(res, r, 3) == 16)
			memcpy(c->staff, PQgetvalue(res, r, 3), 16);
		if (!PQgetisnull(res, r, 4) && PQgetlength(res, r, 4) == 16) {
			const unsigned char *u = (const unsigned char *)PQgetvalue(res, r, 5);

			memcpy(c->resource, PQgetvalue(res, r, 4), 16);
			c->unit = u[0] << 8 | u[1];	/* smallint */
		}
		c->booking = PQgetvalue(res, r, 6)[0] != 0;
	}
	*n = (size_t)nr;
	return rows;
}

/* Live claims, each as one engine booking (a claim's span already
 * includes the buffers), by start; a hold that has expired since the rows
 * were read is gone. Claims of staff and resources the services do not
 * involve are passed on too: the engine finds no owner for them. The
 * booking claims of a staff member also give the round robin its per-day
 * counts: one per service performed, on the local date the claim starts. */
static enum status
fill_claims(struct db_tx *tx, const struct appt_claims *c, struct appt_world *w)
{
	struct arena *a = tx->arena;
	struct avail_day_count *dc = arena_calloc(a, c->n + 1, sizeof(*dc));
	int64_t now = (int64_t)time(NULL);
	size_t ndc = 0;
	struct tz *z = NULL;

	w->bookings = arena_calloc(a, c->n + 1, sizeof(*w->bookings));
	if (c->n > 0 && tz_open(a, w->settings.zone, &z) != ST_OK)
		return err_set(tx->err, ST_INTERNAL, "The business's time zone is not usable.");
	for (size_t i = 0; i < c->n; i++) {
		const struct appt_claim_row *row = &c->rows[i];
		struct avail_booking *b;
		const char *res_id;

		if (row->expires != 0 && row->expires <= now)
			continue;
		b = &w->bookings[w->n_bookings++];
		b->start = row->start;
		b->end = row->end;
		b->staff_id = staff_ref(w, uuid_text(a, row->staff));
		if ((res_id = uuid_text(a, row->resource)) != NULL) {
			struct avail_unit *u = arena_alloc(a, sizeof(*u));

			u->resource_id = res_id;
			u->unit = row->unit;
			b->units = u;
			b->n_units = 1;
		}
		if (b->staff_id != NULL && row->booking) {
			if (ndc == 0)
				tz_preload(z, b->start, b->start + 60 * TZ_DAY_S);
			dc[ndc++] = (struct avail_day_count){ b->staff_id, tz_local_day(z, b->start), 1 };
		}
	}
	/* The engine adds entries up; merging them keeps its input small. */
	qsort(dc, ndc, sizeof(*dc), cmp_day_count);
	w->day_counts = dc;
	w->n_day_counts = 0;
	for (size_t i = 0; i < ndc; i++) {
		if (w->n_day_counts > 0 && cmp_day_count(&dc[w->n_day_counts - 1], &dc[i]) == 0)
			dc[w->n_day_counts - 1].count++;
		else
			dc[w->n_day_counts++] = dc[i];
	}
	return z != NULL && tz_failed(z) ?
	    err_set(tx->err, ST_INTERNAL, "The business's time zone is not usable.") : ST_OK;
}

/* The tenant's scheduling configuration for every service: one JSON text
 * of row arrays, in the columns the fill functions read, so it can be kept
 * in the tenant cache. Time off and closures that ended more than a week
 * ago are left out (nothing is computed that far back). */
#define CONFIG_SQL "SELECT json_build_object(" \
	"'stamp', (SELECT coalesce(max(stamp), 0) FROM scheduling_stamps)," \
	"'settings', (SELECT json_agg(json_build_array(c0, c1, c2, c3, c4, c5))" \
	" FROM (" SETTINGS_SQL ") q (c0, c1, c2, c3, c4, c5))," \
	"'services', (SELECT coalesce(json_agg(json_build_array(id, name, duration_minutes," \
	" buffer_before_minutes, buffer_after_minutes, price_minor, currency)), '[]')" \
	" FROM services WHERE active AND deleted_at IS NULL)," \
	"'addons', (SELECT coalesce(json_agg(json_build_array(id, service_id, name," \
	" duration_minutes, price_minor, currency)), '[]') FROM service_addons" \
	" WHERE active AND deleted_at IS NULL)," \
	"'staff', (SELECT coalesce(json_agg(json_build_array(st.id, st.display_name," \
	" ss.service_id) ORDER BY st.id, ss.service_id), '[]') FROM staff st" \
	" JOIN staff_services ss ON ss.tenant_id = st.tenant_id AND ss.staff_id = st.id" \
	" WHERE st.active AND st.deleted_at IS NULL)," \
	"'schedules', (SELECT coalesce(json_agg(json_build_array(staff_id, weekday," \
	" (extract(epoch FROM starts) / 60)::int, (extract(epoch FROM ends) / 60)::int)), '[]')" \
	" FROM staff_schedules)," \
	"'time_off', (SELECT coalesce(json_agg(json_build_array(staff_id," \
	" extract(epoch FROM starts_at)::bigint, extract(epoch FROM ends_at)::bigint)), '[]')" \
	" FROM staff_time_off WHERE ends_at > now() - interval '7 days')," \
	"'resources', (SELECT coalesce(json_agg(json_build_array(rs.service_id, r.id," \
	" CASE WHEN r.active THEN r.quantity ELSE 0 END, rs.quantity_needed) ORDER BY r.id)," \
	" '[]') FROM resource_services rs JOIN resources r ON r.tenant_id = rs.tenant_id" \
	" AND r.id = rs.resource_id WHERE r.deleted_at IS NULL)," \
	"'hours', (SELECT coalesce(json_agg(json_build_array(weekday," \
	" (extract(epoch FROM opens) / 60)::int, (extract(epoch FROM closes) / 60)::int)), '[]')" \
	" FROM business_hours)," \
	"'closures', (SELECT coalesce(json_agg(json_build_array(day - date '1970-01-01')), '[]')" \
	" FROM closures WHERE day >= current_date - 7))::text"

/* Parses a configuration (CONFIG_SQL's text) into results, each as if its
 * query had just answered; *stamp is the stamp it was read at. */
static enum status
config_results(struct db_tx *tx, const char *config, PGresult **res, int64_t *stamp)
{
	static const struct {
		const char *key;
		int ncols;
	} parts[Q_CLAIMS] = {
		[Q_SETTINGS] = { "settings", 6 }, [Q_SERVICES] = { "services", 7 },
		[Q_ADDONS] = { "addons", 6 }, [Q_STAFF] = { "staff", 3 },
		[Q_SCHEDULES] = { "schedules", 4 }, [Q_TIME_OFF] = { "time_off", 3 },
		[Q_RESOURCES] = { "resources", 4 }, [Q_HOURS] = { "hours", 3 },
		[Q_CLOSURES] = { "closures", 1 },
	};
	json_t *doc = json_loads(config, 0, NULL);
	enum status st = ST_OK;

	*stamp = json_integer_value(json_object_get(doc, "stamp"));
	for (int i = 0; i < Q_CLAIMS && st == ST_OK; i++)
		if ((res[i] = db_result_from_json(tx->arena, json_object_get(doc, parts[i].key),
		    parts[i].ncols)) == NULL)
			st = err_set(tx->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	json_decref(doc);
	return st;
}

/* The configuration to compute with: the caller's (cached) one while its
 * stamp is the tenant's current one, else read again. */
static enum status
config_current(struct db_tx *tx, PGresult *stamp_res, struct appt_config *cfg,
    PGresult **res)
{
	int64_t now = col_i64(stamp_res, 0, 0), had = -1;
	enum status st;

	cfg->reloaded = false;
	if (cfg->text != NULL && (st = config_results(tx, cfg->text, res, &had)) != ST_OK)
		return st;
	if (cfg->text != NULL && had == now)
		return ST_OK;
	if ((st = db_scalar(tx, CONFIG_SQL, 0, NULL, &cfg->text)) != ST_OK)
		return st;
	cfg->reloaded = true;
	return config_results(tx, cfg->text, res, &had);
}

enum status
appt_store_load(struct db_tx *tx, const struct appt_load_req *q, struct appt_config *cfg,
    struct appt_claims *claims, struct appt_world *out)
{
	struct arena *a = tx->arena;
	const char *cfrom, *cto;
	PGresult *res[Q__COUNT], *head[2];
	bool read = q->with_claims && claims->rows == NULL;
	enum status st;

	memset(out, 0, sizeof(*out));
	cfrom = i64s(a, q->claims_to > q->claims_from ? q->claims_from : q->from);
	cto = i64s(a, q->claims_to > q->claims_from ? q->claims_to : q->to);

	/* One round trip: the configuration's stamp, and the claims that can
	 * reach the window (they start at most two days before it: a claim is
	 * one service of a bundle, whose padded span is at most a day). (NULL
	 * IS DISTINCT FROM NULL is false: the exclusions test their parameter
	 * first.) */
	const struct db_query qs[2] = {
		{ "SELECT coalesce(max(stamp), 0) FROM scheduling_stamps", 0, NULL, 0 },
		{ "SELECT c.starts_at, c.ends_at, c.expires_at, c.staff_id, c.resource_id, c.unit,"
		    " c.booking_id IS NOT NULL FROM slot_claims c WHERE c.tenant_id = app_tenant()"
		    " AND c.starts_at >= to_timestamp($1::bigint) - interval '2 days'"
		    " AND c.starts_at < to_timestamp($2::bigint) AND c.ends_at > to_timestamp($1::bigint)"
		    " AND (c.expires_at IS NULL OR c.expires_at > now())"
		    " AND ($3::uuid IS NULL OR c.booking_id IS DISTINCT FROM $3::uuid)"
		    " AND ($4::uuid IS NULL OR c.hold_id IS DISTINCT FROM $4::uuid)"
		    " ORDER BY c.starts_at", 4,
		    (const char *[]){ cfrom, cto, q->exclude_booking_id, q->exclude_hold_id }, 1 },
	};

	/* Without claims (the test-only pre-check switch) none are read. */
	head[1] = NULL;
	if ((st = db_pipeline(tx, qs, read ? 2 : 1, head)) != ST_OK ||
	    (st = config_current(tx, head[0], cfg, res)) != ST_OK)
		return st;
	if (read) {
		claims->rows = claim_rows(a, head[1], &claims->n);
		claims->read = true;
	}
	settings_from(res[Q_SETTINGS], &out->settings);
	fill_services(a, q, res[Q_SERVICES], res[Q_ADDONS], out);
	fill_staff(a, q, res[Q_STAFF], out);
	fill_schedules(a, res[Q_SCHEDULES], res[Q_TIME_OFF], out);
	fill_resources(a, q, res[Q_RESOURCES], out);
	fill_hours(a, res[Q_HOURS], res[Q_CLOSURES], out);
	return fill_claims(tx, claims, out);
}

/* The public catalog --------------------------------------------------------- */

enum status
appt_store_catalog_json(struct db_tx *tx, const char **json)
{
	return db_scalar(tx, "SELECT json_build_object('items', coalesce(json_agg("
	    " json_build_object('id', s.id, 'name', s.name, 'description', s.description,"
	    "  'duration_minutes', s.duration_minutes, 'price_minor', s.price_minor,"
	    "  'currency', s.currency, 'addons', (SELECT coalesce(json_agg(json_build_object("
	    "   'id', a.id, 'name', a.name, 'duration_minutes', a.duration_minutes,"
	    "   'price_minor', a.price_minor, 'currency', a.currency)"
	    "   ORDER BY a.sort_order, a.name, a.id), '[]') FROM service_addons a"
	    "   WHERE a.tenant_id = s.tenant_id AND a.service_id = s.id AND a.active"
	    "   AND a.deleted_at IS NULL))"
	    " ORDER BY s.sort_order, s.name, s.id), '[]'), 'next_cursor', NULL)::text"
	    " FROM services s WHERE s.active AND s.deleted_at IS NULL", 0, NULL, json);
}

/* Holds and claims ----------------------------------------------------------- */

enum status
appt_store_hold_insert(struct db_tx *tx, const char *token_hash_hex, int64_t start,
    int64_t end, int hold_min, const char *items_json, char **id, int64_t *expires_at)
{
	struct arena *a = tx->arena;
	PGresult *res = db_exec(tx, "INSERT INTO holds (tenant_id, token_hash, starts_at, ends_at,"
	    " expires_at, items) VALUES (app_tenant(), decode($1, 'hex'), to_timestamp($2::bigint),"
	    " to_timestamp($3::bigint), now() + make_interval(mins => $4::int), $5::jsonb)"
	    " RETURNING id::text, floor(extract(epoch FROM expires_at))::bigint", 5,
	    (const char *[]){ token_hash_hex, i64s(a, start), i64s(a, end),
		ints(a, hold_min), items_json });

	if (res == NULL)
		return db_status(tx);
	*id = PQgetvalue(res, 0, 0);
	*expires_at = col_i64(res, 0, 1);
	return ST_OK;
}

enum status
appt_store_hold_find(struct db_tx *tx, const char *token_hash_hex, struct appt_hold *out,
    bool *found)
{
	PGresult *res = db_exec(tx, "SELECT id::text, extract(epoch FROM starts_at)::bigint,"
	    " extract(epoch FROM ends_at)::bigint, expires_at > now(), items::text FROM holds"
	    " WHERE token_hash = decode($1, 'hex')", 1, (const char *[]){ token_hash_hex });

	*found = false;
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return ST_OK;
	*found = true;
	out->id = PQgetvalue(res, 0, 0);
	out->start = col_i64(res, 0, 1);
	out->end = col_i64(res, 0, 2);
	out->live = db_bool(res, 0, 3);
	out->items_json = PQgetvalue(res, 0, 4);
	return ST_OK;
}

/* The claims' lock keys: a staff member, or a unit of a resource, on each
 * UTC day the claim touches. Two overlapping claims on one staff member or
 * unit share an instant, hence a day, hence a key. */
static const char **
claim_keys(struct arena *a, const struct appt_claim *c, size_t n, size_t *nkeys)
{
	size_t cap = 0, k = 0;
	const char **keys;

	for (size_t i = 0; i < n; i++)
		cap += (size_t)(tz_floor_div(c[i].end - 1, TZ_DAY_S) -
		    tz_floor_div(c[i].start, TZ_DAY_S)) + 1;
	keys = arena_alloc(a, (cap + 1) * sizeof(*keys));
	for (size_t i = 0; i < n; i++) {
		for (int64_t d = tz_floor_div(c[i].start, TZ_DAY_S);
		    d <= tz_floor_div(c[i].end - 1, TZ_DAY_S); d++)
			keys[k++] = c[i].staff_id ?
			    arena_printf(a, "\"s:%s:%lld\"", c[i].staff_id, (long long)d) :
			    arena_printf(a, "\"r:%s:%d:%lld\"", c[i].resource_id, c[i].unit,
			    (long long)d);
	}
	*nkeys = k;
	return keys;
}

/* Claiming time is three steps under transaction-level advisory locks:
 *
 * 1. Lock every key the claims touch, in one global order (the hashes,
 *    sorted), so two writers that want overlapping time queue one behind
 *    the other instead of both inserting and then each waiting for the
 *    other's uncommitted row — which PostgreSQL's exclusion constraints
 *    answer with a deadlock, found only after deadlock_timeout (1 s) per
 *    pair: 50 customers on one slot would wait tens of seconds.
 * 2. Delete the hold this booking consumes, a moved booking's old claims,
 *    and expired hold claims in the way (only on the locked keys, so
 *    whoever deletes a row holds its lock).
 * 3. Insert. The exclusion constraints still decide: a writer that got the
 *    lock after another committed the same time fails at once with 23P01.
 */
enum status
appt_store_claims_insert(struct db_tx *tx, const char *booking_id, const char *hold_id,
    const char *consume_hold_id, bool move, const struct appt_claim *c, size_t n)
{
	struct arena *a = tx->arena;
	const char **staff = arena_alloc(a, (n + 1) * sizeof(char *));
	const char **res = arena_alloc(a, (n + 1) * sizeof(char *));
	const char **unit = arena_alloc(a, (n + 1) * sizeof(char *));
	const char **from = arena_alloc(a, (n + 1) * sizeof(char *));
	const char **to = arena_alloc(a, (n + 1) * sizeof(char *));
	const char *p[5], **keys;
	size_t nkeys;

	for (size_t i = 0; i < n; i++) {
		staff[i] = c[i].staff_id;
		res[i] = c[i].resource_id;
		unit[i] = c[i].resource_id ? ints(a, c[i].unit) : NULL;
		from[i] = i64s(a, c[i].start);
		to[i] = i64s(a, c[i].end);
	}
	keys = claim_keys(a, c, n, &nkeys);
	p[0] = array_lit(a, staff, n);
	p[1] = array_lit(a, res, n);
	p[2] = array_lit(a, unit, n);
	p[3] = array_lit(a, from, n);
	p[4] = array_lit(a, to, n);

	const struct db_query qs[5] = {
		{ "SELECT pg_advisory_xact_lock(s.h) FROM (SELECT DISTINCT"
		    " hashtextextended('claims:' || app_tenant()::text || ':' || k, 0) AS h"
		    " FROM unnest($1::text[]) AS k ORDER BY 1) AS s", 1,
		    (const char *[]){ array_lit(a, keys, nkeys) }, 0 },
		/* The hold being turned into this booking goes (with its
		 * claims) under the locks, like any other writer's change. */
		{ "DELETE FROM holds WHERE id = $1::uuid", 1, (const char *[]){ consume_hold_id }, 0 },
		/* A moved booking gives up its old time here, for the same
		 * reason. */
		{ "DELETE FROM slot_claims WHERE booking_id = $1::uuid", 1,
		    (const char *[]){ move ? booking_id : NULL }, 0 },
		{ "DELETE FROM slot_claims c USING unnest($1::uuid[], $2::uuid[],"
		    " $3::int[], $4::bigint[], $5::bigint[]) AS t (s, r, u, x, y)"
		    " WHERE c.expires_at <= now()"
		    " AND c.during && tstzrange(to_timestamp(t.x), to_timestamp(t.y))"
		    " AND (c.staff_id = t.s OR (c.resource_id = t.r AND c.unit = t.u))", 5, p, 0 },
		{ "INSERT INTO slot_claims (tenant_id, booking_id, hold_id, staff_id,"
		    " resource_id, unit, during, expires_at)"
		    " SELECT app_tenant(), $6::uuid, $7::uuid, t.s, t.r, t.u,"
		    " tstzrange(to_timestamp(t.x), to_timestamp(t.y)),"
		    /* A hold's claims expire with the hold. */
		    " (SELECT h.expires_at FROM holds h WHERE h.id = $7::uuid)"
		    " FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::bigint[], $5::bigint[])"
		    " AS t (s, r, u, x, y)", 7,
		    (const char *[]){ p[0], p[1], p[2], p[3], p[4], booking_id, hold_id }, 0 },
	};
	PGresult *out[5];

	/* The steps in one round trip: a statement after a failed one is not
	 * run, and the lock comes first in the pipeline as in the
	 * transaction. */
	return db_pipeline(tx, qs, 5, out);
}

enum status
appt_store_claims_delete(struct db_tx *tx, const char *booking_id)
{
	if (db_exec(tx, "DELETE FROM slot_claims WHERE booking_id = $1::uuid", 1,
	    (const char *[]){ booking_id }) == NULL)
		return db_status(tx);
	return ST_OK;
}

/* Customers ------------------------------------------------------------------- */

static enum status
customer_find(struct db_tx *tx, const char *col_sql, const char *value, const char **id)
{
	PGresult *res;

	*id = NULL;
	if (value == NULL)
		return ST_OK;
	res = db_exec(tx, col_sql, 1, (const char *[]){ value });
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) > 0)
		*id = PQgetvalue(res, 0, 0);
	return ST_OK;
}

/* email_key, not email: see the customers table. */
#define BY_EMAIL "SELECT id::text FROM customers WHERE email_key = lower($1::text)" \
	" AND email IS NOT NULL AND deleted_at IS NULL FOR UPDATE"
#define BY_PHONE "SELECT id::text FROM customers WHERE phone = $1" \
	" AND deleted_at IS NULL FOR UPDATE"

enum status
appt_store_customer_upsert(struct db_tx *tx, const struct appt_customer_in *in,
    const char **id)
{
	const char *consent = in->sms_consent ? "true" : "false";
	enum status st;

	/* Twice at most: an insert that lost a race to a concurrent booking of
	 * the same new customer finds that customer on the second pass. */
	for (int pass = 0; pass < 2; pass++) {
		PGresult *res;

		if ((st = customer_find(tx, BY_EMAIL, in->email, id)) != ST_OK)
			return st;
		if (*id == NULL && (st = customer_find(tx, BY_PHONE, in->phone, id)) != ST_OK)
			return st;
		if (*id != NULL) {
			/* The latest name wins; a missing e-mail or phone is filled
			 * in unless another customer already has it. */
			if (db_exec(tx, "UPDATE customers c SET name = $2,"
			    " email = CASE WHEN c.email IS NULL AND $3::text IS NOT NULL"
			    "  AND NOT EXISTS (SELECT 1 FROM customers o WHERE o.email_key = lower($3::text)"
			    "  AND o.email IS NOT NULL AND o.deleted_at IS NULL)"
			    "  THEN $3::citext ELSE c.email END,"
			    " phone = CASE WHEN c.phone IS NULL AND $4::text IS NOT NULL"
			    "  AND NOT EXISTS (SELECT 1 FROM customers o WHERE o.phone = $4"
			    "  AND o.deleted_at IS NULL) THEN $4 ELSE c.phone END,"
			    " sms_consent_at = CASE WHEN $5::boolean AND NOT c.sms_consent THEN now()"
			    "  ELSE c.sms_consent_at END,"
			    " sms_consent = c.sms_consent OR $5::boolean"
			    " WHERE c.id = $1::uuid", 5,
			    (const char *[]){ *id, in->name, in->email, in->phone, consent }) == NULL)
				return db_status(tx);
			return ST_OK;
		}
		res = db_exec(tx, "INSERT INTO customers (tenant_id, name, email, phone, sms_consent,"
		    " sms_consent_at) VALUES (app_tenant(), $1, $2::citext, $3, $4::boolean,"
		    " CASE WHEN $4::boolean THEN now() END) ON CONFLICT DO NOTHING RETURNING id::text",
		    4, (const char *[]){ in->name, in->email, in->phone, consent });
		if (res == NULL)
			return db_status(tx);
		if (PQntuples(res) == 1) {
			*id = PQgetvalue(res, 0, 0);
			return ST_OK;
		}
	}
	return err_set(tx->err, ST_CONFLICT, "The customer changed meanwhile; retry the request.");
}

#define CUSTOMER_COLS "c.id::text, c.name, c.email::text, c.phone, c.sms_consent, c.version," \
	" extract(epoch FROM c.created_at)::bigint, extract(epoch FROM c.updated_at)::bigint," \
	" (SELECT count(*) FROM bookings b WHERE b.tenant_id = c.tenant_id" \
	" AND b.customer_id = c.id)," \
	" " DB_RFC3339_US("c.created_at") ", c.notes"

static void
customer_from_row(PGresult *res, int r, struct appt_customer *c)
{
	c->id = db_val(res, r, 0);
	c->name = db_val(res, r, 1);
	c->email = db_val(res, r, 2);
	c->phone = db_val(res, r, 3);
	c->sms_consent = db_bool(res, r, 4);
	c->version = col_int(res, r, 5);
	c->created_at = col_i64(res, r, 6);
	c->updated_at = col_i64(res, r, 7);
	c->n_bookings = (long)col_i64(res, r, 8);
	c->notes = db_val(res, r, 10);
}

enum status
appt_store_customer_get(struct db_tx *tx, const char *id, struct appt_customer *out,
    bool *found)
{
	PGresult *res = db_exec(tx, "SELECT " CUSTOMER_COLS " FROM customers c"
	    " WHERE c.id = $1::uuid AND c.deleted_at IS NULL", 1, (const char *[]){ id });

	*found = false;
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 1) {
		customer_from_row(res, 0, out);
		*found = true;
	}
	return ST_OK;
}

enum status
appt_store_customer_set_notes(struct db_tx *tx, const char *id, const char *notes,
    int version, bool *updated)
{
	char v[16];
	PGresult *res;

	snprintf(v, sizeof(v), "%d", version);
	res = db_exec(tx, "UPDATE customers SET notes = $2, version = version + 1,"
	    " updated_at = now() WHERE id = $1::uuid AND deleted_at IS NULL AND version = $3::int"
	    " RETURNING 1", 3, (const char *[]){ id, notes, v });
	*updated = false;
	if (res == NULL)
		return db_status(tx);
	*updated = PQntuples(res) == 1;
	return ST_OK;
}

/* A LIKE pattern matching q anywhere, with q's own wildcards taken
 * literally. */
static const char *
like_pattern(struct arena *a, const char *q)
{
	char *out = arena_alloc(a, strlen(q) * 2 + 3), *o = out;

	*o++ = '%';
	for (const char *p = q; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o++ = '%';
	*o = '\0';
	return out;
}

enum status
appt_store_customer_list(struct db_tx *tx, const struct appt_customer_filter *f,
    struct appt_customer **out, size_t *n, const char **last_created)
{
	PGresult *res = db_exec(tx, "SELECT " CUSTOMER_COLS " FROM customers c"
	    " WHERE c.deleted_at IS NULL AND ($1::text IS NULL OR c.name ILIKE $1"
	    "  OR c.email::text ILIKE $1 OR c.phone LIKE $1)"
	    " AND ($2::timestamptz IS NULL OR (c.created_at, c.id) < ($2::timestamptz, $3::uuid))"
	    " ORDER BY c.created_at DESC, c.id DESC LIMIT $4::int", 4,
	    (const char *[]){ f->q ? like_pattern(tx->arena, f->q) : NULL,
		f->cursor_created, f->cursor_id, ints(tx->arena, f->limit) });

	if (res == NULL)
		return db_status(tx);
	*n = (size_t)PQntuples(res);
	*out = arena_calloc(tx->arena, *n + 1, sizeof(**out));
	*last_created = NULL;
	for (int r = 0; r < PQntuples(res); r++) {
		customer_from_row(res, r, &(*out)[r]);
		*last_created = db_val(res, r, 9);
	}
	return ST_OK;
}

/* Bookings -------------------------------------------------------------------- */

enum status
appt_store_booking_insert(struct db_tx *tx, const struct appt_booking_new *in,
    const char **id, const char **reference, int *version, int64_t *created_at)
{
	struct arena *a = tx->arena;
	size_t n = in->n_items;
	const char **svc = arena_alloc(a, (n + 1) * sizeof(char *));
	const char **staff = arena_alloc(a, (n + 1) * sizeof(char *));
	const char **addons = arena_alloc(a, (n + 1) * sizeof(char *));
	const char **from = arena_alloc(a, (n + 1) * sizeof(char *));
	const char **to = arena_alloc(a, (n + 1) * sizeof(char *));
	const char **price = arena_alloc(a, (n + 1) * sizeof(char *));
	char *bid = arena_alloc(a, UUID_STR_LEN + 1);
	char ref[APPT_REF_LEN + 1];
	PGresult *res[2];
	enum status st;

	for (size_t i = 0; i < n; i++) {
		const struct appt_item_new *it = &in->items[i];

		svc[i] = it->service_id;
		staff[i] = it->staff_id;
		addons[i] = array_lit(a, it->addon_ids, it->n_addons);
		from[i] = i64s(a, it->start);
		to[i] = i64s(a, it->end);
		price[i] = ints(a, it->price_minor);
	}
	/* The id is ours, so the items go in the same round trip; they are
	 * inserted only if the booking was (its reference was free). A
	 * collision among 887 million references is rare; eight fresh draws
	 * in a row colliding means something else is wrong. */
	id_uuid_v4(bid);
	for (int attempt = 0; attempt < 8; attempt++) {
		appt_reference_new(ref);

		const struct db_query qs[2] = {
			{ "INSERT INTO bookings (tenant_id, id, reference, customer_id, status, source,"
			    " starts_at, ends_at, notes, total_minor, currency) VALUES (app_tenant(),"
			    " $10::uuid, $1, $2::uuid, $3, $4, to_timestamp($5::bigint),"
			    " to_timestamp($6::bigint), $7, $8::int, $9)"
			    " ON CONFLICT (tenant_id, reference) DO NOTHING"
			    " RETURNING version, extract(epoch FROM created_at)::bigint", 10,
			    (const char *[]){ ref, in->customer_id, in->status, in->source,
				i64s(a, in->start), i64s(a, in->end), in->notes,
				ints(a, in->total_minor), in->currency, bid }, 0 },
			{ "INSERT INTO booking_items (tenant_id, booking_id, position, service_id,"
			    " staff_id, addon_ids, starts_at, ends_at, price_minor)"
			    " SELECT app_tenant(), $1::uuid, t.p - 1, t.s, t.st, t.a::uuid[],"
			    " to_timestamp(t.x), to_timestamp(t.y), t.pr"
			    " FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::bigint[], $6::bigint[],"
			    " $7::int[]) WITH ORDINALITY AS t (s, st, a, x, y, pr, p)"
			    " WHERE EXISTS (SELECT 1 FROM bookings b WHERE b.id = $1::uuid)", 7,
			    (const char *[]){ bid, array_lit(a, svc, n), array_lit(a, staff, n),
				nested_lit(a, addons, n), array_lit(a, from, n), array_lit(a, to, n),
				array_lit(a, price, n) }, 0 },
		};

		if ((st = db_pipeline(tx, qs, 2, res)) != ST_OK)
			return st;
		if (PQntuples(res[0]) == 1) {
			*id = bid;
			*reference = arena_strdup(a, ref);
			*version = col_int(res[0], 0, 0);
			*created_at = col_i64(res[0], 0, 1);
			return ST_OK;
		}
		log_warn("booking reference %s collided; drawing another", ref);
	}
	return err_set(tx->err, ST_INTERNAL, "Could not allocate a booking reference.");
}

enum status
appt_store_month_count(struct db_tx *tx, const char *zone, bool lock, long *n,
    int64_t *month_start, int64_t *month_end)
{
	PGresult *res;

	/* Held until commit: the count and the insert that follows it are one
	 * step for every other booking of this tenant. */
	if (lock && db_exec(tx, "SELECT pg_advisory_xact_lock("
	    "hashtextextended('bookings:' || app_tenant()::text, 0))", 0, NULL) == NULL)
		return db_status(tx);
	res = db_exec(tx, "WITH m AS (SELECT date_trunc('month', now() AT TIME ZONE $1) AS s)"
	    " SELECT (SELECT count(*) FROM bookings b WHERE b.created_at >= (m.s AT TIME ZONE $1)"
	    "  AND b.created_at < ((m.s + interval '1 month') AT TIME ZONE $1)),"
	    " extract(epoch FROM (m.s AT TIME ZONE $1))::bigint,"
	    " extract(epoch FROM ((m.s + interval '1 month') AT TIME ZONE $1))::bigint FROM m",
	    1, (const char *[]){ zone });
	if (res == NULL)
		return db_status(tx);
	*n = (long)col_i64(res, 0, 0);
	*month_start = col_i64(res, 0, 1);
	*month_end = col_i64(res, 0, 2);
	return ST_OK;
}

#define VIEW_COLS "b.id::text, b.reference, b.status, b.source," \
	" extract(epoch FROM b.starts_at)::bigint, extract(epoch FROM b.ends_at)::bigint," \
	" b.notes, b.total_minor, b.currency, extract(epoch FROM b.cancelled_at)::bigint," \
	" b.cancel_reason, b.needs_review, b.version, extract(epoch FROM b.created_at)::bigint," \
	" extract(epoch FROM b.updated_at)::bigint, c.id::text, c.name, c.email::text, c.phone," \
	" extract(epoch FROM b.confirmed_at)::bigint"
#define VIEW_FROM " FROM bookings b JOIN customers c ON c.tenant_id = b.tenant_id" \
	" AND c.id = b.customer_id"
/* The booking has an item performed by the staff member linked to $N. */
#define STAFF_SCOPE(n) " AND ($" #n "::uuid IS NULL OR EXISTS (SELECT 1 FROM booking_items bi" \
	" JOIN staff s ON s.tenant_id = bi.tenant_id AND s.id = bi.staff_id" \
	" WHERE bi.tenant_id = b.tenant_id AND bi.booking_id = b.id" \
	" AND s.user_id = $" #n "::uuid AND s.deleted_at IS NULL))"

static void
view_from_row(PGresult *res, int r, struct appt_view *v)
{
	memset(v, 0, sizeof(*v));
	v->id = db_val(res, r, 0);
	v->reference = db_val(res, r, 1);
	v->status = db_val(res, r, 2);
	v->source = db_val(res, r, 3);
	v->start = col_i64(res, r, 4);
	v->end = col_i64(res, r, 5);
	v->notes = db_val(res, r, 6);
	v->total_minor = (long)col_i64(res, r, 7);
	v->currency = db_val(res, r, 8);
	v->cancelled = db_val(res, r, 9) != NULL;
	v->cancelled_at = col_i64(res, r, 9);
	v->cancel_reason = db_val(res, r, 10);
	v->needs_review = db_bool(res, r, 11);
	v->version = col_int(res, r, 12);
	v->created_at = col_i64(res, r, 13);
	v->updated_at = col_i64(res, r, 14);
	v->customer_id = db_val(res, r, 15);
	v->customer_name = db_val(res, r, 16);
	v->customer_email = db_val(res, r, 17);
	v->customer_phone = db_val(res, r, 18);
	v->confirmed = db_val(res, r, 19) != NULL;
	v->confirmed_at = col_i64(res, r, 19);
}

/* Fills the items of views[0..n) in one query. */
static enum status
load_items(struct db_tx *tx, struct appt_view *views, size_t n)
{
	struct arena *a = tx->arena;
	const char **ids;
	PGresult *res;
	size_t *count;

	if (n == 0)
		return ST_OK;
	ids = arena_alloc(a, (n + 1) * sizeof(*ids));
	count = arena_calloc(a, n + 1, sizeof(*count));
	for (size_t i = 0; i < n; i++)
		ids[i] = views[i].id;
	res = db_exec(tx, "SELECT bi.booking_id::text, bi.service_id::text, sv.name,"
	    " bi.staff_id::text, st.display_name, extract(epoch FROM bi.starts_at)::bigint,"
	    " extract(epoch FROM bi.ends_at)::bigint, bi.price_minor,"
	    " coalesce((SELECT json_agg(json_build_array(u.aid, ad.name) ORDER BY u.ord)"
	    "  FROM unnest(bi.addon_ids) WITH ORDINALITY AS u (aid, ord)"
	    "  LEFT JOIN service_addons ad ON ad.tenant_id = bi.tenant_id AND ad.id = u.aid),"
	    "  '[]')::text,"
	    /* The resources its live claims hold over the item's time (a
	     * cancelled booking has none left). */
	    " (SELECT coalesce(json_agg(json_build_object('id', r.id, 'name', r.name)"
	    "  ORDER BY r.name, r.id), '[]')::text FROM resources r WHERE r.tenant_id = bi.tenant_id"
	    "  AND r.id IN (SELECT c.resource_id FROM slot_claims c WHERE c.tenant_id = bi.tenant_id"
	    "  AND c.booking_id = bi.booking_id AND c.resource_id IS NOT NULL"
	    "  AND c.starts_at < bi.ends_at AND c.ends_at > bi.starts_at))"
	    " FROM booking_items bi JOIN services sv ON sv.tenant_id = bi.tenant_id"
	    " AND sv.id = bi.service_id JOIN staff st ON st.tenant_id = bi.tenant_id"
	    " AND st.id = bi.staff_id WHERE bi.booking_id = ANY($1::uuid[])"
	    " ORDER BY bi.booking_id, bi.position", 1, (const char *[]){ array_lit(a, ids, n) });
	if (res == NULL)
		return db_status(tx);
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			for (size_t i = 0; i < n; i++)
				views[i].items = arena_calloc(a, count[i] + 1, sizeof(struct appt_view_item));
		for (int r = 0; r < PQntuples(res); r++) {
			for (size_t i = 0; i < n; i++) {
				struct appt_view_item *it;
				json_t *adds, *x;
				size_t j;

				if (strcmp(views[i].id, PQgetvalue(res, r, 0)) != 0)
					continue;
				if (pass == 0) {
					count[i]++;
					continue;
				}
				it = &views[i].items[views[i].n_items++];
				it->service_id = db_val(res, r, 1);
				it->service_name = db_val(res, r, 2);
				it->staff_id = db_val(res, r, 3);
				it->staff_name = db_val(res, r, 4);
				it->start = col_i64(res, r, 5);
				it->end = col_i64(res, r, 6);
				it->price_minor = col_int(res, r, 7);
				it->resources = db_val(res, r, 9);
				adds = json_loads(PQgetvalue(res, r, 8), 0, NULL);
				it->addon_ids = arena_calloc(a, json_array_size(adds) + 1, sizeof(char *));
				it->addon_names = arena_calloc(a, json_array_size(adds) + 1, sizeof(char *));
				json_array_foreach(adds, j, x) {
					const char *nm = json_string_value(json_array_get(x, 1));

					it->addon_ids[j] = arena_strdup(a,
					    json_string_value(json_array_get(x, 0)));
					it->addon_names[j] = nm ? arena_strdup(a, nm) : NULL;
					it->n_addons++;
				}
				json_decref(adds);
			}
		}
	}
	return ST_OK;
}

/* The one booking res holds (*found false unless exactly one), with its
 * items. */
static enum status
one_view(struct db_tx *tx, PGresult *res, struct appt_view *out, bool *found)
{
	*found = false;
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) != 1)
		return ST_OK;
	*found = true;
	view_from_row(res, 0, out);
	return load_items(tx, out, 1);
}

enum status
appt_store_booking_by_ref(struct db_tx *tx, const char *reference, const char *email,
    const char *phone, bool for_update, struct appt_view *out, bool *found)
{
	PGresult *res = db_exec(tx, for_update ?
	    "SELECT " VIEW_COLS VIEW_FROM " WHERE b.reference = $1"
	    " AND ((c.email = $2::citext) OR (c.phone = $3::text)) FOR UPDATE OF b" :
	    "SELECT " VIEW_COLS VIEW_FROM " WHERE b.reference = $1"
	    " AND ((c.email = $2::citext) OR (c.phone = $3::text))", 3,
	    (const char *[]){ reference, email, phone });

	return one_view(tx, res, out, found);
}

enum status
appt_store_booking_by_id(struct db_tx *tx, const char *id, const char *staff_user_id,
    bool for_update, struct appt_view *out, bool *found)
{
	PGresult *res = db_exec(tx, for_update ?
	    "SELECT " VIEW_COLS VIEW_FROM " WHERE b.id = $1::uuid" STAFF_SCOPE(2) " FOR UPDATE OF b" :
	    "SELECT " VIEW_COLS VIEW_FROM " WHERE b.id = $1::uuid" STAFF_SCOPE(2), 2,
	    (const char *[]){ id, staff_user_id });

	return one_view(tx, res, out, found);
}

#define LIST_WHERE " WHERE ($1::bigint IS NULL OR b.starts_at >= to_timestamp($1::bigint))" \
	" AND ($2::bigint IS NULL OR b.starts_at < to_timestamp($2::bigint))" \
	" AND ($3::text IS NULL OR b.status = $3)" \
	" AND ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM booking_items bi" \
	"  WHERE bi.tenant_id = b.tenant_id AND bi.booking_id = b.id AND bi.staff_id = $4::uuid))" \
	" AND ($5::uuid IS NULL OR b.customer_id = $5::uuid)" STAFF_SCOPE(6) \
	" AND ($10::uuid IS NULL OR EXISTS (SELECT 1 FROM booking_items bi" \
	"  WHERE bi.tenant_id = b.tenant_id AND bi.booking_id = b.id AND bi.service_id = $10::uuid))" \
	" AND ($11::text IS NULL OR b.source = $11)" \
	" AND ($12::text IS NULL OR c.name ILIKE $12 OR c.email::text ILIKE $12" \
	"  OR c.phone LIKE $12 OR b.reference = upper($13))" \
	" AND ($14::boolean IS NULL OR b.needs_review = $14::boolean)"

static void
view_fill(PGresult *res, int r, void *elem, struct arena *a)
{
	(void)a;
	view_from_row(res, r, elem);
}

enum status
appt_store_booking_list(struct db_tx *tx, const struct appt_booking_filter *f,
    struct appt_view **out, size_t *n)
{
	struct arena *a = tx->arena;
	enum status st = db_rows(tx, f->newest_first ?
	    "SELECT " VIEW_COLS VIEW_FROM LIST_WHERE
	    " AND ($7::bigint IS NULL OR (b.starts_at, b.id) < (to_timestamp($7::bigint), $8::uuid))"
	    " ORDER BY b.starts_at DESC, b.id DESC LIMIT $9::int" :
	    "SELECT " VIEW_COLS VIEW_FROM LIST_WHERE
	    " AND ($7::bigint IS NULL OR (b.starts_at, b.id) > (to_timestamp($7::bigint), $8::uuid))"
	    " ORDER BY b.starts_at, b.id LIMIT $9::int", 14,
	    (const char *[]){ f->has_from ? i64s(a, f->from) : NULL,
		f->has_to ? i64s(a, f->to) : NULL, f->status, f->staff_id, f->customer_id,
		f->staff_user_id, f->cursor_start, f->cursor_id, ints(a, f->limit),
		f->service_id, f->source, f->q ? like_pattern(a, f->q) : NULL, f->q,
		f->needs_review },
	    sizeof(**out), view_fill, (void **)out, n);

	if (st != ST_OK)
		return st;
	return load_items(tx, *out, *n);
}

static enum status
returning_version(struct db_tx *tx, PGresult *res, int *version)
{
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) != 1)
		return err_set(tx->err, ST_NOTFOUND, "No booking with this id.");
	*version = col_int(res, 0, 0);
	return ST_OK;
}

enum status
appt_store_booking_move(struct db_tx *tx, const char *id, int64_t start, int64_t end,
    const struct appt_item_new *items, size_t n, int *version)
{
	struct arena *a = tx->arena;
	const char **staff = arena_alloc(a, (n + 1) * sizeof(char *));
	const char **from = arena_alloc(a, (n + 1) * sizeof(char *));
	const char **to = arena_alloc(a, (n + 1) * sizeof(char *));

	for (size_t i = 0; i < n; i++) {
		staff[i] = items[i].staff_id;
		from[i] = i64s(a, items[i].start);
		to[i] = i64s(a, items[i].end);
	}
	if (db_exec(tx, "UPDATE booking_items bi SET staff_id = t.st,"
	    " starts_at = to_timestamp(t.x), ends_at = to_timestamp(t.y)"
	    " FROM unnest($2::uuid[], $3::bigint[], $4::bigint[]) WITH ORDINALITY AS t (st, x, y, p)"
	    " WHERE bi.booking_id = $1::uuid AND bi.position = t.p - 1", 4,
	    (const char *[]){ id, array_lit(a, staff, n), array_lit(a, from, n),
		array_lit(a, to, n) }) == NULL)
		return db_status(tx);
	return returning_version(tx, db_exec(tx, "UPDATE bookings SET starts_at ="
	    " to_timestamp($2::bigint), ends_at = to_timestamp($3::bigint)"
	    " WHERE id = $1::uuid RETURNING version", 3,
	    (const char *[]){ id, i64s(a, start), i64s(a, end) }), version);
}

enum status
appt_store_booking_cancel(struct db_tx *tx, const char *id, const char *reason, int *version)
{
	enum status st = returning_version(tx, db_exec(tx, "UPDATE bookings SET status ="
	    " 'CANCELLED', cancelled_at = now(), cancel_reason = $2 WHERE id = $1::uuid"
	    " RETURNING version", 2, (const char *[]){ id, reason }), version);

	if (st != ST_OK)
		return st;
	/* The history stays on the booking; the time is free at once. */
	return appt_store_claims_delete(tx, id);
}

enum status
appt_store_booking_set_status(struct db_tx *tx, const char *id, const char *status,
    int *version)
{
	return returning_version(tx, db_exec(tx, "UPDATE bookings SET status = $2"
	    " WHERE id = $1::uuid RETURNING version", 2, (const char *[]){ id, status }), version);
}

/* Notifications ---------------------------------------------------------------- */

enum status
appt_store_notice(struct db_tx *tx, const char *booking_id, struct appt_notice *out,
    bool *found)
{
	PGresult *res = db_exec(tx, "SELECT b.reference, c.email::text, c.name,"
	    " coalesce(br.display_name, p.business_name, ''), coalesce(p.timezone, 'UTC'),"
	    " b.status, extract(epoch FROM b.starts_at)::bigint,"
	    " extract(epoch FROM b.ends_at)::bigint, b.version,"
	    " CASE WHEN c.sms_consent THEN c.phone END,"
	    " (SELECT sv.name FROM booking_items bi JOIN services sv ON sv.tenant_id = bi.tenant_id"
	    "   AND sv.id = bi.service_id WHERE bi.tenant_id = b.tenant_id AND bi.booking_id = b.id"
	    "   ORDER BY bi.position LIMIT 1),"
	    " (SELECT bi.staff_id FROM booking_items bi WHERE bi.tenant_id = b.tenant_id"
	    "   AND bi.booking_id = b.id ORDER BY bi.position LIMIT 1)" VIEW_FROM
	    " LEFT JOIN tenant_profiles p ON p.tenant_id = b.tenant_id"
	    " LEFT JOIN tenant_branding br ON br.tenant_id = b.tenant_id"
	    " WHERE b.id = $1::uuid", 1, (const char *[]){ booking_id });

	*found = false;
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) != 1)
		return ST_OK;
	*found = true;
	*out = (struct appt_notice){ db_val(res, 0, 0), db_val(res, 0, 1), db_val(res, 0, 2),
		db_val(res, 0, 3), db_val(res, 0, 4), db_val(res, 0, 5), col_i64(res, 0, 6),
		col_i64(res, 0, 7), col_i64(res, 0, 8), db_val(res, 0, 9), db_val(res, 0, 10),
		db_val(res, 0, 11) };
	return ST_OK;
}

/* One customer's data (export and erasure) ---------------------------------------- */

static void
decref_cb(void *p)
{
	json_decref(p);
}

static json_t *
json_text_col(struct arena *a, PGresult *res, int col)
{
	json_t *j = json_loads(PQgetvalue(res, 0, col), JSON_DECODE_ANY, NULL);

	if (j != NULL)
		arena_defer(a, decref_cb, j);
	return j;
}

/* Booking mail only: other mail to the same address (an invitation, if
 * the customer also works there) is not theirs as a customer. */
#define BOOKING_MAIL "o.template LIKE 'booking.%'"

enum status
appt_store_customer_export(struct db_tx *tx, const char *id, struct appt_export_rows *out,
    bool *found)
{
	char limit[16];
	PGresult *res;

	snprintf(limit, sizeof(limit), "%d", APPT_EXPORT_BOOKINGS);
	res = db_exec(tx, "SELECT json_build_object('id', c.id, 'name', c.name,"
	    " 'email', c.email, 'phone', c.phone, 'sms_consent', c.sms_consent,"
	    " 'notes', c.notes, 'sms_consent_at', " DB_RFC3339("c.sms_consent_at") ","
	    " 'erased_at', " DB_RFC3339("c.erased_at") ","
	    " 'created_at', " DB_RFC3339("c.created_at") ","
	    " 'updated_at', " DB_RFC3339("c.updated_at") ")::text,"
	    " coalesce((SELECT json_agg(json_build_object('id', b.id, 'reference', b.reference,"
	    "  'status', b.status, 'source', b.source, 'starts_at', " DB_RFC3339("b.starts_at") ","
	    "  'ends_at', " DB_RFC3339("b.ends_at") ", 'notes', b.notes,"
	    "  'total_minor', b.total_minor, 'currency', b.currency,"
	    "  'cancelled_at', " DB_RFC3339("b.cancelled_at") ", 'cancel_reason', b.cancel_reason,"
	    "  'created_at', " DB_RFC3339("b.created_at") ","
	    "  'items', coalesce((SELECT json_agg(json_build_object('position', i.position,"
	    "   'service_id', i.service_id, 'staff_id', i.staff_id, 'addon_ids', i.addon_ids,"
	    "   'starts_at', " DB_RFC3339("i.starts_at") ", 'ends_at', " DB_RFC3339("i.ends_at") ","
	    "   'price_minor', i.price_minor) ORDER BY i.position) FROM booking_items i"
	    "   WHERE i.tenant_id = b.tenant_id AND i.booking_id = b.id), '[]'::json))"
	    "  ORDER BY b.starts_at DESC, b.id)"
	    "  FROM (SELECT * FROM bookings b0 WHERE b0.customer_id = c.id"
	    "   ORDER BY b0.starts_at DESC LIMIT $2::int) b), '[]'::json)::text,"
	    " coalesce((SELECT json_agg(json_build_object('id', o.id, 'channel', o.channel,"
	    "  'recipient', o.recipient, 'template', o.template, 'payload', o.payload,"
	    "  'status', o.status, 'sent_at', " DB_RFC3339("o.sent_at") ","
	    "  'created_at', " DB_RFC3339("o.created_at") ") ORDER BY o.created_at, o.id)"
	    "  FROM notification_outbox o WHERE c.email IS NOT NULL"
	    "  AND lower(o.recipient) = c.email_key AND " BOOKING_MAIL "), '[]'::json)::text,"
	    " c.email::text, c.phone"
	    " FROM customers c WHERE c.id = $1::uuid AND c.deleted_at IS NULL", 2,
	    (const char *[]){ id, limit });

	*found = false;
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) != 1)
		return ST_OK;
	out->customer = json_text_col(tx->arena, res, 0);
	out->bookings = json_text_col(tx->arena, res, 1);
	out->notifications = json_text_col(tx->arena, res, 2);
	out->email = db_val(res, 0, 3);
	out->phone = db_val(res, 0, 4);
	if (out->customer == NULL || out->bookings == NULL || out->notifications == NULL)
		return err_set(tx->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	*found = true;
	return ST_OK;
}

enum status
appt_store_customer_erase(struct db_tx *tx, const char *id, const char *email,
    struct appt_erase_counts *out)
{
	PGresult *res = db_exec(tx, "WITH"
	    " b AS (UPDATE bookings SET notes = NULL, cancel_reason = NULL"
	    "  WHERE customer_id = $1::uuid AND (notes IS NOT NULL OR cancel_reason IS NOT NULL)"
	    "  RETURNING 1),"
	    " o AS (DELETE FROM notification_outbox o WHERE $2::text IS NOT NULL"
	    "  AND lower(o.recipient) = lower($2::text) AND " BOOKING_MAIL " RETURNING 1),"
	    " c AS (UPDATE customers SET name = 'Erased customer', email = NULL, phone = NULL,"
	    "  sms_consent = false, sms_consent_at = NULL, notes = NULL,"
	    "  erased_at = coalesce(erased_at, now())"
	    "  WHERE id = $1::uuid AND (erased_at IS NULL OR email IS NOT NULL"
	    "  OR phone IS NOT NULL OR sms_consent OR notes IS NOT NULL"
	    "  OR name <> 'Erased customer') RETURNING 1)"
	    " SELECT (SELECT count(*) FROM c), (SELECT count(*) FROM b),"
	    " (SELECT count(*) FROM bookings WHERE customer_id = $1::uuid),"
	    " (SELECT count(*) FROM o)", 2, (const char *[]){ id, email });

	if (res == NULL)
		return db_status(tx);
	out->customer = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	out->bookings_cleared = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	out->bookings_kept = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	out->notifications = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	return ST_OK;
}
