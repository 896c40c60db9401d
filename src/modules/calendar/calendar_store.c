/* calendar_store.c — the calendar module's SQL, and only SQL: bound
 * parameters, results owned by the transaction's arena (db_exec frees them
 * with it, so the strings read from a row live as long as the arena), every
 * statement inside the caller's tenant transaction (RLS does the scoping). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/calendar/calendar_internal.h"

/* RFC 3339 at seconds precision, always UTC. */

static int64_t
i64(PGresult *res, int row, int col)
{
	const char *v = db_val(res, row, col);

	return v ? strtoll(v, NULL, 10) : 0;
}

/* Text columns 0..n-1 of a row into the const char * fields at offs. */
static void
texts(PGresult *res, int row, void *dst, const size_t *offs, size_t n)
{
	for (size_t k = 0; k < n; k++)
		*(const char **)(void *)((char *)dst + offs[k]) = db_val(res, row, (int)k);
}

static const char *
num(struct db_tx *tx, int64_t v)
{
	return arena_printf(tx->arena, "%lld", (long long)v);
}

/* A statement whose outcome is only whether it ran. */
static enum status
run(struct db_tx *tx, const char *sql, int n, const char *const *p)
{
	return db_exec(tx, sql, n, p) != NULL ? ST_OK : db_status(tx);
}

/* A statement returning one json_agg(…)::text: the array it holds. */
static enum status
json_items(struct db_tx *tx, const char *sql, int n, const char *const *p, json_t **items)
{
	PGresult *res = db_exec(tx, sql, n, p);
	json_error_t jerr;

	if (res == NULL)
		return db_status(tx);
	if ((*items = json_loads(PQgetvalue(res, 0, 0), 0, &jerr)) == NULL)
		return ST_INTERNAL;
	arena_defer(tx->arena, (void (*)(void *))json_decref, *items);
	return ST_OK;
}

/* Connections ---------------------------------------------------------------------- */

#define CONN_COLS "id, provider, staff_id, external_ref, status, secret_ct, secret_nonce," \
	" secret_key_id, webhook_ct, webhook_nonce, webhook_key_id, last_error, " \
	DB_RFC3339("last_error_at") ", " DB_RFC3339("created_at") ", " DB_RFC3339("updated_at")

#define CONN(f) offsetof(struct cal_conn_row, f)
static const size_t conn_texts[] = { CONN(id), CONN(provider), CONN(staff_id),
	CONN(external_ref), CONN(status), CONN(secret_ct), CONN(secret_nonce), CONN(secret_key_id),
	CONN(webhook_ct), CONN(webhook_nonce), CONN(webhook_key_id), CONN(last_error),
	CONN(last_error_at), CONN(created_at), CONN(updated_at) };

static void
conn_fill(PGresult *res, int i, void *elem, struct arena *a)
{
	(void)a;
	texts(res, i, elem, conn_texts, sizeof(conn_texts) / sizeof(conn_texts[0]));
}

enum status
cal_store_connections_json(struct db_tx *tx, json_t **items)
{
	return json_items(tx, "SELECT coalesce(json_agg(json_build_object("
	    "'id', c.id, 'provider', c.provider, 'staff_id', c.staff_id,"
	    " 'calendar_id', CASE WHEN c.provider = 'google' THEN c.external_ref END,"
	    " 'event_type_id', CASE WHEN c.provider = 'calcom' THEN c.external_ref::bigint END,"
	    " 'status', c.status, 'last_error', c.last_error,"
	    " 'last_error_at', " DB_RFC3339("c.last_error_at") ","
	    " 'has_webhook_secret', c.webhook_ct IS NOT NULL,"
	    " 'created_at', " DB_RFC3339("c.created_at") ","
	    " 'updated_at', " DB_RFC3339("c.updated_at") ")"
	    " ORDER BY c.created_at, c.id), '[]')::text"
	    " FROM calendar_connections c WHERE c.deleted_at IS NULL", 0, NULL, items);
}

enum status
cal_store_connection_get(struct db_tx *tx, const char *id, bool live_only,
    struct cal_conn_row *out)
{
	const char *p[2] = { id, live_only ? "t" : "f" };
	PGresult *res;
	bool found;
	enum status st;

