/* appt_service.c — the scheduling rules (see appt_service.h).
 *
 * Every decision follows one shape: read what the engine needs in one
 * transaction and release it; ask the calendars for external busy times
 * (outbound, so never inside a transaction); judge with the engine; then
 * write in a new transaction. The engine's answer is a courtesy — it gives
 * the caller a clear message and picks staff and units — while the
 * exclusion constraints on slot_claims are what make a double booking
 * impossible: a concurrent writer that slipped in between fails with
 * 23P01 and gets 409. */
#include "modules/appointments/appt_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "core/log.h"
#include "db/db.h"
#include "db/idempotency.h"
#include "db/jobs.h"
#include "modules/admin/admin.h"
#include "modules/appointments/appt_render.h"
#include "modules/audit/audit.h"
#include "modules/auth/auth.h"
#include "modules/billing/billing.h"
#include "modules/ai/ai.h"
#include "modules/messages/messages.h"
#include "modules/calendar/calendar.h"
#include "modules/push/push.h"
#include "modules/reminders/reminders.h"
#include "modules/tenants/tenants.h"
#include "modules/waitlist/waitlist.h"

#define NOTIFY_JOB "notifications.booking"
/* Local dates around a request that can matter: the engine looks three
 * days past the requested dates, and a UTC date is within one day of the
 * local one. */
#define WINDOW_MARGIN_DAYS 4
#define TAKEN_MESSAGE "That time was just taken."

bool
appt_precheck_enabled(const struct ctx *ctx)
{
	const char *v;

	/* Honoured only where test routes are: production always checks. */
	if (!ctx->cfg->test_routes)
		return true;
	v = getenv("BOOKING_PRECHECK");
	return v == NULL || strcmp(v, "false") != 0;
}

/* Small helpers -------------------------------------------------------------- */

static int64_t
now_s(void)
{
	return (int64_t)time(NULL);
}

static enum status
invalid(struct ctx *ctx)
{
	return err_set(ctx->err, ST_INVALID, "Some fields are invalid.");
}

/* The login a STAFF caller's bookings are narrowed to, or NULL. */
static const char *
staff_scope(const struct ctx *ctx)
{
	const struct principal *p = ctx->principal;

	return p != NULL && p->role == ROLE_STAFF ? p->id : NULL;
}

static void
window_days(struct appt_load_req *q, int32_t first, int days)
{
	q->day_from = first - WINDOW_MARGIN_DAYS;
	q->day_to = first + days + WINDOW_MARGIN_DAYS;
	q->from = (int64_t)q->day_from * TZ_DAY_S;
	q->to = (int64_t)q->day_to * TZ_DAY_S;
}

/* The local date of an instant is its UTC date ± 1. Judging one start
 * needs fewer claims than the engine's window: those that can overlap a
 * bundle from it (a whole bundle is at most a day) and those that start on
 * its local date (for the round robin) — all start within 36 hours of it. */
static void
window_start(struct appt_load_req *q, int64_t start)
{
	window_days(q, (int32_t)tz_floor_div(start, TZ_DAY_S) - 1, 3);
	q->claims_from = start - 36 * 3600;
	q->claims_to = start + 36 * 3600;
}

static struct appt_item_req *
item_reqs(struct arena *a, const struct appt_item_in *items, size_t n)
{
	struct appt_item_req *q = arena_calloc(a, n + 1, sizeof(*q));

	for (size_t i = 0; i < n; i++)
		q[i] = items[i].req;
	return q;
}

/* Whether what was asked for exists: every service bookable, every add-on
 * one of its service's, the preferred staff member able to perform at
 * least one of them. */
static enum status
check_world(struct ctx *ctx, const struct appt_item_in *items, size_t n,
    const struct appt_world *w, const char *staff_id)
{
	bool bad = false;

	for (size_t i = 0; i < n; i++) {
		if (!w->services[i].found) {
			err_detail(ctx->err, items[i].field, "is not a bookable service");
			bad = true;
		} else if (w->services[i].missing_addon != NULL) {
			err_detail(ctx->err, items[i].addon_field,
			    "%s is not an available add-on of this service",
			    w->services[i].missing_addon);
			bad = true;
		}
	}
	if (w->flat_missing != NULL) {
		err_detail(ctx->err, "addon_ids", "%s is not an available add-on of these services",
		    w->flat_missing);
		bad = true;
	}
	if (!bad && staff_id != NULL) {
		bool known = false;

		for (size_t k = 0; k < w->n_staff && !known; k++)
			known = strcmp(w->staff[k].id, staff_id) == 0;
		if (!known) {
			err_detail(ctx->err, "staff_id", "cannot perform any of these services");
			bad = true;
		}
	}
	return bad ? invalid(ctx) : ST_OK;
}

/* External busy times for the world's staff over the load window. Called
 * with no transaction open. */
static enum status
attach_busy(struct ctx *ctx, struct appt_world *w, const struct appt_load_req *q)
{
	struct calendar_busy busy = { NULL, 0 };
	const char **ids;
	size_t *n;
	enum status st;

	if (w->n_staff == 0)
		return ST_OK;
	ids = arena_alloc(ctx->arena, w->n_staff * sizeof(*ids));
	for (size_t k = 0; k < w->n_staff; k++)
		ids[k] = w->staff[k].id;
	if ((st = calendar_busy(ctx, ctx->arena, ctx->tenant.id, ids, w->n_staff, q->from, q->to,
	    &busy)) != ST_OK)
		return st;
	if (busy.n == 0)
		return ST_OK;
	n = arena_calloc(ctx->arena, w->n_staff, sizeof(*n));
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < busy.n; i++) {
			for (size_t k = 0; k < w->n_staff; k++) {
				struct avail_range *v;

				if (busy.ranges[i].staff_id == NULL ||
				    strcmp(busy.ranges[i].staff_id, w->staff[k].id) != 0)
					continue;
				if (pass == 0) {
					n[k]++;
					break;
				}
				v = (struct avail_range *)w->staff[k].calendar_busy;
				v[w->staff[k].n_calendar_busy++] =
				    (struct avail_range){ busy.ranges[i].start, busy.ranges[i].end };
				break;
			}
		}
		if (pass == 0)
			for (size_t k = 0; k < w->n_staff; k++)
				w->staff[k].calendar_busy = arena_calloc(ctx->arena, n[k] + 1,
				    sizeof(struct avail_range));
	}
	return ST_OK;
}

static void
build_input(const struct appt_world *w, const char *preferred, int32_t first_day, int days,
    bool override_notice, struct avail_input *in)
{
	memset(in, 0, sizeof(*in));
	in->zone = w->settings.zone;
	in->services = w->avail_services;
	in->n_services = w->n_services;
	in->staff = w->staff;
	in->n_staff = w->n_staff;
	in->resources = w->resources;
	in->n_resources = w->n_resources;
	in->hours = w->hours;
	in->n_hours = w->n_hours;
	in->closures = w->closures;
	in->n_closures = w->n_closures;
	in->bookings = w->bookings;
	in->n_bookings = w->n_bookings;
	in->day_counts = w->day_counts;
	in->n_day_counts = w->n_day_counts;
	in->now = now_s();
	/* An admin may book at short notice or far ahead; never onto time
	 * that is taken (the claims still apply). */
	in->min_notice_min = override_notice ? 0 : w->settings.min_notice_min;
	in->max_days_ahead = override_notice ? AVAIL_MAX_DAYS_AHEAD : w->settings.max_days_ahead;
	in->step_min = w->settings.step_min;
	in->start_day = first_day;
	in->days = days;
	in->preferred_staff_id = preferred;
}

