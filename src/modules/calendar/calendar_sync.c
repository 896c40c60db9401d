/* calendar_sync.c — the calendar services the jobs run (calendar_jobs.c
 * reads their payloads and calls these):
 *
 *  calendar_sync_booking (calendar.sync {"booking_id"}): enqueued by the
 *    booking service in the transaction of every create, move, cancel or
 *    status change. It reads the booking as it is now and reconciles each
 *    provider's copy (create, move, delete), calling providers with no
 *    transaction open and recording the outcome in booking_calendar_events
 *    afterwards. A provider error fails the job, which retries with
 *    backoff; the booking itself is never touched, except that an event
 *    deleted on the calendar side marks it needs_review.
 *  calendar_webhook_apply (calendar.webhook {"event_id", "connection_id"}):
 *    a stored Cal.com delivery. A booking of ours cancelled or moved in Cal.com marks ours
 *    for review (never cancels it); any delivery drops the connection's
 *    busy cache, since its availability changed.
 *  calendar_reconcile_all (calendar.reconcile, platform, every minute) fans
 *    out, per tenant with a Google connection and once per
 *    CALENDAR_RECONCILE_S, a calendar.reconcile_tenant job
 *    (calendar_reconcile_tenant) that asks Google whether the events we
 *    made still exist. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ids.h"
#include "core/log.h"
#include "modules/calendar/calendar_internal.h"

#define RECONCILE_BATCH 100

const struct audit_actor calendar_system_actor = { "system", "calendar-sync", NULL, NULL };
const struct audit_actor calendar_webhook_actor = { "webhook", "calcom", NULL, NULL };

static const char *const sync_providers[] = { "google", "calcom" };

/* Flags the booking for review, with its audit row, in tx. */
static enum status
flag_review(struct db_tx *tx, const struct audit_actor *who, const char *booking_id,
    const char *provider, const char *why)
{
	bool changed = false;
	enum status st;

	if ((st = cal_store_flag_review(tx, booking_id, provider, why, &changed)) != ST_OK)
		return st;
	log_emit(LOG_WARN, "booking needs review: its calendar event changed outside",
	    json_pack("{s:s, s:s, s:s}", "booking_id", booking_id, "provider", provider,
	    "reason", why));
	if (!changed)
		return ST_OK;
	return audit_record(tx, who, "booking.flagged_for_review", "booking", booking_id,
	    json_pack("{s:{s:b, s:b}, s:s, s:s}", "needs_review", "from", 0, "to", 1,
	    "provider", provider, "reason", why));
}

/* calendar.sync ------------------------------------------------------------------------ */

struct sync_target {
	const char *provider;
	const struct cal_event_row *ev;		/* NULL: never synced */
	const struct cal_conn_row *conn;	/* NULL: nothing to sync to */
};

static const struct cal_conn_row *
pick_connection(const struct cal_booking *b, const struct cal_conn_row *rows, size_t n,
    const char *provider, const char *want_id)
{
	if (want_id != NULL) {
		for (size_t i = 0; i < n; i++)
			if (strcmp(rows[i].id, want_id) == 0)
				return &rows[i];
		return NULL;
	}
	/* The calendar of the staff member doing the first service that has
	 * one, else the business's own. One event per booking and provider
	 * (booking_calendar_events is unique on that). */
	for (size_t k = 0; k < b->nstaff; k++)
		for (size_t i = 0; i < n; i++)
			if (strcmp(rows[i].provider, provider) == 0 && rows[i].staff_id != NULL &&
			    strcmp(rows[i].staff_id, b->staff_ids[k]) == 0)
				return &rows[i];
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].provider, provider) == 0 && rows[i].staff_id == NULL)
			return &rows[i];
	return NULL;
}