	if ((st = db_one(tx, "SELECT " CONN_COLS " FROM calendar_connections"
	    " WHERE id = $1::uuid AND (NOT $2::boolean OR deleted_at IS NULL)", 2, p, &res,
	    &found)) != ST_OK)
		return st;
	if (!found)
		return ST_NOTFOUND;
	conn_fill(res, 0, out, tx->arena);
	return ST_OK;
}

enum status
cal_store_connections_for_staff(struct db_tx *tx, const char *staff_ids_literal,
    bool include_errored, struct cal_conn_row **out, size_t *n)
{
	const char *p[3] = { staff_ids_literal, num(tx, CALENDAR_MAX_CONNECTIONS),
	    include_errored ? "t" : "f" };

	return db_rows(tx, "SELECT " CONN_COLS " FROM calendar_connections"
	    " WHERE deleted_at IS NULL AND (status = 'active' OR ($3::boolean AND status = 'error'))"
	    " AND (staff_id IS NULL OR staff_id = ANY ($1::uuid[]))"
	    " ORDER BY created_at, id LIMIT $2::int", 3, p, sizeof(**out), conn_fill,
	    (void **)out, n);
}

enum status
cal_store_connection_put(struct db_tx *tx, const char *provider, const char *staff_id,
    const char *external_ref, const char *ct, const char *nonce, const char *key_id,
    const char *wh_ct, const char *wh_nonce, const char *wh_key_id, const char *user_id,
    const char *new_id, const char **id, bool *created)
{
	const char *p[11] = { provider, staff_id, external_ref, ct, nonce, key_id, wh_ct, wh_nonce,
	    wh_key_id, user_id, new_id };
	PGresult *res;
	bool found;
	enum status st;

	/* Reconnecting replaces the secret in place, so bookings synced
	 * through the connection keep pointing at it; the cache goes, since
	 * the calendar behind it may be another one now. */
	if ((st = db_one(tx, "UPDATE calendar_connections SET external_ref = $3,"
	    " secret_ct = $4::bytea, secret_nonce = $5::bytea, secret_key_id = $6,"
	    " webhook_ct = $7::bytea, webhook_nonce = $8::bytea, webhook_key_id = $9,"
	    " status = 'active', last_error = NULL, last_error_at = NULL,"
	    " created_by = coalesce($10::uuid, created_by)"
	    " WHERE provider = $1 AND staff_id IS NOT DISTINCT FROM $2::uuid AND deleted_at IS NULL"
	    " RETURNING id", 10, p, &res, &found)) != ST_OK)
		return st;
	*created = !found;
	if (found) {
		*id = db_val(res, 0, 0);
		return cal_store_cache_drop(tx, *id);
	}
	if ((st = db_one(tx, "INSERT INTO calendar_connections (tenant_id, id, provider, staff_id,"
	    " external_ref, secret_ct, secret_nonce, secret_key_id, webhook_ct, webhook_nonce,"
	    " webhook_key_id, created_by) VALUES (app_tenant(), coalesce($11::uuid,"
	    " gen_random_uuid()), $1, $2::uuid, $3, $4::bytea, $5::bytea, $6, $7::bytea, $8::bytea,"
	    " $9, $10::uuid) RETURNING id", 11, p, &res, &found)) != ST_OK)
		return st;
	*id = db_val(res, 0, 0);
	return ST_OK;
}

enum status
cal_store_connection_find(struct db_tx *tx, const char *provider, const char *staff_id,
    const char **id)
{
	const char *p[2] = { provider, staff_id };

	return db_scalar(tx, "SELECT id FROM calendar_connections WHERE provider = $1"
	    " AND staff_id IS NOT DISTINCT FROM $2::uuid AND deleted_at IS NULL", 2, p, id);
}

