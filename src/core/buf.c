/* buf.c — capped growable buffer. */
#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b, b->max);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

static enum status
reserve(struct buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return ST_TOO_LARGE;
	need = b->len + extra;
	if (b->max != 0 && need > b->max)
		return ST_TOO_LARGE;
	if (need + 1 <= b->cap)
		return ST_OK;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need + 1)
		ncap *= 2;
	if (b->max != 0 && ncap > b->max + 1)
		ncap = b->max + 1;
	if ((p = realloc(b->data, ncap)) == NULL) {
		fputs("fatal: out of memory\n", stderr);
		abort();
	}
	b->data = p;
	b->cap = ncap;
	return ST_OK;
}

enum status
buf_append(struct buf *b, const void *p, size_t n)
{
	enum status st;

	if ((st = reserve(b, n)) != ST_OK)
		return st;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return ST_OK;
}

enum status
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

enum status
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	enum status st;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return ST_INTERNAL;
	if ((st = reserve(b, (size_t)n)) != ST_OK)
		return st;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return ST_OK;
}

char *
buf_steal(struct buf *b, size_t *len)
{
	char *p = b->data;

	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
