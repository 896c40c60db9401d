/* test_arena.c — the per-request region allocator: alignment, big and many
 * allocations, string helpers, deferred destructors, and the aborts on
 * impossible sizes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "death.h"

static int
setup(void **state)
{
	struct arena *a = malloc(sizeof(*a));

	if (a == NULL)
		return -1;
	arena_init(a, 256);	/* small chunks so tests cross chunk borders */
	*state = a;
	return 0;
}

static int
teardown(void **state)
{
	arena_free(*state);
	free(*state);
	return 0;
}

static void
fill(unsigned char *p, size_t n, unsigned char seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i);
}

static bool
intact(const unsigned char *p, size_t n, unsigned char seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed + i))
			return false;
	return true;
}

static void
test_every_allocation_is_16_byte_aligned(void **state)
{
	struct arena *a = *state;

	for (size_t n = 0; n <= 300; n++) {
		void *p = arena_alloc(a, n);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
	}
}

static void
test_allocation_larger_than_a_chunk_is_usable(void **state)
{
	struct arena *a = *state;
	unsigned char *big = arena_alloc(a, 100000);

	assert_non_null(big);
	assert_int_equal((uintptr_t)big % 16, 0);
	fill(big, 100000, 7);
	assert_true(intact(big, 100000, 7));
}

static void
test_big_allocation_does_not_overlap_its_neighbours(void **state)
{
	struct arena *a = *state;
	unsigned char *before = arena_alloc(a, 40);
	unsigned char *big = arena_alloc(a, 5000);
	unsigned char *after = arena_alloc(a, 40);

	fill(before, 40, 1);
	fill(big, 5000, 2);
	fill(after, 40, 3);
	assert_true(intact(before, 40, 1));
	assert_true(intact(big, 5000, 2));
	assert_true(intact(after, 40, 3));
}

static void
test_many_small_allocations_stay_distinct(void **state)
{
	struct arena *a = *state;
	enum { N = 20000 };
	unsigned char **p = malloc(N * sizeof(*p));

	assert_non_null(p);
	for (size_t i = 0; i < N; i++) {
		size_t n = 1 + i % 61;

		p[i] = arena_alloc(a, n);
		fill(p[i], n, (unsigned char)i);
	}
	for (size_t i = 0; i < N; i++)
		assert_true(intact(p[i], 1 + i % 61, (unsigned char)i));
	free(p);
}

static void
test_default_chunk_size_is_used_when_zero(void **state)
{
	struct arena a;
	char *s;

	arena_init(&a, 0);
	assert_true(a.chunk_size > 0);
	s = arena_strdup(&a, "works");
	assert_string_equal(s, "works");
	arena_free(&a);
}

static void
test_total_counts_at_least_the_bytes_requested(void **state)
{
	struct arena *a = *state;

	assert_int_equal(a->total, 0);
	(void)arena_alloc(a, 10);
	(void)arena_alloc(a, 1000);
	assert_true(a->total >= 1010);
}

static void
test_free_resets_the_arena_for_reuse(void **state)
{
	struct arena *a = *state;

	(void)arena_alloc(a, 1000);
	arena_free(a);
	assert_null(a->chunks);
	assert_null(a->defers);
	assert_int_equal(a->total, 0);
	assert_string_equal(arena_strdup(a, "again"), "again");
}

static void
test_calloc_returns_zeroed_memory(void **state)
{
	struct arena *a = *state;
	unsigned char *p;

	/* Dirty a chunk first so zeroes are not just fresh pages. */
	memset(arena_alloc(a, 100), 0xAA, 100);
	p = arena_calloc(a, 37, 3);
	for (size_t i = 0; i < 37 * 3; i++)
		assert_int_equal(p[i], 0);
}

static void
test_calloc_of_zero_items_is_not_null(void **state)
{
	assert_non_null(arena_calloc(*state, 0, 8));
}

static void
test_strdup_copies_the_string(void **state)
{
	char src[] = "hello";
	char *s = arena_strdup(*state, src);

	src[0] = 'J';
	assert_string_equal(s, "hello");
}

static void
test_strdup_of_empty_string(void **state)
{
	assert_string_equal(arena_strdup(*state, ""), "");
}

static void
test_strndup_copies_n_bytes_and_terminates(void **state)
{
	char *s = arena_strndup(*state, "abcdef", 3);

	assert_string_equal(s, "abc");
}

static void
test_strndup_of_zero_bytes_is_empty(void **state)
{
	assert_string_equal(arena_strndup(*state, "abc", 0), "");
}

