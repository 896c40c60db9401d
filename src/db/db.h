/* db.h — PostgreSQL access: a bounded connection pool, transactions that
 * carry the tenant, and SQLSTATE → status mapping. Stores use db_exec with
 * bound parameters only; results are owned by the transaction's arena. */
#ifndef DB_DB_H
#define DB_DB_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/ctx.h"
#include "core/status.h"

struct db_pool;
struct db_conn;

struct db_pool_stats {
	size_t max;
	size_t open;
	size_t idle;
	size_t waiting;
	unsigned long long connects;
	unsigned long long connect_failures;
	unsigned long long discarded;
};

/* acquire_timeout_ms: how long db_pool_acquire waits for a free connection
 * before it answers ST_UNAVAILABLE. */
struct db_pool *db_pool_new(const char *conninfo, size_t max, int acquire_timeout_ms,
    int connect_timeout_s, int statement_timeout_ms);
void db_pool_free(struct db_pool *p);
/* Whether new connections prepare their statements (db/prepared.h); on by
 * default. */
void db_pool_set_prepare(struct db_pool *p, bool on);
void db_pool_get_stats(struct db_pool *p, struct db_pool_stats *out);

enum status db_pool_acquire(struct db_pool *p, struct db_conn **out, struct err *e) MUST_USE;
/* Returns c to the pool, or closes it when it is broken or not idle. */
void db_pool_release(struct db_pool *p, struct db_conn *c);
PGconn *db_conn_pg(struct db_conn *c);
/* The statements prepared on the connection (db/prepared.h). */
struct db_stmts *db_conn_stmts(struct db_conn *c);

/* One statement of a pipeline or of a transaction's queue. */
#define DB_PIPELINE_MAX 16
struct db_query {
	const char *sql;
	int nparams;
	const char *const *params;
	int binary;		/* 1: results in binary format */
};

/* Statements whose answer nobody reads (BEGIN, the tenant's set_config,
 * audit rows, jobs, the idempotent reply) wait in the transaction and go to
 * the server in front of the next statement that is read, or of COMMIT: a
 * round trip costs both processes a wake-up, and a booking made fourteen of
 * them. */
#define DB_QUEUE_MAX 16

struct db_tx {
	struct db_pool *pool;
	struct db_conn *conn;
	struct arena *arena;
	struct err *err;
	enum status failed;	/* first failure, ST_OK while healthy */
	char sqlstate[6];
	struct db_query queue[DB_QUEUE_MAX];	/* params copied into arena */
	size_t nqueue;
	bool work;	/* something besides BEGIN and set_config was queued or run */
	bool sent;	/* BEGIN went to the server: ending needs COMMIT or ROLLBACK */
};

/* Takes a connection from c->pool, BEGINs, and sets app.tenant_id to the
 * context's tenant for this transaction only (none when c has no tenant:
 * tenant tables then show no rows). Both are queued: they reach the server
 * with the first statement, and a transaction that runs none costs no
 * round trip. Results live in c->arena, failures are described in c->err.
 * A connection found dead (the database restarted) when the first
 * statements are sent is replaced once, transparently. This is the only
 * place that sets the tenant. */
enum status db_tx_begin(struct db_tx *tx, const struct ctx *c) MUST_USE;
/* The same for another tenant than the context's: the one an API key, a
 * webhook or a job names (NULL: none, for platform tables and the
 * SECURITY DEFINER lookups). */
enum status db_tx_begin_as(struct db_tx *tx, const struct ctx *c,
    const char *tenant_id) MUST_USE;
/* Sets the tenant inside an open transaction: for the few steps that learn
 * it from a row they just wrote or found (creating a tenant, an operator
 * command naming one by slug). */
enum status db_tx_set_tenant(struct db_tx *tx, const char *tenant_id) MUST_USE;
/* Commits when st is ST_OK and nothing failed, rolls back otherwise, and
 * gives the connection back. Returns st, or the commit's failure. */
enum status db_tx_end(struct db_tx *tx, enum status st) MUST_USE;

/* Runs one statement. NULL on failure: the transaction is then failed, the
 * cause logged, and db_status(tx) says what to return. */
PGresult *db_exec(struct db_tx *tx, const char *sql, int nparams,
    const char *const *params);
enum status db_status(const struct db_tx *tx) MUST_USE;
/* Queues a statement whose answer is not needed (see DB_QUEUE_MAX): it runs
 * in order, before the next statement or the commit, and its failure fails
 * the transaction there. params are copied. */
enum status db_queue(struct db_tx *tx, const char *sql, int nparams,
    const char *const *params) MUST_USE;

/* Several statements that do not depend on each other's answers, sent in
 * one round trip (libpq pipeline mode) inside the open transaction, each
 * through the connection's prepared statements like db_exec. out[i] is
 * q[i]'s result, owned by the arena. A failure fails the transaction, as
 * db_exec's does. */
enum status db_pipeline(struct db_tx *tx, const struct db_query *q, size_t n,
    PGresult **out) MUST_USE;

/* A statement that returns at most one row of interest: *res is the
 * result, *found whether it has a row. */
enum status db_one(struct db_tx *tx, const char *sql, int nparams, const char *const *params,
    PGresult **res, bool *found) MUST_USE;
/* A statement whose answer is one value: the first column of the first
 * row, or NULL when there is none (or it is SQL NULL). */
enum status db_scalar(struct db_tx *tx, const char *sql, int nparams,
    const char *const *params, const char **out) MUST_USE;

/* Runs a query and turns each row into one element of an arena array:
 * fill(res, row, elem, arena) fills elem (zeroed, elem_size bytes). *out
 * is NULL and *n 0 when there are no rows. */
typedef void (*db_row_fn)(PGresult *res, int row, void *elem, struct arena *a);
enum status db_rows(struct db_tx *tx, const char *sql, int nparams,
    const char *const *params, size_t elem_size, db_row_fn fill, void **out,
    size_t *n) MUST_USE;

/* A timestamptz column as RFC 3339 in UTC, spelled once for every store:
 * whole seconds ("2026-12-04T07:20:00Z"), or microseconds for keyset
 * cursors, which must not lose the order of rows in the same second. */
#define DB_RFC3339(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define DB_RFC3339_US(col) \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* A result built from JSON rows (an array of arrays of strings, numbers,
 * booleans or nulls) as if PostgreSQL had sent them as text, ncols columns
 * (at most DB_JSON_COLS_MAX): for data kept in a cache and read by code
 * written for query results. NULL when rows is not an array of rows. The
 * result belongs to a. */
#define DB_JSON_COLS_MAX 16
PGresult *db_result_from_json(struct arena *a, const json_t *rows, int ncols);

/* Field helpers: NULL for SQL NULL. */
const char *db_val(PGresult *res, int row, int col);
bool db_bool(PGresult *res, int row, int col);

/* Maps a SQLSTATE to our status (23505 → ST_CONFLICT, …). */
enum status db_sqlstate_status(const char *sqlstate);
/* A PostgreSQL error message or DETAIL with the row values it quotes taken
 * out ("Key (email)=(…) already exists"), for the log. */
void db_error_without_values(const char *in, char *out, size_t outsz);

#endif
