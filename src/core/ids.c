/* ids.c — UUID and request-id helpers on libsodium's CSPRNG. */
#include "core/ids.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>

bool
id_is_uuid(const char *s)
{
	for (int i = 0; i < UUID_STR_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return s[UUID_STR_LEN] == '\0';
}

void
id_uuid_v4(char out[UUID_STR_LEN + 1])
{
	unsigned char b[16];

	randombytes_buf(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, UUID_STR_LEN + 1,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
	    b[11], b[12], b[13], b[14], b[15]);
}

bool
id_request_id_ok(const char *s, size_t n)
{
	if (n == 0 || n > REQUEST_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '-' && c != '_' && c != '.')
			return false;
	}
	return true;
}

void
id_request_id(char out[REQUEST_ID_MAX + 1])
{
	static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
	unsigned char b[26];

	randombytes_buf(b, sizeof(b));
	for (size_t i = 0; i < sizeof(b); i++)
		out[i] = alphabet[b[i] & 31];
	out[sizeof(b)] = '\0';
}
