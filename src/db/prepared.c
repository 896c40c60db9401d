/* prepared.c — each pooled connection prepares the statements it runs, the
 * first time it runs them, and from then on only binds and executes.
 *
 * Without it PostgreSQL parses, analyses, rewrites (row-level security
 * included) and plans every statement of every request again; that was a
 * quarter to a third of its CPU in the booking and chat benchmarks. The
 * cache is keyed by the statement's text, so SQL built at run time is
 * shared too when it repeats; at most DB_STMTS_MAX statements per connection
 * (each costs the server memory), the rest run unprepared. Only
 * SELECT / INSERT / UPDATE / DELETE / WITH are prepared: BEGIN, COMMIT and
 * SET are cheaper as they are. */
#include "db/prepared.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SLOTS 512		/* open addressing, at most half full */

struct stmt {
	uint64_t hash;
	char *sql;		/* NULL: empty slot */
	char name[12];
};

struct db_stmts {
	struct stmt slots[SLOTS];
	size_t n;
};

/* FNV-1a: statements are short and this runs once per statement. */
static uint64_t
hash_sql(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static bool
preparable(const char *sql)
{
	static const char *const verbs[] = { "SELECT", "INSERT", "UPDATE", "DELETE", "WITH" };

	while (*sql == ' ' || *sql == '\n' || *sql == '\t' || *sql == '(')
		sql++;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strncasecmp(sql, verbs[i], strlen(verbs[i])) == 0)
			return true;
	return false;
}

struct db_stmts *
db_stmts_new(void)
{
	struct db_stmts *c = calloc(1, sizeof(*c));

	if (c == NULL)
		abort();
	return c;
}

void
db_stmts_free(struct db_stmts *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < SLOTS; i++)
		free(c->slots[i].sql);
	free(c);
}

size_t
db_stmts_count(const struct db_stmts *c)
{
	return c ? c->n : 0;
}

bool
db_stmts_prepare(struct db_stmts *c, PGconn *pg, const char *sql, int nparams,
    const char **name, PGresult **failed)
{
	uint64_t h;
	size_t i;
	PGresult *res;

	*name = NULL;
	*failed = NULL;
	if (c == NULL || !preparable(sql))
		return true;
	h = hash_sql(sql);
	for (i = h % SLOTS; c->slots[i].sql != NULL; i = (i + 1) % SLOTS)
		if (c->slots[i].hash == h && strcmp(c->slots[i].sql, sql) == 0) {
			*name = c->slots[i].name;
			return true;
		}
	if (c->n >= DB_STMTS_MAX)
		return true;

	/* First time on this connection. A statement that does not parse
	 * fails here with the error the execution would have given (and,
	 * inside a transaction, aborts it the same way): that result is the
	 * caller's answer. Nothing is kept, so the slot stays free. */
	snprintf(c->slots[i].name, sizeof(c->slots[i].name), "s%zu", c->n);
	res = PQprepare(pg, c->slots[i].name, sql, nparams, NULL);
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
		*failed = res;
		return false;
	}
	PQclear(res);
	if ((c->slots[i].sql = strdup(sql)) == NULL)
		abort();
	c->slots[i].hash = h;
	c->n++;
	*name = c->slots[i].name;
	return true;
}

PGresult *
db_stmts_exec(struct db_stmts *c, PGconn *pg, const char *sql, int nparams,
    const char *const *params)
{
	const char *name;
	PGresult *failed;

	if (!db_stmts_prepare(c, pg, sql, nparams, &name, &failed))
		return failed;
	if (name == NULL)
		return PQexecParams(pg, sql, nparams, NULL, params, NULL, NULL, 0);
	return PQexecPrepared(pg, name, nparams, params, NULL, NULL, 0);
}