enum status
cal_store_connection_delete(struct db_tx *tx, const char *id)
{
	const char *p[1] = { id };
	PGresult *res;
	bool found;
	enum status st;

	/* Soft: booking_calendar_events keep their reference. The secrets go
	 * at once. */
	if ((st = db_one(tx, "UPDATE calendar_connections SET deleted_at = now(), status = 'revoked',"
	    " secret_ct = NULL, secret_nonce = NULL, secret_key_id = NULL, webhook_ct = NULL,"
	    " webhook_nonce = NULL, webhook_key_id = NULL"
	    " WHERE id = $1::uuid AND deleted_at IS NULL RETURNING id", 1, p, &res,
	    &found)) != ST_OK)
		return st;
	if (!found)
		return ST_NOTFOUND;
	return cal_store_cache_drop(tx, id);
}

enum status
cal_store_connection_outcome(struct db_tx *tx, const char *id, const char *status,
    const char *msg)
{
	const char *p[3] = { id, status, msg };

	return run(tx, "UPDATE calendar_connections SET status = coalesce($2, status),"
	    " last_error = left($3, 2000), last_error_at = CASE WHEN $3 IS NULL THEN NULL ELSE now() END"
	    " WHERE id = $1::uuid AND deleted_at IS NULL"
	    " AND (status IS DISTINCT FROM coalesce($2, status)"
	    "   OR last_error IS DISTINCT FROM left($3, 2000))", 3, p);
}

enum status
cal_store_staff_exists(struct db_tx *tx, const char *staff_id, bool *exists)
{
	const char *p[1] = { staff_id };
	PGresult *res;

	return db_one(tx, "SELECT 1 FROM staff WHERE id = $1::uuid AND deleted_at IS NULL", 1, p,
	    &res, exists);
}

/* Busy cache ------------------------------------------------------------------------- */

/* (text, epoch, epoch) rows: days with their bounds, events on a
 * connection. */
static void
span_fill(PGresult *res, int i, void *elem, struct arena *a)
{
	struct cal_span *d = elem;

	(void)a;
	d->key = db_val(res, i, 0);
	d->start = i64(res, i, 1);
	d->end = i64(res, i, 2);
}

enum status
cal_store_days(struct db_tx *tx, int64_t from, int64_t to, struct cal_span **out, size_t *n)
{
	const char *p[3] = { num(tx, from), num(tx, to), num(tx, CALENDAR_MAX_DAYS) };

	/* The tenant's local dates that [from, to) touches, with each date's
	 * UTC bounds; PostgreSQL does the zone arithmetic (DST days are 23 or
	 * 25 hours long). */
	return db_rows(tx, "WITH z AS (SELECT coalesce((SELECT timezone FROM tenant_profiles"
	    "   WHERE tenant_id = app_tenant()), 'UTC') AS tz)"
	    " SELECT d::date::text,"
	    "   extract(epoch FROM (d::date::timestamp AT TIME ZONE z.tz))::bigint,"
	    "   extract(epoch FROM ((d::date + 1)::timestamp AT TIME ZONE z.tz))::bigint"
	    " FROM z, generate_series((to_timestamp($1::bigint) AT TIME ZONE z.tz)::date,"
	    "   (to_timestamp($2::bigint - 1) AT TIME ZONE z.tz)::date, interval '1 day') d"
	    " LIMIT $3::int", 3, p, sizeof(**out), span_fill, (void **)out, n);
}

static void
cache_fill(PGresult *res, int i, void *elem, struct arena *a)
{
	struct cal_cache_row *c = elem;

	(void)a;
	c->conn_id = db_val(res, i, 0);
	c->day = db_val(res, i, 1);
	c->busy = db_val(res, i, 2);
	c->age_s = i64(res, i, 3);
}

enum status
cal_store_cache_load(struct db_tx *tx, const char *conn_ids_literal, const char *first_day,
    const char *last_day, struct cal_cache_row **out, size_t *n)
{
	const char *p[3] = { conn_ids_literal, first_day, last_day };

	return db_rows(tx, "SELECT connection_id::text, day::text, busy::text,"
	    " extract(epoch FROM now() - fetched_at)::bigint FROM calendar_busy_cache"
	    " WHERE connection_id = ANY ($1::uuid[]) AND day BETWEEN $2::date AND $3::date", 3, p,
	    sizeof(**out), cache_fill, (void **)out, n);
}

