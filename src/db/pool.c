/* pool.c — a bounded libpq connection pool.
 *
 * Connections are opened lazily up to max. A caller that finds none free
 * waits a bounded time and then gets ST_UNAVAILABLE: a saturated database
 * turns into 503s, not into an unbounded queue of blocked threads. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/deadline.h"
#include "core/log.h"
#include "db/db.h"
#include "db/prepared.h"

struct db_conn {
	struct db_conn *next;
	PGconn *pg;
	struct db_stmts *stmts;	/* prepared on pg; replaced with it */
};

struct db_pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *conninfo;
	size_t max, open, waiting;
	int acquire_timeout_ms;
	int connect_timeout_s;
	bool prepare;
	int statement_timeout_ms;
	struct db_conn *idle;
	size_t nidle;
	unsigned long long connects, connect_failures, discarded;
};

struct db_pool *
db_pool_new(const char *conninfo, size_t max, int acquire_timeout_ms, int connect_timeout_s,
    int statement_timeout_ms)
{
	struct db_pool *p = calloc(1, sizeof(*p));

	if (p == NULL || (p->conninfo = strdup(conninfo)) == NULL)
		abort();
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->max = max;
	p->acquire_timeout_ms = acquire_timeout_ms;
	p->prepare = true;
	p->connect_timeout_s = connect_timeout_s;
	p->statement_timeout_ms = statement_timeout_ms;
	return p;
}

void
db_pool_free(struct db_pool *p)
{
	struct db_conn *c, *n;

	if (p == NULL)
		return;
	for (c = p->idle; c != NULL; c = n) {
		n = c->next;
		PQfinish(c->pg);
		db_stmts_free(c->stmts);
		free(c);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p->conninfo);
	free(p);
}

void
db_pool_set_prepare(struct db_pool *p, bool on)
{
	pthread_mutex_lock(&p->mu);
	p->prepare = on;
	pthread_mutex_unlock(&p->mu);
}

void
db_pool_get_stats(struct db_pool *p, struct db_pool_stats *out)
{
	pthread_mutex_lock(&p->mu);
	out->max = p->max;
	out->open = p->open;
	out->idle = p->nidle;
	out->waiting = p->waiting;
	out->connects = p->connects;
	out->connect_failures = p->connect_failures;
	out->discarded = p->discarded;
	pthread_mutex_unlock(&p->mu);
}

PGconn *
db_conn_pg(struct db_conn *c)
{
	return c->pg;
}

struct db_stmts *
db_conn_stmts(struct db_conn *c)
{
	return c->stmts;
}

static PGconn *
connect_one(struct db_pool *p)
{
	char timeout[16], opts[96];
	const char *keys[] = { "dbname", "connect_timeout", "application_name", "options", NULL };
	const char *vals[] = { p->conninfo, timeout, "receptionist", opts, NULL };
	PGconn *pg;

	snprintf(timeout, sizeof(timeout), "%d", p->connect_timeout_s);
	/* A statement or an idle transaction can never hold a connection
	 * forever, whatever a handler does. */
	snprintf(opts, sizeof(opts), "-c statement_timeout=%d -c idle_in_transaction_session_timeout=%d",
	    p->statement_timeout_ms, p->statement_timeout_ms * 2);
	pg = PQconnectdbParams(keys, vals, 1);
	if (pg == NULL || PQstatus(pg) != CONNECTION_OK) {
		/* The message names host and user, never the password. */
		log_emit(LOG_WARN, "database connect failed", json_pack("{s:s}", "error",
		    pg ? PQerrorMessage(pg) : "out of memory"));
		PQfinish(pg);
		return NULL;
	}
	return pg;
}

enum status
db_pool_acquire(struct db_pool *p, struct db_conn **out, struct err *e)
{
	struct timespec deadline;
	struct db_conn *c = NULL;
	PGconn *pg;
	bool prepare;

	*out = NULL;
	deadline_in_ms(&deadline, p->acquire_timeout_ms);
	pthread_mutex_lock(&p->mu);
	while (p->idle == NULL && p->open >= p->max) {
		int rc;

		p->waiting++;
		rc = pthread_cond_timedwait(&p->cv, &p->mu, &deadline);
		p->waiting--;
		if (rc == ETIMEDOUT && p->idle == NULL && p->open >= p->max) {
			pthread_mutex_unlock(&p->mu);
			e->retry_after = 1;
			return err_set(e, ST_UNAVAILABLE, "The database is busy; retry shortly.");
		}
	}
	if (p->idle != NULL) {
		c = p->idle;
		p->idle = c->next;
		p->nidle--;
		pthread_mutex_unlock(&p->mu);
		if (PQstatus(c->pg) == CONNECTION_OK) {
			*out = c;
			return ST_OK;
		}
		/* Broken while idle: reconnect in place. */
		PQfinish(c->pg);
		c->pg = NULL;
		db_stmts_free(c->stmts);
		c->stmts = NULL;
		pthread_mutex_lock(&p->mu);
		p->discarded++;
		pthread_mutex_unlock(&p->mu);
	} else {
		p->open++;	/* reserve the slot before connecting unlocked */
		pthread_mutex_unlock(&p->mu);
		if ((c = calloc(1, sizeof(*c))) == NULL)
			abort();
	}

	pg = connect_one(p);
	pthread_mutex_lock(&p->mu);
	if (pg == NULL) {
		p->open--;
		p->connect_failures++;
		pthread_cond_signal(&p->cv);
		pthread_mutex_unlock(&p->mu);
		free(c);
		e->retry_after = 1;
		return err_set(e, ST_UNAVAILABLE, "The database is unavailable; retry shortly.");
	}
	p->connects++;
	prepare = p->prepare;
	pthread_mutex_unlock(&p->mu);
	c->pg = pg;
	c->stmts = prepare ? db_stmts_new() : NULL;
	*out = c;
	return ST_OK;
}

static void
discard(struct db_pool *p, struct db_conn *c, const char *why)
{
	log_emit(LOG_DEBUG, "database connection discarded", json_pack("{s:s}", "reason", why));
	PQfinish(c->pg);
	db_stmts_free(c->stmts);
	free(c);
	pthread_mutex_lock(&p->mu);
	p->open--;
	p->discarded++;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void
db_pool_release(struct db_pool *p, struct db_conn *c)
{
	if (c == NULL)
		return;
	/* A connection left inside a transaction could carry one tenant's
	 * setting into another's request: drop it rather than reuse it. */
	if (PQstatus(c->pg) != CONNECTION_OK) {
		discard(p, c, "broken");
		return;
	}
	if (PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
		discard(p, c, "not idle on release");
		return;
	}
	pthread_mutex_lock(&p->mu);
	c->next = p->idle;
	p->idle = c;
	p->nidle++;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}
