/* llm_chain.c — primary → secondary → offline, with a circuit breaker per
 * provider + base URL shared by every thread of the process.
 *
 * Falling back is only safe while the customer has seen nothing of the
 * failing provider's reply: once text was streamed, a second provider
 * would start a different reply after it. So a link that fails after
 * streaming text ends the chain with its error (the engine keeps what was
 * said and tells the customer something went wrong); a link that fails
 * before — refused, timed out to first byte, broke while assembling a tool
 * call — hands over to the next one, invisibly.
 *
 * The breaker opens after N consecutive failures that say the provider is
 * unwell (timeouts, 5xx, 429, broken streams — not a tenant's rejected key
 * or a refused request), skips the provider at once while open, and after
 * the cooldown lets one probe through (half-open): its success closes the
 * breaker, its failure opens it for another cooldown. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "providers/llm.h"
#include "providers/llm_http.h"

#define MAX_BREAKERS 64

struct llm_breaker {
	char key[320];
	pthread_mutex_t mu;
	enum llm_breaker_state state;
	int failures;		/* consecutive, while closed */
	int threshold;
	long long cooldown_ms;
	long long opened_at;	/* ms; also when the half-open probe started */
	bool probing;		/* a half-open probe is in flight */
};

static struct llm_breaker breakers[MAX_BREAKERS];
static size_t nbreakers;
static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
/* Past MAX_BREAKERS distinct provider + URL pairs (tenants' own base
 * URLs), the rest share one breaker that never opens. */
static struct llm_breaker overflow = { .key = "(overflow)", .mu = PTHREAD_MUTEX_INITIALIZER,
	.threshold = 0 };

struct llm_breaker *
llm_breaker_get(const char *provider, const char *base_url, int failures, int cooldown_s)
{
	char key[sizeof(breakers[0].key)];
	struct llm_breaker *b = NULL;

	snprintf(key, sizeof(key), "%s %s", provider, base_url ? base_url : "");
	pthread_mutex_lock(&registry_mu);
	for (size_t i = 0; i < nbreakers; i++)
		if (strcmp(breakers[i].key, key) == 0)
			b = &breakers[i];
	if (b == NULL && nbreakers < MAX_BREAKERS) {
		b = &breakers[nbreakers++];
		snprintf(b->key, sizeof(b->key), "%s", key);
		pthread_mutex_init(&b->mu, NULL);
		b->state = BREAKER_CLOSED;
	}
	if (b == NULL)
		b = &overflow;
	pthread_mutex_unlock(&registry_mu);
	/* The latest configuration wins (it is the same for every caller). */
	if (b != &overflow) {
		pthread_mutex_lock(&b->mu);
		b->threshold = failures;
		b->cooldown_ms = (long long)cooldown_s * 1000;
		pthread_mutex_unlock(&b->mu);
	}
	return b;
}

/* The state machine, on an explicit clock so tests can drive it. */

/* May a call go to this provider now? A half-open breaker admits one probe
 * at a time; a probe that never reported back (its thread died) is
 * replaced after another cooldown. */
static bool
breaker_allow(struct llm_breaker *b, long long now)
{
	bool ok;

	pthread_mutex_lock(&b->mu);
	switch (b->state) {
	case BREAKER_CLOSED:
		ok = true;
		break;
	case BREAKER_OPEN:
		ok = now - b->opened_at >= b->cooldown_ms;
		if (ok) {
			b->state = BREAKER_HALF_OPEN;
			b->probing = true;
			b->opened_at = now;
		}
		break;
	case BREAKER_HALF_OPEN:
	default:
		ok = !b->probing || now - b->opened_at >= b->cooldown_ms;
		if (ok) {
			b->probing = true;
			b->opened_at = now;
		}
		break;
	}
	pthread_mutex_unlock(&b->mu);
	return ok;
}

static void
breaker_success(struct llm_breaker *b)
{
	pthread_mutex_lock(&b->mu);
	b->state = BREAKER_CLOSED;
	b->failures = 0;
	b->probing = false;
	pthread_mutex_unlock(&b->mu);
}

/* Returns true when this failure opened the breaker. */
static bool
breaker_failure(struct llm_breaker *b, long long now)
{
	bool opened = false;

	pthread_mutex_lock(&b->mu);
	if (b->threshold <= 0) {
		/* never opens */
	} else if (b->state == BREAKER_HALF_OPEN) {
		b->state = BREAKER_OPEN;
		b->opened_at = now;
		b->probing = false;
		opened = true;
	} else if (b->state == BREAKER_CLOSED && ++b->failures >= b->threshold) {
		b->state = BREAKER_OPEN;
		b->opened_at = now;
		opened = true;
	}
	pthread_mutex_unlock(&b->mu);
	return opened;
}

/* A call that ended without saying anything about the provider's health
 * (cancelled, or the caller's own fault): a half-open probe is released
 * without deciding. */
static void
breaker_neutral(struct llm_breaker *b)
{
	pthread_mutex_lock(&b->mu);
	if (b->state == BREAKER_HALF_OPEN)
		b->probing = false;
	pthread_mutex_unlock(&b->mu);
}

enum llm_breaker_state
llm_breaker_state(struct llm_breaker *b)
{
	enum llm_breaker_state s;

	pthread_mutex_lock(&b->mu);
	s = b->state;
	pthread_mutex_unlock(&b->mu);
	return s;
}

