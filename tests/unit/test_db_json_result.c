/* test_db_json_result.c — results built from cached JSON rows read exactly
 * as PostgreSQL's text results would: strings as they are, numbers and
 * booleans as PostgreSQL prints them, null as SQL NULL, missing trailing
 * values as NULL; anything that is not rows is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "db/db.h"

static void
test_rows_read_as_text(void **state)
{
	struct arena arena, *a = &arena;
	json_t *rows = json_loads("[[\"a6\", 30, 1786000000000, true, null, 2.5],"
	    " [\"b7\", -4, 0, false, \"x\"]]", 0, NULL);
	PGresult *res;

	(void)state;
	arena_init(a, 4096);
	res = db_result_from_json(a, rows, 6);
	assert_non_null(res);
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	assert_int_equal(PQntuples(res), 2);
	assert_int_equal(PQnfields(res), 6);
	assert_string_equal(db_val(res, 0, 0), "a6");
	assert_string_equal(db_val(res, 0, 1), "30");
	assert_string_equal(db_val(res, 0, 2), "1786000000000");
	assert_true(db_bool(res, 0, 3));
	assert_null(db_val(res, 0, 4));
	assert_string_equal(db_val(res, 0, 5), "2.5");
	assert_string_equal(db_val(res, 1, 1), "-4");
	assert_false(db_bool(res, 1, 3));
	assert_string_equal(db_val(res, 1, 4), "x");
	assert_null(db_val(res, 1, 5));		/* shorter row: NULL after it */
	json_decref(rows);
	arena_free(a);		/* clears the result with it */
}

static void
test_empty_and_refused(void **state)
{
	struct arena arena, *a = &arena;
	json_t *empty = json_array(), *obj = json_object(), *flat = json_loads("[1, 2]", 0, NULL);
	PGresult *res;

	(void)state;
	arena_init(a, 4096);
	res = db_result_from_json(a, empty, 3);
	assert_non_null(res);
	assert_int_equal(PQntuples(res), 0);
	assert_null(db_result_from_json(a, obj, 3));
	assert_null(db_result_from_json(a, NULL, 3));
	assert_null(db_result_from_json(a, flat, 1));	/* rows must be arrays */
	assert_null(db_result_from_json(a, empty, 0));
	assert_null(db_result_from_json(a, empty, DB_JSON_COLS_MAX + 1));
	json_decref(empty);
	json_decref(obj);
	json_decref(flat);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_read_as_text),
		cmocka_unit_test(test_empty_and_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
