/* test_buf.c — the capped byte buffer: appends, printf, the size cap (which
 * must fail without touching the content) and handing the bytes over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

static void
test_append_accumulates_and_terminates(void **state)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(buf_append(&b, "abc", 3), ST_OK);
	assert_int_equal(buf_append(&b, "de", 2), ST_OK);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.data, "abcde");
	buf_free(&b);
}

static void
test_append_keeps_embedded_nul_bytes(void **state)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(buf_append(&b, "a\0b", 3), ST_OK);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 4);
	buf_free(&b);
}

static void
test_append_of_nothing_gives_an_empty_string(void **state)
{
	struct buf b;

	buf_init(&b, 10);
	assert_int_equal(buf_append(&b, "", 0), ST_OK);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	buf_free(&b);
}

static void
test_puts_appends_a_c_string(void **state)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(buf_puts(&b, "hello, "), ST_OK);
	assert_int_equal(buf_puts(&b, "world"), ST_OK);
	assert_string_equal(b.data, "hello, world");
	buf_free(&b);
}

static void
test_printf_appends_formatted_text(void **state)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(buf_puts(&b, "n="), ST_OK);
	assert_int_equal(buf_printf(&b, "%d/%s", 42, "x"), ST_OK);
	assert_string_equal(b.data, "n=42/x");
	assert_int_equal(b.len, 6);
	buf_free(&b);
}

static void
test_grows_across_many_appends(void **state)
{
	struct buf b;

	buf_init(&b, 0);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(buf_printf(&b, "%d,", i % 10), ST_OK);
	assert_int_equal(b.len, 20000);
	for (size_t i = 0; i < b.len; i += 2) {
		assert_int_equal(b.data[i], '0' + (int)(i / 2 % 10));
		assert_int_equal(b.data[i + 1], ',');
	}
	assert_int_equal(b.data[b.len], '\0');
	buf_free(&b);
}

static void
test_no_limit_when_max_is_zero(void **state)
{
	struct buf b;
	char *chunk = calloc(1, 1 << 20);

	buf_init(&b, 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(buf_append(&b, chunk, 1 << 20), ST_OK);
	assert_int_equal(b.len, 4u << 20);
	buf_free(&b);
	free(chunk);
}

static void
test_append_exactly_up_to_the_cap_succeeds(void **state)
{
	struct buf b;

	buf_init(&b, 10);
	assert_int_equal(buf_append(&b, "12345", 5), ST_OK);
	assert_int_equal(buf_append(&b, "67890", 5), ST_OK);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "1234567890");
	buf_free(&b);
}

static void
test_append_past_the_cap_is_too_large_and_changes_nothing(void **state)
{
	struct buf b;

	buf_init(&b, 10);
	assert_int_equal(buf_append(&b, "12345678", 8), ST_OK);
	assert_int_equal(buf_append(&b, "abc", 3), ST_TOO_LARGE);
	assert_int_equal(b.len, 8);
	assert_string_equal(b.data, "12345678");
	buf_free(&b);
}

static void
test_first_append_over_the_cap_is_too_large(void **state)
{
	struct buf b;

	buf_init(&b, 4);
	assert_int_equal(buf_puts(&b, "12345"), ST_TOO_LARGE);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void
test_printf_exactly_up_to_the_cap_succeeds(void **state)
{
	struct buf b;

	buf_init(&b, 6);
	assert_int_equal(buf_printf(&b, "%s", "abc"), ST_OK);
	assert_int_equal(buf_printf(&b, "%d", 123), ST_OK);
	assert_string_equal(b.data, "abc123");
	buf_free(&b);
}

static void
test_printf_past_the_cap_is_too_large_and_changes_nothing(void **state)
{
	struct buf b;

	buf_init(&b, 6);
	assert_int_equal(buf_puts(&b, "abc"), ST_OK);
	assert_int_equal(buf_printf(&b, "%d", 1234), ST_TOO_LARGE);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "abc");
	buf_free(&b);
}

static void
test_cap_still_accepts_smaller_appends_after_a_refusal(void **state)
{
	struct buf b;

	buf_init(&b, 5);
	assert_int_equal(buf_puts(&b, "abc"), ST_OK);
	assert_int_equal(buf_puts(&b, "def"), ST_TOO_LARGE);
	assert_int_equal(buf_puts(&b, "de"), ST_OK);
	assert_string_equal(b.data, "abcde");
	buf_free(&b);
}

static void
test_reset_empties_but_keeps_the_cap(void **state)
{
	struct buf b;

	buf_init(&b, 5);
	assert_int_equal(buf_puts(&b, "abcde"), ST_OK);
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_int_equal(buf_puts(&b, "12345"), ST_OK);
	assert_int_equal(buf_puts(&b, "6"), ST_TOO_LARGE);
	buf_free(&b);
}

static void
test_free_keeps_the_cap_for_reuse(void **state)
{
	struct buf b;

	buf_init(&b, 3);
	assert_int_equal(buf_puts(&b, "abc"), ST_OK);
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_puts(&b, "abcd"), ST_TOO_LARGE);
	buf_free(&b);
}

static void
test_steal_hands_over_the_bytes_and_empties_the_buf(void **state)
{
	struct buf b;
	size_t len = 0;
	char *p;

	buf_init(&b, 0);
	assert_int_equal(buf_puts(&b, "payload"), ST_OK);
	p = buf_steal(&b, &len);
	assert_string_equal(p, "payload");
	assert_int_equal(len, 7);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_puts(&b, "new"), ST_OK);	/* usable again */
	assert_string_equal(b.data, "new");
	assert_string_equal(p, "payload");		/* and independent */
	free(p);
	buf_free(&b);
}