enum status
cal_store_cache_put(struct db_tx *tx, const char *conn_id, const char *day,
    const char *busy_json)
{
	const char *p[3] = { conn_id, day, busy_json };

	/* The connection may have been removed while the provider answered:
	 * then there is nothing to cache (the INSERT … SELECT finds no row). */
	return run(tx, "INSERT INTO calendar_busy_cache (tenant_id, connection_id, day, busy,"
	    " fetched_at) SELECT app_tenant(), c.id, $2::date, $3::jsonb, now()"
	    " FROM calendar_connections c WHERE c.id = $1::uuid AND c.deleted_at IS NULL"
	    " ON CONFLICT (tenant_id, connection_id, day) DO UPDATE"
	    " SET busy = EXCLUDED.busy, fetched_at = EXCLUDED.fetched_at", 3, p);
}

enum status
cal_store_cache_drop(struct db_tx *tx, const char *conn_id)
{
	const char *p[1] = { conn_id };

	return run(tx, "DELETE FROM calendar_busy_cache WHERE connection_id = $1::uuid", 1, p);
}

enum status
cal_store_own_events(struct db_tx *tx, const char *conn_ids_literal, int64_t from, int64_t to,
    struct cal_span **out, size_t *n)
{
	const char *p[3] = { conn_ids_literal, num(tx, from), num(tx, to) };

	return db_rows(tx, "SELECT e.connection_id::text,"
	    " extract(epoch FROM coalesce(e.synced_starts_at, b.starts_at))::bigint,"
	    " extract(epoch FROM coalesce(e.synced_ends_at, b.ends_at))::bigint"
	    " FROM booking_calendar_events e JOIN bookings b"
	    "   ON b.tenant_id = e.tenant_id AND b.id = e.booking_id"
	    " WHERE e.connection_id = ANY ($1::uuid[]) AND e.state = 'synced'"
	    " AND b.status <> 'CANCELLED'"
	    " AND coalesce(e.synced_starts_at, b.starts_at) < to_timestamp($3::bigint)"
	    " AND coalesce(e.synced_ends_at, b.ends_at) > to_timestamp($2::bigint)", 3, p,
	    sizeof(**out), span_fill, (void **)out, n);
}

/* Rate buckets ---------------------------------------------------------------------------- */

enum status
cal_store_bucket_lock(struct db_tx *tx, const char *provider, double burst,
    struct calendar_bucket *b, double *now)
{
	const char *p[2] = { provider, arena_printf(tx->arena, "%.3f", burst) };
	PGresult *res;
	bool found;
	enum status st;

	if ((st = run(tx, "INSERT INTO calendar_rate_buckets (tenant_id, provider, tokens)"
	    " VALUES (app_tenant(), $1, $2::double precision)"
	    " ON CONFLICT (tenant_id, provider) DO NOTHING", 2, p)) != ST_OK)
		return st;
	/* The row lock serialises every process spending this tenant's
	 * tokens; the database clock is the one clock they share. */
	if ((st = db_one(tx, "SELECT tokens, extract(epoch FROM refilled_at),"
	    " coalesce(extract(epoch FROM blocked_until), 0), extract(epoch FROM clock_timestamp())"
	    " FROM calendar_rate_buckets WHERE provider = $1 FOR UPDATE", 1, p, &res,
	    &found)) != ST_OK)
		return st;
	if (!found)
		return ST_INTERNAL;
	b->tokens = strtod(PQgetvalue(res, 0, 0), NULL);
	b->at = strtod(PQgetvalue(res, 0, 1), NULL);
	b->blocked_until = strtod(PQgetvalue(res, 0, 2), NULL);
	*now = strtod(PQgetvalue(res, 0, 3), NULL);
	return ST_OK;
}

enum status
cal_store_bucket_save(struct db_tx *tx, const char *provider, const struct calendar_bucket *b)
{
	const char *p[3] = { provider, arena_printf(tx->arena, "%.6f", b->tokens < 0 ? 0 : b->tokens),
	    arena_printf(tx->arena, "%.6f", b->at) };

	return run(tx, "UPDATE calendar_rate_buckets SET tokens = $2::double precision,"
	    " refilled_at = to_timestamp($3::double precision) WHERE provider = $1", 3, p);
}

