/* test_webpush.c — Web Push: RFC 8291 Appendix A reproduced byte for byte,
 * the payload limit, VAPID key loading and the VAPID token's shape and
 * signature. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "../../src/providers/webpush.c"

/* RFC 8291 Appendix A */
#define A_PLAIN "When I grow up, I want to be a watermelon"
#define A_AS_PRIV "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"
#define A_AS_PUB "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
#define A_UA_PUB "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
#define A_AUTH "BTBZMqHH6r4Tts7J_aSIgg"
#define A_SALT "DGv6ra1nlYgDCS1FRnbzlw"
#define A_BODY "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"

static void
dec(const char *s, unsigned char *out, size_t want)
{
	size_t n = 0;

	assert_true(sec_b64url_decode(s, strlen(s), out, want, &n));
	assert_int_equal(n, want);
}

static int
setup(void **state)
{
	return sodium_init() < 0 ? -1 : 0;
}

static void
test_rfc8291_appendix_a(void **state)
{
	struct arena ar, *a = &ar;

	arena_init(a, 0);
	struct err e = { 0 };
	unsigned char ua[65], auth[16], as[32], salt[16], want[256], *body = NULL;
	size_t bodylen = 0, wantlen = 0;

	dec(A_UA_PUB, ua, 65);
	dec(A_AUTH, auth, 16);
	dec(A_AS_PRIV, as, 32);
	dec(A_SALT, salt, 16);
	assert_true(sec_b64url_decode(A_BODY, strlen(A_BODY), want, sizeof(want), &wantlen));
	assert_int_equal(webpush_encrypt_with(a, ua, auth, as, salt, A_PLAIN, strlen(A_PLAIN),
	    &body, &bodylen, &e), ST_OK);
	assert_int_equal(bodylen, wantlen);
	assert_memory_equal(body, want, wantlen);
	arena_free(a);
}

static void
test_fresh_keys_differ_each_message(void **state)
{
	struct arena ar, *a = &ar;

	arena_init(a, 0);
	struct err e = { 0 };
	unsigned char ua[65], auth[16], *b1, *b2;
	size_t n1, n2;

	dec(A_UA_PUB, ua, 65);
	dec(A_AUTH, auth, 16);
	assert_int_equal(webpush_encrypt(a, ua, auth, "x", 1, &b1, &n1, &e), ST_OK);
	assert_int_equal(webpush_encrypt(a, ua, auth, "x", 1, &b2, &n2, &e), ST_OK);
	assert_int_equal(n1, WEBPUSH_OVERHEAD + 1);
	assert_int_equal(n1, n2);
	assert_memory_not_equal(b1, b2, 16);		/* salt */
	assert_memory_not_equal(b1 + 21, b2 + 21, 65);	/* keyid: the ephemeral key */
	arena_free(a);
}

static void
test_payload_limit(void **state)
{
	struct arena ar, *a = &ar;

	arena_init(a, 0);
	struct err e = { 0 };
	unsigned char ua[65], auth[16], *b;
	size_t n;
	char *big = calloc(1, WEBPUSH_MAX_PAYLOAD + 2);

	dec(A_UA_PUB, ua, 65);
	dec(A_AUTH, auth, 16);
	memset(big, 'a', WEBPUSH_MAX_PAYLOAD + 1);
	assert_int_equal(webpush_encrypt(a, ua, auth, big, WEBPUSH_MAX_PAYLOAD, &b, &n, &e), ST_OK);
	assert_int_equal(n, WEBPUSH_MAX_BODY);
	assert_int_equal(webpush_encrypt(a, ua, auth, big, WEBPUSH_MAX_PAYLOAD + 1, &b, &n, &e),
	    ST_TOO_LARGE);
	free(big);
	arena_free(a);
}

static void
test_bad_p256dh_is_invalid(void **state)
{
	struct arena ar, *a = &ar;

	arena_init(a, 0);
	struct err e = { 0 };
	unsigned char ua[65], auth[16] = { 0 }, *b;
	size_t n;

	dec(A_UA_PUB, ua, 65);
	ua[64] ^= 1;	/* off the curve */
	assert_int_equal(webpush_encrypt(a, ua, auth, "x", 1, &b, &n, &e), ST_INVALID);
	arena_free(a);
}

