/* waitlist_store.c — the waitlist module's SQL, and only SQL: entries,
 * offers, a slot's state, and the owner's list and summary. */
#include "modules/waitlist/waitlist_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

/* The tenant's zone and local date, for the SQL below. */
#define ZONE "coalesce((SELECT timezone FROM tenant_profiles), 'UTC')"
#define TODAY "(now() AT TIME ZONE " ZONE ")::date"

static const char *
dup(struct db_tx *tx, PGresult *res, int row, int col)
{
	const char *v = db_val(res, row, col);

	return v != NULL ? arena_strdup(tx->arena, v) : NULL;
}

static char *
num(struct db_tx *tx, long long v)
{
	return arena_printf(tx->arena, "%lld", v);
}

enum status
wl_store_join_check(struct db_tx *tx, const char *service_id, const char *day,
    struct wl_join_check *out)
{
	PGresult *res = db_exec(tx, "SELECT EXISTS (SELECT 1 FROM services WHERE id = $1::uuid"
	    " AND active AND deleted_at IS NULL), $2::date BETWEEN l.today AND l.today +"
	    " coalesce((SELECT max_days_ahead FROM scheduling_settings), 60)"
	    " FROM (SELECT " TODAY " AS today) l", 2, (const char *[]){ service_id, day });

	if (res == NULL)
		return db_status(tx);
	out->service_ok = db_bool(res, 0, 0);
	out->day_ok = db_bool(res, 0, 1);
	return ST_OK;
}

enum status
wl_store_join(struct db_tx *tx, const struct wl_entry_new *in, const char *leave_hash,
    const char **id, const char **created_at)
{
	PGresult *res = db_exec(tx, "INSERT INTO waitlist_entries (tenant_id, service_id, day,"
	    " part_of_day, name, email, phone, channel, source, leave_token_hash)"
	    " VALUES (app_tenant(), $1::uuid, $2::date, $3, $4, $5, $6, $7, $8, $9::bytea)"
	    " RETURNING id, " DB_RFC3339("created_at"), 9, (const char *[]){ in->service_id,
	    in->day, in->part_of_day, in->name, in->email, in->phone, in->channel, in->source,
	    leave_hash });

	if (res == NULL)
		return db_status(tx);
	*id = dup(tx, res, 0, 0);
	*created_at = dup(tx, res, 0, 1);
	return ST_OK;
}

/* A slot (elem) from columns 0–3: key, service, staff member, start (epoch). */
static void
slot_from(PGresult *res, int row, void *elem, struct arena *a)
{
	struct wl_slot *s = elem;

	s->key = arena_strdup(a, db_val(res, row, 0));
	s->service_id = arena_strdup(a, db_val(res, row, 1));
	s->staff_id = arena_strdup(a, db_val(res, row, 2));
	s->start = strtoll(db_val(res, row, 3), NULL, 10);
}

/* Takes the entry `pick` names (a subquery selecting one id) off the list
 * and withdraws its offers still out, in one statement. A row per offer
 * whose turn was running (their slots go to the next person now), or one
 * row with NULLs. */
#define LEAVE(pick) \
	"WITH e AS (UPDATE waitlist_entries SET status = 'cancelled' WHERE id IN (" pick ")" \
	"  AND status = 'waiting' RETURNING id)," \
	" turn AS (UPDATE waitlist_offers w SET status = 'cancelled', answered_at = now() FROM e" \
	"  WHERE w.entry_id = e.id AND w.status = 'open'" \
	"  RETURNING w.slot_key, w.service_id, w.staff_id, w.starts_at)," \
	" passed AS (UPDATE waitlist_offers w SET status = 'cancelled', answered_at = now() FROM e" \
	"  WHERE w.entry_id = e.id AND w.status = 'passed' RETURNING 1)" \
	" SELECT t.slot_key, t.service_id, t.staff_id, extract(epoch FROM t.starts_at)::bigint," \
	" e.id, (SELECT count(*) FROM passed) FROM e LEFT JOIN turn t ON true"

static void
left_row(PGresult *res, int row, void *elem, struct arena *a)
{
	struct wl_left *l = elem;

	l->entry_id = arena_strdup(a, db_val(res, row, 4));
	if (db_val(res, row, 0) != NULL)
		slot_from(res, row, &l->turn, a);
}

enum status
wl_store_leave(struct db_tx *tx, const char *leave_hash, struct wl_left **out, size_t *n)
{
	return db_rows(tx, LEAVE("SELECT id FROM waitlist_entries"
	    " WHERE leave_token_hash = $1::bytea"), 1, (const char *[]){ leave_hash },
	    sizeof(struct wl_left), left_row, (void **)out, n);
}

