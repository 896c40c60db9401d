/* system_store.c — the system module's SQL, and only SQL. */
#include "modules/system/system_store.h"

#include <stdio.h>
#include <stdlib.h>

enum status
system_store_purge(struct db_tx *tx, struct purge_counts *out)
{
	PGresult *res = db_exec(tx, "SELECT idempotency_keys, sessions, jobs"
	    " FROM purge_expired()", 0, NULL);

	if (res == NULL)
		return db_status(tx);
	out->idempotency_keys = PQgetvalue(res, 0, 0);
	out->sessions = PQgetvalue(res, 0, 1);
	out->jobs = PQgetvalue(res, 0, 2);
	return ST_OK;
}

enum status
system_store_test_job_ran(struct db_tx *tx, const char *job_id)
{
	const char *params[1] = { job_id };

	if (db_exec(tx, "INSERT INTO audit_log (tenant_id, actor_type, action, target_type,"
	    " target_id) VALUES (app_tenant(), 'system', 'test.job_ran', 'job', $1)", 1,
	    params) == NULL)
		return db_status(tx);
	return ST_OK;
}

/* Retention ----------------------------------------------------------------- */

const char *const retention_table_names[RT__COUNT] = {
	[RT_MESSAGES] = "messages", [RT_CONVERSATIONS] = "conversations",
	[RT_BOOKINGS] = "bookings", [RT_CUSTOMERS] = "customers",
	[RT_NOTIFICATION_OUTBOX] = "notification_outbox", [RT_WEBHOOK_EVENTS] = "webhook_events",
	[RT_WAITLIST_OFFERS] = "waitlist_offers", [RT_WAITLIST_ENTRIES] = "waitlist_entries",
};

enum status
system_store_retention_settings(struct db_tx *tx, int *transcript_days, int *customer_months)
{
	PGresult *res = db_exec(tx, "SELECT coalesce(max(transcript_days), 90),"
	    " coalesce(max(customer_months), 24) FROM retention_settings", 0, NULL);

	if (res == NULL)
		return db_status(tx);
	*transcript_days = atoi(PQgetvalue(res, 0, 0));
	*customer_months = atoi(PQgetvalue(res, 0, 1));
	return ST_OK;
}

#define DAYS_AGO "now() - make_interval(days => $1::int)"
#define MONTHS_AGO "now() - make_interval(months => $1::int)"
#define COUNTED(del) "WITH d AS (" del " RETURNING 1) SELECT count(*) FROM d"

/* Each statement deletes at most $2 rows past $1 (days or months); RLS and
 * the explicit app_tenant() keep it inside the transaction's tenant.
 * Children go before their parents, so no statement meets a foreign key:
 * a transcript's messages before the conversation, a customer's bookings
 * (their items, claims and calendar rows cascade) before the customer. */
