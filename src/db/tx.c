/* tx.c — transactions scoped to a tenant, statement execution and the
 * mapping of PostgreSQL errors to statuses. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "db/db.h"
#include "db/prepared.h"

enum status
db_sqlstate_status(const char *s)
{
	if (s == NULL)
		return ST_UNAVAILABLE;	/* no SQLSTATE: the connection failed */
	if (strcmp(s, "23505") == 0 || strcmp(s, "23P01") == 0)
		return ST_CONFLICT;	/* unique / exclusion violation */
	if (strcmp(s, "40001") == 0 || strcmp(s, "40P01") == 0)
		return ST_CONFLICT;	/* serialization failure / deadlock */
	if (strcmp(s, "23503") == 0)
		return ST_NOTFOUND;	/* points at a row that is not there */
	if (strcmp(s, "23514") == 0 || strcmp(s, "23502") == 0 || strncmp(s, "22", 2) == 0)
		return ST_INVALID;	/* check / not-null / data exception */
	if (strcmp(s, "42501") == 0)
		return ST_FORBIDDEN;	/* insufficient privilege, incl. RLS */
	if (strcmp(s, "57014") == 0)
		return ST_TIMEOUT;	/* statement timeout */
	if (strncmp(s, "08", 2) == 0 || strncmp(s, "57P", 3) == 0 || strcmp(s, "53300") == 0)
		return ST_UNAVAILABLE;	/* connection, shutdown, too many clients */
	return ST_INTERNAL;
}

static void
pq_clear(void *res)
{
	PQclear(res);
}

/* Copies a libpq message with the row values taken out: the parenthesised
 * value lists of "Key (email)=(a@b.c) already exists" and "Failing row
 * contains (…)", and quoted input ("invalid input syntax for type uuid:
 * \"…\""), become "(…)" / "\"…\"". Column and constraint names stay:
 * they are what a developer needs. */
void
db_error_without_values(const char *in, char *out, size_t outsz)
{
	size_t o = 0;
	int depth = 0;
	bool quoted = false;

	if (outsz == 0)
		return;
	for (const char *p = in; *p != '\0' && o + 4 < outsz; p++) {
		if (quoted) {
			if (*p == '"') {
				quoted = false;
				out[o++] = '"';
			}
			continue;
		}
		if (depth > 0) {
			if (*p == '(')
				depth++;
			else if (*p == ')' && --depth == 0)
				out[o++] = ')';
			continue;
		}
		out[o++] = *p;
		/* A value list follows "=" ("Key (a)=(…)") or "contains ". */
		if (*p == '(' && p > in && (p[-1] == '=' ||
		    (p - in >= 9 && strncmp(p - 9, "contains ", 9) == 0))) {
			depth = 1;
			memcpy(out + o, "...", 3);
			o += 3;
		} else if (*p == '"' && p - in >= 2 && p[-1] == ' ' && p[-2] == ':') {
			quoted = true;
			memcpy(out + o, "...", 3);
			o += 3;
		}
	}
	out[o] = '\0';
}

static void
fail(struct db_tx *tx, PGresult *res, const char *sql)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	char clean_msg[512], clean_detail[512];
	enum status st;

	if (msg == NULL)	/* no result: the connection's own message */
		msg = res ? PQresultErrorMessage(res) : PQerrorMessage(db_conn_pg(tx->conn));
	snprintf(tx->sqlstate, sizeof(tx->sqlstate), "%s", state ? state : "");
	st = db_sqlstate_status(state);
	if (tx->failed == ST_OK)
		tx->failed = st;
	/* Parameters are never logged, nor the row values PostgreSQL quotes
	 * back in its message and DETAIL: they carry customer data. Names of
	 * the constraint, table and column say what went wrong. */
	db_error_without_values(msg ? msg : "", clean_msg, sizeof(clean_msg));
	db_error_without_values(detail ? detail : "", clean_detail, sizeof(clean_detail));
	log_emit(st == ST_INTERNAL ? LOG_ERROR : LOG_DEBUG, "sql failed",
	    json_pack("{s:s, s:s, s:s*, s:s*, s:s*, s:s*, s:s*, s:s}",
	    "sqlstate", tx->sqlstate, "error", clean_msg,
	    "detail", detail ? clean_detail : NULL,
	    "constraint", res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL,
	    "table", res ? PQresultErrorField(res, PG_DIAG_TABLE_NAME) : NULL,
	    "column", res ? PQresultErrorField(res, PG_DIAG_COLUMN_NAME) : NULL,
	    "schema", res ? PQresultErrorField(res, PG_DIAG_SCHEMA_NAME) : NULL,
	    "sql", sql));
	if (tx->err != NULL && tx->err->message[0] == '\0') {
		if (st == ST_UNAVAILABLE)
			tx->err->retry_after = 1;
		err_set(tx->err, st, "%s", status_default_message(st));
	}
}

