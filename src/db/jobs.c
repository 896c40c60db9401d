/* jobs.c — enqueue, claim, complete, fail; the worker process's threads.
 *
 * Claiming crosses tenants and goes through the SECURITY DEFINER functions
 * of migration 0003; a handler then works inside its job's tenant like any
 * request. A worker killed mid-job leaves its lease to expire, and another
 * worker claims the job again. */
#include "db/jobs.h"

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "core/log.h"
#include "db/db.h"
#include "core/deadline.h"
#include "core/ids.h"
#include "db/listen.h"

enum status
jobs_enqueue_when(struct db_tx *tx, const char *kind, json_t *payload,
    const char *unique_key, int delay_s, int max_attempts, const char *guard)
{
	char delay[16], attempts[16];
	char *body = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
	const char *params[5] = { kind, body ? body : "{}", unique_key, delay, attempts };
	static const char insert[] = "INSERT INTO jobs (tenant_id, kind, payload, unique_key,"
	    " run_at, max_attempts) SELECT app_tenant(), $1, $2::jsonb, $3,"
	    " now() + make_interval(secs => $4::int), $5::int";

	snprintf(delay, sizeof(delay), "%d", delay_s);
	snprintf(attempts, sizeof(attempts), "%d", max_attempts > 0 ? max_attempts : 5);
	if (body != NULL)
		arena_defer(tx->arena, free, body);
	/* Nobody reads the answer: it goes with the transaction's next
	 * statement or its commit. */
	return db_queue(tx, arena_printf(tx->arena, "%s%s%s ON CONFLICT DO NOTHING", insert,
	    guard ? " WHERE " : "", guard ? guard : ""), 5, params);
}

enum status
jobs_enqueue(struct db_tx *tx, const char *kind, json_t *payload,
    const char *unique_key, int delay_s, int max_attempts)
{
	return jobs_enqueue_when(tx, kind, payload, unique_key, delay_s, max_attempts, NULL);
}

int
jobs_backoff_s(int attempt, int base_s, int cap_s, unsigned seed)
{
	long d = base_s;
	long jitter;

	for (int i = 1; i < attempt && d < cap_s; i++)
		d *= 2;
	if (d > cap_s)
		d = cap_s;
	/* Jitter spreads retries of jobs that failed together. */
	jitter = d / 5;
	if (jitter > 0)
		d += (long)(seed % (unsigned)(2 * jitter + 1)) - jitter;
	if (d > INT_MAX)
		d = INT_MAX;
	return d < 1 ? 1 : (int)d;
}

/* The job each worker thread holds, so the lease keeper can extend it. */
struct held_job {
	bool active;
	char id[24];
	char token[UUID_STR_LEN + 1];
};

struct worker_rt {
	struct db_pool *pool;
	const struct config *cfg;
	struct held_job *held;		/* one per worker thread, under mu */
	size_t nthreads;
	const struct job_handler *handlers;
	size_t nhandlers;
	const struct periodic_job *periodic;
	size_t nperiodic;
	char worker_id[96];
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned long long wakeups;
	atomic_bool stopping;
};

/* The runner's own transactions (claim, finish, lease, schedule) cross
 * tenants through the SECURITY DEFINER functions, so they set none. */
static enum status
platform_begin(struct worker_rt *rt, struct db_tx *tx, struct arena *a, struct err *e)
{
	struct ctx c;

	ctx_init(&c, ACTOR_SYSTEM, a, e, rt->pool, rt->cfg);
	return db_tx_begin(tx, &c);
}

static const struct job_handler *
find_handler(struct worker_rt *rt, const char *kind)
{
	for (size_t i = 0; i < rt->nhandlers; i++)
		if (strcmp(rt->handlers[i].kind, kind) == 0)
			return &rt->handlers[i];
	return NULL;
}

static void
finish(struct worker_rt *rt, struct arena *a, const char *id, const char *token,
    enum status st, struct job *job)
{
	struct db_tx tx;
	struct err e;
	enum status s2;

