/* ai_heartbeat.c — the ": ping" comments that keep an idle chat stream open
 * through proxies, every CHAT_HEARTBEAT_S, from one thread for all streams.
 *
 * A thread per stream would double the threads of a busy server (each
 * turn already runs on its own) for a write every 15 seconds. Pings go
 * through a copy of the request, so their failures touch nothing the
 * handler uses, and never wait for a slow client (a stream that far
 * behind is not idle). An entry being written is marked busy; stopping it
 * waits for that write, so the request outlives every ping sent on it. */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "modules/ai/ai_internal.h"

#define PING ": ping\n\n"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle_cv = PTHREAD_COND_INITIALIZER;	/* a ping finished */
static struct ai_heartbeat *streams;	/* doubly linked, newest first */
static bool running;

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One due stream at a time, taken busy under mu and written outside it. */
static struct ai_heartbeat *
next_due(long long now)
{
	for (struct ai_heartbeat *hb = streams; hb != NULL; hb = hb->next)
		if (!hb->busy && hb->due_ms <= now)
			return hb;
	return NULL;
}

static void *
ticker_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct ai_heartbeat *hb;

		pthread_mutex_lock(&mu);
		while ((hb = next_due(mono_ms())) != NULL) {
			hb->busy = true;
			pthread_mutex_unlock(&mu);
			if (hb->copy.cancelled == NULL || !atomic_load(hb->copy.cancelled))
				(void)!http_stream_try_write(&hb->copy, PING, strlen(PING));
			pthread_mutex_lock(&mu);
			hb->busy = false;
			hb->due_ms = mono_ms() + hb->interval_ms;
			pthread_cond_broadcast(&idle_cv);
		}
		pthread_mutex_unlock(&mu);
		/* The interval is whole seconds: a 100 ms tick is punctual enough. */
		{
			struct timespec ts = { 0, 100 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

static void
start_ticker(void)
{
	pthread_t tid;
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	running = pthread_create(&tid, &attr, ticker_main, NULL) == 0;
	pthread_attr_destroy(&attr);
}

void
ai_heartbeat_start(struct ai_heartbeat *hb, struct request *r)
{
	memset(hb, 0, sizeof(*hb));
	memcpy(&hb->copy, r, sizeof(*r));
	hb->interval_ms = r->app->cfg.chat_heartbeat_s * 1000;
	pthread_once(&once, start_ticker);
	pthread_mutex_lock(&mu);
	if (running) {		/* no ticker: no pings, nothing else lost */
		hb->due_ms = mono_ms() + hb->interval_ms;
		hb->next = streams;
		if (streams != NULL)
			streams->prev = hb;
		streams = hb;
	}
	pthread_mutex_unlock(&mu);
}

void
ai_heartbeat_stop(struct ai_heartbeat *hb)
{
	pthread_mutex_lock(&mu);
	if (running) {		/* listed by ai_heartbeat_start */
		while (hb->busy)
			pthread_cond_wait(&idle_cv, &mu);
		if (hb->prev != NULL)
			hb->prev->next = hb->next;
		else
			streams = hb->next;
		if (hb->next != NULL)
			hb->next->prev = hb->prev;
	}
	pthread_mutex_unlock(&mu);
}
