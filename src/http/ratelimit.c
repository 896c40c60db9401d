/* ratelimit.c — fixed-window counters in Redis (INCR + EXPIRE in one Lua
 * call, so a crash between them cannot leave a counter that never
 * expires), with an in-process fallback: an open-addressed table of
 * SipHash'd keys, bounded in size, evicting the entry closest to expiry
 * when a neighbourhood is full. */
#include "http/ratelimit.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

#define PROBE 16
#define REDIS_CONNS 8
#define REDIS_TIMEOUT_MS 250
#define REDIS_RETRY_S 5

struct slot {
	uint64_t h;		/* 0 = empty */
	time_t expires;
	int count;
};

struct ratelimit {
	pthread_mutex_t mu;
	struct slot *slots;
	size_t nslots;
	unsigned char hkey[crypto_shorthash_KEYBYTES];
	time_t (*now)(void);

	/* Redis: a few connections handed out under mu; each is used by one
	 * thread at a time and closed on any error. */
	bool redis;
	char host[256];
	int port;
	int db;
	redisContext *idle[REDIS_CONNS];
	size_t nidle;
	time_t down_until;
	bool down_logged;
};

static time_t
now_of(struct ratelimit *rl)
{
	return rl->now ? rl->now() : time(NULL);
}

static bool
parse_url(struct ratelimit *rl, const char *url)
{
	const char *p;
	char *end;
	size_t hl;

	if (strncmp(url, "redis://", 8) != 0)
		return false;
	p = url + 8;
	if (strchr(p, '@') != NULL)	/* credentials are not supported here */
		return false;
	hl = strcspn(p, ":/");
	if (hl == 0 || hl >= sizeof(rl->host))
		return false;
	memcpy(rl->host, p, hl);
	rl->host[hl] = '\0';
	p += hl;
	rl->port = 6379;
	rl->db = 0;
	if (*p == ':') {
		long v = strtol(p + 1, &end, 10);

		if (end == p + 1 || v < 1 || v > 65535)
			return false;
		rl->port = (int)v;
		p = end;
	}
	if (*p == '/') {
		long v = *(p + 1) ? strtol(p + 1, &end, 10) : 0;

		if (*(p + 1) && (*end != '\0' || v < 0 || v > 1000))
			return false;
		rl->db = (int)v;
		p += strlen(p);
	}
	return *p == '\0';
}

struct ratelimit *
ratelimit_new(const char *redis_url, size_t local_slots)
{
	struct ratelimit *rl = calloc(1, sizeof(*rl));

	if (rl == NULL)
		abort();
	pthread_mutex_init(&rl->mu, NULL);
	rl->nslots = local_slots ? local_slots : 65536;
	rl->slots = calloc(rl->nslots, sizeof(struct slot));
	if (rl->slots == NULL)
		abort();
	randombytes_buf(rl->hkey, sizeof(rl->hkey));
	if (redis_url != NULL && redis_url[0] != '\0') {
		if (parse_url(rl, redis_url))
			rl->redis = true;
		else
			log_warn("REDIS_URL is not redis://host[:port][/db]; rate limits are"
			    " counted in-process");
	}
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	for (size_t i = 0; i < rl->nidle; i++)
		redisFree(rl->idle[i]);
	free(rl->slots);
	pthread_mutex_destroy(&rl->mu);
	free(rl);
}

void
ratelimit_set_clock(struct ratelimit *rl, time_t (*now)(void))
{
	rl->now = now;
}

bool
ratelimit_using_redis(struct ratelimit *rl)
{
	bool up;

	pthread_mutex_lock(&rl->mu);
	up = rl->redis && rl->down_until <= time(NULL);
	pthread_mutex_unlock(&rl->mu);
	return up;
}

/* ---- Redis ------------------------------------------------------------ */

