/* calendar_busy.c — busy times from connected calendars for availability,
 * and the outbound plumbing every provider call shares (the tenant's
 * shared rate bucket, opening a connection's secret, recording a
 * connection's health).
 *
 * calendar_busy() never fails because a provider did. It reads the cache
 * (per connection and local day) in one short transaction, releases it,
 * asks providers for the stale days only (one call per connection, all
 * within one time budget), writes what came back in a second transaction,
 * and answers from fresh data where it got some and from the stale cache
 * (with a warning in the log) where it did not. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/ids.h"
#include "core/log.h"
#include "modules/calendar/calendar_internal.h"
#include "modules/calendar/calendar_secrets.h"
#include "modules/tenants/tenants.h"

/* Outbound plumbing ------------------------------------------------------------------ */

struct call_ctx {
	const struct ctx *ctx;
	const char *tenant_id;
};

enum status
calendar_tx_begin_quiet(struct db_tx *tx, const struct ctx *ctx, struct arena *a,
    struct err *e, const char *tenant_id)
{
	struct ctx quiet = *ctx;

	quiet.arena = a;
	quiet.err = e;
	return db_tx_begin_as(tx, &quiet, tenant_id);
}

/* Spends one of the tenant's Cal.com tokens, in a transaction of its own
 * (the bucket row is shared by every process). Google has no bucket of
 * ours: its quotas are per project and generous; its 429s still count. */
static enum status
before_request(struct calendar_call *call, const char *provider)
{
	struct call_ctx *cx = call->ud;
	struct calendar_bucket b;
	struct db_tx tx;
	struct err e;
	double rate, burst, now = 0, wait = 0;
	enum status st;

	if (cx == NULL || strcmp(provider, "calcom") != 0)
		return ST_OK;
	calendar_bucket_limits(cx->ctx->cfg->calcom_rate_per_min, &rate, &burst);
	err_clear(&e);
	if ((st = calendar_tx_begin_quiet(&tx, cx->ctx, call->arena, &e, cx->tenant_id)) != ST_OK)
		return err_set(call->err, st, "rate bucket unavailable: %s", e.message);
	if ((st = cal_store_bucket_lock(&tx, provider, burst, &b, &now)) == ST_OK) {
		wait = calendar_bucket_take(&b, now, rate, burst);
		if (wait <= 0)
			st = cal_store_bucket_save(&tx, provider, &b);
	}
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return err_set(call->err, st, "rate bucket unavailable: %s", e.message);
	if (wait > 0) {
		call->retry_after_s = (int)ceil(wait);
		return err_set(call->err, ST_RATE_LIMITED,
		    "our Cal.com budget of %d requests a minute is spent (next in %.1f s)",
		    cx->ctx->cfg->calcom_rate_per_min, wait);
	}
	return ST_OK;
}

static void
on_rate_limited(struct calendar_call *call, const char *provider, int retry_after_s)
{
	struct call_ctx *cx = call->ud;
	struct db_tx tx;
	struct err e;
	enum status st;

	if (cx == NULL)
		return;
	err_clear(&e);
	if (calendar_tx_begin_quiet(&tx, cx->ctx, call->arena, &e, cx->tenant_id) != ST_OK)
		return;
	st = cal_store_bucket_block(&tx, provider, retry_after_s > 0 ? retry_after_s : 60);
	if (db_tx_end(&tx, st) != ST_OK)
		log_warn("could not record a %s rate limit: %s", provider, e.message);
}

void
calendar_call_init(struct calendar_call *call, const struct ctx *ctx, struct arena *a,
    struct err *e, const char *tenant_id)
{
	struct call_ctx *cx = arena_calloc(a, 1, sizeof(*cx));

	memset(call, 0, sizeof(*call));
	cx->ctx = ctx;
	cx->tenant_id = tenant_id;
	call->arena = a;
	call->cfg = ctx->cfg;
	call->err = e;
	call->before_request = before_request;
	call->on_rate_limited = on_rate_limited;
	call->ud = cx;
}

enum status
calendar_conn_open(const struct ctx *ctx, struct arena *a, const char *tenant_id,
    const struct cal_conn_row *row, struct calendar_conn *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	out->tenant_id = tenant_id;
	out->id = row->id;
	out->provider = row->provider;
	out->staff_id = row->staff_id;
	out->external_ref = row->external_ref;
	return calendar_secret_open(ctx->cfg, a, row->secret_ct, row->secret_nonce,
	    row->secret_key_id, &out->secret, e);
}

