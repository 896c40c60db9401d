/* listen.c — LISTEN/NOTIFY on a dedicated connection in its own thread.
 *
 * LISTEN belongs to a session, so this connection must reach PostgreSQL
 * itself: callers pass DATABASE_LISTEN_URL, which points past a
 * transaction-mode pooler (PgBouncer hands the server connection to another
 * client after each transaction, and notifications would go to whoever holds
 * it). It names itself in application_name so it is easy to find in
 * pg_stat_activity. */
#include "db/listen.h"

#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"

struct db_listener {
	pthread_t tid;
	char *conninfo;
	const char *const *channels;
	db_notify_fn on_notify;
	db_reconnect_fn on_reconnect;
	void *ud;
	atomic_bool stop;
};

static PGconn *
listen_connect(struct db_listener *l, bool quiet)
{
	const char *keys[] = { "dbname", "application_name", NULL };
	const char *vals[] = { l->conninfo, "receptionist-listen", NULL };
	PGconn *pg = PQconnectdbParams(keys, vals, 1);

	if (PQstatus(pg) != CONNECTION_OK) {
		/* Once per outage: the message names host and user, never the
		 * password. */
		if (!quiet)
			log_warn("listener cannot connect: %s",
			    pg ? PQerrorMessage(pg) : "out of memory");
		PQfinish(pg);
		return NULL;
	}
	for (const char *const *c = l->channels; *c != NULL; c++) {
		char sql[128];
		PGresult *res;

		snprintf(sql, sizeof(sql), "LISTEN %s", *c);
		res = PQexec(pg, sql);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			PQclear(res);
			PQfinish(pg);
			return NULL;
		}
		PQclear(res);
	}
	return pg;
}

static void *
listen_main(void *arg)
{
	struct db_listener *l = arg;
	PGconn *pg = NULL;
	int backoff_ms = 100;
	bool first = true, failing = false;

	while (!atomic_load(&l->stop)) {
		struct pollfd pfd;
		PGnotify *n;

		if (pg == NULL) {
			if ((pg = listen_connect(l, failing)) == NULL) {
				failing = true;
				usleep((useconds_t)backoff_ms * 1000);
				backoff_ms = backoff_ms < 5000 ? backoff_ms * 2 : 5000;
				continue;
			}
			backoff_ms = 100;
			failing = false;
			if (!first) {
				log_info("listener reconnected");
				if (l->on_reconnect)
					l->on_reconnect(l->ud);
			}
			first = false;
		}
		pfd.fd = PQsocket(pg);
		pfd.events = POLLIN;
		/* Wake up regularly to notice stop requests. */
		if (poll(&pfd, 1, 250) < 0)
			continue;
		if (!PQconsumeInput(pg) || PQstatus(pg) != CONNECTION_OK) {
			log_warn("listener lost its database connection");
			PQfinish(pg);
			pg = NULL;
			continue;
		}
		while ((n = PQnotifies(pg)) != NULL) {
			l->on_notify(n->relname, n->extra, l->ud);
			PQfreemem(n);
		}
	}
	PQfinish(pg);
	return NULL;
}

struct db_listener *
db_listen_start(const char *conninfo, const char *const *channels,
    db_notify_fn on_notify, db_reconnect_fn on_reconnect, void *ud)
{
	struct db_listener *l = calloc(1, sizeof(*l));

	if (l == NULL || (l->conninfo = strdup(conninfo)) == NULL)
		abort();
	l->channels = channels;
	l->on_notify = on_notify;
	l->on_reconnect = on_reconnect;
	l->ud = ud;
	atomic_init(&l->stop, false);
	pthread_create(&l->tid, NULL, listen_main, l);
	return l;
}

void
db_listen_stop(struct db_listener *l)
{
	if (l == NULL)
		return;
	atomic_store(&l->stop, true);
	pthread_join(l->tid, NULL);
	free(l->conninfo);
	free(l);
}