/* Whether start is offered, asking the engine for the local date of start
 * only. required: per-service staff (NULL entries: any), or NULL. */
static enum status
judge(struct ctx *ctx, const struct appt_world *w, int64_t start, const char *preferred,
    const char *const *required, bool override_notice, bool *offered, struct avail_slot *slot)
{
	struct avail_input in;
	struct tz *z;
	enum status st;

	if ((st = tz_open(ctx->arena, w->settings.zone, &z)) != ST_OK)
		return err_set(ctx->err, ST_INTERNAL, "The business's time zone is not usable.");
	build_input(w, preferred, tz_local_day(z, start), 1, override_notice, &in);
	return avail_slot_is_offered(&in, start, required, ctx->arena, offered, slot, ctx->err);
}

/* The claims a slot makes: per service, its staff member and each resource
 * unit, over the service's time plus its buffers. */
static struct appt_claim *
slot_claims(struct arena *a, const struct appt_world *w, const struct avail_slot *s,
    size_t *n)
{
	size_t total = 0, k = 0;
	struct appt_claim *c;

	for (size_t i = 0; i < s->n_services; i++)
		total += 1 + s->services[i].n_units;
	c = arena_calloc(a, total + 1, sizeof(*c));
	for (size_t i = 0; i < s->n_services; i++) {
		const struct avail_assignment *as = &s->services[i];
		int64_t x = as->start - (int64_t)w->avail_services[i].buffer_before_min * 60;
		int64_t y = as->end + (int64_t)w->avail_services[i].buffer_after_min * 60;

		c[k++] = (struct appt_claim){ as->staff_id, NULL, 0, x, y };
		for (size_t u = 0; u < as->n_units; u++)
			c[k++] = (struct appt_claim){ NULL, as->units[u].resource_id, as->units[u].unit,
				x, y };
	}
	*n = k;
	return c;
}

/* A failed write: the exclusion constraint's verdict becomes the 409 the
 * caller can act on; anything else keeps its own status. */
static enum status
write_failed(struct ctx *ctx, struct db_tx *tx, enum status st)
{
	if (strcmp(tx->sqlstate, "23P01") == 0) {
		ctx->err->ndetails = 0;
		err_detail(ctx->err, "start",
		    "overlaps a booking or hold made a moment ago; choose another time");
		return err_set(ctx->err, ST_CONFLICT, TAKEN_MESSAGE);
	}
	return st;
}

static const char *
staff_name(const struct appt_world *w, const char *id)
{
	for (size_t k = 0; k < w->n_staff; k++)
		if (strcmp(w->staff[k].id, id) == 0)
			return w->staff_names[k];
	return NULL;
}

/* The follow-ups of a change, enqueued in its transaction: calendar sync
 * (when a calendar is connected), the customer's notification and the
 * staff's push (when anyone subscribed) when event is not NULL. The
 * version in the keys lets every later change enqueue its own job. */
static enum status
enqueue_followups(struct db_tx *tx, const char *booking_id, int version, const char *event)
{
	json_t *notify = NULL;
	bool created = event != NULL && strcmp(event, "confirmed") == 0;
	enum status st;

	/* Only a change can leave reminders behind: a new booking has none
	 * queued yet (this was 1 ms of each booking's database time). */
	if (!created && (st = reminders_booking_changed(tx, booking_id)) != ST_OK)
		return st;
	st = calendar_sync_enqueue(tx, booking_id, version);
	if (st != ST_OK || event == NULL)
		goto out;
	/* The staff's phones: new bookings and cancellations (Web Push). */
	if (strcmp(event, "confirmed") == 0 || strcmp(event, "cancelled") == 0)
		st = push_enqueue(tx, strcmp(event, "confirmed") == 0 ? "booking.created" :
		    "booking.cancelled", booking_id, arena_printf(tx->arena, "%s:v%d", booking_id,
		    version));
	if (st != ST_OK)
		goto out;
	/* jobs_enqueue borrows the payload: this reference is ours. */
	notify = json_pack("{s:s, s:s}", "booking_id", booking_id, "event", event);
	st = jobs_enqueue(tx, NOTIFY_JOB, notify,
	    arena_printf(tx->arena, "%s:%s:v%d", booking_id, event, version), 0, 0);
out:
	json_decref(notify);
	return st;
}

/* Ends a transaction that may have changed the claims on the tenant's
 * time: once it has committed, the claims this process keeps for
 * availability are stale (other processes learn it by NOTIFY a moment
 * later). */
static enum status
claims_tx_end(struct ctx *ctx, struct db_tx *tx, enum status st)
{
	const char *tenant = ctx_tenant_id(ctx);

	if ((st = db_tx_end(tx, st)) == ST_OK && tenant != NULL)
		tcache_claims_touch(tenant);
	return st;
}

/* The times a cancelled or moved booking (v, as it was) gives up, offered
 * to the waitlist by a job enqueued in the same transaction. */
static enum status
free_slots(struct db_tx *tx, const struct appt_view *v, int version)
{
	enum status st = ST_OK;

	for (size_t i = 0; i < v->n_items && st == ST_OK; i++)
		st = waitlist_slot_freed(tx, &(struct waitlist_freed){ v->id, version, (int)i,
		    v->items[i].service_id, v->items[i].staff_id, v->items[i].start });
	return st;
}

static json_t *
change(json_t *from, json_t *to)
{
	return json_pack("{s:o, s:o}", "from", from ? from : json_null(), "to",
	    to ? to : json_null());
}

/* The world a bundle (with flat add-ons) is decided in, for lq's window:
 * loaded in a read transaction released before the calendars are asked,
 * checked against what was asked for, with the calendars' busy times. */
/* The request's world: its claims from the database; the tenant's
 * scheduling configuration from the tenant cache while its stamp is the
 * tenant's current one (every table in it moves the stamp, migration
 * 0030), read again and kept otherwise. */
/* The scheduling world of lq. The configuration comes from the tenant
 * cache while its stamp holds. With cached_claims (availability, which
 * only shows times: every write is decided by the database's constraints),
 * so do the window's claims, while the tenant's claims stamp holds. */
static enum status
world_load(struct ctx *ctx, struct db_tx *tx, const struct appt_load_req *lq,
    bool cached_claims, struct appt_world *w)
{
	/* Keyed by the tenant db_tx_begin set for tx (none: never cached). */
	const char *tenant = ctx_tenant_id(ctx);
	const char *key = tenant ? arena_printf(ctx->arena, "a:%s", tenant) : NULL;
	struct appt_config cfg = { 0 };
	struct appt_claims claims = { 0 };
	const char *window = NULL;
	uint64_t gen = 0, stamp = 0;
	size_t len = 0;
	enum status st;

	cfg.text = key ? tcache_text_get(key, ctx->arena, &gen) : NULL;
	if (key != NULL && cached_claims && lq->with_claims && lq->exclude_booking_id == NULL &&
	    lq->exclude_hold_id == NULL) {
		bool own = lq->claims_to > lq->claims_from;	/* as the store reads */

		window = arena_printf(ctx->arena, "%lld:%lld",
		    (long long)(own ? lq->claims_from : lq->from),
		    (long long)(own ? lq->claims_to : lq->to));
		stamp = tcache_claims_stamp(tenant);	/* before the read */
		claims.rows = tcache_claims_get(tenant, window, ctx->arena, &len);
		claims.n = len / sizeof(*claims.rows);
	}
	if ((st = appt_store_load(tx, lq, &cfg, &claims, w)) != ST_OK)
		return st;
	if (key != NULL && cfg.reloaded)
		tcache_text_put(key, cfg.text, gen);
	if (window != NULL && claims.read)
		tcache_claims_put(tenant, window, stamp, claims.rows,
		    claims.n * sizeof(*claims.rows));
	return ST_OK;
}

