/* test_auth_token.c — service tokens (sign, verify, expiry, lifetime cap,
 * tampering, wrong key), scope lists, and the keys: loading, deriving the
 * service-token key, sealing secrets and opening them after a rotation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "modules/auth/auth.h"
#include "modules/auth/authz.h"

static const char KEY_A[] = "dGVzdC1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q=";
static const char KEY_B[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
static const char TID[] = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";

static struct sec_keys keys;

static int
setup(void **state)
{
	char why[256];

	if (sodium_init() < 0)
		return -1;
	return sec_keys_load(KEY_A, NULL, NULL, &keys, why, sizeof(why)) == ST_OK ? 0 : -1;
}

static void
claims(struct service_claims *c, long long iat, long long ttl)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->tid, sizeof(c->tid), "%s", TID);
	snprintf(c->sub, sizeof(c->sub), "voice-agent");
	c->scopes = SCOPE_BIT(RES_BOOKINGS) | SCOPE_BIT(RES_CATALOG);
	c->iat = iat;
	c->exp = iat + ttl;
}

static void
sign(const struct service_claims *c, char *out, size_t n)
{
	struct err e;

	err_clear(&e);
	assert_int_equal(auth_service_token_sign(keys.svc, c, out, n, &e), ST_OK);
}

static void
test_signed_token_verifies_with_its_claims(void **state)
{
	struct service_claims c, got;
	char tok[SERVICE_TOKEN_MAX];
	struct err e;

	claims(&c, 1000000, 600);
	sign(&c, tok, sizeof(tok));
	assert_memory_equal(tok, "st_", 3);
	err_clear(&e);
	assert_int_equal(auth_service_token_verify(keys.svc, tok, 1000100, &got, &e), ST_OK);
	assert_string_equal(got.tid, TID);
	assert_string_equal(got.sub, "voice-agent");
	assert_int_equal(got.scopes, c.scopes);
	assert_int_equal(got.exp, 1000600);
}

static void
test_expired_token_is_refused(void **state)
{
	struct service_claims c, got;
	char tok[SERVICE_TOKEN_MAX];
	struct err e;

	claims(&c, 1000000, 600);
	sign(&c, tok, sizeof(tok));
	err_clear(&e);
	assert_int_equal(auth_service_token_verify(keys.svc, tok, 1000600, &got, &e),
	    ST_UNAUTHENTICATED);
	assert_non_null(strstr(e.message, "expired"));
	assert_int_equal(auth_service_token_verify(keys.svc, tok, 1000599, &got, &e), ST_OK);
}

static void
test_lifetime_over_an_hour_cannot_be_signed(void **state)
{
	struct service_claims c;
	char tok[SERVICE_TOKEN_MAX];
	struct err e;

	claims(&c, 1000000, 3601);
	err_clear(&e);
	assert_int_equal(auth_service_token_sign(keys.svc, &c, tok, sizeof(tok), &e), ST_INVALID);
	claims(&c, 1000000, 3600);
	assert_int_equal(auth_service_token_sign(keys.svc, &c, tok, sizeof(tok), &e), ST_OK);
	c.scopes = 0;
	assert_int_equal(auth_service_token_sign(keys.svc, &c, tok, sizeof(tok), &e), ST_INVALID);
}

static void
test_every_tampered_byte_is_refused(void **state)
{
	struct service_claims c, got;
	char tok[SERVICE_TOKEN_MAX], bad[SERVICE_TOKEN_MAX];
	struct err e;
	size_t n;

	claims(&c, 1000000, 600);
	sign(&c, tok, sizeof(tok));
	n = strlen(tok);
	for (size_t i = 3; i < n; i++) {
		memcpy(bad, tok, n + 1);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		err_clear(&e);
		if (auth_service_token_verify(keys.svc, bad, 1000100, &got, &e) == ST_OK &&
		    strcmp(bad, tok) != 0) {
			/* base64 has slack bits in its last character: only a change
			 * that decodes to the same bytes may pass. */
			assert_int_equal(i, n - 1);
		}
	}
	err_clear(&e);
	assert_int_equal(auth_service_token_verify(keys.svc, "st_abc", 1000100, &got, &e),
	    ST_UNAUTHENTICATED);
	assert_int_equal(auth_service_token_verify(keys.svc, "", 1000100, &got, &e),
	    ST_UNAUTHENTICATED);
}