static enum status flush(struct db_tx *tx, const struct db_query *q, size_t n,
    PGresult **out);

PGresult *
db_exec(struct db_tx *tx, const char *sql, int nparams, const char *const *params)
{
	PGresult *res;
	ExecStatusType es;

	if (tx->conn == NULL || tx->failed != ST_OK)
		return NULL;
	tx->work = true;
	if (tx->nqueue > 0) {
		const struct db_query q = { sql, nparams, params, 0 };

		return flush(tx, &q, 1, &res) == ST_OK ? res : NULL;
	}
	res = db_stmts_exec(db_conn_stmts(tx->conn), db_conn_pg(tx->conn), sql, nparams, params);
	es = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (es != PGRES_COMMAND_OK && es != PGRES_TUPLES_OK) {
		fail(tx, res, sql);
		PQclear(res);
		return NULL;
	}
	arena_defer(tx->arena, pq_clear, res);
	return res;
}

/* Sends q[0..n) (names[i]: the prepared statement, or NULL for text) and
 * the sync. false, the transaction failed, when a send failed. */
static bool
pipeline_send(struct db_tx *tx, PGconn *pg, const struct db_query *q, const char *const *names,
    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int sent = names[i] != NULL ?
		    PQsendQueryPrepared(pg, names[i], q[i].nparams, q[i].params, NULL, NULL,
			q[i].binary) :
		    PQsendQueryParams(pg, q[i].sql, q[i].nparams, NULL, q[i].params, NULL, NULL,
			q[i].binary);

		if (sent != 1) {
			fail(tx, NULL, q[i].sql);
			return false;
		}
	}
	if (PQpipelineSync(pg) != 1) {
		fail(tx, NULL, "(pipeline sync)");
		return false;
	}
	return true;
}

/* Every query answers a result and then NULL; the sync answers last.
 * After a failure the rest answer PIPELINE_ABORTED: the first error is the
 * one that counts (ok false: one was already recorded). */
static void
pipeline_read(struct db_tx *tx, PGconn *pg, const struct db_query *q, size_t n,
    PGresult **out, bool ok)
{
	PGresult *res;

	for (size_t i = 0; i < n; i++) {
		out[i] = NULL;
		while ((res = PQgetResult(pg)) != NULL) {
			ExecStatusType es = PQresultStatus(res);

			if (es == PGRES_TUPLES_OK || es == PGRES_COMMAND_OK) {
				arena_defer(tx->arena, pq_clear, res);
				out[i] = res;
				continue;
			}
			if (es != PGRES_PIPELINE_ABORTED && ok) {
				fail(tx, res, q[i].sql);
				ok = false;
			}
			PQclear(res);
		}
		if (out[i] == NULL && ok) {
			fail(tx, NULL, q[i].sql);
			ok = false;
		}
	}
	while ((res = PQgetResult(pg)) != NULL) {
		ExecStatusType es = PQresultStatus(res);

		PQclear(res);
		if (es == PGRES_PIPELINE_SYNC)
			break;
	}
}

/* q[0..n) in one round trip. */
static enum status
pipeline(struct db_tx *tx, const struct db_query *q, size_t n, PGresult **out)
{
	const char *names[DB_QUEUE_MAX + DB_PIPELINE_MAX];
	PGconn *pg = db_conn_pg(tx->conn);
	PGresult *failed;

	/* A preparation must be answered before the statement can be sent by
	 * name, so the statements this connection has not seen yet are
	 * prepared before pipeline mode (once per connection). */
	for (size_t i = 0; i < n; i++)
		if (!db_stmts_prepare(db_conn_stmts(tx->conn), pg, q[i].sql, q[i].nparams,
		    &names[i], &failed)) {
			fail(tx, failed, q[i].sql);
			PQclear(failed);
			return db_status(tx);
		}
	if (PQenterPipelineMode(pg) != 1) {
		fail(tx, NULL, "(enter pipeline mode)");
		return db_status(tx);
	}
	pipeline_read(tx, pg, q, n, out, pipeline_send(tx, pg, q, names, n));
	if (PQexitPipelineMode(pg) != 1 && tx->failed == ST_OK)
		fail(tx, NULL, "(exit pipeline mode)");
	return tx->failed != ST_OK ? tx->failed : ST_OK;
}