static enum status
world_for(struct ctx *ctx, const struct appt_item_in *items, size_t n, const char **addons,
    size_t naddons, const char *staff_id, struct appt_load_req *lq, bool cached_claims,
    struct appt_world **out)
{
	struct appt_world *w = arena_alloc(ctx->arena, sizeof(*w));
	struct db_tx tx;
	enum status st;

	lq->items = item_reqs(ctx->arena, items, n);
	lq->n_items = n;
	lq->flat_addons = addons;
	lq->n_flat = naddons;
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	st = world_load(ctx, &tx, lq, cached_claims, w);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if ((st = check_world(ctx, items, n, w, staff_id)) != ST_OK ||
	    (st = attach_busy(ctx, w, lq)) != ST_OK)
		return st;
	*out = w;
	return ST_OK;
}

/* Availability ---------------------------------------------------------------- */

enum status
appt_availability(struct ctx *ctx, const struct appt_avail_query *q,
    struct appt_avail_answer *out)
{
	struct appt_load_req lq = { .with_claims = true };
	struct appt_world *w;
	struct avail_input in;
	enum status st;

	window_days(&lq, q->date, q->days);
	if ((st = world_for(ctx, q->items, q->n_items, q->addon_ids, q->n_addons, q->staff_id,
	    &lq, true, &w)) != ST_OK)
		return st;
	build_input(w, q->staff_id, q->date, q->days, false, &in);
	out->zone = w->settings.zone;
	out->world = w;
	return avail_compute(&in, ctx->arena, &out->result, ctx->err);
}

enum status
appt_catalog_json(struct ctx *ctx, const char **json)
{
	return tenants_cached_text(ctx, "s", appt_store_catalog_json, json);
}

/* Holds ------------------------------------------------------------------------- */

/* What the hold is for, add-ons resolved to their services, so a booking
 * that names them per service matches. */
static json_t *
hold_items_json(const struct appt_world *w, const struct avail_slot *s)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < w->n_services; i++) {
		json_t *adds = json_array();

		for (size_t j = 0; j < w->services[i].n_addons; j++)
			json_array_append_new(adds, json_string(w->services[i].addons[j].id));
		json_array_append_new(arr, json_pack("{s:s, s:o, s:s}", "service_id",
		    w->services[i].id, "addon_ids", adds, "staff_id", s->services[i].staff_id));
	}
	return arr;
}

enum status
appt_hold_create(struct ctx *ctx, const struct appt_hold_in *in, struct appt_hold_out *out)
{
	struct appt_load_req lq = { .with_claims = true };
	struct appt_world *w;
	struct appt_claim *claims;
	struct db_tx tx;
	char hash[65];
	char *items_json, *id = NULL;
	json_t *held;
	size_t nclaims;
	bool offered;
	enum status st;

	window_start(&lq, in->start);
	if ((st = world_for(ctx, in->items, in->n_items, in->addon_ids, in->n_addons, in->staff_id,
	    &lq, false, &w)) != ST_OK ||
	    (st = judge(ctx, w, in->start, in->staff_id, NULL, false, &offered, &out->slot)) != ST_OK)
		return st;
	if (!offered) {
		err_detail(ctx->err, "start", "is not an available time for these services");
		return err_set(ctx->err, ST_CONFLICT, "That time is not available.");
	}
	claims = slot_claims(ctx->arena, w, &out->slot, &nclaims);
	held = hold_items_json(w, &out->slot);
	items_json = json_dumps(held, JSON_COMPACT);
	json_decref(held);
	if (items_json == NULL)
		return err_set(ctx->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	arena_defer(ctx->arena, free, items_json);
	appt_hold_token_new(out->token);
	appt_hold_token_hash_hex(out->token, hash);

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = appt_store_hold_insert(&tx, hash, out->slot.start, out->slot.end,
	    w->settings.hold_min, items_json, &id, &out->expires_at)) != ST_OK ||
	    (st = appt_store_claims_insert(&tx, NULL, id, NULL, false, claims, nclaims)) != ST_OK)
		st = write_failed(ctx, &tx, st);
	out->id = id;
	out->world = w;
	return claims_tx_end(ctx, &tx, st);
}

/* Bookings ---------------------------------------------------------------------- */

/* What the booking path read, and decided, before it writes. */
struct book_plan {
	struct appt_world *w;
	struct appt_hold hold;
	bool hold_found;	/* live and consumable */
	const char *required[AVAIL_MAX_SERVICES];
	bool use_required;
	bool offered;
	struct avail_slot slot;
	long total;
	const char *currency;
};

/* The hold's items must be exactly what is being booked, at its start. */
static bool
hold_matches(struct arena *a, const struct appt_book_in *in, const struct appt_hold *h,
    const char **staff)
{
	json_t *items = json_loads(h->items_json, 0, NULL);
	bool ok = h->start == in->start && json_array_size(items) == in->n_items;

	for (size_t i = 0; ok && i < in->n_items; i++) {
		json_t *it = json_array_get(items, i);
		json_t *adds = json_object_get(it, "addon_ids");
		const char *sid = json_string_value(json_object_get(it, "staff_id"));

		ok = json_is_string(json_object_get(it, "service_id")) && sid != NULL &&
		    strcmp(json_string_value(json_object_get(it, "service_id")),
		    in->items[i].req.service_id) == 0 &&
		    json_array_size(adds) == in->items[i].req.n_addons;
		/* The same set of add-ons (ids are distinct), in any order. */
		for (size_t j = 0; ok && j < in->items[i].req.n_addons; j++) {
			bool in_hold = false;

			for (size_t k = 0; k < json_array_size(adds) && !in_hold; k++)
				in_hold = json_is_string(json_array_get(adds, k)) &&
				    strcmp(json_string_value(json_array_get(adds, k)),
				    in->items[i].req.addon_ids[j]) == 0;
			ok = in_hold;
		}
		if (ok && in->staff_id != NULL && strcmp(sid, in->staff_id) != 0)
			ok = false;	/* a different preference than the hold's */
		if (ok)
			staff[i] = arena_strdup(a, sid);	/* outlives the JSON */
	}
	json_decref(items);
	return ok;
}

/* Prices of the bundle in one currency. */
static enum status
price(struct ctx *ctx, const struct appt_book_in *in, struct book_plan *p)
{
	p->total = 0;
	p->currency = NULL;
	for (size_t i = 0; i < in->n_items; i++) {
		const struct appt_service *s = &p->w->services[i];

		if (p->currency == NULL)
			p->currency = s->currency;
		if (strcmp(s->currency, p->currency) != 0) {
			err_detail(ctx->err, in->items[i].field, "is priced in %s, the others in %s",
			    s->currency, p->currency);
			return invalid(ctx);
		}
		p->total += s->price_minor;
		for (size_t j = 0; j < s->n_addons; j++) {
			if (strcmp(s->addons[j].currency, p->currency) != 0) {
				err_detail(ctx->err, in->items[i].addon_field,
				    "%s is priced in %s, the services in %s", s->addons[j].id,
				    s->addons[j].currency, p->currency);
				return invalid(ctx);
			}
			p->total += s->addons[j].price_minor;
		}
	}
	return ST_OK;
}