enum status
wl_store_remove(struct db_tx *tx, const char *id, struct wl_left **out, size_t *n)
{
	return db_rows(tx, LEAVE("SELECT $1::uuid"), 1, (const char *[]){ id },
	    sizeof(struct wl_left), left_row, (void **)out, n);
}

enum status
wl_store_erase(struct db_tx *tx, const char *email, const char *phone, long long *n)
{
	PGresult *res = db_exec(tx, "WITH e AS (UPDATE waitlist_entries SET name = 'Erased',"
	    "  email = NULL, phone = NULL, erased_at = now(),"
	    "  status = CASE status WHEN 'waiting' THEN 'cancelled' ELSE status END"
	    "  WHERE erased_at IS NULL AND ((email IS NOT NULL AND lower(email::text) = lower($1))"
	    "  OR (phone IS NOT NULL AND phone = $2)) RETURNING id),"
	    " o AS (UPDATE waitlist_offers w SET status = 'cancelled', answered_at = now() FROM e"
	    "  WHERE w.entry_id = e.id AND w.status IN ('open', 'passed') RETURNING 1)"
	    " SELECT (SELECT count(*) FROM e), (SELECT count(*) FROM o)", 2,
	    (const char *[]){ email, phone });

	if (res == NULL)
		return db_status(tx);
	*n = strtoll(db_val(res, 0, 0), NULL, 10);
	return ST_OK;
}

enum status
wl_store_lock_slot(struct db_tx *tx, const char *slot_key)
{
	if (db_exec(tx, "SELECT pg_advisory_xact_lock(hashtextextended(app_tenant()::text"
	    " || $1, 0))", 1, (const char *[]){ slot_key }) == NULL)
		return db_status(tx);
	return ST_OK;
}

enum status
wl_store_slot_state(struct db_tx *tx, const char *slot_key, struct wl_slot_state *out)
{
	/* The CTE's update is invisible to the EXISTS below (one snapshot);
	 * the turns it ends have expires_at <= now() and would not count. */
	PGresult *res = db_exec(tx, "WITH p AS (UPDATE waitlist_offers SET status = 'passed'"
	    " WHERE slot_key = $1 AND status = 'open' AND expires_at <= now() RETURNING 1)"
	    " SELECT EXISTS (SELECT 1 FROM waitlist_offers WHERE slot_key = $1"
	    "  AND status IN ('booked', 'gone')),"
	    " EXISTS (SELECT 1 FROM waitlist_offers WHERE slot_key = $1 AND status = 'open'"
	    "  AND expires_at > now()), (SELECT count(*) FROM p)", 1,
	    (const char *[]){ slot_key });

	if (res == NULL)
		return db_status(tx);
	out->settled = db_bool(res, 0, 0);
	out->turn_open = db_bool(res, 0, 1);
	return ST_OK;
}

enum status
wl_store_next_entry(struct db_tx *tx, const struct wl_slot *s, struct wl_next *out,
    bool *found)
{
	PGresult *res;
	enum status st;

	/* First come, first asked: the slot's service, its local day, its
	 * part of the day, and never the same person twice for one slot. */
	st = db_one(tx, "WITH l AS (SELECT to_timestamp($2::bigint) AT TIME ZONE " ZONE " AS t)"
	    " SELECT e.id, e.name, e.email, e.phone, e.channel, s.name"
	    " FROM l, waitlist_entries e JOIN services s ON s.tenant_id = e.tenant_id"
	    "  AND s.id = e.service_id"
	    " WHERE e.status = 'waiting' AND e.service_id = $1::uuid AND e.day = l.t::date"
	    " AND (e.part_of_day = 'any' OR e.part_of_day = CASE WHEN l.t::time < '12:00'"
	    "  THEN 'morning' WHEN l.t::time < '17:00' THEN 'afternoon' ELSE 'evening' END)"
	    " AND NOT EXISTS (SELECT 1 FROM waitlist_offers o WHERE o.tenant_id = e.tenant_id"
	    "  AND o.slot_key = $3 AND o.entry_id = e.id)"
	    " ORDER BY e.created_at, e.id LIMIT 1 FOR UPDATE OF e SKIP LOCKED", 3,
	    (const char *[]){ s->service_id, num(tx, s->start), s->key }, &res, found);
	if (st != ST_OK || !*found)
		return st;
	out->entry_id = dup(tx, res, 0, 0);
	out->name = dup(tx, res, 0, 1);
	out->email = dup(tx, res, 0, 2);
	out->phone = dup(tx, res, 0, 3);
	out->channel = dup(tx, res, 0, 4);
	out->service_name = dup(tx, res, 0, 5);
	return ST_OK;
}

