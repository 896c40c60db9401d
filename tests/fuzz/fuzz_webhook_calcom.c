/* fuzz_webhook_calcom.c — Cal.com's "x-cal-signature-256" check
 * (calendar_calcom_signature_ok): the hex HMAC-SHA256 of the raw body,
 * either case, an optional "sha256=" prefix, leading spaces allowed (see
 * webhook.h for the properties). Only the verifier is reached, but the
 * adapter table in calendar_calcom.c keeps the rest of the file (and
 * what it calls) linked, so its helpers' sources are listed too.
 * SOURCES: src/providers/calendar_calcom.c src/core/crypto.c src/providers/calendar_common.c src/core/http_client.c src/core/time.c src/core/arena.c src/core/status.c src/core/buf.c
 * PKGS: libsodium openssl jansson libcurl icu-uc icu-i18n
 */
#include "webhook.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <strings.h>

#include "providers/calendar_provider.h"

static void
sign(const char *secret, const char *body, size_t len, char *out, size_t outsz)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)body, len,
	    mac, &n);
	FUZZ_CHECK(n == 32 && outsz > 64);
	for (unsigned i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", mac[i]);
}

static bool
accepts_form(const char *h, const char *good)
{
	while (*h == ' ')
		h++;
	if (strncmp(h, "sha256=", 7) == 0)
		h += 7;
	return strcasecmp(h, good) == 0;
}

/* calendar_common.c's adapter lookup names the other adapters; they are
 * never called here, and linking them would pull in OAuth and the store. */
const struct calendar_provider calendar_google_provider = { .name = "google" };
const struct calendar_provider calendar_internal_provider = { .name = "internal" };

static const struct webhook_verifier calcom = {
	.verify = calendar_calcom_signature_ok,
	.sign = sign,
	.accepts_form = accepts_form,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	webhook_fuzz_one(&calcom, data, size);
	return 0;
}