void
calendar_conn_outcome(const struct ctx *ctx, struct arena *a, const char *tenant_id,
    const char *conn_id, enum status st, const char *msg)
{
	struct db_tx tx;
	struct err e;
	enum status s2;

	/* A rate limit is ours to wait out, not a fault of the connection. */
	if (st == ST_RATE_LIMITED)
		return;
	err_clear(&e);
	if (calendar_tx_begin_quiet(&tx, ctx, a, &e, tenant_id) != ST_OK) {
		log_warn("calendar connection %s: outcome not recorded: %s", conn_id, e.message);
		return;
	}
	s2 = cal_store_connection_outcome(&tx, conn_id,
	    st == ST_UNAUTHENTICATED ? "error" : NULL, st == ST_OK ? NULL : msg);
	if (db_tx_end(&tx, s2) != ST_OK)
		log_warn("calendar connection %s: outcome not recorded: %s", conn_id, e.message);
}

/* calendar_busy ---------------------------------------------------------------------- */

struct conn_days {
	const struct cal_conn_row *row;
	struct calendar_ranges *day_busy;	/* per day */
	bool *have;				/* per day: cached or fetched */
	bool *fresh;
	struct calendar_ranges own;		/* our synced bookings on it */
	size_t own_cap;
	bool fetched;
};

const char *
calendar_uuid_array(struct arena *a, const char *const *ids, size_t n)
{
	char *s = arena_strdup(a, "{");

	for (size_t i = 0; i < n; i++)
		if (ids[i] != NULL && id_is_uuid(ids[i]))
			s = arena_printf(a, "%s%s%s", s, s[1] ? "," : "", ids[i]);
	return arena_printf(a, "%s}", s);
}

static int
day_index(const struct cal_span *days, size_t ndays, const char *day)
{
	for (size_t i = 0; i < ndays; i++)
		if (strcmp(days[i].key, day) == 0)
			return (int)i;
	return -1;
}

/* Puts the cached days and our own synced events on their connections. */
static void
place_rows(const struct ctx *ctx, struct arena *a, const struct cal_span *days, size_t ndays,
    struct conn_days *cd, size_t n, const struct cal_cache_row *cache, size_t ncache,
    const struct cal_span *own, size_t nown)
{
	for (size_t r = 0; r < ncache; r++) {
		int di = day_index(days, ndays, cache[r].day);

		for (size_t i = 0; i < n && di >= 0; i++) {
			if (strcmp(cd[i].row->id, cache[r].conn_id) != 0)
				continue;
			if (calendar_busy_parse(a, cache[r].busy, &cd[i].day_busy[di])) {
				cd[i].have[di] = true;
				cd[i].fresh[di] = cache[r].age_s >= 0 &&
				    cache[r].age_s < ctx->cfg->calendar_busy_ttl_s;
			}
		}
	}
	for (size_t r = 0; r < nown; r++)
		for (size_t i = 0; i < n; i++)
			if (strcmp(cd[i].row->id, own[r].key) == 0)
				calendar_ranges_push(a, &cd[i].own, &cd[i].own_cap, own[r].start,
				    own[r].end);
}

static enum status
load_state(const struct ctx *ctx, struct arena *a, const char *tenant_id,
    const char *const *staff_ids, size_t nstaff, int64_t from, int64_t to,
    struct cal_span **days, size_t *ndays, struct conn_days **cd, size_t *ncd)
{
	struct cal_conn_row *rows;
	struct cal_cache_row *cache;
	struct cal_span *own;
	const char *conn_ids;
	const char **ids;
	struct db_tx tx;
	struct err e;
	const char *key = arena_printf(a, "cal:%s", tenant_id);
	bool any = true;
	uint64_t gen = 0;
	size_t n = 0, ncache, nown;
	enum status st;