enum status
wl_store_offer_insert(struct db_tx *tx, const struct wl_slot *s, const char *entry_id,
    const char *token_hash, int ttl_s, const char **offer_id, int64_t *expires_at)
{
	PGresult *res = db_exec(tx, "INSERT INTO waitlist_offers (tenant_id, entry_id, slot_key,"
	    " service_id, staff_id, starts_at, token_hash, expires_at)"
	    " VALUES (app_tenant(), $1::uuid, $2, $3::uuid, $4::uuid, to_timestamp($5::bigint),"
	    " $6::bytea, least(now() + make_interval(secs => $7::int), to_timestamp($5::bigint)))"
	    " RETURNING id, extract(epoch FROM expires_at)::bigint", 7,
	    (const char *[]){ entry_id, s->key, s->service_id, s->staff_id, num(tx, s->start),
	    token_hash, num(tx, ttl_s) });

	if (res == NULL)
		return db_status(tx);
	*offer_id = dup(tx, res, 0, 0);
	*expires_at = strtoll(db_val(res, 0, 1), NULL, 10);
	return ST_OK;
}

static void
told_row(PGresult *res, int row, void *elem, struct arena *a)
{
	struct wl_told *t = elem;

	t->offer_id = arena_strdup(a, db_val(res, row, 0));
	t->name = arena_strdup(a, db_val(res, row, 1));
	t->recipient = db_val(res, row, 2) ? arena_strdup(a, db_val(res, row, 2)) : NULL;
	t->channel = arena_strdup(a, db_val(res, row, 3));
	t->service_name = arena_strdup(a, db_val(res, row, 4));
}

enum status
wl_store_slot_gone(struct db_tx *tx, const char *slot_key, const char *except_id,
    struct wl_told **out, size_t *n)
{
	return db_rows(tx, "WITH g AS (UPDATE waitlist_offers SET status = 'gone',"
	    " answered_at = coalesce(answered_at, now()) WHERE slot_key = $1"
	    " AND status IN ('open', 'passed') AND ($2::uuid IS NULL OR id <> $2::uuid)"
	    " RETURNING id, entry_id, service_id)"
	    " SELECT g.id, e.name, CASE e.channel WHEN 'sms' THEN e.phone ELSE e.email::text END,"
	    " e.channel, s.name FROM g JOIN waitlist_entries e ON e.tenant_id = app_tenant()"
	    " AND e.id = g.entry_id JOIN services s ON s.tenant_id = e.tenant_id"
	    " AND s.id = g.service_id ORDER BY g.id", 2, (const char *[]){ slot_key, except_id },
	    sizeof(struct wl_told), told_row, (void **)out, n);
}

enum status
wl_store_offer_by_token(struct db_tx *tx, const char *token_hash, struct wl_offer *out,
    bool *found)
{
	PGresult *res;
	enum status st;

	st = db_one(tx, "SELECT o.id, o.status, o.slot_key, o.entry_id, e.status, o.service_id,"
	    " o.staff_id, o.booking_id, b.reference, e.name, e.email, e.phone, e.channel,"
	    " extract(epoch FROM o.starts_at)::bigint"
	    " FROM waitlist_offers o JOIN waitlist_entries e ON e.tenant_id = o.tenant_id"
	    "  AND e.id = o.entry_id"
	    " LEFT JOIN bookings b ON b.tenant_id = o.tenant_id AND b.id = o.booking_id"
	    " WHERE o.token_hash = $1::bytea FOR UPDATE OF o", 1, (const char *[]){ token_hash },
	    &res, found);
	if (st != ST_OK || !*found)
		return st;
	out->id = dup(tx, res, 0, 0);
	out->status = dup(tx, res, 0, 1);
	out->slot_key = dup(tx, res, 0, 2);
	out->entry_id = dup(tx, res, 0, 3);
	out->entry_status = dup(tx, res, 0, 4);
	out->service_id = dup(tx, res, 0, 5);
	out->staff_id = dup(tx, res, 0, 6);
	out->booking_id = dup(tx, res, 0, 7);
	out->reference = dup(tx, res, 0, 8);
	out->name = dup(tx, res, 0, 9);
	out->email = dup(tx, res, 0, 10);
	out->phone = dup(tx, res, 0, 11);
	out->channel = dup(tx, res, 0, 12);
	out->start = strtoll(db_val(res, 0, 13), NULL, 10);
	return ST_OK;
}

enum status
wl_store_offer_set(struct db_tx *tx, const char *id, const char *status)
{
	if (db_exec(tx, "UPDATE waitlist_offers SET status = $2, answered_at = now()"
	    " WHERE id = $1::uuid AND status IN ('open', 'passed', 'accepting')", 2,
	    (const char *[]){ id, status }) == NULL)
		return db_status(tx);
	return ST_OK;
}