static void
test_vapid_load(void **state)
{
	struct webpush_vapid v;
	char why[128], pub[WEBPUSH_PUBKEY_B64 + 1], priv[WEBPUSH_PRIVKEY_B64 + 1];

	assert_int_equal(webpush_vapid_load(A_AS_PUB, A_AS_PRIV, "mailto:ops@example.com", &v,
	    why, sizeof(why)), ST_OK);
	assert_string_equal(v.pub_b64, A_AS_PUB);
	assert_int_equal(webpush_vapid_load("", "", "mailto:x@y", &v, why, sizeof(why)),
	    ST_UNAVAILABLE);
	assert_int_equal(webpush_vapid_load(A_UA_PUB, A_AS_PRIV, "mailto:x@y", &v, why,
	    sizeof(why)), ST_INVALID);
	assert_non_null(strstr(why, "does not match"));
	assert_null(strstr(why, A_AS_PRIV));
	assert_int_equal(webpush_vapid_load(A_AS_PUB, A_AS_PRIV, "ops@example.com", &v, why,
	    sizeof(why)), ST_INVALID);
	assert_int_equal(webpush_vapid_load(A_AS_PUB, "short", "mailto:x@y", &v, why,
	    sizeof(why)), ST_INVALID);
	assert_int_equal(webpush_vapid_generate(pub, priv), ST_OK);
	assert_int_equal(strlen(pub), WEBPUSH_PUBKEY_B64);
	assert_int_equal(strlen(priv), WEBPUSH_PRIVKEY_B64);
	assert_int_equal(webpush_vapid_load(pub, priv, "https://example.com/contact", &v, why,
	    sizeof(why)), ST_OK);
}

/* The token verifies with the public key, and its claims carry the
 * endpoint's origin only. */
static void
test_vapid_header(void **state)
{
	struct arena ar, *a = &ar;

	arena_init(a, 0);
	struct err e = { 0 };
	struct webpush_vapid v;
	char why[128], *h = NULL, *t, *dot2, *k, claims[512];
	unsigned char sig[64], der[80], *p = der, claimsb[512];
	size_t n = 0;

	assert_int_equal(webpush_vapid_load(A_AS_PUB, A_AS_PRIV, "mailto:ops@example.com", &v,
	    why, sizeof(why)), ST_OK);
	assert_int_equal(webpush_vapid_header(a, &v,
	    "https://push.example.net:8443/wpush/v2/SECRETTOKEN?x=1", 1700000000, &h, &e), ST_OK);
	assert_true(strncmp(h, "vapid t=", 8) == 0);
	k = strstr(h, ", k=");
	assert_non_null(k);
	assert_string_equal(k + 4, A_AS_PUB);
	t = arena_strdup(a, h + 8);
	t[k - h - 8] = '\0';
	dot2 = strrchr(t, '.');
	assert_true(sec_b64url_decode(strchr(t, '.') + 1, (size_t)(dot2 - strchr(t, '.') - 1),
	    claimsb, sizeof(claimsb) - 1, &n));
	memcpy(claims, claimsb, n);
	claims[n] = '\0';
	assert_string_equal(claims,
	    "{\"aud\":\"https://push.example.net:8443\",\"exp\":1700043200,\"sub\":\"mailto:ops@example.com\"}");
	assert_true(sec_b64url_decode(dot2 + 1, strlen(dot2 + 1), sig, sizeof(sig), &n));
	assert_int_equal(n, 64);
	/* Verify with OpenSSL: r||s → DER. */
	{
		ECDSA_SIG *s = ECDSA_SIG_new();
		EVP_PKEY *pk = p256_key(v.pub, NULL);
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		int derlen;

		ECDSA_SIG_set0(s, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL));
		derlen = i2d_ECDSA_SIG(s, &p);
		assert_true(derlen > 0);
		assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pk), 1);
		assert_int_equal(EVP_DigestVerify(md, der, (size_t)derlen, (unsigned char *)t,
		    (size_t)(dot2 - t)), 1);
		EVP_MD_CTX_free(md);
		EVP_PKEY_free(pk);
		ECDSA_SIG_free(s);
	}
	assert_null(strstr(h, "SECRETTOKEN"));
	assert_int_equal(webpush_vapid_header(a, &v, "not a url", 1, &h, &e), ST_INVALID);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc8291_appendix_a),
		cmocka_unit_test(test_fresh_keys_differ_each_message),
		cmocka_unit_test(test_payload_limit),
		cmocka_unit_test(test_bad_p256dh_is_invalid),
		cmocka_unit_test(test_vapid_load),
		cmocka_unit_test(test_vapid_header),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
