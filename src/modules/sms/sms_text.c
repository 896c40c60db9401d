/* sms_text.c — what a text is made of: segments (GSM 03.38
 * 7-bit: 160 characters alone, 153 per part of a concatenated text, the
 * extension table's characters counting twice; anything else UCS-2: 70,
 * or 67 per part, characters outside the BMP counting twice as UTF-16
 * surrogate pairs), the opt-out keywords carriers and Twilio honour, and
 * cutting a long reply into texts. Pure functions, unit-tested. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "modules/sms/sms_internal.h"

/* Decodes one UTF-8 sequence at *p (advancing it); -1 when malformed. */
static int32_t
utf8_next(const unsigned char **p)
{
	const unsigned char *s = *p;
	int32_t c;
	int n;

	if (s[0] < 0x80) {
		*p += 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		c = s[0] & 0x1f;
		n = 1;
	} else if ((s[0] & 0xf0) == 0xe0) {
		c = s[0] & 0x0f;
		n = 2;
	} else if ((s[0] & 0xf8) == 0xf0) {
		c = s[0] & 0x07;
		n = 3;
	} else {
		return -1;
	}
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		c = (c << 6) | (s[i] & 0x3f);
	}
	*p += n + 1;
	return c;
}

/* GSM 03.38 basic character set (as Unicode code points). */
static bool
gsm_basic(int32_t c)
{
	static const char ascii[] =
	    "@$\n\r _!\"#%&'()*+,-./0123456789:;<=>?"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	static const int32_t other[] = {
		0x00a3, 0x00a5, 0x00e8, 0x00e9, 0x00f9, 0x00ec, 0x00f2, 0x00c7, 0x00d8, 0x00f8,
		0x00c5, 0x00e5, 0x0394, 0x03a6, 0x0393, 0x039b, 0x03a9, 0x03a0, 0x03a8, 0x03a3,
		0x0398, 0x039e, 0x00c6, 0x00e6, 0x00df, 0x00c9, 0x00a4, 0x00a1, 0x00c4, 0x00d6,
		0x00d1, 0x00dc, 0x00a7, 0x00bf, 0x00e4, 0x00f6, 0x00f1, 0x00fc, 0x00e0,
	};

	if (c > 0 && c < 0x80)
		return strchr(ascii, (int)c) != NULL;
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		if (other[i] == c)
			return true;
	return false;
}

/* The extension table: sent as ESC + a character, so two septets. */
static bool
gsm_extended(int32_t c)
{
	return c == '^' || c == '{' || c == '}' || c == '\\' || c == '[' || c == '~' ||
	    c == ']' || c == '|' || c == 0x20ac /* € */ || c == '\f';
}

void
sms_count(const char *body, struct sms_count *out)
{
	const unsigned char *p = (const unsigned char *)body;
	int septets = 0, units = 0;
	bool gsm = true;

	while (*p) {
		int32_t c = utf8_next(&p);

		if (c < 0) {
			/* Not UTF-8: count the byte as one UCS-2 unit. */
			p++;
			gsm = false;
			units++;
			continue;
		}
		units += c > 0xffff ? 2 : 1;
		if (gsm_basic(c))
			septets += 1;
		else if (gsm_extended(c))
			septets += 2;
		else
			gsm = false;
	}
	out->gsm7 = gsm;
	out->units = gsm ? septets : units;
	if (gsm)
		out->segments = septets <= 160 ? 1 : (septets + 152) / 153;
	else
		out->segments = units <= 70 ? 1 : (units + 66) / 67;
	if (out->units == 0)
		out->segments = 1;
}

int
sms_segments(const char *body)
{
	struct sms_count c;

	sms_count(body, &c);
	return c.segments;
}

/* body with surrounding white space removed, upper-cased (ASCII), into
 * out; false when it is longer than any keyword. */
static bool
keyword_of(const char *body, char *out, size_t outsz)
{
	const char *s = body, *e;
	size_t n;

	while (*s && isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	/* A trailing full stop or exclamation mark ("Stop.") is still the
	 * word alone. */
	if (e > s && (e[-1] == '.' || e[-1] == '!'))
		e--;
	n = (size_t)(e - s);
	if (n == 0 || n >= outsz)
		return false;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)toupper((unsigned char)s[i]);
	out[n] = '\0';
	return true;
}