enum status
wl_store_offer_booked(struct db_tx *tx, const struct wl_offer *o, const char *booking_id)
{
	if (db_exec(tx, "WITH o AS (UPDATE waitlist_offers SET status = 'booked',"
	    "  booking_id = $2::uuid, answered_at = now() WHERE id = $1::uuid RETURNING entry_id),"
	    " e AS (UPDATE waitlist_entries w SET status = 'booked', booking_id = $2::uuid FROM o"
	    "  WHERE w.id = o.entry_id RETURNING w.id),"
	    " x AS (UPDATE waitlist_offers w SET status = 'cancelled', answered_at = now() FROM o"
	    "  WHERE w.entry_id = o.entry_id AND w.id <> $1::uuid"
	    "  AND w.status IN ('open', 'passed') RETURNING 1)"
	    " SELECT (SELECT count(*) FROM e), (SELECT count(*) FROM x)", 2,
	    (const char *[]){ o->id, booking_id }) == NULL)
		return db_status(tx);
	return ST_OK;
}

/* An entry waiting for a day gone by is shown as expired. */
#define SHOWN_STATUS "CASE WHEN e.status = 'waiting' AND e.day < " TODAY \
	" THEN 'expired' ELSE e.status END"

static void
entry_row(PGresult *res, int row, void *elem, struct arena *a)
{
	struct wl_entry_row *e = elem;
	const char **f[] = { &e->id, &e->service_id, &e->service_name, &e->day, &e->part_of_day,
		&e->name, &e->email, &e->phone, &e->channel, &e->status, &e->source,
		&e->created_at, &e->booking_id };

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		*f[i] = db_val(res, row, (int)i) ? arena_strdup(a, db_val(res, row, (int)i)) : NULL;
	e->offers = strtoll(db_val(res, row, 13), NULL, 10);
}

enum status
wl_store_list(struct db_tx *tx, const char *status, int limit, struct wl_entry_row **out,
    size_t *n)
{
	return db_rows(tx, "SELECT e.id, e.service_id, s.name, e.day::text, e.part_of_day, e.name,"
	    " e.email, e.phone, e.channel, " SHOWN_STATUS ", e.source, " DB_RFC3339("e.created_at")
	    ", e.booking_id, (SELECT count(*) FROM waitlist_offers o WHERE o.tenant_id ="
	    " e.tenant_id AND o.entry_id = e.id)"
	    " FROM waitlist_entries e JOIN services s ON s.tenant_id = e.tenant_id"
	    " AND s.id = e.service_id WHERE $1::text IS NULL OR " SHOWN_STATUS " = $1"
	    " ORDER BY e.created_at DESC, e.id DESC LIMIT $2::int", 2,
	    (const char *[]){ status, num(tx, limit) }, sizeof(struct wl_entry_row), entry_row,
	    (void **)out, n);
}

enum status
wl_store_summary(struct db_tx *tx, struct wl_summary *out)
{
	/* Revenue recovered: what the refilled bookings are worth, unless
	 * they were cancelled in turn. */
	PGresult *res = db_exec(tx, "SELECT (SELECT count(*) FROM waitlist_entries"
	    "  WHERE status = 'waiting' AND day >= " TODAY "),"
	    " count(b.id), coalesce(sum(b.total_minor), 0), min(b.currency)"
	    " FROM waitlist_offers o JOIN bookings b ON b.tenant_id = o.tenant_id"
	    "  AND b.id = o.booking_id AND b.status <> 'CANCELLED'"
	    " WHERE o.status = 'booked'", 0, NULL);

	if (res == NULL)
		return db_status(tx);
	out->waiting = strtoll(db_val(res, 0, 0), NULL, 10);
	out->refilled = strtoll(db_val(res, 0, 1), NULL, 10);
	out->revenue_minor = strtoll(db_val(res, 0, 2), NULL, 10);
	out->currency = dup(tx, res, 0, 3);
	return ST_OK;
}

enum status
wl_store_expire_all(struct db_tx *tx, struct wl_slot **out, size_t *n)
{
	return db_rows(tx, "WITH x AS (UPDATE waitlist_offers SET expires_at = now()"
	    " - interval '1 second' WHERE status = 'open'"
	    " RETURNING slot_key, service_id, staff_id, starts_at)"
	    " SELECT DISTINCT slot_key, service_id, staff_id,"
	    " extract(epoch FROM starts_at)::bigint FROM x", 0, NULL, sizeof(struct wl_slot),
	    slot_from, (void **)out, n);
}