	err_clear(&e);
	*ncd = 0;
	/* Most tenants connect no calendar: that fact is kept in the tenant
	 * cache (dropped by the tenant_changed NOTIFY of migration 0036 when a
	 * connection is made or comes back), so their availability and
	 * bookings open no transaction here. Only "none" is kept: with a
	 * connection the rows are read anyway. */
	if (tcache_text_get(key, a, &gen) != NULL)
		return ST_OK;
	if ((st = calendar_tx_begin_quiet(&tx, ctx, a, &e, tenant_id)) != ST_OK)
		return st;
	/* A calendar we cannot read any more (in error) blocks nothing: its
	 * cached times would only grow staler. */
	if ((st = cal_store_connections_for_staff(&tx, calendar_uuid_array(a, staff_ids, nstaff), false,
	    &rows, &n)) != ST_OK)
		goto out;
	if (n == 0) {
		/* None for these staff: is there one at all (kept if not)? */
		st = cal_store_any_active(&tx, &any);
		goto out;
	}
	if ((st = cal_store_days(&tx, from, to, days, ndays)) != ST_OK || *ndays == 0)
		goto out;
	*cd = arena_calloc(a, n, sizeof(**cd));
	ids = arena_calloc(a, n, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		ids[i] = rows[i].id;
		(*cd)[i].row = &rows[i];
		(*cd)[i].day_busy = arena_calloc(a, *ndays, sizeof(struct calendar_ranges));
		(*cd)[i].have = arena_calloc(a, *ndays, sizeof(bool));
		(*cd)[i].fresh = arena_calloc(a, *ndays, sizeof(bool));
	}
	conn_ids = calendar_uuid_array(a, ids, n);
	*ncd = n;
	if ((st = cal_store_cache_load(&tx, conn_ids, (*days)[0].key, (*days)[*ndays - 1].key,
	    &cache, &ncache)) != ST_OK)
		goto out;
	if ((st = cal_store_own_events(&tx, conn_ids, (*days)[0].start, (*days)[*ndays - 1].end,
	    &own, &nown)) != ST_OK)
		goto out;
	place_rows(ctx, a, *days, *ndays, *cd, n, cache, ncache, own, nown);
out:
	if ((st = db_tx_end(&tx, st)) == ST_OK && !any)
		tcache_text_put(key, "none", gen);
	return st;
}

/* Asks the provider for the stale days of one connection (one call over
 * the span from the first to the last of them). */
static void
refresh(const struct ctx *ctx, struct arena *a, const char *tenant_id, int64_t deadline_ms,
    const struct cal_span *days, size_t ndays, struct conn_days *c)
{
	const struct calendar_provider *p = calendar_provider_find(c->row->provider);
	struct calendar_conn conn;
	struct calendar_call call;
	struct calendar_ranges busy;
	struct err e;
	size_t first = ndays, last = 0;
	enum status st;

	for (size_t d = 0; d < ndays; d++) {
		if (!c->fresh[d]) {
			if (first == ndays)
				first = d;
			last = d;
		}
	}
	if (first == ndays || p == NULL)
		return;
	err_clear(&e);
	if (calendar_now_ms() >= deadline_ms) {
		st = err_set(&e, ST_TIMEOUT, "no time left for this lookup");
		goto failed;
	}
	calendar_call_init(&call, ctx, a, &e, tenant_id);
	call.deadline_ms = deadline_ms;
	if ((st = calendar_conn_open(ctx, a, tenant_id, c->row, &conn, &e)) != ST_OK)
		goto failed;
	if ((st = p->free_busy(&call, &conn, days[first].start, days[last].end, &busy)) != ST_OK)
		goto failed;
	for (size_t d = first; d <= last; d++) {
		struct calendar_ranges day = { arena_alloc(a, (busy.n ? busy.n : 1) *
		    sizeof(struct calendar_range)), busy.n };

		if (busy.n)
			memcpy(day.v, busy.v, busy.n * sizeof(struct calendar_range));
		calendar_ranges_clip(&day, days[d].start, days[d].end);
		c->day_busy[d] = day;
		c->have[d] = c->fresh[d] = true;
	}
	c->fetched = true;
	calendar_conn_outcome(ctx, a, tenant_id, c->row->id, ST_OK, NULL);
	return;
failed:
	/* Availability goes on with what the cache holds (maybe nothing). */
	log_emit(LOG_WARN, "calendar busy times unavailable; using cached", json_pack(
	    "{s:s, s:s, s:s, s:s, s:s}", "tenant_id", tenant_id, "connection_id", c->row->id,
	    "provider", c->row->provider, "status", status_code(st), "error", e.message));
	if (st != ST_TIMEOUT || calendar_now_ms() < deadline_ms)
		calendar_conn_outcome(ctx, a, tenant_id, c->row->id, st, e.message);
}

