/* test_db_prepared.c — the per-connection prepared statements, against the
 * test PostgreSQL (DATABASE_ADMIN_URL, exported by scripts/test): results
 * as PQexecParams gives them, one preparation per text, errors as the
 * execution would report them (transaction included), and the cap. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/prepared.h"

static PGconn *pg;
static struct db_stmts *stmts;

static int
setup(void **state)
{
	const char *url = getenv("DATABASE_ADMIN_URL");

	(void)state;
	if (url == NULL || *url == '\0') {
		fprintf(stderr, "DATABASE_ADMIN_URL is not set (run through scripts/test)\n");
		return -1;
	}
	pg = PQconnectdb(url);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "connect: %s", PQerrorMessage(pg));
		return -1;
	}
	stmts = db_stmts_new();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	db_stmts_free(stmts);
	PQfinish(pg);
	return 0;
}

/* Runs sql; returns the status and, in out (when given), row 0 column 0. */
static ExecStatusType
run(const char *sql, int n, const char *const *params, char *out, size_t outsz)
{
	PGresult *res = db_stmts_exec(stmts, pg, sql, n, params);
	ExecStatusType es = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	if (out != NULL) {
		if (es == PGRES_TUPLES_OK && PQntuples(res) > 0)
			snprintf(out, outsz, "%s", PQgetvalue(res, 0, 0));
		else if (es == PGRES_FATAL_ERROR)
			snprintf(out, outsz, "%s", PQresultErrorField(res, PG_DIAG_SQLSTATE));
		else
			out[0] = '\0';
	}
	PQclear(res);
	return es;
}

static void
test_prepares_once_per_text(void **state)
{
	const char *p[2] = { "1", "one" };
	char v[64];

	(void)state;
	/* Utility statements are not prepared. */
	assert_int_equal(run("CREATE TEMP TABLE pt (id int PRIMARY KEY, v text)", 0, NULL, NULL, 0),
	    PGRES_COMMAND_OK);
	assert_int_equal(db_stmts_count(stmts), 0);
	for (int i = 1; i <= 3; i++) {
		char id[8];
		const char *q[2] = { id, "x" };

		snprintf(id, sizeof(id), "%d", i + 10);
		assert_int_equal(run("INSERT INTO pt (id, v) VALUES ($1::int, $2)", 2, q, NULL, 0),
		    PGRES_COMMAND_OK);
	}
	assert_int_equal(db_stmts_count(stmts), 1);
	assert_int_equal(run("INSERT INTO pt (id, v) VALUES ($1::int, $2) RETURNING v", 2, p, v,
	    sizeof(v)), PGRES_TUPLES_OK);
	assert_string_equal(v, "one");
	assert_int_equal(run("SELECT count(*) FROM pt", 0, NULL, v, sizeof(v)), PGRES_TUPLES_OK);
	assert_string_equal(v, "4");
	assert_int_equal(db_stmts_count(stmts), 3);
	/* NULL parameters bind as NULL. */
	{
		const char *q[1] = { NULL };

		assert_int_equal(run("SELECT coalesce($1::text, 'null')", 1, q, v, sizeof(v)),
		    PGRES_TUPLES_OK);
		assert_string_equal(v, "null");
	}
}

