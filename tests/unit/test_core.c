/* test_core.c — placeholder until the unit suite lands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/status.h"

static void
test_status_table(void **state)
{
	(void)state;
	assert_int_equal(status_http(ST_NOTFOUND), 404);
}

int
main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_status_table) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
