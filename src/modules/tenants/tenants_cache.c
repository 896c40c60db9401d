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
/* Byte entries (the claims availability reads: ~70 bytes a claim) are
 * capped in all, and live briefly: a change in another process reaches
 * this one by NOTIFY, and the TTL bounds what a lost one could leave. */
#define BLOB_BYTES_MAX (64u << 20)
#define BLOB_TTL_S 10

struct entry {
	struct entry *next;
	char *key;
	bool found;
	struct tenant_ref ref;	/* for resolution entries */
	char *data;		/* text entries: a string; byte entries: len bytes */
	size_t len;		/* byte entries; 0 for text */
	bool counted;		/* byte entries: in blob_bytes (inserted) */
	uint64_t stamp;		/* byte entries: the tenant's claims stamp */
	time_t expires;
};

/* A tenant's claims stamp (tcache_claims_stamp). */
struct stamp {
	struct stamp *next;
	char tenant[40];
	uint64_t value;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct entry *buckets[NBUCKETS];
static size_t nentries;
static uint64_t generation;
static int ttl;
static size_t blob_bytes;
/* Stamps are drawn from one counter that never goes back, and a tenant
 * with none has stamp_base (moved on every clear): a stamp read before a
 * clear can never equal one after it. Kept apart from the entries so the
 * entries' cap does not reset them. */
static struct stamp *stamps[NBUCKETS];
static uint64_t stamp_counter, stamp_base;

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
	if (e->counted)
		blob_bytes -= e->len;
	free(e->key);
	free(e->data);
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

static void
stamps_clear_locked(void)
{
	for (size_t i = 0; i < NBUCKETS; i++) {
		struct stamp *t = stamps[i], *n;

		for (; t != NULL; t = n) {
			n = t->next;
			free(t);
		}
		stamps[i] = NULL;
	}
	stamp_base = ++stamp_counter;
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
	if (nentries >= MAX_ENTRIES || blob_bytes + e->len > BLOB_BYTES_MAX)
		clear_locked();
	blob_bytes += e->len;
	e->counted = e->len > 0;
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
	if ((e = find_locked(key, hash(key))) != NULL && e->data != NULL && e->len == 0)
		out = arena_strdup(a, e->data);
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
	if ((e->data = strdup(text)) == NULL)
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
			const char *owner = e->data != NULL ? strchr(e->key, ':') : NULL;
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
	stamps_clear_locked();
	pthread_mutex_unlock(&mu);
}

static struct stamp *
stamp_find_locked(const char *tenant_id, unsigned h)
{
	for (struct stamp *t = stamps[h]; t != NULL; t = t->next)
		if (strcmp(t->tenant, tenant_id) == 0)
			return t;
	return NULL;
}

static uint64_t
stamp_now_locked(const char *tenant_id)
{
	struct stamp *t = stamp_find_locked(tenant_id, hash(tenant_id));

	return t != NULL ? t->value : stamp_base;
}

uint64_t
tcache_claims_stamp(const char *tenant_id)
{
	uint64_t v;

	pthread_mutex_lock(&mu);
	v = stamp_now_locked(tenant_id);
	pthread_mutex_unlock(&mu);
	return v;
}

void
tcache_claims_touch(const char *tenant_id)
{
	unsigned h = hash(tenant_id);
	struct stamp *t;

	if (strlen(tenant_id) >= sizeof(t->tenant))
		return;		/* not a tenant id: nothing is kept under it */
	pthread_mutex_lock(&mu);
	if ((t = stamp_find_locked(tenant_id, h)) == NULL) {
		if ((t = calloc(1, sizeof(*t))) == NULL)
			abort();
		memcpy(t->tenant, tenant_id, strlen(tenant_id) + 1);
		t->next = stamps[h];
		stamps[h] = t;
	}
	t->value = ++stamp_counter;
	pthread_mutex_unlock(&mu);
}

/* Byte entries are keyed "c:<tenant id>:<what>". */
static char *
claims_key(const char *tenant_id, const char *what, char *buf, size_t n)
{
	int w = snprintf(buf, n, "c:%s:%s", tenant_id, what);

	return w > 0 && (size_t)w < n ? buf : NULL;
}

const void *
tcache_claims_get(const char *tenant_id, const char *what, struct arena *a, size_t *len)
{
	char buf[256];
	const char *key = claims_key(tenant_id, what, buf, sizeof(buf));
	struct entry *e;
	void *out = NULL;

	*len = 0;
	if (key == NULL)
		return NULL;
	pthread_mutex_lock(&mu);
	if ((e = find_locked(key, hash(key))) != NULL && e->len > 0 &&
	    e->stamp == stamp_now_locked(tenant_id)) {
		out = arena_alloc(a, e->len);
		memcpy(out, e->data, e->len);
		*len = e->len;
	}
	pthread_mutex_unlock(&mu);
	return out;
}

void
tcache_claims_put(const char *tenant_id, const char *what, uint64_t stamp, const void *data,
    size_t len)
{
	char buf[256];
	const char *key = claims_key(tenant_id, what, buf, sizeof(buf));
	struct entry *e;

	if (ttl <= 0 || key == NULL || len == 0 || len > BLOB_BYTES_MAX / 4)
		return;
	e = entry_new(key, ttl < BLOB_TTL_S ? ttl : BLOB_TTL_S);
	if ((e->data = malloc(len)) == NULL)
		abort();
	memcpy(e->data, data, len);
	e->len = len;
	e->stamp = stamp;
	e->found = true;	/* not a negative entry: tcache_invalidate keeps it */
	pthread_mutex_lock(&mu);
	/* Read under a stamp that has moved since: stale already. */
	if (stamp == stamp_now_locked(tenant_id))
		insert_locked(e);
	else
		entry_free(e);
	pthread_mutex_unlock(&mu);
}
