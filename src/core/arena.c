/* arena.c — chunked bump allocator with deferred destructors. */
#include "core/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN 16

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	size_t used;
	_Alignas(ALIGN) unsigned char data[];
};

struct arena_defer {
	struct arena_defer *next;
	void (*fn)(void *);
	void *p;
};

static void *
xmalloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL) {
		fputs("fatal: out of memory\n", stderr);
		abort();
	}
	return p;
}

void
arena_init(struct arena *a, size_t chunk_size)
{
	a->chunks = NULL;
	a->defers = NULL;
	a->chunk_size = chunk_size ? chunk_size : 8192;
	a->total = 0;
}

void
arena_free(struct arena *a)
{
	struct arena_chunk *c, *cn;
	struct arena_defer *d, *dn;

	/* Destructors first: they may reference memory in the chunks. */
	for (d = a->defers; d != NULL; d = dn) {
		dn = d->next;
		d->fn(d->p);
	}
	for (c = a->chunks; c != NULL; c = cn) {
		cn = c->next;
		free(c);
	}
	a->chunks = NULL;
	a->defers = NULL;
	a->total = 0;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->chunks;
	size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	void *p;

	if (need < n || need > SIZE_MAX - sizeof(struct arena_chunk)) {	/* overflow */
		fputs("fatal: arena allocation overflow\n", stderr);
		abort();
	}
	if (c == NULL || c->size - c->used < need) {
		size_t size = need > a->chunk_size / 2 ? need : a->chunk_size;

		c = xmalloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		/* A big one-off block goes behind the current chunk so the
		 * current chunk's free space is not abandoned. */
		if (size == need && a->chunks != NULL) {
			c->next = a->chunks->next;
			a->chunks->next = c;
		} else {
			c->next = a->chunks;
			a->chunks = c;
		}
	}
	p = c->data + c->used;
	c->used += need;
	a->total += need;
	return p;
}

void *
arena_calloc(struct arena *a, size_t count, size_t size)
{
	void *p;

	if (size != 0 && count > SIZE_MAX / size) {
		fputs("fatal: arena allocation overflow\n", stderr);
		abort();
	}
	p = arena_alloc(a, count * size);
	memset(p, 0, count * size);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void
arena_defer(struct arena *a, void (*fn)(void *), void *p)
{
	struct arena_defer *d = arena_alloc(a, sizeof(*d));

	d->fn = fn;
	d->p = p;
	d->next = a->defers;
	a->defers = d;
}
