/* cursor.h — the one opaque list cursor: a few strings (a sort value, a
 * tiebreak, an id…) a list hands out and gets back on the next page. It
 * is base64url of a compact JSON array of strings, bounded in size and in
 * count, and decoded strictly: anything we did not make is refused, never
 * half-read. Nothing in a cursor is trusted; callers bind its values as
 * parameters and check their shape. */
#ifndef CORE_CURSOR_H
#define CORE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

#define CURSOR_TEXT_MAX 2048	/* encoded characters accepted */
#define CURSOR_VALUES_MAX 8

/* Encodes n (1..CURSOR_VALUES_MAX) strings; NULL when n is out of range
 * or the result would exceed CURSOR_TEXT_MAX. */
char *cursor_encode(struct arena *a, const char *const *vals, size_t n);
/* Decodes s into vals (arena-owned); true only for a cursor of exactly
 * n strings, each without NUL. */
bool cursor_decode(struct arena *a, const char *s, const char **vals, size_t n);

#endif
