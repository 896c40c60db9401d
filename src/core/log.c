/* log.c — JSON-lines logger on stderr. One write(2) per line so lines from
 * different threads never interleave. Every line passes the redactor
 * (log_redact) first: personal data and secrets are masked here, whoever
 * called the logger, so one forgotten log_mask_* call cannot leak them. */
#include "core/log.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/crypto.h"

static _Atomic int min_level = LOG_INFO;
static const char *names[] = { "debug", "info", "warn", "error" };

void
log_set_level(enum log_level lvl)
{
	atomic_store(&min_level, (int)lvl);
}

int
log_parse_level(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum log_level)i;
			return 1;
		}
	}
	return 0;
}

int
log_enabled(enum log_level lvl)
{
	return (int)lvl >= atomic_load(&min_level);
}

/* Masks every string in o (and in the objects and arrays it holds); the
 * values of keys that always carry a secret go whole. */
static void
redact_value(json_t *v, int depth);

static bool
secret_key(const char *k)
{
	static const char *const keys[] = {
		"authorization", "cookie", "set-cookie", "password", "secret", "token",
		"api_key", "x-api-key",
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcasecmp(k, keys[i]) == 0)
			return true;
	return false;
}

static json_t *
redacted_string(json_t *v)
{
	char *r;
	json_t *n;

	if (!json_is_string(v))
		return NULL;
	if ((r = log_redact(json_string_value(v))) == NULL)
		return NULL;
	n = json_string(r);
	free(r);
	return n != NULL ? n : json_string("[redacted]");
}

static void
redact_object(json_t *o, int depth)
{
	const char *k;
	json_t *v, *n;
	void *it;

	for (it = json_object_iter(o); it != NULL; it = json_object_iter_next(o, it)) {
		k = json_object_iter_key(it);
		v = json_object_iter_value(it);
		if (strcmp(k, "ts") == 0 || strcmp(k, "level") == 0)
			continue;
		if (json_is_string(v) && secret_key(k))
			json_object_iter_set_new(o, it, json_string("[redacted]"));
		else if ((n = redacted_string(v)) != NULL)
			json_object_iter_set_new(o, it, n);
		else
			redact_value(v, depth + 1);
	}
}

static void
redact_value(json_t *v, int depth)
{
	json_t *n;

	if (depth > 16)		/* our own fields are flat; bound the walk */
		return;
	if (json_is_object(v)) {
		redact_object(v, depth);
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			if ((n = redacted_string(json_array_get(v, i))) != NULL)
				json_array_set_new(v, i, n);
			else
				redact_value(json_array_get(v, i), depth + 1);
		}
	}
}

void
log_emit(enum log_level lvl, const char *msg, json_t *fields)
{
	struct timeval tv;
	struct tm tm;
	char ts[64];
	json_t *o;
	char *line;

	if (!log_enabled(lvl)) {
		json_decref(fields);
		return;
	}
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long)(tv.tv_usec / 1000));

	o = json_pack("{s:s, s:s, s:s}", "ts", ts, "level", names[lvl],
	    "msg", msg ? msg : "");
	if (o == NULL) {	/* msg was not UTF-8 */
		o = json_pack("{s:s, s:s, s:s}", "ts", ts, "level", names[lvl],
		    "msg", "(unprintable message)");
	}
	if (fields != NULL) {
		json_object_update_missing(o, fields);
		json_decref(fields);
	}
	redact_object(o, 0);
	line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	json_decref(o);
	if (line != NULL) {
		/* The line and its newline go out in one write(2): lines from
		 * different threads never interleave. */
		size_t n = strlen(line);
		char stackbuf[4096];
		char *out = n + 1 <= sizeof(stackbuf) ? stackbuf : malloc(n + 1);

		if (out != NULL) {
			memcpy(out, line, n);
			out[n] = '\n';
			(void)!write(STDERR_FILENO, out, n + 1);
			if (out != stackbuf)
				free(out);
		}
		free(line);
	}
}

static void
vlog(enum log_level lvl, const char *fmt, va_list ap)
{
	char msg[1024];

	if (!log_enabled(lvl))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_emit(lvl, msg, NULL);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARN, fmt, ap);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERROR, fmt, ap);
	va_end(ap);
}