/* Reads and judges; leaves no transaction open. */
static enum status
book_read(struct ctx *ctx, const struct appt_book_in *in, struct book_plan *p)
{
	struct appt_load_req lq = { 0 };
	struct appt_customer cust;
	bool cust_found = true;
	struct db_tx tx;
	char hash[65];
	enum status st;

	p->w = arena_alloc(ctx->arena, sizeof(*p->w));
	lq.items = item_reqs(ctx->arena, in->items, in->n_items);
	lq.n_items = in->n_items;
	lq.with_claims = appt_precheck_enabled(ctx);
	window_start(&lq, in->start);
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if (in->hold_token != NULL) {
		appt_hold_token_hash_hex(in->hold_token, hash);
		st = appt_store_hold_find(&tx, hash, &p->hold, &p->hold_found);
		/* An expired hold protects nothing: the booking proceeds as if
		 * there were none, and succeeds if the time is still free. */
		p->hold_found = p->hold_found && p->hold.live;
		if (p->hold_found)
			lq.exclude_hold_id = p->hold.id;
	}
	if (st == ST_OK && in->customer_id != NULL)
		st = appt_store_customer_get(&tx, in->customer_id, &cust, &cust_found);
	if (st == ST_OK)
		st = world_load(ctx, &tx, &lq, false, p->w);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;

	if (!cust_found) {
		err_detail(ctx->err, "customer_id", "is not a customer of this business");
		return invalid(ctx);
	}
	if ((st = check_world(ctx, in->items, in->n_items, p->w, in->staff_id)) != ST_OK ||
	    (st = price(ctx, in, p)) != ST_OK)
		return st;
	if (p->hold_found) {
		if (!hold_matches(ctx->arena, in, &p->hold, p->required)) {
			err_detail(ctx->err, "hold_token",
			    "holds other services, add-ons, staff or another start");
			return invalid(ctx);
		}
		p->use_required = true;
	}
	if ((st = attach_busy(ctx, p->w, &lq)) != ST_OK)
		return st;
	return judge(ctx, p->w, in->start, in->staff_id, p->use_required ? p->required : NULL,
	    in->override_notice, &p->offered, &p->slot);
}

/* The booking as it was just written, for the reply. */
static void
new_view(struct ctx *ctx, const struct appt_book_in *in, const struct book_plan *p,
    struct appt_view *v)
{
	memset(v, 0, sizeof(*v));
	v->status = "CONFIRMED";
	v->source = in->source;
	v->notes = in->notes;
	v->currency = p->currency;
	v->total_minor = p->total;
	v->start = p->slot.start;
	v->end = p->slot.end;
	v->n_items = p->slot.n_services;
	v->items = arena_calloc(ctx->arena, v->n_items + 1, sizeof(*v->items));
	for (size_t i = 0; i < v->n_items; i++) {
		const struct appt_service *s = &p->w->services[i];
		struct appt_view_item *it = &v->items[i];

		it->service_id = s->id;
		it->service_name = s->name;
		it->staff_id = p->slot.services[i].staff_id;
		it->staff_name = staff_name(p->w, it->staff_id);
		it->start = p->slot.services[i].start;
		it->end = p->slot.services[i].end;
		it->price_minor = s->price_minor;
		it->n_addons = s->n_addons;
		it->addon_ids = arena_calloc(ctx->arena, s->n_addons + 1, sizeof(char *));
		it->addon_names = arena_calloc(ctx->arena, s->n_addons + 1, sizeof(char *));
		for (size_t j = 0; j < s->n_addons; j++) {
			it->addon_ids[j] = s->addons[j].id;
			it->addon_names[j] = s->addons[j].name;
			it->price_minor += s->addons[j].price_minor;
		}
	}
}

static struct appt_item_new *
new_items(struct arena *a, const struct appt_view *v)
{
	struct appt_item_new *items = arena_calloc(a, v->n_items + 1, sizeof(*items));

	for (size_t i = 0; i < v->n_items; i++)
		items[i] = (struct appt_item_new){ v->items[i].service_id, v->items[i].staff_id,
			v->items[i].addon_ids, v->items[i].n_addons, v->items[i].start, v->items[i].end,
			v->items[i].price_minor };
	return items;
}

/* The plan's monthly limit, enforced inside the writing transaction after
 * the booking's own insert: the tenant's booking lock is taken last, so
 * requests that lose a slot fail on its claims without queueing for it, and
 * the count (which then includes this booking) cannot be passed by two
 * bookings at once. Every booking made this month counts, cancelled ones
 * included: booking and cancelling must not buy more. */
static enum status
check_plan_limit(struct ctx *ctx, struct db_tx *tx, const char *zone)
{
	enum plan_tier tier = PLAN_FREE;
	int64_t ms, me;
	long used;
	enum status st;

	(void)plan_parse(ctx->tenant.plan, &tier);
	if (plan_limit(tier, LIMIT_BOOKINGS_PER_MONTH) == PLAN_UNLIMITED)
		return ST_OK;
	if ((st = appt_store_month_count(tx, zone, true, &used, &ms, &me)) != ST_OK)
		return st;
	if ((st = plan_check_limit(tier, LIMIT_BOOKINGS_PER_MONTH, used - 1, 1, ctx->err)) != ST_OK)
		err_detail(ctx->err, plan_limit_name(LIMIT_BOOKINGS_PER_MONTH),
		    "limit of %ld reached for this month", plan_limit(tier, LIMIT_BOOKINGS_PER_MONTH));
	return st;
}

/* Writes the booking; on ST_OK out holds the reply to send. */
/* Writes the booking, its customer (unless an existing one is named) and
 * the claims on its time; v is the booking as written. */
static enum status
book_insert(struct ctx *ctx, struct db_tx *tx, const struct appt_book_in *in,
    struct book_plan *p, struct appt_view *v)
{
	struct appt_booking_new bn;
	struct appt_claim *claims;
	const char *customer_id = in->customer_id;
	size_t nclaims;
	enum status st;

	claims = slot_claims(ctx->arena, p->w, &p->slot, &nclaims);
	if (customer_id == NULL &&
	    (st = appt_store_customer_upsert(tx, &in->customer, &customer_id)) != ST_OK)
		return st;
	new_view(ctx, in, p, v);
	v->customer_id = customer_id;
	v->customer_name = in->customer.name;
	v->customer_email = in->customer.email;
	v->customer_phone = in->customer.phone;
	bn = (struct appt_booking_new){ customer_id, "CONFIRMED", in->source, in->notes,
		p->currency, v->start, v->end, p->total, new_items(ctx->arena, v), v->n_items };
	if ((st = appt_store_booking_insert(tx, &bn, &v->id, &v->reference, &v->version,
	    &v->created_at)) != ST_OK)
		return st;
	v->updated_at = v->created_at;
	if ((st = appt_store_claims_insert(tx, v->id, NULL, p->hold_found ? p->hold.id : NULL,
	    false, claims, nclaims)) != ST_OK)
		return write_failed(ctx, tx, st);
	return ST_OK;
}