static void
test_strndup_copies_exactly_n_bytes_including_nul_bytes(void **state)
{
	/* Unlike strndup(3) it does not stop at a NUL: the HTTP layer copies
	 * bodies and header values (which may hold NUL bytes) with it and
	 * keeps their lengths, so all n bytes must arrive, plus a terminator. */
	char *p = arena_strndup(*state, "a\0b", 3);

	assert_memory_equal(p, "a\0b\0", 4);
}

static void
test_printf_formats(void **state)
{
	char *s = arena_printf(*state, "%s-%d-%05.1f", "id", 42, 3.14159);

	assert_string_equal(s, "id-42-003.1");
}

static void
test_printf_output_longer_than_a_chunk(void **state)
{
	struct arena *a = *state;
	char *s = arena_printf(a, "%3000s|", "x");

	assert_int_equal(strlen(s), 3001);
	assert_int_equal(s[2999], 'x');
	assert_int_equal(s[3000], '|');
}

static void
test_printf_empty_result(void **state)
{
	assert_string_equal(arena_printf(*state, "%s", ""), "");
}

static int order[8];
static int norder;

static void
record(void *p)
{
	order[norder++] = *(int *)p;
}

static void
test_defer_runs_destructors_newest_first_at_free(void **state)
{
	struct arena a;
	static int one = 1, two = 2, three = 3;

	arena_init(&a, 256);
	norder = 0;
	arena_defer(&a, record, &one);
	arena_defer(&a, record, &two);
	arena_defer(&a, record, &three);
	assert_int_equal(norder, 0);	/* nothing runs before arena_free */
	arena_free(&a);
	assert_int_equal(norder, 3);
	assert_int_equal(order[0], 3);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 1);
}

static void
test_defer_runs_each_destructor_once(void **state)
{
	struct arena a;
	static int one = 1;

	arena_init(&a, 256);
	norder = 0;
	arena_defer(&a, record, &one);
	arena_free(&a);
	arena_free(&a);
	assert_int_equal(norder, 1);
}

static const char *seen_by_destructor;
static char seen_copy[32];

static void
read_arena_string(void *p)
{
	seen_by_destructor = p;
	snprintf(seen_copy, sizeof(seen_copy), "%s", (const char *)p);
}

static void
test_destructor_can_still_read_arena_memory(void **state)
{
	struct arena a;

	arena_init(&a, 256);
	arena_defer(&a, read_arena_string, arena_strdup(&a, "still here"));
	arena_free(&a);
	assert_non_null(seen_by_destructor);
	assert_string_equal(seen_copy, "still here");
}

static void
calloc_overflowing(void *arg)
{
	struct arena a;

	arena_init(&a, 0);
	/* count · size wraps to 8: a small block would be handed out. */
	(void)arena_calloc(&a, SIZE_MAX / 8 + 2, 8);
}

static void
test_calloc_size_overflow_aborts(void **state)
{
	assert_true(dies_by_abort(calloc_overflowing, NULL));
}

static void
alloc_size(void *arg)
{
	struct arena a;

	arena_init(&a, 0);
	(void)arena_alloc(&a, *(size_t *)arg);
}

static void
test_alloc_of_size_max_aborts(void **state)
{
	size_t n = SIZE_MAX;

	assert_true(dies_by_abort(alloc_size, &n));
}

static void
test_alloc_near_size_max_aborts(void **state)
{
	size_t n = SIZE_MAX - 31;

	assert_true(dies_by_abort(alloc_size, &n));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_every_allocation_is_16_byte_aligned),
		T(test_allocation_larger_than_a_chunk_is_usable),
		T(test_big_allocation_does_not_overlap_its_neighbours),
		T(test_many_small_allocations_stay_distinct),
		T(test_default_chunk_size_is_used_when_zero),
		T(test_total_counts_at_least_the_bytes_requested),
		T(test_free_resets_the_arena_for_reuse),
		T(test_calloc_returns_zeroed_memory),
		T(test_calloc_of_zero_items_is_not_null),
		T(test_strdup_copies_the_string),
		T(test_strdup_of_empty_string),
		T(test_strndup_copies_n_bytes_and_terminates),
		T(test_strndup_of_zero_bytes_is_empty),
		T(test_strndup_copies_exactly_n_bytes_including_nul_bytes),
		T(test_printf_formats),
		T(test_printf_output_longer_than_a_chunk),
		T(test_printf_empty_result),
		T(test_defer_runs_destructors_newest_first_at_free),
		T(test_defer_runs_each_destructor_once),
		T(test_destructor_can_still_read_arena_memory),
		T(test_calloc_size_overflow_aborts),
		T(test_alloc_of_size_max_aborts),
		T(test_alloc_near_size_max_aborts),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
