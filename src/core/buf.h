/* buf.h — a growable byte buffer with a hard size cap. Appends past the cap
 * fail with ST_TOO_LARGE instead of growing: every buffer fed by the outside
 * world has a limit. */
#ifndef CORE_BUF_H
#define CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/status.h"

struct buf {
	char *data;	/* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
	size_t max;	/* 0 = no limit (only for data we produce ourselves) */
};

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
enum status buf_append(struct buf *b, const void *p, size_t n) MUST_USE;
enum status buf_puts(struct buf *b, const char *s) MUST_USE;
enum status buf_printf(struct buf *b, const char *fmt, ...) MUST_USE
    __attribute__((format(printf, 2, 3)));
/* Hands the bytes to the caller (free() them); the buf is left empty. */
char *buf_steal(struct buf *b, size_t *len);

#endif