	err_clear(&e);
	if (platform_begin(rt, &tx, a, &e) != ST_OK) {
		/* The lease will expire and the job will run again. */
		log_warn("job %s: cannot record its outcome: %s", id, e.message);
		return;
	}
	if (st == ST_OK) {
		const char *p[2] = { id, token };

		PGresult *res = db_exec(&tx, "SELECT jobs_complete($1::bigint, $2::uuid)", 2, p);

		/* NULL: the lease was lost (a stall longer than JOB_LEASE_S) and
		 * another worker owns the job now; its outcome is the one kept. */
		if (res != NULL && db_val(res, 0, 0) == NULL)
			log_warn("job %s: lease lost before completion; result discarded", id);
	} else {
		char backoff[16];
		const char *msg = job->err.message[0] ? job->err.message : status_code(st);
		const char *p[4] = { id, token, msg, backoff };
		PGresult *res;

		snprintf(backoff, sizeof(backoff), "%d", jobs_backoff_s(job->attempt,
		    rt->cfg->job_backoff_base_s, 3600, (unsigned)rand()));
		res = db_exec(&tx, "SELECT jobs_fail($1::bigint, $2::uuid, $3, $4::int)", 4, p);
		log_emit(LOG_WARN, "job failed", json_pack("{s:s, s:s, s:i, s:s, s:s}",
		    "job_id", id, "kind", job->kind, "attempt", job->attempt, "error", msg,
		    "state", res && db_val(res, 0, 0) ? db_val(res, 0, 0) : "lease lost"));
	}
	s2 = db_tx_end(&tx, ST_OK);
	(void)s2;
}

/* Claims and runs one job; false when there was nothing to do. */
static void
hold(struct worker_rt *rt, size_t slot, const char *id, const char *token)
{
	pthread_mutex_lock(&rt->mu);
	rt->held[slot].active = id != NULL;
	if (id != NULL) {
		snprintf(rt->held[slot].id, sizeof(rt->held[slot].id), "%s", id);
		snprintf(rt->held[slot].token, sizeof(rt->held[slot].token), "%s", token);
	}
	pthread_mutex_unlock(&rt->mu);
}

static bool
run_one(struct worker_rt *rt, size_t slot)
{
	struct arena a;
	struct db_tx tx;
	struct err e;
	PGresult *res;
	struct job job;
	const struct job_handler *h;
	char lease[16];
	const char *p[3] = { rt->worker_id, lease, "1" };
	const char *id, *token;
	json_error_t jerr;
	enum status st;
	bool did = false;

	arena_init(&a, 8192);
	err_clear(&e);
	snprintf(lease, sizeof(lease), "%d", rt->cfg->job_lease_s);
	if (platform_begin(rt, &tx, &a, &e) != ST_OK)
		goto out;
	res = db_exec(&tx, "SELECT id, tenant_id, kind, payload, attempts, max_attempts,"
	    " lease_token FROM jobs_claim($1, $2::int, $3::int)", 3, p);
	st = db_tx_end(&tx, res ? ST_OK : db_status(&tx));
	if (st != ST_OK || res == NULL || PQntuples(res) == 0)
		goto out;
	did = true;

	memset(&job, 0, sizeof(job));
	id = db_val(res, 0, 0);
	token = db_val(res, 0, 6);
	job.id = atoll(id);
	job.tenant_id = db_val(res, 0, 1);
	job.kind = db_val(res, 0, 2);
	job.payload = json_loads(db_val(res, 0, 3), 0, &jerr);
	if (job.payload != NULL)
		arena_defer(&a, (void (*)(void *))json_decref, job.payload);
	job.attempt = atoi(db_val(res, 0, 4));
	job.max_attempts = atoi(db_val(res, 0, 5));
	job.arena = &a;
	job.stopping = &rt->stopping;
	err_clear(&job.err);
	ctx_init(&job.ctx, ACTOR_SYSTEM, &a, &job.err, rt->pool, rt->cfg);
	if (job.tenant_id != NULL)
		ctx_set_tenant(&job.ctx, job.tenant_id);
	job.ctx.cancelled = &rt->stopping;

	hold(rt, slot, id, token);
	if ((h = find_handler(rt, job.kind)) == NULL) {
		st = err_set(&job.err, ST_INTERNAL, "no handler for job kind %s", job.kind);
	} else {
		log_emit(LOG_INFO, "job started", json_pack("{s:s, s:s, s:s?, s:i}", "job_id", id,
		    "kind", job.kind, "tenant_id", job.tenant_id, "attempt", job.attempt));
		st = h->run(&job);
	}
	hold(rt, slot, NULL, NULL);
	finish(rt, &a, id, token, st, &job);
	if (st == ST_OK)
		log_emit(LOG_INFO, "job done", json_pack("{s:s, s:s}", "job_id", id, "kind", job.kind));
out:
	arena_free(&a);
	return did;
}

