/* addr.c — e-mail address and E.164 checks (see addr.h). */
#include "core/addr.h"

#include <string.h>

static bool
email_char_ok(unsigned char c)
{
	return c > ' ' && c != 0x7f && strchr("<>()[],;:\\\"", c) == NULL;
}

bool
addr_email_ok(const char *s)
{
	const char *at, *dot;
	size_t n = s != NULL ? strlen(s) : 0;

	if (n < 3 || n > 254)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!email_char_ok((unsigned char)s[i]))
			return false;
	at = strchr(s, '@');
	if (at == NULL || at == s || at - s > 64 || strchr(at + 1, '@') != NULL)
		return false;
	if (at[1] == '.' || strstr(at, "..") != NULL)
		return false;
	dot = strrchr(at + 1, '.');
	return dot != NULL && strlen(dot + 1) >= 2;
}

bool
addr_e164_ok(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n < 8 || n > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9')
		return false;
	for (size_t i = 2; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}