static void
save(const struct ctx *ctx, struct arena *a, const char *tenant_id, const struct cal_span *days,
    size_t ndays, struct conn_days *cd, size_t ncd)
{
	struct db_tx tx;
	struct err e;
	enum status st = ST_OK;
	bool any = false;

	for (size_t i = 0; i < ncd; i++)
		any = any || cd[i].fetched;
	if (!any)
		return;
	err_clear(&e);
	if (calendar_tx_begin_quiet(&tx, ctx, a, &e, tenant_id) != ST_OK) {
		log_warn("calendar busy cache not written: %s", e.message);
		return;
	}
	for (size_t i = 0; i < ncd && st == ST_OK; i++)
		for (size_t d = 0; d < ndays && st == ST_OK && cd[i].fetched; d++)
			if (cd[i].fresh[d])
				st = cal_store_cache_put(&tx, cd[i].row->id, days[d].key,
				    calendar_busy_json(a, &cd[i].day_busy[d]));
	if (db_tx_end(&tx, st) != ST_OK)
		log_warn("calendar busy cache not written: %s", e.message);
}

static void
emit(struct arena *a, struct calendar_busy *out, size_t *cap, const char *staff_id,
    const struct calendar_ranges *r, int64_t from, int64_t to)
{
	for (size_t i = 0; i < r->n; i++) {
		int64_t s = r->v[i].start < from ? from : r->v[i].start;
		int64_t e = r->v[i].end > to ? to : r->v[i].end;

		if (e <= s)
			continue;
		if (out->n == *cap) {
			size_t nc = *cap ? *cap * 2 : 32;
			struct calendar_busy_range *nv = arena_alloc(a, nc * sizeof(*nv));

			if (out->n)
				memcpy(nv, out->ranges, out->n * sizeof(*nv));
			out->ranges = nv;
			*cap = nc;
		}
		out->ranges[out->n].start = s;
		out->ranges[out->n].end = e;
		out->ranges[out->n].staff_id = staff_id;
		out->n++;
	}
}

enum status
calendar_busy(const struct ctx *ctx, struct arena *a, const char *tenant_id,
    const char *const *staff_ids, size_t nstaff, int64_t from, int64_t to,
    struct calendar_busy *out)
{
	struct cal_span *days = NULL;
	struct conn_days *cd = NULL;
	size_t ndays = 0, ncd = 0, cap = 0;
	int64_t deadline;
	enum status st;

	out->ranges = NULL;
	out->n = 0;
	if (nstaff == 0 || to <= from || tenant_id == NULL)
		return ST_OK;
	if (to - from > (int64_t)CALENDAR_MAX_DAYS * 86400)
		to = from + (int64_t)CALENDAR_MAX_DAYS * 86400;
	st = load_state(ctx, a, tenant_id, staff_ids, nstaff, from, to, &days, &ndays, &cd, &ncd);
	if (st != ST_OK) {
		log_warn("calendar busy times skipped: %s", status_code(st));
		return ST_OK;
	}
	if (ncd == 0 || ndays == 0)
		return ST_OK;	/* the internal calendar only: nothing external */

	/* No transaction is open from here until save(). */
	deadline = calendar_now_ms() + CALENDAR_BUSY_BUDGET_MS;
	if (ctx->cfg->calendar_timeout_ms > CALENDAR_BUSY_BUDGET_MS)
		deadline = calendar_now_ms() + ctx->cfg->calendar_timeout_ms;
	for (size_t i = 0; i < ncd; i++)
		refresh(ctx, a, tenant_id, deadline, days, ndays, &cd[i]);
	save(ctx, a, tenant_id, days, ndays, cd, ncd);

	for (size_t i = 0; i < ncd; i++) {
		const struct cal_conn_row *row = cd[i].row;

		for (size_t d = 0; d < ndays; d++) {
			struct calendar_ranges r = cd[i].day_busy[d];

			if (!cd[i].have[d])
				continue;
			/* The business's own calendar holds the events we put there
			 * for every staff member: those are bookings availability
			 * already knows, not a reason to block everyone else. */
			if (row->staff_id == NULL && cd[i].own.n > 0)
				calendar_ranges_subtract(a, &cd[i].day_busy[d], &cd[i].own, &r);
			for (size_t k = 0; k < nstaff; k++) {
				if (staff_ids[k] == NULL ||
				    (row->staff_id != NULL && strcasecmp(row->staff_id, staff_ids[k]) != 0))
					continue;
				emit(a, out, &cap, staff_ids[k], &r, from, to);
			}
		}
	}
	return ST_OK;
}
