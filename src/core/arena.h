/* arena.h — region allocator owning everything one request (or one job,
 * or one command) allocates, freed in one call. Destructors registered with
 * arena_defer run at arena_free, newest first, for PQclear, json_decref and
 * other foreign objects. Allocation failure aborts: there is no sane way to
 * continue a request half-allocated. */
#ifndef CORE_ARENA_H
#define CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_chunk;
struct arena_defer;

struct arena {
	struct arena_chunk *chunks;
	struct arena_defer *defers;
	size_t chunk_size;
	size_t total;		/* bytes handed out, for caps and metrics */
};

void arena_init(struct arena *a, size_t chunk_size);
void arena_free(struct arena *a);

void *arena_alloc(struct arena *a, size_t n);	/* 16-byte aligned */
void *arena_calloc(struct arena *a, size_t count, size_t size);
char *arena_strdup(struct arena *a, const char *s);
/* Copies exactly n bytes (NULs included) and terminates: s must have n
 * readable bytes. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);

/* Runs fn(p) when the arena is freed. */
void arena_defer(struct arena *a, void (*fn)(void *), void *p);

#endif