/* The audit row of a new booking and the follow-ups it starts. */
static enum status
book_record(struct ctx *ctx, struct db_tx *tx, const struct appt_book_in *in,
    const struct appt_view *v, struct tz *z)
{
	enum status st;

	if ((st = admin_audit(tx, ctx, "booking.created", "booking", v->id,
	    json_pack("{s:o, s:o, s:o, s:o}",
	    "reference", change(NULL, json_string(v->reference)),
	    "start", change(NULL, json_string(appt_time_text(ctx->arena, z, v->start))),
	    "customer_id", change(NULL, json_string(v->customer_id)),
	    "source", change(NULL, json_string(in->source))))) != ST_OK)
		return st;
	return enqueue_followups(tx, v->id, v->version, "confirmed");
}

/* The reply body, rendered once (a retry replays it byte for byte). */
static enum status
book_render(struct ctx *ctx, struct db_tx *tx, const struct appt_book_in *in,
    const struct book_plan *p, struct appt_view *v, struct tz *z, char **out)
{
	json_t *reply;
	enum status st;

	if (in->admin) {
		/* The admin reply shows the customer as stored. */
		struct appt_customer c;
		bool found;

		if ((st = appt_store_customer_get(tx, v->customer_id, &c, &found)) != ST_OK)
			return st;
		if (found) {
			v->customer_name = c.name;
			v->customer_email = c.email;
			v->customer_phone = c.phone;
		}
	}
	reply = appt_booking_json(ctx->arena, z, v, p->w->settings.cancel_window_h, in->admin);
	*out = reply ? json_dumps(reply, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(reply);
	if (*out == NULL)
		return err_set(ctx->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	arena_defer(ctx->arena, free, *out);
	return ST_OK;
}

static enum status
book_write(struct ctx *ctx, const struct appt_book_in *in, struct book_plan *p,
    struct appt_reply *out)
{
	struct appt_view v;
	struct idem idem;
	struct db_tx tx;
	struct tz *z;
	char *body;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	/* First, so a retry waits for (or replays) the original, whatever the
	 * schedule looks like now. */
	if ((st = idem_begin(&tx, &idem, in->admin ? "admin.bookings.create" : "bookings.create",
	    in->idem_key, in->body, in->body_len)) != ST_OK)
		goto out;
	if (idem.replay) {
		out->status = idem.replay_status;
		out->body = idem.replay_body;
		goto out;
	}
	if (!p->offered) {
		err_detail(ctx->err, "start", "is not an available time for these services");
		st = err_set(ctx->err, ST_CONFLICT, "That time is not available.");
		goto out;
	}
	if ((st = book_insert(ctx, &tx, in, p, &v)) != ST_OK ||
	    (st = check_plan_limit(ctx, &tx, p->w->settings.zone)) != ST_OK)
		goto out;
	if ((st = tz_open(ctx->arena, p->w->settings.zone, &z)) != ST_OK) {
		st = err_set(ctx->err, ST_INTERNAL, "The business's time zone is not usable.");
		goto out;
	}
	if ((st = book_record(ctx, &tx, in, &v, z)) != ST_OK ||
	    (st = book_render(ctx, &tx, in, p, &v, z, &body)) != ST_OK)
		goto out;
	out->status = 201;
	out->body = body;
	st = idem_finish(&tx, &idem, 201, body);
out:
	if (st != ST_OK && tx.failed != ST_OK)
		st = write_failed(ctx, &tx, st);
	return claims_tx_end(ctx, &tx, st);
}

enum status
appt_book(struct ctx *ctx, const struct appt_book_in *in, struct appt_reply *out)
{
	struct book_plan p;
	enum status st;

	memset(&p, 0, sizeof(p));
	if ((st = book_read(ctx, in, &p)) != ST_OK)
		return st;
	return book_write(ctx, in, &p, out);
}

/* Showing, cancelling, moving -------------------------------------------------- */

static enum status
not_found_ref(struct ctx *ctx)
{
	/* The same answer for a wrong reference and a wrong contact, so
	 * neither can be probed. */
	return err_set(ctx->err, ST_NOTFOUND,
	    "No booking matches this reference and contact details.");
}

/* One booking, by the customer's proof v or else by id (narrowed to a
 * STAFF caller's), with how it is shown; *found false when none matches. */
static enum status
shown_load(struct ctx *ctx, const struct appt_verify *v, const char *id,
    struct appt_shown *out, bool *found)
{
	struct appt_settings s;
	struct db_tx tx;
	enum status st;

	*found = false;
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = appt_store_settings(&tx, &s)) == ST_OK)
		st = v != NULL ? appt_store_booking_by_ref(&tx, v->reference, v->email, v->phone,
		    false, &out->view, found) : appt_store_booking_by_id(&tx, id,
		    staff_scope(ctx), false, &out->view, found);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	out->zone = s.zone;
	out->cancel_window_h = s.cancel_window_h;
	return ST_OK;
}

enum status
appt_public_get(struct ctx *ctx, const struct appt_verify *v, struct appt_shown *out)
{
	bool found;
	enum status st;

	if ((st = shown_load(ctx, v, NULL, out, &found)) != ST_OK)
		return st;
	return found ? ST_OK : not_found_ref(ctx);
}

static enum status
inactive(struct ctx *ctx, const char *status)
{
	if (strcmp(status, "CANCELLED") == 0)
		return err_set(ctx->err, ST_CONFLICT, "This booking is already cancelled.");
	return err_set(ctx->err, ST_CONFLICT, "This booking is %s and can no longer be changed.",
	    status);
}

/* The customer policy, with a message that names the window. */
static enum status
policy(struct ctx *ctx, const struct appt_view *v, int window_h, const char *what)
{
	if (appt_policy_allows(now_s(), v->start, window_h))
		return ST_OK;
	if (now_s() >= v->start)
		return err_set(ctx->err, ST_CONFLICT, "This booking has already started; it can no"
		    " longer be %s online.", what);
	return err_set(ctx->err, ST_CONFLICT, "Bookings can be %s online up to %d hour%s before"
	    " they start; please contact the business.", what, window_h, window_h == 1 ? "" : "s");
}

static enum status
version_check(struct ctx *ctx, const struct appt_view *v, struct appt_if_match im)
{
	if (!im.have || im.version == v->version)
		return ST_OK;
	err_detail(ctx->err, "If-Match", "the booking is at version %d", v->version);
	return err_set(ctx->err, ST_CONFLICT, "The booking changed since you read it.");
}

/* Cancels the locked booking v in tx. */
static enum status
cancel_in(struct ctx *ctx, struct db_tx *tx, struct appt_view *v, const char *reason)
{
	int version;
	enum status st;

	if ((st = appt_store_booking_cancel(tx, v->id, reason, &version)) != ST_OK ||
	    (st = admin_audit(tx, ctx, "booking.cancelled", "booking", v->id,
	    json_pack("{s:o, s:o}", "status", change(json_string(v->status),
	    json_string("CANCELLED")), "cancel_reason", change(NULL,
	    reason ? json_string(reason) : json_null())))) != ST_OK ||
	    (st = enqueue_followups(tx, v->id, version, "cancelled")) != ST_OK ||
	    (st = free_slots(tx, v, version)) != ST_OK)
		return st;
	return appt_store_booking_by_id(tx, v->id, NULL, false, v, &(bool){ false });
}

