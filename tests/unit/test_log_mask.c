/* test_log_mask.c — masking e-mail addresses and phone numbers before they
 * reach a log line: enough left to tell two apart, never the whole thing;
 * and the redactor every log line passes (log_redact, log_emit): personal
 * data and secrets masked anywhere in a line, ids, times and numbers kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"

static char out[128];

static const char *
email(const char *in)
{
	memset(out, '?', sizeof(out));
	log_mask_email(in, out, sizeof(out));
	return out;
}

static const char *
phone(const char *in)
{
	memset(out, '?', sizeof(out));
	log_mask_phone(in, out, sizeof(out));
	return out;
}

static void
test_email_documented_example(void **state)
{
	assert_string_equal(email("jane.doe@example.com"), "j***@e***.com");
}

static void
test_email_never_contains_the_local_part(void **state)
{
	static const char *const cases[][2] = {
		{ "jane.doe@example.com", "jane.doe" },
		{ "jd@example.com", "jd" },
		{ "jane+tag@example.com", "jane" },
		{ "j.d@x.io", "j.d" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strstr(email(cases[i][0]), cases[i][1]) != NULL)
			fail_msg("%s masked as %s", cases[i][0], out);
}

static void
test_email_never_contains_the_domain_name(void **state)
{
	assert_null(strstr(email("jane@example.com"), "example"));
	assert_null(strstr(email("jane@mail.example.co.uk"), "example"));
	assert_null(strstr(email("jane@mail.example.co.uk"), "mail"));
}

static void
test_email_mask_does_not_reveal_the_local_length(void **state)
{
	char one[64];

	strcpy(one, email("a@example.com"));
	assert_string_equal(one, email("alexandra@example.com"));
	assert_string_equal(one, "a***@e***.com");
}

static void
test_email_keeps_only_the_top_level_domain(void **state)
{
	assert_string_equal(email("jane@mail.example.co.uk"), "j***@m***.uk");
}

static void
test_email_without_at_sign_is_fully_masked(void **state)
{
	assert_string_equal(email("not-an-address"), "***");
	assert_string_equal(email(""), "***");
}

static void
test_email_with_empty_local_part_is_fully_masked(void **state)
{
	assert_string_equal(email("@example.com"), "***");
}

static void
test_email_with_dotless_or_empty_domain(void **state)
{
	assert_string_equal(email("root@localhost"), "r***@***");
	assert_string_equal(email("root@"), "r***@***");
	assert_string_equal(email("root@.com"), "r***@***");
	assert_null(strstr(email("root@localhost"), "localhost"));
}

static void
test_email_mask_fits_a_small_buffer(void **state)
{
	char small[6];

	memset(small, 'Z', sizeof(small));
	log_mask_email("jane.doe@example.com", small, 5);
	assert_string_equal(small, "j***");
	assert_int_equal(small[5], 'Z');
}

static void
test_email_mask_is_valid_utf8_for_non_ascii_input(void **state)
{
	json_t *s;

	s = json_string(email("élodie@example.com"));
	assert_non_null(s);
	json_decref(s);
	s = json_string(email("jane@über.de"));
	assert_non_null(s);
	json_decref(s);
}

static void
test_phone_documented_example(void **state)
{
	assert_string_equal(phone("+15551234567"), "+1*******567");
}

static void
test_phone_never_contains_the_full_number(void **state)
{
	static const char *const cases[] = {
		"+15551234567", "+447911123456", "5551234", "123456", "+33 6 12 34 56 78",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strstr(phone(cases[i]), cases[i]) != NULL)
			fail_msg("%s masked as %s", cases[i], out);
}

static void
test_phone_hides_the_middle_digits(void **state)
{
	assert_null(strstr(phone("+15551234567"), "5551234"));
	assert_null(strstr(out, "1234"));
}

static void
test_phone_mask_does_not_reveal_the_length(void **state)
{
	char a[64];

	strcpy(a, phone("+15551234567"));
	assert_int_equal(strlen(a), strlen(phone("+4915112345678567")));
}

static void
test_short_phone_is_fully_masked(void **state)
{
	assert_string_equal(phone(""), "***");
	assert_string_equal(phone("911"), "***");
	assert_string_equal(phone("12345"), "***");
}

static void
test_six_character_phone_is_partly_masked(void **state)
{
	assert_string_equal(phone("123456"), "12*******456");
}

static void
test_phone_mask_fits_a_small_buffer(void **state)
{
	char small[6];

	memset(small, 'Z', sizeof(small));
	log_mask_phone("+15551234567", small, 5);
	assert_string_equal(small, "+1**");
	assert_int_equal(small[5], 'Z');
}

/* ---- log_redact --------------------------------------------------------- */

