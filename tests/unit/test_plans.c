/* test_plans.c — the plan table: names, feature sets and limits that only
 * grow with the tier, and the two checks every gated action calls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "modules/billing/billing.h"

/* PLAN_UNLIMITED sorts above every finite limit. */
static bool
limit_le(long a, long b)
{
	if (b == PLAN_UNLIMITED)
		return true;
	if (a == PLAN_UNLIMITED)
		return false;
	return a <= b;
}

static void
test_every_tier_name_round_trips(void **state)
{
	for (int t = 0; t < PLAN__COUNT; t++) {
		enum plan_tier got = PLAN__COUNT;

		assert_true(plan_parse(plan_name((enum plan_tier)t), &got));
		assert_int_equal(got, t);
	}
}

static void
test_tier_names_are_the_stored_values(void **state)
{
	assert_string_equal(plan_name(PLAN_FREE), "free");
	assert_string_equal(plan_name(PLAN_BASIC), "basic");
	assert_string_equal(plan_name(PLAN_PRO), "pro");
	assert_string_equal(plan_name(PLAN_ENTERPRISE), "enterprise");
}

static void
test_unknown_plan_names_do_not_parse(void **state)
{
	static const char *const bad[] = { "", "Free", "FREE", "premium", "pro ", " pro", "proo" };
	enum plan_tier t = PLAN_PRO;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(plan_parse(bad[i], &t));
	assert_false(plan_parse(NULL, &t));
	assert_int_equal(t, PLAN_PRO);	/* untouched on failure */
}

static void
test_out_of_range_tier_is_unknown_and_has_nothing(void **state)
{
	enum plan_tier bad = (enum plan_tier)PLAN__COUNT;

	assert_string_equal(plan_name(bad), "unknown");
	assert_false(plan_has(bad, FEAT_WEB_CHAT));
	assert_int_equal(plan_limit(bad, LIMIT_CHANNELS), 0);
}

static void
test_every_feature_and_limit_has_a_name(void **state)
{
	for (int f = 0; f < FEAT__COUNT; f++) {
		assert_non_null(plan_feature_name((enum plan_feature)f));
		assert_string_not_equal(plan_feature_name((enum plan_feature)f), "unknown");
	}
	for (int l = 0; l < LIMIT__COUNT; l++) {
		assert_non_null(plan_limit_name((enum plan_limit)l));
		assert_string_not_equal(plan_limit_name((enum plan_limit)l), "unknown");
	}
	assert_string_equal(plan_feature_name(FEAT__COUNT), "unknown");
	assert_string_equal(plan_limit_name(LIMIT__COUNT), "unknown");
}

static void
test_every_plan_has_web_chat(void **state)
{
	for (int t = 0; t < PLAN__COUNT; t++)
		assert_true(plan_has((enum plan_tier)t, FEAT_WEB_CHAT));
}

static void
test_features_of_a_tier_are_in_every_higher_tier(void **state)
{
	for (int lo = 0; lo < PLAN__COUNT; lo++)
		for (int hi = lo + 1; hi < PLAN__COUNT; hi++)
			for (int f = 0; f < FEAT__COUNT; f++)
				if (plan_has((enum plan_tier)lo, (enum plan_feature)f) &&
				    !plan_has((enum plan_tier)hi, (enum plan_feature)f))
					fail_msg("%s has %s but %s does not",
					    plan_name((enum plan_tier)lo),
					    plan_feature_name((enum plan_feature)f),
					    plan_name((enum plan_tier)hi));
}

static void
test_enterprise_has_every_feature(void **state)
{
	for (int f = 0; f < FEAT__COUNT; f++)
		assert_true(plan_has(PLAN_ENTERPRISE, (enum plan_feature)f));
}

static void
test_out_of_range_feature_is_never_granted(void **state)
{
	/* Enterprise's feature mask is all ones: the range check must hold. */
	assert_false(plan_has(PLAN_ENTERPRISE, FEAT__COUNT));
	assert_false(plan_has(PLAN_ENTERPRISE, (enum plan_feature)31));
}

static void
test_limits_never_shrink_with_the_tier(void **state)
{
	for (int lo = 0; lo < PLAN__COUNT; lo++)
		for (int hi = lo + 1; hi < PLAN__COUNT; hi++)
			for (int l = 0; l < LIMIT__COUNT; l++) {
				long a = plan_limit((enum plan_tier)lo, (enum plan_limit)l);
				long b = plan_limit((enum plan_tier)hi, (enum plan_limit)l);

				if (!limit_le(a, b))
					fail_msg("%s: %s allows %ld, %s only %ld",
					    plan_limit_name((enum plan_limit)l),
					    plan_name((enum plan_tier)lo), a,
					    plan_name((enum plan_tier)hi), b);
			}
}

static void
test_every_finite_limit_is_positive(void **state)
{
	for (int t = 0; t < PLAN__COUNT; t++)
		for (int l = 0; l < LIMIT__COUNT; l++) {
			long v = plan_limit((enum plan_tier)t, (enum plan_limit)l);

			assert_true(v == PLAN_UNLIMITED || v > 0);
		}
}

