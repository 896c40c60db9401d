/* system_retention.c — the retention job's rules: what the product keeps
 * and for how long, removed for good once it is past that (the only hard
 * delete in the product).
 *
 * A run is one platform job (system.retention, hourly): it removes what
 * belongs to no tenant, then walks through the tenants one at a time, each
 * in its own transaction under row-level security. One job on one worker
 * thread, rather than a job per tenant, so a run never floods the queue
 * ahead of the work customers are waiting for. Per tenant it removes at
 * most RETENTION_BATCH rows per table (a backlog goes over the following
 * runs, so no transaction holds locks for long), writes one audit row per
 * table it removed rows from, and adds the counts to the counters /metrics
 * shows (retention_deleted_rows_total{table}). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "db/db.h"
#include "modules/audit/audit.h"
#include "modules/system/system.h"
#include "modules/system/system_store.h"

static const struct audit_actor retention_actor = { "system", "retention", NULL, NULL };

/* One audit row and one counter increment per table that lost rows. */
static enum status
record(struct db_tx *tx, const char *table, long long n, const char *older_than)
{
	enum status st;

	if (n == 0)
		return ST_OK;
	if ((st = system_store_retention_count(tx, table, n)) != ST_OK)
		return st;
	return audit_record(tx, &retention_actor, "retention.purged", "table", table,
	    json_pack("{s:I, s:s, s:i}", "rows_deleted", (json_int_t)n, "older_than",
	    older_than, "batch_limit", RETENTION_BATCH));
}

enum status
system_retention_tenant(struct ctx *c, struct retention_result *out)
{
	struct retention_result r = { 0 };
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, c)) != ST_OK)
		return st;
	if ((st = system_store_retention_settings(&tx, &r.transcript_days,
	    &r.customer_months)) != ST_OK)
		goto out;
	for (int t = 0; t < RT__COUNT && st == ST_OK; t++) {
		bool months = t == RT_BOOKINGS || t == RT_CUSTOMERS;
		int days = t == RT_MESSAGES || t == RT_CONVERSATIONS ? r.transcript_days :
		    t == RT_WAITLIST_OFFERS || t == RT_WAITLIST_ENTRIES ? RETENTION_WAITLIST_DAYS :
		    RETENTION_DELIVERED_DAYS;
		const char *older = months ?
		    arena_printf(c->arena, "%d months", r.customer_months) :
		    arena_printf(c->arena, "%d days", days);

		st = system_store_retention_delete(&tx, (enum retention_table)t, days,
		    r.customer_months, RETENTION_BATCH, &r.rows[t]);
		if (st == ST_OK)
			st = record(&tx, retention_table_names[t], r.rows[t], older);
	}
out:
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	log_emit(LOG_INFO, "retention: tenant purged", json_pack("{s:s, s:I, s:I, s:I, s:I,"
	    " s:I, s:I, s:I, s:I}", "tenant_id", ctx_tenant_id(c),
	    "messages", (json_int_t)r.rows[RT_MESSAGES],
	    "conversations", (json_int_t)r.rows[RT_CONVERSATIONS],
	    "bookings", (json_int_t)r.rows[RT_BOOKINGS],
	    "customers", (json_int_t)r.rows[RT_CUSTOMERS],
	    "notification_outbox", (json_int_t)r.rows[RT_NOTIFICATION_OUTBOX],
	    "webhook_events", (json_int_t)r.rows[RT_WEBHOOK_EVENTS],
	    "waitlist_offers", (json_int_t)r.rows[RT_WAITLIST_OFFERS],
	    "waitlist_entries", (json_int_t)r.rows[RT_WAITLIST_ENTRIES]));
	if (out != NULL)
		*out = r;
	return ST_OK;
}

enum status
system_retention_platform(struct ctx *c, struct retention_platform_result *out)
{
	struct retention_platform_result r = { 0 };
	const char **tenants = NULL;
	struct db_tx tx;
	size_t n = 0;
	enum status st;

	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	if ((st = system_store_retention_platform(&tx, RETENTION_DELIVERED_DAYS, RETENTION_BATCH,
	    &r.webhook_events, &r.platform_outbox)) == ST_OK)
		st = system_store_retention_tenants(&tx, &tenants, &n);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	/* One tenant's failure is logged and the others go on; the next
	 * run tries it again. A stopping worker stops between tenants. */
	for (size_t i = 0; i < n && !ctx_cancelled(c); i++) {
		struct ctx tc = *c;
		struct arena a;

		/* Each tenant's results are freed before the next one's. */
		arena_init(&a, 4096);
		tc.arena = &a;
		ctx_set_tenant(&tc, tenants[i]);
		if (system_retention_tenant(&tc, NULL) == ST_OK) {
			r.tenants++;
		} else {
			r.failed++;
			log_emit(LOG_WARN, "retention: a tenant's run failed", json_pack("{s:s,"
			    " s:s}", "tenant_id", tenants[i], "error", c->err->message));
			err_clear(c->err);
		}
		arena_free(&a);
	}
	log_emit(LOG_INFO, "retention: run finished", json_pack("{s:I, s:I, s:I, s:I}",
	    "webhook_events", (json_int_t)r.webhook_events, "platform_outbox",
	    (json_int_t)r.platform_outbox, "tenants", (json_int_t)r.tenants,
	    "tenants_failed", (json_int_t)r.failed));
	if (out != NULL)
		*out = r;
	return ST_OK;
}

enum status
system_retention_metrics(struct ctx *c, struct buf *b)
{
	struct retention_total *t = NULL;
	struct db_tx tx;
	size_t n = 0;
	enum status st;

	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	st = system_store_retention_totals(&tx, &t, &n);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	st = buf_printf(b, "# HELP retention_deleted_rows_total Rows the retention job deleted"
	    " for good, by table.\n# TYPE retention_deleted_rows_total counter\n");
	/* Every table, 0 until its first row goes, so a dashboard's query has
	 * a series from the start. */
	for (size_t k = 0; k <= RT__COUNT && st == ST_OK; k++) {
		const char *name = k < RT__COUNT ? retention_table_names[k] : "platform_outbox";
		const char *rows = "0";

		for (size_t i = 0; i < n; i++)
			if (strcmp(t[i].table, name) == 0)
				rows = t[i].rows;
		st = buf_printf(b, "retention_deleted_rows_total{table=\"%s\"} %s\n", name, rows);
	}
	return st;
}
