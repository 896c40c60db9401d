/* test_tenants_cache.c — the claims kept for availability (tcache_claims_*):
 * an entry is served only under the stamp it was read at; a touch (NOTIFY,
 * or this process's own commit) makes every entry of that tenant stale and
 * no other's; a copy read under a stamp that has moved is never kept; a
 * clear can never bring an old stamp back; and the limits: one entry at
 * most a quarter of the 64 MiB, all of them 64 MiB (the cache starts over),
 * and a life of at most 10 s (TENANT_CACHE_TTL_S if shorter). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modules/tenants/tenants_cache.h"

#define T1 "11111111-1111-4111-8111-111111111111"
#define T2 "22222222-2222-4222-8222-222222222222"

static int
fresh(void **state)
{
	(void)state;
	tcache_init(300);
	tcache_clear();
	return 0;
}

/* Whether the entry of tenant/what is served, with these bytes. */
static bool
hit(const char *tenant, const char *what, const char *want)
{
	struct arena a;
	size_t len;
	const char *got;
	bool ok;

	arena_init(&a, 4096);
	got = tcache_claims_get(tenant, what, &a, &len);
	ok = got != NULL && len == strlen(want) + 1 && memcmp(got, want, len) == 0;
	arena_free(&a);
	return ok;
}

static void
put(const char *tenant, const char *what, uint64_t stamp, const char *bytes)
{
	tcache_claims_put(tenant, what, stamp, bytes, strlen(bytes) + 1);
}

static void
test_served_under_its_stamp_only(void **state)
{
	uint64_t s1 = tcache_claims_stamp(T1), s2 = tcache_claims_stamp(T2);

	(void)state;
	assert_false(hit(T1, "w", "a"));
	put(T1, "w", s1, "a");
	put(T2, "w", s2, "b");
	assert_true(hit(T1, "w", "a"));
	assert_false(hit(T1, "other window", "a"));
	/* A change of T1's claims: its entries go stale, T2's stay. */
	tcache_claims_touch(T1);
	assert_int_not_equal(tcache_claims_stamp(T1), s1);
	assert_false(hit(T1, "w", "a"));
	assert_true(hit(T2, "w", "b"));
}

/* Read before a change, kept after it: refused, it may miss the change. */
static void
test_a_copy_read_before_a_change_is_not_kept(void **state)
{
	uint64_t before = tcache_claims_stamp(T1);

	(void)state;
	tcache_claims_touch(T1);
	put(T1, "w", before, "stale");
	assert_false(hit(T1, "w", "stale"));
	/* The refused copy was never counted: two fresh ones both stay. */
	put(T1, "x", tcache_claims_stamp(T1), "x");
	put(T1, "y", tcache_claims_stamp(T1), "y");
	assert_true(hit(T1, "x", "x"));
	assert_true(hit(T1, "y", "y"));
}

/* After a clear (the listener reconnected: notifications were lost) no
 * stamp read earlier is current again, whatever was touched. */
static void
test_a_clear_never_brings_a_stamp_back(void **state)
{
	uint64_t untouched = tcache_claims_stamp(T2), touched;

	(void)state;
	tcache_claims_touch(T1);
	touched = tcache_claims_stamp(T1);
	put(T1, "w", touched, "a");
	tcache_clear();
	assert_int_not_equal(tcache_claims_stamp(T1), touched);
	assert_int_not_equal(tcache_claims_stamp(T2), untouched);
	assert_false(hit(T1, "w", "a"));
	put(T2, "w", untouched, "old");
	assert_false(hit(T2, "w", "old"));
}

/* One entry may hold at most 16 MiB; past 64 MiB in all the cache starts
 * over. */
static void
test_size_limits(void **state)
{
	size_t big = (16u << 20) + 1, part = 15u << 20;
	char *bytes = calloc(1, big);
	uint64_t s = tcache_claims_stamp(T1);
	struct arena a;
	size_t len;

	(void)state;
	assert_non_null(bytes);
	arena_init(&a, 4096);
	tcache_claims_put(T1, "too big", s, bytes, big);
	assert_null(tcache_claims_get(T1, "too big", &a, &len));
	for (int i = 0; i < 4; i++) {	/* 60 MiB: all kept */
		char what[8] = { 'p', (char)('0' + i), '\0' };

		tcache_claims_put(T1, what, s, bytes, part);
	}
	assert_non_null(tcache_claims_get(T1, "p0", &a, &len));
	assert_int_equal(len, part);
	tcache_claims_put(T1, "p4", s, bytes, part);	/* past 64 MiB */
	assert_null(tcache_claims_get(T1, "p0", &a, &len));
	assert_null(tcache_claims_get(T1, "p3", &a, &len));
	assert_non_null(tcache_claims_get(T1, "p4", &a, &len));
	arena_free(&a);
	free(bytes);
}

/* Entries live at most BLOB_TTL_S, or TENANT_CACHE_TTL_S when shorter;
 * 0 keeps nothing. */
static void
test_life_and_off(void **state)
{
	uint64_t s;

	(void)state;
	tcache_init(1);
	s = tcache_claims_stamp(T1);
	put(T1, "w", s, "a");
	assert_true(hit(T1, "w", "a"));
	sleep(2);
	assert_false(hit(T1, "w", "a"));
	tcache_init(0);
	put(T1, "w", s, "a");
	assert_false(hit(T1, "w", "a"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_served_under_its_stamp_only, fresh),
		cmocka_unit_test_setup(test_a_copy_read_before_a_change_is_not_kept, fresh),
		cmocka_unit_test_setup(test_a_clear_never_brings_a_stamp_back, fresh),
		cmocka_unit_test_setup(test_size_limits, fresh),
		cmocka_unit_test_setup(test_life_and_off, fresh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
