/* test_db_queue.c — a transaction's queued statements (db_queue, and the
 * BEGIN and set_config that db_tx_begin queues), against the test
 * PostgreSQL (DATABASE_ADMIN_URL, exported by scripts/test): nothing
 * reaches the server before a statement is read; queued ones run first and
 * in order; their failure fails the transaction at the next statement and
 * rolls everything back; COMMIT carries what is still queued; a queue
 * longer than DB_QUEUE_MAX still arrives whole. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ctx.h"
#include "db/db.h"

static struct db_pool *pool;

/* One table per run: several copies of the suite may share the cluster. */
static char table[64];

static int
setup(void **state)
{
	const char *url = getenv("DATABASE_ADMIN_URL");
	char sql[160];
	PGconn *pg;
	PGresult *res;

	(void)state;
	if (url == NULL || *url == '\0') {
		fprintf(stderr, "DATABASE_ADMIN_URL is not set (run through scripts/test)\n");
		return -1;
	}
	snprintf(table, sizeof(table), "db_queue_test_%ld", (long)getpid());
	pg = PQconnectdb(url);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "connect: %s", PQerrorMessage(pg));
		PQfinish(pg);
		return -1;
	}
	snprintf(sql, sizeof(sql), "CREATE TABLE %s (n int, note text)", table);
	res = PQexec(pg, sql);
	PQclear(res);
	PQfinish(pg);
	pool = db_pool_new(url, 2, 2000, 5, 10000);
	return pool != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	struct arena a;
	struct err e;
	struct ctx c;
	struct db_tx tx;

	(void)state;
	arena_init(&a, 4096);
	ctx_init(&c, ACTOR_SYSTEM, &a, &e, pool, NULL);
	if (db_tx_begin(&tx, &c) == ST_OK) {
		(void)db_exec(&tx, arena_printf(&a, "DROP TABLE %s", table), 0, NULL);
		if (db_tx_end(&tx, ST_OK) != ST_OK)
			fprintf(stderr, "could not drop %s\n", table);
	}
	arena_free(&a);
	db_pool_free(pool);
	return 0;
}

struct fx {
	struct arena a;
	struct err e;
	struct ctx c;
};

static void
fx_init(struct fx *f)
{
	arena_init(&f->a, 4096);
	err_clear(&f->e);
	ctx_init(&f->c, ACTOR_SYSTEM, &f->a, &f->e, pool, NULL);
}

static const char *
sql(struct fx *f, const char *fmt)
{
	return arena_printf(&f->a, fmt, table);
}

static long
count(struct fx *f, const char *note)
{
	struct db_tx tx;
	const char *v = NULL;
	long n;

	assert_int_equal(db_tx_begin(&tx, &f->c), ST_OK);
	assert_int_equal(db_scalar(&tx, sql(f, "SELECT count(*) FROM %s WHERE note = $1"), 1,
	    (const char *[]){ note }, &v), ST_OK);
	n = v ? atol(v) : -1;
	assert_int_equal(db_tx_end(&tx, ST_OK), ST_OK);
	return n;
}

/* BEGIN and the tenant wait for the first statement, which sees both. */
static void
test_begin_waits_for_the_first_statement(void **state)
{
	struct fx f;
	struct db_tx tx;
	const char *v = NULL;

	(void)state;
	fx_init(&f);
	assert_int_equal(db_tx_begin_as(&tx, &f.c, "7b1f5f0e-1111-4111-8111-000000000001"),
	    ST_OK);
	assert_int_equal(PQtransactionStatus(db_conn_pg(tx.conn)), PQTRANS_IDLE);
	assert_int_equal(db_scalar(&tx, "SELECT current_setting('app.tenant_id', true)", 0, NULL,
	    &v), ST_OK);
	assert_string_equal(v, "7b1f5f0e-1111-4111-8111-000000000001");
	assert_int_equal(PQtransactionStatus(db_conn_pg(tx.conn)), PQTRANS_INTRANS);
	assert_int_equal(db_tx_end(&tx, ST_OK), ST_OK);
	arena_free(&f.a);
}

/* Queued writes run before the next statement, in the order queued. */
static void
test_queued_run_first_in_order(void **state)
{
	struct fx f;
	struct db_tx tx;
	const char *v = NULL;

	(void)state;
	fx_init(&f);
	assert_int_equal(db_tx_begin(&tx, &f.c), ST_OK);
	for (int i = 1; i <= 3; i++) {
		char n[8];

		snprintf(n, sizeof(n), "%d", i);	/* on the stack: the queue copies it */
		assert_int_equal(db_queue(&tx, sql(&f, "INSERT INTO %s VALUES ($1::int, 'order')"),
		    1, (const char *[]){ n }), ST_OK);
	}
	assert_int_equal(db_scalar(&tx, sql(&f, "SELECT string_agg(n::text, ',' ORDER BY ctid)"
	    " FROM %s WHERE note = 'order'"), 0, NULL, &v), ST_OK);
	assert_string_equal(v, "1,2,3");
	assert_int_equal(db_tx_end(&tx, ST_OK), ST_OK);
	assert_int_equal(count(&f, "order"), 3);
	arena_free(&f.a);
}