enum status
appt_public_cancel(struct ctx *ctx, const struct appt_verify *v, const char *reason,
    struct appt_shown *out)
{
	struct appt_settings s;
	struct db_tx tx;
	enum appt_status cur = APPT_CANCELLED;
	bool found = false;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = appt_store_settings(&tx, &s)) != ST_OK ||
	    (st = appt_store_booking_by_ref(&tx, v->reference, v->email, v->phone, true,
	    &out->view, &found)) != ST_OK)
		goto out;
	if (!found) {
		st = not_found_ref(ctx);
		goto out;
	}
	(void)appt_status_parse(out->view.status, &cur);
	if (!appt_status_is_active(cur)) {
		st = inactive(ctx, out->view.status);
		goto out;
	}
	if ((st = policy(ctx, &out->view, s.cancel_window_h, "cancelled")) != ST_OK)
		goto out;
	st = cancel_in(ctx, &tx, &out->view, reason);
	out->zone = s.zone;
	out->cancel_window_h = s.cancel_window_h;
out:
	return claims_tx_end(ctx, &tx, st);
}

/* The shared body of a customer's reschedule and an admin's move. */
struct move_req {
	const struct appt_verify *verify;	/* public */
	const char *id;				/* admin */
	int64_t start;
	const char *staff_id;
	bool admin;
	bool override_notice;
	struct appt_if_match im;
};

static enum status
move_read(struct ctx *ctx, const struct move_req *m, struct appt_view *cur,
    struct appt_world *w, struct appt_settings *s, struct appt_load_req *lq)
{
	struct appt_item_req *items;
	enum appt_status status = APPT_CANCELLED;
	struct db_tx tx;
	bool found = false;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = appt_store_settings(&tx, s)) != ST_OK)
		goto out;
	st = m->admin ? appt_store_booking_by_id(&tx, m->id, staff_scope(ctx), false, cur, &found)
	    : appt_store_booking_by_ref(&tx, m->verify->reference, m->verify->email,
	    m->verify->phone, false, cur, &found);
	if (st != ST_OK)
		goto out;
	if (!found) {
		st = m->admin ? err_set(ctx->err, ST_NOTFOUND, "No booking with this id.")
		    : not_found_ref(ctx);
		goto out;
	}
	(void)appt_status_parse(cur->status, &status);
	if (!appt_status_is_active(status)) {
		st = inactive(ctx, cur->status);
		goto out;
	}
	if ((st = version_check(ctx, cur, m->im)) != ST_OK ||
	    (!m->admin && (st = policy(ctx, cur, s->cancel_window_h, "rescheduled")) != ST_OK))
		goto out;
	items = arena_calloc(ctx->arena, cur->n_items + 1, sizeof(*items));
	for (size_t i = 0; i < cur->n_items; i++)
		items[i] = (struct appt_item_req){ cur->items[i].service_id, cur->items[i].addon_ids,
			cur->items[i].n_addons };
	lq->items = items;
	lq->n_items = cur->n_items;
	lq->exclude_booking_id = cur->id;
	lq->with_claims = true;
	window_start(lq, m->start);
	st = world_load(ctx, &tx, lq, false, w);
out:
	return db_tx_end(&tx, st);
}

/* The booking's services, as they were booked, must still be offered. */
static enum status
check_still_offered(struct ctx *ctx, const struct appt_world *w, const char *staff_id)
{
	for (size_t i = 0; i < w->n_services; i++)
		if (!w->services[i].found || w->services[i].missing_addon != NULL)
			return err_set(ctx->err, ST_CONFLICT, "A service of this booking is no longer"
			    " offered; please contact the business.");
	if (staff_id != NULL && staff_name(w, staff_id) == NULL) {
		err_detail(ctx->err, "staff_id", "cannot perform any of these services");
		return invalid(ctx);
	}
	return ST_OK;
}

/* The slot the booking moves to: without a preference, the same people
 * first (customers usually want their stylist), then anyone free. */
static enum status
move_pick(struct ctx *ctx, const struct move_req *m, const struct appt_view *cur,
    const struct appt_world *w, struct avail_slot *slot)
{
	const char *same[AVAIL_MAX_SERVICES];
	bool offered = false;
	enum status st;

	if (m->staff_id == NULL) {
		bool all = true;

		for (size_t i = 0; i < cur->n_items; i++) {
			same[i] = cur->items[i].staff_id;
			all = all && staff_name(w, same[i]) != NULL;
		}
		if (all && (st = judge(ctx, w, m->start, NULL, same, m->override_notice, &offered,
		    slot)) != ST_OK)
			return st;
	}
	if (!offered && (st = judge(ctx, w, m->start, m->staff_id, NULL, m->override_notice,
	    &offered, slot)) != ST_OK)
		return st;
	if (!offered) {
		err_detail(ctx->err, "start", "is not an available time for this booking");
		return err_set(ctx->err, ST_CONFLICT, "That time is not available.");
	}
	return ST_OK;
}

/* Re-checks under the row lock what the decision relied on: the booking
 * still active, unchanged, and (for the customer) within the policy. */
static enum status
move_recheck(struct ctx *ctx, struct db_tx *tx, const struct move_req *m,
    const struct appt_view *cur, const struct appt_settings *s)
{
	enum appt_status status = APPT_CANCELLED;
	struct appt_view now;
	bool found = false;
	enum status st;

	if ((st = appt_store_booking_by_id(tx, cur->id, NULL, true, &now, &found)) != ST_OK)
		return st;
	(void)appt_status_parse(found ? now.status : "CANCELLED", &status);
	if (!found || !appt_status_is_active(status))
		return found ? inactive(ctx, now.status) : err_set(ctx->err, ST_NOTFOUND,
		    "No booking with this id.");
	if (now.version != cur->version)
		return err_set(ctx->err, ST_CONFLICT, "The booking changed meanwhile; please retry.");
	if (!m->admin)
		return policy(ctx, &now, s->cancel_window_h, "rescheduled");
	return ST_OK;
}

static enum status
reschedule(struct ctx *ctx, const struct move_req *m, struct appt_shown *out)
{
	struct appt_world *w = arena_alloc(ctx->arena, sizeof(*w));
	struct appt_load_req lq = { 0 };
	struct appt_view cur;
	struct appt_settings s;
	struct avail_slot slot;
	struct appt_claim *claims;
	struct appt_item_new *items;
	struct db_tx tx;
	struct tz *z;
	bool found = false;
	size_t nclaims;
	int version;
	enum status st;

	if ((st = move_read(ctx, m, &cur, w, &s, &lq)) != ST_OK ||
	    (st = check_still_offered(ctx, w, m->staff_id)) != ST_OK ||
	    (st = attach_busy(ctx, w, &lq)) != ST_OK ||
	    (st = move_pick(ctx, m, &cur, w, &slot)) != ST_OK)
		return st;
	if ((st = tz_open(ctx->arena, s.zone, &z)) != ST_OK)
		return err_set(ctx->err, ST_INTERNAL, "The business's time zone is not usable.");
	claims = slot_claims(ctx->arena, w, &slot, &nclaims);
	items = arena_calloc(ctx->arena, slot.n_services + 1, sizeof(*items));
	for (size_t i = 0; i < slot.n_services; i++)
		items[i] = (struct appt_item_new){ NULL, slot.services[i].staff_id, NULL, 0,
			slot.services[i].start, slot.services[i].end, 0 };

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = move_recheck(ctx, &tx, m, &cur, &s)) != ST_OK ||
	    (st = appt_store_booking_move(&tx, cur.id, slot.start, slot.end, items,
	    slot.n_services, &version)) != ST_OK)
		goto out;
	if ((st = appt_store_claims_insert(&tx, cur.id, NULL, NULL, true, claims, nclaims)) != ST_OK) {
		st = write_failed(ctx, &tx, st);
		goto out;
	}
	if ((st = admin_audit(&tx, ctx, "booking.rescheduled", "booking", cur.id,
	    json_pack("{s:o, s:o}", "start", change(json_string(appt_time_text(ctx->arena, z,
	    cur.start)), json_string(appt_time_text(ctx->arena, z, slot.start))),
	    "staff_id", change(json_string(cur.items[0].staff_id),
	    json_string(slot.services[0].staff_id))))) != ST_OK ||
	    (st = enqueue_followups(&tx, cur.id, version, "rescheduled")) != ST_OK ||
	    (st = free_slots(&tx, &cur, version)) != ST_OK ||
	    (st = appt_store_booking_by_id(&tx, cur.id, NULL, false, &out->view, &found)) != ST_OK)
		goto out;
	out->zone = s.zone;
	out->cancel_window_h = s.cancel_window_h;
