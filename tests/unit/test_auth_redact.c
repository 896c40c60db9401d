/* test_auth_redact.c — how GET /v1/admin/outbox shows a message (issue 11
 * §1): every secret-named payload field is "[redacted]", the same value
 * is blanked wherever else it appears (the link built from it), any
 * token= value in a link is blanked even when no field names it, nested
 * objects and arrays are walked, and the rest of the message is untouched.
 * Payloads with no secret, and items without a payload, come back as they
 * were. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "modules/auth/auth_internal.h"

#define TOKEN "Zq3v8Kx1mN4pQ7rS0tU2wY5zA6bC9dE1fG3hJ5kL7mN"

static json_t *
redacted(const char *payload_json)
{
	struct arena a;
	json_t *items = json_pack("[{s:s, s:o}]", "template", "t",
	    "payload", json_loads(payload_json, 0, NULL)), *p;

	arena_init(&a, 256);
	auth_outbox_redact(&a, items);
	p = json_deep_copy(json_object_get(json_array_get(items, 0), "payload"));
	arena_free(&a);
	json_decref(items);
	return p;
}

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void
test_invitation(void **state)
{
	char *dump;
	json_t *p = redacted("{\"token\": \"" TOKEN "\", \"accept_url\":"
	    " \"https://x.example/accept-invitation#token=" TOKEN "\", \"role\": \"OWNER\","
	    " \"expires_in_days\": 7, \"note\": \"see " TOKEN " twice " TOKEN "\"}");

	(void)state;
	assert_string_equal(str(p, "token"), "[redacted]");
	assert_string_equal(str(p, "accept_url"),
	    "https://x.example/accept-invitation#token=[redacted]");
	assert_string_equal(str(p, "note"), "see [redacted] twice [redacted]");
	assert_string_equal(str(p, "role"), "OWNER");
	assert_int_equal(json_integer_value(json_object_get(p, "expires_in_days")), 7);
	dump = json_dumps(p, 0);
	assert_null(strstr(dump, TOKEN));
	free(dump);
	json_decref(p);
}

static void
test_secret_names_nested_and_links(void **state)
{
	json_t *p = redacted("{\"links\": [{\"reset_url\": \"https://x/r?a=1&token=abc&b=2\"}],"
	    " \"meta\": {\"refresh_token\": \"rt-1234567890\", \"webhook_secret\": \"s\","
	    " \"api_key\": \"sk-live-abcdefgh\", \"password\": \"hunter22hunter\"},"
	    " \"copy\": \"rt-1234567890\"}");
	json_t *meta = json_object_get(p, "meta");

	(void)state;
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(p, "links"), 0), "reset_url")), "https://x/r?a=1&token=[redacted]&b=2");
	assert_string_equal(str(meta, "refresh_token"), "[redacted]");
	assert_string_equal(str(meta, "webhook_secret"), "[redacted]");
	assert_string_equal(str(meta, "api_key"), "[redacted]");
	assert_string_equal(str(meta, "password"), "[redacted]");
	assert_string_equal(str(p, "copy"), "[redacted]");
	json_decref(p);
}

static void
test_nothing_secret_is_untouched(void **state)
{
	const char *in = "{\"booking_id\": \"b1\", \"reference\": \"K7PQ2M\","
	    " \"customer_name\": \"Zoe\", \"event\": \"confirmed\", \"tokens_used\": 12}";
	json_t *p = redacted(in), *want = json_loads(in, 0, NULL);
	struct arena a;
	json_t *items = json_pack("[{s:s}, {s:s, s:s}]", "template", "t", "template", "u",
	    "payload", "not an object");

	(void)state;
	assert_true(json_equal(p, want));
	arena_init(&a, 256);
	auth_outbox_redact(&a, items);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1),
	    "payload")), "not an object");
	arena_free(&a);
	json_decref(items);
	json_decref(want);
	json_decref(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invitation),
		cmocka_unit_test(test_secret_names_nested_and_links),
		cmocka_unit_test(test_nothing_secret_is_untouched),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
