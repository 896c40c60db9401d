/* test_calendar_calcom.c — the Cal.com adapter against its documented
 * shapes: webhook signatures (x-cal-signature-256 = hex HMAC-SHA256 of the
 * raw body: right, wrong, missing, tampered, malformed, every flipped
 * bit), the booking we send (start in UTC, integer event type, attendee)
 * and the cal-api-version of each endpoint. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

/* The adapter's static functions (booking_body). */
#include "../../src/providers/calendar_calcom.c"

static struct config cfg;

static int
setup(void **state)
{
	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.google_client_id = "cid.apps.googleusercontent.com";
	cfg.google_client_secret = "secret";
	cfg.google_oauth_base_url = "https://accounts.example.test/";
	cfg.google_token_url = "https://oauth2.example.test/token";
	cfg.google_calendar_base_url = "https://www.example.test/calendar/v3";
	cfg.calcom_base_url = "https://api.cal.example.test";
	cfg.calendar_timeout_ms = 5000;
	cfg.calendar_connect_timeout_ms = 2000;
	return 0;
}

static void
hex_hmac(const char *secret, const char *body, char out[65])
{
	unsigned char mac[32];
	unsigned int n = 0;

	HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)body, strlen(body),
	    mac, &n);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", mac[i]);
}

/* Cal.com signatures ----------------------------------------------------------------- */

static void
test_signature_right_and_wrong(void **state)
{
	const char *body = "{\"triggerEvent\":\"BOOKING_CANCELLED\",\"payload\":{\"uid\":\"x\"}}";
	char sig[65], up[65], pre[72];

	(void)state;
	hex_hmac("whsec-1", body, sig);
	assert_true(calendar_calcom_signature_ok("whsec-1", body, strlen(body), sig));
	for (int i = 0; i < 65; i++)
		up[i] = (char)(sig[i] >= 'a' && sig[i] <= 'f' ? sig[i] - 32 : sig[i]);
	assert_true(calendar_calcom_signature_ok("whsec-1", body, strlen(body), up));
	snprintf(pre, sizeof(pre), "sha256=%s", sig);
	assert_true(calendar_calcom_signature_ok("whsec-1", body, strlen(body), pre));

	/* wrong secret, tampered body, missing, empty, truncated, non-hex */
	assert_false(calendar_calcom_signature_ok("whsec-2", body, strlen(body), sig));
	assert_false(calendar_calcom_signature_ok("whsec-1", body, strlen(body) - 1, sig));
	assert_false(calendar_calcom_signature_ok("whsec-1", "{\"triggerEvent\":\"BOOKING_CREATED\"}",
	    34, sig));
	assert_false(calendar_calcom_signature_ok("whsec-1", body, strlen(body), NULL));
	assert_false(calendar_calcom_signature_ok("whsec-1", body, strlen(body), ""));
	assert_false(calendar_calcom_signature_ok("whsec-1", body, strlen(body), "abcd"));
	sig[10] = 'z';
	assert_false(calendar_calcom_signature_ok("whsec-1", body, strlen(body), sig));
	/* No secret: nothing verifies. */
	hex_hmac("", body, sig);
	assert_false(calendar_calcom_signature_ok("", body, strlen(body), sig));
	assert_false(calendar_calcom_signature_ok(NULL, body, strlen(body), sig));
}

static void
test_signature_every_flipped_bit_fails(void **state)
{
	const char *body = "{\"a\":1}";
	char sig[65];

	(void)state;
	hex_hmac("k", body, sig);
	for (int i = 0; i < 64; i++) {
		char t[65];

		memcpy(t, sig, 65);
		t[i] = t[i] == '0' ? '1' : '0';
		assert_false(calendar_calcom_signature_ok("k", body, strlen(body), t));
	}
}

/* Cal.com bodies ---------------------------------------------------------------------- */

static void
test_calcom_booking_body(void **state)
{
	struct calendar_call call = { 0 };
	struct calendar_conn c = { .external_ref = "1001" };
	struct calendar_event ev = {
		.booking_id = "3f2504e0-4f89-41d3-9a0c-0305e82c3301", .reference = "K7M4QX",
		.summary = "Haircut", .start = 1893578400, .end = 1893580200,
		.time_zone = "America/New_York", .attendee_name = "Jane",
		.attendee_email = "jane@example.com", .attendee_phone = "+14155550123",
	};
	struct arena a;
	json_t *b, *att;

	(void)state;
	arena_init(&a, 4096);
	call.arena = &a;
	call.cfg = &cfg;
	b = booking_body(&call, &c, &ev);
	/* The start in UTC (the API requires it), whatever the tenant's zone. */
	assert_string_equal(json_string_value(json_object_get(b, "start")),
	    "2030-01-02T10:00:00.000Z");
	assert_true(json_is_integer(json_object_get(b, "eventTypeId")));
	assert_int_equal(json_integer_value(json_object_get(b, "eventTypeId")), 1001);
	att = json_object_get(b, "attendee");
	assert_string_equal(json_string_value(json_object_get(att, "name")), "Jane");
	assert_string_equal(json_string_value(json_object_get(att, "email")), "jane@example.com");
	assert_string_equal(json_string_value(json_object_get(att, "timeZone")), "America/New_York");
	assert_string_equal(json_string_value(json_object_get(att, "phoneNumber")), "+14155550123");
	assert_string_equal(json_string_value(json_object_get(json_object_get(b, "metadata"),
	    "rcp_booking_id")), ev.booking_id);
	/* Known by phone only: a reserved address that can receive nothing. */
	ev.attendee_email = NULL;
	b = booking_body(&call, &c, &ev);
	assert_string_equal(json_string_value(json_object_get(json_object_get(b, "attendee"),
	    "email")), "booking-K7M4QX@no-email.invalid");
	assert_string_equal(CALCOM_VERSION_SLOTS, "2024-09-04");
	assert_string_equal(CALCOM_VERSION_BOOKINGS, "2024-08-13");
	assert_string_equal(CALCOM_VERSION_EVENT_TYPES, "2024-06-14");
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature_right_and_wrong),
		cmocka_unit_test(test_signature_every_flipped_bit_fails),
		cmocka_unit_test(test_calcom_booking_body),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