out:
	if (st != ST_OK && tx.failed != ST_OK)
		st = write_failed(ctx, &tx, st);
	return claims_tx_end(ctx, &tx, st);
}

enum status
appt_public_reschedule(struct ctx *ctx, const struct appt_verify *v, int64_t start,
    const char *staff_id, struct appt_shown *out)
{
	struct move_req m = { v, NULL, start, staff_id, false, false, { false, 0 } };

	return reschedule(ctx, &m, out);
}

/* Admin ---------------------------------------------------------------------------- */

enum status
appt_admin_list(struct ctx *ctx, struct appt_booking_filter *f, struct appt_view **out,
    size_t *n, const char **zone)
{
	struct appt_settings s;
	struct db_tx tx;
	enum status st;

	f->staff_user_id = staff_scope(ctx);
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = appt_store_settings(&tx, &s)) == ST_OK)
		st = appt_store_booking_list(&tx, f, out, n);
	*zone = s.zone;
	if ((st = db_tx_end(&tx, st)) == ST_INVALID && f->cursor_start != NULL) {
		ctx->err->ndetails = 0;
		err_detail(ctx->err, "cursor", "is not a cursor of this list");
		st = err_set(ctx->err, ST_INVALID, "The cursor is invalid.");
	}
	return st;
}

enum status
appt_admin_get(struct ctx *ctx, const char *id, struct appt_shown *out)
{
	bool found;
	enum status st;

	if ((st = shown_load(ctx, NULL, id, out, &found)) != ST_OK)
		return st;
	return found ? ST_OK : err_set(ctx->err, ST_NOTFOUND, "No booking with this id.");
}

enum status
appt_admin_move(struct ctx *ctx, const char *id, int64_t start, const char *staff_id,
    bool override_notice, struct appt_if_match im, struct appt_shown *out)
{
	struct move_req m = { NULL, id, start, staff_id, true, override_notice, im };

	return reschedule(ctx, &m, out);
}

/* Locks booking id for an admin action: found, version as asked. */
static enum status
admin_lock(struct ctx *ctx, struct db_tx *tx, const char *id, struct appt_if_match im,
    struct appt_shown *out, enum appt_status *status)
{
	struct appt_settings s;
	bool found = false;
	enum status st;

	*status = APPT_CANCELLED;
	if ((st = appt_store_settings(tx, &s)) != ST_OK ||
	    (st = appt_store_booking_by_id(tx, id, staff_scope(ctx), true, &out->view, &found))
	    != ST_OK)
		return st;
	if (!found)
		return err_set(ctx->err, ST_NOTFOUND, "No booking with this id.");
	out->zone = s.zone;
	out->cancel_window_h = s.cancel_window_h;
	(void)appt_status_parse(out->view.status, status);
	return version_check(ctx, &out->view, im);
}

enum status
appt_admin_cancel(struct ctx *ctx, const char *id, const char *reason,
    struct appt_if_match im, struct appt_shown *out)
{
	enum appt_status cur;
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = admin_lock(ctx, &tx, id, im, out, &cur)) != ST_OK)
		goto out;
	if (!appt_status_is_active(cur)) {
		st = inactive(ctx, out->view.status);
		goto out;
	}
	st = cancel_in(ctx, &tx, &out->view, reason);
out:
	return claims_tx_end(ctx, &tx, st);
}

enum status
appt_admin_status(struct ctx *ctx, const char *id, enum appt_status to,
    struct appt_if_match im, struct appt_shown *out)
{
	enum appt_status from;
	struct db_tx tx;
	int version;
	bool found;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = admin_lock(ctx, &tx, id, im, out, &from)) != ST_OK)
		goto out;
	if (!appt_status_transition_ok(from, to)) {
		err_detail(ctx->err, "status", "cannot go from %s to %s", appt_status_name(from),
		    appt_status_name(to));
		st = err_set(ctx->err, ST_CONFLICT, "A %s booking cannot become %s.",
		    appt_status_name(from), appt_status_name(to));
		goto out;
	}
	if (to == APPT_NO_SHOW && now_s() < out->view.start) {
		err_detail(ctx->err, "status", "NO_SHOW is possible once the booking has started");
		st = err_set(ctx->err, ST_CONFLICT, "The booking has not started yet.");
		goto out;
	}
	if ((st = appt_store_booking_set_status(&tx, id, appt_status_name(to), &version)) != ST_OK ||
	    (st = admin_audit(&tx, ctx, "booking.status_changed", "booking", id,
	    json_pack("{s:o}", "status", change(json_string(appt_status_name(from)),
	    json_string(appt_status_name(to)))))) != ST_OK ||
	    (st = enqueue_followups(&tx, id, version, NULL)) != ST_OK ||
	    (st = appt_store_booking_by_id(&tx, id, NULL, false, &out->view, &found)) != ST_OK)
		goto out;
out:
	return claims_tx_end(ctx, &tx, st);
}

enum status
appt_customers_list(struct ctx *ctx, struct appt_customer_filter *f,
    struct appt_customer **out, size_t *n, const char **last_created)
{
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	st = appt_store_customer_list(&tx, f, out, n, last_created);
	if ((st = db_tx_end(&tx, st)) == ST_INVALID && f->cursor_created != NULL) {
		ctx->err->ndetails = 0;
		err_detail(ctx->err, "cursor", "is not a cursor of this list");
		st = err_set(ctx->err, ST_INVALID, "The cursor is invalid.");
	}
	return st;
}

#define HISTORY_MAX 100

enum status
appt_customer_history(struct ctx *ctx, const char *id, struct appt_customer *c,
    struct appt_view **bookings, size_t *n, const char **zone)
{
	struct appt_booking_filter f = { 0 };
	struct appt_settings s;
	struct db_tx tx;
	bool found = false;
	enum status st;

	f.customer_id = id;
	f.newest_first = true;
	f.limit = HISTORY_MAX;
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = appt_store_settings(&tx, &s)) == ST_OK &&
	    (st = appt_store_customer_get(&tx, id, c, &found)) == ST_OK && found)
		st = appt_store_booking_list(&tx, &f, bookings, n);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (!found)
		return err_set(ctx->err, ST_NOTFOUND, "No customer with this id.");
	*zone = s.zone;
	return ST_OK;
}

