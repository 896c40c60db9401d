/* tenants_cache.h — process-local cache of tenant resolutions and rendered
 * public profiles. Entries expire after TENANT_CACHE_TTL_S and are dropped
 * at once when PostgreSQL notifies that a tenant changed. A generation
 * counter keeps a lookup that raced an invalidation from caching stale
 * data. */
#ifndef TENANTS_CACHE_H
#define TENANTS_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/ctx.h"
#include "modules/tenants/tenants.h"

void tcache_init(int ttl_s);
uint64_t tcache_generation(void);

/* Resolution entries, keyed by "h:<host>" or "r:<ref>". A negative entry
 * (found = false) remembers an unknown name briefly. */
bool tcache_get_ref(const char *key, bool *found, struct tenant_ref *out);
void tcache_put_ref(const char *key, bool found, const struct tenant_ref *ref,
    uint64_t gen);

/* Text entries (tcache_text_get / tcache_text_put) and tcache_invalidate
 * are declared in tenants.h: other modules use them. */

void tcache_clear(void);

#endif
