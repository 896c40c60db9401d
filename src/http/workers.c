/* workers.c — a mutex + condition variable FIFO feeding N threads, and the
 * hand-off that lets a long-running item take its thread out of the pool.
 *
 * The pool has N slots, each holding the thread that serves it now. When
 * an item detaches, a new thread is started in its slot and the detaching
 * thread carries on with its item alone; it exits once the item returns.
 * Nothing about the item moves, so a handler can detach half-way through. */
#include "http/workers.h"

#include "core/deadline.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* One of the pool's N places; tid changes each time its thread detaches. */
struct worker_slot {
	struct workers *pool;
	pthread_t tid;
};

/* A detached thread on its way out, waiting to be joined. */
struct finished {
	struct finished *next;
	pthread_t tid;
};

struct workers {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_cond_t idle_cv;	/* signalled when an item finishes */
	struct work_item *head, *tail;
	size_t queued, busy, capacity, nthreads;
	unsigned long long rejected;
	size_t detached, streams_max;
	unsigned long long streams_rejected;
	struct finished *finished;	/* exited detached threads, not joined yet */
	bool stopping;
	struct worker_slot *slots;
};

/* What a pool thread knows about itself; lives on its own stack. */
struct worker_self {
	struct workers *pool;
	struct worker_slot *slot;	/* NULL once detached */
	struct finished *done;		/* set on detach, handed over on exit */
};

static _Thread_local struct worker_self *self;

/* A seam for the unit test, which makes starting a replacement fail. */
static int (*thread_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *),
    void *) = pthread_create;

/* Joins threads that have already left worker_main, so each join is short.
 * Joined, not pthread_detach()ed: a thread still unlocking the pool's mutex
 * must be gone before workers_stop destroys it. */
static void
join_all(struct finished *f)
{
	while (f != NULL) {
		struct finished *next = f->next;

		pthread_join(f->tid, NULL);
		free(f);
		f = next;
	}
}

/* The next item, counted busy; NULL when stopping and drained. Caller
 * holds mu. */
static struct work_item *
next_item(struct workers *p)
{
	struct work_item *w;

	while (p->head == NULL && !p->stopping)
		pthread_cond_wait(&p->cv, &p->mu);
	if (p->head == NULL)
		return NULL;
	w = p->head;
	p->head = w->next;
	if (p->head == NULL)
		p->tail = NULL;
	p->queued--;
	p->busy++;
	return w;
}

/* A detached thread leaves: it queues itself to be joined by the next one
 * to leave (or by stop) and takes over joining those before it, so at most
 * a handful of exited threads wait unjoined. Caller holds mu; the returned
 * list is joined after unlocking. */
static struct finished *
leave(struct workers *p, struct worker_self *me)
{
	struct finished *earlier = p->finished;

	me->done->next = NULL;
	p->finished = me->done;
	me->done = NULL;
	return earlier;
}

static void *
worker_main(void *arg)
{
	struct worker_slot *slot = arg;
	struct workers *p = slot->pool;
	struct worker_self me = { p, slot, NULL };
	struct finished *earlier = NULL;
	struct work_item *w;

	self = &me;
	pthread_mutex_lock(&p->mu);
	while (me.slot != NULL && (w = next_item(p)) != NULL) {
		pthread_mutex_unlock(&p->mu);
		w->run(w);
		pthread_mutex_lock(&p->mu);
		if (me.slot != NULL)
			p->busy--;
		else
			p->detached--;
		pthread_cond_broadcast(&p->idle_cv);
	}
	if (me.done != NULL)
		earlier = leave(p, &me);
	pthread_mutex_unlock(&p->mu);
	join_all(earlier);
	self = NULL;
	return NULL;
}

/* Starts a thread in the slot the caller is leaving. Caller holds mu, so
 * stop never reads a slot half-replaced. */
static bool
replace(struct worker_slot *slot)
{
	pthread_t tid;

	if (thread_create(&tid, NULL, worker_main, slot) != 0)
		return false;
	slot->tid = tid;
	return true;
}