enum status
appt_customer_set_notes(struct ctx *ctx, const char *id, const char *notes, int version,
    struct appt_customer *c)
{
	struct db_tx tx;
	bool found = false, updated = false, had;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = appt_store_customer_get(&tx, id, c, &found)) != ST_OK || !found)
		goto out;
	had = c->notes != NULL;
	if (c->version != version) {
		err_detail(ctx->err, "If-Match", "is version %d; the current version is %d",
		    version, c->version);
		st = err_set(ctx->err, ST_CONFLICT, "This customer was changed since you read it "
		    "(now version %d); reload it and try again.", c->version);
		goto out;
	}
	if ((st = appt_store_customer_set_notes(&tx, id, notes, version, &updated)) != ST_OK)
		goto out;
	if (!updated) {
		st = err_set(ctx->err, ST_CONFLICT, "The customer changed meanwhile; retry.");
		goto out;
	}
	if ((st = appt_store_customer_get(&tx, id, c, &found)) != ST_OK)
		goto out;
	st = admin_audit(&tx, ctx, "customer.updated", "customer", id,
	    json_pack("{s:{s:b, s:b}}", "has_notes", "from", had, "to", notes != NULL));
out:
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (!found)
		return err_set(ctx->err, ST_NOTFOUND, "No customer with this id.");
	return ST_OK;
}

/* Privacy: export and erasure --------------------------------------------------- */

enum status
appt_customer_export(struct ctx *ctx, const char *id, json_t **out)
{
	struct appt_export_rows rows;
	json_t *transcripts = NULL;
	struct db_tx tx;
	bool found = false;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = appt_store_customer_export(&tx, id, &rows, &found)) != ST_OK || !found)
		goto out;
	if ((st = ai_person_transcripts(&tx, id, rows.email, rows.phone, &transcripts)) != ST_OK)
		goto out;
	/* Who read a person's whole record is worth knowing. */
	st = admin_audit(&tx, ctx, "customer.exported", "customer", id, NULL);
out:
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (!found)
		return err_set(ctx->err, ST_NOTFOUND, "No customer with this id.");
	*out = json_pack("{s:O, s:O, s:O, s:O, s:s}", "customer", rows.customer,
	    "bookings", rows.bookings, "conversations", transcripts,
	    "notifications", rows.notifications, "exported_at", appt_utc_text(ctx->arena,
	    (int64_t)time(NULL)));
	return ST_OK;
}

enum status
appt_customer_erase(struct ctx *ctx, const char *id, struct appt_erasure *out)
{
	struct appt_customer c;
	struct db_tx tx;
	long long waiting = 0;
	bool found = false;
	enum status st;

	memset(out, 0, sizeof(*out));
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = appt_store_customer_get(&tx, id, &c, &found)) != ST_OK || !found)
		goto out;
	/* Transcripts first: they are found by the e-mail and phone the
	 * customer row is about to lose. */
	if ((st = ai_person_erase(&tx, id, c.email, c.phone, &out->messages,
	    &out->conversations)) != ST_OK ||
	    (st = waitlist_person_erase(&tx, c.email, c.phone, &waiting)) != ST_OK ||
	    (st = appt_store_customer_erase(&tx, id, c.email, &out->rows)) != ST_OK)
		goto out;
	out->already_erased = out->rows.customer == 0 && out->rows.bookings_cleared == 0 &&
	    out->rows.notifications == 0 && out->messages == 0 && out->conversations == 0 &&
	    waiting == 0;
	st = admin_audit(&tx, ctx, "customer.erased", "customer", id,
	    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:b}",
	    "waitlist_entries_erased", (json_int_t)waiting,
	    "messages_deleted", (json_int_t)out->messages,
	    "conversations_anonymised", (json_int_t)out->conversations,
	    "bookings_anonymised", (json_int_t)out->rows.bookings_cleared,
	    "bookings_kept", (json_int_t)out->rows.bookings_kept,
	    "notifications_deleted", (json_int_t)out->rows.notifications,
	    "already_erased", out->already_erased));
out:
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (!found)
		return err_set(ctx->err, ST_NOTFOUND, "No customer with this id.");
	return ST_OK;
}

enum status
appt_usage_get(struct ctx *ctx, struct appt_usage *out)
{
	enum plan_tier tier = PLAN_FREE;
	struct appt_settings s;
	struct db_tx tx;
	enum status st;

	(void)plan_parse(ctx->tenant.plan, &tier);
	out->plan = plan_name(tier);
	out->bookings_limit = plan_limit(tier, LIMIT_BOOKINGS_PER_MONTH);
	out->messages_limit = plan_limit(tier, LIMIT_MESSAGES_PER_MONTH);
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = appt_store_settings(&tx, &s)) == ST_OK &&
	    (st = appt_store_month_count(&tx, s.zone, false, &out->bookings_used,
	    &out->period_start, &out->period_end)) == ST_OK)
		st = usage_messages_this_month(&tx, &out->messages_used);
	out->zone = s.zone;
	return db_tx_end(&tx, st);
}

/* Notifications ------------------------------------------------------------------ */

/* One message to the customer per (booking, event, version, channel): the
 * dedupe key makes a replayed job queue nothing more. */
static enum status
notify_customer(struct ctx *ctx, struct db_tx *tx, const char *booking_id, const char *event,
    const struct appt_notice *n, json_t *p)
{
	const char *tpl = arena_printf(ctx->arena, "booking.%s", event);
	enum status st = ST_OK;

	if (n->email != NULL)
		st = messages_queue(tx, &(struct message_new){ MESSAGE_EMAIL, n->email, tpl, p,
		    arena_printf(ctx->arena, "booking:%s:%s:v%lld:email", booking_id, event,
		    (long long)n->version), booking_id, 0 });
	if (st == ST_OK && n->sms_phone != NULL)
		st = messages_queue(tx, &(struct message_new){ MESSAGE_SMS, n->sms_phone, tpl, p,
		    arena_printf(ctx->arena, "booking:%s:%s:v%lld:sms", booking_id, event,
		    (long long)n->version), booking_id, 0 });
	return st;
}

enum status
appt_notify(struct ctx *ctx, const char *booking_id, const char *event)
{
	struct audit_actor who = { "system", NULL, NULL, NULL };
	struct appt_notice n;
	struct db_tx tx;
	struct tz *z;
	bool found;
	json_t *p = NULL;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = appt_store_notice(&tx, booking_id, &n, &found)) != ST_OK || !found)
		goto out;	/* a booking that is gone needs no message */
	if ((st = tz_open(ctx->arena, n.zone, &z)) != ST_OK)
		goto out;
	p = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s, s:s, s:I, s:I, s:I, s:s?}",
	    "booking_id", booking_id, "event", event, "reference", n.reference,
	    "customer_name", n.name, "business", n.business,
	    "start", appt_time_text(ctx->arena, z, n.start), "timezone", n.zone,
	    "starts_at", (json_int_t)n.start, "ends_at", (json_int_t)n.end,
	    "version", (json_int_t)n.version, "service", n.service);
	if (p == NULL) {
		st = err_set(ctx->err, ST_INTERNAL, "notifications.booking: cannot render");
		goto out;
	}
	if (n.email == NULL && n.sms_phone == NULL &&
	    (st = audit_record(&tx, &who, "booking.notification_skipped", "booking", booking_id,
	    json_pack("{s:s, s:s}", "event", event,
	    "reason", "the customer has no e-mail address and no consent to texts"))) != ST_OK)
		goto out;
	if ((st = notify_customer(ctx, &tx, booking_id, event, &n, p)) != ST_OK)
		goto out;
	/* The business hears of new bookings and cancellations (owner, staff). */
	if (strcmp(event, "rescheduled") != 0)
		st = messages_alert_business(&tx, strcmp(event, "confirmed") == 0 ?
		    "booking.alert_new" : "booking.alert_cancelled", p, n.staff_id, booking_id);
out:
	json_decref(p);
	return db_tx_end(&tx, st);
}