enum status
cal_store_bucket_block(struct db_tx *tx, const char *provider, int seconds)
{
	const char *p[2] = { provider, num(tx, seconds) };

	return run(tx, "INSERT INTO calendar_rate_buckets (tenant_id, provider, tokens, blocked_until)"
	    " VALUES (app_tenant(), $1, 0, clock_timestamp() + make_interval(secs => $2::int))"
	    " ON CONFLICT (tenant_id, provider) DO UPDATE SET tokens = 0,"
	    " refilled_at = clock_timestamp() + make_interval(secs => $2::int),"
	    " blocked_until = greatest(calendar_rate_buckets.blocked_until, EXCLUDED.blocked_until)",
	    2, p);
}

/* Sync ------------------------------------------------------------------------------------- */

#define BOOKING(f) offsetof(struct cal_booking, f)
static const size_t booking_texts[] = { BOOKING(id), BOOKING(reference), BOOKING(status),
	BOOKING(time_zone), BOOKING(business_name), BOOKING(customer_name),
	BOOKING(customer_email), BOOKING(customer_phone), BOOKING(services), BOOKING(notes) };

enum status
cal_store_booking(struct db_tx *tx, const char *booking_id, struct cal_booking *out,
    bool *found)
{
	const char *p[1] = { booking_id };
	const char *arr;
	PGresult *res;
	enum status st;

	if ((st = db_one(tx, "SELECT b.id, b.reference, b.status,"
	    " coalesce(tp.timezone, 'UTC'), coalesce(tp.business_name, ''),"
	    " c.name, c.email::text, c.phone,"
	    " (SELECT string_agg(s.name, ' + ' ORDER BY i.position) FROM booking_items i"
	    "   JOIN services s ON s.tenant_id = i.tenant_id AND s.id = i.service_id"
	    "   WHERE i.tenant_id = b.tenant_id AND i.booking_id = b.id),"
	    " b.notes,"
	    " extract(epoch FROM b.starts_at)::bigint, extract(epoch FROM b.ends_at)::bigint,"
	    " (SELECT coalesce(array_agg(i.staff_id::text ORDER BY i.position), '{}')"
	    "   FROM booking_items i WHERE i.tenant_id = b.tenant_id AND i.booking_id = b.id)"
	    " FROM bookings b JOIN customers c ON c.tenant_id = b.tenant_id AND c.id = b.customer_id"
	    " LEFT JOIN tenant_profiles tp ON tp.tenant_id = b.tenant_id"
	    " WHERE b.id = $1::uuid", 1, p, &res, found)) != ST_OK || !*found)
		return st;
	memset(out, 0, sizeof(*out));
	texts(res, 0, out, booking_texts, sizeof(booking_texts) / sizeof(booking_texts[0]));
	out->start = i64(res, 0, 10);
	out->end = i64(res, 0, 11);
	/* {uuid,uuid,…}: uuids need no quoting in an array literal. */
	arr = db_val(res, 0, 12);
	out->staff_ids = arena_calloc(tx->arena, 16, sizeof(char *));
	if (arr != NULL && strlen(arr) > 2) {
		char *s = arena_strndup(tx->arena, arr + 1, strlen(arr) - 2), *save = NULL;

		for (char *t = strtok_r(s, ",", &save); t && out->nstaff < 16;
		    t = strtok_r(NULL, ",", &save))
			out->staff_ids[out->nstaff++] = t;
	}
	return ST_OK;
}

#define EVENT_COLS "e.id, e.booking_id, e.provider, e.external_id, e.state," \
	" e.connection_id, e.last_error, extract(epoch FROM e.synced_starts_at)::bigint," \
	" extract(epoch FROM e.synced_ends_at)::bigint, e.attempts"

#define EVENT(f) offsetof(struct cal_event_row, f)
static const size_t event_texts[] = { EVENT(id), EVENT(booking_id), EVENT(provider),
	EVENT(external_id), EVENT(state), EVENT(connection_id), EVENT(last_error) };
