/* tenants_text_cache.c — per-tenant text that modules read on every
 * request and rebuild from several tables: the portal's data and the
 * widget origins (web), what the receptionist knows about the business
 * (ai). An entry is good while the tenants cache's generation is the one
 * it was read under: that counter moves on every tenant_changed NOTIFY,
 * which the tables behind these entries send. A small chained map under
 * one mutex that starts over when full rather than grow. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/tenants/tenants_cache.h"

#define NBUCKETS 256
#define MAX_ENTRIES 4096

struct entry {
	struct entry *next;
	char *key;
	char *text;
	uint64_t gen;
	time_t expires;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct entry *buckets[NBUCKETS];
static size_t nentries;
static int ttl;

static unsigned
hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % NBUCKETS;
}

static void
clear_locked(void)
{
	for (size_t i = 0; i < NBUCKETS; i++) {
		for (struct entry *e = buckets[i], *n; e != NULL; e = n) {
			n = e->next;
			free(e->key);
			free(e->text);
			free(e);
		}
		buckets[i] = NULL;
	}
	nentries = 0;
}

void
tcache_text_init(int ttl_s)
{
	pthread_mutex_lock(&mu);
	ttl = ttl_s;
	clear_locked();
	pthread_mutex_unlock(&mu);
}

const char *
tcache_text_get(const char *key, struct arena *a, uint64_t *gen_out)
{
	uint64_t gen = tcache_generation();
	const char *out = NULL;

	*gen_out = gen;
	pthread_mutex_lock(&mu);
	for (struct entry *e = buckets[hash(key)]; e != NULL; e = e->next) {
		if (strcmp(e->key, key) == 0) {
			if (e->gen == gen && e->expires > time(NULL))
				out = arena_strdup(a, e->text);
			break;
		}
	}
	pthread_mutex_unlock(&mu);
	return out;
}

void
tcache_text_put(const char *key, const char *text, uint64_t gen)
{
	unsigned h = hash(key);
	struct entry *e;

	if (ttl <= 0 || gen != tcache_generation())
		return;
	pthread_mutex_lock(&mu);
	for (struct entry **pp = &buckets[h]; *pp != NULL; pp = &(*pp)->next) {
		if (strcmp((*pp)->key, key) == 0) {
			e = *pp;
			*pp = e->next;
			free(e->key);
			free(e->text);
			free(e);
			nentries--;
			break;
		}
	}
	if (nentries >= MAX_ENTRIES)
		clear_locked();
	if ((e = calloc(1, sizeof(*e))) == NULL || (e->key = strdup(key)) == NULL ||
	    (e->text = strdup(text)) == NULL)
		abort();
	e->gen = gen;
	e->expires = time(NULL) + ttl;
	e->next = buckets[h];
	buckets[h] = e;
	nentries++;
	pthread_mutex_unlock(&mu);
}