static void
mark_down(struct ratelimit *rl, const char *why)
{
	pthread_mutex_lock(&rl->mu);
	rl->down_until = time(NULL) + REDIS_RETRY_S;
	if (!rl->down_logged) {
		rl->down_logged = true;
		log_warn("rate limits: Redis at %s:%d unavailable (%s); counting in-process"
		    " until it is back", rl->host, rl->port, why);
	}
	pthread_mutex_unlock(&rl->mu);
}

static redisContext *
conn_get(struct ratelimit *rl)
{
	struct timeval tv = { 0, REDIS_TIMEOUT_MS * 1000 };
	redisContext *c = NULL;
	redisReply *rep;

	pthread_mutex_lock(&rl->mu);
	if (rl->down_until > time(NULL)) {
		pthread_mutex_unlock(&rl->mu);
		return NULL;
	}
	if (rl->nidle > 0)
		c = rl->idle[--rl->nidle];
	pthread_mutex_unlock(&rl->mu);
	if (c != NULL)
		return c;
	c = redisConnectWithTimeout(rl->host, rl->port, tv);
	if (c == NULL || c->err) {
		mark_down(rl, c ? c->errstr : "out of memory");
		if (c)
			redisFree(c);
		return NULL;
	}
	redisSetTimeout(c, tv);
	if (rl->db != 0) {
		rep = redisCommand(c, "SELECT %d", rl->db);
		if (rep == NULL || rep->type == REDIS_REPLY_ERROR) {
			mark_down(rl, "SELECT failed");
			if (rep)
				freeReplyObject(rep);
			redisFree(c);
			return NULL;
		}
		freeReplyObject(rep);
	}
	pthread_mutex_lock(&rl->mu);
	if (rl->down_logged) {
		rl->down_logged = false;
		log_info("rate limits: Redis at %s:%d is back", rl->host, rl->port);
	}
	pthread_mutex_unlock(&rl->mu);
	return c;
}

static void
conn_put(struct ratelimit *rl, redisContext *c)
{
	pthread_mutex_lock(&rl->mu);
	if (rl->nidle < REDIS_CONNS) {
		rl->idle[rl->nidle++] = c;
		c = NULL;
	}
	pthread_mutex_unlock(&rl->mu);
	if (c)
		redisFree(c);
}

/* Runs one command; on success *count and *ttl are set. false = fall back. */
static bool
redis_count(struct ratelimit *rl, const char *rkey, int window_s, bool incr,
    long long *count, long long *ttl)
{
	static const char script[] =
	    "local n\n"
	    "if ARGV[2] == '1' then\n"
	    "  n = redis.call('INCR', KEYS[1])\n"
	    "  if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end\n"
	    "else\n"
	    "  n = tonumber(redis.call('GET', KEYS[1]) or '0')\n"
	    "end\n"
	    "return {n, redis.call('TTL', KEYS[1])}\n";
	char win[16];
	const char *argv[6] = { "EVAL", script, "1", rkey, win, incr ? "1" : "0" };
	redisContext *c;
	redisReply *rep;
	bool ok = false;

	if ((c = conn_get(rl)) == NULL)
		return false;
	snprintf(win, sizeof(win), "%d", window_s);
	rep = redisCommandArgv(c, 6, argv, NULL);
	if (rep != NULL && rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 &&
	    rep->element[0]->type == REDIS_REPLY_INTEGER &&
	    rep->element[1]->type == REDIS_REPLY_INTEGER) {
		*count = rep->element[0]->integer;
		*ttl = rep->element[1]->integer;
		ok = true;
	}
	if (rep)
		freeReplyObject(rep);
	if (ok) {
		conn_put(rl, c);
	} else {
		mark_down(rl, c->err ? c->errstr : "unexpected reply");
		redisFree(c);
	}
	return ok;
}

/* ---- in-process ---------------------------------------------------------- */

static uint64_t
key_hash(struct ratelimit *rl, const char *key, int window_s)
{
	unsigned char out[crypto_shorthash_BYTES];
	char buf[640];
	int n = snprintf(buf, sizeof(buf), "%d|%s", window_s, key);
	uint64_t h;

	if (n < 0 || (size_t)n >= sizeof(buf))
		n = (int)sizeof(buf) - 1;
	crypto_shorthash(out, (const unsigned char *)buf, (unsigned long long)n, rl->hkey);
	memcpy(&h, out, sizeof(h));
	return h ? h : 1;
}

