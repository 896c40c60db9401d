/* db.h — PostgreSQL access: a bounded connection pool, transactions that
 * carry the tenant, and SQLSTATE → status mapping. Stores use db_exec with
 * bound parameters only; results are owned by the transaction's arena. */
#ifndef DB_DB_H
#define DB_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
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

struct db_tx {
	struct db_pool *pool;
	struct db_conn *conn;
	struct arena *arena;
	struct err *err;
	enum status failed;	/* first failure, ST_OK while healthy */
	char sqlstate[6];
};

/* Takes a connection, BEGINs, and — when tenant_id is not NULL — sets
 * app.tenant_id for this transaction only. A connection found dead (the
 * database restarted) is replaced once, transparently. */
enum status db_tx_begin(struct db_tx *tx, struct db_pool *p, struct arena *a,
    struct err *e, const char *tenant_id) MUST_USE;
/* Commits when st is ST_OK and nothing failed, rolls back otherwise, and
 * gives the connection back. Returns st, or the commit's failure. */
enum status db_tx_end(struct db_tx *tx, enum status st) MUST_USE;

/* Runs one statement. NULL on failure: the transaction is then failed, the
 * cause logged, and db_status(tx) says what to return. */
PGresult *db_exec(struct db_tx *tx, const char *sql, int nparams,
    const char *const *params);
enum status db_status(const struct db_tx *tx) MUST_USE;

/* Field helpers: NULL for SQL NULL. */
const char *db_val(PGresult *res, int row, int col);
bool db_bool(PGresult *res, int row, int col);

/* Maps a SQLSTATE to our status (23505 → ST_CONFLICT, …). */
enum status db_sqlstate_status(const char *sqlstate);

#endif