static char red[1024];

/* The redacted text (the input itself when nothing was masked). */
static const char *
redact(const char *in)
{
	char *r = log_redact(in);

	snprintf(red, sizeof(red), "%s", r != NULL ? r : in);
	if (r != NULL && strcmp(r, in) == 0)
		fail_msg("log_redact returned an unchanged copy of %s", in);
	free(r);
	return red;
}

static void
keeps(const char *in)
{
	char *r = log_redact(in);

	if (r != NULL)
		fail_msg("%s was changed to %s", in, r);
}

static void
test_redact_emails_in_text(void **state)
{
	assert_string_equal(redact("invite sent to jane.doe@example.com today"),
	    "invite sent to j***@e***.com today");
	assert_string_equal(redact("Key (email)=(a@b.co) already exists."),
	    "Key (email)=(a***@b***.co) already exists.");
	assert_string_equal(redact("<Jane@Example.COM>, x@y.io."), "<J***@E***.COM>, x***@y***.io.");
	assert_null(strstr(redact("mailto:élodie@über.de"), "lodie"));
	assert_null(strstr(redact("postgres://app:hunter2@db.internal:5432/x"), "hunter2"));
}

static void
test_redact_phones_in_text(void **state)
{
	static const char *const phones[] = {
		"+14155550123", "+1 415 555 0123", "+44 20 7123 4567", "+33 6 12 34 56 78",
		"(415) 555-0123", "415-555-0123", "415.555.0123", "06 12 34 56 78",
		"0612345678", "07911123456", "4155550123", "+49 (0)30 1234567",
	};
	char in[128];

	for (size_t i = 0; i < sizeof(phones) / sizeof(phones[0]); i++) {
		snprintf(in, sizeof(in), "call %s, please", phones[i]);
		redact(in);
		if (strstr(red, "555") != NULL && strstr(phones[i], "555") != NULL)
			fail_msg("%s → %s", in, red);
		if (strstr(red, "1234") != NULL || strstr(red, "12 34") != NULL ||
		    strstr(red, "2345") != NULL)
			fail_msg("%s → %s", in, red);
		if (strncmp(red, "call ", 5) != 0 || strstr(red, "***") == NULL ||
		    strcmp(red + strlen(red) - 8, ", please") != 0)
			fail_msg("%s → %s", in, red);
	}
	assert_string_equal(redact("phone=+15551234567"), "phone=+1*******567");
	assert_string_equal(redact("/v1/x/%2B14155550123/y"), "/v1/x/+1*******123/y");
	keeps("/v1/x/%2Bfoo %2B12");
}

static void
test_redact_keeps_ids_times_and_numbers(void **state)
{
	static const char *const kept[] = {
		"2026-12-04T07:20:00.123Z", "2026-12-04 07:20:00", "05.12.2026", "12/05/2026",
		"550e8400-e29b-41d4-a716-446655440000", "12345678-1234-4234-8234-123456789012",
		"req-1733400000000", "01jeh3v4k5m6n7p8q9r0s1t2u3", "abc-123", "A.b_C-9",
		"listening on 127.0.0.1:54363", "192.168.100.200:5432", "took 1234.5678 ms",
		"duration 1733400000 s", "epoch 1733400000123", "job 42 attempt 3 of 5",
		"port 8080", "3.14159265", "1,234,567", "v1.2.3", "+01:00", "sqlstate 23505",
		"x", "x@", "@x", "a b@", "user_id 1234567", "id 123456789",
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"SELECT * FROM t WHERE id = $1 LIMIT 1000000", "/v1/admin/customers/{id}",
		"j***@e***.com", "+1*******567", "(unprintable message)", "",
	};

	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		keeps(kept[i]);
}