/* ---- the chain ------------------------------------------------------------------ */

struct chain {
	struct llm_chain_link *links;
	size_t n;
};

/* Counts what reaches the customer, passing it on. */
struct watch {
	const struct llm_stream *inner;
	size_t streamed;
};

static void
watch_text(void *ud, const char *delta, size_t n)
{
	struct watch *w = ud;

	w->streamed += n;
	if (w->inner != NULL && w->inner->on_text != NULL)
		w->inner->on_text(w->inner->ud, delta, n);
}

enum next { NEXT_DONE, NEXT_FALLBACK, NEXT_STOP };

/* What to do after a link returned st: pure, for the unit tests. */
static enum next
chain_decide(enum status st, size_t streamed, bool cancelled)
{
	if (st == ST_OK)
		return NEXT_DONE;
	if (cancelled)
		return NEXT_STOP;
	if (streamed > 0)
		return NEXT_STOP;
	return NEXT_FALLBACK;
}

static bool
health_failure(enum status st, const struct llm_call_info *info)
{
	if (info == NULL)
		return st != ST_OK;
	if (info->cancelled || info->caller_fault)
		return false;
	return st == ST_TIMEOUT || st == ST_UPSTREAM || st == ST_TOO_LARGE;
}

static void
log_fallback(const char *from, const char *to, enum status st, const struct err *e,
    size_t streamed)
{
	log_emit(LOG_WARN, "llm provider failed", json_pack("{s:s, s:s, s:s, s:s, s:I}",
	    "provider", from, "next", to ? to : "(none)", "status", status_code(st),
	    "reason", e->message, "streamed_bytes", (json_int_t)streamed));
}

static enum status
chain_complete(struct llm_provider *self, struct arena *a, const struct llm_request *req,
    const struct llm_stream *stream, struct llm_response *out, struct err *e)
{
	struct chain *c = self->ctx;
	long long start = llm_now_ms();
	enum status st = ST_UNAVAILABLE;
	struct err last;
	bool tried = false;

	err_clear(&last);
	for (size_t i = 0; i < c->n; i++) {
		struct llm_chain_link *l = &c->links[i];
		struct watch w = { .inner = stream };
		struct llm_stream ws = { .on_text = watch_text, .ud = &w };
		struct llm_request r = *req;
		const struct llm_call_info *info;
		struct err le;
		long long now = llm_now_ms();
		bool last_link = i + 1 == c->n;

		if (req->cancelled != NULL && atomic_load(req->cancelled))
			return err_set(e, ST_UNAVAILABLE, "the customer went away");
		/* The request's own deadline covers the whole chain; a remote
		 * provider with no time left is skipped, the local last link
		 * always runs. */
		if (req->timeout_ms > 0 && l->breaker != NULL) {
			long long left = req->timeout_ms - (now - start);

			if (left <= 0)
				continue;
			r.timeout_ms = (int)left;
		}
		if (l->breaker != NULL && !breaker_allow(l->breaker, now)) {
			log_emit(LOG_INFO, "llm provider skipped: circuit open",
			    json_pack("{s:s}", "provider", l->provider->name));
			if (!tried)
				err_set(&last, ST_UNAVAILABLE, "%s: circuit open", l->provider->name);
			continue;
		}
		tried = true;
		err_clear(&le);
		memset(out, 0, sizeof(*out));
		st = l->provider->complete(l->provider, a, &r, &ws, out, &le);
		info = llm_remote_call_info(l->provider);
		if (l->breaker != NULL) {
			if (st == ST_OK)
				breaker_success(l->breaker);
			else if (health_failure(st, info)) {
				if (breaker_failure(l->breaker, llm_now_ms()))
					log_emit(LOG_WARN, "llm circuit opened",
					    json_pack("{s:s}", "provider", l->provider->name));
			} else
				breaker_neutral(l->breaker);
		}
		switch (chain_decide(st, w.streamed,
		    (info && info->cancelled) || (req->cancelled && atomic_load(req->cancelled)))) {
		case NEXT_DONE:
			if (out->provider == NULL)
				out->provider = l->provider->name;
			return ST_OK;
		case NEXT_STOP:
			log_fallback(l->provider->name, NULL, st, &le, w.streamed);
			*e = le;
			return st;
		case NEXT_FALLBACK:
			log_fallback(l->provider->name,
			    last_link ? NULL : c->links[i + 1].provider->name, st, &le, 0);
			last = le;
			if (info != NULL && info->retry_after_s > 0)
				last.retry_after = info->retry_after_s;
			break;
		}
	}
	*e = last;
	if (e->message[0] == '\0')
		err_set(e, ST_UNAVAILABLE, "no model provider is available");
	return st == ST_OK ? ST_UNAVAILABLE : st;
}

static void
chain_free(struct llm_provider *self)
{
	(void)self;
}

struct llm_provider *
llm_chain_new(struct arena *a, const struct llm_chain_link *links, size_t n)
{
	struct llm_provider *p = arena_calloc(a, 1, sizeof(*p));
	struct chain *c = arena_calloc(a, 1, sizeof(*c));

	c->links = arena_calloc(a, n ? n : 1, sizeof(*c->links));
	memcpy(c->links, links, n * sizeof(*links));
	c->n = n;
	p->name = "chain";
	p->complete = chain_complete;
	p->free = chain_free;
	p->ctx = c;
	return p;
}
