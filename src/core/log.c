/* log.c — JSON-lines logger on stderr. One write(2) per line so lines from
 * different threads never interleave. */
#include "core/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

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