static void
test_check_limit_allows_reaching_the_limit(void **state)
{
	long max = plan_limit(PLAN_FREE, LIMIT_CHANNELS);
	struct err e;

	err_clear(&e);
	assert_int_equal(plan_check_limit(PLAN_FREE, LIMIT_CHANNELS, max - 1, 1, &e), ST_OK);
	assert_int_equal(plan_check_limit(PLAN_FREE, LIMIT_CHANNELS, 0, max, &e), ST_OK);
}

static void
test_check_limit_refuses_going_over(void **state)
{
	long max = plan_limit(PLAN_BASIC, LIMIT_STAFF_SEATS);
	struct err e;

	err_clear(&e);
	assert_int_equal(plan_check_limit(PLAN_BASIC, LIMIT_STAFF_SEATS, max, 1, &e),
	    ST_FORBIDDEN);
	assert_int_equal(plan_check_limit(PLAN_BASIC, LIMIT_STAFF_SEATS, 0, max + 1, &e),
	    ST_FORBIDDEN);
}

static void
test_check_limit_message_names_the_limit_and_plan(void **state)
{
	struct err e;

	err_clear(&e);
	assert_int_equal(plan_check_limit(PLAN_FREE, LIMIT_MESSAGES_PER_MONTH, 200, 1, &e),
	    ST_FORBIDDEN);
	assert_non_null(strstr(e.message, "free"));
	assert_non_null(strstr(e.message, "messages_per_month"));
	assert_non_null(strstr(e.message, "200"));
}

static void
test_check_limit_on_every_finite_limit(void **state)
{
	struct err e;

	for (int t = 0; t < PLAN__COUNT; t++)
		for (int l = 0; l < LIMIT__COUNT; l++) {
			long max = plan_limit((enum plan_tier)t, (enum plan_limit)l);

			if (max == PLAN_UNLIMITED)
				continue;
			err_clear(&e);
			assert_int_equal(plan_check_limit((enum plan_tier)t, (enum plan_limit)l,
			    max, 0, &e), ST_OK);
			assert_int_equal(plan_check_limit((enum plan_tier)t, (enum plan_limit)l,
			    max, 1, &e), ST_FORBIDDEN);
			assert_non_null(strstr(e.message, plan_limit_name((enum plan_limit)l)));
		}
}

static void
test_unlimited_never_fails(void **state)
{
	struct err e;

	err_clear(&e);
	for (int l = 0; l < LIMIT__COUNT; l++) {
		assert_int_equal(plan_limit(PLAN_ENTERPRISE, (enum plan_limit)l), PLAN_UNLIMITED);
		assert_int_equal(plan_check_limit(PLAN_ENTERPRISE, (enum plan_limit)l,
		    1000000000L, 1000000000L, &e), ST_OK);
	}
	assert_string_equal(e.message, "");
}

static void
test_require_passes_for_included_feature(void **state)
{
	struct err e;

	err_clear(&e);
	assert_int_equal(plan_require(PLAN_PRO, FEAT_WHATSAPP, &e), ST_OK);
	assert_int_equal(plan_require(PLAN_FREE, FEAT_WEB_CHAT, &e), ST_OK);
	assert_string_equal(e.message, "");
}

static void
test_require_refuses_missing_feature_naming_it(void **state)
{
	struct err e;

	err_clear(&e);
	assert_int_equal(plan_require(PLAN_FREE, FEAT_SMS, &e), ST_FORBIDDEN);
	assert_non_null(strstr(e.message, "free"));
	assert_non_null(strstr(e.message, "sms"));
	err_clear(&e);
	assert_int_equal(plan_require(PLAN_PRO, FEAT_VOICE, &e), ST_FORBIDDEN);
	assert_non_null(strstr(e.message, "pro"));
	assert_non_null(strstr(e.message, "voice"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_tier_name_round_trips),
		cmocka_unit_test(test_tier_names_are_the_stored_values),
		cmocka_unit_test(test_unknown_plan_names_do_not_parse),
		cmocka_unit_test(test_out_of_range_tier_is_unknown_and_has_nothing),
		cmocka_unit_test(test_every_feature_and_limit_has_a_name),
		cmocka_unit_test(test_every_plan_has_web_chat),
		cmocka_unit_test(test_features_of_a_tier_are_in_every_higher_tier),
		cmocka_unit_test(test_enterprise_has_every_feature),
		cmocka_unit_test(test_out_of_range_feature_is_never_granted),
		cmocka_unit_test(test_limits_never_shrink_with_the_tier),
		cmocka_unit_test(test_every_finite_limit_is_positive),
		cmocka_unit_test(test_check_limit_allows_reaching_the_limit),
		cmocka_unit_test(test_check_limit_refuses_going_over),
		cmocka_unit_test(test_check_limit_message_names_the_limit_and_plan),
		cmocka_unit_test(test_check_limit_on_every_finite_limit),
		cmocka_unit_test(test_unlimited_never_fails),
		cmocka_unit_test(test_require_passes_for_included_feature),
		cmocka_unit_test(test_require_refuses_missing_feature_naming_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