struct workers *
workers_start(size_t nthreads, size_t queue_max, size_t streams_max)
{
	struct workers *p = calloc(1, sizeof(*p));

	if (p == NULL || (p->slots = calloc(nthreads, sizeof(*p->slots))) == NULL)
		abort();
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	pthread_cond_init(&p->idle_cv, NULL);
	p->capacity = queue_max;
	p->nthreads = nthreads;
	p->streams_max = streams_max;
	for (size_t i = 0; i < nthreads; i++) {
		p->slots[i].pool = p;
		if (pthread_create(&p->slots[i].tid, NULL, worker_main, &p->slots[i]) != 0) {
			perror("pthread_create");
			abort();
		}
	}
	return p;
}

bool
workers_submit(struct workers *p, struct work_item *w)
{
	bool ok = false;

	w->next = NULL;
	pthread_mutex_lock(&p->mu);
	if (!p->stopping && p->queued < p->capacity) {
		if (p->tail)
			p->tail->next = w;
		else
			p->head = w;
		p->tail = w;
		p->queued++;
		ok = true;
		pthread_cond_signal(&p->cv);
	} else {
		p->rejected++;
	}
	pthread_mutex_unlock(&p->mu);
	return ok;
}

enum workers_detach
workers_detach(struct workers *p)
{
	struct worker_self *me = self;
	enum workers_detach res = WORKERS_KEPT;

	if (me == NULL || me->pool != p)	/* not one of p's threads */
		return WORKERS_KEPT;
	if (me->slot == NULL)
		return WORKERS_DETACHED;
	pthread_mutex_lock(&p->mu);
	/* While stopping, the slots are being joined: leave them alone. */
	if (p->streams_max == 0 || p->stopping)
		goto out;
	if (p->detached >= p->streams_max) {
		p->streams_rejected++;
		res = WORKERS_FULL;
		goto out;
	}
	/* No replacement, no hand-off: a pool one thread short for the
	 * length of a stream is worse than a stream holding a thread. */
	if (!replace(me->slot))
		goto out;
	if ((me->done = malloc(sizeof(*me->done))) == NULL)
		abort();
	me->done->tid = pthread_self();
	me->slot = NULL;
	p->busy--;
	p->detached++;
	res = WORKERS_DETACHED;
out:
	pthread_mutex_unlock(&p->mu);
	return res;
}

/* Waits for detached items, then takes the list of exited threads to
 * join. Caller holds mu; false when the deadline (if any) passed first. */
static bool
wait_detached(struct workers *p, const struct timespec *deadline, struct finished **left)
{
	while (p->detached > 0) {
		if (deadline == NULL)
			pthread_cond_wait(&p->idle_cv, &p->mu);
		else if (pthread_cond_timedwait(&p->idle_cv, &p->mu, deadline) != 0)
			break;
	}
	if (p->detached > 0)
		return false;
	*left = p->finished;
	p->finished = NULL;
	return true;
}

void
workers_stop(struct workers *p)
{
	struct finished *left = NULL;

	pthread_mutex_lock(&p->mu);
	p->stopping = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	/* No slot changes hands once stopping is set (see workers_detach). */
	for (size_t i = 0; i < p->nthreads; i++)
		pthread_join(p->slots[i].tid, NULL);
	pthread_mutex_lock(&p->mu);
	(void)wait_detached(p, NULL, &left);
	pthread_mutex_unlock(&p->mu);
	join_all(left);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	pthread_cond_destroy(&p->idle_cv);
	free(p->slots);
	free(p);
}

bool
workers_stop_within(struct workers *p, int ms)
{
	struct timespec ts;
	struct finished *left = NULL;
	bool idle;

	deadline_in_ms(&ts, ms);
	pthread_mutex_lock(&p->mu);
	p->stopping = true;
	pthread_cond_broadcast(&p->cv);
	/* Queued items nobody will deliver are dropped, not run. */
	p->head = p->tail = NULL;
	p->queued = 0;
	while (p->busy > 0)
		if (pthread_cond_timedwait(&p->idle_cv, &p->mu, &ts) != 0)
			break;
	idle = p->busy == 0 && wait_detached(p, &ts, &left);
	pthread_mutex_unlock(&p->mu);
	join_all(left);
	return idle;
}

void
workers_get_stats(struct workers *p, struct workers_stats *out)
{
	pthread_mutex_lock(&p->mu);
	out->threads = p->nthreads;
	out->busy = p->busy;
	out->queued = p->queued;
	out->capacity = p->capacity;
	out->rejected = p->rejected;
	out->streams = p->detached;
	out->streams_max = p->streams_max;
	out->streams_rejected = p->streams_rejected;
	pthread_mutex_unlock(&p->mu);
}