static void
wait_for_work(struct worker_rt *rt, int ms)
{
	struct timespec ts;
	unsigned long long seen;

	deadline_in_ms(&ts, ms);
	pthread_mutex_lock(&rt->mu);
	seen = rt->wakeups;
	while (seen == rt->wakeups && !atomic_load(&rt->stopping))
		if (pthread_cond_timedwait(&rt->cv, &rt->mu, &ts) != 0)
			break;
	pthread_mutex_unlock(&rt->mu);
}

struct worker_arg {
	struct worker_rt *rt;
	size_t slot;
};

static void
wait_for_stop(struct worker_rt *rt, int ms)
{
	struct timespec ts;

	deadline_in_ms(&ts, ms);
	pthread_mutex_lock(&rt->mu);
	while (!atomic_load(&rt->stopping))
		if (pthread_cond_timedwait(&rt->cv, &rt->mu, &ts) != 0)
			break;
	pthread_mutex_unlock(&rt->mu);
}

static void *
worker_thread(void *arg)
{
	struct worker_arg *wa = arg;
	struct worker_rt *rt = wa->rt;

	while (!atomic_load(&rt->stopping)) {
		if (!run_one(rt, wa->slot))
			/* Poll too: delayed retries and expired leases send no
			 * notification. */
			wait_for_work(rt, 1000);
	}
	return NULL;
}

/* Extends the leases of running jobs every third of a lease, so a job
 * that runs long is not taken by another worker while it is still going;
 * only a worker that died (and stopped extending) loses its jobs. */
static void *
lease_keeper(void *arg)
{
	struct worker_rt *rt = arg;
	int every_ms = rt->cfg->job_lease_s * 1000 / 3;

	while (!atomic_load(&rt->stopping)) {
		struct held_job snapshot[256];
		size_t n = 0;
		char lease[16];
		struct arena a;
		struct db_tx tx;
		struct err e;

		wait_for_stop(rt, every_ms);
		pthread_mutex_lock(&rt->mu);
		for (size_t i = 0; i < rt->nthreads && n < 256; i++)
			if (rt->held[i].active)
				snapshot[n++] = rt->held[i];
		pthread_mutex_unlock(&rt->mu);
		if (n == 0)
			continue;
		snprintf(lease, sizeof(lease), "%d", rt->cfg->job_lease_s);
		arena_init(&a, 4096);
		err_clear(&e);
		if (platform_begin(rt, &tx, &a, &e) == ST_OK) {
			for (size_t i = 0; i < n; i++)
				(void)db_exec(&tx, "SELECT jobs_extend($1::bigint, $2::uuid, $3::int)", 3,
				    (const char *[]){ snapshot[i].id, snapshot[i].token, lease });
			if (db_tx_end(&tx, ST_OK) != ST_OK)
				log_warn("could not extend job leases: %s", e.message);
		}
		arena_free(&a);
	}
	return NULL;
}

