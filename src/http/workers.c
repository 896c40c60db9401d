/* workers.c — a mutex + condition variable FIFO feeding N threads. */
#include "http/workers.h"

#include "core/deadline.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct workers {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_cond_t idle_cv;	/* signalled when an item finishes */
	struct work_item *head, *tail;
	size_t queued, busy, capacity, nthreads;
	unsigned long long rejected;
	bool stopping;
	pthread_t *threads;
};

static void *
worker_main(void *arg)
{
	struct workers *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct work_item *w;

		while (p->head == NULL && !p->stopping)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->head == NULL)	/* stopping and drained */
			break;
		w = p->head;
		p->head = w->next;
		if (p->head == NULL)
			p->tail = NULL;
		p->queued--;
		p->busy++;
		pthread_mutex_unlock(&p->mu);
		w->run(w);
		pthread_mutex_lock(&p->mu);
		p->busy--;
		pthread_cond_broadcast(&p->idle_cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct workers *
workers_start(size_t nthreads, size_t queue_max)
{
	struct workers *p = calloc(1, sizeof(*p));

	if (p == NULL || (p->threads = calloc(nthreads, sizeof(pthread_t))) == NULL)
		abort();
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	pthread_cond_init(&p->idle_cv, NULL);
	p->capacity = queue_max;
	p->nthreads = nthreads;
	for (size_t i = 0; i < nthreads; i++) {
		if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0) {
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

void
workers_stop(struct workers *p)
{
	pthread_mutex_lock(&p->mu);
	p->stopping = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (size_t i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	pthread_cond_destroy(&p->idle_cv);
	free(p->threads);
	free(p);
}

bool
workers_stop_within(struct workers *p, int ms)
{
	struct timespec ts;
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
	idle = p->busy == 0;
	pthread_mutex_unlock(&p->mu);
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
	pthread_mutex_unlock(&p->mu);
}