#define EVENT_NTEXTS (sizeof(event_texts) / sizeof(event_texts[0]))

static void
event_fill(PGresult *res, int i, void *elem, struct arena *a)
{
	struct cal_event_row *e = elem;

	(void)a;
	texts(res, i, e, event_texts, EVENT_NTEXTS);
	e->synced_start = i64(res, i, EVENT_NTEXTS);
	e->synced_end = i64(res, i, EVENT_NTEXTS + 1);
	e->attempts = (int)i64(res, i, EVENT_NTEXTS + 2);
}

enum status
cal_store_events(struct db_tx *tx, const char *booking_id, struct cal_event_row **out,
    size_t *n)
{
	const char *p[1] = { booking_id };

	return db_rows(tx, "SELECT " EVENT_COLS " FROM booking_calendar_events e"
	    " WHERE e.booking_id = $1::uuid ORDER BY e.provider", 1, p, sizeof(**out), event_fill,
	    (void **)out, n);
}

enum status
cal_store_event_put(struct db_tx *tx, const char *booking_id, const char *provider,
    const char *connection_id, const char *external_id, const char *state,
    int64_t synced_start, int64_t synced_end, const char *last_error, bool count_attempt)
{
	const char *p[9] = { booking_id, provider, connection_id, external_id, state,
	    synced_start ? num(tx, synced_start) : NULL, synced_end ? num(tx, synced_end) : NULL,
	    last_error, count_attempt ? "1" : "0" };

	return run(tx, "INSERT INTO booking_calendar_events AS e (tenant_id, booking_id, provider,"
	    " connection_id, external_id, state, synced_starts_at, synced_ends_at, last_error,"
	    " attempts)"
	    " VALUES (app_tenant(), $1::uuid, $2, $3::uuid, $4, $5, to_timestamp($6::bigint),"
	    " to_timestamp($7::bigint), left($8, 2000), $9::int)"
	    " ON CONFLICT (tenant_id, booking_id, provider) DO UPDATE SET"
	    " connection_id = coalesce(EXCLUDED.connection_id, e.connection_id),"
	    " external_id = coalesce(EXCLUDED.external_id, e.external_id),"
	    " state = EXCLUDED.state,"
	    " synced_starts_at = coalesce(EXCLUDED.synced_starts_at, e.synced_starts_at),"
	    " synced_ends_at = coalesce(EXCLUDED.synced_ends_at, e.synced_ends_at),"
	    " last_error = EXCLUDED.last_error, attempts = e.attempts + $9::int", 9, p);
}

enum status
cal_store_event_deleted(struct db_tx *tx, const char *booking_id, const char *provider)
{
	const char *p[2] = { booking_id, provider };

	/* Nothing is left on the calendar: no id, no times. The row stays as
	 * the record that it was removed. */
	return run(tx, "UPDATE booking_calendar_events SET external_id = NULL, state = 'synced',"
	    " synced_starts_at = NULL, synced_ends_at = NULL, last_error = NULL,"
	    " attempts = attempts + 1 WHERE booking_id = $1::uuid AND provider = $2", 2, p);
}

enum status
cal_store_event_by_external(struct db_tx *tx, const char *provider, const char *external_id,
    struct cal_event_row *out, bool *found)
{
	const char *p[2] = { provider, external_id };
	PGresult *res;
	enum status st;

	if ((st = db_one(tx, "SELECT " EVENT_COLS " FROM booking_calendar_events e"
	    " WHERE e.provider = $1 AND e.external_id = $2", 2, p, &res, found)) == ST_OK &&
	    *found)
		event_fill(res, 0, out, tx->arena);
	return st;
}

enum status
cal_store_flag_review(struct db_tx *tx, const char *booking_id, const char *provider,
    const char *why, bool *changed)
{
	const char *p[3] = { booking_id, provider, why };
	PGresult *res;
	enum status st;

	if ((st = run(tx, "UPDATE booking_calendar_events SET state = 'deleted_remote',"
	    " last_error = left($3, 2000) WHERE booking_id = $1::uuid AND provider = $2", 3,
	    p)) != ST_OK)
		return st;
	return db_one(tx, "UPDATE bookings SET needs_review = true WHERE id = $1::uuid"
	    " AND NOT needs_review RETURNING id", 1, p, &res, changed);
}

