/* tenants_cache.c — a small chained hash map under one mutex. It holds a
 * few entries per tenant; when it reaches its cap it starts over rather
 * than grow. */
#include "modules/tenants/tenants_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NBUCKETS 1024
#define MAX_ENTRIES 20000
#define NEGATIVE_TTL_S 10

struct entry {
	struct entry *next;
	char *key;
	bool found;
	struct tenant_ref ref;	/* for resolution entries */
	char *json;		/* for text entries (tcache_text_*) */
	time_t expires;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct entry *buckets[NBUCKETS];
static size_t nentries;
static uint64_t generation;
static int ttl;

static unsigned
hash(const char *s)
{
	unsigned h = 2166136261u;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % NBUCKETS;
}

static void
entry_free(struct entry *e)
{
	free(e->key);
	free(e->json);
	free(e);
}

static void
clear_locked(void)
{
	for (size_t i = 0; i < NBUCKETS; i++) {
		struct entry *e = buckets[i], *n;

		for (; e != NULL; e = n) {
			n = e->next;
			entry_free(e);
		}
		buckets[i] = NULL;
	}
	nentries = 0;
}

void
tcache_init(int ttl_s)
{
	pthread_mutex_lock(&mu);
	ttl = ttl_s;
	clear_locked();
	pthread_mutex_unlock(&mu);
}

uint64_t
tcache_generation(void)
{
	uint64_t g;

	pthread_mutex_lock(&mu);
	g = generation;
	pthread_mutex_unlock(&mu);
	return g;
}

static struct entry *
find_locked(const char *key, unsigned h)
{
	time_t now = time(NULL);

	for (struct entry *e = buckets[h]; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e->expires > now ? e : NULL;
	return NULL;
}

static void
remove_locked(const char *key, unsigned h)
{
	for (struct entry **pp = &buckets[h]; *pp != NULL; pp = &(*pp)->next) {
		if (strcmp((*pp)->key, key) == 0) {
			struct entry *e = *pp;

			*pp = e->next;
			entry_free(e);
			nentries--;
			return;
		}
	}
}

static void
insert_locked(struct entry *e)
{
	unsigned h = hash(e->key);

	remove_locked(e->key, h);
	if (nentries >= MAX_ENTRIES)
		clear_locked();
	e->next = buckets[h];
	buckets[h] = e;
	nentries++;
}

bool
tcache_get_ref(const char *key, bool *found, struct tenant_ref *out)
{
	struct entry *e;
	bool hit = false;

	pthread_mutex_lock(&mu);
	if ((e = find_locked(key, hash(key))) != NULL) {
		*found = e->found;
		*out = e->ref;
		hit = true;
	}
	pthread_mutex_unlock(&mu);
	return hit;
}

static struct entry *
entry_new(const char *key, int ttl_s)
{
	struct entry *e;

	if ((e = calloc(1, sizeof(*e))) == NULL || (e->key = strdup(key)) == NULL)
		abort();
	e->expires = time(NULL) + ttl_s;
	return e;
}

/* Inserts e unless the cache changed since gen was read: the entry was
 * built from data that may be stale by now. */
static void
put(struct entry *e, uint64_t gen)
{
	pthread_mutex_lock(&mu);
	if (gen == generation)
		insert_locked(e);
	else
		entry_free(e);
	pthread_mutex_unlock(&mu);
}

void
tcache_put_ref(const char *key, bool found, const struct tenant_ref *ref, uint64_t gen)
{
	struct entry *e;

	if (ttl <= 0)
		return;
	e = entry_new(key, found ? ttl : (ttl < NEGATIVE_TTL_S ? ttl : NEGATIVE_TTL_S));
	e->found = found;
	if (found)
		e->ref = *ref;
	put(e, gen);
}

const char *
tcache_text_get(const char *key, struct arena *a, uint64_t *gen_out)
{
	struct entry *e;
	const char *out = NULL;

	pthread_mutex_lock(&mu);
	*gen_out = generation;
	if ((e = find_locked(key, hash(key))) != NULL && e->json != NULL)
		out = arena_strdup(a, e->json);
	pthread_mutex_unlock(&mu);
	return out;
}

void
tcache_text_put(const char *key, const char *text, uint64_t gen)
{
	struct entry *e;

	if (ttl <= 0)
		return;
	e = entry_new(key, ttl);
	if ((e->json = strdup(text)) == NULL)
		abort();
	e->found = true;
	put(e, gen);
}

void
tcache_invalidate(const char *tenant_id)
{
	pthread_mutex_lock(&mu);
	generation++;
	for (size_t i = 0; i < NBUCKETS; i++) {
		for (struct entry **pp = &buckets[i]; *pp != NULL;) {
			struct entry *e = *pp;
			/* Negative entries go too: the change may be the new
			 * tenant or domain they were about. Text entries are
			 * keyed "<kind>:<tenant id>". */
			const char *owner = e->json != NULL ? strchr(e->key, ':') : NULL;
			bool drop = !e->found || strcmp(e->ref.id, tenant_id) == 0 ||
			    (owner != NULL && strcmp(owner + 1, tenant_id) == 0);

			if (drop) {
				*pp = e->next;
				entry_free(e);
				nentries--;
			} else {
				pp = &e->next;
			}
		}
	}
	pthread_mutex_unlock(&mu);
}

void
tcache_clear(void)
{
	pthread_mutex_lock(&mu);
	generation++;
	clear_locked();
	pthread_mutex_unlock(&mu);
}
