/* tenants_admin_service.c — the rules behind the tenant admin's own
 * routes, each taking a struct ctx in that tenant: replacing the week's
 * business hours at once, and the two transactions of a custom domain's
 * verification (before and after DNS is asked, so no transaction is open
 * while it answers). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "modules/tenants/tenants_internal.h"
#include "modules/tenants/tenants_store.h"

enum status
tenants_hours_replace(struct ctx *c, const struct admin_interval *iv, size_t n, json_t *want)
{
	json_t *cur;
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, c)) != ST_OK)
		return st;
	if ((st = admin_intervals_load(&tx, "business_hours", NULL, NULL, "opens", "closes",
	    &cur)) != ST_OK)
		goto out;
	if (!json_equal(cur, want) &&
	    (st = admin_intervals_replace(&tx, "business_hours", NULL, NULL, "opens", "closes",
	    iv, n)) == ST_OK)
		st = admin_audit(&tx, c, "business_hours.replaced", "business_hours", c->tenant.id,
		    json_pack("{s:{s:O, s:O}}", "intervals", "from", cur, "to", want));
out:
	return db_tx_end(&tx, st);
}

enum status
tenants_domain_load(struct ctx *c, const struct admin_resource *res, const char *id,
    json_t **row, char plan[16])
{
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, c)) != ST_OK)
		return st;
	if ((st = admin_load_row(&tx, res, id, NULL, false, row)) == ST_OK)
		st = tenants_store_plan(&tx, plan);
	return db_tx_end(&tx, st);
}

enum status
tenants_domain_record(struct ctx *c, const struct admin_resource *res, const char *id,
    const char *token, bool verified, json_t **row)
{
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	json_t *before, *set;
	struct db_tx tx;
	enum status st;

	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if ((st = db_tx_begin(&tx, c)) != ST_OK)
		return st;
	/* The row may have changed while DNS was asked: decide on what is
	 * there now, and only for the token that was looked up. */
	if ((st = admin_load_row(&tx, res, id, NULL, true, &before)) != ST_OK)
		goto out;
	if (strcmp(json_string_value(json_object_get(before, "verification_token")), token) != 0) {
		st = err_set(c->err, ST_CONFLICT, "This domain changed during verification;"
		    " retry.");
		goto out;
	}
	*row = before;
	if (strcmp(json_string_value(json_object_get(before, "verification_state")),
	    verified ? "verified" : "failed") == 0)
		goto out;	/* nothing changes */
	set = json_pack("{s:s, s:s?}", "verification_state", verified ? "verified" : "failed",
	    "verified_at", verified ? now : NULL);
	arena_defer(c->arena, (void (*)(void *))json_decref, set);
	if (admin_update_row(&tx, res, set, id, row) != ST_OK) {
		if (strcmp(tx.sqlstate, "23505") == 0)
			st = err_set(c->err, ST_CONFLICT,
			    "This host name is already in use by another business.");
		else
			st = db_status(&tx);
		goto out;
	}
	st = admin_audit(&tx, c, verified ? "domain.verified" : "domain.verification_failed",
	    "domain", id, admin_diff(res, before, *row));
out:
	return db_tx_end(&tx, st);
}