enum status
cal_store_reconcile_candidates(struct db_tx *tx, int limit, struct cal_event_row **out,
    size_t *n)
{
	const char *p[1] = { num(tx, limit) };

	/* Events of bookings still ahead (or just past), least recently
	 * checked first, so a long list is covered over several rounds. */
	return db_rows(tx, "SELECT " EVENT_COLS " FROM booking_calendar_events e"
	    " JOIN bookings b ON b.tenant_id = e.tenant_id AND b.id = e.booking_id"
	    " JOIN calendar_connections c ON c.tenant_id = e.tenant_id AND c.id = e.connection_id"
	    " WHERE e.provider = 'google' AND e.state = 'synced' AND e.external_id IS NOT NULL"
	    " AND b.status <> 'CANCELLED' AND b.ends_at > now() - interval '1 day'"
	    " AND c.deleted_at IS NULL AND c.status = 'active'"
	    " ORDER BY e.remote_checked_at NULLS FIRST, e.id LIMIT $1::int", 1, p, sizeof(**out),
	    event_fill, (void **)out, n);
}

enum status
cal_store_event_checked(struct db_tx *tx, const char *event_row_id)
{
	const char *p[1] = { event_row_id };

	return run(tx, "UPDATE booking_calendar_events SET remote_checked_at = now()"
	    " WHERE id = $1::uuid", 1, p);
}

enum status
cal_store_sync_status_json(struct db_tx *tx, const char *booking_id, json_t **items)
{
	const char *p[1] = { booking_id };

	/* One booking's rows; or, without one, what needs attention: failed
	 * syncs, events deleted on the calendar side, retries in progress. */
	return json_items(tx, "SELECT coalesce(json_agg(json_build_object("
	    "'booking_id', e.booking_id, 'reference', b.reference, 'provider', e.provider,"
	    " 'connection_id', e.connection_id, 'state', e.state, 'external_id', e.external_id,"
	    " 'last_error', e.last_error, 'attempts', e.attempts,"
	    " 'needs_review', b.needs_review,"
	    " 'updated_at', " DB_RFC3339("e.updated_at") ")"
	    " ORDER BY e.updated_at DESC, e.id), '[]')::text"
	    " FROM (SELECT * FROM booking_calendar_events x"
	    "   WHERE CASE WHEN $1::uuid IS NULL"
	    "     THEN x.state <> 'synced' OR x.last_error IS NOT NULL"
	    "     ELSE x.booking_id = $1::uuid END"
	    "   ORDER BY x.updated_at DESC, x.id LIMIT 100) e"
	    " JOIN bookings b ON b.tenant_id = e.tenant_id AND b.id = e.booking_id", 1, p, items);
}

enum status
cal_store_booking_exists(struct db_tx *tx, const char *booking_id, bool *exists)
{
	const char *p[1] = { booking_id };
	PGresult *res;

	return db_one(tx, "SELECT 1 FROM bookings WHERE id = $1::uuid", 1, p, &res, exists);
}

/* OAuth states ------------------------------------------------------------------------------ */

enum status
cal_store_state_put(struct db_tx *tx, const char *nonce_hash, const char *user_id,
    const char *staff_id, const char *calendar_id, int ttl_s)
{
	const char *p[5] = { nonce_hash, user_id, staff_id, calendar_id, num(tx, ttl_s) };

	return run(tx, "INSERT INTO calendar_oauth_states (tenant_id, nonce_hash, user_id, staff_id,"
	    " calendar_id, expires_at) VALUES (app_tenant(), $1::bytea, $2::uuid, $3::uuid, $4,"
	    " now() + make_interval(secs => $5::int))", 5, p);
}

