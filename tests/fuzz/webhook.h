/* webhook.h — one libFuzzer harness for every webhook signature
 * verifier. A provider's harness is one file (fuzz_webhook_<provider>.c)
 * that fills a struct webhook_verifier and calls webhook_fuzz_one; the
 * input is "secret\n--\nheader\n--\nbody" (fuzz_field).
 *
 * Properties, for any secret, header and body:
 *  - the fuzzed header is accepted only if it is one of the provider's
 *    correct signatures (accepts_form says which spellings count);
 *  - the correct signature, made independently with OpenSSL's HMAC,
 *    is accepted, and the same with one hex digit changed is not;
 *  - an empty secret accepts nothing (a tenant that set no secret must
 *    not take unsigned deliveries). */
#ifndef FUZZ_WEBHOOK_H
#define FUZZ_WEBHOOK_H

#include <stdbool.h>

#include "fuzz.h"

struct webhook_verifier {
	/* The verifier under test, with the provider's argument order
	 * adapted to this one. */
	bool (*verify)(const char *secret, const char *body, size_t len, const char *header);
	/* The correct header value for body under secret, written to out. */
	void (*sign)(const char *secret, const char *body, size_t len, char *out, size_t outsz);
	/* Whether header is an accepted spelling of the correct value good
	 * (case, prefixes, spaces the provider allows). */
	bool (*accepts_form)(const char *header, const char *good);
};

static inline void
webhook_fuzz_one(const struct webhook_verifier *v, const uint8_t *data, size_t size)
{
	size_t slen, hlen, blen;
	char *secret = fuzz_field(&data, &size, &slen);
	char *header = fuzz_field(&data, &size, &hlen);
	char *body = fuzz_field(&data, &size, &blen);
	char good[512];
	bool ok = v->verify(secret, body, blen, header);

	if (secret[0] == '\0') {
		FUZZ_CHECK(!ok);
		goto out;
	}
	v->sign(secret, body, blen, good, sizeof(good));
	FUZZ_CHECK(v->verify(secret, body, blen, good));
	if (ok)
		FUZZ_CHECK(v->accepts_form(header, good));
	/* One hex digit off: '0' ↔ '1' keeps it hex. */
	for (char *c = good; *c; c++)
		if (*c == '0' || *c == '1') {
			*c = *c == '0' ? '1' : '0';
			FUZZ_CHECK(!v->verify(secret, body, blen, good));
			break;
		}
out:
	free(secret);
	free(header);
	free(body);
}

#endif