/* What is still queued goes with the COMMIT, and a rollback drops it. */
static void
test_commit_carries_the_queue(void **state)
{
	struct fx f;
	struct db_tx tx;

	(void)state;
	fx_init(&f);
	assert_int_equal(db_tx_begin(&tx, &f.c), ST_OK);
	assert_int_equal(db_queue(&tx, sql(&f, "INSERT INTO %s VALUES (1, 'commit')"), 0, NULL),
	    ST_OK);
	assert_int_equal(db_tx_end(&tx, ST_OK), ST_OK);
	assert_int_equal(count(&f, "commit"), 1);

	assert_int_equal(db_tx_begin(&tx, &f.c), ST_OK);
	assert_int_equal(db_queue(&tx, sql(&f, "INSERT INTO %s VALUES (1, 'dropped')"), 0, NULL),
	    ST_OK);
	assert_int_equal(db_tx_end(&tx, ST_CONFLICT), ST_CONFLICT);
	assert_int_equal(count(&f, "dropped"), 0);
	arena_free(&f.a);
}

/* A queued statement that fails fails the transaction where the queue is
 * sent; nothing of it is kept and the connection is clean afterwards. */
static void
test_failure_surfaces_at_the_next_statement(void **state)
{
	struct fx f;
	struct db_tx tx;

	(void)state;
	fx_init(&f);
	assert_int_equal(db_tx_begin(&tx, &f.c), ST_OK);
	assert_int_equal(db_queue(&tx, sql(&f, "INSERT INTO %s VALUES (1, 'failed')"), 0, NULL),
	    ST_OK);
	assert_int_equal(db_queue(&tx, "SELECT 1 / 0", 0, NULL), ST_OK);
	assert_null(db_exec(&tx, "SELECT 1", 0, NULL));
	assert_int_equal(db_status(&tx), ST_INVALID);	/* 22012: division by zero */
	assert_string_equal(tx.sqlstate, "22012");
	/* Failed: later statements are refused without a round trip. */
	assert_int_equal(db_queue(&tx, "SELECT 2", 0, NULL), ST_INVALID);
	assert_int_equal(db_tx_end(&tx, ST_OK), ST_INVALID);
	assert_int_equal(count(&f, "failed"), 0);

	/* The same failure found by the COMMIT. */
	assert_int_equal(db_tx_begin(&tx, &f.c), ST_OK);
	assert_int_equal(db_queue(&tx, sql(&f, "INSERT INTO %s VALUES (1, 'failed')"), 0, NULL),
	    ST_OK);
	assert_int_equal(db_queue(&tx, "SELECT 1 / 0", 0, NULL), ST_OK);
	assert_int_equal(db_tx_end(&tx, ST_OK), ST_INVALID);
	assert_int_equal(count(&f, "failed"), 0);
	arena_free(&f.a);
}

/* More than DB_QUEUE_MAX: the full queue is sent on its own, in order. */
static void
test_a_long_queue_arrives_whole(void **state)
{
	struct fx f;
	struct db_tx tx;
	const char *v = NULL;
	char want[256] = "";

	(void)state;
	fx_init(&f);
	assert_int_equal(db_tx_begin(&tx, &f.c), ST_OK);
	for (int i = 0; i < DB_QUEUE_MAX * 2 + 3; i++) {
		char n[8];

		snprintf(n, sizeof(n), "%d", i);
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%d", i ? "," : "", i);
		assert_int_equal(db_queue(&tx, sql(&f, "INSERT INTO %s VALUES ($1::int, 'long')"),
		    1, (const char *[]){ n }), ST_OK);
	}
	assert_int_equal(db_tx_end(&tx, ST_OK), ST_OK);
	assert_int_equal(db_tx_begin(&tx, &f.c), ST_OK);
	assert_int_equal(db_scalar(&tx, sql(&f, "SELECT string_agg(n::text, ',' ORDER BY ctid)"
	    " FROM %s WHERE note = 'long'"), 0, NULL, &v), ST_OK);
	assert_string_equal(v, want);
	assert_int_equal(db_tx_end(&tx, ST_OK), ST_OK);
	arena_free(&f.a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_begin_waits_for_the_first_statement),
		cmocka_unit_test(test_queued_run_first_in_order),
		cmocka_unit_test(test_commit_carries_the_queue),
		cmocka_unit_test(test_failure_surfaces_at_the_next_statement),
		cmocka_unit_test(test_a_long_queue_arrives_whole),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