static void
test_redact_tokens_and_headers(void **state)
{
	char tok[64], in[256];

	memset(tok, 'A', 43);
	tok[43] = '\0';
	tok[5] = '7';
	snprintf(in, sizeof(in), "reset token %s used", tok);
	assert_string_equal(redact(in), "reset token [redacted] used");
	assert_string_equal(redact("key rk_live_abcdefghijkl_Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9Zx9 ok"),
	    "key rk_[redacted] ok");
	assert_string_equal(redact("st_eyJ0Ijoi.c2lnbmF0dXJlLWhlcmU bad"), "st_[redacted] bad");
	assert_string_equal(redact("sent Authorization: Bearer abc.def"), "sent Authorization: [redacted]");
	assert_string_equal(redact("upstream said Bearer xyz123 is bad"),
	    "upstream said Bearer [redacted] is bad");
	assert_string_equal(redact("{\"cookie\":\"rcp_session=s3cr3t; a=b\",\"x\":1}"),
	    "{\"cookie\":\"[redacted]\",\"x\":1}");
	assert_string_equal(redact("Set-Cookie: rcp_session=abc; Path=/\nnext"),
	    "Set-Cookie: [redacted]\nnext");
}

/* Runs log_emit with stderr sent to a file; returns the line written. */
static char *
emitted(const char *msg, json_t *fields)
{
	static char line[4096];
	char path[] = "/tmp/test_log_mask.XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	ssize_t n;

	assert_true(fd >= 0 && saved >= 0);
	dup2(fd, STDERR_FILENO);
	log_emit(LOG_WARN, msg, fields);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, line, sizeof(line) - 1, 0);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	line[n] = '\0';
	return line;
}

static void
test_every_line_is_redacted_whoever_logs(void **state)
{
	const char *l = emitted("booking for jane@example.com +14155550123",
	    json_pack("{s:s, s:s, s:s, s:s, s:{s:s}, s:[s], s:i, s:s}",
	    "request_id", "req-1733400000000",
	    "error", "Key (phone)=(+442071234567) already exists",
	    "authorization", "Basic dXNlcjpwYXNz",
	    "path", "/v1/x/bob@example.org",
	    "nested", "to", "0612345678",
	    "list", "ann@example.net",
	    "duration_ms", 1234567890,
	    "ts_value", "2026-12-04T07:20:00.123Z"));
	json_t *o = json_loads(l, 0, NULL);

	assert_non_null(o);
	assert_null(strstr(l, "jane@"));
	assert_null(strstr(l, "5550123"));
	assert_null(strstr(l, "2071234567"));
	assert_null(strstr(l, "dXNlcjpwYXNz"));
	assert_null(strstr(l, "bob@"));
	assert_null(strstr(l, "12345678\""));
	assert_null(strstr(l, "ann@"));
	assert_string_equal(json_string_value(json_object_get(o, "msg")),
	    "booking for j***@e***.com +1*******123");
	assert_string_equal(json_string_value(json_object_get(o, "request_id")), "req-1733400000000");
	assert_string_equal(json_string_value(json_object_get(o, "authorization")), "[redacted]");
	assert_string_equal(json_string_value(json_object_get(o, "ts_value")),
	    "2026-12-04T07:20:00.123Z");
	assert_int_equal(json_integer_value(json_object_get(o, "duration_ms")), 1234567890);
	json_decref(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_email_documented_example),
		cmocka_unit_test(test_email_never_contains_the_local_part),
		cmocka_unit_test(test_email_never_contains_the_domain_name),
		cmocka_unit_test(test_email_mask_does_not_reveal_the_local_length),
		cmocka_unit_test(test_email_keeps_only_the_top_level_domain),
		cmocka_unit_test(test_email_without_at_sign_is_fully_masked),
		cmocka_unit_test(test_email_with_empty_local_part_is_fully_masked),
		cmocka_unit_test(test_email_with_dotless_or_empty_domain),
		cmocka_unit_test(test_email_mask_fits_a_small_buffer),
		cmocka_unit_test(test_email_mask_is_valid_utf8_for_non_ascii_input),
		cmocka_unit_test(test_phone_documented_example),
		cmocka_unit_test(test_phone_never_contains_the_full_number),
		cmocka_unit_test(test_phone_hides_the_middle_digits),
		cmocka_unit_test(test_phone_mask_does_not_reveal_the_length),
		cmocka_unit_test(test_short_phone_is_fully_masked),
		cmocka_unit_test(test_six_character_phone_is_partly_masked),
		cmocka_unit_test(test_phone_mask_fits_a_small_buffer),
		cmocka_unit_test(test_redact_emails_in_text),
		cmocka_unit_test(test_redact_phones_in_text),
		cmocka_unit_test(test_redact_keeps_ids_times_and_numbers),
		cmocka_unit_test(test_redact_tokens_and_headers),
		cmocka_unit_test(test_every_line_is_redacted_whoever_logs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