static enum status
sync_load(const struct ctx *ctx, const char *booking_id, struct cal_booking *b, bool *found,
    struct sync_target *t)
{
	struct cal_event_row *evs;
	struct cal_conn_row *rows;
	size_t nev, nrows;
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = cal_store_booking(&tx, booking_id, b, found)) != ST_OK || !*found)
		goto out;
	if ((st = cal_store_events(&tx, booking_id, &evs, &nev)) != ST_OK)
		goto out;
	/* Connections in error too: the job then fails and retries, so a
	 * booking made while a calendar awaited reconnection still reaches it
	 * if that happens in time (and shows in the sync status otherwise). */
	if ((st = cal_store_connections_for_staff(&tx, calendar_uuid_array(ctx->arena,
	    b->staff_ids, b->nstaff), true, &rows, &nrows)) != ST_OK)
		goto out;
	for (size_t p = 0; p < 2; p++) {
		t[p].provider = sync_providers[p];
		t[p].ev = NULL;
		for (size_t i = 0; i < nev; i++)
			if (strcmp(evs[i].provider, t[p].provider) == 0)
				t[p].ev = &evs[i];
		/* An event stays with the connection that made it, even when
		 * the booking moved to someone else: that is where it is. */
		if (t[p].ev != NULL && t[p].ev->connection_id != NULL) {
			t[p].conn = pick_connection(b, rows, nrows, t[p].provider,
			    t[p].ev->connection_id);
			if (t[p].conn == NULL) {
				struct cal_conn_row *one = arena_calloc(ctx->arena, 1, sizeof(*one));

				st = cal_store_connection_get(&tx, t[p].ev->connection_id, true, one);
				if (st == ST_NOTFOUND) {
					st = ST_OK;	/* removed: nothing left to reach */
				} else if (st != ST_OK) {
					goto out;
				} else {
					t[p].conn = one;
				}
			}
		} else {
			t[p].conn = pick_connection(b, rows, nrows, t[p].provider, NULL);
		}
	}
out:
	return db_tx_end(&tx, st);
}

static void
event_of_booking(struct arena *a, const struct cal_booking *b, struct calendar_event *ev)
{
	const char *who = b->customer_name ? b->customer_name : "Customer";

	memset(ev, 0, sizeof(*ev));
	ev->booking_id = b->id;
	ev->reference = b->reference;
	ev->summary = arena_printf(a, "%s — %s", b->services && *b->services ? b->services
	    : "Appointment", who);
	ev->description = arena_printf(a, "Booking %s\nCustomer: %s%s%s%s%s%s%s", b->reference, who,
	    b->customer_phone ? "\nPhone: " : "", b->customer_phone ? b->customer_phone : "",
	    b->customer_email ? "\nE-mail: " : "", b->customer_email ? b->customer_email : "",
	    b->notes ? "\nNotes: " : "", b->notes ? b->notes : "");
	ev->start = b->start;
	ev->end = b->end;
	ev->time_zone = b->time_zone;
	ev->attendee_name = who;
	ev->attendee_email = b->customer_email;
	ev->attendee_phone = b->customer_phone;
}

/* Records one provider's outcome in a transaction of its own. */
static enum status
sync_record(const struct ctx *ctx, bool last, const struct cal_booking *b,
    const struct sync_target *t, enum calendar_sync_action action, enum status st,
    const char *external_id, const char *error)
{
	const char *state;
	struct db_tx tx;
	struct err e;
	enum status s2;

	err_clear(&e);
	if ((s2 = calendar_tx_begin_quiet(&tx, ctx, ctx->arena, &e, ctx_tenant_id(ctx))) != ST_OK)
		return s2;
	if (st == ST_OK && action == SYNC_DELETE) {
		s2 = cal_store_event_deleted(&tx, b->id, t->provider);
	} else if (st == ST_OK) {
		s2 = cal_store_event_put(&tx, b->id, t->provider, t->conn->id, external_id,
		    "synced", b->start, b->end, NULL, action != SYNC_NONE);
	} else if (st == ST_NOTFOUND && action == SYNC_UPDATE) {
		s2 = flag_review(&tx, &calendar_system_actor, b->id, t->provider,
		    "the calendar event was deleted on the calendar side");
	} else {
		/* Retries keep the row's state (a synced event whose move
		 * failed is still where it was); the last failure says so. */
		state = last ? "failed" : t->ev != NULL ? t->ev->state : "pending";
		s2 = cal_store_event_put(&tx, b->id, t->provider, t->conn->id, NULL, state, 0, 0,
		    error, true);
	}
	/* A moved or removed event frees time the cached answer still shows
	 * as busy: ask the calendar again next time. */
	if (st == ST_OK && s2 == ST_OK && (action == SYNC_UPDATE || action == SYNC_DELETE))
		s2 = cal_store_cache_drop(&tx, t->conn->id);
	return db_tx_end(&tx, s2);
}