static void
wake_all(struct worker_rt *rt)
{
	pthread_mutex_lock(&rt->mu);
	rt->wakeups++;
	pthread_cond_broadcast(&rt->cv);
	pthread_mutex_unlock(&rt->mu);
}

static void
on_notify(const char *channel, const char *payload, void *ud)
{
	(void)channel;
	(void)payload;
	wake_all(ud);
}

static void
on_reconnect(void *ud)
{
	wake_all(ud);
}

static void
schedule_periodic(struct worker_rt *rt)
{
	struct arena a;
	struct db_tx tx;
	struct err e;
	long now = (long)time(NULL);

	arena_init(&a, 4096);
	err_clear(&e);
	if (platform_begin(rt, &tx, &a, &e) == ST_OK) {
		for (size_t i = 0; i < rt->nperiodic; i++) {
			/* One key per period: however many workers run this, the
			 * unique constraint lets one enqueue win. */
			char *key = arena_printf(&a, "%s@%ld", rt->periodic[i].kind,
			    now / rt->periodic[i].every_s);
			const char *p[2] = { rt->periodic[i].kind, key };

			(void)db_exec(&tx, "SELECT jobs_enqueue_platform($1, '{}', $2, now())", 2, p);
		}
		if (db_tx_end(&tx, ST_OK) != ST_OK)
			log_warn("periodic jobs not scheduled: %s", e.message);
	}
	arena_free(&a);
}

enum status
jobs_worker_run(struct db_pool *pool, const struct config *cfg,
    const struct job_handler *handlers, size_t nhandlers,
    const struct periodic_job *periodic, size_t nperiodic)
{
	static const char *const channels[] = { "jobs", NULL };
	struct worker_rt rt;
	struct db_listener *l;
	pthread_t *tids, keeper;
	struct worker_arg *args;
	size_t n = (size_t)cfg->job_concurrency;
	sigset_t set;
	int sig = 0;
	char host[64] = "";

	memset(&rt, 0, sizeof(rt));
	rt.pool = pool;
	rt.cfg = cfg;
	rt.handlers = handlers;
	rt.nhandlers = nhandlers;
	rt.periodic = periodic;
	rt.nperiodic = nperiodic;
	gethostname(host, sizeof(host) - 1);
	snprintf(rt.worker_id, sizeof(rt.worker_id), "%s:%ld", host, (long)getpid());
	pthread_mutex_init(&rt.mu, NULL);
	pthread_cond_init(&rt.cv, NULL);
	atomic_init(&rt.stopping, false);
	srand((unsigned)time(NULL) ^ (unsigned)getpid());

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	l = db_listen_start(cfg->database_listen_url, channels, on_notify, on_reconnect, &rt);
	if ((tids = calloc(n, sizeof(*tids))) == NULL || (args = calloc(n, sizeof(*args))) == NULL ||
	    (rt.held = calloc(n, sizeof(*rt.held))) == NULL)
		abort();
	rt.nthreads = n;
	for (size_t i = 0; i < n; i++) {
		args[i].rt = &rt;
		args[i].slot = i;
		pthread_create(&tids[i], NULL, worker_thread, &args[i]);
	}
	pthread_create(&keeper, NULL, lease_keeper, &rt);
	log_emit(LOG_INFO, "worker started", json_pack("{s:s, s:i}", "worker_id",
	    rt.worker_id, "concurrency", (int)n));

	/* The main thread schedules periodic jobs and waits for a signal. */
	for (;;) {
		struct timespec ts = { .tv_sec = 5, .tv_nsec = 0 };

		schedule_periodic(&rt);
		sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGTERM || sig == SIGINT)
			break;
	}
	log_info("worker stopping: finishing running jobs");
	atomic_store(&rt.stopping, true);
	wake_all(&rt);
	for (size_t i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	pthread_join(keeper, NULL);
	free(tids);
	free(args);
	free(rt.held);
	db_listen_stop(l);
	pthread_mutex_destroy(&rt.mu);
	pthread_cond_destroy(&rt.cv);
	log_info("worker stopped");
	return ST_OK;
}
