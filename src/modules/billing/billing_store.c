/* billing_store.c — the usage counters' SQL, and only SQL.
 *
 * A month's counters are spread over shards (0010_usage_shards) that
 * readers add up: one row would make every turn of a tenant wait for the
 * one before it to commit. */
#include "modules/billing/billing_store.h"

#include <stdio.h>
#include <stdlib.h>

static long long
num(PGresult *res, int row, int col)
{
	const char *v = db_val(res, row, col);

	return v ? strtoll(v, NULL, 10) : 0;
}

enum status
billing_store_count_message(struct db_tx *tx, const char *shard, long limit, bool *counted)
{
	char lim[32];
	const char *params[] = { shard, lim };
	PGresult *res;

	*counted = false;
	if (limit < 0) {
		if (db_exec(tx, "INSERT INTO usage_monthly (tenant_id, month, shard, messages)"
		    " VALUES (app_tenant(), usage_current_month(), $1::smallint, 1)"
		    " ON CONFLICT (tenant_id, month, shard) DO UPDATE"
		    " SET messages = usage_monthly.messages + 1", 1, params) == NULL)
			return db_status(tx);
		*counted = true;
		return ST_OK;
	}
	snprintf(lim, sizeof(lim), "%ld", limit);
	/* The tenant's counting is serialised by a transaction lock (taken
	 * by the caller's last statements, held to its commit), and the sum
	 * read after it sees every message counted before. */
	if (db_exec(tx, "SELECT pg_advisory_xact_lock(7001, hashtext(app_tenant()::text))", 0,
	    NULL) == NULL)
		return db_status(tx);
	res = db_exec(tx, "INSERT INTO usage_monthly (tenant_id, month, shard, messages)"
	    " SELECT app_tenant(), usage_current_month(), $1::smallint, 1"
	    " WHERE (SELECT coalesce(sum(messages), 0) FROM usage_monthly"
	    "        WHERE month = usage_current_month()) < $2::bigint"
	    " ON CONFLICT (tenant_id, month, shard) DO UPDATE"
	    " SET messages = usage_monthly.messages + 1"
	    " RETURNING messages", 2, params);
	if (res == NULL)
		return db_status(tx);
	*counted = PQntuples(res) > 0;
	return ST_OK;
}

enum status
billing_store_messages_this_month(struct db_tx *tx, long *out)
{
	PGresult *res = db_exec(tx, "SELECT coalesce(sum(messages), 0) FROM usage_monthly"
	    " WHERE month = usage_current_month()", 0, NULL);

	if (res == NULL)
		return db_status(tx);
	*out = (long)num(res, 0, 0);
	return ST_OK;
}

enum status
billing_store_record(struct db_tx *tx, const char *shard, const char *provider,
    const char *model, long input_tokens, long output_tokens, long cached_tokens)
{
	char in[24], out[24], cached[24];
	const char *params[] = { provider, model, in, out, cached, shard };

	snprintf(in, sizeof(in), "%ld", input_tokens);
	snprintf(out, sizeof(out), "%ld", output_tokens);
	snprintf(cached, sizeof(cached), "%ld", cached_tokens);
	/* The month's totals and the model's row in one statement (the
	 * per-model row refers to the totals row: its foreign key is checked
	 * at the end of the statement, when both exist). */
	if (db_exec(tx, "WITH m AS (INSERT INTO usage_monthly (tenant_id, month, model_calls,"
	    " input_tokens, output_tokens, cached_tokens, shard) VALUES (app_tenant(),"
	    " usage_current_month(), 1, $3::bigint, $4::bigint, $5::bigint, $6::smallint)"
	    " ON CONFLICT (tenant_id, month, shard) DO UPDATE SET"
	    " model_calls = usage_monthly.model_calls + 1,"
	    " input_tokens = usage_monthly.input_tokens + EXCLUDED.input_tokens,"
	    " output_tokens = usage_monthly.output_tokens + EXCLUDED.output_tokens,"
	    " cached_tokens = usage_monthly.cached_tokens + EXCLUDED.cached_tokens"
	    " RETURNING tenant_id, month, shard)"
	    " INSERT INTO usage_monthly_models (tenant_id, month, provider, model,"
	    " calls, input_tokens, output_tokens, cached_tokens, shard)"
	    " SELECT m.tenant_id, m.month, left($1, 40), left($2, 200), 1, $3::bigint, $4::bigint,"
	    " $5::bigint, m.shard FROM m"
	    " ON CONFLICT (tenant_id, month, provider, model, shard) DO UPDATE SET"
	    " calls = usage_monthly_models.calls + 1,"
	    " input_tokens = usage_monthly_models.input_tokens + EXCLUDED.input_tokens,"
	    " output_tokens = usage_monthly_models.output_tokens + EXCLUDED.output_tokens,"
	    " cached_tokens = usage_monthly_models.cached_tokens + EXCLUDED.cached_tokens",
	    6, params) == NULL)
		return db_status(tx);
	return ST_OK;
}

enum status
billing_store_current_month(struct db_tx *tx, const char **month)
{
	PGresult *res = db_exec(tx, "SELECT to_char(usage_current_month(), 'YYYY-MM-DD')", 0,
	    NULL);

	if (res == NULL)
		return db_status(tx);
	*month = db_val(res, 0, 0);
	return ST_OK;
}

enum status
billing_store_totals(struct db_tx *tx, const char *month, struct usage_totals *out)
{
	const char *params[1] = { month };
	PGresult *res = db_exec(tx, "SELECT sum(messages), sum(model_calls), sum(input_tokens),"
	    " sum(output_tokens), sum(cached_tokens) FROM usage_monthly WHERE month = $1::date"
	    " HAVING count(*) > 0", 1, params);

	*out = (struct usage_totals){ 0 };
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return ST_OK;
	out->any = true;
	out->messages = num(res, 0, 0);
	out->model_calls = num(res, 0, 1);
	out->input_tokens = num(res, 0, 2);
	out->output_tokens = num(res, 0, 3);
	out->cached_tokens = num(res, 0, 4);
	return ST_OK;
}

static void
model_row(PGresult *res, int i, void *elem, struct arena *a)
{
	struct usage_model_row *m = elem;

	(void)a;
	m->provider = db_val(res, i, 0);
	m->model = db_val(res, i, 1);
	m->calls = num(res, i, 2);
	m->input_tokens = num(res, i, 3);
	m->output_tokens = num(res, i, 4);
	m->cached_tokens = num(res, i, 5);
}

enum status
billing_store_models(struct db_tx *tx, const char *month, struct usage_model_row **rows,
    size_t *n)
{
	const char *params[1] = { month };

	return db_rows(tx, "SELECT provider, model, sum(calls) AS calls, sum(input_tokens),"
	    " sum(output_tokens), sum(cached_tokens) FROM usage_monthly_models"
	    " WHERE month = $1::date GROUP BY provider, model"
	    " ORDER BY calls DESC, provider, model LIMIT 100", 1, params,
	    sizeof(**rows), model_row, (void **)rows, n);
}