enum sms_keyword
sms_keyword(const char *body, const char **word)
{
	static const char *const stop[] = { "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END",
		"QUIT" };
	static const char *const start[] = { "START", "UNSTOP" };
	char k[16];

	*word = NULL;
	if (!keyword_of(body, k, sizeof(k)))
		return SMS_KW_NONE;
	for (size_t i = 0; i < sizeof(stop) / sizeof(stop[0]); i++)
		if (strcmp(k, stop[i]) == 0) {
			*word = stop[i];
			return SMS_KW_STOP;
		}
	for (size_t i = 0; i < sizeof(start) / sizeof(start[0]); i++)
		if (strcmp(k, start[i]) == 0) {
			*word = start[i];
			return SMS_KW_START;
		}
	if (strcmp(k, "HELP") == 0 || strcmp(k, "INFO") == 0) {
		*word = "HELP";
		return SMS_KW_HELP;
	}
	if (strcmp(k, "C") == 0 || strcmp(k, "CONFIRM") == 0) {
		*word = "C";
		return SMS_KW_CONFIRM;
	}
	if (strcmp(k, "R") == 0) {
		*word = "R";
		return SMS_KW_RESCHEDULE;
	}
	return SMS_KW_NONE;
}

/* Bytes of the longest prefix of s that fits in one text of a split
 * message (153 septets, or 67 UCS-2 units), never cutting a character. */
static size_t
part_len(const char *s, bool gsm)
{
	const unsigned char *p = (const unsigned char *)s, *last = p;
	int used = 0, max = gsm ? 153 : 67;

	while (*p) {
		const unsigned char *q = p;
		int32_t c = utf8_next(&q);
		int w;

		if (c < 0) {
			q = p + 1;
			w = 1;
		} else if (gsm) {
			w = gsm_extended(c) ? 2 : 1;
		} else {
			w = c > 0xffff ? 2 : 1;
		}
		if (used + w > max)
			break;
		used += w;
		p = q;
		last = p;
	}
	return (size_t)(last - (const unsigned char *)s);
}

size_t
sms_split(struct arena *a, const char *text, size_t max_parts, const char **parts)
{
	struct sms_count c;
	const char *s = text;
	size_t n = 0, len;

	while (*s == ' ' || *s == '\n')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\n'))
		len--;
	s = arena_strndup(a, s, len);
	sms_count(s, &c);
	if (c.segments <= 1) {
		parts[0] = arena_strdup(a, s);
		return 1;
	}
	/* Each part is a text of its own (so a customer never sees a reply
	 * cut mid-word by the handset), ending at a sentence or a word. */
	while (*s && n < max_parts) {
		size_t fit = part_len(s, c.gsm7), cut = fit;

		if (s[fit] != '\0') {
			size_t sentence = 0, word = 0;

			for (size_t i = 1; i < fit; i++) {
				if ((s[i - 1] == '.' || s[i - 1] == '!' || s[i - 1] == '?' ||
				    s[i - 1] == '\n') && (s[i] == ' ' || s[i] == '\n'))
					sentence = i;
				if (s[i] == ' ' || s[i] == '\n')
					word = i;
			}
			if (sentence > fit / 2)
				cut = sentence;
			else if (word > fit / 2)
				cut = word;
		}
		if (n == max_parts - 1 && s[cut] != '\0') {
			/* The last allowed part: end it with an ellipsis. */
			size_t room = part_len(s, c.gsm7);
			while (room > 0 && room + 3 > fit)
				room--;
			while (room > 0 && ((unsigned char)s[room] & 0xc0) == 0x80)
				room--;
			parts[n++] = arena_printf(a, "%.*s...", (int)room, s);
			break;
		}
		parts[n++] = arena_strndup(a, s, cut);
		s += cut;
		while (*s == ' ' || *s == '\n')
			s++;
	}
	return n;
}