/* Makes the provider's copy of b what action says, with no transaction
 * open. *ext gets the event's id at the provider afterwards. */
static enum status
sync_call(const struct ctx *ctx, const struct cal_booking *b, const struct sync_target *t,
    enum calendar_sync_action action, const char **ext, struct err *e)
{
	const struct calendar_provider *prov = calendar_provider_find(t->provider);
	const char *tenant_id = ctx_tenant_id(ctx);
	struct calendar_call call;
	struct calendar_conn conn;
	struct calendar_event ev;
	enum status st;

	calendar_call_init(&call, ctx, ctx->arena, e, tenant_id);
	event_of_booking(ctx->arena, b, &ev);
	if ((st = calendar_conn_open(ctx, ctx->arena, tenant_id, t->conn, &conn, e)) != ST_OK)
		return st;
	switch (action) {
	case SYNC_CREATE:
		return prov->create_event(&call, &conn, &ev, ext);
	case SYNC_UPDATE:
		return prov->update_event(&call, &conn, t->ev->external_id, &ev, ext);
	case SYNC_DELETE:
		return prov->delete_event(&call, &conn, t->ev->external_id);
	case SYNC_NONE:
		break;
	}
	return ST_OK;
}

/* Mirrors b at one provider: the first failure goes to *first_fail (and
 * ctx->err), so the job retries. */
static void
sync_one(const struct ctx *ctx, bool last, const struct cal_booking *b,
    const struct sync_target *t, enum status *first_fail)
{
	const char *tenant_id = ctx_tenant_id(ctx);
	bool active = strcmp(b->status, "CANCELLED") != 0;
	bool has_ext = t->ev != NULL && t->ev->external_id != NULL;
	const char *ext = has_ext ? t->ev->external_id : NULL;
	enum calendar_sync_action action;
	enum status st, rec;
	bool failed;
	struct err e;

	action = calendar_sync_decide(active, t->ev ? t->ev->state : NULL, has_ext, b->start,
	    b->end, has_ext ? t->ev->synced_start : 0, has_ext ? t->ev->synced_end : 0);
	if (action == SYNC_NONE) {
		/* A row left failed or pending by an earlier run whose provider
		 * copy is in fact right: say so. */
		if (has_ext && active && strcmp(t->ev->state, "synced") != 0 &&
		    strcmp(t->ev->state, "deleted_remote") != 0)
			(void)sync_record(ctx, last, b, t, SYNC_NONE, ST_OK, ext, NULL);
		return;
	}
	err_clear(&e);
	st = sync_call(ctx, b, t, action, &ext, &e);
	log_emit(st == ST_OK ? LOG_INFO : LOG_WARN, "calendar sync", json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:s}", "tenant_id", tenant_id,
	    "booking_id", b->id, "provider", t->provider, "connection_id", t->conn->id,
	    "action", calendar_sync_action_name(action), "status", status_code(st)));
	/* An event gone when we move it is the booking's news, not the
	 * connection's fault. */
	failed = st != ST_OK && !(st == ST_NOTFOUND && action == SYNC_UPDATE);
	calendar_conn_outcome(ctx, ctx->arena, tenant_id, t->conn->id, failed ? st : ST_OK,
	    failed ? e.message : NULL);
	rec = sync_record(ctx, last, b, t, action, st, ext, st == ST_OK ? NULL : e.message);
	if (rec != ST_OK && *first_fail == ST_OK) {
		*first_fail = rec;
		err_set(ctx->err, rec, "calendar sync outcome not recorded");
	}
	if (failed && *first_fail == ST_OK) {
		*first_fail = st;
		err_set(ctx->err, st, "%s: %s", t->provider, e.message);
	}
}

