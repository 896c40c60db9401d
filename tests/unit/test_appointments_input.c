/* test_appointments_input.c — the scheduling API's edge validation: every
 * bad field is named in the error details (bundle items by index), ids
 * come out lower-case, duplicates and missing contacts are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "modules/appointments/appt_input.h"

#define A_ID "AAAAAAAA-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
#define B_ID "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"

struct fx {
	struct arena arena;
	struct request r;
};

static int
setup(void **state)
{
	struct fx *f = test_calloc(1, sizeof(*f));

	arena_init(&f->arena, 4096);
	f->r.arena = &f->arena;
	err_clear(&f->r.err);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	arena_free(&f->arena);
	test_free(f);
	return 0;
}

static json_t *
js(struct fx *f, const char *text)
{
	json_t *j = json_loads(text, 0, NULL);

	assert_non_null(j);
	arena_defer(&f->arena, (void (*)(void *))json_decref, j);
	return j;
}

/* Whether some detail names field. */
static bool
names(const struct request *r, const char *field)
{
	for (size_t i = 0; i < r->err.ndetails; i++)
		if (strcmp(r->err.details[i].field, field) == 0)
			return true;
	return false;
}

static void
test_services_bundle_is_parsed_in_order(void **state)
{
	struct fx *f = *state;
	struct appt_item_in items[AVAIL_MAX_SERVICES];
	size_t n = 0;

	assert_true(appt_input_services(&f->r, js(f, "[{\"service_id\": \"" A_ID "\","
	    " \"addon_ids\": [\"" B_ID "\"]}, {\"service_id\": \"" B_ID "\"}]"), items, &n));
	assert_int_equal(n, 2);
	assert_string_equal(items[0].req.service_id, "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa");
	assert_int_equal(items[0].req.n_addons, 1);
	assert_string_equal(items[0].req.addon_ids[0], B_ID);
	assert_string_equal(items[1].field, "services[1].service_id");
	assert_string_equal(items[1].addon_field, "services[1].addon_ids");
	assert_int_equal(items[1].req.n_addons, 0);
	assert_int_equal(f->r.err.ndetails, 0);
}

static void
test_services_problems_are_named_by_index(void **state)
{
	struct fx *f = *state;
	struct appt_item_in items[AVAIL_MAX_SERVICES];
	size_t n = 0, before = f->r.err.nviolations;

	assert_false(appt_input_services(&f->r, js(f, "[{\"service_id\": \"" A_ID "\"},"
	    " {\"service_id\": \"nope\"}, {\"service_id\": \"" A_ID "\", \"extra\": 1},"
	    " {\"service_id\": \"" B_ID "\", \"addon_ids\": [\"" A_ID "\", \"" A_ID "\"]}]"),
	    items, &n));
	assert_true(names(&f->r, "services[1].service_id"));
	assert_true(names(&f->r, "services[2].extra"));
	assert_true(names(&f->r, "services[3].addon_ids[1]"));	/* listed twice */
	assert_int_equal(appt_input_done(&f->r, before), ST_INVALID);
}

static void
test_services_size_limits(void **state)
{
	struct fx *f = *state;
	struct appt_item_in items[AVAIL_MAX_SERVICES];
	size_t n = 0;

	assert_false(appt_input_services(&f->r, js(f, "[]"), items, &n));
	assert_true(names(&f->r, "services"));
	assert_false(appt_input_services(&f->r, js(f, "{}"), items, &n));
}

static void
test_duplicate_service_in_bundle_is_refused(void **state)
{
	struct fx *f = *state;
	struct appt_item_in items[AVAIL_MAX_SERVICES];
	size_t n = 0;

	assert_false(appt_input_services(&f->r, js(f, "[{\"service_id\": \"" A_ID "\"},"
	    " {\"service_id\": \"" A_ID "\"}]"), items, &n));
	assert_true(names(&f->r, "services[1].service_id"));
}

static void
test_customer_needs_a_way_to_reach_them(void **state)
{
	struct fx *f = *state;
	struct appt_customer_in c;

	assert_true(appt_input_customer(&f->r, js(f, "{\"name\": \"Ann\", \"phone\":"
	    " \"+14155550123\"}"), true, &c));
	assert_string_equal(c.phone, "+14155550123");
	assert_null(c.email);
	assert_true(c.sms_consent);

	assert_false(appt_input_customer(&f->r, js(f, "{\"name\": \"Ann\"}"), false, &c));
	assert_true(names(&f->r, "customer.email"));
	err_clear(&f->r.err);
	assert_false(appt_input_customer(&f->r, js(f, "{\"name\": \"Ann\", \"email\":"
	    " \"ann@example.com\"}"), true, &c));
	assert_true(names(&f->r, "sms_consent"));	/* consent to SMS without a phone */
	err_clear(&f->r.err);
	assert_false(appt_input_customer(&f->r, js(f, "{\"name\": \"Ann\", \"phone\":"
	    " \"4155550123\", \"email\": \"ann@\"}"), false, &c));
	assert_true(names(&f->r, "customer.phone"));
	assert_true(names(&f->r, "customer.email"));
	err_clear(&f->r.err);
	assert_false(appt_input_customer(&f->r, js(f, "{\"name\": \"  \", \"phone\":"
	    " \"+14155550123\"}"), false, &c));
	assert_true(names(&f->r, "customer.name"));
}

static void
test_uuid_list_from_a_query_parameter(void **state)
{
	struct fx *f = *state;
	const char **ids;
	size_t n;

	assert_true(appt_input_uuid_list(&f->r, A_ID "," B_ID, "addon_ids", 20, &ids, &n));
	assert_int_equal(n, 2);
	assert_string_equal(ids[0], "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa");
	assert_true(appt_input_uuid_list(&f->r, "", "addon_ids", 20, &ids, &n));
	assert_int_equal(n, 0);
	assert_false(appt_input_uuid_list(&f->r, A_ID ",", "addon_ids", 20, &ids, &n));
	assert_false(appt_input_uuid_list(&f->r, A_ID "," A_ID, "addon_ids", 20, &ids, &n));
	assert_false(appt_input_uuid_list(&f->r, A_ID "," B_ID, "addon_ids", 1, &ids, &n));
	assert_true(names(&f->r, "addon_ids"));
}

static void
test_start_must_carry_an_offset(void **state)
{
	struct fx *f = *state;
	int64_t t;

	assert_true(appt_input_start(&f->r, "2026-03-08T10:00:00-05:00", "start", &t));
	assert_false(appt_input_start(&f->r, "2026-03-08T10:00:00", "start", &t));
	assert_true(names(&f->r, "start"));
	assert_false(appt_input_start(&f->r, NULL, "start", &t));
}

static void
test_contact_is_exactly_one_of_email_and_phone(void **state)
{
	struct fx *f = *state;
	struct appt_verify v;

	assert_true(appt_input_contact(&f->r, "ann@example.com", NULL, &v));
	assert_string_equal(v.email, "ann@example.com");
	assert_null(v.phone);
	assert_true(appt_input_contact(&f->r, NULL, "+14155550123", &v));
	assert_false(appt_input_contact(&f->r, NULL, NULL, &v));
	assert_true(names(&f->r, "email"));
	assert_false(appt_input_contact(&f->r, "ann@example.com", "+14155550123", &v));
	assert_true(names(&f->r, "phone"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_services_bundle_is_parsed_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_services_problems_are_named_by_index, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_services_size_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_service_in_bundle_is_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_customer_needs_a_way_to_reach_them, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_uuid_list_from_a_query_parameter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_must_carry_an_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contact_is_exactly_one_of_email_and_phone, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
