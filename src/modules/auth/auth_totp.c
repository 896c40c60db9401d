/* auth_totp.c — time-based one-time passwords (RFC 6238 over RFC 4226
 * HOTP) and the base32 that authenticator apps exchange secrets in. Pure
 * functions, unit-tested against the RFCs' vectors. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "modules/auth/auth.h"

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

size_t
auth_base32_encode(const unsigned char *in, size_t n, char *out, size_t outsz)
{
	size_t o = 0;
	unsigned buf = 0;
	int bits = 0;

	for (size_t i = 0; i < n; i++) {
		buf = (buf << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			if (o + 1 < outsz)
				out[o++] = b32[(buf >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0 && o + 1 < outsz)
		out[o++] = b32[(buf << (5 - bits)) & 31];
	if (outsz > 0)
		out[o] = '\0';
	return o;
}

bool
auth_base32_decode(const char *in, unsigned char *out, size_t outsz, size_t *outlen)
{
	unsigned buf = 0;
	int bits = 0;
	size_t o = 0;

	for (const char *p = in; *p; p++) {
		int c = toupper((unsigned char)*p);
		const char *q;

		if (c == ' ' || c == '=' || c == '-')
			continue;
		if (c == '\0' || (q = strchr(b32, c)) == NULL)
			return false;
		buf = (buf << 5) | (unsigned)(q - b32);
		bits += 5;
		if (bits >= 8) {
			if (o >= outsz)
				return false;
			out[o++] = (unsigned char)(buf >> (bits - 8));
			bits -= 8;
		}
	}
	*outlen = o;
	return true;
}

uint32_t
auth_hotp(const unsigned char *key, size_t keylen, uint64_t counter, int digits,
    enum totp_hash hash)
{
	size_t maclen = hash == TOTP_SHA256 ? 32 : hash == TOTP_SHA512 ? 64 : 20;
	unsigned char msg[8], mac[64];
	unsigned off;
	uint32_t bin, mod = 1;

	for (int i = 7; i >= 0; i--) {
		msg[i] = (unsigned char)(counter & 0xff);
		counter >>= 8;
	}
	if (!sec_hmac(maclen, key, keylen, msg, sizeof(msg), mac))
		return 0;
	/* RFC 4226 §5.3: dynamic truncation. */
	off = mac[maclen - 1] & 0x0f;
	bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
	    ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
	for (int i = 0; i < digits; i++)
		mod *= 10;
	return bin % mod;
}

int64_t
auth_totp_match(const unsigned char *key, size_t keylen, const char *code, time_t now)
{
	int64_t step = (int64_t)now / TOTP_STEP_S, found = -1;
	char want[TOTP_DIGITS + 1];

	if (code == NULL || strlen(code) != TOTP_DIGITS)
		return -1;
	for (size_t i = 0; i < TOTP_DIGITS; i++)
		if (!isdigit((unsigned char)code[i]))
			return -1;
	/* ±1 step for clock drift. All three are computed and compared so the
	 * time taken does not say which one matched. */
	for (int64_t s = step + 1; s >= step - 1; s--) {
		snprintf(want, sizeof(want), "%06u",
		    (unsigned)auth_hotp(key, keylen, (uint64_t)s, TOTP_DIGITS, TOTP_SHA1));
		if (sec_equal(want, code, TOTP_DIGITS) && found < 0)
			found = s;
	}
	return found;
}