enum status
cal_store_state_take(struct db_tx *tx, const char *nonce_hash, const char **user_id,
    const char **staff_id, const char **calendar_id, bool *found)
{
	const char *p[1] = { nonce_hash };
	PGresult *res;
	enum status st;

	if ((st = db_one(tx, "DELETE FROM calendar_oauth_states WHERE nonce_hash = $1::bytea"
	    " RETURNING user_id::text, staff_id::text, calendar_id, expires_at > now()", 1, p, &res,
	    found)) != ST_OK)
		return st;
	*found = *found && db_bool(res, 0, 3);
	if (*found) {
		*user_id = db_val(res, 0, 0);
		*staff_id = db_val(res, 0, 1);
		*calendar_id = db_val(res, 0, 2);
	}
	return ST_OK;
}

enum status
cal_store_purge_states(struct db_tx *tx)
{
	return run(tx, "SELECT calendar_purge_states()", 0, NULL);
}

/* Webhooks -------------------------------------------------------------------------------- */

enum status
cal_store_webhook_tenant(struct db_tx *tx, const char *conn_id, const char **tenant_id)
{
	const char *p[1] = { conn_id };

	return db_scalar(tx, "SELECT calendar_webhook_tenant($1::uuid)::text", 1, p, tenant_id);
}

enum status
cal_store_webhook_by_uid(struct db_tx *tx, const char *uid, const char **tenant_id,
    const char **conn_id)
{
	const char *p[1] = { uid };
	PGresult *res;
	bool found;
	enum status st;

	if ((st = db_one(tx, "SELECT tenant_id::text, connection_id::text"
	    " FROM calendar_webhook_by_uid($1)", 1, p, &res, &found)) != ST_OK)
		return st;
	*tenant_id = found ? db_val(res, 0, 0) : NULL;
	*conn_id = found ? db_val(res, 0, 1) : NULL;
	return ST_OK;
}

enum status
cal_store_webhook_ingest(struct db_tx *tx, const char *event_id, const char *type,
    const char *sha_bytea, const char *payload, const char **id, bool *inserted)
{
	const char *p[4] = { event_id, type, sha_bytea, payload };
	PGresult *res;
	bool found;
	enum status st;

	if ((st = db_one(tx, "SELECT id::text, inserted FROM webhook_event_ingest('calcom', $1,"
	    " app_tenant(), $2, $3::bytea, $4::jsonb)", 4, p, &res, &found)) != ST_OK)
		return st;
	if (!found)
		return ST_INTERNAL;
	*id = db_val(res, 0, 0);
	*inserted = db_bool(res, 0, 1);
	return ST_OK;
}

enum status
cal_store_webhook_payload(struct db_tx *tx, long long event_id, const char **payload)
{
	const char *p[1] = { num(tx, event_id) };

	return db_scalar(tx, "SELECT payload::text FROM webhook_events WHERE id = $1::bigint"
	    " AND provider = 'calcom'", 1, p, payload);
}

/* Platform -------------------------------------------------------------------------------- */

static void
text_fill(PGresult *res, int i, void *elem, struct arena *a)
{
	(void)a;
	*(const char **)elem = db_val(res, i, 0);
}

enum status
cal_store_reconcile_tenants(struct db_tx *tx, const char ***tenant_ids, size_t *n)
{
	return db_rows(tx, "SELECT t::text FROM calendar_reconcile_tenants() t", 0, NULL,
	    sizeof(**tenant_ids), text_fill, (void **)tenant_ids, n);
}

enum status
cal_store_sync_enqueue(struct db_tx *tx, json_t *payload, const char *key)
{
	/* calendar_connections_live answers the guard with one probe. */
	return jobs_enqueue_when(tx, CALENDAR_SYNC_JOB, payload, key, 0, 0,
	    "EXISTS (SELECT 1 FROM calendar_connections WHERE tenant_id = app_tenant()"
	    " AND deleted_at IS NULL)");
}

enum status
cal_store_any_active(struct db_tx *tx, bool *any)
{
	const char *v = NULL;
	enum status st = db_scalar(tx, "SELECT EXISTS (SELECT 1 FROM calendar_connections"
	    " WHERE tenant_id = app_tenant() AND deleted_at IS NULL AND status = 'active')",
	    0, NULL, &v);

	*any = st == ST_OK && v != NULL && v[0] == 't';
	return st;
}
