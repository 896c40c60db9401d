/* test_sms.c — the sms module's pure parts: segments (GSM-7 and UCS-2),
 * E.164, keywords, reply splitting, and Twilio's signature base string and
 * signature (the example from Twilio's "Validating requests" docs). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "modules/sms/sms_internal.h"
#include "providers/twilio.h"

static char *
repeat(struct arena *a, const char *unit, int n)
{
	size_t ul = strlen(unit);
	char *s = arena_alloc(a, ul * (size_t)n + 1);

	for (int i = 0; i < n; i++)
		memcpy(s + ul * (size_t)i, unit, ul);
	s[ul * (size_t)n] = '\0';
	return s;
}

static void
test_gsm7_segments(void **state)
{
	struct arena a;
	struct sms_count c;

	(void)state;
	arena_init(&a, 4096);
	assert_int_equal(sms_segments(""), 1);
	assert_int_equal(sms_segments(repeat(&a, "a", 160)), 1);
	assert_int_equal(sms_segments(repeat(&a, "a", 161)), 2);
	assert_int_equal(sms_segments(repeat(&a, "a", 306)), 2);	/* 2 × 153 */
	assert_int_equal(sms_segments(repeat(&a, "a", 307)), 3);
	/* GSM's own accented letters and £ stay 7-bit, one septet each. */
	sms_count(repeat(&a, "é£ü", 40), &c);
	assert_true(c.gsm7);
	assert_int_equal(c.units, 120);
	/* Extension characters take two septets: 80 '{' fill one text. */
	sms_count(repeat(&a, "{", 80), &c);
	assert_true(c.gsm7);
	assert_int_equal(c.units, 160);
	assert_int_equal(c.segments, 1);
	assert_int_equal(sms_segments(repeat(&a, "€", 81)), 2);
	arena_free(&a);
}

static void
test_ucs2_segments(void **state)
{
	struct arena a;
	struct sms_count c;

	(void)state;
	arena_init(&a, 4096);
	/* One character outside GSM (ç is in it; ć is not) makes all UCS-2. */
	sms_count(repeat(&a, "ć", 70), &c);
	assert_false(c.gsm7);
	assert_int_equal(c.segments, 1);
	assert_int_equal(sms_segments(repeat(&a, "ć", 71)), 2);
	assert_int_equal(sms_segments(repeat(&a, "ć", 134)), 2);	/* 2 × 67 */
	assert_int_equal(sms_segments(repeat(&a, "ć", 135)), 3);
	/* An emoji is a surrogate pair: two units. */
	sms_count(repeat(&a, "😀", 35), &c);
	assert_int_equal(c.units, 70);
	assert_int_equal(c.segments, 1);
	assert_int_equal(sms_segments(repeat(&a, "😀", 36)), 2);
	arena_free(&a);
}


static void
test_keywords(void **state)
{
	const char *w;

	(void)state;
	assert_int_equal(sms_keyword("STOP", &w), SMS_KW_STOP);
	assert_string_equal(w, "STOP");
	assert_int_equal(sms_keyword("  stop \n", &w), SMS_KW_STOP);
	assert_int_equal(sms_keyword("Unsubscribe", &w), SMS_KW_STOP);
	assert_int_equal(sms_keyword("stopall", &w), SMS_KW_STOP);
	assert_int_equal(sms_keyword("cancel", &w), SMS_KW_STOP);
	assert_int_equal(sms_keyword("End", &w), SMS_KW_STOP);
	assert_int_equal(sms_keyword("QUIT", &w), SMS_KW_STOP);
	assert_int_equal(sms_keyword("start", &w), SMS_KW_START);
	assert_int_equal(sms_keyword("UNSTOP", &w), SMS_KW_START);
	assert_int_equal(sms_keyword("help", &w), SMS_KW_HELP);
	/* What a reminder invites: "C" to confirm, "R" to move it. */
	assert_int_equal(sms_keyword(" c. ", &w), SMS_KW_CONFIRM);
	assert_int_equal(sms_keyword("Confirm", &w), SMS_KW_CONFIRM);
	assert_int_equal(sms_keyword("r", &w), SMS_KW_RESCHEDULE);
	assert_int_equal(sms_keyword("cr", &w), SMS_KW_NONE);
	/* Not alone: a sentence is for the receptionist. */
	assert_int_equal(sms_keyword("please stop by at 3", &w), SMS_KW_NONE);
	assert_int_equal(sms_keyword("cancel my appointment", &w), SMS_KW_NONE);
	assert_int_equal(sms_keyword("", &w), SMS_KW_NONE);
}

static void
test_split(void **state)
{
	struct arena a;
	const char *parts[4];
	size_t n;

	(void)state;
	arena_init(&a, 4096);
	n = sms_split(&a, "Short reply.", 4, parts);
	assert_int_equal(n, 1);
	assert_string_equal(parts[0], "Short reply.");
	/* 40 five-letter words: 240 characters, cut at a word into texts of
	 * one segment each. */
	n = sms_split(&a, repeat(&a, "word ", 48), 4, parts);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(sms_segments(parts[i]), 1);
		assert_true(parts[i][strlen(parts[i]) - 1] == 'd');
	}
	/* Too long for four texts: the fourth ends with an ellipsis. */
	n = sms_split(&a, repeat(&a, "word ", 400), 4, parts);
	assert_int_equal(n, 4);
	assert_non_null(strstr(parts[3], "..."));
	assert_int_equal(sms_segments(parts[3]), 1);
	arena_free(&a);
}

static void
test_signature(void **state)
{
	struct arena a;
	struct twilio_param p[] = {
		{ "To", "+18005551212" }, { "Digits", "1234" }, { "CallSid", "CA1234567890ABCDE" },
		{ "From", "+14158675310" }, { "Caller", "+14158675310" },
	};
	const char *url = "https://mycompany.com/myapp.php?foo=1&bar=2";
	char sig[29];

	(void)state;
	arena_init(&a, 4096);
	assert_string_equal(twilio_signature_base(&a, url, p, 5),
	    "https://mycompany.com/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+14158675310"
	    "Digits1234From+14158675310To+18005551212");
	twilio_signature("12345", twilio_signature_base(&a, url, p, 5), sig);
	assert_string_equal(sig, "GvWf1cFY/Q7PnoempGyD5oXAezc=");
	assert_true(twilio_signature_ok(&a, "12345", url, p, 5, "GvWf1cFY/Q7PnoempGyD5oXAezc="));
	assert_false(twilio_signature_ok(&a, "12346", url, p, 5, "GvWf1cFY/Q7PnoempGyD5oXAezc="));
	assert_false(twilio_signature_ok(&a, "12345", "https://mycompany.com/myapp.php", p, 5,
	    "GvWf1cFY/Q7PnoempGyD5oXAezc="));
	assert_false(twilio_signature_ok(&a, "12345", url, p, 5, NULL));
	assert_false(twilio_signature_ok(&a, "12345", url, p, 5, ""));
	arena_free(&a);
}

static void
test_twiml(void **state)
{
	struct arena a;

	(void)state;
	arena_init(&a, 4096);
	assert_string_equal(twilio_twiml(&a, "Tom & Jerry's <salon>"),
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>Tom &amp; Jerry&apos;s "
	    "&lt;salon&gt;</Message></Response>");
	assert_string_equal(twilio_twiml(&a, NULL),
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>");
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gsm7_segments),
		cmocka_unit_test(test_ucs2_segments),
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_twiml),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