static void
test_token_of_another_key_is_refused(void **state)
{
	struct sec_keys other;
	struct service_claims c, got;
	char tok[SERVICE_TOKEN_MAX], why[256];
	struct err e;

	assert_int_equal(sec_keys_load(KEY_B, NULL, NULL, &other, why, sizeof(why)), ST_OK);
	claims(&c, 1000000, 600);
	err_clear(&e);
	assert_int_equal(auth_service_token_sign(other.svc, &c, tok, sizeof(tok), &e), ST_OK);
	assert_int_equal(auth_service_token_verify(keys.svc, tok, 1000100, &got, &e),
	    ST_UNAUTHENTICATED);
}

static void
test_scope_lists(void **state)
{
	unsigned s;

	assert_true(auth_scopes_parse("bookings,catalog", &s));
	assert_int_equal(s, SCOPE_BIT(RES_BOOKINGS) | SCOPE_BIT(RES_CATALOG));
	assert_true(auth_scopes_parse("users", &s));
	assert_int_equal(s, SCOPE_BIT(RES_USERS));
	assert_false(auth_scopes_parse("bookings,everything", &s));
	assert_false(auth_scopes_parse("", &s));
	assert_false(auth_scopes_parse("account", &s) && s == 0);
}

static void
test_service_key_is_derived_unless_given(void **state)
{
	struct sec_keys a, b;
	char why[256];

	assert_int_equal(sec_keys_load(KEY_A, NULL, NULL, &a, why, sizeof(why)), ST_OK);
	assert_memory_not_equal(a.svc, a.enc, 32);
	assert_int_equal(sec_keys_load(KEY_A, NULL, KEY_B, &b, why, sizeof(why)), ST_OK);
	assert_memory_not_equal(a.svc, b.svc, 32);
	assert_int_equal(sec_keys_load(NULL, NULL, NULL, &a, why, sizeof(why)), ST_INVALID);
	assert_non_null(strstr(why, "APP_ENCRYPTION_KEY"));
	assert_int_equal(sec_keys_load("c2hvcnQ=", NULL, NULL, &a, why, sizeof(why)), ST_INVALID);
	/* The message never repeats the value. */
	assert_null(strstr(why, "c2hvcnQ"));
}

static void
test_sealed_secret_opens_after_rotation_but_not_when_tampered(void **state)
{
	unsigned char pt[20] = "0123456789abcdefghij", ct[36], nonce[24], back[20];
	struct sec_keys old, rotated;
	char kid[17], why[256];

	assert_int_equal(sec_keys_load(KEY_A, NULL, NULL, &old, why, sizeof(why)), ST_OK);
	sec_seal(&old, pt, sizeof(pt), ct, nonce, kid);
	assert_string_equal(kid, old.enc_id);
	assert_int_equal(sec_open(&old, kid, ct, sizeof(ct), nonce, back), ST_OK);
	assert_memory_equal(back, pt, sizeof(pt));
	/* New current key, the old one as previous: old ciphertexts still open. */
	assert_int_equal(sec_keys_load(KEY_B, KEY_A, NULL, &rotated, why, sizeof(why)), ST_OK);
	assert_string_not_equal(rotated.enc_id, old.enc_id);
	assert_int_equal(sec_open(&rotated, kid, ct, sizeof(ct), nonce, back), ST_OK);
	assert_memory_equal(back, pt, sizeof(pt));
	/* Without the previous key, or with a flipped bit, nothing opens. */
	assert_int_equal(sec_keys_load(KEY_B, NULL, NULL, &rotated, why, sizeof(why)), ST_OK);
	assert_int_equal(sec_open(&rotated, kid, ct, sizeof(ct), nonce, back), ST_INTERNAL);
	ct[3] ^= 1;
	assert_int_equal(sec_open(&old, kid, ct, sizeof(ct), nonce, back), ST_INTERNAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_token_verifies_with_its_claims),
		cmocka_unit_test(test_expired_token_is_refused),
		cmocka_unit_test(test_lifetime_over_an_hour_cannot_be_signed),
		cmocka_unit_test(test_every_tampered_byte_is_refused),
		cmocka_unit_test(test_token_of_another_key_is_refused),
		cmocka_unit_test(test_scope_lists),
		cmocka_unit_test(test_service_key_is_derived_unless_given),
		cmocka_unit_test(test_sealed_secret_opens_after_rotation_but_not_when_tampered),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