/* Bytes in the UTF-8 character starting at s (1 for ASCII or bad input). */
static int
utf8_char_len(const char *s)
{
	int n = 1;

	while (n < 4 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n++;
	return n;
}

void
log_mask_email(const char *in, char *out, size_t outsz)
{
	const char *at = strchr(in, '@');
	const char *dot;

	if (at == NULL || at == in) {
		snprintf(out, outsz, "***");
		return;
	}
	dot = strrchr(at, '.');
	/* Whole first characters, never half of one: the result must stay
	 * valid UTF-8 or the log line would lose the field. */
	if (dot == NULL || dot == at + 1)
		snprintf(out, outsz, "%.*s***@***", utf8_char_len(in), in);
	else
		snprintf(out, outsz, "%.*s***@%.*s***%s", utf8_char_len(in), in,
		    utf8_char_len(at + 1), at + 1, dot);
}

void
log_mask_phone(const char *in, char *out, size_t outsz)
{
	size_t n = strlen(in);

	if (n < 6) {
		snprintf(out, outsz, "***");
		return;
	}
	snprintf(out, outsz, "%.2s*******%s", in, in + n - 3);
}

/* ---- the redactor --------------------------------------------------------- */

static bool
is_word(unsigned char c)
{
	return isalnum(c) || c == '_';
}

static bool
is_b64url(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '-';
}

/* Characters of an e-mail address's local part and domain (non-ASCII bytes
 * count: internationalised addresses are addresses too). */
static bool
is_local(unsigned char c)
{
	return isalnum(c) || c >= 0x80 || (c != '\0' && strchr("._%+-'", c) != NULL);
}

static bool
is_domain(unsigned char c)
{
	return isalnum(c) || c >= 0x80 || c == '.' || c == '-';
}

static bool
is_phone_sep(unsigned char c)
{
	return c != '\0' && strchr(" -.()", c) != NULL;
}

/* Length of the e-mail address starting at s (0 if there is none). */
static size_t
email_len(const char *s)
{
	size_t i = 0, d;

	while (is_local((unsigned char)s[i]))
		i++;
	if (i == 0 || s[i] != '@')
		return 0;
	d = ++i;
	while (is_domain((unsigned char)s[i]))
		i++;
	while (i > d && (s[i - 1] == '.' || s[i - 1] == '-'))	/* "…@x.com." ends a sentence */
		i--;
	return i > d ? i : 0;
}

/* Digit groups of a phone-shaped run: their count, lengths and the
 * separators seen, to tell phone numbers from dates, addresses and
 * decimals that look alike. */
struct digits {
	size_t len;		/* bytes of the run */
	int ndigits, ngroups;
	int group[16];
	bool dot, other_sep;
};

static void
scan_digits(const char *s, struct digits *d)
{
	size_t i = 0, j;
	int cur = 0;

	memset(d, 0, sizeof(*d));
	if (s[0] == '+')
		i = 1;
	if (s[i] == '(')
		i++;
	for (;;) {
		if (isdigit((unsigned char)s[i])) {
			cur++;
			d->ndigits++;
			d->len = ++i;
			continue;
		}
		/* One or two separators ("-", ") ") between groups of digits. */
		for (j = i; j < i + 2 && is_phone_sep((unsigned char)s[j]); j++)
			;
		if (j == i || !isdigit((unsigned char)s[j]) || cur == 0)
			break;
		for (size_t k = i; k < j; k++) {
			if (s[k] == '.')
				d->dot = true;
			else
				d->other_sep = true;
		}
		if (d->ngroups < 16)
			d->group[d->ngroups] = cur;
		d->ngroups++;
		cur = 0;
		i = j;
	}
	if (cur > 0) {
		if (d->ngroups < 16)
			d->group[d->ngroups] = cur;
		d->ngroups++;
	}
	/* A closing parenthesis right after the last digit belongs to it. */
	if (d->len > 0 && s[d->len] == ')' && s[0] == '(')
		d->len++;
}

/* Length of the phone number starting at s (0 if there is none):
 * "+" and 8–15 digits (E.164, separators allowed); national forms with
 * separators ("(415) 555-0199", "06 12 34 56 78", "555.123.4567") of 7–15
 * digits; bare national numbers only in unambiguous shapes (10–11 digits
 * starting with a trunk 0, or 10 NANP digits starting 2–9), so ids,
 * Unix times, durations and ports stay readable. */
static size_t
phone_len(const char *s)
{
	struct digits d;
	unsigned char after;

	scan_digits(s, &d);
	if (d.ndigits == 0)
		return 0;
	after = (unsigned char)s[d.len];
	/* Part of a longer token: "…T12:00", "12345abc", "555-0199-x", "10:30". */
	if (is_word(after) || after == '@' || after == '-' ||
	    ((after == ':' || after == '.') && isdigit((unsigned char)s[d.len + 1])))
		return 0;
	if (after == '/' && s[0] != '+')	/* "1234567/…": a path of numbers */
		return 0;
	if (s[0] == '+')
		return d.ndigits >= 8 && d.ndigits <= 15 ? d.len : 0;
	if (d.ndigits < 7 || d.ndigits > 15)
		return 0;
	if (d.ngroups == 1) {
		if (s[0] == '0' && (d.ndigits == 10 || d.ndigits == 11))
			return d.len;
		if (d.ndigits == 10 && s[0] >= '2' && s[0] <= '9')
			return d.len;
		return 0;
	}
	/* Dates (2026-12-05, 05.12.2026), dotted IPv4 addresses, decimals. */
	if (d.ngroups == 3 && ((d.group[0] == 4 && d.group[1] <= 2 && d.group[2] <= 2) ||
	    (d.group[0] <= 2 && d.group[1] <= 2 && d.group[2] == 4)))
		return 0;
	if (d.dot && !d.other_sep && (d.ngroups == 2 || d.ngroups == 4))
		return 0;
	return d.len;
}

/* Length of the secret token starting at s (0 if none): our API keys
 * (rk_…), service tokens (st_…), and 43-character base64url tokens
 * (sec_random_token) or any long mixed-case-and-digit base64url run; all
 * with some upper case (a random one has it but for a 1-in-10^9 chance),
 * so hex digests, UUIDs and request ids, which have none, stay. */
static size_t
token_len(const char *s)
{
	size_t n = 0;
	bool up = false, low = false, dig = false;

	if (strncmp(s, "rk_", 3) == 0 || strncmp(s, "st_", 3) == 0) {
		while (is_b64url((unsigned char)s[n]) || s[n] == '.')
			n++;
		if (n >= 16)
			return n;
		n = 0;
	}
	while (is_b64url((unsigned char)s[n])) {
		up |= isupper((unsigned char)s[n]) != 0;
		low |= islower((unsigned char)s[n]) != 0;
		dig |= isdigit((unsigned char)s[n]) != 0;
		n++;
	}
	if (up && (n == SEC_TOKEN_CHARS || (n >= 32 && low && dig)))
		return n;
	return 0;
}

/* "Authorization: …", "cookie=…", "\"set-cookie\":\"…\"": the length of
 * the name and separator (*vstart) when s starts one, else 0. */
static bool
header_value_at(const char *s, size_t *vstart)
{
	static const char *const hdrs[] = { "authorization", "proxy-authorization",
	    "set-cookie", "cookie" };
	size_t i;

	for (size_t k = 0; k < sizeof(hdrs) / sizeof(hdrs[0]); k++) {
		size_t n = strlen(hdrs[k]);

		if (strncasecmp(s, hdrs[k], n) != 0 || is_word((unsigned char)s[n]))
			continue;
		i = n;
		if (s[i] == '"' || s[i] == '\\')
			i += s[i] == '\\' ? 2 : 1;
		while (s[i] == ' ')
			i++;
		if (s[i] != ':' && s[i] != '=')
			return false;
		i++;
		while (s[i] == ' ')
			i++;
		if (s[i] == '"')
			i++;
		*vstart = i;
		return true;
	}
	return false;
}

static enum status
put_masked(struct buf *b, const char *s, size_t n,
    void (*mask)(const char *, char *, size_t))
{
	char in[256], out[256];

	if (n >= sizeof(in))
		return buf_puts(b, "***");
	memcpy(in, s, n);
	in[n] = '\0';
	mask(in, out, sizeof(out));
	return buf_puts(b, out);
}

#define B64_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

/* Bytes up to the end of a header value: a quote, a line end or the end. */
static size_t
value_len(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0' && s[n] != '"' && s[n] != '\n' && s[n] != '\r' && s[n] != '\\')
		n++;
	return n;
}

char *
log_redact(const char *in)
{
	struct buf b;
	size_t i = 0, copied = 0, n, v;
	bool changed = false;
	enum status st = ST_OK;

	/* Most strings hold nothing to mask: find out cheaply first what they
	 * could hold (an '@', seven digits, a long word) and skip the rest. */
	bool at = false, long_word = false, hdr;
	int ndig = 0;
	size_t run = 0;

	bool upper = false;

	for (const char *p = in; *p != '\0'; p++) {
		at |= *p == '@';
		ndig += isdigit((unsigned char)*p) != 0;
		if (is_b64url((unsigned char)*p)) {
			run++;
			upper |= isupper((unsigned char)*p) != 0;
		} else {
			run = 0;
			upper = false;
		}
		/* Tokens are base64url: long, and with upper case (hex digests,
		 * UUIDs and request ids are lower case). */
		long_word |= run >= 16 && upper;
	}
	hdr = strcasestr(in, "bearer ") != NULL || strcasestr(in, "authorization") != NULL ||
	    strcasestr(in, "cookie") != NULL;
	if (!at && ndig < 7 && !long_word && !hdr)
		return NULL;
	buf_init(&b, 0);
	while (in[i] != '\0' && st == ST_OK) {
		unsigned char c = (unsigned char)in[i], prev = i ? (unsigned char)in[i - 1] : ' ';
		const char *what = NULL;
		void (*mask)(const char *, char *, size_t) = NULL;

		/* Only the start of a word can start what we look for. */
		if (is_word(prev) || prev >= 0x80) {
			i++;
			continue;
		}
		n = 0;
		if (!hdr) {
			/* nothing header-like in the string */
		} else if ((c == 'B' || c == 'b') && strncasecmp(in + i, "bearer ", 7) == 0 &&
		    (v = strspn(in + i + 7, B64_CHARS "+/=.~")) > 0) {
			n = 7 + v;
			what = "Bearer [redacted]";
		} else if ((c | 0x20) == 'a' || (c | 0x20) == 'c' || (c | 0x20) == 's' ||
		    (c | 0x20) == 'p') {
			if (header_value_at(in + i, &v) && value_len(in + i + v) > 0) {
				if ((st = buf_append(&b, in + copied, i + v - copied)) != ST_OK)
					break;
				i += v;
				copied = i;
				n = value_len(in + i);
				what = "[redacted]";
			}
		}
		if (n == 0 && at && !is_local(prev) && (n = email_len(in + i)) > 0)
			mask = log_mask_email;
		if (n == 0 && ndig >= 7 && (c == '+' || c == '(' || isdigit(c)) && prev != '.' &&
		    prev != '-' && prev != '+' && (prev != '/' || c == '+') &&
		    (n = phone_len(in + i)) > 0)
			mask = log_mask_phone;
		if (n == 0 && ndig >= 7 && c == '%' && in[i + 1] == '2' && (in[i + 2] | 0x20) == 'b' &&
		    isdigit((unsigned char)in[i + 3])) {
			/* "%2B4155550199": a '+' as a URL path carries it. */
			char plus[48];

			snprintf(plus, sizeof(plus), "+%s", in + i + 3);
			if ((v = phone_len(plus)) > 0 && v < sizeof(plus) - 1) {
				changed = true;
				if ((st = buf_append(&b, in + copied, i - copied)) != ST_OK ||
				    (st = put_masked(&b, plus, v, log_mask_phone)) != ST_OK)
					break;
				i += v + 2;
				copied = i;
				continue;
			}
		}
		if (n == 0 && long_word && !is_b64url(prev) && prev != '.' &&
		    (n = token_len(in + i)) > 0)
			what = strncmp(in + i, "rk_", 3) == 0 ? "rk_[redacted]"
			    : strncmp(in + i, "st_", 3) == 0 ? "st_[redacted]" : "[redacted]";
		if (n == 0) {
			i++;
			continue;
		}
		changed = true;
		if ((st = buf_append(&b, in + copied, i - copied)) != ST_OK)
			break;
		st = mask != NULL ? put_masked(&b, in + i, n, mask) : buf_puts(&b, what);
		i += n;
		copied = i;
	}
	if (st == ST_OK && changed)
		st = buf_puts(&b, in + copied);
	if (st != ST_OK || !changed) {
		buf_free(&b);
		return st != ST_OK ? strdup("[redacted]") : NULL;
	}
	return buf_steal(&b, NULL);
}