static void
test_steal_without_len_pointer(void **state)
{
	struct buf b;
	char *p;

	buf_init(&b, 0);
	assert_int_equal(buf_puts(&b, "x"), ST_OK);
	p = buf_steal(&b, NULL);
	assert_string_equal(p, "x");
	free(p);
}

static void
test_steal_of_an_untouched_buf_is_null(void **state)
{
	struct buf b;
	size_t len = 99;

	buf_init(&b, 0);
	assert_null(buf_steal(&b, &len));
	assert_int_equal(len, 0);
}

static void
test_steal_keeps_the_cap(void **state)
{
	struct buf b;

	buf_init(&b, 3);
	assert_int_equal(buf_puts(&b, "abc"), ST_OK);
	free(buf_steal(&b, NULL));
	assert_int_equal(buf_puts(&b, "abcd"), ST_TOO_LARGE);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_accumulates_and_terminates),
		cmocka_unit_test(test_append_keeps_embedded_nul_bytes),
		cmocka_unit_test(test_append_of_nothing_gives_an_empty_string),
		cmocka_unit_test(test_puts_appends_a_c_string),
		cmocka_unit_test(test_printf_appends_formatted_text),
		cmocka_unit_test(test_grows_across_many_appends),
		cmocka_unit_test(test_no_limit_when_max_is_zero),
		cmocka_unit_test(test_append_exactly_up_to_the_cap_succeeds),
		cmocka_unit_test(test_append_past_the_cap_is_too_large_and_changes_nothing),
		cmocka_unit_test(test_first_append_over_the_cap_is_too_large),
		cmocka_unit_test(test_printf_exactly_up_to_the_cap_succeeds),
		cmocka_unit_test(test_printf_past_the_cap_is_too_large_and_changes_nothing),
		cmocka_unit_test(test_cap_still_accepts_smaller_appends_after_a_refusal),
		cmocka_unit_test(test_reset_empties_but_keeps_the_cap),
		cmocka_unit_test(test_free_keeps_the_cap_for_reuse),
		cmocka_unit_test(test_steal_hands_over_the_bytes_and_empties_the_buf),
		cmocka_unit_test(test_steal_without_len_pointer),
		cmocka_unit_test(test_steal_of_an_untouched_buf_is_null),
		cmocka_unit_test(test_steal_keeps_the_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