/* The server restarted under a connection idle in the pool, found by the
 * transaction's first round trip: nothing was done yet, so a fresh
 * connection can safely run the same statements. */
static enum status
reconnect(struct db_tx *tx)
{
	enum status st;

	db_pool_release(tx->pool, tx->conn);
	tx->conn = NULL;
	tx->failed = ST_OK;
	tx->sqlstate[0] = '\0';
	if (tx->err != NULL)
		err_clear(tx->err);
	if ((st = db_pool_acquire(tx->pool, &tx->conn, tx->err)) != ST_OK)
		tx->failed = st;
	return st;
}

/* The queue, then q[0..n), in one round trip; out[i] is q[i]'s result. */
static enum status
flush(struct db_tx *tx, const struct db_query *q, size_t n, PGresult **out)
{
	struct db_query all[DB_QUEUE_MAX + DB_PIPELINE_MAX];
	PGresult *res[DB_QUEUE_MAX + DB_PIPELINE_MAX];
	size_t k = tx->nqueue;
	bool first = !tx->sent;	/* the batch starts with BEGIN */
	enum status st;

	memcpy(all, tx->queue, k * sizeof(*all));
	if (n > 0)
		memcpy(all + k, q, n * sizeof(*q));
	tx->nqueue = 0;
	tx->sent = true;
	st = pipeline(tx, all, k + n, res);
	if (st != ST_OK && first && PQstatus(db_conn_pg(tx->conn)) == CONNECTION_BAD)
		st = reconnect(tx) == ST_OK ? pipeline(tx, all, k + n, res) : db_status(tx);
	if (st == ST_OK && n > 0)
		memcpy(out, res + k, n * sizeof(*out));
	return st;
}

enum status
db_pipeline(struct db_tx *tx, const struct db_query *q, size_t n, PGresult **out)
{
	if (tx->conn == NULL || tx->failed != ST_OK)
		return db_status(tx);
	if (n > DB_PIPELINE_MAX) {
		fail(tx, NULL, "(pipeline too long)");
		return db_status(tx);
	}
	tx->work = true;
	return flush(tx, q, n, out);
}

/* Adds to the queue, copying the parameters (callers' arrays are often
 * compound literals on their stack); a full queue is sent first. */
static enum status
enqueue(struct db_tx *tx, const char *sql, int nparams, const char *const *params)
{
	const char **copy = NULL;
	enum status st;

	if (tx->nqueue == DB_QUEUE_MAX && (st = flush(tx, NULL, 0, NULL)) != ST_OK)
		return st;
	if (nparams > 0) {
		copy = arena_alloc(tx->arena, (size_t)nparams * sizeof(*copy));
		for (int i = 0; i < nparams; i++)
			copy[i] = params[i] != NULL ? arena_strdup(tx->arena, params[i]) : NULL;
	}
	tx->queue[tx->nqueue++] = (struct db_query){ sql, nparams, copy, 0 };
	return ST_OK;
}

enum status
db_queue(struct db_tx *tx, const char *sql, int nparams, const char *const *params)
{
	if (tx->conn == NULL || tx->failed != ST_OK)
		return db_status(tx);
	tx->work = true;
	return enqueue(tx, sql, nparams, params);
}

/* One JSON value as text, the way PostgreSQL's text output would have it;
 * NULL for null (and for what a row cannot hold). */
static const char *
json_cell(const json_t *v, char *buf, size_t bufsz)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, bufsz, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, bufsz, "%.17g", json_real_value(v));
		return buf;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "t" : "f";
	return NULL;
}

PGresult *
db_result_from_json(struct arena *a, const json_t *rows, int ncols)
{
	PGresAttDesc attrs[DB_JSON_COLS_MAX];
	PGresult *res;
	char buf[40];

	if (!json_is_array(rows) || ncols < 1 || ncols > DB_JSON_COLS_MAX)
		return NULL;
	if ((res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK)) == NULL)
		abort();
	memset(attrs, 0, sizeof(attrs));
	for (int c = 0; c < ncols; c++)
		attrs[c] = (PGresAttDesc){ .name = (char *)"", .typlen = -1, .atttypmod = -1 };
	if (PQsetResultAttrs(res, ncols, attrs) != 1)
		goto fail;
	for (size_t r = 0; r < json_array_size(rows); r++) {
		const json_t *row = json_array_get(rows, r);

		if (!json_is_array(row))
			goto fail;
		for (int c = 0; c < ncols; c++) {
			const char *v = json_cell(json_array_get(row, (size_t)c), buf, sizeof(buf));

			if (PQsetvalue(res, (int)r, c, (char *)v, v ? (int)strlen(v) : -1) != 1)
				goto fail;
		}
	}
	arena_defer(a, pq_clear, res);
	return res;