enum status
calendar_sync_booking(const struct ctx *ctx, const char *booking_id, bool last_attempt)
{
	struct sync_target t[2];
	struct cal_booking b;
	bool found = false;
	enum status st, first_fail = ST_OK;

	memset(t, 0, sizeof(t));
	if ((st = sync_load(ctx, booking_id, &b, &found, t)) != ST_OK)
		return st;
	if (!found)
		return ST_OK;	/* deleted meanwhile: nothing to mirror */
	for (size_t p = 0; p < 2; p++)
		if (t[p].conn != NULL && calendar_provider_find(t[p].provider) != NULL)
			sync_one(ctx, last_attempt, &b, &t[p], &first_fail);
	return first_fail;
}

/* calendar.webhook ----------------------------------------------------------------------- */

enum status
calendar_webhook_apply(const struct ctx *ctx, long long event_id, const char *conn_id)
{
	struct calendar_calcom_event ce;
	struct cal_event_row row;
	struct cal_booking b;
	struct db_tx tx;
	const char *text = NULL;
	json_t *body;
	json_error_t jerr;
	bool found = false, bfound = false, by_old = false;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = cal_store_webhook_payload(&tx, event_id, &text)) != ST_OK || text == NULL)
		goto out;
	if ((body = json_loads(text, 0, &jerr)) == NULL)
		goto out;
	arena_defer(ctx->arena, (void (*)(void *))json_decref, body);
	if (calendar_calcom_event_parse(body, &ce) != ST_OK)
		goto out;
	/* Whatever happened, that calendar's availability changed. */
	if (conn_id != NULL && id_is_uuid(conn_id) && (st = cal_store_cache_drop(&tx, conn_id)) != ST_OK)
		goto out;
	if (strcmp(ce.trigger, "BOOKING_CANCELLED") != 0 &&
	    strcmp(ce.trigger, "BOOKING_RESCHEDULED") != 0)
		goto out;
	/* A reschedule names the old booking too: if that one is ours, our
	 * event was moved by someone else (our own moves replace the uid we
	 * hold before Cal.com's echo arrives). */
	if (ce.reschedule_uid != NULL) {
		if ((st = cal_store_event_by_external(&tx, "calcom", ce.reschedule_uid, &row, &found))
		    != ST_OK)
			goto out;
		by_old = found;
	}
	if (!found && ce.uid != NULL &&
	    (st = cal_store_event_by_external(&tx, "calcom", ce.uid, &row, &found)) != ST_OK)
		goto out;
	if (!found || strcmp(row.state, "synced") != 0)
		goto out;	/* not ours, or already flagged */
	if ((st = cal_store_booking(&tx, row.booking_id, &b, &bfound)) != ST_OK || !bfound)
		goto out;
	if (strcmp(b.status, "CANCELLED") == 0)
		goto out;	/* our own cancellation, echoed back */
	if (strcmp(ce.trigger, "BOOKING_CANCELLED") == 0) {
		st = flag_review(&tx, &calendar_webhook_actor, b.id, "calcom",
		    "the booking was cancelled in Cal.com");
	} else if (by_old || (ce.has_start && ce.start != row.synced_start)) {
		st = flag_review(&tx, &calendar_webhook_actor, b.id, "calcom",
		    "the booking was moved in Cal.com");
	}
out:
	return db_tx_end(&tx, st);
}

/* Reconciliation -------------------------------------------------------------------------- */

