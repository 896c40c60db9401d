/* events_hub.c — fans each app_events notification out to the open streams
 * of its tenant whose principal may see it.
 *
 * The listener thread publishes; each stream's thread waits on its own
 * condition variable and drains its queue. One mutex guards the list and
 * every queue: a notification is a few hundred bytes and streams are
 * capped, so contention is not worth finer locks. A stream whose queue is
 * full (a client far behind) is marked lagging and closed by its thread:
 * the browser reconnects and refetches. */
#include "modules/events/events_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "modules/auth/auth.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct events_sub *subs;
static int total;
static uint64_t next_id = 1;

bool
events_visible(const struct principal *p, const char *kind,
    const char *const *staff_user_ids, size_t n)
{
	struct err e;
	bool booking = strncmp(kind, "booking.", 8) == 0;
	enum resource res = booking ? RES_BOOKINGS : RES_CONVERSATIONS;

	if (p == NULL || authz_check(p, PERM(res, VERB_READ), &e) != ST_OK)
		return false;
	if (!booking || p->role != ROLE_STAFF)
		return true;
	for (size_t i = 0; i < n; i++)
		if (strcmp(staff_user_ids[i], p->id) == 0)
			return true;
	return false;
}

enum status
events_subscribe(struct events_sub *s, int max_total, int max_tenant)
{
	int in_tenant = 0;
	enum status st = ST_OK;

	pthread_cond_init(&s->cv, NULL);
	pthread_mutex_lock(&mu);
	for (struct events_sub *o = subs; o != NULL; o = o->next)
		if (strcmp(o->tenant_id, s->tenant_id) == 0)
			in_tenant++;
	if (total >= max_total || in_tenant >= max_tenant) {
		st = ST_UNAVAILABLE;
		goto out;
	}
	s->next = subs;
	subs = s;
	total++;
out:
	pthread_mutex_unlock(&mu);
	if (st != ST_OK)
		pthread_cond_destroy(&s->cv);
	return st;
}

void
events_unsubscribe(struct events_sub *s)
{
	pthread_mutex_lock(&mu);
	for (struct events_sub **pp = &subs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			total--;
			break;
		}
	pthread_mutex_unlock(&mu);
	while (s->head != s->tail)
		free(s->q[s->head++ % EVENTS_QUEUE]);
	pthread_cond_destroy(&s->cv);
}

/* Takes the next queued event (malloc'd "id: …\nevent: …\ndata: …\n\n"),
 * waiting up to wait_ms. NULL on timeout; *lagging when dropped events. */
char *
events_next(struct events_sub *s, int wait_ms, bool *lagging)
{
	struct timespec ts;
	char *m = NULL;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += wait_ms / 1000;
	ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&mu);
	while (s->head == s->tail && !s->lagging &&
	    pthread_cond_timedwait(&s->cv, &mu, &ts) == 0)
		;
	if (s->head != s->tail)
		m = s->q[s->head++ % EVENTS_QUEUE];
	*lagging = s->lagging;
	pthread_mutex_unlock(&mu);
	return m;
}

void
events_publish(const char *payload)
{
	json_t *j = json_loads(payload, 0, NULL), *ids = NULL, *tj = NULL;
	const char *tenant, *kind;
	const char *users[16];
	size_t n = 0, idx;
	json_t *v;

	if (j == NULL)
		return;
	/* Held: both leave the object before it is sent. */
	tj = json_incref(json_object_get(j, "tenant_id"));
	ids = json_incref(json_object_get(j, "staff_user_ids"));
	tenant = json_string_value(tj);
	kind = json_string_value(json_object_get(j, "kind"));
	if (tenant == NULL || kind == NULL)
		goto out;
	json_array_foreach(ids, idx, v)
		if (n < sizeof(users) / sizeof(users[0]) && json_is_string(v))
			users[n++] = json_string_value(v);
	/* The browser needs neither the tenant (it is its own) nor the
	 * user ids (they only route the event). */
	json_object_del(j, "tenant_id");
	json_object_del(j, "staff_user_ids");
	pthread_mutex_lock(&mu);
	for (struct events_sub *s = subs; s != NULL; s = s->next) {
		char *d, *m;

		if (strcmp(s->tenant_id, tenant) != 0 ||
		    !events_visible(&s->principal, kind, users, n))
			continue;
		if (s->tail - s->head >= EVENTS_QUEUE) {
			s->lagging = true;
			pthread_cond_signal(&s->cv);
			continue;
		}
		json_object_set_new(j, "id", json_integer((json_int_t)next_id));
		d = json_dumps(j, JSON_COMPACT);
		if (d == NULL || asprintf(&m, "id: %llu\nevent: %s\ndata: %s\n\n",
		    (unsigned long long)next_id, kind, d) < 0)
			m = NULL;
		free(d);
		next_id++;
		if (m == NULL)
			continue;
		s->q[s->tail++ % EVENTS_QUEUE] = m;
		pthread_cond_signal(&s->cv);
	}
	pthread_mutex_unlock(&mu);
out:
	json_decref(tj);
	json_decref(ids);
	json_decref(j);
}

/* Notifications sent while the listener was away are lost: every stream is
 * told to reload what it shows. */
void
events_resync(void)
{
	pthread_mutex_lock(&mu);
	for (struct events_sub *s = subs; s != NULL; s = s->next) {
		char *m;

		if (s->tail - s->head >= EVENTS_QUEUE) {
			s->lagging = true;
		} else if (asprintf(&m, "id: %llu\nevent: resync\ndata: {}\n\n",
		    (unsigned long long)next_id++) >= 0) {
			s->q[s->tail++ % EVENTS_QUEUE] = m;
		}
		pthread_cond_signal(&s->cv);
	}
	pthread_mutex_unlock(&mu);
}