fail:
	PQclear(res);
	return NULL;
}

enum status
db_status(const struct db_tx *tx)
{
	return tx->failed != ST_OK ? tx->failed : ST_INTERNAL;
}

static enum status
begin(struct db_tx *tx, struct db_pool *p, struct arena *a, struct err *e,
    const char *tenant_id)
{
	enum status st;

	memset(tx, 0, sizeof(*tx));
	tx->pool = p;
	tx->arena = a;
	tx->err = e;
	if ((st = db_pool_acquire(p, &tx->conn, e)) != ST_OK)
		return st;
	tx->queue[tx->nqueue++] = (struct db_query){ "BEGIN", 0, NULL, 0 };
	return tenant_id != NULL ? db_tx_set_tenant(tx, tenant_id) : ST_OK;
}

enum status
db_tx_begin(struct db_tx *tx, const struct ctx *c)
{
	return begin(tx, c->pool, c->arena, c->err, ctx_tenant_id(c));
}

enum status
db_tx_begin_as(struct db_tx *tx, const struct ctx *c, const char *tenant_id)
{
	return begin(tx, c->pool, c->arena, c->err, tenant_id);
}

enum status
db_tx_set_tenant(struct db_tx *tx, const char *tenant_id)
{
	const char *params[1] = { tenant_id };

	if (tx->conn == NULL || tx->failed != ST_OK)
		return db_status(tx);
	/* Not work: a transaction that only set its tenant did nothing. */
	return enqueue(tx, "SELECT set_config('app.tenant_id', $1, true)", 1, params);
}

enum status
db_tx_end(struct db_tx *tx, enum status st)
{
	static const struct db_query commit = { "COMMIT", 0, NULL, 0 };
	PGresult *res;

	if (tx->conn == NULL)
		return st != ST_OK ? st : db_status(tx);
	if (st == ST_OK && tx->failed == ST_OK) {
		/* Nothing but BEGIN queued: nothing to send at all. */
		if (tx->work && flush(tx, &commit, 1, &res) != ST_OK)
			st = db_status(tx);
	} else if (st == ST_OK) {
		st = db_status(tx);
	}
	/* A failed statement leaves the transaction open until it is rolled
	 * back (a failed pipeline skips the COMMIT after it). */
	if (tx->conn != NULL && tx->sent &&
	    PQtransactionStatus(db_conn_pg(tx->conn)) != PQTRANS_IDLE) {
		res = PQexec(db_conn_pg(tx->conn), "ROLLBACK");
		PQclear(res);
	}
	if (tx->conn != NULL)
		db_pool_release(tx->pool, tx->conn);
	tx->conn = NULL;
	tx->nqueue = 0;
	return st;
}

enum status
db_rows(struct db_tx *tx, const char *sql, int nparams, const char *const *params,
    size_t elem_size, db_row_fn fill, void **out, size_t *n)
{
	PGresult *res = db_exec(tx, sql, nparams, params);
	int rows;
	char *v;

	*out = NULL;
	*n = 0;
	if (res == NULL)
		return db_status(tx);
	if ((rows = PQntuples(res)) == 0)
		return ST_OK;
	v = arena_calloc(tx->arena, (size_t)rows, elem_size);
	for (int i = 0; i < rows; i++)
		fill(res, i, v + (size_t)i * elem_size, tx->arena);
	*out = v;
	*n = (size_t)rows;
	return ST_OK;
}

enum status
db_one(struct db_tx *tx, const char *sql, int nparams, const char *const *params,
    PGresult **res, bool *found)
{
	if ((*res = db_exec(tx, sql, nparams, params)) == NULL)
		return db_status(tx);
	*found = PQntuples(*res) > 0;
	return ST_OK;
}

enum status
db_scalar(struct db_tx *tx, const char *sql, int nparams, const char *const *params,
    const char **out)
{
	PGresult *res;
	bool found;
	enum status st;

	if ((st = db_one(tx, sql, nparams, params, &res, &found)) == ST_OK)
		*out = found ? db_val(res, 0, 0) : NULL;
	return st;
}

const char *
db_val(PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

bool
db_bool(PGresult *res, int row, int col)
{
	const char *v = db_val(res, row, col);

	return v != NULL && v[0] == 't';
}
