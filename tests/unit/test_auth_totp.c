/* test_auth_totp.c — TOTP against the test vectors of RFC 6238 (SHA-1,
 * SHA-256, SHA-512, 8 digits) and HOTP against RFC 4226's, base32 against
 * RFC 4648's, and the ±1-step window the sign-in accepts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "modules/auth/auth.h"

static const char seed1[] = "12345678901234567890";
static const char seed256[] = "12345678901234567890123456789012";
static const char seed512[] =
    "1234567890123456789012345678901234567890123456789012345678901234";

static uint32_t
totp8(const char *seed, long long t, enum totp_hash h)
{
	return auth_hotp((const unsigned char *)seed, strlen(seed), (uint64_t)(t / 30), 8, h);
}

static void
test_rfc6238_vectors(void **state)
{
	static const struct {
		long long t;
		uint32_t sha1, sha256, sha512;
	} v[] = {
		{ 59, 94287082, 46119246, 90693936 },
		{ 1111111109, 7081804, 68084774, 25091201 },
		{ 1111111111, 14050471, 67062674, 99943326 },
		{ 1234567890, 89005924, 91819424, 93441116 },
		{ 2000000000, 69279037, 90698825, 38618901 },
		{ 20000000000LL, 65353130, 77737706, 47863826 },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(totp8(seed1, v[i].t, TOTP_SHA1), v[i].sha1);
		assert_int_equal(totp8(seed256, v[i].t, TOTP_SHA256), v[i].sha256);
		assert_int_equal(totp8(seed512, v[i].t, TOTP_SHA512), v[i].sha512);
	}
}

static void
test_rfc4226_hotp_vectors(void **state)
{
	static const uint32_t want[] = { 755224, 287082, 359152, 969429, 338314, 254676,
		287922, 162583, 399871, 520489 };

	for (uint64_t c = 0; c < 10; c++)
		assert_int_equal(auth_hotp((const unsigned char *)seed1, 20, c, 6, TOTP_SHA1),
		    want[c]);
}

static void
code_at(long long t, char out[7])
{
	snprintf(out, 7, "%06u", (unsigned)auth_hotp((const unsigned char *)seed1, 20,
	    (uint64_t)(t / 30), 6, TOTP_SHA1));
}

static void
test_match_accepts_one_step_of_drift_and_no_more(void **state)
{
	const unsigned char *k = (const unsigned char *)seed1;
	long long now = 1234567890;	/* step 41152263 */
	char c[7];

	code_at(now, c);
	assert_int_equal(auth_totp_match(k, 20, c, now), now / 30);
	code_at(now - 30, c);
	assert_int_equal(auth_totp_match(k, 20, c, now), now / 30 - 1);
	code_at(now + 30, c);
	assert_int_equal(auth_totp_match(k, 20, c, now), now / 30 + 1);
	code_at(now - 60, c);
	assert_int_equal(auth_totp_match(k, 20, c, now), -1);
	code_at(now + 60, c);
	assert_int_equal(auth_totp_match(k, 20, c, now), -1);
}

static void
test_match_refuses_malformed_codes(void **state)
{
	const unsigned char *k = (const unsigned char *)seed1;

	assert_int_equal(auth_totp_match(k, 20, NULL, 59), -1);
	assert_int_equal(auth_totp_match(k, 20, "", 59), -1);
	assert_int_equal(auth_totp_match(k, 20, "28708", 59), -1);
	assert_int_equal(auth_totp_match(k, 20, "2870820", 59), -1);
	assert_int_equal(auth_totp_match(k, 20, "28708a", 59), -1);
	assert_int_equal(auth_totp_match(k, 20, " 287082", 59), -1);
}

static void
test_base32_rfc4648_vectors(void **state)
{
	static const char *const in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const out[] = { "", "MY", "MZXQ", "MZXW6", "MZXW6YQ", "MZXW6YTB",
		"MZXW6YTBOI" };
	unsigned char back[16];
	char enc[32];
	size_t n;

	for (size_t i = 0; i < 7; i++) {
		auth_base32_encode((const unsigned char *)in[i], strlen(in[i]), enc, sizeof(enc));
		assert_string_equal(enc, out[i]);
		assert_true(auth_base32_decode(out[i], back, sizeof(back), &n));
		assert_int_equal(n, strlen(in[i]));
		assert_memory_equal(back, in[i], n);
	}
}

static void
test_base32_decode_is_lenient_about_case_spaces_padding_only(void **state)
{
	unsigned char back[16];
	size_t n;

	assert_true(auth_base32_decode("mzxw 6ytb oi==", back, sizeof(back), &n));
	assert_int_equal(n, 6);
	assert_memory_equal(back, "foobar", 6);
	assert_false(auth_base32_decode("MZXW1", back, sizeof(back), &n));	/* 1 is not base32 */
	assert_false(auth_base32_decode("MZXW6YTBOI", back, 3, &n));		/* does not fit */
}

static void
test_secret_round_trips_through_base32(void **state)
{
	unsigned char secret[TOTP_SECRET_BYTES], back[TOTP_SECRET_BYTES];
	char enc[64];
	size_t n;

	for (size_t i = 0; i < sizeof(secret); i++)
		secret[i] = (unsigned char)(i * 37 + 11);
	assert_int_equal(auth_base32_encode(secret, sizeof(secret), enc, sizeof(enc)), 32);
	assert_true(auth_base32_decode(enc, back, sizeof(back), &n));
	assert_int_equal(n, sizeof(secret));
	assert_memory_equal(back, secret, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6238_vectors),
		cmocka_unit_test(test_rfc4226_hotp_vectors),
		cmocka_unit_test(test_match_accepts_one_step_of_drift_and_no_more),
		cmocka_unit_test(test_match_refuses_malformed_codes),
		cmocka_unit_test(test_base32_rfc4648_vectors),
		cmocka_unit_test(test_base32_decode_is_lenient_about_case_spaces_padding_only),
		cmocka_unit_test(test_secret_round_trips_through_base32),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