static const char *const retention_sql[RT__COUNT] = {
	[RT_MESSAGES] = COUNTED("DELETE FROM messages m WHERE m.tenant_id = app_tenant()"
	    " AND m.id IN (SELECT m2.id FROM messages m2 JOIN conversations c"
	    "  ON c.tenant_id = m2.tenant_id AND c.id = m2.conversation_id"
	    "  WHERE c.last_activity_at < " DAYS_AGO " LIMIT $2::int)"),
	[RT_CONVERSATIONS] = COUNTED("DELETE FROM conversations c WHERE c.tenant_id = app_tenant()"
	    " AND c.id IN (SELECT c2.id FROM conversations c2"
	    "  WHERE c2.last_activity_at < " DAYS_AGO
	    "  AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.tenant_id = c2.tenant_id"
	    "   AND m.conversation_id = c2.id) LIMIT $2::int)"),
	/* A customer expires when they were created, and their last booking
	 * ended and was made, before the cutoff: all their bookings go. */
	[RT_BOOKINGS] = COUNTED("DELETE FROM bookings b WHERE b.tenant_id = app_tenant()"
	    " AND b.id IN (SELECT b2.id FROM bookings b2 JOIN customers c"
	    "  ON c.tenant_id = b2.tenant_id AND c.id = b2.customer_id"
	    "  WHERE c.created_at < " MONTHS_AGO
	    "  AND NOT EXISTS (SELECT 1 FROM bookings r WHERE r.tenant_id = c.tenant_id"
	    "   AND r.customer_id = c.id AND (r.ends_at >= " MONTHS_AGO
	    "   OR r.created_at >= " MONTHS_AGO ")) LIMIT $2::int)"),
	[RT_CUSTOMERS] = COUNTED("DELETE FROM customers c WHERE c.tenant_id = app_tenant()"
	    " AND c.id IN (SELECT c2.id FROM customers c2 WHERE c2.created_at < " MONTHS_AGO
	    "  AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.tenant_id = c2.tenant_id"
	    "   AND b.customer_id = c2.id) LIMIT $2::int)"),
	/* Mail that was sent (or failed for good); queued mail stays. */
	[RT_NOTIFICATION_OUTBOX] = COUNTED("DELETE FROM notification_outbox o"
	    " WHERE o.tenant_id = app_tenant() AND o.id IN (SELECT o2.id FROM notification_outbox o2"
	    "  WHERE o2.status <> 'queued' AND o2.updated_at < " DAYS_AGO " LIMIT $2::int)"),
	/* The runtime role only reads webhook_events. */
	[RT_WEBHOOK_EVENTS] = "SELECT retention_purge_webhooks($1::int, $2::int)",
	/* Past waitlist entries, offers first; the rule (which ones a
	 * refilled slot keeps) is in 0032, proven by tests/sql/96_*. */
	[RT_WAITLIST_OFFERS] = "SELECT retention_purge_waitlist_offers($1::int, $2::int)",
	[RT_WAITLIST_ENTRIES] = "SELECT retention_purge_waitlist_entries($1::int, $2::int)",
};

enum status
system_store_retention_delete(struct db_tx *tx, enum retention_table t, int days, int months,
    int limit, long long *n)
{
	char age[16], lim[16];
	const char *params[2] = { age, lim };
	PGresult *res;

	snprintf(age, sizeof(age), "%d", t == RT_BOOKINGS || t == RT_CUSTOMERS ? months : days);
	snprintf(lim, sizeof(lim), "%d", limit);
	if ((res = db_exec(tx, retention_sql[t], 2, params)) == NULL)
		return db_status(tx);
	*n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	return ST_OK;
}

enum status
system_store_retention_count(struct db_tx *tx, const char *table, long long n)
{
	char rows[24];
	const char *params[2] = { table, rows };

	snprintf(rows, sizeof(rows), "%lld", n);
	if (db_exec(tx, "SELECT retention_count($1, $2::bigint)", 2, params) == NULL)
		return db_status(tx);
	return ST_OK;
}

enum status
system_store_retention_platform(struct db_tx *tx, int days, int limit,
    long long *webhook_events, long long *platform_outbox)
{
	char age[16], lim[16];
	const char *params[2] = { age, lim };
	PGresult *res;

	snprintf(age, sizeof(age), "%d", days);
	snprintf(lim, sizeof(lim), "%d", limit);
	res = db_exec(tx, "SELECT webhook_events, platform_outbox"
	    " FROM retention_purge_platform($1::int, $2::int)", 2, params);
	if (res == NULL)
		return db_status(tx);
	*webhook_events = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	*platform_outbox = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	return ST_OK;
}

static void
id_from_row(PGresult *res, int row, void *elem, struct arena *a)
{
	(void)a;
	*(const char **)elem = PQgetvalue(res, row, 0);
}

enum status
system_store_retention_tenants(struct db_tx *tx, const char ***ids, size_t *n)
{
	return db_rows(tx, "SELECT t::text FROM retention_tenants() t", 0, NULL,
	    sizeof(**ids), id_from_row, (void **)ids, n);
}

static void
total_from_row(PGresult *res, int row, void *elem, struct arena *a)
{
	struct retention_total *t = elem;

	(void)a;
	t->table = PQgetvalue(res, row, 0);
	t->rows = PQgetvalue(res, row, 1);
}

enum status
system_store_retention_totals(struct db_tx *tx, struct retention_total **out, size_t *n)
{
	return db_rows(tx, "SELECT tbl, rows_deleted::text FROM retention_totals_read()", 0, NULL,
	    sizeof(**out), total_from_row, (void **)out, n);
}