static void
test_errors_are_the_executions(void **state)
{
	const char *p[2] = { "11", "dup" };
	char v[64];
	size_t before;

	(void)state;
	before = db_stmts_count(stmts);
	/* A statement that does not parse: its error, nothing kept. */
	assert_int_equal(run("SELECT nope FROM pt", 0, NULL, v, sizeof(v)), PGRES_FATAL_ERROR);
	assert_string_equal(v, "42703");
	assert_int_equal(run("SELECT nope FROM pt", 0, NULL, v, sizeof(v)), PGRES_FATAL_ERROR);
	assert_string_equal(v, "42703");
	assert_int_equal(db_stmts_count(stmts), before);
	/* An execution error of a prepared statement. */
	assert_int_equal(run("INSERT INTO pt (id, v) VALUES ($1::int, $2)", 2, p, v, sizeof(v)),
	    PGRES_FATAL_ERROR);
	assert_string_equal(v, "23505");
	/* In a transaction, a failure at preparation aborts it like one at
	 * execution would. */
	assert_int_equal(run("BEGIN", 0, NULL, NULL, 0), PGRES_COMMAND_OK);
	assert_int_equal(run("SELECT also_nope", 0, NULL, v, sizeof(v)), PGRES_FATAL_ERROR);
	assert_int_equal(run("SELECT count(*) FROM pt", 0, NULL, v, sizeof(v)), PGRES_FATAL_ERROR);
	assert_string_equal(v, "25P02");
	assert_int_equal(run("ROLLBACK", 0, NULL, NULL, 0), PGRES_COMMAND_OK);
	assert_int_equal(run("SELECT count(*) FROM pt", 0, NULL, v, sizeof(v)), PGRES_TUPLES_OK);
	assert_string_equal(v, "4");
}

/* What a pipeline uses: prepare now, send by name later. */
static void
test_prepare_for_a_pipeline(void **state)
{
	const char *name, *again;
	PGresult *failed;
	size_t before = db_stmts_count(stmts);

	(void)state;
	assert_true(db_stmts_prepare(stmts, pg, "SELECT $1::int * 2", 1, &name, &failed));
	assert_non_null(name);
	assert_null(failed);
	assert_int_equal(db_stmts_count(stmts), before + 1);
	assert_true(db_stmts_prepare(stmts, pg, "SELECT $1::int * 2", 1, &again, &failed));
	assert_string_equal(again, name);
	assert_int_equal(db_stmts_count(stmts), before + 1);
	/* Utility statements: nothing to prepare, run them as text. */
	assert_true(db_stmts_prepare(stmts, pg, "BEGIN", 0, &name, &failed));
	assert_null(name);
	/* A failed preparation answers the execution's error and keeps nothing. */
	assert_false(db_stmts_prepare(stmts, pg, "SELECT nope_at_all", 0, &name, &failed));
	assert_non_null(failed);
	assert_string_equal(PQresultErrorField(failed, PG_DIAG_SQLSTATE), "42703");
	PQclear(failed);
	assert_int_equal(db_stmts_count(stmts), before + 1);
}

static void
test_cap(void **state)
{
	char sql[64], v[32], want[32];
	const char *p[1] = { "1000" };

	(void)state;
	for (int i = 0; i < DB_STMTS_MAX + 50; i++) {
		snprintf(sql, sizeof(sql), "SELECT $1::int + %d", i);
		snprintf(want, sizeof(want), "%d", 1000 + i);
		assert_int_equal(run(sql, 1, p, v, sizeof(v)), PGRES_TUPLES_OK);
		assert_string_equal(v, want);
	}
	/* Past the cap statements still run, unprepared. */
	assert_int_equal(db_stmts_count(stmts), DB_STMTS_MAX);
	{
		PGresult *res = PQexec(pg, "SELECT count(*) FROM pg_prepared_statements");

		snprintf(want, sizeof(want), "%d", DB_STMTS_MAX);
		assert_string_equal(PQgetvalue(res, 0, 0), want);
		PQclear(res);
	}
}

static void
test_off(void **state)
{
	char v[16];
	PGresult *res;

	(void)state;
	/* Without a cache (DB_PREPARED_STATEMENTS=false) nothing is prepared. */
	res = db_stmts_exec(NULL, pg, "SELECT 41 + 1", 0, NULL);
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	snprintf(v, sizeof(v), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	assert_string_equal(v, "42");
	assert_int_equal(db_stmts_count(NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prepares_once_per_text),
		cmocka_unit_test(test_errors_are_the_executions),
		cmocka_unit_test(test_prepare_for_a_pipeline),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_off),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