enum status
calendar_reconcile_all(const struct ctx *ctx, long long period_s)
{
	const char *key = arena_printf(ctx->arena, "reconcile@%lld", (long long)time(NULL) / period_s);
	const char **tenants = NULL;
	struct db_tx tx;
	size_t n = 0;
	enum status st;

	if ((st = db_tx_begin_as(&tx, ctx, NULL)) != ST_OK)
		return st;
	if ((st = cal_store_reconcile_tenants(&tx, &tenants, &n)) == ST_OK)
		st = cal_store_purge_states(&tx);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	for (size_t i = 0; i < n; i++) {
		struct err e;

		err_clear(&e);
		if (calendar_tx_begin_quiet(&tx, ctx, ctx->arena, &e, tenants[i]) != ST_OK)
			continue;
		st = jobs_enqueue(&tx, "calendar.reconcile_tenant", NULL, key, 0, 1);
		if (db_tx_end(&tx, st) != ST_OK)
			log_warn("calendar reconciliation not scheduled for a tenant: %s", e.message);
	}
	return ST_OK;
}

/* Asks the provider whether one event is still there: ST_OK with *gone;
 * otherwise *stop says whether the rest would fail the same way (no
 * database, or the provider refusing us). */
static enum status
check_event(const struct ctx *ctx, const struct cal_event_row *ev, struct err *e, bool *gone,
    bool *stop)
{
	const struct calendar_provider *prov = calendar_provider_find(ev->provider);
	const char *tenant_id = ctx_tenant_id(ctx);
	struct cal_conn_row conn_row;
	struct calendar_conn conn;
	struct calendar_call call;
	struct db_tx tx;
	enum status st;

	if ((st = calendar_tx_begin_quiet(&tx, ctx, ctx->arena, e, tenant_id)) != ST_OK) {
		*stop = true;
		return st;
	}
	st = cal_store_connection_get(&tx, ev->connection_id, true, &conn_row);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (prov == NULL || prov->event_gone == NULL)
		return ST_NOTFOUND;
	calendar_call_init(&call, ctx, ctx->arena, e, tenant_id);
	if ((st = calendar_conn_open(ctx, ctx->arena, tenant_id, &conn_row, &conn, e)) == ST_OK)
		st = prov->event_gone(&call, &conn, ev->external_id, gone);
	if (st != ST_OK) {
		calendar_conn_outcome(ctx, ctx->arena, tenant_id, conn_row.id, st, e->message);
		*stop = st == ST_UNAUTHENTICATED || st == ST_RATE_LIMITED;
	}
	return st;
}

enum status
calendar_reconcile_tenant(const struct ctx *ctx)
{
	const char *tenant_id = ctx_tenant_id(ctx);
	struct cal_event_row *rows;
	size_t n = 0, flagged = 0, checked = 0;
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	st = cal_store_reconcile_candidates(&tx, RECONCILE_BATCH, &rows, &n);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	for (size_t i = 0; i < n && !ctx_cancelled(ctx); i++) {
		struct err e;
		bool gone = false, stop = false;

		err_clear(&e);
		if (check_event(ctx, &rows[i], &e, &gone, &stop) != ST_OK) {
			if (stop)
				break;
			continue;
		}
		checked++;
		if (calendar_tx_begin_quiet(&tx, ctx, ctx->arena, &e, tenant_id) != ST_OK)
			break;
		st = cal_store_event_checked(&tx, rows[i].id);
		if (st == ST_OK && gone) {
			st = flag_review(&tx, &calendar_system_actor, rows[i].booking_id, "google",
			    "the calendar event was deleted on the calendar side");
			flagged++;
		}
		if (db_tx_end(&tx, st) != ST_OK)
			log_warn("calendar reconciliation: outcome not recorded: %s", e.message);
	}
	log_emit(LOG_INFO, "calendar reconciliation", json_pack("{s:s, s:i, s:i, s:i}",
	    "tenant_id", tenant_id, "candidates", (int)n, "checked", (int)checked,
	    "flagged", (int)flagged));
	return ST_OK;
}