/* The slot for h in its current window, or a fresh one: a free slot of
 * the neighbourhood, else the live one closest to expiry. A window starts
 * at its first event, as with Redis' EXPIRE. Caller holds mu. */
static struct slot *
local_slot(struct ratelimit *rl, uint64_t h, time_t now, int window_s, bool create)
{
	size_t start = (size_t)(h % rl->nslots);
	struct slot *victim = NULL;
	bool victim_free = false;

	for (size_t i = 0; i < PROBE && i < rl->nslots; i++) {
		struct slot *s = &rl->slots[(start + i) % rl->nslots];
		bool free_slot = s->h == 0 || s->expires <= now;

		if (s->h == h) {
			if (s->expires <= now) {	/* a new window */
				s->count = 0;
				s->expires = now + window_s;
			}
			return s;
		}
		if (victim_free)
			continue;
		if (free_slot || victim == NULL || s->expires < victim->expires) {
			victim = s;
			victim_free = free_slot;
		}
	}
	if (!create || victim == NULL)
		return NULL;
	victim->h = h;
	victim->count = 0;
	victim->expires = now + window_s;
	return victim;
}

static void
local_count(struct ratelimit *rl, const char *key, int window_s, bool incr,
    long long *count, long long *ttl)
{
	uint64_t h = key_hash(rl, key, window_s);
	time_t now;
	struct slot *s;

	pthread_mutex_lock(&rl->mu);
	now = now_of(rl);
	s = local_slot(rl, h, now, window_s, incr);
	if (s != NULL && incr)
		s->count++;
	*count = s ? s->count : 0;
	*ttl = s ? (long long)(s->expires - now) : window_s;
	pthread_mutex_unlock(&rl->mu);
}

/* ---- both ---------------------------------------------------------------- */

static bool
decide(struct ratelimit *rl, const char *key, int limit, int window_s, bool incr,
    int *retry_after)
{
	long long count = 0, ttl = window_s;
	char rkey[600];

	if (window_s < 1)
		window_s = 1;
	snprintf(rkey, sizeof(rkey), "rl:%d:%s", window_s, key);
	if (!rl->redis || !redis_count(rl, rkey, window_s, incr, &count, &ttl))
		local_count(rl, key, window_s, incr, &count, &ttl);
	/* hit: the event just counted must fit; check: one more must fit. */
	if (incr ? count <= limit : count < limit)
		return true;
	if (retry_after != NULL)
		*retry_after = ttl >= 1 ? (int)ttl : 1;
	return false;
}

bool
ratelimit_hit(struct ratelimit *rl, const char *key, int limit, int window_s,
    int *retry_after)
{
	return decide(rl, key, limit, window_s, true, retry_after);
}

bool
ratelimit_check(struct ratelimit *rl, const char *key, int limit, int window_s,
    int *retry_after)
{
	return decide(rl, key, limit, window_s, false, retry_after);
}

void
ratelimit_reset(struct ratelimit *rl, const char *key, int window_s)
{
	uint64_t h = key_hash(rl, key, window_s);
	char rkey[600];
	struct slot *s;

	snprintf(rkey, sizeof(rkey), "rl:%d:%s", window_s, key);
	if (rl->redis) {
		redisContext *c = conn_get(rl);

		if (c != NULL) {
			const char *argv[2] = { "DEL", rkey };
			redisReply *rep = redisCommandArgv(c, 2, argv, NULL);

			if (rep != NULL) {
				freeReplyObject(rep);
				conn_put(rl, c);
			} else {
				redisFree(c);
			}
		}
	}
	pthread_mutex_lock(&rl->mu);
	s = local_slot(rl, h, now_of(rl), window_s > 0 ? window_s : 1, false);
	if (s != NULL)
		s->count = 0;
	pthread_mutex_unlock(&rl->mu);
}
